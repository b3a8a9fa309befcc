"""create_app(): the routers of the installed packages, error handlers and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from procurement.accounts.middleware import SessionMiddleware
from procurement.core import db, i18n, memory, packages
from procurement.core import scheduler as core_scheduler
from procurement.core.csrf import csrf_middleware
from procurement.core.errors import ConfigurationError
from procurement.core.i18n import N_, _
from procurement.core.security import security_headers
from procurement.core.web import EXCEPTION_HANDLERS, TEMPLATE_GLOBALS
from procurement.settings import ROOT, get_settings

log = logging.getLogger("procurement")

# The installed packages, in the order their routes and sweeps are added: adding
# a package is one line here (app.py and cli.py are the only modules that wire both).
INSTALLED = ("procurement.package:PACKAGE", "contracts.package:PACKAGE")

TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def installed_packages() -> list[packages.Package]:
    """Every installed package, registered (its sweeps and event handlers): idempotent."""
    found = packages.load(INSTALLED)
    packages.register_all(found)
    return found


def template_engine(found: list[packages.Package]) -> JinjaTemplateEngine:
    """Jinja over each package's own folder, under its name ("procurement/..." is found
    in templates/procurement), and the shared templates (base, components, portal, pdf)."""
    own = PrefixLoader({p.name: FileSystemLoader(str(p.templates)) for p in found if p.templates is not None})
    environment = Environment(
        loader=ChoiceLoader([own, FileSystemLoader(str(TEMPLATES_DIR))]),
        autoescape=True,
        # Re-reading every template's mtime on each render costs a stat per file:
        # only while developing (PROCUREMENT_TEMPLATE_AUTO_RELOAD).
        auto_reload=get_settings().template_auto_reload,
        cache_size=1000,
    )
    environment.globals.update(TEMPLATE_GLOBALS)
    i18n.jinja_install(environment)
    return JinjaTemplateEngine.from_environment(environment)


@get("/healthz", operation_id="GetHealth", include_in_schema=True, tags=[N_("系统")])
async def healthz() -> dict[str, str]:
    """Liveness and database check."""
    await db.ping()
    return {"status": "ok", "database": "postgresql" if not db.is_sqlite() else "sqlite"}


async def _check_schema_ready() -> None:
    from procurement.core.tables import SystemValue

    try:
        await SystemValue.count()
    except Exception as exc:
        raise ConfigurationError(
            _("数据库尚未初始化：请先运行 `procurement migrate`。 Database not migrated.")
        ) from exc


def create_app(*, run_scheduler: bool | None = None) -> Litestar:
    memory.tune_malloc()  # before the first worker thread: uploads' buffers go back to the system
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.resolved_secret_key()
    start_scheduler = settings.scheduler_enabled if run_scheduler is None else run_scheduler
    i18n.set_default_language(settings.language)
    found = installed_packages()

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
            if start_scheduler and core_scheduler.may_run_scheduler():  # SQLite: one process only
                sched = core_scheduler.build_scheduler(settings.scheduler_interval_seconds)
                sched.start()
            yield
        finally:
            if sched is not None:
                sched.shutdown(wait=False)
            await db.stop()

    api = Router(
        path="/api/v1",
        route_handlers=[handler for p in found for handler in p.api],
    )  # the API's CSRF check for cookie sessions: accounts/middleware.py (core.web.check_api_csrf)

    return Litestar(
        route_handlers=[
            api,
            healthz,
            *[handler for p in found for handler in p.pages],
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        lifespan=[lifespan],
        # The CSRF middleware sits inside the session middleware, where Litestar's own would.
        middleware=[
            SessionMiddleware(),
            csrf_middleware(
                CSRFConfig(
                    secret=secret,
                    cookie_name="csrftoken",
                    cookie_secure=settings.cookie_secure,
                    cookie_samesite="lax",
                    header_name="x-csrftoken",
                    exclude=["/api/", "/healthz", "/static/", "/schema"],
                )
            ),
        ],
        before_send=[security_headers],  # security headers on every response (core/security.py)
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(instance=template_engine(found)),
        openapi_config=OpenAPIConfig(
            title=_("政府购买服务管理平台 API"),
            version="1.0.0",
            description=_(
                "区民政局政府购买服务与公益创投：招标、投标、评审、合同、评估与拨付。认证：POST /api/v1/auth/login 取得 token，之后带 `Authorization: Bearer <token>`。"
            ),
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
