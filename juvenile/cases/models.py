"""Minors, their legal representatives, enrolments (cases), incidents, the timeline."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from juvenile.accounts.models import Organisation, User
from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class LabelledEnum(enum.StrEnum):
    """A stored code with a translated label (LABELS is filled below each enum)."""

    @property
    def label(self) -> str:
        return str(self.labels()[self])

    @classmethod
    def labels(cls) -> dict:
        return _LABELS[cls]


_LABELS: dict[type, dict] = {}


class Sex(LabelledEnum):
    MALE = "m"
    FEMALE = "f"


class SchoolingLanguage(LabelledEnum):
    KAZAKH = "kk"
    RUSSIAN = "ru"
    OTHER = "other"


class Relation(LabelledEnum):
    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    TRUSTEE = "trustee"
    OTHER_RELATIVE = "other_relative"


class ConsentForm(LabelledEnum):
    WRITTEN = "written"
    ELECTRONIC = "electronic"


class TargetGroup(enum.IntEnum):
    PREVENTIVE_REGISTRATION = 1
    DIFFICULT_LIFE_SITUATION = 2
    DEVIANT_BEHAVIOUR = 3
    RELEASED_FROM_DETENTION = 4
    SUICIDE_ATTEMPT = 5

    @property
    def label(self) -> str:
        return str(_LABELS[TargetGroup][self])


class Source(LabelledEnum):
    POLICE = "police"
    SCHOOL = "school"
    HEALTH = "health"
    SOCIAL_PROTECTION = "social_protection"
    COMMISSION = "commission"
    FAMILY = "family"
    MINOR = "minor"


class Stage(LabelledEnum):
    INITIAL = "initial"
    ACTIVE = "active"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


class ClosureReason(LabelledEnum):
    COMPLETED = "completed"
    MOVED_AWAY = "moved_away"
    TURNED_18 = "turned_18"
    INSTITUTION = "institution"
    DECEASED = "deceased"
    OTHER = "other"


class IncidentKind(LabelledEnum):
    OFFENCE_ADMINISTRATIVE = "offence_administrative"
    OFFENCE_CRIMINAL = "offence_criminal"
    SUICIDE_ATTEMPT = "suicide_attempt"
    SELF_HARM = "self_harm"
    RUNNING_AWAY = "running_away"
    EXPULSION = "expulsion"

    @property
    def is_offence(self) -> bool:
        return self in {IncidentKind.OFFENCE_ADMINISTRATIVE, IncidentKind.OFFENCE_CRIMINAL}

    @property
    def raises_crisis(self) -> bool:
        return self in {IncidentKind.SUICIDE_ATTEMPT, IncidentKind.SELF_HARM}


class TransferStatus(LabelledEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


_LABELS.update({
    Sex: {Sex.MALE: _l("male"), Sex.FEMALE: _l("female")},
    SchoolingLanguage: {SchoolingLanguage.KAZAKH: _l("Kazakh"),
                        SchoolingLanguage.RUSSIAN: _l("Russian"),
                        SchoolingLanguage.OTHER: _l("other language")},
    Relation: {Relation.MOTHER: _l("mother"), Relation.FATHER: _l("father"),
               Relation.GUARDIAN: _l("guardian"), Relation.TRUSTEE: _l("trustee"),
               Relation.OTHER_RELATIVE: _l("other relative")},
    ConsentForm: {ConsentForm.WRITTEN: _l("written, signed"),
                  ConsentForm.ELECTRONIC: _l("electronic (eGov)")},
    TargetGroup: {
        TargetGroup.PREVENTIVE_REGISTRATION: _l("On police preventive registration"),
        TargetGroup.DIFFICULT_LIFE_SITUATION: _l("In a difficult life situation"),
        TargetGroup.DEVIANT_BEHAVIOUR: _l("Signs of deviant behaviour"),
        TargetGroup.RELEASED_FROM_DETENTION: _l("Released from places of deprivation of liberty"),
        TargetGroup.SUICIDE_ATTEMPT: _l("After a suicide attempt"),
    },
    Source: {Source.POLICE: _l("police"), Source.SCHOOL: _l("school"),
             Source.HEALTH: _l("health organisation"),
             Source.SOCIAL_PROTECTION: _l("social protection"),
             Source.COMMISSION: _l("commission on minors' affairs"),
             Source.FAMILY: _l("family"), Source.MINOR: _l("the minor"),
             },
    Stage: {Stage.INITIAL: _l("initial stage"), Stage.ACTIVE: _l("active rehabilitation"),
            Stage.FOLLOW_UP: _l("follow-up"), Stage.CLOSED: _l("closed")},
    ClosureReason: {ClosureReason.COMPLETED: _l("programme completed"),
                    ClosureReason.MOVED_AWAY: _l("moved away"),
                    ClosureReason.TURNED_18: _l("turned 18"),
                    ClosureReason.INSTITUTION: _l("placed in an institution"),
                    ClosureReason.DECEASED: _l("deceased"),
                    ClosureReason.OTHER: _l("other reason")},
    IncidentKind: {IncidentKind.OFFENCE_ADMINISTRATIVE: _l("administrative offence"),
                   IncidentKind.OFFENCE_CRIMINAL: _l("criminal offence"),
                   IncidentKind.SUICIDE_ATTEMPT: _l("suicide attempt"),
                   IncidentKind.SELF_HARM: _l("self-harm"),
                   IncidentKind.RUNNING_AWAY: _l("running away"),
                   IncidentKind.EXPULSION: _l("expulsion")},
    TransferStatus: {TransferStatus.PENDING: _l("awaiting the receiving school"),
                     TransferStatus.ACCEPTED: _l("accepted"),
                     TransferStatus.DECLINED: _l("declined"),
                     TransferStatus.CANCELLED: _l("cancelled")},
})


class Minor(db.Model):
    """A minor's identity and schooling: the case file every enrolment hangs from."""

    __tablename__ = "minors"
    #: Opening a minor's case file writes an audit entry (juvenile.access.get_or_404).
    audit_openings = True

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique in the whole region: one minor, one record.
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    surname: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    schooling_language: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: The school or college the minor attends now (changes on transfer).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: Copy of the organisation's district, so district lists need no join.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    grade: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()
    representatives: Mapped[list["LegalRepresentative"]] = relationship(
        back_populates="minor", order_by="LegalRepresentative.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_minors_organisation_id_surname", "organisation_id", "surname"),
        Index("ix_minors_district_id_surname", "district_id", "surname"),
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id

    @property
    def audit_label(self) -> str:
        return f"{self.surname} {self.given_name[:1]}."

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class LegalRepresentative(db.Model):
    __tablename__ = "legal_representatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    #: Consent to the processing of personal data (Law No. 94-V) and to participation.
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_form: Mapped[str | None] = mapped_column(String(20))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    minor: Mapped[Minor] = relationship(back_populates="representatives")

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_consent(self) -> bool:
        return self.consent_on is not None

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.minor.audit_scope

    @property
    def audit_label(self) -> str:
        return self.minor.audit_label


