"""The city through time: new, demolished and re-gridded buildings, versions and lineage.

A change is made in two steps, like a commit: a function here builds a
:class:`~hangzhou_address.lifecycle.changeset.ChangeSet` against one version of a registry (nothing
changes yet), and ``registry.apply(change)`` returns a new, immutable registry version; the old one is
unchanged. Numbers are never reused (:mod:`~hangzhou_address.lifecycle.numbering`), every building keeps a
permanent ``building_id`` besides its hierarchical code, and the lineage links every old code to its
successor(s), so that old codes in ledgers still resolve (:func:`resolve_code`, :func:`upgrade_codes`).

On disk (:mod:`hangzhou_address.io.changes`, :mod:`hangzhou_address.io.versions`; re-exported here): a change
set is a directory (:func:`write_changeset` / :func:`read_changeset`); :func:`apply_to_directory` applies
change sets to a city directory (a new version, in place or into a new directory), :func:`read_change_log`
and :func:`diff_directories` say what changed.

>>> from hangzhou_address import lifecycle as lc
>>> lc.resolve_code("330104", registry=__import__("hangzhou_address").default_registry()).status
'split'
"""

from __future__ import annotations

from .buildings import add_building, retire_building
from .divisions import (add_district, merge_towns, move_community, move_town, rename_compound, rename_road,
                        retire_division, split_town)
from .changeset import ChangeSet, TableChange, apply, change_log, version_of
from .numbering import issued_numbers, next_numbers
from .regrid import HOUSEHOLDS_RULE, TIE_RULE, TILE_TOLERANCE, regrid, subdivide_grids
from .resolution import CodeStatus, LineageStep, resolve_code, upgrade_codes
from ..io.changes import read_change_request, read_changeset, write_changeset  # noqa: E402 - I/O of change sets
from ..io.versions import apply_to_directory, diff_directories, read_change_log  # noqa: E402

__all__ = [
    "ChangeSet",
    "TableChange",
    "CodeStatus",
    "LineageStep",
    "apply",
    "change_log",
    "version_of",
    "add_building",
    "retire_building",
    "resolve_code",
    "upgrade_codes",
    "issued_numbers",
    "next_numbers",
    "regrid",
    "subdivide_grids",
    "TILE_TOLERANCE",
    "TIE_RULE",
    "HOUSEHOLDS_RULE",
    "rename_road",
    "rename_compound",
    "move_community",
    "move_town",
    "merge_towns",
    "split_town",
    "add_district",
    "retire_division",
    "write_changeset",
    "read_changeset",
    "read_change_request",
    "apply_to_directory",
    "diff_directories",
    "read_change_log",
]
