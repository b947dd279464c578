"""The living-conditions act (a home visit) and the legal measures.

The act's participants and household are repeating rows (a FieldList of small forms);
a button adds a row without JavaScript: the view re-renders the form with the values
typed so far and one more empty row. The rules beyond the shape of a value (dates, a
name that needs a position, birth years, at least one participant) are the services';
their refusals name a row's field as the form posts it ("participants-1-position") and
land beside that field.
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

LONG_TEXT = 4000
NOT_A_NUMBER = _l("Type a whole number.")
#: Empty rows a new act offers.
PARTICIPANT_ROWS, HOUSEHOLD_ROWS = 2, 3
#: Rows at most (juvenile.familywork.services.MAX_ROWS).
MAX_ROWS = 20
ROW_LISTS = ("participants", "household")




def _line(label, length=200):
    return StringField(label, validators=[Optional(), Length(max=length)], filters=[strip])


def _note(label):
    return TextAreaField(label, validators=[Length(max=LONG_TEXT)], filters=[strip],
                         render_kw={"rows": 3})


class WholeNumberField(IntegerField):
    """An integer field whose refusal of letters reads in the app's words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(NOT_A_NUMBER)) from error


class ParticipantForm(Form):
    name = _line(_l("Full name"))
    position = _line(_l("Position"))
    organisation = _line(_l("Organisation"), 300)


class HouseholdMemberForm(Form):
    name = _line(_l("Full name"))
    relation = _line(_l("Relation to the minor"), 100)
    #: A text box with the digit keyboard: a year typed wrong is shown back as typed.
    birth_year = WholeNumberField(_l("Birth year"), validators=[Optional()], widget=TextInput(),
                                  render_kw={"inputmode": "numeric", "maxlength": 4,
                                             "autocomplete": "off"})
    occupation = _line(_l("Occupation (work, study)"), 300)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActForm(VersionedForm):
    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired(REQUIRED)])
    address = StringField(_l("Address"), validators=[DataRequired(REQUIRED), Length(max=300)],
                          filters=[strip])
    participants = FieldList(FormField(ParticipantForm), min_entries=PARTICIPANT_ROWS,
                             max_entries=MAX_ROWS)
    add_participant = SubmitField(_l("Add a participant"))
    household = FieldList(FormField(HouseholdMemberForm), min_entries=HOUSEHOLD_ROWS,
                          max_entries=MAX_ROWS)
    add_household = SubmitField(_l("Add a person"))
    housing_type = SelectField(_l("Type of housing"), validators=[DataRequired(REQUIRED)])
    rooms = WholeNumberField(_l("Number of rooms"),
                             validators=[Optional(), NumberRange(min=1, max=50)],
                             widget=TextInput(), render_kw={"inputmode": "numeric"})
    housing_condition = RadioField(_l("Condition of the housing"),
                                   validators=[InputRequired(REQUIRED)])
    housing_note = _note(_l("About the housing (sanitary state, heating, furnishing)"))
    material_conditions = RadioField(_l("Material conditions"),
                                     validators=[InputRequired(REQUIRED)])
    income_note = _note(_l("Income of the family (sources, benefits)"))
    study_conditions = _note(_l("Conditions for study (own place, desk, books)"))
    rest_conditions = _note(_l("Conditions for rest and sleep"))
    supervision = RadioField(_l("Supervision of the minor"),
                             validators=[InputRequired(REQUIRED)])
    supervision_note = _note(_l("Who looks after the minor, when"))
    risk_factors = CheckboxesField(_l("Risk factors"))
    risk_note = _note(_l("About the risk factors"))
    conclusions = TextAreaField(_l("Conclusions"),
                                validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT)],
                                filters=[strip], render_kw={"rows": 4})
    recommendations = TextAreaField(_l("Recommendations"),
                                    validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT)],
                                    filters=[strip], render_kw={"rows": 4})

    def __getattr__(self, name: str):
        """A row's field by its posted name ("household-2-birth_year"), so a service's
        refusal finds the field it concerns (forms.show_service_error)."""
        list_name, dash, rest = name.partition("-")
        index, dash2, sub = rest.partition("-")
        if dash and dash2 and list_name in ROW_LISTS and index.isdecimal():
            entries = self._fields[list_name].entries
            if int(index) < len(entries) and sub in entries[int(index)].form._fields:
                return entries[int(index)].form[sub]
        raise AttributeError(name)

    def adding_row(self) -> str | None:
        """Which rows the user asked one more of ("participants", "household"), if any."""
        if self.add_participant.data:
            return "participants"
        if self.add_household.data:
            return "household"
        return None

    def add_row(self, list_name: str) -> None:
        """One more empty row (up to MAX_ROWS), its first box focused."""
        rows = self._fields[list_name]
        if len(rows.entries) < MAX_ROWS:
            entry = rows.append_entry()
            entry.form.name.render_kw = {"autofocus": True}

    def rows(self, list_name: str) -> list[dict]:
        """The rows as typed, empty ones included (the service drops them)."""
        return [dict(entry.form.data) for entry in self._fields[list_name]]


class MeasureForm(VersionedForm):
    kind = SelectField(_l("Measure"), validators=[DataRequired(REQUIRED)])
    taken_on = DateField(_l("Date taken"), validators=[InputRequired(REQUIRED)])
    description = TextAreaField(_l("Description"),
                                validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT)],
                                filters=[strip], render_kw={"rows": 4})


class OutcomeForm(VersionedForm):
    outcome = TextAreaField(_l("Outcome"),
                            validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT)],
                            filters=[strip], render_kw={"rows": 4})
    outcome_on = DateField(_l("Date of the outcome"), validators=[InputRequired(REQUIRED)])
