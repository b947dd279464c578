"""The units a report is broken down by (schools and colleges, districts), the scope's own
name, and the offending baselines: a fixed number of queries whatever their number."""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import or_, select

from juvenile.accounts.models import District, Organisation, OrganisationKind, Region
from juvenile.extensions import db
from juvenile.reports.models import OffendingBaseline, ScopeKind

#: The organisations a report has a row for: where cases are held.
UNIT_KINDS = (OrganisationKind.SCHOOL.value, OrganisationKind.COLLEGE.value)


@dataclass
class Units:
    scope: dict
    #: Every organisation of the scope: id -> {"id", "district_id", "kind", "name_kk",
    #: "name_ru", "is_active"} (all kinds: a record is rolled up by its organisation).
    orgs: dict = field(default_factory=dict)
    #: District id -> {"id", "name_kk", "name_ru"} (the region: every district).
    districts: dict = field(default_factory=dict)
    #: District id (None: the region) -> the baseline rate of the year before.
    baselines: dict = field(default_factory=dict)

    def schools(self) -> list[dict]:
        return [org for org in self.orgs.values() if org["kind"] in UNIT_KINDS]


def load_units(kind: ScopeKind, scope_id: int | None, baseline_year: int) -> Units:
    """Organisations, districts and names of the scope, and the baselines it needs."""
    query = select(Organisation.id, Organisation.district_id, Organisation.kind,
                   Organisation.name_kk, Organisation.name_ru, Organisation.is_active)
    if kind is ScopeKind.SCHOOL:
        query = query.where(Organisation.id == scope_id)
    elif kind is ScopeKind.DISTRICT:
        query = query.where(Organisation.district_id == scope_id)
    orgs = {row.id: dict(row._mapping) for row in db.session.execute(
        query.order_by(Organisation.name_kk, Organisation.id))}
    district_id = _scope_district(kind, scope_id, orgs)
    districts = select(District.id, District.name_kk, District.name_ru)
    if kind is not ScopeKind.REGION:
        districts = districts.where(District.id == district_id)
    units = Units(scope={}, orgs=orgs, districts={row.id: dict(row._mapping) for row in
                                                  db.session.execute(districts.order_by(
                                                      District.name_kk, District.id))})
    units.scope = _scope_names(kind, scope_id, district_id, units)
    units.baselines = baselines(baseline_year, None if kind is ScopeKind.REGION
                                else [district_id])
    return units


def _scope_district(kind: ScopeKind, scope_id: int | None, orgs: dict) -> int | None:
    if kind is ScopeKind.SCHOOL:
        org = orgs.get(scope_id)
        if org is None:
            raise LookupError(f"no organisation {scope_id}")
        return org["district_id"]
    return scope_id if kind is ScopeKind.DISTRICT else None


def _scope_names(kind: ScopeKind, scope_id, district_id, units: Units) -> dict:
    if kind is ScopeKind.SCHOOL:
        named = units.orgs[scope_id]
    elif kind is ScopeKind.DISTRICT:
        named = units.districts.get(district_id)
        if named is None:
            raise LookupError(f"no district {scope_id}")
    else:
        region = db.session.execute(
            select(Region.name_kk, Region.name_ru).order_by(Region.id).limit(1)).first()
        named = dict(region._mapping) if region else {"name_kk": "", "name_ru": ""}
    return {"kind": kind.value, "id": scope_id, "name_kk": named["name_kk"],
            "name_ru": named["name_ru"], "district_id": district_id}


def baselines(year: int, district_ids: list | None) -> dict:
    """{district id (None: the region): rate} of ``year``; ``district_ids`` None: all."""
    query = select(OffendingBaseline.district_id, OffendingBaseline.rate).where(
        OffendingBaseline.year == year)
    if district_ids is not None:
        query = query.where(or_(OffendingBaseline.district_id.in_(
            [d for d in district_ids if d is not None]),
            OffendingBaseline.district_id.is_(None)))
    return {district: Decimal(rate) for district, rate in db.session.execute(query)}
