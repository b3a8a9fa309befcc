"""An indicator system as rows and as an XLSX file (contracts.assessments.indicator_rows,
indicator_xlsx; issue 14 §2): the rows' checks with the row they concern, the weights'
rule at every level, the file's header and cells, and the same bytes for the same version."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook

from contracts.assessments import indicator_rows, indicator_xlsx, rules
from contracts.assessments.indicator_rows import Row
from contracts.assessments.seed import SOCIAL_WORK_SYSTEM
from procurement.core.errors import ValidationFailed

SEEDED = rules.normalized(SOCIAL_WORK_SYSTEM["tree"])
CREATED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def rows(*cells: tuple) -> list[Row]:
    return [
        Row(number=n, code=c[0], name=c[1], weight=c[2], guidance=c[3] if len(c) > 3 else "")
        for n, c in enumerate(cells, start=1)
    ]


GOOD = (
    ("1", "项目管理", 40),
    ("1.1", "制度建设", 50, "制度齐全得满分"),
    ("1.2", "档案管理", "50", "台账完整得满分"),
    ("2", "服务成效", 60.0),
    ("2.1", "目标完成", 100, "按完成率"),
)


def test_good_rows_make_the_tree_in_number_order():
    shuffled = rows(GOOD[4], GOOD[3], GOOD[2], GOOD[0], GOOD[1], ("", "", "", ""))
    checked = indicator_rows.check_rows(shuffled)
    assert checked.problems == {}
    assert [d["name"] for d in checked.tree["dimensions"]] == ["项目管理", "服务成效"]
    assert [i["name"] for i in checked.tree["dimensions"][0]["indicators"]] == ["制度建设", "档案管理"]
    assert checked.tree["dimensions"][1]["weight"] == 60


def test_the_seeded_tree_survives_rows_and_back():
    back = indicator_rows.check_rows(indicator_rows.tree_rows(SEEDED))
    assert back.problems == {}
    assert indicator_rows.same_tree(back.tree, SEEDED)


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ((1, ("1.1", "制度建设", 45, "x")), (1, "indicators"), "合计为 95"),  # indicators of 项目管理 add to 95
        ((0, ("1", "项目管理", 30)), (None, "rows"), "合计为 90"),  # dimensions add to 90
        ((1, ("1.1", "", 50, "x")), (2, "name"), "请填写名称"),
        ((1, ("1.1", "制度建设", "五十", "x")), (2, "weight"), "不是整数"),
        ((1, ("1.1", "制度建设", 49.5, "x")), (2, "weight"), "不是整数"),
        ((1, ("1.1", "制度建设", "", "x")), (2, "weight"), "请填写权重"),
        ((1, ("1.1", "制度建设", 50, "")), (2, "guidance"), "评分标准"),
        ((1, ("A1", "制度建设", 50, "x")), (2, "code"), "编号「A1」不正确"),
        ((1, ("1.2", "制度建设", 50, "x")), (3, "code"), "重复"),
        ((1, ("3.1", "制度建设", 50, "x")), (2, "code"), "一级维度 3 不存在"),
        ((0, ("1", "项目管理", 40, "维度说明")), (1, "guidance"), "一级维度不设评分标准"),
    ],
)
def test_each_problem_names_its_row_and_field(change, where, words):
    cells = list(GOOD)
    index, replacement = change
    cells[index] = replacement
    checked = indicator_rows.check_rows(rows(*cells))
    assert where in checked.problems, checked.problems
    assert words in checked.problems[where]


def test_no_rows_at_all_is_refused():
    checked = indicator_rows.check_rows(rows(("", "", "", "")))
    assert list(checked.problems) == [(None, "rows")]


@pytest.mark.parametrize(
    ("value", "weight"),
    [
        (30, 30),
        ("30", 30),
        (30.0, 30),
        (" 30 ", 30),
        ("30%", None),
        ("三十", None),
        (30.5, None),
        (True, None),
        ("", None),
        ("1e2", 100),
    ],
)
def test_a_weight_is_a_whole_number(value, weight):
    assert indicator_rows.parse_weight(value) == weight


def export(version: int = 1) -> bytes:
    return indicator_xlsx.write("示例指标体系", "适用于测试", version, indicator_rows.tree_rows(SEEDED), CREATED)


def test_an_export_reads_back_as_the_same_system():
    sheet = indicator_xlsx.read("示例.xlsx", export())
    assert (sheet.name, sheet.description) == ("示例指标体系", "适用于测试")
    checked = indicator_rows.check_rows(sheet.rows)
    assert checked.problems == {}
    assert indicator_rows.same_tree(checked.tree, SEEDED)


def test_the_same_version_exports_to_the_same_bytes():
    assert export() == export()
    # Dated by the version, never by the download: the workbook's properties and its parts.
    parts = zipfile.ZipFile(io.BytesIO(export()))
    core = parts.read("docProps/core.xml").decode()
    assert "2026-03-01T08:30:00Z" in core and core.count("2026-03-01T08:30:00Z") == 2
    assert {part.date_time for part in parts.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def workbook(lines: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_wrong_header_is_named_with_its_line():
    content = workbook([["指标体系名称", "X 体系"], ["编号", "名字", "权重", "评分标准"], ["1", "项目管理", 100]])
    with pytest.raises(ValidationFailed) as caught:
        indicator_xlsx.read("x.xlsx", content)
    assert "第 2 行的表头应为「编号、名称、权重、评分标准」" in caught.value.field_errors["file"]


def test_a_sheet_without_the_header_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        indicator_xlsx.read("x.xlsx", workbook([["名称", "权重"], ["项目管理", 100]]))
    assert "找不到表头" in caught.value.field_errors["file"]


def test_rows_are_numbered_as_the_sheet_numbers_them():
    content = workbook(
        [
            ["指标体系名称", "X 体系"],
            [],
            ["编号", "名称", "权重", "评分标准"],
            ["1", "项目管理", 100],
            ["1.1", "制度", "满分", "x"],
        ]
    )
    sheet = indicator_xlsx.read("x.xlsx", content)
    checked = indicator_rows.check_rows(sheet.rows)
    assert (5, "weight") in checked.problems


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("x.xls", b"PK", "只能导入 .xlsx"),
        ("x.xlsx", b"not a workbook at all", "不是 Excel"),
        ("x.xlsx", b"0" * (indicator_xlsx.MAX_BYTES + 1), "文件过大"),
        ("x.xlsx", b"PK\x03\x04" + b"\x00" * 40, "不是 Excel"),
    ],
)
def test_a_file_that_is_not_a_small_workbook_is_refused_in_chinese(filename, content, words):
    with pytest.raises(ValidationFailed) as caught:
        indicator_xlsx.read(filename, content)
    assert words in caught.value.field_errors["file"]
