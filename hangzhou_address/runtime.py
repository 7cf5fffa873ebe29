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
~10 % of ``parse_many``'s time). ``tests/test_matcher.py::test_parse_and_match_leave_no_cycles``
guards that premise.

:class:`BoundedMemo` is the one memo the matching pipeline uses for results that repeat across texts
(the resolver's decisions, the matcher's confidences): least recently used entries go first, one at a
time, once the entries' estimated sizes exceed a budget, so a long run over distinct texts neither
grows without bound nor stalls on a clear.

Examples
--------
>>> from hangzhou_address.runtime import freeze_loaded
>>> m = default_matcher()  # doctest: +SKIP
>>> freeze_loaded()  # doctest: +SKIP
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from .errors import InputError

__all__ = ["freeze_loaded", "gc_paused", "BoundedMemo"]


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


class BoundedMemo:
    """A least-recently-used memo bounded by the total *cost* of its entries (an estimate of bytes).

    :meth:`put` stores a value with its cost; once the costs sum to more than ``budget``, the least
    recently used entries are evicted one by one (no call pays for a clear of the whole memo). A value
    costing more than ``max_cost`` is not stored. Values must not be None (:meth:`get`'s "missing").

    Safe to share between threads: reads take no lock (the dictionary operations they use are atomic
    in CPython) and writes take one, so the accounting stays exact. Pickling keeps the budget, not the
    entries.

    Examples
    --------
    >>> memo = BoundedMemo(budget=100)
    >>> memo.put("a", 1, cost=60)
    1
    >>> memo.put("b", 2, cost=60)  # over budget: "a", the least recently used, goes
    2
    >>> memo.get("a"), memo.get("b"), len(memo), memo.cost
    (None, 2, 1, 60)
    """

    __slots__ = ("budget", "max_cost", "_data", "_costs", "_cost", "_lock")

    def __init__(self, budget: int, *, max_cost: int | None = None) -> None:
        if not isinstance(budget, int) or budget < 1:
            raise InputError(f"budget must be a positive int, got {budget!r}")
        self.budget = budget
        self.max_cost = budget if max_cost is None else max_cost
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._costs: dict[Hashable, int] = {}
        self._cost = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def __reduce__(self) -> tuple:
        return (BoundedMemo, (self.budget,), {"max_cost": self.max_cost})

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.max_cost = state["max_cost"]

    @property
    def cost(self) -> int:
        """The summed cost of the entries held now (at most ``budget``)."""
        return self._cost

    def get(self, key: Hashable) -> Any:
        """The value stored for ``key`` (now the most recently used), or None."""
        data = self._data
        value = data.get(key)
        if value is not None:
            try:
                data.move_to_end(key)
            except KeyError:  # evicted by another thread meanwhile
                pass
        return value

    def put(self, key: Hashable, value: Any, cost: int) -> Any:
        """Store ``value`` for ``key`` at ``cost`` (not stored above ``max_cost``); return the value stored
        (``value``, or the one stored for ``key`` already: a memo's values for a key agree)."""
        if cost > self.max_cost:
            return value
        data, costs, lock = self._data, self._costs, self._lock
        lock.acquire()  # (not ``with``: a third of a miss's cost in CPython 3.11)
        try:
            n = len(costs)
            costs.setdefault(key, cost)
            if len(costs) == n:  # another thread stored it meanwhile: that value stays
                got = data.get(key)
                return value if got is None else got
            data[key] = value  # a new key goes to the recent end
            self._cost += cost
            while self._cost > self.budget:
                gone, _value = data.popitem(last=False)
                self._cost -= costs.pop(gone)
        finally:
            lock.release()
        return value

    def copy(self) -> BoundedMemo:
        """A new memo with the same budget and entries (in the same order of use)."""
        new = BoundedMemo(self.budget, max_cost=self.max_cost)
        with self._lock:
            new._data = self._data.copy()
            new._costs = dict(self._costs)
            new._cost = self._cost
        return new

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()
            self._costs.clear()
            self._cost = 0
