"""The contract template chosen per tender, and the public checks of an issued
contract PDF (issue 12 §2: "checkable on the public verify page, as receipts are").

Anyone holding a contract PDF can ask the platform whether it is the file the
platform issued: its PAdES signature must be intact, cover the whole file and
come from the platform's certificate. The answer names the version's text
fingerprint the file carries; which contract version (or change) a fingerprint
belongs to, read from the file or typed from the paper, is looked up by the
lifecycle (``contracts.lifecycle.document.find_version``).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from dataclasses import dataclass

from contracts.documents import policies, templates
from contracts.documents.schemas import ContractKind, ContractPdfCheckOut
from contracts.documents.tables import ContractTemplateChoice
from procurement.core import audit, clock, db, pdfsign
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.settings import get_settings
from procurement.tenders import services as tenders
from procurement.tenders.schemas import Method

# --------------------------------------------------------------------------- the template of a tender


def kind_of_method(method: str) -> ContractKind:
    """A 公益创投 call makes funding agreements; every other method service contracts."""
    return ContractKind.VENTURE if method == Method.VENTURE else ContractKind.SERVICE


async def chosen_template_key(tender_id: int, kind: ContractKind) -> str:
    """The template the tender's contracts are drawn on: the buyer's choice when it is of
    the contract's kind, else the standard template of that kind."""
    row = await ContractTemplateChoice.select(ContractTemplateChoice.template_key).where(
        ContractTemplateChoice.tender == tender_id
    )
    if row:
        key = row[0]["template_key"]
        if any(t.key == key for t in templates.templates_for(kind)):
            return str(key)
    return templates.default_for(kind).key


@dataclass(frozen=True)
class TemplateChoice:
    """A tender's contract template as its page shows it."""

    tender_id: int
    tender_title: str
    reference_no: str
    kind: ContractKind
    current: templates.ContractTemplate
    chosen: bool  # False: the default of the kind, nobody chose
    options: list[templates.ContractTemplate]
    may_choose: bool
    why_not: str


async def template_choice(user: CurrentUser, tender_id: int) -> TemplateChoice:
    """The template of a tender and the ones its buyer may choose from (the tender's kind
    decides which). Readable by whoever may see the tender (404 for anyone else)."""
    tender = await tenders.get_tender(user, tender_id)
    kind = kind_of_method(tender.method)
    key = await chosen_template_key(tender_id, kind)
    chosen = bool(
        await ContractTemplateChoice.count().where(
            (ContractTemplateChoice.tender == tender_id) & (ContractTemplateChoice.template_key == key)
        )
    )
    decision = policies.template_chooser(user, tender.buyer_id)
    return TemplateChoice(
        tender_id=tender_id,
        tender_title=tender.title,
        reference_no=tender.reference_no,
        kind=kind,
        current=templates.get_template(key),
        chosen=chosen,
        options=templates.templates_for(kind),
        may_choose=bool(decision),
        why_not="" if decision else decision.reason,
    )


async def choose_template(user: CurrentUser, tender_id: int, key: str) -> TemplateChoice:
    """The buyer's officer chooses the tender's contract template. It applies to every
    contract text of the tender frozen from now on; a version already signed keeps the
    template it was signed with (its key is part of its frozen text, rule 28)."""
    tender = await tenders.get_tender(user, tender_id)
    actor = policies.template_chooser(user, tender.buyer_id).acting(user)
    kind = kind_of_method(tender.method)
    offered = {t.key: t for t in templates.templates_for(kind)}
    if key not in offered:
        raise ValidationFailed(field_errors={"template_key": _("请从适用于本项目的合同模板中选择一个。")})
    async with db.transaction():
        before = await chosen_template_key(tender_id, kind)
        await ContractTemplateChoice.insert(
            ContractTemplateChoice(tender=tender_id, template_key=key, chosen_by=user.id, chosen_at=clock.now())
        ).on_conflict(
            target=ContractTemplateChoice.tender,
            action="DO UPDATE",
            values=[
                ContractTemplateChoice.template_key,
                ContractTemplateChoice.chosen_by,
                ContractTemplateChoice.chosen_at,
            ],
        )
        await audit.record(
            "contract.template_chosen",
            "tender",
            tender_id,
            actor=actor,
            before={"template": before},
            after={"template": key},
        )
    return await template_choice(user, tender_id)


