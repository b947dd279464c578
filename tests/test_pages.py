"""Language choice, localised dates, error pages, CSRF, security headers."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import force_locale, gettext

from juvenile.access import public
from juvenile.accounts.models import User
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD


def _text(app, message: str, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(message)


def test_anonymous_language_choice_lasts_the_session(app, client):
    assert 'lang="kk"' in client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"language": "ru", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="ru"' in page
    assert _text(app, "Sign in", "ru") in page


def test_language_is_remembered_per_user(app, client, world, auth):
    auth.login("psychologist")
    client.post("/language", data={"language": "ru", "next": "/"})
    _db.session.expire_all()
    assert _db.session.get(User, world.users["psychologist"].id).locale == "ru"
    auth.logout()
    other_browser = app.test_client()
    other_browser.post("/login", data={"login": "psychologist", "password": PASSWORD})
    assert 'lang="ru"' in other_browser.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    client.post("/language", data={"language": "en", "next": "/login"})
    assert 'lang="kk"' in client.get("/login").get_data(as_text=True)


def test_dates_follow_the_language(app, client, world, auth):
    auth.login("psychologist")
    _db.session.expire_all()
    user = _db.session.get(User, world.users["psychologist"].id)
    user.last_login_at = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 11:00 in Almaty
    _db.session.commit()
    kk_page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"language": "ru", "next": "/"})
    ru_page = client.get("/").get_data(as_text=True)
    almaty = ZoneInfo("Asia/Almaty")
    stamp = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert format_datetime(stamp, "medium", tzinfo=almaty, locale="kk") in kk_page
    assert format_datetime(stamp, "medium", tzinfo=almaty, locale="ru") in ru_page
    assert "қар" in kk_page and "нояб" in ru_page and "11:00" in ru_page


def test_not_found_page_in_both_languages(app, client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert _text(app, "Page not found", "kk") in response.get_data(as_text=True)
    client.post("/language", data={"language": "ru", "next": "/"})
    assert _text(app, "Page not found", "ru") in client.get("/nope").get_data(as_text=True)


def test_forbidden_page_explains(app, client, world, auth):
    auth.login("psychologist")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert _text(app, "Access denied", "kk") in response.get_data(as_text=True)


def test_missing_csrf_token_gives_a_clear_400(app_factory, world):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"login": "psychologist", "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert _text(app, "The form has expired or was not sent from this site. Nothing was saved. "
                      "Go back, reload the page and submit it again.", "kk") in page
    assert client.get("/").status_code == 302  # not signed in


def test_server_error_page(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert _text(app, "Server error", "kk") in response.get_data(as_text=True)


def test_pages_refuse_outside_resources_and_caching(client, world, auth):
    auth.login("psychologist")
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page


def test_client_address_behind_a_trusted_proxy_reaches_the_audit_trail(app_factory, world):
    from juvenile.audit.models import AuditEntry

    app = app_factory(TRUSTED_PROXY_COUNT=1)
    app.test_client().post("/login", data={"login": "psychologist", "password": PASSWORD},
                           headers={"X-Forwarded-For": "10.1.2.3"})
    with app.app_context():
        entry = _db.session.scalars(_db.select(AuditEntry).where(
            AuditEntry.action == "login")).one()
        assert entry.remote_addr == "10.1.2.3"


def test_an_id_beyond_the_databases_integer_is_a_404_not_an_error(client, login_as):
    from juvenile.accounts.models import Role

    login_as(Role.PSYCHOLOGIST)
    for url in ("/minors/9223372036854775808", "/minors/2147483648",
                "/enrolments/99999999999999999999/sessions"):
        assert client.get(url).status_code == 404, url
    assert client.get("/minors/2147483647").status_code == 404  # in range, not there
