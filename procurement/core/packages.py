"""How a package plugs itself in: one ``Package`` with its routers, sweeps,
event subscriptions, demo loader and template folder.

``create_app`` and the CLI list the installed packages (``INSTALLED`` in
``procurement.app``) and never a handler: adding a package is one line there.
Registration is idempotent, so tests may build several apps in one process.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procurement.core import events
from procurement.core.scheduler import SweepRegistry
from procurement.core.scheduler import registry as sweep_registry


@dataclass(frozen=True)
class Package:
    name: str
    api: Sequence[Any] = ()  # controllers and routers mounted under /api/v1
    pages: Sequence[Any] = ()  # HTML controllers
    templates: Path | None = None  # the package's template folder (templates/<name>)
    sweeps: Callable[[SweepRegistry], None] | None = None  # its jobs.register
    subscribe: Callable[[], None] | None = None  # event handlers and other plug-ins
    demo: Callable[..., Awaitable[Any]] | None = None  # loads its demo data


def load(paths: Sequence[str]) -> list[Package]:
    """Import each ``module:attribute`` (``procurement.package:PACKAGE``)."""
    found = []
    for path in paths:
        module, _, attribute = path.partition(":")
        found.append(getattr(importlib.import_module(module), attribute or "PACKAGE"))
    return found


def register_all(packages: Sequence[Package], *, sweeps: SweepRegistry = sweep_registry) -> None:
    """Subscribe every package's handlers and register its sweeps (idempotent)."""
    for package in packages:
        if package.subscribe is not None:
            package.subscribe()
        if package.sweeps is not None:
            package.sweeps(sweeps)
    events.mark_registered()
