"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), a small region with one account per role, and a login helper.

The schema is always built by the migrations, never by create_all. SQLite tests each get
a copy of a migrated template file; PostgreSQL tests share one migrated database and
empty its tables after every test (TRUNCATE does not fire the audit trail's
append-only triggers, which is exactly why it is used here).
"""

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from config import TestConfig
from juvenile import create_app
from juvenile.accounts.models import District, Organisation, OrganisationKind, Region, Role, User
from juvenile.accounts.passwords import hash_password, new_session_token
from juvenile.cases.models import Enrolment, LegalRepresentative, Minor, Transfer
from juvenile.extensions import db as _db

PASSWORD = "correct-horse-42"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own ``g`` (where
    Flask-Login caches the user) and its own database session. Objects the test holds
    may be stale after a request: re-read them (``db.session.expire_all()``)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _config(url: str, **overrides) -> type[TestConfig]:
    return type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


def make_app(url: str, instance_path, **overrides):
    os.environ["JUVENILE_INSTANCE_PATH"] = str(instance_path)
    try:
        app = create_app(_config(url, **overrides))
        app.test_client_class = IsolatedClient
        return app
    finally:
        del os.environ["JUVENILE_INSTANCE_PATH"]


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: an SQLite template file, or the PostgreSQL test database."""
    instance = tmp_path_factory.mktemp("instance")
    if POSTGRES_URL:
        app = make_app(POSTGRES_URL, instance)
        with app.app_context():
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade()
            _db.engine.dispose()
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    app = make_app(f"sqlite:///{path}", instance)
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return path


