"""The contract document's context and its signed PDF (issue 12 §2).

``contract_context`` turns a ``ContractDocumentIn`` (one frozen version) into
what ``templates/pdf/contract.html`` prints: words for gates and grades, money
in figures and in 大写, Beijing dates. ``render_contract_pdf`` renders it once,
signs it with the platform's certificate (core.pdfsign) and serves the same
bytes from the content-keyed cache (core.pdfcache) ever after.

Two hashes, two jobs:

- ``text_sha256``: the version's one fingerprint, the SHA-256 of its canonical
  text (``ContractDocumentIn.canonical_text``). The lifecycle freezes exactly
  that text at the first signature and each signature names this hash; it is
  printed on the document, carried in its signed metadata, unchanged when the
  PDF is rendered again, and looked up on the public verify page;
- ``pdf_sha256``: the SHA-256 of the issued file's bytes (the ETag of the
  download); a PDF cannot print its own hash, and its PAdES signature is what
  shows an edited file in any PDF reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from contracts.documents import samples
from contracts.documents.schemas import (
    ContractDocumentIn,
    ContractKind,
    DisputeResolution,
    Grade,
    Installment,
    PaymentGate,
)
from contracts.documents.templates import get_template
from procurement.core import pdf, pdfcache
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.money import format_yuan, to_chinese_capital

VERIFY_PATH = "/verify/contracts"

TITLES = Labels({ContractKind.SERVICE: N_("政府购买服务合同"), ContractKind.VENTURE: N_("公益创投项目资助协议")})
GRADES = Labels({Grade.EXCELLENT: N_("优秀"), Grade.GOOD: N_("良好"), Grade.PASS: N_("合格"), Grade.FAIL: N_("不合格")})


def _day(value: dt.date) -> str:
    return _("{year}年{month}月{day}日").format(year=value.year, month=value.month, day=value.day)


def _percent(basis_points: int) -> str:
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def _months(start: dt.date, end: dt.date) -> int:
    """Whole months of the term, counting a started month (1 Jan – 31 Dec = 12)."""
    last = end + dt.timedelta(days=1)
    months = (last.year - start.year) * 12 + last.month - start.month
    return months + (1 if last.day > start.day else 0)


def gate_text(installment: Installment, kind: ContractKind) -> str:
    """The payment condition as the contract words it."""
    grade = GRADES[installment.min_grade] if installment.min_grade else ""
    if installment.gate is PaymentGate.ON_SIGNING:
        return _("合同签订后") if kind is ContractKind.SERVICE else _("协议签订后")
    if installment.gate is PaymentGate.MIDTERM:
        return _("中期评估达到「{grade}」及以上").format(grade=grade)
    if installment.gate is PaymentGate.FINAL and kind is ContractKind.VENTURE:
        return _("末期评估达到「{grade}」及以上，经结项验收合格后").format(grade=grade)
    if installment.gate is PaymentGate.FINAL:
        return _("末期评估达到「{grade}」及以上，经履约验收合格后").format(grade=grade)
    assert installment.on_date is not None  # the schema requires it for ON_DATE
    return _("{day}起").format(day=_day(installment.on_date))


def contract_context(doc: ContractDocumentIn, *, sample: bool = False) -> dict[str, Any]:
    """Everything ``pdf/contract.html`` prints, as plain JSON-able values.
    ``sample``: a template preview with sample data, marked 样本 on every page."""
    template = get_template(doc.template_key)
    if template.kind is not doc.kind:
        raise ValidationFailed(_("所选合同模板「{label}」不适用于这类合同。").format(label=template.display_label()))
    venture = doc.kind is ContractKind.VENTURE
    total_fen = doc.amount_fen + doc.matching_fen
    return {
        "doc": doc.model_dump(mode="json"),
        "sample": sample,
        "venture": venture,
        "title": TITLES[doc.kind],
        "template_label": template.display_label(),
        "template_clauses": template.display_clauses(),
        "text_sha256": doc.text_sha256(),
        "verify_path": VERIFY_PATH,
        "issued_on": _day(doc.issued_on),
        "start": _day(doc.start_date),
        "end": _day(doc.end_date),
        "months": _months(doc.start_date, doc.end_date),
        "over_one_year": _months(doc.start_date, doc.end_date) > 12,
        "amount": format_yuan(doc.amount_fen),
        "amount_upper": to_chinese_capital(doc.amount_fen),
        "matching": format_yuan(doc.matching_fen),
        "matching_upper": to_chinese_capital(doc.matching_fen),
        "total": format_yuan(total_fen),
        "total_upper": to_chinese_capital(total_fen),
        "bond": format_yuan(doc.performance_bond_fen) if doc.performance_bond_fen else "",
        "bond_upper": to_chinese_capital(doc.performance_bond_fen) if doc.performance_bond_fen else "",
        "installments": [
            {
                "n": number,
                "gate": gate_text(installment, doc.kind),
                "percent": _percent(installment.percent_bp),
                "amount": format_yuan(installment.amount_fen),
                "amount_upper": to_chinese_capital(installment.amount_fen),
            }
            for number, installment in enumerate(doc.installments, start=1)
        ],
        "installments_total": format_yuan(sum(i.amount_fen for i in doc.installments)),
        "arbitration": doc.dispute is DisputeResolution.ARBITRATION,
        "lot_suffix": _("（{name}）").format(name=doc.lot_name) if doc.lot_name else "",
        "letter_suffix": _("（{no}）").format(no=doc.award_letter_no) if doc.award_letter_no else "",
        "copies_buyer": doc.copies - doc.copies // 2,
        "copies_provider": doc.copies // 2,
    }


def template_file(doc: ContractDocumentIn) -> str:
    return get_template(doc.template_key).file


def render_contract_html(doc: ContractDocumentIn) -> str:
    """The HTML that would be printed (previews and tests)."""
    return pdf.render_template_html(template_file(doc), contract_context(doc))


@dataclass(frozen=True)
class ContractPdf:
    content: bytes
    pdf_sha256: str  # of the issued bytes: keep it with the version
    text_sha256: str  # printed on the document


async def issue_contract_pdf(doc: ContractDocumentIn) -> ContractPdf:
    """The signed PDF of this version: rendered and signed once, then the same bytes."""
    cached = await pdfcache.render_cached(template_file(doc), contract_context(doc), sign=True)
    return ContractPdf(content=cached.content, pdf_sha256=cached.sha256, text_sha256=doc.text_sha256())


async def render_contract_pdf(doc: ContractDocumentIn) -> bytes:
    return (await issue_contract_pdf(doc)).content


async def sample_pdf(template_key: str) -> bytes:
    """A template's preview for administrators and officers choosing one: the sample
    contract of its kind, marked 样本, unsigned (the platform signs only what it issues)."""
    template = get_template(template_key)
    doc = samples.sample_for(template.kind, template.key)
    cached = await pdfcache.render_cached(template.file, contract_context(doc, sample=True), sign=False)
    return cached.content
