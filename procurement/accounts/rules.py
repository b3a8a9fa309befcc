"""Pure rules for accounts: credit codes (rule 5), usernames, passwords and contact phones."""

from __future__ import annotations

import re

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from procurement.core.i18n import _

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,30}$")
_COMMON_PASSWORDS = {"password1", "password123", "1234567890a", "qwerty12345", "admin12345", "abc1234567"}
# A mainland mobile number (11 digits from 13–19, optionally +86), or a fixed line with its
# area code (0 + 2–3 digits, then 7–8 digits) and an optional extension of up to 6 digits.
_MOBILE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}[2-9]\d{6,7}$")
_EXTENSION_RE = re.compile(r"^(?P<number>.+?)(?:\s*(?:转|分机|ext\.?|#)\s*|-)(?P<ext>\d{1,6})$", re.I)  # i18n: data
_SEPARATORS_RE = re.compile(r"[\s()（）-]")


def normalize_credit_code(raw: str) -> str:
    """Validate a 统一社会信用代码 (GB 32100-2015, rule 5) and return it upper-cased.

    The check character is verified by python-stdnum; the message says which
    part is wrong so the organization can compare with its certificate.
    """
    code = (raw or "").strip().upper().replace(" ", "")
    if not code:
        raise ValueError(_("请填写统一社会信用代码。"))
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ValueError(_("统一社会信用代码应为 18 位，您填写了 {n_code} 位。").format(n_code=len(code))) from None
    except InvalidChecksum:
        raise ValueError(_("统一社会信用代码校验位不正确，请对照登记证书检查是否有错字。")) from None
    except (InvalidFormat, InvalidComponent):
        raise ValueError(_("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。")) from None
    except ValidationError:
        raise ValueError(_("统一社会信用代码不正确。")) from None


def username_problem(username: str) -> str | None:
    if not USERNAME_RE.fullmatch(username or ""):
        return _("用户名须为 3–30 位字母、数字或下划线。")
    return None


def password_problem(password: str, username: str, min_length: int) -> str | None:
    """The first way a new password falls short, or None."""
    if len(password or "") < min_length:
        return _("密码至少 {min_length} 位。").format(min_length=min_length)
    if len(password) > 128:
        return _("密码不能超过 128 位。")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return _("密码须同时包含字母和数字。")
    if username and username.lower() in password.lower():
        return _("密码不能包含用户名。")
    if password.lower() in _COMMON_PASSWORDS:
        return _("这个密码太常见，请换一个。")
    return None


def phone_problem(raw: str) -> str | None:
    """A contact phone must be one a person can call: a mobile number, or a fixed line with
    its area code (0571-87080000, (0571) 8708 0000, 0571-87080000 转 8001). Spaces, hyphens
    and brackets between the parts are fine."""
    text = (raw or "").strip()
    if _MOBILE_RE.fullmatch(_SEPARATORS_RE.sub("", text)):
        return None
    candidates = [text]
    extension = _EXTENSION_RE.fullmatch(text)
    if extension:
        candidates.append(extension.group("number"))
    if any(_LANDLINE_RE.fullmatch(_SEPARATORS_RE.sub("", c)) for c in candidates):
        return None
    return _("请填写有效的手机号码或带区号的固定电话。")
