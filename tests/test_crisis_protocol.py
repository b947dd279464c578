"""The suicide-risk safety protocol: every path from raising to clearing, the alerts, the
deadlines and their escalation, the refusals, the audit trail and who sees what."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from juvenile.accounts.models import Role, User
from juvenile.audit.models import AuditEntry
from juvenile.cases import services as case_services
from juvenile.cases.models import CaseEvent, Enrolment
from juvenile.dbtypes import utcnow
from juvenile.diagnostics import protocol
from juvenile.diagnostics.models import CrisisEpisode, CrisisStep, SafetyPlan
from juvenile.diagnostics.protocol_queries import (
    district_overdue,
    status_of_episode,
    unacknowledged_alerts,
)
from juvenile.errors import ServiceError
from tests.conftest import counted_queries

TODAY = date.today()


@pytest.fixture(autouse=True)
def en(app):
    # Service messages are checked in their English source wording.
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def kk(app):
    """A message as the (Kazakh) pages show it."""

    def translate(msgid, **values):
        with app.test_request_context(), force_locale("kk"):
            return gettext(msgid, **values)

    return translate


@pytest.fixture
def staff(world):
    return {role: world.users[role] for role in
            ("psychologist", "social_pedagogue", "school_admin", "district_coordinator")}


@pytest.fixture
def become(client, login_as):
    """Sign out whoever is signed in, then sign in as the world's account of ``role``."""

    def switch(role):
        client.post("/logout")
        return login_as(role)

    return switch


@pytest.fixture
def case(world, make_case):
    return make_case(world.orgs["school1"], responsible=world.users["psychologist"])


def _raise(db, case, actor, trigger="asq_acute", severity="acute", now=None):
    episode = protocol.raise_crisis(actor, case.enrolment, trigger=trigger, severity=severity,
                                    today=TODAY, now=now)
    db.session.commit()
    return episode


def _plan(**overrides):
    values = dict(warning_signs="Keeps to himself", coping_strategies="Music, walking",
                  distracting_people_places="Grandmother's house, the sports hall",
                  people_to_ask="Uncle Serik +7 701 111 11 11",
                  professionals_and_lines="School psychologist; 150; 103",
                  safe_environment="Medicines locked away by the mother",
                  review_on=TODAY + timedelta(days=14))
    return protocol.SafetyPlanData(**(values | overrides))


def _complete_checklist(db, episode, actor, now=None):
    for key in protocol.CHECKLIST:
        protocol.record_step(actor, episode, key, f"done: {key}", TODAY, now=now)
    db.session.commit()


def _actions(db, episode):
    return [a for (a,) in db.session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type.in_(["crisis_episodes", "safety_plans"])).order_by(
        AuditEntry.id))]


# --- raising: every path -----------------------------------------------------------------


def test_an_acute_asq_opens_an_episode_with_the_checklist(db, case, staff):
    episode = _raise(db, case, staff["psychologist"])
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, case.enrolment.id)
    assert enrolment.crisis and enrolment.crisis_raised_on == TODAY
    assert (episode.severity, episode.trigger) == ("acute", "asq_acute")
    keys = [item.key for item in status_of_episode(episode, utcnow()).items]
    assert keys == [*protocol.CHECKLIST, "safety_plan"]
    assert _actions(db, episode) == ["crisis_raised"]
    event_kinds = db.session.scalars(select(CaseEvent.kind).where(
        CaseEvent.minor_id == case.minor.id)).all()
    assert "crisis_protocol" in event_kinds
    # Raising again returns the open episode.
    again = _raise(db, case, staff["psychologist"])
    assert again.id == episode.id
    assert db.session.scalar(select(db.func.count(CrisisEpisode.id))) == 1


def test_a_positive_screen_needs_a_same_day_brief_assessment_and_a_plan(db, case, staff):
    episode = _raise(db, case, staff["psychologist"], "asq_positive", "positive")
    status = status_of_episode(episode, utcnow())
    assert [item.key for item in status.items] == ["brief_assessment", "safety_plan"]
    brief = status.item("brief_assessment")
    assert brief.due_at > episode.raised_at
    assert brief.due_at - episode.raised_at <= timedelta(days=1)  # the same day
    plan = status.item("safety_plan")
    assert plan.due_at == episode.raised_at + timedelta(hours=24)
    with pytest.raises(ServiceError, match="outcome"):
        protocol.record_step(staff["psychologist"], episode, "brief_assessment", " ", TODAY)
    with pytest.raises(ServiceError, match="not part"):
        protocol.record_step(staff["psychologist"], episode, "not_alone", "", TODAY)


