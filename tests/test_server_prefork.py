"""``hzaddr serve`` as a user runs it (hangzhou_address.server.prefork): workers forked from a master that has
loaded the (embedded, SYNTHETIC) city, the access log on, a killed worker replaced at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("gunicorn")
pytest.importorskip("uvicorn_worker")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from _service import free_port, stop_server, wait_until_up  # noqa: E402


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the master's workers), from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return sorted(out)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc (Linux)")
    tmp = tmp_path_factory.mktemp("serve")
    keys = tmp / "keys.toml"
    out = subprocess.run([sys.executable, "-m", "hangzhou_address.cli", "keys", "add", "clerk-app", "--rate",
                          "10000/s", "--keys", str(keys)], capture_output=True, text=True, check=True)
    key = out.stdout.strip().splitlines()[-1]
    port = free_port()
    log = tmp / "access.log"
    proc = subprocess.Popen([sys.executable, "-m", "hangzhou_address.cli", "serve", "--keys", str(keys), "--port",
                             str(port), "--workers", "2", "--access-log", str(log), "--log-level", "warning"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        up = wait_until_up(url, proc, timeout=120, poll=0.2, ready=lambda: len(_children(proc.pid)) == 2)
        assert up, proc.stderr.read().decode()[-2000:] if proc.poll() is not None else "not up in 120 s"
        yield proc, url, {"X-API-Key": key}, key, log
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def address():
    """A text of the embedded registry, its road or compound name and its building code."""
    from hangzhou_address import default_registry

    row = default_registry().addresses.iloc[123]
    return row["text"], row["road"] if isinstance(row["road"], str) else row["poi"], row["building_code"]


def test_the_access_log_names_key_route_status_never_the_text_or_the_key(server, address):
    proc, url, headers, key, log = server
    text, road, code = address
    for _ in range(4):  # a new connection each: both workers
        r = httpx.get(url + "/v1/match", params={"q": text}, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
    r = httpx.post(url + "/v1/match", json={"texts": [text, text, text]}, headers=headers, timeout=30)
    assert r.status_code == 200
    assert httpx.get(url + "/v1/match", params={"q": text}, timeout=30).status_code == 401
    deadline = time.monotonic() + 10
    lines: list[str] = []
    while time.monotonic() < deadline:  # (the workers write their lines as they answer)
        lines = log.read_text(encoding="utf-8").splitlines()
        if sum("route=POST /v1/match" in ln for ln in lines) >= 1 and sum("status=401" in ln for ln in lines):
            break
        time.sleep(0.1)
    gets = [ln for ln in lines if "key=clerk-app route=GET /v1/match status=200" in ln]
    assert len(gets) >= 4 and all(" ms=" in ln and "batch=1" in ln for ln in gets)
    assert any("key=clerk-app route=POST /v1/match status=200" in ln and "batch=3" in ln for ln in lines)
    assert any("key=- route=GET /v1/match status=401" in ln for ln in lines)
    whole = log.read_text(encoding="utf-8")
    for secret in (text, road, code, code[:12], key, key.split("_", 2)[2]):  # no text, no result, no key
        assert secret not in whole
    assert {int(ln.split()[2]) for ln in gets} <= set(_children(proc.pid))  # each line names its worker


def test_a_killed_worker_is_replaced_at_once_and_answers(server, address):
    proc, url, headers, _key, log = server
    text, _, code = address
    before = _children(proc.pid)
    assert len(before) == 2
    victim = before[0]
    t0 = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    answered = 0
    while time.monotonic() - t0 < 5:  # the other worker answers meanwhile
        r = httpx.get(url + "/v1/match", params={"q": text}, headers=headers, timeout=10)
        answered += r.status_code == 200
        now = _children(proc.pid)
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.05)
    now = _children(proc.pid)
    assert victim not in now and len(now) == 2, (before, now)
    assert answered >= 1
    replaced_after = time.monotonic() - t0
    assert replaced_after < 5
    (new,) = set(now) - set(before)
    served = False
    deadline = time.monotonic() + 10
    while not served and time.monotonic() < deadline:  # forked from the loaded master: answers at once
        r = httpx.get(url + "/v1/match", params={"q": text}, headers=headers, timeout=10)
        assert r.status_code == 200 and r.json()["code"] == code, r.text
        served = any(f" {new} key=clerk-app" in ln for ln in log.read_text(encoding="utf-8").splitlines())
    assert served, f"the new worker {new} did not answer"
    assert proc.poll() is None


def test_a_1_mb_address_in_a_query_string_gets_a_json_400_and_the_worker_goes_on(server):
    """The HTTP parser refuses a request line over its limit before the app sees it: the answer is still the
    service's JSON error, saying to POST long texts (hangzhou_address.server.protocol), and nothing is stuck."""
    import json
    import socket
    import urllib.parse

    from hangzhou_address.server.protocol import BAD_REQUEST_DETAIL

    proc, url, headers, _key, _log = server
    port = int(url.rsplit(":", 1)[1])
    q = urllib.parse.quote("文" * 120_000)  # ~1 MB encoded
    request = (f"GET /v1/match?q={q} HTTP/1.1\r\nHost: x\r\nX-API-Key: {headers['X-API-Key']}\r\n"
               "Connection: close\r\n\r\n").encode()
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(request)
        except OSError:  # (the server may close before all of it is sent)
            pass
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"content-type: application/json" in head.lower()
    assert json.loads(body) == {"detail": BAD_REQUEST_DETAIL} and "POST /v1/match" in BAD_REQUEST_DETAIL
    assert time.monotonic() - t0 < 5
    assert httpx.get(url + "/healthz", timeout=10).status_code == 200
