"""The individual rehabilitation programme's pages: the programme of an enrolment, a
version, drafting and approving, comparing two versions, marking an occurrence, the PDF,
and the case page's section.

Who: the school's staff of the minor and the district's coordinator read
(``view_programme``); the school's psychologists and social pedagogues draft and mark
(``draft_irp``, ``record_work``); the deputy head approves (``approve_irp``). A record
out of the user's scope answers 404; opening a version is audited (IrpVersion
``audit_openings``), and so is opening the enrolment's programme page.
"""

from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.irp import ActivityForm, ApprovalForm, DraftForm, MarkForm
from juvenile import pdf
from juvenile.access import allow, can, has_rule, sees_clinical
from juvenile.accounts.models import Role
from juvenile.audit.services import record_access
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment, LegalRepresentative, Stage
from juvenile.cases.views import CASE_PANELS
from juvenile.extensions import db
from juvenile.irp import queries, services
from juvenile.irp.models import (
    Activity,
    Direction,
    Frequency,
    IrpStatus,
    IrpVersion,
    Occurrence,
    OccurrenceStatus,
)
from juvenile.irp.occurrences import HOME_VISIT, status_of
from juvenile.sessions.models import SessionKind
from juvenile.viewhelpers import save

bp = Blueprint("irp", __name__)

PDF_TEMPLATE = "irp/programme_pdf.html"


# --- loading ---------------------------------------------------------------------------------


def _record_opening(record, minor) -> None:
    """Opening the programme is audited where the minor's case is now: after a hand-over
    the receiving district's coordinator reads about it, the sending one no longer does
    (the record itself may stay placed at the school the work was done at)."""
    record_access(current_user, "open", SimpleNamespace(
        __tablename__=record.__tablename__, id=record.id, audit_label=minor.audit_label,
        audit_scope=minor.audit_scope))


def _load_enrolment(enrolment_id: int) -> Enrolment:
    """The enrolment whose programme the user may read (the staff of the school the minor
    attends now, the coordinator of its district), or 404; the opening is audited."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not services.may_view(current_user, enrolment):
        abort(404)
    _record_opening(enrolment, enrolment.minor)
    return enrolment


def _load_version(irp_id: int, action: str = "view") -> IrpVersion:
    """The version the user may read (or 404), and may ``action`` (or 403); the opening
    is audited."""
    irp = db.session.get(IrpVersion, irp_id)
    if irp is None or not can(current_user, "view", irp):
        abort(404)
    _record_opening(irp, irp.minor)
    if action != "view" and not can(current_user, action, irp):
        abort(403)
    return irp


def _for_reader(view):
    """A programme or a version as the signed-in user may read it: the coordinator sees
    the psychological help's periods only as counts."""
    return view if sees_clinical(current_user) else view.withhold_clinical()


