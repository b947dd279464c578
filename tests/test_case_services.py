"""The case file's rules: registering a minor, representatives and consent, enrolment."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from juvenile.access import can
from juvenile.audit.models import AuditEntry
from juvenile.cases import services
from juvenile.cases.iin import make_iin
from juvenile.cases.models import (
    CaseEvent,
    ClosureReason,
    Enrolment,
    LegalRepresentative,
    Minor,
    Stage,
)
from juvenile.cases.services import (
    ClosureData,
    EnrolmentData,
    MinorAlreadyRegistered,
    MinorData,
    RepresentativeData,
)
from juvenile.errors import ServiceError
from juvenile.extensions import db as _db

TODAY = date(2026, 11, 20)
BORN = date(2011, 3, 14)


@pytest.fixture
def request_ctx(app):
    # Messages are checked in their English source wording.
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def pedagogue(world, request_ctx):
    """The acting school user (social pedagogue of school1)."""
    return world.users["social_pedagogue"]


def _iin(born: date = BORN, sex: str = "m", serial: int = 1) -> str:
    while (iin := make_iin(born, sex, serial)) is None:
        serial += 1
    return iin


def _minor_data(born: date = BORN, sex: str = "m", **changes) -> MinorData:
    data = MinorData(iin=_iin(born, sex), surname="Серікбаев", given_name="Арман",
                     patronymic="Болатұлы", birth_date=born, sex=sex, schooling_language="kk",
                     address="Тараз, Төле би көшесі 12, 4 пәтер", phone="+7 701 555 12 34",
                     grade="8Б")
    return replace(data, **changes)


def _consent(**changes) -> RepresentativeData:
    data = RepresentativeData(relation="mother", full_name="Серікбаева Гүлнар Маратқызы",
                              phone="+7 702 111 22 33", address=None,
                              consent_on=date(2026, 11, 2), consent_form="written")
    return replace(data, **changes)


def _enrolment(**changes) -> EnrolmentData:
    data = EnrolmentData(groups=[2, 3], source="school", identified_on=date(2026, 11, 3),
                         enrolled_on=date(2026, 11, 5), reason="Сабаққа жүйелі түрде келмейді")
    return replace(data, **changes)


def _may_open(actor):
    return lambda minor: can(actor, "view", minor)


def _register(actor, **changes) -> Minor:
    return services.register_minor(actor, _minor_data(**changes), TODAY, _may_open(actor))


def _refusal(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return refused.value


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audit(obj, action: str) -> list[AuditEntry]:
    return list(_db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == obj.id,
        AuditEntry.action == action)))


def _events(minor: Minor, kind: str) -> list[CaseEvent]:
    return list(_db.session.scalars(select(CaseEvent).where(
        CaseEvent.minor_id == minor.id, CaseEvent.kind == kind).order_by(CaseEvent.id)))


def _consenting_minor(actor) -> Minor:
    minor = _register(actor)
    services.save_representative(actor, minor, _consent(), TODAY)
    return minor


# --- registering a minor ------------------------------------------------------------------


def test_registering_a_minor_places_them_at_the_actors_school(world, pedagogue):
    minor = _register(pedagogue)
    assert (minor.organisation_id, minor.district_id) == (
        world.orgs["school1"].id, world.districts["D1"].id)
    assert minor.created_by_id == pedagogue.id
    assert minor.full_name == "Серікбаев Арман Болатұлы"
    [entry] = _audit(minor, "create")
    assert entry.actor_id == pedagogue.id
    assert entry.changes["iin"] == minor.iin and entry.changes["surname"] == "Серікбаев"
    assert entry.organisation_id == world.orgs["school1"].id
    [event] = _events(minor, "registered")
    assert (event.occurred_on, event.actor_id) == (TODAY, pedagogue.id)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"birth_date": date(2011, 3, 15)}, "birth_date", "14.03.2011"),
    ({"sex": "f", "iin": _iin(BORN, "m")}, "sex", "sex"),
    ({"iin": "110314500000"}, "iin", "check digit"),
    ({"iin": "11031450001"}, "iin", "12 digits"),
    ({"iin": "1103145000１２"}, "iin", "12 digits"),
    ({"schooling_language": "de"}, "schooling_language", "language"),
])
def test_identity_that_does_not_agree_with_the_iin_is_refused(pedagogue, changes, field,
                                                              words):
    error = _refusal(_register, pedagogue, **changes)
    assert error.field == field
    assert words in error.message
    assert _count(Minor) == 0
    assert _count(AuditEntry, AuditEntry.object_type == "minors") == 0


def test_a_birth_date_in_the_future_is_refused(pedagogue):
    born = TODAY + timedelta(days=30)
    error = _refusal(_register, pedagogue, born=born, iin=_iin(born), birth_date=born)
    assert (error.field, error.message) == ("birth_date", "The birth date is in the future.")
    assert _count(Minor) == 0


def test_only_schools_and_colleges_register_minors(world, request_ctx):
    inspector = world.users["police_inspector"]
    error = _refusal(_register, inspector)
    assert "school" in error.message
    assert _count(Minor) == 0


def test_a_known_iin_in_scope_opens_the_existing_minor(make_case, world, pedagogue):
    existing = make_case(world.orgs["school1"], enrol=False).minor
    with pytest.raises(MinorAlreadyRegistered) as refused:
        _register(pedagogue, iin=existing.iin, surname="Басқа")
    assert refused.value.minor.id == existing.id
    assert refused.value.field == "iin"
    assert _count(Minor) == 1
    assert _db.session.get(Minor, existing.id).surname == "Әбенов"


@pytest.mark.parametrize("elsewhere", ["school2", "school3", "college1"])
def test_a_known_iin_out_of_scope_reveals_nothing_of_the_record(make_case, world, pedagogue,
                                                                elsewhere):
    org = world.orgs[elsewhere]
    existing = make_case(org, enrol=False, surname="Құпиянов").minor
    with pytest.raises(MinorAlreadyRegistered) as refused:
        _register(pedagogue, iin=existing.iin)
    message = refused.value.message
    assert refused.value.minor is None
    assert "another organisation" in message and "hand it over" in message
    for secret in ("Құпиянов", "Нұрсұлтан", org.name_kk, org.name_ru, org.code, "Абай"):
        assert secret not in message
    assert _count(Minor) == 1


def test_the_duplicate_check_comes_before_validation(make_case, world, pedagogue):
    # A duplicate IIN is answered as a duplicate even if the rest of the form is wrong,
    # so the user is told where the record is instead of fixing fields in vain.
    existing = make_case(world.orgs["school1"], enrol=False).minor
    with pytest.raises(MinorAlreadyRegistered):
        _register(pedagogue, iin=existing.iin, sex="f")


# --- legal representatives and consent -------------------------------------------------------


def test_a_representative_with_consent_is_recorded_and_put_on_the_timeline(pedagogue):
    minor = _register(pedagogue)
    representative = services.save_representative(pedagogue, minor, _consent(), TODAY)
    assert representative.has_consent
    assert representative.consent_recorded_by_id == pedagogue.id
    assert services.has_consent(minor)
    [entry] = _audit(representative, "create")
    assert entry.changes["consent_on"] == [None, "2026-11-02"]
    assert entry.changes["relation"] == [None, "mother"]
    [event] = _events(minor, "consent")
    assert event.occurred_on == date(2026, 11, 2)
    assert event.data == {"relation": "mother", "form": "written"}


def test_consent_given_later_is_recorded_on_the_same_representative(pedagogue):
    minor = _register(pedagogue)
    father = services.save_representative(
        pedagogue, minor, _consent(relation="father", full_name="Серікбаев Болат Ержанұлы",
                                   consent_on=None, consent_form=None), TODAY)
    assert not services.has_consent(minor)
    assert _events(minor, "consent") == []
    services.save_representative(pedagogue, minor, _consent(relation="father",
                                 full_name=father.full_name, consent_form="electronic"),
                                 TODAY, father, father.version)
    assert father.consent_form == "electronic" and father.consent_recorded_by_id == pedagogue.id
    [entry] = _audit(father, "update")
    assert entry.changes == {"consent_on": [None, "2026-11-02"],
                             "consent_form": [None, "electronic"]}
    assert [e.data["form"] for e in _events(minor, "consent")] == ["electronic"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"consent_form": None}, "consent_form"),
    ({"consent_on": None}, "consent_on"),
    ({"consent_on": TODAY + timedelta(days=1)}, "consent_on"),
    ({"relation": "neighbour"}, "relation"),
])
def test_incomplete_consent_is_refused_at_its_field(pedagogue, changes, field):
    minor = _register(pedagogue)
    error = _refusal(services.save_representative, pedagogue, minor, _consent(**changes),
                     TODAY)
    assert error.field == field
    assert _count(LegalRepresentative) == 0
    assert _events(minor, "consent") == []


# --- enrolment ----------------------------------------------------------------------------


def test_enrolment_opens_the_initial_stage_with_its_deadline(pedagogue):
    minor = _consenting_minor(pedagogue)
    enrolment = services.enrol_minor(pedagogue, minor, _enrolment(), TODAY)
    assert enrolment.stage == Stage.INITIAL.value and enrolment.is_open
    assert enrolment.stage_started_on == date(2026, 11, 5)
    assert enrolment.stage_due_on == date(2026, 11, 15)  # 10 days, the regional default
    assert enrolment.organisation_id == minor.organisation_id
    assert [int(g) for g in services.enrolment_groups_of(enrolment)] == [2, 3]
    assert enrolment.police_registered_on is None and enrolment.released_on is None
    [entry] = _audit(enrolment, "create")
    assert entry.actor_id == pedagogue.id
    assert entry.changes == {"groups": [2, 3], "enrolled_on": "2026-11-05", "source": "school"}
    [event] = _events(minor, "enrolled")
    assert (event.enrolment_id, event.occurred_on) == (enrolment.id, date(2026, 11, 5))
    assert event.data == {"groups": [2, 3]}


def test_enrolment_without_consent_is_refused_and_says_why(pedagogue):
    minor = _register(pedagogue)
    services.save_representative(pedagogue, minor, _consent(consent_on=None,
                                                            consent_form=None), TODAY)
    error = _refusal(services.enrol_minor, pedagogue, minor, _enrolment(), TODAY)
    assert "consent of a legal representative" in error.message
    assert "Record it on the representative" in error.message
    assert _count(Enrolment) == 0
    assert _events(minor, "enrolled") == []


@pytest.mark.parametrize(("groups", "changes", "field"), [
    ([1], {}, "police_registered_on"),
    ([1, 2], {"police_registered_on": date(2026, 10, 1)}, "police_grounds"),
    ([1], {"police_registered_on": TODAY + timedelta(days=1), "police_grounds": "ӘҚБтК"},
     "police_registered_on"),
    ([4], {}, "police_registered_on"),
    ([4], {"police_registered_on": date(2026, 10, 1), "police_grounds": "Сот үкімі"},
     "released_on"),
    ([4], {"police_registered_on": date(2026, 10, 1), "police_grounds": "Сот үкімі",
           "released_on": date(2026, 9, 30)}, "release_institution"),
    ([4], {"police_registered_on": date(2026, 10, 1), "police_grounds": "Сот үкімі",
           "released_on": date(2010, 1, 1), "release_institution": "ТК"}, "released_on"),
    ([], {}, "groups"),
    ([6], {}, "groups"),
])
def test_groups_1_and_4_need_the_police_and_release_details(pedagogue, groups, changes, field):
    minor = _consenting_minor(pedagogue)
    error = _refusal(services.enrol_minor, pedagogue, minor,
                     _enrolment(groups=groups, **changes), TODAY)
    assert error.field == field
    assert _count(Enrolment) == 0


def test_group_4_keeps_the_registration_and_release(pedagogue):
    minor = _consenting_minor(pedagogue)
    details = {"police_registered_on": date(2026, 10, 1), "police_grounds": "Сот үкімі",
               "police_inspector": "Сәрсенбаев Е. М.", "released_on": date(2026, 9, 30),
               "release_institution": "Кәмелетке толмағандарға арналған тәрбие колониясы"}
    enrolment = services.enrol_minor(pedagogue, minor, _enrolment(groups=[4, 5], **details),
                                     TODAY)
    for name, value in details.items():
        assert getattr(enrolment, name) == value
    assert [int(g) for g in services.enrolment_groups_of(enrolment)] == [4, 5]


def test_details_of_groups_the_minor_is_not_in_are_not_kept(pedagogue):
    minor = _consenting_minor(pedagogue)
    enrolment = services.enrol_minor(pedagogue, minor, _enrolment(
        groups=[1], police_registered_on=date(2026, 10, 1), police_grounds="ӘҚБтК 434-б.",
        released_on=date(2026, 9, 30), release_institution="Колония"), TODAY)
    assert enrolment.police_grounds == "ӘҚБтК 434-б."
    assert (enrolment.released_on, enrolment.release_institution) == (None, None)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"enrolled_on": date(2026, 11, 2)}, "enrolled_on", "before identification"),
    ({"identified_on": date(2011, 3, 13)}, "identified_on", "before the minor's birth"),
    ({"enrolled_on": TODAY + timedelta(days=1)}, "enrolled_on", "future"),
    ({"identified_on": TODAY + timedelta(days=1), "enrolled_on": TODAY + timedelta(days=1)},
     "identified_on", "future"),
    ({"source": "neighbours"}, "source", "identified"),
])
def test_impossible_enrolment_dates_are_refused(pedagogue, changes, field, words):
    minor = _consenting_minor(pedagogue)
    error = _refusal(services.enrol_minor, pedagogue, minor, _enrolment(**changes), TODAY)
    assert (error.field, words in error.message) == (field, True)
    assert _count(Enrolment) == 0


def test_a_minor_who_is_18_on_the_enrolment_date_is_refused(pedagogue):
    born = date(2008, 11, 20)
    minor = _register(pedagogue, born=born, iin=_iin(born), birth_date=born)
    services.save_representative(pedagogue, minor, _consent(), TODAY)
    error = _refusal(services.enrol_minor, pedagogue, minor,
                     _enrolment(identified_on=date(2026, 11, 18), enrolled_on=TODAY), TODAY)
    assert error.field == "enrolled_on" and "18" in error.message
    assert _count(Enrolment) == 0
    # The day before the eighteenth birthday the minor may still enter the programme.
    day_before = TODAY - timedelta(days=1)
    enrolment = services.enrol_minor(pedagogue, minor, _enrolment(
        identified_on=date(2026, 11, 18), enrolled_on=day_before), TODAY)
    assert enrolment.enrolled_on == day_before


def test_a_minor_has_one_open_enrolment(pedagogue):
    minor = _consenting_minor(pedagogue)
    services.enrol_minor(pedagogue, minor, _enrolment(), TODAY)
    error = _refusal(services.enrol_minor, pedagogue, minor,
                     _enrolment(groups=[5], enrolled_on=TODAY), TODAY)
    assert "already in the programme" in error.message
    assert _count(Enrolment) == 1
    assert len(_events(minor, "enrolled")) == 1


def test_re_enrolment_after_closure_keeps_the_earlier_case(world, pedagogue):
    minor = _consenting_minor(pedagogue)
    first = services.enrol_minor(pedagogue, minor, _enrolment(
        identified_on=date(2026, 3, 2), enrolled_on=date(2026, 3, 3)), TODAY)
    services.close_enrolment(world.users["school_admin"], first, ClosureData(
        ClosureReason.OTHER.value, date(2026, 5, 4), note="Отбасы уақытша көшті"),
        TODAY, first.version)
    second = services.enrol_minor(pedagogue, minor, _enrolment(groups=[1], police_registered_on=
                                  date(2026, 11, 1), police_grounds="ӘҚБтК 73-б."), TODAY)
    _db.session.expire_all()
    enrolments = list(_db.session.scalars(select(Enrolment).where(
        Enrolment.minor_id == minor.id).order_by(Enrolment.enrolled_on)))
    assert [e.id for e in enrolments] == [first.id, second.id]
    earlier, current = enrolments
    assert (earlier.stage, earlier.closed_on, earlier.closure_reason) == (
        "closed", date(2026, 5, 4), "other")
    assert earlier.closure_note == "Отбасы уақытша көшті"
    assert (current.stage, current.closed_on) == ("initial", None)
    assert services.open_enrolment(minor).id == second.id
    assert [e.enrolment_id for e in _events(minor, "enrolled")] == [first.id, second.id]
    assert [e.enrolment_id for e in _events(minor, "closed")] == [first.id]
    assert _audit(second, "create")
