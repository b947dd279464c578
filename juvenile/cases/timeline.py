"""Timeline lines as sentences in the interface language.

A CaseEvent stores its kind and plain values; the sentence is made when it is shown, so
it follows the reader's language. Later domains register the sentences of their own
kinds with ``register_kind``; a kind nobody registered is shown with its values.
"""

from collections.abc import Callable
from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from juvenile.cases.models import (
    ClosureReason,
    ConsentForm,
    IncidentKind,
    Relation,
    Stage,
    TargetGroup,
)

#: kind -> (label for the filter, sentence made from the event's data)
KINDS: dict[str, tuple[object, Callable[[dict], str]]] = {}


def register_kind(kind: str, label, sentence: Callable[[dict], str]) -> None:
    """Name a timeline kind (for the filter) and say how its lines read."""
    KINDS[kind] = (label, sentence)


def kind_label(kind: str) -> str:
    known = KINDS.get(kind)
    return str(known[0]) if known else kind


def describe(kind: str, data: dict | None) -> str:
    """The line's sentence; an unknown kind, or data it cannot read, shows the raw values."""
    data = data or {}
    known = KINDS.get(kind)
    if known is not None:
        try:
            return known[1](data)
        except (KeyError, ValueError, TypeError):
            pass
    values = ", ".join(f"{key}: {value}" for key, value in sorted(data.items()))
    return f"{kind_label(kind)}" + (f" ({values})" if values else "")


def _school(data: dict) -> str:
    locale = get_locale()
    if locale is not None and locale.language == "ru" and data.get("to_ru"):
        return data["to_ru"]
    return data["to"]


def _groups(data: dict) -> str:
    return "; ".join(TargetGroup(int(g)).label for g in data["groups"])


def _incident(data: dict) -> str:
    text = _("Incident recorded: %(kind)s.", kind=IncidentKind(data["kind"]).label)
    if data.get("repeat"):
        text += " " + _("A repeat offence: committed while under support.")
    return text


def _consent(data: dict) -> str:
    if data.get("form"):
        return _("Consent of the legal representative (%(relation)s) recorded, %(form)s.",
                 relation=Relation(data["relation"]).label,
                 form=ConsentForm(data["form"]).label)
    return _("Consent of the legal representative (%(relation)s) recorded.",
             relation=Relation(data["relation"]).label)


register_kind("registered", _l("Registration"),
              lambda d: _("Registered in the case files."))
register_kind("consent", _l("Consent"), _consent)
register_kind("enrolled", _l("Enrolment"),
              lambda d: _("Enrolled in the programme. Target groups: %(groups)s.",
                          groups=_groups(d)))
register_kind("specialist_assigned", _l("Responsible specialist"),
              lambda d: _("Responsible specialist assigned: %(name)s.", name=d["name"]))
register_kind("stage", _l("Stage"),
              lambda d: _("Stage changed: %(from)s → %(to)s.",
                          **{"from": Stage(d["from"]).label, "to": Stage(d["to"]).label}))
register_kind("extended", _l("Extension"),
              lambda d: _("The stage was extended by %(days)s days, until %(until)s.",
                          days=int(d["days"]),
                          until=format_date(date.fromisoformat(d["until"]), "medium")))
register_kind("closed", _l("Closure"),
              lambda d: _("Case closed: %(reason)s.",
                          reason=ClosureReason(d["reason"]).label))
register_kind("incident", _l("Incident"), _incident)
register_kind("crisis_raised", _l("Crisis"),
              lambda d: _("Crisis flag raised after: %(kind)s.",
                          kind=IncidentKind(d["kind"]).label))
register_kind("transfer_requested", _l("Hand-over"),
              lambda d: _("Hand-over to %(school)s requested.", school=_school(d)))
register_kind("transfer_accepted", _l("Hand-over accepted"),
              lambda d: _("The case was taken over by %(school)s.", school=_school(d)))
