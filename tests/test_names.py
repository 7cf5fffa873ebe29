"""Tests for hangzhou_address.names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hangzhou_address import InputError
from hangzhou_address.names import name_variants, strip_suffix


def texts(name, level):
    return {v.text: v.kind for v in name_variants(name, level)}


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [
        ("西湖区", "district", {"西湖区": "official", "西湖": "short"}),
        ("桐庐县", "district", {"桐庐县": "official", "桐庐": "short"}),
        ("建德市", "district", {"建德市": "official", "建德": "short"}),
        ("西溪街道", "town", {"西溪街道": "official", "西溪": "short"}),
        ("瓶窑镇", "town", {"瓶窑镇": "official", "瓶窑": "short"}),
        ("鸬鸟乡", "town", {"鸬鸟乡": "official", "鸬鸟": "short"}),
        ("学府社区", "community", {"学府社区": "official", "学府社区居委会": "full", "学府": "short"}),
        ("新祥村委会", "community", {"新祥村委会": "official", "新祥村": "full", "新祥": "short"}),
        ("金中村村委会", "community", {"金中村": "full", "金中村村委会": "official", "金中": "short"}),
        ("富城村村民委员会", "community", {"富城村": "full", "富城": "short"}),
    ],
)
def test_variants(name, level, expected):
    got = texts(name, level)
    for text, kind in expected.items():
        assert got.get(text) == kind, (text, got)
    assert next(iter(got)) == name  # official first


def test_odd_names_keep_official_only():
    assert texts("围垦生活区", "community") == {"围垦生活区": "official"}


@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()),
       st.sampled_from(["district", "town", "community"]))
def test_variants_never_shorter_than_two(name, level):
    for v in name_variants(name, level):
        assert len(v.text) >= 2 or v.kind == "official"


def test_bad_arguments():
    with pytest.raises(InputError):
        name_variants("", "town")
    with pytest.raises(InputError):
        name_variants("西湖区", "province")
    with pytest.raises(InputError):
        strip_suffix("西湖区", "grid")
    assert strip_suffix("西湖区", "district") == "西湖"
    assert strip_suffix("乡", "town") == "乡"
