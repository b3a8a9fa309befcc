"""投标保证金 (rule 29): the amount is recorded at submission, the bureau marks
it paid, and refunds fall due 5 working days after the award notice (losers),
the signing (the winner), or a failure or termination notice."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from procurement.accounts.states import Role
from procurement.accounts.tables import User
from procurement.bids import policies
from procurement.bids.schemas import BidBondOut
from procurement.bids.tables import BidBond
from procurement.core import audit, clock, db, prepared
from procurement.core.actors import SYSTEM
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.money import format_yuan
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.tenders.states import TenderStatus

REFUND_WORKING_DAYS = 5  # rule 29
STATE_LABELS = Labels(
    {
        "unpaid": N_("待缴纳"),
        "paid": N_("已缴纳"),
        "due": N_("待退还"),
        "overdue": N_("逾期未退"),
        "refunded": N_("已退还"),
    }
)


def _state(row: dict) -> str:
    if row["refunded_at"] is not None:
        return "refunded"
    if row["paid_at"] is None:
        return "unpaid"
    if row["refund_due_on"] is None:
        return "paid"
    return "overdue" if clock.today_local() > row["refund_due_on"] else "due"


SEALED_STATUSES = (TenderStatus.PUBLISHED, TenderStatus.CLOSED)  # before the opening, not terminated


def _sealed(row: dict) -> bool:
    """Before its tender opens, a bond says nothing of who bid (invariant 2)."""
    return row["tender.status"] in SEALED_STATUSES


def _out(row: dict, *, own: bool = False) -> BidBondOut:
    """A bond as its reader may see it: the bidder always sees its own; the bureau
    sees the tender and the organization only once the tender has opened."""
    state = _state(row)
    hidden = _sealed(row) and not own
    return BidBondOut(
        id=row["id"],
        reference=row["reference"],
        sealed=hidden,
        tender_id=None if hidden else row["tender"],
        tender_title=None if hidden else row["tender.title"],
        organization_id=None if hidden else row["organization"],
        organization_name=None if hidden else row["organization.name"],
        amount_fen=row["amount_fen"],
        paid_at=row["paid_at"],
        refund_due_on=row["refund_due_on"],
        refunded_at=row["refunded_at"],
        state=state,
        state_label=STATE_LABELS[state],
    )


def _columns():
    return (
        *BidBond.all_columns(),
        BidBond.tender.title,
        BidBond.tender.buyer,
        BidBond.tender.status,
        BidBond.organization.name,
    )


async def record_bond(tender_id: int, organization_id: int, amount_fen: int) -> None:
    """At submission (rule 29): the organization's one bond for the tender, with its
    reference. A second submission, or several lots submitted at once, add nothing:
    the database keeps one bond per organization per tender."""
    await BidBond.insert(
        BidBond(
            id=await db.random_id(BidBond),
            tender=tender_id,
            organization=organization_id,
            reference=await _new_reference(),
            amount_fen=amount_fen,
        )
    ).on_conflict(target=(BidBond.tender, BidBond.organization), action="DO NOTHING")


async def own_bond(tender_id: int, organization_id: int) -> BidBondOut | None:
    """The organization's bond for a tender, as its receipt shows it (to the organization only)."""
    row = (
        await BidBond.select(*_columns())
        .where((BidBond.tender == tender_id) & (BidBond.organization == organization_id))
        .first()
    )
    return None if row is None else _out(row, own=True)


async def _new_reference() -> str:
    """BZJ and 12 random digits, like a bank's 虚拟子账号: it names no tender and no bidder."""
    while True:
        reference = "BZJ" + "".join(secrets.choice("0123456789") for _unused in range(12))
        if not await BidBond.exists().where(BidBond.reference == reference):
            return reference


