"""The monthly report as PDF, XLSX and JSON, from the hand-computed region of October 2026
(tests/reports_region.py; its numbers in tests/test_indicators.py)."""

import contextlib
import json
import re
import zlib
from html import unescape
from io import BytesIO

import pytest
from flask_babel import force_locale, format_decimal, format_percent, gettext
from openpyxl import load_workbook

from juvenile import pdf
from juvenile.reports import outputs, presentation
from juvenile.reports.indicators import Scope, compute
from juvenile.reports.models import ScopeKind
from juvenile.reports.presentation import SUPPRESSED
from tests.reports_region import MONTH, build_report_region

KAZAKH_LETTERS = "әғқңөұүһі"
KAZAKH_TEXT = "Әсем ғылым қалың өмір ұлы үміт һәм іні; ӘҒҚҢӨҰҮҺІ"
NARRATIVE = {"work_done": KAZAKH_TEXT, "problems": "Мектепте психолог жетіспейді.",
             "proposals": "Қосымша маман бөлу."}


@pytest.fixture
def region(db, world):
    return build_report_region(db, world)


def _scope(region, unit: str) -> Scope:
    if unit == "region":
        return Scope(ScopeKind.REGION)
    if unit in ("D1", "D2"):
        return Scope(ScopeKind.DISTRICT, region.district(unit).id)
    return Scope(ScopeKind.SCHOOL, region.org(unit).id)


def _t(app, language: str, message: str, **values) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def _in(app, language: str, fn, *args):
    with app.test_request_context(), force_locale(language):
        return fn(*args)


def _texts(box):
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def _document(app, data: dict, language: str, narrative=None, report=None):
    """The laid-out PDF document (WeasyPrint) and its text, page by page (page margins
    included: the header, the footer and the page numbers)."""
    with app.test_request_context():
        html = pdf.render_html(outputs.PDF_TEMPLATE, language,
                               lambda: outputs.pdf_context(report, data, narrative))
        document = pdf.html_document(html)
    pages = [" ".join(_texts(page._page_box)) for page in document.pages]
    return html, document, pages


def _inflated(data: bytes) -> bytes:
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(match.group(1)))
    return b"\n".join(chunks)


# --- PDF ----------------------------------------------------------------------------------


def test_the_district_pdf_in_kazakh_holds_the_numbers_period_and_pages(app, region):
    data = compute(_scope(region, "D1"), MONTH)
    html, document, pages = _document(app, data, "kk", NARRATIVE)
    text = "\n".join(pages)
    assert "{{" not in html and "{%" not in html
    for letter in KAZAKH_LETTERS + KAZAKH_LETTERS.upper():
        assert letter in text, letter
    assert "Қазан 2026" in text  # October 2026 in Kazakh
    assert "Бірінші аудан" in text and "Облыс" in text  # the district and the region
    # D1 by hand: repeat offending 4 per 6 minors = 66.67 per 100, coverage 2 of 6,
    # involvement 2 of 4 (tests/test_indicators.py).
    assert _in(app, "kk", format_decimal, 66.6667, "#,##0.##") in text
    assert _in(app, "kk", format_percent, 0.3333, "#,##0.0%") in text
    assert _t(app, "kk", "%(n)s of %(d)s", n=2, d=6) in text
    assert _t(app, "kk", "%(n)s of %(d)s", n=2, d=4) in text
    # Every page is numbered "page N of M" in Kazakh word order.
    total = len(document.pages)
    assert total > 1
    for number, page in enumerate(pages, start=1):
        assert _t(app, "kk", "Page %(page)s of %(pages)s", page=number, pages=total) in page
    # The narrative and the coordinator's signature block.
    assert "Қосымша маман бөлу." in text
    assert _t(app, "kk", "District education coordinator") in pages[-1]
    assert _t(app, "kk", "signature") in pages[-1]
    # Aggregates only: no minor's name reaches the document.
    assert "Оқушы" not in text


def test_the_pdf_follows_the_language_asked(app, region):
    data = compute(_scope(region, "school1"), MONTH)
    _html, _doc, pages = _document(app, data, "ru", NARRATIVE)
    text = "\n".join(pages)
    assert "Октябрь 2026" in text and "Қазан 2026" not in text
    assert "school1 (ru)" in text and "Первый район" in text
    assert _t(app, "ru", "Deputy head for upbringing") in pages[-1]
    assert _t(app, "ru", "Page %(page)s of %(pages)s", page=1, pages=len(pages)) in pages[0]


