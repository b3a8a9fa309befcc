"""Existing rows keep their meaning under the review status and rule 4's options: a confirmed
eligibility profile is ``confirmed``, any other ``pending``; a tender keeps the conditions it was
published with (what the old defaults asked stays asked, one application per call stays on for
公益创投 as before, a service keyword asks for the charter-scope statement, no call gains a
blacklist it did not publish), and rule 3's period is at least 3 years."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T22:07:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "profile statuses of existing rows; tenders state rule 4's local conditions explicitly"

# What an eligibility JSON without the key meant before (the old schema's defaults).
OLD_DEFAULTS = {"no_major_violation_years": 3, "abnormal_list_years": 1, "dishonest_list_years": 2}


def upgraded(eligibility: dict, method: str) -> dict:
    out = {**OLD_DEFAULTS, "annual_report_passed": True, **eligibility}
    out["no_major_violation_years"] = max(3, int(out.get("no_major_violation_years") or 3))
    out.setdefault("blacklist_years", None)
    out.setdefault("charter_scope_required", bool(out.get("scope_keyword")))
    out.setdefault("one_application", method == "venture_call")
    return out


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl("UPDATE eligibility_profile SET status = 'confirmed' WHERE confirmed_at IS NOT NULL")
        rows = await engine.run_querystring(QueryString("SELECT id, method, eligibility FROM tender"))
        for row in rows or []:
            before = json.loads(row["eligibility"] or "{}")
            after = upgraded(before, row["method"])
            if after != before:
                await engine.run_querystring(
                    QueryString(
                        "UPDATE tender SET eligibility = {} WHERE id = {}",
                        json.dumps(after, ensure_ascii=False),
                        row["id"],
                    )
                )

    manager.add_raw(run)
    return manager
