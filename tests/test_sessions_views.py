"""Session screens per role: who reaches what, confidential notes only for the school's
psychologists, refusals beside the field with the typing kept, the case page's section,
the timeline within each role's visibility, and lists whose query count does not grow."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today as region_today
from juvenile.cases.models import CaseEvent
from juvenile.extensions import db as _db
from juvenile.irp.models import Occurrence, OccurrenceStatus
from juvenile.sessions import services
from juvenile.sessions.models import GroupSession, Session
from tests.conftest import PASSWORD, count_queries
from tests.matrices.sessions import MATRIX, make_targets
from tests.test_sessions import weekly_consultations

SECRET = "only-for-psychologists-7731"


def _t(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


@pytest.fixture
def today(app):
    return region_today()


@pytest.fixture
def case(world, make_case, today):
    # groups 1 and 2: the district's police inspector opens the case file too
    return make_case(world.orgs["school1"], enrolled_on=today - timedelta(days=40),
                     stage="active", groups=(1, 2))


def _record(user, enrolment, day, **changes) -> Session:
    values = dict(kind="consultation", held_on=day, duration_minutes=45, format="in_person",
                  conducted_by_id=user.id, summary="Әңгіме өтті", confidential_notes=None)
    saved = services.record_session(user, enrolment, services.SessionData(**(values | changes)),
                                    region_today())
    _db.session.commit()
    return saved.session


def _form(user, day, **changes) -> dict:
    values = {"kind": "consultation", "held_on": day.isoformat(), "duration_minutes": "40",
              "format": "in_person", "conducted_by_id": str(user.id), "participants": "",
              "summary": "Сабақ туралы әңгіме"}
    return values | changes


def _sign_in(client, user):
    client.post("/logout")
    assert client.post("/login", data={"login": user.login, "password": PASSWORD}
                       ).status_code == 302


# --- who reaches what --------------------------------------------------------------------


def _session_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("sessions."):
            yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_session_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule, _m in _session_routes(app)} == set(MATRIX)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_reaches_only_its_session_routes(app, client, world, case, role):
    values = make_targets(_db, world, case) | {"enrolment_id": case.enrolment.id,
                                               "minor_id": case.minor.id}
    _sign_in(client, world.users[role.value])
    for rule, methods in _session_routes(app):
        url = rule.build({name: values[name] for name in rule.arguments},
                         append_unknown=False)[1]
        for method in methods:
            status = client.open(url, method=method).status_code
            if role in MATRIX[rule.endpoint]:
                assert status not in (401, 403, 404), (method, url, status)
            else:
                assert status == 403, (method, url, status)


def test_staff_of_another_school_get_404(client, world, case, make_user):
    targets = make_targets(_db, world, case)
    _sign_in(client, make_user(Role.PSYCHOLOGIST, world.orgs["school2"]))
    for url in (f"/sessions/{targets['session_id']}",
                f"/sessions/{targets['session_id']}/edit",
                f"/sessions/{targets['session_id']}/delete",
                f"/group-sessions/{targets['group_session_id']}",
                f"/group-sessions/{targets['group_session_id']}/edit",
                f"/enrolments/{case.enrolment.id}/sessions",
                f"/enrolments/{case.enrolment.id}/sessions/new",
                f"/minors/{case.minor.id}/sessions"):
        assert client.get(url).status_code == 404, url
    assert f"/group-sessions/{targets['group_session_id']}" not in client.get(
        "/group-sessions").get_data(as_text=True)


def test_a_pedagogue_may_not_change_a_psychologist_s_session(client, world, case, today):
    session = _record(world.users["psychologist"], case.enrolment, today)
    _sign_in(client, world.users["social_pedagogue"])
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f"/sessions/{session.id}/edit" not in page
    assert client.get(f"/sessions/{session.id}/edit").status_code == 403
    assert client.post(f"/sessions/{session.id}/delete",
                       data={"reason": "x", "version": "1"}).status_code == 403
    _db.session.expire_all()
    assert _db.session.get(Session, session.id) is not None


# --- recording, refusals, notes ----------------------------------------------------------


def test_a_psychologist_records_a_session_that_ticks_off_the_programme(
        app, client, world, case, login_as, today):
    psychologist = world.users["psychologist"]
    activity = weekly_consultations(case.enrolment, psychologist, today - timedelta(days=28))
    login_as("psychologist")
    form_page = client.get(f"/enrolments/{case.enrolment.id}/sessions/new").get_data(
        as_text=True)
    assert 'name="confidential_notes"' in form_page
    assert f'<option selected value="{psychologist.id}">' in form_page
    response = client.post(f"/enrolments/{case.enrolment.id}/sessions/new",
                           data=_form(psychologist, today, confidential_notes=SECRET),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    saved = _db.session.scalar(select(Session))
    assert saved.confidential_notes == SECRET
    assert (_t(app, "The session is saved.") + " " + _t(
        app, "Ticked off in the programme: %(activity)s.", activity=activity.title)) in page
    assert SECRET in page  # the psychologist reads the notes on the session's page
    occurrence = _db.session.scalar(select(Occurrence).where(Occurrence.session_id == saved.id))
    assert occurrence.status == OccurrenceStatus.DONE.value


def test_a_session_without_planned_work_says_nothing_was_ticked(app, client, world, case,
                                                                login_as, today):
    login_as("social_pedagogue")
    response = client.post(f"/enrolments/{case.enrolment.id}/sessions/new",
                           data=_form(world.users["social_pedagogue"], today,
                                      kind="contact_family"), follow_redirects=True)
    flashes = re.findall(r'class="flash flash-success"[^>]*>([^<]*)<', response.get_data(
        as_text=True))
    assert flashes == [_t(app, "The session is saved.")]


def test_a_social_pedagogue_has_no_notes_field_and_never_sees_notes(
        client, world, case, login_as, today):
    session = _record(world.users["psychologist"], case.enrolment, today,
                      confidential_notes=SECRET)
    login_as("social_pedagogue")
    form_page = client.get(f"/enrolments/{case.enrolment.id}/sessions/new").get_data(
        as_text=True)
    assert "confidential_notes" not in form_page
    # a notes value slipped into the submission is ignored, not saved
    response = client.post(f"/enrolments/{case.enrolment.id}/sessions/new",
                           data=_form(world.users["social_pedagogue"], today,
                                      kind="contact_minor", confidential_notes="injected"))
    assert response.status_code == 302
    assert _db.session.scalar(select(Session.confidential_notes).where(
        Session.kind == "contact_minor")) is None
    for url in (f"/sessions/{session.id}", f"/minors/{case.minor.id}",
                f"/enrolments/{case.enrolment.id}/sessions", f"/minors/{case.minor.id}/sessions"):
        page = client.get(url).get_data(as_text=True)
        assert SECRET not in page, url
        assert 'id="confidential-notes"' not in page, url


def test_the_deputy_head_reads_sessions_but_not_notes(client, world, case, login_as, today):
    session = _record(world.users["psychologist"], case.enrolment, today,
                      confidential_notes=SECRET)
    login_as("school_admin")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Әңгіме өтті" in page
    assert SECRET not in page
    assert client.get(f"/enrolments/{case.enrolment.id}/sessions/new").status_code == 403


def test_refusals_sit_beside_the_field_and_keep_the_typing(app, client, world, case,
                                                           login_as, today):
    psychologist = login_as("psychologist")
    url = f"/enrolments/{case.enrolment.id}/sessions/new"
    future = client.post(url, data=_form(psychologist, today + timedelta(days=1),
                                         summary="Жазылған мәтін", confidential_notes=SECRET))
    page = future.get_data(as_text=True)
    assert future.status_code == 200
    assert 'id="held_on-error"' in page
    assert _t(app, "The date is in the future.") in page
    assert "Жазылған мәтін" in page and SECRET in page
    early = client.post(url, data=_form(psychologist, case.enrolment.enrolled_on
                                        - timedelta(days=1)))
    assert _t(app, "The date is before the enrolment in the programme.") in early.get_data(
        as_text=True)
    long = client.post(url, data=_form(psychologist, today, duration_minutes="600"))
    page = long.get_data(as_text=True)
    assert 'id="duration_minutes-error"' in page and 'value="600"' in page
    assert _t(app, "The duration is from %(min)d to %(max)d minutes.", min=5, max=480) in page
    assert _db.session.scalar(select(Session.id)) is None


def test_an_edit_from_a_stale_form_is_refused(app, client, world, case, login_as, today):
    session = _record(world.users["psychologist"], case.enrolment, today)
    psychologist = login_as("psychologist")
    url = f"/sessions/{session.id}/edit"
    assert 'name="version" type="hidden" value="1"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data=_form(psychologist, today, version="1",
                                       duration_minutes="50")).status_code == 302
    stale = client.post(url, data=_form(psychologist, today, version="1",
                                        duration_minutes="20"))
    page = stale.get_data(as_text=True)
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in page
    _db.session.expire_all()
    assert _db.session.get(Session, session.id).duration_minutes == 50


def test_deleting_asks_for_a_reason_and_gives_back_the_tick(client, world, case, login_as,
                                                            today):
    psychologist = world.users["psychologist"]
    weekly_consultations(case.enrolment, psychologist, today - timedelta(days=28))
    session_id = _record(psychologist, case.enrolment, today - timedelta(days=3)).id
    login_as("psychologist")
    url = f"/sessions/{session_id}/delete"
    refused = client.post(url, data={"version": "1", "reason": ""})
    assert refused.status_code == 200 and 'id="reason-error"' in refused.get_data(as_text=True)
    done = client.post(url, data={"version": "1", "reason": "Басқа балаға жазылды"})
    assert done.headers["Location"].endswith(f"/enrolments/{case.enrolment.id}/sessions")
    _db.session.expire_all()
    assert _db.session.get(Session, session_id) is None
    assert _db.session.scalar(select(Occurrence.id).where(
        Occurrence.status == OccurrenceStatus.DONE.value)) is None


# --- the case page and the timeline ------------------------------------------------------


def test_the_case_page_section_for_school_staff(app, client, world, case, login_as, today):
    psychologist = world.users["psychologist"]
    _record(psychologist, case.enrolment, today, confidential_notes=SECRET)
    _record(psychologist, case.enrolment, case.enrolment.enrolled_on, kind="contact_family")
    for role in ("psychologist", "social_pedagogue", "school_admin"):
        _sign_in(client, world.users[role])
        page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
        assert 'id="sessions-panel"' in page, role
        section = page[page.index('id="sessions-panel"'):]
        section = section[:section.index("</section>")]
        assert section.count('href="/sessions/') == 2  # the last sessions, newest first
        assert f"/enrolments/{case.enrolment.id}/sessions" in section
        assert SECRET not in page
        assert ("/sessions/new" in section) is (role != "school_admin")


@pytest.mark.parametrize("role", ["police_inspector", "district_coordinator"])
def test_outsiders_see_no_section_and_no_psychological_lines(app, client, world, case,
                                                             login_as, role, today):
    psychologist = world.users["psychologist"]
    _record(psychologist, case.enrolment, today, confidential_notes=SECRET)
    _record(psychologist, case.enrolment, today, kind="contact_family", format="phone",
            duration_minutes=15)
    services.record_group_session(psychologist, services.GroupData(
        kind="parenting_training", topic="Ата-аналар мектебі", held_on=today,
        duration_minutes=50, format="online", conducted_by_id=psychologist.id,
        attendance={case.enrolment.id: True}), region_today())
    _db.session.commit()
    login_as(role)
    response = client.get(f"/minors/{case.minor.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="sessions-panel"' not in page
    assert 'id="timeline"' in page
    assert SECRET not in page
    with app.test_request_context(), force_locale("kk"):
        consultation = gettext("Session (%(kind)s), %(minutes)d min, %(format)s.",
                               kind=gettext("individual consultation"), minutes=45,
                               format=gettext("in person"))
        contact = gettext("Session (%(kind)s), %(minutes)d min, %(format)s.",
                          kind=gettext("contact with the family"), minutes=15,
                          format=gettext("phone"))
        group = gettext("Group session (%(kind)s), %(minutes)d min, %(format)s.",
                        kind=gettext("parenting-skills training"), minutes=50,
                        format=gettext("online"))
    assert consultation not in page
    # The coordinator reads the programme's non-clinical lines (a contact with the
    # family); the police read only the case's legal course: no session line at all.
    sees_work = role == "district_coordinator"
    assert (contact in page) is sees_work
    assert (group in page) is sees_work
    _sign_in(client, world.users["psychologist"])
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert consultation in page and contact in page and group in page


# --- group sessions ----------------------------------------------------------------------


@pytest.fixture
def pupils(world, make_case, today):
    return [make_case(world.orgs["school1"], enrolled_on=today - timedelta(days=40),
                      surname=name, stage="active") for name in ("Әлиев", "Бекова", "Серіков")]


def _group_form(user, day, minors, absent=(), **changes) -> dict:
    values = {"kind": "training", "topic": "Стресті басқару", "held_on": day.isoformat(),
              "duration_minutes": "60", "format": "in_person", "conducted_by_id": str(user.id),
              "summary": "Топтық жаттығу", "minors": [str(m) for m in minors],
              "absent": [str(a) for a in absent]}
    return values | changes


def test_a_group_session_with_attendance_through_the_screens(app, client, world, pupils,
                                                             login_as, today):
    pedagogue = login_as("social_pedagogue")
    new_page = client.get("/group-sessions/new").get_data(as_text=True)
    assert "confidential_notes" not in new_page
    for pupil in pupils:
        assert pupil.minor.surname in new_page
    ids = [p.enrolment.id for p in pupils]
    day = today - timedelta(days=2)
    response = client.post("/group-sessions/new", data=_group_form(
        pedagogue, day, ids, absent=[ids[2]]))
    assert response.status_code == 302
    group = _db.session.scalar(select(GroupSession))
    assert response.headers["Location"].endswith(f"/group-sessions/{group.id}")
    page = client.get(f"/group-sessions/{group.id}").get_data(as_text=True)
    assert _t(app, "Attendance: %(attended)d of %(total)d", attended=2, total=3) in page
    listing = client.get("/group-sessions").get_data(as_text=True)
    assert _t(app, "%(attended)d of %(total)d", attended=2, total=3) in listing
    # the third pupil came after all, the first did not
    edit = client.post(f"/group-sessions/{group.id}/edit", data=_group_form(
        pedagogue, day, ids, absent=[ids[0]], version="1"))
    assert edit.status_code == 302
    _db.session.expire_all()
    attended = dict(_db.session.execute(select(Session.enrolment_id, Session.attended)).all())
    assert attended == {ids[0]: False, ids[1]: True, ids[2]: True}
    stale = client.post(f"/group-sessions/{group.id}/edit", data=_group_form(
        pedagogue, day, ids, version="1"))
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in stale.get_data(
        as_text=True)


def test_a_group_form_refusal_keeps_the_ticked_minors(app, client, pupils, login_as, today):
    psychologist = login_as("psychologist")
    ids = [p.enrolment.id for p in pupils]
    response = client.post("/group-sessions/new", data=_group_form(
        psychologist, today + timedelta(days=1), ids[:2], topic="Жазылған тақырып",
        confidential_notes=SECRET))
    page = response.get_data(as_text=True)
    assert 'id="held_on-error"' in page
    assert "Жазылған тақырып" in page and SECRET in page
    checked = re.findall(r'<input checked id="minors-\d+" name="minors" type="checkbox" '
                         r'value="(\d+)"', page)
    assert sorted(map(int, checked)) == sorted(ids[:2])
    none = client.post("/group-sessions/new", data=_group_form(psychologist, today, []))
    assert _t(app, "Choose at least one minor.") in none.get_data(as_text=True)


def test_group_notes_only_for_psychologists(client, world, pupils, login_as, today):
    psychologist = world.users["psychologist"]
    saved = services.record_group_session(psychologist, services.GroupData(
        kind="training", topic="Тақырып", held_on=today, duration_minutes=60,
        format="in_person", conducted_by_id=psychologist.id, confidential_notes=SECRET,
        attendance={pupils[0].enrolment.id: True}), today)
    _db.session.commit()
    url = f"/group-sessions/{saved.group.id}"
    login_as("psychologist")
    assert SECRET in client.get(url).get_data(as_text=True)
    for role in ("social_pedagogue", "school_admin"):
        _sign_in(client, world.users[role])
        page = client.get(url).get_data(as_text=True)
        assert "Тақырып" in page and SECRET not in page, role


# --- query counts ------------------------------------------------------------------------


def test_the_lists_cost_the_same_queries_however_many_rows(client, world, case, pupils,
                                                          login_as, today):
    psychologist = world.users["psychologist"]
    weekly_consultations(case.enrolment, psychologist, today - timedelta(days=28))

    def group(day):
        services.record_group_session(psychologist, services.GroupData(
            kind="training", topic="Топ", held_on=day, duration_minutes=60,
            format="in_person", conducted_by_id=psychologist.id,
            attendance={p.enrolment.id: True for p in pupils}), today)
        _db.session.commit()

    _record(psychologist, case.enrolment, today - timedelta(days=1))
    group(today - timedelta(days=1))
    login_as("psychologist")
    urls = [f"/enrolments/{case.enrolment.id}/sessions", f"/minors/{case.minor.id}/sessions",
            "/group-sessions", f"/minors/{case.minor.id}",
            f"/group-sessions/{_db.session.scalar(select(GroupSession.id))}"]
    before = {url: count_queries(client, url)[1] for url in urls}
    for days in range(2, 14):
        _record(psychologist, case.enrolment, today - timedelta(days=days),
                kind="contact_minor" if days % 2 else "consultation")
        group(today - timedelta(days=days))
    after = {url: count_queries(client, url)[1] for url in urls}
    assert after == before


def test_the_group_page_costs_the_same_queries_however_many_minors(
        client, world, make_case, pupils, login_as, today):
    psychologist = world.users["psychologist"]
    first = pupils[0].enrolment.id

    def data(attendance):
        return services.GroupData(kind="training", topic="Топ", held_on=today,
                                  duration_minutes=60, format="in_person",
                                  conducted_by_id=psychologist.id, attendance=attendance)

    group = services.record_group_session(psychologist, data({first: True}), today).group
    _db.session.commit()
    login_as("psychologist")
    url = f"/group-sessions/{group.id}"
    before = count_queries(client, url)[1]
    edit_before = count_queries(client, url + "/edit")[1]
    more = [make_case(world.orgs["school1"], enrolled_on=today - timedelta(days=9),
                      surname=f"Оқушы{n}") for n in range(8)]
    attendance = {c.enrolment.id: n % 2 == 0 for n, c in enumerate(more)} | {first: True}
    services.update_group_session(psychologist, _db.session.get(GroupSession, group.id),
                                  data(attendance), 1, today)
    _db.session.commit()
    assert count_queries(client, url)[1] == before
    assert count_queries(client, url + "/edit")[1] == edit_before


# --- the audit trail as the coordinator reads it -----------------------------------------


def test_the_coordinator_s_audit_page_shows_no_session_text(client, world, case, pupils,
                                                           login_as, today):
    psychologist = world.users["psychologist"]
    session = _record(psychologist, case.enrolment, today, kind="crisis_help",
                      summary="SUMMARY-SUICIDAL-IDEATION", participants="PARENT-GULMIRA",
                      confidential_notes=SECRET)
    services.update_session(psychologist, session, services.SessionData(
        kind="crisis_help", held_on=today, duration_minutes=45, format="in_person",
        conducted_by_id=psychologist.id, participants="PARENT-GULMIRA",
        summary="SUMMARY-FOLLOW-UP"), 1, region_today())
    services.delete_session(psychologist, session, "REASON-WRONG-CHILD", 2)
    group = services.record_group_session(psychologist, services.GroupData(
        kind="training", topic="TOPIC-SELF-HARM-GROUP", held_on=today, duration_minutes=60,
        format="in_person", conducted_by_id=psychologist.id, summary="GROUP-SUMMARY",
        attendance={pupils[0].enrolment.id: True}), region_today()).group
    _db.session.flush()
    services.delete_group_session(psychologist, group, "REASON-GROUP-DUPLICATE", 1)
    _db.session.commit()
    login_as("district_coordinator")
    response = client.get("/audit/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "(text)" in page  # the entries are there, their text is not
    for text in ("SUMMARY-SUICIDAL-IDEATION", "SUMMARY-FOLLOW-UP", "PARENT-GULMIRA",
                 "REASON-WRONG-CHILD", "TOPIC-SELF-HARM-GROUP", "GROUP-SUMMARY",
                 "REASON-GROUP-DUPLICATE", SECRET):
        assert text not in page, text


# --- after a hand-over -------------------------------------------------------------------


def handed_over(world, make_case, make_user, today, work=lambda enrolment: None):
    """A minor of school1 with a closed past period and an open one (``work(enrolment)``
    records on each while it is open), handed over to school2 and accepted there. Returns
    (case, past enrolment, current enrolment)."""
    from juvenile.cases.models import Enrolment, Placement
    from juvenile.cases.services import accept_transfer

    school1, school2 = world.orgs["school1"], world.orgs["school2"]
    case = make_case(school1, enrolled_on=today - timedelta(days=200), stage="active",
                     transfer_to=school2)
    past = case.enrolment
    work(past)
    past.closed_on, past.closure_reason = today - timedelta(days=100), "completed"
    _db.session.flush()
    start = today - timedelta(days=60)
    current = Enrolment(minor=case.minor, organisation_id=school1.id,
                        district_id=school1.district_id, source="school", identified_on=start,
                        enrolled_on=start, reason="Қайта тіркелді", stage="initial",
                        stage_started_on=start, stage_due_on=start + timedelta(days=10))
    _db.session.add(current)
    _db.session.flush()
    _db.session.add(Placement(enrolment_id=current.id, organisation_id=school1.id,
                              district_id=school1.district_id, from_date=start))
    _db.session.commit()
    work(current)
    accept_transfer(make_user(Role.SCHOOL_ADMIN, school2), case.transfer, None, today)
    _db.session.commit()
    return case, past, current


def test_after_a_hand_over_the_sessions_are_the_receiving_school_s(
        client, world, make_case, make_user, today):
    """Past periods included: the sending school loses them (404), the receiving school
    reads them (200), whichever URL leads there."""
    psychologist = world.users["psychologist"]
    sessions = []

    def work(enrolment):
        sessions.append(_record(psychologist, enrolment,
                                enrolment.enrolled_on + timedelta(days=1)).id)

    case, past, current = handed_over(world, make_case, make_user, today, work)
    assert past.organisation_id == world.orgs["school1"].id  # where the work was done
    urls = [f"/enrolments/{past.id}/sessions", f"/enrolments/{current.id}/sessions",
            f"/minors/{case.minor.id}/sessions", *(f"/sessions/{sid}" for sid in sessions)]
    for user in (psychologist, world.users["school_admin"]):
        _sign_in(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.login, url)
    _sign_in(client, psychologist)
    assert client.get(f"/enrolments/{current.id}/sessions/new").status_code == 404
    receiving = make_user(Role.PSYCHOLOGIST, world.orgs["school2"])
    _sign_in(client, receiving)
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/enrolments/{past.id}/sessions").get_data(as_text=True)
    assert f"/sessions/{sessions[0]}" in page
    assert client.get(f"/enrolments/{current.id}/sessions/new").status_code == 200
    openings = _db.session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.action == "open", AuditEntry.object_type == "enrolments",
        AuditEntry.actor_id == receiving.id)).all()
    assert past.id in openings  # opening a case's session list is audited


# --- group sessions: opening, deletion, a minor handed over ------------------------------


def _group_of(user, attendance, today, **changes) -> GroupSession:
    values = dict(kind="training", topic="Стресті басқару", held_on=today,
                  duration_minutes=60, format="in_person", conducted_by_id=user.id,
                  summary="Топтық жаттығу", attendance=attendance)
    group = services.record_group_session(user, services.GroupData(**(values | changes)),
                                          region_today()).group
    _db.session.commit()
    return group


def test_opening_a_group_session_is_audited(client, world, pupils, make_user, login_as,
                                            today):
    group = _group_of(world.users["psychologist"], {pupils[0].enrolment.id: True}, today)
    pedagogue = login_as("social_pedagogue")
    assert client.get(f"/group-sessions/{group.id}").status_code == 200
    _sign_in(client, make_user(Role.PSYCHOLOGIST, world.orgs["school2"]))
    assert client.get(f"/group-sessions/{group.id}").status_code == 404
    openings = _db.session.execute(select(AuditEntry.actor_id, AuditEntry.object_id).where(
        AuditEntry.action == "open", AuditEntry.object_type == "group_sessions")).all()
    assert openings == [(pedagogue.id, group.id)]  # a refused look is not an opening


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_group_session_is_deleted_with_a_reason_through_a_protected_form(
        app, app_factory, world, pupils, today):
    psychologist = world.users["psychologist"]
    ids = [p.enrolment.id for p in pupils]
    weekly_consultations(pupils[0].enrolment, psychologist, today - timedelta(days=28),
                         kind="training")
    group = _group_of(psychologist, {ids[0]: True, ids[1]: False}, today,
                      topic="Ашуды басқару")
    group_id = group.id
    assert _db.session.scalar(select(Occurrence.session_id).where(
        Occurrence.status == OccurrenceStatus.DONE.value)) is not None
    protected = app_factory(WTF_CSRF_ENABLED=True)
    client = protected.test_client()

    def sign_in(user):
        login_page = client.get("/login").get_data(as_text=True)
        assert client.post("/login", data={"login": user.login, "password": PASSWORD,
                                           "csrf_token": _csrf(login_page)}).status_code == 302

    # the pedagogue did not record it: no link, 403
    sign_in(world.users["social_pedagogue"])
    page = client.get(f"/group-sessions/{group_id}").get_data(as_text=True)
    assert f"/group-sessions/{group_id}/delete" not in page
    assert client.get(f"/group-sessions/{group_id}/delete").status_code == 403

    client = protected.test_client()
    sign_in(psychologist)
    page = client.get(f"/group-sessions/{group_id}").get_data(as_text=True)
    assert f"/group-sessions/{group_id}/delete" in page
    url = f"/group-sessions/{group_id}/delete"
    form = client.get(url).get_data(as_text=True)
    assert "Ашуды басқару" in form and 'name="version" type="hidden" value="1"' in form
    # without the form's token: refused, nothing deleted
    assert client.post(url, data={"reason": "Қате", "version": "1"}).status_code == 400
    token = _csrf(form)
    empty = client.post(url, data={"reason": " ", "version": "1", "csrf_token": token})
    assert empty.status_code == 200 and 'id="reason-error"' in empty.get_data(as_text=True)
    assert _db.session.get(GroupSession, group_id) is not None
    done = client.post(url, data={"reason": "Екі рет енгізілді", "version": "1",
                                  "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/group-sessions")
    _db.session.expire_all()
    assert _db.session.get(GroupSession, group_id) is None
    assert _db.session.scalar(select(func.count(Session.id))) == 0
    assert _db.session.scalar(select(func.count(CaseEvent.id)).where(
        CaseEvent.kind == "session")) == 0
    assert _db.session.scalar(select(func.count(Occurrence.id)).where(
        Occurrence.status == OccurrenceStatus.DONE.value)) == 0
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "group_sessions", AuditEntry.action == "delete"))
    assert entry.object_id == group_id and entry.changes["reason"] == "(text)"
    listing = client.get("/group-sessions").get_data(as_text=True)
    assert _t(app, "The group session is deleted.") in listing
    assert f"/group-sessions/{group_id}" not in listing


def test_a_minor_handed_over_is_no_longer_named_on_the_old_school_s_group(
        app, client, world, make_case, make_user, pupils, login_as, today):
    from juvenile.cases.services import accept_transfer

    leaving = make_case(world.orgs["school1"], enrolled_on=today - timedelta(days=40),
                        surname="Көшкенбаев", transfer_to=world.orgs["school2"])
    staying = pupils[0]
    psychologist = world.users["psychologist"]
    group = _group_of(psychologist, {leaving.enrolment.id: True,
                                     staying.enrolment.id: False}, today)
    line = _db.session.scalar(select(Session.id).where(
        Session.enrolment_id == leaving.enrolment.id))
    login_as("psychologist")
    assert "Көшкенбаев" in client.get(f"/group-sessions/{group.id}").get_data(as_text=True)
    accept_transfer(make_user(Role.SCHOOL_ADMIN, world.orgs["school2"]), leaving.transfer,
                    None, today)
    _db.session.commit()
    elsewhere = _t(app, "a minor now at another school")
    page = client.get(f"/group-sessions/{group.id}").get_data(as_text=True)
    assert "Көшкенбаев" not in page and elsewhere in page
    assert "Бекова" not in page and staying.minor.surname in page
    assert f"/sessions/{line}" not in page
    assert _t(app, "Attendance: %(attended)d of %(total)d", attended=1, total=2) in page
    url = f"/group-sessions/{group.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Көшкенбаев" not in form and elsewhere in form
    # saving the form as it stands keeps the line (and its attendance)
    response = client.post(url, data=_group_form(
        psychologist, today, [leaving.enrolment.id, staying.enrolment.id],
        absent=[staying.enrolment.id], summary="Жаңа қорытынды", version="1"))
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Session, line).attended is True
    # the receiving school reads the minor's line, not the other school's group
    _sign_in(client, make_user(Role.PSYCHOLOGIST, world.orgs["school2"]))
    assert client.get(f"/sessions/{line}").status_code == 200
    assert client.get(f"/group-sessions/{group.id}").status_code == 404


def test_a_long_list_of_sessions_pages_through(app, client, world, case, login_as, today):
    """The pager keeps the enrolment in its links (the demo's lists are longer than a page)."""
    psychologist = world.users["psychologist"]
    app.config["LIST_PAGE_SIZE"] = size = 3
    for days in range(1, size + 3):
        _record(psychologist, case.enrolment, today - timedelta(days=days),
                kind="contact_minor")
    login_as("psychologist")
    url = f"/enrolments/{case.enrolment.id}/sessions"
    first = client.get(url)
    assert first.status_code == 200
    assert f'href="{url}?page=2"' in first.get_data(as_text=True)
    second = client.get(f"{url}?page=2")
    assert second.status_code == 200
    assert f'href="{url}?page=1"' in second.get_data(as_text=True)
