"""The bureau's ledger page (/bureau/ledger, issue 14 §5): per organization, per budget
year and catalogue category with a planned-against-released bar chart (SVG drawn on
the server, no script), and the share of social organizations (rule 8). Thin: read the
filter, call the ledger, render."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Response

from contracts.payments import ledger
from procurement.core.i18n import _
from procurement.core.web import page, require_user

TEMPLATE = "contracts/payments/ledger.html"


class LedgerPages(Controller):
    include_in_schema = False

    @get("/bureau/ledger")
    async def summary(
        self,
        request: Request,
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> Response:
        user = require_user(request)
        context = await ledger.summary(user, year)
        context["page_title"] = _("付款台账汇总")
        return page(request, TEMPLATE, context)
