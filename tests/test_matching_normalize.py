"""Tests of hangzhou_address.matching.normalize (text normalization before matching, with offsets)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address.matching import normalize as rs
from hangzhou_address.matching.normalize import alias_keys, normalize_for_matching, normalize_key


def test_normalize_fullwidth_traditional_numerals():
    text, offsets = normalize_for_matching("杭州市西湖區文三路九十號")
    assert text == "杭州市西湖区文三路90号"
    assert offsets is not None and len(offsets) == len(text) + 1
    assert normalize_for_matching("ＡＢ１２３")[0] == "AB123"
    assert normalize_for_matching("翠苑一区十八幢二单元三〇一室")[0] == "翠苑1区18幢2单元301室"


def test_normalize_keeps_numerals_inside_names():
    # 三墩 / 九堡 / 五常 are names, not numbers
    assert normalize_for_matching("三墩镇九堡五常大道")[0] == "三墩镇九堡五常大道"


@pytest.mark.parametrize(("text", "normalized"), [
    ("一号大街廿三号", "1号大街23号"),  # 廿 = twenty: never 廿 + 3号
    ("一号大街卅五号", "1号大街35号"),
    ("一号大街卅号", "1号大街30号"),
    ("一号大街廿 三幢", "1号大街23幢"),
    ("江城路廿三", "江城路23"),  # at the end too, with a numeral after it
    ("廿八都镇3号", "廿八都镇3号"),  # place names keep theirs
    ("江城路廿", "江城路廿"),
])
def test_twenty_and_thirty_written_as_one_character_read_as_numbers(text, normalized):
    assert normalize_for_matching(text)[0] == normalized


def test_a_numeral_before_a_dash_is_read_only_when_a_number_follows():
    """三-2-501 is building 3, unit 2, room 501; 五-福新村 is 五福新村 pasted apart, not 5-福新村."""
    assert normalize_for_matching("三-2-501")[0] == "3-2-501"
    assert normalize_for_matching("三-二-501")[0] == "3-2-501"
    assert normalize_for_matching("翠苑三-5幢")[0] == "翠苑3-5幢"
    assert normalize_for_matching("五-福新村2幢")[0] == "五-福新村2幢"


def test_normalize_spaces_and_controls():
    assert normalize_for_matching("西湖区 西溪街道\t文三路 9 0号")[0] == "西湖区西溪街道文三路90号"
    assert normalize_for_matching("Room 501")[0] == "Room 501"


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_normalize_offsets_are_monotone(text):
    norm, offsets = normalize_for_matching(text)
    if offsets is None:
        assert len(norm) == len(text)
    else:
        assert len(offsets) == len(norm) + 1
        assert list(offsets) == sorted(offsets)
        assert all(0 <= o <= len(text) for o in offsets)


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_normalize_is_idempotent(text):
    once = normalize_for_matching(text)[0]
    assert normalize_for_matching(once)[0] == once


def test_numeral_runs_normalize_in_linear_time():
    """A long run of Chinese numerals was retried at every character (100k characters: 119 s), and a
    numeral of more than 4,300 digits raised ValueError (int's digit limit)."""
    import time

    assert normalize_for_matching("一" * 5000 + "号")[0] == "1" * 5000 + "号"
    assert normalize_for_matching("零零一二号")[0] == "12号"
    t0 = time.perf_counter()
    for text in ("一" * 200_000, "一" * 200_000 + "x", "壹" * 100_000 + "一 " * 50_000 + "区"):
        norm, offsets = normalize_for_matching(text)
        assert offsets is None or len(offsets) == len(norm) + 1
    assert time.perf_counter() - t0 < 5  # (quadratic: many minutes)


_OLD_SUB_RE = None


def _reference_normalize(text):
    """normalize_for_matching as it was written before issue 13 (one regular expression; quadratic on
    long numeral runs), to check the linear scan gives the same answers (a dash is a unit word only before
    a digit, a numeral or a space, as since issue 12: 五-福新村)."""
    import re

    global _OLD_SUB_RE
    if _OLD_SUB_RE is None:
        n, f = rs._PLAIN_NUMERALS, rs._FINANCIAL
        _OLD_SUB_RE = re.compile(
            rf" +|[{n}](?:[{n} ]*[{n}])?(?= *(?:[号幢栋组单元室楼层弄座区#]|-(?=[0-9 {n}{f}])|$))"
            rf"|(?=[{n}{f} ]*[{f}])[{n}{f}](?:[{n}{f} ]*[{n}{f}])?(?= *(?:[号幢栋组单元室楼层弄座#]|-(?=[0-9 {n}{f}])))")
    out = text.translate(rs._translate_table())
    if not _OLD_SUB_RE.search(out):
        return out, None
    pieces, offsets, pos = [], [], 0
    for m in _OLD_SUB_RE.finditer(out):
        s, e = m.span()
        g = m.group()
        if g[0] == " ":
            keep = 0 < s and e < len(out) and out[s - 1].isascii() and out[s - 1].isalpha() \
                and out[e].isascii() and out[e].isalnum()
            rep = " " if keep else ""
        else:
            rep = rs._cn_digits(g.replace(" ", ""))
        pieces.append(out[pos:s])
        offsets.extend(range(pos, s))
        pieces.append(rep)
        offsets.extend([s] * len(rep))
        pos = e
    pieces.append(out[pos:])
    offsets.extend(range(pos, len(out) + 1))
    return "".join(pieces), tuple(offsets)


@given(st.text(alphabet="零〇一二两三十百千壹贰参陆柒拾佰  号幢组单元室楼弄区#-路村aB19\u3000\t", max_size=16))
@settings(max_examples=600, deadline=None)
def test_numeral_scan_agrees_with_the_regular_expression(text):
    assert normalize_for_matching(text) == _reference_normalize(text)


def test_keys_ignore_spaces_and_aliases_their_separators():
    assert normalize_key("文三 路") == "文三路"
    assert normalize_key("西湖區") == "西湖区"
    assert alias_keys("万科·万家") == ("万科·万家", "万科万家")
    assert alias_keys("万·家") == ("万·家",) and alias_keys("万家") == ()  # two characters hide too much


@pytest.mark.parametrize(("text", "normalized"), [
    ("西湖区 之江路 No.12", "西湖区之江路12号"),
    ("之江路no. 12", "之江路12号"),
    ("教工路No.28号", "教工路28号"),  # a unit word after it: the digits alone
    ("教工路NO. 3幢", "教工路3幢"),
    ("Room 501 No.12", "Room 501,12号"),  # never joined to a number before it (50112号)
    ("Nono.5", "Nono.5"),  # inside a word: no door number
    ("No.123456", "No.123456"),  # six digits: no door number
])
def test_an_english_door_number_reads_as_one(text, normalized):
    out, offsets = normalize_for_matching(text)
    assert out == normalized
    assert normalize_for_matching(out)[0] == out
    if offsets is not None:
        assert list(offsets) == sorted(offsets) and offsets[-1] == len(text)


@given(st.text(alphabet="No. 12号幢a5之江路", max_size=20))
@settings(max_examples=300, deadline=None)
def test_english_door_numbers_normalize_idempotently(text):
    out, offsets = normalize_for_matching(text)
    assert normalize_for_matching(out)[0] == out
    if offsets is not None:
        assert len(offsets) == len(out) + 1 and list(offsets) == sorted(offsets)
