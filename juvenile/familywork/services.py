"""Rules of the family work: the living-conditions inspection act (a home visit) and the
legal measures taken for the family.

Who: the psychologists and social pedagogues of the minor's school record and correct;
the school's staff (the deputy head too) read; nobody else — not the police, the
district coordinator or the commission (the act describes the family at home). Every
change is audited here (the act's text and lists, a measure's description and outcome
only as "changed": the coordinator reads the trail) and put on the case timeline (kinds,
counts and dates, never text). A new act ticks off the planned
home visit of the programme (juvenile.irp.occurrences); moving its date moves the tick.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from juvenile import access
from juvenile.accounts.models import User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases.models import CaseEvent, Enrolment, Minor
from juvenile.cases.services import add_event, event_of
from juvenile.cases.timeline import register_kind
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.familywork.models import (
    Condition,
    HousingType,
    LegalMeasure,
    LivingConditionsAct,
    MeasureKind,
    RiskFactor,
    Supervision,
)
from juvenile.irp import occurrences

#: Rows an act holds at most (participants, people living there).
MAX_ROWS = 20
MAX_ROOMS = 50
#: The oldest person of a household: born at most this many years ago.
OLDEST_YEARS = 110

PARTICIPANT_KEYS = ("name", "position", "organisation")
HOUSEHOLD_KEYS = ("name", "relation", "birth_year", "occupation")
ACT_FIELDS = ["visited_on", "address", "housing_type", "rooms", "housing_condition",
              "housing_note", "material_conditions", "income_note", "study_conditions",
              "rest_conditions", "supervision", "supervision_note", "risk_note",
              "conclusions", "recommendations"]
ACT_LISTS = ["participants", "household", "risk_factors"]
MEASURE_FIELDS = ["kind", "taken_on", "description", "outcome", "outcome_on"]
#: Free text (and the act's lists): the trail says that it changed, never what it says —
#: the district coordinator reads the trail (juvenile.audit.services.redact). Codes,
#: dates and numbers stay in the clear.
ACT_TEXT_FIELDS = ("address", "housing_note", "income_note", "study_conditions",
                   "rest_conditions", "supervision_note", "risk_note", "conclusions",
                   "recommendations", *ACT_LISTS)
MEASURE_TEXT_FIELDS = ("description", "outcome")

audit_labels.OBJECT_LABELS.update({"living_conditions_acts": _l("Living-conditions act"),
                                   "legal_measures": _l("Legal measure")})


@dataclass
class ActData:
    """An act as typed. Rows come as typed too, empty ones included: a refusal names the
    row by its place on the form."""

    visited_on: date | None
    address: str
    participants: list[dict] = field(default_factory=list)
    household: list[dict] = field(default_factory=list)
    housing_type: str = ""
    rooms: int | None = None
    housing_condition: str = ""
    housing_note: str = ""
    material_conditions: str = ""
    income_note: str = ""
    study_conditions: str = ""
    rest_conditions: str = ""
    supervision: str = ""
    supervision_note: str = ""
    risk_factors: list[str] = field(default_factory=list)
    risk_note: str = ""
    conclusions: str = ""
    recommendations: str = ""


@dataclass
class MeasureData:
    kind: str
    taken_on: date | None
    description: str


# --- who -----------------------------------------------------------------------------------


def may_view(user: User, minor: Minor) -> bool:
    """The school staff of the minor's school (psychologists, social pedagogues, the
    deputy head)."""
    return (user.is_authenticated and user.role_enum in access.SCHOOL_ROLES
            and minor.organisation_id == user.organisation_id)


def may_record(user: User, minor: Minor) -> bool:
    """The psychologists and social pedagogues of the minor's school."""
    return (user.is_authenticated and user.role_enum in access.SPECIALISTS
            and minor.organisation_id == user.organisation_id)


def _record_policy(user: User, action: str, record) -> bool:
    if action == "view":
        return may_view(user, record.minor)
    if action == "edit":
        return may_record(user, record.minor)
    return False


access.register_policy(LivingConditionsAct, _record_policy)
access.register_policy(LegalMeasure, _record_policy)


def _check_recorder(actor: User, enrolment: Enrolment, new: bool) -> None:
    if not may_record(actor, enrolment.minor):
        raise ServiceError(_("Family work is recorded by the psychologists and social "
                             "pedagogues of the minor's school."))
    if new and not enrolment.is_open:
        raise ServiceError(_("The case is closed."))


# --- checks --------------------------------------------------------------------------------


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _check_day(day: date | None, enrolment: Enrolment, today: date, name: str) -> None:
    """A date of the case: not in the future, within the enrolment (not before it, not
    after its closure)."""
    if day is None:
        raise ServiceError(_("This field is required."), name)
    if day > today:
        raise ServiceError(_("The date is in the future."), name)
    if day < enrolment.enrolled_on:
        raise ServiceError(_("The date is before the enrolment (%(date)s).",
                             date=format_date(enrolment.enrolled_on, "medium")), name)
    _check_not_after_closure(day, enrolment, name)


