"""The case file screens: finding and registering minors, the case page and its timeline,
legal representatives, enrolment; each role's scope and the audit of openings."""

import html
from datetime import date, timedelta

import pytest
from flask import url_for
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.iin import make_iin
from juvenile.cases.models import (
    CaseEvent,
    Enrolment,
    Incident,
    LegalRepresentative,
    Minor,
    Stage,
    enrolment_groups,
)
from juvenile.extensions import db as _db
from tests.conftest import counted_queries
from tests.test_admin_organisations import field_error, flashes, rows

TODAY = date.today()


# --- helpers -------------------------------------------------------------------------


def _t(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _nt(app, singular: str, plural: str, n: int) -> str:
    with app.test_request_context(), force_locale("kk"):
        return ngettext(singular, plural, n)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def switch_to(client, user):
    client.post("/logout")
    response = client.post("/login", data={"login": user.login,
                                           "password": "correct-horse-42"})
    assert response.status_code == 302


def _minor_count() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count(Minor.id)))


def _enrolments_of(minor_id: int) -> list[Enrolment]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Enrolment).where(Enrolment.minor_id == minor_id)
                                    .order_by(Enrolment.id)))


def _iin(born: date, sex: str = "m", serial: int = 700) -> str:
    iin = None
    while iin is None:
        iin, serial = make_iin(born, sex, serial), serial + 1
    return iin


def minor_form(**changes) -> dict:
    born = date(2012, 5, 9)
    data = {"iin": _iin(born, "f"), "surname": "Серікова", "given_name": "Аружан",
            "patronymic": "", "birth_date": born.isoformat(), "sex": "f",
            "schooling_language": "kk", "address": "Тараз, Төле би 5", "phone": "",
            "grade": "7Б"}
    data.update(changes)
    return data


def enrolment_form(**changes) -> dict:
    data = {"groups": ["2", "3"], "source": "police",
            "identified_on": (TODAY - timedelta(days=2)).isoformat(),
            "enrolled_on": (TODAY - timedelta(days=1)).isoformat(),
            "reason": "Сабақтан жиі қалады, полиция хабарлады."}
    data.update(changes)
    return data


def add_event(minor, kind: str, *, clinical: bool = False, data=None, days_ago: int = 0):
    _db.session.add(CaseEvent(minor_id=minor.id, kind=kind, clinical=clinical, data=data,
                              occurred_on=TODAY - timedelta(days=days_ago)))
    _db.session.commit()


@pytest.fixture
def school1_case(world, make_case):
    return make_case(world.orgs["school1"])


# --- finding minors --------------------------------------------------------------------


def test_search_finds_by_iin_and_name_beginning_within_scope(app, client, world, make_case,
                                                             login_as):
    ours = make_case(world.orgs["school1"], surname="Әбенов")
    make_case(world.orgs["school1"], surname="Бекова", enrol=False)
    neighbour = make_case(world.orgs["school2"], surname="Әбдіров")
    far = make_case(world.orgs["school3"], surname="Әбілов")
    login_as(Role.PSYCHOLOGIST)

    found = rows(client.get("/minors?q=әбе"))
    assert [row[0] for row in found] == [ours.minor.full_name]
    assert found[0][2] == "school1 (kk)"
    assert found[0][3] == _t(app, "initial stage")
    assert rows(client.get("/minors?q=ӘБЕНОВ нұр"))[0][0] == ours.minor.full_name
    assert rows(client.get("/minors?q=бенов")) == []  # a beginning, not any part
    assert rows(client.get(f"/minors?q={ours.minor.iin}"))[0][0] == ours.minor.full_name
    assert rows(client.get(f"/minors?q={ours.minor.iin[:11]}")) == []  # the IIN is exact
    assert rows(client.get(f"/minors?q={neighbour.minor.iin}")) == []  # another school
    everyone = {row[0]: row for row in rows(client.get("/minors"))}
    assert set(everyone) == {"Әбенов Нұрсұлтан", "Бекова Нұрсұлтан"}
    assert everyone["Бекова Нұрсұлтан"][3] == _t(app, "not in the programme")

    switch_to(client, world.users["district_coordinator"])
    names = {row[0] for row in rows(client.get("/minors?q=Әб"))}
    assert names == {ours.minor.full_name, neighbour.minor.full_name}  # D1, not D2
    assert far.minor.full_name not in text(client.get(f"/minors?q={far.minor.iin}"))


