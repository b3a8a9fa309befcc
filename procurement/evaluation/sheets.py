"""Score sheets (rules 21–25, invariants 5 and 6).

A member who declared no conflict scores each qualified bid on the tender's
own criteria, within their bounds; drafts are private. Submitting locks the
sheet; only then does the member see the others' submitted sheets for that
bid (confidentiality). A locked score changes only through a correction for
one of the four reasons of rule 25, which keeps the old and the new value,
who and why. The price score is never typed: it is computed (rule 22).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, cast

from piccolo.columns import Column

from procurement.accounts.tables import User
from procurement.bids import services as bid_services
from procurement.bids.states import BidStatus
from procurement.bids.tables import Bid
from procurement.core import audit, clock, db
from procurement.core.actors import Actor
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.money import format_yuan
from procurement.core.transitions import apply_transition
from procurement.evaluation import access, policies, review, scoring, timing
from procurement.evaluation.schemas import (
    BidForScoringOut,
    CorrectionIn,
    CorrectionOut,
    CriterionOut,
    ScoreSheetIn,
    ScoreSheetOut,
    SheetProgress,
)
from procurement.evaluation.states import (
    CORRECTION_REASON_LABELS,
    MEMBER_TABLE,
    SHEET_TABLE,
    CorrectionReason,
    MemberStatus,
    SheetStatus,
)
from procurement.evaluation.tables import BidReview, Panel, PanelMember, ScoreCorrection, ScoreSheet
from procurement.tenders.states import TenderStatus

REPORT_WORKING_DAYS = 2  # rule 26: the report reaches the buyer within 2 working days
KIND_LABELS = Labels({scoring.OBJECTIVE: N_("客观分"), scoring.SUBJECTIVE: N_("主观分")})


def criteria_out(scheme: access.Scheme) -> list[CriterionOut]:
    return [
        CriterionOut(
            key=c.key,
            name=c.name,
            max_points=c.max_points,
            kind=c.kind,
            kind_label=KIND_LABELS.get(c.kind, c.kind),
            guidance=c.guidance,
        )
        for c in scheme.criteria
    ]


def as_rule_sheet(row: dict[str, Any]) -> scoring.Sheet:
    return scoring.Sheet(
        member_id=row["member"], bid_id=row["bid"], scores={k: Decimal(v) for k, v in json.loads(row["scores"]).items()}
    )


async def corrections(sheet_ids: list[int]) -> dict[int, list[CorrectionOut]]:
    if not sheet_ids:
        return {}
    rows = (
        await ScoreCorrection.select(*ScoreCorrection.all_columns())
        .where(ScoreCorrection.sheet.is_in(sheet_ids))
        .order_by(ScoreCorrection.id)
    )
    names = {
        u["id"]: u["display_name"]
        for u in await User.select(User.id, User.display_name).where(
            User.id.is_in(list({r["corrected_by"] for r in rows}) or [0])
        )
    }
    out: dict[int, list[CorrectionOut]] = {}
    for r in rows:
        out.setdefault(r["sheet"], []).append(
            CorrectionOut(
                criterion_key=r["criterion_key"],
                old_points=r["old_points"],
                new_points=r["new_points"],
                reason=r["reason"],
                reason_label=CORRECTION_REASON_LABELS[CorrectionReason(r["reason"])],
                explanation=r["explanation"],
                corrected_by=names.get(r["corrected_by"], ""),
                corrected_at=r["corrected_at"],
            )
        )
    return out


def sheet_out(
    row: dict[str, Any] | None,
    member: dict[str, Any],
    bid_id: int,
    round_: int,
    corrections: list[CorrectionOut] | None = None,
) -> ScoreSheetOut:
    name = member.get("user.display_name") or ""
    if row is None:
        return ScoreSheetOut(
            id=None,
            member_id=member["id"],
            member_name=name,
            bid_id=bid_id,
            round=round_,
            status=SheetStatus.DRAFT,
            status_label=_("尚未评分"),
            scores={},
            comments={},
            recommended_fen=None,
            submitted_at=None,
            corrections=[],
        )
    return ScoreSheetOut(
        id=row["id"],
        member_id=member["id"],
        member_name=name,
        bid_id=bid_id,
        round=row["round"],
        status=row["status"],
        status_label=SHEET_TABLE.staff_label(row["status"]),
        scores=json.loads(row["scores"]),
        comments=json.loads(row["comments"]),
        recommended_fen=row["recommended_fen"],
        submitted_at=row["submitted_at"],
        corrections=corrections or [],
    )


async def my_sheets(user: CurrentUser, tender_id: int) -> dict[int, ScoreSheetOut]:
    """The member's own sheets of the current round, by bid (no bid content decrypted)."""
    panel = await access.panel(tender_id)
    member = await access.declared_member(user, panel["id"])
    member = {**member, "user.display_name": user.display_name}
    rows = await ScoreSheet.select().where((ScoreSheet.member == member["id"]) & (ScoreSheet.round == panel["round"]))
    history = await corrections([r["id"] for r in rows])
    bids = await qualified_bids(tender_id)
    by_bid = {r["bid"]: r for r in rows}
    return {
        b: sheet_out(by_bid.get(b), member, b, panel["round"], history.get(by_bid[b]["id"]) if b in by_bid else None)
        for b in bids
    }


