"""The programme's indicators, each defined once, computed in SQL for any scope and month.

CONTRACT (other modules depend on it; the implementation may change, the shapes not):

``compute(scope, month, *, today=None) -> dict`` returns a JSON-ready dict (it is stored
as a submitted report's frozen snapshot):

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

Beyond the contract: each ``by_district`` entry also carries "effectiveness" (the five
indicators of that district against its own baseline), for the quarterly comparison of
districts; an ``Indicator`` names its ``numerator`` and ``denominator`` keys (shares,
rates, averages), which the small-numbers rule follows (juvenile.reports.presentation).
``today`` (optional) is the day the data are read while the month still runs: then a
deadline or an IRP occurrence counts as overdue or missed only once it has passed by
today. Without it the month is read as ended (see docs/indicators.md, "As of when").
"""


from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache

from flask_babel import lazy_gettext as _l

from juvenile.cases.models import _LABELS, ClosureReason, Stage, TargetGroup
from juvenile.diagnostics.models import CONSTRUCT_LABELS, LEVEL_LABELS, Construct, Level
from juvenile.education.models import EducationStatus
from juvenile.reports import queries_outcomes, queries_programme, queries_state, queries_work
from juvenile.reports.models import ScopeKind
from juvenile.reports.queries_frame import Frame, Tally, merge, month_bounds_of
from juvenile.reports.queries_units import Units, load_units
from juvenile.sessions.models import SessionKind

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
    #: For a share, rate or average (or a sum that belongs to a count of minors): the keys
    #: it is computed from; a suppressed one suppresses it too (docs: "Small numbers").
    numerator: str | None = None
    denominator: str | None = None


@dataclass(frozen=True)
class Effectiveness:
    key: str
    label: object
    #: How the target reads, e.g. "at least 90%" (a lazy string).
    target_text: object
    target: float | None


# Breakdown labels are lazy strings (translated when shown, not when computed).


def _group_labels() -> dict:
    return {str(int(group)): _LABELS[TargetGroup][group] for group in TargetGroup}


def _stage_labels() -> dict:
    return {stage.value: Stage.labels()[stage] for stage in Stage if stage is not Stage.CLOSED}


def _level_labels() -> dict:
    return {f"{c.value}:{lv.value}": _l("%(construct)s: %(level)s",
                                        construct=CONSTRUCT_LABELS[c], level=LEVEL_LABELS[lv])
            for c in Construct for lv in Level}


def _education_labels() -> dict:
    labels = {status.value: EducationStatus.labels()[status] for status in EducationStatus}
    labels[queries_state.UNKNOWN] = _l("no status recorded")
    return labels


def _construct_labels() -> dict:
    return {c.value: CONSTRUCT_LABELS[c] for c in Construct}


def _enum_labels(enum) -> Callable[[], dict]:
    return lambda: {member.value: enum.labels()[member] for member in enum}


SECTIONS: list[tuple[str, object]] = [
    ("programme", _l("Minors in the programme")),
    ("crisis", _l("Crisis flags")),
    ("diagnostics", _l("Diagnostics")),
    ("work", _l("Work of the programme")),
    ("education", _l("Education")),
    ("involvement", _l("Leisure and labour")),
    ("incidents", _l("Offences and suicide attempts under support")),
    ("effectiveness", _l("Effectiveness indicators: what they are computed from")),
]

