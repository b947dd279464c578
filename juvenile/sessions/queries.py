"""Read paths of sessions and group sessions, in SQL: each list or panel runs a fixed
number of queries however many rows it shows. None of them reads confidential notes."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from juvenile.access import SPECIALISTS
from juvenile.accounts.models import User
from juvenile.cases.models import Enrolment, Minor
from juvenile.extensions import db
from juvenile.irp.models import Activity, Occurrence
from juvenile.pagination import Page, paginate
from juvenile.sessions.models import GroupSession, Session, SessionFormat, SessionKind

#: How many sessions the case page's panel lists.
PANEL_ROWS = 5


@dataclass
class SessionRow:
    """One line of a session list: what, when, how long, who (never the notes)."""

    id: int
    kind: str
    held_on: date
    duration_minutes: int
    format: str
    conducted_by: str
    attended: bool
    group_session_id: int | None
    topic: str | None
    #: The IRP activity the session ticked off, if any.
    activity: str | None

    @property
    def kind_label(self) -> str:
        return SessionKind(self.kind).label

    @property
    def format_label(self) -> str:
        return SessionFormat(self.format).label


def _rows(where) -> Select:
    conductor = aliased(User)
    ticked = (select(Activity.title).join(Occurrence, Occurrence.activity_id == Activity.id)
              .where(Occurrence.session_id == Session.id).limit(1).scalar_subquery())
    return (
        select(Session.id, Session.kind, Session.held_on, Session.duration_minutes,
               Session.format, conductor.full_name, Session.attended,
               Session.group_session_id, GroupSession.topic, ticked)
        .join(conductor, conductor.id == Session.conducted_by_id)
        .outerjoin(GroupSession, GroupSession.id == Session.group_session_id)
        .where(where)
        .order_by(Session.held_on.desc(), Session.id.desc()))


def _page(where, page: int, per_page: int) -> Page:
    result = paginate(_rows(where), page, per_page, scalars=False)
    result.items = [SessionRow(*row) for row in result.items]
    return result


def enrolment_sessions(enrolment_id: int, page: int, per_page: int) -> Page:
    """The sessions of one case, newest first."""
    return _page(Session.enrolment_id == enrolment_id, page, per_page)


def minor_sessions(minor_id: int, page: int, per_page: int) -> Page:
    """All the minor's sessions, over every period in the programme, newest first."""
    return _page(Session.minor_id == minor_id, page, per_page)


@dataclass
class Panel:
    this_month: int
    total: int
    recent: list[SessionRow]


def panel(enrolment_id: int, today: date) -> Panel:
    """The case page's summary: sessions the minor attended this month and in all, and the
    last few sessions. Two queries."""
    month_start = today.replace(day=1)
    attended = and_(Session.enrolment_id == enrolment_id, Session.attended.is_(True))
    this_month, total = db.session.execute(select(
        func.count(case((Session.held_on >= month_start, Session.id))),
        func.count(Session.id)).where(attended)).one()
    recent = [SessionRow(*row) for row in db.session.execute(
        _rows(Session.enrolment_id == enrolment_id).limit(PANEL_ROWS))]
    return Panel(this_month, total, recent)


@dataclass
class GroupRow:
    id: int
    kind: str
    topic: str
    held_on: date
    duration_minutes: int
    format: str
    conducted_by: str
    participants: int
    attended: int

    @property
    def kind_label(self) -> str:
        return SessionKind(self.kind).label

    @property
    def format_label(self) -> str:
        return SessionFormat(self.format).label


def group_sessions_page(organisation_id: int, page: int, per_page: int) -> Page:
    """The school's group sessions, newest first, with their attendance counts."""
    conductor = aliased(User)
    stmt = (
        select(GroupSession.id, GroupSession.kind, GroupSession.topic, GroupSession.held_on,
               GroupSession.duration_minutes, GroupSession.format, conductor.full_name,
               func.count(Session.id),
               func.count(case((Session.attended.is_(True), Session.id))))
        .join(conductor, conductor.id == GroupSession.conducted_by_id)
        .outerjoin(Session, Session.group_session_id == GroupSession.id)
        .where(GroupSession.organisation_id == organisation_id)
        .group_by(GroupSession.id, GroupSession.kind, GroupSession.topic,
                  GroupSession.held_on, GroupSession.duration_minutes, GroupSession.format,
                  conductor.full_name)
        .order_by(GroupSession.held_on.desc(), GroupSession.id.desc()))
    result = paginate(stmt, page, per_page, scalars=False)
    result.items = [GroupRow(*row) for row in result.items]
    return result


@dataclass
class LineRow:
    """A minor's line of a group session. A minor handed over to another school since is
    no longer the group school's: their line has no name, grade or programme activity."""

    session_id: int
    minor_id: int
    enrolment_id: int
    full_name: str | None
    grade: str | None
    attended: bool
    activity: str | None
    elsewhere: bool = False


def group_lines(group_id: int, organisation_id: int) -> list[LineRow]:
    """The minors of a group session of the school ``organisation_id``, by name (those
    now at another school last, without a name). One query."""
    ticked = (select(Activity.title).join(Occurrence, Occurrence.activity_id == Activity.id)
              .where(Occurrence.session_id == Session.id).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(Session.id, Minor.id, Session.enrolment_id, Minor.surname, Minor.given_name,
               Minor.patronymic, Minor.grade, Session.attended, ticked, Minor.organisation_id)
        .join(Minor, Minor.id == Session.minor_id)
        .where(Session.group_session_id == group_id)
        .order_by(Minor.surname, Minor.given_name, Minor.id))
    lines = []
    for sid, mid, eid, surname, given, patronymic, grade, attended, act, org in rows:
        if org == organisation_id:
            lines.append(LineRow(sid, mid, eid, _name(surname, given, patronymic), grade,
                                 attended, act))
        else:
            lines.append(LineRow(sid, mid, eid, None, None, attended, None, elsewhere=True))
    return sorted(lines, key=lambda line: line.elsewhere)


def _name(*parts) -> str:
    return " ".join(p for p in parts if p)


def open_cases(organisation_id: int, also: list[int] = ()) -> list[tuple[int, str | None]]:
    """(enrolment id, "Name, grade") of the school's open cases, by name; ``also`` adds
    enrolments already in a group (a case closed or handed over since: a minor now at
    another school comes last, with None for a name). One query."""
    condition = and_(Enrolment.organisation_id == organisation_id,
                     Enrolment.closed_on.is_(None))
    if also:
        condition = or_(condition, Enrolment.id.in_(list(also)))
    rows = db.session.execute(
        select(Enrolment.id, Minor.surname, Minor.given_name, Minor.patronymic, Minor.grade,
               Minor.organisation_id)
        .join(Minor, Minor.id == Enrolment.minor_id).where(condition)
        .order_by(Minor.surname, Minor.given_name, Minor.id)).all()
    here = [(eid, _name(surname, given, patronymic) + (f", {grade}" if grade else ""))
            for eid, surname, given, patronymic, grade, org in rows if org == organisation_id]
    gone = [(eid, None) for eid, *_rest, org in rows if org != organisation_id]
    return here + gone


def specialists(organisation_id: int, also: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the school's active psychologists and social pedagogues, by name;
    ``also`` keeps the current conductor of a record (who may have left since)."""
    condition = and_(User.organisation_id == organisation_id, User.is_enabled.is_(True),
                     User.role.in_(sorted(r.value for r in SPECIALISTS)))
    if also is not None:
        condition = or_(condition, User.id == also)
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.full_name).where(condition).order_by(User.full_name, User.id))]
