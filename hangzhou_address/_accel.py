"""Optional compiled kernels (numba), used when numba is installed (``pip install hangzhou_address[fast]``).

The numpy implementations are the reference: each kernel here computes exactly the same thing in
the same floating-point order, and ``tests/test_accel.py`` checks that the answers are identical.
Set the environment variable ``HANGZHOU_ADDRESS_NO_NUMBA=1`` to use numpy only.

The tagger's decoding (emission scores + exact first-order Viterbi) is a tight loop over
characters and label pairs: ~10k multiply-adds per address, which numpy can only vectorize across
a batch (~35 µs per address) while a compiled loop needs ~2 µs, and works as well on one address
as on a million.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["viterbi_kernel", "available"]


def available() -> bool:
    """Whether the compiled kernels can be used (numba importable and not disabled)."""
    return viterbi_kernel() is not None


@functools.lru_cache(maxsize=1)
def viterbi_kernel() -> Callable[..., None] | None:
    """The compiled tagger decoder, or None without numba (or with ``HANGZHOU_ADDRESS_NO_NUMBA=1``).

    ``kernel(rows, compact, trans_t, starts, lengths, out)``: for every address ``b``, the emission
    score of character ``p`` is ``compact[rows[0, p]] + compact[rows[1, p]] + ...`` (float32, in
    that order) and ``out[starts[b]:starts[b] + lengths[b]]`` receives the best label sequence under
    ``trans_t[to, from]`` transitions; ties go to the lowest label, as ``numpy.argmax``.
    """
    if os.environ.get("HANGZHOU_ADDRESS_NO_NUMBA", "") not in ("", "0"):
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba.njit(cache=True, nogil=True)(_viterbi_loops)


def _viterbi_loops(rows: Any, compact: Any, trans_t: Any, starts: Any, lengths: Any, out: Any) -> None:
    n_templates = rows.shape[0]
    n_labels = compact.shape[1]
    max_len = 0
    for b in range(len(lengths)):
        if lengths[b] > max_len:
            max_len = lengths[b]
    emit = np.empty(n_labels, dtype=np.float32)
    delta = np.empty(n_labels, dtype=np.float32)
    nxt = np.empty(n_labels, dtype=np.float32)
    back = np.empty((max(max_len, 1), n_labels), dtype=np.int8)
    for b in range(len(starts)):
        s = starts[b]
        length = lengths[b]
        for t in range(length):
            p = s + t
            r0 = rows[0, p]
            for k in range(n_labels):
                emit[k] = compact[r0, k]
            for j in range(1, n_templates):
                r = rows[j, p]
                for k in range(n_labels):
                    emit[k] = emit[k] + compact[r, k]
            if t == 0:
                for k in range(n_labels):
                    delta[k] = emit[k]
                continue
            for to in range(n_labels):
                best = delta[0] + trans_t[to, 0]
                arg = 0
                for fr in range(1, n_labels):
                    v = delta[fr] + trans_t[to, fr]
                    if v > best:
                        best = v
                        arg = fr
                nxt[to] = best + emit[to]
                back[t, to] = arg
            for k in range(n_labels):
                delta[k] = nxt[k]
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
