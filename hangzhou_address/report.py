"""Self-contained HTML reports (inline SVG charts, no network, no row content)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

__all__ = ["write_report", "bar_chart_svg"]


def bar_chart_svg(items: list[tuple[str, float]], *, width: int = 560, bar_height: int = 18) -> str:
    """A horizontal bar chart as an inline SVG string."""
    if not items:
        return "<p>(nothing)</p>"
    top = max(v for _, v in items) or 1
    label_w = 150
    h = bar_height * len(items) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img">']
    for i, (label, value) in enumerate(items):
        y = 5 + i * bar_height
        w = (width - label_w - 80) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height * 0.7}" text-anchor="end" font-size="12">'
                     f"{html.escape(str(label))}</text>")
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_height - 4}" fill="#4e79a7"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7}" font-size="12">{value:,.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _page(title: str, sections: list[tuple[str, str]]) -> str:
    body = "".join(f"<h2>{html.escape(h)}</h2>{content}" for h, content in sections)
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:900px;margin:2em auto}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}"
        "<p><small>hangzhou_address report. Counts and text shapes only: no row content.</small></p>"
        "</body></html>"
    )


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_report(path: str | Path, summary: Any, *, title: str = "Ledger normalization") -> Path:
    """Write the HTML report of a :class:`~hangzhou_address.ledger.NormalizeSummary` (atomically)."""
    from .io._atomic import atomic_write
    from .ledger import _LEVELS, SHAPE_LEGEND

    levels = [(k, summary.levels.get(k, 0)) for k in _LEVELS]
    hist = [(f"{i / 10:.1f}–{(i + 1) / 10:.1f}", n) for i, n in enumerate(summary.confidence_hist)]
    facts = _table([("rows", f"{summary.rows:,}"), ("failed / unreadable rows", f"{summary.failed_rows:,}"),
                    ("rows for review", f"{summary.review_rows:,}"),
                    ("text / coordinate conflicts", f"{summary.conflicts:,}"),
                    ("time", f"{summary.seconds:.1f} s with {summary.workers} worker(s)")], ("", "value"))
    patterns = _table(summary.unmatched_patterns.most_common(20), (f"pattern ({SHAPE_LEGEND})", "rows"))
    doc = _page(title, [("Summary", facts), ("Match level", bar_chart_svg(levels)),
                        ("Confidence", bar_chart_svg(hist)), ("Top unmatched patterns", patterns)])
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return Path(path)


def write_reconcile_report(path: str | Path, result: Any, *, title: str = "Ledger reconciliation") -> Path:
    """Write the HTML report of a :class:`~hangzhou_address.reconciliation.ReconcileResult` (atomically)."""
    from .io._atomic import atomic_write

    counts = result.counts()
    doc = _page(title, [("Disagreements", bar_chart_svg(list(counts.items()))),
                        ("Counts", _table(list(counts.items()), ("kind", "rows")))])
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return Path(path)
