"""The quarterly effectiveness analysis: quarters, how a quarter aggregates its months
(docs/effectiveness.md), the page per role, its query count and its PDF.

The data are the hand-computed region of tests/reports_region.py (October 2026 and the
months around it)."""

import re
from datetime import date

import pytest
from flask_babel import force_locale, format_decimal, gettext

from juvenile import pdf
from juvenile.accounts.models import District, Role
from juvenile.reports import quarterly, quarterly_views
from juvenile.reports.indicators import Scope, compute
from juvenile.reports.models import ScopeKind
from juvenile.reports.quarterly import Quarter
from tests.conftest import count_queries
from tests.reports_region import add_schools, build_report_region

Q3, Q4 = Quarter(2026, 3), Quarter(2026, 4)
#: A day after the fourth quarter of 2026: every month of it is over.
AFTER_Q4 = date(2027, 1, 5)


@pytest.fixture
def region(db, world):
    return build_report_region(db, world)


def _t(app, message: str, language: str = "kk", **values) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def _kk(app, fn, *args) -> str:
    with app.test_request_context(), force_locale("kk"):
        return fn(*args)


# --- quarters ---------------------------------------------------------------------------------


def test_quarters_and_their_months():
    assert Quarter.of(date(2026, 11, 23)) == Q4
    assert Q3.months == [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
    assert Q3.last == date(2026, 9, 30) and Q4.last == date(2026, 12, 31)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert quarterly.shown_quarters(Quarter(2026, 2)) == [
        Quarter(2025, 3), Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2)]


def test_the_default_is_the_last_complete_quarter():
    assert quarterly.default_quarter(date(2026, 11, 23)) == Q3
    assert quarterly.default_quarter(date(2026, 10, 1)) == Q3
    assert quarterly.default_quarter(date(2027, 1, 1)) == Q4
    # Before any quarter of the programme is over: the current one.
    assert quarterly.default_quarter(date(2026, 2, 10)) == Quarter(2026, 1)


def test_months_before_the_programme_or_not_begun_are_left_out():
    months = quarterly.counted_months(Q4, date(2026, 11, 23))
    # Q1 2026 … Q4 2026; Q4's December has not begun; 2025 is before the programme.
    assert months[0] == date(2026, 1, 1) and months[-1] == date(2026, 11, 1)
    assert len(months) == 11
    assert len(quarterly.counted_months(Quarter(2026, 1), date(2026, 5, 1))) == 3


# --- how a quarter aggregates -----------------------------------------------------------------


def _month(**values) -> dict:
    base = dict.fromkeys(quarterly.SUMMED + quarterly.AT_QUARTER_END, 0)
    return {**base, **values}


def test_a_quarter_sums_flows_and_reads_stocks_at_its_end():
    months = [
        _month(missed_unexcused=10, attendance_pupils=2, suicide_attempts=1, involved=1,
               in_programme=4, repeat_offences_12m=9, under_support_12m=30,
               coverage_approved=3, coverage_identified=4),
        _month(missed_unexcused=0, attendance_pupils=0, involved=3, in_programme=4,
               repeat_offences_12m=8, under_support_12m=30, coverage_approved=2,
               coverage_identified=4),
        _month(missed_unexcused=5, attendance_pupils=3, suicide_attempts=2,
               repeat_suicide_attempts=1, involved=0, in_programme=2,
               repeat_offences_12m=6, under_support_12m=24, coverage_approved=1,
               coverage_identified=5),
    ]
    previous = {"missed_unexcused": 12, "attendance_pupils": 2}
    values = quarterly.quarter_values(months, previous)
    assert values["missed_per_pupil"] == 3.0  # (10 + 0 + 5) / (2 + 0 + 3) pupil-months
    assert values["missed_per_pupil_previous"] == 6.0
    assert values["suicide_attempts"] == 3 and values["repeat_suicide_attempts"] == 1
    # Minor-months: (1 + 3 + 0) / (4 + 4 + 2); not the mean of 25%, 75%, 0%.
    assert values["involved_share"] == 0.4
    # The twelve months to the quarter's end, and coverage on its last day.
    assert values["repeat_offending_rate"] == 25.0
    assert values["coverage_share"] == 0.2


def test_the_oldest_quarter_has_no_trend_of_missed_lessons():
    values = quarterly.quarter_values([_month(missed_unexcused=4, attendance_pupils=2)], None)
    assert values["missed_per_pupil"] == 2.0 and values["missed_per_pupil_previous"] is None


