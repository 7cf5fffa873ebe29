"""Tests for hangzhou_address.tagger (the statistical element tagger)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address import InputError
from hangzhou_address.tagger import MAX_CHARS, tag, tag_many


def labels(text):
    return [(s.label, s.text) for s in tag(text)]


def test_corpus_style_address():
    got = labels("浙江省杭州市滨江区缤纷北苑47-6-746")
    assert ("district", "滨江区") in got
    assert [g for g in got if g[0] != "redundant"][-3:] == [("houseno", "47"), ("cellno", "6"), ("roomno", "746")]
    assert dict(labels("杭州市西湖区文三路90号3幢2单元501室")) == {
        "city": "杭州市", "district": "西湖区", "road": "文三路", "roadno": "90号", "houseno": "3幢",
        "cellno": "2单元", "roomno": "501室"}


def test_road_and_number():
    got = dict(labels("杭州市西湖区文三路90号"))
    assert got.get("road") == "文三路" and got.get("roadno") == "90号"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_and_spans_are_substrings(text):
    spans = tag(text)
    for s in spans:
        assert text[s.start:s.end] == s.text
        assert 0 <= s.start < s.end <= len(text)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_bad_input_and_huge_input():
    with pytest.raises(InputError):
        tag(None)
    assert tag("") == () and tag("   ") == tuple(tag("   "))
    big = "杭州市西湖区文三路90号" * 100_000  # ~1.2 MB: only the first MAX_CHARS characters are tagged
    spans = tag(big)
    assert spans and all(s.end <= MAX_CHARS for s in spans)
    assert len(tag_many(["文三路1号", "\x00\x01\ufffd😀"])) == 2


def test_pruned_keeps_the_strongest_rows():
    import numpy as np

    from hangzhou_address.tagger import HASH_BITS, LABELS, Tagger

    rng = np.random.default_rng(0)
    w = np.zeros((1 << HASH_BITS, len(LABELS)), dtype=np.float32)
    rows = rng.choice(1 << HASH_BITS, 1000, replace=False)
    w[rows] = rng.normal(size=(1000, len(LABELS))).astype(np.float32)
    model = Tagger(w, accelerate=False)
    small = model.pruned(0.1)
    strength = np.abs(w).max(axis=1)
    kept = np.flatnonzero(np.abs(small.weights).max(axis=1) > 0)
    assert len(kept) == 100
    assert strength[kept].min() > np.sort(strength[rows])[-101]  # exactly the 100 strongest rows
    assert np.array_equal(small.weights[kept], w[kept])  # kept rows unchanged
    assert np.array_equal(model.pruned(1.0).weights, w)
    with pytest.raises(InputError):
        model.pruned(0)


def test_shipped_model_is_pruned():
    from hangzhou_address.tagger import PRUNE_KEEP, default_tagger

    model = default_tagger()
    used = int((abs(model.weights).max(axis=1) > 0).sum())
    assert 0 < used < (1 << 16) - 1 and model._base.dtype.itemsize == 2  # the ranks fit 16 bits
    assert PRUNE_KEEP == 0.1
