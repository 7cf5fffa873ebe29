"""The HTTP API (hangzhou_address.server.app) through Starlette's TestClient, on the tiny SYNTHETIC city."""

from __future__ import annotations

import json
import logging
import shutil

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from hangzhou_address.server import ACCESS_LOGGER, KeyStore, Limits, create_app  # noqa: E402


@pytest.fixture(scope="module")
def keys():
    store = KeyStore()
    return store, {"read": store.add("reader", scope="read", rate="10000/s"),
                   "edit": store.add("editor", scope="edit", rate="10000/s"),
                   "slow": store.add("slow", scope="read", rate="2/min")}


@pytest.fixture(scope="module")
def client(tiny_registry, keys):
    return TestClient(create_app(tiny_registry, keys=keys[0], page=False))


@pytest.fixture()
def H(keys):
    return {"X-API-Key": keys[1]["read"]}


@pytest.fixture(scope="module")
def sample(tiny_registry):
    a = tiny_registry.addresses.iloc[3]
    b = tiny_registry.buildings[tiny_registry.buildings["code"] == a["building_code"]].iloc[0]
    return a["text"], b


MATCH_FIELDS = {"input", "code", "level", "confidence", "district_code", "town_code", "community_code", "reasons",
                "candidates", "elements"}


def test_match_get_and_post_have_the_contract_shape(client, H, sample):
    text, b = sample
    one = client.get("/v1/match", params={"q": text}, headers=H).json()
    assert set(one) == MATCH_FIELDS and one["code"] == b["code"] and one["level"] == "building"
    batch = client.post("/v1/match", json={"texts": [text, "滨江区"], "fuzzy": True}, headers=H).json()
    assert list(batch) == ["results"] and [set(r) for r in batch["results"]] == [MATCH_FIELDS] * 2
    assert batch["results"][0] == one and batch["results"][1]["code"] == "330108"


def test_ambiguous_candidates_shape(client, H):
    r = client.get("/v1/match", params={"q": "西兴"}, headers=H).json()
    for c in r["candidates"]:
        assert set(c) == {"code", "level", "name", "score"}


def test_too_long_text_gets_the_library_reason(client, H):
    r = client.post("/v1/match", json={"texts": ["路" * 200_000]}, headers=H)
    assert r.status_code == 200
    assert r.json()["results"][0]["code"] is None and "longer than 1,000" in r.json()["results"][0]["reasons"][0]


def test_parse(client, H, sample):
    r = client.post("/v1/parse", json={"texts": [sample[0]]}, headers=H).json()["results"][0]
    assert r["district_code"] == "330108" and r["elements"]


def test_locate_get_and_post(client, H, sample):
    b = sample[1]
    one = client.get("/v1/locate", params={"x": b.x, "y": b.y}, headers=H).json()
    assert one["grid_code"] == b["grid_code"] and one["district_code"] == "330108"
    many = client.post("/v1/locate", json={"points": [{"x": b.x, "y": b.y}, {"x": 0, "y": 0}]}, headers=H).json()
    assert [r["grid_code"] for r in many["results"]] == [b["grid_code"], None]
    assert client.get("/v1/locate", params={"x": 1, "y": 2, "crs": "EPSG:nope"}, headers=H).status_code == 422


def test_codes_divisions_upgrade(client, H, sample):
    b = sample[1]
    r = client.get(f"/v1/codes/{b['code']}", headers=H).json()
    assert r["valid"] and r["level"] == "building"
    old = client.get("/v1/codes/330104", headers=H).json()
    assert old["lifecycle"]["status"] == "split" and {s["code"] for s in old["lifecycle"]["successors"]} == {
        "330102", "330114"}
    d = client.get("/v1/divisions", params={"name": "西兴街道"}, headers=H).json()["results"]
    assert [x["code"] for x in d] == ["330108001"]
    u = client.post("/v1/upgrade", json={"codes": ["330104", "nonsense"]}, headers=H).json()["results"]
    assert u[0]["status"] == "split" and u[1]["status"] == "unknown"


@pytest.mark.parametrize("path", ["/v1/codes/..%2F..%2Fetc%2Fpasswd", "/v1/codes/..", "/v1/codes/%2Fetc%2Fpasswd",
                                  "/v1/codes/..%5C..%5Cwindows"])
