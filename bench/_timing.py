"""Shared timing rules of the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_cold_seconds(matcher: Any, fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best of ``repeat`` runs of ``fn`` (timeit's rule: the machine's noise only ever slows a run
    down), each starting from an empty decision memo of ``matcher``, as a fresh process would."""
    return best_seconds_from(matcher, fn, memo_state(None), repeat)


def memo_state(matcher: Any | None) -> tuple[Any, Any] | None:
    """A copy of the resolver's decision memos (None: empty): per evidence and per evidence shape."""
    if matcher is None:
        return None
    return matcher.resolver._decisions.copy(), matcher.resolver._shapes.copy()


def best_seconds_from(matcher: Any, fn: Callable[[], Any], memo: tuple[Any, Any] | None, repeat: int = 3) -> float:
    """Like :func:`best_cold_seconds`, each run starting from a copy of ``memo`` (see :func:`memo_state`;
    filled beforehand on *other* texts: the steady state of a long ledger run or service)."""
    best = float("inf")
    for _ in range(repeat):
        rv = matcher.resolver
        if memo is None:
            rv._decisions.clear()
            rv._shapes.clear()
        else:
            rv._decisions, rv._shapes = memo[0].copy(), memo[1].copy()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    matcher.resolver._decisions.clear()
    matcher.resolver._shapes.clear()
    return best


def peer_rates(texts: list[str]) -> dict[str, float]:
    """Texts per second of the peers (jionlp ``parse_location``, cpca ``transform``) on ``texts``, for
    those installed (the ``[bench]`` extra); a note is printed for a missing one."""
    peers: dict[str, float] = {}
    try:
        import jionlp

        jionlp.parse_location(texts[0])
        t0 = time.perf_counter()
        for t in texts:
            jionlp.parse_location(t)
        peers["jionlp.parse_location"] = len(texts) / (time.perf_counter() - t0)
    except ImportError:
        print("  jionlp not installed (pip install '.[bench]')")
    try:
        import cpca

        cpca.transform(texts[:2])
        t0 = time.perf_counter()
        cpca.transform(texts)
        peers["cpca.transform"] = len(texts) / (time.perf_counter() - t0)
    except ImportError:
        print("  cpca not installed (pip install '.[bench]')")
    return peers


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """(best seconds of ``repeat`` runs of ``fn``, the last run's result): timeit's rule, the machine's noise
    only ever slows a run down."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out
