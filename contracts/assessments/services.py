"""Third-party evaluation of a contract (issue 14 §1–§3, rules 20, 31–34): indicator
systems, assigning an agency, the provider's self-assessment, the agency's scoring with
evidence, the grade, rectification (整改) and re-evaluation, and the report.

Each use case is one transaction that locks what it changes, checks the caller's
relation (``policies``), validates everything before writing, and changes an
evaluation's status only through ``apply_transition`` (with the audit row). Finishing an
evaluation emits ``assessment.finished`` in the same transaction (payments listens).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from contracts.assessments import due as rectification_due
from contracts.assessments import evidence as evidence_files
from contracts.assessments import messages, policies, rules
from contracts.assessments.schemas import (
    AssessmentList,
    AssessmentOut,
    AssessmentReportOut,
    AssignIn,
    DimensionOut,
    DimensionScoreOut,
    EvaluationIn,
    IndicatorOut,
    IndicatorSystemIn,
    IndicatorSystemList,
    IndicatorSystemOut,
    RectificationIn,
    ReportLineOut,
    RoundOut,
    SelfAssessmentIn,
)
from contracts.assessments.seed import SEEDED
from contracts.assessments.states import ASSESSMENT_TABLE, STAGE_LABELS, AssessmentStatus, Grade, Stage
from contracts.assessments.tables import Assessment, AssessmentRound, ContractIndicators, IndicatorSystem
from contracts.delivery import services as delivery
from contracts.delivery.tables import ProgressReport
from contracts.lifecycle.states import ContractStatus
from contracts.lifecycle.tables import Contract
from procurement.accounts import services as accounts
from procurement.accounts.schemas import OrganizationOut
from procurement.core import audit, clock, db, events
from procurement.core.actors import SYSTEM
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings

FINISHED_EVENT = "assessment.finished"
AGENCY_KIND = "agency"  # accounts.states.OrgKind.AGENCY: 第三方评估机构
# Evaluations are commissioned while the contract runs.
ASSIGNABLE_STATES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)


def thresholds() -> rules.Thresholds:
    s = get_settings()
    return rules.Thresholds(excellent=s.grade_excellent_min, good=s.grade_good_min, passing=s.grade_pass_min)


def grade_label(grade: str) -> str:
    """The grade's name from the settings (rule 32: some cities say 基本合格)."""
    if not grade:
        return ""
    labels = get_settings().grade_labels.split(",")
    return labels[rules.GRADE_ORDER.index(Grade(grade))]


def _tenths_text(tenths: int | None) -> str | None:
    """A total in tenths as a score with one decimal: 855 → "85.5", 950 → "95.0"."""
    return None if tenths is None else f"{tenths // 10}.{tenths % 10}"


def _score_text(value: Any) -> str:
    parsed = rules.parse_score(value)
    return str(parsed) if parsed is not None else str(value)


# --------------------------------------------------------------------------- indicator systems


def _dimensions_out(tree: dict[str, Any]) -> list[DimensionOut]:
    return [
        DimensionOut(
            key=d["key"],
            name=d["name"],
            weight=d["weight"],
            indicators=[IndicatorOut(**i) for i in d["indicators"]],
        )
        for d in tree["dimensions"]
    ]


def system_out(row: dict[str, Any], latest: bool) -> IndicatorSystemOut:
    return IndicatorSystemOut(
        id=row["id"],
        name=row["name"],
        version=row["version"],
        latest=latest,
        description=row["description"],
        dimensions=_dimensions_out(json.loads(row["tree"])),
        created_at=row["created_at"],
    )


