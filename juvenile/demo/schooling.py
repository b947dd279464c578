"""The demo's education, work and leisure histories.

Every enrolment gets its education status (a college's students "in a college"; a few
pupils not attending at enrolment, most of whom return, some older ones going to work);
every supported pupil the missed lessons of each month of the school year that was over
and typed in while the case was open, trending down for most minors over their support;
some pupils their quarterly progress; a few older minors a job. About seven in ten
supported minors are in a section, club, mentoring, event or volunteering this month,
and some have earlier involvements. Where a programme line brought the minor into a
section or back to school (``Course.hints``), the history starts on that day.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from juvenile.cases.models import CaseEvent
from juvenile.demo import people
from juvenile.demo.case_rows import insert_ids, insert_rows, stamp
from juvenile.demo.programme_acts import person
from juvenile.demo.programme_rows import event, place
from juvenile.demo.programme_texts import (
    EMPLOYERS,
    FAILING,
    JOB_POSITIONS,
    LEISURE,
    ORGANISERS,
)
from juvenile.education.models import (
    EducationRecord,
    Employment,
    MonthlyAttendance,
    QuarterlyProgress,
)
from juvenile.leisure.models import LeisureInvolvement

if TYPE_CHECKING:
    from juvenile.demo.programme_cases import Course, School

#: Lessons in a month of the school year (none in June to August: the summer holidays).
LESSONS = {9: 100, 10: 92, 11: 84, 12: 100, 1: 78, 2: 96, 3: 72, 4: 100, 5: 76}
#: School quarters: (quarter, month and day it ends).
QUARTERS = [(1, 10, 31), (2, 12, 31), (3, 3, 31), (4, 5, 31)]
#: Share of the open cases in each stage involved in leisure this month.
INVOLVED = {"initial": 0.3, "active": 0.65, "follow_up": 0.72}
#: The key of the record's id in its timeline lines (the services' own).
ID_KEYS = {LeisureInvolvement: "involvement_id"}
LEISURE_KINDS = (["sports_section", "club", "mentoring", "event", "volunteering"],
                 [35, 25, 10, 15, 15])


class Rows:
    """The rows of each table and their timeline lines, for one bulk insert each: a line's
    data gets its record's id (as the services write it) once the rows are in."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.tables: dict[type, list[tuple]] = {}

    def add(self, model, course: "Course", actor: int, day: date, row: dict,
            *lines: tuple[str, date, dict]) -> None:
        """A row recorded on ``day``, with its lines (kind, day, data without the id)."""
        at = stamp(self.rng, day)
        self.tables.setdefault(model, []).append((
            course, place(course) | row | {"recorded_by_id": actor, "recorded_at": at,
                                           "version": 1}, lines))

    def write(self) -> None:
        events = []
        for model, table in self.tables.items():
            key = ID_KEYS.get(model, "id")
            ids = insert_ids(model, [row for _c, row, _l in table])
            for (course, row, lines), record_id in zip(table, ids, strict=True):
                events += [event(course, kind, day, row["recorded_by_id"],
                                 {key: record_id} | data, row["recorded_at"])
                           for kind, day, data in lines]
        insert_rows(CaseEvent, events)


def build(rng: random.Random, courses: list["Course"], schools: dict[int, "School"],
          today: date) -> None:
    rows = Rows(rng)
    months_taken: set[tuple[int, date]] = set()
    absences = {}
    for course in courses:
        pedagogue = schools[course.organisation_id].pedagogue[0]
        absences[course.id] = education(rng, rows, course, pedagogue)
        if not course.college and rng.random() < 0.45:
            progress(rng, rows, course, pedagogue, today)
        leisure(rng, rows, course, pedagogue, today)
    # A minor enrolled twice in a month is one row of the screen: the later enrolment's.
    for course in sorted(courses, key=lambda c: c.enrolled_on, reverse=True):
        attendance(rng, rows, course, schools[course.organisation_id].pedagogue[0], today,
                   absences[course.id], months_taken)
    rows.write()


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def education(rng: random.Random, rows: Rows, course: "Course",
              pedagogue: int) -> tuple[date, date] | None:
    """The status at enrolment and what changed; returns the days not attending."""
    first = min(course.enrolled_on + timedelta(days=rng.randint(0, 3)), course.last_day)
    status = ("college" if course.college else
              "not_attending" if course.not_attending else "attending")
    _status(rows, course, pedagogue, first, status)
    if not course.not_attending:
        _employment(rng, rows, course, pedagogue)
        return None
    returned = course.hints.get("return")
    if returned is None and rng.random() < 0.5 and \
            first + timedelta(days=20) < course.last_day:
        returned = _day(rng, first + timedelta(days=20), course.last_day)
    if returned is not None:
        returned = max(returned, first + timedelta(days=1))
        _status(rows, course, pedagogue, returned, "returned")
        return first, returned
    if course.age_on(course.last_day) >= 16 and first + timedelta(days=14) < course.last_day:
        working = _day(rng, first + timedelta(days=14), course.last_day)
        _status(rows, course, pedagogue, working, "working")
        _job(rng, rows, course, pedagogue, working, "permanent")
    return first, course.last_day


