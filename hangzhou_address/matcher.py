"""Address matching: messy free text → the most specific code it determines.

:func:`match` returns a :class:`MatchResult`: the code (building, grid, community, town or
district), its level, a calibrated confidence, the parsed elements, the competing candidates when
the text is ambiguous, and the reasons (what was normalized, which pre-2021 name was mapped,
what conflicted, why nothing matched).

How it works (details in ``docs/matching.md``):

1. normalize (full-width, traditional characters, Chinese numerals before unit words);
2. resolve the divisions (:mod:`hangzhou_address.resolve`): prefixes, district / town / community
   names with word-boundary and hierarchy checks, pre-2021 names mapped to current codes,
   "outside Hangzhou" when another province or city is named;
3. read the building part after the road / compound / village names known to the registry's
   ``addresses`` table: door number (文三路90号), building number (翠苑一区3幢, 47-6-746),
   group + house number (和顺村5组971号), then unit / floor / room;
4. look the building up in the addresses table (exact), keep only rows consistent with the
   resolved divisions, and accept a building only when exactly one remains. A door number that
   does not exist is never snapped to a neighbour's building: the neighbours' common grid or
   community is returned at a lower confidence instead.

Everything below community level in the embedded data is **synthetic** (see ``docs/synthetic-city.md``).

Examples
--------
>>> from hangzhou_address import match  # doctest: +SKIP
>>> r = match("浙江省杭州市西湖区西溪街道文三路90号")  # doctest: +SKIP
>>> r.level  # doctest: +SKIP
'building'
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from . import tagger
from .errors import InputError
from .resolve import (
    MAX_INPUT_CHARS,
    DivisionResolver,
    InputTypeError,
    Resolution,
    _too_long,
    normalize_for_matching,
    resolver_for,
)
from .matching.confidence import ConfidenceModel
from .matching.confidence import default_model as default_confidence_model
from .matching.confidence import features as confidence_features
from .matching.fuzzy import MARGIN, SKIP_COST, FuzzyCandidate, FuzzyOutcome, NameIndex, fuzzy_lookup
from .runtime import BoundedMemo, gc_paused

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .registry import Registry

__all__ = [
    "Candidate",
    "MatchResult",
    "ParsedAddress",
    "Matcher",
    "default_matcher",
    "match",
    "match_many",
    "parse",
    "MATCH_COLUMNS",
]

#: Columns of :meth:`Matcher.match_many` (the contract with the ledger module).
MATCH_COLUMNS = ("input", "code", "level", "confidence", "district_code", "town_code", "community_code",
                 "reasons", "candidates", "elements")

#: texts analysed, tagged and assembled together by :meth:`Matcher.parse_many`: the tagger runs once per
#: chunk, and the chunk's intermediates (resolutions, readings) still sit in the CPU caches when they are
#: assembled (measured on this project's 2-core VM: 64-128 texts are 4-12 % faster than 1,024)
_PARSE_CHUNK = 128
#: budget of a matcher's confidence memo (estimated bytes) and the estimate per entry (a key of ~20 small
#: values, a float, the memo's own links)
_CONFIDENCE_MEMO_BYTES = 16 * 2**20
_CONFIDENCE_ENTRY_BYTES = 600

# building part after a road / compound name (normalized text: ASCII digits)
_ROADNO_RE = re.compile(r"\s*(\d{1,5})\s*(号|弄)?")
_VILLAGE_RE = re.compile(r"\s*(\d{1,3})\s*组\s*(\d{1,5})\s*号?")
_HOUSENO_RE = re.compile(r"\s*第?(\d{1,4})\s*(号楼|幢|栋|號|号|座|#|-|楼(?!\d*[层室]))")
_CELL_RE = re.compile(r"\s*(\d{1,2})\s*单元")
_FLOOR_RE = re.compile(r"\s*(\d{1,3})\s*(层|楼)")
_ROOM_RE = re.compile(r"\s*(\d{1,5})\s*(室|房)?")
_DASH_RE = re.compile(r"(\d{1,2})-(\d{1,5})(?!\d)|(\d{2,5})(?!\d)")
_START = operator.itemgetter(1)  # a span's start
#: characters that carry no element (separators a reading may leave uncovered)
_IGNORABLE = " ,，、.。;；:：-_/#()（）[]【】"
_GENERIC_ROAD_RE = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:大道|路|街|巷))\s*(\d{1,5})\s*号")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One competing answer when the text is ambiguous."""

    code: str
    level: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The elements of an address and the divisions its text determines.

    ``elements`` maps a label (``prov, city, district, town, community, road, roadno, poi,
    houseno, group, cellno, floorno, roomno``) to the substring **as written in the input**;
    ``values`` holds normalized values (names as normalized, numbers as ``int``). Both are plain
    dicts in reading order, new for every result (a dict of strings costs the garbage collector
    nothing, a read-only proxy would: it matters for batches of millions).
    Division codes are current (2023) codes, or None when the text does not determine them.
    """

    text: str
    elements: Mapping[str, str]
    values: Mapping[str, Any]
    district_code: str | None
    town_code: str | None
    community_code: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The answer of :func:`match`.

    ``code`` is the most specific code the text determines (building, grid, community, town or
    district; the city ``3301`` when a compound's buildings in several districts fit the text) or None; ``confidence`` is calibrated: among results with confidence ≥ 0.9, at
    least 99% are right on both benchmarks (``bench/README.md``). ``elements`` is a plain dict
    (see :class:`ParsedAddress`).
    """

    input: Any
    code: str | None
    level: str | None
    confidence: float
    elements: Mapping[str, str] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()
    reasons: tuple[str, ...] = ()
    district_code: str | None = None
    town_code: str | None = None
    community_code: str | None = None

    @property
    def matched(self) -> bool:
        return self.code is not None


