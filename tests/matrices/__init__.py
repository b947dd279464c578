"""Who may reach which route, written out by hand, one module per area.

Each module defines MATRIX = {endpoint: frozenset of roles, or PUBLIC}. A route missing
from every module fails tests/test_access.py::test_every_route_is_in_the_matrix.

A module whose routes act on records of its own may also define
``make_targets(db, world, case) -> {url argument: id}``: the records are made in the
test's database (``case`` is the open case in school1) and their ids fill the URLs.
"""

import importlib
import pkgutil

PUBLIC = "public"


def _modules():
    for module_info in pkgutil.iter_modules(__path__):
        yield importlib.import_module(f"{__name__}.{module_info.name}")


def collect_targets(db, world, case) -> dict:
    """The URL arguments the area modules make records for."""
    merged: dict = {}
    for module in _modules():
        make = getattr(module, "make_targets", None)
        if make is not None:
            made = make(db, world, case)
            overlap = set(merged) & set(made)
            assert not overlap, f"URL arguments made twice: {overlap}"
            merged.update(made)
    return merged


def collect_matrix() -> dict:
    merged: dict = {}
    for module in _modules():
        overlap = set(merged) & set(module.MATRIX)
        assert not overlap, f"endpoints listed twice: {overlap}"
        merged.update(module.MATRIX)
    return merged
