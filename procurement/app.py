"""create_app(): the routers of both packages, error handlers and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from procurement.accounts.middleware import SessionMiddleware
from procurement.accounts.pages import AdminPages, DashboardPages, PublicPages
from procurement.accounts.routes import AuthController, OrganizationController, UserController
from procurement.bids.pages import BidBondPages, BidPublicPages, OrgBidPages
from procurement.bids.routes import (
    BidController,
    BondController,
    EligibilityController,
    OpeningController,
    ReceiptController,
)
from procurement.catalogue.routes import CatalogueController
from procurement.core import db
from procurement.core import scheduler as core_scheduler
from procurement.core.errors import ConfigurationError
from procurement.core.web import EXCEPTION_HANDLERS, TEMPLATE_GLOBALS, api_csrf_guard
from procurement.evaluation.pages import EvaluationPages, ResultPages, ReviewPages
from procurement.evaluation.routes import (
    AwardController,
    BidEvaluationController,
    ChallengeController,
    EvaluationController,
    ExpertController,
    PanelController,
    PanelMemberController,
    ScoreSheetController,
)
from procurement.notices.pages import NoticePages, TenderPortalPages
from procurement.notices.routes import NoticeController
from procurement.settings import ROOT, get_settings
from procurement.system.routes import AuditController, CalendarController, ClockController, InboxController
from procurement.tenders.pages import BureauTenderPages, OrgTenderPages
from procurement.tenders.routes import QuestionController, TenderController

log = logging.getLogger("procurement")

TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def load_package_jobs() -> None:
    """Import every package's jobs.py so that it registers its sweeps."""
    import contracts.jobs  # noqa: F401
    import procurement.jobs  # noqa: F401


@get("/healthz", operation_id="GetHealth", include_in_schema=True, tags=["系统"])
async def healthz() -> dict[str, str]:
    """Liveness and database check."""
    await db.ping()
    return {"status": "ok", "database": "postgresql" if not db.is_sqlite() else "sqlite"}


async def _check_schema_ready() -> None:
    from procurement.core.tables import SystemValue

    try:
        await SystemValue.count()
    except Exception as exc:
        raise ConfigurationError("数据库尚未初始化：请先运行 `procurement migrate`。 Database not migrated.") from exc


def create_app(*, run_scheduler: bool | None = None) -> Litestar:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.resolved_secret_key()
    start_scheduler = settings.scheduler_enabled if run_scheduler is None else run_scheduler

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        from procurement.core import timetravel
        from procurement.system.services import load_calendar

        await db.start()
        sched = None
        try:
            await _check_schema_ready()
            await load_calendar()
            if settings.time_travel:
                await timetravel.load_offset()
            if start_scheduler:
                load_package_jobs()
                sched = core_scheduler.build_scheduler(settings.scheduler_interval_seconds)
                sched.start()
            yield
        finally:
            if sched is not None:
                sched.shutdown(wait=False)
            await db.stop()

    api = Router(
        path="/api/v1",
        route_handlers=[
            AuthController,
            OrganizationController,
            UserController,
            AuditController,
            InboxController,
            CalendarController,
            ClockController,
            TenderController,
            QuestionController,
            CatalogueController,
            NoticeController,
            EligibilityController,
            BidController,
            ReceiptController,
            OpeningController,
            BondController,
            ExpertController,
            PanelController,
            PanelMemberController,
            EvaluationController,
            BidEvaluationController,
            ScoreSheetController,
            AwardController,
            ChallengeController,
        ],
        guards=[api_csrf_guard],
    )
    engine_callback = lambda engine: engine.engine.globals.update(TEMPLATE_GLOBALS)  # noqa: E731

    return Litestar(
        route_handlers=[
            api,
            healthz,
            PublicPages,
            DashboardPages,
            AdminPages,
            NoticePages,
            TenderPortalPages,
            BureauTenderPages,
            OrgTenderPages,
            OrgBidPages,
            BidPublicPages,
            BidBondPages,
            ReviewPages,
            EvaluationPages,
            ResultPages,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        lifespan=[lifespan],
        middleware=[SessionMiddleware()],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(
            directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=engine_callback
        ),
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name="csrftoken",
            cookie_secure=settings.cookie_secure,
            cookie_samesite="lax",
            header_name="x-csrftoken",
            exclude=["/api/", "/healthz", "/static/", "/schema"],
        ),
        openapi_config=OpenAPIConfig(
            title="政府购买服务管理平台 API",
            version="1.0.0",
            description="区民政局政府购买服务与公益创投：招标、投标、评审、合同、评估与拨付。"
            "认证：POST /api/v1/auth/login 取得 token，之后带 `Authorization: Bearer <token>`。",
            path="/schema",
            # Only the documents themselves: the HTML viewers load scripts from CDNs,
            # and a government intranet is often offline.
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"]), YamlRenderPlugin()],
        ),
        request_max_body_size=settings.max_request_mb * 1024 * 1024,
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        debug=False,
    )
