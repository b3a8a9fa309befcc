"""The content-keyed PDF cache: rendered once per content, then the same bytes."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import threading

import pytest

from procurement.core import pdf, pdfcache, pdfsign
from procurement.settings import reset_settings_cache


@pytest.fixture
def cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("PROCUREMENT_VAR_DIR", str(tmp_path))
    reset_settings_cache()
    pdfsign.reset_cache()
    yield tmp_path / pdfcache.CACHE_DIR_NAME
    reset_settings_cache()
    pdfsign.reset_cache()


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Count real renderings (the cache calls pdf.render_template_pdf)."""
    calls: list[str] = []
    real = pdf.render_template_pdf

    def counting(template_name, context):
        calls.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(pdf, "render_template_pdf", counting)
    return calls


def test_the_second_request_is_served_from_the_cache_without_rendering(cache_in_tmp, renders):
    first = pdfcache.render_cached_sync("pdf/sample.html", {"n": 1})
    second = pdfcache.render_cached_sync("pdf/sample.html", {"n": 1})

    assert renders == ["pdf/sample.html"]
    assert first.rendered and not second.rendered
    assert second.content == first.content
    assert second.sha256 == first.sha256 == hashlib.sha256(first.content).hexdigest()
    assert (cache_in_tmp / f"{first.key}.pdf").read_bytes() == first.content


def test_cached_pdfs_are_signed_unless_asked_otherwise(cache_in_tmp, renders):
    signed = pdfcache.render_cached_sync("pdf/sample.html", {})
    unsigned = pdfcache.render_cached_sync("pdf/sample.html", {}, sign=False)

    assert pdfsign.verify(signed.content).ok
    assert pdfsign.verify(unsigned.content).integrity is pdfsign.Integrity.UNSIGNED
    assert signed.key != unsigned.key


def test_a_changed_context_renders_again(cache_in_tmp, renders):
    a = pdfcache.render_cached_sync("pdf/sample.html", {"n": 1}, sign=False)
    b = pdfcache.render_cached_sync("pdf/sample.html", {"n": 2}, sign=False)

    assert len(renders) == 2
    assert a.key != b.key


def test_the_key_ignores_the_order_of_keys_but_not_values():
    key = pdfcache.cache_key
    assert key("pdf/sample.html", {"a": 1, "b": [1, 2]}, sign=False) == key(
        "pdf/sample.html", {"b": [1, 2], "a": 1}, sign=False
    )
    assert key("pdf/sample.html", {"a": 1}, sign=False) != key("pdf/sample.html", {"a": "1"}, sign=False)
    assert key("pdf/sample.html", {"a": [1, 2]}, sign=False) != key("pdf/sample.html", {"a": [2, 1]}, sign=False)


def test_the_key_changes_when_a_template_it_extends_changes(monkeypatch):
    before = pdfcache.cache_key("pdf/sample.html", {}, sign=False)
    real = pdfcache.template_sources

    def edited(name):
        sources = real(name)
        sources["pdf/base.html"] += "<!-- edited -->"
        return sources

    monkeypatch.setattr(pdfcache, "template_sources", edited)

    assert pdfcache.cache_key("pdf/sample.html", {}, sign=False) != before


def test_the_sources_follow_extends():
    assert {"pdf/sample.html", "pdf/base.html"} <= set(pdfcache.template_sources("pdf/sample.html"))


def test_canonical_json_takes_dates_and_decimals_and_refuses_unknown_objects():
    text = pdfcache.canonical_json({"d": dt.date(2026, 1, 2), "m": decimal.Decimal("1.50"), "b": 1})

    assert text == '{"b":1,"d":"2026-01-02","m":"1.50"}'
    with pytest.raises(TypeError):
        pdfcache.canonical_json({"x": object()})


def test_concurrent_requests_render_once_and_get_the_same_bytes(cache_in_tmp, renders):
    results: list[pdfcache.CachedPdf] = []

    def fetch():
        results.append(pdfcache.render_cached_sync("pdf/sample.html", {"race": True}))

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(renders) == 1
    assert len({r.content for r in results}) == 1
    assert list(cache_in_tmp.glob(".*.tmp")) == []


def test_a_file_another_process_stored_first_wins(cache_in_tmp):
    key = pdfcache.cache_key("pdf/sample.html", {"other": 1}, sign=False)
    cache_in_tmp.mkdir(parents=True)
    (cache_in_tmp / f"{key}.pdf").write_bytes(b"%PDF-theirs")

    assert pdfcache._store(cache_in_tmp / f"{key}.pdf", b"%PDF-mine") == b"%PDF-theirs"


async def test_render_cached_runs_off_the_event_loop(cache_in_tmp):
    result = await pdfcache.render_cached("pdf/sample.html", {"async": True}, sign=False)

    assert result.content.startswith(b"%PDF-")
