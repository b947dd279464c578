"""Rules of the family work: the living-conditions act (who records it, what is refused,
the programme's home visit it ticks off, the initial stage's requirement it meets,
corrections) and the legal measures with their outcome."""

from datetime import date, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale, format_date, gettext, ngettext
from sqlalchemy import select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.models import CaseEvent
from juvenile.cases.stages import checklist
from juvenile.cases.timeline import describe
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from juvenile.familywork import services
from juvenile.familywork.models import LegalMeasure, LivingConditionsAct
from juvenile.irp import occurrences
from juvenile.irp.models import Activity, IrpStatus, IrpVersion, Occurrence

TODAY = date.today()
ENROLLED = TODAY - timedelta(days=40)


def _act(**changes) -> services.ActData:
    values = dict(
        visited_on=TODAY - timedelta(days=2), address="Тараз, Абай көшесі 1",
        participants=[
            {"name": "Серікова Айгүл", "position": "әлеуметтік педагог",
             "organisation": "№1 мектеп"},
            {"name": "", "position": "", "organisation": ""},
            {"name": "Омаров Қанат", "position": "учаскелік инспектор",
             "organisation": "Полиция бөлімі"}],
        household=[
            {"name": "Әбенова Гүлмира", "relation": "анасы", "birth_year": 1985,
             "occupation": "сатушы"},
            {"name": "", "relation": "", "birth_year": None, "occupation": ""}],
        housing_type="apartment", rooms=2, housing_condition="adequate",
        housing_note="Таза", material_conditions="poor", income_note="Жәрдемақы",
        study_conditions="Жеке үстелі бар", rest_conditions="Бөлек төсек",
        supervision="insufficient", supervision_note="Анасы кешке дейін жұмыста",
        risk_factors=["overcrowding", "low_income"], risk_note="Бір бөлмеде төртеу",
        conclusions="Жағдайы қанағаттанарлық", recommendations="Айына бір рет бару")
    return services.ActData(**(values | changes))


@pytest.fixture
def case(world, make_case):
    return make_case(world.orgs["school1"], enrolled_on=ENROLLED,
                     responsible=world.users["social_pedagogue"])


def _record(case, world, **changes) -> LivingConditionsAct:
    act = services.record_act(world.users["social_pedagogue"], case.enrolment,
                              _act(**changes), TODAY)
    _db.session.commit()
    return act


def _home_visit_activity(case, world, frequency="monthly") -> Activity:
    """An approved programme whose family-work line is a home visit, expanded."""
    enrolment = case.enrolment
    irp = IrpVersion(enrolment_id=enrolment.id, minor_id=enrolment.minor_id,
                     organisation_id=enrolment.organisation_id,
                     district_id=enrolment.district_id, number=1,
                     status=IrpStatus.APPROVED.value, goals="Отбасымен жұмыс",
                     drafted_by_id=world.users["psychologist"].id,
                     approved_by_id=world.users["school_admin"].id, approved_on=ENROLLED)
    activity = Activity(irp=irp, direction="family", title="Үйге бару",
                        fulfilled_by=occurrences.HOME_VISIT, frequency=frequency,
                        starts_on=ENROLLED, ends_on=TODAY + timedelta(days=60),
                        responsible_user_id=world.users["social_pedagogue"].id)
    _db.session.add_all([irp, activity])
    _db.session.flush()
    occurrences.expand(activity)
    _db.session.commit()
    return activity


def _occurrence_of(day: date) -> Occurrence:
    return _db.session.scalar(select(Occurrence).where(Occurrence.window_start <= day,
                                                       Occurrence.due_on >= day))


def _kk(message: str, **values) -> str:
    with current_app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


# --- refusals ------------------------------------------------------------------------------

ROW = {"name": "", "position": "", "organisation": ""}


