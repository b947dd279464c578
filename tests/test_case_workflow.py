"""Working a case: stage deadlines and moves, extension, closure, incidents, hand-overs —
the rules through the services, then each screen: who reaches it, bad input, stale forms."""

import html
import itertools
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases import services
from juvenile.cases.dates import today as region_today
from juvenile.cases.iin import make_iin
from juvenile.cases.models import (
    CaseEvent,
    Enrolment,
    Incident,
    Minor,
    Stage,
    StageMove,
    Transfer,
    TransferStatus,
)
from juvenile.cases.services import ClosureData, EnrolmentData, MinorData, RepresentativeData
from juvenile.cases.stages import add_months
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD
from tests.stage_work import meet_stage_requirements
from tests.test_admin_organisations import field_error, flashes, rows

TODAY = date(2026, 11, 20)
BORN = date(2011, 3, 14)
_serials = itertools.count(1)


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def en(app):
    # Service messages are checked in their English source wording.
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def staff(world, make_user):
    """The world's accounts, and the staff of school2 (the receiving school)."""
    people = dict(world.users)
    school2 = world.orgs["school2"]
    people["admin2"] = make_user(Role.SCHOOL_ADMIN, school2, "admin2", full_name="Әкімші Екі")
    people["psychologist2"] = make_user(Role.PSYCHOLOGIST, school2, "psychologist2",
                                        full_name="Психолог Екі")
    people["pedagogue2"] = make_user(Role.SOCIAL_PEDAGOGUE, school2, "pedagogue2",
                                     full_name="Педагог Екі")
    return people


def _minor(actor, on: date, born: date = BORN) -> Minor:
    while (iin := make_iin(born, "m", next(_serials))) is None:
        pass
    data = MinorData(iin=iin, surname="Серікбаев", given_name="Арман", patronymic=None,
                     birth_date=born, sex="m", schooling_language="kk", address="Тараз",
                     phone=None, grade="8Б")
    minor = services.register_minor(actor, data, on, lambda m: True)
    services.save_representative(actor, minor, RepresentativeData(
        "mother", "Серікбаева Гүлнар", None, None, on, "written"), on)
    return minor


def _enrol(actor, enrolled_on: date, born: date = BORN, minor: Minor | None = None):
    minor = minor or _minor(actor, enrolled_on, born)
    return services.enrol_minor(actor, minor, EnrolmentData(
        groups=[2], source="school", identified_on=enrolled_on, enrolled_on=enrolled_on,
        reason="Сабаққа жүйелі түрде келмейді"), enrolled_on)


def _assign(people, enrolment, on: date, who: str = "psychologist") -> None:
    services.assign_specialist(people["school_admin"], enrolment, people[who].id, [], on,
                               enrolment.version)


def _move(actor, enrolment, on: date) -> Stage:
    meet_stage_requirements(_db, enrolment, actor, on)
    return services.move_to_next_stage(actor, enrolment, on, enrolment.version)


def _close(actor, enrolment, reason: str, on: date, note: str = "", today: date = TODAY):
    if reason == "completed":
        meet_stage_requirements(_db, enrolment, actor, on)
    services.close_enrolment(actor, enrolment, ClosureData(reason, on, note), today,
                             enrolment.version)


def _refusal(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return refused.value


def _audit(obj, action: str) -> list[AuditEntry]:
    return list(_db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == obj.id,
        AuditEntry.action == action).order_by(AuditEntry.id)))


def _events(minor_id: int, kind: str) -> list[CaseEvent]:
    return list(_db.session.scalars(select(CaseEvent).where(
        CaseEvent.minor_id == minor_id, CaseEvent.kind == kind).order_by(CaseEvent.id)))


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- stage deadlines ---------------------------------------------------------------------


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # leap year: the month's last day
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2023, 10, 31), 3, date(2024, 1, 31)),   # across the year's end
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2026, 3, 15), 6, date(2026, 9, 15)),
])
def test_months_are_added_to_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_the_initial_stage_is_due_on_day_10(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 12, 27))
    assert enrolment.stage == Stage.INITIAL.value
    assert enrolment.stage_due_on == date(2027, 1, 6)  # across the year's end


def test_a_case_enrolled_on_31_january_keeps_its_deadlines_at_month_ends(staff, en):
    enrolled = date(2023, 1, 31)
    enrolment = _enrol(staff["social_pedagogue"], enrolled)
    assert enrolment.stage_due_on == date(2023, 2, 10)
    _assign(staff, enrolment, enrolled)
    assert _move(staff["psychologist"], enrolment, enrolled) is Stage.ACTIVE
    assert (enrolment.stage_started_on, enrolment.stage_due_on) == (enrolled, date(2023, 7, 31))
    # At least 3 months of active rehabilitation: 31 January + 3 months = 30 April.
    error = _refusal(_move, staff["psychologist"], enrolment, date(2023, 4, 29))
    assert "At least 3 months of active rehabilitation" in error.message
    assert _move(staff["psychologist"], enrolment, date(2023, 4, 30)) is Stage.FOLLOW_UP
    # Follow-up runs to month 12 after enrolment.
    assert enrolment.stage_due_on == date(2024, 1, 31)
    # Six months of support are reached on 31 July.
    error = _refusal(_close, staff["psychologist"], enrolment, "completed", date(2023, 7, 30))
    assert "At least 6 months of support since enrolment" in error.message
    assert error.field == "reason"
    _close(staff["psychologist"], enrolment, "completed", date(2023, 7, 31))
    assert (enrolment.stage, enrolment.closure_reason) == ("closed", "completed")
    assert enrolment.closure_confirmed_by_id is None  # not early: no confirmation needed


