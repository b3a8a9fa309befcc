"""Signing a contract and what follows it (issue 12 §3; rules 28, 29): the parties' signatures
of a frozen version, a paper signing, the activation (the winner's bid-bond refund, the
notice and filing due dates), the contract notice, the filing, and the time-driven work
(the signing reminder and overdue flag, the notice the sweep publishes, the overdue filing).
Each use case is one transaction that locks the contract."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from piccolo.columns import Column

from contracts.documents.schemas import canonical as canonical  # the one canonical form (changes sign with it too)
from contracts.lifecycle import document, policies, rules
from contracts.lifecycle.schemas import ContractOut, FilingIn, OfflineSigningIn
from contracts.lifecycle.services import (
    SIGNED_STATES,
    file_store,
    get_contract,
    message_context,
    next_check_for,
    party_users,
    readable,
    waiting_of,
)
from contracts.lifecycle.states import CONTRACT_TABLE, PARTY_LABELS, PARTY_OF, ContractStatus, Party
from contracts.lifecycle.tables import Contract, ContractSignature, ContractVersion
from procurement.awards import services as awards
from procurement.bids import services as bids
from procurement.core import audit, clock, db, events
from procurement.core.actors import SYSTEM, Actor
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, ValidationFailed
from procurement.core.i18n import _
from procurement.core.money import format_yuan, to_chinese_capital
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.core.transitions import apply_transition
from procurement.tenders import services as tenders

# --------------------------------------------------------------------------- signing (rule 28)


async def _frozen(row: dict[str, Any], user_id: int | None) -> str:
    """The version's frozen text, written when the first party signs it; its SHA-256.
    The text is the canonical form of the version's contract document
    (``document.draft_document``), so the one fingerprint the parties sign is the one
    printed on the PDF and checked on /verify/contracts."""
    existing = await ContractVersion.select(ContractVersion.sha256).where(
        (ContractVersion.contract == row["id"]) & (ContractVersion.version == row["version"])
    )
    if existing:
        return existing[0]["sha256"]
    doc = await document.draft_document(row)
    text, digest = canonical(doc.model_dump(mode="json"))
    await ContractVersion.insert(
        ContractVersion(
            contract=row["id"],
            version=row["version"],
            snapshot=text,
            sha256=digest,
            frozen_at=clock.now(),
            frozen_by=user_id,
        )
    )
    return digest


async def _may_sign(row: dict[str, Any], version: int, *, provider_details: bool = True) -> None:
    """The version signed is the current one, nothing blocks signing (rule 27: an open
    challenge that could change the result, a running 公示) and the text is complete."""
    if version != row["version"]:
        raise Conflict(
            _("合同已有新版本（第 {version} 版），请核对新版本后再签署。").format(version=row["version"]),
            extra={"version": row["version"]},
        )
    blockers = await awards.signing_blockers(row["tender"], row["lot"])
    if blockers:
        raise Conflict(_("暂不能签订合同：{reasons}").format(reasons="；".join(blockers)), extra={"blockers": blockers})
    gaps = rules.signing_gaps(row, json.loads(row["indicators"]), provider_details=provider_details)
    if gaps:
        raise Conflict(_("合同文本尚不完整，不能签署：{gaps}").format(gaps="".join(gaps)), extra={"gaps": gaps})


async def sign_contract(user: CurrentUser, contract_id: int, version: int) -> ContractOut:
    """A party signs the current version (rule 28). The first signature freezes its text
    and waits for the other party; the other party's signature of the same version makes
    the contract active. The row is locked, so two parties signing at the same moment
    both count, one after the other, and leave one active contract."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        decision = policies.party(user, row)
        actor = decision.acting(user)
        party = PARTY_OF[decision.relation] if decision.relation in PARTY_OF else None
        assert party is not None  # policies.party grants one of the two relations
        action = "countersign" if row["status"] == ContractStatus.AWAITING_SIGNATURES else "sign"
        CONTRACT_TABLE.decide(row["status"], action, actor)  # 409 once active, suspended or ended
        await _may_sign(row, version)
        signed = await ContractSignature.select(ContractSignature.party).where(
            (ContractSignature.contract == contract_id) & (ContractSignature.version == row["version"])
        )
        if any(s["party"] == party for s in signed):
            raise Conflict(_("您方已签署第 {version} 版，正在等待另一方签署。").format(version=row["version"]))
        digest = await _frozen(row, user.id)
        now = clock.now()
        await ContractSignature.insert(
            ContractSignature(
                contract=contract_id, version=row["version"], party=party, user_id=user.id, sha256=digest, signed_at=now
            )
        )
        if action == "sign":
            await apply_transition(
                CONTRACT_TABLE,
                Contract,
                contract_id,
                row["status"],
                "sign",
                actor,
                values={Contract.updated_at: now},
                guard=Contract.version == row["version"],
                after={"version": row["version"], "party": party, "sha256": digest},
            )
            other = Party.PROVIDER if party == Party.BUYER else Party.BUYER
            await notify(
                "contract.signed",
                await party_users(row, other),
                message_context(row, party=PARTY_LABELS[party], version=row["version"]),
            )
        else:
            await _activate(row, actor, "countersign", {"party": party, "sha256": digest})
    return await get_contract(user, contract_id)


