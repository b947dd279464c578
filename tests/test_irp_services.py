"""Rules of the individual rehabilitation programme: the occurrence engine's periods,
drafting, approval, corrections and reviews (versioning, supersede and withdrawal of the
old plans), fulfilment by records, missed detection, marking by hand, and comparison."""

from datetime import date, timedelta

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from juvenile.audit.models import AuditEntry
from juvenile.cases.models import CaseEvent, Stage
from juvenile.cases.timeline import describe
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from juvenile.irp import occurrences, queries, services
from juvenile.irp.models import Activity, IrpStatus, IrpVersion, Occurrence, OccurrenceStatus
from juvenile.irp.requirements import IRP_REVIEWS_FOLLOW_UP, irp_approved, irp_review

#: A Wednesday, so weekly periods start mid-week.
TODAY = date(2026, 10, 14)
ENROLLED = date(2026, 9, 2)  # also a Wednesday


def _data(**changes) -> services.ActivityData:
    values = dict(direction="psychological", title="Жеке кеңес (мазасыздық)",
                  fulfilled_by="consultation", responsible_user_id=None,
                  partner_organisation_id=None, partner_name=None, frequency="weekly",
                  starts_on=ENROLLED, ends_on=ENROLLED + timedelta(days=90))
    return services.ActivityData(**(values | changes))


@pytest.fixture
def staff(world):
    return world.users


@pytest.fixture
def case(world, make_case, staff):
    return make_case(world.orgs["school1"], enrolled_on=ENROLLED,
                     responsible=staff["psychologist"])


def _approved_v1(case, staff, **changes):
    """The first version with one activity (by default a weekly consultation), approved."""
    psychologist = staff["psychologist"]
    v1 = services.start_draft(psychologist, case.enrolment, "Мектепке қайта оралу", TODAY)
    data = _data(responsible_user_id=psychologist.id) if not changes else _data(**changes)
    services.add_activity(psychologist, v1, data, v1.version)
    services.approve(staff["school_admin"], v1, v1.version, TODAY)
    _db.session.commit()
    return v1


def _occurrences(activity) -> list[Occurrence]:
    return list(_db.session.scalars(select(Occurrence).where(
        Occurrence.activity_id == activity.id).order_by(Occurrence.due_on)))


# --- the periods of a frequency ------------------------------------------------------------


def test_weekly_periods_are_calendar_weeks_cut_at_the_activity_dates():
    # Wednesday 14 Oct to Tuesday 27 Oct 2026
    assert occurrences.periods("weekly", date(2026, 10, 14), date(2026, 10, 27)) == [
        (date(2026, 10, 14), date(2026, 10, 18)),  # Wed..Sun
        (date(2026, 10, 19), date(2026, 10, 25)),  # Mon..Sun
        (date(2026, 10, 26), date(2026, 10, 27)),  # Mon..Tue
    ]
    # starting on a Sunday: a one-day first week
    assert occurrences.periods("weekly", date(2026, 10, 18), date(2026, 10, 19)) == [
        (date(2026, 10, 18), date(2026, 10, 18)), (date(2026, 10, 19), date(2026, 10, 19))]


def test_monthly_and_quarterly_periods_follow_the_calendar_with_short_months():
    assert occurrences.periods("monthly", date(2027, 1, 31), date(2027, 3, 15)) == [
        (date(2027, 1, 31), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 15)),
    ]
    assert occurrences.periods("monthly", date(2028, 2, 10), date(2028, 2, 29)) == [
        (date(2028, 2, 10), date(2028, 2, 29))]  # a leap year
    assert occurrences.periods("quarterly", date(2026, 11, 5), date(2027, 4, 2)) == [
        (date(2026, 11, 5), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2027, 4, 2)),
    ]


def test_fortnightly_once_and_empty_periods():
    assert occurrences.periods("fortnightly", date(2026, 10, 1), date(2026, 10, 30)) == [
        (date(2026, 10, 1), date(2026, 10, 14)), (date(2026, 10, 15), date(2026, 10, 28)),
        (date(2026, 10, 29), date(2026, 10, 30))]
    assert occurrences.periods("once", date(2026, 10, 1), date(2026, 10, 30)) == [
        (date(2026, 10, 1), date(2026, 10, 30))]
    assert occurrences.periods("weekly", date(2026, 10, 30), date(2026, 10, 1)) == []


