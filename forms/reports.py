"""The monthly report's narrative, its submission and the commission's decision; the
repeat-offending baselines.

The rules beyond the shape of a value (who writes, which status allows what, a month
not yet over, a return without a comment) are the services'.
"""

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from forms import VersionedForm, strip
from forms.accounts import REQUIRED

LONG_TEXT = 8000
NOT_A_NUMBER = _l("Enter a number, e.g. 12,5.")




def _text(label, rows: int = 6):
    return TextAreaField(label, validators=[Length(max=LONG_TEXT)], filters=[strip],
                         render_kw={"rows": rows})


class NarrativeForm(VersionedForm):
    work_done = _text(_l("Work done"), 10)
    problems = _text(_l("Problems"))
    proposals = _text(_l("Proposals"))


class SubmitReportForm(VersionedForm):
    """The submit button: carries the report's version, so what is submitted is what the
    user saw."""


class DecisionForm(VersionedForm):
    comment = _text(_l("Comment to the author"), 4)
    accept = SubmitField(_l("Accept the report"))
    send_back = SubmitField(_l("Return for correction"))

    def decision(self) -> str | None:
        """"accepted", "returned", or None when neither button was pressed."""
        if self.accept.data:
            return "accepted"
        if self.send_back.data:
            return "returned"
        return None


class RateField(DecimalField):
    """A decimal typed with a comma (Kazakh and Russian) or a point: a text box, since a
    number box takes only the browser's own decimal separator."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).replace(" ", "").replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(NOT_A_NUMBER)) from error

    def _value(self):
        # Kazakh and Russian both write the decimal comma.
        return super()._value().replace(".", ",")


class BaselineForm(VersionedForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(REQUIRED)],
                        render_kw={"inputmode": "numeric", "maxlength": 4})
    rate = RateField(_l("Repeat offences per 100 minors under support"), places=2,
                     render_kw={"inputmode": "decimal"},
                        validators=[InputRequired(REQUIRED),
                                    NumberRange(min=0, max=1000,
                                                message=_l("From 0 to 1000."))])
    note = TextAreaField(_l("Source of the figure"), validators=[Optional(), Length(max=2000)],
                         filters=[strip])
