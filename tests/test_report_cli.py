"""``flask --app juvenile report``: each format written, bad input refused (exit code 2)."""

import json
from io import BytesIO

import pytest
from openpyxl import load_workbook

from juvenile.cases.dates import today
from juvenile.reports.indicators import Scope, compute
from juvenile.reports.models import ScopeKind
from tests.reports_region import MONTH, build_report_region


@pytest.fixture
def region(db, world):
    return build_report_region(db, world)


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["report", *args])

    return invoke


def test_json_goes_to_standard_output(run, region):
    result = run("--scope", f"district:{region.district('D1').id}", "--month", "2026-10",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(compute(
        Scope(ScopeKind.DISTRICT, region.district("D1").id), MONTH)))
    assert data["values"]["in_programme"] == 4 and data["values"]["sessions"] == 9


def test_a_scope_by_its_code(run, region, tmp_path):
    target = tmp_path / "school1.json"
    result = run("--scope", "school:school1", "--month", "2026-10", "--output", str(target))
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["scope"]["name_kk"] == "school1 (kk)"
    assert data["values"]["in_programme"] == 3
    result = run("--scope", "district:d2", "--month", "2026-10")
    assert json.loads(result.stdout)["values"]["in_programme"] == 3


def test_the_region_pdf_is_written(run, region, tmp_path):
    target = tmp_path / "region.pdf"
    result = run("--scope", "region", "--month", "2026-10", "--format", "pdf",
                 "--language", "ru", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")
    assert str(target) in result.output


def test_the_xlsx_is_written_with_numbers(run, region, tmp_path):
    target = tmp_path / "d1.xlsx"
    result = run("--scope", f"district:{region.district('D1').id}", "--month", "2026-10",
                 "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0, result.output
    book = load_workbook(BytesIO(target.read_bytes()))
    values = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert "Қазан 2026" in values
    assert 9 in values  # the district's sessions, a number


def test_small_numbers_are_hidden_on_request(run, region, tmp_path):
    def school1_in_programme(*flags) -> object:
        target = tmp_path / "d1.xlsx"
        result = run("--scope", "district:D1", "--month", "2026-10", "--format", "xlsx",
                     "--output", str(target), *flags)
        assert result.exit_code == 0, result.output
        book = load_workbook(BytesIO(target.read_bytes()))
        rows = [[c.value for c in row] for sheet in book.worksheets
                for row in sheet.iter_rows()]
        return next(row[1] for row in rows if row[0] == "school1 (kk)")

    assert school1_in_programme() == 3
    assert school1_in_programme("--hide-small-numbers") == "<5"


@pytest.mark.parametrize(("args", "message"), [
    (("--scope", "district:9999", "--month", "2026-10"), "no such district"),
    (("--scope", "school:edu1", "--month", "2026-10"), "no such school"),
    (("--scope", "planet", "--month", "2026-10"), "write region"),
    (("--scope", "region", "--month", "2026-13"), "not a month"),
    (("--scope", "region", "--month", "2025-12"), "before the programme"),
    (("--scope", "region", "--month", "2026-10", "--format", "pdf"), "--output is required"),
])
def test_bad_input_is_refused_with_exit_code_2(run, world, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_month_not_over_is_refused(app, run, world, tmp_path):
    with app.test_request_context():
        running = f"{today():%Y-%m}"
    target = tmp_path / "now.json"
    result = run("--scope", "region", "--month", running, "--output", str(target))
    assert result.exit_code == 2
    assert "is not over yet" in result.output
    assert not target.exists()
