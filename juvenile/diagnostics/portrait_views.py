"""The family environment analysis and the social-psychological portrait (HTML and PDF).

Who sees what: the portrait, its PDF and the family analysis are for the school's staff
of the minor (juvenile.access.may_see_levels); anyone else gets 404, as if the record did
not exist. Among them, the psychologists and social pedagogues record the family
analysis, and the responsible specialist and the psychologists write the conclusion;
the others get 403. The portrait carries levels, never item answers or clinical notes.
"""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms import choices
from forms.family import NO, YES, ConclusionForm, FamilyAnalysisForm
from juvenile import pdf
from juvenile.access import allow, get_or_404, may_see_levels
from juvenile.accounts.models import Role
from juvenile.audit import labels as audit_labels
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment, Minor
from juvenile.cases.views import CASE_PANELS, load_minor
from juvenile.diagnostics import family, portrait
from juvenile.diagnostics.models import FamilyAnalysis
from juvenile.extensions import db
from juvenile.viewhelpers import save

bp = Blueprint("portrait", __name__)

PDF_TEMPLATE = "diagnostics/portrait/portrait_pdf.html"

audit_labels.OBJECT_LABELS.update({"family_analyses": _l("Family analysis"),
                                   "portrait_conclusions": _l("Portrait conclusion")})


def _case_file(minor_id: int):
    return redirect(url_for("cases.case_file", minor_id=minor_id))


# --- the family analysis --------------------------------------------------------------


def _family_form(initial: dict | None = None) -> FamilyAnalysisForm:
    form = FamilyAnalysisForm(data=initial) if request.method == "GET" else FamilyAnalysisForm()
    for name, enum in (("parenting_style", family.ParentingStyle),
                       ("conflict", family.Conflict),
                       ("material_conditions", family.MaterialConditions),
                       ("supervision", family.Supervision)):
        getattr(form, name).choices = choices([(i.value, i.label) for i in enum], "—")
    for name in ("violence_or_neglect_signs", "substance_use"):
        getattr(form, name).choices = choices([(NO, _("no")), (YES, _("yes"))])
    return form


def _initial(analysis: FamilyAnalysis) -> dict:
    values = {name: getattr(analysis, name) for name in family.FAMILY_FIELDS}
    for name in ("violence_or_neglect_signs", "substance_use"):
        values[name] = YES if values[name] else NO
    return values | {"version": analysis.version}


def _family_data(form: FamilyAnalysisForm) -> family.FamilyData:
    return family.FamilyData(
        recorded_on=form.recorded_on.data, household=form.household.data,
        parenting_style=form.parenting_style.data, conflict=form.conflict.data,
        violence_or_neglect_signs=form.flag("violence_or_neglect_signs"),
        violence_or_neglect_note=form.violence_or_neglect_note.data or None,
        substance_use=form.flag("substance_use"),
        substance_use_note=form.substance_use_note.data or None,
        material_conditions=form.material_conditions.data, supervision=form.supervision.data,
        risk_factors=form.risk_factors.data or None,
        protective_factors=form.protective_factors.data or None)


def _recorder_minor(minor_id: int) -> Minor:
    """The minor, 404 out of the user's school; 403 for staff who do not record the
    family analysis (the deputy head reads it on the portrait)."""
    minor = load_minor(minor_id, "edit")
    if not family.may_record_family(current_user, minor):
        abort(403)
    return minor


def _family_view(minor: Minor, analysis: FamilyAnalysis | None):
    form = _family_form(_initial(analysis) if analysis else {"recorded_on": today()})
    if form.validate_on_submit():
        if analysis is None:
            action = lambda: family.record_family_analysis(  # noqa: E731
                current_user, minor, _family_data(form), today())
        else:
            action = lambda: family.update_family_analysis(  # noqa: E731
                current_user, analysis, minor, _family_data(form), form.expected_version(),
                today())
        _result, saved = save(form, action)
        if saved:
            flash(_("The family analysis is saved."), "success")
            return _case_file(minor.id)
    return render_template("diagnostics/portrait/family_form.html", form=form, minor=minor,
                           analysis=analysis)


