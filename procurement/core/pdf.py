"""HTML → PDF with WeasyPrint for 招标公告, contracts, evaluation reports.

Two installation problems make PDFs silently wrong rather than failing, so they
are checked here before rendering: without a CJK font every Chinese character
becomes a box (the PDF still "works", and nobody notices until it is signed),
and without Debian's libharfbuzz-subset0 WeasyPrint embeds whole 20 MB CJK
fonts and gets ten times slower.

Rendering never fetches from the network or reads arbitrary local files:
templates are autoescaped, and the URL fetcher only serves ``data:`` URIs and
files under the templates and static directories, so a stray ``|safe`` on user
text cannot turn into ``<img src="file:///etc/passwd">`` or an internal request.
"""

from __future__ import annotations

import asyncio
import ctypes.util
import functools
import hashlib
import logging
import subprocess
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from procurement.core import i18n
from procurement.core.errors import ConfigurationError
from procurement.core.i18n import N_, _

log = logging.getLogger("procurement.pdf")

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

PREFERRED_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
NO_CJK_FONT_MESSAGE = N_(
    "未找到中文字体：PDF 会显示方框。请安装 fonts-noto-cjk（Debian: apt-get install fonts-noto-cjk）后重试。 No CJK font installed: install fonts-noto-cjk."
)
_FC_LIST_TIMEOUT = 15


def _list_chinese_families() -> list[str]:
    """Family names fontconfig reports for Chinese, in fc-list order.

    fc-list prints one font per line, its family names comma-separated
    ("Noto Sans CJK SC,Noto Sans CJK SC Regular").
    """
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=_FC_LIST_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("fc-list failed: %s", exc)
        return []
    families: list[str] = []
    for line in (result.stdout or "").splitlines():
        for family in line.split(","):
            family = family.strip()
            if family and family not in families:
                families.append(family)
    return families


@functools.cache
def ensure_cjk_font() -> str:
    """Return the CJK family PDFs will use, or raise ConfigurationError.

    Cached once it succeeds (``functools.cache`` does not cache exceptions), so
    an operator who installs the font fixes the next render without a restart.
    """
    families = _list_chinese_families()
    if not families:
        raise ConfigurationError(_(NO_CJK_FONT_MESSAGE))
    if ctypes.util.find_library("harfbuzz-subset") is None:
        log.warning(
            "libharfbuzz-subset not found: WeasyPrint will embed whole CJK fonts and "
            "render PDFs 10x+ slower. Install libharfbuzz-subset0 (Debian)."
        )
    for preferred in PREFERRED_FONTS:
        if preferred in families:
            return preferred
    return families[0]


def _allowed_roots(base_url: str | None) -> list[Path]:
    roots = [TEMPLATES_DIR.resolve(), STATIC_DIR.resolve()]
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme in ("", "file"):
            base = Path(unquote(parts.path) if parts.scheme else base_url).resolve()
            roots.append(base if base.is_dir() else base.parent)
    return roots


def _make_url_fetcher(base_url: str | None):
    """A fetcher that serves only ``data:`` and files under the allowed roots.

    Refusals raise ValueError, which WeasyPrint logs and treats as a missing
    resource; the document still renders.
    """
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 66 has no fetcher class; keep its default.
        return None
    roots = _allowed_roots(base_url)

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
            raise ValueError(f"PDF rendering may not fetch {url!r}")

    return LocalOnlyFetcher()


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML string to PDF bytes. Sync and CPU-bound: call it off the loop.

    ``base_url`` resolves relative ``src``/``href``; it defaults to the
    templates directory so templates can reference their own assets.
    """
    ensure_cjk_font()
    try:
        import weasyprint
    except OSError as exc:  # pango/cairo missing: an installation problem
        raise ConfigurationError(f"WeasyPrint cannot load its system libraries: {exc}") from exc
    if base_url is None:
        base_url = str(TEMPLATES_DIR) + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=_make_url_fetcher(base_url))
    return document.write_pdf()


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process so compiled templates are reused."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.jinja_install(environment)
    return environment


def render_template_html(template_name: str, context: dict) -> str:
    """The HTML that would be printed; useful for previews and for tests."""
    return _environment().get_template(template_name).render(**context)


def render_template_pdf(template_name: str, context: dict) -> bytes:
    """Render ``templates/<template_name>`` (e.g. "pdf/sample.html") to PDF bytes."""
    return html_to_pdf(render_template_html(template_name, context))


class _PdfCache:
    """Rendered PDFs by the digest of their HTML (the template's name and the
    whole rendered input), least recently used dropped past ``max_bytes``: the
    same document asked for again costs its HTML, not WeasyPrint's ~200 ms. A
    change to anything printed changes the HTML, hence the key, so nothing is
    ever stale; a PDF reached only after its own permission check is found only
    by whoever renders the very same HTML."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0

    def get(self, key: str) -> bytes | None:
        data = self._entries.get(key)
        if data is not None:
            self._entries.move_to_end(key)
        return data

    def put(self, key: str, data: bytes) -> None:
        if key in self._entries or len(data) > self.max_bytes:
            return
        self._entries[key] = data
        self._size += len(data)
        while self._size > self.max_bytes:
            _key, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped)


PDF_CACHE = _PdfCache(max_bytes=32 * 1024 * 1024)


def _html_and_key(template_name: str, context: dict) -> tuple[str, str]:
    html = render_template_html(template_name, context)
    return html, hashlib.sha256(f"{template_name}\0{html}".encode()).hexdigest()


async def render_pdf(template_name: str, context: dict) -> bytes:
    """Async wrapper: a contract PDF takes ~1 s of CPU, which must not stall the
    loop; the same HTML twice is rendered once (``PDF_CACHE``)."""
    html, key = await asyncio.to_thread(_html_and_key, template_name, context)
    data = PDF_CACHE.get(key)
    if data is None:
        data = await asyncio.to_thread(html_to_pdf, html)
        PDF_CACHE.put(key, data)
    return data


def etag_of(data: bytes) -> str:
    """A strong ETag for a document's bytes."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