def test_deadlines_that_fall_on_29_february(staff, en):
    enrolled = date(2023, 8, 31)
    enrolment = _enrol(staff["social_pedagogue"], enrolled)
    assert enrolment.stage_due_on == date(2023, 9, 10)
    _assign(staff, enrolment, enrolled)
    _move(staff["psychologist"], enrolment, enrolled)
    assert enrolment.stage_due_on == date(2024, 2, 29)
    _move(staff["psychologist"], enrolment, date(2023, 11, 30))
    assert enrolment.stage_due_on == date(2024, 8, 31)
    _refusal(_close, staff["psychologist"], enrolment, "completed", date(2024, 2, 28),
             today=date(2024, 3, 1))
    _close(staff["psychologist"], enrolment, "completed", date(2024, 2, 29),
           today=date(2024, 3, 1))
    assert enrolment.closed_on == date(2024, 2, 29)


# --- moving and extending stages -----------------------------------------------------------


def test_moving_with_an_unmet_requirement_is_refused_and_lists_it(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 11, 5))
    version = enrolment.version
    error = _refusal(_move, staff["psychologist"], enrolment, TODAY)
    assert "Not met: A responsible specialist is assigned" in error.message
    assert enrolment.stage == Stage.INITIAL.value and enrolment.version == version
    assert _count(StageMove) == 0
    assert _audit(enrolment, "stage") == []


def test_moving_records_the_move_audits_it_and_puts_it_on_the_timeline(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 11, 5))
    _assign(staff, enrolment, TODAY)
    _move(staff["psychologist"], enrolment, TODAY)
    move = _db.session.scalar(select(StageMove))
    assert (move.from_stage, move.to_stage, move.moved_on, move.actor_id) == (
        "initial", "active", TODAY, staff["psychologist"].id)
    [entry] = _audit(enrolment, "stage")
    assert entry.changes == {"stage": ["initial", "active"]}
    [event] = _events(enrolment.minor_id, "stage")
    assert event.data == {"from": "initial", "to": "active"}


def test_the_follow_up_stage_ends_only_by_closing(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 1, 5))
    enrolment.stage = Stage.FOLLOW_UP.value
    error = _refusal(_move, staff["psychologist"], enrolment, TODAY)
    assert "Close the case as completed" in error.message


def test_a_stale_version_is_refused(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 11, 5))
    stale = enrolment.version
    _assign(staff, enrolment, TODAY)
    with pytest.raises(ConflictError):
        services.move_to_next_stage(staff["psychologist"], enrolment, TODAY, stale)
    with pytest.raises(ConflictError):
        services.extend_stage(staff["district_coordinator"], enrolment, 5, "Ауырды", TODAY,
                              stale)
    assert enrolment.stage == Stage.INITIAL.value


def test_an_extension_moves_the_deadline_and_is_audited(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 11, 5))
    coordinator = staff["district_coordinator"]
    services.extend_stage(coordinator, enrolment, 14, "  Отбасы ауылға кетті  ", TODAY,
                          enrolment.version)
    assert enrolment.stage_due_on == date(2026, 11, 29)
    assert enrolment.stage == Stage.INITIAL.value
    move = _db.session.scalar(select(StageMove))
    assert (move.extension_days, move.reason, move.actor_id) == (
        14, "Отбасы ауылға кетті", coordinator.id)
    [entry] = _audit(enrolment, "extend")
    assert entry.actor_id == coordinator.id
    assert entry.changes == {"stage_due_on": ["2026-11-15", "2026-11-29"],
                             "reason": "Отбасы ауылға кетті"}
    [event] = _events(enrolment.minor_id, "extended")
    assert event.data == {"days": 14, "until": "2026-11-29"}


@pytest.mark.parametrize(("days", "reason", "field"), [
    (0, "Ауырды", "days"), (181, "Ауырды", "days"), (5, "   ", "reason")])
def test_an_extension_needs_a_sensible_length_and_a_reason(staff, en, days, reason, field):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 11, 5))
    error = _refusal(services.extend_stage, staff["district_coordinator"], enrolment, days,
                     reason, TODAY, enrolment.version)
    assert error.field == field
    assert enrolment.stage_due_on == date(2026, 11, 15)


# --- closure ------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["initial", "active"])
def test_completed_only_from_the_follow_up_stage(staff, en, stage):
    enrolment = _enrol(staff["social_pedagogue"], date(2025, 1, 10))
    enrolment.stage = stage
    error = _refusal(_close, staff["school_admin"], enrolment, "completed", TODAY,
                     "Бітірді")
    assert (error.field, error.message) == (
        "reason", "A case is completed only after the follow-up stage.")
    assert enrolment.is_open


def test_early_closure_needs_a_note_and_the_deputy_heads_confirmation(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 9, 1))
    psychologist, admin = staff["psychologist"], staff["school_admin"]
    error = _refusal(_close, admin, enrolment, "moved_away", TODAY)
    assert error.field == "note"
    assert "before 6 months of support needs an explanation" in error.message
    error = _refusal(_close, psychologist, enrolment, "moved_away", TODAY, "Алматыға көшті")
    assert "confirmed by the deputy head for upbringing" in error.message
    assert enrolment.is_open and _audit(enrolment, "close") == []
    _close(admin, enrolment, "moved_away", TODAY, "Алматыға көшті")
    assert (enrolment.closed_on, enrolment.closure_reason, enrolment.closure_note) == (
        TODAY, "moved_away", "Алматыға көшті")
    assert enrolment.closure_confirmed_by_id == admin.id
    [entry] = _audit(enrolment, "close")
    assert entry.changes == {"stage": ["initial", "closed"], "reason": "moved_away",
                             "early": True}
    [event] = _events(enrolment.minor_id, "closed")
    assert event.data == {"reason": "moved_away"}


