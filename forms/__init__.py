"""WTForms classes, one module per domain. Forms never query the database."""

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice


class VersionedForm(FlaskForm):
    """A form editing a stored record: carries the version the user started from.

    On a submission the version comes from the submitted data only, never from the
    record the form was built with: a POST without it is refused as stale.
    """

    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_submitted():
            self.version.data = request.form.get("version")

    def expected_version(self) -> int:
        """The version the form was opened at; -1 (never current) when it is missing."""
        value = str(self.version.data or "")
        return int(value) if value.isascii() and value.isdecimal() else -1


class ActionForm(FlaskForm):
    """A button that changes something (deactivate, reset…): only the CSRF token."""


class StatusForm(FlaskForm):
    """Activate or deactivate: says the state wanted, so two people pressing the same
    button at once both get what they asked for instead of undoing each other."""

    active = HiddenField()

    def wanted(self) -> bool:
        return self.active.data == "1"


def show_service_error(form: FlaskForm, error) -> None:
    """Put a service's refusal beside the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def choices(pairs, blank=None) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs, with an optional empty first one."""
    items = [SelectChoice(value=value, label=str(label)) for value, label in pairs]
    return [SelectChoice(value="", label=str(blank)), *items] if blank is not None else items


def strip(value):
    """Filter: surrounding blanks of typed text do not count."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce: an id from a select whose first option is empty; None for that option."""
    if value is None or value == "":
        return None
    return int(value)
