"""Screens of the family work: the home-visit form (rows added without JavaScript,
refusals beside their field, typed values kept), the act's page, corrections, the legal
measures, the case page's section, and who reaches what."""

from datetime import date, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape
from sqlalchemy import select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.errors import stale_record_message
from juvenile.extensions import db as _db
from juvenile.familywork.models import LegalMeasure, LivingConditionsAct
from tests.conftest import PASSWORD, count_queries
from tests.matrices.familywork import MATRIX, make_act, make_measure

TODAY = date.today()
ENROLLED = TODAY - timedelta(days=30)


def _t(message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it, escaped as in the page."""
    with current_app.test_request_context(), force_locale("kk"):
        return str(escape(gettext(message, **values)))


def _form(**changes) -> dict:
    values = {
        "visited_on": (TODAY - timedelta(days=1)).isoformat(),
        "address": "Тараз, Төле би көшесі 5, 12-пәтер",
        "participants-0-name": "Серікова Айгүл", "participants-0-position": "әлеуметтік педагог",
        "participants-0-organisation": "№1 мектеп",
        "participants-1-name": "Омаров Қанат", "participants-1-position": "инспектор",
        "participants-1-organisation": "Полиция",
        "household-0-name": "Әбенова Гүлмира", "household-0-relation": "анасы",
        "household-0-birth_year": "1985", "household-0-occupation": "сатушы",
        "household-1-name": "", "household-1-relation": "", "household-1-birth_year": "",
        "household-1-occupation": "",
        "housing_type": "house", "rooms": "3", "housing_condition": "good",
        "housing_note": "Жылу бар", "material_conditions": "adequate",
        "income_note": "Анасының жалақысы", "study_conditions": "Жеке бұрышы бар",
        "rest_conditions": "Бөлек бөлме", "supervision": "adequate",
        "supervision_note": "Әжесі қарайды", "risk_factors": ["conflict"],
        "risk_note": "Ағасымен жанжал", "conclusions": "Тұрмыс жағдайы жақсы",
        "recommendations": "Тоқсан сайын бару"}
    return values | changes


@pytest.fixture
def case(world, make_case):
    return make_case(world.orgs["school1"], enrolled_on=ENROLLED,
                     responsible=world.users["social_pedagogue"])


def _new_url(case) -> str:
    return f"/enrolments/{case.enrolment.id}/home-visits/new"


# --- recording an act ----------------------------------------------------------------------


def test_the_social_pedagogue_records_an_act_and_opens_it(client, case, login_as):
    user = login_as("social_pedagogue")
    form = client.get(_new_url(case)).get_data(as_text=True)
    # The form starts with the minor's address and the user as the first participant.
    assert 'value="Тараз, Абай көшесі 1"' in form
    assert f'value="{user.full_name}"' in form
    assert 'id="participants-1-name"' in form and 'id="household-2-name"' in form
    response = client.post(_new_url(case), data=_form())
    assert response.status_code == 302
    act = _db.session.scalar(select(LivingConditionsAct))
    assert response.headers["Location"] == f"/home-visits/{act.id}"
    assert [p["name"] for p in act.participants] == ["Серікова Айгүл", "Омаров Қанат"]
    assert act.household == [{"name": "Әбенова Гүлмира", "relation": "анасы",
                               "birth_year": 1985, "occupation": "сатушы"}]
    assert (act.rooms, act.risk_factors, act.recorded_by_id) == (3, ["conflict"], user.id)
    page = client.get(f"/home-visits/{act.id}").get_data(as_text=True)
    for text in ("Омаров Қанат", "Әбенова Гүлмира", "Жылу бар", "Анасының жалақысы",
                 "Жеке бұрышы бар", "Бөлек бөлме", "Әжесі қарайды", "Ағасымен жанжал",
                 "Тұрмыс жағдайы жақсы", "Тоқсан сайын бару", _t("frequent conflicts"),
                 _t("private house")):
        assert text in page, text
    assert f"/home-visits/{act.id}.pdf?lang=kk" in page
    assert f"/home-visits/{act.id}/edit" in page


def test_opening_an_act_is_audited(client, case, world, login_as):
    act = make_act(_db, case.enrolment, world.users["social_pedagogue"])
    login_as("school_admin")
    assert client.get(f"/home-visits/{act.id}").status_code == 200
    assert client.get(f"/home-visits/{act.id}.pdf?lang=ru").status_code == 200
    openings = _db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "living_conditions_acts", AuditEntry.action == "open")).all()
    assert [(e.object_id, e.actor_login) for e in openings] == [(act.id, "school_admin")] * 2


@pytest.mark.parametrize(("changes", "field_id"), [
    ({"visited_on": (TODAY + timedelta(days=1)).isoformat()}, "visited_on"),
    ({"visited_on": (ENROLLED - timedelta(days=1)).isoformat()}, "visited_on"),
    ({"participants-1-position": ""}, "participants-1-position"),
    ({"household-0-birth_year": "1800"}, "household-0-birth_year"),
    ({"household-0-birth_year": "сексен"}, "household-0-birth_year"),
    ({"conclusions": ""}, "conclusions"),
])
def test_a_refusal_sits_beside_its_field_and_keeps_the_typing(client, case, login_as,
                                                              changes, field_id):
    login_as("social_pedagogue")
    response = client.post(_new_url(case), data=_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field_id}-error"' in page
    assert f'aria-describedby="{field_id}-error"' in page
    for kept in ("Омаров Қанат", "Әбенова Гүлмира", "Ағасымен жанжал", "Тоқсан сайын бару"):
        assert kept in page, kept
    assert '<input checked id="risk_factors-3" name="risk_factors" type="checkbox" ' \
        'value="conflict">' in page
    assert _db.session.scalar(select(LivingConditionsAct.id)) is None


def test_the_message_beside_the_position_names_the_fault(client, case, login_as):
    login_as("social_pedagogue")
    page = client.post(_new_url(case), data=_form(**{"participants-1-position": ""})
                       ).get_data(as_text=True)
    assert _t("Write the participant's position.") in page
    page = client.post(_new_url(case), data=_form(visited_on=(
        TODAY + timedelta(days=2)).isoformat())).get_data(as_text=True)
    assert _t("The date is in the future.") in page


def test_a_row_is_added_without_javascript_and_nothing_is_saved(client, case, login_as):
    login_as("social_pedagogue")
    response = client.post(_new_url(case), data=_form(add_participant="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="participants-2-name"' in page and 'id="participants-3-name"' not in page
    # the new row is empty and takes the cursor
    assert '<input autofocus id="participants-2-name" maxlength="200" ' \
        'name="participants-2-name" type="text" value="">' in page
    assert "Омаров Қанат" in page and "Тоқсан сайын бару" in page
    assert 'class="error"' not in page  # asking for a row is not a refusal
    response = client.post(_new_url(case), data=_form(add_household="1"))
    page = response.get_data(as_text=True)
    # two rows posted, padded to the three a form offers, then one more
    assert 'id="household-3-name"' in page and 'id="household-4-name"' not in page
    assert _db.session.scalar(select(LivingConditionsAct.id)) is None
    # The added row is saved like the others.
    extra = {"participants-2-name": "Жақыпова Сәуле", "participants-2-position": "дәрігер",
             "participants-2-organisation": "Емхана"}
    assert client.post(_new_url(case), data=_form(**extra)).status_code == 302
    act = _db.session.scalar(select(LivingConditionsAct))
    assert [p["name"] for p in act.participants][-1] == "Жақыпова Сәуле"


def test_no_new_act_on_a_closed_case(client, case, login_as):
    case.enrolment.closed_on = TODAY
    _db.session.commit()
    login_as("social_pedagogue")
    response = client.post(_new_url(case), data=_form())
    assert response.status_code == 302
    assert _db.session.scalar(select(LivingConditionsAct.id)) is None


# --- corrections ---------------------------------------------------------------------------


def test_a_correction_shows_the_stored_rows_and_refuses_a_stale_form(client, case, world,
                                                                     login_as):
    act = make_act(_db, case.enrolment, world.users["social_pedagogue"])
    login_as("psychologist")
    url = f"/home-visits/{act.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form
    assert 'value="Серікова Айгүл"' in form and 'value="1985"' in form
    assert 'id="participants-1-name"' in form  # one empty row after the stored one
    assert client.post(url, data=_form(version="1")).status_code == 302
    stale = client.post(url, data=_form(version="1", conclusions="Ескі нұсқа"))
    page = stale.get_data(as_text=True)
    assert stale.status_code == 200
    with current_app.test_request_context(), force_locale("kk"):
        assert stale_record_message() in page
    assert "Ескі нұсқа" in page  # the typing is kept
    _db.session.expire_all()
    saved = _db.session.get(LivingConditionsAct, act.id)
    assert (saved.conclusions, saved.version) == ("Тұрмыс жағдайы жақсы", 2)


# --- legal measures ------------------------------------------------------------------------


def test_a_measure_is_recorded_then_its_outcome(client, case, login_as):
    login_as("social_pedagogue")
    url = f"/enrolments/{case.enrolment.id}/legal-measures/new"
    refused = client.post(url, data={"kind": "warning", "taken_on": (
        TODAY + timedelta(days=1)).isoformat(), "description": "Ескерту"})
    assert 'id="taken_on-error"' in refused.get_data(as_text=True)
    assert client.post(url, data={"kind": "warning", "taken_on": TODAY.isoformat(),
                                  "description": "Ата-анаға ескерту"}).status_code == 302
    measure = _db.session.scalar(select(LegalMeasure))
    overview = client.get(f"/enrolments/{case.enrolment.id}/family-work").get_data(as_text=True)
    assert "Ата-анаға ескерту" in overview and _t("awaiting outcome") in overview
    outcome_url = f"/legal-measures/{measure.id}/outcome"
    early = client.post(outcome_url, data={"version": "1", "outcome": "Шешім", "outcome_on": (
        TODAY - timedelta(days=1)).isoformat()})
    assert 'id="outcome_on-error"' in early.get_data(as_text=True)
    assert client.post(outcome_url, data={"version": "1", "outcome": "Отбасы ескертілді",
                                          "outcome_on": TODAY.isoformat()}).status_code == 302
    overview = client.get(f"/enrolments/{case.enrolment.id}/family-work").get_data(as_text=True)
    assert "Отбасы ескертілді" in overview and _t("awaiting outcome") not in overview
    stale = client.post(outcome_url, data={"version": "1", "outcome": "Басқа",
                                           "outcome_on": TODAY.isoformat()})
    assert "Отбасы ескертілді" in stale.get_data(as_text=True)  # what is saved now
    _db.session.expire_all()
    assert _db.session.get(LegalMeasure, measure.id).outcome == "Отбасы ескертілді"


# --- the case page -------------------------------------------------------------------------


def test_the_case_page_shows_the_latest_act_and_the_measures(client, case, world, login_as):
    recorder = world.users["social_pedagogue"]
    make_act(_db, case.enrolment, recorder, on=ENROLLED + timedelta(days=1))
    latest = make_act(_db, case.enrolment, recorder, on=ENROLLED + timedelta(days=5))
    latest.conclusions = "Соңғы қорытынды"
    make_measure(_db, case.enrolment, recorder)
    _db.session.commit()
    login_as("school_admin")
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert 'id="family-work-panel"' in page
    assert "Соңғы қорытынды" in page
    assert f"/home-visits/{latest.id}" in page
    with current_app.test_request_context(), force_locale("kk"):
        assert ngettext("%(num)d home visit recorded.", "%(num)d home visits recorded.",
                        2) in page
    assert _t("warning to the legal representatives") in page
    assert _t("awaiting outcome") in page
    assert "/home-visits/new" not in page  # the deputy head reads, does not record
    client.post("/logout")
    login_as("social_pedagogue")
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert f"/enrolments/{case.enrolment.id}/home-visits/new" in page


@pytest.mark.parametrize("role", ["police_inspector", "district_coordinator"])
def test_outsiders_see_no_family_work_section(client, case, world, login_as, role):
    make_act(_db, case.enrolment, world.users["social_pedagogue"])
    login_as(role)
    response = client.get(f"/minors/{case.minor.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="family-work-panel"' not in page
    assert "Жағдайы қанағаттанарлық" not in page and "/home-visits/" not in page


def test_the_section_costs_the_same_queries_whatever_the_records(client, case, world,
                                                                 login_as):
    recorder = world.users["social_pedagogue"]
    make_act(_db, case.enrolment, recorder)
    make_measure(_db, case.enrolment, recorder)
    login_as("social_pedagogue")
    urls = [f"/minors/{case.minor.id}", f"/enrolments/{case.enrolment.id}/family-work"]
    few = [count_queries(client, url)[1] for url in urls]
    for days in range(6):
        make_act(_db, case.enrolment, recorder, on=ENROLLED + timedelta(days=days))
        make_measure(_db, case.enrolment, recorder)
    many = [count_queries(client, url)[1] for url in urls]
    assert many == few


# --- who reaches what ----------------------------------------------------------------------


def _urls(case, act_id: int, measure_id: int) -> dict[str, str]:
    e = case.enrolment.id
    return {"familywork.overview": f"/enrolments/{e}/family-work",
            "familywork.new_act": f"/enrolments/{e}/home-visits/new",
            "familywork.edit_act": f"/home-visits/{act_id}/edit",
            "familywork.act": f"/home-visits/{act_id}",
            "familywork.act_pdf": f"/home-visits/{act_id}.pdf",
            "familywork.new_measure": f"/enrolments/{e}/legal-measures/new",
            "familywork.measure_outcome": f"/legal-measures/{measure_id}/outcome"}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_reaches_only_its_routes(client, case, world, login_as, role):
    recorder = world.users["social_pedagogue"]
    act, measure = make_act(_db, case.enrolment, recorder), make_measure(
        _db, case.enrolment, recorder)
    login_as(role)
    urls = _urls(case, act.id, measure.id)
    assert set(urls) == set(MATRIX)
    for endpoint, url in urls.items():
        status = client.get(url).status_code
        if role in MATRIX[endpoint]:
            assert status == 200, (endpoint, status)
        else:
            assert status == 403, (endpoint, status)


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN])
def test_staff_of_another_school_get_404(client, case, world, make_user, role):
    recorder = world.users["social_pedagogue"]
    act, measure = make_act(_db, case.enrolment, recorder), make_measure(
        _db, case.enrolment, recorder)
    other = make_user(role, world.orgs["school2"])
    client.post("/login", data={"login": other.login, "password": PASSWORD})
    for endpoint, url in _urls(case, act.id, measure.id).items():
        if role not in MATRIX[endpoint]:
            continue
        response = client.get(url)
        assert response.status_code == 404, (endpoint, response.status_code)
        assert not response.data.startswith(b"%PDF")
    assert _db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.object_type == "living_conditions_acts")) is None


def test_after_a_hand_over_the_old_school_loses_the_acts(client, case, world, login_as):
    act = make_act(_db, case.enrolment, world.users["social_pedagogue"])
    for record in (case.minor, case.enrolment):
        record.organisation_id = world.orgs["school2"].id
    _db.session.commit()
    login_as("social_pedagogue")
    assert client.get(f"/home-visits/{act.id}").status_code == 404
    assert client.get(f"/home-visits/{act.id}.pdf").status_code == 404


# --- dates after the closure ---------------------------------------------------------------


def test_a_date_after_the_closure_is_refused_beside_its_field(client, case, world, login_as):
    recorder = world.users["social_pedagogue"]
    act = make_act(_db, case.enrolment, recorder, on=ENROLLED + timedelta(days=1))
    measure = make_measure(_db, case.enrolment, recorder)
    case.enrolment.closed_on = ENROLLED + timedelta(days=10)
    _db.session.commit()
    login_as("social_pedagogue")
    late = (ENROLLED + timedelta(days=11)).isoformat()
    message = _t("The date is after the case was closed.")
    page = client.post(f"/home-visits/{act.id}/edit", data=_form(
        version="1", visited_on=late)).get_data(as_text=True)
    assert 'id="visited_on-error"' in page and message in page
    assert "Тұрмыс жағдайы жақсы" in page  # the typing is kept
    page = client.post(f"/legal-measures/{measure.id}/outcome", data={
        "version": "1", "outcome": "Кеш шешім", "outcome_on": late}).get_data(as_text=True)
    assert 'id="outcome_on-error"' in page and message in page and "Кеш шешім" in page
    _db.session.expire_all()
    assert _db.session.get(LivingConditionsAct, act.id).version == 1
    assert _db.session.get(LegalMeasure, measure.id).outcome is None


# --- the audit trail as the coordinator reads it -------------------------------------------


def test_the_coordinator_s_audit_page_shows_no_family_text(client, case, login_as):
    login_as("social_pedagogue")
    assert client.post(_new_url(case), data=_form(**{
        "household-0-name": "HOUSEHOLD-FATHER", "risk_note": "RISK-NOTE-BEATINGS",
        "conclusions": "CONCLUSION-ACT", "risk_factors": ["violence"]})).status_code == 302
    act = _db.session.scalar(select(LivingConditionsAct))
    assert client.post(f"/home-visits/{act.id}/edit", data=_form(
        version="1", conclusions="CONCLUSION-CORRECTED")).status_code == 302
    url = f"/enrolments/{case.enrolment.id}/legal-measures/new"
    assert client.post(url, data={"kind": "warning", "taken_on": TODAY.isoformat(),
                                  "description": "MEASURE-DESCRIPTION"}).status_code == 302
    measure = _db.session.scalar(select(LegalMeasure))
    assert client.post(f"/legal-measures/{measure.id}/outcome", data={
        "version": "1", "outcome": "OUTCOME-FATHER-STRIPPED-OF-RIGHTS",
        "outcome_on": TODAY.isoformat()}).status_code == 302
    client.post("/logout")
    login_as("district_coordinator")
    response = client.get("/audit/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "(text)" in page
    for text in ("HOUSEHOLD-FATHER", "RISK-NOTE-BEATINGS", "CONCLUSION-ACT",
                 "CONCLUSION-CORRECTED", "MEASURE-DESCRIPTION",
                 "OUTCOME-FATHER-STRIPPED-OF-RIGHTS", "violence", "Серікова Айгүл",
                 "Төле би", _t("violence in the family")):
        assert text not in page, text
    # nor the timeline: the measure's line has its kind and the outcome's date only
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert "OUTCOME-FATHER-STRIPPED-OF-RIGHTS" not in page
    assert _t("Legal measure: %(kind)s.", kind=_t("warning to the legal representatives")) \
        in page


# --- after a hand-over ---------------------------------------------------------------------


def test_after_a_hand_over_the_family_work_is_the_receiving_school_s(
        client, world, make_case, make_user):
    """Past periods included: the sending school loses the overview, the acts and the
    measures (404); the receiving school reads and corrects them (200)."""
    from tests.test_sessions_views import handed_over

    recorder = world.users["social_pedagogue"]
    made = []

    def work(enrolment):
        made.append((enrolment.id,
                     make_act(_db, enrolment, recorder,
                              on=enrolment.enrolled_on + timedelta(days=1)).id,
                     make_measure(_db, enrolment, recorder).id))

    handed_over(world, make_case, make_user, TODAY, work)
    urls = []
    for enrolment_id, act_id, measure_id in made:
        urls += [f"/enrolments/{enrolment_id}/family-work", f"/home-visits/{act_id}",
                 f"/home-visits/{act_id}.pdf", f"/home-visits/{act_id}/edit",
                 f"/legal-measures/{measure_id}/outcome"]
    current = made[-1][0]
    urls += [f"/enrolments/{current}/home-visits/new",
             f"/enrolments/{current}/legal-measures/new"]
    for user in (recorder, world.users["psychologist"]):
        client.post("/logout")
        client.post("/login", data={"login": user.login, "password": PASSWORD})
        for url in urls:
            assert client.get(url).status_code == 404, (user.login, url)
    receiving = make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school2"])
    client.post("/logout")
    client.post("/login", data={"login": receiving.login, "password": PASSWORD})
    for url in urls:
        assert client.get(url).status_code == 200, url
    past = made[0][0]
    page = client.get(f"/enrolments/{past}/family-work").get_data(as_text=True)
    assert f"/home-visits/{made[0][1]}" in page
