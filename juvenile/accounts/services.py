"""Rules for organisations and accounts. Every change is audited here, beside it."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from juvenile.access import DISTRICT_BOUND_ROLES, ROLE_ORGANISATION_KINDS
from juvenile.accounts.models import (
    LoginFailure,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from juvenile.accounts.passwords import (
    hash_password,
    needs_rehash,
    new_session_token,
    temporary_password,
    verify_password,
)
from juvenile.audit import services as audit
from juvenile.audit.models import AuditEntry
from juvenile.dbtypes import utcnow
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db

ORGANISATION_FIELDS = ["kind", "district_id", "code", "name_kk", "name_ru", "is_active"]
USER_FIELDS = ["login", "full_name", "role", "organisation_id", "email", "is_enabled"]



@cache
def _dummy_hash() -> str:
    """A hash to verify against when the login is unknown, so both paths take as long."""
    return hash_password("no-such-account-password")


def _update_own(user: User, **values) -> None:
    """Write the account's own bookkeeping (sign-in time, language, own password) without
    moving its version: those are not the fields an administrator edits, so an open
    administrator's form must not turn stale because its owner signed in."""
    db.session.execute(update(User).where(User.id == user.id).values(**values),
                       execution_options={"synchronize_session": False})
    for name, value in values.items():
        set_committed_value(user, name, value)


# --- organisations -------------------------------------------------------------------


@dataclass
class OrganisationData:
    kind: str
    district_id: int | None
    code: str
    name_kk: str
    name_ru: str


def _validate_organisation(data: OrganisationData, current: Organisation | None) -> None:
    data.code = data.code.strip().upper()
    if data.kind not in OrganisationKind.__members__.values():
        raise ServiceError(_("Choose the kind of organisation."), "kind")
    needs_district = data.kind not in {
        OrganisationKind.EDUCATION_DEPARTMENT,
        OrganisationKind.COMMISSION,
        OrganisationKind.HEALTH,
        OrganisationKind.SOCIAL_PROTECTION,
    }
    if needs_district and data.district_id is None:
        raise ServiceError(_("A school, college or police department belongs to a district."),
                           "district_id")
    clash = db.session.scalar(select(Organisation.id).where(Organisation.code == data.code))
    if clash is not None and (current is None or clash != current.id):
        raise ServiceError(_("Another organisation already has this code."), "code")


def create_organisation(actor: User, data: OrganisationData, region_id: int) -> Organisation:
    """Add an organisation to the region."""
    _validate_organisation(data, None)
    org = Organisation(region_id=region_id, **data.__dict__)
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "create", org, org.code,
                 audit.snapshot(org, ORGANISATION_FIELDS))
    return org


def update_organisation(
    actor: User, org: Organisation, data: OrganisationData, expected_version: int | None
) -> Organisation:
    """Change an organisation; refused if it changed since the form was opened."""
    check_version(org, expected_version)
    _validate_organisation(data, org)
    if data.kind != org.kind and db.session.scalar(
        select(exists().where(User.organisation_id == org.id))
    ):
        raise ServiceError(_("The kind cannot change while the organisation has accounts."),
                           "kind")
    if data.district_id != org.district_id and _has_minors(org):
        raise ServiceError(_("The district cannot change while the organisation has minors "
                             "on record: hand their cases over first."), "district_id")
    before = audit.snapshot(org, ORGANISATION_FIELDS)
    for name, value in data.__dict__.items():
        setattr(org, name, value)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(org, ORGANISATION_FIELDS))
    if changes:
        audit.record(actor, "update", org, org.code, changes)
        if "district_id" in changes and before["district_id"] is not None:
            # the district it left sees the move in its own trail too
            audit.record(actor, "update", org, org.code, changes,
                         scope=(before["district_id"], org.id))
    return org


def _has_minors(org: Organisation) -> bool:
    from juvenile.cases.models import Minor

    return bool(db.session.scalar(select(exists().where(Minor.organisation_id == org.id))))


def set_organisation_active(
    actor: User, org: Organisation, active: bool, expected_version: int | None = None
) -> None:
    """Deactivate (or reactivate) an organisation. Refused while it has active accounts."""
    check_version(org, expected_version)
    if org.is_active == active:
        return
    if not active and db.session.scalar(
        select(exists().where(User.organisation_id == org.id, User.is_enabled.is_(True)))
    ):
        raise ServiceError(_("Deactivate the organisation's accounts first."))
    org.is_active = active
    db.session.flush()
    audit.record(actor, "activate" if active else "deactivate", org,
                 org.code,
                 {"is_active": [not active, active]})


