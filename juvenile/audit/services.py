"""Writing the audit trail. Called by every service next to the change it makes."""

from datetime import date, datetime
from typing import Any, Protocol

from flask import has_request_context, request
from sqlalchemy.orm import Session

from juvenile.audit.models import AuditEntry
from juvenile.extensions import db


class Audited(Protocol):
    """What a record offers so its entries land in the right scope."""

    id: int

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        """(district_id, organisation_id) of the record."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The given fields of a record as plain JSON values, taken before a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


#: What a redacted free-text value reads as in the trail.
REDACTED = "(text)"


def _redact_value(value: Any) -> Any:
    return value if value in (None, "", [], {}) else REDACTED


def redact(changes: dict | None, text_fields) -> dict | None:
    """The same changes with free text replaced by a marker: the trail says that a
    summary or a conclusion changed, never what it says (the coordinator reads the
    trail; clinical and family text must not reach them). Works on a diff
    {field: [before, after]} and on a plain {field: value} snapshot."""
    if not changes:
        return changes
    fields = set(text_fields)
    result = {}
    for name, value in changes.items():
        if name not in fields:
            result[name] = value
        elif isinstance(value, list) and len(value) == 2 and name in changes and (
                not isinstance(value[0], dict)):
            result[name] = [_redact_value(value[0]), _redact_value(value[1])]
        else:
            result[name] = _redact_value(value)
    return result


def _remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    actor,
    action: str,
    obj: Audited | None,
    summary: str,
    changes: dict | None = None,
    *,
    object_type: str | None = None,
    scope: tuple[int | None, int | None] | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` is a User, or None for the system itself."""
    district_id, organisation_id = scope if scope is not None else (
        obj.audit_scope if obj is not None else (None, None)
    )
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_login=actor.login if actor is not None else "system",
        actor_name=actor.full_name if actor is not None else "system",
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "system"),
        object_id=obj.id if obj is not None else None,
        summary=summary,
        changes=changes or None,
        remote_addr=_remote_addr(),
        district_id=district_id,
        organisation_id=organisation_id,
    )
    db.session.add(entry)
    return entry


def record_access(actor, action: str, obj: Audited) -> None:
    """Log that ``actor`` reached a sensitive record, in its own committed transaction: a
    page that only reads, or a request that is refused or fails afterwards, still leaves
    the record of the access."""
    district_id, organisation_id = obj.audit_scope
    with Session(db.engine) as session, session.begin():
        session.add(AuditEntry(
            actor_id=actor.id, actor_login=actor.login, actor_name=actor.full_name,
            action=action, object_type=obj.__tablename__, object_id=obj.id,
            summary=getattr(obj, "audit_label", f"#{obj.id}"), remote_addr=_remote_addr(),
            district_id=district_id, organisation_id=organisation_id))


def record_opening(actor, obj: Audited) -> None:
    """Log that ``actor`` opened a sensitive record (a minor's case file).

    Models mark themselves sensitive with ``audit_openings = True``; the object loader
    in ``juvenile.access`` calls this for them, so no view can forget it.
    """
    record_access(actor, "open", obj)
