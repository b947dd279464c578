"""Working a case: specialist assignment, stages, extension, closure, incidents, transfer.

Each screen loads its record through the object policy (404 out of scope), validates its
form, makes one service call, commits once and goes back to the case file.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased
from wtforms.fields.choices import SelectChoice

from forms import choices
from forms.case_workflow import (
    AcceptTransferForm,
    AssignmentForm,
    ClosureForm,
    DeclineTransferForm,
    ExtensionForm,
    IncidentForm,
    StageMoveForm,
    TransferForm,
)
from juvenile.access import allow, get_or_404
from juvenile.accounts.models import District, Organisation, Role, User
from juvenile.cases import services
from juvenile.cases.dates import today
from juvenile.cases.models import (
    ClosureReason,
    Enrolment,
    IncidentKind,
    Minor,
    Stage,
    Transfer,
    TransferStatus,
)
from juvenile.cases.stages import NEXT_STAGE, add_months, checklist
from juvenile.cases.views import load_minor
from juvenile.errors import ServiceError
from juvenile.extensions import db
from juvenile.pagination import paginate
from juvenile.settings import registry
from juvenile.viewhelpers import save

bp = Blueprint("workflow", __name__)

#: How many of a school's outgoing and recently decided hand-overs the list shows.
RECENT_TRANSFERS = 50


def _case_file(minor_id: int):
    return redirect(url_for("cases.case_file", minor_id=minor_id))


def _current_state(enrolment: Enrolment) -> str:
    """What the case looks like now, told to the user whose save came too late."""
    if not enrolment.is_open:
        return _("Now the case is closed.")
    return _("Now: %(stage)s, due %(date)s; responsible specialist: %(name)s.",
             stage=Stage(enrolment.stage).label,
             date=format_date(enrolment.stage_due_on, "medium"),
             name=enrolment.responsible.full_name if enrolment.responsible
             else _("not assigned yet"))


def _save(form, action, enrolment: Enrolment | None = None):
    """One service call; a version clash also says what the enrolment looks like now."""
    return save(form, action, (lambda: _current_state(enrolment)) if enrolment else None)


def _load_transfer(transfer_id: int, action: str) -> Transfer:
    """The hand-over, locked until the decision commits: of an acceptance and a refusal
    pressed at the same moment, the second sees the first one's outcome."""
    transfer = get_or_404(Transfer, transfer_id, current_user, action)
    if request.method == "POST":
        db.session.refresh(transfer, with_for_update=True)
    return transfer


def _closed(enrolment: Enrolment):
    flash(_("The case is closed."), "info")
    return _case_file(enrolment.minor_id)


def _user_label(user: User) -> str:
    return f"{user.full_name} ({user.role_label})"


def _school_staff(organisation_id: int, specialists_only: bool = False) -> list[User]:
    stmt = (select(User).where(User.organisation_id == organisation_id,
                               User.is_enabled.is_(True))
            .order_by(User.full_name, User.id))
    if specialists_only:
        stmt = stmt.where(User.role.in_(services.SPECIALIST_ROLES))
    return list(db.session.scalars(stmt))


