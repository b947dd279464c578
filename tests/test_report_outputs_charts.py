"""The reports' SVG charts: accessible, self-contained, safe to inline under the CSP, and
drawing what they are given."""

import re

import pytest

from juvenile.reports import charts


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _numbers(svg: str, tag: str, attribute: str) -> list[float]:
    return [float(v) for v in re.findall(rf'<{tag}[^>]*\s{attribute}="([-0-9.]+)"', svg)]


def test_a_breakdown_is_bars_with_its_values(ctx):
    svg = str(charts.svg_chart({"key": "in_programme_by_group", "title": "By group",
                                "labels": ["one", "two", "three"], "values": [2, 4, 0]}))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="chart-in_programme_by_group-title">By group</title>' in svg
    assert "one: 2; two: 4; three: 0" in svg  # the <desc> reads every value
    widths = _numbers(svg, "rect", "width")
    assert len(widths) == 2 and widths[1] == pytest.approx(2 * widths[0])  # 0: no bar


def test_nothing_external_nor_scripted(ctx):
    svg = str(charts.svg_chart({"key": "x", "title": '<script>alert(1)</script>',
                                "labels": ['"><script>', "b"], "values": [1, 2]}))
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg and "href" not in svg and "url(" not in svg
    assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]


def test_a_long_label_takes_two_lines_and_is_cut_after(ctx):
    label = "Бас бостандығынан айыру орындарынан босатылған кәмелетке толмағандар " * 2
    svg = str(charts.svg_chart({"key": "k", "title": "t", "labels": [label],
                                "values": [3]}))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts[0].startswith("Бас бостандығынан") and texts[1].endswith("…")
    assert all(len(t) <= charts.LABEL_CHARS for t in texts)


def test_the_missed_lessons_series_is_a_line(ctx):
    svg = str(charts.svg_chart({"key": "missed_lessons", "title": "Missed",
                                "labels": ["enrolment month", "the month before",
                                           "this month"], "values": [8, 5.33, 4.67]}))
    assert "<polyline" in svg and "<rect" not in svg
    ys = _numbers(svg, "circle", "cy")
    assert ys[0] < ys[1] < ys[2]  # falling values: lower on the chart (larger y)


def test_a_trend_breaks_where_a_month_has_no_value(ctx):
    svg = str(charts.svg_trend("Coverage", ["Jan", "Feb", "Mar", "Apr"],
                               [("Region", [0.5, None, 0.6, 0.7]),
                                ("District", [0.4, 0.5, 0.5, 0.6])],
                               chart_id="trend-coverage", target=0.9, percent=True))
    assert svg.count("<polyline") == 2  # the region's Mar–Apr run, the district's line
    assert svg.count("<circle") == 7
    assert "stroke-dasharray=\"4 4\"" in svg  # the target line
    assert "Region" in svg and "District" in svg  # the legend
    assert "90%" in svg


def test_an_empty_series_says_so(ctx):
    svg = str(charts.svg_chart({"key": "missed_lessons", "title": "Missed", "labels": [],
                                "values": []}))
    assert 'role="img"' in svg and "<polyline" not in svg and "<text" in svg


def test_a_hidden_number_has_no_bar(app):
    with app.test_request_context():
        from flask_babel import gettext

        svg = str(charts.svg_chart({"key": "in_programme_by_unit", "title": "By school",
                                    "labels": ["school1", "school2"], "values": [None, 12]}))
        not_shown = gettext("not shown")
    assert len(_numbers(svg, "rect", "width")) == 1  # only school2's bar
    assert f"school1: {not_shown}" in svg and "school2: 12" in svg
