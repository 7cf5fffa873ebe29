"""Normalization of address text before matching (:func:`normalize_for_matching`): full-width → ASCII,
traditional → simplified characters, control / zero-width characters and layout spaces dropped, Chinese
and financial numerals before a unit word read as digits — with the offsets back into the text as written,
so that every element is reported as the user wrote it.

The same normalization makes the look-up keys of names (:func:`normalize_key`, :func:`alias_keys`), so that
a name matches however it is written.
"""

from __future__ import annotations

import functools
import re

__all__ = ["normalize_for_matching", "normalize_key", "alias_keys"]

# Chinese numerals, with the financial forms (壹贰叁肆伍陆柒捌玖拾佰仟, after traditional → simplified:
# 貳 → 贰, 參 → 参, 陸 → 陆) read the same way: 柒陆号 → 76号, 柒拾陆号 → 76号, 一〇八号 / 一百零八号 → 108号
_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9,
              "壹": 1, "贰": 2, "叁": 3, "参": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
_PLAIN_NUMERALS = "零〇○一二两三四五六七八九十百千"
# (廿 / 卅 / 卌: twenty / thirty / forty, read like the financial forms — before a unit word only: 廿三号 is 23号,
# never 廿 + 3号; 廿八都, 廿里 are place names)
_FINANCIAL = "壹贰叁参肆伍陆柒捌玖拾佰仟廿卅卌"
_TENS = {"廿": "二十", "卅": "三十", "卌": "四十"}
# a run of plain numerals before a unit word (or at the end); a run with financial numerals only before
# a unit word, never at the end (陆 ends names: the bare village name 博陆 keeps its 陆). The text is
# scanned once, by runs (spaces; numerals with the spaces between and after them): a regular expression
# saying "numerals before a unit word" would be retried at each character of a long run (quadratic).
_RUN_RE = re.compile(rf" +|[{_PLAIN_NUMERALS}{_FINANCIAL}][{_PLAIN_NUMERALS}{_FINANCIAL} ]*+")
_SPACES_RE = re.compile(" +")
#: what a numeral run is read before; a run of plain numerals also before 区 or at the end (翠苑一区, 三)
_UNIT_WORDS = frozenset("号幢栋组单元室楼层弄座#-")
_UNIT_WORDS_PLAIN = _UNIT_WORDS | {"区", ""}
_PLAIN_AND_SPACE = _PLAIN_NUMERALS + " "
#: what follows a dash that makes it a unit word (三-2-501: building 3); before anything else (五-福新村) a
#: dash is a separator pasted inside a name
_AFTER_DASH = frozenset("0123456789 " + _PLAIN_NUMERALS + _FINANCIAL)


#: an English door number (之江路 No.12, no. 12): read as 12号 (as 12 when a unit word follows: No.28号)
_NO_RE = re.compile(r"(?<![A-Za-z])[Nn][Oo]\. ?(\d{1,5})(?!\d)")


def _substitutions(out: str) -> list[tuple[int, int, str]]:
    """The ``(start, end, replacement)`` edits of :func:`normalize_for_matching`, in text order: every
    run of spaces (dropped, or one kept between ASCII letters / digits), every numeral run before a
    unit word (its value in digits), every English door number (``No.12`` → ``12号``)."""
    n = len(out)
    door = [(m.start(), m.end(), ("," if out[:m.start()].rstrip(" ")[-1:].isdigit() else "") + m.group(1)
             + ("" if out[m.end():m.end() + 1] in _UNIT_WORDS else "号"))
            for m in _NO_RE.finditer(out)] if "o." in out or "O." in out else []  # (501 No.12: not 50112号)
    if door:
        # the numeral runs and spaces outside them, then all in text order
        inside = [(a, b) for a, b, _r in door]
        rest = [x for x in _run_substitutions(out, n) if not any(a < x[1] and x[0] < b for a, b in inside)]
        return sorted(door + rest)
    return _run_substitutions(out, n)


