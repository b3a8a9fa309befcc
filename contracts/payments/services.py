"""Installment payments of a contract (issue 14 §4; rule 35; invariants 7, 8).

An installment's payment row exists from the time the contract is signed (made when
the lifecycle says ``contract.activated``, or by the sweep ``ensure_payments`` for a
signed contract without rows). Its gate is met on signing, when the evaluation of its
stage is finished with the required grade (``assessment.finished``), or on its date
(the due sweep); it is then due with a payment deadline (rule 35). The provider asks
for it (拨付申请, or the system does when the provider need not), the buyer's officer
approves, the buyer's finance releases it with the voucher number (an optional second
finance approval comes first).

No double payment (invariant 7), by the database: a release is a conditional UPDATE
from approved (``apply_transition``), and it adds its amount to the contract's ledger
row with ``UPDATE … WHERE released_fen <= cap - amount RETURNING``, in the transaction
that holds the contract's row lock; the cap is the contract amount after changes or,
once terminated, what was paid before plus the settlement. Either refusal rolls the
whole release back.

The gates live in ``gates``, the reads the two share in ``records``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.lifecycle.services import party_users, readable
from contracts.lifecycle.states import Party
from contracts.lifecycle.tables import Contract, Installment
from contracts.payments import documents, policies, rules
from contracts.payments.gates import sync_contract
from contracts.payments.records import (
    SIGNED_STATES,
    S,
    cap_fen,
    ensure_rows,
    installments_by_seq,
    ledger_row,
    message,
    payable_fen,
    payment_days,
    payments_by_seq,
)
from contracts.payments.schemas import (
    ApprovePaymentIn,
    InstallmentPaymentOut,
    InstallmentsOut,
    PaymentTermIn,
    ReleasePaymentIn,
    RequestPaymentIn,
)
from contracts.payments.states import PAYMENT_TABLE
from contracts.payments.tables import InstallmentPayment, PaymentLedger
from procurement.accounts import services as accounts
from procurement.core import audit, clock, db
from procurement.core.actors import Actor, Role
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.notify import notify
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.tenders.schemas import GATE_LABELS, Gate

# --------------------------------------------------------------------------- people's steps


async def _step(user: CurrentUser, contract_id: int, seq: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The contract (locked, readable by the user, else 404), the installment and its payment."""
    contract = await readable(user, contract_id, lock=True)
    if contract["status"] not in SIGNED_STATES:
        raise Conflict(_("合同尚未生效，没有可支付的款项。"))
    await ensure_rows(contract)
    inst = (await installments_by_seq(contract_id)).get(seq)
    pay = (await payments_by_seq(contract_id)).get(seq)
    if inst is None or pay is None:
        raise NotFound(_("找不到该期款项。"))
    return contract, inst, pay


async def request_payment(user: CurrentUser, contract_id: int, seq: int, data: RequestPaymentIn) -> InstallmentsOut:
    """The provider's 拨付申请 for a due installment."""
    async with db.transaction():
        contract, inst, pay = await _step(user, contract_id, seq)
        actor = policies.requester(user, contract).acting(user)
        now = clock.now()
        await apply_transition(
            PAYMENT_TABLE,
            InstallmentPayment,
            pay["id"],
            pay["status"],
            "request",
            actor,
            values={
                InstallmentPayment.requested_by: user.id,
                InstallmentPayment.requested_at: now,
                InstallmentPayment.updated_at: now,
            },
            after={"contract_id": contract_id, "seq": seq, "note": data.note},
        )
        await notify(
            "contract.payment_requested",
            await party_users(contract, Party.BUYER),
            message(contract, seq, payable_fen(inst, pay)),
        )
    return await list_installments(user, contract_id)


