"""Pure rules of bidding: eligibility (rules 2–6), team promises (rule 40),
prices within budget (rule 17), 公益创投 funding (rule 36), minimum bids (rules 11, 18).

Rule 4's local conditions apply only where the call turned them on (``EligibilityIn``); the
charter scope is never matched as text: it is a judgement the buyer makes at the
qualification review, so before the opening it is *pending* (``Check.pending``), which does
not stop a submission. Which year's annual report counts is decided by the caller from the
call's publication day (``tenders.eligibility_terms``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan
from procurement.tenders.schemas import (
    REGISTRATION_TYPE_LABELS,
    WORKER_LEVEL_LABELS,
    EligibilityIn,
    TeamRequirementsIn,
    VentureTermsIn,
)
from procurement.tenders.states import Method

GRADE_ORDER = {"1A": 1, "2A": 2, "3A": 3, "4A": 4, "5A": 5}
LEVEL_ORDER = {"none": 0, "assistant": 1, "intermediate": 2, "senior": 3}
GRADE_VALID_YEARS = 5  # rule 6


@dataclass(frozen=True)
class Check:
    """One requirement: passed, failed, or pending (not passed yet: the buyer judges it at
    the qualification review after the opening; it does not stop a submission)."""

    requirement: str
    passed: bool
    reason: str
    pending: bool = False

    @property
    def blocks(self) -> bool:
        return not self.passed and not self.pending


SCOPE_REQUIREMENT = N_("项目属于机构章程业务范围")


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _on_list_within(entries: list[dict[str, Any]], kind: str, since: date, today: date) -> dict[str, Any] | None:
    for entry in entries:
        if entry.get("list") != kind:
            continue
        entered = date.fromisoformat(entry["entered_on"])
        removed = date.fromisoformat(entry["removed_on"]) if entry.get("removed_on") else None
        if entered <= today and (removed is None or removed >= since):
            return entry
    return None


def _confirmation(profile: dict[str, Any]) -> Check:
    status = profile.get("status")
    if status == "confirmed":
        return Check(_("资格资料经民政局确认"), True, _("资格资料已由民政局确认。"))
    if status == "returned":
        reason = _("资格资料被民政局退回：{reason}。请在「机构资料」中修改后重新提交确认。").format(
            reason=(profile.get("returned_reason") or "").rstrip("。")
        )
    else:
        reason = _("资格资料尚未经民政局确认（修改资料后需重新确认）。")
    return Check(_("资格资料经民政局确认"), False, reason)


def check_eligibility(
    profile: dict[str, Any] | None,
    req: EligibilityIn,
    today: date,
    *,
    report_year: int,
    method: str,
    org_id: int,
    invited: list[int],
    single_source_provider: int | None,
) -> list[Check]:
    """Every requirement, passed, failed or pending, with the reason. ``report_year`` is the
    year whose annual report the call asks for (rule 4, judged on its publication day)."""
    if profile is None:
        return [Check(_("资格资料"), False, _("尚未填写机构资格资料：请先在「机构资料」中填写并提交民政局确认。"))]
    checks = [_confirmation(profile)]
    reg = profile.get("registration_type") or ""
    if req.registration_types:
        ok = reg in req.registration_types
        allowed = "、".join(REGISTRATION_TYPE_LABELS[t] for t in req.registration_types)
        checks.append(
            Check(
                _("登记类型"),
                ok,
                _(
                    "本机构为{registration_type}；{verdict}要求（{allowed}）（《政府购买服务管理办法》第六条、第八条）。"
                ).format(
                    registration_type=REGISTRATION_TYPE_LABELS.get(reg, reg or _("未填写")),
                    verdict=_("符合") if ok else _("不符合"),
                    allowed=allowed,
                ),
            )
        )
    since = _years_ago(today, req.no_major_violation_years)
    recent = [v for v in profile.get("violations", []) if date.fromisoformat(v["date"]) >= since]
    checks.append(
        Check(
            _("近 {no_major_violation_years} 年无重大违法记录").format(
                no_major_violation_years=req.no_major_violation_years
            ),
            not recent,
            _("无记录。")
            if not recent
            else _("{date} 有重大违法记录：{get}（《政府采购法》第二十二条）。").format(
                date=recent[0]["date"], get=recent[0].get("description", "")
            ),
        )
    )
    for kind, years, label in (
        ("abnormal", req.abnormal_list_years, _("活动异常名录")),
        ("dishonest", req.dishonest_list_years, _("严重违法失信名单")),
        ("blacklist", req.blacklist_years, _("采购人（征集方）黑名单")),
    ):
        if years:
            hit = _on_list_within(profile.get("list_entries", []), kind, _years_ago(today, years), today)
            checks.append(
                Check(
                    _("近 {years} 年未列入{label}").format(years=years, label=label),
                    hit is None,
                    _("无记录。")
                    if hit is None
                    else _("{entered_on} 被列入{label}").format(entered_on=hit["entered_on"], label=label)
                    + (
                        _("，{removed_on} 移出").format(removed_on=hit["removed_on"])
                        if hit.get("removed_on")
                        else _("，至今未移出")
                    )
                    + "。",
                )
            )
    if req.annual_report_passed:  # rule 4: the year the call asks for, not the calendar's last year
        status = profile.get("annual_reports", {}).get(str(report_year))
        checks.append(
            Check(
                _("{year} 年度年报通过").format(year=report_year),
                status == "passed",
                {"passed": _("已报送并通过。"), "failed": _("年报未通过。")}.get(
                    status, _("未报送 {year} 年度年报。").format(year=report_year)
                ),
            )
        )
    if req.min_grade:
        grade, awarded = profile.get("grade") or "", profile.get("grade_awarded_on")
        valid = bool(awarded and date.fromisoformat(awarded) >= _years_ago(today, GRADE_VALID_YEARS))
        ok = GRADE_ORDER.get(grade, 0) >= GRADE_ORDER[req.min_grade] and valid
        if not grade:
            state = _("未参加等级评估")
        elif not awarded:
            state = _("等级 {grade}，未填写评定日期").format(grade=grade)
        else:
            state = _("等级 {grade}（{awarded} 评定）").format(grade=grade, awarded=awarded) + (
                "" if valid else _("，已超过 5 年有效期")
            )
        reason = _("{state}；要求 {min_grade} 及以上。").format(state=state, min_grade=req.min_grade)
        checks.append(Check(_("等级 {min_grade} 及以上").format(min_grade=req.min_grade), ok, reason))
    if req.charter_scope_required:  # rule 4: a judgement at the qualification review, never a text match
        checks.append(scope_check(profile.get("charter_scope") or "", req.scope_keyword))
    if method == Method.INVITED:
        ok = org_id in invited
        checks.append(Check(_("受邀参加"), ok, _("本机构在受邀名单中。") if ok else _("邀请招标只接受受邀机构投标。")))
    if method == Method.SINGLE_SOURCE:
        ok = org_id == single_source_provider
        checks.append(
            Check(_("单一来源供应商"), ok, _("本机构为指定供应商。") if ok else _("单一来源采购只接受指定供应商。"))
        )
    return checks


def scope_check(charter_scope: str, service: str = "") -> Check:
    """Rule 4: whether the project is within the charter scope is the buyer's judgement at the
    qualification review. Before it the check is pending, and the bid must carry the
    organization's statement of how its registered scope covers the service; a profile with no
    charter scope cannot make one and fails."""
    scope = charter_scope.strip()
    field = _("（本项目服务领域：{service}）").format(service=service) if service else ""
    if not scope:
        return Check(
            _(SCOPE_REQUIREMENT),
            False,
            _("资格资料中没有填写章程业务范围，无法说明本项目是否在业务范围内：请先在「机构资料」中按章程原文填写。"),
        )
    return Check(
        _(SCOPE_REQUIREMENT),
        False,
        _(
            "待资格审查确认：请在投标（申报）文件的「业务范围说明」中写明本机构章程业务范围（{scope}）如何涵盖本项目服务{field}；开标后由采购人在资格审查时确认。"
        ).format(scope=scope, field=field),
        pending=True,
    )


def scope_statement_error(content: dict[str, Any]) -> dict[str, str]:
    """Rule 4: a call that asks for the charter scope refuses a bid without the statement."""
    if (content.get("scope_statement") or "").strip():
        return {}
    return {
        "scope_statement": _(
            "本项目要求说明项目属于本机构章程业务范围：请在「业务范围说明」中写明章程业务范围如何涵盖本项目服务。"
        )
    }


def review_scope_check(content: dict[str, Any], service: str = "") -> Check:
    """Rule 4, after the opening: the statement the bid carries, for the buyer's officer to judge."""
    charter = (content.get("charter_scope") or "").strip() or _("（未引用）")
    statement = (content.get("scope_statement") or "").strip()
    field = _("本项目服务领域：{service}。").format(service=service) if service else ""
    if not statement:
        reason = _("{field}章程业务范围：{charter}。投标文件中没有业务范围说明。").format(field=field, charter=charter)
    else:
        reason = _("{field}章程业务范围：{charter}。机构说明：{statement}").format(
            field=field, charter=charter, statement=statement
        )
    return Check(_(SCOPE_REQUIREMENT), False, reason, pending=True)


