"""Rules of sessions and contacts, and of group sessions.

A session belongs to a minor's open enrolment; saving it ticks off the programme's planned
occurrence it fulfils (``juvenile.irp.occurrences.fulfil``), and moving or deleting it
gives that occurrence back (``release``). A group session is one record with a line per
minor (a ``Session`` with ``group_session_id`` and ``attended``); each attended line
fulfils its own minor's occurrence. Every change is audited here, and each session line
is on its minor's timeline (psychological kinds as clinical lines). Confidential notes
are written and read by the psychologists of the minor's school only
(``juvenile.access.may_see_session_notes``) and never enter the audit trail's changes;
nor does any free text (summary, participants, topic, reason for a deletion): the trail,
which the district coordinator reads, says that it changed, never what it says. A minor
handed over to another school is, on the old school's group sessions, "a minor now at
another school".
"""

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from juvenile import access
from juvenile.accounts.models import Role, User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases.models import CaseEvent, Enrolment
from juvenile.cases.services import add_event, event_of
from juvenile.cases.timeline import register_kind
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.irp import occurrences
from juvenile.irp.models import Occurrence
from juvenile.sessions.models import GroupSession, Session, SessionFormat, SessionKind

DURATION_MIN, DURATION_MAX = 5, 480
TIMELINE_KIND = "session"
SESSION_FIELDS = ["kind", "held_on", "duration_minutes", "format", "conducted_by_id",
                  "participants", "summary"]
GROUP_FIELDS = ["kind", "topic", "held_on", "duration_minutes", "format", "conducted_by_id",
                "summary"]
#: Free text: the trail says that it changed, never what it says (the district
#: coordinator reads the trail; juvenile.audit.services.redact).
TEXT_FIELDS = ("participants", "summary", "topic", "reason")

audit_labels.OBJECT_LABELS.update({"sessions": _l("Session"),
                                   "group_sessions": _l("Group session")})


@dataclass
class SessionData:
    kind: str
    held_on: date
    duration_minutes: int
    format: str
    conducted_by_id: int
    participants: str | None = None
    summary: str = ""
    #: None: the form had no notes field (not a psychologist): the notes stay as they are.
    confidential_notes: str | None = None


@dataclass
class GroupData:
    kind: str
    topic: str
    held_on: date
    duration_minutes: int
    format: str
    conducted_by_id: int
    summary: str = ""
    confidential_notes: str | None = None
    #: enrolment id -> whether that minor attended
    attendance: dict[int, bool] = field(default_factory=dict)


@dataclass
class Saved:
    """A saved session and the programme occurrence it ticked off (None: nothing)."""

    session: Session
    ticked: Occurrence | None


@dataclass
class GroupSaved:
    group: GroupSession
    #: Occurrences ticked off by this save (one per attending minor whose IRP planned it).
    ticked: int


# --- who may do what --------------------------------------------------------------------


def may_record(user: User, minor) -> bool:
    """The psychologists and social pedagogues of the minor's school."""
    return (user.is_authenticated and user.role_enum in access.SPECIALISTS
            and minor.organisation_id == user.organisation_id)


def _may_change(user: User, organisation_id: int, recorded_by_id: int) -> bool:
    """Its recorder (still a specialist of the school) or a psychologist of the school."""
    return (user.is_authenticated and user.role_enum in access.SPECIALISTS
            and organisation_id == user.organisation_id
            and (user.role_enum is Role.PSYCHOLOGIST or recorded_by_id == user.id))


def may_change(user: User, session: Session) -> bool:
    return _may_change(user, session.minor.organisation_id, session.recorded_by_id)


def may_change_group(user: User, group: GroupSession) -> bool:
    return _may_change(user, group.organisation_id, group.recorded_by_id)


def may_see_group_notes(user: User, group: GroupSession) -> bool:
    """A group's notes: the psychologists of the school that held it (the same rule as a
    minor's notes, asked of the group's school)."""
    return access.may_see_session_notes(user, group)


def may_record_group(user: User) -> bool:
    """Group sessions of one's own school: its psychologists and social pedagogues."""
    return user.is_authenticated and user.role_enum in access.SPECIALISTS


def may_write_new_group_notes(user: User) -> bool:
    """Notes of a group session about to be recorded in the user's own school."""
    return access.may_see_session_notes(user, SimpleNamespace(
        organisation_id=user.organisation_id))


