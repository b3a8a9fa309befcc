"""Keeping indicator systems (issue 14 §2): read one version with its siblings, save
edited rows as a new version, export a version as XLSX and import one.

A saved version is never changed: an edit on the page or an import always inserts the
next version of its name (unique per name and version), and a contract keeps the copy it
was given (``ContractIndicators``), so nothing here touches either. Rows are checked
whole before anything is written (``indicator_rows.check_rows``, which applies
``rules.tree_problems``: weights add up to 100 at every level): with any problem
nothing is saved. Who may: ``policies.system_editor`` (the bureau's officers and the
administrators); any signed-in user may read and export, as ``ListIndicatorSystems``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Sequence
from typing import Any

from contracts.assessments import indicator_rows, indicator_xlsx, policies, services
from contracts.assessments.indicator_rows import Row
from contracts.assessments.indicator_schemas import ImportIndicatorSystemIn, IndicatorSystemVersions
from contracts.assessments.schemas import IndicatorSystemOut
from contracts.assessments.tables import IndicatorSystem
from procurement.core.auth import CurrentUser
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import _

CREATED, EDITED, IMPORTED = services.CREATED, services.EDITED, services.IMPORTED
MIN_NAME, MAX_NAME, MAX_DESCRIPTION = 2, 100, 2000


def _out(row: dict[str, Any], latest: bool) -> IndicatorSystemOut:
    return services.system_out(row, latest)


def out_tree(system: IndicatorSystemOut) -> dict[str, Any]:
    return {"dimensions": [d.model_dump() for d in system.dimensions]}


def system_rows(system: IndicatorSystemOut) -> list[Row]:
    """A version as the page's editable rows (1, 1.1, 1.2, 2, …)."""
    return indicator_rows.tree_rows(out_tree(system))


async def _row(system_id: int) -> dict[str, Any]:
    row = await IndicatorSystem.select().where(IndicatorSystem.id == system_id).first()
    if row is None:
        raise NotFound(_("找不到该评估指标体系。"))
    return row


async def get_system(user: CurrentUser, system_id: int) -> IndicatorSystemVersions:
    """One version and every version of its name, newest first (any signed-in user may read
    them: the criteria are not secret)."""
    row = await _row(system_id)
    siblings = (
        await IndicatorSystem.select()
        .where(IndicatorSystem.name == row["name"])
        .order_by(IndicatorSystem.version, ascending=False)
    )
    newest = siblings[0]["version"]
    return IndicatorSystemVersions(
        system=_out(row, row["version"] == newest),
        versions=[_out(r, r["version"] == newest) for r in siblings],
    )


def _named(name: str, description: str) -> tuple[str, str]:
    name, description = name.strip(), description.strip()
    problems = {}
    if not MIN_NAME <= len(name) <= MAX_NAME:
        problems["name"] = _("指标体系名称须为 {a}–{b} 个字。").format(a=MIN_NAME, b=MAX_NAME)
    if len(description) > MAX_DESCRIPTION:
        problems["description"] = _("说明不能超过 {n} 个字。").format(n=MAX_DESCRIPTION)
    if problems:
        raise ValidationFailed(field_errors=problems)
    return name, description


def checked_tree(rows: Sequence[Row], *, prefix: str = "rows") -> dict[str, Any]:
    """The tree of ``rows``, or ValidationFailed naming each row's problem (by
    ``{prefix}.{row number}.{field}``) so that nothing is saved."""
    checked = indicator_rows.check_rows(rows)
    if checked.problems:
        errors: dict[str, str] = {}
        for (number, field), message in checked.problems.items():
            key = prefix if number is None else f"{prefix}.{number}.{field}"
            text = message if number is None else _("第 {n} 行：{message}").format(n=number, message=message)
            errors.setdefault(key, text)
        raise ValidationFailed(field_errors=errors)
    return checked.tree


async def create_from_rows(user: CurrentUser, name: str, description: str, rows: Sequence[Row]) -> IndicatorSystemOut:
    """A new indicator system from the page's rows (its name must be new)."""
    policies.system_editor(user).require()
    name, description = _named(name, description)
    tree = checked_tree(rows)
    return await services.insert_indicator_version(
        user, name, description, tree, action=CREATED, base_version=0, note={}
    )


async def save_new_version(
    user: CurrentUser, system_id: int, description: str, rows: Sequence[Row], base_version: int
) -> IndicatorSystemOut:
    """The page's edit of a version, saved as the next version of its name: the version
    edited, every older one and every contract's copy stay as they are."""
    policies.system_editor(user).require()
    based_on = await _row(system_id)
    name, description = _named(based_on["name"], description)
    tree = checked_tree(rows)
    return await services.insert_indicator_version(
        user,
        name,
        description,
        tree,
        action=EDITED,
        base_version=base_version,
        note={"based_on_version": based_on["version"]},
    )


async def export_xlsx(user: CurrentUser, system_id: int) -> tuple[str, bytes]:
    """A version as an XLSX file: its name and the same bytes each time (the workbook is
    dated by the version, not by the download)."""
    row = await _row(system_id)
    system = _out(row, False)
    content = await asyncio.to_thread(
        indicator_xlsx.write, system.name, system.description, system.version, system_rows(system), row["created_at"]
    )
    return f"{system.name}-v{system.version}.xlsx", content


async def import_xlsx(user: CurrentUser, data: ImportIndicatorSystemIn) -> IndicatorSystemOut:
    """An XLSX file saved as a new system or as the next version of the system of the same
    name (``data.name``, else the name in the file). A file with any problem (not a
    workbook, too large, wrong header, empty name, a weight that is not a whole number,
    weights not adding up to 100) saves nothing and says what to fix, row by row."""
    policies.system_editor(user).require()
    if len(data.content_base64) > (indicator_xlsx.MAX_BYTES * 4) // 3 + 4:
        raise ValidationFailed(
            field_errors={
                "file": _("文件过大，指标体系文件不超过 {max} KB。").format(max=indicator_xlsx.MAX_BYTES // 1024)
            }
        )
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(field_errors={"content_base64": _("文件内容不是有效的 base64 编码。")}) from None
    sheet = await asyncio.to_thread(indicator_xlsx.read, data.filename, content)
    name = data.name.strip() or sheet.name
    if not name:
        raise ValidationFailed(
            field_errors={"name": _("文件中没有填写指标体系名称（第 1 行），请在文件中填写或在表单中指定。")}
        )
    name, description = _named(name, sheet.description)
    tree = checked_tree(sheet.rows)
    return await services.insert_indicator_version(
        user,
        name,
        description,
        tree,
        action=IMPORTED,
        base_version=None,
        note={"file": data.filename[:200]},
    )


def versions_by_name(items: Sequence[IndicatorSystemOut]) -> list[tuple[str, list[IndicatorSystemOut]]]:
    """``ListIndicatorSystems``' items grouped by name (their order kept: newest version first)."""
    groups: dict[str, list[IndicatorSystemOut]] = {}
    for item in items:
        groups.setdefault(item.name, []).append(item)
    return list(groups.items())
