"""Rules of sessions and group sessions: dates within the case, the duration's range, who
writes notes, the programme occurrences a session ticks off and gives back, attendance
per minor, the audit trail (never the notes' text) and the timeline."""

from datetime import timedelta

import pytest
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today as region_today
from juvenile.cases.models import CaseEvent
from juvenile.cases.timeline import describe
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from juvenile.irp import occurrences
from juvenile.irp.models import Activity, Occurrence, OccurrenceStatus
from juvenile.irp.requirements import consultations_held
from juvenile.sessions import services
from juvenile.sessions.models import GroupSession, Session
from tests.stage_work import approve_irp

SECRET = "secret-clinical-note-text"


@pytest.fixture
def today(app):
    return region_today()


@pytest.fixture
def case(world, make_case, today):
    return make_case(world.orgs["school1"], enrolled_on=today - timedelta(days=40),
                     stage="active")


@pytest.fixture
def psychologist(world):
    return world.users["psychologist"]


@pytest.fixture
def pedagogue(world):
    return world.users["social_pedagogue"]


def _data(user, day, **changes) -> services.SessionData:
    values = dict(kind="consultation", held_on=day, duration_minutes=45, format="in_person",
                  conducted_by_id=user.id, participants=None, summary="Әңгіме өтті",
                  confidential_notes=None)
    return services.SessionData(**(values | changes))


def weekly_consultations(enrolment, actor, starts_on, weeks=6, kind="consultation"):
    """An approved IRP with a weekly activity fulfilled by ``kind``, expanded."""
    irp = approve_irp(_db, enrolment, actor, starts_on)
    activity = Activity(irp=irp, direction="psychological", title="Апта сайынғы кеңес",
                        fulfilled_by=kind, frequency="weekly", starts_on=starts_on,
                        ends_on=starts_on + timedelta(weeks=weeks), responsible_user_id=actor.id)
    _db.session.add(activity)
    _db.session.flush()
    occurrences.expand(activity)
    _db.session.commit()
    return activity


def _occurrence_on(activity, day) -> Occurrence:
    return _db.session.scalar(select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.window_start <= day,
        Occurrence.due_on >= day))


def _done(activity) -> list[tuple]:
    _db.session.expire_all()
    return list(_db.session.execute(
        select(Occurrence.due_on, Occurrence.session_id).where(
            Occurrence.activity_id == activity.id,
            Occurrence.status == OccurrenceStatus.DONE.value).order_by(Occurrence.due_on)))


# --- dates and values --------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    (lambda t, e: {"held_on": t + timedelta(days=1)}, "held_on"),
    (lambda t, e: {"held_on": e.enrolled_on - timedelta(days=1)}, "held_on"),
    (lambda t, e: {"duration_minutes": 4}, "duration_minutes"),
    (lambda t, e: {"duration_minutes": 481}, "duration_minutes"),
    (lambda t, e: {"kind": "gossip"}, "kind"),
    (lambda t, e: {"format": "letter"}, "format"),
])
def test_bad_values_are_refused_beside_their_field(case, psychologist, today, change, field):
    with pytest.raises(ServiceError) as refused:
        services.record_session(psychologist, case.enrolment,
                                _data(psychologist, today, **change(today, case.enrolment)),
                                today)
    assert refused.value.field == field
    _db.session.rollback()
    assert _db.session.scalar(select(func.count(Session.id))) == 0


def test_the_bounds_of_the_duration_are_accepted(case, psychologist, today):
    for minutes in (5, 480):
        services.record_session(psychologist, case.enrolment,
                                _data(psychologist, today, duration_minutes=minutes), today)
    assert _db.session.scalar(select(func.count(Session.id))) == 2


def test_a_session_on_the_enrolment_day_and_today_are_accepted(case, psychologist, today):
    services.record_session(psychologist, case.enrolment,
                            _data(psychologist, case.enrolment.enrolled_on), today)
    services.record_session(psychologist, case.enrolment, _data(psychologist, today), today)
    assert _db.session.scalar(select(func.count(Session.id))) == 2


