"""Seeded generator of messy variants of a registry's addresses (SYNTHETIC evaluation / training data).

Every variant starts from a *format* rewrite of one address row — the prefix (浙江省杭州市 / 杭州 / none),
the district (full, short, dropped or its pre-2021 name), the town (full, short or dropped), the building
word (幢 / 栋 / 号楼 / #), unit / floor / room tails, traditional characters, Chinese numerals, full-width
digits — the same mix as ``bench/bench_match_synth.py``. The classes other than ``format`` then apply ONE
corruption, mostly to the road / compound / village *name*:

============================  ===================================================================
``format``                    no corruption
``homophone``                 one character → a common character with the same toneless pinyin
``lookalike``                 one character → a visually similar character (hand-written table)
``drop``                      one non-suffix character deleted (names of ≥ 3 characters)
``swap``                      two adjacent characters swapped
``two_edits``                 two edits (homophone / drop / swap / substitution), names of ≥ 4 chars
``suffix``                    the generic suffix dropped (路, 小区, 村...), or 小区 added to a compound
``financial``                 the number in financial numerals (柒拾陆, 柒陆) or mixed forms (一〇八)
``separator``                 a separator (space, newline, 、, ·...) inside the name
``number_separator``          a separator inside the door / building number (``30 1号``)
``garbage``                   texts that are no address (不详, #REF!, phone numbers, random characters)
``conflicting_districts``     two different wrong district names in front of the address
``division_typo``             one slip in the town name written (the district's when no town is): a
                              homophone, a look-alike or two adjacent characters swapped
============================  ===================================================================

The addresses are the registry's (SYNTHETIC for the embedded city); the generator is deterministic for a
given registry and seed and keeps no state between calls.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["VARIANT_CLASSES", "Variant", "make_variants", "legacy_district_names", "homophones", "lookalikes",
           "division_slip", "chinese_number"]

#: The variant classes, in the order :func:`make_variants` produces them.
VARIANT_CLASSES: tuple[str, ...] = (
    "format", "homophone", "lookalike", "drop", "swap", "insert", "two_edits", "suffix", "financial",
    "separator", "number_separator", "garbage", "conflicting_districts", "division_typo",
)

_EDIT_CLASSES = frozenset({"homophone", "lookalike", "drop", "swap", "insert", "two_edits", "suffix", "separator"})

_CN = "零一二三四五六七八九"
_FIN = "零壹贰叁肆伍陆柒捌玖"

#: Generic suffixes the ``suffix`` class drops, by address form, longest first.
_DROP_SUFFIXES: dict[str, tuple[str, ...]] = {
    "road": ("大道", "路", "街", "弄", "巷"),
    "compound": ("小区", "花园", "家园", "新村", "公寓", "苑"),
    "village": ("村",),
}

#: Suffixes protected from the single-character corruptions (a corruption prefers the core of a name).
_PROTECTED_SUFFIXES: dict[str, tuple[str, ...]] = {
    "road": ("大道", "路", "街", "道", "弄", "巷", "线"),
    "compound": ("小区", "花园", "家园", "新村", "公寓", "华庭", "雅苑", "名苑", "苑", "园", "庭", "城", "区",
                 "院", "里", "湾", "府", "邸", "居", "庄", "寓", "村"),
    "village": ("村",),
}

#: Visually confusable character pairs common in Chinese place names (both directions are used).
_LOOKALIKE_PAIRS: tuple[str, ...] = (
    "己已", "已巳", "未末", "土士", "戊戌", "戌戍", "侯候", "浜滨", "淅浙", "园圆", "杨扬", "墩敦", "埭棣",
    "湾弯", "塘糖", "塘溏", "桥侨", "港巷", "村材", "径经", "径泾", "徐涂", "竹竺", "晖辉", "苑宛", "坊纺",
    "坊访", "堰偃", "沙砂", "浦蒲", "埠阜", "亭享", "岭领", "峰锋", "城诚", "墅野", "苍沧", "苍仓", "洲州",
    "渚诸", "畈贩", "坂板", "垄陇", "杭抗", "杭航", "余佘", "萧箫", "春椿", "秦泰", "西酉", "大太", "天夭",
    "王玉", "白自", "日曰", "田由", "由甲", "甲申", "人入", "八入", "千干", "干于", "贝见", "木本", "本末",
    "北比", "今令", "鸟乌", "免兔", "折拆", "析折", "休体", "延廷", "庭廷", "梅海", "清请", "晴睛", "苗笛",
    "荷菏", "莲连", "桂挂", "锦绵", "绿缘", "祥详", "祥样", "瑞端", "宁宇", "宇字", "郊效", "坞邬", "洪烘",
    "拱供", "闸闹", "堡煲", "溇楼", "漾样", "场扬", "场汤", "泽译", "崇祟", "姚挑", "茶荼", "赤亦", "宫官",
    "吴昊", "沈沉", "间问", "仓仑", "冶治", "沽沾", "拔拨", "厂广", "坪评", "垟洋", "凤风", "新亲",
)

_SEPARATORS: tuple[str, ...] = (" ", "\n", "\r\n", "、", "，", ",", "  ", "\t", "·", "-")
_NUMBER_SEPARATORS: tuple[str, ...] = (" ", ",", "、", "，", "  ")
_GARBAGE_FIXED: tuple[str, ...] = ("不详", "同上", "#REF!", "N/A", "无", "见附件", "－", "杭州市", "暂无", "/",
                                   "#N/A", "待补充", "null", "?")


@dataclass(frozen=True, slots=True)
class Variant:
    """One messy address text and what it was made from.

    Attributes
    ----------
    text : str
        The messy text.
    building_code : str or None
        The building the text was made from (None for ``garbage``).
    cls : str
        The variant class, one of :data:`VARIANT_CLASSES`.
    determined : bool
        Whether the *corrected* name + number names exactly one building among the address rows consistent
        with the divisions the text still names (False for ``garbage``, ``number_separator`` and
        ``conflicting_districts``).
    name : str or None
        The registry name (road / compound / village) the text was made from.
    written_name : str or None
        The name as written in the text, after the corruption (before the format's traditional characters).
    collides : bool
        Whether the written name is itself another road / compound / village name of the registry.
    """

    text: str
    building_code: str | None
    cls: str
    determined: bool
    name: str | None
    written_name: str | None
    collides: bool


# ---------------------------------------------------------------------------------------------- tables
@lru_cache(maxsize=1)
def _level1_chars() -> tuple[str, ...]:
    """The GB2312 level-1 (common) characters: first byte 0xB0–0xD7."""
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.append(ch)
    return tuple(out)


@lru_cache(maxsize=8192)
def _pinyin(ch: str) -> str:
    import pypinyin

    p = pypinyin.lazy_pinyin(ch, style=pypinyin.Style.NORMAL)
    return p[0] if p else ch


@lru_cache(maxsize=1)
def _pinyin_index() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for c in _level1_chars():  # one character at a time: the reading :func:`_pinyin` gives it alone
        out.setdefault(_pinyin(c), []).append(c)
    return {p: tuple(cs) for p, cs in out.items()}


def homophones(ch: str) -> tuple[str, ...]:
    """Common (GB2312 level-1) characters with the same toneless pinyin as ``ch``, ``ch`` excluded.

    Examples
    --------
    >>> "溪" in homophones("西")
    True
    """
    return tuple(c for c in _pinyin_index().get(_pinyin(ch), ()) if c != ch)


@lru_cache(maxsize=1)
def _lookalike_index() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for a, b in _LOOKALIKE_PAIRS:
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def lookalikes(ch: str) -> tuple[str, ...]:
    """Characters in the hand-written confusable table that look like ``ch``.

    Examples
    --------
    >>> lookalikes("浙")
    ('淅',)
    """
    return _lookalike_index().get(ch, ())


def legacy_district_names(registry: Any) -> dict[str, list[str]]:
    """Current town code → names of the pre-2021 districts it belonged to (when different).

    Parameters
    ----------
    registry : Registry
        A registry with retired divisions and lineage (towns of 江干区 → 上城区 / 钱塘区...).

    Returns
    -------
    dict of str to list of str
    """
    divs = registry.divisions
    name = dict(zip(divs["code"], divs["name"]))
    out: dict[str, list[str]] = {}
    for code, lv, st in zip(divs["code"], divs["level"], divs["status"]):
        if lv == "town" and st == "retired":
            for cur in registry.current(code):
                if cur[:6] != code[:6] and code[:6] in name:
                    lst = out.setdefault(cur, [])
                    if name[code[:6]] not in lst:
                        lst.append(name[code[:6]])
    return out


# ---------------------------------------------------------------------------------------------- numbers
def chinese_number(n: int, rng: random.Random) -> str:
    """``n`` in Chinese numerals as clerks write them: 九, 十八 / 一八 (positional or digit by digit), 一零一."""
    if n < 10:
        return _CN[n]
    if n < 100 and rng.random() < 0.7:
        t, u = divmod(n, 10)
        return ("" if t == 1 else _CN[t]) + "十" + (_CN[u] if u else "")
    return "".join(_CN[int(d)] for d in str(n))


def _positional(n: int, digits: str, ten: str, hundred: str, zero: str, *, bare_ten: bool) -> str:
    """``n`` (0 ≤ n < 1000) in positional numerals (柒拾陆, 壹佰零捌)."""
    if n == 0:
        return zero
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    s = ""
    if h:
        s += digits[h] + hundred
    if t:
        s += ("" if (t == 1 and not h and bare_ten) else digits[t]) + ten
    elif h and u:
        s += zero
    if u:
        s += digits[u]
    return s


def _financial_number(n: int, rng: random.Random) -> str:
    """``n`` in financial numerals (digit by digit or positional) or a mixed form (一〇八, 一百零八)."""
    r = rng.random()
    if n >= 1000:
        return "".join(_FIN[int(d)] for d in str(n))
    if r < 0.35:
        return "".join(_FIN[int(d)] for d in str(n))
    if r < 0.75:
        return _positional(n, _FIN, "拾", "佰", "零", bare_ten=rng.random() < 0.5)
    if r < 0.85:
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if r < 0.95:
        return _positional(n, _CN, "十", "百", "零", bare_ten=True)
    return _positional(n, _FIN, "十", "百", "零", bare_ten=True)  # 柒十陆: financial digits, plain units


def _split_number(n: int, rng: random.Random) -> str:
    s = str(n)
    k = rng.randrange(1, len(s))
    return s[:k] + rng.choice(_NUMBER_SEPARATORS) + s[k:]


# ---------------------------------------------------------------------------------------------- name edits
def _core_positions(name: str, form: str) -> list[int]:
    """Indices of the characters before the generic suffix (all of them when no suffix applies)."""
    for suf in _PROTECTED_SUFFIXES.get(form, ()):
        if name.endswith(suf) and len(name) - len(suf) >= 1:
            return list(range(len(name) - len(suf)))
    return list(range(len(name)))


def _substitute(name: str, form: str, rng: random.Random, options) -> str | None:
    """Replace one character by one of ``options(ch)``, preferring the core of the name."""
    core = _core_positions(name, form)
    pos = [i for i in core if options(name[i])]
    if not pos:
        pos = [i for i in range(len(name)) if options(name[i])]
    if not pos:
        return None
    i = rng.choice(pos)
    return name[:i] + rng.choice(options(name[i])) + name[i + 1:]


def _homophone(name: str, form: str, rng: random.Random) -> str | None:
    return _substitute(name, form, rng, homophones)


def _lookalike(name: str, form: str, rng: random.Random) -> str | None:
    return _substitute(name, form, rng, lookalikes)


def _random_sub(name: str, form: str, rng: random.Random) -> str | None:
    chars = _level1_chars()
    i = rng.choice(_core_positions(name, form))
    c = rng.choice(chars)
    while c == name[i]:
        c = rng.choice(chars)
    return name[:i] + c + name[i + 1:]


def division_slip(name: str, level: str, rng: random.Random) -> str | None:
    """One slip in a division name as written (its suffix kept): a homophone, a look-alike or a swap."""
    stem = _strip(name, level)
    n = len(stem) if name.startswith(stem) else len(name)
    edits = [(i, c) for i in range(n) for c in (*homophones(name[i]), *lookalikes(name[i]))]
    swaps = [i for i in range(n - 1) if name[i] != name[i + 1]]
    if swaps and (not edits or rng.random() < 0.2):
        i = rng.choice(swaps)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if not edits:
        return None
    i, c = rng.choice(edits)
    return name[:i] + c + name[i + 1:]


def _drop(name: str, form: str, rng: random.Random) -> str | None:
    if len(name) < 3:
        return None
    i = rng.choice(_core_positions(name, form))
    return name[:i] + name[i + 1:]


def _swap(name: str, form: str, rng: random.Random) -> str | None:
    pos = [i for i in range(len(name) - 1) if name[i] != name[i + 1]]
    if not pos:
        return None
    i = rng.choice(pos)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _insert(name: str, form: str, rng: random.Random) -> str | None:
    """One character too many inside the name: a key pressed twice (联荣路 → 联联荣路, 60 %) or another common
    character (联家荣路)."""
    core = _core_positions(name, form)
    if len(core) < 2:
        return None
    i = rng.choice(core)
    c = name[i] if rng.random() < 0.6 else rng.choice(_level1_chars())
    return name[:i + 1] + c + name[i + 1:]


def _two_edits(name: str, form: str, rng: random.Random) -> str | None:
    if len(name) < 4:
        return None
    edits = (_homophone, _drop, _swap, _random_sub)
    for _ in range(8):
        s = name
        for fn in rng.sample(edits, 2) if rng.random() < 0.7 else [rng.choice(edits)] * 2:
            t = fn(s, form, rng)
            if t is None:
                break
            s = t
        else:
            if s != name and len(s) >= 2:
                return s
    return None


def _suffix(name: str, form: str, rng: random.Random) -> str | None:
    dropped = None
    for suf in _DROP_SUFFIXES.get(form, ()):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            dropped = name[: -len(suf)]
            break
    if form == "compound" and not name.endswith("小区") and (dropped is None or rng.random() < 0.4):
        return name + "小区"
    return dropped


def _separator(name: str, form: str, rng: random.Random) -> str | None:
    if len(name) < 2:
        return None
    i = rng.randrange(1, len(name))
    return name[:i] + rng.choice(_SEPARATORS) + name[i:]


_NAME_EDITS = {"homophone": _homophone, "lookalike": _lookalike, "drop": _drop, "swap": _swap, "insert": _insert,
               "two_edits": _two_edits, "suffix": _suffix, "separator": _separator}


# ---------------------------------------------------------------------------------------------- garbage
def _garbage(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(_GARBAGE_FIXED)
    if kind == 1:
        chars = _level1_chars()
        return "".join(rng.choice(chars) for _ in range(rng.randint(3, 15)))
    if kind == 2:
        pool = string.ascii_letters + string.digits + " -_#/."
        return "".join(rng.choice(pool) for _ in range(rng.randint(3, 20))).strip() or "x"
    if kind == 3:
        return "".join(rng.choice(string.digits) for _ in range(rng.randint(1, 12)))
    if kind == 4:
        head = rng.choice(["13", "15", "17", "18", "19"]) + "".join(rng.choice(string.digits) for _ in range(9))
        form = rng.randrange(4)
        if form == 0:
            return head
        if form == 1:
            return f"{head[:3]}-{head[3:7]}-{head[7:]}"
        if form == 2:
            return f"{head[:3]}****{head[7:]}"
        return "0571-" + "".join(rng.choice(string.digits) for _ in range(8))
    return rng.choice(["电话联系", "电联", "放门卫", "快递柜", "详见备注", "同左", "地址不详", "待定", "未知"]) + \
        rng.choice(["", " ", "！", "。"])


# ---------------------------------------------------------------------------------------------- generator
class _Generator:
    """Per-call state of :func:`make_variants` (tables derived from one registry)."""

    def __init__(self, registry: Any) -> None:
        from opencc import OpenCC

        self.s2t = OpenCC("s2t")
        addr = registry.addresses
        self.addr = addr
        divs = registry.divisions
        self.name = dict(zip(divs["code"], divs["name"]))
        self.legacy = legacy_district_names(registry)
        active = divs[(divs["level"] == "district") & (divs["status"] == "active")]
        self.districts = sorted(zip(active["code"], active["name"]))
        self.rows = list(addr.itertuples(index=False))
        forms = addr["form"].tolist()
        roads, pois = addr["road"].tolist(), addr["poi"].tolist()
        roadno, houseno = addr["roadno"].tolist(), addr["houseno"].tolist()
        self.keys = [(f"{r}#{no}" if f == "road" else f"{p}#{h}") for f, r, p, no, h in
                     zip(forms, roads, pois, roadno, houseno)]
        same: dict[str, list[tuple[str, str, str]]] = {}
        for k, d, t, b in zip(self.keys, addr["district_code"].tolist(), addr["town_code"].tolist(),
                              addr["building_code"].tolist()):
            same.setdefault(k, []).append((d, t, b))
        self.same_key = same
        self.names = {x for x in roads if isinstance(x, str) and x} | {x for x in pois if isinstance(x, str) and x}

    # ------------------------------------------------------------------ one variant
    def variant(self, i: int, cls: str, rng: random.Random) -> Variant | None:
        r = self.rows[i]
        form = r.form
        name = r.road if form == "road" else r.poi
        if not isinstance(name, str) or not name:
            return None
        no = int(r.roadno if form == "road" else r.houseno)
        written = name
        if cls in _NAME_EDITS:
            written = _NAME_EDITS[cls](name, form, rng)
            if written is None or written == name:
                return None
        if cls == "number_separator" and no < 10:
            return None
        d, t = r.district_code, r.town_code
        prefix = rng.choice(["", "", "杭州市", "浙江省杭州市", "浙江杭州", "杭州", "浙江省杭州市杭州市"])
        dmode = rng.choice(["full", "full", "short", "drop", "legacy"])
        dname = self.name.get(d, "")
        if dmode == "short":
            dname = _strip(dname, "district")
        elif dmode == "drop":
            dname = ""
        elif dmode == "legacy":
            dname = rng.choice(self.legacy[t]) if t in self.legacy else dname
        if cls == "conflicting_districts":
            wrong = [nm for c, nm in self.districts if c != d and nm not in self.legacy.get(t, ())]
            if len(wrong) < 2:
                return None
            a, b = rng.sample(wrong, 2)
            dname = "".join(_strip(x, "district") if rng.random() < 0.3 else x for x in (a, b))
            dmode = "conflict"
        tmode = rng.choice(["full", "short", "drop", "drop"])
        tfull = self.name.get(t, "")
        tname = {"full": tfull, "short": _strip(tfull, "town") if tfull else "", "drop": ""}[tmode]
        if cls == "division_typo":
            if not tname and not dname:
                tmode, tname = "full", tfull
            slipped = division_slip(tname, "town", rng) if tname else division_slip(dname, "district", rng)
            if slipped is None:
                return None
            if tname:
                tname = slipped
            else:
                dname = slipped
        if cls == "financial":
            num = _financial_number(no, rng)
        elif cls == "number_separator":
            num = _split_number(no, rng)
        else:
            num = chinese_number(no, rng) if rng.random() < 0.15 else str(no)
        if form == "road":
            body = f"{written}{num}{rng.choice(['号', '号', '號', '号'])}"
        elif form == "compound":
            word = rng.choice(["幢", "栋", "号楼", "幢", "#", "号"])
            body = f"{written}{num}{word}"
        else:
            group = r.group
            has_group = group is not None and not _isna(group)
            body = f"{written}{int(group)}组{num}号" if has_group and rng.random() < 0.7 else f"{written}{num}号"
        tail = rng.choice(["", "", "", "3单元502室", "2单元1101", "5楼", "-2-301" if form == "compound" else "",
                           " 501室", "(快递柜)", "  电话联系"])
        if tail == "-2-301":
            body = body.rstrip("幢栋号楼#")
        text = prefix + dname + tname + body + tail
        if rng.random() < 0.1:
            text = self.s2t.convert(text)
        if rng.random() < 0.05:
            text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        if cls not in ("separator", "number_separator") and rng.random() < 0.05:
            text = " ".join(text[k:k + 4] for k in range(0, len(text), 4))
        if cls in ("number_separator", "conflicting_districts"):
            determined = False
        else:
            same = self.same_key.get(self.keys[i]) or [(d, t, r.building_code)]
            if dmode in ("full", "short"):
                same = [x for x in same if x[0] == d]
            if tmode != "drop":
                same = [x for x in same if x[1] == t]
            determined = len({x[2] for x in same}) == 1
        collides = written != name and written in self.names
        return Variant(text, r.building_code, cls, determined, name, written, collides)

    # ------------------------------------------------------------------ one class
    def make_class(self, cls: str, n: int, rng: random.Random) -> list[Variant]:
        if cls == "garbage":
            return [Variant(_garbage(rng), None, cls, False, None, None, False) for _ in range(n)]
        out: list[Variant] = []
        total = len(self.rows)
        if total == 0 or n <= 0:
            return out
        first = rng.sample(range(total), min(total, 4 * n + 16))
        for i in _then_rest(first, total, rng):
            v = self.variant(i, cls, rng)
            if v is not None:
                out.append(v)
                if len(out) >= n:
                    break
        return out


def _then_rest(first: list[int], total: int, rng: random.Random) -> Iterable[int]:
    yield from first
    if len(first) < total:
        seen = set(first)
        rest = [i for i in range(total) if i not in seen]
        rng.shuffle(rest)
        yield from rest


def _strip(name: str, level: str) -> str:
    from hangzhou_address.names import strip_suffix

    return strip_suffix(name, level)


def _isna(x: Any) -> bool:
    try:
        return bool(x != x) or str(x) == "<NA>"
    except TypeError:  # pandas.NA
        return True


def make_variants(registry: Any, n: int, *, seed: int, classes: Sequence[str] = VARIANT_CLASSES) -> list[Variant]:
    """Messy variants of a registry's addresses, ``n`` per class (SYNTHETIC data for models and benchmarks).

    Parameters
    ----------
    registry : Registry
        A registry with an ``addresses`` table (see :mod:`hangzhou_address.synth.addresses`) and divisions.
    n : int
        Variants requested per class. Fewer come back when the registry has fewer eligible rows (e.g.
        ``lookalike`` needs a name with a character of the confusable table).
    seed : int
        Seed. Each class draws from its own ``random.Random`` seeded with ``(seed, class)``, so a class's
        variants do not depend on which other classes are requested.
    classes : sequence of str, optional
        Classes to make, a subset of :data:`VARIANT_CLASSES`.

    Returns
    -------
    list of Variant
        The variants, class by class in the order of ``classes``.

    Raises
    ------
    hangzhou_address.errors.InputError
        For an unknown class or a registry without addresses.

    Examples
    --------
    >>> from hangzhou_address.testing import tiny_registry
    >>> vs = make_variants(tiny_registry(), 2, seed=1, classes=("homophone",))
    >>> [v.cls for v in vs]
    ['homophone', 'homophone']
    """
    from hangzhou_address.errors import InputError

    unknown = [c for c in classes if c not in VARIANT_CLASSES]
    if unknown:
        raise InputError(f"unknown variant classes {unknown}; expected some of {VARIANT_CLASSES}")
    if not registry.has_table("addresses"):
        raise InputError("the registry has no addresses table")
    gen = _Generator(registry)
    out: list[Variant] = []
    for cls in classes:
        out.extend(gen.make_class(cls, int(n), random.Random(f"hangzhou_address.synth.variants/{seed}/{cls}")))
    return out