# ----------------------------------------------------------------------------- address index
class _AddressIndex:
    """Exact and tolerant look-ups over the registry's addresses table.

    Compact by design (a full city has ~1.7 M address rows and every ledger worker holds one
    index): division codes are small integers into a list of distinct codes, building codes
    fixed-width bytes, the display text stays in its Arrow buffer, and the look-up structure is,
    per road / compound name, its rows sorted by number (exact look-up = binary search). No
    per-row Python objects: nothing for the garbage collector to traverse (an object array of
    1.7 M codes made every full collection cost ~40 ms).
    """

    def __init__(self, addresses: pd.DataFrame, aliases: pd.DataFrame | None = None) -> None:
        import numpy as np
        import pandas as pd

        from .resolve import _normalize_key

        n = len(addresses)
        self.district = _CodeColumn(addresses["district_code"])
        self.town = _CodeColumn(addresses["town_code"])
        self.community = _CodeColumn(addresses["community_code"])
        self._building = addresses["building_code"].astype(str).str.encode("utf-8").to_numpy(dtype="S")
        self._text = _text_store(addresses["text"] if "text" in addresses else addresses["building_code"])

        def norm_names(col: str) -> np.ndarray:
            codes, uniques = pd.factorize(addresses[col], use_na_sentinel=True)
            normed = np.array([_normalize_key(str(u)) for u in uniques] + [""], dtype=object)
            return normed[codes]  # -1 -> ""

        def ints(col: str) -> np.ndarray:
            if col not in addresses:
                return np.full(n, -1, dtype=np.int64)
            return pd.to_numeric(addresses[col], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)

        road = norm_names("road") if "road" in addresses else np.full(n, "", dtype=object)
        poi = norm_names("poi") if "poi" in addresses else np.full(n, "", dtype=object)
        self.roadno, self.houseno, self.group = ints("roadno"), ints("houseno"), ints("group")
        # per road ("R") / compound or village ("P"): its rows sorted by number, row order within a number
        self.name_slice: dict[str, tuple[np.ndarray, np.ndarray, int, int]] = {}
        for kind, col, num in (("R", road, self.roadno), ("P", poi, self.houseno)):
            idx = np.flatnonzero((col != "") & (num >= 0))
            codes_, uniq = pd.factorize(col[idx])
            order = np.lexsort((idx, num[idx], codes_))
            idx, codes_ = idx[order], codes_[order]
            nums = num[idx]
            cuts = np.searchsorted(codes_, np.arange(len(uniq) + 1)).tolist()
            self.name_slice.update(
                {kind + name: (idx, nums, a, b) for name, a, b in zip(uniq.tolist(), cuts[:-1], cuts[1:])})
        #: other names (``"R"`` / ``"P"`` + alias) -> (current name, alias kind, valid_to or None)
        self.alias_of: dict[str, tuple[str, str, str | None]] = {}
        if aliases is not None and len(aliases):
            self._add_aliases(aliases)

    def _add_aliases(self, aliases: pd.DataFrame) -> None:
        """Look-up entries for the aliases table's names: each alias gets the rows of its current name
        (in its district when the table says which), sorted by number like every entry."""
        import numpy as np

        from .resolve import _alias_keys, _normalize_key

        has_d = "district_code" in aliases
        for row in aliases.itertuples(index=False):
            kind = "R" if row.kind == "road" else "P"
            got = self.name_slice.get(kind + _normalize_key(str(row.name)))
            if got is None:
                continue
            idx, nums, a, b = got
            rows, rnums = idx[a:b], nums[a:b]
            d = getattr(row, "district_code", None) if has_d else None
            if isinstance(d, str) and d:
                keep = np.array([self.district[int(r)] == d for r in rows], dtype=bool)
                rows, rnums = rows[keep], rnums[keep]
            if not len(rows):
                continue
            valid_to = row.valid_to if isinstance(getattr(row, "valid_to", None), str) and row.valid_to else None
            for key in _alias_keys(str(row.alias)):
                if kind + key not in self.name_slice:
                    self.name_slice[kind + key] = (rows, rnums, 0, len(rows))
                    self.alias_of[kind + key] = (_normalize_key(str(row.name)), str(row.alias_kind), valid_to)

    def building(self, r: int) -> str:
        return self._building[r].decode("utf-8")

    def text(self, r: int) -> str:
        return self._text(r)

    def exact(self, kind: str, name: str, number: int) -> list[int]:
        """Rows of ``name`` (road or compound) with door / building ``number``, in table order."""
        got = self.name_slice.get(kind + name)
        if got is None:
            return []
        rows, nums, a, b = got
        view = nums[a:b]
        lo = int(view.searchsorted(number))
        if lo == b - a or view[lo] != number:
            return []
        hi = int(view.searchsorted(number, side="right"))
        return rows[a + lo:a + hi].tolist()

    def rows_of(self, kind: str, name: str) -> Any:
        """Rows of road / compound ``name`` sorted by number (empty when unknown)."""
        got = self.name_slice.get(kind + name)
        return () if got is None else got[0][got[2]:got[3]]


class _CodeColumn:
    """A column of codes as int32 positions into its distinct values; ``column[row]`` is the code
    (None where missing)."""

    __slots__ = ("positions", "values")

    def __init__(self, series: Any) -> None:
        import numpy as np
        import pandas as pd

        positions, uniques = pd.factorize(series, use_na_sentinel=True)
        self.positions = positions.astype(np.int32)
        self.values: list[str | None] = [str(u) for u in uniques] + [None]  # position -1 -> None

    def __getitem__(self, row: int) -> str | None:
        return self.values[self.positions[row]]


def _text_store(col: Any) -> Any:
    """``row -> display text`` without one Python string per row (texts stay in Arrow buffers)."""
    try:
        import pyarrow as pa

        arr = pa.array(col, from_pandas=True)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            raise TypeError(arr.type)
        return lambda r: arr[r].as_py() or ""
    except Exception:  # noqa: BLE001 - pyarrow missing or odd dtype: plain strings
        values = col.astype(str).to_numpy(dtype=object)
        return lambda r: values[r]


