"""Sessions and contacts with a minor or the family, and group sessions.

A group session is one record with a line per minor in ``sessions`` (``group_session_id``
set, ``attended`` per minor), so it counts in each minor's programme like an individual
session. Confidential notes are seen only by psychologists (juvenile.access).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from juvenile.accounts.models import User
from juvenile.cases.models import _LABELS, LabelledEnum
from juvenile.cases.records import CaseRecord
from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class SessionKind(LabelledEnum):
    INDIVIDUAL_CONSULTATION = "consultation"
    CORRECTION = "correction"
    TRAINING = "training"
    CRISIS_HELP = "crisis_help"
    CONTACT_MINOR = "contact_minor"
    CONTACT_FAMILY = "contact_family"
    FAMILY_CONSULTATION = "family_consultation"
    PARENTING_TRAINING = "parenting_training"
    CAREER_GUIDANCE = "career_guidance"

    @property
    def is_psychological(self) -> bool:
        """Psychological help: a clinical line on the timeline."""
        return self in PSYCHOLOGICAL_KINDS

    @property
    def is_consultation(self) -> bool:
        """Counts for the active stage's minimum frequency of consultations."""
        return self in PSYCHOLOGICAL_KINDS


PSYCHOLOGICAL_KINDS = frozenset({SessionKind.INDIVIDUAL_CONSULTATION, SessionKind.CORRECTION,
                                 SessionKind.TRAINING, SessionKind.CRISIS_HELP})
#: Work with the family (PROGRAMME.md direction 3).
FAMILY_KINDS = frozenset({SessionKind.CONTACT_FAMILY, SessionKind.FAMILY_CONSULTATION,
                          SessionKind.PARENTING_TRAINING})


class SessionFormat(LabelledEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"


_LABELS.update({
    SessionKind: {
        SessionKind.INDIVIDUAL_CONSULTATION: _l("individual consultation"),
        SessionKind.CORRECTION: _l("correction session"),
        SessionKind.TRAINING: _l("training (emotions, stress)"),
        SessionKind.CRISIS_HELP: _l("crisis help"),
        SessionKind.CONTACT_MINOR: _l("contact with the minor"),
        SessionKind.CONTACT_FAMILY: _l("contact with the family"),
        SessionKind.FAMILY_CONSULTATION: _l("consultation of the legal representatives"),
        SessionKind.PARENTING_TRAINING: _l("parenting-skills training"),
        SessionKind.CAREER_GUIDANCE: _l("career guidance"),
    },
    SessionFormat: {SessionFormat.IN_PERSON: _l("in person"), SessionFormat.PHONE: _l("phone"),
                    SessionFormat.ONLINE: _l("online")},
})


class GroupSession(db.Model):
    """A session held with several minors (or their parents) at once."""

    __tablename__ = "group_sessions"
    #: Its page lists minors by name: opening it is audited.
    audit_openings = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    conducted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    confidential_notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    conducted_by: Mapped[User] = relationship(foreign_keys=[conducted_by_id])
    participants: Mapped[list["Session"]] = relationship(back_populates="group_session")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_group_sessions_organisation_id_held_on", "organisation_id", "held_on"),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id


class Session(CaseRecord, db.Model):
    """A session or contact in one minor's case (or that minor's line of a group session)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    conducted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Others who took part (a parent, a partner's specialist), as typed.
    participants: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Psychologists only (juvenile.access.may_see_session_notes).
    confidential_notes: Mapped[str | None] = mapped_column(Text)
    group_session_id: Mapped[int | None] = mapped_column(ForeignKey("group_sessions.id"),
                                                         index=True)
    #: For a group session's line: whether this minor came.
    attended: Mapped[bool] = mapped_column(Boolean, default=True)

    conducted_by: Mapped[User] = relationship(foreign_keys=[conducted_by_id])
    group_session: Mapped[GroupSession | None] = relationship(back_populates="participants")

    __table_args__ = (
        Index("ix_sessions_enrolment_id_held_on", "enrolment_id", "held_on"),
        Index("ix_sessions_organisation_id_held_on", "organisation_id", "held_on"),
        Index("ix_sessions_district_id_held_on", "district_id", "held_on"),
    )
