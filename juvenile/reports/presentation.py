"""Computed indicators as tables, the same for the page, the PDF and the XLSX.

CONTRACT:

    @dataclass Cell:  text: str (what is shown, already formatted for the locale, or a
                      marker: "<5" or "×"),
                      value: int|float|None (the raw number; None when hidden/missing),
                      status: str|None ("green"|"amber"|"red"|"none" for effectiveness)
    @dataclass Table: key: str, title: str, columns: list[str], rows: list[list[Cell]],
                      row_labels: list[str], definition: str|None (docs/indicators.md anchor),
                      note: str|None

    tables(data: dict, *, suppress_small: bool) -> list[Table]
        The report's tables in order: the effectiveness indicators with targets and
        status, then each section for the whole scope, then the per-unit tables (per
        school for a school or district report; per district and per school for the
        region).
    suppress_small(data, reader=None) -> bool
        True when the output leaves the district, so that small numbers are hidden
        (docs/indicators.md, "Small numbers"): a region report always; a school's or a
        district's report when ``reader`` (a User) is not one of the district's own
        readers (its coordinator and commission, the school's own deputy head). Without
        a reader: a region report only (or what ``suppressed_for`` set).
    chart_series(data, *, suppress_small=None) -> list[dict]
        Series for the charts: [{"key", "title", "labels": [...], "values": [...]}]; a
        hidden number is None.

Beyond the contract, a Table also carries ``row_definitions`` and ``column_definitions``
(the docs/indicators.md anchor of each row's or column's number, None where there is
none), so every number can link to the definition that produced it.

The small-numbers rule (``hidden_numbers``, docs/indicators.md "Small numbers"): in an
output that leaves the district a count from 1 to 4 of a single school is shown as
SUPPRESSED ("<5"), and so is a district's count that is one school's count from 1 to 4,
and a share, rate or average whose numerator or denominator is hidden
(Indicator.numerator / .denominator). Where a "<5" could be worked out by subtraction
from a total that is shown, a second number is hidden too (complementary suppression)
and shown as HIDDEN ("×"). The region's own values are always shown, and 0 is always
shown.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from juvenile.accounts.models import Role
from juvenile.reports.indicators import (
    EFFECTIVENESS,
    INDICATOR_BY_KEY,
    INDICATORS,
    SECTIONS,
    Indicator,
)

SUPPRESSED = "<5"
#: A number hidden so that a "<5" cannot be worked out from a total (complementary).
HIDDEN = "×"
MARKERS = frozenset({SUPPRESSED, HIDDEN})
#: Counts from 1 to this are suppressed for single schools in outputs leaving the district.
SMALL_MAX = 4
MISSING = "—"

#: Every count (a number of minors, records or events).
COUNT_KEYS = tuple(i.key for i in INDICATORS if i.kind == "count")
#: The counts shown per school and per district: the per-unit tables' count columns.
COLUMN_KEYS = tuple(i.key for i in INDICATORS if i.kind == "count" and i.per_unit)
BREAKDOWN_KEYS = tuple(i.key for i in INDICATORS if i.kind == "breakdown")
#: Values computed from others (shares, rates, averages, sums of lessons): hidden with them.
LINKED = tuple(i for i in INDICATORS if i.numerator or i.denominator)
#: A count that is the sum of other counts of the same unit: an addend hidden hides the
#: sum, and a hidden sum hides an addend (else one would be the other's difference).
SUMS = {"coverage_identified": ("in_programme", "registered_not_enrolled")}
#: What each effectiveness indicator's value, numerator, denominator... are made of.
EFFECTIVENESS_KEYS = {
    "repeat_offending": {"value": "repeat_offending_rate", "numerator": "repeat_offences_12m",
                         "denominator": "under_support_12m"},
    "coverage": {"value": "coverage_share", "numerator": "coverage_approved",
                 "denominator": "coverage_identified"},
    "missed_lessons": {"value": "missed_per_pupil", "numerator": "missed_unexcused",
                       "denominator": "attendance_pupils",
                       "previous": "missed_per_pupil_previous",
                       "enrolment_month": "missed_per_pupil_enrolment_month"},
    "repeat_suicide_attempts": {"value": "repeat_suicide_attempts",
                                "numerator": "repeat_suicide_attempts",
                                "denominator": "suicide_attempts"},
    "leisure_labour": {"value": "involved_share", "numerator": "involved",
                       "denominator": "in_programme"},
}
INFINITY = float("inf")


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


# --- who gets the suppressed output --------------------------------------------------------

#: Set by ``suppressed_for`` around the rendering of a download (the PDF and the XLSX ask
#: ``suppress_small(data)`` without a reader).
_FORCED: ContextVar[bool | None] = ContextVar("suppress_small_forced", default=None)


def suppress_small(data: dict, reader=None) -> bool:
    """True for an output that leaves the district: the region's report always; a school's
    or district's report read by anyone but the district's coordinator and commission or
    the school's own deputy head. Without a reader, the region's report only (unless
    ``suppressed_for`` says otherwise)."""
    if data["scope"]["kind"] == "region":
        return True
    if reader is None:
        return bool(_FORCED.get())
    return not reads_inside(reader, data["scope"])


def reads_inside(reader, scope: dict) -> bool:
    """The reader belongs to the scope's district: its coordinator or commission, or the
    deputy head of the school whose report it is. Everyone else (the methodologist, a
    regional commission member) reads from outside."""
    organisation = getattr(reader, "organisation", None)
    district_id = scope.get("district_id")
    if organisation is None or district_id is None or organisation.district_id != district_id:
        return False
    role = reader.role_enum
    if role in (Role.DISTRICT_COORDINATOR, Role.COMMISSION_MEMBER):
        return True
    return (role is Role.SCHOOL_ADMIN and scope.get("kind") == "school"
            and reader.organisation_id == scope.get("id"))


@contextmanager
def suppressed_for(flag: bool) -> Iterator[None]:
    """Within it, ``suppress_small(data)`` (no reader) answers ``flag`` for a school's or
    district's report: the web routes wrap a download in it, so that the PDF and the XLSX
    hide what the page hides for the same reader."""
    token = _FORCED.set(bool(flag))
    try:
        yield
    finally:
        _FORCED.reset(token)


# --- the small-numbers rule ----------------------------------------------------------------


@dataclass
class Hidden:
    """The numbers an output hides, each with its marker (SUPPRESSED or HIDDEN)."""

    #: The whole scope's values: {key: marker}; its breakdowns: {(key, code): marker}.
    scope: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    #: Per district (a region report) and per school: {id: {key: marker}}.
    districts: dict = field(default_factory=lambda: defaultdict(dict))
    schools: dict = field(default_factory=lambda: defaultdict(dict))

    def effectiveness(self, key: str, part: str = "value") -> str | None:
        linked = EFFECTIVENESS_KEYS.get(key, {}).get(part)
        return self.scope.get(linked) if linked else None

    def __bool__(self) -> bool:
        return bool(self.scope or self.codes or any(self.districts.values())
                    or any(self.schools.values()))


def _small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= SMALL_MAX


def hidden_numbers(data: dict, *, suppress: bool = True) -> Hidden:
    """What an output of ``data`` hides (nothing when ``suppress`` is false).

    1. Every school's count from 1 to 4 is SUPPRESSED; for a school's report, so is every
       count of its own, breakdowns included.
    2. A district's count from 1 to 4 that comes from a single school (the others have
       0) is SUPPRESSED: it is that school's number.
    3. Complementary: for each count shown per school, in each district whose total is
       shown, while the hidden schools' numbers could be worked out from the total (their
       sum when every one is a "<5", or any one of them pinned to a single value), the
       smallest other non-zero school's number is HIDDEN; with none left, the district's
       own number is hidden. The same between the districts and the region's total,
       which always stays; a district hidden so keeps one of its schools hidden.
    4. A share, rate or average with a hidden numerator or denominator is hidden; an
       addend of a sum (SUMS) hidden hides the sum, and the other way round.
    """
    hidden = Hidden()
    if not suppress:
        return hidden
    kind = data["scope"]["kind"]
    schools = data.get("by_school") or []
    for school in schools:
        mask = hidden.schools[school["id"]]
        for key in COUNT_KEYS:
            if _small(school["values"].get(key)):
                mask[key] = SUPPRESSED
    members = defaultdict(list)
    for school in schools:
        members[school.get("district_id")].append(school)
    if kind == "school":
        _hide_small(data["values"], hidden.scope, hidden.codes)
    elif kind == "district":
        _one_school_rule(data["values"], schools, hidden.scope, hidden.codes)
    else:
        for district in data.get("by_district") or []:
            _one_school_rule(district["values"], members[district["id"]],
                             hidden.districts[district["id"]], None)
    _protect(data, hidden, members)
    return hidden


def _hide_small(values: dict, mask: dict, codes: dict) -> None:
    for key in COUNT_KEYS:
        if _small(values.get(key)):
            mask[key] = SUPPRESSED
    for key in BREAKDOWN_KEYS:
        for code, count in (values.get(key) or {}).items():
            if _small(count):
                codes[(key, code)] = SUPPRESSED


def _one_school_rule(values: dict, schools: list, mask: dict, codes: dict | None) -> None:
    """A district's count from 1 to 4 with at most one school behind it."""
    for key in COUNT_KEYS:
        if _small(values.get(key)) and sum(
                1 for s in schools if s["values"].get(key)) <= 1:
            mask[key] = SUPPRESSED
    if codes is None:
        return
    for key in BREAKDOWN_KEYS:
        for code, count in (values.get(key) or {}).items():
            if _small(count) and sum(1 for s in schools
                                     if (s["values"].get(key) or {}).get(code)) <= 1:
                codes[(key, code)] = SUPPRESSED


