"""The contract document of a real contract (issue 12 §2): the frozen text of its
current version, turned into a ``ContractDocumentIn`` and issued as the platform's
signed PDF (rendered once, then served from the content-keyed cache).

One fingerprint per version: ``draft_document`` builds the ``ContractDocumentIn`` from
the contract's current terms; the signing services freeze exactly its canonical text
(``ContractVersion.snapshot``) and its SHA-256 (``ContractVersion.sha256``, what each
signature names); the PDF is rendered from that frozen text and prints the same
SHA-256; /verify/contracts looks it up (``find_version``).

Only a frozen version is issued: the document template has no 草稿 mark, and a
draft may still change, so a PDF of it would be a document nobody signed. The
version is frozen when the first party signs it (rule 28), or when the officer
records a paper signing.

Read-only: it reads the contract through ``services.readable`` (the reader
policy: the buyer's staff, the provider's members, administrators; 404 for
anyone else) and the frozen text the signing services wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pydantic

from contracts.changes.states import CHANGE_KIND_LABELS, CHANGE_TABLE, ChangeKind
from contracts.changes.tables import ContractChange
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
from contracts.documents.services import chosen_template_key
from contracts.documents.templates import get_template
from contracts.lifecycle import services
from contracts.lifecycle.states import CONTRACT_TABLE, Party
from contracts.lifecycle.tables import Contract, ContractSignature, ContractVersion
from procurement.accounts import services as accounts
from procurement.core import clock
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound
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
    version's one fingerprint (``sha256``: the SHA-256 of its frozen text, which the
    parties signed, which is printed on its PDF and which /verify/contracts checks), the
    template it is printed with, and when it was frozen."""
    await services.readable(user, contract_id)
    versions = (
        await ContractVersion.select().where(ContractVersion.contract == contract_id).order_by(ContractVersion.version)
    )
    return [
        {
            "version": v["version"],
            "sha256": v["sha256"],
            "frozen_at": v["frozen_at"],
            "template_label": _template_label(v),
        }
        for v in versions
    ]


def _template_label(version: dict[str, Any]) -> str:
    """The template a frozen version is printed with (its key is part of the frozen text)."""
    key = json.loads(version["snapshot"]).get("template_key")
    try:
        return get_template(str(key)).display_label()
    except NotFound:
        return _("（未记录模板）")


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


async def draft_document(row: dict[str, Any]) -> ContractDocumentIn:
    """The document the contract's current terms make today: the parties' details, the
    service, the term, the amount and its installments, the indicators, the teams, the
    tender's reference and method, and the template chosen for the tender. When the first
    party signs, exactly this (its canonical text) is frozen as the version (rule 28), so
    the hash the parties sign is the one printed on the PDF and checked on the verify page.
    A draft that cannot be printed (a schedule that does not add up …) is refused with
    what is wrong, in Chinese."""
    kind = DocumentKind(row["kind"])
    buyer = await accounts.organization_record(row["buyer"])
    provider_org = await accounts.organization_record(row["provider"])
    tender = await tenders.get_tender(None, row["tender"])
    lot = await tenders.lot_record(row["lot"])
    team_requirements = json.loads(row["team_requirements"] or "{}")
    try:
        return ContractDocumentIn(
            kind=kind,
            template_key=await chosen_template_key(row["tender"], kind),
            contract_no=row["number"],
            version=row["version"],
            issued_on=clock.today_local(),
            project_title=row["title"],
            tender_reference_no=tender.reference_no,
            lot_name=lot["name"] if len(tender.lots) > 1 else "",
            procurement_method=tender.method_label if kind is DocumentKind.SERVICE else "",
            buyer=BuyerParty(
                name=row["buyer_name"],
                address=_text(tender.buyer_address or buyer.address),
                contact_person=_text(tender.buyer_contact or buyer.contact_name),
                phone=_text(tender.buyer_phone or buyer.contact_phone),
                credit_code=buyer.credit_code or None,
            ),
            provider=ProviderParty(
                name=row["provider_name"],
                credit_code=(row["provider_credit_code"] or provider_org.credit_code or "").ljust(18, "-")[:18],
                address=_text(row["provider_address"]),
                legal_representative=_text(row["provider_legal_rep"]),
                contact_person=_text(provider_org.contact_name),
                phone=_text(provider_org.contact_phone),
                bank_name=_text(row["provider_bank_name"]),
                bank_account_name=row["provider_name"],
                bank_account=_text(row["provider_bank_account"]),
            ),
            service_content=_text(row["service_content"]),
            service_place=_text(row["delivery_place"]),
            start_date=row["term_start"],
            end_date=row["term_end"],
            term_justification=row["term_justification"],
            amount_fen=row["amount_fen"],
            matching_fen=row["matching_fen"] if kind is DocumentKind.VENTURE else 0,
            installments=tuple(
                Installment(
                    percent_bp=i["percent"] * 100,
                    amount_fen=i["amount_fen"],
                    gate=_GATES[i["gate"]],
                    min_grade=Grade(i["min_grade"]) if i.get("min_grade") else None,
                    on_date=i.get("due_date"),
                )
                for i in await services.installment_rows(row["id"])
            ),
            performance_bond_fen=row["performance_bond_fen"],
            indicators=tuple(
                Indicator(name=i["name"], target=_text(i.get("target")), unit=i.get("unit") or "")
                for i in json.loads(row["indicators"] or "[]")
            )
            or (Indicator(name=_("服务内容"), target=_BLANK),),
            team_requirements=_team_requirements(team_requirements),
            team_members=_team(json.loads(row["promised_team"] or "[]")),
        )
    except pydantic.ValidationError as error:
        problems = "；".join(str(e.get("ctx", {}).get("error") or e["msg"]) for e in error.errors())
        raise Conflict(_("合同文本无法生成：{problems}").format(problems=problems)) from None