def test_a_session_cannot_move_past_the_closure_of_its_case(case, psychologist, today):
    saved = services.record_session(psychologist, case.enrolment,
                                    _data(psychologist, today - timedelta(days=10)), today)
    case.enrolment.closed_on = today - timedelta(days=5)
    case.enrolment.closure_reason = "completed"
    _db.session.commit()
    with pytest.raises(ServiceError) as refused:
        services.update_session(psychologist, saved.session,
                                _data(psychologist, today - timedelta(days=2)), 1, today)
    assert refused.value.field == "held_on"
    _db.session.rollback()
    with pytest.raises(ServiceError):  # a closed case takes no new sessions
        services.record_session(psychologist, case.enrolment,
                                _data(psychologist, today - timedelta(days=7)), today)


def test_the_conductor_is_a_specialist_of_the_school(case, psychologist, world, make_user,
                                                    today):
    other = make_user(Role.PSYCHOLOGIST, world.orgs["school2"])
    for conductor in (other, world.users["school_admin"]):
        with pytest.raises(ServiceError) as refused:
            services.record_session(psychologist, case.enrolment,
                                    _data(conductor, today), today)
        assert refused.value.field == "conducted_by_id"
    pedagogue = world.users["social_pedagogue"]
    saved = services.record_session(psychologist, case.enrolment, _data(pedagogue, today),
                                    today)
    assert saved.session.conducted_by_id == pedagogue.id


@pytest.mark.parametrize("role", ["school_admin", "police_inspector", "district_coordinator"])
def test_only_the_school_specialists_record_sessions(case, world, today, role):
    user = world.users[role]
    with pytest.raises(ServiceError):
        services.record_session(user, case.enrolment, _data(world.users["psychologist"],
                                                            today), today)


def test_a_specialist_of_another_school_cannot_record(case, world, make_user, today):
    other = make_user(Role.PSYCHOLOGIST, world.orgs["school2"])
    with pytest.raises(ServiceError):
        services.record_session(other, case.enrolment, _data(other, today), today)


# --- notes -------------------------------------------------------------------------------


def test_only_psychologists_write_notes_and_the_trail_never_keeps_them(
        case, psychologist, pedagogue, today):
    with pytest.raises(ServiceError) as refused:
        services.record_session(pedagogue, case.enrolment,
                                _data(pedagogue, today, confidential_notes=SECRET), today)
    assert refused.value.field == "confidential_notes"
    _db.session.rollback()
    saved = services.record_session(psychologist, case.enrolment,
                                     _data(psychologist, today, confidential_notes=SECRET),
                                     today)
    _db.session.commit()
    assert saved.session.confidential_notes == SECRET
    services.update_session(psychologist, saved.session, _data(
        psychologist, today, confidential_notes=SECRET + " more"), 1, today)
    _db.session.commit()
    entries = list(_db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "sessions").order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].changes["confidential_notes"] is True
    assert entries[1].changes == {"confidential_notes": "changed"}
    assert all(SECRET not in str(e.changes) and SECRET not in e.summary for e in entries)


def test_a_social_pedagogue_s_edit_keeps_the_psychologist_s_notes(
        case, psychologist, pedagogue, today):
    saved = services.record_session(pedagogue, case.enrolment,
                                     _data(pedagogue, today, kind="contact_family"), today)
    _db.session.commit()
    services.update_session(psychologist, saved.session,
                            _data(pedagogue, today, kind="contact_family",
                                  confidential_notes=SECRET), 1, today)
    _db.session.commit()
    services.update_session(pedagogue, saved.session,
                            _data(pedagogue, today, kind="contact_family", summary="Жаңа"),
                            2, today)
    _db.session.commit()
    assert (saved.session.summary, saved.session.confidential_notes) == ("Жаңа", SECRET)


def test_a_session_is_changed_by_its_recorder_or_a_psychologist(case, world, make_user,
                                                                 psychologist, today):
    recorder = world.users["social_pedagogue"]
    saved = services.record_session(psychologist, case.enrolment,
                                     _data(psychologist, today), today)
    _db.session.commit()
    with pytest.raises(ServiceError):
        services.update_session(recorder, saved.session, _data(psychologist, today), 1, today)
    with pytest.raises(ServiceError):
        services.delete_session(recorder, saved.session, "қате", 1)
    other_psychologist = make_user(Role.PSYCHOLOGIST, world.orgs["school1"])
    services.update_session(other_psychologist, saved.session,
                            _data(psychologist, today, duration_minutes=50), 1, today)
    assert saved.session.duration_minutes == 50