def _row_cells(html: str, table_key: str, label: str) -> list[str]:
    """The cells of the row ``label`` of a per-unit table (``table-<table_key>``), as the
    PDF sets it: one line, its columns aligned with fixed-width spaces."""
    section = html[html.index(f'id="table-{table_key}"'):]
    section = section[:section.index("</section>")]
    lines = re.findall(r'<pre class="unit-lines">(.*?)</pre>', section, re.S)
    for line in "\n".join(lines).split("\n"):
        line = unescape(re.sub(r"</?b>", "", line))
        if line.startswith(label):
            return re.split(f"[{outputs.PADDING}]+", line[len(label):].strip(outputs.PADDING))
    raise AssertionError((table_key, label))


def _presented(app, data: dict, key: str, language: str = "kk") -> dict:
    """Row label -> the cells of a table as juvenile.reports.presentation makes it (with
    the small-numbers rule the output applies)."""
    with app.test_request_context(), force_locale(language):
        suppress = presentation.suppress_small(data)
        table = next(t for t in presentation.tables(data, suppress_small=suppress)
                     if t.key == key)
    return {label: row for label, row in zip(table.row_labels, table.rows, strict=True)}


def test_the_region_pdf_sets_every_row_as_presented_small_numbers_hidden(app, region):
    data = compute(_scope(region, "region"), MONTH)
    html, _doc, pages = _document(app, data, "kk")
    assert SUPPRESSED in "\n".join(pages)
    assert _t(app, "kk", "Regional methodologist") in pages[-1]
    for key in ("schools-programme", "districts-programme", "schools-work"):
        for label, row in _presented(app, data, key).items():
            cells = _row_cells(html, key, label)
            assert cells == [cell.text for cell in row if cell.text], (key, label)
    # school1 has 3 minors in the programme: "<5"; the region's own total is shown.
    assert _row_cells(html, "schools-programme", "school1 (kk)")[1] == SUPPRESSED
    total = _t(app, "kk", "Total: %(scope)s", scope="Облыс")
    assert _row_cells(html, "schools-programme", total)[0] == "7"


def test_a_district_report_leaving_the_district_hides_small_numbers(
        app, client, region, login_as):
    """The methodologist reads D1 from outside the district: the download hides what the
    page hides for them; the district's coordinator gets every number."""
    url = f"/reports/district:{region.district('D1').id}/2026-10/report.xlsx?lang=kk"
    title = _t(app, "kk", "By school: %(section)s",
               section=_t(app, "kk", "Minors in the programme"))
    found = {}
    for role in ("methodologist", "district_coordinator"):
        login_as(role)
        book = load_workbook(BytesIO(client.get(url).data))
        sheet = next(s for s in book.worksheets if s.cell(1, 1).value == title)
        found[role] = _rows(sheet)["school1 (kk)"][0].value
        client.post("/logout")
    assert found == {"methodologist": SUPPRESSED, "district_coordinator": 3}


def test_nothing_overflows_the_page(app, region):
    """Wide per-school tables go on landscape pages and wrap their headings."""
    for unit in ("D1", "region"):
        _html, document, _pages = _document(app, compute(_scope(region, unit), MONTH), "kk")
        for page in document.pages:
            box = page._page_box
            right = box.margin_width() - box.margin_right - box.padding_right
            for child in _boxes(box):
                if child is box or not hasattr(child, "margin_width"):
                    continue
                assert child.position_x + child.margin_width() <= right + 1, (unit, child)


def test_the_pdf_embeds_only_the_static_fonts_and_draws_the_charts(app, region):
    data = compute(_scope(region, "D1"), MONTH)
    with app.test_request_context():
        made = outputs.report_pdf(None, data, NARRATIVE, "kk")
    assert made.startswith(b"%PDF-")
    inflated = _inflated(made)
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", inflated))
    assert fonts == {b"Juvenile-Sans", b"Juvenile-Sans-Bold"}, fonts
    html, _doc, pages = _document(app, data, "kk")
    assert html.count('role="img"') >= 9  # every chart of chart_series, inline
    # A chart's labels are text in the PDF (the target groups' breakdown, in Kazakh).
    assert "Суицидке әрекет жасаған" in "\n".join(pages)


def test_the_report_page_downloads_the_pdf_and_xlsx(app, client, region, login_as):
    login_as("district_coordinator")
    district = region.district("D1").id
    response = client.get(f"/reports/district:{district}/2026-10/report.pdf?lang=kk")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    response = client.get(f"/reports/district:{district}/2026-10/report.xlsx?lang=ru")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert "Октябрь 2026" in [c.value for row in book.worksheets[0].iter_rows() for c in row]


