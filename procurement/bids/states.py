"""The status machines of bids and of eligibility profiles (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Relation, Role, StateInfo, Transition, TransitionTable


class BidStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    OPENED = "opened"
    QUALIFIED = "qualified"  # passed the buyer's 资格审查 (rule 41)
    DISQUALIFIED = "disqualified"  # failed it, or found invalid later
    RESPONSIVE = "responsive"  # passed the panel's 符合性审查: scored (rule 41)
    NONRESPONSIVE = "nonresponsive"  # failed it: not scored


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
        BidStatus.QUALIFIED: StateInfo(N_("资格审查通过"), N_("资格审查通过")),
        BidStatus.DISQUALIFIED: StateInfo(N_("投标无效"), N_("投标无效")),
        BidStatus.RESPONSIVE: StateInfo(N_("符合性审查通过"), N_("符合性审查通过")),
        BidStatus.NONRESPONSIVE: StateInfo(N_("符合性审查未通过"), N_("符合性审查未通过")),
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
        # 资格审查 by the buyer after the opening, before any panel (rule 41; 87号令第四十四条).
        Transition(BidStatus.OPENED, "qualify", BidStatus.QUALIFIED, OFFICER, N_("资格审查通过"), N_("通过")),
        Transition(BidStatus.OPENED, "disqualify", BidStatus.DISQUALIFIED, OFFICER, N_("资格审查不通过"), N_("不通过")),
        # 符合性审查 by the panel, recorded by its chair (rule 41; 87号令第五十条).
        Transition(BidStatus.QUALIFIED, "respond", BidStatus.RESPONSIVE, CHAIR, N_("符合性审查通过"), N_("通过")),
        Transition(
            BidStatus.QUALIFIED, "not_respond", BidStatus.NONRESPONSIVE, CHAIR, N_("符合性审查不通过"), N_("不通过")
        ),
        # An abnormally low price not justified to the panel's satisfaction (rule 23).
        Transition(
            BidStatus.RESPONSIVE,
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


class ProfileStatus(StrEnum):
    """An organization's eligibility profile, as the bureau reviewed it."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


# The organization files and changes its profile; a bureau officer (or an administrator)
# confirms it or returns it with a reason. Any change needs confirming again.
OWN_ORG = frozenset({Relation.OWN_ORGANIZATION})
REVIEWERS = frozenset({Role.OFFICER, Role.ADMIN})

PROFILE_TABLE = TransitionTable(
    "eligibility_profile",
    states={
        ProfileStatus.PENDING: StateInfo(N_("待确认"), N_("待民政局确认")),
        ProfileStatus.CONFIRMED: StateInfo(N_("已确认"), N_("已确认")),
        ProfileStatus.RETURNED: StateInfo(N_("已退回"), N_("已退回修改")),
    },
    transitions=[
        Transition(ProfileStatus.PENDING, "update", ProfileStatus.PENDING, OWN_ORG, N_("修改资格资料"), N_("修改")),
        Transition(ProfileStatus.CONFIRMED, "update", ProfileStatus.PENDING, OWN_ORG, N_("修改资格资料"), N_("修改")),
        Transition(
            ProfileStatus.RETURNED, "update", ProfileStatus.PENDING, OWN_ORG, N_("修改后重新提交"), N_("重新提交")
        ),
        Transition(
            ProfileStatus.PENDING, "confirm", ProfileStatus.CONFIRMED, REVIEWERS, N_("确认资格资料"), N_("确认")
        ),
        Transition(ProfileStatus.PENDING, "return", ProfileStatus.RETURNED, REVIEWERS, N_("退回修改"), N_("退回")),
        # Found wrong after confirming (a list entry the organization did not declare).
        Transition(ProfileStatus.CONFIRMED, "return", ProfileStatus.RETURNED, REVIEWERS, N_("退回修改"), N_("退回")),
    ],
    role_labels={
        Relation.OWN_ORGANIZATION: N_("该机构本身的用户"),
        Role.OFFICER: N_("民政局经办人"),
        Role.ADMIN: N_("系统管理员"),
    },
)
