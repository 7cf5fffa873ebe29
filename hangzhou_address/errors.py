"""Exception hierarchy: every error raised on purpose by this library derives from
:class:`HangzhouAddressError`, so callers can catch "anything from hangzhou_address"."""

from __future__ import annotations

__all__ = [
    "HangzhouAddressError",
    "InvalidCodeError",
    "UnknownDivisionError",
    "DataError",
    "DataValidationError",
    "DataNotAvailableError",
    "InputError",
    "InputTypeError",
    "CRSError",
]


class HangzhouAddressError(Exception):
    """Root of all errors raised by :mod:`hangzhou_address`."""


class InvalidCodeError(HangzhouAddressError, ValueError):
    """A code string is malformed: wrong length, non-digit, bad check character.

    The message names the failing segment and, for a bad check character, the
    expected one.
    """


class UnknownDivisionError(HangzhouAddressError, KeyError):
    """A well-formed code or name that does not exist in the registry."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class InputError(HangzhouAddressError, ValueError):
    """A user-supplied argument is of the wrong type or out of range."""


class InputTypeError(InputError, TypeError):
    """A user-supplied argument has the wrong type (e.g. ``None`` where an address text is expected)."""


class CRSError(InputError):
    """A coordinate reference system is unknown or cannot be used."""


class DataError(HangzhouAddressError):
    """Problem with a data file or table (missing, unreadable, wrong schema)."""


class DataNotAvailableError(DataError):
    """A table the operation needs (grids, buildings, addresses) is not in the registry."""


class DataValidationError(DataError):
    """Loaded data failed validation; ``report`` holds the offending rows."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report
