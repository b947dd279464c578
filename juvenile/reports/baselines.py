"""Reading the offending baselines the repeat-offending indicator is measured against.

A district's report (and each of its schools') compares with the district's baseline of
the year before the report's month; the region's report with the region's (a baseline
with no district). Entering baselines is the coordinator's screen (another module).
"""

from decimal import Decimal

from sqlalchemy import select

from juvenile.accounts.models import Organisation
from juvenile.extensions import db
from juvenile.reports.models import OffendingBaseline, ScopeKind


def baseline_district(scope) -> int | None:
    """The district whose baseline a scope uses (None: the region's)."""
    if scope.kind is ScopeKind.REGION:
        return None
    if scope.kind is ScopeKind.DISTRICT:
        return scope.id
    return db.session.scalar(select(Organisation.district_id).where(
        Organisation.id == scope.id))


def baseline_for(scope, year: int) -> Decimal | None:
    """The baseline rate (repeat offences per 100 minors under support) that ``scope``
    (a juvenile.reports.indicators.Scope) compares with for ``year``, or None."""
    district_id = baseline_district(scope)
    if scope.kind is not ScopeKind.REGION and district_id is None:
        return None
    condition = (OffendingBaseline.district_id.is_(None) if district_id is None
                 else OffendingBaseline.district_id == district_id)
    return db.session.scalar(select(OffendingBaseline.rate).where(
        condition, OffendingBaseline.year == year))
