"""The 拨付单 PDF and the payment ledger export (issue 14 §4, §5).

The voucher is rendered by WeasyPrint off the event loop (``core.pdf.render_pdf``)
with the CJK font; the ledger is a CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or an XLSX (xlsxwriter, built in a worker thread). Amounts are in yuan
with two decimals, from integer fen, never through float.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime
from typing import Any

from contracts.payments.schemas import InstallmentsOut
from procurement.core import clock
from procurement.core.i18n import _
from procurement.core.money import fen_to_decimal, format_yuan, to_chinese_capital
from procurement.core.pdf import render_pdf

VOUCHER_TEMPLATE = "contracts/payments/voucher.html"


def _local(value: datetime | None) -> str:
    return "" if value is None else f"{clock.to_local(value):%Y-%m-%d %H:%M}"


def _day(value: date | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


def voucher_context(contract: dict[str, Any], ledger: InstallmentsOut, seq: int) -> dict[str, Any]:
    item = next(i for i in ledger.installments if i.seq == seq)
    return {
        "contract": {
            key: contract[key]
            for key in ("number", "title", "buyer_name", "provider_name", "provider_bank_name", "provider_bank_account")
        },
        "seq": seq,
        "label": item.label,
        "gate_label": item.gate_label,
        "amount": format_yuan(item.released_fen),
        "amount_upper": to_chinese_capital(item.released_fen),
        "voucher_no": item.voucher_no or "",
        "due_on": _day(item.due_on),
        "deadline_on": _day(item.deadline_on),
        "requested_at": _local(item.requested_at),
        "approved_at": _local(item.approved_at),
        "released_at": _local(item.released_at),
        "released_total": format_yuan(ledger.released_fen),
        "cap": format_yuan(ledger.cap_fen),
    }


async def voucher_pdf(context: dict[str, Any]) -> bytes:
    return await render_pdf(VOUCHER_TEMPLATE, context)


def _header() -> list[str]:
    return [
        _("合同编号"),
        _("合同名称"),
        _("期次"),
        _("款项"),
        _("比例（%）"),
        _("付款条件"),
        _("最低等级"),
        _("约定日期"),
        _("金额（元）"),
        _("应付金额（元）"),
        _("状态"),
        _("应付日期"),
        _("付款期限"),
        _("剩余天数"),
        _("逾期"),
        _("已拨付（元）"),
        _("拨付时间"),
        _("凭证号"),
    ]


def ledger_rows(ledger: InstallmentsOut) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for i in ledger.installments:
        rows.append(
            [
                ledger.contract_number,
                ledger.contract_title,
                i.seq,
                i.label,
                i.percent,
                i.gate_label,
                i.min_grade or "",
                _day(i.due_date),
                fen_to_decimal(i.amount_fen),
                fen_to_decimal(i.payable_fen),
                i.status_label,
                _day(i.due_on),
                _day(i.deadline_on),
                "" if i.days_left is None else i.days_left,
                _("是") if i.late else "",
                fen_to_decimal(i.released_fen),
                _local(i.released_at),
                i.voucher_no or "",
            ]
        )
    return rows


def ledger_csv(ledger: InstallmentsOut) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for row in ledger_rows(ledger):
        writer.writerow([f"{v:.2f}" if hasattr(v, "quantize") else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(ledger: InstallmentsOut) -> bytes:
    buffer = io.BytesIO()
    import xlsxwriter  # here, not at start-up: only a download needs it (issue 11, cold start)

    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("付款台账"))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, _header(), bold)
    for r, row in enumerate(ledger_rows(ledger), start=1):
        for c, value in enumerate(row):
            if hasattr(value, "quantize"):
                sheet.write_number(r, c, value, money)  # a Decimal of yuan with two places
            else:
                sheet.write(r, c, value)
    sheet.set_column(0, 1, 24)
    book.close()
    return buffer.getvalue()


async def ledger_xlsx(ledger: InstallmentsOut) -> bytes:
    return await asyncio.to_thread(_xlsx, ledger)