@pytest.mark.parametrize(("changes", "field"), [
    ({"visited_on": TODAY + timedelta(days=1)}, "visited_on"),
    ({"visited_on": ENROLLED - timedelta(days=1)}, "visited_on"),
    ({"visited_on": None}, "visited_on"),
    ({"address": "  "}, "address"),
    ({"participants": [ROW, ROW]}, "participants-0-name"),
    ({"participants": [ROW, {"name": "Серікова Айгүл", "position": " ",
                             "organisation": "№1 мектеп"}]}, "participants-1-position"),
    ({"participants": [{"name": "", "position": "инспектор", "organisation": ""}]},
     "participants-0-name"),
    ({"household": [{"name": "Әбенов Ерлан", "relation": "әкесі", "birth_year": 1850,
                     "occupation": ""}]}, "household-0-birth_year"),
    ({"household": [{"name": "", "relation": "", "birth_year": None, "occupation": ""},
                    {"name": "Әбенов Ерлан", "relation": "інісі",
                     "birth_year": TODAY.year + 1, "occupation": ""}]},
     "household-1-birth_year"),
    ({"household": [{"name": "", "relation": "әжесі", "birth_year": 1950,
                     "occupation": ""}]}, "household-0-name"),
    ({"housing_type": "castle"}, "housing_type"),
    ({"housing_condition": ""}, "housing_condition"),
    ({"material_conditions": "rich"}, "material_conditions"),
    ({"supervision": "none"}, "supervision"),
    ({"risk_factors": ["alcohol", "dragons"]}, "risk_factors"),
    ({"rooms": 0}, "rooms"),
    ({"conclusions": " "}, "conclusions"),
    ({"recommendations": ""}, "recommendations"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_saved(case, world, changes, field):
    with pytest.raises(ServiceError) as refused:
        services.record_act(world.users["social_pedagogue"], case.enrolment, _act(**changes),
                            TODAY)
    assert refused.value.field == field
    _db.session.rollback()
    assert _db.session.scalar(select(LivingConditionsAct.id)) is None
    assert _db.session.scalar(select(CaseEvent.id).where(CaseEvent.kind == "home_visit")) is None


def test_the_refusals_read_in_the_users_words(case, world):
    with pytest.raises(ServiceError) as refused:
        services.record_act(world.users["social_pedagogue"], case.enrolment,
                            _act(participants=[{"name": "Серікова Айгүл", "position": "",
                                                "organisation": ""}]), TODAY)
    assert refused.value.message == _kk("Write the participant's position.")
    with pytest.raises(ServiceError) as refused:
        services.record_act(world.users["social_pedagogue"], case.enrolment,
                            _act(household=[{"name": "Әбенов", "birth_year": 1800}]), TODAY)
    assert refused.value.message == _kk("The birth year must be between %(first)d and "
                                        "%(last)d.", first=TODAY.year - 110, last=TODAY.year)


@pytest.mark.parametrize("role", ["school_admin", "police_inspector", "district_coordinator"])
def test_only_the_schools_specialists_record_an_act(case, world, role):
    with pytest.raises(ServiceError):
        services.record_act(world.users[role], case.enrolment, _act(), TODAY)


def test_a_specialist_of_another_school_cannot_record_it(case, world, make_user):
    other = make_user(Role.PSYCHOLOGIST, world.orgs["school2"])
    with pytest.raises(ServiceError):
        services.record_act(other, case.enrolment, _act(), TODAY)


def test_no_act_on_a_closed_case(case, world):
    case.enrolment.closed_on = TODAY - timedelta(days=1)
    _db.session.commit()
    with pytest.raises(ServiceError):
        services.record_act(world.users["social_pedagogue"], case.enrolment, _act(), TODAY)


# --- recording -----------------------------------------------------------------------------


def test_an_act_keeps_the_typed_rows_and_is_audited_and_on_the_timeline(case, world):
    act = _record(case, world)
    assert [p["name"] for p in act.participants] == ["Серікова Айгүл", "Омаров Қанат"]
    assert act.household == [{"name": "Әбенова Гүлмира", "relation": "анасы",
                               "birth_year": 1985, "occupation": "сатушы"}]
    assert act.risk_factors == ["low_income", "overcrowding"]  # in the form's order
    assert (act.enrolment_id, act.organisation_id) == (case.enrolment.id,
                                                       case.minor.organisation_id)
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "living_conditions_acts", AuditEntry.action == "create"))
    assert entry.object_id == act.id
    # codes, dates and numbers in the clear; the text and the lists only marked
    assert entry.changes["material_conditions"] == "poor"
    assert entry.changes["visited_on"] == act.visited_on.isoformat()
    assert entry.changes["rooms"] == 2
    for name in services.ACT_TEXT_FIELDS:
        # (redact() reads a list of two codes as a [before, after] pair: marked either way)
        assert entry.changes[name] in ("(text)", ["(text)", "(text)"]), name
    _assert_no_text(entry.changes, act)
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "home_visit"))
    assert line.clinical is False
    assert line.occurred_on == act.visited_on
    assert line.data == {"act_id": act.id, "participants": 2}  # a count, no names
    with current_app.test_request_context(), force_locale("kk"):
        expected = ngettext("Home visit: a living-conditions act drawn up by %(num)d person.",
                            "Home visit: a living-conditions act drawn up by %(num)d people.",
                            2)
        assert describe("home_visit", line.data) == expected