def document_of(version: dict[str, Any]) -> ContractDocumentIn:
    """The document of one frozen version: its frozen text, as it was signed."""
    return ContractDocumentIn.model_validate_json(version["snapshot"])


async def draft_fingerprint(user: CurrentUser, contract_id: int) -> str | None:
    """The fingerprint the current draft would be frozen with if a party signed it now
    (None while the draft cannot be printed yet). It changes with any printed term."""
    row = await services.readable(user, contract_id)
    try:
        return (await draft_document(row)).text_sha256()
    except Conflict:
        return None


@dataclass(frozen=True)
class VersionMatch:
    """What a fingerprint belongs to, as the public verify page says it."""

    contract_no: str
    version: int
    current_version: int
    title: str
    buyer_name: str
    provider_name: str
    frozen_on: str  # Beijing date, 2027-01-05
    signed_on: str | None  # the day the last party signed this version; None while one is missing
    status_label: str
    change: str = ""  # for a change's fingerprint: 补充合同（第 1 号）


async def _find_change(sha256: str) -> VersionMatch | None:
    """A contract change's fingerprint (printed on its own numbered PDF, contracts.changes)."""
    change = await ContractChange.select().where(ContractChange.sha256 == sha256).first()
    if change is None:
        return None
    row = await Contract.select().where(Contract.id == change["contract"]).first()
    if row is None:
        return None
    effective = change["effective_at"]
    return VersionMatch(
        contract_no=row["number"],
        version=row["version"],
        current_version=row["version"],
        title=row["title"],
        buyer_name=row["buyer_name"],
        provider_name=row["provider_name"],
        frozen_on=f"{clock.to_local(change['proposed_at']):%Y-%m-%d}",
        signed_on=f"{clock.to_local(effective):%Y-%m-%d}" if effective is not None else None,
        status_label=CHANGE_TABLE.public_label(change["status"]),
        change=_("{kind}（第 {seq} 号）").format(
            kind=CHANGE_KIND_LABELS[ChangeKind(change["kind"])], seq=change["seq"]
        ),
    )


async def find_version(sha256: str) -> VersionMatch | None:
    """The contract version, or the contract change, whose fingerprint is ``sha256`` (64
    lowercase hex), if any. Public: it names only what the contract notice names (number,
    parties, dates)."""
    version = await ContractVersion.select().where(ContractVersion.sha256 == sha256).first()
    if version is None:
        return await _find_change(sha256)
    row = await Contract.select().where(Contract.id == version["contract"]).first()
    if row is None:
        return None
    signatures = await ContractSignature.select(ContractSignature.party, ContractSignature.signed_at).where(
        (ContractSignature.contract == row["id"]) & (ContractSignature.version == version["version"])
    )
    both = {s["party"] for s in signatures} >= {Party.BUYER, Party.PROVIDER}
    last = max((s["signed_at"] for s in signatures), default=None)
    return VersionMatch(
        contract_no=row["number"],
        version=version["version"],
        current_version=row["version"],
        title=row["title"],
        buyer_name=row["buyer_name"],
        provider_name=row["provider_name"],
        frozen_on=f"{clock.to_local(version['frozen_at']):%Y-%m-%d}",
        signed_on=f"{clock.to_local(last):%Y-%m-%d}" if both and last is not None else None,
        status_label=CONTRACT_TABLE.public_label(row["status"]),
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
    doc = document_of(version)
    issued = await issue_contract_pdf(doc)
    return IssuedPdf(
        content=issued.content,
        pdf_sha256=issued.pdf_sha256,
        text_sha256=issued.text_sha256,
        filename=_("{number}（第{version}版）.pdf").format(number=row["number"], version=row["version"]),
    )