def test_search_is_paginated(app, client, world, make_case, login_as):
    for _ in range(5):
        make_case(world.orgs["school1"], enrol=False)
    app.config["LIST_PAGE_SIZE"] = 2
    login_as(Role.SOCIAL_PEDAGOGUE)
    first = client.get("/minors")
    assert len(rows(first)) == 2
    assert _t(app, "Page %(page)s of %(pages)s", page=1, pages=3) in text(first)
    assert len(rows(client.get("/minors?page=3"))) == 1


def test_register_link_is_for_school_roles_only(app, client, world, login_as):
    login_as(Role.SCHOOL_ADMIN)
    assert 'href="/minors/new"' in text(client.get("/minors"))
    switch_to(client, world.users["police_inspector"])
    assert 'href="/minors/new"' not in text(client.get("/minors"))


# --- scope and audit of the case page ----------------------------------------------------


@pytest.mark.parametrize("role, org", [(Role.PSYCHOLOGIST, "school2"),
                                       (Role.SCHOOL_ADMIN, "school3"),
                                       (Role.DISTRICT_COORDINATOR, "edu2"),
                                       (Role.POLICE_INSPECTOR, "police2")])
def test_case_outside_the_scope_is_not_found(app, client, world, make_user, school1_case,
                                             role, org):
    outsider = make_user(role, world.orgs[org])
    switch_to(client, outsider)
    minor_id = school1_case.minor.id
    for url in (f"/minors/{minor_id}", f"/minors/{minor_id}/edit",
                f"/minors/{minor_id}/enrol", f"/minors/{minor_id}/representatives/new",
                f"/representatives/{school1_case.representative.id}/edit"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert school1_case.minor.surname not in text(response)
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count(AuditEntry.id))
                              .where(AuditEntry.action == "open")) == 0


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN,
                                  Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR])
def test_each_case_role_of_the_scope_opens_the_case(client, world, school1_case, login_as,
                                                    role):
    login_as(role)
    response = client.get(f"/minors/{school1_case.minor.id}")
    assert response.status_code == 200
    assert school1_case.minor.full_name in text(response)


def test_opening_a_case_file_is_audited(client, world, school1_case, login_as):
    inspector = login_as(Role.POLICE_INSPECTOR)
    client.get(f"/minors/{school1_case.minor.id}")
    _db.session.expire_all()
    entries = list(_db.session.scalars(select(AuditEntry).where(AuditEntry.action == "open")))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.object_type, entry.object_id) == ("minors", school1_case.minor.id)
    assert entry.actor_id == inspector.id
    assert entry.district_id == world.districts["D1"].id


def test_inspector_never_sees_clinical_content(app, client, world, school1_case, login_as):
    minor = school1_case.minor
    add_event(minor, "assessment", clinical=True,
              data={"instrument": "Спилбергер мазасыздық шкаласы", "level": "high"})
    add_event(minor, "incident", data={"kind": "offence_administrative", "repeat": True})
    _db.session.add_all([
        Incident(minor_id=minor.id, kind="suicide_attempt", occurred_on=TODAY,
                 description="Дәрі ішіп қойды, ауруханада", recorded_by_id=world.users[
                     "psychologist"].id, district_id=minor.district_id),
        Incident(minor_id=minor.id, kind="offence_administrative", occurred_on=TODAY,
                 description="Дүкеннен ұрлық", recorded_by_id=world.users[
                     "police_inspector"].id, district_id=minor.district_id,
                 is_repeat_offence=True),
    ])
    _db.session.commit()

    login_as(Role.POLICE_INSPECTOR)
    page = text(client.get(f"/minors/{minor.id}"))
    assert "Спилбергер" not in page
    assert "Дәрі ішіп қойды" not in page
    assert "Дүкеннен ұрлық" in page  # offences are the police's business
    assert _t(app, "A repeat offence: committed while under support.") in page
    assert minor.iin in page and _t(app, "initial stage") in page  # identity, stage

    switch_to(client, world.users["psychologist"])
    page = text(client.get(f"/minors/{minor.id}"))
    assert "Спилбергер мазасыздық шкаласы" in page
    assert "Дәрі ішіп қойды" in page


