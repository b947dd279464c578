"""The rules of education and employment: the monthly missed lessons of a school (month
over, totals, nothing saved on a refusal, two people on the same month), the education
status, quarterly progress and employment."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today
from juvenile.cases.models import CaseEvent, Enrolment, Placement
from juvenile.cases.timeline import describe
from juvenile.education import queries, services
from juvenile.education.models import (
    EducationRecord,
    Employment,
    MonthlyAttendance,
    QuarterlyProgress,
)
from juvenile.education.services import AttendanceEntry, AttendanceRefused
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def _audits(object_type: str) -> list[AuditEntry]:
    return list(_db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == object_type).order_by(AuditEntry.id)))


def _events(kind: str) -> list[CaseEvent]:
    return list(_db.session.scalars(select(CaseEvent).where(CaseEvent.kind == kind)
                                    .order_by(CaseEvent.id)))


def _stored(minor_id: int, month: date) -> MonthlyAttendance | None:
    _db.session.expire_all()
    return _db.session.scalar(select(MonthlyAttendance).where(
        MonthlyAttendance.minor_id == minor_id, MonthlyAttendance.month == month))


@pytest.fixture
def day(app):
    with app.test_request_context():
        return today()


@pytest.fixture
def month(day):
    return queries.previous_month(day)


@pytest.fixture
def pupils(world, make_case, day):
    """Three supported pupils of school1, in three grades, enrolled well before last month."""
    made = []
    for surname, grade in (("Бекова", "9Б"), ("Әбенов", "9Б"), ("Ахметов", "10А")):
        case = make_case(world.orgs["school1"], surname=surname,
                         enrolled_on=day - timedelta(days=90))
        case.minor.grade = grade
        made.append(case)
    _db.session.commit()
    return made


def _entry(case, lessons=None, excused=None, unexcused=None, record=None):
    """A row as the screen submits it; ``record`` is the row's record as it was shown."""
    loaded = ((record.lessons, record.missed_excused, record.missed_unexcused)
              if record else (None, None, None))
    return AttendanceEntry(case.minor.id, lessons, excused, unexcused,
                           record.version if record else None, loaded)


# --- the month's list --------------------------------------------------------------------


def test_the_list_holds_every_pupil_open_during_the_month_by_grade_then_surname(
        app, world, make_case, pupils, month):
    late = make_case(world.orgs["school1"], surname="Кейін",
                     enrolled_on=queries.next_month(month))
    early = make_case(world.orgs["school1"], surname="Ерте",
                      enrolled_on=month - timedelta(days=200))
    early.enrolment.closed_on = month - timedelta(days=1)
    closing = make_case(world.orgs["school1"], surname="Жабылған",
                        enrolled_on=month - timedelta(days=200))
    closing.enrolment.closed_on = month  # closed on the month's first day: still in it
    closing.minor.grade = "9А"
    elsewhere = make_case(world.orgs["school2"], surname="Басқа",
                          enrolled_on=month - timedelta(days=30))
    _db.session.commit()

    sheet = queries.attendance_sheet(world.orgs["school1"].id, month)

    names = [row.surname for row in sheet]
    assert names == ["Жабылған", "Әбенов", "Бекова", "Ахметов"]  # 9А, 9Б (Ә before Б), 10А
    ids = {row.minor_id for row in sheet}
    assert not ids & {late.minor.id, early.minor.id, elsewhere.minor.id}


def test_a_pupil_enrolled_twice_in_the_month_is_one_row(app, world, make_case, month):
    case = make_case(world.orgs["school1"], enrolled_on=month - timedelta(days=100))
    case.enrolment.closed_on = month + timedelta(days=3)
    again = Enrolment(minor_id=case.minor.id, organisation_id=case.minor.organisation_id,
                      district_id=case.minor.district_id, source="school",
                      identified_on=month + timedelta(days=10),
                      enrolled_on=month + timedelta(days=10), reason="Қайта",
                      stage="initial", stage_started_on=month + timedelta(days=10),
                      stage_due_on=month + timedelta(days=20))
    _db.session.add(again)
    _db.session.flush()
    _db.session.add(Placement(enrolment_id=again.id, organisation_id=again.organisation_id,
                              district_id=again.district_id, from_date=again.enrolled_on))
    _db.session.commit()
    sheet = queries.attendance_sheet(world.orgs["school1"].id, month)
    assert [(row.minor_id, row.enrolment_id) for row in sheet] == [(case.minor.id, again.id)]


# --- refusals ------------------------------------------------------------------------------


