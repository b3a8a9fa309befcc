"""Pure rules of scoring and ranking bids: the score sheet (rules 21, 25), the
price score (rule 22), abnormally low bids (rule 23), the checks a panel runs
after totalling (rule 25: inconsistent objective scores, 畸高畸低), the ranking
(rule 24) and the 公益创投 funding recommendation. No I/O: tested without a
database. All arithmetic is exact (Decimal or integers, never float)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from procurement.core.i18n import _

# Criterion kinds: the same strings as tenders.schemas.CriterionKind.
OBJECTIVE = "objective"
SUBJECTIVE = "subjective"
# Evaluation methods (rule 21).
COMPREHENSIVE = "comprehensive"
LOWEST_PRICE = "lowest_price"

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Criterion:
    """One scoring factor (评分因素) of the tender documents (rule 21)."""

    key: str
    name: str
    max_points: int
    kind: str  # OBJECTIVE or SUBJECTIVE
    guidance: str = ""  # 评分标准 as the tender documents state it, shown beside the score box


@dataclass(frozen=True)
class Sheet:
    """One member's submitted score sheet for one bid: criterion key → points."""

    member_id: int
    bid_id: int
    scores: Mapping[str, Decimal]


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- the score sheet (rules 21, 25)


def parse_points(value: object) -> Decimal | None:
    """Rule 25: the points an evaluator typed, as a Decimal with at most one
    decimal place, or None when it is not such a number. Accepts int, Decimal
    and plain decimal strings (surrounding blanks allowed); refuses exponents,
    NaN and infinities. A float is a programming error: TypeError."""
    if isinstance(value, float):
        raise TypeError("points must be given as str, int or Decimal, never float")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            return None
        number = Decimal(text)
    elif isinstance(value, Decimal):
        number = value
    else:
        return None
    if not number.is_finite():
        return None
    if number != number.quantize(TENTH):  # more than one decimal place, e.g. 7.55 (7.50 is 7.5)
        return None
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.quantize(TENTH)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def sheet_problems(
    criteria: Sequence[Criterion],
    scores: Mapping[str, object],
    comments: Mapping[str, str],
    *,
    complete: bool,
) -> dict[str, str]:
    """Rules 21, 25: what is wrong with a score sheet, one message per criterion
    key (empty when it may be saved or submitted).

    - only the criteria of the tender documents may be scored (rule 21);
    - a score is a number with at most one decimal place within 0..max (rule 25);
    - a subjective criterion given 0 or full marks needs a reason (rule 25);
    - submitting (``complete``) needs every criterion scored; a draft may leave
      some blank (None or a blank string), but what it holds is still checked.
    """
    problems: dict[str, str] = {}
    known = {c.key for c in criteria}
    for key in scores:
        if key not in known:
            problems[key] = _("评分因素不存在，不得使用招标文件以外的评分因素（《政府采购法实施条例》第三十四条）。")
    for criterion in criteria:
        raw = scores.get(criterion.key)
        if _missing(raw):
            if complete:
                problems[criterion.key] = _("请为“{name}”打分（《政府采购法实施条例》第三十四条）。").format(
                    name=criterion.name
                )
            continue
        points = parse_points(raw)
        if points is None:
            problems[criterion.key] = _(
                "“{name}”的分值须为数字，最多保留一位小数（《政府采购货物和服务招标投标管理办法》第六十四条）。"
            ).format(name=criterion.name)
        elif not 0 <= points <= criterion.max_points:
            problems[criterion.key] = _(
                "“{name}”的分值须在 0 至 {max_points} 分之间，现为 {points} 分（《政府采购货物和服务招标投标管理办法》第六十四条）。"
            ).format(name=criterion.name, max_points=criterion.max_points, points=points)
        elif (
            criterion.kind == SUBJECTIVE
            and points in (0, criterion.max_points)
            and not (comments.get(criterion.key) or "").strip()
        ):
            problems[criterion.key] = _(
                "“{name}”给0分或满分须填写评分理由（《政府采购货物和服务招标投标管理办法》第六十四条）。"
            ).format(name=criterion.name)
    return problems


