"""Screens of the family work: the home visit and its living-conditions act (form, page,
PDF in the layout of the official act), the legal measures with their outcome, and the
case page's section.

Who: the school's staff of the minor read (route rule ``view_sessions``), its
psychologists and social pedagogues record (``record_work``); the police, the district
coordinator and the commission see none of it. Acts are loaded through ``get_or_404``,
so opening one (page or PDF) is audited.
"""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.familywork import ActForm, MeasureForm, OutcomeForm
from juvenile import pdf
from juvenile.access import allow, get_or_404
from juvenile.audit.services import record_opening
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment
from juvenile.cases.views import CASE_PANELS
from juvenile.extensions import db
from juvenile.familywork import queries, services
from juvenile.familywork.models import (
    Condition,
    HousingType,
    LegalMeasure,
    LivingConditionsAct,
    MeasureKind,
    RiskFactor,
    Supervision,
)
from juvenile.viewhelpers import save

bp = Blueprint("familywork", __name__)

PDF_TEMPLATE = "familywork/act_pdf.html"


def _enum_choices(enum):
    return [(item.value, item.label) for item in enum]


def _load_enrolment(enrolment_id: int) -> Enrolment:
    """The enrolment, 404 outside the school staff of the minor's current school (after a
    hand-over the case's records, past periods included, are the receiving school's);
    opening it is audited as an opening of the case."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not services.may_view(current_user, enrolment.minor):
        abort(404)
    record_opening(current_user, enrolment)
    return enrolment


def _overview(enrolment_id: int):
    return redirect(url_for("familywork.overview", enrolment_id=enrolment_id))


# --- the overview ------------------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/family-work")
@allow("view_sessions")
def overview(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    minor = enrolment.minor
    return render_template(
        "familywork/overview.html", enrolment=enrolment, minor=minor,
        acts=queries.acts_of(enrolment.id), measures=queries.measures_of(enrolment.id),
        may_record=services.may_record(current_user, minor),
        may_add=services.may_record(current_user, minor) and enrolment.is_open)


# --- the act: form -----------------------------------------------------------------------


def _act_form(initial: dict | None) -> ActForm:
    form = ActForm(data=initial) if request.method == "GET" else ActForm()
    form.housing_type.choices = choices(_enum_choices(HousingType), "—")
    for name in ("housing_condition", "material_conditions"):
        getattr(form, name).choices = choices(_enum_choices(Condition))
    form.supervision.choices = choices(_enum_choices(Supervision))
    form.risk_factors.choices = choices(_enum_choices(RiskFactor))
    return form


def _new_act_initial(enrolment: Enrolment) -> dict:
    """A new act starts with the visit today, the minor's address, and the user as the
    first participant."""
    return {"visited_on": today(), "address": enrolment.minor.address,
            "participants": [{"name": current_user.full_name,
                              "position": current_user.role_label,
                              "organisation": current_user.organisation.name}]}


def _act_initial(act: LivingConditionsAct) -> dict:
    values = {name: getattr(act, name) for name in services.ACT_FIELDS + services.ACT_LISTS}
    return values | {"version": act.version}


def _act_data(form: ActForm) -> services.ActData:
    values = {name: form[name].data for name in services.ACT_FIELDS}
    return services.ActData(**values, participants=form.rows("participants"),
                            household=form.rows("household"),
                            risk_factors=list(form.risk_factors.data or []))


def _act_as_saved(act: LivingConditionsAct) -> str:
    db.session.refresh(act)
    return _("The act as saved now: visit on %(date)s; conclusions: %(text)s",
             date=format_date(act.visited_on, "medium"), text=queries.excerpt(act.conclusions))


def _act_view(enrolment: Enrolment, act: LivingConditionsAct | None):
    form = _act_form(_act_initial(act) if act else _new_act_initial(enrolment))
    if request.method == "GET" and act is not None:
        _offer_empty_rows(form)
    adding = form.adding_row() if form.is_submitted() else None
    if adding:
        form.add_row(adding)
    elif form.validate_on_submit():
        if act is None:
            action = lambda: services.record_act(  # noqa: E731
                current_user, enrolment, _act_data(form), today())
        else:
            action = lambda: services.update_act(  # noqa: E731
                current_user, act, _act_data(form), form.expected_version(), today())
        saved_act, saved = save(form, action, (lambda: _act_as_saved(act)) if act else None)
        if saved:
            flash(_("The living-conditions act is saved."), "success")
            return redirect(url_for("familywork.act", act_id=saved_act.id))
    return render_template("familywork/act_form.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor, act=act)


def _offer_empty_rows(form: ActForm) -> None:
    """A stored act's form offers one empty row after the filled ones."""
    for name in ("participants", "household"):
        if all(any(entry.form.data.values()) for entry in form[name]):
            form.add_row(name)
            form[name].entries[-1].form.name.render_kw = None


