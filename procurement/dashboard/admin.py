"""What waits for the administrator (registrations, locked accounts, holidays not yet
entered; the audit chain's state is shown beside them) and for an evaluator (its
unread messages). Registrations wait for the bureau's officers too."""

from __future__ import annotations

from procurement.accounts import policies as accounts_policies
from procurement.accounts import services as accounts
from procurement.accounts.states import OrgStatus
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.dashboard.schemas import TodoAction, TodoEntry, TodoItem
from procurement.dashboard.todo import SHOWN, item
from procurement.system import services as system


async def registrations(user: CurrentUser) -> TodoItem | None:
    """Registrations waiting for approval, for those who may approve them (with the button)."""
    if not accounts_policies.can_review_registrations(user):
        return None
    pending = await accounts.list_organizations(user, status=OrgStatus.PENDING, limit=SHOWN)
    entries = [
        TodoEntry(
            title=o.name,
            link=f"/admin/organizations?status=pending#org-{o.id}",
            note=_("统一社会信用代码 {code} · 联系人 {name} {phone}").format(
                code=o.credit_code or _("无"), name=o.contact_name, phone=o.contact_phone
            ),
            when_label=_("注册时间"),
            at=o.created_at,
            action=TodoAction(
                url=f"/admin/organizations/{o.id}/approve",
                label=_("通过"),
                confirm=_("确认通过「{name}」的注册？通过后该机构即可登录。").format(name=o.name),
            ),
        )
        for o in pending.items
    ]
    return item(
        "registrations",
        _("待审核的社会组织注册"),
        entries,
        count=pending.total,
        link="/admin/organizations?status=pending",
        link_label=_("进入机构管理"),
        empty=_("没有待审核的注册。"),
    )


async def evaluator(user: CurrentUser) -> list[TodoItem | None]:
    unread = await system.list_inbox(user, limit=SHOWN, unread_only=True)
    entries = [
        TodoEntry(title=m.title, link=m.link or "/inbox", when_label=_("收到于"), at=m.created_at) for m in unread.items
    ]
    return [
        item(
            "unread",
            _("未读消息"),
            entries,
            count=unread.unread,
            link="/inbox",
            link_label=_("全部消息"),
            empty=_("没有未读消息。"),
        )
    ]


async def admin(user: CurrentUser) -> list[TodoItem | None]:
    locked = await accounts.locked_accounts(user)
    years = await system.calendar_warning_years()
    return [
        await registrations(user),
        item(
            "locked",
            _("因多次登录失败暂时锁定的账号"),
            [
                TodoEntry(title=name, link="/admin/users", when_label=_("自动解锁于"), at=until)
                for name, until in locked
            ],
            link="/admin/users",
            link_label=_("用户管理"),
            empty=_("没有被锁定的账号。"),
        ),
        item(
            "holidays",
            _("尚未录入的法定节假日"),
            [
                TodoEntry(
                    title=_("{year} 年").format(year=year),
                    link="/admin/calendar",
                    note=_("录入前，该年工作日只按周一至周五计算"),
                )
                for year in years
            ],
            link="/admin/calendar",
            link_label=_("节假日设置"),
            empty=_("今明两年的法定节假日已齐备。"),
        ),
    ]
