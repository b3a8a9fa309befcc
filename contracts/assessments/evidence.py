"""Evidence files of an evaluation (佐证材料, issue 14 §3: "the agency's evaluators score
each indicator with evidence notes and attachments").

The assigned agency's evaluator attaches files to the round it is scoring (while the
evaluation waits for its scoring or its re-scoring), for one indicator of the contract's
copy or for the round as a whole: PDF, JPG, PNG, DOCX or XLSX, checked by their content
and stored by their SHA-256 through ``procurement.core.storage`` (as the progress
reports' attachments). A bad file is refused with the reason and nothing is written.
Submitting the round freezes its files; before that the evaluator may remove one.
Who may download: ``policies.evidence_reader`` (the bureau, the agency, the provider
after the result). The evaluation report lists the files up to its round.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from contracts.assessments import policies, rules
from contracts.assessments.schemas import EvidenceIn, EvidenceList, EvidenceOut
from contracts.assessments.states import AssessmentStatus
from contracts.assessments.tables import Assessment, AssessmentEvidence, ContractIndicators
from contracts.delivery import services as delivery
from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.storage import FileStore
from procurement.settings import get_settings

TYPES = ("pdf", "jpg", "png", "docx", "xlsx")
MAX_PER_ROUND = 60
# The evaluation is waiting for the agency's scoring: the files go to the coming round.
SCORING = (AssessmentStatus.SELF_ASSESSED, AssessmentStatus.REEVALUATING)


def file_store() -> FileStore:
    settings = get_settings()
    return FileStore(
        settings.files_dir, max_bytes=settings.evaluation_evidence_max_mb * 1024 * 1024, allowed_types=TYPES
    )


async def _context(
    contract_id: int, assessment_id: int, *, lock: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    contract = await delivery.contract_row(contract_id, lock=lock)
    if contract is None:
        raise NotFound(_("找不到该合同。"))
    where = (Assessment.id == assessment_id) & (Assessment.contract == contract_id)
    if lock:
        await db.lock(Assessment, where)
    row = await Assessment.select().where(where).first()
    if row is None:
        raise NotFound(_("找不到该评估。"))
    return contract, row


async def _readable(
    user: CurrentUser, contract_id: int, assessment_id: int, *, lock: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    contract, row = await _context(contract_id, assessment_id, lock=lock)
    decision = policies.assessment_reader(user, contract, row)
    if not decision:
        raise NotFound(decision.reason)
    return contract, row


async def _indicator_names(contract_id: int) -> dict[str, str]:
    copy = await ContractIndicators.select(ContractIndicators.tree).where(ContractIndicators.contract == contract_id)
    if not copy:
        return {}
    return {i.key: i.name for d in rules.parse_tree(json.loads(copy[0]["tree"])) for i in d.indicators}


def _out(contract_id: int, row: dict[str, Any], assessment: dict[str, Any], names: dict[str, str]) -> EvidenceOut:
    return EvidenceOut(
        id=row["id"],
        round=row["round"],
        indicator_key=row["indicator_key"],
        indicator_name=names.get(row["indicator_key"], ""),
        name=row["name"],
        type=row["type"],
        size=row["size"],
        sha256=row["sha256"],
        uploaded_at=row["uploaded_at"],
        submitted=row["round"] <= assessment["rounds"],
        url=f"/api/v1/contracts/{contract_id}/assessments/{assessment['id']}/evidence/{row['id']}",
    )


async def list_evidence(user: CurrentUser, contract_id: int, assessment_id: int) -> EvidenceList:
    """The evaluation's files the caller may open, by round and indicator."""
    contract, row = await _readable(user, contract_id, assessment_id)
    rows = (
        await AssessmentEvidence.select()
        .where(AssessmentEvidence.assessment == assessment_id)
        .order_by(AssessmentEvidence.round)
        .order_by(AssessmentEvidence.id)
    )
    names = await _indicator_names(contract_id)
    return EvidenceList(
        items=[
            _out(contract_id, r, row, names) for r in rows if policies.evidence_reader(user, contract, row, r["round"])
        ]
    )


def _decoded(data: EvidenceIn) -> bytes:
    try:
        return base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("文件「{name}」内容无法读取，请重新上传。").format(name=data.filename[:60]),
            field_errors={"content_base64": _("文件内容无法读取，请重新上传。")},
        ) from None


