"""The demo region's crisis episodes, in every state of the safety protocol.

Every case the demo raised the crisis flag for (a suicide attempt or self-harm during an
open enrolment) gets its episode, and four more cases of the named psychologist's school
get one (three raised by clinical judgement, one by a recorded attempt). They are written
through the protocol's services with past times (``now=``), so the audit trail and the
timeline say what the services would have said. States, relative to the moment the demo is loaded:

- just raised, the alert not yet acknowledged (the named psychologist and deputy head
  see its banner on every page);
- acknowledged, the acute checklist in progress;
- the checklist done and the safety plan made (the contacts, after an attempt, as due);
- the contacts after an attempt partly done;
- overdue: steps missing past their deadline (the district coordinator sees it);
- cleared by the responsible specialist, with a reason.
"""

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from juvenile.accounts.models import Organisation, Role, User
from juvenile.cases import services as case_services
from juvenile.cases.models import Enrolment, Incident
from juvenile.dbtypes import utcnow
from juvenile.demo.cases import SHOWCASE
from juvenile.diagnostics import protocol
from juvenile.diagnostics.protocol_queries import status_of_episode
from juvenile.extensions import db

if TYPE_CHECKING:
    from juvenile.demo.builder import DemoRegion

#: The states the flag-raising incidents' episodes cycle through.
INCIDENT_STATES = ["overdue", "contacts", "plan_made", "cleared"]

NOTES = {
    "not_alone": "Сынып жетекшісі қасында болды / С ним оставался классный руководитель",
    "means_removed": "Дәрі-дәрмек жиналды / Лекарства убраны, ключи у матери",
    "representative_informed": "Анасына телефон арқылы хабарланды / Мать извещена по телефону",
    "health_contacted": "Психиатрға жазылды / Записан к детскому психиатру",
    "brief_assessment": "Жоспары жоқ, қорғаныш факторлары бар / Плана нет, есть "
                        "защитные факторы",
    "contact_24h": "Үйінде, тыныш / Дома, спокоен",
    "contact_72h": "Сабаққа келді / Пришёл на занятия",
    "contact_7d": "Жағдайы тұрақты / Состояние стабильное",
}
PLAN = dict(
    warning_signs="Оқшауланады, ұйықтамайды / Замыкается, не спит",
    coping_strategies="Музыка, серуендеу / Музыка, прогулка",
    distracting_people_places="Әжесінің үйі, спорт залы / Дом бабушки, спортзал",
    people_to_ask="Ағасы, сынып жетекшісі / Дядя, классный руководитель",
    professionals_and_lines="Мектеп психологы; 150; 103 / Школьный психолог; 150; 103",
    safe_environment="Дәрілер мен өткір заттар құлыпта / Лекарства и острые предметы под "
                     "замком")


def build_crisis(demo: "DemoRegion") -> None:
    """Episodes for the demo's crisis cases, and four more in the showcase school."""
    now = utcnow()
    flagged = list(db.session.scalars(
        select(Enrolment).where(Enrolment.crisis.is_(True), Enrolment.closed_on.is_(None))
        .order_by(Enrolment.id)))
    # The named psychologist's case shows the contacts; the named coordinator's district
    # (Taraz) comes first, so it has an overdue episode.
    showcase = [e for e in flagged if e.organisation.code == SHOWCASE]
    others = sorted((e for e in flagged if e not in showcase),
                    key=lambda e: (e.organisation.code[:3] != "TRZ", e.id))
    states = ["contacts"] * len(showcase) + [
        INCIDENT_STATES[n % len(INCIDENT_STATES)] for n in range(len(others))]
    for enrolment, state in zip(showcase + others, states, strict=True):
        incident = db.session.scalar(select(Incident).where(
            Incident.enrolment_id == enrolment.id,
            Incident.occurred_on == enrolment.crisis_raised_on,
            Incident.kind.in_(["suicide_attempt", "self_harm"])))
        raised = min(_at(enrolment.crisis_raised_on, 10), now - timedelta(hours=2))
        _play(enrolment, incident, raised, state, now)
    _showcase_judgements(now, {e.id for e in flagged})


def _at(day, hour: int) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(hour), zone).astimezone(UTC)


def _day(moment: datetime):
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.astimezone(zone).date()


def _people(enrolment: Enrolment) -> tuple[User, User, User]:
    """(the acting specialist, the responsible specialist or a psychologist, deputy head)"""
    staff = {u.role: u for u in db.session.scalars(select(User).where(
        User.organisation_id == enrolment.organisation_id).order_by(User.id))}
    psychologist = staff[Role.PSYCHOLOGIST.value]
    return psychologist, enrolment.responsible or psychologist, staff[Role.SCHOOL_ADMIN.value]


