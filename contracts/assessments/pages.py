"""Pages of third-party evaluation (issue 14 §7): the residents' survey (/survey/{code},
phone first, no login, the code from the printed card's link filled in), the agency's
workspace (/assessments) and one evaluation's page with the form its reader may submit
(self-assessment, scoring with evidence, rectification). Thin: read the form, call one
service function, show the answer."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, PathParameter
from litestar.response import Response
from pydantic import ValidationError

from contracts.assessments import coverage, evidence, qr, rules, survey
from contracts.assessments import services as assessments
from contracts.assessments.schemas import EvaluationIn, EvidenceIn, RectificationIn, SelfAssessmentIn, SurveyAnswerIn
from contracts.assessments.states import ASSESSMENT_TABLE
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import field_errors_from_pydantic, form_action, page, redirect, require_user
from procurement.settings import get_settings

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
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


ASSESSMENT_TEMPLATE = "contracts/assessments/assessment.html"
SHEET_TEMPLATE = "contracts/assessments/survey_sheet.html"
WORKSPACE_TEMPLATE = "contracts/assessments/workspace.html"


def _parse(model: Any, **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors=field_errors_from_pydantic(exc)) from None


def _keyed(data: dict[str, Any], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): str(v).strip() for k, v in data.items() if k.startswith(prefix)}


async def _assessment_context(user: CurrentUser, contract_id: int, assessment_id: int) -> dict[str, Any]:
    a = await assessments.get_assessment(user, contract_id, assessment_id)
    files = (await evidence.list_evidence(user, contract_id, assessment_id)).items
    may_attach = a.status in evidence.SCORING and any(act in ("evaluate", "reevaluate") for act in a.actions)
    return {
        "a": a,
        "evidence": files,
        "may_attach": may_attach,
        "indicator_choices": [(i.key, f"{d.name} · {i.name}") for d in a.dimensions for i in d.indicators],
        "max_evidence_mb": get_settings().evaluation_evidence_max_mb,
        "survey": await survey.results(user, contract_id),
        "title": a.contract_title,
        "action_label": ASSESSMENT_TABLE.action_label(a.actions[0]) if a.actions else "",
        "page_title": _("{stage}：{title}").format(stage=a.stage_label, title=a.contract_title),
    }


class AssessmentPages(Controller):
    """The agency's workspace and one evaluation's page (self-assessment, scoring, rectification)."""

    include_in_schema = False

    @get("/assessments")
    async def workspace(self, request: Request) -> Response:
        user = require_user(request)
        queue = await assessments.agency_queue(user)
        return page(request, WORKSPACE_TEMPLATE, {"items": queue.items, "page_title": _("评估工作台")})

    @get("/contracts/{contract_id:int}/survey-codes/sheet")
    async def sheet(self, request: Request, contract_id: Id) -> Response:
        """The printable sheet of the contract's unused survey codes, each with its QR code
        (the buyer's officer, as ``ListSurveyCodes``)."""
        user = require_user(request)
        codes = await survey.list_codes(user, contract_id)
        contract = await assessments.load_contract(contract_id)
        unused = [c for c in codes.issued if not c.used]
        urls = [qr.survey_url(str(request.base_url), c.link) for c in unused]
        cards = list(zip(unused, urls, await qr.qr_svgs(urls), strict=True))
        return page(
            request,
            SHEET_TEMPLATE,
            {
                "contract": contract,
                "cards": cards,
                "used": len(codes.issued) - len(unused),
                "page_title": _("社区评议问卷卡：{title}").format(title=contract["title"]),
            },
        )

    @get("/contracts/{contract_id:int}/assessments/{assessment_id:int}")
    async def one(self, request: Request, contract_id: Id, assessment_id: Id) -> Response:
        user = require_user(request)
        return page(request, ASSESSMENT_TEMPLATE, await _assessment_context(user, contract_id, assessment_id))

    @post("/contracts/{contract_id:int}/assessments/{assessment_id:int}")
    async def act(self, request: Request, contract_id: Id, assessment_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            step = str(data.get("action") or "")
            text = str(data.get("text") or "").strip()
            scores, notes = _keyed(data, "score__"), _keyed(data, "note__")
            if step == "self_assess":
                body = _parse(SelfAssessmentIn, scores=scores, notes=notes, summary=text)
                await assessments.submit_self_assessment(user, contract_id, assessment_id, body)
            elif step in ("evaluate", "reevaluate"):
                body = _parse(EvaluationIn, scores=scores, notes=notes, opinion=text)
                await assessments.submit_evaluation(user, contract_id, assessment_id, body)
            elif step == "report_rectification":
                body = _parse(RectificationIn, report=text)
                await assessments.report_rectification(user, contract_id, assessment_id, body)
            else:
                raise ValidationFailed(_("请从页面上的表单提交。"))
            return redirect(
                f"/contracts/{contract_id}/assessments/{assessment_id}",
                _("已提交：{label}").format(label=ASSESSMENT_TABLE.action_label(step)),
            )

        return await form_action(
            request, ASSESSMENT_TEMPLATE, data, action, await _assessment_context(user, contract_id, assessment_id)
        )

    @post("/contracts/{contract_id:int}/assessments/{assessment_id:int}/evidence")
    async def attach(self, request: Request, contract_id: Id, assessment_id: Id, data: Multipart) -> Response:
        """The evaluator attaches a file of evidence to the round it is scoring."""
        user = require_user(request)
        here = f"/contracts/{contract_id}/assessments/{assessment_id}"

        async def action() -> Response:
            upload = data.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationFailed(field_errors={"file": _("请选择要上传的佐证材料。")})
            content = await upload.read()
            if not content:
                raise ValidationFailed(
                    field_errors={"file": _("文件「{name}」为空，请重新选择文件。").format(name=upload.filename[:60])}
                )
            body = _parse(
                EvidenceIn,
                filename=upload.filename[:200],
                content_base64=base64.b64encode(content).decode(),
                indicator_key=str(data.get("indicator_key") or ""),
            )
            added = await evidence.add_evidence(user, contract_id, assessment_id, body)
            return redirect(here + "#evidence", _("已上传佐证材料「{name}」。").format(name=added.name))

        form = {"indicator_key": str(data.get("indicator_key") or "")}
        return await form_action(
            request, ASSESSMENT_TEMPLATE, form, action, await _assessment_context(user, contract_id, assessment_id)
        )

    @post("/contracts/{contract_id:int}/assessments/{assessment_id:int}/evidence/{evidence_id:int}/remove")
    async def detach(
        self, request: Request, contract_id: Id, assessment_id: Id, evidence_id: Id, data: Form
    ) -> Response:
        """The evaluator removes a file of the round not yet submitted."""
        user = require_user(request)

        async def action() -> Response:
            await evidence.remove_evidence(user, contract_id, assessment_id, evidence_id)
            return redirect(f"/contracts/{contract_id}/assessments/{assessment_id}#evidence", _("已删除佐证材料。"))

        return await form_action(
            request, ASSESSMENT_TEMPLATE, {}, action, await _assessment_context(user, contract_id, assessment_id)
        )


COVERAGE_TEMPLATE = "contracts/assessments/coverage.html"


def _year(raw: str) -> int:
    """The year asked for, or this year (Beijing) when the text is not one the report accepts."""
    text = raw.strip()
    if text.isdigit() and coverage.YEARS[0] <= int(text) <= coverage.YEARS[1]:
        return int(text)
    return clock.today_local().year


class CoveragePages(Controller):
    """The bureau's spot-check coverage of multi-year contracts per budget year (rule 33)."""

    path = "/bureau/evaluations/coverage"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, year: FromQuery[str] = "") -> Response:
        user = require_user(request, Role.OFFICER, Role.ADMIN)
        chosen = _year(year)
        report = await coverage.spot_check_coverage(user, chosen)
        return page(
            request,
            COVERAGE_TEMPLATE,
            {
                "r": report,
                "this_year": clock.today_local().year,
                "page_title": _("{year} 年度专项抽查覆盖情况").format(year=chosen),
            },
        )
