from juvenile.accounts.models import Role
from tests.matrices import PUBLIC

ALL = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})

MATRIX = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.set_language": PUBLIC,
    "auth.logout": ALL,
    "auth.change_password": ALL,
    "main.home": ALL,
    "admin.organisations": ADMIN,
    "admin.new_organisation": ADMIN,
    "admin.edit_organisation": ADMIN,
    "admin.toggle_organisation": ADMIN,
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.toggle_user": ADMIN,
    "admin.reset_user_password": ADMIN,
    "admin.delete_user": ADMIN,
    "audit.entries": frozenset({Role.ADMIN, Role.DISTRICT_COORDINATOR}),
    "settings.edit": frozenset({Role.ADMIN, Role.METHODOLOGIST}),
}