def test_clinical_lines_do_not_count_on_the_inspectors_pages(app, client, world, school1_case,
                                                              login_as):
    for n in range(3):
        add_event(school1_case.minor, "session", clinical=True, data={"n": n})
    add_event(school1_case.minor, "registered")
    app.config["LIST_PAGE_SIZE"] = 2
    login_as(Role.POLICE_INSPECTOR)
    page = text(client.get(f"/minors/{school1_case.minor.id}"))
    assert _t(app, "Registered in the case files.") in page
    assert _t(app, "Page %(page)s of %(pages)s", page=1, pages=2) not in page


# --- the case page ----------------------------------------------------------------------


def test_header_shows_stage_deadline_specialist_and_flags(app, client, world, make_case,
                                                          login_as):
    psychologist = world.users["psychologist"]
    case = make_case(world.orgs["school1"], enrolled_on=TODAY - timedelta(days=14),
                     groups=(1, 5), responsible=psychologist,
                     transfer_to=world.orgs["school2"])
    case.enrolment.crisis, case.enrolment.crisis_raised_on = True, TODAY
    case.enrolment.police_registered_on = TODAY - timedelta(days=30)
    case.enrolment.police_grounds = "ӘҚБтК 434-бап"
    _db.session.commit()
    login_as(Role.SOCIAL_PEDAGOGUE)
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert _nt(app, "%(num)d day overdue", "%(num)d days overdue", 4) % {"num": 4} in page
    assert _nt(app, "%(num)d year", "%(num)d years", 15) % {"num": 15} in page
    assert psychologist.full_name in page
    assert 'id="crisis"' in page and _t(app, "Crisis") in page
    assert _t(app, "A hand-over to %(school)s is waiting for the receiving school to accept "
                   "it.", school="school2 (kk)") in page
    assert _t(app, "On police preventive registration") in page
    assert _t(app, "After a suicide attempt") in page
    assert "ӘҚБтК 434-бап" in page
    assert _t(app, "Hand the case over to another school") not in page  # one is waiting


def test_days_left_before_the_deadline(app, client, world, make_case, login_as):
    case = make_case(world.orgs["school1"], enrolled_on=TODAY - timedelta(days=3))
    login_as(Role.PSYCHOLOGIST)
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert _nt(app, "%(num)d day left", "%(num)d days left", 7) % {"num": 7} in page


def test_timeline_newest_first_with_sentences_and_filter(app, client, world, school1_case,
                                                         login_as):
    minor = school1_case.minor
    add_event(minor, "registered", days_ago=5)
    add_event(minor, "enrolled", data={"groups": [2, 3]}, days_ago=3)
    add_event(minor, "stage", data={"from": "initial", "to": "active"}, days_ago=1)
    add_event(minor, "later_kind", data={"act": "A-17"}, days_ago=0)  # a kind nobody registered
    login_as(Role.PSYCHOLOGIST)
    lines = [row[1] for row in rows(client.get(f"/minors/{minor.id}"))
             if len(row) == 3 and row[1]]
    timeline = lines[-4:]
    assert timeline[0] == "later_kind (act: A-17)"
    assert timeline[1] == _t(app, "Stage changed: %(from)s → %(to)s.",
                             **{"from": _t(app, "initial stage"),
                                "to": _t(app, "active rehabilitation")})
    assert timeline[2] == _t(app, "Enrolled in the programme. Target groups: %(groups)s.",
                             groups="; ".join([_t(app, "In a difficult life situation"),
                                               _t(app, "Signs of deviant behaviour")]))
    assert timeline[3] == _t(app, "Registered in the case files.")

    only_stages = text(client.get(f"/minors/{minor.id}?kind=stage"))
    assert _t(app, "Registered in the case files.") not in only_stages
    assert _t(app, "Stage changed: %(from)s → %(to)s.",
              **{"from": _t(app, "initial stage"), "to": _t(app, "active rehabilitation")}
              ) in only_stages
    assert "A-17" in text(client.get(f"/minors/{minor.id}?kind=later_kind"))


def test_a_line_with_unreadable_data_shows_its_values(app, client, world, school1_case,
                                                     login_as):
    add_event(school1_case.minor, "stage", data={"from": "initial", "to": "somewhere"})
    login_as(Role.PSYCHOLOGIST)
    page = text(client.get(f"/minors/{school1_case.minor.id}"))
    assert f"{_t(app, 'Stage')} (from: initial, to: somewhere)" in page


