"""Regions, districts, organisations and user accounts."""

import enum
from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from juvenile.dbtypes import UTCDateTime, utcnow
from juvenile.extensions import db


class Bilingual:
    """A record named in Kazakh and Russian; ``name`` follows the interface language."""

    name_kk: Mapped[str]
    name_ru: Mapped[str]

    @property
    def name(self) -> str:
        locale = get_locale()
        return self.name_ru if locale is not None and locale.language == "ru" else self.name_kk


class Region(Bilingual, db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))

    districts: Mapped[list["District"]] = relationship(back_populates="region")


class District(Bilingual, db.Model):
    """A district of the region, or a city of regional status (Taraz)."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    #: True for a city of regional status, False for a rural district.
    is_city: Mapped[bool] = mapped_column(Boolean, default=False)

    region: Mapped[Region] = relationship(back_populates="districts")


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    COLLEGE = "college"
    POLICE = "police"
    EDUCATION_DEPARTMENT = "education_department"
    COMMISSION = "commission"
    HEALTH = "health"
    SOCIAL_PROTECTION = "social_protection"

    @property
    def label(self) -> str:
        return str(ORGANISATION_KIND_LABELS[self])


ORGANISATION_KIND_LABELS = {
    OrganisationKind.SCHOOL: _l("School"),
    OrganisationKind.COLLEGE: _l("College (technical and vocational)"),
    OrganisationKind.POLICE: _l("Police department"),
    OrganisationKind.EDUCATION_DEPARTMENT: _l("Education department"),
    OrganisationKind.COMMISSION: _l("Commission on minors' affairs"),
    OrganisationKind.HEALTH: _l("Health organisation"),
    OrganisationKind.SOCIAL_PROTECTION: _l("Social protection body"),
}


class Organisation(Bilingual, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    #: None for a regional body (the regional education department, the regional commission).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped on every update; a stale form is refused instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    region: Mapped[Region] = relationship()
    district: Mapped[District | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.district_id, self.id


class Role(enum.StrEnum):
    PSYCHOLOGIST = "psychologist"
    SOCIAL_PEDAGOGUE = "social_pedagogue"
    SCHOOL_ADMIN = "school_admin"
    POLICE_INSPECTOR = "police_inspector"
    DISTRICT_COORDINATOR = "district_coordinator"
    COMMISSION_MEMBER = "commission_member"
    PARTNER = "partner"
    METHODOLOGIST = "methodologist"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.PSYCHOLOGIST: _l("School psychologist"),
    Role.SOCIAL_PEDAGOGUE: _l("Social pedagogue"),
    Role.SCHOOL_ADMIN: _l("Deputy head for upbringing"),
    Role.POLICE_INSPECTOR: _l("Juvenile police inspector"),
    Role.DISTRICT_COORDINATOR: _l("District education coordinator"),
    Role.COMMISSION_MEMBER: _l("Commission member"),
    Role.PARTNER: _l("Partner agency specialist"),
    Role.METHODOLOGIST: _l("Regional methodologist"),
    Role.ADMIN: _l("Administrator"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; logins are compared case-insensitively.
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Set when an administrator sets the password: the user must choose their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Interface language chosen by the user; None = the default (Kazakh).
    locale: Mapped[str | None] = mapped_column(String(8))
    #: Part of the session identity: rotating it ends every open session of the account.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_enabled

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return self.role_enum.label

    @property
    def district_id(self) -> int | None:
        return self.organisation.district_id

    @property
    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.organisation.district_id, self.organisation_id


class LoginFailure(db.Model):
    """One failed login attempt, kept for throttling (per login and per address)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_login_failures_login_at", "login", "at"),
        Index("ix_login_failures_remote_addr_at", "remote_addr", "at"),
    )