# ----------------------------------------------------------------------------- matcher
class Matcher:
    """Holds the indexes of one registry and matches addresses against it.

    Parameters
    ----------
    registry : Registry
        Divisions (required); an ``addresses`` table enables building-level matches.
    max_candidates : int, default 5
        How many candidates to report for ambiguous texts.

    Examples
    --------
    >>> from hangzhou_address.io.embedded import load_official_divisions
    >>> from hangzhou_address.registry import Registry
    >>> divisions, lineage = load_official_divisions()
    >>> m = Matcher(Registry(divisions, lineage=lineage))
    >>> r = m.match("杭州市下城区武林街道")
    >>> r.code, r.level, r.district_code
    ('330105013', 'town', '330105')
    """

    def __init__(self, registry: Registry, *, max_candidates: int = 5, fuzzy: bool = True,
                 confidence_model: ConfidenceModel | None = None) -> None:
        if not isinstance(max_candidates, int) or max_candidates < 1:
            raise InputError(f"max_candidates must be a positive int, got {max_candidates!r}")
        self.registry = registry
        self.max_candidates = max_candidates
        self.fuzzy = _check_fuzzy(fuzzy)
        self.confidence_model = confidence_model if confidence_model is not None else default_confidence_model()
        #: confidences of answers without a fuzzy reading, per the values their features come from (bounded)
        self._confidence_memo = BoundedMemo(_CONFIDENCE_MEMO_BYTES)
        self.resolver: DivisionResolver = resolver_for(registry)
        self.index: _AddressIndex | None = None
        if registry.has_table("addresses"):
            addresses = registry.addresses
            if addresses is not None and len(addresses):
                aliases = registry.aliases if registry.has_table("aliases") else None
                self.index = registry.cached("address_index", lambda: _AddressIndex(addresses, aliases))

    def __repr__(self) -> str:
        return (f"<Matcher {self.registry!r}; building index={'yes' if self.index is not None else 'no'}; "
                f"{'fuzzy' if self.fuzzy else 'exact'}>")

    @property
    def names(self) -> NameIndex:
        """The character / pinyin index of the registry's road and compound names (built on first
        use of the fuzzy stage, cached on the registry)."""
        index = self.index
        if index is None:
            raise InputError("the registry has no addresses table: no names to search")
        return self.registry.cached("fuzzy_name_index", lambda: NameIndex(index, self.resolver.hist_d))

    # ------------------------------------------------------------------ parse
    def parse(self, text: str, *, fuzzy: bool = False) -> ParsedAddress:
        """Parse ``text`` into elements and the division codes it determines.

        The division codes are those of :meth:`match` in the same mode (one decision: the division
        names, and the building part looked up in the addresses table when the registry has one).
        ``fuzzy`` (default False, the exact mode): True reads misspelled names as :meth:`match` does
        by default, at the fuzzy stage's cost.

        Raises
        ------
        InputTypeError
            If ``text`` is not a string.
        """
        _check_type(text)
        fuzzy = _check_fuzzy(fuzzy)
        res, parts = self._analyse(text)
        runs = tagger.default_tagger().runs(text) if _needs_tagger(text, res, parts) else ()
        return _parsed(text, self._decide(res, parts, fuzzy), parts, runs)

    def parse_many(self, texts: Iterable[str], *, fuzzy: bool = False) -> list[ParsedAddress]:
        """:meth:`parse` for many texts; the element tagger runs once over the batch, on the texts
        that the registry-backed reading does not fully explain."""
        fuzzy = _check_fuzzy(fuzzy)
        items = list(texts)
        for t in items:
            _check_type(t)
        out: list[ParsedAddress] = []
        for i in range(0, len(items), _PARSE_CHUNK):
            out.extend(self._parse_chunk(items[i:i + _PARSE_CHUNK], fuzzy))
        return out

    def _parse_chunk(self, items: list[str], fuzzy: bool) -> list[ParsedAddress]:
        # a chunk at a time: the intermediate objects die young; they hold no reference cycles, so
        # the cyclic collector is paused for the chunk (hangzhou_address.runtime.gc_paused)
        with gc_paused():
            analysed = [self._analyse(t) for t in items]
            todo = [i for i, (t, (res, parts)) in enumerate(zip(items, analysed)) if _needs_tagger(t, res, parts)]
            # the model is loaded only when some text needs it
            tagged = dict(zip(todo, tagger.default_tagger().runs_many([items[i] for i in todo]))) if todo else {}
            decide = self._decide
            return [_parsed(t, decide(res, parts, fuzzy), parts, tagged.get(i, ()))
                    for i, (t, (res, parts)) in enumerate(zip(items, analysed))]

    def _analyse(self, text: str) -> tuple[Resolution, _Parts]:
        if len(text) > MAX_INPUT_CHARS:
            res = Resolution(None, None, None, None, 0.0, 0.0, (), (_too_long(len(text)),), ())
            return res, _Parts("", None)
        norm, offsets = normalize_for_matching(text)
        res = self.resolver.resolve(norm)
        parts = _Parts(norm, offsets)
        parts.read(res, self.resolver)
        if parts.div_as_poi and self.index is not None:
            # a compound / village named like a division, followed by a building number: resolve the
            # divisions again without it, and keep the first reading only if the building is not found
            res2 = self.resolver.without(res, frozenset(parts.div_as_poi))
            # the first reading, kept without ``parts`` itself (no reference cycle: results must be freed by
            # reference counting alone, see tests/test_matcher.py::test_parse_and_match_leave_no_cycles)
            parts.fallback = res
            return res2, parts
        return res, parts

    # ------------------------------------------------------------------ match
    def match(self, text: str, *, fuzzy: bool | None = None) -> MatchResult:
        """Match one free-text address (see :func:`match`).

        ``fuzzy``: None uses the matcher's mode (``Matcher(..., fuzzy=)``); False is the exact mode
        (names as in the registry), True reads misspelled names where no exact name finds the building.
        """
        return self._match(text, self.fuzzy if fuzzy is None else _check_fuzzy(fuzzy))[0]

    def confidence_features(self, text: str, *, fuzzy: bool | None = None) -> dict[str, float]:
        """How the confidence of ``match(text)`` was reached: each non-zero feature's contribution
        to the log-odds of the fitted model (:mod:`hangzhou_address.matching.confidence`)."""
        x = self._match(text, self.fuzzy if fuzzy is None else _check_fuzzy(fuzzy), want_features=True)[1]
        return self.confidence_model.explain(x) if x is not None else {}

    def _match(self, text: str, fuzzy: bool, want_features: bool = False  # noqa: C901
               ) -> tuple[MatchResult, tuple[float, ...] | None]:
        """The result, and its confidence features when ``want_features`` (None when there is no answer;
        otherwise only computed when needed)."""
        _check_type(text)
        if len(text) > MAX_INPUT_CHARS:  # refused before any work on the text (a 10 MB cell costs nothing)
            return MatchResult(text, None, None, 0.0, {}, (), (_too_long(len(text)),)), None
        res, parts = self._analyse(text)
        if not text.strip():
            return MatchResult(text, None, None, 0.0, {}, (), ("empty input",)), None
        dec = self._decide(res, parts, fuzzy)
        res, b, outcome, cands, reasons = dec
        if not cands and res.candidates:
            cands = tuple(Candidate(*x) for x in res.candidates[: self.max_candidates])
        if parts.norm != text:
            changed = _changed(text, parts.norm)
            if changed:
                reasons.insert(0, "normalized: " + changed)
        elements = parts.elements(text)
        if res.outside:
            return MatchResult(text, None, None, 0.0, elements, (), tuple(reasons)), None
        d, t, c = res.district_code, res.town_code, res.community_code
        level, code = res.level, res.code
        path = "division"
        if b is not None:
            code, level, cands, (d, t, c), path = b.code, b.level, b.candidates, b.chain, b.path
        undecided = outcome is not None and not path.startswith("fuzzy")
        if undecided:
            outcome = None
        if code is None:
            if not reasons:
                reasons.append("no Hangzhou division, road or compound name found")
            return MatchResult(text, None, level, 0.0, elements, cands, tuple(reasons), d, t, c), None
        split_number = _NUMBER_SPLIT_RE.search(text) is not None
        if split_number:
            reasons.append("a separator inside a number: the text does not say which number is meant")
        leftover, bare = _coverage(parts, res, outcome)
        kw = dict(boundary=b.boundary if b is not None else True,
                  buildings_elsewhere=b.elsewhere if b is not None else False, fuzzy=outcome,
                  leftover=leftover, number_separator=split_number, contradicted=self._contradicted(res, d, t),
                  fuzzy_undecided=undecided,
                  address_outside_divisions=any("exists only outside" in r for r in reasons),
                  bare_name_heads_a_word=bare)
        x = None
        if outcome is None and not want_features:
            # the confidence of an answer without a fuzzy reading depends on these alone (memoized:
            # a ledger's answers repeat a few thousand of them)
            key = (level, path, res.score, res.margin, res.conflict, res.legacy, res.split, res.level,
                   res.district_code is None, res.reasons, *kw.values())
            conf = self._confidence_memo.get(key)
            if conf is None:
                conf = self._confidence_memo.put(
                    key, self.confidence_model.predict(confidence_features(level, path, res, **kw)),
                    _CONFIDENCE_ENTRY_BYTES)
        else:
            x = confidence_features(level, path, res, **kw)
            conf = self.confidence_model.predict(x)
        if split_number and level in ("building", "grid"):
            # the text does not say which number: at most the rate at which such answers are right
            conf = min(conf, self.confidence_model.caps.get("number_separator", _SPLIT_NUMBER_CAP))
        if res.level is None and res.candidates and level in ("building", "grid", "community", "town"):
            # the text's district names contradict each other: conflicting evidence never raises the answer
            conf = min(conf, _CONFLICT_CAP)
        return MatchResult(text, code, level, round(conf, 4), elements, cands, tuple(reasons), d, t, c), x

    def _decide(self, res: Resolution, parts: _Parts, fuzzy: bool) -> _Decision:
        """The one reading of the divisions that :meth:`match` and :meth:`parse` both report.

        ``res`` and ``parts`` come from :meth:`_analyse`. The exact look-up of the building part in the
        addresses table, the choice between a compound and a division of the same name (大庄村3组70号:
        a village's group and house number; the village stands when no such building exists), and, when
        ``fuzzy``, the fuzzy stage."""
        reasons = list(res.reasons)
        if res.outside or self.index is None or not parts.norm.strip():
            return _Decision(res, None, None, (), reasons)
        b: _Answer | None = None
        found_exact = False
        if parts.lookups:
            b, found_exact = self._building(res, parts, reasons)
            if (b is None or b.level != "building") and parts.fallback is not None:
                # not found as a compound: the first reading (a division name) stands
                res = parts.fallback
                parts.fallback = None
                reasons = list(res.reasons)
                b, found_exact = self._building(res, parts, reasons) if parts.lookups else (None, False)
        outcome = None
        fuzzy_cands: tuple[Candidate, ...] = ()
        if fuzzy:
            b, outcome, fuzzy_cands = self._fuzzy_stage(parts, res, b, res.level, found_exact, reasons)
        return _Decision(res, b, outcome, fuzzy_cands, reasons)

    def _contradicted(self, res: Resolution, d: str | None, t: str | None) -> tuple[int, int]:
        """How many district and town names written in the text the answer's district ``d`` and town
        ``t`` contradict (neither the division, its predecessor nor its successor)."""
        if not res.conflict and d == res.district_code and (t is None or t == res.town_code):
            return 0, 0  # the answer is the resolution's: every name written agreed or was mapped
        rv = self.resolver
        n_d = n_t = 0
        for h in res.hits:
            if h[0] not in ("district", "town"):
                continue
            got = rv.automaton.get(h[3], None)
            if not got:
                continue
            entries = rv.key_entries[got[0]]
            if h[0] == "district" and d is not None:
                ok = any(rv.levels[i] == 0 and (d in rv.successors[i] or rv.codes[i] == d) for i, _k in entries)
                n_d += not ok
            elif h[0] == "town" and t is not None:
                ok = any(rv.levels[i] == 1 and (rv.cur[i][1] == t or rv.codes[i] == t) for i, _k in entries)
                n_t += not ok
        return n_d, n_t

    def _fuzzy_stage(self, parts: _Parts, res: Resolution, b: _Answer | None, level: str | None,
                     found_exact: bool, reasons: list[str]):
        """The fuzzy stage (:mod:`hangzhou_address.matching.fuzzy`), where the exact look-up found no
        building, or found one by a name that starts inside a word (风东村: 东村 exists, so may 东风村).

        Returns ``(answer, outcome, candidates)``: the answer to use (the exact one when the fuzzy
        reading is not deeper), the fuzzy outcome (None when the stage did not run or found nothing)
        and candidates to report when the fuzzy reading was not used (else empty).
        """
        inside_word = b is not None and b.level == "building" and not b.boundary and b.path in ("unique", "chosen")
        if not inside_word and (found_exact or (b is not None and b.level == "building")):
            return b, None, ()
        outcome = fuzzy_lookup(parts.norm, res, self.resolver, self.index, self.names, self._consistent)
        if outcome is None:
            return b, None, ()
        if inside_word:
            assert b is not None
            return self._inside_word(b, outcome, reasons), outcome, ()
        fb, why = self._fuzzy_answer(outcome)
        if fb is not None and _deeper(fb.level, b.level if b is not None else level):
            reasons.append(why)
            return fb, outcome, ()
        reasons.append(f"fuzzy: {outcome.best.written} could be {_candidate_names(outcome)}; "
                       "no reading deeper than the divisions")
        return b, outcome, (fb.candidates if fb is not None and not (b is not None and b.candidates) else ())

    def _inside_word(self, b: _Answer, outcome: FuzzyOutcome, reasons: list[str]) -> _Answer:
        """An exact building whose name starts inside a word: kept unless a fuzzy reading of the whole
        word names another building about as well (then their common level)."""
        idx = self.index
        assert idx is not None
        found = [(fc.cost + SKIP_COST * fc.skipped, fc) for fc in (outcome.best, *outcome.others)]
        mine = [(r, fc) for r, fc in found if b.code in {idx.building(x) for x in fc.rows}]
        # the exact name leaves at least the character before it unexplained (when the fuzzy stage did not
        # score it, it lost to better readings of the whole word)
        own, own_skipped = min(((r, fc.skipped) for r, fc in mine), default=(SKIP_COST, 1))
        # a rival explains more of the word (风东村: 东风村 explains 风, 东村 leaves it) about as well
        rivals = [fc for r, fc in found if r <= own + MARGIN and fc.skipped < own_skipped
                  and b.code not in {idx.building(x) for x in fc.rows}]
        if not rivals:
            return b
        buildings = {b.code} | {idx.building(r) for fc in rivals for r in fc.rows}
        code, level, chain = _common_of_codes(buildings)
        if code is None or level == "building":
            return b
        names = "、".join(dict.fromkeys(fc.name for fc in rivals))
        reasons.append(f"fuzzy: the name found starts inside a word; {names} fits as well; "
                       f"returned their common {level}")
        cands = (Candidate(b.code, "building", "", 1.0),) + tuple(
            Candidate(idx.building(fc.rows[0]), "building", idx.text(fc.rows[0]), _similarity(fc)) for fc in rivals)
        return _Answer(code, level, cands[: self.max_candidates], chain, "fuzzy_common", b.boundary)

    def _fuzzy_answer(self, outcome: FuzzyOutcome) -> tuple[_Answer | None, str]:
        """The answer the fuzzy stage's ``outcome`` supports (a building when accepted and the name
        and number name one building; else the common level of the close candidates, or None) and
        the reason to report."""
        idx = self.index
        assert idx is not None
        best = outcome.best
        cands = tuple(Candidate(idx.building(r), "building", idx.text(r), _similarity(fc))
                      for fc in (best, *outcome.others) for r in fc.rows[:1])[: self.max_candidates]
        rows = list(best.rows)
        if outcome.accepted:
            code, level, chain = _common(rows, idx)
            if level == "building":
                n = len(best.edits)
                what = (f"{n} edit{'s' if n != 1 else ''}: " + ", ".join(best.edits)) if n else "separators ignored"
                return _Answer(code, level, cands, chain, "fuzzy"), f"fuzzy: {best.written} read as {best.name} ({what})"
        else:
            # the close runners-up: their common level is what the text says
            for fc in outcome.others:
                if fc.cost <= best.cost + MARGIN:
                    rows.extend(fc.rows)
        code, level, chain = _common(rows, idx)
        if code is None or level == "building":
            return None, ""
        return (_Answer(code, level, cands, chain, "fuzzy_common"),
                f"fuzzy: {best.written} could be {_candidate_names(outcome)}; their common {level} is {code}")

    def _building(self, res: Resolution, parts: _Parts, reasons: list[str]) -> tuple[_Answer | None, bool]:  # noqa: C901
        """The exact look-up of the building part: (answer or None, whether any row had the exact
        name and number)."""
        idx = self.index
        assert idx is not None
        d0, c0 = res.district_code, res.community_code
        found_any = False
        best = None
        for kind, name, number, group, boundary in parts.lookups:
            rows = idx.exact(kind, name, number)
            if not rows and kind == "P" and not name.endswith("村") and group is not None:
                rows = idx.exact(kind, name + "村", number)  # 和顺5组971号 -> 和顺村
            if group is not None:
                rows = [r for r in rows if idx.group[r] in (group, -1)]
            if not rows:
                continue
            found_any = True
            alias = idx.alias_of.get(kind + name)
            if alias is not None:
                reasons.append(_alias_reason(name, alias))
            ok = [r for r in rows if self._consistent(res, idx, r)]
            if not ok:
                where = "、".join(sorted({self.resolver.name_of.get(idx.district[r], "") for r in rows}))
                reasons.append(f"{name}{number} exists only outside the resolved division (in {where}); "
                               "kept the division")
                continue
            if c0 is not None:
                ok_c = [r for r in ok if idx.community[r] == c0]
                if ok_c:
                    ok = ok_c
                else:
                    reasons.append(f"{name}{number} is not in the named community; community name ignored")
            buildings = sorted({idx.building(r) for r in ok})
            if len(buildings) == 1:
                r = ok[0]
                loose = {idx.building(x) for x in rows if not res.written_districts
                         or any(w in self.resolver.hist_d.get(idx.town[x], ()) for w in res.written_districts)}
                elsewhere = len(loose) > 1
                if elsewhere:
                    # another building has this address; the division names decided between them
                    reasons.append(f"{name}{number} also exists elsewhere; chose the one in the named division")
                if d0 is not None and idx.district[r] != d0:
                    reasons.append(f"the building is in {self.resolver.name_of.get(idx.district[r], '')} "
                                   f"({idx.district[r]}) since the 2021 reorganization")
                return _Answer(buildings[0], "building", (), (idx.district[r], idx.town[r], idx.community[r]),
                               "chosen" if elsewhere else "unique", boundary, elsewhere), True
            # several buildings: deepest common level
            cands = tuple(Candidate(bc, "building", idx.text(r), 0.5)
                          for bc, r in {idx.building(r): r for r in ok}.items())[: self.max_candidates]
            if d0 is not None:
                literal = {idx.building(r): r for r in ok if idx.district[r] == d0}
                if len(literal) == 1 and len(buildings) > 1:
                    # 余杭区迎宾路5号: one in 余杭区 as written, one in 临平区 (formerly 余杭区)
                    bc, r = next(iter(literal.items()))
                    reasons.append(f"{name}{number} also exists in the part of the 2020 district that is now "
                                   "another district; chose the one in the district as written")
                    return _Answer(bc, "building", (), (idx.district[r], idx.town[r], idx.community[r]),
                                   "literal", boundary, True), True
            common = _common(ok, idx)
            if common[0] is None:  # in several districts (阳光花园3幢): the city is all they share
                common = (buildings[0][:4], "city", (None, None, None))
            reasons.append(f"{name}{number} names {len(buildings)} buildings"
                           + (f"; returned their common {common[1]}" if common[1] else ""))
            if best is None and common[0] is not None and _deeper(common[1], res.level):
                best = _Answer(common[0], common[1], cands, common[2], "common", boundary)
        if best is not None:
            return best, True
        if found_any:
            return None, True
        # tolerant: the road / compound exists but not the number
        for kind, name, number, group, boundary in parts.lookups:
            rows = idx.rows_of(kind, name)
            if len(rows) == 0:
                continue
            nums = idx.roadno if kind == "R" else idx.houseno
            row_nums = nums[rows]
            pos = int(row_nums.searchsorted(number))

            def nearest(order: Any) -> list[int]:
                for k in order:  # walk outwards; same side of the road; consistent divisions
                    r = int(rows[k])
                    if (kind != "R" or nums[r] % 2 == number % 2) and nums[r] != number \
                            and self._consistent(res, idx, r):
                        return [r]
                return []

            near = nearest(range(pos - 1, max(pos - 60, -1), -1)) + nearest(range(pos, min(pos + 60, len(rows))))
            if not near:
                continue
            common = _common(near, idx)
            if common[1] == "building":  # never snap to a neighbour's building
                common = (common[0][:15], "grid", common[2])
            what = "door" if kind == "R" else "building"
            reasons.append(f"{name}: no {what} number {number}; nearest are "
                           + "、".join(str(int(nums[r])) for r in near)
                           + (f" (common {common[1]} {common[0]})" if common[0] else ""))
            cands = tuple(Candidate(idx.building(r), "building", idx.text(r), 0.3) for r in near)
            if res.level is None and common[0] is not None:
                return _Answer(common[0], common[1], cands, common[2], "near", boundary), False
            # the divisions named in the text stand; the neighbours are only candidates
            return _Answer(res.code, res.level, cands, (res.district_code, res.town_code, res.community_code),
                           "division", boundary), False
        return None, False

    def _consistent(self, res: Resolution, idx: _AddressIndex, r: int) -> bool:
        """Whether address row ``r`` agrees with the resolved divisions (pre-2021 names included)."""
        d0, t0 = res.district_code, res.town_code
        if t0 is not None:
            return idx.town[r] == t0
        if d0 is None:
            if res.level is None and res.candidates and res.score >= 2.5:
                # the text names districts that contradict each other (西湖区滨江区...): a building
                # in one of them, never in a third (conflicting evidence must not raise the answer)
                named = [c[0] for c in res.candidates if c[1] == "district"]
                hist = self.resolver.hist_d.get(idx.town[r], ())
                return idx.district[r] in named or any(w in hist for w in named)
            return True
        if idx.district[r] == d0:
            return True
        hist = self.resolver.hist_d.get(idx.town[r], ())
        return any(w in hist for w in res.written_districts)

    # ------------------------------------------------------------------ batch
    def match_many(self, texts: Iterable[Any], *, workers: int = 1, chunksize: int = 2000,
                   fuzzy: bool | None = None) -> pd.DataFrame:
        """Match many texts; one row per input, in input order (columns :data:`MATCH_COLUMNS`).

        A bad row (None, not a string, ...) never stops the batch: it gets ``level`` None and a
        reason. ``workers > 1`` uses a process pool; the matcher is shipped once per worker.
        ``fuzzy``: as in :meth:`match`.

        Examples
        --------
        >>> from hangzhou_address.io.embedded import load_official_divisions
        >>> from hangzhou_address.registry import Registry
        >>> divisions, lineage = load_official_divisions()
        >>> df = Matcher(Registry(divisions, lineage=lineage)).match_many(["西湖区西溪街道", None])
        >>> df[["code", "level"]].to_dict("list")
        {'code': ['330106004', None], 'level': ['town', None]}
        """
        import pandas as pd

        if not isinstance(workers, int) or workers < 1:
            raise InputError(f"workers must be a positive int, got {workers!r}")
        mode = self.fuzzy if fuzzy is None else _check_fuzzy(fuzzy)
        items = list(texts)
        if workers == 1 or len(items) < 2 * chunksize:
            rows = [self._row(t, mode) for t in items]
        else:
            rows = _parallel_rows(self, items, workers, chunksize, mode)
        df = pd.DataFrame(rows, columns=list(MATCH_COLUMNS), dtype=object)
        df["confidence"] = df["confidence"].astype(float)
        return df

    def _row(self, text: Any, fuzzy: bool) -> tuple:
        try:
            r = self._match(text, fuzzy)[0]
        except InputTypeError as exc:
            return (text, None, None, 0.0, None, None, None, str(exc), "", "{}")
        except Exception as exc:  # noqa: BLE001 - one bad row never stops the batch
            return (text, None, None, 0.0, None, None, None, f"internal error: {type(exc).__name__}: {exc}", "", "{}")
        return (
            text, r.code, r.level, r.confidence, r.district_code, r.town_code, r.community_code,
            "; ".join(r.reasons),
            "|".join(f"{c.code}:{c.score:g}" for c in r.candidates),
            json.dumps(dict(r.elements), ensure_ascii=False),
        )


