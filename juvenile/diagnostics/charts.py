"""Small server-rendered SVG charts: a construct's level over time.

No script and no inline style (the page's CSP forbids both): presentation attributes
only. Each chart carries a <title> and a <desc>, and the page puts a table beside it.
"""

from datetime import date

from flask_babel import format_date
from markupsafe import Markup, escape

from juvenile.diagnostics.models import Level

WIDTH, HEIGHT = 320, 96
LEFT, RIGHT, TOP, BOTTOM = 86, 14, 12, 14
LEVELS = [level.value for level in Level]
COLOURS = {"low": "#1e6b34", "moderate": "#a86500", "high": "#b3261e"}


def _x(day: date, first: date, last: date) -> float:
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT
    if span == 0:
        return LEFT + inner / 2
    return LEFT + inner * (day - first).days / span


def _y(level: str) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (len(LEVELS) - 1 - LEVELS.index(level)) / (len(LEVELS) - 1)


def _axis() -> list[str]:
    lines = []
    for level in LEVELS:
        y = _y(level)
        lines.append(f'<line x1="{LEFT - 6}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     'stroke="#d5dae3" stroke-width="1"/>')
        lines.append(f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="12" fill="#5b6475">{escape(Level(level).label)}</text>')
    return lines


def level_chart(points: list[tuple[date, str]], title: str, chart_id: str) -> Markup:
    """A line through the levels at their dates, oldest left. ``points`` oldest first."""
    points = [(day, level) for day, level in points if level in LEVELS]
    if not points:
        return Markup("")
    first, last = points[0][0], points[-1][0]
    xy = [(_x(day, first, last), _y(level)) for day, level in points]
    description = "; ".join(f"{format_date(day, 'medium')}: {Level(level).label}"
                            for day, level in points)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="level-chart" role="img" '
             f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>', *_axis()]
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b5c8a" '
                     'stroke-width="2"/>')
    for (x, y), (_day, level) in zip(xy, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{COLOURS[level]}" '
                     'stroke="#fff" stroke-width="1.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