async def _activate(
    row: dict[str, Any], actor: Actor, action: str, after: dict[str, Any], extra: dict[Column | str, Any] | None = None
) -> None:
    """Both have signed: the contract is active; the winner's bid bond falls due in 5 working
    days (rule 29); the contract notice is due in 2 working days and the filing in 7 (rule 28)."""
    now = clock.now()
    signed_on = clock.to_local(now).date()
    calendar = get_default_calendar()
    notice_due = rules.notice_due_on(signed_on, calendar)
    filing_due = rules.filing_due_on(signed_on, calendar)
    await apply_transition(
        CONTRACT_TABLE,
        Contract,
        row["id"],
        row["status"],
        action,
        actor,
        values={
            Contract.signed_at: now,
            Contract.notice_due_on: notice_due,
            Contract.filing_due_on: filing_due,
            Contract.updated_at: now,
            Contract.next_check_at: next_check_for(
                row, status=ContractStatus.ACTIVE, notice_due_on=notice_due, filing_due_on=filing_due
            ),
            **(extra or {}),
        },
        guard=Contract.version == row["version"],
        after={
            "version": row["version"],
            "signed_on": signed_on.isoformat(),
            "notice_due_on": notice_due.isoformat(),
            "filing_due_on": filing_due.isoformat(),
            **after,
        },
    )
    await bids.schedule_winner_bond_refund(row["tender"], row["provider"], signed_on)
    # Delivery makes the report schedule in this transaction (contracts.delivery.reactions).
    await events.emit("contract.activated", contract_id=row["id"])
    await notify(
        "contract.active",
        await party_users(row, Party.BUYER, Party.PROVIDER),
        message_context(
            row,
            signed_on=f"{signed_on:%Y-%m-%d}",
            notice_due=f"{notice_due:%Y-%m-%d}",
            filing_due=f"{filing_due:%Y-%m-%d}",
        ),
    )


async def record_offline_signing(user: CurrentUser, contract_id: int, data: OfflineSigningIn) -> ContractOut:
    """A contract signed on paper (rule 28): the buyer's officer uploads the signed scan,
    checked by its content like bid documents and kept by its SHA-256; the version's text
    is frozen and the contract is active, as when both sign in the system. The provider's
    details are on the paper, so the system does not wait for the provider to enter them."""
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(field_errors={"content_base64": _("扫描件内容无法读取，请重新上传。")}) from None
    store = file_store()
    stored = store.check(content, data.filename)
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("登记线下签订")).acting(user)
        CONTRACT_TABLE.decide(row["status"], "record_offline", actor)
        await _may_sign(row, data.version, provider_details=False)
        digest = await _frozen(row, user.id)
        store.save(content, data.filename)
        now = clock.now()
        signed = {
            s["party"]
            for s in await ContractSignature.select(ContractSignature.party).where(
                (ContractSignature.contract == contract_id) & (ContractSignature.version == row["version"])
            )
        }
        missing = [p for p in (Party.BUYER, Party.PROVIDER) if p not in signed]
        if missing:
            await ContractSignature.insert(
                *[
                    ContractSignature(
                        contract=contract_id,
                        version=row["version"],
                        party=p,
                        user_id=user.id,
                        sha256=digest,
                        offline=True,
                        signed_at=now,
                    )
                    for p in missing
                ]
            )
        await _activate(
            row,
            actor,
            "record_offline",
            {"scan_sha256": stored.sha256, "scan_name": stored.original_name, "sha256": digest},
            {
                Contract.signed_offline: True,
                Contract.offline_scan_sha256: stored.sha256,
                Contract.offline_scan_name: stored.original_name,
            },
        )
    return await get_contract(user, contract_id)


