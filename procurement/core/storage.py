"""Content-addressed file storage for uploads (bids, contracts, invoices, photos).

Files are named by the SHA-256 of their bytes and sharded as
``root/ab/cd/abcd…``. The original name never touches the filesystem: a bidder
choosing ``../../etc/passwd`` or ``CON.pdf`` can only change what the download
is *called*, never where anything is written. Identical uploads share one file,
so re-submitting the same 营业执照 twenty times costs disk once.

Types are decided by content, not by extension: a renamed ``.exe`` must not
reach an evaluator's desktop as "报价单.pdf". Everything here is sync; async
callers wrap it in ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import _

# Keys are what callers put in ``allowed_types``; order is the order shown to users.
KNOWN_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
# Reserved on Windows or Unix; "/" and "\\" are already path separators by then.
_RESERVED_CHARS = set('<>:"/\\|?*\x00')
# Names Windows refuses to create whatever the extension ("CON.pdf" included).
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
_MAX_EXTENSION = 16


def _ole2_has_stream(data: bytes, name: str) -> bool:
    """True if an OLE2 directory entry is called ``name``.

    Directory entries are 128 bytes, always 128-aligned in the file, and start
    with the UTF-16LE name, NUL-terminated, followed at byte 64 by the name's
    byte length. Checking all three keeps body text that merely *mentions*
    "Workbook" from deciding the type.
    """
    needle = (name + "\0").encode("utf-16-le")
    length = len(needle).to_bytes(2, "little")
    start = data.find(needle)
    while start != -1:
        if start % 128 == 0 and data[start + 64 : start + 66] == length:
            return True
        start = data.find(needle, start + 1)
    return False


def detect_type(data: bytes) -> str | None:
    """Return the ``KNOWN_TYPES`` key for ``data``, or None if it is none of them.

    Only the bytes count. A plain zip, HTML or an executable is None even when
    named ``.docx`` or ``.pdf``; callers then refuse it. ``%PDF-`` must be at
    byte 0: viewers tolerate leading junk, but accepting it would let an HTML
    page with "%PDF-" in its first kilobyte through as a PDF.
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(_OLE2_MAGIC):
        if _ole2_has_stream(data, "WordDocument"):
            return "doc"
        if _ole2_has_stream(data, "Workbook") or _ole2_has_stream(data, "Book"):
            return "xls"
        return None
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _split_extension(name: str) -> tuple[str, str]:
    """Split off a plausible extension (".pdf"), keeping dots inside the stem."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= _MAX_EXTENSION and " " not in ext:
        return stem, "." + ext
    return name, ""


def sanitize_filename(name: str, max_length: int = 120) -> str:
    """Make an uploaded name safe to store and to offer as a download name.

    Browsers send anything: full Windows paths, "../" chains, newlines that
    would split a header, bidi overrides that display "exe.pdf" as "fdp.exe".
    Chinese is kept as is; it is the whole point of the name.
    """
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for ch in name:
        category = unicodedata.category(ch)
        if ch in "\t\n\r\x0b\x0c" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in _RESERVED_CHARS:
            continue
        else:
            kept.append(ch)
    name = " ".join("".join(kept).split())
    # Leading dots hide files and make "..": trailing dots/spaces Windows drops.
    name = name.lstrip(". ").rstrip(". ")
    stem, ext = _split_extension(name)
    if stem.upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    if len(stem) + len(ext) > max_length:
        if len(ext) >= max_length:
            stem, ext = stem + ext, ""
        stem = stem[: max_length - len(ext)].rstrip(". ")
    name = stem + ext
    return name or "file"


def content_disposition(name: str, inline: bool = False) -> str:
    """Header value that downloads under the original (Chinese) name.

    ``filename*`` (RFC 5987/6266) carries the UTF-8 name for every current
    browser; ``filename`` is an ASCII-only fallback for old clients and tools
    that would otherwise mangle or drop the header.
    """
    safe = sanitize_filename(name)
    stem, ext = _split_extension(safe)
    ascii_ext = ext if ext.isascii() else ""
    ascii_stem = re.sub(r"[^\x20-\x7e]+", "_", stem).strip("_ ")
    ascii_stem = ascii_stem.replace('"', "").replace("\\", "")
    fallback = (ascii_stem or "file") + ascii_ext
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def _format_size(n: int) -> str:
    """Limits as users think of them: "20 MB", not 20971520."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            value = round(n / factor, 1)
            return f"{value:g} {unit}"
    return _("{n} 字节").format(n=n)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    type: str
    mime: str
    original_name: str  # already sanitised; safe to store and to show