def test_a_month_not_yet_over_is_refused(app, world, pupils, day):
    this_month = queries.month_start(day)
    with pytest.raises(ServiceError) as refused:
        services.save_month_attendance(world.users["social_pedagogue"], this_month,
                                       [_entry(pupils[0], 80, 1, 0)], None, day)
    assert refused.value.field == "month"
    assert _count(MonthlyAttendance) == 0


def test_missed_above_the_months_lessons_is_refused_and_nothing_is_saved(
        app, world, pupils, month, day):
    entries = [_entry(pupils[0], 80, 2, 1), _entry(pupils[1], None, 50, 40),
               _entry(pupils[2], 60, 0, 0)]
    with pytest.raises(AttendanceRefused) as refused:
        services.save_month_attendance(world.users["social_pedagogue"], month, entries, 80, day)
    assert set(refused.value.errors) == {pupils[1].minor.id}
    assert "90" in refused.value.errors[pupils[1].minor.id]["unexcused"]
    assert _count(MonthlyAttendance) == 0 and _audits("monthly_attendance") == []


@pytest.mark.parametrize(("row", "field"), [
    ((-1, 0, 0), "lessons"), ((80, -2, 0), "excused"), ((80, 0, -3), "unexcused"),
    ((201, 0, 0), "lessons"), ((None, 1, 0), "lessons"),
])
def test_negative_counts_too_many_lessons_and_no_lessons_are_refused(
        app, world, pupils, month, day, row, field):
    entries = [_entry(pupils[0], 80, 1, 1), _entry(pupils[1], *row)]
    with pytest.raises(AttendanceRefused) as refused:
        services.save_month_attendance(world.users["social_pedagogue"], month, entries,
                                       None, day)
    assert field in refused.value.errors[pupils[1].minor.id]
    assert _count(MonthlyAttendance) == 0


def test_a_wrong_top_value_is_refused(app, world, pupils, month, day):
    with pytest.raises(ServiceError) as refused:
        services.save_month_attendance(world.users["social_pedagogue"], month,
                                       [_entry(pupils[0], None, 1, 0)], 250, day)
    assert refused.value.field == "lessons"


def test_a_pupil_not_on_the_schools_list_is_refused(app, world, make_case, pupils, month, day):
    other = make_case(world.orgs["school2"], enrolled_on=month - timedelta(days=30))
    with pytest.raises(AttendanceRefused) as refused:
        services.save_month_attendance(world.users["social_pedagogue"], month,
                                       [_entry(pupils[0], 80, 0, 0), _entry(other, 80, 1, 1)],
                                       None, day)
    assert "row" in refused.value.errors[other.minor.id]
    assert _count(MonthlyAttendance) == 0


def test_the_police_and_the_coordinator_cannot_enter_attendance(app, world, pupils, month,
                                                                day):
    for role in ("police_inspector", "district_coordinator"):
        with pytest.raises(ServiceError):
            services.save_month_attendance(world.users[role], month,
                                           [_entry(pupils[0], 80, 0, 0)], None, day)
    assert _count(MonthlyAttendance) == 0


# --- saving ---------------------------------------------------------------------------------


def test_the_top_value_fills_empty_rows_and_empty_rows_are_not_written(
        app, world, pupils, month, day):
    pedagogue = world.users["social_pedagogue"]
    written = services.save_month_attendance(
        pedagogue, month, [_entry(pupils[0], None, 3, 1), _entry(pupils[1], 60, None, 2),
                           _entry(pupils[2])], 80, day)
    _db.session.commit()
    assert written == 2
    first, second = _stored(pupils[0].minor.id, month), _stored(pupils[1].minor.id, month)
    assert (first.lessons, first.missed_excused, first.missed_unexcused) == (80, 3, 1)
    assert (second.lessons, second.missed_excused, second.missed_unexcused) == (60, 0, 2)
    assert _stored(pupils[2].minor.id, month) is None
    assert first.recorded_by_id == pedagogue.id
    assert first.organisation_id == world.orgs["school1"].id
    assert first.enrolment_id == pupils[0].enrolment.id


def test_each_written_row_is_audited_and_on_the_timeline(app, world, pupils, month, day):
    services.save_month_attendance(world.users["social_pedagogue"], month,
                                   [_entry(pupils[0], 80, 3, 1), _entry(pupils[1], 80, 0, 0)],
                                   None, day)
    _db.session.commit()
    entries = _audits("monthly_attendance")
    assert [e.action for e in entries] == ["create", "create"]
    assert entries[0].changes["missed_excused"] == 3
    assert entries[0].organisation_id == world.orgs["school1"].id
    events = _events("attendance")
    assert len(events) == 2 and not any(e.clinical for e in events)
    assert events[0].occurred_on == queries.month_end(month)
    assert events[0].data["excused"] == 3 and events[0].data["lessons"] == 80
    with app.test_request_context(), force_locale("ru"):
        sentence = describe("attendance", events[0].data)
    assert "3" in sentence and "80" in sentence


