"""Filters of the audit trail (a GET form: nothing changes, no CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError


def _sane_date(form, field):
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who (login)"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), validate_choice=False)
    object_type = SelectField(_l("Record kind"), validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional(), _sane_date])
    date_to = DateField(_l("To"), validators=[Optional(), _sane_date])
