"""The tender form of the bureau pages: one long HTML form of flat fields,
turned into the nested dict that ``TenderIn`` validates, and back.

Naming convention of the flat form. Every input is named by its dotted path in
``TenderIn``, so that a service's field error (``lots.0.max_price_fen``,
``evaluation_scheme.price_weight``) lands beside its input:

- scalars by name: ``title``, ``method``, ``bid_deadline``, ``change_note``;
- nested models by path: ``eligibility.min_grade``, ``team_requirements.supervisor_required``,
  ``evaluation_scheme.price_weight``, ``venture_terms.max_share_percent``;
- list rows by path and row number: ``lots.0.name``, ``evaluation_scheme.criteria.3.max_points``,
  ``payment_schedule.1.gate``; a row whose typed inputs are all blank is dropped;
- amounts are typed in yuan and named ``*_yuan`` where ``TenderIn`` says ``*_fen``:
  ``lots.0.budget_yuan``, ``bid_bond_yuan``, ``venture_terms.cap_per_project_yuan``;
- checkboxes send "1" (an absent box is False); multiple choices repeat their
  name: ``eligibility.registration_types``, ``invited_org_ids``.

Pure: no I/O. The rules themselves stay in ``tenders.rules`` and the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procurement.core import clock
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.money import fen_to_decimal, to_fen
from procurement.tenders.schemas import EligibilityIn, TeamRequirementsIn, TenderIn

LOT_ROWS = 5
CRITERION_ROWS = 8
INSTALLMENT_ROWS = 4

# list name -> (number of rows, the typed columns that make a row non-blank)
ROW_LISTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "lots": (LOT_ROWS, ("name", "budget_yuan", "max_price_yuan", "description")),
    "evaluation_scheme.criteria": (CRITERION_ROWS, ("name", "max_points", "description")),
    "payment_schedule": (INSTALLMENT_ROWS, ("label", "percent", "due_date")),
}
ROW_COLUMNS = {
    "lots": ("name", "budget_yuan", "max_price_yuan", "description"),
    "evaluation_scheme.criteria": ("key", "name", "max_points", "kind", "description"),
    "payment_schedule": ("label", "percent", "gate", "min_grade", "due_date"),
}
MULTI_FIELDS = ("eligibility.registration_types", "invited_org_ids")
CHECKBOXES = (
    "eligibility.annual_report_passed",
    "eligibility.charter_scope_required",
    "eligibility.one_application",
    "team_requirements.supervisor_required",
    "evaluation_scheme.price_fixed",
    "venture_terms.matching_required",
)
SCALARS = (
    "title",
    "method",
    "catalogue_item_id",
    "description",
    "bid_bond_yuan",
    "eligibility.no_major_violation_years",
    "eligibility.abnormal_list_years",
    "eligibility.dishonest_list_years",
    "eligibility.blacklist_years",
    "eligibility.min_grade",
    "eligibility.scope_keyword",
    "team_requirements.min_licensed_workers",
    "team_requirements.lead_min_level",
    "single_source_provider_id",
    "evaluation_scheme.method",
    "evaluation_scheme.price_weight",
    "contract_term_months",
    "term_justification",
    "method_justification",
    "venture_terms.cap_per_project_yuan",
    "venture_terms.max_share_percent",
    "bid_deadline",
    "clarification_deadline",
    "documents_until",
    "opening_at",
    "change_note",
    "buyer_address",
    "buyer_contact",
    "buyer_phone",
    "documents_method",
    "opening_place",
)
# Errors about a whole part of the form are shown at the top of that part.
GROUPS = (
    "lots",
    "evaluation_scheme.criteria",
    "payment_schedule",
    "evaluation_scheme",
    "venture_terms",
    "eligibility",
    "team_requirements",
)

# Which step of the form each field belongs to (for the error summary's links).
STEP_OF_PREFIX = {
    "title": 1,
    "method": 1,
    "catalogue_item_id": 1,
    "description": 1,
    "lots": 2,
    "bid_bond_yuan": 2,
    "eligibility": 3,
    "team_requirements": 3,
    "invited_org_ids": 3,
    "single_source_provider_id": 3,
    "evaluation_scheme": 4,
    "payment_schedule": 5,
    "contract_term_months": 5,
    "term_justification": 5,
    "method_justification": 5,
    "venture_terms": 5,
    "bid_deadline": 6,
    "clarification_deadline": 6,
    "documents_until": 6,
    "opening_at": 6,
    "change_note": 0,
    "buyer_address": 1,
    "buyer_contact": 1,
    "buyer_phone": 1,
    "documents_method": 6,
    "opening_place": 6,
}


def _all_field_names() -> frozenset[str]:
    names = set(SCALARS) | set(MULTI_FIELDS) | set(CHECKBOXES) | set(GROUPS)
    for name, (count, _unused) in ROW_LISTS.items():
        for i in range(count):
            names.update(f"{name}.{i}.{col}" for col in ROW_COLUMNS[name])
    return frozenset(names)


FIELD_NAMES = _all_field_names()


@dataclass
class TenderForm:
    """The nested data for ``TenderIn``, the amounts that could not be read
    (keyed like ``TenderIn``'s fields), and which form row each kept list item came from."""

    data: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)

    def form_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Field errors keyed by ``TenderIn`` paths -> keyed by the form's input names."""
        shown: dict[str, str] = {}
        for key, message in errors.items():
            name = form_key(key, self.rows)
            if name == "lots" and message == _("必填。"):
                message = _("请至少填写一个标段：名称和预算必填。")
            if name in shown and message not in shown[name]:
                shown[name] = shown[name] + "；" + message
            else:
                shown.setdefault(name, message)
        return shown

    def refusal(self, exc: ValidationFailed) -> ValidationFailed:
        """The same refusal, its field errors renamed for the form."""
        errors = self.form_errors(exc.field_errors)
        message = exc.message if exc.message != "；".join(exc.field_errors.values()) else None
        return ValidationFailed(message, field_errors=errors)


