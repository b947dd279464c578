"""Regional settings: numbers the programme leaves to the region (deadlines, day counts)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class RegionalSetting(db.Model):
    """A value that overrides a setting's default. Absent row = the default applies."""

    __tablename__ = "regional_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def id(self) -> str:  # the audit trail names records by id
        return self.key

    @property
    def audit_scope(self) -> tuple[None, None]:
        return None, None
