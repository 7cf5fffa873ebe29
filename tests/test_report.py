"""Tests for hangzhou_address.report."""

from __future__ import annotations

from collections import Counter

from hangzhou_address.ledger import NormalizeSummary
from hangzhou_address.report import bar_chart_svg, write_report


def test_report_is_self_contained(tmp_path):
    s = NormalizeSummary(rows=10, levels=Counter({"building": 7, "none": 3}),
                         unmatched_patterns=Counter({"电联#": 2, "<b>#": 1}))
    p = write_report(tmp_path / "r.html", s, title="t")
    html = p.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "&lt;b&gt;#" in html  # escaped
    assert "<rect" in bar_chart_svg([("a", 1), ("b", 3)])
