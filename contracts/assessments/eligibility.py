"""What a provider's past evaluations mean for its next bids (issue 14 §4, rule 32): a
不合格 in last year's evaluations bars it from this year's calls; an 优秀 or 良好 is
noted as a priority. Bidding's eligibility check asks (``bids.performance_record``)
and this module answers, so procurement imports nothing of contracts.

"Last year" is the calendar year (Beijing) before the year the tender was published. An
evaluation counts with its current grade: a 不合格 that a re-evaluation after
rectification (整改) raised no longer bars. Whether a 不合格 bars at all is the
setting ``grade_fail_bars_next_year`` (on by default)."""

from __future__ import annotations

from typing import Any

from contracts.assessments.services import grade_label
from contracts.assessments.states import STAGE_LABELS, AssessmentStatus, Grade
from contracts.assessments.tables import Assessment
from procurement.core import clock, events
from procurement.core.i18n import _
from procurement.settings import get_settings

_DONE = (AssessmentStatus.FINISHED, AssessmentStatus.RECTIFYING, AssessmentStatus.REEVALUATING)


async def _graded(organization_id: int, year: int) -> list[dict[str, Any]]:
    """The provider's evaluations graded in ``year`` (Beijing), with their contract's title."""
    rows = await Assessment.select(
        Assessment.stage, Assessment.grade, Assessment.finished_at, Assessment.contract.title
    ).where(
        (Assessment.contract.provider == organization_id)
        & Assessment.status.is_in(list(_DONE))
        & Assessment.finished_at.is_not_null()
    )
    return [r for r in rows if clock.to_local(r["finished_at"]).year == year]


async def performance_record(*, organization_id: int, year: int) -> list[dict[str, Any]]:
    """The checks bidding adds for a call published in ``year`` (each ``requirement``,
    ``passed``, ``reason``); none when the provider had no evaluation last year."""
    last = year - 1
    graded = await _graded(organization_id, last)
    if not graded:
        return []
    checks: list[dict[str, Any]] = []
    failed = [r for r in graded if r["grade"] == Grade.FAIL]
    if get_settings().grade_fail_bars_next_year:
        first = failed[0] if failed else None
        checks.append(
            {
                "requirement": _("{year} 年度项目评估无不合格").format(year=last),
                "passed": first is None,
                "reason": _("{year} 年度本机构承接项目的评估均为合格及以上。").format(year=last)
                if first is None
                else _("{year} 年度「{title}」{stage}结果为{grade}，按本地规定不得参加 {next} 年度的项目申报。").format(
                    year=last,
                    title=first["contract.title"],
                    stage=STAGE_LABELS[first["stage"]],
                    grade=grade_label(Grade.FAIL),
                    next=year,
                ),
            }
        )
    good = [r for r in graded if r["grade"] in (Grade.EXCELLENT, Grade.GOOD)]
    if good and not failed:
        best = good[0]
        checks.append(
            {
                "requirement": _("{year} 年度项目评估优良（优先）").format(year=last),
                "passed": True,
                "reason": _("{year} 年度「{title}」{stage}结果为{grade}，同等条件下可优先考虑。").format(
                    year=last,
                    title=best["contract.title"],
                    stage=STAGE_LABELS[best["stage"]],
                    grade=grade_label(best["grade"]),
                ),
            }
        )
    return checks


def subscribe() -> None:
    events.subscribe("bids.performance_record", performance_record)
