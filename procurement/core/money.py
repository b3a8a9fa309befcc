"""Exact money: integer fen (分) in the database, Decimal in code, never float.

Budgets, bids, bonds (rule 29: bid bond at most 2%) and installments (rule 35)
are compared and split exactly; a float would turn 0.1 + 0.2 into a dispute.
All formatting goes through this module so every page and PDF shows money the
same way: ¥1,234.50 on screen, 万元 for budgets, 大写 on contracts.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, _

FEN_PER_YUAN = 100

# 大写 is supported up to the 万亿 section: integer yuan below 10^16.
MAX_YUAN = 10**16 - 1

# The 大写 numerals are Chinese by law on any contract, in any language: data, not words to translate.
_DIGITS = "零壹贰叁肆伍陆柒捌玖"  # i18n: data
_DIGIT_UNITS = ("", "拾", "佰", "仟")  # i18n: data
_SECTION_UNITS = ("", "万", "亿", "万亿")  # i18n: data

# Optional sign, optional ¥ (half- or full-width), digits either plain or in
# correct groups of three, optional fraction. Exponents ("1e5") are refused.
_AMOUNT_RE = re.compile(r"^(?P<sign>[-+]?)[¥￥]?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")

_MSG_FORMAT = N_("金额格式不正确：请填写数字，例如 1,234.50")
_MSG_DECIMALS = N_("金额格式不正确：最多两位小数")
_MSG_TOO_LARGE = N_("金额过大：不能超过 9999万亿元")


def _require_int(fen: object) -> int:
    # bool is an int subclass; True fen is always a bug.
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")
    return fen


def fen_to_decimal(fen: int) -> Decimal:
    """123456 -> Decimal("1234.56"); always two decimal places."""
    return Decimal(_require_int(fen)).scaleb(-2)


def to_fen(amount: Decimal | int | str) -> int:
    """Parse an amount in yuan into integer fen.

    Accepts a Decimal, an int (whole yuan) or a string as people type it:
    "1234.5", "1,234.50", "¥1,234.50", "-¥12". Floats are refused with a
    TypeError because they are already inexact; everything a user can get
    wrong raises ValidationFailed with a message they can act on.
    """
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError(_("金额不能用 float/bool 表示，请使用 Decimal、int 或字符串"))
    if isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValidationFailed(_(_MSG_FORMAT))
        value = amount
    elif isinstance(amount, str):
        value = _parse_amount_str(amount)
    else:
        raise TypeError(f"unsupported amount type {type(amount).__name__}")

    if value.adjusted() > 16:  # checked before any arithmetic on huge exponents
        raise ValidationFailed(_(_MSG_TOO_LARGE))
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        # Trailing zeros ("1.230") are harmless; a real third decimal is not.
        raise ValidationFailed(_(_MSG_DECIMALS))
    result = int(fen)
    if abs(result) // FEN_PER_YUAN > MAX_YUAN:
        raise ValidationFailed(_(_MSG_TOO_LARGE))
    return result


def _parse_amount_str(text: str) -> Decimal:
    cleaned = re.sub(r"\s+", "", text)
    # "-¥1,234.50" (as format_yuan writes it) and "¥-1,234.50" both occur.
    cleaned = re.sub(r"^([¥￥])([-+])", r"\2\1", cleaned)
    match = _AMOUNT_RE.match(cleaned)
    if match is None:
        raise ValidationFailed(_(_MSG_FORMAT))
    frac = match["frac"] or ""
    if len(frac.rstrip("0")) > 2:
        raise ValidationFailed(_(_MSG_DECIMALS))
    number = match["int"].replace(",", "") + ("." + frac if frac else "")
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the regex already guarantees digits
        raise ValidationFailed(_(_MSG_FORMAT)) from None
    return -value if match["sign"] == "-" else value


def format_yuan(fen: int) -> str:
    """123450 -> "¥1,234.50"; -123450 -> "-¥1,234.50"; 0 -> "¥0.00"."""
    _require_int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def format_wan(fen: int) -> str:
    """Budgets in 万元: 12345600 -> "12.35万元", 20000000 -> "20万元".

    Rounded half-up to two decimals of 万 (i.e. to the hundred yuan), trailing
    zeros dropped. Meant for display only; never parse it back.
    """
    _require_int(fen)
    wan = (Decimal(fen) / (FEN_PER_YUAN * 10_000)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = f"{wan:f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return _("{text}万元").format(text=text)


def _section_to_capital(section: int) -> str:
    """0 < section < 10000, without leading 零; inner zero runs become one 零."""
    out: list[str] = []
    pending_zero = False
    for pos in (3, 2, 1, 0):
        digit = section // 10**pos % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append(_("零"))
            pending_zero = False
        out.append(_DIGITS[digit] + _DIGIT_UNITS[pos])
    return "".join(out)


def _integer_to_capital(yuan: int) -> str:
    """Integer yuan (> 0) in 大写, without 元."""
    sections = []
    while yuan:
        yuan, section = divmod(yuan, 10_000)
        sections.append(section)
    out: list[str] = []
    zero_run = False  # a zero section or leading zeros lie between two digits
    for index in reversed(range(len(sections))):
        section = sections[index]
        if section == 0:
            zero_run = bool(out)
            continue
        if out and (zero_run or section < 1000):
            out.append(_("零"))
        out.append(_section_to_capital(section) + _SECTION_UNITS[index])
        zero_run = False
    return "".join(out)


def to_chinese_capital(fen: int) -> str:
    """大写金额 for contracts, per 中国人民银行《正确填写票据和结算凭证的基本规定》.

    "整" only when both 角 and 分 are zero; 零 between 元 and 分 when 角 is
    zero; 零 before 角 when the 元 digit is zero; one 零 per run of zeros in
    the integer part; no 元 for amounts below one yuan. Negative -> "负...".
    """
    _require_int(fen)
    prefix = _("负") if fen < 0 else ""
    yuan, rest = divmod(abs(fen), FEN_PER_YUAN)
    if yuan > MAX_YUAN:
        raise ValueError(_("amount too large for 大写 (max 9999万亿元)"))
    jiao, cent = divmod(rest, 10)

    if yuan == 0:
        if jiao == 0 and cent == 0:
            return _("零元整")
        out = _DIGITS[jiao] + _("角") if jiao else ""
        out += _DIGITS[cent] + _("分") if cent else ""
        return prefix + out

    out = _integer_to_capital(yuan) + _("元")
    if jiao == 0 and cent == 0:
        return prefix + out + _("整")
    if jiao == 0:
        return prefix + out + _("零") + _DIGITS[cent] + _("分")
    if yuan % 10 == 0:
        out += _("零")
    out += _DIGITS[jiao] + _("角")
    if cent:
        out += _DIGITS[cent] + _("分")
    return prefix + out


def percent_of(fen: int, basis_points: int) -> int:
    """``basis_points`` / 10000 of ``fen``, rounded half-up to the fen.

    1% = 100 bp, so a 2% bid bond is ``percent_of(budget, 200)`` and a 40%
    installment ``percent_of(amount, 4000)``. Integer arithmetic only; halves
    round away from zero so a negative amount mirrors the positive one.
    """
    _require_int(fen)
    _require_int(basis_points)
    product = fen * basis_points
    quotient, remainder = divmod(abs(product), 10_000)
    if remainder * 2 >= 10_000:
        quotient += 1
    return -quotient if product < 0 else quotient
