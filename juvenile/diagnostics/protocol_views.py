"""The suicide-risk safety protocol: alerts, checklist, safety plan, contacts, clearing.

School staff of the minor's school see an episode and act on it; the district coordinator
sees its state and deadlines (never the notes or the plan) and acts on nothing. The
banners (an unacknowledged alert; the coordinator's overdue steps) are registered with
juvenile.web.BANNERS and the case-page section with juvenile.cases.views.CASE_PANELS.
"""

import click
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms import ActionForm, choices
from forms.crisis import ClearForm, JudgementForm, SafetyPlanForm, StepForm
from juvenile.access import allow, can, get_or_404, has_rule, may_see_answers
from juvenile.cases import services as case_services
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment, Minor
from juvenile.dbtypes import utcnow
from juvenile.diagnostics import protocol, protocol_queries
from juvenile.diagnostics.models import CrisisEpisode, SafetyPlan
from juvenile.extensions import db
from juvenile.viewhelpers import save

bp = Blueprint("crisis", __name__)


def _load(episode_id: int, action: str = "act") -> tuple[CrisisEpisode, Enrolment]:
    episode = get_or_404(CrisisEpisode, episode_id, current_user, action)
    return episode, db.session.get(Enrolment, episode.enrolment_id)


def _to_episode(episode: CrisisEpisode):
    return redirect(url_for("crisis.episode", episode_id=episode.id))


def _step_form(status) -> StepForm:
    form = StepForm()
    form.key.choices = choices([(i.key, i.label) for i in status.pending()], "—")
    return form


def _clear_form(episode: CrisisEpisode) -> ClearForm:
    form = ClearForm()
    if not form.is_submitted():
        form.version.data = episode.version
    return form


def _render_episode(episode, enrolment, step_form=None, clear_form=None, status=None):
    now = utcnow()
    status = status or protocol_queries.status_of_episode(episode, now)
    user = current_user
    acts = can(user, "act", episode)
    recipients = protocol_queries.alert_recipients(episode, enrolment)
    people = protocol_queries.names(
        [i.done_by_id for i in status.items] + list(status.acknowledged)
        + [episode.raised_by_id, episode.cleared_by_id]
        + [by for _at, by, _note in status.judgement_notes])
    return render_template(
        "diagnostics/crisis/episode.html", episode=episode, enrolment=enrolment,
        minor=enrolment.minor, status=status, now=now, people=people, recipients=recipients,
        acts=acts and episode.cleared_at is None, school_staff=acts,
        clinical=acts and may_see_answers(user, enrolment.minor, enrolment),
        may_acknowledge=user.id in {u.id for u in recipients}
        and user.id not in status.acknowledged,
        may_clear=enrolment.responsible_id == user.id,
        step_form=step_form or _step_form(status),
        clear_form=clear_form or _clear_form(episode),
        missing=status.missing_for_clearing(now), overdue=status.overdue(now),
        labels=protocol)


@bp.route("/episodes/<int:episode_id>")
@allow("crisis_protocol")
def episode(episode_id: int):
    episode, enrolment = _load(episode_id, "view")
    return _render_episode(episode, enrolment)


@bp.route("/episodes/<int:episode_id>/steps", methods=["POST"])
@allow("work_on_cases")
def record_step(episode_id: int):
    episode, enrolment = _load(episode_id)
    status = protocol_queries.status_of_episode(episode, utcnow())
    form = _step_form(status)
    if form.validate_on_submit():
        step, saved = save(form, lambda: protocol.record_step(
            current_user, episode, form.key.data, form.note.data or "", today()))
        if saved:
            flash(_("Recorded: %(step)s.", step=protocol.STEP_LABELS[step.key]), "success")
            return _to_episode(episode)
    return _render_episode(episode, enrolment, step_form=form)


