"""When a tender's key may be used (invariant 2).

Before the opening time a bid decrypts only for its own organization; at and
after the opening, for the opening itself and for the bureau and the panel.
Every decryption goes through one of the two functions here, so a route that
wants bid content must say for whom.
"""

from __future__ import annotations

from typing import Any

from procurement.bids.tables import TenderKey
from procurement.core import clock, crypto, db
from procurement.core.auth import CurrentUser
from procurement.core.errors import PermissionDenied
from procurement.core.i18n import _
from procurement.settings import get_settings


def _context(tender_id: int) -> bytes:
    return f"tender:{tender_id}".encode()


async def ensure_key(tender_id: int) -> bytes:
    """The tender's key, made on first use (inside the caller's transaction, or a
    write transaction of its own when called outside one)."""
    master = crypto.master_key(get_settings().resolved_secret_key())
    row = await TenderKey.select(TenderKey.wrapped).where(TenderKey.tender == tender_id).first()
    if row is not None:
        return crypto.unwrap_key(master, row["wrapped"], _context(tender_id))
    async with db.transaction():
        row = await TenderKey.select(TenderKey.wrapped).where(TenderKey.tender == tender_id).first()
        if row is not None:
            return crypto.unwrap_key(master, row["wrapped"], _context(tender_id))
        key = crypto.new_key()
        await TenderKey.insert(
            TenderKey(
                tender=tender_id, wrapped=crypto.wrap_key(master, key, _context(tender_id)), created_at=clock.now()
            )
        )
        return key


async def key_for_owner(user: CurrentUser, bid: dict[str, Any], wrapped: str | None = None) -> bytes:
    """The key, for the bid's own organization only (any time). ``wrapped``: the tender's
    wrapped key when the caller has already read it (with the bid, in one statement)."""
    if user.organization_id != bid["organization"]:
        raise PermissionDenied(_("开标前只有投标机构本身可以查看投标内容。"))
    if wrapped:
        master = crypto.master_key(get_settings().resolved_secret_key())
        return crypto.unwrap_key(master, wrapped, _context(bid["tender"]))
    return await ensure_key(bid["tender"])


async def key_after_opening(tender: dict[str, Any]) -> bytes:
    """The key, only once the opening time has come by the server's clock."""
    if tender["opening_at"] is None or clock.now() < tender["opening_at"]:
        raise PermissionDenied(_("尚未到开标时间，投标文件保持密封。"))
    return await ensure_key(tender["id"])


def bid_context(bid_id: int, part: str) -> bytes:
    return f"bid:{bid_id}:{part}".encode()
