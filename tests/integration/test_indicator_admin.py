"""Keeping indicator systems (issue 14 §2): the pages at /admin/indicator-systems (list,
tree, edit saved as a new version, new system, XLSX import), the API's export and import,
who may use them, and what never changes: an older version and a contract's copy. A file
or form with any problem saves nothing. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import base64
import io
import json

from openpyxl import Workbook, load_workbook

from contracts.assessments import indicator_rows, rules
from contracts.assessments import services as assessments
from contracts.assessments.seed import SOCIAL_WORK_SYSTEM
from contracts.assessments.tables import ContractIndicators, IndicatorSystem
from procurement.core.tables import AuditEvent
from tests.integration.conftest import api_login, csrf_from, page_login, post_form
from tests.integration.test_assessments import assigned, url

BASE = "/admin/indicator-systems"
API = "/api/v1/assessments/indicator-systems"
NAME = SOCIAL_WORK_SYSTEM["name"]
SEEDED_TREE = rules.normalized(SOCIAL_WORK_SYSTEM["tree"])


async def seeded_id() -> int:
    await assessments.seed_systems()
    row = await IndicatorSystem.select(IndicatorSystem.id).where(IndicatorSystem.name == NAME).first()
    return row["id"]


async def versions() -> list[tuple[str, int]]:
    rows = await IndicatorSystem.select(IndicatorSystem.name, IndicatorSystem.version).order_by(IndicatorSystem.id)
    return [(r["name"], r["version"]) for r in rows]


def form_rows(tree: dict) -> dict[str, str]:
    """The edit form's fields for a tree, as the page fills them."""
    fields = {}
    for row in indicator_rows.tree_rows(tree):
        for name in indicator_rows.FIELDS:
            fields[f"rows.{row.number}.{name}"] = str(getattr(row, name))
    return fields


async def export(client, headers, system_id: int):
    response = await client.get(f"{API}/{system_id}/xlsx", headers=headers)
    assert response.status_code == 200, response.text
    return response


async def import_file(client, headers, content: bytes, filename: str = "指标体系.xlsx", name: str = ""):
    body = {"filename": filename, "content_base64": base64.b64encode(content).decode(), "name": name}
    return await client.post(f"{API}/import", headers=headers, json=body)


def workbook(lines: list[list]) -> bytes:
    book = Workbook()
    for line in lines:
        book.active.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_LINES = [
    ["指标体系名称", "居家养老服务评估指标"],
    ["说明", "适用于居家养老上门服务项目"],
    [],
    ["编号", "名称", "权重", "评分标准"],
    ["1", "服务管理", 40, None],
    ["1.1", "服务记录", 100, "记录完整得满分"],
    ["2", "服务成效", 60, None],
    ["2.1", "老人满意度", 70, "按回访满意率计分"],
    ["2.2", "服务完成率", 30, "完成率 × 100"],
]


# --------------------------------------------------------------------------- the pages


async def test_an_administrator_reaches_the_systems_their_tree_and_the_edit_form(client):
    system_id = await seeded_id()
    await page_login(client, "admin")
    dashboard = await client.get("/dashboard")
    assert f'href="{BASE}"' in dashboard.text  # the nav link, beside the other admin pages
    listed = await client.get(BASE)
    assert listed.status_code == 200 and NAME in listed.text and "第 1 版" in listed.text
    tree = await client.get(f"{BASE}/{system_id}")
    assert tree.status_code == 200
    for dimension in SEEDED_TREE["dimensions"]:
        assert dimension["name"] in tree.text
        assert all(i["guidance"] in tree.text for i in dimension["indicators"])
    assert f"{API}/{system_id}/xlsx" in tree.text
    edit = await client.get(f"{BASE}/{system_id}/edit")
    assert edit.status_code == 200 and 'name="rows.2.guidance"' in edit.text and "保存为第 2 版" in edit.text