def _protect(data: dict, hidden: Hidden, members: dict) -> None:
    """Steps 3 and 4 of ``hidden_numbers``, repeated until nothing more is hidden."""
    kind = data["scope"]["kind"]
    districts = data.get("by_district") or []
    if kind == "district":
        groups = [(data.get("by_school") or [], data["values"], hidden.scope)]
    elif kind == "region":
        groups = [(members[d["id"]], d["values"], hidden.districts[d["id"]])
                  for d in districts]
    else:
        groups = []
    units = [(s["values"], hidden.schools[s["id"]]) for s in data.get("by_school") or []]
    units += [(d["values"], hidden.districts[d["id"]]) for d in districts]
    if kind != "region":
        units.append((data["values"], hidden.scope))
    changed = True
    while changed:
        changed = False
        for key in COLUMN_KEYS:
            for schools, totals, total_mask in groups:
                changed |= _protect_group(key, schools, hidden.schools, totals, total_mask)
            if kind == "region":
                changed |= _protect_region(key, data, hidden, members)
        for values, mask in units:
            changed |= _follow_links(values, mask)


def _range(marker: str) -> tuple[float, float]:
    """What a reader knows of a hidden school's count: 1–4 behind "<5"; behind "×" a
    number shown otherwise, so 5 or more."""
    return (1, SMALL_MAX) if marker == SUPPRESSED else (SMALL_MAX + 1, INFINITY)


