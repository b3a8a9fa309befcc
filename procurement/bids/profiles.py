"""Eligibility profiles (rules 2–6): what a social organization files about itself, and the
bureau's review of it (``PROFILE_TABLE``: 待确认 → 已确认, or 已退回 with a reason).

The organization files and changes its profile; every change waits for the bureau again. A
bureau officer (or an administrator) confirms it or returns it with a reason, naming the
version read, so a profile changed in between is never confirmed unseen. The bureau's officers
are told in their inbox when a profile is filed or changed; the organization when it is
confirmed or returned. One transaction per use case.
"""

from __future__ import annotations

import json
from typing import Any, cast

from piccolo.columns import Column
from piccolo.query.functions.aggregate import Count

from procurement.accounts.states import Role
from procurement.accounts.tables import Organization, User
from procurement.bids import policies, rules
from procurement.bids.schemas import EligibilityProfileIn, EligibilityProfileOut, ProfileSummary
from procurement.bids.states import PROFILE_TABLE, ProfileStatus
from procurement.bids.tables import EligibilityProfile
from procurement.core import audit, clock, db, prepared
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.notify import notify
from procurement.core.transitions import apply_transition
from procurement.tenders.eligibility_terms import annual_report_year_for
from procurement.tenders.schemas import REGISTRATION_TYPE_LABELS

DECIDED = (ProfileStatus.CONFIRMED, ProfileStatus.RETURNED)
RECENT_DECIDED = 50  # how many decided profiles the review list shows


def _dates(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "annual_reports": json.loads(row["annual_reports"] or "{}"),
        "list_entries": json.loads(row["list_entries"] or "[]"),
        "violations": json.loads(row["violations"] or "[]"),
        "registration_date": row["registration_date"].isoformat() if row["registration_date"] else None,
        "grade_awarded_on": row["grade_awarded_on"].isoformat() if row["grade_awarded_on"] else None,
    }


async def profile_data(org_id: int) -> dict[str, Any] | None:
    """The profile as the pure rules read it (dates as ISO text), or None when none was filed."""
    row = await EligibilityProfile.select().where(EligibilityProfile.organization == org_id).first()
    return None if row is None else _dates(row)


