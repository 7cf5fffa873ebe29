"""Reading and writing registry tables (CSV, GeoPackage, GeoParquet, Shapefile) and city directories.

Submodules are imported on first use so ``import hangzhou_address.io`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "read_any",
    "read_divisions",
    "read_grids",
    "read_buildings",
    "read_addresses",
    "read_aliases",
    "write_city",
    "open_city",
    "read_city",
    "read_manifest",
    "validate_city",
    "ValidationReport",
    "atomic_write",
    "write_changeset",
    "read_changeset",
    "read_change_request",
    "apply_to_directory",
    "diff_directories",
    "read_change_log",
]

_WHERE = {
    "read_any": "readers", "read_divisions": "readers", "read_grids": "readers", "read_buildings": "readers",
    "read_addresses": "readers", "read_aliases": "readers", "write_city": "city", "open_city": "city",
    "read_city": "city",
    "read_manifest": "city", "validate_city": "validate", "ValidationReport": "validate", "atomic_write": "_atomic",
    "write_changeset": "changes", "read_changeset": "changes", "read_change_request": "changes",
    "apply_to_directory": "versions", "diff_directories": "versions", "read_change_log": "versions",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
