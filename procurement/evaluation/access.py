"""Who may do what during an evaluation, and the tender facts every step needs.

One place decides the evaluation's access rules so that scoring, ranking,
reports and awards agree: a panel member acts only after declaring no
conflict (invariant 5); the buyer's staff see the progress; the opening
record gives each opened bid's price without decrypting anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from procurement.accounts.states import Role
from procurement.accounts.tables import User
from procurement.bids.tables import OpeningRecord
from procurement.core import db
from procurement.core.auth import CurrentUser, Decision, deny
from procurement.core.errors import Conflict, NotFound, PermissionDenied
from procurement.core.i18n import _
from procurement.evaluation import policies, scoring
from procurement.evaluation.states import SEATED
from procurement.evaluation.tables import Panel, PanelMember
from procurement.tenders.states import TENDER_TABLE, Method, TenderStatus
from procurement.tenders.tables import Tender, TenderLot


@dataclass(frozen=True)
class Scheme:
    """The tender's evaluation scheme as the scoring rules need it (rule 21)."""

    method: str
    criteria: tuple[scoring.Criterion, ...]
    price_weight: int
    price_fixed: bool

    @property
    def price_scored(self) -> bool:
        return self.method == scoring.COMPREHENSIVE and not self.price_fixed and self.price_weight > 0

    @property
    def uses_sheets(self) -> bool:
        """The lowest-price method ranks on price alone: no score sheets (rule 24)."""
        return self.method == scoring.COMPREHENSIVE and bool(self.criteria)

    def criterion(self, key: str) -> scoring.Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)


def scheme_of(tender: dict[str, Any]) -> Scheme:
    raw = json.loads(tender["evaluation_scheme"] or "{}")
    criteria = tuple(
        scoring.Criterion(
            key=c["key"],
            name=c["name"],
            max_points=int(c["max_points"]),
            kind=c["kind"],
            guidance=c.get("description", ""),
        )
        for c in raw.get("criteria", [])
    )
    return Scheme(
        method=raw.get("method", scoring.COMPREHENSIVE),
        criteria=criteria,
        price_weight=int(raw.get("price_weight", 0)),
        price_fixed=bool(raw.get("price_fixed", False)),
    )


def is_venture(tender: dict[str, Any]) -> bool:
    return tender["method"] == Method.VENTURE


async def tender(tender_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(Tender, Tender.id == tender_id)
    row = await Tender.select(*Tender.all_columns(), Tender.buyer.name).where(Tender.id == tender_id).first()
    if row is None or row["status"] == TenderStatus.DRAFT:
        raise NotFound(_("找不到该项目。"))
    return row


async def lots(tender_id: int) -> dict[int, dict[str, Any]]:
    return {
        r["id"]: r for r in await TenderLot.select().where(TenderLot.tender == tender_id).order_by(TenderLot.number)
    }


async def panel(tender_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(Panel, Panel.tender == tender_id)
    row = await Panel.select().where(Panel.tender == tender_id).first()
    if row is None:
        raise NotFound(_("本项目尚未抽取评标委员会。"))
    return row


async def membership(user: CurrentUser | None, panel_id: int) -> dict[str, Any] | None:
    """The user's current seat on the panel (a replaced seat does not count)."""
    if user is None:
        return None
    return (
        await PanelMember.select()
        .where((PanelMember.panel == panel_id) & (PanelMember.user == user.id))
        .order_by(PanelMember.id, ascending=False)
        .first()
    )


async def declared_member(user: CurrentUser, panel_id: int) -> dict[str, Any]:
    """The user's seat, once they declared no conflict (invariant 5); refused otherwise."""
    member = await membership(user, panel_id)
    policies.declared_member(user, member).require()
    assert member is not None
    return member


async def opened_bid_reader(user: CurrentUser, tender_row: dict[str, Any]) -> Decision:
    """For bids' reading gate: a member of the tender's panel who declared no
    conflict may read its opened bids (invariant 5)."""
    row = await Panel.select(Panel.id).where(Panel.tender == tender_row["id"]).first()
    if row is None:
        return deny(_("本项目尚未抽取评标委员会。"))
    return policies.declared_member(user, await membership(user, row["id"]))


async def seated_members(panel_id: int) -> list[dict[str, Any]]:
    rows = (
        await PanelMember.select(*PanelMember.all_columns(), PanelMember.user.display_name)
        .where(PanelMember.panel == panel_id)
        .order_by(PanelMember.id)
    )
    return [r for r in rows if r["status"] in SEATED]


async def chair(user: CurrentUser, panel_id: int) -> dict[str, Any]:
    """The user's seat if it is the chair's (refused, with why, while the panel has no chair)."""
    member = await membership(user, panel_id)
    if policies.declared_member(user, member) and not await PanelMember.exists().where(
        (PanelMember.panel == panel_id) & (PanelMember.is_chair == True) & PanelMember.status.is_in(list(SEATED))
    ):
        raise PermissionDenied(
            _(
                "评标委员会尚未确定组长：请先由成员推选组长（《政府采购货物和服务招标投标管理办法》第四十五条），或由采购人指定。"
            )
        )
    policies.chair(user, member).require()
    assert member is not None
    return member


async def opened_prices(tender_id: int) -> dict[int, int]:
    """bid id → the price (or the 公益创投 request) read out at the opening."""
    row = await OpeningRecord.select(OpeningRecord.record).where(OpeningRecord.tender == tender_id).first()
    if row is None:
        raise Conflict(_("尚未开标。"))
    return {b["bid_id"]: int(b["amount_fen"] or 0) for b in json.loads(row["record"])["bidders"]}


def require_status(tender_row: dict[str, Any], *allowed: str, doing: str) -> None:
    if tender_row["status"] not in allowed:
        raise Conflict(
            _("项目当前状态为「{staff_label}」，不能{doing}。").format(
                staff_label=TENDER_TABLE.staff_label(tender_row["status"]), doing=doing
            )
        )


async def officers_of(org_id: int) -> list[int]:
    """The user ids to tell about an evaluation event on the buyer's side."""
    return [
        u["id"] for u in await User.select(User.id).where((User.organization == org_id) & (User.role == Role.OFFICER))
    ]


async def members_of(org_id: int) -> list[int]:
    """The active user ids of a bidding organization, to tell it about its bid."""
    return [
        u["id"]
        for u in await User.select(User.id).where(
            (User.organization == org_id) & (User.role == Role.ORG_MEMBER) & (User.is_active == True)
        )
    ]
