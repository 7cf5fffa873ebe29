"""Tests for hangzhou_address._accel: the compiled tagger decoder gives exactly the numpy answers."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address import InputError, _accel
from hangzhou_address._datapath import data_dir
from hangzhou_address.tagger import Tagger

numba = pytest.importorskip("numba")


@pytest.fixture(scope="module")
def taggers():
    return Tagger.load(accelerate=False), Tagger.load(accelerate=True)


@functools.lru_cache(maxsize=1)
def _plain_tagger():
    return Tagger.load(accelerate=False)


@functools.lru_cache(maxsize=1)
def _dense_rank_tables():
    """A row map with 60 % of the hashes used (more than 65,535 rows: 32-bit ranks) and its dense twin."""
    from hangzhou_address.tagger import HASH_BITS, _rank_tables

    used = np.flatnonzero(np.random.default_rng(3).random(1 << HASH_BITS) < 0.6)
    row = np.zeros(1 << HASH_BITS, dtype=np.int32)
    row[used] = np.arange(1, len(used) + 1)
    return _rank_tables(used), row


def _as_tuples(tagged):
    return [[(s.label, s.text, s.start, s.end) for s in spans] for spans in tagged]


def test_kernel_is_used(taggers):
    plain, fast = taggers
    assert fast.accelerated and not plain.accelerated


def test_same_answers_on_the_real_corpus(taggers):
    plain, fast = taggers
    with open(data_dir() / "corpus" / "naacl2019_train_dev.jsonl", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(3000), fh)]
    assert _as_tuples(fast.tag_many(texts)) == _as_tuples(plain.tag_many(texts))
    # one at a time too (a batch of one is the kernel's smallest case), and the single-text path
    assert _as_tuples([fast.tag(t) for t in texts[:50]]) == _as_tuples(plain.tag_many(texts[:50]))
    assert [fast.runs(t) for t in texts] == plain.runs_many(texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("杭州市西湖区文三路号幢单元室村组0123456789-# 九十abc\x00"), max_size=40),
                max_size=6))
def test_same_answers_on_generated_text(taggers, texts):
    plain, fast = taggers
    assert _as_tuples(fast.tag_many(texts)) == _as_tuples(plain.tag_many(texts))
    assert [fast.runs(t) for t in texts] == [plain.runs(t) for t in texts] == plain.runs_many(texts)


def test_same_labels_as_numpy_viterbi_with_ties():
    """Equal scores everywhere: both decoders must break ties towards the lowest label."""
    from hangzhou_address.tagger import _viterbi

    kernel = _accel.viterbi_kernel()
    rows = np.zeros((2, 7), dtype=np.int32)
    compact = np.zeros((1, 4), dtype=np.float32)
    trans = np.zeros((4, 4), dtype=np.float32)
    trans[1, 2] = 1.0  # something non-zero so the numpy path decodes
    starts, lengths = np.array([0, 4], dtype=np.int64), np.array([3, 3], dtype=np.int64)
    out = np.full(7, -1, dtype=np.int64)
    kernel(rows, compact, trans, _accel.skip_thresholds(trans), starts, lengths, out)
    ref = _viterbi(np.zeros((7, 4), dtype=np.float32), starts, lengths, trans)
    assert out[[0, 1, 2, 4, 5, 6]].tolist() == ref[[0, 1, 2, 4, 5, 6]].tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1.0, 30.0, 1e4]), st.integers(2, 9), st.integers(1, 30))
def test_pruned_decoder_same_labels_as_numpy(seed, scale, n_labels, length):
    """Integer-valued scores (many exact ties) at several scales, padded compact columns: the
    decoder that skips hopeless predecessors picks exactly numpy's labels, ties included."""
    from hangzhou_address.tagger import _emissions, _viterbi

    rng = np.random.default_rng(seed)
    n_rows, width = 6, -(-n_labels // 8) * 8
    compact = np.zeros((n_rows, width), dtype=np.float32)
    compact[1:, :n_labels] = rng.integers(-3, 4, size=(n_rows - 1, n_labels)) * scale
    trans = (rng.integers(-3, 4, size=(n_labels, n_labels)) * scale).astype(np.float32)
    trans[0, 1] = scale  # non-zero: the numpy path decodes
    rows = rng.integers(0, n_rows, size=(3, length + 4)).astype(np.int32)
    starts, lengths = np.array([0, length + 1], dtype=np.int64), np.array([length, 3], dtype=np.int64)
    out = np.full(length + 4, -1, dtype=np.int64)
    _accel.viterbi_kernel()(rows, compact, trans, _accel.skip_thresholds(trans), starts, lengths, out)
    ref = _viterbi(_emissions(rows, compact[:, :n_labels]), starts, lengths, trans)
    keep = np.r_[0:length, length + 1:length + 4]
    assert out[keep].tolist() == ref[keep].tolist()


def test_accelerate_true_without_numba_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(_accel, "tag_kernel", lambda: None)
    with pytest.raises(InputError, match="numba"):
        Tagger.load(accelerate=True)
    assert not Tagger.load().accelerated  # auto: falls back to numpy


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("杭州市西湖区文三路号幢苑单元室村组0123456789-# 九十abcXY\x00😀"), max_size=30),
                min_size=1, max_size=5))
