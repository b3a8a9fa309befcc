"""The bare Litestar app the project is measured against: what the framework
gives behind the same server with nothing of ours (no middleware, no database).
Started by ``procurement serve --app procurement.benchmark.bare:create_bare_app``."""

from __future__ import annotations

from typing import Annotated, Any

from jinja2 import DictLoader, Environment
from litestar import Litestar, Request, get, post
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from litestar.template.config import TemplateConfig

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>
<table>
<thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table></body></html>
"""

WORDS = ["居家养老", "助餐服务", "社区治理", "青少年成长", "困境儿童", "社区矫正", "社会救助", "心理辅导"]
ROWS = [[f"{WORDS[(r + c) % len(WORDS)]}项目第{r}号公告" for c in range(5)] for r in range(20)]
HEADER = ["公告类型", "标题", "采购人", "采购方式", "发布日期"]


@get("/json")
async def as_json() -> dict[str, Any]:
    """Like ListNotices' shape: 20 items of Chinese text."""
    return {"items": [{"id": i, "title": row[0], "buyer": row[1], "type": row[2]} for i, row in enumerate(ROWS)]}


@get("/page")
async def page(request: Request) -> Template:
    return Template(template_name="page.html", context={"title": "公告公示", "header": HEADER, "rows": ROWS})


@post("/upload")
async def upload(
    data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, int]:
    """Read the whole file and discard it."""
    size = 0
    for part in data.values():
        size += len(await part.read())
    return {"size": size}


@get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_bare_app() -> Litestar:
    engine = JinjaTemplateEngine.from_environment(Environment(loader=DictLoader({"page.html": PAGE}), autoescape=True))
    return Litestar(
        route_handlers=[as_json, page, upload, healthz],
        template_config=TemplateConfig(instance=engine),
        request_max_body_size=64 * 1024 * 1024,
    )
