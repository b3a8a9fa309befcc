"""Database work of the benchmark, run as its own process with the database's
environment (``python -m procurement.benchmark.data fill N | sweep N [LIMIT_S]``), so the
driver holds no connection while the servers run. The demo itself is loaded
by ``procurement demo``."""

from __future__ import annotations

import asyncio
import sys
import time

from piccolo.querystring import QueryString

from procurement.core import db


async def fill(n: int) -> None:
    """Notices up to ``n`` (the filler of ``scripts/bench notices``)."""
    from procurement.bench_notices import fill as fill_notices

    await db.start()
    try:
        await fill_notices(n)
    finally:
        await db.stop()


async def sweep(n: int, limit_s: float) -> tuple[int, float]:
    """``n`` published tenders whose deadline has passed, copied from a demo tender
    with SQL, then one run of the closing sweep (``run_due``), stopped after ``limit_s``;
    returns how many it closed and in how many seconds."""
    from procurement.core.scheduler import run_due
    from procurement.tenders.services import CLOSE_DUE
    from procurement.tenders.tables import Tender

    await db.start()
    try:
        template = await Tender.select(Tender.id).order_by(Tender.id).first()
        assert template is not None  # the demo's tenders
        columns = [c._meta.db_column_name for c in Tender._meta.columns]
        special = {
            "id": "(SELECT max(id) FROM tender) + g",
            "reference_no": "'BENCH-' || g",
            "status": "'published'",
            "bid_deadline": "now() - interval '1 hour'",
            "next_check_at": "now() - interval '1 hour'",
            "opening_at": "now() + interval '1 day'",
            "published_at": "now() - interval '20 days'",
        }
        chosen = ", ".join(special.get(c, f"t.{c}") for c in columns)
        sql = (
            f"INSERT INTO tender ({', '.join(columns)}) SELECT {chosen} "
            f"FROM tender t, generate_series(1, {int(n)}) g WHERE t.id = {int(template['id'])}"
        )
        await db.get_engine().run_querystring(QueryString(sql))
        started = time.perf_counter()
        try:
            await asyncio.wait_for(run_due(CLOSE_DUE), limit_s)
        except TimeoutError:
            pass  # the item under way rolls back; the count below is what was committed
        seconds = time.perf_counter() - started
        closed = await Tender.count().where(Tender.reference_no.like("BENCH-%") & (Tender.status == "closed"))
        return closed, seconds
    finally:
        await db.stop()


def main(argv: list[str]) -> int:
    command, n = argv[0], int(argv[1])
    if command == "fill":
        asyncio.run(fill(n))
    elif command == "sweep":
        from procurement.core.scheduler import run_on_server_loop

        # On the loop the scheduler process runs its sweeps on (``procurement scheduler``).
        closed, seconds = run_on_server_loop(sweep(n, float(argv[2]) if len(argv) > 2 else 60))
        print(f"SWEEP {closed} {seconds:.3f}")
    else:
        raise SystemExit(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
