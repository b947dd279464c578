"""The administrator's account screens: create, first sign-in, edit, deactivate, reset,
delete, the list and its filters, access."""

import re

import pytest
from sqlalchemy import func, select

from juvenile.accounts import services
from juvenile.accounts.models import Role, User
from juvenile.accounts.passwords import hash_password, new_session_token, verify_password
from juvenile.audit.models import AuditEntry
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD, AuthActions, count_queries
from tests.test_admin_organisations import (
    _reload,
    _text,
    field_error,
    flashes,
    input_value,
    rows,
    selected,
)

#: No e-mail: a typed e-mail crashes the form (see test_account_with_an_email_can_be_created).
NEW_ACCOUNT = {"full_name": "Айгүл Серікқызы Мұратова", "login": "a.muratova",
               "role": "social_pedagogue", "email": ""}


def _entries(action: str | None = None):
    _db.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.object_type == "users")
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(_db.session.scalars(stmt.order_by(AuditEntry.id)))


def _user_count() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count(User.id)))


def _by_login(login: str) -> User | None:
    _db.session.expire_all()
    return _db.session.scalar(select(User).where(User.login == login))


def one_time_password(response) -> str:
    match = re.search(r'<code id="one-time-password">([^<]+)</code>',
                      response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


def _form(user: User, **changes) -> dict:
    data = {"full_name": user.full_name, "login": user.login, "role": user.role,
            "organisation_id": str(user.organisation_id), "email": user.email or "",
            "version": str(user.version)}
    data.update(changes)
    return data


def _signed_in(client) -> bool:
    """Whether the client's session still opens the home page."""
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login"), response.headers
        return False
    assert response.status_code == 200
    return True


# --- create --------------------------------------------------------------------------


def test_create_shows_the_one_time_password_once(app, client, world, login_as):
    admin = login_as(Role.ADMIN)
    school2 = world.orgs["school2"]
    response = client.post("/admin/users/new",
                           data={**NEW_ACCOUNT, "organisation_id": str(school2.id)})
    assert response.status_code == 200
    password = one_time_password(response)
    assert len(password) >= 12
    assert _text(app, "Account created") in response.get_data(as_text=True)

    user = _by_login("a.muratova")
    assert (user.full_name, user.role, user.organisation_id, user.email) == (
        NEW_ACCOUNT["full_name"], "social_pedagogue", school2.id, None)
    assert user.must_change_password is True and user.is_enabled is True
    assert password not in user.password_hash
    assert verify_password(user.password_hash, password)
    # shown only on that page: not on the account, not in the list, not in the trail
    for url in (f"/admin/users/{user.id}", "/admin/users", "/audit/"):
        page = client.get(url)
        assert page.status_code == 200
        assert password not in page.get_data(as_text=True), url
    [entry] = _entries("create")
    assert entry.actor_id == admin.id and entry.object_id == user.id
    assert entry.changes == {"login": "a.muratova", "full_name": NEW_ACCOUNT["full_name"],
                             "role": "social_pedagogue", "organisation_id": school2.id,
                             "email": None, "is_enabled": True}
    assert password not in str(entry.changes)


def test_new_account_must_change_the_password_at_first_sign_in(app, client, world, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "organisation_id": str(world.orgs["school2"].id)})
    password = one_time_password(response)
    listing = {row[1]: row for row in rows(client.get("/admin/users?q=muratova"))}
    assert listing["a.muratova"][4] == _text(app, "Awaiting first sign-in")

    newcomer = AuthActions(app.test_client())
    assert newcomer.login("a.muratova", password).status_code == 302
    for path in ("/", "/audit/", "/admin/users", "/admin/organisations", "/nowhere/../"):
        response = newcomer.client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/password", path
    assert newcomer.client.get("/password").status_code == 200
    response = newcomer.client.post("/password", data={
        "current_password": password, "new_password": "my-own-secret-7",
        "confirm_password": "my-own-secret-7"})
    assert response.status_code == 302
    assert newcomer.client.get("/").status_code == 200
    assert _by_login("a.muratova").must_change_password is False

    listing = {row[1]: row for row in rows(client.get("/admin/users?q=muratova"))}
    assert listing["a.muratova"][4] == _text(app, "Active")
    # the one-time password is spent
    newcomer.logout()
    assert newcomer.login("a.muratova", password).status_code == 200
    assert newcomer.login("a.muratova", "my-own-secret-7").status_code == 302


