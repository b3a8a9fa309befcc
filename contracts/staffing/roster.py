"""An organization's roster of social workers (issue 13 §1): register, update, list,
import from CSV or XLSX, and the import template.

The 居民身份证 number goes through ``identity`` (encrypted at rest, a keyed hash to
find the same person, the masked form for everyone else). A full number is shown only
when ``policies.sees_id_number`` allows it, and every such view writes an audit row
(个人信息保护法). An import checks every row first: a file with errors imports
nothing, unless the user asks for the valid rows only.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import csv
import functools
import io
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from contracts.staffing import expiry, identity, policies, rules
from contracts.staffing.schemas import ImportIn, ImportOut, RowError, WorkerIn, WorkerOut, WorkerUpdateIn
from contracts.staffing.states import CERT_LEVEL_LABELS, EMPLOYMENT_LABELS, CertLevel, Employment
from contracts.staffing.tables import SocialWorker
from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.web import field_errors_from_pydantic

MAX_IMPORT_ROWS = 2000

# The template's columns: header, field of WorkerIn.
COLUMNS: tuple[tuple[str, str], ...] = (
    (N_("姓名"), "name"),
    (N_("身份证号码"), "id_number"),
    (N_("手机号码"), "phone"),
    (N_("在职状态"), "employment"),
    (N_("入职日期"), "employed_from"),
    (N_("离职日期"), "employed_until"),
    (N_("职业水平"), "level"),
    (N_("证书编号"), "certificate_no"),
    (N_("取得年份"), "certificate_year"),
    (N_("登记有效期至"), "registration_expires"),
    (N_("督导资格"), "supervisor_qualified"),
)
HEADER_OF = {name: header for header, name in COLUMNS}
TEMPLATE_EXAMPLE = (
    N_("张晓梅"),
    "11010519491231002X",
    "13812345678",
    N_("在职"),
    "2022-03-01",
    "",
    N_("社会工作师"),
    "2019035330001",
    "2019",
    "2027-06-30",
    N_("否"),
)


# --------------------------------------------------------------------------- output


def worker_out(row: dict[str, Any], *, plain: str | None = None, today: date | None = None) -> WorkerOut:
    today = today or clock.today_local()
    return WorkerOut(
        id=row["id"],
        organization_id=row["organization"],
        name=row["name"],
        phone=row["phone"],
        id_number=plain if plain is not None else row["id_masked"],
        id_masked=plain is None,
        employment=row["employment"],
        employment_label=EMPLOYMENT_LABELS[row["employment"]],
        employed_from=row["employed_from"],
        employed_until=row["employed_until"],
        level=row["level"],
        level_label=CERT_LEVEL_LABELS[row["level"]],
        effective_level=rules.effective_level(row["level"], row["registration_expires"], today),
        certificate_no=row["certificate_no"],
        certificate_year=row["certificate_year"],
        registration_expires=row["registration_expires"],
        registration_expired=rules.expired(row["registration_expires"], today),
        supervisor_qualified=bool(row["supervisor_qualified"]),
    )


async def workers_out(user: CurrentUser, rows: list[dict[str, Any]]) -> list[WorkerOut]:
    """The rows as the user may see them: the full ID number only for those allowed,
    with one audit row naming every worker whose number was shown."""
    shown = [r for r in rows if policies.sees_id_number(user, r["organization"])]
    plain: dict[int, str] = {}
    if shown:
        revealed = await asyncio.to_thread(
            lambda: {r["id"]: identity.reveal(r["id_cipher"], r["organization"]) for r in shown}
        )
        plain.update(revealed)
        await audit.record(
            "staffing.id_number_viewed",
            "social_worker",
            shown[0]["id"] if len(shown) == 1 else "",
            actor=actor_of(user),
            after={"workers": sorted(plain)},
        )
    today = clock.today_local()
    return [worker_out(r, plain=plain.get(r["id"]), today=today) for r in rows]


# --------------------------------------------------------------------------- reading


async def list_workers(user: CurrentUser, organization_id: int | None = None) -> list[WorkerOut]:
    """An organization's roster: its own members see their organization's; the bureau's
    staff see every organization's, or one's with ``organization_id``."""
    if organization_id is None and user.role not in policies.BUREAU_STAFF:
        if user.organization_id is None:
            raise NotFound(_("找不到该机构的社工名册。"))
        organization_id = user.organization_id
    query = SocialWorker.select().order_by(SocialWorker.organization).order_by(SocialWorker.name)
    if organization_id is not None:
        decision = policies.roster_reader(user, organization_id)
        if not decision:
            raise NotFound(decision.reason)
        query = query.where(SocialWorker.organization == organization_id)
    async with db.transaction():
        return await workers_out(user, await query)


async def candidates(user: CurrentUser, organization_id: int) -> list[WorkerOut]:
    """The organization's workers in employment, to choose from when building a team;
    the ID number masked (choosing needs none, so nothing is revealed or audited)."""
    decision = policies.roster_reader(user, organization_id)
    if not decision:
        raise NotFound(decision.reason)
    rows = (
        await SocialWorker.select()
        .where((SocialWorker.organization == organization_id) & (SocialWorker.employment == Employment.EMPLOYED))
        .order_by(SocialWorker.name)
    )
    today = clock.today_local()
    return [worker_out(r, today=today) for r in rows]


async def _worker_row(worker_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock:
        await db.lock(SocialWorker, SocialWorker.id == worker_id)
    row = await SocialWorker.select().where(SocialWorker.id == worker_id).first()
    if row is None:
        raise NotFound(_("找不到该社工。"))
    return row


# --------------------------------------------------------------------------- writing


def _dates_problem(data: dict[str, Any]) -> dict[str, str]:
    start, end = data.get("employed_from"), data.get("employed_until")
    if start and end and end < start:
        return {"employed_until": _("离职日期不能早于入职日期。")}
    if data.get("employment") == Employment.LEFT and not end:
        return {"employed_until": _("离职的社工请填写离职日期。")}
    return {}


def _level_problem(data: dict[str, Any]) -> dict[str, str]:
    if data.get("level", CertLevel.NONE) != CertLevel.NONE and not data.get("certificate_no"):
        return {"certificate_no": _("有职业水平证书的，请填写证书编号。")}
    return {}


async def register_worker(user: CurrentUser, data: WorkerIn) -> WorkerOut:
    """A member of an organization adds a social worker to its roster; the same ID
    number is registered once per organization."""
    organization_id = user.organization_id
    if organization_id is None:
        raise PermissionDenied(_("只有本机构的工作人员可以登记和修改本机构的社工信息。"))
    actor = policies.roster_keeper(user, organization_id).acting(user)
    values = data.model_dump()
    problems = _dates_problem(values) | _level_problem(values)
    if problems:
        raise ValidationFailed(field_errors=problems)
    cipher, digest, masked = await asyncio.to_thread(identity.seal, data.id_number, organization_id)
    async with db.transaction():
        if await SocialWorker.exists().where(
            (SocialWorker.organization == organization_id) & (SocialWorker.id_hash == digest)
        ):
            raise Conflict(_("该身份证号码的社工已在本机构名册中。"), extra={"field": "id_number"})
        now = clock.now()
        values.pop("id_number")
        try:
            inserted = await SocialWorker.insert(
                SocialWorker(
                    **values,
                    next_check_at=expiry.next_check(values["registration_expires"], values["employment"], None, now),
                    organization=organization_id,
                    id_cipher=cipher,
                    id_hash=digest,
                    id_masked=masked,
                    created_by=user.id,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(SocialWorker.id)
        except Exception as exc:
            if db.is_unique_violation(exc):  # the same number registered at the same moment
                raise Conflict(_("该身份证号码的社工已在本机构名册中。"), extra={"field": "id_number"}) from None
            raise
        worker_id = inserted[0]["id"]
        await audit.record(
            "staffing.worker_registered",
            "social_worker",
            worker_id,
            actor=actor,
            after={"name": data.name, "id_number": masked, "level": data.level},
        )
        row = await _worker_row(worker_id)
        return (await workers_out(user, [row]))[0]


async def update_worker(user: CurrentUser, worker_id: int, data: WorkerUpdateIn) -> WorkerOut:
    """The organization's member changes a worker's details (certificate, employment…)."""
    async with db.transaction():
        row = await _worker_row(worker_id, lock=True)
        if not policies.roster_reader(user, row["organization"]):
            raise NotFound(_("找不到该社工。"))
        actor = policies.roster_keeper(user, row["organization"]).acting(user)
        changes = data.model_dump(exclude_unset=True)
        for key in ("name", "phone", "employment", "level", "certificate_no", "supervisor_qualified"):  # not nullable
            if key in changes and changes[key] is None:
                changes.pop(key)
        merged = {**row, **changes}
        problems = _dates_problem(merged) | _level_problem(merged)
        if problems:
            raise ValidationFailed(field_errors=problems)
        if changes:
            new_values: dict[Any, Any] = {**changes, "updated_at": clock.now()}
            if {"registration_expires", "employment"} & changes.keys():  # renewed or re-employed: remind anew
                new_values["expiry_reminded_at"] = None
                new_values["next_check_at"] = expiry.next_check(
                    merged["registration_expires"], merged["employment"], None, clock.now()
                )
            await SocialWorker.update(new_values).where(SocialWorker.id == worker_id)
            await audit.record(
                "staffing.worker_updated",
                "social_worker",
                worker_id,
                actor=actor,
                before={k: row[k] for k in changes},
                after=changes,
            )
        return (await workers_out(user, [await _worker_row(worker_id)]))[0]


# --------------------------------------------------------------------------- import


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The rows of a CSV (UTF-8 or GB18030) or XLSX file, the header first."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            rows = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise ValidationFailed(
                field_errors={"file": _("无法读取该 Excel 文件，请使用下载的模板另存为 .xlsx。")}
            ) from exc
        return rows
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(field_errors={"file": _("无法识别 CSV 文件的编码，请以 UTF-8 保存。")})
        try:
            return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise ValidationFailed(field_errors={"file": _("无法读取该 CSV 文件，请使用下载的模板。")}) from exc
    raise ValidationFailed(field_errors={"filename": _("只能导入 .csv 或 .xlsx 文件。")})


LEVEL_WORDS = {str(CERT_LEVEL_LABELS.source()[k]): k for k in CertLevel} | {
    "": CertLevel.NONE,
    N_("无"): CertLevel.NONE,
}
EMPLOYMENT_WORDS = {N_("在职"): Employment.EMPLOYED, N_("离职"): Employment.LEFT, "": Employment.EMPLOYED}
YES = {N_("是"), N_("有"), "Y", "y", "yes", "1", "TRUE", "true"}
NO = {N_("否"), N_("无"), "N", "n", "no", "0", "FALSE", "false", ""}


def _row_input(cells: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The WorkerIn fields of one row (words mapped to codes) and the problems of the words."""
    data: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for _header, name in COLUMNS:
        value = cells.get(name, "")
        if name == "level":
            if value in LEVEL_WORDS or value in set(CertLevel):
                data[name] = LEVEL_WORDS.get(value, value)
            else:
                problems[name] = _("职业水平应为：无证书、助理社会工作师、社会工作师或高级社会工作师。")
        elif name == "employment":
            if value in EMPLOYMENT_WORDS:
                data[name] = EMPLOYMENT_WORDS[value]
            else:
                problems[name] = _("在职状态应为「在职」或「离职」。")
        elif name == "supervisor_qualified":
            if value in YES or value in NO:
                data[name] = value in YES
            else:
                problems[name] = _("督导资格请填「是」或「否」。")
        elif name in ("employed_from", "employed_until", "registration_expires"):
            if value:
                try:
                    data[name] = date.fromisoformat(value.replace("/", "-").replace(".", "-"))
                except ValueError:
                    try:
                        y, m, d = (int(p) for p in value.replace("/", "-").replace(".", "-").split("-"))
                        data[name] = date(y, m, d)
                    except ValueError:
                        problems[name] = _("日期格式应为 2026-01-31。")
        elif value != "":
            data[name] = value
    return data, problems


