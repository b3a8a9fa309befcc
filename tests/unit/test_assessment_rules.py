"""Pure rules of third-party evaluation (contracts.assessments.rules; issue 14, rules 20, 32–34)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from contracts.assessments import rules
from contracts.assessments.seed import SOCIAL_WORK_SYSTEM
from contracts.assessments.states import Grade

TREE = {
    "dimensions": [
        {
            "name": "项目管理",
            "weight": 40,
            "indicators": [
                {"name": "制度建设", "weight": 50, "guidance": "制度齐全得满分"},
                {"name": "档案管理", "weight": 50, "guidance": "台账完整得满分"},
            ],
        },
        {"name": "服务成效", "weight": 60, "indicators": [{"name": "目标完成", "weight": 100, "guidance": "按完成率"}]},
    ]
}


def test_a_tree_whose_weights_add_up_to_100_at_every_level_is_accepted():
    assert rules.tree_problems(TREE) == {}
    assert rules.tree_problems(SOCIAL_WORK_SYSTEM["tree"]) == {}


@pytest.mark.parametrize(("weight", "ok"), [(39, False), (40, True), (41, False)])
def test_the_dimension_weights_must_add_up_to_exactly_100(weight, ok):
    tree = copy.deepcopy(TREE)
    tree["dimensions"][0]["weight"] = weight
    problems = rules.tree_problems(tree)
    assert (problems == {}) is ok
    if not ok:
        assert "应为 100" in problems["dimensions"]


@pytest.mark.parametrize(("weight", "ok"), [(49, False), (50, True), (51, False)])
def test_the_indicator_weights_within_a_dimension_must_add_up_to_exactly_100(weight, ok):
    tree = copy.deepcopy(TREE)
    tree["dimensions"][0]["indicators"][0]["weight"] = weight
    problems = rules.tree_problems(tree)
    assert (problems == {}) is ok
    if not ok:
        assert set(problems) == {"dimensions.0.indicators"}
        assert "项目管理" in problems["dimensions.0.indicators"]


@pytest.mark.parametrize("weight", [0, 101, -5, 12.5, "50", True, None])
def test_a_weight_is_a_whole_number_from_1_to_100(weight):
    tree = copy.deepcopy(TREE)
    tree["dimensions"][1]["indicators"][0]["weight"] = weight
    assert "dimensions.1.indicators.0.weight" in rules.tree_problems(tree)


def test_every_indicator_needs_scoring_guidance_and_a_unique_name():
    tree = copy.deepcopy(TREE)
    tree["dimensions"][0]["indicators"][1]["name"] = "制度建设"
    tree["dimensions"][1]["indicators"][0]["guidance"] = " "
    problems = rules.tree_problems(tree)
    assert "dimensions.0.indicators.1.name" in problems
    assert "dimensions.1.indicators.0.guidance" in problems


def test_an_empty_tree_or_an_empty_dimension_is_refused():
    assert "dimensions" in rules.tree_problems({"dimensions": []})
    tree = copy.deepcopy(TREE)
    tree["dimensions"][1]["indicators"] = []
    assert "dimensions.1.indicators" in rules.tree_problems(tree)


def test_the_weighted_total_is_exact_and_rounded_half_up_to_a_tenth():
    dims = rules.parse_tree(TREE)
    assert rules.indicator_keys(dims) == ["d1.i1", "d1.i2", "d2.i1"]
    # 0.4 × (0.5 × 90 + 0.5 × 80) + 0.6 × 70 = 34 + 42 = 76
    assert rules.weighted_total_tenths(dims, {"d1.i1": 90, "d1.i2": 80, "d2.i1": 70}) == 760
    # 0.4 × 0.5 × 0.1 = 0.02 → 79.98 rounds to 80.0
    assert rules.weighted_total_tenths(dims, {"d1.i1": "79.9", "d1.i2": 80, "d2.i1": 80}) == 800
    # 0.4 × 0.5 × 0.3 = 0.06 → 59.94 rounds to 59.9 (不合格)
    assert rules.weighted_total_tenths(dims, {"d1.i1": "59.7", "d1.i2": 60, "d2.i1": 60}) == 599
    assert rules.weighted_total_tenths(dims, {"d1.i1": 100, "d1.i2": 100, "d2.i1": 100}) == 1000


def test_scores_are_0_to_100_with_one_decimal_and_every_indicator_needs_one():
    dims = rules.parse_tree(TREE)
    problems = rules.score_problems(dims, {"d1.i1": "100.5", "d1.i2": "80.25", "x": 1}, {}, notes_required=True)
    assert set(problems) >= {"scores.d1.i1", "scores.d1.i2", "scores.d2.i1", "scores.x", "notes.d1.i1"}
    good = {"d1.i1": 0, "d1.i2": "99.9", "d2.i1": 100}
    assert rules.score_problems(dims, good, {}, notes_required=False) == {}
    notes = {"d1.i1": "查阅台账", "d1.i2": "现场查看", "d2.i1": "抽查服务对象"}
    assert rules.score_problems(dims, good, notes, notes_required=True) == {}


DEFAULT = rules.Thresholds()


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (1000, Grade.EXCELLENT),
        (900, Grade.EXCELLENT),
        (899, Grade.GOOD),
        (890, Grade.GOOD),
        (800, Grade.GOOD),
        (799, Grade.PASS),
        (790, Grade.PASS),
        (600, Grade.PASS),
        (599, Grade.FAIL),
        (590, Grade.FAIL),
        (0, Grade.FAIL),
    ],
)
def test_grades_follow_the_default_thresholds_at_every_boundary(score, grade):
    # rule 32: 优秀 ≥ 90, 良好 80–89, 合格 60–79, 不合格 < 60
    assert rules.grade_of(score, DEFAULT) == grade


def test_other_thresholds_from_the_settings_move_the_boundaries():
    strict = rules.Thresholds(excellent=95, good=85, passing=70)
    assert rules.grade_of(940, strict) == Grade.GOOD
    assert rules.grade_of(690, strict) == Grade.FAIL
    with pytest.raises(ValueError):
        rules.Thresholds(excellent=80, good=80, passing=60)


@pytest.mark.parametrize(
    ("grade", "setting", "rectify"),
    [
        ("excellent", "pass", False),
        ("good", "pass", False),
        ("pass", "pass", True),
        ("fail", "pass", True),
        ("pass", "fail", False),
        ("fail", "fail", True),
        ("good", "good", True),
    ],
)
def test_rectification_is_called_for_at_or_below_the_setting(grade, setting, rectify):
    assert rules.calls_for_rectification(grade, setting) is rectify


def test_a_missing_or_late_midterm_report_is_a_reason_to_fail_and_a_final_is_not_graded_on_them():
    today = date(2026, 7, 1)
    reports = [
        rules.ReportRecord(1, date(2026, 2, 10), date(2026, 2, 9)),  # on time
        rules.ReportRecord(2, date(2026, 3, 10), date(2026, 3, 10)),  # on its due day: on time
        rules.ReportRecord(3, date(2026, 4, 10), date(2026, 4, 11)),  # late
        rules.ReportRecord(4, date(2026, 5, 10), None),  # missing
        rules.ReportRecord(5, date(2026, 7, 10), None),  # not yet due
        rules.ReportRecord(6, date(2026, 8, 10), None),  # after the mid-term
    ]
    reasons = rules.report_failures("midterm", reports, date(2026, 7, 15), today)
    assert len(reasons) == 2
    assert "第 3 期" in reasons[0] and "逾期" in reasons[0]
    assert "第 4 期" in reasons[1] and "未交" in reasons[1]
    assert rules.report_failures("final", reports, date(2026, 7, 15), today) == []
    assert rules.report_failures("midterm", reports[:2], date(2026, 7, 15), today) == []


AGENCY = rules.Party(10, "众合评估中心", "agency", legal_representative="吴静")
PROVIDER = rules.Party(20, "幸福家", "social_org", legal_representative="陈晓燕")
TODAY = date(2026, 12, 7)


def test_an_unrelated_agency_is_independent():
    assert rules.independence_problems(AGENCY, PROVIDER, [], TODAY) == []


def test_the_provider_itself_or_an_organization_that_is_not_an_agency_may_not_evaluate():
    assert rules.independence_problems(rules.Party(20, "幸福家", "agency"), PROVIDER, [], TODAY)
    reasons = rules.independence_problems(rules.Party(11, "某街道", "bureau"), PROVIDER, [], TODAY)
    assert any("不是登记的第三方评估机构" in r for r in reasons)


def test_the_same_head_or_a_control_link_is_a_relation():
    same_head = rules.Party(10, "众合", "agency", legal_representative=" 陈晓燕 ")
    assert any("负责人" in r for r in rules.independence_problems(same_head, PROVIDER, [], TODAY))
    child = rules.Party(10, "众合", "agency", parent_id=20)
    assert any("隶属" in r for r in rules.independence_problems(child, PROVIDER, [], TODAY))
    parent = rules.Party(20, "幸福家", "social_org", parent_id=10)
    assert any("隶属" in r for r in rules.independence_problems(AGENCY, parent, [], TODAY))


@pytest.mark.parametrize(
    ("signed", "related"),
    [(date(2023, 12, 7), True), (date(2023, 12, 6), False), (date(2026, 1, 1), True)],
)
def test_a_contract_between_the_two_in_the_last_3_years_is_a_relation(signed, related):
    either_way = [rules.PastContract(20, 10, signed, "督导服务")]
    assert bool(rules.independence_problems(AGENCY, PROVIDER, either_way, TODAY)) is related
    other = [rules.PastContract(20, 30, signed, "别的合同")]
    assert rules.independence_problems(AGENCY, PROVIDER, other, TODAY) == []


def test_the_default_due_dates_are_the_midpoint_and_a_month_before_the_end():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert rules.default_due("midterm", start, end, 30) == date(2026, 7, 2)
    assert rules.default_due("final", start, end, 30) == date(2026, 12, 1)
    assert rules.default_due("final", start, date(2026, 1, 10), 30) == start
    assert rules.default_due("spot", start, end, 30) is None
    assert "due_on" in rules.due_problems("spot", None, end, date(2026, 3, 1))
    assert "due_on" in rules.due_problems("final", date(2026, 2, 1), end, date(2026, 3, 1))
    assert rules.due_problems("final", None, end, date(2026, 3, 1)) == {}


def test_a_code_is_read_without_spaces_dashes_or_case():
    assert rules.normalize_code(" ab2c-d3e4 ") == "AB2CD3E4"
    assert not set("01OIL") & set(rules.CODE_ALPHABET)


def test_every_survey_answer_is_1_to_5_and_nothing_else_is_asked():
    good = {"attitude": 5, "professional": 4, "effect": 3, "overall": 1}
    assert rules.answer_problems(good) == {}
    assert set(rules.answer_problems({**good, "overall": 0, "extra": 3})) == {"answers.overall", "answers.extra"}
    assert "answers.effect" in rules.answer_problems({**good, "effect": True})


def test_the_survey_summary_counts_the_satisfied_and_flags_too_few_answers():
    answers = [
        {"attitude": 5, "professional": 5, "effect": 4, "overall": 5},
        {"attitude": 4, "professional": 3, "effect": 3, "overall": 4},
        {"attitude": 2, "professional": 2, "effect": 2, "overall": 3},
    ]
    summary = rules.survey_summary(answers, minimum=3)
    assert summary.responses == 3 and summary.sufficient
    assert summary.satisfied_permille == 667  # 2 of 3
    assert summary.means_tenths["attitude"] == 37
    assert not rules.survey_summary(answers[:2], minimum=3).sufficient
    assert rules.survey_summary([], minimum=3) == rules.SurveySummary(0, None, {}, False)