_I = Indicator
INDICATORS: list[Indicator] = [
    _I("in_programme", "programme", _l("In the programme at the month's end"), "count"),
    _I("in_programme_by_group", "programme", _l("In the programme by target group"),
       "breakdown", _group_labels, per_unit=False),
    _I("in_programme_by_stage", "programme", _l("In the programme by stage"), "breakdown",
       _stage_labels, per_unit=False),
    _I("enrolled", "programme", _l("Enrolled in the month"), "count"),
    _I("closed", "programme", _l("Closed in the month"), "count"),
    _I("closed_by_reason", "programme", _l("Closed in the month by reason"), "breakdown",
       _enum_labels(ClosureReason), per_unit=False),
    _I("overdue", "programme", _l("Past the stage deadline at the month's end"), "count"),
    _I("registered_not_enrolled", "programme",
       _l("Registered but not enrolled at the month's end"), "count"),
    _I("crisis_raised", "crisis", _l("Crisis flags raised in the month"), "count"),
    _I("crisis_open", "crisis", _l("Crisis flags standing at the month's end"), "count"),
    _I("crisis_cleared", "crisis", _l("Crisis flags cleared in the month"), "count"),
    _I("assessments", "diagnostics", _l("Assessments administered in the month"), "count"),
    _I("assessments_by_construct", "diagnostics", _l("Assessments by construct"),
       "breakdown", _construct_labels, per_unit=False),
    _I("levels_at_enrolment", "diagnostics", _l("Levels at enrolment (first assessment)"),
       "breakdown", _level_labels, per_unit=False),
    _I("levels_latest", "diagnostics", _l("Levels now (latest assessment)"), "breakdown",
       _level_labels, per_unit=False),
    _I("irp_planned", "work", _l("IRP activities due in the month"), "count"),
    _I("irp_done", "work", _l("IRP activities done"), "count"),
    _I("irp_missed", "work", _l("IRP activities missed"), "count"),
    _I("irp_cancelled", "work", _l("IRP activities cancelled"), "count"),
    _I("sessions", "work", _l("Sessions held"), "count"),
    _I("sessions_by_kind", "work", _l("Sessions by kind"), "breakdown",
       _enum_labels(SessionKind), per_unit=False),
    _I("home_visits", "work", _l("Home visits (living-conditions acts)"), "count"),
    _I("family_consultations", "work", _l("Consultations and trainings of families"),
       "count"),
    _I("education_status", "education", _l("Education status at the month's end"),
       "breakdown", _education_labels, per_unit=False),
    _I("attendance_pupils", "education", _l("Supported pupils with attendance this month"),
       "count"),
    _I("missed_unexcused", "education", _l("Unexcused missed lessons this month"), "count",
       per_unit=False, denominator="attendance_pupils"),
    _I("missed_per_pupil", "education", _l("Unexcused missed lessons per pupil"), "number",
       numerator="missed_unexcused", denominator="attendance_pupils"),
    _I("attendance_pupils_previous", "education",
       _l("Supported pupils with attendance the month before"), "count", per_unit=False),
    _I("missed_unexcused_previous", "education",
       _l("Unexcused missed lessons the month before"), "count", per_unit=False,
       denominator="attendance_pupils_previous"),
    _I("missed_per_pupil_previous", "education",
       _l("Unexcused missed lessons per pupil the month before"), "number",
       numerator="missed_unexcused_previous", denominator="attendance_pupils_previous"),
    _I("attendance_pupils_enrolment_month", "education",
       _l("This month's pupils with attendance in their enrolment month"), "count",
       per_unit=False),
    _I("missed_unexcused_enrolment_month", "education",
       _l("Their unexcused missed lessons in the enrolment month"), "count",
       per_unit=False, denominator="attendance_pupils_enrolment_month"),
    _I("missed_per_pupil_enrolment_month", "education",
       _l("Unexcused missed lessons per pupil in the enrolment month"), "number",
       numerator="missed_unexcused_enrolment_month",
       denominator="attendance_pupils_enrolment_month"),
    _I("involved", "involvement", _l("In the programme and in leisure or work this month"),
       "count"),
    _I("involved_share", "involvement", _l("Share involved in leisure or labour"), "share",
       numerator="involved", denominator="in_programme"),
    _I("offences", "incidents", _l("Offences"), "count"),
    _I("repeat_offences", "incidents", _l("Repeat offences"), "count"),
    _I("suicide_attempts", "incidents", _l("Suicide attempts"), "count"),
    _I("repeat_suicide_attempts", "incidents", _l("Repeat suicide attempts"), "count"),
    _I("repeat_offences_12m", "effectiveness",
       _l("Repeat offences in the twelve months to the month's end"), "count"),
    _I("under_support_12m", "effectiveness",
       _l("Minors under support in those twelve months"), "count"),
    _I("repeat_offending_rate", "effectiveness",
       _l("Repeat offences per 100 minors under support"), "rate",
       numerator="repeat_offences_12m", denominator="under_support_12m"),
    _I("coverage_approved", "effectiveness",
       _l("In the programme with an approved IRP"), "count"),
    _I("coverage_identified", "effectiveness",
       _l("Identified at-risk minors (in the programme or registered)"), "count"),
    _I("coverage_share", "effectiveness", _l("Coverage"), "share",
       numerator="coverage_approved", denominator="coverage_identified"),
]
del _I

INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}