def test_no_file_path_is_opened(client, H, path, monkeypatch):
    import builtins

    opened = []
    real = builtins.open
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: (opened.append(str(f)), real(f, *a, **k))[1])
    r = client.get(path, headers=H)
    assert r.status_code in (200, 404, 422)
    if r.status_code == 200:
        assert r.json()["valid"] is False
    assert not any("passwd" in f or "windows" in f for f in opened)


def test_buildings_near_and_geometry_are_geojson(client, H, sample):
    b = sample[1]
    fc = client.get("/v1/buildings/near", params={"x": b.x, "y": b.y, "k": 3}, headers=H).json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 3
    assert fc["features"][0]["properties"]["code"] == b["code"]
    d = [f["properties"]["distance_m"] for f in fc["features"]]
    assert d == sorted(d)
    g = client.get("/v1/geometry", params={"codes": f"{b['code']},{b['grid_code']},nope"}, headers=H).json()
    assert [(f["properties"]["code"], f["properties"]["level"]) for f in g["features"]] == [
        (b["code"], "building"), (b["grid_code"], "grid")]
    assert g["missing"] == ["nope"] and g["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    many = ",".join(["x"] * 1001)
    r = client.get("/v1/geometry", params={"codes": many}, headers=H)
    assert r.status_code == 413 and "1,000" in r.json()["detail"]


def test_healthz_metrics_openapi(client, H, sample):
    assert client.get("/healthz").json()["version"] == 1
    client.get("/v1/match", params={"q": sample[0]}, headers=H)
    m = client.get("/metrics").text
    assert 'hzaddr_requests_total{method="GET",route="/v1/match",status="200"}' in m
    assert 'hzaddr_request_duration_seconds_bucket{route="/v1/match",le="+Inf"}' in m
    assert 'hzaddr_batch_size_count{route="/v1/match"}' in m
    paths = client.get("/openapi.json").json()["paths"]
    routes = {(r.path, m.lower()) for r in client.app.routes if getattr(r, "include_in_schema", False)
              for m in r.methods}
    assert routes == {(p, m) for p, ops in paths.items() for m in ops}
    assert {("/v1/match", "get"), ("/v1/match", "post"), ("/v1/parse", "post"), ("/v1/locate", "get"),
            ("/v1/locate", "post"), ("/v1/codes/{code}", "get"), ("/v1/divisions", "get"), ("/v1/upgrade", "post"),
            ("/v1/buildings/near", "get"), ("/v1/geometry", "get"), ("/v1/changes", "post"), ("/healthz", "get"),
            ("/metrics", "get")} <= routes


def test_401_403_429(client, keys, tiny_registry):
    assert client.get("/v1/match", params={"q": "a"}).status_code == 401
    assert client.get("/v1/match", params={"q": "a"}, headers={"X-API-Key": "hz_00000000_nope"}).status_code == 401
    forged = keys[1]["read"][:-2] + ("AA" if not keys[1]["read"].endswith("AA") else "BB")
    assert client.get("/v1/match", params={"q": "a"}, headers={"X-API-Key": forged}).status_code == 401
    r = client.post("/v1/changes", json=[], headers={"X-API-Key": keys[1]["read"], "If-Match": "1"})
    assert r.status_code == 403 and "edit" in r.json()["detail"]
    slow = {"X-API-Key": keys[1]["slow"]}
    codes = [client.get("/v1/match", params={"q": "a"}, headers=slow).status_code for _ in range(3)]
    assert codes[0] == 200 and codes[-1] == 429
    r = client.get("/v1/match", params={"q": "a"}, headers=slow)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_the_workers_share_a_keys_rate(tiny_registry):
    """create_app(workers=n): each process spends 1/n of a key's rate (hzaddr serve --workers passes it), so n
    workers together never exceed it: a burst of 4 at 4/s in one process, 2 in each of two."""
    store = KeyStore()
    key = {"X-API-Key": store.add("burst", scope="read", rate="4/s")}

    def allowed(app):
        c = TestClient(app)
        return sum(c.get("/v1/match", params={"q": "a"}, headers=key).status_code == 200 for _ in range(8))

    one, two = allowed(create_app(tiny_registry, keys=store, page=False)), \
        allowed(create_app(tiny_registry, keys=store, page=False, workers=2))
    assert one >= 4 and 2 <= two < one  # (the bucket refills a little while the 8 requests run)
    with pytest.raises(Exception, match="workers"):
        create_app(tiny_registry, keys=store, page=False, workers=0)


def test_413_and_422(client, H):
    r = client.post("/v1/match", content=b'{"texts": ["' + b"a" * (5 * 2**20) + b'"]}',
                    headers={**H, "Content-Type": "application/json"})
    assert r.status_code == 413

    def chunks():  # no Content-Length: the streamed size is counted
        for _ in range(6):
            yield b"a" * 2**20

    assert client.post("/v1/match", content=chunks(), headers=H).status_code == 413
    r = client.post("/v1/match", json={"texts": ["a"] * 1001}, headers=H)
    assert r.status_code == 413 and "at most 1,000" in r.json()["detail"]
    r = client.post("/v1/match", content=b'{"texts": [', headers={**H, "Content-Type": "application/json"})
    assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]
    r = client.post("/v1/match", json={"text": ["a"]}, headers=H)
    assert r.status_code == 422 and r.json()["problems"] == [
        "texts: required field missing", "text: not a field of this request (see /openapi.json)"]
    r = client.post("/v1/match", json={"texts": ["a"], "fuzzy": 0}, headers=H)  # 0 is no boolean (the schema's)
    assert r.status_code == 422 and r.json()["detail"].startswith("fuzzy:")
    r = client.post("/v1/match", content=b'\xff\xfe{"texts"', headers={**H, "Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]  # not UTF-8: malformed, like bad JSON
    r = client.post("/v1/match", json={"texts": "a"}, headers=H)
    assert r.status_code == 422 and r.json()["detail"].startswith("texts:")


def test_access_log_has_no_text_result_or_key(client, keys, sample, caplog):
    text, b = sample
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.get("/v1/match", params={"q": text}, headers={"X-API-Key": keys[1]["read"]})
        client.post("/v1/match", json={"texts": [text, text]}, headers={"X-API-Key": keys[1]["read"]})
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 2 and "key=reader" in lines[0] and "route=GET /v1/match" in lines[0]
    assert "status=200" in lines[1] and "batch=2" in lines[1]
    for line in lines:
        assert text not in line and b["code"] not in line and keys[1]["read"] not in line
        assert "滨" not in line


# ----------------------------------------------------------------------------------------- edits
@pytest.fixture()
def city(tmp_path, tiny_city_dir, keys):
    d = tmp_path / "city"
    shutil.copytree(tiny_city_dir, d)
    return d, TestClient(create_app(keys=keys[0], city_dir=d, page=False))


def _retire(code):
    return [{"op": "retire_building", "code": code, "date": "2026-12-01", "reason": "拆除"}]


def test_edit_applies_audits_and_serves_the_new_version(city, keys, sample):
    d, c = city
    code = sample[1]["code"]
    E = {"X-API-Key": keys[1]["edit"]}
    assert "lifecycle" not in c.get(f"/v1/codes/{code}", headers=E).json()
    r = c.post("/v1/changes", json=_retire(code), headers={**E, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.headers["ETag"] == '"2"' and r.json()["changes"][0]["kind"] == "retire_building"
    assert c.get("/healthz").json()["version"] == 2
    after = c.get(f"/v1/codes/{code}", headers=E).json()
    assert after["lifecycle"]["status"] == "retired" and after["lifecycle"]["date"] == "2026-12-01"
    assert c.get("/v1/geometry", params={"codes": code}, headers=E).json()["missing"] == [code]
    audit = [json.loads(x) for x in (d.parent / "city.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(audit) == 1 and audit[0]["key"] == "editor" and audit[0]["outcome"] == "applied"
    assert audit[0]["version"] == 2 and audit[0]["change_ids"] == [r.json()["changes"][0]["change_id"]]
    assert "拆除" not in (d.parent / "city.audit.jsonl").read_text(encoding="utf-8")  # no request body
    # the version's own change log names the key, written with the version (a worker killed between the swap
    # and the audit line leaves this record all the same)
    from hangzhou_address.io.city import open_city

    log = open_city(d).metadata["changes"]
    assert log[-1]["applied_by"] == "editor" and log[-1]["change_id"] == r.json()["changes"][0]["change_id"]
    # the same If-Match again: the city moved on
    r = c.post("/v1/changes", json=_retire(code), headers={**E, "If-Match": "1"})
    assert r.status_code == 412 and r.headers["ETag"] == '"2"'


def test_edit_refusals_write_nothing(city, keys, sample):
    d, c = city
    before = sorted(p.name for p in d.iterdir())
    manifest = (d / "manifest.json").read_bytes()
    E = {"X-API-Key": keys[1]["edit"]}
    assert c.post("/v1/changes", json=_retire(sample[1]["code"]), headers={**E, "If-Match": "7"}).status_code == 412
    assert c.post("/v1/changes", json=_retire(sample[1]["code"]), headers=E).status_code == 428
    bad = c.post("/v1/changes", json=[{"op": "demolish"}], headers={**E, "If-Match": "1"})
    assert bad.status_code == 422 and "unknown op 'demolish'" in bad.json()["detail"]
    r = c.post("/v1/changes", json=_retire("33010899999999999999"), headers={**E, "If-Match": "1"})
    assert r.status_code == 422
    regrid = [{"op": "regrid", "code": "330108001001", "grids": "/etc/passwd", "date": "2026-12-01", "reason": "r"}]
    r = c.post("/v1/changes", json=regrid, headers={**E, "If-Match": "1"})
    assert r.status_code == 422 and "file paths are not accepted" in r.json()["detail"]
    read = {"X-API-Key": keys[1]["read"], "If-Match": "1"}
    assert c.post("/v1/changes", json=_retire(sample[1]["code"]), headers=read).status_code == 403
    assert (d / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in d.iterdir()) == before
    assert c.get("/healthz").json()["version"] == 1


def test_edit_conflict_is_409(city, keys, sample, monkeypatch):
    from hangzhou_address.errors import ChangeConflictError
    from hangzhou_address.io import versions

    d, c = city

    def racing(*a, **k):
        raise ChangeConflictError("updated by another process")

    monkeypatch.setattr(versions, "apply_to_directory", racing)
    r = c.post("/v1/changes", json=_retire(sample[1]["code"]),
               headers={"X-API-Key": keys[1]["edit"], "If-Match": "1"})
    assert r.status_code == 409


def test_without_a_city_directory_edits_are_503(client, keys, sample):
    r = client.post("/v1/changes", json=_retire(sample[1]["code"]),
                    headers={"X-API-Key": keys[1]["edit"], "If-Match": "1"})
    assert r.status_code == 503


def test_405_lists_every_method_of_the_path(client, H):
    r = client.delete("/v1/match", headers=H)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, POST"


def test_a_batch_over_the_time_limit_is_abandoned_with_503(tiny_registry, keys, H, monkeypatch):
    """Limits.max_request_seconds: checked between slices of the batch (here: a clock that jumps 10 s per read)."""
    import itertools

    from hangzhou_address.server import app as app_module

    ticks = itertools.count(0.0, 10.0)
    monkeypatch.setattr(app_module.time, "monotonic", lambda: next(ticks))
    c = TestClient(create_app(tiny_registry, keys=keys[0], page=False, limits={"max_request_seconds": 15}))
    r = c.post("/v1/match", json={"texts": ["滨江区"] * 200}, headers=H)
    assert r.status_code == 503 and "longer than 15 s" in r.json()["detail"] and "smaller batches" in r.json()["detail"]
    assert c.post("/v1/match", json={"texts": ["滨江区"] * 50}, headers=H).status_code == 200  # one slice: no check


def test_limits_are_configurable(tiny_registry, keys, H):
    c = TestClient(create_app(tiny_registry, keys=keys[0], limits=Limits(max_batch=2, max_body_bytes=1000),
                              page=False))
    assert c.post("/v1/match", json={"texts": ["a", "b", "c"]}, headers=H).status_code == 413
    assert c.post("/v1/upgrade", json={"codes": ["x" * 1200]}, headers=H).status_code == 413


def test_nothing_is_loaded_from_the_internet():
    """Offline: the interactive /docs and /redoc pages (scripts from a CDN) are not served; the schema is."""
    from fastapi.testclient import TestClient

    from hangzhou_address.server import create_app
    from hangzhou_address.testing import tiny_registry

    client = TestClient(create_app(tiny_registry()))
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200
