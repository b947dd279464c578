"""Leisure and socialisation: the rules of an involvement (services) and the derived
"involved in month M" (juvenile.leisure.queries), month edges and scope counts included.
The screens are in tests/test_leisure_views.py."""

from datetime import date, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from juvenile.accounts.models import Role, User
from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today as region_today
from juvenile.cases.models import CaseEvent, Enrolment
from juvenile.cases.timeline import describe
from juvenile.dbtypes import utcnow
from juvenile.education.models import Employment
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from juvenile.leisure import queries, services
from juvenile.leisure.models import LeisureInvolvement
from tests.conftest import counted_queries

MARCH, MARCH_END = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def day(app):
    return region_today()


@pytest.fixture
def case(world, make_case, day):
    return make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=60))


def _data(day: date, **changes) -> services.InvolvementData:
    values = dict(kind="sports_section", name="Күрес үйірмесі", organiser="Балалар спорт мектебі",
                  mentor_name=None, mentor_contact=None, starts_on=day - timedelta(days=10),
                  ends_on=None, note="Аптасына екі рет")
    return services.InvolvementData(**(values | changes))


def _record(case, user, day, **changes) -> LeisureInvolvement:
    involvement = services.record_involvement(user, case.enrolment, _data(day, **changes), day)
    _db.session.commit()
    return involvement


def _count() -> int:
    _db.session.expire_all()
    return len(_db.session.scalars(select(LeisureInvolvement.id)).all())


def _lines(minor_id: int) -> dict[str, CaseEvent]:
    _db.session.expire_all()
    return {e.kind: e for e in _db.session.scalars(
        select(CaseEvent).where(CaseEvent.minor_id == minor_id,
                                CaseEvent.kind.like("leisure_%")))}


def _sentence(event: CaseEvent) -> str:
    with current_app.test_request_context(), force_locale("ru"):
        return describe(event.kind, event.data)


# --- the rules of an involvement -------------------------------------------------------


def test_a_mentor_without_contact_is_refused_at_the_contact_field(case, world, day):
    with pytest.raises(ServiceError) as refused:
        services.record_involvement(world.users["social_pedagogue"], case.enrolment, _data(
            day, kind="mentoring", mentor_name="Серікбаев Ерлан", mentor_contact="  "), day)
    assert refused.value.field == "mentor_contact"
    with force_locale("kk"):  # the message in the interface's language
        assert refused.value.message == gettext(
            "Give the mentor's contact (a phone number or an e-mail): a mentor without "
            "contact cannot be reached.")
    _db.session.rollback()
    assert _count() == 0


def test_a_mentor_without_a_name_is_refused(case, world, day):
    with pytest.raises(ServiceError) as refused:
        services.record_involvement(world.users["psychologist"], case.enrolment, _data(
            day, kind="mentoring", mentor_contact="+7 701 111 22 33"), day)
    assert refused.value.field == "mentor_name"


