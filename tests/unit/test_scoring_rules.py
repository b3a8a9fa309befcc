"""The pure rules of scoring (evaluation.scoring): the score sheet (rules 21, 25),
the price score worked by hand (rule 22), abnormally low bids at the margin
(rule 23), inconsistent objective scores and 畸高畸低 at the threshold (rule 25),
ties and joint ranks (rule 24), the 公益创投 recommendation (rule 13), and a
property test that throws random bids at the ranking."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.evaluation import scoring
from procurement.evaluation.scoring import (
    COMPREHENSIVE,
    LOWEST_PRICE,
    OBJECTIVE,
    SUBJECTIVE,
    Criterion,
    RankEntry,
    Sheet,
)

D = Decimal
CERT = Criterion("cert", "资质证书", 10, OBJECTIVE)
PLAN = Criterion("plan", "服务方案", 20, SUBJECTIVE)
CRITERIA = (CERT, PLAN)
# Each message ends by naming its legal source in Chinese (never "rule N").
RULE_SUFFIX = re.compile(r"（《[^》]+》第[一二三四五六七八九十]+条）。$")


def sheet(member: int, bid: int, **scores: str) -> Sheet:
    return Sheet(member, bid, {k: D(v) for k, v in scores.items()})


# --------------------------------------------------------------------------- parse_points (rule 25)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", D("7")),
        ("7.5", D("7.5")),
        (" 8 ", D("8")),
        ("0", D("0")),
        ("-1", D("-1")),  # a number: the range is checked by sheet_problems
        ("7.50", D("7.5")),  # one decimal place by value
        ("7.0", D("7")),
        (7, D("7")),
        (D("7.5"), D("7.5")),
        ("abc", None),
        ("", None),
        ("   ", None),
        ("7.55", None),  # two decimal places
        (D("7.55"), None),
        ("NaN", None),
        ("Infinity", None),
        (D("NaN"), None),
        (D("Infinity"), None),
        ("1e1", None),  # no exponents in typed points
        ("7.", None),
        ("7,5", None),
        (None, None),
        (True, None),
        ([7], None),
    ],
)
def test_parse_points_accepts_at_most_one_decimal_place(raw, expected):
    """Rule 25: a score is a number with at most one decimal place."""
    assert scoring.parse_points(raw) == expected


def test_parse_points_refuses_float_objects():
    """Rule 25: points are never floats (7.1 is not exactly 7.1 in binary)."""
    with pytest.raises(TypeError):
        scoring.parse_points(7.5)


# --------------------------------------------------------------------------- sheet_problems (rules 21, 25)


def test_complete_valid_sheet_has_no_problems_rule_25():
    assert scoring.sheet_problems(CRITERIA, {"cert": "10", "plan": "15.5"}, {}, complete=True) == {}


@pytest.mark.parametrize("points", ["0", "20"])
def test_subjective_zero_or_full_needs_a_reason_rule_25(points):
    problems = scoring.sheet_problems(CRITERIA, {"cert": "5", "plan": points}, {}, complete=True)
    assert set(problems) == {"plan"}
    assert "给0分或满分须填写评分理由" in problems["plan"]
    assert problems["plan"].endswith("（《政府采购货物和服务招标投标管理办法》第六十四条）。")
    blank = scoring.sheet_problems(CRITERIA, {"cert": "5", "plan": points}, {"plan": "  \n"}, complete=True)
    assert set(blank) == {"plan"}, "a blank reason is no reason"
    given_reason = scoring.sheet_problems(CRITERIA, {"cert": "5", "plan": points}, {"plan": "方案完整"}, complete=True)
    assert given_reason == {}


@pytest.mark.parametrize("points", ["0.1", "19.9", "10"])
def test_subjective_between_the_extremes_needs_no_reason_rule_25(points):
    assert scoring.sheet_problems(CRITERIA, {"cert": "5", "plan": points}, {}, complete=True) == {}


@pytest.mark.parametrize("points", ["0", "10"])
def test_objective_zero_or_full_needs_no_reason_rule_25(points):
    assert scoring.sheet_problems(CRITERIA, {"cert": points, "plan": "12"}, {}, complete=True) == {}


@pytest.mark.parametrize(
    ("key", "points", "ok"),
    [
        ("cert", "-1", False),
        ("cert", "-0.1", False),
        ("cert", "0", True),
        ("cert", "10", True),  # exactly the maximum
        ("cert", "10.5", False),  # max + 0.5
        ("cert", "10.1", False),
        ("plan", "20.5", False),
        ("plan", "19.5", True),
    ],
)
def test_score_must_lie_within_its_range_rule_25(key, points, ok):
    scores = {"cert": "5", "plan": "12", key: points}
    problems = scoring.sheet_problems(CRITERIA, scores, {"plan": "理由"}, complete=True)
    assert (not problems) is ok, problems
    if not ok:
        assert set(problems) == {key}
        assert "之间" in problems[key] and problems[key].endswith(
            "（《政府采购货物和服务招标投标管理办法》第六十四条）。"
        )


@pytest.mark.parametrize(("points", "ok"), [("7.5", True), ("7.55", False), ("abc", False), ("NaN", False)])
def test_one_decimal_allowed_two_refused_rule_25(points, ok):
    problems = scoring.sheet_problems(CRITERIA, {"cert": points, "plan": "12"}, {}, complete=True)
    assert (not problems) is ok, problems
    if not ok:
        assert "最多保留一位小数" in problems["cert"]


def test_submitting_needs_every_criterion_rule_21():
    problems = scoring.sheet_problems(CRITERIA, {"cert": "5"}, {}, complete=True)
    assert set(problems) == {"plan"} and "服务方案" in problems["plan"]
    assert set(scoring.sheet_problems(CRITERIA, {"cert": "5", "plan": "  "}, {}, complete=True)) == {"plan"}
    assert set(scoring.sheet_problems(CRITERIA, {"cert": None, "plan": "3"}, {}, complete=True)) == {"cert"}


def test_draft_may_leave_blanks_but_checks_what_it_holds_rules_21_25():
    assert scoring.sheet_problems(CRITERIA, {}, {}, complete=False) == {}
    assert scoring.sheet_problems(CRITERIA, {"cert": "", "plan": None}, {}, complete=False) == {}
    assert set(scoring.sheet_problems(CRITERIA, {"cert": "11"}, {}, complete=False)) == {"cert"}
    assert set(scoring.sheet_problems(CRITERIA, {"plan": "0"}, {}, complete=False)) == {"plan"}
    assert set(scoring.sheet_problems(CRITERIA, {"cert": "7.55"}, {}, complete=False)) == {"cert"}


def test_unknown_criterion_is_refused_rule_21():
    for complete in (True, False):
        problems = scoring.sheet_problems(CRITERIA, {"cert": "5", "plan": "12", "bonus": "3"}, {}, complete=complete)
        assert set(problems) == {"bonus"}
        assert "评分因素不存在" in problems["bonus"]


def test_every_sheet_message_is_chinese_and_cites_its_rule_rules_21_25():
    problems = scoring.sheet_problems(
        CRITERIA + (Criterion("team", "团队", 5, SUBJECTIVE), Criterion("x", "其他", 5, OBJECTIVE)),
        {"cert": "11", "plan": "0", "team": "abc", "bonus": "1"},
        {},
        complete=True,
    )
    assert set(problems) == {"cert", "plan", "team", "x", "bonus"}
    for message in problems.values():
        assert RULE_SUFFIX.search(message), message
        assert re.search(r"[\u4e00-\u9fff]", message)


# --------------------------------------------------------------------------- price (rule 22)


@pytest.mark.parametrize(
    ("base", "price", "weight", "expected"),
    [
        (900_000, 1_000_000, 30, "27.00"),  # 900000 / 1000000 × 30 = 0.9 × 30 = 27
        (1, 3, 10, "3.33"),  # 1 / 3 × 10 = 3.333… → 3.33
        (2, 3, 10, "6.67"),  # 2 / 3 × 10 = 6.666… → 6.67
        (1_000_000, 1_000_000, 30, "30.00"),  # the lowest bid earns the full weight
        (950_000, 1_000_000, 10, "9.50"),  # 0.95 × 10 = 9.5
        (800_000, 1_200_000, 25, "16.67"),  # 8/12 × 25 = 16.666… → 16.67
        (999_999_999, 1_000_000_000, 30, "30.00"),  # 29.99999997 → 30.00
    ],
)
def test_price_score_worked_by_hand_rule_22(base, price, weight, expected):
    result = scoring.price_score(base, price, weight)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("base", "price", "weight", "expected"),
    [
        (1, 8, 1, "0.13"),  # 1 / 8 = 0.125 → half up 0.13 (half even would give 0.12)
        (5, 8, 1, "0.63"),  # 5 / 8 = 0.625 → 0.63 (half even: 0.62)
        (1, 200, 1, "0.01"),  # 1 / 200 = 0.005 → 0.01
        (1, 201, 1, "0.00"),  # 1 / 201 = 0.004975… → 0.00, just below the half
        (201, 200, 1, "1.01"),  # 1.005 exactly → 1.01 (as a float 1.005 is 1.00499… and rounds to 1.00)
    ],
)
def test_price_score_rounds_half_up_in_decimal_rule_22(base, price, weight, expected):
    assert str(scoring.price_score(base, price, weight)) == expected


@pytest.mark.parametrize("price", [0, -100])
def test_price_score_of_a_zero_price_is_the_full_weight_rule_22(price):
    assert str(scoring.price_score(900_000, price, 30)) == "30.00"


def test_base_price_is_the_lowest_valid_price_rule_22():
    assert scoring.base_price([1_200_000, 900_000, 1_000_000]) == 900_000
    assert scoring.base_price(iter([5])) == 5
    with pytest.raises(ValueError):
        scoring.base_price([])


# --------------------------------------------------------------------------- abnormally low (rule 23)


def test_abnormally_low_exactly_at_the_margin_is_not_flagged_rule_23():
    # average = (110000 + 110000 + 80000) / 3 = 100000; 100000 × 80% = 80000: not below.
    assert scoring.abnormally_low({1: 110_000, 2: 110_000, 3: 80_000}, 20) == set()


def test_abnormally_low_one_fen_below_the_margin_is_flagged_rule_23():
    # average = 299999 / 3 = 99999.67; × 80% = 79999.73 > 79999: flagged.
    assert scoring.abnormally_low({1: 110_000, 2: 110_000, 3: 79_999}, 20) == {3}


def test_abnormally_low_with_margin_zero_flags_anything_below_average_rule_23():
    assert scoring.abnormally_low({1: 100, 2: 200}, 0) == {1}
    assert scoring.abnormally_low({1: 100, 2: 100, 3: 100}, 0) == set()


def test_abnormally_low_needs_two_prices_rule_23():
    assert scoring.abnormally_low({1: 1}, 20) == set()
    assert scoring.abnormally_low({}, 20) == set()


def test_abnormally_low_flags_several_and_never_at_margin_100_rule_23():
    prices = {1: 1_000_000, 2: 1_000_000, 3: 1_000_000, 4: 100_000, 5: 200_000}
    # average = 3300000 / 5 = 660000; × 80% = 528000: bids 4 and 5 flagged.
    assert scoring.abnormally_low(prices, 20) == {4, 5}
    assert scoring.abnormally_low(prices, 100) == set()


@pytest.mark.parametrize("margin", [-1, 101])
def test_abnormally_low_margin_must_be_a_percentage_rule_23(margin):
    with pytest.raises(ValueError):
        scoring.abnormally_low({1: 1, 2: 2}, margin)


# --------------------------------------------------------------------------- after totalling (rule 25)


def test_objective_inconsistencies_are_found_per_bid_and_criterion_rule_25():
    crits = (Criterion("years", "从业年限", 5, OBJECTIVE), PLAN, CERT)  # criterion order is not alphabetical
    sheets = [
        sheet(1, 2, years="5", cert="10", plan="12"),
        sheet(2, 2, years="3", cert="8", plan="18"),
        sheet(1, 1, years="5", cert="8", plan="10"),
        sheet(2, 1, years="5.0", cert="10", plan="19"),
        sheet(3, 1, years="5", cert="8", plan="1"),
        sheet(1, 3, years="4", cert="9", plan="12"),  # a single member cannot disagree
    ]
    assert scoring.objective_inconsistencies(crits, sheets) == [
        (1, "cert", [D("8"), D("10")]),
        (2, "years", [D("3"), D("5")]),
        (2, "cert", [D("8"), D("10")]),
    ]


def test_consistent_objective_scores_and_subjective_differences_pass_rule_25():
    sheets = [sheet(1, 1, cert="7", plan="3"), sheet(2, 1, cert="7.0", plan="17")]
    assert scoring.objective_inconsistencies(CRITERIA, sheets) == []
    assert scoring.objective_inconsistencies(CRITERIA, []) == []


def test_spread_outlier_exactly_at_the_threshold_is_not_flagged_rule_25():
    # plan: max 20, threshold 20% → 4 points; mean (10 + 10 + 16) / 3 = 12; |16 − 12| = 4: not more.
    sheets = [sheet(1, 1, plan="10"), sheet(2, 1, plan="10"), sheet(3, 1, plan="16")]
    (result,) = scoring.spreads(CRITERIA, sheets, 20)
    assert result == scoring.CriterionSpread(1, "plan", D("10"), D("16"), D("12.00"), D("6"), ())


def test_spread_outlier_just_above_the_threshold_is_flagged_rule_25():
    # mean (10 + 10 + 16.1) / 3 = 12.0333…; |16.1 − 12.0333| = 4.0667 > 4.
    sheets = [sheet(1, 1, plan="10"), sheet(2, 1, plan="10"), sheet(3, 1, plan="16.1")]
    (result,) = scoring.spreads(CRITERIA, sheets, 20)
    assert result.outliers == (3,)
    assert result.mean == D("12.03") and result.spread == D("6.1")


def test_spread_uses_the_unrounded_mean_rule_25():
    # max 29, threshold 3% → 0.87 points. Seven 6s and one 7: mean 49 / 8 = 6.125 (shown 6.13, half up).
    # |7 − 6.125| = 0.875 > 0.87 → outlier; with the rounded mean |7 − 6.13| = 0.87 would not be.
    crit = Criterion("c", "社区调研", 29, SUBJECTIVE)
    sheets = [sheet(m, 1, c="6") for m in range(1, 8)] + [sheet(8, 1, c="7")]
    (result,) = scoring.spreads([crit], sheets, 3)
    assert result.mean == D("6.13")
    assert result.outliers == (8,)


def test_spreads_cover_every_kind_in_order_and_skip_unscored_rule_25():
    sheets = [
        sheet(5, 2, cert="10", plan="20"),
        sheet(3, 2, cert="0", plan="0"),
        sheet(4, 1, plan="12"),
    ]
    result = scoring.spreads(CRITERIA, sheets, 10)
    assert [(r.bid_id, r.key) for r in result] == [(1, "plan"), (2, "cert"), (2, "plan")]
    # bid 2: mean 5 and 10, both members 5 and 10 away (> 1 and > 2): both outliers, sorted.
    assert result[1].outliers == (3, 5) and result[2].outliers == (3, 5)
    assert result[0].outliers == () and result[0].spread == 0
    assert scoring.spreads(CRITERIA, [], 10) == []


def test_criterion_means_round_half_up_rule_25():
    sheets = [
        sheet(1, 7, cert="5", plan="7"),
        sheet(2, 7, cert="5", plan="8"),
        sheet(3, 7, cert="5", plan="8"),
        sheet(1, 3, cert="4", plan="0.5"),
        sheet(2, 3, cert="4", plan="0"),
        sheet(3, 3, cert="4"),
        sheet(4, 3, cert="4"),
    ]
    means = scoring.criterion_means(CRITERIA, sheets)
    assert list(means) == [3, 7]
    # bid 7: (7 + 8 + 8) / 3 = 7.666… → 7.67; cert consistently 5 → 5.00.
    assert {k: str(v) for k, v in means[7].items()} == {"cert": "5.00", "plan": "7.67"}
    # bid 3: (0.5 + 0) / 2 = 0.25 (only the members who scored it).
    assert {k: str(v) for k, v in means[3].items()} == {"cert": "4.00", "plan": "0.25"}
    assert scoring.criterion_means(CRITERIA, [Sheet(1, 9, {})]) == {9: {}}


def test_bid_total_adds_the_price_score_rule_22():
    # 7.67 + 15.33 + 27.00 = 50.00
    assert str(scoring.bid_total({"cert": D("7.67"), "plan": D("15.33")}, D("27.00"))) == "50.00"
    assert str(scoring.bid_total({"cert": D("7.67"), "plan": D("15.33")}, None)) == "23.00"
    assert str(scoring.bid_total({}, None)) == "0.00"


# --------------------------------------------------------------------------- ranking (rule 24)


def ranks(result):
    return [(r.bid_id, r.rank, r.joint) for r in result]


def test_equal_totals_are_broken_by_lower_price_rule_24():
    entries = [RankEntry(1, D("85.00"), 1_000_000), RankEntry(2, D("85.00"), 900_000), RankEntry(3, D("90"), 2_000_000)]
    assert ranks(scoring.rank(entries, COMPREHENSIVE)) == [(3, 1, False), (2, 2, False), (1, 3, False)]


def test_equal_total_and_price_rank_jointly_with_competition_numbering_rule_24():
    entries = [
        RankEntry(40, D("80"), 500),
        RankEntry(30, D("85.00"), 1_000),
        RankEntry(10, D("90"), 2_000),
        RankEntry(20, D("85"), 1_000),  # 85 == 85.00
    ]
    assert ranks(scoring.rank(entries, COMPREHENSIVE)) == [(10, 1, False), (20, 2, True), (30, 2, True), (40, 4, False)]


def test_lowest_price_method_ranks_by_price_with_joint_ranks_rule_24():
    entries = [
        RankEntry(4, None, 300),
        RankEntry(3, None, 200),
        RankEntry(2, None, 200),
        RankEntry(1, None, 100),
        RankEntry(5, D("99"), 400),  # a total, if present, is ignored
    ]
    assert ranks(scoring.rank(entries, LOWEST_PRICE)) == [
        (1, 1, False),
        (2, 2, True),
        (3, 2, True),
        (4, 4, False),
        (5, 5, False),
    ]


def test_rank_refuses_bad_input_rule_24():
    assert scoring.rank([], COMPREHENSIVE) == []
    with pytest.raises(ValueError):
        scoring.rank([RankEntry(1, None, 100)], COMPREHENSIVE)
    with pytest.raises(ValueError):
        scoring.rank([RankEntry(1, D(1), 100)], "lottery")
    with pytest.raises(ValueError):
        scoring.rank([RankEntry(1, D(1), 100), RankEntry(1, D(2), 100)], COMPREHENSIVE)


TOTALS = st.sampled_from([D("60"), D("75.5"), D("75.50"), D("80"), D("99.99"), D("100")])
PRICES = st.sampled_from([100, 200, 300])


@given(st.lists(st.tuples(TOTALS, PRICES), max_size=12), st.randoms(use_true_random=False))
def test_rank_property_rule_24(rows, rnd):
    """Rule 24: every bid gets exactly one rank; ranks never decrease along the
    output; a strictly higher total always ranks strictly better; a bid's rank
    is one plus the number of bids strictly better; joint means a shared rank."""
    entries = [RankEntry(bid_id, total, price) for bid_id, (total, price) in enumerate(rows, start=1)]
    rnd.shuffle(entries)
    result = scoring.rank(entries, COMPREHENSIVE)
    by_id = {r.bid_id: r for r in result}
    assert sorted(r.bid_id for r in result) == sorted(e.bid_id for e in entries)
    assert len(by_id) == len(result)
    assert all(a.rank <= b.rank for a, b in zip(result, result[1:], strict=False))
    for a in entries:
        better = sum(1 for b in entries if (b.total, -b.price_fen) > (a.total, -a.price_fen))
        assert by_id[a.bid_id].rank == better + 1
        assert by_id[a.bid_id].joint == any(
            b.bid_id != a.bid_id and (b.total, b.price_fen) == (a.total, a.price_fen) for b in entries
        )
        for b in entries:
            if a.total > b.total:
                assert by_id[a.bid_id].rank < by_id[b.bid_id].rank


@given(st.lists(PRICES, max_size=12))
def test_rank_property_lowest_price_rule_24(prices):
    """Rule 24: under the lowest-price method a strictly lower price ranks strictly better."""
    entries = [RankEntry(i, None, p) for i, p in enumerate(prices)]
    by_id = {r.bid_id: r for r in scoring.rank(entries, LOWEST_PRICE)}
    assert len(by_id) == len(entries)
    for a in entries:
        assert by_id[a.bid_id].rank == 1 + sum(1 for b in entries if b.price_fen < a.price_fen)


# --------------------------------------------------------------------------- 公益创投 (rule 13)


def test_venture_recommendation_is_the_mean_rounded_down_to_yuan_rule_13():
    # (1234567 + 1234500) / 2 = 1234533.5 fen → 12345 元 = 1234500 fen
    assert scoring.venture_recommendation([1_234_567, 1_234_500], 5_000_000) == 1_234_500
    # (100 + 100 + 199) / 3 = 133 fen → 1 元, never rounded up
    assert scoring.venture_recommendation([100, 100, 199], 5_000_000) == 100
    assert scoring.venture_recommendation([99], 5_000_000) == 0
    assert scoring.venture_recommendation(iter([3_000_000, 5_000_000]), 5_000_000) == 4_000_000


def test_venture_recommendation_never_exceeds_the_request_rule_13():
    # mean 1150000 fen, requested 1000000 → 1000000
    assert scoring.venture_recommendation([1_200_000, 1_100_000], 1_000_000) == 1_000_000
    assert scoring.venture_recommendation([1_000_000], 1_000_000) == 1_000_000


def test_venture_recommendation_of_nobody_is_zero_rule_13():
    assert scoring.venture_recommendation([], 1_000_000) == 0


@pytest.mark.parametrize(("total", "passes"), [("60", True), ("60.00", True), ("59.99", False), ("100", True)])
def test_venture_passes_at_the_pass_score_rule_13(total, passes):
    assert scoring.venture_passes(D(total), 60) is passes