EFFECTIVENESS: list[Effectiveness] = [
    Effectiveness("repeat_offending", _l("Repeat offending among participants"),
                  _l("at least 20% below the baseline"), None),
    Effectiveness("coverage", _l("Coverage of identified at-risk minors by the programme"),
                  _l("at least 90%"), 0.9),
    Effectiveness("missed_lessons", _l("Unexcused missed lessons per supported pupil"),
                  _l("decreasing"), None),
    Effectiveness("repeat_suicide_attempts",
                  _l("Repeat suicide attempts among minors under support"), _l("none"), 0),
    Effectiveness("leisure_labour",
                  _l("Adolescents involved in leisure and labour activity"),
                  _l("at least 70%"), 0.7),
]

#: The queries, each adding its grouped rows to the tally (juvenile.reports.queries_*).
QUERIES = (
    queries_state.programme_state, queries_programme.entries_and_exits,
    queries_programme.registered_not_enrolled, queries_programme.crisis_events,
    queries_work.assessments, queries_work.occurrences, queries_work.sessions,
    queries_work.home_visits, queries_work.attendance, queries_outcomes.incidents,
    queries_outcomes.under_support_12m,
)


def month_bounds(month: date) -> tuple[date, date]:
    """(first day, last day) of the month containing ``month``."""
    return month_bounds_of(month)


def compute(scope: Scope, month: date, *, today: date | None = None) -> dict:
    """Every indicator for the scope and month (see the module's contract)."""
    frame = Frame.of(scope.kind, scope.id, month, today)
    units = load_units(scope.kind, scope.id, frame.first.year - 1)
    tally = Tally()
    for query in QUERIES:
        query(frame, tally)
    return _assemble(scope, frame, units, tally)


# --- assembling the values ----------------------------------------------------------------


def _assemble(scope: Scope, frame: Frame, units: Units, tally: Tally) -> dict:
    per_org = {org_id: _finish({**values, **tally.exact.get(("org", org_id), {})})
               for org_id, values in _org_values(units, tally).items()}
    total: dict = {}
    per_district: dict = {district_id: {} for district_id in units.districts}
    for org_id, values in tally.by_org.items():
        merge(total, values)
        district_id = units.orgs.get(org_id, {}).get("district_id")
        if scope.kind is ScopeKind.REGION and district_id in per_district:
            merge(per_district[district_id], values)
    total = _finish({**total, **tally.exact.get(("total", None), {})})
    scope_baseline = units.baselines.get(units.scope["district_id"])
    return {
        "definitions_version": DEFINITIONS_VERSION,
        "scope": units.scope,
        "month": f"{frame.first:%Y-%m}",
        "values": total,
        "by_district": [] if scope.kind is not ScopeKind.REGION else [
            _district_entry(district, per_district[district["id"]], tally, units)
            for district in units.districts.values()],
        "by_school": [
            {"id": org["id"], "name_kk": org["name_kk"], "name_ru": org["name_ru"],
             "district_id": org["district_id"], "values": per_org[org["id"]]}
            for org in units.schools() if org["id"] in per_org],
        "effectiveness": effectiveness(total, scope_baseline),
    }


def _org_values(units: Units, tally: Tally) -> dict:
    """Each school's additive values (an inactive school only when it has any)."""
    return {org["id"]: dict(tally.by_org.get(org["id"], {})) for org in units.schools()
            if org["is_active"] or org["id"] in tally.by_org}


def _district_entry(district: dict, values: dict, tally: Tally, units: Units) -> dict:
    values = _finish({**values, **tally.exact.get(("district", district["id"]), {})})
    return {"id": district["id"], "name_kk": district["name_kk"],
            "name_ru": district["name_ru"], "values": values,
            "effectiveness": effectiveness(values, units.baselines.get(district["id"]))}


def _finish(values: dict) -> dict:
    """Every indicator present (0, or every code at 0), then the derived values."""
    for indicator in INDICATORS:
        if indicator.kind == "breakdown":
            found = values.get(indicator.key, {})
            codes = dict.fromkeys(_codes(indicator.key), 0)
            values[indicator.key] = {**codes, **{str(k): v for k, v in found.items()}}
        elif indicator.kind == "count":
            values.setdefault(indicator.key, 0)
    values["coverage_identified"] = values["in_programme"] + values["registered_not_enrolled"]
    for indicator in INDICATORS:
        if indicator.kind in ("share", "rate", "number"):
            ratio = _ratio(values, indicator)
            values[indicator.key] = None if ratio is None else round(float(ratio), 4)
    return {indicator.key: values[indicator.key] for indicator in INDICATORS}