def test_an_edit_from_a_stale_version_is_refused(case, psychologist, today):
    saved = services.record_session(psychologist, case.enrolment,
                                     _data(psychologist, today), today)
    _db.session.commit()
    services.update_session(psychologist, saved.session,
                            _data(psychologist, today, duration_minutes=60), 1, today)
    _db.session.commit()
    with pytest.raises(ConflictError):
        services.update_session(psychologist, saved.session,
                                _data(psychologist, today, duration_minutes=30), 1, today)
    with pytest.raises(ConflictError):
        services.delete_session(psychologist, saved.session, "қате", 1)


# --- the programme's occurrences ---------------------------------------------------------


def test_a_session_ticks_off_the_occurrence_of_its_week(case, psychologist, today):
    start = today - timedelta(days=28)
    activity = weekly_consultations(case.enrolment, psychologist, start)
    day = today - timedelta(days=10)
    expected = _occurrence_on(activity, day)
    saved = services.record_session(psychologist, case.enrolment,
                                    _data(psychologist, day), today)
    _db.session.commit()
    assert saved.ticked is not None and saved.ticked.id == expected.id
    assert saved.ticked.activity.title == "Апта сайынғы кеңес"
    assert _done(activity) == [(expected.due_on, saved.session.id)]
    # another kind of work ticks nothing off
    other = services.record_session(psychologist, case.enrolment,
                                    _data(psychologist, day, kind="contact_family"), today)
    assert other.ticked is None
    # a second consultation in the same week finds nothing left to tick there
    again = services.record_session(psychologist, case.enrolment, _data(psychologist, day),
                                    today)
    assert again.ticked is None


def test_moving_a_session_gives_back_its_occurrence_and_ticks_the_new_one(
        case, psychologist, today):
    activity = weekly_consultations(case.enrolment, psychologist, today - timedelta(days=28))
    first_day, later_day = today - timedelta(days=20), today - timedelta(days=3)
    saved = services.record_session(psychologist, case.enrolment,
                                    _data(psychologist, first_day), today)
    _db.session.commit()
    summary_only = services.update_session(psychologist, saved.session, _data(
        psychologist, first_day, summary="Түзетілді"), 1, today)
    assert summary_only.ticked is None
    assert _done(activity) == [(_occurrence_on(activity, first_day).due_on, saved.session.id)]
    moved = services.update_session(psychologist, saved.session,
                                    _data(psychologist, later_day), 2, today)
    _db.session.commit()
    assert moved.ticked.id == _occurrence_on(activity, later_day).id
    assert _done(activity) == [(_occurrence_on(activity, later_day).due_on, saved.session.id)]
    changed_kind = services.update_session(psychologist, saved.session, _data(
        psychologist, later_day, kind="contact_minor"), 3, today)
    _db.session.commit()
    assert changed_kind.ticked is None
    assert _done(activity) == []


def test_deleting_a_session_plans_its_occurrence_again(case, psychologist, today):
    activity = weekly_consultations(case.enrolment, psychologist, today - timedelta(days=28))
    day = today - timedelta(days=10)
    saved = services.record_session(psychologist, case.enrolment,
                                    _data(psychologist, day, confidential_notes=SECRET), today)
    _db.session.commit()
    session_id = saved.session.id
    with pytest.raises(ServiceError) as refused:
        services.delete_session(psychologist, saved.session, "  ", 1)
    assert refused.value.field == "reason"
    services.delete_session(psychologist, saved.session, "Қате енгізілді", 1)
    _db.session.commit()
    assert _db.session.get(Session, session_id) is None
    assert _done(activity) == []
    assert _occurrence_on(activity, day).status == OccurrenceStatus.PLANNED.value
    assert _db.session.scalar(select(func.count(CaseEvent.id)).where(
        CaseEvent.kind == "session")) == 0
    entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delete"))
    assert (entry.object_type, entry.object_id) == ("sessions", session_id)
    assert entry.changes["reason"] == "(text)"  # that a reason was given, not what it says
    assert "Қате енгізілді" not in str(entry.changes)
    assert SECRET not in str(entry.changes)


# --- the trail never keeps the text ------------------------------------------------------


def _trail(object_type: str) -> list[AuditEntry]:
    return list(_db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == object_type).order_by(AuditEntry.id)))


