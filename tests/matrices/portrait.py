"""The family analysis and the social-psychological portrait (HTML and PDF).

The school's staff of the minor see the portrait; psychologists and social pedagogues
record the family analysis (the deputy head gets 403); the conclusion is written by the
responsible specialist and the school's psychologists (the case of tests/test_access.py
has no responsible specialist, so only the psychologist reaches it there).
"""

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
RECORDERS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})

MATRIX = {
    "portrait.new_family": RECORDERS,
    "portrait.edit_family": RECORDERS,
    "portrait.portrait": SCHOOL,
    "portrait.portrait_pdf": SCHOOL,
    "portrait.edit_conclusion": frozenset({Role.PSYCHOLOGIST}),
}
