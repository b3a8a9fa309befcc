"""Spot-check coverage of multi-year contracts (issue 14 §1, rule 33: "multi-year
projects: at least 30% spot-checked every year", the share a setting).

What counts, decided here and shown to the officer:

- a *budget year* is a calendar year (the Chinese budget year runs 1 January to
  31 December);
- a contract is *multi-year* when its term spans more than one budget year (its term
  starts and ends in different years: a cross-year project, 跨年度项目), and it
  *runs* in a year when it was signed (active, suspended, completed or terminated),
  its term overlaps the year, and it was not terminated before the year began;
- a contract is *checked* in a year when it has a spot check (专项抽查) whose date
  (``due_on``, the day the officer set for it) falls in that year. The mid-term and
  final evaluations do not count: every contract has those, and rule 33 lists the
  yearly spot checks as a requirement of their own;
- the required number is the share rounded up (10 contracts at 30% → 3; 7 → 3), so
  exactly the share passes and one contract fewer falls short.

Two queries per year (the contracts, their spot checks), whatever the number of
contracts: the page, ``GetSpotCheckCoverage`` and the officer's dashboard item share them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.assessments.schemas import CoverageContractOut, SpotCheckCoverageOut
from contracts.assessments.states import Stage
from contracts.assessments.tables import Assessment
from contracts.lifecycle.states import ContractStatus
from contracts.lifecycle.tables import Contract
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.settings import get_settings

SIGNED = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.COMPLETED, ContractStatus.TERMINATED)
YEARS = (2000, 2100)  # the years the page and the API accept


# --------------------------------------------------------------------------- the rules (pure)


def is_multi_year(term_start: date, term_end: date) -> bool:
    """The term spans more than one budget (calendar) year."""
    return term_start.year != term_end.year


def runs_in(year: int, term_start: date, term_end: date, terminated_on: date | None = None) -> bool:
    """The term overlaps ``year`` and the contract was not terminated before it began."""
    if terminated_on is not None and terminated_on < date(year, 1, 1):
        return False
    return term_start <= date(year, 12, 31) and term_end >= date(year, 1, 1)


def required(running: int, percent: int) -> int:
    """How many contracts must be checked: the share of ``running`` rounded up."""
    return (running * percent + 99) // 100


def share_text(checked: int, running: int) -> str:
    """The share checked in percent with one decimal ("33.3"); "0.0" when nothing runs."""
    if running == 0:
        return "0.0"
    tenths = (checked * 1000 * 2 + running) // (running * 2)  # rounded half up
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class Counted:
    running: int
    checked: int
    required: int
    shortfall: int

    @property
    def met(self) -> bool:
        return self.shortfall == 0


def count(running: int, checked: int, percent: int) -> Counted:
    """The year's figures: at least ``percent``% of the running contracts checked."""
    need = required(running, percent)
    return Counted(running, checked, need, max(0, need - checked))


# --------------------------------------------------------------------------- reading


def reader(user: CurrentUser) -> Decision:
    """Bureau officers see the coverage of their own organization's contracts, administrators of all."""
    if user.role in (Role.OFFICER, Role.ADMIN):
        return allow()
    return deny(_("只有民政局经办人或系统管理员可以查看专项抽查覆盖情况。"))


def _terminated_on(row: Mapping[str, Any]) -> date | None:
    at = row["terminated_at"]
    return clock.to_local(at).date() if at is not None else None


async def _running(buyer_id: int | None, year: int) -> list[dict[str, Any]]:
    where = (
        Contract.status.is_in(list(SIGNED))
        & Contract.term_start.is_not_null()
        & Contract.term_end.is_not_null()
        & (Contract.term_start <= date(year, 12, 31))
        & (Contract.term_end >= date(year, 1, 1))
    )
    if buyer_id is not None:
        where = where & (Contract.buyer == buyer_id)
    rows = await Contract.select(
        Contract.id,
        Contract.number,
        Contract.title,
        Contract.provider_name,
        Contract.term_start,
        Contract.term_end,
        Contract.terminated_at,
    ).where(where)
    return [
        r
        for r in rows
        if is_multi_year(r["term_start"], r["term_end"])
        and runs_in(year, r["term_start"], r["term_end"], _terminated_on(r))
    ]


async def _spot_days(buyer_id: int | None, year: int) -> dict[int, list[date]]:
    """The days of the year's spot checks per contract of the buyer (one query, whatever
    the number of contracts: it does not wait for the list of running contracts)."""
    where = (
        (Assessment.stage == Stage.SPOT)
        & (Assessment.due_on >= date(year, 1, 1))
        & (Assessment.due_on <= date(year, 12, 31))
    )
    if buyer_id is not None:
        where = where & (Assessment.contract.buyer == buyer_id)
    rows = await Assessment.select(Assessment.contract, Assessment.due_on).where(where)
    days: dict[int, list[date]] = {}
    for r in rows:
        days.setdefault(r["contract"], []).append(r["due_on"])
    return {k: sorted(v) for k, v in days.items()}


def _contract_out(row: Mapping[str, Any], days: Sequence[date]) -> CoverageContractOut:
    return CoverageContractOut(
        contract_id=row["id"],
        number=row["number"],
        title=row["title"],
        provider_name=row["provider_name"],
        term_start=row["term_start"],
        term_end=row["term_end"],
        spot_checks=list(days),
    )


async def coverage_of(buyer_id: int | None, year: int) -> SpotCheckCoverageOut:
    """The year's coverage of the buyer's multi-year contracts (all buyers for ``None``)."""
    rows = sorted(await _running(buyer_id, year), key=lambda r: (r["term_start"], r["id"]))
    days = await _spot_days(buyer_id, year)
    percent = get_settings().evaluation_spot_check_percent
    checked = [_contract_out(r, days[r["id"]]) for r in rows if r["id"] in days]
    unchecked = [_contract_out(r, []) for r in rows if r["id"] not in days]
    figures = count(len(rows), len(checked), percent)
    return SpotCheckCoverageOut(
        year=year,
        percent=percent,
        running=figures.running,
        checked=figures.checked,
        share=share_text(figures.checked, figures.running),
        required=figures.required,
        shortfall=figures.shortfall,
        met=figures.met,
        checked_contracts=checked,
        unchecked_contracts=unchecked,
    )


async def spot_check_coverage(user: CurrentUser, year: int | None = None) -> SpotCheckCoverageOut:
    """The coverage report for a budget year (this year, Beijing time, by default)."""
    reader(user).require()
    year = clock.today_local().year if year is None else year
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValidationFailed(field_errors={"year": _("年度须在 {a} 至 {b} 之间。").format(a=YEARS[0], b=YEARS[1])})
    return await coverage_of(None if user.role == Role.ADMIN else (user.organization_id or 0), year)
