"""Shared pieces of the JSON API: the problem+json schema every operation
documents, and the base controller settings."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter
from pydantic import BaseModel, Field

from procurement.core.i18n import N_

# A row id in a path: bounded, so an absurd number is a 400, not a database overflow.
Id = Annotated[int, PathParameter(ge=1, le=2_147_483_647)]
# A row id in a request body: bounded like a path id, so an absurd number is a 400, not a database overflow.
BodyId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class Problem(BaseModel):
    """RFC 9457 problem details; ``detail`` is a Chinese sentence for the user."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: dict[str, str] | None = Field(default=None, description="Field name → what is wrong with it.")
    state: str | None = None
    action: str | None = None
    allowed_actions: list[str] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type="application/problem+json")


PROBLEMS: dict[int, ResponseSpec] = {
    400: _spec(N_("请求格式不正确")),
    401: _spec(N_("未登录")),
    403: _spec(N_("没有权限")),
    404: _spec(N_("不存在")),
    409: _spec(N_("与当前状态冲突")),
    413: _spec(N_("请求体过大")),
    422: _spec(N_("内容校验失败")),
    429: _spec(N_("尝试过多")),
}


def problems(*codes: int) -> dict[int, Any]:
    """The documented error responses of an operation (all of them by default);
    400 always, since any request can be malformed."""
    return {code: PROBLEMS[code] for code in sorted({400, *(codes or PROBLEMS)})}
