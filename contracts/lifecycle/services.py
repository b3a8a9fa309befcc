"""A contract read, drawn up from an award and edited as a draft (issue 12 §1, §3; rules
28–30, 35); signing is in ``signing.py``, suspension and termination in ``ending.py``.

Each use case is one transaction that locks the contract it changes, changes its
status only through ``apply_transition`` (with the audit row) and reads procurement
only through its public services: the award (``awards``), the tender and its lot
(``tenders``), the winning bid's promises and its bond (``bids``), the parties
(``accounts``). Signing waits while ``awards.signing_blockers`` gives a reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from piccolo.columns import Column

from contracts.lifecycle import policies, rules
from contracts.lifecycle.schemas import (
    ContractDraftIn,
    ContractOut,
    ContractSummary,
    IndicatorOut,
    InstallmentOut,
    SignatureOut,
)
from contracts.lifecycle.states import (
    CONTRACT_KIND_LABELS,
    CONTRACT_TABLE,
    PARTY_LABELS,
    PARTY_OF,
    ContractKind,
    ContractStatus,
    Party,
)
from contracts.lifecycle.tables import Contract, ContractSignature, ContractVersion, Installment
from procurement.accounts import services as accounts
from procurement.awards import services as awards
from procurement.bids import services as bids
from procurement.core import audit, clock, db
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan, to_chinese_capital
from procurement.core.notify import notify
from procurement.core.prepared import Prepared
from procurement.core.storage import FileStore
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.tenders import services as tenders
from procurement.tenders.schemas import GATE_LABELS, Gate

VENTURE_METHOD = "venture_call"  # tenders' Method.VENTURE: a 公益创投 award becomes a 资助协议
SIGNED_STATES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.COMPLETED, ContractStatus.TERMINATED)
# The indicators every draft starts with (targets entered in the draft, rule 30: the
# contract states the quantity and quality of the service).
DEFAULT_INDICATORS = (
    (N_("服务人次"), N_("人次")),
    (N_("活动场次"), N_("场")),
    (N_("服务时长"), N_("小时")),
    (N_("服务对象满意度"), "%"),
)
PROVIDER_INPUT = ("provider_address", "provider_legal_rep", "provider_bank_name", "provider_bank_account")
SCAN_TYPES = ("pdf", "jpg", "png")


def file_store() -> FileStore:
    settings = get_settings()
    return FileStore(settings.files_dir, max_bytes=settings.max_file_mb * 1024 * 1024, allowed_types=SCAN_TYPES)


# --------------------------------------------------------------------------- reading


async def _row(contract_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(Contract, Contract.id == contract_id)
    row = await Contract.select().where(Contract.id == contract_id).first()
    if row is None:
        raise NotFound(_("找不到该合同。"))
    return row


async def readable(user: CurrentUser, contract_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The contract if ``user`` may read it; to anyone else it does not exist (404)."""
    row = await _row(contract_id, lock=lock)
    decision = policies.reader(user, row)
    if not decision:
        raise NotFound(decision.reason)
    return row


async def installment_rows(contract_id: int) -> list[dict[str, Any]]:
    return await Installment.select().where(Installment.contract == contract_id).order_by(Installment.seq)


async def _signatures(contract_id: int) -> list[dict[str, Any]]:
    return (
        await ContractSignature.select()
        .where(ContractSignature.contract == contract_id)
        .order_by(ContractSignature.version, ContractSignature.id)
    )


def waiting_of(row: dict[str, Any]) -> rules.Waiting:
    return rules.Waiting(
        status=row["status"],
        signing_deadline=row["signing_deadline"],
        signing_overdue_at=row["signing_overdue_at"],
        signing_reminded_at=row["signing_reminded_at"],
        notice_due_on=row["notice_due_on"],
        notice_published_at=row["notice_published_at"],
        filing_due_on=row["filing_due_on"],
        filed_at=row["filed_at"],
        filing_overdue_at=row["filing_overdue_at"],
        bond_refund_due_on=row.get("bond_refund_due_on"),
        bond_refunded_at=row.get("bond_refunded_at"),
        bond_refund_overdue_at=row.get("bond_refund_overdue_at"),
    )