def test_a_judgement_turns_a_positive_episode_acute(db, case, staff):
    episode = _raise(db, case, staff["psychologist"], "phq_item9", "positive")
    later = utcnow() + timedelta(hours=2)
    same = protocol.raise_by_judgement(staff["psychologist"], case.enrolment, "acute",
                                       "Talks of a plan", TODAY, now=later)
    db.session.commit()
    assert same.id == episode.id and same.severity == "acute"
    status = status_of_episode(same, later)
    checklist = status.item("not_alone")
    assert checklist.due_at == later + timedelta(hours=1)  # counted from turning acute
    assert status.item("brief_assessment") is not None
    assert "crisis_acute" in _actions(db, episode)


def test_an_attempt_recorded_as_an_incident_opens_an_acute_episode_with_contacts(
        db, case, staff):
    incident = case_services.record_incident(staff["social_pedagogue"], case.minor,
                                             "suicide_attempt", TODAY, "Found by a teacher",
                                             TODAY)
    db.session.commit()
    episode = db.session.scalar(select(CrisisEpisode))
    assert (episode.severity, episode.trigger, episode.incident_id) == (
        "acute", "attempt", incident.id)
    status = status_of_episode(episode, utcnow())
    contacts = {i.key: i.due_at - episode.raised_at for i in status.items if i.is_contact}
    assert contacts == {"contact_24h": timedelta(hours=24), "contact_72h": timedelta(hours=72),
                        "contact_7d": timedelta(days=7)}


def test_self_harm_opens_an_acute_episode_without_contacts(db, case, staff):
    case_services.record_incident(staff["psychologist"], case.minor, "self_harm", TODAY,
                                  "Cuts on the forearm", TODAY)
    db.session.commit()
    episode = db.session.scalar(select(CrisisEpisode))
    assert (episode.severity, episode.trigger) == ("acute", "self_harm")
    assert not any(i.is_contact for i in status_of_episode(episode).items)


def test_an_attempt_during_a_positive_episode_makes_it_acute_with_contacts(db, case, staff):
    episode = _raise(db, case, staff["psychologist"], "asq_positive", "positive")
    case_services.record_incident(staff["psychologist"], case.minor, "suicide_attempt", TODAY,
                                  "Overdose", TODAY)
    db.session.commit()
    db.session.refresh(episode)
    assert (episode.severity, episode.trigger) == ("acute", "attempt")
    keys = {i.key for i in status_of_episode(episode).items}
    assert set(protocol.CHECKLIST) | set(protocol.CONTACTS) <= keys


def test_raising_by_judgement_through_the_screen(db, client, become, case, staff):
    become("psychologist")
    url = f"/minors/{case.minor.id}/crisis/raise"
    assert "severity" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"severity": "positive", "note": ""})
    assert refused.status_code == 200 and db.session.scalar(select(CrisisEpisode)) is None
    response = client.post(url, data={"severity": "positive", "note": "Hopeless, withdrawn"})
    db.session.expire_all()
    episode = db.session.scalar(select(CrisisEpisode))
    assert response.headers["Location"] == f"/episodes/{episode.id}"
    assert (episode.trigger, episode.severity) == ("judgement", "positive")
    assert "Hopeless, withdrawn" in client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    # The judgement is a clinical note: the social pedagogue does not see it.
    become("social_pedagogue")
    page = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert "Hopeless" not in page and case.minor.surname in page
    assert client.get(url).status_code == 403


def test_a_closed_case_cannot_be_raised(db, world, make_case, staff):
    closed = make_case(world.orgs["school1"])
    closed.enrolment.closed_on = TODAY
    db.session.commit()
    with pytest.raises(ServiceError):
        protocol.raise_crisis(staff["psychologist"], closed.enrolment, trigger="judgement",
                              severity="acute", today=TODAY)


# --- the alert -----------------------------------------------------------------------------


PAGES = ["/", "/minors", "/work", "/school"]


def _banner(client, url="/"):
    return 'id="crisis-alert"' in client.get(url).get_data(as_text=True)