def test_mentoring_keeps_the_mentor_and_other_kinds_keep_none(case, world, day):
    user = world.users["social_pedagogue"]
    mentoring = _record(case, user, day, kind="mentoring", mentor_name=" Серікбаев Ерлан ",
                        mentor_contact="+7 701 111 22 33")
    assert (mentoring.mentor_name, mentoring.mentor_contact) == ("Серікбаев Ерлан",
                                                                 "+7 701 111 22 33")
    club = _record(case, user, day, kind="club", mentor_name="Left over",
                   mentor_contact="from the form")
    assert (club.mentor_name, club.mentor_contact) == (None, None)


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_on": "before"}, "ends_on"),
    ({"starts_on": "tomorrow"}, "starts_on"),
    ({"starts_on": date(2005, 1, 1)}, "starts_on"),  # before the minor's birth
    ({"kind": "party"}, "kind"),
    ({"name": "   "}, "name"),
])
def test_bad_input_is_refused_and_nothing_is_saved(case, world, day, changes, field):
    start = day - timedelta(days=10)
    resolved = {"before": start - timedelta(days=1), "tomorrow": day + timedelta(days=1)}
    changes = {k: resolved.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    with pytest.raises(ServiceError) as refused:
        services.record_involvement(world.users["psychologist"], case.enrolment,
                                    _data(day, **changes), day)
    assert refused.value.field == field
    _db.session.rollback()
    assert _count() == 0


def test_a_planned_end_in_the_future_is_allowed(case, world, day):
    involvement = _record(case, world.users["psychologist"], day,
                          ends_on=day + timedelta(days=90))
    assert involvement.ends_on == day + timedelta(days=90)
    ended = _lines(case.minor.id)["leisure_ended"]
    assert ended.data["planned"] is True
    assert ended.occurred_on == day + timedelta(days=90)
    assert "Футбол" not in _sentence(ended) and "Күрес үйірмесі" in _sentence(ended)


def test_a_start_before_the_enrolment_is_allowed_and_shown(case, world, day):
    before = case.enrolment.enrolled_on - timedelta(days=200)
    involvement = _record(case, world.users["psychologist"], day, starts_on=before)
    rows = queries.involvements_of(case.minor.id, day)
    assert [(r.id, r.before_enrolment, r.current) for r in rows] == [
        (involvement.id, True, True)]


def test_an_involvement_that_ended_before_the_enrolment_is_refused(case, world, day):
    enrolled = case.enrolment.enrolled_on
    with pytest.raises(ServiceError) as refused:
        services.record_involvement(world.users["psychologist"], case.enrolment, _data(
            day, starts_on=enrolled - timedelta(days=100),
            ends_on=enrolled - timedelta(days=1)), day)
    assert refused.value.field == "ends_on"


def test_an_event_is_one_day(case, world, day):
    event = _record(case, world.users["social_pedagogue"], day, kind="event",
                    name="Наурыз мерекесі", starts_on=day - timedelta(days=3))
    assert event.ends_on == event.starts_on
    lines = _lines(case.minor.id)
    assert set(lines) == {"leisure_started"}  # one line: no separate "ended" for an event
    assert "Наурыз мерекесі" in _sentence(lines["leisure_started"])
    # The SQL rule then counts it for its own day only.
    on = event.starts_on
    assert _involved(case.minor.id, on, on) and not _involved(
        case.minor.id, on + timedelta(days=1), on + timedelta(days=40))


def test_a_longer_event_keeps_its_typed_end(case, world, day):
    event = _record(case, world.users["social_pedagogue"], day, kind="event",
                    starts_on=day - timedelta(days=5), ends_on=day - timedelta(days=3))
    assert event.ends_on == day - timedelta(days=3)


@pytest.mark.parametrize("who", ["school_admin", "other_school", "coordinator"])
def test_only_the_school_specialists_record(case, world, day, make_user, who):
    user = {"school_admin": world.users["school_admin"],
            "coordinator": world.users["district_coordinator"],
            "other_school": make_user(Role.PSYCHOLOGIST, world.orgs["school2"])}[who]
    with pytest.raises(ServiceError):
        services.record_involvement(user, case.enrolment, _data(day), day)


def test_a_closed_case_takes_no_new_involvement(case, world, day):
    case.enrolment.closed_on = day
    _db.session.commit()
    with pytest.raises(ServiceError):
        services.record_involvement(world.users["psychologist"], case.enrolment,
                                    _data(day), day)


def test_recording_is_audited_and_on_the_timeline(case, world, day):
    involvement = _record(case, world.users["social_pedagogue"], day)
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "leisure_involvements", AuditEntry.action == "create"))
    assert entry.object_id == involvement.id
    assert entry.changes["name"] == "Күрес үйірмесі"
    assert entry.organisation_id == case.minor.organisation_id
    started = _lines(case.minor.id)["leisure_started"]
    assert started.clinical is False
    assert started.occurred_on == involvement.starts_on
    assert started.enrolment_id == case.enrolment.id
    assert "Күрес үйірмесі" in _sentence(started)