def next_check_for(row: dict[str, Any], **changes: Any) -> Any:
    return rules.next_check(waiting_of({**row, **changes}), clock.now())


async def _out(user: CurrentUser, row: dict[str, Any]) -> ContractOut:
    installments = await installment_rows(row["id"])
    signatures = await _signatures(row["id"])
    indicators = json.loads(row["indicators"])
    version = await ContractVersion.select(ContractVersion.sha256).where(
        (ContractVersion.contract == row["id"]) & (ContractVersion.version == row["version"])
    )
    unsigned = row["status"] in (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)
    blockers = await awards.signing_blockers(row["tender"], row["lot"]) if unsigned else []
    decision = policies.party(user, row)
    actions = CONTRACT_TABLE.actions_for(row["status"], decision.acting(user)) if decision else []
    if row["bond_refund_due_on"] is not None and row["bond_refunded_at"] is None and policies.buyer_finance(user, row):
        actions.append("refund_bond")
    return ContractOut(
        id=row["id"],
        number=row["number"],
        title=row["title"],
        kind=row["kind"],
        kind_label=CONTRACT_KIND_LABELS[ContractKind(row["kind"])],
        status=row["status"],
        status_label=CONTRACT_TABLE.staff_label(row["status"]),
        tender_id=row["tender"],
        lot_id=row["lot"],
        award_id=row["award"],
        buyer_id=row["buyer"],
        buyer_name=row["buyer_name"],
        provider_id=row["provider"],
        provider_name=row["provider_name"],
        provider_credit_code=row["provider_credit_code"],
        provider_address=row["provider_address"],
        provider_legal_rep=row["provider_legal_rep"],
        provider_bank_name=row["provider_bank_name"],
        provider_bank_account=row["provider_bank_account"],
        provider_confirmed=row["provider_confirmed_at"] is not None,
        service_content=row["service_content"],
        delivery_place=row["delivery_place"],
        awarded_fen=row["awarded_fen"],
        amount_fen=row["amount_fen"],
        amount=format_yuan(row["amount_fen"]),
        amount_upper=to_chinese_capital(row["amount_fen"]),
        funded_fen=row["funded_fen"],
        matching_fen=row["matching_fen"],
        term_start=row["term_start"],
        term_end=row["term_end"],
        term_justification=row["term_justification"],
        indicators=[IndicatorOut(name=i["name"], unit=i.get("unit", ""), target=i.get("target")) for i in indicators],
        installments=[
            InstallmentOut(
                seq=i["seq"],
                label=i["label"],
                percent=i["percent"],
                amount_fen=i["amount_fen"],
                amount=format_yuan(i["amount_fen"]),
                gate=i["gate"],
                gate_label=GATE_LABELS[Gate(i["gate"])],
                min_grade=i["min_grade"],
                due_date=i["due_date"],
            )
            for i in installments
        ],
        team_requirements=json.loads(row["team_requirements"]),
        promised_team=json.loads(row["promised_team"]),
        performance_bond_fen=row["performance_bond_fen"],
        version=row["version"],
        version_sha256=version[0]["sha256"] if version else None,
        signatures=[
            SignatureOut(
                version=s["version"],
                party=s["party"],
                party_label=PARTY_LABELS[Party(s["party"])],
                sha256=s["sha256"],
                offline=s["offline"],
                signed_at=s["signed_at"],
            )
            for s in signatures
        ],
        letter_issued_on=row["letter_issued_on"],
        signing_deadline=row["signing_deadline"],
        signing_overdue=unsigned and rules.signing_overdue(row["letter_issued_on"], clock.today_local()),
        signing_blockers=blockers,
        signing_gaps=rules.signing_gaps(row, indicators) if unsigned else [],
        signed_at=row["signed_at"],
        signed_offline=row["signed_offline"],
        offline_scan_sha256=row["offline_scan_sha256"],
        notice_due_on=row["notice_due_on"],
        notice_id=row["notice_id"],
        notice_published_at=row["notice_published_at"],
        filing_due_on=row["filing_due_on"],
        filed_at=row["filed_at"],
        filing_reference=row["filing_reference"],
        filing_overdue=row["filing_due_on"] is not None
        and row["filed_at"] is None
        and clock.today_local() > row["filing_due_on"],
        suspension_reason=row["suspension_reason"],
        termination_reason=row["termination_reason"],
        settlement_fen=row["settlement_fen"],
        bond_refund_due_on=row["bond_refund_due_on"],
        bond_refunded_at=row["bond_refunded_at"],
        bond_refund_voucher=row["bond_refund_voucher"],
        bond_refund_overdue=row["bond_refund_due_on"] is not None
        and row["bond_refunded_at"] is None
        and clock.today_local() > row["bond_refund_due_on"],
        allowed_actions=actions,
    )