def _load_activity(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    _load_version(activity.irp_id, "draft")
    return activity


def _load_occurrence(occurrence_id: int) -> Occurrence:
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None:
        abort(404)
    _load_version(occurrence.activity.irp_id, "mark")
    return occurrence


def _to_programme(enrolment_id: int, anchor: str | None = None):
    return redirect(url_for("irp.programme", enrolment_id=enrolment_id, _anchor=anchor))


def _flash_refusal(form) -> None:
    for message in form.form_errors:
        flash(message, "error")
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


# --- the programme of an enrolment, and a version ------------------------------------------


def _responsible_name(enrolment: Enrolment) -> str | None:
    return enrolment.responsible.full_name if enrolment.responsible else None


@bp.route("/enrolments/<int:enrolment_id>/irp")
@allow("view_programme")
def programme(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    day = today()
    return render_template(
        "irp/programme.html", enrolment=enrolment, minor=enrolment.minor,
        programme=_for_reader(queries.programme(enrolment.id, day)), today=day,
        responsible=_responsible_name(enrolment),
        may_draft=enrolment.is_open and services.may_draft(current_user, enrolment),
        may_approve=enrolment.is_open and services.may_approve(current_user, enrolment))


@bp.route("/irp/<int:irp_id>")
@allow("view_programme")
def version(irp_id: int):
    irp = _load_version(irp_id)
    enrolment = db.session.get(Enrolment, irp.enrolment_id)
    day = today()
    return render_template(
        "irp/version.html", enrolment=enrolment, minor=enrolment.minor,
        v=_for_reader(queries.version_view(irp.id, day)), today=day,
        responsible=_responsible_name(enrolment),
        may_draft=enrolment.is_open and services.may_draft(current_user, enrolment),
        may_approve=enrolment.is_open and services.may_approve(current_user, enrolment))


# --- drafting --------------------------------------------------------------------------------


def _draft_form(initial: dict | None = None) -> DraftForm:
    return DraftForm(data=initial) if request.method == "GET" else DraftForm()


@bp.route("/enrolments/<int:enrolment_id>/irp/new", methods=["GET", "POST"])
@allow("draft_irp")
def new_draft(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    if not services.may_draft(current_user, enrolment):
        abort(403)
    if not enrolment.is_open:
        flash(_("The case is closed."), "error")
        return _to_programme(enrolment.id)
    draft = services.draft_version(enrolment.id)
    if draft is not None:
        flash(_("A draft of the programme is already being prepared: continue it."), "info")
        return _to_programme(enrolment.id, "draft")
    approved = services.approved_version(enrolment.id)
    form = _draft_form({"goals": approved.goals} if approved else None)
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.start_draft(
            current_user, enrolment, form.goals.data, today(), reason=form.reason.data,
            is_review=form.is_review.data))
        if saved:
            flash(_("The draft is saved. Add its activities, then ask the deputy head to "
                    "approve it."), "success")
            return _to_programme(enrolment.id, "draft")
    return render_template("irp/draft_form.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor, irp=None, correction=approved is not None,
                           review_allowed=enrolment.stage == Stage.FOLLOW_UP.value)


@bp.route("/irp/<int:irp_id>/edit", methods=["GET", "POST"])
@allow("draft_irp")
def edit_draft(irp_id: int):
    irp = _load_version(irp_id, "draft")
    enrolment = db.session.get(Enrolment, irp.enrolment_id)
    if irp.status != IrpStatus.DRAFT.value:
        flash(_("Only a draft can be changed. To change an approved programme, make a "
                "correction."), "info")
        return redirect(url_for("irp.version", irp_id=irp.id))
    form = _draft_form({"goals": irp.goals, "reason": irp.reason, "is_review": irp.is_review,
                        "version": irp.version})
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_draft(
            current_user, irp, form.goals.data, form.reason.data, form.is_review.data,
            form.expected_version()))
        if saved:
            flash(_("Changes saved."), "success")
            return _to_programme(enrolment.id, "draft")
    return render_template("irp/draft_form.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor, irp=irp,
                           correction=irp.based_on_id is not None,
                           review_allowed=enrolment.stage == Stage.FOLLOW_UP.value
                           or irp.is_review)


@bp.route("/irp/<int:irp_id>/discard", methods=["POST"])
@allow("draft_irp")
def discard_draft(irp_id: int):
    irp = _load_version(irp_id, "draft")
    enrolment_id = irp.enrolment_id
    form = ApprovalForm()
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.discard_draft(
            current_user, irp, form.expected_version()))
        if saved:
            flash(_("The draft is discarded."), "success")
            return _to_programme(enrolment_id)
    _flash_refusal(form)
    return _to_programme(enrolment_id)


# --- activities ------------------------------------------------------------------------------


def _fulfilment_choices():
    kinds = [(k.value, queries.fulfilment_label(k.value)) for k in SessionKind]
    return choices([*kinds, (HOME_VISIT, queries.fulfilment_label(HOME_VISIT))],
                   queries.fulfilment_label(None))


def _activity_form(enrolment: Enrolment, initial: dict | None) -> ActivityForm:
    form = ActivityForm(data=initial) if request.method == "GET" else ActivityForm()
    form.direction.choices = choices([(d.value, d.label) for d in Direction], "—")
    form.frequency.choices = choices([(f.value, f.label) for f in Frequency])
    form.fulfilled_by.choices = _fulfilment_choices()
    form.responsible_user_id.choices = choices(
        queries.staff_choices(enrolment.organisation_id), "—")
    form.partner_organisation_id.choices = choices(
        queries.partner_choices(enrolment.district_id, services.PARTNER_KINDS), "—")
    return form