async def _scorable_bid(bid_id: int) -> dict[str, Any]:
    bid = await Bid.select(*Bid.all_columns(exclude=[Bid.draft])).where(Bid.id == bid_id).first()
    if bid is None or bid["status"] not in review.IN_REVIEW:
        # A sealed bid answers like a missing one, whoever asks (invariant 2).
        raise NotFound(_("找不到该投标，或该投标未参加开标。"))
    return bid


async def bid_for_scoring(user: CurrentUser, bid_id: int) -> BidForScoringOut:
    """One bid as a member scores it: the opened content, the criteria with bounds,
    the member's own sheet and, once it is submitted, the others' (confidentiality)."""
    bid = await _scorable_bid(bid_id)
    tender = await access.tender(bid["tender"])
    panel = await access.panel(bid["tender"])
    member = await access.declared_member(user, panel["id"])  # invariant 5, before any content
    if bid["status"] != BidStatus.RESPONSIVE:
        raise Conflict(_("该投标未通过资格审查和符合性审查（或尚未审查），不进入评分。"))
    content = await bid_services.get_bid(user, bid_id)
    scheme = access.scheme_of(tender)
    prices = await access.opened_prices(bid["tender"])
    member = {**member, "user.display_name": user.display_name}
    rows = await ScoreSheet.select().where((ScoreSheet.bid == bid_id) & (ScoreSheet.round == panel["round"]))
    mine_row = next((r for r in rows if r["member"] == member["id"]), None)
    history = await corrections([r["id"] for r in rows])
    mine = sheet_out(mine_row, member, bid_id, panel["round"], history.get(mine_row["id"]) if mine_row else None)
    hidden = mine.status != SheetStatus.SUBMITTED
    others: list[ScoreSheetOut] = []
    if not hidden:
        seated = {m["id"]: m for m in await access.seated_members(panel["id"])}
        others = [
            sheet_out(r, seated[r["member"]], bid_id, panel["round"], history.get(r["id"]))
            for r in rows
            if r["member"] != member["id"] and r["status"] == SheetStatus.SUBMITTED and r["member"] in seated
        ]
    flags = await review.low_price_flags(bid["tender"])
    rev = await BidReview.select().where(BidReview.bid == bid_id).first()
    return BidForScoringOut(
        bid_id=bid_id,
        tender_id=tender["id"],
        tender_title=tender["title"],
        panel_id=panel["id"],
        organization_name=content.organization_name,
        lot_name=content.lot_name,
        amount_fen=prices.get(bid_id, 0),
        amount=format_yuan(prices.get(bid_id, 0)),
        price_scored=scheme.price_scored,
        venture=access.is_venture(tender),
        criteria=criteria_out(scheme),
        answers=content.content.answers,
        note=content.content.note,
        team=[t.model_dump(mode="json") for t in content.content.team],
        documents=[d.model_dump(mode="json") for d in content.documents],
        low_price_flagged=bid_id in flags,
        explanation=rev["explanation"] if rev else "",
        mine=mine,
        others=others,
        others_hidden=hidden,
    )