async def _row(org_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(EligibilityProfile, EligibilityProfile.organization == org_id)
    row = await EligibilityProfile.select().where(EligibilityProfile.organization == org_id).first()
    if row is None:
        raise NotFound(_("该机构尚未填写资格资料。"))
    return row


async def get_profile(user: CurrentUser, org_id: int | None = None) -> EligibilityProfileOut:
    """An organization's profile with its review status and what it still lacks for bidding:
    for the organization itself, and for the bureau's staff and administrators."""
    org_id = org_id or user.organization_id
    if org_id is None:  # no organization to read (the policy allows it, the lookup finds none)
        raise NotFound(_("找不到该机构。"))
    policies.can_read_profile(user, org_id).require()
    org = await Organization.select().where(Organization.id == org_id).first()
    if org is None:
        raise NotFound(_("找不到该机构。"))
    row = await _row(org_id)
    p = _dates(row)
    return EligibilityProfileOut(
        organization_id=org_id,
        organization_name=org["name"],
        credit_code=org["credit_code"],
        registration_type=p["registration_type"],
        registration_date=row["registration_date"],
        charter_scope=p["charter_scope"],
        grade=p["grade"] or None,
        grade_awarded_on=row["grade_awarded_on"],
        annual_reports=p["annual_reports"],
        list_entries=p["list_entries"],
        violations=p["violations"],
        updated_at=row["updated_at"],
        confirmed_at=row["confirmed_at"],
        status=row["status"],
        status_label=PROFILE_TABLE.staff_label(row["status"]),
        version=row["version"],
        returned_reason=row["returned_reason"],
        returned_at=row["returned_at"],
        missing=rules.profile_gaps(p, annual_report_year_for(None)),
    )


async def _reviewers() -> list[int]:
    """Who may confirm profiles and is told when one waits: the bureau's officers and the administrators."""
    rows = await User.select(User.id).where(User.role.is_in([Role.OFFICER, Role.ADMIN]) & (User.is_active == True))
    return [r["id"] for r in rows]


async def _members(org_id: int) -> list[int]:
    rows = await User.select(User.id).where(
        (User.organization == org_id) & (User.role == Role.ORG_MEMBER) & (User.is_active == True)
    )
    return [r["id"] for r in rows]


async def update_profile(user: CurrentUser, data: EligibilityProfileIn) -> EligibilityProfileOut:
    """The organization files or changes its profile; it then waits for the bureau's confirmation
    (again), and the bureau's officers are told."""
    policies.social_org_member(user).require()
    org_id = user.organization_id
    assert org_id is not None  # a social organization's member (checked above)
    dump = data.model_dump(mode="json")
    now = clock.now()
    values: dict[Column | str, Any] = {
        EligibilityProfile.registration_type: data.registration_type,
        EligibilityProfile.registration_date: data.registration_date,
        EligibilityProfile.charter_scope: data.charter_scope,
        EligibilityProfile.grade: data.grade or "",
        EligibilityProfile.grade_awarded_on: data.grade_awarded_on,
        EligibilityProfile.annual_reports: json.dumps(dump["annual_reports"]),
        EligibilityProfile.list_entries: json.dumps(dump["list_entries"]),
        EligibilityProfile.violations: json.dumps(dump["violations"], ensure_ascii=False),
        EligibilityProfile.updated_at: now,
        EligibilityProfile.confirmed_at: None,
        EligibilityProfile.confirmed_by: None,
    }
    async with db.transaction():
        await db.lock(EligibilityProfile, EligibilityProfile.organization == org_id)
        row = (
            await EligibilityProfile.select(
                EligibilityProfile.id, EligibilityProfile.status, EligibilityProfile.version
            )
            .where(EligibilityProfile.organization == org_id)
            .first()
        )
        if row is None:
            try:
                inserted = await EligibilityProfile.insert(
                    EligibilityProfile(
                        organization=org_id,
                        status=ProfileStatus.PENDING,
                        version=1,
                        **{cast(Column, k)._meta.name: v for k, v in values.items()},
                    )
                ).returning(EligibilityProfile.id)
            except Exception as exc:
                if db.is_unique_violation(exc):  # filed twice at once: the other one won
                    raise Conflict(_("资格资料刚刚已由本机构其他用户提交，请刷新后再修改。")) from None
                raise
            await audit.record(
                "eligibility.filed", "eligibility_profile", inserted[0]["id"], actor=actor_of(user), after=dump
            )
            event, previous = "eligibility.filed", ""
        else:
            actor = policies.own_profile(user, org_id).acting(user)
            await apply_transition(
                PROFILE_TABLE,
                EligibilityProfile,
                row["id"],
                row["status"],
                "update",
                actor,
                values={**values, EligibilityProfile.version: row["version"] + 1},
                audit_action="eligibility.updated",
                after={**dump, "version": row["version"] + 1},
            )
            event, previous = "eligibility.changed", PROFILE_TABLE.staff_label(row["status"])
        await notify(
            event,
            await _reviewers(),
            {
                "org_name": user.organization_name,
                "previous": previous,
                "link": f"/bureau/eligibility-profiles/{org_id}",
            },
        )
    return await get_profile(user)


def _same_version(row: dict[str, Any], version: int | None) -> None:
    """The review names the version it read: a profile changed since then is not decided unseen."""
    if version is not None and version != row["version"]:
        raise Conflict(
            _("该机构在您查看之后修改了资格资料（现为第 {version} 版），请重新核对后再处理。").format(
                version=row["version"]
            )
        )


async def confirm_profile(user: CurrentUser, org_id: int, *, version: int | None = None) -> EligibilityProfileOut:
    """A bureau officer confirms an organization's profile (the version read); it may then bid."""
    actor = policies.can_confirm_profile(user).acting(user)
    async with db.transaction():
        row = await _row(org_id, lock=True)
        _same_version(row, version)
        await apply_transition(
            PROFILE_TABLE,
            EligibilityProfile,
            row["id"],
            row["status"],
            "confirm",
            actor,
            values={EligibilityProfile.confirmed_at: clock.now(), EligibilityProfile.confirmed_by: user.id},
            guard=EligibilityProfile.version == row["version"],
            audit_action="eligibility.confirmed",
            after={"version": row["version"]},
        )
        org = await Organization.select(Organization.name).where(Organization.id == org_id).first()
        assert org is not None  # the profile's organization (foreign key, on delete restrict)
        await notify(
            "eligibility.confirmed",
            await _members(org_id),
            {"org_name": org["name"], "by": user.display_name, "link": "/org/profile"},
        )
    return await get_profile(user, org_id)


async def return_profile(
    user: CurrentUser, org_id: int, reason: str, *, version: int | None = None
) -> EligibilityProfileOut:
    """A bureau officer returns a profile with the reason the organization reads; it cannot bid
    until it changes the profile and the bureau confirms it."""
    actor = policies.can_confirm_profile(user).acting(user)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(field_errors={"reason": _("请填写退回理由，写明要补正什么；机构会看到它。")})
    async with db.transaction():
        row = await _row(org_id, lock=True)
        _same_version(row, version)
        await apply_transition(
            PROFILE_TABLE,
            EligibilityProfile,
            row["id"],
            row["status"],
            "return",
            actor,
            values={
                EligibilityProfile.returned_reason: reason,
                EligibilityProfile.returned_at: clock.now(),
                EligibilityProfile.returned_by: user.id,
                EligibilityProfile.confirmed_at: None,
                EligibilityProfile.confirmed_by: None,
            },
            guard=EligibilityProfile.version == row["version"],
            audit_action="eligibility.returned",
            after={"version": row["version"], "reason": reason},
        )
        org = await Organization.select(Organization.name).where(Organization.id == org_id).first()
        assert org is not None  # the profile's organization (foreign key, on delete restrict)
        await notify(
            "eligibility.returned",
            await _members(org_id),
            {"org_name": org["name"], "reason": reason, "link": "/org/profile"},
        )
    return await get_profile(user, org_id)


def _decided_at(row: dict[str, Any]) -> Any:
    return (row["confirmed_at"] if row["status"] == ProfileStatus.CONFIRMED else row["returned_at"]) or row[
        "updated_at"
    ]


async def list_profiles(user: CurrentUser, *, status: str | None = None) -> list[ProfileSummary]:
    """The bureau's review list: profiles waiting (oldest first), or decided ones (the latest
    decisions first, at most ``RECENT_DECIDED``); ``status`` is a status or "decided"."""
    policies.can_confirm_profile(user).require()
    query = EligibilityProfile.select(
        *EligibilityProfile.all_columns(
            exclude=[EligibilityProfile.annual_reports, EligibilityProfile.list_entries, EligibilityProfile.violations]
        ),
        EligibilityProfile.organization.name,
        EligibilityProfile.organization.credit_code,
    )
    if status == "decided":
        query = query.where(EligibilityProfile.status.is_in(list(DECIDED)))
    elif status:
        query = query.where(EligibilityProfile.status == status)
    rows = await query.order_by(EligibilityProfile.updated_at)
    if status == "decided":
        rows = sorted(rows, key=_decided_at, reverse=True)[:RECENT_DECIDED]
    return [
        ProfileSummary(
            organization_id=r["organization"],
            organization_name=r["organization.name"],
            credit_code=r["organization.credit_code"],
            registration_type=r["registration_type"],
            registration_label=REGISTRATION_TYPE_LABELS.get(r["registration_type"], r["registration_type"]),
            status=r["status"],
            status_label=PROFILE_TABLE.staff_label(r["status"]),
            version=r["version"],
            updated_at=r["updated_at"],
            confirmed_at=r["confirmed_at"],
            returned_at=r["returned_at"],
            returned_reason=r["returned_reason"],
        )
        for r in rows
    ]


async def profiles_awaiting_review(user: CurrentUser) -> int:
    """How many organizations' profiles wait for the bureau's confirmation; 0 for a user who may not confirm."""
    if not policies.can_confirm_profile(user):
        return 0
    counted = await prepared.run(
        lambda status: EligibilityProfile.select(Count()).where(EligibilityProfile.status == status),
        ProfileStatus.PENDING,
    )
    return counted[0]["count"]