# --- corrections and deletion ----------------------------------------------------------


def test_setting_the_end_is_a_versioned_audited_edit(case, world, day):
    user = world.users["psychologist"]
    involvement = _record(case, user, day)
    left = day - timedelta(days=1)
    services.update_involvement(user, involvement, _data(day, ends_on=left), 1, day)
    _db.session.commit()
    assert involvement.version == 2 and involvement.ends_on == left
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "leisure_involvements", AuditEntry.action == "update"))
    assert entry.changes == {"ends_on": [None, left.isoformat()]}
    ended = _lines(case.minor.id)["leisure_ended"]
    assert ended.occurred_on == left and ended.data["planned"] is False
    # The line follows a corrected end, and goes when the end is taken back.
    services.update_involvement(user, involvement, _data(day, ends_on=day), 2, day)
    _db.session.commit()
    assert _lines(case.minor.id)["leisure_ended"].occurred_on == day
    services.update_involvement(user, involvement, _data(day), 3, day)
    _db.session.commit()
    assert set(_lines(case.minor.id)) == {"leisure_started"}


def test_a_stale_edit_is_refused(case, world, day):
    involvement = _record(case, world.users["psychologist"], day)
    services.update_involvement(world.users["social_pedagogue"], involvement,
                                _data(day, name="Бокс"), 1, day)
    _db.session.commit()
    with pytest.raises(ConflictError):
        services.update_involvement(world.users["psychologist"], involvement,
                                    _data(day, ends_on=day), 1, day)
    _db.session.rollback()
    assert _db.session.get(LeisureInvolvement, involvement.id).ends_on is None


def test_an_edit_keeps_the_rules(case, world, day):
    involvement = _record(case, world.users["psychologist"], day)
    with pytest.raises(ServiceError) as refused:
        services.update_involvement(world.users["psychologist"], involvement, _data(
            day, ends_on=involvement.starts_on - timedelta(days=1)), 1, day)
    assert refused.value.field == "ends_on"


def test_the_recorder_deletes_a_mistake_on_the_day(case, world, day):
    user = world.users["social_pedagogue"]
    involvement = _record(case, user, day, ends_on=day)
    involvement_id = involvement.id
    services.delete_involvement(user, involvement, 1, day)
    _db.session.commit()
    assert _count() == 0
    assert _lines(case.minor.id) == {}
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "leisure_involvements", AuditEntry.action == "delete"))
    assert entry.object_id == involvement_id
    assert entry.changes["name"] == "Күрес үйірмесі"  # the audit keeps the whole record


def test_nobody_else_deletes_and_not_on_a_later_day(case, world, day):
    involvement = _record(case, world.users["social_pedagogue"], day)
    with pytest.raises(ServiceError):
        services.delete_involvement(world.users["psychologist"], involvement, 1, day)
    _db.session.rollback()
    involvement.recorded_at = utcnow() - timedelta(days=1, hours=1)
    _db.session.commit()
    with pytest.raises(ServiceError):
        services.delete_involvement(world.users["social_pedagogue"], involvement, 2, day)
    _db.session.rollback()
    assert _count() == 1


# --- derived involvement ---------------------------------------------------------------


def _row(case, starts_on: date, ends_on: date | None = None, kind="club") -> None:
    """An involvement written directly (the SQL rule is under test, not the form's)."""
    row = LeisureInvolvement(kind=kind, name=f"{kind} {starts_on}", starts_on=starts_on,
                             ends_on=ends_on, recorded_by_id=_recorder())
    row.place_from(case.enrolment)
    _db.session.add(row)
    _db.session.commit()


def _recorder() -> int:
    return _db.session.scalar(select(User.id).where(User.login == "social_pedagogue"))


def _involved(minor_id: int, first: date, last: date) -> bool:
    return bool(_db.session.scalar(select(queries.involved_clause(first, last, minor_id))))


