"""Read paths of the safety protocol: what an episode requires by when, who is alerted,
and the banners (each one query).

Deadlines are never stored: they follow from the episode's records and the regional
settings whenever they are read, so a changed setting applies at once and a missed
deadline shows the moment it passes (INSTRUMENTS.md: "a missed deadline escalates").
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from juvenile.accounts.models import Organisation, Role, User
from juvenile.cases.models import Enrolment, Minor
from juvenile.cases.timeline import register_kind
from juvenile.diagnostics import protocol as p
from juvenile.diagnostics.models import CrisisEpisode, CrisisStep, SafetyPlan
from juvenile.extensions import db
from juvenile.settings import registry
from juvenile.settings.models import RegionalSetting

PROTOCOL_SETTINGS = (p.ACUTE_HOURS, p.BRIEF_ASSESSMENT_DAYS, p.SAFETY_PLAN_HOURS,
                     p.CONTACT_FIRST_HOURS, p.CONTACT_SECOND_HOURS, p.CONTACT_LAST_DAYS)


@dataclass
class ProtocolItem:
    """One thing the protocol requires of an episode, by when, and whether it was done."""

    key: str
    due_at: datetime
    done_at: datetime | None = None
    done_by_id: int | None = None
    note: str | None = None
    #: Contacts are required for clearing only once their time has come.
    required_from: datetime | None = None

    @property
    def label(self) -> str:
        return str(p.STEP_LABELS[self.key])

    @property
    def is_contact(self) -> bool:
        return self.key in p.CONTACTS

    def is_overdue(self, now: datetime) -> bool:
        return self.done_at is None and now > self.due_at

    def is_late(self, now: datetime) -> bool:
        """Done (or being done at ``now``) after its deadline."""
        return (self.done_at or now) > self.due_at

    def left(self, now: datetime) -> timedelta:
        return self.due_at - now


@dataclass
class EpisodeStatus:
    episode: CrisisEpisode
    items: list[ProtocolItem]
    #: user id -> when they acknowledged the alert
    acknowledged: dict[int, datetime] = field(default_factory=dict)
    plan: SafetyPlan | None = None
    judgement_notes: list[CrisisStep] = field(default_factory=list)

    def item(self, key: str) -> ProtocolItem | None:
        return next((i for i in self.items if i.key == key), None)

    def overdue(self, now: datetime) -> list[ProtocolItem]:
        if self.episode.cleared_at is not None:
            return []
        return [i for i in self.items if i.is_overdue(now)]

    def missing_for_clearing(self, now: datetime) -> list[ProtocolItem]:
        return [i for i in self.items if i.done_at is None
                and (i.required_from is None or i.required_from <= now)]

    def pending(self) -> list[ProtocolItem]:
        """Steps still to record on the episode page (the plan has its own form)."""
        return [i for i in self.items if i.done_at is None and i.key in p.RECORDABLE]


def _local_day_end(moment: datetime, days: int) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    day = moment.astimezone(zone).date() + timedelta(days=days + 1)
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def status_of(episode: CrisisEpisode, steps: list, plan_made: tuple | None,
              settings: dict[str, int]) -> EpisodeStatus:
    """What ``episode`` requires by when, from its steps ((key, done_at, done_by_id, note)
    rows), its safety plan ((made_at, made_by_id) or None) and the regional settings."""
    done = {}
    for key, done_at, done_by_id, note in sorted(steps, key=lambda s: s[1]):
        done.setdefault(key, (done_at, done_by_id, note))

    def item(key, due_at, required_from=None):
        at, by, note = done.get(key, (None, None, None))
        return ProtocolItem(key, due_at, at, by, note, required_from)

    raised = episode.raised_at
    items = []
    became_acute = done.get(p.BECAME_ACUTE, (None,))[0]
    if episode.severity == p.POSITIVE or became_acute is not None:
        items.append(item(p.BRIEF_ASSESSMENT, _local_day_end(
            raised, settings[p.BRIEF_ASSESSMENT_DAYS.key])))
    if episode.severity == p.ACUTE:
        start = became_acute or raised
        due = start + timedelta(hours=settings[p.ACUTE_HOURS.key])
        items += [item(key, due) for key in p.CHECKLIST]
    plan_due = raised + timedelta(hours=settings[p.SAFETY_PLAN_HOURS.key])
    items.append(ProtocolItem("safety_plan", plan_due, *(plan_made or (None, None))))
    if episode.trigger == "attempt":
        base = done.get(p.ATTEMPT_RECORDED, (raised,))[0]
        marks = (timedelta(hours=settings[p.CONTACT_FIRST_HOURS.key]),
                 timedelta(hours=settings[p.CONTACT_SECOND_HOURS.key]),
                 timedelta(days=settings[p.CONTACT_LAST_DAYS.key]))
        items += [item(key, base + mark, base + mark)
                  for key, mark in zip(p.CONTACTS, marks, strict=True)]
    acknowledged = {}
    judgements = []
    for key, done_at, done_by_id, note in steps:
        if key == p.ACKNOWLEDGED:
            acknowledged[done_by_id] = done_at
        elif key == p.JUDGEMENT:
            judgements.append((done_at, done_by_id, note))
    return EpisodeStatus(episode, items, acknowledged, None, judgements)


def status_of_episode(episode: CrisisEpisode, now: datetime | None = None) -> EpisodeStatus:
    """The episode's status, read from the database (three queries)."""
    steps = db.session.execute(select(
        CrisisStep.key, CrisisStep.done_at, CrisisStep.done_by_id, CrisisStep.note)
        .where(CrisisStep.episode_id == episode.id)).all()
    plan = db.session.scalar(select(SafetyPlan).where(SafetyPlan.episode_id == episode.id))
    status = status_of(episode, [tuple(s) for s in steps],
                       (plan.made_at, plan.made_by_id) if plan else None, registry.values())
    status.plan = plan
    return status


