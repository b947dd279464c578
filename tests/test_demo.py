"""The demo Jambyl region and the commands that load it."""

from sqlalchemy import func, select

from juvenile.accounts.models import District, Organisation, OrganisationKind, Role, User
from juvenile.demo.builder import build_demo_region, printed_logins
from juvenile.extensions import db as _db


def _count(model, *where):
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_region_has_every_district_kind_and_role(app):
    with app.test_request_context():
        demo = build_demo_region("demo-password-1")
        _db.session.commit()
        logins = printed_logins(demo)
    assert _count(District) == 11
    assert _db.session.scalar(select(District.name_kk).where(District.code == "TRZ")) == \
        "Тараз қаласы"
    for kind in OrganisationKind:
        assert _count(Organisation, Organisation.kind == kind.value) >= 1, kind
    for code in ("TRZ", "BZK", "SHU"):
        district_id = _db.session.scalar(select(District.id).where(District.code == code))
        for kind in (OrganisationKind.POLICE, OrganisationKind.EDUCATION_DEPARTMENT,
                     OrganisationKind.COMMISSION, OrganisationKind.SCHOOL):
            assert _count(Organisation, Organisation.district_id == district_id,
                          Organisation.kind == kind.value) >= 1, (code, kind)
    assert {role for role, *_ in logins} == {role.label for role in Role}
    for role in Role:
        assert _count(User, User.role == role.value) >= 1, role


def test_demo_accounts_sign_in_with_the_printed_password(app, client):
    with app.test_request_context():
        build_demo_region("demo-password-1")
        _db.session.commit()
    response = client.post("/login", data={"login": "psychologist",
                                           "password": "demo-password-1"})
    assert response.headers["Location"] == "/"
    assert "Тараз қаласының №1" in client.get("/").get_data(as_text=True)


def test_demo_command_refuses_a_database_with_data(app, world):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "--reset" in result.output
    assert _count(District) == 2  # the existing data are untouched


def test_demo_command_loads_an_empty_database_and_prints_logins(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["demo", "--password", "demo-password-2"])
    assert result.exit_code == 0, result.output
    assert "demo-password-2" in result.output
    assert "psychologist" in result.output and "coordinator" in result.output
    _db.session.expire_all()
    assert _count(District) == 11


def test_demo_command_reset_replaces_existing_data(app, world):
    result = app.test_cli_runner().invoke(args=["demo", "--reset", "--password", "pw-123456789"])
    assert result.exit_code == 0, result.output
    _db.session.remove()
    assert _count(District) == 11
    assert _count(Organisation, Organisation.code == "SCHOOL1") == 0


def test_bootstrap_creates_places_and_an_administrator_who_must_choose_a_password(app, client):
    result = app.test_cli_runner().invoke(
        args=["bootstrap", "--admin-login", "Chief", "--admin-name", "Бас Әкімші"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[-1]
    assert _count(District) == 11
    assert _count(User) == 1
    client.post("/login", data={"login": "chief", "password": password})
    assert client.get("/admin/users").headers["Location"] == "/password"
    again = app.test_cli_runner().invoke(
        args=["bootstrap", "--admin-login", "x", "--admin-name", "y"])
    assert again.exit_code != 0