def test_timeline_is_paginated(app, client, world, school1_case, login_as):
    for n in range(5):
        add_event(school1_case.minor, "note", data={"n": n}, days_ago=n)
    app.config["LIST_PAGE_SIZE"] = 2
    login_as(Role.PSYCHOLOGIST)
    first = text(client.get(f"/minors/{school1_case.minor.id}"))
    assert "note (n: 0)" in first and "note (n: 2)" not in first
    assert f'href="/minors/{school1_case.minor.id}?page=2"' in first
    last = text(client.get(f"/minors/{school1_case.minor.id}?page=3"))
    assert "note (n: 4)" in last and "note (n: 0)" not in last


def test_actions_follow_what_the_user_may_do(app, client, world, school1_case, login_as):
    minor_id = school1_case.minor.id
    login_as(Role.SOCIAL_PEDAGOGUE)
    page = text(client.get(f"/minors/{minor_id}"))
    assert f'href="/minors/{minor_id}/edit"' in page
    assert f'href="/minors/{minor_id}/representatives/new"' in page
    assert f'href="/minors/{minor_id}/enrol"' not in page  # already enrolled
    switch_to(client, world.users["police_inspector"])
    page = text(client.get(f"/minors/{minor_id}"))
    assert f'href="/minors/{minor_id}/edit"' not in page
    assert f'href="/representatives/{school1_case.representative.id}/edit"' not in page


WORKFLOW_LINKS = {  # endpoint -> (argument, roles that see the link on an open case)
    "workflow.assign": ("enrolment_id", {Role.SCHOOL_ADMIN}),
    "workflow.stage": ("enrolment_id", {Role.PSYCHOLOGIST, Role.SCHOOL_ADMIN}),
    "workflow.extend": ("enrolment_id", {Role.DISTRICT_COORDINATOR}),
    "workflow.close": ("enrolment_id", {Role.PSYCHOLOGIST, Role.SCHOOL_ADMIN}),
    "workflow.new_incident": ("minor_id", {Role.PSYCHOLOGIST, Role.SCHOOL_ADMIN,
                                           Role.POLICE_INSPECTOR}),
    "workflow.new_transfer": ("minor_id", {Role.PSYCHOLOGIST, Role.SCHOOL_ADMIN}),
}


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.SCHOOL_ADMIN,
                                  Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR])
def test_workflow_links_only_for_those_who_may_act(app, client, world, school1_case,
                                                   login_as, role):
    """The workflow screens are built separately: links appear once their routes exist."""
    ids = {"enrolment_id": school1_case.enrolment.id, "minor_id": school1_case.minor.id}
    login_as(role)
    page = text(client.get(f"/minors/{school1_case.minor.id}"))
    for endpoint, (argument, roles) in WORKFLOW_LINKS.items():
        if endpoint not in app.view_functions:
            continue
        with app.test_request_context():
            url = url_for(endpoint, **{argument: ids[argument]})
        assert (f'href="{url}"' in page) == (role in roles), endpoint


def test_case_page_query_count_does_not_grow_with_the_history(app, client, world, make_case,
                                                              make_user, login_as):
    case = make_case(world.orgs["school1"], responsible=world.users["psychologist"])
    minor = case.minor
    add_event(minor, "registered")
    login_as(Role.PSYCHOLOGIST)
    url = f"/minors/{minor.id}"
    client.get(url)  # warm up
    with counted_queries() as small:
        assert client.get(url).status_code == 200

    coworker = make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school1"])
    for n in range(4):
        start = date(2020 + n, 1, 10)
        earlier = Enrolment(minor_id=minor.id, organisation_id=minor.organisation_id,
                            district_id=minor.district_id, source="school",
                            identified_on=start, enrolled_on=start, reason=f"period {n}",
                            stage=Stage.CLOSED.value, stage_started_on=start,
                            stage_due_on=start, closed_on=start + timedelta(days=200),
                            closure_reason="moved_away",
                            responsible_id=world.users["psychologist"].id)
        earlier.coworkers = [coworker]
        _db.session.add(earlier)
        _db.session.flush()
        _db.session.execute(enrolment_groups.insert(), [
            {"enrolment_id": earlier.id, "target_group": g} for g in (1, 3)])
        _db.session.add(LegalRepresentative(minor_id=minor.id, relation="guardian",
                                            full_name=f"Қамқоршы {n}", consent_on=start,
                                            consent_form="written"))
        _db.session.add(Incident(minor_id=minor.id, kind="running_away", occurred_on=start,
                                 description="кетіп қалды",
                                 recorded_by_id=world.users["psychologist"].id))
    for n in range(80):
        add_event(minor, "note", data={"n": n}, days_ago=n % 30)
    _db.session.commit()
    with counted_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert "period 3" in text(response) and "Қамқоршы 3" in text(response)
    assert len(large) == len(small), (len(small), len(large))