def form_key(key: str, rows: dict[str, list[int]]) -> str:
    """``lots.1.max_price_fen`` -> ``lots.2.max_price_yuan`` (when form row 1 was blank);
    an error on something without its own input goes to the nearest part that has one."""
    parts = key.split(".")
    for name in ROW_LISTS:
        prefix = name.split(".")
        n = len(prefix)
        if parts[:n] == prefix and len(parts) > n and parts[n].isdigit():
            kept = rows.get(name, [])
            index = int(parts[n])
            parts[n] = str(kept[index] if index < len(kept) else index)
            break
    if parts[-1].endswith("_fen"):
        parts[-1] = parts[-1][: -len("_fen")] + "_yuan"
    while parts:
        candidate = ".".join(parts)
        if candidate in FIELD_NAMES:
            return candidate
        parts.pop()
    return "_"


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def values(form: dict[str, Any], name: str) -> list[str]:
    """All values of a repeated field (checkboxes, multi-selects)."""
    value = form.get(name)
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if str(v).strip()]


def tender_form_to_input(form: dict[str, Any]) -> TenderForm:
    """The flat form (see the module docstring) -> the nested dict of ``TenderIn``.

    Blank inputs are left out (the schema's defaults apply), except the optional
    years, where blank means "not required"; yuan become fen; checkboxes become
    bools; blank rows are dropped. Amounts that cannot be read are reported in
    ``errors`` under their ``TenderIn`` path and left out of ``data``.
    """
    result = TenderForm(data={})
    data = result.data

    def put(target: dict[str, Any], key: str, name: str) -> None:
        value = _text(form, name)
        if value:
            target[key] = value

    def money(target: dict[str, Any], key: str, name: str, path: str) -> None:
        value = _text(form, name)
        if not value:
            return
        try:
            target[key] = to_fen(value)
        except ValidationFailed as exc:
            result.errors[path] = exc.message

    def checked(name: str) -> bool:
        return bool(_text(form, name))

    def kept_rows(name: str) -> list[int]:
        count, typed = ROW_LISTS[name]
        kept = [i for i in range(count) if any(_text(form, f"{name}.{i}.{col}") for col in typed)]
        result.rows[name] = kept
        return kept

    for key in (
        "title",
        "method",
        "catalogue_item_id",
        "description",
        "contract_term_months",
        "term_justification",
        "method_justification",
        "single_source_provider_id",
        "bid_deadline",
        "clarification_deadline",
        "documents_until",
        "opening_at",
        "change_note",
        "buyer_address",
        "buyer_contact",
        "buyer_phone",
        "documents_method",
        "opening_place",
    ):
        put(data, key, key)
    money(data, "bid_bond_fen", "bid_bond_yuan", "bid_bond_fen")

    lots = []
    for n, i in enumerate(kept_rows("lots")):
        lot: dict[str, Any] = {}
        put(lot, "name", f"lots.{i}.name")
        money(lot, "budget_fen", f"lots.{i}.budget_yuan", f"lots.{n}.budget_fen")
        money(lot, "max_price_fen", f"lots.{i}.max_price_yuan", f"lots.{n}.max_price_fen")
        put(lot, "description", f"lots.{i}.description")
        lots.append(lot)
    if lots:
        data["lots"] = lots

    eligibility: dict[str, Any] = {
        "registration_types": values(form, "eligibility.registration_types"),
        # Rule 4's options: the form states each one (ticked or not), so no method default applies.
        "annual_report_passed": checked("eligibility.annual_report_passed"),
        "charter_scope_required": checked("eligibility.charter_scope_required"),
        "one_application": checked("eligibility.one_application"),
    }
    put(eligibility, "no_major_violation_years", "eligibility.no_major_violation_years")
    for key in ("abnormal_list_years", "dishonest_list_years", "blacklist_years"):  # unticked: not required
        eligibility[key] = _text(form, f"eligibility.{key}") or None
    put(eligibility, "min_grade", "eligibility.min_grade")
    put(eligibility, "scope_keyword", "eligibility.scope_keyword")
    data["eligibility"] = eligibility

    team: dict[str, Any] = {"supervisor_required": checked("team_requirements.supervisor_required")}
    put(team, "min_licensed_workers", "team_requirements.min_licensed_workers")
    put(team, "lead_min_level", "team_requirements.lead_min_level")
    data["team_requirements"] = team

    data["invited_org_ids"] = values(form, "invited_org_ids")

    scheme_method = _text(form, "evaluation_scheme.method")
    criteria_rows = kept_rows("evaluation_scheme.criteria")
    if scheme_method or criteria_rows:  # no method and no criteria: no scheme (单一来源)
        scheme: dict[str, Any] = {"price_fixed": checked("evaluation_scheme.price_fixed"), "criteria": []}
        put(scheme, "method", "evaluation_scheme.method")
        put(scheme, "price_weight", "evaluation_scheme.price_weight")
        for i in criteria_rows:
            criterion: dict[str, Any] = {}
            for col in ("key", "name", "max_points", "kind", "description"):
                put(criterion, col, f"evaluation_scheme.criteria.{i}.{col}")
            scheme["criteria"].append(criterion)
        data["evaluation_scheme"] = scheme

    schedule = []
    for i in kept_rows("payment_schedule"):
        item: dict[str, Any] = {}
        for col in ("label", "percent", "gate", "min_grade", "due_date"):
            put(item, col, f"payment_schedule.{i}.{col}")
        schedule.append(item)
    data["payment_schedule"] = schedule

    if _text(form, "venture_terms.cap_per_project_yuan") or _text(form, "venture_terms.max_share_percent"):
        venture: dict[str, Any] = {"matching_required": checked("venture_terms.matching_required")}
        money(venture, "cap_per_project_fen", "venture_terms.cap_per_project_yuan", "venture_terms.cap_per_project_fen")
        put(venture, "max_share_percent", "venture_terms.max_share_percent")
        data["venture_terms"] = venture
    return result