def _status(rows: Rows, course: "Course", pedagogue: int, since: date, status: str) -> None:
    rows.add(EducationRecord, course, pedagogue, since,
             {"status": status, "since": since, "note": ""},
             ("education_status", since, {"status": status, "since": since.isoformat()}))


def _employment(rng: random.Random, rows: Rows, course: "Course", pedagogue: int) -> None:
    hinted = course.hints.get("employment")
    if hinted is not None:
        _job(rng, rows, course, pedagogue, hinted, "temporary")
    elif ((course.college or course.age_on(course.last_day) >= 16) and rng.random() < 0.05
          and course.age_on(course.enrolled_on) >= 15):
        _job(rng, rows, course, pedagogue, _day(rng, course.enrolled_on, course.last_day),
             "temporary")


def _job(rng: random.Random, rows: Rows, course: "Course", pedagogue: int, starts: date,
         kind: str) -> None:
    ends = None
    if kind == "temporary":
        ends = starts + timedelta(days=rng.randint(30, 75))
        ends = ends if ends <= course.last_day else None
    employer = course.text(rng.choice(EMPLOYERS))
    position = course.text(rng.choice(JOB_POSITIONS))
    lines = [("employment", starts, {"part": "start", "kind": kind, "employer": employer,
                                     "position": position})]
    if ends is not None:
        lines.append(("employment", ends, {"part": "end", "employer": employer,
                                           "ended": True}))
    rows.add(Employment, course, pedagogue, starts,
             {"kind": kind, "employer": employer, "position": position,
              "starts_on": starts, "ends_on": ends, "note": ""}, *lines)


def _months(course: "Course", today: date):
    """(first day, first day of the next) of each school-year month that is over and in
    which the case was open (the school's screen lists the case that month)."""
    month = course.enrolled_on.replace(day=1)
    this_month = today.replace(day=1)
    while month < this_month:
        if course.closed_on is not None and month > course.closed_on:
            return
        following = (month + timedelta(days=32)).replace(day=1)
        if month.month in LESSONS:
            yield month, following
        month = following


def attendance(rng: random.Random, rows: Rows, course: "Course", pedagogue: int, today: date,
               absent: tuple[date, date] | None, taken: set) -> None:
    unexcused = rng.uniform(3, 24 if {1, 3, 4} & course.groups else 14)
    draw = rng.random()
    trend = (rng.uniform(0.8, 0.93) if draw < 0.75 else 1.0 if draw < 0.9 else
             rng.uniform(1.04, 1.12))
    shift = rng.randint(-6, 2)
    for month, following in _months(course, today):
        if (course.minor_id, month) in taken:
            continue
        taken.add((course.minor_id, month))
        lessons = max(70, min(100, LESSONS[month.month] + shift))
        if absent and absent[0] < following and month < absent[1]:
            missed = round(lessons * rng.uniform(0.5, 0.9))
        else:
            missed = max(0, round(unexcused + rng.gauss(0, 1.5)))
            unexcused *= trend
        missed = min(missed, lessons)
        excused = min(lessons - missed, rng.choices(
            [0, rng.randint(1, 6), rng.randint(7, 15)], [40, 50, 10])[0])
        typed = min(following + timedelta(days=rng.randint(0, 4)), course.last_day)
        rows.add(MonthlyAttendance, course, pedagogue, typed,
                 {"month": month, "lessons": lessons, "missed_excused": excused,
                  "missed_unexcused": missed},
                 ("attendance", following - timedelta(days=1),
                  {"month": month.isoformat(), "lessons": lessons, "excused": excused,
                   "unexcused": missed}))


