"""Address elements (road + door number, compound / village + number) read from an address's text.

A city's own addresses table may hold only ``building_code, text`` (``docs/data-formats.md``). The
matcher finds buildings through the ``road, roadno, poi, houseno, group`` columns, so a
:class:`~hangzhou_address.registry.Registry` fills them, when its ``addresses`` table is first used,
from the text of every row that lacks them (:func:`with_elements`), with the library's own parser
(:meth:`hangzhou_address.matcher.Matcher.parse_many` over the registry's divisions). Rows whose
columns are given are kept as they are.

How each row was read is recorded in the column ``elements_from`` (added only when some row lacked its
elements; a table without it was read from its columns entirely):

``columns``   the element columns were given
``text``      the elements were read from the text
``unread``    the text shows no road + number and no compound / village + number (elements left as given)
``conflict``  the elements were read, but the divisions the text names contradict the building code's

:func:`hangzhou_address.io.validate.validate_city` reports the last two (checks ``unread_address`` and
``address_division_conflict``) by row number; no address text reaches a message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Registry

__all__ = ["ELEMENT_COLUMNS", "ELEMENTS_FROM", "lacks_elements", "read_elements", "with_elements"]

#: the address-element columns the matcher's building index reads
ELEMENT_COLUMNS = ("road", "roadno", "poi", "houseno", "group")
#: values of the ``elements_from`` column, in this order
ELEMENTS_FROM = ("columns", "text", "unread", "conflict")

_NUMBER_RE = re.compile(r"\d{1,5}")
_GROUP_RE = re.compile(r"(\d{1,3})\s*组\s*(\d{1,5})\s*号?")
_DIVISION = frozenset({"prov", "city", "district", "town", "community", "devzone"})
_NAME = frozenset({"road", "subroad", "poi", "subpoi"})
_SEPARATORS = " ,，、.。;；:：-_/"
#: texts parsed per call of parse_many (bounds the memory of the intermediate results)
_BATCH = 4096


def lacks_elements(addresses: pd.DataFrame) -> np.ndarray:
    """Mask of the rows with neither ``road`` + ``roadno`` nor ``poi`` + ``houseno`` (absent columns count as
    empty): the rows the building index cannot find by any name."""
    n = len(addresses)

    def has(col: str) -> np.ndarray:
        if col not in addresses.columns:
            return np.zeros(n, dtype=bool)
        s = addresses[col]
        ok = s.notna().to_numpy(dtype=bool)
        if not pd.api.types.is_numeric_dtype(s.dtype):
            ok = ok & ~(s == "").to_numpy(dtype=bool, na_value=False)
        return ok

    return ~((has("road") & has("roadno")) | (has("poi") & has("houseno")))


def read_elements(texts: list[str], registry: Registry) -> pd.DataFrame:
    """Read the elements of ``texts`` with the parser over ``registry``'s divisions.

    Returns one row per text with ``road, roadno, poi, houseno, group`` (None / ``<NA>`` where absent),
    ``form`` (road / compound / village / None) and ``district_code, town_code, community_code`` (the
    divisions the text names, None where it names none; a community named only inside the road / compound
    name is not counted). Names are returned as written in the text,
    numbers as integers (Chinese numerals and full-width digits read).
    """
    from .matcher import Matcher
    from .resolve import MAX_INPUT_CHARS, normalize_for_matching
    from .tagger import MAX_CHARS

    matcher = Matcher(registry, fuzzy=False)
    cols: dict[str, list[Any]] = {k: [] for k in ("form", *ELEMENT_COLUMNS, "district_code", "town_code",
                                                   "community_code")}
    for i in range(0, len(texts), _BATCH):
        batch = [t if isinstance(t, str) and len(t) <= MAX_INPUT_CHARS else "" for t in texts[i:i + _BATCH]]
        normed = [normalize_for_matching(t) for t in batch]
        # the parser reads normalized text as it reads the raw text, and its elements are then substrings of
        # the normalized text (ASCII digits), mapped back to the text as written through the offsets
        parsed = matcher.parse_many([n if len(n) <= MAX_CHARS else "" for n, _off in normed])
        for text, (norm, off), p in zip(batch, normed, parsed):
            form, road, roadno, poi, houseno, group = _elements(norm, p.elements) if norm else (None,) * 6
            community = p.community_code
            sub = p.elements.get("community")
            if community is not None and sub:
                # a community name inside the compound / road name (温馨 in 温馨人家) does not name a community
                at = norm.find(sub)
                if any(s is not None and s[0] <= at and at + len(sub) <= s[1] and s[1] - s[0] > len(sub)
                       for s in (road, poi)):
                    community = None
            road, poi = (None if s is None else text[s[0]:s[1]] if off is None else text[off[s[0]]:off[s[1]]]
                         for s in (road, poi))
            for k, v in zip(("form", *ELEMENT_COLUMNS), (form, road, roadno, poi, houseno, group)):
                cols[k].append(v)
            cols["district_code"].append(p.district_code)
            cols["town_code"].append(p.town_code)
            cols["community_code"].append(community)
    out = pd.DataFrame(cols)
    for col in ("roadno", "houseno", "group"):
        out[col] = pd.array(out[col], dtype="Int64")
    for col in ("form", "road", "poi", "district_code", "town_code", "community_code"):
        out[col] = out[col].astype(object)
    return out


def _spans(text: str, elements: Any) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` of each element (substrings of ``text``, in reading order)."""
    out = []
    cursor = 0
    for label, sub in elements.items():
        if not sub:
            continue
        at = text.find(sub, cursor)
        if at < 0:
            at = text.find(sub)
        if at < 0:
            continue
        out.append((label, at, at + len(sub)))
        cursor = at
    return out


