"""The residents' survey page (/survey/{code}, issue 14 §3, §7): phone first, no login,
the code from the printed card's link filled in. Thin: read the form, call one service
function, show the answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Response

from contracts.assessments import rules, survey
from contracts.assessments.schemas import SurveyAnswerIn
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import form_action, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Code = Annotated[str, PathParameter(min_length=1, max_length=40)]
TEMPLATE = "contracts/assessments/survey.html"


def _context(code: str) -> dict[str, Any]:
    return {
        "code": rules.normalize_code(code)[:20],
        "questions": [
            ("attitude", _("社工的服务态度")),
            ("professional", _("服务的专业水平")),
            ("effect", _("服务给您或社区带来的帮助")),
            ("overall", _("总体满意程度")),
        ],
        "scale": [(5, _("非常满意")), (4, _("满意")), (3, _("一般")), (2, _("不满意")), (1, _("非常不满意"))],
        "page_title": _("社区评议"),
    }


def _answer(value: Any) -> int | str:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else text


class SurveyPages(Controller):
    include_in_schema = False

    @get("/survey/{code:str}")
    async def form(self, request: Request, code: Code) -> Response:
        return page(request, TEMPLATE, _context(code))

    @post("/survey/{code:str}")
    async def submit(self, request: Request, code: Code, data: Form) -> Response:
        async def action() -> Response:
            typed = str(data.get("code") or code)
            if not 4 <= len(typed.strip()) <= 20:
                raise ValidationFailed(field_errors={"code": _("请填写问卷卡上的问卷码。")})
            answered = await survey.submit_response(
                SurveyAnswerIn(
                    code=typed.strip(),
                    answers={key: _answer(data.get(key)) for key in rules.SURVEY_QUESTIONS},
                    comment=str(data.get("comment") or "")[:1000],
                ),
                request.client.host if request.client else "",
            )
            return redirect(f"/survey/{rules.normalize_code(typed)}", answered.message)

        return await form_action(request, TEMPLATE, data, action, _context(code))
