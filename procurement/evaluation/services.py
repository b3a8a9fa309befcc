"""Use cases of evaluation panels: the expert pool, drawing a panel for an
opened tender (rule 19), replacing a member, and 回避声明 (rule 20, invariant 5).

Every draw stores its seed and its sorted candidates in the audit log, so
anyone can re-run ``rules.draw`` and get the same members. Each use case is
one transaction; every member status change goes through ``MEMBER_TABLE`` and
``apply_transition`` (conditional UPDATE and audit row in that transaction).
The tender moves to 评审中 through tenders, its owner.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any, cast

from piccolo.columns import Column

from procurement.accounts.states import Role
from procurement.accounts.tables import Organization, User
from procurement.bids.opening import open_tender
from procurement.bids.states import BidStatus
from procurement.bids.tables import Bid
from procurement.catalogue.states import CATEGORY_LABELS, Category
from procurement.core import audit, clock, db
from procurement.core.actors import Actor
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import _
from procurement.core.notify import notify
from procurement.core.transitions import apply_transition
from procurement.evaluation import access, chair, policies, ranking, rules, sheets, timing
from procurement.evaluation.schemas import (
    EmploymentIn,
    ExpertProfileIn,
    ExpertProfileOut,
    MyPanelOut,
    PanelMemberOut,
    PanelOut,
    RelationIn,
)
from procurement.evaluation.states import MEMBER_TABLE, SEATED, MemberKind, MemberStatus, SheetStatus
from procurement.evaluation.tables import ExpertProfile, Panel, PanelMember, ScoreSheet
from procurement.tenders import policies as tender_policies
from procurement.tenders import services as tenders
from procurement.tenders.states import TENDER_TABLE, TenderStatus
from procurement.tenders.tables import Tender

# Bids that took part in the opening (rule 20 looks at every one of their organizations).
OPENED_BID_STATES = [
    BidStatus.OPENED,
    BidStatus.QUALIFIED,
    BidStatus.DISQUALIFIED,
    BidStatus.RESPONSIVE,
    BidStatus.NONRESPONSIVE,
]


# --------------------------------------------------------------------------- expert pool


def _require_expert(user: CurrentUser) -> None:
    policies.expert(user).require()


def _require_bureau(user: CurrentUser) -> None:
    policies.pool_reader(user).require()


def _profile_out(user_row: dict[str, Any], profile: dict[str, Any] | None) -> ExpertProfileOut:
    if profile is None:
        return ExpertProfileOut(
            user_id=user_row["id"],
            username=user_row["username"],
            display_name=user_row["display_name"],
            has_profile=False,
            expertise=[],
            employer_name="",
            employer_organization_id=None,
            employment_history=[],
            declared_relations=[],
            available=False,
            updated_at=None,
        )
    return ExpertProfileOut(
        user_id=user_row["id"],
        username=user_row["username"],
        display_name=user_row["display_name"],
        has_profile=True,
        expertise=json.loads(profile["expertise"] or "[]"),
        employer_name=profile["employer_name"],
        employer_organization_id=profile["employer_organization"],
        employment_history=[
            EmploymentIn(**e).model_dump(mode="json", by_alias=True)
            for e in json.loads(profile["employment_history"] or "[]")
        ],
        declared_relations=[RelationIn(**r) for r in json.loads(profile["declared_relations"] or "[]")],
        available=profile["available"],
        updated_at=profile["updated_at"],
    )


async def list_experts(user: CurrentUser) -> list[ExpertProfileOut]:
    """The expert pool with each expert's fields and declared ties (bureau officers and administrators)."""
    _require_bureau(user)
    users = (
        await User.select(User.id, User.username, User.display_name).where(User.role == Role.EXPERT).order_by(User.id)
    )
    profiles = {p["user"]: p for p in await ExpertProfile.select()}
    return [_profile_out(u, profiles.get(u["id"])) for u in users]


async def get_my_expert_profile(user: CurrentUser) -> ExpertProfileOut:
    _require_expert(user)
    row = await User.select(User.id, User.username, User.display_name).where(User.id == user.id).first()
    if row is None:
        raise NotFound(_("找不到该专家。"))
    return _profile_out(row, await ExpertProfile.select().where(ExpertProfile.user == user.id).first())


