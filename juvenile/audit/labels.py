"""How actions and record kinds of the trail read in the interface language."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "activate": _l("activated"),
    "deactivate": _l("deactivated"),
    "open": _l("opened"),
    "iin_match": _l("entered the IIN of a registered minor"),
    "login": _l("signed in"),
    "logout": _l("signed out"),
    "login_failed": _l("failed sign-in"),
    "change_password": _l("changed own password"),
    "reset_password": _l("reset password"),
    "password_check_failed": _l("wrong current password"),
    "demo_loaded": _l("loaded the demo region"),
}

OBJECT_LABELS = {
    "organisations": _l("Organisation"),
    "users": _l("Account"),
    "login": _l("Sign-in"),
    "system": _l("System"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))
