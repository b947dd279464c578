"""Recording assessments: answers scored and refused, age range, dates, instruments the
library does not know, the crisis a screen raises, rescoring, the repeat diagnostics the
stages require, and who sees what of a result."""

import dataclasses
import html
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.models import CaseEvent, Enrolment, Stage
from juvenile.cases.stages import checklist
from juvenile.diagnostics import library, services
from juvenile.diagnostics.models import (
    Assessment,
    CrisisEpisode,
    Instrument,
    InstrumentVersion,
)
from juvenile.diagnostics.scoring import validate_definition
from juvenile.errors import ServiceError
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD, count_queries

TODAY = date(2026, 11, 20)
ENROLLED = date(2026, 11, 2)

#: Test keys of the scorer's shape (not the shipped library): a 0–3 scale with cut-offs,
#: an ASQ-like yes/no screen, and a 1–5 scale without cut-offs.
SCALE = {
    "code": "t_gad", "construct": "anxiety", "items": 7,
    "name": {"en": "Anxiety scale", "kk": "Мазасыздық шкаласы", "ru": "Шкала тревоги"},
    "answers": {"type": "scale", "min": 0, "max": 3},
    "scales": [{"code": "total", "label": {"en": "Total", "kk": "Жалпы", "ru": "Общий"},
                "items": [1, 2, 3, 4, 5, 6, 7], "percent": True}],
    "levels": [{"scale": "total", "bands": [{"from": 0, "level": "low"},
                                            {"from": 5, "level": "moderate"},
                                            {"from": 10, "level": "high"}]}],
    "missing": {"max": 0}, "age": {"min": 12, "max": 21}, "key_verified": True,
}
SCREEN = {
    "code": "t_asq", "construct": "suicide_risk", "items": 5,
    "name": {"en": "Screen", "kk": "Скрининг", "ru": "Скрининг"},
    "answers": {"type": "yes_no", "refusal": True},
    "scales": [{"code": "yes", "items": [1, 2, 3, 4]}],
    "screen": {"positive": [{"items": [1, 2, 3, 4], "answers": ["y", "r"]}],
               "acute": [{"items": [5], "answers": ["y"]}],
               "levels": {"negative": "low", "positive": "moderate", "acute": "high"}},
    "missing": {"max": 0, "conditional": [
        {"items": [5], "when": {"items": [1, 2, 3, 4], "answers": ["y", "r"]}}]},
    "age": {"min": 10, "max": 21}, "key_verified": True,
}
NO_LEVELS = {
    "code": "t_bp", "construct": "aggression", "items": 4,
    "name": {"en": "Aggression", "kk": "Агрессия", "ru": "Агрессия"},
    "answers": {"type": "scale", "min": 1, "max": 5},
    "scales": [{"code": "total", "items": [1, 2, 3, 4], "reverse": [2]}],
    "missing": {"max": 1}, "age": {"min": 16}, "key_verified": False,
}


def _instrument(definition: dict) -> InstrumentVersion:
    assert validate_definition(definition) == []
    instrument = Instrument(code=definition["code"], construct=definition["construct"],
                            name_kk=definition["name"]["kk"], name_ru=definition["name"]["ru"])
    _db.session.add(instrument)
    _db.session.flush()
    version = InstrumentVersion(instrument_id=instrument.id, number=1, definition=definition,
                                key_verified=definition["key_verified"])
    _db.session.add(version)
    _db.session.commit()
    return version


@pytest.fixture
def keys(app):
    return {"scale": _instrument(SCALE), "screen": _instrument(SCREEN),
            "no_levels": _instrument(NO_LEVELS)}


@pytest.fixture
def case(world, make_case):
    # Group 1 (police preventive registration): the district's inspector opens the case.
    return make_case(world.orgs["school1"], enrolled_on=ENROLLED, groups=(1,),
                     responsible=world.users["social_pedagogue"])


def _data(answers, on=TODAY, **extra) -> services.AssessmentData:
    if isinstance(answers, str):
        answers = {n: a for n, a in enumerate(answers.split(), start=1) if a != "."}
    return services.AssessmentData(administered_on=on, answers=answers, **extra)


