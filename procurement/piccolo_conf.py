"""Piccolo configuration: the engine is chosen from the settings."""

from piccolo.conf.apps import AppRegistry

from procurement.core.db import make_engine
from procurement.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=["procurement.piccolo_app", "contracts.piccolo_app"])
