"""Name variants of divisions: the official name plus the short and variant forms people write.

Official NBS names are written as published: ``西湖区``, ``西溪街道``, ``学府社区``, ``新祥村委会``
(the village is 新祥村), ``富城村村民委员会``. People write ``西湖``, ``西溪``, ``学府社区居委会``,
``新祥村``, ``新祥``. :func:`name_variants` produces all of them, each tagged with a ``kind``:

* ``official`` — the name as published;
* ``full`` — a suffixed form (``西溪街道``, ``新祥村``, ``学府社区居委会``): as safe as the official name;
* ``short`` — the bare core without any suffix (``西湖``, ``西溪``, ``新祥``): riskier, because bare
  cores also occur inside road and landmark names (天目山路 contains 天目), so matchers must check
  word boundaries and the hierarchy before trusting them.

A short form is never shorter than 2 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError

__all__ = ["NameVariant", "name_variants", "strip_suffix", "LEVEL_SUFFIXES"]

#: Suffixes by level, longest first (a name is stripped of one of them to get its core).
LEVEL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "city": ("市",),
    "district": ("自治县", "区", "县", "市"),
    "town": ("街道办事处", "街道", "镇", "乡"),
    "community": (
        "社区居民委员会",
        "村民委员会",
        "居民委员会",
        "社区居委会",
        "社区",
        "村村委会",
        "村委会",
        "居委会",
        "村",
    ),
}

_COMMUNITY_WRAP = re.compile(r"(村民委员会|居民委员会|村委会|居委会)$")


@dataclass(frozen=True)
class NameVariant:
    """One way of writing a division name."""

    text: str
    kind: str  # 'official' | 'full' | 'short'


def strip_suffix(name: str, level: str) -> str:
    """The bare core of a division name (``西溪街道`` → ``西溪``; ``金中村村委会`` → ``金中``).

    Returns the name unchanged when stripping would leave fewer than 2 characters.

    Examples
    --------
    >>> strip_suffix("新祥村委会", "community")
    '新祥'
    >>> strip_suffix("西湖区", "district")
    '西湖'
    """
    if level not in LEVEL_SUFFIXES:
        raise InputError(f"level must be one of {tuple(LEVEL_SUFFIXES)}, got {level!r}")
    for suffix in LEVEL_SUFFIXES[level]:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _community_base(name: str) -> tuple[str, str | None]:
    """(base name as people write it, kind of unit) for an NBS community name.

    ``新祥村委会`` → (``新祥村``, 'village'); ``学府社区`` → (``学府社区``, 'community');
    ``XX居委会`` → (``XX社区``, 'community'); ``围垦生活区`` → (``围垦生活区``, None).
    """
    m = _COMMUNITY_WRAP.search(name)
    if m:
        stem = name[: m.start()]
        wrap = m.group(1)
        if wrap in ("村委会", "村民委员会"):
            if stem.endswith("村") and len(stem) >= 3:  # 金中村村委会 -> 金中村
                return stem, "village"
            return stem + "村", "village"  # 新祥村委会 -> 新祥村
        if stem.endswith("社区"):
            return stem, "community"
        return stem + "社区", "community"
    if name.endswith("社区"):
        return name, "community"
    if name.endswith("村"):
        return name, "village"
    return name, None


def name_variants(name: str, level: str) -> tuple[NameVariant, ...]:
    """All the ways people write the division ``name`` at ``level``, official first.

    Parameters
    ----------
    name : str
        The official name (e.g. ``'西溪街道'``).
    level : {'city', 'district', 'town', 'community'}

    Examples
    --------
    >>> [v.text for v in name_variants("西湖区", "district")]
    ['西湖区', '西湖']
    >>> [(v.text, v.kind) for v in name_variants("新祥村委会", "community")][:3]
    [('新祥村委会', 'official'), ('新祥村', 'full'), ('新祥村村委会', 'full')]
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"name must be a non-empty string, got {name!r}")
    if level not in LEVEL_SUFFIXES:
        raise InputError(f"level must be one of {tuple(LEVEL_SUFFIXES)}, got {level!r}")
    name = name.strip()
    out: dict[str, str] = {name: "official"}

    def add(text: str, kind: str) -> None:
        if len(text) >= 2 and text not in out:
            out[text] = kind

    if level == "community":
        base, unit = _community_base(name)
        add(base, "full")
        if unit == "village":
            add(base + "村委会", "full")
            add(base + "村民委员会", "full")
            add(base + "委员会", "full")
            core = base[:-1]
        elif unit == "community":
            add(base + "居委会", "full")
            add(base + "居民委员会", "full")
            core = base[:-2]
        else:
            core = strip_suffix(name, level)
        if core != name and len(core) >= 2:
            add(core, "short")
    elif level == "town":
        core = strip_suffix(name, level)
        if name.endswith("街道"):
            add(core + "街道办事处", "full")
            add(core + "街道办", "full")
        if core != name:
            add(core, "short")
    else:
        core = strip_suffix(name, level)
        if core != name:
            add(core, "short")
    return tuple(NameVariant(t, k) for t, k in out.items())
