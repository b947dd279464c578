"""Rules of education and employment: the education status with its dates, the monthly
missed lessons typed for a whole school on one screen, quarterly progress, employment.

Every change is audited here and puts its line on the case timeline (never clinical: the
district coordinator reads it too). A record keeps one line: a correction rewrites the
record's line instead of adding a second one; the audit trail keeps what changed.

School quarters *(reading)*: a quarter is (``year``, ``quarter``) with ``year`` the
calendar year it falls in: quarters 1 and 2 run September–October and November–December,
3 and 4 January–March and April–May (the third quarter of 2025–2026 is (2026, 3)).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from juvenile import access
from juvenile.accounts.models import User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases.models import CaseEvent, Enrolment, Minor
from juvenile.cases.services import add_event, event_of, open_enrolment
from juvenile.cases.timeline import register_kind
from juvenile.dbtypes import utcnow
from juvenile.education import queries
from juvenile.education.models import (
    EducationRecord,
    EducationStatus,
    Employment,
    EmploymentKind,
    MonthlyAttendance,
    QuarterlyProgress,
)
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db

#: Education, progress and employment: the school's psychologists and social pedagogues.
RECORDERS = access.RULES["record_work"]
#: The monthly screen: psychologists, social pedagogues, the deputy head.
ATTENDANCE_ROLES = access.RULES["enter_attendance"]
#: More lessons than this in one month is a typing mistake.
MAX_LESSONS = 200
MIN_MARK, MAX_MARK = Decimal("2.00"), Decimal("5.00")
MAX_FAILING_SUBJECTS = 30
#: (month, day) of each quarter's first and last day, in the quarter's calendar year.
QUARTER_STARTS = {1: (9, 1), 2: (11, 1), 3: (1, 1), 4: (4, 1)}
QUARTER_ENDS = {1: (10, 31), 2: (12, 31), 3: (3, 31), 4: (5, 31)}

STATUS_FIELDS = ["status", "since", "note"]
ATTENDANCE_FIELDS = ["month", "lessons", "missed_excused", "missed_unexcused"]
PROGRESS_FIELDS = ["year", "quarter", "failing_subjects", "failing_note", "average_mark"]
EMPLOYMENT_FIELDS = ["kind", "employer", "position", "starts_on", "ends_on", "note"]
#: Free text: the audit trail (read by the district coordinator) says that it changed,
#: never what it says. Codes, dates, numbers, the employer and the position stay readable
#: (they are on the case timeline the coordinator reads anyway).
TEXT_FIELDS = ("note", "failing_note")

audit_labels.OBJECT_LABELS.update({
    "education_statuses": _l("Education status"),
    "monthly_attendance": _l("Missed lessons"),
    "quarterly_progress": _l("Quarterly progress"),
    "employments": _l("Employment"),
})


# --- who --------------------------------------------------------------------------------


def may_record(user: User, minor: Minor) -> bool:
    """Status, progress and employment: the psychologists and social pedagogues of the
    minor's school."""
    return (user.is_authenticated and user.role_enum in RECORDERS
            and minor.organisation_id == user.organisation_id)


def may_enter_attendance(user: User) -> bool:
    return user.is_authenticated and user.role_enum in ATTENDANCE_ROLES


def _check_recorder(actor: User, minor: Minor) -> None:
    if not may_record(actor, minor):
        raise ServiceError(_("Education and employment are recorded by the psychologists and "
                             "social pedagogues of the minor's school."))


def _open_case(minor: Minor) -> Enrolment:
    enrolment = open_enrolment(minor)
    if enrolment is None:
        raise ServiceError(_("The minor has no open case: enrol the minor first."))
    return enrolment


def _check_day(minor: Minor, day: date, today: date, field: str) -> None:
    if day > today:
        raise ServiceError(_("The date is in the future."), field)
    if day < minor.birth_date:
        raise ServiceError(_("The date is before the minor's birth."), field)


def _place(record, enrolment: Enrolment, actor: User):
    record.place_from(enrolment)
    record.recorded_by_id = actor.id
    return record


