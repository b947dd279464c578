"""Education and employment: the status, the monthly missed-lessons screen, quarterly
progress, employment.

Choices are filled by the views (forms never query the database). The rules beyond the
shape of a value (dates, ranges, totals, who may record) are the services'.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MonthField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

LONG_TEXT = 4000
#: A count as typed on the monthly screen: digits (a minus sign is read, then refused by
#: the rules with its own message).
_COUNT = re.compile(r"-?\d{1,6}")




def _note(label):
    return TextAreaField(label, validators=[Length(max=LONG_TEXT)], filters=[strip])


def count_of(value: str | None) -> int | None:
    """The number typed in a count field; None when it is empty."""
    value = (value or "").strip()
    return int(value) if value else None


def _whole_number(form, field):
    if (field.data or "").strip() and not _COUNT.fullmatch(field.data.strip()):
        raise ValidationError(_l("Type a whole number."))


def _count_field(label):
    return StringField(label, validators=[_whole_number], filters=[strip],
                       render_kw={"inputmode": "numeric", "autocomplete": "off",
                                  "size": 4, "maxlength": 6, "class": "count"})


class StatusForm(VersionedForm):
    status = SelectField(_l("Education status"), validators=[DataRequired(REQUIRED)])
    since = DateField(_l("Since"), validators=[InputRequired(REQUIRED)])
    note = _note(_l("Note"))


# --- the monthly screen ----------------------------------------------------------------


class MonthChoiceForm(FlaskForm):
    """Which month the screen shows (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    month = MonthField(_l("Month"), validators=[Optional()])


class AttendanceRowForm(Form):
    """One pupil's row. The hidden fields hold the row's record as the screen showed it,
    so that a row someone else saved meanwhile is told apart from one typed here."""

    minor_id = HiddenField()
    version = HiddenField()
    was_lessons = HiddenField()
    was_excused = HiddenField()
    was_unexcused = HiddenField()
    lessons = _count_field(_l("Lessons in the month"))
    excused = _count_field(_l("Excused"))
    unexcused = _count_field(_l("Unexcused"))

    def minor(self) -> int | None:
        value = str(self.minor_id.data or "")
        return int(value) if value.isascii() and value.isdecimal() else None

    def loaded_version(self) -> int | None:
        value = str(self.version.data or "")
        return int(value) if value.isascii() and value.isdecimal() else None

    def loaded(self) -> tuple[int | None, int | None, int | None]:
        def number(field):
            value = str(field.data or "")
            return int(value) if value.isascii() and value.isdecimal() else None

        return (number(self.was_lessons), number(self.was_excused),
                number(self.was_unexcused))


class AttendanceForm(FlaskForm):
    lessons = _count_field(_l("Lessons in the month"))
    rows = FieldList(FormField(AttendanceRowForm), max_entries=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: minor id -> messages about the whole row (changed by someone else…)
        self.row_messages: dict[int, list[str]] = {}


# --- quarterly progress ----------------------------------------------------------------


#: The mark's range, as the rules say it (juvenile.education.services).
MARK_RANGE = _l("The average mark is from 2.00 to 5.00.")


class MarkField(DecimalField):
    """A decimal mark: "4,25" is read as 4.25 (the comma is the local decimal sign).
    "NaN", "sNaN" and "Infinity" read as decimals too: they are refused here with the
    mark's message (a NaN cannot even be compared with the range)."""

    def process_formdata(self, valuelist):
        super().process_formdata([value.strip().replace(",", ".") for value in valuelist])
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(MARK_RANGE))


class ProgressForm(VersionedForm):
    failing_subjects = IntegerField(_l("Failing subjects"), validators=[InputRequired(REQUIRED)],
                                    render_kw={"inputmode": "numeric"})
    failing_note = StringField(_l("Which subjects"), validators=[Length(max=300)],
                               filters=[strip])
    average_mark = MarkField(_l("Average mark (2.00–5.00)"), places=2,
                             validators=[Optional()], render_kw={"inputmode": "decimal"})


class NewProgressForm(ProgressForm):
    #: "2026-3": the quarter's calendar year and its number.
    quarter = SelectField(_l("Quarter"), validators=[DataRequired(REQUIRED)])

    def chosen_quarter(self) -> tuple[int, int]:
        year, _sep, number = str(self.quarter.data or "").partition("-")
        return int(year), int(number)


# --- employment ------------------------------------------------------------------------


class EmploymentForm(VersionedForm):
    kind = SelectField(_l("Kind of employment"), validators=[DataRequired(REQUIRED)])
    employer = StringField(_l("Employer"), validators=[DataRequired(REQUIRED), Length(max=300)],
                           filters=[strip])
    position = StringField(_l("Position"), validators=[Length(max=200)], filters=[strip])
    starts_on = DateField(_l("Started on"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Ended on"), validators=[Optional()])
    note = _note(_l("Note"))
