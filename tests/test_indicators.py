"""Every indicator of October 2026 in the hand-computed region (tests/reports_region.py),
at school, district and region scope.

Each expected number below was counted by hand from the region's description; the
comment beside it says which minors (A–L) make it up. Columns of EXPECTED:
school1, school2, school3, college1 | district D1 (school1 + school2 + college1),
district D2 (school3) | the region.
"""

import json
from datetime import date

import pytest

from juvenile.reports.indicators import (
    DEFINITIONS_VERSION,
    EFFECTIVENESS,
    INDICATORS,
    Scope,
    compute,
)
from juvenile.reports.models import ScopeKind
from tests.reports_region import MONTH, build_report_region

UNITS = ("school1", "school2", "school3", "college1", "D1", "D2", "region")

EXPECTED = {
    # --- minors in the programme -------------------------------------------------------
    # Open on 31 Oct, placed where held that day: A, H, I | D (2nd enrolment) | C (handed
    # over 15 Oct), F, G. B closed 25 Oct, E closed 14 Oct, L enrolled only in November.
    "in_programme": (3, 1, 3, 0, 4, 3, 7),
    # B (5 Oct, school1) | D's second enrolment (12 Oct). L enrolled 10 Nov.
    "enrolled": (1, 1, 0, 0, 2, 0, 2),
    # B moved away (school1) | E turned 18 (school3).
    "closed": (1, 0, 1, 0, 1, 1, 2),
    # A: deadline 20 Sept (extended to 19 Nov only on 5 Nov) | D: 22 Oct | G: initial stage
    # until 3 Nov, deadline 25 Sept (enrolled 15 Sept + 10 days). H's deadline is 31 Oct,
    # the month's last day: not yet overdue. C was extended to 9 Nov in August.
    "overdue": (1, 1, 1, 0, 2, 1, 3),
    # J (registered 20 Sept) | L (registered in May, enrolled in November). K registered
    # in November; B, E and D have enrolments.
    "registered_not_enrolled": (1, 1, 0, 0, 2, 0, 2),
    # --- crisis flags ------------------------------------------------------------------
    # D raised 20 Oct | G raised 30 Sept 20:00 UTC = 1 Oct 01:00 in Almaty. A's was May.
    "crisis_raised": (0, 1, 1, 0, 1, 1, 2),
    # D | G: cleared 31 Oct 20:00 UTC = 1 Nov in Almaty, so standing at the month's end.
    "crisis_open": (0, 1, 1, 0, 1, 1, 2),
    # F cleared 8 Oct (school3).
    "crisis_cleared": (0, 0, 1, 0, 0, 1, 1),
    # --- diagnostics -------------------------------------------------------------------
    # A anxiety 5 Oct, B aggression 6 Oct | D suicide risk 21 Oct | C aggression 18 Oct,
    # recorded at school3 after the hand-over. F's of 5 Nov is after the month.
    "assessments": (2, 1, 1, 0, 3, 1, 4),
    # --- work --------------------------------------------------------------------------
    # A's occurrences due 4 (done), 11 (planned → missed), 18 (cancelled), 25 Oct
    # (planned → missed) | C's, made by school2's IRP: 12 (done), 26 Oct (missed) | F's
    # 31 Oct (done). Due 27 Sept and 1 Nov are other months. Planned = due − cancelled.
    "irp_planned": (3, 2, 1, 0, 5, 1, 6),
    "irp_done": (1, 1, 1, 0, 2, 1, 3),
    "irp_missed": (2, 1, 0, 0, 3, 0, 3),
    "irp_cancelled": (1, 0, 0, 0, 1, 0, 1),
    # school1: A consultation 2 and 9 Oct, A contact with the family 24 Oct, the group
    # training of 16 Oct (A and H came, I did not: 2), H family consultation 22 Oct,
    # I parenting training 23 Oct = 7 (A's of 25 Sept is another month) | C consultation
    # 7 Oct (before the hand-over, at school2), D crisis help 21 Oct | C correction
    # 20 Oct (school3), F career guidance 2 Oct, G contact with the family 28 Oct.
    "sessions": (7, 2, 3, 0, 9, 3, 12),
    # A 3 Oct | D 14 Oct | G 29 Oct (G's of 30 Sept is another month).
    "home_visits": (1, 1, 1, 0, 2, 1, 3),
    # Contacts with the family + family consultations + parenting trainings:
    # A contact, H consultation, I training | — | G contact.
    "family_consultations": (3, 0, 1, 0, 3, 1, 4),
    # --- education ---------------------------------------------------------------------
    # October rows: A 4 and H 8 (school1) | C 2 (school3, typed after the hand-over).
    "attendance_pupils": (2, 0, 1, 0, 2, 1, 3),
    "missed_unexcused": (12, 0, 2, 0, 12, 2, 14),
    "missed_per_pupil": (6.0, None, 2.0, None, 6.0, 2.0, 4.6667),  # 12/2 | 2/1 | 14/3
    # September rows: A 6, H 7 (school1) | C 3 (school2, before the hand-over).
    "attendance_pupils_previous": (2, 1, 0, 0, 3, 0, 3),
    "missed_unexcused_previous": (13, 3, 0, 0, 16, 0, 16),
    "missed_per_pupil_previous": (6.5, 3.0, None, None, 5.3333, None, 5.3333),
    # October's pupils in their enrolment month, counted where October's row is:
    # A March 10, H April 9 (school1) | C February 5 (typed at school2, counted at school3).
    "attendance_pupils_enrolment_month": (2, 0, 1, 0, 2, 1, 3),
    "missed_unexcused_enrolment_month": (19, 0, 5, 0, 19, 5, 24),
    "missed_per_pupil_enrolment_month": (9.5, None, 5.0, None, 9.5, 5.0, 8.0),
    # --- leisure and labour ------------------------------------------------------------
    # A (section since 1 Sept), H (club from 31 Oct) — not I (event ended 30 Sept) | D
    # none | F (employed until 3 Oct) — not C, G.
    "involved": (2, 0, 1, 0, 2, 1, 3),
    "involved_share": (0.6667, 0.0, 0.3333, None, 0.5, 0.3333, 0.4286),  # 2/3 0/1 1/3 2/4 3/7
    # --- offences and suicide attempts under support -----------------------------------
    # A 12 Oct, I 25 Oct | C 10 Oct (held by school2) | C 20 Oct (held by school3).
    # Not A's of January (before support) nor J's (never enrolled).
    "offences": (2, 1, 1, 0, 3, 1, 4),
    "repeat_offences": (2, 1, 1, 0, 3, 1, 4),
    # H 18 Oct | D 20 Oct. D's of June (between enrolments) is not under support.
    "suicide_attempts": (1, 1, 0, 0, 2, 0, 2),
    # D's October attempt follows the June one; H's is the first.
    "repeat_suicide_attempts": (0, 1, 0, 0, 1, 0, 1),
    # --- effectiveness components (twelve months: Nov 2025 – Oct 2026) -------------------
    # A Oct, I Oct | C 10 Oct, D 20 Jan (first enrolment) | C 20 Oct, E 5 May.
    "repeat_offences_12m": (2, 2, 2, 0, 4, 2, 6),
    # Distinct minors held in the unit on a day of the window: A B H I | C D | C E F G;
    # D1: A B C D H I; D2: C E F G; region: A–I (C counts once).
    "under_support_12m": (4, 2, 4, 0, 6, 4, 9),
    "repeat_offending_rate": (50.0, 100.0, 50.0, None, 66.6667, 50.0, 66.6667),
    # Approved IRP by 31 Oct: A, H (not I) | — (D none) | C (approved at school2), F
    # (not G: 2 Nov).
    "coverage_approved": (2, 0, 2, 0, 2, 2, 4),
    # In the programme + registered not enrolled: 3+1 | 1+1 | 3+0.
    "coverage_identified": (4, 2, 3, 0, 6, 3, 9),
    "coverage_share": (0.5, 0.0, 0.6667, None, 0.3333, 0.6667, 0.4444),
}

