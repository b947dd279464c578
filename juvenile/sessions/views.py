"""Sessions and contacts of a case, and the school's group sessions.

Who sees what: the school staff of the minor's school see a case's sessions (the route
rule "view_sessions"; anyone else gets 403, staff of another school 404) — the minor's
current school: after a hand-over the sending school loses them, past periods included;
its psychologists and social pedagogues record them ("record_work"); a session, or a
group session, is changed or deleted by its recorder or a psychologist of the school
(others 403). Confidential
notes are shown, and their field offered, only to the psychologists of the minor's
school (``juvenile.access.may_see_session_notes``).
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.sessions import DeleteGroupSessionForm, DeleteSessionForm, GroupSessionForm, SessionForm
from juvenile.access import SCHOOL_ROLES, allow, can, get_or_404, may_see_session_notes
from juvenile.accounts.models import User
from juvenile.audit.services import record_opening
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment, Minor
from juvenile.cases.services import open_enrolment
from juvenile.cases.views import CASE_PANELS
from juvenile.extensions import db
from juvenile.sessions import queries, services
from juvenile.sessions.models import GroupSession, Session, SessionFormat, SessionKind
from juvenile.viewhelpers import page_number, save

bp = Blueprint("sessions", __name__)


def _per_page() -> int:
    return current_app.config["LIST_PAGE_SIZE"]


def _fill_choices(form, organisation_id: int, conductor_id: int | None) -> None:
    form.kind.choices = choices([(k.value, k.label) for k in SessionKind], "—")
    form.format.choices = choices([(f.value, f.label) for f in SessionFormat], "—")
    form.conducted_by_id.choices = choices(queries.specialists(organisation_id, conductor_id))


def _session_data(form, notes: bool) -> services.SessionData:
    return services.SessionData(
        kind=form.kind.data, held_on=form.held_on.data,
        duration_minutes=form.duration_minutes.data, format=form.format.data,
        conducted_by_id=form.conducted_by_id.data, participants=form.participants.data,
        summary=form.summary.data or "",
        confidential_notes=(form.confidential_notes.data or "") if notes else None)


def _ticked_message(saved: str, occurrence) -> str:
    if occurrence is None:
        return saved
    return saved + " " + _("Ticked off in the programme: %(activity)s.",
                           activity=occurrence.activity.title)


# --- a case's sessions ----------------------------------------------------------------


def _list(minor: Minor, enrolment: Enrolment | None, page):
    return render_template(
        "sessions/list.html", minor=minor, enrolment=enrolment, page=page,
        may_record=(enrolment is not None and enrolment.is_open
                    and services.may_record(current_user, minor)))


def case_enrolment_or_404(enrolment_id: int) -> Enrolment:
    """An enrolment of a minor whose case is now at the user's school (past periods held
    at a school that handed the case over included), or 404: after a hand-over the case's
    records are the receiving school's, not the sending school's. Opening it is audited."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if (enrolment is None or current_user.role_enum not in SCHOOL_ROLES
            or enrolment.minor.organisation_id != current_user.organisation_id):
        abort(404)
    record_opening(current_user, enrolment)
    return enrolment


@bp.route("/enrolments/<int:enrolment_id>/sessions")
@allow("view_sessions")
def enrolment_sessions(enrolment_id: int):
    enrolment = case_enrolment_or_404(enrolment_id)
    return _list(enrolment.minor, enrolment,
                 queries.enrolment_sessions(enrolment.id, page_number(), _per_page()))


@bp.route("/minors/<int:minor_id>/sessions")
@allow("view_sessions")
def minor_sessions(minor_id: int):
    minor = get_or_404(Minor, minor_id, current_user)
    return _list(minor, open_enrolment(minor),
                 queries.minor_sessions(minor.id, page_number(), _per_page()))


