"""The bureau's ledger views, pure (issue 14 §5): per organization, per budget year and
category (planned against released), and the share of social organizations (rule 8:
30 % is a reference figure, met at exactly 30 %)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.payments import policies
from contracts.payments.ledger import (
    ContractFigures,
    SocialShare,
    budget_year,
    by_category,
    by_organization,
    chart_bars,
    social_share,
)
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser


def figures(cid: int, provider: int, org_kind: str, amount: int, released: int = 0, **extra) -> ContractFigures:
    values = {
        "contract_id": cid,
        "number": f"HT-{cid}",
        "title": f"项目{cid}",
        "kind": "service",
        "provider_id": provider,
        "provider_name": f"机构{provider}",
        "provider_kind": org_kind,
        "provider_kind_label": "社会组织" if org_kind == "social_org" else "企业",
        "year": 2026,
        "category": "elderly",
        "category_label": "为老服务",
        "amount_fen": amount,
        "released_fen": released,
        "owed_fen": 0,
        "late_count": 0,
    }
    values.update(extra)
    return ContractFigures(**values)


ROWS = [
    # a social organization with two contracts, one raised by a 补充合同 to 110,000 元
    figures(1, 10, "social_org", 110_000_00, 50_000_00, owed_fen=30_000_00, late_count=1),
    figures(2, 10, "social_org", 20_000_00, 20_000_00, category="youth", category_label="青少年服务"),
    # a provider of another kind
    figures(3, 20, "agency", 200_000_00, 0, owed_fen=60_000_00),
    figures(4, 20, "agency", 40_000_00, 40_000_00, year=2025),
]


def test_each_provider_sums_its_contracts_amounts_released_owed_and_late_installments():
    lines = by_organization(ROWS)
    assert [line.provider_id for line in lines] == [20, 10]  # the largest amount first
    agency, social = lines
    assert (social.contracts, social.amount_fen, social.released_fen, social.owed_fen, social.late_count) == (
        2,
        130_000_00,
        70_000_00,
        30_000_00,
        1,
    )
    assert (agency.contracts, agency.amount_fen, agency.released_fen, agency.owed_fen) == (
        2,
        240_000_00,
        40_000_00,
        60_000_00,
    )
    assert social.provider_kind_label == "社会组织" and agency.provider_kind_label == "企业"


def test_planned_against_released_per_year_and_category():
    lines = by_category(ROWS)
    assert [(line.year, line.category) for line in lines] == [(2026, "elderly"), (2026, "youth"), (2025, "elderly")]
    elderly = lines[0]
    assert (elderly.contracts, elderly.planned_fen, elderly.released_fen) == (2, 310_000_00, 50_000_00)
    assert elderly.released_percent == 16  # 16.1 % rounded down
    assert lines[1].released_percent == 100
    assert by_category([]) == []


def test_the_social_share_counts_service_contracts_of_the_year_only():
    share = social_share(ROWS, 2026)
    assert (share.total_fen, share.social_fen) == (330_000_00, 130_000_00)
    assert share.percent_text == "39.3%" and share.meets_reference
    grants = [*ROWS, figures(5, 20, "agency", 900_000_00, kind="venture")]
    assert social_share(grants, 2026).total_fen == 330_000_00  # 公益创投 grants are not bought services
    assert social_share(ROWS, None).total_fen == 370_000_00
    assert social_share(ROWS, 2024) == SocialShare(year=2024, total_fen=0, social_fen=0)
    assert not social_share(ROWS, 2024).meets_reference


@pytest.mark.parametrize(
    ("social", "total", "meets", "text"),
    [
        (30_000_00, 100_000_00, True, "30.0%"),  # exactly 30 % meets the reference
        (29_999_99, 100_000_00, False, "29.9%"),  # one fen short does not, though it shows 29.9 %
        (3, 10, True, "30.0%"),
        (1, 1, True, "100.0%"),
        (0, 100, False, "0.0%"),
    ],
)
def test_the_share_meets_the_30_percent_reference_from_exactly_30_percent(social, total, meets, text):
    rows = [figures(1, 10, "social_org", social), figures(2, 20, "agency", total - social)]
    share = social_share(rows, 2026)
    assert share.meets_reference is meets and share.percent_text == text


def test_the_budget_year_is_the_beijing_year_of_signing():
    new_year_eve_utc = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 2026-01-01 01:00 in Beijing
    assert budget_year(new_year_eve_utc, date(2025, 6, 1), new_year_eve_utc) == 2026
    assert budget_year(None, date(2025, 6, 1), new_year_eve_utc) == 2025
    assert budget_year(None, None, datetime(2024, 3, 1, tzinfo=UTC)) == 2024


def test_the_chart_scales_bars_to_the_largest_planned_amount():
    chart = chart_bars(by_category(ROWS), width=600)
    first = chart["rows"][0]
    span = 600 - chart["x0"] - 10
    assert first["planned_w"] == span  # the largest
    assert first["released_w"] == span * 50_000_00 // 310_000_00
    assert chart["height"] > chart["rows"][-1]["released_y"]
    assert chart_bars([])["rows"] == []


def test_only_bureau_staff_and_administrators_read_the_ledger_summary():
    def user(role: str, org: int | None) -> CurrentUser:
        return CurrentUser(1, "u", "用户", role, org, "机构", None, 1, "t", "bearer")

    allowed = [user(Role.OFFICER, 10), user(Role.FINANCE, 10), user(Role.ADMIN, None)]
    refused = [user(Role.ORG_MEMBER, 20), user(Role.EVALUATOR, 30), user(Role.EXPERT, 40), user(Role.OFFICER, None)]
    assert all(policies.ledger_summary_reader(u) for u in allowed)
    for u in refused:
        decision = policies.ledger_summary_reader(u)
        assert not decision and "经办人和财务人员" in (decision.reason or "")