async def save_sheet(user: CurrentUser, bid_id: int, data: ScoreSheetIn) -> BidForScoringOut:
    """Save a draft, or submit and lock (rules 21–22, 25). Every score lies within its
    criterion's bounds; 0 and full marks need a comment; 公益创投 needs a
    recommended amount no higher than the request."""
    async with db.transaction():
        bid = await _scorable_bid(bid_id)
        tender = await access.tender(bid["tender"], lock=True)
        panel = await access.panel(bid["tender"])
        member = await access.declared_member(user, panel["id"])
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("评分"))
        if panel["report_delivered_at"] is not None:
            raise Conflict(_("评审报告已提交，评分已结束。"))
        if bid["status"] != BidStatus.RESPONSIVE:
            raise Conflict(_("该投标未通过资格审查和符合性审查（或尚未审查），不进入评分。"))
        scheme = access.scheme_of(tender)
        if not scheme.uses_sheets:
            raise Conflict(
                _(
                    "本项目采用最低评标价法，按评审价格排序，不需要评分（《政府采购货物和服务招标投标管理办法》第五十六条、第五十七条）。"
                )
            )
        errors = scoring.sheet_problems(scheme.criteria, data.scores, data.comments, complete=data.submit)
        venture = access.is_venture(tender)
        if venture:
            requested = (await access.opened_prices(bid["tender"])).get(bid_id, 0)
            if data.recommended_fen is None and data.submit:
                errors["recommended_fen"] = _("请填写建议资助金额。")
            elif data.recommended_fen is not None and data.recommended_fen > requested:
                errors["recommended_fen"] = _("建议资助金额不得超过申请资助额 {format_yuan}。").format(
                    format_yuan=format_yuan(requested)
                )
        elif data.recommended_fen is not None:
            errors["recommended_fen"] = _("只有公益创投项目需要填写建议资助金额。")
        if errors:
            raise ValidationFailed(field_errors=errors)
        scores = {k: str(scoring.parse_points(v)) for k, v in data.scores.items() if str(v).strip() != ""}
        comments = {k: v for k, v in data.comments.items() if v.strip()}
        row = (
            await ScoreSheet.select()
            .where(
                (ScoreSheet.member == member["id"]) & (ScoreSheet.bid == bid_id) & (ScoreSheet.round == panel["round"])
            )
            .first()
        )
        actor = policies.declared_member(user, member).acting(user)
        status = row["status"] if row else SheetStatus.DRAFT
        action = "submit" if data.submit else "save"
        SHEET_TABLE.decide(status, action, actor)  # a submitted sheet is locked (409)
        now = clock.now()
        values: dict[Column, Any] = {
            ScoreSheet.scores: json.dumps(scores),
            ScoreSheet.comments: json.dumps(comments, ensure_ascii=False),
            ScoreSheet.recommended_fen: data.recommended_fen,
            ScoreSheet.updated_at: now,
        }
        if row is None:
            try:
                sheet_id = (
                    await ScoreSheet.insert(
                        ScoreSheet(
                            member=member["id"],
                            bid=bid_id,
                            round=panel["round"],
                            status=SheetStatus.DRAFT,
                            **{k._meta.name: v for k, v in values.items()},
                        )
                    ).returning(ScoreSheet.id)
                )[0]["id"]
            except Exception as exc:
                if db.is_unique_violation(exc):
                    raise Conflict(_("评分表刚刚被保存过，请刷新后重试。")) from exc
                raise
        else:
            sheet_id = row["id"]
            changed = (
                await ScoreSheet.update(cast(dict[Column | str, Any], values))
                .where((ScoreSheet.id == sheet_id) & (ScoreSheet.status == SheetStatus.DRAFT))
                .returning(ScoreSheet.id)
            )
            if not changed:
                raise Conflict(
                    _("评分表已提交并锁定，只能按《政府采购货物和服务招标投标管理办法》第六十四条规定的情形更正。")
                )
        if data.submit:
            await apply_transition(
                SHEET_TABLE,
                ScoreSheet,
                sheet_id,
                SheetStatus.DRAFT,
                "submit",
                actor,
                values={ScoreSheet.submitted_at: now},
                audit_action="score_sheet.submitted",
                entity_type="bid",
                after={
                    "bid_id": bid_id,
                    "sheet_id": sheet_id,
                    "member_id": member["id"],
                    "round": panel["round"],
                    "scores": scores,
                    "recommended_fen": data.recommended_fen,
                },
            )
            await _mark_scoring_end(panel, tender)
    return await bid_for_scoring(user, bid_id)


