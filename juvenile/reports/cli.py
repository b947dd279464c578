"""``flask --app juvenile report``: a monthly report written to a file, for automation.

    flask --app juvenile report --scope district:3 --month 2026-10 --format pdf \\
        --language kk --output district-3-2026-10.pdf

The scope is "region", "district:<id or code>" or "school:<id or code>". The numbers are
computed from the records now (as the draft shows them), with no narrative; JSON goes to
standard output when no --output is given. The JSON holds every number (it is the
computation itself); a region's PDF and XLSX hide small numbers as the region's report
does, a school's or district's only with --hide-small-numbers. A month that is not over
yet, a month before the programme, or an unknown scope is refused with exit code 2.
"""

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

FORMATS = ("pdf", "xlsx", "json")


def _parse_month(text: str) -> date:
    from juvenile.reports.services import parse_month

    month = parse_month(text.strip())
    if month is None:
        raise click.BadParameter(f"{text!r} is not a month written as YYYY-MM.",
                                 param_hint="--month")
    return month


def _lookup(model, ident: str) -> int | None:
    """The id of the district or organisation named by its id or its code."""
    from sqlalchemy import func, select

    from juvenile.extensions import db

    if ident.isdigit():
        return db.session.scalar(select(model.id).where(model.id == int(ident)))
    return db.session.scalar(select(model.id).where(
        func.upper(model.code) == ident.strip().upper()))


def resolve(text: str):
    """The Scope the option names, or click.BadParameter (exit code 2)."""
    from juvenile.accounts.models import District, Organisation
    from juvenile.reports import queries
    from juvenile.reports.indicators import Scope
    from juvenile.reports.models import ScopeKind

    kind, _, ident = text.strip().partition(":")
    if kind == ScopeKind.REGION.value and not ident:
        return Scope(ScopeKind.REGION)
    models = {ScopeKind.DISTRICT.value: District, ScopeKind.SCHOOL.value: Organisation}
    if kind not in models or not ident:
        raise click.BadParameter(f"{text!r}: write region, district:<id or code> or "
                                 "school:<id or code>.", param_hint="--scope")
    found = _lookup(models[kind], ident)
    scope = Scope(ScopeKind(kind), found) if found is not None else None
    if scope is None or queries.resolve_scope(scope) is None:
        raise click.BadParameter(f"{text!r}: no such {kind} (a school or college for "
                                 "school:).", param_hint="--scope")
    return scope


def _check_month(month: date) -> None:
    from juvenile.cases.dates import today
    from juvenile.reports.services import PROGRAMME_START, month_is_over

    if month < PROGRAMME_START:
        raise click.BadParameter(f"{month:%Y-%m} is before the programme's first month "
                                 f"({PROGRAMME_START:%Y-%m}).", param_hint="--month")
    if not month_is_over(month, today()):
        raise click.BadParameter(f"{month:%Y-%m} is not over yet: its report is made from "
                                 "the first day of the next month.", param_hint="--month")


def _output(report_format: str, data: dict, language: str, hide_small: bool) -> bytes | str:
    from flask import current_app

    from juvenile.reports import outputs, presentation

    if report_format == "json":
        return outputs.report_json(data)
    # The templates' context processors (navigation, the signed-in user) need a request.
    with current_app.test_request_context(), presentation.suppressed_for(hide_small):
        if report_format == "pdf":
            return outputs.report_pdf(None, data, None, language)
        return outputs.report_xlsx(None, data, None, language)


@click.command("report")
@click.option("--scope", "scope_text", required=True,
              help='"region", "district:<id or code>" or "school:<id or code>".')
@click.option("--month", "month_text", required=True, help="The month, YYYY-MM.")
@click.option("--format", "report_format", type=click.Choice(FORMATS), default="json",
              show_default=True)
@click.option("--language", type=click.Choice(("kk", "ru")), default="kk", show_default=True,
              help="The language of a PDF or XLSX.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              default=None, help="The file to write; JSON goes to standard output without it.")
@click.option("--hide-small-numbers", "hide_small", is_flag=True,
              help="Show a school's counts from 1 to 4 as \"<5\" in a school's or district's "
                   "PDF or XLSX too (a region's always are): for a file leaving the district.")
@with_appcontext
def report_command(scope_text: str, month_text: str, report_format: str, language: str,
                   output: Path | None, hide_small: bool) -> None:
    """Write the monthly report of a scope and month as PDF, XLSX or JSON."""
    from juvenile.reports.indicators import compute

    month = _parse_month(month_text)
    if output is None and report_format != "json":
        raise click.UsageError(f"--output is required for --format {report_format}.")
    scope = resolve(scope_text)
    _check_month(month)
    result = _output(report_format, compute(scope, month), language, hide_small)
    if output is None:
        click.echo(result)
        return
    if isinstance(result, str):
        output.write_text(result + "\n", encoding="utf-8")
    else:
        output.write_bytes(result)
    click.echo(f"{scope.key} {month:%Y-%m}: {report_format.upper()} written to {output}",
               err=True)
