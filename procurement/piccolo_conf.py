"""Piccolo configuration: the engine is chosen from the settings.

``APP_REGISTRY`` (read by the migration commands) is built on first access:
``piccolo.conf.apps`` pulls in Piccolo's migration machinery and black, which
``procurement serve`` never needs (issue 11, cold start)."""

from typing import Any

from procurement.core.db import make_engine
from procurement.settings import get_settings

DB = make_engine(get_settings())

APPS = ["procurement.piccolo_app", "contracts.piccolo_app"]


def __getattr__(name: str) -> Any:
    if name == "APP_REGISTRY":
        from piccolo.conf.apps import AppRegistry

        registry = AppRegistry(apps=APPS)
        globals()["APP_REGISTRY"] = registry
        return registry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
