"""The evaluation-grade settings (rule 32): thresholds that rise, four labels."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.assessments import services
from procurement.settings import Settings, get_settings, reset_settings_cache


def test_the_default_grades_are_the_common_scale():
    s = Settings()
    assert (s.grade_excellent_min, s.grade_good_min, s.grade_pass_min) == (90, 80, 60)
    assert s.grade_labels.split(",") == ["优秀", "良好", "合格", "不合格"]
    assert s.grade_rectify_at_or_below == "pass"


def test_thresholds_that_do_not_rise_are_refused():
    with pytest.raises(ValidationError):
        Settings(grade_pass_min=80, grade_good_min=80)
    with pytest.raises(ValidationError):
        Settings(grade_excellent_min=85, grade_good_min=90)


def test_labels_must_be_four_and_a_city_may_say_basically_passed():
    with pytest.raises(ValidationError):
        Settings(grade_labels="优秀,良好,合格")
    assert Settings(grade_labels="优秀，良好， 基本合格 ,不合格").grade_labels == "优秀,良好,基本合格,不合格"


def test_the_labels_shown_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("PROCUREMENT_GRADE_LABELS", "优秀,良好,基本合格,不合格")
    reset_settings_cache()
    try:
        assert services.grade_label("pass") == "基本合格"
        assert services.grade_label("fail") == "不合格"
        assert services.grade_label("") == ""
    finally:
        monkeypatch.delenv("PROCUREMENT_GRADE_LABELS")
        reset_settings_cache()
    assert get_settings().grade_labels.startswith("优秀")
