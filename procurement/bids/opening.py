"""开标: at the opening time, through the sweep or at read time, exactly once.

The opening unseals the last submitted version of every bid that counts (not
withdrawn, not waiting for confirmation after an amendment), writes the
opening record, and fails the tender (废标) when fewer valid bids than the
minimum remain (rules 11, 18). The system opens; the tender's own status and
its 废标公告 are changed by tenders (``record_opening``, ``fail_tender``).
"""

from __future__ import annotations

import json

from procurement.accounts.states import Role
from procurement.accounts.tables import Organization
from procurement.bids import rules, sealing
from procurement.bids.schemas import OpeningBidder, OpeningRecordOut
from procurement.bids.services import organization_users
from procurement.bids.states import BID_TABLE, BidStatus
from procurement.bids.tables import Bid, BidSubmission, OpeningRecord
from procurement.core import audit, clock, crypto, db
from procurement.core.actors import SYSTEM
from procurement.core.auth import CurrentUser
from procurement.core.errors import NotAuthenticated, NotFound, PermissionDenied
from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.core.transitions import apply_transition
from procurement.tenders import policies as tender_policies
from procurement.tenders import services as tenders
from procurement.tenders.states import Method, TenderStatus
from procurement.tenders.tables import Tender, TenderLot

NOTIFICATIONS.update(
    {
        "bid.opened": {
            "title": N_("已开标：{title}"),
            "body": N_(
                "「{title}」已于 {opened_at}（北京时间）开标，开启有效投标（申报）{valid} 家{outcome}。开标记录列明各投标人名称和报价，请查看。"
            ),
        },
    }
)


async def open_tender(tender_id: int) -> bool:
    """Open one tender if its time has come; True if this call opened it."""
    now = clock.now()
    async with db.transaction():
        await db.lock(Tender, Tender.id == tender_id)
        tender = await Tender.select(*Tender.all_columns(), Tender.buyer.name).where(Tender.id == tender_id).first()
        if tender is None or tender["opening_at"] is None or now < tender["opening_at"]:
            return False
        if tender["status"] not in (TenderStatus.PUBLISHED, TenderStatus.CLOSED):
            return False
        if await OpeningRecord.exists().where(OpeningRecord.tender == tender_id):
            return False
        key = await sealing.key_after_opening(tender)
        lots = {lot["id"]: lot for lot in await TenderLot.select().where(TenderLot.tender == tender_id)}
        orgs = {o["id"]: o["name"] for o in await Organization.select(Organization.id, Organization.name)}
        bids = await Bid.select().where((Bid.tender == tender_id) & (Bid.status == BidStatus.SUBMITTED))
        bidders, notes, per_lot = [], [], {lot_id: 0 for lot_id in lots}
        for bid in bids:
            if rules.needs_confirmation(bid, tender["version"]):
                notes.append(
                    _("{org}的投标基于更正前的招标文件，未确认或重新提交，不予开启。").format(
                        org=orgs[bid["organization"]]
                    )
                )
                continue
            sub = (
                await BidSubmission.select()
                .where((BidSubmission.bid == bid["id"]) & (BidSubmission.version == bid["submitted_version"]))
                .first()
            )
            assert sub is not None  # a submitted bid has its submitted version; submissions are never deleted
            try:
                sealed = json.loads(
                    crypto.decrypt_text(key, sub["sealed"], sealing.bid_context(bid["id"], f"v{sub['version']}"))
                )
            except crypto.SealBroken:
                # One damaged submission must not block the opening of the others.
                notes.append(
                    _("{org}的投标数据无法解密（已损坏或被改动），未能开启，已记录审计。").format(
                        org=orgs[bid["organization"]]
                    )
                )
                await audit.record("bid.seal_broken", "bid", bid["id"], after={"version": sub["version"]})
                continue
            content = sealed["content"]
            amount = content.get("requested_fen") if tender["method"] == Method.VENTURE else content.get("price_fen")
            lot = lots[bid["lot"]]
            bidders.append(
                {
                    "bid_id": bid["id"],
                    "organization_name": orgs[bid["organization"]],
                    "lot_number": lot["number"],
                    "lot_name": lot["name"],
                    "amount_fen": amount,
                    "amount_label": (_("申请资助 ") if tender["method"] == Method.VENTURE else _("报价 "))
                    + format_yuan(amount or 0),
                    "submitted_at": sub["submitted_at"].isoformat(),
                    "receipt_no": sub["receipt_no"],
                    "content_sha256": sub["content_sha256"],
                    "documents": [
                        {"sha256": d["sha256"], "type": d["doc_type"], "size": str(d["size"])}
                        for d in sealed["documents"]
                    ],
                }
            )
            per_lot[bid["lot"]] += 1
            await apply_transition(
                BID_TABLE, Bid, bid["id"], bid["status"], "open", SYSTEM, values={Bid.updated_at: now}
            )
        minimum = rules.minimum_bids(tender["method"])
        short = [lots[i]["number"] for i, n in per_lot.items() if n < minimum]
        failed = len(short) == len(lots)
        for number in short if not failed else []:
            notes.append(
                _("第{number}包有效投标不足 {minimum} 家，该包废标（《政府采购法》第三十六条）。").format(
                    number=number, minimum=minimum
                )
            )
        bidders.sort(key=lambda b: (b["lot_number"], b["submitted_at"]))
        record = {"bidders": bidders, "notes": notes, "minimum": minimum}
        await OpeningRecord.insert(
            OpeningRecord(
                tender=tender_id,
                opened_at=now,
                record=json.dumps(record, ensure_ascii=False),
                valid_bids=len(bidders),
                failed=failed,
            )
        )
        opened = await tenders.record_opening(tender_id, after={"valid_bids": len(bidders)})
        if failed:
            reason = _("截至投标截止时间，有效投标（申报）{n_bidders} 家，不足 {minimum} 家，依法予以废标。").format(
                n_bidders=len(bidders), minimum=minimum
            )
            await tenders.fail_tender(
                opened, reason, SYSTEM, audit_extra={"valid_bids": len(bidders), "minimum": minimum}
            )
        # Issue 15 §3: every organization that had a bid in at the opening hears of it once
        # (the opening happens once, under the tender's lock), with the record to read.
        told: list[int] = []
        for org_id in sorted({b["organization"] for b in bids}):
            told += await organization_users(org_id)
        await notify(
            "bid.opened",
            told,
            {
                "title": tender["title"],
                "opened_at": f"{clock.to_local(now):%Y-%m-%d %H:%M}",
                "valid": len(bidders),
                "outcome": _("，不足法定家数，依法废标（《政府采购法》第三十六条）") if failed else "",
                "link": f"/tenders/{tender_id}/opening-record",
            },
        )
    return True