def _run_substitutions(out: str, n: int) -> list[tuple[int, int, str]]:
    """The edits of the runs of spaces and numerals (:func:`_substitutions`)."""
    subs: list[tuple[int, int, str]] = []
    for m in _RUN_RE.finditer(out):
        s, e = m.span()
        if out[s] == " ":
            # spaces go, except between two ASCII letters (Room 501); digits split by a space join
            keep = 0 < s and e < n and out[s - 1].isascii() and out[s - 1].isalpha() \
                and out[e].isascii() and out[e].isalnum()
            subs.append((s, e, " " if keep else ""))
            continue
        after = out[e] if e < n else ""
        if after == "-" and (e + 1 >= n or out[e + 1] not in _AFTER_DASH):
            after = "?"  # a dash before a name, not a number (五-福新村: a paste of 五福新村, not 5-)
        run = m.group()
        if after not in _UNIT_WORDS_PLAIN and " " not in run:
            continue  # 三墩: no numeral to read, no space to drop
        end = s + len(run.rstrip(" "))  # after the last numeral
        financial_end = len(run.rstrip(_PLAIN_AND_SPACE))  # after the last financial numeral in the run
        if financial_end and (after in _UNIT_WORDS or after == "" and end - s > financial_end
                              and all(ch in _TENS or ch == " " for ch in run[:financial_end])):
            start = s  # the whole run, financial numerals included (at the end too after 廿 / 卅: 江城路廿三)
        elif after in _UNIT_WORDS_PLAIN:
            start = s + financial_end  # the plain numerals after the last financial one
            start += len(out[start:end]) - len(out[start:end].lstrip(" "))
        else:
            start = end  # no numeral to read
        # the spaces inside the run before the numeral read, the numeral, the spaces after it
        subs.extend((a.start(), a.end(), "") for a in _SPACES_RE.finditer(out, s, start))
        if start < end:
            subs.append((start, end, _cn_digits(out[start:end].replace(" ", ""))))
        if end < e:
            subs.append((end, e, ""))
    return subs


def _cn_digits(s: str) -> str:
    """Chinese numeral → its value in ASCII digits (``十八`` → ``18``, ``一零一`` → ``101``, ``二百零三`` →
    ``203``, ``廿三`` → ``23``; linear in the length, digit by digit for a numeral without units)."""
    if any(ch in _TENS for ch in s):
        s = "".join(_TENS.get(ch, ch) for ch in s)
    if any(ch in _CN_UNITS for ch in s):
        total, cur = 0, 0
        for ch in s:
            if ch in _CN_DIGITS:
                cur = _CN_DIGITS[ch]
            else:
                total += (cur or 1) * _CN_UNITS[ch]
                cur = 0
        return str(total + cur)
    return "".join([_CN_DIGIT_CHARS[ch] for ch in s]).lstrip("0") or "0"


_CN_DIGIT_CHARS = {ch: str(v) for ch, v in _CN_DIGITS.items()}


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


@functools.lru_cache(maxsize=1)
def _translated_chars() -> frozenset[str]:
    """Every character :func:`_translate_table` changes (most addresses have none: checking for
    one is cheaper than translating)."""
    return frozenset(chr(cp) for cp, to in _translate_table().items() if cp != to)


def normalize_for_matching(text: str) -> tuple[str, tuple[int, ...] | None]:
    """Normalize ``text`` for matching; return ``(normalized, offsets)``.

    Full-width characters become ASCII, traditional characters simplified, dashes ``-``; control,
    zero-width and space characters are dropped (a space between two ASCII letters or digits is
    kept); Chinese numerals before a unit word become
    digits (``十八幢`` → ``18幢``, ``翠苑一区`` → ``翠苑1区``), an English door number a door number
    (``No.12`` → ``12号``). ``offsets[i]`` is the index in ``text``
    of normalized character ``i`` (None when the two are aligned one to one), with one extra
    entry for the end. Time and memory are linear in ``len(text)`` (matching itself refuses texts longer
    than :data:`MAX_INPUT_CHARS` before normalizing them).

    Examples
    --------
    >>> normalize_for_matching("杭州市西湖區文三路九十號")
    ('杭州市西湖区文三路90号', (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 11, 12))
    """
    out = text if _translated_chars().isdisjoint(text) else text.translate(_translate_table())
    subs = _substitutions(out) if _RUN_RE.search(out) or "o." in out or "O." in out else None
    if not subs:
        return out, None
    pieces: list[str] = []
    offsets: list[int] = []
    pos = 0
    for s, e, rep in subs:
        pieces.append(out[pos:s])
        offsets.extend(range(pos, s))
        pieces.append(rep)
        offsets.extend([s] * len(rep))
        pos = e
    pieces.append(out[pos:])
    offsets.extend(range(pos, len(out) + 1))
    return "".join(pieces), tuple(offsets)


def normalize_key(name: str) -> str:
    """The look-up key of a name: normalized, without spaces."""
    return normalize_for_matching(name)[0].replace(" ", "")


_ALIAS_SEPARATORS_RE = re.compile(r"[\s·・.\-_/]+")


def alias_keys(alias: str) -> tuple[str, ...]:
    """The normalized forms an alias is looked up by: as written and without its separators
    (万科·万家, 万科万家); two characters or fewer are left out (they would hide too much)."""
    key = normalize_key(alias)
    return tuple(k for k in dict.fromkeys((key, _ALIAS_SEPARATORS_RE.sub("", key))) if len(k) >= 3)


#: (the names the resolver and the address index used before this module existed)
_normalize_key = normalize_key
_alias_keys = alias_keys
