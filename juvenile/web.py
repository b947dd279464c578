"""Request plumbing: sign-in, idle timeout, route rules, error pages, security headers."""

import secrets
import time

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import joinedload

from juvenile import access
from juvenile.accounts.models import User
from juvenile.extensions import db, login_manager

#: Endpoints a user who must replace their password may still reach.
_PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "auth.set_language",
                              "static"}

#: The navigation: endpoint, label and the route rule it needs.
NAVIGATION = [
    ("main.home", _l("Home"), "signed_in"),
    ("admin.organisations", _l("Organisations"), "manage_organisations"),
    ("admin.users", _l("Accounts"), "manage_accounts"),
    ("worklists.my_work", _l("My work"), "my_work"),
    ("worklists.school_cases", _l("School's cases"), "school_cases"),
    ("worklists.district_cases", _l("District's cases"), "district_cases"),
    ("worklists.registered_minors", _l("Registered minors"), "registered_minors"),
    ("cases.minors", _l("Find a minor"), "view_cases"),
    ("workflow.transfers", _l("Hand-overs"), "work_on_cases"),
    ("sessions.group_sessions", _l("Group sessions"), "record_work"),
    ("education.attendance", _l("Missed lessons"), "enter_attendance"),
    ("reports.index", _l("Monthly reports"), "view_reports"),
    ("effectiveness.quarter", _l("Effectiveness"), "view_effectiveness"),
    ("instruments.library", _l("Instruments"), "view_instruments"),
    ("audit.entries", _l("Audit trail"), "view_audit"),
    ("settings.edit", _l("Regional settings"), "edit_settings"),
]


#: Banners shown on every page to a signed-in user (the crisis alert…): callables
#: (user) -> (template name, context dict) or None. Each must cost at most one query.
BANNERS: list = []


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.organisation)])
    if user is None or not user.is_enabled:
        return None
    if not secrets.compare_digest(user.session_token, token):
        return None  # password changed, account reset or deactivated: session over
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.view_functions["static"].access_rule = access.PUBLIC

    app.before_request(_expire_idle_session)
    app.before_request(lambda: access.enforce_route_rule(app))
    app.before_request(_require_own_password)
    app.after_request(_security_headers)
    _register_error_pages(app)

    @app.context_processor
    def navigation_context():
        items = []
        if current_user.is_authenticated:
            items = [(endpoint, label) for endpoint, label, rule in NAVIGATION
                     if endpoint in app.view_functions and access.has_rule(current_user, rule)]
        banners = []
        if current_user.is_authenticated and not current_user.must_change_password:
            banners = [banner for show in BANNERS if (banner := show(current_user))]
        return {"navigation": items, "banners": banners}


def _expire_idle_session():
    """End a session idle longer than SESSION_IDLE_MINUTES (checked on the server)."""
    if request.endpoint == "static":
        return None
    session.permanent = True
    now = int(time.time())
    last_seen = session.get("seen")
    idle_limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if current_user.is_authenticated and last_seen and now - last_seen > idle_limit:
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_l("Your session ended after a period of inactivity. Please sign in again."),
              "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session["seen"] = now
    return None


def _require_own_password():
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _PASSWORD_CHANGE_ENDPOINTS):
        return redirect(url_for("auth.change_password"))
    return None


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_user.is_authenticated:
        # Pages hold personal data: never keep them in a shared browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _register_error_pages(app: Flask) -> None:
    def render_error(code: int):
        def handler(error):
            if code == 500:
                db.session.rollback()
            return render_template(f"errors/{code}.html", error=error), code
        return handler

    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", csrf=True, error=error), 400