@pytest.fixture
def old_case(world, make_case):
    return make_case(world.orgs["school1"], enrolled_on=date(2025, 9, 1))


@pytest.mark.parametrize(("starts_on", "ends_on", "involved"), [
    (date(2026, 3, 31), None, True),               # starts on the month's last day
    (date(2026, 2, 10), date(2026, 3, 1), True),   # ends on the month's first day
    (date(2026, 2, 10), date(2026, 2, 28), False),  # ended the day before the month
    (date(2026, 4, 1), None, False),               # starts the day after the month
    (date(2025, 10, 1), None, True),               # open-ended, started months before
    (date(2026, 3, 10), date(2026, 3, 12), True),  # inside the month
    (date(2025, 10, 1), date(2026, 5, 1), True),   # spans the whole month
])
def test_month_edges(old_case, starts_on, ends_on, involved):
    _row(old_case, starts_on, ends_on)
    assert _involved(old_case.minor.id, MARCH, MARCH_END) is involved


def test_open_ended_counts_for_every_later_month(old_case):
    _row(old_case, date(2025, 11, 20))
    months = [date(2025, m, 1) for m in (10, 11, 12)] + [date(2026, m, 1) for m in range(1, 8)]
    strip = queries.involvement_by_month(old_case.enrolment, months)
    assert strip == [(m, m >= date(2025, 11, 1)) for m in months]


def test_the_strip_costs_one_query_however_many_involvements(old_case):
    months = queries.last_months(date(2026, 3, 15))
    assert months[0] == date(2025, 4, 1) and months[-1] == MARCH and len(months) == 12
    assert old_case.enrolment.minor_id  # loaded outside the count
    with counted_queries() as few:
        queries.involvement_by_month(old_case.enrolment, months)
    for start in (date(2025, 10, 1), date(2026, 1, 5), date(2026, 2, 1)):
        _row(old_case, start, start + timedelta(days=20))
    assert old_case.enrolment.minor_id
    with counted_queries() as many:
        strip = queries.involvement_by_month(old_case.enrolment, months)
    assert len(few) == len(many) == 1
    assert [m for m, yes in strip if yes] == [date(2025, 10, 1), date(2026, 1, 1),
                                              date(2026, 2, 1)]


def test_a_scope_counts_each_involved_minor_once(world, make_case):
    school1, school3 = world.orgs["school1"], world.orgs["school3"]
    twice = make_case(school1, enrolled_on=date(2025, 9, 1))
    once = make_case(school1, enrolled_on=date(2025, 9, 1))
    idle = make_case(school1, enrolled_on=date(2025, 9, 1))
    elsewhere = make_case(school3, enrolled_on=date(2025, 9, 1))
    _row(twice, date(2026, 3, 2), date(2026, 3, 2), kind="event")
    _row(twice, date(2026, 1, 10), None, kind="sports_section")
    _row(once, date(2026, 3, 20), None)
    _row(idle, date(2026, 1, 1), date(2026, 2, 28))
    _row(elsewhere, date(2026, 3, 5), None)
    # An earlier, closed enrolment of the same minor in the same district: still once.
    _db.session.add(Enrolment(minor_id=twice.minor.id, organisation_id=school1.id,
                              district_id=school1.district_id, source="police",
                              identified_on=date(2024, 1, 1), enrolled_on=date(2024, 1, 1),
                              reason="—", stage="follow_up", stage_started_on=date(2024, 1, 1),
                              stage_due_on=date(2024, 12, 31), closed_on=date(2024, 12, 31)))
    _db.session.commit()
    district = world.districts["D1"].id
    count = queries.count_involved_minors(MARCH, MARCH_END, Enrolment.district_id == district)
    assert count == 2
    assert queries.count_involved_minors(date(2026, 2, 1), date(2026, 2, 28),
                                         Enrolment.district_id == district) == 2  # twice, idle
    assert queries.count_involved_minors(MARCH, MARCH_END) == 3