def test_other_reason_needs_its_text(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2025, 1, 10))
    error = _refusal(_close, staff["psychologist"], enrolment, "other", TODAY)
    assert error.field == "note"
    _close(staff["psychologist"], enrolment, "other", TODAY, "Отбасы шетелге көшті")
    assert enrolment.closure_reason == "other"


def test_turned_18_only_when_18(staff, en):
    born = date(2008, 11, 25)
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 6, 1), born=born)
    later = date(2026, 12, 1)
    error = _refusal(_close, staff["psychologist"], enrolment, "turned_18",
                     date(2026, 11, 24), today=later)
    assert (error.field, error.message) == ("closed_on", "The minor is not 18 on this date.")
    # Early, but reaching adulthood needs neither a note nor the deputy head.
    _close(staff["psychologist"], enrolment, "turned_18", date(2026, 11, 25), today=later)
    assert enrolment.closure_reason == "turned_18"


@pytest.mark.parametrize(("on", "field"), [(TODAY + timedelta(days=1), "closed_on"),
                                           (date(2026, 8, 31), "closed_on")])
def test_impossible_closure_dates_are_refused(staff, en, on, field):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 9, 1))
    error = _refusal(_close, staff["school_admin"], enrolment, "moved_away", on, "Көшті")
    assert error.field == field


def test_the_crisis_flag_blocks_closure(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2025, 1, 10))
    services.record_incident(staff["psychologist"], enrolment.minor, "self_harm", TODAY,
                             "Қолын кесті", TODAY)
    error = _refusal(_close, staff["school_admin"], enrolment, "moved_away", TODAY, "Көшті")
    assert "crisis flag" in error.message
    assert enrolment.is_open


# --- incidents ----------------------------------------------------------------------------


def test_an_offence_during_support_is_a_repeat_offence(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 9, 1))
    inspector = staff["police_inspector"]
    incident = services.record_incident(inspector, enrolment.minor, "offence_administrative",
                                        date(2026, 10, 3), "Ұсақ бұзақылық", TODAY)
    assert incident.is_repeat_offence and incident.enrolment_id == enrolment.id
    assert incident.recorded_by_id == inspector.id
    assert incident.district_id == enrolment.district_id
    [event] = _events(enrolment.minor_id, "incident")
    assert event.data == {"kind": "offence_administrative", "repeat": True}
    assert _audit(incident, "create")[0].organisation_id == enrolment.organisation_id


def test_an_offence_before_enrolment_or_after_closure_is_not_a_repeat(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 9, 1))
    minor, inspector = enrolment.minor, staff["police_inspector"]
    before = services.record_incident(inspector, minor, "offence_criminal",
                                      date(2026, 8, 20), "Ұрлық", TODAY)
    assert not before.is_repeat_offence and before.enrolment_id is None
    _close(staff["school_admin"], enrolment, "moved_away", date(2026, 10, 1), "Көшті")
    after = services.record_incident(inspector, minor, "offence_administrative",
                                     date(2026, 10, 2), "Бұзақылық", TODAY)
    assert not after.is_repeat_offence and after.enrolment_id is None


def test_a_suicide_attempt_raises_the_crisis_flag_and_it_stays(staff, en, monkeypatch):
    called = []
    monkeypatch.setattr(services, "CRISIS_HOOKS",
                        [lambda actor, enrolment, incident: called.append(incident.kind)])
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 9, 1))
    minor, psychologist = enrolment.minor, staff["psychologist"]
    services.record_incident(psychologist, minor, "suicide_attempt", date(2026, 11, 18),
                             "Дәрі ішкен", TODAY)
    assert enrolment.crisis and enrolment.crisis_raised_on == date(2026, 11, 18)
    assert called == ["suicide_attempt"]
    [entry] = _audit(enrolment, "crisis")
    assert entry.changes == {"crisis": [False, True]}
    assert [e.data for e in _events(minor.id, "crisis_raised")] == [{"kind": "suicide_attempt"}]
    # Nothing in this domain clears it: more incidents, a stage move, an extension.
    services.record_incident(psychologist, minor, "self_harm", TODAY, "Қайталанды", TODAY)
    services.record_incident(psychologist, minor, "running_away", TODAY, "Үйден кетті", TODAY)
    _assign(staff, enrolment, TODAY)
    _move(psychologist, enrolment, TODAY)
    services.extend_stage(staff["district_coordinator"], enrolment, 7, "Дағдарыс", TODAY,
                          enrolment.version)
    _db.session.expire_all()
    enrolment = _db.session.get(Enrolment, enrolment.id)
    assert enrolment.crisis and enrolment.crisis_raised_on == date(2026, 11, 18)
    assert len(_events(minor.id, "crisis_raised")) == 1
    # The hooks hear of each attempt or self-harm (the protocol may need to act again).
    assert called == ["suicide_attempt", "self_harm"]


def test_the_inspector_records_offences_only(staff, en):
    enrolment = _enrol(staff["social_pedagogue"], date(2026, 9, 1))
    error = _refusal(services.record_incident, staff["police_inspector"], enrolment.minor,
                     "suicide_attempt", TODAY, "Дәрі ішкен", TODAY)
    assert error.field == "kind"
    assert _count(Incident) == 0 and not enrolment.crisis


