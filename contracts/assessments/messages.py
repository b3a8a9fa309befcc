"""Who hears of an evaluation, and what they read (issue 15 §3): its assignment (the agency's
evaluators and the provider) and its result (the provider and the buyer's officers). Each
call runs in the transaction of the change it reports."""

from __future__ import annotations

from typing import Any

from contracts.lifecycle.services import message_context, party_users
from contracts.lifecycle.states import Party
from procurement.accounts import services as accounts
from procurement.core.actors import Role
from procurement.core.i18n import N_, _
from procurement.core.notify import NOTIFICATIONS, notify

NOTIFICATIONS.update(
    {
        "assessment.assigned": {
            "title": N_("第三方评估委托：{title}"),
            "body": N_(
                "{buyer}委托{agency}对合同「{title}」（编号 {number}）进行{stage}，应于 {due} 前完成。服务机构请先提交自评，评估机构据此评分。"
            ),
        },
        "assessment.result": {
            "title": N_("评估结果：{title}"),
            "body": N_("合同「{title}」（编号 {number}）的{stage}已完成：得分 {score}，等级「{grade}」。{next}"),
        },
    }
)


def _link(contract: dict[str, Any], assessment: dict[str, Any]) -> str:
    return f"/contracts/{contract['id']}/assessments/{assessment['id']}"


async def tell_assigned(contract: dict[str, Any], assessment: dict[str, Any], stage: str) -> None:
    """The commissioned agency's evaluators and the provider's members."""
    recipients = await accounts.active_user_ids(assessment["agency"], Role.EVALUATOR)
    recipients += await party_users(contract, Party.PROVIDER)
    await notify(
        "assessment.assigned",
        recipients,
        message_context(
            contract,
            buyer=contract["buyer_name"],
            agency=assessment["agency_name"],
            stage=stage,
            due=f"{assessment['due_on']:%Y-%m-%d}",
            link=_link(contract, assessment),
        ),
    )


async def tell_result(contract: dict[str, Any], assessment: dict[str, Any], stage: str, score: str, grade: str) -> None:
    """The provider's members and the buyer's officers (rule 32: the grade decides payments;
    one that calls for rectification says by when)."""
    due = assessment["rectification_due_on"]
    next_step = _("请在 {due} 前完成整改并报告整改情况，评估机构将复评。").format(due=f"{due:%Y-%m-%d}") if due else ""
    await notify(
        "assessment.result",
        await party_users(contract, Party.PROVIDER, Party.BUYER),
        message_context(
            contract, stage=stage, score=score, grade=grade, next=next_step, link=_link(contract, assessment)
        ),
    )
