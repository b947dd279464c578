"""The social-psychological portrait of an enrolment, read as plain values.

Five queries whatever the number of assessments: identity with the school and the
responsible specialist, the target groups, the latest level per construct (one window
query), the latest family analysis, and the conclusion. Labels are made in the language
active when ``assemble`` runs, so the PDF forces its locale around the call.

Nothing here reads item answers or clinical notes: the portrait never carries them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from juvenile.accounts.models import Organisation, User
from juvenile.cases.models import (
    Enrolment,
    Minor,
    SchoolingLanguage,
    Sex,
    Stage,
    TargetGroup,
    enrolment_groups,
)
from juvenile.diagnostics.family import (
    Conflict,
    MaterialConditions,
    ParentingStyle,
    Supervision,
)
from juvenile.diagnostics.models import (
    Assessment,
    Construct,
    FamilyAnalysis,
    Instrument,
    InstrumentVersion,
    Level,
    PortraitConclusion,
)
from juvenile.extensions import db


@dataclass(frozen=True)
class LevelLine:
    construct: str
    construct_label: str
    level: str
    level_label: str
    instrument: str
    administered_on: date
    #: None for an instrument the library does not know (its key cannot be verified).
    key_verified: bool | None


@dataclass(frozen=True)
class FamilySummary:
    id: int
    recorded_on: date
    recorded_by: str
    household: str
    parenting_style: str
    conflict: str
    violence_or_neglect_signs: bool
    violence_or_neglect_note: str | None
    substance_use: bool
    substance_use_note: str | None
    material_conditions: str
    supervision: str
    risk_factors: str | None
    protective_factors: str | None


@dataclass(frozen=True)
class Portrait:
    enrolment_id: int
    minor_id: int
    full_name: str
    birth_date: date
    age: int
    iin: str
    sex: str
    grade: str | None
    schooling_language: str
    address: str
    school: str
    stage: str
    enrolled_on: date
    closed_on: date | None
    responsible: str | None
    groups: list[str]
    levels: list[LevelLine]
    family: FamilySummary | None
    strengths: str | None
    conclusion: str | None
    conclusion_by: str | None
    conclusion_at: datetime | None
    conclusion_version: int | None


def localised(kk: str | None, ru: str | None) -> str:
    """The Russian name on a Russian page, else the Kazakh one (Bilingual.name, for rows)."""
    locale = get_locale()
    return (ru if locale is not None and locale.language == "ru" else kk) or kk or ru or ""


def label(enum: type, value: str | None) -> str:
    """A stored code as its label in the current language; an unknown code as itself."""
    try:
        return enum(value).label
    except ValueError:
        return value or ""


def assemble(enrolment: Enrolment, today: date) -> Portrait:
    """The portrait of ``enrolment`` as of ``today`` (or of its closure, if closed)."""
    as_of = enrolment.closed_on or today
    minor, school_kk, school_ru, responsible = _identity(enrolment)
    conclusion = _conclusion(enrolment.id)
    return Portrait(
        enrolment_id=enrolment.id, minor_id=minor.id, full_name=minor.full_name,
        birth_date=minor.birth_date, age=minor.age_on(as_of), iin=minor.iin,
        sex=label(Sex, minor.sex), grade=minor.grade,
        schooling_language=label(SchoolingLanguage, minor.schooling_language),
        address=minor.address, school=localised(school_kk, school_ru),
        stage=label(Stage, enrolment.stage), enrolled_on=enrolment.enrolled_on,
        closed_on=enrolment.closed_on, responsible=responsible,
        groups=_groups(enrolment.id), levels=latest_levels(minor.id, as_of),
        family=latest_family(minor.id, as_of),
        strengths=conclusion[0].strengths if conclusion else None,
        conclusion=conclusion[0].conclusion if conclusion else None,
        conclusion_by=conclusion[1] if conclusion else None,
        conclusion_at=conclusion[0].updated_at if conclusion else None,
        conclusion_version=conclusion[0].version if conclusion else None)


def _identity(enrolment: Enrolment):
    responsible = aliased(User)
    return db.session.execute(
        select(Minor, Organisation.name_kk, Organisation.name_ru, responsible.full_name)
        .join(Enrolment, Enrolment.minor_id == Minor.id)
        .join(Organisation, Organisation.id == Enrolment.organisation_id)
        .outerjoin(responsible, responsible.id == Enrolment.responsible_id)
        .where(Enrolment.id == enrolment.id)).one()


def _groups(enrolment_id: int) -> list[str]:
    return [label(TargetGroup, g) for g in db.session.scalars(
        select(enrolment_groups.c.target_group)
        .where(enrolment_groups.c.enrolment_id == enrolment_id)
        .order_by(enrolment_groups.c.target_group))]


def latest_levels(minor_id: int, as_of: date) -> list[LevelLine]:
    """The newest assessment of each construct up to ``as_of``: one window query."""
    rank = func.row_number().over(
        partition_by=Assessment.construct,
        order_by=(Assessment.administered_on.desc(), Assessment.id.desc())).label("rank")
    ranked = (
        select(Assessment.construct, Assessment.level, Assessment.administered_on,
               Assessment.custom_name, Instrument.name_kk, Instrument.name_ru,
               InstrumentVersion.key_verified, rank)
        .outerjoin(InstrumentVersion,
                   InstrumentVersion.id == Assessment.instrument_version_id)
        .outerjoin(Instrument, Instrument.id == InstrumentVersion.instrument_id)
        .where(Assessment.minor_id == minor_id, Assessment.administered_on <= as_of)
        .subquery())
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1)).all()
    order = {c.value: i for i, c in enumerate(Construct)}
    return [LevelLine(construct=row.construct, construct_label=label(Construct, row.construct),
                      level=row.level, level_label=label(Level, row.level),
                      instrument=row.custom_name or localised(row.name_kk, row.name_ru),
                      administered_on=row.administered_on,
                      key_verified=None if row.custom_name else bool(row.key_verified))
            for row in sorted(rows, key=lambda r: order.get(r.construct, len(order)))]


def latest_family(minor_id: int, as_of: date) -> FamilySummary | None:
    """The newest family analysis of the minor up to ``as_of``, with who recorded it."""
    row = db.session.execute(
        select(FamilyAnalysis, User.full_name)
        .join(User, User.id == FamilyAnalysis.recorded_by_id)
        .where(FamilyAnalysis.minor_id == minor_id, FamilyAnalysis.recorded_on <= as_of)
        .order_by(FamilyAnalysis.recorded_on.desc(), FamilyAnalysis.id.desc())
        .limit(1)).first()
    if row is None:
        return None
    fa, recorded_by = row
    return FamilySummary(
        id=fa.id, recorded_on=fa.recorded_on, recorded_by=recorded_by, household=fa.household,
        parenting_style=label(ParentingStyle, fa.parenting_style),
        conflict=label(Conflict, fa.conflict),
        violence_or_neglect_signs=fa.violence_or_neglect_signs,
        violence_or_neglect_note=fa.violence_or_neglect_note,
        substance_use=fa.substance_use, substance_use_note=fa.substance_use_note,
        material_conditions=label(MaterialConditions, fa.material_conditions),
        supervision=label(Supervision, fa.supervision),
        risk_factors=fa.risk_factors, protective_factors=fa.protective_factors)


def _conclusion(enrolment_id: int):
    return db.session.execute(
        select(PortraitConclusion, User.full_name)
        .join(User, User.id == PortraitConclusion.updated_by_id)
        .where(PortraitConclusion.enrolment_id == enrolment_id)).first()