def _play(enrolment: Enrolment, incident: Incident | None, raised: datetime, state: str,
          now: datetime) -> None:
    """Raise an incident's episode and take it as far as ``state``."""
    actor, responsible, deputy = _people(enrolment)
    trigger = "attempt" if incident is None or incident.kind == "suicide_attempt" \
        else "self_harm"
    episode = protocol.raise_crisis(actor, enrolment, trigger=trigger, severity="acute",
                                    today=_day(raised), incident=incident, now=raised)
    protocol.acknowledge_alert(responsible, episode, now=raised + timedelta(minutes=10))
    steps = protocol.CHECKLIST[:2] if state == "overdue" else protocol.CHECKLIST
    for n, key in enumerate(steps):
        _step(actor, episode, key, raised + timedelta(minutes=15 + 10 * n))
    if state == "overdue":
        return
    protocol.acknowledge_alert(deputy, episode, now=raised + timedelta(minutes=20))
    _plan(actor, episode, raised + timedelta(hours=5))
    status = status_of_episode(episode, now)
    contacts = [i for i in status.items if i.is_contact and i.due_at <= now]
    if state == "contacts":
        contacts = contacts[:2]
    for item in contacts:
        _step(responsible, episode, item.key, item.due_at - timedelta(hours=2))
    if state == "cleared" and enrolment.responsible_id is not None and not (
            status_of_episode(episode, now).missing_for_clearing(now)):
        cleared = max((i.done_at for i in status_of_episode(episode, now).items
                       if i.done_at), default=raised) + timedelta(hours=1)
        protocol.clear_crisis(
            responsible, episode, "Психиатр қарады, қауіп төмен / Осмотрен психиатром, "
            "риск низкий; план безопасности действует", _day(cleared), now=min(cleared, now))


def _step(actor: User, episode, key: str, at: datetime) -> None:
    protocol.record_step(actor, episode, key, NOTES[key], _day(at), now=at)


def _plan(actor: User, episode, at: datetime) -> None:
    data = protocol.SafetyPlanData(**PLAN, review_on=_day(at) + timedelta(days=14))
    protocol.save_safety_plan(actor, episode, data, _day(at), now=at)


def _showcase_judgements(now: datetime, taken: set[int]) -> None:
    """Four more episodes in the named psychologist's school: one just raised and not
    acknowledged, one with its checklist in progress, an attempt with its contacts partly
    made, one positive and cleared."""
    school = db.session.scalar(select(Organisation).where(Organisation.code == SHOWCASE))
    psychologist = db.session.scalar(select(User.id).where(
        User.organisation_id == school.id, User.role == Role.PSYCHOLOGIST.value)
        .order_by(User.id).limit(1))
    candidates = [e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.organisation_id == school.id,
                                Enrolment.closed_on.is_(None), Enrolment.crisis.is_(False),
                                Enrolment.responsible_id == psychologist)
        .order_by(Enrolment.enrolled_on)) if e.id not in taken]
    if len(candidates) < 4:
        return
    oldest, attempted, older, newer = candidates[0], candidates[1], candidates[2], candidates[-1]
    _attempt(attempted, now)
    _judgement(newer, "acute", now - timedelta(minutes=15),
               "Прямо говорит о желании умереть / Өлгісі келетінін айтады")
    episode = _judgement(older, "acute", now - timedelta(minutes=40),
                         "Самоповреждения скрывает, высказывания о безнадёжности")
    actor, responsible, _deputy = _people(older)
    protocol.acknowledge_alert(responsible, episode, now=now - timedelta(minutes=35))
    for n, key in enumerate(protocol.CHECKLIST[:2]):
        _step(actor, episode, key, now - timedelta(minutes=30 - 10 * n))
    raised = max(_at(oldest.enrolled_on, 11), now - timedelta(days=20))
    episode = _judgement(oldest, "positive", raised, "Подавленность после конфликта дома")
    actor, responsible, deputy = _people(oldest)
    for user in {responsible.id: responsible, deputy.id: deputy}.values():
        protocol.acknowledge_alert(user, episode, now=raised + timedelta(minutes=30))
    _step(actor, episode, "brief_assessment", raised + timedelta(hours=2))
    _plan(actor, episode, raised + timedelta(hours=6))
    protocol.clear_crisis(responsible, episode, "Оценка повторена: риск низкий",
                          _day(raised + timedelta(days=10)), now=raised + timedelta(days=10))


def _attempt(enrolment: Enrolment, now: datetime) -> None:
    """A suicide attempt four days ago, recorded as an incident (which opens the episode):
    checklist and plan done, the contacts at 24 and 72 hours made, the 7-day one to come."""
    actor, responsible, deputy = _people(enrolment)
    raised = now - timedelta(days=4)
    case_services.record_incident(actor, enrolment.minor, "suicide_attempt", _day(raised),
                                  "Дәрі ішкен / Отравление лекарствами", _day(now))
    episode = protocol.open_episode(enrolment)
    episode.raised_at = raised
    for user in {responsible.id: responsible, deputy.id: deputy}.values():
        protocol.acknowledge_alert(user, episode, now=raised + timedelta(minutes=10))
    for n, key in enumerate(protocol.CHECKLIST):
        _step(actor, episode, key, raised + timedelta(minutes=20 + 10 * n))
    _plan(actor, episode, raised + timedelta(hours=4))
    for key, hours in (("contact_24h", 23), ("contact_72h", 70)):
        _step(responsible, episode, key, raised + timedelta(hours=hours))


def _judgement(enrolment: Enrolment, severity: str, at: datetime, note: str):
    psychologist, _responsible, _deputy = _people(enrolment)
    return protocol.raise_by_judgement(psychologist, enrolment, severity, note, _day(at),
                                       now=at)
