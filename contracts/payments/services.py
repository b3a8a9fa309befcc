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
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from contracts.lifecycle.rules import after_day
from contracts.lifecycle.services import party_users, readable
from contracts.lifecycle.states import ContractStatus, Party
from contracts.lifecycle.tables import Contract, Installment
from contracts.payments import documents, policies, rules
from contracts.payments.schemas import (
    ApprovePaymentIn,
    InstallmentPaymentOut,
    InstallmentsOut,
    ReleasePaymentIn,
    RequestPaymentIn,
)
from contracts.payments.states import PAYMENT_TABLE, PaymentStatus
from contracts.payments.tables import InstallmentPayment, PaymentLedger
from procurement.accounts import services as accounts
from procurement.core import clock, db
from procurement.core.actors import SYSTEM, Role
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.tenders.schemas import GATE_LABELS, Gate

S = PaymentStatus
SIGNED_STATES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.COMPLETED, ContractStatus.TERMINATED)

NOTIFICATIONS.update(
    {
        "contract.payment_due": {
            "title": N_("款项应付：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 付款条件已达成，付款期限至 {deadline}。"
            ),
        },
        "contract.payment_requested": {
            "title": N_("拨付申请待审核：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 已申请拨付，请审核。"),
        },
        "contract.payment_approved": {
            "title": N_("拨付待办理：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 已审核通过，请于 {deadline} 前拨付。"),
        },
        "contract.payment_released": {
            "title": N_("款项已拨付：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期款项 {amount} 已拨付，凭证号 {voucher}。"),
        },
    }
)


def grade_effects() -> rules.GradeEffects:
    settings = get_settings()
    return rules.GradeEffects(
        midterm_fail_withholds=settings.payment_midterm_fail_withholds,
        final_fail_withholds=settings.payment_final_fail_withholds,
        final_scaled_by_score=settings.payment_final_scaled_by_score,
    )


