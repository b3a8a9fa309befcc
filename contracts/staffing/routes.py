"""JSON API of rosters and teams (issue 13 §5). Thin: parse, call one service, return."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody, Parameter, QueryParameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from contracts.staffing import roster, services
from contracts.staffing.schemas import (
    AssignIn,
    DecisionIn,
    ImportIn,
    ImportOut,
    MemberOut,
    RemoveIn,
    ReplacementIn,
    ReplacementOut,
    TeamOut,
    WorkerIn,
    WorkerOut,
    WorkerUpdateIn,
    WorkloadOut,
)
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.storage import content_disposition
from procurement.core.web import require_user


class SocialWorkerController(Controller):
    path = "/social-workers"
    tags = [N_("社工团队")]

    @get("/", operation_id="ListSocialWorkers", responses=problems(401, 404))
    async def list(
        self, request: Request, organization_id: int | None = Parameter(default=None, ge=1, le=2_147_483_647)
    ) -> list[WorkerOut]:
        """An organization's roster; the ID number masked except for its own members and the bureau's officers."""
        return await roster.list_workers(require_user(request), organization_id)

    @post(
        "/", operation_id="RegisterSocialWorker", status_code=HTTP_201_CREATED, responses=problems(401, 403, 409, 422)
    )
    async def register(self, request: Request, data: JSONBody[WorkerIn]) -> WorkerOut:
        """A member of an organization adds a social worker to its roster."""
        return await roster.register_worker(require_user(request), data)

    @put("/{worker_id:int}", operation_id="UpdateSocialWorker", responses=problems(401, 403, 404, 422))
    async def update(self, request: Request, worker_id: Id, data: JSONBody[WorkerUpdateIn]) -> WorkerOut:
        """Change a worker's details: certificate, registration, employment, phone."""
        return await roster.update_worker(require_user(request), worker_id, data)

    @post("/import", operation_id="ImportSocialWorkers", status_code=HTTP_200_OK, responses=problems(401, 403, 422))
    async def import_file(self, request: Request, data: JSONBody[ImportIn]) -> ImportOut:
        """Import a CSV or XLSX roster: errors row by row; nothing imported from a file with errors unless valid_rows_only."""
        return await roster.import_workers(require_user(request), data)

    @get(
        "/import-template",
        operation_id="GetSocialWorkerImportTemplate",
        responses=problems(401),
        media_type="application/octet-stream",
    )
    async def template(
        self, request: Request, format: str = Parameter(default="xlsx", pattern=r"^(xlsx|csv)$")
    ) -> Response:
        """The import template (XLSX or CSV) with its columns and one example row."""
        require_user(request)
        data, name, _mime = roster.template(format)
        # One documented type for both formats; the file name tells the program to open it with.
        return Response(
            data, media_type="application/octet-stream", headers={"Content-Disposition": content_disposition(name)}
        )

    @get("/workload", operation_id="GetWorkload", responses=problems(401, 404, 422))
    async def workload(
        self,
        request: Request,
        start: Annotated[date | None, QueryParameter(description=N_("从哪个月起（默认本月）"))] = None,
        months: int = Parameter(default=12, ge=1, le=36),
    ) -> WorkloadOut:
        """Each worker's highest total allocation per month across contracts (over 100 % flagged), and per 社区."""
        return await services.workload(require_user(request), start, months)


class TeamController(Controller):
    path = "/contracts/{contract_id:int}/team"
    tags = [N_("社工团队")]

    @get("/", operation_id="GetTeam", responses=problems(401, 404))
    async def get(self, request: Request, contract_id: Id) -> TeamOut:
        """The team, its history, the gaps against requirements and the bid's promise, and replacements."""
        return await services.get_team(require_user(request), contract_id)

    @post(
        "/members",
        operation_id="AssignTeamMember",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def assign(self, request: Request, contract_id: Id, data: JSONBody[AssignIn]) -> MemberOut:
        """The provider puts a worker on the team; refused if the worker would exceed 100 % on any day."""
        return await services.assign_member(require_user(request), contract_id, data)

    @post(
        "/members/{member_id:int}/removal",
        operation_id="RemoveTeamMember",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def remove(self, request: Request, contract_id: Id, member_id: Id, data: JSONBody[RemoveIn]) -> TeamOut:
        """The provider takes a member off the team; the membership stays in the history."""
        return await services.remove_member(require_user(request), contract_id, member_id, data)

    @post(
        "/replacements",
        operation_id="RequestReplacement",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def request_replacement(
        self, request: Request, contract_id: Id, data: JSONBody[ReplacementIn]
    ) -> ReplacementOut:
        """The provider asks to replace a member with a candidate, giving the reason."""
        return await services.request_replacement(require_user(request), contract_id, data)

    @post(
        "/replacements/{replacement_id:int}/decision",
        operation_id="DecideReplacement",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def decide(
        self, request: Request, contract_id: Id, replacement_id: Id, data: JSONBody[DecisionIn]
    ) -> ReplacementOut:
        """The buyer's officer approves (equal or higher level, or a justified exception) or refuses."""
        return await services.decide_replacement(require_user(request), contract_id, replacement_id, data)