def _name_before(text: str, spans: list[tuple[str, int, int]], pos: int, *, village: bool) -> tuple[int, int] | None:
    """The road / compound (``village``: also village) name that ends right before ``pos``: the run of
    contiguous name elements (poi + subpoi: 颐景山庄翠霞苑) ending there, without a division name it starts
    with (围垦区福新雅苑 → 福新雅苑)."""
    end = pos
    while end > 0 and text[end - 1] in _SEPARATORS:
        end -= 1
    labels = _NAME | ({"community"} if village else set())
    start = None
    cut = end
    while True:
        prev = [s for s in spans if s[0] in labels and s[2] == cut and s[1] < cut]
        if not prev:
            break
        cut = min(s[1] for s in prev)
        start = cut
    if start is None:
        # no element ends there (a name the parser split: 星民 + 村): the text since the last division name
        ends = [b for label, a, b in spans if label in _DIVISION and label != "community" and b <= end]
        start = max(ends, default=0)
        if not 2 <= end - start <= 16 or not all("\u3400" <= ch <= "\u9fff" for ch in text[start:end]):
            return None
    # a district / town name at the start of the run is not part of the name
    for label, a, b in spans:
        if label in _DIVISION and label != "community" and a <= start < b < end:
            start = b
    while start < end and text[start] in _SEPARATORS:
        start += 1
    return (start, end) if end - start >= 2 else None


def _number(sub: str | None) -> int | None:
    m = _NUMBER_RE.search(sub or "")
    return int(m.group()) if m else None


def _elements(norm: str, elements: Any) -> tuple:
    """``(form, road, roadno, poi, houseno, group)`` of one normalized text and its parsed elements; the
    names as ``(start, end)`` in ``norm``."""
    spans = _spans(norm, elements)
    road = roadno = poi = houseno = group = None
    m = None
    for m in _GROUP_RE.finditer(norm):
        pass
    if m is not None:  # village + group + house number (和顺村5组971号)
        name = _name_before(norm, spans, m.start(), village=True)
        if name:
            poi, group, houseno = name, int(m.group(1)), int(m.group(2))
    at = {label: (a, b) for label, a, b in reversed(spans)}  # first span of each label
    if poi is None and "houseno" in at:
        a, b = at["houseno"]
        name = _name_before(norm, spans, a, village=False)
        if name:
            poi, houseno = name, _number(norm[a:b])
    if "roadno" in at:
        a, b = at["roadno"]
        if group is None or not (m is not None and a <= m.start(2) < b):
            name = _name_before(norm, spans, a, village=False)
            if name and not norm[name[0]:name[1]].endswith("组"):
                road, roadno = name, _number(norm[a:b])
    if roadno is None:
        road = None
    if houseno is None:
        poi = None
    form = "village" if group is not None else "compound" if poi is not None else "road" if road is not None else None
    return form, road, roadno, poi, houseno, group


