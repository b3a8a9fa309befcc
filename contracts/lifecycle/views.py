"""The contracts' to-do list for the contract list page (issue 12 §8, dashboard items):
what each party must do next, with its due date in Beijing time. Read-only, through the
public services; the dashboard itself lives in procurement, which never imports
contracts, so these items are shown on /contracts.

Officer: drafts to complete, contracts awaiting the buyer's signature, signing deadlines
within a week or past, notices and filings due. Organization: contracts awaiting its
signature, drafts waiting for its bank account and address."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contracts.lifecycle import services
from contracts.lifecycle.states import ContractStatus
from procurement.awards import services as awards
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.tenders import services as tenders

CLOSE_DAYS = 7  # a signing deadline this near is flagged
UNSIGNED = (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)
SIGNED_UNFILED = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)


@dataclass(frozen=True)
class TodoEntry:
    contract_id: int
    title: str
    due: date | None
    late: bool


@dataclass
class TodoCard:
    key: str
    title: str
    entries: list[TodoEntry] = field(default_factory=list)


def _mine_to_sign(contract: services.TodoFacts, party: str) -> bool:
    if not {"sign", "countersign"} & set(contract.allowed_actions):
        return False
    return (contract.version, party) not in contract.signed_parties


async def contract_todo(user: CurrentUser) -> list[TodoCard]:
    """The cards with at least one entry, most urgent first within each (the contracts
    read together, ``services.todo_facts``: the same queries for one or a hundred)."""
    if user.role not in (Role.OFFICER, Role.ORG_MEMBER):
        return []
    wanted = await services.todo_facts(user, (*UNSIGNED, *SIGNED_UNFILED))
    today = clock.today_local()
    officer = user.role == Role.OFFICER
    party = "buyer" if officer else "provider"
    cards = {
        "sign": TodoCard("sign", _("待我方签署")),
        "provider": TodoCard("provider", _("待填写乙方账户与地址")),
        "draft": TodoCard("draft", _("待完善的合同草稿")),
        "deadline": TodoCard("deadline", _("签订期限临近或已逾期")),
        "notice": TodoCard("notice", _("待发布合同公告")),
        "filing": TodoCard("filing", _("待合同备案")),
    }
    for contract in wanted:
        deadline = contract.signing_deadline
        entry = TodoEntry(contract.id, contract.title, deadline, contract.signing_overdue)
        if contract.status in UNSIGNED:
            if _mine_to_sign(contract, party) and not contract.signing_gaps:
                cards["sign"].entries.append(entry)
            elif not officer and not contract.provider_bank_account and "update" in contract.allowed_actions:
                cards["provider"].entries.append(entry)
            elif officer and contract.signing_gaps:
                cards["draft"].entries.append(entry)
            if officer and (deadline - today).days <= CLOSE_DAYS:
                cards["deadline"].entries.append(entry)
        elif officer:
            if contract.notice_id is None and contract.notice_due_on:
                due = contract.notice_due_on
                cards["notice"].entries.append(TodoEntry(contract.id, contract.title, due, today > due))
            if contract.filed_at is None and contract.filing_due_on:
                cards["filing"].entries.append(
                    TodoEntry(contract.id, contract.title, contract.filing_due_on, contract.filing_overdue)
                )
    for card in cards.values():
        card.entries.sort(key=lambda e: e.due or date.max)
    return [card for card in cards.values() if card.entries]


@dataclass(frozen=True)
class AwardToDraft:
    award_id: int
    tender_id: int
    tender_title: str
    lot_name: str
    organization_name: str
    amount_fen: int
    letter_no: str


async def awards_to_draft(user: CurrentUser) -> list[AwardToDraft]:
    """For a bureau officer: the active awards of its awarded tenders that have no contract
    yet (one contract per award), so the officer can draft each from the contract list."""
    if user.role != Role.OFFICER:
        return []
    drafted = {(await services.get_contract(user, s.id)).award_id for s in await services.list_contracts(user)}
    found = []
    for tender in (await tenders.list_tenders(user, mine=True, status="awarded", limit=200)).items:
        for award in await awards.list_awards(user, tender.id):
            if award.status == "active" and award.id not in drafted:
                found.append(
                    AwardToDraft(
                        award_id=award.id,
                        tender_id=tender.id,
                        tender_title=tender.title,
                        lot_name=award.lot_name,
                        organization_name=award.organization_name,
                        amount_fen=award.amount_fen,
                        letter_no=award.letter_no,
                    )
                )
    return found