# --------------------------------------------------------------------------- notice and filing (rule 28)


def _notice_text(row: dict[str, Any]) -> str:
    lines = [
        _("合同编号：{number}").format(number=row["number"]),
        _("合同名称：{title}").format(title=row["title"]),
        _("采购人（甲方）：{name}").format(name=row["buyer_name"]),
        _("服务机构（乙方）：{name}（统一社会信用代码 {code}）").format(
            name=row["provider_name"], code=row["provider_credit_code"] or _("无")
        ),
        _("服务地点：{place}").format(place=row["delivery_place"]),
        _("合同金额：{amount}（{upper}）").format(
            amount=format_yuan(row["amount_fen"]), upper=to_chinese_capital(row["amount_fen"])
        ),
        _("履行期限：{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}").format(start=row["term_start"], end=row["term_end"]),
        _("签订日期：{day:%Y年%m月%d日}").format(day=clock.to_local(row["signed_at"]).date()),
        "",
        _("依据《中华人民共和国政府采购法实施条例》第五十条，采购人自合同签订之日起 2 个工作日内公告政府采购合同。"),
    ]
    return "\n".join(lines)


async def _publish_notice(row: dict[str, Any], actor: Actor) -> int:
    notice_id = await tenders.publish_contract_notice(
        row["tender"], _("{title}合同公告").format(title=row["title"]), _notice_text(row)
    )
    now = clock.now()
    await Contract.update(
        {
            Contract.notice_id: notice_id,
            Contract.notice_published_at: now,
            Contract.next_check_at: next_check_for(row, notice_published_at=now),
        }
    ).where(Contract.id == row["id"])
    await audit.record("contract.notice_published", "contract", row["id"], actor=actor, after={"notice_id": notice_id})
    return notice_id


def _require_signed(row: dict[str, Any], doing: str) -> None:
    if row["status"] not in SIGNED_STATES:
        raise Conflict(
            _("合同尚未签订（当前状态「{state}」），不能{doing}。").format(
                state=CONTRACT_TABLE.staff_label(row["status"]), doing=doing
            )
        )


async def publish_contract_notice(user: CurrentUser, contract_id: int) -> ContractOut:
    """The officer publishes the 合同公告 on the portal (《政府采购法实施条例》第五十条: within 2
    working days of signing); once only, by the officer or, on the last day, the sweep."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("发布合同公告")).acting(user)
        _require_signed(row, _("发布合同公告"))
        if row["notice_published_at"] is not None:
            raise Conflict(
                _("合同公告已于 {day:%Y-%m-%d} 发布。").format(day=clock.to_local(row["notice_published_at"]))
            )
        await _publish_notice(row, actor)
    return await get_contract(user, contract_id)


async def record_filing(user: CurrentUser, contract_id: int, data: FilingIn) -> ContractOut:
    """备案 of the signed contract with its reference (《政府采购法》第四十七条: within 7 working days)."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        actor = policies.buyer_officer(user, row, _("登记合同备案")).acting(user)
        _require_signed(row, _("登记备案"))
        if row["filed_at"] is not None:
            raise Conflict(_("合同已于 {day:%Y-%m-%d} 备案。").format(day=clock.to_local(row["filed_at"])))
        now = clock.now()
        await Contract.update(
            {
                Contract.filed_at: now,
                Contract.filing_reference: data.reference,
                Contract.next_check_at: next_check_for(row, filed_at=now),
            }
        ).where(Contract.id == contract_id)
        await audit.record("contract.filed", "contract", contract_id, actor=actor, after={"reference": data.reference})
    return await get_contract(user, contract_id)


