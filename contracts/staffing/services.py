"""Social-worker teams of a contract (issue 13 §2–§4; rules 38–40, invariant 9):
assign and remove members, request and decide replacements, the team with its gaps,
and the workload of workers across contracts.

Each use case is one transaction that locks the contract (read through
``contracts.lifecycle.services.readable``, so outsiders get 404) and then the worker
whose time it gives out. The worker's lock (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the IMMEDIATE transaction holds the single write lock) makes the capacity check
and the insert one step: two concurrent assignments of the same worker run one after
the other, and the second sees the first (invariant 9). Members are never deleted:
removal and replacement set ``removed_at``, so the team's history stays.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from contracts.lifecycle.services import message_context, party_users, readable
from contracts.lifecycle.states import ContractStatus, Party
from contracts.lifecycle.tables import Contract
from contracts.staffing import policies, rules
from contracts.staffing.roster import worker_out
from contracts.staffing.schemas import (
    AssignIn,
    CommunityRow,
    DecisionIn,
    GapOut,
    MemberOut,
    PendingReplacementOut,
    RemoveIn,
    ReplacementIn,
    ReplacementOut,
    ShortTeamOut,
    TeamOut,
    TodoOut,
    WorkloadOut,
    WorkloadRow,
)
from contracts.staffing.states import (
    REPLACEMENT_TABLE,
    TEAM_ROLE_LABELS,
    Decision,
    Employment,
    ReplacementStatus,
    TeamRole,
)
from contracts.staffing.tables import ReplacementRequest, SocialWorker, TeamMember
from procurement.core import audit, clock, db, prepared
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.transitions import apply_transition

# A team is kept while the contract is being made or runs; a worker's time counts on
# these contracts only (a completed, terminated or voided contract frees it).
OPEN_STATES = (
    ContractStatus.DRAFT,
    ContractStatus.AWAITING_SIGNATURES,
    ContractStatus.ACTIVE,
    ContractStatus.SUSPENDED,
)
MIN_EXCEPTION = 4
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # the dates a team period or a workload month may take

# The messages of replacements (one notify() call per event).
NOTIFICATIONS.update(
    {
        "contract.replacement_requested": {
            "title": N_("团队成员更换待审批：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）申请将{role}「{old}」更换为「{new}」，原因：{reason}。请审批。"
            ),
        },
        "contract.replacement_decided": {
            "title": N_("团队成员更换{outcome}：{title}"),
            "body": N_("合同「{title}」（编号 {number}）将{role}「{old}」更换为「{new}」的申请{outcome}。{note}"),
        },
    }
)
MIN_REFUSAL_NOTE = 2


# --------------------------------------------------------------------------- reading helpers


async def _worker(worker_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(SocialWorker, SocialWorker.id == worker_id)
    row = await SocialWorker.select().where(SocialWorker.id == worker_id).first()
    if row is None:
        raise NotFound(_("找不到该社工。"))
    return row


async def _workers(ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    return {r["id"]: r for r in await SocialWorker.select().where(SocialWorker.id.is_in(sorted(ids)))}


async def _allocations(worker_id: int) -> list[rules.Allocation]:
    """The worker's current shares on every open contract (invariant 9)."""
    rows = await TeamMember.select(
        TeamMember.contract, TeamMember.allocation, TeamMember.period_start, TeamMember.period_end
    ).where(
        (TeamMember.worker == worker_id)
        & TeamMember.removed_at.is_null()
        & TeamMember.contract.status.is_in(list(OPEN_STATES))
    )
    return [rules.Allocation(r["period_start"], r["period_end"], r["allocation"], r["contract"]) for r in rows]


def _check_capacity(existing: list[rules.Allocation], new: rules.Allocation, name: str) -> None:
    over = rules.capacity_problem(existing, new)
    if over is not None:
        raise Conflict(
            _("{name} 在 {day} 的工作量将达到 {percent}%（各合同合计），超过 100%，不能这样安排。").format(
                name=name, day=over.day.isoformat() if over.day else "", percent=over.percent
            ),
            extra={"field": "allocation", "day": over.day.isoformat() if over.day else None, "percent": over.percent},
        )


