"""The audit trail: what is recorded, who reads what, filters, and that it is append-only
(no route, the ORM and the database triggers all refuse to change an entry)."""

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, exc, func, select, text, update
from werkzeug.exceptions import NotFound

from juvenile.access import get_or_404
from juvenile.accounts.models import Organisation, Role, User
from juvenile.audit.models import AuditEntry, AuditEntryImmutable
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD, AuthActions, count_queries
from tests.test_admin_organisations import _text, rows

REMOTE = "10.20.30.40"
ALMATY = ZoneInfo("Asia/Almaty")


def _all_entries(**where) -> list[AuditEntry]:
    _db.session.expire_all()
    stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
    return list(_db.session.scalars(stmt))


def _client(app, login: str | None = None, remote: str = REMOTE):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    if login:
        assert AuthActions(client).login(login).status_code == 302
    return client


def _summaries(response) -> list[str]:
    """The "record" cell of every row of the trail, e.g. "Organisation #3 SCHOOL1"."""
    assert response.status_code == 200
    return [row[3] for row in rows(response)]


def _add_entry(*, at: datetime, actor: str = "someone", action: str = "update",
               object_type: str = "organisations", summary: str = "X",
               district_id: int | None = None) -> None:
    _db.session.add(AuditEntry(at=at, actor_login=actor, actor_name=actor.title(),
                               action=action, object_type=object_type, object_id=1,
                               summary=summary, district_id=district_id))


def _count_queries(client, url: str):
    return count_queries(client, url)


# --- what is recorded ----------------------------------------------------------------


