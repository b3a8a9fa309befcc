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
from procurement.core.i18n import N_, Labels, _
from procurement.core.money import format_yuan
from procurement.tenders.eligibility_terms import annual_report_year_for
from procurement.tenders.schemas import (
    EVALUATION_GRADE_LABELS,
    EVALUATION_METHOD_LABELS,
    GATE_LABELS,
    REGISTRATION_TYPE_LABELS,
    WORKER_LEVEL_LABELS,
)
from procurement.tenders.states import METHOD_LABELS, Method


def _t(value) -> str:
    return _("{moment:%Y年%m月%d日 %H:%M}").format(moment=clock.to_local(value)) if value else "—"


def _json(text: str, default: Any) -> Any:
    return json.loads(text) if text else default


_RULE_MARK = re.compile(r"[（(]rules? [0-9、，,– -]+[）)]")
_RULE_TAIL = re.compile(r"[，,；;] *rules? [0-9、– -]+(?=[）)])")


def public(text: str) -> str:
    """Internal rule numbers (domain-rules.md) are for officers, not public notices."""
    return _RULE_MARK.sub("", _RULE_TAIL.sub("", text))


def publication_title(row: dict[str, Any]) -> str:
    if row["method"] == Method.VENTURE:
        return (
            _("{title}公告").format(title=row["title"])
            if row["title"].endswith(_("征集"))
            else _("{title}征集公告").format(title=row["title"])
        )
    return _("{title}{method}公告").format(title=row["title"], method=METHOD_LABELS[Method(row["method"])])


def requirement_lines(row: dict[str, Any]) -> list[str]:
    elig = _json(row["eligibility"], {})
    lines = [
        _(
            "具有独立承担民事责任的能力，有健全的财务会计制度，有依法缴纳税收和社会保障资金的良好记录（《政府采购法》第二十二条）。"
        )
    ]
    if elig.get("registration_types"):
        lines.append(
            _("登记类型：") + "、".join(REGISTRATION_TYPE_LABELS.get(t, t) for t in elig["registration_types"]) + "。"
        )
    lines.append(
        _("近 {get} 年内无重大违法记录（《政府采购法》第二十二条）。").format(
            get=elig.get("no_major_violation_years", 3)
        )
    )
    if elig.get("abnormal_list_years"):
        lines.append(
            _("近 {abnormal_list_years} 年未被列入社会组织活动异常名录。").format(
                abnormal_list_years=elig["abnormal_list_years"]
            )
        )
    if elig.get("dishonest_list_years"):
        lines.append(
            _("近 {dishonest_list_years} 年未被列入严重违法失信名单。").format(
                dishonest_list_years=elig["dishonest_list_years"]
            )
        )
    if elig.get("annual_report_passed"):  # rule 4: the year is fixed by the publication day
        lines.append(_("{year} 年度年报已报送并通过。").format(year=annual_report_year_for(row.get("published_at"))))
    if elig.get("blacklist_years"):
        lines.append(_("近 {n} 年未被列入采购人（征集方）黑名单。").format(n=elig["blacklist_years"]))
    if elig.get("min_grade"):
        lines.append(_("社会组织等级评估 {min_grade} 及以上。").format(min_grade=elig["min_grade"]))
    if elig.get("charter_scope_required"):
        lines.append(
            _(
                "项目属于机构章程业务范围{field}：投标（申报）时说明章程业务范围如何涵盖本项目，资格审查时由采购人确认。"
            ).format(
                field=_("（本项目服务领域：{kw}）").format(kw=elig["scope_keyword"])
                if elig.get("scope_keyword")
                else ""
            )
        )
    if elig.get("one_application"):
        lines.append(_("每家机构在本项目中限投标（申报）一次。"))
    team = _json(row["team_requirements"], {})
    if team.get("min_licensed_workers"):
        lines.append(
            _("服务团队中持证社会工作者不少于 {min_licensed_workers} 名。").format(
                min_licensed_workers=team["min_licensed_workers"]
            )
        )
    if team.get("lead_min_level") and team["lead_min_level"] != "none":
        lines.append(
            _("项目负责人须具有{worker_level}及以上职业水平证书（40）。").format(
                worker_level=WORKER_LEVEL_LABELS.get(team["lead_min_level"])
            )
        )
    if team.get("supervisor_required"):
        lines.append(_("须配备项目督导。"))
    return [public(line) for line in lines]


