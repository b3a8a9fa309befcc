"""Residents' satisfaction (社区评议, issue 14 §3, rule 34): a short survey per contract,
answered on a phone without logging in, one answer per one-time code.

The buyer's officer issues codes in batches (``issue_codes``) to print on cards for
door-to-door visits or a community meeting. A resident answers with a code
(``submit_response``): the code is spent by one conditional ``UPDATE … WHERE used_at IS
NULL``, so two answers racing with one code give one answer. An unknown or spent code is
refused with the same care as a wrong password (no hint which). The results (how many
answered, the share satisfied, each question's mean) feed the satisfaction indicator;
below ``PROCUREMENT_SURVEY_MIN_RESPONSES`` they are shown as insufficient.
"""

from __future__ import annotations

import json
import secrets

from contracts.assessments import policies, rules
from contracts.assessments.schemas import (
    SurveyAnsweredOut,
    SurveyAnswerIn,
    SurveyCodeOut,
    SurveyCodesIn,
    SurveyCodesOut,
    SurveyResultsOut,
)
from contracts.assessments.services import ASSIGNABLE_STATES, load_contract
from contracts.assessments.tables import Assessment, SurveyCode, SurveyResponse
from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.settings import get_settings


def survey_link(code: str) -> str:
    return f"/survey/{code}"


def _new_code() -> str:
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _unused in range(rules.CODE_LENGTH))


async def issue_codes(user: CurrentUser, contract_id: int, data: SurveyCodesIn) -> SurveyCodesOut:
    """The buyer's officer issues a batch of one-time codes for the contract's survey."""
    async with db.transaction():
        contract = await load_contract(contract_id, lock=True)
        if not policies.contract_reader(user, contract):
            raise NotFound(_("找不到该合同。"))
        actor = policies.assigner(user, contract).acting(user)
        if contract["status"] not in ASSIGNABLE_STATES:
            raise Conflict(_("合同生效（履行中）后才能发放社区评议问卷码。"))
        now = clock.now()
        codes: set[str] = set()
        while len(codes) < data.count:
            codes.add(_new_code())
        taken = {r["code"] for r in await SurveyCode.select(SurveyCode.code).where(SurveyCode.code.is_in(list(codes)))}
        while taken:  # 31^8 codes: a clash is rare, drawn again until none
            codes -= taken
            while len(codes) < data.count:
                codes.add(_new_code())
            taken = {
                r["code"] for r in await SurveyCode.select(SurveyCode.code).where(SurveyCode.code.is_in(list(codes)))
            }
        ordered = sorted(codes)
        await SurveyCode.insert(
            *[SurveyCode(contract=contract_id, code=c, issued_by=user.id, issued_at=now) for c in ordered]
        )
        await audit.record(
            "assessment.survey_codes_issued", "contract", contract_id, actor=actor, after={"count": data.count}
        )
    return SurveyCodesOut(
        contract_id=contract_id, issued=[SurveyCodeOut(code=c, link=survey_link(c), used=False) for c in ordered]
    )


async def list_codes(user: CurrentUser, contract_id: int) -> SurveyCodesOut:
    """Every code of the contract's survey with whether it was used (for reprinting a sheet)."""
    contract = await load_contract(contract_id)
    if not policies.contract_reader(user, contract):
        raise NotFound(_("找不到该合同。"))
    policies.assigner(user, contract).require()
    rows = await SurveyCode.select().where(SurveyCode.contract == contract_id).order_by(SurveyCode.id)
    return SurveyCodesOut(
        contract_id=contract_id,
        issued=[
            SurveyCodeOut(code=r["code"], link=survey_link(r["code"]), used=r["used_at"] is not None) for r in rows
        ],
    )


REFUSED = _("问卷码无效或已使用。每张问卷卡只能提交一次，请核对卡上的问卷码。")


async def submit_response(data: SurveyAnswerIn, ip: str = "") -> SurveyAnsweredOut:
    """A resident's answers with a one-time code, without logging in. Refused: no code, an
    unknown code, a spent code, a contract no longer running, an answer out of 1–5."""
    problems = rules.answer_problems(data.answers)
    if problems:
        raise ValidationFailed(field_errors=problems)
    code = rules.normalize_code(data.code)
    async with db.transaction():
        row = await SurveyCode.select().where(SurveyCode.code == code).first()
        if row is None:
            raise ValidationFailed(_(REFUSED), field_errors={"code": _(REFUSED)})
        contract = await load_contract(row["contract"])
        if contract["status"] not in ASSIGNABLE_STATES:
            raise Conflict(_("该项目的社区评议已结束。"))
        now = clock.now()
        spent = (
            await SurveyCode.update({SurveyCode.used_at: now})
            .where((SurveyCode.id == row["id"]) & SurveyCode.used_at.is_null())
            .returning(SurveyCode.id)
        )
        if not spent:
            raise ValidationFailed(_(REFUSED), field_errors={"code": _(REFUSED)})
        await SurveyResponse.insert(
            SurveyResponse(
                contract=row["contract"],
                code=row["id"],
                answers=json.dumps({k: data.answers[k] for k in rules.SURVEY_QUESTIONS}),
                comment=data.comment.strip(),
                submitted_at=now,
            )
        )
        await audit.record(
            "assessment.survey_answered", "contract", row["contract"], after={"code_id": row["id"], "ip": ip}
        )
    return SurveyAnsweredOut(accepted=True, message=_("感谢您的评议！您的意见已提交。"))


async def results(user: CurrentUser, contract_id: int) -> SurveyResultsOut:
    """The survey's results for the contract's readers and the agencies evaluating it."""
    contract = await load_contract(contract_id)
    if not policies.contract_reader(user, contract):
        agencies = await Assessment.select(Assessment.agency, Assessment.agency_name).where(
            Assessment.contract == contract_id
        )
        if not any(policies.evaluator(user, a) for a in agencies):
            raise NotFound(_("找不到该合同。"))
    rows = await SurveyResponse.select(SurveyResponse.answers, SurveyResponse.comment).where(
        SurveyResponse.contract == contract_id
    )
    minimum = get_settings().survey_min_responses
    summary = rules.survey_summary([json.loads(r["answers"]) for r in rows], minimum)
    return SurveyResultsOut(
        contract_id=contract_id,
        codes_issued=await SurveyCode.count().where(SurveyCode.contract == contract_id),
        responses=summary.responses,
        minimum=minimum,
        sufficient=summary.sufficient,
        satisfied_percent=None
        if summary.satisfied_permille is None
        else f"{summary.satisfied_permille // 10}.{summary.satisfied_permille % 10}",
        means={k: f"{v // 10}.{v % 10}" for k, v in summary.means_tenths.items()},
        comments=[r["comment"] for r in rows if r["comment"]],
    )