def test_the_region_quarter_by_hand(app, region):
    analysis = quarterly.analyse(Scope(ScopeKind.REGION), Q4, AFTER_Q4)
    asked = analysis["quarters"][-1]
    assert asked["key"] == "2026-Q4" and asked["months"] == ["2026-10", "2026-11", "2026-12"]
    eff = asked["effectiveness"]
    # Unexcused missed lessons: October's A 4, H 8, C 2 over 3 pupil-months (none in
    # November or December) against September's A 6, H 7, C 3 over 3: decreasing.
    assert eff["missed_lessons"]["value"] == 4.6667
    assert eff["missed_lessons"]["previous"] == 5.3333
    assert eff["missed_lessons"]["enrolment_month"] == 8.0  # A 10, H 9, C 5
    assert eff["missed_lessons"]["status"] == "green"
    # Suicide attempts: H's first and D's repeat one, both in October.
    assert (eff["repeat_suicide_attempts"]["value"],
            eff["repeat_suicide_attempts"]["denominator"]) == (1, 2)
    assert eff["repeat_suicide_attempts"]["status"] == "red"
    # The region's baseline of 2025 (60 per 100; target at most 48).
    assert eff["repeat_offending"]["baseline"] == 60.0
    assert eff["repeat_offending"]["target"] == 48.0


def test_the_quarter_follows_its_months_computations(app, region):
    """Each indicator of Q4 2026 from the three monthly computations, by the rules of
    docs/effectiveness.md."""
    scope = Scope(ScopeKind.REGION)
    months = [compute(scope, month)["values"] for month in Q4.months]
    analysis = quarterly.analyse(scope, Q4, AFTER_Q4)
    eff = analysis["quarters"][-1]["effectiveness"]
    last = months[-1]
    assert eff["repeat_offending"]["numerator"] == last["repeat_offences_12m"]
    assert eff["repeat_offending"]["value"] == last["repeat_offending_rate"]
    assert eff["coverage"]["value"] == last["coverage_share"]
    assert (eff["coverage"]["numerator"], eff["coverage"]["denominator"]) == (
        last["coverage_approved"], last["coverage_identified"])
    involved = sum(m["involved"] for m in months)
    minors = sum(m["in_programme"] for m in months)
    assert (eff["leisure_labour"]["numerator"], eff["leisure_labour"]["denominator"]) == (
        involved, minors)
    assert eff["leisure_labour"]["value"] == round(involved / minors, 4)
    mean = sum(m["involved_share"] for m in months) / 3
    assert eff["leisure_labour"]["value"] not in (round(mean, 4), last["involved_share"])
    # Month by month: the region's line is each month's own value.
    assert analysis["trends"]["leisure_labour"]["scope"][-3:] == [
        m["involved_share"] for m in months]


def test_each_district_against_its_own_baseline(app, region):
    analysis = quarterly.analyse(Scope(ScopeKind.REGION), Q4, AFTER_Q4)
    districts = {d["name_kk"]: d["effectiveness"] for d in analysis["districts"]}
    assert set(districts) == {"Бірінші аудан", "Екінші аудан"}
    assert districts["Бірінші аудан"]["repeat_offending"]["baseline"] == 90.0
    assert districts["Екінші аудан"]["repeat_offending"]["baseline"] == 55.0
    # D1 had both October attempts (H at school1, D at school2); D2 none.
    assert districts["Бірінші аудан"]["repeat_suicide_attempts"]["status"] == "red"
    assert districts["Екінші аудан"]["repeat_suicide_attempts"]["status"] == "green"
    trend = analysis["trends"]["coverage"]["districts"]
    assert [d["name_kk"] for d in trend] == ["Бірінші аудан", "Екінші аудан"]
    assert all(len(d["values"]) == len(analysis["months"]) for d in trend)


def test_a_districts_small_count_of_repeat_attempts_is_hidden(app, client, region,
                                                              login_as):
    """D1's one repeat suicide attempt of Q4 (D, October) is "<5" in the region's table of
    districts, its status kept; the districts' lines of that indicator are not drawn."""
    login_as("methodologist")
    page = client.get("/effectiveness?year=2026&quarter=4").get_data(as_text=True)
    table = page[page.index('id="districts-compared"'):]
    table = table[:table.index("</table>")]
    d1 = table[table.index("Бірінші аудан"):]
    d1_cells = re.findall(r"<td[^>]*>(.*?)</td>", d1[:d1.index("</tr>")], re.S)
    attempts = d1_cells[3]  # the fourth indicator
    assert "&lt;5" in attempts and _t(app, "target not met") in attempts
    chart = page[page.index('id="trend-repeat_suicide_attempts-title"'):]
    chart = chart[:chart.index("</svg>")]
    assert "Бірінші аудан" not in chart and "<polyline" in chart


def test_a_district_analysis_has_no_comparison_of_districts(app, region):
    analysis = quarterly.analyse(Scope(ScopeKind.DISTRICT, region.district("D2").id), Q3,
                                 AFTER_Q4)
    assert analysis["districts"] == []
    assert all(trend["districts"] == [] for trend in analysis["trends"].values())
    # D2 in Q3: F's first suicide attempt under support (9 September), no repeat.
    eff = analysis["quarters"][-1]["effectiveness"]["repeat_suicide_attempts"]
    assert (eff["value"], eff["denominator"], eff["status"]) == (0, 1, "green")


