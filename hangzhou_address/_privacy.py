"""What of a ledger may be shown in summaries, reports and error messages: shapes and counts, no content.

* :func:`text_shape` — the shape of a text made of character classes only (``字`` a CJK character,
  ``#`` a digit, ``a`` another letter, ``_`` white space, ``.`` anything else), runs collapsed;
* :func:`columns_hint` — the column names of a file only when its first row looks like a header
  (every name at most :data:`HEADER_MAX_CHARS` characters and without a digit); otherwise only
  their number, since the first row of a headerless file is a record (name, phone, ID number...);
* :func:`reason_template` — a match reason with what it quotes (names, numbers, codes) masked, so that
  reasons can be grouped and counted in a report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = ["text_shape", "columns_hint", "reason_template", "HEADER_MAX_CHARS", "SHAPE_MAX_CHARS"]

#: a column name longer than this does not look like a header
HEADER_MAX_CHARS = 16
#: shapes are cut to this many symbols (then ``…``)
SHAPE_MAX_CHARS = 12
#: names pandas makes up itself (empty header cells, duplicated names)
_PANDAS_NAME = re.compile(r"Unnamed: \d+(?:_level_\d+)?")
_PANDAS_DUPLICATE = re.compile(r"\.\d+$")


def _char_class(ch: str) -> str:
    if ch.isdigit():
        return "#"
    if unicodedata.name(ch, "").startswith("CJK"):
        return "字"
    if ch.isalpha():
        return "a"
    if ch.isspace():
        return "_"
    return "."


def text_shape(text: Any) -> str:
    """The shape of ``text``: character classes only, runs collapsed, at most 12 symbols.

    Examples
    --------
    >>> text_shape("西湖区文三路 12-3号")
    '字_#.#字'
    >>> text_shape("李华的秘密住址在这里"), text_shape("Room 5"), text_shape("  ")
    ('字', 'a_#', '<empty>')
    """
    if not isinstance(text, str) or not text.strip():
        return "<empty>"
    out: list[str] = []
    for ch in text.strip():
        c = _char_class(ch)
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out) if len(out) <= SHAPE_MAX_CHARS else "".join(out[:SHAPE_MAX_CHARS]) + "…"


#: the last words of Chinese column names (地址, 姓名, 企业名称, 联系电话, 统一社会信用代码 ...): a CJK name that ends
#: otherwise (王小明, 西湖区文三路) may be a record, and is not shown
_HEADER_ENDINGS = ("址", "名", "称", "号", "码", "话", "机", "人", "期", "间", "型", "类", "别", "注", "态", "额", "量",
                   "数", "率", "级", "度", "因", "源", "容", "况", "围", "位", "业", "区县", "镇街", "村社", "编号",
                   "标", "值", "式", "目", "项", "门", "局", "所", "属", "格", "栋", "层", "室", "元", "x", "y", "X", "Y")


def _looks_like_header_name(name: str) -> bool:
    if _PANDAS_NAME.fullmatch(name):
        return True
    name = _PANDAS_DUPLICATE.sub("", name).strip()
    if len(name) > HEADER_MAX_CHARS or any(ch.isdigit() for ch in name):
        return False
    # ASCII names (address, licence_no) are headers; a CJK name must end like a column name
    return name.isascii() or name.endswith(_HEADER_ENDINGS)


def columns_hint(columns: Iterable[Any], *, what: str = "the ledger") -> str:
    """``"the ledger has N columns: [...]"``, the names only when they look like a header.

    Examples
    --------
    >>> columns_hint(["姓名", "地址"])
    "the ledger has 2 columns: ['姓名', '地址']"
    >>> columns_hint(["王小明", "13800001111"])  # doctest: +ELLIPSIS
    'the ledger has 2 columns; their names are not shown: the first row does not look like a header ...'
    >>> columns_hint(["王小明", "西湖区文三路"])  # doctest: +ELLIPSIS
    'the ledger has 2 columns; their names are not shown: ...'
    """
    names = [str(c) for c in columns]
    head = f"{what} has {len(names)} column{'' if len(names) == 1 else 's'}"
    if all(_looks_like_header_name(n) for n in names):
        return f"{head}: {names}"
    return (f"{head}; their names are not shown: the first row does not look like a header (a name longer than "
            f"{HEADER_MAX_CHARS} characters, with a digit, or not ending like a column name), is the header row missing?")


#: quoted or bracketed text, a run of anything but ASCII, a word with a digit or a capital: masked by reason_template
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’|「[^」]*」")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*")
#: the only capitalised words a reason template keeps (the library's own wording)
_KEPT_WORDS = frozenset({"Hangzhou", "A", "B"})
_MASK = "…"


def _mask_word(m: re.Match) -> str:
    w = m.group(0)
    if w in _KEPT_WORDS or (w.isalpha() and w.islower()):
        return w
    return _MASK


def reason_template(reason: Any, *, max_chars: int = 80) -> str:
    """A match reason with its quoted content masked: what kind of reason it is, not what it says.

    Every run of non-ASCII text (names of roads, compounds, people...) and quoted text becomes ``…``,
    every run of digits ``#``, and every ASCII word that is not a plain lower-case word (``Wang``,
    ``A12``) ``…``; runs of masks are collapsed. The result is cut to ``max_chars`` characters.

    Examples
    --------
    >>> reason_template("文二路: no door number 99")
    '…: no door number #'
    >>> reason_template("fuzzy: 王小明 could be 文三路 (0.81)")
    'fuzzy: … could be … (#.#)'
    >>> reason_template("mentions a place outside Hangzhou (Wang Lei) as well as Hangzhou")
    'mentions a place outside Hangzhou (…) as well as Hangzhou'
    """
    if not isinstance(reason, str) or not reason.strip():
        return "<empty>"
    t = _QUOTED.sub(_MASK, reason.strip())
    t = _NON_ASCII.sub(_MASK, t)
    t = _WORD.sub(_mask_word, t)
    t = _DIGITS.sub("#", t)
    t = re.sub(r"…(?:\s*…)+", _MASK, t)
    t = re.sub(r"\s+", " ", t)
    return t if len(t) <= max_chars else t[: max_chars - 1] + _MASK