@bp.route("/episodes/<int:episode_id>/acknowledge", methods=["POST"])
@allow("work_on_cases")
def acknowledge(episode_id: int):
    episode, _enrolment = _load(episode_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    _result, saved = save(form, lambda: protocol.acknowledge_alert(current_user, episode))
    if saved:
        flash(_("You have acknowledged the crisis alert."), "success")
    else:
        flash(" ".join(form.form_errors), "error")
    return _to_episode(episode)


@bp.route("/episodes/<int:episode_id>/clear", methods=["POST"])
@allow("work_on_cases")
def clear(episode_id: int):
    episode, enrolment = _load(episode_id)
    form = _clear_form(episode)
    if form.validate_on_submit():
        _result, saved = save(form, lambda: protocol.clear_crisis(
            current_user, episode, form.reason.data, today(), form.expected_version()))
        if saved:
            flash(_("The crisis flag is cleared."), "success")
            return _to_episode(episode)
    return _render_episode(episode, enrolment, clear_form=form)


def _plan_data(form: SafetyPlanForm) -> protocol.SafetyPlanData:
    return protocol.SafetyPlanData(**{name: getattr(form, name).data
                                      for name in protocol.PLAN_FIELDS})


@bp.route("/episodes/<int:episode_id>/plan", methods=["GET", "POST"])
@allow("work_on_cases")
def safety_plan(episode_id: int):
    episode, enrolment = _load(episode_id)
    plan = db.session.scalar(db.select(SafetyPlan).where(SafetyPlan.episode_id == episode.id))
    if episode.cleared_at is not None:
        flash(_("This crisis episode is closed: its flag was cleared."), "info")
        return _to_episode(episode)
    form = SafetyPlanForm(obj=plan)
    if not form.is_submitted() and plan is not None:
        form.version.data = plan.version
    if form.validate_on_submit():
        _result, saved = save(form, lambda: protocol.save_safety_plan(
            current_user, episode, _plan_data(form), today(), plan,
            form.expected_version() if plan else None))
        if saved:
            flash(_("The safety plan is saved."), "success")
            return _to_episode(episode)
    status = protocol_queries.status_of_episode(episode, utcnow())
    return render_template("diagnostics/crisis/plan_form.html", form=form, plan=plan,
                           episode=episode, enrolment=enrolment, minor=enrolment.minor,
                           due=status.item("safety_plan"), now=utcnow(), today=today())


@bp.route("/episodes/<int:episode_id>/plan/print")
@allow("work_on_cases")
def print_plan(episode_id: int):
    episode, enrolment = _load(episode_id)
    plan = db.session.scalar(db.select(SafetyPlan).where(SafetyPlan.episode_id == episode.id))
    if plan is None:
        abort(404)
    return render_template("diagnostics/crisis/plan_print.html", plan=plan, episode=episode,
                           minor=enrolment.minor,
                           made_by=protocol_queries.names([plan.made_by_id]).get(
                               plan.made_by_id))


@bp.route("/minors/<int:minor_id>/crisis/raise", methods=["GET", "POST"])
@allow("record_assessments")  # the psychologists' rule: raising by judgement is theirs
def raise_judgement(minor_id: int):
    minor = get_or_404(Minor, minor_id, current_user, "edit")
    enrolment = case_services.open_enrolment(minor)
    if enrolment is None:
        flash(_("The minor is not in the programme now."), "info")
        return redirect(url_for("cases.case_file", minor_id=minor.id))
    form = JudgementForm()
    form.severity.choices = choices(
        [(key, label) for key, label in protocol.SEVERITY_LABELS.items()], "—")
    if form.validate_on_submit():
        episode, saved = save(form, lambda: protocol.raise_by_judgement(
            current_user, enrolment, form.severity.data, form.note.data, today()))
        if saved:
            flash(_("The crisis flag is raised: follow the safety protocol now."), "error")
            return _to_episode(episode)
    return render_template("diagnostics/crisis/raise.html", form=form, minor=minor,
                           enrolment=enrolment, current=protocol.open_episode(enrolment))


@bp.cli.command("escalate")
def escalate_command():
    """Mark episodes with a missed deadline and e-mail the district coordinators."""
    count = protocol.notify_coordinators()
    db.session.commit()
    click.echo(f"{count} episode(s) escalated")


# --- banners and the case-page section ------------------------------------------------------


def alert_banner(user):
    alerts = protocol_queries.unacknowledged_alerts(user)
    return ("diagnostics/crisis/_alert_banner.html", {"alerts": alerts}) if alerts else None


def overdue_banner(user):
    overdue = protocol_queries.district_overdue(user, utcnow())
    return ("diagnostics/crisis/_overdue_banner.html", {"episodes": overdue}) \
        if overdue else None


def case_panel(minor, case, user):
    if case.current is None or not has_rule(user, "crisis_protocol"):
        return None
    enrolment = case.current.enrolment
    if not can(user, "view", enrolment):
        return None
    episodes = protocol_queries.episodes_of(enrolment)
    current = next((e for e in episodes if e.cleared_at is None), None)
    may_raise = has_rule(user, "record_assessments") and can(user, "edit", minor)
    if not episodes and not enrolment.crisis and not may_raise:
        return None
    now = utcnow()
    status = protocol_queries.status_of_episode(current, now) if current else None
    return ("diagnostics/crisis/_case_panel.html", {
        "enrolment": enrolment, "current": current, "status": status, "now": now,
        "overdue": status.overdue(now) if status else [],
        "earlier": [e for e in episodes if e is not current], "may_raise": may_raise,
        "labels": protocol})


def _register() -> None:
    from juvenile import web
    from juvenile.cases.views import CASE_PANELS

    for banner in (alert_banner, overdue_banner):
        if banner not in web.BANNERS:
            web.BANNERS.append(banner)
    if case_panel not in CASE_PANELS:
        CASE_PANELS.append(case_panel)


_register()