# --- the responsible specialist ------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/assign", methods=["GET", "POST"])
@allow("assign_specialists")
def assign(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id, current_user, "assign")
    if not enrolment.is_open:
        return _closed(enrolment)
    form = AssignmentForm()
    staff = _school_staff(enrolment.organisation_id)
    form.responsible_id.choices = choices(
        [(u.id, _user_label(u)) for u in staff if u.role in services.SPECIALIST_ROLES], "—")
    form.coworker_ids.choices = choices([(u.id, _user_label(u)) for u in staff])
    if request.method == "GET":
        form.version.data = enrolment.version
        form.responsible_id.data = enrolment.responsible_id
        form.coworker_ids.data = [u.id for u in enrolment.coworkers]
    if form.validate_on_submit():
        coworkers = list(dict.fromkeys(form.coworker_ids.data or []))
        _result, saved = _save(form, lambda: services.assign_specialist(
            current_user, enrolment, form.responsible_id.data, coworkers, today(),
            form.expected_version()), enrolment)
        if saved:
            flash(_("%(name)s is the responsible specialist.",
                    name=enrolment.responsible.full_name), "success")
            return _case_file(enrolment.minor_id)
    return render_template("cases/workflow/assign.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor)


# --- stages ----------------------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/stage", methods=["GET", "POST"])
@allow("work_on_cases")
def stage(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id, current_user, "move")
    if not enrolment.is_open:
        return _closed(enrolment)
    form = StageMoveForm()
    if request.method == "GET":
        form.version.data = enrolment.version
    if form.validate_on_submit():
        new_stage, saved = _save(form, lambda: services.move_to_next_stage(
            current_user, enrolment, today(), form.expected_version()), enrolment)
        if saved:
            flash(_("The case is now in the stage: %(stage)s.", stage=new_stage.label),
                  "success")
            return _case_file(enrolment.minor_id)
    current = Stage(enrolment.stage)
    return render_template("cases/workflow/stage.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor, stage=current,
                           next_stage=NEXT_STAGE.get(current),
                           items=checklist(enrolment, today()), today=today(),
                           may_close=current is Stage.FOLLOW_UP)


@bp.route("/enrolments/<int:enrolment_id>/extend", methods=["GET", "POST"])
@allow("extend_stages")
def extend(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id, current_user, "extend")
    if not enrolment.is_open:
        return _closed(enrolment)
    form = ExtensionForm()
    if request.method == "GET":
        form.version.data = enrolment.version
    if form.validate_on_submit():
        _result, saved = _save(form, lambda: services.extend_stage(
            current_user, enrolment, form.days.data, form.reason.data, today(),
            form.expected_version()), enrolment)
        if saved:
            flash(_("The stage is extended until %(date)s.",
                    date=format_date(enrolment.stage_due_on, "medium")), "success")
            return _case_file(enrolment.minor_id)
    return render_template("cases/workflow/extend.html", form=form, enrolment=enrolment,
                           minor=enrolment.minor, stage=Stage(enrolment.stage), today=today())


# --- closure ---------------------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/close", methods=["GET", "POST"])
@allow("work_on_cases")
def close(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id, current_user, "close")
    if not enrolment.is_open:
        return _closed(enrolment)
    form = ClosureForm()
    form.reason.choices = choices([(r.value, r.label) for r in ClosureReason], "—")
    if request.method == "GET":
        form.version.data = enrolment.version
        form.closed_on.data = today()
    if form.validate_on_submit():
        data = services.ClosureData(reason=form.reason.data, closed_on=form.closed_on.data,
                                    note=form.note.data or "")
        _result, saved = _save(form, lambda: services.close_enrolment(
            current_user, enrolment, data, today(), form.expected_version()), enrolment)
        if saved:
            flash(_("The case is closed: %(reason)s.",
                    reason=ClosureReason(data.reason).label), "success")
            return _case_file(enrolment.minor_id)
    minimum = registry.setting(registry.MINIMUM_SUPPORT_MONTHS.key)
    return render_template(
        "cases/workflow/close.html", form=form, enrolment=enrolment, minor=enrolment.minor,
        stage=Stage(enrolment.stage), minimum_months=minimum,
        minimum_reached_on=add_months(enrolment.enrolled_on, minimum), today=today(),
        confirms_early=current_user.role_enum is Role.SCHOOL_ADMIN)


# --- incidents -------------------------------------------------------------------------


def _incident_kinds() -> list[IncidentKind]:
    if current_user.role_enum is Role.POLICE_INSPECTOR:
        return [kind for kind in IncidentKind if kind.is_offence]
    return list(IncidentKind)


@bp.route("/minors/<int:minor_id>/incidents/new", methods=["GET", "POST"])
@allow("record_incidents")
def new_incident(minor_id: int):
    minor = load_minor(minor_id, "record_incident")
    form = IncidentForm()
    form.kind.choices = choices([(k.value, k.label) for k in _incident_kinds()], "—")
    if form.validate_on_submit():
        incident, saved = _save(form, lambda: services.record_incident(
            current_user, minor, form.kind.data, form.occurred_on.data, form.description.data,
            today()))
        if saved:
            kind = IncidentKind(incident.kind)
            flash(_("Recorded: %(kind)s.", kind=kind.label), "success")
            current = services.open_enrolment(minor)
            if kind.raises_crisis and current is not None and current.crisis:
                flash(_("The case's crisis flag is raised: give crisis psychological help "
                        "now."), "error")
            return _case_file(minor.id)
    return render_template("cases/workflow/incident.html", form=form, minor=minor,
                           offences_only=current_user.role_enum is Role.POLICE_INSPECTOR)


# --- transfer ----------------------------------------------------------------------------


def _receiving_choices(minor: Minor) -> list[SelectChoice]:
    """Active schools and colleges of the region, grouped by district, but the minor's own."""
    rows = db.session.execute(
        select(Organisation, District)
        .outerjoin(District, Organisation.district_id == District.id)
        .where(Organisation.region_id == minor.organisation.region_id,
               Organisation.kind.in_(services.SCHOOL_KINDS),
               Organisation.is_active.is_(True),
               Organisation.id != minor.organisation_id)).all()
    regional = _("Regional organisations")
    options = sorted(((district.name if district else regional, org.name, org.id)
                      for org, district in rows))
    return [SelectChoice(value="", label="—")] + [
        SelectChoice(value=org_id, label=name, optgroup=group)
        for group, name, org_id in options]


@bp.route("/minors/<int:minor_id>/transfer", methods=["GET", "POST"])
@allow("work_on_cases")
def new_transfer(minor_id: int):
    minor = load_minor(minor_id, "transfer")
    if services.pending_transfer(minor) is not None:
        flash(_("A hand-over of this minor is already waiting."), "info")
        return _case_file(minor.id)
    form = TransferForm()
    form.to_organisation_id.choices = _receiving_choices(minor)
    if form.validate_on_submit():
        receiving = db.session.get(Organisation, form.to_organisation_id.data)
        _result, saved = _save(form, lambda: services.request_transfer(
            current_user, minor, receiving, form.note.data or "", today()))
        if saved:
            flash(_("The hand-over to %(school)s is requested. The case stays with your "
                    "school until they accept it.", school=receiving.name), "success")
            return _case_file(minor.id)
    return render_template("cases/workflow/transfer.html", form=form, minor=minor,
                           enrolment=services.open_enrolment(minor))


def _transfer_rows(*where, order, limit: int | None = None):
    """(Transfer, Minor, sending school, receiving school) rows, in one query."""
    sender, receiver = aliased(Organisation), aliased(Organisation)
    stmt = (select(Transfer, Minor, sender, receiver)
            .join(Minor, Transfer.minor_id == Minor.id)
            .join(sender, Transfer.from_organisation_id == sender.id)
            .join(receiver, Transfer.to_organisation_id == receiver.id)
            .where(*where).order_by(*order))
    return stmt if limit is None else db.session.execute(stmt.limit(limit)).all()


@bp.route("/transfers")
@allow("work_on_cases")
def transfers():
    school = current_user.organisation_id
    pending = Transfer.status == TransferStatus.PENDING.value
    incoming = paginate(
        _transfer_rows(pending, Transfer.to_organisation_id == school,
                       order=(Transfer.requested_at, Transfer.id)),
        request.args.get("page", 1, type=int), current_app.config["LIST_PAGE_SIZE"],
        scalars=False)
    outgoing = _transfer_rows(pending, Transfer.from_organisation_id == school,
                              order=(Transfer.requested_at.desc(), Transfer.id.desc()),
                              limit=RECENT_TRANSFERS)
    decided = _transfer_rows(
        Transfer.status != TransferStatus.PENDING.value,
        (Transfer.to_organisation_id == school) | (Transfer.from_organisation_id == school),
        order=(Transfer.decided_at.desc(), Transfer.id.desc()), limit=RECENT_TRANSFERS)
    return render_template("cases/workflow/transfers.html", incoming=incoming,
                           outgoing=outgoing, decided=decided,
                           may_accept=current_user.role_enum is Role.SCHOOL_ADMIN,
                           decline_form=DeclineTransferForm(),
                           status_label=lambda status: TransferStatus(status).label)


@bp.route("/transfers/<int:transfer_id>/accept", methods=["GET", "POST"])
@allow("assign_specialists")
def accept_transfer(transfer_id: int):
    transfer = _load_transfer(transfer_id, "accept")
    if transfer.status != TransferStatus.PENDING.value:
        flash(_("This hand-over is no longer waiting."), "info")
        return redirect(url_for("workflow.transfers"))
    enrolment = services.open_enrolment(transfer.minor)
    form = AcceptTransferForm()
    form.responsible_id.choices = choices(
        [(u.id, _user_label(u))
         for u in _school_staff(transfer.to_organisation_id, specialists_only=True)],
        _("— assign later —"))
    if form.validate_on_submit():
        _result, saved = _save(form, lambda: services.accept_transfer(
            current_user, transfer, form.responsible_id.data if enrolment else None, today()))
        if saved:
            flash(_("The case of %(name)s is now with your school.",
                    name=transfer.minor.full_name), "success")
            return _case_file(transfer.minor_id)
    return render_template("cases/workflow/accept.html", form=form, transfer=transfer,
                           minor=transfer.minor, enrolment=enrolment,
                           stage_label=Stage(enrolment.stage).label if enrolment else None,
                           decline_form=DeclineTransferForm())


@bp.route("/transfers/<int:transfer_id>/decline", methods=["POST"])
@allow("work_on_cases")
def decline_transfer(transfer_id: int):
    transfer = _load_transfer(transfer_id, "decline")
    form = DeclineTransferForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return redirect(url_for("workflow.transfers"))
    try:
        services.decline_transfer(current_user, transfer, form.note.data or "")
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("workflow.transfers"))
    db.session.commit()
    if transfer.status == TransferStatus.CANCELLED.value:
        flash(_("The hand-over is cancelled: the case stays with your school."), "success")
        return _case_file(transfer.minor_id)
    flash(_("The hand-over is declined."), "success")
    return redirect(url_for("workflow.transfers"))
