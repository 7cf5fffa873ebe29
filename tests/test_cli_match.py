"""Tests of ``hzaddr match`` (runs on the real NBS divisions, no synthetic city needed)."""

from __future__ import annotations

import io
import json

import pytest

from hangzhou_address.cli import main


@pytest.fixture(autouse=True)
def _registry(monkeypatch, official_registry):
    import hangzhou_address.registry as registry_module

    monkeypatch.setattr(registry_module, "default_registry", lambda: official_registry)


def test_match_text(capsys):
    assert main(["match", "杭州市江干区下沙街道"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("330114001\ttown\t")
    assert "江干区" in out  # the legacy reason


def test_match_json_and_exit_code(capsys):
    assert main(["match", "--json", "西湖区西溪街道", "江西省南昌市西湖区"]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [d["code"] for d in lines] == ["330106004", None]
    assert lines[1]["reasons"] == ["outside Hangzhou: 江西省"]
    assert set(lines[0]) >= {"input", "code", "level", "confidence", "elements", "candidates", "reasons"}


def test_match_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("下城区\n\n临安市锦城街道\n"))
    assert main(["match", "-", "--json"]) == 0  # a blank line is no text that failed to match
    docs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [d["code"] for d in docs] == ["330105", None, "330112006"]  # issue 15: the blank line keeps its place
    assert docs[1]["input"] == "" and docs[1]["reasons"] == ["empty input"]


def test_match_usage_error(capsys):
    assert main(["match"]) == 2


def test_match_exact_flag(monkeypatch, capsys, tiny_registry):
    import hangzhou_address.registry as registry_module

    monkeypatch.setattr(registry_module, "default_registry", lambda: tiny_registry)
    text = "滨江区长和路5号"  # homophone 和 for 河 (the SYNTHETIC city has 长河路5号)
    assert main(["match", "--json", text]) == 0
    fuzzy = json.loads(capsys.readouterr().out)
    assert fuzzy["level"] == "building"
    assert any(r.startswith("fuzzy:") for r in fuzzy["reasons"])
    assert main(["match", "--json", "--exact", text]) == 0
    exact = json.loads(capsys.readouterr().out)
    assert exact["level"] != "building" and exact["code"] == "330108"
    assert not any(r.startswith("fuzzy:") for r in exact["reasons"])
    assert main(["match", "--exact", text]) == 0  # the text output honours it too
    assert capsys.readouterr().out.startswith("330108\tdistrict\t")


# ------------------------------------------------------------------ issue 15: blank lines, --city
def test_match_stdin_keeps_every_line(monkeypatch, capsys):
    lines = ["西湖区西溪街道" if i % 1000 else "" for i in range(20_000)]  # 20 blank lines among them
    lines[7] = "   "
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["match", "-", "--json"]) == 0
    docs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(docs) == 20_000  # was 19,979: blank lines were dropped and the rows shifted
    assert [d["code"] is None for d in docs] == [not t.strip() for t in lines]
    monkeypatch.setattr("sys.stdin", io.StringIO("西湖区西溪街道\n\r\n江西省南昌市西湖区\n"))
    assert main(["match", "-"]) == 1  # text output: one head line per input line, the unmatched one counts
    heads = [x for x in capsys.readouterr().out.splitlines() if not x.startswith("\t")]
    assert [h.split("\t")[0] for h in heads] == ["330106004", "-", "-"]


def test_match_city(capsys, tiny_city, tiny_city_dir):
    text = str(tiny_city.addresses["text"].iloc[0])
    assert main(["match", "--json", text]) == 0  # the official divisions only (the fixture): no buildings
    assert json.loads(capsys.readouterr().out)["level"] != "building"
    assert main(["match", "--json", "--city", str(tiny_city_dir), text]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["level"] == "building" and doc["code"] == tiny_city.addresses["building_code"].iloc[0]