async def approve_payment(user: CurrentUser, contract_id: int, seq: int, data: ApprovePaymentIn) -> InstallmentsOut:
    """The buyer's officer approves a requested payment (with the gate's evaluation report
    on the same screen)."""
    async with db.transaction():
        contract, inst, pay = await _step(user, contract_id, seq)
        actor = policies.approver(user, contract).acting(user)
        now = clock.now()
        await apply_transition(
            PAYMENT_TABLE,
            InstallmentPayment,
            pay["id"],
            pay["status"],
            "approve",
            actor,
            values={
                InstallmentPayment.approved_by: user.id,
                InstallmentPayment.approved_at: now,
                InstallmentPayment.updated_at: now,
            },
            after={"contract_id": contract_id, "seq": seq, "note": data.note},
        )
        deadline = pay["deadline_on"]
        await notify(
            "contract.payment_approved",
            await accounts.active_user_ids(contract["buyer"], Role.FINANCE),
            message(contract, seq, payable_fen(inst, pay), deadline=f"{deadline:%Y-%m-%d}" if deadline else "-"),
        )
    return await list_installments(user, contract_id)


async def check_payment(user: CurrentUser, contract_id: int, seq: int) -> InstallmentsOut:
    """The second finance approval (复核), when the setting asks for one."""
    async with db.transaction():
        contract, _inst, pay = await _step(user, contract_id, seq)
        actor = policies.finance(user, contract).acting(user)
        if not get_settings().payment_second_approval:
            raise Conflict(_("本系统未启用财务复核，审核通过后可直接拨付。"))
        now = clock.now()
        await apply_transition(
            PAYMENT_TABLE,
            InstallmentPayment,
            pay["id"],
            pay["status"],
            "check",
            actor,
            values={
                InstallmentPayment.checked_by: user.id,
                InstallmentPayment.checked_at: now,
                InstallmentPayment.updated_at: now,
            },
            after={"contract_id": contract_id, "seq": seq},
        )
    return await list_installments(user, contract_id)


async def release_payment(user: CurrentUser, contract_id: int, seq: int, data: ReleasePaymentIn) -> InstallmentsOut:
    """Finance releases an approved payment with its voucher number: once (a conditional
    UPDATE from approved), and never past the contract's cap (a conditional UPDATE of the
    ledger) — invariant 7, enforced by the database."""
    async with db.transaction():
        contract, inst, pay = await _step(user, contract_id, seq)
        actor = policies.finance(user, contract).acting(user)
        transition = PAYMENT_TABLE.decide(pay["status"], "release", actor)
        if get_settings().payment_second_approval and transition.source == S.APPROVED:
            raise Conflict(_("须先由财务复核，复核后方可拨付。"))
        voucher = data.voucher_no.strip()
        if await InstallmentPayment.exists().where(InstallmentPayment.voucher_no == voucher):
            raise ValidationFailed(field_errors={"voucher_no": _("该凭证号已用于另一笔拨付，请核对。")})
        amount = payable_fen(inst, pay)
        ledger = await ledger_row(contract_id)
        released = int(ledger["released_fen"]) if ledger else 0
        cap = await cap_fen(contract)
        problems = rules.release_problems(amount, released, cap)
        if problems:
            raise ValidationFailed(field_errors=problems)
        now = clock.now()
        added = (
            await PaymentLedger.update(
                {PaymentLedger.released_fen: PaymentLedger.released_fen + amount, PaymentLedger.updated_at: now}
            )
            .where((PaymentLedger.contract == contract_id) & (PaymentLedger.released_fen <= cap - amount))
            .returning(PaymentLedger.id)
        )
        if not added:
            raise Conflict(_("拨付后累计金额将超过合同可支付总额，不能拨付。"))
        try:
            await _release(pay, actor, user.id, amount, voucher, now)
        except Exception as exc:
            if db.is_unique_violation(exc):  # the same voucher number released at the same moment
                raise ValidationFailed(field_errors={"voucher_no": _("该凭证号已用于另一笔拨付，请核对。")}) from None
            raise
        await notify(
            "contract.payment_released",
            await party_users(contract, Party.BUYER, Party.PROVIDER),
            message(contract, seq, amount, voucher=voucher),
        )
    return await list_installments(user, contract_id)


async def _release(pay: dict[str, Any], actor: Actor, user_id: int, amount: int, voucher: str, now: datetime) -> None:
    """The release itself: a conditional UPDATE from the status read (approved or checked)."""
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "release",
        actor,
        values={
            InstallmentPayment.released_by: user_id,
            InstallmentPayment.released_at: now,
            InstallmentPayment.released_fen: amount,
            InstallmentPayment.voucher_no: voucher,
            InstallmentPayment.next_check_at: None,
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": pay["contract"], "seq": pay["seq"], "amount_fen": amount, "voucher_no": voucher},
    )


