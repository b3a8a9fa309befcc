"""Web pages of bidding: an organization's bid workspace, its bids, the bid
form with its documents, receipts and the eligibility profile; the public
receipt check; the opening record; the bureau's bid-bond list.

Thin: each handler parses the form, calls the service and renders; a refusal
shows the same page again with the message (``form_action``). The flat form
fields (yuan amounts, ``answers.<key>``, ``team.<i>.<field>``, repeated
profile rows) become the service's input models here and nowhere else.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Response
from pydantic import BaseModel

from procurement.accounts.states import Role
from procurement.bids import bonds, documents, opening, profiles, services
from procurement.bids.schemas import (
    BidContentIn,
    BondPaymentIn,
    ConfirmProfileIn,
    CreateBidIn,
    EligibilityProfileIn,
    EligibilityProfileOut,
    ListKind,
    ProfileFilter,
    ReportStatus,
    ReturnProfileIn,
    TeamRole,
    VerifyReceiptIn,
)
from procurement.bids.services import OPENED_STATES
from procurement.core import clock, money
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.storage import content_disposition
from procurement.core.web import form_action, page, parse_form, pdf_response, redirect, require_user, uploaded_bytes
from procurement.settings import get_settings
from procurement.tenders import services as tenders
from procurement.tenders.eligibility_terms import annual_report_year_for
from procurement.tenders.schemas import REGISTRATION_TYPE_LABELS, WORKER_LEVEL_LABELS, Grade, WorkerLevel
from procurement.tenders.states import Method

Form = URLEncodedBody[dict[str, Any]]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
T = TypeVar("T", bound=BaseModel)

TEAM_ROWS = 8
TEAM_FIELDS = ("name", "level", "role", "certificate_no")
MONEY_FIELDS = ("price", "requested", "matching", "project_budget")
PROFILE_ROWS = {"list_entries": ("list", "entered_on", "removed_on"), "violations": ("date", "description")}

LABELS: dict[str, Any] = {
    "registration": REGISTRATION_TYPE_LABELS,
    "worker_level": Labels({**WORKER_LEVEL_LABELS.source(), WorkerLevel.NONE: N_("未持证")}),
    "team_role": Labels(
        {TeamRole.LEAD: N_("项目负责人"), TeamRole.MEMBER: N_("成员"), TeamRole.SUPERVISOR: N_("督导")}
    ),
    "grade": {g.value: g.value for g in Grade},
    "report": Labels(
        {
            ReportStatus.PASSED: N_("已报送并通过"),
            ReportStatus.FAILED: N_("未通过"),
            ReportStatus.NOT_FILED: N_("未报送"),
        }
    ),
    "list_kind": Labels(
        {
            ListKind.ABNORMAL: N_("活动异常名录"),
            ListKind.DISHONEST: N_("严重违法失信名单"),
            ListKind.BLACKLIST: N_("采购人（征集方）黑名单"),
        }
    ),
}


# --------------------------------------------------------------------------- form <-> input


def _rows(
    form: dict[str, Any], prefix: str, fields: tuple[str, ...], limit: int, filled_by: tuple[str, ...] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """The filled rows of a repeated group (``prefix.<i>.<field>``), with their form index.
    A row counts when one of ``filled_by`` (default: any field) has a value."""
    out = []
    for i in range(limit):
        row = {f: str(form.get(f"{prefix}.{i}.{f}", "") or "").strip() for f in fields}
        if any(row[f] for f in (filled_by or fields)):
            out.append((i, row))
    return out


def _validated(model: type[T], data: dict[str, Any], groups: dict[str, list[int]], errors: dict[str, str]) -> T:
    """parse_form over nested data; a row's error is named by its index in the form, not in the list."""
    try:
        result = parse_form(model, data)
    except ValidationFailed as exc:
        renamed = {}
        for key, message in exc.field_errors.items():
            parts = key.split(".")
            if len(parts) > 1 and parts[0] in groups and parts[1].isdigit() and int(parts[1]) < len(groups[parts[0]]):
                parts[1] = str(groups[parts[0]][int(parts[1])])
            renamed[".".join(parts)] = message
        raise ValidationFailed(field_errors={**renamed, **errors}) from None
    if errors:
        raise ValidationFailed(field_errors=errors)
    return result


