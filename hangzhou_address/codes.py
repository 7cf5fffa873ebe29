"""The building-code standard: create, validate, explain and navigate hierarchical codes.

Codes are strings of ASCII digits, one length per level (see ``docs/code-standard.md``)::

    city       4   3301
    district   6   + 2  (GB/T 2260 county code, e.g. 330106)
    town       9   + 3  (NBS town code)
    community 12   + 3  (NBS village/community code)
    grid      15   + 3  (grid number 001-999)
    building  20   + 4  (building number 0001-9999) + 1 check character

The building check character is ISO 7064 MOD 11-2 over the 19 preceding digits (the algorithm of
the Chinese resident ID card). ``X`` is the only non-digit allowed, and only there.

Input policy (applied identically by the scalar and the vectorized functions):

* surrounding whitespace is stripped;
* full-width digits ``０``-``９`` and a full-width ``Ｘ`` / ``ｘ`` are folded to ASCII
  (``３３０１０６`` is ``330106``): spreadsheets and scanned forms produce them all the time. No other
  non-ASCII character is folded: superscripts, circled, mathematical or other scripts' digits (which
  ``str.isdigit`` and Unicode NFKC accept) are ``non_digit``;
* a lowercase ``x`` check character is accepted and reported in upper case (as ID-card readers do);
* missing values (``None``, NaN, ``pandas.NA``, NaT) are reason ``missing``, everywhere;
* anything else — other characters, wrong lengths, non-string types — is invalid with a reason.

Bad arguments (a registry that is not one, an unknown level name, numbers that are not integers...)
raise :class:`~hangzhou_address.errors.InputError` (its subclass ``InputTypeError`` for wrong types) or
:class:`~hangzhou_address.errors.InvalidCodeError`; both are ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import InputError, InputTypeError, InvalidCodeError

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Registry

__all__ = [
    "LEVELS",
    "LEVEL_LENGTHS",
    "CITY_CODE",
    "code_level",
    "is_valid_code",
    "validate_code",
    "validate_codes",
    "normalize_code",
    "check_char",
    "make_building_code",
    "make_building_codes",
    "make_grid_code",
    "split_code",
    "code_to_parent",
    "codes_to_parent",
    "code_to_children",
    "explain",
]

LEVELS: tuple[str, ...] = ("city", "district", "town", "community", "grid", "building")
LEVEL_LENGTHS: dict[str, int] = {
    "city": 4,
    "district": 6,
    "town": 9,
    "community": 12,
    "grid": 15,
    "building": 20,
}
_LENGTH_LEVEL = {v: k for k, v in LEVEL_LENGTHS.items()}
CITY_CODE = "3301"

#: ISO 7064 MOD 11-2 weights for positions 1..19 (2^(19-i+1) mod 11 ... read from the right: 2^1 for the
#: last digit before the check character).
_WEIGHTS = np.array([pow(2, 19 - i, 11) for i in range(19)], dtype=np.int64)
_CHECK_MAP = "10X98765432"
_CHECK_MAP_BYTES = np.frombuffer(_CHECK_MAP.encode(), dtype=np.uint8)

# segment slices for messages: (level, start, end)
_SEGMENTS = (
    ("city", 0, 4),
    ("district", 4, 6),
    ("town", 6, 9),
    ("community", 9, 12),
    ("grid", 12, 15),
    ("building number", 15, 19),
    ("check character", 19, 20),
)

#: the only non-ASCII characters a code may contain: full-width digits and X (folded to ASCII)
_FULLWIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x"})
#: codes per chunk in :func:`validate_codes` (bounds its temporary memory)
_CHUNK = 100_000

REASONS = (
    "missing",
    "not_string",
    "length",
    "non_digit",
    "bad_city",
    "zero_segment",
    "check_char",
    "unknown_division",
)


# --------------------------------------------------------------------------- scalar core
def _is_missing(value: Any) -> bool:
    """None, NaN, ``pandas.NA`` or NaT (reason ``missing``)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)) or not pd.api.types.is_scalar(value):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # pragma: no cover - exotic scalars
        return False


