"""Division resolution: which district, town and community a free-text address names.

The resolver scans a normalized text once with an Aho-Corasick automaton over every way of
writing a Hangzhou division (official names, suffixed and bare forms from
:func:`hangzhou_address.names.name_variants`, pre-2021 names such as 下城区 / 江干区 / 临安市),
the province / city prefixes (浙江省, 杭州市), names of places outside Hangzhou (南昌市, 宁波, ...)
and, when the registry has an ``addresses`` table, the road and compound names of that table.

Hits are accepted left to right, longest first, under word-boundary rules:

* a bare name (``西溪``, ``天目``) counts only where a word starts (text start, after a prefix or
  another division name, after punctuation / digits) and when it is not the head of a longer
  road or landmark name (``天目山路``, ``西溪路``, ``和睦新村``); a known road / compound name of the
  registry always wins over a bare division name inside it;
* a full name (``西溪街道``, ``天目村``) counts anywhere except as the head of a road (``XX村路``).

Accepted hits become hypotheses (community, town or district) scored by their own evidence plus
the support of the other levels along the hierarchy, minus conflicts (a town written under a
district it never belonged to). Pre-2021 membership counts as support, so ``江干区下沙街道``
resolves to 钱塘区 and ``余杭区临平街道`` to 临平区, each with a reason. A level is *determined*
only when every competitive hypothesis agrees on it; otherwise resolution stops one level up and
reports the competing candidates.

Examples
--------
>>> from hangzhou_address.io.embedded import load_official_divisions
>>> from hangzhou_address.registry import Registry
>>> divisions, lineage = load_official_divisions()
>>> reg = Registry(divisions, lineage=lineage)
>>> r = resolve_divisions("浙江杭州江干区下沙街道", registry=reg)
>>> r.district_code, r.level
('330114', 'town')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Registry

__all__ = [
    "Resolution",
    "DivisionResolver",
    "Hit",
    "resolve_divisions",
    "normalize_for_matching",
    "MAX_INPUT_CHARS",
    "InputTypeError",
]

#: Texts longer than this are not addresses; they get no match (bounded time on 1 MB inputs).
MAX_INPUT_CHARS = 1000

_LEVELS = ("district", "town", "community")
_KIND_CODE = {"official": 0, "full": 1, "short": 2, "legacy": 3}

# key flags
_F_PROV = 1
_F_CITY = 2
_F_OUT_FULL = 4
_F_OUT_SHORT = 8
_F_ROAD = 16
_F_POI = 32
_F_DIV = 64

# ----------------------------------------------------------------------------- outside Hangzhou
# Names of China's provinces, prefecture-level cities and Zhejiang's counties outside Hangzhou
# (GB/T 2260 names as redistributed with cpca's adcodes table, MIT licence); used only to say
# "outside Hangzhou".
_OUTSIDE_PROVINCES = (
    "上海市 云南省 内蒙古自治区 北京市 台湾省 吉林省 四川省 天津市 宁夏回族自治区 安徽省 山东省 山西省 广东省 广西壮族自治区 新疆维吾尔自治区 江苏省 江西省 河北省 河南省 海南省 湖北省 "
    "湖南省 澳门特别行政区 甘肃省 福建省 西藏自治区 贵州省 辽宁省 重庆市 陕西省 青海省 香港特别行政区 黑龙江省 "
).split()
_OUTSIDE_CITIES = (
    "七台河市 三亚市 三明市 三沙市 三门峡市 上饶市 东莞市 东营市 中卫市 中山市 临夏回族自治州 临汾市 临沂市 临沧市 丹东市 丽水市 丽江市 乌兰察布市 乌海市 乌鲁木齐市 乐山市 九江市 "
    "云浮市 亳州市 伊春市 伊犁哈萨克自治州 佛山市 佳木斯市 保定市 保山市 信阳市 儋州市 克孜勒苏柯尔克孜自治州 克拉玛依市 六安市 六盘水市 兰州市 兴安盟 内江市 凉山彝族自治州 包头市 北海市 "
    "十堰市 南京市 南充市 南宁市 南平市 南昌市 南通市 南阳市 博尔塔拉蒙古自治州 厦门市 双鸭山市 台州市 合肥市 吉安市 吉林市 吐鲁番市 吕梁市 吴忠市 周口市 呼伦贝尔市 呼和浩特市 和田地区 "
    "咸宁市 咸阳市 哈密市 哈尔滨市 唐山市 商丘市 商洛市 喀什地区 嘉兴市 嘉峪关市 四平市 固原市 塔城地区 大兴安岭地区 大同市 大庆市 大理白族自治州 大连市 天水市 太原市 威海市 娄底市 "
    "孝感市 宁德市 宁波市 安庆市 安康市 安阳市 安顺市 定西市 宜宾市 宜昌市 宜春市 宝鸡市 宣城市 宿州市 宿迁市 山南市 岳阳市 崇左市 巴中市 巴彦淖尔市 巴音郭楞蒙古自治州 常州市 常德市 "
    "平凉市 平顶山市 广元市 广安市 广州市 庆阳市 廊坊市 延安市 延边朝鲜族自治州 开封市 张家口市 张家界市 张掖市 徐州市 德宏傣族景颇族自治州 德州市 德阳市 忻州市 怀化市 怒江傈僳族自治州 "
    "恩施土家族苗族自治州 惠州市 成都市 扬州市 承德市 抚州市 抚顺市 拉萨市 揭阳市 攀枝花市 文山壮族苗族自治州 新乡市 新余市 无锡市 日喀则市 日照市 昆明市 昌吉回族自治州 昌都市 昭通市 "
    "晋中市 晋城市 普洱市 景德镇市 曲靖市 朔州市 朝阳市 本溪市 来宾市 松原市 林芝市 果洛藏族自治州 枣庄市 柳州市 株洲市 桂林市 梅州市 梧州市 楚雄彝族自治州 榆林市 武威市 武汉市 毕节市 "
    "永州市 汉中市 汕头市 汕尾市 江门市 池州市 沈阳市 沧州市 河池市 河源市 泉州市 泰安市 泰州市 泸州市 洛阳市 济南市 济宁市 海东市 海北藏族自治州 海南藏族自治州 海口市 "
    "海西蒙古族藏族自治州 淄博市 淮北市 淮南市 淮安市 深圳市 清远市 温州市 渭南市 湖州市 湘潭市 湘西土家族苗族自治州 湛江市 滁州市 滨州市 漯河市 漳州市 潍坊市 潮州市 濮阳市 烟台市 "
    "焦作市 牡丹江市 玉林市 玉树藏族自治州 玉溪市 珠海市 甘南藏族自治州 甘孜藏族自治州 白城市 白山市 白银市 百色市 益阳市 盐城市 盘锦市 眉山市 石嘴山市 石家庄市 福州市 秦皇岛市 "
    "红河哈尼族彝族自治州 绍兴市 绥化市 绵阳市 聊城市 肇庆市 自贡市 舟山市 芜湖市 苏州市 茂名市 荆州市 荆门市 莆田市 莱芜市 菏泽市 萍乡市 营口市 葫芦岛市 蚌埠市 衡水市 衡阳市 衢州市 "
    "襄阳市 西双版纳傣族自治州 西宁市 西安市 许昌市 贵港市 贵阳市 贺州市 资阳市 赣州市 赤峰市 辽源市 辽阳市 达州市 运城市 连云港市 迪庆藏族自治州 通化市 通辽市 遂宁市 遵义市 邢台市 "
    "那曲地区 邯郸市 邵阳市 郑州市 郴州市 鄂尔多斯市 鄂州市 酒泉市 金华市 金昌市 钦州市 铁岭市 铜仁市 铜川市 铜陵市 银川市 锡林郭勒盟 锦州市 镇江市 长春市 长沙市 长治市 阜新市 阜阳市 "
    "防城港市 阳江市 阳泉市 阿克苏地区 阿勒泰地区 阿坝藏族羌族自治州 阿拉善盟 阿里地区 陇南市 随州市 雅安市 青岛市 鞍山市 韶关市 马鞍山市 驻马店市 鸡西市 鹤壁市 鹤岗市 鹰潭市 黄冈市 "
    "黄南藏族自治州 黄山市 黄石市 黑河市 黔东南苗族侗族自治州 黔南布依族苗族自治州 黔西南布依族苗族自治州 齐齐哈尔市 龙岩市 "
).split()
_OUTSIDE_ZHEJIANG_COUNTIES = (
    "三门县 上虞区 东阳市 临海市 义乌市 乐清市 云和县 仙居县 余姚市 兰溪市 北仑区 南浔区 南湖区 吴兴区 嘉善县 天台县 奉化市 婺城区 宁海县 安吉县 定海区 岱山县 嵊州市 嵊泗县 常山县 "
    "平湖市 平阳县 庆元县 开化县 德清县 慈溪市 文成县 新昌县 普陀区 景宁畲族自治县 松阳县 柯城区 柯桥区 桐乡市 椒江区 武义县 永嘉县 永康市 江东区 江北区 江山市 泰顺县 洞头区 浦江县 "
    "海宁市 海曙区 海盐县 温岭市 玉环县 瑞安市 瓯海区 磐安县 秀洲区 缙云县 苍南县 莲都区 衢江区 诸暨市 象山县 越城区 路桥区 遂昌县 鄞州区 金东区 镇海区 长兴县 青田县 鹿城区 黄岩区 "
    "龙泉市 龙游县 龙湾区 "
).split()

# a bare name followed by one of these is the head of a longer road / landmark name
_NAME_TAIL1 = frozenset("路街巷弄桥港河湖山园苑城府庭居坊里塘湾岭坞浜埠门楼厦庄寺院校场店馆墅阁轩塔洲岛溪江堤坝闸口")
_NAME_TAIL2 = frozenset(
    "大道 大街 新村 小区 花园 广场 大厦 公寓 家园 中心 中学 小学 医院 公园 工业 市场 商场 银行 酒店 宾馆 "
    "大学 学院 公司 集团 科技 电子 大楼 商城 新城 名苑 家苑 雅苑 嘉苑 二村 一村 三村 新苑 佳苑 景苑 "
    "北路 南路 东路 西路 中路 支路 直街 横街 老街 新街".split()
)
_ROAD_TAIL = ("路", "街", "巷", "弄", "大道")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")

# ----------------------------------------------------------------------------- normalization
_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM_RE = re.compile(r"[零〇○一二两三四五六七八九十百千]+(?=[号幢栋组单元室楼层弄座区#-]|$)")


def _cn_to_int(s: str) -> int | None:
    """Chinese numeral → int (``十八`` → 18, ``一零一`` → 101, ``二百零三`` → 203)."""
    if any(ch in _CN_UNITS for ch in s):
        total, cur = 0, 0
        for ch in s:
            if ch in _CN_DIGITS:
                cur = _CN_DIGITS[ch]
            elif ch in _CN_UNITS:
                total += (cur or 1) * _CN_UNITS[ch]
                cur = 0
            else:  # pragma: no cover - regex guarantees
                return None
        return total + cur
    try:
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    except KeyError:  # pragma: no cover
        return None


@functools.lru_cache(maxsize=1)
def _translate_table() -> dict[int, int]:
    """Length-preserving character map: full-width → ASCII, traditional → simplified, junk → space."""
    table: dict[int, int] = {}
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = cp - 0xFEE0
    for cp in list(range(0, 32)) + list(range(127, 160)) + [0x3000, 0x200B, 0x200C, 0x200D, 0xFEFF, 0x00A0]:
        table[cp] = 0x20
    for ch in "－—–―‐‑":
        table[ord(ch)] = ord("-")
    table[ord("〇")] = ord("〇")
    try:
        import os

        import opencc

        path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2 and len(parts[0]) == 1:
                    simp = parts[1].split(" ")[0]
                    if len(simp) == 1 and simp != parts[0]:
                        table[ord(parts[0])] = ord(simp)
    except (ImportError, OSError):  # pragma: no cover - opencc is a dependency
        pass
    return table


def normalize_for_matching(text: str) -> tuple[str, tuple[int, ...] | None]:
    """Normalize ``text`` for matching; return ``(normalized, offsets)``.

    Full-width characters become ASCII, traditional characters simplified, control and
    zero-width characters spaces, dashes ``-``; Chinese numerals before a unit word become
    digits (``十八幢`` → ``18幢``, ``翠苑一区`` → ``翠苑1区``). ``offsets[i]`` is the index in ``text``
    of normalized character ``i`` (None when the two are aligned one to one), with one extra
    entry for the end.

    Examples
    --------
    >>> normalize_for_matching("杭州市西湖區文三路九十號")
    ('杭州市西湖区文三路90号', (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12))
    """
    out = text.translate(_translate_table())
    if not _CN_NUM_RE.search(out):
        return out, None
    pieces: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _CN_NUM_RE.finditer(out):
        s, e = m.span()
        value = _cn_to_int(m.group())
        if value is None:  # pragma: no cover
            continue
        pieces.append(out[pos:s])
        offsets.extend(range(pos, s))
        digits = str(value)
        pieces.append(digits)
        offsets.extend([s] * len(digits))
        pos = e
    pieces.append(out[pos:])
    offsets.extend(range(pos, len(out) + 1))
    return "".join(pieces), tuple(offsets)


def _normalize_key(name: str) -> str:
    return normalize_for_matching(name)[0].replace(" ", "")


class InputTypeError(InputError, TypeError):
    """Placeholder re-exported from :mod:`hangzhou_address.errors` when available."""


try:  # prefer the shared definition
    from .errors import InputTypeError as _SharedInputTypeError  # type: ignore[attr-defined]

    InputTypeError = _SharedInputTypeError  # type: ignore[misc,assignment]  # noqa: F811
except ImportError:  # pragma: no cover
    pass


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Hit:
    """One accepted name occurrence in the normalized text."""

    label: str  # prov / city / district / town / community / road / poi / outside
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Resolution:
    """Result of :func:`resolve_divisions`.

    Codes are **current** (2023) codes; ``level`` is the most specific level determined.
    ``score`` is the evidence score of the winning hypothesis, ``margin`` its lead over the best
    hypothesis that disagrees on the reported level (``inf`` when none competes).
    """

    district_code: str | None
    town_code: str | None
    community_code: str | None
    level: str | None
    score: float
    margin: float
    candidates: tuple[tuple[str, str, str, float], ...]
    reasons: tuple[str, ...]
    hits: tuple[Hit, ...]
    outside: bool = False
    hangzhou_prefix: bool = False
    normalized: str = ""
    offsets: tuple[int, ...] | None = field(default=None, repr=False)
    legacy: bool = False
    conflict: bool = False

    @property
    def code(self) -> str | None:
        return self.community_code or self.town_code or self.district_code