# --- drafting and approval --------------------------------------------------------------------


def test_first_version_is_approved_and_expanded_from_the_activity_start(case, staff):
    v1 = _approved_v1(case, staff)
    assert (v1.number, v1.status, v1.approved_on) == (1, IrpStatus.APPROVED.value, TODAY)
    assert v1.approved_by_id == staff["school_admin"].id
    assert v1.based_on_id is None and v1.reason is None
    activity = v1.activities[0]
    rows = _occurrences(activity)
    expected = occurrences.periods("weekly", activity.starts_on, activity.ends_on)
    assert [(o.window_start, o.due_on) for o in rows] == expected
    assert rows[0].window_start == ENROLLED  # the first version starts at the activity start
    assert {o.status for o in rows} == {OccurrenceStatus.PLANNED.value}
    # the initial stage's requirement counts it
    assert irp_approved(case.enrolment, TODAY, {"irp_required_initial": 1})
    event = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "irp_approved"))
    assert event.data == {"number": 1, "correction": False, "review": False}
    assert not event.clinical
    assert "1" in describe("irp_approved", event.data)


def test_approval_refuses_a_draft_without_goals_or_activities(case, staff):
    psychologist, deputy = staff["psychologist"], staff["school_admin"]
    draft = services.start_draft(psychologist, case.enrolment, "  ", TODAY)
    with pytest.raises(ServiceError):
        services.approve(deputy, draft, draft.version, TODAY)  # no goals
    services.update_draft(psychologist, draft, "Мақсат", None, False, draft.version)
    with pytest.raises(ServiceError):
        services.approve(deputy, draft, draft.version, TODAY)  # no activities
    assert draft.status == IrpStatus.DRAFT.value


def test_who_drafts_and_who_approves(case, staff, world, make_user):
    from juvenile.accounts.models import Role

    other_school = make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school2"])
    for outsider in (other_school, staff["school_admin"], staff["district_coordinator"]):
        with pytest.raises(ServiceError):
            services.start_draft(outsider, case.enrolment, "Мақсат", TODAY)
    # any social pedagogue of the school may draft, not only the responsible specialist
    draft = services.start_draft(staff["social_pedagogue"], case.enrolment, "Мақсат", TODAY)
    services.add_activity(staff["social_pedagogue"], draft, _data(
        responsible_user_id=staff["social_pedagogue"].id), draft.version)
    other_deputy = make_user(Role.SCHOOL_ADMIN, world.orgs["school2"])
    for outsider in (staff["psychologist"], other_deputy):
        with pytest.raises(ServiceError):
            services.approve(outsider, draft, draft.version, TODAY)
    services.approve(staff["school_admin"], draft, draft.version, TODAY)


def test_one_draft_at_a_time_and_nothing_on_a_closed_case(case, staff):
    psychologist = staff["psychologist"]
    services.start_draft(psychologist, case.enrolment, "Мақсат", TODAY)
    with pytest.raises(ServiceError):
        services.start_draft(psychologist, case.enrolment, "Екінші", TODAY)
    _db.session.rollback()
    case.enrolment.closed_on = TODAY
    _db.session.commit()
    with pytest.raises(ServiceError) as refusal:
        services.start_draft(psychologist, case.enrolment, "Мақсат", TODAY)
    assert refusal.value.message == gettext("The case is closed.")