def _activity_data(form: ActivityForm) -> services.ActivityData:
    return services.ActivityData(
        direction=form.direction.data, title=form.title.data or "",
        fulfilled_by=form.fulfilled_by.data or None,
        responsible_user_id=form.responsible_user_id.data,
        partner_organisation_id=form.partner_organisation_id.data,
        partner_name=form.partner_name.data or None, frequency=form.frequency.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data)


def _activity_view(irp: IrpVersion, activity: Activity | None):
    enrolment = db.session.get(Enrolment, irp.enrolment_id)
    if irp.status != IrpStatus.DRAFT.value:
        flash(_("Only a draft can be changed. To change an approved programme, make a "
                "correction."), "info")
        return redirect(url_for("irp.version", irp_id=irp.id))
    if activity is None:
        initial = {"responsible_user_id": enrolment.responsible_id,
                   "starts_on": max(today(), enrolment.enrolled_on),
                   "direction": request.args.get("direction")}
    else:
        initial = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    form = _activity_form(enrolment, initial | {"version": irp.version})
    if form.validate_on_submit():
        data = _activity_data(form)
        if activity is None:
            action = lambda: services.add_activity(  # noqa: E731
                current_user, irp, data, form.expected_version())
        else:
            action = lambda: services.update_activity(  # noqa: E731
                current_user, activity, data, form.expected_version())
        _result, saved = save(form, action)
        if saved:
            flash(_("The activity is saved."), "success")
            return _to_programme(enrolment.id, "draft")
    return render_template("irp/activity_form.html", form=form, irp=irp, activity=activity,
                           enrolment=enrolment, minor=enrolment.minor)


@bp.route("/irp/<int:irp_id>/activities/new", methods=["GET", "POST"])
@allow("draft_irp")
def new_activity(irp_id: int):
    return _activity_view(_load_version(irp_id, "draft"), None)


@bp.route("/irp/activities/<int:irp_activity_id>/edit", methods=["GET", "POST"])
@allow("draft_irp")
def edit_activity(irp_activity_id: int):
    activity = _load_activity(irp_activity_id)
    return _activity_view(activity.irp, activity)


@bp.route("/irp/activities/<int:irp_activity_id>/remove", methods=["POST"])
@allow("draft_irp")
def remove_activity(irp_activity_id: int):
    activity = _load_activity(irp_activity_id)
    enrolment_id = activity.irp.enrolment_id
    form = ApprovalForm()
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.remove_activity(
            current_user, activity, form.expected_version()))
        if saved:
            flash(_("The activity is removed from the draft."), "success")
            return _to_programme(enrolment_id, "draft")
    _flash_refusal(form)
    return _to_programme(enrolment_id, "draft")


# --- approval --------------------------------------------------------------------------------


@bp.route("/irp/<int:irp_id>/approve", methods=["POST"])
@allow("approve_irp")
def approve(irp_id: int):
    irp = _load_version(irp_id, "approve")
    enrolment_id = irp.enrolment_id
    form = ApprovalForm()
    if form.validate_on_submit():
        result, saved = save(form, lambda: services.approve(
            current_user, irp, form.expected_version(), today()))
        if saved:
            flash(_("Version %(n)s of the programme is approved.", n=result.number),
                  "success")
            return _to_programme(enrolment_id)
    _flash_refusal(form)
    return _to_programme(enrolment_id, "draft")


# --- comparing -------------------------------------------------------------------------------


@bp.route("/irp/<int:irp_id>/compare")
@allow("view_programme")
def compare(irp_id: int):
    irp = _load_version(irp_id)
    enrolment = db.session.get(Enrolment, irp.enrolment_id)
    other_id = request.args.get("with", type=int) or irp.based_on_id
    comparison = None
    if other_id is not None and other_id != irp.id:
        other = db.session.get(IrpVersion, other_id)
        if other is None or other.enrolment_id != irp.enrolment_id:
            abort(404)
        comparison = queries.compare(irp.id, other.id, today())
    versions = queries.programme(enrolment.id, today()).versions
    return render_template("irp/compare.html", c=comparison, irp=irp, versions=versions,
                           enrolment=enrolment, minor=enrolment.minor,
                           field_labels=queries.compared_field_labels())


# --- marking an occurrence -------------------------------------------------------------------


def _status_choices():
    order = (OccurrenceStatus.DONE, OccurrenceStatus.MISSED, OccurrenceStatus.CANCELLED,
             OccurrenceStatus.PLANNED)
    labels = {OccurrenceStatus.PLANNED: _("planned (not yet done)")}
    return choices([(s.value, labels.get(s, s.label)) for s in order], "—")