# --- registering and editing a minor -------------------------------------------------------


def test_register_a_minor(app, client, world, login_as):
    pedagogue = login_as(Role.SOCIAL_PEDAGOGUE)
    data = minor_form()
    response = client.post("/minors/new", data=data)
    assert response.status_code == 302
    _db.session.expire_all()
    minor = _db.session.scalar(select(Minor).where(Minor.iin == data["iin"]))
    assert response.headers["Location"] == f"/minors/{minor.id}"
    assert (minor.organisation_id, minor.district_id) == (pedagogue.organisation_id,
                                                          world.districts["D1"].id)
    assert minor.patronymic is None and minor.grade == "7Б"
    page = client.get(response.headers["Location"])
    assert _t(app, "Registered in the case files.") in text(page)
    assert _t(app, "%(name)s is registered.", name=minor.full_name) in flashes(page)


def test_registering_an_iin_in_scope_opens_the_existing_case(app, client, world, school1_case,
                                                            login_as):
    login_as(Role.PSYCHOLOGIST)
    response = client.post("/minors/new", data=minor_form(iin=school1_case.minor.iin))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/minors/{school1_case.minor.id}"
    page = client.get(response.headers["Location"])
    assert _t(app, "This minor is already registered.") in flashes(page)
    assert _minor_count() == 1


def test_registering_an_iin_out_of_scope_reveals_nothing(app, client, world, make_case,
                                                         login_as):
    other = make_case(world.orgs["school3"], surname="Жолдасбеков")
    login_as(Role.PSYCHOLOGIST)
    response = client.post("/minors/new", data=minor_form(iin=other.minor.iin,
                                                          surname="Басқа"))
    assert response.status_code == 200
    page = text(response)
    assert field_error(response, "iin") == _t(
        app, "This minor is registered in another organisation. To take the case over, ask "
             "that organisation to hand it over to your school (the district education "
             "department can tell you which one).")
    for secret in ("Жолдасбеков", "Нұрсұлтан", "school3", "Абай көшесі",
                   f"/minors/{other.minor.id}"):
        assert secret not in page
    assert 'value="Басқа"' in page  # what was typed stays
    assert _minor_count() == 1


@pytest.mark.parametrize("changes, field, message", [
    ({"iin": "110314500019"}, "iin",
     "This IIN is not valid: its check digit does not match. Check the digits against the "
     "document."),
    ({"iin": "12345"}, "iin", "An IIN has exactly 12 digits."),
    ({"birth_date": "2012-05-10"}, "birth_date", None),
    ({"sex": "m"}, "sex", "The sex differs from the one encoded in the IIN."),
    ({"surname": ""}, "surname", "This field is required."),
    ({"birth_date": "31.02.2012"}, "birth_date", None),
])
def test_bad_identity_is_shown_beside_the_field(app, client, world, login_as, changes, field,
                                                message):
    login_as(Role.PSYCHOLOGIST)
    response = client.post("/minors/new", data=minor_form(**changes))
    assert response.status_code == 200
    error = field_error(response, field)
    assert error, text(response)
    if message:
        assert error == _t(app, message)
    assert 'value="Тараз, Төле би 5"' in text(response)  # typed values are kept
    assert _minor_count() == 0


def test_birth_date_in_the_future_is_refused(app, client, world, login_as):
    born = TODAY + timedelta(days=40)
    login_as(Role.PSYCHOLOGIST)
    response = client.post("/minors/new", data=minor_form(iin=_iin(born, "f"),
                                                          birth_date=born.isoformat()))
    assert field_error(response, "birth_date") == _t(app, "The birth date is in the future.")
    assert _minor_count() == 0


def test_edit_identity(app, client, world, school1_case, login_as):
    login_as(Role.SCHOOL_ADMIN)
    minor = school1_case.minor
    form = client.get(f"/minors/{minor.id}/edit")
    assert f'value="{minor.iin}"' in text(form)
    data = minor_form(iin=minor.iin, birth_date=minor.birth_date.isoformat(), sex="m",
                      surname="Әбенов", given_name="Нұрлан", version=str(minor.version))
    response = client.post(f"/minors/{minor.id}/edit", data=data)
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Minor, minor.id).given_name == "Нұрлан"