def _member(row: dict[str, Any], worker: dict[str, Any]) -> rules.Member:
    return rules.Member(
        worker_id=worker["id"],
        name=worker["name"],
        role=row["role"],
        level=worker["level"],
        registration_expires=worker["registration_expires"],
        supervisor_qualified=bool(worker["supervisor_qualified"]),
        certificate_no=worker["certificate_no"],
    )


async def _team_rows(contract_id: int) -> list[dict[str, Any]]:
    return await TeamMember.select().where(TeamMember.contract == contract_id).order_by(TeamMember.id)


async def _substitutions(contract_id: int) -> list[rules.Substitution]:
    """The approved replacements of a contract, oldest first, as the promise check reads them."""
    rows = (
        await ReplacementRequest.select()
        .where((ReplacementRequest.contract == contract_id) & (ReplacementRequest.status == ReplacementStatus.APPROVED))
        .order_by(ReplacementRequest.id)
    )
    if not rows:
        return []
    members = {r["id"]: r for r in await TeamMember.select().where(TeamMember.id.is_in([x["member"] for x in rows]))}
    workers = await _workers({m["worker"] for m in members.values()} | {r["candidate"] for r in rows})
    return [_substitution(r, members, workers) for r in rows]


def _substitution(
    request: dict[str, Any], members: dict[int, dict[str, Any]], workers: dict[int, dict[str, Any]]
) -> rules.Substitution:
    old, new = workers[members[request["member"]]["worker"]], workers[request["candidate"]]
    return rules.Substitution(old["name"], old["certificate_no"], new["id"], new["name"], new["certificate_no"])


def _gaps_with(
    contract: dict[str, Any], current: list[rules.Member], subs: list[rules.Substitution], day: date
) -> list[rules.Gap]:
    requirements = json.loads(contract["team_requirements"] or "{}")
    promised = json.loads(contract["promised_team"] or "[]")
    return rules.requirement_gaps(requirements, current, day) + rules.promise_gaps(promised, current, subs, day)


async def _gaps(contract: dict[str, Any], current: list[rules.Member], day: date) -> list[rules.Gap]:
    return _gaps_with(contract, current, await _substitutions(contract["id"]), day)


async def team_gaps(contract: dict[str, Any]) -> list[rules.Gap]:
    """How a contract's current team falls short of its requirements and promise today
    (for the team tab, the dashboard and payment conditions)."""
    rows = [r for r in await _team_rows(contract["id"]) if r["removed_at"] is None]
    workers = await _workers({r["worker"] for r in rows})
    return await _gaps(contract, [_member(r, workers[r["worker"]]) for r in rows], clock.today_local())


async def team_gaps_of(contracts: Sequence[dict[str, Any]]) -> dict[int, list[rules.Gap]]:
    """``team_gaps`` of many contracts at once, by contract id: the teams, the approved
    replacements and the workers read together, the same few queries for one contract or
    a hundred (issue 11, the dashboard)."""
    if not contracts:
        return {}
    ids = [c["id"] for c in contracts]
    team = (
        await TeamMember.select()
        .where(TeamMember.contract.is_in(ids) & TeamMember.removed_at.is_null())
        .order_by(TeamMember.id)
    )
    approved = (
        await ReplacementRequest.select()
        .where(ReplacementRequest.contract.is_in(ids) & (ReplacementRequest.status == ReplacementStatus.APPROVED))
        .order_by(ReplacementRequest.id)
    )
    replaced: dict[int, dict[str, Any]] = {}
    if approved:
        replaced = {
            r["id"]: r for r in await TeamMember.select().where(TeamMember.id.is_in([x["member"] for x in approved]))
        }
    workers = await _workers(
        {r["worker"] for r in team} | {m["worker"] for m in replaced.values()} | {r["candidate"] for r in approved}
    )
    today = clock.today_local()
    out = {}
    for contract in contracts:
        current = [_member(r, workers[r["worker"]]) for r in team if r["contract"] == contract["id"]]
        subs = [_substitution(r, replaced, workers) for r in approved if r["contract"] == contract["id"]]
        out[contract["id"]] = _gaps_with(contract, current, subs, today)
    return out