# --------------------------------------------------------------------------- back to the form


def _yuan(fen: int | None) -> str:
    return "" if fen is None else str(fen_to_decimal(fen))


def _local(value) -> str:
    return clock.to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _flat_requirements(form: dict[str, Any], eligibility: EligibilityIn, team: TeamRequirementsIn) -> None:
    form["eligibility.registration_types"] = [str(t) for t in eligibility.registration_types]
    form["eligibility.no_major_violation_years"] = str(eligibility.no_major_violation_years)
    for key in ("abnormal_list_years", "dishonest_list_years", "blacklist_years"):
        value = getattr(eligibility, key)
        form[f"eligibility.{key}"] = "" if value is None else str(value)
    for key in ("annual_report_passed", "charter_scope_required", "one_application"):
        if getattr(eligibility, key):
            form[f"eligibility.{key}"] = "1"
    form["eligibility.min_grade"] = str(eligibility.min_grade or "")
    form["eligibility.scope_keyword"] = eligibility.scope_keyword
    form["team_requirements.min_licensed_workers"] = str(team.min_licensed_workers)
    form["team_requirements.lead_min_level"] = str(team.lead_min_level)
    if team.supervisor_required:
        form["team_requirements.supervisor_required"] = "1"


def input_to_form(data: TenderIn) -> dict[str, Any]:
    """A tender's editable input -> the flat form values (the edit and amend forms start here)."""
    form: dict[str, Any] = {
        "title": data.title,
        "method": str(data.method),
        "catalogue_item_id": str(data.catalogue_item_id),
        "description": data.description,
        "bid_bond_yuan": _yuan(data.bid_bond_fen) if data.bid_bond_fen else "",
        "contract_term_months": str(data.contract_term_months),
        "term_justification": data.term_justification,
        "method_justification": data.method_justification,
        "single_source_provider_id": str(data.single_source_provider_id or ""),
        "invited_org_ids": [str(i) for i in data.invited_org_ids],
        "bid_deadline": _local(data.bid_deadline),
        "clarification_deadline": _local(data.clarification_deadline),
        "documents_until": _local(data.documents_until),
        "buyer_address": data.buyer_address,
        "buyer_contact": data.buyer_contact,
        "buyer_phone": data.buyer_phone,
        "documents_method": data.documents_method,
        "opening_place": data.opening_place,
    }
    for i, lot in enumerate(data.lots[:LOT_ROWS]):
        form.update(
            {
                f"lots.{i}.name": lot.name,
                f"lots.{i}.budget_yuan": _yuan(lot.budget_fen),
                f"lots.{i}.max_price_yuan": _yuan(lot.max_price_fen),
                f"lots.{i}.description": lot.description,
            }
        )
    _flat_requirements(form, data.eligibility, data.team_requirements)
    scheme = data.evaluation_scheme
    form["evaluation_scheme.method"] = str(scheme.method) if scheme else ""
    if scheme:
        form["evaluation_scheme.price_weight"] = str(scheme.price_weight)
        if scheme.price_fixed:
            form["evaluation_scheme.price_fixed"] = "1"
        for i, c in enumerate(scheme.criteria[:CRITERION_ROWS]):
            prefix = f"evaluation_scheme.criteria.{i}"
            form.update(
                {
                    f"{prefix}.key": c.key,
                    f"{prefix}.name": c.name,
                    f"{prefix}.max_points": str(c.max_points),
                    f"{prefix}.kind": str(c.kind),
                    f"{prefix}.description": c.description,
                }
            )
    for i, item in enumerate(data.payment_schedule[:INSTALLMENT_ROWS]):
        prefix = f"payment_schedule.{i}"
        form.update(
            {
                f"{prefix}.label": item.label,
                f"{prefix}.percent": str(item.percent),
                f"{prefix}.gate": str(item.gate),
                f"{prefix}.min_grade": str(item.min_grade or ""),
                f"{prefix}.due_date": item.due_date.isoformat() if item.due_date else "",
            }
        )
    if data.venture_terms:
        form["venture_terms.cap_per_project_yuan"] = _yuan(data.venture_terms.cap_per_project_fen)
        form["venture_terms.max_share_percent"] = str(data.venture_terms.max_share_percent)
        if data.venture_terms.matching_required:
            form["venture_terms.matching_required"] = "1"
    return form


