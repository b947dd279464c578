"""Rules of the monthly report: who reads, writes and decides on which report; the draft
and its narrative; submitting (the numbers frozen as a snapshot); returning and
accepting; what a recomputation would change; the repeat-offending baselines.

Who does what (PROGRAMME.md, "What the commission receives"):

* a school's report is written by its deputy head (school administrator), a district's
  by the district coordinator, the region's by the regional methodologist;
* the coordinator reads the reports of the district's schools; the methodologist every
  report;
* a commission member reads only what was submitted: a district commission the school
  and district reports of its district, and decides on them; the regional commission
  reads every submitted report and decides on the region's.

Every change is audited here; none goes on a case timeline.
"""

import calendar
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from juvenile.access import is_regional, register_policy
from juvenile.accounts.models import Role, User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.dbtypes import utcnow
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.reports import indicators, presentation
from juvenile.reports.indicators import Scope
from juvenile.reports.models import (
    Decision,
    MonthlyReport,
    OffendingBaseline,
    ReportStatus,
    ReportSubmission,
    ScopeKind,
)
from juvenile.reports.queries import Place, baseline_of, find_report

#: The programme («Балалар Қазақстаны» 2026–2030) reports from its first month.
PROGRAMME_START = date(2026, 1, 1)
NARRATIVE_FIELDS = ["work_done", "problems", "proposals"]
BASELINE_FIELDS = ["year", "rate", "note"]
EDITABLE = frozenset({ReportStatus.DRAFT.value, ReportStatus.RETURNED.value})

audit_labels.OBJECT_LABELS.update({
    "monthly_reports": _l("Monthly report"),
    "report_submissions": _l("Report submission"),
    "offending_baselines": _l("Repeat-offending baseline"),
})
audit_labels.ACTION_LABELS.update({
    "submit": _l("submitted"),
    "return": _l("returned for correction"),
    "accept": _l("accepted"),
})


# --- months --------------------------------------------------------------------------


#: The years a month may name (a report, a baseline): anything else is malformed.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(text: str) -> date | None:
    """"2026-10" → 1 October 2026; None for anything else (a year outside 2000–2100,
    digits other than ASCII ones)."""
    year, sep, month = (text or "").partition("-")
    if not (sep and len(year) == 4 and len(month) == 2 and (year + month).isascii()
            and year.isdigit() and month.isdigit()):
        return None
    if not (1 <= int(month) <= 12 and FIRST_YEAR <= int(year) <= LAST_YEAR):
        return None
    return date(int(year), int(month), 1)


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def month_label(month: date) -> str:
    """"Қазан 2026" / "октябрь 2026": the month as the reader's language names it."""
    return format_date(month, "LLLL yyyy")


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_is_over(month: date, today: date) -> bool:
    last = calendar.monthrange(month.year, month.month)[1]
    return today > month.replace(day=last)


def months_back(today: date) -> list[date]:
    """Every reportable month, the current one first, back to the programme's start."""
    months, month = [], today.replace(day=1)
    while month >= PROGRAMME_START:
        months.append(month)
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return months


def last_finished_month(today: date) -> date:
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


# --- who may do what -----------------------------------------------------------------


def _district_of(user: User) -> int | None:
    return user.organisation.district_id


def may_view(user: User, report: MonthlyReport) -> bool:
    role = user.role_enum
    if role is Role.SCHOOL_ADMIN:
        return (report.scope_kind == ScopeKind.SCHOOL.value
                and report.organisation_id == user.organisation_id)
    if role is Role.DISTRICT_COORDINATOR:
        return report.district_id is not None and report.district_id == _district_of(user)
    if role is Role.METHODOLOGIST:
        return True
    if role is Role.COMMISSION_MEMBER:
        if report.status == ReportStatus.DRAFT.value:
            return False  # never submitted: not yet the commission's
        if is_regional(user):
            return True
        return report.district_id is not None and report.district_id == _district_of(user)
    return False


def may_write(user: User, report: MonthlyReport) -> bool:
    role, kind = user.role_enum, report.scope_kind
    if role is Role.SCHOOL_ADMIN:
        return kind == ScopeKind.SCHOOL.value and report.organisation_id == user.organisation_id
    if role is Role.DISTRICT_COORDINATOR:
        return (kind == ScopeKind.DISTRICT.value and report.district_id is not None
                and report.district_id == _district_of(user))
    return role is Role.METHODOLOGIST and kind == ScopeKind.REGION.value


def may_review(user: User, report: MonthlyReport) -> bool:
    if user.role_enum is not Role.COMMISSION_MEMBER:
        return False
    if is_regional(user):
        return report.scope_kind == ScopeKind.REGION.value
    return (report.scope_kind in {ScopeKind.SCHOOL.value, ScopeKind.DISTRICT.value}
            and report.district_id is not None and report.district_id == _district_of(user))


