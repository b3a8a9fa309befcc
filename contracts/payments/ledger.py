"""The bureau's ledger views (issue 14 §5): per organization, per budget year and
catalogue category (planned against released), and the share of the year's new
service contracts that goes to social organizations (rule 8, 财综〔2016〕54号: at
least 30 %, a figure to watch, never a blocking rule).

The aggregation is pure (``ContractFigures`` in, lines out) and tested without a
database; ``contract_figures`` reads the rows. A contract counts from its signing:
its budget year is the Beijing year it was signed (the term's start, for one signed
offline without a time); planned is the contract amount after 补充合同, released is
what its ledger row says was paid. The tender's category and the provider's kind
come through procurement's services, never its tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.lifecycle.states import ContractKind
from contracts.lifecycle.tables import Contract, Installment
from contracts.payments import policies
from contracts.payments.records import SIGNED_STATES, S, payable_fen
from contracts.payments.tables import InstallmentPayment, PaymentLedger
from procurement.accounts import services as accounts
from procurement.catalogue import services as catalogue
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.tenders import services as tenders

SOCIAL_ORG_KIND = "social_org"  # accounts.states.OrgKind.SOCIAL_ORG
SOCIAL_SHARE_REFERENCE_PERCENT = 30  # rule 8: the policy's reference, shown beside the figure
OWED = (S.DUE, S.REQUESTED, S.APPROVED, S.CHECKED)


@dataclass(frozen=True)
class ContractFigures:
    """One signed contract as the ledger views count it."""

    contract_id: int
    number: str
    title: str
    kind: str  # ContractKind
    provider_id: int
    provider_name: str
    provider_kind: str
    provider_kind_label: str
    year: int
    category: str
    category_label: str
    amount_fen: int  # after 补充合同
    released_fen: int
    owed_fen: int  # due and not yet released
    late_count: int  # installments flagged late (paid late or still unpaid)


@dataclass(frozen=True)
class OrganizationLine:
    provider_id: int
    provider_name: str
    provider_kind_label: str
    contracts: int
    amount_fen: int
    released_fen: int
    owed_fen: int
    late_count: int


@dataclass(frozen=True)
class CategoryLine:
    year: int
    category: str
    category_label: str
    contracts: int
    planned_fen: int
    released_fen: int

    @property
    def released_percent(self) -> int:
        """Released as a whole percent of planned (rounded down)."""
        return self.released_fen * 100 // self.planned_fen if self.planned_fen else 0


@dataclass(frozen=True)
class SocialShare:
    """Rule 8 for one year: of the new service contracts' amounts, how much goes to
    social organizations, against the 30 % reference (a figure, never a refusal)."""

    year: int | None
    total_fen: int
    social_fen: int
    reference_percent: int = SOCIAL_SHARE_REFERENCE_PERCENT

    @property
    def percent_tenths(self) -> int:
        """The share in tenths of a percent, rounded down (305 = 30.5 %)."""
        return self.social_fen * 1000 // self.total_fen if self.total_fen else 0

    @property
    def percent_text(self) -> str:
        return f"{self.percent_tenths // 10}.{self.percent_tenths % 10}%"

    @property
    def meets_reference(self) -> bool:
        """Exactly 30 % meets it; compared in integers, no rounding."""
        return self.total_fen > 0 and self.social_fen * 100 >= self.reference_percent * self.total_fen


# --------------------------------------------------------------------------- pure aggregation


def by_organization(rows: Iterable[ContractFigures]) -> list[OrganizationLine]:
    """Each provider's contracts, amounts after changes, released, owed and late
    installments; the largest amount first."""
    acc: dict[int, dict[str, Any]] = {}
    for r in rows:
        line = acc.setdefault(
            r.provider_id,
            {
                "provider_name": r.provider_name,
                "provider_kind_label": r.provider_kind_label,
                "contracts": 0,
                "amount_fen": 0,
                "released_fen": 0,
                "owed_fen": 0,
                "late_count": 0,
            },
        )
        line["contracts"] += 1
        for key in ("amount_fen", "released_fen", "owed_fen", "late_count"):
            line[key] += getattr(r, key)
    lines = [OrganizationLine(provider_id=pid, **values) for pid, values in acc.items()]
    return sorted(lines, key=lambda line: (-line.amount_fen, line.provider_name))


def by_category(rows: Iterable[ContractFigures]) -> list[CategoryLine]:
    """Planned (contract amounts) against released, per budget year and catalogue
    category; the latest year first, then the category's label."""
    acc: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        line = acc.setdefault(
            (r.year, r.category),
            {"category_label": r.category_label, "contracts": 0, "planned_fen": 0, "released_fen": 0},
        )
        line["contracts"] += 1
        line["planned_fen"] += r.amount_fen
        line["released_fen"] += r.released_fen
    lines = [CategoryLine(year=y, category=c, **values) for (y, c), values in acc.items()]
    return sorted(lines, key=lambda line: (-line.year, line.category_label))