def blank_form(contact: dict[str, str] | None = None) -> dict[str, Any]:
    """A new tender: the schema's defaults, the buyer's address, contact person and phone
    from its record (``contact``), and the usual 40/30/30 installments, to be changed as needed."""
    form: dict[str, Any] = {
        **(contact or {}),
        "contract_term_months": "12",
        "evaluation_scheme.method": "comprehensive",
        "invited_org_ids": [],
        "venture_terms.matching_required": "1",
    }
    _flat_requirements(form, EligibilityIn(), TeamRequirementsIn())
    for i, (label, percent, gate, grade) in enumerate(
        [
            (_("首期款"), "40", "signing", ""),
            (_("中期款"), "30", "midterm", "pass"),
            (_("尾款"), "30", "final", "pass"),
        ]
    ):
        form.update(
            {
                f"payment_schedule.{i}.label": label,
                f"payment_schedule.{i}.percent": percent,
                f"payment_schedule.{i}.gate": gate,
                f"payment_schedule.{i}.min_grade": grade,
            }
        )
    return form


def for_display(form: dict[str, Any]) -> dict[str, Any]:
    """The submitted form as the template reads it: repeated fields always lists."""
    shown = {k: v for k, v in form.items() if k != "_csrf_token"}
    for name in MULTI_FIELDS:
        shown[name] = values(form, name)
    return shown