@pytest.mark.parametrize(("changes", "field"), [
    ({"starts_on": ENROLLED - timedelta(days=1)}, "starts_on"),
    ({"ends_on": ENROLLED - timedelta(days=1), "starts_on": ENROLLED}, "ends_on"),
    ({"ends_on": date(2030, 1, 1)}, "ends_on"),
    ({"title": "   "}, "title"),
    ({"direction": "diagnostics"}, "direction"),
    ({"frequency": "daily"}, "frequency"),
    ({"fulfilled_by": "phone_call"}, "fulfilled_by"),
    ({"responsible_user_id": None}, "responsible_user_id"),  # nobody responsible
    ({"partner_name": "Емхана", "responsible_user_id": "psychologist"}, "responsible_user_id"),
    ({"responsible_user_id": "other_school"}, "responsible_user_id"),
    ({"responsible_user_id": "police_inspector"}, "responsible_user_id"),
    ({"partner_organisation_id": "school2", "responsible_user_id": None},
     "partner_organisation_id"),
])
def test_activity_validation_names_the_field(case, staff, world, make_user, changes, field):
    from juvenile.accounts.models import Role

    other = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "other_school")
    users = {"psychologist": staff["psychologist"].id, "other_school": other.id,
             "police_inspector": staff["police_inspector"].id, None: None}
    changes = {"responsible_user_id": "psychologist", **changes}
    changes["responsible_user_id"] = users[changes["responsible_user_id"]]
    if "partner_organisation_id" in changes:
        changes["partner_organisation_id"] = world.orgs[changes["partner_organisation_id"]].id
    draft = services.start_draft(staff["psychologist"], case.enrolment, "Мақсат", TODAY)
    with pytest.raises(ServiceError) as refusal:
        services.add_activity(staff["psychologist"], draft, _data(**changes), draft.version)
    assert refusal.value.field == field


def test_a_partner_organisation_or_a_named_partner_may_be_responsible(case, staff, world):
    draft = services.start_draft(staff["psychologist"], case.enrolment, "Мақсат", TODAY)
    services.add_activity(staff["psychologist"], draft, _data(
        direction="interagency", partner_organisation_id=world.orgs["health1"].id,
        fulfilled_by=None), draft.version)
    services.add_activity(staff["psychologist"], draft, _data(
        direction="leisure", partner_name="  «Жас Қыран» спорт секциясы  ", fulfilled_by=""),
        draft.version)
    lines = queries.version_view(draft.id, TODAY).activities
    # by direction: leisure (5th) before interagency (7th)
    assert [a.responsible for a in lines] == ["«Жас Қыран» спорт секциясы",
                                              world.orgs["health1"].name_kk]
    assert lines[0].fulfilled_by is None  # marked by hand


def test_a_stale_draft_form_is_refused_and_an_approved_version_cannot_be_edited(case, staff):
    psychologist = staff["psychologist"]
    draft = services.start_draft(psychologist, case.enrolment, "Мақсат", TODAY)
    opened_at = draft.version
    services.add_activity(psychologist, draft, _data(responsible_user_id=psychologist.id),
                          opened_at)
    _db.session.commit()
    assert draft.version > opened_at  # adding a line moves the draft's version
    with pytest.raises(ConflictError):
        services.update_activity(psychologist, draft.activities[0],
                                 _data(responsible_user_id=psychologist.id, title="X"),
                                 opened_at)
    services.approve(staff["school_admin"], draft, draft.version, TODAY)
    _db.session.commit()
    with pytest.raises(ServiceError):
        services.update_activity(psychologist, draft.activities[0], _data(
            responsible_user_id=psychologist.id, title="X"), draft.version)
    with pytest.raises(ServiceError):
        services.remove_activity(psychologist, draft.activities[0], draft.version)


# --- corrections, supersede, withdrawal ---------------------------------------------------------


def test_a_correction_copies_the_approved_version_and_needs_a_reason(case, staff):
    v1 = _approved_v1(case, staff)
    psychologist = staff["psychologist"]
    with pytest.raises(ServiceError) as refusal:
        services.start_draft(psychologist, case.enrolment, v1.goals, TODAY, reason=" ")
    assert refusal.value.field == "reason"
    v2 = services.start_draft(psychologist, case.enrolment, v1.goals, TODAY,
                              reason="Мазасыздық төмендеді")
    assert (v2.number, v2.based_on_id, v2.status) == (2, v1.id, IrpStatus.DRAFT.value)
    assert v2.goals == v1.goals
    [copy], [origin] = v2.activities, v1.activities
    assert copy.origin_id == origin.id and copy.id != origin.id
    assert {n: getattr(copy, n) for n in services.ACTIVITY_FIELDS} == {
        n: getattr(origin, n) for n in services.ACTIVITY_FIELDS}
    assert copy.occurrences == []  # a draft plans nothing yet
    assert v1.status == IrpStatus.APPROVED.value  # in force until the correction is approved


