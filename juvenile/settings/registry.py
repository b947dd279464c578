"""The known settings, with their defaults and limits. Domains register theirs here."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from juvenile.extensions import db


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: object  # a lazy string
    default: int
    minimum: int
    maximum: int
    unit: object  # a lazy string: days, months…


SETTINGS: dict[str, SettingSpec] = {}


def register(spec: SettingSpec) -> SettingSpec:
    SETTINGS[spec.key] = spec
    return spec


DAYS, MONTHS = _l("days"), _l("months")

INITIAL_STAGE_DAYS = register(SettingSpec(
    "initial_stage_days", _l("Initial stage: days from enrolment"), 10, 1, 60, DAYS))
ACTIVE_STAGE_MIN_MONTHS = register(SettingSpec(
    "active_stage_min_months", _l("Active rehabilitation: shortest, months"), 3, 1, 12, MONTHS))
ACTIVE_STAGE_MAX_MONTHS = register(SettingSpec(
    "active_stage_max_months", _l("Active rehabilitation: longest, months"), 6, 1, 24, MONTHS))
FOLLOW_UP_UNTIL_MONTH = register(SettingSpec(
    "follow_up_until_month", _l("Follow-up ends: month after enrolment"), 12, 6, 36, MONTHS))
MINIMUM_SUPPORT_MONTHS = register(SettingSpec(
    "minimum_support_months", _l("Shortest support before closing, months"), 6, 1, 24, MONTHS))


def setting(key: str) -> int:
    """The region's value of a setting (one query; callers needing several use values())."""
    stored = db.session.get(_model(), key)
    return stored.value if stored is not None else SETTINGS[key].default


def values() -> dict[str, int]:
    """Every setting's current value, in one query."""
    model = _model()
    stored = dict(db.session.execute(select(model.key, model.value)).all())
    return {key: stored.get(key, spec.default) for key, spec in SETTINGS.items()}


def _model():
    from juvenile.settings.models import RegionalSetting

    return RegionalSetting