BREAKDOWNS = {
    # Non-zero codes only; every other code is 0.
    "in_programme_by_group": (
        {"1": 1, "2": 1, "3": 2},  # A {1,3}, H {2}, I {3}
        {"2": 1, "5": 1},  # D {2,5}
        {"1": 1, "2": 1, "3": 1},  # F {1}, G {2}, C {3}
        {}, {"1": 1, "2": 2, "3": 2, "5": 1}, {"1": 1, "2": 1, "3": 1},
        {"1": 2, "2": 3, "3": 3, "5": 1}),
    "in_programme_by_stage": (
        {"active": 3}, {"initial": 1},
        {"initial": 1, "active": 1, "follow_up": 1},  # G initial until 3 Nov, C, F
        {}, {"initial": 1, "active": 3}, {"initial": 1, "active": 1, "follow_up": 1},
        {"initial": 2, "active": 4, "follow_up": 1}),
    "closed_by_reason": (
        {"moved_away": 1}, {}, {"turned_18": 1}, {}, {"moved_away": 1}, {"turned_18": 1},
        {"moved_away": 1, "turned_18": 1}),
    "assessments_by_construct": (
        {"anxiety": 1, "aggression": 1}, {"suicide_risk": 1}, {"aggression": 1}, {},
        {"anxiety": 1, "aggression": 1, "suicide_risk": 1}, {"aggression": 1},
        {"anxiety": 1, "aggression": 2, "suicide_risk": 1}),
    # First assessment of each construct in the enrolment: A anxiety high (March),
    # H aggression moderate | D suicide risk high (not the first enrolment's anxiety) |
    # C aggression high (February, at school2), F anxiety low.
    "levels_at_enrolment": (
        {"anxiety:high": 1, "aggression:moderate": 1}, {"suicide_risk:high": 1},
        {"aggression:high": 1, "anxiety:low": 1}, {},
        {"anxiety:high": 1, "aggression:moderate": 1, "suicide_risk:high": 1},
        {"aggression:high": 1, "anxiety:low": 1},
        {"anxiety:high": 1, "aggression:moderate": 1, "suicide_risk:high": 1,
         "aggression:high": 1, "anxiety:low": 1}),
    # Latest by 31 Oct: A anxiety moderate (5 Oct), H unchanged | D unchanged | C
    # aggression moderate (18 Oct), F anxiety low (its high of 5 Nov is after the month).
    "levels_latest": (
        {"anxiety:moderate": 1, "aggression:moderate": 1}, {"suicide_risk:high": 1},
        {"aggression:moderate": 1, "anxiety:low": 1}, {},
        {"anxiety:moderate": 1, "aggression:moderate": 1, "suicide_risk:high": 1},
        {"aggression:moderate": 1, "anxiety:low": 1},
        {"anxiety:moderate": 1, "aggression:moderate": 2, "suicide_risk:high": 1,
         "anxiety:low": 1}),
    "sessions_by_kind": (
        {"consultation": 2, "training": 2, "contact_family": 1, "family_consultation": 1,
         "parenting_training": 1},
        {"consultation": 1, "crisis_help": 1},
        {"correction": 1, "career_guidance": 1, "contact_family": 1}, {},
        {"consultation": 3, "training": 2, "contact_family": 1, "family_consultation": 1,
         "parenting_training": 1, "crisis_help": 1},
        {"correction": 1, "career_guidance": 1, "contact_family": 1},
        {"consultation": 3, "training": 2, "contact_family": 2, "family_consultation": 1,
         "parenting_training": 1, "crisis_help": 1, "correction": 1, "career_guidance": 1}),
    # Latest status begun by 31 Oct: A attending, H not attending (since 1 Sept), I none
    # | D attending (recorded in the first enrolment) | C attending (college only from
    # 3 Nov), F working, G none.
    "education_status": (
        {"attending": 1, "not_attending": 1, "unknown": 1}, {"attending": 1},
        {"attending": 1, "working": 1, "unknown": 1}, {},
        {"attending": 2, "not_attending": 1, "unknown": 1},
        {"attending": 1, "working": 1, "unknown": 1},
        {"attending": 3, "not_attending": 1, "working": 1, "unknown": 2}),
}

