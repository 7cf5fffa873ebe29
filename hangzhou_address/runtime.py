"""Process-level tuning for long-running jobs (ledger workers, services, notebooks doing big batches).

A loaded registry with its matcher and tagger is a few hundred thousand long-lived Python objects.
CPython's garbage collector traverses all of them on every full collection, and a batch that
keeps its results (``parse_many`` on 20,000 texts) triggers several: on the full synthetic city
that was ~40% of ``parse_many``'s time. :func:`freeze_loaded` moves everything alive now into the
permanent generation (:func:`gc.freeze`), so later collections only look at new objects. The CLI
and the ledger's worker processes call it once after building their matcher; library code (Dask
tasks included: they may run in your own process) never calls it behind your back, since it is a
process-wide setting.

Within a batch, :class:`gc_paused` suspends the cyclic collector for one chunk of work (128 texts of
``parse_many``): the parser builds only acyclic objects, which reference counting frees as soon as
they are dropped, so the collector's passes over a chunk's young objects find nothing (they were
~10 % of ``parse_many``'s time). ``tests/test_match.py::test_parse_and_match_leave_no_cycles``
guards that premise.

Examples
--------
>>> from hangzhou_address.runtime import freeze_loaded
>>> m = default_matcher()  # doctest: +SKIP
>>> freeze_loaded()  # doctest: +SKIP
"""

from __future__ import annotations

import gc

__all__ = ["freeze_loaded", "gc_paused"]


def freeze_loaded() -> int:
    """Collect garbage, then exempt every object alive now from future collections.

    Call it after loading the registry and building the matcher (and the tagger, if you parse).
    Objects created later are collected as usual; frozen ones that become garbage are kept until
    :func:`gc.unfreeze`. Returns the number of frozen objects.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class gc_paused:  # noqa: N801 - used like a function: ``with gc_paused(): ...``
    """Suspend the cyclic garbage collector inside the block, for code that allocates many
    short-lived, acyclic objects (reference counting still frees them all).

    Keep the block short (one chunk of a batch, tens of milliseconds): the collector is process-wide, so
    other threads' cycles wait for it too. It is re-enabled on exit only if it was enabled on entry
    (a caller's own ``gc.disable()`` is respected). A class rather than a generator-based context
    manager: ``parse()`` enters it once per address.

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was_enabled:
            gc.enable()