def bid_form_to_input(form: dict[str, Any]) -> BidContentIn:
    """Yuan amounts become fen (core.money), one answer per criterion, up to eight team rows."""
    data: dict[str, Any] = {
        "note": str(form.get("note", "") or ""),
        "scope_statement": str(form.get("scope_statement", "") or ""),
    }
    errors: dict[str, str] = {}
    for name in MONEY_FIELDS:
        raw = str(form.get(f"{name}_yuan", "") or "").strip()
        if raw:
            try:
                data[f"{name}_fen"] = money.to_fen(raw)
            except ValidationFailed as exc:
                errors[f"{name}_fen"] = exc.message
    data["answers"] = {
        k.removeprefix("answers."): str(v).strip()
        for k, v in form.items()
        if k.startswith("answers.") and str(v).strip()
    }
    rows = _rows(form, "team", TEAM_FIELDS, TEAM_ROWS, filled_by=("name", "certificate_no"))
    data["team"] = [{k: v for k, v in row.items() if v} for _unused, row in rows]
    return _validated(BidContentIn, data, {"team": [i for i, _unused in rows]}, errors)


def _yuan(fen: int | None) -> str:
    return "" if fen is None else str(money.fen_to_decimal(fen))


def bid_input_to_form(content: BidContentIn) -> dict[str, Any]:
    form: dict[str, Any] = {f"{name}_yuan": _yuan(getattr(content, f"{name}_fen")) for name in MONEY_FIELDS}
    form["note"] = content.note
    form["scope_statement"] = content.scope_statement
    form.update({f"answers.{k}": v for k, v in content.answers.items()})
    for i, member in enumerate(content.team[:TEAM_ROWS]):
        form.update({f"team.{i}.{f}": str(getattr(member, f)) for f in TEAM_FIELDS})
    return form


def profile_form_to_input(form: dict[str, Any]) -> EligibilityProfileIn:
    data: dict[str, Any] = {
        k: form.get(k, "")
        for k in ("registration_type", "registration_date", "charter_scope", "grade", "grade_awarded_on")
    }
    data["annual_reports"] = {
        k.removeprefix("annual_reports."): v for k, v in form.items() if k.startswith("annual_reports.") and v
    }
    groups = {}
    for prefix, fields in PROFILE_ROWS.items():
        rows = _rows(form, prefix, fields, 50)
        data[prefix] = [{k: v for k, v in row.items() if v} for _unused, row in rows]
        groups[prefix] = [i for i, _unused in rows]
    return _validated(EligibilityProfileIn, data, groups, {})


def profile_to_form(profile: EligibilityProfileOut | None) -> dict[str, Any]:
    if profile is None:
        return {}
    dump = profile.model_dump(mode="json")
    form = {
        k: dump[k] or ""
        for k in ("registration_type", "registration_date", "charter_scope", "grade", "grade_awarded_on")
    }
    form.update({f"annual_reports.{year}": status for year, status in dump["annual_reports"].items()})
    for prefix, fields in PROFILE_ROWS.items():
        for i, row in enumerate(dump[prefix]):
            form.update({f"{prefix}.{i}.{f}": row.get(f) or "" for f in fields})
    return form


def _row_count(form: dict[str, Any], prefix: str, *, minimum: int, limit: int) -> int:
    """Rows shown: every filled one plus one blank, at least ``minimum``."""
    used = [int(m.group(1)) for k, v in form.items() if v and (m := re.match(rf"^{prefix}\.(\d+)\.", k))]
    return min(limit, max(minimum, (max(used) + 2) if used else 0))


async def _own_charter_scope(user: CurrentUser, org_id: int) -> str:
    """The charter scope a bid will quote (shown before its first save quotes it)."""
    if user.organization_id != org_id:
        return ""
    try:
        return (await profiles.get_profile(user)).charter_scope
    except NotFound:
        return ""


# --------------------------------------------------------------------------- organizations