def _no_text_in(entries, *texts) -> None:
    for entry in entries:
        for text in texts:
            assert text not in str(entry.changes), (entry.action, text)
            assert text not in entry.summary, (entry.action, text)


def test_the_trail_says_a_text_changed_never_what_it_says(case, psychologist, today):
    """The district coordinator reads the trail: a session's summary, its participants and
    the reason for its deletion appear there only as a marker."""
    saved = services.record_session(psychologist, case.enrolment, _data(
        psychologist, today, kind="crisis_help", summary="SUMMARY-SELF-HARM",
        participants="PARENT-AIGUL"), today)
    _db.session.commit()
    session = saved.session
    services.update_session(psychologist, session, _data(
        psychologist, today, kind="crisis_help", summary="SUMMARY-FOLLOW-UP",
        participants="PARENT-AIGUL", duration_minutes=50), 1, today)
    _db.session.commit()
    services.update_session(psychologist, session, _data(
        psychologist, today, kind="crisis_help", summary="SUMMARY-FOLLOW-UP",
        participants=None, duration_minutes=50), 2, today)
    _db.session.commit()
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "session"))
    assert line.data == {"session_id": session.id, "kind": "crisis_help", "minutes": 50,
                         "format": "in_person"}  # the timeline keeps no text either
    services.delete_session(psychologist, session, "REASON-WRONG-CHILD", 3)
    _db.session.commit()
    create, edit, cleared, delete = _trail("sessions")
    assert [create.action, edit.action, cleared.action, delete.action] == [
        "create", "update", "update", "delete"]
    # codes, dates and numbers in the clear; the text only marked
    assert create.changes == {
        "kind": "crisis_help", "held_on": today.isoformat(), "duration_minutes": 45,
        "format": "in_person", "conducted_by_id": psychologist.id,
        "participants": "(text)", "summary": "(text)", "confidential_notes": False}
    assert edit.changes == {"summary": ["(text)", "(text)"], "duration_minutes": [45, 50]}
    assert cleared.changes == {"participants": ["(text)", None]}
    assert delete.changes["reason"] == "(text)"
    _no_text_in([create, edit, cleared, delete], "SUMMARY-SELF-HARM", "SUMMARY-FOLLOW-UP",
                "PARENT-AIGUL", "REASON-WRONG-CHILD")


def test_the_trail_keeps_no_topic_or_summary_of_a_group(three_cases, psychologist, today):
    first, second, _third = three_cases
    saved = services.record_group_session(psychologist, _group(
        psychologist, today, {first.enrolment.id: True}, topic="TOPIC-SUICIDE-PREVENTION",
        summary="GROUP-SUMMARY"), today)
    _db.session.commit()
    services.update_group_session(psychologist, saved.group, _group(
        psychologist, today, {first.enrolment.id: True, second.enrolment.id: False},
        topic="TOPIC-RENAMED", summary="GROUP-SUMMARY"), 1, today)
    _db.session.commit()
    services.delete_group_session(psychologist, saved.group, "REASON-DUPLICATE", 2)
    _db.session.commit()
    create, update, delete = _trail("group_sessions")
    assert create.changes["topic"] == "(text)" and create.changes["summary"] == "(text)"
    assert create.changes["kind"] == "training"
    assert update.changes["topic"] == ["(text)", "(text)"]
    assert update.changes["absent"] == [[], [second.minor.id]]
    assert delete.changes["reason"] == "(text)"
    _no_text_in([create, update, delete], "TOPIC-SUICIDE-PREVENTION", "TOPIC-RENAMED",
                "GROUP-SUMMARY", "REASON-DUPLICATE")


# --- deleting a group session -------------------------------------------------------------


