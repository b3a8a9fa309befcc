"""Fill the notice table with synthetic notices and time the portal's queries
(``scripts/bench notices [N]``): the list must stay fast at 100,000 notices."""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from datetime import timedelta

from piccolo.querystring import QueryString

from procurement.catalogue.states import Category
from procurement.core import clock, db
from procurement.tenders.states import Method, NoticeType

WORDS = [
    "居家养老",
    "助餐服务",
    "社区治理",
    "青少年成长",
    "困境儿童",
    "社区矫正",
    "社会救助",
    "五社联动",
    "心理辅导",
    "志愿服务",
    "议事协商",
    "助残康复",
    "家庭教育",
    "公益创投",
    "社工站",
    "老年食堂",
]


async def fill(n: int) -> None:
    from procurement.accounts.tables import Organization
    from procurement.tenders.tables import Notice

    existing = await Notice.count()
    if existing >= n:
        return
    buyer = await Organization.select(Organization.id, Organization.name).where(Organization.kind == "bureau").first()
    assert buyer is not None  # the demo's bureau (main loads the demo first)
    rng = random.Random(42)
    start = clock.now() - timedelta(days=3 * 365)
    types, methods, cats = list(NoticeType), list(Method), list(Category)
    batch = []
    for i in range(existing, n):
        words = rng.sample(WORDS, 3)
        title = f"{words[0]}{words[1]}项目第{i}号公告"
        body = "\n".join(
            f"{rng.choice(WORDS)}：为辖区居民提供{rng.choice(WORDS)}等服务，预算 {rng.randint(1, 900)} 万元。"
            for _ in range(20)
        )
        at = start + timedelta(minutes=i * 15 + rng.randint(0, 10))
        batch.append(
            (rng.choice(types), buyer["id"], buyer["name"], rng.choice(methods), rng.choice(cats), title, body, at)
        )
        if len(batch) == 500 or i == n - 1:
            # One statement per 500 rows (4,000 parameters): 100,000 notices in seconds, not minutes.
            values = ", ".join(["({}, NULL, 1, {}, {}, {}, {}, {}, {}, {})"] * len(batch))
            async with db.transaction():
                await db.get_engine().run_querystring(
                    QueryString(
                        "INSERT INTO notice (notice_type, tender, tender_version, buyer, buyer_name, method, category, "
                        f"title, content, published_at) VALUES {values}",
                        *[value for row in batch for value in row],
                    )
                )
            batch = []


async def timed(name, n, fn):
    await fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    print(f"{name:55} {statistics.median(samples):9.1f} {samples[-1]:9.1f}")


async def main(n: int) -> None:
    from procurement.cli import migrate
    from procurement.demo import load_demo
    from procurement.notices import services

    await db.start()
    await migrate()
    await load_demo()
    t = time.perf_counter()
    await fill(n)
    print(f"notices: {n} (filled in {time.perf_counter() - t:.1f} s) on {'SQLite' if db.is_sqlite() else 'PostgreSQL'}")
    print(f"{'query':55} {'median ms':>9} {'max ms':>9}")
    first = await services.list_notices(limit=20)
    await timed("newest 20", 20, lambda: services.list_notices(limit=20))
    await timed("page 2 by cursor", 20, lambda: services.list_notices(limit=20, cursor=first.next_cursor))
    deep = first
    for _ in range(50):
        deep = await services.list_notices(limit=100, cursor=deep.next_cursor)
    await timed("page after 5,000 rows by cursor", 20, lambda: services.list_notices(limit=20, cursor=deep.next_cursor))
    await timed(
        "filter: type + method + category",
        20,
        lambda: services.list_notices(
            notice_type="amendment", method="competitive_consultation", category="youth", limit=20
        ),
    )
    await timed(
        "filter: date range (one month)",
        20,
        lambda: services.list_notices(
            date_from=(clock.local_now() - timedelta(days=400)).date(),
            date_to=(clock.local_now() - timedelta(days=370)).date(),
        ),
    )
    await timed("search q=困境儿童 (common)", 10, lambda: services.list_notices(q="困境儿童", limit=20))
    await timed("search q=第99999号 (rare)", 5, lambda: services.list_notices(q="第99999号", limit=20))
    await timed("status=open (join on tenders)", 10, lambda: services.list_notices(status="open", limit=20))
    await db.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
