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
    MAX_COMPRESSION_RATIO,
    MAX_NAME_LENGTH,
    FileStore,
    content_disposition,
    detect_type,
    filename_problem,
    office_problem,
    sanitize_filename,
)
from procurement.settings import get_settings

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
    assert stored.original_name == "报价单.pdf"  # the name follows the content
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


def test_a_stored_file_is_fsynced_then_let_out_of_the_page_cache(store, monkeypatch):
    """Issue 11: a file written once is advised out of the kernel's cache, after its fsync
    (advice given before the fsync would drop nothing: the pages are still dirty)."""
    import os

    calls: list[tuple[str, int]] = []
    fsync, fadvise = os.fsync, os.posix_fadvise
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(("fsync", fd)), fsync(fd))[1])

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append(("drop" if (offset, length, advice) == (0, 0, os.POSIX_FADV_DONTNEED) else "other", fd))
        fadvise(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", advise)
    stored = store.save(PDF, "投标文件.pdf")
    assert store.path_for(stored.sha256).read_bytes() == PDF
    assert [name for name, _fd in calls] == ["fsync", "drop", "fsync"]  # the file, then its directory
    assert calls[0][1] == calls[1][1]  # the same descriptor: the file's own


def test_files_are_sharded_by_hash_and_never_named_after_the_upload(store):
    stored = store.save(PDF, "../../etc/passwd")
    path = store.path_for(stored.sha256)

    h = stored.sha256
    assert path == store.root / h[:2] / h[2:4] / h
    assert path.read_bytes() == PDF
    assert stored.original_name == "passwd.pdf"
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

    assert len(result) == MAX_NAME_LENGTH == 200
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


# --------------------------------------------------------------------------- names refused, not changed


def test_a_name_of_200_characters_is_accepted_and_201_is_refused_saying_why(store):
    at_limit = "标" * (MAX_NAME_LENGTH - 4) + ".pdf"
    assert len(at_limit) == 200
    assert store.save(PDF, at_limit).original_name == at_limit

    with pytest.raises(ValidationFailed) as caught:
        store.save(PDF + b"x", "标" + at_limit)
    assert caught.value.message.startswith("文件名过长（201 个字，最多 200 个字）：「标标标")
    assert caught.value.status_code == 422
    assert len(list(store.root.rglob("*.tmp*"))) == 0


def test_only_the_name_counts_not_the_folders_a_browser_sends_along(store):
    name = "方" * (MAX_NAME_LENGTH - 4) + ".pdf"
    path = "C:\\Users\\" + "很深的文件夹\\" * 60 + name
    assert len(path) > 400

    assert store.check(PDF, path).original_name == name


def test_a_10000_character_name_is_refused_without_echoing_it(store):
    with pytest.raises(ValidationFailed) as caught:
        store.check(PDF, "长" * 9996 + ".pdf")

    message = caught.value.message
    assert "文件名过长（10000 个字，最多 200 个字）" in message
    assert len(message) < 100


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\u202e", "202E"),  # right-to-left override: "fdp.exe" shown as "exe.pdf"
        ("\u202d", "202D"),
        ("\u2066", "2066"),  # left-to-right isolate
        ("\u200f", "200F"),  # right-to-left mark
        ("\u200b", "200B"),  # zero-width space
        ("\n", "000A"),
        ("\r", "000D"),
        ("\t", "0009"),
        ("\x00", "0000"),
        ("\x1b", "001B"),
        ("\x7f", "007F"),
        ("\x85", "0085"),  # C1 next line
        ("\u2028", "2028"),  # line separator
    ],
)
def test_a_name_with_a_control_character_is_refused_naming_it(store, char, code):
    with pytest.raises(ValidationFailed) as caught:
        store.save(PDF, f"报价{char}单.pdf")

    shown = "报价 单.pdf" if char in "\n\r\t\u2028" else "报价单.pdf"  # as the name would have been kept
    assert caught.value.message.startswith(f"文件名「{shown}」含有不可见的控制字符 U+{code}")
    assert caught.value.status_code == 422
    assert not store.root.exists() or not any(store.root.rglob("*"))


@pytest.mark.parametrize(
    "name",
    ["报价单（第2版）·终稿.pdf", "ｆｕｌｌ　width.pdf", "report 2024.pdf", "Ünïcödé ñame.pdf", "项目书 😀.pdf"],
)
def test_ordinary_names_are_not_mistaken_for_control_characters(name):
    assert filename_problem(name) is None


def test_the_refusals_come_before_anything_is_read(store):
    # An empty file with a bad name is refused for its name: the first problem the user can fix.
    with pytest.raises(ValidationFailed, match="控制字符 U\\+202E"):
        store.check(b"", "invoice\u202efdp.exe")