def test_the_alert_shows_on_every_page_until_each_acknowledges(db, client, become, case,
                                                               staff, app):
    episode = _raise(db, case, staff["school_admin"])
    become("psychologist")
    for url in [*PAGES, f"/minors/{case.minor.id}"]:
        assert _banner(client, url), url
    become("social_pedagogue")  # not responsible: no alert
    assert not _banner(client)
    become("school_admin")
    assert _banner(client, f"/minors/{case.minor.id}")
    become("psychologist")
    client.post(f"/episodes/{episode.id}/acknowledge")
    assert not _banner(client)
    become("school_admin")
    assert _banner(client)  # each acknowledges for themselves
    client.post(f"/episodes/{episode.id}/acknowledge")
    assert not _banner(client)
    db.session.expire_all()
    assert db.session.scalars(select(CrisisStep.done_by_id).where(
        CrisisStep.key == "acknowledged")).all() == [staff["psychologist"].id,
                                                      staff["school_admin"].id]
    assert _actions(db, episode).count("crisis_acknowledged") == 2


def test_a_pedagogue_who_is_not_alerted_cannot_acknowledge(db, case, staff):
    episode = _raise(db, case, staff["psychologist"])
    with pytest.raises(ServiceError):
        protocol.acknowledge_alert(staff["social_pedagogue"], episode)


def test_the_alert_banner_costs_one_query(db, case, staff):
    _raise(db, case, staff["psychologist"])
    # As on a page: the signed-in user comes loaded with their organisation.
    assert staff["psychologist"].role and staff["district_coordinator"].organisation.district_id
    with counted_queries() as statements:
        alerts = unacknowledged_alerts(staff["psychologist"])
        overdue = district_overdue(staff["district_coordinator"], utcnow())
    assert len(alerts) == 1 and overdue == []
    assert len(statements) == 2


# --- steps, plan, contacts --------------------------------------------------------------------


def test_checklist_steps_are_recorded_with_who_and_when(db, client, become, case, staff):
    episode = _raise(db, case, staff["psychologist"])
    become("social_pedagogue")
    response = client.post(f"/episodes/{episode.id}/steps",
                           data={"key": "not_alone", "note": "The class teacher stays"})
    assert response.status_code == 302
    again = client.post(f"/episodes/{episode.id}/steps", data={"key": "not_alone"})
    assert again.status_code == 200  # no longer offered
    db.session.expire_all()
    step = db.session.scalar(select(CrisisStep).where(CrisisStep.key == "not_alone"))
    assert step.done_by_id == staff["social_pedagogue"].id and step.done_at is not None
    page = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert staff["social_pedagogue"].full_name in page and "The class teacher stays" in page
    with pytest.raises(ServiceError, match="already"):
        protocol.record_step(staff["psychologist"], episode, "not_alone", "", TODAY)


def test_the_safety_plan_deadline_plan_and_its_versions(db, client, become, case, staff, kk):
    raised = utcnow() - timedelta(hours=25)
    episode = _raise(db, case, staff["psychologist"], "asq_positive", "positive", now=raised)
    overdue = status_of_episode(episode, utcnow()).overdue(utcnow())
    assert "safety_plan" in {item.key for item in overdue}
    with pytest.raises(ServiceError):
        protocol.save_safety_plan(staff["psychologist"], episode, _plan(people_to_ask=" "),
                                  TODAY)
    with pytest.raises(ServiceError):
        protocol.save_safety_plan(staff["psychologist"], episode, _plan(review_on=TODAY), TODAY)
    become("psychologist")
    form = {name: getattr(_plan(), name) for name in protocol.PLAN_FIELDS}
    form["review_on"] = form["review_on"].isoformat()
    assert client.post(f"/episodes/{episode.id}/plan", data=form).status_code == 302
    db.session.expire_all()
    plan = db.session.scalar(select(SafetyPlan))
    assert plan.version == 1 and plan.made_by_id == staff["psychologist"].id
    status = status_of_episode(episode, utcnow())
    assert status.item("safety_plan").done_at is not None
    assert status.item("safety_plan").is_late(utcnow())
    stale = client.post(f"/episodes/{episode.id}/plan",
                        data=form | {"warning_signs": "Changed", "version": "0"})
    assert kk("Someone else changed this record after you opened it. Your changes were not "
              "saved: reload the page and apply them again.") in stale.get_data(as_text=True)
    client.post(f"/episodes/{episode.id}/plan",
                data=form | {"warning_signs": "Changed", "version": "1"})
    db.session.expire_all()
    assert db.session.get(SafetyPlan, plan.id).version == 2
    printed = client.get(f"/episodes/{episode.id}/plan/print").get_data(as_text=True)
    assert "Changed" in printed and "Medicines locked away" in printed
    assert "crisis_print.css" in printed and "site-nav" not in printed