async def seed_systems() -> int:
    """The seeded indicator systems whose name is not there yet (demo and tests); how many were added."""
    added = 0
    async with db.transaction():
        for system in SEEDED:
            if await IndicatorSystem.exists().where(IndicatorSystem.name == system["name"]):
                continue
            assert rules.tree_problems(system["tree"]) == {}
            await IndicatorSystem.insert(
                IndicatorSystem(
                    name=system["name"],
                    version=1,
                    description=system["description"],
                    tree=json.dumps(rules.normalized(system["tree"]), ensure_ascii=False),
                    created_by=None,
                    created_at=clock.now(),
                )
            )
            added += 1
    return added


async def list_indicator_systems(user: CurrentUser) -> IndicatorSystemList:
    """Every version of every indicator system, newest version first within a name; any
    signed-in user may read them (the criteria are not secret)."""
    rows = (
        await IndicatorSystem.select().order_by(IndicatorSystem.name).order_by(IndicatorSystem.version, ascending=False)
    )
    latest: dict[str, int] = {}
    for r in rows:
        latest.setdefault(r["name"], r["version"])
    return IndicatorSystemList(items=[system_out(r, latest[r["name"]] == r["version"]) for r in rows])


async def create_indicator_system(user: CurrentUser, data: IndicatorSystemIn) -> IndicatorSystemOut:
    """A new indicator system, or a new version of one with the same name; a version is
    never changed once saved, and contracts keep the copy they were given. Weights add up
    to 100 at every level (rules.tree_problems)."""
    policies.system_editor(user).require()
    tree = {"dimensions": [d.model_dump() for d in data.dimensions]}
    problems = rules.tree_problems(tree)
    if problems:
        raise ValidationFailed(field_errors=problems)
    return await insert_indicator_version(
        user, data.name.strip(), data.description.strip(), tree, action=CREATED, base_version=None, note={}
    )


CREATED, EDITED, IMPORTED = "created", "edited", "imported"  # how a version came (its audit action)
TABLE = "assessment_indicator_system"


async def insert_indicator_version(
    user: CurrentUser,
    name: str,
    description: str,
    tree: dict[str, Any],
    *,
    action: str,
    base_version: int | None,
    note: dict[str, Any],
) -> IndicatorSystemOut:
    """The next version of ``name`` (version 1 of a new name), with its audit row, in one
    transaction. ``base_version``: the newest version the editor saw (0: the name must be
    new); a newer one saved meanwhile is a Conflict, so no edit silently undoes another."""
    actor = policies.system_editor(user).acting(user)
    assert rules.tree_problems(tree) == {}
    async with db.transaction():
        await db.lock(IndicatorSystem, IndicatorSystem.name == name)
        last = (
            await IndicatorSystem.select(IndicatorSystem.version)
            .where(IndicatorSystem.name == name)
            .order_by(IndicatorSystem.version, ascending=False)
            .first()
        )
        newest = 0 if last is None else last["version"]
        if base_version == 0 and newest:
            raise ValidationFailed(
                field_errors={
                    "name": _(
                        "已有名为「{name}」的指标体系：请在它的页面上修改（保存即为新版本），或换一个名称。"
                    ).format(name=name)
                }
            )
        if base_version is not None and newest != base_version:
            raise Conflict(
                _("「{name}」在您修改期间已保存了第 {v} 版，本次修改没有保存：请打开最新版本后再修改。").format(
                    name=name, v=newest
                )
            )
        version = newest + 1
        try:
            inserted = await IndicatorSystem.insert(
                IndicatorSystem(
                    name=name,
                    version=version,
                    description=description,
                    tree=json.dumps(rules.normalized(tree), ensure_ascii=False),
                    created_by=user.id,
                    created_at=clock.now(),
                )
            ).returning(IndicatorSystem.id)
        except Exception as exc:
            if db.is_unique_violation(exc):
                raise Conflict(_("同名指标体系刚刚由他人保存了新版本，请刷新后重试。")) from None
            raise
        system_id = inserted[0]["id"]
        after = {"name": name, "version": version, **note}
        # Literal action names, each with its label in procurement/system/audit_labels.py.
        if action == EDITED:
            await audit.record("assessment.indicator_system_edited", TABLE, system_id, actor=actor, after=after)
        elif action == IMPORTED:
            await audit.record("assessment.indicator_system_imported", TABLE, system_id, actor=actor, after=after)
        else:
            await audit.record("assessment.indicator_system_created", TABLE, system_id, actor=actor, after=after)
        row = await IndicatorSystem.select().where(IndicatorSystem.id == system_id).first()
    assert row is not None
    return system_out(row, True)