def weight_total(form: dict[str, Any]) -> dict[str, Any]:
    """The evaluation weights as typed (rules 21–22): criteria points plus the price weight,
    against the target 100; only 综合评分法 adds up to 100. Unreadable numbers count 0
    (the form reports them beside their input)."""

    def number(name: str) -> int:
        text = _text(form, name)
        return int(text) if text.isdigit() else 0

    count, _typed = ROW_LISTS["evaluation_scheme.criteria"]
    points = sum(number(f"evaluation_scheme.criteria.{i}.max_points") for i in range(count))
    fixed = bool(_text(form, "evaluation_scheme.price_fixed"))
    price = 0 if fixed else number("evaluation_scheme.price_weight")
    return {
        "points": points,
        "price": price,
        "total": points + price,
        "fixed": fixed,
        "applies": _text(form, "evaluation_scheme.method") in ("", "comprehensive"),
    }


def filled_rows(form: dict[str, Any]) -> dict[str, int]:
    """How many rows of each list to show open (the rest wait behind 添加更多)."""
    shown = {}
    for name, (count, typed) in ROW_LISTS.items():
        last = max((i + 1 for i in range(count) if any(_text(form, f"{name}.{i}.{col}") for col in typed)), default=0)
        shown[name] = max(last, 1)
    return shown


