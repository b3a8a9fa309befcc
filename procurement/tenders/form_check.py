"""Every error of the tender form at once.

The input errors (a required field left blank, a number out of range, an amount that cannot
be read) and the legal rules (``tenders.rules``: the bond over 2 %, weights not summing to
100, a deadline too early) used to come in two passes: the rules ran only once the input was
clean. Here the input errors are kept, each bad value is replaced by a neutral stand-in (or
left out where the field has a default), and the rules run on that stand-in tender; a rule
error is reported unless it is about a field that already has an error or one whose value
was stood in for (the bond check is meaningless when a lot's budget was unreadable).

Pure: no I/O. The caller runs the rules (they read the catalogue) on the repaired data.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

# Rule errors that depend on amounts: meaningless once a budget was stood in for.
_AMOUNTS = ("bid_bond_fen", "method_justification", "venture_terms")
# Rule errors that depend on the method or on the dates.
_TIMELINE = ("bid_deadline", "opening_at", "clarification_deadline", "documents_until")
_BY_METHOD = (
    "method",
    "invited_org_ids",
    "single_source_provider_id",
    "venture_terms",
    "method_justification",
    "evaluation_scheme.method",
    "evaluation_scheme.price_weight",
    *_TIMELINE,
)
_PLACEHOLDER_LOT = {"name": "-", "budget_fen": 1}
_FAR_AWAY = datetime(2100, 1, 4, 9, 30)  # a Monday: any timeline rule passes or is suppressed


class _GiveUp(Exception):
    """An error this module does not know how to stand in for: report the input errors only."""


def _locations(exc: ValidationError | None, extra_keys: Iterable[str]) -> list[tuple[Any, ...]]:
    found = [tuple(p for p in err.get("loc", ()) if p != "body") for err in (exc.errors() if exc else [])]
    for key in extra_keys:
        found.append(tuple(int(p) if p.isdigit() else p for p in key.split(".")))
    return found


def _item(data: dict[str, Any], name: str, index: Any) -> dict[str, Any]:
    rows = data.get(name)
    if not isinstance(rows, list) or not isinstance(index, int) or index >= len(rows):
        raise _GiveUp
    if not isinstance(rows[index], dict):
        rows[index] = {}
    return rows[index]


def _stand_in(data: dict[str, Any], loc: Sequence[Any]) -> set[str]:
    """Replace the bad value at ``loc`` in ``data``; return the error keys it makes meaningless."""
    if not loc:
        raise _GiveUp
    top = loc[0]
    rest = loc[1:]
    if top == "lots":
        if not rest or not isinstance(rest[0], int):
            data["lots"] = [dict(_PLACEHOLDER_LOT)]
            return {"lots", *_AMOUNTS}
        lot = _item(data, "lots", rest[0])
        column = rest[1] if len(rest) > 1 else None
        prefix = f"lots.{rest[0]}"
        if column == "name":
            lot["name"] = "-"
            return {f"{prefix}.name"}
        if column in ("max_price_fen", "description"):
            lot.pop(column, None)
            return {f"{prefix}.{column}"}
        lot.clear()
        lot.update(_PLACEHOLDER_LOT)
        return {prefix, *_AMOUNTS}
    if top == "evaluation_scheme":
        scheme = data.get("evaluation_scheme")
        if not isinstance(scheme, dict) or not rest or rest[0] == "method":
            data.pop("evaluation_scheme", None)
            return {"evaluation_scheme"}
        if rest[0] == "price_weight":
            scheme.pop("price_weight", None)
            return {"evaluation_scheme.price_weight", "evaluation_scheme.criteria"}
        if rest[0] == "criteria" and len(rest) > 2 and isinstance(rest[1], int):
            criterion = _item(scheme, "criteria", rest[1])
            column = rest[2]
            if column == "name":
                criterion["name"] = "-"
                return {f"evaluation_scheme.criteria.{rest[1]}.name"}
            if column == "max_points":
                criterion["max_points"] = 1
                return {"evaluation_scheme.criteria", "evaluation_scheme.price_weight"}
            if column == "kind":
                criterion["kind"] = "subjective"
                return {f"evaluation_scheme.criteria.{rest[1]}.kind"}
            criterion.pop(column, None)
            return {f"evaluation_scheme.criteria.{rest[1]}.{column}"}
        data.pop("evaluation_scheme", None)
        return {"evaluation_scheme"}
    if top == "payment_schedule":
        if len(rest) < 2 or not isinstance(rest[0], int):
            data["payment_schedule"] = []
            return {"payment_schedule"}
        item = _item(data, "payment_schedule", rest[0])
        column = rest[1]
        prefix = f"payment_schedule.{rest[0]}"
        if column == "label":
            item["label"] = "-"
            return {f"{prefix}.label"}
        if column == "percent":
            item["percent"] = 1
            return {"payment_schedule", prefix}
        if column == "gate":
            item["gate"] = "signing"
            return {prefix}
        item.pop(column, None)
        return {prefix}
    if top in ("eligibility", "team_requirements", "venture_terms"):
        part = data.get(top)
        if rest and isinstance(part, dict) and top != "venture_terms":
            part.pop(rest[0], None)
            return {f"{top}.{rest[0]}"}
        data.pop(top, None)
        return {top}
    if top == "invited_org_ids":
        ids = data.get("invited_org_ids")
        if rest and isinstance(ids, list) and isinstance(rest[0], int) and rest[0] < len(ids):
            ids[rest[0]] = None
        else:
            data["invited_org_ids"] = []
        return {"invited_org_ids"}
    if top == "method":
        data["method"] = "open_tender"
        return set(_BY_METHOD)
    if top == "catalogue_item_id":
        data["catalogue_item_id"] = 1
        return {"catalogue_item_id"}
    if top == "title":
        data["title"] = "----"
        return {"title"}
    if top == "bid_deadline":
        data["bid_deadline"] = _FAR_AWAY
        return set(_TIMELINE)
    if top == "contract_term_months":
        data.pop(top, None)
        return {top, "term_justification"}
    if top in ("opening_at", "clarification_deadline", "documents_until"):
        data.pop(top, None)
        return {top, "bid_deadline"} if top == "opening_at" else {top}
    if isinstance(top, str) and top and not rest:
        data.pop(top, None)  # a field with a default: the default stands in
        return {top}
    raise _GiveUp


def repaired(
    model: type[BaseModel], data: dict[str, Any], exc: ValidationError | None, extra_keys: Iterable[str] = ()
) -> tuple[BaseModel | None, set[str]]:
    """A ``model`` built from ``data`` with every bad value stood in for, and the error keys
    the stand-ins make meaningless; (None, ...) when some error cannot be stood in for."""
    fixed = copy.deepcopy(data)
    suppressed: set[str] = set()
    try:
        for loc in _locations(exc, extra_keys):
            suppressed |= _stand_in(fixed, loc)
    except _GiveUp:
        return None, suppressed
    if isinstance(fixed.get("invited_org_ids"), list):
        fixed["invited_org_ids"] = [i for i in fixed["invited_org_ids"] if i is not None]
    try:
        return model.model_validate(fixed), suppressed
    except ValidationError:
        return None, suppressed


def is_suppressed(key: str, suppressed: Iterable[str]) -> bool:
    return any(key == s or key.startswith(s + ".") for s in suppressed)


def merged(input_errors: dict[str, str], rule_errors: dict[str, str], suppressed: set[str]) -> dict[str, str]:
    """The input errors, then each rule error not about a field already in error or stood in for."""
    errors = dict(input_errors)
    for key, message in rule_errors.items():
        if key in errors or is_suppressed(key, suppressed) or is_suppressed(key, input_errors):
            continue
        errors[key] = message
    return errors


__all__ = ["repaired", "merged", "is_suppressed"]
