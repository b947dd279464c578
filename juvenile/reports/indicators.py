"""The programme's indicators, each defined once, computed in SQL for any scope and month.

CONTRACT (other modules depend on it; the implementation may change, the shapes not):

``compute(scope, month) -> dict`` returns a JSON-ready dict (it is stored as a submitted
report's frozen snapshot):

    {
      "definitions_version": DEFINITIONS_VERSION,
      "scope": {"kind": "school"|"district"|"region", "id": int|None,
                "name_kk": str, "name_ru": str, "district_id": int|None},
      "month": "YYYY-MM",
      "values": {indicator_key: value},              # for the whole scope
      "by_district": [ {"id", "name_kk", "name_ru", "values": {key: value}} ],
                                                     # region scope only, else []
      "by_school": [ {"id", "name_kk", "name_ru", "district_id", "values": {key: value}} ],
                                                     # every school/college in the scope
      "effectiveness": {effectiveness_key: {
          "value": number|None, "target": number|None, "status": "green"|"amber"|"red"|"none",
          "numerator": number|None, "denominator": number|None,
          "baseline": number|None, "previous": number|None, "enrolment_month": number|None}},
    }

A value is a number (int, or float for shares/rates, rounded to 4 places) or None when it
cannot be computed (a share with a zero denominator), or, for a breakdown indicator, a
dict {code: int} (codes as strings: target groups "1".."5", stages, closure reasons,
"<construct>:<level>"…).

``INDICATORS`` lists every indicator (its key, section, label, kind and breakdown labels)
in the order reports show them; ``SECTIONS`` the sections; ``EFFECTIVENESS`` the five
effectiveness indicators and their targets. Every key is documented with its exact
formula and edge cases in docs/indicators.md (anchor = the key).

The number of SQL queries ``compute`` runs does not depend on the number of schools,
districts or cases.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from juvenile.reports.models import ScopeKind

#: Bump when a definition changes: a submitted report records the version it was made with.
DEFINITIONS_VERSION = "2026.1"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    #: Organisation id for a school, district id for a district, None for the region.
    id: int | None = None

    @property
    def key(self) -> str:
        return self.kind.value if self.kind is ScopeKind.REGION else f"{self.kind.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> "Scope":
        """"region", "district:3", "school:12"."""
        kind, _, ident = text.partition(":")
        scope_kind = ScopeKind(kind)
        if scope_kind is ScopeKind.REGION:
            return cls(scope_kind, None)
        return cls(scope_kind, int(ident))


@dataclass(frozen=True)
class Indicator:
    key: str
    section: str
    #: A lazy string.
    label: object
    #: "count", "share" (0..1), "rate" (per 100), "number" (e.g. an average) or "breakdown".
    kind: str
    #: For a breakdown: () -> {code: translated label}, in display order.
    breakdown_labels: Callable[[], dict] | None = None
    #: Shown in the per-school / per-district tables (not only for the whole scope).
    per_unit: bool = True


@dataclass(frozen=True)
class Effectiveness:
    key: str
    label: object
    #: How the target reads, e.g. "at least 90%" (a lazy string).
    target_text: object
    target: float | None


SECTIONS: list[tuple[str, object]] = []
INDICATORS: list[Indicator] = []
EFFECTIVENESS: list[Effectiveness] = []


def month_bounds(month: date) -> tuple[date, date]:
    """(first day, last day) of the month containing ``month``."""
    import calendar

    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def compute(scope: Scope, month: date) -> dict:
    """Every indicator for the scope and month (see the module's contract)."""
    raise NotImplementedError  # implemented by the indicators work (issue 6)