def _session_form(organisation_id: int, notes: bool, initial: dict,
                  conductor_id: int | None = None) -> SessionForm:
    form = SessionForm(data=initial) if request.method == "GET" else SessionForm()
    _fill_choices(form, organisation_id, conductor_id)
    if not notes:
        del form.confidential_notes  # a social pedagogue's form has no notes field
    return form


@bp.route("/enrolments/<int:enrolment_id>/sessions/new", methods=["GET", "POST"])
@allow("record_work")
def new_session(enrolment_id: int):
    enrolment = case_enrolment_or_404(enrolment_id)
    minor = enrolment.minor
    if not services.may_record(current_user, minor):
        abort(403)
    if not enrolment.is_open:
        flash(_("The case is closed."), "info")
        return redirect(url_for("sessions.enrolment_sessions", enrolment_id=enrolment.id))
    notes = may_see_session_notes(current_user, minor)
    form = _session_form(enrolment.organisation_id, notes, {
        "held_on": today(), "conducted_by_id": current_user.id, "duration_minutes": 45,
        "format": SessionFormat.IN_PERSON.value})
    if form.validate_on_submit():
        result, saved = save(form, lambda: services.record_session(
            current_user, enrolment, _session_data(form, notes), today()))
        if saved:
            flash(_ticked_message(_("The session is saved."), result.ticked), "success")
            return redirect(url_for("sessions.session", session_id=result.session.id))
    return render_template("sessions/form.html", form=form, minor=minor, enrolment=enrolment,
                           session=None)


def _load_session(session_id: int) -> Session:
    """The session, or 404 outside the minor's school. Opening it is audited as an opening
    of the minor's record."""
    session = get_or_404(Session, session_id, current_user)
    get_or_404(Minor, session.minor_id, current_user)
    return session


def _require(action: str, record) -> None:
    """403 for staff who see the record but may not ``action`` it."""
    if not can(current_user, action, record):
        abort(403)


@bp.route("/sessions/<int:session_id>", endpoint="session")
@allow("view_sessions")
def session_page(session_id: int):
    session = _load_session(session_id)
    minor = session.minor
    group = session.group_session
    may_see_notes = may_see_session_notes(current_user, minor)
    return render_template(
        "sessions/session.html", s=session, minor=minor, enrolment=session.enrolment,
        notes=session.confidential_notes if may_see_notes else None,
        may_see_notes=may_see_notes,
        ticked=services.ticked_activity(session.id), group=group,
        may_change=group is None and services.may_change(current_user, session),
        recorded_by=db.session.get(User, session.recorded_by_id), **_labels(session))


def _labels(record) -> dict:
    return {"kind_label": SessionKind(record.kind).label,
            "format_label": SessionFormat(record.format).label}


def _initial(session: Session, notes: bool) -> dict:
    values = {name: getattr(session, name) for name in services.SESSION_FIELDS}
    if notes:
        values["confidential_notes"] = session.confidential_notes
    return values | {"version": session.version}


def _now(session_id: int) -> str:
    """After a clash: what the session looks like now."""
    current = db.session.get(Session, session_id)
    if current is None:
        return _("The session has been deleted meanwhile.")
    return _("Saved meanwhile: %(kind)s, %(date)s, %(minutes)d min.",
             kind=SessionKind(current.kind).label, date=format_date(current.held_on, "medium"),
             minutes=current.duration_minutes)