# --------------------------------------------------------------------------- the extension follows the content


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("invoice\u202efdp.exe", "pdf", "invoicefdp.pdf"),
        ("报价单.docx", "pdf", "报价单.pdf"),
        ("报价单.PDF", "pdf", "报价单.pdf"),
        ("报价单.pdf", "pdf", "报价单.pdf"),
        ("invoice.pdf.exe", "pdf", "invoice.pdf"),
        ("照片.JPEG", "jpg", "照片.jpg"),
        ("照片.jfif", "jpg", "照片.jpg"),
        ("扫描件", "png", "扫描件.png"),
        ("会议纪要 2024.03.15", "pdf", "会议纪要 2024.03.15.pdf"),
        ("方案.最终版", "docx", "方案.最终版.docx"),
        ("预算表.xls", "xlsx", "预算表.xlsx"),
        (".exe", "pdf", "exe.pdf"),
        ("", "pdf", "file.pdf"),
        ("...", "xls", "file.xls"),
        ("CON.exe", "pdf", "_CON.pdf"),
        ("../../etc/passwd", "doc", "passwd.doc"),
    ],
)
def test_sanitize_with_a_kind_ends_the_name_with_that_types_extension(name, kind, expected):
    assert sanitize_filename(name, kind=kind) == expected


def test_a_long_name_is_cut_in_the_stem_and_keeps_the_detected_extension():
    result = sanitize_filename("很" * 300 + ".exe", kind="pdf")

    assert len(result) == MAX_NAME_LENGTH and result.endswith("很.pdf")


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PDF, "报价单.exe", "报价单.pdf"),
        (JPEG, "现场照片.png", "现场照片.jpg"),
        (PNG, "截图", "截图.png"),
        (ole2("WordDocument"), "旧版方案.docx", "旧版方案.doc"),
        (ole2("Workbook"), "旧版预算.xlsx", "旧版预算.xls"),
    ],
)
def test_the_stored_name_ends_with_the_extension_of_the_detected_type(store, data, name, expected):
    stored = store.check(data, name)

    assert stored.original_name == expected
    assert content_disposition(stored.original_name).endswith(expected[expected.rindex(".") :])


# --------------------------------------------------------------------------- Office packages (ZIP)


def office(kind: str, members: dict[str, bytes] | None = None, *, skip: tuple[str, ...] = ()) -> bytes:
    """A DOCX or XLSX package with the parts Word and Excel write, plus ``members``."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "_rels/.rels": b"<Relationships/>",
        main: b"<document/>",
        **(members or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            if name not in skip:
                # A fixed date: the same call gives the same bytes (a test compares a download with a second call).
                archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(m.file_size for m in archive.infolist())


def patch_central_directory(data: bytes, member: str, offset: int, value: int) -> bytes:
    """Set a 2-byte field of one member's central-directory entry (8: flags, 10: method)."""
    raw = bytearray(data)
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        name_length = int.from_bytes(raw[start + 28 : start + 30], "little")
        if raw[start + 46 : start + 46 + name_length] == member.encode():
            raw[start + offset : start + offset + 2] = value.to_bytes(2, "little")
            return bytes(raw)
        start = raw.find(b"PK\x01\x02", start + 1)
    raise AssertionError(member)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_real_office_package_is_accepted(store, kind):
    stored = store.check(office(kind), f"投标文件.{kind}")

    assert (stored.type, stored.original_name) == (kind, f"投标文件.{kind}")


def test_a_spreadsheet_of_realistic_repetitive_cells_is_not_mistaken_for_a_bomb(tmp_path):
    rows = "".join(f'<row r="{i}"><c r="A{i}" s="1"><v>{i * 37 % 1000}</v></c></row>' for i in range(1, 80_000))
    data = office("xlsx", {"xl/worksheets/sheet1.xml": f"<sheetData>{rows}</sheetData>".encode()})
    assert unpacked_size(data) > 3 * MB

    assert FileStore(tmp_path, max_bytes=20 * MB, max_unpacked_bytes=100 * MB).check(data, "台账.xlsx").type == "xlsx"


