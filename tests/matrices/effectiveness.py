"""The quarterly effectiveness analysis: the page and its PDF (aggregates only)."""

from juvenile.accounts.models import Role

VIEW = frozenset({Role.DISTRICT_COORDINATOR, Role.COMMISSION_MEMBER, Role.METHODOLOGIST})

MATRIX = {
    "effectiveness.quarter": VIEW,
    "effectiveness.quarter_pdf": VIEW,
}
