"""Rule 4 as options of a call (tenders.eligibility_terms): which year's annual report a call
may ask for, on the days around the filing deadline and over the new year; and the local
conditions, on by default for 公益创投 and off for the statutory methods, while rule 3 always
applies."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from procurement.bids import rules
from procurement.settings import Settings
from procurement.tenders import eligibility_terms as terms
from procurement.tenders.schemas import EligibilityIn, TenderIn
from procurement.tenders.states import Method

# --------------------------------------------------------------------------- the annual report's year


@pytest.mark.parametrize(
    ("on", "year"),
    [
        (date(2026, 1, 1), 2024),  # reports for 2025 are being filed: 2024 is the latest that can be asked
        (date(2026, 6, 29), 2024),
        (date(2026, 6, 30), 2024),  # the deadline itself still belongs to the filing period
        (date(2026, 7, 1), 2025),  # from the day after, last year's report
        (date(2026, 12, 31), 2025),
        (date(2027, 1, 1), 2025),
    ],
)
def test_the_latest_annual_report_a_call_may_ask_for_turns_the_day_after_the_deadline(on, year):
    assert terms.annual_report_year(on, "06-30") == year


def test_a_local_deadline_moves_the_turn():
    assert terms.annual_report_year(date(2026, 5, 31), "05-31") == 2024
    assert terms.annual_report_year(date(2026, 6, 1), "05-31") == 2025


def test_the_year_is_judged_on_the_publication_day_in_beijing_time():
    # 30 June 16:30 UTC is already 1 July 00:30 in Beijing.
    late = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
    assert terms.judged_on(late) == date(2026, 7, 1)
    assert terms.judged_on(datetime(2026, 6, 30, 15, 59, tzinfo=UTC)) == date(2026, 6, 30)


PROFILE = {
    "registration_type": "social_service",
    "charter_scope": "居家养老",
    "annual_reports": {"2025": "passed"},
    "list_entries": [],
    "violations": [],
    "status": "confirmed",
}
ASKS_REPORT = EligibilityIn(annual_report_passed=True)


def _eligible(published: date, today: date) -> bool:
    checks = rules.check_eligibility(
        PROFILE,
        ASKS_REPORT,
        today,
        report_year=terms.annual_report_year(published, "06-30"),
        method=Method.VENTURE,
        org_id=1,
        invited=[],
        single_source_provider=None,
    )
    return not any(c.blocks for c in checks)


def test_a_call_open_over_the_new_year_keeps_asking_for_the_same_report():
    """Before the correction every bidder became ineligible on 1 January (it then asked for 2026)."""
    published = date(2026, 12, 10)
    assert _eligible(published, date(2026, 12, 31))
    assert _eligible(published, date(2027, 1, 1))
    assert _eligible(published, date(2027, 1, 20))


def test_a_call_published_before_the_deadline_keeps_its_year_after_it():
    """Published on 30 June it asks for 2024; on 1 July, still open, it still does."""
    with_older = {**PROFILE, "annual_reports": {"2024": "passed"}}
    year = terms.annual_report_year(date(2026, 6, 30), "06-30")
    assert year == 2024
    checks = rules.check_eligibility(
        with_older,
        ASKS_REPORT,
        date(2026, 7, 1),
        report_year=year,
        method=Method.VENTURE,
        org_id=1,
        invited=[],
        single_source_provider=None,
    )
    assert not any(c.blocks for c in checks)


@pytest.mark.parametrize("value", ["6-30", "06/30", "02-30", "13-01", "02-29", ""])
def test_the_deadline_setting_must_be_a_month_and_day(value, monkeypatch):
    monkeypatch.setenv("PROCUREMENT_ANNUAL_REPORT_DEADLINE", value)
    with pytest.raises(ValidationError, match="月-日"):
        Settings()


def test_the_deadline_setting_defaults_to_30_june(monkeypatch):
    monkeypatch.delenv("PROCUREMENT_ANNUAL_REPORT_DEADLINE", raising=False)
    assert Settings().annual_report_deadline == "06-30"
    monkeypatch.setenv("PROCUREMENT_ANNUAL_REPORT_DEADLINE", "05-31")
    assert Settings().annual_report_deadline == "05-31"


# --------------------------------------------------------------------------- the options of a call

BASE = {
    "title": "测试项目名称",
    "catalogue_item_id": 1,
    "lots": [{"name": "包", "budget_fen": 100}],
    "bid_deadline": "2026-08-01T09:30:00",
}
OPTIONS = {
    "abnormal_list_years": 1,
    "dishonest_list_years": 2,
    "annual_report_passed": True,
    "blacklist_years": 3,
    "charter_scope_required": True,
    "one_application": True,
}
OFF = {
    "abnormal_list_years": None,
    "dishonest_list_years": None,
    "annual_report_passed": False,
    "blacklist_years": None,
    "charter_scope_required": False,
    "one_application": False,
}


def _options(eligibility: EligibilityIn) -> dict:
    return {k: getattr(eligibility, k) for k in terms.LOCAL_CONDITIONS}


def test_a_venture_call_asks_every_local_condition_by_default():
    assert _options(TenderIn(**BASE, method=Method.VENTURE).eligibility) == OPTIONS


@pytest.mark.parametrize("method", [m for m in Method if m != Method.VENTURE])
def test_a_statutory_method_asks_none_of_them_by_default(method):
    assert _options(TenderIn(**BASE, method=method).eligibility) == OFF


def test_a_call_may_turn_a_default_off_or_on():
    venture = TenderIn(**BASE, method=Method.VENTURE, eligibility={"one_application": False, "blacklist_years": None})
    assert venture.eligibility.one_application is False and venture.eligibility.blacklist_years is None
    assert venture.eligibility.annual_report_passed is True  # the others keep the default
    tender = TenderIn(**BASE, method=Method.OPEN, eligibility={"annual_report_passed": True})
    assert tender.eligibility.annual_report_passed is True and tender.eligibility.abnormal_list_years is None


def test_a_service_field_alone_asks_for_the_charter_scope_statement():
    tender = TenderIn(**BASE, method=Method.OPEN, eligibility={"scope_keyword": "养老"})
    assert tender.eligibility.charter_scope_required is True
    said_no = TenderIn(
        **BASE, method=Method.OPEN, eligibility={"scope_keyword": "养老", "charter_scope_required": False}
    )
    assert said_no.eligibility.charter_scope_required is False


def test_rule_3_always_applies_for_at_least_3_years():
    with pytest.raises(ValidationError):
        EligibilityIn(no_major_violation_years=2)
    assert EligibilityIn().no_major_violation_years == 3
    assert EligibilityIn(no_major_violation_years=5).no_major_violation_years == 5