async def list_bonds(user: CurrentUser, *, only_due: bool = False) -> list[BidBondOut]:
    """An organization's own bonds; the bureau's: every bond of its tenders once
    opened, and before the opening only the bonds whose money has arrived, by
    reference and amount (finance records arrivals by reference, rule 29)."""
    policies.can_list_bonds(user).require()
    own = user.role == Role.ORG_MEMBER
    # Prepared (issue 11): the officer's and finance's dashboards read it on every visit.
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id is not None:
        found = await prepared.run(
            lambda org_id: BidBond.select(*_columns()).where(BidBond.tender.buyer == org_id), user.organization_id
        )
    elif own and user.organization_id is not None:
        found = await prepared.run(
            lambda org_id: BidBond.select(*_columns()).where(BidBond.organization == org_id), user.organization_id
        )
    else:
        query = BidBond.select(*_columns())
        if user.role in (Role.OFFICER, Role.FINANCE):
            query = query.where(BidBond.tender.buyer == user.organization_id)
        elif own:
            query = query.where(BidBond.organization == user.organization_id)
        found = await query
    rows = [r for r in found if own or not _sealed(r) or r["paid_at"] is not None]
    bonds = [_out(r, own=own) for r in rows]
    if only_due:
        bonds = [b for b in bonds if b.state in ("due", "overdue")]
    order = {"overdue": 0, "due": 1, "unpaid": 2, "paid": 3, "refunded": 4}
    return sorted(bonds, key=lambda b: (order[b.state], b.refund_due_on or clock.today_local(), b.reference))


async def _change(
    user: CurrentUser, where, values: dict, condition, action: str, refusal: str, *, sealed_ok: bool
) -> BidBondOut:
    if user.role not in (Role.OFFICER, Role.FINANCE):
        raise PermissionDenied(_("只有采购人的经办人或财务可以登记保证金。"))
    async with db.transaction():
        row = await BidBond.select(*_columns()).where(where).first()
        if (
            row is None
            or not policies.can_record_bond(user, {"buyer": row["tender.buyer"]})
            or (_sealed(row) and not sealed_ok)
        ):
            raise NotFound(_("找不到该保证金记录。"))
        done = await BidBond.update(values).where((BidBond.id == row["id"]) & condition).returning(BidBond.id)
        if not done:
            raise ValidationFailed(refusal)
        await audit.record(action, "bid_bond", row["id"], actor=actor_of(user), after={"amount_fen": row["amount_fen"]})
        changed = await BidBond.select(*_columns()).where(BidBond.id == row["id"]).first()
        assert changed is not None  # read and updated above, in this transaction
        return _out(changed)


PAID = N_("该保证金已登记为已缴纳。")


async def mark_paid(user: CurrentUser, bond_id: int) -> BidBondOut:
    """The money of a listed (opened or terminated) tender's bond arrived."""
    return await _change(
        user,
        BidBond.id == bond_id,
        {BidBond.paid_at: clock.now(), BidBond.paid_marked_by: user.id},
        BidBond.paid_at.is_null(),
        "bid_bond.paid",
        _(PAID),
        sealed_ok=False,
    )


async def record_payment(user: CurrentUser, reference: str) -> BidBondOut:
    """Money arrived quoting ``reference`` (the bank statement's 子账号 or 附言): before
    the opening this is how finance records it, learning the amount and nothing else."""
    reference = reference.strip().upper()
    try:
        return await _change(
            user,
            BidBond.reference == reference,
            {BidBond.paid_at: clock.now(), BidBond.paid_marked_by: user.id},
            BidBond.paid_at.is_null(),
            "bid_bond.paid",
            _(PAID),
            sealed_ok=True,
        )
    except NotFound:
        raise ValidationFailed(
            field_errors={
                "reference": _("没有编号为 {reference} 的保证金，请按银行流水核对。").format(reference=reference)
            }
        ) from None
    except ValidationFailed as exc:
        raise ValidationFailed(field_errors={"reference": exc.message}) from None


async def mark_refunded(user: CurrentUser, bond_id: int) -> BidBondOut:
    return await _change(
        user,
        BidBond.id == bond_id,
        {BidBond.refunded_at: clock.now(), BidBond.next_check_at: None},
        BidBond.paid_at.is_not_null() & BidBond.refunded_at.is_null(),
        "bid_bond.refunded",
        _("只有已缴纳且未退还的保证金可以登记退还。"),
        sealed_ok=False,
    )


