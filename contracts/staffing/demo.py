"""Demo rosters and teams (issue 13 §7): social workers for the demo organizations
(realistic names and levels, a supervisor, two registrations already expired), a team
on each running contract of theirs that keeps the bid's promise, and one replacement
waiting for the bureau. Made through the same services people use (every check and
audit row included), as a member of each organization. Dates are relative to today."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stdnum.cn import ric

from contracts.staffing import roster, services
from contracts.staffing.schemas import AssignIn, ReplacementIn, WorkerIn
from contracts.staffing.states import CertLevel, TeamRole
from contracts.staffing.tables import SocialWorker
from procurement.accounts import services as accounts
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.errors import DomainError
from procurement.core.i18n import N_

# name, level, supervisor, years until the registration expires (negative: expired)
ROSTERS: dict[str, list[tuple[str, CertLevel, bool, int]]] = {
    "杭州市上城区幸福家社会工作服务中心": [  # i18n: data
        ("陈立新", CertLevel.INTERMEDIATE, False, 2),  # i18n: data
        ("王淑芬", CertLevel.SENIOR, True, 3),  # i18n: data
        ("林小雨", CertLevel.ASSISTANT, False, 1),  # i18n: data
        ("周海燕", CertLevel.ASSISTANT, False, 2),  # i18n: data
        ("曹阳", CertLevel.INTERMEDIATE, False, 3),  # i18n: data
        ("吴建国", CertLevel.ASSISTANT, False, -1),  # i18n: data
        ("郑丽", CertLevel.NONE, False, 0),  # i18n: data
    ],
    "上城区清波颐乐养老服务社": [  # i18n: data
        ("赵丽华", CertLevel.INTERMEDIATE, True, 2),  # i18n: data
        ("孙梅", CertLevel.ASSISTANT, False, 1),  # i18n: data
        ("钱文静", CertLevel.ASSISTANT, False, -1),  # i18n: data
        ("冯涛", CertLevel.NONE, False, 0),  # i18n: data
    ],
    "上城区阳光青少年成长服务中心": [  # i18n: data
        ("何静", CertLevel.SENIOR, True, 3),  # i18n: data
        ("蒋晓燕", CertLevel.INTERMEDIATE, False, 2),  # i18n: data
        ("沈丽君", CertLevel.ASSISTANT, False, 1),  # i18n: data
    ],
}


REASON = N_("原社工调往新开设的社区站点")


def _id_number(org_index: int, n: int) -> str:
    body = f"330102{1983 + n:04d}{1 + org_index:02d}{10 + n:02d}{10 * n + org_index:03d}"
    return body + ric.calc_check_digit(body + "0")


async def _member(org: dict[str, Any]) -> CurrentUser | None:
    ids = await accounts.active_user_ids(org["id"], Role.ORG_MEMBER)
    if not ids:
        return None
    return CurrentUser(
        id=ids[0],
        username="demo",
        display_name=N_("演示数据"),
        role=Role.ORG_MEMBER,
        organization_id=org["id"],
        organization_name=org["name"],
        organization_kind=org["kind"],
        session_id=0,
        csrf_token="",
        via="system",
    )


async def load_demo(force: bool = False) -> bool:
    """The rosters (once, or again with ``force``), then a team on each running contract
    of the demo organizations that has none (also when the contracts come after the
    rosters); True if anything was made."""
    fill_rosters = force or not await SocialWorker.count()
    today = clock.today_local()
    made = False
    orgs = {o["name"]: o for o in await accounts.organization_choices(kind="social_org")}
    for index, (name, people) in enumerate(ROSTERS.items()):
        org = orgs.get(name)
        user = await _member(org) if org else None
        if org is None or user is None:
            continue
        for n, (person, level, supervisor, years) in enumerate(people if fill_rosters else []):
            data = WorkerIn(
                name=person,
                id_number=_id_number(index, n),
                phone=f"1375712{index}{n:03d}",
                employed_from=today - timedelta(days=400 + 90 * n),
                level=level,
                certificate_no="" if level == CertLevel.NONE else f"{2018 + n % 5}{index:02d}{n:05d}",
                certificate_year=None if level == CertLevel.NONE else 2018 + n % 5,
                registration_expires=None if level == CertLevel.NONE else today + timedelta(days=365 * years - 30),
                supervisor_qualified=supervisor,
            )
            try:
                await roster.register_worker(user, data)
                made = True
            except DomainError:
                continue  # already on the roster (a forced reload)
        made = await _teams(user, await roster.candidates(user, org["id"])) or made
    return made


async def _teams(user: CurrentUser, workers: list[Any]) -> bool:
    """A team on each running contract of the organization without one: the promised lead
    (by certificate number when the roster has it), a supervisor, two workers."""
    from contracts.lifecycle.services import list_contracts

    made = False
    usable = [w for w in workers if not w.registration_expired]
    asked = False
    for contract in await list_contracts(user):
        if contract.status not in services.OPEN_STATES:
            continue
        team = await services.get_team(user, contract.id)
        if team.members:
            continue
        promised = {str(p.get("certificate_no")) for p in team.promised if p.get("role") == "lead"}
        lead = next((w for w in usable if w.certificate_no in promised), None) or next(
            (w for w in usable if w.level in (CertLevel.INTERMEDIATE, CertLevel.SENIOR) and not w.supervisor_qualified),
            None,
        )
        supervisor = next((w for w in usable if w.supervisor_qualified), None)
        others = [w for w in usable if w not in (lead, supervisor)][:2]
        plan = [(lead, TeamRole.LEAD, 40), (supervisor, TeamRole.SUPERVISOR, 10)]
        plan += [(w, TeamRole.WORKER, 30) for w in others]
        for worker, role, share in plan:
            if worker is None:
                continue
            try:
                await services.assign_member(
                    user, contract.id, AssignIn(worker_id=worker.id, role=role, allocation=share)
                )
                made = True
            except DomainError:
                continue  # over capacity on another demo contract: the gap shows on the team tab
        spare = [w for w in usable if w not in (lead, supervisor, *others)]
        current = (await services.get_team(user, contract.id)).members
        worker_member = next((m for m in current if m.role == TeamRole.WORKER), None)
        if not asked and spare and worker_member is not None:
            try:
                await services.request_replacement(
                    user,
                    contract.id,
                    ReplacementIn(member_id=worker_member.id, candidate_id=spare[0].id, reason=REASON),
                )
                asked = True
            except DomainError:
                continue
    return made