def _period(contract: dict[str, Any], start: date | None, end: date | None) -> tuple[date, date]:
    term_start, term_end = contract["term_start"], contract["term_end"]
    start = start or term_start or clock.today_local()
    end = end or term_end
    if end is None:
        raise ValidationFailed(field_errors={"period_end": _("合同尚未确定服务期限，请填写截止日期。")})
    if end < start:
        raise ValidationFailed(field_errors={"period_end": _("截止日期不能早于起始日期。")})
    if start < EARLIEST or end > LATEST:
        raise ValidationFailed(field_errors={"period_start": _("安排期间应在 2000 年至 2099 年之间。")})
    if term_start and term_end and (start < term_start or end > term_end):
        raise ValidationFailed(
            field_errors={
                "period_start": _("安排期间应在合同服务期限（{start} 至 {end}）之内。").format(
                    start=term_start.isoformat(), end=term_end.isoformat()
                )
            }
        )
    return start, end


def _open(contract: dict[str, Any]) -> None:
    if contract["status"] not in OPEN_STATES:
        raise Conflict(_("合同已结束，团队不能再调整。"))


def _usable(worker: dict[str, Any], contract: dict[str, Any], start: date, field: str) -> None:
    if worker["organization"] != contract["provider"]:
        raise ValidationFailed(field_errors={field: _("只能安排本机构名册中的社工。")})
    if worker["employment"] == Employment.LEFT and (
        worker["employed_until"] is None or worker["employed_until"] < start
    ):
        raise ValidationFailed(field_errors={field: _("{name} 已离职，不能安排。").format(name=worker["name"])})


# --------------------------------------------------------------------------- writing


async def assign_member(user: CurrentUser, contract_id: int, data: AssignIn) -> MemberOut:
    """The provider puts a worker on the team in a role with a share of their time. The
    share is checked against the worker's other contracts in the same transaction, with
    the worker's row locked (invariant 9)."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.team_keeper(user, contract).acting(user)
        _open(contract)
        start, end = _period(contract, data.period_start, data.period_end)
        worker = await _worker(data.worker_id, lock=True)
        _usable(worker, contract, start, "worker_id")
        if data.role == TeamRole.SUPERVISOR and not worker["supervisor_qualified"]:
            raise ValidationFailed(
                field_errors={"role": _("{name} 没有督导资格，不能担任督导。").format(name=worker["name"])}
            )
        twice = await TeamMember.exists().where(
            (TeamMember.contract == contract_id)
            & (TeamMember.worker == worker["id"])
            & TeamMember.removed_at.is_null()
            & (TeamMember.period_start <= end)
            & (TeamMember.period_end >= start)
        )
        if twice:
            raise Conflict(_("{name} 已在本项目团队中。").format(name=worker["name"]))
        new = rules.Allocation(start, end, data.allocation, contract_id)
        _check_capacity(await _allocations(worker["id"]), new, worker["name"])
        inserted = await TeamMember.insert(
            TeamMember(
                contract=contract_id,
                worker=worker["id"],
                role=data.role,
                allocation=data.allocation,
                period_start=start,
                period_end=end,
                added_by=user.id,
                added_at=clock.now(),
            )
        ).returning(TeamMember.id)
        member_id = inserted[0]["id"]
        await audit.record(
            "staffing.member_assigned",
            "contract",
            contract_id,
            actor=actor,
            after={"member": member_id, "worker": worker["id"], "role": data.role, "allocation": data.allocation},
        )
        row = await TeamMember.select().where(TeamMember.id == member_id).first()
        assert row is not None  # inserted above, in this transaction
        return _member_out(row, worker)


async def _current_member(contract_id: int, member_id: int) -> dict[str, Any]:
    row = await TeamMember.select().where((TeamMember.id == member_id) & (TeamMember.contract == contract_id)).first()
    if row is None:
        raise NotFound(_("找不到该团队成员。"))
    if row["removed_at"] is not None:
        raise Conflict(_("该成员已不在团队中。"))
    return row


async def remove_member(user: CurrentUser, contract_id: int, member_id: int, data: RemoveIn) -> TeamOut:
    """The provider takes a member off the team (the row stays as history). Taking off
    the lead or supervisor the bid named is refused: that needs a replacement the buyer
    approves (rule 40)."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.team_keeper(user, contract).acting(user)
        _open(contract)
        row = await _current_member(contract_id, member_id)
        current = [r for r in await _team_rows(contract_id) if r["removed_at"] is None]
        workers = await _workers({r["worker"] for r in current})
        today = clock.today_local()
        promised = json.loads(contract["promised_team"] or "[]")
        subs = await _substitutions(contract_id)

        def named(rows: list[dict[str, Any]]) -> int:
            members = [_member(r, workers[r["worker"]]) for r in rows]
            return sum(1 for g in rules.promise_gaps(promised, members, subs, today) if g.code.startswith("named_"))

        if named([r for r in current if r["id"] != member_id]) > named(current):
            raise Conflict(_("该成员是投标承诺的项目负责人或督导，更换须提交更换申请并经采购人批准。"))
        await TeamMember.update(
            {TeamMember.removed_at: clock.now(), TeamMember.removed_by: user.id, TeamMember.removed_reason: data.reason}
        ).where(TeamMember.id == member_id)
        await audit.record(
            "staffing.member_removed",
            "contract",
            contract_id,
            actor=actor,
            before={"member": member_id, "worker": row["worker"], "role": row["role"]},
            after={"reason": data.reason},
        )
    return await get_team(user, contract_id)