def test_only_changed_rows_are_written(app, world, pupils, month, day):
    pedagogue = world.users["social_pedagogue"]
    services.save_month_attendance(pedagogue, month,
                                   [_entry(p, 80, 1, 1) for p in pupils], None, day)
    _db.session.commit()
    shown = [_stored(p.minor.id, month) for p in pupils]
    entries = [_entry(pupils[0], 80, 1, 1, shown[0]), _entry(pupils[1], 80, 4, 2, shown[1]),
               _entry(pupils[2], 80, 1, 1, shown[2])]

    assert services.save_month_attendance(pedagogue, month, entries, None, day) == 1
    _db.session.commit()

    versions = [_stored(p.minor.id, month).version for p in pupils]
    assert versions == [1, 2, 1]
    assert [e.action for e in _audits("monthly_attendance")] == ["create"] * 3 + ["update"]
    assert _audits("monthly_attendance")[-1].changes == {"missed_excused": [1, 4],
                                                         "missed_unexcused": [1, 2]}
    events = _events("attendance")
    assert len(events) == 3  # the corrected row's line is rewritten, not doubled
    assert {e.data["excused"] for e in events} == {1, 4}


def test_a_saved_row_cannot_be_emptied(app, world, pupils, month, day):
    pedagogue = world.users["social_pedagogue"]
    services.save_month_attendance(pedagogue, month, [_entry(pupils[0], 80, 1, 1)], None, day)
    _db.session.commit()
    with pytest.raises(AttendanceRefused) as refused:
        services.save_month_attendance(
            pedagogue, month, [_entry(pupils[0], record=_stored(pupils[0].minor.id, month))],
            None, day)
    assert "excused" in refused.value.errors[pupils[0].minor.id]


# --- two people on the same month ----------------------------------------------------------


def test_two_people_saving_different_rows_of_the_same_month_both_keep_theirs(
        app, world, pupils, month, day):
    pedagogue, psychologist = world.users["social_pedagogue"], world.users["psychologist"]
    # Both opened the empty month; each types a different pupil.
    services.save_month_attendance(pedagogue, month, [
        _entry(pupils[0], None, 2, 1), _entry(pupils[1]), _entry(pupils[2])], 80, day)
    _db.session.commit()
    services.save_month_attendance(psychologist, month, [
        _entry(pupils[0]), _entry(pupils[1], None, 5, 0), _entry(pupils[2])], 76, day)
    _db.session.commit()

    first, second = _stored(pupils[0].minor.id, month), _stored(pupils[1].minor.id, month)
    assert (first.lessons, first.missed_excused, first.recorded_by_id) == (80, 2, pedagogue.id)
    assert (second.lessons, second.missed_excused, second.recorded_by_id) == (
        76, 5, psychologist.id)


def test_a_row_changed_elsewhere_and_left_alone_here_is_not_overwritten(
        app, world, pupils, month, day):
    pedagogue, deputy = world.users["social_pedagogue"], world.users["school_admin"]
    services.save_month_attendance(pedagogue, month,
                                   [_entry(p, 80, 1, 1) for p in pupils[:2]], None, day)
    _db.session.commit()
    shown = [_stored(p.minor.id, month) for p in pupils[:2]]
    shown_values = [(r.lessons, r.missed_excused, r.missed_unexcused, r.version) for r in shown]
    # The deputy head corrects the first pupil meanwhile.
    services.save_month_attendance(deputy, month, [_entry(pupils[0], 80, 6, 0, shown[0])],
                                   None, day)
    _db.session.commit()
    # The pedagogue's screen still shows the old first row; only the second is changed.
    stale = [AttendanceEntry(p.minor.id, *values[:3], values[3], values[:3])
             for p, values in zip(pupils[:2], shown_values, strict=True)]
    stale[1].unexcused = 3
    services.save_month_attendance(pedagogue, month, stale, None, day)
    _db.session.commit()

    assert _stored(pupils[0].minor.id, month).missed_excused == 6
    assert _stored(pupils[1].minor.id, month).missed_unexcused == 3


