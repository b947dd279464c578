"""Who may reach which route, written out by hand, one module per area.

Each module defines MATRIX = {endpoint: frozenset of roles, or PUBLIC}. A route missing
from every module fails tests/test_access.py::test_every_route_is_in_the_matrix.
"""

import importlib
import pkgutil

PUBLIC = "public"


def collect_matrix() -> dict:
    merged: dict = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        overlap = set(merged) & set(module.MATRIX)
        assert not overlap, f"endpoints listed twice: {overlap}"
        merged.update(module.MATRIX)
    return merged