def _record(world, case, version, answers, on=TODAY, **extra) -> Assessment:
    assessment = services.record_assessment(world.users["psychologist"], case.minor, version,
                                            _data(answers, on, **extra), TODAY)
    _db.session.commit()
    return assessment


def _refusal(world, case, version, answers, on=TODAY, **extra) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        services.record_assessment(world.users["psychologist"], case.minor, version,
                                   _data(answers, on, **extra), TODAY)
    _db.session.rollback()
    return refused.value


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- recording --------------------------------------------------------------------------


def test_a_scored_assessment_keeps_scores_level_stage_and_who(world, case, keys):
    assessment = _record(world, case, keys["scale"], "2 2 1 3 0 1 2",
                         notes="Сабақта мазасызданады")
    assert assessment.scores == {"total": 11}
    assert assessment.level == "high"
    assert assessment.screen_result is None
    assert (assessment.stage, assessment.enrolment_id) == ("initial", case.enrolment.id)
    assert assessment.administered_by_id == world.users["psychologist"].id
    assert assessment.answers == {"1": "2", "2": "2", "3": "1", "4": "3", "5": "0", "6": "1",
                                  "7": "2"}
    assert assessment.instrument_version_id == keys["scale"].id
    assert assessment.organisation_id == world.orgs["school1"].id


def test_the_audit_entry_and_the_timeline_line_leave_the_answers_out(world, case, keys):
    assessment = _record(world, case, keys["scale"], "2 2 1 3 0 1 2",
                         notes="Сабақта мазасызданады")
    [entry] = _db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "assessments", AuditEntry.object_id == assessment.id))
    assert entry.action == "create"
    assert entry.changes["level"] == "high" and entry.changes["instrument"] == "t_gad"
    assert "answers" not in entry.changes and "notes" not in entry.changes
    assert "мазасызданады" not in str(entry.changes)
    [line] = _db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "assessment"))
    assert line.clinical is True
    assert line.data["level"] == "high" and "answers" not in line.data


def test_answers_out_of_range_are_refused_with_their_item_numbers(world, case, keys):
    error = _refusal(world, case, keys["scale"], "2 7 1 3 0 9 2")
    assert error.field == "answers"
    assert "2, 6" in error.message
    assert _count(Assessment) == 0 and _count(CaseEvent, CaseEvent.kind == "assessment") == 0


def test_missing_answers_are_refused_by_the_instruments_rule(world, case, keys):
    error = _refusal(world, case, keys["scale"], "2 . 1 3 . 1 2")
    assert error.field == "answers" and "2, 5" in error.message
    # One missing item is allowed by the key without cut-offs; two are not.
    _record(world, case, keys["no_levels"], "3 . 4 5", level="moderate",
            age_override_reason="x")
    error = _refusal(world, case, keys["no_levels"], "3 . . 5", level="moderate",
                     age_override_reason="x")
    assert "2, 3" in error.message
    # The screen's acuity item is asked only after a yes.
    assert _record(world, case, keys["screen"], "n n n n").screen_result == "negative"
    error = _refusal(world, case, keys["screen"], "n y n n")
    assert error.field == "answers" and "5" in error.message


def test_outside_the_age_range_a_reason_is_required(world, case, keys):
    # Born 14 March 2011: 15 years old; the key without cut-offs is for 16 and over.
    error = _refusal(world, case, keys["no_levels"], "3 2 4 5", level="high")
    assert error.field == "age_override_reason" and "15" in error.message
    assessment = _record(world, case, keys["no_levels"], "3 2 4 5", level="high",
                         age_override_reason="  Жасына қарағанда ересек  ")
    assert assessment.age_override_reason == "Жасына қарағанда ересек"
    # Within the range the reason is not kept.
    inside = _record(world, case, keys["scale"], "0 0 0 0 0 0 0",
                     age_override_reason="not needed")
    assert inside.age_override_reason is None


@pytest.mark.parametrize(("on", "message_part"), [
    (TODAY + timedelta(days=1), None), (ENROLLED - timedelta(days=1), None)])