def _session_policy(user: User, action: str, session: Session) -> bool:
    """The school staff of the minor's school (the school that has the case now) see it;
    its recorder and the school's psychologists change it. Nobody else."""
    if user.role_enum not in access.SCHOOL_ROLES:
        return False
    if session.minor.organisation_id != user.organisation_id:
        return False
    return action == "view" or (action in {"edit", "delete"} and may_change(user, session))


def _group_policy(user: User, action: str, group: GroupSession) -> bool:
    if user.role_enum not in access.SCHOOL_ROLES or group.organisation_id != user.organisation_id:
        return False
    return action == "view" or (action in {"edit", "delete"} and may_change_group(user, group))


access.register_policy(Session, _session_policy)
access.register_policy(GroupSession, _group_policy)


# --- validation -------------------------------------------------------------------------


def _validate_common(data, organisation_id: int, today: date,
                     current_conductor_id: int | None = None) -> None:
    if data.kind not in set(SessionKind):
        raise ServiceError(_("Choose one of the options."), "kind")
    if data.format not in set(SessionFormat):
        raise ServiceError(_("Choose one of the options."), "format")
    if data.held_on > today:
        raise ServiceError(_("The date is in the future."), "held_on")
    minutes = data.duration_minutes
    if not isinstance(minutes, int) or not DURATION_MIN <= minutes <= DURATION_MAX:
        raise ServiceError(_("The duration is from %(min)d to %(max)d minutes.",
                             min=DURATION_MIN, max=DURATION_MAX), "duration_minutes")
    if data.conducted_by_id != current_conductor_id:
        conductor = db.session.get(User, data.conducted_by_id) if data.conducted_by_id else None
        if (conductor is None or not conductor.is_enabled
                or conductor.role_enum not in access.SPECIALISTS
                or conductor.organisation_id != organisation_id):
            raise ServiceError(_("Choose a psychologist or social pedagogue of the school."),
                               "conducted_by_id")


def _check_dates_in_case(held_on: date, enrolment: Enrolment, field_name: str,
                         name: str | None = None) -> None:
    """The date lies within the case: not before enrolment, not after its closure."""
    if held_on < enrolment.enrolled_on:
        message = (_("%(name)s was enrolled in the programme after this date.", name=name)
                   if name else _("The date is before the enrolment in the programme."))
        raise ServiceError(message, field_name)
    if enrolment.closed_on is not None and held_on > enrolment.closed_on:
        message = (_("The case of %(name)s was closed before this date.", name=name)
                   if name else _("The date is after the case was closed."))
        raise ServiceError(message, field_name)


def _check_notes(actor: User, minor_or_group, notes: str | None) -> None:
    if notes is not None and not access.may_see_session_notes(actor, minor_or_group):
        raise ServiceError(_("Confidential notes are written by the school's psychologists."),
                           "confidential_notes")


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


# --- audit and timeline -----------------------------------------------------------------


def _audited(record, fields: list[str]) -> dict:
    """For the trail: the record's codes, dates and numbers, a marker for its free text
    (never the text) and only whether there are notes."""
    return audit.redact(audit.snapshot(record, fields), TEXT_FIELDS) | {
        "confidential_notes": bool(record.confidential_notes)}


def _changes(before: dict, record, fields: list[str], old_notes: str | None) -> dict:
    """What changed since ``before`` (a plain snapshot of ``fields``); a changed text
    reads as [marker, marker], never the text."""
    changes = audit.redact(audit.diff(before, audit.snapshot(record, fields)), TEXT_FIELDS)
    if (old_notes or None) != (record.confidential_notes or None):
        changes["confidential_notes"] = "changed"  # that they changed, never the text
    return changes


def _event_data(session: Session) -> dict:
    data = {"session_id": session.id, "kind": session.kind,
            "minutes": session.duration_minutes, "format": session.format}
    if session.group_session_id is not None:
        data |= {"group": True, "attended": bool(session.attended)}
    return data


def _put_on_timeline(actor: User, session: Session, enrolment: Enrolment) -> None:
    add_event(enrolment.minor, TIMELINE_KIND, session.held_on, actor, enrolment=enrolment,
              data=_event_data(session), clinical=SessionKind(session.kind).is_psychological)


def _timeline_line(session: Session) -> CaseEvent | None:
    return event_of(session.minor_id, TIMELINE_KIND, {"session_id": session.id})


def _refresh_timeline(actor: User, session: Session) -> None:
    line = _timeline_line(session)
    if line is None:
        _put_on_timeline(actor, session, session.enrolment)
        return
    line.occurred_on = session.held_on
    line.data = _event_data(session)
    line.clinical = SessionKind(session.kind).is_psychological


