"""Pure rules of third-party evaluation (issue 14 §1–§3, rules 20, 31–34). No I/O.

Indicator systems (评估指标体系): a tree of dimensions (维度, e.g. 项目管理) and their
indicators (指标), each with an integer weight; the weights of the dimensions add up to
100 and, within each dimension, the weights of its indicators add up to 100 (so every
level reads as a share of its parent). Each indicator is scored 0–100 with one decimal;
the weighted total is Σ dimension% × indicator% × score, kept as tenths of a point
(0–1000) and rounded half up.

Grades (rule 32): 优秀 ≥ 90, 良好 80–89, 合格 60–79, 不合格 < 60 by default; the thresholds
and labels are settings. A mid-term evaluation with a missing or late progress report
is 不合格 whatever the score (rule 33).

Independence (rules 20, 34): the agency is not the provider, and has no relation with it:
the same legal representative (负责人), a control link (one is the other's parent
organization), or a contract between the two signed in the last 3 years.

Due dates (rule 33): the final evaluation about one month before the contract ends (a
setting), the mid-term at the midpoint of the term unless set by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from contracts.assessments.states import Grade, Stage
from procurement.core.i18n import _

MAX_DIMENSIONS = 12
MAX_INDICATORS = 20  # per dimension
MAX_SCORE = Decimal(100)
RELATION_YEARS = 3  # rule 20: relations in the last 3 years
MIN_NOTE = 2  # an evidence note has at least this many characters


# --------------------------------------------------------------------------- the indicator tree


@dataclass(frozen=True)
class Indicator:
    key: str  # "d1.i2": stable within one version of a system
    name: str
    weight: int
    guidance: str


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    weight: int
    indicators: tuple[Indicator, ...]


def _weight(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def tree_problems(tree: Mapping[str, Any]) -> dict[str, str]:
    """Everything wrong with an indicator tree, by field path; empty when it may be saved.
    Weights are whole numbers 1–100 and add up to 100 at every level."""
    problems: dict[str, str] = {}
    dimensions = tree.get("dimensions")
    if not isinstance(dimensions, list) or not dimensions:
        return {"dimensions": _("指标体系至少要有一个一级维度。")}
    if len(dimensions) > MAX_DIMENSIONS:
        problems["dimensions"] = _("一级维度最多 {n} 个。").format(n=MAX_DIMENSIONS)
    total = 0
    names: set[str] = set()
    for d_index, dim in enumerate(dimensions):
        where = f"dimensions.{d_index}"
        if not isinstance(dim, Mapping):
            problems[where] = _("维度格式不正确。")
            continue
        name = str(dim.get("name") or "").strip()
        if not name:
            problems[f"{where}.name"] = _("请填写维度名称。")
        elif name in names:
            problems[f"{where}.name"] = _("维度「{name}」重复。").format(name=name)
        names.add(name)
        weight = _weight(dim.get("weight"))
        if weight is None or not 1 <= weight <= 100:
            problems[f"{where}.weight"] = _("维度「{name}」的权重须为 1–100 的整数。").format(name=name)
        else:
            total += weight
        indicators = dim.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            problems[f"{where}.indicators"] = _("维度「{name}」至少要有一个指标。").format(name=name)
            continue
        if len(indicators) > MAX_INDICATORS:
            problems[f"{where}.indicators"] = _("每个维度最多 {n} 个指标。").format(n=MAX_INDICATORS)
        inner = 0
        inner_names: set[str] = set()
        inner_ok = True
        for i_index, ind in enumerate(indicators):
            at = f"{where}.indicators.{i_index}"
            if not isinstance(ind, Mapping):
                problems[at] = _("指标格式不正确。")
                inner_ok = False
                continue
            i_name = str(ind.get("name") or "").strip()
            if not i_name:
                problems[f"{at}.name"] = _("请填写指标名称。")
            elif i_name in inner_names:
                problems[f"{at}.name"] = _("指标「{name}」重复。").format(name=i_name)
            inner_names.add(i_name)
            i_weight = _weight(ind.get("weight"))
            if i_weight is None or not 1 <= i_weight <= 100:
                problems[f"{at}.weight"] = _("指标「{name}」的权重须为 1–100 的整数。").format(name=i_name)
                inner_ok = False
            else:
                inner += i_weight
            if not str(ind.get("guidance") or "").strip():
                problems[f"{at}.guidance"] = _("请填写指标「{name}」的评分标准。").format(name=i_name)
        if inner_ok and inner != 100:
            problems[f"{where}.indicators"] = _("维度「{name}」下各指标权重合计为 {total}，应为 100。").format(
                name=name, total=inner
            )
    if "dimensions" not in problems and all(
        isinstance(d, Mapping) and _weight(d.get("weight")) is not None and 1 <= d["weight"] <= 100 for d in dimensions
    ):
        if total != 100:
            problems["dimensions"] = _("各一级维度权重合计为 {total}，应为 100。").format(total=total)
    return problems


def parse_tree(tree: Mapping[str, Any]) -> tuple[Dimension, ...]:
    """A checked tree (``tree_problems`` empty) as dimensions with stable keys."""
    return tuple(
        Dimension(
            key=f"d{d_no}",
            name=str(dim["name"]).strip(),
            weight=int(dim["weight"]),
            indicators=tuple(
                Indicator(
                    key=f"d{d_no}.i{i_no}",
                    name=str(ind["name"]).strip(),
                    weight=int(ind["weight"]),
                    guidance=str(ind["guidance"]).strip(),
                )
                for i_no, ind in enumerate(dim["indicators"], start=1)
            ),
        )
        for d_no, dim in enumerate(tree["dimensions"], start=1)
    )


def normalized(tree: Mapping[str, Any]) -> dict[str, Any]:
    """The tree as stored: names and guidance trimmed, keys added (the contract's copy keeps them)."""
    return {
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "weight": d.weight,
                "indicators": [
                    {"key": i.key, "name": i.name, "weight": i.weight, "guidance": i.guidance} for i in d.indicators
                ],
            }
            for d in parse_tree(tree)
        ]
    }


