"""hangzhou_address — Hangzhou's unified address library.

Hierarchical building codes (city → district → town → community → grid → building), an official
division registry, free-text address matching, spatial look-ups and ledger normalization.

Importing the package loads no data; :func:`default_registry` builds the embedded registry on first use.
"""

from __future__ import annotations

from .errors import (
    CRSError,
    DataError,
    DataNotAvailableError,
    DataValidationError,
    HangzhouAddressError,
    InputError,
    InvalidCodeError,
    UnknownDivisionError,
)
from .registry import Division, Registry, default_registry

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "CRSError",
    "DataError",
    "DataNotAvailableError",
    "DataValidationError",
    "HangzhouAddressError",
    "InputError",
    "InvalidCodeError",
    "UnknownDivisionError",
    "Division",
    "Registry",
    "default_registry",
]
