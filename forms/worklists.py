"""Filters of the work lists: GET forms without a CSRF token; the views fill the choices.

Values that are not among the choices are not errors here: the read paths ignore them
(juvenile.cases.worklists.CaseFilters), so a stale link simply shows the whole list.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField


def optional_int(value) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


class _ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    #: Keeps the chosen column order when the filters are applied.
    sort = HiddenField()


class SchoolCasesFilterForm(_ListFilterForm):
    stage = SelectField(_l("Stage"), validate_choice=False)
    group = SelectField(_l("Target group"), coerce=optional_int, validate_choice=False)
    overdue = BooleanField(_l("Overdue only"))
    unassigned = BooleanField(_l("Without a responsible specialist"))


class DistrictCasesFilterForm(_ListFilterForm):
    stage = SelectField(_l("Stage"), validate_choice=False)
    organisation_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    group = SelectField(_l("Target group"), coerce=optional_int, validate_choice=False)
    overdue = BooleanField(_l("Overdue only"))
    crisis = BooleanField(_l("In crisis only"))


class RegisteredMinorsFilterForm(_ListFilterForm):
    group = SelectField(_l("Target group"), coerce=optional_int, validate_choice=False)
    organisation_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