async def update_expert_profile(user: CurrentUser, data: ExpertProfileIn) -> ExpertProfileOut:
    """The expert keeps their own entry: fields, employer, employment in the
    last years and relations to declare (rule 20 decides conflicts from them)."""
    _require_expert(user)
    named = (
        {data.employer_organization_id}
        | {e.organization_id for e in data.employment_history}
        | {r.organization_id for r in data.declared_relations}
    )
    org_ids = {org_id for org_id in named if org_id is not None}
    known = (
        {o["id"] for o in await Organization.select(Organization.id).where(Organization.id.is_in(list(org_ids)))}
        if org_ids
        else set()
    )
    if org_ids - known:
        raise ValidationFailed(
            field_errors={"organization_id": _("找不到编号为 {sorted} 的机构。").format(sorted=sorted(org_ids - known))}
        )
    dump = data.model_dump(mode="json", by_alias=True)
    values: dict[Column, Any] = {
        ExpertProfile.expertise: json.dumps(dump["expertise"]),
        ExpertProfile.employer_name: data.employer_name,
        ExpertProfile.employer_organization: data.employer_organization_id,
        ExpertProfile.employment_history: json.dumps(dump["employment_history"], ensure_ascii=False),
        ExpertProfile.declared_relations: json.dumps(dump["declared_relations"], ensure_ascii=False),
        ExpertProfile.available: data.available,
        ExpertProfile.updated_at: clock.now(),
    }
    async with db.transaction():
        if await ExpertProfile.exists().where(ExpertProfile.user == user.id):
            await ExpertProfile.update(cast(dict[Column | str, Any], values)).where(ExpertProfile.user == user.id)
        else:
            await ExpertProfile.insert(ExpertProfile(user=user.id, **{k._meta.name: v for k, v in values.items()}))
        await audit.record("expert.profile_updated", "app_user", user.id, actor=actor_of(user), after=dump)
    return await get_my_expert_profile(user)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _as_rule_expert(profile: dict[str, Any]) -> rules.Expert:
    return rules.Expert(
        user_id=profile["user"],
        expertise=frozenset(json.loads(profile["expertise"] or "[]")),
        employer_organization_id=profile["employer_organization"],
        employment=tuple(
            rules.Employment(
                role=e["role"],
                organization_id=e.get("organization_id"),
                name=e.get("name") or "",
                start=_parse_date(e.get("from")),
                end=_parse_date(e.get("to")),
            )
            for e in json.loads(profile["employment_history"] or "[]")
        ),
        relations=tuple(
            rules.Relation(
                kind=r["kind"],
                organization_id=r["organization_id"],
                person=r.get("person") or "",
                note=r.get("note") or "",
            )
            for r in json.loads(profile["declared_relations"] or "[]")
        ),
        available=profile["available"],
    )


async def _pool() -> list[rules.Expert]:
    """Every active expert account with a profile."""
    rows = await ExpertProfile.select(
        *ExpertProfile.all_columns(), ExpertProfile.user.is_active, ExpertProfile.user.role
    )
    return [_as_rule_expert(r) for r in rows if r["user.is_active"] and r["user.role"] == Role.EXPERT]


# --------------------------------------------------------------------------- panels


async def _tender(tender_id: int, *, lock: bool = False) -> dict[str, Any]:
    return await access.tender(tender_id, lock=lock)


def _buyer_officer(user: CurrentUser, tender: dict[str, Any]) -> Actor:
    return tender_policies.buyer_officer(user, tender, _("组建和调整本项目的评标委员会")).acting(user)


async def _bidders(tender_id: int) -> dict[int, str]:
    rows = await Bid.select(Bid.organization, Bid.organization.name).where(
        (Bid.tender == tender_id) & Bid.status.is_in(OPENED_BID_STATES)
    )
    return {r["organization"]: r["organization.name"] for r in rows}