# The label of each input, for the error summary (N_: translated where shown).
LABEL_KEYS = Labels(
    {
        "title": N_("项目名称"),
        "method": N_("采购方式"),
        "catalogue_item_id": N_("指导性目录项目"),
        "description": N_("项目概况与服务内容"),
        "lots": N_("标段与预算"),
        "bid_bond_yuan": N_("投标保证金（元）"),
        "eligibility": N_("资格要求"),
        "eligibility.registration_types": N_("登记类型"),
        "eligibility.no_major_violation_years": N_("近几年无重大违法记录"),
        "eligibility.abnormal_list_years": N_("未列入活动异常名录"),
        "eligibility.dishonest_list_years": N_("未列入严重违法失信名单"),
        "eligibility.annual_report_passed": N_("年报已报送并通过"),
        "eligibility.blacklist_years": N_("未列入采购人黑名单"),
        "eligibility.charter_scope_required": N_("项目属于机构章程业务范围"),
        "eligibility.one_application": N_("每家机构限投标（申报）一次"),
        "eligibility.min_grade": N_("社会组织等级评估"),
        "eligibility.scope_keyword": N_("本项目服务领域"),
        "team_requirements": N_("服务团队要求"),
        "team_requirements.min_licensed_workers": N_("持证社工至少（名）"),
        "team_requirements.lead_min_level": N_("项目负责人职业水平"),
        "team_requirements.supervisor_required": N_("须配备项目督导"),
        "invited_org_ids": N_("受邀机构"),
        "single_source_provider_id": N_("单一来源供应商"),
        "evaluation_scheme": N_("评审办法"),
        "evaluation_scheme.method": N_("评审方法"),
        "evaluation_scheme.price_weight": N_("价格分权重（%）"),
        "evaluation_scheme.price_fixed": N_("价格由采购人固定（价格不计分）"),
        "evaluation_scheme.criteria": N_("评审因素"),
        "payment_schedule": N_("付款与合同"),
        "contract_term_months": N_("合同期限（月）"),
        "term_justification": N_("合同期限说明"),
        "method_justification": N_("采购方式说明"),
        "venture_terms": N_("公益创投资助条件"),
        "venture_terms.cap_per_project_yuan": N_("单个项目资助上限（元）"),
        "venture_terms.max_share_percent": N_("资助比例上限（%）"),
        "venture_terms.matching_required": N_("要求申报机构提供配套资金"),
        "bid_deadline": N_("投标（申报）截止"),
        "clarification_deadline": N_("答疑截止"),
        "documents_until": N_("文件提供截止"),
        "opening_at": N_("开标时间"),
        "change_note": N_("更正事项说明（公开）"),
        "buyer_address": N_("采购人地址"),
        "buyer_contact": N_("项目联系人"),
        "buyer_phone": N_("联系电话"),
        "documents_method": N_("获取招标文件的地点和方式"),
        "opening_place": N_("开标地点"),
    }
)
ROW_LABEL_KEYS = {
    "lots": (
        N_("第 {n} 包"),
        {
            "name": N_("标段名称"),
            "budget_yuan": N_("预算（元）"),
            "max_price_yuan": N_("最高限价（元）"),
            "description": N_("标段说明"),
        },
    ),
    "evaluation_scheme.criteria": (
        N_("评审因素 {n}"),
        {
            "key": N_("评审因素"),
            "name": N_("评审因素"),
            "max_points": N_("分值"),
            "kind": N_("类型"),
            "description": N_("评分标准"),
        },
    ),
    "payment_schedule": (
        N_("第 {n} 期"),
        {
            "label": N_("名称"),
            "percent": N_("比例（%）"),
            "gate": N_("付款条件"),
            "min_grade": N_("最低评估等级"),
            "due_date": N_("约定日期"),
        },
    ),
}


def field_label(name: str) -> str:
    """The label people see beside an input: 第 2 包 · 最高限价（元）."""
    for rows_name, (row_key, columns) in ROW_LABEL_KEYS.items():
        prefix = rows_name + "."
        if name.startswith(prefix):
            index, _unused, column = name[len(prefix) :].partition(".")
            if index.isdigit() and column in columns:
                return f"{_(row_key).format(n=int(index) + 1)} · {_(columns[column])}"
    key = LABEL_KEYS.get(name)
    return _(key) if key else ""


def error_summary(errors: dict[str, str]) -> list[dict[str, Any]]:
    """The errors in form order, each with its step and label, for the summary at the top."""
    items = []
    for name, message in errors.items():
        step = STEP_OF_PREFIX.get(name.split(".")[0])
        items.append({"name": name, "step": step, "label": field_label(name), "message": message})
    return sorted(items, key=lambda e: e["step"] if e["step"] is not None else 99)
