"""Proposing, signing and withdrawing changes of an active contract (issue 12 §5, §7;
rule 28). Each use case is one transaction that locks the contract row first, so two
changes of one contract are decided one after the other: a change takes effect only
while the contract still has the terms it was proposed against, and the 10 % cap on
all supplementary contracts is checked again at that moment. The contract's new terms
are written by its owner (``contracts.lifecycle.amendments``).

Who: either party proposes (the buyer's officer or a member of the provider); both
sign, either first; the proposer may withdraw, the other party may refuse, while the
change is open. Anyone else who may read the contract (the buyer's finance staff,
administrators) reads its changes; to everyone else the contract does not exist (404).
"""

from __future__ import annotations

import json
from typing import Any

from contracts.changes import documents, rules
from contracts.changes.schemas import (
    ChangeDiffOut,
    ChangeSignatureOut,
    ContractChangeOut,
    ProposeChangeIn,
    SignChangeIn,
    WithdrawChangeIn,
)
from contracts.changes.states import (
    CHANGE_KIND_LABELS,
    CHANGE_TABLE,
    LEGAL_BASIS,
    OPEN_STATES,
    RATIONALE_LABELS,
    ChangeKind,
    ChangeStatus,
)
from contracts.changes.tables import ContractChange, ContractChangeSignature
from contracts.lifecycle import amendments, policies
from contracts.lifecycle import rules as lifecycle_rules
from contracts.lifecycle.services import message_context, party_users, readable
from contracts.lifecycle.signing import canonical
from contracts.lifecycle.states import CONTRACT_TABLE, PARTY_LABELS, PARTY_OF, ContractStatus, Party
from procurement.core import audit, clock, db
from procurement.core.actors import Actor
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.transitions import apply_transition

# Issue 15 §3 "a change to sign": the other party is told when a change is drafted for
# signature (proposed) and when the first party signs it.
NOTIFICATIONS.update(
    {
        "contract.change_proposed": {
            "title": N_("合同变更待签署：{title}"),
            "body": N_(
                "{party}提出了合同「{title}」（编号 {number}）的第 {seq} 号{kind}，请核对变更内容后签署或不同意。变更须双方签署同一文本后才生效（{basis}）。"
            ),
        },
        "contract.change_signed": {
            "title": N_("合同变更待您会签：{title}"),
            "body": N_(
                "{party}已签署合同「{title}」（编号 {number}）的第 {seq} 号{kind}，请核对后会签；双方签署后生效（{basis}）。"
            ),
        },
    }
)


def _other(party: Party) -> Party:
    return Party.PROVIDER if party == Party.BUYER else Party.BUYER


async def _tell_other_party(event: str, contract: dict[str, Any], party: Party, seq: int, kind: str) -> None:
    """The other party's people (the buyer's officers, or the provider's members)."""
    await notify(
        event,
        await party_users(contract, _other(party)),
        message_context(
            contract,
            party=PARTY_LABELS[party],
            seq=seq,
            kind=CHANGE_KIND_LABELS[ChangeKind(kind)],
            basis=LEGAL_BASIS[ChangeKind(kind)],
            link=f"/contracts/{contract['id']}?tab=changes",
        ),
    )


async def _as_party(user: CurrentUser, contract_id: int) -> tuple[dict[str, Any], Actor, Party]:
    """The contract, locked, and the user acting for one of its parties (404 to outsiders,
    403 to the buyer's finance staff and administrators, who only read)."""
    row = await readable(user, contract_id, lock=True)
    decision = policies.party(user, row)
    actor = decision.acting(user)
    return row, actor, PARTY_OF[str(decision.relation)]


