"""Recording assessments and reading their results.

Item answers and notes are shown only to those ``access.may_see_answers`` names; the
school's other staff see levels; everybody else gets 404 and no case-page section.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.diagnostics import (
    AssessmentForm,
    CustomAssessmentForm,
    RescoreForm,
    answer_grid_form,
)
from juvenile import access
from juvenile.access import allow, can, get_or_404, has_rule
from juvenile.accounts.models import Role, User
from juvenile.cases import services as case_services
from juvenile.cases.dates import today
from juvenile.cases.models import Enrolment, Minor
from juvenile.cases.views import CASE_PANELS
from juvenile.diagnostics import charts, library, queries, scoring, services
from juvenile.diagnostics.models import Assessment, Construct, InstrumentVersion, Level
from juvenile.extensions import db
from juvenile.viewhelpers import save

bp = Blueprint("diagnostics", __name__)

#: ?instrument= value of a result of an instrument the library does not know.
CUSTOM = "custom"


# --- who may open an assessment ---------------------------------------------------------


def _case_of(assessment: Assessment) -> tuple[Minor, Enrolment | None]:
    """The minor, and the enrolment whose responsible specialist may see the answers: the
    open one, or the one the assessment was recorded under."""
    minor = db.session.get(Minor, assessment.minor_id)
    enrolment = case_services.open_enrolment(minor)
    if enrolment is None and assessment.enrolment_id is not None:
        enrolment = db.session.get(Enrolment, assessment.enrolment_id)
    return minor, enrolment


def assessment_policy(user: User, action: str, assessment: Assessment) -> bool:
    minor, enrolment = _case_of(assessment)
    if action == "view":
        return (access.may_see_levels(user, minor)
                or access.may_see_answers(user, minor, enrolment))
    if action == "rescore":
        return (user.role_enum is Role.PSYCHOLOGIST
                and minor.organisation_id == user.organisation_id)
    return False


access.register_policy(Assessment, assessment_policy)


# --- recording --------------------------------------------------------------------------


def _level_choices():
    return choices([(level.value, level.label) for level in Level], "—")


def _grid_form(version: InstrumentVersion) -> AssessmentForm:
    definition = version.definition
    form = answer_grid_form(definition["items"], services.allowed_answers(definition),
                            services.is_yes_no(definition))()
    form.level.choices = _level_choices()
    return form


def _data(form) -> services.AssessmentData:
    custom = isinstance(form, CustomAssessmentForm)
    return services.AssessmentData(
        administered_on=form.administered_on.data,
        answers={} if custom else form.typed_answers(),
        level=form.level.data or None,
        age_override_reason="" if custom else form.age_override_reason.data or "",
        judgement_acute=bool(form.judgement_acute.data), notes=form.notes.data or "",
        custom_name=form.custom_name.data if custom else "",
        construct=form.construct.data if custom else "",
        raw_scores=form.score_pairs() if custom else [])


def _saved(assessment: Assessment, judgement_acute: bool):
    flash(_("The assessment is recorded."), "success")
    if services.screen_without_case(assessment, judgement_acute):
        flash(_("The screen is positive but the minor is not in the programme: no crisis "
                "episode could be opened. Follow the school's safety procedure and enrol "
                "the minor."), "error")
    elif assessment.screen_result in services.POSITIVE_SCREENS or judgement_acute:
        flash(_("The crisis flag is raised: follow the safety protocol on the case page."),
              "error")
    return redirect(url_for("diagnostics.assessment", assessment_id=assessment.id))


def _record(minor: Minor, version: InstrumentVersion | None, form):
    if request.method == "GET":
        form.administered_on.data = today()
    if form.validate_on_submit():
        assessment, saved = save(form, lambda: services.record_assessment(
            current_user, minor, version, _data(form), today()))
        if saved:
            return _saved(assessment, bool(form.judgement_acute.data))
    return None


@bp.route("/minors/<int:minor_id>/assessments/new", methods=["GET", "POST"])
@allow("record_assessments")
def new_assessment(minor_id: int):
    minor = get_or_404(Minor, minor_id, current_user, "edit")
    code = request.args.get("instrument", "")[:32]
    if code == CUSTOM:
        form = CustomAssessmentForm()
        form.construct.choices = choices([(c.value, c.label) for c in Construct], "—")
        form.level.choices = _level_choices()
        return _record(minor, None, form) or render_template(
            "diagnostics/assessments/custom.html", form=form, minor=minor)
    instrument = queries.instrument_by_code(code) if code else None
    if instrument is None:
        return render_template("diagnostics/assessments/choose.html", minor=minor,
                               menu=queries.instrument_menu(), custom=CUSTOM,
                               age=minor.age_on(today()))
    version = library.current_version(instrument)
    form = _grid_form(version)
    done = _record(minor, version, form)
    if done is not None:
        return done
    definition = version.definition
    youngest, oldest = services.age_range(definition)
    age = minor.age_on(form.administered_on.data or today())
    return render_template(
        "diagnostics/assessments/grid.html", form=form, minor=minor, version=version,
        name=queries.localised(instrument.name_kk, instrument.name_ru),
        allowed=services.allowed_answers(definition), yes_no=services.is_yes_no(definition),
        age=age, age_range=services.age_text(definition),
        outside_age=(youngest is not None and age < youngest)
        or (oldest is not None and age > oldest),
        own_levels=services.has_own_levels(definition))


# --- the result -------------------------------------------------------------------------


def _scale_label(scale: dict) -> str:
    label = scale.get("label") or {}
    if isinstance(label, str):
        return label
    from flask_babel import get_locale

    locale = get_locale()
    language = locale.language if locale is not None else "kk"
    return label.get(language) or label.get("en") or scale["code"]


def _scale_rows(assessment: Assessment) -> list[tuple[str, object, object, object]]:
    """(scale, score, percentage, sten) as stored, with percentages and stens worked out
    again from the stored answers with the stored key (the scorer is pure)."""
    version = assessment.instrument_version
    scores = assessment.scores or {}
    if version is None:
        return [(name, value, None, None) for name, value in scores.items()]
    result = scoring.score(version.definition, {int(n): a for n, a in
                                                (assessment.answers or {}).items()})
    return [(_scale_label(scale), _number(scores.get(scale["code"])),
             _number(result.percentages.get(scale["code"])), result.stens.get(scale["code"]))
            for scale in version.definition.get("scales", []) if scale["code"] in scores]


def _number(value):
    """19.0 reads 19; 12.5 stays."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@bp.route("/assessments/<int:assessment_id>")
