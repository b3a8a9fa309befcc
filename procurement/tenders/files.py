"""The full tender documents (招标文件, PDF or DOCX) an officer attaches beside the generated
summary, and their download from the public notice.

One transaction per use case. The files are public like the notice, so they are stored as
they are, by the SHA-256 of their bytes (``core.storage``); the type is decided by the
content, and the stored name ends with the detected type's extension. Files change while the
tender is a draft; once published the documents are what the bidders obtained, so a change
is an amendment (更正公告) or a new tender.
"""

from __future__ import annotations

import asyncio

from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.storage import KNOWN_TYPES, FileStore
from procurement.settings import get_settings
from procurement.tenders import policies, services
from procurement.tenders.schemas import TenderFileOut
from procurement.tenders.states import TENDER_TABLE
from procurement.tenders.tables import TenderFile

FILE_TYPES = ("pdf", "docx")
MAX_FILES = 10


def file_store() -> FileStore:
    settings = get_settings()
    return FileStore(settings.files_dir, max_bytes=settings.max_file_mb * 1024 * 1024, allowed_types=FILE_TYPES)


async def attach_file(user: CurrentUser, tender_id: int, filename: str, data: bytes) -> TenderFileOut:
    """The buyer's officer attaches the full 招标文件 to a draft (PDF or DOCX, checked by content)."""
    store = file_store()
    stored = await asyncio.to_thread(store.check, data, filename)
    async with db.transaction():
        row = await services.load(tender_id, lock=True)
        actor = policies.can_edit_tender(user, row).acting(user)
        TENDER_TABLE.decide(services._current_status(row), "update", actor)
        existing = await TenderFile.select(TenderFile.sha256).where(TenderFile.tender == tender_id)
        if any(f["sha256"] == stored.sha256 for f in existing):
            raise ValidationFailed(
                field_errors={"file": _("文件「{name}」已经上传过了。").format(name=stored.original_name)}
            )
        if len(existing) >= MAX_FILES:
            raise ValidationFailed(
                field_errors={"file": _("每个项目最多附 {n} 个招标文件，请合并后上传。").format(n=MAX_FILES)}
            )
        await asyncio.to_thread(store.save_blob, data)
        now = clock.now()
        rows = await TenderFile.insert(
            TenderFile(
                tender=tender_id,
                name=stored.original_name,
                sha256=stored.sha256,
                size=stored.size,
                doc_type=stored.type,
                uploaded_by=user.id,
                uploaded_at=now,
            )
        ).returning(TenderFile.id)
        await audit.record(
            "tender.file_attached",
            "tender",
            tender_id,
            actor=actor,
            after={"file_id": rows[0]["id"], "name": stored.original_name, "sha256": stored.sha256},
        )
    return TenderFileOut(
        id=rows[0]["id"],
        name=stored.original_name,
        sha256=stored.sha256,
        size=stored.size,
        doc_type=stored.type,
        uploaded_at=now,
        url=f"/tenders/{tender_id}/files/{rows[0]['id']}",
    )


async def remove_file(user: CurrentUser, tender_id: int, file_id: int) -> str:
    """Take an attached file off a draft; returns its name."""
    async with db.transaction():
        row = await services.load(tender_id, lock=True)
        actor = policies.can_edit_tender(user, row).acting(user)
        TENDER_TABLE.decide(services._current_status(row), "update", actor)
        found = await TenderFile.select().where((TenderFile.id == file_id) & (TenderFile.tender == tender_id)).first()
        if found is None:
            raise NotFound(_("找不到该文件。"))
        await TenderFile.delete().where(TenderFile.id == file_id)
        await audit.record(
            "tender.file_removed",
            "tender",
            tender_id,
            actor=actor,
            before={"file_id": file_id, "name": found["name"], "sha256": found["sha256"]},
        )
    return found["name"]


async def download_file(user: CurrentUser | None, tender_id: int, file_id: int) -> tuple[str, str, bytes]:
    """An attached 招标文件: public once the tender is, the buyer's staff only for a draft.
    A member of a social organization downloading it has obtained the documents."""
    row = await services.load(tender_id)
    if not policies.can_view_tender(user, row):
        raise NotFound(_("找不到该文件。"))
    found = await TenderFile.select().where((TenderFile.id == file_id) & (TenderFile.tender == tender_id)).first()
    if found is None:
        raise NotFound(_("找不到该文件。"))
    data = await asyncio.to_thread(file_store().read, found["sha256"])
    await services.record_documents_obtained(user, row)
    return found["name"], KNOWN_TYPES[found["doc_type"]], data