enrolment_groups = Table(
    "enrolment_groups",
    db.metadata,
    Column("enrolment_id", ForeignKey("enrolments.id"), primary_key=True),
    Column("target_group", Integer, primary_key=True, index=True),
)

enrolment_coworkers = Table(
    "enrolment_coworkers",
    db.metadata,
    Column("enrolment_id", ForeignKey("enrolments.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class Enrolment(db.Model):
    """One period of a minor's support in the programme (a case)."""

    __tablename__ = "enrolments"
    #: Its pages show the minor: opening one is audited like the case file.
    audit_openings = True

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"))
    #: The school responsible for the case; moves with the minor on transfer.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    source: Mapped[str] = mapped_column(String(20))
    identified_on: Mapped[date] = mapped_column(Date)
    enrolled_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    #: Groups 1 and 4: the police preventive registration.
    police_registered_on: Mapped[date | None] = mapped_column(Date)
    police_grounds: Mapped[str | None] = mapped_column(Text)
    police_inspector: Mapped[str | None] = mapped_column(String(200))
    #: Group 4: release from a place of deprivation of liberty.
    released_on: Mapped[date | None] = mapped_column(Date)
    release_institution: Mapped[str | None] = mapped_column(String(300))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responsible_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stage: Mapped[str] = mapped_column(String(20), default=Stage.INITIAL.value)
    stage_started_on: Mapped[date] = mapped_column(Date)
    #: When the current stage must be complete (extensions included).
    stage_due_on: Mapped[date] = mapped_column(Date)
    #: Raised by a suicide attempt or self-harm; cleared only by the safety protocol.
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis_raised_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(20))
    closure_note: Mapped[str | None] = mapped_column(Text)
    #: The school administrator who confirmed a closure before the minimum support period.
    closure_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    minor: Mapped[Minor] = relationship()
    organisation: Mapped[Organisation] = relationship()
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id])
    coworkers: Mapped[list[User]] = relationship(secondary=enrolment_coworkers)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # One open enrolment per minor; closed ones stay as history.
        Index("uq_enrolments_open_minor", "minor_id", unique=True,
              sqlite_where=db.text("closed_on IS NULL"),
              postgresql_where=db.text("closed_on IS NULL")),
        Index("ix_enrolments_minor_id", "minor_id"),
        Index("ix_enrolments_district_id_stage", "district_id", "stage"),
        Index("ix_enrolments_organisation_id_stage", "organisation_id", "stage"),
        Index("ix_enrolments_responsible_id_stage", "responsible_id", "stage"),
        Index("ix_enrolments_stage_due_on", "stage_due_on"),
    )

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id

    @property
    def audit_label(self) -> str:
        return self.minor.audit_label