# Effectiveness statuses: (school1, school2, school3, college1, D1, D2, region).
# Baselines of 2025: D1 90 (target 72), D2 55 (target 44), region 60 (target 48); a school
# uses its district's (D1's 2026 baseline of 10 must not be used for 2026's months).
STATUSES = {
    # 50 ≤ 72 green | 100 > 90 red | 50 in (44, 55] amber | no minors | 66.67 ≤ 72 green |
    # 50 amber | 66.67 > 60 red.
    "repeat_offending": ("green", "red", "amber", "none", "green", "amber", "red"),
    # 50% | 0% | 66.7% | — | 33.3% | 66.7% | 44.4%: all below 75%.
    "coverage": ("red", "red", "red", "none", "red", "red", "red"),
    # 6 < 6.5 | no October rows | no September rows | — | 6 > 5.33 | none | 4.67 < 5.33.
    "missed_lessons": ("green", "none", "none", "none", "red", "none", "green"),
    "repeat_suicide_attempts": ("green", "red", "green", "green", "red", "green", "red"),
    # 66.7% amber (≥ 60) | 0% | 33.3% | — | 50% | 33.3% | 42.9%.
    "leisure_labour": ("amber", "red", "red", "none", "red", "red", "red"),
}


@pytest.fixture
def region(db, world):
    return build_report_region(db, world)