def test_stale_identity_form_is_refused(app, client, world, school1_case, login_as):
    minor = school1_case.minor
    opened_at = minor.version
    minor.address = "Тараз, жаңа мекенжай 9"  # someone else saved meanwhile
    _db.session.commit()
    login_as(Role.PSYCHOLOGIST)
    data = minor_form(iin=minor.iin, birth_date=minor.birth_date.isoformat(), sex="m",
                      surname="Өзгерген", version=str(opened_at))
    response = client.post(f"/minors/{minor.id}/edit", data=data)
    assert response.status_code == 200
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in text(response)
    _db.session.expire_all()
    kept = _db.session.get(Minor, minor.id)
    assert (kept.surname, kept.address) == ("Әбенов", "Тараз, жаңа мекенжай 9")


# --- legal representatives --------------------------------------------------------------------


def test_add_a_representative_with_consent(app, client, world, make_case, login_as):
    case = make_case(world.orgs["school1"], enrol=False)
    login_as(Role.SOCIAL_PEDAGOGUE)
    form = text(client.get(f"/minors/{case.minor.id}/representatives/new"))
    assert "94-V" in form
    consent_on = TODAY - timedelta(days=1)
    response = client.post(f"/minors/{case.minor.id}/representatives/new", data={
        "relation": "father", "full_name": "Әбенов Ерлан", "phone": "+7 702 111 22 33",
        "address": "", "consent_on": consent_on.isoformat(), "consent_form": "electronic"})
    assert response.status_code == 302
    _db.session.expire_all()
    father = _db.session.scalar(select(LegalRepresentative)
                                .where(LegalRepresentative.full_name == "Әбенов Ерлан"))
    assert (father.consent_on, father.consent_form, father.address) == (
        consent_on, "electronic", None)
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert _t(app, "Consent of the legal representative (%(relation)s) recorded, %(form)s.",
              relation=_t(app, "father"), form=_t(app, "electronic (eGov)")) in page


def test_representative_consent_in_the_future_is_refused(app, client, world, school1_case,
                                                         login_as):
    login_as(Role.SOCIAL_PEDAGOGUE)
    response = client.post(f"/minors/{school1_case.minor.id}/representatives/new", data={
        "relation": "guardian", "full_name": "Қамқоршы",
        "consent_on": (TODAY + timedelta(days=2)).isoformat(), "consent_form": "written"})
    assert field_error(response, "consent_on") == _t(app, "The date is in the future.")
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count(LegalRepresentative.id))) == 1


def test_edit_a_representative_and_refuse_a_stale_form(app, client, world, school1_case,
                                                       login_as):
    rep = school1_case.representative
    login_as(Role.PSYCHOLOGIST)
    form = text(client.get(f"/representatives/{rep.id}/edit"))
    assert 'value="Әбенова Гүлмира"' in form
    data = {"relation": "mother", "full_name": "Әбенова Гүлмира Серікқызы",
            "phone": "+7 701 000 00 00", "address": "", "consent_on": "2026-09-01",
            "consent_form": "written", "version": str(rep.version)}
    assert client.post(f"/representatives/{rep.id}/edit", data=data).status_code == 302
    stale = client.post(f"/representatives/{rep.id}/edit",
                        data={**data, "full_name": "Басқа есім"})
    assert stale.status_code == 200
    _db.session.expire_all()
    assert _db.session.get(LegalRepresentative, rep.id).full_name == "Әбенова Гүлмира Серікқызы"


def test_unknown_representative_is_not_found(client, world, login_as):
    login_as(Role.PSYCHOLOGIST)
    assert client.get("/representatives/999/edit").status_code == 404


# --- enrolment ---------------------------------------------------------------------------------


def test_enrol_a_minor_in_two_groups(app, client, world, make_case, login_as):
    case = make_case(world.orgs["school1"], enrol=False)
    login_as(Role.SOCIAL_PEDAGOGUE)
    form = text(client.get(f"/minors/{case.minor.id}/enrol"))
    assert 'type="checkbox"' in form and 'id="police_registered_on"' in form
    response = client.post(f"/minors/{case.minor.id}/enrol", data=enrolment_form())
    assert response.status_code == 302
    [enrolment] = _enrolments_of(case.minor.id)
    assert enrolment.stage == Stage.INITIAL.value
    assert enrolment.police_registered_on is None
    groups = _db.session.scalars(select(enrolment_groups.c.target_group)
                                 .where(enrolment_groups.c.enrolment_id == enrolment.id))
    assert sorted(groups) == [2, 3]
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert _t(app, "Signs of deviant behaviour") in page
    assert _nt(app, "%(num)d day left", "%(num)d days left", 9) % {"num": 9} in page


