"""Read paths of the monthly reports: where a scope is, the lists of the index and of the
commission's home page, a report's submissions, the baselines. Each costs a fixed
number of queries, however many reports, schools or districts there are."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, get_locale
from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import aliased

from juvenile.access import is_regional
from juvenile.accounts.models import District, Organisation, OrganisationKind, Region, User
from juvenile.audit.models import AuditEntry
from juvenile.extensions import db
from juvenile.pagination import Page, paginate
from juvenile.reports.indicators import Scope
from juvenile.reports.models import (
    MonthlyReport,
    OffendingBaseline,
    ReportStatus,
    ReportSubmission,
    ScopeKind,
)

SCHOOL_KINDS = (OrganisationKind.SCHOOL.value, OrganisationKind.COLLEGE.value)
#: The largest id a record can have (a 32-bit integer column).
MAX_ID = 2**31 - 1


def localised(kk: str | None, ru: str | None) -> str:
    """The Kazakh or Russian name, by the interface language."""
    locale = get_locale()
    return (ru if locale is not None and locale.language == "ru" else kk) or ""


@dataclass(frozen=True)
class Place:
    """Where a report's scope is: the school, the district or the region, with names."""

    scope: Scope
    organisation_id: int | None
    district_id: int | None
    name_kk: str
    name_ru: str
    #: The district of a school ("" otherwise).
    district_kk: str = ""
    district_ru: str = ""

    @property
    def name(self) -> str:
        return localised(self.name_kk, self.name_ru)

    @property
    def district_name(self) -> str:
        return localised(self.district_kk, self.district_ru)


def resolve_scope(scope: Scope) -> Place | None:
    """The place a scope names, or None when it names no school, district or region (an
    id no record can have included: the database is not asked)."""
    if scope.kind is not ScopeKind.REGION and not (
            isinstance(scope.id, int) and 0 < scope.id <= MAX_ID):
        return None
    if scope.kind is ScopeKind.SCHOOL:
        row = db.session.execute(
            select(Organisation.id, Organisation.district_id, Organisation.name_kk,
                   Organisation.name_ru, District.name_kk, District.name_ru)
            .join(District, District.id == Organisation.district_id)
            .where(Organisation.id == scope.id, Organisation.kind.in_(SCHOOL_KINDS))).first()
        return Place(scope, row[0], row[1], row[2], row[3], row[4], row[5]) if row else None
    if scope.kind is ScopeKind.DISTRICT:
        row = db.session.execute(select(District.id, District.name_kk, District.name_ru)
                                 .where(District.id == scope.id)).first()
        return Place(scope, None, row[0], row[1], row[2]) if row else None
    row = db.session.execute(select(Region.name_kk, Region.name_ru)
                             .order_by(Region.id).limit(1)).first()
    return Place(scope, None, None, row[0], row[1]) if row else None


def find_report(scope_key: str, month: date) -> MonthlyReport | None:
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.scope_key == scope_key,
                                                         MonthlyReport.month == month))


def _last_submissions():
    """Per report: when it was last submitted, and how many times."""
    return (select(ReportSubmission.report_id,
                   func.max(ReportSubmission.submitted_at).label("last_at"),
                   func.count(ReportSubmission.id).label("times"))
            .group_by(ReportSubmission.report_id).subquery())


@dataclass(frozen=True)
class MonthRow:
    month: date
    report_id: int | None
    status: str | None
    last_submitted_at: datetime | None

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label if self.status else ""


def month_rows(scope_key: str, months: list[date]) -> list[MonthRow]:
    """One row per month of ``months`` for the scope's report, whether it exists or not."""
    last = _last_submissions()
    found = {
        row.month: row for row in db.session.execute(
            select(MonthlyReport.id, MonthlyReport.month, MonthlyReport.status, last.c.last_at)
            .outerjoin(last, last.c.report_id == MonthlyReport.id)
            .where(MonthlyReport.scope_key == scope_key, MonthlyReport.month.in_(months)))
    }
    rows = []
    for month in months:
        row = found.get(month)
        rows.append(MonthRow(month, row.id, row.status, row.last_at) if row is not None
                    else MonthRow(month, None, None, None))
    return rows


