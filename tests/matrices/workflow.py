"""The screens that work a case: specialists, stages, extension, closure, incidents,
hand-overs."""

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
SCHOOL_ADMIN = frozenset({Role.SCHOOL_ADMIN})

MATRIX = {
    "workflow.assign": SCHOOL_ADMIN,
    "workflow.stage": SCHOOL,
    "workflow.extend": frozenset({Role.DISTRICT_COORDINATOR}),
    "workflow.close": SCHOOL,
    "workflow.new_incident": SCHOOL | {Role.POLICE_INSPECTOR},
    "workflow.new_transfer": SCHOOL,
    "workflow.transfers": SCHOOL,
    "workflow.accept_transfer": SCHOOL_ADMIN,
    "workflow.decline_transfer": SCHOOL,
}
