"""The evaluation report (评审报告, rule 26) as a PDF."""

from __future__ import annotations

import json
from typing import Any

from procurement.core import clock, pdf
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.money import format_yuan
from procurement.evaluation import access, policies, ranking, sheets
from procurement.evaluation.states import MEMBER_KIND_LABELS, MEMBER_TABLE, SHEET_TABLE, MemberKind, SheetStatus
from procurement.evaluation.tables import PanelMember, ScoreSheet


def _local(value) -> str:
    return f"{clock.to_local(value):%Y-%m-%d %H:%M}" if value else "—"


async def report_context(user: CurrentUser, tender_id: int) -> dict[str, Any]:
    """Everything the report shows: the panel and declarations, the review, every
    member's scores, totals, ranking, flags and corrections."""
    tender = await access.tender(tender_id)
    panel = await access.panel(tender_id)
    is_member = False
    if not policies.progress_reader(user, tender):
        await access.chair(user, panel["id"])  # the chair signs the report off; other members see the ranking
        is_member = True
    board = await ranking.compute(tender, panel)
    members = (
        await PanelMember.select(*PanelMember.all_columns(), PanelMember.user.display_name)
        .where(PanelMember.panel == panel["id"])
        .order_by(PanelMember.id)
    )
    seated = [m for m in members if m["status"] == "declared_no_conflict"]
    rows = await ScoreSheet.select().where(
        ScoreSheet.member.is_in([m["id"] for m in seated] or [0])
        & (ScoreSheet.round == panel["round"])
        & (ScoreSheet.status == SheetStatus.SUBMITTED)
    )
    corrections = await sheets.corrections([r["id"] for r in rows])
    name = {m["id"]: m["user.display_name"] or _("采购人代表") for m in members}
    criteria = board.criteria
    score_tables = []
    for lot in board.lots:
        for b in lot.bids:
            table = []
            for m in seated:
                sheet = next((r for r in rows if r["member"] == m["id"] and r["bid"] == b.bid_id), None)
                scores = json.loads(sheet["scores"]) if sheet else {}
                comments = json.loads(sheet["comments"]) if sheet else {}
                table.append(
                    {
                        "member": name[m["id"]],
                        "scores": [scores.get(c.key, "—") for c in criteria],
                        "comments": [f"{c.name}：{comments[c.key]}" for c in criteria if comments.get(c.key)],
                        "recommended": format_yuan(sheet["recommended_fen"])
                        if sheet and sheet["recommended_fen"]
                        else "",
                        "status": SHEET_TABLE.staff_label(sheet["status"]) if sheet else _("未提交"),
                    }
                )
            score_tables.append({"lot": lot, "bid": b, "rows": table})
    correction_rows = []
    for r in rows:
        for c in corrections.get(r["id"], []):
            bid = next((b for lot in board.lots for b in lot.bids if b.bid_id == r["bid"]), None)
            correction_rows.append(
                {
                    "member": name[r["member"]],
                    "org": bid.organization_name if bid else r["bid"],
                    "criterion": next((x.name for x in criteria if x.key == c.criterion_key), c.criterion_key),
                    "old": c.old_points,
                    "new": c.new_points,
                    "reason": c.reason_label,
                    "explanation": c.explanation,
                    "by": c.corrected_by,
                    "at": _local(c.corrected_at),
                }
            )
    declarations = [
        {
            "name": name[m["id"]],
            "kind": MEMBER_KIND_LABELS[MemberKind(m["kind"])],
            "chair": m["is_chair"],
            "status": MEMBER_TABLE.staff_label(m["status"]),
            "at": _local(m["declared_at"]),
            "reason": m["removed_reason"],
        }
        for m in members
    ]
    draft = panel["report_delivered_at"] is None
    return {
        "tender": tender,
        "board": board,
        "panel": panel,
        "declarations": declarations,
        "score_tables": score_tables,
        "corrections": correction_rows,
        "signers": [name[m["id"]] for m in seated],
        "draft": draft,
        "is_member": is_member,
        "issuer": tender["buyer.name"],
        "doc_number": _("项目编号：{reference_no}").format(reference_no=tender["reference_no"]),
        "issued_on": (_("草稿，生成于 ") + _local(clock.now()))
        if draft
        else _("提交于 ") + _local(panel["report_delivered_at"]),
        "report_due": f"{panel['report_due_on']:%Y-%m-%d}" if panel["report_due_on"] else "—",
        "delivered": _local(panel["report_delivered_at"]),
        "seed": panel["seed"],
    }


async def report_pdf(user: CurrentUser, tender_id: int) -> tuple[str, bytes]:
    """The report as a PDF; the chair's download of the draft is the preview delivery requires."""
    panel = await access.panel(tender_id)
    fingerprint = await ranking.report_fingerprint(panel)  # before reading: a later change voids the preview
    context = await report_context(user, tender_id)
    data = await pdf.render_pdf("pdf/evaluation_report.html", context)
    if context["draft"] and context["is_member"]:  # only the chair reaches the draft as a member
        await ranking.record_preview(context["panel"], fingerprint)
    suffix = _("（草稿）") if context["draft"] else ""
    return _("评审报告{suffix}-{reference_no}.pdf").format(
        suffix=suffix, reference_no=context["tender"]["reference_no"]
    ), data
