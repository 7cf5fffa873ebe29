"""Tests for hangzhou_address.runtime."""

from __future__ import annotations

import gc

from hangzhou_address.runtime import freeze_loaded


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
