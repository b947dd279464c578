"""The monthly reports: the index of the user's scope, a report of a scope and month
(numbers, charts, narrative, submissions), its narrative, submission, the commission's
decision, a recomputation, every submitted version, the PDF and XLSX downloads; the
repeat-offending baselines.

Who sees what is decided by juvenile.reports.services (may_view, may_write, may_review):
a report out of the user's scope answers 404; a report the user reads but does not
write or decide on shows why instead of a form. A reader outside the report's district
gets its small numbers hidden (presentation.suppress_small) on the page, in the
downloads and on the recomputation; a returned report shows anyone but its writer what
was submitted.
"""

import re
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from forms.reports import BaselineForm, DecisionForm, NarrativeForm, SubmitReportForm
from juvenile import pdf
from juvenile.access import allow, get_or_404
from juvenile.accounts.models import Role
from juvenile.cases.dates import today
from juvenile.extensions import db
from juvenile.pagination import Page
from juvenile.reports import indicators, presentation, queries, services
from juvenile.reports.models import Decision, MonthlyReport, ReportStatus, ScopeKind
from juvenile.reports.services import month_key, month_label
from juvenile.viewhelpers import page_number, save

bp = Blueprint("reports", __name__)

MONTHS_PER_PAGE = 12
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FROZEN = frozenset({ReportStatus.SUBMITTED.value, ReportStatus.ACCEPTED.value})
#: A scope as URLs name it: "region", "district:<id>", "school:<id>" (ASCII digits).
SCOPE_TEXT = re.compile(r"region|(?:school|district):[1-9][0-9]{0,9}")


def _status_word(status: str | None) -> str:
    words = {"green": _("target met"), "amber": _("close to the target"),
             "red": _("target not met"), "none": _("no data")}
    return words.get(status or "none", words["none"])


# --- the index -----------------------------------------------------------------------