def _recoverable(total: int, cells: list[tuple[int, str | None, tuple]]) -> bool:
    """Whether the hidden cells of a group (value, marker, (low, high)) could be worked out
    from its total: their sum when all are "<5", or any one pinned to a single value."""
    hidden = [(marker, bounds) for _value, marker, bounds in cells if marker]
    if not hidden:
        return False
    if all(marker == SUPPRESSED for marker, _bounds in hidden):
        return True
    rest = total - sum(value for value, marker, _bounds in cells if not marker)
    for index, (_marker, (low, high)) in enumerate(hidden):
        others_low = sum(b[0] for i, (_m, b) in enumerate(hidden) if i != index)
        others_high = sum(b[1] for i, (_m, b) in enumerate(hidden) if i != index)
        if max(low, rest - others_high) >= min(high, rest - others_low):
            return True
    return False


def _smallest_shown(units: list, key: str, masks) -> dict | None:
    shown = [(unit["values"].get(key) or 0, index, unit) for index, unit in enumerate(units)
             if key not in masks[unit["id"]] and unit["values"].get(key)]
    return min(shown, key=lambda item: item[:2])[2] if shown else None


def _protect_group(key: str, schools: list, masks: dict, totals: dict, total_mask: dict) -> bool:
    """A district's schools against the district's total (step 3)."""
    changed = False
    while True:
        cells = [(s["values"].get(key) or 0, masks[s["id"]].get(key), None) for s in schools]
        if key in total_mask:
            # The total is hidden: it must not be the sum of numbers all shown.
            if any(marker for _v, marker, _b in cells):
                return changed
            pick = _smallest_shown(schools, key, masks)
            if pick is None:
                return changed
            masks[pick["id"]][key] = HIDDEN
            return True
        cells = [(v, m, _range(m) if m else None) for v, m, _b in cells]
        if not _recoverable(totals.get(key) or 0, cells):
            return changed
        pick = _smallest_shown(schools, key, masks)
        if pick is None:
            total_mask[key] = SUPPRESSED if _small(totals.get(key)) else HIDDEN
            return True
        masks[pick["id"]][key] = HIDDEN
        changed = True