async def draw_panel(
    user: CurrentUser, tender_id: int, size: int, include_buyer_rep: bool, buyer_rep_user_id: int | None = None
) -> PanelOut:
    """Draw the 评标委员会 of an opened tender at random from the pool (rule 19):
    experts of the tender's category, available, with no conflict with any
    bidder whose bid was opened (rule 20), once the buyer's 资格审查 of every
    opened bid is complete (rule 41). The members then elect their chair
    (``evaluation.chair``); the buyer's representative (a staff member of the
    buyer, by default the officer drawing) never chairs. Seed and candidates go
    to the audit log. The tender moves to 评审中."""
    await open_tender(tender_id)  # a tender past its opening time opens now, not at the next sweep
    try:
        async with db.transaction():
            tender = await _tender(tender_id, lock=True)
            actor = _buyer_officer(user, tender)
            if tender["status"] != TenderStatus.OPENED:
                raise Conflict(
                    _(
                        "项目当前状态为「{staff_label}」：评标委员会只能在开标后、评审开始前抽取（《政府采购货物和服务招标投标管理办法》第四十七条）。"
                    ).format(staff_label=TENDER_TABLE.staff_label(tender["status"]))
                )
            if await Panel.exists().where(Panel.tender == tender_id):
                raise Conflict(_("本项目的评标委员会已经抽取；如有专家回避，请对该成员执行「移出并补抽」。"))
            waiting = await Bid.count().where((Bid.tender == tender_id) & (Bid.status == BidStatus.OPENED))
            if waiting:
                raise Conflict(
                    _(
                        "还有 {n} 份投标尚未完成资格审查。资格审查由采购人在开标后进行，完成后才能组建评标委员会（《政府采购货物和服务招标投标管理办法》第四十四条）。"
                    ).format(n=waiting)
                )
            reps = 1 if include_buyer_rep else 0
            rep_id = None
            if include_buyer_rep:
                rep_id = buyer_rep_user_id or user.id
                rep = await User.select(User.organization, User.role, User.is_active).where(User.id == rep_id).first()
                if (
                    rep is None
                    or rep["organization"] != tender["buyer"]
                    or rep["role"] not in (Role.OFFICER, Role.FINANCE)
                    or not rep["is_active"]
                ):
                    raise ValidationFailed(
                        field_errors={"buyer_rep_user_id": _("采购人代表须为采购人本单位在职的工作人员账号。")}
                    )
            problems = rules.panel_size_problems(tender["method"], tender["total_budget_fen"], size, reps)
            if problems:
                raise ValidationFailed(field_errors={"size": "".join(problems)})
            bidders = await _bidders(tender_id)
            pool = rules.eligible_candidates(
                await _pool(), tender["category"], bidders, tender["buyer"], clock.today_local()
            )
            needed = size - reps
            if len(pool.candidates) < needed:
                label = CATEGORY_LABELS.get(Category(tender["category"]), tender["category"])
                raise Conflict(
                    _(
                        "符合条件的候选专家只有 {len} 名（熟悉「{label}」、可参加评审且与投标人无利害关系），不足以组成 {size} 人、其中专家 {needed} 名的评标委员会（《政府采购货物和服务招标投标管理办法》第四十七条）。请先扩充专家库。"
                    ).format(len=len(pool.candidates), label=label, size=size, needed=needed),
                    extra={"candidates": len(pool.candidates), "needed": needed},
                )
            seed = secrets.token_hex(16)
            drawn = rules.draw(pool.candidates, needed, seed)
            now = clock.now()
            panel_id = (
                await Panel.insert(
                    Panel(
                        tender=tender_id,
                        seed=seed,
                        candidates=json.dumps(pool.candidates),
                        created_by=user.id,
                        created_at=now,
                    )
                ).returning(Panel.id)
            )[0]["id"]
            for expert_id in drawn:
                await PanelMember.insert(
                    PanelMember(
                        panel=panel_id,
                        user=expert_id,
                        kind=MemberKind.EXPERT,
                        status=MemberStatus.DRAWN,
                        is_chair=False,  # the members elect the chair, or the buyer appoints one
                    )
                )
            if include_buyer_rep:
                await PanelMember.insert(
                    PanelMember(
                        panel=panel_id,
                        user=rep_id,
                        kind=MemberKind.BUYER_REP,
                        status=MemberStatus.DRAWN,
                        is_chair=False,
                    )
                )
            await tenders.start_evaluation(tender, actor, after={"panel_id": panel_id})
            await notify(
                "panel.drawn",
                drawn + ([rep_id] if rep_id else []),
                {"title": tender["title"], "link": f"/review/panels/{panel_id}"},
            )
            await audit.record(
                "panel.drawn",
                "panel",
                panel_id,
                actor=actor,
                after={
                    "tender_id": tender_id,
                    "seed": seed,
                    "candidates": pool.candidates,
                    "size": size,
                    "experts": needed,
                    "include_buyer_rep": include_buyer_rep,
                    "buyer_rep_user_id": rep_id,
                    "drawn": drawn,
                    "excluded": {str(k): v for k, v in sorted(pool.excluded.items())},
                    "bidders": sorted(bidders),
                },
            )
    except Exception as exc:
        if db.is_unique_violation(exc):  # two officers drew at the same moment: one panel wins
            raise Conflict(_("本项目的评标委员会已经抽取，请刷新查看。")) from exc
        raise
    return await get_panel(user, tender_id)