def test_contacts_after_an_attempt_come_due_one_by_one(db, case, staff):
    raised = utcnow() - timedelta(hours=30)
    case_services.record_incident(staff["psychologist"], case.minor, "suicide_attempt", TODAY,
                                  "Overdose", TODAY)
    episode = db.session.scalar(select(CrisisEpisode))
    episode.raised_at = raised
    db.session.commit()
    _complete_checklist(db, episode, staff["psychologist"])
    protocol.save_safety_plan(staff["psychologist"], episode, _plan(), TODAY)
    now = utcnow()
    missing = [i.key for i in status_of_episode(episode, now).missing_for_clearing(now)]
    assert missing == ["contact_24h"]  # the 72-hour and 7-day contacts are not due yet
    protocol.record_step(staff["psychologist"], episode, "contact_24h", "At home, calm",
                         TODAY)
    db.session.commit()
    assert status_of_episode(episode, now).missing_for_clearing(now) == []
    later = raised + timedelta(days=8)
    assert [i.key for i in status_of_episode(episode, later).overdue(later)] == [
        "contact_72h", "contact_7d"]


def test_deadlines_are_regional_settings(db, case, staff):
    from juvenile.settings.models import RegionalSetting

    db.session.add(RegionalSetting(key=protocol.SAFETY_PLAN_HOURS.key, value=12))
    db.session.commit()
    episode = _raise(db, case, staff["psychologist"])
    plan = status_of_episode(episode, utcnow()).item("safety_plan")
    assert plan.due_at == episode.raised_at + timedelta(hours=12)


# --- escalation -------------------------------------------------------------------------------


def test_a_missed_deadline_escalates_to_the_district_coordinator(
        db, client, become, case, staff, world, make_user, kk):
    episode = _raise(db, case, staff["psychologist"], now=utcnow() - timedelta(hours=3))
    protocol.record_step(staff["psychologist"], episode, "not_alone", "", TODAY)
    db.session.commit()
    become("district_coordinator")
    page = client.get("/").get_data(as_text=True)
    assert 'id="crisis-overdue"' in page and case.minor.full_name in page
    assert kk("Dangerous means removed") in page
    assert kk("The minor is not left alone") not in page
    other = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"], "coord.d2")
    client.post("/logout")
    client.post("/login", data={"login": other.login, "password": "correct-horse-42"})
    assert 'id="crisis-overdue"' not in client.get("/").get_data(as_text=True)
    # The periodic run records the escalation once.
    assert protocol.notify_coordinators() == 1
    db.session.commit()
    assert protocol.notify_coordinators() == 0
    db.session.refresh(episode)
    assert episode.escalated_at is not None
    assert "crisis_escalated" in _actions(db, episode)


def test_no_escalation_while_deadlines_are_kept(db, client, become, case, staff):
    _raise(db, case, staff["psychologist"])
    become("district_coordinator")
    assert 'id="crisis-overdue"' not in client.get("/").get_data(as_text=True)


def test_the_escalate_command(app, db, case, staff):
    _raise(db, case, staff["psychologist"], now=utcnow() - timedelta(hours=30))
    result = app.test_cli_runner().invoke(args=["crisis", "escalate"])
    assert result.exit_code == 0 and "1 episode" in result.output


# --- clearing and closing ----------------------------------------------------------------------