def _check_types(types: Iterable[str]) -> tuple[str, ...]:
    """Unknown keys are a programming error, caught at the first call, not by users."""
    result = tuple(types)
    unknown = [t for t in result if t not in KNOWN_TYPES]
    if unknown:
        raise ValueError(f"unknown file types {unknown}; known: {list(KNOWN_TYPES)}")
    return result


class FileStore:
    """Files under ``root`` named by their SHA-256 (see module docstring)."""

    def __init__(self, root: Path, *, max_bytes: int, allowed_types: Iterable[str] | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.allowed_types = _check_types(KNOWN_TYPES if allowed_types is None else allowed_types)

    def save(
        self,
        data: bytes,
        original_name: str,
        *,
        allowed_types: Iterable[str] | None = None,
        max_bytes: int | None = None,
    ) -> StoredFile:
        """Check, then store ``data`` once; return what the caller records in the DB.

        The write goes to a temp file in the target directory and is renamed
        into place, so a crash or a concurrent reader never sees half a file.
        Two uploads of the same bytes race harmlessly: both renames install
        identical content.
        """
        stored = self.check(data, original_name, allowed_types=allowed_types, max_bytes=max_bytes)
        self.save_blob(data)
        return stored

    def save_blob(self, data: bytes) -> str:
        """Store opaque bytes (e.g. ciphertext of a checked file) by their hash."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if not (path.is_file() and path.stat().st_size == len(data)):
            self._write_atomically(path, data)
        return digest

    def check(
        self,
        data: bytes,
        original_name: str,
        *,
        allowed_types: Iterable[str] | None = None,
        max_bytes: int | None = None,
    ) -> StoredFile:
        """The checks of ``save`` without writing: emptiness, size, type by content."""
        name = sanitize_filename(original_name)
        allowed = self.allowed_types if allowed_types is None else _check_types(allowed_types)
        limit = self.max_bytes if max_bytes is None else max_bytes
        if not data:
            raise ValidationFailed(_("文件「{name}」为空，请重新选择文件。").format(name=name))
        if len(data) > limit:
            raise ValidationFailed(
                _("文件「{name}」超过大小上限 {format_size}，请压缩或拆分后重新上传。").format(
                    name=name, format_size=_format_size(limit)
                )
            )
        kind = detect_type(data)
        if kind is None or kind not in allowed:
            shown = "、".join(t.upper() for t in KNOWN_TYPES if t in allowed)
            raise ValidationFailed(
                _("文件「{name}」的内容不是允许的类型（允许：{shown}）；系统按文件内容判断类型，而不是扩展名。").format(
                    name=name, shown=shown
                )
            )
        return StoredFile(hashlib.sha256(data).hexdigest(), len(data), kind, KNOWN_TYPES[kind], name)

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # Make the rename itself durable; not every platform can fsync a directory.
        try:
            dir_fd = os.open(path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)

    def path_for(self, sha256: str) -> Path:
        """Where ``sha256`` lives. The hash comes from URLs and the DB, so it is
        checked strictly: anything but 64 lowercase hex could walk out of root."""
        if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
            raise ValidationFailed(_("文件标识无效。"))
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def read(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound(_("文件不存在或已被删除。")) from None

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def verify(self, sha256: str) -> bool:
        """True only if the file exists and still hashes to its name (bit rot,
        a restore gone wrong, someone editing files by hand)."""
        path = self.path_for(sha256)
        try:
            with path.open("rb") as handle:
                return hashlib.file_digest(handle, "sha256").hexdigest() == sha256
        except FileNotFoundError:
            return False
