"""Sessions, group sessions and their deletion.

Choices (kinds, formats, the school's specialists and open cases) are filled by the
views; forms never query the database. The rules beyond the shape of a value (dates
within the case, the duration's range, who may write notes) are the services'.
"""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import VersionedForm, strip
from forms.accounts import REQUIRED
from forms.cases import CheckboxesField

LONG_TEXT = 8000




class _SessionFields(VersionedForm):
    kind = SelectField(_l("Kind of session"), validators=[DataRequired(REQUIRED)])
    held_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    duration_minutes = IntegerField(_l("Duration, minutes"),
                                    validators=[InputRequired(REQUIRED)],
                                    render_kw={"inputmode": "numeric", "min": 5, "max": 480})
    format = SelectField(_l("Form"), validators=[DataRequired(REQUIRED)])
    conducted_by_id = SelectField(_l("Conducted by"), coerce=int,
                                  validators=[InputRequired(REQUIRED)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=LONG_TEXT)],
                            filters=[strip])
    #: Removed by the view for everybody but the school's psychologists.
    confidential_notes = TextAreaField(_l("Confidential notes (psychologists only)"),
                                       validators=[Length(max=LONG_TEXT)], filters=[strip])


class SessionForm(_SessionFields):
    participants = StringField(_l("Who else took part"), validators=[Length(max=300)],
                               filters=[strip])


class GroupSessionForm(_SessionFields):
    topic = StringField(_l("Topic"), validators=[DataRequired(REQUIRED), Length(max=300)],
                        filters=[strip])
    #: The minors in the group (enrolment ids), and those of them who did not come.
    minors = CheckboxesField(_l("Minors in the group"), coerce=int, validators=[Optional()])
    absent = CheckboxesField(_l("Did not attend"), coerce=int, validators=[Optional()])

    def attendance(self) -> dict[int, bool]:
        absent = set(self.absent.data or [])
        return {enrolment_id: enrolment_id not in absent for enrolment_id in self.minors.data or []}


class DeleteSessionForm(VersionedForm):
    reason = TextAreaField(_l("Why is the session deleted?"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)],
                           filters=[strip])


class DeleteGroupSessionForm(VersionedForm):
    reason = TextAreaField(_l("Why is the group session deleted?"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)],
                           filters=[strip])