class OrgBidPages(Controller):
    include_in_schema = False

    # ------------------------------------------------------------------ the workspace of a tender

    async def _workspace(self, request: Request, tender_id: int) -> dict[str, Any]:
        user = require_user(request)
        tender = await tenders.get_tender(user, tender_id)
        check = await services.eligibility(user, tender_id)
        mine = {b.lot_name: b for b in await services.my_bids(user) if b.tender_id == tender_id}
        return {
            "tender": tender,
            "check": check,
            "mine": mine,
            "labels": LABELS,
            "page_title": _("投标工作台"),
        }

    @get("/org/tenders/{tender_id:int}/bid")
    async def workspace(self, request: Request, tender_id: Id) -> Response:
        return page(request, "procurement/bids/workspace.html", await self._workspace(request, tender_id))

    @post("/org/tenders/{tender_id:int}/bid")
    async def create(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._workspace(request, tender_id)

        async def action() -> Response:
            if not data.get("lot_id"):
                raise ValidationFailed(field_errors={"lot_id": _("请选择要投标的标段。")})
            choice = parse_form(CreateBidIn, {"lot_id": data.get("lot_id")}, tender_id=tender_id)
            bid = await services.create_bid(user, tender_id, choice.lot_id)
            return redirect(
                f"/org/bids/{bid.id}",
                _("已建立投标草稿（{lot}）。请填写报价、响应内容和团队，上传文件后提交。").format(lot=bid.lot_name),
            )

        return await form_action(request, "procurement/bids/workspace.html", data, action, context)

    # ------------------------------------------------------------------ my bids

    @get("/org/bids")
    async def index(self, request: Request) -> Response:
        user = require_user(request, Role.ORG_MEMBER)
        bids = await services.my_bids(user)
        open_tenders = await tenders.list_tenders(user, open_only=True, limit=50)
        # A result page exists once the tender is awarded; only opened bids have one.
        reviewed = {b.tender_id for b in bids if b.status in OPENED_STATES}
        states = {tid: (await tenders.get_tender(user, tid)).status for tid in reviewed}
        awarded = {tid for tid, state in states.items() if state == "awarded"}
        return page(
            request,
            "procurement/bids/list.html",
            {
                "bids": bids,
                "open_tenders": open_tenders.items,
                "page_title": _("我的投标"),
                "with_result": {
                    b.id for b in bids if b.tender_id in awarded and b.status in OPENED_STATES and b.status != "opened"
                },
            },
        )

    # ------------------------------------------------------------------ one bid

    async def _bid(self, request: Request, bid_id: int) -> dict[str, Any]:
        user = require_user(request)
        bid = await services.get_bid(user, bid_id)  # 404 for anyone but its organization before the opening
        tender = await tenders.get_tender(user, bid.tender_id)
        check = await services.eligibility(user, bid.tender_id) if "submit" in bid.allowed_actions else None
        settings = get_settings()
        return {
            "bid": bid,
            "tender": tender,
            "check": check,
            "form": bid_input_to_form(bid.content),
            "lot": next((lot for lot in tender.lots if lot.id == bid.lot_id), None),
            "venture": tender.method == Method.VENTURE,
            "editable": "edit" in bid.allowed_actions,
            "criteria": tender.evaluation_scheme.criteria if tender.evaluation_scheme else [],
            "charter_scope": bid.content.charter_scope or await _own_charter_scope(user, bid.organization_id),
            "labels": LABELS,
            "team_rows": TEAM_ROWS,
            "max_file_mb": settings.max_file_mb,
            "max_total_mb": settings.max_bid_total_mb,
            "allowed_types": services.ALLOWED_TYPES,
            "page_title": bid.tender_title,
        }

    async def _act(self, request: Request, bid_id: int, form: dict[str, Any] | None, action) -> Response:
        context = await self._bid(request, bid_id)
        return await form_action(
            request, "procurement/bids/bid.html", form if form is not None else context["form"], action, context
        )

    @get("/org/bids/{bid_id:int}")
    async def detail(self, request: Request, bid_id: Id) -> Response:
        return page(request, "procurement/bids/bid.html", await self._bid(request, bid_id))

    @post("/org/bids/{bid_id:int}")
    async def save(self, request: Request, bid_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            await services.update_bid(user, bid_id, bid_form_to_input(data))
            return redirect(f"/org/bids/{bid_id}", _("草稿已保存（加密）。提交后才算投标。"))

        return await self._act(request, bid_id, data, action)

    @post("/org/bids/{bid_id:int}/documents")
    async def upload(self, request: Request, bid_id: Id, data: Multipart) -> Response:
        """The upload without JavaScript: one file per submit (upload.js sends each file to the API)."""
        user = require_user(request)
        chosen = data.get("file")
        chosen = chosen[0] if isinstance(chosen, list) and chosen else chosen

        async def action() -> Response:
            if not isinstance(chosen, UploadFile) or not chosen.filename:
                raise ValidationFailed(field_errors={"file": _("请选择要上传的文件。")})
            content = await uploaded_bytes(chosen)
            try:
                doc = await services.upload_document(user, bid_id, chosen.filename, content)
            except ValidationFailed as exc:  # shown beside the upload area
                raise ValidationFailed(exc.message, field_errors=exc.field_errors or {"file": exc.message}) from None
            return redirect(
                f"/org/bids/{bid_id}#documents",
                _("文件「{name}」已上传，SHA-256：{sha}").format(name=doc.name, sha=doc.sha256),
            )

        return await self._act(request, bid_id, None, action)

    @get("/org/bids/{bid_id:int}/documents/{document_id:int}")
    async def download(self, request: Request, bid_id: Id, document_id: Id) -> Response:
        name, mime, data = await services.download_document(require_user(request), bid_id, document_id)
        return Response(data, media_type=mime, headers={"Content-Disposition": content_disposition(name)})

    @post("/org/bids/{bid_id:int}/documents/{document_id:int}/remove")
    async def remove(self, request: Request, bid_id: Id, document_id: Id) -> Response:
        user = require_user(request)

        async def action() -> Response:
            await services.remove_document(user, bid_id, document_id)
            return redirect(f"/org/bids/{bid_id}#documents", _("文件已删除。"))

        return await self._act(request, bid_id, None, action)

    @post("/org/bids/{bid_id:int}/submit")
    async def submit(self, request: Request, bid_id: Id) -> Response:
        user = require_user(request)

        async def action() -> Response:
            receipt = await services.submit_bid(user, bid_id)
            return redirect(
                f"/org/receipts/{receipt.receipt_no}", _("投标已提交，回执编号 {no}。").format(no=receipt.receipt_no)
            )

        return await self._act(request, bid_id, None, action)

    @post("/org/bids/{bid_id:int}/withdraw")
    async def withdraw(self, request: Request, bid_id: Id) -> Response:
        user = require_user(request)

        async def action() -> Response:
            await services.withdraw_bid(user, bid_id)
            return redirect(f"/org/bids/{bid_id}", _("投标已撤回。截止前可再次提交。"))

        return await self._act(request, bid_id, None, action)

    # ------------------------------------------------------------------ receipts

    @get("/org/receipts/{receipt_no:str}")
    async def receipt(self, request: Request, receipt_no: FromPath[str]) -> Response:
        """The receipt page, or with ``.pdf`` its PDF."""
        user = require_user(request)
        if receipt_no.endswith(".pdf"):
            name, pdf = await documents.receipt_pdf(user, receipt_no.removesuffix(".pdf"))
            return pdf_response(name, pdf, inline=False, request=request)
        receipt = await services.get_receipt(user, receipt_no)
        return page(request, "procurement/bids/receipt.html", {"receipt": receipt, "page_title": _("投标回执")})

    # ------------------------------------------------------------------ the eligibility profile

    async def _profile(self, request: Request) -> dict[str, Any]:
        user = require_user(request, Role.ORG_MEMBER)
        try:
            profile = await profiles.get_profile(user)
        except NotFound:
            profile = None
        this_year = clock.today_local().year
        years = sorted(
            {str(this_year - n) for n in (1, 2, 3)} | set(profile.annual_reports if profile else ()), reverse=True
        )
        return {
            "profile": profile,
            "form": profile_to_form(profile),
            "years": years,
            "labels": LABELS,
            "page_title": _("机构资料"),
        }

    def _profile_page(self, request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
        form = context["form"]
        rows = {p: _row_count(form, p, minimum=2, limit=50) for p in PROFILE_ROWS}
        return page(request, "procurement/bids/profile.html", {**context, "rows": rows}, status_code=status_code)

    @get("/org/profile")
    async def profile(self, request: Request) -> Response:
        return self._profile_page(request, await self._profile(request))

    @post("/org/profile")
    async def update_profile(self, request: Request, data: Form) -> Response:
        user = require_user(request, Role.ORG_MEMBER)
        context = await self._profile(request)

        async def action() -> Response:
            await profiles.update_profile(user, profile_form_to_input(data))
            return redirect("/org/profile", _("机构资料已保存，等待民政局确认；确认前不能提交投标。"))

        rows = {p: _row_count(data, p, minimum=2, limit=50) for p in PROFILE_ROWS}
        return await form_action(request, "procurement/bids/profile.html", data, action, {**context, "rows": rows})


# --------------------------------------------------------------------------- public: receipts and opening


class BidPublicPages(Controller):
    include_in_schema = False

    @get("/verify")
    async def verify_form(
        self, request: Request, receipt_no: FromQuery[str] = "", sha256: FromQuery[str] = ""
    ) -> Response:
        return page(
            request,
            "portal/verify.html",
            {"form": {"receipt_no": receipt_no, "sha256": sha256}, "page_title": _("回执验证")},
        )

    @post("/verify")
    async def verify(self, request: Request, data: Form) -> Response:
        async def action() -> Response:
            checked = parse_form(VerifyReceiptIn, data)
            result = await services.verify_receipt(checked.receipt_no, checked.sha256)
            return page(request, "portal/verify.html", {"form": data, "result": result, "page_title": _("回执验证")})

        return await form_action(request, "portal/verify.html", data, action, {"page_title": _("回执验证")})

    @get("/tenders/{tender_id:int}/opening-record")
    async def opening_record(self, request: Request, tender_id: Id) -> Response:
        """For the buyer's staff and this tender's bidders; everyone else gets the 403 page."""
        record = await opening.opening_record(require_user(request), tender_id)
        return page(request, "procurement/bids/opening_record.html", {"record": record, "page_title": _("开标记录")})

    @get("/tenders/{tender_id:int}/opening-record.pdf")
    async def opening_record_pdf(self, request: Request, tender_id: Id) -> Response:
        name, data = await documents.opening_record_pdf(require_user(request), tender_id)
        return pdf_response(name, data, request=request)


# --------------------------------------------------------------------------- the bureau: bid bonds


class BidBondPages(Controller):
    path = "/bureau/bid-bonds"
    include_in_schema = False

    async def _context(self, request: Request, only_due: bool) -> dict[str, Any]:
        user = require_user(request, Role.OFFICER, Role.FINANCE, Role.ADMIN)
        return {
            "bonds": await bonds.list_bonds(user, only_due=only_due),
            "only_due": only_due,
            "can_record": user.role in (Role.OFFICER, Role.FINANCE),
            "page_title": _("投标保证金"),
        }

    @get("/")
    async def index(self, request: Request, only_due: FromQuery[bool] = False) -> Response:
        return page(request, "procurement/bids/bonds.html", await self._context(request, only_due))

    async def _mark(self, request: Request, bond_id: int, change, message: str) -> Response:
        user = require_user(request)

        async def action() -> Response:
            bond = await change(user, bond_id)
            return redirect(
                "/bureau/bid-bonds",
                _(message).format(org=bond.organization_name, amount=money.format_yuan(bond.amount_fen)),
            )

        return await form_action(
            request, "procurement/bids/bonds.html", {}, action, await self._context(request, False)
        )

    @post("/payments")
    async def payment(self, request: Request, data: Form) -> Response:
        """Finance types the reference quoted on the bank statement; before the opening
        the page answers with the amount only (invariant 2)."""
        user = require_user(request)

        async def action() -> Response:
            entered = parse_form(BondPaymentIn, data)
            bond = await bonds.record_payment(user, entered.reference)
            amount = money.format_yuan(bond.amount_fen)
            if bond.sealed:
                message = _("已登记保证金 {reference} 到账 {amount}；项目和投标机构在开标后显示。")
            else:
                message = _("已登记{org}缴纳投标保证金 {amount}（{reference}）。")
            return redirect(
                "/bureau/bid-bonds", message.format(reference=bond.reference, amount=amount, org=bond.organization_name)
            )

        return await form_action(
            request, "procurement/bids/bonds.html", data, action, await self._context(request, False)
        )

    @post("/{bond_id:int}/paid")
    async def paid(self, request: Request, bond_id: Id) -> Response:
        return await self._mark(request, bond_id, bonds.mark_paid, N_("已登记{org}缴纳投标保证金 {amount}。"))

    @post("/{bond_id:int}/refunded")
    async def refunded(self, request: Request, bond_id: Id) -> Response:
        return await self._mark(request, bond_id, bonds.mark_refunded, N_("已登记向{org}退还投标保证金 {amount}。"))


# --------------------------------------------------------------------------- the bureau: eligibility profiles


class ProfileReviewPages(Controller):
    """The bureau officer's review of the profiles organizations file: the list (waiting, or
    recently decided), one profile with everything filed, and a confirmation page before
    confirming or returning it with a reason. The version read travels with the form."""

    path = "/bureau/eligibility-profiles"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, show: FromQuery[str] = "pending") -> Response:
        user = require_user(request, Role.OFFICER, Role.ADMIN)
        show = ProfileFilter.DECIDED if show == ProfileFilter.DECIDED else ProfileFilter.PENDING
        return page(
            request,
            "procurement/bids/profile_reviews.html",
            {
                "profiles": await profiles.list_profiles(user, status=show),
                "waiting": await profiles.profiles_awaiting_review(user),
                "show": str(show),
                "labels": LABELS,
                "page_title": _("机构资格资料审核"),
            },
        )

    async def _context(self, request: Request, org_id: int) -> dict[str, Any]:
        user = require_user(request, Role.OFFICER, Role.ADMIN)
        profile = await profiles.get_profile(user, org_id)
        return {
            "profile": profile,
            "labels": LABELS,
            "years": sorted(profile.annual_reports, reverse=True),
            "report_year": annual_report_year_for(None),
            "page_title": profile.organization_name,
        }

    @get("/{org_id:int}")
    async def detail(self, request: Request, org_id: Id) -> Response:
        return page(request, "procurement/bids/profile_review.html", await self._context(request, org_id))

    @get("/{org_id:int}/confirm")
    async def confirm_page(self, request: Request, org_id: Id) -> Response:
        context = await self._context(request, org_id)
        return page(request, "procurement/bids/profile_decide.html", {**context, "decision": "confirm"})

    @post("/{org_id:int}/confirm")
    async def confirm(self, request: Request, org_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._context(request, org_id)

        async def action() -> Response:
            entered = parse_form(ConfirmProfileIn, {"version": data.get("version", "")})
            done = await profiles.confirm_profile(user, org_id, version=entered.version)
            return redirect(
                "/bureau/eligibility-profiles",
                _("已确认{org}的资格资料（第 {version} 版），已通知该机构。").format(
                    org=done.organization_name, version=done.version
                ),
            )

        return await form_action(
            request, "procurement/bids/profile_decide.html", data, action, {**context, "decision": "confirm"}
        )

    @get("/{org_id:int}/return")
    async def return_page(self, request: Request, org_id: Id) -> Response:
        context = await self._context(request, org_id)
        return page(request, "procurement/bids/profile_decide.html", {**context, "decision": "return"})

    @post("/{org_id:int}/return")
    async def return_profile(self, request: Request, org_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._context(request, org_id)

        async def action() -> Response:
            entered = parse_form(ReturnProfileIn, {"reason": data.get("reason", ""), "version": data.get("version")})
            done = await profiles.return_profile(user, org_id, entered.reason, version=entered.version)
            return redirect(
                "/bureau/eligibility-profiles",
                _("已将{org}的资格资料退回修改，已通知该机构。").format(org=done.organization_name),
            )

        return await form_action(
            request, "procurement/bids/profile_decide.html", data, action, {**context, "decision": "return"}
        )
