"""Work lists: my work, the school's cases, the district's cases, registered minors."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from forms import choices
from forms.worklists import (
    DistrictCasesFilterForm,
    RegisteredMinorsFilterForm,
    SchoolCasesFilterForm,
)
from juvenile.access import allow
from juvenile.cases import worklists
from juvenile.cases.dates import today
from juvenile.cases.models import TargetGroup
from juvenile.irp.queries import due_work

bp = Blueprint("worklists", __name__)


def _page() -> int:
    return request.args.get("page", 1, type=int)


def _per_page() -> int:
    return current_app.config["LIST_PAGE_SIZE"]


def _stage_choices():
    return choices([(s.value, s.label) for s in worklists.OPEN_STAGES], _("All stages"))


def _group_choices(groups=TargetGroup):
    return choices([(int(g), f"{int(g)}. {g.label}") for g in groups], _("All groups"))


def _filters(form) -> worklists.CaseFilters:
    """The form's values as list filters (a form without a field leaves it unset)."""
    values = {name: getattr(form, name).data for name in
              ("stage", "organisation_id", "group", "overdue", "crisis", "unassigned")
              if hasattr(form, name)}
    return worklists.CaseFilters(**values)


@bp.route("/work")
@allow("my_work")
def my_work():
    day = today()
    cases = worklists.my_work(current_user, day, request.args.get("sort"), _page(),
                              _per_page())
    return render_template("worklists/my_work.html", cases=cases,
                           due=due_work(current_user, day, _per_page()))


@bp.route("/school")
@allow("school_cases")
def school_cases():
    form = SchoolCasesFilterForm(request.args)
    form.stage.choices = _stage_choices()
    form.group.choices = _group_choices()
    cases = worklists.school_cases(current_user, today(), _filters(form),
                                   request.args.get("sort"), _page(), _per_page())
    form.sort.data = cases.sort.param
    return render_template("cases/lists/school.html", cases=cases, filters=form)


@bp.route("/district")
@allow("district_cases")
def district_cases():
    form = DistrictCasesFilterForm(request.args)
    form.stage.choices = _stage_choices()
    form.organisation_id.choices = choices(worklists.district_schools(current_user),
                                           _("All schools"))
    form.group.choices = _group_choices()
    cases = worklists.district_cases(current_user, today(), _filters(form),
                                     request.args.get("sort"), _page(), _per_page())
    form.sort.data = cases.sort.param
    return render_template("cases/lists/district.html", cases=cases, filters=form)


@bp.route("/registered")
@allow("registered_minors")
def registered_minors():
    form = RegisteredMinorsFilterForm(request.args)
    form.group.choices = _group_choices(worklists.POLICE_GROUPS)
    form.organisation_id.choices = choices(worklists.district_schools(current_user),
                                           _("All schools"))
    cases = worklists.registered_minors(current_user, _filters(form),
                                        request.args.get("sort"), _page(), _per_page())
    form.sort.data = cases.sort.param
    return render_template("cases/lists/registered.html", cases=cases, filters=form)
