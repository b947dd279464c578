"""The report's tables and charts from the hand-computed region, and the small-numbers
rule: in the region's report a single school's count from 1 to 4 is "<5" (and so is a
share built on one), 0 and 5+ are shown, and districts' and the region's values are
shown as they are; reports that stay in the district show every number."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from juvenile.reports import presentation
from juvenile.reports.indicators import EFFECTIVENESS, INDICATORS, SECTIONS, Scope, compute
from juvenile.reports.models import ScopeKind
from tests.reports_region import MONTH, build_report_region

DOCS = Path(__file__).resolve().parent.parent / "docs" / "indicators.md"


@pytest.fixture
def region(db, world):
    return build_report_region(db, world)


@pytest.fixture
def kk(app):
    with app.test_request_context(), force_locale("kk"):
        yield


def _table(tables, key):
    return next(t for t in tables if t.key == key)


def _cell(table, row_label_start: str, column: str):
    row = next(i for i, label in enumerate(table.row_labels)
               if label.startswith(row_label_start))
    return table.rows[row][table.columns.index(column)]


def _label(key):
    return next(str(i.label) for i in INDICATORS if i.key == key)


def test_suppress_small_only_for_the_region(region, kk):
    assert presentation.suppress_small(compute(Scope(ScopeKind.REGION), MONTH))
    district = compute(Scope(ScopeKind.DISTRICT, region.district("D1").id), MONTH)
    assert not presentation.suppress_small(district)
    school = compute(Scope(ScopeKind.SCHOOL, region.org("school1").id), MONTH)
    assert not presentation.suppress_small(school)


def test_region_report_suppresses_small_school_counts(region, kk):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    tables = presentation.tables(data, suppress_small=True)
    schools = _table(tables, "schools-programme")
    # school1 has 3 minors in the programme: "<5", no number behind it.
    cell = _cell(schools, "school1", _label("in_programme"))
    assert (cell.text, cell.value) == ("<5", None)
    # The empty college: 0 is shown.
    cell = _cell(schools, "college1", _label("in_programme"))
    assert (cell.text, cell.value) == ("0", 0)
    assert schools.note and "<5" in schools.note
    # 7 sessions at school1 are shown as they are.
    work = _table(tables, "schools-work")
    assert _cell(work, "school1", _label("sessions")).text == "7"
    assert _cell(work, "school1", _label("home_visits")).text == "<5"
    # A share is "<5" when its numerator (school1: 2 involved) or its denominator
    # (school2: 0 of 1) is small; an average over 2 pupils too.
    involvement = _table(tables, "schools-involvement")
    for school in ("school1", "school2", "school3"):
        assert _cell(involvement, school, _label("involved_share")).text == "<5"
    assert _cell(involvement, "college1", _label("involved_share")).text == "—"
    education = _table(tables, "schools-education")
    assert _cell(education, "school1", _label("missed_per_pupil")).text == "<5"
    # The districts' rows and the region's total are shown as they are.
    districts = _table(tables, "districts-programme")
    assert _cell(districts, "Бірінші", _label("in_programme")).text == "4"
    assert _cell(districts, "Екінші", _label("in_programme")).text == "3"
    total = schools.rows[-1][schools.columns.index(_label("in_programme"))]
    assert (total.text, total.value) == ("7", 7)
    # The region's report names each school's district.
    assert schools.columns[0] != _label("in_programme")
    assert _cell(schools, "school3", schools.columns[0]).text == "Екінші аудан"
    # Whole-region sections are never suppressed.
    section = _table(tables, "section-programme")
    assert section.rows[section.row_labels.index(_label("overdue"))][0].text == "3"
    assert "<5" not in [c.text for row in section.rows for c in row]


def test_district_report_shows_every_number(region, kk):
    data = compute(Scope(ScopeKind.DISTRICT, region.district("D1").id), MONTH)
    tables = presentation.tables(data, suppress_small=presentation.suppress_small(data))
    schools = _table(tables, "schools-programme")
    assert _cell(schools, "school1", _label("in_programme")).text == "3"
    assert _cell(schools, "school2", _label("in_programme")).text == "1"
    assert schools.note is None
    assert not any(t.key.startswith("districts-") for t in tables)
    assert "<5" not in [c.text for t in tables for row in t.rows for c in row]


def test_tables_in_order(region, kk):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    keys = [t.key for t in presentation.tables(data, suppress_small=True)]
    assert keys[0] == "effectiveness"
    assert keys[1:1 + len(SECTIONS)] == [f"section-{key}" for key, _title in SECTIONS]
    assert keys[1 + len(SECTIONS)] == "districts-programme"
    assert keys[2 + len(SECTIONS)] == "schools-programme"


def test_effectiveness_table(region, kk):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    table = presentation.effectiveness_table(data)
    assert table.row_labels == [str(e.label) for e in EFFECTIVENESS]
    statuses = [row[-1].status for row in table.rows]
    assert statuses == ["red", "red", "green", "red", "red"]
    assert table.rows[0][0].value == 66.6667
    assert table.row_definitions[0] == "effectiveness-repeat_offending"
    # Missed lessons: this month against the month before and the enrolment month.
    compared = table.rows[2][2].text
    assert "5,33" in compared
    assert re.search(r"\b8\b", compared)


def test_breakdown_rows_follow_their_heading(region, kk):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    section = presentation.section_table(data, "programme", "—")
    heading = section.row_labels.index(_label("in_programme_by_group"))
    assert section.rows[heading][0].value is None
    # Group 1 (police preventive registration): A and F.
    assert section.rows[heading + 1][0].value == 2
    assert section.row_definitions[heading + 1] == "in_programme_by_group"


def test_chart_series(region, kk):
    data = compute(Scope(ScopeKind.REGION), MONTH)
    series = {s["key"]: s for s in presentation.chart_series(data)}
    assert series["in_programme_by_unit"]["values"] == [4, 3]  # by district only
    assert series["in_programme_by_unit"]["labels"] == ["Бірінші аудан", "Екінші аудан"]
    assert series["irp_activities"]["values"] == [3, 3, 1]
    assert series["missed_lessons"]["values"] == [8.0, 5.3333, 4.6667]
    assert sum(series["in_programme_by_stage"]["values"]) == 7
    for item in series.values():
        assert len(item["labels"]) == len(item["values"])
    district = compute(Scope(ScopeKind.DISTRICT, region.district("D2").id), MONTH)
    by_school = {s["key"]: s for s in presentation.chart_series(district)}
    assert by_school["in_programme_by_unit"]["values"] == [3]
    # No October attendance rows before: only the points with data.
    assert by_school["missed_lessons"]["values"] == [5.0, 2.0]


def test_every_indicator_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    assert {i.key for i in INDICATORS} <= anchors
    assert {f"effectiveness-{e.key}" for e in EFFECTIVENESS} <= anchors
    assert "small-numbers" in anchors
