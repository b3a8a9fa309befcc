"""The legal rules of a tender, as pure functions (no I/O).

Each check returns ``{field: message}``; every message names its rule
(domain-rules.md) so that an officer knows why, and the timeline checks name
the earliest date that would pass.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from procurement.accounts.rules import phone_problem
from procurement.core.calendar import WorkdayCalendar
from procurement.core.clock import to_local, to_utc
from procurement.core.i18n import N_, _
from procurement.core.money import format_yuan
from procurement.tenders.schemas import EvaluationMethod, Gate, TenderIn
from procurement.tenders.states import METHOD_LABELS, Method

Errors = dict[str, str]

# Rule 14 and 214号: calendar days from publication to the deadline.
MIN_CALENDAR_DAYS = {Method.OPEN: 20, Method.INVITED: 20, Method.CONSULTATION: 10}
# Rule 16 (74号令 art. 29): 谈判 (and 询价) count working days.
MIN_WORKING_DAYS = {Method.NEGOTIATION: 3, Method.INQUIRY: 3, Method.SINGLE_SOURCE: 5}
DOCUMENT_WORKING_DAYS = 5  # rule 15
# Rule 15 (87号令 art. 16, 条例 art. 31) and 214号 art. 10 set a documents period
# for 招标 and 磋商; 谈判 and 询价 (74号令) have only their 3 working days.
NO_DOCUMENT_PERIOD = frozenset({Method.NEGOTIATION, Method.INQUIRY})
MIN_INVITED = 3  # 87号令 art. 14: at least 3 invited suppliers
BOND_MAX_BP = 200  # rule 29: 2% of the budget, in basis points
TERM_MONTHS, TERM_MONTHS_JUSTIFIED = 12, 36  # rule 30
# Rule 16: a change must leave this much time before the deadline.
AMEND_MIN_DAYS = {Method.CONSULTATION: 5}
AMEND_DEFAULT_DAYS = 15
AMEND_MIN_WORKING_DAYS = {Method.NEGOTIATION: 3, Method.INQUIRY: 3}


def _d(value: date) -> str:
    return _("{year} 年 {month} 月 {day} 日").format(year=value.year, month=value.month, day=value.day)


# --------------------------------------------------------------------------- structure


def check_structure(t: TenderIn, *, open_tender_threshold_fen: int) -> Errors:
    """Lots, bond, term, scheme, payment schedule and method-specific terms."""
    errors: Errors = {}
    total = sum(lot.budget_fen for lot in t.lots)
    for i, lot in enumerate(t.lots):
        if lot.max_price_fen is not None and lot.max_price_fen > lot.budget_fen:
            errors[f"lots.{i}.max_price_fen"] = _(
                "最高限价 {format_yuan} 超过了本包预算 {format_yuan2}（《政府采购货物和服务招标投标管理办法》第十二条）。"
            ).format(format_yuan=format_yuan(lot.max_price_fen), format_yuan2=format_yuan(lot.budget_fen))
    if t.bid_bond_fen * 10_000 > total * BOND_MAX_BP:
        errors["bid_bond_fen"] = _(
            "投标保证金不得超过采购预算的 2%（《政府采购法实施条例》第三十三条、第四十八条）：预算 {format_yuan}，保证金最多 {format_yuan2}。"
        ).format(format_yuan=format_yuan(total), format_yuan2=format_yuan(total * BOND_MAX_BP // 10_000))
    if t.contract_term_months > TERM_MONTHS_JUSTIFIED:
        errors["contract_term_months"] = _("合同期限最长 3 年（36 个月）（《政府购买服务管理办法》）。")
    elif t.contract_term_months > TERM_MONTHS and not t.term_justification:
        errors["term_justification"] = _(
            "合同期限超过 1 年时，须说明服务稳定持续、预算有保障的理由（《政府购买服务管理办法》）。"
        )
    errors.update(_check_method(t, total, open_tender_threshold_fen))
    errors.update(check_scheme(t))
    errors.update(check_payment_schedule(t))
    return errors


def check_notice_contact(t: TenderIn) -> Errors:
    """The notice names the buyer's address, the contact person and a phone
    (《政府采购货物和服务招标投标管理办法》第十三条)."""
    errors: Errors = {}
    if not t.buyer_address:
        errors["buyer_address"] = _(
            "请填写采购人地址：公告须载明采购人的名称、地址和联系方法（《政府采购货物和服务招标投标管理办法》第十三条）。"
        )
    if not t.buyer_contact:
        errors["buyer_contact"] = _("请填写项目联系人姓名（《政府采购货物和服务招标投标管理办法》第十三条）。")
    if not t.buyer_phone:
        errors["buyer_phone"] = _("请填写联系电话（《政府采购货物和服务招标投标管理办法》第十三条）。")
    else:
        problem = phone_problem(t.buyer_phone)  # the same test as an organization's contact phone
        if problem:
            errors["buyer_phone"] = problem
    return errors


def _check_method(t: TenderIn, total: int, threshold_fen: int) -> Errors:
    errors: Errors = {}
    if t.method == Method.INVITED and len(set(t.invited_org_ids)) < MIN_INVITED:
        errors["invited_org_ids"] = _("邀请招标须邀请至少 {MIN_INVITED} 家供应商（87号令第十四条）。").format(
            MIN_INVITED=MIN_INVITED
        )
    if t.method != Method.INVITED and t.invited_org_ids:
        errors["invited_org_ids"] = _("只有邀请招标需要填写受邀机构。")
    if t.method == Method.SINGLE_SOURCE and t.single_source_provider_id is None:
        errors["single_source_provider_id"] = _("单一来源采购须指定供应商（《政府采购法实施条例》第三十八条）。")
    if t.method != Method.SINGLE_SOURCE and t.single_source_provider_id is not None:
        errors["single_source_provider_id"] = _("只有单一来源采购需要指定供应商。")
    if t.method == Method.VENTURE:
        if t.venture_terms is None:
            errors["venture_terms"] = _("公益创投须设定单个项目资助上限和资助比例。")
        else:
            errors.update(venture_cap_errors(t))
    elif t.venture_terms is not None:
        errors["venture_terms"] = _("只有公益创投征集需要填写资助上限与配套要求。")
    above = total >= threshold_fen
    # 采购法 art. 27: above the threshold any method but the open tender needs approval.
    if above and t.method not in (Method.OPEN, Method.VENTURE) and not t.method_justification:
        errors["method_justification"] = _(
            "预算 {format_yuan} 达到公开招标数额标准 {format_yuan2}，采用{method}须填写经批准变更采购方式的说明。"
        ).format(
            format_yuan=format_yuan(total), format_yuan2=format_yuan(threshold_fen), method=METHOD_LABELS[t.method]
        )
    return errors


def check_scheme(t: TenderIn) -> Errors:
    """Rules 21–22: two methods only; criteria and price weight sum to 100."""
    scheme = t.evaluation_scheme
    if scheme is None:
        if t.method == Method.SINGLE_SOURCE:
            return {}
        return {"evaluation_scheme": _("请设定评审办法（《政府采购法实施条例》第三十四条）。")}
    errors: Errors = {}
    required = {
        Method.CONSULTATION: EvaluationMethod.COMPREHENSIVE,  # 214号 art. 23
        Method.NEGOTIATION: EvaluationMethod.LOWEST_PRICE,  # 74号令: 报价最低
        Method.INQUIRY: EvaluationMethod.LOWEST_PRICE,
    }.get(t.method)
    if required and scheme.method != required:
        label = _("综合评分法") if required == EvaluationMethod.COMPREHENSIVE else _("最低评标价法")
        errors["evaluation_scheme.method"] = _("{method}应采用{label}（《政府采购法实施条例》第三十四条）。").format(
            method=METHOD_LABELS[t.method], label=label
        )
    keys = [c.key for c in scheme.criteria if c.key]
    if len(keys) != len(set(keys)):
        errors["evaluation_scheme.criteria"] = _("评审因素的编号不能重复。")
    if scheme.method == EvaluationMethod.LOWEST_PRICE:
        if scheme.criteria:
            errors["evaluation_scheme.criteria"] = _(
                "最低评标价法只比较价格，不设评分因素（《政府采购法实施条例》第三十四条）。"
            )
        return errors
    points = sum(c.max_points for c in scheme.criteria)
    if scheme.price_fixed:
        if scheme.price_weight:
            errors["evaluation_scheme.price_weight"] = _(
                "价格由采购人固定时，价格不计分，价格权重应为 0（《政府采购货物和服务招标投标管理办法》第五十五条）。"
            )
    elif t.method == Method.CONSULTATION and not 10 <= scheme.price_weight <= 30:
        errors["evaluation_scheme.price_weight"] = _(
            "竞争性磋商的服务项目，价格分权重应在 10%–30% 之间（《政府采购货物和服务招标投标管理办法》第五十五条），现为 {price_weight}%。"
        ).format(price_weight=scheme.price_weight)
    elif t.method != Method.VENTURE and scheme.price_weight < 10:
        errors["evaluation_scheme.price_weight"] = _(
            "服务项目的价格分权重不得低于 10%（《政府采购货物和服务招标投标管理办法》第五十五条），现为 {price_weight}%。"
        ).format(price_weight=scheme.price_weight)
    total = points + (0 if scheme.price_fixed else scheme.price_weight)
    if total != 100 and "evaluation_scheme.price_weight" not in errors:
        errors["evaluation_scheme.criteria"] = _(
            "评审因素分值（{points} 分）加价格分（{price_points} 分）应合计 100 分，现为 {total} 分（《政府采购货物和服务招标投标管理办法》第五十五条）。"
        ).format(points=points, price_points=0 if scheme.price_fixed else scheme.price_weight, total=total)
    if not scheme.criteria:
        errors.setdefault(
            "evaluation_scheme.criteria", _("综合评分法至少需要一个评审因素（《政府采购法实施条例》第三十四条）。")
        )
    return errors


def check_payment_schedule(t: TenderIn) -> Errors:
    """Rule 35: installments sum to 100%; evaluation gates name a grade; date gates a date."""
    if not t.payment_schedule:
        return {
            "payment_schedule": _(
                "请设定付款计划（《政府采购法实施条例》第五十一条），例如签订后 40%、中期评估合格后 30%、终期评估合格后 30%。"
            )
        }
    errors: Errors = {}
    total = sum(i.percent for i in t.payment_schedule)
    if total != 100:
        errors["payment_schedule"] = _(
            "各期付款比例应合计 100%，现为 {total}%（《政府采购法实施条例》第五十一条）。"
        ).format(total=total)
    for n, item in enumerate(t.payment_schedule):
        if item.gate in (Gate.MIDTERM, Gate.FINAL) and item.min_grade is None:
            errors[f"payment_schedule.{n}.min_grade"] = _("以评估为条件的付款须写明最低评估等级（35）。")
        if item.gate == Gate.DATE and item.due_date is None:
            errors[f"payment_schedule.{n}.due_date"] = _("按日期付款须写明日期（《政府采购法实施条例》第五十一条）。")
    return errors


def venture_cap_errors(t: TenderIn) -> Errors:
    """Rule 36: the cap per project cannot exceed the call's budget."""
    if t.method != Method.VENTURE or t.venture_terms is None:
        return {}
    total = sum(lot.budget_fen for lot in t.lots)
    if t.venture_terms.cap_per_project_fen > total:
        return {
            "venture_terms.cap_per_project_fen": _(
                "单个项目资助上限 {format_yuan} 超过了本次征集的总预算 {format_yuan2}。"
            ).format(format_yuan=format_yuan(t.venture_terms.cap_per_project_fen), format_yuan2=format_yuan(total))
        }
    return {}


