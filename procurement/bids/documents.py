"""Context of the receipt PDF (投标回执)."""

from __future__ import annotations

from procurement.bids import services
from procurement.core import pdf
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.money import format_yuan


async def receipt_pdf(user: CurrentUser, receipt_no: str) -> tuple[str, bytes]:
    receipt = await services.get_receipt(user, receipt_no)
    data = await pdf.render_pdf(
        "pdf/bid_receipt.html",
        {
            "receipt": receipt,
            "bond_amount": format_yuan(receipt.bond.amount_fen) if receipt.bond else "",
            "issuer": _("政府购买服务管理平台"),
            "doc_number": _("回执编号：{receipt_no}").format(receipt_no=receipt.receipt_no),
        },
    )
    return _("投标回执-{receipt_no}.pdf").format(receipt_no=receipt.receipt_no), data


async def opening_record_pdf(user: CurrentUser | None, tender_id: int) -> tuple[str, bytes]:
    """开标记录表 as a PDF, for the same people as the page."""
    from procurement.bids import opening
    from procurement.core import clock

    record = await opening.opening_record(user, tender_id)
    rows = [
        {
            "n": n,
            "org": b.organization_name,
            "lot": _("第{lot_number}包 {lot_name}").format(lot_number=b.lot_number, lot_name=b.lot_name),
            "amount": format_yuan(b.amount_fen or 0),
            "time": f"{clock.to_local(b.submitted_at):%Y-%m-%d %H:%M:%S}",
            "receipt": b.receipt_no,
            "hash": b.content_sha256,
            "docs": len(b.documents),
        }
        for n, b in enumerate(record.bidders, start=1)
    ]
    data = await pdf.render_pdf(
        "pdf/opening_record.html",
        {
            "record": record,
            "rows": rows,
            "issuer": record.tender_title,
            "doc_number": _("项目编号：{reference_no}").format(reference_no=record.reference_no),
            "issued_on": _("开标时间：{to_local:%Y-%m-%d %H:%M}").format(to_local=clock.to_local(record.scheduled_at)),
            "unsealed_at": f"{clock.to_local(record.opened_at):%Y-%m-%d %H:%M:%S}",
        },
    )
    return _("开标记录表-{reference_no}.pdf").format(reference_no=record.reference_no), data