def profile_gaps(profile: dict[str, Any] | None, report_year: int) -> list[str]:
    """What an organization still lacks to bid, in its own words: the review, and the parts of
    the profile the usual requirements read (rule 4 asks for the ``report_year`` report)."""
    if profile is None:
        return [_("尚未填写机构资格资料。")]
    gaps = []
    if profile.get("status") == "returned":  # the reason itself is shown beside (returned_reason)
        gaps.append(_("资格资料被民政局退回：请按退回理由修改后重新提交。"))
    elif profile.get("status") != "confirmed":
        gaps.append(_("资格资料等待民政局确认；确认前不能提交投标（申报）。"))
    if not (profile.get("charter_scope") or "").strip():
        gaps.append(_("未填写章程业务范围：要求说明业务范围的项目（公益创投默认要求）无法投标。"))
    if profile.get("annual_reports", {}).get(str(report_year)) != "passed":
        gaps.append(
            _("{year} 年度年报未登记为「已报送并通过」：要求年报的项目（公益创投默认要求）不能投标。").format(
                year=report_year
            )
        )
    if profile.get("grade") and not profile.get("grade_awarded_on"):
        gaps.append(_("填写了评估等级但没有评定日期：要求等级的项目无法认定。"))
    return gaps


def check_team(team: list[dict[str, Any]], req: TeamRequirementsIn) -> dict[str, str]:
    """Rule 40: the team promised in the bid against the tender's requirements."""
    errors: dict[str, str] = {}
    licensed = [m for m in team if m.get("level", "none") != "none"]
    if len(licensed) < req.min_licensed_workers:
        errors["team"] = _("持证社会工作者至少 {min_licensed_workers} 名，方案中只有 {n_licensed} 名。").format(
            min_licensed_workers=req.min_licensed_workers, n_licensed=len(licensed)
        )
    leads = [m for m in team if m.get("role") == "lead"]
    if len(leads) != 1:
        errors["team.lead"] = _("请指定一名项目负责人。")
    elif LEVEL_ORDER[leads[0].get("level", "none")] < LEVEL_ORDER[req.lead_min_level]:
        errors["team.lead"] = _("项目负责人须为{worker_level}及以上，{name}为{worker_level2}。").format(
            worker_level=WORKER_LEVEL_LABELS[req.lead_min_level],
            name=leads[0]["name"],
            worker_level2=WORKER_LEVEL_LABELS.get(leads[0].get("level", "none")),
        )
    if req.supervisor_required and not any(m.get("role") == "supervisor" for m in team):
        errors["team.supervisor"] = _("本项目要求配备督导。")
    return errors