# --------------------------------------------------------------------------- timeline


def earliest_documents_until(publish_day: date, cal: WorkdayCalendar) -> date:
    """Rule 15: documents available at least 5 working days, the publication day
    counted when it is a working day."""
    return cal.add_working_days(publish_day - timedelta(days=1), DOCUMENT_WORKING_DAYS)


def earliest_deadline(method: Method, publish_day: date, cal: WorkdayCalendar, venture_min_days: int) -> date:
    """The first day the bid deadline may fall on (rules 12–16)."""
    if method in MIN_CALENDAR_DAYS:
        day = publish_day + timedelta(days=MIN_CALENDAR_DAYS[method])
    elif method in MIN_WORKING_DAYS:
        day = cal.add_working_days(publish_day, MIN_WORKING_DAYS[method])
    else:  # 公益创投 (rule 13, LOCAL)
        day = publish_day + timedelta(days=venture_min_days)
    if method in NO_DOCUMENT_PERIOD:
        return day
    # The documents must still be available until the deadline day.
    return max(day, earliest_documents_until(publish_day, cal))


def _rule_of(method: Method) -> str:
    return {
        Method.OPEN: _("公开招标自招标文件发出之日起至投标截止不得少于 20 日（《政府采购法》第三十五条）"),
        Method.INVITED: _("邀请招标自招标文件发出之日起至投标截止不得少于 20 日（《政府采购法》第三十五条）"),
        Method.CONSULTATION: _(
            "竞争性磋商自磋商文件发出之日起至首次响应截止不得少于 10 日（《政府采购法实施条例》第三十一条）"
        ),
        Method.NEGOTIATION: _(
            "竞争性谈判自谈判文件发出之日起至首次响应截止不得少于 3 个工作日（《政府采购法实施条例》第三十一条）"
        ),
        Method.INQUIRY: _(
            "询价自询价通知书发出之日起至响应截止不得少于 3 个工作日（《政府采购法实施条例》第三十一条）"
        ),
        Method.SINGLE_SOURCE: _("单一来源采购须公示不少于 5 个工作日后方可进行（《政府采购法实施条例》第三十八条）"),
        Method.VENTURE: _("公益创投征集期不得短于本地规定的天数"),
    }[method]


