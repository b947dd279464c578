"""Read paths of assessments: the instrument menu, one result, a minor's history.

Each runs a fixed number of queries, whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from juvenile.accounts.models import User
from juvenile.diagnostics.models import (
    Assessment,
    Construct,
    Instrument,
    InstrumentVersion,
    Level,
)
from juvenile.extensions import db


def localised(kk: str | None, ru: str | None) -> str:
    locale = get_locale()
    if locale is not None and locale.language == "ru" and ru:
        return ru
    return kk or ru or ""


@dataclass(frozen=True)
class MenuItem:
    code: str
    name: str
    version: int
    key_verified: bool
    age: dict | None


def instrument_menu() -> list[tuple[Construct, list[MenuItem]]]:
    """Active instruments with their current version, by construct: one query."""
    newest = (select(InstrumentVersion.instrument_id,
                     func.max(InstrumentVersion.number).label("number"))
              .group_by(InstrumentVersion.instrument_id).subquery())
    rows = db.session.execute(
        select(Instrument, InstrumentVersion)
        .join(newest, newest.c.instrument_id == Instrument.id)
        .join(InstrumentVersion, (InstrumentVersion.instrument_id == Instrument.id)
              & (InstrumentVersion.number == newest.c.number))
        .where(Instrument.is_active.is_(True))).all()
    menu: dict[str, list[MenuItem]] = {c.value: [] for c in Construct}
    for instrument, version in rows:
        menu.setdefault(instrument.construct, []).append(MenuItem(
            instrument.code, localised(instrument.name_kk, instrument.name_ru),
            version.number, version.key_verified, version.definition.get("age")))
    return [(Construct(c), sorted(items, key=lambda i: i.name))
            for c, items in menu.items() if items and c in set(Construct)]


def instrument_by_code(code: str) -> Instrument | None:
    return db.session.scalar(select(Instrument).where(Instrument.code == code,
                                                      Instrument.is_active.is_(True)))


@dataclass(frozen=True)
class HistoryLine:
    id: int
    administered_on: date
    construct: str
    level: str
    screen_result: str | None
    instrument: str
    #: None for an instrument the library does not know.
    key_verified: bool | None
    administered_by: str

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level in set(Level) else self.level

    @property
    def construct_label(self) -> str:
        known = self.construct in set(Construct)
        return Construct(self.construct).label if known else self.construct


def history(minor_id: int) -> list[HistoryLine]:
    """Every assessment of the minor, oldest first: one query."""
    by = aliased(User)
    rows = db.session.execute(
        select(Assessment.id, Assessment.administered_on, Assessment.construct,
               Assessment.level, Assessment.screen_result, Assessment.custom_name,
               Instrument.name_kk, Instrument.name_ru, InstrumentVersion.key_verified,
               by.full_name)
        .outerjoin(InstrumentVersion, InstrumentVersion.id == Assessment.instrument_version_id)
        .outerjoin(Instrument, Instrument.id == InstrumentVersion.instrument_id)
        .join(by, by.id == Assessment.administered_by_id)
        .where(Assessment.minor_id == minor_id)
        .order_by(Assessment.administered_on, Assessment.id)).all()
    return [HistoryLine(row.id, row.administered_on, row.construct, row.level,
                        row.screen_result,
                        row.custom_name or localised(row.name_kk, row.name_ru),
                        None if row.custom_name else bool(row.key_verified), row.full_name)
            for row in rows]


@dataclass(frozen=True)
class ConstructTrend:
    construct: Construct
    #: (date, level, instrument) oldest first.
    points: list[tuple[date, str, str]]

    @property
    def first(self) -> str:
        return self.points[0][1]

    @property
    def last(self) -> str:
        return self.points[-1][1]

    @property
    def change(self) -> int:
        """Steps from the first level to the last: negative is better."""
        order = [level.value for level in Level]
        return order.index(self.last) - order.index(self.first)


def trends(lines: list[HistoryLine]) -> list[ConstructTrend]:
    """Each construct's levels over time, in the order of the constructs."""
    known = {level.value for level in Level}
    return [ConstructTrend(construct, points)
            for construct in Construct
            if (points := [(line.administered_on, line.level, line.instrument)
                           for line in lines
                           if line.construct == construct.value and line.level in known])]