def alert_recipients(episode: CrisisEpisode, enrolment: Enrolment) -> list[User]:
    """The responsible specialist and the school's deputy heads; while no specialist is
    responsible, the school's psychologists instead."""
    roles = [Role.SCHOOL_ADMIN.value]
    if enrolment.responsible_id is None:
        roles.append(Role.PSYCHOLOGIST.value)
    return list(db.session.scalars(select(User).where(
        User.is_enabled.is_(True),
        or_(User.id == enrolment.responsible_id,
            and_(User.organisation_id == enrolment.organisation_id, User.role.in_(roles))))
        .order_by(User.full_name, User.id)))


def names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


# --- banners --------------------------------------------------------------------------


@dataclass
class Alert:
    episode_id: int
    minor_name: str
    severity: str
    raised_at: datetime


def unacknowledged_alerts(user: User) -> list[Alert]:
    """Open episodes whose alert goes to ``user`` and which they have not acknowledged
    (one query)."""
    role = user.role_enum
    if role not in {Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN}:
        return []
    same_school = Enrolment.organisation_id == user.organisation_id
    if role is Role.SCHOOL_ADMIN:
        mine = same_school
    elif role is Role.PSYCHOLOGIST:
        mine = or_(Enrolment.responsible_id == user.id,
                   and_(same_school, Enrolment.responsible_id.is_(None)))
    else:
        mine = Enrolment.responsible_id == user.id
    acknowledged = exists().where(CrisisStep.episode_id == CrisisEpisode.id,
                                  CrisisStep.key == p.ACKNOWLEDGED,
                                  CrisisStep.done_by_id == user.id)
    rows = db.session.execute(
        select(CrisisEpisode.id, Minor.surname, Minor.given_name, CrisisEpisode.severity,
               CrisisEpisode.raised_at)
        .join(Enrolment, Enrolment.id == CrisisEpisode.enrolment_id)
        .join(Minor, Minor.id == CrisisEpisode.minor_id)
        .where(CrisisEpisode.cleared_at.is_(None), mine, ~acknowledged)
        .order_by(CrisisEpisode.raised_at).limit(20))
    return [Alert(i, f"{surname} {given}", severity, raised)
            for i, surname, given, severity, raised in rows]


@dataclass
class OverdueEpisode:
    episode_id: int
    minor_name: str
    school: str
    overdue: list[ProtocolItem]