def check_timeline(
    method: Method,
    publish_at: datetime,
    bid_deadline: datetime,
    *,
    opening_at: datetime | None,
    clarification_deadline: datetime | None,
    documents_until: datetime | None,
    cal: WorkdayCalendar,
    venture_min_days: int,
) -> Errors:
    """Check a timeline as if published at ``publish_at`` (aware datetimes)."""
    errors: Errors = {}
    publish_day = to_local(publish_at).date()
    deadline_day = to_local(bid_deadline).date()
    if bid_deadline <= publish_at:
        return {"bid_deadline": _("截止时间必须晚于发布时间。")}
    earliest = earliest_deadline(method, publish_day, cal, venture_min_days)
    if deadline_day < earliest:
        errors["bid_deadline"] = _("{rule_of}；若今天发布，截止日期最早为 {d}。").format(
            rule_of=_rule_of(method), d=_d(earliest)
        )
    if opening_at is not None and opening_at != bid_deadline:
        errors["opening_at"] = _("开标时间应与投标截止时间为同一时间（87号令第三十九条）。")
    if clarification_deadline is not None and clarification_deadline >= bid_deadline:
        errors["clarification_deadline"] = _("答疑截止时间必须早于投标截止时间。")
    if clarification_deadline is not None and clarification_deadline <= publish_at:
        errors["clarification_deadline"] = _("答疑截止时间必须晚于发布时间。")
    if documents_until is not None and method not in NO_DOCUMENT_PERIOD:
        need = earliest_documents_until(publish_day, cal)
        if to_local(documents_until).date() < need:
            errors["documents_until"] = _(
                "招标文件提供期限不得少于 5 个工作日（《政府采购货物和服务招标投标管理办法》第十六条）；若今天发布，最早可截至 {d}。"
            ).format(d=_d(need))
    return errors


