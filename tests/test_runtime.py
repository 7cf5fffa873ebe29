"""Tests for hangzhou_address.runtime."""

from __future__ import annotations

import gc

import pytest

from hangzhou_address.runtime import freeze_loaded, gc_paused


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
