"""JSON API of the expert pool and evaluation panels. Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.core.api import Id, problems
from procurement.core.web import require_user
from procurement.evaluation import services
from procurement.evaluation.schemas import DeclareIn, DrawPanelIn, ExpertProfileIn, ExpertProfileOut, PanelOut, ReplaceMemberIn


class ExpertController(Controller):
    path = "/experts"
    tags = ["评审专家"]

    @get("/", operation_id="ListExperts", responses=problems(401, 403))
    async def list_experts(self, request: Request) -> list[ExpertProfileOut]:
        """The expert pool (bureau officers and administrators)."""
        return await services.list_experts(require_user(request))

    @get("/me", operation_id="GetMyExpertProfile", responses=problems(401, 403, 404))
    async def mine(self, request: Request) -> ExpertProfileOut:
        """The signed-in expert's own entry."""
        return await services.get_my_expert_profile(require_user(request))

    @put("/me", operation_id="UpdateExpertProfile", responses=problems(400, 401, 403, 422))
    async def update(self, request: Request, data: JSONBody[ExpertProfileIn]) -> ExpertProfileOut:
        """Fields of expertise, employer, employment history and declared relations (rule 20)."""
        return await services.update_expert_profile(require_user(request), data)


class PanelController(Controller):
    path = "/tenders/{tender_id:int}/panel"
    tags = ["评标委员会"]

    @post("/", operation_id="DrawPanel", status_code=HTTP_201_CREATED, responses=problems(401, 403, 404, 409, 422))
    async def draw(self, request: Request, tender_id: Id, data: JSONBody[DrawPanelIn]) -> PanelOut:
        """Draw the panel of an opened tender at random (rules 19, 20); seed and candidates are audited."""
        return await services.draw_panel(require_user(request), tender_id, data.size, data.include_buyer_rep)

    @get("/", operation_id="GetPanel", responses=problems(401, 403, 404))
    async def get_panel(self, request: Request, tender_id: Id) -> PanelOut:
        """The panel's members and their declarations."""
        return await services.get_panel(require_user(request), tender_id)


class PanelMemberController(Controller):
    path = "/panels"
    tags = ["评标委员会"]

    @post("/members/{member_id:int}/replace", operation_id="ReplacePanelMember", status_code=HTTP_200_OK,
          responses=problems(401, 403, 404, 409, 422))
    async def replace(self, request: Request, member_id: Id, data: JSONBody[ReplaceMemberIn]) -> PanelOut:
        """Remove a member who must withdraw and draw one replacement (rule 20)."""
        return await services.replace_panel_member(require_user(request), member_id, data.reason)

    @post("/{panel_id:int}/declaration", operation_id="DeclareConflict", status_code=HTTP_200_OK,
          responses=problems(401, 403, 404, 409, 422))
    async def declare(self, request: Request, panel_id: Id, data: JSONBody[DeclareIn]) -> PanelOut:
        """回避声明: no conflict, or a conflict that removes the expert and draws a replacement (invariant 5)."""
        return await services.declare(require_user(request), panel_id, data.no_conflict, data.note)
