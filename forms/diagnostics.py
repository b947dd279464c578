"""Forms of assessments: the answer grid of an instrument, a result of an instrument the
library does not know, rescoring.

The grid's fields are made from the instrument's definition (the number of items and
the answers it allows), which the view passes in: forms never query the database.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

CUSTOM_SCORE_ROWS = 6
#: Typed on a yes/no grid, read as yes and no (the numeric keypad).
YES_NO_DIGITS = {"1": "y", "0": "n"}




def _answer(yes_no: bool):
    def normalise(value):
        if not isinstance(value, str):
            return value
        value = value.strip().lower()
        return YES_NO_DIGITS.get(value, value) if yes_no else value
    return normalise


class AssessmentForm(FlaskForm):
    """What every recorded instrument asks besides the answers."""

    administered_on = DateField(_l("Date administered"), validators=[InputRequired(REQUIRED)])
    #: Carries the refusals about the answers as a whole (missing items…).
    answers = HiddenField()
    level = SelectField(_l("Level in your judgement"), validators=[Optional()])
    age_override_reason = TextAreaField(
        _l("Reason for using the instrument outside its age range"),
        validators=[Length(max=2000)], filters=[strip])
    judgement_acute = BooleanField(_l("Clinical judgement: acute suicide risk"))
    notes = TextAreaField(_l("Clinical note"), validators=[Length(max=4000)], filters=[strip])

    item_count = 0

    def item_fields(self):
        return [self[f"item_{n}"] for n in range(1, self.item_count + 1)]

    def typed_answers(self) -> dict[int, str]:
        return {n: field.data for n, field in enumerate(self.item_fields(), start=1)
                if field.data}


def answer_grid_form(item_count: int, allowed: list[str], yes_no: bool) -> type[AssessmentForm]:
    """An AssessmentForm class with one small field per item, numbered as on the paper
    form, accepting only the instrument's answers."""
    out_of_range = _l("Not an answer of this instrument.")
    fields = {
        f"item_{n}": StringField(
            str(n), validators=[Optional(), AnyOf(allowed, message=out_of_range)],
            filters=[_answer(yes_no)],
            render_kw={"maxlength": 1, "size": 1, "autocomplete": "off",
                       "inputmode": "text" if yes_no else "numeric", "class": "answer"})
        for n in range(1, item_count + 1)}
    return type("AnswerGridForm", (AssessmentForm,), {**fields, "item_count": item_count})


class ScorePairForm(Form):
    scale = StringField(_l("Scale"), validators=[Length(max=100)], filters=[strip])
    score = StringField(_l("Raw score"), validators=[Length(max=50)], filters=[strip])


class CustomAssessmentForm(FlaskForm):
    """A result of an instrument the library does not know."""

    custom_name = StringField(_l("Instrument"),
                              validators=[DataRequired(REQUIRED), Length(max=200)],
                              filters=[strip])
    construct = SelectField(_l("What it measures"), validators=[DataRequired(REQUIRED)])
    administered_on = DateField(_l("Date administered"), validators=[InputRequired(REQUIRED)])
    raw_scores = FieldList(FormField(ScorePairForm), label=_l("Raw scores"),
                           min_entries=CUSTOM_SCORE_ROWS, max_entries=CUSTOM_SCORE_ROWS)
    level = SelectField(_l("Level in your judgement"), validators=[DataRequired(REQUIRED)])
    judgement_acute = BooleanField(_l("Clinical judgement: acute suicide risk"))
    notes = TextAreaField(_l("Clinical note"), validators=[Length(max=4000)], filters=[strip])

    def score_pairs(self) -> list[tuple[str, str]]:
        return [(entry.form.scale.data or "", entry.form.score.data or "")
                for entry in self.raw_scores]


class RescoreForm(VersionedForm):
    """Score a stored result again with the instrument's current key."""