def _to_group(session: Session):
    flash(_("This is a minor's line of a group session: change it on the group session."),
          "info")
    return redirect(url_for("sessions.group_session",
                            group_session_id=session.group_session_id))


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_session(session_id: int):
    session = _load_session(session_id)
    if session.group_session_id is not None:
        return _to_group(session)
    _require("edit", session)
    minor = session.minor
    notes = may_see_session_notes(current_user, minor)
    form = _session_form(minor.organisation_id, notes, _initial(session, notes),
                         session.conducted_by_id)
    if form.validate_on_submit():
        result, saved = save(form, lambda: services.update_session(
            current_user, session, _session_data(form, notes), form.expected_version(),
            today()), lambda: _now(session_id))
        if saved:
            flash(_ticked_message(_("Changes saved."), result.ticked), "success")
            return redirect(url_for("sessions.session", session_id=session_id))
    return render_template("sessions/form.html", form=form, minor=minor,
                           enrolment=session.enrolment, session=session)


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@allow("record_work")
def delete_session(session_id: int):
    session = _load_session(session_id)
    if session.group_session_id is not None:
        return _to_group(session)
    _require("delete", session)
    enrolment_id = session.enrolment_id
    form = (DeleteSessionForm(data={"version": session.version}) if request.method == "GET"
            else DeleteSessionForm())
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.delete_session(
            current_user, session, form.reason.data, form.expected_version()),
            lambda: _now(session_id))
        if saved:
            flash(_("The session is deleted."), "success")
            return redirect(url_for("sessions.enrolment_sessions", enrolment_id=enrolment_id))
    return render_template("sessions/delete.html", form=form, s=session, minor=session.minor,
                           enrolment=session.enrolment, **_labels(session))


# --- group sessions -------------------------------------------------------------------


@bp.route("/group-sessions")
@allow("view_sessions")
def group_sessions():
    page = queries.group_sessions_page(current_user.organisation_id, page_number(),
                                       _per_page())
    return render_template("sessions/groups.html", page=page,
                           may_record=services.may_record_group(current_user))


def _group_form(group: GroupSession | None, notes: bool, initial: dict,
                line_enrolments: list[int]) -> GroupSessionForm:
    form = GroupSessionForm(data=initial) if request.method == "GET" else GroupSessionForm()
    organisation_id = group.organisation_id if group else current_user.organisation_id
    _fill_choices(form, organisation_id, group.conducted_by_id if group else None)
    cases = [(eid, label or _("a minor now at another school"))
             for eid, label in queries.open_cases(organisation_id, line_enrolments)]
    form.minors.choices = choices(cases)
    form.absent.choices = choices(cases)
    if not notes:
        del form.confidential_notes
    return form


def _group_data(form: GroupSessionForm, notes: bool) -> services.GroupData:
    return services.GroupData(
        kind=form.kind.data, topic=form.topic.data or "", held_on=form.held_on.data,
        duration_minutes=form.duration_minutes.data, format=form.format.data,
        conducted_by_id=form.conducted_by_id.data, summary=form.summary.data or "",
        confidential_notes=(form.confidential_notes.data or "") if notes else None,
        attendance=form.attendance())


def _group_saved_message(ticked: int) -> str:
    message = _("The group session is saved.")
    if ticked:
        message += " " + ngettext("Ticked off in the programme of %(num)d minor.",
                                  "Ticked off in the programmes of %(num)d minors.", ticked)
    return message


def _render_group_form(form, group):
    return render_template("sessions/group_form.html", form=form, group=group,
                           no_cases=not form.minors.choices)


@bp.route("/group-sessions/new", methods=["GET", "POST"])
@allow("record_work")
def new_group_session():
    notes = services.may_write_new_group_notes(current_user)
    form = _group_form(None, notes, {
        "held_on": today(), "conducted_by_id": current_user.id, "duration_minutes": 45,
        "format": SessionFormat.IN_PERSON.value}, [])
    if form.validate_on_submit():
        result, saved = save(form, lambda: services.record_group_session(
            current_user, _group_data(form, notes), today()))
        if saved:
            flash(_group_saved_message(result.ticked), "success")
            return redirect(url_for("sessions.group_session",
                                    group_session_id=result.group.id))
    return _render_group_form(form, None)