# --- XLSX ---------------------------------------------------------------------------------


def _xlsx(app, data: dict, language: str = "kk", narrative=None):
    with app.test_request_context():
        made = outputs.report_xlsx(None, data, narrative, language)
    return load_workbook(BytesIO(made))


def _rows(sheet) -> dict:
    """Row label (first column) -> the row's other cells (openpyxl cells)."""
    return {row[0].value: row[1:] for row in sheet.iter_rows(min_row=3) if row[0].value}


def _sheet(app, book, title: str, section: str | None = None, language: str = "kk"):
    """The sheet whose title (its first cell) is ``title``, or a per-unit table's title
    for ``section``."""
    wanted = (_t(app, language, title) if section is None else
              _t(app, language, title, section=_t(app, language, section)))
    return next(s for s in book.worksheets if s.cell(1, 1).value == wanted)


def test_the_xlsx_holds_the_numbers_as_numbers(app, region):
    book = _xlsx(app, compute(_scope(region, "D1"), MONTH), narrative=NARRATIVE)
    summary = book.worksheets[0]
    cells = [c.value for row in summary.iter_rows() for c in row]
    assert "Қазан 2026" in cells and KAZAKH_TEXT in cells
    coverage = _rows(summary)[_t(app, "kk", "Coverage of identified at-risk minors by the "
                                             "programme")]
    assert coverage[0].value == pytest.approx(0.3333) and coverage[0].number_format == "0.0%"
    status = coverage[3]  # red: far below 90%
    assert status.value == _t(app, "kk", "target not met")
    assert status.fill.fgColor.rgb.endswith("FFC7CE")
    programme = _rows(_sheet(app, book, "Minors in the programme"))
    in_programme = programme[_t(app, "kk", "In the programme at the month's end")][0]
    assert in_programme.value == 4 and isinstance(in_programme.value, int)
    schools = _sheet(app, book, "By school: %(section)s", "Work of the programme")
    rows = _rows(schools)
    header = [c.value for c in schools[2]]
    sessions = header.index(_t(app, "kk", "Sessions held"))
    assert rows["school1 (kk)"][sessions - 1].value == 7
    assert rows[_t(app, "kk", "Total: %(scope)s", scope="Бірінші аудан")][sessions - 1].value == 9
    # Bold headers, frozen header row and label column, widths set.
    assert schools.cell(2, 2).font.b and schools.freeze_panes == "B3"
    assert schools.column_dimensions["A"].width >= 14


def test_the_region_xlsx_writes_hidden_counts_as_text_and_the_rest_as_numbers(app, region):
    data = compute(_scope(region, "region"), MONTH)
    book = _xlsx(app, data)
    for key, section in (("schools-programme", "Minors in the programme"),
                         ("districts-work", "Work of the programme")):
        title = "By school: %(section)s" if key.startswith("schools") else \
            "By district: %(section)s"
        rows = _rows(_sheet(app, book, title, section))
        for label, row in _presented(app, data, key).items():
            for written, cell in zip(rows[label], row, strict=False):
                if cell.value is not None:  # a number, written as one
                    assert written.value == cell.value, (key, label)
                    assert isinstance(written.value, int | float)
                elif cell.text in presentation.MARKERS:
                    assert written.value == cell.text, (key, label)
    rows = _rows(_sheet(app, book, "By school: %(section)s", "Minors in the programme"))
    header = [c.value for c in _sheet(app, book, "By school: %(section)s",
                                      "Minors in the programme")[2]]
    column = header.index(_t(app, "kk", "In the programme at the month's end")) - 1
    assert rows["school1 (kk)"][column].value == SUPPRESSED  # 3: hidden, as text
    assert rows["college1 (kk)"][column].value == 0  # 0 is always shown
    assert rows[_t(app, "kk", "Total: %(scope)s", scope="Облыс")][column].value == 7


def test_the_xlsx_sheet_names_are_valid_and_unique(app, region):
    book = _xlsx(app, compute(_scope(region, "region"), MONTH), "ru")
    names = book.sheetnames
    assert len(names) == len(set(names)) and all(len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")


# --- JSON ---------------------------------------------------------------------------------


def test_the_json_is_the_computed_data(app, region):
    data = compute(_scope(region, "school1"), MONTH)
    text = outputs.report_json(data)
    assert json.loads(text) == json.loads(json.dumps(data))
    assert "school1 (kk)" in text  # not \u-escaped
