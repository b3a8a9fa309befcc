"""Credit codes (rule 5), usernames and password rules."""

from __future__ import annotations

import pytest

from procurement.accounts.rules import normalize_credit_code, password_problem, username_problem
from procurement.demo import make_credit_code

VALID = [
    "91110000600037341L",  # a real published code (enterprise)
    make_credit_code("52", "330102", "MA2H7K1C"),
    make_credit_code("51", "330100", "50001234"),
    make_credit_code("53", "110105", "12345678"),
]


@pytest.mark.parametrize("code", VALID)
def test_valid_credit_codes_are_accepted(code):
    assert normalize_credit_code(code) == code


def test_lower_case_and_spaces_are_normalised():
    code = VALID[1]
    assert normalize_credit_code(" " + code.lower()[:9] + " " + code.lower()[9:]) == code


@pytest.mark.parametrize("position", range(18))
def test_changing_any_single_character_is_refused(position):
    code = VALID[1]
    replacement = "7" if code[position] != "7" else "8"
    corrupted = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValueError) as info:
        normalize_credit_code(corrupted)
    assert "统一社会信用代码" in str(info.value)


@pytest.mark.parametrize(
    "code,fragment",
    [
        ("", "请填写"),
        ("52330102MA2H7K1C", "18 位"),
        ("52330102MA2H7K1C0X1", "18 位"),
        ("52330102MA2H7K1CI0", "不允许的字符"),
    ],
)
def test_malformed_codes_say_what_is_wrong(code, fragment):
    with pytest.raises(ValueError) as info:
        normalize_credit_code(code)
    assert fragment in str(info.value)


def test_swapping_two_digits_is_caught_by_the_check_character():
    code = VALID[1]
    swapped = code[:2] + code[3] + code[2] + code[4:]
    if swapped != code:
        with pytest.raises(ValueError):
            normalize_credit_code(swapped)


@pytest.mark.parametrize(
    "username,ok",
    [("officer", True), ("a_b_3", True), ("ab", False), ("有中文", False), ("x" * 31, False), ("bad name", False)],
)
def test_usernames(username, ok):
    assert (username_problem(username) is None) == ok


@pytest.mark.parametrize(
    "password,problem",
    [
        ("Shangcheng2026", None),
        ("short1a", "至少 10 位"),
        ("onlyletterslong", "字母和数字"),
        ("1234567890123", "字母和数字"),
        ("officer2026abc", "用户名"),
        ("Password123", "常见"),
        ("a1" * 65, "128"),
    ],
)
def test_password_rules(password, problem):
    result = password_problem(password, "officer", 10)
    if problem is None:
        assert result is None
    else:
        assert problem in result
