"""Monthly reports for the commission on minors' affairs, their frozen submissions, and
the baselines the effectiveness indicators are measured against.

A report is the living draft for one scope (a school, a district, the region) and month.
Submitting freezes the numbers: a ``ReportSubmission`` stores the computed indicators as
they were, with the version of the definitions that produced them, and the narrative.
Later changes to the data never alter a submission; a commission member returns it with
a comment or accepts it. Every submission is kept and readable.
"""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from juvenile.accounts.models import District, Organisation, User
from juvenile.cases.models import _LABELS, LabelledEnum
from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class ScopeKind(LabelledEnum):
    SCHOOL = "school"
    DISTRICT = "district"
    REGION = "region"


class ReportStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Decision(LabelledEnum):
    RETURNED = "returned"
    ACCEPTED = "accepted"


_LABELS.update({
    ScopeKind: {ScopeKind.SCHOOL: _l("school"), ScopeKind.DISTRICT: _l("district"),
                ScopeKind.REGION: _l("region")},
    ReportStatus: {ReportStatus.DRAFT: _l("draft"),
                   ReportStatus.SUBMITTED: _l("submitted, awaiting the commission"),
                   ReportStatus.RETURNED: _l("returned for correction"),
                   ReportStatus.ACCEPTED: _l("accepted")},
    Decision: {Decision.RETURNED: _l("returned"), Decision.ACCEPTED: _l("accepted")},
})


class MonthlyReport(db.Model):
    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(10))
    #: For a school report; None otherwise.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: For a school or district report; None for the region.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    #: "school:12", "district:3" or "region": one report per scope and month.
    scope_key: Mapped[str] = mapped_column(String(30))
    #: The first day of the month reported on.
    month: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT.value)
    #: The narrative: work done, problems, proposals.
    work_done: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation | None] = relationship()
    district: Mapped[District | None] = relationship()
    submissions: Mapped[list["ReportSubmission"]] = relationship(
        back_populates="report", order_by="ReportSubmission.number")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("scope_key", "month", name="uq_monthly_reports_scope_month"),
        Index("ix_monthly_reports_status_month", "status", "month"),
        Index("ix_monthly_reports_district_id_month", "district_id", "month"),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.organisation_id

    @property
    def audit_label(self) -> str:
        return f"{self.scope_key} {self.month:%Y-%m}"


class ReportSubmission(db.Model):
    """One submission of a report: its numbers frozen as sent, and the commission's
    decision on it."""

    __tablename__ = "report_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_reports.id"), index=True)
    #: 1, 2, 3… within the report.
    number: Mapped[int] = mapped_column(Integer)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The computed indicators exactly as submitted (juvenile.reports.indicators).
    snapshot: Mapped[dict] = mapped_column(JSON)
    #: juvenile.reports.indicators.DEFINITIONS_VERSION at submission.
    definitions_version: Mapped[str] = mapped_column(String(20))
    #: {"work_done", "problems", "proposals"} as submitted.
    narrative: Mapped[dict] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)

    report: Mapped[MonthlyReport] = relationship(back_populates="submissions")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        UniqueConstraint("report_id", "number", name="uq_report_submissions_report_number"),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.report.audit_scope


class OffendingBaseline(db.Model):
    """The repeat-offending figure a district (or the region, district None) measures its
    reduction against, per year; entered by the coordinator."""

    __tablename__ = "offending_baselines"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    year: Mapped[int] = mapped_column(Integer)
    #: Repeat offences per 100 minors under support in the baseline year.
    rate: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # One per district and year; NULL district (the region) is unique by the index below.
        UniqueConstraint("district_id", "year", name="uq_offending_baselines_district_year"),
        Index("uq_offending_baselines_region_year", "year", unique=True,
              sqlite_where=db.text("district_id IS NULL"),
              postgresql_where=db.text("district_id IS NULL")),
    )

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, None

    @property
    def audit_label(self) -> str:
        return str(self.year)