def scheme_lines(row: dict[str, Any]) -> list[str]:
    scheme = _json(row["evaluation_scheme"], None)
    if not scheme:
        return [_("单一来源采购，不进行竞争性评审。")]
    lines = [
        _("评审办法：{evaluation_method}（《政府采购法实施条例》第三十四条）。").format(
            evaluation_method=EVALUATION_METHOD_LABELS.get(scheme["method"], scheme["method"])
        )
    ]
    for c in scheme.get("criteria", []):
        kind = _("客观分") if c["kind"] == "objective" else _("主观分")
        lines.append(
            _("{name}：{max_points} 分（{kind}）{description}").format(
                name=c["name"],
                max_points=c["max_points"],
                kind=kind,
                description=("—" + c["description"]) if c.get("description") else "",
            )
        )
    if scheme["method"] == "comprehensive":
        if scheme.get("price_fixed"):
            lines.append(_("价格由采购人固定，不计价格分（《政府采购货物和服务招标投标管理办法》第五十五条）。"))
        else:
            lines.append(
                _(
                    "价格分：{price_weight} 分，价格分 = 评标基准价 / 投标报价 × {price_weight}，评标基准价为满足要求的最低报价（《政府采购货物和服务招标投标管理办法》第五十五条）。"
                ).format(price_weight=scheme["price_weight"])
            )
    return [public(line) for line in lines]


def payment_lines(row: dict[str, Any]) -> list[str]:
    lines = []
    for n, item in enumerate(_json(row["payment_schedule"], []), start=1):
        grade = (
            _("（评估等级{evaluation_grade}及以上）").format(
                evaluation_grade=EVALUATION_GRADE_LABELS.get(item["min_grade"])
            )
            if item.get("min_grade")
            else ""
        )
        date = f"（{item['due_date']}）" if item.get("due_date") else ""
        lines.append(
            _("第{n}期 {label}：{percent}%，{gate}{grade}{date}支付。").format(
                n=n,
                label=item["label"],
                percent=item["percent"],
                gate=GATE_LABELS.get(item["gate"], item["gate"]),
                grade=grade,
                date=date,
            )
        )
    return lines


def documents_method_text(row: dict[str, Any]) -> str:
    """获取招标文件的地点和方式 (87号令 art. 13): as the officer wrote it, or this platform."""
    return (row.get("documents_method") or "").strip() or _(
        "在本平台本项目页面免费下载招标文件（电子版）；社会组织请登录后下载，系统记录的首次下载时间即为获取招标文件的时间。"
    )


def documents_period_text(row: dict[str, Any]) -> str:
    """获取招标文件的时间: from publication to the end of the documents period."""
    return _("{start} 至 {end}（北京时间）").format(
        start=_t(row.get("published_at")) if row.get("published_at") else _("公告发布之日"),
        end=_t(row.get("documents_until") or row.get("bid_deadline")),
    )


def opening_place_text(row: dict[str, Any]) -> str:
    """开标地点 (87号令 art. 13): as the officer wrote it, or online on this platform."""
    return (row.get("opening_place") or "").strip() or _(
        "本平台网上开标：投标截止时间即开标时间，系统自动开标，投标人登录后可查看开标记录，无需到场。"
    )


