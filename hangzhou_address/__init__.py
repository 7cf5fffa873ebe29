"""hangzhou_address — Hangzhou's unified address library.

Hierarchical building codes (city → district → town → community → grid → building), an official
division registry, free-text address matching, spatial look-ups and ledger normalization.

Importing the package loads no data; :func:`default_registry` builds the embedded registry (real NBS
divisions + a SYNTHETIC city) on first use. Matching, spatial and ledger functions are imported on
first access, so ``import hangzhou_address`` stays light: ``hangzhou_address.match("…")`` and
``from hangzhou_address import match`` give the function (its module is :mod:`hangzhou_address.matcher`;
``reconcile`` lives in :mod:`hangzhou_address.reconciliation`, ``geocode`` in :mod:`hangzhou_address.geocoding`,
``explore`` in :mod:`hangzhou_address.maps`). The ``.hz`` pandas accessor is registered by
``import hangzhou_address.accessor``, never by importing the package. Every name in ``__all__`` is what it
says, whether or not its module has been imported.
"""

from __future__ import annotations

import importlib
from typing import Any

from .codes import (
    check_char,
    code_level,
    code_to_children,
    code_to_parent,
    explain,
    is_valid_code,
    make_building_code,
    validate_codes,
)
from .errors import (
    CRSError,
    DataError,
    DataNotAvailableError,
    DataValidationError,
    HangzhouAddressError,
    InputError,
    InputTypeError,
    InvalidCodeError,
    UnknownDivisionError,
)
from .registry import Division, Registry, default_registry

__version__ = "0.1.0"

_LAZY = {
    "match": "matcher", "parse": "matcher", "match_many": "matcher", "Matcher": "matcher",
    "MatchResult": "matcher", "ParsedAddress": "matcher", "Candidate": "matcher", "default_matcher": "matcher",
    "locate": "spatial", "locate_frame": "spatial", "nearest_building": "spatial",
    "buildings_within": "spatial", "buildings_near": "spatial", "GridIndex": "spatial",
    "nearest_building_frame": "spatial",
    "geocode": "geocoding", "explore": "maps",
    "normalize_frame": "ledger", "normalize_file": "ledger",
    "reconcile": "reconciliation", "ReconcileResult": "reconciliation",
    "tag": "tagger",
}

__all__ = [
    "__version__",
    "CRSError",
    "DataError",
    "DataNotAvailableError",
    "DataValidationError",
    "HangzhouAddressError",
    "InputError",
    "InputTypeError",
    "InvalidCodeError",
    "UnknownDivisionError",
    "Division",
    "Registry",
    "default_registry",
    "check_char",
    "code_level",
    "code_to_children",
    "code_to_parent",
    "explain",
    "is_valid_code",
    "make_building_code",
    "validate_codes",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
