"""The regional settings form is built from the registry: one number field per setting."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from forms.accounts import REQUIRED


def settings_form_class(specs):
    """A FlaskForm class with a field per setting and a hidden copy of the value shown."""

    class SettingsForm(FlaskForm):
        pass

    for spec in specs:
        setattr(SettingsForm, spec.key, IntegerField(
            spec.label, validators=[InputRequired(REQUIRED),
                                    NumberRange(spec.minimum, spec.maximum)]))
        setattr(SettingsForm, f"seen_{spec.key}", HiddenField())
    return SettingsForm