def with_elements(addresses: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """``addresses`` with the elements of the rows that lack them read from their text.

    Returns ``addresses`` itself when every row has its elements (nothing is copied), else a copy with
    the element columns filled where the text was read, ``form`` filled where it was empty, the
    division code columns added from the building code where absent, and the column ``elements_from``
    (see the module notes). The input is never modified.

    Parameters
    ----------
    addresses : DataFrame
        An addresses table (``building_code, text`` + optional columns, ``docs/data-model.md``).
    registry : Registry
        The divisions the texts are read against (its own addresses are not used).
    """
    lacking = lacks_elements(addresses)
    if not lacking.any() or "text" not in addresses.columns:
        return addresses
    from .registry import Registry

    divisions_only = Registry(registry.divisions, lineage=registry.lineage)
    out = addresses.copy()
    bc = out["building_code"].to_numpy(dtype=object, na_value=None)
    for col, n in (("district_code", 6), ("town_code", 9), ("community_code", 12)):
        if col not in out.columns:
            out[col] = [b[:n] if isinstance(b, str) and len(b) >= n else None for b in bc]
    for col in ("road", "poi", "form"):
        if col not in out.columns:
            out[col] = pd.Series([None] * len(out), index=out.index, dtype=object)
        else:
            out[col] = out[col].astype(object)
    for col in ("roadno", "houseno", "group"):
        if col not in out.columns:
            out[col] = pd.array([pd.NA] * len(out), dtype="Int64")
        else:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    rows = np.flatnonzero(lacking)
    texts = out["text"].to_numpy(dtype=object, na_value=None)[rows].tolist()
    got = read_elements([t if isinstance(t, str) else "" for t in texts], divisions_only)
    read = (got["roadno"].notna() | got["houseno"].notna()).to_numpy()
    where = rows[read]
    for col in ELEMENT_COLUMNS:
        if col in ("road", "poi"):
            arr = out[col].to_numpy(dtype=object, na_value=None).copy()
            arr[where] = got[col].to_numpy(dtype=object, na_value=None)[read]
            out[col] = pd.Series(arr, index=out.index, dtype=object)
        else:
            arr = out[col].to_numpy(dtype="float64", na_value=np.nan).copy()
            arr[where] = got[col].to_numpy(dtype="float64", na_value=np.nan)[read]
            out[col] = pd.array(pd.Series(arr, index=out.index), dtype="Int64")
    form = out["form"].to_numpy(dtype=object, na_value=None).copy()
    empty_form = np.array([not isinstance(f, str) or not f for f in form[where]], dtype=bool)
    if empty_form.any():
        form[where[empty_form]] = got["form"].to_numpy(dtype=object)[read][empty_form]
        out["form"] = form
    source = np.full(len(out), "columns", dtype=object)
    source[rows] = np.where(read, "text", "unread")
    source[where[_conflicts(got[read], bc[where])]] = "conflict"
    out["elements_from"] = pd.Categorical(source, categories=list(ELEMENTS_FROM))
    return out


def _conflicts(got: pd.DataFrame, bcodes: np.ndarray) -> np.ndarray:
    """Rows whose text names a district / town / community other than the start of their building code."""
    bad = np.zeros(len(got), dtype=bool)
    for col, n in (("district_code", 6), ("town_code", 9), ("community_code", 12)):
        vals = got[col].to_numpy(dtype=object)
        bad |= np.array([isinstance(v, str) and isinstance(b, str) and b[:n] != v for v, b in zip(vals, bcodes)],
                        dtype=bool)
    return bad