def test_a_date_in_the_future_or_before_the_enrolment_is_refused(world, case, keys, on,
                                                                 message_part):
    error = _refusal(world, case, keys["scale"], "0 0 0 0 0 0 0", on=on)
    assert error.field == "administered_on"
    assert _count(Assessment) == 0


def test_the_enrolment_day_itself_is_allowed(world, case, keys):
    assert _record(world, case, keys["scale"], "0 0 0 0 0 0 0", on=ENROLLED).level == "low"


def test_without_cut_offs_the_psychologist_sets_the_level(world, case, keys):
    error = _refusal(world, case, keys["no_levels"], "3 2 4 5", age_override_reason="x")
    assert error.field == "level"
    assessment = _record(world, case, keys["no_levels"], "3 2 4 5", level="moderate",
                         age_override_reason="x")
    assert assessment.level == "moderate"
    assert assessment.scores == {"total": 16}  # item 2 reversed: 1 + 5 - 2 = 4


def test_an_instrument_the_library_does_not_know(world, case, keys):
    data = _data({}, custom_name="  Люшер  ", construct="anxiety",
                 raw_scores=[("Тревога", "4"), ("", ""), ("Стресс", " 2 ")], level="moderate")
    assessment = services.record_assessment(world.users["psychologist"], case.minor, None,
                                            data, TODAY)
    assert (assessment.custom_name, assessment.construct, assessment.level) == (
        "Люшер", "anxiety", "moderate")
    assert assessment.scores == {"Тревога": "4", "Стресс": "2"}
    assert assessment.instrument_version_id is None and assessment.answers is None
    for changed, field in [({"custom_name": " "}, "custom_name"),
                           ({"construct": "mood"}, "construct"),
                           ({"level": None}, "level"),
                           ({"raw_scores": [("Тревога", "")]}, "raw_scores")]:
        refused = dataclasses.replace(data, **changed)
        with pytest.raises(ServiceError) as error:
            services.record_assessment(world.users["psychologist"], case.minor, None,
                                       refused, TODAY)
        assert error.value.field == field


def test_a_minor_not_in_the_programme_can_be_assessed(world, make_case, keys):
    case = make_case(world.orgs["school1"], enrol=False)
    assessment = _record(world, case, keys["screen"], "n y n n n")
    assert assessment.enrolment_id is None and assessment.stage is None
    assert services.screen_without_case(assessment)
    assert _count(CrisisEpisode) == 0


# --- the crisis a screen raises ---------------------------------------------------------


@pytest.mark.parametrize(("answers", "judgement", "expected"), [
    ("n y n n n", False, ("positive", "asq_positive")),
    ("n r n n n", False, ("positive", "asq_positive")),
    ("y n n n y", False, ("acute", "asq_acute")),
    ("n n n n", True, ("acute", "judgement")),
])
def test_a_positive_screen_or_judgement_raises_the_crisis(world, case, keys, answers,
                                                          judgement, expected):
    assessment = _record(world, case, keys["screen"], answers, judgement_acute=judgement)
    [episode] = _db.session.scalars(select(CrisisEpisode))
    assert (episode.severity, episode.trigger) == expected
    assert episode.assessment_id == assessment.id
    assert _db.session.get(Enrolment, case.enrolment.id).crisis is True


def test_a_negative_screen_raises_nothing(world, case, keys):
    assessment = _record(world, case, keys["screen"], "n n n n")
    assert (assessment.screen_result, assessment.level) == ("negative", "low")
    assert _count(CrisisEpisode) == 0
    assert _db.session.get(Enrolment, case.enrolment.id).crisis is False


# --- rescoring --------------------------------------------------------------------------


def _new_key(version: InstrumentVersion, **changes) -> InstrumentVersion:
    newer = InstrumentVersion(instrument_id=version.instrument_id, number=version.number + 1,
                              definition={**version.definition, **changes}, key_verified=True)
    _db.session.add(newer)
    _db.session.commit()
    return newer