def _take_off_timeline(session: Session) -> None:
    db.session.execute(delete(CaseEvent).where(
        CaseEvent.minor_id == session.minor_id, CaseEvent.kind == TIMELINE_KIND,
        CaseEvent.data["session_id"].as_integer() == session.id))


def _refulfil(session: Session) -> Occurrence | None:
    """Give back what the line fulfilled and tick off what it fulfils now."""
    occurrences.release(session_id=session.id)
    db.session.flush()
    if not session.attended:
        return None
    return occurrences.fulfil(session.enrolment_id, session.kind, session.held_on,
                              session_id=session.id)


# --- individual sessions ----------------------------------------------------------------


def _apply(session: Session, data: SessionData) -> None:
    session.kind = data.kind
    session.held_on = data.held_on
    session.duration_minutes = data.duration_minutes
    session.format = data.format
    session.conducted_by_id = data.conducted_by_id
    session.participants = _clean(data.participants)
    session.summary = (data.summary or "").strip()
    if data.confidential_notes is not None:
        session.confidential_notes = _clean(data.confidential_notes)


def record_session(actor: User, enrolment: Enrolment, data: SessionData,
                   today: date) -> Saved:
    """Record a session or contact in the minor's open case; it ticks off the programme's
    planned occurrence it fulfils, if any."""
    minor = enrolment.minor
    if not may_record(actor, minor):
        raise ServiceError(_("Sessions are recorded by the psychologists and social "
                             "pedagogues of the minor's school."))
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed."))
    _check_notes(actor, minor, data.confidential_notes)
    _validate_common(data, enrolment.organisation_id, today)
    _check_dates_in_case(data.held_on, enrolment, "held_on")
    session = Session(recorded_by_id=actor.id, attended=True)
    session.place_from(enrolment)
    _apply(session, data)
    db.session.add(session)
    db.session.flush()
    ticked = occurrences.fulfil(enrolment.id, session.kind, session.held_on,
                                session_id=session.id)
    audit.record(actor, "create", session, minor.audit_label, _audited(session, SESSION_FIELDS))
    _put_on_timeline(actor, session, enrolment)
    return Saved(session, ticked)


def _check_individual(actor: User, session: Session) -> None:
    if session.group_session_id is not None:
        raise ServiceError(_("This is a minor's line of a group session: change it on the "
                             "group session."))
    if not may_change(actor, session):
        raise ServiceError(_("A session is changed by whoever recorded it or by a "
                             "psychologist of the school."))


def update_session(actor: User, session: Session, data: SessionData,
                   expected_version: int | None, today: date) -> Saved:
    """Correct a session. A new date or kind gives back the occurrence it fulfilled and
    ticks off the one it fulfils now."""
    check_version(session, expected_version)
    _check_individual(actor, session)
    _check_notes(actor, session.minor, data.confidential_notes)
    _validate_common(data, session.minor.organisation_id, today, session.conducted_by_id)
    _check_dates_in_case(data.held_on, session.enrolment, "held_on")
    before = audit.snapshot(session, SESSION_FIELDS)
    old_notes = session.confidential_notes
    moved = (data.kind, data.held_on) != (session.kind, session.held_on)
    _apply(session, data)
    db.session.flush()
    ticked = _refulfil(session) if moved else None
    changes = _changes(before, session, SESSION_FIELDS, old_notes)
    if changes:
        audit.record(actor, "update", session, session.minor.audit_label, changes)
        _refresh_timeline(actor, session)
    return Saved(session, ticked)


def delete_session(actor: User, session: Session, reason: str | None,
                   expected_version: int | None) -> None:
    """Delete a session recorded by mistake, with the reason; the occurrence it fulfilled
    is planned again and its timeline line goes. The trail keeps what it was."""
    check_version(session, expected_version)
    _check_individual(actor, session)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the session is deleted."), "reason")
    audit.record(actor, "delete", session, session.minor.audit_label,
                 _audited(session, SESSION_FIELDS) | audit.redact({"reason": reason},
                                                                  TEXT_FIELDS))
    occurrences.release(session_id=session.id)
    _take_off_timeline(session)
    db.session.flush()
    db.session.delete(session)
    db.session.flush()


def ticked_activity(session_id: int) -> Occurrence | None:
    """The occurrence the session fulfils now (with its activity), if any."""
    return db.session.scalar(select(Occurrence).options(joinedload(Occurrence.activity))
                             .where(Occurrence.session_id == session_id).limit(1))


# --- group sessions ---------------------------------------------------------------------