def contact_lines(row: dict[str, Any]) -> list[str]:
    """The notice's contact block (87号令 art. 13): the buyer, its address, the contact person and phone."""
    return [
        _("采购人：{name}").format(name=row["buyer.name"]),
        _("地址：{address}").format(address=row.get("buyer_address") or "—"),
        _("项目联系人：{contact}").format(contact=row.get("buyer_contact") or "—"),
        _("联系电话：{phone}").format(phone=row.get("buyer_phone") or "—"),
    ]


def publication_text(row: dict[str, Any], lots: list[dict[str, Any]], files: list[dict[str, Any]] | None = None) -> str:
    method = Method(row["method"])
    parts = [
        _("项目编号：{reference_no}").format(reference_no=row["reference_no"]),
        _("采购人：{name}").format(name=row["buyer.name"]),
        _("采购方式：{METHOD_LABELS}").format(METHOD_LABELS=METHOD_LABELS[method]),
        _("服务类别：{category}（指导性目录：{name}）").format(
            category=CATEGORY_LABELS.get(row["category"], row["category"]), name=row["catalogue_item.name"]
        ),
        _("预算金额：{format_yuan}").format(format_yuan=format_yuan(row["total_budget_fen"])),
        "",
        _("一、项目概况"),
        row["description"] or _("（见招标文件）"),
        "",
        _("二、标段（包）"),
    ]
    for lot in lots:
        cap = (
            _("，最高限价 {format_yuan}").format(format_yuan=format_yuan(lot["max_price_fen"]))
            if lot["max_price_fen"]
            else ""
        )
        parts.append(
            _("第{number}包 {name}：预算 {format_yuan}{cap}").format(
                number=lot["number"], name=lot["name"], format_yuan=format_yuan(lot["budget_fen"]), cap=cap
            )
        )
    numbers = iter(_("三四五六七八九十"))
    venture = _json(row["venture_terms"], None)
    if venture:
        parts += [
            "",
            _("{next}、资助标准").format(next=next(numbers)),
            _("单个项目资助上限 {format_yuan}，资助金额不超过项目总预算的 {max_share_percent}%").format(
                format_yuan=format_yuan(venture["cap_per_project_fen"]), max_share_percent=venture["max_share_percent"]
            )
            + (_("，其余由申报机构配套。") if venture.get("matching_required") else "。"),
            _("每家机构限申报一个项目。"),
        ]
    parts += [
        "",
        _("{next}、申请人资格要求").format(next=next(numbers)),
        *requirement_lines(row),
        "",
        _("{next}、评审办法").format(next=next(numbers)),
        *_bulleted(scheme_lines(row)),
        "",
        _("{next}、合同与付款").format(next=next(numbers)),
        _("服务期限：{contract_term_months} 个月。").format(contract_term_months=row["contract_term_months"]),
        *payment_lines(row),
    ]
    if row["bid_bond_fen"]:
        parts.append(
            _("投标保证金：{format_yuan}（《政府采购法实施条例》第三十三条、第四十八条，不超过预算的 2%）。").format(
                format_yuan=format_yuan(row["bid_bond_fen"])
            )
        )
    parts += [
        "",
        _("{next}、获取招标文件").format(next=next(numbers)),
        _("时间：{period}").format(period=documents_period_text(row)),
        _("地点和方式：{method}").format(method=documents_method_text(row)),
        *(
            _("招标文件（完整版）：{name}（SHA-256：{sha256}）").format(name=f["name"], sha256=f["sha256"])
            for f in files or []
        ),
        "",
        _("{next}、时间安排").format(next=next(numbers)),
        _("公告发布时间：{t}").format(t=_t(row["published_at"])),
        _("文件提供截止：{t}").format(t=_t(row["documents_until"])),
        _("答疑截止：{t}").format(t=_t(row["clarification_deadline"])),
        _("投标（申报）截止及开标时间：{t}").format(t=_t(row["bid_deadline"])),
        _("开标地点：{place}").format(place=opening_place_text(row)),
        _("所有时间均为北京时间，以本系统服务器时间为准。"),
        "",
        _("{next}、联系方式").format(next=next(numbers)),
        *contact_lines(row),
    ]
    return public("\n".join(parts))


