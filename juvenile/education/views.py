"""Education and employment: the monthly missed-lessons screen of a school, the minor's
education page, and the forms of the status, quarterly progress and employment.

Who: the monthly screen is for the school's psychologists, social pedagogues and deputy
head (enter_attendance), for the pupils of their own school. The education page and the
case page's section are read by the school's staff and the district coordinator of the
minor's district (view_programme; anyone else: 404, as if the minor did not exist); the
psychologists and social pedagogues of the minor's school record (record_work).
"""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.education import (
    AttendanceForm,
    EmploymentForm,
    MonthChoiceForm,
    NewProgressForm,
    ProgressForm,
    StatusForm,
    count_of,
)
from juvenile.access import RULES, allow, get_or_404, has_rule
from juvenile.cases.dates import today
from juvenile.cases.models import Minor
from juvenile.cases.services import open_enrolment
from juvenile.cases.views import CASE_PANELS, load_minor
from juvenile.education import queries, services
from juvenile.education.models import (
    EducationRecord,
    EducationStatus,
    Employment,
    EmploymentKind,
    QuarterlyProgress,
)
from juvenile.errors import ServiceError
from juvenile.viewhelpers import save

bp = Blueprint("education", __name__)

PANEL_ANCHOR = "education-panel"
#: The months the screen opens: a year typed out of this range is a mistake (and a month
#: of the year 9999 has no next month to tell whether it is over).
EARLIEST_MONTH, LATEST_MONTH = date(2000, 1, 1), date(2100, 12, 1)


def _case_file(minor_id: int):
    return redirect(url_for("cases.case_file", minor_id=minor_id, _anchor=PANEL_ANCHOR))


# --- the monthly missed-lessons screen -----------------------------------------------------


def _month_param(month: date) -> str:
    return month.strftime("%Y-%m")


def _chosen_month(chooser: MonthChoiceForm, day: date) -> date | None:
    """The month asked for (the previous month by default), or None with the refusal
    beside the month field."""
    if not chooser.validate():
        return None
    month = chooser.month.data or queries.previous_month(day)
    month = queries.month_start(month)
    chooser.month.data = month
    try:
        if not EARLIEST_MONTH <= month <= LATEST_MONTH:
            raise ServiceError(_("Choose a month from %(first)s to %(last)s.",
                                 first=EARLIEST_MONTH.year, last=LATEST_MONTH.year), "month")
        services.check_month(month, day)
    except ServiceError as refusal:
        chooser.month.errors = [*chooser.month.errors, refusal.message]
        return None
    return month


def _blank(value) -> object:
    return "" if value is None else value


def _initial(sheet: list[queries.SheetRow]) -> dict:
    """The form's rows: the pupils this school enters (not those handed on meanwhile)."""
    return {"rows": [{"minor_id": row.minor_id, "version": _blank(row.version),
                      "was_lessons": _blank(row.lessons), "was_excused": _blank(row.excused),
                      "was_unexcused": _blank(row.unexcused), "lessons": _blank(row.lessons),
                      "excused": _blank(row.excused), "unexcused": _blank(row.unexcused)}
                     for row in sheet if row.editable]}


def _entries(form: AttendanceForm) -> list[services.AttendanceEntry]:
    entries = []
    for entry in form.rows:
        row = entry.form
        if row.minor() is None:
            continue
        entries.append(services.AttendanceEntry(
            minor_id=row.minor(), lessons=count_of(row.lessons.data),
            excused=count_of(row.excused.data), unexcused=count_of(row.unexcused.data),
            loaded_version=row.loaded_version(), loaded=row.loaded()))
    return entries


def _mark_rows(form: AttendanceForm, refusal: services.AttendanceRefused) -> None:
    """Each refusal beside its row's field; a row someone else saved shows their values and
    now carries their version, so saving again deliberately replaces them."""
    for entry in form.rows:
        row, minor_id = entry.form, entry.form.minor()
        for name, message in refusal.errors.get(minor_id, {}).items():
            if name == "row":
                form.row_messages.setdefault(minor_id, []).append(message)
            else:
                field = getattr(row, name)
                field.errors = [*field.errors, message]
        current = refusal.conflicts.get(minor_id)
        if current is not None:
            form.row_messages.setdefault(minor_id, []).append(
                services.conflict_message(current))
            row.version.data = _blank(current.version)
            row.was_lessons.data, row.was_excused.data, row.was_unexcused.data = (
                _blank(current.lessons), _blank(current.excused), _blank(current.unexcused))


def _save_month(form: AttendanceForm, month: date, day: date):
    entries, default = _entries(form), count_of(form.lessons.data)

    def action():
        try:
            return services.save_month_attendance(current_user, month, entries, default, day)
        except services.AttendanceRefused as refusal:
            _mark_rows(form, refusal)
            raise

    def on_conflict() -> str:
        """Two saves at the same instant: tell which rows the other one wrote."""
        try:
            services.check_attendance(current_user, month, entries, default, day)
        except services.AttendanceRefused as refusal:
            _mark_rows(form, refusal)
        except ServiceError:
            pass
        return _("The rows marked below were saved by someone else at the same moment.")

    return save(form, action, on_conflict)