# ----------------------------------------------------------------------------- helpers
class _Parts:
    """Building-part elements read from the normalized text after the resolver's hits."""

    __slots__ = ("norm", "offsets", "spans", "values", "lookups", "div_as_poi", "fallback")

    def __init__(self, norm: str, offsets: tuple[int, ...] | None) -> None:
        self.norm = norm
        self.offsets = offsets
        self.spans: list[tuple[str, int, int]] = []
        self.values: dict[str, Any] = {}
        self.lookups: list[tuple[str, str, int, int | None, bool]] = []
        self.div_as_poi: list[int] = []
        self.fallback: Resolution | None = None  # the reading with the compound name as a division

    def _add(self, label: str, start: int, end: int, value: Any) -> None:
        if label not in self.values:
            self.spans.append((label, start, end))
            self.values[label] = value

    def read(self, res: Resolution, resolver: DivisionResolver | None = None) -> None:  # noqa: C901
        norm = self.norm
        prev_end = 0
        tail_from = None
        values, spans = self.values, self.spans
        for label, start, end, name, gazetteer in res.hits:  # (Hit fields, unpacked: the hot loop)
            as_poi = label == "poi" or (gazetteer and label in ("town", "community") and bool(
                _VILLAGE_RE.match(norm, end) or _HOUSENO_RE.match(norm, end)))
            if as_poi and label != "poi":
                self.div_as_poi.append(start)
            if not as_poi and label in _DIVISION_LABELS:
                if label not in values:  # (self._add, inlined)
                    spans.append((label, start, end))
                    values[label] = name
                prev_end = end
                continue
            if not as_poi and label != "road":
                prev_end = end
                continue
            boundary = (start == prev_end or start == 0 or not ("\u3400" <= norm[start - 1] <= "\u9fff")
                        # a division name the resolver left out before it (望江 + 桥山家园: 望江 heads 桥)
                        or resolver is not None and resolver.names_a_division(norm[prev_end:start]))
            prev_end = end
            if label == "road":
                m = _ROADNO_RE.match(norm, end)
                if m and (m.group(2) or m.end() == len(norm) or not norm[m.end():m.end() + 1].isdigit()):
                    self._add("road", start, end, name)
                    self._add("roadno", m.start(1), m.end(), int(m.group(1)))
                    self.lookups.append(("R", name, int(m.group(1)), None, boundary))
                    tail_from = tail_from or m.end()
                else:
                    self._add("road", start, end, name)
                continue
            m = _VILLAGE_RE.match(norm, end)
            if m:
                self._add("poi", start, end, name)
                self._add("group", m.start(1), m.start(2), int(m.group(1)))
                self._add("houseno", m.start(2), m.end(), int(m.group(2)))
                self.lookups.insert(0, ("P", name, int(m.group(2)), int(m.group(1)), boundary))
                tail_from = m.end()
                continue
            m = _HOUSENO_RE.match(norm, end)
            if m:
                self._add("poi", start, end, name)
                h_end = m.end() if m.group(2) != "-" else m.end(1)
                self._add("houseno", m.start(1), h_end, int(m.group(1)))
                self.lookups.insert(0, ("P", name, int(m.group(1)), None, boundary))
                tail_from = m.end()
            else:
                self._add("poi", start, end, name)
        if tail_from is None:
            m = _GENERIC_ROAD_RE.search(norm)
            if m and "road" not in self.values:
                self._add("road", m.start(1), m.end(1), m.group(1))
                self._add("roadno", m.start(2), m.end(), int(m.group(2)))
                tail_from = m.end()
        if tail_from is not None and tail_from < len(norm):
            self._tail(tail_from)
        if len(self.spans) > 1:
            self.spans.sort(key=_START)

    def _tail(self, pos: int) -> None:
        norm = self.norm
        if pos < len(norm) and norm[pos - 1:pos] == "-" or norm[pos:pos + 1] == "-":
            m = _DASH_RE.match(norm, pos + (1 if norm[pos:pos + 1] == "-" else 0))
            if m:
                if m.group(1):
                    self._add("cellno", m.start(1), m.end(1), int(m.group(1)))
                    self._add("roomno", m.start(2), m.end(2), int(m.group(2)))
                else:
                    self._add("roomno", m.start(3), m.end(3), int(m.group(3)))
                return
        m = _CELL_RE.match(norm, pos)
        if m:
            self._add("cellno", m.start(1), m.end(), int(m.group(1)))
            pos = m.end()
        m = _FLOOR_RE.match(norm, pos)
        if m:
            self._add("floorno", m.start(1), m.end(), int(m.group(1)))
            pos = m.end()
        m = _ROOM_RE.match(norm, pos)
        if m and (m.group(2) or m.end() == len(norm.rstrip())):
            self._add("roomno", m.start(1), m.end(), int(m.group(1)))

    def explains(self, res: Resolution) -> bool:
        """Whether the registry-backed reading accounts for every character of the text (division,
        road and compound names of the registry, numbers with their unit words, punctuation): the
        statistical tagger has nothing left to find."""
        norm = self.norm
        if not norm or not self.lookups:
            return False
        covered = [(h[1], h[2], h[0]) for h in res.hits]  # (start, end, label)
        covered += self.spans and [(a, b, "") for _label, a, b in self.spans]
        covered.sort()
        pos = 0
        for a, b, label in covered:  # every gap between the covered stretches must be separators only
            if label == "outside" or a > pos and norm[pos:a].strip(_IGNORABLE):
                return False
            if b > pos:
                pos = b
        return pos >= len(norm) or not norm[pos:].strip(_IGNORABLE)

    def values_view(self) -> Mapping[str, Any]:
        values = self.values
        return {label: values[label] for label, _s, _e in self.spans}

    def elements(self, text: str) -> Mapping[str, str]:
        return {label: sub for label, _start, sub in self.positioned(text)}

    def positioned(self, text: str) -> list[tuple[str, int, str]]:
        """``(label, start in text, substring as written)`` in reading order."""
        off = self.offsets
        out = []
        for label, s, e in self.spans:
            if off is not None:
                s, e = off[s], off[e]
            out.append((label, s, text[s:e]))
        return out


