"""Shared timing rule of the matching / parsing benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_cold_seconds(matcher: Any, fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best of ``repeat`` runs of ``fn`` (timeit's rule: the machine's noise only ever slows a run
    down), each starting from an empty decision memo of ``matcher``, as a fresh process would."""
    return best_seconds_from(matcher, fn, {}, repeat)


def best_seconds_from(matcher: Any, fn: Callable[[], Any], memo: dict, repeat: int = 3) -> float:
    """Like :func:`best_cold_seconds`, each run starting from a copy of ``memo`` (a decision memo
    filled beforehand on *other* texts: the steady state of a long ledger run or service)."""
    best = float("inf")
    for _ in range(repeat):
        matcher.resolver._decisions = dict(memo)
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    matcher.resolver._decisions = {}
    return best
