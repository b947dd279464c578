"""The rules behind the indicators: the effectiveness statuses at their thresholds, the
deadline a case had on a past day, a month still running, and the number of queries
(which must not grow with the schools or the cases)."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from sqlalchemy import or_, select

from juvenile.cases.models import Enrolment
from juvenile.leisure.queries import count_involved_minors, labour_or_leisure_clause
from juvenile.reports.baselines import baseline_for
from juvenile.reports.indicators import (
    Scope,
    compute,
    repeat_attempts_status,
    repeat_offending_status,
    share_status,
    trend_status,
)
from juvenile.reports.models import OffendingBaseline, ScopeKind
from juvenile.reports.queries_state import deadline_at
from tests.conftest import counted_queries
from tests.reports_region import MONTH, add_schools, build_report_region

COVERAGE = (Fraction(9, 10), Fraction(3, 4))
INVOLVEMENT = (Fraction(7, 10), Fraction(3, 5))


@pytest.fixture
def region(db, world):
    return build_report_region(db, world)


# --- statuses at their thresholds ----------------------------------------------------------


@pytest.mark.parametrize("rate, baseline, status", [
    (Fraction(40), Decimal("50.00"), "green"),  # exactly 80% of the baseline
    (Fraction(4001, 100), Decimal("50.00"), "amber"),  # just above 80%
    (Fraction(50), Decimal("50.00"), "amber"),  # as high as the baseline
    (Fraction(5001, 100), Decimal("50.00"), "red"),  # above the baseline
    (Fraction(0), Decimal("0.00"), "green"),  # no offences against a zero baseline
    (Fraction(1), Decimal("0.00"), "red"),
    (Fraction(10), None, "none"),  # no baseline entered
    (None, Decimal("50.00"), "none"),  # nobody under support
])
def test_repeat_offending_status(rate, baseline, status):
    assert repeat_offending_status(rate, baseline) == status


@pytest.mark.parametrize("share, status", [
    (Fraction(1), "green"), (Fraction(9, 10), "green"), (Fraction(899, 1000), "amber"),
    (Fraction(3, 4), "amber"), (Fraction(749, 1000), "red"), (Fraction(0), "red"),
    (None, "none")])
def test_coverage_status(share, status):
    assert share_status(share, *COVERAGE) == status


@pytest.mark.parametrize("share, status", [
    (Fraction(7, 10), "green"), (Fraction(699, 1000), "amber"), (Fraction(3, 5), "amber"),
    (Fraction(599, 1000), "red"), (None, "none")])
def test_involvement_status(share, status):
    assert share_status(share, *INVOLVEMENT) == status


@pytest.mark.parametrize("current, previous, status", [
    (Fraction(5), Fraction(6), "green"), (Fraction(6), Fraction(6), "amber"),
    (Fraction(13, 2), Fraction(6), "red"), (None, Fraction(6), "none"),
    (Fraction(6), None, "none")])
def test_missed_lessons_status(current, previous, status):
    assert trend_status(current, previous) == status


def test_repeat_attempts_status():
    assert repeat_attempts_status(0) == "green"
    assert repeat_attempts_status(1) == "red"


@pytest.mark.parametrize("rate, status", [
    ("62.50", "green"),  # D2's 50 per 100 is exactly 80% of 62.5
    ("62.49", "amber"),
    ("50.00", "amber"),  # equal to the baseline
    ("49.99", "red"),
])
def test_repeat_offending_threshold_through_compute(db, region, rate, status):
    d2 = region.district("D2")
    baseline = db.session.scalar(select(OffendingBaseline).where(
        OffendingBaseline.district_id == d2.id, OffendingBaseline.year == 2025))
    baseline.rate = Decimal(rate)
    db.session.commit()
    entry = compute(Scope(ScopeKind.DISTRICT, d2.id), MONTH)["effectiveness"][
        "repeat_offending"]
    assert (entry["value"], entry["status"]) == (50.0, status)
    school3 = compute(Scope(ScopeKind.SCHOOL, region.org("school3").id), MONTH)
    assert school3["effectiveness"]["repeat_offending"]["status"] == status


def test_baseline_for(region):
    assert baseline_for(Scope(ScopeKind.REGION), 2025) == Decimal("60.00")
    assert baseline_for(Scope(ScopeKind.DISTRICT, region.district("D1").id), 2026) == \
        Decimal("10.00")
    # A school uses its district's.
    assert baseline_for(Scope(ScopeKind.SCHOOL, region.org("school3").id), 2025) == \
        Decimal("55.00")
    assert baseline_for(Scope(ScopeKind.DISTRICT, region.district("D2").id), 2026) is None


# --- the deadline on a past day ------------------------------------------------------------

SETTINGS = {"initial_stage_days": 10, "active_stage_max_months": 6,
            "follow_up_until_month": 12}


def _move(from_stage, to_stage, on, days=None):
    return SimpleNamespace(from_stage=from_stage, to_stage=to_stage, moved_on=on,
                           extension_days=days)


JAN, SEPT = date(2026, 1, 1), date(2026, 9, 15)


@pytest.mark.parametrize("enrolled, moves, current_due, expected", [
    # Only an extension after the day: the current deadline less it.
    (date(2026, 3, 10), [_move("initial", "active", date(2026, 3, 20)),
                         _move("active", "active", date(2026, 11, 5), 60)],
     date(2026, 11, 19), date(2026, 9, 20)),
    # The initial stage left after the day: enrolled + 10 days.
    (SEPT, [_move("initial", "active", date(2026, 11, 3))], date(2027, 5, 3),
     date(2026, 9, 25)),
    # … plus an extension granted in that stage before the day.
    (SEPT, [_move("initial", "initial", date(2026, 9, 20), 5),
            _move("initial", "active", date(2026, 11, 3))], date(2027, 5, 3),
     date(2026, 9, 30)),
    # The active stage (begun 10 Jan) left after the day: six months from its start.
    (JAN, [_move("initial", "active", date(2026, 1, 10)),
           _move("active", "follow_up", date(2026, 11, 5))], date(2026, 12, 1),
     date(2026, 7, 10)),
    # Closed after the day from follow-up: 12 months from enrolment.
    (JAN, [_move("initial", "active", date(2026, 1, 10)),
           _move("active", "follow_up", date(2026, 7, 10)),
           _move("follow_up", "closed", date(2026, 11, 5))], date(2027, 1, 1),
     date(2027, 1, 1)),
])
def test_deadline_at(enrolled, moves, current_due, expected):
    assert deadline_at(date(2026, 10, 31), enrolled, current_due, moves, SETTINGS) == expected


# --- a month still running -----------------------------------------------------------------


def test_a_running_month_counts_only_what_is_past_due(region):
    """Read on 20 October: A's occurrence due 25 Oct is still planned, not missed; D's
    deadline of 22 Oct has not passed yet."""
    school1 = compute(Scope(ScopeKind.SCHOOL, region.org("school1").id), MONTH,
                      today=date(2026, 10, 20))["values"]
    assert (school1["irp_planned"], school1["irp_done"], school1["irp_missed"]) == (3, 1, 1)
    school2 = compute(Scope(ScopeKind.SCHOOL, region.org("school2").id), MONTH,
                      today=date(2026, 10, 20))["values"]
    assert school2["overdue"] == 0
    # A month that has ended is read as ended, whatever today is.
    ended = compute(Scope(ScopeKind.SCHOOL, region.org("school2").id), MONTH,
                    today=date(2026, 12, 1))["values"]
    assert ended["overdue"] == 1


# --- queries -------------------------------------------------------------------------------


def _queries(scope) -> int:
    with counted_queries() as statements:
        compute(scope, MONTH)
    return len(statements)


def test_query_count_does_not_grow_with_schools_or_cases(db, world):
    d1 = world.districts["D1"]
    scopes = [Scope(ScopeKind.REGION), Scope(ScopeKind.DISTRICT, d1.id),
              Scope(ScopeKind.SCHOOL, world.orgs["school1"].id)]
    # Two schools of the region hold cases…
    add_schools(db, world, "D2", 2)
    before = [_queries(scope) for scope in scopes]
    # … then six, with the hand-computed region's cases too.
    build_report_region(db, world)
    add_schools(db, world, "D1", 4)
    after = [_queries(scope) for scope in scopes]
    assert after == before
    assert max(after) <= 25
    region = compute(Scope(ScopeKind.REGION), MONTH)
    assert len(region["by_school"]) == 10  # 3 schools, a college, 6 added


# --- one definition --------------------------------------------------------------------------


def test_involvement_is_the_leisure_modules_rule(region):
    """The report's "involved" counts the minors the leisure module's own clause counts."""
    first, last = MONTH, date(2026, 10, 31)
    in_programme = (Enrolment.enrolled_on <= last,
                    or_(Enrolment.closed_on.is_(None), Enrolment.closed_on > last))
    expected = count_involved_minors(first, last, *in_programme,
                                     clause=labour_or_leisure_clause)
    assert compute(Scope(ScopeKind.REGION), MONTH)["values"]["involved"] == expected == 3


def test_a_deactivated_school_is_listed_only_with_numbers(db, region):
    region.org("college1").is_active = False  # no numbers in October
    region.org("school2").is_active = False  # has numbers in October
    db.session.commit()
    data = compute(Scope(ScopeKind.DISTRICT, region.district("D1").id), MONTH)
    assert {s["id"] for s in data["by_school"]} == {region.org("school1").id,
                                                    region.org("school2").id}
    assert data["values"]["in_programme"] == 4