async def get_contract(user: CurrentUser, contract_id: int) -> ContractOut:
    """The contract for the buyer's staff, the provider's members and administrators."""
    return await _out(user, await readable(user, contract_id))


async def list_contracts(
    user: CurrentUser, *, status: str | None = None, overdue_signing: bool = False
) -> list[ContractSummary]:
    """The bureau's contracts for its staff, an organization's own for its members, all for
    administrators; nobody else has any. ``overdue_signing`` keeps the unsigned ones past
    their 30 days (rule 28)."""
    query = Contract.select().order_by(Contract.id, ascending=False)
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id is not None:
        query = query.where(Contract.buyer == user.organization_id)
    elif user.role == Role.ORG_MEMBER and user.organization_id is not None:
        query = query.where(Contract.provider == user.organization_id)
    elif user.role != Role.ADMIN:
        return []
    if status:
        query = query.where(Contract.status == status)
    today = clock.today_local()
    found = [
        ContractSummary(
            id=r["id"],
            number=r["number"],
            title=r["title"],
            status=r["status"],
            status_label=CONTRACT_TABLE.staff_label(r["status"]),
            buyer_name=r["buyer_name"],
            provider_name=r["provider_name"],
            amount_fen=r["amount_fen"],
            amount=format_yuan(r["amount_fen"]),
            signing_deadline=r["signing_deadline"],
            signing_overdue=r["status"] in (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)
            and rules.signing_overdue(r["letter_issued_on"], today),
        )
        for r in await query
    ]
    return [c for c in found if c.signing_overdue] if overdue_signing else found


@dataclass(frozen=True)
class TodoFacts:
    """What the to-do cards read of one of the party's contracts (``views.contract_todo``):
    the fields of ``ContractOut`` they use, computed the same way, for all the contracts
    in a few queries instead of a ``get_contract`` each (issue 11, the dashboard)."""

    id: int
    title: str
    status: str
    version: int
    allowed_actions: list[str]
    signed_parties: frozenset[tuple[int, str]]  # (version, party) of each signature
    signing_deadline: date
    signing_overdue: bool
    signing_gaps: list[str]
    provider_bank_account: str | None
    notice_id: int | None
    notice_due_on: date | None
    filed_at: Any
    filing_due_on: date | None
    filing_overdue: bool


_PARTY_CONTRACTS: dict[tuple[bool, tuple[str, ...]], Prepared] = {}


def _party_contracts(buyer: bool, statuses: tuple[str, ...]) -> Prepared:
    """The buyer's (or the provider's) contracts in ``statuses``, newest first, prepared."""
    found = _PARTY_CONTRACTS.get((buyer, statuses))
    if found is None:
        side = Contract.buyer if buyer else Contract.provider
        found = _PARTY_CONTRACTS[(buyer, statuses)] = Prepared(
            lambda org_id: (
                Contract.select()
                .where((side == org_id) & Contract.status.is_in(list(statuses)))
                .order_by(Contract.id, ascending=False)
            )
        )
    return found


