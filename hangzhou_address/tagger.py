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


def _char_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate texts with 3 sentinel chars between them; return codes, owner index, position."""
    pad = "\x00\x00\x00"
    joined = pad + pad.join(texts) + pad
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = 3 + np.concatenate([[0], np.cumsum(lengths + 3)[:-1]]) if len(texts) else np.zeros(0, np.int64)
    return codes, starts, lengths


_P1, _P2, _P3 = np.int64(1_000_003), np.int64(998_244_353), np.int64(0x9E3779B1)


def _features(codes: np.ndarray) -> np.ndarray:
    """Hashed feature ids, shape (len(codes), n_templates), for every position of the joined array."""
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
    templates = [
        c[0], c[-1], c[1], c[-2], c[2], c[-3], c[3],
        c[-1] * _P1 + c[0], c[0] * _P1 + c[1], c[-2] * _P1 + c[-1], c[1] * _P1 + c[2],
        (c[-1] * _P1 + c[0]) * _P1 + c[1],
        cls_m1 * 7 + cls * 49 + cls_p1,
        after * 11 + ordinal, before * 11 + ordinal, after * _P1 + after2, ordinal * 13 + run_len,
        after * _P1 + before,
    ]
    out = np.empty((n, len(templates)), dtype=np.int64)
    for j, t in enumerate(templates):
        out[:, j] = ((t * _P3 + j * _P2) ^ (t >> 17)) & mask
    return out


class Tagger:
    """Averaged-perceptron character tagger. ``weights``: (2**HASH_BITS, len(LABELS)) float32."""

    def __init__(self, weights: np.ndarray, transitions: np.ndarray | None = None) -> None:
        if weights.shape != (1 << HASH_BITS, len(LABELS)):
            raise InputError(f"tagger weights must have shape {(1 << HASH_BITS, len(LABELS))}, got {weights.shape}")
        self.weights = weights
        self.transitions = np.zeros((len(LABELS), len(LABELS)), np.float32) if transitions is None else transitions

    # ------------------------------------------------------------------ prediction
    def tag_many(self, texts: list[str]) -> list[tuple[Span, ...]]:
        """Tag many texts at once (vectorized over the whole batch)."""
        clean: list[str] = []
        for t in texts:
            if not isinstance(t, str):
                raise InputError(f"texts must be strings, got {type(t).__name__}")
            clean.append(_prep(t))
        if not clean:
            return []
        codes, starts, lengths = _char_codes(clean)
        feats = _features(codes)
        scores = self.weights[feats[:, 0]].copy()
        for j in range(1, feats.shape[1]):
            scores += self.weights[feats[:, j]]
        pred = _viterbi(scores, starts, lengths, self.transitions)
        out = []
        for text, orig, s, n in zip(clean, texts, starts, lengths):
            out.append(_spans(orig, pred[s:s + n]))
        return out

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
            data.append((_features(codes)[starts[0]:starts[0] + lengths[0]], y))
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

    def save(self, path: str | Path) -> None:
        rows = np.flatnonzero(np.abs(self.weights).sum(axis=1) > 0)
        np.savez_compressed(path, rows=rows.astype(np.int32), values=self.weights[rows].astype(np.float16),
                            labels=np.array(LABELS), hash_bits=np.array(HASH_BITS),
                            transitions=self.transitions.astype(np.float32))

    @classmethod
    def load(cls, path: str | Path = _RESOURCE) -> Tagger:
        with np.load(path) as z:
            if tuple(z["labels"]) != LABELS or int(z["hash_bits"]) != HASH_BITS:
                raise InputError(f"{path}: tagger model does not match this version")
            w = np.zeros((1 << HASH_BITS, len(LABELS)), dtype=np.float32)
            w[z["rows"]] = z["values"].astype(np.float32)
            trans = z["transitions"].astype(np.float32) if "transitions" in z else None
        return cls(w, trans)


#: Viterbi over the K best labels of each character; None = all labels (exact). Pruning to K=8 made
#: tagging ~1.5x faster but cost 0.02 F1 on dev (measured), so the default is exact.
_TOP_K: int | None = None


def _viterbi(scores: np.ndarray, starts: np.ndarray, lengths: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Best label sequence per address under emission ``scores`` plus label ``trans``itions.

    Vectorized over groups of addresses of similar length (one numpy step per character position),
    restricted to each character's ``_TOP_K`` best-scoring labels.
    """
    pred = scores.argmax(axis=1)
    if not trans.any() or len(lengths) == 0:
        return pred
    n_labels = scores.shape[1]
    k = n_labels if _TOP_K is None else min(_TOP_K, n_labels)
    full = k == n_labels
    if full:
        top, top_s = None, scores
    else:
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]  # (N, K) candidate labels per character
        top_s = np.take_along_axis(scores, top, axis=1)
    ident = np.arange(k)
    order = np.argsort(lengths, kind="stable")
    for g in range(0, len(order), 1024):
        grp = order[g:g + 1024]
        lens = lengths[grp]
        t_max = int(lens.max())
        if t_max == 0:
            continue
        steps = np.arange(t_max)
        valid = steps[None, :] < lens[:, None]
        idx = np.where(valid, starts[grp][:, None] + steps[None, :], 0)
        lab = None if full else top[idx]  # (B, T, K)
        emit = top_s[idx]
        delta = emit[:, 0]
        back = np.empty((len(grp), t_max, k), dtype=np.int8)
        back[:, 0] = ident
        for t in range(1, t_max):
            tr = trans[None, :, :] if full else trans[lab[:, t - 1, :, None], lab[:, t, None, :]]
            cand = delta[:, :, None] + tr  # (B, K, K)
            bp = cand.argmax(axis=1)
            best = np.take_along_axis(cand, bp[:, None, :], axis=1)[:, 0]
            v = valid[:, t][:, None]
            delta = np.where(v, best + emit[:, t], delta)
            back[:, t] = np.where(v, bp, ident)
        path = np.empty((len(grp), t_max), dtype=np.int64)
        path[:, -1] = delta.argmax(axis=1)
        rows = np.arange(len(grp))
        for t in range(t_max - 1, 0, -1):
            path[:, t - 1] = back[rows, t, path[:, t]]
        labels = path if full else np.take_along_axis(lab, path[:, :, None], axis=2)[:, :, 0]
        pred[idx[valid]] = labels[valid]
    return pred


def _prep(text: str) -> str:
    """Same length as the input (so offsets map 1:1): full-width → half-width per character,
    control characters → space; truncated to MAX_CHARS."""
    text = text[:MAX_CHARS]
    if text.isascii():
        return text
    out = []
    for ch in text:
        if "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        elif ch == "\u3000" or unicodedata.category(ch)[0] == "C":
            ch = " "
        out.append(ch)
    return "".join(out)


def _spans(text: str, pred: np.ndarray) -> tuple[Span, ...]:
    out = []
    n = len(pred)
    if n == 0:
        return ()
    change = np.flatnonzero(np.diff(pred)) + 1
    bounds = np.concatenate([[0], change, [n]])
    for a, b in zip(bounds[:-1], bounds[1:]):
        lb = LABELS[pred[a]]
        if lb != "O":
            out.append(Span(lb, text[a:b], int(a), int(b)))
    return tuple(out)


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
    model = Tagger.train(records)
    _RESOURCE.parent.mkdir(exist_ok=True)
    model.save(_RESOURCE)
    print(f"trained on {len(records):,} train records -> {_RESOURCE} ({_RESOURCE.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["train"]:
        _train_main()
