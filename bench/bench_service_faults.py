"""Fault benchmark: edits through the HTTP API while one of its workers is killed (issue #17).

Usage: python bench/bench_service_faults.py [--seconds 16] [--kills 3] [--kill-after 4] [--workers 2] [--scale 0.01]
       python bench/bench_service_faults.py --postgis DSN [--restart-cmd "pg_ctlcluster 15 main restart"]
       python bench/bench_service_faults.py --city DIR   (an existing city, e.g. the full one: reads only, no edits)

Builds a small SYNTHETIC city directory (``hzaddr city build --districts 330108``), starts ``hzaddr serve --city``
with ``--workers`` workers (forked from the master that loaded the city: hangzhou_address.server.prefork), and runs
two clients at once for ``--seconds``:

* an editor: one ``POST /v1/changes`` after another, each retiring another building of the city with
  ``If-Match`` (412 → the current version from the answer's ETag, then again); a request whose connection
  breaks is tried again, and a "already retired" refusal then tells that the lost request had been applied;
* a reader: ``GET /v1/match`` in a loop (errors and the longest gap without an answer).

Every ``--kill-after`` seconds (``--kills`` times), while an edit is in flight, a worker process gets SIGKILL
(each request opens its own connection, so edits reach every worker, the killed one included). Afterwards the directory is read back: every
edit the service accepted (200) must be in it, the version must count exactly the edits applied, each of them
named in the version's change log with the key that applied it (the audit file may lack the line of an edit whose
worker was killed after the new version was written), and the service must have answered again within 5 s and the
killed worker's replacement must have answered a request (its process id in the access log) within 5 s. With
``--city DIR`` that city is served as it is (the full city: the replacement's readiness at scale) and only the
reader runs. With ``--postgis``
the city is served from a fresh schema of that database, and the database is restarted (``--restart-cmd``)
instead: edits meanwhile must be 503 and nothing else, reads must go on. Everything is on loopback; the city's
buildings are SYNTHETIC.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _service import free_port, stop_server, wait_until_up  # noqa: E402



def workers_of(pid: int) -> list[int]:
    """The worker processes of the server ``pid``: its children (gunicorn's forked workers; without gunicorn,
    uvicorn's spawned ones — not multiprocessing's resource tracker)."""
    import psutil

    out = []
    for p in psutil.Process(pid).children():
        try:
            if "resource_tracker" not in " ".join(p.cmdline()):
                out.append(p.pid)
        except psutil.NoSuchProcess:
            pass
    return sorted(out)


def answered_by(access_log: Path, pid: int) -> bool:
    """Whether worker ``pid`` has answered a request (a line of the access log names it)."""
    try:
        return f" {pid} key=" in access_log.read_text(encoding="utf-8")
    except OSError:
        return False


def editor(url: str, key: str, codes: list[str], stop: threading.Event, in_flight: threading.Event,
           out: dict) -> None:
    accepted: list[tuple[str, int]] = []  # (building, version)
    lost_then_found: list[str] = []
    lost_unresolved: list[str] = []
    other: dict[int, int] = {}
    version = int(httpx.get(url + "/healthz", timeout=5).json()["version"])
    # a new connection per request: the edits go to every worker, the killed one included
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30.0, limits=limits) as client:
        for code in codes:
            if stop.is_set():
                break
            body = [{"op": "retire_building", "code": code, "date": "2026-12-02", "reason": "fault test"}]
            broke = False
            for _attempt in range(200):
                try:
                    in_flight.set()
                    r = client.post("/v1/changes", json=body, headers={"If-Match": str(version)})
                except httpx.HTTPError:
                    broke = True  # the worker died with the request: applied or not, the retry tells
                    out["broken_requests"] = out.get("broken_requests", 0) + 1
                    time.sleep(0.1)
                    continue
                finally:
                    in_flight.clear()
                if r.status_code == 200:
                    version = int(r.json()["version"])
                    accepted.append((code, version))
                    if broke:
                        out["lost_then_applied_on_retry"] = out.get("lost_then_applied_on_retry", 0) + 1
                    break
                if r.status_code == 412:
                    version = int(r.headers["ETag"].strip('"'))
                    continue
                if r.status_code == 503:  # the database restarting: try again (it may have taken the change
                    out["unavailable"] = out.get("unavailable", 0) + 1  # before it went away: then 412, and
                    broke = True                                          # "already retired" tells)
                    time.sleep(0.2)
                    continue
                if r.status_code == 422 and "already retired" in r.json().get("detail", "") and broke:
                    lost_then_found.append(code)  # the lost request had been applied
                    version = int(httpx.get(url + "/healthz", timeout=5).json()["version"])
                    break
                other[r.status_code] = other.get(r.status_code, 0) + 1
                break
            else:
                lost_unresolved.append(code)
    out.update(accepted=accepted, lost_then_found=lost_then_found, lost_unresolved=lost_unresolved, other=other)


def reader(url: str, key: str, stop: threading.Event, out: dict, fresh_connections: bool = False) -> None:
    """``GET /v1/match`` in a loop on one kept-alive connection (one worker), or a new connection per request
    (``fresh_connections``: every worker, a killed one's replacement included)."""
    ok = errors = 0
    last_ok = time.perf_counter()
    gaps: list[tuple[float, float]] = []  # (start, length) of stretches without an answer
    limits = httpx.Limits(max_keepalive_connections=0) if fresh_connections else httpx.Limits()
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=10.0, limits=limits) as client:
        while not stop.is_set():
            try:
                r = client.get("/v1/match", params={"q": "滨江区西兴街道江南大道1号"})
                good = r.status_code == 200
            except httpx.HTTPError:
                good = False
            now = time.perf_counter()
            if good:
                if now - last_ok > 0.5:
                    gaps.append((last_ok, now - last_ok))
                ok, last_ok = ok + 1, now
            else:
                errors += 1
    out.update(ok=ok, errors=errors, gaps=gaps)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=16.0)
    ap.add_argument("--kill-after", type=float, default=4.0, help="seconds between kills")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--postgis", metavar="DSN", help="serve the city from this PostGIS database (a fresh schema) and "
                    "restart the database instead of killing workers")
    ap.add_argument("--restart-cmd", default="pg_ctlcluster 15 main restart",
                    help="how to restart the database (with --postgis)")
    ap.add_argument("--city", type=Path, help="serve this city directory as it is (reads only, no edits)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hzaddr-bench-faults-"))
    city = tmp / "city"
    read_only = args.city is not None
    if read_only:
        city = args.city
    else:
        subprocess.run([sys.executable, "-m", "hangzhou_address", "city", "build", "--scale", str(args.scale),
                        "--districts", "330108", "-o", str(city), "--quiet"], check=True)
    from hangzhou_address.io.city import open_city
    from hangzhou_address.io.embedded import load_official_divisions
    from hangzhou_address.server.keys import KeyStore

    divisions, lineage = load_official_divisions()
    reg = open_city(city, divisions=divisions, lineage=lineage)
    b = reg.buildings
    codes = list(b.loc[b["status"] == "active", "code"]) if "status" in b else list(b["code"])
    v0 = int(reg.version)
    keys = KeyStore(tmp / "keys.toml")
    edit_key = keys.add("fault-editor", scope="edit", rate="100000/s")
    read_key = keys.add("fault-reader", scope="read", rate="100000/s")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    source = ["--city", str(city)]
    schema = None
    if args.postgis:
        import uuid

        from hangzhou_address.io.postgis import write_postgis

        schema = f"faults_{uuid.uuid4().hex[:8]}"
        write_postgis(reg, args.postgis, schema=schema)
        source = ["--postgis", args.postgis, "--schema", schema, "--audit", str(tmp / "audit.jsonl")]
    access_log = tmp / "access.log"
    server = subprocess.Popen([sys.executable, "-m", "hangzhou_address", "serve", *source, "--keys",
                               str(tmp / "keys.toml"), "--port", str(port), "--workers", str(args.workers),
                               "--log-level", "warning", "--access-log", str(access_log)], start_new_session=True)
    try:
        if not wait_until_up(url, server, 120, poll=0.3, ready=lambda: len(workers_of(server.pid)) >= args.workers):
            print("server did not start", file=sys.stderr)
            return 1
        time.sleep(1.0)
        stop, in_flight = threading.Event(), threading.Event()
        ed: dict = {}
        rd: dict = {}
        threads = [threading.Thread(target=reader, args=(url, read_key, stop, rd, read_only))]
        if not read_only:
            threads.append(threading.Thread(target=editor, args=(url, edit_key, codes, stop, in_flight, ed)))
        else:
            ed.update(accepted=[], lost_then_found=[], lost_unresolved=[], other={})
        t_start = time.perf_counter()
        for t in threads:
            t.start()
        # (time, victim, seconds until a new worker was there, seconds until it had answered a request)
        kills: list[tuple[float, int, float | None, float | None]] = []
        restarts: list[float] = []  # seconds the restart command took
        for k in range(args.kills if not args.postgis else 1):
            if args.postgis:  # the database restarted under load, instead of a worker killed
                time.sleep(max(0.0, t_start + args.kill_after - time.perf_counter()))
                t_r = time.perf_counter()
                subprocess.run(shlex.split(args.restart_cmd), check=True, capture_output=True)
                restarts.append(time.perf_counter() - t_r)
                continue
            time.sleep(max(0.0, t_start + args.kill_after * (k + 1) - time.perf_counter()))
            if not read_only:
                in_flight.wait(timeout=5)  # while an edit is being answered (by this worker or the other one)
            before = workers_of(server.pid)
            victim = before[k % args.workers]
            t_kill = time.perf_counter()
            os.kill(victim, signal.SIGKILL)
            back = ready = None
            while time.perf_counter() - t_kill < 30:
                new = [p for p in workers_of(server.pid) if p not in before]
                if new and back is None:
                    back = time.perf_counter() - t_kill
                if new and answered_by(access_log, new[0]):
                    ready = time.perf_counter() - t_kill
                    break
                time.sleep(0.02)
            kills.append((t_kill, victim, back, ready))
        time.sleep(max(0.0, t_start + args.seconds - time.perf_counter()))
        stop.set()
        for t in threads:
            t.join()
    finally:
        stop_server(server)

    if read_only:
        gap = max((g for _s, g in rd["gaps"]), default=0.0)
        print(f"# {os.cpu_count()} cores; {args.workers} workers; city {city} ({len(codes):,} buildings, SYNTHETIC), "
              f"reads only; {len(kills)} × kill -9 of a worker, every {args.kill_after:g} s of {args.seconds:g} s")
        for _t, victim, back, ready in kills:
            print(f"  killed {victim}: a new worker after {back if back is None else round(back, 2)} s, it answered "
                  f"after {ready if ready is None else round(ready, 2)} s")
        print(f"reads: {rd['ok']:,} answered, {rd['errors']} failed; longest gap without an answer {gap:.2f} s")
        ok = gap <= 5.0 and all(r is not None and r <= 5.0 for *_x, r in kills)
        print("RESULT:", "ok" if ok else "FAILED")
        return 0 if ok else 1
    if args.postgis:
        from hangzhou_address.io.postgis import read_postgis

        after = read_postgis(args.postgis, schema=schema)
    else:
        after = open_city(city, divisions=divisions, lineage=lineage)
    status = dict(zip(after.buildings["code"], after.buildings["status"]))
    accepted = [c for c, _v in ed["accepted"]]
    missing = [c for c in accepted + ed["lost_then_found"] if status.get(c) != "retired"]
    applied_lines = 0
    audit = tmp / "audit.jsonl" if args.postgis else city.parent / f"{city.name}.audit.jsonl"
    if audit.exists():
        applied_lines = sum(json.loads(line)["outcome"] == "applied" for line in audit.read_text().splitlines())
    n_applied = len(accepted) + len(ed["lost_then_found"])
    signed = sum(e.get("applied_by") == "fault-editor" for e in after.metadata.get("changes", ()))
    retired_now = sum(status.get(c) == "retired" for c in codes)
    gap = max((g for _s, g in rd["gaps"]), default=0.0)
    respawned = max((r if r is not None else float("inf") for _t, _v, _b, r in kills), default=0.0)
    what = (f"the database restarted ({args.restart_cmd!r}, {restarts[0]:.1f} s) {args.kill_after:g} s into "
            f"{args.seconds:g} s" if args.postgis else
            f"{len(kills)} × kill -9 of a worker while an edit was in flight, every {args.kill_after:g} s of "
            f"{args.seconds:g} s")
    print(f"# {os.cpu_count()} cores; {args.workers} workers; SYNTHETIC city of {len(codes):,} buildings"
          f"{' in PostGIS' if args.postgis else ''}; {what}")
    print(f"edits accepted (200): {len(accepted):,}; requests broken by a kill: {ed.get('broken_requests', 0)} — "
          f"found applied on retry (\"already retired\"): {len(ed['lost_then_found'])}, applied on retry: "
          f"{ed.get('lost_then_applied_on_retry', 0)}, unresolved: {len(ed['lost_unresolved'])}; "
          f"503 while the database was away: {ed.get('unavailable', 0)}; other statuses: {ed['other']}")
    print(f"accepted edits missing from the directory afterwards: {len(missing)}")
    print(f"version {v0} → {int(after.version)} (edits applied {n_applied:,}; buildings retired {retired_now:,}); "
          f"change log entries naming the key {signed:,}; audit-file 'applied' lines {applied_lines:,} (a worker killed "
          f"between the new version and its audit line leaves only the change log's record)")
    print(f"reads: {rd['ok']:,} answered, {rd['errors']} failed; longest gap without an answer after the kill "
          f"{gap:.2f} s; a killed worker's replacement answering at most {respawned:.2f} s after the kill")
    ok = (not missing and int(after.version) - v0 == n_applied == retired_now == signed >= applied_lines
          # the service answers again within 5 s (the other worker never stops), and so does the killed worker's
          # replacement (forked from the loaded master)
          and gap <= 5.0 and respawned <= 5.0 and not ed["lost_unresolved"])
    print("RESULT:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