def test_clearing_early_is_refused_and_the_case_cannot_close_meanwhile(db, case, staff):
    episode = _raise(db, case, staff["school_admin"])
    psychologist, deputy = staff["psychologist"], staff["school_admin"]
    closing = case_services.ClosureData(reason="moved_away", closed_on=TODAY, note="Moved")
    with pytest.raises(ServiceError, match="crisis flag"):
        case_services.close_enrolment(deputy, case.enrolment, closing, TODAY, None)
    with pytest.raises(ServiceError, match="responsible specialist"):
        protocol.clear_crisis(deputy, episode, "All done", TODAY)
    with pytest.raises(ServiceError, match="Not recorded"):
        protocol.clear_crisis(psychologist, episode, "All done", TODAY)
    _complete_checklist(db, episode, psychologist)
    with pytest.raises(ServiceError, match="Safety plan"):
        protocol.clear_crisis(psychologist, episode, "All done", TODAY)
    protocol.save_safety_plan(psychologist, episode, _plan(), TODAY)
    db.session.commit()
    with pytest.raises(ServiceError, match="reason"):
        protocol.clear_crisis(psychologist, episode, "  ", TODAY)
    protocol.clear_crisis(psychologist, episode, "Seen by the psychiatrist; plan in place",
                          TODAY)
    db.session.commit()
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, case.enrolment.id)
    assert not enrolment.crisis and episode.cleared_by_id == psychologist.id
    with pytest.raises(ServiceError, match="cleared"):
        protocol.record_step(psychologist, episode, "contact_24h", "", TODAY)
    case_services.close_enrolment(deputy, enrolment, closing, TODAY, enrolment.version)
    db.session.commit()
    assert db.session.get(Enrolment, case.enrolment.id).closed_on == TODAY
    assert _actions(db, episode) == ["crisis_raised", *["crisis_step"] * 4, "create",
                                     "crisis_cleared"]


def test_clearing_through_the_screen(db, client, become, case, staff, kk):
    episode = _raise(db, case, staff["psychologist"])
    become("school_admin")
    page = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert kk("Only the responsible specialist of the case clears the flag.") in page
    become("psychologist")
    refused = client.post(f"/episodes/{episode.id}/clear",
                          data={"reason": "Fine", "version": episode.version})
    assert 'class="flash flash-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CrisisEpisode, episode.id).cleared_at is None
    _complete_checklist(db, episode, staff["psychologist"])
    protocol.save_safety_plan(staff["psychologist"], episode, _plan(), TODAY)
    db.session.commit()
    db.session.refresh(episode)
    response = client.post(f"/episodes/{episode.id}/clear",
                           data={"reason": "Stable", "version": episode.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CrisisEpisode, episode.id).cleared_at is not None
    assert not db.session.get(Enrolment, case.enrolment.id).crisis


# --- who sees what ----------------------------------------------------------------------------


def _urls(episode, minor):
    return [("get", f"/episodes/{episode.id}"), ("post", f"/episodes/{episode.id}/steps"),
            ("post", f"/episodes/{episode.id}/acknowledge"),
            ("post", f"/episodes/{episode.id}/clear"), ("get", f"/episodes/{episode.id}/plan"),
            ("get", f"/episodes/{episode.id}/plan/print"),
            ("get", f"/minors/{minor.id}/crisis/raise")]


@pytest.mark.parametrize("role", ["police_inspector", "commission_member", "partner"])
def test_inspectors_and_the_commission_reach_nothing(db, client, become, case, staff,
                                                     role, kk):
    episode = _raise(db, case, staff["psychologist"])
    protocol.save_safety_plan(staff["psychologist"], episode, _plan(), TODAY)
    db.session.commit()
    become(role)
    for method, url in _urls(episode, case.minor):
        assert getattr(client, method)(url).status_code in (403, 404), (role, url)
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert 'id="crisis-panel"' not in page
    # Nor do the protocol's lines reach the inspector's view of the timeline.
    raised = kk("Crisis flag raised (%(severity)s) after: %(trigger)s. Safety protocol "
                "started.", severity=kk("acute"), trigger=kk("ASQ: acute positive"))
    assert raised not in page
    become("psychologist")
    assert raised in client.get(f"/minors/{case.minor.id}").get_data(as_text=True)


def test_the_coordinator_views_state_but_no_notes_and_acts_on_nothing(
        db, client, become, case, staff, kk):
    episode = _raise(db, case, staff["psychologist"])
    protocol.record_step(staff["psychologist"], episode, "not_alone", "Mother at home", TODAY)
    protocol.save_safety_plan(staff["psychologist"], episode, _plan(), TODAY)
    db.session.commit()
    become("district_coordinator")
    page = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert kk("The minor is not left alone") in page
    assert staff["psychologist"].full_name in page
    assert "Mother at home" not in page and "Medicines locked away" not in page
    assert 'id="step-form"' not in page
    for method, url in _urls(episode, case.minor)[1:]:
        assert getattr(client, method)(url).status_code == 403, url
    assert 'id="crisis-panel"' in client.get(f"/minors/{case.minor.id}").get_data(as_text=True)


def test_another_school_gets_404(db, client, auth, case, staff, world, make_user):
    episode = _raise(db, case, staff["psychologist"])
    stranger = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "stranger")
    auth.login(stranger.login)
    for method, url in _urls(episode, case.minor):
        assert getattr(client, method)(url).status_code == 404, url