async def _open_step(tender_id: int) -> Due:
    acted = await open_tender(tender_id)
    return Due(acted, tenders.next_check(await tenders.load(tender_id)))


OPEN_DUE = DueSweep("bids.open_due", Tender, _open_step)


async def open_due_tenders() -> int:
    """Sweep: open every tender whose opening time has passed (invariant 10), by the
    tender's ``next_check_at`` (tenders sets it to the opening time once closed)."""
    return await run_due(OPEN_DUE)


async def opening_record(user: CurrentUser | None, tender_id: int) -> OpeningRecordOut:
    """开标记录表: for the bureau and this tender's bidders, once opened (opened now if due)."""
    tender = await Tender.select().where(Tender.id == tender_id).first()
    if tender is None or tender["status"] == TenderStatus.DRAFT:
        raise NotFound(_("找不到该项目。"))
    if user is None:
        raise NotAuthenticated(_("请先登录。"))
    is_staff = bool(tender_policies.buyer_staff(user, tender))
    is_bidder = user.organization_id is not None and await Bid.exists().where(
        (Bid.tender == tender_id)
        & (Bid.organization == user.organization_id)
        & (Bid.submitted_version > 0)
        & (Bid.status != BidStatus.WITHDRAWN)
    )
    if not (is_staff or is_bidder or user.role == Role.ADMIN):
        raise PermissionDenied(_("开标记录只向采购人和本项目的投标人公开。"))
    await open_tender(tender_id)  # reads never wait for the sweep
    row = await OpeningRecord.select().where(OpeningRecord.tender == tender_id).first()
    if row is None:
        raise NotFound(
            _("尚未开标：开标时间为 {to_local:%Y-%m-%d %H:%M}。").format(to_local=clock.to_local(tender["opening_at"]))
        )
    record = json.loads(row["record"])
    return OpeningRecordOut(
        tender_id=tender_id,
        tender_title=tender["title"],
        reference_no=tender["reference_no"],
        scheduled_at=tender["opening_at"],
        opened_at=row["opened_at"],
        bidders=[OpeningBidder(**b) for b in record["bidders"]],
        valid_bids=row["valid_bids"],
        minimum=record["minimum"],
        failed=row["failed"],
        notes=record["notes"],
    )