def _report_policy(user: User, action: str, report: MonthlyReport) -> bool:
    if not may_view(user, report):
        return False
    if action == "view":
        return True
    if action == "write":
        return may_write(user, report)
    if action == "review":
        return may_review(user, report)
    return False


register_policy(MonthlyReport, _report_policy)


def own_scope(user: User) -> Scope | None:
    """The scope whose report the user writes (None for the commission)."""
    role = user.role_enum
    if role is Role.SCHOOL_ADMIN:
        return Scope(ScopeKind.SCHOOL, user.organisation_id)
    if role is Role.DISTRICT_COORDINATOR and _district_of(user):
        return Scope(ScopeKind.DISTRICT, _district_of(user))
    if role is Role.METHODOLOGIST:
        return Scope(ScopeKind.REGION)
    return None


def scope_of(report: MonthlyReport) -> Scope:
    kind = ScopeKind(report.scope_kind)
    ident = {ScopeKind.SCHOOL: report.organisation_id, ScopeKind.DISTRICT: report.district_id,
             ScopeKind.REGION: None}[kind]
    return Scope(kind, ident)


def computed(report: MonthlyReport, today: date) -> dict:
    """The report's indicators computed from the records now. A month still running is
    read as of today (a deadline not yet passed is not overdue)."""
    scope = scope_of(report)
    if month_is_over(report.month, today):
        return indicators.compute(scope, report.month)
    return indicators.compute(scope, report.month, today=today)


# --- the draft and its narrative -----------------------------------------------------


def unsaved_report(place: Place, month: date) -> MonthlyReport:
    """The report of a scope and month as it would be before anyone opened it (not added
    to the session: readers see the numbers computed without a row being made)."""
    return MonthlyReport(scope_kind=place.scope.kind.value, organisation_id=place.organisation_id,
                         district_id=place.district_id, scope_key=place.scope.key, month=month,
                         status=ReportStatus.DRAFT.value, work_done="", problems="",
                         proposals="")


def open_report(actor: User, place: Place, month: date) -> MonthlyReport:
    """The report of the scope and month; its writer's first opening makes the draft.
    Anyone else gets the unsaved report (numbers computed, nothing stored)."""
    report = find_report(place.scope.key, month)
    if report is not None:
        return report
    report = unsaved_report(place, month)
    if not may_write(actor, report):
        return report
    report.updated_by_id = actor.id
    db.session.add(report)
    db.session.flush()
    audit.record(actor, "create", report, report.audit_label,
                 {"status": ReportStatus.DRAFT.value})
    return report


def _check_writer(actor: User, report: MonthlyReport) -> None:
    if not may_write(actor, report):
        raise ServiceError(_("This report is written by %(who)s.", who=writer_label(report)))


def writer_label(report: MonthlyReport) -> str:
    role = {ScopeKind.SCHOOL.value: Role.SCHOOL_ADMIN,
            ScopeKind.DISTRICT.value: Role.DISTRICT_COORDINATOR,
            ScopeKind.REGION.value: Role.METHODOLOGIST}[report.scope_kind]
    return role.label


def _check_editable(report: MonthlyReport) -> None:
    if report.status not in EDITABLE:
        raise ServiceError(_("The report is %(status)s: it can be changed only as a draft or "
                             "after the commission returns it.",
                             status=ReportStatus(report.status).label))


def update_narrative(actor: User, report: MonthlyReport, narrative: dict,
                     expected_version: int | None) -> MonthlyReport:
    """Write the work done, the problems and the proposals of a draft or returned report."""
    _check_writer(actor, report)
    _check_editable(report)
    check_version(report, expected_version)
    before = audit.snapshot(report, NARRATIVE_FIELDS)
    for name in NARRATIVE_FIELDS:
        setattr(report, name, (narrative.get(name) or "").strip())
    changes = audit.diff(before, audit.snapshot(report, NARRATIVE_FIELDS))
    if changes:
        report.updated_by_id = actor.id
        db.session.flush()
        audit.record(actor, "update", report, report.audit_label, changes)
    return report


# --- submission and decision ---------------------------------------------------------


def _frozen(data: dict) -> dict:
    """The computed indicators as stored JSON: a deep copy, so nothing shares them."""
    return json.loads(json.dumps(data))