@pytest.mark.parametrize(("kind", "on", "description", "field"), [
    ("theft", TODAY, "Ұрлық", "kind"),
    ("running_away", TODAY + timedelta(days=1), "Кетті", "occurred_on"),
    ("running_away", date(2011, 3, 13), "Кетті", "occurred_on"),
    ("running_away", TODAY, "  ", "description"),
])
def test_impossible_incidents_are_refused_at_their_field(staff, en, kind, on, description,
                                                         field):
    minor = _minor(staff["social_pedagogue"], TODAY)
    error = _refusal(services.record_incident, staff["social_pedagogue"], minor, kind, on,
                     description, TODAY)
    assert error.field == field
    assert _count(Incident) == 0


# --- transfer -------------------------------------------------------------------------------


def _handed_over(staff, world):
    """A minor of school1 with a closed earlier enrolment and an open one, handed over to
    school2."""
    pedagogue = staff["social_pedagogue"]
    first = _enrol(pedagogue, date(2025, 1, 10))
    _close(staff["school_admin"], first, "other", date(2025, 3, 1), "Уақытша көшті")
    current = _enrol(pedagogue, date(2026, 9, 1), minor=first.minor)
    services.assign_specialist(staff["school_admin"], current, staff["psychologist"].id,
                               [staff["social_pedagogue"].id], TODAY, current.version)
    transfer = services.request_transfer(pedagogue, first.minor, world.orgs["school2"],
                                         "  Отбасы көшті  ", TODAY)
    return first, current, transfer


def test_a_hand_over_is_requested_and_audited_on_both_sides(staff, world, en):
    first, _current, transfer = _handed_over(staff, world)
    assert (transfer.status, transfer.note, transfer.from_organisation_id) == (
        "pending", "Отбасы көшті", world.orgs["school1"].id)
    assert {e.organisation_id for e in _audit(transfer, "transfer_requested")} == {
        world.orgs["school1"].id, world.orgs["school2"].id}
    assert len(_events(first.minor_id, "transfer_requested")) == 1
    # Nothing moves before the receiving school accepts.
    assert first.minor.organisation_id == world.orgs["school1"].id


@pytest.mark.parametrize("target", ["school1", "police1"])
def test_a_hand_over_goes_to_another_school_or_college(staff, world, en, target):
    minor = _minor(staff["social_pedagogue"], TODAY)
    error = _refusal(services.request_transfer, staff["social_pedagogue"], minor,
                     world.orgs[target], "", TODAY)
    assert error.field == "to_organisation_id"


def test_one_hand_over_waits_at_a_time(staff, world, en):
    _first, current, _transfer = _handed_over(staff, world)
    error = _refusal(services.request_transfer, staff["social_pedagogue"], current.minor,
                     world.orgs["college1"], "", TODAY)
    assert "already waiting" in error.message


def test_accepting_moves_the_minor_and_the_open_case_with_its_history(staff, world, en):
    first, current, transfer = _handed_over(staff, world)
    school1, school2 = world.orgs["school1"], world.orgs["school2"]
    events_before = _count(CaseEvent, CaseEvent.minor_id == first.minor_id)
    services.accept_transfer(staff["admin2"], transfer, staff["psychologist2"].id, TODAY)
    _db.session.commit()
    _db.session.expire_all()
    minor = _db.session.get(Minor, first.minor_id)
    current, first = _db.session.get(Enrolment, current.id), _db.session.get(Enrolment, first.id)
    assert (minor.organisation_id, minor.district_id) == (school2.id, school2.district_id)
    assert current.organisation_id == school2.id and current.is_open
    assert current.responsible_id == staff["psychologist2"].id and current.coworkers == []
    # The earlier enrolment and every timeline line stay the minor's.
    assert first.minor_id == minor.id and first.organisation_id == school1.id
    assert _count(CaseEvent, CaseEvent.minor_id == minor.id) == events_before + 2
    assert services.open_enrolment(minor).id == current.id
    transfer = _db.session.get(Transfer, transfer.id)
    assert (transfer.status, transfer.decided_by_id) == ("accepted", staff["admin2"].id)
    assert {e.organisation_id for e in _audit(transfer, "transfer_accepted")} == {
        school1.id, school2.id}
    [event] = _events(minor.id, "transfer_accepted")
    assert event.enrolment_id == current.id


def test_accepting_without_a_specialist_leaves_the_case_unassigned(staff, world, en):
    _first, current, transfer = _handed_over(staff, world)
    services.accept_transfer(staff["admin2"], transfer, None, TODAY)
    assert current.responsible_id is None and current.organisation_id == transfer.to_organisation_id


@pytest.mark.parametrize("who", ["psychologist2", "school_admin"])
def test_only_the_receiving_deputy_head_accepts(staff, world, en, who):
    first, current, transfer = _handed_over(staff, world)
    _refusal(services.accept_transfer, staff[who], transfer, None, TODAY)
    assert transfer.status == "pending"
    assert first.minor.organisation_id == world.orgs["school1"].id
    assert current.organisation_id == world.orgs["school1"].id


def test_the_responsible_specialist_on_acceptance_is_of_the_receiving_school(staff, world,
                                                                              en):
    _first, _current, transfer = _handed_over(staff, world)
    error = _refusal(services.accept_transfer, staff["admin2"], transfer,
                     staff["psychologist"].id, TODAY)
    assert error.field == "responsible_id"


def test_the_receiving_school_declines_and_the_sending_school_cancels(staff, world, en):
    first, _current, transfer = _handed_over(staff, world)
    services.decline_transfer(staff["pedagogue2"], transfer, "Бізде тіркелмеген")
    assert (transfer.status, transfer.decision_note) == ("declined", "Бізде тіркелмеген")
    assert _audit(transfer, "transfer_declined")
    assert first.minor.organisation_id == world.orgs["school1"].id
    _refusal(services.accept_transfer, staff["admin2"], transfer, None, TODAY)
    again = services.request_transfer(staff["social_pedagogue"], first.minor,
                                      world.orgs["college1"], "", TODAY)
    services.decline_transfer(staff["psychologist"], again, "")
    assert again.status == TransferStatus.CANCELLED.value
    assert _audit(again, "transfer_cancelled")
    error = _refusal(services.decline_transfer, staff["psychologist"], again, "")
    assert "no longer waiting" in error.message


