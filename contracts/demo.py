"""Demo contracts (issue 12 §9), loaded by ``procurement demo`` after procurement's
demo has awarded its three 社区矫正 tenders: a newcomer sees a contract's whole life.

- 小营街道 (上城区清波颐乐养老服务社): signed by the bureau, awaiting the provider's signature;
- 南星街道 (上城区阳光青少年成长服务中心): active, its notice published and filed, the first
  monthly report accepted and the second submitted, awaiting the bureau's review;
- 紫阳街道 (杭州市上城区幸福家社会工作服务中心): active with a signed 补充合同 (more of the
  same service, within the 10% of rule 28), its first report overdue.

Everything goes through the services a party uses, with the clock set back to the day
it happened; no status is written here. Idempotent: an award that already has a
contract is left as it is.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from contracts.assessments.services import seed_systems
from contracts.changes import services as changes
from contracts.changes.schemas import ProposeChangeIn, SignChangeIn
from contracts.delivery import services as delivery
from contracts.delivery.schemas import AttachmentIn, ReviewIn, SubmissionIn
from contracts.lifecycle import services as contracts
from contracts.lifecycle import signing
from contracts.lifecycle.schemas import ContractDraftIn, ContractOut, FilingIn
from contracts.lifecycle.tables import Contract
from procurement.accounts import services as accounts
from procurement.awards import services as awards
from procurement.core import clock, db
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.tenders import services as tenders

AWAITING = "小营街道社区矫正与安置帮教服务项目"
REPORTING = "南星街道社区矫正对象心理矫治服务项目"
CHANGED = "紫阳街道社区矫正对象就业帮扶项目"

INDICATORS = [
    {"name": "服务人次", "unit": "人次", "target": 1200},
    {"name": "个案服务", "unit": "个", "target": 40},
    {"name": "小组及社区活动", "unit": "场", "target": 24},
    {"name": "服务对象满意度", "unit": "%", "target": 90},
]
# 服务台账 as a one-page PDF (the attachment is checked by its content).
LEDGER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class Party:
    place: str
    address: str
    legal_rep: str
    bank: str
    account: str


PARTIES = {
    AWAITING: Party(
        "小营街道大学路社区", "杭州市上城区清波街 36 号", "赵丽华", "杭州银行清波支行", "3301040160005512037"
    ),
    REPORTING: Party(
        "南星街道馒头山社区", "杭州市上城区复兴街 88 号", "孙伟", "浙江泰隆商业银行上城支行", "3301102010012230418"
    ),
    CHANGED: Party(
        "紫阳街道新工社区", "杭州市上城区建国南路 101 号", "陈晓燕", "杭州银行上城支行", "3301040160001234567"
    ),
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return clock.to_utc(datetime.combine(day, time(hour, minute)))


async def _users() -> dict[str, CurrentUser]:
    """The demo accounts by username, as the services see a signed-in person."""
    admin = CurrentUser(0, "admin", "系统管理员", Role.ADMIN, None, "", None, 0, "", "cli")
    found = {}
    for u in await accounts.list_users(admin, limit=500):
        found[u.username] = CurrentUser(
            u.id, u.username, u.display_name, u.role, u.organization_id, u.organization_name, None, 0, "", "cli"
        )
    return found


async def load_demo_contracts(force: bool = False) -> bool:
    """Draw up the demo contracts whose awards have none yet; True when any was made."""
    users = await _users()
    officer = users.get("officer")
    if officer is None:
        return False
    await seed_systems()  # the indicator system for social-work projects (issue 14)
    providers = {u.organization_id: u for u in users.values() if u.role == Role.ORG_MEMBER}
    steps: dict[str, Callable[[ContractOut, CurrentUser, CurrentUser, date], Awaitable[None]]] = {
        AWAITING: _awaiting_signature,
        REPORTING: _active_with_reports,
        CHANGED: _active_with_change,
    }
    made = False
    for tender in (await tenders.list_tenders(officer, mine=True, status="awarded", limit=200)).items:
        step = steps.get(tender.title)
        if step is None:
            continue
        for award in await awards.list_awards(officer, tender.id):
            if award.status != "active" or await Contract.exists().where(Contract.award == award.id):
                continue
            provider = providers.get(award.organization_id)
            if provider is None:
                continue
            async with db.transaction():
                awarded_on = clock.to_local(award.decided_at).date()
                with clock.frozen(_at(awarded_on + timedelta(days=1), 10)):
                    contract = await _ready_draft(officer, provider, award.id, PARTIES[tender.title])
                await step(contract, officer, provider, awarded_on)
            made = True
    return made


async def _ready_draft(officer: CurrentUser, provider: CurrentUser, award_id: int, party: Party) -> ContractOut:
    """The officer drafts the contract; the provider enters its details; the officer confirms them."""
    contract = await contracts.create_contract_from_award(officer, award_id)
    await contracts.update_draft(
        officer,
        contract.id,
        ContractDraftIn.model_validate({"delivery_place": party.place, "indicators": INDICATORS}),
    )
    await contracts.update_draft(
        provider,
        contract.id,
        ContractDraftIn(
            provider_address=party.address,
            provider_legal_rep=party.legal_rep,
            provider_bank_name=party.bank,
            provider_bank_account=party.account,
        ),
    )
    return await contracts.update_draft(officer, contract.id, ContractDraftIn(confirm_provider_details=True))


async def _awaiting_signature(
    contract: ContractOut, officer: CurrentUser, provider: CurrentUser, awarded: date
) -> None:
    with clock.frozen(_at(awarded + timedelta(days=3), 15)):
        await signing.sign_contract(officer, contract.id, contract.version)


async def _signed(contract: ContractOut, officer: CurrentUser, provider: CurrentUser, awarded: date) -> date:
    """Both sign, the notice is published and the contract filed; the day it was signed."""
    signed_on = awarded + timedelta(days=5)
    with clock.frozen(_at(signed_on, 10)):
        await signing.sign_contract(officer, contract.id, contract.version)
    with clock.frozen(_at(signed_on, 16)):
        await signing.sign_contract(provider, contract.id, contract.version)
    with clock.frozen(_at(signed_on + timedelta(days=1), 9, 30)):
        await signing.publish_contract_notice(officer, contract.id)
    with clock.frozen(_at(signed_on + timedelta(days=3), 14)):
        number = contract.number.rsplit("-", 1)[-1]
        await signing.record_filing(officer, contract.id, FilingIn(reference=f"上城财采备〔{signed_on:%Y}〕{number}号"))
        await delivery.list_reports(officer, contract.id)  # the default monthly schedule
    return signed_on


def _submission(seq: int, people: int, cases: int, events: int, satisfaction: int) -> SubmissionIn:
    return SubmissionIn(
        actuals={"服务人次": people, "个案服务": cases, "小组及社区活动": events, "服务对象满意度": satisfaction},
        narrative=f"第 {seq} 期：完成入矫评估和个案面谈，开展心理健康讲座与团体辅导，"
        "与司法所每月召开一次个案研讨会，服务台账随附。",
        attachments=[
            AttachmentIn(filename=f"第{seq}期服务台账.pdf", content_base64=base64.b64encode(LEDGER_PDF).decode())
        ],
    )


async def _active_with_reports(
    contract: ContractOut, officer: CurrentUser, provider: CurrentUser, awarded: date
) -> None:
    await _signed(contract, officer, provider, awarded)
    today = clock.today_local()
    reports = [r for r in (await delivery.list_reports(officer, contract.id)).reports if r.due_on < today]
    for n, report in enumerate(reports[:2]):
        with clock.frozen(_at(report.due_on - timedelta(days=2), 15)):
            await delivery.submit_report(provider, contract.id, report.id, _submission(report.seq, 96, 8, 2, 92))
        if n == 0:  # the first accepted; the second waits for the bureau's review
            with clock.frozen(_at(report.due_on + timedelta(days=1), 10)):
                await delivery.review_report(
                    officer, contract.id, report.id, ReviewIn(outcome="accept", comments="台账完整，同意通过。")
                )


async def _active_with_change(
    contract: ContractOut, officer: CurrentUser, provider: CurrentUser, awarded: date
) -> None:
    await _signed(contract, officer, provider, awarded)
    proposed_on = clock.today_local() - timedelta(days=20)
    more = contract.amount_fen // 100 * 8 // 100 * 100  # 8% more, in whole yuan (within the 10% of rule 28)
    with clock.frozen(_at(proposed_on, 10)):
        change = await changes.propose_change(
            officer,
            contract.id,
            ProposeChangeIn(
                kind="supplement",
                rationale="more_service",
                explanation="辖区新增社区矫正对象 6 人，按原合同单价和服务标准增加就业帮扶服务量。",
                amount_fen=contract.amount_fen + more,
            ),
        )
        await changes.sign_change(officer, contract.id, change.seq, SignChangeIn())
    with clock.frozen(_at(proposed_on + timedelta(days=2), 11)):
        await changes.sign_change(provider, contract.id, change.seq, SignChangeIn())