def _scope_of(region, unit: str) -> Scope:
    if unit == "region":
        return Scope(ScopeKind.REGION)
    if unit in ("D1", "D2"):
        return Scope(ScopeKind.DISTRICT, region.district(unit).id)
    return Scope(ScopeKind.SCHOOL, region.org(unit).id)


def expected_values(unit: str) -> dict:
    index = UNITS.index(unit)
    values = {key: column[index] for key, column in EXPECTED.items()}
    values.update({key: column[index] for key, column in BREAKDOWNS.items()})
    return values


def assert_values(actual: dict, unit: str) -> None:
    expected = expected_values(unit)
    for key, value in expected.items():
        if isinstance(value, dict):
            nonzero = {code: n for code, n in actual[key].items() if n}
            assert nonzero == value, (unit, key)
        else:
            assert actual[key] == value, (unit, key, actual[key])


def test_every_indicator_is_checked():
    """The hand computation covers every indicator (a new one needs its expected value)."""
    assert set(EXPECTED) | set(BREAKDOWNS) == {i.key for i in INDICATORS}


def test_region_scope(region):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    assert data["month"] == "2026-10"
    assert data["definitions_version"] == DEFINITIONS_VERSION
    assert data["scope"] == {"kind": "region", "id": None, "name_kk": "Облыс",
                             "name_ru": "Область", "district_id": None}
    assert_values(data["values"], "region")
    districts = {d["id"]: d for d in data["by_district"]}
    assert list(districts) == [region.district("D1").id, region.district("D2").id]
    for code in ("D1", "D2"):
        assert_values(districts[region.district(code).id]["values"], code)
    schools = {s["id"]: s for s in data["by_school"]}
    assert set(schools) == {region.org(c).id for c in ("school1", "school2", "school3",
                                                       "college1")}
    for code in ("school1", "school2", "school3", "college1"):
        assert schools[region.org(code).id]["district_id"] == region.org(code).district_id
        assert_values(schools[region.org(code).id]["values"], code)