# --- screens: helpers ---------------------------------------------------------------------


def _t(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _kk_date(app, day: date) -> str:
    with app.test_request_context(), force_locale("kk"):
        return format_date(day, "medium")


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 302


def _reload(model, object_id):
    _db.session.expire_all()
    return _db.session.get(model, object_id)


def _goes_to_case_file(response, minor_id: int) -> None:
    assert response.status_code == 302, _page(response)
    assert response.headers["Location"].split("?")[0].endswith(f"/minors/{minor_id}")


REQUIRED = "This field is required."


# --- screens: the responsible specialist ---------------------------------------------------


def test_the_school_admin_assigns_the_specialist_and_co_workers(app, client, world, staff,
                                                                 make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["school_admin"])
    form = client.get(f"/enrolments/{case.enrolment.id}/assign")
    page = _page(form)
    assert staff["psychologist"].full_name in page
    assert staff["psychologist2"].full_name not in page  # another school's staff
    response = client.post(f"/enrolments/{case.enrolment.id}/assign", data={
        "responsible_id": staff["psychologist"].id,
        "coworker_ids": [staff["social_pedagogue"].id, staff["school_admin"].id],
        "version": case.enrolment.version})
    _goes_to_case_file(response, case.minor.id)
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert enrolment.responsible_id == staff["psychologist"].id
    assert sorted(u.id for u in enrolment.coworkers) == sorted(
        [staff["social_pedagogue"].id, staff["school_admin"].id])


@pytest.mark.parametrize("who", ["psychologist2", "school_admin"])
def test_the_responsible_specialist_is_a_specialist_of_the_school(app, client, world, staff,
                                                                   make_case, who):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["school_admin"])
    response = client.post(f"/enrolments/{case.enrolment.id}/assign", data={
        "responsible_id": staff[who].id, "version": case.enrolment.version})
    assert response.status_code == 200
    assert field_error(response, "responsible_id")
    assert _reload(Enrolment, case.enrolment.id).responsible_id is None


def test_a_missing_specialist_is_shown_at_the_field(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["school_admin"])
    response = client.post(f"/enrolments/{case.enrolment.id}/assign",
                           data={"responsible_id": "", "version": case.enrolment.version})
    assert field_error(response, "responsible_id") == _t(app, REQUIRED)


# --- screens: two users, one case -------------------------------------------------------------


def _stale_submissions(staff):
    """(endpoint, the user who submits a stale form, the form's data) per versioned screen."""
    return [
        ("assign", staff["school_admin"], {"responsible_id": staff["social_pedagogue"].id}),
        ("stage", staff["psychologist"], {}),
        ("extend", staff["district_coordinator"], {"days": "5", "reason": "Ауырды"}),
        ("close", staff["school_admin"], {"reason": "moved_away",
                                          "closed_on": region_today().isoformat(),
                                          "note": "Көшті"}),
    ]


@pytest.mark.parametrize("index", range(4), ids=["assign", "stage", "extend", "close"])
def test_the_second_save_of_the_same_case_is_refused(app, world, staff, make_case, index):
    case = make_case(world.orgs["school1"], responsible=staff["social_pedagogue"])
    endpoint, second_user, data = _stale_submissions(staff)[index]
    url = f"/enrolments/{case.enrolment.id}/{endpoint}"
    first, second = app.test_client(), app.test_client()
    _sign_in(second, second_user)
    assert second.get(url).status_code == 200
    opened_at = case.enrolment.version
    # Meanwhile the deputy head changes the responsible specialist.
    _sign_in(first, staff["school_admin"])
    _goes_to_case_file(first.post(f"/enrolments/{case.enrolment.id}/assign", data={
        "responsible_id": staff["psychologist"].id, "version": opened_at}), case.minor.id)
    response = second.post(url, data={**data, "version": opened_at})
    assert response.status_code == 200
    page = _page(response)
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in page
    assert staff["psychologist"].full_name in page  # what the case looks like now
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert enrolment.responsible_id == staff["psychologist"].id
    assert (enrolment.stage, enrolment.closed_on) == ("initial", None)
    assert enrolment.stage_due_on == case.enrolment.stage_due_on


