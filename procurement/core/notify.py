"""One call per event: ``notify(event, recipients, context)``, in the caller's transaction.

It writes an inbox item per recipient and an outbox row per recipient and channel
(email): a transactional outbox, so a change that rolls back sends nothing and a
sender that is down loses nothing (``core.outbox`` sends them). Titles and bodies
are written below, once per event, in the source language and translated when the
message is written (``core.i18n``); the email's layout is in ``templates/email``.
A user's preferences decide each email: switched off (written as skipped, the inbox
keeps the item), held for the daily digest, or sent at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from procurement.core import clock, db, outbox
from procurement.core.i18n import N_, _

# Every message notify() can send: its title and body with their {placeholders},
# marked for translation (N_) and translated when sent.
NOTIFICATIONS: dict[str, dict[str, str]] = {
    "organization.registered": {
        "title": N_("新的社会组织注册待审核：{org_name}"),
        "body": N_("{org_name}（统一社会信用代码 {credit_code}）提交了注册申请，请审核。"),
    },
    "organization.approved": {
        "title": N_("机构注册已通过审核"),
        "body": N_("{org_name} 的注册已由 {by} 审核通过，现在可以登录使用。"),
    },
    "organization.rejected": {
        "title": N_("机构注册未通过审核"),
        "body": N_("{org_name} 的注册未通过审核。理由：{reason}"),
    },
    "eligibility.filed": {
        "title": N_("机构资格资料待确认：{org_name}"),
        "body": N_("{org_name} 提交了机构资格资料，请核对后确认，或写明理由退回修改。"),
    },
    "eligibility.changed": {
        "title": N_("机构资格资料已修改，待重新确认：{org_name}"),
        "body": N_("{org_name} 修改了机构资格资料（修改前为「{previous}」），请重新核对后确认，或写明理由退回修改。"),
    },
    "eligibility.confirmed": {
        "title": N_("机构资格资料已确认"),
        "body": N_("{org_name} 的资格资料已由 {by} 确认，现在可以对符合资格要求的项目投标（申报）。"),
    },
    "eligibility.returned": {
        "title": N_("机构资格资料被退回修改"),
        "body": N_(
            "{org_name} 的资格资料被民政局退回修改，请在「机构资料」中修改后重新提交；修改并确认前不能提交投标（申报）。退回理由：{reason}"
        ),
    },
    "tender.amended": {
        "title": N_("项目更正：{title}"),
        "body": N_(
            "{title} 发布了第 {version} 版（更正公告）。投标截止时间：{deadline}。已提交的投标文件请确认或重新提交。"
        ),
    },
    "tender.cancelled": {
        "title": N_("项目终止：{title}"),
        "body": N_("{title} 已终止。理由：{reason}"),
    },
    "tender.question": {
        "title": N_("新的澄清问题：{title}"),
        "body": N_("有社会组织就「{title}」提出了澄清问题，请及时答复（答复将公开，提问人匿名）。"),
    },
    "tender.answered": {
        "title": N_("澄清问题已答复：{title}"),
        "body": N_("您就「{title}」提出的问题已公开答复。"),
    },
    "panel.drawn": {
        "title": N_("评审邀请：{title}"),
        "body": N_(
            "您被随机抽取为「{title}」评标委员会成员。请先在「我的评审」中作回避声明；声明前看不到任何投标文件。"
        ),
    },
    "bid.low_price_explanation": {
        "title": N_("请书面说明报价：{title}"),
        "body": N_(
            "您在「{title}」中的报价明显低于其他有效报价的平均水平（低于平均值 {margin}% 以上）。请在「我的投标」中提交书面说明，评标委员会认可后投标方有效（《政府采购货物和服务招标投标管理办法》第六十条）。"
        ),
    },
    "bid.qualification_result": {
        "title": N_("资格审查结果：{title}"),
        "body": N_("您在「{title}」中的投标资格审查结果：{result}{next}"),
    },
    "panel.chair_elected": {
        "title": N_("评标委员会组长已确定：{title}"),
        "body": N_("「{title}」评标委员会组长为{chair}（{how}）。组长负责记录符合性审查结论和提交评审报告。"),
    },
    "evaluation.report_delivered": {
        "title": N_("评审报告已提交：{title}"),
        "body": N_(
            "「{title}」评标委员会已提交评审报告。请在 {due} 前按排名顺序确定中标（成交）供应商（《政府采购法实施条例》第四十三条）。"
        ),
    },
    "bid_bond.refund_overdue": {
        "title": N_("投标保证金逾期未退：{title}"),
        "body": N_(
            "「{title}」一笔 {amount} 的投标保证金应在 {due} 前退还，目前尚未登记退还。请尽快办理并在系统中登记。"
        ),
    },
    "evaluation.report_overdue": {
        "title": N_("评审报告逾期：{title}"),
        "body": N_(
            "「{title}」的评分已于 {ended} 全部提交，评审报告应在 {due} 前送达采购人，目前尚未提交（《政府采购法实施条例》第四十三条）。"
        ),
    },
    "award.won": {
        "title": N_("中标（成交）通知：{title}"),
        "body": N_(
            "{org_name}：您在「{title}」中被确定为中标（成交）供应商，金额 {amount}。请下载中标通知书，并在结果公告之日起 30 日内签订合同（《政府采购法》第四十六条）。"
        ),
    },
    "award.result": {
        "title": N_("评审结果通知：{title}"),
        "body": N_(
            "{org_name}：「{title}」的评审结果已公告。您的得分 {total}，排名第 {rank} 名。如对结果有异议，可在 {challenge_until} 前提出质疑（《政府采购法》第五十二条）。"
        ),
    },
    "award.result_out": {
        "title": N_("评审结果通知：{title}"),
        "body": N_(
            "{org_name}：「{title}」的评审结果已公告。您的投标未通过审查：{reason}如对结果有异议，可在 {challenge_until} 前提出质疑（《政府采购法》第五十二条）。"
        ),
    },
    "award.deemed": {
        "title": N_("视为成交：{title}"),
        "body": N_(
            "「{title}」采购人未在评审报告送达后 5 个工作日内确定成交供应商，依法视为确定排名第一的供应商（《政府采购法实施条例》第四十三条）。"
        ),
    },
    "challenge.filed": {
        "title": N_("收到质疑：{title}"),
        "body": N_(
            "{org_name}对「{title}」提出质疑，请在 {due} 前书面答复（《政府采购法》第五十二条）。答复前可能影响结果的，暂停签订合同。"
        ),
    },
    "challenge.documents_filed": {
        "title": N_("收到对采购文件的质疑：{title}"),
        "body": N_(
            "{org_name}对「{title}」的{subject}提出质疑，请在 {due} 前书面答复（《政府采购法》第五十三条）。该质疑不暂停签订合同；请考虑是否澄清或修改采购文件（发布更正公告），或终止后重新开展采购活动（《政府采购质疑和投诉办法》第十六条）。"
        ),
    },
    "challenge.answered": {
        "title": N_("质疑已答复：{title}"),
        "body": N_(
            "您对「{title}」提出的质疑已答复：{outcome}。如不满意，可在 {complaint_due} 前向财政部门投诉（《政府采购法》第五十二条）。"
        ),
    },
    "challenge.overdue": {
        "title": N_("质疑答复逾期：{title}"),
        "body": N_("{org_name}对「{title}」的质疑应在 {due} 前答复，目前尚未答复（《政府采购法》第五十二条）。"),
    },
    "award.revoked": {
        "title": N_("中标结果撤销：{title}"),
        "body": N_("因质疑成立，「{title}」的中标（成交）结果已撤销：{reason}"),
    },
    "award.refusal_recorded": {
        "title": N_("中标结果撤销：{title}"),
        "body": N_(
            "{org_name}：采购人已登记您{kind}，「{title}」第{lot_number}包的中标（成交）结果已撤销：{reason}（《政府采购法实施条例》第四十九条）"
        ),
    },
    "award.lot_failed": {
        "title": N_("分包废标：{title}"),
        "body": N_(
            "「{title}」第{lot_number}包的中标人拒签后，已无可依次递补的合格供应商，该包废标，请依法重新组织采购。"
        ),
    },
    "contract.created": {
        "title": N_("合同草稿待确认：{title}"),
        "body": N_(
            "{buyer}已根据中标（成交）结果拟定合同「{title}」（编号 {number}），请填写开户银行、账号、地址和法定代表人，核对条款后签署。签订期限：{deadline}。"
        ),
    },
    "contract.signed": {
        "title": N_("合同待您签署：{title}"),
        "body": N_(
            "{party}已签署合同「{title}」（编号 {number}）第 {version} 版，请核对后签署。签订期限：{deadline}。"
        ),
    },
    "contract.revised": {
        "title": N_("合同已修改，须重新签署：{title}"),
        "body": N_("合同「{title}」（编号 {number}）已形成第 {version} 版，此前的签署不再有效，请双方重新签署。"),
    },
    "contract.active": {
        "title": N_("合同已生效：{title}"),
        "body": N_(
            "合同「{title}」（编号 {number}）双方已签署，自 {signed_on} 起生效。合同公告应于 {notice_due} 前发布，备案应于 {filing_due} 前完成。"
        ),
    },
    "contract.signing_reminder": {
        "title": N_("合同签订期限将至：{title}"),
        "body": N_(
            "合同「{title}」（编号 {number}）应于 {deadline} 前签订（中标通知书发出之日起 30 日内，《政府采购法》第四十六条），请尽快完成签署。"
        ),
    },
    "contract.signing_overdue": {
        "title": N_("合同签订已逾期：{title}"),
        "body": N_(
            "合同「{title}」（编号 {number}）应于 {deadline} 前签订（中标通知书发出之日起 30 日内，《政府采购法》第四十六条），现已逾期，请尽快签订或依法处理。"
        ),
    },
    "contract.filing_overdue": {
        "title": N_("合同备案已逾期：{title}"),
        "body": N_(
            "合同「{title}」（编号 {number}）应于 {due} 前备案（签订之日起 7 个工作日内，《政府采购法》第四十七条），请尽快备案。"
        ),
    },
    "contract.voided": {
        "title": N_("合同作废：{title}"),
        "body": N_("中标（成交）结果已撤销，尚未签订的合同「{title}」（编号 {number}）作废。理由：{reason}"),
    },
    "contract.suspended": {
        "title": N_("合同中止履行：{title}"),
        "body": N_("合同「{title}」（编号 {number}）已中止履行。理由：{reason}"),
    },
    "contract.resumed": {
        "title": N_("合同恢复履行：{title}"),
        "body": N_("合同「{title}」（编号 {number}）已恢复履行。"),
    },
    "contract.terminated": {
        "title": N_("合同解除：{title}"),
        "body": N_("合同「{title}」（编号 {number}）已解除。理由：{reason}；结算金额：{settlement}。"),
    },
    "contract.completed": {
        "title": N_("合同履行完毕：{title}"),
        "body": N_("合同「{title}」（编号 {number}）终期评估已完成、各期款项已结清，采购人已确认履行完毕。"),
    },
    "contract.bond_refunded": {
        "title": N_("履约保证金已退还：{title}"),
        "body": N_("合同「{title}」（编号 {number}）的履约保证金 {amount} 已由采购人财务登记退还。"),
    },
    "staffing.registration_expiring": {
        "title": N_("社工登记即将到期：{name}"),
        "body": N_("{name} 的社会工作者职业水平证书登记有效期至 {expires}，请及时办理延续登记并在社工名册中更新。"),
    },
    "contract.bond_refund_overdue": {
        "title": N_("履约保证金逾期未退：{title}"),
        "body": N_(
            "合同「{title}」（编号 {number}）的履约保证金 {amount} 应在 {due} 前退还，目前尚未登记退还。请尽快办理并在系统中登记。"
        ),
    },
    "system.welcome": {
        "title": N_("欢迎使用政府购买服务管理平台"),
        "body": N_("{name}，您的账号已开通。"),
    },
}


# Events whose mere existence tells who bid on a tender before its opening (invariant 2):
# their delivery is kept out of the administrators' lists, and their delivery's audit
# rows are sealed by the bids package until the opening (``bids.audit_seal``).
SEALED_EVENTS: frozenset[str] = frozenset({"bid.receipt"})


async def notify(
    event: str, recipients: Iterable[int], context: dict[str, Any] | None = None, *, key: str | None = None
) -> int:
    """Write one inbox item and one email per recipient (user ids), in the caller's transaction.

    ``key`` names the change being reported (``"contract:12:signed:v3"``): reported again
    with the same key (twice in one transaction, or by a sweep run again) it writes
    nothing more. ``context["link"]`` is the page to act on (a path of the site)."""
    from procurement.core.tables import InboxItem, OutboxMessage

    template = NOTIFICATIONS[event]
    ctx = context or {}
    title = _(template["title"]).format(**ctx)
    body = _(template["body"]).format(**ctx)
    link = ctx.get("link", "")
    ids = sorted(set(recipients))
    if not ids:
        return 0
    now = clock.now()
    async with db.transaction():
        people = await outbox.recipients(ids, event)
        await _insert_once(
            InboxItem,
            [
                InboxItem(
                    recipient=uid,
                    event=event,
                    title=title[:200],
                    body=body,
                    link=link,
                    created_at=now,
                    dedupe_key=f"{key}:{uid}" if key else None,
                )
                for uid in ids
            ],
        )
        await _insert_once(
            OutboxMessage,
            [
                outbox.email_row(
                    event, ctx, title, body, link, person, now, f"{key}:{person.id}:email" if key else None
                )
                for person in people
            ],
        )
    return len(ids)


async def _insert_once(table: Any, rows: list[Any]) -> None:
    """Insert the rows; one whose dedupe key is already there is left out."""
    if not rows:
        return
    if all(row.dedupe_key is None for row in rows):
        await table.insert(*rows)
        return
    await table.insert(*rows).on_conflict(target=table.dedupe_key, action="DO NOTHING")