async def request_replacement(user: CurrentUser, contract_id: int, data: ReplacementIn) -> ReplacementOut:
    """The provider asks to replace a member with a candidate from its roster, giving a
    reason (rule 40); nothing on the team changes until the buyer approves."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.team_keeper(user, contract).acting(user)
        _open(contract)
        member = await _current_member(contract_id, data.member_id)
        candidate = await _worker(data.candidate_id)
        _usable(candidate, contract, clock.today_local(), "candidate_id")
        if candidate["id"] == member["worker"]:
            raise ValidationFailed(field_errors={"candidate_id": _("候选人不能是被更换的成员本人。")})
        if member["role"] == TeamRole.SUPERVISOR and not candidate["supervisor_qualified"]:
            raise ValidationFailed(
                field_errors={"candidate_id": _("{name} 没有督导资格，不能接替督导。").format(name=candidate["name"])}
            )
        pending = await ReplacementRequest.exists().where(
            (ReplacementRequest.member == member["id"]) & (ReplacementRequest.status == ReplacementStatus.PENDING)
        )
        if pending:
            raise Conflict(_("该成员已有待审批的更换申请。"))
        inserted = await ReplacementRequest.insert(
            ReplacementRequest(
                contract=contract_id,
                member=member["id"],
                candidate=candidate["id"],
                reason=data.reason,
                status=ReplacementStatus.PENDING,
                requested_by=user.id,
                requested_at=clock.now(),
            )
        ).returning(ReplacementRequest.id)
        request_id = inserted[0]["id"]
        await audit.record(
            "staffing.replacement_requested",
            "contract",
            contract_id,
            actor=actor,
            after={"request": request_id, "member": member["id"], "candidate": candidate["id"], "reason": data.reason},
        )
        old = await _worker(member["worker"])
        await notify(
            "contract.replacement_requested",
            await party_users(contract, Party.BUYER),
            _message(contract, member, old, candidate, reason=data.reason),
        )
        return await _replacement_out(user, contract, await _request(contract_id, request_id))


async def _request(contract_id: int, request_id: int) -> dict[str, Any]:
    row = (
        await ReplacementRequest.select()
        .where((ReplacementRequest.id == request_id) & (ReplacementRequest.contract == contract_id))
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该更换申请。"))
    return row


async def decide_replacement(user: CurrentUser, contract_id: int, request_id: int, data: DecisionIn) -> ReplacementOut:
    """The buyer's officer approves a candidate of equal or higher level (levels that
    count today), or a lower one with a recorded justification; or refuses, which
    changes nothing. Approval ends the old membership and starts the candidate's in the
    same role and share, checked against the candidate's other contracts (rule 40,
    invariant 9)."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.replacement_decider(user, contract).acting(user)
        request = await _request(contract_id, request_id)
        now, today = clock.now(), clock.today_local()
        if data.decision == Decision.REFUSE:
            if len(data.note.strip()) < MIN_REFUSAL_NOTE:
                raise ValidationFailed(field_errors={"note": _("不予批准时请写明理由。")})
            await apply_transition(
                REPLACEMENT_TABLE,
                ReplacementRequest,
                request_id,
                request["status"],
                "refuse",
                actor,
                values={"decided_by": user.id, "decided_at": now, "decision_note": data.note.strip()},
                after={"note": data.note.strip()},
            )
            await _tell_decision(contract, request, _("未获批准"), data.note.strip())
            return await _replacement_out(user, contract, await _request(contract_id, request_id))
        REPLACEMENT_TABLE.decide(request["status"], "approve", actor)  # a decided request: 409 before any check
        _open(contract)
        member = await _current_member(contract_id, request["member"])
        old = await _worker(member["worker"])
        candidate = await _worker(request["candidate"], lock=True)
        _usable(candidate, contract, today, "candidate_id")
        old_level = rules.effective_level(old["level"], old["registration_expires"], today)
        new_level = rules.effective_level(candidate["level"], candidate["registration_expires"], today)
        exception = data.exception.strip()
        if not rules.replacement_level_ok(old_level, new_level) and len(exception) < MIN_EXCEPTION:
            raise ValidationFailed(
                field_errors={
                    "exception": _("候选人职业水平（{new}）低于原成员（{old}），批准须写明特殊理由。").format(
                        new=rules.level_label(new_level), old=rules.level_label(old_level)
                    )
                }
            )
        start = min(max(today, member["period_start"]), member["period_end"])
        new = rules.Allocation(start, member["period_end"], member["allocation"], contract_id)
        _check_capacity(await _allocations(candidate["id"]), new, candidate["name"])
        await TeamMember.update(
            {
                TeamMember.removed_at: now,
                TeamMember.removed_by: user.id,
                TeamMember.removed_reason: _("经批准更换"),
                TeamMember.replacement: request_id,
            }
        ).where(TeamMember.id == member["id"])
        inserted = await TeamMember.insert(
            TeamMember(
                contract=contract_id,
                worker=candidate["id"],
                role=member["role"],
                allocation=member["allocation"],
                period_start=start,
                period_end=member["period_end"],
                added_by=user.id,
                added_at=now,
                replacement=request_id,
            )
        ).returning(TeamMember.id)
        await apply_transition(
            REPLACEMENT_TABLE,
            ReplacementRequest,
            request_id,
            request["status"],
            "approve",
            actor,
            values={
                "decided_by": user.id,
                "decided_at": now,
                "exception": exception,
                "decision_note": data.note.strip(),
                "new_member": inserted[0]["id"],
            },
            after={"old_worker": old["id"], "new_worker": candidate["id"], "exception": exception},
        )
        await _tell_decision(contract, request, _("已获批准"), data.note.strip())
        return await _replacement_out(user, contract, await _request(contract_id, request_id))


