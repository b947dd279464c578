"""The quarterly effectiveness analysis, as a page and as a PDF (Kazakh or Russian).

The user's scope decides what is analysed: a district coordinator's and a district
commission member's district; the region for the methodologist and a regional commission
member. Aggregates only: no school's row and no name of a minor. The computation is
juvenile.reports.quarterly (how a quarter aggregates: docs/effectiveness.md).
"""

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from juvenile import pdf
from juvenile.access import allow, is_regional
from juvenile.accounts.models import Role
from juvenile.cases.dates import today
from juvenile.reports import charts, presentation, quarterly
from juvenile.reports.indicators import EFFECTIVENESS, Scope
from juvenile.reports.models import ScopeKind
from juvenile.reports.outputs import EFFECTIVENESS_KINDS, page_counter, place_lines
from juvenile.reports.quarterly import Quarter
from juvenile.reports.services import PROGRAMME_START

bp = Blueprint("effectiveness", __name__)

PAGE_TEMPLATE = "reports/quarterly/page.html"
PDF_TEMPLATE = "reports/quarterly/pdf.html"
#: Drawn on the trend charts: the targets that are fixed numbers.
TREND_TARGETS = {"coverage": 0.9, "leisure_labour": 0.7, "repeat_suicide_attempts": 0}
PERCENT = frozenset({"coverage", "leisure_labour"})
#: Counts of events, which a district's row shows as "<5" from 1 to 4 and whose district
#: lines the month-by-month chart leaves out (the region's own line stays).
SMALL_COUNTS = frozenset({"repeat_suicide_attempts"})


def analysed_scope(user) -> Scope | None:
    """The region for the methodologist and a regional commission member; the district
    of a coordinator or a district commission member."""
    if user.role_enum not in {Role.DISTRICT_COORDINATOR, Role.COMMISSION_MEMBER,
                              Role.METHODOLOGIST}:
        return None
    if is_regional(user):
        return Scope(ScopeKind.REGION)
    district_id = user.organisation.district_id
    return Scope(ScopeKind.DISTRICT, district_id) if district_id else None


def _first_quarter() -> Quarter:
    return Quarter.of(PROGRAMME_START)


def asked_quarter(day: date) -> Quarter:
    """The quarter of ?year=&quarter= (404 for one that has not begun or is before the
    programme), else the last complete one."""
    year, number = request.args.get("year"), request.args.get("quarter")
    if year is None and number is None:
        return quarterly.default_quarter(day)
    if not (year or "").isdigit() or (number or "") not in ("1", "2", "3", "4"):
        abort(404)
    quarter = Quarter(int(year), int(number))
    if quarter < _first_quarter() or quarter > Quarter.of(day):
        abort(404)
    return quarter


def _choices(day: date) -> list[Quarter]:
    """Every quarter that can be asked for, newest first."""
    quarters, quarter = [], Quarter.of(day)
    while quarter >= _first_quarter():
        quarters.append(quarter)
        quarter = quarter.previous()
    return quarters


# --- the analysis as the reader sees it -----------------------------------------------------


def quarter_label(quarter: dict | Quarter) -> str:
    year, number = (quarter.year, quarter.number) if isinstance(quarter, Quarter) \
        else (quarter["year"], quarter["number"])
    return _("Quarter %(number)s of %(year)s", number=number, year=year)


