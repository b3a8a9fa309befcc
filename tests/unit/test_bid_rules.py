"""The pure rules of bidding (bids.rules): eligibility (rules 2–6), the team
promised in a bid (rule 40), prices within the budget (rule 17), 公益创投
funding (rule 36) and the minimum number of bids (rules 11, 18).

Each requirement is tested from both sides: the failing profile gets a Chinese
reason, its good neighbour passes. Today is fixed at 2026-06-15 so that
"2 years 11 months ago" is a plain date; the call asks for the 2025 annual report
(which year a call asks for is tested in test_eligibility_terms.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from procurement.bids import rules
from procurement.tenders.schemas import EligibilityIn, TeamRequirementsIn, VentureTermsIn
from procurement.tenders.states import Method

TODAY = date(2026, 6, 15)
REPORT_YEAR = 2025
ORG = 7
OTHER_ORG = 8

# A tender asking for everything rules 2–6 allow it to ask.
REQ = EligibilityIn(
    registration_types=["social_service", "social_group"],
    no_major_violation_years=3,
    abnormal_list_years=1,
    dishonest_list_years=2,
    annual_report_passed=True,
    blacklist_years=3,
    min_grade="3A",
)


def profile(**overrides: Any) -> dict[str, Any]:
    """A confirmed profile that meets every requirement of REQ."""
    base: dict[str, Any] = {
        "registration_type": "social_service",
        "charter_scope": "居家养老上门服务、老年食堂运营",
        "grade": "3A",
        "grade_awarded_on": "2023-09-20",
        "annual_reports": {"2025": "passed"},
        "list_entries": [],
        "violations": [],
        "confirmed_at": "2026-01-05T09:00:00+08:00",
        "status": "confirmed",
        "returned_reason": "",
    }
    base.update(overrides)
    return base


def check(
    p: dict[str, Any] | None,
    req: EligibilityIn = REQ,
    *,
    method: str = Method.OPEN,
    org_id: int = ORG,
    invited: list[int] | None = None,
    single_source_provider: int | None = None,
    report_year: int = REPORT_YEAR,
) -> list[rules.Check]:
    return rules.check_eligibility(
        p,
        req,
        TODAY,
        report_year=report_year,
        method=method,
        org_id=org_id,
        invited=invited or [],
        single_source_provider=single_source_provider,
    )


def failed(checks: list[rules.Check]) -> list[rules.Check]:
    return [c for c in checks if not c.passed]


def only_failure(checks: list[rules.Check]) -> rules.Check:
    bad = failed(checks)
    assert len(bad) == 1, [(c.requirement, c.reason) for c in bad]
    return bad[0]


def test_the_base_profile_meets_every_requirement():
    checks = check(profile())
    assert checks and not failed(checks), [(c.requirement, c.reason) for c in failed(checks)]


# --------------------------------------------------------------------------- eligibility (rules 2–6)


def test_an_organization_without_a_profile_is_told_to_fill_one_in():
    checks = check(None)
    assert len(checks) == 1
    assert not checks[0].passed and "尚未填写机构资格资料" in checks[0].reason


def test_an_unconfirmed_profile_fails_until_the_bureau_confirms_it():
    bad = only_failure(check(profile(confirmed_at=None, status="pending")))
    assert "民政局确认" in bad.requirement and "尚未经民政局确认" in bad.reason


def test_a_returned_profile_fails_with_the_bureaus_reason():
    bad = only_failure(
        check(profile(confirmed_at=None, status="returned", returned_reason="2025 年度年报与公示不符。"))
    )
    assert "被民政局退回" in bad.reason and "2025 年度年报与公示不符" in bad.reason and "。。" not in bad.reason


def test_a_registration_type_the_tender_does_not_allow_fails_naming_rule_2():
    bad = only_failure(check(profile(registration_type="enterprise")))
    assert bad.requirement == "登记类型"
    assert "企业" in bad.reason and "不符合" in bad.reason and "《政府购买服务管理办法》第六条、第八条" in bad.reason
    assert not failed(check(profile(registration_type="social_group")))


def test_a_major_violation_2_years_11_months_ago_fails_the_3_year_rule_3():
    bad = only_failure(check(profile(violations=[{"date": "2023-07-15", "description": "被处以较大数额罚款"}])))
    assert "3 年无重大违法" in bad.requirement
    assert (
        "2023-07-15" in bad.reason and "被处以较大数额罚款" in bad.reason and "《政府采购法》第二十二条" in bad.reason
    )


def test_a_major_violation_3_years_1_month_ago_no_longer_counts_under_rule_3():
    assert not failed(check(profile(violations=[{"date": "2023-05-15", "description": "被处以较大数额罚款"}])))


def test_an_abnormal_list_entry_removed_11_months_ago_fails_a_1_year_window_rule_4():
    entry = {"list": "abnormal", "entered_on": "2025-01-10", "removed_on": "2025-07-15"}
    bad = only_failure(check(profile(list_entries=[entry])))
    assert "活动异常名录" in bad.requirement
    assert "2025-01-10 被列入活动异常名录" in bad.reason and "2025-07-15 移出" in bad.reason


def test_an_abnormal_list_entry_removed_13_months_ago_passes_a_1_year_window_rule_4():
    entry = {"list": "abnormal", "entered_on": "2025-01-10", "removed_on": "2025-05-15"}
    assert not failed(check(profile(list_entries=[entry])))


def test_an_organization_still_on_the_dishonest_list_fails_rule_4():
    entry = {"list": "dishonest", "entered_on": "2021-03-01", "removed_on": None}
    bad = only_failure(check(profile(list_entries=[entry])))
    assert "严重违法失信名单" in bad.requirement and "至今未移出" in bad.reason


def test_a_dishonest_list_entry_removed_before_the_2_year_window_passes():
    entry = {"list": "dishonest", "entered_on": "2021-03-01", "removed_on": "2024-06-01"}
    assert not failed(check(profile(list_entries=[entry])))


def test_the_annual_report_of_the_year_the_call_asks_for_not_filed_fails_rule_4():
    bad = only_failure(check(profile(annual_reports={"2024": "passed"})))
    assert "2025 年度年报" in bad.requirement and "未报送 2025 年度年报" in bad.reason
    bad = only_failure(check(profile(annual_reports={"2025": "not_filed"})))
    assert "未报送 2025 年度年报" in bad.reason


def test_a_call_asking_for_the_year_before_last_reads_that_years_report_rule_4():
    older = profile(annual_reports={"2024": "passed"})
    assert not failed(check(older, report_year=2024))
    bad = only_failure(check(profile(), report_year=2024))
    assert "2024 年度年报" in bad.requirement


def test_an_annual_report_for_last_year_that_failed_fails_rule_4():
    bad = only_failure(check(profile(annual_reports={"2025": "failed"})))
    assert "年报未通过" in bad.reason


def test_an_annual_report_for_last_year_that_passed_passes():
    checks = check(profile(annual_reports={"2025": "passed"}))
    report = next(c for c in checks if "年报" in c.requirement)
    assert report.passed and "已报送并通过" in report.reason


def test_a_grade_below_the_minimum_fails_rule_6():
    bad = only_failure(check(profile(grade="2A")))
    assert "3A 及以上" in bad.requirement and "2A" in bad.reason
    assert not failed(check(profile(grade="5A")))


def test_no_grade_at_all_fails_a_minimum_grade():
    bad = only_failure(check(profile(grade="", grade_awarded_on=None)))
    assert "未参加等级评估" in bad.reason


def test_a_grade_awarded_more_than_5_years_ago_has_expired_under_rule_6():
    bad = only_failure(check(profile(grade="5A", grade_awarded_on="2021-06-14")))
    assert "已超过 5 年有效期" in bad.reason


def test_a_grade_awarded_exactly_5_years_ago_is_still_valid_under_rule_6():
    assert not failed(check(profile(grade="3A", grade_awarded_on="2021-06-15")))


SCOPE_REQ = REQ.model_copy(update={"charter_scope_required": True, "scope_keyword": "养老"})


def test_a_charter_scope_is_never_matched_as_text_it_waits_for_the_qualification_review_rule_4():
    """A "为老助残" organization does not fail a "养老" call: the buyer judges its statement later."""
    checks = check(profile(charter_scope="社区社会工作服务、为老助残、青少年成长陪伴"), SCOPE_REQ)
    assert not [c for c in checks if c.blocks]
    scope = next(c for c in checks if c.pending)
    assert scope.requirement == "项目属于机构章程业务范围" and not scope.passed
    assert "待资格审查确认" in scope.reason and "为老助残" in scope.reason and "养老" in scope.reason
    same = check(profile(charter_scope="居家养老上门服务"), SCOPE_REQ)
    assert [c.pending for c in same if "业务范围" in c.requirement] == [True]  # a matching word decides nothing


def test_a_profile_without_a_charter_scope_cannot_state_one_and_fails_rule_4():
    bad = only_failure(check(profile(charter_scope="  "), SCOPE_REQ))
    assert bad.blocks and not bad.pending and "没有填写章程业务范围" in bad.reason


def test_a_call_that_does_not_ask_for_the_charter_scope_does_not_check_it():
    assert not [c for c in check(profile(charter_scope=""), REQ) if "业务范围" in c.requirement]


def test_a_bid_without_a_scope_statement_is_refused_and_one_with_it_is_not_rule_4():
    for content in ({}, {"scope_statement": ""}, {"scope_statement": "  \n "}):
        assert set(rules.scope_statement_error(content)) == {"scope_statement"}
    assert rules.scope_statement_error({"scope_statement": "为老助残涵盖居家养老上门服务。"}) == {}


def test_the_review_check_carries_the_statement_and_the_quoted_charter_scope():
    check_ = rules.review_scope_check({"charter_scope": "为老助残", "scope_statement": "涵盖居家养老。"}, "养老")
    assert (
        check_.pending and "为老助残" in check_.reason and "涵盖居家养老" in check_.reason and "养老" in check_.reason
    )
    missing = rules.review_scope_check({"charter_scope": "为老助残"})
    assert missing.pending and "没有业务范围说明" in missing.reason


def test_a_blacklist_entry_within_3_years_fails_and_one_removed_before_passes_rule_4():
    recent = {"list": "blacklist", "entered_on": "2022-05-01", "removed_on": "2023-06-16"}
    bad = only_failure(check(profile(list_entries=[recent])))
    assert "采购人（征集方）黑名单" in bad.requirement and "2023-06-16 移出" in bad.reason
    old = {"list": "blacklist", "entered_on": "2022-05-01", "removed_on": "2023-06-14"}
    assert not failed(check(profile(list_entries=[old])))
    off = REQ.model_copy(update={"blacklist_years": None})
    assert not failed(check(profile(list_entries=[recent]), off))


def test_what_a_profile_still_lacks_for_bidding_is_said_in_words():
    assert rules.profile_gaps(None, 2025) == ["尚未填写机构资格资料。"]
    assert rules.profile_gaps(profile(), 2025) == []
    gaps = rules.profile_gaps(
        profile(status="returned", returned_reason="请补充 2025 年度年报", charter_scope="", annual_reports={}), 2025
    )
    assert len(gaps) == 3
    assert "被民政局退回" in gaps[0] and "章程业务范围" in gaps[1] and "2025 年度年报" in gaps[2]
    assert "等待民政局确认" in rules.profile_gaps(profile(status="pending"), 2025)[0]
    assert "评定日期" in rules.profile_gaps(profile(grade_awarded_on=None), 2025)[0]


def test_an_invited_tender_refuses_an_organization_that_was_not_invited():
    bad = only_failure(check(profile(), method=Method.INVITED, invited=[OTHER_ORG]))
    assert bad.requirement == "受邀参加" and "只接受受邀机构" in bad.reason
    assert not failed(check(profile(), method=Method.INVITED, invited=[OTHER_ORG, ORG]))


def test_a_single_source_purchase_refuses_any_other_provider():
    bad = only_failure(check(profile(), method=Method.SINGLE_SOURCE, single_source_provider=OTHER_ORG))
    assert bad.requirement == "单一来源供应商" and "只接受指定供应商" in bad.reason
    assert not failed(check(profile(), method=Method.SINGLE_SOURCE, single_source_provider=ORG))


def test_requirements_the_tender_does_not_set_are_not_checked():
    loose = EligibilityIn()  # a statutory method's defaults: none of rule 4's local conditions
    checks = check(
        profile(
            registration_type="enterprise",
            grade="",
            charter_scope="",
            annual_reports={},
            list_entries=[{"list": "abnormal", "entered_on": "2026-01-01"}],
        ),
        loose,
    )
    assert not failed(checks)
    assert {c.requirement for c in checks} == {"资格资料经民政局确认", "近 3 年无重大违法记录"}


# --------------------------------------------------------------------------- team (rule 40)

TEAM_REQ = TeamRequirementsIn(min_licensed_workers=2, lead_min_level="intermediate", supervisor_required=True)


def team(*members: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"name": name, "level": level, "role": role} for name, level, role in members]


GOOD_TEAM = team(
    ("张负责", "intermediate", "lead"), ("李社工", "assistant", "member"), ("王督导", "senior", "supervisor")
)


def test_a_team_meeting_every_requirement_passes_rule_40():
    assert rules.check_team(GOOD_TEAM, TEAM_REQ) == {}


def test_too_few_licensed_workers_are_refused_with_the_count_rule_40():
    errors = rules.check_team(
        team(("张负责", "intermediate", "lead"), ("李社工", "none", "member"), ("王督导", "none", "supervisor")),
        TEAM_REQ,
    )
    assert set(errors) == {"team"}
    assert "至少 2 名" in errors["team"] and "只有 1 名" in errors["team"]


def test_a_team_without_a_lead_is_refused_on_the_lead_field():
    errors = rules.check_team(team(("李社工", "intermediate", "member"), ("王督导", "senior", "supervisor")), TEAM_REQ)
    assert errors == {"team.lead": "请指定一名项目负责人。"}


def test_a_lead_below_the_required_level_is_refused_naming_both_levels_rule_40():
    errors = rules.check_team(
        team(("张负责", "assistant", "lead"), ("李社工", "assistant", "member"), ("王督导", "senior", "supervisor")),
        TEAM_REQ,
    )
    assert set(errors) == {"team.lead"}
    assert "社会工作师及以上" in errors["team.lead"] and "张负责为助理社会工作师" in errors["team.lead"]
    assert "rule" not in errors["team.lead"]


def test_a_missing_supervisor_is_refused_when_the_tender_requires_one_rule_40():
    errors = rules.check_team(team(("张负责", "intermediate", "lead"), ("李社工", "assistant", "member")), TEAM_REQ)
    assert errors == {"team.supervisor": "本项目要求配备督导。"}
    no_supervisor_needed = TEAM_REQ.model_copy(update={"supervisor_required": False})
    assert (
        rules.check_team(
            team(("张负责", "intermediate", "lead"), ("李社工", "assistant", "member")), no_supervisor_needed
        )
        == {}
    )


# --------------------------------------------------------------------------- price (rule 17)

BUDGET = 40_000_000


def test_a_price_equal_to_the_budget_passes_rule_17():
    assert rules.check_price(BUDGET, BUDGET, None) == {}
    assert rules.check_price(BUDGET, BUDGET, BUDGET) == {}


def test_a_price_one_fen_above_the_budget_is_refused_naming_rule_17():
    errors = rules.check_price(BUDGET + 1, BUDGET, None)
    assert set(errors) == {"price_fen"}
    assert (
        "超过本包预算" in errors["price_fen"]
        and "无效投标" in errors["price_fen"]
        and "《政府采购货物和服务招标投标管理办法》第十二条" in errors["price_fen"]
    )
    assert "400,000.01" in errors["price_fen"]


def test_a_price_above_the_maximum_price_is_refused_naming_rule_17():
    errors = rules.check_price(39_000_001, BUDGET, 39_000_000)
    assert (
        "超过最高限价" in errors["price_fen"]
        and "《政府采购货物和服务招标投标管理办法》第十二条" in errors["price_fen"]
    )
    assert rules.check_price(39_000_000, BUDGET, 39_000_000) == {}


def test_a_zero_price_is_refused():
    assert rules.check_price(0, BUDGET, None) == {"price_fen": "投标报价必须大于 0。"}


def test_a_missing_price_is_refused():
    assert rules.check_price(None, BUDGET, None) == {"price_fen": "请填写投标报价。"}


# --------------------------------------------------------------------------- 公益创投 funding (rule 36)

TERMS = VentureTermsIn(cap_per_project_fen=10_000_000, max_share_percent=60, matching_required=True)


def test_a_request_above_the_cap_per_project_is_refused_rule_36():
    errors = rules.check_venture(10_000_001, 20_000_000, 30_000_000, TERMS)
    assert set(errors) == {"requested_fen"}
    assert "单个项目资助上限" in errors["requested_fen"] and "100,000.00" in errors["requested_fen"]
    assert "rule" not in errors["requested_fen"]


def test_a_request_of_exactly_60_percent_of_the_project_budget_passes_rule_36():
    assert rules.check_venture(6_000_000, 4_000_000, 10_000_000, TERMS) == {}


def test_a_request_one_fen_above_60_percent_of_the_project_budget_is_refused_rule_36():
    errors = rules.check_venture(6_000_001, 3_999_999, 10_000_000, TERMS)
    assert set(errors) == {"requested_fen"}
    assert "60%" in errors["requested_fen"] and "最多申请 ¥60,000.00" in errors["requested_fen"]


def test_matching_funds_short_of_the_rest_of_the_project_budget_are_refused_rule_36():
    errors = rules.check_venture(5_000_000, 4_999_999, 10_000_000, TERMS)
    assert set(errors) == {"matching_fen"}
    assert "配套资金应不少于 ¥50,000.00" in errors["matching_fen"]
    assert rules.check_venture(5_000_000, 5_000_000, 10_000_000, TERMS) == {}


def test_matching_funds_are_not_checked_when_the_call_does_not_require_them():
    terms = TERMS.model_copy(update={"matching_required": False})
    assert rules.check_venture(5_000_000, None, 10_000_000, terms) == {}


def test_a_venture_application_without_amounts_is_refused():
    assert set(rules.check_venture(None, 0, 10_000_000, TERMS)) == {"requested_fen"}
    assert set(rules.check_venture(1_000_000, 0, None, TERMS)) == {"project_budget_fen"}


# --------------------------------------------------------------------------- minimum bids (rules 11, 18)


@pytest.mark.parametrize(
    ("method", "minimum"),
    [
        (Method.OPEN, 3),
        (Method.INVITED, 3),
        (Method.NEGOTIATION, 3),
        (Method.INQUIRY, 3),
        (Method.CONSULTATION, 2),
        (Method.SINGLE_SOURCE, 1),
        (Method.VENTURE, 1),
    ],
)
def test_the_minimum_number_of_bids_follows_rules_11_and_18(method, minimum):
    assert rules.minimum_bids(method) == minimum