def test_rescoring_uses_the_current_key_and_the_audit_keeps_the_old_result(world, case,
                                                                          keys):
    assessment = _record(world, case, keys["scale"], "1 1 1 1 1 1 0")
    assert (assessment.level, services.is_current(assessment)) == ("moderate", True)
    with pytest.raises(ServiceError):
        services.rescore(world.users["psychologist"], assessment, TODAY, assessment.version)
    newer = _new_key(keys["scale"], levels=[{"scale": "total", "bands": [
        {"from": 0, "level": "low"}, {"from": 8, "level": "moderate"}]}])
    assert services.is_current(assessment) is False
    services.rescore(world.users["psychologist"], assessment, TODAY, assessment.version)
    _db.session.commit()
    assert (assessment.instrument_version_id, assessment.level) == (newer.id, "low")
    entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rescore"))
    assert entry.changes["version"] == [1, 2]
    assert entry.changes["level"] == ["moderate", "low"]
    assert "answers" not in entry.changes


def test_rescoring_an_instrument_without_cut_offs_keeps_the_psychologists_level(world, case,
                                                                               keys):
    assessment = _record(world, case, keys["no_levels"], "3 2 4 5", level="high",
                         age_override_reason="x")
    _new_key(keys["no_levels"], scales=[{"code": "total", "items": [1, 2, 3, 4]}])
    services.rescore(world.users["psychologist"], assessment, TODAY, assessment.version)
    assert (assessment.scores, assessment.level) == ({"total": 14}, "high")


# --- the stage requirements -------------------------------------------------------------


def _met(enrolment, key) -> bool:
    return {item.key: item.met for item in checklist(enrolment, TODAY)}[key]


def test_the_initial_stage_requires_each_construct_assessed(world, case, keys):
    enrolment = case.enrolment
    assert _met(enrolment, "initial_diagnostics") is False
    _record(world, case, keys["scale"], "0 0 0 0 0 0 0")
    _record(world, case, keys["screen"], "n n n n")
    assert _met(enrolment, "initial_diagnostics") is False
    _record(world, case, keys["no_levels"], "1 1 1 1", level="low", age_override_reason="x")
    assert _met(enrolment, "initial_diagnostics") is True


def test_the_active_and_follow_up_stages_require_a_repeat_in_the_stage(world, case, keys):
    for version, answers in [(keys["scale"], "0 0 0 0 0 0 0"), (keys["screen"], "n n n n")]:
        _record(world, case, version, answers)
    _record(world, case, keys["no_levels"], "1 1 1 1", level="low", age_override_reason="x")
    enrolment = _db.session.get(Enrolment, case.enrolment.id)
    enrolment.stage = Stage.ACTIVE.value
    _db.session.commit()
    assert _met(enrolment, "repeat_diagnostics_active") is False
    for version, answers in [(keys["scale"], "0 0 0 0 0 0 0"), (keys["screen"], "n n n n")]:
        _record(world, case, version, answers)
    assert _met(enrolment, "repeat_diagnostics_active") is False
    _record(world, case, keys["no_levels"], "1 1 1 1", level="low", age_override_reason="x")
    assert _met(enrolment, "repeat_diagnostics_active") is True
    enrolment.stage = Stage.FOLLOW_UP.value
    _db.session.commit()
    assert _met(enrolment, "repeat_diagnostics_follow_up") is False


# --- screens ----------------------------------------------------------------------------


def _t(app, message: str, **values) -> str:
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign_in(client, user) -> None:
    client.post("/logout")
    assert client.post("/login", data={"login": user.login,
                                       "password": PASSWORD}).status_code == 302


