"""Signing in and out, the user's own password, the interface language."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forms import ActionForm, show_service_error
from forms.accounts import ChangePasswordForm, LanguageForm, LoginForm
from juvenile.access import public, signed_in
from juvenile.accounts import services
from juvenile.errors import ServiceError
from juvenile.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL an attacker chose."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.login.data, form.password.data,
                                         request.remote_addr or "unknown")
        except services.LoginThrottled as throttled:
            db.session.commit()
            form.form_errors.append(throttled.message)
            return render_template("auth/login.html", form=form), 429
        if user is None:
            db.session.commit()  # keep the failure: it counts towards throttling
            form.form_errors.append(_("Wrong login or password."))
            return render_template("auth/login.html", form=form), 200
        lang = session.get("lang")
        session.clear()  # a fresh session at sign-in: no fixation
        if user.locale is None and lang:
            services.set_language(user, lang)
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    services.record_logout(current_user)
    db.session.commit()
    lang = current_user.locale
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data, request.remote_addr or "unknown")
        except ServiceError as error:
            if error.field == "current_password":
                db.session.commit()  # the failure counts towards throttling, like a sign-in
            else:
                db.session.rollback()
            show_service_error(form, error)
        else:
            db.session.commit()
            # the session token rotated: keep this session, the others are over
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form,
                           minimum=current_app.config["PASSWORD_MIN_LENGTH"])


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data)
            db.session.commit()
    return redirect(_safe_next(form.next.data))
