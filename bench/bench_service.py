"""Benchmark: the HTTP API (`hzaddr serve`, uvicorn, 2 workers) on loopback, against in-process match_many.

Usage: python bench/bench_service.py [--city DIR] [--seconds 20] [--concurrency 32] [--workers 2] [--wrk-texts N]

Starts `hzaddr serve` in a subprocess (embedded SYNTHETIC city unless --city) with a fresh keys file, then a
bounded asyncio/httpx client (--concurrency connections, --seconds each phase):
  1. GET /v1/match?q=… with addresses of the city (requests/s, p50/p99 latency, errors);
  2. POST /v1/match with batches of 1,000 texts (addresses/s); with --wrk-texts, again with ``wrk`` (a C client
     that leaves the cores to the server), every batch distinct until the N texts run out;
and in-process ``Matcher.match_many`` on the same texts (addresses/s) for the ratio. The server and the client
share the machine's cores (loopback only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _service import free_port, stop_server, wait_until_up  # noqa: E402



def texts_of(city: Path | None, n: int) -> list[str]:
    from hangzhou_address.cli._registry import open_registry

    reg = open_registry(city)
    a = reg.addresses
    return ["杭州市" + t for t in a["text"].sample(min(n, len(a)), random_state=7)]


async def run_phase(url: str, key: str, seconds: float, concurrency: int, make_request) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = 0
    done = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, limits=limits, timeout=30.0) as client:
        async def worker(w: int) -> None:
            nonlocal errors, done
            i = w
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await make_request(client, i)
                    ok = r.status_code == 200
                    if not ok:
                        print(f"error: status {r.status_code}", file=sys.stderr)
                except httpx.HTTPError as exc:
                    ok = False
                    print(f"error: {type(exc).__name__}", file=sys.stderr)
                latencies.append(time.perf_counter() - t)
                done += 1
                errors += not ok
                i += concurrency

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return latencies, done, errors


_WRK_LUA = """
local bodies = {}
for line in io.lines(os.getenv("HZ_BODIES")) do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #bodies then i = 1 end
  return wrk.format("POST", "/v1/match", {["Content-Type"] = "application/json",
                                          ["X-API-Key"] = os.getenv("HZ_KEY")}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %d\\n", summary.requests, summary.errors.status + summary.errors.read +
           summary.errors.write + summary.errors.connect + summary.errors.timeout, latency:percentile(50),
           latency:percentile(99), summary.duration))
