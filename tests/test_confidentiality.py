"""What the police and other outsiders of the clinical circle must never learn."""

from datetime import date

from flask_babel import force_locale

from juvenile.accounts.models import Role
from juvenile.cases import services
from juvenile.cases.models import TargetGroup
from juvenile.extensions import db as _db


def test_police_see_no_minor_outside_groups_1_and_4(client, world, make_case, login_as):
    only_difficult = make_case(world.orgs["school1"], groups=(2, 5), surname="Қасымов")
    watched = make_case(world.orgs["school1"], groups=(1,), surname="Серіков")
    login_as(Role.POLICE_INSPECTOR)
    assert client.get(f"/minors/{only_difficult.minor.id}").status_code == 404
    assert client.get(f"/minors/{watched.minor.id}").status_code == 200
    listing = client.get("/minors?q=").get_data(as_text=True)
    assert "Серіков" in listing and "Қасымов" not in listing
    found = client.get(f"/minors?q={only_difficult.minor.iin}").get_data(as_text=True)
    assert "Қасымов" not in found


def test_police_read_no_suicide_facts_on_a_case_they_may_open(app, client, world, make_case,
                                                               login_as):
    case = make_case(world.orgs["school1"], groups=(1, 5))
    with app.test_request_context():
        services.record_incident(world.users["psychologist"], case.minor, "suicide_attempt",
                                 date.today(), "Таблетка ішкен", date.today())
        _db.session.commit()
        with force_locale("kk"):
            attempt = TargetGroup.SUICIDE_ATTEMPT.label
            registered = TargetGroup.PREVENTIVE_REGISTRATION.label
    login_as(Role.POLICE_INSPECTOR)
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert registered in page
    assert attempt not in page
    assert 'id="crisis"' not in page
    assert "Таблетка" not in page and "suicide" not in page.lower()


def test_the_school_psychologist_still_reads_all_of_it(app, client, world, make_case,
                                                       login_as):
    case = make_case(world.orgs["school1"], groups=(1, 5))
    with app.test_request_context():
        services.record_incident(world.users["psychologist"], case.minor, "self_harm",
                                 date.today(), "Қолын кескен", date.today())
        _db.session.commit()
        with force_locale("kk"):
            attempt = TargetGroup.SUICIDE_ATTEMPT.label
    login_as(Role.PSYCHOLOGIST)
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert attempt in page and 'id="crisis"' in page and "Қолын кескен" in page


def test_logout_kills_a_copied_session_cookie(app, client, world, auth):
    auth.login("psychologist")
    cookie = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 302


def test_guessing_the_current_password_is_throttled(app, client, world, auth):
    auth.login("psychologist")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        client.post("/password", data={"current_password": "guess-000000",
                                       "new_password": "new-secret-123",
                                       "confirm_password": "new-secret-123"})
    from tests.conftest import PASSWORD

    response = client.post("/password", data={"current_password": PASSWORD,
                                              "new_password": "new-secret-123",
                                              "confirm_password": "new-secret-123"})
    assert response.status_code == 200  # refused, still on the form
    auth.logout()
    assert auth.login("psychologist", "new-secret-123").status_code != 302


def test_contradictory_settings_are_refused(client, world, login_as):
    login_as(Role.ADMIN)
    from juvenile.settings.registry import values

    data = {key: str(value) for key, value in values().items()}
    data |= {f"seen_{key}": str(value) for key, value in values().items()}
    data |= {"active_stage_min_months": "12", "active_stage_max_months": "1"}
    response = client.post("/settings/", data=data)
    assert response.status_code == 200
    assert 'id="active_stage_min_months-error"' in response.get_data(as_text=True)


def test_a_mangled_version_is_a_refusal_not_a_crash(client, world, make_case, login_as):
    case = make_case(world.orgs["school1"])
    login_as(Role.SCHOOL_ADMIN)
    response = client.post(f"/enrolments/{case.enrolment.id}/stage", data={"version": "²"})
    assert response.status_code == 200


def test_specialist_with_open_cases_is_not_deactivated_silently(client, world, make_case,
                                                                login_as):
    make_case(world.orgs["school1"], responsible=world.users["psychologist"])
    login_as(Role.ADMIN)
    client.post(f"/admin/users/{world.users['psychologist'].id}/active", data={"active": "0"})
    _db.session.expire_all()
    assert _db.session.get(type(world.users["psychologist"]),
                           world.users["psychologist"].id).is_enabled


def test_typing_the_iin_of_a_minor_of_another_school_is_recorded_for_its_district(
        client, world, make_case, login_as):
    from sqlalchemy import select

    from juvenile.audit.models import AuditEntry

    elsewhere = make_case(world.orgs["school3"])  # district D2
    prober = login_as(Role.SOCIAL_PEDAGOGUE)        # school1, district D1
    minor = elsewhere.minor
    response = client.post("/minors/new", data={
        "iin": minor.iin, "surname": "Кез", "given_name": "Кім", "patronymic": "",
        "birth_date": minor.birth_date.isoformat(), "sex": minor.sex,
        "schooling_language": "kk", "address": "Тараз", "phone": "", "grade": ""})
    assert response.status_code == 200
    assert minor.surname not in response.get_data(as_text=True)
    _db.session.expire_all()
    entry = _db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "iin_match")).one()
    assert (entry.actor_id, entry.object_id) == (prober.id, minor.id)
    assert entry.district_id == world.districts["D2"].id


def test_police_read_none_of_the_programmes_work_on_the_timeline(client, world, make_case,
                                                                  login_as, auth):
    """Visits, sessions, schooling, leisure and the IRP are work with the minor and the
    family: the inspector reads the case's legal course only; the coordinator reads the
    non-clinical lines."""
    from juvenile.cases.services import add_event

    case = make_case(world.orgs["school1"], groups=(1,))
    for kind, data in [("home_visit", {"participants": 2}),
                       ("session", {"kind": "contact_family", "minutes": 20,
                                    "format": "phone"}),
                       ("attendance", {"month": "2026-10-01", "lessons": 80, "excused": 2,
                                       "unexcused": 7}),
                       ("leisure_started", {"kind": "club", "name": "Домбыра үйірмесі"})]:
        add_event(case.minor, kind, date.today(), world.users["social_pedagogue"],
                  enrolment=case.enrolment, data=data)
    add_event(case.minor, "incident", date.today(), world.users["police_inspector"],
              enrolment=case.enrolment,
              data={"kind": "offence_administrative", "repeat": True})
    _db.session.commit()
    login_as(Role.POLICE_INSPECTOR)
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert "Домбыра" not in page
    assert 'data-kind="incident"' in page  # the legal course stays
    for kind in ("home_visit", "session", "attendance", "leisure_started"):
        assert f'data-kind="{kind}"' not in page
    auth.logout()
    login_as(Role.DISTRICT_COORDINATOR)
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert "Домбыра" in page