def _put_on_timeline(record, kind: str, day: date, actor: User, data: dict,
                     part: str = "") -> None:
    """The record's line on the timeline: added the first time, rewritten after that."""
    key = {"id": record.id, **({"part": part} if part else {})}
    event = event_of(record.minor_id, kind, key)
    if event is None:
        add_event(record.minor, kind, day, actor, enrolment=record.enrolment,
                  data=key | data)
    else:
        event.occurred_on, event.data, event.actor_id = day, key | data, actor.id


def _audit(actor: User, record, label: str, before: dict | None, fields: list[str]) -> None:
    after = audit.snapshot(record, fields)
    if before is None:
        audit.record(actor, "create", record, label, audit.redact(after, TEXT_FIELDS))
    elif changes := audit.diff(before, after):
        audit.record(actor, "update", record, label, audit.redact(changes, TEXT_FIELDS))


# --- the education status ---------------------------------------------------------------


@dataclass
class StatusData:
    status: str
    since: date
    note: str | None = None


def _validate_status(minor: Minor, data: StatusData, today: date) -> None:
    if data.status not in set(EducationStatus):
        raise ServiceError(_("Choose one of the options."), "status")
    _check_day(minor, data.since, today, "since")


def _status_line(record: EducationRecord, actor: User) -> None:
    _put_on_timeline(record, "education_status", record.since, actor,
                     {"status": record.status, "since": record.since.isoformat()})


def record_status(actor: User, minor: Minor, data: StatusData,
                  today: date) -> EducationRecord:
    """Record the minor's education status from a date on (the latest date is current)."""
    _check_recorder(actor, minor)
    _validate_status(minor, data, today)
    record = _place(EducationRecord(), _open_case(minor), actor)
    record.status, record.since, record.note = data.status, data.since, (data.note or "").strip()
    db.session.add(record)
    db.session.flush()
    _audit(actor, record, minor.audit_label, None, STATUS_FIELDS)
    _status_line(record, actor)
    return record


def update_status(actor: User, record: EducationRecord, data: StatusData,
                  expected_version: int | None, today: date) -> EducationRecord:
    """Correct a status record (its value, its date or its note)."""
    check_version(record, expected_version)
    minor = record.minor
    _check_recorder(actor, minor)
    _validate_status(minor, data, today)
    before = audit.snapshot(record, STATUS_FIELDS)
    record.status, record.since, record.note = data.status, data.since, (data.note or "").strip()
    db.session.flush()
    _audit(actor, record, minor.audit_label, before, STATUS_FIELDS)
    _status_line(record, actor)
    return record


# --- the monthly missed lessons ---------------------------------------------------------


@dataclass
class AttendanceEntry:
    """One row of the month's screen as submitted: what was typed (None: left empty), and
    the row's record as the screen showed it (version None: there was none)."""

    minor_id: int
    lessons: int | None
    excused: int | None
    unexcused: int | None
    loaded_version: int | None = None
    loaded: tuple[int | None, int | None, int | None] = (None, None, None)

    @property
    def is_empty(self) -> bool:
        return self.lessons is None and self.excused is None and self.unexcused is None


class AttendanceRefused(ServiceError):
    """Rows of the screen were refused; nothing was saved.

    ``errors``: minor id -> {field ("lessons", "excused", "unexcused" or "row"): message};
    ``conflicts``: minor id -> the row as someone else saved it after the screen was opened.
    """

    def __init__(self, errors: dict[int, dict[str, str]],
                 conflicts: dict[int, queries.SheetRow]):
        super().__init__(_("Nothing was saved: correct the rows marked below."))
        self.errors, self.conflicts = errors, conflicts


def month_label(month: date) -> str:
    return format_date(month, "LLLL yyyy")


def check_month(month: date, today: date) -> None:
    """Missed lessons are entered for a month that is over."""
    if not queries.is_over(month, today):
        raise ServiceError(_("%(month)s is not over yet: its missed lessons are entered once "
                             "the month has ended.", month=month_label(month)), "month")


def _check_default(lessons: int | None) -> None:
    if lessons is not None and not 0 <= lessons <= MAX_LESSONS:
        raise ServiceError(_("Type a number from 0 to %(max)s.", max=MAX_LESSONS), "lessons")


