"""Pure rules of a tender's calendar and contact block, without a database: which years a
timeline reaches and whether their holidays are known; a deadline on a weekend or holiday;
the notice's contact block; and the stand-ins that let the form report every error at
once (``tenders.form_check``)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from procurement.core.calendar import PACKAGE_YEARS, WorkdayCalendar
from procurement.core.clock import to_utc
from procurement.tenders import form_check, rules
from procurement.tenders.schemas import TenderIn
from procurement.tenders.states import Method

needs_2027_missing = pytest.mark.skipif(2027 in PACKAGE_YEARS, reason="chinese_calendar covers 2027 now")
CAL = WorkdayCalendar()


def _days(method: Method, publish: date, deadline: datetime, **kw) -> dict[str, date]:
    return rules.timeline_days(
        method,
        publish,
        to_utc(deadline),
        clarification_deadline=kw.get("clarification"),
        documents_until=kw.get("documents"),
        cal=kw.get("cal", CAL),
    )


@needs_2027_missing
class TestYearsNotEntered:
    def test_a_timeline_inside_2026_needs_nothing(self) -> None:
        days = _days(Method.OPEN, date(2026, 12, 1), datetime(2026, 12, 31, 17, 0))
        assert rules.unknown_year_errors(Method.OPEN, days, CAL) == {}

    def test_a_deadline_on_new_years_day_2027_is_refused_naming_the_year_and_the_page(self) -> None:
        days = _days(Method.OPEN, date(2026, 12, 1), datetime(2027, 1, 1, 9, 0))
        message = rules.unknown_year_errors(Method.OPEN, days, CAL)["bid_deadline"]
        assert message.startswith("2027 年的法定节假日和调休安排尚未录入")
        assert "投标（申报）截止及开标时间（2027 年 1 月 1 日）" in message and "/admin/calendar" in message

    def test_a_working_day_period_reaching_2027_is_named_when_the_deadline_is_not_there(self) -> None:
        # 谈判 published on Wednesday 30 December: three working days end in 2027 whatever the deadline says.
        days = _days(Method.NEGOTIATION, date(2026, 12, 30), datetime(2026, 12, 31, 17, 0))
        message = rules.unknown_year_errors(Method.NEGOTIATION, days, CAL)["bid_deadline"]
        assert "竞争性谈判的最短期限（按工作日计算）" in message

    def test_a_weekends_only_record_or_an_entry_settles_the_year(self) -> None:
        days = _days(Method.OPEN, date(2026, 12, 1), datetime(2027, 1, 5, 9, 30))
        recorded = WorkdayCalendar(weekends_only_years=[2027])
        entered = WorkdayCalendar({date(2027, 1, 1): False})
        assert recorded.year_source(2027) == "weekends_only" and entered.year_source(2027) == "entered"
        assert rules.unknown_year_errors(Method.OPEN, days, recorded) == {}
        assert rules.unknown_year_errors(Method.OPEN, days, entered) == {}
        both = WorkdayCalendar({date(2027, 1, 1): False}, weekends_only_years=[2027])
        assert both.year_source(2027) == "entered"  # entries win: the schedule came out

    def test_every_missing_year_is_named(self) -> None:
        days = _days(Method.VENTURE, date(2026, 12, 1), datetime(2028, 3, 1, 9, 0))
        assert rules.unknown_year_errors(Method.VENTURE, days, CAL)["bid_deadline"].startswith("2027、2028 年")
        assert CAL.unknown_years(date(2028, 3, 1), date(2026, 12, 1)) == [2027, 2028]


class TestDaysOff:
    @pytest.mark.parametrize(
        ("moment", "expected"),
        [
            (datetime(2026, 10, 1, 9, 0), "2026 年 10 月 1 日（星期四）是法定节假日"),
            (datetime(2026, 12, 12, 9, 0), "2026 年 12 月 12 日（星期六）是休息日"),
            (datetime(2026, 12, 13, 23, 59), "2026 年 12 月 13 日（星期日）是休息日"),
            (datetime(2026, 10, 10, 9, 0), None),  # 调休: a working Saturday
            (datetime(2026, 12, 14, 0, 0), None),  # Monday, just after midnight Beijing time
        ],
    )
    def test_a_deadline_on_a_day_off_is_warned_about(self, moment: datetime, expected: str | None) -> None:
        warnings = rules.day_off_warnings({"bid_deadline": to_utc(moment)}, CAL)
        if expected is None:
            assert warnings == {}
        else:
            assert expected in warnings["bid_deadline"] and "建议改在工作日" in warnings["bid_deadline"]

    def test_the_lists_for_the_live_check_hold_weekday_holidays_and_working_weekends(self) -> None:
        off = CAL.days_off(date(2026, 9, 28), date(2026, 10, 11))
        assert date(2026, 10, 1) in off and date(2026, 10, 3) not in off  # Saturday: the weekday rule says so
        assert CAL.working_weekends(date(2026, 9, 28), date(2026, 10, 11)) == [date(2026, 10, 10)]


def test_the_notice_needs_an_address_a_contact_and_a_phone_one_can_call() -> None:
    base = TenderIn.model_validate(_valid())
    missing = rules.check_notice_contact(base)
    assert set(missing) == {"buyer_address", "buyer_contact", "buyer_phone"}
    assert all("《政府采购货物和服务招标投标管理办法》第十三条" in m for m in missing.values())
    for phone, ok in [("0571-87080000", True), ("13900001234", True), ("0571-87080000 转 12", True), ("12345", False)]:
        filled = base.model_copy(
            update={"buyer_address": "解放路 200 号", "buyer_contact": "王建国", "buyer_phone": phone}
        )
        errors = rules.check_notice_contact(filled)
        assert (errors == {}) is ok, phone
        if not ok:
            assert errors["buyer_phone"] == "请填写有效的手机号码或带区号的固定电话。"


# --------------------------------------------------------------------------- form_check: every error at once


def _valid() -> dict:
    return {
        "title": "上城区困难老人助餐服务项目",
        "method": "open_tender",
        "catalogue_item_id": 3,
        "lots": [{"name": "助餐服务", "budget_fen": 80_000_000, "max_price_fen": 78_000_000}],
        "bid_bond_fen": 1_000_000,
        "evaluation_scheme": {
            "method": "comprehensive",
            "price_weight": 9,
            "criteria": [{"name": "服务方案", "max_points": 91, "kind": "subjective"}],
        },
        "payment_schedule": [{"label": "合同款", "percent": 100, "gate": "signing"}],
        "bid_deadline": "2026-12-31T09:30",
    }


def _repair(data: dict, extra: tuple[str, ...] = ()):
    try:
        TenderIn.model_validate(data)
        exc = None
    except Exception as error:  # pydantic's ValidationError
        exc = error
    return form_check.repaired(TenderIn, data, exc, extra)


def test_a_short_title_is_stood_in_for_and_the_other_rules_still_run() -> None:
    model, suppressed = _repair({**_valid(), "title": "短"})
    assert isinstance(model, TenderIn) and suppressed == {"title"}
    errors = rules.check_structure(model, open_tender_threshold_fen=400_000_000)
    assert "evaluation_scheme.price_weight" in errors  # the rule that a two-pass form would have hidden
    assert form_check.merged({"title": "至少 4 个字。"}, errors, suppressed)["title"] == "至少 4 个字。"


def test_an_unreadable_budget_suppresses_what_depends_on_amounts() -> None:
    data = _valid()
    data["lots"] = [{"name": "助餐服务", "max_price_fen": 78_000_000}]  # the budget could not be read
    model, suppressed = _repair(data, ("lots.0.budget_fen",))
    assert isinstance(model, TenderIn)
    errors = rules.check_structure(model, open_tender_threshold_fen=400_000_000)
    assert "bid_bond_fen" in errors  # made up by the stand-in budget of one fen
    shown = form_check.merged({"lots.0.budget_fen": "金额格式不正确"}, errors, suppressed)
    assert "bid_bond_fen" not in shown and "lots.0.max_price_fen" not in shown
    assert "evaluation_scheme.price_weight" in shown


def test_a_blank_method_keeps_only_method_free_rules() -> None:
    data = {**_valid()}
    del data["method"]
    model, suppressed = _repair(data)
    assert isinstance(model, TenderIn) and "evaluation_scheme.price_weight" in suppressed
    shown = form_check.merged({"method": "必填。"}, {"bid_deadline": "…", "payment_schedule": "…"}, suppressed)
    assert set(shown) == {"method", "payment_schedule"}


def test_an_error_it_cannot_stand_in_for_gives_up_to_the_input_errors_alone() -> None:
    model, _suppressed = form_check.repaired(TenderIn, _valid(), None, ("eligibility_extra.part",))
    assert model is None