def _month(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _axis_label(key: str, first: bool) -> str:
    """A month on a chart's axis: its short name, and the year under January and under
    the first month shown."""
    month = _month(key)
    short = format_date(month, "LLL")
    return f"{short}\n{month.year}" if first or month.month == 1 else short


def _value(key: str, value) -> str:
    return presentation.format_value(value, EFFECTIVENESS_KINDS[key])


def _target(item, entry: dict) -> str:
    if item.key == "repeat_offending":
        if entry["target"] is None:
            return _("%(rule)s (no baseline entered)", rule=item.target_text)
        return _("%(rule)s: at most %(value)s", rule=item.target_text,
                 value=_value(item.key, entry["target"]))
    return str(item.target_text)


def _compared(key: str, entry: dict) -> str:
    def count(value) -> str:
        return presentation.format_value(value, "count")

    if key == "repeat_offending":
        if entry["baseline"] is None:
            return _("%(n)s repeat offences, %(d)s minors under support in the twelve months "
                     "to the quarter's end", n=count(entry["numerator"]),
                     d=count(entry["denominator"]))
        return _("baseline %(value)s; %(n)s repeat offences, %(d)s minors under support in "
                 "the twelve months to the quarter's end",
                 value=_value(key, entry["baseline"]), n=count(entry["numerator"]),
                 d=count(entry["denominator"]))
    if key == "coverage":
        return _("%(n)s of %(d)s at the quarter's end", n=count(entry["numerator"]),
                 d=count(entry["denominator"]))
    if key == "missed_lessons":
        return _("the quarter before: %(previous)s; the enrolment months: %(enrolment)s",
                 previous=_value(key, entry["previous"]),
                 enrolment=_value(key, entry["enrolment_month"]))
    if key == "repeat_suicide_attempts":
        return _("%(n)s suicide attempts in the quarter", n=count(entry["denominator"]))
    return _("%(n)s of %(d)s minor-months", n=count(entry["numerator"]),
             d=count(entry["denominator"]))


def _cell(key: str, entry: dict | None, *, district: bool = False) -> dict:
    """A value with its status. A district's count of repeat suicide attempts from 1 to
    4 is shown as "<5" in the region's analysis (docs/effectiveness.md, "Small numbers");
    its status stays."""
    entry = entry or {"value": None, "status": "none"}
    text = _value(key, entry["value"])
    value = entry["value"]
    if district and key in SMALL_COUNTS and isinstance(value, int) \
            and 1 <= value <= presentation.SMALL_MAX:
        text = presentation.SUPPRESSED
    return {"text": text, "status": entry["status"],
            "word": presentation.status_label(entry["status"])}


def _indicator_rows(quarter: dict | None) -> list[dict]:
    rows = []
    for item in EFFECTIVENESS:
        entry = quarter["effectiveness"][item.key] if quarter else None
        rows.append({"key": item.key, "label": str(item.label), **_cell(item.key, entry),
                     "target": _target(item, entry) if entry else str(item.target_text),
                     "compared": _compared(item.key, entry) if entry else "—"})
    return rows


def _by_quarter(quarters: list[dict]) -> dict:
    return {"columns": [quarter_label(q) for q in quarters],
            "rows": [{"label": str(item.label),
                      "cells": [_cell(item.key, q["effectiveness"][item.key])
                                for q in quarters]} for item in EFFECTIVENESS]}


def _trend_blocks(analysis: dict) -> list[dict]:
    months = analysis["months"]
    labels = [_axis_label(key, index == 0) for index, key in enumerate(months)]
    full = [format_date(_month(key), "LLL yyyy") for key in months]
    scope_name = presentation.name_of(analysis["scope"]) if analysis["scope"] else ""
    blocks = []
    for item in EFFECTIVENESS:
        trend = analysis["trends"][item.key]
        districts = [] if item.key in SMALL_COUNTS else trend["districts"]
        series = [(scope_name, trend["scope"])] + [
            (presentation.name_of(d), d["values"]) for d in districts]
        blocks.append({
            "key": item.key, "title": str(item.label),
            "svg": charts.svg_trend(str(item.label), labels, series,
                                    chart_id=f"trend-{item.key}",
                                    target=TREND_TARGETS.get(item.key),
                                    percent=item.key in PERCENT),
            "columns": full,
            "rows": [(name, [_value(item.key, v) for v in values]) for name, values in series]})
    return blocks


def _districts(analysis: dict) -> list[dict]:
    return [{"name": presentation.name_of(d),
             "cells": [_cell(item.key, d["effectiveness"][item.key], district=True)
                       for item in EFFECTIVENESS]}
            for d in analysis["districts"]]


def shown(analysis: dict, quarter: Quarter) -> dict:
    """Plain values of the analysis for the page and the PDF, in the current language."""
    asked = next((q for q in analysis["quarters"] if q["key"] == quarter.key), None)
    scope = analysis["scope"]
    return {
        "scope_name": presentation.name_of(scope) if scope else "",
        "places": place_lines(scope) if scope else [],
        "quarter_label": quarter_label(quarter),
        "months_label": ", ".join(format_date(_month(m), "LLLL") for m in (
            asked["months"] if asked else [])),
        "complete": analysis["quarter"]["complete"], "has_data": asked is not None,
        "indicators": _indicator_rows(asked),
        "by_quarter": _by_quarter(analysis["quarters"]),
        "trends": _trend_blocks(analysis), "districts": _districts(analysis),
        "indicator_labels": [str(item.label) for item in EFFECTIVENESS],
        "region": bool(scope) and scope["kind"] == ScopeKind.REGION.value,
    }


# --- routes ---------------------------------------------------------------------------------


def _analysis() -> tuple[dict, Quarter]:
    scope = analysed_scope(current_user)
    if scope is None:
        abort(404)
    day = today()
    quarter = asked_quarter(day)
    return quarterly.analyse(scope, quarter, day), quarter


@bp.route("/effectiveness")
@allow("view_effectiveness")
def quarter():
    analysis, asked = _analysis()
    return render_template(PAGE_TEMPLATE, asked=asked, choices=_choices(today()),
                           languages=current_app.config["LANGUAGES"], **shown(analysis, asked))


@bp.route("/effectiveness.pdf")
@allow("view_effectiveness")
def quarter_pdf():
    analysis, asked = _analysis()
    language = request.args.get("lang")
    if language not in current_app.config["LANGUAGES"]:
        language = str(get_locale())
    scope = analysis["scope"] or {"kind": "region", "id": None}
    filename = (f"effectiveness-{scope['kind']}"
                f"{'-' + str(scope['id']) if scope.get('id') else ''}-{asked.key}-{language}.pdf")
    data = pdf.render_pdf(PDF_TEMPLATE, language, lambda: _pdf_context(analysis, asked))
    return pdf.pdf_response(data, filename)


def _pdf_context(analysis: dict, asked: Quarter) -> dict:
    values = shown(analysis, asked)
    title = _("Effectiveness analysis")
    return {**values, "title": title, "organisation": values["scope_name"],
            "header_right": f"{title} · {values['quarter_label']}",
            "footer": f"{title}: {values['scope_name']}, {values['quarter_label']}",
            "page_counter": page_counter()}
