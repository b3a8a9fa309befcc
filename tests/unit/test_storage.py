"""Content-addressed storage: type by content, safe names, atomic dedup writes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.storage import (
    KNOWN_TYPES,
    FileStore,
    content_disposition,
    detect_type,
    sanitize_filename,
)

MB = 1024 * 1024

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."
HTML = "<!DOCTYPE html><html><body><script>alert(1)</script>报价单</body></html>".encode()


def ole2(*stream_names: str, body: bytes = b"") -> bytes:
    """A minimal compound file: 512-byte header, then one directory sector of
    128-byte entries (UTF-16LE name, NUL-terminated, byte length at offset 64)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\x00")
    entries = b""
    for name in ("Root Entry", *stream_names):
        encoded = (name + "\0").encode("utf-16-le")
        entries += encoded.ljust(64, b"\x00") + len(encoded).to_bytes(2, "little")
        entries = entries.ljust(len(entries) + 62, b"\x00")
    return header + entries.ljust(512, b"\xff") + body


def ooxml(main_part: str, *, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("报价单.txt", "一百万元")
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files", max_bytes=20 * MB)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpg"),
        (ole2("WordDocument", "1Table", "\x05SummaryInformation"), "doc"),
        (ole2("Workbook", "\x05SummaryInformation"), "xls"),
        (ole2("Book"), "xls"),
        (ooxml("word/document.xml"), "docx"),
        (ooxml("xl/workbook.xml"), "xlsx"),
    ],
    ids=["pdf", "png", "jpg", "doc", "xls", "xls-biff5", "docx", "xlsx"],
)
def test_each_known_type_is_detected_from_its_bytes(data, expected):
    assert detect_type(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        EXE,
        HTML,
        plain_zip(),
        ooxml("word/document.xml", content_types=False),
        ooxml("content.xml"),
        b"PK\x03\x04" + b"\x00" * 40,
        ole2("VisioDocument"),
        # "WordDocument" as text inside a stream, not as a directory entry.
        ole2("Contents", body=b"\x00" * 3 + "WordDocument\0".encode("utf-16-le")),
        b"   %PDF-1.4 junk before the header",
        b"",
        b"hello",
    ],
    ids=[
        "exe",
        "html",
        "plain-zip",
        "ooxml-without-content-types",
        "odf-like",
        "corrupt-zip",
        "other-ole2",
        "ole2-name-in-body",
        "pdf-not-at-start",
        "empty",
        "text",
    ],
)
def test_anything_else_is_not_a_known_type(data):
    assert detect_type(data) is None


def test_a_pdf_renamed_docx_is_stored_as_a_pdf(store):
    stored = store.save(PDF, "报价单.docx")

    assert (stored.type, stored.mime) == ("pdf", "application/pdf")
    assert stored.original_name == "报价单.docx"
    assert stored.size == len(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("data", "name"),
    [(EXE, "投标文件.pdf"), (HTML, "报价单.pdf"), (plain_zip(), "资质证明.docx")],
    ids=["exe-as-pdf", "html-as-pdf", "plain-zip-as-docx"],
)
def test_content_that_is_not_an_allowed_type_is_refused_whatever_its_name(store, data, name):
    with pytest.raises(ValidationFailed) as caught:
        store.save(data, name)

    message = caught.value.message
    assert f"文件「{name}」的内容不是允许的类型" in message
    assert "PDF、DOC、DOCX、XLS、XLSX、JPG、PNG" in message
    assert "按文件内容判断类型" in message
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_the_refusal_lists_only_the_types_this_upload_allows(tmp_path):
    store = FileStore(tmp_path, max_bytes=MB, allowed_types=["pdf", "docx"])

    with pytest.raises(ValidationFailed, match=r"（允许：PDF、DOCX）"):
        store.save(PNG, "照片.png")
    assert store.save(PNG, "照片.png", allowed_types=["png"]).type == "png"


def test_an_unknown_type_key_is_a_programming_error_not_a_user_error(tmp_path):
    with pytest.raises(ValueError, match="exe"):
        FileStore(tmp_path, max_bytes=MB, allowed_types=["pdf", "exe"])


def test_an_oversize_file_is_refused_naming_the_limit(store):
    data = PDF + b"\x00" * (20 * MB)

    with pytest.raises(ValidationFailed, match="文件「标书.pdf」超过大小上限 20 MB"):
        store.save(data, "标书.pdf")


