"""The bureau's ledger summary as CSV (one view, UTF-8 with a BOM so that Excel reads
Chinese) or XLSX (every view on its own sheet; xlsxwriter, built in a worker thread).
Amounts are in yuan with two decimals (the XLSX formats them with thousands
separators)."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal
from typing import Any

from contracts.payments import ledger
from contracts.payments.ledger import CategoryLine, ContractFigures, OrganizationLine, SocialShare
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.money import fen_to_decimal

VIEWS = ("categories", "organizations", "contracts", "share")


def _organizations(lines: list[OrganizationLine]) -> list[list[Any]]:
    header = [
        _("服务机构"),
        _("机构类型"),
        _("合同数"),
        _("合同金额（元）"),
        _("已拨付（元）"),
        _("应付未付（元）"),
        _("逾期期数"),
    ]
    return [header] + [
        [
            o.provider_name,
            o.provider_kind_label,
            o.contracts,
            fen_to_decimal(o.amount_fen),
            fen_to_decimal(o.released_fen),
            fen_to_decimal(o.owed_fen),
            o.late_count,
        ]
        for o in lines
    ]


def _categories(lines: list[CategoryLine]) -> list[list[Any]]:
    header = [_("预算年度"), _("服务类别"), _("合同数"), _("计划金额（元）"), _("已拨付（元）"), _("拨付进度（%）")]
    return [header] + [
        [
            c.year,
            c.category_label,
            c.contracts,
            fen_to_decimal(c.planned_fen),
            fen_to_decimal(c.released_fen),
            c.released_percent,
        ]
        for c in lines
    ]


def _contracts(rows: list[ContractFigures]) -> list[list[Any]]:
    header = [
        _("合同编号"),
        _("合同名称"),
        _("预算年度"),
        _("服务类别"),
        _("服务机构"),
        _("机构类型"),
        _("合同金额（元）"),
        _("已拨付（元）"),
        _("应付未付（元）"),
        _("逾期期数"),
    ]
    return [header] + [
        [
            r.number,
            r.title,
            r.year,
            r.category_label,
            r.provider_name,
            r.provider_kind_label,
            fen_to_decimal(r.amount_fen),
            fen_to_decimal(r.released_fen),
            fen_to_decimal(r.owed_fen),
            r.late_count,
        ]
        for r in rows
    ]


def _share(share: SocialShare) -> list[list[Any]]:
    return [
        [_("预算年度"), _("服务合同金额（元）"), _("社会组织承接（元）"), _("占比"), _("参考比例")],
        [
            share.year if share.year is not None else _("全部年度"),
            fen_to_decimal(share.total_fen),
            fen_to_decimal(share.social_fen),
            share.percent_text,
            f"{share.reference_percent}%",
        ],
    ]


def tables(summary: dict[str, Any]) -> dict[str, list[list[Any]]]:
    return {
        "categories": _categories(summary["categories"]),
        "organizations": _organizations(summary["organizations"]),
        "contracts": _contracts(summary["contracts"]),
        "share": _share(summary["share"]),
    }


def summary_csv(summary: dict[str, Any], view: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in tables(summary)[view]:
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(summary: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    import xlsxwriter  # here, not at start-up: only a download needs it (issue 11, cold start)

    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    names = {
        "categories": _("按年度和类别"),
        "organizations": _("按服务机构"),
        "share": _("社会组织占比"),
        "contracts": _("合同明细"),
    }
    for key, rows in tables(summary).items():
        sheet = book.add_worksheet(names[key])
        sheet.write_row(0, 0, rows[0], bold)
        for r, row in enumerate(rows[1:], start=1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, value, money)
                else:
                    sheet.write(r, c, value)
        sheet.set_column(0, len(rows[0]) - 1, 16)
    book.close()
    return buffer.getvalue()


async def summary_xlsx(summary: dict[str, Any]) -> bytes:
    return await asyncio.to_thread(_xlsx, summary)


async def export_summary(user: CurrentUser, fmt: str, year: int | None, view: str) -> tuple[str, str, bytes]:
    """The ledger summary of the user's bureau (or every bureau's, for administrators)
    as CSV (one view) or XLSX (every view); refused with the reason to anyone else."""
    data = await ledger.summary(user, year)
    name = _("付款台账汇总") if year is None else _("{year}年度付款台账汇总").format(year=year)
    if fmt == "xlsx":
        return (
            f"{name}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            await summary_xlsx(data),
        )
    return f"{name}.csv", "text/csv; charset=utf-8", summary_csv(data, view)