def submit_report(actor: User, report: MonthlyReport, expected_version: int | None,
                  today: date) -> ReportSubmission:
    """Send the report to the commission: its numbers are computed now and frozen with
    the version of the definitions that produced them, with a copy of the narrative."""
    _check_writer(actor, report)
    _check_editable(report)
    check_version(report, expected_version)
    if not month_is_over(report.month, today):
        raise ServiceError(_("%(month)s is not over yet: its report is submitted from "
                             "%(day)s.", month=month_label(report.month),
                             day=format_date(next_month(report.month), "long")))
    if not (report.work_done or "").strip():
        raise ServiceError(_("Describe the work done before submitting."), "work_done")
    snapshot = _frozen(indicators.compute(scope_of(report), report.month))
    number = len(report.submissions) + 1
    submission = ReportSubmission(
        report=report, number=number, submitted_by_id=actor.id, snapshot=snapshot,
        definitions_version=str(snapshot.get("definitions_version")
                                or indicators.DEFINITIONS_VERSION),
        narrative={name: getattr(report, name) for name in NARRATIVE_FIELDS})
    before = report.status
    report.status = ReportStatus.SUBMITTED.value
    report.updated_by_id = actor.id
    db.session.add(submission)
    db.session.flush()
    audit.record(actor, "submit", submission, f"{report.audit_label} #{number}",
                 {"status": [before, report.status],
                  "definitions_version": submission.definitions_version})
    return submission


def decide_report(actor: User, report: MonthlyReport, decision: str, comment: str | None,
                  expected_version: int | None) -> ReportSubmission:
    """Return the latest submission with a comment, or accept it."""
    if not may_review(actor, report):
        raise ServiceError(_("The commission of the report's scope decides on it."))
    if report.status != ReportStatus.SUBMITTED.value or not report.submissions:
        raise ServiceError(_("This report is not awaiting a decision."))
    check_version(report, expected_version)
    chosen = Decision(decision)
    comment = (comment or "").strip()
    if chosen is Decision.RETURNED and not comment:
        raise ServiceError(_("Say what must be corrected."), "comment")
    latest = report.submissions[-1]
    latest.decision = chosen.value
    latest.decided_by_id = actor.id
    latest.decided_at = utcnow()
    latest.comment = comment or None
    before = report.status
    report.status = chosen.value
    db.session.flush()
    audit.record(actor, "return" if chosen is Decision.RETURNED else "accept", latest,
                 f"{report.audit_label} #{latest.number}",
                 {"status": [before, report.status], "comment": comment or None})
    return latest


# --- what a recomputation would change -----------------------------------------------


@dataclass(frozen=True)
class Difference:
    #: The indicator's label (with the breakdown's label).
    indicator: str
    #: The whole scope, or the school / district the number is for.
    unit: str
    submitted: object
    now: object
    #: The indicator's kind (count, share, rate, number) for formatting.
    kind: str


def _labels() -> tuple[dict, dict]:
    by_key = {i.key: i for i in indicators.INDICATORS}
    effectiveness = {e.key: e for e in indicators.EFFECTIVENESS}
    return by_key, effectiveness


def _value_differences(label: str, unit: str, kind: str, before, after, breakdown: dict,
                       hidden: tuple[dict, dict] = ({}, {})) -> list[Difference]:
    """The lines of one value (a breakdown: one per code that differs). ``hidden`` holds,
    for the submitted and the current numbers, the markers of the hidden ones (keyed by
    the breakdown's code, or None for a plain value): a hidden number shows its marker,
    and a line whose two sides then read the same is left out."""
    hidden_before, hidden_after = hidden
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        codes = list(breakdown) + sorted((set(before) | set(after)) - set(breakdown))
        pairs = [(f"{label}: {breakdown.get(code, code)}",
                  hidden_before.get(code) or before.get(code, 0),
                  hidden_after.get(code) or after.get(code, 0), "count") for code in codes]
    else:
        pairs = [(label, hidden_before.get(None) or before, hidden_after.get(None) or after,
                  kind)]
    return [Difference(name, unit, was, now, shown_kind)
            for name, was, now, shown_kind in pairs if was != now]


def _unit_values(data: dict) -> dict[tuple[str, int], tuple[str, dict]]:
    from juvenile.reports.queries import localised

    units = {}
    for group in ("by_district", "by_school"):
        for unit in data.get(group) or []:
            units[(group, unit.get("id"))] = (localised(unit.get("name_kk"), unit.get("name_ru")),
                                               unit.get("values") or {})
    return units


def _masks(data: dict, suppress: bool):
    """What the data's tables hide from the reader (presentation.hidden_numbers)."""
    return presentation.hidden_numbers(data, suppress=suppress)