@dataclass(frozen=True)
class UnitRow:
    """A school of the district, or a district of the region, and its report of a month."""

    scope_key: str
    name_kk: str
    name_ru: str
    report_id: int | None
    status: str | None
    last_submitted_at: datetime | None

    @property
    def name(self) -> str:
        return localised(self.name_kk, self.name_ru)

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label if self.status else ""


def unit_rows(scope: Scope, month: date, page: int, per_page: int) -> Page:
    """The schools of a district (or the districts of the region) with their report of
    ``month``: a page of UnitRow."""
    last = _last_submissions()
    if scope.kind is ScopeKind.DISTRICT:
        unit, kind = Organisation, ScopeKind.SCHOOL
        joined = MonthlyReport.organisation_id == Organisation.id
        where = and_(Organisation.district_id == scope.id, Organisation.kind.in_(SCHOOL_KINDS),
                     Organisation.is_active.is_(True))
    else:
        unit, kind = District, ScopeKind.DISTRICT
        joined = MonthlyReport.district_id == District.id
        where = true()
    stmt = (select(unit.id, unit.name_kk, unit.name_ru, MonthlyReport.id, MonthlyReport.status,
                   last.c.last_at)
            .outerjoin(MonthlyReport, and_(joined, MonthlyReport.scope_kind == kind.value,
                                           MonthlyReport.month == month))
            .outerjoin(last, last.c.report_id == MonthlyReport.id)
            .where(where).order_by(unit.name_kk, unit.id))
    result = paginate(stmt, page, per_page, scalars=False)
    result.items = [UnitRow(f"{kind.value}:{uid}", kk, ru, rid, status, at)
                    for uid, kk, ru, rid, status, at in result.items]
    return result


@dataclass(frozen=True)
class ReportRow:
    """A report as the commission's lists show it: its scope, month, status."""

    report_id: int
    scope_kind: str
    scope_key: str
    month: date
    status: str
    last_submitted_at: datetime | None
    times: int
    names: tuple[str, str]
    district_names: tuple[str, str]

    @property
    def name(self) -> str:
        return localised(*self.names)

    @property
    def district_name(self) -> str:
        return localised(*self.district_names)

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label

    @property
    def kind_label(self) -> str:
        return ScopeKind(self.scope_kind).label

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def month_label(self) -> str:
        return format_date(self.month, "LLLL yyyy")


def _commission_scope(user: User):
    """SQL condition on the reports a commission member reads: submitted at least once,
    of their district (school and district reports), or any for a regional member."""
    submitted = MonthlyReport.status != ReportStatus.DRAFT.value
    if is_regional(user):
        return submitted
    return and_(submitted, MonthlyReport.district_id == user.organisation.district_id,
                MonthlyReport.district_id.is_not(None))


def review_scope(user: User):
    """SQL condition on the reports the commission member decides on."""
    if is_regional(user):
        return MonthlyReport.scope_kind == ScopeKind.REGION.value
    return and_(MonthlyReport.district_id == user.organisation.district_id,
                MonthlyReport.district_id.is_not(None),
                MonthlyReport.scope_kind.in_([ScopeKind.SCHOOL.value,
                                              ScopeKind.DISTRICT.value]))


def _report_rows(where, order):
    last = _last_submissions()
    return (select(MonthlyReport.id, MonthlyReport.scope_kind, MonthlyReport.scope_key,
                   MonthlyReport.month, MonthlyReport.status, last.c.last_at, last.c.times,
                   Organisation.name_kk, Organisation.name_ru, District.name_kk,
                   District.name_ru)
            .outerjoin(last, last.c.report_id == MonthlyReport.id)
            .outerjoin(Organisation, Organisation.id == MonthlyReport.organisation_id)
            .outerjoin(District, District.id == MonthlyReport.district_id)
            .where(where).order_by(*order))


def _to_report_row(row, region_names: tuple[str, str]) -> ReportRow:
    rid, kind, key, month, status, last_at, times, okk, oru, dkk, dru = row
    if kind == ScopeKind.SCHOOL.value:
        names = (okk, oru)
    elif kind == ScopeKind.DISTRICT.value:
        names = (dkk, dru)
    else:
        names = region_names
    return ReportRow(rid, kind, key, month, status, last_at, times or 0, names,
                     (dkk or "", dru or ""))


