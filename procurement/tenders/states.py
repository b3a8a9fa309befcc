"""Tender methods, notice types, and the tender status machine (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, Role, StateInfo, Transition, TransitionTable


class Method(StrEnum):
    """Procurement methods (rule 9) and the 公益创投 call (rule 13)."""

    OPEN = "open_tender"  # 公开招标
    INVITED = "invited_tender"  # 邀请招标
    CONSULTATION = "competitive_consultation"  # 竞争性磋商
    NEGOTIATION = "competitive_negotiation"  # 竞争性谈判
    SINGLE_SOURCE = "single_source"  # 单一来源
    INQUIRY = "inquiry"  # 询价
    VENTURE = "venture_call"  # 公益创投征集


METHOD_LABELS = Labels(
    {
        Method.OPEN: N_("公开招标"),
        Method.INVITED: N_("邀请招标"),
        Method.CONSULTATION: N_("竞争性磋商"),
        Method.NEGOTIATION: N_("竞争性谈判"),
        Method.SINGLE_SOURCE: N_("单一来源"),
        Method.INQUIRY: N_("询价"),
        Method.VENTURE: N_("公益创投"),
    }
)


class NoticeType(StrEnum):
    PROCUREMENT = "procurement"  # 采购公告
    VENTURE_CALL = "venture_call"  # 公益创投征集公告
    AMENDMENT = "amendment"  # 更正公告
    CLARIFICATION = "clarification"  # 澄清公告: a published answer to a question
    RESULT = "result"  # 中标/成交结果公告
    CONTRACT = "contract"  # 合同公告
    TERMINATION = "termination"  # 终止公告
    FAILURE = "failure"  # 废标公告


NOTICE_TYPE_LABELS = Labels(
    {
        NoticeType.PROCUREMENT: N_("采购公告"),
        NoticeType.VENTURE_CALL: N_("公益创投征集公告"),
        NoticeType.AMENDMENT: N_("更正公告"),
        NoticeType.CLARIFICATION: N_("澄清公告"),
        NoticeType.RESULT: N_("中标/成交结果公告"),
        NoticeType.CONTRACT: N_("合同公告"),
        NoticeType.TERMINATION: N_("终止公告"),
        NoticeType.FAILURE: N_("废标公告"),
    }
)


class TenderStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    OPENED = "opened"
    EVALUATING = "evaluating"
    AWARDED = "awarded"
    FAILED = "failed"
    CANCELLED = "cancelled"


# Who acts on a tender: the buyer's own officers (a relation the tenders policy
# derives from the tender's buyer), or the system at the deadline and the opening.
OFFICER = Relation.BUYER_OFFICER
ADMIN = Role.ADMIN
BUREAU = frozenset({OFFICER})
SYSTEM_ONLY: frozenset[str] = frozenset()

TENDER_TABLE = TransitionTable(
    "tender",
    states={
        TenderStatus.DRAFT: StateInfo(N_("草稿"), N_("草稿")),
        TenderStatus.PUBLISHED: StateInfo(N_("已发布（接受投标）"), N_("正在征集")),
        TenderStatus.CLOSED: StateInfo(N_("投标已截止"), N_("已截止")),
        TenderStatus.OPENED: StateInfo(N_("已开标"), N_("已开标")),
        TenderStatus.EVALUATING: StateInfo(N_("评审中"), N_("评审中")),
        TenderStatus.AWARDED: StateInfo(N_("已定标"), N_("已公布结果")),
        TenderStatus.FAILED: StateInfo(N_("废标"), N_("废标")),
        TenderStatus.CANCELLED: StateInfo(N_("已终止"), N_("已终止")),
    },
    transitions=[
        Transition(TenderStatus.DRAFT, "update", TenderStatus.DRAFT, BUREAU, N_("修改草稿"), N_("修改")),
        Transition(TenderStatus.DRAFT, "publish", TenderStatus.PUBLISHED, BUREAU, N_("发布公告"), N_("发布")),
        Transition(TenderStatus.DRAFT, "cancel", TenderStatus.CANCELLED, BUREAU, N_("终止项目"), N_("终止")),
        Transition(TenderStatus.PUBLISHED, "amend", TenderStatus.PUBLISHED, BUREAU, N_("发布更正公告"), N_("更正")),
        Transition(TenderStatus.PUBLISHED, "answer", TenderStatus.PUBLISHED, BUREAU, N_("答复澄清问题"), N_("答疑")),
        Transition(TenderStatus.PUBLISHED, "close", TenderStatus.CLOSED, SYSTEM_ONLY, N_("投标截止"), N_("截止")),
        Transition(TenderStatus.PUBLISHED, "cancel", TenderStatus.CANCELLED, BUREAU, N_("终止项目"), N_("终止")),
        Transition(TenderStatus.CLOSED, "open", TenderStatus.OPENED, SYSTEM_ONLY, N_("开标"), N_("开标")),
        Transition(TenderStatus.CLOSED, "cancel", TenderStatus.CANCELLED, BUREAU, N_("终止项目"), N_("终止")),
        Transition(
            TenderStatus.OPENED, "start_evaluation", TenderStatus.EVALUATING, BUREAU, N_("开始评审"), N_("评审")
        ),
        Transition(TenderStatus.OPENED, "fail", TenderStatus.FAILED, BUREAU, N_("宣布废标"), N_("废标")),
        Transition(TenderStatus.EVALUATING, "award", TenderStatus.AWARDED, BUREAU, N_("确定中标人"), N_("定标")),
        Transition(TenderStatus.EVALUATING, "fail", TenderStatus.FAILED, BUREAU, N_("宣布废标"), N_("废标")),
        # 磋商: the buyer did not decide within 5 working days, the top-ranked is deemed chosen (rule 26).
        Transition(
            TenderStatus.EVALUATING,
            "deem_award",
            TenderStatus.AWARDED,
            SYSTEM_ONLY,
            N_("视为确定排名第一的供应商"),
            N_("定标"),
        ),
        # An upheld challenge (rule 27) takes the award back for re-evaluation or a new choice.
        Transition(
            TenderStatus.AWARDED,
            "revoke_award",
            TenderStatus.EVALUATING,
            BUREAU,
            N_("撤销中标结果（质疑成立）"),
            N_("重新评审"),
        ),
    ],
    role_labels={OFFICER: N_("民政局经办人（本项目采购人）"), ADMIN: N_("系统管理员")},
)

# States in which the public may see the tender (drafts never).
PUBLIC_STATES = frozenset(s for s in TenderStatus if s != TenderStatus.DRAFT)


def effective_status(status: str, bid_deadline, now) -> str:
    """The status as of ``now``, before any job runs: once the deadline has
    passed a published tender is closed for everyone (design.md, Time-driven work)."""
    if status == TenderStatus.PUBLISHED and bid_deadline is not None and now >= bid_deadline:
        return TenderStatus.CLOSED
    return status