# --------------------------------------------------------------------------- reading


def _actions(user: CurrentUser, contract: dict[str, Any], status: str) -> list[str]:
    actions: list[str] = []
    second = get_settings().payment_second_approval
    for decision in (
        policies.requester(user, contract),
        policies.approver(user, contract),
        policies.finance(user, contract),
    ):
        if decision:
            for action in PAYMENT_TABLE.actions_for(status, decision.acting(user)):
                if action == "check" and not second:
                    continue
                if action == "release" and second and status == S.APPROVED:
                    continue
                actions.append(action)
    return actions


async def list_installments(user: CurrentUser, contract_id: int) -> InstallmentsOut:
    """The payment schedule with each installment's gate, status, deadline (days left,
    late) and release, for the parties of the contract (others: 404)."""
    contract = await readable(user, contract_id)
    if contract["status"] in SIGNED_STATES and await ledger_row(contract_id) is None:
        await sync_contract(contract_id)
    installments = await installments_by_seq(contract_id)
    payments = await payments_by_seq(contract_id)
    ledger = await ledger_row(contract_id)
    today = clock.today_local()
    items = []
    for seq, inst in installments.items():
        pay = payments.get(seq) or {
            "status": S.WAITING,
            "score_tenths": None,
            "released_fen": 0,
            "gate_met_at": None,
            "due_on": None,
            "deadline_on": None,
            "withheld_reason": "",
            "requested_at": None,
            "approved_at": None,
            "checked_at": None,
            "released_at": None,
            "voucher_no": None,
        }
        released = pay["status"] == S.RELEASED
        items.append(
            InstallmentPaymentOut(
                seq=seq,
                label=inst["label"],
                percent=inst["percent"],
                amount_fen=inst["amount_fen"],
                payable_fen=payable_fen(inst, pay),
                gate=inst["gate"],
                gate_label=GATE_LABELS[Gate(inst["gate"])],
                min_grade=inst["min_grade"],
                due_date=inst["due_date"],
                status=pay["status"],
                status_label=PAYMENT_TABLE.staff_label(pay["status"]),
                gate_met_at=pay["gate_met_at"],
                assessment_id=pay.get("assessment_id"),
                due_on=pay["due_on"],
                deadline_on=pay["deadline_on"],
                days_left=None if released else rules.days_left(pay["deadline_on"], today),
                late=rules.is_late(pay["deadline_on"], today, released),
                withheld_reason=pay["withheld_reason"],
                requested_at=pay["requested_at"],
                approved_at=pay["approved_at"],
                checked_at=pay["checked_at"],
                released_at=pay["released_at"],
                released_fen=pay["released_fen"],
                voucher_no=pay["voucher_no"],
                actions=_actions(user, contract, pay["status"]) if seq in payments else [],
            )
        )
    return InstallmentsOut(
        contract_id=contract_id,
        contract_number=contract["number"],
        contract_title=contract["title"],
        amount_fen=contract["amount_fen"],
        cap_fen=await cap_fen(contract),
        released_fen=int(ledger["released_fen"]) if ledger else 0,
        second_approval=get_settings().payment_second_approval,
        agreed_days=ledger["agreed_days"] if ledger else None,
        payment_days=await payment_days(contract),
        installments=items,
    )


async def released_total(contract_id: int) -> int:
    ledger = await ledger_row(contract_id)
    return int(ledger["released_fen"]) if ledger else 0


# --------------------------------------------------------------------------- documents


async def voucher(user: CurrentUser, contract_id: int, seq: int) -> tuple[str, bytes]:
    """The 拨付单 of a released installment, for the parties of the contract."""
    contract = await readable(user, contract_id)
    ledger = await list_installments(user, contract_id)
    item = next((i for i in ledger.installments if i.seq == seq), None)
    if item is None:
        raise NotFound(_("找不到该期款项。"))
    if item.status != S.RELEASED:
        raise Conflict(_("该期款项尚未拨付，没有拨付单。"))
    content = await documents.voucher_pdf(documents.voucher_context(contract, ledger, seq))
    return _("{number}-{seq}-拨付单.pdf").format(number=contract["number"], seq=seq), content


