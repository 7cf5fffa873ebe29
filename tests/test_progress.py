"""Tests for hangzhou_address._progress: tqdm bars on stderr, quiet off a terminal."""

from __future__ import annotations

import io
import sys

import pytest

from hangzhou_address._progress import progress_bar, progress_wanted


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_unless_stderr_is_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe / CI log
    assert progress_wanted(None) is False
    with progress_bar(total=10, desc="job") as bar:
        bar.update(10)
    assert sys.stderr.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert progress_wanted(None) is True and progress_wanted(False) is False
    with progress_bar(total=10, desc="job", enabled=False) as bar:  # --quiet
        bar.update(10)
    assert sys.stderr.getvalue() == ""
    with progress_bar(total=10, desc="job") as bar:
        bar.update(10)
    assert "job" in sys.stderr.getvalue() and "10/10" in sys.stderr.getvalue()


def test_normalize_draws_a_bar_on_stderr_without_row_content(tmp_path, tiny_city_dir, capsys):
    from hangzhou_address.ledger import normalize_file

    src = tmp_path / "l.csv"
    src.write_text("姓名,地址\n王小明,滨江区某路1号\n李四,杭州市西湖区\n", encoding="utf-8")
    normalize_file(src, tmp_path / "o.csv", column="地址", registry_dir=tiny_city_dir, progress=True)
    err = capsys.readouterr().err
    assert "normalize l.csv" in err and "100%" in err and "2 rows" in err
    assert "王小明" not in err and "滨江区" not in err
    normalize_file(src, tmp_path / "o.csv", column="地址", registry_dir=tiny_city_dir, progress=False)
    assert capsys.readouterr().err == ""


def test_cli_long_jobs_are_quiet_in_pipes_and_with_quiet(tmp_path, tiny_city_dir, capsys, monkeypatch):
    from hangzhou_address.cli import main

    src = tmp_path / "l.csv"
    src.write_text("编号,地址,lon,lat\n1,杭州市西湖区,120.1,30.2\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    base = ["normalize", str(src), "-o", str(out), "--column", "地址", "--city", str(tiny_city_dir)]
    assert main(base) == 0  # capsys' stderr is not a terminal: no bar, the summary only
    assert "normalize l.csv" not in capsys.readouterr().err
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert main([*base, "--quiet"]) == 0
    assert sys.stderr.getvalue() == ""
    assert main(["reconcile", str(out), str(out), "--key", "编号", "--quiet"]) == 0
    assert sys.stderr.getvalue() == ""
    assert main(["reconcile", str(out), str(out), "--key", "编号"]) == 0
    assert "read o.csv" in sys.stderr.getvalue()  # the load bar, on a terminal
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert main(["locate", "--input", str(src), "--x", "lon", "--y", "lat", "-o", str(tmp_path / "p.csv")]) in (0, 1)
    assert "read l.csv" in sys.stderr.getvalue()
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert main(["locate", "--input", str(src), "--x", "lon", "--y", "lat", "-o", str(tmp_path / "p.csv"),
                 "--quiet"]) in (0, 1)
    assert "read l.csv" not in sys.stderr.getvalue()


def test_city_build_bar(monkeypatch):
    from hangzhou_address.synth import build_city

    monkeypatch.setattr(sys, "stderr", _Tty())
    build_city(scale=0.01, districts=["330106"], progress=None)
    assert "build city" in sys.stderr.getvalue() and "3/3" in sys.stderr.getvalue()
    monkeypatch.setattr(sys, "stderr", _Tty())
    build_city(scale=0.01, districts=["330106"])  # library default: off
    assert sys.stderr.getvalue() == ""


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
