"""Tests for hangzhou_address.codes: the building-code standard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address import InputError, InvalidCodeError
from hangzhou_address.codes import (
    check_char,
    code_level,
    code_to_children,
    code_to_parent,
    codes_to_parent,
    explain,
    is_valid_code,
    make_building_code,
    make_building_codes,
    make_grid_code,
    split_code,
    validate_code,
    validate_codes,
)

GRID = "330106005001001"


def _id_card_reference(digits: str) -> str:
    """Independent reference: GB 11643 check as usually written for ID cards."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # 17-digit ID card weights
    # extend to 19 positions: weight of position i (from the right, 1-based after the check) = 2^i mod 11
    w19 = [pow(2, i, 11) for i in range(19, 0, -1)]
    assert w19[-17:] == weights  # the ID-card weights are the last 17 of ours
    return "10X98765432"[sum(int(d) * w for d, w in zip(digits, w19)) % 11]


# 19-digit bodies with a valid Hangzhou structure
bodies = st.builds(
    lambda d, t, c, g, b: f"3301{d:02d}{t:03d}{c:03d}{g:03d}{b:04d}",
    st.integers(1, 99), st.integers(1, 999), st.integers(1, 999), st.integers(1, 999), st.integers(1, 9999),
)


def test_known_id_card_vector():
    # a published ID-card example: 11010519491231002X -> check X over 17 digits; pad with '00' in front
    assert check_char("00" + "11010519491231002") == "X"
    assert check_char("3301060050010010001") == "9"


@given(bodies)
def test_check_char_matches_reference(body):
    assert check_char(body) == _id_card_reference(body)


@given(bodies)
def test_make_and_validate_roundtrip(body):
    code = make_building_code(body[:15], int(body[15:19]))
    assert code[:19] == body
    assert is_valid_code(code)
    assert code_level(code) == "building"
    assert code_to_parent(code) == body[:15]
    assert code_to_parent(code, "district") == body[:6]


@given(bodies, st.integers(0, 19), st.integers(1, 10))
@settings(max_examples=300)
def test_every_single_character_error_is_caught(body, pos, delta):
    code = body + check_char(body)
    alphabet = "0123456789X" if pos == 19 else "0123456789"
    step = 1 + (delta - 1) % (len(alphabet) - 1)  # 1 .. len-1: always a different character
    wrong = alphabet[(alphabet.index(code[pos]) + step) % len(alphabet)]
    assert wrong != code[pos]
    mutated = code[:pos] + wrong + code[pos + 1:]
    assert not is_valid_code(mutated)
    assert validate_codes([mutated])["valid"].iloc[0] == False  # noqa: E712


@given(bodies, st.integers(0, 18))
def test_every_adjacent_swap_is_caught(body, pos):
    code = body + check_char(body)
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
    if swapped != code:
        assert not is_valid_code(swapped)


def test_adjacent_swap_exhaustive_on_last_pair():
    # the swap of the last digit with the check character, for every last digit
    for prefix in ("330106005001001000", "330114001002999999"):
        for d in "0123456789":
            code = prefix + d + check_char(prefix + d)
            swapped = code[:18] + code[19] + code[18]
            if swapped != code:
                assert not is_valid_code(swapped)


@pytest.mark.parametrize(
    ("code", "level"),
    [("3301", "city"), ("330106", "district"), ("330106005", "town"), ("330106005001", "community"),
     (GRID, "grid"), ("33010600500100100019", "building")],
)
def test_code_level(code, level):
    assert code_level(code) == level
    assert is_valid_code(code)


@pytest.mark.parametrize(
    ("bad", "reason", "fragment"),
    [
        (None, "missing", "None"),
        ("", "missing", "empty"),
        ("   ", "missing", "empty"),
        (330106, "not_string", "int"),
        (3.5, "not_string", "float"),
        ("3301060050010010001", "length", "19 characters"),
        ("330106005001001000190", "length", "21 characters"),
        ("33010O", "non_digit", "district segment"),
        ("33O106", "non_digit", "city segment"),
        ("33010600500100100017", "check_char", "expected '9'"),
        ("4401", "bad_city", "not Hangzhou"),
        ("330100", "zero_segment", "district segment"),
        ("330106005001000", "zero_segment", "grid segment"),
        ("33010600500100100009", "zero_segment", "building number"),
        ("3301060050010010001Y", "non_digit", "check character"),
    ],
)
def test_bad_input_reasons(bad, reason, fragment):
    row = validate_codes([bad]).iloc[0]
    assert not row["valid"]
    assert row["reason"] == reason
    assert fragment in row["detail"]
    assert not is_valid_code(bad)
    with pytest.raises((InvalidCodeError, InputError)) as info:
        validate_code(bad)
    assert isinstance(info.value, ValueError)
    assert fragment in str(info.value)


