"""The case file: minors, legal representatives, enrolment, the case page and timeline."""

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices, show_service_error
from forms.cases import (
    EnrolmentForm,
    MinorForm,
    MinorSearchForm,
    RepresentativeForm,
    TimelineFilterForm,
)
from juvenile.access import POLICE_GROUPS, allow, can, get_or_404, has_rule, sees_clinical
from juvenile.cases import queries, services, timeline
from juvenile.cases.dates import today
from juvenile.cases.models import (
    ClosureReason,
    ConsentForm,
    IncidentKind,
    LegalRepresentative,
    Minor,
    Relation,
    SchoolingLanguage,
    Sex,
    Source,
    Stage,
    TargetGroup,
)
from juvenile.errors import ServiceError
from juvenile.extensions import db
from juvenile.viewhelpers import page_number, save

bp = Blueprint("cases", __name__)

#: Sections other domains add to the case page (diagnostics, the crisis protocol…):
#: callables (minor, case, user) -> (template name, context dict) or None when the user
#: may not see that section. Each must run a fixed number of queries.
CASE_PANELS: list[Callable] = []

#: Stored codes the case screens show as translated labels.
_LABELLED = {"sex": Sex, "language": SchoolingLanguage, "relation": Relation,
             "consent": ConsentForm, "source": Source, "stage": Stage,
             "closure": ClosureReason, "incident": IncidentKind}


def _describe_for_outsiders(kind: str, data: dict | None) -> str:
    """Timeline sentences for roles outside the clinical circle: of the target groups only
    those that concern the police (preventive registration, release from detention)."""
    if kind == "enrolled" and data and "groups" in data:
        data = {**data, "groups": [g for g in data["groups"] if int(g) in POLICE_GROUPS]}
    return timeline.describe(kind, data)


def label_of(kind: str, value: str | None) -> str:
    """The translated label of a stored code; the code itself if it is unknown."""
    try:
        return _LABELLED[kind](value).label
    except ValueError:
        return value or ""


@bp.context_processor
def _labels():
    return {"label_of": label_of, "incident_is_offence": _is_offence}


def _is_offence(kind: str) -> bool:
    return kind in set(IncidentKind) and IncidentKind(kind).is_offence


def _per_page() -> int:
    return current_app.config["LIST_PAGE_SIZE"]


def _enum_choices(enum, blank: str | None = None):
    return choices([(item.value, item.label) for item in enum], blank)


def load_minor(minor_id: int, action: str) -> Minor:
    """The minor the user may ``action``, or 404; the opening is audited (in its own
    transaction, so it is kept even when the form that follows is refused)."""
    return get_or_404(Minor, minor_id, current_user, action)


# --- finding and registering minors ---------------------------------------------------


@bp.route("/minors")
@allow("view_cases")
def minors():
    search = MinorSearchForm(request.args)
    q = search.q.data if search.validate() else None
    page = queries.minors_page(current_user, q, page_number(), _per_page())
    return render_template("cases/minors.html", search=search, page=page,
                           may_register=has_rule(current_user, "register_minors"))


def _minor_form(obj=None) -> MinorForm:
    form = MinorForm(obj=obj)
    form.sex.choices = _enum_choices(Sex, "—")
    form.schooling_language.choices = _enum_choices(SchoolingLanguage, "—")
    return form


def _minor_data(form: MinorForm) -> services.MinorData:
    return services.MinorData(
        iin=form.iin.data, surname=form.surname.data, given_name=form.given_name.data,
        patronymic=form.patronymic.data, birth_date=form.birth_date.data, sex=form.sex.data,
        schooling_language=form.schooling_language.data, address=form.address.data,
        phone=form.phone.data, grade=form.grade.data)


@bp.route("/minors/new", methods=["GET", "POST"])
@allow("register_minors")
def new_minor():
    form = _minor_form()
    if form.validate_on_submit():
        try:
            minor = services.register_minor(current_user, _minor_data(form), today(),
                                            lambda m: can(current_user, "view", m))
        except services.MinorAlreadyRegistered as error:
            existing_id = error.minor.id if error.minor is not None else None
            db.session.rollback()
            if existing_id is None:
                show_service_error(form, error)
                return render_template("cases/minor_form.html", form=form, minor=None)
            flash(error.message, "info")
            return redirect(url_for("cases.case_file", minor_id=existing_id))
        except ServiceError as error:
            db.session.rollback()
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is registered.", name=minor.full_name), "success")
            return redirect(url_for("cases.case_file", minor_id=minor.id))
    return render_template("cases/minor_form.html", form=form, minor=None)


@bp.route("/minors/<int:minor_id>/edit", methods=["GET", "POST"])
@allow("work_on_cases")
def edit_minor(minor_id: int):
    minor = load_minor(minor_id, "edit")
    form = _minor_form(minor)
    if request.method == "GET":
        form.version.data = minor.version
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_minor(
            current_user, minor, _minor_data(form), form.expected_version(), today()))
        if saved:
            flash(_("Changes saved."), "success")
            return redirect(url_for("cases.case_file", minor_id=minor_id))
    return render_template("cases/minor_form.html", form=form, minor=minor)


# --- the case page ----------------------------------------------------------------------


