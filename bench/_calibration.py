"""Shared reliability rule of the benchmarks and the confidence fit: confidence bins, predicted vs
observed share right per bin, the expected calibration error."""

from __future__ import annotations

from collections.abc import Iterable

#: the confidence bins (the last one includes 1.0)
BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.0))


def reliability(pairs: Iterable[tuple[float, bool]]) -> tuple[list[tuple[float, float, int, float, float]], float]:
    """``(rows, ece)`` for ``pairs`` of (confidence, right): one row ``(lo, hi, n, mean predicted,
    observed)`` per bin of :data:`BINS` (n = 0 and NaN means for an empty bin), and the expected
    calibration error (bins weighted by their share of the answers)."""
    pairs = [(float(c), bool(ok)) for c, ok in pairs]
    rows, ece = [], 0.0
    for lo, hi in BINS:
        sel = [(c, ok) for c, ok in pairs if lo <= c < hi or (hi == 1.0 and c == 1.0)]
        if not sel:
            rows.append((lo, hi, 0, float("nan"), float("nan")))
            continue
        mp = sum(c for c, _ in sel) / len(sel)
        ob = sum(ok for _, ok in sel) / len(sel)
        ece += len(sel) / len(pairs) * abs(mp - ob)
        rows.append((lo, hi, len(sel), mp, ob))
    return rows, ece