def _bulleted(lines: list[str]) -> list[str]:
    """The first line states the method; the criteria below it read as a list in plain text."""
    return lines[:1] + ["· " + line for line in lines[1:]]


def amendment_text(row: dict[str, Any], note: str, changes: list[str], extension: str | None) -> str:
    parts = [
        _("项目编号：{reference_no}").format(reference_no=row["reference_no"]),
        _("采购人：{name}").format(name=row["buyer.name"]),
        _("原公告项目：{title}").format(title=row["title"]),
        "",
        _("一、更正事项"),
        note,
        "",
        _("二、更正内容"),
        *(changes or [_("无实质内容变化。")]),
    ]
    if extension:
        parts += ["", _("三、截止时间顺延"), extension]
    parts += [
        "",
        _("更正后投标截止及开标时间：{t}").format(t=_t(row["bid_deadline"])),
        _("已提交投标文件的供应商请确认或重新提交。其他内容不变。"),
    ]
    return public("\n".join(parts))


def clarification_title(row: dict[str, Any]) -> str:
    return _("{title}澄清公告").format(title=row["title"])


def clarification_text(row: dict[str, Any], question: str, answer: str, moved) -> str:
    """澄清公告: the question (without who asked) and the answer; when it came too close to
    the deadline, the deadline moves back and the notice says so (rule 16)."""
    parts = [
        _("项目编号：{reference_no}").format(reference_no=row["reference_no"]),
        _("采购人：{name}").format(name=row["buyer.name"]),
        _("原公告项目：{title}").format(title=row["title"]),
        "",
        _("一、澄清问题"),
        question,
        "",
        _("二、答复"),
        answer,
        "",
    ]
    if moved is not None:
        parts += [
            _("三、截止时间顺延"),
            _(
                "本澄清发布时距投标截止不足规定时间（《政府采购法实施条例》第三十一条），投标截止及开标时间顺延至 {t}。"
            ).format(t=_t(moved)),
        ]
    else:
        parts += [
            _("三、其他事项"),
            _("本澄清是招标文件的组成部分，与招标文件具有同等效力；投标截止及开标时间不变：{t}。").format(
                t=_t(row["bid_deadline"])
            ),
        ]
    return "\n".join(parts)


def termination_text(row: dict[str, Any], reason: str) -> str:
    return "\n".join(
        [
            _("项目编号：{reference_no}").format(reference_no=row["reference_no"]),
            _("采购人：{name}").format(name=row["buyer.name"]),
            _("采购方式：{method}").format(method=METHOD_LABELS[Method(row["method"])]),
            "",
            _("一、终止原因"),
            reason,
            "",
            _("二、其他事项"),
            _("已缴纳的投标保证金将按规定退还。"),
        ]
    )


def failure_text(row: dict[str, Any], reason: str) -> str:
    """废标公告 (rule 18)."""
    return "\n".join(
        [
            _("项目编号：{reference_no}").format(reference_no=row["reference_no"]),
            _("采购人：{name}").format(name=row["buyer.name"]),
            _("采购方式：{method}").format(method=METHOD_LABELS[Method(row["method"])]),
            "",
            _("一、废标原因"),
            reason,
            "",
            _("二、后续安排"),
            _("采购人将重新组织采购，或经批准后采用其他采购方式。已缴纳的投标保证金将在 5 个工作日内退还。"),
        ]
    )