def test_approving_a_correction_supersedes_and_withdraws_only_the_future(case, staff):
    v1 = _approved_v1(case, staff)
    old_activity = v1.activities[0]
    old = _occurrences(old_activity)
    # this week's consultation was held (Monday) before the correction
    this_week = next(o for o in old if o.window_start <= TODAY <= o.due_on)
    occurrences.fulfil(case.enrolment.id, "consultation", TODAY - timedelta(days=2))
    assert this_week.status == OccurrenceStatus.DONE.value
    past_planned = [o.id for o in old if o.due_on < TODAY]
    psychologist = staff["psychologist"]
    v2 = services.start_draft(psychologist, case.enrolment, v1.goals, TODAY, reason="Түзету")
    services.update_activity(psychologist, v2.activities[0], _data(
        responsible_user_id=psychologist.id, frequency="weekly",
        ends_on=ENROLLED + timedelta(days=120)), v2.version)
    services.approve(staff["school_admin"], v2, v2.version, TODAY)
    _db.session.commit()

    assert (v1.status, v1.superseded_on) == (IrpStatus.SUPERSEDED.value, TODAY)
    assert (v2.status, v2.approved_on) == (IrpStatus.APPROVED.value, TODAY)
    kept = _occurrences(old_activity)
    # past plans stay (missed facts), the done one stays, later plans are withdrawn
    assert [o.id for o in kept] == [*past_planned, this_week.id]
    new = _occurrences(v2.activities[0])
    assert new[0].window_start > this_week.due_on  # this week is already done: not twice
    assert all(o.due_on >= TODAY for o in new)
    assert new[-1].due_on == ENROLLED + timedelta(days=120)
    event = _db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "irp_approved")
                                .order_by(CaseEvent.id)).all()[-1]
    assert event.data == {"number": 2, "correction": True, "review": False}
    actions = set(_db.session.execute(select(AuditEntry.action, AuditEntry.object_type)))
    assert {("create", "irp_versions"), ("create", "irp_activities"),
            ("update", "irp_activities"), ("approve", "irp_versions"),
            ("supersede", "irp_versions")} <= actions


def test_a_correction_from_today_plans_this_period_when_nothing_was_done(case, staff):
    v1 = _approved_v1(case, staff)
    v2 = services.start_draft(staff["psychologist"], case.enrolment, v1.goals, TODAY,
                              reason="Қайта қарау: өзгеріссіз")
    services.approve(staff["school_admin"], v2, v2.version, TODAY)  # no changes: allowed
    new = _occurrences(v2.activities[0])
    assert (new[0].window_start, new[0].due_on) == (TODAY, date(2026, 10, 18))


def test_a_review_is_made_in_follow_up_and_counted_by_the_requirement(case, staff):
    v1 = _approved_v1(case, staff)
    enrolment, psychologist = case.enrolment, staff["psychologist"]
    with pytest.raises(ServiceError) as refusal:
        services.start_draft(psychologist, enrolment, v1.goals, TODAY, reason="R",
                             is_review=True)
    assert refusal.value.field == "is_review"
    _db.session.rollback()
    enrolment.stage, enrolment.stage_started_on = Stage.FOLLOW_UP.value, TODAY
    _db.session.commit()
    settings = {IRP_REVIEWS_FOLLOW_UP.key: 1}
    assert not irp_review(enrolment, TODAY, settings)
    review = services.start_draft(psychologist, enrolment, v1.goals, TODAY,
                                  reason="Мінез-құлқы тұрақты", is_review=True)
    assert not irp_review(enrolment, TODAY, settings)  # a draft does not count
    services.approve(staff["school_admin"], review, review.version, TODAY)
    assert irp_review(enrolment, TODAY, settings)
    assert not irp_review(enrolment, TODAY, {IRP_REVIEWS_FOLLOW_UP.key: 2})


