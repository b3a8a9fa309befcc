"""Pure rules of a contract's life (rules 28–30, 35): no I/O, tested in milliseconds.

Each check returns the problems it finds as ``{field: message}`` (empty when all is
well), so a service can report every error of a form at once; messages name the
law where it helps, never a rule number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from procurement.core.i18n import _
from procurement.core.money import format_yuan, percent_of

SHANGHAI = ZoneInfo("Asia/Shanghai")

SIGNING_DAYS = 30  # 《政府采购法》第四十六条: 30 days from the award letter
NOTICE_WORKING_DAYS = 2  # 《政府采购法实施条例》第五十条: published within 2 working days of signing
FILING_WORKING_DAYS = 7  # 《政府采购法》第四十七条: filed within 7 working days of signing
BOND_REFUND_WORKING_DAYS = 5  # rule 29: the winner's bid bond, 5 working days after signing
MAX_PERFORMANCE_BOND_PERCENT = 10  # 《政府采购法实施条例》第四十八条
NOTICE_HOUR = 9  # the sweep publishes an unpublished contract notice at 09:00 Beijing on its last day
REMINDER_DAYS = 5  # the parties are reminded at 09:00 Beijing 5 days before the last signing day


class Gate:
    """What releases an installment (the tender's payment-schedule template, rule 35).
    The values are those of ``tenders.schemas.Gate``."""

    SIGNING = "signing"
    MIDTERM = "midterm"
    FINAL = "final"
    DATE = "date"

    ALL = (SIGNING, MIDTERM, FINAL, DATE)
    GRADED = (MIDTERM, FINAL)


GRADES = ("excellent", "good", "pass")  # tenders.schemas.EvaluationGrade, best first
DEFAULT_GRADE = "pass"

# Rule 35's sensible default when the tender has no template: 40 % on signing,
# 30 % after a passed mid-term evaluation, 30 % after a passed final evaluation.
DEFAULT_TEMPLATE: tuple[dict[str, Any], ...] = (
    {"label": "", "percent": 40, "gate": Gate.SIGNING},
    {"label": "", "percent": 30, "gate": Gate.MIDTERM, "min_grade": DEFAULT_GRADE},
    {"label": "", "percent": 30, "gate": Gate.FINAL, "min_grade": DEFAULT_GRADE},
)


@dataclass(frozen=True)
class Installment:
    seq: int
    label: str
    percent: int
    amount_fen: int
    gate: str
    min_grade: str | None = None
    due_date: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "label": self.label,
            "percent": self.percent,
            "amount_fen": self.amount_fen,
            "gate": self.gate,
            "min_grade": self.min_grade,
            "due_date": self.due_date.isoformat() if self.due_date else None,
        }


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def schedule_problems(
    template: Sequence[Mapping[str, Any]], term_start: date | None, term_end: date | None
) -> dict[str, str]:
    """A payment schedule is whole: percentages of 1–100 adding up to 100, a known gate,
    a minimum grade only on an evaluation gate, a date (within the term) on a date gate."""
    problems: dict[str, str] = {}
    if not template:
        return {"installments": _("付款计划至少需要一期。")}
    total = 0
    for n, item in enumerate(template, start=1):
        key = f"installments.{n}"
        percent = item.get("percent")
        if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100:
            problems[key] = _("第 {n} 期的比例须为 1 至 100 的整数。").format(n=n)
            continue
        total += percent
        gate = item.get("gate")
        if gate not in Gate.ALL:
            problems[key] = _("第 {n} 期的付款条件无效。").format(n=n)
        elif item.get("min_grade") not in (None, "") and (gate not in Gate.GRADED or item["min_grade"] not in GRADES):
            problems[key] = _("第 {n} 期：只有中期或终期评估可以设定最低等级。").format(n=n)
        elif gate == Gate.DATE:
            try:
                due = _as_date(item.get("due_date"))
            except ValueError:
                due = None
            if due is None:
                problems[key] = _("第 {n} 期按约定日期付款，请填写日期。").format(n=n)
            elif term_start is not None and term_end is not None and not term_start <= due <= term_end:
                problems[key] = _("第 {n} 期的付款日期须在合同期限内。").format(n=n)
    if not problems and total != 100:
        problems["installments"] = _("各期付款比例合计须为 100%，现为 {total}%。").format(total=total)
    return problems


def split_installments(amount_fen: int, template: Sequence[Mapping[str, Any]]) -> list[Installment]:
    """The schedule's amounts in fen, adding up exactly to the contract amount: each
    installment is its percentage rounded half-up to the fen, the last takes the rest
    (rule 35). The template must be valid (``schedule_problems``)."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen < 0:
        raise ValueError("amount_fen must be a non-negative int")
    if sum(int(item["percent"]) for item in template) != 100:
        raise ValueError("the percentages must add up to 100")
    out: list[Installment] = []
    paid = 0
    last = len(template)
    for seq, item in enumerate(template, start=1):
        amount = amount_fen - paid if seq == last else percent_of(amount_fen, int(item["percent"]) * 100)
        paid += amount
        gate = str(item["gate"])
        grade = item.get("min_grade") or (DEFAULT_GRADE if gate in Gate.GRADED else None)
        out.append(
            Installment(
                seq=seq,
                label=str(item.get("label") or ""),
                percent=int(item["percent"]),
                amount_fen=amount,
                gate=gate,
                min_grade=grade,
                due_date=_as_date(item.get("due_date")) if gate == Gate.DATE else None,
            )
        )
    return out


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_problems(start: date | None, end: date | None, justification: str) -> dict[str, str]:
    """Rule 30 (《政府购买服务管理办法》第二十四条): a term of at most one year; up to three
    years for a stable, continuous service with a secured budget, which the tender justifies.
    One year from 1 January ends on 31 December."""
    if start is None or end is None:
        return {"term": _("请填写合同期限的起止日期。")}
    if end < start:
        return {"term": _("合同期限的结束日期不能早于开始日期。")}
    if end < add_years(start, 1):
        return {}
    if end >= add_years(start, 3):
        return {"term": _("合同期限最长不超过 3 年（《政府购买服务管理办法》第二十四条）。")}
    if not justification.strip():
        return {
            "term": _(
                "合同期限一般不超过 1 年；超过 1 年（最长 3 年）须采购文件载明理由（《政府购买服务管理办法》第二十四条）。"
            )
        }
    return {}


def amount_problems(amount_fen: int, awarded_fen: int) -> dict[str, str]:
    """The contract amount is positive and never above the awarded amount."""
    if amount_fen <= 0:
        return {"amount_fen": _("合同金额须大于零。")}
    if amount_fen > awarded_fen:
        return {
            "amount_fen": _("合同金额 {amount} 不能高于中标（成交）金额 {awarded}。").format(
                amount=format_yuan(amount_fen), awarded=format_yuan(awarded_fen)
            )
        }
    return {}


def bond_problems(bond_fen: int, amount_fen: int) -> dict[str, str]:
    """Rule 29: a performance bond of at most 10 % of the contract amount (exactly: bond × 10 ≤ amount)."""
    if bond_fen < 0:
        return {"performance_bond_fen": _("履约保证金不能为负数。")}
    if bond_fen * 100 > amount_fen * MAX_PERFORMANCE_BOND_PERCENT:
        return {
            "performance_bond_fen": _(
                "履约保证金 {bond} 超过合同金额的 10%（最多 {most}，《政府采购法实施条例》第四十八条）。"
            ).format(bond=format_yuan(bond_fen), most=format_yuan(amount_fen * MAX_PERFORMANCE_BOND_PERCENT // 100))
        }
    return {}


def signing_deadline(letter_issued_on: date) -> date:
    """Rule 28 (《政府采购法》第四十六条): the last day to sign is the 30th day after the
    award letter's issue, counted from the day after it: day 30 is allowed, day 31 overdue."""
    return letter_issued_on + timedelta(days=SIGNING_DAYS)


def signing_overdue(letter_issued_on: date, today: date) -> bool:
    return today > signing_deadline(letter_issued_on)


class WorkingDays(Protocol):
    def add_working_days(self, start: date, n: int) -> date: ...


def notice_due_on(signed_on: date, calendar: WorkingDays) -> date:
    """The contract notice (合同公告) within 2 working days of signing (《政府采购法实施条例》第五十条)."""
    return calendar.add_working_days(signed_on, NOTICE_WORKING_DAYS)


def filing_due_on(signed_on: date, calendar: WorkingDays) -> date:
    """备案 within 7 working days of signing (《政府采购法》第四十七条)."""
    return calendar.add_working_days(signed_on, FILING_WORKING_DAYS)


def settlement_problems(settlement_fen: int, amount_fen: int, paid_fen: int) -> dict[str, str]:
    """On termination the settlement is at most what remains unpaid of the contract."""
    remaining = max(amount_fen - paid_fen, 0)
    if settlement_fen < 0:
        return {"settlement_fen": _("结算金额不能为负数。")}
    if settlement_fen > remaining:
        return {
            "settlement_fen": _("结算金额 {settlement} 超过合同未付余额 {remaining}。").format(
                settlement=format_yuan(settlement_fen), remaining=format_yuan(remaining)
            )
        }
    return {}


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SHANGHAI).astimezone(UTC)


def after_day(day: date) -> datetime:
    """The instant (UTC) a Beijing calendar day has fully passed."""
    return _utc(day + timedelta(days=1), time.min)


def notice_publish_at(due_on: date) -> datetime:
    """When the sweep publishes a notice the officer has not: 09:00 Beijing on its last day."""
    return _utc(due_on, time(NOTICE_HOUR))


@dataclass(frozen=True)
class Waiting:
    """What a contract waits on, read from its row (the columns of the same names)."""

    status: str
    signing_deadline: date | None
    signing_overdue_at: datetime | None
    signing_reminded_at: datetime | None
    notice_due_on: date | None
    notice_published_at: datetime | None
    filing_due_on: date | None
    filed_at: datetime | None
    filing_overdue_at: datetime | None
    bond_refund_due_on: date | None = None  # the performance bond's return, once ended (rule 29)
    bond_refunded_at: datetime | None = None
    bond_refund_overdue_at: datetime | None = None


UNSIGNED = ("draft", "awaiting_signatures")
SIGNED = ("active", "suspended", "completed", "terminated")
ENDED = ("completed", "terminated")


def due_events(w: Waiting, now: datetime) -> list[str]:
    """The time-driven events due now: ``signing_reminder`` (once, 5 days before the last
    day), ``signing_overdue`` (flag once), ``publish_notice``, ``filing_overdue`` (flag once),
    ``bond_refund_overdue`` (flag once, the performance bond not back 5 working days after the end).
    A reminder that comes too late (the scheduler was down) gives way to the overdue flag."""
    return [event for event, _moment in due_moments(w, now)]


def due_moments(w: Waiting, now: datetime) -> list[tuple[str, datetime]]:
    """:func:`due_events` with the moment each was due, earliest first."""
    due = sorted(((event, moment) for event, moment in _moments(w) if moment <= now), key=lambda e: e[1])
    if any(event == "signing_overdue" for event, _m in due):
        due = [(event, moment) for event, moment in due if event != "signing_reminder"]
    return due


def first_due(w: Waiting, now: datetime) -> list[tuple[str, datetime]]:
    """The events due at the earliest of the past moments (issue 15 §2: after a stop the
    sweep takes one moment at a time, so each is applied in the order it was due)."""
    due = due_moments(w, now)
    return [(event, moment) for event, moment in due if moment == due[0][1]] if due else []


def next_check(w: Waiting, now: datetime) -> datetime | None:
    """The earliest moment still ahead at which something falls due (``next_check_at``)."""
    ahead = [moment for _event, moment in _moments(w) if moment > now]
    return min(ahead) if ahead else None


def _moments(w: Waiting) -> Iterable[tuple[str, datetime]]:
    if w.status in UNSIGNED and w.signing_deadline is not None and w.signing_overdue_at is None:
        if w.signing_reminded_at is None:
            yield "signing_reminder", _utc(w.signing_deadline - timedelta(days=REMINDER_DAYS), time(NOTICE_HOUR))
        yield "signing_overdue", after_day(w.signing_deadline)
    if w.status in SIGNED and w.notice_due_on is not None and w.notice_published_at is None:
        yield "publish_notice", notice_publish_at(w.notice_due_on)
    if w.status in SIGNED and w.filing_due_on is not None and w.filed_at is None and w.filing_overdue_at is None:
        yield "filing_overdue", after_day(w.filing_due_on)
    if (
        w.status in ENDED
        and w.bond_refund_due_on is not None
        and w.bond_refunded_at is None
        and w.bond_refund_overdue_at is None
    ):
        yield "bond_refund_overdue", after_day(w.bond_refund_due_on)


def indicator_problems(indicators: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Service indicators (服务指标): a name and a positive target each, names unique."""
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for n, item in enumerate(indicators, start=1):
        name = str(item.get("name") or "").strip()
        target = item.get("target")
        if not name:
            problems[f"indicators.{n}"] = _("第 {n} 项服务指标缺少名称。").format(n=n)
        elif name in seen:
            problems[f"indicators.{n}"] = _("服务指标「{name}」重复。").format(name=name)
        elif target is not None and (not isinstance(target, int) or isinstance(target, bool) or target <= 0):
            problems[f"indicators.{n}"] = _("服务指标「{name}」的目标值须为正整数。").format(name=name)
        seen.add(name)
    return problems


def signing_gaps(
    contract: Mapping[str, Any], indicators: Sequence[Mapping[str, Any]], *, provider_details: bool = True
) -> list[str]:
    """What the text still lacks before anyone signs it (rule 30: the contract states the
    content, place, quantity and quality): the place served, each indicator's target, and
    the provider's details entered by the provider and confirmed by the buyer (not for a
    paper signing, whose paper carries them: ``provider_details=False``)."""
    gaps = []
    if not str(contract.get("delivery_place") or "").strip():
        gaps.append(_("请填写服务地点（服务的社区）。"))
    if not indicators:
        gaps.append(_("请至少填写一项服务指标及其目标值。"))
    missing = [str(i.get("name")) for i in indicators if i.get("target") is None]
    if missing:
        gaps.append(_("以下服务指标尚无目标值：{names}。").format(names="、".join(missing)))
    if not provider_details:
        return gaps
    if not all(str(contract.get(k) or "").strip() for k in PROVIDER_FIELDS):
        gaps.append(_("服务机构须先填写开户银行、银行账号、地址和法定代表人。"))
    elif contract.get("provider_confirmed_at") is None:
        gaps.append(_("采购人须先确认服务机构填写的账户、地址和法定代表人。"))
    return gaps


PROVIDER_FIELDS = ("provider_bank_name", "provider_bank_account", "provider_address", "provider_legal_rep")


BOND_REFUND_WORKING_DAYS = 5


def bond_refund_due_on(ended_on: date, calendar: WorkingDays) -> date:
    """The performance bond (履约保证金, rule 29) is returned once the contract is completed or
    ended. Neither the law nor the rules fix a term; the platform asks for it within 5 working
    days, as for the winner's bid bond, and shows it late after that."""
    return calendar.add_working_days(ended_on, BOND_REFUND_WORKING_DAYS)