def test_two_saves_at_the_same_moment_refuse_the_second(app, client, world, staff, make_case,
                                                        monkeypatch):
    case = make_case(world.orgs["school1"], responsible=staff["psychologist"])

    def too_late(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'enrolments' expected 1 row")

    monkeypatch.setattr(services, "move_to_next_stage", too_late)
    _sign_in(client, staff["psychologist"])
    response = client.post(f"/enrolments/{case.enrolment.id}/stage",
                           data={"version": case.enrolment.version})
    assert response.status_code == 200
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in flashes(response)[0]


def test_a_form_without_its_version_is_refused(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["school_admin"])
    response = client.post(f"/enrolments/{case.enrolment.id}/assign",
                           data={"responsible_id": staff["psychologist"].id})
    assert response.status_code == 200
    assert _reload(Enrolment, case.enrolment.id).responsible_id is None


# --- screens: stages ---------------------------------------------------------------------


def test_the_stage_page_shows_the_checklist_and_refuses_an_unmet_move(app, client, world,
                                                                      staff, make_case):
    case = make_case(world.orgs["school1"])
    meet_stage_requirements(_db, case.enrolment, staff["psychologist"])
    _db.session.commit()
    _sign_in(client, staff["psychologist"])
    url = f"/enrolments/{case.enrolment.id}/stage"
    page = _page(client.get(url))
    unmet = _t(app, "A responsible specialist is assigned")
    assert unmet in page and _t(app, "not met") in page
    assert _kk_date(app, case.enrolment.stage_due_on) in page
    response = client.post(url, data={"version": case.enrolment.version})
    assert response.status_code == 200
    assert _t(app, "The stage cannot be completed yet. Not met: %(items)s",
              items=unmet) in flashes(response)
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert enrolment.stage == "initial"
    assert _count(StageMove) == 0


def test_a_met_checklist_moves_the_case(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"], responsible=staff["psychologist"])
    meet_stage_requirements(_db, case.enrolment, staff["psychologist"])
    _db.session.commit()
    _sign_in(client, staff["social_pedagogue"])
    url = f"/enrolments/{case.enrolment.id}/stage"
    page = _page(client.get(url))
    assert _t(app, "not met") not in page
    _goes_to_case_file(client.post(url, data={"version": case.enrolment.version}),
                       case.minor.id)
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert enrolment.stage == "active"
    assert enrolment.stage_due_on == add_months(enrolment.stage_started_on, 6)


def test_in_the_follow_up_stage_the_page_points_to_closing(app, client, world, staff,
                                                           make_case):
    case = make_case(world.orgs["school1"], stage="follow_up")
    _sign_in(client, staff["psychologist"])
    page = _page(client.get(f"/enrolments/{case.enrolment.id}/stage"))
    assert f'href="/enrolments/{case.enrolment.id}/close"' in page
    assert _t(app, "Move to the next stage") not in page


@pytest.mark.parametrize("role", ["police_inspector", "district_coordinator"])
def test_the_inspector_and_the_coordinator_do_not_move_stages(client, world, staff,
                                                              make_case, role):
    case = make_case(world.orgs["school1"], responsible=staff["psychologist"])
    _sign_in(client, staff[role])
    url = f"/enrolments/{case.enrolment.id}/stage"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"version": case.enrolment.version}).status_code == 403
    assert _reload(Enrolment, case.enrolment.id).stage == "initial"


def test_a_closed_case_has_no_stage_to_move(client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    enrolment = _db.session.get(Enrolment, case.enrolment.id)
    enrolment.closed_on, enrolment.stage, enrolment.closure_reason = (
        enrolment.enrolled_on, "closed", "moved_away")
    _db.session.commit()
    _sign_in(client, staff["psychologist"])
    _goes_to_case_file(client.get(f"/enrolments/{case.enrolment.id}/stage"), case.minor.id)


# --- screens: extension -------------------------------------------------------------------


def test_the_coordinator_extends_a_stage(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["district_coordinator"])
    url = f"/enrolments/{case.enrolment.id}/extend"
    due = case.enrolment.stage_due_on
    assert _kk_date(app, due) in _page(client.get(url))
    response = client.post(url, data={"days": "14", "reason": "Отбасы ауылда",
                                      "version": case.enrolment.version})
    _goes_to_case_file(response, case.minor.id)
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert enrolment.stage_due_on == due + timedelta(days=14)
    assert _audit(enrolment, "extend")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"days": "0", "reason": "Ауырды"}, "days", "Extend by 1 to 180 days."),
    ({"days": "181", "reason": "Ауырды"}, "days", "Extend by 1 to 180 days."),
    ({"days": "бес", "reason": "Ауырды"}, "days", None),
    ({"days": "5", "reason": "  "}, "reason", REQUIRED),
])
def test_a_bad_extension_is_shown_at_its_field(app, client, world, staff, make_case, data,
                                               field, message):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["district_coordinator"])
    response = client.post(f"/enrolments/{case.enrolment.id}/extend",
                           data={**data, "version": case.enrolment.version})
    assert response.status_code == 200
    error = field_error(response, field)
    assert error and (message is None or error == _t(app, message))
    assert _reload(Enrolment, case.enrolment.id).stage_due_on == case.enrolment.stage_due_on


def test_the_coordinator_extends_but_does_not_close(client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["district_coordinator"])
    assert client.get(f"/enrolments/{case.enrolment.id}/close").status_code == 403
    assert client.get(f"/enrolments/{case.enrolment.id}/assign").status_code == 403


def test_another_districts_coordinator_gets_404(client, world, make_user, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"]))
    assert client.get(f"/enrolments/{case.enrolment.id}/extend").status_code == 404


# --- screens: closure --------------------------------------------------------------------


def test_the_closure_page_shows_the_rules(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["psychologist"])
    page = _page(client.get(f"/enrolments/{case.enrolment.id}/close"))
    assert _t(app, "A case cannot be closed while its crisis flag stands.") in page
    assert _t(app, "Ask them to close the case.") in page  # early, and not the deputy head
    reached = add_months(case.enrolment.enrolled_on, 6)
    assert _kk_date(app, reached) in page


def test_early_closure_by_a_specialist_is_refused_with_the_reason(app, client, world, staff,
                                                                   make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["psychologist"])
    response = client.post(f"/enrolments/{case.enrolment.id}/close", data={
        "reason": "moved_away", "closed_on": region_today().isoformat(),
        "note": "Алматыға көшті", "version": case.enrolment.version})
    assert response.status_code == 200
    assert _t(app, "Closing before %(n)d months of support is confirmed by the deputy head "
                   "for upbringing: ask them to close the case.", n=6) in flashes(response)
    assert _reload(Enrolment, case.enrolment.id).is_open


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"reason": ""}, "reason", REQUIRED),
    ({"closed_on": ""}, "closed_on", REQUIRED),
    ({"closed_on": "2999-01-01"}, "closed_on", "The date is in the future."),
    ({"reason": "completed"}, "reason",
     "A case is completed only after the follow-up stage."),
    ({"note": ""}, "note", "Closing before %(n)d months of support needs an explanation."),
    ({"reason": "turned_18"}, "closed_on", "The minor is not 18 on this date."),
])
def test_closure_refusals_are_shown_beside_the_fields(app, client, world, staff, make_case,
                                                      changes, field, message):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["school_admin"])
    data = {"reason": "moved_away", "closed_on": region_today().isoformat(),
            "note": "Алматыға көшті", "version": case.enrolment.version, **changes}
    response = client.post(f"/enrolments/{case.enrolment.id}/close", data=data)
    assert response.status_code == 200
    assert field_error(response, field) == _t(app, message, n=6)
    assert _reload(Enrolment, case.enrolment.id).is_open