def test_login_is_stored_lower_case(app, client, world, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "login": "A.Muratova", "organisation_id": str(world.orgs["school2"].id)})
    password = one_time_password(response)
    assert _by_login("a.muratova") is not None
    assert AuthActions(app.test_client()).login("A.MURATOVA", password).status_code == 302


@pytest.mark.parametrize("login", ["psychologist", "PSYCHOLOGIST", "Psychologist"])
def test_duplicate_login_is_refused_whatever_its_case(app, client, world, login_as, login):
    login_as(Role.ADMIN)
    before = _user_count()
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "login": login, "organisation_id": str(world.orgs["school2"].id)})
    assert response.status_code == 200
    assert field_error(response, "login") == _text(app, "This login is taken.")
    assert input_value(response, "full_name") == NEW_ACCOUNT["full_name"]
    assert selected(response, "role") == "social_pedagogue"
    assert _user_count() == before
    assert _entries("create") == []


@pytest.mark.parametrize(("role", "org", "message"), [
    ("police_inspector", "school1", "This role cannot belong to an organisation of this kind."),
    ("psychologist", "police1", "This role cannot belong to an organisation of this kind."),
    ("district_coordinator", "region_edu", "This role needs an organisation of a district."),
    ("police_inspector", "region_kdn", "This role cannot belong to an organisation of this kind."),
    ("admin", "school1", "This role cannot belong to an organisation of this kind."),
])
def test_role_and_organisation_must_fit(app, client, world, login_as, role, org, message):
    login_as(Role.ADMIN)
    before = _user_count()
    org_id = world.orgs[org].id
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "role": role, "organisation_id": str(org_id)})
    assert response.status_code == 200
    assert field_error(response, "organisation_id") == _text(app, message)
    assert field_error(response, "role") is None
    # what was typed stays on the form
    assert input_value(response, "login") == NEW_ACCOUNT["login"]
    assert selected(response, "role") == role
    assert selected(response, "organisation_id") == str(org_id)
    assert _user_count() == before


def test_district_bound_roles_are_accepted_in_a_district_organisation(client, world, login_as):
    login_as(Role.ADMIN)
    for login, role, org in [("d2.inspector", "police_inspector", "police2"),
                             ("d2.coordinator", "district_coordinator", "edu2"),
                             ("college.partner", "partner", "college1")]:
        response = client.post("/admin/users/new", data={
            **NEW_ACCOUNT, "login": login, "role": role,
            "organisation_id": str(world.orgs[org].id)})
        assert response.status_code == 200 and one_time_password(response), login
        assert _by_login(login).organisation_id == world.orgs[org].id


def test_bad_login_is_refused_beside_its_field(app, client, world, login_as):
    login_as(Role.ADMIN)
    before = _user_count()
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "login": "айгүл м", "organisation_id": str(world.orgs["school2"].id)})
    assert field_error(response, "login") == _text(
        app, "Use Latin letters, digits, dots, hyphens or underscores.")
    assert input_value(response, "full_name") == NEW_ACCOUNT["full_name"]
    assert _user_count() == before


ON, OFF = {"active": "1"}, {"active": "0"}


def test_account_with_an_email_can_be_created(app, client, world, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # what a user sees: the error page
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "email": "a.muratova@mail.kz",
        "organisation_id": str(world.orgs["school2"].id)})
    assert response.status_code == 200
    one_time_password(response)
    assert _by_login("a.muratova").email == "a.muratova@mail.kz"


def test_bad_email_is_refused_beside_its_field(app, client, world, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as(Role.ADMIN)
    before = _user_count()
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "email": "not-an-address",
        "organisation_id": str(world.orgs["school2"].id)})
    assert response.status_code == 200
    assert field_error(response, "email") == _text(app, "Enter a valid e-mail.")
    assert _user_count() == before


# --- edit ----------------------------------------------------------------------------


