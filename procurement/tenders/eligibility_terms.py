"""Rule 4's local conditions as options of a call, and which year's annual report a call may ask for.

Rule 4 (LOCAL): not on the 活动异常名录 in the last 1 year; not on the 严重违法失信名单 in the last
2 years; the annual report filed and passed; not on the call's own blacklist in the last 3 years;
the project within the organization's charter scope (a judgement the buyer confirms at the
qualification review); one application per organization per call. Each is an option of the call:
on by default for 公益创投, off by default for the statutory methods. Rule 3 (no major violation
in the last 3 years, 采购法 art. 22) is law and always applies; it is not an option.

Which annual report (rule 4, corrected): reports for year N are filed in the first half of N+1.
Up to and including the filing deadline (``PROCUREMENT_ANNUAL_REPORT_DEADLINE``, "MM-DD",
default 06-30) the latest report that can be asked for is the one for N−2; from the day after,
the one for N−1. A call is judged on the day it was published (Beijing time), so its conditions
do not change while it is open: a call published in December asks for the same year in January.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from procurement.core import clock
from procurement.settings import get_settings
from procurement.tenders.states import Method

ABNORMAL_LIST_YEARS = 1  # rule 4: 活动异常名录
DISHONEST_LIST_YEARS = 2  # rule 4: 严重违法失信名单
BLACKLIST_YEARS = 3  # rule 4: the call's own blacklist
NO_MAJOR_VIOLATION_YEARS = 3  # rule 3: law, always

# The options of rule 4, in the order the form and the notice show them.
LOCAL_CONDITIONS = (
    "abnormal_list_years",
    "dishonest_list_years",
    "annual_report_passed",
    "blacklist_years",
    "charter_scope_required",
    "one_application",
)


def local_condition_defaults(method: str) -> dict[str, Any]:
    """Rule 4: every local condition on for a 公益创投 call, off for the statutory methods."""
    on = str(method) == Method.VENTURE
    return {
        "abnormal_list_years": ABNORMAL_LIST_YEARS if on else None,
        "dishonest_list_years": DISHONEST_LIST_YEARS if on else None,
        "annual_report_passed": on,
        "blacklist_years": BLACKLIST_YEARS if on else None,
        "charter_scope_required": on,
        "one_application": on,
    }


def annual_report_year(on: date, deadline: str) -> int:
    """Rule 4: the latest year whose annual report can be asked for on day ``on``
    (``deadline`` is the filing deadline as "MM-DD"): N−2 up to and including the
    deadline of year N, N−1 from the day after."""
    month, day = (int(part) for part in deadline.split("-"))
    return on.year - 2 if (on.month, on.day) <= (month, day) else on.year - 1


def judged_on(published_at: datetime | None) -> date:
    """The day a call's annual-report year is judged on: its publication day in Beijing
    time (today for a draft, which has none yet)."""
    return clock.to_local(published_at).date() if published_at is not None else clock.today_local()


def annual_report_year_for(published_at: datetime | None) -> int:
    """The year of the annual report a call published at ``published_at`` asks for (the setting's deadline)."""
    return annual_report_year(judged_on(published_at), get_settings().annual_report_deadline)