async def qualified_bids(tender_id: int) -> list[int]:
    """The bids the panel scores: those that passed both reviews (rule 41)."""
    return [
        b["id"]
        for b in await Bid.select(Bid.id).where((Bid.tender == tender_id) & (Bid.status == BidStatus.RESPONSIVE))
    ]


async def _mark_scoring_end(panel: dict[str, Any], tender: dict[str, Any]) -> None:
    """When every seated member has submitted every qualified bid, the evaluation has
    ended and the report is due within 2 working days (rule 26)."""
    if not await scoring_complete(panel, tender):
        return
    now = clock.now()
    due = get_default_calendar().add_working_days(clock.to_local(now).date(), REPORT_WORKING_DAYS)
    await Panel.update({Panel.scoring_ended_at: now, Panel.report_due_on: due}).where(
        (Panel.id == panel["id"]) & Panel.scoring_ended_at.is_null()
    )
    await timing.schedule(panel["id"])


async def scoring_complete(panel: dict[str, Any], tender: dict[str, Any]) -> bool:
    members = await access.seated_members(panel["id"])
    bids = await qualified_bids(tender["id"])
    if not bids or any(m["status"] != MemberStatus.DECLARED_NO_CONFLICT for m in members):
        return False
    if await Bid.exists().where((Bid.tender == tender["id"]) & Bid.status.is_in(list(review.UNDER_REVIEW))):
        return False  # 符合性审查 not finished (rule 41)
    if not access.scheme_of(tender).uses_sheets:
        return True
    submitted = await ScoreSheet.count().where(
        ScoreSheet.member.is_in([m["id"] for m in members])
        & ScoreSheet.bid.is_in(bids)
        & (ScoreSheet.round == panel["round"])
        & (ScoreSheet.status == SheetStatus.SUBMITTED)
    )
    return submitted == len(members) * len(bids)


