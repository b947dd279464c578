"""Rules of leisure and socialisation: sections, clubs, mentoring, events, volunteering.

Recorded by the psychologists and social pedagogues of the minor's school, for the
minor's open enrolment. Decisions taken here:

- A start before the enrolment is allowed: a section the minor already attended when
  taken under support, and still attends, is real involvement; the case page marks it
  "since before the enrolment". An involvement that *ended* before the enrolment is not
  part of the support and is refused. A start in the future is refused (record it when
  it begins); an end in the future is allowed (a planned end).
- A public or cultural event is one day: without an end its end is its start.
- Mentoring needs the mentor's name and a way to reach the mentor; other kinds keep no
  mentor.
- Corrections are versioned edits (the end is set when the minor leaves). Records of a
  closed case are read-only.
- Deleting is for a record made by mistake (the wrong minor, a double entry): only the
  person who recorded it, on the day they recorded it (region time); the audit keeps
  the record's fields (the note and the mentor by name of the field only, as in every
  audit entry here: the coordinator reads the trail). Anything later is corrected,
  never deleted.

Every change is audited here, and the case timeline carries a line when an involvement
starts and (except for events) when it ends; the lines follow the record's corrections.
"""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from juvenile import access
from juvenile.access import SPECIALISTS
from juvenile.accounts.models import User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases.models import CaseEvent, Enrolment, Minor
from juvenile.cases.services import add_event
from juvenile.cases.timeline import register_kind
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.leisure.models import LeisureInvolvement, LeisureKind

FIELDS = ["kind", "name", "organiser", "mentor_name", "mentor_contact", "starts_on",
          "ends_on", "note"]
#: Free text and the mentor's identity: the audit trail (read by the district
#: coordinator) says that they changed, never what they say.
TEXT_FIELDS = ("note", "mentor_name", "mentor_contact")
STARTED, ENDED = "leisure_started", "leisure_ended"

audit_labels.OBJECT_LABELS.update({"leisure_involvements": _l("Leisure involvement")})


@dataclass
class InvolvementData:
    kind: str
    name: str
    organiser: str | None
    mentor_name: str | None
    mentor_contact: str | None
    starts_on: date
    ends_on: date | None
    note: str | None


def may_record_leisure(user: User, minor: Minor) -> bool:
    """The psychologists and social pedagogues of the minor's school."""
    return (user.is_authenticated and user.role_enum in SPECIALISTS
            and minor.organisation_id == user.organisation_id)


def involvement_policy(user: User, action: str, involvement: LeisureInvolvement) -> bool:
    """Follows the minor (the history moves along on a hand-over): the programme's roles
    who may open the minor's case view it (the school's staff; the district coordinator,
    read-only; never the police); the school's specialists edit and delete it."""
    minor = db.session.get(Minor, involvement.minor_id)
    if action == "view":
        return access.has_rule(user, "view_programme") and access.can(user, "view", minor)
    if action in {"edit", "delete"}:
        return may_record_leisure(user, minor)
    return False


access.register_policy(LeisureInvolvement, involvement_policy)