def test_fullwidth_and_lowercase_x_accepted():
    assert validate_code("３３０１０６") == "330106"
    x_code = next(make_building_code(GRID, n) for n in range(1, 9999) if make_building_code(GRID, n).endswith("X"))
    assert validate_code(x_code[:-1] + "x") == x_code
    df = validate_codes(["３３０１０６", x_code[:-1] + "x"])
    assert df["valid"].all()


def test_validate_codes_vectorized_matches_scalar():
    rng = np.random.default_rng(0)
    grids = [f"33010{rng.integers(1, 9)}{rng.integers(1, 999):03d}{rng.integers(1, 999):03d}{rng.integers(1, 999):03d}"
             for _ in range(300)]
    good = make_building_codes(grids, rng.integers(1, 9999, size=300))
    bad = [c[:-1] + str((int(c[-1]) + 1) % 10) if c[-1] != "X" else c[:-1] + "0" for c in good[:100]]
    mixed = list(good) + bad + ["330106", "33x106", None, 5, "３３０１０６"]
    df = validate_codes(pd.Series(mixed, dtype=object))
    assert list(df["valid"]) == [is_valid_code(c) for c in mixed]
    assert len(df) == len(mixed)
    assert df.loc[df["valid"], "reason"].isna().all()
    # numpy input and pyarrow input
    import pyarrow as pa

    assert validate_codes(np.asarray(good[:10]))["valid"].all()
    assert validate_codes(pa.array(list(good[:10])))["valid"].all()
    with pytest.raises(InputError):
        validate_codes("330106")


def test_make_building_codes_matches_scalar():
    numbers = [1, 2, 99, 1000, 9999]
    assert list(make_building_codes([GRID] * 5, numbers)) == [make_building_code(GRID, n) for n in numbers]
    with pytest.raises(InvalidCodeError):
        make_building_codes([GRID], [0])


@pytest.mark.parametrize("number", [0, 10000, -1, 1.5, True, "3"])
def test_make_building_code_rejects_bad_numbers(number):
    with pytest.raises(InvalidCodeError):
        make_building_code(GRID, number)


def test_make_building_code_rejects_wrong_level():
    with pytest.raises(InvalidCodeError, match="grid code must have 15 digits"):
        make_building_code("330106005001", 1)
    assert make_grid_code("330106005001", 12) == "330106005001012"
    with pytest.raises(InvalidCodeError):
        make_grid_code("330106005001", 1000)


def test_navigation():
    assert split_code("330106005001") == {"city": "3301", "district": "330106", "town": "330106005",
                                          "community": "330106005001"}
    assert code_to_parent("330106") == "3301"
    with pytest.raises(InvalidCodeError, match="no parent"):
        code_to_parent("3301")
    with pytest.raises(InvalidCodeError):
        code_to_parent("330106", "town")
    with pytest.raises(InputError):
        code_to_parent("330106005", "county")
    assert list(codes_to_parent(["330106005001", None, "3301"], "district")) == ["330106", None, None]


def test_children_and_explain_with_registry(official_registry):
    kids = code_to_children("330106", registry=official_registry)
    assert "330106005" in kids and all(k.startswith("330106") for k in kids)
    info = explain("330106005", registry=official_registry)
    assert info["valid"] and info["level"] == "town"
    assert [lv["name"] for lv in info["levels"]] == ["杭州市", "西湖区", "翠苑街道"]
    assert is_valid_code("330106005", registry=official_registry)
    assert not is_valid_code("330106999", registry=official_registry)
    df = validate_codes(["330106005", "330106999"], registry=official_registry)
    assert list(df["reason"]) == [None, "unknown_division"]
    # registry without grid tables: a grid is checked through its community
    assert is_valid_code("330106005001001", registry=official_registry)
    bad = explain("33010600500100100017")
    assert not bad["valid"] and bad["reason"] == "check_char"
    assert explain(None)["reason"] == "missing"