def _check_registry(registry: Any) -> None:
    """A registry argument must be None or registry-like (``codes`` cannot import ``registry``)."""
    if registry is not None and not all(hasattr(registry, a) for a in ("lookup", "has_table", "children")):
        raise InputTypeError(f"registry must be a hangzhou_address Registry or None, got {type(registry).__name__}")


def _check_level(level: Any) -> str:
    if not isinstance(level, str) or level not in LEVEL_LENGTHS:
        raise InputError(f"level must be one of {LEVELS}, got {level!r}")
    return level


def normalize_code(code: Any) -> str:
    """Return ``code`` in canonical form (stripped, full-width folded to ASCII, upper-case ``X``) or raise.

    Raises
    ------
    InputTypeError
        ``code`` is missing (``None``, NaN) or not a string (an ``int``...). Codes have leading zeros in
        some systems, so integers are refused rather than guessed.
    """
    if _is_missing(code):
        raise InputTypeError(f"code is missing ({code!r}); expected a string such as '330106'")
    if not isinstance(code, str):
        raise InputTypeError(
            f"code must be a string, got {type(code).__name__} {code!r}; "
            "pass codes as text (e.g. '330106') so leading digits are kept"
        )
    s = code.strip()
    if not s.isascii():
        s = s.translate(_FULLWIDTH)
    return s.upper() if s.endswith("x") else s


def _problem(s: str) -> tuple[str, str] | None:
    """Return ``(reason, detail)`` for a canonical string, or None when structurally valid."""
    n = len(s)
    if n == 0:
        return "missing", "code is empty"
    if n not in _LENGTH_LEVEL:
        return "length", (
            f"code {s!r} has {n} characters; expected 4 (city), 6 (district), 9 (town), "
            "12 (community), 15 (grid) or 20 (building)"
        )
    body = s[:19] if n == 20 else s
    if not (body.isascii() and body.isdigit()):
        pos = next(i for i, ch in enumerate(body) if not ("0" <= ch <= "9"))
        seg = next(name for name, a, b in _SEGMENTS if a <= pos < b)
        return "non_digit", f"code {s!r}: {seg} segment has non-digit character {s[pos]!r} at position {pos + 1}"
    if n == 20 and s[19] not in "0123456789X":
        return "non_digit", f"building code {s!r}: check character {s[19]!r} must be a digit or 'X'"
    if not s.startswith(CITY_CODE):
        return "bad_city", f"code {s!r}: city segment {s[:4]!r} is not Hangzhou ({CITY_CODE!r})"
    for name, a, b in _SEGMENTS[1:6]:
        if b <= min(n, 19) and set(s[a:b]) == {"0"}:
            return "zero_segment", f"code {s!r}: {name} segment {s[a:b]!r} is all zeros"
    if n == 20:
        expected = _check_char_unchecked(s[:19])
        if s[19] != expected:
            return "check_char", (
                f"building code {s!r}: check character {s[19]!r} is wrong, expected {expected!r}"
            )
    return None


def _check_char_unchecked(digits19: str) -> str:
    total = sum(int(c) * int(w) for c, w in zip(digits19, _WEIGHTS))
    return _CHECK_MAP[total % 11]


def check_char(digits19: str) -> str:
    """ISO 7064 MOD 11-2 check character for 19 ASCII digits.

    Examples
    --------
    >>> check_char("3301060050010010001")
    '9'
    """
    if not isinstance(digits19, str):
        raise InputTypeError(f"digits19 must be a string of 19 digits, got {type(digits19).__name__}")
    if len(digits19) != 19 or not (digits19.isascii() and digits19.isdigit()):
        raise InvalidCodeError(f"check_char needs exactly 19 ASCII digits, got {digits19!r}")
    return _check_char_unchecked(digits19)


def validate_code(code: Any) -> str:
    """Return the canonical form of ``code`` or raise :class:`InvalidCodeError` naming the problem.

    Examples
    --------
    >>> validate_code(" 330106 ")
    '330106'
    """
    s = normalize_code(code)
    problem = _problem(s)
    if problem is not None:
        raise InvalidCodeError(problem[1])
    return s