def test_the_deputy_head_closes_early_with_a_note(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["school_admin"])
    response = client.post(f"/enrolments/{case.enrolment.id}/close", data={
        "reason": "moved_away", "closed_on": region_today().isoformat(),
        "note": "Алматыға көшті", "version": case.enrolment.version})
    _goes_to_case_file(response, case.minor.id)
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert (enrolment.stage, enrolment.closure_reason) == ("closed", "moved_away")
    assert enrolment.closure_confirmed_by_id == staff["school_admin"].id


def test_a_case_in_crisis_cannot_be_closed(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    enrolment = _db.session.get(Enrolment, case.enrolment.id)
    enrolment.crisis = True
    _db.session.commit()
    _sign_in(client, staff["school_admin"])
    url = f"/enrolments/{case.enrolment.id}/close"
    page = client.get(url)
    assert 'id="crisis"' in page.get_data(as_text=True)
    assert 'name="reason"' not in page.get_data(as_text=True)
    response = client.post(url, data={
        "reason": "moved_away", "closed_on": region_today().isoformat(), "note": "Көшті",
        "version": enrolment.version})
    assert _t(app, "The case cannot be closed while its crisis flag stands.") in flashes(
        response)
    assert _reload(Enrolment, case.enrolment.id).is_open


# --- screens: incidents -------------------------------------------------------------------


def _incident(client, minor_id: int, what: str, **changes):
    data = {"kind": what, "occurred_on": (region_today() - timedelta(days=1)).isoformat(),
            "description": "Мектеп ауласында төбелес", **changes}
    return client.post(f"/minors/{minor_id}/incidents/new", data=data)


def test_the_inspector_records_an_offence_that_the_case_file_then_shows(app, client, world,
                                                                        staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["police_inspector"])
    form = client.get(f"/minors/{case.minor.id}/incidents/new").get_data(as_text=True)
    assert 'value="offence_criminal"' in form and 'value="suicide_attempt"' not in form
    response = _incident(client, case.minor.id, "offence_administrative")
    _goes_to_case_file(response, case.minor.id)
    [incident] = _db.session.scalars(select(Incident)).all()
    assert incident.is_repeat_offence and incident.recorded_by_id == staff["police_inspector"].id
    case_file = client.get(response.headers["Location"])
    assert case_file.status_code == 200
    assert "Мектеп ауласында төбелес" in _page(case_file)


def test_the_inspector_cannot_record_a_suicide_attempt(client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["police_inspector"])
    response = _incident(client, case.minor.id, "suicide_attempt")
    assert response.status_code == 200
    assert field_error(response, "kind")
    assert _count(Incident) == 0
    assert not _reload(Enrolment, case.enrolment.id).crisis


def test_the_inspector_records_only_in_their_district(client, world, staff, make_case):
    case = make_case(world.orgs["school3"])
    _sign_in(client, staff["police_inspector"])
    assert client.get(f"/minors/{case.minor.id}/incidents/new").status_code == 404
    assert _incident(client, case.minor.id, "offence_criminal").status_code == 404


def test_a_suicide_attempt_recorded_by_the_school_raises_the_crisis_flag(app, client, world,
                                                                         staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["psychologist"])
    response = _incident(client, case.minor.id, "suicide_attempt",
                         description="Дәрі ішкен, аурухана")
    _goes_to_case_file(response, case.minor.id)
    enrolment = _reload(Enrolment, case.enrolment.id)
    assert enrolment.crisis
    case_file = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="crisis"' in case_file


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"kind": ""}, "kind", REQUIRED),
    ({"occurred_on": "2999-01-01"}, "occurred_on", "The date is in the future."),
    ({"occurred_on": "2000-01-01"}, "occurred_on", "The date is before the minor's birth."),
    ({"occurred_on": "вчера"}, "occurred_on", None),
    ({"description": "   "}, "description", REQUIRED),
])
def test_a_bad_incident_is_shown_at_its_field(app, client, world, staff, make_case, changes,
                                              field, message):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["social_pedagogue"])
    response = _incident(client, case.minor.id, "running_away", **changes)
    assert response.status_code == 200
    error = field_error(response, field)
    assert error and (message is None or error == _t(app, message))
    assert _count(Incident) == 0


# --- screens: another school's staff --------------------------------------------------------


@pytest.mark.parametrize(("who", "path"), [
    ("admin2", "/enrolments/{enrolment}/assign"),
    ("psychologist2", "/enrolments/{enrolment}/stage"),
    ("admin2", "/enrolments/{enrolment}/close"),
    ("pedagogue2", "/minors/{minor}/incidents/new"),
    ("pedagogue2", "/minors/{minor}/transfer"),
])
def test_another_schools_staff_get_404(client, world, staff, make_case, who, path):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff[who])
    url = path.format(enrolment=case.enrolment.id, minor=case.minor.id)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"version": case.enrolment.version}).status_code == 404


