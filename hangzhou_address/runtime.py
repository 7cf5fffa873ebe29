"""Process-level tuning for long-running jobs (ledger workers, services, notebooks doing big batches).

A loaded registry with its matcher and tagger is a few hundred thousand long-lived Python objects.
CPython's garbage collector traverses all of them on every full collection, and a batch that
keeps its results (``parse_many`` on 20,000 texts) triggers several: on the full synthetic city
that was ~40% of ``parse_many``'s time. :func:`freeze_loaded` moves everything alive now into the
permanent generation (:func:`gc.freeze`), so later collections only look at new objects. The CLI
and the ledger's worker processes call it once after building their matcher; library code (Dask
tasks included: they may run in your own process) never calls it behind your back, since it is a
process-wide setting.

Examples
--------
>>> from hangzhou_address.runtime import freeze_loaded
>>> m = default_matcher()  # doctest: +SKIP
>>> freeze_loaded()  # doctest: +SKIP
"""

from __future__ import annotations

import gc

__all__ = ["freeze_loaded"]


def freeze_loaded() -> int:
    """Collect garbage, then exempt every object alive now from future collections.

    Call it after loading the registry and building the matcher (and the tagger, if you parse).
    Objects created later are collected as usual; frozen ones that become garbage are kept until
    :func:`gc.unfreeze`. Returns the number of frozen objects.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