# --------------------------------------------------------------------------- holidays of the years concerned

CALENDAR_PAGE = "/admin/calendar"
_WEEKDAYS = (N_("星期一"), N_("星期二"), N_("星期三"), N_("星期四"), N_("星期五"), N_("星期六"), N_("星期日"))


def timeline_days(
    method: Method,
    publish_day: date,
    bid_deadline: datetime,
    *,
    clarification_deadline: datetime | None,
    documents_until: datetime | None,
    cal: WorkdayCalendar,
) -> dict[str, date]:
    """The days a tender's timeline reaches at publication, by what they are: the
    deadline (the opening is the same moment), the clarification and documents
    deadlines, and the end of each working-day count (documents period, rule 15;
    谈判/询价/单一来源 periods, rules 12 and 16)."""
    days = {"publish": publish_day, "bid_deadline": to_local(bid_deadline).date()}
    if clarification_deadline is not None:
        days["clarification_deadline"] = to_local(clarification_deadline).date()
    if documents_until is not None:
        days["documents_until"] = to_local(documents_until).date()
    if method not in NO_DOCUMENT_PERIOD:
        days["documents_period"] = earliest_documents_until(publish_day, cal)
    if method in MIN_WORKING_DAYS:
        days["working_day_period"] = cal.add_working_days(publish_day, MIN_WORKING_DAYS[method])
    return days