def test_children_are_current_unless_retired_are_asked_for(official_registry):
    """Issue 14.4: the abolished 下城区/江干区 (and merged towns, communities) are not children by default."""
    reg = official_registry
    districts = code_to_children("3301", registry=reg)
    assert len(districts) == 13 and "330103" not in districts and "330104" not in districts
    assert all(reg.get(c).is_active for c in districts)
    everything = code_to_children("3301", registry=reg, include_retired=True)
    assert len(everything) == 17 and {"330103", "330104", "330183", "330185"} <= set(everything)  # + 富阳市, 临安市
    # towns: 义蓬街道 (330109007) left 萧山区 for 钱塘区 in 2021; communities likewise
    assert "330109007" not in code_to_children("330109", registry=reg)
    assert "330109007" in code_to_children("330109", registry=reg, include_retired=True)
    assert "330106009012" not in code_to_children("330106009", registry=reg)
    assert "330106009012" in code_to_children("330106009", registry=reg, include_retired=True)
    # a retired district has only retired children
    assert code_to_children("330103", registry=reg) == ()
    assert len(code_to_children("330103", registry=reg, include_retired=True)) > 0
    with pytest.raises(InputError, match="include_retired"):
        code_to_children("3301", registry=reg, include_retired="yes")


# ----------------------------------------------------------------------------- hardening (issue 13)
def _lookalike_digits():
    """Every non-ASCII character Python or Unicode calls a digit, except the full-width ones."""
    import sys
    import unicodedata

    out = []
    for cp in range(128, sys.maxunicode + 1):
        ch = chr(cp)
        if 0xFF10 <= cp <= 0xFF19:
            continue
        if ch.isdigit() or ch.isdecimal() or unicodedata.digit(ch, None) is not None:
            out.append(ch)
    return out


LOOKALIKES = _lookalike_digits()


def test_only_ascii_and_fullwidth_digits_are_accepted():
    assert len(LOOKALIKES) > 100 and "²" in LOOKALIKES and "①" in LOOKALIKES and "𝟏" in LOOKALIKES
    good = "33010600500100100019"
    mutated = [good[:p] + ch + good[p + 1:] for ch in LOOKALIKES for p in (2, 19)]
    assert not any(is_valid_code(m) for m in mutated)
    df = validate_codes(mutated)
    assert not df["valid"].any() and set(df["reason"]) == {"non_digit"}
    assert validate_code("３３０１０６") == "330106"  # full-width stays accepted
    with pytest.raises(InvalidCodeError, match="non-digit character '²'"):
        validate_code("33²106")