async def schedule_refunds_after_award(
    tender_id: int, winner_org_ids: int | Iterable[int] | None, notice_day: date
) -> int:
    """Rule 29: losers' bonds fall due 5 working days after the award notice.
    Called by the award (evaluation.awards) in its transaction; a tender with
    several lots, or a 公益创投 call, has several winners."""
    due = get_default_calendar().add_working_days(notice_day, REFUND_WORKING_DAYS)
    condition = (BidBond.tender == tender_id) & BidBond.refunded_at.is_null()
    winners = [winner_org_ids] if isinstance(winner_org_ids, int) else list(winner_org_ids or [])
    if winners:
        condition &= BidBond.organization.not_in(winners)
    done = (
        await BidBond.update({BidBond.refund_due_on: due, BidBond.next_check_at: clock.after_local_day(due)})
        .where(condition)
        .returning(BidBond.id)
    )
    return len(done)


async def schedule_refund_after_signing(tender_id: int, winner_org_id: int, signed_day: date) -> int:
    """Rule 29: the winner's bond falls due 5 working days after the contract is signed."""
    due = get_default_calendar().add_working_days(signed_day, REFUND_WORKING_DAYS)
    done = (
        await BidBond.update({BidBond.refund_due_on: due, BidBond.next_check_at: clock.after_local_day(due)})
        .where((BidBond.tender == tender_id) & (BidBond.organization == winner_org_id) & BidBond.refunded_at.is_null())
        .returning(BidBond.id)
    )
    return len(done)


async def schedule_refunds_after_notice(tender_id: int, notice_day: date) -> int:
    """Rule 29: every bond of a failed (废标) or terminated tender falls due 5
    working days after the notice. Runs on ``tender.failed`` and ``tender.cancelled``."""
    due = get_default_calendar().add_working_days(notice_day, REFUND_WORKING_DAYS)
    done = (
        await BidBond.update({BidBond.refund_due_on: due, BidBond.next_check_at: clock.after_local_day(due)})
        .where((BidBond.tender == tender_id) & BidBond.refunded_at.is_null())
        .returning(BidBond.id)
    )
    return len(done)


async def flag_overdue_refund(bond_id: int) -> Due:
    """Rule 29: a paid bond not refunded by its due date is overdue; the buyer's
    officers and finance are told once (the bond's ``next_check_at``)."""
    async with db.transaction():
        await db.lock(BidBond, BidBond.id == bond_id)
        row = await BidBond.select(*_columns()).where(BidBond.id == bond_id).first()
        if row is None or row["refunded_at"] is not None or row["refund_due_on"] is None:
            return Due(False, None)
        if row["overdue_notified_at"] is not None or row["paid_at"] is None:
            return Due(False, None)  # told already, or nothing was paid that could be refunded
        if clock.today_local() <= row["refund_due_on"]:
            return Due(False, clock.after_local_day(row["refund_due_on"]))
        await BidBond.update({BidBond.overdue_notified_at: clock.now()}).where(BidBond.id == bond_id)
        staff = await User.select(User.id).where(
            (User.organization == row["tender.buyer"])
            & User.role.is_in([Role.OFFICER, Role.FINANCE])
            & (User.is_active == True)
        )
        await notify(
            "bid_bond.refund_overdue",
            [u["id"] for u in staff],
            {
                "title": row["tender.title"],
                "amount": format_yuan(row["amount_fen"]),
                "due": f"{row['refund_due_on']:%Y-%m-%d}",
                "link": "/bureau/bid-bonds",
            },
        )
        await audit.record(
            "bid_bond.refund_overdue",
            "bid_bond",
            bond_id,
            actor=SYSTEM,
            after={"due": row["refund_due_on"].isoformat()},
        )
    return Due(True, None)


BONDS_DUE = DueSweep("bids.bond_refund_overdue", BidBond, flag_overdue_refund)


async def flag_overdue_refunds() -> int:
    """Sweep: tell the buyer once when a paid bid bond is past its refund date (rule 29)."""
    return await run_due(BONDS_DUE)