async def add_evidence(user: CurrentUser, contract_id: int, assessment_id: int, data: EvidenceIn) -> EvidenceOut:
    """The assigned agency's evaluator attaches a file to the round it is scoring. The file
    is checked (name, size, type by content, Office package) before anything is written."""
    content = _decoded(data)
    store = file_store()
    stored = await asyncio.to_thread(store.check, content, data.filename)
    key = data.indicator_key.strip()
    async with db.transaction():
        contract, row = await _readable(user, contract_id, assessment_id, lock=True)
        actor = policies.evaluator(user, row).acting(user)
        if row["status"] not in SCORING:
            raise Conflict(_("只能在评估或复评期间（提交评估结果之前）上传佐证材料。"))
        names = await _indicator_names(contract_id)
        if key and key not in names:
            raise ValidationFailed(
                field_errors={"indicator_key": _("指标体系中没有编号为 {key} 的指标。").format(key=key)}
            )
        round_no = row["rounds"] + 1
        already = await AssessmentEvidence.count().where(
            (AssessmentEvidence.assessment == assessment_id) & (AssessmentEvidence.round == round_no)
        )
        if already >= MAX_PER_ROUND:
            raise Conflict(_("每轮评估最多上传 {n} 个佐证材料。").format(n=MAX_PER_ROUND))
        await asyncio.to_thread(store.save_blob, content)
        inserted = await AssessmentEvidence.insert(
            AssessmentEvidence(
                assessment=assessment_id,
                round=round_no,
                indicator_key=key,
                sha256=stored.sha256,
                name=stored.original_name,
                type=stored.type,
                size=stored.size,
                uploaded_by=user.id,
                uploaded_at=clock.now(),
            )
        ).returning(AssessmentEvidence.id)
        evidence_id = inserted[0]["id"]
        await audit.record(
            "assessment.evidence_added",
            "assessment",
            assessment_id,
            actor=actor,
            after={
                "contract_id": contract_id,
                "evidence_id": evidence_id,
                "round": round_no,
                "indicator_key": key,
                "name": stored.original_name,
                "sha256": stored.sha256,
                "size": stored.size,
            },
        )
        fresh = await AssessmentEvidence.select().where(AssessmentEvidence.id == evidence_id).first()
    assert fresh is not None
    return _out(contract_id, fresh, row, names)


async def _evidence_row(assessment_id: int, evidence_id: int) -> dict[str, Any]:
    row = (
        await AssessmentEvidence.select()
        .where((AssessmentEvidence.id == evidence_id) & (AssessmentEvidence.assessment == assessment_id))
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该佐证材料。"))
    return row


async def remove_evidence(user: CurrentUser, contract_id: int, assessment_id: int, evidence_id: int) -> EvidenceList:
    """The evaluator removes a file of the round not yet submitted (a submitted round's files stay)."""
    async with db.transaction():
        _contract, row = await _readable(user, contract_id, assessment_id, lock=True)
        actor = policies.evaluator(user, row).acting(user)
        item = await _evidence_row(assessment_id, evidence_id)
        if item["round"] <= row["rounds"] or row["status"] not in SCORING:
            raise Conflict(_("本轮评估结果已提交，佐证材料不能再删除。"))
        await AssessmentEvidence.delete().where(AssessmentEvidence.id == evidence_id)
        await audit.record(
            "assessment.evidence_removed",
            "assessment",
            assessment_id,
            actor=actor,
            before={"evidence_id": evidence_id, "round": item["round"], "name": item["name"], "sha256": item["sha256"]},
        )
    return await list_evidence(user, contract_id, assessment_id)


async def download(user: CurrentUser, contract_id: int, assessment_id: int, evidence_id: int) -> tuple[bytes, str]:
    """A file of evidence for those allowed to open it: (bytes, name)."""
    contract, row = await _readable(user, contract_id, assessment_id)
    item = await _evidence_row(assessment_id, evidence_id)
    policies.evidence_reader(user, contract, row, item["round"]).require()
    data = await asyncio.to_thread(file_store().read, item["sha256"])
    return data, item["name"]


async def report_evidence(
    contract_id: int, assessment: dict[str, Any], round_no: int, dimensions: Sequence[rules.Dimension]
) -> list[EvidenceOut]:
    """The files of the rounds up to ``round_no``, in the order of the tree (the report's
    evidence list; the report's reader was checked by the caller)."""
    rows = await AssessmentEvidence.select().where(
        (AssessmentEvidence.assessment == assessment["id"]) & (AssessmentEvidence.round <= round_no)
    )
    names = {i.key: i.name for d in dimensions for i in d.indicators}
    order = {k: n for n, k in enumerate(["", *names])}
    rows.sort(key=lambda r: (r["round"], order.get(r["indicator_key"], len(order)), r["id"]))
    return [_out(contract_id, r, assessment, names) for r in rows]