class StageMove(db.Model):
    """A stage completed and the next begun (or the case closed), or a stage extended."""

    __tablename__ = "stage_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    from_stage: Mapped[str] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    moved_on: Mapped[date] = mapped_column(Date)
    #: For an extension: the days added to the stage's deadline.
    extension_days: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Incident(db.Model):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"), index=True)
    #: The enrolment open when it happened; None if before or between periods of support.
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    #: An offence committed while the minor was under support.
    is_repeat_offence: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Where the incident counts for reports (the minor's district when recorded).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))

    __table_args__ = (Index("ix_incidents_district_id_occurred_on", "district_id",
                            "occurred_on"),)


class Transfer(db.Model):
    """A minor's case handed from one school to another."""

    __tablename__ = "transfers"
    audit_openings = True

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"), index=True)
    from_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=TransferStatus.PENDING.value)
    note: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    minor: Mapped[Minor] = relationship()
    from_organisation: Mapped[Organisation] = relationship(foreign_keys=[from_organisation_id])
    to_organisation: Mapped[Organisation] = relationship(foreign_keys=[to_organisation_id])

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.to_organisation.district_id, self.to_organisation_id

    @property
    def audit_label(self) -> str:
        return self.minor.audit_label


class CaseEvent(db.Model):
    """One line of a minor's timeline, written by the service that records the fact.

    Later domains add their own kinds (assessments, sessions, visits). ``clinical`` lines
    are never shown to roles that must not see clinical content (the police inspector).
    """

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    #: Plain values for the line's text (translated when shown), e.g. {"to": "active"}.
    data: Mapped[dict | None] = mapped_column(JSON)
    clinical: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_case_events_minor_id_occurred_on", "minor_id", "occurred_on", "id"),
    )


class Placement(db.Model):
    """Where an enrolment was held over time: [from_date, to_date) at one school.

    Written when a case opens and when a hand-over is accepted, so reports place each case
    where it was on the day they count (a minor handed over mid-month is at the new school
    at the month's end).
    """

    __tablename__ = "enrolment_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    from_date: Mapped[date] = mapped_column(Date)
    #: The day it moved on (exclusive); None while the case is held here.
    to_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_enrolment_placements_organisation_id_from_date", "organisation_id",
              "from_date"),
        Index("ix_enrolment_placements_district_id_from_date", "district_id", "from_date"),
    )