@allow("view_diagnostics")
def assessment(assessment_id: int):
    record = get_or_404(Assessment, assessment_id, current_user)
    minor, enrolment = _case_of(record)
    answers_visible = access.may_see_answers(current_user, minor, enrolment)
    version = record.instrument_version
    may_rescore = (version is not None and bool(record.answers)
                   and can(current_user, "rescore", record)
                   and not services.is_current(record))
    rescore_form = RescoreForm()
    rescore_form.version.data = record.version
    return render_template(
        "diagnostics/assessments/result.html", assessment=record, minor=minor,
        version=version, answers_visible=answers_visible,
        name=record.custom_name or queries.localised(version.instrument.name_kk,
                                                     version.instrument.name_ru),
        administered_by=db.session.get(User, record.administered_by_id),
        rows=_scale_rows(record) if answers_visible else [],
        may_rescore=may_rescore, rescore_form=rescore_form,
        level_label=Level(record.level).label if record.level in set(Level) else record.level,
        construct_label=Construct(record.construct).label)


@bp.route("/assessments/<int:assessment_id>/rescore", methods=["POST"])
@allow("record_assessments")
def rescore(assessment_id: int):
    record = get_or_404(Assessment, assessment_id, current_user, "rescore")
    form = RescoreForm()
    if form.validate_on_submit():
        _result, saved = save(form, lambda: services.rescore(
            current_user, record, today(), form.expected_version()))
        if saved:
            flash(_("The result is scored again with the current key."), "success")
        else:
            for message in form.form_errors:
                flash(message, "error")
    return redirect(url_for("diagnostics.assessment", assessment_id=assessment_id))


# --- the case page ----------------------------------------------------------------------


def case_panel(minor: Minor, case, user: User):
    """Levels over time, the change from first to last, and the list: one query."""
    enrolment = case.current.enrolment if case.current else None
    if not (access.may_see_levels(user, minor)
            or access.may_see_answers(user, minor, enrolment)):
        return None
    lines = queries.history(minor.id)
    trends = [(trend, charts.level_chart(
        [(day, level) for day, level, _name in trend.points],
        _("%(construct)s: levels over time", construct=trend.construct.label),
        f"chart-{trend.construct.value}")) for trend in queries.trends(lines)]
    may_record = has_rule(user, "record_assessments") and can(user, "edit", minor)
    return "diagnostics/assessments/case_panel.html", {
        "minor": minor, "lines": list(reversed(lines)), "trends": trends,
        "may_record": may_record, "level_label": _level_label}


def _level_label(level: str) -> str:
    return Level(level).label if level in set(Level) else level


if case_panel not in CASE_PANELS:
    CASE_PANELS.append(case_panel)