def _district_range(district: dict, key: str, marker: str, schools: list,
                    masks: dict) -> tuple[float, float]:
    """What a reader knows of a hidden district's count: 1–4 behind "<5", else at least 1;
    narrowed by its schools' numbers, shown or hidden."""
    low, high = (1, SMALL_MAX) if marker == SUPPRESSED else (1, INFINITY)
    sum_low = sum_high = 0
    for school in schools:
        own = masks[school["id"]].get(key)
        value = school["values"].get(key) or 0
        bounds = _range(own) if own else (value, value)
        sum_low, sum_high = sum_low + bounds[0], sum_high + bounds[1]
    if max(low, sum_low) <= min(high, sum_high):
        return max(low, sum_low), min(high, sum_high)
    return low, high


def _protect_region(key: str, data: dict, hidden: Hidden, members: dict) -> bool:
    """The districts against the region's total, which stays (step 3)."""
    districts = data.get("by_district") or []
    changed = False
    while True:
        cells = []
        for district in districts:
            marker = hidden.districts[district["id"]].get(key)
            value = district["values"].get(key) or 0
            cells.append((value, marker, _district_range(
                district, key, marker, members[district["id"]], hidden.schools)
                if marker else None))
        if not _recoverable(data["values"].get(key) or 0, cells):
            return changed
        pick = _smallest_shown(districts, key, hidden.districts)
        if pick is None:
            return changed
        hidden.districts[pick["id"]][key] = HIDDEN
        # Its schools' numbers must not add up to it.
        _protect_group(key, members[pick["id"]], hidden.schools, pick["values"],
                       hidden.districts[pick["id"]])
        changed = True


def _follow_links(values: dict, mask: dict) -> bool:
    """Step 4 for one unit's values."""
    changed = False
    for indicator in LINKED:
        if indicator.key in mask:
            continue
        markers = [mask.get(link) for link in (indicator.numerator, indicator.denominator)
                   if link]
        if any(markers):
            mask[indicator.key] = SUPPRESSED if SUPPRESSED in markers else HIDDEN
            changed = True
    for total, parts in SUMS.items():
        hidden_parts = [part for part in parts if part in mask]
        if hidden_parts and total not in mask and values.get(total):
            mask[total] = SUPPRESSED if _small(values.get(total)) else HIDDEN
            changed = True
        elif total in mask and not hidden_parts:
            shown = [part for part in parts if values.get(part)]
            if shown:
                mask[min(shown, key=lambda part: values[part])] = HIDDEN
                changed = True
    return changed