def test_a_draft_can_be_discarded_leaving_the_approved_version(case, staff):
    v1 = _approved_v1(case, staff)
    v2 = services.start_draft(staff["psychologist"], case.enrolment, v1.goals, TODAY,
                              reason="Қате")
    services.discard_draft(staff["psychologist"], v2, v2.version)
    _db.session.commit()
    assert _db.session.scalar(select(func.count(IrpVersion.id))) == 1
    assert _db.session.scalar(select(func.count(Activity.id))) == 1
    assert services.approved_version(case.enrolment.id).id == v1.id


# --- fulfilment, missed, marking -------------------------------------------------------------


def test_a_session_ticks_off_the_period_it_falls_in_and_a_past_plan_reads_missed(case, staff):
    v1 = _approved_v1(case, staff)
    rows = _occurrences(v1.activities[0])
    ticked = occurrences.fulfil(case.enrolment.id, "consultation", date(2026, 9, 9))
    assert ticked.id == rows[1].id  # Mon 7 .. Sun 13 September
    assert occurrences.fulfil(case.enrolment.id, "home_visit", date(2026, 9, 9)) is None
    _db.session.flush()
    status = dict(_db.session.execute(
        select(Occurrence.id, occurrences.effective_status(TODAY))
        .where(Occurrence.activity_id == v1.activities[0].id)).all())
    assert status[rows[0].id] == "missed"  # 2..6 Sep, nothing recorded
    assert status[rows[1].id] == "done"
    current = next(o for o in rows if o.window_start <= TODAY <= o.due_on)
    assert status[current.id] == "planned"  # due on Sunday: not missed yet
    assert occurrences.status_of(rows[0], TODAY) is OccurrenceStatus.MISSED
    assert rows[0].status == OccurrenceStatus.PLANNED.value  # stored: still planned


def test_marking_by_hand(case, staff):
    v1 = _approved_v1(case, staff)
    first = _occurrences(v1.activities[0])[0]
    psychologist = staff["psychologist"]

    def mark(status, done_on=None, result=None, version=None):
        return services.mark_occurrence(psychologist, first, status, done_on, result,
                                        first.version if version is None else version, TODAY)

    for args, field in [(("done", TODAY + timedelta(days=1), "R"), "done_on"),
                        (("done", ENROLLED - timedelta(days=1), "R"), "done_on"),
                        (("done", None, "R"), "done_on"),
                        (("done", TODAY, ""), "result"),
                        (("cancelled", None, " "), "result"),
                        (("postponed", None, "R"), "status")]:
        with pytest.raises(ServiceError) as refusal:
            mark(*args)
        assert refusal.value.field == field
    opened_at = first.version
    mark("done", date(2026, 9, 4), "Кеңес өтті, мазасыздық азайды")
    assert (first.status, first.done_on, first.marked_by_id) == (
        "done", date(2026, 9, 4), psychologist.id)
    with pytest.raises(ConflictError):
        mark("missed", version=opened_at)
    mark("missed", result="Келмеді")
    assert (first.status, first.done_on) == ("missed", None)
    mark("planned")
    assert (first.status, first.result, first.marked_by_id) == ("planned", None, None)
    assert _db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "irp_occurrences", AuditEntry.action == "mark")) == 3
    event = _db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "irp_occurrence")
                                .order_by(CaseEvent.id)).first()
    assert event.clinical  # psychological help
    assert event.data["status"] == "done"


def _session(case, staff, held_on: date):
    from juvenile.sessions.models import Session

    session = Session(kind="consultation", held_on=held_on, duration_minutes=40,
                      format="in_person", conducted_by_id=staff["psychologist"].id,
                      summary="", recorded_by_id=staff["psychologist"].id)
    session.place_from(case.enrolment)
    _db.session.add(session)
    _db.session.flush()
    return session


def test_work_held_before_the_approval_ticks_the_new_periods(case, staff):
    """The programme is approved weeks after the first consultations: they count."""
    early = _session(case, staff, date(2026, 9, 3))  # in the week of 31 Aug .. 6 Sep
    second = _session(case, staff, date(2026, 9, 4))  # same week: one tick only
    later = _session(case, staff, date(2026, 9, 16))
    v1 = _approved_v1(case, staff)
    rows = _occurrences(v1.activities[0])
    by_session = {o.session_id: o for o in rows if o.session_id}
    assert set(by_session) == {early.id, later.id}
    assert by_session[early.id].status == "done"
    assert by_session[early.id].done_on == date(2026, 9, 3)
    assert second.id not in by_session
    week_of_7_sep = next(o for o in rows if o.window_start <= date(2026, 9, 9) <= o.due_on)
    assert occurrences.status_of(week_of_7_sep, TODAY) is OccurrenceStatus.MISSED


