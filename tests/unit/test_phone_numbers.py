"""A contact phone is one a person can call: a mobile number or a fixed line with its
area code (accounts.rules.phone_problem)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from procurement.accounts.rules import phone_problem
from procurement.accounts.schemas import CreateOrganizationIn, RegisterOrganizationIn

MESSAGE = "请填写有效的手机号码或带区号的固定电话。"


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "19912345678",
        "+86 138 1234 5678",
        "86-138-1234-5678",
        "138 1234 5678",
        "0571-87080000",
        "0571 8708 0000",
        "(0571) 87080000",
        "（0571）87080000",
        "010-62345678",
        "0571-8708000",  # seven-digit local numbers still exist
        "0571-87080000-8001",
        "0571-87080000 转 8001",
        "0571-87080000#12",
    ],
)
def test_a_mobile_or_a_fixed_line_with_area_code_is_accepted(phone):
    assert phone_problem(phone) is None


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "12345",  # what "至少 5 个字" used to let through
        "87080000",  # a fixed line without its area code
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "23812345678",  # not a mobile prefix
        "12812345678",  # 12x is not a mobile prefix
        "0571-8708",
        "0571-87080000 转 1234567",  # an extension of seven digits
        "电话 13812345678",
        "abcdefghijk",
    ],
)
def test_anything_else_gets_the_phone_message(phone):
    assert phone_problem(phone) == MESSAGE


def test_the_registration_schema_reports_the_phone_message_on_its_field():
    base = {
        "name": "某某服务社",
        "credit_code": "x",
        "legal_representative": "张",
        "contact_name": "张",
        "username": "abc",
        "display_name": "张",
        "password": "x",
    }
    with pytest.raises(ValidationError) as caught:
        RegisterOrganizationIn.model_validate({**base, "contact_phone": "12345"})
    (error,) = caught.value.errors()
    assert error["loc"] == ("contact_phone",) and MESSAGE in error["msg"]
    assert RegisterOrganizationIn.model_validate({**base, "contact_phone": "13812345678"}).contact_phone


def test_an_organization_the_administrator_adds_may_leave_the_phone_empty_but_not_wrong():
    assert CreateOrganizationIn.model_validate({"name": "某评估中心", "kind": "agency"}).contact_phone == ""
    with pytest.raises(ValidationError):
        CreateOrganizationIn.model_validate({"name": "某评估中心", "kind": "agency", "contact_phone": "110"})
