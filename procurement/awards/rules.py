"""The 质疑 periods (rule 27), pure: dates in, dates and reasons out.

《政府采购法实施条例》第五十三条 and 《政府采购质疑和投诉办法》(94号令) 第十条 fix the
day a supplier "knew or should have known" of the harm, for each kind of 质疑:

- the documents (采购文件): the day the organization obtained them, or the end of
  their availability period (rule 15), whichever is later;
- a step of the process (采购过程): the day the step ended;
- the result (采购结果): the end of the result notice's own 1-working-day period
  (rule 26, 87号令第六十九条), i.e. the working day after its publication day.

From that starting day the supplier has 7 working days, counted from the day
after it (the calendar's ``add_working_days``). A supplier may file as soon as
it knows (documents from the day it obtained them, the result from its
publication), so each window is "until the last day" only.

An 更正公告 that changes the documents restarts the period for what it changed:
its window starts on the later of the amendment's publication day and the day
the organization obtained the documents (decision recorded in the README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from procurement.awards.states import (
    AWARDED_OUTCOMES,
    BEFORE_AWARD_OUTCOMES,
    CHALLENGE_KIND_LABELS,
    DOCUMENT_OUTCOMES,
    PROCESS_STEP_LABELS,
    STEPS_AFFECTING_RESULT,
    ChallengeKind,
    ChallengeOutcome,
    ProcessStep,
)
from procurement.core.calendar import WorkdayCalendar
from procurement.core.i18n import _

CHALLENGE_WORKING_DAYS = 7  # rule 27: 7 working days from the starting day
RESULT_NOTICE_WORKING_DAYS = 1  # rule 26: the result notice's own period (87号令第六十九条)

_AMENDMENT = re.compile(r"^amendment-(\d{1,4})$")


def last_day(start: date, cal: WorkdayCalendar) -> date:
    """Rule 27: the 7th working day after the starting day (the period counts from the next day)."""
    return cal.add_working_days(start, CHALLENGE_WORKING_DAYS)


def result_notice_ends(publication_day: date, cal: WorkdayCalendar) -> date:
    """Rule 26: the result notice's 1-working-day period ends on the working day after its publication."""
    return cal.add_working_days(publication_day, RESULT_NOTICE_WORKING_DAYS)


def result_last_day(publication_day: date, cal: WorkdayCalendar) -> date:
    """Rule 27: 7 working days from the end of the notice period, i.e. the 8th working day
    after the publication day."""
    return last_day(result_notice_ends(publication_day, cal), cal)


def documents_start(obtained_on: date, period_ends: date | None) -> date:
    """Rule 27: the later of the day the organization obtained the documents and the end
    of their availability period (none for 谈判 and 询价, which have no such period)."""
    return obtained_on if period_ends is None else max(obtained_on, period_ends)


def amendment_step(version: int) -> str:
    """The ``step`` of a documents challenge against what the amendment making ``version`` changed."""
    return f"amendment-{version}"


def amendment_version(step: str) -> int | None:
    """The tender version an ``amendment-N`` step names (None for anything else)."""
    match = _AMENDMENT.match(step or "")
    return int(match.group(1)) if match else None


def step_label(kind: str, step: str) -> str:
    """How a step reads: 开标 / 资格审查 / 评标, or 第1次更正公告 for an amendment's changes."""
    if kind == ChallengeKind.PROCESS and step in PROCESS_STEP_LABELS:
        return PROCESS_STEP_LABELS[ProcessStep(step)]
    version = amendment_version(step) if kind == ChallengeKind.DOCUMENTS else None
    if version is not None:
        return _("第{n}次更正公告").format(n=version - 1)
    return ""


def affects_result(kind: str, step: str) -> bool:
    """Rule 27: a result challenge, or one against a step after the opening, could change
    the result, so while it is unanswered no contract is signed. A documents challenge
    does not suspend signing (the buyer is told to consider an amendment or termination)."""
    if kind == ChallengeKind.RESULT:
        return True
    return kind == ChallengeKind.PROCESS and step in STEPS_AFFECTING_RESULT


def outcome_choices(kind: str, awarded: bool) -> tuple[ChallengeOutcome, ...]:
    """The answers the law allows (《政府采购质疑和投诉办法》第十六条): for the documents,
    an amendment or a new procurement; for the process or the result after the award,
    a new evaluation or a new choice; for the process before the award, the step corrected."""
    if kind == ChallengeKind.DOCUMENTS:
        return DOCUMENT_OUTCOMES
    if kind == ChallengeKind.PROCESS and not awarded:
        return BEFORE_AWARD_OUTCOMES
    return AWARDED_OUTCOMES


@dataclass(frozen=True)
class Window:
    """The period of one kind (and step) of 质疑 for one organization.

    ``starts_on`` is the starting day of the law (the 7 working days count from the
    day after it); ``ended_on`` the day the step ended or the documents were
    obtained, shown beside it; ``last_day`` is None while the period has not begun
    (the step has not ended, the result is not published)."""

    kind: str
    step: str = ""
    starts_on: date | None = None
    last_day: date | None = None
    ended_on: date | None = None

    @property
    def label(self) -> str:
        kind = CHALLENGE_KIND_LABELS[ChallengeKind(self.kind)]
        step = step_label(self.kind, self.step)
        return f"{kind} · {step}" if step else kind

    def is_open(self, today: date) -> bool:
        return self.last_day is not None and today <= self.last_day

    def period_text(self) -> str:
        """The period and, once it is known, its last day (Beijing date), in the words of the law."""
        if self.kind == ChallengeKind.RESULT:
            if self.last_day is None:
                return _(
                    "本项目尚未公布中标（成交）结果；对采购结果的质疑应在结果公告期满之日起7个工作日内提出（《政府采购法实施条例》第五十三条）。"
                )
            return _(
                "对采购结果的质疑应在结果公告期满之日起7个工作日内提出（《政府采购法实施条例》第五十三条），本项目截止到 {last:%Y-%m-%d}。"
            ).format(last=self.last_day)
        if self.kind == ChallengeKind.PROCESS:
            step = step_label(self.kind, self.step)
            if self.last_day is None:
                return _(
                    "本项目{step}环节尚未结束；对采购过程的质疑应在该环节结束之日起7个工作日内提出（《政府采购法实施条例》第五十三条）。"
                ).format(step=step)
            return _(
                "对{step}环节的质疑应在该环节结束之日起7个工作日内提出（《政府采购法实施条例》第五十三条）；本项目{step}于 {ended:%Y-%m-%d} 结束，截止到 {last:%Y-%m-%d}。"
            ).format(step=step, ended=self.ended_on or self.starts_on, last=self.last_day)
        if amendment_version(self.step) is not None:
            text = _(
                "对{amendment}修改内容的质疑应在更正公告发布之日（晚于获取采购文件之日的）起7个工作日内提出（《政府采购法实施条例》第五十三条）"
            ).format(amendment=step_label(self.kind, self.step))
        else:
            text = _(
                "对采购文件的质疑应在获取采购文件或采购文件公告期限届满之日（以较晚者为准）起7个工作日内提出（《政府采购法实施条例》第五十三条）"
            )
        if self.last_day is None:
            return text + _("；获取采购文件后方可提出。")
        return text + _("，贵机构截止到 {last:%Y-%m-%d}。").format(last=self.last_day)

    def refusal(self) -> str:
        """Why a 质疑 of this kind is refused today: its period has not begun or is over."""
        if self.last_day is None:
            return self.period_text()
        return self.period_text() + _("质疑期已届满，不能再提出。")