# --------------------------------------------------------------------------- time-driven work


async def check_due(contract_id: int) -> Due:
    """What falls due for one contract (invariant 10), exactly once each: the parties are
    reminded 5 days before the last signing day; an overdue signing is flagged and both parties are told (rule 28: 30 days from the award letter);
    an unpublished contract notice is published on its last working day; an overdue
    filing is flagged and the buyer's officers told; a performance bond not returned 5
    working days after the contract ended is flagged and the buyer told (rule 29). Runs in
    the sweep's transaction. One moment at a time, the earliest first (issue 15 §2): when
    several are past (the scheduler was stopped), the next is returned as already due, so a
    catch-up takes it in its turn among every other due item; each audit row names its moment."""
    row = await Contract.select().where(Contract.id == contract_id).first()
    if row is None:
        return Due(False, None)
    now = clock.now()
    events = rules.first_due(waiting_of(row), now)
    for event, due_at in events:
        if event == "signing_reminder":
            await Contract.update({Contract.signing_reminded_at: now}).where(Contract.id == contract_id)
            await notify(
                "contract.signing_reminder", await party_users(row, Party.BUYER, Party.PROVIDER), message_context(row)
            )
            row = {**row, "signing_reminded_at": now}
        elif event == "signing_overdue":
            await Contract.update({Contract.signing_overdue_at: now}).where(Contract.id == contract_id)
            await audit.record(
                "contract.signing_overdue",
                "contract",
                contract_id,
                actor=SYSTEM,
                after={"signing_deadline": row["signing_deadline"].isoformat()},
                due_at=due_at,
            )
            await notify(
                "contract.signing_overdue", await party_users(row, Party.BUYER, Party.PROVIDER), message_context(row)
            )
            row = {**row, "signing_overdue_at": now}
        elif event == "publish_notice":
            with audit.due_moment(due_at):
                await _publish_notice(row, SYSTEM)
            row = {**row, "notice_published_at": now}
        elif event == "filing_overdue":
            await Contract.update({Contract.filing_overdue_at: now}).where(Contract.id == contract_id)
            await audit.record(
                "contract.filing_overdue",
                "contract",
                contract_id,
                actor=SYSTEM,
                after={"filing_due_on": row["filing_due_on"].isoformat()},
                due_at=due_at,
            )
            await notify(
                "contract.filing_overdue",
                await party_users(row, Party.BUYER),
                message_context(row, due=f"{row['filing_due_on']:%Y-%m-%d}"),
            )
            row = {**row, "filing_overdue_at": now}
        elif event == "bond_refund_overdue":
            await Contract.update({Contract.bond_refund_overdue_at: now}).where(Contract.id == contract_id)
            await audit.record(
                "contract.bond_refund_overdue",
                "contract",
                contract_id,
                actor=SYSTEM,
                after={"bond_refund_due_on": row["bond_refund_due_on"].isoformat()},
                due_at=due_at,
            )
            await notify(
                "contract.bond_refund_overdue",
                await party_users(row, Party.BUYER),
                message_context(
                    row, due=f"{row['bond_refund_due_on']:%Y-%m-%d}", amount=format_yuan(row["performance_bond_fen"])
                ),
            )
            row = {**row, "bond_refund_overdue_at": now}
    waiting = waiting_of(row)
    still_due = rules.due_moments(waiting, now)  # a later moment already past: due again at once
    return Due(bool(events), still_due[0][1] if still_due else rules.next_check(waiting, now))


CONTRACT_DUE = DueSweep("contracts.lifecycle_due", Contract, check_due)


async def run_due_contracts() -> int:
    """Sweep: every contract whose ``next_check_at`` has passed."""
    return await run_due(CONTRACT_DUE)
