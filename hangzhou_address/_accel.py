"""Optional compiled kernels (numba), used when numba is installed (``pip install hangzhou_address[fast]``).

The numpy implementations are the reference: each kernel here computes exactly the same thing in
the same floating-point order, and ``tests/test_accel.py`` checks that the answers are identical.
Set the environment variable ``HANGZHOU_ADDRESS_NO_NUMBA=1`` to use numpy only.

The tagger's decoding (emission scores + exact first-order Viterbi) is a tight loop over
characters and label pairs: ~10k multiply-adds per address, which numpy can only vectorize across
a batch, while a compiled loop works as well on one address as on a million. The tagger calls
:func:`tag_kernel` (features → decoding → runs, one call per batch); the three parts are also
exposed, and tested, separately against their numpy twins.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["tag_kernel", "tag_one_kernel", "viterbi_kernel", "features_kernel", "runs_kernel", "skip_thresholds",
           "available"]


def available() -> bool:
    """Whether the compiled kernels can be used (numba importable and not disabled)."""
    return tag_kernel() is not None


def _numba() -> Any:
    if os.environ.get("HANGZHOU_ADDRESS_NO_NUMBA", "") not in ("", "0"):
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba


def _compile(fn: Callable[..., None]) -> Callable[..., None] | None:
    """``fn`` compiled with numba (machine code cached on disk when the package directory or
    ``NUMBA_CACHE_DIR`` is writable), or None without numba."""
    numba = _numba()
    if numba is None:
        return None
    try:
        return numba.njit(cache=True, nogil=True)(fn)
    except RuntimeError:  # no writable cache location (read-only install): compile in memory each run
        return numba.njit(cache=False, nogil=True)(fn)


@functools.lru_cache(maxsize=1)
def tag_kernel() -> Callable[..., int] | None:
    """:func:`features_kernel`, :func:`viterbi_kernel` and :func:`runs_kernel` in one compiled call.

    ``kernel(raw, starts, lengths, is_key, bits, base, compact, trans, skip, out) -> n``: the runs of
    every address (see :func:`runs_kernel`) straight from ``raw``, the UTF-32-LE bytes of the joined
    texts (the layout of :func:`hangzhou_address.tagger._char_codes`). One call per batch instead of
    three, and no intermediate arrays in Python: what tagging a single address costs is mostly such
    per-call overhead.
    """
    kernels = features_kernel(), viterbi_kernel(), runs_kernel()
    if any(k is None for k in kernels):
        return None
    # _tag_loops calls the three compiled kernels through these module globals, which numba reads
    # when it compiles (or loads from its cache) _tag_loops, i.e. on the first call, just below
    global _features_jit, _viterbi_jit, _runs_jit
    _features_jit, _viterbi_jit, _runs_jit = kernels
    return _compile(_tag_loops)  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def tag_one_kernel() -> Callable[..., int] | None:
    """:func:`tag_kernel` for one address: ``kernel(raw, length, is_key, bits, base, compact, trans,
    skip, out) -> n``, ``raw`` being the UTF-32-LE bytes of the address between 3 zero sentinels on
    each side. Plain bytes and an int cross into the compiled code ~4x faster than numpy arrays."""
    kernel = tag_kernel()
    if kernel is None:
        return None
    global _tag_jit  # read by _tag_one when numba compiles it (or loads it from its cache)
    _tag_jit = kernel
    return _compile(_tag_one)  # type: ignore[return-value]


_features_jit: Any = None
_viterbi_jit: Any = None
_runs_jit: Any = None
_tag_jit: Any = None


def _tag_loops(raw: Any, starts: Any, lengths: Any, is_key: Any, bits: Any, base: Any, compact: Any, trans: Any,
               skip: Any, out: Any) -> int:
    n = len(raw) // 4
    codes = np.empty(n, dtype=np.int64)  # the code points, from the little-endian UTF-32 bytes
    for i in range(n):
        codes[i] = (np.int64(raw[4 * i]) | np.int64(raw[4 * i + 1]) << 8 | np.int64(raw[4 * i + 2]) << 16
                    | np.int64(raw[4 * i + 3]) << 24)
    rows = np.empty((26, n), dtype=np.int32)  # 26 = tagger.N_TEMPLATES (checked by the tests)
    _features_jit(codes, is_key, bits, base, rows)
    pred = np.zeros(n, dtype=np.int64)
    _viterbi_jit(rows, compact, trans, skip, starts, lengths, pred)
    return _runs_jit(pred, starts, lengths, out)


def _tag_one(raw: Any, length: int, is_key: Any, bits: Any, base: Any, compact: Any, trans: Any, skip: Any,
             out: Any) -> int:
    starts = np.full(1, 3, dtype=np.int64)
    lengths = np.full(1, length, dtype=np.int64)
    return _tag_jit(raw, starts, lengths, is_key, bits, base, compact, trans, skip, out)


_popcount: Any = None


def _popcount_intrinsic(numba: Any) -> Any:
    """``popcount(x)``: the number of set bits of an integer, as one machine instruction (LLVM ``ctpop``)."""
    from numba.extending import intrinsic

    @intrinsic
    def popcount(typingctx: Any, x: Any) -> Any:
        if not isinstance(x, numba.types.Integer):
            return None
        return x(x), lambda context, builder, signature, args: builder.ctpop(args[0])

    return popcount


@functools.lru_cache(maxsize=1)
def features_kernel() -> Callable[..., None] | None:
    """The compiled twin of :func:`hangzhou_address.tagger._features` followed by the row map.

    ``kernel(codes, is_key, bits, base, out)``: ``out[j, p]`` = the compact-table row of ``hash_j(p)``
    for the 26 templates, read from the bitmap with ranks of :func:`hangzhou_address.tagger._rank_tables`
    (``is_key``: a boolean table over the Basic Multilingual Plane marking the key characters).
    """
    numba = _numba()
    if numba is None:
        return None
    global _popcount  # read by _feature_loops when numba compiles it (or loads it from its cache)
    _popcount = _popcount_intrinsic(numba)
    return _compile(_feature_loops)


@functools.lru_cache(maxsize=1)
def viterbi_kernel() -> Callable[..., None] | None:
    """The compiled tagger decoder, or None without numba (or with ``HANGZHOU_ADDRESS_NO_NUMBA=1``).

    ``kernel(rows, compact, trans, skip, starts, lengths, out)``: for every address ``b``, the emission
    score of character ``p`` is ``compact[rows[0, p]] + compact[rows[1, p]] + ...`` (float32, in
    that order; rows 0, all zeros, are skipped: the sums compare exactly as numpy's; ``compact`` may
    have more columns than labels, the labels being ``trans.shape[0]``) and
    ``out[starts[b]:starts[b] + lengths[b]]`` receives the best label sequence under ``trans[from, to]``
    transitions (float32, C order); ties go to the lowest label, as ``numpy.argmax``. ``skip`` is
    :func:`skip_thresholds` of ``trans``.
    """
    return _compile(_viterbi_loops)


@functools.lru_cache(maxsize=1)
def runs_kernel() -> Callable[..., int] | None:
    """The compiled twin of :func:`hangzhou_address.tagger._runs_many`'s bookkeeping.

    ``kernel(pred, starts, lengths, out) -> n``: the maximal runs of one label other than 0 in
    every address, in order, as rows ``(address, label, start, end)`` of ``out`` (an
    ``(len(pred), 4)`` int64 array; offsets relative to the address); returns the number of rows.
    """
    return _compile(_runs_loops)  # type: ignore[return-value]


def _runs_loops(pred: Any, starts: Any, lengths: Any, out: Any) -> int:
    n = 0
    for b in range(len(starts)):
        s = starts[b]
        length = lengths[b]
        a = 0
        for i in range(1, length + 1):
            if i == length or pred[s + i] != pred[s + a]:
                if pred[s + a] != 0:
                    out[n, 0] = b
                    out[n, 1] = pred[s + a]
                    out[n, 2] = a
                    out[n, 3] = i
                    n += 1
                a = i
    return n


def skip_thresholds(trans: np.ndarray) -> np.ndarray:
    """``skip[a, b]`` (float64) for the decoder: at a step where label ``a`` has the best score
    ``d_a``, label ``b`` (score ``d_b``) cannot be the best predecessor of any label, and is skipped,
    when ``d_a - d_b > skip[a, b] + 1e-6 (|d_a| + |d_b|)``.

    ``skip[a, b] = max over "to" of (trans[b, to] - trans[a, to]) + 1e-6 * 2 max|trans|``: then
    ``d_b + trans[b, to] < d_a + trans[a, to]`` for every "to" by more than 16 float32 rounding
    errors of either sum, so the float32 comparisons of the full loop would never pick ``b``
    either: the skip changes no decision and no tie.
    """
    t = np.asarray(trans, dtype=np.float64)
    worst = (t[None, :, :] - t[:, None, :]).max(axis=2)  # [a, b]: max_to trans[b, to] - trans[a, to]
    return np.ascontiguousarray(worst + 1e-6 * (2 * np.abs(t).max() + 1))


def _viterbi_loops(rows: Any, compact: Any, trans: Any, skip: Any, starts: Any, lengths: Any, out: Any) -> None:
    n_templates = rows.shape[0]
    n_labels = trans.shape[0]
    width = compact.shape[1]  # >= n_labels: the emission sums run over the padded width (whole SIMD blocks)
    max_len = 0
    for b in range(len(lengths)):
        if lengths[b] > max_len:
            max_len = lengths[b]
    scores = np.empty((3, width), dtype=np.float32)  # one allocation for the three score vectors
    emit, delta, best = scores[0], scores[1], scores[2]
    back = np.empty((max_len + 1, n_labels), dtype=np.int8)  # back-pointers per position, then ``arg``
    arg = back[max_len]
    for b in range(len(starts)):
        s = starts[b]
        length = lengths[b]
        for t in range(length):
            p = s + t
            r0 = rows[0, p]
            for k in range(width):
                emit[k] = compact[r0, k]
            for j in range(1, n_templates):
                r = rows[j, p]
                if r == 0:  # an unused feature: its row is all zeros (adding +0.0 changes no comparison)
                    continue
                for k in range(width):
                    emit[k] = emit[k] + compact[r, k]
            if t == 0:
                for k in range(n_labels):
                    delta[k] = emit[k]
                continue
            # best predecessor of every label: "from" ascends and only a strictly better score
            # replaces the best, so ties keep the lowest label as numpy.argmax does. A "from" label
            # that loses to the best-scoring one (star) for every "to" by more than any rounding
            # error (see skip_thresholds) is skipped: ~2 of 22 remain on the real corpus
            star = 0
            for k in range(1, n_labels):
                if delta[k] > delta[star]:
                    star = k
            dstar = np.float64(delta[star])
            for to in range(n_labels):
                best[to] = -np.inf
                arg[to] = 0
            for fr in range(n_labels):
                d64 = np.float64(delta[fr])
                if dstar - d64 > skip[star, fr] + 1e-6 * (abs(dstar) + abs(d64)):
                    continue
                d = delta[fr]  # (float32: the sums below are numpy's)
                for to in range(n_labels):
                    v = d + trans[fr, to]
                    if v > best[to]:
                        best[to] = v
                        arg[to] = fr
            for to in range(n_labels):
                delta[to] = best[to] + emit[to]
                back[t, to] = arg[to]
        if length == 0:
            continue
        cur = 0
        for k in range(1, n_labels):
            if delta[k] > delta[cur]:
                cur = k
        for t in range(length - 1, 0, -1):
            out[s + t] = cur
            cur = back[t, cur]
        out[s] = cur


_P1, _P2, _P3 = 1_000_003, 998_244_353, 0x9E3779B1


def _feature_loops(raw: Any, is_key: Any, bits: Any, base: Any, out: Any) -> None:  # noqa: C901
    n = len(raw)
    # one scratch block for the per-position arrays (one allocation instead of ten)
    scratch = np.zeros((10, n), dtype=np.int64)
    codes, digit, cls, nxt, prv, ordinal = scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5]
    for i in range(n):
        codes[i] = raw[i]  # the code points (uint32 from the tagger) as int64: the hashes' type
    mask = bits.shape[0] * 32 - 1
    for i in range(n):
        c = codes[i]
        d = 48 <= c <= 57
        digit[i] = d
        if d:
            cls[i] = 1
        elif 0x4E00 <= c <= 0x9FFF:
            cls[i] = 2
        elif 97 <= (c | 32) <= 122:
            cls[i] = 3
        elif c == 0:
            cls[i] = 4
        else:
            cls[i] = 5
    # first non-digit at or after / at or before each position (the ends of its digit run)
    last_nd = n - 1
    first_nd = 0
    for i in range(n - 1, -1, -1):
        if not digit[i]:
            last_nd = i
            break
    for i in range(n):
        if not digit[i]:
            first_nd = i
            break
    cur = last_nd
    for i in range(n - 1, -1, -1):
        if not digit[i]:
            cur = i
        nxt[i] = cur
    cur = first_nd
    for i in range(n):
        if not digit[i]:
            cur = i
        prv[i] = cur
    # ordinal of the digit run in its address
    runs = 0
    for i in range(n):
        if codes[i] == 0:
            runs = 0
        elif digit[i]:
            if i == 0 or not digit[i - 1]:
                runs += 1
            ordinal[i] = min(runs, 5)
    # nearest key character strictly after (side 0: scanned right to left) / before (side 1: left to
    # right) each position, within the address: its code and distance (capped at 8)
    key_code, key_dist = scratch[6:8], scratch[8:10]
    for side in range(2):
        step = -1 if side == 0 else 1
        i = n - 1 if side == 0 else 0
        key = -1
        for _ in range(n):
            if key >= 0:
                key_code[side, i] = codes[key]
                key_dist[side, i] = min(abs(key - i), 8)
            c = codes[i]
            if c == 0:
                key = -1
            elif c < is_key.shape[0] and is_key[c]:
                key = i
            i += step
    ka, da, kb, db = key_code[0], key_dist[0], key_code[1], key_dist[1]
    t = np.empty(26, dtype=np.int64)
    for i in range(n):
        cm3 = codes[i - 3] if i >= 3 else 0
        cm2 = codes[i - 2] if i >= 2 else 0
        cm1 = codes[i - 1] if i >= 1 else 0
        c0 = codes[i]
        cp1 = codes[i + 1] if i + 1 < n else 0
        cp2 = codes[i + 2] if i + 2 < n else 0
        cp3 = codes[i + 3] if i + 3 < n else 0
        d = digit[i]
        after = codes[nxt[i]] if d else 0
        after2 = codes[min(nxt[i] + 1, n - 1)] if d else 0
        before = codes[prv[i]] if d else 0
        run_len = min(nxt[i] - prv[i] - 1, 6) if d else 0
        o = ordinal[i]
        cls_m1 = cls[i - 1] if i >= 1 else 4
        cls_p1 = cls[i + 1] if i + 1 < n else 4
        t[0] = c0
        t[1] = cm1
        t[2] = cp1
        t[3] = cm2
        t[4] = cp2
        t[5] = cm3
        t[6] = cp3
        t[7] = cm1 * _P1 + c0
        t[8] = c0 * _P1 + cp1
        t[9] = cm2 * _P1 + cm1
        t[10] = cp1 * _P1 + cp2
        t[11] = (cm1 * _P1 + c0) * _P1 + cp1
        t[12] = cls_m1 * 7 + cls[i] * 49 + cls_p1
        t[13] = after * 11 + o
        t[14] = before * 11 + o
        t[15] = after * _P1 + after2
        t[16] = o * 13 + run_len
        t[17] = after * _P1 + before
        t[18] = cm3 * _P1 + cm2
        t[19] = cp2 * _P1 + cp3
        t[20] = (c0 * _P1 + cp1) * _P1 + cp2
        t[21] = (cm2 * _P1 + cm1) * _P1 + c0
        t[22] = ka[i] * 17 + da[i]
        t[23] = kb[i] * 17 + db[i]
        t[24] = ka[i] * _P1 + c0
        t[25] = (ka[i] * 17 + da[i]) * _P1 + kb[i]
        for j in range(26):
            h = ((t[j] * _P3 + j * _P2) ^ (t[j] >> 17)) & mask
            word = np.int64(bits[h >> 5])
            b = h & 31
            if (word >> b) & 1 == 0:
                out[j, i] = 0  # an unused hash: the all-zero row
                continue
            out[j, i] = base[h >> 5] + _popcount(word & ((np.int64(1) << b) - 1)) + 1  # its rank
