"""Address matching: messy free text → the most specific code it determines.

:func:`match` returns a :class:`MatchResult`: the code (building, grid, community, town or
district), its level, a calibrated confidence, the parsed elements, the competing candidates when
the text is ambiguous, and the reasons (what was normalized, which pre-2021 name was mapped,
what conflicted, why nothing matched).

How it works (details in ``docs/matching.md``; each stage a module of :mod:`hangzhou_address.matching`):

1. normalize (full-width, traditional characters, Chinese numerals before unit words);
2. resolve the divisions (:mod:`hangzhou_address.resolve`): prefixes, district / town / community
   names with word-boundary and hierarchy checks, pre-2021 names mapped to current codes,
   "outside Hangzhou" when another province or city is named;
3. read the building part after the road / compound / village names known to the registry's
   ``addresses`` table (:mod:`~hangzhou_address.matching.building_part`): door number (文三路90号),
   building number (翠苑一区3幢, 47-6-746), group + house number (和顺村5组971号), then unit / floor / room;
4. look the building up in the addresses table (:mod:`~hangzhou_address.matching.exact`), keep only rows
   consistent with the resolved divisions, and accept a building only when exactly one remains. A door
   number that does not exist is never snapped to a neighbour's building: the neighbours' common grid or
   community is returned at a lower confidence instead;
5. where no exact name finds the building, the fuzzy look-up (:mod:`~hangzhou_address.matching.fuzzy`);
6. the confidence from the fitted model (:mod:`~hangzhou_address.matching.confidence`).

Everything below community level in the embedded data is **synthetic** (see ``docs/synthetic-city.md``).

Examples
--------
>>> from hangzhou_address import match  # doctest: +SKIP
>>> r = match("浙江省杭州市西湖区西溪街道文三路90号")  # doctest: +SKIP
>>> r.level  # doctest: +SKIP
'building'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from . import tagger
from .errors import InputError
from .matching.address_index import AddressIndex
from .matching.building_part import BuildingPart, coverage
from .matching.confidence import ConfidenceModel
from .matching.confidence import default_model as default_confidence_model
from .matching.confidence import features as confidence_features
from .matching.confusable import Confusables, one_slip_apart
from .matching.division_spelling import (
    DivisionSpeller,
    Joined,
    Respelling,
    join_separated,
)
from .matching.elements import merge_elements
from .matching.exact import Answer, common_of_codes, consistent, deeper, exact_lookup
from .matching.fuzzy import FuzzyOutcome, NameIndex
from .matching.fuzzy_answer import fuzzy_stage
from .matching.overlap import overlapped_division
from .matching.relative import relative_place
from .matching.results import Candidate, MatchResult, ParsedAddress
from .matching.rivals import arbitrary_edits, attached_rival, may_be_meant
from .matching.similarity import GENERIC_WORDS
from .matching.wording import apart, as_written, normalization_said
from .resolve import (
    MAX_INPUT_CHARS,
    DivisionResolver,
    InputTypeError,
    Resolution,
    _too_long,
    normalize_for_matching,
    resolver_for,
)
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
        self.index: AddressIndex | None = None
        if registry.has_table("addresses"):
            addresses = registry.addresses
            if addresses is not None and len(addresses):
                aliases = registry.aliases if registry.has_table("aliases") else None
                self.index = registry.cached("address_index", lambda: AddressIndex(addresses, aliases))

    def __repr__(self) -> str:
        return (f"<Matcher {self.registry!r}; building index={'yes' if self.index is not None else 'no'}; "
                f"{'fuzzy' if self.fuzzy else 'exact'}>")

    @functools.cached_property
    def names(self) -> NameIndex:
        """The character / pinyin index of the registry's road and compound names (built on first
        use of the fuzzy stage, cached on the registry)."""
        index = self.index
        if index is None:
            raise InputError("the registry has no addresses table: no names to search")
        return self.registry.cached("fuzzy_name_index", lambda: NameIndex(index, self.resolver.hist_d))

    @functools.cached_property
    def confusables(self) -> Confusables:
        """The registry's names one slip apart (:mod:`hangzhou_address.matching.confusable`; built on
        first use, cached on the registry)."""
        index = self.index
        if index is None:
            raise InputError("the registry has no addresses table: no names to compare")
        return self.registry.cached("confusable_names", lambda: Confusables(index))

    @functools.cached_property
    def speller(self) -> DivisionSpeller:
        """The division names by suffix, for misspelled ones (:mod:`hangzhou_address.matching.division_spelling`;
        built on first use, cached on the registry)."""
        return self.registry.cached("division_speller", lambda: DivisionSpeller(self.resolver))

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
        res, parts, dec = self._read(text, fuzzy)
        runs = tagger.default_tagger().runs(text) if _needs_tagger(text, res, parts) else ()
        return _parsed(text, dec, parts, runs)

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
            read = [self._read(t, fuzzy) for t in items]
            todo = [i for i, (t, (res, parts, _dec)) in enumerate(zip(items, read)) if _needs_tagger(t, res, parts)]
            # the model is loaded only when some text needs it
            tagged = dict(zip(todo, tagger.default_tagger().runs_many([items[i] for i in todo]))) if todo else {}
            return [_parsed(t, dec, parts, tagged.get(i, ()))
                    for i, (t, (_res, parts, dec)) in enumerate(zip(items, read))]

    def _read(self, text: str, fuzzy: bool) -> tuple[Resolution, BuildingPart, _Decision]:
        """:meth:`_analyse` and :meth:`_decide`, the one reading :meth:`match` and :meth:`parse` share; when the fuzzy
        stage found no name with the text's number and no building was found, once more with a misspelled village
        before a house number respelled as the village it means (``宁围镇新胺村1212号``: 新安村), if that reads deeper."""
        res, parts = self._analyse(text, fuzzy)
        dec = self._decide(res, parts, fuzzy)
        if (fuzzy and dec.outcome is None and (dec.answer is None or dec.answer.level != "building")
                and _VILLAGE_NUMBER_RE.search(parts.norm) is not None):
            res2, parts2 = self._analyse(text, fuzzy, numbered_villages=True)
            if len(parts2.respelled) > len(parts.respelled):
                dec2 = self._decide(res2, parts2, fuzzy)
                if deeper(dec2.level(), dec.level()):
                    return res2, parts2, dec2
        return res, parts, dec

    def _analyse(self, text: str, fuzzy: bool = False, numbered_villages: bool = False,
                 ) -> tuple[Resolution, BuildingPart]:
        if len(text) > MAX_INPUT_CHARS:
            res = Resolution(None, None, None, None, 0.0, 0.0, (), (_too_long(len(text)),), ())
            return res, BuildingPart("", None)
        norm, offsets = normalize_for_matching(text)
        joined: tuple[Joined, ...] = ()
        if fuzzy:  # a separator pasted inside a division name (江·干区): dropped when the name then reads
            norm, offsets, joined = join_separated(norm, offsets, self.resolver)
        res = self.resolver.resolve(norm)
        respelled: tuple[Respelling, ...] = ()
        if fuzzy:
            # a misspelled division name (米市港街道): read as the division it means, when the resolver then
            # reads that division
            norm2, found = self.speller.respell(norm, res, numbered_villages=numbered_villages)
            if found:
                res2 = self.resolver.resolve(norm2)
                if all(r.read_in(res2) for r in found):
                    norm, res, respelled = norm2, res2, found
        parts = BuildingPart(norm, offsets)
        parts.respelled = respelled
        parts.joined = joined
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
        res, parts, dec = self._read(text, fuzzy)
        if not text.strip():
            return MatchResult(text, None, None, 0.0, {}, (), ("empty input",)), None
        res, b, outcome, cands, reasons = dec
        if not cands and res.candidates:
            cands = tuple(Candidate(*x) for x in res.candidates[: self.max_candidates])
        if parts.respelled or parts.joined:
            reasons[:0] = [r.reason for r in (*parts.joined, *parts.respelled)]
        if parts.norm != text:
            changed = normalization_said(text, as_written(parts.norm, parts.respelled, parts.joined))
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
        outside = 0.0  # (a float: the memo key and the feature vector hold it as is)
        if undecided:
            assert outcome is not None
            code, level, (d, t, c), outside = self._undecided(outcome, code, level, (d, t, c), path, reasons)
            outcome = None
        if code is None:
            if not reasons:
                reasons.append("no Hangzhou division, road or compound name found")
            return MatchResult(text, None, level, 0.0, elements, cands, tuple(reasons), d, t, c), None
        split_number = _NUMBER_SPLIT_RE.search(text) is not None
        if split_number:
            reasons.append("a separator inside a number: the text does not say which number is meant")
        leftover, bare = coverage(parts, res, outcome)
        confusable, two_edit_rival = self._rivals(parts, res, b, outcome, level, code, fuzzy, reasons)
        overlap = self._overlap(parts, res, b, outcome, level, code, reasons)
        kw = dict(boundary=b.boundary if b is not None else True,
                  buildings_elsewhere=b.elsewhere if b is not None else False, fuzzy=outcome,
                  leftover=leftover, number_separator=split_number, contradicted=self._contradicted(res, d, t),
                  fuzzy_undecided=undecided,
                  address_outside_divisions=any("exists only outside" in r for r in reasons),
                  bare_name_heads_a_word=bare, confusable=confusable, two_edit_rival=two_edit_rival,
                  candidates_outside=outside,
                  division_before_number=path == "division" and _division_before_number(parts.norm, res),
                  division_respelled=bool(parts.respelled), name_overlaps_division=overlap)
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
        conf = self._capped(conf, level, res, parts, d, outcome, split_number=split_number, undecided=undecided,
                            outside=outside, confusable=confusable, two_edit_rival=two_edit_rival, leftover=leftover,
                            literal=path == "literal", reasons=reasons)
        return MatchResult(text, code, level, round(conf, 4), elements, cands, tuple(reasons), d, t, c), x

    def _undecided(self, outcome: FuzzyOutcome, code: str | None, level: str | None, chain: tuple, path: str,
                   reasons: list[str]) -> tuple[str | None, str | None, tuple, float]:
        """For an answer the fuzzy stage did not decide (``outcome`` is only its candidates): the answer widened to
        the common level of the buildings a clear reading names outside it too, and whether a name the text may
        well mean has the number outside the answer (``outside``, a float: the memo key and the features hold it
        as is)."""
        outside = 0.0
        d, t, c = chain
        assert self.index is not None
        if code is not None and outcome.accepted and path == "division":
            # a clear reading whose name and number name buildings outside the answer too (余杭区迎滨路66号:
            # 迎宾路66 is in 余杭区 and in 临平区, once 余杭区): the text says no more than their common level
            # (the answer's own code among them: a shorter code equals no longer prefix of a building's)
            wider = common_of_codes({code, *(self.index.building(r) for r in outcome.best.rows)})
            if wider[0] != code:
                code, level, (d, t, c) = wider if wider[0] is not None else (code[:4], "city", (None, None, None))
                reasons.append(f"{outcome.best.name}{outcome.number} is also outside the divisions read; "
                               f"returned the common {level}")
        if code is not None:
            # a name the misspelled text may well mean (one edit at most, or two in a longer name) has the
            # number outside the answer (萧山区亲和村3组73号 → 萧山区, while 新和村 is in 钱塘区; 余杭区顷大道7号
            # → 余杭区, while 春庆大道 is in 临平区, once 余杭区)
            idx, written = self.index, outcome.best.written
            outside = float(any(may_be_meant(fc, written) and not all(idx.building(r).startswith(code)
                                                                       for r in fc.rows)
                                for fc in (outcome.best, *outcome.others)))
        return code, level, (d, t, c), outside

    def _capped(self, conf: float, level: str | None, res: Resolution, parts: BuildingPart, d: str | None,
                outcome: FuzzyOutcome | None, *, split_number: bool, undecided: bool, outside: float, confusable: bool,
                two_edit_rival: bool, leftover: int, literal: bool, reasons: list[str]) -> float:
        """The fitted confidence ``conf`` held under what the text leaves open, whatever the model says: a number
        split by a separator, a generic word read as a name, a rival one slip away, a split 2020 district, an address
        in both parts of one, a place written relative to the building, district names that contradict each other
        (each rule below says why; some add a reason)."""
        if split_number and level in ("building", "grid"):
            # the text does not say which number: at most the rate at which such answers are right
            conf = min(conf, self.confidence_model.caps.get("number_separator", _SPLIT_NUMBER_CAP))
        if outcome is not None and level == "building" and outcome.best.written in GENERIC_WORDS:
            # the text names nothing but a generic word (家园1号楼 read as 陈家园村, 新村1幢 as 新龙村): the reading
            # rests on the number alone (synthetic seeds 303 / 404: 4 of 10 such readings wrong, 2 of them at ≥ 0.99)
            conf = min(conf, _CONFUSABLE_CAP)
            reasons.append(f"{outcome.best.written} is only a generic word: the reading rests on the number")
        if undecided and outside and level not in ("building", "grid"):
            # the fuzzy stage decided nothing, and a name the misspelled text may well mean lies outside the
            # answer (杭州文新村1# → 文新街道, while 茂文新村 of 拱墅区 has a 1幢): on the development variants (seeds 5,
            # 7) such answers were right 91 % of the time, below what an answer at ≥ 0.9 promises
            conf = min(conf, _CONFUSABLE_CAP)
        if confusable or (two_edit_rival and outcome is not None
                          and (_as_slip_like(outcome) or len(outcome.best.edits) >= 2)):
            # one slip (or, for a fuzzy reading, two edits) from another address: never "sure" (the text may
            # well be that one, misspelled); nor a reading that takes two edits itself, whatever they are (进隐华庭
            # read as 金银华庭, two same sounds, while 德银华庭 is two edits away too: on seeds 5 / 101 such readings
            # at ≥ 0.9 were wrong 10 times in 137)
            conf = min(conf, _CONFUSABLE_CAP)
        relative = relative_place(parts) if level == "building" else None
        if relative is not None:
            # 23号对面, 23号旁, 23号往东50米: the text points from the building to another place (across the road it
            # may lie in another grid) — the building is kept as the locator, but it is not the place meant
            conf = min(conf, _RELATIVE_CAP)
            reasons.append(f"the text places the address relative to the building read ({relative}): "
                           "the building is a locator, not the place itself")
        if literal:
            # the address is in the 2020 district as written and in its part that is another district now (萧山区临江村
            # 5号: in 萧山区 and in 钱塘区): the one as written was chosen, but a text written before 2021 means either
            # (seeds 5 / 101: 6 such answers right in 8, two wrong at 0.94)
            conf = min(conf, _SPLIT_DISTRICT_CAP)
        if level == "district" and res.split and (leftover or any(sp[0] in _PLACE_ELEMENTS for sp in parts.spans)):
            # a 2020 district since split (余杭区: today's 余杭区 and 临平区) decides the answer alone while the text
            # names a place that nothing here reads (余杭区鹤睦桥村14组: a misspelled village of 临平区): that place
            # says which, and the answer is no surer than the split
            conf = min(conf, _SPLIT_DISTRICT_CAP)
            reasons.append(self._split_reason(res))
        deep = level in ("building", "grid", "community", "town")
        if (res.level is None and res.candidates and deep or res.clash or res.misplaced
                or deep and (self._in_another_named_district(res, d) or self._districts_disagree(res))):
            # the text's district names contradict each other (西湖区滨江区, 上城淳安县, 杭州市万州区桐庐县, or the
            # answer in another district the text names than the one read, not its successor: 拱墅区建德西湖村43号):
            # conflicting evidence never raises the answer
            conf = min(conf, _CONFLICT_CAP)
        return conf

    def _rivals(self, parts: BuildingPart, res: Resolution, b: Answer | None, outcome: FuzzyOutcome | None,
                level: str | None, code: str, fuzzy: bool, reasons: list[str]) -> tuple[bool, bool]:
        """Whether a building answer has a rival one slip from what the text writes (``confusable``), or, for a
        fuzzy reading, two edits (``two_edit_rival``): another name with the same number in scope; a reason says
        which."""
        confusable = two_edit_rival = False
        if b is not None and b.via is not None and level == "building":
            # the text names this building exactly, but one slip of the pen away is another name with the
            # same number (东村2组47号 / 雷东村2组47号): the text may be that one, misspelled
            kind, name, number, group = b.via
            conf_names = self.confusables
            rival = (conf_names.rival(kind, name, number, group, code, lambda r: self._consistent(res, self.index, r))
                     if kind + name in conf_names.neighbours else None)
            if rival is not None:
                confusable = True
                reasons.append(f"{name} is one character from {rival}, which has this number too")
            elif fuzzy:
                # 湖陈北路252号 reads 陈北路 exactly, 湖 left over; 湖头陈北路 with 头 dropped has a 252号 too
                attached = attached_rival(parts.norm, kind, name, number, group, code, res, self.names, self.index,
                                          self._consistent, self.resolver.names_a_division)
                if attached is not None:
                    confusable = True
                    reasons.append(f"{attached[0]} is {apart(*attached)} from {attached[1]}, which has this number "
                                   "too")
        elif outcome is not None and level == "building":
            # a fuzzy reading, while the text is one slip from another candidate (范村: 范村村 with 村 dropped,
            # or 郎范村 with 郎 dropped)
            written = outcome.best.written
            rival = next((fc.name for fc in outcome.others
                          if one_slip_apart(fc.name, written, self.names.costs)), outcome.slip_rival)
            if rival is not None:
                confusable = True
                reasons.append(f"{written} is one character from {rival}, which has this number too")
            elif outcome.two_edit_rival is not None:
                # 董驾村 read as 董家村 (one edit), while 董家桥村 with two has the number too
                two_edit_rival = True
                reasons.append(f"{written} is {apart(written, outcome.two_edit_rival)} from {outcome.two_edit_rival}, "
                               "which has this number too")
        return confusable, two_edit_rival

    def _overlap(self, parts: BuildingPart, res: Resolution, b: Answer | None, outcome: FuzzyOutcome | None,
                 level: str | None, code: str, reasons: list[str]) -> bool:
        """Whether a building answer's name starts inside a division name of the text that the building is
        not in (:func:`~hangzhou_address.matching.overlap.overlapped_division`: 萧山桥花园 → 山桥花园 of
        西湖区); a reason says so."""
        if level != "building" or b is None:
            return False
        name = outcome.best.written if outcome is not None else b.via[1] if b.via is not None else ""
        key = overlapped_division(parts.norm, name, code, self.resolver, res.hits)
        if key is None:
            return False
        reasons.append(f"{name} starts inside {key}, which the answer is not in: the text may mean {key} and "
                       "another name")
        return True

    def _split_reason(self, res: Resolution) -> str:
        """The reason of a district answer capped by :data:`_SPLIT_DISTRICT_CAP`."""
        rv = self.resolver
        old = sorted(res.written_districts & rv.split_districts)
        parts = []
        for code in old:
            now = "、".join(f"{rv.name_of.get(c, '')} ({c})" for c in sorted(rv.split_into[code]))
            parts.append(f"{rv.name_of.get(code, code)} ({code}) of 2020 lies now in {now}")
        return "; ".join(parts) + ": the place the text names is not read, and it may be in either"

    def _in_another_named_district(self, res: Resolution, d: str | None) -> bool:
        """Whether the answer's district ``d`` is another district the text names than the one the resolver
        read, and neither was ever part of the other (拱墅区建德西湖村43号: 建德市, while 拱墅区 was read; not
        余杭区星桥…: 星桥 made 临平区 out of 余杭区)."""
        d0 = res.district_code
        if d is None or d0 is None or self.resolver.districts_related(d, d0):
            return False
        kin = self.resolver.district_kin
        named = [kin.get(w, frozenset((w,))) for w in res.written_districts]
        # (江干区义烹中路: 江干区 is now 上城区 and, in part, 钱塘区 — one written name covering both is no conflict)
        return any(d in k for k in named) and not any(d in k and d0 in k for k in named)

    def _districts_disagree(self, res: Resolution) -> bool:
        """Whether the text names two districts that never shared any territory (杭州西湖区淳安古墩路22号: 西湖区
        and 淳安县; not 余杭区 and 临平, nor 江干区 and 钱塘区)."""
        written = res.written_districts
        if len(written) < 2:
            return False
        kin = self.resolver.district_kin
        sets = [kin.get(w, frozenset((w,))) for w in written]
        return any(not a & b for i, a in enumerate(sets) for b in sets[i + 1:])

    def _decide(self, res: Resolution, parts: BuildingPart, fuzzy: bool) -> _Decision:
        """The one reading of the divisions that :meth:`match` and :meth:`parse` both report.

        ``res`` and ``parts`` come from :meth:`_analyse`. The exact look-up of the building part in the
        addresses table, the choice between a compound and a division of the same name (大庄村3组70号:
        a village's group and house number; the village stands when no such building exists), and, when
        ``fuzzy``, the fuzzy stage."""
        reasons = list(res.reasons)
        if res.outside or self.index is None or not parts.norm.strip():
            return _Decision(res, None, None, (), reasons)
        b: Answer | None = None
        found_exact = False
        if parts.lookups:
            b, found_exact = self._exact(res, parts, reasons)
            if (b is None or b.level != "building") and parts.fallback is not None:
                # not found as a compound: the first reading (a division name) stands
                res = parts.fallback
                parts.fallback = None
                reasons = list(res.reasons)
                b, found_exact = self._exact(res, parts, reasons) if parts.lookups else (None, False)
        outcome = None
        fuzzy_cands: tuple[Candidate, ...] = ()
        if fuzzy:
            assert self.index is not None
            b, outcome, fuzzy_cands = fuzzy_stage(parts, res, b, res.level, found_exact, reasons, index=self.index,
                                                  names=self.names, resolver=self.resolver,
                                                  consistent=self._consistent, max_candidates=self.max_candidates)
        return _Decision(res, b, outcome, fuzzy_cands, reasons)

    def _contradicted(self, res: Resolution, d: str | None, t: str | None) -> tuple[int, int]:
        """How many district and town names written in the text the answer's district ``d`` and town
        ``t`` contradict (neither the division, its predecessor nor its successor; for an answer without a
        town, a town name none of whose towns lies in ``d``)."""
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
            elif h[0] == "town" and d is not None:
                # a district answer outside every town of that name (宁围兴小区 answered 上城区: 宁围 is in 萧山区)
                ok = any(rv.levels[i] == 1 and rv.cur[i][0] == d for i, _k in entries)
                n_t += not ok
        return n_d, n_t

    def _exact(self, res: Resolution, parts: BuildingPart, reasons: list[str]) -> tuple[Answer | None, bool]:
        """:func:`~hangzhou_address.matching.exact.exact_lookup` with this matcher's index and resolver."""
        assert self.index is not None
        return exact_lookup(self.index, self.resolver, res, parts, reasons, self.max_candidates)

    def _consistent(self, res: Resolution, idx: AddressIndex, r: int) -> bool:
        """Whether address row ``r`` agrees with the resolved divisions (:func:`~hangzhou_address.matching.exact.consistent`)."""
        return consistent(self.resolver, res, idx, r)

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
def _needs_tagger(text: str, res: Resolution, parts: BuildingPart) -> bool:
    """Whether the tagger runs on ``text``: it fits the tagger, and the registry reading leaves part of it
    unexplained."""
    return len(text) <= tagger.MAX_CHARS and not parts.explains(res)


def _parsed(text: str, dec: _Decision, parts: BuildingPart, runs: Any) -> ParsedAddress:
    """The :class:`ParsedAddress` of an analysed and decided text (``runs``: the tagger's, empty if it did not
    run)."""
    res = dec.res
    d, t, c = dec.chain()
    return ParsedAddress(text, merge_elements(text, parts.positioned(text), runs, res), parts.values_view(),
                         d, t, c, tuple(dec.reasons))


class _Decision(NamedTuple):
    """What :meth:`Matcher._decide` read: the divisions' reading that stands, the answer below it (None
    when there is none), the fuzzy outcome (None when the fuzzy stage did not run or found nothing), the
    fuzzy stage's candidates to report (else empty: the resolution's stand) and the reasons so far."""

    res: Resolution
    answer: Answer | None
    outcome: FuzzyOutcome | None
    candidates: tuple[Candidate, ...]
    reasons: list[str]

    def level(self) -> str | None:
        """The level of the decision (the answer's, else the divisions')."""
        return self.answer.level if self.answer is not None else self.res.level

    def chain(self) -> tuple[str | None, str | None, str | None]:
        """(district, town, community) codes of the decision."""
        b = self.answer
        if b is not None:
            return b.chain
        res = self.res
        return res.district_code, res.town_code, res.community_code


#: a village name followed by a house number (新安村1212号, 新安村3组12号)
_VILLAGE_NUMBER_RE = re.compile(r"村\d+(?:组\d+)?号?")
#: a separator between two digits of a building number (30 1号, 2,6号, 1、8号, 1，6#, 1、9-2-301): which number is
#: meant?
_NUMBER_SPLIT_RE = re.compile(
    r"[0-9０-９][ \t\r\n,，、.。·・\u3000]+[0-9０-９]{1,4}\s*(?:号|號|幢|栋|棟|弄|组|座|#|＃|[-－](?=[0-9０-９]))")
#: the highest confidence of a building / grid answer whose text has a separator inside a number, when the
#: confidence model does not fit one (``ConfidenceModel.caps["number_separator"]``)
_SPLIT_NUMBER_CAP = 0.5
#: the highest confidence of a building answer whose text places the address relative to it (23号对面, 23号旁:
#: :mod:`hangzhou_address.matching.relative`) — hand-set, as no fitting variant writes one: the building read is
#: a locator, and the place meant is most likely another building
_RELATIVE_CAP = 0.3
#: the highest confidence of an answer below the district when the text's district names contradict each other
_CONFLICT_CAP = 0.89
#: the highest confidence of a building answer whose text is one slip from another name with the same number
#: (:mod:`hangzhou_address.matching.confusable`): exact ones are right ~92 % of the time on the SYNTHETIC
#: variants, below what an answer at ≥ 0.9 promises (no review needed); so is a fuzzy reading whose written
#: stretch is two edits from another name with the number (``FuzzyOutcome.two_edit_rival``): on the
#: development variants (seed 7) such readings at ≥ 0.9 were wrong 14 times in 436, 13 of them two-edit texts
_CONFUSABLE_CAP = 0.89
#: the highest confidence of a district answer decided by a 2020 district name alone that has been split since
#: (余杭区, 萧山区, 江干区) while the text names a place nothing reads: on the SYNTHETIC variants such answers are
#: right 91–93 % of the time (the fitting features of seeds 4242 / 404); on real 2019 text with one slip in a
#: village of 临平区 after 余杭区 they were wrong at 0.965 (bench/bench_match_real_slips.py); and of a building whose
#: address is in both parts of such a district, the one as written chosen (余杭区迎宾路5号: in 余杭区 and in 临平区)
_SPLIT_DISTRICT_CAP = 0.89
#: elements of the building part that name a place below the divisions
_PLACE_ELEMENTS = frozenset({"road", "poi", "village", "roadno", "houseno", "group"})


#: a district or town name followed directly by a door / group / building number (separators aside)
# (not a numbered road: 江干区24号大街, 下沙1号路)
_NUMBER_AFTER_RE = re.compile(r"[\s,，、·.\-]*\d+(?!\d|号(?:大街|路|街|大道))")
_DIVISION_HIT_LABELS = frozenset({"district", "town"})  # (a village is followed by its group numbers)


def _as_slip_like(outcome: FuzzyOutcome) -> bool:
    """Whether the two-edit rival of a fuzzy reading needs no more arbitrary characters
    (:func:`~hangzhou_address.matching.rivals.arbitrary_edits`: not a same sound, a look-alike, a swap, a dropped
    character or a generic suffix; characters the reading leaves unexplained count too) than the reading:
    then two slips of the clerk explain the text as well as one (董驾村: 董家村 with one same-sounding
    character, 董家桥村 with that and a dropped one), and the reading is capped below "sure". A rival that
    needs more (义烹中路 read as 义蓬中路, while 中河中路 takes two arbitrary characters) is left to the model:
    on the development variants (seed 5) such readings were wrong 6 times in about 650."""
    best = outcome.best
    return arbitrary_edits(outcome.two_edit_rival_edits) <= arbitrary_edits(best.edits, best.skipped)


def _division_before_number(norm: str, res: Resolution) -> bool:
    """Whether a district or town name the resolver read is followed directly by a number (萧山临江1组4号,
    西湖1组16号, 石桥28号): numbers belong to roads, compounds and villages, so the name may be one of those
    written without its suffix (临江村), not the division."""
    return any(h[0] in _DIVISION_HIT_LABELS and _NUMBER_AFTER_RE.match(norm, h[2]) is not None for h in res.hits)


def _check_fuzzy(fuzzy: Any) -> bool:
    """``fuzzy`` must be a real bool (``"no"`` or ``0`` would silently pick a mode)."""
    if not isinstance(fuzzy, bool):
        raise InputError(f"fuzzy must be True or False, got {fuzzy!r}")
    return fuzzy


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
