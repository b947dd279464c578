"""The quarterly effectiveness analysis: the five effectiveness indicators per quarter
against their targets, month by month, and district by district.

Everything is computed from ``indicators.compute`` of each month (so every number means
what the monthly report means, docs/indicators.md), for the quarter asked and the three
quarters before it; the number of queries is that of twelve monthly computations,
whatever the number of districts, schools or cases. Months before the programme's first
month (services.PROGRAMME_START) or not yet begun are left out; the month still running
is read as of today, as its draft report is.

How a quarter aggregates its three months (docs/effectiveness.md says the same):

* **Repeat offending** — a rate over the twelve months to a month's end: the quarter's
  is its last month's (the twelve months to the quarter's end), against the baseline
  of the year before (the target: at most 80% of it).
* **Coverage** — a stock at a month's end: the quarter's last month (in the programme
  with an approved IRP over the identified at-risk minors, on the quarter's last day).
* **Missed lessons** — unexcused missed lessons per supported pupil: the lessons summed
  over the quarter's months over the pupil-months summed (a pupil with a record in
  each of the three months counts three times), compared with the quarter before,
  computed the same way (the target: decreasing); the enrolment months of the
  quarter's pupils are summed likewise. The oldest quarter shown has no quarter before
  it computed here: its trend has no status.
* **Repeat suicide attempts** — counts of events: summed (the target: none).
* **Leisure and labour** — the share of minor-months: minors in the programme at a
  month's end and involved that month, summed over the quarter, over the minors in the
  programme at each month's end, summed (a minor in the programme all quarter counts
  three times). A share recomputed from the sums, never an average of the monthly shares.

Statuses follow the monthly rules exactly (``indicators.effectiveness``).
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from juvenile.reports import indicators
from juvenile.reports.indicators import INDICATOR_BY_KEY, Scope
from juvenile.reports.models import ScopeKind
from juvenile.reports.services import PROGRAMME_START

#: The five indicators are computed from these values of each month.
SUMMED = ("missed_unexcused", "attendance_pupils", "missed_unexcused_enrolment_month",
          "attendance_pupils_enrolment_month", "suicide_attempts", "repeat_suicide_attempts",
          "involved", "in_programme")
AT_QUARTER_END = ("repeat_offences_12m", "under_support_12m", "coverage_approved",
                  "coverage_identified")
RATIOS = ("repeat_offending_rate", "coverage_share", "missed_per_pupil",
          "missed_per_pupil_previous", "missed_per_pupil_enrolment_month", "involved_share")
#: How many quarters the analysis shows: the one asked and those before it.
QUARTERS_SHOWN = 4


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def months(self) -> list[date]:
        return [date(self.year, 3 * (self.number - 1) + k, 1) for k in (1, 2, 3)]

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        end = self.months[-1]
        return end.replace(day=calendar.monthrange(end.year, end.month)[1])

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def is_over(self, today: date) -> bool:
        return today > self.last


def default_quarter(today: date) -> Quarter:
    """The last complete quarter; the current one while none since the programme began."""
    last = Quarter.of(today).previous()
    return last if last.last >= PROGRAMME_START else Quarter.of(today)


def shown_quarters(quarter: Quarter) -> list[Quarter]:
    """The quarter and the ones before it, oldest first."""
    quarters = [quarter]
    while len(quarters) < QUARTERS_SHOWN:
        quarters.insert(0, quarters[0].previous())
    return quarters


def counted_months(quarter: Quarter, today: date) -> list[date]:
    """The months the analysis computes: those of the quarters shown that have begun,
    from the programme's first month."""
    current = today.replace(day=1)
    return [month for q in shown_quarters(quarter) for month in q.months
            if PROGRAMME_START <= month <= current]


def compute_months(scope: Scope, months: list[date], today: date) -> dict[date, dict]:
    """``indicators.compute`` of each month; the running month as of today."""
    running = today.replace(day=1)
    return {month: indicators.compute(scope, month, today=today if month == running else None)
            for month in months}


# --- aggregating a quarter ------------------------------------------------------------------


def _ratio(values: dict, key: str) -> float | None:
    indicator = INDICATOR_BY_KEY[key]
    denominator = values[indicator.denominator]
    if not denominator:
        return None
    scale = 100 if indicator.kind == "rate" else 1
    return round(float(Fraction(scale * values[indicator.numerator], denominator)), 4)


def quarter_values(months: list[dict], previous: dict | None) -> dict:
    """The values the five indicators are computed from, for a quarter whose months'
    values are ``months`` (oldest first), ``previous`` the quarter before's (or None)."""
    values = {key: sum(month[key] or 0 for month in months) for key in SUMMED}
    values.update({key: months[-1][key] for key in AT_QUARTER_END})
    values["missed_unexcused_previous"] = previous["missed_unexcused"] if previous else 0
    values["attendance_pupils_previous"] = previous["attendance_pupils"] if previous else 0
    for key in RATIOS:
        values[key] = _ratio(values, key)
    return values


