from juvenile.accounts.models import Role

MATRIX = {
    "worklists.my_work": frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE}),
    "worklists.school_cases": frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE,
                                         Role.SCHOOL_ADMIN}),
    "worklists.district_cases": frozenset({Role.DISTRICT_COORDINATOR}),
    "worklists.registered_minors": frozenset({Role.POLICE_INSPECTOR}),
}
