"""What every indicator query shares: the month and scope being counted, where a case is
placed on a day, and the tally the queries add their grouped rows to.

Every query of the indicators groups by organisation (or, for the counts of distinct
minors that do not add up, by district and for the whole scope), so the number of
queries never depends on the number of schools, districts or cases.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from juvenile.cases.models import Enrolment, Placement
from juvenile.reports.models import ScopeKind


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_last(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_back(first: date, count: int) -> date:
    """The first day of the month ``count`` months before the month of ``first``."""
    index = first.year * 12 + first.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def local_midnight_utc(day: date) -> datetime:
    """The instant the region's calendar day begins, in UTC (timestamps are stored in
    UTC; months are counted in the region's time, juvenile.cases.dates)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Frame:
    """The scope and month being counted, and the days derived from them."""

    kind: ScopeKind
    #: The organisation (school scope) or district (district scope); None for the region.
    scope_id: int | None
    first: date
    last: date
    #: The day states are read on: the month's last day, or today while the month runs.
    as_of: date
    #: The day an IRP occurrence's status is read on (effective_status): the day after
    #: the month, or today while the month runs.
    occurrences_on: date

    @classmethod
    def of(cls, kind: ScopeKind, scope_id: int | None, month: date,
           today: date | None = None) -> "Frame":
        first, last = month_first(month), month_last(month)
        running = today is not None and today <= last
        return cls(kind, scope_id, first, last,
                   as_of=max(today, first) if running else last,
                   occurrences_on=max(today, first) if running else last + timedelta(days=1))

    @property
    def previous_first(self) -> date:
        return months_back(self.first, 1)

    @property
    def window_first(self) -> date:
        """The first day of the twelve months ending with this one."""
        return months_back(self.first, 11)

    @property
    def starts_utc(self) -> datetime:
        return local_midnight_utc(self.first)

    @property
    def ends_utc(self) -> datetime:
        """The instant the month ends (the next month's first midnight, region time)."""
        return local_midnight_utc(self.last + timedelta(days=1))

    def in_scope(self, organisation_column, district_column) -> list:
        """Conditions placing a row in the scope by its organisation and district."""
        if self.kind is ScopeKind.SCHOOL:
            return [organisation_column == self.scope_id]
        if self.kind is ScopeKind.DISTRICT:
            return [district_column == self.scope_id]
        return []

    def in_month(self, column) -> object:
        return column.between(self.first, self.last)


def held_on(day) -> object:
    """SQL: the Placement row holds its enrolment on ``day`` (a date or a date column):
    from_date <= day < to_date, to_date NULL while the case is still held there."""
    return and_(Placement.from_date <= day,
                or_(Placement.to_date.is_(None), Placement.to_date > day))


def programme_at_end(frame: Frame):
    """CTE: the enrolments in the programme at the end of the month, each with the school
    that held it on the month's last day (enrolled_on <= last day, and not closed or
    closed after it)."""
    return (select(Enrolment.id.label("enrolment_id"), Enrolment.minor_id.label("minor_id"),
                   Placement.organisation_id.label("organisation_id"), Enrolment.stage,
                   Enrolment.stage_due_on, Enrolment.enrolled_on)
            .join(Placement, and_(Placement.enrolment_id == Enrolment.id,
                                  held_on(frame.last)))
            .where(Enrolment.enrolled_on <= frame.last,
                   or_(Enrolment.closed_on.is_(None), Enrolment.closed_on > frame.last),
                   *frame.in_scope(Placement.organisation_id, Placement.district_id))
            .cte("programme"))


@dataclass
class Tally:
    """Grouped counts as the queries return them.

    ``by_org`` holds additive values (counts of cases or records, each placed at exactly
    one organisation): a district's or the region's value is the sum of its
    organisations'. ``exact`` holds values that do not add up (distinct minors over
    twelve months), per level: ("org", id), ("district", id), ("total", None).
    """

    by_org: dict = field(default_factory=lambda: defaultdict(dict))
    exact: dict = field(default_factory=lambda: defaultdict(dict))

    def add(self, org_id: int, key: str, count: int, code: str | None = None) -> None:
        values = self.by_org[org_id]
        if code is None:
            values[key] = values.get(key, 0) + int(count or 0)
        else:
            breakdown = values.setdefault(key, {})
            breakdown[code] = breakdown.get(code, 0) + int(count or 0)

    def set_exact(self, level: tuple, key: str, value) -> None:
        self.exact[level][key] = value


def merge(into: dict, values: dict) -> None:
    """Add ``values`` (numbers and {code: number} breakdowns) into ``into``."""
    for key, value in values.items():
        if isinstance(value, dict):
            target = into.setdefault(key, {})
            for code, count in value.items():
                target[code] = target.get(code, 0) + count
        else:
            into[key] = into.get(key, 0) + value


def month_bounds_of(month: date) -> tuple[date, date]:
    """(first day, last day) of the month containing ``month``."""
    return month_first(month), month_last(month)


class month_start(FunctionElement):
    """SQL: the first day of the month of a date column (PostgreSQL and SQLite)."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"