def test_every_admin_change_leaves_an_entry(app, world):
    admin = world.users["admin"]
    client = _client(app, "admin")
    start = max(entry.id for entry in _all_entries())
    d1 = world.districts["D1"]

    # organisations: create, edit, deactivate, reactivate
    assert client.post("/admin/organisations/new", data={
        "kind": "college", "district_id": str(d1.id), "code": "COL-9",
        "name_kk": "Колледж 9", "name_ru": "Колледж 9"}).status_code == 302
    org = _db.session.scalar(select(Organisation).where(Organisation.code == "COL-9"))
    assert client.post(f"/admin/organisations/{org.id}", data={
        "kind": "college", "district_id": str(d1.id), "code": "COL-9",
        "name_kk": "Колледж 9", "name_ru": "Колледж №9", "version": "1"}).status_code == 302
    client.post(f"/admin/organisations/{org.id}/active", data={"active": "0"})
    client.post(f"/admin/organisations/{org.id}/active", data={"active": "1"})

    # accounts: create, edit, deactivate, reactivate, reset, delete
    assert client.post("/admin/users/new", data={
        "full_name": "Жаңа Маман", "login": "new.one", "role": "partner",
        "organisation_id": str(org.id), "email": ""}).status_code == 200
    user_id = _db.session.scalar(select(User.id).where(User.login == "new.one"))
    assert client.post(f"/admin/users/{user_id}", data={
        "full_name": "Жаңа Маман Б.", "login": "new.one", "role": "partner",
        "organisation_id": str(org.id), "email": "", "version": "1"}).status_code == 302
    client.post(f"/admin/users/{user_id}/active", data={"active": "0"})
    client.post(f"/admin/users/{user_id}/active", data={"active": "1"})
    assert client.post(f"/admin/users/{user_id}/password").status_code == 200
    assert client.post(f"/admin/users/{user_id}/delete").status_code == 302

    entries = [e for e in _all_entries() if e.id > start]
    for entry in entries:
        assert (entry.actor_id, entry.actor_login, entry.actor_name, entry.remote_addr) == (
            admin.id, "admin", admin.full_name, REMOTE), entry.action
        assert entry.at is not None and entry.at.tzinfo is not None
    org_snapshot = {"kind": "college", "district_id": d1.id, "code": "COL-9",
                    "name_kk": "Колледж 9", "name_ru": "Колледж 9", "is_active": True}
    user_snapshot = {"login": "new.one", "full_name": "Жаңа Маман", "role": "partner",
                     "organisation_id": org.id, "email": None, "is_enabled": True}
    assert [(e.action, e.object_type, e.object_id, e.changes) for e in entries] == [
        ("create", "organisations", org.id, org_snapshot),
        ("update", "organisations", org.id, {"name_ru": ["Колледж 9", "Колледж №9"]}),
        ("deactivate", "organisations", org.id, {"is_active": [True, False]}),
        ("activate", "organisations", org.id, {"is_active": [False, True]}),
        ("create", "users", user_id, user_snapshot),
        ("update", "users", user_id, {"full_name": ["Жаңа Маман", "Жаңа Маман Б."]}),
        ("deactivate", "users", user_id, {"is_enabled": [True, False]}),
        ("activate", "users", user_id, {"is_enabled": [False, True]}),
        ("reset_password", "users", user_id, None),
        ("delete", "users", user_id, {**user_snapshot, "full_name": "Жаңа Маман Б."}),
    ]
    # all of it in the organisation's district
    assert {(e.district_id, e.organisation_id) for e in entries} == {(d1.id, org.id)}

    # and the trail shows who, what, which record, the changed fields and the address
    page = client.get("/audit/?actor=admin&object_type=organisations")
    table = rows(page)
    assert len(table) == 4
    newest = table[0]
    assert "admin" in newest[1] and admin.full_name in newest[1]
    assert f"#{org.id} COL-9" in newest[3]
    assert newest[5] == REMOTE
    update_row = table[2]
    assert "name_ru: Колледж 9 → Колледж №9" in update_row[4]


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(app, world):
    user = world.users["psychologist"]
    school1, d1 = world.orgs["school1"], world.districts["D1"]
    client = _client(app)
    auth = AuthActions(client)
    assert auth.login("psychologist", "wrong-password-1").status_code == 200
    assert auth.login("no.such.person", "wrong-password-1").status_code == 200
    assert auth.login("Psychologist").status_code == 302
    assert auth.logout().status_code == 302

    entries = _all_entries(object_type="login")
    assert [(e.action, e.actor_id, e.actor_login, e.object_id, e.summary, e.remote_addr)
            for e in entries] == [
        ("login_failed", None, "system", user.id, "psychologist", REMOTE),
        ("login_failed", None, "system", None, "no.such.person", REMOTE),
        ("login", user.id, "psychologist", user.id, "psychologist", REMOTE),
        ("logout", user.id, "psychologist", user.id, "psychologist", REMOTE),
    ]
    # in the account's district, so its coordinator sees them; an unknown login is regional
    assert [(e.district_id, e.organisation_id) for e in entries] == [
        (d1.id, school1.id), (None, None), (d1.id, school1.id), (d1.id, school1.id)]
    # the typed password is never written down
    assert all("wrong-password-1" not in str(e.changes) + e.summary for e in entries)
    assert all(PASSWORD not in str(e.changes) + e.summary for e in entries)


# --- who reads what ------------------------------------------------------------------


@pytest.fixture
def scoped_changes(app, world):
    """One admin change in D1, one in D2, one on a regional body."""
    client = _client(app, "admin")
    for code in ("school1", "school3", "region_kdn"):
        org = world.orgs[code]
        assert client.post(f"/admin/organisations/{org.id}", data={
            "kind": org.kind, "district_id": str(org.district_id or ""), "code": org.code,
            "name_kk": org.name_kk, "name_ru": f"{code} renamed",
            "version": str(org.version)}).status_code == 302
    return world


def _org_summaries(response) -> set[str]:
    return {s.split()[-1] for s in _summaries(response) if "#" in s and s.split()[-1].isupper()}


def test_coordinator_sees_entries_of_their_district_only(app, scoped_changes):
    world = scoped_changes
    client = _client(app, "district_coordinator")
    response = client.get("/audit/")
    assert _org_summaries(response) == {"SCHOOL1"}
    assert "SCHOOL3" not in response.get_data(as_text=True)
    assert "REGION_KDN" not in response.get_data(as_text=True)
    # the coordinator's own sign-in (edu1 is in D1) is there; the admin's (regional) is not
    logins = [row[1] for row in rows(client.get("/audit/?object_type=login"))]
    assert any("(district_coordinator)" in who for who in logins)
    assert not any("(admin)" in who for who in logins)
    # filtering cannot widen the scope
    assert _org_summaries(client.get("/audit/?actor=admin")) == {"SCHOOL1"}
    assert _org_summaries(client.get("/audit/?object_type=organisations")) == {"SCHOOL1"}
    # every entry shown belongs to D1
    visible = _db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.district_id == world.districts["D1"].id))
    assert len(rows(response)) == visible


