"""Issue 11: an uploaded file's bytes are the parser's buffer handed over, not a copy of it;
a file the spool rolled to disk is read from the disk. The same bytes either way."""

from __future__ import annotations

import os

from litestar.datastructures import UploadFile

from procurement.core.web import uploaded_bytes


async def _upload(content: bytes) -> UploadFile:
    upload = UploadFile(content_type="application/pdf", filename="投标文件.pdf")
    for start in range(0, len(content), 65536):  # as the multipart parser writes it
        await upload.write(content[start : start + 65536])
    await upload.seek(0)
    return upload


async def test_a_file_in_memory_is_handed_over_whole():
    content = b"%PDF-1.4\n" + os.urandom(700_000)
    upload = await _upload(content)
    assert not upload.rolled_to_disk
    assert await uploaded_bytes(upload) == content
    await upload.close()


async def test_a_file_rolled_to_disk_is_read_whole_even_after_a_partial_read():
    content = b"%PDF-1.4\n" + os.urandom(1_500_000)
    upload = await _upload(content)
    assert upload.rolled_to_disk
    await upload.read(10)
    assert await uploaded_bytes(upload) == content
    await upload.close()
