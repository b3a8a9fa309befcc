"""The numbered PDF of a contract change (补充合同 / 合同变更协议; issue 12 §5), rendered
once per content, signed by the platform and served from the cache like the contract
(core.pdfcache, core.pdfsign). The fingerprint printed on it is the change's text
SHA-256, the one both parties signed."""

from __future__ import annotations

from typing import Any

from contracts.changes.rules import FIELD_LABELS
from contracts.changes.states import CHANGE_KIND_LABELS, RATIONALE_LABELS, ChangeKind
from procurement.core import pdfcache
from procurement.core.i18n import _
from procurement.core.money import format_yuan, to_chinese_capital

TEMPLATE = "pdf/contract_change.html"
VERIFY_PATH = "/verify/contracts"


def term_text(field: str, value: Any) -> str:
    """A term as people read it in the table of changes."""
    if value is None or value == "":
        return "—"
    if field == "amount_fen":
        return format_yuan(int(value))
    if field == "indicators":
        return "；".join(f"{i['name']} {i.get('target') or '—'}{i.get('unit') or ''}" for i in value)
    if field == "installments":
        return "；".join(
            _("第 {seq} 期 {percent}% {amount}").format(
                seq=i["seq"], percent=i["percent"], amount=format_yuan(int(i["amount_fen"]))
            )
            for i in value
        )
    return str(value)


def change_context(
    contract: dict[str, Any],
    change: dict[str, Any],
    diff: list[dict[str, Any]],
    new_terms: dict[str, Any],
    *,
    original_fen: int,
    added_total_fen: int,
) -> dict[str, Any]:
    kind = ChangeKind(change["kind"])
    title = CHANGE_KIND_LABELS[kind]
    return {
        "title": title,
        "seq": change["seq"],
        "number": _("{kind}第 {seq} 号").format(kind=title, seq=change["seq"]),
        "contract": {
            "number": contract["number"],
            "title": contract["title"],
            "buyer_name": contract["buyer_name"],
            "provider_name": contract["provider_name"],
        },
        "rationale": RATIONALE_LABELS[change["rationale"]],
        "explanation": change["explanation"],
        "legal_basis": change["legal_basis"],
        "rows": [
            {
                "label": _(FIELD_LABELS[d["field"]]),
                "old": term_text(d["field"], d["old"]),
                "new": term_text(d["field"], d["new"]),
            }
            for d in diff
        ],
        "amount": format_yuan(int(new_terms["amount_fen"])),
        "amount_upper": to_chinese_capital(int(new_terms["amount_fen"])),
        "added": format_yuan(change["added_fen"]) if change["added_fen"] else "",
        "original": format_yuan(original_fen),
        "added_total": format_yuan(added_total_fen),
        "cap": format_yuan(original_fen * 10 // 100),
        "text_sha256": change["sha256"],
        "verify_path": VERIFY_PATH,
    }


async def change_pdf(context: dict[str, Any]) -> bytes:
    """The signed PDF: rendered and signed once, then the same bytes."""
    return (await pdfcache.render_cached(TEMPLATE, context, sign=True)).content
