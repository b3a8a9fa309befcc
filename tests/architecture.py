"""A contract type for import-linter: "these modules import nothing of the project
but …". The built-in contracts forbid a list; this one allows a list, which is
what "states.py imports only the fsm" and "contracts imports only procurement's
public services and schemas" say. Direct imports are checked: what an allowed
module imports in turn is governed by its own contracts."""

from __future__ import annotations

import fnmatch

import grimp
from importlinter import Contract, ContractCheck, fields, output


class OnlyImportsContract(Contract):
    """Configuration: ``source_modules`` (patterns, ``*`` for one name), ``allowed``
    (patterns of project modules they may import directly), ``project`` (the top
    packages whose modules count; others, such as the standard library, are free)."""

    type_name = "only_imports"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed = fields.ListField(subfield=fields.StringField())
    project = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        sources = sorted(m for m in graph.modules if any(_match(m, p) for p in self.source_modules))  # type: ignore[attr-defined]
        broken = []
        for source in sources:
            for imported in sorted(graph.find_modules_directly_imported_by(source)):
                if imported.split(".")[0] not in self.project:  # type: ignore[attr-defined]
                    continue
                if any(_match(imported, p) for p in self.allowed):  # type: ignore[attr-defined]
                    continue
                broken.append((source, imported))
        return ContractCheck(kept=not broken, metadata={"broken": broken, "sources": sources})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for source, imported in check.metadata["broken"]:
            output.print_error(f"{source} imports {imported}, which is not allowed here.")
            output.new_line()


def _match(module: str, pattern: str) -> bool:
    """``procurement.*.states`` matches ``procurement.bids.states`` (one name per ``*``);
    a pattern ending in ``.**`` matches the package and everything under it."""
    if pattern.endswith(".**"):
        base = pattern[:-3]
        return module == base or module.startswith(base + ".")
    return len(module.split(".")) == len(pattern.split(".")) and fnmatch.fnmatchcase(module, pattern)
