"""The Chinese text of public notices, and what changed between two versions.

Plain text (one paragraph per line): the portal shows it escaped, the search
reads it, and the feed carries it unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any

from procurement.catalogue.states import CATEGORY_LABELS
from procurement.core import clock
from procurement.core.money import format_yuan
from procurement.tenders.schemas import (
    EVALUATION_GRADE_LABELS,
    EVALUATION_METHOD_LABELS,
    GATE_LABELS,
    REGISTRATION_TYPE_LABELS,
    WORKER_LEVEL_LABELS,
)
from procurement.tenders.states import METHOD_LABELS, Method


def _t(value) -> str:
    return f"{clock.to_local(value):%Y年%m月%d日 %H:%M}" if value else "—"


def _json(text: str, default: Any) -> Any:
    return json.loads(text) if text else default


_RULE_MARK = re.compile(r"[（(]rules? [0-9、，,– -]+[）)]")
_RULE_TAIL = re.compile(r"[，,；;] *rules? [0-9、– -]+(?=[）)])")


def public(text: str) -> str:
    """Internal rule numbers (domain-rules.md) are for officers, not public notices."""
    return _RULE_MARK.sub("", _RULE_TAIL.sub("", text))


def publication_title(row: dict[str, Any]) -> str:
    if row["method"] == Method.VENTURE:
        return f"{row['title']}公告" if row["title"].endswith("征集") else f"{row['title']}征集公告"
    return f"{row['title']}{METHOD_LABELS[Method(row['method'])]}公告"


def requirement_lines(row: dict[str, Any]) -> list[str]:
    elig = _json(row["eligibility"], {})
    lines = ["具有独立承担民事责任的能力，有健全的财务会计制度，有依法缴纳税收和社会保障资金的良好记录（rule 3）。"]
    if elig.get("registration_types"):
        lines.append(
            "登记类型：" + "、".join(REGISTRATION_TYPE_LABELS.get(t, t) for t in elig["registration_types"]) + "。"
        )
    lines.append(f"近 {elig.get('no_major_violation_years', 3)} 年内无重大违法记录（rule 3）。")
    if elig.get("abnormal_list_years"):
        lines.append(f"近 {elig['abnormal_list_years']} 年未被列入社会组织活动异常名录（rule 4）。")
    if elig.get("dishonest_list_years"):
        lines.append(f"近 {elig['dishonest_list_years']} 年未被列入严重违法失信名单（rule 4）。")
    if elig.get("annual_report_passed"):
        lines.append("上一年度年报已报送并通过（rule 4）。")
    if elig.get("min_grade"):
        lines.append(f"社会组织等级评估 {elig['min_grade']} 及以上（rule 6）。")
    if elig.get("scope_keyword"):
        lines.append(f"章程业务范围包含「{elig['scope_keyword']}」相关内容。")
    team = _json(row["team_requirements"], {})
    if team.get("min_licensed_workers"):
        lines.append(f"服务团队中持证社会工作者不少于 {team['min_licensed_workers']} 名（rule 40）。")
    if team.get("lead_min_level") and team["lead_min_level"] != "none":
        lines.append(
            f"项目负责人须具有{WORKER_LEVEL_LABELS.get(team['lead_min_level'])}及以上职业水平证书（rule 38、40）。"
        )
    if team.get("supervisor_required"):
        lines.append("须配备项目督导（rule 40）。")
    return [public(line) for line in lines]


def scheme_lines(row: dict[str, Any]) -> list[str]:
    scheme = _json(row["evaluation_scheme"], None)
    if not scheme:
        return ["单一来源采购，不进行竞争性评审。"]
    lines = [f"评审办法：{EVALUATION_METHOD_LABELS.get(scheme['method'], scheme['method'])}（rule 21）。"]
    for c in scheme.get("criteria", []):
        kind = "客观分" if c["kind"] == "objective" else "主观分"
        lines.append(
            f"· {c['name']}：{c['max_points']} 分（{kind}）{('—' + c['description']) if c.get('description') else ''}"
        )
    if scheme["method"] == "comprehensive":
        if scheme.get("price_fixed"):
            lines.append("· 价格由采购人固定，不计价格分（rule 22）。")
        else:
            lines.append(
                f"· 价格分：{scheme['price_weight']} 分，价格分 = 评标基准价 / 投标报价 × {scheme['price_weight']}，"
                "评标基准价为满足要求的最低报价（rule 22）。"
            )
    return [public(line) for line in lines]


def payment_lines(row: dict[str, Any]) -> list[str]:
    lines = []
    for n, item in enumerate(_json(row["payment_schedule"], []), start=1):
        grade = f"（评估等级{EVALUATION_GRADE_LABELS.get(item['min_grade'])}及以上）" if item.get("min_grade") else ""
        date = f"（{item['due_date']}）" if item.get("due_date") else ""
        lines.append(
            f"第{n}期 {item['label']}：{item['percent']}%，{GATE_LABELS.get(item['gate'], item['gate'])}{grade}{date}支付。"
        )
    return lines


def publication_text(row: dict[str, Any], lots: list[dict[str, Any]]) -> str:
    method = Method(row["method"])
    parts = [
        f"项目编号：{row['reference_no']}",
        f"采购人：{row['buyer.name']}",
        f"采购方式：{METHOD_LABELS[method]}",
        f"服务类别：{CATEGORY_LABELS.get(row['category'], row['category'])}（指导性目录：{row['catalogue_item.name']}）",
        f"预算金额：{format_yuan(row['total_budget_fen'])}",
        "",
        "一、项目概况",
        row["description"] or "（见招标文件）",
        "",
        "二、标段（包）",
    ]
    for lot in lots:
        cap = f"，最高限价 {format_yuan(lot['max_price_fen'])}" if lot["max_price_fen"] else ""
        parts.append(f"第{lot['number']}包 {lot['name']}：预算 {format_yuan(lot['budget_fen'])}{cap}")
    numbers = iter("三四五六七八")
    venture = _json(row["venture_terms"], None)
    if venture:
        parts += [
            "",
            f"{next(numbers)}、资助标准",
            f"单个项目资助上限 {format_yuan(venture['cap_per_project_fen'])}，资助金额不超过项目总预算的 "
            f"{venture['max_share_percent']}%"
            + ("，其余由申报机构配套。" if venture.get("matching_required") else "。"),
            "每家机构限申报一个项目（rule 4）。",
        ]
    parts += [
        "",
        f"{next(numbers)}、申请人资格要求",
        *requirement_lines(row),
        "",
        f"{next(numbers)}、评审办法",
        *scheme_lines(row),
        "",
        f"{next(numbers)}、合同与付款",
        f"服务期限：{row['contract_term_months']} 个月。",
        *payment_lines(row),
    ]
    if row["bid_bond_fen"]:
        parts.append(f"投标保证金：{format_yuan(row['bid_bond_fen'])}（不超过预算的 2%，rule 29）。")
    parts += [
        "",
        f"{next(numbers)}、时间安排",
        f"公告发布时间：{_t(row['published_at'])}",
        f"文件提供截止：{_t(row['documents_until'])}",
        f"答疑截止：{_t(row['clarification_deadline'])}",
        f"投标（申报）截止及开标时间：{_t(row['bid_deadline'])}",
        "所有时间均为北京时间，以本系统服务器时间为准。",
    ]
    return public("\n".join(parts))


def amendment_text(row: dict[str, Any], note: str, changes: list[str], extension: str | None) -> str:
    parts = [
        f"项目编号：{row['reference_no']}",
        f"采购人：{row['buyer.name']}",
        f"原公告项目：{row['title']}",
        "",
        "一、更正事项",
        note,
        "",
        "二、更正内容",
        *(changes or ["无实质内容变化。"]),
    ]
    if extension:
        parts += ["", "三、截止时间顺延", extension]
    parts += [
        "",
        f"更正后投标截止及开标时间：{_t(row['bid_deadline'])}",
        "已提交投标文件的供应商请确认或重新提交。其他内容不变。",
    ]
    return public("\n".join(parts))


def clarification_text(row: dict[str, Any], question: str, answer: str, moved) -> str:
    return "\n".join(
        [
            f"项目编号：{row['reference_no']}",
            f"采购人：{row['buyer.name']}",
            "",
            "一、澄清问题",
            question,
            "",
            "二、答复",
            answer,
            "",
            "三、截止时间顺延",
            f"本澄清发布时距投标截止不足规定时间，投标截止及开标时间顺延至 {_t(moved)}。",
        ]
    )


def termination_text(row: dict[str, Any], reason: str) -> str:
    return "\n".join(
        [
            f"项目编号：{row['reference_no']}",
            f"采购人：{row['buyer.name']}",
            f"采购方式：{METHOD_LABELS[Method(row['method'])]}",
            "",
            "一、终止原因",
            reason,
            "",
            "二、其他事项",
            "已缴纳的投标保证金将按规定退还。",
        ]
    )


def failure_text(row: dict[str, Any], reason: str) -> str:
    """废标公告 (rule 18)."""
    return "\n".join(
        [
            f"项目编号：{row['reference_no']}",
            f"采购人：{row['buyer.name']}",
            f"采购方式：{METHOD_LABELS[Method(row['method'])]}",
            "",
            "一、废标原因",
            reason,
            "",
            "二、后续安排",
            "采购人将重新组织采购，或经批准后采用其他采购方式。已缴纳的投标保证金将在 5 个工作日内退还。",
        ]
    )


_FIELD_LABELS = {
    "title": "项目名称",
    "description": "项目概况",
    "catalogue_item_id": "指导性目录项目",
    "bid_bond_fen": "投标保证金",
    "contract_term_months": "服务期限",
    "term_justification": "多年期理由",
    "method_justification": "采购方式说明",
    "invited_org_ids": "受邀机构",
    "single_source_provider_id": "单一来源供应商",
    "eligibility": "资格要求",
    "team_requirements": "团队要求",
    "evaluation_scheme": "评审办法",
    "payment_schedule": "付款计划",
    "venture_terms": "资助标准",
    "bid_deadline": "投标截止时间",
    "clarification_deadline": "答疑截止时间",
    "documents_until": "文件提供截止时间",
}


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What an amendment changed, in words a bidder understands."""
    changes = []
    for field, label in _FIELD_LABELS.items():
        if before.get(field) != after.get(field):
            if field.endswith("_fen"):
                changes.append(f"{label}由 {format_yuan(before[field] or 0)} 改为 {format_yuan(after[field] or 0)}")
            elif field in ("bid_deadline", "clarification_deadline", "documents_until"):
                changes.append(f"{label}由 {_iso(before.get(field))} 改为 {_iso(after.get(field))}")
            elif field == "contract_term_months":
                changes.append(f"{label}由 {before[field]} 个月改为 {after[field]} 个月")
            elif isinstance(after.get(field), str) and len(after.get(field) or "") <= 60:
                changes.append(f"{label}由「{before.get(field) or '（空）'}」改为「{after.get(field) or '（空）'}」")
            else:
                changes.append(f"{label}已修改（详见更新后的招标文件）")
    before_lots, after_lots = before.get("lots", []), after.get("lots", [])
    for n in range(max(len(before_lots), len(after_lots))):
        old = before_lots[n] if n < len(before_lots) else None
        new = after_lots[n] if n < len(after_lots) else None
        if old == new:
            continue
        if old is None:
            assert new is not None  # both missing would have compared equal above
            changes.append(f"新增第{n + 1}包「{new['name']}」，预算 {format_yuan(new['budget_fen'])}")
        elif new is None:
            changes.append(f"取消第{n + 1}包「{old['name']}」")
        else:
            if old["budget_fen"] != new["budget_fen"]:
                changes.append(
                    f"第{n + 1}包预算由 {format_yuan(old['budget_fen'])} 改为 {format_yuan(new['budget_fen'])}"
                )
            if old["max_price_fen"] != new["max_price_fen"]:
                changes.append(
                    f"第{n + 1}包最高限价由 {_money(old['max_price_fen'])} 改为 {_money(new['max_price_fen'])}"
                )
            if old["name"] != new["name"] or old["description"] != new["description"]:
                changes.append(f"第{n + 1}包名称或说明已修改")
    return changes


def _money(fen: int | None) -> str:
    return format_yuan(fen) if fen else "不设"


def _iso(value: Any) -> str:
    if not value:
        return "（未设）"
    from datetime import datetime

    return f"{clock.to_local(datetime.fromisoformat(str(value))):%Y-%m-%d %H:%M}"


def snapshot_summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": row["title"],
        "total_budget_fen": row["total_budget_fen"],
        "bid_deadline": row["bid_deadline"].isoformat() if row["bid_deadline"] else None,
    }
