"""The individual rehabilitation programme: a draft's goals (and a correction's reason),
an activity, approval, and marking an occurrence by hand.

Choices are filled by the views (forms never query the database). The rules beyond the
shape of a value (dates inside the enrolment, exactly one responsible, staff of the
school…) are the services' (juvenile.irp.services).
"""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import VersionedForm, optional_int, strip
from forms.accounts import REQUIRED

LONG_TEXT = 4000






class DraftForm(VersionedForm):
    """A new draft (the version field is empty) or a draft's goals and reason."""

    goals = TextAreaField(_l("Goals of the programme"),
                          validators=[Length(max=LONG_TEXT)], filters=[strip])
    reason = TextAreaField(_l("Reason for the correction, or the review's conclusion"),
                           validators=[Length(max=LONG_TEXT)], filters=[strip])
    is_review = BooleanField(_l("This is the follow-up stage's review of the programme"))


class ActivityForm(VersionedForm):
    """A line of a draft; the version is the draft's."""

    direction = SelectField(_l("Direction"), validators=[DataRequired(REQUIRED)])
    title = TextAreaField(_l("What is to be done"),
                          validators=[DataRequired(REQUIRED), Length(max=1000)],
                          filters=[strip])
    responsible_user_id = SelectField(_l("Responsible member of the school's staff"),
                                      coerce=optional_int, validators=[Optional()])
    partner_organisation_id = SelectField(_l("or a partner organisation"),
                                          coerce=optional_int, validators=[Optional()])
    partner_name = StringField(_l("or a partner by name"), validators=[Length(max=300)],
                               filters=[strip])
    frequency = SelectField(_l("How often"), validators=[DataRequired(REQUIRED)])
    starts_on = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Until (for a one-off activity: due by)"),
                        validators=[InputRequired(REQUIRED)])
    fulfilled_by = SelectField(_l("Ticked off by"), validators=[Optional()])


class ApprovalForm(VersionedForm):
    """Approve a draft (or discard it, or remove an activity): the button carries only the
    draft's version."""


class MarkForm(VersionedForm):
    status = SelectField(_l("What happened"), validators=[DataRequired(REQUIRED)])
    done_on = DateField(_l("Date done"), validators=[Optional()])
    result = TextAreaField(_l("Result (for a cancellation: the reason)"),
                           validators=[Length(max=LONG_TEXT)], filters=[strip])