@cache
def _codes(key: str) -> tuple:
    """A breakdown's codes in display order (its labels' keys; no translation needed)."""
    return tuple(INDICATOR_BY_KEY[key].breakdown_labels())


def _ratio(values: dict, indicator: Indicator) -> Fraction | None:
    """The exact value of a share, rate or average (None with a zero denominator)."""
    denominator = values[indicator.denominator]
    if not denominator:
        return None
    scale = 100 if indicator.kind == "rate" else 1
    return Fraction(scale * values[indicator.numerator], denominator)


# --- the five effectiveness indicators ----------------------------------------------------

#: Repeat offending: green at or below 80% of the baseline (the target: down by 20%),
#: amber above that up to the baseline, red above the baseline.
REPEAT_OFFENDING_GREEN = Fraction(4, 5)
COVERAGE_GREEN, COVERAGE_AMBER = Fraction(9, 10), Fraction(3, 4)
INVOLVEMENT_GREEN, INVOLVEMENT_AMBER = Fraction(7, 10), Fraction(3, 5)


def repeat_offending_status(rate: Fraction | None, baseline) -> str:
    if rate is None or baseline is None:
        return "none"
    baseline = Fraction(baseline)
    if rate <= REPEAT_OFFENDING_GREEN * baseline:
        return "green"
    return "amber" if rate <= baseline else "red"


def share_status(share: Fraction | None, green: Fraction, amber: Fraction) -> str:
    if share is None:
        return "none"
    if share >= green:
        return "green"
    return "amber" if share >= amber else "red"


def trend_status(current: Fraction | None, previous: Fraction | None) -> str:
    """Missed lessons: green when fewer than the month before, amber when as many, red
    when more; none without both months."""
    if current is None or previous is None:
        return "none"
    if current < previous:
        return "green"
    return "amber" if current == previous else "red"


def repeat_attempts_status(count: int) -> str:
    return "green" if count == 0 else "red"


def _entry(value, target=None, status="none", numerator=None, denominator=None, *,
           baseline=None, previous=None, enrolment_month=None) -> dict:
    return {"value": value, "target": target, "status": status, "numerator": numerator,
            "denominator": denominator, "baseline": baseline, "previous": previous,
            "enrolment_month": enrolment_month}


def effectiveness(values: dict, baseline) -> dict:
    """The five indicators from a scope's (or unit's) values, against their targets;
    ``baseline`` is the repeat-offending baseline (a Decimal) or None."""
    ratio = {key: _ratio(values, INDICATOR_BY_KEY[key]) for key in (
        "repeat_offending_rate", "coverage_share", "involved_share", "missed_per_pupil",
        "missed_per_pupil_previous")}
    base = None if baseline is None else float(baseline)
    return {
        "repeat_offending": _entry(
            values["repeat_offending_rate"],
            None if baseline is None else round(float(REPEAT_OFFENDING_GREEN * Fraction(
                baseline)), 4),
            repeat_offending_status(ratio["repeat_offending_rate"], baseline),
            values["repeat_offences_12m"], values["under_support_12m"], baseline=base),
        "coverage": _entry(
            values["coverage_share"], 0.9,
            share_status(ratio["coverage_share"], COVERAGE_GREEN, COVERAGE_AMBER),
            values["coverage_approved"], values["coverage_identified"]),
        "missed_lessons": _entry(
            values["missed_per_pupil"], None,
            trend_status(ratio["missed_per_pupil"], ratio["missed_per_pupil_previous"]),
            values["missed_unexcused"], values["attendance_pupils"],
            previous=values["missed_per_pupil_previous"],
            enrolment_month=values["missed_per_pupil_enrolment_month"]),
        "repeat_suicide_attempts": _entry(
            values["repeat_suicide_attempts"], 0,
            repeat_attempts_status(values["repeat_suicide_attempts"]),
            values["repeat_suicide_attempts"], values["suicide_attempts"]),
        "leisure_labour": _entry(
            values["involved_share"], 0.7,
            share_status(ratio["involved_share"], INVOLVEMENT_GREEN, INVOLVEMENT_AMBER),
            values["involved"], values["in_programme"]),
    }
