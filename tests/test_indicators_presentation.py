"""The report's tables and charts from the hand-computed region, and the small-numbers
rule: in an output that leaves the district a single school's count from 1 to 4 is "<5"
(and so is a share built on one), 0 and 5+ are shown; a number from which a "<5" could
be worked out by subtraction is hidden too ("×", complementary suppression), and so is
a district's number that is one school's small number; the region's values are shown as
they are. Reports that stay in the district (read by the district's own coordinator and
commission, the school's own deputy head) show every number; read from outside, a
school's or district's report hides them too."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from juvenile.accounts.models import Role
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
    # 7 sessions at school1 would be shown, but district D1's 9 less them would give
    # school2's 2: they are hidden ("×"), and so is D1's 9, since the region's 12 less
    # D2's would give it.
    work = _table(tables, "schools-work")
    assert _cell(work, "school1", _label("sessions")).text == "×"
    assert _cell(work, "school1", _label("home_visits")).text == "<5"
    assert "×" in work.note
    assert _cell(_table(tables, "districts-work"), "Бірінші", _label("sessions")).text == "×"
    # A share is "<5" when its numerator (school1: 2 involved) or its denominator
    # (school2: 0 of 1) is small; an average over 2 pupils too.
    involvement = _table(tables, "schools-involvement")
    for school in ("school1", "school2", "school3"):
        assert _cell(involvement, school, _label("involved_share")).text == "<5"
    assert _cell(involvement, "college1", _label("involved_share")).text == "—"
    education = _table(tables, "schools-education")
    assert _cell(education, "school1", _label("missed_per_pupil")).text == "<5"
    # D1's 4 is school1's 3 and school2's 1, both "<5", and nothing else in D1: hidden;
    # D2's 3 is school3's alone. The region's total is shown as it is.
    districts = _table(tables, "districts-programme")
    assert _cell(districts, "Бірінші", _label("in_programme")).text == "<5"
    assert _cell(districts, "Екінші", _label("in_programme")).text == "<5"
    assert districts.rows[-1][0].text == "7"
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
    # By district only, and each district's small number is hidden as in the tables.
    assert series["in_programme_by_unit"]["values"] == [None, None]
    shown = {s["key"]: s for s in presentation.chart_series(data, suppress_small=False)}
    assert shown["in_programme_by_unit"]["values"] == [4, 3]
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


# --- the small-numbers rule on numbers made for it ----------------------------------------

SESSIONS = "sessions"  # a count of the per-school tables, in no share or sum


def _values(**counts) -> dict:
    """Every indicator at 0 (none for a share), with the counts given."""
    values = {}
    for indicator in INDICATORS:
        default = {"count": 0, "breakdown": {}}.get(indicator.kind)
        values[indicator.key] = counts.get(indicator.key, default)
    return values


def _data(districts: dict[str, dict[str, int]], kind: str = "region") -> dict:
    """A report's data whose only number is the sessions: {district: {school: sessions}}
    (a district report: its first district)."""
    from juvenile.reports.indicators import effectiveness

    by_school, by_district = [], []
    for district_id, (district, schools) in enumerate(districts.items(), start=1):
        for name, count in schools.items():
            by_school.append({"id": len(by_school) + 1, "name_kk": name, "name_ru": name,
                              "district_id": district_id,
                              "values": _values(**{SESSIONS: count})})
        by_district.append({"id": district_id, "name_kk": district, "name_ru": district,
                            "values": _values(**{SESSIONS: sum(schools.values())})})
    if kind == "district":
        by_school = [s for s in by_school if s["district_id"] == 1]
        scope = {"kind": "district", "id": 1, "district_id": 1,
                 "name_kk": by_district[0]["name_kk"], "name_ru": by_district[0]["name_ru"]}
        values, by_district = by_district[0]["values"], []
    else:
        scope = {"kind": "region", "id": None, "district_id": None, "name_kk": "Облыс",
                 "name_ru": "Область"}
        values = _values(**{SESSIONS: sum(d["values"][SESSIONS] for d in by_district)})
    return {"scope": scope, "month": "2026-10", "values": values, "by_district": by_district,
            "by_school": by_school, "effectiveness": effectiveness(values, None)}


def _shown(data, table_prefix: str = "schools", *, suppress: bool = True) -> dict:
    """{row label: the sessions cell's text} of the per-school (or per-district) table."""
    tables = presentation.tables(data, suppress_small=suppress)
    table = _table(tables, f"{table_prefix}-work")
    column = table.columns.index(_label(SESSIONS))
    return {label: row[column].text for label, row in zip(table.row_labels, table.rows,
                                                           strict=True)}


def _total(shown: dict) -> str:
    return next(text for label, text in shown.items() if label.startswith("Барлығы"))


def test_a_district_with_one_small_school_hides_a_second_one(kk):
    # D1: 19 = a's 3 + b's 6 + c's 10. With a shown as "<5" alone, 19 − 6 − 10 gives 3:
    # the smallest other school (b) is hidden too.
    data = _data({"D1": {"a": 3, "b": 6, "c": 10}, "D2": {"d": 20, "e": 30}})
    schools = _shown(data)
    assert (schools["a"], schools["b"], schools["c"]) == ("<5", "×", "10")
    assert (schools["d"], schools["e"]) == ("20", "30")
    assert _total(schools) == "69"
    districts = _shown(data, "districts")
    assert (districts["D1"], districts["D2"], _total(districts)) == ("19", "50", "69")
    note = _table(presentation.tables(data, suppress_small=True), "schools-work").note
    assert "<5" in note and "×" in note
    # The same district's own report read from outside: the same two hidden, its total
    # shown.
    district = _shown(_data({"D1": {"a": 3, "b": 6, "c": 10}}, "district"))
    assert (district["a"], district["b"], district["c"], _total(district)) == (
        "<5", "×", "10", "19")
    # Read in the district, every number.
    assert _shown(data, suppress=False)["a"] == "3"


def test_a_hidden_pair_pinned_by_the_total_hides_a_third_number(kk):
    # 16 − 10 = 6 can only be 1 + 5 (a "<5" is at least 1, a "×" at least 5): c too.
    schools = _shown(_data({"D1": {"a": 1, "b": 5, "c": 10}, "D2": {"d": 20}}))
    assert (schools["a"], schools["b"], schools["c"], schools["d"]) == ("<5", "×", "×", "20")


def test_a_district_with_a_single_non_zero_school_hides_its_own_number(kk):
    data = _data({"D1": {"a": 2, "b": 0}, "D2": {"c": 7, "d": 8}, "D3": {"e": 40}})
    schools, districts = _shown(data), _shown(data, "districts")
    assert (schools["a"], schools["b"]) == ("<5", "0")
    # D1's 2 is a's: "<5". The region's 57 less D2 and D3 would give it: the smallest
    # other district (D2) is hidden, and one of its schools, so that they do not add up
    # to it; the region's total stays.
    assert (districts["D1"], districts["D2"], districts["D3"]) == ("<5", "×", "40")
    assert (schools["c"], schools["d"], schools["e"]) == ("×", "8", "40")
    assert _total(districts) == _total(schools) == "57"
    series = {s["key"]: s for s in presentation.chart_series(data)}
    assert series["in_programme_by_unit"]["values"] == [0, 0, 0]  # not sessions
    # A district report of such a district, read from outside: its own number too.
    district = _data({"D1": {"a": 2, "b": 0}}, "district")
    shown = _shown(district)
    assert (shown["a"], _total(shown)) == ("<5", "<5")
    section = _table(presentation.tables(district, suppress_small=True), "section-work")
    assert section.rows[section.row_labels.index(_label(SESSIONS))][0].text == "<5"
    assert "<5" in section.note


def test_nothing_is_hidden_when_no_number_is_from_1_to_4(kk):
    data = _data({"D1": {"a": 0, "b": 6}, "D2": {"c": 5, "d": 12}})
    assert not presentation.hidden_numbers(data)
    texts = {cell.text for table in presentation.tables(data, suppress_small=True)
             for row in table.rows for cell in row}
    assert not texts & presentation.MARKERS
    assert _shown(data) == {"a": "0", "b": "6", "c": "5", "d": "12", "Барлығы: Облыс": "23"}


def test_suppression_follows_the_reader(region, kk, world, make_user):
    district = compute(Scope(ScopeKind.DISTRICT, region.district("D1").id), MONTH)
    school = compute(Scope(ScopeKind.SCHOOL, region.org("school1").id), MONTH)
    whole = compute(Scope(ScopeKind.REGION), MONTH)
    users = world.users
    regional = make_user(Role.COMMISSION_MEMBER, world.orgs["region_kdn"], "regional")
    other_coordinator = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"], "coord2")
    other_admin = make_user(Role.SCHOOL_ADMIN, world.orgs["school2"], "admin2")

    def suppressed(data, user):
        return presentation.suppress_small(data, user)

    # The district's own readers get exact numbers; everyone else the suppressed ones.
    for login in ("district_coordinator", "commission_member"):
        assert not suppressed(district, users[login]) and not suppressed(school, users[login])
    assert not suppressed(school, users["school_admin"])
    for reader in (users["methodologist"], regional, other_coordinator):
        assert suppressed(district, reader) and suppressed(school, reader)
    assert suppressed(school, other_admin) and suppressed(district, users["school_admin"])
    # The region's report always; without a reader, only the region's.
    for reader in (users["methodologist"], users["district_coordinator"], regional):
        assert suppressed(whole, reader)
    assert not presentation.suppress_small(district)
    with presentation.suppressed_for(True):
        assert presentation.suppress_small(district)
    assert not presentation.suppress_small(district)


def test_a_school_report_read_from_outside_hides_its_small_numbers(region, kk):
    data = compute(Scope(ScopeKind.SCHOOL, region.org("school1").id), MONTH)
    tables = presentation.tables(data, suppress_small=True)
    section = _table(tables, "section-programme")
    value = dict(zip(section.row_labels, (row[0].text for row in section.rows), strict=True))
    assert value[_label("in_programme")] == "<5"  # school1's 3
    # Its breakdowns too: no code from 1 to 4 is shown.
    assert not {text for text in value.values() if text in {"1", "2", "3", "4"}}
    assert _table(tables, "section-work").rows[
        _table(tables, "section-work").row_labels.index(_label("sessions"))][0].text == "7"
    effectiveness = _table(tables, "effectiveness")
    leisure = effectiveness.rows[[e.key for e in EFFECTIVENESS].index("leisure_labour")]
    assert leisure[0].text == "<5" and "<5" in leisure[2].text
    assert effectiveness.note and "<5" in effectiveness.note
    schools = _table(tables, "schools-programme")
    assert {row[0].text for row in schools.rows} == {"<5"}  # school1 and its total
    series = {s["key"]: s for s in presentation.chart_series(data, suppress_small=True)}
    assert series["in_programme_by_unit"]["values"] == [None]
    assert all(v is None or v == 0 or v >= 5 for v in series["in_programme_by_group"]["values"])
    # Read by its own deputy head: every number.
    exact = presentation.tables(data, suppress_small=False)
    assert "<5" not in {c.text for t in exact for row in t.rows for c in row}
