"""What a user's home page shows: their scope, in a fixed number of queries."""

from sqlalchemy import func, select, true

from juvenile.access import audit_visibility, is_regional
from juvenile.accounts.models import Organisation, Role, User
from juvenile.audit.models import AuditEntry
from juvenile.extensions import db

DISTRICT_SCOPED = {Role.DISTRICT_COORDINATOR, Role.POLICE_INSPECTOR, Role.COMMISSION_MEMBER}


def organisation_scope(user: User):
    """SQL condition on Organisation rows within the user's scope."""
    if is_regional(user):
        return true()
    if user.role_enum in DISTRICT_SCOPED:
        return Organisation.district_id == user.organisation.district_id
    return Organisation.id == user.organisation_id


def kind_counts(user: User) -> list[tuple[str, int, int]]:
    """Per organisation kind in scope: (kind, organisations, active accounts)."""
    accounts = (
        select(User.organisation_id, func.count(User.id).label("n"))
        .where(User.is_enabled.is_(True))
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation.kind, func.count(Organisation.id),
               func.coalesce(func.sum(accounts.c.n), 0))
        .outerjoin(accounts, accounts.c.organisation_id == Organisation.id)
        .where(organisation_scope(user), Organisation.is_active.is_(True))
        .group_by(Organisation.kind)
        .order_by(Organisation.kind)
    )
    return [(kind, orgs, int(people)) for kind, orgs, people in rows]


def colleagues(user: User) -> list[User]:
    """Active accounts of the user's own organisation."""
    return list(db.session.scalars(
        select(User).where(User.organisation_id == user.organisation_id,
                           User.is_enabled.is_(True)).order_by(User.role, User.full_name)))


def recent_audit(user: User, limit: int = 8) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(audit_visibility(user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def awaiting_first_sign_in() -> int:
    """Active accounts that still hold the administrator's one-time password."""
    return db.session.scalar(select(func.count(User.id)).where(
        User.is_enabled.is_(True), User.must_change_password.is_(True))) or 0