@bp.route("/enrolments/<int:enrolment_id>/home-visits/new", methods=["GET", "POST"])
@allow("record_work")
def new_act(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    if not enrolment.is_open:
        flash(_("The case is closed."), "info")
        return _overview(enrolment.id)
    return _act_view(enrolment, None)


@bp.route("/home-visits/<int:act_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_act(act_id: int):
    act = get_or_404(LivingConditionsAct, act_id, current_user, "edit")
    return _act_view(act.enrolment, act)


# --- the act: page and PDF ---------------------------------------------------------------


@bp.route("/home-visits/<int:act_id>")
@allow("view_sessions")
def act(act_id: int):
    record = get_or_404(LivingConditionsAct, act_id, current_user)
    return render_template("familywork/act.html", d=queries.act_document(record),
                           may_edit=services.may_record(current_user, record.minor))


def _pdf_context(act: LivingConditionsAct, day: date) -> dict:
    d = queries.act_document(act)
    return {"d": d, "organisation": d.school, "issued_on": day}


@bp.route("/home-visits/<int:act_id>.pdf")
@allow("view_sessions")
def act_pdf(act_id: int):
    record = get_or_404(LivingConditionsAct, act_id, current_user)
    language, day = pdf.document_language(), today()
    data = pdf.render_pdf(PDF_TEMPLATE, language, lambda: _pdf_context(record, day))
    return pdf.pdf_response(data, f"home-visit-act-{record.id}-{language}.pdf")


# --- legal measures ----------------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/legal-measures/new", methods=["GET", "POST"])
@allow("record_work")
def new_measure(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    if not enrolment.is_open:
        flash(_("The case is closed."), "info")
        return _overview(enrolment.id)
    form = MeasureForm(data={"taken_on": today()}) if request.method == "GET" else MeasureForm()
    form.kind.choices = choices(_enum_choices(MeasureKind), "—")
    if form.validate_on_submit():
        data = services.MeasureData(kind=form.kind.data, taken_on=form.taken_on.data,
                                    description=form.description.data)
        _measure, saved = save(form, lambda: services.record_measure(
            current_user, enrolment, data, today()))
        if saved:
            flash(_("The legal measure is saved."), "success")
            return _overview(enrolment.id)
    return render_template("familywork/measure_form.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor)


def _outcome_as_saved(measure: LegalMeasure) -> str:
    db.session.refresh(measure)
    if not measure.outcome:
        return _("No outcome is saved yet.")
    return _("The outcome as saved now (%(date)s): %(text)s",
             date=format_date(measure.outcome_on, "medium"), text=measure.outcome)


@bp.route("/legal-measures/<int:measure_id>/outcome", methods=["GET", "POST"])
@allow("record_work")
def measure_outcome(measure_id: int):
    measure = get_or_404(LegalMeasure, measure_id, current_user, "edit")
    initial = {"outcome": measure.outcome, "outcome_on": measure.outcome_on or today(),
               "version": measure.version}
    form = OutcomeForm(data=initial) if request.method == "GET" else OutcomeForm()
    if form.validate_on_submit():
        _measure, saved = save(form, lambda: services.record_outcome(
            current_user, measure, form.outcome.data, form.outcome_on.data,
            form.expected_version(), today()), lambda: _outcome_as_saved(measure))
        if saved:
            flash(_("The outcome is saved."), "success")
            return _overview(measure.enrolment_id)
    return render_template("familywork/outcome_form.html", form=form, measure=measure,
                           kind_label=MeasureKind(measure.kind).label,
                           enrolment=measure.enrolment, minor=measure.minor)


# --- the case page's section -------------------------------------------------------------


def family_work_panel(minor, case, user):
    """The latest act, the number of visits and the legal measures, for the school's
    staff of the minor (three queries)."""
    if not services.may_view(user, minor):
        return None
    view = case.current or (case.history[0] if case.history else None)
    if view is None:
        return None
    enrolment = view.enrolment
    latest, visits = queries.latest_act(enrolment.id)
    return "familywork/case_panel.html", {
        "enrolment_id": enrolment.id, "latest": latest, "visits": visits,
        "measures": queries.measures_of(enrolment.id),
        "may_add": services.may_record(user, minor) and enrolment.is_open}


CASE_PANELS.append(family_work_panel)
