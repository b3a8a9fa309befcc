"""When a winner refuses, or fails, to sign (rule 28), pure: dates and rankings in, reasons out.

《政府采购法》第四十六条 gives 30 days from the award letter (中标通知书) to sign; 《政府采购法实施条例》
第四十九条 lets the buyer award the contract to the next-ranked bidder when the winner
refuses to sign or fails to within that time. A refusal is recorded on the winner's
written refusal at any time; a failure to sign only once the 30 days have passed (day 30
is still the winner's, day 31 is not). The next winner is the best-ranked bidder of the
lot that passed the review and has not already held an award of it (refused or revoked).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol, TypeVar

from procurement.awards.states import RefusalKind
from procurement.core.i18n import _

SIGNING_DAYS = 30  # 《政府采购法》第四十六条


def signing_deadline(letter_issued_on: date) -> date:
    """The last day to sign: the 30th day after the letter's issue (day 31 is overdue)."""
    return letter_issued_on + timedelta(days=SIGNING_DAYS)


def refusal_problems(kind: str, written_refusal: bool, letter_issued_on: date, today: date) -> dict[str, str]:
    """What stops the buyer from recording the winner's refusal today (rule 28)."""
    if kind == RefusalKind.REFUSED:
        if not written_refusal:
            return {
                "written_refusal": _(
                    "以中标人拒绝签订合同为由改授予下一名的，须已收到中标人的书面拒签意见，请确认后再提交（《政府采购法实施条例》第四十九条）。"
                )
            }
        return {}
    if kind == RefusalKind.OVERDUE:
        deadline = signing_deadline(letter_issued_on)
        if today <= deadline:
            return {
                "kind": _(
                    "中标通知书发出于 {issued:%Y年%m月%d日}，签订合同的期限至 {deadline:%Y年%m月%d日}（30 日）；期限届满前，只能凭中标人的书面拒签意见改授予下一名（《政府采购法》第四十六条）。"
                ).format(issued=letter_issued_on, deadline=deadline)
            }
        return {}
    return {"kind": _("请选择中标人拒绝签订合同或逾期未签订合同。")}


class Ranked(Protocol):
    @property
    def bid_id(self) -> int: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def passes(self) -> bool | None: ...
    @property
    def recommended_fen(self) -> int | None: ...


R = TypeVar("R", bound=Ranked)


def next_ranked(bids: Iterable[R], excluded: set[int], *, venture: bool, room_fen: int | None = None) -> R | None:
    """The best-ranked bid still free to take the lot (条例 art. 49): ranked (it passed the
    review), not already awarded this lot before, and for a 公益创投 call above the pass
    line and within what the lot's budget still has room for. Ties keep the ranking's
    order (rule 24 breaks them there)."""
    ranked = [(b.rank, n, b) for n, b in enumerate(bids) if b.rank is not None and b.bid_id not in excluded]
    for _rank, _n, b in sorted(ranked, key=lambda item: (item[0], item[1])):
        if venture:
            if not b.passes:
                continue
            if room_fen is not None and (b.recommended_fen or 0) > room_fen:
                continue
        return b
    return None
