"""Records that meet a stage's requirements, written directly for tests that are about
something else (moving stages, closing cases): the diagnostics of the stage, and the
programme's work (an approved IRP and a home visit, consultations, an IRP review)."""

from datetime import date, timedelta

from sqlalchemy import func, select

from juvenile.cases.models import Stage
from juvenile.familywork.models import LivingConditionsAct
from juvenile.irp.models import IrpStatus, IrpVersion
from juvenile.sessions.models import Session
from tests.matrices.diagnostics import record_diagnostics

#: The default interval of the consultation requirement (juvenile.irp.requirements).
CONSULTATION_DAYS = 7


def approve_irp(db, enrolment, actor, on: date, *, review: bool = False) -> IrpVersion:
    """An approved programme version (a review when ``review``), superseding the last."""
    current = db.session.scalar(select(IrpVersion).where(
        IrpVersion.enrolment_id == enrolment.id,
        IrpVersion.status == IrpStatus.APPROVED.value))
    if current is not None:
        current.status = IrpStatus.SUPERSEDED.value
        current.superseded_on = on
        db.session.flush()
    number = db.session.scalar(select(func.count(IrpVersion.id)).where(
        IrpVersion.enrolment_id == enrolment.id)) + 1
    irp = IrpVersion(enrolment_id=enrolment.id, minor_id=enrolment.minor_id,
                     organisation_id=enrolment.organisation_id,
                     district_id=enrolment.district_id, number=number,
                     status=IrpStatus.APPROVED.value, goals="Мақсаттар",
                     reason="Қайта қарау" if review else None, is_review=review,
                     based_on_id=current.id if current else None,
                     drafted_by_id=actor.id, approved_by_id=actor.id, approved_on=on)
    db.session.add(irp)
    db.session.flush()
    return irp


def home_visit(db, enrolment, actor, on: date) -> LivingConditionsAct:
    act = LivingConditionsAct(
        visited_on=on, address="Тараз, Абай көшесі 1", participants=[], household=[],
        housing_type="apartment", housing_condition="adequate",
        material_conditions="adequate", supervision="adequate", risk_factors=[],
        conclusions="Жағдайы қанағаттанарлық", recommendations="Бақылау",
        recorded_by_id=actor.id)
    act.place_from(enrolment)
    db.session.add(act)
    db.session.flush()
    return act


def consultations(db, enrolment, actor, until: date) -> int:
    """Enough consultations for the active stage up to ``until`` (one per interval)."""
    needed = max((until - enrolment.stage_started_on).days, 0) // CONSULTATION_DAYS
    for n in range(needed):
        held_on = min(enrolment.stage_started_on + timedelta(days=n * CONSULTATION_DAYS), until)
        session = Session(kind="consultation", held_on=held_on, duration_minutes=40,
                          format="in_person", conducted_by_id=actor.id, summary="",
                          recorded_by_id=actor.id)
        session.place_from(enrolment)
        db.session.add(session)
    db.session.flush()
    return needed


def meet_stage_requirements(db, enrolment, actor, on: date | None = None) -> None:
    """Everything the enrolment's current stage asks of the diagnostics and the
    programme's work, dated ``on`` (default: the stage's first day)."""
    day = on or enrolment.stage_started_on
    record_diagnostics(db, enrolment, actor, on)
    stage = Stage(enrolment.stage)
    if stage is Stage.INITIAL:
        approve_irp(db, enrolment, actor, day)
        home_visit(db, enrolment, actor, day)
    elif stage is Stage.ACTIVE:
        consultations(db, enrolment, actor, day)
    elif stage is Stage.FOLLOW_UP:
        approve_irp(db, enrolment, actor, max(day, enrolment.stage_started_on), review=True)
    db.session.flush()
