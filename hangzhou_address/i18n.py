"""Chinese labels for what a clerk reads: result column headers, match levels and reasons.

Programs get English (the default everywhere, ``lang="en"``); ``lang="zh"`` (``hzaddr normalize --lang zh``)
gives Chinese headers (:data:`COLUMNS_ZH`), level values (:data:`LEVELS_ZH`) and reasons
(:func:`translate_reason`). Reasons are translated by pattern (:data:`REASON_PATTERNS`): the names, codes and
numbers inside a reason are kept as written; a reason no pattern knows is kept in English, never dropped.
:data:`REPORT_LABELS_ZH` holds the labels of the summary / HTML report for the report's Chinese version.

Examples
--------
>>> translate_reason("legacy name 江干区 (330104) mapped to current 上城区 (330102)")
'旧名 江干区 (330104) 对应现 上城区 (330102)'
>>> translate_reasons("normalized: traditional characters; kept the division")
'已规范化：繁体字；保留行政区划'
>>> LEVELS_ZH["building"], COLUMNS_ZH["confidence"]
('楼栋', '置信度')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import InputError

__all__ = ["LANGS", "COLUMNS_ZH", "LEVELS_ZH", "REPORT_LABELS_ZH", "REASON_PATTERNS", "check_lang",
           "translate_reason", "translate_reasons", "is_translated", "localize_frame"]

#: accepted values of ``lang``
LANGS = ("en", "zh")

#: result columns (normalize, review file) → Chinese headers
COLUMNS_ZH: dict[str, str] = {
    "row": "行号",
    "code": "编码",
    "level": "匹配级别",
    "confidence": "置信度",
    "district_code": "区县编码",
    "district_name": "区县",
    "town_code": "镇街编码",
    "town_name": "镇街",
    "community_code": "村社编码",
    "community_name": "村社",
    "reasons": "原因",
    "point_grid_code": "坐标所在网格编码",
}

#: match levels → Chinese (the level of the code found: a building, or only a grid / community / ...)
LEVELS_ZH: dict[str, str] = {
    "building": "楼栋",
    "grid": "网格",
    "community": "村社",
    "town": "镇街",
    "district": "区县",
    "city": "市",
}

#: labels of the normalize summary and HTML report (for the report's Chinese version)
REPORT_LABELS_ZH: dict[str, str] = {
    "rows": "行数",
    "failed_rows": "无法读取的行",
    "review_rows": "需人工核对的行",
    "conflicts": "文字与坐标不一致",
    "seconds": "用时（秒）",
    "workers": "进程数",
    "levels": "匹配级别",
    "none": "未匹配",
    "confidence_hist": "置信度分布",
    "unmatched_patterns": "未匹配文字的形状（前若干）",
    "shape_legend": "形状：字 汉字，# 数字，a 字母，_ 空格，. 其他符号；连续的合并为一个",
    "title_normalize": "台账标准化",
    "title_reconcile": "台账比对",
    "no_row_content": "本报告只含计数，不含台账内容",
    **{f"level_{k}": v for k, v in LEVELS_ZH.items()},
}

_NORMALIZED = {
    "traditional characters": "繁体字",
    "Chinese numerals": "中文数字",
    "full-width characters": "全角字符",
    "digits split by a space joined": "被空格隔开的数字已连接",
    "control / invisible characters": "控制 / 不可见字符",
}
_EDIT_KINDS = (
    (re.compile(r"(.+)→(.+) same pinyin"), r"\1→\2 同音"),
    (re.compile(r"(.+)→(.+) similar pinyin"), r"\1→\2 近音"),
    (re.compile(r"(.+)→(.+) look-alike"), r"\1→\2 形近"),
    (re.compile(r"(.+)→(.+) other character"), r"\1→\2 别字"),
    (re.compile(r"(.+) dropped"), r"省去\1"),
    (re.compile(r"(.+) missing"), r"缺\1"),
    (re.compile(r"(.+) added"), r"多\1"),
    (re.compile(r"(.+) doubled"), r"重复\1"),
    (re.compile(r"(.+) swapped"), r"\1 颠倒"),
    (re.compile(r"(.+) written (.+)"), r"\1 写作 \2"),
)
_LEVEL_WORDS = {"city": "市", "district": "区县", "town": "镇街", "community": "村社", "grid": "网格",
                "building": "楼栋", "village": "村", "division": "行政区划"}


def _list(text: str, table: dict[str, str]) -> str | None:
    items = [table.get(t) for t in text.split(", ")]
    return None if None in items else "、".join(items)  # type: ignore[arg-type]


def _edit(text: str) -> str | None:
    for pattern, repl in _EDIT_KINDS:
        if pattern.fullmatch(text):
            return pattern.sub(repl, text)
    return None


def _normalized(m: re.Match) -> str | None:
    items = _list(m.group(1), _NORMALIZED)
    return None if items is None else f"已规范化：{items}"


def _fuzzy_read(m: re.Match) -> str | None:
    written, name, what = m.group(1), m.group(2), m.group(3)
    if what == "separators ignored":
        return f"模糊匹配：{written} 读作 {name}（忽略分隔符）"
    doubled = re.fullmatch(r"doubled (.) ignored", what)
    if doubled is not None:
        return f"模糊匹配：{written} 读作 {name}（忽略重复输入的“{doubled.group(1)}”）"
    e = re.fullmatch(r"(\d+) edits?: (.+)", what)
    if e is None:
        return None
    edits = [_edit(t) for t in e.group(2).split(", ")]
    if None in edits:
        return None
    return f"模糊匹配：{written} 读作 {name}（{e.group(1)} 处改动：{'、'.join(edits)}）"  # type: ignore[arg-type]


def _level(word: str) -> str:
    return _LEVEL_WORDS.get(word, word)


_Repl = str | Callable[[re.Match], "str | None"]

#: (pattern, Chinese) pairs tried in order; a pattern must match the whole reason. The replacement is a
#: :meth:`re.Match.expand` template or a function returning None when it cannot translate.
REASON_PATTERNS: tuple[tuple[re.Pattern[str], _Repl], ...] = tuple((re.compile(p), r) for p, r in (
    (r"empty input", "空白"),
    (r"normalized: (.+)", _normalized),
    (r"outside Hangzhou: (.+)", r"不在杭州：\1"),
    (r"mentions a place outside Hangzhou \((.+)\) as well as Hangzhou", r"同时写了杭州以外的地方（\1）"),
    (r"another city's district where a Hangzhou district is expected: (.+)", r"应写杭州区县处写了外市的区县：\1"),
    (r"no Hangzhou division, road or compound name found", "没有找到杭州的行政区划、道路或小区名"),
    (r"no reading deeper than the divisions", "只读到行政区划，读不到更细的地址"),
    (r"not enough to decide", "信息不足，无法确定"),
    (r"kept the division", "保留行政区划"),
    (r"chose the one in the named division", "选了所写行政区划内的那一个"),
    (r"another district; chose the one in the district as written", "另一区县也有；选了所写区县内的那一个"),
    (r"returned their common (\w+)", lambda m: f"返回它们共同的{_level(m.group(1))}"),
    (r"returned the common (\w+)", lambda m: f"返回共同的{_level(m.group(1))}"),
    (r"their common (\w+) is (\S+)", lambda m: f"它们共同的{_level(m.group(1))}是 {m.group(2)}"),
    (r"a separator inside a number: the text does not say which number is meant", "数字中间有分隔符：看不出是哪个号"),
    (r"legacy name (.+) \((\d+)\) mapped to current (.+) \((\d+)\)", r"旧名 \1 (\2) 对应现 \3 (\4)"),
    (r"former name: (.+) is now (.+) \((\d+)\), same code", r"曾用名：\1 现为 \2 (\3)，编码不变"),
    (r"(.+): a functional zone in (.+) \((\d+)\)", r"\1：功能区，位于 \2 (\3)"),
    (r"former town (.+): successor unknown \(not read as a village\)", r"原乡镇 \1：不知并入何处（未读作村）"),
    (r"former (\w+) (.+) \((.+)\): successor unknown", lambda m: f"原{_level(m.group(1))} {m.group(2)}"
     f"（{m.group(3)}）：不知并入何处"),
    (r"(.+) \(before (\d+)\) → (.+) \((\d+)\): renamed \((.+)\)", r"\1（\2 年以前）→ \3 (\4)：更名（\5）"),
    (r"(.+) \(before (\d+)\) → (.+) \((\d+)\): merged \((.+)\)", r"\1（\2 年以前）→ \3 (\4)：合并（\5）"),
    (r"the building is in (.+) \((\d+)\) since the (\d+) reorganization", r"该楼栋自 \3 年区划调整起属 \1 (\2)"),
    (r"the building is in (.+) \((\d+)\), another district the text names", r"该楼栋在文本写的另一个区 \1 (\2)"),
    (r"(.+) \((\d+)\) of 2020 lies now in (.+): the place the text names is not read, and it may be in either",
     r"2020 年的 \1 (\2) 现分属 \3：文本写的地点未能读出，可能在其中任一个"),
    (r"ambiguous (\w+): (.+)", lambda m: f"{_level(m.group(1))}不唯一：{m.group(2)}"),
    (r"conflicting division names ignored: (.+)", r"忽略了相互矛盾的行政区划名：\1"),
    (r"conflicting district names: (.+) / (.+)", r"区县名相互矛盾：\1 / \2"),
    (r"only weak division evidence \((.+)\)", r"行政区划依据不足（\1）"),
    (r"nearest are (\S+) \(common grid (\d+)\)", r"最近的是 \1 号（共同网格 \2）"),
    (r"nearest are (\S+)", r"最近的是 \1 号"),
    (r"(.+): no door number (.+)", r"\1：没有门牌号 \2"),
    (r"(.+): no building number (.+)", r"\1：没有楼号 \2"),
    (r"(.+) exists only outside the resolved division \(in (.+)\)", r"\1 只在所读行政区划以外存在（在 \2）"),
    (r"(.+) also exists elsewhere", r"\1 在别处也有"),
    (r"(.+) is one character from (.+), which has this number too", r"\1 与 \2 只差一个字，后者也有此门牌号"),
    (r"(.+) is only a generic word: the reading rests on the number", r"\1 只是通名：这一读法仅凭门牌号"),
    (r"the text places the address relative to the building read \((.+)\): the building is a locator, not the "
     r"place itself", r"文本以所读楼栋为参照描述地址（\1）：该楼栋只是参照，不是所指地点"),
    (r"(.+) is two edits from (.+), which has this number too", r"\1 与 \2 只差两处，后者也有此门牌号"),
    (r"(.+) is one edit from (.+), which has this number too", r"\1 与 \2 只差一处，后者也有此门牌号"),
    (r"(.+) starts inside (.+), which the answer is not in: the text may mean (.+) and another name",
     r"\1 从 \2 的中间开始，而结果不在 \2 内：文本可能是 \3 加另一个名称"),
    (r"(.+) names (\d+) buildings", r"\1 对应 \2 栋楼"),
    (r"the text names two addresses \((.+), (.+)\)", r"文本写了两个地址（\1、\2）"),
    (r"(.+) is also outside the divisions read", r"\1 在所读行政区划以外也有"),
    (r"(.+) fits as well", r"\1 也符合"),
    (r"fuzzy: the name found starts inside a word", "模糊匹配：找到的名称从一个词的中间开始"),
    (r"fuzzy: (.+) read as (.+) \((.+)\)", _fuzzy_read),
    (r"fuzzy: (.+) could be (.+)", r"模糊匹配：\1 可能是 \2"),
    (r"the registry has no addresses table: no names to search", "登记库没有地址表：无名称可查"),
    # added by normalize (hangzhou_address.ledger)
    (r"cell longer than (\d+) characters: truncated for matching", r"单元格超过 \1 个字：截断后匹配"),
    (r"conflict: text gives (\S+), coordinates give grid (\S+)", r"不一致：文字给出 \1，坐标落在网格 \2"),
    (r"coordinates missing or outside every grid", "坐标缺失或不在任何网格内"),
    (r"row problem: (.+)", lambda m: _row_problem(m.group(1))),
))


def _row_problem(text: str) -> str | None:
    inner = _ROW_PROBLEMS(text)
    return None if inner is None else f"行问题：{inner}"


def _ROW_PROBLEMS(text: str) -> str | None:  # noqa: N802 - reads as a table
    for p, r in ((r"ragged row: (\d+) fields, header has (\d+)", r"字段数不齐：本行 \1 个，表头 \2 个"),
                 (r"merged cell in column (.+): value taken from Excel row (\d+)", r"列 \1 是合并单元格：取 Excel 第 \2 行的值"),
                 (r"formula without a cached value in column (.+?) \((.*)\)", r"列 \1 是没有计算结果的公式（\2）"),
                 (r"characters not valid in (\S+) \(replaced\)", r"有不符合 \1 编码的字符（已替换）"),
                 (r"number of 16 or more digits in column (.+) \(Excel keeps 15\): digits may be lost, store the "
                  r"column as text", r"列 \1 有 16 位以上的数字（Excel 只保留 15 位）：后几位可能已丢失；请把该列设为文本"),
                 (r"unreadable CSV row \((.*)\)", r"无法读取的 CSV 行（\1）"),
                 (r"unbalanced quote: a quoted cell of this row ran on over (\d+)( or more)? following line\(s\) "
                  r"\(would merge them into this row\); the row is read to the end of its own line and the following "
                  r"lines as rows of their own", r"引号不成对：本行一个带引号的单元格延续到后面 \1 行（会把它们并入本行）；"
                  r"本行读到行尾为止，后面的行各自成行"),
                 ):
        m = re.fullmatch(p, text)
        if m:
            return m.expand(r)
    return None


def _translate(reason: str) -> str | None:
    for pattern, repl in REASON_PATTERNS:
        m = pattern.fullmatch(reason)
        if m is None:
            continue
        out = m.expand(repl) if isinstance(repl, str) else repl(m)
        if out is not None:
            return out
    return None


def translate_reason(reason: str) -> str:
    """One reason in Chinese; a reason no pattern knows comes back unchanged (see :func:`is_translated`)."""
    out = _translate(reason)
    return reason if out is None else out


def is_translated(reason: str) -> bool:
    """Whether :func:`translate_reason` knows ``reason`` (the empty reason counts as known)."""
    return not reason or _translate(reason) is not None


def translate_reasons(text: Any) -> Any:
    """A ``"; "``-joined reasons cell in Chinese (joined with ``；``); None / NaN / non-text pass through.

    A reason that itself holds ``"; "`` (a CSV row's unbalanced quote) is found as the shortest run of parts a
    pattern knows.
    """
    if not isinstance(text, str) or not text:
        return text
    parts = text.split("; ")
    out, i = [], 0
    while i < len(parts):
        for j in range(i + 1, len(parts) + 1):
            done = _translate("; ".join(parts[i:j]))
            if done is not None:
                out.append(done)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "；".join(out)


def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an :class:`InputError` naming them."""
    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(map(repr, LANGS))}, got {lang!r}")
    return lang


def localize_frame(df: Any, lang: str, columns: Any = None) -> Any:
    """``df`` with its result columns in ``lang``: Chinese headers, level values and reasons for ``"zh"``.

    Only the result columns (``columns``, default all of :data:`COLUMNS_ZH`) are touched; the ledger's own
    columns keep their names and values. ``"en"`` returns ``df`` itself.
    """
    lang = check_lang(lang)
    if lang == "en":
        return df
    names = set(COLUMNS_ZH if columns is None else columns)
    out = df.copy()
    if "level" in names and "level" in out.columns:
        out["level"] = out["level"].map(lambda v: LEVELS_ZH.get(v, v) if isinstance(v, str) else v)
    if "reasons" in names and "reasons" in out.columns:
        out["reasons"] = out["reasons"].map(translate_reasons)
    return out.rename(columns={c: COLUMNS_ZH[c] for c in out.columns if c in names and c in COLUMNS_ZH})
