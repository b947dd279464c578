"""The individual rehabilitation programme (ЖОБ / ИПР): versions, activities by direction,
and the dated occurrences an activity's frequency expands into.

A version is drafted by the specialist and approved by the school administrator. A
correction after approval is a new version with its reason; the old one is kept
(superseded) for comparison. Each approved activity is expanded into occurrences, one per
period of its frequency; a session or a home visit ticks the occurrence whose period it
falls in. An occurrence still planned after its due date counts as missed.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
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

from juvenile.accounts.models import Organisation, User
from juvenile.cases.models import _LABELS, LabelledEnum
from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class IrpStatus(LabelledEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class Direction(LabelledEnum):
    """The seven directions of PROGRAMME.md §7."""

    INDIVIDUAL = "individual"
    PSYCHOLOGICAL = "psychological"
    FAMILY = "family"
    EDUCATION = "education"
    LEISURE = "leisure"
    LEGAL = "legal"
    INTERAGENCY = "interagency"


class Frequency(LabelledEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class OccurrenceStatus(LabelledEnum):
    PLANNED = "planned"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


_LABELS.update({
    IrpStatus: {IrpStatus.DRAFT: _l("draft"), IrpStatus.APPROVED: _l("approved"),
                IrpStatus.SUPERSEDED: _l("superseded")},
    Direction: {Direction.INDIVIDUAL: _l("Individual work"),
                Direction.PSYCHOLOGICAL: _l("Psychological help"),
                Direction.FAMILY: _l("Work with the family"),
                Direction.EDUCATION: _l("Education and employment"),
                Direction.LEISURE: _l("Leisure and socialisation"),
                Direction.LEGAL: _l("Legal help"),
                Direction.INTERAGENCY: _l("Interagency cooperation")},
    Frequency: {Frequency.ONCE: _l("once"), Frequency.WEEKLY: _l("weekly"),
                Frequency.FORTNIGHTLY: _l("every two weeks"),
                Frequency.MONTHLY: _l("monthly"), Frequency.QUARTERLY: _l("quarterly")},
    OccurrenceStatus: {OccurrenceStatus.PLANNED: _l("planned"),
                       OccurrenceStatus.DONE: _l("done"),
                       OccurrenceStatus.MISSED: _l("missed"),
                       OccurrenceStatus.CANCELLED: _l("cancelled")},
})


class IrpVersion(db.Model):
    """One version of a minor's programme for one enrolment."""

    __tablename__ = "irp_versions"
    #: The programme shows the minor: opening it is audited like the case file.
    audit_openings = True

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    #: 1, 2, 3… within the enrolment.
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=IrpStatus.DRAFT.value)
    goals: Mapped[str] = mapped_column(Text, default="")
    #: Why this version was made (a correction or a review); None for the first.
    reason: Mapped[str | None] = mapped_column(Text)
    #: Made as the follow-up stage's review of the programme.
    is_review: Mapped[bool] = mapped_column(Boolean, default=False)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("irp_versions.id"))
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The day it took effect (the school's date of approval).
    approved_on: Mapped[date | None] = mapped_column(Date)
    superseded_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    enrolment = relationship("Enrolment")
    minor = relationship("Minor")
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="irp", order_by="(Activity.direction_order, Activity.position)",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("enrolment_id", "number", name="uq_irp_versions_enrolment_number"),
        # At most one draft and one approved version per enrolment at a time.
        Index("uq_irp_versions_one_draft", "enrolment_id", unique=True,
              sqlite_where=db.text("status = 'draft'"),
              postgresql_where=db.text("status = 'draft'")),
        Index("uq_irp_versions_one_approved", "enrolment_id", unique=True,
              sqlite_where=db.text("status = 'approved'"),
              postgresql_where=db.text("status = 'approved'")),
        Index("ix_irp_versions_district_id_approved_on", "district_id", "approved_on"),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id

    @property
    def audit_label(self) -> str:
        return self.minor.audit_label


class Activity(db.Model):
    """A line of the programme: what is done, in which direction, by whom, how often."""

    __tablename__ = "irp_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    irp_id: Mapped[int] = mapped_column(ForeignKey("irp_versions.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    #: The direction's place in Direction (for ordering in SQL).
    direction_order: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    #: The kind of record that ticks it off: a session kind, "home_visit", or None when
    #: the specialist marks it by hand.
    fulfilled_by: Mapped[str | None] = mapped_column(String(30))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: A partner organisation (health, social protection, police…) responsible instead.
    partner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: A partner outside the system, by name.
    partner_name: Mapped[str | None] = mapped_column(String(300))
    frequency: Mapped[str] = mapped_column(String(20), default=Frequency.ONCE.value)
    starts_on: Mapped[date] = mapped_column(Date)
    #: For a one-off activity, the date it is due by.
    ends_on: Mapped[date] = mapped_column(Date)
    #: The same line in the version this one was corrected from (for comparison).
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("irp_activities.id"))

    irp: Mapped[IrpVersion] = relationship(back_populates="activities")
    responsible_user: Mapped[User | None] = relationship()
    partner_organisation: Mapped[Organisation | None] = relationship()
    occurrences: Mapped[list["Occurrence"]] = relationship(
        back_populates="activity", order_by="Occurrence.due_on")


class Occurrence(db.Model):
    """One period of an activity: planned, done (by a record or by hand), missed, cancelled.

    ``status`` stays "planned" until someone acts; a planned occurrence whose ``due_on``
    has passed counts as missed (``juvenile.irp.occurrences.effective_status``).
    """

    __tablename__ = "irp_occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("irp_activities.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    #: The period the work is to be done in: [window_start, due_on].
    window_start: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=OccurrenceStatus.PLANNED.value)
    done_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    act_id: Mapped[int | None] = mapped_column(ForeignKey("living_conditions_acts.id"),
                                               index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    activity: Mapped[Activity] = relationship(back_populates="occurrences")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_irp_occurrences_enrolment_id_due_on", "enrolment_id", "due_on"),
        Index("ix_irp_occurrences_organisation_id_due_on", "organisation_id", "due_on"),
        Index("ix_irp_occurrences_district_id_due_on", "district_id", "due_on"),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id
