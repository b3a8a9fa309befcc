"""The printed sheet of survey codes (issue 14 §3): each one-time code as a QR code that
opens the residents' survey at its absolute link, drawn by ``segno`` as inline SVG so the
page needs nothing from outside the app."""

from __future__ import annotations

import asyncio


def survey_url(base_url: str, link: str) -> str:
    """The absolute link a code's QR carries: the site's address and the code's survey path."""
    return base_url.rstrip("/") + link


def qr_svg(url: str) -> str:
    """One QR code (error correction M, so a creased card still reads) as an inline SVG
    element with a title naming the link."""
    import segno  # here, not at start-up: only the printed sheet needs it (issue 11, cold start)

    return segno.make(url, error="m", micro=False).svg_inline(scale=3, title=url, svgclass="qr")


async def qr_svgs(urls: list[str]) -> list[str]:
    """A sheet's QR codes, drawn off the event loop (up to 500 per batch)."""
    return await asyncio.to_thread(lambda: [qr_svg(u) for u in urls])