async def todo_facts(user: CurrentUser, statuses: Sequence[str]) -> list[TodoFacts]:
    """The party's contracts in ``statuses`` (the buyer's for its officers, the provider's
    for its members; nobody else has any), newest first: two queries, however many."""
    if user.organization_id is None or user.role not in (Role.OFFICER, Role.ORG_MEMBER):
        return []
    rows = await _party_contracts(user.role == Role.OFFICER, tuple(statuses))(user.organization_id)
    signed: dict[int, set[tuple[int, str]]] = {r["id"]: set() for r in rows}
    if rows:
        for s in await ContractSignature.select(
            ContractSignature.contract, ContractSignature.version, ContractSignature.party
        ).where(ContractSignature.contract.is_in(list(signed))):
            signed[s["contract"]].add((s["version"], s["party"]))
    today = clock.today_local()
    out = []
    for row in rows:
        unsigned = row["status"] in (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)
        decision = policies.party(user, row)
        actions = CONTRACT_TABLE.actions_for(row["status"], decision.acting(user)) if decision else []
        out.append(
            TodoFacts(
                id=row["id"],
                title=row["title"],
                status=row["status"],
                version=row["version"],
                allowed_actions=actions,
                signed_parties=frozenset(signed[row["id"]]),
                signing_deadline=row["signing_deadline"],
                signing_overdue=unsigned and rules.signing_overdue(row["letter_issued_on"], today),
                signing_gaps=rules.signing_gaps(row, json.loads(row["indicators"])) if unsigned else [],
                provider_bank_account=row["provider_bank_account"],
                notice_id=row["notice_id"],
                notice_due_on=row["notice_due_on"],
                filed_at=row["filed_at"],
                filing_due_on=row["filing_due_on"],
                filing_overdue=row["filing_due_on"] is not None
                and row["filed_at"] is None
                and today > row["filing_due_on"],
            )
        )
    return out


# --------------------------------------------------------------------------- creation


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _default_term(tender: dict[str, Any], today: date) -> tuple[date, date]:
    """From the first day of the next month, for the tender's term in months."""
    start = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return start, _add_months(start, int(tender["contract_term_months"] or 12)) - timedelta(days=1)


def _contract_number(letter_no: str) -> str:
    """HT-<the tender's reference>-<nn>, from the award letter's ZB-<reference>-<nn>."""
    return "HT-" + (letter_no[3:] if letter_no.startswith("ZB-") else letter_no)


async def party_users(contract: dict[str, Any], *parties: Party) -> list[int]:
    ids: list[int] = []
    if Party.BUYER in parties:
        ids += await accounts.active_user_ids(contract["buyer"], Role.OFFICER)
    if Party.PROVIDER in parties:
        ids += await accounts.active_user_ids(contract["provider"], Role.ORG_MEMBER)
    return ids


def message_context(contract: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "title": contract["title"],
        "number": contract["number"],
        "deadline": f"{contract['signing_deadline']:%Y-%m-%d}",
        "link": f"/contracts/{contract['id']}",
        **extra,
    }