def code_level(code: Any) -> str:
    """Level of a code: 'city', 'district', 'town', 'community', 'grid' or 'building'.

    Examples
    --------
    >>> code_level("330106005001")
    'community'
    """
    return _LENGTH_LEVEL[len(validate_code(code))]


def is_valid_code(code: Any, *, registry: Registry | None = None) -> bool:
    """Whether ``code`` is structurally valid (and, given a registry, exists in it).

    With a registry, divisions must exist; grids and buildings must exist when the registry has
    grid/building tables, otherwise their community must exist.

    Examples
    --------
    >>> is_valid_code("330106")
    True
    >>> is_valid_code("33010600500100100017")
    False
    """
    _check_registry(registry)
    try:
        s = validate_code(code)
    except (InvalidCodeError, InputError):
        return False
    return registry is None or _exists(s, registry)


def _exists(s: str, registry: Registry) -> bool:
    n = len(s)
    if n <= 12:
        return registry.lookup(s) is not None
    table = "grids" if n == 15 else "buildings"
    if registry.has_table(table):
        return registry.lookup(s) is not None
    return registry.lookup(s[:12]) is not None


# --------------------------------------------------------------------------- vectorized
def _as_object_array(codes: Any) -> np.ndarray:
    if isinstance(codes, (str, bytes, bytearray, memoryview)):
        raise InputTypeError("pass an array-like of codes (str), not a single code; wrap one code in a list")
    if isinstance(codes, Mapping):
        raise InputTypeError("pass an array-like of codes (str), not a mapping")
    if isinstance(codes, (pd.Series, pd.Index)):
        return codes.to_numpy(dtype=object, na_value=None)
    try:
        import pyarrow as pa

        if isinstance(codes, (pa.Array, pa.ChunkedArray)):
            return np.asarray(codes.to_pylist(), dtype=object)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(codes, np.ndarray):
        return codes.astype(object) if codes.dtype != object else codes
    if isinstance(codes, Iterable):
        return np.fromiter(codes, dtype=object)
    raise InputTypeError(f"codes must be an array-like of strings, got {type(codes).__name__}")


def validate_codes(codes: Any, *, registry: Registry | None = None, chunk_size: int = _CHUNK) -> pd.DataFrame:
    """Validate many codes at once.

    Parameters
    ----------
    codes : array-like of str
        list, numpy array, pandas Series or pyarrow array. Non-strings are reported, not raised.
    registry : Registry, optional
        Also check existence (reason ``'unknown_division'``).
    chunk_size : int, default 100_000
        Codes checked per step: the temporary arrays are bounded by the chunk, not the input, so
        memory beyond the result stays small for any number of codes. Results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per input, in order: ``code`` (as given), ``valid`` (bool), ``level`` (str or None),
        ``reason`` (None when valid, else one of ``REASONS``) and ``detail`` (a message).

    Notes
    -----
    The common case (ASCII strings) is checked with numpy on a fixed-width byte matrix; only
    invalid or unusual rows take a per-row path to build their message.

    Examples
    --------
    >>> validate_codes(["330106", "33010600500100100019", "3301X"])[["valid", "reason"]].values.tolist()
    [[True, None], [True, None], [False, 'length']]
    """
    _check_registry(registry)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    arr = _as_object_array(codes)
    n = len(arr)
    valid = np.zeros(n, dtype=bool)
    level = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    for start in range(0, n, int(chunk_size)):
        part = slice(start, min(n, start + int(chunk_size)))
        _validate_chunk(arr[part], valid[part], level[part], reason[part], detail[part])
    if registry is not None:
        for i in np.flatnonzero(valid):
            s = normalize_code(arr[i])
            if not _exists(s, registry):
                valid[i] = False
                reason[i] = "unknown_division"
                detail[i] = f"code {s!r} is well-formed but not in the registry"
    # the result wraps our arrays without copying them; the codes are copied only when ``arr`` may be the
    # caller's own buffer (an object ndarray, a Series), so the result never aliases an input
    may_alias = isinstance(codes, (pd.Series, pd.Index)) or (isinstance(codes, np.ndarray) and codes.dtype == object)
    return pd.DataFrame(
        {
            "code": pd.Series(arr.copy() if may_alias else arr, dtype=object, copy=False),
            "valid": valid,
            "level": pd.Series(level, dtype=object, copy=False),
            "reason": pd.Series(reason, dtype=object, copy=False),
            "detail": pd.Series(detail, dtype=object, copy=False),
        },
        copy=False,
    )


