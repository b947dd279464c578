"""The region's settings (deadlines and day counts), for the administrator and methodologist."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.settings import settings_form_class
from juvenile.access import allow
from juvenile.settings import services
from juvenile.settings.registry import SETTINGS, values
from juvenile.viewhelpers import save

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("/", methods=["GET", "POST"])
@allow("edit_settings")
def edit():
    specs = list(SETTINGS.values())
    current = values()
    form = settings_form_class(specs)(data=current if request.method == "GET" else None)
    if request.method == "GET":
        for spec in specs:
            getattr(form, f"seen_{spec.key}").data = current[spec.key]
    if form.validate_on_submit():
        seen = {s.key: int(v) for s in specs
                if (v := getattr(form, f"seen_{s.key}").data or "").isascii() and v.isdecimal()}
        changed, saved = save(form, lambda: services.update_settings(
            current_user, {s.key: getattr(form, s.key).data for s in specs}, seen))
        if saved:
            flash(_("Settings saved (%(n)d changed).", n=changed), "success")
            return redirect(url_for("settings.edit"))
    return render_template("settings/edit.html", form=form, specs=specs)
