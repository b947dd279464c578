"""Computed indicators as tables, the same for the page, the PDF and the XLSX.

CONTRACT:

    @dataclass Cell:  text: str (what is shown, already formatted for the locale, or "<5"),
                      value: int|float|None (the raw number; None when suppressed/missing),
                      status: str|None ("green"|"amber"|"red"|"none" for effectiveness)
    @dataclass Table: key: str, title: str, columns: list[str], rows: list[list[Cell]],
                      row_labels: list[str], definition: str|None (docs/indicators.md anchor),
                      note: str|None

    tables(data: dict, *, suppress_small: bool) -> list[Table]
        The report's tables in order: the effectiveness indicators with targets and
        status, then each section for the whole scope, then the per-unit tables (per
        school for a school or district report; per district and per school for the
        region).
    suppress_small(data) -> bool
        True when the output leaves the district (a region report): then a count from 1
        to 4 for a single school is shown as "<5" (docs/indicators.md, "Small numbers").
    chart_series(data) -> list[dict]
        Series for the charts: [{"key", "title", "labels": [...], "values": [...]}].

Beyond the contract, a Table also carries ``row_definitions`` and ``column_definitions``
(the docs/indicators.md anchor of each row's or column's number, None where there is
none), so every number can link to the definition that produced it.

The small-numbers rule: in a region output, a count of 1 to 4 in a single school's row
is shown as SUPPRESSED; so is a share, rate or average whose numerator or denominator is
(Indicator.numerator / .denominator). Districts' and the region's own values are shown
as they are, and 0 is always shown.
"""

from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from juvenile.reports.indicators import (
    EFFECTIVENESS,
    INDICATOR_BY_KEY,
    INDICATORS,
    SECTIONS,
    Indicator,
)

SUPPRESSED = "<5"
#: Counts from 1 to this are suppressed for single schools in outputs leaving the district.
SMALL_MAX = 4
MISSING = "—"


@dataclass
class Cell:
    text: str
    value: int | float | None
    status: str | None = None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    row_labels: list[str]
    definition: str | None = None
    note: str | None = None
    row_definitions: list = field(default_factory=list)
    column_definitions: list = field(default_factory=list)


def suppress_small(data: dict) -> bool:
    """True for an output that leaves the district: the region's report."""
    return data["scope"]["kind"] == "region"


def status_label(status: str | None) -> str:
    return {"green": _("target met"), "amber": _("close to the target"),
            "red": _("target not met"), "none": _("no data")}.get(status or "none",
                                                                     _("no data"))


def name_of(item: dict) -> str:
    """A school's, district's or scope's name in the interface language."""
    locale = get_locale()
    return item["name_ru"] if locale is not None and locale.language == "ru" \
        else item["name_kk"]


# --- formatting and the small-numbers rule ------------------------------------------------


def format_value(value, kind: str) -> str:
    if value is None:
        return MISSING
    if kind == "share":
        return format_percent(value, "#,##0.0%")
    if kind in ("rate", "number"):
        return format_decimal(value, "#,##0.##")
    return format_decimal(value)


def is_small(values: dict, indicator: Indicator) -> bool:
    """The value must be shown as "<5" in a single school's row of a region output."""
    value = values.get(indicator.key)
    if indicator.kind == "count" and isinstance(value, int) and 1 <= value <= SMALL_MAX:
        return True
    return any(link and is_small(values, INDICATOR_BY_KEY[link])
               for link in (indicator.numerator, indicator.denominator))


def value_cell(values: dict, indicator: Indicator, *, suppress: bool = False) -> Cell:
    if suppress and is_small(values, indicator):
        return Cell(SUPPRESSED, None)
    value = values.get(indicator.key)
    return Cell(format_value(value, indicator.kind), value)


# --- the tables ---------------------------------------------------------------------------


def tables(data: dict, *, suppress_small: bool) -> list[Table]:
    result = [effectiveness_table(data)]
    result += [section_table(data, key, title) for key, title in SECTIONS]
    result += unit_tables(data, suppress_small=suppress_small)
    return result


def effectiveness_table(data: dict) -> Table:
    rows, labels = [], []
    for item in EFFECTIVENESS:
        entry = data["effectiveness"][item.key]
        kind = {"repeat_offending": "rate", "missed_lessons": "number",
                "repeat_suicide_attempts": "count"}.get(item.key, "share")
        rows.append([Cell(format_value(entry["value"], kind), entry["value"]),
                     Cell(_target_text(item, entry, kind), entry["target"]),
                     Cell(_compared_text(item.key, entry, kind), None),
                     Cell(status_label(entry["status"]), None, entry["status"])])
        labels.append(str(item.label))
    return Table("effectiveness", _("Effectiveness indicators against their targets"),
                 [_("Value"), _("Target"), _("Compared with"), _("Status")], rows, labels,
                 definition="effectiveness",
                 row_definitions=[f"effectiveness-{item.key}" for item in EFFECTIVENESS])


def _target_text(item, entry: dict, kind: str) -> str:
    if item.key == "repeat_offending":
        if entry["target"] is None:
            return _("%(rule)s (no baseline entered)", rule=item.target_text)
        return _("%(rule)s: at most %(value)s", rule=item.target_text,
                 value=format_value(entry["target"], kind))
    return str(item.target_text)