def test_edit_is_saved_and_audited(app, client, world, login_as):
    admin = login_as(Role.ADMIN)
    user = world.users["partner"]
    response = client.post(f"/admin/users/{user.id}", data=_form(
        user, full_name="Дәрігер Әсел", organisation_id=str(world.orgs["college1"].id)))
    assert response.status_code == 302
    assert _text(app, "Changes saved.") in flashes(client.get(response.headers["Location"]))
    user = _reload(user)
    assert (user.full_name, user.organisation_id) == ("Дәрігер Әсел",
                                                      world.orgs["college1"].id)
    [entry] = _entries("update")
    assert entry.actor_id == admin.id and entry.object_id == user.id
    assert entry.changes == {
        "full_name": ["partner partner", "Дәрігер Әсел"],
        "organisation_id": [world.orgs["health1"].id, world.orgs["college1"].id]}


def test_role_change_ends_the_accounts_sessions(app, client, world, login_as):
    other = app.test_client()
    AuthActions(other).login("social_pedagogue")
    assert _signed_in(other)
    login_as(Role.ADMIN)
    user = world.users["social_pedagogue"]
    assert client.post(f"/admin/users/{user.id}",
                       data=_form(user, role="school_admin")).status_code == 302
    assert not _signed_in(other)


def test_admin_cannot_change_own_role(app, client, world, login_as):
    admin = _reload(login_as(Role.ADMIN))  # signing in bumped the version
    response = client.post(f"/admin/users/{admin.id}", data=_form(admin, role="methodologist"))
    assert field_error(response, "role") == _text(app, "You cannot change your own role.")
    assert _reload(admin).role == "admin"


def test_edit_with_a_stale_version_is_refused(app, world, make_user):
    make_user(Role.ADMIN, world.orgs["region_edu"], "admin.two")
    first, second = app.test_client(), app.test_client()
    AuthActions(first).login("admin")
    AuthActions(second).login("admin.two")
    user = world.users["commission_member"]
    url = f"/admin/users/{user.id}"
    first_version = input_value(first.get(url), "version")
    second_version = input_value(second.get(url), "version")
    assert first_version == second_version == str(user.version)
    assert first.post(url, data=_form(user, full_name="Бірінші өзгеріс",
                                      version=first_version)).status_code == 302
    refused = second.post(url, data=_form(user, full_name="Екінші өзгеріс",
                                          version=second_version))
    assert refused.status_code == 200
    assert _text(app, "Someone else changed this record after you opened it. "
                      "Your changes were not saved: reload the page and apply them again."
                 ) in flashes(refused)
    user = _reload(user)
    assert user.full_name == "Бірінші өзгеріс"
    assert [entry.actor_login for entry in _entries("update")] == ["admin"]


def test_owner_signing_in_does_not_make_the_admins_form_stale(app, client, world, login_as):
    login_as(Role.ADMIN)
    user = world.users["psychologist"]
    url = f"/admin/users/{user.id}"
    version = input_value(client.get(url), "version")
    AuthActions(app.test_client()).login("psychologist")  # nobody edits anything
    response = client.post(url, data=_form(user, full_name="Жаңа аты", version=version))
    assert response.status_code == 302
    assert _reload(user).full_name == "Жаңа аты"


# --- deactivate ----------------------------------------------------------------------


def test_deactivation_ends_the_open_session_and_blocks_sign_in(app, client, world, login_as):
    other = AuthActions(app.test_client())
    assert other.login("psychologist").status_code == 302
    assert _signed_in(other.client)

    admin = login_as(Role.ADMIN)
    user = world.users["psychologist"]
    response = client.post(f"/admin/users/{user.id}/active", data=OFF)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert _text(app, "Account deactivated.") in flashes(client.get(response.headers["Location"]))
    assert _reload(user).is_enabled is False

    response = other.client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not _signed_in(other.client)
    refused = other.login("psychologist")
    assert refused.status_code == 200
    assert _text(app, "Wrong login or password.") in refused.get_data(as_text=True)

    [entry] = _entries("deactivate")
    assert (entry.actor_id, entry.object_id, entry.changes) == (
        admin.id, user.id, {"is_enabled": [True, False]})
    listing = {row[1]: row for row in rows(client.get("/admin/users?status=inactive"))}
    assert listing["psychologist"][4] == _text(app, "Deactivated")

    # pressing "deactivate" again (a second admin's stale page) changes nothing
    client.post(f"/admin/users/{user.id}/active", data=OFF)
    assert _reload(user).is_enabled is False
    # reactivated, the account signs in again
    client.post(f"/admin/users/{user.id}/active", data=ON)
    assert _reload(user).is_enabled is True
    assert other.login("psychologist").status_code == 302


