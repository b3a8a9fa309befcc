"""Pages of rosters and teams (issue 13 §6): the roster with its register and import
forms (row errors listed), a contract's team page (members, gaps, history, assignment,
replacement requests side by side and the buyer's decision) and the workload table.
Thin: read the request, call one service function, show the answer."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response
from pydantic import ValidationError

from contracts.lifecycle import services as contracts
from contracts.staffing import roster, services
from contracts.staffing.schemas import AssignIn, DecisionIn, ImportIn, RemoveIn, ReplacementIn, WorkerIn
from contracts.staffing.states import CERT_LEVEL_LABELS, TEAM_ROLE_LABELS, CertLevel, TeamRole
from procurement.core.actors import Role
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import checkbox, field_errors_from_pydantic, form_action, page, redirect, require_user

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ROSTER = "contracts/staffing/roster.html"
TEAM = "contracts/staffing/team.html"
WORKLOAD = "contracts/staffing/workload.html"


def _parse(model: Any, values: dict[str, Any]) -> Any:
    try:
        return model(**{k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError as exc:
        raise ValidationFailed(field_errors=field_errors_from_pydantic(exc)) from None


def _levels() -> list[tuple[str, str]]:
    return [(level.value, CERT_LEVEL_LABELS[level]) for level in CertLevel]


async def _roster_context(user: CurrentUser, **extra: Any) -> dict[str, Any]:
    return {
        "workers": await roster.list_workers(user),
        "can_keep": user.organization_id is not None and user.role == Role.ORG_MEMBER,
        "levels": _levels(),
        "import_result": None,
        "todo": await services.todo(user),
        "page_title": _("社工名册"),
        **extra,
    }


async def _team_context(user: CurrentUser, contract_id: int) -> dict[str, Any]:
    contract = await contracts.get_contract(user, contract_id)
    team = await services.get_team(user, contract_id)
    workers = await roster.candidates(user, contract.provider_id) if team.can_edit else []
    return {
        "contract": contract,
        "team": team,
        "workers": workers,
        "roles": [(role.value, TEAM_ROLE_LABELS[role]) for role in TeamRole],
        "page_title": _("项目团队：{title}").format(title=contract.title),
    }


def _team_url(contract_id: int) -> str:
    return f"/contracts/{contract_id}/team"


class StaffingPages(Controller):
    include_in_schema = False

    @get("/social-workers")
    async def roster(self, request: Request) -> Response:
        return page(request, ROSTER, await _roster_context(require_user(request)))

    @post("/social-workers")
    async def register(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            values = {k: v for k, v in data.items() if k != "_csrf_token"}
            values["supervisor_qualified"] = checkbox(data.get("supervisor_qualified"))
            await roster.register_worker(user, _parse(WorkerIn, values))
            return redirect("/social-workers", _("社工已登记。"))

        return await form_action(request, ROSTER, data, action, await _roster_context(user))

    @post("/social-workers/import")
    async def import_file(self, request: Request, data: Multipart) -> Response:
        user = require_user(request)
        upload = data.get("file")
        valid_only = checkbox(data.get("valid_rows_only"))

        async def action() -> Response:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationFailed(field_errors={"file": _("请选择要导入的 .csv 或 .xlsx 文件。")})
            content = base64.b64encode(await upload.read()).decode()
            result = await roster.import_workers(
                user, ImportIn(filename=upload.filename, content_base64=content, valid_rows_only=valid_only)
            )
            if result.done and not result.errors:
                return redirect("/social-workers", _("已导入 {n} 名社工。").format(n=result.imported))
            return page(request, ROSTER, await _roster_context(user, import_result=result))

        return await form_action(request, ROSTER, {}, action, await _roster_context(user))

    @get("/social-workers/workload")
    async def workload(self, request: Request) -> Response:
        user = require_user(request)
        load = await services.workload(user)
        return page(request, WORKLOAD, {"load": load, "page_title": _("社工工作量")})

    @get("/contracts/{contract_id:int}/team")
    async def team(self, request: Request, contract_id: Id) -> Response:
        return page(request, TEAM, await _team_context(require_user(request), contract_id))

    @post("/contracts/{contract_id:int}/team/members")
    async def assign(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            values = {k: data.get(k) for k in ("worker_id", "role", "allocation", "period_start", "period_end")}
            await services.assign_member(user, contract_id, _parse(AssignIn, values))
            return redirect(_team_url(contract_id), _("已加入团队。"))

        return await form_action(request, TEAM, data, action, await _team_context(user, contract_id))

    @post("/contracts/{contract_id:int}/team/members/{member_id:int}/removal")
    async def remove(self, request: Request, contract_id: Id, member_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            await services.remove_member(user, contract_id, member_id, _parse(RemoveIn, {"reason": data.get("reason")}))
            return redirect(_team_url(contract_id), _("已移出团队，记录保留在团队历史中。"))

        return await form_action(request, TEAM, data, action, await _team_context(user, contract_id))

    @post("/contracts/{contract_id:int}/team/replacements")
    async def request_replacement(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            values = {k: data.get(k) for k in ("member_id", "candidate_id", "reason")}
            await services.request_replacement(user, contract_id, _parse(ReplacementIn, values))
            return redirect(_team_url(contract_id), _("更换申请已提交，等待采购人审批。"))

        return await form_action(request, TEAM, data, action, await _team_context(user, contract_id))

    @post("/contracts/{contract_id:int}/team/replacements/{replacement_id:int}/decision")
    async def decide(self, request: Request, contract_id: Id, replacement_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            values = {k: data.get(k) for k in ("decision", "exception", "note")}
            done = await services.decide_replacement(user, contract_id, replacement_id, _parse(DecisionIn, values))
            message = _("已批准更换。") if done.status == "approved" else _("已不予批准，团队不变。")
            return redirect(_team_url(contract_id), message)

        return await form_action(request, TEAM, data, action, await _team_context(user, contract_id))