def baseline_of(effectiveness: dict | None) -> Decimal | None:
    """The repeat-offending baseline a month's effectiveness entries were measured
    against (the year before's, per district or for the region)."""
    baseline = ((effectiveness or {}).get("repeat_offending") or {}).get("baseline")
    return None if baseline is None else Decimal(str(baseline))


def _quarters_of(quarters: list[Quarter], series: dict[date, dict],
                 effectiveness: dict[date, dict]) -> list[dict]:
    """Each quarter that has computed months: its values and its five indicators."""
    result, previous = [], None
    for quarter in quarters:
        months = [month for month in quarter.months if month in series]
        if not months:
            previous = None
            continue
        values = quarter_values([series[m] for m in months], previous)
        result.append({
            "year": quarter.year, "number": quarter.number, "key": quarter.key,
            "months": [f"{m:%Y-%m}" for m in months], "values": values,
            "effectiveness": indicators.effectiveness(
                values, baseline_of(effectiveness[months[-1]]))})
        previous = values
    return result


# --- the analysis ---------------------------------------------------------------------------


def analyse(scope: Scope, quarter: Quarter, today: date) -> dict:
    """The analysis of the scope for the quarter (a JSON-ready dict):

    {"scope", "quarter": {"year", "number", "key", "complete"},
     "months": ["YYYY-MM"…] (computed, oldest first),
     "quarters": [{"year", "number", "key", "months", "values", "effectiveness"}…]
                  (oldest first; the last is the quarter asked when it has months),
     "trends": {effectiveness key: {"scope": [value per month],
                                   "districts": [{"id", "name_kk", "name_ru",
                                                  "values": [...]}]}},
     "districts": [{"id", "name_kk", "name_ru", "effectiveness"}] (the region only: the
                  quarter asked, per district)}
    """
    months = counted_months(quarter, today)
    computed = compute_months(scope, months, today)
    first = next(iter(computed.values()), None)
    region = scope.kind is ScopeKind.REGION
    quarters = shown_quarters(quarter)
    return {
        "scope": first["scope"] if first else None,
        "quarter": {"year": quarter.year, "number": quarter.number, "key": quarter.key,
                    "complete": quarter.is_over(today)},
        "months": [f"{m:%Y-%m}" for m in months],
        "quarters": _quarters_of(quarters, {m: d["values"] for m, d in computed.items()},
                                 {m: d["effectiveness"] for m, d in computed.items()}),
        "trends": _trends(computed, region),
        "districts": _districts(computed, quarters, quarter) if region else [],
    }


def _district_rows(computed: dict[date, dict]) -> dict[int, dict]:
    """Every district seen in the months: id -> {"id", "name_kk", "name_ru"}, in the
    order the latest month lists them."""
    rows: dict[int, dict] = {}
    for data in reversed(list(computed.values())):
        for entry in data.get("by_district") or []:
            rows.setdefault(entry["id"], {key: entry[key] for key in ("id", "name_kk",
                                                                      "name_ru")})
    return rows


def _district_month(data: dict, district_id: int) -> dict | None:
    return next((entry for entry in data.get("by_district") or []
                 if entry["id"] == district_id), None)


def _trends(computed: dict[date, dict], region: bool) -> dict:
    keys = [item.key for item in indicators.EFFECTIVENESS]
    trends = {key: {"scope": [data["effectiveness"][key]["value"]
                              for data in computed.values()], "districts": []}
              for key in keys}
    if not region:
        return trends
    for district in _district_rows(computed).values():
        entries = [_district_month(data, district["id"]) for data in computed.values()]
        for key in keys:
            trends[key]["districts"].append({**district, "values": [
                ((entry or {}).get("effectiveness") or {}).get(key, {}).get("value")
                for entry in entries]})
    return trends


def _districts(computed: dict[date, dict], quarters: list[Quarter], asked: Quarter) -> list:
    """The quarter asked, district by district (each against its own baseline)."""
    result = []
    for district in _district_rows(computed).values():
        values, effectiveness = {}, {}
        for month, data in computed.items():
            entry = _district_month(data, district["id"])
            if entry is not None:
                values[month] = entry["values"]
                effectiveness[month] = entry.get("effectiveness")
        found = _quarters_of(quarters, values, effectiveness)
        own = next((q for q in found if q["key"] == asked.key), None)
        if own is not None:
            result.append({**district, "effectiveness": own["effectiveness"],
                           "values": own["values"]})
    return result
