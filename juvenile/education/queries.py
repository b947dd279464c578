"""Read paths of education and employment, each a fixed number of queries however many
pupils, months or records there are.

* ``attendance_sheet``: the rows of the school's monthly missed-lessons screen, chosen by
  where each case was held that month (one query).
* ``education_summary``: the case page's section (five queries).
* ``education_history``: the minor's education page (five queries).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from juvenile.accounts.models import User
from juvenile.cases.models import Enrolment, Minor, Placement
from juvenile.education.models import (
    EducationRecord,
    EducationStatus,
    Employment,
    EmploymentKind,
    MonthlyAttendance,
    QuarterlyProgress,
)
from juvenile.extensions import db
from juvenile.sessions.models import Session, SessionKind

#: Kazakh Cyrillic order (it holds the Russian letters too): Ә after А, not after Я.
ALPHABET = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}


def alphabetical(text: str | None) -> tuple:
    """Sort key of a name in the Kazakh alphabet; other characters after, by code point."""
    return tuple(_LETTER_RANK.get(ch, len(ALPHABET) + ord(ch))
                 for ch in (text or "").upper())


def grade_key(grade: str | None) -> tuple:
    """Grades in school order: 5А < 7Б < 10А (a number first, then its letter); none last."""
    match = re.match(r"\s*(\d+)(.*)", grade or "")
    if match is None:
        return (1, 0, alphabetical(grade)) if grade else (2, 0, ())
    return (0, int(match.group(1)), alphabetical(match.group(2).strip(" -")))


# --- months --------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def is_over(month: date, today: date) -> bool:
    """A month is over once its last day has passed."""
    return next_month(month) <= today


# --- the monthly screen ---------------------------------------------------------------


@dataclass
class SheetRow:
    """A pupil of the screen and the month's record as it stands (None: not entered).

    ``organisation_id``/``district_id``: the school of the screen (where the pupil was
    held that month), where a record written from this row is placed. ``handed_on``: the
    day another school took the pupil over during the month — that school, holding the
    pupil at the month's end, enters the month; here the row is read-only.
    """

    minor_id: int
    surname: str
    given_name: str
    grade: str | None
    enrolment_id: int
    organisation_id: int
    district_id: int | None
    attendance_id: int | None
    lessons: int | None
    excused: int | None
    unexcused: int | None
    version: int | None
    recorded_by: str | None
    handed_on: date | None = None

    @property
    def name(self) -> str:
        return f"{self.surname} {self.given_name}"

    @property
    def audit_label(self) -> str:
        return f"{self.surname} {self.given_name[:1]}."

    @property
    def values(self) -> tuple[int | None, int | None, int | None]:
        return self.lessons, self.excused, self.unexcused

    @property
    def editable(self) -> bool:
        """This school enters the month: it holds the pupil at the month's end (or had
        the case last, when it closed during the month)."""
        return self.handed_on is None


def _held_during(placement, enrolment, first: date, last: date):
    """SQL: the placement held its enrolment on some day of [first, last] while the
    enrolment was open."""
    return and_(placement.from_date <= last,
                or_(placement.to_date.is_(None), placement.to_date > first),
                enrolment.enrolled_on <= last,
                or_(enrolment.closed_on.is_(None), enrolment.closed_on >= first))


def attendance_sheet(organisation_id: int, month: date) -> list[SheetRow]:
    """Every pupil whose case the school held at any time during the month (its
    placements: a pupil handed over mid-month is on both schools' screens), with the
    month's record; sorted by grade, then surname and name. One row per pupil (the later
    enrolment, the later placement); the school that holds the pupil at the month's end
    enters it, on the other school's screen the row says when the pupil was handed on.
    One query."""
    first, last = month, month_end(month)
    later, later_enrolment = aliased(Placement), aliased(Enrolment)
    handed_on = (
        select(func.min(later.from_date))
        .join(later_enrolment, later_enrolment.id == later.enrolment_id)
        .where(later_enrolment.minor_id == Minor.id,
               later.organisation_id != organisation_id,
               later.from_date > Placement.from_date,
               _held_during(later, later_enrolment, first, last))
        .correlate(Minor, Placement).scalar_subquery())
    stmt = (
        select(Minor.id, Minor.surname, Minor.given_name, Minor.grade, Enrolment.id,
               Placement.organisation_id, Placement.district_id, MonthlyAttendance.id,
               MonthlyAttendance.lessons, MonthlyAttendance.missed_excused,
               MonthlyAttendance.missed_unexcused, MonthlyAttendance.version,
               User.full_name, handed_on)
        .select_from(Placement)
        .join(Enrolment, Enrolment.id == Placement.enrolment_id)
        .join(Minor, Minor.id == Enrolment.minor_id)
        .outerjoin(MonthlyAttendance, and_(MonthlyAttendance.minor_id == Minor.id,
                                           MonthlyAttendance.month == month))
        .outerjoin(User, User.id == MonthlyAttendance.recorded_by_id)
        .where(Placement.organisation_id == organisation_id,
               _held_during(Placement, Enrolment, first, last))
        .order_by(Enrolment.enrolled_on, Enrolment.id, Placement.from_date, Placement.id)
    )
    rows: dict[int, SheetRow] = {}
    for values in db.session.execute(stmt):
        rows[values[0]] = SheetRow(*values)  # ordered by time: the later one wins
    return sorted(rows.values(), key=lambda r: (grade_key(r.grade), alphabetical(r.surname),
                                                alphabetical(r.given_name), r.minor_id))


# --- the case page's section and the minor's education page ---------------------------


@dataclass
class StatusLine:
    id: int
    status: str
    since: date
    note: str
    recorded_by: str

    @property
    def label(self) -> str:
        return _label(EducationStatus, self.status)


@dataclass
class MonthLine:
    month: date
    lessons: int | None = None
    excused: int | None = None
    unexcused: int | None = None

    @property
    def entered(self) -> bool:
        return self.lessons is not None


@dataclass
class ProgressLine:
    id: int
    #: The calendar year the quarter falls in (quarters 3 and 4: the school year's second).
    year: int
    quarter: int
    failing_subjects: int
    failing_note: str
    average_mark: object
    version: int

    @property
    def school_year(self) -> str:
        start = self.year if self.quarter <= 2 else self.year - 1
        return f"{start}–{start + 1}"


@dataclass
class EmploymentLine:
    id: int
    kind: str
    employer: str
    position: str
    starts_on: date
    ends_on: date | None
    note: str

    @property
    def label(self) -> str:
        return _label(EmploymentKind, self.kind)

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


def _label(enum, value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value


@dataclass
class EducationSummary:
    status: StatusLine | None
    months: list[MonthLine]
    progress: ProgressLine | None
    employments: list[EmploymentLine]
    career_guidance: int


def _statuses(minor_id: int, limit: int | None = None) -> list[StatusLine]:
    stmt = (select(EducationRecord.id, EducationRecord.status, EducationRecord.since,
                   EducationRecord.note, User.full_name)
            .join(User, User.id == EducationRecord.recorded_by_id)
            .where(EducationRecord.minor_id == minor_id)
            .order_by(EducationRecord.since.desc(), EducationRecord.id.desc()).limit(limit))
    return [StatusLine(*row) for row in db.session.execute(stmt)]


def _progress(minor_id: int, limit: int | None = None) -> list[ProgressLine]:
    q = QuarterlyProgress
    # Within a calendar year the quarters run 3, 4 (January–May), then 1, 2 (autumn).
    in_year = case((q.quarter >= 3, q.quarter - 3), else_=q.quarter + 1)
    stmt = (select(q.id, q.year, q.quarter, q.failing_subjects, q.failing_note,
                   q.average_mark, q.version)
            .where(q.minor_id == minor_id)
            .order_by(q.year.desc(), in_year.desc(), q.id.desc()).limit(limit))
    return [ProgressLine(*row) for row in db.session.execute(stmt)]


def _employments(minor_id: int, today: date | None = None) -> list[EmploymentLine]:
    e = Employment
    stmt = (select(e.id, e.kind, e.employer, e.position, e.starts_on, e.ends_on, e.note)
            .where(e.minor_id == minor_id).order_by(e.starts_on.desc(), e.id.desc()))
    if today is not None:  # only the current ones
        stmt = stmt.where(e.starts_on <= today, or_(e.ends_on.is_(None), e.ends_on >= today))
    return [EmploymentLine(*row) for row in db.session.execute(stmt)]


def _career_guidance(minor_id: int) -> int:
    return db.session.scalar(
        select(func.count(Session.id))
        .where(Session.minor_id == minor_id, Session.kind == SessionKind.CAREER_GUIDANCE.value,
               Session.attended.is_(True))) or 0


def _months(minor_id: int, since: date | None = None) -> dict[date, MonthLine]:
    a = MonthlyAttendance
    stmt = (select(a.month, a.lessons, a.missed_excused, a.missed_unexcused)
            .where(a.minor_id == minor_id).order_by(a.month.desc()))
    if since is not None:
        stmt = stmt.where(a.month >= since)
    return {row[0]: MonthLine(*row) for row in db.session.execute(stmt)}


def education_summary(minor_id: int, today: date, months: int = 3) -> EducationSummary:
    """The current status, the last ``months`` months that are over (entered or not), the
    latest quarterly progress, the current employment, the career-guidance sessions."""
    shown = [previous_month(today)]
    while len(shown) < months:
        shown.append(previous_month(shown[-1]))
    entered = _months(minor_id, since=shown[-1])
    statuses, progress = _statuses(minor_id, 1), _progress(minor_id, 1)
    return EducationSummary(
        status=statuses[0] if statuses else None,
        months=[entered.get(month, MonthLine(month)) for month in shown],
        progress=progress[0] if progress else None,
        employments=_employments(minor_id, today), career_guidance=_career_guidance(minor_id))


@dataclass
class EducationHistory:
    statuses: list[StatusLine]
    months: list[MonthLine]
    progress: list[ProgressLine]
    employments: list[EmploymentLine]
    career_guidance: int


def education_history(minor_id: int) -> EducationHistory:
    """Everything recorded on the minor's education and employment, newest first."""
    return EducationHistory(statuses=_statuses(minor_id),
                            months=list(_months(minor_id).values()),
                            progress=_progress(minor_id), employments=_employments(minor_id),
                            career_guidance=_career_guidance(minor_id))
