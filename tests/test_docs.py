"""Every Python example in README.md and docs/*.md runs, and shows what it returns (issue 14.4).

Each ```python block is a doctest (``>>>`` lines with their output), run in a fresh namespace against the
embedded registry. A page whose text holds the marker ``<!-- doctest: one-namespace -->`` (a notebook-style
page, read top to bottom) runs its blocks in one shared namespace instead. An example that needs a user's own files carries ``# doctest: +SKIP`` and says why in
the text around it; nothing else is skipped.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
_BLOCK_RE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 2, m.group(1)) for m in _BLOCK_RE.finditer(text)]


def test_every_python_block_is_a_doctest():
    """A block without ``>>>`` would not be run: it shows code without showing that it works."""
    loose = [f"{p.relative_to(ROOT)}:{line}" for p in PAGES for line, block in _blocks(p)
             if not block.lstrip().startswith(">>>")]
    assert loose == []
    assert sum(len(_blocks(p)) for p in PAGES) >= 8


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(page, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # an example that writes files writes them here
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    report: list[str] = []
    shared = "<!-- doctest: one-namespace -->" in page.read_text(encoding="utf-8")
    namespace: dict = {}
    for line, block in _blocks(page):  # each block in a fresh namespace (or the page's one, see above)
        globs = namespace if shared else {}
        test = parser.get_doctest(block, globs, f"{page.name}:{line}", str(page), line - 1)
        test.globs = globs  # get_doctest copies the dict; keep one namespace for a notebook page
        runner.run(test, out=report.append, clear_globs=not shared)
    assert runner.failures == 0, "".join(report)