# --------------------------------------------------------------------------- reading


async def load_contract(contract_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = await delivery.contract_row(contract_id, lock=lock)
    if row is None:
        raise NotFound(_("找不到该合同。"))
    return row


async def _assessment(contract_id: int, assessment_id: int, *, lock: bool = False) -> dict[str, Any]:
    where = (Assessment.id == assessment_id) & (Assessment.contract == contract_id)
    if lock:
        await db.lock(Assessment, where)
    row = await Assessment.select().where(where).first()
    if row is None:
        raise NotFound(_("找不到该评估。"))
    return row


async def _copy(contract_id: int) -> dict[str, Any]:
    row = await ContractIndicators.select().where(ContractIndicators.contract == contract_id).first()
    if row is None:  # every assessment is assigned with its contract's copy
        raise NotFound(_("该合同尚未选定评估指标体系。"))
    return row


def _visible(user: CurrentUser, contract: dict[str, Any], row: dict[str, Any]) -> None:
    """404 for anyone who may not read the evaluation (its existence is not revealed)."""
    decision = policies.assessment_reader(user, contract, row)
    if not decision:
        raise NotFound(decision.reason)


async def _readable(user: CurrentUser, contract_id: int, assessment_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    contract = await load_contract(contract_id)
    row = await _assessment(contract_id, assessment_id)
    _visible(user, contract, row)
    return contract, row


async def _rounds(assessment_id: int) -> list[dict[str, Any]]:
    return (
        await AssessmentRound.select()
        .where(AssessmentRound.assessment == assessment_id)
        .order_by(AssessmentRound.round)
    )


def _actions(user: CurrentUser, contract: dict[str, Any], row: dict[str, Any]) -> list[str]:
    actions: list[str] = []
    for decision in (policies.self_assessor(user, contract), policies.evaluator(user, row)):
        if decision:
            actions += ASSESSMENT_TABLE.actions_for(row["status"], decision.acting(user))
    return actions


def _out(
    user: CurrentUser, contract: dict[str, Any], row: dict[str, Any], copy: dict[str, Any], rounds: list[dict[str, Any]]
) -> AssessmentOut:
    tree = json.loads(copy["tree"])
    dims = rules.parse_tree(tree)
    self_scores = json.loads(row["self_scores"])
    return AssessmentOut(
        id=row["id"],
        contract_id=contract["id"],
        contract_title=contract["title"],
        stage=row["stage"],
        stage_label=STAGE_LABELS[row["stage"]],
        agency_id=row["agency"],
        agency_name=row["agency_name"],
        status=row["status"],
        status_label=ASSESSMENT_TABLE.staff_label(row["status"]),
        due_on=row["due_on"],
        independence=json.loads(row["independence"]),
        system_name=copy["system_name"],
        system_version=copy["system_version"],
        dimensions=_dimensions_out(tree),
        self_scores=self_scores,
        self_notes=json.loads(row["self_notes"]),
        self_summary=row["self_summary"],
        self_score=_tenths_text(rules.weighted_total_tenths(dims, self_scores)) if self_scores else None,
        self_submitted_at=row["self_submitted_at"],
        score=_tenths_text(row["score_tenths"]),
        score_tenths=row["score_tenths"],
        grade=row["grade"],
        grade_label=grade_label(row["grade"]),
        finished_at=row["finished_at"],
        rectification_due_on=row["rectification_due_on"],
        rectification_report=row["rectification_report"],
        rectification_overdue_at=row["rectification_overdue_at"],
        rounds=[
            RoundOut(
                round=r["round"],
                scores=json.loads(r["scores"]),
                notes=json.loads(r["notes"]),
                opinion=r["opinion"],
                score=_tenths_text(r["score_tenths"]) or "0",
                score_tenths=r["score_tenths"],
                grade=r["grade"],
                grade_label=grade_label(r["grade"]),
                grade_reasons=json.loads(r["grade_reasons"]),
                evaluated_at=r["evaluated_at"],
            )
            for r in rounds
        ],
        actions=_actions(user, contract, row),
    )


async def get_assessment(user: CurrentUser, contract_id: int, assessment_id: int) -> AssessmentOut:
    contract, row = await _readable(user, contract_id, assessment_id)
    return _out(user, contract, row, await _copy(contract_id), await _rounds(assessment_id))


async def list_assessments(user: CurrentUser, contract_id: int) -> AssessmentList:
    """A contract's evaluations for its readers; an agency's evaluator sees only its own."""
    contract = await load_contract(contract_id)
    rows = await Assessment.select().where(Assessment.contract == contract_id).order_by(Assessment.id)
    visible = [r for r in rows if policies.assessment_reader(user, contract, r)]
    if not visible and not policies.contract_reader(user, contract):
        raise NotFound(_("找不到该合同。"))
    if not visible:
        return AssessmentList(items=[])
    copy = await _copy(contract_id)
    return AssessmentList(items=[_out(user, contract, r, copy, await _rounds(r["id"])) for r in visible])


async def agency_queue(user: CurrentUser) -> AssessmentList:
    """The evaluations assigned to the evaluator's agency (the agency's workspace)."""
    rows = await Assessment.select().where(Assessment.agency == (user.organization_id or 0)).order_by(Assessment.due_on)
    items = []
    for r in rows:
        if not policies.evaluator(user, r):
            continue
        contract = await load_contract(r["contract"])
        items.append(_out(user, contract, r, await _copy(r["contract"]), await _rounds(r["id"])))
    return AssessmentList(items=items)


async def final_graded(contract_id: int) -> bool:
    """The contract's final evaluation is finished with a grade (rule 33): what the
    lifecycle's completion waits for, with the settled payments. An evaluation in
    rectification or waiting for its re-evaluation is not finished."""
    row = (
        await Assessment.select(Assessment.status, Assessment.grade)
        .where((Assessment.contract == contract_id) & (Assessment.stage == Stage.FINAL))
        .first()
    )
    return row is not None and row["status"] == AssessmentStatus.FINISHED and bool(row["grade"])


# --------------------------------------------------------------------------- assignment


async def _past_contracts(agency_id: int, provider_id: int) -> list[rules.PastContract]:
    """Contracts between the agency and the provider, either way round (rule 20's
    business relation), with the Beijing day they were signed (or drawn up)."""
    pair = [agency_id, provider_id]
    rows = await Contract.select(
        Contract.buyer, Contract.provider, Contract.signed_at, Contract.created_at, Contract.title
    ).where(Contract.buyer.is_in(pair) & Contract.provider.is_in(pair))
    return [
        rules.PastContract(
            buyer_id=r["buyer"],
            provider_id=r["provider"],
            on=clock.to_local(r["signed_at"] or r["created_at"]).date(),
            title=r["title"],
        )
        for r in rows
    ]


def _party(org: OrganizationOut) -> rules.Party:
    return rules.Party(
        id=org.id,
        name=org.name,
        kind=str(org.kind),
        parent_id=org.parent_id,
        legal_representative=org.legal_representative,
    )


def _checked(agency: OrganizationOut, provider: OrganizationOut) -> list[str]:
    """What the independence check looked at, kept on the assessment for the record."""
    return [
        _("评估机构不是服务机构本身（{agency} / {provider}）。").format(agency=agency.name, provider=provider.name),
        _("负责人不同（{a} / {p}）。").format(
            a=agency.legal_representative or "—", p=provider.legal_representative or "—"
        ),
        _("双方无隶属或控制关系。"),
        _("近 {years} 年内双方无合同往来。").format(years=rules.RELATION_YEARS),
    ]


async def _ensure_copy(contract_id: int, system_id: int | None) -> dict[str, Any]:
    """The contract's copy of its indicator system, made now from ``system_id`` if it has
    none; the copy never changes afterwards (a new version of the system leaves it)."""
    copy = await ContractIndicators.select().where(ContractIndicators.contract == contract_id).first()
    if copy is not None:
        if system_id is not None and system_id != copy["system"]:
            raise Conflict(
                _("本合同已采用指标体系「{name}」（第 {version} 版），各次评估须使用同一指标体系。").format(
                    name=copy["system_name"], version=copy["system_version"]
                )
            )
        return copy
    if system_id is None:
        raise ValidationFailed(field_errors={"system_id": _("本合同首次委托评估，请选择评估指标体系。")})
    system = await IndicatorSystem.select().where(IndicatorSystem.id == system_id).first()
    if system is None:
        raise ValidationFailed(field_errors={"system_id": _("找不到该评估指标体系。")})
    await ContractIndicators.insert(
        ContractIndicators(
            contract=contract_id,
            system=system_id,
            system_name=system["name"],
            system_version=system["version"],
            tree=system["tree"],
            copied_at=clock.now(),
        )
    )
    fresh = await ContractIndicators.select().where(ContractIndicators.contract == contract_id).first()
    assert fresh is not None
    return fresh


async def assign_evaluation(user: CurrentUser, contract_id: int, data: AssignIn) -> AssessmentOut:
    """The buyer's officer commissions a third-party agency (第三方评估机构) to evaluate the
    contract at a stage (rule 31). The agency must be independent of the provider (rules
    20, 34: not the provider, not the same head, no control link, no contract between
    them in the last 3 years), refused with the reasons otherwise. Due dates (rule 33):
    the mid-term at the midpoint of the term, the final about a month before its end (a
    setting), unless set. One mid-term and one final per contract; spot checks as needed.
    The first assignment copies the chosen indicator system onto the contract."""
    async with db.transaction():
        contract = await load_contract(contract_id, lock=True)
        if not policies.contract_reader(user, contract):
            raise NotFound(_("找不到该合同。"))
        actor = policies.assigner(user, contract).acting(user)
        if contract["status"] not in ASSIGNABLE_STATES:
            raise Conflict(_("合同生效（履行中）后才能委托第三方评估。"))
        if contract["term_start"] is None or contract["term_end"] is None:
            raise Conflict(_("合同未写明履行期限，无法确定评估日期；请先补充履行期限。"))
        if data.stage != Stage.SPOT and await Assessment.exists().where(
            (Assessment.contract == contract_id) & (Assessment.stage == data.stage)
        ):
            raise Conflict(_("本合同已委托过{stage}，不能重复委托。").format(stage=STAGE_LABELS[data.stage]))
        today = clock.today_local()
        problems = rules.due_problems(data.stage, data.due_on, contract["term_end"], today)
        if problems:
            raise ValidationFailed(field_errors=problems)
        try:
            agency = await accounts.organization_record(data.agency_id)
        except NotFound:
            raise ValidationFailed(field_errors={"agency_id": _("找不到该评估机构。")}) from None
        provider = await accounts.organization_record(contract["provider"])
        reasons = rules.independence_problems(
            _party(agency),
            _party(provider),
            await _past_contracts(agency.id, provider.id),
            today,
            agency_kind=AGENCY_KIND,
        )
        if reasons:
            raise ValidationFailed(
                _("该评估机构与服务机构不独立，不能委托：{reasons}").format(reasons="；".join(reasons)),
                field_errors={"agency_id": "；".join(reasons)},
            )
        due_on = data.due_on or rules.default_due(
            data.stage, contract["term_start"], contract["term_end"], get_settings().evaluation_final_days_before_end
        )
        assert due_on is not None  # a spot check without a date was refused above
        copy = await _ensure_copy(contract_id, data.system_id)
        now = clock.now()
        try:
            inserted = await Assessment.insert(
                Assessment(
                    contract=contract_id,
                    stage=data.stage,
                    agency=agency.id,
                    agency_name=agency.name,
                    status=AssessmentStatus.ASSIGNED,
                    due_on=due_on,
                    next_check_at=rectification_due.reminder_check(AssessmentStatus.ASSIGNED, due_on, None, now),
                    independence=json.dumps(_checked(agency, provider), ensure_ascii=False),
                    assigned_by=user.id,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(Assessment.id)
        except Exception as exc:
            if db.is_unique_violation(exc):
                raise Conflict(
                    _("本合同已委托过{stage}，不能重复委托。").format(stage=STAGE_LABELS[data.stage])
                ) from None
            raise
        assessment_id = inserted[0]["id"]
        await audit.record(
            "assessment.assigned",
            "assessment",
            assessment_id,
            actor=actor,
            after={
                "contract_id": contract_id,
                "stage": data.stage,
                "agency_id": agency.id,
                "due_on": due_on.isoformat(),
                "system": copy["system_name"],
                "system_version": copy["system_version"],
            },
        )
        row = await _assessment(contract_id, assessment_id)
        await messages.tell_assigned(contract, row, STAGE_LABELS[row["stage"]])
    return _out(user, contract, row, copy, [])


# --------------------------------------------------------------------------- self-assessment


async def submit_self_assessment(
    user: CurrentUser, contract_id: int, assessment_id: int, data: SelfAssessmentIn
) -> AssessmentOut:
    """The provider's self-assessment comes first (issue 14 §3): a score for every
    indicator of the contract's copy, notes and a self-assessment report."""
    async with db.transaction():
        contract = await load_contract(contract_id, lock=True)
        row = await _assessment(contract_id, assessment_id, lock=True)
        _visible(user, contract, row)
        actor = policies.self_assessor(user, contract).acting(user)
        ASSESSMENT_TABLE.decide(row["status"], "self_assess", actor)
        copy = await _copy(contract_id)
        dims = rules.parse_tree(json.loads(copy["tree"]))
        problems = rules.score_problems(dims, data.scores, data.notes, notes_required=False)
        if problems:
            raise ValidationFailed(field_errors=problems)
        scores = {k: _score_text(v) for k, v in data.scores.items()}
        now = clock.now()
        await apply_transition(
            ASSESSMENT_TABLE,
            Assessment,
            assessment_id,
            row["status"],
            "self_assess",
            actor,
            values={
                Assessment.self_scores: json.dumps(scores, ensure_ascii=False),
                Assessment.self_notes: json.dumps({k: v.strip() for k, v in data.notes.items()}, ensure_ascii=False),
                Assessment.self_summary: data.summary.strip(),
                Assessment.self_submitted_at: now,
                Assessment.updated_at: now,
            },
            after={"contract_id": contract_id, "self_score_tenths": rules.weighted_total_tenths(dims, scores)},
        )
        fresh = await _assessment(contract_id, assessment_id)
    return _out(user, contract, fresh, copy, [])


# --------------------------------------------------------------------------- the agency's evaluation


async def _report_records(contract_id: int) -> list[rules.ReportRecord]:
    """The contract's progress reports as rule 33 sees them (their fixed due days and
    first submissions), read from contracts.delivery's rows."""
    await delivery.ensure_schedule(await load_contract(contract_id))
    rows = await ProgressReport.select(
        ProgressReport.seq, ProgressReport.due_on, ProgressReport.first_submitted_at
    ).where(ProgressReport.contract == contract_id)
    return [
        rules.ReportRecord(
            seq=r["seq"],
            due_on=r["due_on"],
            submitted_on=clock.to_local(r["first_submitted_at"]).date() if r["first_submitted_at"] else None,
        )
        for r in rows
    ]


async def submit_evaluation(
    user: CurrentUser, contract_id: int, assessment_id: int, data: EvaluationIn
) -> AssessmentOut:
    """The assigned agency's evaluator scores every indicator with its evidence note and an
    opinion (after the self-assessment, or after the provider reported its rectification:
    a re-evaluation, a new round). The weighted total gives the grade (rule 32, settings);
    a mid-term with a missing or late progress report is 不合格 (rule 33). A grade that
    calls for rectification moves the evaluation on to 整改中 with a deadline. Emits
    ``assessment.finished`` (stage, grade, score × 10) for payments."""
    async with db.transaction():
        contract = await load_contract(contract_id, lock=True)
        row = await _assessment(contract_id, assessment_id, lock=True)
        _visible(user, contract, row)
        actor = policies.evaluator(user, row).acting(user)
        action = "reevaluate" if row["status"] == AssessmentStatus.REEVALUATING else "evaluate"
        ASSESSMENT_TABLE.decide(row["status"], action, actor)
        copy = await _copy(contract_id)
        dims = rules.parse_tree(json.loads(copy["tree"]))
        problems = rules.score_problems(dims, data.scores, data.notes, notes_required=True)
        if problems:
            raise ValidationFailed(field_errors=problems)
        total = rules.weighted_total_tenths(dims, data.scores)
        today = clock.today_local()
        failures = rules.report_failures(row["stage"], await _report_records(contract_id), row["due_on"], today)
        grade = Grade.FAIL if failures else rules.grade_of(total, thresholds())
        reasons = [_("中期进度报告缺报或迟报，评估等级按不合格计。"), *failures] if failures else []
        now = clock.now()
        round_no = row["rounds"] + 1
        await AssessmentRound.insert(
            AssessmentRound(
                assessment=assessment_id,
                round=round_no,
                scores=json.dumps({k: _score_text(v) for k, v in data.scores.items()}, ensure_ascii=False),
                notes=json.dumps({k: v.strip() for k, v in data.notes.items()}, ensure_ascii=False),
                opinion=data.opinion.strip(),
                score_tenths=total,
                grade=grade,
                grade_reasons=json.dumps(reasons, ensure_ascii=False),
                evaluated_by=user.id,
                evaluated_at=now,
            )
        )
        status = await apply_transition(
            ASSESSMENT_TABLE,
            Assessment,
            assessment_id,
            row["status"],
            action,
            actor,
            values={
                Assessment.rounds: round_no,
                Assessment.score_tenths: total,
                Assessment.grade: grade,
                Assessment.finished_at: now,
                Assessment.rectification_due_on: None,
                Assessment.rectification_overdue_at: None,
                Assessment.next_check_at: None,
                Assessment.updated_at: now,
            },
            guard=Assessment.rounds == row["rounds"],
            after={"contract_id": contract_id, "round": round_no, "score_tenths": total, "grade": grade},
        )
        settings = get_settings()
        if rules.calls_for_rectification(grade, settings.grade_rectify_at_or_below):
            due = today + timedelta(days=settings.evaluation_rectification_days)
            await apply_transition(
                ASSESSMENT_TABLE,
                Assessment,
                assessment_id,
                status,
                "require_rectification",
                SYSTEM,
                values={
                    Assessment.rectification_due_on: due,
                    Assessment.next_check_at: rectification_due.next_check(due, reported=False, flagged=False),
                    Assessment.updated_at: now,
                },
                after={"contract_id": contract_id, "grade": grade, "due_on": due.isoformat()},
            )
        await events.emit(
            FINISHED_EVENT,
            contract_id=contract_id,
            assessment_id=assessment_id,
            stage=row["stage"],
            grade=str(grade),
            score_tenths=total,
            finished_at=now,
        )
        fresh = await _assessment(contract_id, assessment_id)
        rounds = await _rounds(assessment_id)
        await messages.tell_result(
            contract, fresh, STAGE_LABELS[row["stage"]], _tenths_text(total) or "", grade_label(grade)
        )
    return _out(user, contract, fresh, copy, rounds)


async def report_rectification(
    user: CurrentUser, contract_id: int, assessment_id: int, data: RectificationIn
) -> AssessmentOut:
    """The provider reports what it rectified (整改情况); the agency then evaluates again."""
    async with db.transaction():
        contract = await load_contract(contract_id, lock=True)
        row = await _assessment(contract_id, assessment_id, lock=True)
        _visible(user, contract, row)
        actor = policies.self_assessor(user, contract).acting(user)
        now = clock.now()
        await apply_transition(
            ASSESSMENT_TABLE,
            Assessment,
            assessment_id,
            row["status"],
            "report_rectification",
            actor,
            values={
                Assessment.rectification_report: data.report.strip(),
                Assessment.rectification_reported_at: now,
                Assessment.next_check_at: None,
                Assessment.updated_at: now,
            },
            after={"contract_id": contract_id, "late": _late(row["rectification_due_on"])},
        )
        fresh = await _assessment(contract_id, assessment_id)
        copy = await _copy(contract_id)
        rounds = await _rounds(assessment_id)
    return _out(user, contract, fresh, copy, rounds)


def _late(due_on: Any) -> bool:
    return due_on is not None and clock.today_local() > due_on


# --------------------------------------------------------------------------- the report


async def assessment_report(user: CurrentUser, contract_id: int, assessment_id: int) -> AssessmentReportOut:
    """The evaluation report (评估报告) of the latest round: the tree with weights, the
    self-assessed and the agency's scores, the evidence notes, each dimension's score,
    the weighted total and the grade, with the reasons when rule 33 set it."""
    contract, row = await _readable(user, contract_id, assessment_id)
    rounds = await _rounds(assessment_id)
    if not rounds:
        raise Conflict(_("评估机构尚未提交评估结果，暂无评估报告。"))
    last = rounds[-1]
    copy = await _copy(contract_id)
    dims = rules.parse_tree(json.loads(copy["tree"]))
    scores = json.loads(last["scores"])
    notes = json.loads(last["notes"])
    self_scores = json.loads(row["self_scores"])
    per_dim = rules.dimension_totals(dims, scores)
    return AssessmentReportOut(
        assessment_id=assessment_id,
        contract_id=contract_id,
        contract_number=contract["number"],
        contract_title=contract["title"],
        buyer_name=contract["buyer_name"],
        provider_name=contract["provider_name"],
        agency_name=row["agency_name"],
        stage_label=STAGE_LABELS[row["stage"]],
        system_name=copy["system_name"],
        system_version=copy["system_version"],
        round=last["round"],
        lines=[
            ReportLineOut(
                dimension=d.name,
                dimension_weight=d.weight,
                indicator=i.name,
                indicator_weight=i.weight,
                guidance=i.guidance,
                self_score=self_scores.get(i.key),
                score=scores[i.key],
                evidence=notes.get(i.key, ""),
            )
            for d in dims
            for i in d.indicators
        ],
        dimensions=[DimensionScoreOut(name=d.name, weight=d.weight, score=str(per_dim[d.key])) for d in dims],
        score=_tenths_text(last["score_tenths"]) or "0",
        grade_label=grade_label(last["grade"]),
        grade_reasons=json.loads(last["grade_reasons"]),
        opinion=last["opinion"],
        evaluated_at=last["evaluated_at"],
        rectification_due_on=row["rectification_due_on"],
        evidence=await evidence_files.report_evidence(contract_id, row, last["round"], dims),
    )
