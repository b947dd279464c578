"""Leisure and socialisation: recording, correcting and (on the day) deleting an
involvement, and the case page's section with the derived "involved this month".

Who: the psychologists and social pedagogues of the minor's school record and correct
(route rule record_work, object policy in juvenile.leisure.services); the section on the
case page is for the view_programme roles who may open the case (the school's staff, the
district coordinator read-only). The police and the commission see none of it.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from forms import VersionedForm, choices
from forms.leisure import InvolvementForm
from juvenile.access import allow, can, get_or_404, has_rule
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment, Minor
from juvenile.cases.views import CASE_PANELS, load_minor
from juvenile.errors import ServiceError, stale_record_message
from juvenile.extensions import db
from juvenile.leisure import queries, services
from juvenile.leisure.models import LeisureInvolvement, LeisureKind
from juvenile.viewhelpers import save

bp = Blueprint("leisure", __name__)

FORM_TEMPLATE = "leisure/involvement_form.html"


def _case_file(minor_id: int):
    return redirect(url_for("cases.case_file", minor_id=minor_id))


def _form(initial: dict) -> InvolvementForm:
    form = InvolvementForm(data=initial) if request.method == "GET" else InvolvementForm()
    form.kind.choices = choices([(kind.value, kind.label) for kind in LeisureKind], "—")
    return form


def _data(form: InvolvementForm) -> services.InvolvementData:
    return services.InvolvementData(
        kind=form.kind.data, name=form.name.data, organiser=form.organiser.data,
        mentor_name=form.mentor_name.data, mentor_contact=form.mentor_contact.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, note=form.note.data)


def _closed(minor: Minor):
    flash(_("The case is closed: its records can no longer change."), "error")
    return _case_file(minor.id)


def _render(form: InvolvementForm, minor: Minor, enrolment: Enrolment, involvement=None,
            may_delete: bool = False):
    return render_template(FORM_TEMPLATE, form=form, minor=minor, enrolment=enrolment,
                           involvement=involvement, may_delete=may_delete)


@bp.route("/enrolments/<int:enrolment_id>/leisure/new", methods=["GET", "POST"])
@allow("record_work")
def new_involvement(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id, current_user, "edit")
    minor = load_minor(enrolment.minor_id, "edit")
    if not enrolment.is_open:
        return _closed(minor)
    form = _form({"starts_on": today()})
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.record_involvement(
            current_user, enrolment, _data(form), today()))
        if saved:
            flash(_("The involvement is recorded."), "success")
            return _case_file(minor.id)
    return _render(form, minor, enrolment)


def _now_reads(involvement: LeisureInvolvement) -> str:
    """What the record looks like now, told to the user whose save came too late."""
    db.session.refresh(involvement)
    end = (format_date(involvement.ends_on, "medium") if involvement.ends_on
           else _("no end"))
    return _("Now: %(kind)s «%(name)s», from %(start)s to %(end)s.",
             kind=LeisureKind(involvement.kind).label, name=involvement.name,
             start=format_date(involvement.starts_on, "medium"), end=end)


def _load(involvement_id: int, action: str) -> tuple[LeisureInvolvement, Minor]:
    """The involvement the user may ``action`` (404 otherwise) and its minor, whose opening
    is audited as for every form of the case."""
    involvement = get_or_404(LeisureInvolvement, involvement_id, current_user, action)
    return involvement, load_minor(involvement.minor_id, "edit")


@bp.route("/leisure/<int:involvement_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_involvement(involvement_id: int):
    involvement, minor = _load(involvement_id, "edit")
    enrolment = involvement.enrolment
    if not enrolment.is_open:
        return _closed(minor)
    initial = {name: getattr(involvement, name) for name in services.FIELDS}
    form = _form(initial | {"version": involvement.version})
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_involvement(
            current_user, involvement, _data(form), form.expected_version(), today()),
            lambda: _now_reads(involvement))
        if saved:
            flash(_("The involvement is saved."), "success")
            return _case_file(minor.id)
    return _render(form, minor, enrolment, involvement,
                   services.may_delete(current_user, involvement, today()))


@bp.route("/leisure/<int:involvement_id>/delete", methods=["POST"])
@allow("record_work")
def delete_involvement(involvement_id: int):
    involvement, minor = _load(involvement_id, "delete")
    form = VersionedForm()  # the CSRF token and the version the edit screen was opened at
    try:
        if not form.validate_on_submit():
            raise ServiceError(_("The form has expired: open it again."))
        services.delete_involvement(current_user, involvement, form.expected_version(),
                                    today())
        db.session.commit()
    except ServiceError as refusal:
        message = refusal.message
    except StaleDataError:  # deleted or changed by someone else at the same instant
        message = stale_record_message()
    else:
        flash(_("The involvement is deleted."), "success")
        return _case_file(minor.id)
    db.session.rollback()
    flash(message, "error")
    return redirect(url_for("leisure.edit_involvement", involvement_id=involvement_id))


# --- the case page's section ----------------------------------------------------------


def leisure_panel(minor: Minor, case, user):
    """Involved this month (derived), what goes on now, the last twelve months and the
    history: for the programme's roles who may open the case. Two queries."""
    if not (has_rule(user, "view_programme") and can(user, "view", minor)):
        return None
    day = today()
    rows = queries.involvements_of(minor.id, day)
    enrolment = case.current.enrolment if case.current else None
    if enrolment is None and not rows:
        return None
    latest = enrolment or case.history[0].enrolment
    strip = queries.involvement_by_month(latest, queries.last_months(day))
    may_record = enrolment is not None and services.may_record_leisure(user, minor)
    return "leisure/case_panel.html", {
        "today": day, "minor_id": minor.id, "enrolment_id": enrolment.id if enrolment else None,
        "involved_now": strip[-1][1], "strip": strip,
        "kinds_now": sorted({row.kind_label for row in rows if row.this_month}),
        "current": [row for row in rows if row.current],
        "history": [row for row in rows if not row.current],
        "may_record": may_record,
        "may_delete": {row.id for row in rows if services.may_delete(user, row, day)},
    }


CASE_PANELS.append(leisure_panel)