def test_coordinator_of_another_district_sees_theirs(app, scoped_changes, make_user):
    make_user(Role.DISTRICT_COORDINATOR, scoped_changes.orgs["edu2"], "coordinator.d2")
    client = _client(app, "coordinator.d2")
    assert _org_summaries(client.get("/audit/")) == {"SCHOOL3"}


def test_admin_sees_every_entry(app, scoped_changes):
    client = _client(app, "admin")
    assert _org_summaries(client.get("/audit/")) == {"SCHOOL1", "SCHOOL3", "REGION_KDN"}
    total = _db.session.scalar(select(func.count(AuditEntry.id)))
    assert len(rows(client.get("/audit/"))) == total


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.ADMIN, Role.DISTRICT_COORDINATOR)],
    ids=lambda r: r.value)
def test_other_roles_get_403_on_the_trail(app, world, role):
    client = _client(app, role.value)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/?actor=admin&page=2").status_code == 403
    assert 'href="/audit/"' not in client.get("/").get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# --- filters and pages ---------------------------------------------------------------


def test_filters_by_actor_action_and_record_kind(app, world):
    moment = datetime(2025, 5, 5, 6, 0, tzinfo=UTC)
    _add_entry(at=moment, actor="admin", action="create", summary="A-CREATE")
    _add_entry(at=moment, actor="admin", action="deactivate", summary="A-DEACT")
    _add_entry(at=moment, actor="admin", action="update", object_type="users",
               summary="A-USER")
    _add_entry(at=moment, actor="methodologist", action="update", summary="M-UPDATE")
    _db.session.commit()
    client = _client(app, "admin")

    def found(query):
        return {s.split()[-1] for s in _summaries(client.get(f"/audit/?{query}"))
                if s.split()[-1][:2] in ("A-", "M-")}

    assert found("actor=admin") == {"A-CREATE", "A-DEACT", "A-USER"}
    assert found("actor=%20ADMIN%20") == {"A-CREATE", "A-DEACT", "A-USER"}
    assert found("actor=methodologist") == {"M-UPDATE"}
    assert found("actor=adm") == set()  # a login, not a fragment
    assert found("action=deactivate") == {"A-DEACT"}
    assert found("action=update") == {"A-USER", "M-UPDATE"}
    assert found("object_type=users") == {"A-USER"}
    assert found("object_type=organisations&action=update") == {"M-UPDATE"}
    assert found("actor=admin&action=update&object_type=users") == {"A-USER"}
    response = client.get("/audit/?action=login")
    assert {row[2] for row in rows(response)} == {_text(app, "signed in")}


def test_date_range_is_in_almaty_local_time(app, world):
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Almaty"

    def local(*args):
        return datetime(*args, tzinfo=ALMATY)

    # Near local midnight the UTC date is the previous day: a UTC-date filter would err.
    _add_entry(at=local(2025, 3, 9, 23, 30), summary="BEFORE")
    _add_entry(at=local(2025, 3, 10, 0, 30), summary="FIRST")
    _add_entry(at=local(2025, 3, 11, 23, 30), summary="LAST")
    _add_entry(at=local(2025, 3, 12, 0, 30), summary="AFTER")
    _db.session.commit()
    assert local(2025, 3, 10, 0, 30).astimezone(UTC).day == 9
    client = _client(app, "admin")

    def found(query):
        return [s.split()[-1] for s in _summaries(client.get(f"/audit/?{query}"))
                if s.split()[-1] in {"BEFORE", "FIRST", "LAST", "AFTER"}]

    assert found("date_from=2025-03-10&date_to=2025-03-11") == ["LAST", "FIRST"]
    assert found("date_from=2025-03-10") == ["AFTER", "LAST", "FIRST"]
    assert found("date_to=2025-03-11") == ["LAST", "FIRST", "BEFORE"]
    assert found("date_from=2025-03-12&date_to=2025-03-12") == ["AFTER"]
    assert found("date_from=2025-03-11&date_to=2025-03-10") == []
    # a date that is not one is ignored, not an error
    assert len(found("date_from=2025-13-45")) == 4
    # times are shown in local time too
    first = next(row for row in rows(client.get("/audit/?date_from=2025-03-10&"
                                                 "date_to=2025-03-10")))
    assert "00:30" in first[0] and "19:30" not in first[0]


