"""The instrument library: loading, versions of a key, and the methodologist's editor."""

import copy
import html
import json

import pytest
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.audit.models import AuditEntry
from juvenile.diagnostics import library
from juvenile.diagnostics.models import Instrument, InstrumentVersion
from juvenile.errors import ConflictError, ServiceError, stale_record_message


def _kk(message: str, **values) -> str:
    """The message as the page shows it: in Kazakh, the default language."""
    with current_app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def instrument(db, code: str) -> Instrument:
    return db.session.scalar(select(Instrument).where(Instrument.code == code))


@pytest.fixture
def loaded(db):
    library.ensure_library()
    db.session.commit()


def test_loading_the_library_is_idempotent(db, world):
    library.ensure_library(world.users["admin"])
    db.session.commit()
    library.ensure_library()
    db.session.commit()
    assert count(db, Instrument) == 9 and count(db, InstrumentVersion) == 9
    created = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "instruments", AuditEntry.action == "create")).all()
    assert len(created) == 9
    asq = instrument(db, "asq")
    assert (asq.construct, asq.name_ru) == ("suicide_risk",
                                           "ASQ (скрининг суицидального риска)")
    assert library.current_version(asq).key_verified is True
    assert library.current_version(instrument(db, "phillips")).key_verified is False


def test_each_construct_has_its_instruments(db, loaded):
    rows = db.session.execute(select(Instrument.construct, Instrument.code)).all()
    by_construct: dict[str, set[str]] = {}
    for construct, code in rows:
        by_construct.setdefault(construct, set()).add(code)
    assert by_construct == {"anxiety": {"gad7", "scared", "stai_khanin", "phillips"},
                            "aggression": {"bass_darky", "buss_perry"},
                            "suicide_risk": {"asq", "phq_a", "osr"}}


def test_an_edit_makes_the_next_version_and_leaves_the_old_one(db, world, loaded):
    methodologist = world.users["methodologist"]
    phillips = instrument(db, "phillips")
    first = library.current_version(phillips)
    original = copy.deepcopy(first.definition)
    edited = copy.deepcopy(first.definition)
    edited["levels"][0]["bands"][1]["from"] = 29
    version = library.new_version(methodologist, phillips, edited, "Region's norm", True,
                                  expected_number=1)
    db.session.commit()
    db.session.expire_all()
    assert version.number == 2 and version.key_verified is True
    assert library.current_version(phillips).id == version.id
    assert db.session.get(InstrumentVersion, first.id).definition == original
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "new_version")).one()
    assert entry.actor_login == methodologist.login and entry.object_id == phillips.id
    assert entry.changes["version"] == [1, 2]
    assert entry.changes["key_verified"] == [False, True]
    assert "levels" in entry.changes


def test_an_edit_cannot_change_the_code_construct_or_names(db, world, loaded):
    gad = instrument(db, "gad7")
    edited = {**library.current_version(gad).definition, "code": "x", "construct": "aggression",
              "name": {"en": "X", "kk": "X", "ru": "X"}, "missing": {"max": 1}}
    version = library.new_version(world.users["methodologist"], gad, edited, "One allowed",
                                  True)
    assert version.definition["code"] == "gad7"
    assert version.definition["construct"] == "anxiety"
    assert version.definition["name"]["ru"] != "X"


@pytest.mark.parametrize("change, note, field", [
    ({"scales": [{"code": "total", "items": [1, 8]}]}, "Add item 8", "definition"),
    ({}, "No change at all", "definition"),
    ({"missing": {"max": 1}}, "   ", "note"),
])
def test_invalid_or_empty_edits_are_refused(db, world, loaded, change, note, field):
    gad = instrument(db, "gad7")
    edited = {**library.current_version(gad).definition, **change}
    with pytest.raises(ServiceError) as refusal:
        library.new_version(world.users["methodologist"], gad, edited, note, True)
    assert refusal.value.field == field
    db.session.rollback()
    assert count(db, InstrumentVersion) == 9


def test_a_stale_edit_is_refused(db, world, loaded):
    gad = instrument(db, "gad7")
    base = library.current_version(gad).definition
    library.new_version(world.users["methodologist"], gad, {**base, "missing": {"max": 1}},
                        "first", True, expected_number=1)
    with pytest.raises(ConflictError):
        library.new_version(world.users["methodologist"], gad, {**base, "missing": {"max": 2}},
                            "second, from the old page", True, expected_number=1)


# --- screens ---------------------------------------------------------------------------


def test_psychologist_reads_the_library_and_a_key(db, client, loaded, login_as):
    login_as("psychologist")
    page = client.get("/instruments/").get_data(as_text=True)
    assert "Phillips" in page or "Филлипс" in page
    phillips = instrument(db, "phillips")
    page = client.get(f"/instruments/{phillips.id}").get_data(as_text=True)
    assert "2, 3, 7, 12, 16, 21, 23, 26, 28, 46" in page  # the first factor's items
    assert "Edit the key" not in page
    assert client.get(f"/instruments/{phillips.id}/edit").status_code == 403


