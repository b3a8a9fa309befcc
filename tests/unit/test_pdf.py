"""PDF rendering: Chinese really shows (font embedded), installation problems are loud."""

from __future__ import annotations

import base64
import io
import logging
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from procurement.core import pdf
from procurement.core.errors import ConfigurationError
from procurement.core.pdf import (
    TEMPLATES_DIR,
    ensure_cjk_font,
    html_to_pdf,
    render_pdf,
    render_template_html,
    render_template_pdf,
)


def font_names(reader: PdfReader) -> set[str]:
    """BaseFont of every embedded font, descending into Type0 /DescendantFonts."""
    names: set[str] = set()

    def visit(font) -> None:
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(font["/BaseFont"]))
        for descendant in font.get("/DescendantFonts", []):
            visit(descendant)

    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for font in fonts.get_object().values():
            visit(font)
    return names


def image_count(pdf_bytes: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    count = 0
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get_object().get("/XObject", {})
        count += sum(1 for x in xobjects.get_object().values() if x.get_object()["/Subtype"] == "/Image")
    return count


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_template_pdf("pdf/sample.html", {})


@pytest.fixture
def fresh_font_cache():
    ensure_cjk_font.cache_clear()
    yield
    ensure_cjk_font.cache_clear()


def fake_fc_list(monkeypatch, stdout: str, calls: list | None = None) -> None:
    def run(args, **kwargs):
        if calls is not None:
            calls.append(args)
        return subprocess.CompletedProcess(args, 0, stdout=stdout, stderr="")

    monkeypatch.setattr(pdf.subprocess, "run", run)


def test_templates_dir_is_the_repository_templates_folder():
    assert TEMPLATES_DIR == Path(pdf.__file__).resolve().parents[2] / "templates"
    assert (TEMPLATES_DIR / "pdf" / "base.html").is_file()


def test_the_sample_pdf_text_extracts_as_chinese(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    text = "".join(page.extract_text() for page in reader.pages)

    assert sample_pdf.startswith(b"%PDF-")
    assert "系统测试文档" in text
    assert "社区居家养老服务" in text
    assert "1,734,500.50" in text
    assert "第 1 页 / 共 1 页" in text
    assert "采购人（盖章）" in text


def test_the_sample_pdf_embeds_a_cjk_font(sample_pdf):
    names = font_names(PdfReader(io.BytesIO(sample_pdf)))

    assert names, "no embedded fonts at all"
    assert any("CJK" in name or "Noto" in name for name in names), names


def test_ensure_cjk_font_prefers_the_noto_sc_families(fresh_font_cache, monkeypatch):
    fake_fc_list(monkeypatch, "WenQuanYi Zen Hei\nNoto Sans CJK SC,Noto Sans CJK SC Regular\n")

    assert ensure_cjk_font() == "Noto Sans CJK SC"


def test_ensure_cjk_font_falls_back_to_any_chinese_family(fresh_font_cache, monkeypatch):
    fake_fc_list(monkeypatch, "WenQuanYi Zen Hei,文泉驛正黑\nAR PL UMing CN\n")

    assert ensure_cjk_font() == "WenQuanYi Zen Hei"


def test_ensure_cjk_font_on_this_machine_finds_noto():
    assert ensure_cjk_font() in ("Noto Serif CJK SC", "Noto Sans CJK SC")


def test_no_chinese_font_raises_a_configuration_error_in_chinese(fresh_font_cache, monkeypatch):
    fake_fc_list(monkeypatch, "")

    with pytest.raises(ConfigurationError) as caught:
        ensure_cjk_font()

    message = str(caught.value)
    assert message.startswith("未找到中文字体：PDF 会显示方框。")
    assert "apt-get install fonts-noto-cjk" in message


def test_a_missing_fc_list_is_reported_as_no_chinese_font(fresh_font_cache, monkeypatch):
    def run(args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "fc-list")

    monkeypatch.setattr(pdf.subprocess, "run", run)

    with pytest.raises(ConfigurationError, match="未找到中文字体"):
        ensure_cjk_font()


def test_rendering_stops_before_weasyprint_when_no_chinese_font(fresh_font_cache, monkeypatch):
    fake_fc_list(monkeypatch, "\n")

    with pytest.raises(ConfigurationError, match="fonts-noto-cjk"):
        html_to_pdf("<p>中文</p>")


def test_a_found_font_is_cached_but_a_failure_is_not(fresh_font_cache, monkeypatch):
    calls: list = []
    fake_fc_list(monkeypatch, "", calls)
    with pytest.raises(ConfigurationError):
        ensure_cjk_font()

    fake_fc_list(monkeypatch, "Noto Serif CJK SC\n", calls)
    assert ensure_cjk_font() == "Noto Serif CJK SC"
    assert ensure_cjk_font() == "Noto Serif CJK SC"

    assert len(calls) == 2
    assert calls[0] == ["fc-list", ":lang=zh", "family"]


def test_missing_harfbuzz_subset_is_a_warning_not_an_error(fresh_font_cache, monkeypatch, caplog):
    fake_fc_list(monkeypatch, "Noto Sans CJK SC\n")
    monkeypatch.setattr(pdf.ctypes.util, "find_library", lambda name: None)

    with caplog.at_level(logging.WARNING, logger="procurement.pdf"):
        assert ensure_cjk_font() == "Noto Sans CJK SC"

    assert any("harfbuzz-subset" in r.getMessage() for r in caplog.records)


def test_template_values_are_autoescaped():
    html = render_template_html(
        "pdf/sample.html",
        {"items": [{"name": "<img src=x>", "detail": "甲&乙", "amount": "¥1.00"}]},
    )

    assert "<img src=x>" not in html
    assert "&lt;img src=x&gt;" in html
    assert "甲&amp;乙" in html


def test_local_files_outside_the_templates_are_not_fetched(tmp_path):
    image = tmp_path / "secret.png"
    image.write_bytes(tiny_png())
    data_uri = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()

    outside = html_to_pdf(f'<p>图</p><img src="{image.as_uri()}">')
    inline = html_to_pdf(f'<p>图</p><img src="{data_uri}">')
    explicit_base = html_to_pdf('<p>图</p><img src="secret.png">', base_url=str(tmp_path) + "/")

    assert image_count(outside) == 0
    assert image_count(inline) == 1
    assert image_count(explicit_base) == 1


async def test_render_pdf_runs_from_async_code():
    items = [{"name": "异步渲染测试", "detail": "在线程中生成", "amount": "¥0.01"}]

    data = await render_pdf("pdf/sample.html", {"items": items, "total": "¥0.01"})

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "异步渲染测试" in text
    assert "¥0.01" in text
