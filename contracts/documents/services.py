"""Public checks of an issued contract PDF (issue 12 §2: "checkable on the public
verify page, as receipts are").

Anyone holding a contract PDF can ask the platform whether it is the file the
platform issued: its PAdES signature must be intact, cover the whole file and
come from the platform's certificate. The answer names the version's text
fingerprint the file carries; which contract version that fingerprint (or the
file's own SHA-256) belongs to is a lookup in the contract versions, which the
lifecycle adds beside this.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re

from contracts.documents.schemas import ContractPdfCheckOut
from procurement.core import clock, pdfsign
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.settings import get_settings

_FINGERPRINT = re.compile(r"text-sha256:([0-9a-f]{64})")


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