# --- screens: hand-overs ------------------------------------------------------------------


def test_a_hand_over_from_request_to_acceptance(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"], responsible=staff["psychologist"])
    school2 = world.orgs["school2"]
    _sign_in(client, staff["social_pedagogue"])
    page = _page(client.get(f"/minors/{case.minor.id}/transfer"))
    form = re.search(r'<select[^>]*name="to_organisation_id".*?</select>', page, re.S).group(0)
    assert '<optgroup label="Бірінші аудан">' in form
    assert "school2 (kk)" in form and "college1 (kk)" in form and "school3 (kk)" in form
    assert "school1 (kk)" not in form and "police1 (kk)" not in form
    response = client.post(f"/minors/{case.minor.id}/transfer",
                           data={"to_organisation_id": school2.id, "note": "Көшті"})
    _goes_to_case_file(response, case.minor.id)
    [transfer] = _db.session.scalars(select(Transfer)).all()
    assert transfer.status == "pending" and transfer.to_organisation_id == school2.id
    outgoing = client.get("/transfers")
    assert any(case.minor.full_name in row[0] and "school2 (kk)" in row[1]
               for row in rows(outgoing))

    _sign_in(client, staff["admin2"])
    incoming = rows(client.get("/transfers"))
    born = " ".join(_kk_date(app, case.minor.birth_date).split())
    assert incoming[0][:3] == [case.minor.full_name, born, "school1 (kk)"]
    page = _page(client.get(f"/transfers/{transfer.id}/accept"))
    assert staff["psychologist2"].full_name in page
    assert staff["psychologist"].full_name not in page
    response = client.post(f"/transfers/{transfer.id}/accept",
                           data={"responsible_id": staff["psychologist2"].id})
    _goes_to_case_file(response, case.minor.id)
    minor = _reload(Minor, case.minor.id)
    enrolment = _db.session.get(Enrolment, case.enrolment.id)
    assert minor.organisation_id == school2.id and enrolment.organisation_id == school2.id
    assert enrolment.responsible_id == staff["psychologist2"].id
    assert client.get(response.headers["Location"]).status_code == 200
    # The sending school no longer opens the case.
    _sign_in(client, staff["social_pedagogue"])
    assert client.get(f"/minors/{case.minor.id}").status_code == 404


def test_a_hand_over_needs_a_receiving_school(app, client, world, staff, make_case):
    case = make_case(world.orgs["school1"])
    _sign_in(client, staff["social_pedagogue"])
    response = client.post(f"/minors/{case.minor.id}/transfer",
                           data={"to_organisation_id": "", "note": "Көшті"})
    assert field_error(response, "to_organisation_id") == _t(app, REQUIRED)
    response = client.post(f"/minors/{case.minor.id}/transfer",
                           data={"to_organisation_id": world.orgs["police1"].id})
    assert field_error(response, "to_organisation_id")
    assert _count(Transfer) == 0


def test_a_second_hand_over_is_not_offered_while_one_waits(client, world, staff, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, staff["social_pedagogue"])
    _goes_to_case_file(client.get(f"/minors/{case.minor.id}/transfer"), case.minor.id)


def test_the_receiving_psychologist_cannot_accept(client, world, staff, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, staff["psychologist2"])
    url = f"/transfers/{case.transfer.id}/accept"
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code == 403
    assert _reload(Transfer, case.transfer.id).status == "pending"


def test_the_sending_school_cannot_accept_its_own_hand_over(client, world, staff, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, staff["school_admin"])
    assert client.get(f"/transfers/{case.transfer.id}/accept").status_code == 404


def test_the_receiving_school_declines_with_a_note(client, world, staff, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, staff["pedagogue2"])
    response = client.post(f"/transfers/{case.transfer.id}/decline",
                           data={"note": "Бізде оқымайды"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/transfers")
    transfer = _reload(Transfer, case.transfer.id)
    assert (transfer.status, transfer.decision_note) == ("declined", "Бізде оқымайды")
    assert _reload(Minor, case.minor.id).organisation_id == world.orgs["school1"].id


def test_the_sending_school_cancels(client, world, staff, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, staff["psychologist"])
    response = client.post(f"/transfers/{case.transfer.id}/decline", data={"note": ""})
    _goes_to_case_file(response, case.minor.id)
    assert _reload(Transfer, case.transfer.id).status == "cancelled"


def test_a_decided_hand_over_cannot_be_decided_again(client, world, staff, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, staff["pedagogue2"])
    client.post(f"/transfers/{case.transfer.id}/decline", data={"note": ""})
    _sign_in(client, staff["admin2"])
    response = client.post(f"/transfers/{case.transfer.id}/accept", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith("/transfers")
    assert _reload(Transfer, case.transfer.id).status == "declined"
    assert _reload(Minor, case.minor.id).organisation_id == world.orgs["school1"].id


def test_other_schools_do_not_see_or_decide_a_hand_over(client, world, make_user, make_case):
    case = make_case(world.orgs["school1"], transfer_to=world.orgs["school2"])
    _sign_in(client, make_user(Role.SCHOOL_ADMIN, world.orgs["school3"]))
    assert client.post(f"/transfers/{case.transfer.id}/decline", data={}).status_code == 404
    assert client.get(f"/transfers/{case.transfer.id}/accept").status_code == 404
    assert case.minor.full_name not in _page(client.get("/transfers"))
