"""The family environment analysis and the portrait's conclusion.

Choices are filled by the views (forms never query the database). The rules beyond the
shape of a value (dates, a note that a "yes" needs, who may record) are the services'.
"""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

YES, NO = "yes", "no"
LONG_TEXT = 4000




def _note(label):
    return TextAreaField(label, validators=[Length(max=LONG_TEXT)], filters=[strip])


class FamilyAnalysisForm(VersionedForm):
    recorded_on = DateField(_l("Date of the analysis"), validators=[InputRequired(REQUIRED)])
    household = TextAreaField(_l("Who lives with the minor"),
                              validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT)],
                              filters=[strip])
    parenting_style = SelectField(_l("Parenting style"), validators=[DataRequired(REQUIRED)])
    conflict = SelectField(_l("Conflict in the family"), validators=[DataRequired(REQUIRED)])
    violence_or_neglect_signs = RadioField(_l("Signs of violence or neglect"),
                                           validators=[InputRequired(REQUIRED)])
    violence_or_neglect_note = _note(_l("What was seen (if yes)"))
    substance_use = RadioField(_l("Substance use in the family"),
                               validators=[InputRequired(REQUIRED)])
    substance_use_note = _note(_l("Who uses what, how often (if yes)"))
    material_conditions = SelectField(_l("Material conditions"),
                                      validators=[DataRequired(REQUIRED)])
    supervision = SelectField(_l("Supervision of the minor"),
                              validators=[DataRequired(REQUIRED)])
    risk_factors = _note(_l("Risk factors"))
    protective_factors = _note(_l("Protective factors"))

    def flag(self, name: str) -> bool:
        return getattr(self, name).data == YES


class ConclusionForm(VersionedForm):
    strengths = TextAreaField(_l("Strengths"), validators=[Length(max=LONG_TEXT)],
                              filters=[strip])
    conclusion = TextAreaField(_l("The specialist's conclusion"),
                               validators=[Length(max=LONG_TEXT)], filters=[strip])
