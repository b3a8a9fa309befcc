"""The 质疑 periods as pure rules (rule 27; 《政府采购法实施条例》第五十三条), over the 2026
National Day holidays as the calendar package has them: Oct 1–7 off, Sat Oct 10 a 调休
working day, the Mid-Autumn Festival Fri Sep 25 off."""

from __future__ import annotations

from datetime import date

import pytest

from procurement.awards import rules
from procurement.awards.rules import Window
from procurement.core.calendar import WorkdayCalendar

CAL = WorkdayCalendar()


@pytest.mark.parametrize(
    ("published", "last"),
    [
        # Tue Sep 29: the notice period ends Wed Sep 30; then Oct 8, 9, 10 (Sat), 12, 13, 14, 15.
        (date(2026, 9, 29), date(2026, 10, 15)),
        # Wed Sep 30: the notice period ends Thu Oct 8 (the holiday skipped); then Oct 9 … Oct 16.
        (date(2026, 9, 30), date(2026, 10, 16)),
        # Fri Oct 9: the notice period ends on the 调休 Saturday Oct 10.
        (date(2026, 10, 9), date(2026, 10, 20)),
    ],
    ids=str,
)
def test_a_result_challenge_counts_from_the_end_of_the_notice_period(published, last):
    assert rules.result_last_day(published, CAL) == last
    assert rules.result_last_day(published, CAL) == CAL.add_working_days(published, 8)
    assert rules.result_last_day(published, CAL) != CAL.add_working_days(published, 7), "the old off-by-one"


def test_the_notice_period_is_one_working_day():
    assert rules.result_notice_ends(date(2026, 9, 30), CAL) == date(2026, 10, 8)
    assert rules.result_notice_ends(date(2026, 10, 9), CAL) == date(2026, 10, 10)  # 调休 Saturday


@pytest.mark.parametrize(
    ("obtained", "period_ends", "start"),
    [
        (date(2026, 9, 22), date(2026, 9, 28), date(2026, 9, 28)),  # obtained early: the period's end
        (date(2026, 9, 30), date(2026, 9, 28), date(2026, 9, 30)),  # obtained late: the day obtained
        (date(2026, 9, 28), date(2026, 9, 28), date(2026, 9, 28)),
        (date(2026, 9, 22), None, date(2026, 9, 22)),  # 谈判 / 询价: no documents period
    ],
    ids=str,
)
def test_a_documents_challenge_starts_on_the_later_of_obtaining_and_the_period_end(obtained, period_ends, start):
    assert rules.documents_start(obtained, period_ends) == start


def test_seven_working_days_from_the_starting_day_skip_the_holiday_and_count_the_working_saturday():
    assert rules.last_day(date(2026, 9, 28), CAL) == date(2026, 10, 13)
    assert rules.last_day(date(2026, 9, 29), CAL) == date(2026, 10, 14)
    assert rules.last_day(date(2026, 10, 9), CAL) == date(2026, 10, 19)


def test_which_kinds_suspend_signing():
    assert rules.affects_result("result", "")
    assert rules.affects_result("process", "qualification")
    assert rules.affects_result("process", "evaluation")
    assert not rules.affects_result("process", "opening")
    assert not rules.affects_result("documents", "")
    assert not rules.affects_result("documents", "amendment-2")


def test_an_amendment_step_names_the_version_it_made():
    assert rules.amendment_step(3) == "amendment-3"
    assert rules.amendment_version("amendment-3") == 3
    assert rules.amendment_version("amendment-") is None
    assert rules.amendment_version("opening") is None
    assert rules.step_label("documents", "amendment-3") == "第2次更正公告"
    assert rules.step_label("process", "qualification") == "资格审查"
    assert rules.step_label("result", "") == ""


def test_a_window_is_open_through_its_last_day_only():
    window = Window("result", starts_on=date(2026, 9, 30), last_day=date(2026, 10, 15))
    assert window.is_open(date(2026, 9, 29))  # from the publication day on
    assert window.is_open(date(2026, 10, 15))
    assert not window.is_open(date(2026, 10, 16))
    assert not Window("process", "evaluation").is_open(date(2026, 10, 1)), "a step not yet ended"


def test_every_refusal_names_the_period_its_source_and_its_last_day():
    result = Window("result", last_day=date(2026, 10, 13)).refusal()
    assert result.startswith(
        "对采购结果的质疑应在结果公告期满之日起7个工作日内提出（《政府采购法实施条例》第五十三条），本项目截止到 2026-10-13。"
    )
    documents = Window("documents", last_day=date(2026, 10, 13)).refusal()
    assert "获取采购文件或采购文件公告期限届满之日" in documents and "2026-10-13" in documents
    amendment = Window("documents", "amendment-2", last_day=date(2026, 10, 19)).refusal()
    assert "第1次更正公告" in amendment and "2026-10-19" in amendment
    step = Window("process", "qualification", starts_on=date(2026, 9, 30), last_day=date(2026, 10, 15)).refusal()
    assert "资格审查" in step and "2026-09-30" in step and "2026-10-15" in step
    not_yet = Window("process", "evaluation").refusal()
    assert "尚未结束" in not_yet and "第五十三条" in not_yet
    for text in (result, documents, amendment, step, not_yet):
        assert "rule" not in text


def test_the_answers_allowed_depend_on_the_kind_and_on_whether_the_result_stands():
    assert rules.outcome_choices("documents", awarded=True) == ("rejected", "amend_documents", "restart")
    assert rules.outcome_choices("documents", awarded=False) == ("rejected", "amend_documents", "restart")
    assert rules.outcome_choices("process", awarded=False) == ("rejected", "correct")
    assert rules.outcome_choices("process", awarded=True) == ("rejected", "re_evaluate", "re_award")
    assert rules.outcome_choices("result", awarded=True) == ("rejected", "re_evaluate", "re_award")
