"""The contract document of a real contract (issue 12 §2): the frozen text of its
current version, turned into a ``ContractDocumentIn`` and issued as the platform's
signed PDF (rendered once, then served from the content-keyed cache).

Only a frozen version is issued: the document template has no 草稿 mark, and a
draft may still change, so a PDF of it would be a document nobody signed. The
version is frozen when the first party signs it (rule 28), or when the officer
records a paper signing.

Read-only: it reads the contract through ``services.readable`` (the reader
policy: the buyer's staff, the provider's members, administrators; 404 for
anyone else) and the frozen snapshot the signing services wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from contracts.documents.documents import issue_contract_pdf
from contracts.documents.schemas import (
    BuyerParty,
    ContractDocumentIn,
    Grade,
    Indicator,
    Installment,
    PaymentGate,
    ProviderParty,
    TeamMember,
    TeamRequirement,
)
from contracts.documents.schemas import ContractKind as DocumentKind
from contracts.documents.templates import default_for
from contracts.lifecycle import services
from contracts.lifecycle.tables import ContractVersion
from procurement.accounts import services as accounts
from procurement.core import clock
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict
from procurement.core.i18n import N_, Labels, _
from procurement.tenders import services as tenders
from procurement.tenders.schemas import WORKER_LEVEL_LABELS, WorkerLevel

_GATES = {
    "signing": PaymentGate.ON_SIGNING,
    "midterm": PaymentGate.MIDTERM,
    "final": PaymentGate.FINAL,
    "date": PaymentGate.ON_DATE,
}
TEAM_ROLES = Labels({"lead": N_("项目负责人"), "member": N_("成员"), "supervisor": N_("督导")})
_BLANK = "—"


@dataclass(frozen=True)
class IssuedPdf:
    content: bytes
    pdf_sha256: str
    text_sha256: str
    filename: str


async def frozen_versions(user: CurrentUser, contract_id: int) -> list[dict[str, Any]]:
    """The frozen versions of a contract the user may read, oldest first: the number, the
    SHA-256 of the text the parties signed (``sha256``), when it was frozen, and the text
    fingerprint printed on its PDF (``document_sha256``, what /verify/contracts reports)."""
    row = await services.readable(user, contract_id)
    versions = (
        await ContractVersion.select().where(ContractVersion.contract == contract_id).order_by(ContractVersion.version)
    )
    return [
        {
            "version": v["version"],
            "sha256": v["sha256"],
            "frozen_at": v["frozen_at"],
            "document_sha256": (await document_of(row, v)).text_sha256(),
        }
        for v in versions
    ]


def _text(value: Any) -> str:
    return str(value or "").strip() or _BLANK


def _team_requirements(raw: dict[str, Any]) -> tuple[TeamRequirement, ...]:
    posts = []
    level = raw.get("lead_min_level") or "none"
    posts.append(
        TeamRequirement(
            role=_("项目负责人"),
            count=1,
            qualification=WORKER_LEVEL_LABELS[WorkerLevel(level)] if level != "none" else "",
        )
    )
    if raw.get("min_licensed_workers"):
        posts.append(TeamRequirement(role=_("持证社工"), count=int(raw["min_licensed_workers"])))
    if raw.get("supervisor_required"):
        posts.append(TeamRequirement(role=_("督导"), count=1))
    return tuple(posts)


def _team(members: list[dict[str, Any]]) -> tuple[TeamMember, ...]:
    return tuple(
        TeamMember(
            name=_text(m.get("name")),
            role=TEAM_ROLES[m["role"]] if m.get("role") in ("lead", "member", "supervisor") else _text(m.get("role")),
            qualification=WORKER_LEVEL_LABELS[WorkerLevel(m["level"])]
            if m.get("level") not in (None, "", "none")
            else "",
        )
        for m in members
    )


async def document_of(row: dict[str, Any], version: dict[str, Any]) -> ContractDocumentIn:
    """The document of one frozen version: its snapshot's terms, the parties' contact
    details from their records, the tender's reference and method."""
    snap = json.loads(version["snapshot"])
    kind = DocumentKind(snap["kind"])
    buyer = await accounts.organization_record(row["buyer"])
    provider_org = await accounts.organization_record(row["provider"])
    tender = await tenders.get_tender(None, row["tender"])
    lot = await tenders.lot_record(row["lot"])
    provider = snap["provider"]
    start, end = snap["term"]
    return ContractDocumentIn(
        kind=kind,
        template_key=default_for(kind).key,
        contract_no=snap["number"],
        version=snap["version"],
        issued_on=clock.to_local(version["frozen_at"]).date(),
        project_title=snap["title"],
        tender_reference_no=tender.reference_no,
        lot_name=lot["name"] if len(tender.lots) > 1 else "",
        procurement_method=tender.method_label if kind is DocumentKind.SERVICE else "",
        buyer=BuyerParty(
            name=snap["buyer"]["name"],
            address=_text(tender.buyer_address or buyer.address),
            contact_person=_text(tender.buyer_contact or buyer.contact_name),
            phone=_text(tender.buyer_phone or buyer.contact_phone),
            credit_code=buyer.credit_code or None,
        ),
        provider=ProviderParty(
            name=provider["name"],
            credit_code=(provider.get("credit_code") or provider_org.credit_code or "").ljust(18, "-")[:18],
            address=_text(provider.get("address")),
            legal_representative=_text(provider.get("legal_representative")),
            contact_person=_text(provider_org.contact_name),
            phone=_text(provider_org.contact_phone),
            bank_name=_text(provider.get("bank_name")),
            bank_account_name=provider["name"],
            bank_account=_text(provider.get("bank_account")),
        ),
        service_content=_text(snap["service_content"]),
        service_place=_text(snap["delivery_place"]),
        start_date=start,
        end_date=end,
        term_justification=row["term_justification"],
        amount_fen=snap["amount_fen"],
        matching_fen=snap["matching_fen"] if kind is DocumentKind.VENTURE else 0,
        installments=tuple(
            Installment(
                percent_bp=i["percent"] * 100,
                amount_fen=i["amount_fen"],
                gate=_GATES[i["gate"]],
                min_grade=Grade(i["min_grade"]) if i.get("min_grade") else None,
                on_date=i.get("due_date"),
            )
            for i in snap["installments"]
        ),
        performance_bond_fen=snap["performance_bond_fen"],
        indicators=tuple(
            Indicator(name=i["name"], target=_text(i.get("target")), unit=i.get("unit") or "")
            for i in snap["indicators"]
        )
        or (Indicator(name=_("服务内容"), target=_BLANK),),
        team_requirements=_team_requirements(snap.get("team_requirements") or {}),
        team_members=_team(snap.get("promised_team") or []),
    )


async def contract_pdf(user: CurrentUser, contract_id: int) -> IssuedPdf:
    """The signed PDF of the contract's current version, for its readers only (404 for
    anyone else). A draft nobody has signed has no document yet (409, with what to do)."""
    row = await services.readable(user, contract_id)
    version = (
        await ContractVersion.select()
        .where((ContractVersion.contract == contract_id) & (ContractVersion.version == row["version"]))
        .first()
    )
    if version is None:
        raise Conflict(
            _("合同文本尚未定稿：第一方签署（或登记线下签订）后即生成合同文件，此前请在合同页核对草稿内容。")
        )
    doc = await document_of(row, version)
    issued = await issue_contract_pdf(doc)
    return IssuedPdf(
        content=issued.content,
        pdf_sha256=issued.pdf_sha256,
        text_sha256=issued.text_sha256,
        filename=_("{number}（第{version}版）.pdf").format(number=row["number"], version=row["version"]),
    )
