"""PDFs rendered once per content, then served from ``<var>/pdf-cache/<key>.pdf``.

A contract version is rendered and signed the first time somebody asks for it;
every later request gets the same bytes (so the same SHA-256), not a new
rendering with a new signing time. The key is the SHA-256 of:

- the template's name and the source of every template it extends, includes or
  imports (found through Jinja's AST), so editing the template or its CSS gives
  a new key rather than serving a stale layout;
- the context as canonical JSON (sorted keys, no whitespace; dates ISO,
  Decimals as strings, pydantic models dumped): the same content, the same key;
- the active language and, for signed PDFs, the SHA-256 of the signing
  certificate (a new certificate means new signatures).

Writes are safe with several threads or processes: the PDF is written to a
temporary file and hard-linked to its final name, which fails if another
writer got there first, in which case that writer's bytes are kept and served
(one file per key, ever). Within a process one lock per key stops the same
PDF being rendered twice at once.

The cache is a cache: deleting the folder loses nothing but time. A document
whose issued bytes matter (a signed contract version) should keep its
SHA-256 (and, if needed, the bytes themselves) with the version it belongs to.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import enum
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import meta

from procurement.core import i18n, pdf, pdfsign
from procurement.settings import get_settings

CACHE_DIR_NAME = "pdf-cache"
_KEY_VERSION = "pdfcache-1"


@dataclass(frozen=True)
class CachedPdf:
    content: bytes
    sha256: str
    key: str
    rendered: bool  # False when served from the cache


def cache_dir() -> Path:
    return get_settings().var_dir / CACHE_DIR_NAME


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):
        return model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value)
    # Anything else would be keyed by its repr, which may hide a change: refuse.
    raise TypeError(f"cannot put {type(value).__name__} in a cached PDF's context")


def canonical_json(context: Any) -> str:
    """The context as one canonical string (the same content always gives the same text)."""
    return json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def template_sources(template_name: str) -> dict[str, str]:
    """The source of the template and of every template it references, transitively."""
    environment = pdf._environment()
    loader = environment.loader
    assert loader is not None  # the PDF environment always has its file loader
    sources: dict[str, str] = {}
    pending = [template_name]
    while pending:
        name = pending.pop()
        if name in sources:
            continue
        source, _filename, _uptodate = loader.get_source(environment, name)
        sources[name] = source
        pending.extend(ref for ref in meta.find_referenced_templates(environment.parse(source)) if ref is not None)
    return sources


def cache_key(template_name: str, context: dict[str, Any], *, sign: bool = True) -> str:
    digest = hashlib.sha256()
    language = i18n.active().info().get("language", i18n.SOURCE_LANGUAGE)
    for part in (_KEY_VERSION, template_name, language, "signed" if sign else "unsigned"):
        digest.update(part.encode() + b"\0")
    for name, source in sorted(template_sources(template_name).items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(source.encode()).digest())
    if sign:
        digest.update(pdfsign.platform_signer().cert_sha256.encode() + b"\0")
    digest.update(canonical_json(context).encode())
    return digest.hexdigest()


# A fixed set of locks, chosen by key: no growing table, and two different PDFs
# rarely wait on each other.
_locks = tuple(threading.Lock() for _ in range(64))


def _lock_for(key: str) -> threading.Lock:
    return _locks[int(key[:8], 16) % len(_locks)]


def _store(path: Path, content: bytes) -> bytes:
    """Put ``content`` at ``path`` unless another writer did first; return what is there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(content)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return path.read_bytes()
    except OSError:  # a filesystem without hard links: rename is atomic too (last writer wins)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return content


def render_cached_sync(template_name: str, context: dict[str, Any], *, sign: bool = True) -> CachedPdf:
    """Rendered (and signed) once per content, then read from the cache. CPU-bound:
    from the event loop use ``render_cached``."""
    key = cache_key(template_name, context, sign=sign)
    path = cache_dir() / f"{key}.pdf"
    with _lock_for(key):
        rendered = False
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            content = pdf.render_template_pdf(template_name, context)
            if sign:
                content = pdfsign.sign_pdf(content)
            content = _store(path, content)
            rendered = True
    return CachedPdf(content=content, sha256=hashlib.sha256(content).hexdigest(), key=key, rendered=rendered)


async def render_cached(template_name: str, context: dict[str, Any], *, sign: bool = True) -> CachedPdf:
    """``render_cached_sync`` off the event loop (rendering a contract takes about a second)."""
    return await asyncio.to_thread(render_cached_sync, template_name, context, sign=sign)
