"""Bid bonds on the bureau's dashboards (rule 29), as ``bids.bonds`` lets each reader see
them: before the opening a bond names neither its tender nor its bidder (invariant 2)."""

from __future__ import annotations

from procurement.bids import bonds
from procurement.bids.schemas import BidBondOut
from procurement.core import money
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.dashboard.schemas import TodoAction, TodoEntry, TodoItem
from procurement.dashboard.todo import item


def bond_entry(b: BidBondOut) -> TodoEntry:
    """A bond as its reader may see it: before the opening, its reference and amount only."""
    who = b.organization_name or _("开标后显示")
    return TodoEntry(
        title=b.tender_title or _("保证金 {reference}").format(reference=b.reference),
        link="/bureau/bid-bonds" + ("?only_due=true" if b.state in ("due", "overdue") else "") + f"#bond-{b.id}",
        note=_("{org} · {amount} · 编号 {reference}").format(
            org=who, amount=money.format_yuan(b.amount_fen), reference=b.reference
        ),
        when_label=_("应退日期") if b.refund_due_on else "",
        on=b.refund_due_on,
        urgent=b.state == "overdue",
        badge=b.state_label,
    )


def refunds(due: list[BidBondOut]) -> TodoItem:
    """Bonds due or overdue for refund (rule 29; overdue ones first, as ``list_bonds`` sorts)."""
    entries = [bond_entry(b) for b in due if b.state in ("due", "overdue")]
    return item(
        "refunds",
        _("待退还的投标保证金"),
        entries,
        link="/bureau/bid-bonds?only_due=true",
        link_label=_("投标保证金"),
        empty=_("没有待退还的投标保证金。"),
        hint=_(
            "未中标者的保证金自中标通知书发出之日起 5 个工作日内退还，中标者的自合同签订之日起 5 个工作日内退还（《政府采购法实施条例》第三十三条）。"
        )
        if entries
        else "",
    )


# --------------------------------------------------------------------------- bureau finance


async def finance(user: CurrentUser) -> list[TodoItem | None]:
    """Bonds to record as paid (those of opened tenders by name, the rest by reference on the
    bonds page), bonds recorded before the opening (by reference), refunds due."""
    every = await bonds.list_bonds(user)
    unpaid = [
        bond_entry(b).model_copy(
            update={
                "action": TodoAction(
                    url=f"/bureau/bid-bonds/{b.id}/paid",
                    label=_("登记已缴"),
                    confirm=_("确认已收到{org}的投标保证金 {amount}？").format(
                        org=b.organization_name, amount=money.format_yuan(b.amount_fen)
                    ),
                )
            }
        )
        for b in every
        if b.state == "unpaid" and not b.sealed
    ]
    sealed = [bond_entry(b) for b in every if b.sealed]
    return [
        item(
            "bonds_unpaid",
            _("待登记到账的投标保证金"),
            unpaid,
            link="/bureau/bid-bonds",
            link_label=_("按编号登记到账"),
            empty=_("已开标项目的保证金均已登记到账；开标前到账的款项在「投标保证金」页按编号登记。"),
            hint=_("投标机构缴纳时注明保证金编号；开标前到账的款项在「投标保证金」页按编号登记。"),
        ),
        item(
            "bonds_sealed",
            _("开标前已登记到账的保证金"),
            sealed,
            link="/bureau/bid-bonds",
            link_label=_("投标保证金"),
            empty=_("没有开标前登记到账的保证金。"),
            hint=_("开标前只显示保证金编号和金额，项目和投标机构在开标后显示。") if sealed else "",
        ),
        refunds(every),
    ]
