"""Validation messages reach people in Chinese."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from procurement.core.errors import ValidationFailed
from procurement.core.web import parse_form, translate_message


@pytest.mark.parametrize(
    "english,chinese",
    [
        ("Field required", "必填。"),
        ("String should have at least 2 characters", "至少 2 个字。"),
        ("String should have at most 50 characters", "不能超过 50 个字。"),
        ("Input should be a valid integer, unable to parse string as an integer", "请填写整数。"),
        ("Input should be greater than or equal to 1", "不能小于 1。"),
        ("Input should be less than or equal to 200", "不能大于 200。"),
        ("Input should be 'bureau', 'social_org', 'agency' or 'expert_pool'", "请选择有效的选项。"),
        ("Input should be a valid date or datetime, input is too short", "日期格式应为 YYYY-MM-DD。"),
        ("Extra inputs are not permitted", "不允许的字段。"),
        ("Value error, 统一社会信用代码不正确。", "统一社会信用代码不正确。"),
        ("Something pydantic adds one day", "格式不正确。"),
    ],
)
def test_pydantic_messages_are_translated(english, chinese):
    assert translate_message(english) == chinese


class Sample(BaseModel):
    name: str = Field(min_length=2)
    count: int


def test_a_form_with_errors_names_each_field_in_chinese():
    with pytest.raises(ValidationFailed) as info:
        parse_form(Sample, {"name": "x", "count": "abc", "_csrf_token": "t"})
    assert info.value.field_errors == {"name": "至少 2 个字。", "count": "请填写整数。"}


def test_empty_form_fields_count_as_missing():
    with pytest.raises(ValidationFailed) as info:
        parse_form(Sample, {"name": "", "count": "3"})
    assert info.value.field_errors == {"name": "必填。"}
