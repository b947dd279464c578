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
from sqlalchemy import and_, exists, false, select, true

from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.audit.models import AuditEntry
from juvenile.extensions import db, login_manager

ALL_ROLES = frozenset(Role)
SCHOOL_ROLES = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
SPECIALISTS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})
#: Roles that open case files at all; the commission and partners get referred cases later.
CASE_ROLES = SCHOOL_ROLES | {Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR}
#: Roles that see clinical content (assessments, notes) of the cases in their scope.
CLINICAL_ROLES = SCHOOL_ROLES

#: Route rules: a name per capability, and the roles that have it.
RULES: dict[str, frozenset[Role]] = {
    "signed_in": ALL_ROLES,
    "manage_organisations": frozenset({Role.ADMIN}),
    "manage_accounts": frozenset({Role.ADMIN}),
    "view_audit": frozenset({Role.ADMIN, Role.DISTRICT_COORDINATOR}),
    "edit_settings": frozenset({Role.ADMIN, Role.METHODOLOGIST}),
    "view_cases": CASE_ROLES,
    "register_minors": SCHOOL_ROLES,
    "work_on_cases": SCHOOL_ROLES,
    "assign_specialists": frozenset({Role.SCHOOL_ADMIN}),
    "extend_stages": frozenset({Role.DISTRICT_COORDINATOR}),
    "record_incidents": SCHOOL_ROLES | {Role.POLICE_INSPECTOR},
    "my_work": SPECIALISTS,
    "school_cases": SCHOOL_ROLES,
    "district_cases": frozenset({Role.DISTRICT_COORDINATOR}),
    "registered_minors": frozenset({Role.POLICE_INSPECTOR}),
    "record_assessments": frozenset({Role.PSYCHOLOGIST}),
    "view_diagnostics": SCHOOL_ROLES,
    "edit_instruments": frozenset({Role.METHODOLOGIST}),
    "view_instruments": frozenset({Role.METHODOLOGIST, Role.PSYCHOLOGIST}),
    "crisis_protocol": SCHOOL_ROLES | {Role.DISTRICT_COORDINATOR},
    # the programme's work (IRP, sessions, family, education, leisure)
    "view_programme": SCHOOL_ROLES | {Role.DISTRICT_COORDINATOR},
    "draft_irp": SPECIALISTS,
    "approve_irp": frozenset({Role.SCHOOL_ADMIN}),
    "record_work": SPECIALISTS,
    "view_sessions": SCHOOL_ROLES,
    "enter_attendance": SCHOOL_ROLES,
    # monthly reports and the effectiveness analysis (aggregates only)
    "view_reports": frozenset({Role.SCHOOL_ADMIN, Role.DISTRICT_COORDINATOR,
                               Role.COMMISSION_MEMBER, Role.METHODOLOGIST}),
    "write_reports": frozenset({Role.SCHOOL_ADMIN, Role.DISTRICT_COORDINATOR,
                                Role.METHODOLOGIST}),
    "review_reports": frozenset({Role.COMMISSION_MEMBER}),
    "enter_baselines": frozenset({Role.DISTRICT_COORDINATOR, Role.METHODOLOGIST}),
    "view_effectiveness": frozenset({Role.DISTRICT_COORDINATOR, Role.COMMISSION_MEMBER,
                                     Role.METHODOLOGIST}),
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


def sees_clinical(user: User) -> bool:
    """Clinical content (assessments, session notes) never reaches the other roles."""
    return user.is_authenticated and user.role_enum in CLINICAL_ROLES


def _case_policy(user: User, action: str, record) -> bool:
    """Minors and enrolments: who may view, edit, assign, move, extend, close."""
    role = user.role_enum
    if role not in CASE_ROLES:
        return False
    # An enrolment is the minor's: after a hand-over its history (closed enrolments too)
    # belongs to the minor's current school, as the case file does.
    place = record.minor if hasattr(record, "minor_id") else record
    same_school = place.organisation_id == user.organisation_id
    same_district = (place.district_id is not None
                     and place.district_id == user.organisation.district_id)
    if role is Role.POLICE_INSPECTOR:
        same_district = same_district and _under_police_watch(record)
    if action == "view":
        return same_school if role in SCHOOL_ROLES else same_district
    if action == "record_incident":
        return same_school if role in SCHOOL_ROLES else (
            role is Role.POLICE_INSPECTOR and same_district)
    if action == "extend":
        return role is Role.DISTRICT_COORDINATOR and same_district
    if action == "assign":
        return role is Role.SCHOOL_ADMIN and same_school
    if action in {"edit", "enrol", "transfer", "move", "close"}:
        return role in SCHOOL_ROLES and same_school
    return False


#: The timeline lines the police inspector reads: the case's legal course (registration,
#: enrolment, stages, specialist, offences, hand-overs, closure), none of the work with
#: the minor and the family (sessions, visits, schooling, leisure, the IRP).
POLICE_TIMELINE_KINDS = frozenset({
    "registered", "consent", "enrolled", "specialist_assigned", "stage", "extended",
    "closed", "incident", "transfer_requested", "transfer_accepted"})


def timeline_kinds_for(user: User) -> frozenset[str] | None:
    """The kinds of timeline lines a role may read beyond the clinical rule; None: all."""
    return POLICE_TIMELINE_KINDS if user.role_enum is Role.POLICE_INSPECTOR else None


def may_see_answers(user: User, minor, enrolment=None) -> bool:
    """Item answers and clinical notes: the psychologists of the minor's school and the
    responsible specialist of the case, nobody else."""
    if not user.is_authenticated or minor.organisation_id != user.organisation_id:
        return False  # staff who moved schools, or a minor handed over: no longer theirs
    if (enrolment is not None and enrolment.responsible_id == user.id and enrolment.is_open
            and enrolment.organisation_id == user.organisation_id):
        return True
    return user.role_enum is Role.PSYCHOLOGIST


def may_see_levels(user: User, minor) -> bool:
    """Levels, the family analysis and the conclusion: the school's staff of the minor
    (psychologists, social pedagogues, the deputy head); not the police, not the
    commission."""
    return (user.is_authenticated and user.role_enum in SCHOOL_ROLES
            and minor.organisation_id == user.organisation_id)


def _transfer_policy(user: User, action: str, transfer) -> bool:
    if user.role_enum not in SCHOOL_ROLES:
        return False
    if action == "view":
        return user.organisation_id in {transfer.from_organisation_id,
                                        transfer.to_organisation_id}
    if action == "accept":
        return (user.role_enum is Role.SCHOOL_ADMIN
                and user.organisation_id == transfer.to_organisation_id)
    if action == "decline":
        return user.organisation_id == transfer.to_organisation_id or (
            user.organisation_id == transfer.from_organisation_id)
    return False


_POLICIES: dict[type, Callable] = {
    Organisation: _organisation_policy,
    User: _user_policy,
    AuditEntry: _audit_entry_policy,
}


def register_policy(model: type, policy: Callable) -> None:
    """Later domains add the policy of their own records here."""
    _POLICIES[model] = policy


def _register_case_policies() -> None:
    from juvenile.cases.models import Enrolment, Minor, Transfer

    register_policy(Minor, _case_policy)
    register_policy(Enrolment, _case_policy)
    register_policy(Transfer, _transfer_policy)


_register_case_policies()


#: Target groups that concern the police: preventive registration, released from detention.
POLICE_GROUPS = (1, 4)


def _police_watch_clause(model):
    """SQL: the minor has an open enrolment in a police group."""
    from juvenile.cases.models import Enrolment, Minor, enrolment_groups

    minor_id = model.id if model is Minor else model.minor_id
    return exists(
        select(enrolment_groups.c.enrolment_id)
        .join(Enrolment, Enrolment.id == enrolment_groups.c.enrolment_id)
        .where(Enrolment.minor_id == minor_id, Enrolment.closed_on.is_(None),
               enrolment_groups.c.target_group.in_(POLICE_GROUPS)))


def _under_police_watch(record) -> bool:
    from juvenile.cases.models import Minor

    model = type(record)
    key = Minor.id if model is Minor else model.id
    return bool(db.session.scalar(select(key).where(
        key == record.id, _police_watch_clause(model))))


def case_scope(user: User, model):
    """SQL condition on rows of ``model`` (Minor, Enrolment: organisation_id, district_id)
    within the user's case scope; false for roles that open no case files. The police see
    only minors of their district whose open case is in group 1 or 4."""
    role = user.role_enum
    if role in SCHOOL_ROLES:
        return model.organisation_id == user.organisation_id
    district_id = user.organisation.district_id
    if role is Role.DISTRICT_COORDINATOR and district_id:
        return model.district_id == district_id
    if role is Role.POLICE_INSPECTOR and district_id:
        return and_(model.district_id == district_id, _police_watch_clause(model))
    return false()


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


def may_see_session_notes(user, minor) -> bool:
    """Confidential notes of sessions: the psychologists of the minor's school, nobody
    else (not the social pedagogue, not the deputy head, not the responsible specialist
    when that is a social pedagogue)."""
    return (user.is_authenticated and user.role_enum is Role.PSYCHOLOGIST
            and minor.organisation_id == user.organisation_id)