#: labels taken from the statistical tagger (hangzhou_address.tagger, dev micro-F1 0.861)
_TAGGER_LABELS = frozenset({"devzone", "road", "subroad", "roadno", "subroadno", "poi", "subpoi", "houseno",
                            "cellno", "floorno", "roomno", "person", "assist", "otherinfo"})
#: division labels: read by the registry-backed resolver (which also decides their codes), or by the tagger
#: where the resolver reads none (divisions outside Hangzhou, names the registry does not list)
_DIVISION_LABELS = frozenset({"prov", "city", "district", "town", "community"})
_CODE_OF = {"district": "district_code", "town": "town_code", "community": "community_code"}


def _merge_elements(text: str, resolved: list[tuple[str, int, str]], runs: Any,
                    determined: Resolution | None = None) -> dict[str, str]:
    """Elements in reading order (``resolved``: the resolver's ``(label, start, substring)`` in
    reading order; ``runs``: the tagger's ``(label, start, end)`` runs in order, empty when it did
    not run; ``determined``: the resolution, whose codes say which division names decided them).

    * the tagger's labels (:data:`_TAGGER_LABELS`): its first run of each; the resolver's reading of
      them (road and door number of the registry...) only where the tagger found none of them;
    * the divisions: the resolver's names, except one that overlaps an element of the tagger and
      did not decide a code (a name inside a compound or road name: 南苑 in 南苑国际, 三江 in
      三江国际花园; but 清波 in 清波亿诚嘉园 decides 清波街道 and stays); where the resolver has none
      of a label, the tagger's first run of it (two characters or more) that overlaps nothing
      already taken.

    Measured on the dev split (``bench/bench_parse.py``): division elements F1 0.475 → 0.91 (the
    resolver reads only Hangzhou's divisions), the other labels unchanged.
    """
    if not runs:  # the tagger did not run: the registry-backed reading, already in reading order
        return {label: sub for label, _start, sub in resolved}
    taken: dict[str, tuple[int, int, str]] = {}  # label -> (start, end, substring)
    divisions = []  # the tagger's division runs
    for label, a, b in runs:
        if label in _TAGGER_LABELS:
            if label not in taken:
                taken[label] = (a, b, text[a:b])
        elif label in _DIVISION_LABELS and b - a >= 2:
            divisions.append((label, a, b))
    tagged = list(taken.values())  # in reading order
    first = tagged[0][0] if tagged else len(text)
    for label, start, sub in resolved:
        if label in taken or (label in _TAGGER_LABELS and tagged):
            continue
        end = start + len(sub)
        # (the usual case: a division written before everything the tagger found)
        if (end <= first or label not in _DIVISION_LABELS or _decided(determined, label)
                or not any(a < end and start < b for a, b, _sub in tagged)):
            taken[label] = (start, end, sub)
    for label, a, b in divisions:
        if label not in taken and not any(x < b and a < y for x, y, _sub in taken.values()):
            taken[label] = (a, b, text[a:b])
    return {label: sub for label, (_a, _b, sub) in sorted(taken.items(), key=_by_position)}