def check_rows(table: list[list[Any]]) -> tuple[list[tuple[int, WorkerIn]], list[RowError]]:
    """Every data row checked (row numbers as the spreadsheet shows them: the header is
    row 1): the valid ones as WorkerIn, and each problem as (row, field, why)."""
    if not table:
        return [], [RowError(row=1, field="", message=_("文件是空的。"))]
    header = [str(h).strip() for h in table[0]]
    missing = [h for h, _name in COLUMNS[:2] if h not in header]
    if missing:
        return [], [
            RowError(row=1, field=h, message=_("缺少「{column}」列，请使用导入模板。").format(column=h))
            for h in missing
        ]
    index = {name: header.index(h) for h, name in COLUMNS if h in header}
    valid: list[tuple[int, WorkerIn]] = []
    errors: list[RowError] = []
    for number, row in enumerate(table[1:], start=2):
        cells = {name: (str(row[i]).strip() if i < len(row) else "") for name, i in index.items()}
        if not any(cells.values()):
            continue
        data, problems = _row_input(cells)
        worker: WorkerIn | None = None
        try:
            worker = WorkerIn(**data)
        except PydanticValidationError as exc:
            for field, message in field_errors_from_pydantic(exc).items():
                problems.setdefault(field, message)
        values = worker.model_dump() if worker is not None else data
        for key, message in (_dates_problem(values) | _level_problem(values)).items():
            problems.setdefault(key, message)
        if problems:
            errors.extend(
                RowError(row=number, field=HEADER_OF.get(f, f), message=m) for f, m in sorted(problems.items())
            )
        elif worker is not None:
            valid.append((number, worker))
    return valid, errors


