"""How an administrator reads an audit row: actions, object types and field names in
Chinese, and the change (``before``/``after`` JSON) as readable fields, "旧值 → 新值".

Pure: label tables and functions, tested without a database. An action, type or
field without a label falls back to its raw name, so a new one never breaks the
page; add its label here. The tables are data kept by system: the sub-domains
that write the rows sit above it and are not imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procurement.core import clock
from procurement.core.i18n import N_, Labels, _
from procurement.core.money import format_yuan

ACTION_LABELS = Labels(
    {
        "audit.anchored": N_("发布审计日志摘要"),
        "auth.login": N_("登录"),
        "auth.login_failed": N_("登录失败"),
        "auth.logout": N_("退出登录"),
        "demo.loaded": N_("加载演示数据"),
        "clock.advanced": N_("拨快培训时钟"),
        "calendar.entry_added": N_("录入节假日"),
        "calendar.entry_deleted": N_("删除节假日"),
        "calendar.weekends_only_recorded": N_("记录全年暂按周末计算"),
        "calendar.weekends_only_withdrawn": N_("撤回暂按周末计算的记录"),
        "catalogue.created": N_("新增目录项目"),
        "catalogue.category_followed": N_("关注服务类别"),
        "catalogue.category_unfollowed": N_("取消关注服务类别"),
        "user.created": N_("新建用户"),
        "user.activated": N_("启用用户"),
        "user.deactivated": N_("停用用户"),
        "user.email_changed": N_("修改接收通知的电子邮箱"),
        "notify.preferences_changed": N_("修改通知设置"),
        "outbox.send": N_("通知邮件已发送"),
        "outbox.give_up": N_("通知邮件多次发送失败"),
        "outbox.digest": N_("通知并入每日汇总"),
        "outbox.retry": N_("重新发送通知邮件"),
        "organization.registered": N_("社会组织注册"),
        "organization.created": N_("新建机构"),
        "organization.approve": N_("通过机构注册"),
        "organization.reject": N_("退回机构注册"),
        "organization.resubmit": N_("重新提交注册"),
        "organization.suspend": N_("暂停机构"),
        "organization.reactivate": N_("恢复机构"),
        "eligibility.updated": N_("更新资格资料"),
        "eligibility.confirmed": N_("确认资格资料"),
        "eligibility.returned": N_("退回资格资料"),
        "expert.profile_updated": N_("更新专家资料"),
        "tender.created": N_("新建采购项目"),
        "tender.updated": N_("修改采购项目"),
        "tender.publish": N_("发布采购公告"),
        "tender.amend": N_("发布更正公告"),
        "tender.question_asked": N_("提出澄清问题"),
        "tender.question_answered": N_("答复澄清问题"),
        "tender.cancel": N_("终止采购项目"),
        "tender.file_attached": N_("上传招标文件附件"),
        "tender.file_removed": N_("删除招标文件附件"),
        "tender.close": N_("投标截止"),
        "tender.open": N_("开标"),
        "tender.fail": N_("废标"),
        "tender.start_evaluation": N_("开始评审"),
        "tender.award": N_("定标"),
        "tender.deem_award": N_("视为定标"),
        "tender.deem_award_impossible": N_("无法视为定标"),
        "tender.revoke_award": N_("撤销定标"),
        "bid.created": N_("新建投标"),
        "bid.draft_saved": N_("保存投标草稿"),
        "bid.document_uploaded": N_("上传投标文件"),
        "bid.document_removed": N_("删除投标文件"),
        "bid.submitted": N_("提交投标"),
        "bid.withdrawn": N_("撤回投标"),
        "bid.open": N_("开启投标"),
        "bid.seal_broken": N_("投标无法解密"),
        "bid.qualify": N_("资格性/符合性审查通过"),
        "bid.disqualify": N_("资格性/符合性审查不通过"),
        "bid.respond": N_("符合性审查通过"),
        "bid.not_respond": N_("符合性审查不通过"),
        "bid.low_price_explained": N_("说明异常低价"),
        "bid.low_price_decided": N_("认定异常低价说明"),
        "bid.reject_low_price": N_("异常低价投标无效"),
        "bid_bond.paid": N_("登记保证金已缴纳"),
        "bid_bond.refunded": N_("登记保证金已退还"),
        "bid_bond.refund_overdue": N_("保证金逾期未退"),
        "panel.drawn": N_("抽取评标委员会"),
        "panel.replacement_drawn": N_("补抽评审专家"),
        "panel.replacement_unavailable": N_("无法补抽专家"),
        "panel.member_removed": N_("撤换评审成员"),
        "panel.member_declined": N_("专家不能参加评审"),
        "panel.declared_no_conflict": N_("声明无利害关系"),
        "panel.conflict_declared": N_("声明回避"),
        "panel.chair_proposed": N_("指定评标委员会组长"),
        "panel.chair_elected": N_("推选评标委员会组长"),
        "panel.chair_chosen": N_("确定评标委员会组长"),
        "score_sheet.submitted": N_("提交评分表"),
        "score_sheet.corrected": N_("更正评分"),
        "score_sheet.supersede": N_("评分表作废（重新评审）"),
        "evaluation.report_delivered": N_("提交评审报告"),
        "evaluation.report_overdue": N_("评审报告逾期"),
        "award.revoke": N_("撤销中标（成交）结果"),
        "award.record_refusal": N_("中标人拒签，撤销其中标"),
        "award.next_ranked": N_("改授予下一名"),
        "award.lot_failed": N_("中标人拒签后无人递补，该包废标"),
        "award.publicity_ended": N_("公示期结束"),
        "challenge.filed": N_("提出质疑"),
        "challenge.answered": N_("答复质疑"),
        "challenge.overdue": N_("质疑答复逾期"),
        "challenge.complained": N_("提起投诉"),
        "challenge.complaint_decided": N_("记录投诉处理决定"),
        # contracts (the contracts package writes them; their names are data here)
        "contract.created": N_("起草合同"),
        "contract.template_chosen": N_("选择合同模板"),
        "contract.bond_refunded": N_("登记退还履约保证金"),
        "staffing.worker_registered": N_("登记社工"),
        "staffing.worker_updated": N_("修改社工信息"),
        "staffing.workers_imported": N_("批量导入社工名册"),
        "staffing.id_number_viewed": N_("查看社工完整身份证号码"),
        "staffing.member_assigned": N_("安排项目团队成员"),
        "staffing.member_removed": N_("移出项目团队成员"),
        "staffing.replacement_requested": N_("申请更换团队成员"),
        "contract.update": N_("修改合同草稿"),
        "contract.sign": N_("签署合同"),
        "contract.countersign": N_("合同双方签署生效"),
        "contract.revise": N_("修改已签署的合同文本（形成新版本）"),
        "contract.record_offline": N_("登记线下签订合同"),
        "contract.suspend": N_("中止履行合同"),
        "contract.resume": N_("恢复履行合同"),
        "contract.terminate": N_("解除合同"),
        "contract.complete": N_("合同履行完毕"),
        "contract.payment_term": N_("登记合同约定的付款期限"),
        "installment_payment.gate_met": N_("分期款项付款条件达成"),
        "installment_payment.auto_request": N_("自动生成拨付申请"),
        "installment_payment.request": N_("申请拨付"),
        "installment_payment.approve": N_("审核通过拨付"),
        "installment_payment.check": N_("财务复核拨付"),
        "installment_payment.release": N_("拨付款项"),
        "installment_payment.withhold": N_("暂缓支付分期款项"),
        "installment_payment.reinstate": N_("恢复分期款项待付款条件"),
        "installment_payment.late": N_("分期款项逾期未付"),
        "contract.void": N_("合同作废（中标结果已撤销）"),
        "contract.amended": N_("合同变更生效"),
        "contract.signing_overdue": N_("合同签订逾期"),
        "contract.notice_published": N_("发布合同公告"),
        "contract.filed": N_("登记合同备案"),
        "contract.filing_overdue": N_("合同备案逾期"),
        "contract.bond_refund_overdue": N_("履约保证金逾期未退"),
        "contract.report_schedule": N_("设置进度报告计划"),
        "contract_change.proposed": N_("提出合同变更"),
        "contract_change.sign": N_("签署合同变更"),
        "contract_change.countersign": N_("合同变更会签生效"),
        "contract_change.withdraw": N_("撤回合同变更提议"),
        "contract_change.refuse": N_("不同意合同变更"),
        "progress_report.submit": N_("提交进度报告"),
        "progress_report.accept": N_("进度报告审核通过"),
        "progress_report.return": N_("退回进度报告"),
        "progress_report.resubmit": N_("重新提交进度报告"),
        "progress_report.overdue": N_("进度报告逾期"),
        "progress_report.reminded": N_("提醒进度报告即将到期"),
        "assessment.indicator_system_created": N_("保存评估指标体系"),
        "assessment.indicator_system_edited": N_("修改评估指标体系（保存为新版本）"),
        "assessment.indicator_system_imported": N_("从 Excel 导入评估指标体系"),
        "assessment.assigned": N_("委托第三方评估"),
        "assessment.self_assess": N_("提交自评"),
        "assessment.evaluate": N_("提交评估结果"),
        "assessment.require_rectification": N_("评估后要求整改"),
        "assessment.report_rectification": N_("报送整改情况"),
        "assessment.reevaluate": N_("提交复评结果"),
        "assessment.survey_codes_issued": N_("发放社区评议问卷码"),
        "assessment.survey_answered": N_("居民提交社区评议问卷"),
        "assessment.rectification_overdue": N_("整改逾期未报（系统标记）"),
        "assessment.evidence_added": N_("上传评估佐证材料"),
        "assessment.evidence_removed": N_("删除评估佐证材料"),
    }
)

ENTITY_LABELS = Labels(
    {
        "audit_anchor": N_("审计日志摘要"),
        "system": N_("系统"),
        "clock": N_("时钟"),
        "calendar_entry": N_("节假日"),
        "calendar_year": N_("节假日年度"),
        "eligibility_profile": N_("资格资料"),
        "catalogue_item": N_("目录项目"),
        "user": N_("用户"),
        "outbox_message": N_("通知邮件"),
        "app_user": N_("用户（专家资料）"),
        "organization": N_("机构"),
        "tender": N_("采购项目"),
        "bid": N_("投标"),
        "bid_bond": N_("投标保证金"),
        "panel": N_("评标委员会"),
        "panel_member": N_("评审成员"),
        "score_sheet": N_("评分表"),
        "award": N_("中标（成交）结果"),
        "challenge": N_("质疑"),
        "contract": N_("合同"),
        "contract_change": N_("合同变更"),
        "contract_report": N_("进度报告"),
        "social_worker": N_("社工"),
        "assessment": N_("第三方评估"),
        "assessment_indicator_system": N_("评估指标体系"),
        "contract_installment_payment": N_("分期付款"),
    }
)

FIELD_LABELS = Labels(
    {
        "status": N_("状态"),
        "category": N_("服务类别"),
        "email": N_("电子邮箱"),
        "email_digest": N_("每日汇总"),
        "email_off": N_("已关闭的邮件通知"),
        "due_at": N_("应办时间"),  # the due time a time-driven step stood for (issue 15 §2)
        "reason": N_("理由"),
        "note": N_("说明"),
        "title": N_("标题"),
        "name": N_("名称"),
        "version": N_("版本"),
        "based_on_version": N_("修改自版本"),
        "file": N_("文件"),
        "tender_id": N_("采购项目编号"),
        "tender_version": N_("招标文件版本"),
        "lot_id": N_("采购包编号"),
        "lot_number": N_("包号"),
        "lot_name": N_("采购包"),
        "bid_id": N_("投标编号"),
        "document_id": N_("文件编号"),
        "sheet_id": N_("评分表编号"),
        "panel_id": N_("评标委员会编号"),
        "member_id": N_("成员编号"),
        "question_id": N_("问题编号"),
        "notice_id": N_("公告编号"),
        "organization_id": N_("机构编号"),
        "organization_name": N_("机构"),
        "org_name": N_("机构"),
        "amount_fen": N_("金额"),
        "recommended_fen": N_("建议资助金额"),
        "amount_label": N_("金额"),
        "receipt_no": N_("回执编号"),
        "content_sha256": N_("内容哈希（SHA-256）"),
        "template": N_("合同模板"),
        "voucher_no": N_("凭证号"),
        "sha256": N_("文件哈希（SHA-256）"),
        "size": N_("大小"),
        "reference_no": N_("项目编号"),
        "method": N_("采购方式"),
        "credit_code": N_("统一社会信用代码"),
        "kind": N_("类型"),
        "username": N_("用户名"),
        "role": N_("角色"),
        "is_active": N_("启用"),
        "day": N_("日期"),
        "year": N_("年份"),
        "is_working_day": N_("调休上班"),
        "now": N_("时间"),
        "by_seconds": N_("拨快秒数"),
        "due": N_("期限"),
        "seed": N_("随机种子"),
        "candidates": N_("候选专家"),
        "experts": N_("专家人数"),
        "excluded": N_("回避的专家"),
        "drawn": N_("抽中"),
        "replaces": N_("替换"),
        "round": N_("评审轮次"),
        "rank": N_("名次"),
        "total": N_("总分"),
        "top": N_("第一名"),
        "points": N_("分值"),
        "criterion": N_("评分项"),
        "explanation": N_("说明"),
        "accepted": N_("认可"),
        "valid_bids": N_("有效投标数"),
        "minimum": N_("最少投标数"),
        "bid_deadline": N_("投标截止时间"),
        "deadline": N_("截止时间"),
        "deadline_moved_to": N_("截止时间顺延至"),
        "changes": N_("变更内容"),
        "extended": N_("已顺延"),
        "ranking": N_("排序"),
        "award_due_on": N_("定标期限"),
        "answer_due_on": N_("答复期限"),
        "decision_due_on": N_("处理决定期限"),
        "complaint_due_on": N_("投诉期限"),
        "challenge_until": N_("质疑截止"),
        "publicity_until": N_("公示截止"),
        "published_at": N_("发布时间"),
        "grounds": N_("质疑事项"),
        "documents": N_("文件"),
        "answer": N_("答复"),
        "decision": N_("决定"),
        "outcome": N_("结果"),
        "affects_result": N_("影响结果"),
        "re_evaluate": N_("重新评审"),
        "refusal_kind": N_("拒签情形"),
        "written_refusal": N_("书面拒签意见"),
        "new_award_id": N_("新的中标记录"),
        "revoked": N_("已撤销"),
        "authority": N_("处理机关"),
        "awards": N_("中标（成交）结果"),
        "bidders": N_("投标人"),
        "scores": N_("得分"),
        "chair": N_("组长"),
        "is_chair": N_("组长"),
        "include_buyer_rep": N_("含采购人代表"),
        "buyer_rep_user_id": N_("采购人代表"),
        "triggered_by": N_("触发原因"),
        "seq": N_("摘要序号"),
        "admin": N_("管理员"),
        "code": N_("编码"),
        "content": N_("内容"),
        "link": N_("链接"),
        "available": N_("可参加评审"),
        "expertise": N_("专业领域"),
        "employer_name": N_("工作单位"),
        "employer_organization_id": N_("工作单位（机构编号）"),
        "employment_history": N_("任职经历"),
        "declared_relations": N_("申报的关联关系"),
        "registration_type": N_("登记类型"),
        "registration_date": N_("登记日期"),
        "charter_scope": N_("章程业务范围"),
        "grade": N_("评估等级"),
        "grade_awarded_on": N_("等级评定日期"),
        "annual_reports": N_("年报"),
        "list_entries": N_("名录记录"),
        "violations": N_("重大违法记录"),
        "award_id": N_("中标（成交）结果编号"),
        "installments": N_("付款安排"),
        "signing_deadline": N_("合同签订期限"),
        "filing_due_on": N_("备案期限"),
        "reference": N_("备案编号"),
        "change_id": N_("变更编号"),
        "change_seq": N_("变更序号"),
        "reports": N_("报告期数"),
    }
)

# Status values of every aggregate; the same word means the same in each of them.
STATUS_LABELS = Labels(
    {
        "draft": N_("草稿"),
        "pending": N_("待审核"),
        "active": N_("正常"),
        "rejected": N_("已退回"),
        "suspended": N_("已暂停"),
        "published": N_("已发布"),
        "closed": N_("已截止"),
        "opened": N_("已开标"),
        "evaluating": N_("评审中"),
        "awarded": N_("已定标"),
        "failed": N_("已废标"),
        "cancelled": N_("已终止"),
        "submitted": N_("已提交"),
        "withdrawn": N_("已撤回"),
        "qualified": N_("审查通过"),
        "disqualified": N_("审查不通过"),
        "invalid": N_("无效"),
        "drawn": N_("已抽取"),
        "declared": N_("已声明无利害关系"),
        "conflicted": N_("已回避"),
        "declined": N_("不能参加"),
        "removed": N_("已撤换"),
        "superseded": N_("已作废"),
        "revoked": N_("已撤销"),
        "refused": N_("已拒绝"),  # an award whose winner refused to sign; a refused contract change
        "filed": N_("已提出"),
        "answered": N_("已答复"),
        "upheld": N_("成立"),
        "complained": N_("已投诉"),
        "decided": N_("已处理"),
    }
)


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: its label, the old value ("" when there was none) and the new one."""

    field: str
    label: str
    old: str
    new: str

    def text(self) -> str:
        if self.old and self.new:
            return _("{label}：{old} → {new}").format(label=self.label, old=self.old, new=self.new)
        if self.old:
            return _("{label}：{old} → （无）").format(label=self.label, old=self.old)
        return _("{label}：{new}").format(label=self.label, new=self.new)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def entity_label(entity_type: str) -> str:
    return ENTITY_LABELS.get(entity_type, entity_type)


