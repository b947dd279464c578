"""Who may do what: the one place that answers it.

Two layers (STYLE.md): every view carries a route rule (``@allow("rule")``, ``@public``
or ``@signed_in``), checked before the view runs; objects are loaded through
``get_or_404``, which asks the object policy ``can(user, action, obj)``. A view with no
rule is refused at run time, and a test fails on it.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user
from sqlalchemy import false, true

from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.audit.models import AuditEntry
from juvenile.extensions import db, login_manager

ALL_ROLES = frozenset(Role)
SCHOOL_ROLES = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})

#: Route rules: a name per capability, and the roles that have it.
RULES: dict[str, frozenset[Role]] = {
    "signed_in": ALL_ROLES,
    "manage_organisations": frozenset({Role.ADMIN}),
    "manage_accounts": frozenset({Role.ADMIN}),
    "view_audit": frozenset({Role.ADMIN, Role.DISTRICT_COORDINATOR}),
}
PUBLIC = "public"

#: Which organisation kinds each role may belong to.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.PSYCHOLOGIST: frozenset({OrganisationKind.SCHOOL, OrganisationKind.COLLEGE}),
    Role.SOCIAL_PEDAGOGUE: frozenset({OrganisationKind.SCHOOL, OrganisationKind.COLLEGE}),
    Role.SCHOOL_ADMIN: frozenset({OrganisationKind.SCHOOL, OrganisationKind.COLLEGE}),
    Role.POLICE_INSPECTOR: frozenset({OrganisationKind.POLICE}),
    Role.DISTRICT_COORDINATOR: frozenset({OrganisationKind.EDUCATION_DEPARTMENT}),
    Role.COMMISSION_MEMBER: frozenset({OrganisationKind.COMMISSION}),
    Role.PARTNER: frozenset(
        {OrganisationKind.HEALTH, OrganisationKind.SOCIAL_PROTECTION, OrganisationKind.COLLEGE}
    ),
    Role.METHODOLOGIST: frozenset({OrganisationKind.EDUCATION_DEPARTMENT}),
    Role.ADMIN: frozenset({OrganisationKind.EDUCATION_DEPARTMENT}),
}

#: Roles whose organisation must belong to a district (their scope is that district).
DISTRICT_BOUND_ROLES = frozenset({Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR})


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    """Open to anonymous visitors (login page, language switch, static files)."""
    return _mark(view, PUBLIC)


def allow(rule: str) -> Callable[[Callable], Callable]:
    """Route rule: only the roles that hold ``rule`` reach the view."""
    if rule not in RULES:
        raise KeyError(f"unknown access rule {rule!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_rule(current_user, rule):
                abort(403)
            return view(*args, **kwargs)

        return _mark(guarded, rule)

    return decorate


signed_in = allow("signed_in")


def has_rule(user, rule: str) -> bool:
    return user.is_authenticated and user.role_enum in RULES[rule]


def enforce_route_rule(app) -> None:
    """before_request: deny by default any endpoint that carries no rule."""
    endpoint = request.endpoint
    if endpoint is None:
        return  # no route matched: the 404 handler answers
    view = app.view_functions.get(endpoint)
    if getattr(view, "access_rule", None) is None:
        abort(403)


# --- scope ---------------------------------------------------------------------------


def is_regional(user: User) -> bool:
    """Region-wide scope: administrator, methodologist, a regional commission member."""
    if user.role_enum in {Role.ADMIN, Role.METHODOLOGIST}:
        return True
    return user.role_enum is Role.COMMISSION_MEMBER and user.organisation.district_id is None


def in_scope(user: User, district_id: int | None, organisation_id: int | None) -> bool:
    """Whether a record placed at (district, organisation) lies within the user's scope."""
    if is_regional(user):
        return True
    if user.role_enum in {Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR, Role.COMMISSION_MEMBER}:
        return district_id is not None and district_id == user.organisation.district_id
    return organisation_id is not None and organisation_id == user.organisation_id


# --- object policy -------------------------------------------------------------------


def can(user, action: str, obj) -> bool:
    """May ``user`` do ``action`` ("view", "edit", …) to ``obj``? Deny by default."""
    if user is None or not user.is_authenticated:
        return False
    policy = _POLICIES.get(type(obj))
    return bool(policy and policy(user, action, obj))


def _organisation_policy(user: User, action: str, org: Organisation) -> bool:
    if user.role_enum is Role.ADMIN:
        return True
    return action == "view" and in_scope(user, org.district_id, org.id)


def _user_policy(user: User, action: str, target: User) -> bool:
    if user.role_enum is Role.ADMIN:
        return True
    return action == "view" and target.id == user.id


def _audit_entry_policy(user: User, action: str, entry: AuditEntry) -> bool:
    if action != "view":
        return False  # the trail is append-only for everybody
    if user.role_enum is Role.ADMIN:
        return True
    return user.role_enum is Role.DISTRICT_COORDINATOR and (
        entry.district_id is not None and entry.district_id == user.organisation.district_id
    )


_POLICIES: dict[type, Callable] = {
    Organisation: _organisation_policy,
    User: _user_policy,
    AuditEntry: _audit_entry_policy,
}


def register_policy(model: type, policy: Callable) -> None:
    """Later domains add the policy of their own records here."""
    _POLICIES[model] = policy


def audit_visibility(user: User):
    """SQL condition on AuditEntry rows the user may read."""
    if user.role_enum is Role.ADMIN:
        return true()
    if user.role_enum is Role.DISTRICT_COORDINATOR and user.organisation.district_id:
        return AuditEntry.district_id == user.organisation.district_id
    return false()


def get_or_404(model: type, object_id: int, user, action: str = "view"):
    """Load a record the user may ``action``, or answer 404 without saying whether it exists.

    Opening a record of a model marked ``audit_openings = True`` writes an audit entry.
    """
    obj = db.session.get(model, object_id)
    if obj is None or not can(user, action, obj):
        abort(404)
    if getattr(model, "audit_openings", False):
        from juvenile.audit.services import record_opening

        record_opening(user, obj)
    return obj