def _setting_columns():
    stored = aliased(RegionalSetting)
    return [select(stored.value).where(stored.key == spec.key).scalar_subquery()
            .label(spec.key) for spec in PROTOCOL_SETTINGS]


def _open_episodes_with_steps(*where):
    """Open episodes with their steps, plan and the protocol's settings, in one query:
    (episode, minor, school, step key, done_at, done_by_id, plan made_at, made_by_id,
    *settings)."""
    return db.session.execute(
        select(CrisisEpisode, Minor, Organisation, CrisisStep.key, CrisisStep.done_at,
               CrisisStep.done_by_id, SafetyPlan.made_at, SafetyPlan.made_by_id,
               *_setting_columns())
        .join(Minor, Minor.id == CrisisEpisode.minor_id)
        .join(Enrolment, Enrolment.id == CrisisEpisode.enrolment_id)
        .join(Organisation, Organisation.id == Enrolment.organisation_id)
        .outerjoin(CrisisStep, CrisisStep.episode_id == CrisisEpisode.id)
        .outerjoin(SafetyPlan, SafetyPlan.episode_id == CrisisEpisode.id)
        .where(CrisisEpisode.cleared_at.is_(None), *where)
        .order_by(CrisisEpisode.raised_at, CrisisEpisode.id)).all()


def _overdue_from_rows(rows, now: datetime):
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row[0].id, []).append(row)
    for group in grouped.values():
        episode, minor, school, *_step, made_at, made_by_id = group[0][:8]
        settings = {spec.key: value if value is not None else spec.default
                    for spec, value in zip(PROTOCOL_SETTINGS, group[0][8:], strict=True)}
        steps = [(r[3], r[4], r[5], None) for r in group if r[3] is not None]
        plan = (made_at, made_by_id) if made_at is not None else None
        overdue = status_of(episode, steps, plan, settings).overdue(now)
        if overdue:
            yield episode, minor, school, overdue


def district_overdue(user: User, now: datetime) -> list[OverdueEpisode]:
    """The coordinator's district: open episodes with a missed deadline (one query)."""
    if user.role_enum is not Role.DISTRICT_COORDINATOR or not user.organisation.district_id:
        return []
    rows = _open_episodes_with_steps(
        Enrolment.district_id == user.organisation.district_id)
    return [OverdueEpisode(episode.id, minor.full_name, school.name, overdue)
            for episode, minor, school, overdue in _overdue_from_rows(rows, now)]


def overdue_episodes(now: datetime) -> list[tuple[CrisisEpisode, list[ProtocolItem]]]:
    """Every open episode of the region with a missed deadline (for the escalation run)."""
    return [(episode, overdue) for episode, _minor, _school, overdue in
            _overdue_from_rows(_open_episodes_with_steps(), now)]


def episodes_of(enrolment: Enrolment) -> list[CrisisEpisode]:
    return list(db.session.scalars(select(CrisisEpisode).where(
        CrisisEpisode.enrolment_id == enrolment.id).order_by(CrisisEpisode.raised_at.desc())))


# --- timeline lines -----------------------------------------------------------------------


def describe(data: dict) -> str:
    """How a "crisis_protocol" line of the timeline reads."""
    event = data["event"]
    if event in {"raised", "escalated"}:
        values = {"severity": p.SEVERITY_LABELS[data["severity"]],
                  "trigger": p.TRIGGER_LABELS[data["trigger"]]}
        if event == "raised":
            return _("Crisis flag raised (%(severity)s) after: %(trigger)s. Safety protocol "
                     "started.", **values)
        return _("Crisis is now %(severity)s, after: %(trigger)s.", **values)
    if event == "step":
        return _("Safety protocol: %(step)s.", step=p.STEP_LABELS[data["step"]])
    if event in {"plan_made", "plan_revised"}:
        review = format_date(date.fromisoformat(data["review_on"]), "medium")
        if event == "plan_made":
            return _("Safety plan made; review on %(date)s.", date=review)
        return _("Safety plan revised; review on %(date)s.", date=review)
    if event == "cleared":
        return _("Crisis flag cleared by the responsible specialist.")
    raise ValueError(event)


register_kind("crisis_protocol", _l("Safety protocol"), describe)
