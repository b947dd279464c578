"""The instrument library: the methodologist edits keys and cut-offs, each edit a version."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from forms.instruments import InstrumentKeyForm, editable_part
from juvenile.access import allow, get_or_404, register_policy
from juvenile.accounts.models import Role, User
from juvenile.diagnostics import library
from juvenile.diagnostics.models import (
    CONSTRUCT_LABELS,
    LEVEL_LABELS,
    Instrument,
    InstrumentVersion,
)
from juvenile.extensions import db
from juvenile.viewhelpers import save

bp = Blueprint("instruments", __name__, url_prefix="/instruments")

READERS = frozenset({Role.METHODOLOGIST, Role.PSYCHOLOGIST})
SCREEN_LABELS = {"negative": _l("negative"), "positive": _l("positive"), "acute": _l("acute")}


def _instrument_policy(user, action: str, instrument: Instrument) -> bool:
    """The library is regional: psychologists read it, the methodologist also edits it."""
    if action == "view":
        return user.role_enum in READERS
    return action == "edit" and user.role_enum is Role.METHODOLOGIST


register_policy(Instrument, _instrument_policy)


@bp.context_processor
def labels() -> dict:
    return {"construct_labels": CONSTRUCT_LABELS, "level_labels": LEVEL_LABELS,
            "screen_labels": SCREEN_LABELS}


@bp.route("/", endpoint="library")
@allow("view_instruments")
def library_list():
    instruments = db.session.scalars(
        select(Instrument).order_by(Instrument.construct, Instrument.code)).all()
    return render_template("diagnostics/instruments/library.html", instruments=instruments,
                           current=library.current_versions())


@bp.route("/<int:instrument_id>")
@allow("view_instruments")
def instrument(instrument_id: int):
    found = get_or_404(Instrument, instrument_id, current_user)
    versions = db.session.execute(
        select(InstrumentVersion, User.full_name)
        .outerjoin(User, User.id == InstrumentVersion.created_by_id)
        .where(InstrumentVersion.instrument_id == found.id)
        .order_by(InstrumentVersion.number.desc())).all()
    wanted = request.args.get("version", type=int)
    shown = next((v for v, _name in versions if v.number == wanted), None) if wanted else (
        versions[0][0])
    if shown is None:
        abort(404)
    return render_template("diagnostics/instruments/instrument.html", instrument=found,
                           shown=shown, versions=versions, newest=versions[0][0],
                           may_edit=current_user.role_enum is Role.METHODOLOGIST)


@bp.route("/<int:instrument_id>/edit", methods=["GET", "POST"])
@allow("edit_instruments")
def edit(instrument_id: int):
    found = get_or_404(Instrument, instrument_id, current_user, "edit")
    current = library.current_version(found)
    form = InstrumentKeyForm()
    if request.method == "GET":
        form.version.data = current.number
        form.definition.data = editable_part(current.definition)
        form.key_verified.data = current.key_verified
    if form.validate_on_submit():
        version, saved = save(form, lambda: library.new_version(
            current_user, found, form.parsed, form.note.data, form.key_verified.data,
            expected_number=form.expected_version()))
        if saved:
            flash(_("Version %(number)d of the key is saved and scores new results.",
                    number=version.number), "success")
            return redirect(url_for("instruments.instrument", instrument_id=found.id))
    return render_template("diagnostics/instruments/edit.html", instrument=found,
                           current=current, form=form)
