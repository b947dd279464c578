"""Read paths of the family work: the acts and measures of an enrolment, the case page's
summary, and the act as a document (plain values for the page and the PDF).

Each function costs a fixed number of queries however many acts or measures there are.
Labels are made when called, so a PDF rendered under another locale gets its own.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from juvenile.accounts.models import Organisation, User
from juvenile.cases.models import LegalRepresentative, Minor, Relation
from juvenile.extensions import db
from juvenile.familywork.models import (
    Condition,
    HousingType,
    LegalMeasure,
    LivingConditionsAct,
    MeasureKind,
    RiskFactor,
    Supervision,
)

#: How much of the conclusions a list shows.
EXCERPT_CHARS = 160


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _label(enum, code: str | None) -> str:
    try:
        return enum(code).label
    except ValueError:
        return code or ""


@dataclass
class ActLine:
    id: int
    visited_on: date
    participants: int
    conclusions: str
    recorded_by: str


@dataclass
class MeasureLine:
    id: int
    kind: str
    kind_label: str
    taken_on: date
    description: str
    outcome: str | None
    outcome_on: date | None
    recorded_by: str


def _act_line(row) -> ActLine:
    return ActLine(id=row.id, visited_on=row.visited_on,
                   participants=len(row.participants or []),
                   conclusions=excerpt(row.conclusions), recorded_by=row.full_name)


def _act_columns():
    return (select(LivingConditionsAct.id, LivingConditionsAct.visited_on,
                   LivingConditionsAct.participants, LivingConditionsAct.conclusions,
                   User.full_name)
            .join(User, User.id == LivingConditionsAct.recorded_by_id))


def _newest_first(stmt):
    return stmt.order_by(LivingConditionsAct.visited_on.desc(), LivingConditionsAct.id.desc())


def acts_of(enrolment_id: int) -> list[ActLine]:
    """The enrolment's acts, newest visit first (one query)."""
    stmt = _newest_first(_act_columns().where(LivingConditionsAct.enrolment_id == enrolment_id))
    return [_act_line(row) for row in db.session.execute(stmt)]


def latest_act(enrolment_id: int) -> tuple[ActLine | None, int]:
    """The newest act and how many there are (one query: a window count)."""
    stmt = _newest_first(_act_columns().add_columns(func.count().over().label("total"))
                         .where(LivingConditionsAct.enrolment_id == enrolment_id)).limit(1)
    row = db.session.execute(stmt).first()
    return (None, 0) if row is None else (_act_line(row), row.total)


def measures_of(enrolment_id: int) -> list[MeasureLine]:
    """The enrolment's legal measures, newest first (one query)."""
    rows = db.session.execute(
        select(LegalMeasure, User.full_name)
        .join(User, User.id == LegalMeasure.recorded_by_id)
        .where(LegalMeasure.enrolment_id == enrolment_id)
        .order_by(LegalMeasure.taken_on.desc(), LegalMeasure.id.desc()))
    return [MeasureLine(id=m.id, kind=m.kind, kind_label=_label(MeasureKind, m.kind),
                        taken_on=m.taken_on, description=m.description, outcome=m.outcome,
                        outcome_on=m.outcome_on, recorded_by=name)
            for m, name in rows]


# --- the act as a document ------------------------------------------------------------------


@dataclass
class Signer:
    """A line to sign: who (position, organisation, or the relation) and the name."""

    role: str
    name: str


@dataclass
class ActDocument:
    """Everything the act shows, as plain values in the current language."""

    id: int
    minor_id: int
    enrolment_id: int
    version: int
    full_name: str
    birth_date: date
    school: str
    grade: str | None
    place: str
    visited_on: date
    address: str
    participants: list[dict]
    household: list[dict]
    housing_type: str
    rooms: int | None
    housing_condition: str
    housing_note: str
    material_conditions: str
    income_note: str
    study_conditions: str
    rest_conditions: str
    supervision: str
    supervision_note: str
    risk_factors: list[str]
    risk_note: str
    conclusions: str
    recommendations: str
    recorded_by: str
    representatives: list[Signer]


def _position(participant: dict) -> str:
    return ", ".join(p for p in (participant.get("position"), participant.get("organisation"))
                     if p)


def act_document(act: LivingConditionsAct) -> ActDocument:
    """The act with its minor, school and legal representatives (a fixed few queries)."""
    minor = db.session.get(Minor, act.minor_id)
    school = db.session.get(Organisation, act.organisation_id)
    recorded_by = db.session.get(User, act.recorded_by_id)
    representatives = db.session.scalars(
        select(LegalRepresentative).where(LegalRepresentative.minor_id == act.minor_id)
        .order_by(LegalRepresentative.id))
    place = school.district.name if school.district is not None else school.region.name
    return ActDocument(
        id=act.id, minor_id=act.minor_id, enrolment_id=act.enrolment_id, version=act.version,
        full_name=minor.full_name, birth_date=minor.birth_date, school=school.name,
        grade=minor.grade, place=place, visited_on=act.visited_on, address=act.address,
        participants=[p | {"signs_as": _position(p)} for p in act.participants or []],
        household=list(act.household or []),
        housing_type=_label(HousingType, act.housing_type), rooms=act.rooms,
        housing_condition=_label(Condition, act.housing_condition),
        housing_note=act.housing_note or "",
        material_conditions=_label(Condition, act.material_conditions),
        income_note=act.income_note or "", study_conditions=act.study_conditions or "",
        rest_conditions=act.rest_conditions or "",
        supervision=_label(Supervision, act.supervision),
        supervision_note=act.supervision_note or "",
        risk_factors=[_label(RiskFactor, code) for code in act.risk_factors or []],
        risk_note=act.risk_note or "", conclusions=act.conclusions,
        recommendations=act.recommendations, recorded_by=recorded_by.full_name,
        representatives=[Signer(role=_label(Relation, r.relation), name=r.full_name)
                         for r in representatives])