def _decided(res: Resolution | None, label: str) -> bool:
    """Whether ``res`` determines the code at the level of a division ``label`` (district, town, community)."""
    field = _CODE_OF.get(label)
    return res is not None and field is not None and getattr(res, field) is not None


def _by_position(item: tuple[str, tuple[int, ...]]) -> int:
    return item[1][0]


def _needs_tagger(text: str, res: Resolution, parts: _Parts) -> bool:
    """Whether the tagger runs on ``text``: it fits the tagger, and the registry reading leaves part of it
    unexplained."""
    return len(text) <= tagger.MAX_CHARS and not parts.explains(res)


def _parsed(text: str, dec: _Decision, parts: _Parts, runs: Any) -> ParsedAddress:
    """The :class:`ParsedAddress` of an analysed and decided text (``runs``: the tagger's, empty if it did not
    run)."""
    res = dec.res
    d, t, c = dec.chain()
    return ParsedAddress(text, _merge_elements(text, parts.positioned(text), runs, res), parts.values_view(),
                         d, t, c, tuple(dec.reasons))


def _changed(text: str, norm: str) -> str:
    """What normalization changed, for the reasons (empty when nothing)."""
    if text == norm:
        return ""
    from .resolve import _translate_table

    what = []
    translated = text.translate(_translate_table())
    for a, b in zip(text, translated):
        if a == b:
            continue
        if "\uff01" <= a <= "\uff5e" or a == "\u3000":
            what.append("full-width characters")
        elif b == " ":
            what.append("control / invisible characters")
        elif b != "-":
            what.append("traditional characters")
    # the numeral and space edits of normalize_for_matching: spaces dropped (layout) are not reported
    if translated.replace(" ", "") != norm.replace(" ", ""):
        what.append("Chinese numerals")
    elif _DIGITS_SPLIT_RE.search(translated):
        what.append("digits split by a space joined")
    return ", ".join(dict.fromkeys(what))


