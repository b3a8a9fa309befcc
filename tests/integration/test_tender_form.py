"""The bureau's long tender form reports every error at once: the input errors (a blank
required field, a number out of range, an unreadable amount) together with the legal rules
checked on the rest (the price weight, the bond, the deadline), instead of in two passes; it
shows the live total of the evaluation weights against 100, and starts the notice's contact
block from the bureau's own record."""

from __future__ import annotations

import re

from procurement.tenders.tables import Tender
from tests.integration.conftest import page_login, post_form
from tests.integration.test_tender_pages import _item_id, tender_form


def _error_beside(html: str, name: str) -> str:
    match = re.search(rf'id="f-{re.escape(name)}-error">([^<]*)<', html)
    assert match, f"no error shown beside {name}"
    return match.group(1)


async def _create(client, **changes):
    return await post_form(
        client, "/bureau/tenders/new", "/bureau/tenders/new", tender_form(await _item_id(), **changes)
    )


async def test_an_input_error_and_a_rule_error_are_reported_in_one_pass(client):
    await page_login(client, "officer")
    before = await Tender.count()
    response = await _create(client, title="短", **{"evaluation_scheme.price_weight": "9"})
    assert response.status_code == 422
    assert "至少 4 个字" in _error_beside(response.text, "title")  # the input error (pydantic)
    assert "不得低于 10%" in _error_beside(response.text, "evaluation_scheme.price_weight")  # the rule, at once
    assert await Tender.count() == before


async def test_a_blank_method_still_lets_the_method_free_rules_speak(client):
    await page_login(client, "officer")
    response = await _create(client, method="", **{"payment_schedule.2.percent": "29", "bid_bond_yuan": "50000"})
    assert response.status_code == 422
    assert "请选择有效的选项" in _error_beside(response.text, "method") or "必填" in _error_beside(
        response.text, "method"
    )
    assert "合计 100%，现为 99%" in response.text  # the payment schedule, a rule
    assert "不得超过采购预算的 2%" in _error_beside(response.text, "bid_bond_yuan")  # the bond, a rule


async def test_an_unreadable_amount_is_reported_with_the_rules_and_does_not_make_up_others(client):
    await page_login(client, "officer")
    response = await _create(
        client, **{"lots.0.budget_yuan": "八十万", "bid_bond_yuan": "10000", "evaluation_scheme.price_weight": "9"}
    )
    assert response.status_code == 422
    assert _error_beside(response.text, "lots.0.budget_yuan")  # unreadable, beside its input
    assert "不得低于 10%" in _error_beside(response.text, "evaluation_scheme.price_weight")
    # With the budget unknown, a bond check would be a guess: none is shown.
    assert 'id="f-bid_bond_yuan-error"' not in response.text
    assert 'id="f-lots.0.max_price_yuan-error"' not in response.text


async def test_a_bad_criterion_score_reports_the_other_rules_but_not_a_made_up_total(client):
    await page_login(client, "officer")
    response = await _create(
        client, **{"evaluation_scheme.criteria.0.max_points": "0", "payment_schedule.0.percent": "41"}
    )
    assert response.status_code == 422
    assert "不能小于 1" in _error_beside(response.text, "evaluation_scheme.criteria.0.max_points")
    assert "合计 100%，现为 101%" in response.text
    assert "应合计 100 分" not in response.text  # the sum would have used a stand-in score


async def test_a_clean_form_still_saves(client):
    await page_login(client, "officer")
    response = await _create(client)
    assert response.status_code == 303, response.text[:2000]


async def test_the_weight_total_is_shown_against_100_and_updates_from_the_form(client):
    await page_login(client, "officer")
    new = await client.get("/bureau/tenders/new")
    assert 'id="weight-total"' in new.text and 'data-target="100"' in new.text
    assert '<script src="/static/js/tender-form.js"></script>' in new.text
    response = await _create(client, **{"evaluation_scheme.price_weight": "9"})
    assert "评审因素 80 分 + 价格分 9 分 = 89 分" in response.text and "还差 11 分才到 100 分" in response.text
    over = await _create(client, **{"evaluation_scheme.price_weight": "30"})
    assert "超出 100 分 10 分" in over.text
    script = (await client.get("/static/js/tender-form.js")).text
    assert "weight-total" in script and "calendar-notes" in script


async def test_the_new_form_starts_the_contact_block_from_the_bureaus_record(client):
    await page_login(client, "officer")
    new = await client.get("/bureau/tenders/new")
    assert 'value="杭州市上城区解放路 200 号"' in new.text and 'value="王建国"' in new.text
    assert 'value="0571-87080000"' in new.text and 'name="opening_place"' in new.text
    client.cookies.clear()
    await page_login(client, "qingbo")
    street = await client.get("/bureau/tenders/new")
    assert 'value="杭州市上城区清波街 80 号"' in street.text and 'value="周敏"' in street.text


async def test_a_bad_phone_in_the_form_gets_a_phone_message(client):
    await page_login(client, "officer")
    response = await _create(client, buyer_phone="123")
    assert response.status_code == 422
    assert _error_beside(response.text, "buyer_phone") == "请填写有效的手机号码或带区号的固定电话。"
