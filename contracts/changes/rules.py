"""Pure rules of a contract change (issue 12 §5; rules 28, 30): no I/O.

A proposal holds the FULL terms it would set (``Terms``: amount, term, place,
indicators, installment schedule), so what the parties sign is the whole new state and
the diff against the current terms is computed here (``diff``), never entered.

The cap on supplementary contracts (《政府采购法》第四十九条): all of them together add
"not more than 10 %" of the ORIGINAL amount (the amount of the contract as signed). With
integers: ``added_total × 10 ≤ original``, exact at the boundary; the most that may be
added is ``original // 10`` (10 % of an odd fen amount rounds down: 10 % of
¥1,000.05 = 100,005 fen is 10,000.5 fen, so 10,000 fen is allowed and 10,001 is not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from contracts.changes.states import RATIONALE_KIND, ChangeKind
from contracts.lifecycle import rules as lifecycle
from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan

SUPPLEMENT_CAP_PERCENT = 10  # 《政府采购法》第四十九条

# The terms a change may set, in the order a diff lists them, with their labels.
FIELDS = ("amount_fen", "term_start", "term_end", "delivery_place", "indicators", "installments")
FIELD_LABELS = {
    "amount_fen": N_("合同金额（分）"),
    "term_start": N_("服务期限开始日期"),
    "term_end": N_("服务期限结束日期"),
    "delivery_place": N_("服务地点"),
    "indicators": N_("服务指标"),
    "installments": N_("付款计划"),
}
SCHEDULE_KEYS = ("label", "percent", "gate", "min_grade", "due_date")

Terms = dict[str, Any]
"""The terms as JSON-ready values: ``amount_fen`` int, ``term_start``/``term_end`` ISO
dates, ``delivery_place`` str, ``indicators`` [{name, unit, target}], ``installments``
[{seq, label, percent, amount_fen, gate, min_grade, due_date}]."""


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def most_supplement_fen(original_fen: int) -> int:
    """The most all supplementary contracts together may add: floor(10 % of the original)."""
    return original_fen * SUPPLEMENT_CAP_PERCENT // 100


def within_cap(original_fen: int, added_total_fen: int) -> bool:
    """Exact integer form of "added ≤ 10 % of the original": added × 100 ≤ original × 10."""
    return added_total_fen * 100 <= original_fen * SUPPLEMENT_CAP_PERCENT


def supplement_cap_problems(original_fen: int, earlier_added_fen: int, added_fen: int) -> dict[str, str]:
    """All supplementary contracts together, this one included, add at most 10 % of the original amount."""
    if within_cap(original_fen, earlier_added_fen + added_fen):
        return {}
    most = most_supplement_fen(original_fen)
    return {
        "amount_fen": _(
            "补充合同累计增加金额不得超过原合同金额 {original} 的 10%（最多 {most}，已增加 {earlier}，"
            "本次增加 {added}；《政府采购法》第四十九条）。"
        ).format(
            original=format_yuan(original_fen),
            most=format_yuan(most),
            earlier=format_yuan(earlier_added_fen),
            added=format_yuan(added_fen),
        )
    }


def schedule_template(installments: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The schedule without its amounts (what the parties agree on besides the money)."""
    return [{k: i.get(k) for k in SCHEDULE_KEYS} for i in installments]


def diff(old: Terms, new: Terms) -> list[dict[str, Any]]:
    """What a change would change: ``[{field, old, new}]`` in the order of ``FIELDS``."""
    return [{"field": f, "old": old.get(f), "new": new.get(f)} for f in FIELDS if old.get(f) != new.get(f)]