def _validate_chunk(arr: np.ndarray, valid: np.ndarray, level: np.ndarray, reason: np.ndarray,
                    detail: np.ndarray) -> None:
    """Fill the output views ``valid, level, reason, detail`` for the codes ``arr`` (one chunk)."""
    n = len(arr)
    # fast path: exact python str, ASCII, already canonical -> byte matrix per length
    is_str = np.fromiter((type(c) is str for c in arr), dtype=bool, count=n)
    str_idx = np.flatnonzero(is_str)
    lengths = np.zeros(n, dtype=np.int64)
    if len(str_idx):
        lengths[str_idx] = np.fromiter((len(c) for c in arr[str_idx]), dtype=np.int64, count=len(str_idx))
    slow = ~is_str
    for length, lvl in _LENGTH_LEVEL.items():
        idx = np.flatnonzero(is_str & (lengths == length))
        if len(idx) == 0:
            continue
        try:
            raw = arr[idx].astype(f"S{length}")
        except UnicodeEncodeError:
            slow[idx] = True
            continue
        mat = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(idx), length)
        ok, chk_bad, expected = _vector_ok(mat, length)
        valid[idx[ok]] = True
        level[idx[ok]] = lvl
        if chk_bad is not None and chk_bad.any():  # only the check character is wrong: message vectorized
            bi = idx[chk_bad]
            reason[bi] = "check_char"
            detail[bi] = [f"building code {c!r}: check character {c[19]!r} is wrong, expected {str(e)!r}"
                          for c, e in zip(arr[bi], expected[chk_bad].astype(str))]
            slow[idx[~ok & ~chk_bad]] = True
        else:
            slow[idx[~ok]] = True
    # every other string length is slow too (it will get 'length' or be normalized)
    slow |= is_str & ~np.isin(lengths, list(_LENGTH_LEVEL))
    for i in np.flatnonzero(slow):
        code = arr[i]
        try:
            s = normalize_code(code)
        except InputError as exc:
            reason[i] = "missing" if _is_missing(code) else "not_string"
            detail[i] = str(exc)
            continue
        problem = _problem(s)
        if problem is None:
            valid[i] = True
            level[i] = _LENGTH_LEVEL[len(s)]
        else:
            reason[i], detail[i] = problem