def test_deleting_a_group_session_removes_every_line_and_plans_the_ticks_again(
        three_cases, psychologist, today):
    first, second, third = three_cases
    day = today - timedelta(days=5)
    activities = [weekly_consultations(c.enrolment, psychologist, today - timedelta(days=28),
                                       kind="training") for c in (first, second)]
    saved = services.record_group_session(psychologist, _group(psychologist, day, {
        first.enrolment.id: True, second.enrolment.id: True, third.enrolment.id: False}),
        today)
    other = services.record_group_session(psychologist, _group(
        psychologist, day - timedelta(days=1), {third.enrolment.id: True}), today)
    _db.session.commit()
    group_id, line_ids = saved.group.id, [line.id for line in saved.group.participants]
    assert [len(_done(a)) for a in activities] == [1, 1]
    with pytest.raises(ServiceError) as refused:
        services.delete_group_session(psychologist, saved.group, " ", 1)
    assert refused.value.field == "reason"
    _db.session.rollback()
    with pytest.raises(ConflictError):
        services.delete_group_session(psychologist, saved.group, "Екі рет енгізілді", 2)
    _db.session.rollback()
    services.delete_group_session(psychologist, saved.group, "Екі рет енгізілді", 1)
    _db.session.commit()
    assert _db.session.get(GroupSession, group_id) is None
    assert _db.session.scalar(select(func.count(Session.id)).where(
        Session.id.in_(line_ids))) == 0
    assert [_done(a) for a in activities] == [[], []]  # planned again
    # the timeline keeps only the other group's line
    events = list(_db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "session")))
    assert [(e.minor_id, e.data["session_id"]) for e in events] == [
        (third.minor.id, other.group.participants[0].id)]
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "group_sessions", AuditEntry.action == "delete"))
    assert entry.object_id == group_id
    assert entry.changes["attended"] == sorted([first.minor.id, second.minor.id])
    assert entry.changes["absent"] == [third.minor.id]
    assert entry.changes["held_on"] == day.isoformat()
    assert entry.changes["reason"] == "(text)"


def test_a_group_session_is_deleted_by_its_recorder_or_a_psychologist(
        three_cases, psychologist, pedagogue, world, make_user, today):
    ours = {three_cases[0].enrolment.id: True}
    by_psychologist = services.record_group_session(psychologist, _group(
        psychologist, today, ours), today).group
    by_pedagogue = services.record_group_session(pedagogue, _group(
        pedagogue, today, ours), today).group
    _db.session.commit()
    others = [pedagogue, world.users["school_admin"],
              make_user(Role.PSYCHOLOGIST, world.orgs["school2"])]
    for user in others:
        with pytest.raises(ServiceError):
            services.delete_group_session(user, by_psychologist, "Қате", 1)
        _db.session.rollback()
    assert _db.session.get(GroupSession, by_psychologist.id) is not None
    services.delete_group_session(pedagogue, by_pedagogue, "Қате", 1)  # their own
    _db.session.commit()
    services.delete_group_session(psychologist, by_psychologist, "Қате", 1)
    _db.session.commit()
    assert _db.session.scalar(select(func.count(GroupSession.id))) == 0
    assert _db.session.scalar(select(func.count(Session.id))) == 0


# --- the timeline ------------------------------------------------------------------------


def test_psychological_sessions_are_clinical_lines_and_contacts_are_not(
        app, case, psychologist, today):
    consultation = services.record_session(psychologist, case.enrolment,
                                           _data(psychologist, today), today)
    contact = services.record_session(psychologist, case.enrolment, _data(
        psychologist, today, kind="contact_family", format="phone", duration_minutes=15),
        today)
    _db.session.commit()
    lines = {e.data["session_id"]: e for e in _db.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == "session"))}
    assert lines[consultation.session.id].clinical is True
    assert lines[contact.session.id].clinical is False
    assert lines[contact.session.id].data == {
        "session_id": contact.session.id, "kind": "contact_family", "minutes": 15,
        "format": "phone"}
    with app.test_request_context(), force_locale("kk"):
        expected = gettext("Session (%(kind)s), %(minutes)d min, %(format)s.",
                           kind=gettext("contact with the family"), minutes=15,
                           format=gettext("phone"))
        assert describe("session", lines[contact.session.id].data) == expected


def test_an_edit_moves_the_timeline_line_and_its_clinical_flag(case, psychologist, today):
    saved = services.record_session(psychologist, case.enrolment, _data(
        psychologist, today, kind="contact_minor"), today)
    _db.session.commit()
    services.update_session(psychologist, saved.session, _data(
        psychologist, today - timedelta(days=2), kind="crisis_help"), 1, today)
    _db.session.commit()
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "session"))
    assert (line.occurred_on, line.clinical, line.data["kind"]) == (
        today - timedelta(days=2), True, "crisis_help")


# --- group sessions ----------------------------------------------------------------------