def _texts(act: LivingConditionsAct) -> list[str]:
    """Every text the act holds (its free text, its rows' values, its risk codes)."""
    texts = [getattr(act, name) for name in services.ACT_FIELDS
             if isinstance(getattr(act, name), str) and name not in (
                 "housing_type", "housing_condition", "material_conditions", "supervision")]
    for row in (act.participants or []) + (act.household or []):
        texts += [value for value in row.values() if isinstance(value, str)]
    return [text for text in texts + list(act.risk_factors or []) if text]


def _assert_no_text(changes: dict, act: LivingConditionsAct) -> None:
    import json

    dumped = json.dumps(changes, ensure_ascii=False)
    for text in _texts(act):
        assert text not in dumped, text


def test_the_act_ticks_off_the_planned_home_visit_of_its_period(case, world):
    _home_visit_activity(case, world)
    visit_day = TODAY - timedelta(days=2)
    planned = _occurrence_of(visit_day)
    assert planned.status == "planned"
    act = _record(case, world, visited_on=visit_day)
    _db.session.refresh(planned)
    assert (planned.status, planned.done_on, planned.act_id) == ("done", visit_day, act.id)
    others = _db.session.scalars(select(Occurrence).where(Occurrence.id != planned.id)).all()
    assert others and all(o.status == "planned" and o.act_id is None for o in others)


def test_an_act_without_a_planned_visit_stands_on_its_own(case, world):
    act = _record(case, world)
    assert act.id is not None
    assert _db.session.scalar(select(Occurrence.id)) is None


def test_the_initial_stage_requirement_counts_the_acts(case, world):
    def met() -> bool:
        items = {item.key: item.met for item in checklist(case.enrolment, TODAY)}
        return items["home_visit"]

    assert met() is False
    _record(case, world)
    assert met() is True


# --- corrections ---------------------------------------------------------------------------


def test_a_correction_of_the_date_moves_the_tick_and_the_timeline_line(case, world):
    _home_visit_activity(case, world, frequency="weekly")
    first_day, second_day = TODAY - timedelta(days=20), TODAY - timedelta(days=2)
    act = _record(case, world, visited_on=first_day)
    first, second = _occurrence_of(first_day), _occurrence_of(second_day)
    assert first.id != second.id and first.status == "done"
    services.update_act(world.users["psychologist"], act, _act(visited_on=second_day), 1, TODAY)
    _db.session.commit()
    _db.session.refresh(first)
    _db.session.refresh(second)
    assert (first.status, first.act_id, first.done_on) == ("planned", None, None)
    assert (second.status, second.act_id, second.done_on) == ("done", act.id, second_day)
    assert act.version == 2
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "home_visit"))
    assert line.occurred_on == second_day
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "living_conditions_acts", AuditEntry.action == "update"))
    assert entry.changes["visited_on"] == [first_day.isoformat(), second_day.isoformat()]


def test_a_correction_keeps_what_changed_and_refuses_a_stale_form(case, world):
    act = _record(case, world)
    user = world.users["social_pedagogue"]
    services.update_act(user, act, _act(participants=[
        {"name": "Серікова Айгүл", "position": "әлеуметтік педагог", "organisation": ""}],
        conclusions="Жаңа қорытынды"), 1, TODAY)
    _db.session.commit()
    entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    # the trail names what changed, never the text
    assert entry.changes["conclusions"] == ["(text)", "(text)"]
    assert entry.changes["participants"] == ["(text)", "(text)"]
    assert set(entry.changes) == {"conclusions", "participants"}
    dumped = str(entry.changes)
    for text in ("Жағдайы қанағаттанарлық", "Жаңа қорытынды", "Серікова", "Омаров"):
        assert text not in dumped
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "home_visit"))
    assert line.data["participants"] == 1
    with pytest.raises(ConflictError):
        services.update_act(user, act, _act(conclusions="Ескі форма"), 1, TODAY)
    assert act.conclusions == "Жаңа қорытынды"


def test_a_correction_refuses_the_same_bad_input(case, world):
    act = _record(case, world)
    with pytest.raises(ServiceError) as refused:
        services.update_act(world.users["social_pedagogue"], act,
                            _act(visited_on=TODAY + timedelta(days=3)), 1, TODAY)
    assert refused.value.field == "visited_on"


# --- legal measures ------------------------------------------------------------------------


def _measure(case, world, **changes) -> LegalMeasure:
    values = dict(kind="referral_commission", taken_on=TODAY - timedelta(days=10),
                  description="КТІҚҚК-ке жолдама № 15")
    measure = services.record_measure(world.users["social_pedagogue"], case.enrolment,
                                      services.MeasureData(**(values | changes)), TODAY)
    _db.session.commit()
    return measure


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "execution"}, "kind"),
    ({"taken_on": TODAY + timedelta(days=1)}, "taken_on"),
    ({"taken_on": ENROLLED - timedelta(days=1)}, "taken_on"),
    ({"description": "  "}, "description"),
])
def test_a_bad_measure_is_refused(case, world, changes, field):
    with pytest.raises(ServiceError) as refused:
        _measure(case, world, **changes)
    assert refused.value.field == field
    _db.session.rollback()
    assert _db.session.scalar(select(LegalMeasure.id)) is None


