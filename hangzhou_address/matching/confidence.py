"""The confidence of an answer: a probability that the returned code is right, from a fitted model.

A logistic regression per group of paths (:data:`GROUPS`), each followed by an isotonic
calibration map, over a handful of features of how the answer was reached
(:data:`FEATURES`): the level and path of the answer (one building found exactly, chosen among
several by the division names, the common level of several, a fuzzy reading…), the strength of
the division evidence (the resolver's score and margin, conflicts, pre-2021 names, a split 2020
district), the fuzzy reading's edit cost, its lead over the runner-up and the characters it left
unexplained, characters of the text that nothing explains, and a separator inside a number.

"Right" means: the true building's code starts with the returned code (a building, its grid,
community, town or district). The coefficients (``resources/confidence.json``) are fitted by
``bench/fit_confidence.py`` on variants of a SYNTHETIC city built with another seed than the
embedded one (``hangzhou_address.synth.variants``), so that the benchmarks evaluate it on data it
was not fitted on; ``bench/README.md`` has the reliability tables.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from .similarity import strip_generic_suffix

if TYPE_CHECKING:  # pragma: no cover
    from ..resolve import Resolution
    from .fuzzy import FuzzyOutcome

__all__ = ["FEATURES", "PATHS", "GROUPS", "ConfidenceModel", "LogisticPart", "default_model", "features", "group_of"]

#: how a building-level or lower answer was reached
PATHS = ("division", "unique", "chosen", "literal", "common", "near", "fuzzy", "fuzzy_common")

#: the model's inputs, in order (``bias`` is 1)
FEATURES = (
    "bias",
    # level of the answer
    "level_building", "level_grid", "level_community", "level_town",
    # path (one-hot; "division" is the reference)
    "path_unique", "path_chosen", "path_literal", "path_common", "path_near", "path_fuzzy", "path_fuzzy_common",
    # division evidence
    "div_score", "div_margin", "div_conflict", "div_legacy", "div_split", "div_none", "div_no_district",
    "outside_mentioned", "div_ambiguous", "bare_name_heads_a_word", "division_respelled",
    # division names written in the text that the answer contradicts
    "districts_contradicted", "towns_contradicted",
    # the building part
    "not_at_boundary", "buildings_elsewhere", "one_slip_rival", "fuzzy_two_edit_rival",
    # fuzzy reading
    "fuzzy_cost", "fuzzy_cost_per_char", "fuzzy_margin", "fuzzy_skipped", "fuzzy_exact_name_exists",
    "fuzzy_city_scope", "fuzzy_edits", "fuzzy_short_name", "fuzzy_close_rivals", "fuzzy_near_names", "fuzzy_tail_names",
    "fuzzy_missing", "fuzzy_added", "fuzzy_doubled", "fuzzy_sound_alike", "fuzzy_other_character", "fuzzy_swapped",
    "fuzzy_suffix_dropped", "fuzzy_separators_only",
    "fuzzy_inside_division", "fuzzy_suffix_doubled", "fuzzy_missing_share", "fuzzy_skip_and_missing",
    "fuzzy_stem_lost", "fuzzy_written_cun_cun",
    "fuzzy_undecided", "fuzzy_candidates_outside", "division_before_number",
    # the name and number exist, but only outside the divisions the text names
    "address_outside_divisions",
    # interactions
    "building_with_ambiguous_district", "building_without_district",
    # the text
    "leftover_chars", "number_separator",
    # the name read starts inside a division name of the text (:mod:`hangzhou_address.matching.overlap`)
    "name_overlaps_division",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def features(level: str | None, path: str, res: Resolution, *, boundary: bool = True,
             buildings_elsewhere: bool = False, fuzzy: FuzzyOutcome | None = None, leftover: int = 0,
             number_separator: bool = False, contradicted: tuple[int, int] = (0, 0),
             fuzzy_undecided: bool = False, address_outside_divisions: bool = False,
             bare_name_heads_a_word: bool = False, confusable: bool = False, two_edit_rival: bool = False,
             candidates_outside: float = 0.0, division_before_number: bool = False,
             division_respelled: bool = False, name_overlaps_division: bool = False) -> tuple[float, ...]:
    """The feature vector (:data:`FEATURES`) of one answer.

    ``fuzzy`` is the fuzzy reading the answer comes from (None for other answers);
    ``fuzzy_undecided``: the fuzzy stage found candidates but none decided the answer (the text's
    name is likely misspelled, and a bare division name read inside it may be wrong too);
    ``bare_name_heads_a_word``: a town or community was read from a bare name (without 街道 / 镇 /
    村 / 社区) followed by characters nothing explains (东村 in 东村下1组: perhaps a misspelled
    village name that starts like another one); ``confusable``: a building answer whose name (exact) or
    written stretch (fuzzy) is one slip from another name with the same number
    (:mod:`hangzhou_address.matching.confusable`); ``two_edit_rival``: a fuzzy building answer whose written
    stretch is two edits from another name with the same number in scope (``FuzzyOutcome.two_edit_rival``);
    ``candidates_outside``: for an answer the fuzzy stage
    did not decide, 1.0 when one of its candidates one edit away at most (a name the misspelled text may
    well mean) lies outside the returned code (萧山区亲和村3组73号 → 萧山区, while 新和村 is in 钱塘区);
    ``division_before_number``: a division answer while a division name read is followed directly by a
    number (萧山临江1组4号 → 临江街道: numbers belong to roads, compounds and villages — 临江村);
    ``division_respelled``: a division name of the text was misspelled and read as the division it means
    (:mod:`hangzhou_address.matching.division_spelling`: 米市港街道 → 米市巷街道);
    ``name_overlaps_division``: a building answer whose name starts inside a division name of the text that
    the building is not in (萧山桥花园 → 山桥花园 of 西湖区:
    :func:`hangzhou_address.matching.overlap.overlapped_division`).
    """
    x = [0.0] * len(FEATURES)
    x[0] = 1.0
    if level in ("building", "grid", "community", "town"):
        x[_INDEX["level_" + level]] = 1.0
    if path != "division":
        x[_INDEX["path_" + path]] = 1.0
    x[_INDEX["div_score"]] = min(max(res.score, 0.0), 10.0) / 10.0
    x[_INDEX["div_margin"]] = min(res.margin, 5.0) / 5.0 if res.level is not None else 0.0
    x[_INDEX["div_conflict"]] = float(res.conflict)
    x[_INDEX["div_legacy"]] = float(res.legacy)
    x[_INDEX["div_split"]] = float(res.split)
    x[_INDEX["div_none"]] = float(res.level is None)
    x[_INDEX["div_no_district"]] = float(res.district_code is None)
    x[_INDEX["outside_mentioned"]] = float(any(r.startswith("mentions a place outside") for r in res.reasons))
    x[_INDEX["div_ambiguous"]] = float(any(r.startswith("ambiguous") for r in res.reasons))
    x[_INDEX["division_respelled"]] = float(division_respelled)
    x[_INDEX["districts_contradicted"]] = float(min(contradicted[0], 2))
    x[_INDEX["towns_contradicted"]] = float(min(contradicted[1], 2))
    x[_INDEX["not_at_boundary"]] = float(not boundary)
    x[_INDEX["buildings_elsewhere"]] = float(buildings_elsewhere)
    x[_INDEX["one_slip_rival"]] = float(confusable)
    x[_INDEX["fuzzy_two_edit_rival"]] = float(two_edit_rival)
    if fuzzy is not None:
        b = fuzzy.best
        x[_INDEX["fuzzy_cost"]] = min(b.cost, 3.0)
        x[_INDEX["fuzzy_cost_per_char"]] = min(b.cost / max(len(b.name), 1), 1.0)
        x[_INDEX["fuzzy_margin"]] = min(fuzzy.margin, 3.0) / 3.0
        x[_INDEX["fuzzy_skipped"]] = min(b.skipped, 10) / 10.0
        x[_INDEX["fuzzy_exact_name_exists"]] = float(fuzzy.exact_name_without_number)
        x[_INDEX["fuzzy_city_scope"]] = float(not (fuzzy.scope.town_code or fuzzy.scope.district_code))
        x[_INDEX["fuzzy_edits"]] = float(min(len(b.edits), 3))
        x[_INDEX["fuzzy_short_name"]] = 1.0 / max(len(b.name), 1)
        x[_INDEX["fuzzy_close_rivals"]] = float(min(sum(1 for o in fuzzy.others if o.cost <= b.cost + 1.0), 3))
        x[_INDEX["fuzzy_near_names"]] = min(fuzzy.near_names, 5) / 5.0
        x[_INDEX["fuzzy_tail_names"]] = min(fuzzy.tail_names, 3) / 3.0
        for e in b.edits:
            key = ("fuzzy_missing" if e.endswith("missing") else "fuzzy_added" if e.endswith("added")
                   else "fuzzy_doubled" if e.endswith("doubled") else "fuzzy_swapped" if e.endswith("swapped")
                   else "fuzzy_suffix_dropped" if e.endswith("dropped")
                   else "fuzzy_other_character" if e.endswith("other character") else "fuzzy_sound_alike")
            x[_INDEX[key]] += 1.0
        x[_INDEX["fuzzy_separators_only"]] = float(not b.edits)
        x[_INDEX["fuzzy_inside_division"]] = float(fuzzy.inside_division)
        missing = x[_INDEX["fuzzy_missing"]]
        x[_INDEX["fuzzy_missing_share"]] = min(missing / max(len(b.name), 1), 1.0)
        x[_INDEX["fuzzy_skip_and_missing"]] = float(b.skipped > 0 and missing > 0)
        stem = strip_generic_suffix(b.name, b.kind) or b.name
        x[_INDEX["fuzzy_stem_lost"]] = sum(ch not in b.written for ch in stem) / len(stem)
        # the text writes 村村 where the name read has one 村 (大慈岩村村 read as 大慈岩村 with 村 added): 村村 ends the
        # names of villages named after a place (横村村, 李村村) — perhaps one of those, misspelled
        x[_INDEX["fuzzy_written_cun_cun"]] = float("村村" in b.written and "村村" not in b.name)
        x[_INDEX["fuzzy_suffix_doubled"]] = float(any(
            e.endswith(" dropped") and b.written.endswith(e[: -len(" dropped")]) for e in b.edits))
    x[_INDEX["fuzzy_undecided"]] = float(fuzzy_undecided)
    x[_INDEX["fuzzy_candidates_outside"]] = min(max(candidates_outside, 0.0), 1.0)
    x[_INDEX["division_before_number"]] = float(division_before_number)
    x[_INDEX["bare_name_heads_a_word"]] = float(bare_name_heads_a_word)
    x[_INDEX["address_outside_divisions"]] = float(address_outside_divisions)
    if level == "building":
        x[_INDEX["building_with_ambiguous_district"]] = x[_INDEX["div_ambiguous"]]
        x[_INDEX["building_without_district"]] = x[_INDEX["div_no_district"]]
    x[_INDEX["leftover_chars"]] = min(leftover, 20) / 20.0
    x[_INDEX["number_separator"]] = float(number_separator)
    x[_INDEX["name_overlaps_division"]] = float(name_overlaps_division)
    return tuple(x)


#: answers are scored by one model per group of paths (their features weigh differently)
GROUPS: dict[str, tuple[str, ...]] = {
    "exact": ("unique", "chosen", "literal"),
    "fuzzy": ("fuzzy",),
    "lower": ("common", "near", "fuzzy_common"),
    "division": ("division",),
}
_GROUP_OF_PATH = {p: g for g, paths in GROUPS.items() for p in paths}
_PATH_SLOTS = tuple((_INDEX["path_" + p], _GROUP_OF_PATH[p]) for p in PATHS if p != "division")


def group_of(x: Sequence[float]) -> str:
    """The group (:data:`GROUPS`) of an answer with features ``x``."""
    for i, g in _PATH_SLOTS:
        if x[i]:
            return g
    return "division"


def _invalid(msg: str) -> Exception:
    from ..errors import InputError

    return InputError(msg)


@dataclass(frozen=True)
class LogisticPart:
    """Logistic regression ``s = 1 / (1 + exp(-w · x))`` over :data:`FEATURES`, then a monotone
    calibration map: ``p`` is interpolated between the points ``(calibration_x, calibration_y)``
    (isotonic regression of the outcomes on ``s``; identity when empty)."""

    weights: tuple[float, ...]
    calibration_x: tuple[float, ...] = ()
    calibration_y: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise _invalid(f"confidence model has {len(self.weights)} weights, expected {len(FEATURES)}")
        cx, cy = self.calibration_x, self.calibration_y
        if len(cx) != len(cy) or list(cx) != sorted(cx) or any(not 0.0 <= v <= 1.0 for v in cy):
            raise _invalid("confidence model calibration must be increasing x with y in [0, 1]")

    def score(self, x: Sequence[float]) -> float:
        """The logistic regression's output for features ``x`` (before calibration)."""
        z = sum(w * v for w, v in zip(self.weights, x) if v)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def predict(self, x: Sequence[float]) -> float:
        """The probability that the answer with features ``x`` is right."""
        s = self.score(x)
        cx, cy = self.calibration_x, self.calibration_y
        if not cx:
            return s
        k = bisect.bisect_right(cx, s)
        if k == 0:
            return cy[0]
        if k == len(cx):
            return cy[-1]
        x0, x1, y0, y1 = cx[k - 1], cx[k], cy[k - 1], cy[k]
        return y0 + (y1 - y0) * (s - x0) / (x1 - x0) if x1 > x0 else y1

    def to_dict(self) -> dict[str, Any]:
        return {"weights": [round(w, 6) for w in self.weights],
                "calibration": {"x": [round(v, 6) for v in self.calibration_x],
                                "y": [round(v, 6) for v in self.calibration_y]}}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> LogisticPart:
        cal = doc.get("calibration", {})
        return cls(tuple(float(w) for w in doc["weights"]), tuple(float(v) for v in cal.get("x", ())),
                   tuple(float(v) for v in cal.get("y", ())))


