"""Benchmarks run by ``scripts/bench``: median and 95th-percentile latency of
requests served in-process (no network), and of the core computations."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, cast

import httpx


async def _measure(name: str, n: int, call: Callable[[], Awaitable[object]]) -> tuple[str, int, float, float]:
    await call()  # warm up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return name, n, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def _evaluation(client: httpx.AsyncClient, password: str) -> list[tuple[str, int, float, float]]:
    """The demo tender past its deadline, opened, a panel of 5 drawn, declared, reviewed
    and scored through the API; then the evaluation reads and the report PDF are timed."""
    from procurement.accounts.tables import User
    from procurement.bids.tables import Bid
    from procurement.tenders.tables import Tender

    async def login(username: str) -> dict[str, str]:
        token = (await client.post("/api/v1/auth/login", json={"username": username, "password": password})).json()[
            "token"
        ]
        return {"Authorization": f"Bearer {token}"}

    officer = await login("officer")
    tender = await Tender.select(Tender.id).where(Tender.title == "湖滨街道社区矫正对象帮教服务项目").first()
    assert tender is not None  # the demo's tender (main loads the demo first)
    tid = tender["id"]
    await client.get(f"/api/v1/tenders/{tid}/opening/", headers=officer)
    panel = (await client.post(f"/api/v1/tenders/{tid}/panel/", headers=officer, json={"size": 5})).json()
    bids = [b["id"] for b in await Bid.select(Bid.id).where(Bid.tender == tid)]
    for bid_id in bids:
        await client.post(f"/api/v1/bids/{bid_id}/qualification", headers=officer, json={"passed": True})
    members = []
    for m in panel["members"]:
        user = await User.select(User.username).where(User.id == m["user_id"]).first()
        assert user is not None  # the panel member's account
        headers = await login(user["username"])
        await client.post(f"/api/v1/panels/{panel['id']}/declaration", headers=headers, json={"no_conflict": True})
        members.append(headers)
    scores = {"c1": "24", "c2": "12", "c3": "10", "c4": "11"}
    for headers in members:
        for bid_id in bids:
            await client.put(
                f"/api/v1/bids/{bid_id}/score-sheet",
                headers=headers,
                json={"scores": scores, "comments": {}, "submit": True},
            )
    expert = members[0]
    return [
        await _measure(
            "GET ranking (GetRanking, 3 bids × 5 members)",
            100,
            lambda: client.get(f"/api/v1/tenders/{tid}/ranking", headers=officer),
        ),
        await _measure(
            "GET bid for scoring (GetBidForScoring, decrypts)",
            100,
            lambda: client.get(f"/api/v1/bids/{bids[0]}/scoring", headers=expert),
        ),
        await _measure(
            "GET evaluation report PDF (GetEvaluationReport)",
            10,
            lambda: client.get(f"/api/v1/tenders/{tid}/evaluation-report", headers=officer),
        ),
    ]


async def main() -> None:
    from procurement.app import create_app
    from procurement.cli import migrate
    from procurement.core import calendar, db, money, pdf
    from procurement.demo import load_demo
    from procurement.settings import get_settings
    from procurement.system.services import load_calendar

    await db.start()
    await migrate()
    await load_demo()
    await load_calendar()
    app = create_app(run_scheduler=False)
    # Litestar's typed ASGI signature is narrower than httpx's plain-dict one; the app is a valid ASGI app.
    transport = httpx.ASGITransport(app=cast(Any, app), client=("127.0.0.1", 40000))
    results = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        password = get_settings().demo_password
        token = (await client.post("/api/v1/auth/login", json={"username": "admin", "password": password})).json()[
            "token"
        ]
        auth = {"Authorization": f"Bearer {token}"}
        results.append(await _measure("GET / (public home page)", 200, lambda: client.get("/")))
        results.append(await _measure("GET /healthz", 300, lambda: client.get("/healthz")))
        results.append(
            await _measure("GET /api/v1/auth/me (GetMe)", 300, lambda: client.get("/api/v1/auth/me", headers=auth))
        )
        results.append(
            await _measure(
                "GET /api/v1/organizations/ (ListOrganizations)",
                200,
                lambda: client.get("/api/v1/organizations/", headers=auth),
            )
        )
        results.append(
            await _measure(
                "GET /api/v1/audit-events/ (ListAuditEvents)",
                200,
                lambda: client.get("/api/v1/audit-events/", headers=auth),
            )
        )
        results.append(
            await _measure(
                "POST /api/v1/auth/login (argon2)",
                20,
                lambda: client.post("/api/v1/auth/login", json={"username": "officer", "password": password}),
            )
        )
        results += await _evaluation(client, password)
    await db.stop()

    async def working_days() -> None:
        calendar.add_working_days(date(2026, 9, 20), 60)

    async def capital() -> None:
        money.to_chinese_capital(123456789)

    async def render() -> None:
        pdf.render_template_pdf("pdf/sample.html", {})

    results.append(await _measure("add_working_days(60)", 500, working_days))
    results.append(await _measure("to_chinese_capital", 2000, capital))
    results.append(await _measure("PDF render (sample, CJK)", 5, render))

    print(f"{'benchmark':52} {'n':>5} {'median ms':>10} {'p95 ms':>9}")
    for name, n, median, p95 in results:
        print(f"{name:52} {n:>5} {median:>10.2f} {p95:>9.2f}")


if __name__ == "__main__":
    asyncio.run(main())