# --------------------------------------------------------------------------- price (rules 22, 23)


def base_price(prices: Iterable[int]) -> int:
    """Rule 22: the lowest valid price (fen) is the 评标基准价."""
    prices = list(prices)
    if not prices:
        raise ValueError("no valid price to take the base price from")
    return min(prices)


def price_score(base_fen: int, price_fen: int, weight: int) -> Decimal:
    """Rule 22: 基准价 / 报价 × ``weight`` (the price weight in %, i.e. the full
    price points), rounded half up to 0.01, computed exactly in integers.
    A price of 0 or less earns the full points."""
    if price_fen <= 0:
        return _q(Decimal(weight))
    numerator = base_fen * weight * 100
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), price_fen)
    if 2 * remainder >= price_fen:  # half up (away from zero)
        quotient += 1
    return Decimal(sign * quotient).scaleb(-2).quantize(CENT)


def abnormally_low(prices: Mapping[int, int], margin_percent: int) -> set[int]:
    """Rule 23: the bids (bid id → price in fen) priced more than
    ``margin_percent`` below the average of all the given prices, i.e.
    price < average × (100 − margin) / 100, compared exactly. Exactly at the
    margin is not flagged; with fewer than 2 prices there is nothing to compare."""
    if not 0 <= margin_percent <= 100:
        raise ValueError(f"margin must be 0..100 percent, not {margin_percent}")
    if len(prices) < 2:
        return set()
    total, count = sum(prices.values()), len(prices)
    # price < total / count × (100 − m) / 100  ⇔  price × 100 × count < total × (100 − m)
    return {bid for bid, price in prices.items() if price * 100 * count < total * (100 - margin_percent)}


# --------------------------------------------------------------------------- after totalling (rule 25)


def _by_bid(sheets: Iterable[Sheet]) -> dict[int, list[Sheet]]:
    grouped: dict[int, list[Sheet]] = {}
    for sheet in sheets:
        grouped.setdefault(sheet.bid_id, []).append(sheet)
    return dict(sorted(grouped.items()))


def objective_inconsistencies(
    criteria: Sequence[Criterion], sheets: Iterable[Sheet]
) -> list[tuple[int, str, list[Decimal]]]:
    """Rule 25: every (bid, objective criterion) the members scored differently,
    with the distinct values sorted; in bid order, then criterion order."""
    found: list[tuple[int, str, list[Decimal]]] = []
    for bid_id, bid_sheets in _by_bid(sheets).items():
        for criterion in criteria:
            if criterion.kind != OBJECTIVE:
                continue
            values = {s.scores[criterion.key] for s in bid_sheets if criterion.key in s.scores}
            if len(values) > 1:
                found.append((bid_id, criterion.key, sorted(values)))
    return found


@dataclass(frozen=True)
class CriterionSpread:
    """How far the members' scores of one criterion for one bid lie apart (rule 25)."""

    bid_id: int
    key: str
    minimum: Decimal
    maximum: Decimal
    mean: Decimal  # quantized 0.01 half up
    spread: Decimal  # maximum − minimum
    outliers: tuple[int, ...]  # member ids, sorted


def spreads(criteria: Sequence[Criterion], sheets: Iterable[Sheet], threshold_percent: int) -> list[CriterionSpread]:
    """Rule 25 (畸高畸低): per bid and criterion of any kind, the spread of the
    members' scores; a member is an outlier when |score − mean| is more than
    ``threshold_percent`` of the criterion's full points (compared exactly with
    the unrounded mean; exactly at the threshold is not an outlier). Criteria
    nobody scored for a bid are left out."""
    result: list[CriterionSpread] = []
    for bid_id, bid_sheets in _by_bid(sheets).items():
        for criterion in criteria:
            marks = [(s.member_id, s.scores[criterion.key]) for s in bid_sheets if criterion.key in s.scores]
            if not marks:
                continue
            values = [v for _unused, v in marks]
            total, count = sum(values, Decimal(0)), len(values)
            limit = criterion.max_points * threshold_percent * count
            # |v − total/count| > max × t / 100  ⇔  |v × count − total| × 100 > max × t × count
            outliers = tuple(sorted(m for m, v in marks if abs(v * count - total) * 100 > limit))
            result.append(
                CriterionSpread(
                    bid_id=bid_id,
                    key=criterion.key,
                    minimum=min(values),
                    maximum=max(values),
                    mean=_q(total / count),
                    spread=max(values) - min(values),
                    outliers=outliers,
                )
            )
    return result