def _what(key: str, method: Method) -> str:
    return {
        "bid_deadline": _("投标（申报）截止及开标时间"),
        "clarification_deadline": _("答疑截止时间"),
        "documents_until": _("招标文件提供截止时间"),
        "documents_period": _("招标文件提供期限（5 个工作日）"),
        "working_day_period": _("{method}的最短期限（按工作日计算）").format(method=METHOD_LABELS[method]),
    }.get(key, _("时间安排"))


def unknown_year_errors(method: Method, days: dict[str, date], cal: WorkdayCalendar) -> Errors:
    """A tender whose timeline reaches a year whose holidays are neither built in,
    entered, nor recorded as not yet published cannot be published: every working-day
    count over that year would be a guess. The message names the year, what falls in
    it, and where an administrator settles it."""
    first, last = min(days.values()), max(days.values())
    years = cal.unknown_years(first, last)
    if not years:
        return {}
    year = years[0]
    # Name the deadline when it is in such a year (what the officer chose), else the first day that is.
    inside = sorted(
        (k for k, d in days.items() if d.year in years and k != "publish"),
        key=lambda k: (k != "bid_deadline", days[k]),
    )
    what = (
        _("{what}（{d}）").format(what=_what(inside[0], method), d=_d(days[inside[0]]))
        if inside
        else _("时间安排（至 {d}）").format(d=_d(last))
    )
    return {
        "bid_deadline": _(
            "{years} 年的法定节假日和调休安排尚未录入本系统，本项目的{what}在该年内，工作日无法准确计算，暂不能发布。"
            "请系统管理员在「节假日设置」页面（{page}）录入 {year} 年的放假安排；国务院办公厅尚未发布放假通知的，"
            "可在该页记录“官方安排尚未发布，暂按周末计算”。"
        ).format(years="、".join(str(y) for y in years), what=what, page=CALENDAR_PAGE, year=year)
    }


def day_off_warnings(moments: dict[str, datetime | None], cal: WorkdayCalendar) -> Errors:
    """A deadline or the opening on a weekend or a holiday: a warning, not a refusal
    (nothing in the law forbids it, but bidders and the bureau may not be at work)."""
    warnings: Errors = {}
    for key, moment in moments.items():
        if moment is None:
            continue
        day = to_local(moment).date()
        reason = cal.day_off_reason(day)
        if reason is None:
            continue
        label = {
            "bid_deadline": _("投标（申报）截止及开标时间"),
            "clarification_deadline": _("答疑截止时间"),
            "documents_until": _("招标文件提供截止时间"),
        }.get(key, _("该时间"))
        kind = _("休息日") if reason == "weekend" else _("法定节假日")
        warnings[key] = _("{label} {d}（{weekday}）是{kind}，供应商和采购人可能无法正常办公；建议改在工作日。").format(
            label=label, d=_d(day), weekday=_(_WEEKDAYS[day.weekday()]), kind=kind
        )
    return warnings


def amended_deadline(method: Method, amend_at: datetime, deadline: datetime, cal: WorkdayCalendar) -> datetime | None:
    """Rule 16: a change published too close to the deadline moves it back.

    Returns the new deadline (same time of day, Asia/Shanghai), or None when
    enough time remains.
    """
    amend_day = to_local(amend_at).date()
    local_deadline = to_local(deadline)
    if method in AMEND_MIN_WORKING_DAYS:
        need = AMEND_MIN_WORKING_DAYS[method]
        if cal.working_days_between(amend_day, local_deadline.date()) >= need:
            return None
        new_day = cal.add_working_days(amend_day, need)
    else:
        need = AMEND_MIN_DAYS.get(method, AMEND_DEFAULT_DAYS)
        if (local_deadline.date() - amend_day).days >= need:
            return None
        new_day = amend_day + timedelta(days=need)
    moved = datetime.combine(new_day, local_deadline.timetz().replace(tzinfo=None))
    return to_utc(moved)


def amendment_rule_text(method: Method) -> str:
    if method in AMEND_MIN_WORKING_DAYS:
        return _("更正须在截止前至少 {AMEND_MIN_WORKING_DAYS} 个工作日发布（《政府采购法实施条例》第三十一条）").format(
            AMEND_MIN_WORKING_DAYS=AMEND_MIN_WORKING_DAYS[method]
        )
    return _("更正须在截止前至少 {get} 日发布（《政府采购法实施条例》第三十一条）").format(
        get=AMEND_MIN_DAYS.get(method, AMEND_DEFAULT_DAYS)
    )
