"""Signing in and out, throttling, idle sessions, own passwords."""

import time

from flask_babel import force_locale, gettext

from juvenile.accounts import services
from juvenile.accounts.models import LoginFailure, Role
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD, AuthActions


def _text(app, message: str, locale: str = "kk", **values) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **values)


def test_sign_in_lands_on_home(client, world, auth):
    response = auth.login("psychologist")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert world.users["psychologist"].full_name in client.get("/").get_data(as_text=True)


def test_login_is_case_insensitive(auth, world):
    assert auth.login("PsYcHoLoGiSt").status_code == 302


def test_unknown_login_and_wrong_password_read_the_same(app, world, auth):
    unknown = auth.login("nobody-here", "whatever-password")
    wrong = auth.login("psychologist", "wrong-password-1")
    message = _text(app, "Wrong login or password.")
    assert unknown.status_code == wrong.status_code == 200
    assert message in unknown.get_data(as_text=True)
    assert message in wrong.get_data(as_text=True)
    # the typed login is kept, the password is not echoed back
    assert 'value="psychologist"' in wrong.get_data(as_text=True)
    assert "wrong-password-1" not in wrong.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(app, make_user, world, auth):
    make_user(Role.PSYCHOLOGIST, world.orgs["school1"], "gone", enabled=False)
    response = auth.login("gone")
    assert response.status_code == 200
    assert _text(app, "Wrong login or password.") in response.get_data(as_text=True)


def test_password_is_hashed_with_argon2(world):
    assert world.users["admin"].password_hash.startswith("$argon2id$")


def test_failures_per_account_are_throttled(app, world, auth):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        auth.login("psychologist", "bad-password-x")
    response = auth.login("psychologist")  # the right password, too late
    assert response.status_code == 429
    assert "Location" not in response.headers
    throttled = _text(app, "Too many failed attempts. Wait %(minutes)d minutes and try again.",
                      minutes=app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    assert throttled in response.get_data(as_text=True)
    # another account from the same address is not locked by these failures
    assert auth.login("admin").status_code == 302


def test_failures_per_address_are_throttled(app_factory, world):
    app = app_factory(LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    auth = AuthActions(app.test_client())
    for login in ("a1", "a2", "a3"):
        auth.login(login, "bad-password-x")
    assert auth.login("admin").status_code == 429


def test_old_failures_do_not_count(app, world, auth):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        auth.login("psychologist", "bad-password-x")
    window = app.config["LOGIN_THROTTLE_WINDOW_MINUTES"]
    for failure in _db.session.scalars(_db.select(LoginFailure)):
        failure.at = failure.at.replace(year=failure.at.year - 1)
    _db.session.commit()
    assert window > 0 and auth.login("psychologist").status_code == 302


def test_success_clears_the_account_failures(app, world, auth):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        auth.login("psychologist", "bad-password-x")
    assert auth.login("psychologist").status_code == 302
    auth.logout()
    for _ in range(limit - 1):
        auth.login("psychologist", "bad-password-x")
    assert auth.login("psychologist").status_code == 302


def test_logout_ends_the_session(client, world, auth):
    auth.login("psychologist")
    assert client.get("/logout").status_code == 405  # only a form may sign out
    assert auth.logout().status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_idle_session_expires(app, client, world, auth):
    auth.login("psychologist")
    assert client.get("/").status_code == 200
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session["seen"] = int(time.time() - idle - 5)
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _text(app, "Your session ended after a period of inactivity. "
                      "Please sign in again.") in page
    assert client.get("/").status_code == 302


def test_activity_keeps_the_session(app, client, world, auth):
    auth.login("psychologist")
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session["seen"] = int(time.time() - idle + 60)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200


def test_session_cookie_is_http_only_and_not_remembered(client, world, auth):
    response = auth.login("psychologist")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "remember_token" not in cookie


def test_next_parameter_cannot_leave_the_site(client, world):
    response = client.post("/login?next=//evil.example/steal",
                           data={"login": "psychologist", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/logout")
    response = client.post("/login?next=/audit/", data={"login": "psychologist",
                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/audit/"


def test_change_password_keeps_this_session_and_ends_others(app, client, world, auth):
    other = AuthActions(app.test_client())
    other.login("psychologist")
    auth.login("psychologist")
    response = client.post("/password", data={
        "current_password": PASSWORD, "new_password": "a-brand-new-one-9",
        "confirm_password": "a-brand-new-one-9"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.client.get("/").headers["Location"].startswith("/login")
    auth.logout()
    assert auth.login("psychologist", PASSWORD).status_code == 200
    assert auth.login("psychologist", "a-brand-new-one-9").status_code == 302


def test_change_password_errors_are_shown_beside_fields(app, client, world, auth):
    auth.login("psychologist")
    page = client.post("/password", data={
        "current_password": "not-it", "new_password": "a-brand-new-one-9",
        "confirm_password": "a-brand-new-one-9"}).get_data(as_text=True)
    assert 'id="current_password-error"' in page
    assert _text(app, "The current password is wrong.") in page
    page = client.post("/password", data={
        "current_password": PASSWORD, "new_password": "short",
        "confirm_password": "short"}).get_data(as_text=True)
    assert 'id="new_password-error"' in page
    page = client.post("/password", data={
        "current_password": PASSWORD, "new_password": "a-brand-new-one-9",
        "confirm_password": "a-different-one-9"}).get_data(as_text=True)
    assert 'id="confirm_password-error"' in page
    # nothing changed: the old password still works
    auth.logout()
    assert auth.login("psychologist").status_code == 302


def test_account_set_by_administrator_must_choose_own_password(app, client, world, auth):
    with app.test_request_context():
        user, one_time = services.create_user(world.users["admin"], services.UserData(
            login="newcomer", full_name="Жаңа Қызметкер", role=Role.SOCIAL_PEDAGOGUE.value,
            organisation_id=world.orgs["school2"].id))
        _db.session.commit()
    assert user.must_change_password
    auth.login("newcomer", one_time)
    for path in ("/", "/admin/users", "/audit/"):
        assert client.get(path).headers["Location"] == "/password"
    client.post("/password", data={"current_password": one_time,
                                   "new_password": "my-own-secret-7",
                                   "confirm_password": "my-own-secret-7"})
    assert client.get("/").status_code == 200


def test_password_must_not_be_the_login(app, world):
    user = world.users["psychologist"]
    with app.test_request_context():
        try:
            services.change_password(user, PASSWORD, "Psychologist")
        except services.ServiceError as error:
            assert error.field == "new_password"
        else:
            raise AssertionError("a password equal to the login was accepted")
