"""Exact money: fen <-> Decimal, parsing user input, display formats, 大写."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.core.errors import ValidationFailed
from procurement.core.money import (
    fen_to_decimal,
    format_wan,
    format_yuan,
    percent_of,
    to_chinese_capital,
    to_fen,
)

CAPITAL_CASES = [
    (0, "零元整"),
    (5, "伍分"),
    (50, "伍角"),
    (55, "伍角伍分"),
    (105, "壹元零伍分"),
    (1000, "壹拾元整"),
    (100500, "壹仟零伍元整"),
    (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (10000010, "壹拾万元零壹角"),
    (10700053, "壹拾万柒仟元零伍角叁分"),
    (12345678, "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
    (123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    (100000000, "壹佰万元整"),
    (1000000100, "壹仟万零壹元整"),
    (10000000000, "壹亿元整"),
    (10001000000, "壹亿零壹万元整"),
    (10000000100, "壹亿零壹元整"),  # whole 万 section zero: no 万
    (10000100000, "壹亿零壹仟元整"),
    (100100, "壹仟零壹元整"),
    (1001000, "壹万零壹拾元整"),  # 10,010.00
    (1010100, "壹万零壹佰零壹元整"),  # 10,101.00
    (100000000000000, "壹万亿元整"),
    (-123450, "负壹仟贰佰叁拾肆元伍角"),
]


class TestChineseCapital:
    @pytest.mark.parametrize(("fen", "expected"), CAPITAL_CASES, ids=[str(c[0]) for c in CAPITAL_CASES])
    def test_capital_amounts_follow_the_pboc_rules(self, fen: int, expected: str) -> None:
        assert to_chinese_capital(fen) == expected

    def test_amounts_beyond_wan_yi_are_refused(self) -> None:
        with pytest.raises(ValueError):
            to_chinese_capital(10**16 * 100)

    def test_float_is_refused(self) -> None:
        with pytest.raises(TypeError):
            to_chinese_capital(1.5)  # type: ignore[arg-type]

    @given(st.integers(min_value=1, max_value=10**17))
    def test_capital_never_ends_in_zero_or_doubles_zero(self, fen: int) -> None:
        text = to_chinese_capital(fen)
        assert "零零" not in text
        assert not text.endswith("零")
        assert text.endswith(("整", "角", "分"))


class TestFenAndDecimal:
    @pytest.mark.parametrize(
        ("fen", "expected"),
        [(123456, Decimal("1234.56")), (0, Decimal("0.00")), (5, Decimal("0.05")), (-100, Decimal("-1.00"))],
    )
    def test_fen_becomes_a_two_place_decimal(self, fen: int, expected: Decimal) -> None:
        result = fen_to_decimal(fen)
        assert result == expected
        assert str(result) == str(expected)

    @given(st.integers(min_value=-(10**17), max_value=10**17))
    def test_fen_round_trips_through_decimal(self, fen: int) -> None:
        assert to_fen(fen_to_decimal(fen)) == fen

    @given(st.integers(min_value=-(10**17), max_value=10**17))
    def test_fen_round_trips_through_the_display_format(self, fen: int) -> None:
        assert to_fen(format_yuan(fen)) == fen


class TestParsingAmounts:
    @pytest.mark.parametrize(
        ("amount", "fen"),
        [
            ("1234.56", 123456),
            ("1,234.5", 123450),
            ("¥1,234.50", 123450),
            ("￥1234", 123400),
            (" 1 234.50 ", 123450),
            ("-¥12.30", -1230),
            ("0.05", 5),
            ("1.230", 123),  # trailing zero is not a third decimal
            ("12,345,678", 1234567800),
            (Decimal("99.99"), 9999),
            (Decimal("1.500"), 150),
            (1234, 123400),  # int means whole yuan
            (0, 0),
        ],
        ids=repr,
    )
    def test_amounts_as_people_type_them_are_accepted(self, amount, fen: int) -> None:
        assert to_fen(amount) == fen

    @pytest.mark.parametrize("amount", ["1.234", "0.001", Decimal("1.005")], ids=repr)
    def test_more_than_two_decimals_is_refused_in_chinese(self, amount) -> None:
        with pytest.raises(ValidationFailed) as info:
            to_fen(amount)
        assert info.value.message == "金额格式不正确：最多两位小数"

    @pytest.mark.parametrize(
        "amount",
        ["abc", "", "¥", "1e5", "12,34", "1,2345", "1.2.3", "NaN", "inf", "--1", "1.", ".5", "一百"],
        ids=repr,
    )
    def test_garbage_strings_are_refused_with_a_validation_error(self, amount: str) -> None:
        with pytest.raises(ValidationFailed) as info:
            to_fen(amount)
        assert "金额格式不正确" in info.value.message
        assert info.value.status_code == 422

    @pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")], ids=repr)
    def test_non_finite_decimals_are_refused(self, amount: Decimal) -> None:
        with pytest.raises(ValidationFailed):
            to_fen(amount)

    @pytest.mark.parametrize("amount", [1.5, 0.1, float("nan"), True, None, [1]], ids=repr)
    def test_floats_and_other_types_are_a_programming_error(self, amount) -> None:
        with pytest.raises(TypeError):
            to_fen(amount)

    def test_absurdly_large_amounts_are_refused(self) -> None:
        with pytest.raises(ValidationFailed):
            to_fen(Decimal("1E+30"))
        with pytest.raises(ValidationFailed):
            to_fen("100000000000000000")


class TestDisplay:
    @pytest.mark.parametrize(
        ("fen", "text"),
        [
            (123450, "¥1,234.50"),
            (-123450, "-¥1,234.50"),
            (0, "¥0.00"),
            (5, "¥0.05"),
            (-5, "-¥0.05"),
            (123456789, "¥1,234,567.89"),
        ],
    )
    def test_format_yuan_shows_separators_and_two_decimals(self, fen: int, text: str) -> None:
        assert format_yuan(fen) == text

    @pytest.mark.parametrize(
        ("fen", "text"),
        [
            (12345600, "12.35万元"),
            (20000000, "20万元"),
            (12300000, "12.3万元"),
            (0, "0万元"),
            (100, "0万元"),  # one yuan rounds away at 万 precision
            (5000, "0.01万元"),  # exactly half of 100 yuan rounds up
            (-100, "0万元"),  # no "-0"
            (-12345600, "-12.35万元"),
            (4000000000, "4000万元"),
        ],
    )
    def test_format_wan_rounds_to_two_decimals_and_strips_zeros(self, fen: int, text: str) -> None:
        assert format_wan(fen) == text


class TestPercentOf:
    @pytest.mark.parametrize(
        ("fen", "bp", "expected"),
        [
            (100000000, 200, 2000000),  # 2% bid bond on 100万
            (100, 4000, 40),  # 40% installment
            (1, 5000, 1),  # 0.5 fen rounds half up
            (1, 4999, 0),
            (3, 3333, 1),  # 0.9999 fen
            (12345, 150, 185),  # 185.175 -> 185
            (12350, 150, 185),  # 185.25 -> 185
            (12367, 150, 186),  # 185.505 -> 186
            (-1, 5000, -1),  # halves round away from zero, mirroring positives
            (0, 10000, 0),
            (999, 10000, 999),
        ],
    )
    def test_share_is_rounded_half_up_to_the_fen(self, fen: int, bp: int, expected: int) -> None:
        assert percent_of(fen, bp) == expected

    @given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=10000))
    def test_share_matches_decimal_half_up_rounding(self, fen: int, bp: int) -> None:
        exact = Decimal(fen) * bp / Decimal(10000)
        assert percent_of(fen, bp) == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))

    def test_float_basis_points_are_refused(self) -> None:
        with pytest.raises(TypeError):
            percent_of(100, 2.5)  # type: ignore[arg-type]
