"""JSON API of bidding. Thin: parse, call one service, return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.bids import bonds, documents, opening, profiles, services
from procurement.bids.schemas import (
    BidBondOut,
    BidContentIn,
    BidDocumentOut,
    BidOut,
    BidSummary,
    BondPaymentIn,
    CreateBidIn,
    EligibilityOut,
    EligibilityProfileIn,
    EligibilityProfileOut,
    OpeningRecordOut,
    ProfileFilter,
    ProfileSummary,
    ReceiptOut,
    ReturnProfileIn,
    VerifyReceiptIn,
    VerifyReceiptOut,
)
from procurement.core.api import Id, problems
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.storage import content_disposition
from procurement.core.web import current_user, pdf_response, require_user, uploaded_bytes


@dataclass
class UploadForm:
    """A multipart body whose file part may be missing: Litestar's bare
    UploadFile parameter fails with a 500 when a body has no file at all."""

    data: UploadFile | None = None


class EligibilityController(Controller):
    path = "/eligibility"
    tags = [N_("资格")]

    @get("/profile", operation_id="GetEligibilityProfile", responses=problems(401, 403, 404))
    async def get_profile(self, request: Request) -> EligibilityProfileOut:
        """The signed-in organization's eligibility profile, its review status and what it still lacks."""
        return await profiles.get_profile(require_user(request))

    @put("/profile", operation_id="UpdateEligibilityProfile", responses=problems(400, 401, 403, 409, 422))
    async def update_profile(self, request: Request, data: JSONBody[EligibilityProfileIn]) -> EligibilityProfileOut:
        """File or change the profile; it then waits for the bureau's confirmation (again)."""
        return await profiles.update_profile(require_user(request), data)

    @get("/profiles", operation_id="ListEligibilityProfiles", responses=problems(400, 401, 403))
    async def list_profiles(
        self,
        request: Request,
        status: Annotated[
            ProfileFilter | None,
            QueryParameter(description="pending (the default list of the review page), confirmed, returned or decided"),
        ] = None,
    ) -> list[ProfileSummary]:
        """Bureau officers: the organizations' profiles, waiting ones oldest first or the latest decided."""
        return await profiles.list_profiles(require_user(request), status=status)

    @get("/profiles/{org_id:int}", operation_id="GetOrganizationEligibilityProfile", responses=problems(401, 403, 404))
    async def organization_profile(self, request: Request, org_id: Id) -> EligibilityProfileOut:
        """Bureau staff: an organization's profile with everything it filed."""
        return await profiles.get_profile(require_user(request), org_id)

    @post(
        "/profile/{org_id:int}/confirm",
        operation_id="ConfirmEligibilityProfile",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def confirm(
        self,
        request: Request,
        org_id: Id,
        version: Annotated[
            int | None,
            QueryParameter(
                ge=1, le=10**9, description="The version reviewed; refused (409) if the profile changed since"
            ),
        ] = None,
    ) -> EligibilityProfileOut:
        """A bureau officer confirms an organization's profile."""
        return await profiles.confirm_profile(require_user(request), org_id, version=version)

    @post(
        "/profile/{org_id:int}/return",
        operation_id="ReturnEligibilityProfile",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def return_profile(
        self, request: Request, org_id: Id, data: JSONBody[ReturnProfileIn]
    ) -> EligibilityProfileOut:
        """A bureau officer returns an organization's profile with the reason it reads."""
        return await profiles.return_profile(require_user(request), org_id, data.reason, version=data.version)

    @get("/tenders/{tender_id:int}", operation_id="GetEligibility", responses=problems(401, 403, 404))
    async def check(self, request: Request, tender_id: Id) -> EligibilityOut:
        """Every requirement of the tender, passed or failed, with the reason."""
        return await services.eligibility(require_user(request), tender_id)


class BidController(Controller):
    path = "/bids"
    tags = [N_("投标")]

    @post("/", operation_id="CreateBid", status_code=HTTP_201_CREATED, responses=problems(400, 401, 403, 404, 409, 422))
    async def create(self, request: Request, data: JSONBody[CreateBidIn]) -> BidOut:
        return await services.create_bid(require_user(request), data.tender_id, data.lot_id)

    @get("/", operation_id="ListMyBids", responses=problems(401, 403))
    async def mine(self, request: Request) -> list[BidSummary]:
        """The signed-in organization's bids with their last receipts."""
        return await services.my_bids(require_user(request))

    @get("/{bid_id:int}", operation_id="GetBid", responses=problems(401, 403, 404))
    async def get_bid(self, request: Request, bid_id: Id) -> BidOut:
        """A bid with its content: only for its own organization before the opening."""
        return await services.get_bid(require_user(request), bid_id)

    @put("/{bid_id:int}", operation_id="UpdateBid", responses=problems(400, 401, 403, 404, 409, 422))
    async def update(self, request: Request, bid_id: Id, data: JSONBody[BidContentIn]) -> BidOut:
        """Save the draft (sealed)."""
        return await services.update_bid(require_user(request), bid_id, data)

    @post(
        "/{bid_id:int}/documents",
        operation_id="UploadBidDocument",
        status_code=HTTP_201_CREATED,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def upload(
        self,
        request: Request,
        bid_id: Id,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> BidDocumentOut:
        """Upload one document in the multipart field ``data`` (PDF, DOC, DOCX, XLS, XLSX, JPG, PNG; type checked by content)."""
        if not isinstance(data.data, UploadFile):
            raise ValidationFailed(field_errors={"data": _("请选择要上传的文件（表单字段 data）。")})
        content = await uploaded_bytes(data.data)
        return await services.upload_document(require_user(request), bid_id, data.data.filename or "file", content)

    @get(
        "/{bid_id:int}/documents/{document_id:int}",
        operation_id="GetBidDocument",
        media_type="application/octet-stream",
        responses=problems(401, 403, 404, 409),
    )
    async def download(self, request: Request, bid_id: Id, document_id: Id) -> Response[bytes]:
        """A document of a bid: its own organization, or the buyer after the opening."""
        name, mime, data = await services.download_document(require_user(request), bid_id, document_id)
        return Response(data, media_type=mime, headers={"Content-Disposition": content_disposition(name)})

    @post(
        "/{bid_id:int}/documents/{document_id:int}/remove",
        operation_id="RemoveBidDocument",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def remove(self, request: Request, bid_id: Id, document_id: Id) -> dict[str, bool]:
        await services.remove_document(require_user(request), bid_id, document_id)
        return {"ok": True}

    @post(
        "/{bid_id:int}/submit",
        operation_id="SubmitBid",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def submit(self, request: Request, bid_id: Id) -> ReceiptOut:
        """Submit the draft as a new version; returns the receipt (投标回执)."""
        return await services.submit_bid(require_user(request), bid_id)

    @post(
        "/{bid_id:int}/withdraw",
        operation_id="WithdrawBid",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def withdraw(self, request: Request, bid_id: Id) -> BidOut:
        return await services.withdraw_bid(require_user(request), bid_id)


class ReceiptController(Controller):
    path = "/receipts"
    tags = [N_("投标")]

    @get("/{receipt_no:str}", operation_id="GetBidReceipt", responses=problems(401, 403, 404))
    async def get_receipt(self, request: Request, receipt_no: FromPath[str]) -> ReceiptOut:
        return await services.get_receipt(require_user(request), receipt_no)

    @get(
        "/{receipt_no:str}/pdf",
        operation_id="GetBidReceiptPdf",
        media_type="application/pdf",
        responses=problems(401, 403, 404),
    )
    async def receipt_pdf(self, request: Request, receipt_no: FromPath[str]) -> Response[bytes]:
        name, pdf = await documents.receipt_pdf(require_user(request), receipt_no)
        return pdf_response(name, pdf, inline=False, request=request)

    @post("/verify", operation_id="VerifyReceipt", status_code=HTTP_200_OK, responses=problems(400))
    async def verify(self, data: JSONBody[VerifyReceiptIn]) -> VerifyReceiptOut:
        """Public: does a receipt's hash match what was submitted and opened?"""
        return await services.verify_receipt(data.receipt_no, data.sha256)


class OpeningController(Controller):
    path = "/tenders/{tender_id:int}/opening"
    tags = [N_("开标")]

    @get("/", operation_id="GetOpeningRecord", responses=problems(401, 403, 404))
    async def record(self, request: Request, tender_id: Id) -> OpeningRecordOut:
        """开标记录表: the bureau and this tender's bidders, once the opening time has come."""
        return await opening.opening_record(current_user(request), tender_id)


class BondController(Controller):
    path = "/bid-bonds"
    tags = [N_("投标保证金")]

    @get("/", operation_id="ListBidBonds", responses=problems(401, 403))
    async def list_bonds(
        self, request: Request, only_due: Annotated[bool, QueryParameter(description=_("只看待退还和逾期的"))] = False
    ) -> list[BidBondOut]:
        return await bonds.list_bonds(require_user(request), only_due=only_due)

    @post(
        "/payments",
        operation_id="RecordBidBondPayment",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 422),
    )
    async def payment(self, request: Request, data: JSONBody[BondPaymentIn]) -> BidBondOut:
        """Money arrived quoting a bond's reference: recorded without learning the tender or the bidder before the opening."""
        return await bonds.record_payment(require_user(request), data.reference)

    @post(
        "/{bond_id:int}/paid",
        operation_id="MarkBidBondPaid",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 422),
    )
    async def paid(self, request: Request, bond_id: Id) -> BidBondOut:
        return await bonds.mark_paid(require_user(request), bond_id)

    @post(
        "/{bond_id:int}/refunded",
        operation_id="MarkBidBondRefunded",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 422),
    )
    async def refunded(self, request: Request, bond_id: Id) -> BidBondOut:
        return await bonds.mark_refunded(require_user(request), bond_id)