end
"""


def wrk_batches(port: int, key: str, texts: list[str], seconds: float, connections: int, tmp: Path) -> float | None:
    """``POST /v1/match`` batches of 1,000 texts with ``wrk`` (one thread, a C client: the server keeps the cores),
    each batch distinct (no text sent twice) until the texts run out; prints addresses/s and how many batches
    were repeats."""
    import json
    import shutil

    if shutil.which("wrk") is None:
        print("POST /v1/match with wrk: skipped (wrk is not installed; Debian: apt-get install wrk)")
        return None
    bodies = tmp / "bodies.jsonl"
    n_batches = len(texts) // 1000
    with bodies.open("w", encoding="utf-8") as fh:
        for i in range(n_batches):
            fh.write(json.dumps({"texts": texts[i * 1000:(i + 1) * 1000], "fuzzy": True}, ensure_ascii=False) + "\n")
    (tmp / "batches.lua").write_text(_WRK_LUA, encoding="utf-8")
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "30s",
                          "-s", str(tmp / "batches.lua"), f"http://127.0.0.1:{port}"],
                         env={**os.environ, "HZ_BODIES": str(bodies), "HZ_KEY": key},
                         capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        print("wrk failed:", out.stdout[-500:], out.stderr[-500:])
        return None
    requests, errors, p50, p99, duration_us = map(int, line.split()[1:])
    secs = duration_us / 1e6
    print(f"POST /v1/match (1,000 texts) with wrk -t1 -c{connections}: {(requests - errors) * 1000 / secs:,.0f} "
          f"addresses/s, p50 {p50 / 1e3:.0f} ms, p99 {p99 / 1e3:.0f} ms per batch, errors {errors} of {requests:,}; "
          f"{n_batches:,} distinct batches, {max(requests - n_batches, 0):,} sent again")
    return (requests - errors) * 1000 / secs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--city", type=Path)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--wrk-texts", type=int, default=0,
                    help="also POST batches with wrk: this many distinct texts (e.g. 600000 for a 20 s run)")
    args = ap.parse_args()

    texts = texts_of(args.city, 20_000)
    wrk_texts = texts_of(args.city, args.wrk_texts) if args.wrk_texts else []
    tmp = Path(tempfile.mkdtemp(prefix="hzaddr-bench-service-"))
    from hangzhou_address.server.keys import KeyStore

    key = KeyStore(tmp / "keys.toml").add("bench", scope="read", rate="1000000/s")
    port = free_port()
    cmd = [sys.executable, "-m", "hangzhou_address", "serve", "--keys", str(tmp / "keys.toml"), "--port", str(port),
           "--workers", str(args.workers), "--log-level", "warning",
           "--access-log", str(tmp / "access.log")]  # (written, as in production; not mixed into the report)
    if args.city:
        cmd += ["--city", str(args.city)]
    server = subprocess.Popen(cmd, env={**os.environ}, start_new_session=True)
    served_wrk = None
    url = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        if not wait_until_up(url, server, 300):
            print("server did not start", file=sys.stderr)
            return 1
        # every worker warm: a few hundred requests before measuring
        asyncio.run(run_phase(url, key, 3.0, args.concurrency,
                              lambda c, i: c.get("/v1/match", params={"q": texts[i % len(texts)]})))
        print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, server start "
              f"{time.perf_counter() - t0:.1f} s, {args.workers} workers, {args.concurrency} connections, "
              f"{'city ' + str(args.city) if args.city else 'embedded SYNTHETIC city'}")
        lat, n, err = asyncio.run(run_phase(url, key, args.seconds, args.concurrency,
                                            lambda c, i: c.get("/v1/match", params={"q": texts[i % len(texts)]})))
        ms = np.asarray(lat) * 1000
        print(f"GET /v1/match: {n / args.seconds:,.0f} requests/s, p50 {np.percentile(ms, 50):.1f} ms, "
              f"p99 {np.percentile(ms, 99):.1f} ms, errors {err} of {n:,} ({args.seconds:.0f} s)")
        batches = [texts[i:i + 1000] for i in range(0, len(texts) - 999, 1000)]
        lat, n, err = asyncio.run(run_phase(
            url, key, args.seconds, min(args.concurrency, 4),
            lambda c, i: c.post("/v1/match", json={"texts": batches[i % len(batches)], "fuzzy": True})))
        served = (n - err) * 1000 / args.seconds
        print(f"POST /v1/match (1,000 texts): {served:,.0f} addresses/s, p50 {np.median(lat):.2f} s per batch, "
              f"errors {err} of {n:,} (4 connections; {len(batches)} batches, sent again and again)")
        served_wrk = wrk_batches(port, key, wrk_texts, args.seconds, 4, tmp) if wrk_texts else None
    finally:
        stop_server(server)
    from hangzhou_address.cli._registry import open_registry
    from hangzhou_address.matcher import Matcher

    m = Matcher(open_registry(args.city))
    m.match_many(texts[:2000])  # warm
    t = time.perf_counter()
    m.match_many(texts[:10_000])
    inproc = 10_000 / (time.perf_counter() - t)
    print(f"in-process match_many (1 process): {inproc:,.0f} addresses/s; service batch / in-process = "
          f"{served / inproc:.2f} (Python client)" + (f", {served_wrk / inproc:.2f} (wrk)" if served_wrk else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
