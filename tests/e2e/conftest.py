"""A real server for browser and API-conformance tests: ``procurement serve``
in a subprocess on a free port, with its own SQLite database and demo data."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env

    def login_token(self, username: str, password: str = "Shangcheng2026") -> str:
        response = httpx.post(f"{self.url}/api/v1/auth/login", json={"username": username, "password": password})
        response.raise_for_status()
        return response.json()["token"]


def _server_env(var: str, port: int | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PROCUREMENT_VAR_DIR": var,
        "PROCUREMENT_SCHEDULER_ENABLED": "true",
        "PROCUREMENT_LOG_LEVEL": "WARNING",
    }
    if port is not None:
        env["PROCUREMENT_PORT"] = str(port)
    env.pop("DATABASE_URL", None)
    return env


CLI = [sys.executable, "-m", "procurement.cli"]
_demo_build: dict[str, str] = {}


def _demo_var_dir() -> str:
    """A var/ directory as ``procurement demo`` leaves it (its SQLite file, files and
    key), built once per session (~7.5 s) and copied for each module's server, so
    every module still starts from the whole demo and nothing one module's journey
    changes reaches another. Built again on a new Beijing day (the demo's dates are
    reckoned from the day it is loaded)."""
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    if _demo_build.get("day") != day:
        var = tempfile.mkdtemp(prefix="procurement-e2e-demo-")
        subprocess.run([*CLI, "demo"], env=_server_env(var), check=True, capture_output=True, cwd=ROOT)
        _demo_build.update(day=day, var=var)
    return _demo_build["var"]


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    port = _free_port()
    var = tempfile.mkdtemp(prefix="procurement-e2e-")
    shutil.copytree(_demo_var_dir(), var, dirs_exist_ok=True)
    env = _server_env(var, port)
    cli = CLI
    log_path = Path(var) / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + log_path.read_text(errors="replace"))
            time.sleep(0.2)
        yield LiveServer(url, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        server_log = log_path.read_text(errors="replace")
        # A traceback in the server log means some request hit a 500.
        assert "Traceback" not in server_log, server_log[-5000:]


def login(page, url: str, username: str, password: str = "Shangcheng2026", *, wait: bool = True) -> None:
    """Sign in through the login form, as a person does; by default wait for the dashboard."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    if wait:
        page.wait_for_url("**/dashboard")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
