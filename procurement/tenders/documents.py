"""Context of the tender document PDF (招标文件 / 公益创投征集公告)."""

from __future__ import annotations

from typing import Any

from procurement.core import clock, pdf
from procurement.core.auth import CurrentUser
from procurement.core.errors import NotFound
from procurement.core.i18n import _
from procurement.core.money import format_yuan, to_chinese_capital
from procurement.tenders import content, services
from procurement.tenders.states import Method, TenderStatus


def _t(value) -> str:
    return _("{moment:%Y年%m月%d日 %H:%M}").format(moment=clock.to_local(value)) if value else "—"


async def tender_document(user: CurrentUser | None, tender_id: int) -> tuple[str, bytes, bool]:
    """The PDF of a published tender (drafts: the buyer's staff only, marked 草稿), and
    whether it is public (the same for everyone: any tender but a draft)."""
    tender = await services.get_tender(user, tender_id)
    row = await services._load(tender_id)  # the stored JSON parts, for the shared text builders
    if tender.status == TenderStatus.DRAFT and not services._staff_view(user, row):
        raise NotFound(_("找不到该项目。"))
    method = Method(tender.method)
    ctx: dict[str, Any] = {
        "tender": tender,
        "is_draft": tender.status == TenderStatus.DRAFT,
        "issuer": tender.buyer_name,
        "doc_number": _("项目编号：{reference_no}").format(reference_no=tender.reference_no),
        "issued_on": _("{day:%Y年%m月%d日}").format(day=clock.to_local(tender.published_at))
        if tender.published_at
        else _("（草稿，未发布）"),
        "lots": [
            {
                "number": lot.number,
                "name": lot.name,
                "budget": format_yuan(lot.budget_fen),
                "max_price": format_yuan(lot.max_price_fen) if lot.max_price_fen else _("不设"),
                "description": lot.description,
            }
            for lot in tender.lots
        ],
        "total_budget": format_yuan(tender.total_budget_fen),
        "total_budget_capital": to_chinese_capital(tender.total_budget_fen),
        "bid_bond": format_yuan(tender.bid_bond_fen) if tender.bid_bond_fen else None,
        "requirements": content.requirement_lines(row),
        "scheme": content.scheme_lines(row),
        "payments": content.payment_lines(row),
        "venture": tender.venture_terms
        and {
            "cap": format_yuan(tender.venture_terms.cap_per_project_fen),
            "share": tender.venture_terms.max_share_percent,
            "matching": tender.venture_terms.matching_required,
        },
        "timeline": [
            (_("公告发布时间"), _t(tender.published_at)),
            (_("文件提供截止"), _t(tender.documents_until)),
            (_("答疑截止"), _t(tender.clarification_deadline)),
            (_("投标（申报）截止"), _t(tender.bid_deadline)),
            (_("开标时间"), _t(tender.opening_at)),
        ],
        # Public statements only: the earliest allowed dates ("最早可截至…") are the officer's, in the form.
        "timeline_notes": [
            _(
                "开标时间与投标截止时间相同；更正或澄清距截止不足规定时间的，截止时间相应顺延（《政府采购法实施条例》第三十一条）。"
            ),
            _("所有时间均为北京时间，以本系统服务器时间为准。"),
        ],
        "opening_place": content.opening_place_text(row),
        "documents_period": content.documents_period_text(row),
        "documents_method": content.documents_method_text(row),
        "files": tender.files,
        "contact": {
            "address": tender.buyer_address or "—",
            "person": tender.buyer_contact or "—",
            "phone": tender.buyer_phone or "—",
        },
        "questions": [q for q in tender.questions if q.answered_at],
        "term": tender.contract_term_months,
        "versions": tender.versions,
    }
    title = _("公益创投项目征集公告") if method == Method.VENTURE else _("招标（采购）文件")
    ctx["doc_title"] = f"{tender.title}{title}"
    data = await pdf.render_pdf("pdf/tender_document.html", ctx)
    await services.record_documents_obtained(user, row)  # once rendered: the organization has it now
    return f"{tender.reference_no}-{title}.pdf", data, tender.status != TenderStatus.DRAFT