def _screen_rows(form: AttendanceForm, sheet: list[queries.SheetRow]) -> list:
    """(row form, the pupil as the list has it or None, messages) in the form's order."""
    pupils = {row.minor_id: row for row in sheet}
    return [(entry.form, pupils.get(entry.form.minor()),
             form.row_messages.get(entry.form.minor(), [])) for entry in form.rows]


@bp.route("/attendance", methods=["GET", "POST"])
@allow("enter_attendance")
def attendance():
    """The school's supported pupils and a month's missed lessons, typed on one screen."""
    day = today()
    chooser = MonthChoiceForm(request.args)
    month = _chosen_month(chooser, day)
    context = {"chooser": chooser, "month": month, "max_lessons": services.MAX_LESSONS}
    if month is None:
        return render_template("education/attendance.html", form=None, rows=[], **context)
    sheet = queries.attendance_sheet(current_user.organisation_id, month)
    form = AttendanceForm(data=_initial(sheet)) if request.method == "GET" else AttendanceForm()
    if form.validate_on_submit():
        written, saved = _save_month(form, month, day)
        if saved:
            if written:
                flash(ngettext("%(num)d row saved.", "%(num)d rows saved.", written), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("education.attendance", month=_month_param(month)))
    return render_template(
        "education/attendance.html", form=form, rows=_screen_rows(form, sheet),
        handed=[(row, services.handed_on_message(row)) for row in sheet if not row.editable],
        month_label=services.month_label(month), month_param=_month_param(month),
        entered=sum(1 for row in sheet if row.editable and row.version is not None),
        earlier=_month_param(queries.previous_month(month)),
        later=(_month_param(queries.next_month(month))
               if queries.is_over(queries.next_month(month), day) else None), **context)


# --- the minor's education page and the case page's section ------------------------------


def _may_enter_for(user, minor: Minor) -> bool:
    return has_rule(user, "enter_attendance") and minor.organisation_id == user.organisation_id


@bp.route("/minors/<int:minor_id>/education")
@allow("view_programme")
def overview(minor_id: int):
    minor = load_minor(minor_id, "view")
    return render_template(
        "education/overview.html", minor=minor, history=queries.education_history(minor.id),
        today=today(), may_record=services.may_record(current_user, minor),
        has_open_case=open_enrolment(minor) is not None,
        may_enter=_may_enter_for(current_user, minor))


def education_panel(minor: Minor, case, user):
    """The current status, the last three months' missed lessons, the latest quarterly
    progress, the current employment; for the view_programme roles (the case page has
    already checked the minor is in their scope)."""
    if user.role_enum not in RULES["view_programme"]:
        return None
    day = today()
    return "education/case_panel.html", {
        "minor_id": minor.id, "summary": queries.education_summary(minor.id, day),
        "today": day, "may_record": services.may_record(user, minor) and case.current is not None,
        "may_enter": _may_enter_for(user, minor)}


CASE_PANELS.append(education_panel)


# --- the education status -----------------------------------------------------------------


def _recorder_minor(minor_id: int) -> Minor:
    """The minor, 404 out of the user's school; 403 for staff who do not record."""
    minor = load_minor(minor_id, "edit")
    if not services.may_record(current_user, minor):
        abort(403)
    return minor


def _status_form(initial: dict | None = None) -> StatusForm:
    form = StatusForm(data=initial) if request.method == "GET" else StatusForm()
    form.status.choices = choices([(s.value, s.label) for s in EducationStatus], "—")
    return form


def _status_data(form: StatusForm) -> services.StatusData:
    return services.StatusData(status=form.status.data, since=form.since.data,
                               note=form.note.data)


def _status_now(record: EducationRecord) -> str:
    return _("Now: %(status)s since %(date)s.", status=EducationStatus(record.status).label,
             date=format_date(record.since, "medium"))


@bp.route("/minors/<int:minor_id>/education/status/new", methods=["GET", "POST"])
@allow("record_work")
def new_status(minor_id: int):
    minor = _recorder_minor(minor_id)
    form = _status_form({"since": today()})
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.record_status(
            current_user, minor, _status_data(form), today()))
        if saved:
            flash(_("The education status is saved."), "success")
            return _case_file(minor.id)
    return render_template("education/status_form.html", form=form, minor=minor, record=None)


@bp.route("/education/statuses/<int:education_record_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_status(education_record_id: int):
    record = get_or_404(EducationRecord, education_record_id, current_user, "edit")
    minor = _recorder_minor(record.minor_id)
    form = _status_form({"status": record.status, "since": record.since, "note": record.note,
                         "version": record.version})
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_status(
            current_user, record, _status_data(form), form.expected_version(), today()),
            lambda: _status_now(record))
        if saved:
            flash(_("The education status is saved."), "success")
            return _case_file(minor.id)
    return render_template("education/status_form.html", form=form, minor=minor, record=record)


