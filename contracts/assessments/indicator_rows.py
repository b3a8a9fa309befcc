"""An indicator tree as flat rows, the way an administrator edits it on the page and in
an XLSX file (issue 14 §2): one row per dimension or indicator with its number (编号),
name, weight and scoring guidance. Pure: no I/O.

The number says where a row sits: ``3`` is the third dimension (一级维度), ``3.2`` an
indicator under it. Rows may come in any order and numbers may skip (a removed row
leaves a gap); dimensions and their indicators are ordered by number. Blank rows are
ignored. The weights' rule is the tree's own (``rules.tree_problems``: whole numbers
1–100 adding up to 100 at every level, issue 14 §2); its problems are reported against
the row they concern, so the page can mark the field and the import can name the row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from contracts.assessments import rules
from procurement.core.i18n import _

MAX_ROWS = rules.MAX_DIMENSIONS * (rules.MAX_INDICATORS + 1)
MAX_NAME = 100
MAX_GUIDANCE = 2000
FIELDS = ("code", "name", "weight", "guidance")
_CODE = re.compile(r"^(\d{1,3})(?:\.(\d{1,3}))?$")


@dataclass(frozen=True)
class Row:
    """One row as typed: ``number`` is how the user finds it (the page's row, the sheet's line)."""

    number: int
    code: str = ""
    name: str = ""
    weight: Any = ""
    guidance: str = ""

    @property
    def blank(self) -> bool:
        return all(_text(v) == "" for v in (self.code, self.name, self.weight, self.guidance))


@dataclass
class Checked:
    """The tree built from the rows (when ``problems`` is empty) and what is wrong, by
    (row number or None for the whole tree, field)."""

    tree: dict[str, Any]
    problems: dict[tuple[int | None, str], str] = field(default_factory=dict)

    def messages(self, row_word: bool = True) -> list[str]:
        """Every problem as one sentence, a row's prefixed with its number (第 n 行)."""
        out = []
        for (number, _field), message in self.problems.items():
            if number is None or not row_word:
                out.append(message)
            else:
                out.append(_("第 {n} 行：{message}").format(n=number, message=message))
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_weight(value: Any) -> int | None:
    """A weight as typed or read from a cell: a whole number (``30``, ``"30"``, Excel's
    ``30.0``); None for anything else (``"三十"``, ``30.5``, ``"30%"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(_text(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def check_rows(rows: Sequence[Row]) -> Checked:
    """The tree of ``rows`` and everything wrong with them; the tree may be saved only
    when there is no problem (nothing is saved from rows with errors)."""
    checked = Checked(tree={"dimensions": []})
    problems = checked.problems

    def add(number: int | None, name: str, message: str) -> None:
        problems.setdefault((number, name), message)

    filled = [r for r in rows if not r.blank]
    if len(filled) > MAX_ROWS:
        add(None, "rows", _("一个指标体系最多 {n} 行。").format(n=MAX_ROWS))
        return checked
    dims: dict[int, tuple[Row, int | None]] = {}
    inds: dict[int, dict[int, tuple[Row, int | None]]] = {}
    for row in filled:
        code = _text(row.code).replace("．", ".").replace("。", ".")
        match = _CODE.match(code)
        if not match or int(match.group(1)) == 0 or (match.group(2) is not None and int(match.group(2)) == 0):
            add(row.number, "code", _("编号「{code}」不正确：一级维度写 1、2、3，指标写 1.1、1.2。").format(code=code))
            continue
        name = _text(row.name)
        if not name:
            add(row.number, "name", _("请填写名称。"))
        elif len(name) > MAX_NAME:
            add(row.number, "name", _("名称不能超过 {n} 个字。").format(n=MAX_NAME))
        weight = parse_weight(row.weight)
        if weight is None:
            if _text(row.weight):
                add(row.number, "weight", _("权重「{w}」不是整数。").format(w=_text(row.weight)[:20]))
            else:
                add(row.number, "weight", _("请填写权重（1–100 的整数）。"))
        guidance = _text(row.guidance)
        if len(guidance) > MAX_GUIDANCE:
            add(row.number, "guidance", _("评分标准不能超过 {n} 个字。").format(n=MAX_GUIDANCE))
        d_no = int(match.group(1))
        if match.group(2) is None:
            if guidance:
                add(row.number, "guidance", _("一级维度不设评分标准，请写在其下的指标中。"))
            if d_no in dims:
                add(
                    row.number,
                    "code",
                    _("编号 {code} 重复（与第 {n} 行相同）。").format(code=code, n=dims[d_no][0].number),
                )
                continue
            dims[d_no] = (row, weight)
        else:
            i_no = int(match.group(2))
            under = inds.setdefault(d_no, {})
            if i_no in under:
                add(
                    row.number,
                    "code",
                    _("编号 {code} 重复（与第 {n} 行相同）。").format(code=code, n=under[i_no][0].number),
                )
                continue
            under[i_no] = (row, weight)
    for d_no, under in inds.items():
        if d_no not in dims:
            for row, _weight in under.values():
                add(row.number, "code", _("编号 {code} 的一级维度 {d} 不存在。").format(code=_text(row.code), d=d_no))
    if not filled:
        add(None, "rows", _("指标体系至少要有一个一级维度和它的指标。"))
        return checked

    # The tree in number order, and where each of its parts came from.
    where: dict[str, int] = {}
    dimensions = []
    for d_index, d_no in enumerate(sorted(dims)):
        d_row, d_weight = dims[d_no]
        where[f"dimensions.{d_index}"] = d_row.number
        indicators = []
        for i_index, i_no in enumerate(sorted(inds.get(d_no, {}))):
            i_row, i_weight = inds[d_no][i_no]
            where[f"dimensions.{d_index}.indicators.{i_index}"] = i_row.number
            indicators.append({"name": _text(i_row.name), "weight": i_weight, "guidance": _text(i_row.guidance)})
        dimensions.append({"name": _text(d_row.name), "weight": d_weight, "indicators": indicators})
    tree = {"dimensions": dimensions}
    # Weights add up to 100 at every level (issue 14 §2): rules.tree_problems says it, here per row.
    for path, message in rules.tree_problems(tree).items():
        number, name = _locate(path, where)
        if name == "weight" and (number, "weight") in problems:
            continue  # "not a whole number" already said
        if name == "name" and (number, "name") in problems:
            continue
        add(number, name, message)
    checked.tree = tree
    return checked


def _locate(path: str, where: Mapping[str, int]) -> tuple[int | None, str]:
    """The row and field a ``rules.tree_problems`` path is about: ``dimensions.1.weight`` is
    the second dimension's weight; ``dimensions.1.indicators`` (its indicators' sum) is
    reported on the dimension's row; ``dimensions`` (the dimensions' sum) on the tree."""
    parts = path.split(".")
    if len(parts) >= 5:
        return where.get(".".join(parts[:4])), parts[4]
    if len(parts) == 4:
        return where.get(".".join(parts[:4])), "name"
    if len(parts) == 3:
        return where.get(".".join(parts[:2])), parts[2]
    if len(parts) == 2:
        return where.get(path), "name"
    return None, "rows"


def tree_rows(tree: Mapping[str, Any]) -> list[Row]:
    """A saved tree as rows numbered 1, 1.1, 1.2, 2, … (the page's form and the export)."""
    rows: list[Row] = []
    for d_no, dim in enumerate(tree["dimensions"], start=1):
        rows.append(Row(number=len(rows) + 1, code=str(d_no), name=dim["name"], weight=dim["weight"]))
        for i_no, ind in enumerate(dim["indicators"], start=1):
            rows.append(
                Row(
                    number=len(rows) + 1,
                    code=f"{d_no}.{i_no}",
                    name=ind["name"],
                    weight=ind["weight"],
                    guidance=ind["guidance"],
                )
            )
    return rows


def same_tree(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two trees with the same dimensions and indicators, names, weights and guidance (keys aside)."""

    def bare(tree: Mapping[str, Any]) -> list[Any]:
        return [
            (d["name"], d["weight"], [(i["name"], i["weight"], i["guidance"]) for i in d["indicators"]])
            for d in tree["dimensions"]
        ]

    return bare(a) == bare(b)