# --- accounts ------------------------------------------------------------------------


@dataclass
class UserData:
    login: str
    full_name: str
    role: str
    organisation_id: int
    email: str | None = None


def _validate_user(data: UserData, current: User | None) -> Organisation:
    data.login = data.login.strip().lower()
    clash = db.session.scalar(select(User.id).where(User.login == data.login))
    if clash is not None and (current is None or clash != current.id):
        raise ServiceError(_("This login is taken."), "login")
    try:
        role = Role(data.role)
    except ValueError:
        raise ServiceError(_("Choose a role."), "role") from None
    org = db.session.get(Organisation, data.organisation_id)
    if org is None or not org.is_active:
        raise ServiceError(_("Choose an active organisation."), "organisation_id")
    if OrganisationKind(org.kind) not in ROLE_ORGANISATION_KINDS[role]:
        raise ServiceError(_("This role cannot belong to an organisation of this kind."),
                           "organisation_id")
    if role in DISTRICT_BOUND_ROLES and org.district_id is None:
        raise ServiceError(_("This role needs an organisation of a district."),
                           "organisation_id")
    return org


def create_user(actor: User, data: UserData) -> tuple[User, str]:
    """Create an account with a one-time password the user must replace at first login.

    Returns the account and the temporary password, shown once to the administrator.
    """
    _validate_user(data, None)
    password = temporary_password()
    user = User(
        login=data.login,
        full_name=data.full_name.strip(),
        role=data.role,
        organisation_id=data.organisation_id,
        email=data.email or None,
        password_hash=hash_password(password),
        must_change_password=True,
        session_token=new_session_token(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", user, user.login,
                 audit.snapshot(user, USER_FIELDS))
    return user, password


def update_user(actor: User, user: User, data: UserData, expected_version: int | None) -> User:
    """Change an account's details; refused if it changed since the form was opened."""
    check_version(user, expected_version)
    _validate_user(data, user)
    if user.id == actor.id and data.role != user.role:
        raise ServiceError(_("You cannot change your own role."), "role")
    if data.organisation_id != user.organisation_id or data.role != user.role:
        _refuse_while_responsible(user)
    before = audit.snapshot(user, USER_FIELDS)
    user.login = data.login
    user.full_name = data.full_name.strip()
    user.organisation_id = data.organisation_id
    user.email = data.email or None
    if user.role != data.role:
        user.role = data.role
        user.session_token = new_session_token()  # new rights take effect at once
    db.session.flush()
    db.session.refresh(user, ["organisation"])
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if changes:
        audit.record(actor, "update", user, user.login, changes)
    return user


def set_user_enabled(actor: User, user: User, enabled: bool,
                     expected_version: int | None = None) -> None:
    """Deactivate or reactivate an account. Deactivation ends its open sessions."""
    check_version(user, expected_version)
    if user.id == actor.id and not enabled:
        raise ServiceError(_("You cannot deactivate your own account."))
    if user.is_enabled == enabled:
        return
    if not enabled:
        _refuse_while_responsible(user)
    if enabled and not user.organisation.is_active:
        raise ServiceError(_("The account's organisation is deactivated: reactivate the "
                             "organisation first, or move the account to another one."))
    user.is_enabled = enabled
    user.session_token = new_session_token()
    db.session.flush()
    audit.record(actor, "activate" if enabled else "deactivate", user,
                 user.login,
                 {"is_enabled": [not enabled, enabled]})


def _refuse_while_responsible(user: User) -> None:
    from juvenile.cases.models import Enrolment

    open_cases = db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.responsible_id == user.id, Enrolment.closed_on.is_(None)))
    if open_cases:
        raise ServiceError(_("This account is the responsible specialist of %(n)d open "
                             "cases: the deputy head reassigns them first.", n=open_cases))


def reset_password(actor: User, user: User) -> str:
    """Give the account a new one-time password; its sessions end."""
    if user.id == actor.id:
        raise ServiceError(_("Use “Change password” for your own account."))
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_token = new_session_token()
    db.session.flush()
    audit.record(actor, "reset_password", user, user.login)
    return password


