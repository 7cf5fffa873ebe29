"""Stage 2 of the fuzzy stage (:mod:`hangzhou_address.matching.fuzzy`): the candidate names of a misspelled
stretch of text.

:class:`NameIndex` lists the road and compound / village names of an address index by character and pinyin
syllable, per town, district and for the whole city; :meth:`NameIndex.candidates` ranks the names sharing
the most with a stretch (look-alikes of its characters standing for them), puts those having the building
number first and keeps at most :data:`MAX_CANDIDATES` for scoring. Everything below community level in the
embedded data is SYNTHETIC (``docs/synthetic-city.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .similarity import GENERIC_SUFFIXES, CharCosts, strip_generic_suffix

__all__ = ["NameIndex", "MAX_CANDIDATES", "MAX_POOL"]

#: names scored per stretch of text (the index ranks them by shared characters / syllables)
MAX_CANDIDATES = 8
#: names looked at per stretch for the building number (the cheap test that puts the names having it
#: first among the :data:`MAX_CANDIDATES` scored)
MAX_POOL = 32


def _drop_generic_words(text: str) -> str:
    for words in GENERIC_SUFFIXES.values():
        for w in words:
            if w in text:
                text = text.replace(w, "")
    return text


class NameIndex:
    """Road and compound / village names of an address index, by character and pinyin syllable,
    per town, district and for the whole city.

    Parameters
    ----------
    index : hangzhou_address.matching.address_index.AddressIndex
        The exact look-up structure (its ``name_slice`` keys are ``"R" + road`` / ``"P" + name``).
    history : mapping, optional
        Current town code → the district codes it ever belonged to
        (:attr:`hangzhou_address.resolve.DivisionResolver.hist_d`): a name is also listed under
        those districts (余杭区 written for a compound now in 临平区).
    """

    def __init__(self, index: Any, history: Mapping[str, Iterable[str]] | None = None) -> None:
        import numpy as np

        self.costs = CharCosts()
        self.names: list[tuple[str, str]] = []
        #: per name: (character, main syllable) of its distinctive part (without the generic suffix)
        self.stem_tokens: list[tuple[tuple[str, str], ...]] = []
        #: per name: the tokens of the whole name, suffix included (to break ties between names)
        self.full_tokens: list[frozenset[str]] = []
        #: per name: its length in characters
        self.lengths: list[int] = []
        #: per name: the scopes (town and district codes, ``""``) it is listed under
        self._scopes: list[frozenset[str]] = []
        postings: dict[tuple[str, str], list[int]] = {}
        town_pos = index.town.positions
        town_vals = index.town.values
        for key in index.name_slice:
            kind, name = key[0], key[1:]
            nid = len(self.names)
            self.names.append((kind, name))
            rows = index.rows_of(kind, name)
            towns = {town_vals[p] for p in np.unique(town_pos[rows]).tolist()} - {None}
            scopes = {""} | towns | {t[:6] for t in towns}
            if history:
                scopes |= {d for t in towns for d in history.get(t, ())}
            stem = strip_generic_suffix(name, kind)
            self.stem_tokens.append(tuple((ch, "~" + self.costs.syllable(ch)) for ch in stem))
            self.full_tokens.append(frozenset(self.tokens(name)))
            self.lengths.append(len(name))
            self._scopes.append(frozenset(scopes))
            for tok in self.tokens(stem):
                for s in scopes:
                    postings.setdefault((s, tok), []).append(nid)
        #: (scope, token) -> the ids of the names in that scope with that token (int32 arrays)
        self.postings = {k: np.asarray(v, dtype=np.int32) for k, v in postings.items()}
        full_postings: dict[str, list[int]] = {}
        for nid, toks in enumerate(self.full_tokens):
            for tok in toks:
                full_postings.setdefault(tok, []).append(nid)
        #: token -> the ids of the names whose whole name (suffix included) has it, city-wide
        self._full_postings = {k: np.asarray(v, dtype=np.int32) for k, v in full_postings.items()}
        self._lengths = np.asarray(self.lengths, dtype=np.int64)
        #: name -> the ids of the names spelled so (a road and a compound may share one)
        self.ids_of: dict[str, list[int]] = {}
        char_postings: dict[tuple[str, str], list[int]] = {}
        for nid, (_kind, name) in enumerate(self.names):
            self.ids_of.setdefault(name, []).append(nid)
            for ch in set(name):
                for sc in self._scopes[nid]:
                    char_postings.setdefault((sc, ch), []).append(nid)
        #: (scope, character) -> the ids of the names in that scope with that character anywhere (for :meth:`within`)
        self._char_postings = {k: np.asarray(v, dtype=np.int32) for k, v in char_postings.items()}
        #: per name: how many distinct characters it has
        self._distinct = np.asarray([len(set(name)) for _kind, name in self.names], dtype=np.int64)

    def tokens(self, text: str) -> set[str]:
        """Characters (Han only) and their main toneless syllables (``"~" + pinyin``); a name's
        generic suffix is left out by the caller (it would make every 路 a candidate)."""
        out = set()
        for ch in text:
            if "\u3400" <= ch <= "\u9fff":
                out.add(ch)
                out.add("~" + self.costs.syllable(ch))
        return out

    def lower_bound(self, nid: int, tokens: set[str]) -> float:
        """A lower bound of the cost of reading a text with ``tokens`` (:meth:`tokens`) as name
        ``nid``: each character of the name's distinctive part whose character and syllable are both
        absent from the text needs an edit of at least 0.5, or 0.4 when a look-alike of it is there
        (only a same-pinyin edit costs less, and it shares the syllable)."""
        lb = 0.0
        for ch, sy in self.stem_tokens[nid]:
            if ch not in tokens and sy not in tokens:
                lb += 0.4 if self.costs.lookalike_in(ch, tokens) else 0.5
        return lb

    def within(self, text: str, scope: str, edits: int) -> list[int]:
        """Ids of the names in ``scope`` (a town or district code, ``""`` for the whole city) at most ``edits``
        edits from ``text`` (a character dropped, added or replaced, or two adjacent ones swapped:
        :data:`rapidfuzz.distance.OSA`), closest first — however few characters they share with it (names of
        at most ``edits`` distinct characters, which need share none, are left out)."""
        import numpy as np
        from rapidfuzz.distance import OSA

        lists = [ids for ids in map(self._char_postings.get, ((scope, ch) for ch in set(text))) if ids is not None]
        if not lists:
            return []
        # each distinct character of a name that the text lacks takes an edit: only names sharing all but
        # ``edits`` of theirs can be that close (a few of the scope's thousands)
        counts = np.bincount(np.concatenate(lists))  # per name id: its distinct characters the text has
        ids = np.flatnonzero(counts)
        near = ids[(counts[ids] >= self._distinct[ids] - edits) & (np.abs(self._lengths[ids] - len(text)) <= edits)]
        got = []
        for nid in near.tolist():
            d = OSA.distance(self.names[nid][1], text, score_cutoff=edits)
            if d <= edits:
                got.append((d, nid))
        return [nid for _d, nid in sorted(got)]

    def candidates(self, fragment: str, scope: str, limit: int = MAX_CANDIDATES,
                   has_number: Callable[[int], bool] | None = None) -> list[int]:
        """Ids of the names sharing the most characters / syllables with ``fragment`` in ``scope``
        (a town or district code, or ``""`` for the whole city).

        With ``has_number`` (name id → whether that name has the text's building number), the
        :data:`MAX_POOL` best-ranked names are tested and those having the number come first: a
        short or shortened name (溪村 for 溪头村) shares its characters with dozens of names, and
        the few that have the number are the ones that can be the answer."""
        import numpy as np

        get = self.postings.get
        # (a stretch of generic words only keeps them: 渌渚镇新村3组 may be 新港村 with 港 dropped)
        stretch = _drop_generic_words(fragment) or fragment
        # a look-alike of a written character stands for it (材 for 村: 村溪路 for 材溪路), so that a
        # look-alike slip loses one token, as a same-pinyin one does, not two
        tokens = self.tokens(stretch) | {o for ch in stretch for o in self.costs.lookalikes(ch)}
        lists = [ids for ids in map(get, ((scope, tok) for tok in tokens)) if ids is not None]
        if not lists:
            return []
        counts = np.bincount(np.concatenate(lists))  # per name id: the tokens it shares with the stretch
        nids = np.flatnonzero(counts)
        shared = counts[nids]
        # a name sharing two tokens fewer than the best shares has at least one more edit (a dropped
        # character costs two tokens, a homophone one): such names cannot win by the margin. Every name
        # of the best levels of shared tokens (down to that floor) is ranked until the pool is full, the
        # last level whole, for the ties to be broken below (a shortened name ties with dozens)
        levels, per_level = np.unique(shared, return_counts=True)
        best = int(levels[-1])
        floor, taken = best, 0
        for n_level, n_names in zip(levels[::-1].tolist(), per_level[::-1].tolist()):
            if n_level < best - 2 or taken >= MAX_POOL:
                break
            floor = n_level
            taken += n_names
        keep = shared >= floor
        top, top_shared = nids[keep], shared[keep]
        # ties: the name sharing more with the whole fragment (its suffix too: 文茂家园 before 文茂新村
        # for 文茂家圆), then the length closest to the fragment's, then the id
        whole = [self._full_postings[t] for t in self.tokens(fragment) if t in self._full_postings]
        with_whole = (np.bincount(np.concatenate(whole), minlength=len(self.names))[top] if whole
                      else np.zeros(len(top), dtype=np.int64))
        order = np.lexsort((top, np.abs(self._lengths[top] - len(fragment)), -with_whole, -top_shared))
        ids = top[order[:MAX_POOL]].tolist()
        # a name the stretch ends with exactly (江村·村, separators removed: 江村村) is always a candidate, first:
        # dropping the generic words above left it only 江, shared with hundreds of names
        spelled = [nid for k in range(len(fragment) - 1) for nid in self.ids_of.get(fragment[k:], ())
                   if scope in self._scopes[nid]]
        if spelled:
            ids = spelled + [nid for nid in ids if nid not in spelled]
        if has_number is None:
            return ids[:limit]
        having, lacking = [], []  # (in ranking order each)
        for nid in ids:
            (having if has_number(nid) else lacking).append(nid)
            if len(having) == limit:
                break
        return (having + lacking)[:limit]