def status_label(status: str | None) -> str:
    return {"green": _("target met"), "amber": _("close to the target"),
            "red": _("target not met"), "none": _("no data")}.get(status or "none",
                                                                     _("no data"))


def name_of(item: dict) -> str:
    """A school's, district's or scope's name in the interface language."""
    locale = get_locale()
    return item["name_ru"] if locale is not None and locale.language == "ru" \
        else item["name_kk"]


# --- formatting ----------------------------------------------------------------------------


def format_value(value, kind: str) -> str:
    if value is None:
        return MISSING
    if kind == "share":
        return format_percent(value, "#,##0.0%")
    if kind in ("rate", "number"):
        return format_decimal(value, "#,##0.##")
    return format_decimal(value)


def is_small(values: dict, indicator: Indicator) -> bool:
    """A single school's value that is a count from 1 to 4, or built on one (the first
    step of the small-numbers rule; ``hidden_numbers`` applies the whole rule)."""
    value = values.get(indicator.key)
    if indicator.kind == "count" and _small(value):
        return True
    return any(link and is_small(values, INDICATOR_BY_KEY[link])
               for link in (indicator.numerator, indicator.denominator))


def value_cell(values: dict, indicator: Indicator, *, suppress: bool = False,
               mask: dict | None = None) -> Cell:
    """The cell of a value: its marker when ``mask`` hides it (or, with ``suppress``, when
    it is small), else the number formatted."""
    marker = (mask or {}).get(indicator.key)
    if marker is None and suppress and is_small(values, indicator):
        marker = SUPPRESSED
    if marker:
        return Cell(marker, None)
    value = values.get(indicator.key)
    return Cell(format_value(value, indicator.kind), value)


def _count_cell(count, marker: str | None) -> Cell:
    return Cell(marker, None) if marker else Cell(format_value(count, "count"), count)


def small_numbers_note(cells) -> str | None:
    """The note under a table that hides numbers (None when it hides none)."""
    texts = {cell.text for cell in cells}
    if HIDDEN in texts:
        return _("Counts from 1 to 4 for a single school are shown as \"<5\" (small numbers "
                 "could identify a child); \"×\" marks a number hidden so that a \"<5\" "
                 "cannot be worked out from a total.")
    if SUPPRESSED in texts:
        return _("Counts from 1 to 4 for a single school are shown as \"<5\" (small numbers "
                 "could identify a child).")
    return None


def _cells(table: Table):
    return (cell for row in table.rows for cell in row)


# --- the tables ---------------------------------------------------------------------------


def tables(data: dict, *, suppress_small: bool, hidden: Hidden | None = None) -> list[Table]:
    """The report's tables; with ``suppress_small`` the small numbers are hidden
    (``hidden_numbers``, computed unless given)."""
    if hidden is None:
        hidden = hidden_numbers(data, suppress=suppress_small)
    result = [effectiveness_table(data, hidden=hidden)]
    result += [section_table(data, key, title, hidden=hidden) for key, title in SECTIONS]
    result += unit_tables(data, suppress_small=suppress_small, hidden=hidden)
    return result


