"""Context of the receipt PDF (投标回执)."""

from __future__ import annotations

from procurement.bids import services
from procurement.core import pdf
from procurement.core.auth import CurrentUser


async def receipt_pdf(user: CurrentUser, receipt_no: str) -> tuple[str, bytes]:
    receipt = await services.get_receipt(user, receipt_no)
    data = await pdf.render_pdf("pdf/bid_receipt.html", {
        "receipt": receipt, "issuer": "政府购买服务管理平台", "doc_number": f"回执编号：{receipt.receipt_no}",
    })
    return f"投标回执-{receipt.receipt_no}.pdf", data
