"""Forms that work a case: specialists, stages, extension, closure, incidents, hand-overs.

Choices are filled by the views (forms never query the database). The rules beyond the
shape of a value (who may be responsible, when a case may close…) are the services'.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms import VersionedForm, optional_int, strip
from forms.accounts import REQUIRED
from forms.cases import CheckboxesField

MAX_EXTENSION_DAYS = 180






class AssignmentForm(VersionedForm):
    responsible_id = SelectField(_l("Responsible specialist"), coerce=optional_int,
                                 validators=[DataRequired(REQUIRED)])
    coworker_ids = CheckboxesField(_l("Co-workers"), coerce=int, validators=[Optional()])


class StageMoveForm(VersionedForm):
    """Complete the current stage: the button carries only the version it was shown at."""


class ExtensionForm(VersionedForm):
    days = IntegerField(_l("Days to add"), validators=[
        InputRequired(REQUIRED),
        NumberRange(1, MAX_EXTENSION_DAYS, _l("Extend by 1 to 180 days."))])
    reason = TextAreaField(_l("Reason for the extension"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)],
                           filters=[strip])


class ClosureForm(VersionedForm):
    reason = SelectField(_l("Reason for closing"), validators=[DataRequired(REQUIRED)])
    closed_on = DateField(_l("Date closed"), validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("Explanation"), validators=[Length(max=4000)], filters=[strip])


class IncidentForm(FlaskForm):
    kind = SelectField(_l("What happened"), validators=[DataRequired(REQUIRED)])
    occurred_on = DateField(_l("Date it happened"), validators=[InputRequired(REQUIRED)])
    description = TextAreaField(_l("Description"),
                                validators=[DataRequired(REQUIRED), Length(max=4000)],
                                filters=[strip])


class TransferForm(FlaskForm):
    to_organisation_id = SelectField(_l("Receiving school or college"), coerce=optional_int,
                                     validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("Note for the receiving school"), validators=[Length(max=2000)],
                         filters=[strip])


class AcceptTransferForm(FlaskForm):
    responsible_id = SelectField(_l("Responsible specialist"), coerce=optional_int,
                                 validators=[Optional()])


class DeclineTransferForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], filters=[strip])