def progress(rng: random.Random, rows: Rows, course: "Course", pedagogue: int,
             today: date) -> None:
    """Each school quarter over during the case: the average mark (rising for most) and
    the failing subjects. ``year`` is the calendar year the quarter ends in."""
    mark = rng.uniform(2.9, 4.2)
    step = rng.uniform(0.04, 0.15) if rng.random() < 0.7 else rng.uniform(-0.1, 0.02)
    last = min(course.last_day, today - timedelta(days=1))
    for year in range(course.enrolled_on.year, last.year + 1):
        for quarter, month, day in QUARTERS:
            ends = date(year, month, day)
            if not course.enrolled_on + timedelta(days=20) <= ends <= last:
                continue
            failing = (rng.randint(1, 3) if mark < 3.3 else int(rng.random() < 0.1))
            subjects = rng.sample(FAILING, failing)
            typed = min(ends + timedelta(days=rng.randint(1, 10)), course.last_day)
            average = Decimal(f"{min(5.0, max(2.0, mark)):.2f}")
            rows.add(QuarterlyProgress, course, pedagogue, typed, {
                "year": year, "quarter": quarter, "failing_subjects": failing,
                "failing_note": ", ".join(course.text(s) for s in subjects),
                "average_mark": average},
                ("progress", ends, {"year": year, "quarter": quarter, "failing": failing,
                                    "mark": str(average)}))
            mark += step


def leisure(rng: random.Random, rows: Rows, course: "Course", pedagogue: int,
            today: date) -> None:
    month_start = today.replace(day=1)
    hint = course.hints.get("leisure")
    if course.closed_on is not None:
        if rng.random() < 0.5:
            start = _day(rng, course.enrolled_on, course.closed_on)
            _involvement(rng, rows, course, pedagogue, start, course.closed_on)
        return
    if hint is not None and hint[3] < month_start - timedelta(days=1) and \
            rng.random() >= INVOLVED[course.stage]:
        _involvement(rng, rows, course, pedagogue, hint[3], month_start - timedelta(days=1),
                     hint[:3])
        return
    if hint is not None or rng.random() < INVOLVED[course.stage]:
        start = hint[3] if hint else _day(rng, max(course.enrolled_on,
                                                   today - timedelta(days=240)), today)
        _involvement(rng, rows, course, pedagogue, start, None, hint[:3] if hint else None,
                     this_month=(max(month_start, course.enrolled_on), today))
    earlier = month_start - timedelta(days=15)
    if course.enrolled_on < earlier and rng.random() < 0.35:
        _involvement(rng, rows, course, pedagogue, _day(rng, course.enrolled_on, earlier),
                     month_start - timedelta(days=1))


def _involvement(rng: random.Random, rows: Rows, course: "Course", pedagogue: int,
                 start: date, until: date | None, chosen: tuple | None = None,
                 this_month: tuple[date, date] | None = None) -> None:
    """One involvement from ``start``: over by ``until`` when given, else still going on
    (or an event held in ``this_month``)."""
    kind, name, organiser = chosen or (None, None, None)
    if kind is None:
        kind = rng.choices(*LEISURE_KINDS)[0]
        name, organiser = rng.choice(LEISURE[kind]), rng.choice(ORGANISERS[kind])
    if kind == "event":
        start = _day(rng, *this_month) if this_month else start
        ends = start
    elif until is not None:
        ends = _day(rng, start, until)
    else:
        ends = None if rng.random() < 0.85 else _day(rng, max(start, this_month[0]),
                                                     this_month[1])
    mentoring = kind == "mentoring"
    text = course.text(name)
    lines = [("leisure_started", start, {"kind": kind, "name": text})]
    if ends is not None and kind != "event":
        lines.append(("leisure_ended", ends, {"kind": kind, "name": text,
                                              "planned": ends > course.today}))
    rows.add(LeisureInvolvement, course, pedagogue, start, {
        "kind": kind, "name": text, "organiser": course.text(organiser),
        "mentor_name": person(rng, course.lang, rng.random() < 0.5) if mentoring else None,
        "mentor_contact": people.phone(rng) if mentoring else None,
        "starts_on": start, "ends_on": ends, "note": ""}, *lines)