def _participants(actor: User, data: GroupData, existing: dict[int, Session]
                  ) -> dict[int, Enrolment]:
    """The enrolments of the group, checked: new ones among the school's open cases;
    the date within every minor's case."""
    if not data.attendance:
        raise ServiceError(_("Choose at least one minor."), "minors")
    enrolments = {e.id: e for e in db.session.scalars(
        select(Enrolment).options(joinedload(Enrolment.minor))
        .where(Enrolment.id.in_(list(data.attendance))))}
    for enrolment_id in data.attendance:
        enrolment = enrolments.get(enrolment_id)
        if enrolment_id not in existing and (
                enrolment is None or not enrolment.is_open
                or enrolment.organisation_id != actor.organisation_id):
            raise ServiceError(_("Choose minors among the school's open cases."), "minors")
    for enrolment in sorted(enrolments.values(), key=lambda e: e.minor.full_name):
        _check_dates_in_case(data.held_on, enrolment, "minors",
                             line_name(actor, enrolment.minor))
    return enrolments


def elsewhere(user: User, minor) -> bool:
    """A minor of a group line who has been handed over to another school since: the
    group's school no longer reads their name."""
    return minor.organisation_id != user.organisation_id


def line_name(user: User, minor) -> str:
    return _("a minor now at another school") if elsewhere(user, minor) else minor.full_name


def _apply_group(group: GroupSession, data: GroupData) -> None:
    group.kind = data.kind
    group.topic = data.topic.strip()
    group.held_on = data.held_on
    group.duration_minutes = data.duration_minutes
    group.format = data.format
    group.conducted_by_id = data.conducted_by_id
    group.summary = (data.summary or "").strip()
    if data.confidential_notes is not None:
        group.confidential_notes = _clean(data.confidential_notes)


def _apply_line(line: Session, group: GroupSession, attended: bool) -> None:
    line.kind, line.held_on = group.kind, group.held_on
    line.duration_minutes, line.format = group.duration_minutes, group.format
    line.conducted_by_id = group.conducted_by_id
    line.summary = group.topic
    line.attended = attended


def _add_line(actor: User, group: GroupSession, enrolment: Enrolment,
              attended: bool) -> Occurrence | None:
    line = Session(recorded_by_id=actor.id, group_session_id=group.id)
    line.place_from(enrolment)
    _apply_line(line, group, attended)
    db.session.add(line)
    db.session.flush()
    _put_on_timeline(actor, line, enrolment)
    if not attended:
        return None
    return occurrences.fulfil(enrolment.id, line.kind, line.held_on, session_id=line.id)


def _attendance(lines) -> dict:
    """For the trail: the minors (ids) who attended and who did not."""
    return {"attended": sorted(s.minor_id for s in lines if s.attended),
            "absent": sorted(s.minor_id for s in lines if not s.attended)}


def _validate_group(actor: User, group: GroupSession, data: GroupData, today: date,
                    current_conductor_id: int | None = None) -> None:
    if not may_record(actor, group):  # a group belongs to one school, as a minor does
        raise ServiceError(_("Group sessions are recorded by the school's psychologists and "
                             "social pedagogues."))
    _check_notes(actor, group, data.confidential_notes)
    if not (data.topic or "").strip():
        raise ServiceError(_("Give the topic."), "topic")
    _validate_common(data, group.organisation_id, today, current_conductor_id)


def record_group_session(actor: User, data: GroupData, today: date) -> GroupSaved:
    """Record a group session of the actor's school with a line per minor; each attending
    minor's planned occurrence of that kind is ticked off."""
    group = GroupSession(organisation_id=actor.organisation_id,
                         district_id=actor.organisation.district_id, recorded_by_id=actor.id)
    _validate_group(actor, group, data, today)
    enrolments = _participants(actor, data, {})
    _apply_group(group, data)
    db.session.add(group)
    db.session.flush()
    ticked = sum(1 for enrolment_id, attended in data.attendance.items()
                 if _add_line(actor, group, enrolments[enrolment_id], attended))
    lines = _lines(group)
    audit.record(actor, "create", group, _group_label(group),
                 _audited(group, GROUP_FIELDS) | _attendance(lines))
    return GroupSaved(group, ticked)


def _lines(group: GroupSession) -> list[Session]:
    return list(db.session.scalars(select(Session).where(Session.group_session_id == group.id)))


def _group_label(group: GroupSession) -> str:
    """The trail's summary of a group session: its date and kind (the topic is free
    text)."""
    return f"{group.held_on.isoformat()} {group.kind}"


