"""The case file screens: finding and registering minors, the case page, representatives,
enrolment."""

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
CASES = SCHOOL | {Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR}

MATRIX = {
    "cases.minors": CASES,
    "cases.new_minor": SCHOOL,
    "cases.case_file": CASES,
    "cases.edit_minor": SCHOOL,
    "cases.new_representative": SCHOOL,
    "cases.edit_representative": SCHOOL,
    "cases.enrol": SCHOOL,
}