def test_a_measure_and_its_outcome_are_audited_and_on_the_timeline(case, world):
    measure = _measure(case, world)
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "legal_measure"))
    assert line.clinical is False
    assert line.data == {"measure_id": measure.id, "kind": "referral_commission"}
    kind_kk = _kk("referral to the commission on minors' affairs")
    with current_app.test_request_context(), force_locale("kk"):
        assert describe("legal_measure", line.data) == gettext(
            "Legal measure: %(kind)s.", kind=kind_kk)
    outcome_on = TODAY - timedelta(days=3)
    services.record_outcome(world.users["psychologist"], measure, "Ескерту жасалды",
                            outcome_on, 1, TODAY)
    _db.session.commit()
    assert (measure.outcome, measure.outcome_on, measure.version) == (
        "Ескерту жасалды", outcome_on, 2)
    _db.session.refresh(line)
    # the timeline keeps the kind and the outcome's date, never the outcome's text
    assert line.data == {"measure_id": measure.id, "kind": "referral_commission",
                         "outcome_on": outcome_on.isoformat()}
    with current_app.test_request_context(), force_locale("kk"):
        sentence = describe("legal_measure", line.data)
        assert sentence == gettext("Legal measure: %(kind)s.", kind=kind_kk) + " " + gettext(
            "Outcome recorded (%(date)s).", date=format_date(outcome_on, "medium"))
    assert "Ескерту жасалды" not in sentence
    created = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "legal_measures", AuditEntry.action == "create"))
    assert created.changes == {"kind": "referral_commission",
                               "taken_on": measure.taken_on.isoformat(),
                               "description": "(text)", "outcome": None, "outcome_on": None}
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "legal_measures", AuditEntry.action == "update"))
    assert entry.changes == {"outcome": [None, "(text)"],
                             "outcome_on": [None, outcome_on.isoformat()]}
    with pytest.raises(ConflictError):
        services.record_outcome(world.users["psychologist"], measure, "Басқа", outcome_on, 1,
                                TODAY)


@pytest.mark.parametrize(("outcome", "days_after", "field"), [
    ("Шешім", -1, "outcome_on"),
    ("Шешім", 11, "outcome_on"),  # in the future
    (" ", 2, "outcome"),
])
def test_a_bad_outcome_is_refused(case, world, outcome, days_after, field):
    measure = _measure(case, world)
    with pytest.raises(ServiceError) as refused:
        services.record_outcome(world.users["social_pedagogue"], measure, outcome,
                                measure.taken_on + timedelta(days=days_after), 1, TODAY)
    assert refused.value.field == field
    _db.session.rollback()
    assert _db.session.get(LegalMeasure, measure.id).outcome is None


def test_the_police_cannot_record_an_outcome(case, world):
    measure = _measure(case, world)
    with pytest.raises(ServiceError):
        services.record_outcome(world.users["police_inspector"], measure, "Шешім", TODAY, 1,
                                TODAY)


# --- after the case is closed --------------------------------------------------------------


def test_no_date_after_the_closure_of_the_case(case, world):
    """A correction of an act and a measure's outcome stay within the case."""
    act = _record(case, world, visited_on=TODAY - timedelta(days=10))
    measure = _measure(case, world, taken_on=TODAY - timedelta(days=10))
    case.enrolment.closed_on = TODAY - timedelta(days=5)
    _db.session.commit()
    user = world.users["social_pedagogue"]
    with pytest.raises(ServiceError) as refused:
        services.update_act(user, act, _act(visited_on=TODAY - timedelta(days=4)), 1, TODAY)
    assert refused.value.field == "visited_on"
    assert refused.value.message == _kk("The date is after the case was closed.")
    _db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        services.record_outcome(user, measure, "Шешім", TODAY - timedelta(days=4), 1, TODAY)
    assert refused.value.field == "outcome_on"
    _db.session.rollback()
    # the day of the closure itself is within the case
    services.update_act(user, act, _act(visited_on=TODAY - timedelta(days=5)), 1, TODAY)
    services.record_outcome(user, measure, "Шешім", TODAY - timedelta(days=5), 1, TODAY)
    _db.session.commit()
    assert (act.visited_on, measure.outcome_on) == (TODAY - timedelta(days=5),) * 2