@bp.route("/group-sessions/<int:group_session_id>")
@allow("view_sessions")
def group_session(group_session_id: int):
    group = get_or_404(GroupSession, group_session_id, current_user)  # the opening is audited
    lines = queries.group_lines(group.id, group.organisation_id)
    may_see_notes = services.may_see_group_notes(current_user, group)
    return render_template(
        "sessions/group.html", group=group, lines=lines,
        attended=sum(1 for line in lines if line.attended),
        notes=group.confidential_notes if may_see_notes else None,
        may_see_notes=may_see_notes, may_change=can(current_user, "edit", group),
        may_delete=can(current_user, "delete", group),
        recorded_by=db.session.get(User, group.recorded_by_id), **_labels(group))


def _group_now(group_session_id: int) -> str:
    current = db.session.get(GroupSession, group_session_id)
    if current is None:
        return _("The group session has been deleted meanwhile.")
    lines = queries.group_lines(group_session_id, current.organisation_id)
    return _("Saved meanwhile: %(date)s, %(topic)s; attended %(attended)d of %(total)d.",
             date=format_date(current.held_on, "medium"), topic=current.topic,
             attended=sum(1 for line in lines if line.attended), total=len(lines))


@bp.route("/group-sessions/<int:group_session_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_group_session(group_session_id: int):
    group = get_or_404(GroupSession, group_session_id, current_user)
    _require("edit", group)
    notes = services.may_see_group_notes(current_user, group)
    lines = queries.group_lines(group.id, group.organisation_id)
    initial = {name: getattr(group, name) for name in services.GROUP_FIELDS} | {
        "version": group.version, "minors": [line.enrolment_id for line in lines],
        "absent": [line.enrolment_id for line in lines if not line.attended]}
    if notes:
        initial["confidential_notes"] = group.confidential_notes
    form = _group_form(group, notes, initial, [line.enrolment_id for line in lines])
    if form.validate_on_submit():
        result, saved = save(form, lambda: services.update_group_session(
            current_user, group, _group_data(form, notes), form.expected_version(), today()),
            lambda: _group_now(group_session_id))
        if saved:
            flash(_group_saved_message(result.ticked), "success")
            return redirect(url_for("sessions.group_session",
                                    group_session_id=group_session_id))
    return _render_group_form(form, group)


@bp.route("/group-sessions/<int:group_session_id>/delete", methods=["GET", "POST"])
@allow("record_work")
def delete_group_session(group_session_id: int):
    group = get_or_404(GroupSession, group_session_id, current_user)
    _require("delete", group)
    form = (DeleteGroupSessionForm(data={"version": group.version})
            if request.method == "GET" else DeleteGroupSessionForm())
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.delete_group_session(
            current_user, group, form.reason.data, form.expected_version()),
            lambda: _group_now(group_session_id))
        if saved:
            flash(_("The group session is deleted."), "success")
            return redirect(url_for("sessions.group_sessions"))
        if db.session.get(GroupSession, group_session_id) is None:
            flash(_("The group session has been deleted meanwhile."), "info")
            return redirect(url_for("sessions.group_sessions"))
    lines = queries.group_lines(group.id, group.organisation_id)
    return render_template("sessions/group_delete.html", form=form, group=group,
                           total=len(lines), ticked=sum(1 for line in lines if line.activity),
                           **_labels(group))


# --- the case page's section ----------------------------------------------------------


def sessions_panel(minor: Minor, case, user):
    """Sessions this month and in all, and the last few (never notes): for the school
    staff of the minor's school."""
    if user.role_enum not in SCHOOL_ROLES or minor.organisation_id != user.organisation_id:
        return None
    if case.current is not None:
        enrolment = case.current.enrolment
    elif case.history:
        enrolment = case.history[0].enrolment
    else:
        return None
    return "sessions/case_panel.html", {
        "minor_id": minor.id, "enrolment_id": enrolment.id,
        "summary": queries.panel(enrolment.id, today()),
        "may_record": enrolment.is_open and services.may_record(user, minor)}


CASE_PANELS.append(sessions_panel)