def region_names() -> tuple[str, str]:
    row = db.session.execute(select(Region.name_kk, Region.name_ru)
                             .order_by(Region.id).limit(1)).first()
    return (row[0], row[1]) if row else ("", "")


def commission_reports(user: User, status: str | None, page: int, per_page: int) -> Page:
    """The reports submitted to a commission member: those awaiting their decision first,
    then by month, newest first."""
    where = _commission_scope(user)
    if status:
        where = and_(where, MonthlyReport.status == status)
    waiting_first = case((and_(review_scope(user),
                               MonthlyReport.status == ReportStatus.SUBMITTED.value), 0),
                         else_=1)
    names = region_names()
    result = paginate(_report_rows(where, (waiting_first, MonthlyReport.month.desc(),
                                           MonthlyReport.scope_key)),
                      page, per_page, scalars=False)
    result.items = [_to_report_row(row, names) for row in result.items]
    return result


def waiting_for_decision(user: User, limit: int = 20) -> list[ReportRow]:
    """Reports submitted and awaiting this commission member's decision, oldest first."""
    names = region_names()
    stmt = _report_rows(and_(review_scope(user),
                             MonthlyReport.status == ReportStatus.SUBMITTED.value),
                        (MonthlyReport.month, MonthlyReport.scope_key)).limit(limit)
    return [_to_report_row(row, names) for row in db.session.execute(stmt)]


# --- a report's submissions ------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    number: int
    submitted_at: datetime
    submitted_by: str
    definitions_version: str
    decision: str | None
    decided_at: datetime | None
    decided_by: str | None
    comment: str | None

    @property
    def decision_label(self) -> str:
        from juvenile.reports.models import Decision

        return Decision(self.decision).label if self.decision else ""


def submissions(report_id: int) -> list[SubmissionRow]:
    """Every submission of the report, the latest first, with who sent and decided it."""
    sender, decider = aliased(User), aliased(User)
    rows = db.session.execute(
        select(ReportSubmission.number, ReportSubmission.submitted_at, sender.full_name,
               ReportSubmission.definitions_version, ReportSubmission.decision,
               ReportSubmission.decided_at, decider.full_name, ReportSubmission.comment)
        .join(sender, sender.id == ReportSubmission.submitted_by_id)
        .outerjoin(decider, decider.id == ReportSubmission.decided_by_id)
        .where(ReportSubmission.report_id == report_id)
        .order_by(ReportSubmission.number.desc()))
    return [SubmissionRow(*row) for row in rows]


def submission(report_id: int, number: int) -> ReportSubmission | None:
    return db.session.scalar(select(ReportSubmission).where(
        ReportSubmission.report_id == report_id, ReportSubmission.number == number))


def latest_submission(report_id: int) -> ReportSubmission | None:
    return db.session.scalar(select(ReportSubmission)
                             .where(ReportSubmission.report_id == report_id)
                             .order_by(ReportSubmission.number.desc()).limit(1))


# --- baselines -------------------------------------------------------------------------


def _baseline_scope(district_id: int | None):
    if district_id is None:
        return OffendingBaseline.district_id.is_(None)
    return OffendingBaseline.district_id == district_id


@dataclass(frozen=True)
class BaselineRow:
    year: int
    rate: object
    note: str
    entered_by: str
    entered_at: datetime
    version: int


def baselines(district_id: int | None) -> list[BaselineRow]:
    """The baselines of a district (None: the region), the latest year first."""
    rows = db.session.execute(
        select(OffendingBaseline.year, OffendingBaseline.rate, OffendingBaseline.note,
               User.full_name, OffendingBaseline.entered_at, OffendingBaseline.version)
        .join(User, User.id == OffendingBaseline.entered_by_id)
        .where(_baseline_scope(district_id)).order_by(OffendingBaseline.year.desc()))
    return [BaselineRow(*row) for row in rows]


def baseline_of(district_id: int | None, year: int) -> OffendingBaseline | None:
    return db.session.scalar(select(OffendingBaseline).where(
        _baseline_scope(district_id), OffendingBaseline.year == year))


def baseline_history(district_id: int | None, limit: int = 50) -> list[AuditEntry]:
    """The audit entries of the scope's baselines: every value they ever had."""
    ids = select(OffendingBaseline.id).where(_baseline_scope(district_id))
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == OffendingBaseline.__tablename__,
                                 AuditEntry.object_id.in_(ids))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
