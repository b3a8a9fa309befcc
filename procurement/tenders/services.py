"""Use cases of tenders and 公益创投 calls, and the one owner of a tender's status.

One transaction each. A tender's status changes only here, through
``TENDER_TABLE`` and ``apply_transition`` (the row is locked first on
PostgreSQL): bids open it, evaluation starts and fails it, awards award and
revoke it by calling the functions of the "owner's steps" section below.
Public notices are written here too, in the same transaction as the step
they announce. What a higher sub-domain must do in reply (bid-bond refunds,
telling bidders) it does on the events emitted here (``core.events``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, cast

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from procurement.accounts.states import OrgKind, OrgStatus, Role
from procurement.accounts.tables import Organization, User
from procurement.catalogue import services as catalogue
from procurement.catalogue.states import CATEGORY_LABELS
from procurement.catalogue.tables import CatalogueItem
from procurement.core import audit, clock, db, events, i18n, public_pages
from procurement.core.actors import SYSTEM, Actor
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.calendar import WorkdayCalendar, get_default_calendar
from procurement.core.errors import DeadlinePassed, NotFound, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.portal_cache import PortalCache
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.system import services as system
from procurement.tenders import content, policies, rules
from procurement.tenders.schemas import (
    AmendTenderIn,
    AnswerPreviewOut,
    EligibilityIn,
    EvaluationSchemeIn,
    InstallmentIn,
    LotIn,
    LotOut,
    QuestionOut,
    TeamRequirementsIn,
    TenderFileOut,
    TenderIn,
    TenderList,
    TenderNoticeOut,
    TenderOut,
    TenderSummary,
    VentureTermsIn,
    VersionOut,
)
from procurement.tenders.states import (
    METHOD_LABELS,
    NOTICE_TYPE_LABELS,
    TENDER_TABLE,
    Method,
    NoticeType,
    TenderStatus,
    effective_status,
)
from procurement.tenders.tables import (
    Notice,
    Tender,
    TenderDocumentReceipt,
    TenderFile,
    TenderLot,
    TenderQuestion,
    TenderVersion,
)

METHOD_CODES = {
    Method.OPEN: "GKZB",
    Method.INVITED: "YQZB",
    Method.CONSULTATION: "JZCS",
    Method.NEGOTIATION: "JZTP",
    Method.SINGLE_SOURCE: "DYLY",
    Method.INQUIRY: "XJ",
    Method.VENTURE: "GYCT",
}
TENDER_COLUMNS = (*Tender.all_columns(), Tender.buyer.name, Tender.catalogue_item.name)

NOTIFICATIONS.update(
    {
        "tender.published": {
            "title": N_("新项目发布：{title}"),
            "body": N_(
                "您关注的服务类别「{category}」发布了新项目「{title}」（{method}，采购人：{buyer}）。投标（申报）截止时间：{deadline}（北京时间）。"
            ),
        },
    }
)

# --------------------------------------------------------------------------- reading


def _loads(text: str, default: Any) -> Any:
    return json.loads(text) if text else default


async def _load(tender_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(Tender, Tender.id == tender_id)
    row = await Tender.select(*TENDER_COLUMNS).where(Tender.id == tender_id).first()
    if row is None:
        raise NotFound(_("找不到该项目。"))
    return row


async def load(tender_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The tender row with its buyer's name (for the sub-domains above tenders)."""
    return await _load(tender_id, lock=lock)


def _current_status(row: dict[str, Any]) -> str:
    if row["status"] == TenderStatus.PUBLISHED:
        public_pages.changes_at(row["bid_deadline"])  # a page kept for the public shows it closed from then on
    return effective_status(row["status"], row["bid_deadline"], clock.now())


def _staff_view(user: CurrentUser | None, row: dict[str, Any]) -> bool:
    return bool(policies.staff_view(user, row))


async def _questions(tender_id: int) -> list[dict[str, Any]]:
    return (
        await TenderQuestion.select(*TenderQuestion.all_columns(), TenderQuestion.organization.name)
        .where(TenderQuestion.tender == tender_id)
        .order_by(TenderQuestion.id)
    )


async def _parts(tender_id: int) -> dict[str, Any]:
    """What the tender's page shows besides the tender row: its lots, questions, versions,
    attached files and notices."""
    return {
        "lots": await TenderLot.select().where(TenderLot.tender == tender_id).order_by(TenderLot.number),
        "questions": await _questions(tender_id),
        "versions": await TenderVersion.select(
            TenderVersion.version, TenderVersion.change_summary, TenderVersion.created_at
        )
        .where(TenderVersion.tender == tender_id)
        .order_by(TenderVersion.version),
        "files": await tender_files(tender_id),
        "notices": await _notice_rows(tender_id),
    }


async def _out(row: dict[str, Any], user: CurrentUser | None, parts: dict[str, Any] | None = None) -> TenderOut:
    staff = _staff_view(user, row)
    status = _current_status(row)
    if parts is None:
        parts = await _parts(row["id"])
    lots, questions, versions = parts["lots"], parts["questions"], parts["versions"]
    own_org = user.organization_id if user else None
    shown_questions = [
        QuestionOut(
            id=q["id"],
            question=q["question"],
            asked_at=q["asked_at"],
            answer=q["answer"],
            answered_at=q["answered_at"],
            asked_by_my_org=own_org == q["organization"],
            organization_name=q["organization.name"] if staff else None,
            notice_id=q["clarification_notice"],
        )
        for q in questions
        if staff or q["answered_at"] is not None or own_org == q["organization"]
    ]
    scheme = _loads(row["evaluation_scheme"], None)
    venture = _loads(row["venture_terms"], None)
    editor = policies.can_edit_tender(user, row)
    allowed = TENDER_TABLE.actions_for(status, editor.acting(user)) if user is not None and editor else []
    notes: dict[str, dict[str, str]] = {"blockers": {}, "warnings": {}}
    if staff and status == TenderStatus.DRAFT:  # as if published now
        blockers, warnings = _calendar_notes(
            row["method"],
            clock.now(),
            row["bid_deadline"],
            row["clarification_deadline"],
            row["documents_until"],
            await system.load_calendar(),
        )
        notes = {"blockers": blockers, "warnings": warnings}
    return TenderOut(
        id=row["id"],
        reference_no=row["reference_no"],
        title=row["title"],
        method=row["method"],
        method_label=METHOD_LABELS[Method(row["method"])],
        buyer_id=row["buyer"],
        buyer_name=row["buyer.name"],
        catalogue_item_id=row["catalogue_item"],
        catalogue_item_name=row["catalogue_item.name"],
        category=row["category"],
        category_label=CATEGORY_LABELS.get(row["category"], row["category"]),
        description=row["description"],
        status=status,
        status_label=TENDER_TABLE.staff_label(status) if staff else TENDER_TABLE.public_label(status),
        version=row["version"],
        total_budget_fen=row["total_budget_fen"],
        bid_bond_fen=row["bid_bond_fen"],
        contract_term_months=row["contract_term_months"],
        term_justification=row["term_justification"],
        method_justification=row["method_justification"],
        single_source_provider_id=row["single_source_provider"],
        invited_org_ids=_loads(row["invited_org_ids"], []),
        eligibility=EligibilityIn(**_loads(row["eligibility"], {})),
        team_requirements=TeamRequirementsIn(**_loads(row["team_requirements"], {})),
        evaluation_scheme=EvaluationSchemeIn(**scheme) if scheme else None,
        payment_schedule=[InstallmentIn(**i) for i in _loads(row["payment_schedule"], [])],
        venture_terms=VentureTermsIn(**venture) if venture else None,
        lots=[
            LotOut(
                id=lot["id"],
                number=lot["number"],
                name=lot["name"],
                budget_fen=lot["budget_fen"],
                max_price_fen=lot["max_price_fen"],
                description=lot["description"],
            )
            for lot in lots
        ],
        documents_until=row["documents_until"],
        clarification_deadline=row["clarification_deadline"],
        bid_deadline=row["bid_deadline"],
        opening_at=row["opening_at"],
        published_at=row["published_at"],
        cancelled_at=row["cancelled_at"],
        cancel_reason=row["cancel_reason"],
        buyer_address=row["buyer_address"],
        buyer_contact=row["buyer_contact"],
        buyer_phone=row["buyer_phone"],
        documents_method=row["documents_method"],
        documents_method_text=content.documents_method_text(row),
        opening_place=row["opening_place"],
        opening_place_text=content.opening_place_text(row),
        files=list(parts["files"]),
        allowed_actions=allowed,
        questions=shown_questions,
        versions=[VersionOut(**v) for v in versions],
        warnings=[*await _splitting_warnings(row), *notes["warnings"].values()] if staff else [],
        publish_blockers=list(notes["blockers"].values()),
    )