@pytest.mark.parametrize(
    ("kind", "data", "label"),
    [
        ("docx", office("docx", {"word/styles.xml": b"<styles/>"}, skip=("word/document.xml",)), "Word（DOCX）"),
        ("xlsx", office("xlsx", {"xl/styles.xml": b"<styles/>"}, skip=("xl/workbook.xml",)), "Excel（XLSX）"),
        ("docx", office("docx", skip=("_rels/.rels",)), "Word（DOCX）"),
        ("docx", office("docx", {"../../outside.txt": b"x"}), "Word（DOCX）"),
        ("docx", office("docx", {"/etc/cron.d/x": b"x"}), "Word（DOCX）"),
        ("docx", office("docx", {"C:/Windows/x.dll": b"x"}), "Word（DOCX）"),
        ("xlsx", office("xlsx", {"xl\\..\\..\\x.dll": b"x"}), "Excel（XLSX）"),
        ("docx", patch_central_directory(office("docx"), "word/document.xml", 8, 0x1), "Word（DOCX）"),
        ("docx", patch_central_directory(office("docx"), "word/document.xml", 10, 12), "Word（DOCX）"),
    ],
    ids=[
        "docx-without-document",
        "xlsx-without-workbook",
        "without-package-relationships",
        "dot-dot-member",
        "absolute-member",
        "drive-letter-member",
        "backslash-member",
        "encrypted-member",
        "bzip2-member",
    ],
)
def test_a_zip_that_is_not_a_whole_office_document_is_refused(store, kind, data, label):
    assert detect_type(data) == kind  # it says it is one ...

    with pytest.raises(ValidationFailed) as caught:
        store.save(data, f"方案.{kind}")
    # ... but it is not a whole one.
    assert caught.value.message.startswith(f"文件「方案.{kind}」不是完整有效的 {label}文档")
    assert "重新另存" in caught.value.message
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_a_zip_with_a_member_twice_is_refused(store):
    buffer = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "w") as archive:
        for name in ("[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/document.xml"):
            archive.writestr(name, "<x/>")

    with pytest.raises(ValidationFailed, match="不是完整有效的 Word（DOCX）文档"):
        store.check(buffer.getvalue(), "方案.docx")


def test_the_unpacked_total_is_limited_at_its_boundary(tmp_path):
    # Three parts of zeros, each under the ratio floor: only the total can refuse them.
    data = office("docx", {f"word/media/image{i}.bin": b"\x00" * (600 * 1024) for i in range(3)})
    total = unpacked_size(data)

    assert FileStore(tmp_path, max_bytes=MB, max_unpacked_bytes=total).check(data, "方案.docx").type == "docx"
    with pytest.raises(ValidationFailed) as caught:
        FileStore(tmp_path, max_bytes=MB, max_unpacked_bytes=total - 1).check(data, "方案.docx")
    assert caught.value.message.startswith("文件「方案.docx」解压后共 1.8 MB，超过 Office 文件解压后的上限 1.8 MB")


def test_the_unpacked_limit_is_the_setting_unless_the_store_is_given_one(tmp_path, monkeypatch):
    data = office("xlsx", {f"xl/media/image{i}.bin": b"\x00" * (900 * 1024) for i in range(3)})
    store = FileStore(tmp_path, max_bytes=MB)
    assert get_settings().max_unpacked_mb == 100
    assert store.check(data, "表.xlsx").type == "xlsx"

    monkeypatch.setattr(get_settings(), "max_unpacked_mb", 2)
    with pytest.raises(ValidationFailed, match="解压后共 2.6 MB，超过 Office 文件解压后的上限 2 MB"):
        store.check(data, "表.xlsx")


def test_a_zip_bomb_member_is_refused_for_its_ratio(store):
    bomb = office("docx", {"word/media/image1.png": b"\x00" * (2 * MB)})
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        member = archive.getinfo("word/media/image1.png")
    assert member.file_size / member.compress_size > MAX_COMPRESSION_RATIO
    assert unpacked_size(bomb) < 100 * MB  # not the total: the ratio refuses it

    with pytest.raises(ValidationFailed) as caught:
        store.save(bomb, "方案.docx")
    assert "中有一部分解压后是压缩时的" in caught.value.message and "压缩炸弹" in caught.value.message
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_a_highly_compressible_part_up_to_1_mb_is_harmless_and_over_it_is_not(store):
    assert store.check(office("docx", {"word/blank.xml": b"\x00" * MB}), "方案.docx").type == "docx"
    with pytest.raises(ValidationFailed, match="压缩炸弹"):
        store.check(office("docx", {"word/blank.xml": b"\x00" * (MB + 1)}), "方案.docx")


def test_a_declared_size_over_the_limit_is_refused_without_unpacking_anything(tmp_path, monkeypatch):
    # The zip bomb of the textbook: one member of zeros whose declared size is past the limit.
    bomb = office("xlsx", {"xl/worksheets/sheet1.xml": b"\x00" * (12 * MB)})
    good = office("xlsx")
    assert len(bomb) < 100 * 1024

    def no_unpacking(*args, **kwargs):
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_unpacking)
    store = FileStore(tmp_path, max_bytes=MB, max_unpacked_bytes=10 * MB)
    with pytest.raises(ValidationFailed, match="解压后共 12 MB，超过 Office 文件解压后的上限 10 MB"):
        store.check(bomb, "报价.xlsx")
    assert office_problem(good, "xlsx", 10 * MB) is None  # and a good one passes, unopened


def test_legacy_office_files_are_not_zip_checked(tmp_path):
    store = FileStore(tmp_path, max_bytes=MB, max_unpacked_bytes=1)
    assert store.check(ole2("WordDocument", body=b"\x00" * 4096), "旧版.doc").type == "doc"
    assert store.check(ole2("Workbook", body=b"\x00" * 4096), "旧版.xls").type == "xls"