async def _change(contract_id: int, seq: int) -> dict[str, Any]:
    row = (
        await ContractChange.select()
        .where((ContractChange.contract == contract_id) & (ContractChange.seq == seq))
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该合同变更。"))
    return row


async def _earlier_added_fen(contract_id: int) -> int:
    rows = await ContractChange.select(ContractChange.added_fen).where(
        (ContractChange.contract == contract_id)
        & (ContractChange.kind == ChangeKind.SUPPLEMENT)
        & (ContractChange.status == ChangeStatus.EFFECTIVE)
    )
    return sum(int(r["added_fen"]) for r in rows)


def _new_terms(old: rules.Terms, data: ProposeChangeIn) -> rules.Terms:
    """The full terms the proposal would set: the current ones with the values given."""
    new: rules.Terms = json.loads(json.dumps(old))
    if data.amount_fen is not None:
        new["amount_fen"] = data.amount_fen
    for key in ("term_start", "term_end"):
        value = getattr(data, key)
        if value is not None:
            new[key] = value.isoformat()
    if data.delivery_place is not None:
        new["delivery_place"] = data.delivery_place
    if data.indicators is not None:
        new["indicators"] = [i.model_dump() for i in data.indicators]
    template = (
        [i.model_dump(mode="json") for i in data.installments]
        if data.installments is not None
        else rules.schedule_template(old["installments"])
    )
    if data.installments is not None or new["amount_fen"] != old["amount_fen"]:
        start, end = rules.as_date(new["term_start"]), rules.as_date(new["term_end"])
        problems = lifecycle_rules.schedule_problems(template, start, end)
        if problems:
            raise ValidationFailed(field_errors=problems)
        new["installments"] = [
            i.as_json() for i in lifecycle_rules.split_installments(int(new["amount_fen"]), template)
        ]
    return new


async def _problems(
    contract: dict[str, Any], kind: str, rationale: str, old: rules.Terms, new: rules.Terms
) -> dict[str, str]:
    return rules.change_problems(
        kind,
        rationale,
        old,
        new,
        original_fen=await amendments.original_amount_fen(contract),
        earlier_added_fen=await _earlier_added_fen(contract["id"]),
        term_justification=contract["term_justification"],
        performance_bond_fen=contract["performance_bond_fen"],
        released=set(),  # payments arrive with a later issue: nothing is released yet
    )


def _require_active(contract: dict[str, Any]) -> None:
    if contract["status"] != ContractStatus.ACTIVE:
        raise Conflict(
            _("只有履行中的合同可以变更（合同当前状态：{status}）。").format(status=_status_label(contract["status"]))
        )


def _status_label(status: str) -> str:
    return CONTRACT_TABLE.staff_label(status)


async def propose_change(user: CurrentUser, contract_id: int, data: ProposeChangeIn) -> ContractChangeOut:
    """A party proposes a change of an active contract: the full new terms, a listed
    rationale, its legal basis (第四十九条 for a 补充合同, 第五十条 for other changes).
    Every problem is reported at once; nothing is saved when one fails."""
    async with db.transaction():
        contract, actor, party = await _as_party(user, contract_id)
        _require_active(contract)
        old = await amendments.current_terms(contract)
        new = _new_terms(old, data)
        problems = await _problems(contract, data.kind, data.rationale, old, new)
        if problems:
            raise ValidationFailed(field_errors=problems)
        last = (
            await ContractChange.select(ContractChange.seq)
            .where(ContractChange.contract == contract_id)
            .order_by(ContractChange.seq, ascending=False)
            .first()
        )
        seq = (last["seq"] if last else 0) + 1
        diff = rules.diff(old, new)
        kind = ChangeKind(data.kind)
        legal_basis = LEGAL_BASIS.source()[kind]
        text = {
            "contract": contract["number"],
            "seq": seq,
            "kind": kind.value,
            "rationale": data.rationale,
            "explanation": data.explanation,
            "legal_basis": legal_basis,
            "base_terms": old,
            "new_terms": new,
            "diff": diff,
        }
        _text, digest = canonical(text)
        added = int(new["amount_fen"]) - int(old["amount_fen"]) if kind == ChangeKind.SUPPLEMENT else 0
        now = clock.now()
        inserted = await ContractChange.insert(
            ContractChange(
                contract=contract_id,
                seq=seq,
                kind=kind,
                rationale=data.rationale,
                explanation=data.explanation,
                legal_basis=legal_basis,
                base_terms=json.dumps(old, ensure_ascii=False),
                new_terms=json.dumps(new, ensure_ascii=False),
                diff=json.dumps(diff, ensure_ascii=False),
                added_fen=added,
                status=ChangeStatus.PROPOSED,
                sha256=digest,
                proposed_by=user.id,
                proposed_party=party,
                proposed_at=now,
            )
        ).returning(ContractChange.id)
        change_id = inserted[0]["id"]
        await audit.record(
            "contract_change.proposed",
            "contract_change",
            change_id,
            actor=actor,
            after={"contract": contract_id, "seq": seq, "kind": kind.value, "diff": diff, "sha256": digest},
        )
        await _tell_other_party("contract.change_proposed", contract, party, seq, kind)
    return await get_change(user, contract_id, seq)


async def sign_change(user: CurrentUser, contract_id: int, seq: int, data: SignChangeIn) -> ContractChangeOut:
    """A party signs the change's text; the second signature makes it effective: under
    the contract's row lock, the contract must still be active and still have the terms
    the change was proposed against, and the 10 % cap is checked again, then the
    contract's owner writes the new terms."""
    async with db.transaction():
        contract, actor, party = await _as_party(user, contract_id)
        change = await _change(contract_id, seq)
        action = "countersign" if change["status"] == ChangeStatus.AWAITING_COUNTERSIGN else "sign"
        CHANGE_TABLE.decide(change["status"], action, actor)
        if data.sha256 is not None and data.sha256 != change["sha256"]:
            raise Conflict(_("所签署的文本与该变更的现行文本不一致，请刷新后核对再签署。"))
        signed = await ContractChangeSignature.select(ContractChangeSignature.party).where(
            ContractChangeSignature.change == change["id"]
        )
        if any(s["party"] == party for s in signed):
            raise Conflict(_("您方已签署该变更，正在等待另一方签署。"))
        _require_active(contract)
        base = json.loads(change["base_terms"])
        if await amendments.current_terms(contract) != base:
            raise Conflict(_("该变更提出后合同已经变更，不能再签署；请撤回后按现行条款重新提出。"))
        new = json.loads(change["new_terms"])
        problems = await _problems(contract, change["kind"], change["rationale"], base, new)
        if problems:
            raise Conflict(_("该变更已不能生效：{reasons}").format(reasons="".join(problems.values())))
        now = clock.now()
        await ContractChangeSignature.insert(
            ContractChangeSignature(
                change=change["id"], party=party, user_id=user.id, sha256=change["sha256"], signed_at=now
            )
        )
        values: dict[Any, Any] = {}
        if action == "countersign":
            values[ContractChange.effective_at] = now
        await apply_transition(
            CHANGE_TABLE,
            ContractChange,
            change["id"],
            change["status"],
            action,
            actor,
            values=values,
            after={"party": party, "sha256": change["sha256"]},
        )
        if action == "countersign":
            await amendments.apply_agreed_change(contract_id, new, actor, change_id=change["id"], change_seq=seq)
        else:
            await _tell_other_party("contract.change_signed", contract, party, seq, change["kind"])
    return await get_change(user, contract_id, seq)


async def withdraw_change(user: CurrentUser, contract_id: int, seq: int, data: WithdrawChangeIn) -> ContractChangeOut:
    """An open change ends unsigned: withdrawn by the party that proposed it, or refused
    by the other party."""
    async with db.transaction():
        contract, actor, party = await _as_party(user, contract_id)
        change = await _change(contract_id, seq)
        action = "withdraw" if party == change["proposed_party"] else "refuse"
        await apply_transition(
            CHANGE_TABLE,
            ContractChange,
            change["id"],
            change["status"],
            action,
            actor,
            values={ContractChange.closed_at: clock.now(), ContractChange.closed_reason: data.reason},
            after={"party": party, "reason": data.reason},
        )
    return await get_change(user, contract_id, seq)


# --------------------------------------------------------------------------- reading


async def _out(user: CurrentUser, contract: dict[str, Any], change: dict[str, Any]) -> ContractChangeOut:
    signatures = (
        await ContractChangeSignature.select()
        .where(ContractChangeSignature.change == change["id"])
        .order_by(ContractChangeSignature.id)
    )
    decision = policies.party(user, contract)
    actions: list[str] = []
    if decision and change["status"] in OPEN_STATES and contract["status"] == ContractStatus.ACTIVE:
        party = PARTY_OF[str(decision.relation)]
        if all(s["party"] != party for s in signatures):
            actions.append("sign")
        actions.append("withdraw" if party == change["proposed_party"] else "refuse")
    kind = ChangeKind(change["kind"])
    return ContractChangeOut(
        id=change["id"],
        contract_id=contract["id"],
        seq=change["seq"],
        number_label=_("{kind}第 {seq} 号").format(kind=CHANGE_KIND_LABELS[kind], seq=change["seq"]),
        kind=kind.value,
        kind_label=CHANGE_KIND_LABELS[kind],
        rationale=change["rationale"],
        rationale_label=RATIONALE_LABELS[change["rationale"]],
        explanation=change["explanation"],
        legal_basis=change["legal_basis"],
        status=change["status"],
        status_label=CHANGE_TABLE.staff_label(change["status"]),
        diff=[
            ChangeDiffOut(field=d["field"], field_label=_(rules.FIELD_LABELS[d["field"]]), old=d["old"], new=d["new"])
            for d in json.loads(change["diff"])
        ],
        new_terms=json.loads(change["new_terms"]),
        added_fen=change["added_fen"],
        proposed_party=change["proposed_party"],
        proposed_at=change["proposed_at"],
        effective_at=change["effective_at"],
        closed_reason=change["closed_reason"],
        sha256=change["sha256"],
        signatures=[
            ChangeSignatureOut(
                party=s["party"],
                party_label=PARTY_LABELS[Party(s["party"])],
                sha256=s["sha256"],
                signed_at=s["signed_at"],
            )
            for s in signatures
        ],
        actions=actions,
    )


async def get_change(user: CurrentUser, contract_id: int, seq: int) -> ContractChangeOut:
    contract = await readable(user, contract_id)
    return await _out(user, contract, await _change(contract_id, seq))


async def list_changes(user: CurrentUser, contract_id: int) -> list[ContractChangeOut]:
    """The contract's changes in order, each with its diff (old and new side by side)."""
    contract = await readable(user, contract_id)
    rows = await ContractChange.select().where(ContractChange.contract == contract_id).order_by(ContractChange.seq)
    return [await _out(user, contract, row) for row in rows]


async def change_pdf(user: CurrentUser, contract_id: int, seq: int) -> tuple[str, bytes]:
    """The numbered, platform-signed PDF of a change (补充合同 / 合同变更协议) for the
    contract's readers; its file name and bytes."""
    contract = await readable(user, contract_id)
    change = await _change(contract_id, seq)
    earlier = await ContractChange.select(ContractChange.added_fen).where(
        (ContractChange.contract == contract_id)
        & (ContractChange.kind == ChangeKind.SUPPLEMENT)
        & (ContractChange.status == ChangeStatus.EFFECTIVE)
        & (ContractChange.seq < seq)
    )
    context = documents.change_context(
        contract,
        change,
        json.loads(change["diff"]),
        json.loads(change["new_terms"]),
        original_fen=await amendments.original_amount_fen(contract),
        added_total_fen=sum(int(r["added_fen"]) for r in earlier) + int(change["added_fen"]),
    )
    name = f"{contract['number']}-{seq}.pdf"
    return name, await documents.change_pdf(context)
