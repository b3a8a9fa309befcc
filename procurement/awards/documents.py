"""The award letter (中标通知书 / 公益创投项目立项通知书) as a PDF."""

from __future__ import annotations

from procurement.awards import services as awards
from procurement.core import clock, pdf
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.money import format_yuan, to_chinese_capital
from procurement.evaluation import access


async def award_letter_pdf(user: CurrentUser, award_id: int) -> tuple[str, bytes]:
    """中标（成交）通知书, for the winner and the buyer's staff."""
    tender, award = await awards.award_for_letter(user, award_id)
    venture = access.is_venture(tender)
    title = _("公益创投项目立项通知书") if venture else _("中标（成交）通知书")
    data = await pdf.render_pdf(
        "pdf/award_letter.html",
        {
            "award": award,
            "tender": tender,
            "venture": venture,
            "title": title,
            "amount": format_yuan(award.amount_fen),
            "amount_upper": to_chinese_capital(award.amount_fen),
            "issuer": tender["buyer.name"],
            "doc_number": _("编号：{letter_no}").format(letter_no=award.letter_no),
            "issued_on": _("{day:%Y年%m月%d日}").format(day=clock.to_local(award.decided_at)),
        },
    )
    return f"{title}-{award.letter_no}.pdf", data
