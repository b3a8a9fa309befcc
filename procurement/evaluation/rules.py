"""Pure rules of evaluation panels: their size (rule 19), who must withdraw
(rule 20) and the reproducible random draw. No I/O: tested without a database."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from procurement.core.i18n import _
from procurement.evaluation.states import EMPLOYMENT_ROLE_LABELS, RELATION_KIND_LABELS, MemberKind
from procurement.tenders.states import METHOD_LABELS, Method

LARGE_BUDGET_FEN = 1_000_000_000  # 1000万元 (rule 19)
CONFLICT_YEARS = 3  # rule 20
# 谈判/磋商/询价 and 公益创投 panels may be as small as 3 (rule 19).
SMALL_PANEL_METHODS = frozenset({Method.CONSULTATION, Method.NEGOTIATION, Method.INQUIRY, Method.VENTURE})


# --------------------------------------------------------------------------- size (rule 19)


def minimum_panel_size(method: str, total_budget_fen: int) -> int:
    """Rule 19: ≥ 3 for 磋商/谈判/询价/公益创投; otherwise ≥ 5, ≥ 7 from 1000万元."""
    if method in SMALL_PANEL_METHODS:
        return 3
    return 7 if total_budget_fen >= LARGE_BUDGET_FEN else 5


def panel_size_problems(method: str, total_budget_fen: int, size: int, buyer_reps: int = 0) -> list[str]:
    """Rule 19: what is wrong with a panel of ``size`` members of whom ``buyer_reps``
    represent the buyer (empty when the panel is lawful): an odd number, at least
    the minimum, and experts at least two thirds of the members."""
    problems: list[str] = []
    minimum = minimum_panel_size(method, total_budget_fen)
    label = METHOD_LABELS.get(method, method)  # type: ignore[call-overload]
    if size % 2 == 0:
        problems.append(
            _("评标委员会须为单数，{size} 人不符合要求（《政府采购货物和服务招标投标管理办法》第四十七条）。").format(
                size=size
            )
        )
    if size < minimum:
        why = _("预算达到 1000 万元的") if minimum == 7 else ""
        problems.append(
            _(
                "{why}{label}项目的评标委员会至少 {minimum} 人，现为 {size} 人（《政府采购货物和服务招标投标管理办法》第四十七条）。"
            ).format(why=why, label=label, minimum=minimum, size=size)
        )
    experts = size - buyer_reps
    if buyer_reps < 0 or experts * 3 < size * 2:
        problems.append(
            _(
                "评审专家应不少于成员总数的三分之二，{size} 人中专家仅 {experts} 人（《政府采购货物和服务招标投标管理办法》第四十七条）。"
            ).format(size=size, experts=experts)
        )
    return problems


def may_chair(kind: str) -> bool:
    """Rule 19: the buyer's representative may not chair the panel."""
    return kind == MemberKind.EXPERT


# --------------------------------------------------------------------------- conflicts (rule 20)


@dataclass(frozen=True)
class Employment:
    """A past or present position; ``end`` None means it still holds."""

    role: str
    organization_id: int | None = None
    name: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Relation:
    kind: str
    organization_id: int
    person: str = ""
    note: str = ""


@dataclass(frozen=True)
class Expert:
    user_id: int
    expertise: frozenset[str] = frozenset()
    employer_organization_id: int | None = None
    employment: tuple[Employment, ...] = ()
    relations: tuple[Relation, ...] = ()
    available: bool = True


def window_start(today: date, years: int = CONFLICT_YEARS) -> date:
    """The first day of the look-back window (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _same_org(job: Employment, org_id: int, org_name: str) -> bool:
    if job.organization_id is not None:
        return job.organization_id == org_id
    return bool(job.name.strip()) and job.name.strip() == org_name.strip()


def conflicts(expert: Expert, bidders: Mapping[int, str], buyer_id: int | None, today: date) -> list[str]:
    """Rule 20: why ``expert`` must withdraw from evaluating these bidders
    (organization id → name) for this buyer; empty when they need not.

    - employee, director, supervisor or shareholder of a bidder at any time in
      the last 3 years (the position overlaps [today − 3 years, today]);
    - a declared relation (spouse, close relative of its head, other interest);
    - currently employed by the buyer: the buyer's own staff are not experts.
    """
    reasons: list[str] = []
    since = window_start(today)
    if buyer_id is not None and expert.employer_organization_id == buyer_id:
        reasons.append(_("现任职于采购人，采购人工作人员不得作为评审专家（《政府采购法实施条例》第九条）。"))
    for org_id, name in bidders.items():
        if expert.employer_organization_id == org_id:
            reasons.append(_("现任职于投标人{name}（《政府采购法实施条例》第九条）。").format(name=name))
        for job in expert.employment:
            overlaps = (job.start is None or job.start <= today) and (job.end is None or job.end >= since)
            if overlaps and _same_org(job, org_id, name):
                label = EMPLOYMENT_ROLE_LABELS.get(job.role, job.role)  # type: ignore[call-overload]
                reasons.append(
                    _("近 {CONFLICT_YEARS} 年内曾任投标人{name}的{label}（《政府采购法实施条例》第九条）。").format(
                        CONFLICT_YEARS=CONFLICT_YEARS, name=name, label=label
                    )
                )
                break
        for rel in expert.relations:
            if rel.organization_id == org_id:
                label = RELATION_KIND_LABELS.get(rel.kind, rel.kind)  # type: ignore[call-overload]
                reasons.append(
                    _("已申报与投标人{name}存在{label}（《政府采购法实施条例》第九条）。").format(
                        name=name, label=label
                    )
                )
                break
    return reasons


@dataclass(frozen=True)
class Eligibility:
    """The result of screening the pool: who may be drawn, and why the others may not."""

    candidates: list[int]
    excluded: dict[int, list[str]] = field(default_factory=dict)


def eligible_candidates(
    experts: Iterable[Expert], category: str, bidders: Mapping[int, str], buyer_id: int | None, today: date
) -> Eligibility:
    """Available experts in the tender's category with no conflict with any bidder (rules 19, 20)."""
    candidates: list[int] = []
    excluded: dict[int, list[str]] = {}
    for expert in experts:
        if not expert.available:
            excluded[expert.user_id] = [_("暂不可参加评审。")]
            continue
        if category not in expert.expertise:
            continue  # not a specialist of this field: simply not in the pool for it
        reasons = conflicts(expert, bidders, buyer_id, today)
        if reasons:
            excluded[expert.user_id] = reasons
        else:
            candidates.append(expert.user_id)
    return Eligibility(sorted(candidates), excluded)


# --------------------------------------------------------------------------- the draw


def draw(candidates: list[int], size: int, seed: str) -> list[int]:
    """Draw ``size`` members at random, reproducibly: ``random.Random(seed)`` over
    the sorted candidates, so anyone holding the audit row can re-run it and get
    the same members in the same order (the first one chairs)."""
    pool = sorted(set(candidates))
    if size < 0 or size > len(pool):
        raise ValueError(f"cannot draw {size} of {len(pool)} candidates")
    return random.Random(seed).sample(pool, size)