async def test_the_bureaus_officer_may_use_the_pages_and_anyone_else_is_refused_with_the_reason(client):
    system_id = await seeded_id()
    await page_login(client, "officer")
    assert (await client.get(BASE)).status_code == 200
    for username in ("finance", "xingfujia", "pinggu", "expert1"):
        client.cookies.clear()
        await page_login(client, username)
        for path in (BASE, f"{BASE}/{system_id}", f"{BASE}/{system_id}/edit", f"{BASE}/new"):
            refused = await client.get(path)
            assert refused.status_code == 403, (username, path)
            assert "只有民政局经办人或系统管理员可以维护评估指标体系" in refused.text
    client.cookies.clear()
    assert (await client.get(BASE, follow_redirects=False)).status_code in (302, 303, 401)


async def test_an_edit_on_the_page_is_a_new_version_and_changes_neither_the_old_one_nor_a_contracts_copy(client):
    contract, officer, _provider, assessment = await assigned(client)
    system_id = await seeded_id()
    copy_before = await ContractIndicators.select().where(ContractIndicators.contract == contract["id"]).first()
    old_before = await IndicatorSystem.select().where(IndicatorSystem.id == system_id).first()
    await page_login(client, "admin")
    fields = form_rows(SEEDED_TREE)
    fields["rows.1.name"] = "项目管理与执行"
    saved = await post_form(
        client, f"{BASE}/{system_id}/edit", f"{BASE}/{system_id}/edit", {**fields, "base_version": "1"}
    )
    assert saved.status_code == 303, saved.text
    assert await versions() == [(NAME, 1), (NAME, 2)]
    new = await IndicatorSystem.select().where(IndicatorSystem.version == 2).first()
    assert saved.headers["location"] == f"{BASE}/{new['id']}"
    assert '"项目管理与执行"' in new["tree"]
    assert await IndicatorSystem.select().where(IndicatorSystem.id == system_id).first() == old_before
    assert await ContractIndicators.select().where(ContractIndicators.contract == contract["id"]).first() == copy_before
    again = await client.get(url(contract, f"/{assessment['id']}"), headers=officer)
    assert again.json()["dimensions"][0]["name"] == "项目管理" and again.json()["system_version"] == 1
    audit = await AuditEvent.select().where(AuditEvent.action == "assessment.indicator_system_edited")
    assert len(audit) == 1 and json.loads(audit[0]["after"])["based_on_version"] == 1


async def test_an_edit_with_weights_not_adding_up_saves_nothing_and_says_where(client):
    system_id = await seeded_id()
    await page_login(client, "admin")
    fields = form_rows(SEEDED_TREE)
    fields["rows.2.weight"] = "35"  # 项目管理's indicators now add up to 105
    fields["rows.5.weight"] = "四十"  # not a number
    fields["rows.9.name"] = ""  # an indicator without a name
    shown = await post_form(client, f"{BASE}/{system_id}/edit", f"{BASE}/{system_id}/edit", fields)
    assert shown.status_code == 422
    assert "没有保存" in shown.text
    assert "维度「项目管理」下各指标权重合计为 105，应为 100。" in shown.text
    assert "第 5 行：权重「四十」不是整数。" in shown.text
    assert "第 9 行：请填写名称。" in shown.text
    assert 'value="四十"' in shown.text  # the form comes back as typed
    assert await versions() == [(NAME, 1)]


async def test_an_edit_over_a_version_saved_meanwhile_is_refused(client):
    system_id = await seeded_id()
    await page_login(client, "admin")
    fields = {**form_rows(SEEDED_TREE), "base_version": "1"}
    first = await post_form(client, f"{BASE}/{system_id}/edit", f"{BASE}/{system_id}/edit", fields)
    assert first.status_code == 303
    stale = await post_form(client, f"{BASE}/{system_id}/edit", f"{BASE}/{system_id}/edit", fields)
    assert stale.status_code == 409 and "已保存了第 2 版" in stale.text
    assert await versions() == [(NAME, 1), (NAME, 2)]