def effectiveness_table(data: dict, *, hidden: Hidden | None = None) -> Table:
    hidden = hidden or Hidden()
    rows, labels = [], []
    for item in EFFECTIVENESS:
        entry = data["effectiveness"][item.key]
        kind = {"repeat_offending": "rate", "missed_lessons": "number",
                "repeat_suicide_attempts": "count"}.get(item.key, "share")
        marker = hidden.effectiveness(item.key)
        rows.append([Cell(marker, None) if marker
                     else Cell(format_value(entry["value"], kind), entry["value"]),
                     Cell(_target_text(item, entry, kind), entry["target"]),
                     Cell(_compared_text(item.key, entry, kind, hidden), None),
                     Cell(status_label(entry["status"]), None, entry["status"])])
        labels.append(str(item.label))
    table = Table("effectiveness", _("Effectiveness indicators against their targets"),
                  [_("Value"), _("Target"), _("Compared with"), _("Status")], rows, labels,
                  definition="effectiveness",
                  row_definitions=[f"effectiveness-{item.key}" for item in EFFECTIVENESS])
    markers = {hidden.effectiveness(item.key, part) for item in EFFECTIVENESS
               for part in EFFECTIVENESS_KEYS[item.key]} - {None}
    table.note = small_numbers_note(Cell(marker, None) for marker in markers)
    return table


def _target_text(item, entry: dict, kind: str) -> str:
    if item.key == "repeat_offending":
        if entry["target"] is None:
            return _("%(rule)s (no baseline entered)", rule=item.target_text)
        return _("%(rule)s: at most %(value)s", rule=item.target_text,
                 value=format_value(entry["target"], kind))
    return str(item.target_text)


def _compared_text(key: str, entry: dict, kind: str, hidden: Hidden | None = None) -> str:
    hidden = hidden or Hidden()

    def shown(part: str, part_kind: str) -> str:
        return hidden.effectiveness(key, part) or format_value(entry[part], part_kind)

    if key == "repeat_offending":
        if entry["baseline"] is None:
            return MISSING
        return _("baseline %(value)s; %(n)s repeat offences, %(d)s minors under support",
                 value=format_value(entry["baseline"], kind),
                 n=shown("numerator", "count"), d=shown("denominator", "count"))
    if key == "missed_lessons":
        return _("the month before: %(previous)s; the enrolment month: %(enrolment)s",
                 previous=shown("previous", kind), enrolment=shown("enrolment_month", kind))
    if key == "repeat_suicide_attempts":
        return _("%(n)s suicide attempts in the month", n=shown("denominator", "count"))
    return _("%(n)s of %(d)s", n=shown("numerator", "count"), d=shown("denominator", "count"))


def section_table(data: dict, section: str, title, *, hidden: Hidden | None = None) -> Table:
    """One section for the whole scope: a row per indicator, a breakdown as a heading row
    followed by a row per code."""
    hidden = hidden or Hidden()
    values = data["values"]
    rows, labels, anchors = [], [], []
    for indicator in (i for i in INDICATORS if i.section == section):
        if indicator.kind != "breakdown":
            rows.append([value_cell(values, indicator, mask=hidden.scope)])
            labels.append(str(indicator.label))
            anchors.append(indicator.key)
            continue
        rows.append([Cell("", None)])
        labels.append(str(indicator.label))
        anchors.append(indicator.key)
        for code, label in indicator.breakdown_labels().items():
            count = values[indicator.key].get(code, 0)
            rows.append([_count_cell(count, hidden.codes.get((indicator.key, code)))])
            labels.append(f"— {label}")
            anchors.append(indicator.key)
    table = Table(f"section-{section}", str(title), [_("Value")], rows, labels,
                  row_definitions=anchors)
    table.note = small_numbers_note(_cells(table))
    return table


def unit_tables(data: dict, *, suppress_small: bool, hidden: Hidden | None = None) -> list[Table]:
    """Per district (the region) and per school, one table per section, with the scope's
    own values as the last row."""
    if hidden is None:
        hidden = hidden_numbers(data, suppress=suppress_small)
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
                masks=hidden.districts, total_mask={}, suppress=suppress_small))
        result.append(_unit_table(data, f"schools-{key}", _(
            "By school: %(section)s", section=title), data["by_school"], indicators,
            masks=hidden.schools, total_mask={} if region else hidden.scope,
            suppress=suppress_small, districts=districts if region else None))
    return result