def _row_values(entry: AttendanceEntry, default: int | None) -> tuple[int | None, int, int]:
    """What the row asks for: an empty lessons field takes the top value, an empty missed
    field means none missed."""
    lessons = entry.lessons if entry.lessons is not None else default
    return lessons, entry.excused or 0, entry.unexcused or 0


def _row_errors(entry: AttendanceEntry, values: tuple) -> dict[str, str]:
    lessons, excused, unexcused = values
    errors = {}
    for name, value in (("lessons", lessons), ("excused", excused), ("unexcused", unexcused)):
        if value is not None and value < 0:
            errors[name] = _("The number cannot be negative.")
    if lessons is None:
        errors["lessons"] = _("Type the lessons of the month, here or in the field at the top.")
    elif lessons > MAX_LESSONS:
        errors.setdefault("lessons", _("No more than %(max)s lessons in a month.",
                                       max=MAX_LESSONS))
    elif not errors and excused + unexcused > lessons:
        errors["unexcused"] = _("%(missed)s missed lessons are more than the month's "
                                "%(lessons)s lessons.", missed=excused + unexcused,
                                lessons=lessons)
    return errors


def handed_on_message(row: queries.SheetRow) -> str:
    return _("Handed over to another school on %(date)s: the school that has the pupil at "
             "the month's end enters the month.", date=format_date(row.handed_on, "medium"))


def conflict_message(row: queries.SheetRow) -> str:
    return _("%(name)s saved this row after you opened the screen: %(lessons)s lessons, "
             "%(excused)s excused, %(unexcused)s unexcused. Your values were not saved: save "
             "again to replace theirs.", name=row.recorded_by or "—", lessons=row.lessons,
             excused=row.excused, unexcused=row.unexcused)


def check_attendance(actor: User, month: date, entries: list[AttendanceEntry],
                     default_lessons: int | None,
                     today: date) -> list[tuple[queries.SheetRow, tuple]]:
    """The rows to write as (row as it stands, values wanted); refuses the whole screen
    (AttendanceRefused) when a row is wrong or was changed by someone else meanwhile.

    A row the user left as it was shown is not written, even if someone else has changed
    it since: nobody's entry is overwritten with stale values. A pupil handed over during
    the month is entered by the school that has the pupil at the month's end (one record
    per pupil and month); the sending school's row is read-only.
    """
    if not may_enter_attendance(actor):
        raise ServiceError(_("Missed lessons are entered by the school's psychologists, "
                             "social pedagogues and the deputy head."))
    check_month(month, today)
    _check_default(default_lessons)
    sheet = {row.minor_id: row for row in queries.attendance_sheet(actor.organisation_id, month)}
    errors, conflicts, changes = {}, {}, []
    for entry in entries:
        row = sheet.get(entry.minor_id)
        if row is None:
            errors[entry.minor_id] = {
                "row": _("This pupil is not on the school's list for this month.")}
            continue
        if not row.editable:
            if not entry.is_empty:
                errors[entry.minor_id] = {"row": handed_on_message(row)}
            continue
        if entry.is_empty:
            if entry.loaded_version is not None:
                errors[entry.minor_id] = {"excused": _(
                    "A saved month cannot be emptied: type 0 if the pupil missed no lessons.")}
            continue
        values = _row_values(entry, default_lessons)
        if row_errors := _row_errors(entry, values):
            errors[entry.minor_id] = row_errors
        elif values == tuple(entry.loaded) or values == row.values:
            continue  # not changed on this screen, or already what is wanted
        elif row.version != entry.loaded_version:
            conflicts[entry.minor_id] = row
        else:
            changes.append((row, values))
    if errors or conflicts:
        raise AttendanceRefused(errors, conflicts)
    return changes