async def test_a_new_system_on_the_page_needs_a_new_name(client):
    await seeded_id()
    await page_login(client, "officer")
    fields = {**form_rows(SEEDED_TREE), "name": NAME, "description": "复制"}
    taken = await post_form(client, f"{BASE}/new", f"{BASE}/new", fields)
    assert taken.status_code == 422 and "已有名为" in taken.text
    made = await post_form(client, f"{BASE}/new", f"{BASE}/new", {**fields, "name": "社区养老服务评估指标"})
    assert made.status_code == 303, made.text
    assert await versions() == [(NAME, 1), ("社区养老服务评估指标", 1)]
    assert await AuditEvent.count().where(AuditEvent.action == "assessment.indicator_system_created") == 1


async def test_a_file_imported_on_the_page_becomes_the_next_version_of_its_name(client):
    system_id = await seeded_id()
    admin = await api_login(client, "admin")
    content = (await export(client, admin, system_id)).content
    await page_login(client, "admin")
    form_page = await client.get(BASE)
    done = await client.post(
        f"{BASE}/import",
        data={"_csrf_token": csrf_from(form_page.text), "name": ""},
        files={"file": ("指标体系.xlsx", content, "application/octet-stream")},
    )
    assert done.status_code == 303, done.text
    assert await versions() == [(NAME, 1), (NAME, 2)]
    audit = await AuditEvent.select().where(AuditEvent.action == "assessment.indicator_system_imported")
    assert len(audit) == 1 and "指标体系.xlsx" in audit[0]["after"]
    bad = workbook([*GOOD_LINES[:4], ["1", "服务管理", 40], ["1.1", "服务记录", 90, "x"]])
    form_page = await client.get(BASE)
    refused = await client.post(
        f"{BASE}/import",
        data={"_csrf_token": csrf_from(form_page.text)},
        files={"file": ("坏文件.xlsx", bad, "application/octet-stream")},
    )
    assert refused.status_code == 422 and "合计为 90" in refused.text
    assert await versions() == [(NAME, 1), (NAME, 2)]


# --------------------------------------------------------------------------- export and import


async def test_an_export_imported_again_gives_the_same_tree_and_downloads_are_byte_identical(client):
    system_id = await seeded_id()
    officer = await api_login(client, "officer")
    first = await export(client, officer, system_id)
    second = await export(client, officer, system_id)
    assert first.headers["content-type"] == "application/octet-stream"
    assert ".xlsx" in first.headers["content-disposition"]
    assert first.content == second.content
    sheet = load_workbook(io.BytesIO(first.content)).active
    assert sheet["A1"].value == "指标体系名称" and sheet["B1"].value == NAME
    made = await import_file(client, officer, first.content, name="复制的指标体系")
    assert made.status_code == 201, made.text
    assert made.json()["version"] == 1 and made.json()["name"] == "复制的指标体系"
    imported = {"dimensions": made.json()["dimensions"]}
    assert indicator_rows.same_tree(imported, SEEDED_TREE)
    assert imported == SEEDED_TREE  # keys too
    again = await import_file(client, officer, first.content)  # the file's own name: the next version
    assert again.status_code == 201 and (again.json()["name"], again.json()["version"]) == (NAME, 2)
    reader = await api_login(client, "xingfujia")  # anyone signed in may read and export, as ListIndicatorSystems
    assert (await export(client, reader, system_id)).content == first.content
    shown = await client.get(f"{API}/{system_id}", headers=reader)
    assert [v["version"] for v in shown.json()["versions"]] == [2, 1]


async def test_a_good_file_makes_a_new_system(client):
    officer = await api_login(client, "officer")
    made = await import_file(client, officer, workbook(GOOD_LINES))
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["name"], body["description"]) == ("居家养老服务评估指标", "适用于居家养老上门服务项目")
    assert [(d["name"], d["weight"], len(d["indicators"])) for d in body["dimensions"]] == [
        ("服务管理", 40, 1),
        ("服务成效", 60, 2),
    ]