def test_feature_kernel_equals_numpy_features(texts):
    from hangzhou_address.tagger import N_TEMPLATES, _char_codes, _features, _is_key_table, _prep

    codes, _starts, _lengths = _char_codes([_prep(t) for t in texts])
    (bits, base), dense = _dense_rank_tables()
    model = _plain_tagger()
    for bits, base, row in ((model._bits, model._base, model._row), (bits, base, dense)):
        out = np.empty((N_TEMPLATES, len(codes)), dtype=np.int32)
        _accel.features_kernel()(codes, _is_key_table(), bits, base, out)
        assert np.array_equal(out, row[_features(codes)])


def test_rank_tables_give_the_dense_row_map():
    """Every hash's rank read from the bitmap (as the compiled kernel reads it) is its dense row."""
    (bits, base), dense = _dense_rank_tables()
    model = _plain_tagger()
    assert model._base.dtype == np.uint16 and base.dtype == np.int32
    for bits, base, row in ((model._bits, model._base, model._row), (bits, base, dense)):
        h = np.arange(len(row), dtype=np.int64)
        word = bits[h >> 5].astype(np.int64)
        below = word & ((np.int64(1) << (h & 31)) - 1)
        below = sum((below >> k) & 1 for k in range(32))  # popcount (numpy < 2 has no bitwise_count)
        got = np.where((word >> (h & 31)) & 1 == 1, base[h >> 5] + below + 1, 0)
        assert np.array_equal(got, row)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), max_size=12), max_size=5))
def test_runs_kernel_same_runs_as_numpy(labels):
    from hangzhou_address.tagger import LABELS, _runs_many

    lengths = np.array([len(x) for x in labels], dtype=np.int64)
    starts = 3 + np.concatenate([[0], np.cumsum(lengths + 3)[:-1]]).astype(np.int64) if labels else lengths
    pred = np.zeros(int(starts[-1] + lengths[-1] + 3) if labels else 3, dtype=np.int64)
    for s, x in zip(starts, labels):
        pred[s:s + len(x)] = x
    found = np.empty((len(pred), 4), dtype=np.int64)
    n = _accel.runs_kernel()(pred, starts, lengths, found)
    got = [[] for _ in labels]
    for k, lb, a, b in found[:n].tolist():
        got[k].append((lb, a, b))
    want = [[(LABELS.index(lb), a, b) for lb, a, b in runs] for runs in _runs_many(pred, starts, lengths)]
    assert got == want


def test_tag_kernel_template_count_matches_the_tagger():
    from hangzhou_address.tagger import N_TEMPLATES

    assert N_TEMPLATES == 26  # _accel._tag_loops allocates 26 feature rows
