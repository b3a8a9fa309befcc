"""An indicator system as an XLSX file (issue 14 §2): written with xlsxwriter, read with
openpyxl. Pure functions of bytes; the services run them in a worker thread.

One sheet, 评估指标体系: the system's name, description and version on the first lines
(label in column A, value in B), then the header 编号 | 名称 | 权重 | 评分标准 and one
row per dimension (编号 1, 2, …) or indicator (1.1, 1.2, …), as ``indicator_rows``
reads them. The version line is for the reader; an import makes a new version anyway.

The same version exports to the same bytes: the workbook's creation time is the
version's own (never "now"), and xlsxwriter dates the parts of the ZIP file 1980-01-01.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.assessments.indicator_rows import Row
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, _

MAX_BYTES = 1024 * 1024  # an indicator system is a few kilobytes; a bigger file is not one
MAX_LINES = 400
SHEET = N_("评估指标体系")
NAME_LABEL = N_("指标体系名称")
DESCRIPTION_LABEL = N_("说明")
VERSION_LABEL = N_("版本")
HEADERS = (N_("编号"), N_("名称"), N_("权重"), N_("评分标准"))


@dataclass(frozen=True)
class SheetSystem:
    """What an imported file holds: the name and description it gives, and its rows."""

    name: str
    description: str
    rows: list[Row]


def write(name: str, description: str, version: int, rows: list[Row], created: datetime) -> bytes:
    """The workbook of one version; ``created`` (the version's own time) dates it."""
    buffer = io.BytesIO()
    import xlsxwriter  # here, not at start-up: only a download needs it (issue 11, cold start)

    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": name, "created": created.replace(tzinfo=None)})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    dim_format = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(str(SHEET))
    sheet.write_string(0, 0, str(NAME_LABEL), bold)
    sheet.write_string(0, 1, name)
    sheet.write_string(1, 0, str(DESCRIPTION_LABEL), bold)
    sheet.write_string(1, 1, description)
    sheet.write_string(2, 0, str(VERSION_LABEL), bold)
    sheet.write_number(2, 1, version)
    header_line = 4
    sheet.write_row(header_line, 0, [str(h) for h in HEADERS], head)
    for offset, row in enumerate(rows, start=1):
        style = dim_format if "." not in row.code else cell
        line = header_line + offset
        sheet.write_string(line, 0, row.code, style)
        sheet.write_string(line, 1, row.name, style)
        sheet.write_number(line, 2, int(row.weight), style)
        sheet.write_string(line, 3, row.guidance, style)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 80)
    sheet.freeze_panes(header_line + 1, 0)
    book.close()
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def read(filename: str, content: bytes) -> SheetSystem:
    """The name, description and rows of an uploaded file; ValidationFailed in Chinese,
    naming what to fix, for a file that is not such a workbook. The rows are checked
    afterwards (``indicator_rows.check_rows``): this only finds them."""
    if not filename.lower().endswith(".xlsx"):
        raise ValidationFailed(field_errors={"file": _("只能导入 .xlsx 文件（可先导出一个指标体系作为模板）。")})
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            field_errors={
                "file": _("文件过大（{size} KB），指标体系文件不超过 {max} KB。").format(
                    size=len(content) // 1024, max=MAX_BYTES // 1024
                )
            }
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ValidationFailed(field_errors={"file": _("无法读取该文件：它不是 Excel（.xlsx）工作簿。")})
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book[str(SHEET)] if str(SHEET) in book.sheetnames else book.worksheets[0]
            lines = []
            for values in sheet.iter_rows(values_only=True, max_row=MAX_LINES + 1):
                lines.append([_cell(v) for v in values])
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationFailed(
            field_errors={"file": _("无法读取该 Excel 文件，请用导出的文件修改后另存为 .xlsx。")}
        ) from exc
    if len(lines) > MAX_LINES:
        raise ValidationFailed(field_errors={"file": _("文件超过 {n} 行，不是一个指标体系。").format(n=MAX_LINES)})
    return parse_lines(lines)


def parse_lines(lines: list[list[Any]]) -> SheetSystem:
    """The system in a sheet's cells (line 1 first): the labelled lines above the header,
    the header itself, then the rows numbered as the sheet numbers them."""
    name = description = ""
    expected = [str(h) for h in HEADERS]
    for index, cells in enumerate(lines):
        first = _text(cells[0]) if cells else ""
        if first == str(NAME_LABEL):
            name = _text(cells[1]) if len(cells) > 1 else ""
        elif first == str(DESCRIPTION_LABEL):
            description = _text(cells[1]) if len(cells) > 1 else ""
        elif first == expected[0]:
            found = [_text(c) for c in cells[: len(expected)]]
            if found != expected:
                raise ValidationFailed(
                    field_errors={
                        "file": _("第 {n} 行的表头应为「{expected}」，文件中是「{found}」。").format(
                            n=index + 1, expected="、".join(expected), found="、".join(found)
                        )
                    }
                )
            rows = [
                Row(
                    number=number,
                    code=_text(c[0]) if len(c) > 0 else "",
                    name=_text(c[1]) if len(c) > 1 else "",
                    weight=c[2] if len(c) > 2 else "",
                    guidance=_text(c[3]) if len(c) > 3 else "",
                )
                for number, c in enumerate(lines[index + 1 :], start=index + 2)
            ]
            return SheetSystem(name=name, description=description, rows=rows)
    raise ValidationFailed(
        field_errors={
            "file": _("文件中找不到表头「{expected}」：请使用导出的指标体系文件修改后导入。").format(
                expected="、".join(expected)
            )
        }
    )
