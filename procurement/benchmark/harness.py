"""Processes of the benchmark: servers started through ``procurement serve`` on a
free loopback port, wrk runs bounded in time, resident memory of a process tree."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from procurement.benchmark.report import WRK_MARK, Load, parse_wrk

HOST = "127.0.0.1"
BARE_APP = "procurement.benchmark.bare:create_bare_app"

# wrk's summary as one JSON line (read by report.parse_wrk).
STATS_LUA = (
    "function done(summary, latency, requests)\n"
    "  local e = summary.errors\n"
    f"  io.write(string.format('{WRK_MARK}"
    '{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,'
    '"p50_us":%d,"p99_us":%d}\\n\','
    " summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,"
    " latency:percentile(50), latency:percentile(99)))\n"
    "end\n"
)

# A 1 MB PDF-looking file, different in every request (the project refuses a document already in the bid).
UPLOAD_LUA = """
wrk.method = "POST"
local boundary = "----procurementbench7f3a"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
local head = "--" .. boundary .. "\\r\\nContent-Disposition: form-data; name=\\"data\\"; filename=\\"bid.pdf\\"\\r\\n"
  .. "Content-Type: application/pdf\\r\\n\\r\\n%PDF-1.4\\n%"
local filler = string.rep("0", 1048576 - 64)
local tail = "\\n%%EOF\\n\\r\\n--" .. boundary .. "--\\r\\n"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, head .. "NONCE-" .. n .. "\\n" .. filler .. tail)
end
"""

# Several paths in turn, at most MAX requests (then the thread stops).
MIXED_LUA = """
local paths = {PATHS}
local n = 0
request = function()
  n = n + 1
  if n > MAX then wrk.thread:stop() end
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One ``procurement serve`` process (the project, or the bare app through the same command)."""

    name: str
    process: asyncio.subprocess.Process
    port: int
    log: Path
    startup_s: float = 0.0
    served: int = field(default=0)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_mb(self) -> float:
        return tree_rss_kib(self.process.pid) / 1024

    async def settle(self, limit_s: float = 30) -> None:
        """Wait until the server has finished what the last run left queued (its CPU time stops
        growing), so that it does not steal the CPU from the next measurement; at most ``limit_s``."""
        deadline = time.perf_counter() + limit_s
        before = tree_cpu_ticks(self.process.pid)
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
            now = tree_cpu_ticks(self.process.pid)
            if now - before <= 1:  # at most one tick (10 ms) in 100 ms
                return
            before = now

    async def stop(self) -> None:
        if self.process.returncode is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()


async def start_server(
    name: str, env: dict[str, str], workdir: Path, app: str | None = None, workers: int = 1
) -> Server:
    """Spawn ``procurement serve`` on a free port and wait (at most 60 s) for /healthz to answer 200;
    ``startup_s`` is the cold start, spawn to first 200."""
    port = free_port()
    log = workdir / f"{name}-{port}.log"
    command = [sys.executable, "-m", "procurement.cli", "serve", "--host", HOST, "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    if app:
        command += ["--app", app]
    started = time.perf_counter()
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, process, port, log)
    async with httpx.AsyncClient(timeout=2) as client:
        deadline = started + 60
        while time.perf_counter() < deadline:
            if process.returncode is not None:
                break
            try:
                if (await client.get(f"{server.url}/healthz")).status_code == 200:
                    server.startup_s = time.perf_counter() - started
                    return server
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.02)
    await server.stop()
    raise RuntimeError(f"{name} did not start; its log:\n{log.read_text(errors='replace')[-3000:]}")


def _tree(pid: int) -> list[int]:
    """A process and its descendants (a server may fork workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def tree_rss_kib(pid: int) -> int:
    """VmRSS of a process and its descendants, in KiB."""
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def tree_cpu_ticks(pid: int) -> int:
    """User and system CPU time of a process and its descendants, in clock ticks."""
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total


async def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    lua: str = "",
) -> Load:
    """One wrk run (1 thread; the server has the other core), bounded by ``seconds``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + "\n" + STATS_LUA)
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
        command += ["-s", script.name]
        for key, value in (headers or {}).items():
            command += ["-H", f"{key}: {value}"]
        process = await asyncio.create_subprocess_exec(
            *command, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _unused = await asyncio.wait_for(process.communicate(), seconds + 60)
        return parse_wrk(out.decode(errors="replace"))
    finally:
        os.unlink(script.name)


def upload_lua(nonce: str) -> str:
    return UPLOAD_LUA.replace("NONCE", nonce)


def mixed_lua(paths: list[str], max_requests: int) -> str:
    quoted = ", ".join('"' + p.replace('"', "") + '"' for p in paths)
    return MIXED_LUA.replace("{PATHS}", "{" + quoted + "}").replace("MAX", str(int(max_requests)))
