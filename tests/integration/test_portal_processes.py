"""Issue 11: the public portal caches what it reads in each app process, and a
publication through one process shows on every other at its very next request.
Two real ``procurement serve`` processes on one database (PostgreSQL with
DATABASE_URL, as deployed; the SQLite file otherwise): both caches are warmed, a
tender is published through the first, and the second shows it at once."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.bid_helpers import published_tender

PORTAL_READS = ("/", "/notices", "/notices.atom", "/api/v1/notices/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _started(port: int, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
        for _ in range(120):
            if process.poll() is not None:
                raise AssertionError(f"procurement serve exited with {process.returncode}")
            try:
                if (await probe.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise AssertionError("procurement serve did not start")


@pytest.fixture
async def two_processes(clean) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    env = {**os.environ, "PROCUREMENT_SCHEDULER_ENABLED": "false"}
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "procurement.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            await _started(port, process)
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", timeout=30) as first,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[1]}", timeout=30) as second,
        ):
            yield first, second
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


async def test_a_tender_published_through_one_process_shows_at_once_on_the_other(two_processes):
    first, second = two_processes
    for client in (first, second):
        for url in PORTAL_READS:  # twice: the second read is served from the warm cache
            assert (await client.get(url)).status_code == 200, url
            assert (await client.get(url)).status_code == 200, url

    tender = await published_tender(first, title="两个进程同时可见的新项目")

    for url in PORTAL_READS:
        assert "两个进程同时可见的新项目" in (await second.get(url)).text, url
    notice_id = (await second.get("/api/v1/notices/")).json()["items"][0]["id"]
    assert "两个进程同时可见的新项目" in (await second.get(f"/notices/{notice_id}")).text
    assert tender["title"] in (await second.get(f"/tenders/{tender['id']}")).text
