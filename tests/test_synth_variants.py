"""hangzhou_address.synth.variants: seeded messy variants of the (SYNTHETIC) tiny city's addresses."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hangzhou_address.errors import InputError
from hangzhou_address.synth.variants import (
    VARIANT_CLASSES,
    Variant,
    homophones,
    lookalikes,
    make_variants,
)

N = 20


@pytest.fixture(scope="module")
def variants(tiny_registry):
    return make_variants(tiny_registry, N, seed=5)


@pytest.fixture(scope="module")
def by_class(variants):
    out: dict[str, list[Variant]] = {}
    for v in variants:
        out.setdefault(v.cls, []).append(v)
    return out


@pytest.fixture(scope="module")
def registry_names(tiny_registry):
    a = tiny_registry.addresses
    return set(a["road"].dropna()) | set(a["poi"].dropna())


def _plain(text: str) -> str:
    """The text without whitespace, in simplified characters (undoes the format's noise)."""
    from opencc import OpenCC

    return OpenCC("t2s").convert(re.sub(r"\s+", "", text))


def _one_substitution(a: str, b: str) -> int:
    assert len(a) == len(b) and a != b
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    assert len(diff) == 1, (a, b)
    return diff[0]


def test_deterministic_for_a_seed(tiny_registry, variants):
    assert make_variants(tiny_registry, N, seed=5) == variants


def test_different_seeds_differ(tiny_registry, variants):
    other = make_variants(tiny_registry, N, seed=6)
    assert [v.text for v in other] != [v.text for v in variants]


def test_a_class_does_not_depend_on_the_others(tiny_registry, by_class):
    assert make_variants(tiny_registry, N, seed=5, classes=("drop",)) == by_class["drop"]


def test_every_class_produces_variants(by_class):
    assert set(by_class) == set(VARIANT_CLASSES)
    for cls in VARIANT_CLASSES:
        assert len(by_class[cls]) == N, cls
        assert all(isinstance(v.text, str) and v.text for v in by_class[cls])


def test_variant_is_frozen(variants):
    with pytest.raises(dataclasses.FrozenInstanceError):
        variants[0].text = "x"  # type: ignore[misc]


def test_building_codes_are_registry_rows(tiny_registry, variants):
    codes = set(tiny_registry.addresses["building_code"])
    for v in variants:
        if v.cls != "garbage":
            assert v.building_code in codes
            assert v.name is not None and v.written_name is not None


def test_format_keeps_the_name(by_class):
    for v in by_class["format"]:
        assert v.written_name == v.name
        assert not v.collides
    assert any(v.determined for v in by_class["format"])


def test_homophone_same_pinyin(by_class):
    import pypinyin

    for v in by_class["homophone"]:
        i = _one_substitution(v.name, v.written_name)
        a, b = v.name[i], v.written_name[i]
        assert pypinyin.lazy_pinyin(a, style=pypinyin.Style.NORMAL) == \
            pypinyin.lazy_pinyin(b, style=pypinyin.Style.NORMAL)
        assert b in homophones(a)
        assert b.encode("gb2312")[0] in range(0xB0, 0xD8)  # a common (level-1) character


def test_lookalike_from_the_table(by_class):
    for v in by_class["lookalike"]:
        i = _one_substitution(v.name, v.written_name)
        assert v.written_name[i] in lookalikes(v.name[i])


def test_lookalike_table_is_symmetric():
    assert "已" in lookalikes("己") and "己" in lookalikes("已")
    assert "淅" in lookalikes("浙")


def test_drop_deletes_one_character(by_class):
    for v in by_class["drop"]:
        assert len(v.name) >= 3 and len(v.written_name) == len(v.name) - 1
        assert any(v.name[:i] + v.name[i + 1:] == v.written_name for i in range(len(v.name)))
        assert v.written_name[-1] == v.name[-1]  # the suffix stays


def test_swap_swaps_adjacent_characters(by_class):
    for v in by_class["swap"]:
        assert v.written_name != v.name and sorted(v.written_name) == sorted(v.name)
        assert any(v.name[:i] + v.name[i + 1] + v.name[i] + v.name[i + 2:] == v.written_name
                   for i in range(len(v.name) - 1))


def test_insert_adds_one_character_before_the_suffix(by_class):
    for v in by_class["insert"]:
        assert len(v.written_name) == len(v.name) + 1 and v.written_name[-1] == v.name[-1]
        assert any(v.written_name[:i] + v.written_name[i + 1:] == v.name for i in range(1, len(v.written_name)))


def test_two_edits(by_class):
    for v in by_class["two_edits"]:
        assert len(v.name) >= 4 and v.written_name != v.name


def test_suffix_dropped_or_added(by_class):
    for v in by_class["suffix"]:
        w, nm = v.written_name, v.name
        if w == nm + "小区":
            assert not nm.endswith("小区")
        else:
            assert nm.startswith(w) and len(w) >= 2
            assert nm[len(w):] in ("大道", "路", "街", "弄", "巷", "小区", "花园", "家园", "苑", "新村", "公寓", "村")


def test_financial_numbers(by_class):
    for v in by_class["financial"]:
        assert v.written_name == v.name
        text = _plain(v.text)
        assert v.name in text, v.text
        after = re.sub(r"^[0-9０-９]+组", "", text.split(v.name, 1)[1])  # a village's group comes first
        assert re.match(r"[零壹贰叁肆伍陆柒捌玖拾佰一二三四五六七八九十百〇]", after), v.text
    assert any(re.search("[壹贰叁肆伍陆柒捌玖]", v.text) for v in by_class["financial"])


def test_separator_inside_the_name(by_class):
    seps = (" ", "\n", "\r\n", "、", "，", ",", "  ", "\t", "·", "-")
    for v in by_class["separator"]:
        i = next(k for k in range(len(v.name)) if v.written_name[k] != v.name[k])
        sep = v.written_name[i: len(v.written_name) - (len(v.name) - i)]
        assert sep in seps and v.written_name.replace(sep, "", 1) == v.name
        assert 0 < i < len(v.name)


def test_number_separator_undetermined(by_class):
    for v in by_class["number_separator"]:
        assert not v.determined
        assert re.search(r"[0-9０-９](?: |  |,|、|，)[0-9０-９]", v.text), v.text


def test_garbage_has_no_building(by_class):
    for v in by_class["garbage"]:
        assert v.building_code is None and not v.determined and v.name is None and not v.collides


def test_conflicting_districts(tiny_registry, by_class):
    divs = tiny_registry.divisions
    districts = divs[(divs["level"] == "district") & (divs["status"] == "active")]
    name = dict(zip(districts["code"], districts["name"]))
    for v in by_class["conflicting_districts"]:
        assert not v.determined
        true = name[v.building_code[:6]]
        text = _plain(v.text)
        named = [nm for nm in name.values() if nm in text or nm[:-1] in text]
        assert len([nm for nm in named if nm != true]) >= 2, v.text
        assert true not in text


def test_collides_means_another_registry_name(by_class, registry_names):
    for vs in by_class.values():
        for v in vs:
            if v.collides:
                assert v.written_name in registry_names and v.written_name != v.name
            elif v.written_name is not None and v.written_name != v.name:
                assert v.written_name not in registry_names


def test_unknown_class(tiny_registry):
    with pytest.raises(InputError):
        make_variants(tiny_registry, 1, seed=0, classes=("nope",))