async def create_contract_from_award(user: CurrentUser, award_id: int) -> ContractOut:
    """A contract drawn up from an active award (one per award, i.e. per winning lot or
    funded project), by an officer of the buyer: the parties, the service, the amount (the
    awarded amount), the term from the tender, the installments from the tender's payment
    schedule (rule 35), the team the tender asks for and the bid promised. Creation is
    allowed while a challenge is open; signing is not (rule 27)."""
    award = await awards.award_record(award_id)
    tender = await tenders.load(award.tender_id)
    actor = policies.can_create(user, tender["buyer"]).acting(user)
    if award.status != "active":
        raise Conflict(_("该中标（成交）结果已撤销，不能据此拟定合同：{reason}").format(reason=award.revoked_reason))
    lot = await tenders.lot_record(award.lot_id)
    provider = await accounts.organization_record(award.organization_id)
    promised = await bids.awarded_bid_content(award.bid_id)
    venture = tender["method"] == VENTURE_METHOD
    start, end = _default_term(tender, clock.today_local())
    template = json.loads(tender["payment_schedule"] or "[]") or list(rules.DEFAULT_TEMPLATE)
    installments = rules.split_installments(award.amount_fen, template)
    issued_on = clock.to_local(award.decided_at).date()
    now = clock.now()
    kind = ContractKind.VENTURE if venture else ContractKind.SERVICE
    values: dict[str, Any] = {
        "tender": award.tender_id,
        "lot": award.lot_id,
        "award": award_id,
        "bid": award.bid_id,
        "buyer": tender["buyer"],
        "provider": award.organization_id,
        "kind": kind,
        "number": _contract_number(award.letter_no),
        "title": _("{title}（{lot}）").format(title=tender["title"], lot=lot["name"]),
        "service_content": "\n\n".join(t for t in (tender["description"], lot["description"]) if t),
        "delivery_place": "",
        "awarded_fen": award.amount_fen,
        "amount_fen": award.amount_fen,
        "funded_fen": award.amount_fen if venture else 0,
        "matching_fen": (promised.matching_fen or 0) if venture else 0,
        "term_start": start,
        "term_end": end,
        "term_justification": tender["term_justification"] or "",
        "indicators": json.dumps(
            [{"name": _(name), "unit": _(unit), "target": None} for name, unit in DEFAULT_INDICATORS],
            ensure_ascii=False,
        ),
        "team_requirements": tender["team_requirements"] or "{}",
        "promised_team": json.dumps([m.model_dump(mode="json") for m in promised.team], ensure_ascii=False),
        "performance_bond_fen": 0,
        "buyer_name": tender["buyer.name"],
        "provider_name": provider.name,
        "provider_credit_code": provider.credit_code or "",
        "provider_address": provider.address,
        "provider_legal_rep": provider.legal_representative,
        "version": 1,
        "status": ContractStatus.DRAFT,
        "letter_issued_on": issued_on,
        "signing_deadline": rules.signing_deadline(issued_on),
        "created_by": user.id,
        "created_at": now,
        "updated_at": now,
    }
    async with db.transaction():
        # The award again, locked: a refusal of the winner committed since the first read
        # (rule 28) leaves no draft behind for a refused award.
        locked = await awards.award_record(award_id, lock=True)
        if locked.status != "active":
            raise Conflict(
                _("该中标（成交）结果已撤销，不能据此拟定合同：{reason}").format(reason=locked.revoked_reason)
            )
        if await Contract.exists().where(Contract.award == award_id):
            raise Conflict(_("该中标（成交）结果已拟定合同，请在合同列表中查看。"))
        try:
            inserted = await Contract.insert(Contract(**values)).returning(Contract.id)
        except Exception as exc:
            if db.is_unique_violation(exc):
                raise Conflict(_("该中标（成交）结果已拟定合同，请在合同列表中查看。")) from None
            raise
        contract_id = inserted[0]["id"]
        await _write_installments(contract_id, installments)
        row = await _row(contract_id)
        await Contract.update({Contract.next_check_at: next_check_for(row)}).where(Contract.id == contract_id)
        await audit.record(
            "contract.created",
            "contract",
            contract_id,
            actor=actor,
            after={
                "award_id": award_id,
                "amount_fen": award.amount_fen,
                "installments": [i.as_json() for i in installments],
                "signing_deadline": row["signing_deadline"].isoformat(),
            },
        )
        await notify(
            "contract.created", await party_users(row, Party.PROVIDER), message_context(row, buyer=row["buyer_name"])
        )
    return await get_contract(user, contract_id)


async def _write_installments(contract_id: int, installments: list[rules.Installment]) -> None:
    await Installment.delete().where(Installment.contract == contract_id)
    await Installment.insert(
        *[
            Installment(
                contract=contract_id,
                seq=i.seq,
                label=i.label,
                percent=i.percent,
                amount_fen=i.amount_fen,
                gate=i.gate,
                min_grade=i.min_grade,
                due_date=i.due_date,
            )
            for i in installments
        ]
    )


# --------------------------------------------------------------------------- the draft


def _changes(data: ContractDraftIn) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True, exclude={"confirm_provider_details"})