# --- quarterly progress -------------------------------------------------------------------


def _progress_data(form: ProgressForm) -> services.ProgressData:
    return services.ProgressData(failing_subjects=form.failing_subjects.data,
                                 failing_note=form.failing_note.data,
                                 average_mark=form.average_mark.data)


def _quarter_choice(year: int, quarter: int) -> tuple[str, str]:
    return f"{year}-{quarter}", _("%(year)s, quarter %(quarter)s",
                                   year=services.school_year_label(year, quarter),
                                   quarter=quarter)


@bp.route("/minors/<int:minor_id>/education/progress/new", methods=["GET", "POST"])
@allow("record_work")
def new_progress(minor_id: int):
    minor = _recorder_minor(minor_id)
    day = today()
    quarters = services.started_quarters(day)
    form = NewProgressForm(data={"quarter": _quarter_choice(*quarters[0])[0],
                                 "failing_subjects": 0}) \
        if request.method == "GET" else NewProgressForm()
    form.quarter.choices = choices([_quarter_choice(*yq) for yq in quarters])
    existing = None
    if form.validate_on_submit():
        def action():
            nonlocal existing
            try:
                return services.record_progress(current_user, minor, *form.chosen_quarter(),
                                                _progress_data(form), day)
            except services.ProgressExists as refusal:
                existing = refusal.progress.id
                raise

        _result, saved = save(form, action)
        if saved:
            flash(_("The quarterly progress is saved."), "success")
            return _case_file(minor.id)
    return render_template("education/progress_form.html", form=form, minor=minor,
                           progress=None, existing_id=existing)


@bp.route("/education/progress/<int:progress_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_progress(progress_id: int):
    progress = get_or_404(QuarterlyProgress, progress_id, current_user, "edit")
    minor = _recorder_minor(progress.minor_id)
    initial = {"failing_subjects": progress.failing_subjects,
               "failing_note": progress.failing_note, "average_mark": progress.average_mark,
               "version": progress.version}
    form = ProgressForm(data=initial) if request.method == "GET" else ProgressForm()
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_progress(
            current_user, progress, _progress_data(form), form.expected_version(), today()),
            lambda: _("Now: %(failing)s failing subjects, average mark %(mark)s.",
                      failing=progress.failing_subjects, mark=progress.average_mark or "—"))
        if saved:
            flash(_("The quarterly progress is saved."), "success")
            return _case_file(minor.id)
    return render_template("education/progress_form.html", form=form, minor=minor,
                           progress=progress,
                           quarter_label=_quarter_choice(progress.year, progress.quarter)[1],
                           existing_id=None)


# --- employment ---------------------------------------------------------------------------


def _employment_form(initial: dict | None = None) -> EmploymentForm:
    form = EmploymentForm(data=initial) if request.method == "GET" else EmploymentForm()
    form.kind.choices = choices([(k.value, k.label) for k in EmploymentKind], "—")
    return form


def _employment_data(form: EmploymentForm) -> services.EmploymentData:
    return services.EmploymentData(kind=form.kind.data, employer=form.employer.data,
                                   position=form.position.data, starts_on=form.starts_on.data,
                                   ends_on=form.ends_on.data, note=form.note.data)


def _employment_now(employment: Employment) -> str:
    return _("Now: %(employer)s, from %(start)s to %(end)s.", employer=employment.employer,
             start=format_date(employment.starts_on, "medium"),
             end=format_date(employment.ends_on, "medium") if employment.ends_on else "—")


@bp.route("/minors/<int:minor_id>/employments/new", methods=["GET", "POST"])
@allow("record_work")
def new_employment(minor_id: int):
    minor = _recorder_minor(minor_id)
    form = _employment_form()
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.record_employment(
            current_user, minor, _employment_data(form), today()))
        if saved:
            flash(_("The employment is saved."), "success")
            return _case_file(minor.id)
    return render_template("education/employment_form.html", form=form, minor=minor,
                           employment=None)


@bp.route("/employments/<int:employment_id>/edit", methods=["GET", "POST"])
@allow("record_work")
def edit_employment(employment_id: int):
    employment = get_or_404(Employment, employment_id, current_user, "edit")
    minor = _recorder_minor(employment.minor_id)
    form = _employment_form({name: getattr(employment, name)
                             for name in services.EMPLOYMENT_FIELDS}
                            | {"version": employment.version})
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.update_employment(
            current_user, employment, _employment_data(form), form.expected_version(),
            today()), lambda: _employment_now(employment))
        if saved:
            flash(_("The employment is saved."), "success")
            return _case_file(minor.id)
    return render_template("education/employment_form.html", form=form, minor=minor,
                           employment=employment)
