"""Address element tagger: a character-level averaged perceptron trained on the real annotated corpus.

Each character gets one of the corpus labels (prov, city, district, devzone, town, community, road,
subroad, roadno, subroadno, poi, subpoi, houseno, cellno, floorno, roomno, person, assist,
redundant, otherinfo, country); a span is a maximal run of one label. Features are hashed integer
combinations of the surrounding characters (±3), bigrams and a trigram, character classes, and —
for digits — what precedes and follows the digit run (``号``, ``室``, ``-``, ``单元``...) and the
run's ordinal in the address, so ``47-6-746`` tags as houseno-cellno-roomno.

Everything is vectorized with numpy over a whole batch of addresses: no per-character Python loop
at prediction time. The model (``resources/tagger.npz``) is trained on the corpus **train** split
only (``python -m hangzhou_address.tagger train``); ``bench/bench_parse.py`` measures it on **dev**.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError

__all__ = ["Span", "Tagger", "tag", "tag_many", "default_tagger", "LABELS", "MAX_CHARS"]

LABELS = ("O", "country", "prov", "city", "district", "devzone", "town", "community", "road", "subroad",
          "roadno", "subroadno", "poi", "subpoi", "houseno", "cellno", "floorno", "roomno", "person", "assist",
          "redundant", "otherinfo")
_LABEL_ID = {lb: i for i, lb in enumerate(LABELS)}
HASH_BITS = 20
MAX_CHARS = 256  # longer inputs are tagged on their first MAX_CHARS characters
_RESOURCE = Path(__file__).resolve().parent / "resources" / "tagger.npz"


@dataclass(frozen=True)
class Span:
    """A tagged element: ``text == input[start:end]``."""

    label: str
    text: str
    start: int
    end: int


#: the sentinels around every text of a joined batch (the features see code 0 beyond an address)
_PAD = "\x00\x00\x00"


def _joined(texts: list[str]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The texts with 3 zero sentinels before, between and after them, as UTF-32-LE bytes; each
    text's start (in characters) and length."""
    raw = (_PAD + _PAD.join(texts) + _PAD).encode("utf-32-le")
    if len(texts) == 1:  # the common single-address call: skip the batch bookkeeping
        return raw, np.array([3], dtype=np.int64), np.array([len(texts[0])], dtype=np.int64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = 3 + np.concatenate([[0], np.cumsum(lengths + 3)[:-1]]) if len(texts) else np.zeros(0, np.int64)
    return raw, starts, lengths


def _char_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_joined` with the code points as an array (uint32, read-only)."""
    raw, starts, lengths = _joined(texts)
    return np.frombuffer(raw, dtype=np.uint32), starts, lengths


_P1, _P2, _P3 = np.int64(1_000_003), np.int64(998_244_353), np.int64(0x9E3779B1)


#: characters that end or introduce an address element (used by the "nearest key character" features)
_KEY_CHARS = np.array([ord(ch) for ch in "路街道巷弄号幢栋楼座苑园村区镇乡室单元层组里庄府城居厦院场"], dtype=np.int64)
N_TEMPLATES = 26
#: fraction of the trained feature rows the shipped model keeps (:meth:`Tagger.pruned`)
PRUNE_KEEP = 0.1
#: texts featurized together: the kernel's (templates x characters) arrays stay in the L2 cache (measured
#: on this project's 2-core VM: 256 texts tag 1.6x as fast as 1,024)
_BATCH = 256


@functools.lru_cache(maxsize=1)
def _is_key_table() -> np.ndarray:
    """Boolean table over the Basic Multilingual Plane: is the code point a key character."""
    table = np.zeros(0x10000, dtype=np.bool_)
    table[_KEY_CHARS] = True
    return table


def _rank_tables(used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The row map as a bitmap with ranks, for the compiled kernel (``used``: the used hashes, sorted).

    ``bits[w]`` flags the used hashes ``32 w .. 32 w + 31`` (bit ``h & 31``) and ``base[w]`` counts
    the used hashes below ``32 w``: the row of a used hash ``h`` is ``base[h >> 5] + popcount(bits[h >> 5]
    & ((1 << (h & 31)) - 1)) + 1`` (its rank), 0 otherwise. 128 KB + 64 KB instead of a 2 MB dense
    map: the lookups stay in the L2 cache, next to the interpreter's own data.
    """
    flags = np.zeros(1 << HASH_BITS, dtype=bool)
    flags[used] = True
    bits = np.packbits(flags, bitorder="little").view("<u4").astype(np.uint32)
    counts = flags.reshape(-1, 32).sum(axis=1)
    base = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return bits, base.astype(np.uint16 if len(used) < (1 << 16) - 1 else np.int32)


def _nearest(mark: np.ndarray, sep: np.ndarray, *, forward: bool) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest marked position strictly after (``forward``) or at-or-before each
    position, within the same address (``sep`` marks the separators); -1 and distance 0 if none."""
    n = len(mark)
    idx = np.arange(n)
    pos = np.append(np.flatnonzero(mark), n)
    spos = np.append(np.flatnonzero(sep), n)
    if forward:
        got = pos[np.searchsorted(pos, idx, side="right")]
        wall = spos[np.searchsorted(spos, idx, side="right")]
        ok = got < wall
        return np.where(ok, got, -1), np.where(ok, got - idx, 0)
    k = np.searchsorted(pos, idx, side="left") - 1
    got = np.where(k >= 0, pos[np.maximum(k, 0)], -1)
    ks = np.searchsorted(spos, idx, side="left") - 1
    wall = np.where(ks >= 0, spos[np.maximum(ks, 0)], -1)
    ok = got > wall
    return np.where(ok, got, -1), np.where(ok, idx - got, 0)


def _features(codes: np.ndarray) -> np.ndarray:
    """Hashed feature ids, shape (n_templates, len(codes)), for every position of the joined array."""
    codes = codes.astype(np.int64)
    n = len(codes)
    mask = (1 << HASH_BITS) - 1

    def sh(k: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        if k > 0:
            out[:-k] = codes[k:]
        elif k < 0:
            out[-k:] = codes[:k]
        else:
            out[:] = codes
        return out

    c = {k: sh(k) for k in range(-3, 4)}
    digit = (codes >= 48) & (codes <= 57)
    cls = np.where(digit, 1, np.where((codes >= 0x4E00) & (codes <= 0x9FFF), 2,
                                      np.where(((codes | 32) >= 97) & ((codes | 32) <= 122), 3,
                                               np.where(codes == 0, 4, 5))))
    cls_m1 = np.concatenate([[4], cls[:-1]])
    cls_p1 = np.concatenate([cls[1:], [4]])
    # digit runs: the first non-digit char after / before the run, ordinal of the run in the address
    idx = np.arange(n)
    nd = np.flatnonzero(~digit)
    nxt = nd[np.minimum(np.searchsorted(nd, idx), len(nd) - 1)]
    prv = nd[np.maximum(np.searchsorted(nd, idx, side="right") - 1, 0)]
    after = np.where(digit, codes[nxt], 0)
    after2 = np.where(digit, codes[np.minimum(nxt + 1, n - 1)], 0)
    before = np.where(digit, codes[prv], 0)
    run_start = digit & ~np.concatenate([[False], digit[:-1]])
    sep = codes == 0
    cum = np.cumsum(run_start)
    last_sep = np.maximum.accumulate(np.where(sep, idx, 0))
    ordinal = np.minimum(cum - cum[last_sep], 5) * digit
    run_len = np.minimum(nxt - prv - 1, 6) * digit
    # the nearest "key" character (路, 号, 幢, 苑, 村, 室, ...) after / before each position within its
    # address, and how far it is: where a name ends and what kind of element follows
    is_key = np.isin(codes, _KEY_CHARS)
    key_after, dist_after = _nearest(is_key, sep, forward=True)
    key_before, dist_before = _nearest(is_key, sep, forward=False)
    ka = np.where(key_after >= 0, codes[np.maximum(key_after, 0)], 0)
    kb = np.where(key_before >= 0, codes[np.maximum(key_before, 0)], 0)
    dist_after, dist_before = np.minimum(dist_after, 8), np.minimum(dist_before, 8)
    templates = [
        c[0], c[-1], c[1], c[-2], c[2], c[-3], c[3],
        c[-1] * _P1 + c[0], c[0] * _P1 + c[1], c[-2] * _P1 + c[-1], c[1] * _P1 + c[2],
        (c[-1] * _P1 + c[0]) * _P1 + c[1],
        cls_m1 * 7 + cls * 49 + cls_p1,
        after * 11 + ordinal, before * 11 + ordinal, after * _P1 + after2, ordinal * 13 + run_len,
        after * _P1 + before,
        c[-3] * _P1 + c[-2], c[2] * _P1 + c[3],
        (c[0] * _P1 + c[1]) * _P1 + c[2], (c[-2] * _P1 + c[-1]) * _P1 + c[0],
        ka * 17 + dist_after, kb * 17 + dist_before, ka * _P1 + c[0], (ka * 17 + dist_after) * _P1 + kb,
    ]
    assert len(templates) == N_TEMPLATES
    out = np.empty((len(templates), n), dtype=np.int64)
    tmp = np.empty(n, dtype=np.int64)
    for j, t in enumerate(templates):
        np.multiply(t, _P3, out=out[j])
        out[j] += j * _P2
        np.right_shift(t, 17, out=tmp)
        out[j] ^= tmp
        out[j] &= mask
    return out


class Tagger:
    """Averaged-perceptron character tagger. ``weights``: (2**HASH_BITS, len(LABELS)) float32."""

    def __init__(self, weights: np.ndarray, transitions: np.ndarray | None = None, *,
                 accelerate: bool | None = None) -> None:
        if weights.shape != (1 << HASH_BITS, len(LABELS)):
            raise InputError(f"tagger weights must have shape {(1 << HASH_BITS, len(LABELS))}, got {weights.shape}")
        self.weights = weights
        self.transitions = np.zeros((len(LABELS), len(LABELS)), np.float32) if transitions is None else transitions
        # prediction tables: the hashed feature space is sparse (the shipped model keeps ~23k of 1M
        # rows, see :meth:`pruned`), so scores are gathered from a compact table (2 MB instead of
        # 92 MB: the gathers stay in cache) through the row of each hash: 1 + the number of used
        # hashes below it, 0 (all zeros) if unused; the compiled kernel reads it from a bitmap with
        # ranks (:func:`_rank_tables`, 0.2 MB), the numpy path from a dense map (:attr:`_row`, 2 MB)
        self._used = np.flatnonzero(np.abs(weights).sum(axis=1) > 0)
        self._bits, self._base = _rank_tables(self._used)
        used = self._used
        # row 0: all zeros; the columns are padded with zeros to a multiple of 8 (24 for 22 labels): the
        # compiled emission sums then run over whole SIMD-sized blocks (~4 % faster parse()); the
        # padding never reaches a decision (the decoders read the first len(LABELS) columns only)
        width = -(-len(LABELS) // 8) * 8
        self._compact = np.zeros((len(used) + 1, width), dtype=np.float32)
        self._compact[1:, :len(LABELS)] = weights[used]
        self._trans32 = np.ascontiguousarray(self.transitions, dtype=np.float32)  # [from, to]
        self._skip: np.ndarray | None = None  # the compiled decoder's pruning bounds (see below)
        #: the compiled tagger (hangzhou_address._accel: features, decoding and runs in one call) when
        #: numba is available; same answers as the numpy code of :meth:`predict` and :func:`_runs_many`
        self._kernel = self._kernel_one = None
        if accelerate is not False and self.transitions.any():
            from ._accel import skip_thresholds, tag_kernel, tag_one_kernel

            self._kernel = tag_kernel()
            self._kernel_one = tag_one_kernel()
            if accelerate and self._kernel is None:
                raise InputError("accelerate=True needs numba: pip install 'hangzhou_address[fast]'")
            if self._kernel is not None:
                self._skip = skip_thresholds(self._trans32)

    @functools.cached_property
    def _row(self) -> np.ndarray:
        """Dense row map: ``_row[hash]`` is the compact-table row of the hash (numpy path)."""
        row = np.zeros(1 << HASH_BITS, dtype=np.uint16 if len(self._used) < (1 << 16) - 1 else np.int32)
        row[self._used] = np.arange(1, len(self._used) + 1)
        return row

    @functools.cached_property
    def _compact_labels(self) -> np.ndarray:
        """The compact table without its padding columns, contiguous (numpy path: ``take`` from a
        strided view is ~20x slower)."""
        return np.ascontiguousarray(self._compact[:, :len(LABELS)])

    @property
    def accelerated(self) -> bool:
        """Whether tagging runs in the compiled (numba) kernel."""
        return self._kernel is not None

    # ------------------------------------------------------------------ prediction
    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Label ids of every character of ``texts`` (prepared with :func:`_prep`) in the joined
        batch, with each text's start and length (numpy; the reference for the compiled kernel)."""
        codes, starts, lengths = _char_codes(texts)
        rows = self._row[_features(codes)]
        return _viterbi(_emissions(rows, self._compact_labels), starts, lengths, self.transitions), starts, lengths

    def tag_many(self, texts: list[str]) -> list[tuple[Span, ...]]:
        """Tag many texts at once (vectorized over the whole batch)."""
        for t in texts:
            if not isinstance(t, str):
                raise InputError(f"texts must be strings, got {type(t).__name__}")
        return [tuple(Span(label, text[a:b], a, b) for label, a, b in runs)
                for text, runs in zip(texts, self.runs_many(texts))]

    def runs_many(self, texts: list[str]) -> list[list[tuple[str, int, int]]]:
        """Like :meth:`tag_many` but ``(label, start, end)`` tuples (the matcher's fast path)."""
        out: list[list[tuple[str, int, int]]] = []
        for i in range(0, len(texts), _BATCH):  # batches keep the feature arrays in cache
            batch = [_prep(t) for t in texts[i:i + _BATCH]]
            if self._kernel is None:
                out.extend(_runs_many(*self.predict(batch)))
                continue
            runs: list[list[tuple[str, int, int]]] = [[] for _ in batch]
            labels = LABELS
            raw, starts, lengths = _joined(batch)
            found = np.empty((len(raw) // 4, 4), dtype=np.int64)  # at most one run per character
            n = self._kernel(raw, starts, lengths, *self._tables(), found)
            for k, lb, a, b in found[:n].tolist():
                runs[k].append((labels[lb], a, b))
            out.extend(runs)
        return out

    def runs(self, text: str) -> list[tuple[str, int, int]]:
        """:meth:`runs_many` for one text (what a single ``parse`` call needs: no batch bookkeeping)."""
        if self._kernel is None:
            return self.runs_many([text])[0]
        text = _prep(text)
        found = np.empty((len(text), 4), dtype=np.int64)  # at most one run per character
        n = self._kernel_one((_PAD + text + _PAD).encode("utf-32-le"), len(text), *self._tables(), found)
        labels = LABELS
        return [(labels[lb], a, b) for _k, lb, a, b in found[:n].tolist()]

    def _tables(self) -> tuple[np.ndarray, ...]:
        """The compiled kernels' model arguments (``is_key, bits, base, compact, trans, skip``)."""
        return _is_key_table(), self._bits, self._base, self._compact, self._trans32, self._skip

    def tag(self, text: str) -> tuple[Span, ...]:
        return self.tag_many([text])[0]

    # ------------------------------------------------------------------ training
    @classmethod
    def train(cls, records: list[tuple[str, list[tuple[str, int, int]]]], *, epochs: int = 8,
              seed: int = 0) -> Tagger:
        """Train on ``(text, [(label, start, end), ...])`` records (averaged perceptron)."""
        rng = np.random.default_rng(seed)
        w = np.zeros((1 << HASH_BITS, len(LABELS)), dtype=np.float64)
        u = np.zeros_like(w)
        step = 1.0
        data = []
        for text, spans in records:
            text = _prep(text)
            y = np.zeros(len(text), dtype=np.int64)
            for lb, a, b in spans:
                y[a:b] = _LABEL_ID.get(lb, 0)
            codes, starts, lengths = _char_codes([text])
            data.append((_features(codes)[:, starts[0]:starts[0] + lengths[0]].T.copy(), y))
        n_lab = len(LABELS)
        tr = np.zeros((n_lab, n_lab))
        tu = np.zeros_like(tr)
        one = np.zeros(1, dtype=np.int64)
        for _ in range(epochs):
            for k in rng.permutation(len(data)):
                f, y = data[k]
                scores = w[f].sum(axis=1)
                pred = _viterbi(scores, one, np.array([len(y)]), tr) if tr.any() else scores.argmax(axis=1)
                bad = np.flatnonzero(pred != y)
                if len(bad):
                    fb = f[bad]
                    for j in range(fb.shape[1]):
                        np.add.at(w, (fb[:, j], y[bad]), 1.0)
                        np.add.at(w, (fb[:, j], pred[bad]), -1.0)
                        np.add.at(u, (fb[:, j], y[bad]), step)
                        np.add.at(u, (fb[:, j], pred[bad]), -step)
                    diff = np.flatnonzero((y[1:] != pred[1:]) | (y[:-1] != pred[:-1]))
                    np.add.at(tr, (y[diff], y[diff + 1]), 1.0)
                    np.add.at(tr, (pred[diff], pred[diff + 1]), -1.0)
                    np.add.at(tu, (y[diff], y[diff + 1]), step)
                    np.add.at(tu, (pred[diff], pred[diff + 1]), -step)
                step += 1
        return cls((w - u / step).astype(np.float32), (tr - tu / step).astype(np.float32))

    def pruned(self, keep: float = PRUNE_KEEP) -> Tagger:
        """A copy that keeps only the ``keep`` fraction of feature rows with the largest weights
        (by each row's largest absolute weight); the others become zero (unseen features).

        Most hashed features are rare n-grams whose weights barely move a decision: validated on a
        held-out fifth of the **train** split (trained on the other four fifths), keeping 10 % of the
        rows scores F1 0.852 against 0.851 for the full model (5 %: 0.849), with a ten times smaller
        table that stays in cache.
        """
        if not 0 < keep <= 1:
            raise InputError(f"keep must be in (0, 1], got {keep!r}")
        strength = np.abs(self.weights).max(axis=1)
        used = strength > 0
        w = self.weights.copy()
        if keep < 1 and used.any():
            w[strength <= np.quantile(strength[used], 1 - keep)] = 0
        return Tagger(w, self.transitions.copy(), accelerate=self._kernel is not None)

    def save(self, path: str | Path) -> None:
        rows = self._used
        np.savez_compressed(path, rows=rows.astype(np.int32), values=self.weights[rows].astype(np.float16),
                            labels=np.array(LABELS), hash_bits=np.array(HASH_BITS),
                            n_templates=np.array(N_TEMPLATES),
                            transitions=self.transitions.astype(np.float32))

    @classmethod
    def load(cls, path: str | Path = _RESOURCE, *, accelerate: bool | None = None) -> Tagger:
        with np.load(path) as z:
            n_templates = int(z["n_templates"]) if "n_templates" in z else 18
            if tuple(z["labels"]) != LABELS or int(z["hash_bits"]) != HASH_BITS or n_templates != N_TEMPLATES:
                raise InputError(f"{path}: tagger model does not match this version")
            w = np.zeros((1 << HASH_BITS, len(LABELS)), dtype=np.float32)
            w[z["rows"]] = z["values"].astype(np.float32)
            trans = z["transitions"].astype(np.float32) if "transitions" in z else None
        return cls(w, trans, accelerate=accelerate)


def _emissions(rows: np.ndarray, compact: np.ndarray) -> np.ndarray:
    """Sum of the template rows' weights per character, in template order (float32)."""
    scores = compact[rows[0]]
    buf = np.empty_like(scores)
    for j in range(1, rows.shape[0]):
        np.take(compact, rows[j], axis=0, out=buf)
        scores += buf
    return scores


_GROUP = 2048  # addresses decoded together (similar lengths: the batch is sorted by length)


def _viterbi(scores: np.ndarray, starts: np.ndarray, lengths: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Best label sequence per address under emission ``scores`` plus label ``trans``itions (exact).

    Vectorized over groups of addresses sorted by length, longest first, so that the addresses
    still running at step ``t`` are a prefix of the group: one numpy step per character position,
    reductions along the contiguous last axis.
    """
    pred = scores.argmax(axis=1)
    if not trans.any() or len(lengths) == 0:
        return pred
    trans_t = np.ascontiguousarray(trans.T, dtype=scores.dtype)  # [to, from]
    order = np.argsort(-lengths, kind="stable")
    for g in range(0, len(order), _GROUP):
        grp = order[g:g + _GROUP]
        lens = lengths[grp]
        t_max = int(lens[0])
        if t_max == 0:
            continue
        st = starts[grp]
        active = np.searchsorted(-lens, -np.arange(t_max), side="left")  # rows with length > t
        delta = scores[st]
        back = np.empty((t_max, len(grp), scores.shape[1]), dtype=np.int8)
        for t in range(1, t_max):
            m = int(active[t])
            cand = delta[:m, None, :] + trans_t[None, :, :]  # (m, to, from)
            back[t, :m] = cand.argmax(axis=2)
            delta[:m] = cand.max(axis=2) + scores[st[:m] + t]
        cur = delta.argmax(axis=1)
        for t in range(t_max - 1, 0, -1):
            m = int(active[t])
            pred[st[:m] + t] = cur[:m]
            cur[:m] = back[t, np.arange(m), cur[:m]]
        m = int(active[0])
        pred[st[:m]] = cur[:m]
    return pred


_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_RE = re.compile("[\uff01-\uff5e]")  # most texts have none: searching is cheaper than translating


def _prep(text: str) -> str:
    """Same length as the input (so offsets map 1:1): full-width → half-width per character,
    control characters → space; truncated to MAX_CHARS."""
    text = text[:MAX_CHARS]
    if text.isascii():
        return text
    half = text.translate(_HALF_WIDTH) if _FULL_WIDTH_RE.search(text) else text
    if half.isprintable():  # no control / format / separator characters: nothing else to map
        return half
    out = []
    for ch in text:
        if "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        elif ch == "\u3000" or unicodedata.category(ch)[0] == "C":
            ch = " "
        out.append(ch)
    return "".join(out)


def _runs_many(pred: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list[list[tuple[str, int, int]]]:
    """Maximal runs of one label (other than ``O``) per text as ``(label, start, end)``, from the
    joined prediction array."""
    n_texts = len(lengths)
    total = int(lengths.sum())
    out: list[list[tuple[str, int, int]]] = [[] for _ in range(n_texts)]
    if total == 0:
        return out
    if n_texts == 1:  # one address: a plain loop beats the vectorized bookkeeping
        labels_ = pred[int(starts[0]):int(starts[0]) + total].tolist()
        runs = out[0]
        a = 0
        for i in range(1, total + 1):
            if i == total or labels_[i] != labels_[a]:
                if labels_[a]:
                    runs.append((LABELS[labels_[a]], a, i))
                a = i
        return out
    owner = np.repeat(np.arange(n_texts), lengths)  # text of each character
    offset = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)  # position in its text
    lab = pred[starts[owner] + offset]
    # a run starts where the label changes or a text starts
    new_run = np.ones(total, dtype=bool)
    new_run[1:] = (lab[1:] != lab[:-1]) | (offset[1:] == 0)
    rs = np.flatnonzero(new_run)
    re_ = np.append(rs[1:], total)
    keep = lab[rs] != 0
    rs, re_ = rs[keep], re_[keep]
    labels = LABELS
    for k, a, b, lb in zip(owner[rs].tolist(), offset[rs].tolist(), (offset[re_ - 1] + 1).tolist(),
                           lab[rs].tolist()):
        out[k].append((labels[lb], a, b))
    return out


@functools.lru_cache(maxsize=1)
def default_tagger() -> Tagger:
    """The shipped model (trained on the corpus train split), loaded once."""
    return Tagger.load()


def tag(text: str) -> tuple[Span, ...]:
    """Tag one address; every span's ``text`` is ``text[start:end]`` of the input.

    Examples
    --------
    >>> [(s.label, s.text) for s in tag("杭州市西湖区文三路90号3幢2单元501室")][2:]
    [('road', '文三路'), ('roadno', '90号'), ('houseno', '3幢'), ('cellno', '2单元'), ('roomno', '501室')]
    """
    return default_tagger().tag(text)


def tag_many(texts: list[str]) -> list[tuple[Span, ...]]:
    """Tag many addresses at once (fast path for batches)."""
    return default_tagger().tag_many(list(texts))


def _train_main() -> None:  # pragma: no cover - offline training
    from ._datapath import data_dir

    records = []
    for line in open(data_dir() / "corpus" / "naacl2019_train_dev.jsonl", encoding="utf-8"):
        r = json.loads(line)
        if r["split"] == "train":
            records.append((r["text"], [(s[0], s[2], s[3]) for s in r["spans"]]))
    model = Tagger.train(records).pruned()
    _RESOURCE.parent.mkdir(exist_ok=True)
    model.save(_RESOURCE)
    print(f"trained on {len(records):,} train records -> {_RESOURCE} ({_RESOURCE.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["train"]:
        _train_main()
