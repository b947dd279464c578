"""Changing regional settings: audited, each value within its limits."""

from flask_babel import gettext as _

from juvenile.audit import services as audit
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db
from juvenile.settings.models import RegionalSetting
from juvenile.settings.registry import SETTINGS, values


def update_settings(actor, new_values: dict[str, int], seen_values: dict[str, int]) -> int:
    """Store the values that changed. ``seen_values`` are those the form showed: a value
    someone else changed meanwhile is refused, not overwritten. Returns how many changed."""
    current = values()
    for key, seen in seen_values.items():
        if key in new_values and current[key] != seen and new_values[key] != current[key]:
            raise ConflictError(_("Someone else changed this setting after you opened the "
                                  "page (now %(value)d). Nothing was saved.",
                                  value=current[key]))
    _check_consistent({**current, **new_values})
    changed = 0
    for key, value in new_values.items():
        spec = SETTINGS[key]
        if not spec.minimum <= value <= spec.maximum:
            raise ServiceError(_("Between %(low)d and %(high)d.", low=spec.minimum,
                                 high=spec.maximum), key)
        if value == current[key]:
            continue
        row = db.session.get(RegionalSetting, key)
        if row is None:
            row = RegionalSetting(key=key, value=value, updated_by_id=actor.id)
            db.session.add(row)
        else:
            row.value, row.updated_by_id = value, actor.id
        db.session.flush()
        audit.record(actor, "update", row, key, {key: [current[key], value]},
                     object_type="regional_settings")
        changed += 1
    return changed


def _check_consistent(v: dict[str, int]) -> None:
    """The stages must fit inside one another, or every case becomes overdue and stuck."""
    from juvenile.settings import registry as r

    if v[r.ACTIVE_STAGE_MIN_MONTHS.key] > v[r.ACTIVE_STAGE_MAX_MONTHS.key]:
        raise ServiceError(_("The shortest active rehabilitation cannot exceed the longest."),
                           r.ACTIVE_STAGE_MIN_MONTHS.key)
    if v[r.FOLLOW_UP_UNTIL_MONTH.key] <= v[r.ACTIVE_STAGE_MAX_MONTHS.key]:
        raise ServiceError(_("The follow-up must end after the longest active rehabilitation."),
                           r.FOLLOW_UP_UNTIL_MONTH.key)
    if v[r.MINIMUM_SUPPORT_MONTHS.key] > v[r.FOLLOW_UP_UNTIL_MONTH.key]:
        raise ServiceError(_("The shortest support cannot be longer than the whole programme."),
                           r.MINIMUM_SUPPORT_MONTHS.key)
