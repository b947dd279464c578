"""The audit trail: append-only, enforced by the ORM and by database triggers."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None when the system itself acted (the demo loader, a scheduled job).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The actor's login and name as they were, so renaming an account keeps history readable.
    actor_login: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    #: e.g. "create", "update", "deactivate", "open", "login", "login_failed".
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    #: A short label of the object in its own words (a login, a code, a name), not prose:
    #: the action and the record kind are translated when the entry is shown.
    summary: Mapped[str] = mapped_column(Text)
    #: {field: [before, after]} for updates; the new values for creations.
    changes: Mapped[dict | None] = mapped_column(JSON)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    #: Scope of the object, so a coordinator sees the entries of their district.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_district_id_at", "district_id", "at"),
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_actor_id_at", "actor_id", "at"),
    )


class AuditEntryImmutable(Exception):
    pass


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditEntryImmutable("audit entries cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditEntryImmutable("audit entries cannot be deleted")
