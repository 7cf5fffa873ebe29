"""Shared pieces of the service benchmarks (bench_service.py, bench_service_faults.py): a free loopback port,
waiting for ``hzaddr serve`` to answer, and stopping it with its workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float, poll: float = 0.5,
                  ready: Callable[[], bool] = lambda: True) -> bool:
    """Whether ``/healthz`` answered 200 (and ``ready()`` held) within ``timeout`` seconds; False as soon as the
    server process exits."""
    t0 = time.perf_counter()
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200 and ready():
                return True
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.perf_counter() - t0 > timeout:
            return False
        time.sleep(poll)


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL after 20 s."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
