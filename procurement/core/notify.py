"""One call per event: ``notify(event, recipients, context)``.

Today it writes inbox items; email joins in a later issue, from the same call.
Titles and bodies come from ``core.strings.NOTIFICATIONS`` so every message
text lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from procurement.core import clock, db
from procurement.core.strings import NOTIFICATIONS


async def notify(event: str, recipients: Iterable[int], context: dict[str, Any] | None = None) -> int:
    """Write one inbox item per recipient (user ids), in the caller's transaction."""
    from procurement.core.tables import InboxItem

    template = NOTIFICATIONS[event]
    ctx = context or {}
    title = template["title"].format(**ctx)
    body = template["body"].format(**ctx)
    link = ctx.get("link", "")
    ids = sorted(set(recipients))
    if not ids:
        return 0
    now = clock.now()
    async with db.transaction():
        await InboxItem.insert(
            *[
                InboxItem(recipient=uid, event=event, title=title[:200], body=body, link=link, created_at=now)
                for uid in ids
            ]
        )
    return len(ids)