def region_day(moment) -> date:
    """The region's calendar day of a stored UTC timestamp."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def may_delete(user: User, involvement, today: date) -> bool:
    """The recorder, on the day of recording (``involvement``: a record or a panel row)."""
    return (user.is_authenticated and involvement.recorded_by_id == user.id
            and region_day(involvement.recorded_at) == today)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _validate(minor: Minor, enrolment: Enrolment, data: InvolvementData, today: date) -> None:
    if data.kind not in set(LeisureKind):
        raise ServiceError(_("Choose one of the options."), "kind")
    if not _text(data.name):
        raise ServiceError(_("Name the section, club, event or project."), "name")
    if data.kind == LeisureKind.MENTORING:
        if not _text(data.mentor_name):
            raise ServiceError(_("Give the mentor's name."), "mentor_name")
        if not _text(data.mentor_contact):
            raise ServiceError(_("Give the mentor's contact (a phone number or an e-mail): "
                                 "a mentor without contact cannot be reached."),
                               "mentor_contact")
    if data.starts_on > today:
        raise ServiceError(_("The start is in the future: record the involvement when it "
                             "begins."), "starts_on")
    if data.starts_on < minor.birth_date:
        raise ServiceError(_("The date is before the minor's birth."), "starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise ServiceError(_("The end comes before the start."), "ends_on")
    if data.ends_on is not None and data.ends_on < enrolment.enrolled_on:
        raise ServiceError(
            _("The involvement ended before the enrolment on %(date)s: it is not part of "
              "the support.", date=format_date(enrolment.enrolled_on, "medium")), "ends_on")


def _apply(involvement: LeisureInvolvement, data: InvolvementData) -> None:
    involvement.kind = data.kind
    involvement.name = _text(data.name)
    involvement.organiser = _text(data.organiser)
    involvement.note = _text(data.note)
    mentoring = data.kind == LeisureKind.MENTORING
    involvement.mentor_name = _text(data.mentor_name) if mentoring else None
    involvement.mentor_contact = _text(data.mentor_contact) if mentoring else None
    involvement.starts_on = data.starts_on
    involvement.ends_on = data.ends_on
    if data.kind == LeisureKind.EVENT and data.ends_on is None:
        involvement.ends_on = data.starts_on  # an event is one day unless told otherwise


def _check(actor: User, minor: Minor, enrolment: Enrolment) -> None:
    if not may_record_leisure(actor, minor):
        raise ServiceError(_("Leisure is recorded by the psychologists and social pedagogues "
                             "of the minor's school."))
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed: its records can no longer change."))


def record_involvement(actor: User, enrolment: Enrolment, data: InvolvementData,
                       today: date) -> LeisureInvolvement:
    """Record the minor's involvement in a section, club, mentoring, event or volunteering
    under the open enrolment."""
    minor = enrolment.minor
    _check(actor, minor, enrolment)
    _validate(minor, enrolment, data, today)
    involvement = LeisureInvolvement(recorded_by_id=actor.id)
    involvement.place_from(enrolment)
    _apply(involvement, data)
    db.session.add(involvement)
    db.session.flush()
    audit.record(actor, "create", involvement, minor.audit_label,
                 audit.redact(audit.snapshot(involvement, FIELDS), TEXT_FIELDS))
    _sync_timeline(actor, involvement, minor, enrolment, today, lines={})
    return involvement


def update_involvement(actor: User, involvement: LeisureInvolvement, data: InvolvementData,
                       expected_version: int | None, today: date) -> LeisureInvolvement:
    """Correct an involvement or set its end; the version moves, the audit keeps the change
    and the timeline lines follow the new dates."""
    check_version(involvement, expected_version)
    minor, enrolment = involvement.minor, involvement.enrolment
    _check(actor, minor, enrolment)
    _validate(minor, enrolment, data, today)
    before = audit.snapshot(involvement, FIELDS)
    lines = _lines_of(involvement)  # found by the values they were written with
    _apply(involvement, data)
    changes = audit.diff(before, audit.snapshot(involvement, FIELDS))
    if changes:
        db.session.flush()
        audit.record(actor, "update", involvement, minor.audit_label,
                     audit.redact(changes, TEXT_FIELDS))
        _sync_timeline(actor, involvement, minor, enrolment, today, lines=lines)
    return involvement


def delete_involvement(actor: User, involvement: LeisureInvolvement,
                       expected_version: int | None, today: date) -> None:
    """Remove a record made by mistake, with its timeline lines: only its recorder, on the
    day it was recorded. The audit entry keeps its fields (free text redacted)."""
    check_version(involvement, expected_version)
    minor = involvement.minor
    _check(actor, minor, involvement.enrolment)
    if not may_delete(actor, involvement, today):
        raise ServiceError(_("Only the person who recorded it may delete an involvement, on "
                             "the day it was recorded. Correct it instead: set its end."))
    audit.record(actor, "delete", involvement, minor.audit_label,
                 audit.redact(audit.snapshot(involvement, FIELDS), TEXT_FIELDS))
    for line in _lines_of(involvement).values():
        db.session.delete(line)
    db.session.delete(involvement)
    db.session.flush()


# --- the timeline ---------------------------------------------------------------------


def _lines_of(involvement: LeisureInvolvement) -> dict[str, CaseEvent]:
    """The involvement's timeline lines by kind (a minor has few: filtered here). Lines
    written without the involvement's id (loaded data) are recognised by its kind, name
    and date as they stand before the change."""
    events = db.session.scalars(select(CaseEvent).where(
        CaseEvent.minor_id == involvement.minor_id, CaseEvent.kind.in_((STARTED, ENDED)))
        .order_by(CaseEvent.id))
    days = {STARTED: involvement.starts_on, ENDED: involvement.ends_on}
    found: dict[str, CaseEvent] = {}
    for event in events:
        data = event.data or {}
        if "involvement_id" in data:
            ours = data["involvement_id"] == involvement.id
        else:
            ours = (data.get("kind"), data.get("name"), event.occurred_on) == (
                involvement.kind, involvement.name, days[event.kind])
        if ours:
            found.setdefault(event.kind, event)
    return found


def _wanted_lines(involvement: LeisureInvolvement, today: date) -> dict[str, tuple]:
    data = {"involvement_id": involvement.id, "kind": involvement.kind,
            "name": involvement.name}
    wanted = {STARTED: (involvement.starts_on, data)}
    if involvement.ends_on is not None and involvement.kind != LeisureKind.EVENT:
        wanted[ENDED] = (involvement.ends_on,
                         data | {"planned": involvement.ends_on > today})
    return wanted


def _sync_timeline(actor: User, involvement: LeisureInvolvement, minor: Minor,
                   enrolment: Enrolment, today: date, lines: dict[str, CaseEvent]) -> None:
    """One "started" line, and an "ended" line while an end is set (not for events)."""
    wanted = _wanted_lines(involvement, today)
    for kind, line in lines.items():
        if kind not in wanted:
            db.session.delete(line)
    for kind, (day, data) in wanted.items():
        line = lines.get(kind)
        if line is None:
            add_event(minor, kind, day, actor, enrolment=enrolment, data=data)
        elif line.occurred_on != day or line.data != data:
            line.occurred_on, line.data = day, data


def _kind(data: dict) -> str:
    return LeisureKind(data["kind"]).label


def _started(data: dict) -> str:
    if data["kind"] == LeisureKind.EVENT:
        return _("Took part in a public or cultural event «%(name)s».", name=data["name"])
    return _("Involvement began: %(kind)s «%(name)s».", kind=_kind(data), name=data["name"])


def _ended(data: dict) -> str:
    if data.get("planned"):
        return _("Planned end of the involvement: %(kind)s «%(name)s».", kind=_kind(data),
                 name=data["name"])
    return _("Involvement ended: %(kind)s «%(name)s».", kind=_kind(data), name=data["name"])


register_kind(STARTED, _l("Leisure: involvement began"), _started)
register_kind(ENDED, _l("Leisure: involvement ended"), _ended)