def schedule_sum_problems(
    installments: Sequence[Mapping[str, Any]], amount_fen: int, old: Sequence[Mapping[str, Any]], released: set[int]
) -> dict[str, str]:
    """The new schedule adds up exactly to the new amount, and installments already
    released (paid) keep their amount and gate unchanged."""
    problems: dict[str, str] = {}
    total = sum(int(i["amount_fen"]) for i in installments)
    if total != amount_fen:
        problems["installments"] = _("各期付款金额合计 {total} 须等于合同金额 {amount}。").format(
            total=format_yuan(total), amount=format_yuan(amount_fen)
        )
    before = {int(i["seq"]): i for i in old}
    after = {int(i["seq"]): i for i in installments}
    for seq in sorted(released):
        was, now = before.get(seq), after.get(seq)
        if was is None or now is None or (was["amount_fen"], was["gate"]) != (now["amount_fen"], now["gate"]):
            problems[f"installments.{seq}"] = _("第 {n} 期款项已支付，不能变更。").format(n=seq)
    return problems


def change_problems(
    kind: str,
    rationale: str,
    old: Terms,
    new: Terms,
    *,
    original_fen: int,
    earlier_added_fen: int,
    term_justification: str,
    performance_bond_fen: int,
    released: set[int] | None = None,
) -> dict[str, str]:
    """Every problem of a proposal at once (empty when it may be proposed or take effect).

    - the rationale is one of the listed kinds and belongs to the kind of change;
    - something changes;
    - a 补充合同 only raises the amount (more of the same service on the same terms:
      term, place, indicators and the schedule's shares stay), within the 10 % cap;
    - an agreed change never raises the amount (that is a 补充合同);
    - the term within rule 30, the indicators well formed, a place, the schedule whole
      and adding up exactly, released installments untouched, the bond within 10 %.
    """
    problems: dict[str, str] = {}
    if RATIONALE_KIND.get(rationale) != kind:
        problems["rationale"] = _(
            "变更理由与变更类型不符：补充合同的理由为补充服务量，其他变更为期限、指标、支付安排或地点调整。"
        )
    changes = diff(old, new)
    if not changes:
        return {**problems, "changes": _("提议的内容与现行合同相同，没有任何变化。")}
    old_amount, new_amount = int(old["amount_fen"]), int(new["amount_fen"])
    if kind == ChangeKind.SUPPLEMENT:
        if new_amount <= old_amount:
            problems["amount_fen"] = _("补充合同用于增加同一服务的数量，合同金额须高于现行金额 {amount}。").format(
                amount=format_yuan(old_amount)
            )
        else:
            problems |= supplement_cap_problems(original_fen, earlier_added_fen, new_amount - old_amount)
        same = [f for f in ("term_start", "term_end", "delivery_place", "indicators") if old.get(f) != new.get(f)]
        if schedule_template(old["installments"]) != schedule_template(new["installments"]):
            same.append("installments")
        if same:
            problems["terms"] = _(
                "补充合同只增加同一服务的数量，不得改变其他条款（{fields}）；其他条款的变更须另行协商变更。"
            ).format(fields="、".join(_(FIELD_LABELS[f]) for f in same))
    elif new_amount > old_amount:
        problems["amount_fen"] = _(
            "合同变更不得提高合同金额（现行 {old}，提议 {new}）；增加同一服务的数量须签订补充合同（《政府采购法》第四十九条）。"
        ).format(old=format_yuan(old_amount), new=format_yuan(new_amount))
    elif new_amount <= 0:
        problems["amount_fen"] = _("合同金额须大于零。")
    start, end = as_date(new.get("term_start")), as_date(new.get("term_end"))
    problems |= lifecycle.term_problems(start, end, term_justification)
    if not str(new.get("delivery_place") or "").strip():
        problems["delivery_place"] = _("请填写服务地点（服务的社区）。")
    indicators = new.get("indicators") or []
    if not indicators:
        problems["indicators"] = _("请至少填写一项服务指标及其目标值。")
    problems |= lifecycle.indicator_problems(indicators)
    if any(i.get("target") is None for i in indicators):
        problems.setdefault("indicators", _("每项服务指标须有目标值。"))
    problems |= lifecycle.schedule_problems(schedule_template(new["installments"]), start, end)
    if "installments" not in problems:
        problems |= schedule_sum_problems(new["installments"], new_amount, old["installments"], released or set())
    problems |= lifecycle.bond_problems(performance_bond_fen, new_amount)
    return problems
