"""The suicide-risk safety protocol (INSTRUMENTS.md, "The safety protocol").

A raised crisis flag opens a CrisisEpisode. What the protocol then requires, and by when,
is computed from the records (``protocol_queries.status_of``); the services here record
what was done, by whom and when, and refuse what the protocol does not allow. Every
change is audited and put on the case timeline (protocol lines are not clinical detail:
they say what happened, never what the minor said).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from juvenile import access
from juvenile.accounts.models import Role, User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases import services as case_services
from juvenile.cases.models import Enrolment, Incident, IncidentKind
from juvenile.dbtypes import utcnow
from juvenile.diagnostics import mail
from juvenile.diagnostics.models import Assessment, CrisisEpisode, CrisisStep, SafetyPlan
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.settings.registry import DAYS, SettingSpec, register

ACUTE, POSITIVE = "acute", "positive"
SEVERITIES = (ACUTE, POSITIVE)
TRIGGERS = ("asq_acute", "asq_positive", "phq_item9", "attempt", "self_harm", "judgement")
#: Triggers that are acute whatever the caller says (INSTRUMENTS.md: the acute path).
ACUTE_TRIGGERS = frozenset({"asq_acute", "attempt", "self_harm"})

#: The acute checklist, in the order it is done.
CHECKLIST = ("not_alone", "means_removed", "representative_informed", "health_contacted")
BRIEF_ASSESSMENT = "brief_assessment"
CONTACTS = ("contact_24h", "contact_72h", "contact_7d")
#: Steps a user records on the episode page.
RECORDABLE = (*CHECKLIST, BRIEF_ASSESSMENT, *CONTACTS)
ACKNOWLEDGED = "acknowledged"
#: Markers the services write: when a positive episode turned acute, when an attempt
#: joined an open episode (the contacts count from it), the psychologist's judgement.
BECAME_ACUTE, ATTEMPT_RECORDED, JUDGEMENT = "became_acute", "attempt_recorded", "judgement"

STEP_LABELS = {
    "not_alone": _l("The minor is not left alone"),
    "means_removed": _l("Dangerous means removed"),
    "representative_informed": _l("Legal representative informed"),
    "health_contacted": _l("Health services (psychiatrist or emergency) contacted"),
    BRIEF_ASSESSMENT: _l("Brief safety assessment"),
    "contact_24h": _l("Contact at 24 hours"),
    "contact_72h": _l("Contact at 72 hours"),
    "contact_7d": _l("Contact at 7 days"),
    "safety_plan": _l("Safety plan"),
    ACKNOWLEDGED: _l("Alert acknowledged"),
}
TRIGGER_LABELS = {
    "asq_acute": _l("ASQ: acute positive"), "asq_positive": _l("ASQ: positive"),
    "phq_item9": _l("PHQ-A item 9"), "attempt": _l("suicide attempt"),
    "self_harm": _l("self-harm"), "judgement": _l("the psychologist's judgement"),
}
SEVERITY_LABELS = {ACUTE: _l("acute"), POSITIVE: _l("positive, not acute")}

HOURS = _l("hours")
ACUTE_HOURS = register(SettingSpec(
    "crisis_acute_hours", _l("Crisis, acute: checklist done within, hours"), 1, 1, 24, HOURS))
BRIEF_ASSESSMENT_DAYS = register(SettingSpec(
    "crisis_brief_assessment_days",
    _l("Crisis, positive: brief safety assessment, days after the screen (0 = same day)"),
    0, 0, 3, DAYS))
SAFETY_PLAN_HOURS = register(SettingSpec(
    "crisis_safety_plan_hours", _l("Crisis: safety plan made within, hours"), 24, 1, 72, HOURS))
CONTACT_FIRST_HOURS = register(SettingSpec(
    "crisis_contact_first_hours", _l("After an attempt: first contact, hours"), 24, 1, 72,
    HOURS))
CONTACT_SECOND_HOURS = register(SettingSpec(
    "crisis_contact_second_hours", _l("After an attempt: second contact, hours"), 72, 24, 168,
    HOURS))
CONTACT_LAST_DAYS = register(SettingSpec(
    "crisis_contact_last_days", _l("After an attempt: last contact, days"), 7, 3, 30, DAYS))

audit_labels.ACTION_LABELS.update({
    "crisis_raised": _l("raised the crisis flag"), "crisis_acute": _l("made the crisis acute"),
    "crisis_step": _l("recorded a protocol step"),
    "crisis_acknowledged": _l("acknowledged the crisis alert"),
    "crisis_cleared": _l("cleared the crisis flag"),
    "crisis_escalated": _l("escalated to the district coordinator"),
})
audit_labels.OBJECT_LABELS.update({"crisis_episodes": _l("Crisis episode"),
                                   "safety_plans": _l("Safety plan")})


# --- who may do what to an episode ------------------------------------------------------


def episode_policy(user: User, action: str, episode: CrisisEpisode) -> bool:
    """School staff of the school that has the case now (it moves on a hand-over) see and
    act; the district's coordinator only views (status and deadlines, never notes or the
    plan); nobody else sees it."""
    role = user.role_enum
    if role not in access.SCHOOL_ROLES and role is not Role.DISTRICT_COORDINATOR:
        return False
    enrolment = db.session.get(Enrolment, episode.enrolment_id)
    if role in access.SCHOOL_ROLES:
        return enrolment.organisation_id == user.organisation_id
    return action == "view" and enrolment.district_id is not None and (
        enrolment.district_id == user.organisation.district_id)


access.register_policy(CrisisEpisode, episode_policy)


# --- raising ----------------------------------------------------------------------------


def open_episode(enrolment: Enrolment) -> CrisisEpisode | None:
    return db.session.scalar(select(CrisisEpisode).where(
        CrisisEpisode.enrolment_id == enrolment.id, CrisisEpisode.cleared_at.is_(None))
        .order_by(CrisisEpisode.id.desc()).limit(1))


def raise_crisis(actor: User, enrolment: Enrolment, *, trigger: str, severity: str,
                 today: date, assessment: Assessment | None = None,
                 incident: Incident | None = None,
                 now: datetime | None = None) -> CrisisEpisode:
    """Raise the case's crisis flag: open an episode, or return the open one (turning a
    positive episode acute, or adding an attempt's follow-up contacts, as needed).

    Alerts the responsible specialist and the school's deputy head (page banner, and
    e-mail when mail is configured).
    """
    if trigger not in TRIGGERS or severity not in SEVERITIES:
        raise ValueError(f"unknown crisis trigger or severity: {trigger!r}, {severity!r}")
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed."))
    if trigger in ACUTE_TRIGGERS:
        severity = ACUTE
    now = now or utcnow()
    episode = open_episode(enrolment)
    if episode is not None:
        _escalate(actor, episode, trigger, severity, today, now, assessment, incident)
        return episode
    episode = CrisisEpisode(
        enrolment_id=enrolment.id, minor_id=enrolment.minor_id, severity=severity,
        trigger=trigger, assessment_id=assessment.id if assessment else None,
        incident_id=incident.id if incident else None, raised_at=now, raised_by_id=actor.id,
        organisation_id=enrolment.organisation_id, district_id=enrolment.district_id)
    db.session.add(episode)
    if not enrolment.crisis:
        enrolment.crisis, enrolment.crisis_raised_on = True, today
    db.session.flush()
    audit.record(actor, "crisis_raised", episode, enrolment.audit_label,
                 {"severity": severity, "trigger": trigger,
                  "assessment_id": episode.assessment_id, "incident_id": episode.incident_id})
    _event(enrolment, today, actor, {"event": "raised", "severity": severity, "trigger": trigger})
    _alert(episode, enrolment)
    return episode


def _escalate(actor: User, episode: CrisisEpisode, trigger: str, severity: str, today: date,
              now: datetime, assessment: Assessment | None, incident: Incident | None) -> None:
    """A new reason on an open episode: acute over positive; an attempt adds contacts."""
    changes = {}
    if severity == ACUTE and episode.severity != ACUTE:
        changes["severity"] = [episode.severity, ACUTE]
        episode.severity = ACUTE
        db.session.add(CrisisStep(episode_id=episode.id, key=BECAME_ACUTE, done_at=now,
                                  done_by_id=actor.id))
    if trigger == "attempt" and episode.trigger != "attempt":
        changes["trigger"] = [episode.trigger, trigger]
        episode.trigger = trigger
        db.session.add(CrisisStep(episode_id=episode.id, key=ATTEMPT_RECORDED, done_at=now,
                                  done_by_id=actor.id))
    if not changes:
        return
    enrolment = db.session.get(Enrolment, episode.enrolment_id)
    db.session.flush()
    changes |= {"assessment_id": assessment.id if assessment else None,
                "incident_id": incident.id if incident else None}
    audit.record(actor, "crisis_acute", episode, enrolment.audit_label, changes)
    _event(enrolment, today, actor,
           {"event": "escalated", "severity": episode.severity, "trigger": trigger})
    _alert(episode, enrolment)


def raise_by_judgement(actor: User, enrolment: Enrolment, severity: str, note: str,
                       today: date, now: datetime | None = None) -> CrisisEpisode:
    """A psychologist raises the flag (or makes it acute) by clinical judgement."""
    if actor.role_enum is not Role.PSYCHOLOGIST:
        raise ServiceError(_("The crisis flag is raised by clinical judgement of a "
                             "psychologist."))
    if severity not in SEVERITIES:
        raise ServiceError(_("Choose how severe the risk is."), "severity")
    if not note.strip():
        raise ServiceError(_("Say what the judgement rests on."), "note")
    now = now or utcnow()
    episode = raise_crisis(actor, enrolment, trigger="judgement", severity=severity,
                           today=today, now=now)
    step = db.session.scalar(select(CrisisStep).where(
        CrisisStep.episode_id == episode.id, CrisisStep.key == JUDGEMENT,
        CrisisStep.done_by_id == actor.id))
    if step is None:
        db.session.add(CrisisStep(episode_id=episode.id, key=JUDGEMENT, done_at=now,
                                  done_by_id=actor.id, note=note.strip()))
    else:
        step.note = f"{step.note}\n\n{note.strip()}"
    db.session.flush()
    return episode


def _on_incident(actor: User, enrolment: Enrolment, incident: Incident) -> None:
    """cases.services.record_incident: an attempt or self-harm opens an acute episode."""
    kind = IncidentKind(incident.kind)
    trigger = "attempt" if kind is IncidentKind.SUICIDE_ATTEMPT else "self_harm"
    raise_crisis(actor, enrolment, trigger=trigger, severity=ACUTE,
                 today=incident.occurred_on, incident=incident)


if _on_incident not in case_services.CRISIS_HOOKS:
    case_services.CRISIS_HOOKS.append(_on_incident)


def _alert(episode: CrisisEpisode, enrolment: Enrolment) -> None:
    from juvenile.diagnostics.protocol_queries import alert_recipients

    if mail.enabled():
        mail.queue_crisis_alert(alert_recipients(episode, enrolment), episode,
                                enrolment.minor.audit_label)


# --- steps ------------------------------------------------------------------------------


def _open(episode: CrisisEpisode) -> None:
    if episode.cleared_at is not None:
        raise ServiceError(_("This crisis episode is closed: its flag was cleared."))


def _label(episode: CrisisEpisode) -> str:
    return db.session.get(Enrolment, episode.enrolment_id).audit_label


def record_step(actor: User, episode: CrisisEpisode, key: str, note: str, today: date,
                now: datetime | None = None) -> CrisisStep:
    """Record a checklist item, the brief safety assessment or a follow-up contact, with
    who did it and when."""
    from juvenile.diagnostics.protocol_queries import status_of_episode

    _open(episode)
    now = now or utcnow()
    status = status_of_episode(episode, now)
    item = status.item(key)
    if item is None:
        raise ServiceError(_("This step is not part of this episode's protocol."), "key")
    if item.done_at is not None:
        raise ServiceError(_("This step is already recorded."), "key")
    if key == BRIEF_ASSESSMENT and not note.strip():
        raise ServiceError(_("Write down the outcome of the brief safety assessment."), "note")
    step = CrisisStep(episode_id=episode.id, key=key, done_at=now, done_by_id=actor.id,
                      note=note.strip() or None)
    db.session.add(step)
    db.session.flush()
    audit.record(actor, "crisis_step", episode, _label(episode),
                 {"step": key, "done_at": now.isoformat(), "late": item.is_late(now)})
    enrolment = db.session.get(Enrolment, episode.enrolment_id)
    _event(enrolment, today, actor, {"event": "step", "step": key})
    return step


def acknowledge_alert(actor: User, episode: CrisisEpisode,
                      now: datetime | None = None) -> CrisisStep:
    """The responsible specialist or the deputy head confirms they have seen the alert;
    their banner goes away."""
    from juvenile.diagnostics.protocol_queries import alert_recipients

    _open(episode)
    enrolment = db.session.get(Enrolment, episode.enrolment_id)
    if actor.id not in {u.id for u in alert_recipients(episode, enrolment)}:
        raise ServiceError(_("The alert goes to the responsible specialist and the deputy "
                             "head: only they acknowledge it."))
    done = db.session.scalar(select(CrisisStep).where(
        CrisisStep.episode_id == episode.id, CrisisStep.key == ACKNOWLEDGED,
        CrisisStep.done_by_id == actor.id))
    if done is not None:
        return done
    step = CrisisStep(episode_id=episode.id, key=ACKNOWLEDGED, done_at=now or utcnow(),
                      done_by_id=actor.id)
    db.session.add(step)
    db.session.flush()
    audit.record(actor, "crisis_acknowledged", episode, enrolment.audit_label,
                 {"done_at": step.done_at.isoformat()})
    return step


# --- the safety plan --------------------------------------------------------------------

PLAN_FIELDS = ["warning_signs", "coping_strategies", "distracting_people_places",
               "people_to_ask", "professionals_and_lines", "safe_environment", "review_on"]


@dataclass
class SafetyPlanData:
    warning_signs: str
    coping_strategies: str
    distracting_people_places: str
    people_to_ask: str
    professionals_and_lines: str
    safe_environment: str
    review_on: date


def save_safety_plan(actor: User, episode: CrisisEpisode, data: SafetyPlanData, today: date,
                     plan: SafetyPlan | None = None, expected_version: int | None = None,
                     now: datetime | None = None) -> SafetyPlan:
    """Make the six-part safety plan (Stanley–Brown) with its review date, or revise it."""
    _open(episode)
    for name in PLAN_FIELDS[:-1]:
        value = (getattr(data, name) or "").strip()
        if not value:
            raise ServiceError(_("Fill in every part of the plan."), name)
        setattr(data, name, value)
    if data.review_on is None or data.review_on <= today:
        raise ServiceError(_("The review date is after today."), "review_on")
    if plan is None:
        if db.session.scalar(select(SafetyPlan.id).where(SafetyPlan.episode_id == episode.id)):
            raise ServiceError(_("The plan was made meanwhile: open it and revise it."))
        plan = SafetyPlan(episode_id=episode.id, made_at=now or utcnow(), made_by_id=actor.id,
                          **data.__dict__)
        db.session.add(plan)
        before, action, event = {}, "create", "plan_made"
    else:
        check_version(plan, expected_version)
        before, action, event = audit.snapshot(plan, PLAN_FIELDS), "update", "plan_revised"
        for name, value in data.__dict__.items():
            setattr(plan, name, value)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
    if changes:
        # The parts are clinical: the trail names what changed, not what it says.
        audit.record(actor, action, plan, _label(episode),
                     {name: "…" if name != "review_on" else value
                      for name, value in changes.items()}, scope=episode.audit_scope)
        enrolment = db.session.get(Enrolment, episode.enrolment_id)
        _event(enrolment, today, actor, {"event": event, "review_on": str(data.review_on)})
    return plan


# --- clearing ---------------------------------------------------------------------------


def clear_crisis(actor: User, episode: CrisisEpisode, reason: str, today: date,
                 expected_version: int | None = None,
                 now: datetime | None = None) -> None:
    """The responsible specialist clears the flag, with a reason, once the checklist (or
    the brief assessment), the safety plan and the contacts due so far are recorded."""
    from juvenile.diagnostics.protocol_queries import status_of_episode

    check_version(episode, expected_version)
    _open(episode)
    enrolment = db.session.get(Enrolment, episode.enrolment_id)
    if enrolment.responsible_id is None or enrolment.responsible_id != actor.id:
        raise ServiceError(_("Only the responsible specialist of the case clears the crisis "
                             "flag."))
    if not reason.strip():
        raise ServiceError(_("Give the reason for clearing the flag."), "reason")
    now = now or utcnow()
    missing = status_of_episode(episode, now).missing_for_clearing(now)
    if missing:
        raise ServiceError(_("The flag cannot be cleared yet. Not recorded: %(items)s",
                             items="; ".join(item.label for item in missing)))
    episode.cleared_at, episode.cleared_by_id = now, actor.id
    episode.clear_reason = reason.strip()
    enrolment.crisis = False
    db.session.flush()
    audit.record(actor, "crisis_cleared", episode, enrolment.audit_label,
                 {"crisis": [True, False], "reason": reason.strip()})
    audit.record(actor, "crisis", enrolment, enrolment.audit_label, {"crisis": [True, False]})
    _event(enrolment, today, actor, {"event": "cleared"})


# --- escalation -------------------------------------------------------------------------


def notify_coordinators(now: datetime | None = None) -> int:
    """Mark open episodes with a missed deadline as escalated (escalated_at) and e-mail the
    district coordinators, once per episode. Run periodically (``flask crisis escalate``);
    the coordinators' pages show overdue episodes from the records whether or not it ran."""
    from juvenile.diagnostics.protocol_queries import overdue_episodes

    now = now or utcnow()
    count = 0
    for episode, overdue in overdue_episodes(now):
        if episode.escalated_at is not None:
            continue
        episode.escalated_at = now
        db.session.flush()
        audit.record(None, "crisis_escalated", episode, _label(episode),
                     {"overdue": [item.key for item in overdue]})
        if mail.enabled():
            mail.queue_escalation(episode, _label(episode), [item.key for item in overdue])
        count += 1
    return count


def _event(enrolment: Enrolment, today: date, actor: User | None, data: dict) -> None:
    """A protocol line on the timeline. It names steps, never notes; like the crisis flag
    itself it is for the school's staff, not the police (clinical=True)."""
    case_services.add_event(enrolment.minor, "crisis_protocol", today, actor,
                            enrolment=enrolment, data=data, clinical=True)


# The read side registers how protocol lines read on the timeline.
from juvenile.diagnostics import protocol_queries  # noqa: E402, F401
