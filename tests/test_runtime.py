"""Tests for hangzhou_address.runtime."""

from __future__ import annotations

import gc
import pickle

import pytest

from hangzhou_address.errors import InputError
from hangzhou_address.runtime import BoundedMemo, freeze_loaded, gc_paused


def test_freeze_loaded_moves_live_objects_out_of_collections():
    keep = [{"i": i} for i in range(1000)]
    try:
        frozen = freeze_loaded()
        assert frozen >= len(keep) and gc.get_freeze_count() == frozen
        # objects created afterwards are still collected
        cycle = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_gc_paused_restores_the_collector_state():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()  # a caller's own choice is kept
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_bounded_memo_evicts_the_least_recently_used_one_at_a_time():
    memo = BoundedMemo(100, max_cost=50)
    for k in "abcd":
        memo.put(k, k.upper(), 25)
    assert len(memo) == 4 and memo.cost == 100
    assert memo.get("a") == "A"  # now the most recently used
    memo.put("e", "E", 25)  # over budget by one entry: only "b", the least recently used, goes
    assert [memo.get(k) for k in "abcde"] == ["A", None, "C", "D", "E"] and memo.cost == 100
    assert memo.put("c", "C2", 10) == "C"  # a key stored already keeps its value (a memo's values agree)
    assert memo.get("c") == "C" and memo.cost == 100 and len(memo) == 4
    assert memo.put("big", "X", 51) == "X" and memo.get("big") is None  # over max_cost: never stored
    memo.clear()
    assert len(memo) == 0 and memo.cost == 0


def test_bounded_memo_shrinks_incrementally_and_pickles_empty():
    memo = BoundedMemo(1000)
    sizes = []
    for i in range(500):
        memo.put(i, i + 1, 10)
        sizes.append(len(memo))
    assert memo.cost <= 1000 and max(sizes) == 100 and sizes[-1] == 100  # full, never emptied by a clear
    twin = memo.copy()
    twin.put("new", 1, 10)
    assert len(memo) == len(twin) == 100 and memo.get(400) == 401 and memo.get("new") is None
    again = pickle.loads(pickle.dumps(memo))
    assert len(again) == 0 and again.budget == 1000 and again.max_cost == 1000
    with pytest.raises(InputError, match="budget"):
        BoundedMemo(0)
