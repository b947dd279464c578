"""The methodologist's editor of an instrument's key."""

import json

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from forms import VersionedForm
from forms.accounts import REQUIRED

#: Parts of a definition the editor does not show: they never change with a new version.
FIXED_PARTS = ("code", "construct", "name", "key_verified")


def editable_part(definition: dict) -> str:
    """The definition as the editor shows it, without the fixed parts: one line per part,
    and one line per scale and per cut-off rule, so a key fits on a screen."""
    lines = []
    for key, value in definition.items():
        if key in FIXED_PARTS:
            continue
        if key in ("scales", "levels") and isinstance(value, list) and value:
            inner = ",\n  ".join(json.dumps(part, ensure_ascii=False) for part in value)
            lines.append(f' {json.dumps(key)}: [\n  {inner}\n ]')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}"


class InstrumentKeyForm(VersionedForm):
    """A new version of the key: the definition as JSON, the verified flag and a note.

    The hidden ``version`` carries the number of the version the editor was opened at.
    """

    definition = TextAreaField(
        _l("Key (scales, items, keyed answers, reverse items, weights, cut-offs)"),
        validators=[DataRequired(REQUIRED)], render_kw={"rows": 30, "spellcheck": "false"})
    key_verified = BooleanField(_l("The key was checked against a primary source"))
    note = TextAreaField(_l("What changed and why"),
                         validators=[DataRequired(REQUIRED), Length(max=2000)],
                         render_kw={"rows": 3})

    def validate_definition(self, field) -> None:
        try:
            parsed = json.loads(field.data)
        except json.JSONDecodeError as error:
            raise ValidationError(_l("This is not valid JSON: line %(line)d, column %(column)d.",
                                     line=error.lineno, column=error.colno)) from None
        if not isinstance(parsed, dict):
            raise ValidationError(_l("The key must be a JSON object ({…})."))
        self.parsed = parsed
