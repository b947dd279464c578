"""Reading the audit trail within the reader's scope."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from juvenile.access import audit_visibility
from juvenile.audit.models import AuditEntry
from juvenile.pagination import paginate


def _local_midnight_utc(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone)


def entries_page(user, *, actor: str | None, action: str | None, object_type: str | None,
                 date_from: date | None, date_to: date | None, page: int, per_page: int):
    """The newest entries first, filtered, limited to what ``user`` may read."""
    stmt = select(AuditEntry).where(audit_visibility(user))
    if actor:
        stmt = stmt.where(AuditEntry.actor_login == actor.strip().lower())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if date_from:
        stmt = stmt.where(AuditEntry.at >= _local_midnight_utc(date_from))
    if date_to:
        stmt = stmt.where(AuditEntry.at < _local_midnight_utc(date_to + timedelta(days=1)))
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return paginate(stmt, page, per_page)
