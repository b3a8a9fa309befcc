"""Three kinds of 质疑 (rule 27): ``challenge.kind`` (existing rows are result
challenges), ``challenge.step`` and ``challenge.period_until``, written by hand
(others change tables concurrently, so no --auto run); the columns match
``procurement.awards.tables.Challenge`` exactly, so a later --auto run finds nothing.

It also corrects the result challenge period of existing awards: it was counted
from the notice's publication day (7 working days) instead of from the end of
the notice's 1-working-day period, so each stored ``award.challenge_until``
moves to the next working day (the 8th working day after publication), by the
same working-day calendar the application uses (the package's holidays and the
administrator's entries)."""

from datetime import date
from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T22:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "challenge kind, step and period; result challenge periods from the end of the notice period"


def _params(**overrides):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


COLUMNS = [
    (
        "kind",
        Varchar,
        _params(
            length=20,
            default="result",
            choices=Enum("ChallengeKind", {"DOCUMENTS": "documents", "PROCESS": "process", "RESULT": "result"}),
        ),
    ),
    ("step", Varchar, _params(length=30, default="")),
    ("period_until", Date, _params(null=True, default=None)),
]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="Challenge",
            tablename="challenge",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    async def run():
        from procurement.core.calendar import WorkdayCalendar

        engine = engine_finder()
        entries = await engine.run_querystring(QueryString("SELECT day, is_working_day FROM calendar_entry"))
        cal = WorkdayCalendar({_day(e["day"]): bool(e["is_working_day"]) for e in entries})
        awards = await engine.run_querystring(
            QueryString("SELECT id, challenge_until FROM award WHERE challenge_until IS NOT NULL")
        )
        for award in awards:
            corrected = cal.add_working_days(_day(award["challenge_until"]), 1)
            await engine.run_querystring(
                QueryString("UPDATE award SET challenge_until = {} WHERE id = {}", corrected, award["id"])
            )

    manager.add_raw(run)
    return manager