def test_employment_counts_as_labour_involvement(world, make_case):
    worker = make_case(world.orgs["school1"], enrolled_on=date(2025, 9, 1))
    former = make_case(world.orgs["school1"], enrolled_on=date(2025, 9, 1))
    for case, starts, ends in ((worker, date(2026, 3, 31), None),
                               (former, date(2025, 12, 1), date(2026, 2, 28))):
        job = Employment(kind="temporary", employer="ЖШС Тараз", starts_on=starts,
                         ends_on=ends, recorded_by_id=_recorder())
        job.place_from(case.enrolment)
        _db.session.add(job)
    _db.session.commit()
    district = Enrolment.district_id == world.districts["D1"].id
    assert queries.count_involved_minors(MARCH, MARCH_END, district) == 0
    assert queries.count_involved_minors(
        MARCH, MARCH_END, district, clause=queries.labour_or_leisure_clause) == 1
    _row(former, date(2026, 3, 15))  # leisure and labour: one minor more, counted once
    _row(worker, date(2026, 3, 1), date(2026, 3, 1), kind="event")
    assert queries.count_involved_minors(
        MARCH, MARCH_END, district, clause=queries.labour_or_leisure_clause) == 2


def test_month_helpers():
    assert queries.month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert queries.month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert queries.last_months(date(2026, 1, 31), 3) == [date(2025, 11, 1), date(2025, 12, 1),
                                                         date(2026, 1, 1)]


def test_an_edit_that_changes_nothing_writes_nothing(case, world, day):
    involvement = _record(case, world.users["psychologist"], day)
    services.update_involvement(world.users["psychologist"], involvement, _data(day), 1, day)
    _db.session.commit()
    assert involvement.version == 1
    assert _db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.object_type == "leisure_involvements",
        AuditEntry.action == "update")) is None


def test_a_line_written_without_the_id_is_kept_in_step(case, world, day):
    """Loaded data (the demo region) writes the "started" line with kind and name only:
    a correction moves that line instead of adding a second one."""
    involvement = _record(case, world.users["psychologist"], day)
    line = _lines(case.minor.id)["leisure_started"]
    line.data = {"kind": involvement.kind, "name": involvement.name}
    _db.session.commit()
    moved = day - timedelta(days=20)
    services.update_involvement(world.users["psychologist"], involvement,
                                _data(day, starts_on=moved), 1, day)
    _db.session.commit()
    lines = _db.session.scalars(select(CaseEvent).where(
        CaseEvent.kind == "leisure_started")).all()
    assert [(e.occurred_on, e.data["involvement_id"]) for e in lines] == [
        (moved, involvement.id)]


def test_leisure_notes_and_the_mentor_are_not_in_the_audit_trail(world, make_case, day):
    psychologist = world.users["psychologist"]
    case = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=40))

    def data(note, mentor):
        return services.InvolvementData(
            kind="mentoring", name="Тәлімгерлік", organiser="", mentor_name=mentor,
            mentor_contact=f"CONTACT-{mentor}", starts_on=day - timedelta(days=5),
            ends_on=None, note=note)

    involvement = services.record_involvement(psychologist, case.enrolment,
                                              data("NOTE-LEISURE-FIRST", "MENTOR-ONE"), day)
    services.update_involvement(psychologist, involvement,
                                data("NOTE-LEISURE-SECOND", "MENTOR-TWO"),
                                involvement.version, day)
    services.delete_involvement(psychologist, involvement, involvement.version, day)
    _db.session.commit()
    trail = " ".join(str(e.changes) for e in _db.session.scalars(
        select(AuditEntry).where(AuditEntry.changes.is_not(None))))
    for text in ("NOTE-LEISURE-FIRST", "NOTE-LEISURE-SECOND", "MENTOR-ONE", "MENTOR-TWO"):
        assert text not in trail, text
    assert "'kind': 'mentoring'" in trail and "'mentor_name': '(text)'" in trail