def _compared_text(key: str, entry: dict, kind: str) -> str:
    if key == "repeat_offending":
        if entry["baseline"] is None:
            return MISSING
        return _("baseline %(value)s; %(n)s repeat offences, %(d)s minors under support",
                 value=format_value(entry["baseline"], kind),
                 n=format_value(entry["numerator"], "count"),
                 d=format_value(entry["denominator"], "count"))
    if key == "missed_lessons":
        return _("the month before: %(previous)s; the enrolment month: %(enrolment)s",
                 previous=format_value(entry["previous"], kind),
                 enrolment=format_value(entry["enrolment_month"], kind))
    if key == "repeat_suicide_attempts":
        return _("%(n)s suicide attempts in the month", n=format_value(entry["denominator"],
                                                                        "count"))
    return _("%(n)s of %(d)s", n=format_value(entry["numerator"], "count"),
             d=format_value(entry["denominator"], "count"))


def section_table(data: dict, section: str, title) -> Table:
    """One section for the whole scope: a row per indicator, a breakdown as a heading row
    followed by a row per code."""
    values = data["values"]
    rows, labels, anchors = [], [], []
    for indicator in (i for i in INDICATORS if i.section == section):
        if indicator.kind != "breakdown":
            rows.append([value_cell(values, indicator)])
            labels.append(str(indicator.label))
            anchors.append(indicator.key)
            continue
        rows.append([Cell("", None)])
        labels.append(str(indicator.label))
        anchors.append(indicator.key)
        for code, label in indicator.breakdown_labels().items():
            count = values[indicator.key].get(code, 0)
            rows.append([Cell(format_value(count, "count"), count)])
            labels.append(f"— {label}")
            anchors.append(indicator.key)
    return Table(f"section-{section}", str(title), [_("Value")], rows, labels,
                 row_definitions=anchors)


def unit_tables(data: dict, *, suppress_small: bool) -> list[Table]:
    """Per district (the region) and per school, one table per section, with the scope's
    own values as the last row."""
    result = []
    region = data["scope"]["kind"] == "region"
    districts = {d["id"]: d for d in data["by_district"]}
    for key, title in SECTIONS:
        indicators = [i for i in INDICATORS if i.section == key and i.per_unit]
        if not indicators:
            continue
        if region:
            result.append(_unit_table(data, f"districts-{key}", _(
                "By district: %(section)s", section=title), data["by_district"], indicators,
                suppress=False))
        result.append(_unit_table(data, f"schools-{key}", _(
            "By school: %(section)s", section=title), data["by_school"], indicators,
            suppress=suppress_small, districts=districts if region else None))
    return result


def _unit_table(data, key, title, units, indicators, *, suppress, districts=None) -> Table:
    columns = [str(i.label) for i in indicators]
    if districts is not None:
        columns.insert(0, _("District"))
    rows, labels = [], []
    for unit in units:
        row = [value_cell(unit["values"], i, suppress=suppress) for i in indicators]
        if districts is not None:
            district = districts.get(unit.get("district_id"))
            row.insert(0, Cell(name_of(district) if district else MISSING, None))
        rows.append(row)
        labels.append(name_of(unit))
    total = [value_cell(data["values"], i) for i in indicators]
    if districts is not None:
        total.insert(0, Cell("", None))
    rows.append(total)
    labels.append(_("Total: %(scope)s", scope=name_of(data["scope"])))
    note = (_("Counts from 1 to 4 for a single school are shown as \"<5\" (small numbers "
              "could identify a child).") if suppress else None)
    anchors = [i.key for i in indicators]
    return Table(key, title, columns, rows, labels, note=note,
                 column_definitions=([None] if districts is not None else []) + anchors)


# --- charts -------------------------------------------------------------------------------


def chart_series(data: dict) -> list[dict]:
    """The charts' series, from the whole scope's values and, per unit, the minors in the
    programme by district (the region) or by school (a district or school report): the
    region's charts show no single school's small numbers."""
    values = data["values"]
    series = [_breakdown_series(values, key) for key in (
        "in_programme_by_group", "in_programme_by_stage", "closed_by_reason",
        "sessions_by_kind", "levels_at_enrolment", "levels_latest", "education_status")]
    irp = [INDICATOR_BY_KEY[k] for k in ("irp_done", "irp_missed", "irp_cancelled")]
    series.append({"key": "irp_activities", "title": _("IRP activities due in the month"),
                   "labels": [str(i.label) for i in irp],
                   "values": [values[i.key] for i in irp]})
    series.append(_missed_lessons_series(values))
    region = data["scope"]["kind"] == "region"
    units = data["by_district"] if region else data["by_school"]
    series.append({"key": "in_programme_by_unit",
                   "title": _("In the programme by district") if region
                   else _("In the programme by school"),
                   "labels": [name_of(u) for u in units],
                   "values": [u["values"]["in_programme"] for u in units]})
    return series


def _breakdown_series(values: dict, key: str) -> dict:
    indicator = INDICATOR_BY_KEY[key]
    labels = indicator.breakdown_labels()
    return {"key": key, "title": str(indicator.label),
            "labels": [str(label) for label in labels.values()],
            "values": [values[key].get(code, 0) for code in labels]}


def _missed_lessons_series(values: dict) -> dict:
    """Unexcused missed lessons per pupil: the enrolment month, the month before, this
    month (a point without data is left out)."""
    points = [(_("enrolment month"), values["missed_per_pupil_enrolment_month"]),
              (_("the month before"), values["missed_per_pupil_previous"]),
              (_("this month"), values["missed_per_pupil"])]
    points = [(str(label), value) for label, value in points if value is not None]
    return {"key": "missed_lessons", "title": _("Unexcused missed lessons per pupil"),
            "labels": [label for label, _value in points],
            "values": [value for _label, value in points]}