def save_month_attendance(actor: User, month: date, entries: list[AttendanceEntry],
                          default_lessons: int | None, today: date) -> int:
    """Write the changed rows of the month's screen; returns how many. Each written row
    gets its audit entry and its timeline line. Nothing is written if any row is refused.
    """
    changes = check_attendance(actor, month, entries, default_lessons, today)
    if not changes:
        return 0
    stored = {r.minor_id: r for r in db.session.scalars(select(MonthlyAttendance).where(
        MonthlyAttendance.id.in_([row.attendance_id for row, _v in changes
                                  if row.attendance_id is not None])))}
    written = []
    for row, (lessons, excused, unexcused) in changes:
        record = stored.get(row.minor_id)
        before = audit.snapshot(record, ATTENDANCE_FIELDS) if record else None
        if record is None:
            record = MonthlyAttendance(enrolment_id=row.enrolment_id, minor_id=row.minor_id,
                                       organisation_id=row.organisation_id,
                                       district_id=row.district_id, month=month)
            db.session.add(record)
        record.lessons, record.missed_excused, record.missed_unexcused = (
            lessons, excused, unexcused)
        # placed at the school that enters it (it held the pupil at the month's end)
        record.organisation_id, record.district_id = row.organisation_id, row.district_id
        record.recorded_by_id, record.recorded_at = actor.id, utcnow()
        written.append((row, record, before))
    db.session.flush()
    _attendance_lines(actor, month, written)
    for row, record, before in written:
        _audit(actor, record, f"{row.audit_label} {month.isoformat()[:7]}", before,
               ATTENDANCE_FIELDS)
    return len(written)


def _attendance_lines(actor: User, month: date, written: list) -> None:
    """One timeline line per pupil and month, dated the month's last day; a corrected month
    rewrites its line (one query finds the lines already there)."""
    key = month.isoformat()[:7]
    existing = {e.minor_id: e for e in db.session.scalars(select(CaseEvent).where(
        CaseEvent.kind == "attendance",
        CaseEvent.minor_id.in_([row.minor_id for row, _r, _b in written])))
        if str((e.data or {}).get("month", ""))[:7] == key}
    for row, record, _before in written:
        data = {"id": record.id, "month": key, "lessons": record.lessons,
                "excused": record.missed_excused, "unexcused": record.missed_unexcused}
        event = existing.get(row.minor_id)
        if event is None:
            db.session.add(CaseEvent(minor_id=row.minor_id, enrolment_id=row.enrolment_id,
                                     occurred_on=queries.month_end(month), kind="attendance",
                                     data=data, clinical=False, actor_id=actor.id))
        else:
            event.data, event.actor_id = data, actor.id


# --- quarterly progress -----------------------------------------------------------------


def quarter_start(year: int, quarter: int) -> date:
    return date(year, *QUARTER_STARTS[quarter])


def quarter_end(year: int, quarter: int) -> date:
    return date(year, *QUARTER_ENDS[quarter])


def school_year(year: int, quarter: int) -> int:
    """The year the quarter's school year started (September)."""
    return year if quarter <= 2 else year - 1


def school_year_label(year: int, quarter: int) -> str:
    start = school_year(year, quarter)
    return f"{start}–{start + 1}"


