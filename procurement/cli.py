"""The ``procurement`` command: serve, migrate, demo, scheduler, audit verify and anchor, check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from procurement.core.i18n import _
from procurement.settings import get_settings


async def _with_db(coro_factory):
    from procurement.core import db

    await db.start()
    try:
        return await coro_factory()
    finally:
        await db.stop()


async def migrate() -> None:
    """Apply every pending migration of both packages, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    response = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not response.success:
        raise SystemExit(_("迁移失败 / migration failed: {message}").format(message=response.message))


def cmd_migrate(_args: argparse.Namespace) -> int:
    asyncio.run(_with_db(migrate))
    print(_("数据库已是最新结构 / database is up to date:"), _db_label())
    return 0


def _db_label() -> str:
    settings = get_settings()
    if settings.is_postgres:
        return settings.database_url.split("@")[-1]
    return str(settings.sqlite_path)


def cmd_demo(args: argparse.Namespace) -> int:
    from procurement.app import installed_packages

    async def run():
        await migrate()
        loaded = False
        for package in installed_packages():
            if package.demo is not None:
                loaded = bool(await package.demo(force=args.force)) or loaded
        return loaded

    loaded = asyncio.run(_with_db(run))
    print(
        _("演示数据已加载 / demo data loaded")
        if loaded
        else _("演示数据已存在，未重复加载 / demo data already present")
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    # httptools (the compiled HTTP parser) and uvloop: measured against uvicorn's
    # pure-Python h11 parser and against granian in issue 11.
    uvicorn.run(
        args.app,
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        http="httptools",
        loop="uvloop",
        log_level=settings.log_level.lower(),
        access_log=settings.access_log,
        proxy_headers=True,
    )
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    """Run the periodic sweeps in their own process (set PROCUREMENT_SCHEDULER_ENABLED=false on app processes).

    ``--once``: catch up, run every sweep once, and exit; ``--for N``: stop after N seconds."""
    from procurement.app import installed_packages
    from procurement.core import db, scheduler, timetravel
    from procurement.system.services import load_calendar

    async def run() -> int:
        await db.start()
        try:
            if not scheduler.may_run_scheduler():  # SQLite: another process runs them (one log line)
                return 0
            await load_calendar()
            if get_settings().time_travel:
                await timetravel.load_offset()
            installed_packages()
            if args.once:
                await scheduler.catch_up()
                for job in scheduler.registry.jobs():
                    await scheduler.run_sweep_logged(job)
                return 0
            sched = scheduler.build_scheduler(get_settings().scheduler_interval_seconds)
            sched.start()
            print(
                _("定时扫描已启动（{len} 个任务），Ctrl+C 退出").format(len=len(scheduler.registry.jobs())), flush=True
            )
            try:
                if args.seconds:
                    await asyncio.sleep(args.seconds)
                else:
                    await asyncio.Event().wait()
            finally:
                sched.shutdown(wait=False)
            return 0
        finally:
            await db.stop()

    try:
        return scheduler.run_on_server_loop(run())
    except KeyboardInterrupt:
        return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """The chain against every anchor in the database, and against copies kept elsewhere."""
    from procurement.core import audit
    from procurement.system.anchor_feed import anchors_from_feed

    published: list[audit.Anchor] = []
    for path in args.anchors or []:
        try:
            with open(path, "rb") as saved:
                published += anchors_from_feed(saved.read())
        except (OSError, ValueError) as exc:
            print(_("读不了另存的摘要 {path}：{error}").format(path=path, error=exc))
            return 2
    key = None
    if args.public_key:
        try:
            with open(args.public_key, encoding="utf-8") as saved:
                key = audit.load_public_key(saved.read())
        except (OSError, ValueError) as exc:
            print(_("读不了公钥 {path}：{error}").format(path=args.public_key, error=exc))
            return 2

    report = asyncio.run(_with_db(lambda: audit.verify_chain(published=published, key=key)))
    if report.ok:
        print(
            _(
                "审计日志完整：已校验 {checked} 条，与 {anchors} 份摘要一致 / audit chain intact ({checked} rows, {anchors} anchors)"
            ).format(checked=report.checked, anchors=report.anchors)
        )
        if report.latest_anchor_at is not None:
            print(
                _("最新摘要（{at}）之后的记录只由哈希链保护 / rows after {at} are protected by the chain only").format(
                    at=report.latest_anchor_at.isoformat()
                )
            )
        return 0
    print(
        _("审计日志被破坏：第一处在 id={first_broken_id}：{reason} / first broken row: {first_broken_id}").format(
            first_broken_id=report.first_broken_id, reason=report.reason
        )
    )
    if report.broken_anchor is not None:
        print(_("与第 {seq} 号摘要不符 / breaks anchor #{seq}").format(seq=report.broken_anchor))
    if report.changed_after_id is not None and report.first_broken_id is not None:
        print(
            _("被改动的记录在 id={start} 至 id={end} 之间 / the changed row is one of ids {start}..{end}").format(
                start=report.changed_after_id + 1, end=report.first_broken_id
            )
        )
    return 1


def cmd_audit_anchor(_args: argparse.Namespace) -> int:
    """Anchor the chain now: sign and publish its head (the daily sweep does it too)."""
    from procurement.core import audit

    made = asyncio.run(_with_db(audit.anchor))
    assert made is not None
    print(
        _("已发布第 {seq} 号审计日志摘要 / anchor #{seq} published: {hash}（签名密钥 / key: {key}）").format(
            seq=made.seq, hash=made.row_hash, key=audit.key_path()
        )
    )
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    """Check the installation: database, CJK font, harfbuzz subsetting."""
    from procurement.core import db
    from procurement.core.pdf import ensure_cjk_font

    print(_("字体 / CJK font:"), ensure_cjk_font())
    asyncio.run(_with_db(db.ping))
    print(_("数据库 / database:"), _db_label(), "OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=get_settings().log_level, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="procurement", description=_("政府购买服务管理平台"))
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help=_("启动 Web 服务"))
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    # scripts/bench serves its bare Litestar app through this same command and server options.
    serve.add_argument("--app", default="procurement.app:create_app", help=argparse.SUPPRESS)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help=_("应用待执行的数据库迁移")).set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help=_("加载演示数据（已存在则跳过）"))
    demo.add_argument("--force", action="store_true", help=_("即使已有数据也加载（仅空库建议使用）"))
    demo.set_defaults(func=cmd_demo)
    sched = sub.add_parser("scheduler", help=_("单独运行定时扫描进程"))
    sched.add_argument("--once", action="store_true", help=_("补做到期事项、每个任务运行一次后退出"))
    sched.add_argument("--for", dest="seconds", type=float, default=0, help=_("运行指定秒数后退出"))
    sched.set_defaults(func=cmd_scheduler)
    audit = sub.add_parser("audit", help=_("审计日志"))
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help=_("校验哈希链与已发布的摘要，指出第一条被破坏的记录"))
    verify.add_argument(
        "--anchors", action="append", metavar="FILE", help=_("另存的摘要订阅（/audit/anchors.atom），可重复")
    )
    verify.add_argument("--public-key", metavar="FILE", help=_("另存的公钥（PEM 或十六进制）"))
    verify.set_defaults(func=cmd_audit_verify)
    audit_sub.add_parser("anchor", help=_("立即签名并发布审计日志摘要")).set_defaults(func=cmd_audit_anchor)
    sub.add_parser("check", help=_("检查安装（数据库、中文字体）")).set_defaults(func=cmd_check)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
