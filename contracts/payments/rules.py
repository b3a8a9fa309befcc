"""Pure rules of installment payments (rule 35; invariants 7, 8): no I/O, tested in
milliseconds.

An installment becomes due when its gate is met: on signing; when the evaluation of
its stage is finished with a grade at or above its minimum (不合格 is below every
grade); on its date. Once due it must be paid within the payment term (rule 35:
30 days by default, a setting per provider type; a contract may agree a longer term
of at most 60 days, 保障中小企业款项支付条例). Grade effects are settings: a mid-term
不合格 withholds the next installment, a final 不合格 the final one; the final
installment may be scaled by the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from procurement.core.i18n import _

GRADES = ("excellent", "good", "pass")  # contracts.lifecycle.rules.GRADES, best first
FAIL = "fail"  # 不合格: below every grade
STAGES = ("midterm", "final", "spot")
DEFAULT_PAYMENT_DAYS = 30  # 保障中小企业款项支付条例: within 30 days of the gate
MAX_AGREED_DAYS = 60  # a contract may agree a longer term of at most 60 days


def grade_rank(grade: str) -> int:
    """Higher is better: excellent 3, good 2, pass 1, fail (or anything unknown) 0."""
    return len(GRADES) - GRADES.index(grade) if grade in GRADES else 0


def grade_meets(grade: str | None, min_grade: str | None) -> bool:
    """A finished evaluation's grade is at or above the installment's minimum (an
    installment without a minimum needs at least 合格)."""
    if grade is None:
        return False
    return grade_rank(grade) >= max(grade_rank(min_grade or "pass"), 1)


def gate_met(
    gate: str,
    min_grade: str | None,
    *,
    signed: bool,
    grades: Mapping[str, str],
    due_date: date | None,
    today: date,
) -> bool:
    """Invariant 8: an installment's gate is met — signing: the contract is signed;
    midterm/final: the latest finished evaluation of that stage has a grade at or above
    the minimum; date: its date (Beijing) has come, on a signed contract."""
    if gate == "signing":
        return signed
    if gate in ("midterm", "final"):
        return signed and grade_meets(grades.get(gate), min_grade)
    if gate == "date":
        return signed and due_date is not None and today >= due_date
    return False


def payment_days(provider_kind: str, days_by_kind: Mapping[str, int], default_days: int, agreed: int | None) -> int:
    """The payment term in days: the contract's agreed term when it has one (at most 60),
    else the setting for the provider's type, else the default (30)."""
    if agreed is not None:
        if not 1 <= agreed <= MAX_AGREED_DAYS:
            raise ValueError(_("合同约定的付款期限最长不超过 60 日（《保障中小企业款项支付条例》）。"))
        return agreed
    return int(days_by_kind.get(provider_kind, default_days))


def payment_deadline(due_on: date, days: int) -> date:
    """The last day to pay: ``days`` after the day the gate was met (day 30 in time, day 31 late)."""
    return due_on + timedelta(days=days)


def is_late(deadline: date | None, today: date, released: bool) -> bool:
    return not released and deadline is not None and today > deadline


def days_left(deadline: date | None, today: date) -> int | None:
    """Days until the deadline (0 on its day, negative when late)."""
    return None if deadline is None else (deadline - today).days


def scaled_amount(amount_fen: int, score_tenths: int) -> int:
    """The final installment scaled by the score (score/100 of it, rounded down to the fen)."""
    score_tenths = min(max(score_tenths, 0), 1000)
    return amount_fen * score_tenths // 1000


@dataclass(frozen=True)
class GradeEffects:
    """The grade-effect settings (defaults: both withholdings on, scaling off)."""

    midterm_fail_withholds: bool = True
    final_fail_withholds: bool = True
    final_scaled_by_score: bool = False


@dataclass(frozen=True)
class Slot:
    """What the effects read of one installment and its payment."""

    seq: int
    gate: str
    min_grade: str | None
    status: str
    due_date: date | None = None


UNPAID = ("waiting", "due", "requested", "approved", "checked")


def evaluation_effects(
    slots: Sequence[Slot], stage: str, grade: str, effects: GradeEffects, today: date
) -> dict[int, str]:
    """What a finished evaluation of ``stage`` with ``grade`` does to each installment,
    as ``{seq: action}`` (``gate_met``, ``withhold`` or ``reinstate``):

    - an installment gated on this stage becomes due when the grade meets its minimum,
      and is withheld when it does not;
    - a mid-term 不合格 withholds the next unpaid installment after signing (setting);
    - a final 不合格 withholds the final installment (setting);
    - a passing re-evaluation (整改后) makes due again, or waiting, what was withheld.
    A spot check changes no payment."""
    if stage not in ("midterm", "final"):
        return {}
    out: dict[int, str] = {}
    ordered = sorted(slots, key=lambda s: s.seq)
    passed = grade_meets(grade, "pass")
    for slot in ordered:
        if slot.gate != stage:
            continue
        if grade_meets(grade, slot.min_grade):
            if slot.status in ("waiting", "withheld"):
                out[slot.seq] = "gate_met"
        elif slot.status in UNPAID:
            out[slot.seq] = "withhold"
    if grade == FAIL:
        target: Slot | None = None
        if stage == "midterm" and effects.midterm_fail_withholds:
            target = next((s for s in ordered if s.gate != "signing" and s.status in (*UNPAID, "withheld")), None)
        if stage == "final" and effects.final_fail_withholds and ordered:
            target = ordered[-1]
        if target is not None and target.status in UNPAID:
            out[target.seq] = "withhold"
    elif passed and stage == "midterm":
        for slot in ordered:
            if slot.status == "withheld" and slot.gate in ("signing", "date") and slot.seq not in out:
                met = slot.gate == "signing" or (slot.due_date is not None and today >= slot.due_date)
                out[slot.seq] = "gate_met" if met else "reinstate"
    return out


def release_problems(amount_fen: int, released_fen: int, cap_fen: int) -> dict[str, str]:
    """Invariant 7: the total released never exceeds the contract amount after changes
    (or, once terminated, what was paid plus the settlement)."""
    if amount_fen <= 0:
        return {"amount_fen": _("本期应付金额为零，无需拨付。")}
    if released_fen + amount_fen > cap_fen:
        return {"amount_fen": _("拨付后累计金额将超过合同可支付总额，不能拨付。")}
    return {}