def test_missing_values_agree_between_explain_and_validate_codes():
    for missing in (None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")):
        assert explain(missing)["reason"] == "missing", missing
        assert validate_codes([missing])["reason"].iloc[0] == "missing", missing
        with pytest.raises(InputError, match="missing"):
            validate_code(missing)
    assert explain(330106)["reason"] == validate_codes([330106])["reason"].iloc[0] == "not_string"


class _NotARegistry:
    pass


BAD_CALLS = [
    (code_to_parent, ("330106005",), {"level": ["district"]}),
    (code_to_parent, ("330106005",), {"level": 3}),
    (codes_to_parent, (["330106005"],), {"level": ["district"]}),
    (codes_to_parent, (["330106005"],), {"level": "County"}),
    (codes_to_parent, (None,), {"level": "city"}),
    (codes_to_parent, (b"330106",), {"level": "city"}),
    (validate_codes, (b"330106",), {}),
    (validate_codes, ({"330106": 1},), {}),
    (validate_codes, (["330106"],), {"chunk_size": 0}),
    (validate_codes, (["330106"],), {"registry": "330106"}),
    (code_to_children, ("330106",), {"registry": None}),
    (code_to_children, ("330106",), {"registry": _NotARegistry()}),
    (is_valid_code, ("330106",), {"registry": float("nan")}),
    (explain, ("330106",), {"registry": ["330106"]}),
    (check_char, (None,), {}),
    (check_char, ("123",), {}),
    (make_building_codes, ([GRID], None), {}),
    (make_building_codes, ([GRID], float("nan")), {}),
    (make_building_codes, ([GRID], [1.5]), {}),
    (make_building_codes, ([GRID], [True]), {}),
    (make_building_codes, ([GRID, GRID], [1, 2, 3]), {}),
    (make_building_codes, ([None], [1]), {}),
    (make_building_codes, ([330106005001001], [1]), {}),
    (make_building_codes, (["３３０１０６００５００１００１"], [1]), {}),
    (make_building_codes, ([GRID + "1"], [1]), {}),       # 16 characters: refused, not truncated
    (make_building_codes, ([GRID[:14]], [1]), {}),
    (make_building_codes, (["440106005001001"], [1]), {}),  # not Hangzhou
    (make_building_codes, (["330106005001000"], [1]), {}),  # grid number 000
    (make_grid_code, ("330106005001", None), {}),
    (make_grid_code, (None, 1), {}),
    (make_building_code, (GRID, float("nan")), {}),
    (split_code, (float("nan"),), {}),
    (code_level, (b"330106",), {}),
]


@pytest.mark.parametrize(("func", "args", "kwargs"), BAD_CALLS,
                         ids=[f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(BAD_CALLS)])
def test_bad_arguments_raise_typed_errors(func, args, kwargs):
    from hangzhou_address import HangzhouAddressError

    with pytest.raises(HangzhouAddressError) as info:
        func(*args, **kwargs)
    assert isinstance(info.value, (InputError, InvalidCodeError)) and isinstance(info.value, ValueError)


def test_make_building_codes_refuses_a_16_character_grid():
    with pytest.raises(InvalidCodeError, match="1 grid code"):
        make_building_codes([GRID, GRID + "7"], [1, 2])
    assert make_building_codes(np.array([GRID] * 3), np.arange(1, 4, dtype=np.int32)).tolist() == [
        make_building_code(GRID, n) for n in (1, 2, 3)]
    assert make_building_codes([], []).tolist() == []


def test_validate_codes_chunked_equals_unchunked():
    good = list(make_building_codes([GRID] * 7, range(1, 8)))
    odd = ["330106", None, "３３０１０６", 5, "33010600500100100017", "3301x", "33²106", float("nan")]
    mixed = good + odd + good
    whole = validate_codes(mixed)
    for size in (1, 2, 3, 5, 7, len(mixed) - 1, len(mixed) + 4):
        pd.testing.assert_frame_equal(validate_codes(mixed, chunk_size=size), whole)
    assert whole["reason"].iloc[7:15].tolist() == [None, "missing", None, "not_string", "check_char", "length",
                                                   "non_digit", "missing"]
    assert whole["valid"].sum() == 16


_TO_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
# messy strings: valid codes, their full-width / lowercase / spaced forms, look-alike digits, junk
_digit_chars = st.sampled_from("0123456789") | st.sampled_from([chr(0xFF10 + i) for i in range(10)]) | \
    st.sampled_from(LOOKALIKES[:200])
_messy = st.one_of(
    bodies.map(lambda b: b + check_char(b)),
    st.tuples(bodies, st.sampled_from((4, 6, 9, 12, 15))).map(lambda t: t[0][:t[1]]),
    bodies.map(lambda b: " " + (b + check_char(b)).translate(_TO_FULLWIDTH)),
    st.lists(_digit_chars, min_size=4, max_size=20).map(lambda cs: "3301" + "".join(cs)[4:]),
    st.text(max_size=22),
)


@given(_messy)
@settings(max_examples=400, deadline=None)
def test_accepted_codes_round_trip(text):
    try:
        code = validate_code(text)
    except (InvalidCodeError, InputError):
        assert not is_valid_code(text) and not explain(text)["valid"]
        assert not validate_codes([text])["valid"].iloc[0]
        return
    assert code.isascii() and is_valid_code(code) and validate_code(code) == code
    info = explain(text)
    assert info["valid"] and info["code"] == code and info["level"] == code_level(code)
    assert [lv["code"] for lv in info["levels"]] == list(split_code(code).values())
    assert all(code.startswith(lv["code"]) for lv in info["levels"])
    row = validate_codes([text]).iloc[0]
    assert row["valid"] and row["level"] == info["level"]
    if len(code) > 4:
        parent = code_to_parent(code)
        assert validate_code(parent) == parent and code.startswith(parent)
    # no look-alike digit survives validation
    assert not set(text) & set(LOOKALIKES)


@given(bodies, st.sampled_from(LOOKALIKES), st.integers(0, 19))
@settings(max_examples=300, deadline=None)
def test_no_lookalike_digit_is_accepted(body, ch, pos):
    code = body + check_char(body)
    mutated = code[:pos] + ch + code[pos + 1:]
    assert not is_valid_code(mutated)
    assert validate_codes([mutated])["reason"].iloc[0] == "non_digit"
    assert explain(mutated)["reason"] == "non_digit"


def test_validate_codes_result_does_not_alias_the_input():
    arr = np.array(["330106", "3301x"], dtype=object)
    for given_codes in (arr, pd.Series(arr)):
        df = validate_codes(given_codes)
        df.loc[0, "code"] = "changed"
        assert arr[0] == "330106" and given_codes[0] == "330106"


def test_explain_retired_code_shows_history(official_registry):
    from hangzhou_address.codes import explain

    out = explain("330104104", registry=official_registry)  # 丁桥镇, only in the lists before 2015
    assert out["valid"] and out["levels"][-1]["name"] == "丁桥镇"
    h = out["history"]
    assert h["editions"] == ["undated", "c2014"] and h["period"] == "before 2015"
    assert h["successors"] == [{"code": "330102017", "name": "丁兰街道"}] and h["reasons"][0].startswith("renamed")
    assert h["summary"].startswith("丁桥镇 (before 2015) → 丁兰街道 (330102017)")
    assert "history" not in explain("330106004", registry=official_registry)  # active: no history block


def test_explain_recoded_and_retired_codes_say_what_became_of_them(tiny_registry):
    """Issue 16: a grid / building code re-coded by a move or demolished explains as such (status, date,
    reason, successors), not as unknown_division; current codes have no lifecycle block."""
    from hangzhou_address import lifecycle as lc
    from hangzhou_address.codes import explain

    b = tiny_registry.buildings
    code = b.loc[b["grid_code"].str.startswith("330108001001"), "code"].iloc[0]
    grid = code[:15]
    assert "lifecycle" not in explain(code, registry=tiny_registry)
    moved = tiny_registry.apply(lc.move_community(tiny_registry, "330108001001", "330108002", date="2026-03-01",
                                                  reason="boundary adjusted"))
    for old in (code, grid):
        out = explain(old, registry=moved)
        assert not out["valid"] and out["reason"] == "recoded"
        life = out["lifecycle"]
        assert life["status"] == "recoded" and life["date"] == "2026-03-01" and life["reason"] == "boundary adjusted"
        (succ,) = life["successors"]
        assert succ["code"] == lc.resolve_code(old, registry=moved).current_code and succ["code"][:12] != old[:12]
        assert succ["code"] in out["detail"]
        assert explain(succ["code"], registry=moved)["valid"]
    old_comm = explain("330108001001", registry=moved)
    assert old_comm["valid"] and old_comm["lifecycle"]["status"] == "recoded"
    other = b.loc[~b["grid_code"].str.startswith("330108001001"), "code"].iloc[0]
    gone = tiny_registry.apply(lc.retire_building(tiny_registry, other, date="2026-04-01", reason="demolished"))
    out = explain(other, registry=gone)
    life = out["lifecycle"]
    assert life["status"] == "retired" and life["date"] == "2026-04-01" and life["reason"] == "demolished"
    assert life["successors"] == [] and "no successor" in life["summary"]
    from hangzhou_address.codes import make_building_code

    never = explain(make_building_code(grid, 9999), registry=tiny_registry)  # never issued
    assert never["reason"] == "unknown_division" and "lifecycle" not in never


def test_explain_split_district_lists_both_successors(official_registry):
    from hangzhou_address.codes import explain

    life = explain("330104", registry=official_registry)["lifecycle"]  # 江干区, abolished in 2021
    assert life["status"] == "split" and life["date"] == "2021-04-09"
    assert [s["code"] for s in life["successors"]] == ["330102", "330114"]
