"""The stage engine: deadlines, and the named requirements each stage must meet.

A requirement is a named condition evaluated from the records. Later domains register
their own (initial diagnostics, an approved IRP, a home visit…) with ``@requirement``;
the engine does not change.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from juvenile.cases.models import Enrolment, Stage
from juvenile.settings import registry

NEXT_STAGE = {Stage.INITIAL: Stage.ACTIVE, Stage.ACTIVE: Stage.FOLLOW_UP,
              Stage.FOLLOW_UP: Stage.CLOSED}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stage_deadline(stage: Stage, started_on: date, enrolled_on: date,
                   settings: dict[str, int]) -> date:
    """When a stage begun on ``started_on`` must be complete."""
    if stage is Stage.INITIAL:
        return enrolled_on + timedelta(days=settings[registry.INITIAL_STAGE_DAYS.key])
    if stage is Stage.ACTIVE:
        return add_months(started_on, settings[registry.ACTIVE_STAGE_MAX_MONTHS.key])
    if stage is Stage.FOLLOW_UP:
        end = add_months(enrolled_on, settings[registry.FOLLOW_UP_UNTIL_MONTH.key])
        return max(end, started_on)
    raise ValueError(f"a {stage} stage has no deadline")


@dataclass(frozen=True)
class Requirement:
    key: str
    stage: Stage
    label: Callable[[dict[str, int]], str]
    check: Callable[[Enrolment, date, dict[str, int]], bool]


REQUIREMENTS: dict[Stage, list[Requirement]] = {stage: [] for stage in NEXT_STAGE}


def requirement(stage: Stage, key: str, label: Callable[[dict[str, int]], str]):
    """Register ``check(enrolment, today, settings) -> bool`` as a requirement of a stage."""

    def register(check):
        REQUIREMENTS[stage].append(Requirement(key, stage, label, check))
        return check

    return register


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    met: bool


def checklist(enrolment: Enrolment, today: date, settings: dict[str, int] | None = None):
    """The current stage's requirements, each met or not."""
    settings = settings or registry.values()
    stage = Stage(enrolment.stage)
    return [ChecklistItem(r.key, r.label(settings), bool(r.check(enrolment, today, settings)))
            for r in REQUIREMENTS.get(stage, [])]


# --- the requirements this domain knows ------------------------------------------------


@requirement(Stage.INITIAL, "specialist_assigned",
             lambda s: str(_l("A responsible specialist is assigned")))
def _specialist_assigned(enrolment, today, settings):
    return enrolment.responsible_id is not None


@requirement(Stage.ACTIVE, "active_minimum_length",
             lambda s: str(_l("At least %(n)d months of active rehabilitation",
                              n=s[registry.ACTIVE_STAGE_MIN_MONTHS.key])))
def _active_long_enough(enrolment, today, settings):
    months = settings[registry.ACTIVE_STAGE_MIN_MONTHS.key]
    return today >= add_months(enrolment.stage_started_on, months)


@requirement(Stage.FOLLOW_UP, "minimum_support",
             lambda s: str(_l("At least %(n)d months of support since enrolment",
                              n=s[registry.MINIMUM_SUPPORT_MONTHS.key])))
def _supported_long_enough(enrolment, today, settings):
    months = settings[registry.MINIMUM_SUPPORT_MONTHS.key]
    return today >= add_months(enrolment.enrolled_on, months)


@requirement(Stage.FOLLOW_UP, "no_crisis",
             lambda s: str(_l("No crisis flag is standing")))
def _no_crisis(enrolment, today, settings):
    return not enrolment.crisis