# --------------------------------------------------------------------------- the public check

_FINGERPRINT = re.compile(r"text-sha256:([0-9a-f]{64})")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SPACES = re.compile(r"[\s\u3000:：\-]+")


def normalize_fingerprint(raw: str) -> str:
    """A SHA-256 typed by hand or copied from paper, as 64 lowercase hex digits: spaces
    (also full-width ones), line breaks, dashes and colons are dropped, capitals lowered,
    a leading 'SHA-256' label ignored. Anything else is refused with what is wrong."""
    text = _SPACES.sub("", str(raw or "")).lower()
    for label in ("sha256", "sha-256"):
        text = text.removeprefix(label)
    if not text:
        raise ValidationFailed(field_errors={"sha256": _("请输入合同文件上印的文本指纹（SHA-256）。")})
    if len(text) > 200 or not _HEX64.fullmatch(text):
        wrong = sorted({c for c in text[:200] if c not in "0123456789abcdef"})
        if wrong:
            shown = "".join(wrong[:10])
            raise ValidationFailed(
                field_errors={
                    "sha256": _("指纹只含数字 0–9 和字母 a–f，您的输入中有其他字符：{chars}。").format(chars=shown)
                }
            )
        raise ValidationFailed(
            field_errors={"sha256": _("指纹应为 64 位，您输入了 {n} 位。请核对是否漏抄或多抄。").format(n=len(text))}
        )
    return text


def text_fingerprint(content: bytes) -> str | None:
    """The text fingerprint in the PDF's metadata (``/Keywords``), if it has one."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        info = PdfFileReader(io.BytesIO(content), strict=False).trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except Exception:  # a damaged file: the signature check says what is wrong
        return None
    match = _FINGERPRINT.search(keywords)
    return match.group(1) if match else None


def _message(check: pdfsign.SignatureCheck) -> str:
    if check.integrity is pdfsign.Integrity.UNREADABLE:
        return _("无法读取该文件：不是 PDF，或文件已损坏。")
    if check.integrity is pdfsign.Integrity.UNSIGNED:
        return _("该文件没有数字签名，不是本平台签发的合同文件。")
    if not check.intact:
        return _("文件在签发后被改动过，数字签名已失效。请以平台上的版本为准。")
    if not check.covers_whole_file:
        return _("签名部分完整，但签发后文件末尾被追加了内容（例如批注或另存）。请从平台重新下载。")
    if not check.by_platform:
        return _("数字签名完整，但不是本平台的证书签发的。")
    return _("文件自本平台签发以来未被改动：数字签名完整，覆盖整个文件。")


def check_contract_pdf_sync(content: bytes) -> ContractPdfCheckOut:
    check = pdfsign.verify(content)
    return ContractPdfCheckOut(
        ok=check.ok and check.by_platform,
        integrity=check.integrity.value,
        by_platform=check.by_platform,
        covers_whole_file=check.covers_whole_file,
        signer=check.signer,
        signed_at_local=(
            _("{moment:%Y-%m-%d %H:%M}（北京时间）").format(moment=clock.to_local(check.signed_at))
            if check.signed_at
            else None
        ),
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        text_sha256=text_fingerprint(content) if check.intact else None,
        message=_message(check),
    )


async def check_contract_pdf(content: bytes) -> ContractPdfCheckOut:
    """Public, no login: is this the PDF the platform issued, unchanged? Runs off the loop."""
    if not content:
        raise ValidationFailed(field_errors={"file": _("所选文件是空的，请重新选择。")})
    limit = get_settings().max_file_mb * 1024 * 1024
    if len(content) > limit:
        raise ValidationFailed(
            field_errors={"file": _("文件超过 {mb} MB，不是平台签发的合同文件。").format(mb=get_settings().max_file_mb)}
        )
    return await asyncio.to_thread(check_contract_pdf_sync, content)