def has_authored_records(user: User) -> bool:
    """Whether anything in the system was done by this account (it then can't be deleted)."""
    return bool(db.session.scalar(select(exists().where(AuditEntry.actor_id == user.id))))


def delete_user(actor: User, user: User) -> None:
    """Delete an account that never did anything; otherwise it must be deactivated."""
    if user.id == actor.id:
        raise ServiceError(_("You cannot delete your own account."))
    if has_authored_records(user):
        raise ServiceError(
            _("This account has authored records: it can be deactivated, never deleted.")
        )
    audit.record(actor, "delete", user, user.login,
                 audit.snapshot(user, USER_FIELDS))
    try:
        with db.session.begin_nested():
            db.session.delete(user)
    except IntegrityError:
        # named on a case (responsible, co-worker, author): it stays, deactivated at most
        raise ServiceError(_("This account has authored records: it can be deactivated, "
                             "never deleted.")) from None


# --- signing in ----------------------------------------------------------------------


class LoginThrottled(ServiceError):
    pass


def _throttled(login: str, remote_addr: str) -> bool:
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    by_login, by_addr = db.session.execute(
        select(
            func.count().filter(LoginFailure.login == login),
            func.count().filter(LoginFailure.remote_addr == remote_addr),
        ).where(LoginFailure.at >= since)
    ).one()
    return (by_login >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
            or by_addr >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


def authenticate(login: str, password: str, remote_addr: str) -> User | None:
    """Check a login and password. None for any failure, so both give the same message.

    Raises LoginThrottled after too many recent failures for the login or the address.
    """
    login = login.strip().lower()
    if _throttled(login, remote_addr):
        raise LoginThrottled(
            _("Too many failed attempts. Wait %(minutes)d minutes and try again.",
              minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
        )
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        verify_password(_dummy_hash(), password)
    if user is None or not verify_password(user.password_hash, password) or not user.is_enabled:
        db.session.add(LoginFailure(login=login, remote_addr=remote_addr))
        # The actor is unknown: whoever typed the password is not necessarily the account.
        audit.record(None, "login_failed", user, login,
                     object_type="login")
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.login == login))
    own = {"last_login_at": utcnow()}
    if needs_rehash(user.password_hash):
        own["password_hash"] = hash_password(password)
    _update_own(user, **own)
    audit.record(user, "login", user, user.login, object_type="login")
    return user


def record_logout(user: User) -> None:
    """Sign-out: the session token rotates, so a copied session cookie is dead too."""
    _update_own(user, session_token=new_session_token())
    audit.record(user, "logout", user, user.login, object_type="login")


def check_new_password(user: User, password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ServiceError(
            _("The password must have at least %(n)d characters.", n=minimum), "new_password"
        )
    if password.strip().lower() == user.login:
        raise ServiceError(_("The password must not be your login."), "new_password")


def change_password(user: User, current_password: str, new_password: str,
                    remote_addr: str = "unknown") -> None:
    """The user replaces their password; every other session of the account ends."""
    if _throttled(user.login, remote_addr):
        raise LoginThrottled(
            _("Too many failed attempts. Wait %(minutes)d minutes and try again.",
              minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"]), "current_password")
    if not verify_password(user.password_hash, current_password):
        # counted like a failed sign-in: an unlocked screen is no way to guess a password
        db.session.add(LoginFailure(login=user.login, remote_addr=remote_addr))
        audit.record(user, "password_check_failed", user, user.login)
        raise ServiceError(_("The current password is wrong."), "current_password")
    check_new_password(user, new_password)
    if current_password == new_password:
        raise ServiceError(_("Choose a password different from the current one."),
                           "new_password")
    _update_own(user, password_hash=hash_password(new_password), must_change_password=False,
                password_changed_at=utcnow(), session_token=new_session_token())
    audit.record(user, "change_password", user, user.login)


def set_language(user: User, locale: str) -> None:
    """Remember the interface language the user chose."""
    if locale not in current_app.config["LANGUAGES"] or user.locale == locale:
        return
    before = user.locale
    _update_own(user, locale=locale)
    audit.record(user, "update", user, user.login,
                 {"locale": [before, locale]})