def test_a_period_ticked_off_by_a_record_is_changed_through_the_record(case, staff):
    _approved_v1(case, staff)
    session = _session(case, staff, date(2026, 9, 8))
    ticked = occurrences.fulfil(case.enrolment.id, "consultation", session.held_on,
                                session_id=session.id)
    with pytest.raises(ServiceError):
        services.mark_occurrence(staff["psychologist"], ticked, "cancelled", None, "R",
                                 ticked.version, TODAY)
    assert occurrences.release(session_id=session.id) == 1
    _db.session.flush()
    assert (ticked.status, ticked.session_id) == ("planned", None)
    # now the specialist may mark it
    services.mark_occurrence(staff["psychologist"], ticked, "cancelled", None, "Ауырды",
                             ticked.version, TODAY)
    assert ticked.status == "cancelled"


# --- comparison ------------------------------------------------------------------------------


def test_compare_finds_added_removed_and_changed_lines_through_versions(case, staff, world):
    psychologist, deputy = staff["psychologist"], staff["school_admin"]
    v1 = services.start_draft(psychologist, case.enrolment, "Бірінші мақсат\nЕкінші", TODAY)
    for title, direction in [("Кеңес", "psychological"), ("Үйге бару", "family"),
                             ("Секция", "leisure")]:
        services.add_activity(psychologist, v1, _data(
            title=title, direction=direction, responsible_user_id=psychologist.id),
            v1.version)
    services.approve(deputy, v1, v1.version, TODAY)
    v2 = services.start_draft(psychologist, case.enrolment, v1.goals, TODAY, reason="1")
    services.approve(deputy, v2, v2.version, TODAY)  # unchanged in between
    v3 = services.start_draft(psychologist, case.enrolment, "Бірінші мақсат\nҮшінші",
                              TODAY, reason="2")
    by_title = {a.title: a for a in v3.activities}
    services.update_activity(psychologist, by_title["Кеңес"], _data(
        title="Кеңес", frequency="fortnightly", responsible_user_id=psychologist.id),
        v3.version)
    services.remove_activity(psychologist, by_title["Үйге бару"], v3.version)
    services.add_activity(psychologist, v3, _data(
        title="Кәсіптік бағдар", direction="education",
        partner_organisation_id=world.orgs["college1"].id), v3.version)
    _db.session.commit()

    c = queries.compare(v3.id, v1.id, TODAY)  # either order: the older on the left
    assert (c.old.number, c.new.number) == (1, 3)
    kinds = {(ch.kind, (ch.new or ch.old).title) for ch in c.changes}
    assert kinds == {("changed", "Кеңес"), ("removed", "Үйге бару"), ("same", "Секция"),
                     ("added", "Кәсіптік бағдар")}
    changed = next(ch for ch in c.changes if ch.kind == "changed")
    assert changed.fields == ["frequency"]
    assert c.goals == [("same", "Бірінші мақсат"), ("removed", "Екінші"),
                       ("added", "Үшінші")]


def test_closing_the_case_withdraws_the_plans_after_the_closing_day(case, staff):
    from juvenile.cases import services as case_services
    from juvenile.cases.services import ClosureData

    v1 = _approved_v1(case, staff)
    closed_on = date(2026, 10, 7)  # a Wednesday: its week is due on Sunday 11 October
    case_services.close_enrolment(staff["school_admin"], case.enrolment,
                                  ClosureData("moved_away", closed_on, "Отбасы көшіп кетті"),
                                  TODAY, case.enrolment.version)
    _db.session.commit()
    rows = _occurrences(v1.activities[0])
    assert rows and max(o.due_on for o in rows) == date(2026, 10, 4)  # the last whole week
    assert all(o.due_on <= closed_on for o in rows)
    assert _db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "irp_versions", AuditEntry.action == "withdraw")) == 1