@pytest.fixture
def three_cases(world, make_case, today):
    school = world.orgs["school1"]
    return [make_case(school, enrolled_on=today - timedelta(days=40), surname=name,
                      stage="active") for name in ("Әлиев", "Бекова", "Серіков")]


def _group(user, day, attendance, **changes) -> services.GroupData:
    values = dict(kind="training", topic="Ашуды басқару", held_on=day, duration_minutes=60,
                  format="in_person", conducted_by_id=user.id, summary="Жаттығулар",
                  confidential_notes=None, attendance=attendance)
    return services.GroupData(**(values | changes))


def test_a_group_session_has_a_line_per_minor_and_fulfils_only_attendees(
        three_cases, psychologist, today):
    day = today - timedelta(days=5)
    activities = [weekly_consultations(c.enrolment, psychologist, today - timedelta(days=28),
                                       kind="training") for c in three_cases]
    came, also_came, away = three_cases
    saved = services.record_group_session(psychologist, _group(psychologist, day, {
        came.enrolment.id: True, also_came.enrolment.id: True, away.enrolment.id: False}),
        today)
    _db.session.commit()
    assert saved.ticked == 2
    lines = {s.enrolment_id: s for s in _db.session.scalars(
        select(Session).where(Session.group_session_id == saved.group.id))}
    assert {e: s.attended for e, s in lines.items()} == {
        came.enrolment.id: True, also_came.enrolment.id: True, away.enrolment.id: False}
    assert all((s.kind, s.held_on, s.duration_minutes) == ("training", day, 60)
               for s in lines.values())
    assert [len(_done(a)) for a in activities] == [1, 1, 0]
    assert _done(activities[0]) == [(_occurrence_on(activities[0], day).due_on,
                                     lines[came.enrolment.id].id)]
    events = {e.minor_id: e.data for e in _db.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == "session"))}
    assert events[away.minor.id]["attended"] is False
    assert events[came.minor.id] | {"session_id": 0} == {
        "session_id": 0, "kind": "training", "minutes": 60, "format": "in_person",
        "group": True, "attended": True}
    with current_app.test_request_context(), force_locale("kk"):
        assert describe("session", events[away.minor.id]) == gettext(
            "Group session (%(kind)s): the minor did not attend.",
            kind=gettext("training (emotions, stress)"))


def test_attendance_changed_later_releases_and_fulfils(three_cases, psychologist, today):
    day = today - timedelta(days=5)
    first, second, _third = three_cases
    activities = {c.enrolment.id: weekly_consultations(
        c.enrolment, psychologist, today - timedelta(days=28), kind="training")
        for c in (first, second)}
    saved = services.record_group_session(psychologist, _group(psychologist, day, {
        first.enrolment.id: True, second.enrolment.id: False}), today)
    _db.session.commit()
    group = saved.group
    assert group.version == 1
    again = services.update_group_session(psychologist, group, _group(psychologist, day, {
        first.enrolment.id: False, second.enrolment.id: True}), 1, today)
    _db.session.commit()
    assert again.ticked == 1
    assert group.version == 2  # attendance alone makes a new version
    assert _done(activities[first.enrolment.id]) == []
    assert len(_done(activities[second.enrolment.id])) == 1
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "group_sessions", AuditEntry.action == "update"))
    assert entry.changes["attended"] == [[first.minor.id], [second.minor.id]]
    with pytest.raises(ConflictError):
        services.update_group_session(psychologist, group, _group(psychologist, day, {
            first.enrolment.id: True}), 1, today)
    _db.session.rollback()
    # saving it unchanged is no change: no new version, nothing in the trail
    services.update_group_session(psychologist, group, _group(psychologist, day, {
        first.enrolment.id: False, second.enrolment.id: True}), 2, today)
    _db.session.commit()
    assert group.version == 2
    assert _db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "group_sessions", AuditEntry.action == "update")) == 1