def update_group_session(actor: User, group: GroupSession, data: GroupData,
                         expected_version: int | None, today: date) -> GroupSaved:
    """Correct a group session and its attendance. A line whose date, kind or attendance
    changes gives back its occurrence and ticks off the one it fulfils now; a minor taken
    out of the group loses the line (and the occurrence is planned again)."""
    check_version(group, expected_version)
    if not may_change_group(actor, group):
        raise ServiceError(_("A group session is changed by whoever recorded it or by a "
                             "psychologist of the school."))
    _validate_group(actor, group, data, today, group.conducted_by_id)
    lines = {line.enrolment_id: line for line in _lines(group)}
    enrolments = _participants(actor, data, lines)
    before, old_notes = audit.snapshot(group, GROUP_FIELDS), group.confidential_notes
    attendance_before = _attendance(lines.values())
    _apply_group(group, data)
    if (not db.session.is_modified(group)
            and {e: line.attended for e, line in lines.items()} != data.attendance):
        flag_modified(group, "topic")  # attendance alone is a change of the record: new version
    db.session.flush()
    ticked = _sync_lines(actor, group, lines, data.attendance, enrolments)
    changes = _changes(before, group, GROUP_FIELDS, old_notes)
    attendance_after = _attendance(_lines(group))
    for key in ("attended", "absent"):
        if attendance_before[key] != attendance_after[key]:
            changes[key] = [attendance_before[key], attendance_after[key]]
    if changes:
        audit.record(actor, "update", group, _group_label(group), changes)
    return GroupSaved(group, ticked)


def delete_group_session(actor: User, group: GroupSession, reason: str | None,
                         expected_version: int | None) -> None:
    """Delete a group session recorded by mistake, with the reason: every minor's line
    goes, with its timeline line, and the occurrences the lines ticked off are planned
    again. The trail keeps what it was (never its text)."""
    check_version(group, expected_version)
    if not may_change_group(actor, group):
        raise ServiceError(_("A group session is deleted by whoever recorded it or by a "
                             "psychologist of the school."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the group session is deleted."), "reason")
    lines = _lines(group)
    audit.record(actor, "delete", group, _group_label(group),
                 _audited(group, GROUP_FIELDS) | _attendance(lines)
                 | audit.redact({"reason": reason}, TEXT_FIELDS))
    for line in lines:
        occurrences.release(session_id=line.id)
        _take_off_timeline(line)
    db.session.flush()
    for line in lines:
        db.session.delete(line)
    db.session.flush()
    db.session.expire(group, ["participants"])  # the lines are gone
    db.session.delete(group)
    db.session.flush()


def _sync_lines(actor: User, group: GroupSession, lines: dict[int, Session],
                attendance: dict[int, bool], enrolments: dict[int, Enrolment]) -> int:
    """Lines taken out, changed, added; returns how many occurrences were ticked off."""
    ticked = 0
    for enrolment_id, line in lines.items():
        if enrolment_id not in attendance:
            occurrences.release(session_id=line.id)
            _take_off_timeline(line)
            db.session.flush()
            db.session.delete(line)
        elif _update_line(actor, group, line, attendance[enrolment_id]):
            ticked += 1
    for enrolment_id, attended in attendance.items():
        if enrolment_id not in lines and _add_line(actor, group, enrolments[enrolment_id],
                                                   attended):
            ticked += 1
    db.session.flush()
    return ticked


def _update_line(actor: User, group: GroupSession, line: Session, attended: bool) -> bool:
    """Bring one minor's line in line with the group; True when it ticked an occurrence."""
    moved = (line.kind, line.held_on, line.attended) != (group.kind, group.held_on, attended)
    _apply_line(line, group, attended)
    if not db.session.is_modified(line):
        return False
    db.session.flush()
    _refresh_timeline(actor, line)
    return bool(_refulfil(line)) if moved else False


# --- the timeline -----------------------------------------------------------------------


def _sentence(data: dict) -> str:
    kind = SessionKind(data["kind"]).label
    if data.get("group"):
        if not data.get("attended", True):
            return _("Group session (%(kind)s): the minor did not attend.", kind=kind)
        return _("Group session (%(kind)s), %(minutes)d min, %(format)s.", kind=kind,
                 minutes=int(data["minutes"]), format=SessionFormat(data["format"]).label)
    return _("Session (%(kind)s), %(minutes)d min, %(format)s.", kind=kind,
             minutes=int(data["minutes"]), format=SessionFormat(data["format"]).label)


register_kind(TIMELINE_KIND, _l("Sessions"), _sentence)