async def export_ledger(user: CurrentUser, contract_id: int, fmt: str) -> tuple[str, str, bytes]:
    """The contract's payment ledger (schedule, gates, status, amounts, due and paid
    dates) as CSV or XLSX, for the buyer's staff and administrators."""
    contract = await readable(user, contract_id)
    policies.ledger_reader(user, contract).require()
    ledger = await list_installments(user, contract_id)
    name = _("{number}-付款台账").format(number=contract["number"])
    if fmt == "xlsx":
        return (
            f"{name}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            await documents.ledger_xlsx(ledger),
        )
    return f"{name}.csv", "text/csv; charset=utf-8", documents.ledger_csv(ledger)


# --------------------------------------------------------------------------- the finance queue


async def finance_queue(user: CurrentUser) -> list[dict[str, Any]]:
    """The installments the user's bureau owes, earliest deadline first: due, requested,
    approved or checked, with the days left and the late flag (the finance queue page).
    For the bureau's officers and finance; anyone else sees an empty queue."""
    if user.role not in (Role.OFFICER, Role.FINANCE) or user.organization_id is None:
        return []
    contracts = {
        r["id"]: r
        for r in await Contract.select(Contract.id, Contract.number, Contract.title, Contract.provider_name).where(
            Contract.buyer == user.organization_id
        )
    }
    if not contracts:
        return []
    owed = (S.DUE, S.REQUESTED, S.APPROVED, S.CHECKED)
    rows = await InstallmentPayment.select().where(
        InstallmentPayment.contract.is_in(list(contracts)) & InstallmentPayment.status.is_in(list(owed))
    )
    amounts = {
        (r["contract"], r["seq"]): r
        for r in await Installment.select().where(Installment.contract.is_in(list(contracts)))
    }
    today = clock.today_local()
    out = []
    for pay in rows:
        inst = amounts.get((pay["contract"], pay["seq"]))
        if inst is None:
            continue
        contract = contracts[pay["contract"]]
        out.append(
            {
                "contract_id": pay["contract"],
                "number": contract["number"],
                "title": contract["title"],
                "provider_name": contract["provider_name"],
                "seq": pay["seq"],
                "amount_fen": payable_fen(inst, pay),
                "status": pay["status"],
                "status_label": PAYMENT_TABLE.staff_label(pay["status"]),
                "deadline_on": pay["deadline_on"],
                "days_left": rules.days_left(pay["deadline_on"], today),
                "late": rules.is_late(pay["deadline_on"], today, released=False),
            }
        )
    out.sort(key=lambda r: (r["deadline_on"] or date.max, r["number"], r["seq"]))
    return out


async def settled(contract_id: int) -> bool:
    """Every installment of the contract is released: the payments are settled (what
    the lifecycle's completion waits for, with the final evaluation)."""
    installments = await installments_by_seq(contract_id)
    payments = await payments_by_seq(contract_id)
    return bool(installments) and all(seq in payments and payments[seq]["status"] == S.RELEASED for seq in installments)


async def set_payment_term(user: CurrentUser, contract_id: int, data: PaymentTermIn) -> InstallmentsOut:
    """The payment term the contract agreed (rule 35: at most 60 days,
    《保障中小企业款项支付条例》), recorded by the buyer's officer; it applies to the
    installments that become due from now on (a deadline already running stays)."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.approver(user, contract).acting(user)
        if contract["status"] not in SIGNED_STATES:
            raise Conflict(_("合同生效后才能登记约定的付款期限。"))
        await ensure_rows(contract)
        before = await ledger_row(contract_id)
        await PaymentLedger.update({PaymentLedger.agreed_days: data.days, PaymentLedger.updated_at: clock.now()}).where(
            PaymentLedger.contract == contract_id
        )
        await audit.record(
            "contract.payment_term",
            "contract",
            contract_id,
            actor=actor,
            before={"agreed_days": before["agreed_days"] if before else None},
            after={"agreed_days": data.days},
        )
    return await list_installments(user, contract_id)
