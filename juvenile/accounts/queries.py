"""Read paths for organisations and accounts: one query per list, counts in SQL."""

from flask_babel import get_locale
from sqlalchemy import func, or_, select

from juvenile.accounts.models import District, Organisation, Role, User
from juvenile.extensions import db
from juvenile.pagination import paginate


def _ru() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "ru"


def name_column(model):
    """The model's name column in the interface language, for ordering and display."""
    return model.name_ru if _ru() else model.name_kk


def district_choices() -> list[tuple[int, str]]:
    name = name_column(District)
    return [tuple(row) for row in db.session.execute(
        select(District.id, name).order_by(District.is_city.desc(), name))]


def organisation_choices() -> list[tuple[int, str]]:
    """Active organisations as "name — district", for choosing an account's organisation."""
    org_name, district_name = name_column(Organisation), name_column(District)
    rows = db.session.execute(
        select(Organisation.id, org_name, district_name)
        .outerjoin(District, Organisation.district_id == District.id)
        .where(Organisation.is_active.is_(True))
        .order_by(District.id.is_not(None), district_name, org_name)
    )
    return [(oid, f"{name} — {district}" if district else name) for oid, name, district in rows]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def organisations_page(q: str | None, district_id: int | None, kind: str | None, page: int,
                       per_page: int):
    """Organisations with their number of active accounts, filtered, one page."""
    accounts = (
        select(func.count(User.id))
        .where(User.organisation_id == Organisation.id, User.is_enabled.is_(True))
        .correlate(Organisation)
        .scalar_subquery()
    )
    stmt = (
        select(Organisation, District, accounts.label("accounts"))
        .outerjoin(District, Organisation.district_id == District.id)
        .order_by(District.id.is_not(None), name_column(District), name_column(Organisation))
    )
    if q:
        pattern = _like(q)
        stmt = stmt.where(or_(func.lower(Organisation.name_kk).like(pattern, escape="\\"),
                              func.lower(Organisation.name_ru).like(pattern, escape="\\"),
                              func.lower(Organisation.code).like(pattern, escape="\\")))
    if district_id:
        stmt = stmt.where(Organisation.district_id == district_id)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return paginate(stmt, page, per_page, scalars=False)


def users_page(q: str | None, role: str | None, district_id: int | None, status: str | None,
               page: int, per_page: int):
    """Accounts with their organisation, filtered, one page."""
    stmt = (
        select(User, Organisation)
        .join(Organisation, User.organisation_id == Organisation.id)
        .order_by(User.full_name)
    )
    if q:
        pattern = _like(q)
        stmt = stmt.where(or_(func.lower(User.full_name).like(pattern, escape="\\"),
                              func.lower(User.login).like(pattern, escape="\\")))
    if role in Role.__members__.values():
        stmt = stmt.where(User.role == role)
    if district_id:
        stmt = stmt.where(Organisation.district_id == district_id)
    if status == "active":
        stmt = stmt.where(User.is_enabled.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.is_enabled.is_(False))
    return paginate(stmt, page, per_page, scalars=False)