_DIGITS_SPLIT_RE = re.compile(r"\d +\d")


def _common(rows: list[int], idx: _AddressIndex) -> tuple[str | None, str | None, tuple]:
    """The deepest level the buildings of address ``rows`` share (:func:`_common_of_codes`), with the
    division chain of the first row as the addresses table states it."""
    code, level, _chain = _common_of_codes({idx.building(r) for r in rows})
    if level is None:
        return None, None, (None, None, None)
    r = rows[0]
    n = len(code)
    return code, level, (idx.district[r], idx.town[r] if n >= 9 else None, idx.community[r] if n >= 12 else None)


class _Answer(NamedTuple):
    """An answer below the divisions' (or the divisions', kept with the neighbours as candidates)."""

    code: str | None
    level: str | None
    candidates: tuple[Candidate, ...]
    chain: tuple[str | None, str | None, str | None]  # (district, town, community)
    path: str  # see hangzhou_address.matching.confidence.PATHS
    boundary: bool = True  # the name started where a word starts
    elsewhere: bool = False  # the same address exists in another division


class _Decision(NamedTuple):
    """What :meth:`Matcher._decide` read: the divisions' reading that stands, the answer below it (None
    when there is none), the fuzzy outcome (None when the fuzzy stage did not run or found nothing), the
    fuzzy stage's candidates to report (else empty: the resolution's stand) and the reasons so far."""

    res: Resolution
    answer: _Answer | None
    outcome: FuzzyOutcome | None
    candidates: tuple[Candidate, ...]
    reasons: list[str]

    def chain(self) -> tuple[str | None, str | None, str | None]:
        """(district, town, community) codes of the decision."""
        b = self.answer
        if b is not None:
            return b.chain
        res = self.res
        return res.district_code, res.town_code, res.community_code


#: a separator between two digits of a building number (30 1号, 2,6号, 1、8号): which number is meant?
_NUMBER_SPLIT_RE = re.compile(r"[0-9０-９][ \t\r\n,，、.。·・\u3000]+[0-9０-９]{1,4}\s*(?:号|號|幢|栋|棟|弄|组|座)")
#: the highest confidence of a building / grid answer whose text has a separator inside a number, when the
#: confidence model does not fit one (``ConfidenceModel.caps["number_separator"]``)
_SPLIT_NUMBER_CAP = 0.5
#: the highest confidence of an answer below the district when the text's district names contradict each other
_CONFLICT_CAP = 0.89
#: numbers with their unit words and separators: what :func:`_coverage` does not count
_EXPLAINED_RE = re.compile(r"\d+\s*(?:单元|号楼|号|幢|栋|座|弄|组|室|层|楼|房|户|#)?|[" + re.escape(" ,，、.。;；:：-_/#()（）[]【】") + "]")


def _coverage(parts: _Parts, res: Resolution, outcome: FuzzyOutcome | None) -> tuple[int, bool]:
    """What the reading leaves unexplained: the number of characters nothing explains (names,
    digits; separators and numbers with their unit words do not count, nor the stretch a fuzzy
    reading explained), and whether a town / community was read from a bare name directly followed
    by a Han character that no name of the reading covers."""
    norm = parts.norm
    hits = res.hits
    spans = [(h[1], h[2]) for h in hits]
    if parts.spans:
        spans += [(a, b) for _label, a, b in parts.spans]
        spans.sort()
    gaps = ""
    pos = 0
    for a, b in spans:
        if a > pos:
            gaps += norm[pos:a]
        if b > pos:
            pos = b
    if pos < len(norm):
        gaps += norm[pos:]
    n = len(_EXPLAINED_RE.sub("", gaps)) if gaps else 0
    if outcome is not None:
        n -= len(outcome.best.written)
    bare = False
    starts = None
    for label, _start, end, text, _g in hits:
        if (label == "town" or label == "community") and end < len(norm) and "\u3400" <= norm[end] <= "\u9fff" \
                and not text.endswith(_DIVISION_SUFFIXES):
            if starts is None:
                starts = {a for a, _b in spans}
            if end not in starts:
                bare = True
                break
    return max(n, 0), bare


