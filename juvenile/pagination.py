"""A page of rows from any select (Flask-SQLAlchemy's paginate only yields scalars)."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from juvenile.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(stmt: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Two queries whatever the page size: the count, and the page itself."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = min(max(page, 1), max(1, ceil(total / per_page)))
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.scalars()) if scalars else [tuple(row) for row in result]
    return Page(items=items, total=total, page=page, per_page=per_page)
