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
    "ChangeError",
    "ChangeConflictError",
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


class ChangeError(HangzhouAddressError, ValueError):
    """A change to the city (:mod:`hangzhou_address.lifecycle`) fails validation: overlapping or gapped
    grids, a code that does not exist or is already retired, a date before the registry version's.
    Nothing is applied or written. ``problems`` lists what is wrong, one line each."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message if not problems else message + ":\n  " + "\n  ".join(problems))
        self.problems = tuple(problems)


class ChangeConflictError(ChangeError):
    """A change set was made against another version of the registry than the one it is applied to
    (another editor applied a change in between): make it again against the current version."""
