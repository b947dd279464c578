"""Work with the family: the living-conditions inspection act (акт обследования
жилищно-бытовых условий) and the legal measures taken. Consultations of the legal
representatives and parenting-skills trainings are sessions (juvenile.sessions)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from juvenile.cases.models import _LABELS, LabelledEnum
from juvenile.cases.records import CaseRecord
from juvenile.extensions import db


class HousingType(LabelledEnum):
    APARTMENT = "apartment"
    HOUSE = "house"
    DORMITORY = "dormitory"
    RENTED = "rented"
    OTHER = "other"


class Condition(LabelledEnum):
    GOOD = "good"
    ADEQUATE = "adequate"
    POOR = "poor"


class Supervision(LabelledEnum):
    ADEQUATE = "adequate"
    INSUFFICIENT = "insufficient"
    ABSENT = "absent"


class RiskFactor(LabelledEnum):
    ALCOHOL = "alcohol"
    VIOLENCE = "violence"
    NEGLECT = "neglect"
    CONFLICT = "conflict"
    UNEMPLOYMENT = "unemployment"
    LOW_INCOME = "low_income"
    OVERCROWDING = "overcrowding"
    UNSAFE_HOUSING = "unsafe_housing"
    PARENT_ABSENT = "parent_absent"
    CRIMINAL_RECORD = "criminal_record"


class MeasureKind(LabelledEnum):
    REFERRAL_COMMISSION = "referral_commission"
    REFERRAL_GUARDIANSHIP = "referral_guardianship"
    WARNING = "warning"
    REFERRAL_POLICE = "referral_police"
    OTHER = "other"


_LABELS.update({
    HousingType: {HousingType.APARTMENT: _l("apartment"), HousingType.HOUSE: _l("private house"),
                  HousingType.DORMITORY: _l("dormitory"), HousingType.RENTED: _l("rented"),
                  HousingType.OTHER: _l("other housing")},
    Condition: {Condition.GOOD: _l("good"), Condition.ADEQUATE: _l("adequate"),
                Condition.POOR: _l("poor")},
    Supervision: {Supervision.ADEQUATE: _l("adequate supervision"),
                  Supervision.INSUFFICIENT: _l("insufficient supervision"),
                  Supervision.ABSENT: _l("no supervision")},
    RiskFactor: {RiskFactor.ALCOHOL: _l("alcohol or drug use in the family"),
                 RiskFactor.VIOLENCE: _l("violence in the family"),
                 RiskFactor.NEGLECT: _l("neglect of the child"),
                 RiskFactor.CONFLICT: _l("frequent conflicts"),
                 RiskFactor.UNEMPLOYMENT: _l("parents without work"),
                 RiskFactor.LOW_INCOME: _l("low income"),
                 RiskFactor.OVERCROWDING: _l("overcrowded housing"),
                 RiskFactor.UNSAFE_HOUSING: _l("unsafe or unsanitary housing"),
                 RiskFactor.PARENT_ABSENT: _l("a parent absent (work abroad, prison…)"),
                 RiskFactor.CRIMINAL_RECORD: _l("a family member with a criminal record")},
    MeasureKind: {MeasureKind.REFERRAL_COMMISSION:
                  _l("referral to the commission on minors' affairs"),
                  MeasureKind.REFERRAL_GUARDIANSHIP: _l("referral to the guardianship body"),
                  MeasureKind.WARNING: _l("warning to the legal representatives"),
                  MeasureKind.REFERRAL_POLICE: _l("referral to the police"),
                  MeasureKind.OTHER: _l("other measure")},
})


class LivingConditionsAct(CaseRecord, db.Model):
    """A home visit and its act, in the layout of the official form."""

    __tablename__ = "living_conditions_acts"
    #: The act describes the family at home: opening it is audited.
    audit_openings = True

    id: Mapped[int] = mapped_column(primary_key=True)
    visited_on: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(300))
    #: [{"name", "position", "organisation"}]: also from other agencies.
    participants: Mapped[list] = mapped_column(JSON, default=list)
    #: [{"name", "relation", "birth_year", "occupation"}]: who lives there.
    household: Mapped[list] = mapped_column(JSON, default=list)
    housing_type: Mapped[str] = mapped_column(String(20))
    rooms: Mapped[int | None] = mapped_column(Integer)
    housing_condition: Mapped[str] = mapped_column(String(20))
    housing_note: Mapped[str] = mapped_column(Text, default="")
    material_conditions: Mapped[str] = mapped_column(String(20))
    income_note: Mapped[str] = mapped_column(Text, default="")
    study_conditions: Mapped[str] = mapped_column(Text, default="")
    rest_conditions: Mapped[str] = mapped_column(Text, default="")
    supervision: Mapped[str] = mapped_column(String(20))
    supervision_note: Mapped[str] = mapped_column(Text, default="")
    #: RiskFactor codes.
    risk_factors: Mapped[list] = mapped_column(JSON, default=list)
    risk_note: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text)
    recommendations: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_living_conditions_acts_district_id_visited_on", "district_id", "visited_on"),
        Index("ix_living_conditions_acts_organisation_id_visited_on", "organisation_id",
              "visited_on"),
    )


class LegalMeasure(CaseRecord, db.Model):
    """A legal measure concerning the family and its outcome."""

    __tablename__ = "legal_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    taken_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_on: Mapped[date | None] = mapped_column(Date)
