"""A monthly report as a document: PDF (A4, Kazakh or Russian), XLSX and JSON.

All three render the computed indicators (juvenile.reports.indicators.compute, or a
submission's frozen snapshot) through the same tables as the page
(juvenile.reports.presentation), the small-numbers rule included. The PDF and the XLSX
are made in the language asked for, whatever the reader's interface language; the
templates get plain values only.
"""

import itertools
import json
import re
from datetime import date
from functools import cache
from io import BytesIO

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from juvenile import pdf
from juvenile.accounts.models import District, Region, Role
from juvenile.cases.dates import today
from juvenile.extensions import db
from juvenile.reports import charts, presentation
from juvenile.reports.indicators import INDICATOR_BY_KEY
from juvenile.reports.models import ReportStatus, ScopeKind

PDF_TEMPLATE = "reports/pdf/report.html"
NARRATIVE_FIELDS = ("work_done", "problems", "proposals")
#: Who signs the report of each scope (PROGRAMME.md, "What the commission receives").
SIGNERS = {ScopeKind.SCHOOL.value: Role.SCHOOL_ADMIN,
           ScopeKind.DISTRICT.value: Role.DISTRICT_COORDINATOR,
           ScopeKind.REGION.value: Role.METHODOLOGIST}
#: How the effectiveness table's value column is written, by indicator.
EFFECTIVENESS_KINDS = {"repeat_offending": "rate", "missed_lessons": "number",
                       "repeat_suicide_attempts": "count", "coverage": "share",
                       "leisure_labour": "share"}


# --- what every output shares ---------------------------------------------------------