def _case_actions(case: queries.CaseFile) -> list[tuple[str, str]]:
    """(label, url) of the actions the user may take on this case, for the routes that
    exist (the workflow screens arrive separately)."""
    minor = case.minor
    current = case.current.enrolment if case.current else None
    on_minor, on_enrolment = {"minor_id": minor.id}, (
        {"enrolment_id": current.id} if current else {})
    # The follow-up stage ends by closing the case, not by a move.
    movable = current if current and current.stage != Stage.FOLLOW_UP.value else None
    candidates = [
        ("workflow.assign", current, "assign", _("Assign the responsible specialist"),
         on_enrolment),
        ("workflow.stage", movable, "move", _("Move to the next stage"), on_enrolment),
        ("workflow.extend", current, "extend", _("Extend the stage"), on_enrolment),
        ("workflow.close", current, "close", _("Close the case"), on_enrolment),
        ("cases.enrol", None if current else minor, "enrol", _("Enrol in the programme"),
         on_minor),
        ("workflow.new_incident", minor, "record_incident", _("Record an incident"), on_minor),
        ("workflow.new_transfer", None if case.pending_transfer else minor, "transfer",
         _("Hand the case over to another school"), on_minor),
        ("cases.edit_minor", minor, "edit", _("Edit identity details"), on_minor),
        ("cases.new_representative", minor, "edit", _("Add a legal representative"),
         on_minor),
    ]
    return [(label, url_for(endpoint, **values))
            for endpoint, obj, action, label, values in candidates
            if obj is not None and endpoint in current_app.view_functions
            and can(current_user, action, obj)]


@bp.route("/minors/<int:minor_id>")
@allow("view_cases")
def case_file(minor_id: int):
    minor = get_or_404(Minor, minor_id, current_user)
    filters = TimelineFilterForm(request.args)
    kind = (filters.kind.data or "").strip()[:30] or None
    filters.kind.choices = choices(
        [(k, label) for k, (label, _sentence) in timeline.KINDS.items()]
        + ([(kind, kind)] if kind and kind not in timeline.KINDS else []), _("All events"))
    case = queries.case_file(minor, current_user, kind, page_number(), _per_page())
    panels = [panel for add in CASE_PANELS if (panel := add(minor, case, current_user))]
    clinical = sees_clinical(current_user)
    return render_template(
        "cases/case_file.html", case=case, today=today(), filters=filters,
        actions=_case_actions(case), panels=panels, police_groups=POLICE_GROUPS,
        describe=timeline.describe if clinical else _describe_for_outsiders,
        may_edit=can(current_user, "edit", minor), clinical=clinical)


# --- legal representatives ---------------------------------------------------------------


def _representative_form(obj=None) -> RepresentativeForm:
    form = RepresentativeForm(obj=obj)
    form.relation.choices = _enum_choices(Relation, "—")
    form.consent_form.choices = _enum_choices(ConsentForm, _("— no consent yet —"))
    return form


def _representative_data(form: RepresentativeForm) -> services.RepresentativeData:
    return services.RepresentativeData(
        relation=form.relation.data, full_name=form.full_name.data, phone=form.phone.data,
        address=form.address.data, consent_on=form.consent_on.data,
        consent_form=form.consent_form.data or None)


def _representative_view(minor: Minor, representative: LegalRepresentative | None):
    form = _representative_form(representative)
    if request.method == "GET" and representative is not None:
        form.version.data = representative.version
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.save_representative(
            current_user, minor, _representative_data(form), today(), representative,
            form.expected_version() if representative is not None else None))
        if saved:
            flash(_("The legal representative is saved."), "success")
            return redirect(url_for("cases.case_file", minor_id=minor.id))
    return render_template("cases/representative_form.html", form=form, minor=minor,
                           representative=representative)


@bp.route("/minors/<int:minor_id>/representatives/new", methods=["GET", "POST"])
@allow("work_on_cases")
def new_representative(minor_id: int):
    return _representative_view(load_minor(minor_id, "edit"), None)


@bp.route("/representatives/<int:representative_id>/edit", methods=["GET", "POST"])
@allow("work_on_cases")
def edit_representative(representative_id: int):
    representative = db.session.get(LegalRepresentative, representative_id)
    if representative is None:
        abort(404)
    return _representative_view(load_minor(representative.minor_id, "edit"), representative)


# --- enrolment ---------------------------------------------------------------------------


def _enrolment_form() -> EnrolmentForm:
    form = EnrolmentForm()
    form.groups.choices = choices([(int(g), g.label) for g in TargetGroup])
    form.source.choices = _enum_choices(Source, "—")
    return form


def _enrolment_data(form: EnrolmentForm) -> services.EnrolmentData:
    return services.EnrolmentData(
        groups=list(form.groups.data or []), source=form.source.data,
        identified_on=form.identified_on.data, enrolled_on=form.enrolled_on.data,
        reason=form.reason.data, police_registered_on=form.police_registered_on.data,
        police_grounds=form.police_grounds.data, police_inspector=form.police_inspector.data,
        released_on=form.released_on.data, release_institution=form.release_institution.data)


@bp.route("/minors/<int:minor_id>/enrol", methods=["GET", "POST"])
@allow("work_on_cases")
def enrol(minor_id: int):
    minor = load_minor(minor_id, "enrol")
    if services.open_enrolment(minor) is not None:
        flash(_("The minor is already in the programme."), "info")
        return redirect(url_for("cases.case_file", minor_id=minor_id))
    form = _enrolment_form()
    consent = services.has_consent(minor)
    if consent and form.validate_on_submit():
        _result, saved = save(form, lambda: services.enrol_minor(
            current_user, minor, _enrolment_data(form), today()))
        if saved:
            flash(_("%(name)s is enrolled in the programme.", name=minor.full_name), "success")
            return redirect(url_for("cases.case_file", minor_id=minor_id))
    return render_template("cases/enrol.html", form=form, minor=minor, consent=consent,
                           representatives=minor.representatives)