def test_the_same_values_typed_on_a_stale_screen_are_not_a_conflict(app, world, pupils,
                                                                     month, day):
    services.save_month_attendance(world.users["social_pedagogue"], month,
                                   [_entry(pupils[0], 80, 2, 1)], None, day)
    _db.session.commit()
    assert services.save_month_attendance(world.users["psychologist"], month,
                                          [_entry(pupils[0], 80, 2, 1)], None, day) == 0
    assert _stored(pupils[0].minor.id, month).version == 1


def test_the_same_row_from_two_stale_screens_refuses_the_second_with_the_current_values(
        app, world, pupils, month, day):
    pedagogue, psychologist = world.users["social_pedagogue"], world.users["psychologist"]
    services.save_month_attendance(pedagogue, month,
                                   [_entry(pupils[0], 80, 2, 1), _entry(pupils[1], 80, 0, 0)],
                                   None, day)
    _db.session.commit()
    # The psychologist had opened the empty month too and typed the first two pupils.
    with pytest.raises(AttendanceRefused) as refused:
        services.save_month_attendance(psychologist, month, [
            _entry(pupils[0], 80, 7, 0), _entry(pupils[2], 80, 1, 0)], None, day)
    _db.session.rollback()

    conflict = refused.value.conflicts[pupils[0].minor.id]
    assert (conflict.lessons, conflict.excused, conflict.unexcused) == (80, 2, 1)
    assert conflict.recorded_by == pedagogue.full_name
    with app.test_request_context(), force_locale("kk"):
        message = services.conflict_message(conflict)
    assert pedagogue.full_name in message and "80" in message
    assert _stored(pupils[0].minor.id, month).missed_excused == 2  # theirs kept
    assert _stored(pupils[2].minor.id, month) is None  # nothing of the refused screen saved

    # Saving again from the screen that now shows the current version replaces theirs.
    current = _stored(pupils[0].minor.id, month)
    retry = [AttendanceEntry(pupils[0].minor.id, 80, 7, 0, current.version, (80, 2, 1)),
             _entry(pupils[2], 80, 1, 0)]
    assert services.save_month_attendance(psychologist, month, retry, None, day) == 2
    _db.session.commit()
    assert _stored(pupils[0].minor.id, month).missed_excused == 7


# --- the education status ------------------------------------------------------------------


def _status(**changes) -> services.StatusData:
    return services.StatusData(**({"status": "attending", "since": date(2026, 1, 10),
                                   "note": ""} | changes))


def test_the_current_status_is_the_latest_since_and_the_history_is_kept(app, world, pupils,
                                                                         day):
    case, pedagogue = pupils[0], world.users["social_pedagogue"]
    services.record_status(pedagogue, case.minor,
                           _status(status="not_attending", since=day - timedelta(days=40)), day)
    services.record_status(pedagogue, case.minor,
                           _status(status="returned", since=day - timedelta(days=5)), day)
    services.record_status(pedagogue, case.minor,
                           _status(status="attending", since=day - timedelta(days=60)), day)
    _db.session.commit()
    summary = queries.education_summary(case.minor.id, day)
    assert summary.status.status == "returned"
    history = queries.education_history(case.minor.id)
    assert [s.status for s in history.statuses] == ["returned", "not_attending", "attending"]
    assert len(_audits("education_statuses")) == 3
    assert len(_events("education_status")) == 3


@pytest.mark.parametrize(("since", "field"), [(1, "since"), (-10_000, "since")])
def test_a_status_date_in_the_future_or_before_birth_is_refused(app, world, pupils, day,
                                                                since, field):
    with pytest.raises(ServiceError) as refused:
        services.record_status(world.users["social_pedagogue"], pupils[0].minor,
                               _status(since=day + timedelta(days=since)), day)
    assert refused.value.field == field
    assert _count(EducationRecord) == 0


def test_the_deputy_head_does_not_record_a_status(app, world, pupils, day):
    with pytest.raises(ServiceError):
        services.record_status(world.users["school_admin"], pupils[0].minor, _status(), day)


def test_a_status_correction_checks_the_version_and_rewrites_its_line(app, world, pupils, day):
    pedagogue = world.users["social_pedagogue"]
    record = services.record_status(pedagogue, pupils[0].minor, _status(), day)
    _db.session.commit()
    services.update_status(pedagogue, record, _status(status="college"), 1, day)
    _db.session.commit()
    with pytest.raises(ConflictError):
        services.update_status(pedagogue, record, _status(status="working"), 1, day)
    _db.session.rollback()
    assert [e.data["status"] for e in _events("education_status")] == ["college"]
    assert _audits("education_statuses")[-1].changes == {"status": ["attending", "college"]}


