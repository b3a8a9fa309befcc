"""JSON API of keeping indicator systems (issue 14 §2): one version with its siblings,
the XLSX export of a version and the import of a file as a new system or version.
Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.response import Response
from litestar.status_codes import HTTP_201_CREATED

from contracts.assessments import indicator_admin
from contracts.assessments.indicator_schemas import ImportIndicatorSystemIn, IndicatorSystemVersions
from contracts.assessments.schemas import IndicatorSystemOut
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.storage import content_disposition
from procurement.core.web import require_user


class IndicatorSystemFileController(Controller):
    path = "/assessments/indicator-systems"
    tags = [N_("合同")]

    @get("/{system_id:int}", operation_id="GetIndicatorSystem", responses=problems(401, 404))
    async def one(self, request: Request, system_id: Id) -> IndicatorSystemVersions:
        """One version of an indicator system with every version of the same name, newest first."""
        return await indicator_admin.get_system(require_user(request), system_id)

    @get(
        "/{system_id:int}/xlsx",
        operation_id="ExportIndicatorSystem",
        responses=problems(401, 404),
        media_type="application/octet-stream",
    )
    async def export(self, request: Request, system_id: Id) -> Response[bytes]:
        """One version as an XLSX file (编号, 名称, 权重, 评分标准), the same bytes at every download."""
        name, content = await indicator_admin.export_xlsx(require_user(request), system_id)
        return Response(
            content, media_type="application/octet-stream", headers={"Content-Disposition": content_disposition(name)}
        )

    @post(
        "/import",
        operation_id="ImportIndicatorSystem",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 409, 422),
    )
    async def import_file(self, request: Request, data: JSONBody[ImportIndicatorSystemIn]) -> IndicatorSystemOut:
        """An XLSX file (as exported) saved as a new system, or as the next version of the one with its name; a file with any error saves nothing."""
        return await indicator_admin.import_xlsx(require_user(request), data)
