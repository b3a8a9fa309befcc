"""Pure rules of social-worker teams (issue 13; rules 38–40, invariant 9): the
居民身份证 number, certificate levels and their expiry, the checks of a team against
the tender's requirements and the bid's promise, and a worker's capacity.

No I/O: the services read the rows and call these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from contracts.staffing.states import CERT_LEVEL_LABELS, TEAM_ROLE_LABELS, CertLevel, TeamRole
from procurement.core.i18n import _

FULL_TIME = 100  # invariant 9: a worker's allocation over any day, across contracts, is at most 100 %
LEVEL_ORDER: tuple[CertLevel, ...] = (CertLevel.NONE, CertLevel.ASSISTANT, CertLevel.INTERMEDIATE, CertLevel.SENIOR)
# Volunteers do not count towards the team's numbers (they are not staff of the project).
STAFF_ROLES = frozenset({TeamRole.LEAD, TeamRole.SUPERVISOR, TeamRole.WORKER, TeamRole.ASSISTANT})


# --------------------------------------------------------------------------- the ID number


def id_number_problem(raw: str) -> str | None:
    """Why ``raw`` is not a valid 18-digit 居民身份证 number (check digit, birth date,
    region), or None. The check is python-stdnum's ``cn.ric``."""
    try:
        ric.validate(raw)
    except stdnum_errors.InvalidChecksum:
        return _("身份证号码校验位不正确，请核对最后一位。")
    except stdnum_errors.InvalidLength:
        return _("身份证号码应为 18 位。")
    except stdnum_errors.InvalidComponent:
        return _("身份证号码中的出生日期或地区码不正确。")
    except stdnum_errors.ValidationError:
        return _("身份证号码格式不正确（18 位，最后一位可以是 X）。")
    return None


def normalize_id_number(raw: str) -> str:
    """The compact form (spaces removed, a lowercase x made X); validate first."""
    return str(ric.compact(raw)).upper()


def mask_id_number(number: str) -> str:
    """3301**********1234: the first four and last four characters, as shown to
    everyone but the organization's own members and the bureau's officers."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")


def mobile_problem(raw: str) -> str | None:
    """Why ``raw`` is not a mainland mobile number (spaces and dashes allowed), or None."""
    if MOBILE.match(re.sub(r"[\s-]", "", raw)):
        return None
    return _("请填写 11 位手机号码。")


# --------------------------------------------------------------------------- levels


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(CertLevel(level))


def at_least(level: str, minimum: str) -> bool:
    return level_rank(level) >= level_rank(minimum)


def effective_level(level: str, registration_expires: date | None, day: date) -> CertLevel:
    """The level that counts on ``day``: an expired registration counts as unlicensed
    from the day after its expiry date (the expiry day itself is still valid)."""
    if registration_expires is not None and day > registration_expires:
        return CertLevel.NONE
    return CertLevel(level)


def expired(registration_expires: date | None, day: date) -> bool:
    return registration_expires is not None and day > registration_expires


def level_label(level: str) -> str:
    return CERT_LEVEL_LABELS[CertLevel(level)]


# --------------------------------------------------------------------------- the team checks


@dataclass(frozen=True)
class Member:
    """A current member of a team as the checks see it."""

    worker_id: int
    name: str
    role: str
    level: str
    registration_expires: date | None = None
    supervisor_qualified: bool = False
    certificate_no: str = ""

    def level_on(self, day: date) -> CertLevel:
        return effective_level(self.level, self.registration_expires, day)


@dataclass(frozen=True)
class Gap:
    """One way a team falls short, with the words a person reads."""

    kind: str  # requirement | promise
    code: str
    message: str


def requirement_gaps(requirements: Mapping[str, Any], members: Sequence[Member], day: date) -> list[Gap]:
    """The team against the contract's requirements on ``day`` (rule 40): at least
    ``min_licensed_workers`` licensed staff (an expired registration is unlicensed), a
    lead of at least ``lead_min_level`` and, when required, a qualified supervisor."""
    gaps: list[Gap] = []
    staff = [m for m in members if m.role in STAFF_ROLES]
    wanted = int(requirements.get("min_licensed_workers") or 0)
    licensed = sum(1 for m in staff if m.level_on(day) != CertLevel.NONE)
    if licensed < wanted:
        gaps.append(
            Gap(
                "requirement",
                "licensed",
                _("持证社工应至少 {wanted} 名，目前 {have} 名（登记过期的不计）。").format(
                    wanted=wanted, have=licensed
                ),
            )
        )
    lead_min = str(requirements.get("lead_min_level") or CertLevel.NONE)
    leads = [m for m in members if m.role == TeamRole.LEAD]
    if not leads:
        gaps.append(Gap("requirement", "lead", _("尚未指定项目负责人。")))
    elif lead_min != CertLevel.NONE:
        lowest = min((m.level_on(day) for m in leads), key=level_rank)
        if not at_least(lowest, lead_min):
            gaps.append(
                Gap(
                    "requirement",
                    "lead_level",
                    _("项目负责人应具备{wanted}及以上职业水平，目前为{have}。").format(
                        wanted=level_label(lead_min), have=level_label(lowest)
                    ),
                )
            )
    if requirements.get("supervisor_required"):
        if not any(m.role == TeamRole.SUPERVISOR and m.supervisor_qualified for m in members):
            gaps.append(Gap("requirement", "supervisor", _("须配备具有督导资格的项目督导，目前没有。")))
    return gaps


def _matches(name: str, certificate_no: str, other_name: str, other_certificate_no: str) -> bool:
    """The same person: by certificate number when both have one, else by name."""
    if certificate_no.strip() and other_certificate_no.strip():
        return certificate_no.strip() == other_certificate_no.strip()
    return name.strip() == other_name.strip()


@dataclass(frozen=True)
class Substitution:
    """An approved replacement (rule 40): who left the team and who took the place."""

    old_name: str
    old_certificate_no: str
    new_worker_id: int
    new_name: str
    new_certificate_no: str = ""


def _kept_by(promised: Mapping[str, Any], members: Sequence[Member], subs: Sequence[Substitution]) -> Member | None:
    """The current member keeping a named promise: the person themself, or whoever an
    approved replacement put in their place (following a chain of replacements)."""
    role = TeamRole.LEAD if promised.get("role") == "lead" else TeamRole.SUPERVISOR
    name, cert = str(promised.get("name", "")), str(promised.get("certificate_no", ""))
    worker_id: int | None = None
    remaining = list(subs)
    while True:
        for member in members:
            if member.role != role:
                continue
            if worker_id is not None and member.worker_id == worker_id:
                return member
            if worker_id is None and _matches(name, cert, member.name, member.certificate_no):
                return member
        follow = next((s for s in remaining if _matches(s.old_name, s.old_certificate_no, name, cert)), None)
        if follow is None:
            return None
        remaining.remove(follow)
        name, cert, worker_id = follow.new_name, follow.new_certificate_no, follow.new_worker_id


def promise_gaps(
    promised: Sequence[Mapping[str, Any]],
    members: Sequence[Member],
    substitutions: Sequence[Substitution],
    day: date,
) -> list[Gap]:
    """The team against the winning bid's promise (invariant 9, rule 40): the named lead
    and supervisor are on the team in that role, unless an approved replacement put
    someone else there; as many staff and as many licensed staff as promised."""
    gaps: list[Gap] = []
    for entry in promised:
        if entry.get("role") not in ("lead", "supervisor"):
            continue
        if _kept_by(entry, members, substitutions) is None:
            role = TeamRole.LEAD if entry.get("role") == "lead" else TeamRole.SUPERVISOR
            gaps.append(
                Gap(
                    "promise",
                    f"named_{role}",
                    _("投标承诺的{role}「{name}」不在团队中，且没有经批准的更换。").format(
                        role=TEAM_ROLE_LABELS[role], name=entry.get("name", "")
                    ),
                )
            )
    staff = [m for m in members if m.role in STAFF_ROLES]
    if len(staff) < len(promised):
        gaps.append(
            Gap(
                "promise",
                "headcount",
                _("投标承诺团队 {wanted} 人，目前 {have} 人。").format(wanted=len(promised), have=len(staff)),
            )
        )
    promised_licensed = sum(1 for e in promised if str(e.get("level") or CertLevel.NONE) != CertLevel.NONE)
    licensed = sum(1 for m in staff if m.level_on(day) != CertLevel.NONE)
    if licensed < promised_licensed:
        gaps.append(
            Gap(
                "promise",
                "licensed",
                _("投标承诺持证社工 {wanted} 名，目前 {have} 名（登记过期的不计）。").format(
                    wanted=promised_licensed, have=licensed
                ),
            )
        )
    return gaps


def replacement_level_ok(old_level: str, new_level: str) -> bool:
    """Rule 40: a replacement has an equal or higher qualification (levels that count on
    the day of the decision)."""
    return at_least(new_level, old_level)


# --------------------------------------------------------------------------- capacity


@dataclass(frozen=True)
class Allocation:
    """A share of a worker's time on one contract over a period (both ends included)."""

    start: date
    end: date
    percent: int
    contract_id: int = 0
    label: str = ""