def report_json(data: dict) -> str:
    """The computed indicators as JSON (the same dict a submission freezes)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def month_of(data: dict) -> date:
    year, month = data["month"].split("-")
    return date(int(year), int(month), 1)


def period_label(month: date) -> str:
    """"Қазан 2026" / "Октябрь 2026": the month in the current (forced) language."""
    text = format_date(month, "LLLL yyyy")
    return text[:1].upper() + text[1:]


def kind_title(kind: str) -> str:
    return {ScopeKind.SCHOOL.value: _("School report"),
            ScopeKind.DISTRICT.value: _("District report"),
            ScopeKind.REGION.value: _("Region report")}[kind]


def place_lines(scope: dict) -> list[tuple[str, str]]:
    """(what, name) of the report's organisation, district and region, in the current
    language: at most two queries."""
    lines = []
    if scope["kind"] == ScopeKind.SCHOOL.value:
        lines.append((_("School"), presentation.name_of(scope)))
    district_id = scope.get("district_id")
    if scope["kind"] == ScopeKind.DISTRICT.value:
        lines.append((_("District"), presentation.name_of(scope)))
    elif district_id is not None:
        row = db.session.execute(select(District.name_kk, District.name_ru)
                                 .where(District.id == district_id)).first()
        if row is not None:
            lines.append((_("District"), presentation.name_of(dict(row._mapping))))
    if scope["kind"] == ScopeKind.REGION.value:
        lines.append((_("Region"), presentation.name_of(scope)))
    else:
        row = db.session.execute(select(Region.name_kk, Region.name_ru)
                                 .order_by(Region.id).limit(1)).first()
        if row is not None:
            lines.append((_("Region"), presentation.name_of(dict(row._mapping))))
    return lines


def narrative_of(narrative: dict | None) -> dict:
    narrative = narrative or {}
    return {name: (narrative.get(name) or "").strip() for name in NARRATIVE_FIELDS}


def narrative_titles() -> dict:
    return {"work_done": _("Work done"), "problems": _("Problems"),
            "proposals": _("Proposals")}


def status_text(report) -> str | None:
    if report is None or not getattr(report, "status", None):
        return None
    return str(ReportStatus(report.status).label)


def hidden_numbers(data: dict):
    """(suppress?, the numbers hidden): a region report always hides its small numbers;
    a school's or district's when the web route says its reader is outside the district
    (presentation.suppressed_for)."""
    suppress = presentation.suppress_small(data)
    return suppress, presentation.hidden_numbers(data, suppress=suppress)


def split_tables(data: dict) -> tuple[presentation.Table, list, list]:
    """(the effectiveness table, the whole scope's section tables, the per-unit tables)."""
    suppress, hidden = hidden_numbers(data)
    tables = presentation.tables(data, suppress_small=suppress, hidden=hidden)
    effectiveness = next(t for t in tables if t.key == "effectiveness")
    sections = [t for t in tables if t.key.startswith("section-")]
    units = [t for t in tables if t is not effectiveness and t not in sections]
    return effectiveness, sections, units


# --- PDF ----------------------------------------------------------------------------------


def page_counter() -> Markup:
    """CSS content for "Page N of M" in the current language, the translation's word
    order kept (counter(page) and counter(pages) where its placeholders are)."""
    text = _("Page %(page)s of %(pages)s", page="\x01", pages="\x02")
    parts = []
    for part in re.split("(\x01|\x02)", text):
        if part == "\x01":
            parts.append("counter(page)")
        elif part == "\x02":
            parts.append("counter(pages)")
        elif part:
            parts.append(str(pdf.css_string(part)))
    return Markup(" ".join(parts))


def pdf_context(report, data: dict, narrative: dict | None) -> dict:
    """Plain values for templates/reports/pdf/report.html, in the current language."""
    month = month_of(data)
    kind = data["scope"]["kind"]
    effectiveness, sections, units = split_tables(data)
    title, organisation, period = _("Monthly report"), presentation.name_of(data["scope"]), \
        period_label(month)
    return {
        "title": title, "kind_title": kind_title(kind),
        "footer": f"{title}: {organisation}, {period}",
        "header_right": f"{kind_title(kind)} · {period}",
        "organisation": organisation, "places": place_lines(data["scope"]),
        "period": period, "issued_on": today(), "status": status_text(report),
        "definitions_version": data.get("definitions_version"),
        "effectiveness": effectiveness, "sections": sections,
        "units": [line_table(table) for table in units],
        "charts": _charts(data),
        "narrative": narrative_of(narrative), "narrative_titles": narrative_titles(),
        "signer": str(SIGNERS[kind].label), "page_counter": page_counter(),
    }


# --- per-unit tables as aligned lines (the PDF) ---------------------------------------------
#
# A region report has a row per school (240 in Jambyl) in seven tables: laid out as HTML
# table cells, WeasyPrint needs about 0.7 ms per cell (30 s for the region), far over the
# 5 s the region's PDF may take. Each row is therefore set as one line of text whose
# columns are aligned by measuring the glyphs (DejaVu Sans, kerning off) and padding with
# fixed-width spaces: about ten times faster, and the same numbers.

FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
#: The font size of the lines and of their column headings (templates/reports/pdf/base.html).
LINE_PT, HEAD_PT = 7.5, 7.0
#: The width of a landscape A4 page between the margins (297 mm − 20 mm − 16 mm), in pt.
LINE_WIDTH_PT = 740.0
#: A block (title, headings and lines) fills at most a landscape page: 170 mm, less room
#: for the title (first block) or the "continued" line, and a margin; a line is 7.5 pt ×
#: 1.2. A table of several blocks starts each on a new page: letting WeasyPrint find
#: where they fit would lay every block out twice.
PAGE_PT, TITLE_PT, CONTINUED_PT, LINE_HEIGHT_PT, HEAD_LINE_PT = 481.9, 40.0, 16.0, 9.0, 9.1
SAFETY_PT = 16.0
#: Spaces of fixed widths, widest first: em, figure, en, punctuation, thin, hair.
PADDING = "\u2003\u2007\u2002\u2008\u2009\u200a"
#: The space between two columns, in font units (a figure's width in DejaVu Sans).
GAP = 1303


@cache
def _advances(bold: bool) -> tuple[dict, int]:
    from fontTools.ttLib import TTFont

    font = TTFont(pdf.STATIC_ROOT / "fonts" / FONT_FILES[bold], lazy=True)
    metrics, cmap = font["hmtx"], font.getBestCmap()
    return {code: metrics[glyph][0] for code, glyph in cmap.items()}, font["head"].unitsPerEm


def text_width(text: str, bold: bool = False) -> int:
    """The width of ``text`` in font units (no kerning, as the lines are set)."""
    advances, _em = _advances(bold)
    return sum(advances.get(ord(char), 1303) for char in text)


def _padding(units: int, bold: bool) -> tuple[str, int]:
    """Fixed-width spaces filling ``units`` (to within a hair space), and their width."""
    parts, used = [], 0
    for char in PADDING:
        width = text_width(char, bold)
        count, units = divmod(max(units, 0), width)
        parts.append(char * count)
        used += count * width
    return "".join(parts), used


def _line(name: str, cells: list[str], edges: list[int], numeric: list[bool],
          bold: bool) -> str:
    """One row: the name, then each cell right-aligned (a number) or left-aligned (a
    text) in its column; ``edges`` are the columns' right edges, so a padding's rounding
    never adds up along the line."""
    parts, x = [name], text_width(name, bold)
    start = edges[0]
    for text, edge, number in zip(cells, edges[1:], numeric, strict=True):
        width = text_width(text, bold)
        pad, used = _padding((edge - width if number else start + GAP) - x, bold)
        parts += [pad, text]
        x += used + width
        start = edge
    return "".join(parts)


def _fitted(text: str, width: int, bold: bool) -> str:
    """``text`` cut with an ellipsis to ``width`` font units."""
    while text and text_width(text, bold) > width:
        text = text[:-2] + "…"
    return text


def _pt(units: int, size: float = LINE_PT) -> float:
    return round(units * size / _advances(False)[1], 2)


def _head_width(label: str) -> int:
    """A heading's column width in the lines' font units: its longest word, and room for
    the heading in about three lines."""
    words = str(label).split()
    longest = max((text_width(word, True) for word in words), default=0)
    return int(max(longest, text_width(str(label), True) / 3) * HEAD_PT / LINE_PT) + GAP


def line_table(table: presentation.Table) -> dict:
    """A per-unit table as blocks of aligned lines: {"key", "title", "note", "width" (pt),
    "columns": [(heading, one-line heading, width in pt, numeric)],
    "blocks": [[(line, is_total)]], "paged" (several blocks: each on its own page)}."""
    labels = list(table.row_labels)
    last = len(table.rows) - 1
    cells = [[cell.text for cell in row] for row in table.rows]
    numeric = [any(row[i].value is not None or row[i].text in presentation.MARKERS
                   for row in table.rows) for i in range(len(table.columns))]
    widths = [max([_head_width(table.columns[i])] + [
        text_width(row[i], n == last) + GAP for n, row in enumerate(cells)])
        for i in range(len(table.columns))]
    room = int(LINE_WIDTH_PT / LINE_PT * _advances(False)[1]) - sum(widths)
    name_width = max(min(max(text_width(label, True) for label in labels) + GAP, room),
                     8 * GAP)
    edges = list(itertools.accumulate([name_width, *widths]))
    lines = [(_line(_fitted(label, name_width - GAP, n == last), row, edges, numeric,
                    n == last), n == last)
             for n, (label, row) in enumerate(zip(labels, cells, strict=True))]
    blocks = _blocks(lines, max(_heading_lines(label, width)
                                for label, width in zip(table.columns, widths, strict=True)))
    return {"key": table.key, "title": table.title, "note": table.note,
            "width": _pt(edges[-1]), "blocks": blocks, "paged": len(blocks) > 1,
            "columns": [_column(_label_header(table), name_width, False)] + [
                _column(label, width, number) for label, width, number in zip(
                    table.columns, widths, numeric, strict=True)]}


def _heading_lines(label: str, width: int) -> int:
    """About how many lines a heading wraps to in its column (one more, to be safe)."""
    room = max((width - GAP) * LINE_PT / HEAD_PT, 1)
    return int(text_width(str(label), True) // room) + 2


def _blocks(lines: list, heading_lines: int) -> list[list]:
    """The lines cut into blocks that each fit a page: the first under the title and the
    full headings, the others under one-line headings."""
    first = int((PAGE_PT - TITLE_PT - heading_lines * HEAD_LINE_PT - SAFETY_PT)
                // LINE_HEIGHT_PT)
    rest = int((PAGE_PT - CONTINUED_PT - HEAD_LINE_PT - SAFETY_PT) // LINE_HEIGHT_PT)
    blocks = [lines[:first]]
    blocks += [lines[i:i + rest] for i in range(first, len(lines), rest)]
    return blocks


def _column(label: str, width: int, numeric: bool) -> tuple[str, str, float, bool]:
    """(heading, the heading cut to one line for the blocks after the first, width in
    pt, numeric): a continuation block's one-line headings cost a third of the full ones'
    layout."""
    room = int((width - GAP) * LINE_PT / HEAD_PT)
    return str(label), _fitted(str(label), room, True), _pt(width), numeric


def _charts(data: dict) -> list[tuple[str, Markup]]:
    suppress, hidden = hidden_numbers(data)
    return [(str(series.get("title") or ""), charts.svg_chart(series))
            for series in presentation.chart_series(data, suppress_small=suppress,
                                                    hidden=hidden)]


def report_pdf(report, data: dict, narrative: dict | None, language: str) -> bytes:
    """The report as an A4 PDF in ``language`` ("kk" or "ru"). ``report`` (a
    MonthlyReport, or None outside the web) adds its status."""
    return pdf.render_pdf(PDF_TEMPLATE, language,
                          lambda: pdf_context(report, data, narrative))


# --- XLSX ---------------------------------------------------------------------------------

NUMBER_FORMATS = {"count": "#,##0", "share": "0.0%", "rate": "#,##0.00",
                  "number": "#,##0.00"}
STATUS_FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
SHEET_NAME_CHARS = 31


def report_xlsx(report, data: dict, narrative: dict | None, language: str) -> bytes:
    """The report as an XLSX workbook in ``language``: a first sheet with the header, the
    effectiveness indicators and the narrative, then one sheet per table."""
    from openpyxl import Workbook

    with force_locale(language):
        effectiveness, sections, units = split_tables(data)
        book = Workbook()
        _summary_sheet(book.active, report, data, narrative, effectiveness)
        names = {book.active.title}
        for number, table in enumerate(sections + units, start=2):
            sheet = book.create_sheet(_sheet_name(number, table.title, names))
            _table_sheet(sheet, table)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(number: int, title: str, taken: set) -> str:
    name = f"{number:02d} " + re.sub(r"[\[\]:*?/\\']", " ", str(title))
    name = name[:SHEET_NAME_CHARS].strip()
    taken.add(name)
    return name


def _bold(cell, size: int | None = None):
    from openpyxl.styles import Font

    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def _summary_sheet(sheet, report, data: dict, narrative: dict | None,
                   effectiveness: presentation.Table) -> None:
    from openpyxl.styles import Alignment

    sheet.title = _sheet_name(1, _("Report"), set())
    kind = data["scope"]["kind"]
    _bold(sheet.cell(1, 1, f"{_('Monthly report')}: {kind_title(kind)}"), 14)
    rows = [*place_lines(data["scope"]), (_("Period"), period_label(month_of(data)))]
    if status_text(report):
        rows.append((_("Status"), status_text(report)))
    rows.append((_("Definitions version"), data.get("definitions_version") or ""))
    line = 3
    for label, value in rows:
        _bold(sheet.cell(line, 1, label))
        sheet.cell(line, 2, value)
        line += 1
    line += 1
    _bold(sheet.cell(line, 1, effectiveness.title), 12)
    line = _write_table(sheet, effectiveness, line + 1) + 1
    if effectiveness.note:
        sheet.cell(line, 1, effectiveness.note)
        line += 2
    for name, title in narrative_titles().items():
        _bold(sheet.cell(line, 1, title), 12)
        cell = sheet.cell(line + 1, 1, narrative_of(narrative)[name] or "—")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=line + 1, start_column=1, end_row=line + 1,
                          end_column=1 + len(effectiveness.columns))
        line += 3
    _widths(sheet, effectiveness)


def _table_sheet(sheet, table: presentation.Table) -> None:
    _bold(sheet.cell(1, 1, table.title), 12)
    last = _write_table(sheet, table, 2)
    if table.note:
        sheet.cell(last + 1, 1, table.note)
    sheet.freeze_panes = "B3"
    _widths(sheet, table)


def _column_kinds(table: presentation.Table) -> list[str | None]:
    """The kind of each column's numbers (None: a text column)."""
    if table.key == "effectiveness":
        return ["effectiveness", None, None, None]
    if table.column_definitions:
        return [INDICATOR_BY_KEY[key].kind if key else None
                for key in table.column_definitions]
    return ["row"] * len(table.columns)


def _kind_of(table: presentation.Table, column_kind: str | None, row: int) -> str | None:
    if column_kind == "effectiveness":
        return EFFECTIVENESS_KINDS.get(table.row_definitions[row].removeprefix(
            "effectiveness-"), "number")
    if column_kind == "row":
        key = table.row_definitions[row] if row < len(table.row_definitions) else None
        indicator = INDICATOR_BY_KEY.get(key)
        return None if indicator is None else (
            "count" if indicator.kind == "breakdown" else indicator.kind)
    return column_kind


def _write_table(sheet, table: presentation.Table, first_row: int) -> int:
    """The table from ``first_row`` (its header row, bold); returns the last row written."""
    from openpyxl.styles import Alignment, PatternFill

    for column, title in enumerate([_label_header(table), *table.columns], start=1):
        _bold(sheet.cell(first_row, column, title)).alignment = Alignment(wrap_text=True,
                                                                           vertical="top")
    kinds = _column_kinds(table)
    row_number = first_row
    for index, (label, cells) in enumerate(zip(table.row_labels, table.rows, strict=True)):
        row_number = first_row + 1 + index
        sheet.cell(row_number, 1, label)
        for column, cell in enumerate(cells):
            kind = _kind_of(table, kinds[column] if column < len(kinds) else None, index)
            target = sheet.cell(row_number, column + 2)
            _write_cell(target, cell, kind)
            if cell.status in STATUS_FILLS:
                target.fill = PatternFill("solid", fgColor=STATUS_FILLS[cell.status])
    return row_number


def _label_header(table: presentation.Table) -> str:
    if table.key.startswith("districts-"):
        return _("District")
    if table.key.startswith("schools-"):
        return _("School")
    return _("Indicator")


def _write_cell(target, cell: presentation.Cell, kind: str | None) -> None:
    number = isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
    if number and kind in NUMBER_FORMATS:
        target.value = cell.value
        target.number_format = NUMBER_FORMATS[kind]
    elif cell.text:
        target.value = cell.text
    else:
        target.value = None


def _widths(sheet, table: presentation.Table) -> None:
    from openpyxl.utils import get_column_letter

    labels = [len(str(label)) for label in table.row_labels] or [10]
    sheet.column_dimensions["A"].width = min(60, max(14, max(labels) + 2))
    for column in range(2, len(table.columns) + 3):
        texts = [len(str(cell.value)) for row in sheet.iter_rows(min_col=column, max_col=column)
                 for cell in row if cell.value is not None and cell.row > 2]
        width = max([12, *[min(t + 2, 40) for t in texts]])
        sheet.column_dimensions[get_column_letter(column)].width = width