async def _panel_row(panel_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(Panel, Panel.id == panel_id)
    row = await Panel.select().where(Panel.id == panel_id).first()
    if row is None:
        raise NotFound(_("找不到该评标委员会。"))
    return row


async def _change_status(
    member: dict[str, Any], action: str, actor: Actor, values: dict, *, audit_action: str, after: dict | None = None
) -> str:
    """A seat's status changes through its table, with its audit row (invariant 3)."""
    return await apply_transition(
        MEMBER_TABLE,
        PanelMember,
        member["id"],
        member["status"],
        action,
        actor,
        values=values,
        audit_action=audit_action,
        before={"is_chair": member["is_chair"]},
        after=after,
    )


async def _replace(panel: dict[str, Any], removed: dict[str, Any], actor: audit.Actor) -> str:
    """Draw one replacement with a new seed from the candidates who have not yet
    sat on this panel. A removed chair's place is open again: the members elect
    anew (the proposals for the removed seat lapse)."""
    sat = {m["user"] for m in await PanelMember.select(PanelMember.user).where(PanelMember.panel == panel["id"])}
    remaining = sorted(set(json.loads(panel["candidates"])) - sat)
    if not remaining:
        await audit.record(
            "panel.replacement_unavailable",
            "panel",
            panel["id"],
            actor=actor,
            after={"replaces": removed["id"], "candidates": []},
        )
        return _(
            "候选专家已全部抽取，未能补抽；请扩充专家库后重新组建评标委员会（《政府采购货物和服务招标投标管理办法》第四十七条）。"
        )
    seed = secrets.token_hex(16)
    [expert_id] = rules.draw(remaining, 1, seed)
    new_id = (
        await PanelMember.insert(
            PanelMember(
                panel=panel["id"],
                user=expert_id,
                kind=MemberKind.EXPERT,
                status=MemberStatus.DRAWN,
                is_chair=False,
            )
        ).returning(PanelMember.id)
    )[0]["id"]
    await audit.record(
        "panel.replacement_drawn",
        "panel",
        panel["id"],
        actor=actor,
        after={
            "seed": seed,
            "candidates": remaining,
            "drawn": [expert_id],
            "member_id": new_id,
            "replaces": removed["id"],
            "chair": removed["is_chair"],
        },
    )
    tender = await Tender.select(Tender.title).where(Tender.id == panel["tender"]).first()
    assert tender is not None  # the panel's tender (foreign key, on delete restrict)
    title = tender["title"]
    await notify("panel.drawn", [expert_id], {"title": title, "link": f"/review/panels/{panel['id']}"})
    return ""


async def replace_panel_member(user: CurrentUser, member_id: int, reason: str) -> PanelOut:
    """The buyer's officer removes a member who must withdraw (rule 20) and one
    replacement is drawn at once from the remaining candidates."""
    async with db.transaction():
        member = await PanelMember.select().where(PanelMember.id == member_id).first()
        if member is None:
            raise NotFound(_("找不到该评标委员会成员。"))
        panel = await _panel_row(member["panel"], lock=True)
        tender = await _tender(panel["tender"])
        actor = _buyer_officer(user, tender)
        if tender["status"] != TenderStatus.EVALUATING:
            raise Conflict(
                _("项目当前状态为「{staff_label}」，评审已结束，不能再调整评标委员会。").format(
                    staff_label=TENDER_TABLE.staff_label(tender["status"])
                )
            )
        member = await PanelMember.select().where(PanelMember.id == member_id).first()  # fresh under the lock
        assert member is not None  # read above; seats are never deleted
        if member["kind"] != MemberKind.EXPERT:
            raise ValidationFailed(_("采购人代表由采购人指派，不通过抽取产生，不能补抽。"))
        await _change_status(
            member,
            "remove",
            actor,
            {PanelMember.removed_reason: reason, PanelMember.is_chair: False},
            audit_action="panel.member_removed",
            after={"reason": reason},
        )
        await chair.seat_left(panel["id"], member)
        note = await _replace(panel, member, actor)
    return await get_panel(user, panel["tender"], note=note)


async def declare(user: CurrentUser, panel_id: int, no_conflict: bool, note: str = "") -> PanelOut:
    """回避声明 (rule 20, invariant 5): a drawn expert declares no conflict, or a
    conflict, which removes them from the panel and draws a replacement."""
    async with db.transaction():
        panel = await _panel_row(panel_id, lock=True)
        member = (
            await PanelMember.select()
            .where((PanelMember.panel == panel_id) & (PanelMember.user == user.id))
            .order_by(PanelMember.id, ascending=False)
            .first()
        )
        actor = policies.seat_holder(user, member).acting(user)
        assert member is not None  # seat_holder refuses without a seat
        tender = await _tender(panel["tender"])
        if tender["status"] != TenderStatus.EVALUATING:
            raise Conflict(
                _("项目当前状态为「{staff_label}」，评审已结束，不能再作回避声明。").format(
                    staff_label=TENDER_TABLE.staff_label(tender["status"])
                )
            )
        now = clock.now()
        message = ""
        if no_conflict:
            await _change_status(
                member,
                "declare_no_conflict",
                actor,
                {PanelMember.declared_at: now},
                audit_action="panel.declared_no_conflict",
                after={"note": note},
            )
        else:
            reason = note or _("专家声明与投标人存在利害关系，主动回避（《政府采购法实施条例》第九条）。")
            await _change_status(
                member,
                "declare_conflict",
                actor,
                {PanelMember.declared_at: now, PanelMember.removed_reason: reason, PanelMember.is_chair: False},
                audit_action="panel.conflict_declared",
                after={"reason": reason},
            )
            await chair.seat_left(panel_id, member)
            if member["kind"] == MemberKind.EXPERT:
                message = await _replace(panel, member, actor)
            else:
                message = _(
                    "采购人代表已回避；请采购人另行指派代表，或在评标委员会中不设采购人代表（《政府采购货物和服务招标投标管理办法》第四十七条）。"
                )
    return await get_panel(user, panel["tender"], note=message)


async def decline(user: CurrentUser, panel_id: int, reason: str) -> PanelOut:
    """A drawn expert who cannot attend declines before declaring; a replacement is drawn at once."""
    async with db.transaction():
        panel = await _panel_row(panel_id, lock=True)
        member = (
            await PanelMember.select()
            .where((PanelMember.panel == panel_id) & (PanelMember.user == user.id))
            .order_by(PanelMember.id, ascending=False)
            .first()
        )
        if member is None or member["kind"] != MemberKind.EXPERT:
            raise PermissionDenied(_("只有被抽取的评审专家本人可以谢绝参加评审。"))
        actor = policies.seat_holder(user, member).acting(user)
        await _change_status(
            member,
            "decline",
            actor,
            {PanelMember.removed_reason: reason, PanelMember.is_chair: False, PanelMember.declared_at: clock.now()},
            audit_action="panel.member_declined",
            after={"reason": reason},
        )
        await chair.seat_left(panel_id, member)
        message = await _replace(panel, member, actor)
    return await get_panel(user, panel["tender"], note=message)


async def panel_by_id(user: CurrentUser, panel_id: int) -> PanelOut:
    return await get_panel(user, (await _panel_row(panel_id))["tender"])


async def get_panel(user: CurrentUser, tender_id: int, *, note: str = "") -> PanelOut:
    """The panel of a tender: for the buyer's staff, administrators and the panel's own experts."""
    tender = await _tender(tender_id)
    panel = await Panel.select().where(Panel.tender == tender_id).first()
    is_staff = bool(tender_policies.buyer_staff(user, tender))
    is_member = panel is not None and await PanelMember.exists().where(
        (PanelMember.panel == panel["id"]) & (PanelMember.user == user.id)
    )
    if not (is_staff or is_member or user.role == Role.ADMIN):
        raise PermissionDenied(_("评标委员会名单只向采购人、系统管理员和委员会成员公开。"))
    if panel is None:
        raise NotFound(_("本项目尚未抽取评标委员会。"))
    members = (
        await PanelMember.select(*PanelMember.all_columns(), PanelMember.user.display_name)
        .where(PanelMember.panel == panel["id"])
        .order_by(PanelMember.id)
    )
    seated = [m for m in members if m["status"] in SEATED]
    proposals = chair.tally(seated)
    return PanelOut(
        id=panel["id"],
        tender_id=tender_id,
        tender_title=tender["title"],
        seed=panel["seed"],
        candidates=json.loads(panel["candidates"]),
        created_at=panel["created_at"],
        chair_chosen_how=panel["chair_chosen_how"],
        chair_chosen_how_label=chair.HOW_LABELS[panel["chair_chosen_how"]] if panel["chair_chosen_how"] else "",
        votes_needed=chair.votes_needed(len(seated)),
        note=note,
        members=[
            PanelMemberOut(
                id=m["id"],
                kind=m["kind"],
                user_id=m["user"],
                display_name=m["user.display_name"] or (_("采购人代表") if m["kind"] == MemberKind.BUYER_REP else ""),
                status=m["status"],
                status_label=MEMBER_TABLE.staff_label(m["status"]),
                is_chair=m["is_chair"],
                chair_vote=m["chair_vote"],
                chair_votes=proposals.get(m["id"], 0),
                declared_at=m["declared_at"],
                removed_reason=m["removed_reason"],
            )
            for m in members
        ],
    )


async def my_panels(user: CurrentUser) -> list[MyPanelOut]:
    """The panels a person sits on (or sat on), newest first, with the work left."""
    seats = (
        await PanelMember.select(
            *PanelMember.all_columns(),
            PanelMember.panel.tender,
            PanelMember.panel.round,
            PanelMember.panel.report_delivered_at,
        )
        .where(PanelMember.user == user.id)
        .order_by(PanelMember.id, ascending=False)
    )
    out, seen = [], set()
    for seat in seats:
        if seat["panel"] in seen:
            continue  # a replaced and re-drawn seat: the newest one counts
        seen.add(seat["panel"])
        tender = (
            await Tender.select(Tender.id, Tender.title, Tender.reference_no, Tender.status)
            .where(Tender.id == seat["panel.tender"])
            .first()
        )
        assert tender is not None  # the panel's tender (foreign key, on delete restrict)
        bids = [
            b["id"]
            for b in await Bid.select(Bid.id).where((Bid.tender == tender["id"]) & (Bid.status == BidStatus.RESPONSIVE))
        ]
        submitted = await ScoreSheet.count().where(
            (ScoreSheet.member == seat["id"])
            & ScoreSheet.bid.is_in(bids or [0])
            & (ScoreSheet.round == seat["panel.round"])
            & (ScoreSheet.status == SheetStatus.SUBMITTED)
        )
        out.append(
            MyPanelOut(
                panel_id=seat["panel"],
                tender_id=tender["id"],
                tender_title=tender["title"],
                reference_no=tender["reference_no"],
                tender_status_label=TENDER_TABLE.staff_label(tender["status"]),
                member_id=seat["id"],
                kind=seat["kind"],
                status=seat["status"],
                status_label=MEMBER_TABLE.staff_label(seat["status"]),
                is_chair=seat["is_chair"],
                to_score=len(bids),
                submitted=submitted,
                report_delivered=seat["panel.report_delivered_at"] is not None,
            )
        )
    return out


# --------------------------------------------------------------------------- the owner's steps
#
# Awards changes a panel (and its sheets) only through this function.


async def reopen_after_revocation(tender_id: int, actor: Actor, *, re_evaluate: bool) -> int:
    """An upheld challenge revoked the award (rule 27). A new choice: the buyer has 5
    working days again (rule 26). A re-evaluation: the current round's sheets are
    superseded (kept), and the panel scores again in a new round and delivers a
    new report. Returns the panel's round now."""
    panel = await access.panel(tender_id, lock=True)
    values: dict[Any, Any] = {
        Panel.award_due_on: get_default_calendar().add_working_days(clock.today_local(), ranking.AWARD_WORKING_DAYS)
    }
    if re_evaluate:
        await sheets.supersede_round(panel, tender_id, actor)
        values.update(
            {
                Panel.round: panel["round"] + 1,
                Panel.scoring_ended_at: None,
                Panel.report_due_on: None,
                Panel.report_delivered_at: None,
                Panel.award_due_on: None,
                Panel.overdue_notified_at: None,
            }
        )
    await Panel.update(values).where(Panel.id == panel["id"])
    await timing.schedule(panel["id"])
    return panel["round"] + (1 if re_evaluate else 0)