async def import_workers(user: CurrentUser, data: ImportIn) -> ImportOut:
    """Import a roster file (CSV or XLSX): every row checked first; with any error the
    file imports nothing unless ``valid_rows_only``; an ID number already on the roster
    or twice in the file is an error of its row."""
    organization_id = user.organization_id
    if organization_id is None:
        raise PermissionDenied(_("只有本机构的工作人员可以登记和修改本机构的社工信息。"))
    actor = policies.roster_keeper(user, organization_id).acting(user)
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(field_errors={"content_base64": _("文件内容不是有效的 base64 编码。")}) from None
    table = await asyncio.to_thread(read_table, data.filename, content)
    if len(table) > MAX_IMPORT_ROWS + 1:
        raise ValidationFailed(field_errors={"file": _("一次最多导入 {n} 行，请分批导入。").format(n=MAX_IMPORT_ROWS)})
    valid, errors = check_rows(table)
    sealed = await asyncio.to_thread(
        lambda: [(number, worker, identity.seal(worker.id_number, organization_id)) for number, worker in valid]
    )
    async with db.transaction():
        existing = {
            r["id_hash"]
            for r in await SocialWorker.select(SocialWorker.id_hash).where(SocialWorker.organization == organization_id)
        }
        seen: dict[str, int] = {}
        ready = []
        for number, worker, (cipher, digest, masked) in sealed:
            if digest in existing:
                errors.append(
                    RowError(
                        row=number, field=HEADER_OF["id_number"], message=_("该身份证号码的社工已在本机构名册中。")
                    )
                )
            elif digest in seen:
                errors.append(
                    RowError(
                        row=number,
                        field=HEADER_OF["id_number"],
                        message=_("与第 {row} 行的身份证号码重复。").format(row=seen[digest]),
                    )
                )
            else:
                seen[digest] = number
                ready.append((worker, cipher, digest, masked))
        errors.sort(key=lambda e: (e.row, e.field))
        rows = len([r for r in table[1:] if any(str(c).strip() for c in r)])
        if errors and not data.valid_rows_only:
            return ImportOut(rows=rows, imported=0, errors=errors, done=False)
        now = clock.now()
        if ready:
            await SocialWorker.insert(
                *[
                    SocialWorker(
                        **worker.model_dump(exclude={"id_number"}),
                        next_check_at=expiry.next_check(worker.registration_expires, worker.employment, None, now),
                        organization=organization_id,
                        id_cipher=cipher,
                        id_hash=digest,
                        id_masked=masked,
                        created_by=user.id,
                        created_at=now,
                        updated_at=now,
                    )
                    for worker, cipher, digest, masked in ready
                ]
            )
        await audit.record(
            "staffing.workers_imported",
            "organization",
            organization_id,
            actor=actor,
            after={"file": data.filename, "imported": len(ready), "rows_with_errors": len({e.row for e in errors})},
        )
        return ImportOut(rows=rows, imported=len(ready), errors=errors, done=True)


@functools.lru_cache(maxsize=2)
def template(kind: str) -> tuple[bytes, str, str]:
    """The import template (header and one example row): bytes, file name, media type.
    Made once per process: a workbook carries its creation time, and the same download
    should give the same bytes (the sealed-bid test compares answers before and after)."""
    headers = [h for h, _name in COLUMNS]
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerow(TEMPLATE_EXAMPLE)
        return out.getvalue().encode("utf-8-sig"), N_("社工名册导入模板") + ".csv", "text/csv; charset=utf-8"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = N_("社工名册")
    sheet.append(headers)
    sheet.append(list(TEMPLATE_EXAMPLE))
    for column, width in zip("ABCDEFGHIJK", (10, 22, 14, 10, 12, 12, 16, 18, 10, 14, 10), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return (
        buffer.getvalue(),
        N_("社工名册导入模板") + ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