@bp.route("/minors/<int:minor_id>/family/new", methods=["GET", "POST"])
@allow("view_diagnostics")
def new_family(minor_id: int):
    return _family_view(_recorder_minor(minor_id), None)


@bp.route("/family/<int:analysis_id>/edit", methods=["GET", "POST"])
@allow("view_diagnostics")
def edit_family(analysis_id: int):
    analysis = db.session.get(FamilyAnalysis, analysis_id)
    if analysis is None:
        abort(404)
    return _family_view(_recorder_minor(analysis.minor_id), analysis)


# --- the portrait ---------------------------------------------------------------------


def _load_enrolment(enrolment_id: int) -> Enrolment:
    """The enrolment whose portrait the user may see, or 404. Opening it is audited as an
    opening of the minor's record (the loader of Minor writes that entry)."""
    enrolment = get_or_404(Enrolment, enrolment_id, current_user)
    minor = get_or_404(Minor, enrolment.minor_id, current_user)
    if not may_see_levels(current_user, minor):
        abort(404)
    return enrolment


@bp.route("/enrolments/<int:enrolment_id>/portrait", endpoint="portrait")
@allow("view_diagnostics")
def portrait_page(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    return render_template(
        "diagnostics/portrait/portrait.html", p=portrait.assemble(enrolment, today()),
        may_record_family=family.may_record_family(current_user, enrolment.minor),
        may_conclude=family.may_conclude(current_user, enrolment))


def _pdf_context(enrolment: Enrolment, day: date) -> dict:
    p = portrait.assemble(enrolment, day)
    return {"p": p, "organisation": p.school, "issued_on": day,
            "deputy_head_label": Role.SCHOOL_ADMIN.label}


@bp.route("/enrolments/<int:enrolment_id>/portrait.pdf")
@allow("view_diagnostics")
def portrait_pdf(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    language, day = pdf.document_language(), today()
    data = pdf.render_pdf(PDF_TEMPLATE, language, lambda: _pdf_context(enrolment, day))
    return pdf.pdf_response(data, f"portrait-{enrolment.id}-{language}.pdf")


@bp.route("/enrolments/<int:enrolment_id>/portrait/conclusion", methods=["GET", "POST"])
@allow("view_diagnostics")
def edit_conclusion(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    if not family.may_conclude(current_user, enrolment):
        abort(403)
    record = family.conclusion_of(enrolment)
    initial = ({"strengths": record.strengths, "conclusion": record.conclusion,
                "version": record.version} if record else {})
    form = ConclusionForm(data=initial) if request.method == "GET" else ConclusionForm()
    if form.validate_on_submit():
        expected = form.expected_version() if form.version.data else None
        _result, saved = save(form, lambda: family.save_conclusion(
            current_user, enrolment, form.strengths.data, form.conclusion.data, expected))
        if saved:
            flash(_("The conclusion is saved."), "success")
            return redirect(url_for("portrait.portrait", enrolment_id=enrolment.id))
    return render_template("diagnostics/portrait/conclusion_form.html", form=form,
                           enrolment=enrolment, minor=enrolment.minor)


# --- the case page's section ----------------------------------------------------------


def _latest_enrolment(case) -> Enrolment | None:
    if case.current is not None:
        return case.current.enrolment
    return case.history[0].enrolment if case.history else None


def family_panel(minor: Minor, case, user):
    """The latest family analysis and the portrait's links, for the school's staff."""
    if not may_see_levels(user, minor):
        return None
    enrolment = _latest_enrolment(case)
    return "diagnostics/portrait/case_panel.html", {
        "minor_id": minor.id, "family": portrait.latest_family(minor.id, today()),
        "enrolment_id": enrolment.id if enrolment else None,
        "may_record": family.may_record_family(user, minor)}


CASE_PANELS.append(family_panel)