async def correct_score(user: CurrentUser, sheet_id: int, data: CorrectionIn) -> BidForScoringOut:
    """Rule 25, invariant 6: change a submitted score only for one of the four reasons,
    keeping the old value, the new value, who and why."""
    async with db.transaction():
        sheet = await ScoreSheet.select().where(ScoreSheet.id == sheet_id).first()
        if sheet is None:
            raise NotFound(_("找不到该评分表。"))
        bid = await _scorable_bid(sheet["bid"])
        tender = await access.tender(bid["tender"], lock=True)
        panel = await access.panel(bid["tender"])
        member = await access.declared_member(user, panel["id"])
        if member["id"] != sheet["member"]:
            raise PermissionDenied(_("只能更正本人提交的评分（其他成员的评分由其本人更正）。"))
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("更正评分"))
        if panel["report_delivered_at"] is not None:
            raise Conflict(_("评审报告已提交，不能再更正评分。"))
        if sheet["round"] != panel["round"]:
            raise Conflict(_("该评分表属于已被重新评审取代的轮次，不能更正。"))
        actor = policies.declared_member(user, member).acting(user)
        SHEET_TABLE.decide(sheet["status"], "correct", actor)  # a draft is simply edited
        scheme = access.scheme_of(tender)
        criterion = scheme.criterion(data.criterion_key)
        if criterion is None:
            raise ValidationFailed(field_errors={"criterion_key": _("评审因素不存在。")})
        if data.reason == CorrectionReason.OBJECTIVE_INCONSISTENT and criterion.kind != scoring.OBJECTIVE:
            raise ValidationFailed(
                field_errors={
                    "reason": _(
                        "「{name}」是主观评审因素，不适用「客观评审因素评分不一致」（《政府采购货物和服务招标投标管理办法》第六十四条）。"
                    ).format(name=criterion.name)
                }
            )
        scores = json.loads(sheet["scores"])
        comments = json.loads(sheet["comments"])
        problems = scoring.sheet_problems(
            [criterion],
            {criterion.key: data.new_points},
            {criterion.key: comments.get(criterion.key, "") or data.explanation},
            complete=True,
        )
        if problems:
            raise ValidationFailed(field_errors={"new_points": problems[criterion.key]})
        new = str(scoring.parse_points(data.new_points))
        old = scores.get(criterion.key, "")
        if old and Decimal(old) == Decimal(new):
            raise ValidationFailed(field_errors={"new_points": _("新分值与原分值相同，无需更正。")})
        scores[criterion.key] = new
        now = clock.now()
        changed = (
            await ScoreSheet.update({ScoreSheet.scores: json.dumps(scores), ScoreSheet.updated_at: now})
            .where(
                (ScoreSheet.id == sheet_id)
                & (ScoreSheet.status == SheetStatus.SUBMITTED)
                & (ScoreSheet.scores == sheet["scores"])
            )
            .returning(ScoreSheet.id)
        )
        if not changed:
            raise Conflict(_("该评分表刚刚被更正过，请刷新后重试。"))
        await ScoreCorrection.insert(
            ScoreCorrection(
                sheet=sheet_id,
                criterion_key=criterion.key,
                old_points=old,
                new_points=new,
                reason=data.reason,
                explanation=data.explanation,
                corrected_by=user.id,
                corrected_at=now,
            )
        )
        await audit.record(
            "score_sheet.corrected",
            "score_sheet",
            sheet_id,
            actor=actor,
            before={"criterion": criterion.key, "points": old},
            after={"criterion": criterion.key, "points": new, "reason": data.reason, "explanation": data.explanation},
        )
    return await bid_for_scoring(user, sheet["bid"])


async def progress(panel: dict[str, Any], tender_id: int) -> list[SheetProgress]:
    """Each member's declaration and how many sheets they submitted (no scores)."""
    members = (
        await PanelMember.select(*PanelMember.all_columns(), PanelMember.user.display_name)
        .where(PanelMember.panel == panel["id"])
        .order_by(PanelMember.id)
    )
    bids = await qualified_bids(tender_id)
    rows = await ScoreSheet.select(ScoreSheet.member, ScoreSheet.status).where(
        ScoreSheet.bid.is_in(bids or [0]) & (ScoreSheet.round == panel["round"])
    )
    out = []
    for m in members:
        mine = [r for r in rows if r["member"] == m["id"]]
        out.append(
            SheetProgress(
                member_id=m["id"],
                member_name=m["user.display_name"] or _("采购人代表"),
                kind=m["kind"],
                is_chair=m["is_chair"],
                status=m["status"],
                status_label=MEMBER_TABLE.staff_label(m["status"]),
                submitted=sum(r["status"] == SheetStatus.SUBMITTED for r in mine),
                drafts=sum(r["status"] == SheetStatus.DRAFT for r in mine),
                total=len(bids),
            )
        )
    return out


async def supersede_round(panel: dict[str, Any], tender_id: int, actor: Actor) -> int:
    """Re-evaluation after an upheld challenge (rule 27): every sheet of the panel's
    current round is superseded, each with its audit row; the history stays."""
    bids = [b["id"] for b in await Bid.select(Bid.id).where(Bid.tender == tender_id)]
    rows = await ScoreSheet.select(ScoreSheet.id, ScoreSheet.status).where(
        (ScoreSheet.round == panel["round"])
        & ScoreSheet.bid.is_in(bids or [0])
        & ScoreSheet.status.is_in([SheetStatus.DRAFT, SheetStatus.SUBMITTED])
    )
    for row in rows:
        await apply_transition(
            SHEET_TABLE, ScoreSheet, row["id"], row["status"], "supersede", actor, after={"round": panel["round"]}
        )
    return len(rows)
