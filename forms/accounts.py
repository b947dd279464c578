"""Sign-in, password, language, organisation and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
)

from forms import VersionedForm, choices

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    login = StringField(_l("Login"), validators=[DataRequired(REQUIRED), Length(max=64)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)],
                                 render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED),
                    EqualTo("new_password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LanguageForm(FlaskForm):
    language = SelectField(choices=choices([("kk", "Қазақша"), ("ru", "Русский")]))
    #: The page to return to after switching.
    next = HiddenField()


CODE_RULE = Regexp(r"^[A-Za-z0-9._-]+$",
                   message=_l("Use Latin letters, digits, dots, hyphens or underscores."))


class OrganisationForm(VersionedForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired(REQUIRED)])
    district_id = SelectField(_l("District"), coerce=lambda v: int(v) if v else None,
                              validate_choice=True)
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=32),
                                                CODE_RULE])
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(REQUIRED),
                                                            Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(REQUIRED),
                                                             Length(max=300)])


class UserForm(VersionedForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=200)])
    login = StringField(_l("Login"), validators=[DataRequired(REQUIRED), Length(min=3, max=64),
                                                 CODE_RULE])
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)])
    organisation_id = SelectField(_l("Organisation"), coerce=int,
                                  validators=[DataRequired(REQUIRED)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail.")),
                                                 Length(max=200)])


class OrganisationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    district_id = SelectField(_l("District"), coerce=lambda v: int(v) if v else None,
                              validate_choice=False)
    kind = SelectField(_l("Kind"), validate_choice=False)


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validate_choice=False)
    district_id = SelectField(_l("District"), coerce=lambda v: int(v) if v else None,
                              validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