def _vector_ok(mat: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Structural validity of canonical ASCII codes of one length (rows of a uint8 matrix).

    Returns ``(ok, check_char_only_bad, expected_check_chars)``; the last two are None below level 20.
    """
    body_len = 19 if length == 20 else length
    body = mat[:, :body_len]
    ok = ((body >= 48) & (body <= 57)).all(axis=1)
    ok &= (mat[:, :4] == np.frombuffer(CITY_CODE.encode(), dtype=np.uint8)).all(axis=1)
    for _, a, b in _SEGMENTS[1:6]:
        if b <= body_len:
            ok &= (mat[:, a:b] != 48).any(axis=1)
    if length == 20:
        digits = body.astype(np.int64) - 48
        expected = _CHECK_MAP_BYTES[(digits @ _WEIGHTS) % 11]
        last = mat[:, 19]
        good_chk = last == expected
        plausible = ((last >= 48) & (last <= 57)) | (last == 88)  # a digit or 'X' (others: slow path)
        return ok & good_chk, ok & ~good_chk & plausible, expected.view("S1")
    return ok, None, None


# --------------------------------------------------------------------------- construction
def _child_args(parent: Any, parent_level: str, number: Any, child: str, top: int) -> str:
    """Validate a parent code of ``parent_level`` and a child number 1..top; return the parent."""
    code = validate_code(parent)
    if len(code) != LEVEL_LENGTHS[parent_level]:
        raise InvalidCodeError(f"{parent_level} code must have {LEVEL_LENGTHS[parent_level]} digits, "
                               f"got {code!r} ({code_level(code)})")
    if isinstance(number, bool) or not isinstance(number, (int, np.integer)) or not 1 <= number <= top:
        raise InvalidCodeError(f"{child} number must be an integer 1-{top}, got {number!r}")
    return code


def make_grid_code(community_code: str, number: int) -> str:
    """Grid code from a 12-digit community code and a grid number 1-999.

    Examples
    --------
    >>> make_grid_code("330106005001", 3)
    '330106005001003'
    """
    c = _child_args(community_code, "community", number, "grid", 999)
    return f"{c}{int(number):03d}"


def make_building_code(grid_code: str, number: int) -> str:
    """Building code from a 15-digit grid code and a building number 1-9999 (adds the check character).

    Examples
    --------
    >>> make_building_code("330106005001001", 1)
    '33010600500100100019'
    """
    g = _child_args(grid_code, "grid", number, "building", 9999)
    digits = f"{g}{int(number):04d}"
    return digits + _check_char_unchecked(digits)


def make_building_codes(grid_codes: Any, numbers: Any) -> np.ndarray:
    """Vectorized :func:`make_building_code`: 15-digit grid codes and building numbers 1-9999.

    Grid codes must be canonical (15 ASCII digits, a valid Hangzhou grid code) and numbers integers;
    anything else is refused, never truncated or rounded.

    Returns
    -------
    numpy.ndarray of str (object dtype)

    Raises
    ------
    InvalidCodeError
        A grid code that is not a valid 15-digit grid code, or a number that is not an integer 1-9999.
    InputError
        Non-string grid codes, or shapes that do not broadcast.

    Examples
    --------
    >>> make_building_codes(["330106005001001"], [1]).tolist()
    ['33010600500100100019']
    """
    g = np.asarray(grid_codes)
    num = np.asarray(numbers)
    if not g.size:  # [] is float64 to numpy
        g = g.astype("U15")
    if not num.size:
        num = num.astype(np.int64)
    if g.dtype.kind == "O":
        if not all(type(c) is str for c in g.ravel()):
            raise InputTypeError("grid codes must be strings of 15 digits (no None / NaN / numbers)")
        g = g.astype(str)
    if g.dtype.kind != "U":
        raise InputTypeError(f"grid codes must be strings of 15 digits, got an array of {g.dtype}")
    if num.dtype.kind not in "iu":
        raise InvalidCodeError(f"building numbers must be integers 1-9999, got an array of {num.dtype}")
    try:
        g, num = np.broadcast_arrays(g, num)
    except ValueError:
        raise InputError(f"grid codes (shape {np.shape(grid_codes)}) and numbers (shape {np.shape(numbers)}) "
                         "do not broadcast to one shape") from None
    if num.size and (num.min() < 1 or num.max() > 9999):
        raise InvalidCodeError("building numbers must be 1-9999")
    if not g.size:
        return np.asarray(g, dtype=object)
    bad = np.char.str_len(g) != 15
    if not bad.any():
        try:
            raw = g.astype("S15")
        except UnicodeEncodeError:
            bad = np.array([not c.isascii() for c in g.ravel()]).reshape(g.shape)
        else:
            mat = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(-1, 15)
            bad = ~_vector_ok(mat, 15)[0].reshape(g.shape)
    if bad.any():
        first = str(g[bad].ravel()[0])
        why = (_problem(first) or ("", f"code {first!r} is not a grid code"))[1]
        raise InvalidCodeError(f"{int(bad.sum()):,} grid code(s) are not valid 15-digit grid codes "
                               f"(first: {why}; a grid code has 15 digits)")
    nb = np.char.zfill(num.astype(np.int64).astype("S4"), 4)
    body = np.char.add(raw, nb)
    mat = np.frombuffer(body.tobytes(), dtype=np.uint8).reshape(-1, 19).astype(np.int64) - 48
    chk = _CHECK_MAP_BYTES[(mat @ _WEIGHTS) % 11].view("S1").reshape(body.shape)
    return np.char.add(body, chk).astype(str).astype(object)


# --------------------------------------------------------------------------- navigation
def split_code(code: Any) -> dict[str, str]:
    """Codes of every level from the city down to ``code``.

    Examples
    --------
    >>> split_code("330106005")
    {'city': '3301', 'district': '330106', 'town': '330106005'}
    """
    s = validate_code(code)
    out = {}
    for lvl in LEVELS:
        length = LEVEL_LENGTHS[lvl]
        if length > len(s):
            break
        out[lvl] = s[:length]
    return out


def code_to_parent(code: Any, level: str | None = None) -> str:
    """Parent code (or the ancestor at ``level``).

    Examples
    --------
    >>> code_to_parent("330106005001")
    '330106005'
    >>> code_to_parent("330106005001", "district")
    '330106'
    """
    s = validate_code(code)
    lvl = _LENGTH_LEVEL[len(s)]
    i = LEVELS.index(lvl)
    if level is None:
        if i == 0:
            raise InvalidCodeError(f"code {s!r} is the city; it has no parent")
        return s[: LEVEL_LENGTHS[LEVELS[i - 1]]]
    _check_level(level)
    if LEVELS.index(level) >= i:
        raise InvalidCodeError(f"{level!r} is not above {lvl!r} code {s!r}")
    return s[: LEVEL_LENGTHS[level]]


def codes_to_parent(codes: Any, level: str) -> np.ndarray:
    """Vectorized ancestor at ``level`` (plain prefix; inputs are not validated here).

    None/short entries give None.
    """
    n = LEVEL_LENGTHS[_check_level(level)]
    arr = _as_object_array(codes)
    return np.array([c[:n] if isinstance(c, str) and len(c) > n else None for c in arr], dtype=object)


def code_to_children(code: Any, *, registry: Registry, include_retired: bool = False) -> tuple[str, ...]:
    """Codes of the direct children of ``code`` in ``registry``.

    Parameters
    ----------
    code : str
        A city, district, town, community or grid code.
    registry : Registry
        Where the children are looked up.
    include_retired : bool, default False
        By default only current (active) children are returned; ``True`` adds the retired ones
        (the abolished 下城区 and 江干区 under the city, towns and communities merged away...).

    Examples
    --------
    >>> from hangzhou_address import default_registry
    >>> reg = default_registry()
    >>> len(code_to_children("3301", registry=reg)), "330103" in code_to_children("3301", registry=reg)
    (13, False)
    >>> len(code_to_children("3301", registry=reg, include_retired=True))  # + 下城区, 江干区, 富阳市, 临安市
    17
    """
    if registry is None:
        raise InputTypeError("code_to_children needs registry= (a Registry)")
    _check_registry(registry)
    if not isinstance(include_retired, bool):
        raise InputTypeError(f"include_retired must be True or False, got {include_retired!r}")
    kids = registry.children(validate_code(code))
    if include_retired:
        return kids
    return tuple(k for k in kids if (div := registry.lookup(k)) is None or div.is_active)


def _lifecycle(s: str, registry: Registry) -> dict[str, Any] | None:
    """What became of an issued code that is not current (:func:`hangzhou_address.lifecycle.resolve_code`):
    ``status`` (``retired`` / ``recoded`` / ``split``), ``date``, ``reason``, ``successors`` and a one-line
    ``summary``; None for a current or never issued code."""
    if not hasattr(registry, "lineage"):
        return None
    from .lifecycle.resolution import resolve_code  # lazily: codes must not import the registry

    st = resolve_code(s, registry=registry)
    if st.status not in ("retired", "recoded", "split"):
        return None
    date = next((step.date for step in st.chain if step.date), None)
    if date is None:
        div = registry.divisions
        if len(s) <= 12:
            hit = div.loc[div["code"] == s, "valid_to"] if "valid_to" in div else ()
        else:
            t = registry.require("grids" if len(s) == 15 else "buildings") if registry.has_table(
                "grids" if len(s) == 15 else "buildings") else None
            hit = t.loc[t["code"] == s, "valid_to"] if t is not None and "valid_to" in t else ()
        date = next((v for v in hit if isinstance(v, str) and v), None)
    why = "; ".join(dict.fromkeys(step.reason for step in st.chain if step.reason)) or st.reason
    succ = [{"code": c, "name": registry.name_of(c)} for c in st.current]
    now = ", ".join(c["code"] + (f" {c['name']}" if c["name"] and len(c["code"]) <= 12 else "") for c in succ)
    summary = (f"{s} {st.status}{' on ' + date if date else ''}"
               + (f": {why}" if why and not why.startswith("retired") else (f" ({why})" if why else ""))
               + (f"; now {now}" if now else "; no successor"))
    return {"status": st.status, "date": date, "reason": why, "successors": succ, "summary": summary}


def explain(code: Any, *, registry: Registry | None = None) -> dict[str, Any]:
    """Describe a code: validity, level and every level's code (and name, given a registry).

    Never raises for bad codes: the result has ``valid=False`` and a ``reason``. For a retired division of
    ``registry`` the result also has ``history`` (editions, period, successors, reasons and a one-line summary
    such as ``丁桥镇 (before 2015) → 丁兰街道 (330102017): renamed ...``; see ``Registry.history``). For any
    code issued once and no longer current (a re-gridded grid, a building re-coded by a move or demolished,
    a retired division) it has ``lifecycle``: ``status`` (``retired`` / ``recoded`` / ``split``), ``date``,
    ``reason``, ``successors`` and ``summary`` (:func:`hangzhou_address.lifecycle.resolve_code`); a grid or
    building code that is no longer in the tables then has ``reason`` = that status, not
    ``unknown_division``.

    Examples
    --------
    >>> explain("330106005")["levels"][1]
    {'level': 'district', 'code': '330106', 'name': None}
    """
    _check_registry(registry)
    out: dict[str, Any] = {"input": code, "valid": False, "level": None, "reason": None, "detail": None,
                           "levels": []}
    try:
        s = normalize_code(code)
    except InputError as exc:
        out.update(reason="missing" if _is_missing(code) else "not_string", detail=str(exc))
        return out
    out["code"] = s
    problem = _problem(s)
    if problem is not None:
        out["reason"], out["detail"] = problem
        return out
    out["valid"] = True
    out["level"] = _LENGTH_LEVEL[len(s)]
    for lvl, part in split_code(s).items():
        name = None
        if registry is not None:
            div = registry.lookup(part)
            name = div.name if div is not None else None
        out["levels"].append({"level": lvl, "code": part, "name": name})
    if len(s) == 20:
        out["building_number"] = int(s[15:19])
        out["check_char"] = s[19]
    life = _lifecycle(s, registry) if registry is not None else None
    if life is not None:
        out["lifecycle"] = life
    if registry is not None and not _exists(s, registry):
        out["valid"] = False
        if life is not None:  # issued once, re-coded or retired since: say so, with when, why and successors
            out["reason"] = life["status"]
            out["detail"] = life["summary"]
        else:
            out["reason"] = "unknown_division"
            out["detail"] = f"code {s!r} is well-formed but not in the registry"
    elif registry is not None and len(s) <= 12 and hasattr(registry, "history"):
        div = registry.lookup(s)
        if div is not None and not div.is_active:  # a retired division: its editions, successors and why
            h = registry.history(s)
            out["history"] = {"status": h.status, "editions": list(h.editions), "period": h.period,
                              "successors": [{"code": c, "name": registry.name_of(c)} for c in h.successors],
                              "reasons": list(h.reasons),
                              "summary": h.describe({c: registry.name_of(c) for c in h.successors})}
    return out