async def test_each_malformed_file_is_refused_in_chinese_and_saves_nothing(client):
    await seeded_id()
    officer = await api_login(client, "officer")
    header = GOOD_LINES[3]
    cases = [
        (workbook([GOOD_LINES[0], ["序号", "名称", "权重", "评分标准"], *GOOD_LINES[4:]]), "找不到表头"),
        (workbook([GOOD_LINES[0], ["编号", "名称", "分值", "评分标准"], *GOOD_LINES[4:]]), "表头应为"),
        (workbook([*GOOD_LINES[:4], ["1", "服务管理", 50], *GOOD_LINES[5:]]), "各一级维度权重合计为 110"),
        (workbook([*GOOD_LINES[:8], ["2.2", "服务完成率", 20, "x"]]), "合计为 90"),
        (workbook([*GOOD_LINES[:5], ["1.1", "", 100, "x"], *GOOD_LINES[6:]]), "第 6 行：请填写名称。"),
        (
            workbook([*GOOD_LINES[:5], ["1.1", "服务记录", "满分", "x"], *GOOD_LINES[6:]]),
            "第 6 行：权重「满分」不是整数。",
        ),
        (workbook([["指标体系名称", ""], header, *GOOD_LINES[4:]]), "没有填写指标体系名称"),
        (b"PK\x03\x04" + b"0" * (1024 * 1024), "文件过大"),
        (b"just some text", "不是 Excel"),
    ]
    for content, words in cases:
        refused = await import_file(client, officer, content)
        assert refused.status_code == 422, (words, refused.text)
        assert words in refused.json()["detail"], (words, refused.json())
    wrong_kind = await import_file(client, officer, workbook(GOOD_LINES), filename="指标体系.csv")
    assert wrong_kind.status_code == 422 and "只能导入 .xlsx" in wrong_kind.json()["detail"]
    assert await versions() == [(NAME, 1)]
    assert await AuditEvent.count().where(AuditEvent.action == "assessment.indicator_system_imported") == 0


async def test_only_the_bureaus_officers_and_administrators_import(client):
    provider = await api_login(client, "xingfujia")
    refused = await import_file(client, provider, workbook(GOOD_LINES))
    assert refused.status_code == 403 and "经办人或系统管理员" in refused.json()["detail"]
    assert await versions() == []


async def test_a_cleared_row_is_dropped_and_a_row_added_at_the_end_takes_its_place_by_its_number(client):
    system_id = await seeded_id()
    await page_login(client, "admin")
    fields = form_rows(SEEDED_TREE)
    for name in indicator_rows.FIELDS:
        fields[f"rows.4.{name}"] = ""  # 1.3 档案与服务台账, removed
    added = {"code": "1.3", "name": "台账与档案管理", "weight": "30", "guidance": "抽查台账 10 份，每份缺失扣 10 分。"}
    fields.update({f"rows.57.{k}": v for k, v in added.items()})  # as the script numbers a new row
    fields.update({f"rows.58.{k}": "" for k in indicator_rows.FIELDS})  # a spare blank row
    saved = await post_form(client, f"{BASE}/{system_id}/edit", f"{BASE}/{system_id}/edit", fields)
    assert saved.status_code == 303, saved.text
    new = await IndicatorSystem.select().where(IndicatorSystem.version == 2).first()
    tree = json.loads(new["tree"])
    assert [i["name"] for i in tree["dimensions"][0]["indicators"]] == [
        "组织架构与制度建设",
        "项目计划与执行",
        "台账与档案管理",
    ]
    too_many = await post_form(client, f"{BASE}/{system_id}/edit", f"{BASE}/{system_id}/edit", {"rows.5000.code": "1"})
    assert too_many.status_code == 422 and "行数过多" in too_many.text
    assert await versions() == [(NAME, 1), (NAME, 2)]
