"""Use cases of accounts: registration and approval of organizations, users,
login and logout. One transaction each; every change writes its audit row."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from procurement.accounts import policies, rules
from procurement.accounts.schemas import (
    CreateOrganizationIn,
    CreateUserIn,
    MeOut,
    OrganizationList,
    OrganizationOut,
    OrganizationRef,
    RegisterOrganizationIn,
    UserOut,
)
from procurement.accounts.states import (
    ORG_KIND_LABELS,
    ORG_STATUS_TABLE,
    ROLE_LABELS,
    ROLE_ORG_KIND,
    OrgKind,
    OrgStatus,
    Role,
)
from procurement.accounts.tables import Organization, User
from procurement.core import audit, auth, clock, db
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import NotAuthenticated, NotFound, RateLimited, ValidationFailed
from procurement.core.i18n import _
from procurement.core.notify import notify
from procurement.core.portal_cache import DASHBOARD_VERSION_KEY
from procurement.core.prepared import Prepared
from procurement.core.tables import LoginAttempt, UserSession
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings

# --------------------------------------------------------------------------- output


def _org_out(row: dict[str, Any]) -> OrganizationOut:
    return OrganizationOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        kind_label=ORG_KIND_LABELS[OrgKind(row["kind"])],
        status=row["status"],
        status_label=ORG_STATUS_TABLE.staff_label(row["status"]),
        credit_code=row["credit_code"],
        parent_id=row["parent"],
        legal_representative=row["legal_representative"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        address=row["address"],
        created_at=row["created_at"],
        approved_at=row["approved_at"],
    )


def me_out(user: CurrentUser) -> MeOut:
    org = None
    if user.organization_id is not None:
        assert user.organization_kind is not None  # read with the organization (kind is NOT NULL)
        org = OrganizationRef(
            id=user.organization_id, name=user.organization_name, kind=OrgKind(user.organization_kind)
        )
    return MeOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        role_label=ROLE_LABELS[Role(user.role)],
        organization=org,
    )


# --------------------------------------------------------------------------- organizations


async def _check_new_account(username: str, password: str, errors: dict[str, str]) -> str:
    username = username.strip().lower()
    problem = rules.username_problem(username)
    if problem:
        errors["username"] = problem
    elif await User.exists().where(User.username == username):
        errors["username"] = _("该用户名已被使用，请换一个。")
    problem = rules.password_problem(password, username, get_settings().password_min_length)
    if problem:
        errors["password"] = problem
    return username


async def _check_credit_code(raw: str, errors: dict[str, str]) -> str | None:
    try:
        code = rules.normalize_credit_code(raw)
    except ValueError as exc:
        errors["credit_code"] = str(exc)
        return None
    if await Organization.exists().where(Organization.credit_code == code):
        errors["credit_code"] = _("该统一社会信用代码已注册。如需找回账号，请联系民政局。")
    return code


def _duplicate(exc: BaseException) -> ValidationFailed:
    return ValidationFailed(
        _("名称、信用代码或用户名已被占用，请检查后重试。"), field_errors={"name": _("可能已存在同名机构")}
    )


async def _registration_checks(values: Mapping[str, Any], errors: dict[str, str]) -> tuple[str | None, str]:
    """The checks of a registration beyond its schema: the credit code (rule 5), a name, code or
    username already taken, the password rules, the repeated password. Each problem goes into
    ``errors`` under its field; returns the normalized credit code and username."""
    code = await _check_credit_code(str(values.get("credit_code") or ""), errors)
    name = str(values.get("name") or "").strip()
    if name and await Organization.exists().where(Organization.name == name):
        errors["name"] = _("已有同名机构注册。")
    password = str(values.get("password") or "")
    username = await _check_new_account(str(values.get("username") or ""), password, errors)
    confirm = values.get("password_confirm")
    if confirm is not None and confirm != password:
        errors["password2"] = _("两次输入的密码不一致。")
    return code, username


async def registration_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Every problem of a registration form that the rules and the existing accounts show,
    field by field, so that the form can name all of them at once (with the schema's own
    errors) rather than one batch after another."""
    errors: dict[str, str] = {}
    await _registration_checks(values, errors)
    return errors