# --- quarterly progress ---------------------------------------------------------------------


def test_quarters_follow_the_school_year():
    assert services.quarter_start(2025, 1) == date(2025, 9, 1)
    assert services.quarter_start(2026, 3) == date(2026, 1, 1)
    assert services.school_year_label(2026, 3) == "2025–2026"
    assert services.school_year_label(2025, 2) == "2025–2026"
    assert services.started_quarters(date(2026, 2, 10), 4) == [
        (2026, 3), (2025, 2), (2025, 1), (2025, 4)]
    assert services.started_quarters(date(2026, 7, 1), 1) == [(2026, 4)]
    assert services.started_quarters(date(2026, 9, 2), 1) == [(2026, 1)]


def test_the_latest_progress_is_the_latest_quarter_in_time(app, world, pupils):
    psychologist, minor = world.users["psychologist"], pupils[0].minor
    for year, quarter in ((2025, 2), (2026, 1), (2026, 4), (2026, 3)):
        services.record_progress(psychologist, minor, year, quarter,
                                 services.ProgressData(quarter), date(2026, 10, 1))
    _db.session.commit()
    history = queries.education_history(minor.id).progress
    assert [(p.year, p.quarter) for p in history] == [(2026, 1), (2026, 4), (2026, 3),
                                                      (2025, 2)]
    assert history[0].school_year == "2026–2027" and history[1].school_year == "2025–2026"


def test_a_quarter_that_has_not_started_is_refused(app, world, pupils):
    with pytest.raises(ServiceError) as refused:
        services.record_progress(world.users["psychologist"], pupils[0].minor, 2026, 2,
                                 services.ProgressData(0), date(2026, 10, 15))
    assert refused.value.field == "quarter"
    assert _count(QuarterlyProgress) == 0


def test_one_progress_per_quarter_and_the_mark_between_2_and_5(app, world, pupils):
    psychologist, minor, day = world.users["psychologist"], pupils[0].minor, date(2026, 2, 1)
    for mark in (Decimal("1.99"), Decimal("5.01")):
        with pytest.raises(ServiceError) as refused:
            services.record_progress(psychologist, minor, 2026, 3,
                                     services.ProgressData(0, "", mark), day)
        assert refused.value.field == "average_mark"
    progress = services.record_progress(psychologist, minor, 2026, 3,
                                        services.ProgressData(2, "алгебра", Decimal("3.5")), day)
    _db.session.commit()
    with pytest.raises(services.ProgressExists) as again:
        services.record_progress(psychologist, minor, 2026, 3, services.ProgressData(0), day)
    assert again.value.progress.id == progress.id
    services.update_progress(psychologist, progress, services.ProgressData(1, "алгебра"), 1,
                             day)
    _db.session.commit()
    latest = queries.education_summary(minor.id, day).progress
    assert (latest.failing_subjects, latest.average_mark) == (1, None)
    assert len(_events("progress")) == 1 and _events("progress")[0].data["failing"] == 1


# --- employment -----------------------------------------------------------------------------


def _job(**changes) -> services.EmploymentData:
    return services.EmploymentData(**({"kind": "temporary", "employer": "Тараз су",
                                       "starts_on": date(2026, 6, 1), "position": "көмекші"}
                                      | changes))


def test_employment_end_before_start_is_refused(app, world, pupils):
    with pytest.raises(ServiceError) as refused:
        services.record_employment(world.users["social_pedagogue"], pupils[0].minor,
                                   _job(ends_on=date(2026, 5, 31)), date(2026, 7, 1))
    assert refused.value.field == "ends_on"
    assert _count(Employment) == 0


def test_setting_the_end_of_an_employment(app, world, pupils):
    pedagogue, minor, day = world.users["social_pedagogue"], pupils[0].minor, date(2026, 7, 1)
    job = services.record_employment(pedagogue, minor, _job(), day)
    _db.session.commit()
    assert [e.employer for e in queries.education_summary(minor.id, day).employments] == [
        "Тараз су"]
    services.update_employment(pedagogue, job, _job(ends_on=date(2026, 6, 30)), 1, day)
    _db.session.commit()
    assert queries.education_summary(minor.id, day).employments == []
    lines = _events("employment")
    assert [bool(e.data.get("ended")) for e in lines] == [False, True]
    assert lines[1].occurred_on == date(2026, 6, 30)
    assert _audits("employments")[-1].changes == {"ends_on": [None, "2026-06-30"]}