def _unit_table(data, key, title, units, indicators, *, masks, total_mask, suppress,
                districts=None) -> Table:
    columns = [str(i.label) for i in indicators]
    if districts is not None:
        columns.insert(0, _("District"))
    rows, labels = [], []
    for unit in units:
        mask = masks.get(unit["id"]) or {}
        row = [value_cell(unit["values"], i, mask=mask) for i in indicators]
        if districts is not None:
            district = districts.get(unit.get("district_id"))
            row.insert(0, Cell(name_of(district) if district else MISSING, None))
        rows.append(row)
        labels.append(name_of(unit))
    total = [value_cell(data["values"], i, mask=total_mask) for i in indicators]
    if districts is not None:
        total.insert(0, Cell("", None))
    rows.append(total)
    labels.append(_("Total: %(scope)s", scope=name_of(data["scope"])))
    note = small_numbers_note(cell for row in rows for cell in row)
    if suppress and note is None and key.startswith("schools-"):
        note = small_numbers_note([Cell(SUPPRESSED, None)])
    anchors = [i.key for i in indicators]
    return Table(key, title, columns, rows, labels, note=note,
                 column_definitions=([None] if districts is not None else []) + anchors)


# --- charts -------------------------------------------------------------------------------


def chart_series(data: dict, *, suppress_small: bool | None = None,
                 hidden: Hidden | None = None) -> list[dict]:
    """The charts' series, from the whole scope's values and, per unit, the minors in the
    programme by district (the region) or by school (a district or school report). A
    number the tables hide is None here (``suppress_small``: None asks the module's
    ``suppress_small(data)``); the region's charts show no single school."""
    if hidden is None:
        flag = _suppressed(data) if suppress_small is None else suppress_small
        hidden = hidden_numbers(data, suppress=flag)
    values = data["values"]
    series = [_breakdown_series(values, key, hidden) for key in (
        "in_programme_by_group", "in_programme_by_stage", "closed_by_reason",
        "sessions_by_kind", "levels_at_enrolment", "levels_latest", "education_status")]
    irp = [INDICATOR_BY_KEY[k] for k in ("irp_done", "irp_missed", "irp_cancelled")]
    series.append({"key": "irp_activities", "title": _("IRP activities due in the month"),
                   "labels": [str(i.label) for i in irp],
                   "values": [None if i.key in hidden.scope else values[i.key]
                              for i in irp]})
    series.append(_missed_lessons_series(values, hidden))
    region = data["scope"]["kind"] == "region"
    units = data["by_district"] if region else data["by_school"]
    masks = hidden.districts if region else hidden.schools
    series.append({"key": "in_programme_by_unit",
                   "title": _("In the programme by district") if region
                   else _("In the programme by school"),
                   "labels": [name_of(u) for u in units],
                   "values": [None if "in_programme" in (masks.get(u["id"]) or {})
                              else u["values"]["in_programme"] for u in units]})
    return series


_suppressed = suppress_small


def _breakdown_series(values: dict, key: str, hidden: Hidden | None = None) -> dict:
    hidden = hidden or Hidden()
    indicator = INDICATOR_BY_KEY[key]
    labels = indicator.breakdown_labels()
    return {"key": key, "title": str(indicator.label),
            "labels": [str(label) for label in labels.values()],
            "values": [None if (key, code) in hidden.codes else values[key].get(code, 0)
                       for code in labels]}


def _missed_lessons_series(values: dict, hidden: Hidden | None = None) -> dict:
    """Unexcused missed lessons per pupil: the enrolment month, the month before, this
    month (a point without data, or hidden, is left out)."""
    hidden = hidden or Hidden()
    points = [(_("enrolment month"), "missed_per_pupil_enrolment_month"),
              (_("the month before"), "missed_per_pupil_previous"),
              (_("this month"), "missed_per_pupil")]
    points = [(str(label), values[key]) for label, key in points
              if values[key] is not None and key not in hidden.scope]
    return {"key": "missed_lessons", "title": _("Unexcused missed lessons per pupil"),
            "labels": [label for label, _value in points],
            "values": [value for _label, value in points]}