def check_price(price_fen: int | None, budget_fen: int, max_price_fen: int | None) -> dict[str, str]:
    """Rule 17: a price above the budget or the maximum price is invalid."""
    if price_fen is None:
        return {"price_fen": _("请填写投标报价。")}
    if price_fen <= 0:
        return {"price_fen": _("投标报价必须大于 0。")}
    if price_fen > budget_fen:
        return {
            "price_fen": _(
                "报价 {format_yuan} 超过本包预算 {format_yuan2}，为无效投标（《政府采购货物和服务招标投标管理办法》第十二条）。"
            ).format(format_yuan=format_yuan(price_fen), format_yuan2=format_yuan(budget_fen))
        }
    if max_price_fen is not None and price_fen > max_price_fen:
        return {
            "price_fen": _(
                "报价 {format_yuan} 超过最高限价 {format_yuan2}，为无效投标（《政府采购货物和服务招标投标管理办法》第十二条）。"
            ).format(format_yuan=format_yuan(price_fen), format_yuan2=format_yuan(max_price_fen))
        }
    return {}


def check_venture(
    requested: int | None, matching: int | None, project_budget: int | None, terms: VentureTermsIn
) -> dict[str, str]:
    """Rule 36: the cap per project, the maximum share and the matching funds."""
    errors: dict[str, str] = {}
    if not requested or requested <= 0:
        return {"requested_fen": _("请填写申请资助金额。")}
    if not project_budget or project_budget <= 0:
        return {"project_budget_fen": _("请填写项目总预算。")}
    if requested > terms.cap_per_project_fen:
        errors["requested_fen"] = _("申请金额 {format_yuan} 超过单个项目资助上限 {format_yuan2}。").format(
            format_yuan=format_yuan(requested), format_yuan2=format_yuan(terms.cap_per_project_fen)
        )
    elif requested * 100 > project_budget * terms.max_share_percent:
        errors["requested_fen"] = _(
            "申请金额不得超过项目总预算的 {max_share_percent}%：总预算 {format_yuan}，最多申请 {format_yuan2}。"
        ).format(
            max_share_percent=terms.max_share_percent,
            format_yuan=format_yuan(project_budget),
            format_yuan2=format_yuan(project_budget * terms.max_share_percent // 100),
        )
    if terms.matching_required and (matching or 0) < project_budget - requested:
        errors["matching_fen"] = _("配套资金应不少于 {format_yuan}（项目总预算减申请金额）。").format(
            format_yuan=format_yuan(project_budget - requested)
        )
    return errors


def minimum_bids(method: str) -> int:
    """Rules 11 and 18: three valid bids, two for a 磋商 of services; a single source has one."""
    if method == Method.CONSULTATION:
        return 2
    if method in (Method.SINGLE_SOURCE, Method.VENTURE):
        return 1
    return 3


def needs_confirmation(bid: dict[str, Any], tender_version: int) -> bool:
    """Rule 16: a bid submitted on an older version of the tender documents is
    not opened until the organization confirms it by submitting again."""
    return bid["submitted_version"] > 0 and bid["tender_version"] < tender_version