@dataclass(frozen=True)
class ConfidenceModel:
    """One :class:`LogisticPart` per group of paths (:data:`GROUPS`)."""

    parts: Mapping[str, LogisticPart]
    metadata: Mapping[str, Any]
    #: upper bounds fitted with the model (``number_separator``: the rate at which building / grid
    #: answers to a text with a separator inside a number are right)
    caps: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(GROUPS) - set(self.parts)
        if missing:
            raise _invalid(f"confidence model lacks the groups {sorted(missing)}")

    def predict(self, x: Sequence[float]) -> float:
        """The probability that the answer with features ``x`` is right."""
        return self.parts[group_of(x)].predict(x)

    def explain(self, x: Sequence[float]) -> dict[str, float]:
        """The group, and each non-zero feature's contribution to the log-odds (for reading an answer)."""
        part = self.parts[group_of(x)]
        out: dict[str, Any] = {"group": group_of(x)}  # type: ignore[dict-item]
        out.update({name: round(w * v, 4) for name, w, v in zip(FEATURES, part.weights, x) if v})
        return out

    @classmethod
    def from_json(cls, text: str) -> ConfidenceModel:
        doc = json.loads(text)
        if tuple(doc["features"]) != FEATURES:
            raise _invalid("confidence model features differ from this version's FEATURES")
        caps = {str(k): float(v) for k, v in doc.get("caps", {}).items()}
        if any(not 0.0 <= v <= 1.0 for v in caps.values()):
            raise _invalid("confidence model caps must lie in [0, 1]")
        return cls({g: LogisticPart.from_dict(d) for g, d in doc["groups"].items()}, doc.get("metadata", {}), caps)

    def to_json(self) -> str:
        return json.dumps({"features": list(FEATURES), "groups": {g: p.to_dict() for g, p in self.parts.items()},
                           "caps": {k: round(v, 4) for k, v in self.caps.items()},
                           "metadata": dict(self.metadata)}, ensure_ascii=False, indent=1)


@functools.lru_cache(maxsize=1)
def default_model() -> ConfidenceModel:
    """The model shipped in the package (``hangzhou_address/resources/confidence.json``)."""
    text = resources.files("hangzhou_address").joinpath("resources/confidence.json").read_text(encoding="utf-8")
    return ConfidenceModel.from_json(text)
