"""The case file's forms: finding and registering a minor, representatives, enrolment.

Choices are filled by the views (forms never query the database). Rules beyond the shape
of a value (the IIN's check digit, dates against the birth date…) are the services'.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forms import VersionedForm, strip
from forms.accounts import REQUIRED


def _blank_to_none(value):
    if isinstance(value, str):
        value = value.strip()
    return value or None


class MinorSearchForm(FlaskForm):
    """Search by IIN (exact) or by surname / given name (beginning). A GET form."""

    class Meta:
        csrf = False

    q = StringField(_l("IIN or name"), validators=[Optional(), Length(max=100)],
                    filters=[strip])


class MinorForm(VersionedForm):
    iin = StringField(_l("IIN"), validators=[DataRequired(REQUIRED), Length(max=20)],
                      filters=[strip],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    surname = StringField(_l("Surname"), validators=[DataRequired(REQUIRED), Length(max=100)],
                          filters=[strip])
    given_name = StringField(_l("Given name"),
                             validators=[DataRequired(REQUIRED), Length(max=100)],
                             filters=[strip])
    patronymic = StringField(_l("Patronymic (if any)"), validators=[Length(max=100)],
                             filters=[_blank_to_none])
    birth_date = DateField(_l("Birth date"), validators=[InputRequired(REQUIRED)])
    sex = SelectField(_l("Sex"), validators=[DataRequired(REQUIRED)])
    schooling_language = SelectField(_l("Language of schooling"),
                                     validators=[DataRequired(REQUIRED)])
    address = StringField(_l("Address"), validators=[DataRequired(REQUIRED), Length(max=300)],
                          filters=[strip])
    phone = StringField(_l("Phone"), validators=[Length(max=40)], filters=[_blank_to_none])
    grade = StringField(_l("Grade or group"), validators=[Length(max=20)],
                        filters=[_blank_to_none])


class RepresentativeForm(VersionedForm):
    relation = SelectField(_l("Who they are to the minor"), validators=[DataRequired(REQUIRED)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=200)], filters=[strip])
    phone = StringField(_l("Phone"), validators=[Length(max=40)], filters=[_blank_to_none])
    address = StringField(_l("Address"), validators=[Length(max=300)],
                          filters=[_blank_to_none])
    consent_on = DateField(_l("Date of consent"), validators=[Optional()])
    consent_form = SelectField(_l("How the consent was given"))


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EnrolmentForm(FlaskForm):
    groups = CheckboxesField(_l("Target groups"), coerce=int,
                             validators=[DataRequired(_l("Choose at least one target group."))])
    source = SelectField(_l("Who identified the minor"), validators=[DataRequired(REQUIRED)])
    identified_on = DateField(_l("Date identified"), validators=[InputRequired(REQUIRED)])
    enrolled_on = DateField(_l("Date enrolled"), validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason for enrolment (summary)"),
                           validators=[DataRequired(REQUIRED), Length(max=4000)],
                           filters=[strip])
    police_registered_on = DateField(_l("Date of police preventive registration"),
                                     validators=[Optional()])
    police_grounds = TextAreaField(_l("Grounds of the registration"),
                                   validators=[Length(max=2000)], filters=[_blank_to_none])
    police_inspector = StringField(_l("Juvenile inspector who registered the minor"),
                                   validators=[Length(max=200)], filters=[_blank_to_none])
    released_on = DateField(_l("Release date"), validators=[Optional()])
    release_institution = StringField(_l("Institution released from"),
                                      validators=[Length(max=300)], filters=[_blank_to_none])


class TimelineFilterForm(FlaskForm):
    """The case page's timeline filter (a GET form)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Show"), validate_choice=False)