@pytest.mark.parametrize("role", ["social_pedagogue", "school_admin", "police_inspector",
                                  "district_coordinator", "commission_member", "partner",
                                  "admin"])
def test_other_roles_see_no_library(client, world, loaded, login_as, db, role):
    login_as(role)
    gad = instrument(db, "gad7")
    assert client.get("/instruments/").status_code == 403
    assert client.get(f"/instruments/{gad.id}").status_code == 403
    assert client.get(f"/instruments/{gad.id}/edit").status_code == 403
    assert client.post(f"/instruments/{gad.id}/edit").status_code == 403


def _form(definition: dict, version: int, note: str = "Norm of the region",
          verified: bool = True) -> dict:
    shown = {k: v for k, v in definition.items()
             if k not in ("code", "construct", "name", "key_verified")}
    data = {"definition": json.dumps(shown, ensure_ascii=False), "note": note,
            "version": str(version)}
    if verified:
        data["key_verified"] = "y"
    return data


def test_methodologist_saves_a_new_version_on_the_screen(db, client, loaded, login_as):
    login_as("methodologist")
    phillips = instrument(db, "phillips")
    page = client.get(f"/instruments/{phillips.id}/edit").get_data(as_text=True)
    assert '"count": "mismatch"' in html.unescape(page)
    definition = library.current_version(phillips).definition
    edited = copy.deepcopy(definition)
    edited["key"]["25"] = "n"
    response = client.post(f"/instruments/{phillips.id}/edit", data=_form(edited, 1))
    assert response.status_code == 302
    db.session.expire_all()
    current = library.current_version(phillips)
    assert current.number == 2 and current.definition["key"]["25"] == "n"
    assert current.key_verified and current.note == "Norm of the region"
    old = client.get(f"/instruments/{phillips.id}?version=1").get_data(as_text=True)
    assert _kk("Version %(number)d, replaced by version %(newest)d.", number=1, newest=2) in old
    assert client.get(f"/instruments/{phillips.id}?version=7").status_code == 404


def test_the_editor_explains_what_is_wrong_beside_the_key(db, client, loaded, login_as):
    login_as("methodologist")
    gad = instrument(db, "gad7")
    response = client.post(f"/instruments/{gad.id}/edit",
                           data={"definition": '{"items": 7,', "note": "x", "version": "1"})
    assert response.status_code == 200
    try:
        json.loads('{"items": 7,')
    except json.JSONDecodeError as error:
        expected = _kk("This is not valid JSON: line %(line)d, column %(column)d.",
                       line=error.lineno, column=error.colno)
    assert expected in response.get_data(as_text=True)
    definition = library.current_version(gad).definition
    broken = {**definition, "scales": [{"code": "total", "items": [1, 2, 30]}],
              "levels": [{"scale": "total", "bands": [{"from": 0, "level": "severe"}]}]}
    page = client.post(f"/instruments/{gad.id}/edit", data=_form(broken, 1)).get_data(
        as_text=True)
    assert _kk("%(where)s: item %(item)s does not exist (the instrument has %(count)s items).",
               where="", item=30, count=7).lstrip(": ") in page
    assert 'id="definition-error"' in page
    db.session.expire_all()
    assert library.current_version(gad).number == 1


def test_a_stale_edit_on_the_screen_is_refused(db, client, loaded, login_as):
    login_as("methodologist")
    gad = instrument(db, "gad7")
    definition = library.current_version(gad).definition
    assert client.post(f"/instruments/{gad.id}/edit",
                       data=_form({**definition, "missing": {"max": 1}}, 1)).status_code == 302
    page = client.post(f"/instruments/{gad.id}/edit",
                       data=_form({**definition, "missing": {"max": 2}}, 1))
    assert page.status_code == 200
    with client.application.test_request_context():
        assert html.escape(stale_record_message()) in page.get_data(as_text=True)
    db.session.expire_all()
    assert library.current_version(gad).number == 2


def test_every_key_reads_in_both_languages(db, client, loaded, login_as, world):
    world.users["methodologist"].locale = "ru"
    db.session.commit()
    login_as("methodologist")
    for found in db.session.scalars(select(Instrument)):
        page = client.get(f"/instruments/{found.id}")
        assert page.status_code == 200, found.code
        assert found.name_ru in page.get_data(as_text=True)
    asq = client.get(f"/instruments/{instrument(db, 'asq').id}").get_data(as_text=True)
    assert "1, 2, 3, 4" in asq and "5" in asq  # the screen and its conditional item