async def _splitting_warnings(row: dict[str, Any]) -> list[str]:
    """Rule 10: warn when one buyer's purchases of one catalogue item in one
    fiscal (calendar) year add up past the open-tender threshold (化整为零)."""
    if row["method"] in (Method.OPEN, Method.VENTURE):
        return []
    threshold = get_settings().open_tender_threshold_yuan * 100
    year = clock.to_local(row["created_at"]).year
    start = clock.to_utc(datetime(year, 1, 1))
    end = clock.to_utc(datetime(year + 1, 1, 1))
    siblings = await Tender.select(Tender.total_budget_fen).where(
        (Tender.buyer == row["buyer"])
        & (Tender.catalogue_item == row["catalogue_item"])
        & (Tender.status != TenderStatus.CANCELLED)
        & (Tender.created_at >= start)
        & (Tender.created_at < end)
    )
    total = sum(s["total_budget_fen"] for s in siblings)
    if total >= threshold and len(siblings) > 1:
        return [
            _(
                "本单位 {year} 年同一目录项目已采购合计 {format_yuan}，达到公开招标数额标准 {format_yuan2}：请确认没有化整为零规避公开招标。"
            ).format(year=year, format_yuan=format_yuan(total), format_yuan2=format_yuan(threshold))
        ]
    return []


async def get_tender(user: CurrentUser | None, tender_id: int) -> TenderOut:
    row = await _load(tender_id)
    if not policies.can_view_tender(user, row):
        raise NotFound(_("找不到该项目。"))
    return await _out(row, user)


# The tender's page reads per portal version (issue 11). The tender row, its lots, versions,
# files and notices change only with a tender, tender-file or notice write, each of which
# changes the version in its own transaction: lots are written with the tender row, a version
# with the tender's amendment, an answer to a question with its clarification notice. Asking
# a question changes nothing the version follows: so only the answered questions come from
# here, for the public; a signed-in user (staff, the asking organization) reads them afresh.
_PAGES = PortalCache(max_entries=256)
_PUBLIC_VIEWS = PortalCache(max_entries=256)


async def tender_page(user: CurrentUser | None, tender_id: int) -> tuple[TenderOut, list[TenderNoticeOut]]:
    """The tender as the user may see it, and every notice it published (the tender's page)."""

    async def read() -> tuple[dict[str, Any], dict[str, Any]]:
        row = await _load(tender_id)
        parts = await _parts(tender_id)
        parts["questions"] = [q for q in parts["questions"] if q["answered_at"] is not None]
        return row, parts

    row, parts = await _PAGES.get(tender_id, read)
    if not policies.can_view_tender(user, row):
        raise NotFound(_("找不到该项目。"))
    if user is None:  # the public's view depends on the version, the language and the clock's status
        key = (tender_id, id(i18n.active()), _current_status(row))
        tender = await _PUBLIC_VIEWS.get(key, lambda: _out(row, None, parts))
    else:
        tender = await _out(row, user, {**parts, "questions": await _questions(tender_id)})
    return tender, _notices_out(parts["notices"])


def _summary(row: dict[str, Any], staff: bool) -> TenderSummary:
    status = _current_status(row)
    return TenderSummary(
        id=row["id"],
        reference_no=row["reference_no"],
        title=row["title"],
        method=row["method"],
        method_label=METHOD_LABELS[Method(row["method"])],
        buyer_name=row["buyer.name"],
        category_label=CATEGORY_LABELS.get(row["category"], row["category"]),
        status=status,
        status_label=TENDER_TABLE.staff_label(status) if staff else TENDER_TABLE.public_label(status),
        total_budget_fen=row["total_budget_fen"],
        bid_deadline=row["bid_deadline"],
        published_at=row["published_at"],
    )


