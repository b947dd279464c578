"""Server-rendered SVG charts of the reports: bars for a breakdown, lines for the months.

The same markup goes into the page and, inline, into the PDF (WeasyPrint draws SVG).
No script, no style attribute, no external resource (the page's CSP allows none of
them): presentation attributes only. Each chart is an image with a <title> and a
<desc> that reads out every value; the page puts a table of the same numbers beside it.
"""

import itertools
import math
import re
from collections.abc import Sequence

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT = "Juvenile Sans, DejaVu Sans, Arial, sans-serif"
INK, MUTED, GRID, BAR = "#1d2430", "#5b6475", "#d5dae3", "#0b5c8a"
#: Line colours, the scope's own line first; distinguishable in grey print too.
PALETTE = ["#0b5c8a", "#b3261e", "#1e6b34", "#a86500", "#6b3fa0", "#00838f", "#8d6e63",
           "#c2185b", "#455a64", "#7cb342", "#283593", "#ef6c00"]
DASHES = [None, "6 3", None, "2 2", None, "6 3", None, "2 2", None, "6 3", None, "2 2"]
#: chart_series keys drawn as a line (a value over time) rather than as bars.
LINE_KEYS = frozenset({"missed_lessons"})

#: Bar charts: the width, the column of labels, a row's height (two lines of a label).
WIDTH, LABEL_WIDTH, VALUE_WIDTH, ROW, PAD = 640, 280, 60, 30, 8
#: Characters of a label's line (about 6 px each at 11 px); a longer label takes two
#: lines, then is cut (the whole label is in the <desc>).
LABEL_CHARS = 44

_ids = itertools.count(1)


def _number(value) -> str:
    if value is None:
        return "—"
    return format_decimal(value, "#,##0.##")


def _shown(value) -> str:
    """A bar's value; None: a number the report hides."""
    return _("not shown") if value is None else _number(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(text).lower()).strip("-") or "chart"


def _cut(label: str, chars: int = LABEL_CHARS) -> str:
    label = str(label)
    return label if len(label) <= chars else label[:chars - 1] + "…"


def _wrap(label: str) -> list[str]:
    """A label in one or two lines of at most LABEL_CHARS, broken between words."""
    label = str(label)
    if len(label) <= LABEL_CHARS:
        return [label]
    cut = label.rfind(" ", 0, LABEL_CHARS + 1)
    if cut <= 0:
        return [_cut(label)]
    return [label[:cut], _cut(label[cut + 1:])]


def _text(x, y, content, *, size=12, anchor="start", fill=INK, weight=None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{fill}"{bold}>{escape(content)}</text>')


def _open(chart_id: str, width: int, height: int, title: str, description: str,
          css_class: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>']


def _empty(chart_id: str, title: str) -> Markup:
    parts = _open(chart_id, WIDTH, 40, title, _("No data for this chart."), "report-chart")
    parts += [_text(PAD, 24, _("No data for this chart."), fill=MUTED), "</svg>"]
    return Markup("".join(parts))


def svg_chart(series: dict) -> Markup:
    """One chart of a presentation.chart_series item ({"key", "title", "labels",
    "values"}): horizontal bars for a breakdown, a line for values over time."""
    key = str(series.get("key") or "chart")
    title = str(series.get("title") or "")
    labels = [str(label) for label in series.get("labels") or []]
    values = list(series.get("values") or [])
    if key in LINE_KEYS:
        return svg_trend(title, labels, [(title, values)], chart_id=f"chart-{_slug(key)}")
    return bar_chart(title, labels, values, chart_id=f"chart-{_slug(key)}")


def bar_chart(title: str, labels: Sequence[str], values: Sequence, *,
              chart_id: str | None = None) -> Markup:
    """Horizontal bars, one per label, each with its value written at its end. A value
    None is a number the report hides (the small-numbers rule): no bar, "not shown"."""
    chart_id = chart_id or f"chart-{next(_ids)}"
    if not labels:
        return _empty(chart_id, title)
    top = max([float(v) for v in values if v is not None] + [0.0])
    height = PAD * 2 + ROW * len(labels)
    description = "; ".join(f"{label}: {_shown(value)}" for label, value in zip(
        labels, values, strict=False))
    parts = _open(chart_id, WIDTH, height, title, description, "report-chart bar-chart")
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - PAD
    parts.append(f'<line x1="{LABEL_WIDTH}" y1="{PAD}" x2="{LABEL_WIDTH}" '
                 f'y2="{height - PAD}" stroke="{GRID}" stroke-width="1"/>')
    for index, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = PAD + ROW * index
        length = 0.0 if top == 0 else span * float(value or 0) / top
        lines = _wrap(label)
        for row, line in enumerate(lines):
            baseline = y + ROW / 2 + 4 + 12 * (row - (len(lines) - 1) / 2)
            parts.append(_text(LABEL_WIDTH - 6, baseline, line, size=11, anchor="end"))
        if length > 0:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 7}" width="{length:.1f}" '
                         f'height="{ROW - 14}" fill="{BAR}"/>')
        parts.append(_text(LABEL_WIDTH + length + 5, y + ROW / 2 + 4, _shown(value),
                           size=11, fill=MUTED))
    parts.append("</svg>")
    return Markup("".join(parts))


