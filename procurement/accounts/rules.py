"""Pure rules for accounts: credit codes (rule 5), usernames and passwords."""

from __future__ import annotations

import re

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from procurement.core.i18n import _

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,30}$")
_COMMON_PASSWORDS = {"password1", "password123", "1234567890a", "qwerty12345", "admin12345", "abc1234567"}


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