_DIVISION_SUFFIXES = ("街道", "镇", "乡", "村", "社区", "居委会", "村委会", "区", "县", "市")


def _alias_reason(name: str, alias: tuple[str, str, str | None]) -> str:
    current, kind, valid_to = alias
    what = {"former": "a former name", "short": "a short name", "developer": "a developer's name"}.get(kind,
                                                                                                  "another name")
    return f"alias: {name} is {what} of {current}" + (f" (until {valid_to})" if valid_to else "")


def _candidate_names(outcome: FuzzyOutcome) -> str:
    """The names a fuzzy outcome proposes, best first, for the reasons."""
    return "、".join(dict.fromkeys(fc.name for fc in (outcome.best, *outcome.others)))


def _similarity(fc: FuzzyCandidate) -> float:
    """A fuzzy candidate's score in [0, 1] (1: the name as written)."""
    return round(max(0.0, 1.0 - fc.cost / max(len(fc.name), 1)), 3)


def _check_fuzzy(fuzzy: Any) -> bool:
    """``fuzzy`` must be a real bool (``"no"`` or ``0`` would silently pick a mode)."""
    if not isinstance(fuzzy, bool):
        raise InputError(f"fuzzy must be True or False, got {fuzzy!r}")
    return fuzzy


def _common_of_codes(buildings: set[str]) -> tuple[str | None, str | None, tuple]:
    """The deepest level (grid, community, town, district) that building codes share, read off the
    hierarchical codes themselves."""
    if len(buildings) == 1:
        b = next(iter(buildings))
        return b, "building", (b[:6], b[:9], b[:12])
    for level, n in (("grid", 15), ("community", 12), ("town", 9), ("district", 6)):
        codes = {b[:n] for b in buildings}
        if len(codes) == 1:
            code = next(iter(codes))
            return code, level, (code[:6], code[:9] if n >= 9 else None, code[:12] if n >= 12 else None)
    return None, None, (None, None, None)


_DEPTH = {None: -2, "city": -1, "district": 0, "town": 1, "community": 2, "grid": 3, "building": 4}


def _deeper(level: str | None, than: str | None) -> bool:
    return _DEPTH[level] > _DEPTH[than]


def _check_type(text: Any) -> None:
    if not isinstance(text, str):
        raise InputTypeError(f"address text must be a str, got {type(text).__name__}: {text!r:.40}")


# ----------------------------------------------------------------------------- process pool
_WORKER: dict[str, Matcher] = {}


def _init_worker(matcher: Matcher | None) -> None:  # pragma: no cover - runs in a child process
    if matcher is None:
        from .registry import default_registry

        matcher = default_matcher(default_registry())
    _WORKER["m"] = matcher


def _work(job: tuple[list[Any], bool]) -> list[tuple]:  # pragma: no cover - runs in a child process
    m = _WORKER["m"]
    chunk, fuzzy = job
    return [m._row(t, fuzzy) for t in chunk]


def _parallel_rows(matcher: Matcher, items: list[Any], workers: int, chunksize: int, fuzzy: bool) -> list[tuple]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    try:
        ctx = mp.get_context("fork")
        arg: Matcher | None = matcher  # inherited by fork, never pickled
    except ValueError:  # pragma: no cover - platforms without fork
        from .registry import default_registry

        if matcher.registry is not default_registry():
            return [matcher._row(t, fuzzy) for t in items]
        ctx, arg = mp.get_context(), None
    # rows that need no matcher (not text, too long) are answered here, as with workers=1: the pool pickles
    # what it sends, and one row it cannot pickle (a memoryview, a lambda) would fail the whole batch
    out: list[tuple | None] = [None] * len(items)
    todo = []
    for i, t in enumerate(items):
        if type(t) is str and len(t) <= MAX_INPUT_CHARS:
            todo.append(i)
        else:
            out[i] = matcher._row(t, fuzzy)
    texts = [items[i] for i in todo]
    chunks = [(texts[i:i + chunksize], fuzzy) for i in range(0, len(texts), chunksize)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(arg,)) as pool:
        pos = 0
        for rows in pool.map(_work, chunks):
            for row in rows:
                out[todo[pos]] = row
                pos += 1
    return out  # type: ignore[return-value]


# ----------------------------------------------------------------------------- functions
def default_matcher(registry: Registry | None = None) -> Matcher:
    """The :class:`Matcher` of ``registry`` (default: the embedded registry), built once and cached."""
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    return registry.cached("matcher", lambda: Matcher(registry))


def parse(text: str, *, registry: Registry | None = None, fuzzy: bool = False) -> ParsedAddress:
    """Parse a free-text address into elements and the division codes it determines.

    The division codes are the ones :func:`match` reports with the same ``fuzzy`` (see
    :meth:`Matcher.parse`); parse's default is the exact mode (``match(text, fuzzy=False)``).

    Examples
    --------
    >>> p = parse("浙江杭州西湖区西溪街道文三路九十号3单元501室")  # doctest: +SKIP
    >>> dict(p.values)  # doctest: +SKIP
    {'prov': '浙江', 'city': '杭州', 'district': '西湖区', 'town': '西溪街道', 'road': '文三路',
     'roadno': 90, 'cellno': 3, 'roomno': 501}
    """
    _check_type(text)
    return default_matcher(registry).parse(text, fuzzy=fuzzy)


def match(text: str, *, registry: Registry | None = None, fuzzy: bool = True) -> MatchResult:
    """Match a free-text Hangzhou address to the most specific code it determines.

    Parameters
    ----------
    text : str
        Messy free text: prefixes optional, short or pre-2021 names, traditional or full-width
        characters, Chinese numerals, building / unit / room suffixes.
    registry : Registry, optional
        Defaults to :func:`hangzhou_address.default_registry`.
    fuzzy : bool, default True
        Read misspelled road / compound / village names (homophones, look-alikes, dropped or
        swapped characters, dropped suffixes, separators inside names) where no exact name finds
        the building; False is the exact mode. Fuzzy answers say so in ``reasons``.

    Raises
    ------
    InputTypeError
        If ``text`` is not a string (use :func:`match_many` for batches with bad rows).

    Examples
    --------
    >>> r = match("杭州市江干区下沙街道")  # doctest: +SKIP
    >>> r.code, r.level, r.reasons[0]  # doctest: +SKIP
    ('330114001', 'town', 'legacy name 江干区 (330104) mapped to current 钱塘区 (330114)')
    """
    _check_type(text)
    return default_matcher(registry).match(text, fuzzy=fuzzy)


def match_many(texts: Iterable[Any], *, registry: Registry | None = None, workers: int = 1,
               fuzzy: bool = True) -> pd.DataFrame:
    """Vectorized :func:`match`: a DataFrame with :data:`MATCH_COLUMNS`, one row per input."""
    return default_matcher(registry).match_many(texts, workers=workers, fuzzy=fuzzy)