def _typed(page: str, item: int) -> str | None:
    found = re.search(rf'<input[^>]*name="item_{item}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return value.group(1) if value else None


def _grid(answers: str, **extra) -> dict:
    data = {f"item_{n}": a for n, a in enumerate(answers.split(), start=1) if a != "."}
    return {"administered_on": ENROLLED.isoformat(), **data, **extra}


def test_the_instrument_menu_lists_by_construct_with_the_key_status(app, client, world, case,
                                                                   keys):
    _sign_in(client, world.users["psychologist"])
    page = _page(client.get(f"/minors/{case.minor.id}/assessments/new"))
    assert "Мазасыздық шкаласы" in page and "Агрессия" in page
    assert _t(app, "key verified") in page and _t(app, "key unverified") in page
    assert "instrument=t_asq" in page and "instrument=custom" in page


def test_the_grid_has_one_input_per_item_and_records_a_result(app, client, world, case,
                                                              keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}/assessments/new?instrument=t_gad"
    page = _page(client.get(url))
    assert len(re.findall(r'<input[^>]+class="answer"', page)) == 7
    assert 'src="/static/answer-grid.js"' in page
    response = client.post(url, data=_grid("2 2 1 3 0 1 2"))
    assert response.status_code == 302
    assessment = _db.session.scalar(select(Assessment))
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}")
    assert assessment.level == "high" and assessment.administered_on == ENROLLED


def test_refused_answers_are_listed_and_the_typed_ones_kept(app, client, world, case, keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}/assessments/new?instrument=t_gad"
    response = client.post(url, data=_grid("2 7 1 . 0 1 2"))
    page = _page(response)
    assert response.status_code == 200
    assert _t(app, "Answers out of range on items: %(items)s.", items="2") in page
    assert _typed(page, 1) == "2" and _typed(page, 2) == "7"
    assert f"{_t(app, 'Unanswered items:')} 4" in page
    assert _count(Assessment) == 0
    # In range but one missing: the scorer's missing-answer rule refuses.
    page = _page(client.post(url, data=_grid("2 3 1 . 0 1 2")))
    assert "4" in re.search(r'id="answers-error".*?</div>', page, re.S).group(0)
    assert _typed(page, 7) == "2"
    assert _count(Assessment) == 0


def test_yes_no_grids_take_y_n_and_the_keypads_1_0(client, world, case, keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}/assessments/new?instrument=t_asq"
    assert client.post(url, data=_grid("N 0 n n")).status_code == 302
    assert _db.session.scalar(select(Assessment)).answers == {"1": "n", "2": "n", "3": "n",
                                                              "4": "n"}


def test_the_age_warning_and_its_override_on_the_screen(app, client, world, case, keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}/assessments/new?instrument=t_bp"
    page = _page(client.get(url))
    assert 'id="age-warning"' in page and 'name="age_override_reason"' in page
    page = _page(client.post(url, data=_grid("3 2 4 5", level="high")))
    assert 'id="age_override_reason-error"' in page and _count(Assessment) == 0
    response = client.post(url, data=_grid("3 2 4 5", level="high",
                                           age_override_reason="Ересек"))
    assert response.status_code == 302
    assert _db.session.scalar(select(Assessment)).age_override_reason == "Ересек"


def test_a_custom_result_through_the_screen(client, world, case, keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}/assessments/new?instrument=custom"
    response = client.post(url, data={
        "custom_name": "Люшер", "construct": "anxiety", "administered_on": TODAY.isoformat(),
        "raw_scores-0-scale": "Тревога", "raw_scores-0-score": "4", "level": "moderate"})
    assert response.status_code == 302
    assessment = _db.session.scalar(select(Assessment))
    assert (assessment.custom_name, assessment.scores) == ("Люшер", {"Тревога": "4"})


def test_an_acute_screen_through_the_screen_raises_the_crisis(client, world, case, keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}/assessments/new?instrument=t_asq"
    assert client.post(url, data=_grid("y n n n y")).status_code == 302
    episode = _db.session.scalar(select(CrisisEpisode))
    assert (episode.severity, episode.trigger) == ("acute", "asq_acute")


def test_the_rescore_button_appears_for_an_old_key_and_rescores(app, client, world, case,
                                                                keys):
    assessment = _record(world, case, keys["scale"], "1 1 1 1 1 1 0")
    _sign_in(client, world.users["psychologist"])
    url = f"/assessments/{assessment.id}"
    assert 'id="rescore"' not in _page(client.get(url))
    _new_key(keys["scale"], levels=[{"scale": "total", "bands": [{"from": 0, "level": "low"}]}])
    assert 'id="rescore"' in _page(client.get(url))
    response = client.post(f"{url}/rescore", data={"version": assessment.version})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Assessment, assessment.id).level == "low"
    assert 'id="rescore"' not in _page(client.get(url))


