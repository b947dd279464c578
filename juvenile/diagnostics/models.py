"""Diagnostic instruments as versioned data, assessments, and the suicide-risk protocol."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class Construct(enum.StrEnum):
    ANXIETY = "anxiety"
    AGGRESSION = "aggression"
    SUICIDE_RISK = "suicide_risk"

    @property
    def label(self) -> str:
        return str(CONSTRUCT_LABELS[self])


CONSTRUCT_LABELS = {Construct.ANXIETY: _l("anxiety"), Construct.AGGRESSION: _l("aggression"),
                    Construct.SUICIDE_RISK: _l("suicide risk")}


class Level(enum.StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {Level.LOW: _l("low"), Level.MODERATE: _l("moderate"), Level.HIGH: _l("high")}


class Instrument(db.Model):
    """A questionnaire the region uses. Its key lives in versions; the newest is current."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier, e.g. "phillips", "asq".
    code: Mapped[str] = mapped_column(String(32), unique=True)
    construct: Mapped[str] = mapped_column(String(20))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    versions: Mapped[list["InstrumentVersion"]] = relationship(
        back_populates="instrument", order_by="InstrumentVersion.number")

    @property
    def audit_scope(self) -> tuple[None, None]:
        return None, None


class InstrumentVersion(db.Model):
    """One edition of an instrument's key: scales, keys, weights, cut-offs, age range,
    licence, citation and whether the key was checked against a primary source. Never
    changed once stored: an edit makes the next version."""

    __tablename__ = "instrument_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    number: Mapped[int] = mapped_column(Integer)
    #: The whole key as data (see juvenile/diagnostics/scoring.py for its shape).
    definition: Mapped[dict] = mapped_column(JSON)
    key_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    instrument: Mapped[Instrument] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("instrument_id", "number",
                                       name="uq_instrument_versions_instrument_number"),)

    @property
    def audit_scope(self) -> tuple[None, None]:
        return None, None


class Assessment(db.Model):
    """One administration of an instrument (or a result of one the library does not know)."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"))
    #: None for an instrument the library does not know (custom_name then says which).
    instrument_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("instrument_versions.id"))
    custom_name: Mapped[str | None] = mapped_column(String(200))
    construct: Mapped[str] = mapped_column(String(20))
    administered_on: Mapped[date] = mapped_column(Date)
    administered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The stage of the enrolment when administered (initial, active, follow_up).
    stage: Mapped[str | None] = mapped_column(String(20))
    #: Item number (as text) -> answer. Clinical: psychologists of the school only.
    answers: Mapped[dict | None] = mapped_column(JSON)
    #: Scale -> score, as the scorer computed them (or as typed for a custom instrument).
    scores: Mapped[dict | None] = mapped_column(JSON)
    level: Mapped[str] = mapped_column(String(10))
    #: For screens (ASQ, PHQ-A item 9): negative, positive or acute.
    screen_result: Mapped[str | None] = mapped_column(String(10))
    #: Why the instrument was used outside its age range, when it was.
    age_override_reason: Mapped[str | None] = mapped_column(Text)
    #: Clinical note of the psychologist.
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    instrument_version: Mapped[InstrumentVersion | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_assessments_minor_id_administered_on", "minor_id", "administered_on"),
        Index("ix_assessments_district_id_administered_on", "district_id", "administered_on"),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id


class FamilyAnalysis(db.Model):
    """The structured analysis of the minor's family environment."""

    __tablename__ = "family_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    household: Mapped[str] = mapped_column(Text)
    parenting_style: Mapped[str] = mapped_column(String(20))
    conflict: Mapped[str] = mapped_column(String(20))
    violence_or_neglect_signs: Mapped[bool] = mapped_column(Boolean, default=False)
    violence_or_neglect_note: Mapped[str | None] = mapped_column(Text)
    substance_use: Mapped[bool] = mapped_column(Boolean, default=False)
    substance_use_note: Mapped[str | None] = mapped_column(Text)
    material_conditions: Mapped[str] = mapped_column(String(20))
    supervision: Mapped[str] = mapped_column(String(20))
    risk_factors: Mapped[str | None] = mapped_column(Text)
    protective_factors: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id


class PortraitConclusion(db.Model):
    """The specialist's part of the social-psychological portrait of an enrolment."""

    __tablename__ = "portrait_conclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    strengths: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id


class CrisisEpisode(db.Model):
    """One raising of a case's crisis flag, and everything the protocol requires after it."""

    __tablename__ = "crisis_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"))
    #: acute or positive (INSTRUMENTS.md: the acute path starts the checklist at once).
    severity: Mapped[str] = mapped_column(String(10))
    #: asq_acute, asq_positive, phq_item9, attempt, self_harm, judgement
    trigger: Mapped[str] = mapped_column(String(20))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: When the coordinator was alerted because a protocol deadline passed.
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    clear_reason: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_crisis_episodes_district_id_cleared_at", "district_id", "cleared_at"),
        # One open episode per case, even when two people raise it at the same instant.
        Index("uq_crisis_episodes_open_enrolment", "enrolment_id", unique=True,
              sqlite_where=db.text("cleared_at IS NULL"),
              postgresql_where=db.text("cleared_at IS NULL")),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id


class CrisisStep(db.Model):
    """A protocol step done, with who and when: a checklist item, the brief safety
    assessment, a follow-up contact (24 h, 72 h, 7 days), an acknowledgement of the alert."""

    __tablename__ = "crisis_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("crisis_episodes.id"), index=True)
    #: not_alone, means_removed, representative_informed, health_contacted,
    #: brief_assessment, contact_24h, contact_72h, contact_7d, acknowledged
    key: Mapped[str] = mapped_column(String(30))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("episode_id", "key", "done_by_id",
                                       name="uq_crisis_steps_episode_key_user"),)


class SafetyPlan(db.Model):
    """The six-part safety plan (Stanley–Brown) of a crisis episode, with a review date."""

    __tablename__ = "safety_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("crisis_episodes.id"), unique=True)
    warning_signs: Mapped[str] = mapped_column(Text)
    coping_strategies: Mapped[str] = mapped_column(Text)
    distracting_people_places: Mapped[str] = mapped_column(Text)
    people_to_ask: Mapped[str] = mapped_column(Text)
    professionals_and_lines: Mapped[str] = mapped_column(Text)
    safe_environment: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