def test_pagination_keeps_the_filters(app, world):
    app.config["AUDIT_PAGE_SIZE"] = 3
    base = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
    for i in range(7):
        _add_entry(at=base.replace(minute=i), actor="pager", action="update",
                   summary=f"P{i}")
    for i in range(5):
        _add_entry(at=base.replace(minute=30 + i), actor="pager", action="create",
                   summary=f"C{i}")
        _add_entry(at=base.replace(minute=40 + i), actor="other", action="update",
                   summary=f"O{i}")
    _db.session.commit()
    client = _client(app, "admin")

    url = "/audit/?actor=pager&action=update"
    seen = []
    for expected_page in (1, 2, 3):
        response = client.get(url)
        page = response.get_data(as_text=True)
        seen += [s.split()[-1] for s in _summaries(response)]
        pager = html.unescape(re.search(r'<nav class="pager".*?</nav>', page, re.S)[0])
        assert _text(app, "Page %(page)s of %(pages)s", page=expected_page, pages=3) in pager
        following = re.search(r'<a href="([^"]+)">[^<]*→</a>', page)
        if expected_page == 3:
            assert following is None
            break
        url = html.unescape(following.group(1))
        assert "actor=pager" in url and "action=update" in url
        assert f"page={expected_page + 1}" in url
    assert seen == ["P6", "P5", "P4", "P3", "P2", "P1", "P0"]
    # and back
    previous = re.search(r'<a href="([^"]+)">← ', client.get(url).get_data(as_text=True))
    assert "actor=pager" in html.unescape(previous.group(1))


def test_audit_list_query_count_does_not_grow_with_rows(app, world):
    base = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)
    districts = [world.districts["D1"].id, world.districts["D2"].id, None]
    for actor, n in (("trio", 3), ("bulk", 40)):
        for i in range(n):
            _add_entry(at=base.replace(second=i), actor=actor, summary=f"{actor}-{i}",
                       district_id=districts[i % 3])
    _db.session.commit()
    client = _client(app, "admin")
    client.get("/audit/?actor=trio")  # warm-up
    few, few_queries = _count_queries(client, "/audit/?actor=trio")
    many, many_queries = _count_queries(client, "/audit/?actor=bulk")
    assert len(rows(few)) == 3
    assert len(rows(many)) == 40
    assert few_queries == many_queries


# --- append-only ---------------------------------------------------------------------


def test_no_route_changes_an_entry(app, world):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, (rule.rule, rule.methods)
    client = _client(app, "admin")
    entry = _all_entries()[-1]
    before = (entry.action, entry.summary, entry.changes)
    count = len(_all_entries())
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.open("/audit/", method=method,
                           data={"summary": "forged"}).status_code == 405, method
        for url in (f"/audit/{entry.id}", f"/audit/{entry.id}/edit",
                    f"/audit/{entry.id}/delete"):
            response = client.open(url, method=method, data={"summary": "forged"})
            assert response.status_code in (404, 405), (method, url)
    after = _all_entries(id=entry.id)[0]
    assert (after.action, after.summary, after.changes) == before
    assert len(_all_entries()) == count


def _an_entry(world) -> AuditEntry:
    _add_entry(at=datetime(2025, 1, 1, tzinfo=UTC), summary="ORIGINAL")
    _db.session.commit()
    return _db.session.scalar(select(AuditEntry).where(AuditEntry.summary == "ORIGINAL"))


def _unchanged(entry_id: int) -> None:
    _db.session.rollback()
    _db.session.expire_all()
    entry = _db.session.get(AuditEntry, entry_id)
    assert entry is not None and entry.summary == "ORIGINAL"