def _load(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"": text}
    return value if isinstance(value, dict) else {"": value}


def show_value(key: str, value: Any) -> str:
    """One value as a person reads it: 是/否, yuan for ``*_fen``, status words, compact JSON."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key.endswith("_fen") and isinstance(value, int):
        return format_yuan(value)
    if key == "status" and isinstance(value, str):
        return STATUS_LABELS.get(value, value)
    if isinstance(value, str):
        return _beijing(value) or value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _beijing(text: str) -> str | None:
    """An instant as the rows store it (ISO 8601 with its UTC offset) in Beijing time, as
    every page shows times; None for any other text (a date stays the calendar day it is)."""
    if len(text) < 19 or text[10:11] != "T":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M:%S")


def describe_change(before: str, after: str) -> list[FieldChange]:
    """The fields of a change in a stable order (the after snapshot's keys first);
    a field whose value did not change is shown with its value once."""
    old, new = _load(before), _load(after)
    keys = sorted(new) + sorted(k for k in old if k not in new)
    changes = []
    for key in keys:
        label = FIELD_LABELS.get(key, key) if key else _("内容")
        was = show_value(key, old.get(key))
        now = show_value(key, new.get(key))
        if key in old and key in new and was == now:
            changes.append(FieldChange(key, label, "", now))
        else:
            changes.append(FieldChange(key, label, was, now))
    return changes


def change_text(before: str, after: str) -> str:
    """The change on one line (the CSV column): fields separated by "；"."""
    return "；".join(c.text() for c in describe_change(before, after))