def test_a_minor_taken_out_of_the_group_loses_the_line_and_its_tick(
        three_cases, psychologist, today):
    day = today - timedelta(days=5)
    first, second, third = three_cases
    activity = weekly_consultations(first.enrolment, psychologist, today - timedelta(days=28),
                                    kind="training")
    saved = services.record_group_session(psychologist, _group(psychologist, day, {
        first.enrolment.id: True, second.enrolment.id: True}), today)
    _db.session.commit()
    services.update_group_session(psychologist, saved.group, _group(psychologist, day, {
        second.enrolment.id: True, third.enrolment.id: True}), 1, today)
    _db.session.commit()
    enrolled = set(_db.session.scalars(select(Session.enrolment_id).where(
        Session.group_session_id == saved.group.id)))
    assert enrolled == {second.enrolment.id, third.enrolment.id}
    assert _done(activity) == []
    assert _db.session.scalar(select(func.count(CaseEvent.id)).where(
        CaseEvent.kind == "session", CaseEvent.minor_id == first.minor.id)) == 0


def test_a_new_date_moves_every_line_and_its_tick(three_cases, psychologist, today):
    first = three_cases[0]
    activity = weekly_consultations(first.enrolment, psychologist, today - timedelta(days=28),
                                    kind="training")
    early, late = today - timedelta(days=20), today - timedelta(days=2)
    saved = services.record_group_session(psychologist, _group(
        psychologist, early, {first.enrolment.id: True}), today)
    _db.session.commit()
    services.update_group_session(psychologist, saved.group, _group(
        psychologist, late, {first.enrolment.id: True}), 1, today)
    _db.session.commit()
    line = _db.session.scalar(select(Session).where(Session.group_session_id == saved.group.id))
    assert line.held_on == late
    assert _done(activity) == [(_occurrence_on(activity, late).due_on, line.id)]


def test_group_refusals(three_cases, psychologist, world, make_case, today):
    day = today - timedelta(days=5)
    elsewhere = make_case(world.orgs["school2"], enrolled_on=today - timedelta(days=30))
    newcomer = make_case(world.orgs["school1"], enrolled_on=today - timedelta(days=1),
                         surname="Жаңабаев")
    ours = three_cases[0].enrolment.id
    for attendance, field in (({}, "minors"), ({elsewhere.enrolment.id: True}, "minors"),
                              ({ours: True, newcomer.enrolment.id: True}, "minors")):
        with pytest.raises(ServiceError) as refused:
            services.record_group_session(psychologist, _group(psychologist, day, attendance),
                                          today)
        assert refused.value.field == field
        _db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        services.record_group_session(psychologist, _group(psychologist, day, {ours: True},
                                                           topic=" "), today)
    assert refused.value.field == "topic"
    _db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        services.record_group_session(world.users["social_pedagogue"], _group(
            psychologist, day, {ours: True}, confidential_notes=SECRET), today)
    assert refused.value.field == "confidential_notes"
    _db.session.rollback()
    with pytest.raises(ServiceError):
        services.record_group_session(world.users["school_admin"], _group(
            psychologist, day, {ours: True}), today)
    _db.session.rollback()
    assert _db.session.scalar(select(func.count(GroupSession.id))) == 0
    assert _db.session.scalar(select(func.count(Session.id))) == 0


def test_group_notes_stay_out_of_the_trail(three_cases, psychologist, today):
    saved = services.record_group_session(psychologist, _group(
        psychologist, today, {three_cases[0].enrolment.id: True}, confidential_notes=SECRET),
        today)
    _db.session.commit()
    assert saved.group.confidential_notes == SECRET
    lines = list(_db.session.scalars(select(Session)))
    assert [line.confidential_notes for line in lines] == [None]
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "group_sessions"))
    assert entry.changes["confidential_notes"] is True
    assert entry.changes["attended"] == [three_cases[0].minor.id]
    assert SECRET not in str(entry.changes)


# --- the active stage's consultation requirement -----------------------------------------


def test_only_attended_psychological_lines_count_as_consultations(
        three_cases, psychologist, today):
    first, second, _ = three_cases
    since = today - timedelta(days=30)
    services.record_group_session(psychologist, _group(psychologist, today - timedelta(days=3),
        {first.enrolment.id: True, second.enrolment.id: False}), today)
    services.record_group_session(psychologist, _group(
        psychologist, today - timedelta(days=2), {first.enrolment.id: True},
        kind="parenting_training"), today)
    services.record_session(psychologist, second.enrolment,
                            _data(psychologist, today - timedelta(days=1)), today)
    _db.session.commit()
    assert consultations_held(first.enrolment, since, today) == 1
    assert consultations_held(second.enrolment, since, today) == 1