def _empty_postgres() -> None:
    tables = [t.name for t in _db.metadata.sorted_tables]
    with _db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(database_template, tmp_path):
    if POSTGRES_URL:
        return POSTGRES_URL
    copy = tmp_path / "test.sqlite"
    shutil.copyfile(database_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app_factory(database_url, tmp_path):
    """Build an app on this test's database, with config overrides."""
    apps = []

    def build(**overrides):
        app = make_app(database_url, tmp_path / "instance", **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _db.session.remove()
            if POSTGRES_URL and app is apps[0]:
                _empty_postgres()
            _db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class World:
    """A small region: two districts, their organisations, one account per role."""

    region: Region
    districts: dict[str, District] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def create(role: Role, org: Organisation, login: str | None = None, *,
               password: str = PASSWORD, must_change_password: bool = False,
               enabled: bool = True, full_name: str | None = None) -> User:
        login = login or f"{role.value}.{next(counter)}"
        user = User(login=login, full_name=full_name or f"{role.value} {login}",
                    role=role.value, organisation=org, password_hash=hash_password(password),
                    must_change_password=must_change_password, is_enabled=enabled,
                    session_token=new_session_token())
        db.session.add(user)
        db.session.commit()
        return user

    return create


@pytest.fixture
def world(db, make_user) -> World:
    region = Region(code="R", name_kk="Облыс", name_ru="Область")
    world = World(region=region)
    for code, kk, ru in [("D1", "Бірінші аудан", "Первый район"),
                         ("D2", "Екінші аудан", "Второй район")]:
        world.districts[code] = District(region=region, code=code, name_kk=kk, name_ru=ru)
    kind = OrganisationKind
    specs = [
        ("school1", "D1", kind.SCHOOL), ("school2", "D1", kind.SCHOOL),
        ("school3", "D2", kind.SCHOOL), ("college1", "D1", kind.COLLEGE),
        ("police1", "D1", kind.POLICE), ("police2", "D2", kind.POLICE),
        ("edu1", "D1", kind.EDUCATION_DEPARTMENT), ("edu2", "D2", kind.EDUCATION_DEPARTMENT),
        ("kdn1", "D1", kind.COMMISSION), ("health1", "D1", kind.HEALTH),
        ("region_edu", None, kind.EDUCATION_DEPARTMENT), ("region_kdn", None, kind.COMMISSION),
    ]
    for code, district, org_kind in specs:
        world.orgs[code] = Organisation(
            region=region, district=world.districts.get(district), kind=org_kind.value,
            code=code.upper(), name_kk=f"{code} (kk)", name_ru=f"{code} (ru)")
    db.session.add(region)
    db.session.add_all(world.orgs.values())
    db.session.commit()
    homes = {
        Role.PSYCHOLOGIST: "school1", Role.SOCIAL_PEDAGOGUE: "school1",
        Role.SCHOOL_ADMIN: "school1", Role.POLICE_INSPECTOR: "police1",
        Role.DISTRICT_COORDINATOR: "edu1", Role.COMMISSION_MEMBER: "kdn1",
        Role.PARTNER: "health1", Role.METHODOLOGIST: "region_edu", Role.ADMIN: "region_edu",
    }
    for role, org_code in homes.items():
        world.users[role.value] = make_user(role, world.orgs[org_code], role.value)
    return world


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = PASSWORD, **kwargs):
        return self.client.post("/login", data={"login": login, "password": password},
                                **kwargs)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(client, world):
    """Sign the test client in as the world's account of a role; returns that user."""

    def sign_in(role: Role | str) -> User:
        user = world.users[Role(role).value]
        response = AuthActions(client).login(user.login)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@dataclass
class Case:
    minor: Minor
    representative: LegalRepresentative
    enrolment: Enrolment | None
    transfer: Transfer | None = None


@pytest.fixture
def make_case(db):
    """A minor of an organisation with a consenting mother and an open enrolment in the
    initial stage (or none with enrol=False); optionally a pending hand-over."""
    from datetime import date, timedelta

    from juvenile.cases.iin import make_iin
    from juvenile.cases.models import Placement, Stage, enrolment_groups

    serials = iter(range(1, 10_000))

    def create(org: Organisation, *, enrol: bool = True, groups=(1, 2), stage: str = "initial",
               enrolled_on: date | None = None, birth_date: date = date(2011, 3, 14),
               sex: str = "m", surname: str = "Әбенов", transfer_to: Organisation | None = None,
               responsible: User | None = None) -> Case:
        iin = None
        while iin is None:
            iin = make_iin(birth_date, sex, next(serials))
        minor = Minor(iin=iin, surname=surname, given_name="Нұрсұлтан", birth_date=birth_date,
                      sex=sex, schooling_language="kk", address="Тараз, Абай көшесі 1",
                      organisation_id=org.id, district_id=org.district_id, grade="8А")
        representative = LegalRepresentative(minor=minor, relation="mother",
                                             full_name="Әбенова Гүлмира",
                                             phone="+7 701 000 00 00",
                                             consent_on=date(2026, 9, 1), consent_form="written")
        db.session.add_all([minor, representative])
        db.session.flush()
        enrolment = None
        if enrol:
            start = enrolled_on or date.today() - timedelta(days=3)
            enrolment = Enrolment(minor=minor, organisation_id=org.id,
                                  district_id=org.district_id, source="police",
                                  identified_on=start, enrolled_on=start, reason="Тексеру",
                                  stage=Stage(stage).value, stage_started_on=start,
                                  stage_due_on=start + timedelta(days=10),
                                  responsible_id=responsible.id if responsible else None)
            db.session.add(enrolment)
            db.session.flush()
            db.session.add(Placement(enrolment_id=enrolment.id, organisation_id=org.id,
                                     district_id=org.district_id, from_date=start))
            db.session.execute(enrolment_groups.insert(), [
                {"enrolment_id": enrolment.id, "target_group": g} for g in groups])
        transfer = None
        if transfer_to is not None:
            sender = db.session.scalar(db.select(User.id).order_by(User.id).limit(1))
            transfer = Transfer(minor=minor, from_organisation_id=org.id,
                                to_organisation_id=transfer_to.id, requested_by_id=sender)
            db.session.add(transfer)
        db.session.commit()
        return Case(minor, representative, enrolment, transfer)

    return create


@contextmanager
def counted_queries():
    """Collects the SQL statements run inside the block (for "the query count does not
    grow with the rows shown")."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def count_queries(client, url: str):
    """GET ``url``; returns the response and how many SQL statements it ran."""
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(statements)