@bp.route("/irp/occurrences/<int:occurrence_id>", methods=["GET", "POST"])
@allow("record_work")
def mark(occurrence_id: int):
    occurrence = _load_occurrence(occurrence_id)
    activity = occurrence.activity
    enrolment = db.session.get(Enrolment, occurrence.enrolment_id)
    planned = occurrence.status == OccurrenceStatus.PLANNED.value
    initial = {"status": "" if planned else occurrence.status,
               "done_on": occurrence.done_on or min(today(), occurrence.due_on),
               "result": occurrence.result, "version": occurrence.version}
    form = MarkForm(data=initial) if request.method == "GET" else MarkForm()
    form.status.choices = _status_choices()
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.mark_occurrence(
            current_user, occurrence, form.status.data, form.done_on.data, form.result.data,
            form.expected_version(), today()), lambda: _current_state(occurrence_id))
        if saved:
            flash(_("The mark is saved."), "success")
            anchor = f"occurrence-{occurrence_id}"
            if activity.irp.status != IrpStatus.APPROVED.value:  # a superseded version's
                return redirect(url_for("irp.version", irp_id=activity.irp_id, _anchor=anchor))
            return _to_programme(enrolment.id, anchor)
    return render_template("irp/mark_form.html", form=form, occurrence=occurrence,
                           activity=activity, enrolment=enrolment, minor=enrolment.minor,
                           status=status_of(occurrence, today()),
                           direction=Direction(activity.direction).label,
                           fulfilled_by=queries.fulfilment_label(activity.fulfilled_by))


def _current_state(occurrence_id: int) -> str:
    current = db.session.get(Occurrence, occurrence_id)
    if current is None:
        return _("The occurrence no longer exists: a newer version of the programme "
                 "withdrew it.")
    return _("Now: %(status)s.", status=status_of(current, today()).label)


# --- the PDF ---------------------------------------------------------------------------------


def _representative(minor_id: int) -> str | None:
    return db.session.scalar(
        db.select(LegalRepresentative.full_name)
        .where(LegalRepresentative.minor_id == minor_id)
        .order_by(LegalRepresentative.consent_on.is_(None), LegalRepresentative.id).limit(1))


def _pdf_context(irp_id: int, day: date) -> dict:
    irp = db.session.get(IrpVersion, irp_id)
    enrolment = db.session.get(Enrolment, irp.enrolment_id)
    minor = enrolment.minor
    school = enrolment.organisation.name
    return {
        "v": queries.version_view(irp_id, day, with_occurrences=False),
        "organisation": school, "issued_on": day,
        "identity": {
            "full_name": minor.full_name, "birth_date": minor.birth_date,
            "grade": minor.grade, "school": school, "enrolled_on": enrolment.enrolled_on,
            "closed_on": enrolment.closed_on, "stage": Stage(enrolment.stage).label,
            "responsible": enrolment.responsible.full_name if enrolment.responsible else None},
        "representative": _representative(minor.id),
        "deputy_head_label": Role.SCHOOL_ADMIN.label,
    }


@bp.route("/irp/<int:irp_id>.pdf")
@allow("view_programme")
def programme_pdf(irp_id: int):
    irp = _load_version(irp_id)
    language, day = pdf.document_language(), today()
    data = pdf.render_pdf(PDF_TEMPLATE, language, lambda: _pdf_context(irp.id, day))
    return pdf.pdf_response(data, f"irp-{irp.enrolment_id}-v{irp.number}-{language}.pdf")


# --- the case page's section -----------------------------------------------------------------


def _latest_enrolment(case) -> Enrolment | None:
    if case.current is not None:
        return case.current.enrolment
    return case.history[0].enrolment if case.history else None


def irp_panel(minor, case, user):
    """The programme in a line and this month's activities, for the school's staff and
    the district's coordinator (two queries)."""
    enrolment = _latest_enrolment(case)
    if (enrolment is None or not has_rule(user, "view_programme")
            or not services.may_view(user, enrolment)):
        return None
    return "irp/case_panel.html", {
        "summary": queries.summary(enrolment.id, today()),
        "may_draft": enrolment.is_open and services.may_draft(user, enrolment)}


CASE_PANELS.append(irp_panel)

