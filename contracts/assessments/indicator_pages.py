"""Pages where indicator systems are kept (issue 14 §2), under /admin/indicator-systems:
the systems with their versions, a version as a tree, the form that saves an edit as a
new version (or a new system), and the XLSX import. Administrators and the bureau's
officers use them (``policies.system_editor``, the same predicate as the API); anyone
else is refused with the reason. Thin: read the form, call one service function, show
the answer.

The form is a table of rows named ``rows.<n>.code|name|weight|guidance`` (n from 1, as
the page numbers them): a row is a dimension (编号 1) or an indicator (编号 1.1);
``indicator-form.js`` adds and removes rows, and without it the blank rows at the end
take new lines and a cleared row is ignored.
"""

from __future__ import annotations

import base64
import re
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Response

from contracts.assessments import indicator_admin, indicator_rows, indicator_xlsx, policies
from contracts.assessments import services as assessments
from contracts.assessments.indicator_rows import Row
from contracts.assessments.indicator_schemas import ImportIndicatorSystemIn
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import form_action, page, redirect, require_user

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
LIST = "contracts/assessments/indicators.html"
VIEW = "contracts/assessments/indicator_system.html"
EDIT = "contracts/assessments/indicator_form.html"
BASE = "/admin/indicator-systems"
SPARE_ROWS = 3
MAX_FORM_ROWS = 1000  # the page's numbering; a system has at most indicator_rows.MAX_ROWS filled rows
_ROW_KEY = re.compile(r"^rows\.(\d{1,4})\.(code|name|weight|guidance)$")


def _keeper(request: Request) -> CurrentUser:
    user = require_user(request)
    policies.system_editor(user).require()
    return user


def _form_rows(data: dict[str, Any]) -> list[Row]:
    """The submitted rows, in the page's numbering (rows added by the script continue it)."""
    cells: dict[int, dict[str, str]] = {}
    for key, value in data.items():
        match = _ROW_KEY.match(key)
        if match:
            cells.setdefault(int(match.group(1)), {})[match.group(2)] = str(value or "")[:4000]
    if cells and max(cells) > MAX_FORM_ROWS:
        raise ValidationFailed(field_errors={"rows": _("表格行数过多，请删去空行后重新提交。")})
    return [Row(number=n, **cells[n]) for n in sorted(cells)]