# --- who sees what ----------------------------------------------------------------------


@pytest.fixture
def people(world, make_user):
    return {**world.users,
            "other_pedagogue": make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school1"]),
            "other_school_psychologist": make_user(Role.PSYCHOLOGIST, world.orgs["school2"])}


ANSWERS = ("psychologist", "social_pedagogue")          # the school's psychologist; responsible
LEVELS_ONLY = ("other_pedagogue", "school_admin")
NOTHING = ("police_inspector", "district_coordinator", "commission_member",
           "other_school_psychologist")


@pytest.mark.parametrize("who", ANSWERS + LEVELS_ONLY + NOTHING)
def test_who_sees_a_result(client, world, case, keys, people, who):
    assessment = _record(world, case, keys["scale"], "2 2 1 3 0 1 2", notes="Жеке жазба")
    _sign_in(client, people[who])
    response = client.get(f"/assessments/{assessment.id}")
    if who in NOTHING:
        assert response.status_code in (403, 404)
        return
    page = _page(response)
    assert response.status_code == 200 and 'id="level"' in page
    assert 'id="key"' in page
    shows_answers = 'id="answers"' in page
    assert shows_answers is (who in ANSWERS)
    assert ("Жеке жазба" in page) is (who in ANSWERS)
    assert ('id="scores"' in page) is (who in ANSWERS)


@pytest.mark.parametrize("who", ANSWERS + LEVELS_ONLY + ("police_inspector",
                                                          "district_coordinator"))
def test_who_sees_the_case_page_section(app, client, world, case, keys, people, who):
    _record(world, case, keys["scale"], "2 2 1 3 0 1 2", on=ENROLLED)
    _record(world, case, keys["scale"], "0 1 0 1 0 1 0")
    _sign_in(client, people[who])
    response = client.get(f"/minors/{case.minor.id}")
    page = _page(response)
    assert response.status_code == 200
    sees = who in ANSWERS + LEVELS_ONLY
    assert ('id="assessments"' in page) is sees
    assert ("<svg" in page) is sees
    record = f'href="/minors/{case.minor.id}/assessments/new"'
    assert (record in page) is (who == "psychologist")
    if sees:
        assert "<title id=\"chart-anxiety-title\">" in page
        assert re.search(r'id="trend-anxiety".*?→', page, re.S)


def test_the_case_page_costs_the_same_queries_whatever_the_number_of_assessments(
        app, client, world, case, keys):
    _sign_in(client, world.users["psychologist"])
    url = f"/minors/{case.minor.id}"

    def queries() -> int:
        return count_queries(client, url)[1]

    _record(world, case, keys["scale"], "0 0 0 0 0 0 0")
    one = queries()
    for answers in ["1 1 1 1 1 1 1", "3 3 3 3 3 3 3", "2 2 2 2 2 2 2"]:
        _record(world, case, keys["scale"], answers)
    _record(world, case, keys["screen"], "n n n n")
    assert queries() == one


def test_library_current_version_is_what_new_results_use(world, case, keys):
    newer = _new_key(keys["scale"])
    assert library.current_version(newer.instrument).id == newer.id


# --- the shipped library --------------------------------------------------------------------


@pytest.mark.parametrize(("code", "answers", "expected"), [
    ("asq", "n n y n y", ("acute", "asq_acute")),
    ("asq", "r n n n n", ("positive", "asq_positive")),
    ("phq_a", "0 0 0 0 0 0 0 0 1", ("positive", "phq_item9")),
])
def test_the_shipped_screens_raise_the_crisis(app, world, make_case, code, answers, expected):
    library.ensure_library()
    case = make_case(world.orgs["school1"], enrolled_on=ENROLLED, birth_date=date(2012, 1, 9))
    version = library.current_version(
        _db.session.scalar(select(Instrument).where(Instrument.code == code)))
    _record(world, case, version, answers)
    [episode] = _db.session.scalars(select(CrisisEpisode))
    assert (episode.severity, episode.trigger) == expected