async def update_draft(user: CurrentUser, contract_id: int, data: ContractDraftIn) -> ContractOut:
    """Change the draft (rule 28): only before the first signature of its version; after
    one, a correction makes a new version, which both parties sign again. The buyer's
    officer sets the terms and confirms the provider's details; the provider enters its
    bank account, address and legal representative. Every value is checked by the rules
    and every error reported at once; nothing is saved when one fails."""
    async with db.transaction():
        row = await readable(user, contract_id, lock=True)
        decision = policies.party(user, row)
        actor = decision.acting(user)
        party = PARTY_OF[decision.relation] if decision.relation in PARTY_OF else None
        changes = _changes(data)
        provider_keys = sorted(k for k in changes if k in PROVIDER_INPUT)
        term_keys = sorted(k for k in changes if k not in PROVIDER_INPUT)
        if party == Party.PROVIDER and (term_keys or data.confirm_provider_details):
            raise PermissionDenied(
                _("服务机构只能填写开户银行、银行账号、地址和法定代表人；合同条款由采购人拟定，双方协商一致后修改。")
            )
        if party == Party.BUYER and provider_keys:
            raise PermissionDenied(_("开户银行、银行账号、地址和法定代表人由服务机构填写，采购人确认。"))
        action = "revise" if row["status"] == ContractStatus.AWAITING_SIGNATURES else "update"
        CONTRACT_TABLE.decide(row["status"], action, actor)  # 409 in any other status, before checking values
        merged = {**row, **changes}
        if "indicators" in changes:
            merged["indicators"] = json.dumps(changes["indicators"], ensure_ascii=False)
        problems: dict[str, str] = {}
        problems |= rules.amount_problems(merged["amount_fen"], row["awarded_fen"])
        problems |= rules.term_problems(merged["term_start"], merged["term_end"], row["term_justification"])
        problems |= rules.bond_problems(merged["performance_bond_fen"], merged["amount_fen"])
        if "indicators" in changes:
            problems |= rules.indicator_problems(changes["indicators"])
        current = await installment_rows(contract_id)
        template = changes.get("installments") or [
            {k: i[k] for k in ("label", "percent", "gate", "min_grade", "due_date")} for i in current
        ]
        problems |= rules.schedule_problems(template, merged["term_start"], merged["term_end"])
        if data.confirm_provider_details and not all(str(merged[k] or "").strip() for k in PROVIDER_INPUT):
            problems["confirm_provider_details"] = _("服务机构尚未填写完整开户银行、银行账号、地址和法定代表人。")
        if problems:
            raise ValidationFailed(field_errors=problems)
        split = rules.split_installments(merged["amount_fen"], template)
        schedule_changed = [i.as_json() for i in split] != [
            {
                **{k: i[k] for k in ("seq", "label", "percent", "amount_fen", "gate", "min_grade")},
                "due_date": i["due_date"].isoformat() if i["due_date"] else None,
            }
            for i in current
        ]
        changed = [k for k, v in changes.items() if k not in ("indicators", "installments") and row[k] != v]
        if json.loads(merged["indicators"]) != json.loads(row["indicators"]):
            changed.append("indicators")
        if not changed and not schedule_changed and not data.confirm_provider_details:
            raise ValidationFailed(_("没有修改任何内容：提交的内容与当前合同相同。"))
        now = clock.now()
        values: dict[Column | str, Any] = {Contract.updated_at: now}
        for key, value in changes.items():
            if key in ("indicators", "installments"):
                continue
            values[Contract._meta.get_column_by_name(key)] = value
        if "indicators" in changes:
            values[Contract.indicators] = merged["indicators"]
        if row["kind"] == ContractKind.VENTURE and "amount_fen" in changes:
            values[Contract.funded_fen] = changes["amount_fen"]
        if provider_keys:
            values[Contract.provider_confirmed_at] = None  # changed details need the buyer's confirmation again
            values[Contract.provider_confirmed_by] = None
        if data.confirm_provider_details:
            values[Contract.provider_confirmed_at] = now
            values[Contract.provider_confirmed_by] = user.id
        if action == "revise":
            values[Contract.version] = row["version"] + 1
        await apply_transition(
            CONTRACT_TABLE,
            Contract,
            contract_id,
            row["status"],
            action,
            actor,
            values=values,
            guard=Contract.version == row["version"],
            after={
                "changes": json.loads(json.dumps(changes, default=str, ensure_ascii=False)),
                "version": row["version"] + (1 if action == "revise" else 0),
                "confirmed_provider_details": data.confirm_provider_details,
            },
        )
        if schedule_changed:
            await _write_installments(contract_id, split)
        if action == "revise":
            updated = await _row(contract_id)
            other = Party.PROVIDER if party == Party.BUYER else Party.BUYER
            await notify(
                "contract.revised",
                await party_users(updated, other),
                message_context(updated, version=updated["version"]),
            )
    return await get_contract(user, contract_id)
