"""How alike two place names are: a weighted edit distance for Chinese names.

The cost of turning a registry name into what the clerk typed, character by character:

=========================================  ======  ===========================================
edit                                        cost    example
=========================================  ======  ===========================================
same character                              0
same toneless pinyin (pinyin input typo)    0.25    顾家畈路 → 顾佳畈路, 翠苑 → 翠园
shares a secondary reading only             0.35    (heteronyms: 行 xing / hang)
a look-alike character (:data:`LOOKALIKES`)  0.4     浙 → 淅, 己 → 已
a "fuzzy pinyin" pair (z/zh, n/l, an/ang…)  0.5     (southern accents, the pinyin IME's fuzzy mode)
two adjacent characters swapped             0.5     顾家畈路 → 家顾畈路
a character typed twice (not 村)            0.4     联荣路 → 联联荣路 (a key pressed twice)
any other substitution, insertion, deletion 1.0
a generic suffix dropped or added           0.2     顾家畈路 → 顾家畈, 翠苑 → 翠苑小区
a generic suffix written as another one     0.8     翠苑花园 → 翠苑小区
=========================================  ======  ===========================================

The clerk's text may carry leading words the name does not explain (a company, a landmark): the
alignment skips them at no edit cost (:func:`align` reports how many were skipped); the name
itself must be aligned whole and end where the building number starts.

Pinyin comes from pypinyin (all readings of a character); the look-alike pairs are a small
hand-written table of confusions common in place names (knowledge as data: extend the table, not
the code).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LOOKALIKES",
    "GENERIC_SUFFIXES",
    "GENERIC_WORDS",
    "CharCosts",
    "Alignment",
    "align",
    "strip_generic_suffix",
]

#: groups of characters often confused by eye in place names (each group: mutually look-alike)
LOOKALIKES: tuple[str, ...] = (
    "己已巳", "未末", "土士", "日曰", "戊戌戍", "侯候", "浜滨", "浙淅", "杭航", "园圆", "杨扬", "场汤",
    "坊仿防", "墩敦", "埭棣", "畈贩", "湾弯", "塘糖", "桥侨", "溪奚", "村材", "径经泾", "徐涂", "竹竺",
    "晖辉", "凯恺铠", "沿铅", "苑菀", "郎朗", "钱线", "淳谆", "睦陆", "洪鸿", "湖瑚", "渚诸", "埠阜",
    "堰偃", "蒋将", "桐铜", "梧悟", "栖西", "庙苗", "岭领", "峰锋", "秋秩", "良艮", "兔免", "折析",
    "崇祟", "澄橙", "港巷", "荡汤", "汇江", "洲州", "盛晟", "宸辰", "茅矛", "勤芹", "兴舆", "安按",
    "宁苧", "杜社", "汀订", "沙纱", "浦蒲", "清倩", "泽择", "旺汪", "临监", "延廷", "斗头",
    # common 形近字 of everyday writing
    "白自百", "大太犬", "王玉主", "北比", "西酉", "风凤", "官宫", "亭享", "人入八", "日目白", "干千于",
    "天夭", "田由甲申", "刀力", "买卖", "免兔", "贝见", "今令", "历厉", "孑子", "东车", "乌鸟", "壶壸",
    "幸辛", "拔拨", "候侯", "钓钩", "汩汨", "赢嬴羸", "暑署", "蓝篮", "辩辨辫", "峰蜂", "眯咪",
    "杏呆", "材村杖", "沫沬", "崖涯", "粟栗", "冶治", "姆拇", "秧殃", "侍待", "伐代",
    # more 形近字 of place names: the same component, one stroke or one radical apart
    "余佘", "秦泰奏", "木本末", "折拆", "休体", "晴睛", "请情清", "桂挂", "锦绵棉", "绿缘", "祥详样", "瑞端",
    "宁宇", "宇字", "郊效", "闸闹", "场扬", "泽译驿", "赤亦", "吴昊", "间问", "仓仑", "沽沾", "梅海", "新亲",
    "萧箫", "春椿", "荷菏", "坞邬", "洪烘", "拱供", "堡煲", "溇楼", "姚挑桃", "茶荼", "沈沉", "厂广", "坪评萍",
    "垟洋", "坂板", "垄陇", "杭抗坑", "城诚", "苍沧", "苑宛", "纺访", "沙砂", "塘溏", "庭廷", "福幅", "祝视",
    "栋冻", "段锻", "壁璧", "裕浴", "柯坷", "堤提", "埂梗", "峡侠狭", "岗冈", "樟璋彰", "枫讽", "柏伯",
    "杉衫", "柳聊", "棠堂", "榆愉", "梁粱", "浩皓", "润闰", "澜阑", "瀚翰", "瑶摇遥谣", "琪棋祺", "琳淋",
    "璇旋", "珑拢笼", "环坏", "玲铃", "珠株", "瑾谨", "蕙惠", "蓉榕溶", "芦庐炉", "宾槟", "晓烧浇", "雅鸦",
)

#: generic suffixes per name kind ("R" road, "P" compound / village); dropping one costs little
GENERIC_SUFFIXES: dict[str, tuple[str, ...]] = {
    "R": ("大道", "大街", "路", "街", "弄", "巷"),
    "P": ("小区", "花园", "家园", "新村", "公寓", "社区", "村", "苑"),
}
#: every generic suffix word, roads' and compounds' alike (路, 大街, 小区, 家园, 新村, 村…)
GENERIC_WORDS: frozenset[str] = frozenset(w for words in GENERIC_SUFFIXES.values() for w in words)
SUFFIX_COST = 0.2
#: a generic suffix written as another one (翠苑小区 for 翠苑花园)
SUFFIX_CHANGED = 0.8
SAME_PINYIN = 0.25
SECONDARY_PINYIN = 0.35
LOOKALIKE = 0.4
FUZZY_PINYIN = 0.5
TRANSPOSE = 0.5
#: a character of the text that repeats the one next to it (联联荣路 for 联荣路: a key pressed twice)
DOUBLED = 0.4

# "fuzzy pinyin": initials and finals that southern speakers (and the IMEs' fuzzy mode) merge
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("h", "f"), ("r", "l"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def _fuzzy_key(syllable: str) -> str:
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a):]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            return syllable[: -len(a)] + b
    return syllable


def strip_generic_suffix(name: str, kind: str) -> str:
    """``name`` without its generic suffix (``顾家畈路`` → ``顾家畈``); unchanged when nothing of two
    characters or more would remain."""
    for suf in GENERIC_SUFFIXES[kind]:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


class CharCosts:
    """Substitution costs between characters, with their pinyin memoized per instance.

    One instance per name index: no module-level state; the memo holds at most ``max_chars``
    characters (place names use a few thousand).
    """

    def __init__(self, max_chars: int = 50_000) -> None:
        self._readings: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
        groups: dict[str, set[int]] = {}
        for g, group in enumerate(LOOKALIKES):
            for ch in group:
                groups.setdefault(ch, set()).add(g)
        #: the look-alike groups of each character (a character may stand in several: 白 in 白自百 and 日目白)
        self._lookalike: dict[str, frozenset[int]] = {ch: frozenset(gs) for ch, gs in groups.items()}
        self._max = max_chars
        #: memo of :meth:`substitution` per (name character, text character)
        self._pairs: dict[tuple[str, str], float] = {}

    def lookalike_in(self, ch: str, chars: set[str] | str) -> bool:
        """Whether a look-alike of ``ch`` (:data:`LOOKALIKES`) is among ``chars``."""
        return any(o != ch and o in chars for g in self._lookalike.get(ch, ()) for o in LOOKALIKES[g])

    def lookalikes(self, ch: str) -> set[str]:
        """The look-alikes of ``ch`` (:data:`LOOKALIKES`), without ``ch``; empty for most characters."""
        return {o for g in self._lookalike.get(ch, ()) for o in LOOKALIKES[g] if o != ch}

    def readings(self, ch: str) -> tuple[str, ...]:
        """Toneless pinyin readings of ``ch``, the most common first (empty for non-Han characters)."""
        got = self._readings.get(ch)
        if got is None:
            got = self._compute(ch)
        return got[0]

    def syllable(self, ch: str) -> str:
        """The main toneless reading of ``ch`` (the character itself when it has none)."""
        r = self.readings(ch)
        return r[0] if r else ch

    def _compute(self, ch: str) -> tuple[tuple[str, ...], frozenset[str]]:
        if "\u3400" <= ch <= "\u9fff":
            from pypinyin import Style, pinyin

            got_py = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
            readings = tuple(r for r in dict.fromkeys(got_py[0] if got_py else ()) if r.isascii() and r.isalpha())
        else:
            readings = ()
        got = (readings, frozenset(_fuzzy_key(r) for r in readings))
        if len(self._readings) < self._max:
            self._readings[ch] = got
        return got

    def substitution(self, a: str, b: str) -> float:
        """Cost of writing ``b`` where the name has ``a``."""
        got = self._pairs.get((a, b))
        if got is not None:
            return got
        got = self._substitution(a, b)
        if len(self._pairs) < 4 * self._max:
            self._pairs[(a, b)] = got
        return got

    def _substitution(self, a: str, b: str) -> float:
        if a == b:
            return 0.0
        ra = self._readings.get(a) or self._compute(a)
        rb = self._readings.get(b) or self._compute(b)
        if ra[0] and rb[0]:
            if ra[0][0] == rb[0][0]:
                return SAME_PINYIN
            if not set(ra[0]).isdisjoint(rb[0]):
                return SECONDARY_PINYIN
        ga, gb = self._lookalike.get(a), self._lookalike.get(b)
        if ga is not None and gb is not None and not ga.isdisjoint(gb):
            return LOOKALIKE
        if ra[1] and not ra[1].isdisjoint(rb[1]):
            return FUZZY_PINYIN
        return 1.0

    def kind(self, a: str, b: str) -> str:
        """What kind of substitution ``a → b`` is, for the reasons."""
        c = self.substitution(a, b)
        return {SAME_PINYIN: "same pinyin", SECONDARY_PINYIN: "same pinyin", LOOKALIKE: "look-alike",
                FUZZY_PINYIN: "similar pinyin"}.get(c, "other character")


@dataclass(frozen=True, slots=True)
class Alignment:
    """The cheapest way to read a stretch of text as a name."""

    cost: float
    #: characters of the text before the name that the name does not explain
    skipped: int
    #: the edits, e.g. ``("佳→家 same pinyin",)``
    edits: tuple[str, ...]


def align(name: str, text: str, costs: CharCosts, *, max_cost: float = 9.0, edits: bool = True,
          memo: dict | None = None) -> Alignment:
    """Align ``name`` whole against the end of ``text`` (a prefix of ``text`` may stay unexplained).

    Weighted optimal-string-alignment distance (substitutions by :meth:`CharCosts.substitution`,
    insertions and deletions 1 — an inserted character repeating its neighbour :data:`DOUBLED` —, adjacent
    transpositions :data:`TRANSPOSE`, plus the substitution when one of the two is typed as a similar character:
    :func:`_swaps`), computed from the
    end of both strings so that the unexplained part of ``text`` is its beginning. Rows of the
    table whose every cell exceeds ``max_cost`` end the computation (the cost is then ``inf``);
    ``edits=False`` skips the backtrace that lists the edits. ``memo``: a dict the alignments of one
    look-up share, memoizing each name character's substitution costs against the text (the candidate
    names of one text share most of their characters); None computes them each time.

    Examples
    --------
    >>> c = CharCosts()
    >>> align("顾家畈路", "顾佳畈路", c).cost
    0.25
    >>> a = align("顾家畈路", "某公司顾家畈路", c)
    >>> a.cost, a.skipped
    (0.0, 3)
    """
    # reversed strings: the name's last character meets the text's last character; text further
    # back than the name's length + max_cost can only be skipped
    n = len(name)
    m = min(len(text), n + int(max_cost) + 1)
    a, b = name[::-1], text[::-1][:m]
    skipped_before = len(text) - m
    sub = costs.substitution
    inf = float("inf")
    ins = _insertion_costs(b)
    # d[i][j]: cost of aligning a[:i] with b[:j]
    prev2: list[float] = []
    prev = [0.0]  # name empty: every text char inserted
    for c in ins:
        prev.append(prev[-1] + c)
    rows = [prev]
    prev_subs: list[float] = []
    for i in range(1, n + 1):
        ai = a[i - 1]
        subs = memo.get((ai, b)) if memo is not None else None
        if subs is None:
            subs = [sub(ai, bj) for bj in b]
            if memo is not None:
                memo[(ai, b)] = subs
        swaps = _swaps(ai, b, subs, prev_subs, prev2) if i > 1 else None
        cur = [float(i)]
        left = float(i)
        for j in range(1, m + 1):
            best = prev[j - 1] + subs[j - 1]
            x = prev[j] + 1.0
            if x < best:
                best = x
            x = left + ins[j - 1]
            if x < best:
                best = x
            if swaps is not None:
                x = swaps.get(j, inf)
                if x < best:
                    best = x
            cur.append(best)
            left = best
        # every continuation only costs more (a transposition reaches back two rows: both must exceed)
        if min(cur) > max_cost and min(prev) > max_cost - TRANSPOSE:
            return Alignment(inf, 0, ())
        prev2, prev, prev_subs = prev, cur, subs
        rows.append(cur)
    # the rest of the text (its beginning) is skipped for free
    j_best = min(range(m + 1), key=lambda j: (prev[j], -j))
    cost = prev[j_best]
    return Alignment(round(cost, 4), m - j_best + skipped_before,
                     tuple(_edits(a, b, rows, j_best, costs)) if edits else ())


def _swaps(ai: str, b: str, subs: list[float], prev_subs: list[float], prev2: list[float]) -> dict[int, float] | None:
    """The cells of a table row reached by an adjacent transposition: the name's character ``ai`` and the one
    before it (in the reversed strings; ``prev_subs`` are its substitution costs against ``b``) written in the other
    order, at most one of them typed as a similar character (西勇村 for 永西村: 西永 swapped, 永 typed 勇) —
    :data:`TRANSPOSE` plus that substitution. None when there is none (most rows)."""
    out = None
    for k, c in enumerate(subs[:-1]):  # ai written at k, before at k + 1
        if c <= LOOKALIKE:
            d = prev_subs[k + 1]
            if c + d <= LOOKALIKE and b[k + 1] != ai:
                if out is None:
                    out = {}
                out[k + 2] = prev2[k] + TRANSPOSE + c + d
    return out


def _insertion_costs(b: str) -> list[float]:
    """The cost of each character of ``b`` added to the name: :data:`DOUBLED` where it repeats a neighbour, else 1
    (村村 is no slip: 横村村, 姚村村 — villages named after their town — write it)."""
    return [DOUBLED if ch != "村" and ((j and b[j - 1] == ch) or b[j + 1:j + 2] == ch) else 1.0
            for j, ch in enumerate(b)]


def _edits(a: str, b: str, rows: list[list[float]], j: int, costs: CharCosts) -> list[str]:
    """The edits of an alignment (backtrace of :func:`align`'s table), in name order."""
    ins = _insertion_costs(b)
    out: list[str] = []
    i = len(a)
    sub = costs.substitution
    eps = 1e-9
    while i > 0 or j > 0:
        d = rows[i][j]
        if i > 0 and j > 0 and abs(d - (rows[i - 1][j - 1] + sub(a[i - 1], b[j - 1]))) < eps:
            if a[i - 1] != b[j - 1]:
                out.append(f"{a[i - 1]}→{b[j - 1]} {costs.kind(a[i - 1], b[j - 1])}")
            i, j = i - 1, j - 1
        elif (i > 1 and j > 1 and a[i - 1] != b[j - 1]
              and sub(a[i - 1], b[j - 2]) + sub(a[i - 2], b[j - 1]) <= LOOKALIKE
              and abs(d - (rows[i - 2][j - 2] + TRANSPOSE + sub(a[i - 1], b[j - 2]) + sub(a[i - 2], b[j - 1]))) < eps):
            out.append(f"{a[i - 1]}{a[i - 2]} swapped")
            for x, y in ((a[i - 1], b[j - 2]), (a[i - 2], b[j - 1])):
                if x != y:  # (swapped, and one of them typed as a similar character)
                    out.append(f"{x}→{y} {costs.kind(x, y)}")
            i, j = i - 2, j - 2
        elif i > 0 and abs(d - (rows[i - 1][j] + 1.0)) < eps:
            out.append(f"{a[i - 1]} missing")
            i -= 1
        else:
            out.append(f"{b[j - 1]} {'doubled' if ins[j - 1] == DOUBLED else 'added'}")
            j -= 1
    return out