def test_a_file_exactly_at_the_limit_is_accepted_and_a_per_call_limit_overrides(tmp_path):
    store = FileStore(tmp_path, max_bytes=len(PDF))
    assert store.save(PDF, "a.pdf").size == len(PDF)

    with pytest.raises(ValidationFailed, match="超过大小上限 10 字节"):
        store.save(PDF, "a.pdf", max_bytes=10)
    with pytest.raises(ValidationFailed, match="超过大小上限 1.5 MB"):
        FileStore(tmp_path, max_bytes=MB + MB // 2).save(PDF + b"\x00" * (2 * MB), "a.pdf")


def test_an_empty_file_is_refused(store):
    with pytest.raises(ValidationFailed, match="文件「空.pdf」为空"):
        store.save(b"", "空.pdf")


def test_saving_the_same_content_twice_stores_it_once(store):
    first = store.save(PDF, "第一次.pdf")
    second = store.save(PDF, "第二次.pdf")

    assert first.sha256 == second.sha256
    assert second.original_name == "第二次.pdf"
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert files == [store.path_for(first.sha256)]  # no temp files left behind


def test_files_are_sharded_by_hash_and_never_named_after_the_upload(store):
    stored = store.save(PDF, "../../etc/passwd")
    path = store.path_for(stored.sha256)

    h = stored.sha256
    assert path == store.root / h[:2] / h[2:4] / h
    assert path.read_bytes() == PDF
    assert stored.original_name == "passwd"
    assert all(p.resolve().is_relative_to(store.root.resolve()) for p in store.root.rglob("*"))
    assert not (store.root.parent / "etc").exists()


def test_a_damaged_copy_is_rewritten_when_the_same_content_is_uploaded_again(store):
    stored = store.save(PDF, "a.pdf")
    store.path_for(stored.sha256).write_bytes(b"%PDF-truncated")

    store.save(PDF, "a.pdf")

    assert store.verify(stored.sha256)


def test_read_exists_and_verify_round_trip(store):
    stored = store.save(JPEG, "现场照片.jpg")

    assert store.exists(stored.sha256)
    assert store.read(stored.sha256) == JPEG
    assert store.verify(stored.sha256)

    store.path_for(stored.sha256).write_bytes(JPEG + b"tampered")
    assert not store.verify(stored.sha256)


def test_a_missing_file_is_not_found_and_does_not_verify(store):
    missing = "0" * 64

    assert not store.exists(missing)
    assert not store.verify(missing)
    with pytest.raises(NotFound):
        store.read(missing)


@pytest.mark.parametrize(
    "bad",
    ["../x", "../" + "a" * 61, "A" * 64, "a" * 63, "a" * 65, "a" * 64 + "\n", "g" * 64, "", "/etc/passwd"],
)
def test_path_for_accepts_only_64_lowercase_hex(store, bad):
    with pytest.raises(ValidationFailed, match="文件标识无效"):
        store.path_for(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("投标文件.pdf", "投标文件.pdf"),
        ("..", "file"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\Desktop\\报价单.pdf", "报价单.pdf"),
        ("a/b\\c.docx", "c.docx"),
        ("", "file"),
        ("   ", "file"),
        (".bashrc", "bashrc"),
        ("...隐藏.pdf", "隐藏.pdf"),
        ('报<价>:"单|?*.pdf', "报价单.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("报价\n单\r\n.pdf", "报价 单 .pdf"),
        ("多个   空格\t\t的.xlsx", "多个 空格 的.xlsx"),
        ("名称\u202efdp.exe", "名称fdp.exe"),  # right-to-left override dropped
        ("trailing dots... ", "trailing dots"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1", "_lpt1"),
        ("ｆｕｌｌ　width.pdf", "ｆｕｌｌ width.pdf"),
    ],
)
def test_sanitize_filename(raw, expected):
    assert sanitize_filename(raw) == expected


def test_sanitize_truncates_long_names_but_keeps_the_extension():
    long_name = "很" * 5000 + ".docx"

    result = sanitize_filename(long_name)

    assert len(result) == 120
    assert result.endswith(".docx")
    assert sanitize_filename("a" * 300, max_length=50) == "a" * 50
    assert len(sanitize_filename("x." + "y" * 200, max_length=20)) == 20


def test_content_disposition_carries_the_chinese_name_with_an_ascii_fallback():
    header = content_disposition("招标文件（第2版）.pdf")

    assert header.startswith('attachment; filename="2.pdf"; ')
    assert "filename*=UTF-8''%E6%8B%9B%E6%A0%87%E6%96%87%E4%BB%B6" in header
    assert header.endswith("%EF%BC%88%E7%AC%AC2%E7%89%88%EF%BC%89.pdf")
    assert header.isascii()


def test_content_disposition_inline_and_hostile_names_stay_one_safe_header():
    header = content_disposition('evil"\r\nSet-Cookie: x=1;.pdf', inline=True)

    assert header.startswith("inline; ")
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2
    assert content_disposition("合同.pdf").startswith('attachment; filename="file.pdf"')
    assert content_disposition("report 2024.pdf").startswith('attachment; filename="report 2024.pdf"')


def test_known_types_map_to_their_mime_types():
    assert set(KNOWN_TYPES) == {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "png"}
    assert KNOWN_TYPES["docx"].endswith("wordprocessingml.document")
