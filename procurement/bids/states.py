"""The bid status machine (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Relation, StateInfo, Transition, TransitionTable


class BidStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    OPENED = "opened"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


# Who acts on a bid: its own organization, the buyer's officer (qualification)
# and the panel's chair (rule 23): relations derived by the policies, never asserted.
MEMBER = frozenset({Relation.BID_OWNER})
OFFICER = frozenset({Relation.BUYER_OFFICER})
CHAIR = frozenset({Relation.PANEL_CHAIR})
SYSTEM_ONLY: frozenset[str] = frozenset()

BID_TABLE = TransitionTable(
    "bid",
    states={
        BidStatus.DRAFT: StateInfo(N_("草稿"), N_("草稿")),
        BidStatus.SUBMITTED: StateInfo(N_("已提交"), N_("已提交")),
        BidStatus.WITHDRAWN: StateInfo(N_("已撤回"), N_("已撤回")),
        BidStatus.OPENED: StateInfo(N_("已开标"), N_("已开标")),
        BidStatus.QUALIFIED: StateInfo(N_("资格审查通过"), N_("通过审查")),
        BidStatus.DISQUALIFIED: StateInfo(N_("资格审查未通过"), N_("未通过审查")),
    },
    transitions=[
        Transition(BidStatus.DRAFT, "edit", BidStatus.DRAFT, MEMBER, N_("保存草稿"), N_("保存")),
        Transition(BidStatus.DRAFT, "submit", BidStatus.SUBMITTED, MEMBER, N_("提交投标"), N_("提交")),
        Transition(BidStatus.DRAFT, "withdraw", BidStatus.WITHDRAWN, MEMBER, N_("放弃投标"), N_("撤回")),
        Transition(BidStatus.SUBMITTED, "edit", BidStatus.SUBMITTED, MEMBER, N_("修改（需重新提交）"), N_("修改")),
        Transition(BidStatus.SUBMITTED, "submit", BidStatus.SUBMITTED, MEMBER, N_("重新提交"), N_("重新提交")),
        Transition(BidStatus.SUBMITTED, "withdraw", BidStatus.WITHDRAWN, MEMBER, N_("撤回投标"), N_("撤回")),
        Transition(BidStatus.SUBMITTED, "open", BidStatus.OPENED, SYSTEM_ONLY, N_("开标"), N_("开标")),
        Transition(BidStatus.WITHDRAWN, "edit", BidStatus.WITHDRAWN, MEMBER, N_("修改"), N_("修改")),
        Transition(BidStatus.WITHDRAWN, "submit", BidStatus.SUBMITTED, MEMBER, N_("重新提交"), N_("重新提交")),
        Transition(BidStatus.OPENED, "qualify", BidStatus.QUALIFIED, OFFICER, N_("资格审查通过"), N_("通过")),
        Transition(BidStatus.OPENED, "disqualify", BidStatus.DISQUALIFIED, OFFICER, N_("资格审查不通过"), N_("不通过")),
        # Found ineligible later (e.g. an upheld challenge), or an abnormally low price not
        # justified to the panel's satisfaction (rule 23).
        Transition(BidStatus.QUALIFIED, "disqualify", BidStatus.DISQUALIFIED, OFFICER, N_("认定投标无效"), N_("无效")),
        Transition(
            BidStatus.QUALIFIED,
            "reject_low_price",
            BidStatus.DISQUALIFIED,
            CHAIR,
            N_("异常低价未获认可，投标无效"),
            N_("无效"),
        ),
    ],
    role_labels={
        Relation.BID_OWNER: N_("投标机构本身的用户"),
        Relation.BUYER_OFFICER: N_("民政局经办人（本项目采购人）"),
        Relation.PANEL_CHAIR: N_("评标委员会组长"),
    },
)
