"""Domain errors.

Services raise these, never HTTP exceptions. One handler (``core.web``) turns
them into problem+json under ``/api`` and into the same form shown again with a
Chinese message on pages. Messages say what happened and what to do.
"""

from __future__ import annotations

from typing import Any

from procurement.core.i18n import N_, _


class DomainError(Exception):
    """Base of every error a user can cause. ``message`` is shown as is."""

    status_code: int = 400
    code: str = "domain-error"
    title: str = N_("请求无法处理")  # marked here, translated where shown (``translated_title``)

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or _(self.title)
        self.field_errors: dict[str, str] = dict(field_errors or {})
        self.extra: dict[str, Any] = dict(extra or {})
        super().__init__(self.message)

    @property
    def translated_title(self) -> str:
        return _(self.title)


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation-failed"
    title = N_("提交的内容有误")

    def __init__(self, message: str | None = None, *, field_errors=None, extra=None):
        if message is None and field_errors:
            message = "；".join(field_errors.values())
        super().__init__(message, field_errors=field_errors, extra=extra)


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not-authenticated"
    title = N_("请先登录")


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission-denied"
    title = N_("没有权限执行此操作")


class NotFound(DomainError):
    status_code = 404
    code = "not-found"
    title = N_("找不到请求的内容")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    title = N_("操作与当前状态冲突")


class InvalidTransition(Conflict):
    """An action that the transition table does not allow in this state (invariant 3)."""

    code = "invalid-transition"
    title = N_("当前状态不允许此操作")

    def __init__(
        self,
        state: str,
        action: str,
        allowed: list[str] | tuple[str, ...],
        *,
        message: str | None = None,
        state_label: str | None = None,
        action_label: str | None = None,
        allowed_labels: list[str] | None = None,
    ) -> None:
        self.state = state
        self.action = action
        self.allowed = list(allowed)
        if message is None:
            shown = "、".join(allowed_labels or self.allowed) or _("无")
            message = _("当前状态「{state_label}」不能执行「{action_label}」；此状态下可执行的操作：{shown}。").format(
                state_label=state_label or state, action_label=action_label or action, shown=shown
            )
        super().__init__(
            message,
            extra={"state": state, "action": action, "allowed_actions": self.allowed},
        )


class DeadlinePassed(Conflict):
    code = "deadline-passed"
    title = N_("已超过截止时间")


class RateLimited(DomainError):
    status_code = 429
    code = "rate-limited"
    title = N_("尝试次数过多，请稍后再试")


class ConfigurationError(RuntimeError):
    """The installation is missing something (a font, a library). Not a user error."""