def indicator_keys(dimensions: Sequence[Dimension]) -> list[str]:
    return [i.key for d in dimensions for i in d.indicators]


# --------------------------------------------------------------------------- scores


def parse_score(value: Any) -> Decimal | None:
    """A score 0–100 with at most one decimal, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number > MAX_SCORE or number != number.quantize(Decimal("0.1")):
        return None
    return number


def score_problems(
    dimensions: Sequence[Dimension], scores: Mapping[str, Any], notes: Mapping[str, str], *, notes_required: bool
) -> dict[str, str]:
    """Every indicator scored 0–100 (one decimal at most), no unknown indicator, and an
    evidence note for each when ``notes_required`` (the agency's evaluation)."""
    problems: dict[str, str] = {}
    known = {i.key: i for d in dimensions for i in d.indicators}
    for key in scores:
        if key not in known:
            problems[f"scores.{key}"] = _("指标体系中没有编号为 {key} 的指标。").format(key=key)
    for key in notes:
        if key not in known:
            problems[f"notes.{key}"] = _("指标体系中没有编号为 {key} 的指标。").format(key=key)
    for key, indicator in known.items():
        if key not in scores:
            problems[f"scores.{key}"] = _("请为指标「{name}」打分。").format(name=indicator.name)
        elif parse_score(scores[key]) is None:
            problems[f"scores.{key}"] = _("指标「{name}」的得分须为 0–100 的数，最多一位小数。").format(
                name=indicator.name
            )
        if notes_required and len(str(notes.get(key) or "").strip()) < MIN_NOTE:
            problems[f"notes.{key}"] = _("请写明指标「{name}」的评分依据（佐证材料、查看情况）。").format(
                name=indicator.name
            )
    return problems


def weighted_total_tenths(dimensions: Sequence[Dimension], scores: Mapping[str, Any]) -> int:
    """The weighted total × 10 (0–1000), rounded half up: Σ dim% × indicator% × score."""
    total = Decimal(0)
    for dim in dimensions:
        for ind in dim.indicators:
            score = parse_score(scores[ind.key])
            assert score is not None  # checked by score_problems
            total += Decimal(dim.weight) * Decimal(ind.weight) * score / Decimal(10_000)
    return int((total * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def dimension_totals(dimensions: Sequence[Dimension], scores: Mapping[str, Any]) -> dict[str, Decimal]:
    """Each dimension's score on its own 0–100 scale, one decimal."""
    out: dict[str, Decimal] = {}
    for dim in dimensions:
        value = sum(
            (
                Decimal(ind.weight) * (parse_score(scores[ind.key]) or Decimal(0)) / Decimal(100)
                for ind in dim.indicators
            ),
            Decimal(0),
        )
        out[dim.key] = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return out


# --------------------------------------------------------------------------- grades (rule 32)


@dataclass(frozen=True)
class Thresholds:
    """Lowest whole score of each grade (settings); below ``passing`` is 不合格."""

    excellent: int = 90
    good: int = 80
    passing: int = 60

    def __post_init__(self) -> None:
        if not 0 < self.passing < self.good < self.excellent <= 100:
            raise ValueError("grade thresholds must rise: 0 < pass < good < excellent <= 100")


def grade_of(score_tenths: int, thresholds: Thresholds) -> Grade:
    """Rule 32: the grade of a weighted total (in tenths); 89.9 is 良好, 90.0 is 优秀."""
    if score_tenths >= thresholds.excellent * 10:
        return Grade.EXCELLENT
    if score_tenths >= thresholds.good * 10:
        return Grade.GOOD
    if score_tenths >= thresholds.passing * 10:
        return Grade.PASS
    return Grade.FAIL


GRADE_ORDER = (Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL)  # best first


def calls_for_rectification(grade: str, at_or_below: str) -> bool:
    """Rule 32: a grade at or below the setting (default 合格) calls for 整改 and a re-evaluation."""
    return GRADE_ORDER.index(Grade(grade)) >= GRADE_ORDER.index(Grade(at_or_below))


@dataclass(frozen=True)
class ReportRecord:
    """A progress report as rule 33 sees it: its due day, and when it was first submitted."""

    seq: int
    due_on: date
    submitted_on: date | None  # Beijing day of the first submission


def report_failures(stage: str, reports: Sequence[ReportRecord], until: date, today: date) -> list[str]:
    """Rule 33: the mid-term reports (due on or before ``until``) that are missing (not
    submitted and past their due day) or were submitted late; each a reason. Only a
    mid-term evaluation is graded on them."""
    if stage != Stage.MIDTERM:
        return []
    reasons: list[str] = []
    for r in sorted(reports, key=lambda x: x.seq):
        if r.due_on > until:
            continue
        if r.submitted_on is None:
            if r.due_on < today:
                reasons.append(
                    _("第 {seq} 期进度报告应于 {due} 前提交，至今未交。").format(seq=r.seq, due=f"{r.due_on:%Y-%m-%d}")
                )
        elif r.submitted_on > r.due_on:
            reasons.append(
                _("第 {seq} 期进度报告应于 {due} 前提交，{on} 才提交（逾期）。").format(
                    seq=r.seq, due=f"{r.due_on:%Y-%m-%d}", on=f"{r.submitted_on:%Y-%m-%d}"
                )
            )
    return reasons


# --------------------------------------------------------------------------- independence (rules 20, 34)


@dataclass(frozen=True)
class Party:
    id: int
    name: str
    kind: str
    parent_id: int | None = None
    legal_representative: str = ""


@dataclass(frozen=True)
class PastContract:
    """A contract between two organizations and the day it was signed (or drawn up)."""

    buyer_id: int
    provider_id: int
    on: date
    title: str = ""


def window_start(today: date, years: int = RELATION_YEARS) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def independence_problems(
    agency: Party, provider: Party, contracts: Sequence[PastContract], today: date, agency_kind: str = "agency"
) -> list[str]:
    """Why ``agency`` may not evaluate ``provider``'s project; empty when it may (rules 20, 34)."""
    reasons: list[str] = []
    if agency.kind != agency_kind:
        reasons.append(_("「{name}」不是登记的第三方评估机构。").format(name=agency.name))
    if agency.id == provider.id:
        reasons.append(_("评估机构不能是承接项目的服务机构本身。"))
        return reasons
    rep = agency.legal_representative.strip()
    if rep and rep == provider.legal_representative.strip():
        reasons.append(
            _("评估机构与服务机构的负责人同为{rep}（《政府采购法实施条例》第九条、第十八条）。").format(rep=rep)
        )
    if agency.parent_id == provider.id or provider.parent_id == agency.id:
        reasons.append(_("评估机构与服务机构存在隶属或控制关系（《政府采购法实施条例》第十八条）。"))
    since = window_start(today)
    for c in contracts:
        if {c.buyer_id, c.provider_id} == {agency.id, provider.id} and since <= c.on <= today:
            reasons.append(
                _("近 {years} 年内双方有合同往来（{title}，{on}）（《政府采购法实施条例》第九条）。").format(
                    years=RELATION_YEARS, title=c.title, on=f"{c.on:%Y-%m-%d}"
                )
            )
            break
    return reasons


# --------------------------------------------------------------------------- due dates (rule 33)


def default_due(stage: str, term_start: date, term_end: date, final_days_before_end: int) -> date | None:
    """The mid-term at the midpoint of the term, the final ``final_days_before_end`` days
    before the end (not before the start); a spot check has no default."""
    if stage == Stage.MIDTERM:
        return term_start + timedelta(days=(term_end - term_start).days // 2)
    if stage == Stage.FINAL:
        return max(term_start, term_end - timedelta(days=final_days_before_end))
    return None


def due_problems(stage: str, due_on: date | None, term_end: date, today: date) -> dict[str, str]:
    if due_on is None:
        if stage == Stage.SPOT:
            return {"due_on": _("专项抽查请填写完成日期。")}
        return {}
    if due_on < today:
        return {"due_on": _("完成日期不能早于今天。")}
    if due_on > term_end + timedelta(days=90):
        return {"due_on": _("完成日期不能晚于合同期满后 90 天。")}
    return {}


# --------------------------------------------------------------------------- residents' satisfaction (rule 34)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed on a phone
CODE_LENGTH = 8
SURVEY_QUESTIONS = ("attitude", "professional", "effect", "overall")
SATISFIED_AT = 4  # 4 满意, 5 非常满意


def normalize_code(raw: str) -> str:
    """A code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in raw.upper() if ch not in " -\t")


def answer_problems(answers: Mapping[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for key in answers:
        if key not in SURVEY_QUESTIONS:
            problems[f"answers.{key}"] = _("问卷中没有这个问题。")
    for key in SURVEY_QUESTIONS:
        value = answers.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            problems[f"answers.{key}"] = _("请选择 1–5 之间的一项。")
    return problems


@dataclass(frozen=True)
class SurveySummary:
    """The answers of a survey: how many, the share satisfied (overall 4 or 5, in tenths
    of a percent), each question's mean (tenths), and whether there are enough."""

    responses: int
    satisfied_permille: int | None
    means_tenths: dict[str, int]
    sufficient: bool


def survey_summary(answers: Sequence[Mapping[str, int]], minimum: int) -> SurveySummary:
    n = len(answers)
    if n == 0:
        return SurveySummary(0, None, {}, minimum <= 0)
    satisfied = sum(1 for a in answers if a["overall"] >= SATISFIED_AT)
    permille = int((Decimal(satisfied) * 1000 / n).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    means = {
        q: int((Decimal(sum(a[q] for a in answers)) * 10 / n).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for q in SURVEY_QUESTIONS
    }
    return SurveySummary(n, permille, means, n >= minimum)