def _check_not_after_closure(day: date, enrolment: Enrolment, name: str) -> None:
    if enrolment.closed_on is not None and day > enrolment.closed_on:
        raise ServiceError(_("The date is after the case was closed."), name)


def _year(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # refused as out of range below


def clean_participants(rows: list[dict]) -> list[dict]:
    """The participants typed, empty rows left out; a name needs a position."""
    kept = []
    for index, row in enumerate(rows):
        values = {key: _text(row.get(key)) for key in PARTICIPANT_KEYS}
        if not any(values.values()):
            continue
        if not values["name"]:
            raise ServiceError(_("Write the participant's name."), f"participants-{index}-name")
        if not values["position"]:
            raise ServiceError(_("Write the participant's position."),
                               f"participants-{index}-position")
        kept.append(values)
    if not kept:
        raise ServiceError(_("Name at least one person who made the visit."),
                           "participants-0-name")
    if len(kept) > MAX_ROWS:
        raise ServiceError(_("At most %(n)d rows.", n=MAX_ROWS), "participants-0-name")
    return kept


def clean_household(rows: list[dict], today: date) -> list[dict]:
    """The people living there, empty rows left out; each has a name and a plausible
    birth year."""
    first, last = today.year - OLDEST_YEARS, today.year
    kept = []
    for index, row in enumerate(rows):
        values = {key: _text(row.get(key)) for key in ("name", "relation", "occupation")}
        year = _year(row.get("birth_year"))
        if not any(values.values()) and year is None:
            continue
        if not values["name"]:
            raise ServiceError(_("Write the person's name."), f"household-{index}-name")
        if year is not None and not first <= year <= last:
            raise ServiceError(_("The birth year must be between %(first)d and %(last)d.",
                                 first=first, last=last), f"household-{index}-birth_year")
        kept.append({"name": values["name"], "relation": values["relation"],
                     "birth_year": year, "occupation": values["occupation"]})
    if len(kept) > MAX_ROWS:
        raise ServiceError(_("At most %(n)d rows.", n=MAX_ROWS), "household-0-name")
    return kept


def _check_choices(data: ActData) -> None:
    for name, enum in (("housing_type", HousingType), ("housing_condition", Condition),
                       ("material_conditions", Condition), ("supervision", Supervision)):
        if getattr(data, name) not in set(enum):
            raise ServiceError(_("Choose one of the options."), name)
    if not set(data.risk_factors or []) <= set(RiskFactor):
        raise ServiceError(_("Choose one of the options."), "risk_factors")
    if data.rooms is not None and not 1 <= data.rooms <= MAX_ROOMS:
        raise ServiceError(_("Between 1 and %(n)d.", n=MAX_ROOMS), "rooms")


def _validated(enrolment: Enrolment, data: ActData, today: date) -> dict:
    """The act's stored values, or the first refusal (with the field it concerns)."""
    _check_day(data.visited_on, enrolment, today, "visited_on")
    if not _text(data.address):
        raise ServiceError(_("This field is required."), "address")
    participants = clean_participants(data.participants)
    household = clean_household(data.household, today)
    _check_choices(data)
    for name in ("conclusions", "recommendations"):
        if not _text(getattr(data, name)):
            raise ServiceError(_("This field is required."), name)
    values = {name: getattr(data, name) for name in ACT_FIELDS}
    values = {name: _text(value) if isinstance(value, str) else value
              for name, value in values.items()}
    order = list(RiskFactor)
    risks = sorted(set(data.risk_factors or []), key=lambda code: order.index(RiskFactor(code)))
    return values | {"participants": participants, "household": household,
                     "risk_factors": risks}


def _snapshot(act: LivingConditionsAct) -> dict:
    """The act's values, plain (to compare before and after a change)."""
    return audit.snapshot(act, ACT_FIELDS) | {
        name: list(getattr(act, name) or []) for name in ACT_LISTS}


def _audited_act(values: dict) -> dict:
    """For the trail: a snapshot or a diff of the act with its text and lists redacted."""
    return audit.redact(values, ACT_TEXT_FIELDS)


def _audited_measure(values: dict) -> dict:
    return audit.redact(values, MEASURE_TEXT_FIELDS)


# --- the act -------------------------------------------------------------------------------


def _event_data(act: LivingConditionsAct) -> dict:
    return {"act_id": act.id, "participants": len(act.participants or [])}


def record_act(actor: User, enrolment: Enrolment, data: ActData,
               today: date) -> LivingConditionsAct:
    """Record a home visit and its act for the open enrolment; it fulfils the programme's
    home visit planned for that day's period, if any."""
    _check_recorder(actor, enrolment, new=True)
    values = _validated(enrolment, data, today)
    act = LivingConditionsAct(recorded_by_id=actor.id, **values)
    act.place_from(enrolment)
    db.session.add(act)
    db.session.flush()
    occurrences.fulfil(enrolment.id, occurrences.HOME_VISIT, act.visited_on, act_id=act.id)
    audit.record(actor, "create", act, enrolment.audit_label, _audited_act(_snapshot(act)))
    add_event(enrolment.minor, "home_visit", act.visited_on, actor, enrolment=enrolment,
              data=_event_data(act), clinical=False)
    return act


def _timeline_line(record, kind: str, key: str) -> CaseEvent | None:
    return event_of(record.minor_id, kind, {key: record.id})


def update_act(actor: User, act: LivingConditionsAct, data: ActData,
               expected_version: int | None, today: date) -> LivingConditionsAct:
    """Correct an act. A new date moves the programme's tick to the period it falls in."""
    check_version(act, expected_version)
    enrolment = act.enrolment
    _check_recorder(actor, enrolment, new=False)
    values = _validated(enrolment, data, today)
    before, old_day = _snapshot(act), act.visited_on
    for name, value in values.items():
        setattr(act, name, value)
    db.session.flush()
    if act.visited_on != old_day:
        occurrences.release(act_id=act.id)
        db.session.flush()
        occurrences.fulfil(enrolment.id, occurrences.HOME_VISIT, act.visited_on,
                           act_id=act.id)
    changes = audit.diff(before, _snapshot(act))
    if changes:
        audit.record(actor, "update", act, enrolment.audit_label, _audited_act(changes))
        line = _timeline_line(act, "home_visit", "act_id")
        if line is not None:
            line.occurred_on, line.data = act.visited_on, _event_data(act)
    return act


# --- legal measures ------------------------------------------------------------------------


def _measure_event_data(measure: LegalMeasure) -> dict:
    """The timeline keeps the kind and the outcome's date, never the outcome's text."""
    data = {"measure_id": measure.id, "kind": measure.kind}
    if measure.outcome:
        data["outcome_on"] = measure.outcome_on.isoformat()
    return data


def record_measure(actor: User, enrolment: Enrolment, data: MeasureData,
                   today: date) -> LegalMeasure:
    """Record a legal measure taken for the family (its outcome comes later)."""
    _check_recorder(actor, enrolment, new=True)
    if data.kind not in set(MeasureKind):
        raise ServiceError(_("Choose one of the options."), "kind")
    _check_day(data.taken_on, enrolment, today, "taken_on")
    if not _text(data.description):
        raise ServiceError(_("This field is required."), "description")
    measure = LegalMeasure(kind=data.kind, taken_on=data.taken_on,
                           description=_text(data.description), recorded_by_id=actor.id)
    measure.place_from(enrolment)
    db.session.add(measure)
    db.session.flush()
    audit.record(actor, "create", measure, enrolment.audit_label,
                 _audited_measure(audit.snapshot(measure, MEASURE_FIELDS)))
    add_event(enrolment.minor, "legal_measure", measure.taken_on, actor, enrolment=enrolment,
              data=_measure_event_data(measure), clinical=False)
    return measure


def record_outcome(actor: User, measure: LegalMeasure, outcome: str, outcome_on: date | None,
                   expected_version: int | None, today: date) -> LegalMeasure:
    """Write (or correct) the outcome of a measure: not dated before the measure."""
    check_version(measure, expected_version)
    _check_recorder(actor, measure.enrolment, new=False)
    if not _text(outcome):
        raise ServiceError(_("This field is required."), "outcome")
    if outcome_on is None:
        raise ServiceError(_("This field is required."), "outcome_on")
    if outcome_on > today:
        raise ServiceError(_("The date is in the future."), "outcome_on")
    if outcome_on < measure.taken_on:
        raise ServiceError(_("The outcome cannot be dated before the measure (%(date)s).",
                             date=format_date(measure.taken_on, "medium")), "outcome_on")
    _check_not_after_closure(outcome_on, measure.enrolment, "outcome_on")
    before = audit.snapshot(measure, MEASURE_FIELDS)
    measure.outcome, measure.outcome_on = _text(outcome), outcome_on
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(measure, MEASURE_FIELDS))
    if changes:
        audit.record(actor, "update", measure, measure.enrolment.audit_label,
                     _audited_measure(changes))
        line = _timeline_line(measure, "legal_measure", "measure_id")
        if line is not None:
            line.data = _measure_event_data(measure)
    return measure


# --- the timeline --------------------------------------------------------------------------


def _home_visit_sentence(data: dict) -> str:
    return ngettext("Home visit: a living-conditions act drawn up by %(num)d person.",
                    "Home visit: a living-conditions act drawn up by %(num)d people.",
                    int(data["participants"]))


def _measure_sentence(data: dict) -> str:
    text = _("Legal measure: %(kind)s.", kind=MeasureKind(data["kind"]).label)
    if data.get("outcome_on"):
        text += " " + _("Outcome recorded (%(date)s).",
                        date=format_date(date.fromisoformat(data["outcome_on"]), "medium"))
    return text


register_kind("home_visit", _l("Home visit"), _home_visit_sentence)
register_kind("legal_measure", _l("Legal measure"), _measure_sentence)