@pytest.mark.parametrize("unit", ["D1", "D2"])
def test_district_scope(region, unit):
    data = compute(_scope_of(region, unit), MONTH)
    assert_values(data["values"], unit)
    assert data["by_district"] == []
    members = {"D1": ("school1", "school2", "college1"), "D2": ("school3",)}[unit]
    schools = {s["id"]: s["values"] for s in data["by_school"]}
    # Every school and college of the district, the empty college included.
    assert set(schools) == {region.org(code).id for code in members}
    for code in members:
        assert_values(schools[region.org(code).id], code)
    assert data["scope"]["district_id"] == region.district(unit).id


@pytest.mark.parametrize("unit", ["school1", "school2", "school3", "college1"])
def test_school_scope(region, unit):
    data = compute(_scope_of(region, unit), MONTH)
    assert_values(data["values"], unit)
    assert [s["id"] for s in data["by_school"]] == [region.org(unit).id]
    assert data["by_school"][0]["values"] == data["values"]
    assert data["scope"]["district_id"] == region.org(unit).district_id


@pytest.mark.parametrize("unit", UNITS)
def test_effectiveness(region, unit):
    data = compute(_scope_of(region, unit), MONTH)
    index = UNITS.index(unit)
    statuses = {key: entry["status"] for key, entry in data["effectiveness"].items()}
    assert statuses == {key: column[index] for key, column in STATUSES.items()}
    assert list(data["effectiveness"]) == [e.key for e in EFFECTIVENESS]


def test_effectiveness_entries_of_the_region(region):
    entries = compute(Scope(ScopeKind.REGION), MONTH)["effectiveness"]
    assert entries["repeat_offending"] == {
        "value": 66.6667, "target": 48.0, "status": "red", "numerator": 6, "denominator": 9,
        "baseline": 60.0, "previous": None, "enrolment_month": None}
    assert entries["coverage"] == {
        "value": 0.4444, "target": 0.9, "status": "red", "numerator": 4, "denominator": 9,
        "baseline": None, "previous": None, "enrolment_month": None}
    assert entries["missed_lessons"] == {
        "value": 4.6667, "target": None, "status": "green", "numerator": 14,
        "denominator": 3, "baseline": None, "previous": 5.3333, "enrolment_month": 8.0}
    assert entries["repeat_suicide_attempts"]["value"] == 1
    assert entries["repeat_suicide_attempts"]["target"] == 0
    assert entries["leisure_labour"] == {
        "value": 0.4286, "target": 0.7, "status": "red", "numerator": 3, "denominator": 7,
        "baseline": None, "previous": None, "enrolment_month": None}
    # Each district against its own baseline.
    by_district = compute(Scope(ScopeKind.REGION), MONTH)["by_district"]
    assert [d["effectiveness"]["repeat_offending"]["baseline"] for d in by_district] == [
        90.0, 55.0]
    assert [d["effectiveness"]["repeat_offending"]["status"] for d in by_district] == [
        "green", "amber"]


def test_district_scope_equals_the_regions_district_rows(region):
    """One definition: the district computed alone and as a row of the region agree."""
    rows = {d["id"]: d for d in compute(Scope(ScopeKind.REGION), MONTH)["by_district"]}
    for code in ("D1", "D2"):
        alone = compute(_scope_of(region, code), MONTH)
        row = rows[region.district(code).id]
        assert alone["values"] == row["values"]
        assert alone["effectiveness"] == row["effectiveness"]


def test_snapshot_is_json(region):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    assert json.loads(json.dumps(data)) == data


def test_a_month_without_a_baseline(region):
    """November 2027 compares with 2026: D1 has a baseline (10), the region none."""
    region_data = compute(Scope(ScopeKind.REGION), date(2027, 11, 1))
    assert region_data["effectiveness"]["repeat_offending"]["status"] == "none"
    assert region_data["effectiveness"]["repeat_offending"]["target"] is None
    d1 = compute(_scope_of(region, "D1"), date(2027, 11, 1))["effectiveness"]
    assert d1["repeat_offending"]["baseline"] == 10.0


def test_month_given_as_any_day(region):
    assert compute(Scope(ScopeKind.REGION), date(2026, 10, 17)) == compute(
        Scope(ScopeKind.REGION), MONTH)