def test_the_case_page_shows_the_open_episode(db, client, become, case, staff):
    episode = _raise(db, case, staff["psychologist"])
    become("social_pedagogue")
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert 'id="crisis-panel"' in page and f"/episodes/{episode.id}" in page
    assert f"/minors/{case.minor.id}/crisis/raise" not in page  # not a psychologist


# --- e-mail -----------------------------------------------------------------------------------


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append((message["To"], message["Subject"]))


def test_alerts_are_mailed_after_commit_when_mail_is_configured(app_factory, world, make_case,
                                                                monkeypatch):
    from juvenile.diagnostics import mail
    from juvenile.extensions import db

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    mailing = app_factory(MAIL_SERVER="smtp.test")
    with mailing.app_context():
        users = {r: db.session.get(type(world.users[r]), world.users[r].id)
                 for r in ("psychologist", "school_admin", "social_pedagogue")}
        for role, user in users.items():
            user.email = f"{role}@school.test"
        db.session.commit()
        enrolment = make_case(world.orgs["school1"], responsible=users["psychologist"]).enrolment
        enrolment = db.session.get(Enrolment, enrolment.id)
        protocol.raise_crisis(users["psychologist"], enrolment, trigger="asq_acute",
                              severity="acute", today=TODAY)
        db.session.rollback()
        assert FakeSMTP.sent == []  # nothing leaves for a change that was not kept
        protocol.raise_crisis(users["psychologist"], enrolment, trigger="asq_acute",
                              severity="acute", today=TODAY)
        db.session.commit()
    assert sorted(to for to, _subject in FakeSMTP.sent) == [
        "psychologist@school.test", "school_admin@school.test"]


# --- the demo region ----------------------------------------------------------------------------


def test_the_demo_has_crisis_cases_in_every_state(app, db):
    from juvenile.demo.builder import build_demo_region

    with app.test_request_context():
        build_demo_region("demo-password-1")
        db.session.commit()
    now = utcnow()
    episodes = db.session.scalars(select(CrisisEpisode)).all()
    flagged = db.session.scalars(select(Enrolment).where(Enrolment.crisis.is_(True))).all()
    open_episodes = [e for e in episodes if e.cleared_at is None]
    assert {e.enrolment_id for e in open_episodes} == {e.id for e in flagged}
    statuses = {e.id: status_of_episode(e, now) for e in episodes}
    unacknowledged = [e for e in open_episodes if not statuses[e.id].acknowledged]
    in_progress = [e for e in open_episodes if statuses[e.id].acknowledged
                   and not statuses[e.id].overdue(now)
                   and statuses[e.id].item("not_alone").done_at is not None
                   and statuses[e.id].item("health_contacted").done_at is None]
    planned = [e for e in open_episodes if statuses[e.id].plan is not None]
    contacts = [e for e in open_episodes if any(
        i.is_contact and i.done_at for i in statuses[e.id].items) and any(
        i.is_contact and not i.done_at for i in statuses[e.id].items)]
    overdue = [e for e in open_episodes if statuses[e.id].overdue(now)]
    cleared = [e for e in episodes if e.cleared_at is not None]
    for name, found in [("unacknowledged", unacknowledged), ("in progress", in_progress),
                        ("plan made", planned), ("contacts", contacts), ("overdue", overdue),
                        ("cleared", cleared)]:
        assert found, name
    psychologist = db.session.scalar(select(User).where(User.login == "psychologist"))
    deputy = db.session.scalar(select(User).where(User.login == "deputy.head"))
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    assert unacknowledged_alerts(psychologist) and unacknowledged_alerts(deputy)
    school = [e for e in episodes if e.organisation_id == psychologist.organisation_id]
    assert len(school) >= 4 and any(e.cleared_at for e in school)
    assert district_overdue(coordinator, now)
