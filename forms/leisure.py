"""A leisure involvement: a section, club, mentoring, event or volunteering.

The kind's choices are filled by the view. The rules beyond a value's shape (the mentor's
contact, the dates against today and the enrolment) are the service's, so their messages
appear beside the field they concern.
"""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

LONG_TEXT = 4000




def _line(label, size: int, required: bool = False):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=size)], filters=[strip])


class InvolvementForm(VersionedForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired(REQUIRED)])
    name = _line(_l("Name of the section, club, event or project"), 300, required=True)
    organiser = _line(_l("Organiser"), 300)
    mentor_name = _line(_l("Mentor's name"), 200)
    mentor_contact = _line(_l("Mentor's contact (phone or e-mail)"), 200)
    starts_on = DateField(_l("Start date"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("End date"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=LONG_TEXT)], filters=[strip])