def _message(
    contract: dict[str, Any], member: dict[str, Any], old: dict[str, Any], new: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return message_context(
        contract,
        role=TEAM_ROLE_LABELS[member["role"]],
        old=old["name"],
        new=new["name"],
        link=f"/contracts/{contract['id']}/team",
        **extra,
    )


async def _tell_decision(contract: dict[str, Any], request: dict[str, Any], outcome: str, note: str) -> None:
    member = await TeamMember.select().where(TeamMember.id == request["member"]).first()
    assert member is not None  # a request's member is never deleted (restrict)
    workers = await _workers({member["worker"], request["candidate"]})
    await notify(
        "contract.replacement_decided",
        await party_users(contract, Party.PROVIDER),
        _message(
            contract, member, workers[member["worker"]], workers[request["candidate"]], outcome=outcome, note=note
        ),
    )


# --------------------------------------------------------------------------- the team


def _member_out(row: dict[str, Any], worker: dict[str, Any]) -> MemberOut:
    """A member with the worker's details; the ID number always masked on a team."""
    return MemberOut(
        id=row["id"],
        worker=worker_out(worker),
        role=row["role"],
        role_label=TEAM_ROLE_LABELS[row["role"]],
        allocation=row["allocation"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        added_at=row["added_at"],
        removed_at=row["removed_at"],
        removed_reason=row["removed_reason"],
        current=row["removed_at"] is None,
    )


async def _replacement_out(user: CurrentUser, contract: dict[str, Any], row: dict[str, Any]) -> ReplacementOut:
    member = await TeamMember.select().where(TeamMember.id == row["member"]).first()
    assert member is not None  # a request's member is never deleted (restrict)
    workers = await _workers({member["worker"], row["candidate"]})
    old, candidate = workers[member["worker"]], workers[row["candidate"]]
    today = clock.today_local()
    level_ok = rules.replacement_level_ok(
        rules.effective_level(old["level"], old["registration_expires"], today),
        rules.effective_level(candidate["level"], candidate["registration_expires"], today),
    )
    decider = policies.replacement_decider(user, contract)
    actions = REPLACEMENT_TABLE.actions_for(row["status"], decider.acting(user)) if decider else []
    return ReplacementOut(
        id=row["id"],
        member_id=member["id"],
        old=worker_out(old),
        old_role=member["role"],
        candidate=worker_out(candidate),
        reason=row["reason"],
        status=row["status"],
        status_label=REPLACEMENT_TABLE.staff_label(row["status"]),
        level_ok=level_ok,
        exception=row["exception"],
        decision_note=row["decision_note"],
        requested_at=row["requested_at"],
        decided_at=row["decided_at"],
        actions=actions,
    )


async def get_team(user: CurrentUser, contract_id: int) -> TeamOut:
    """The team now, who was on it when, how it falls short of the requirements and the
    bid's promise today, and its replacement requests."""
    contract = await readable(user, contract_id)
    rows = await _team_rows(contract_id)
    workers = await _workers({r["worker"] for r in rows})
    current = [r for r in rows if r["removed_at"] is None]
    gaps = await _gaps(contract, [_member(r, workers[r["worker"]]) for r in current], clock.today_local())
    requests = (
        await ReplacementRequest.select()
        .where(ReplacementRequest.contract == contract_id)
        .order_by(ReplacementRequest.id, ascending=False)
    )
    return TeamOut(
        contract_id=contract_id,
        requirements=json.loads(contract["team_requirements"] or "{}"),
        promised=json.loads(contract["promised_team"] or "[]"),
        members=[_member_out(r, workers[r["worker"]]) for r in current],
        history=[_member_out(r, workers[r["worker"]]) for r in rows],
        gaps=[GapOut(kind=g.kind, code=g.code, message=g.message) for g in gaps],
        replacements=[await _replacement_out(user, contract, r) for r in requests],
        can_edit=bool(policies.team_keeper(user, contract)) and contract["status"] in OPEN_STATES,
        can_decide=bool(policies.replacement_decider(user, contract)),
    )


# --------------------------------------------------------------------------- workload


async def workload(user: CurrentUser, start: date | None = None, months: int = 12) -> WorkloadOut:
    """Who works on which contracts, as each month's highest total allocation (over 100 %
    flagged): every organization's workers for the bureau's staff, the organization's
    own for its members; and, per 社区 served, the project's social workers."""
    first = (start or clock.today_local()).replace(day=1)
    if not EARLIEST <= first <= LATEST:
        raise ValidationFailed(field_errors={"start": _("起始月份应在 2000 年至 2099 年之间。")})
    month_list = rules.months_from(first, months)
    last = rules.month_end(month_list[-1])
    query = TeamMember.select(
        TeamMember.worker,
        TeamMember.role,
        TeamMember.allocation,
        TeamMember.period_start,
        TeamMember.period_end,
        TeamMember.contract,
        TeamMember.contract.number.as_alias("number"),
        TeamMember.contract.title.as_alias("title"),
        TeamMember.contract.delivery_place.as_alias("place"),
        TeamMember.worker.organization.as_alias("organization"),
    ).where(
        TeamMember.removed_at.is_null()
        & TeamMember.contract.status.is_in(list(OPEN_STATES))
        & (TeamMember.period_start <= last)
        & (TeamMember.period_end >= first)
    )
    if not policies.sees_all_workload(user):
        if user.organization_id is None:
            raise NotFound(_("找不到该机构的社工名册。"))
        query = query.where(TeamMember.worker.organization == user.organization_id)
    rows = await query
    workers = await _workers({r["worker"] for r in rows})
    by_worker: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_worker.setdefault(r["worker"], []).append(r)
    out_rows = []
    for worker_id, items in sorted(by_worker.items(), key=lambda kv: workers[kv[0]]["name"]):
        allocations = [
            rules.Allocation(i["period_start"], i["period_end"], i["allocation"], i["contract"]) for i in items
        ]
        peaks = rules.monthly_peaks(allocations, month_list)
        out_rows.append(
            WorkloadRow(
                worker_id=worker_id,
                name=workers[worker_id]["name"],
                organization_id=workers[worker_id]["organization"],
                months=peaks,
                over=[p > rules.FULL_TIME for p in peaks],
                contracts=sorted(
                    {f"{i['number']} {i['title']}（{TEAM_ROLE_LABELS[i['role']]} {i['allocation']}%）" for i in items}
                ),
            )
        )
    communities: dict[str, tuple[set[str], set[str]]] = {}
    for r in rows:
        if r["role"] in rules.STAFF_ROLES and r["place"]:
            names, contracts = communities.setdefault(r["place"], (set(), set()))
            names.add(workers[r["worker"]]["name"])
            contracts.add(f"{r['number']} {r['title']}")
    return WorkloadOut(
        months=month_list,
        rows=out_rows,
        communities=[
            CommunityRow(community=place, workers=sorted(names), contracts=sorted(contracts))
            for place, (names, contracts) in sorted(communities.items())
        ],
    )


# --------------------------------------------------------------------------- to-do


EXPIRY_NOTICE_DAYS = 60  # a registration expiring this soon is listed


async def todo(user: CurrentUser) -> TodoOut:
    """What needs doing about teams (issue 13 §6): for an organization, registrations
    expired or expiring within 60 days, its contracts whose team falls short, and its
    replacement requests waiting; for a buyer's officer, its contracts whose team falls
    short and the replacements to decide."""
    today = clock.today_local()
    out = TodoOut(expiring=[], short_teams=[], replacements=[])
    if user.organization_id is None or user.role not in (Role.ORG_MEMBER, Role.OFFICER):
        return out
    if user.role == Role.ORG_MEMBER:
        soon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
        rows = await prepared.run(
            lambda org_id, soon: (
                SocialWorker.select()
                .where(
                    (SocialWorker.organization == org_id)
                    & (SocialWorker.employment == Employment.EMPLOYED)
                    & (SocialWorker.registration_expires <= soon)
                )
                .order_by(SocialWorker.registration_expires)
            ),
            user.organization_id,
            soon,
        )
        out.expiring = [worker_out(r, today=today) for r in rows]
    if user.role == Role.ORG_MEMBER:
        contracts = await prepared.run(
            lambda org_id: Contract.select().where(
                (Contract.provider == org_id) & Contract.status.is_in(list(OPEN_STATES))
            ),
            user.organization_id,
        )
    else:
        contracts = await prepared.run(
            lambda org_id: Contract.select().where(
                (Contract.buyer == org_id) & Contract.status.is_in(list(OPEN_STATES))
            ),
            user.organization_id,
        )
    gaps_of = await team_gaps_of(contracts)
    for contract in contracts:
        gaps = gaps_of[contract["id"]]
        if gaps:
            out.short_teams.append(
                ShortTeamOut(contract_id=contract["id"], title=contract["title"], gaps=[g.message for g in gaps])
            )
    if contracts:
        pending = await ReplacementRequest.select(ReplacementRequest.id, ReplacementRequest.contract).where(
            ReplacementRequest.contract.is_in([c["id"] for c in contracts])
            & (ReplacementRequest.status == ReplacementStatus.PENDING)
        )
        titles = {c["id"]: c["title"] for c in contracts}
        out.replacements = [
            PendingReplacementOut(id=p["id"], contract_id=p["contract"], title=titles[p["contract"]]) for p in pending
        ]
    return out