def _hidden_of(hidden, ident: tuple[str, int] | None, key: str) -> dict:
    """The markers of one value of a unit (None: the whole scope) for _value_differences."""
    if ident is None:
        if key in hidden.scope:
            return {None: hidden.scope[key]}
        return {code: marker for (of, code), marker in hidden.codes.items() if of == key}
    group, unit_id = ident
    masks = hidden.districts if group == "by_district" else hidden.schools
    marker = (masks.get(unit_id) or {}).get(key)
    return {None: marker} if marker else {}


def differences(submitted: dict, now: dict, whole_scope: str, *,
                suppress: bool = False) -> list[Difference]:
    """Every number of the submitted snapshot that a computation now gives differently:
    the effectiveness indicators, then each indicator for the whole scope and per unit.

    With ``suppress`` (a reader the report's tables hide small numbers from:
    presentation.suppress_small) a number hidden there shows its marker here ("<5",
    "×"), a line whose two sides then read the same is left out, and per school or
    district only the numbers of the per-unit tables are compared."""
    by_key, effectiveness = _labels()
    before_hidden, after_hidden = _masks(submitted, suppress), _masks(now, suppress)
    found: list[Difference] = []
    before_eff, after_eff = submitted.get("effectiveness") or {}, now.get("effectiveness") or {}
    extra = sorted((set(before_eff) | set(after_eff)) - set(effectiveness))
    for key in list(effectiveness) + extra:
        item = effectiveness.get(key)
        before = before_hidden.effectiveness(key) or (before_eff.get(key) or {}).get("value")
        after = after_hidden.effectiveness(key) or (after_eff.get(key) or {}).get("value")
        if before != after:
            share = item is not None and item.target is not None and 0 < item.target < 1
            found.append(Difference(str(item.label) if item else key, whole_scope, before,
                                    after, "share" if share else "number"))
    units = [(whole_scope, None, submitted.get("values") or {}, now.get("values") or {})]
    before_units, after_units = _unit_values(submitted), _unit_values(now)
    for ident in list(before_units) + [u for u in after_units if u not in before_units]:
        name = (after_units.get(ident) or before_units[ident])[0]
        units.append((name, ident, (before_units.get(ident) or ("", {}))[1],
                      (after_units.get(ident) or ("", {}))[1]))
    for unit, ident, before_values, after_values in units:
        keys = list(by_key) + sorted((set(before_values) | set(after_values)) - set(by_key))
        if suppress and ident is not None:  # only what the per-unit tables show
            keys = [key for key in keys if key in by_key and by_key[key].per_unit
                    and by_key[key].kind != "breakdown"]
        for key in keys:
            if key not in before_values and key not in after_values:
                continue
            indicator = by_key.get(key)
            label = str(indicator.label) if indicator else key
            kind = indicator.kind if indicator else "number"
            breakdown = (indicator.breakdown_labels() if indicator and indicator.breakdown_labels
                         else {})
            found += _value_differences(
                label, unit, kind, before_values.get(key), after_values.get(key), breakdown,
                (_hidden_of(before_hidden, ident, key), _hidden_of(after_hidden, ident, key)))
    return found


# --- baselines -----------------------------------------------------------------------


def baseline_district(actor: User) -> int | None:
    """The coordinator enters their district's baseline; the methodologist the region's."""
    if actor.role_enum is Role.DISTRICT_COORDINATOR and _district_of(actor):
        return _district_of(actor)
    if actor.role_enum is Role.METHODOLOGIST:
        return None
    raise ServiceError(_("The baselines are entered by the district coordinator and the "
                         "regional methodologist."))


def set_baseline(actor: User, year: int, rate: Decimal, note: str | None,
                 expected_version: int | None, today: date) -> OffendingBaseline:
    """Enter or correct the repeat-offending baseline of the actor's scope for a year.
    ``expected_version`` is None for a new year: a year already entered is then refused
    rather than overwritten."""
    district_id = baseline_district(actor)
    if not 2000 <= year <= today.year:
        raise ServiceError(_("A year from 2000 to %(year)s.", year=today.year), "year")
    if rate is None or not 0 <= rate <= 1000:
        raise ServiceError(_("From 0 to 1000."), "rate")
    record = baseline_of(district_id, year)
    if record is None:
        record = OffendingBaseline(district_id=district_id, year=year)
        db.session.add(record)
        before, action = {}, "create"
    else:
        if expected_version is None:
            raise ServiceError(_("The baseline of %(year)s is already entered: change it "
                                 "from the list below.", year=year), "year")
        check_version(record, expected_version)
        before, action = audit.snapshot(record, BASELINE_FIELDS), "update"
    record.rate = Decimal(rate).quantize(Decimal("0.01"))
    record.note = (note or "").strip()
    record.entered_by_id = actor.id
    record.entered_at = utcnow()
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(record, BASELINE_FIELDS))
    if changes:
        audit.record(actor, action, record, record.audit_label, changes)
    return record