def test_account_of_a_deactivated_organisation_cannot_be_reactivated(
        app, client, world, login_as, make_user):
    login_as(Role.ADMIN)
    org = world.orgs["school2"]
    user = make_user(Role.PSYCHOLOGIST, org, "school2.psy")
    client.post(f"/admin/users/{user.id}/active", data=OFF)
    client.post(f"/admin/organisations/{org.id}/active", data=OFF)
    assert _reload(org).is_active is False
    client.post(f"/admin/users/{user.id}/active", data=ON)
    assert _reload(user).is_enabled is False


def test_admin_cannot_deactivate_or_delete_themself(app, client, world, login_as):
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/active", data=OFF)
    assert response.headers["Location"] == f"/admin/users/{admin.id}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200  # still signed in
    assert _text(app, "You cannot deactivate your own account.") in flashes(page)
    assert _reload(admin).is_enabled is True

    response = client.post(f"/admin/users/{admin.id}/delete")
    assert response.headers["Location"] == f"/admin/users/{admin.id}"
    page = client.get(response.headers["Location"])
    assert _text(app, "You cannot delete your own account.") in flashes(page)
    assert _by_login("admin") is not None
    assert _entries("deactivate") == _entries("delete") == []


def test_service_refuses_deleting_oneself_even_without_records(app, world):
    admin = world.users["admin"]
    with app.test_request_context(), pytest.raises(services.ServiceError):
        services.delete_user(admin, admin)


# --- reset password ------------------------------------------------------------------


def test_reset_password_issues_a_new_one_time_password_and_ends_sessions(
        app, client, world, login_as):
    other = AuthActions(app.test_client())
    other.login("police_inspector")
    assert _signed_in(other.client)
    admin = login_as(Role.ADMIN)
    user = world.users["police_inspector"]

    response = client.post(f"/admin/users/{user.id}/password")
    assert response.status_code == 200
    assert _text(app, "New one-time password") in response.get_data(as_text=True)
    password = one_time_password(response)
    assert password != PASSWORD
    assert _reload(user).must_change_password is True

    assert not _signed_in(other.client)
    assert other.login("police_inspector", PASSWORD).status_code == 200
    assert other.login("police_inspector", password).status_code == 302
    assert other.client.get("/").headers["Location"] == "/password"

    [entry] = _entries("reset_password")
    assert (entry.actor_id, entry.object_id) == (admin.id, user.id)
    assert password not in str(entry.changes) and password not in entry.summary
    # a second reset gives another password
    assert one_time_password(client.post(f"/admin/users/{user.id}/password")) != password


# --- delete --------------------------------------------------------------------------