_FIELD_LABELS = Labels(
    {
        "title": N_("项目名称"),
        "description": N_("项目概况"),
        "catalogue_item_id": N_("指导性目录项目"),
        "bid_bond_fen": N_("投标保证金"),
        "contract_term_months": N_("服务期限"),
        "term_justification": N_("多年期理由"),
        "method_justification": N_("采购方式说明"),
        "invited_org_ids": N_("受邀机构"),
        "single_source_provider_id": N_("单一来源供应商"),
        "eligibility": N_("资格要求"),
        "team_requirements": N_("团队要求"),
        "evaluation_scheme": N_("评审办法"),
        "payment_schedule": N_("付款计划"),
        "venture_terms": N_("资助标准"),
        "bid_deadline": N_("投标截止时间"),
        "clarification_deadline": N_("答疑截止时间"),
        "documents_until": N_("文件提供截止时间"),
        "buyer_address": N_("采购人地址"),
        "buyer_contact": N_("项目联系人"),
        "buyer_phone": N_("联系电话"),
        "documents_method": N_("获取招标文件的地点和方式"),
        "opening_place": N_("开标地点"),
    }
)


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What an amendment changed, in words a bidder understands."""
    changes = []
    for field, label in _FIELD_LABELS.items():
        if before.get(field) != after.get(field):
            if field.endswith("_fen"):
                changes.append(
                    _("{label}由 {format_yuan} 改为 {format_yuan2}").format(
                        label=label,
                        format_yuan=format_yuan(before[field] or 0),
                        format_yuan2=format_yuan(after[field] or 0),
                    )
                )
            elif field in ("bid_deadline", "clarification_deadline", "documents_until"):
                changes.append(
                    _("{label}由 {iso} 改为 {iso2}").format(
                        label=label, iso=_iso(before.get(field)), iso2=_iso(after.get(field))
                    )
                )
            elif field == "contract_term_months":
                changes.append(
                    _("{label}由 {before} 个月改为 {after} 个月").format(
                        label=label, before=before[field], after=after[field]
                    )
                )
            elif isinstance(after.get(field), str) and len(after.get(field) or "") <= 60:
                changes.append(
                    _("{label}由「{before}」改为「{after}」").format(
                        label=label, before=before.get(field) or _("（空）"), after=after.get(field) or _("（空）")
                    )
                )
            else:
                changes.append(_("{label}已修改（详见更新后的招标文件）").format(label=label))
    before_lots, after_lots = before.get("lots", []), after.get("lots", [])
    for n in range(max(len(before_lots), len(after_lots))):
        old = before_lots[n] if n < len(before_lots) else None
        new = after_lots[n] if n < len(after_lots) else None
        if old == new:
            continue
        if old is None:
            assert new is not None  # both missing would have compared equal above
            changes.append(
                _("新增第{n}包「{name}」，预算 {format_yuan}").format(
                    n=n + 1, name=new["name"], format_yuan=format_yuan(new["budget_fen"])
                )
            )
        elif new is None:
            changes.append(_("取消第{n}包「{name}」").format(n=n + 1, name=old["name"]))
        else:
            if old["budget_fen"] != new["budget_fen"]:
                changes.append(
                    _("第{n}包预算由 {format_yuan} 改为 {format_yuan2}").format(
                        n=n + 1, format_yuan=format_yuan(old["budget_fen"]), format_yuan2=format_yuan(new["budget_fen"])
                    )
                )
            if old["max_price_fen"] != new["max_price_fen"]:
                changes.append(
                    _("第{n}包最高限价由 {money} 改为 {money2}").format(
                        n=n + 1, money=_money(old["max_price_fen"]), money2=_money(new["max_price_fen"])
                    )
                )
            if old["name"] != new["name"] or old["description"] != new["description"]:
                changes.append(_("第{n}包名称或说明已修改").format(n=n + 1))
    return changes


def _money(fen: int | None) -> str:
    return format_yuan(fen) if fen else _("不设")


def _iso(value: Any) -> str:
    if not value:
        return _("（未设）")
    from datetime import datetime

    return f"{clock.to_local(datetime.fromisoformat(str(value))):%Y-%m-%d %H:%M}"


def snapshot_summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": row["title"],
        "total_budget_fen": row["total_budget_fen"],
        "bid_deadline": row["bid_deadline"].isoformat() if row["bid_deadline"] else None,
    }
