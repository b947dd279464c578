"""Forms of the safety protocol: a step, the safety plan, clearing, raising by judgement.

Choices are filled by the views; the rules (which steps an episode requires, who may
clear) are the services'.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

NOTE_LENGTH = 4000




def _part(label):
    return TextAreaField(label, validators=[DataRequired(REQUIRED), Length(max=NOTE_LENGTH)],
                         filters=[strip])


class StepForm(FlaskForm):
    key = SelectField(_l("Step done"), validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_LENGTH)], filters=[strip])


class SafetyPlanForm(VersionedForm):
    """The six parts of the Stanley–Brown safety plan and its review date."""

    warning_signs = _part(_l("1. Warning signs"))
    coping_strategies = _part(_l("2. Internal coping strategies"))
    distracting_people_places = _part(_l("3. People and places that distract"))
    people_to_ask = _part(_l("4. People to ask for help"))
    professionals_and_lines = _part(_l("5. Professionals and crisis lines"))
    safe_environment = _part(_l("6. Making the environment safe"))
    review_on = DateField(_l("Review date"), validators=[InputRequired(REQUIRED)])


class ClearForm(VersionedForm):
    reason = TextAreaField(_l("Reason for clearing the flag"),
                           validators=[DataRequired(REQUIRED), Length(max=NOTE_LENGTH)],
                           filters=[strip])


class JudgementForm(FlaskForm):
    severity = SelectField(_l("Severity"), validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("What the judgement rests on"),
                         validators=[DataRequired(REQUIRED), Length(max=NOTE_LENGTH)],
                         filters=[strip])
