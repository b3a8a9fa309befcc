"""The delivery status of an outbox message (invariant 3): written only through
``core.transitions.apply_transition`` with this table, each change audited.

A message is written ``pending`` (sent at once), ``held`` (the user takes the daily
digest) or ``skipped`` (no address, account inactive, or the event switched off);
the sender's attempts keep it ``pending`` until one succeeds (``sent``) or the last
fails (``failed``); an administrator may send a failed one again.
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Role, StateInfo, Transition, TransitionTable


class Delivery(StrEnum):
    PENDING = "pending"  # 待发送（含等待重试）
    HELD = "held"  # 留待每日汇总
    SENT = "sent"  # 已发送
    FAILED = "failed"  # 多次发送失败
    SKIPPED = "skipped"  # 不发送（未填邮箱、账号停用或用户关闭）
    DIGESTED = "digested"  # 已并入每日汇总


SYSTEM_ONLY: frozenset[str] = frozenset()

OUTBOX_TABLE = TransitionTable(
    "outbox",
    states={
        Delivery.PENDING: StateInfo(N_("待发送"), N_("待发送")),
        Delivery.HELD: StateInfo(N_("留待每日汇总"), N_("待汇总")),
        Delivery.SENT: StateInfo(N_("已发送"), N_("已发送")),
        Delivery.FAILED: StateInfo(N_("发送失败"), N_("发送失败")),
        Delivery.SKIPPED: StateInfo(N_("不发送"), N_("不发送")),
        Delivery.DIGESTED: StateInfo(N_("已并入每日汇总"), N_("已汇总")),
    },
    transitions=[
        Transition(Delivery.PENDING, "send", Delivery.SENT, SYSTEM_ONLY, N_("发送成功"), N_("已发送")),
        Transition(Delivery.PENDING, "give_up", Delivery.FAILED, SYSTEM_ONLY, N_("多次发送失败"), N_("发送失败")),
        Transition(Delivery.HELD, "digest", Delivery.DIGESTED, SYSTEM_ONLY, N_("并入每日汇总"), N_("已汇总")),
        Transition(Delivery.FAILED, "retry", Delivery.PENDING, frozenset({Role.ADMIN}), N_("重新发送"), N_("重新发送")),
    ],
    role_labels={Role.ADMIN: N_("系统管理员")},
)
