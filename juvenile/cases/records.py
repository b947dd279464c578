"""What every record of the work on a case carries (sessions, visits, attendance…).

A record belongs to one enrolment and is placed where the work was done: the school and
district at the time it was recorded. Reports count it there, so a minor handed over
mid-month leaves each school's past work with that school.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from juvenile.dbtypes import UTCDateTime, utcnow


class CaseRecord:
    """Mixin: enrolment, minor, place, who recorded it and when, and an edit version."""

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    minor_id: Mapped[int] = mapped_column(ForeignKey("minors.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr
    def enrolment(cls):
        return relationship("Enrolment")

    @declared_attr
    def minor(cls):
        return relationship("Minor")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id

    @property
    def audit_label(self) -> str:
        return self.minor.audit_label

    def place_from(self, enrolment) -> None:
        """Fill enrolment, minor and place from the enrolment as it is now."""
        self.enrolment_id = enrolment.id
        self.minor_id = enrolment.minor_id
        self.organisation_id = enrolment.organisation_id
        self.district_id = enrolment.district_id
