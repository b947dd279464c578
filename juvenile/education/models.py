"""Education and employment: status with dates, monthly missed lessons, quarterly
progress, employment. Career-guidance sessions are sessions (juvenile.sessions)."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from juvenile.cases.models import _LABELS, LabelledEnum
from juvenile.cases.records import CaseRecord
from juvenile.extensions import db


class EducationStatus(LabelledEnum):
    ATTENDING = "attending"
    RETURNED = "returned"
    NOT_ATTENDING = "not_attending"
    COLLEGE = "college"
    WORKING = "working"


class EmploymentKind(LabelledEnum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


_LABELS.update({
    EducationStatus: {EducationStatus.ATTENDING: _l("attending school"),
                      EducationStatus.RETURNED: _l("returned to education"),
                      EducationStatus.NOT_ATTENDING: _l("not attending"),
                      EducationStatus.COLLEGE: _l("studying at a college"),
                      EducationStatus.WORKING: _l("working")},
    EmploymentKind: {EmploymentKind.TEMPORARY: _l("temporary employment"),
                     EmploymentKind.PERMANENT: _l("permanent employment")},
})


class EducationRecord(CaseRecord, db.Model):
    """The minor's education status from a date on (until the next record)."""

    __tablename__ = "education_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    since: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_education_statuses_minor_id_since", "minor_id", "since"),
    )


class MonthlyAttendance(CaseRecord, db.Model):
    """Missed lessons of one supported pupil in one month (typed on the school's screen)."""

    __tablename__ = "monthly_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The first day of the month.
    month: Mapped[date] = mapped_column(Date)
    lessons: Mapped[int] = mapped_column(Integer)
    missed_excused: Mapped[int] = mapped_column(Integer, default=0)
    missed_unexcused: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("minor_id", "month", name="uq_monthly_attendance_minor_month"),
        Index("ix_monthly_attendance_organisation_id_month", "organisation_id", "month"),
        Index("ix_monthly_attendance_district_id_month", "district_id", "month"),
    )


class QuarterlyProgress(CaseRecord, db.Model):
    """Academic progress at the end of a school quarter."""

    __tablename__ = "quarterly_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    failing_subjects: Mapped[int] = mapped_column(Integer, default=0)
    failing_note: Mapped[str] = mapped_column(String(300), default="")
    average_mark: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))

    __table_args__ = (
        UniqueConstraint("enrolment_id", "year", "quarter",
                         name="uq_quarterly_progress_enrolment_quarter"),
    )


class Employment(CaseRecord, db.Model):
    """Temporary or permanent work of the minor."""

    __tablename__ = "employments"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    employer: Mapped[str] = mapped_column(String(300))
    position: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_employments_district_id_starts_on", "district_id", "starts_on"),
    )