async def register_organization(data: RegisterOrganizationIn, ip: str = "") -> OrganizationOut:
    """A social organization registers itself; it stays pending until approved (rule 5)."""
    errors: dict[str, str] = {}
    code, username = await _registration_checks(data.model_dump(), errors)
    if errors:
        raise ValidationFailed(field_errors=errors)
    now = clock.now()
    # argon2 takes ~100 ms of CPU: off the event loop, and before the write lock is taken.
    password_hash = await auth.hash_password_off_loop(data.password)
    try:
        async with db.transaction():
            org = await Organization.insert(
                Organization(
                    name=data.name,
                    kind=OrgKind.SOCIAL_ORG,
                    status=OrgStatus.PENDING,
                    credit_code=code,
                    legal_representative=data.legal_representative,
                    contact_name=data.contact_name,
                    contact_phone=data.contact_phone,
                    address=data.address,
                    description=data.description,
                    created_at=now,
                )
            ).returning(*Organization.all_columns())
            org_row = org[0]
            user = await User.insert(
                User(
                    username=username,
                    display_name=data.display_name,
                    password_hash=password_hash,
                    role=Role.ORG_MEMBER,
                    organization=org_row["id"],
                    phone=data.contact_phone,
                    created_at=now,
                )
            ).returning(User.id)
            actor = audit.Actor(user[0]["id"], f"{data.display_name}（{username}）", ip)
            await audit.record(
                "organization.registered",
                "organization",
                org_row["id"],
                actor=actor,
                after={"name": data.name, "credit_code": code, "status": OrgStatus.PENDING},
            )
            reviewers = await User.select(User.id).where(
                User.role.is_in([Role.OFFICER, Role.ADMIN]) & (User.is_active == True)
            )
            await notify(
                "organization.registered",
                [r["id"] for r in reviewers],
                {"org_name": data.name, "credit_code": code, "link": "/admin/organizations?status=pending"},
            )
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise _duplicate(exc) from None
        raise
    return _org_out(org_row)


async def create_organization(actor: CurrentUser, data: CreateOrganizationIn) -> OrganizationOut:
    """An administrator adds an organization (a bureau, an agency...), active at once."""
    policies.can_manage_accounts(actor).require()
    errors: dict[str, str] = {}
    code = None
    if data.credit_code:
        code = await _check_credit_code(data.credit_code, errors)
    elif data.kind == OrgKind.SOCIAL_ORG:
        errors["credit_code"] = _("社会组织必须填写统一社会信用代码。")
    if await Organization.exists().where(Organization.name == data.name):
        errors["name"] = _("已有同名机构。")
    if data.parent_id is not None and not await Organization.exists().where(Organization.id == data.parent_id):
        errors["parent_id"] = _("上级单位不存在。")
    if errors:
        raise ValidationFailed(field_errors=errors)
    now = clock.now()
    try:
        async with db.transaction():
            rows = await Organization.insert(
                Organization(
                    name=data.name,
                    kind=data.kind,
                    status=OrgStatus.ACTIVE,
                    credit_code=code,
                    parent=data.parent_id,
                    legal_representative=data.legal_representative,
                    contact_name=data.contact_name,
                    contact_phone=data.contact_phone,
                    address=data.address,
                    description=data.description,
                    created_at=now,
                    approved_at=now,
                )
            ).returning(*Organization.all_columns())
            await audit.record(
                "organization.created",
                "organization",
                rows[0]["id"],
                actor=actor_of(actor),
                after={"name": data.name, "kind": data.kind, "credit_code": code},
            )
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise _duplicate(exc) from None
        raise
    return _org_out(rows[0])