def started_quarters(today: date, count: int = 8) -> list[tuple[int, int]]:
    """The latest ``count`` quarters that have started, newest first."""
    quarters = sorted(((year, q) for year in range(today.year - count // 4 - 1, today.year + 1)
                       for q in QUARTER_STARTS if quarter_start(year, q) <= today),
                      key=lambda yq: quarter_start(*yq), reverse=True)
    return quarters[:count]


@dataclass
class ProgressData:
    failing_subjects: int
    failing_note: str | None = None
    average_mark: Decimal | None = None


def _validate_progress(data: ProgressData) -> None:
    if not 0 <= data.failing_subjects <= MAX_FAILING_SUBJECTS:
        raise ServiceError(_("Type a number from 0 to %(max)s.", max=MAX_FAILING_SUBJECTS),
                           "failing_subjects")
    mark = data.average_mark
    if mark is not None and (not mark.is_finite() or not MIN_MARK <= mark <= MAX_MARK):
        raise ServiceError(_("The average mark is from 2.00 to 5.00."), "average_mark")


def _validate_quarter(year: int, quarter: int, today: date) -> None:
    if quarter not in QUARTER_STARTS or year < 2000:
        raise ServiceError(_("Choose one of the options."), "quarter")
    if quarter_start(year, quarter) > today:
        raise ServiceError(_("This quarter has not started yet."), "quarter")


def progress_of(enrolment: Enrolment, year: int, quarter: int) -> QuarterlyProgress | None:
    return db.session.scalar(select(QuarterlyProgress).where(
        QuarterlyProgress.enrolment_id == enrolment.id, QuarterlyProgress.year == year,
        QuarterlyProgress.quarter == quarter))


def _apply_progress(progress: QuarterlyProgress, data: ProgressData) -> None:
    progress.failing_subjects = data.failing_subjects
    progress.failing_note = (data.failing_note or "").strip()
    progress.average_mark = (data.average_mark.quantize(Decimal("0.01"))
                             if data.average_mark is not None else None)


def _progress_line(progress: QuarterlyProgress, actor: User, today: date) -> None:
    """Dated the quarter's last day, or today while the quarter runs."""
    mark = progress.average_mark
    _put_on_timeline(progress, "progress",
                     min(quarter_end(progress.year, progress.quarter), today),
                     actor, {"year": progress.year, "quarter": progress.quarter,
                             "failing": progress.failing_subjects,
                             "mark": str(mark) if mark is not None else None})


class ProgressExists(ServiceError):
    """The quarter's progress is already recorded: it is corrected, not recorded twice."""

    def __init__(self, progress: QuarterlyProgress):
        super().__init__(_("This quarter's progress is already recorded: correct it instead."),
                         "quarter")
        self.progress = progress


def record_progress(actor: User, minor: Minor, year: int, quarter: int, data: ProgressData,
                    today: date) -> QuarterlyProgress:
    """Record the progress of a quarter that has started, for the open case."""
    _check_recorder(actor, minor)
    enrolment = _open_case(minor)
    _validate_quarter(year, quarter, today)
    _validate_progress(data)
    if (existing := progress_of(enrolment, year, quarter)) is not None:
        raise ProgressExists(existing)
    progress = _place(QuarterlyProgress(year=year, quarter=quarter), enrolment, actor)
    _apply_progress(progress, data)
    db.session.add(progress)
    db.session.flush()
    _audit(actor, progress, minor.audit_label, None, PROGRESS_FIELDS)
    _progress_line(progress, actor, today)
    return progress


def update_progress(actor: User, progress: QuarterlyProgress, data: ProgressData,
                    expected_version: int | None, today: date) -> QuarterlyProgress:
    """Correct a quarter's progress (its quarter stays)."""
    check_version(progress, expected_version)
    minor = progress.minor
    _check_recorder(actor, minor)
    _validate_progress(data)
    before = audit.snapshot(progress, PROGRESS_FIELDS)
    _apply_progress(progress, data)
    db.session.flush()
    _audit(actor, progress, minor.audit_label, before, PROGRESS_FIELDS)
    _progress_line(progress, actor, today)
    return progress


# --- employment -------------------------------------------------------------------------


@dataclass
class EmploymentData:
    kind: str
    employer: str
    starts_on: date
    position: str | None = None
    ends_on: date | None = None
    note: str | None = None


def _validate_employment(minor: Minor, data: EmploymentData, today: date) -> None:
    if data.kind not in set(EmploymentKind):
        raise ServiceError(_("Choose one of the options."), "kind")
    if not (data.employer or "").strip():
        raise ServiceError(_("Name the employer."), "employer")
    _check_day(minor, data.starts_on, today, "starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise ServiceError(_("The end is before the start."), "ends_on")


def _apply_employment(employment: Employment, data: EmploymentData) -> None:
    employment.kind, employment.starts_on, employment.ends_on = (
        data.kind, data.starts_on, data.ends_on)
    employment.employer = data.employer.strip()
    employment.position = (data.position or "").strip()
    employment.note = (data.note or "").strip()


def _employment_lines(employment: Employment, actor: User) -> None:
    _put_on_timeline(employment, "employment", employment.starts_on, actor,
                     {"kind": employment.kind, "employer": employment.employer,
                      "position": employment.position}, part="start")
    if employment.ends_on is not None:
        _put_on_timeline(employment, "employment", employment.ends_on, actor,
                         {"employer": employment.employer, "ended": True}, part="end")
    else:  # the end was taken back: its line goes
        for event in db.session.scalars(select(CaseEvent).where(
                CaseEvent.minor_id == employment.minor_id, CaseEvent.kind == "employment")):
            if (event.data or {}).get("id") == employment.id and event.data.get("ended"):
                db.session.delete(event)


def record_employment(actor: User, minor: Minor, data: EmploymentData,
                      today: date) -> Employment:
    """Record temporary or permanent work of the minor."""
    _check_recorder(actor, minor)
    _validate_employment(minor, data, today)
    employment = _place(Employment(), _open_case(minor), actor)
    _apply_employment(employment, data)
    db.session.add(employment)
    db.session.flush()
    _audit(actor, employment, minor.audit_label, None, EMPLOYMENT_FIELDS)
    _employment_lines(employment, actor)
    return employment


def update_employment(actor: User, employment: Employment, data: EmploymentData,
                      expected_version: int | None, today: date) -> Employment:
    """Correct an employment or set its end."""
    check_version(employment, expected_version)
    minor = employment.minor
    _check_recorder(actor, minor)
    _validate_employment(minor, data, today)
    before = audit.snapshot(employment, EMPLOYMENT_FIELDS)
    _apply_employment(employment, data)
    db.session.flush()
    _audit(actor, employment, minor.audit_label, before, EMPLOYMENT_FIELDS)
    _employment_lines(employment, actor)
    return employment


# --- object policy ----------------------------------------------------------------------


def _record_policy(user: User, action: str, record) -> bool:
    """Records of this domain follow their minor: the view_programme roles who see the
    case read them; the psychologists and social pedagogues of its school edit them."""
    minor = db.session.get(Minor, record.minor_id)
    if minor is None:
        return False
    if action == "view":
        return user.role_enum in access.RULES["view_programme"] and access.can(
            user, "view", minor)
    return action == "edit" and may_record(user, minor)


for _model in (EducationRecord, MonthlyAttendance, QuarterlyProgress, Employment):
    access.register_policy(_model, _record_policy)


# --- timeline ---------------------------------------------------------------------------


def _day(value: str) -> str:
    return format_date(date.fromisoformat(value), "medium")


def _status_sentence(d: dict) -> str:
    return _("Education status from %(date)s: %(status)s.", date=_day(d["since"]),
             status=EducationStatus(d["status"]).label)


def _month_of(value: str) -> date:
    """A month stored as "2026-03" or "2026-03-01"."""
    return date.fromisoformat(value[:7] + "-01")


def _attendance_sentence(d: dict) -> str:
    return _("Missed lessons in %(month)s: %(excused)s excused and %(unexcused)s unexcused "
             "of %(lessons)s lessons.", month=month_label(_month_of(d["month"])),
             excused=int(d["excused"]), unexcused=int(d["unexcused"]),
             lessons=int(d["lessons"]))


def _progress_sentence(d: dict) -> str:
    values = {"quarter": int(d["quarter"]), "failing": int(d["failing"]),
              "year": school_year_label(int(d["year"]), int(d["quarter"]))}
    if d.get("mark"):
        return _("Quarter %(quarter)s of %(year)s: %(failing)s failing subjects, average mark "
                 "%(mark)s.", mark=d["mark"], **values)
    return _("Quarter %(quarter)s of %(year)s: %(failing)s failing subjects.", **values)


def _employment_sentence(d: dict) -> str:
    if d.get("ended"):
        return _("Employment at %(employer)s ended.", employer=d["employer"])
    kind = EmploymentKind(d["kind"]).label
    if d.get("position"):
        return _("Started work (%(kind)s) at %(employer)s as %(position)s.", kind=kind,
                 employer=d["employer"], position=d["position"])
    return _("Started work (%(kind)s) at %(employer)s.", kind=kind, employer=d["employer"])


register_kind("education_status", _l("Education status"), _status_sentence)
register_kind("attendance", _l("Missed lessons"), _attendance_sentence)
register_kind("progress", _l("Quarterly progress"), _progress_sentence)
register_kind("employment", _l("Employment"), _employment_sentence)