def test_account_that_never_signed_in_can_be_deleted(app, client, world, login_as):
    admin = login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        **NEW_ACCOUNT, "organisation_id": str(world.orgs["school2"].id)})
    one_time_password(response)
    user_id = _by_login("a.muratova").id
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert f'action="/admin/users/{user_id}/delete"' in page

    response = client.post(f"/admin/users/{user_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert _text(app, "Account deleted.") in flashes(client.get("/admin/users"))
    assert _by_login("a.muratova") is None
    [entry] = _entries("delete")
    assert (entry.actor_id, entry.object_id, entry.summary) == (admin.id, user_id, "a.muratova")
    assert entry.changes["login"] == "a.muratova"
    assert client.get(f"/admin/users/{user_id}").status_code == 404


def test_account_that_signed_in_cannot_be_deleted(app, client, world, login_as):
    AuthActions(app.test_client()).login("partner")  # the account now has a record
    login_as(Role.ADMIN)
    user = world.users["partner"]
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert f'action="/admin/users/{user.id}/delete"' not in page
    message = _text(app, "This account has authored records: it can be deactivated, "
                         "never deleted.")

    response = client.post(f"/admin/users/{user.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert message in flashes(client.get(response.headers["Location"]))
    assert _by_login("partner") is not None
    assert _entries("delete") == []


# --- list ----------------------------------------------------------------------------


@pytest.fixture
def staff(world, make_user):
    """Extra accounts: one in D2, a deactivated one in D1."""
    return {
        "d2": make_user(Role.POLICE_INSPECTOR, world.orgs["police2"], "d2.inspector",
                        full_name="Ерлан Жақсылықов"),
        "gone": make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "gone.psy",
                          full_name="Ainur Gone", enabled=False),
    }


def _logins(client, query: str = "") -> list[str]:
    response = client.get(f"/admin/users{query}")
    assert response.status_code == 200
    return sorted(row[1] for row in rows(response))


def test_users_list_shows_name_login_role_organisation_status(app, client, world, login_as,
                                                              staff):
    login_as(Role.ADMIN)
    table = {row[1]: row for row in rows(client.get("/admin/users"))}
    assert set(table) == {*world.users, "d2.inspector", "gone.psy"}
    assert table["d2.inspector"] == [
        "Ерлан Жақсылықов", "d2.inspector", _text(app, "Juvenile police inspector"),
        "police2 (kk)", _text(app, "Active")]
    assert table["gone.psy"][4] == _text(app, "Deactivated")


def test_users_list_filters(client, world, login_as, staff):
    login_as(Role.ADMIN)
    d1, d2 = world.districts["D1"].id, world.districts["D2"].id
    assert _logins(client, "?role=police_inspector") == ["d2.inspector", "police_inspector"]
    assert _logins(client, f"?district_id={d2}") == ["d2.inspector"]
    assert _logins(client, f"?district_id={d1}&role=psychologist") == [
        "gone.psy", "psychologist"]
    assert _logins(client, "?status=inactive") == ["gone.psy"]
    assert "gone.psy" not in _logins(client, "?status=active")
    assert len(_logins(client, "?status=active")) == len(world.users) + 1
    assert _logins(client, "?q=INSPECTOR") == ["d2.inspector", "police_inspector"]
    assert _logins(client, "?q=ainur") == ["gone.psy"]
    assert _logins(client, f"?q=gone&status=active&district_id={d1}") == []
    # regional accounts have no district: not under either district
    assert "admin" not in _logins(client, f"?district_id={d1}")
    # an unknown role is no filter at all
    assert len(_logins(client, "?role=emperor")) == len(world.users) + 2


def test_users_search_finds_a_cyrillic_name(client, world, login_as, staff):
    login_as(Role.ADMIN)
    assert _logins(client, "?q=Ерлан") == ["d2.inspector"]
    assert _logins(client, "?q=ерлан") == ["d2.inspector"]


def test_users_list_query_count_does_not_grow_with_rows(client, world, login_as):
    password_hash = hash_password("unused-password-1")
    orgs = [world.orgs[code] for code in ("school1", "school3", "police2", "region_kdn")]
    for prefix, n in (("Trio", 3), ("Bulk", 40)):
        for i in range(n):
            _db.session.add(User(
                login=f"{prefix.lower()}.{i}", full_name=f"{prefix} {i:02d}",
                role=Role.COMMISSION_MEMBER.value, organisation=orgs[i % len(orgs)],
                password_hash=password_hash, session_token=new_session_token(),
                must_change_password=i % 2 == 0, is_enabled=i % 5 != 0))
    _db.session.commit()
    login_as(Role.ADMIN)
    client.get("/admin/users?q=trio")  # warm-up

    def count(url):
        return count_queries(client, url)

    few, few_queries = count("/admin/users?q=trio")
    many, many_queries = count("/admin/users?q=bulk")
    assert len(rows(few)) == 3
    assert len(rows(many)) == 40
    assert few_queries == many_queries


# --- access --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN],
                         ids=lambda r: r.value)
def test_other_roles_get_403_on_every_account_url(app, client, world, role, make_user):
    target = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "target.psy")
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/users"):
            values = {"user_id": target.id} if "user_id" in rule.arguments else {}
            url = rule.build(values, append_unknown=False)[1]
            urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(urls) >= 8  # list, new x2, edit x2, active, password, delete
    AuthActions(client).login(role.value)
    for method, url in urls:
        data = _form(target, full_name="hacked", role="admin") if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (role, method, url, response.status_code)
    target = _reload(target)
    assert (target.full_name, target.role, target.is_enabled) == (
        "psychologist target.psy", "psychologist", True)
    assert verify_password(target.password_hash, PASSWORD)
    assert _entries() == []