async def list_tenders(
    user: CurrentUser | None,
    *,
    mine: bool = False,
    open_only: bool = False,
    status: str | None = None,
    method: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> TenderList:
    """Tenders a person may see: their own bureau's (drafts included) or published ones."""
    query = Tender.select(*TENDER_COLUMNS)
    count = Tender.count()
    cond: Combinable
    if mine and user is not None and user.organization_id is not None:
        cond = Tender.buyer == user.organization_id
    else:
        cond = Tender.status != TenderStatus.DRAFT
    now = clock.now()
    if open_only:
        cond &= (Tender.status == TenderStatus.PUBLISHED) & (Tender.bid_deadline > now)
    if status:
        cond &= Tender.status == status
    if method:
        cond &= Tender.method == method
    rows = (
        await query.where(cond)
        .order_by(Tender.id, ascending=False)
        .limit(max(1, min(limit, 200)))
        .offset(max(0, offset))
    )
    staff = bool(mine and user and user.role in (Role.OFFICER, Role.FINANCE))
    return TenderList(items=[_summary(r, staff) for r in rows], total=await count.where(cond))


# --------------------------------------------------------------------------- validation


async def _validate(
    data: TenderIn, *, publish_at: datetime, check_timeline: bool = True, cal: WorkdayCalendar | None = None
) -> dict[str, Any]:
    """All rule checks of a tender; raises ValidationFailed naming each field."""
    errors, checked = await _check(data, publish_at=publish_at, check_timeline=check_timeline, cal=cal)
    if errors:
        raise ValidationFailed(field_errors=errors)
    return checked


async def check_tender(
    data: TenderIn, *, buyer_id: int | None, publish_at: datetime | None = None, timeline: bool = True
) -> dict[str, str]:
    """Every rule a tender of ``buyer_id`` breaks, as if published at ``publish_at`` (now),
    without saving anything: the form reports them together with the input errors. An
    amendment's timeline is checked by ``amend_tender`` itself (``timeline=False``)."""
    if buyer_id is not None:
        data = await with_buyer_contact(data, buyer_id)
    errors, _checked = await _check(data, publish_at=publish_at or clock.now(), check_timeline=timeline, cal=None)
    return errors


async def _check(
    data: TenderIn, *, publish_at: datetime, check_timeline: bool, cal: WorkdayCalendar | None
) -> tuple[dict[str, str], dict[str, Any]]:
    settings = get_settings()
    errors = rules.check_structure(data, open_tender_threshold_fen=settings.open_tender_threshold_yuan * 100)
    errors.update(rules.check_notice_contact(data))
    item = await CatalogueItem.select().where(CatalogueItem.id == data.catalogue_item_id).first()
    if item is None or not item["is_active"]:
        errors["catalogue_item_id"] = _("请选择指导性目录中的服务项目（《政府购买服务管理办法》第十条、第十一条）。")
    if data.invited_org_ids:
        found = await Organization.count().where(
            Organization.id.is_in(list(set(data.invited_org_ids)))
            & (Organization.kind == OrgKind.SOCIAL_ORG)
            & (Organization.status == OrgStatus.ACTIVE)
        )
        if found != len(set(data.invited_org_ids)):
            errors.setdefault("invited_org_ids", _("受邀机构中有不存在或未通过审核的社会组织。"))
    if data.single_source_provider_id is not None and not await Organization.exists().where(
        (Organization.id == data.single_source_provider_id)
        & (Organization.status == OrgStatus.ACTIVE)
        & (Organization.kind == OrgKind.SOCIAL_ORG)
    ):
        errors.setdefault("single_source_provider_id", _("指定的供应商不存在或未通过审核。"))
    times = _times(data)
    if check_timeline:
        errors.update(
            rules.check_timeline(
                data.method,
                publish_at,
                times["bid_deadline"],
                opening_at=times["opening_at_given"],
                clarification_deadline=times["clarification_deadline"],
                documents_until=times["documents_until"],
                cal=cal or get_default_calendar(),
                venture_min_days=settings.venture_min_call_days,
            )
        )
    return errors, {"item": item, **times}


def _times(data: TenderIn) -> dict[str, Any]:
    deadline = clock.to_utc(data.bid_deadline)
    clarification = clock.to_utc(data.clarification_deadline) if data.clarification_deadline else None
    if clarification is None:
        default = deadline - timedelta(days=get_settings().question_cutoff_days)
        clarification = default if default > clock.now() else None
    return {
        "bid_deadline": deadline,
        "opening_at_given": clock.to_utc(data.opening_at) if data.opening_at else None,
        "clarification_deadline": clarification,
        "documents_until": clock.to_utc(data.documents_until) if data.documents_until else None,
    }


async def buyer_contact_form(buyer_id: int | None) -> dict[str, str]:
    """The buyer organization's address, contact person and phone, named as the tender's
    fields (a new tender form starts from them)."""
    if buyer_id is None:
        return {}
    org = (
        await Organization.select(Organization.address, Organization.contact_name, Organization.contact_phone)
        .where(Organization.id == buyer_id)
        .first()
    )
    if org is None:
        return {}
    return {"buyer_address": org["address"], "buyer_contact": org["contact_name"], "buyer_phone": org["contact_phone"]}


async def with_buyer_contact(data: TenderIn, buyer_id: int) -> TenderIn:
    """The notice's address, contact person and phone default to the buyer organization's
    record (87号令 art. 13); what the officer typed for this tender stays."""
    if data.buyer_address and data.buyer_contact and data.buyer_phone:
        return data
    record = await buyer_contact_form(buyer_id)
    return data.model_copy(update={k: getattr(data, k) or v for k, v in record.items()})


async def calendar_for_form(years_ahead: int = 2) -> dict[str, Any]:
    """What the tender form's script needs to warn as the officer types (the server checks
    again on saving and publishing): the holidays on weekdays and the working weekends of
    the years whose holidays are known, and which years are known at all."""
    cal = await system.load_calendar()
    this_year = clock.today_local().year
    years = range(this_year - 1, this_year + years_ahead + 1)
    known = [y for y in years if cal.year_source(y) != "fallback"]
    first, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    return {
        "known_years": known,
        "unknown_years": [y for y in years if y not in known],
        "days_off": [d.isoformat() for d in cal.days_off(first, last) if d.year in known],
        "working_weekends": [d.isoformat() for d in cal.working_weekends(first, last) if d.year in known],
    }


def _calendar_notes(
    method: str,
    publish_at: datetime,
    bid_deadline: datetime | None,
    clarification_deadline: datetime | None,
    documents_until: datetime | None,
    cal: WorkdayCalendar,
) -> tuple[dict[str, str], dict[str, str]]:
    """What the holidays say about a timeline published at ``publish_at``: the years
    not entered that stop publication, and the deadlines on a weekend or holiday."""
    if bid_deadline is None:
        return {}, {}
    if documents_until == bid_deadline:
        documents_until = None  # the default: the deadline itself, warned about once
    days = rules.timeline_days(
        Method(method),
        clock.to_local(publish_at).date(),
        bid_deadline,
        clarification_deadline=clarification_deadline,
        documents_until=documents_until,
        cal=cal,
    )
    moments = {
        "bid_deadline": bid_deadline,
        "clarification_deadline": clarification_deadline,
        "documents_until": documents_until,
    }
    return rules.unknown_year_errors(Method(method), days, cal), rules.day_off_warnings(moments, cal)


async def calendar_notes(data: TenderIn, *, publish_at: datetime | None = None) -> dict[str, dict[str, str]]:
    """For the tender form: ``blockers`` (a year whose holidays nobody entered: the draft
    saves, publication waits) and ``warnings`` (a deadline on a weekend or holiday),
    each keyed by the field it concerns, against the calendar as stored now."""
    times = _times(data)
    blockers, warnings = _calendar_notes(
        data.method,
        publish_at or clock.now(),
        times["bid_deadline"],
        times["clarification_deadline"],
        times["documents_until"],
        await system.load_calendar(),
    )
    return {"blockers": blockers, "warnings": warnings}


def _columns(data: TenderIn, item: dict[str, Any], times: dict[str, Any]) -> dict[Any, Any]:
    dump = data.model_dump(mode="json")
    return {
        Tender.title: data.title,
        Tender.method: data.method,
        Tender.catalogue_item: data.catalogue_item_id,
        Tender.category: item["category"],
        Tender.description: data.description,
        Tender.total_budget_fen: sum(lot.budget_fen for lot in data.lots),
        Tender.bid_bond_fen: data.bid_bond_fen,
        Tender.contract_term_months: data.contract_term_months,
        Tender.term_justification: data.term_justification,
        Tender.method_justification: data.method_justification,
        Tender.single_source_provider: data.single_source_provider_id,
        Tender.invited_org_ids: json.dumps(sorted(set(data.invited_org_ids))),
        Tender.eligibility: json.dumps(dump["eligibility"], ensure_ascii=False),
        Tender.team_requirements: json.dumps(dump["team_requirements"], ensure_ascii=False),
        Tender.evaluation_scheme: json.dumps(_keyed(dump["evaluation_scheme"]), ensure_ascii=False)
        if data.evaluation_scheme
        else "",
        Tender.payment_schedule: json.dumps(dump["payment_schedule"], ensure_ascii=False),
        Tender.venture_terms: json.dumps(dump["venture_terms"], ensure_ascii=False) if data.venture_terms else "",
        Tender.bid_deadline: times["bid_deadline"],
        Tender.opening_at: times["bid_deadline"],
        Tender.clarification_deadline: times["clarification_deadline"],
        Tender.documents_until: times["documents_until"] or times["bid_deadline"],
        Tender.buyer_address: data.buyer_address,
        Tender.buyer_contact: data.buyer_contact,
        Tender.buyer_phone: data.buyer_phone,
        Tender.documents_method: data.documents_method,
        Tender.opening_place: data.opening_place,
    }


def _keyed(scheme: dict[str, Any]) -> dict[str, Any]:
    """Give every criterion a stable key (bids and score sheets refer to it)."""
    for n, criterion in enumerate(scheme.get("criteria", []), start=1):
        criterion["key"] = criterion.get("key") or f"c{n}"
    return scheme


async def _replace_lots(tender_id: int, data: TenderIn, *, published: bool = False) -> None:
    """Make the lots match ``data`` by number: update in place (bids refer to
    lots) and add new ones. A draft's lots may be removed; a published lot may
    not be removed by an amendment (whoever may have started a bid for it, the
    answer is the same, so it reveals nothing sealed): the tender is terminated
    and tendered again instead."""
    existing = {lot["number"]: lot for lot in await TenderLot.select().where(TenderLot.tender == tender_id)}
    for n, lot in enumerate(data.lots, start=1):
        values: dict[Column, Any] = {
            TenderLot.name: lot.name,
            TenderLot.budget_fen: lot.budget_fen,
            TenderLot.max_price_fen: lot.max_price_fen,
            TenderLot.description: lot.description,
        }
        if n in existing:
            await TenderLot.update(cast(dict[Column | str, Any], values)).where(TenderLot.id == existing[n]["id"])
        else:
            await TenderLot.insert(
                TenderLot(tender=tender_id, number=n, **{k._meta.name: v for k, v in values.items()})
            )
    removed = [number for number in existing if number > len(data.lots)]
    if removed and published:
        raise ValidationFailed(
            field_errors={
                "lots": _(
                    "第{removed}包已随采购公告发布，不能通过更正删除；如需取消该包，请终止项目后重新招标。"
                ).format(removed=removed[0])
            }
        )
    for number in removed:
        await TenderLot.delete().where(TenderLot.id == existing[number]["id"])


# --------------------------------------------------------------------------- changing


async def create_tender(user: CurrentUser, data: TenderIn) -> TenderOut:
    """A bureau officer drafts a tender or call; every rule is checked as if it were published now."""
    policies.can_create_tender(user).require()
    assert user.organization_id is not None  # a bureau officer (the policy above)
    data = await with_buyer_contact(data, user.organization_id)
    checked = await _validate(data, publish_at=clock.now())
    now = clock.now()
    async with db.transaction():
        values = {col._meta.name: v for col, v in _columns(data, checked["item"], checked).items()}
        inserted = await Tender.insert(
            Tender(
                **values,
                reference_no=f"tmp-{now.timestamp()}-{user.id}",
                buyer=user.organization_id,
                status=TenderStatus.DRAFT,
                version=1,
                created_by=user.id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Tender.id)
        tender_id = inserted[0]["id"]
        reference = f"{clock.to_local(now).year}-{METHOD_CODES[data.method]}-{tender_id:05d}"
        await Tender.update({Tender.reference_no: reference}).where(Tender.id == tender_id)
        await _replace_lots(tender_id, data)
        await audit.record(
            "tender.created",
            "tender",
            tender_id,
            actor=actor_of(user),
            after={"reference_no": reference, "title": data.title, "method": data.method},
        )
    return await get_tender(user, tender_id)


async def update_tender(user: CurrentUser, tender_id: int, data: TenderIn) -> TenderOut:
    """Change a draft. A published tender changes only by amendment (rule 16)."""
    async with db.transaction():
        row = await _load(tender_id, lock=True)
        actor = policies.can_edit_tender(user, row).acting(user)
        TENDER_TABLE.decide(_current_status(row), "update", actor)
        if data.method != row["method"]:
            raise ValidationFailed(
                field_errors={"method": _("采购方式创建后不能修改；如需更换，请终止本项目后重新创建。")}
            )
        data = await with_buyer_contact(data, row["buyer"])
        checked = await _validate(data, publish_at=clock.now())
        changed = (
            await Tender.update({**_columns(data, checked["item"], checked), Tender.updated_at: clock.now()})
            .where((Tender.id == tender_id) & (Tender.status == TenderStatus.DRAFT))
            .returning(Tender.id)
        )
        if not changed:
            raise ValidationFailed(_("该项目的状态刚被他人修改，请刷新后重试。"))
        await _replace_lots(tender_id, data)
        await audit.record(
            "tender.updated",
            "tender",
            tender_id,
            actor=actor,
            before=content.snapshot_summary(row),
            after={"title": data.title},
        )
    return await get_tender(user, tender_id)


def _as_input(row: dict[str, Any], lots: list[dict[str, Any]]) -> TenderIn:
    scheme = _loads(row["evaluation_scheme"], None)
    venture = _loads(row["venture_terms"], None)
    return TenderIn(
        title=row["title"],
        method=row["method"],
        catalogue_item_id=row["catalogue_item"],
        description=row["description"],
        lots=[
            LotIn(
                name=lot["name"],
                budget_fen=lot["budget_fen"],
                max_price_fen=lot["max_price_fen"],
                description=lot["description"],
            )
            for lot in lots
        ],
        bid_bond_fen=row["bid_bond_fen"],
        contract_term_months=row["contract_term_months"],
        term_justification=row["term_justification"],
        method_justification=row["method_justification"],
        single_source_provider_id=row["single_source_provider"],
        invited_org_ids=_loads(row["invited_org_ids"], []),
        eligibility=_loads(row["eligibility"], {}),
        team_requirements=_loads(row["team_requirements"], {}),
        evaluation_scheme=scheme,
        payment_schedule=_loads(row["payment_schedule"], []),
        venture_terms=venture,
        bid_deadline=row["bid_deadline"],
        clarification_deadline=row["clarification_deadline"],
        documents_until=row["documents_until"],
        buyer_address=row["buyer_address"],
        buyer_contact=row["buyer_contact"],
        buyer_phone=row["buyer_phone"],
        documents_method=row["documents_method"],
        opening_place=row["opening_place"],
    )


async def tender_input(user: CurrentUser, tender_id: int) -> TenderIn:
    """The tender as an editable input (the edit and amend forms start from it)."""
    row = await _load(tender_id)
    policies.can_edit_tender(user, row).require()
    lots = await TenderLot.select().where(TenderLot.tender == tender_id).order_by(TenderLot.number)
    return _as_input(row, lots)


async def _snapshot(tender_id: int) -> dict[str, Any]:
    row = await _load(tender_id)
    lots = await TenderLot.select().where(TenderLot.tender == tender_id).order_by(TenderLot.number)
    return {**_as_input(row, lots).model_dump(mode="json"), "version": row["version"]}


async def publish_tender(user: CurrentUser, tender_id: int) -> TenderOut:
    """Publish the notice (采购公告 / 公益创投征集公告); the timeline is checked
    again against the moment of publication (rules 12–16)."""
    now = clock.now()
    async with db.transaction():
        row = await _load(tender_id, lock=True)
        actor = policies.can_edit_tender(user, row).acting(user)
        TENDER_TABLE.decide(_current_status(row), "publish", actor)
        lots = await TenderLot.select().where(TenderLot.tender == tender_id).order_by(TenderLot.number)
        cal = await system.load_calendar()  # as stored now, whichever process an administrator used
        await _validate(_as_input(row, lots), publish_at=now, cal=cal)
        blockers, _warnings = _calendar_notes(
            row["method"], now, row["bid_deadline"], row["clarification_deadline"], row["documents_until"], cal
        )
        if blockers:
            raise ValidationFailed(field_errors=blockers)
        await apply_transition(
            TENDER_TABLE,
            Tender,
            tender_id,
            row["status"],
            "publish",
            actor,
            values={Tender.published_at: now, Tender.updated_at: now, Tender.next_check_at: row["bid_deadline"]},
            after={"published_at": now.isoformat()},
        )
        published = await _load(tender_id)
        snapshot = await _snapshot(tender_id)
        await TenderVersion.insert(
            TenderVersion(
                tender=tender_id,
                version=1,
                snapshot=json.dumps(snapshot, ensure_ascii=False, default=str),
                change_summary=_("首次发布"),
                created_by=user.id,
                created_at=now,
            )
        )
        notice_type = NoticeType.VENTURE_CALL if row["method"] == Method.VENTURE else NoticeType.PROCUREMENT
        await publish_notice(
            published,
            notice_type,
            content.publication_title(published),
            content.publication_text(
                published,
                lots,
                await TenderFile.select(TenderFile.name, TenderFile.sha256).where(TenderFile.tender == tender_id),
            ),
        )
        await _tell_followers(published)
    return await get_tender(user, tender_id)


async def _tell_followers(row: dict[str, Any]) -> None:
    """Issue 15 §3: the members of the organizations that follow the tender's category are
    told, once each, in the transaction of the publication. A tender only some may bid on
    tells only those: the invited organizations of 邀请招标, the named provider of 单一来源."""
    allowed: list[int] | None = None
    if row["method"] == Method.INVITED:
        allowed = [int(i) for i in _loads(row["invited_org_ids"], [])]
    elif row["method"] == Method.SINGLE_SOURCE:
        allowed = [row["single_source_provider"]] if row["single_source_provider"] else []
    await notify(
        "tender.published",
        await catalogue.follower_user_ids(row["category"], organizations=allowed),
        {
            "title": row["title"],
            "category": CATEGORY_LABELS.get(row["category"], row["category"]),
            "method": METHOD_LABELS.get(row["method"], row["method"]),
            "buyer": row["buyer.name"],
            "deadline": f"{clock.to_local(row['bid_deadline']):%Y-%m-%d %H:%M}",
            "link": f"/tenders/{row['id']}",
        },
    )


async def publish_notice(row: dict[str, Any], notice_type: str, title: str, text: str) -> int:
    """A public notice about the tender (公告), on the portal at once. Every notice
    goes through here, in the transaction of the step it announces."""
    inserted = await Notice.insert(
        Notice(
            notice_type=notice_type,
            tender=row["id"],
            tender_version=row["version"],
            buyer=row["buyer"],
            buyer_name=row["buyer.name"],
            method=row["method"],
            category=row["category"],
            title=title[:300],
            content=text,
            published_at=clock.now(),
        )
    ).returning(Notice.id)
    return inserted[0]["id"]


async def _askers(tender_id: int) -> list[int]:
    """Users of the organizations that asked a question; bids tells its own bidders
    (on ``tender.amended`` and ``tender.cancelled``), tenders never reads bids."""
    orgs = await TenderQuestion.select(TenderQuestion.organization).where(TenderQuestion.tender == tender_id)
    ids = {o["organization"] for o in orgs}
    if not ids:
        return []
    users = await User.select(User.id).where(User.organization.is_in(list(ids)) & (User.is_active == True))
    return [u["id"] for u in users]


async def amend_tender(user: CurrentUser, tender_id: int, data: AmendTenderIn) -> TenderOut:
    """An 更正公告: a new version with what changed. If less time than rule 16
    requires is left before the deadline, the deadline moves back and the
    notice says so."""
    now = clock.now()
    async with db.transaction():
        row = await _load(tender_id, lock=True)
        actor = policies.can_edit_tender(user, row).acting(user)
        TENDER_TABLE.decide(_current_status(row), "amend", actor)
        if data.method != row["method"]:
            raise ValidationFailed(field_errors={"method": _("采购方式不能通过更正修改。")})
        base = await with_buyer_contact(TenderIn(**data.model_dump(exclude={"change_note"})), row["buyer"])
        checked = await _validate(base, publish_at=row["published_at"], check_timeline=False)
        errors = rules.check_timeline(
            base.method,
            row["published_at"],
            checked["bid_deadline"],
            opening_at=checked["opening_at_given"],
            clarification_deadline=None,
            documents_until=None,
            cal=get_default_calendar(),
            venture_min_days=get_settings().venture_min_call_days,
        )
        if errors:
            raise ValidationFailed(field_errors=errors)
        if checked["bid_deadline"] <= now:
            raise ValidationFailed(field_errors={"bid_deadline": _("新的截止时间必须晚于现在。")})
        cal = await system.load_calendar()
        moved = rules.amended_deadline(base.method, now, checked["bid_deadline"], cal)
        if moved is not None:
            checked["bid_deadline"] = moved
            if checked["clarification_deadline"] and checked["clarification_deadline"] >= moved:
                checked["clarification_deadline"] = None
        # An 更正公告 is published too: its new timeline may not reach a year nobody entered.
        blockers, _warnings = _calendar_notes(
            base.method,
            row["published_at"],
            checked["bid_deadline"],
            checked["clarification_deadline"],
            checked["documents_until"],
            cal,
        )
        if blockers:
            raise ValidationFailed(field_errors=blockers)
        before = await _snapshot(tender_id)
        version = row["version"] + 1
        changed = (
            await Tender.update(
                {
                    **_columns(base, checked["item"], checked),
                    Tender.version: version,
                    Tender.updated_at: now,
                    Tender.next_check_at: checked["bid_deadline"],
                }
            )
            .where(
                (Tender.id == tender_id)
                & (Tender.status == TenderStatus.PUBLISHED)
                & (Tender.version == row["version"])
            )
            .returning(Tender.id)
        )
        if not changed:
            raise ValidationFailed(_("该项目刚被他人更正，请刷新后重试。"))
        await _replace_lots(tender_id, base, published=True)
        after = await _snapshot(tender_id)
        changes = content.describe_changes(before, after)
        extension = None
        if moved is not None:
            extension = _(
                "因本次更正发布时距投标截止不足规定时间（{amendment_rule_text}），投标截止及开标时间相应顺延至 {to_local:%Y-%m-%d %H:%M}。"
            ).format(amendment_rule_text=rules.amendment_rule_text(base.method), to_local=clock.to_local(moved))
        summary = "；".join(changes) or _("无实质内容变化")
        await TenderVersion.insert(
            TenderVersion(
                tender=tender_id,
                version=version,
                snapshot=json.dumps(after, ensure_ascii=False, default=str),
                change_summary=(data.change_note + "｜" + summary + ("｜" + extension if extension else ""))[:4000],
                created_by=user.id,
                created_at=now,
            )
        )
        amended = await _load(tender_id)
        await publish_notice(
            amended,
            NoticeType.AMENDMENT,
            _("{title}更正公告（第{version}次）").format(title=amended["title"], version=version - 1),
            content.amendment_text(amended, data.change_note, changes, extension),
        )
        # Bids made on an older version now need confirmation: bids derives it from the versions (rule 16).
        await audit.record(
            "tender.amend",
            "tender",
            tender_id,
            actor=actor,
            before={"version": row["version"], "bid_deadline": row["bid_deadline"].isoformat()},
            after={
                "version": version,
                "bid_deadline": checked["bid_deadline"].isoformat(),
                "changes": changes,
                "extended": moved is not None,
            },
        )
        message = {
            "title": amended["title"],
            "version": version,
            "link": f"/tenders/{tender_id}",
            "deadline": f"{clock.to_local(checked['bid_deadline']):%Y-%m-%d %H:%M}",
        }
        told = await _askers(tender_id)
        await notify("tender.amended", told, message)
        await events.emit("tender.amended", tender_id=tender_id, message=message, told=frozenset(told))
    return await get_tender(user, tender_id)


async def cancel_tender(user: CurrentUser, tender_id: int, reason: str) -> TenderOut:
    """Terminate a tender (终止公告). A draft is withdrawn without any notice."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(field_errors={"reason": _("请填写终止理由，它会在终止公告中公开。")})
    now = clock.now()
    async with db.transaction():
        row = await _load(tender_id, lock=True)
        actor = policies.can_edit_tender(user, row).acting(user)
        TENDER_TABLE.decide(_current_status(row), "cancel", actor)
        await apply_transition(
            TENDER_TABLE,
            Tender,
            tender_id,
            row["status"],
            "cancel",
            actor,
            values={
                Tender.cancelled_at: now,
                Tender.cancel_reason: reason,
                Tender.next_check_at: None,
                Tender.updated_at: now,
            },
            after={"reason": reason},
        )
        if row["status"] != TenderStatus.DRAFT:
            cancelled = await _load(tender_id)
            await publish_notice(
                cancelled,
                NoticeType.TERMINATION,
                _("{title}终止公告").format(title=row["title"]),
                content.termination_text(cancelled, reason),
            )
            message = {"title": row["title"], "reason": reason, "link": f"/tenders/{tender_id}"}
            told = await _askers(tender_id)
            await notify("tender.cancelled", told, message)
            # Bids schedules the bid-bond refunds (rule 29) and tells its bidders.
            await events.emit("tender.cancelled", tender_id=tender_id, at=now, message=message, told=frozenset(told))
    return await get_tender(user, tender_id)


# --------------------------------------------------------------------------- the owner's steps
#
# The other sub-domains change a tender's status only through these functions.


def next_check(row: dict[str, Any]) -> datetime | None:
    """When this tender next waits on time: its deadline while published, its
    opening once closed (design.md, Time-driven work); nothing after that."""
    if row["status"] == TenderStatus.PUBLISHED:
        return row["bid_deadline"]
    if row["status"] == TenderStatus.CLOSED:
        return row["opening_at"]
    return None


async def close_if_due(tender_id: int) -> bool:
    """投标截止 (invariant 10): a published tender whose deadline has passed closes,
    by the system, once. Reads already treat it as closed before this runs."""
    async with db.transaction():
        row = await _load(tender_id, lock=True)
        return await _close_locked(row, clock.now())


async def _close_locked(row: dict[str, Any], now: datetime) -> bool:
    """Close ``row`` (read under its lock) if its deadline has passed; its next check,
    the opening, is written by the same UPDATE."""
    if row["status"] != TenderStatus.PUBLISHED or row["bid_deadline"] is None or row["bid_deadline"] > now:
        return False
    await apply_transition(
        TENDER_TABLE,
        Tender,
        row["id"],
        row["status"],
        "close",
        SYSTEM,
        values={Tender.next_check_at: row["opening_at"], Tender.updated_at: now},
    )
    return True


async def _close_step(tender_id: int) -> Due:
    """The closing sweep's step: the sweep holds the row's lock already (scheduler._take),
    so the columns the decision needs are read once, without the joins of ``_load``."""
    row = await Tender.select(Tender.id, *_CLOSE_READS).where(Tender.id == tender_id).first()
    if row is None:
        return Due(False, None)
    return await _close_taken(row)


async def _close_taken(row: dict[str, Any]) -> Due:
    """The closing step of a row the sweep locked and read (``CLOSE_DUE.reads``)."""
    if await _close_locked(row, clock.now()):
        return Due(True, row["opening_at"], stored=True)
    return Due(False, next_check(row))


_CLOSE_READS = (Tender.status, Tender.bid_deadline, Tender.opening_at)

# Each item closes its own tender (issue 11): the sweep's claim of a row reads what the
# decision needs and takes the audit chain's lock, so items queue on that lock from their
# claim to their commit; two at once overlap one's round trips with the other's wait (measured:
# 2 as fast as 4 or faster, 8 slower).
CLOSE_DUE = DueSweep(
    "tenders.close_due",
    Tender,
    _close_step,
    concurrency=2,
    taken=_close_taken,
    reads=tuple(c._meta.name for c in _CLOSE_READS),
    audited=True,
)


async def close_due_tenders() -> int:
    """Sweep: close every published tender whose deadline has passed (invariant 10),
    each in its own transaction, by the tender's ``next_check_at``."""
    return await run_due(CLOSE_DUE)


async def record_opening(tender_id: int, *, after: dict[str, Any]) -> dict[str, Any]:
    """开标 by the system at the opening time: bids unseals, tenders moves the
    status (closing first if the deadline sweep has not run). Returns the row."""
    await close_if_due(tender_id)
    row = await _load(tender_id, lock=True)
    await apply_transition(
        TENDER_TABLE,
        Tender,
        tender_id,
        row["status"],
        "open",
        SYSTEM,
        values={Tender.next_check_at: None, Tender.updated_at: clock.now()},
        after=after,
    )
    return await _load(tender_id)


async def start_evaluation(tender: dict[str, Any], actor: Actor, *, after: dict[str, Any]) -> None:
    """The buyer's officer draws the panel: the tender is under evaluation."""
    await apply_transition(
        TENDER_TABLE,
        Tender,
        tender["id"],
        tender["status"],
        "start_evaluation",
        actor,
        values={Tender.updated_at: clock.now()},
        after=after,
    )


async def fail_tender(
    tender: dict[str, Any], reason: str, actor: Actor, *, audit_extra: dict[str, Any] | None = None
) -> bool:
    """废标 (rule 18): the status, the 废标公告, and ``tender.failed`` so that bids
    schedules the bid-bond refunds. At the opening (the system) or during the
    evaluation (the buyer's officer, or the system when the review leaves too few
    bids). False if the tender had already moved on."""
    now = clock.now()
    row = await _load(tender["id"], lock=True)
    if row["status"] not in (TenderStatus.OPENED, TenderStatus.EVALUATING):
        return False
    await apply_transition(
        TENDER_TABLE,
        Tender,
        row["id"],
        row["status"],
        "fail",
        actor,
        values={Tender.updated_at: now},
        audit_action="tender.fail",
        after={"reason": reason, **(audit_extra or {})},
    )
    await publish_notice(
        row, NoticeType.FAILURE, _("{title}废标公告").format(title=row["title"]), content.failure_text(row, reason)
    )
    await events.emit("tender.failed", tender_id=row["id"], at=now)
    return True


async def mark_awarded(tender: dict[str, Any], actor: Actor, *, deemed: bool, after: dict[str, Any]) -> None:
    """定标 (rule 26) by the buyer's officer, or deemed by the system for 磋商."""
    await apply_transition(
        TENDER_TABLE,
        Tender,
        tender["id"],
        tender["status"],
        "deem_award" if deemed else "award",
        actor,
        values={Tender.updated_at: clock.now()},
        after=after,
    )


async def reopen_evaluation(tender: dict[str, Any], actor: Actor, *, after: dict[str, Any]) -> None:
    """An upheld challenge (rule 27) takes the award back: the tender is under evaluation again."""
    await apply_transition(
        TENDER_TABLE,
        Tender,
        tender["id"],
        tender["status"],
        "revoke_award",
        actor,
        values={Tender.updated_at: clock.now()},
        after=after,
    )


async def tender_files(tender_id: int) -> list[TenderFileOut]:
    """The full tender documents attached to the tender, oldest first (public like the notice)."""
    rows = await TenderFile.select().where(TenderFile.tender == tender_id).order_by(TenderFile.id)
    return [
        TenderFileOut(
            id=r["id"],
            name=r["name"],
            sha256=r["sha256"],
            size=r["size"],
            doc_type=r["doc_type"],
            uploaded_at=r["uploaded_at"],
            url=f"/tenders/{tender_id}/files/{r['id']}",
        )
        for r in rows
    ]


async def _notice_rows(tender_id: int) -> list[dict[str, Any]]:
    return (
        await Notice.select(Notice.id, Notice.notice_type, Notice.title, Notice.published_at)
        .where(Notice.tender == tender_id)
        .order_by(Notice.id)
    )


async def notices_for_tender(tender_id: int) -> list[TenderNoticeOut]:
    """Every notice the tender published, oldest first."""
    return _notices_out(await _notice_rows(tender_id))


def _notices_out(rows: list[dict[str, Any]]) -> list[TenderNoticeOut]:
    """The notices in the language of the request (the labels are translated here)."""
    return [
        TenderNoticeOut(
            id=r["id"],
            notice_type=r["notice_type"],
            notice_type_label=NOTICE_TYPE_LABELS.get(r["notice_type"], r["notice_type"]),
            title=r["title"],
            published_at=r["published_at"],
        )
        for r in rows
    ]


# --------------------------------------------------------------------------- obtaining the documents


async def record_documents_obtained(user: CurrentUser | None, row: dict[str, Any]) -> None:
    """A member of a social organization downloads the tender documents (the generated
    招标文件 or an attached file): the first time is kept, once per organization, for the
    质疑 period against the documents (rule 27, 《政府采购法实施条例》第五十三条).
    Others (the public, bureau staff) leave no trace; a draft is never obtained."""
    if (
        user is None
        or user.role != Role.ORG_MEMBER
        or user.organization_id is None
        or row["status"] == TenderStatus.DRAFT
    ):
        return
    async with db.transaction():
        await TenderDocumentReceipt.insert(
            TenderDocumentReceipt(
                tender=row["id"], organization=user.organization_id, obtained_at=clock.now(), obtained_by=user.id
            )
        ).on_conflict(target=(TenderDocumentReceipt.tender, TenderDocumentReceipt.organization), action="DO NOTHING")


async def documents_obtained_on(tender_id: int, organization_id: int) -> date | None:
    """The Beijing day the organization first obtained the tender's documents, or None
    if it never did (the 质疑 period then runs from the end of the documents period)."""
    row = (
        await TenderDocumentReceipt.select(TenderDocumentReceipt.obtained_at)
        .where((TenderDocumentReceipt.tender == tender_id) & (TenderDocumentReceipt.organization == organization_id))
        .first()
    )
    return clock.to_local(row["obtained_at"]).date() if row else None


# --------------------------------------------------------------------------- clarifications


async def ask_question(user: CurrentUser, tender_id: int, question: str) -> QuestionOut:
    """A social organization asks privately; the bureau answers publicly (答疑)."""
    policies.can_ask_question(user).require()
    question = (question or "").strip()
    if not 5 <= len(question) <= 2000:
        raise ValidationFailed(field_errors={"question": _("问题应为 5–2000 个字。")})
    now = clock.now()
    async with db.transaction():
        row = await _load(tender_id)
        if row["status"] == TenderStatus.DRAFT:
            raise NotFound(_("找不到该项目。"))
        if _current_status(row) != TenderStatus.PUBLISHED:
            raise DeadlinePassed(_("该项目已截止或已终止，不再接受提问。"))
        if row["clarification_deadline"] is not None and now >= row["clarification_deadline"]:
            raise DeadlinePassed(
                _("答疑已于 {to_local:%Y-%m-%d %H:%M} 截止，不再接受提问。").format(
                    to_local=clock.to_local(row["clarification_deadline"])
                )
            )
        inserted = await TenderQuestion.insert(
            TenderQuestion(
                tender=tender_id,
                organization=user.organization_id,
                asked_by=user.id,
                question=question,
                asked_at=now,
            )
        ).returning(TenderQuestion.id)
        await audit.record(
            "tender.question_asked", "tender", tender_id, actor=actor_of(user), after={"question_id": inserted[0]["id"]}
        )
        officers = await User.select(User.id).where(
            (User.organization == row["buyer"]) & (User.role == Role.OFFICER) & (User.is_active == True)
        )
        await notify(
            "tender.question",
            [o["id"] for o in officers],
            {"title": row["title"], "link": f"/bureau/tenders/{tender_id}#questions"},
        )
    return QuestionOut(
        id=inserted[0]["id"], question=question, asked_at=now, answer="", answered_at=None, asked_by_my_org=True
    )


def _answer_text(answer: str) -> str:
    answer = (answer or "").strip()
    if not 2 <= len(answer) <= 5000:
        raise ValidationFailed(field_errors={"answer": _("答复应为 2–5000 个字。")})
    return answer


async def _question_to_answer(user: CurrentUser, question_id: int, *, lock: bool) -> tuple[dict, dict, Actor]:
    question = await TenderQuestion.select().where(TenderQuestion.id == question_id).first()
    if question is None:
        raise NotFound(_("找不到该问题。"))
    row = await _load(question["tender"], lock=lock)
    actor = policies.can_edit_tender(user, row).acting(user)
    TENDER_TABLE.decide(_current_status(row), "answer", actor)
    if question["answered_at"] is not None:
        raise ValidationFailed(_("该问题已经答复过了；如需更正，请发布更正公告。"))
    return question, row, actor


async def preview_answer(user: CurrentUser, question_id: int, answer: str) -> AnswerPreviewOut:
    """The 澄清公告 exactly as the public will read it if published now, and whether it
    moves the deadline (rule 16); nothing is saved. The officer confirms on this."""
    answer = _answer_text(answer)
    question, row, _actor = await _question_to_answer(user, question_id, lock=False)
    moved = rules.amended_deadline(Method(row["method"]), clock.now(), row["bid_deadline"], get_default_calendar())
    shown = {**row, "bid_deadline": moved or row["bid_deadline"]}
    return AnswerPreviewOut(
        question_id=question_id,
        tender_id=row["id"],
        question=question["question"],
        answer=answer,
        title=content.clarification_title(row),
        content=content.clarification_text(shown, question["question"], answer, moved),
        deadline_moved_to=moved,
    )


async def answer_question(user: CurrentUser, question_id: int, answer: str) -> TenderOut:
    """Publish an answer as a 澄清公告 on the portal (the asker stays anonymous). A
    clarification that comes too close to the deadline moves the deadline back (rule 16)."""
    answer = _answer_text(answer)
    now = clock.now()
    async with db.transaction():
        question, row, actor = await _question_to_answer(user, question_id, lock=True)
        done = (
            await TenderQuestion.update(
                {
                    TenderQuestion.answer: answer,
                    TenderQuestion.answered_by: user.id,
                    TenderQuestion.answered_at: now,
                }
            )
            .where((TenderQuestion.id == question_id) & TenderQuestion.answered_at.is_null())
            .returning(TenderQuestion.id)
        )
        if not done:
            raise ValidationFailed(_("该问题已经答复过了；如需更正，请发布更正公告。"))
        moved = rules.amended_deadline(Method(row["method"]), now, row["bid_deadline"], get_default_calendar())
        if moved is not None:
            await Tender.update(
                {
                    Tender.bid_deadline: moved,
                    Tender.opening_at: moved,
                    Tender.next_check_at: moved,
                    Tender.updated_at: now,
                }
            ).where(Tender.id == row["id"])
        answered = await _load(row["id"])
        notice_id = await publish_notice(
            answered,
            NoticeType.CLARIFICATION,
            content.clarification_title(answered),
            content.clarification_text(answered, question["question"], answer, moved),
        )
        await TenderQuestion.update({TenderQuestion.clarification_notice: notice_id}).where(
            TenderQuestion.id == question_id
        )
        await audit.record(
            "tender.question_answered",
            "tender",
            row["id"],
            actor=actor,
            after={
                "question_id": question_id,
                "notice_id": notice_id,
                "deadline_moved_to": moved.isoformat() if moved else None,
            },
        )
        askers = await User.select(User.id).where(User.organization == question["organization"])
        await notify(
            "tender.answered",
            [a["id"] for a in askers],
            {"title": row["title"], "link": f"/notices/{notice_id}"},
        )
    return await get_tender(user, row["id"])


async def retender(user: CurrentUser, tender_id: int) -> TenderOut:
    """After 废标 or termination (rule 18), start again: a new draft with the same
    content; the officer sets a new timeline (or, with approval, another method)."""
    row = await _load(tender_id)
    policies.can_edit_tender(user, row).require()
    if row["status"] not in (TenderStatus.FAILED, TenderStatus.CANCELLED):
        raise ValidationFailed(_("只有废标或已终止的项目可以重新招标。"))
    lots = await TenderLot.select().where(TenderLot.tender == tender_id).order_by(TenderLot.number)
    data = _as_input(row, lots).model_dump()
    day = clock.local_now().date() + timedelta(days=30)
    data.update(
        title=_("{title}（重新招标）").format(title=row["title"]),
        clarification_deadline=None,
        documents_until=None,
        bid_deadline=datetime(day.year, day.month, day.day, 9, 30),
    )
    return await create_tender(user, TenderIn(**data))


# --------------------------------------------------------------------------- for the contracts package


async def lot_record(lot_id: int) -> dict[str, Any]:
    """A lot of a tender (its name, budget, description), for the contract made from its award."""
    row = await TenderLot.select().where(TenderLot.id == lot_id).first()
    if row is None:
        raise NotFound(_("找不到该采购包。"))
    return row


async def publish_contract_notice(tender_id: int, title: str, text: str) -> int:
    """The 合同公告 of a contract signed for this tender (《政府采购法实施条例》第五十条), or the
    public notice of its termination, on the portal at once; the contracts package writes
    the text, tenders writes the notice (it owns notices)."""
    row = await _load(tender_id)
    return await publish_notice(row, NoticeType.CONTRACT, title, text)