async def _change_org_status(
    actor: CurrentUser, org_id: int, action: str, extra: dict[Any, Any], noted: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Apply one transition of the organization table (apply_transition: checked against
    the row's current status, conditional UPDATE, audit row)."""
    async with db.transaction():
        await db.lock(Organization, Organization.id == org_id)
        current = await Organization.select().where(Organization.id == org_id).first()
        if current is None:
            raise NotFound(_("找不到该机构。"))
        await apply_transition(
            ORG_STATUS_TABLE,
            Organization,
            org_id,
            current["status"],
            action,
            actor_of(actor),
            values=extra,
            after=noted,
        )
        row = await Organization.select().where(Organization.id == org_id).first()
        assert row is not None  # read and locked above, in this transaction
        return row


async def _org_members(org_id: int) -> list[int]:
    rows = await User.select(User.id).where(User.organization == org_id)
    return [r["id"] for r in rows]


async def approve_organization(actor: CurrentUser, org_id: int) -> OrganizationOut:
    """A bureau officer approves a registration; its users may then sign in."""
    policies.can_review_registrations(actor).require()
    async with db.transaction():
        row = await _change_org_status(actor, org_id, "approve", {Organization.approved_at: clock.now()})
        await notify(
            "organization.approved",
            await _org_members(org_id),
            {"org_name": row["name"], "by": actor.display_name, "link": "/dashboard"},
        )
    return _org_out(row)


async def reject_organization(actor: CurrentUser, org_id: int, reason: str) -> OrganizationOut:
    policies.can_review_registrations(actor).require()
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(field_errors={"reason": _("请填写驳回理由，机构会看到它。")})
    async with db.transaction():
        row = await _change_org_status(
            actor, org_id, "reject", {Organization.rejection_reason: reason}, {"reason": reason}
        )
        await notify("organization.rejected", await _org_members(org_id), {"org_name": row["name"], "reason": reason})
    return _org_out(row)


_ORGS_IN: dict[int, tuple[Prepared, Prepared]] = {}


async def _organizations_in(status: str, limit: int) -> OrganizationList:
    """``list_organizations(status=…)``'s first page and total, as prepared queries (issue 11)."""
    found = _ORGS_IN.get(limit)
    if found is None:
        found = _ORGS_IN[limit] = (
            Prepared(
                lambda status: (
                    Organization.select().where(Organization.status == status).order_by(Organization.id).limit(limit)
                )
            ),
            Prepared(lambda status: Organization.select(Count()).where(Organization.status == status)),
        )
    page, total = found
    rows = await page(status)
    return OrganizationList(items=[_org_out(r) for r in rows], total=(await total(status))[0]["count"])


async def list_organizations(
    actor: CurrentUser, *, status: str | None = None, kind: str | None = None, limit: int = 50, offset: int = 0
) -> OrganizationList:
    policies.can_list_organizations(actor).require()
    if status and not kind and not offset:  # the registrations waiting (every reviewer's dashboard): prepared
        return await _organizations_in(status, max(1, min(limit, 200)))
    query = Organization.select()
    count = Organization.count()
    if status:
        query, count = query.where(Organization.status == status), count.where(Organization.status == status)
    if kind:
        query, count = query.where(Organization.kind == kind), count.where(Organization.kind == kind)
    rows = await query.order_by(Organization.id).limit(max(1, min(limit, 200))).offset(max(0, offset))
    return OrganizationList(items=[_org_out(r) for r in rows], total=await count)


async def get_organization(actor: CurrentUser, org_id: int) -> OrganizationOut:
    if actor.organization_id != org_id:
        policies.can_list_organizations(actor).require()
    row = await Organization.select().where(Organization.id == org_id).first()
    if row is None:
        raise NotFound(_("找不到该机构。"))
    return _org_out(row)


async def organization_choices(*, kind: str | None = None, active_only: bool = False) -> list[dict[str, Any]]:
    """Organizations for a select box (e.g. the social organizations a tender may invite)."""
    query = Organization.select(Organization.id, Organization.name, Organization.kind).order_by(Organization.id)
    if kind:
        query = query.where(Organization.kind == kind)
    if active_only:
        query = query.where(Organization.status == OrgStatus.ACTIVE)
    return await query


# --------------------------------------------------------------------------- users


def _user_out(row: dict[str, Any]) -> UserOut:
    return UserOut(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        role_label=ROLE_LABELS[Role(row["role"])],
        organization_id=row["organization"],
        organization_name=row.get("organization.name") or "",
        is_active=row["is_active"],
        last_login_at=row["last_login_at"],
    )


async def create_user(actor: CurrentUser, data: CreateUserIn) -> UserOut:
    """An administrator creates an account; its role must fit its organization's kind."""
    policies.can_manage_accounts(actor).require()
    errors: dict[str, str] = {}
    username = await _check_new_account(data.username, data.password, errors)
    expected_kind = ROLE_ORG_KIND[data.role]
    org = None
    if data.organization_id is not None:
        org = await Organization.select().where(Organization.id == data.organization_id).first()
        if org is None:
            errors["organization_id"] = _("所属机构不存在。")
    if expected_kind is not None:
        if org is None and "organization_id" not in errors:
            errors["organization_id"] = _("「{role}」必须属于一个{ORG_KIND_LABELS}。").format(
                role=ROLE_LABELS[data.role], ORG_KIND_LABELS=ORG_KIND_LABELS[expected_kind]
            )
        elif org is not None and org["kind"] != expected_kind:
            errors["organization_id"] = _("「{role}」只能属于{ORG_KIND_LABELS}，所选机构是{org_kind}。").format(
                role=ROLE_LABELS[data.role],
                ORG_KIND_LABELS=ORG_KIND_LABELS[expected_kind],
                org_kind=ORG_KIND_LABELS[OrgKind(org["kind"])],
            )
    if errors:
        raise ValidationFailed(field_errors=errors)
    password_hash = await auth.hash_password_off_loop(data.password)
    try:
        async with db.transaction():
            rows = await User.insert(
                User(
                    username=username,
                    display_name=data.display_name,
                    password_hash=password_hash,
                    role=data.role,
                    organization=data.organization_id,
                    phone=data.phone,
                    email=data.email,
                    created_at=clock.now(),
                )
            ).returning(User.id)
            await audit.record(
                "user.created",
                "user",
                rows[0]["id"],
                actor=actor_of(actor),
                after={"username": username, "role": data.role, "organization_id": data.organization_id},
            )
            await notify("system.welcome", [rows[0]["id"]], {"name": data.display_name, "link": "/dashboard"})
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise ValidationFailed(field_errors={"username": _("该用户名已被使用，请换一个。")}) from None
        raise
    return await get_user(actor, rows[0]["id"])


async def get_user(actor: CurrentUser, user_id: int) -> UserOut:
    policies.can_manage_accounts(actor).require()
    row = (
        await User.select(*User.all_columns(exclude=[User.password_hash]), User.organization.name)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该用户。"))
    return _user_out(row)


async def list_users(actor: CurrentUser, *, limit: int = 100, offset: int = 0) -> list[UserOut]:
    policies.can_manage_accounts(actor).require()
    rows = (
        await User.select(*User.all_columns(exclude=[User.password_hash]), User.organization.name)
        .order_by(User.id)
        .limit(max(1, min(limit, 500)))
        .offset(max(0, offset))
    )
    return [_user_out(r) for r in rows]


async def set_user_active(actor: CurrentUser, user_id: int, active: bool) -> UserOut:
    """Deactivating a user also ends all of their sessions at once."""
    policies.can_manage_accounts(actor).require()
    if user_id == actor.id and not active:
        raise ValidationFailed(_("不能停用自己的账号。"))
    async with db.transaction():
        changed = (
            await User.update({User.is_active: active})
            .where((User.id == user_id) & (User.is_active == (not active)))
            .returning(User.id)
        )
        if changed:
            if not active:
                await UserSession.update({UserSession.revoked_at: clock.now()}).where(
                    (UserSession.user == user_id) & UserSession.revoked_at.is_null()
                )
            await audit.record(
                "user.activated" if active else "user.deactivated",
                "user",
                user_id,
                actor=actor_of(actor),
                before={"is_active": not active},
                after={"is_active": active},
            )
        elif not await User.exists().where(User.id == user_id):
            raise NotFound(_("找不到该用户。"))
    return await get_user(actor, user_id)


# --------------------------------------------------------------------------- sessions


# The login's reads in one statement (issue 11: built by Piccolo they were four selects, and
# their building was most of the 2.7 ms a login held the event loop): the failures that
# count against the account (``_check_rate_limit``), those from the address, and the user.
_LOGIN_READ_SQL = (
    "SELECT r.by_user, r.by_ip, u.id, u.username, u.display_name, u.password_hash, u.role, u.is_active,"
    " u.organization, o.name AS org_name, o.kind AS org_kind, o.status AS org_status,"
    " o.rejection_reason AS org_rejection_reason"
    " FROM (SELECT"
    # Failures since the later of the window's start and the account's last success.
    "  (SELECT COUNT(*) FROM login_attempt f WHERE f.username = {} AND f.succeeded = {} AND f.at > {}"
    "   AND f.at > COALESCE((SELECT MAX(k.at) FROM login_attempt k WHERE k.username = {} AND k.succeeded = {}), {})"
    "  ) AS by_user,"
    "  (SELECT COUNT(*) FROM login_attempt f WHERE f.ip = {} AND f.succeeded = {} AND f.at > {}) AS by_ip) r"
    " LEFT JOIN app_user u ON u.username = {}"
    " LEFT JOIN organization o ON o.id = u.organization"
)
_RECORD_ATTEMPT_SQL = "INSERT INTO login_attempt (username, ip, at, succeeded) VALUES ({}, {}, {}, {})"
_OPEN_SESSION_SQL = (
    'INSERT INTO user_session (token_hash, "user", csrf_token, created_at, expires_at, ip, user_agent)'
    " VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id"
)
_LOGGED_IN_SQL = "UPDATE app_user SET last_login_at = {}, password_hash = COALESCE({}, password_hash) WHERE id = {}"


async def _run(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await db.get_engine().run_querystring(QueryString(sql, *args))


async def _login_read(username: str, ip: str) -> dict[str, Any]:
    """The rate limit's counts and the user's row (its fields None for an unknown name)."""
    since = clock.now() - timedelta(minutes=get_settings().login_window_minutes)
    rows = await _run(_LOGIN_READ_SQL, username, False, since, username, True, since, ip, False, since, username)
    return dict(rows[0])


def _check_rate_limit(read: dict[str, Any], ip: str) -> None:
    """Too many failures for an account (or, looser, from one address) lock it a while."""
    settings = get_settings()
    by_user, by_ip = int(read["by_user"] or 0), int(read["by_ip"] or 0) if ip else 0
    if by_user >= settings.login_max_failures or by_ip >= settings.login_max_failures_per_ip:
        raise RateLimited(
            _("登录失败次数过多，请 {minutes} 分钟后再试。").format(minutes=settings.login_window_minutes)
        )


async def locked_accounts(actor: CurrentUser) -> list[tuple[str, datetime]]:
    """The usernames the failed-login rule locks right now, each with when it unlocks (the
    same count as ``_check_rate_limit``: failures within the window since the last success).
    Names nobody has are included: many failures on one is worth an administrator's look."""
    policies.can_manage_accounts(actor).require()
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    rows = (
        await LoginAttempt.select(LoginAttempt.username, LoginAttempt.at, LoginAttempt.succeeded)
        .where(LoginAttempt.at > clock.now() - window)
        .order_by(LoginAttempt.at)
    )
    failures: dict[str, list[datetime]] = {}
    for row in rows:
        if row["succeeded"]:
            failures.pop(row["username"], None)
        else:
            failures.setdefault(row["username"], []).append(row["at"])
    limit = settings.login_max_failures
    locked = [(name, times[len(times) - limit] + window) for name, times in failures.items() if len(times) >= limit]
    return sorted(locked, key=lambda item: item[1])


async def login(username: str, password: str, *, ip: str = "", user_agent: str = "") -> tuple[str, CurrentUser, Any]:
    """Check the password and open a server-side session.

    Returns the raw token (shown once, stored only as its SHA-256), the user and
    the expiry. The same message answers an unknown user and a wrong password.
    """
    username = (username or "").strip().lower()[:50]
    read = await _login_read(username, ip)
    _check_rate_limit(read, ip)
    row = read if read["id"] is not None else None
    now = clock.now()
    # Verified even for an unknown name (against a dummy hash): the answer then takes as long
    # as for a known one, so its time does not tell which names exist.
    verified = await auth.verify_password_off_loop(row["password_hash"] if row else None, password)
    if row is None or not verified:
        async with db.transaction():
            await _run(_RECORD_ATTEMPT_SQL, username, ip[:64], now, False)
            await audit.record(
                "auth.login_failed", "user", row["id"] if row else "", actor=audit.Actor(None, username, ip)
            )
        raise NotAuthenticated(_("用户名或密码不正确。"), field_errors={"password": _("用户名或密码不正确。")})
    status = row["org_status"]
    if not row["is_active"]:
        raise NotAuthenticated(_("该账号已停用，请联系系统管理员。"))
    if status == OrgStatus.PENDING:
        raise NotAuthenticated(_("您的机构注册正在审核中，审核通过后即可登录。"))
    if status == OrgStatus.REJECTED:
        raise NotAuthenticated(
            _("您的机构注册未通过审核：{reason}").format(reason=row["org_rejection_reason"] or _("见通知"))
        )
    if status == OrgStatus.SUSPENDED:
        raise NotAuthenticated(_("您的机构已被停用，请联系民政局。"))
    token, csrf = auth.new_token(), auth.new_token()
    expires = now + timedelta(hours=get_settings().session_hours)
    rehashed = await auth.hash_password_off_loop(password) if auth.needs_rehash(row["password_hash"]) else None
    async with db.transaction():
        session = await _run(
            _OPEN_SESSION_SQL, auth.token_digest(token), row["id"], csrf, now, expires, ip[:64], user_agent[:200]
        )
        await _run(_RECORD_ATTEMPT_SQL, username, ip[:64], now, True)
        await _run(_LOGGED_IN_SQL, now, rehashed, row["id"])
        await audit.record("auth.login", "user", row["id"], actor=audit.Actor(row["id"], row["username"], ip))
    user = CurrentUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        organization_id=row["organization"],
        organization_name=row["org_name"] or "",
        organization_kind=row["org_kind"],
        session_id=session[0]["id"],
        csrf_token=csrf,
        via="cookie",
        ip=ip,
    )
    return token, user, expires


async def logout(user: CurrentUser) -> None:
    """Revoke the session on the server: the cookie or token stops working everywhere."""
    async with db.transaction():
        await UserSession.update({UserSession.revoked_at: clock.now()}).where(
            (UserSession.id == user.session_id) & UserSession.revoked_at.is_null()
        )
        await audit.record("auth.logout", "user", user.id, actor=actor_of(user))


# One indexed lookup by the token's digest (user_session.token_hash is UNIQUE),
# the user and the organization joined by primary key: the query every signed-in
# request runs, written out once instead of built by the ORM per request.
_RESOLVE_SESSION_SQL = (
    "SELECT s.id AS session_id, s.csrf_token, u.id AS user_id, u.username, u.display_name, u.role,"
    " u.is_active, o.id AS org_id, o.name AS org_name, o.kind AS org_kind, o.status AS org_status,"
    # The unread count of the navigation rides on this query (no second query per page;
    # the partial index inbox_item_unread keeps it to the unread rows of this user).
    " (SELECT COUNT(*) FROM inbox_item i WHERE i.recipient = u.id AND i.read_at IS NULL) AS unread,"
    # So does the dashboards' version (``dashboard.kept``): read in the session's snapshot,
    # before anything the page reads (issue 11: one round trip less on PostgreSQL).
    f" (SELECT value FROM system_value WHERE key = '{DASHBOARD_VERSION_KEY}') AS dashboard_version"
    " FROM user_session s JOIN app_user u ON u.id = s.user"
    " LEFT JOIN organization o ON o.id = u.organization"
    " WHERE s.token_hash = {} AND s.revoked_at IS NULL AND s.expires_at > {}"
)


async def resolve_session(token: str | None, *, via: str, ip: str = "") -> CurrentUser | None:
    """The user behind a session token, if the session is live and the account usable.

    Read from the database on every request, never cached: a logout or a suspended
    organization takes effect at once on every process."""
    return (await resolve_session_and_version(token, via=via, ip=ip))[0]


async def resolve_session_and_version(
    token: str | None, *, via: str, ip: str = ""
) -> tuple[CurrentUser | None, str | None]:
    """``resolve_session``'s user, and the dashboards' version read with it (None without
    a user or without the version's row)."""
    user, version = await _resolve(token, via=via, ip=ip)
    return user, version if user is not None else None


async def _resolve(token: str | None, *, via: str, ip: str) -> tuple[CurrentUser | None, str | None]:
    if not token or len(token) > 200:
        return None, None
    digest, now = auth.token_digest(token), clock.now()
    engine = db.get_engine()
    rows = None
    if isinstance(engine, db.PooledSQLiteEngine) and not db.in_transaction():
        # On the loop's thread, as the portal's version is read (issue 11: the hop to a
        # pooled connection's thread and back cost more than the read); the committed state
        # as any connection sees it, so a logout through any process applies at once.
        rows = engine.read_small_now(_RESOLVE_SESSION_SQL.format("?", "?"), (digest, now))
    if rows is None:
        rows = await engine.run_querystring(QueryString(_RESOLVE_SESSION_SQL, digest, now))
    row = rows[0] if rows else None
    if row is None or not row["is_active"]:
        return None, None
    if row["org_id"] is not None and row["org_status"] != OrgStatus.ACTIVE:
        return None, None
    user = CurrentUser(
        id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        organization_id=row["org_id"],
        organization_name=row["org_name"] or "",
        organization_kind=row["org_kind"],
        session_id=row["session_id"],
        csrf_token=row["csrf_token"],
        via=via,
        ip=ip,
        unread=int(row["unread"] or 0),
    )
    return user, row["dashboard_version"]


async def purge_expired_sessions() -> int:
    """Sweep: delete sessions past expiry and login attempts older than a day."""
    now = clock.now()
    async with db.transaction():
        gone = (
            await UserSession.delete().where(UserSession.expires_at < now - timedelta(days=1)).returning(UserSession.id)
        )
        await LoginAttempt.delete().where(LoginAttempt.at < now - timedelta(days=1))
    return len(gone)


# --------------------------------------------------------------------------- for the contracts package


async def organization_record(org_id: int) -> OrganizationOut:
    """An organization's registered details (name, credit code, address, legal
    representative), for the parties of a contract made from an award."""
    row = await Organization.select().where(Organization.id == org_id).first()
    if row is None:
        raise NotFound(_("找不到该机构。"))
    return _org_out(row)


async def active_user_ids(org_id: int, role: str) -> list[int]:
    """The active accounts of an organization with one role (a bureau's officers, an
    organization's members), to tell them about their contract."""
    rows = await User.select(User.id).where(
        (User.organization == org_id) & (User.role == role) & (User.is_active == True)
    )
    return [r["id"] for r in rows]


# --------------------------------------------------------------------------- one's own email address

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


async def own_email(user: CurrentUser) -> str:
    """The address the user's email notifications go to ("" for none)."""
    row = await User.select(User.email).where(User.id == user.id).first()
    return (row or {}).get("email") or ""


async def set_own_email(user: CurrentUser, address: str) -> str:
    """Change the address one's notifications go to (empty: no email, the inbox only);
    audited, since it decides where messages about contracts and payments go."""
    address = address.strip()
    if address and (len(address) > 120 or not _EMAIL.match(address)):
        raise ValidationFailed(field_errors={"email": _("电子邮箱格式不正确，例如 name@example.gov.cn。")})
    async with db.transaction():
        before = await own_email(user)
        if before == address:
            return address
        await User.update({User.email: address}).where(User.id == user.id)
        await audit.record(
            "user.email_changed",
            "user",
            user.id,
            actor=actor_of(user),
            before={"email": before},
            after={"email": address},
        )
    return address


async def user_names(user_ids: list[int]) -> dict[int, str]:
    """Display names of some accounts (the recipients of messages an administrator lists)."""
    if not user_ids:
        return {}
    rows = await User.select(User.id, User.display_name).where(User.id.is_in(sorted(set(user_ids))))
    return {r["id"]: r["display_name"] for r in rows}