def test_enrolment_is_refused_without_consent(app, client, world, make_case, login_as):
    case = make_case(world.orgs["school1"], enrol=False)
    case.representative.consent_on, case.representative.consent_form = None, None
    _db.session.commit()
    login_as(Role.SOCIAL_PEDAGOGUE)
    page = text(client.get(f"/minors/{case.minor.id}/enrol"))
    assert "94-V" in page
    assert f'href="/minors/{case.minor.id}/representatives/new"' in page
    assert f'href="/representatives/{case.representative.id}/edit"' in page
    response = client.post(f"/minors/{case.minor.id}/enrol", data=enrolment_form())
    assert response.status_code == 200 and 'id="no-consent"' in text(response)
    assert _enrolments_of(case.minor.id) == []
    case_page = text(client.get(f"/minors/{case.minor.id}"))
    assert _t(app, "no consent") in case_page


@pytest.mark.parametrize("changes, field, message", [
    ({"identified_on": "2010-01-01", "enrolled_on": "2010-01-02"}, "identified_on",
     "The date is before the minor's birth."),
    ({"enrolled_on": (TODAY + timedelta(days=3)).isoformat()}, "enrolled_on",
     "The date is in the future."),
    ({"identified_on": TODAY.isoformat(),
      "enrolled_on": (TODAY - timedelta(days=5)).isoformat()}, "enrolled_on",
     "Enrolment cannot come before identification."),
    ({"groups": []}, "groups", "Choose at least one target group."),
    ({"groups": ["1"]}, "police_registered_on",
     "Give the date of the police preventive registration."),
    ({"groups": ["4"], "police_registered_on": "2026-01-10", "police_grounds": "ҚК 188"},
     "released_on", "Give the release date."),
    ({"reason": ""}, "reason", "This field is required."),
])
def test_bad_enrolment_is_shown_beside_the_field(app, client, world, make_case, login_as,
                                                 changes, field, message):
    case = make_case(world.orgs["school1"], enrol=False)
    login_as(Role.SOCIAL_PEDAGOGUE)
    response = client.post(f"/minors/{case.minor.id}/enrol", data=enrolment_form(**changes))
    assert response.status_code == 200
    assert field_error(response, field) == _t(app, message), text(response)
    assert _enrolments_of(case.minor.id) == []


def test_a_minor_who_is_18_at_enrolment_is_refused(app, client, world, make_case, login_as):
    case = make_case(world.orgs["school1"], enrol=False, birth_date=date(2008, 1, 15))
    login_as(Role.SOCIAL_PEDAGOGUE)
    response = client.post(f"/minors/{case.minor.id}/enrol", data=enrolment_form(
        identified_on="2026-01-20", enrolled_on="2026-01-20"))
    assert field_error(response, "enrolled_on") == _t(
        app, "The minor is 18 on this date: the programme is for minors.")
    assert 'value="2026-01-20"' in text(response)
    assert _enrolments_of(case.minor.id) == []


def test_re_enrolment_after_closure_keeps_the_history(app, client, world, make_case,
                                                      login_as):
    case = make_case(world.orgs["school1"], enrolled_on=date(2025, 2, 3))
    first = case.enrolment
    first.closed_on, first.closure_reason = date(2025, 10, 1), "moved_away"
    first.stage = Stage.CLOSED.value
    first.reason = "Бірінші кезеңнің себебі"
    _db.session.commit()
    login_as(Role.SOCIAL_PEDAGOGUE)
    response = client.post(f"/minors/{case.minor.id}/enrol", data=enrolment_form())
    assert response.status_code == 302
    enrolments = _enrolments_of(case.minor.id)
    assert len(enrolments) == 2 and enrolments[0].closed_on == date(2025, 10, 1)
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert _t(app, "Earlier periods in the programme") in page
    assert "Бірінші кезеңнің себебі" in page
    assert _t(app, "moved away") in page
    # Enrolled again: the form now sends the user back to the case.
    again = client.get(f"/minors/{case.minor.id}/enrol")
    assert again.status_code == 302