def _row_fields(rows: list[Row]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for row in rows:
        for field in indicator_rows.FIELDS:
            values[f"rows.{row.number}.{field}"] = getattr(row, field)
    return values


def _row_count(data: dict[str, Any]) -> int:
    """How many rows to show the form again with: as many as were sent (within bounds)."""
    numbers = [int(m.group(1)) for m in map(_ROW_KEY.match, data) if m]
    return min(max(numbers, default=0), MAX_FORM_ROWS)


async def _list_context(user: CurrentUser) -> dict[str, Any]:
    listed = await assessments.list_indicator_systems(user)
    return {
        "groups": indicator_admin.versions_by_name(listed.items),
        "max_kb": indicator_xlsx.MAX_BYTES // 1024,
        "page_title": _("评估指标体系"),
    }


def _edit_context(
    *, system: Any = None, base_version: int = 0, rows: int = 0, from_version: int | None = None
) -> dict[str, Any]:
    title = (
        _("修改「{name}」（保存为第 {v} 版）").format(name=system.name, v=base_version + 1)
        if system is not None
        else _("新建评估指标体系")
    )
    return {
        "system": system,
        "base_version": base_version,
        "row_count": max(rows, 1),
        "from_version": from_version,
        "page_title": title,
    }


class IndicatorSystemPages(Controller):
    include_in_schema = False

    @get(BASE)
    async def systems(self, request: Request) -> Response:
        user = _keeper(request)
        return page(request, LIST, await _list_context(user))

    @post(f"{BASE}/import")
    async def import_file(self, request: Request, data: Multipart) -> Response:
        user = _keeper(request)
        upload = data.get("file")
        name = str(data.get("name") or "").strip()[:100]

        async def action() -> Response:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationFailed(field_errors={"file": _("请选择要导入的 .xlsx 文件。")})
            content = await upload.read()
            if len(content) > indicator_xlsx.MAX_BYTES:
                raise ValidationFailed(
                    field_errors={
                        "file": _("文件过大（{size} KB），指标体系文件不超过 {max} KB。").format(
                            size=len(content) // 1024, max=indicator_xlsx.MAX_BYTES // 1024
                        )
                    }
                )
            saved = await indicator_admin.import_xlsx(
                user,
                ImportIndicatorSystemIn(
                    filename=upload.filename[-200:].rjust(6, "_"),
                    content_base64=base64.b64encode(content).decode(),
                    name=name,
                ),
            )
            return redirect(
                f"{BASE}/{saved.id}",
                _("已导入「{name}」第 {v} 版。").format(name=saved.name, v=saved.version),
            )

        return await form_action(request, LIST, {"name": name}, action, await _list_context(user))

    @get(f"{BASE}/new")
    async def new_form(
        self,
        request: Request,
        copy_of: Annotated[int | None, QueryParameter(name="from", required=False, ge=1, le=2_147_483_647)] = None,
    ) -> Response:
        user = _keeper(request)
        values: dict[str, Any] = {}
        rows = 0
        if copy_of is not None:
            source = (await indicator_admin.get_system(user, copy_of)).system
            source_rows = indicator_admin.system_rows(source)
            values = {**_row_fields(source_rows), "description": source.description}
            rows = len(source_rows)
        context = _edit_context(rows=rows + SPARE_ROWS)
        return page(request, EDIT, {**context, "form": values})

    @post(f"{BASE}/new")
    async def create(self, request: Request, data: Form) -> Response:
        user = _keeper(request)

        async def action() -> Response:
            saved = await indicator_admin.create_from_rows(
                user, str(data.get("name") or ""), str(data.get("description") or ""), _form_rows(data)
            )
            return redirect(f"{BASE}/{saved.id}", _("已保存「{name}」第 1 版。").format(name=saved.name))

        return await form_action(request, EDIT, data, action, _edit_context(rows=_row_count(data)))

    @get(f"{BASE}/{{system_id:int}}")
    async def one(self, request: Request, system_id: Id) -> Response:
        user = _keeper(request)
        found = await indicator_admin.get_system(user, system_id)
        return page(
            request,
            VIEW,
            {
                "system": found.system,
                "versions": found.versions,
                "page_title": _("{name}（第 {v} 版）").format(name=found.system.name, v=found.system.version),
            },
        )

    @get(f"{BASE}/{{system_id:int}}/edit")
    async def edit_form(self, request: Request, system_id: Id) -> Response:
        user = _keeper(request)
        found = await indicator_admin.get_system(user, system_id)
        rows = indicator_admin.system_rows(found.system)
        newest = found.versions[0].version
        context = _edit_context(
            system=found.system, base_version=newest, rows=len(rows) + SPARE_ROWS, from_version=found.system.version
        )
        values = {**_row_fields(rows), "description": found.system.description, "base_version": newest}
        return page(request, EDIT, {**context, "form": values})

    @post(f"{BASE}/{{system_id:int}}/edit")
    async def save(self, request: Request, system_id: Id, data: Form) -> Response:
        user = _keeper(request)
        found = await indicator_admin.get_system(user, system_id)
        raw_base = str(data.get("base_version") or "")
        base_version = int(raw_base) if raw_base.isdigit() and len(raw_base) < 8 else found.versions[0].version

        async def action() -> Response:
            saved = await indicator_admin.save_new_version(
                user, system_id, str(data.get("description") or ""), _form_rows(data), base_version
            )
            return redirect(
                f"{BASE}/{saved.id}",
                _("已保存为「{name}」第 {v} 版；原有版本和已使用它的合同不受影响。").format(
                    name=saved.name, v=saved.version
                ),
            )

        context = _edit_context(
            system=found.system, base_version=base_version, rows=_row_count(data), from_version=found.system.version
        )
        return await form_action(request, EDIT, data, action, context)