# --- lines over time -----------------------------------------------------------------------

TREND_WIDTH, TREND_HEIGHT = 640, 230
T_LEFT, T_TOP, T_BOTTOM, LEGEND_WIDTH = 52, 14, 40, 170
#: Room on each side of the first and last month, for their labels.
T_INSET = 36
LEGEND_ROW = 16


def _nice_top(top: float) -> float:
    """A round axis maximum at or above ``top``, whose quarters are round too."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    return next(step * magnitude for step in (1, 2, 4, 8, 10) if top <= step * magnitude)


def _segments(points: list) -> list[list]:
    """Runs of consecutive points that have a value (a missing month breaks the line)."""
    runs, run = [], []
    for point in points:
        if point is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(point)
    if run:
        runs.append(run)
    return runs


def _axis_labels(labels: Sequence[str], x_of, height: int) -> list[str]:
    parts = []
    for index, label in enumerate(labels):
        lines = str(label).split("\n")
        for row, line in enumerate(lines):
            parts.append(_text(x_of(index), height - T_BOTTOM + 16 + 12 * row, line, size=10,
                               anchor="middle", fill=MUTED))
    return parts


def svg_trend(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence]], *,
              chart_id: str | None = None, target: float | None = None,
              percent: bool = False) -> Markup:
    """Lines over ``labels`` (months, oldest left), one per (name, values) in ``series``
    (None for a month without a value); the first line is drawn heaviest. ``target``
    draws a dashed reference line; ``percent`` writes the axis as percentages of 0..1."""
    chart_id = chart_id or f"trend-{next(_ids)}"
    if not labels or not series:
        return _empty(chart_id, title)
    legend = len(series) > 1
    width = TREND_WIDTH + (LEGEND_WIDTH if legend else 0)
    height = max(TREND_HEIGHT, T_TOP + LEGEND_ROW * len(series) + 10 if legend else 0)
    right = width - (LEGEND_WIDTH if legend else 0) - 16
    bottom = height - T_BOTTOM
    found = [float(v) for _name, values in series for v in values if v is not None]
    top = _nice_top(max([*found, float(target or 0), 0.0]))
    step = (right - T_LEFT - 2 * T_INSET) / max(len(labels) - 1, 1)

    def x_of(index: int) -> float:
        return T_LEFT + T_INSET + step * index if len(labels) > 1 else (T_LEFT + right) / 2

    def y_of(value: float) -> float:
        return bottom - (bottom - T_TOP) * value / top

    def tick(value: float) -> str:
        return f"{format_decimal(value * 100, '#,##0')}%" if percent else _number(value)

    description = " ".join(
        f"{name}: " + "; ".join(f"{label.replace(chr(10), ' ')} {tick(v) if v is not None else '—'}"
                                for label, v in zip(labels, values, strict=False)) + "."
        for name, values in series)
    parts = _open(chart_id, width, height, title, description, "report-chart trend-chart")
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(top * fraction)
        parts.append(f'<line x1="{T_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(T_LEFT - 6, y + 4, tick(top * fraction), size=10, anchor="end",
                           fill=MUTED))
    if target is not None:
        y = y_of(float(target))
        parts.append(f'<line x1="{T_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="{INK}" stroke-width="1" stroke-dasharray="4 4"/>')
        parts.append(_text(right, y - 4, _("target %(value)s", value=tick(float(target))),
                           size=10, anchor="end"))
    parts += _axis_labels(labels, x_of, height)
    for number, (name, values) in enumerate(series):
        parts += _line(number, values, x_of, y_of)
        if legend:
            parts += _legend_entry(number, name, right + 16, T_TOP + LEGEND_ROW * number)
    parts.append("</svg>")
    return Markup("".join(parts))


def _line(number: int, values: Sequence, x_of, y_of) -> list[str]:
    colour = PALETTE[number % len(PALETTE)]
    dash = DASHES[number % len(DASHES)]
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    weight = 3 if number == 0 else 1.6
    points = [None if value is None else (x_of(index), y_of(float(value)))
              for index, value in enumerate(values)]
    parts = []
    for run in _segments(points):
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="{weight}"{dashed}/>')
    for point in points:
        if point is not None:
            parts.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" '
                         f'r="{3.5 if number == 0 else 2.5}" fill="{colour}"/>')
    return parts


def _legend_entry(number: int, name: str, x: float, y: float) -> list[str]:
    colour = PALETTE[number % len(PALETTE)]
    dash = DASHES[number % len(DASHES)]
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return [f'<line x1="{x:.1f}" y1="{y + 8:.1f}" x2="{x + 18:.1f}" y2="{y + 8:.1f}" '
            f'stroke="{colour}" stroke-width="{3 if number == 0 else 1.6}"{dashed}/>',
            _text(x + 24, y + 12, _cut(name)[:24], size=10,
                  weight="bold" if number == 0 else None)]