def test_orm_refuses_to_update_an_entry(world):
    entry = _an_entry(world)
    entry_id = entry.id
    entry.summary = "FORGED"
    with pytest.raises(AuditEntryImmutable):
        _db.session.commit()
    _unchanged(entry_id)


def test_orm_refuses_to_delete_an_entry(world):
    entry = _an_entry(world)
    entry_id = entry.id
    _db.session.delete(entry)
    with pytest.raises(AuditEntryImmutable):
        _db.session.commit()
    _unchanged(entry_id)


@pytest.mark.parametrize("statement", [
    text("UPDATE audit_entries SET summary = 'FORGED'"),
    text("UPDATE audit_entries SET actor_login = 'nobody' WHERE summary = 'ORIGINAL'"),
    text("DELETE FROM audit_entries WHERE summary = 'ORIGINAL'"),
    text("DELETE FROM audit_entries"),
    update(AuditEntry).where(AuditEntry.summary == "ORIGINAL").values(summary="FORGED"),
    delete(AuditEntry).where(AuditEntry.summary == "ORIGINAL"),
], ids=["sql-update-all", "sql-update-one", "sql-delete-one", "sql-delete-all",
        "bulk-update", "bulk-delete"])
def test_database_trigger_refuses_update_and_delete(world, statement):
    entry_id = _an_entry(world).id
    with pytest.raises(exc.DBAPIError, match="append-only"):
        _db.session.execute(statement)
        _db.session.commit()
    _unchanged(entry_id)


def test_database_trigger_holds_on_a_raw_connection(db, world):
    entry = _an_entry(world)
    with db.engine.connect() as conn:
        with pytest.raises(exc.DBAPIError, match="append-only"):
            conn.execute(text("UPDATE audit_entries SET summary = 'FORGED' WHERE id = :id"),
                         {"id": entry.id})
        conn.rollback()
    _unchanged(entry.id)


# --- openings of sensitive records ---------------------------------------------------


def _openings() -> list[AuditEntry]:
    return _all_entries(action="open")


def test_opening_a_sensitive_record_is_audited(app, world, monkeypatch):
    monkeypatch.setattr(Organisation, "audit_openings", True, raising=False)
    coordinator = world.users["district_coordinator"]
    org = world.orgs["school2"]
    with app.test_request_context(environ_base={"REMOTE_ADDR": REMOTE}):
        assert get_or_404(Organisation, org.id, coordinator) is org
        _db.session.commit()
    [entry] = _openings()
    assert (entry.actor_id, entry.actor_login, entry.object_type, entry.object_id,
            entry.remote_addr, entry.district_id, entry.organisation_id) == (
        coordinator.id, "district_coordinator", "organisations", org.id, REMOTE,
        org.district_id, org.id)
    assert entry.summary == f"#{org.id}"
    # a record the user may not open: 404, and no entry
    with app.test_request_context(), pytest.raises(NotFound):
        get_or_404(Organisation, world.orgs["school3"].id, coordinator)
    with app.test_request_context(), pytest.raises(NotFound):
        get_or_404(Organisation, 999_999, coordinator)
    _db.session.commit()
    assert len(_openings()) == 1


def test_opening_an_ordinary_record_is_not_audited(app, world):
    assert not getattr(Organisation, "audit_openings", False)
    with app.test_request_context():
        get_or_404(Organisation, world.orgs["school2"].id, world.users["admin"])
        get_or_404(User, world.users["partner"].id, world.users["admin"], "edit")
        _db.session.commit()
    assert _openings() == []
    client = _client(app, "admin")
    assert client.get(f"/admin/organisations/{world.orgs['school2'].id}").status_code == 200
    assert _openings() == []


def test_opening_through_a_page_is_recorded(app, world, monkeypatch):
    monkeypatch.setattr(Organisation, "audit_openings", True, raising=False)
    client = _client(app, "admin")
    org = world.orgs["school2"]
    assert client.get(f"/admin/organisations/{org.id}").status_code == 200
    assert [(e.actor_login, e.object_id) for e in _openings()] == [("admin", org.id)]