def social_share(rows: Iterable[ContractFigures], year: int | None) -> SocialShare:
    """Rule 8: the service contracts (not 公益创投 grants) of the year, and the part whose
    provider is a social organization."""
    total = social = 0
    for r in rows:
        if r.kind != ContractKind.SERVICE or (year is not None and r.year != year):
            continue
        total += r.amount_fen
        if r.provider_kind == SOCIAL_ORG_KIND:
            social += r.amount_fen
    return SocialShare(year=year, total_fen=total, social_fen=social)


def budget_year(signed_at: Any, term_start: date | None, created_at: Any) -> int:
    """The Beijing year of signing; the term's start, else the record's creation, when
    the contract carries no signing time."""
    if signed_at is not None:
        return clock.to_local(signed_at).year
    if term_start is not None:
        return term_start.year
    return clock.to_local(created_at).year


def chart_bars(lines: list[CategoryLine], *, width: int = 600, bar: int = 14, gap: int = 10) -> dict[str, Any]:
    """The geometry of the planned-against-released bar chart (an SVG drawn by the
    template, scaled by its viewBox): per category two bars, their lengths in the
    chart's units proportional to the largest planned amount."""
    label_w = 150
    span = width - label_w - 10
    top = max((max(line.planned_fen, line.released_fen) for line in lines), default=0)
    rows = []
    y = gap
    for line in lines:
        rows.append(
            {
                "line": line,
                "y": y,
                "label_y": y + bar,
                "planned_w": span * line.planned_fen // top if top else 0,
                "released_w": span * line.released_fen // top if top else 0,
                "released_y": y + bar + 2,
            }
        )
        y += 2 * bar + 2 + gap
    return {"rows": rows, "width": width, "height": y + 20, "x0": label_w, "bar": bar, "legend_y": y + 12}


# --------------------------------------------------------------------------- reading


async def contract_figures(user: CurrentUser, year: int | None = None) -> list[ContractFigures]:
    """The signed contracts the user may count (``policies.ledger_summary_reader``: the
    bureau's own; every bureau's for administrators), of one budget year or all."""
    policies.ledger_summary_reader(user).require()
    query = Contract.select().where(Contract.status.is_in(list(SIGNED_STATES))).order_by(Contract.id)
    if user.role != Role.ADMIN:
        query = query.where(Contract.buyer == user.organization_id)
    contracts = [
        c for c in await query if year is None or budget_year(c["signed_at"], c["term_start"], c["created_at"]) == year
    ]
    if not contracts:
        return []
    ids = [c["id"] for c in contracts]
    released = {
        r["contract"]: int(r["released_fen"])
        for r in await PaymentLedger.select(PaymentLedger.contract, PaymentLedger.released_fen).where(
            PaymentLedger.contract.is_in(ids)
        )
    }
    installments = {
        (r["contract"], r["seq"]): r for r in await Installment.select().where(Installment.contract.is_in(ids))
    }
    owed: dict[int, int] = {}
    late: dict[int, int] = {}
    for pay in await InstallmentPayment.select().where(InstallmentPayment.contract.is_in(ids)):
        if pay["late_at"] is not None:
            late[pay["contract"]] = late.get(pay["contract"], 0) + 1
        inst = installments.get((pay["contract"], pay["seq"]))
        if pay["status"] in OWED and inst is not None:
            owed[pay["contract"]] = owed.get(pay["contract"], 0) + payable_fen(inst, pay)
    labels = {item.category: item.category_label for item in await catalogue.list_items(active_only=False)}
    categories: dict[int, str] = {}
    kinds: dict[int, Any] = {}
    out = []
    for c in contracts:
        if c["tender"] not in categories:
            categories[c["tender"]] = (await tenders.load(c["tender"]))["category"]
        if c["provider"] not in kinds:
            kinds[c["provider"]] = await accounts.organization_record(c["provider"])
        category, org = categories[c["tender"]], kinds[c["provider"]]
        out.append(
            ContractFigures(
                contract_id=c["id"],
                number=c["number"],
                title=c["title"],
                kind=c["kind"],
                provider_id=c["provider"],
                provider_name=c["provider_name"],
                provider_kind=str(org.kind),
                provider_kind_label=org.kind_label,
                year=budget_year(c["signed_at"], c["term_start"], c["created_at"]),
                category=category,
                category_label=labels.get(category, category),
                amount_fen=int(c["amount_fen"]),
                released_fen=released.get(c["id"], 0),
                owed_fen=owed.get(c["id"], 0),
                late_count=late.get(c["id"], 0),
            )
        )
    return out


async def summary(user: CurrentUser, year: int | None = None) -> dict[str, Any]:
    """The three views of the ledger page and its export, for one budget year or all,
    with the years that have signed contracts (the latest first) for the filter."""
    every = await contract_figures(user)
    rows = [r for r in every if year is None or r.year == year]
    categories = by_category(rows)
    return {
        "year": year,
        "years": sorted({r.year for r in every}, reverse=True),
        "as_of": clock.today_local(),
        "contracts": rows,
        "organizations": by_organization(rows),
        "categories": categories,
        "share": social_share(rows, year),
        "chart": chart_bars(categories),
    }