@dataclass(frozen=True)
class Peak:
    day: date | None
    percent: int
    contracts: tuple[int, ...] = field(default_factory=tuple)


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def peak(allocations: Iterable[Allocation], start: date, end: date) -> Peak:
    """The highest total allocation on any day of [start, end], the first day it is
    reached, and the contracts that make it up (a sweep over period boundaries)."""
    inside = [a for a in allocations if overlaps(a.start, a.end, start, end)]
    if not inside:
        return Peak(None, 0)
    events: dict[date, int] = {}
    for a in inside:
        s = max(a.start, start)
        e = min(a.end, end) + timedelta(days=1)
        events[s] = events.get(s, 0) + a.percent
        events[e] = events.get(e, 0) - a.percent
    best_day: date | None = None
    best = running = 0
    for day in sorted(events):
        running += events[day]
        if day <= end and running > best:
            best, best_day = running, day
    on = tuple(sorted({a.contract_id for a in inside if best_day is not None and a.start <= best_day <= a.end}))
    return Peak(best_day, best, on)


def capacity_problem(existing: Iterable[Allocation], new: Allocation) -> Peak | None:
    """Invariant 9: the peak if adding ``new`` would take the worker over 100 % on some
    day of its period, else None."""
    found = peak([*existing, new], new.start, new.end)
    return found if found.percent > FULL_TIME else None


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s."""
    months: list[date] = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def months_from(first: date, count: int) -> list[date]:
    """``count`` month starts beginning with ``first``'s month."""
    months = [first.replace(day=1)]
    while len(months) < count:
        months.append(month_end(months[-1]) + timedelta(days=1))
    return months


def month_end(first_of_month: date) -> date:
    return (first_of_month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def monthly_peaks(allocations: Sequence[Allocation], months: Sequence[date]) -> list[int]:
    """For each month, the highest total allocation on any day of it."""
    return [peak(allocations, m, month_end(m)).percent for m in months]
