"""The stage requirements of the programme's work (issue 5), each with its regional
setting: an approved IRP and home visits in the initial stage, consultations at a
minimum frequency in active rehabilitation, IRP reviews in follow-up. A setting of 0
turns the requirement off (it shows as met)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from juvenile.cases.models import Stage
from juvenile.cases.stages import requirement
from juvenile.extensions import db
from juvenile.familywork.models import LivingConditionsAct
from juvenile.irp.models import IrpVersion
from juvenile.sessions.models import PSYCHOLOGICAL_KINDS, Session
from juvenile.settings.registry import SettingSpec, register

VISITS, DAYS, REVIEWS, YES_NO = _l("visits"), _l("days"), _l("reviews"), _l("1 yes, 0 no")

IRP_REQUIRED = register(SettingSpec(
    "irp_required_initial", _l("Initial stage: an approved IRP is required"), 1, 0, 1, YES_NO))
HOME_VISITS_INITIAL = register(SettingSpec(
    "home_visits_initial", _l("Initial stage: home visits with an act required"), 1, 0, 5,
    VISITS))
CONSULTATION_INTERVAL_DAYS = register(SettingSpec(
    "consultation_interval_days",
    _l("Active rehabilitation: at least one consultation per this many days (0: off)"),
    7, 0, 31, DAYS))
IRP_REVIEWS_FOLLOW_UP = register(SettingSpec(
    "irp_reviews_follow_up", _l("Follow-up: IRP reviews required"), 1, 0, 6, REVIEWS))


@requirement(Stage.INITIAL, "irp_approved", lambda s: str(_l("The IRP is approved")))
def irp_approved(enrolment, today, settings):
    if not settings[IRP_REQUIRED.key]:
        return True
    return db.session.scalar(select(func.count(IrpVersion.id)).where(
        IrpVersion.enrolment_id == enrolment.id, IrpVersion.approved_on.is_not(None))) > 0


@requirement(Stage.INITIAL, "home_visit",
             lambda s: str(_l("Home visits with a living-conditions act: %(n)d",
                              n=s[HOME_VISITS_INITIAL.key])))
def home_visit(enrolment, today, settings):
    needed = settings[HOME_VISITS_INITIAL.key]
    if not needed:
        return True
    return db.session.scalar(select(func.count(LivingConditionsAct.id)).where(
        LivingConditionsAct.enrolment_id == enrolment.id)) >= needed


def consultations_needed(enrolment, today, interval_days: int) -> int:
    """One consultation per ``interval_days`` of the active stage so far (whole periods)."""
    if not interval_days:
        return 0
    return max((today - enrolment.stage_started_on).days, 0) // interval_days


def consultations_held(enrolment, since, today) -> int:
    """Psychological sessions the minor attended from ``since`` to ``today``."""
    return db.session.scalar(select(func.count(Session.id)).where(
        Session.enrolment_id == enrolment.id,
        Session.kind.in_([k.value for k in PSYCHOLOGICAL_KINDS]),
        Session.attended.is_(True),
        Session.held_on >= since, Session.held_on <= today))


@requirement(Stage.ACTIVE, "consultation_frequency",
             lambda s: str(_l("At least one consultation per %(n)d days of active "
                              "rehabilitation", n=s[CONSULTATION_INTERVAL_DAYS.key])))
def consultation_frequency(enrolment, today, settings):
    needed = consultations_needed(enrolment, today, settings[CONSULTATION_INTERVAL_DAYS.key])
    if not needed:
        return True
    return consultations_held(enrolment, enrolment.stage_started_on, today) >= needed


@requirement(Stage.FOLLOW_UP, "irp_review",
             lambda s: str(_l("IRP reviews in follow-up: %(n)d",
                              n=s[IRP_REVIEWS_FOLLOW_UP.key])))
def irp_review(enrolment, today, settings):
    needed = settings[IRP_REVIEWS_FOLLOW_UP.key]
    if not needed:
        return True
    return db.session.scalar(select(func.count(IrpVersion.id)).where(
        IrpVersion.enrolment_id == enrolment.id, IrpVersion.is_review.is_(True),
        IrpVersion.approved_on.is_not(None),
        IrpVersion.approved_on >= enrolment.stage_started_on)) >= needed