async def _contract(contract_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    if lock:
        await db.lock(Contract, Contract.id == contract_id)
    return await Contract.select().where(Contract.id == contract_id).first()


async def _installments(contract_id: int) -> dict[int, dict[str, Any]]:
    rows = await Installment.select().where(Installment.contract == contract_id).order_by(Installment.seq)
    return {r["seq"]: r for r in rows}


async def _payments(contract_id: int) -> dict[int, dict[str, Any]]:
    rows = (
        await InstallmentPayment.select()
        .where(InstallmentPayment.contract == contract_id)
        .order_by(InstallmentPayment.seq)
    )
    return {r["seq"]: r for r in rows}


async def _ledger(contract_id: int) -> dict[str, Any] | None:
    return await PaymentLedger.select().where(PaymentLedger.contract == contract_id).first()


async def _ensure_rows(contract: dict[str, Any]) -> None:
    """The ledger row and one payment row per installment (the caller holds the contract's
    lock). A 补充合同 rewrites the installment rows: the payment rows follow by number."""
    now = clock.now()
    if await _ledger(contract["id"]) is None:
        await PaymentLedger.insert(PaymentLedger(contract=contract["id"], created_at=now, updated_at=now))
    payments = await _payments(contract["id"])
    for seq, inst in (await _installments(contract["id"])).items():
        pay = payments.get(seq)
        if pay is None:
            await InstallmentPayment.insert(
                InstallmentPayment(
                    contract=contract["id"],
                    seq=seq,
                    installment_id=inst["id"],
                    status=S.WAITING,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif pay["installment_id"] != inst["id"]:
            await InstallmentPayment.update(
                {InstallmentPayment.installment_id: inst["id"], InstallmentPayment.updated_at: now}
            ).where(InstallmentPayment.id == pay["id"])


def payable_fen(inst: dict[str, Any], pay: dict[str, Any]) -> int:
    """What an installment pays: its amount, or what was released; the final installment
    scaled by the final score when that setting was on when its gate was met."""
    if pay["status"] == S.RELEASED:
        return int(pay["released_fen"])
    if pay["score_tenths"] is not None:
        return rules.scaled_amount(int(inst["amount_fen"]), int(pay["score_tenths"]))
    return int(inst["amount_fen"])


async def cap_fen(contract: dict[str, Any]) -> int:
    """The most the contract may pay in total (invariant 7): its amount after changes; once
    terminated, what was released before the termination plus the settlement."""
    if contract["status"] != ContractStatus.TERMINATED or contract["terminated_at"] is None:
        return int(contract["amount_fen"])
    before = await InstallmentPayment.select(InstallmentPayment.released_fen).where(
        (InstallmentPayment.contract == contract["id"])
        & (InstallmentPayment.status == S.RELEASED)
        & (InstallmentPayment.released_at <= contract["terminated_at"])
    )
    paid = sum(int(r["released_fen"]) for r in before)
    return min(int(contract["amount_fen"]), paid + int(contract["settlement_fen"] or 0))


async def _payment_days(contract: dict[str, Any]) -> int:
    settings = get_settings()
    ledger = await _ledger(contract["id"])
    kind = (await accounts.organization_record(contract["provider"])).kind
    return rules.payment_days(
        kind, settings.payment_days_by_kind, settings.payment_days, ledger["agreed_days"] if ledger else None
    )


def _context(contract: dict[str, Any], seq: int, amount: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": contract["title"],
        "number": contract["number"],
        "seq": seq,
        "amount": format_yuan(amount),
        "link": f"/contracts/{contract['id']}",
        **extra,
    }


async def _meet_gate(
    contract: dict[str, Any],
    inst: dict[str, Any],
    pay: dict[str, Any],
    *,
    assessment_id: int | None = None,
    score_tenths: int | None = None,
) -> None:
    """The gate is met: the installment is due, with its payment deadline (rule 35); when
    the provider need not ask, the system makes the request at once."""
    now = clock.now()
    today = clock.to_local(now).date()
    deadline = rules.payment_deadline(today, await _payment_days(contract))
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "gate_met",
        SYSTEM,
        values={
            InstallmentPayment.gate_met_at: now,
            InstallmentPayment.due_on: today,
            InstallmentPayment.deadline_on: deadline,
            InstallmentPayment.late_at: None,
            InstallmentPayment.withheld_reason: "",
            InstallmentPayment.assessment_id: assessment_id,
            InstallmentPayment.score_tenths: score_tenths,
            InstallmentPayment.next_check_at: after_day(deadline),
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": contract["id"], "seq": pay["seq"], "deadline_on": deadline.isoformat()},
    )
    status = S.DUE
    if not get_settings().payment_provider_requests:
        await apply_transition(
            PAYMENT_TABLE,
            InstallmentPayment,
            pay["id"],
            status,
            "auto_request",
            SYSTEM,
            values={InstallmentPayment.requested_at: now, InstallmentPayment.updated_at: now},
            after={"contract_id": contract["id"], "seq": pay["seq"]},
        )
        status = S.REQUESTED
    amount = payable_fen(inst, {**pay, "status": status, "score_tenths": score_tenths})
    await notify(
        "contract.payment_due",
        await party_users(contract, Party.BUYER, Party.PROVIDER),
        _context(contract, pay["seq"], amount, deadline=f"{deadline:%Y-%m-%d}"),
    )


async def _withhold(pay: dict[str, Any], reason: str, assessment_id: int | None) -> None:
    now = clock.now()
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "withhold",
        SYSTEM,
        values={
            InstallmentPayment.withheld_at: now,
            InstallmentPayment.withheld_reason: reason,
            InstallmentPayment.assessment_id: assessment_id,
            InstallmentPayment.next_check_at: None,
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": pay["contract"], "seq": pay["seq"], "reason": reason},
    )


async def _reinstate(inst: dict[str, Any], pay: dict[str, Any]) -> None:
    now = clock.now()
    due = inst["due_date"]
    await apply_transition(
        PAYMENT_TABLE,
        InstallmentPayment,
        pay["id"],
        pay["status"],
        "reinstate",
        SYSTEM,
        values={
            InstallmentPayment.withheld_reason: "",
            InstallmentPayment.next_check_at: date_check_at(due),
            InstallmentPayment.updated_at: now,
        },
        after={"contract_id": pay["contract"], "seq": pay["seq"]},
    )


def date_check_at(due: date | None) -> datetime | None:
    """When the sweep looks at a date-gated installment: the start of its day (Beijing)."""
    return None if due is None else after_day(due - timedelta(days=1))


async def sync_contract(contract_id: int) -> int:
    """Make the payment rows of a signed contract and meet the gates that need no
    evaluation: signing, and dates that have come. Locks the contract; idempotent;
    returns how many gates it met."""
    met = 0
    async with db.transaction():
        contract = await _contract(contract_id, lock=True)
        if contract is None or contract["status"] not in SIGNED_STATES or contract["signed_at"] is None:
            return 0
        await _ensure_rows(contract)
        today = clock.today_local()
        installments = await _installments(contract_id)
        for seq, pay in (await _payments(contract_id)).items():
            inst = installments.get(seq)
            if inst is None or pay["status"] != S.WAITING or contract["status"] == ContractStatus.TERMINATED:
                continue
            if inst["gate"] in (Gate.SIGNING, Gate.DATE) and rules.gate_met(
                inst["gate"], inst["min_grade"], signed=True, grades={}, due_date=inst["due_date"], today=today
            ):
                await _meet_gate(contract, inst, pay)
                met += 1
            elif inst["gate"] == Gate.DATE and pay["next_check_at"] is None and inst["due_date"] is not None:
                await InstallmentPayment.update(
                    {InstallmentPayment.next_check_at: date_check_at(inst["due_date"])}
                ).where(InstallmentPayment.id == pay["id"])
    return met


async def on_contract_activated(contract_id: int, **_payload: Any) -> None:
    """``contract.activated``: the signing gates are met; date gates start waiting."""
    await sync_contract(contract_id)


async def on_assessment_finished(
    contract_id: int,
    assessment_id: int,
    stage: str,
    grade: str,
    score_tenths: int,
    finished_at: Any = None,
    **_payload: Any,
) -> None:
    """``assessment.finished``: an evaluation gate is met or failed (invariant 8), with the
    grade effects of the settings; a re-evaluation after 整改 comes again for the same
    stage and the latest counts."""
    await sync_contract(contract_id)
    async with db.transaction():
        contract = await _contract(contract_id, lock=True)
        if contract is None or contract["status"] not in SIGNED_STATES:
            return
        installments = await _installments(contract_id)
        payments = await _payments(contract_id)
        slots = [
            rules.Slot(seq, inst["gate"], inst["min_grade"], payments[seq]["status"], inst["due_date"])
            for seq, inst in installments.items()
            if seq in payments
        ]
        effects = grade_effects()
        last = max(installments) if installments else None
        reason = (
            _("中期评估不合格，暂缓支付（整改复评合格后恢复）。")
            if stage == "midterm"
            else _("终期评估未达到本期要求的等级，暂缓支付。")
        )
        for seq, action in rules.evaluation_effects(slots, stage, grade, effects, clock.today_local()).items():
            pay, inst = payments[seq], installments[seq]
            if action == "withhold":
                await _withhold(pay, reason, assessment_id)
            elif action == "reinstate":
                await _reinstate(inst, pay)
            elif contract["status"] != ContractStatus.TERMINATED:
                scaled = stage == Gate.FINAL and effects.final_scaled_by_score and seq == last
                await _meet_gate(
                    contract, inst, pay, assessment_id=assessment_id, score_tenths=score_tenths if scaled else None
                )


# --------------------------------------------------------------------------- people's steps


async def _step(user: CurrentUser, contract_id: int, seq: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The contract (locked, readable by the user, else 404), the installment and its payment."""
    contract = await readable(user, contract_id, lock=True)
    if contract["status"] not in SIGNED_STATES:
        raise Conflict(_("合同尚未生效，没有可支付的款项。"))
    await _ensure_rows(contract)
    inst = (await _installments(contract_id)).get(seq)
    pay = (await _payments(contract_id)).get(seq)
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
            _context(contract, seq, payable_fen(inst, pay)),
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
            _context(contract, seq, payable_fen(inst, pay), deadline=f"{deadline:%Y-%m-%d}" if deadline else "-"),
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
        ledger = await _ledger(contract_id)
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
        await apply_transition(
            PAYMENT_TABLE,
            InstallmentPayment,
            pay["id"],
            pay["status"],
            "release",
            actor,
            values={
                InstallmentPayment.released_by: user.id,
                InstallmentPayment.released_at: now,
                InstallmentPayment.released_fen: amount,
                InstallmentPayment.voucher_no: voucher,
                InstallmentPayment.next_check_at: None,
                InstallmentPayment.updated_at: now,
            },
            after={"contract_id": contract_id, "seq": seq, "amount_fen": amount, "voucher_no": voucher},
        )
        await notify(
            "contract.payment_released",
            await party_users(contract, Party.BUYER, Party.PROVIDER),
            _context(contract, seq, amount, voucher=voucher),
        )
    return await list_installments(user, contract_id)


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
    if contract["status"] in SIGNED_STATES and await _ledger(contract_id) is None:
        await sync_contract(contract_id)
    installments = await _installments(contract_id)
    payments = await _payments(contract_id)
    ledger = await _ledger(contract_id)
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
        installments=items,
    )


async def released_total(contract_id: int) -> int:
    ledger = await _ledger(contract_id)
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