# --- the page ---------------------------------------------------------------------------------


def test_the_methodologist_sees_the_region_and_its_districts(app, client, region, login_as):
    login_as("methodologist")
    response = client.get("/effectiveness?year=2026&quarter=3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _t(app, "Quarter %(number)s of %(year)s", number=3, year=2026) in page
    assert 'id="districts-compared"' in page
    assert "Бірінші аудан" in page and "Екінші аудан" in page
    # Q3: September's A 6, H 7, C 3 lessons over 3 pupil-months, against Q2's H 9 over 1.
    assert _kk(app, format_decimal, 5.3333, "#,##0.##") in page
    assert page.count('role="img"') == 5  # a line chart per indicator
    assert "<script" not in page and "Оқушы" not in page  # aggregates only


@pytest.mark.parametrize("role", ["district_coordinator", "commission_member"])
def test_a_district_sees_its_own_district_only(app, client, region, login_as, role):
    login_as(role)  # both work in D1
    page = client.get("/effectiveness?year=2026&quarter=3").get_data(as_text=True)
    assert "Бірінші аудан" in page and "Екінші аудан" not in page
    assert 'id="districts-compared"' not in page
    # D1 in Q3: no suicide attempt (F's was at school3, D2): none, green.
    row = page[page.index('id="indicator-repeat_suicide_attempts"'):]
    row = row[:row.index("</tr>")]
    assert "indicator-green" in row and _t(app, "target met") in row


def test_a_regional_commission_member_sees_the_region(app, client, region, make_user, auth):
    member = make_user(Role.COMMISSION_MEMBER, region.org("region_kdn"), "kdn.region")
    auth.login(member.login)
    page = client.get("/effectiveness").get_data(as_text=True)
    assert 'id="districts-compared"' in page


def test_the_default_quarter_is_the_last_complete_one(app, client, world, login_as):
    from juvenile.cases.dates import today

    login_as("methodologist")
    page = client.get("/effectiveness").get_data(as_text=True)
    with app.test_request_context():
        expected = quarterly.default_quarter(today())
    assert _t(app, "Quarter %(number)s of %(year)s", number=expected.number,
              year=expected.year) in page


@pytest.mark.parametrize("query", ["year=2026&quarter=5", "year=2026&quarter=x",
                                   "year=2025&quarter=4", "year=2099&quarter=1", "quarter=2"])
def test_a_quarter_out_of_range_is_not_found(client, world, login_as, query):
    login_as("district_coordinator")
    assert client.get(f"/effectiveness?{query}").status_code == 404


def test_queries_do_not_grow_with_the_districts(app, client, region, login_as, db):
    login_as("methodologist")
    url = "/effectiveness?year=2026&quarter=4"
    _response, before = count_queries(client, url)
    world = region.world
    district = District(region=world.region, code="D3", name_kk="Үшінші аудан",
                        name_ru="Третий район")
    db.session.add(district)
    db.session.commit()
    world.districts["D3"] = district
    add_schools(db, world, "D3", 3)
    add_schools(db, world, "D1", 2)
    response, after = count_queries(client, url)
    assert "Үшінші аудан" in response.get_data(as_text=True)
    assert after == before


def test_the_effectiveness_pdf_in_kazakh(app, client, region, login_as):
    login_as("methodologist")
    response = client.get("/effectiveness.pdf?year=2026&quarter=3&lang=kk")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert "2026-Q3-kk.pdf" in response.headers["Content-Disposition"]
    analysis = quarterly.analyse(Scope(ScopeKind.REGION), Q3, AFTER_Q4)
    with app.test_request_context():
        html = pdf.render_html(quarterly_views.PDF_TEMPLATE, "kk",
                               lambda: quarterly_views._pdf_context(analysis, Q3))
        document = pdf.html_document(html)
    pages = [" ".join(_texts(page._page_box)) for page in document.pages]
    text = "\n".join(pages)
    assert "{{" not in html and "{%" not in html
    assert _t(app, "Quarter %(number)s of %(year)s", number=3, year=2026) in text
    assert "шілде" in text.lower() and "Екінші аудан" in text
    assert _t(app, "Page %(page)s of %(pages)s", page=1, pages=len(pages)) in pages[0]
    assert _kk(app, format_decimal, 5.3333, "#,##0.##") in text  # Q3's missed lessons
    for page in document.pages:  # the month-by-month tables fit the page
        box = page._page_box
        right = box.margin_width() - box.margin_right - box.padding_right
        assert all(child.position_x + child.margin_width() <= right + 1
                   for child in _boxes(box) if child is not box
                   and hasattr(child, "margin_width"))


def _texts(box):
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)