# --------------------------------------------------------------------------- totals and ranking (rule 24)


def criterion_means(criteria: Sequence[Criterion], sheets: Iterable[Sheet]) -> dict[int, dict[str, Decimal]]:
    """Bid id → criterion key → the mean of the members' scores, rounded half
    up to 0.01 (a consistent objective score is its own mean). Criteria nobody
    scored are left out; a bid with sheets but no scores maps to an empty dict."""
    means: dict[int, dict[str, Decimal]] = {}
    for bid_id, bid_sheets in _by_bid(sheets).items():
        row: dict[str, Decimal] = {}
        for criterion in criteria:
            values = [s.scores[criterion.key] for s in bid_sheets if criterion.key in s.scores]
            if values:
                row[criterion.key] = _q(sum(values, Decimal(0)) / len(values))
        means[bid_id] = row
    return means


def bid_total(means: Mapping[str, Decimal], price_points: Decimal | None) -> Decimal:
    """A bid's total: its criterion means plus its price score (None when the
    price is not scored, rule 22), rounded half up to 0.01."""
    total = sum(means.values(), Decimal(0))
    if price_points is not None:
        total += price_points
    return _q(total)


@dataclass(frozen=True)
class RankEntry:
    bid_id: int
    total: Decimal | None  # None under the lowest-price method
    price_fen: int


@dataclass(frozen=True)
class Ranked:
    bid_id: int
    rank: int  # competition ranking: 1, 2, 2, 4
    joint: bool  # shares its rank with another bid (并列)


def _tie_key(entry: RankEntry, method: str) -> tuple:
    """What two bids must share to be ranked jointly (rule 24); sorts best first."""
    if method == COMPREHENSIVE:
        return (-entry.total, entry.price_fen)  # type: ignore[operator]
    return (entry.price_fen,)


def rank(entries: Sequence[RankEntry], method: str) -> list[Ranked]:
    """Rule 24: 综合评分法 ranks by total high to low, equal totals by lower
    price, and bids equal in both share a rank; 最低评标价法 ranks by price low
    to high, equal prices sharing a rank. Competition numbering (1, 2, 2, 4);
    output in rank order, joint bids by bid id."""
    ids = [e.bid_id for e in entries]
    if len(set(ids)) != len(ids):
        raise ValueError("each bid may be ranked only once")
    if method not in (COMPREHENSIVE, LOWEST_PRICE):
        raise ValueError(f"unknown evaluation method: {method!r}")
    if method == COMPREHENSIVE and any(e.total is None for e in entries):
        raise ValueError("comprehensive ranking needs every bid's total")
    ordered = sorted(entries, key=lambda e: (*_tie_key(e, method), e.bid_id))
    counts = Counter(_tie_key(e, method) for e in ordered)
    result: list[Ranked] = []
    current: tuple | None = None
    position = 0
    for index, e in enumerate(ordered, start=1):
        key = _tie_key(e, method)
        if key != current:
            current, position = key, index
        result.append(Ranked(bid_id=e.bid_id, rank=position, joint=counts[key] > 1))
    return result


# --------------------------------------------------------------------------- 公益创投 (rule 13)


def venture_recommendation(recommended: Iterable[int], requested_fen: int) -> int:
    """公益创投 (rule 13): the panel's recommended funding is the mean of the
    members' recommended amounts (fen) rounded down to whole yuan, never above
    the amount requested; 0 when nobody recommended an amount."""
    amounts = list(recommended)
    if not amounts:
        return 0
    whole_yuan = sum(amounts) // (len(amounts) * 100) * 100
    return min(whole_yuan, requested_fen)


def venture_passes(total: Decimal, pass_score: int) -> bool:
    """公益创投 (rule 13): a project passes the review with at least the pass score."""
    return total >= pass_score