@bp.route("/reports/")
@allow("view_reports")
def index():
    user = current_user
    if user.role_enum is Role.COMMISSION_MEMBER:
        return _commission_index()
    scope = services.own_scope(user)
    place = queries.resolve_scope(scope) if scope else None
    if place is None:
        abort(404)
    months = services.months_back(today())
    page = min(page_number(), max(1, -(-len(months) // MONTHS_PER_PAGE)))
    shown = months[(page - 1) * MONTHS_PER_PAGE:page * MONTHS_PER_PAGE]
    month_page = Page(items=queries.month_rows(scope.key, shown), total=len(months),
                      page=page, per_page=MONTHS_PER_PAGE)
    units = selected = None
    if scope.kind is not ScopeKind.SCHOOL:
        selected = _selected_month(months)
        units = queries.unit_rows(scope, selected, _units_page(),
                                  current_app.config["LIST_PAGE_SIZE"])
    return render_template("reports/index.html", place=place, months=month_page, units=units,
                           selected=selected, month_key=month_key, month_label=month_label,
                           may_enter_baselines=user.role_enum in {
                               Role.DISTRICT_COORDINATOR, Role.METHODOLOGIST})


def _selected_month(months: list[date]) -> date:
    chosen = services.parse_month(request.args.get("month", ""))
    if chosen in months:
        return chosen
    return services.last_finished_month(today()) if len(months) > 1 else months[0]


def _units_page() -> int:
    return max(request.args.get("units_page", 1, type=int), 1)


def _commission_index():
    status = request.args.get("status", "")
    if status not in {s.value for s in ReportStatus} - {ReportStatus.DRAFT.value}:
        status = ""
    reports = queries.commission_reports(current_user, status or None, page_number(),
                                         current_app.config["LIST_PAGE_SIZE"])
    statuses = [s for s in ReportStatus if s is not ReportStatus.DRAFT]
    return render_template("reports/index_commission.html", reports=reports, status=status,
                           statuses=statuses, month_key=month_key, month_label=month_label)


# --- loading -------------------------------------------------------------------------


def _place_and_month(report_scope: str, report_month: str) -> tuple[queries.Place, date]:
    """The scope and month the URL names, or 404 (unknown scope, malformed or future
    month)."""
    scope = _parsed_scope(report_scope)
    month = services.parse_month(report_month)
    if month is None or month > today().replace(day=1) or month < services.PROGRAMME_START:
        abort(404)
    place = queries.resolve_scope(scope)
    if place is None:
        abort(404)
    return place, month


def _parsed_scope(text: str) -> indicators.Scope:
    """The scope a URL names, or 404 (an unknown kind, an id that no record can have)."""
    if not SCOPE_TEXT.fullmatch(text or ""):
        abort(404)
    scope = indicators.Scope.parse(text)
    if scope.id is not None and scope.id > queries.MAX_ID:
        abort(404)
    return scope


def _opened(report_scope: str, report_month: str) -> tuple[queries.Place, MonthlyReport]:
    """The report of the URL's scope and month, made a draft at its writer's first
    opening; 404 when the user may not read it."""
    place, month = _place_and_month(report_scope, report_month)
    try:
        report = services.open_report(current_user, place, month)
        db.session.commit()
    except IntegrityError:  # two first openings at once: the other one made it
        db.session.rollback()
        report = queries.find_report(place.scope.key, month)
    if report is None or not services.may_view(current_user, report):
        abort(404)
    return place, report


def _loaded(report_id: int, action: str = "view") -> tuple[queries.Place, MonthlyReport]:
    report = get_or_404(MonthlyReport, report_id, current_user, action)
    place = queries.resolve_scope(services.scope_of(report))
    if place is None:
        abort(404)
    return place, report


def _report_url(report: MonthlyReport) -> str:
    return url_for("reports.report", report_scope=report.scope_key,
                   report_month=month_key(report.month))


# --- what a report shows -------------------------------------------------------------


def _narrative(report: MonthlyReport) -> dict:
    return {name: getattr(report, name) or "" for name in services.NARRATIVE_FIELDS}


def _shown(report: MonthlyReport):
    """(data, narrative, the submission shown or None): a submitted or accepted report
    shows its latest submission, frozen; so does a returned one to anyone but its writer
    (what the commission received, not a correction still being written). A draft, and a
    returned report to its writer, are computed now."""
    frozen = report.status in FROZEN or (report.status == ReportStatus.RETURNED.value
                                         and not services.may_write(current_user, report))
    if report.id is not None and frozen:
        latest = queries.latest_submission(report.id)
        if latest is not None:
            return latest.snapshot, latest.narrative, latest
    return services.computed(report, today()), _narrative(report), None


def _suppressed(data: dict) -> bool:
    """Whether the reader gets the report with its small numbers hidden (it leaves the
    district: presentation.suppress_small)."""
    return presentation.suppress_small(data, current_user)


def _rendered(data: dict) -> dict:
    """The tables, charts and effectiveness block of the data (the presentation module's
    tables: the same as the PDF and the XLSX), small numbers hidden from a reader outside
    the district."""
    from juvenile.reports import charts

    suppress = _suppressed(data)
    hidden = presentation.hidden_numbers(data, suppress=suppress)
    tables = presentation.tables(data, suppress_small=suppress, hidden=hidden)
    effectiveness, shown_tables = _effectiveness(tables, data)
    return {"tables": shown_tables, "effectiveness": effectiveness,
            "charts": [(series.get("title", ""), charts.svg_chart(series))
                       for series in presentation.chart_series(data, suppress_small=suppress,
                                                               hidden=hidden)]}


def _effectiveness(tables: list, data: dict) -> tuple[list[dict], list]:
    """The five effectiveness indicators as the effectiveness table prints them (value,
    target, what it is compared with, status), and the other tables."""
    table = next((t for t in tables if t.key == "effectiveness"), None)
    printed = dict(zip(table.row_labels, table.rows, strict=False)) if table else {}
    values = data.get("effectiveness") or {}
    rows = []
    for item in indicators.EFFECTIVENESS:
        entry = values.get(item.key) or {}
        status = entry.get("status") or "none"
        cells = printed.get(str(item.label)) or []
        texts = [cell.text for cell in cells if not getattr(cell, "status", None)]
        word = next((cell.text for cell in cells if getattr(cell, "status", None)), None)
        rows.append({"key": item.key, "label": str(item.label), "status": status,
                     "value": texts[0] if texts else _plain(entry.get("value")),
                     "target": texts[1] if len(texts) > 1 else str(item.target_text),
                     "compared": texts[2] if len(texts) > 2 else "",
                     "status_word": word or _status_word(status)})
    return rows, [t for t in tables if t is not table]


def _plain(value) -> str:
    from flask_babel import format_decimal

    if value is None:
        return "—"
    return format_decimal(value, "#,##0.##")


def _page(place, report, *, submission_form=None, decision_form=None, version=None):
    """The report page: the current report, or one submitted version (``version``). A form
    posted and refused comes back with its messages (shown even when the user may not
    use the form: that is what the messages say)."""
    posted = submission_form or decision_form
    data, narrative, shown = ((version.snapshot, version.narrative, version)
                              if version is not None else _shown(report))
    current, saved = version is None, report.id is not None
    writing = (current and saved and services.may_write(current_user, report)
               and report.status in services.EDITABLE)
    deciding = (current and services.may_review(current_user, report)
                and report.status == ReportStatus.SUBMITTED.value)
    return render_template(
        "reports/report.html", place=place, report=report, period=month_label(report.month),
        month_key=month_key(report.month), data=data, narrative=narrative, shown=shown,
        history=queries.submissions(report.id) if saved else [],
        status_label=ReportStatus(report.status).label, editable=writing,
        submission_form=(submission_form or SubmitReportForm(data={"version": report.version}))
        if writing else None,
        decision_form=(decision_form or DecisionForm(data={"version": report.version}))
        if deciding else None,
        writer_label=services.writer_label(report),
        refusals=list(posted.form_errors) if posted is not None else [],
        languages=current_app.config["LANGUAGES"], shown_is_version=version is not None,
        kind_title=_kind_title(report), shown_decision=_decision_label(shown),
        submit_from=None if services.month_is_over(report.month, today())
        else format_date(services.next_month(report.month), "long"),
        **_rendered(data))


def _kind_title(report: MonthlyReport) -> str:
    return {ScopeKind.SCHOOL.value: _("School report"),
            ScopeKind.DISTRICT.value: _("District report"),
            ScopeKind.REGION.value: _("Region report")}[report.scope_kind]


def _decision_label(shown) -> str:
    return Decision(shown.decision).label if shown is not None and shown.decision else ""


@bp.route("/reports/<report_scope>/<report_month>")
@allow("view_reports")
def report(report_scope: str, report_month: str):
    place, report = _opened(report_scope, report_month)
    return _page(place, report)


# --- the narrative, submission, decision ----------------------------------------------


@bp.route("/reports/<int:report_id>/narrative", methods=["GET", "POST"])
@allow("write_reports")
def edit_narrative(report_id: int):
    place, report = _loaded(report_id)
    form = (NarrativeForm(data=_narrative(report) | {"version": report.version})
            if request.method == "GET" else NarrativeForm())
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_narrative(
            current_user, report, {name: getattr(form, name).data
                                   for name in services.NARRATIVE_FIELDS},
            form.expected_version()), _changed_meanwhile)
        if saved:
            flash(_("The narrative is saved."), "success")
            return redirect(_report_url(report))
        db.session.refresh(report)
    return render_template("reports/narrative.html", form=form, place=place, report=report,
                           period=month_label(report.month), refusal=_edit_refusal(report),
                           report_url=_report_url(report))


def _changed_meanwhile() -> str:
    return _("The report was changed meanwhile: open it again to see its current text.")


def _edit_refusal(report: MonthlyReport) -> str | None:
    """Why the user cannot edit the narrative now (None when they can)."""
    if not services.may_write(current_user, report):
        return _("This report is written by %(who)s.", who=services.writer_label(report))
    if report.status not in services.EDITABLE:
        return _("The report is %(status)s: it can be changed only as a draft or after the "
                 "commission returns it.", status=ReportStatus(report.status).label)
    return None


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@allow("write_reports")
def submit(report_id: int):
    place, report = _loaded(report_id)
    form = SubmitReportForm()
    if form.validate_on_submit():
        submission, saved = save(form, lambda: services.submit_report(
            current_user, report, form.expected_version(), today()), _changed_meanwhile)
        if saved:
            flash(_("The report is submitted to the commission (version %(n)s).",
                    n=submission.number), "success")
            return redirect(_report_url(report))
        db.session.refresh(report)
    return _page(place, report, submission_form=form), 200


@bp.route("/reports/<int:report_id>/decision", methods=["POST"])
@allow("review_reports")
def decide(report_id: int):
    place, report = _loaded(report_id)
    form = DecisionForm()
    if form.validate_on_submit():
        decision = form.decision()
        if decision is None:
            form.form_errors.append(_("Accept the report or return it for correction."))
        else:
            _result, saved = save(form, lambda: services.decide_report(
                current_user, report, decision, form.comment.data, form.expected_version()),
                _changed_meanwhile)
            if saved:
                flash(_("The report is accepted.") if decision == "accepted"
                      else _("The report is returned for correction."), "success")
                return redirect(_report_url(report))
            db.session.refresh(report)
    return _page(place, report, decision_form=form), 200


# --- versions and recomputation ------------------------------------------------------


def _version(report: MonthlyReport, number: int):
    found = queries.submission(report.id, number)
    if found is None:
        abort(404)
    return found


@bp.route("/reports/<int:report_id>/submissions/<int:submission_number>")
@allow("view_reports")
def submission(report_id: int, submission_number: int):
    place, report = _loaded(report_id)
    return _page(place, report, version=_version(report, submission_number))


@bp.route("/reports/<int:report_id>/recompute")
@allow("view_reports")
def recompute(report_id: int):
    place, report = _loaded(report_id)
    latest = queries.latest_submission(report.id)
    if latest is None:
        flash(_("The report has not been submitted: its numbers are computed anew on every "
                "opening."), "info")
        return redirect(_report_url(report))
    now = services.computed(report, today())
    suppress = _suppressed(latest.snapshot)
    differences = services.differences(latest.snapshot, now, place.name, suppress=suppress)
    return render_template("reports/recompute.html", place=place, report=report,
                           period=month_label(report.month), submission=latest,
                           differences=[_formatted(d) for d in differences],
                           suppressed=suppress,
                           definitions_changed=(latest.definitions_version
                                                != indicators.DEFINITIONS_VERSION),
                           definitions_version=indicators.DEFINITIONS_VERSION,
                           report_url=_report_url(report))


def _formatted(difference: services.Difference) -> dict:
    return {"indicator": difference.indicator, "unit": difference.unit,
            "submitted": _format_value(difference.submitted, difference.kind),
            "now": _format_value(difference.now, difference.kind)}


def _format_value(value, kind: str) -> str:
    from flask_babel import format_number, format_percent

    if value is None:
        return "—"
    if isinstance(value, str):  # a hidden number's marker
        return value
    if isinstance(value, dict):
        return ", ".join(f"{code}: {format_number(n)}" for code, n in value.items())
    if kind == "share":
        return format_percent(value, "#,##0.0%")
    if isinstance(value, int):
        return format_number(value)
    return _plain(value)


# --- downloads -----------------------------------------------------------------------


def _filename(report: MonthlyReport, language: str, extension: str, number=None) -> str:
    suffix = f"-v{number}" if number else ""
    return (f"report-{report.scope_key.replace(':', '-')}-{month_key(report.month)}"
            f"{suffix}-{language}.{extension}")


def _xlsx_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(report: MonthlyReport, data: dict, narrative: dict, extension: str,
              number: int | None = None) -> Response:
    from juvenile.reports import outputs

    language = pdf.document_language()
    filename = _filename(report, language, extension, number)
    # The documents hide what the page hides from this reader (outputs asks
    # presentation.suppress_small(data), which suppressed_for answers).
    with presentation.suppressed_for(_suppressed(data)):
        if extension == "pdf":
            return pdf.pdf_response(outputs.report_pdf(report, data, narrative, language),
                                    filename)
        return _xlsx_response(outputs.report_xlsx(report, data, narrative, language), filename)


@bp.route("/reports/<report_scope>/<report_month>/report.pdf")
@allow("view_reports")
def report_pdf(report_scope: str, report_month: str):
    _place, report = _opened(report_scope, report_month)
    data, narrative, shown = _shown(report)
    return _download(report, data, narrative, "pdf", shown.number if shown else None)


@bp.route("/reports/<report_scope>/<report_month>/report.xlsx")
@allow("view_reports")
def report_xlsx(report_scope: str, report_month: str):
    _place, report = _opened(report_scope, report_month)
    data, narrative, shown = _shown(report)
    return _download(report, data, narrative, "xlsx", shown.number if shown else None)


def _as_sent(report: MonthlyReport, version) -> MonthlyReport:
    """The report as this version left it (an unsaved copy): its status is the version's
    decision, or "submitted" while none is taken; a later version's fate is not its."""
    return MonthlyReport(id=report.id, scope_kind=report.scope_kind,
                         organisation_id=report.organisation_id,
                         district_id=report.district_id, scope_key=report.scope_key,
                         month=report.month,
                         status=version.decision or ReportStatus.SUBMITTED.value,
                         **{name: (version.narrative or {}).get(name) or ""
                            for name in services.NARRATIVE_FIELDS})


def _version_download(report_id: int, number: int, extension: str) -> Response:
    _place, report = _loaded(report_id)
    version = _version(report, number)
    return _download(_as_sent(report, version), version.snapshot, version.narrative,
                     extension, version.number)


@bp.route("/reports/<int:report_id>/submissions/<int:submission_number>.pdf")
@allow("view_reports")
def submission_pdf(report_id: int, submission_number: int):
    return _version_download(report_id, submission_number, "pdf")


@bp.route("/reports/<int:report_id>/submissions/<int:submission_number>.xlsx")
@allow("view_reports")
def submission_xlsx(report_id: int, submission_number: int):
    return _version_download(report_id, submission_number, "xlsx")


# --- baselines -----------------------------------------------------------------------


@bp.route("/reports/baselines", methods=["GET", "POST"])
@allow("enter_baselines")
def baselines():
    district_id = services.baseline_district(current_user)
    editing = _editing_baseline(district_id)
    if request.method == "GET":
        initial = ({"year": editing.year, "rate": editing.rate, "note": editing.note,
                    "version": editing.version} if editing else {"year": today().year - 1})
        form = BaselineForm(data=initial)
    else:
        form = BaselineForm()
    if form.validate_on_submit():
        version = form.expected_version() if form.version.data else None
        _result, saved = save(form, lambda: services.set_baseline(
            current_user, form.year.data, form.rate.data, form.note.data, version, today()),
            _changed_meanwhile)
        if saved:
            flash(_("The baseline of %(year)s is saved.", year=form.year.data), "success")
            return redirect(url_for("reports.baselines"))
    place = queries.resolve_scope(services.own_scope(current_user))
    return render_template("reports/baselines.html", form=form, place=place, editing=editing,
                           baselines=queries.baselines(district_id),
                           history=queries.baseline_history(district_id),
                           field_labels={"rate": _("Rate per 100"),
                                         "note": _("Source of the figure")})


def _editing_baseline(district_id: int | None):
    """The baseline ``?year=`` names (None for a year outside 2000–2100 or not entered)."""
    year = request.args.get("year", type=int)
    if year is None or not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        return None
    return queries.baseline_of(district_id, year)
