"""The legal rules of a tender (tenders.rules): structure, scheme, payments, timeline, amendments.

Every refusal must be a Chinese message naming its rule (domain-rules.md), and
every boundary is tested from both sides: the bad value is refused and its
good neighbour passes. Timelines use aware UTC datetimes made from Shanghai
wall time with ``clock.to_utc`` and an explicit calendar (chinese_calendar
holidays, no admin entries).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from procurement.core.calendar import WorkdayCalendar
from procurement.core.clock import SHANGHAI, to_local, to_utc
from procurement.tenders import rules
from procurement.tenders.schemas import LotIn, TenderIn
from procurement.tenders.states import Method

CAL = WorkdayCalendar()
THRESHOLD_FEN = 200_000_000  # rule 10: 200万元, passed explicitly
BUDGET_FEN = 100_000_000  # 100万元, below the threshold
VENTURE_MIN_DAYS = 30


# --------------------------------------------------------------------------- helpers


def criteria(*points: int) -> list[dict[str, Any]]:
    return [
        {"key": f"c{i}", "name": f"评审因素{i}", "max_points": p, "kind": "subjective"} for i, p in enumerate(points, 1)
    ]


def scheme(
    price_weight: int = 20,
    points: tuple[int, ...] = (50, 30),
    *,
    method: str = "comprehensive",
    price_fixed: bool = False,
) -> dict[str, Any]:
    return {"method": method, "price_weight": price_weight, "price_fixed": price_fixed, "criteria": criteria(*points)}


LOWEST_PRICE = {"method": "lowest_price", "criteria": []}

DEFAULT_SCHEDULE = [
    {"label": "合同签订后", "percent": 40, "gate": "signing"},
    {"label": "中期评估合格后", "percent": 30, "gate": "midterm", "min_grade": "pass"},
    {"label": "终期评估合格后", "percent": 30, "gate": "final", "min_grade": "pass"},
]

# What each method needs beyond the common defaults to be a valid tender.
METHOD_DEFAULTS: dict[Method, dict[str, Any]] = {
    Method.OPEN: {},
    Method.INVITED: {"invited_org_ids": [11, 12, 13]},
    Method.CONSULTATION: {},
    Method.NEGOTIATION: {"evaluation_scheme": LOWEST_PRICE},
    Method.INQUIRY: {"evaluation_scheme": LOWEST_PRICE},
    Method.SINGLE_SOURCE: {"single_source_provider_id": 7, "evaluation_scheme": None},
    Method.VENTURE: {"venture_terms": {"cap_per_project_fen": 5_000_000}, "evaluation_scheme": scheme(0, (60, 40))},
}


def make_tender(method: Method = Method.OPEN, **overrides: Any) -> TenderIn:
    """A valid tender of ``method`` (one lot of 100万元, criteria 80 + price 20,
    payments 40/30/30 gated by grades), with ``overrides`` applied on top."""
    data: dict[str, Any] = {
        "title": "某街道居家养老服务项目",
        "method": method,
        "catalogue_item_id": 1,
        "lots": [{"name": "第一包", "budget_fen": BUDGET_FEN}],
        "evaluation_scheme": scheme(),
        "payment_schedule": DEFAULT_SCHEDULE,
        "bid_deadline": datetime(2025, 4, 1, 9, 30),
        **METHOD_DEFAULTS[method],
        **overrides,
    }
    return TenderIn(**data)


def structure(t: TenderIn, threshold_fen: int = THRESHOLD_FEN) -> dict[str, str]:
    return rules.check_structure(t, open_tender_threshold_fen=threshold_fen)


LEGAL_SOURCE = {
    12: "《政府采购法实施条例》第三十八条",
    14: "《政府采购法》第三十五条",
    15: "《政府采购货物和服务招标投标管理办法》第十六条",
    16: "《政府采购法实施条例》第三十一条",
    17: "《政府采购货物和服务招标投标管理办法》第十二条",
    18: "《政府采购法》第三十六条",
    21: "《政府采购法实施条例》第三十四条",
    22: "《政府采购货物和服务招标投标管理办法》第五十五条",
    29: "《政府采购法实施条例》第三十三条、第四十八条",
}


def assert_refused(errors: dict[str, str], field: str, rule: int | None, *fragments: str) -> str:
    """``field`` is refused with a Chinese message naming ``rule`` (and containing ``fragments``)."""
    assert field in errors, f"{field} not refused; errors: {errors}"
    message = errors[field]
    assert re.search(r"[\u4e00-\u9fff]", message), message
    # Users read the legal source in Chinese, never "rule N" (issue 10).
    assert not re.search(r"rule \d", message), message
    if rule is not None and rule in LEGAL_SOURCE:
        assert LEGAL_SOURCE[rule] in message, f"{LEGAL_SOURCE[rule]} not named in {message!r}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def at(*args: int) -> datetime:
    """Shanghai wall time -> aware UTC datetime."""
    return to_utc(datetime(*args))


def timeline(
    method: Method,
    publish_at: datetime,
    bid_deadline: datetime,
    *,
    cal: WorkdayCalendar = CAL,
    venture_min_days: int = VENTURE_MIN_DAYS,
    opening_at: datetime | None = None,
    clarification_deadline: datetime | None = None,
    documents_until: datetime | None = None,
) -> dict[str, str]:
    return rules.check_timeline(
        method,
        publish_at,
        bid_deadline,
        opening_at=opening_at,
        clarification_deadline=clarification_deadline,
        documents_until=documents_until,
        cal=cal,
        venture_min_days=venture_min_days,
    )


def d_text(d: date) -> str:
    return f"{d.year} 年 {d.month} 月 {d.day} 日"


# --------------------------------------------------------------------------- the helper itself


@pytest.mark.parametrize("method", list(Method))
def test_the_default_tender_of_every_method_passes_every_structural_rule(method: Method) -> None:
    assert structure(make_tender(method)) == {}


# --------------------------------------------------------------------------- rule 22: price weight


@pytest.mark.parametrize(
    ("method", "bad", "good"),
    [
        # 公开招标, services: price weight at least 10% (87号令 art. 55), no upper cap.
        (Method.OPEN, scheme(9, (91,)), scheme(10, (90,))),
        (Method.INVITED, scheme(9, (91,)), scheme(10, (90,))),
        # 磋商, services: 10%–30% (214号), both ends.
        (Method.CONSULTATION, scheme(31, (69,)), scheme(30, (70,))),
        (Method.CONSULTATION, scheme(9, (91,)), scheme(10, (90,))),
    ],
    ids=["open-9-vs-10", "invited-9-vs-10", "consultation-31-vs-30", "consultation-9-vs-10"],
)
def test_rule_22_price_weight_outside_its_range_is_refused_and_the_boundary_passes(
    method: Method, bad: dict, good: dict
) -> None:
    errors = structure(make_tender(method, evaluation_scheme=bad))
    assert_refused(errors, "evaluation_scheme.price_weight", 22, f"现为 {bad['price_weight']}%")
    assert structure(make_tender(method, evaluation_scheme=good)) == {}


def test_rule_22_open_tender_has_no_upper_cap_on_the_price_weight() -> None:
    assert structure(make_tender(Method.OPEN, evaluation_scheme=scheme(60, (40,)))) == {}


def test_rule_22_a_fixed_price_must_carry_no_price_weight() -> None:
    good = make_tender(evaluation_scheme=scheme(0, (60, 40), price_fixed=True))
    assert structure(good) == {}
    bad = make_tender(evaluation_scheme=scheme(5, (60, 40), price_fixed=True))
    assert_refused(structure(bad), "evaluation_scheme.price_weight", 22)


def test_rule_22_a_fixed_price_under_consultation_is_not_held_to_the_10_to_30_range() -> None:
    assert structure(make_tender(Method.CONSULTATION, evaluation_scheme=scheme(0, (100,), price_fixed=True))) == {}


@pytest.mark.parametrize(("points", "total"), [((79,), 99), ((81,), 101)])
def test_rule_22_criteria_and_price_weight_not_summing_to_100_are_refused(points: tuple[int, ...], total: int) -> None:
    errors = structure(make_tender(evaluation_scheme=scheme(20, points)))
    assert_refused(errors, "evaluation_scheme.criteria", 22, f"现为 {total} 分")
    assert structure(make_tender(evaluation_scheme=scheme(20, (80,)))) == {}


def test_rule_22_a_venture_call_may_leave_price_unscored() -> None:
    assert structure(make_tender(Method.VENTURE, evaluation_scheme=scheme(0, (100,)))) == {}


# --------------------------------------------------------------------------- rule 21: methods of evaluation


@pytest.mark.parametrize(
    ("method", "bad", "good"),
    [
        (Method.NEGOTIATION, scheme(), LOWEST_PRICE),  # 74号令: lowest price
        (Method.INQUIRY, scheme(), LOWEST_PRICE),
        (Method.CONSULTATION, LOWEST_PRICE, scheme()),  # 214号 art. 23: comprehensive
    ],
    ids=["negotiation", "inquiry", "consultation"],
)
def test_rule_21_each_method_requires_its_own_evaluation_method(method: Method, bad: dict, good: dict) -> None:
    assert_refused(structure(make_tender(method, evaluation_scheme=bad)), "evaluation_scheme.method", 21)
    assert structure(make_tender(method, evaluation_scheme=good)) == {}


def test_rule_21_lowest_price_with_scoring_criteria_is_refused() -> None:
    bad = make_tender(evaluation_scheme={"method": "lowest_price", "criteria": criteria(100)})
    assert_refused(structure(bad), "evaluation_scheme.criteria", 21)
    assert structure(make_tender(evaluation_scheme=LOWEST_PRICE)) == {}


def test_rule_21_a_tender_without_a_scheme_is_refused_except_single_source() -> None:
    assert_refused(structure(make_tender(Method.OPEN, evaluation_scheme=None)), "evaluation_scheme", 21)
    assert structure(make_tender(Method.SINGLE_SOURCE, evaluation_scheme=None)) == {}


def test_rule_21_comprehensive_scoring_needs_at_least_one_criterion() -> None:
    bad = make_tender(evaluation_scheme={"method": "comprehensive", "price_weight": 100, "criteria": []})
    assert_refused(structure(bad), "evaluation_scheme.criteria", 21)


def test_duplicate_criterion_keys_are_refused() -> None:
    twice = [
        {"key": "team", "name": "团队", "max_points": 40, "kind": "objective"},
        {"key": "team", "name": "方案", "max_points": 40, "kind": "subjective"},
    ]
    bad = make_tender(evaluation_scheme={"method": "comprehensive", "price_weight": 20, "criteria": twice})
    assert "evaluation_scheme.criteria" in structure(bad)


# --------------------------------------------------------------------------- rule 29: bid bond


@pytest.mark.parametrize(
    ("bond_fen", "refused"),
    [
        (2_000_000, False),  # exactly 2% of 1,000,000.00 yuan
        (2_000_001, True),  # one fen over
        (2_010_000, True),  # 2.01%
    ],
)
def test_rule_29_bid_bond_is_at_most_2_percent_of_the_budget(bond_fen: int, refused: bool) -> None:
    errors = structure(make_tender(bid_bond_fen=bond_fen))
    if refused:
        assert_refused(errors, "bid_bond_fen", 29, "¥1,000,000.00", "¥20,000.00")
    else:
        assert errors == {}


def test_rule_29_the_bond_limit_is_taken_on_the_total_budget_of_all_lots() -> None:
    two_lots = [{"name": "第一包", "budget_fen": 60_000_000}, {"name": "第二包", "budget_fen": 40_000_000}]
    assert structure(make_tender(lots=two_lots, bid_bond_fen=2_000_000)) == {}
    assert_refused(structure(make_tender(lots=two_lots, bid_bond_fen=2_000_001)), "bid_bond_fen", 29)


# --------------------------------------------------------------------------- rule 17: maximum price, no minimum


def test_rule_17_a_maximum_price_above_the_lot_budget_is_refused_and_equal_passes() -> None:
    bad = make_tender(lots=[{"name": "第一包", "budget_fen": BUDGET_FEN, "max_price_fen": BUDGET_FEN + 1}])
    assert_refused(structure(bad), "lots.0.max_price_fen", 17)
    good = make_tender(lots=[{"name": "第一包", "budget_fen": BUDGET_FEN, "max_price_fen": BUDGET_FEN}])
    assert structure(good) == {}


def test_rule_17_the_refused_maximum_price_is_reported_on_its_own_lot() -> None:
    lots = [
        {"name": "第一包", "budget_fen": 50_000_000, "max_price_fen": 50_000_000},
        {"name": "第二包", "budget_fen": 50_000_000, "max_price_fen": 50_000_100},
    ]
    errors = structure(make_tender(lots=lots))
    assert_refused(errors, "lots.1.max_price_fen", 17)
    assert "lots.0.max_price_fen" not in errors


def test_rule_17_a_minimum_price_is_refused_by_the_lot_schema() -> None:
    with pytest.raises(ValidationError) as info:
        LotIn(name="第一包", budget_fen=BUDGET_FEN, min_price_fen=50_000_000)
    assert "《政府采购货物和服务招标投标管理办法》第十二条" in str(info.value)
    assert "最低限价" in str(info.value)
    with pytest.raises(ValidationError, match="《政府采购货物和服务招标投标管理办法》第十二条"):
        make_tender(lots=[{"name": "第一包", "budget_fen": BUDGET_FEN, "min_price_fen": 1}])
    assert LotIn(name="第一包", budget_fen=BUDGET_FEN, max_price_fen=BUDGET_FEN).max_price_fen == BUDGET_FEN


# --------------------------------------------------------------------------- rule 30: contract term


@pytest.mark.parametrize(
    ("months", "justification", "refused_field"),
    [
        (12, "", None),
        (13, "", "term_justification"),
        (13, "社区居家养老服务持续稳定，预算已纳入中期财政规划。", None),
        (36, "社区居家养老服务持续稳定，预算已纳入中期财政规划。", None),
        (37, "社区居家养老服务持续稳定，预算已纳入中期财政规划。", "contract_term_months"),
    ],
)
def test_rule_30_the_contract_term_is_one_year_or_up_to_three_with_a_justification(
    months: int, justification: str, refused_field: str | None
) -> None:
    errors = structure(make_tender(contract_term_months=months, term_justification=justification))
    if refused_field is None:
        assert errors == {}
    else:
        assert_refused(errors, refused_field, 30)


# --------------------------------------------------------------------------- rule 35: payment schedule


def _installments(*items: tuple[int, str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"label": f"第{n}期", "percent": p, "gate": g, **extra} for n, (p, g, extra) in enumerate(items, 1)]


PASS = {"min_grade": "pass"}


@pytest.mark.parametrize(("last", "total"), [(29, 99), (31, 101)])
def test_rule_35_installments_not_summing_to_100_percent_are_refused(last: int, total: int) -> None:
    bad = make_tender(payment_schedule=_installments((40, "signing", {}), (30, "midterm", PASS), (last, "final", PASS)))
    assert_refused(structure(bad), "payment_schedule", 35, f"现为 {total}%")
    good = make_tender(payment_schedule=_installments((40, "signing", {}), (30, "midterm", PASS), (30, "final", PASS)))
    assert structure(good) == {}


@pytest.mark.parametrize("gate", ["midterm", "final"])
def test_rule_35_an_evaluation_gated_installment_without_a_minimum_grade_is_refused(gate: str) -> None:
    bad = make_tender(payment_schedule=_installments((40, "signing", {}), (60, gate, {})))
    assert_refused(structure(bad), "payment_schedule.1.min_grade", 35)
    good = make_tender(payment_schedule=_installments((40, "signing", {}), (60, gate, {"min_grade": "good"})))
    assert structure(good) == {}


def test_rule_35_a_date_gated_installment_without_a_due_date_is_refused() -> None:
    bad = make_tender(payment_schedule=_installments((40, "signing", {}), (60, "date", {})))
    assert_refused(structure(bad), "payment_schedule.1.due_date", 35)
    dated = {"due_date": date(2026, 6, 30)}
    good = make_tender(payment_schedule=_installments((40, "signing", {}), (60, "date", dated)))
    assert structure(good) == {}


def test_rule_35_an_empty_payment_schedule_is_refused() -> None:
    assert_refused(structure(make_tender(payment_schedule=[])), "payment_schedule", 35)
    assert structure(make_tender(payment_schedule=_installments((100, "signing", {})))) == {}


# --------------------------------------------------------------------------- method-specific terms


@pytest.mark.parametrize(
    ("invited", "refused"),
    [([11, 12], True), ([11, 12, 12], True), ([11, 12, 13], False)],
    ids=["two", "three-with-a-repeat", "three"],
)
def test_an_invited_tender_needs_at_least_three_different_invited_organizations(
    invited: list[int], refused: bool
) -> None:
    errors = structure(make_tender(Method.INVITED, invited_org_ids=invited))
    if refused:
        # No numbered rule in domain-rules.md: the message cites 87号令 art. 14 itself.
        assert_refused(errors, "invited_org_ids", None, "87号令", "3")
    else:
        assert errors == {}


def test_only_an_invited_tender_lists_invited_organizations() -> None:
    assert "invited_org_ids" in structure(make_tender(Method.OPEN, invited_org_ids=[11, 12, 13]))


def test_rule_12_a_single_source_purchase_must_name_its_provider() -> None:
    assert_refused(
        structure(make_tender(Method.SINGLE_SOURCE, single_source_provider_id=None)), "single_source_provider_id", 12
    )
    assert structure(make_tender(Method.SINGLE_SOURCE, single_source_provider_id=7)) == {}
    assert "single_source_provider_id" in structure(make_tender(Method.OPEN, single_source_provider_id=7))


@pytest.mark.parametrize("method", [Method.CONSULTATION, Method.NEGOTIATION, Method.INQUIRY, Method.INVITED])
def test_rule_10_another_method_at_or_above_the_open_tender_threshold_needs_a_justification(method: Method) -> None:
    at_threshold = [{"name": "第一包", "budget_fen": THRESHOLD_FEN}]
    assert_refused(structure(make_tender(method, lots=at_threshold)), "method_justification", 10, "¥2,000,000.00")
    below = [{"name": "第一包", "budget_fen": THRESHOLD_FEN - 1}]
    assert structure(make_tender(method, lots=below)) == {}
    justified = make_tender(method, lots=at_threshold, method_justification="经区财政局批准采用非公开招标方式。")
    assert structure(justified) == {}


def test_rule_10_the_threshold_applies_to_the_total_of_all_lots() -> None:
    halves = [
        {"name": "第一包", "budget_fen": THRESHOLD_FEN // 2},
        {"name": "第二包", "budget_fen": THRESHOLD_FEN // 2},
    ]
    assert_refused(structure(make_tender(Method.CONSULTATION, lots=halves)), "method_justification", 10)


def test_rule_10_an_open_tender_above_the_threshold_needs_no_justification() -> None:
    assert structure(make_tender(Method.OPEN, lots=[{"name": "第一包", "budget_fen": THRESHOLD_FEN * 5}])) == {}


def test_rule_36_a_venture_call_must_set_its_funding_terms() -> None:
    assert_refused(structure(make_tender(Method.VENTURE, venture_terms=None)), "venture_terms", 36)
    assert structure(make_tender(Method.VENTURE)) == {}


def test_rule_36_the_cap_per_project_cannot_exceed_the_calls_budget() -> None:
    bad = make_tender(Method.VENTURE, venture_terms={"cap_per_project_fen": BUDGET_FEN + 1})
    assert_refused(structure(bad), "venture_terms.cap_per_project_fen", 36)
    assert rules.venture_cap_errors(bad).keys() == {"venture_terms.cap_per_project_fen"}
    good = make_tender(Method.VENTURE, venture_terms={"cap_per_project_fen": BUDGET_FEN})
    assert structure(good) == {}


def test_only_a_venture_call_sets_venture_terms() -> None:
    assert "venture_terms" in structure(make_tender(Method.OPEN, venture_terms={"cap_per_project_fen": 5_000_000}))


# --------------------------------------------------------------------------- rules 12–16: earliest deadline


MON = date(2025, 3, 3)  # an ordinary Monday, no holiday within three weeks


@pytest.mark.parametrize(
    ("method", "days", "rule"),
    [
        (Method.OPEN, 20, 14),
        (Method.INVITED, 20, 14),
        (Method.CONSULTATION, 10, 16),  # 214号 art. 10
    ],
)
def test_calendar_day_methods_refuse_a_deadline_one_day_early_and_name_the_earliest_date(
    method: Method, days: int, rule: int
) -> None:
    publish = at(2025, 3, 3, 10, 0)
    earliest = MON + timedelta(days=days)
    assert rules.earliest_deadline(method, MON, CAL, VENTURE_MIN_DAYS) == earliest
    one_short = earliest - timedelta(days=1)
    errors = timeline(method, publish, at(one_short.year, one_short.month, one_short.day, 9, 30))
    assert_refused(errors, "bid_deadline", rule, d_text(earliest))
    assert timeline(method, publish, at(earliest.year, earliest.month, earliest.day, 9, 30)) == {}


def test_rule_14_the_message_writes_the_earliest_date_in_chinese_form() -> None:
    errors = timeline(Method.OPEN, at(2025, 3, 3, 10, 0), at(2025, 3, 22, 9, 30))
    assert "2025 年 3 月 23 日" in errors["bid_deadline"]


def test_rule_14_days_are_counted_on_shanghai_dates_not_utc_dates() -> None:
    # 00:30 in Shanghai on D+20 is still D+19 in UTC: it must pass.
    deadline = at(2025, 3, 23, 0, 30)
    assert deadline.date() == date(2025, 3, 22)
    assert timeline(Method.OPEN, at(2025, 3, 3, 10, 0), deadline) == {}
    # Published at 07:00 on 3 March in Shanghai, which is still 2 March in UTC.
    early = at(2025, 3, 3, 7, 0)
    assert early.date() == date(2025, 3, 2)
    assert_refused(timeline(Method.OPEN, early, at(2025, 3, 22, 23, 59)), "bid_deadline", 14, "2025 年 3 月 23 日")


@pytest.mark.parametrize("method", [Method.NEGOTIATION, Method.INQUIRY])
def test_rule_16_three_working_days_skip_national_day_and_count_the_adjusted_saturday(method: Method) -> None:
    # Published Tue 2025-09-30; 1–8 October are holidays; Sat 11 October is a 调休 working day.
    # Working days after publication: Thu 9, Fri 10, Sat 11 October.
    publish_day = date(2025, 9, 30)
    assert not CAL.is_working_day(date(2025, 10, 1)) and CAL.is_working_day(date(2025, 10, 11))
    assert rules.earliest_deadline(method, publish_day, CAL, VENTURE_MIN_DAYS) == date(2025, 10, 11)
    publish = at(2025, 9, 30, 10, 0)
    errors = timeline(method, publish, at(2025, 10, 10, 17, 0))
    assert_refused(errors, "bid_deadline", 16, "3 个工作日", "2025 年 10 月 11 日")
    assert timeline(method, publish, at(2025, 10, 11, 9, 30)) == {}


@pytest.mark.parametrize("method", [Method.NEGOTIATION, Method.INQUIRY])
def test_rule_16_negotiation_published_on_a_monday_may_close_on_thursday(method: Method) -> None:
    # 74号令: 3 working days, and no 5-working-day documents period (rule 15 is a 招标 rule),
    # so the earliest deadline is not pushed to Friday.
    assert rules.earliest_deadline(method, MON, CAL, VENTURE_MIN_DAYS) == date(2025, 3, 6)
    publish = at(2025, 3, 3, 10, 0)
    assert_refused(timeline(method, publish, at(2025, 3, 5, 17, 0)), "bid_deadline", 16, "2025 年 3 月 6 日")
    deadline = at(2025, 3, 6, 9, 30)
    assert timeline(method, publish, deadline) == {}
    # Documents available until that deadline are enough.
    assert timeline(method, publish, deadline, documents_until=deadline) == {}


def test_rule_16_an_administrators_entry_moves_the_working_day_deadline() -> None:
    # If the 调休 Saturday were entered as a day off, the third working day is Monday 13 October.
    cal = WorkdayCalendar(entries={date(2025, 10, 11): False})
    assert rules.earliest_deadline(Method.NEGOTIATION, date(2025, 9, 30), cal, VENTURE_MIN_DAYS) == date(2025, 10, 13)
    assert_refused(
        timeline(Method.NEGOTIATION, at(2025, 9, 30, 10, 0), at(2025, 10, 11, 9, 30), cal=cal),
        "bid_deadline",
        16,
        "2025 年 10 月 13 日",
    )


def test_rule_12_single_source_waits_five_working_days() -> None:
    # Mon 3 March 2025: the fifth working day after it is Mon 10 March.
    assert rules.earliest_deadline(Method.SINGLE_SOURCE, MON, CAL, VENTURE_MIN_DAYS) == date(2025, 3, 10)
    publish = at(2025, 3, 3, 10, 0)
    errors = timeline(Method.SINGLE_SOURCE, publish, at(2025, 3, 7, 17, 0))
    assert_refused(errors, "bid_deadline", 12, "2025 年 3 月 10 日")
    assert timeline(Method.SINGLE_SOURCE, publish, at(2025, 3, 10, 9, 0)) == {}


def test_rule_12_single_source_across_national_day() -> None:
    # Tue 30 Sep 2025 -> 9, 10, 11 (调休), 13, 14 October.
    assert rules.earliest_deadline(Method.SINGLE_SOURCE, date(2025, 9, 30), CAL, VENTURE_MIN_DAYS) == date(2025, 10, 14)


def test_rule_13_a_venture_call_uses_the_configured_minimum_days() -> None:
    publish = at(2025, 3, 3, 10, 0)
    assert rules.earliest_deadline(Method.VENTURE, MON, CAL, 30) == date(2025, 4, 2)
    assert_refused(
        timeline(Method.VENTURE, publish, at(2025, 4, 1, 17, 0), venture_min_days=30),
        "bid_deadline",
        13,
        "2025 年 4 月 2 日",
    )
    assert timeline(Method.VENTURE, publish, at(2025, 4, 2, 17, 0), venture_min_days=30) == {}
    # A different setting moves the date: the value is a parameter, not hard-coded.
    assert rules.earliest_deadline(Method.VENTURE, MON, CAL, 14) == date(2025, 3, 17)


def test_a_short_calendar_day_period_still_leaves_the_documents_available_five_working_days() -> None:
    # 磋商 published the day before National Day: 10 days is 10 October, but the
    # documents (rule 15) are available until Mon 13 October.
    assert rules.earliest_deadline(Method.CONSULTATION, date(2025, 9, 30), CAL, VENTURE_MIN_DAYS) == date(2025, 10, 13)
    # A venture call with a very short local minimum is held to the same floor.
    assert rules.earliest_deadline(Method.VENTURE, MON, CAL, 1) == date(2025, 3, 7)


def test_a_deadline_not_after_publication_is_refused_outright() -> None:
    publish = at(2025, 3, 3, 10, 0)
    assert "bid_deadline" in timeline(Method.OPEN, publish, publish)
    assert "bid_deadline" in timeline(Method.OPEN, publish, publish - timedelta(hours=1))


# --------------------------------------------------------------------------- rule 15: documents available


@pytest.mark.parametrize(
    ("publish_day", "until"),
    [
        (date(2025, 3, 3), date(2025, 3, 7)),  # Monday -> that Friday (the Monday counts)
        (date(2025, 3, 8), date(2025, 3, 14)),  # Saturday -> the following Friday
        (date(2025, 3, 9), date(2025, 3, 14)),  # Sunday -> the following Friday
        (date(2025, 9, 30), date(2025, 10, 13)),  # 30 Sep, 9, 10, 11 (调休 Saturday), 13 Oct
        (date(2025, 4, 30), date(2025, 5, 9)),  # Labour Day 1–5 May: 30 Apr, 6, 7, 8, 9 May
    ],
    ids=["monday", "saturday", "sunday", "national-day", "labour-day"],
)
def test_rule_15_documents_are_available_at_least_five_working_days(publish_day: date, until: date) -> None:
    assert rules.earliest_documents_until(publish_day, CAL) == until
    # Exactly five working days from publication (counting it when it is a working day) to ``until``.
    start = publish_day - timedelta(days=1)
    assert CAL.working_days_between(start, until) == 5
    assert CAL.is_working_day(until)


def test_rule_15_documents_until_one_day_short_is_refused() -> None:
    publish = at(2025, 3, 3, 10, 0)
    deadline = at(2025, 3, 24, 9, 30)
    errors = timeline(Method.OPEN, publish, deadline, documents_until=at(2025, 3, 6, 17, 0))
    assert_refused(errors, "documents_until", 15, "5 个工作日", "2025 年 3 月 7 日")
    assert timeline(Method.OPEN, publish, deadline, documents_until=at(2025, 3, 7, 17, 0)) == {}
    # Shanghai date, not UTC: 00:30 on Friday is Thursday in UTC and still passes.
    assert timeline(Method.OPEN, publish, deadline, documents_until=at(2025, 3, 7, 0, 30)) == {}


def test_rule_15_documents_until_across_a_holiday_is_refused_on_the_holiday() -> None:
    publish = at(2025, 9, 30, 10, 0)
    deadline = at(2025, 10, 20, 9, 30)
    errors = timeline(Method.OPEN, publish, deadline, documents_until=at(2025, 10, 12, 17, 0))
    assert_refused(errors, "documents_until", 15, "2025 年 10 月 13 日")
    assert timeline(Method.OPEN, publish, deadline, documents_until=at(2025, 10, 13, 17, 0)) == {}


# --------------------------------------------------------------------------- opening and clarification


def test_the_opening_time_must_equal_the_deadline() -> None:
    publish, deadline = at(2025, 3, 3, 10, 0), at(2025, 3, 24, 9, 30)
    errors = timeline(Method.OPEN, publish, deadline, opening_at=deadline + timedelta(minutes=30))
    assert_refused(errors, "opening_at", None, "87号令")
    assert "opening_at" in timeline(Method.OPEN, publish, deadline, opening_at=deadline - timedelta(seconds=1))
    assert timeline(Method.OPEN, publish, deadline, opening_at=deadline) == {}
    # The same instant written in Shanghai time is equal.
    assert timeline(Method.OPEN, publish, deadline, opening_at=deadline.astimezone(SHANGHAI)) == {}


def test_the_clarification_deadline_must_be_before_the_bid_deadline() -> None:
    publish, deadline = at(2025, 3, 3, 10, 0), at(2025, 3, 24, 9, 30)
    errors = timeline(Method.OPEN, publish, deadline, clarification_deadline=deadline)  # equal is refused
    assert_refused(errors, "clarification_deadline", None, "早于")
    assert "clarification_deadline" in timeline(
        Method.OPEN, publish, deadline, clarification_deadline=deadline + timedelta(hours=1)
    )
    assert timeline(Method.OPEN, publish, deadline, clarification_deadline=deadline - timedelta(seconds=1)) == {}


def test_the_clarification_deadline_must_be_after_publication() -> None:
    publish, deadline = at(2025, 3, 3, 10, 0), at(2025, 3, 24, 9, 30)
    assert "clarification_deadline" in timeline(Method.OPEN, publish, deadline, clarification_deadline=publish)
    assert timeline(Method.OPEN, publish, deadline, clarification_deadline=publish + timedelta(minutes=1)) == {}


# --------------------------------------------------------------------------- rule 16: amendments move the deadline


@pytest.mark.parametrize(
    ("method", "days"),
    [(Method.OPEN, 15), (Method.INVITED, 15), (Method.CONSULTATION, 5)],
)
def test_rule_16_an_amendment_too_close_to_the_deadline_moves_it_keeping_the_time_of_day(
    method: Method, days: int
) -> None:
    amend = at(2025, 3, 3, 16, 45)
    enough = at(2025, 3, 3, 9, 30) + timedelta(days=days)
    assert rules.amended_deadline(method, amend, enough, CAL) is None
    too_close = enough - timedelta(days=1)
    moved = rules.amended_deadline(method, amend, too_close, CAL)
    assert moved is not None
    assert moved.utcoffset() == timedelta(0)
    local = to_local(moved)
    assert local.date() == date(2025, 3, 3) + timedelta(days=days)
    assert (local.hour, local.minute, local.second) == (9, 30, 0)  # the old deadline's time, not the amendment's
    assert moved == enough


def test_rule_16_open_tender_fifteen_days_leaves_the_deadline_and_fourteen_moves_it() -> None:
    amend = at(2025, 3, 3, 16, 45)
    assert rules.amended_deadline(Method.OPEN, amend, at(2025, 3, 18, 9, 30), CAL) is None
    assert rules.amended_deadline(Method.OPEN, amend, at(2025, 3, 17, 9, 30), CAL) == at(2025, 3, 18, 9, 30)


def test_rule_16_amendment_days_are_counted_on_shanghai_dates() -> None:
    # 01:00 on 3 March in Shanghai is 2 March in UTC; the amendment day is 3 March.
    amend = at(2025, 3, 3, 1, 0)
    assert amend.date() == date(2025, 3, 2)
    assert rules.amended_deadline(Method.OPEN, amend, at(2025, 3, 18, 0, 30), CAL) is None
    assert rules.amended_deadline(Method.OPEN, amend, at(2025, 3, 17, 23, 59), CAL) == at(2025, 3, 18, 23, 59)


@pytest.mark.parametrize("method", [Method.NEGOTIATION, Method.INQUIRY])
def test_rule_16_negotiation_amendments_need_three_working_days_across_a_weekend(method: Method) -> None:
    # Amended Thu 6 March 2025: Fri 7, Mon 10, Tue 11 are the three working days.
    amend = at(2025, 3, 6, 15, 0)
    assert rules.amended_deadline(method, amend, at(2025, 3, 11, 9, 30), CAL) is None
    assert rules.amended_deadline(method, amend, at(2025, 3, 10, 9, 30), CAL) == at(2025, 3, 11, 9, 30)
    # A weekend deadline two working days out moves to Tuesday too.
    assert rules.amended_deadline(method, amend, at(2025, 3, 9, 9, 30), CAL) == at(2025, 3, 11, 9, 30)


def test_rule_16_the_amendment_rule_text_names_the_rule() -> None:
    assert "15 日" in rules.amendment_rule_text(
        Method.OPEN
    ) and "《政府采购法实施条例》第三十一条" in rules.amendment_rule_text(Method.OPEN)
    assert "5 日" in rules.amendment_rule_text(Method.CONSULTATION)
    assert "3 个工作日" in rules.amendment_rule_text(Method.NEGOTIATION)
