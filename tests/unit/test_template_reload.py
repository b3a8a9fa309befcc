"""Issue 11: templates are compiled once in production and re-read from disk on
every render only when PROCUREMENT_TEMPLATE_AUTO_RELOAD asks for it (development)."""

from __future__ import annotations

import pytest

from procurement.app import installed_packages, template_engine
from procurement.settings import reset_settings_cache


@pytest.fixture
def fresh_settings():
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_templates_are_not_rechecked_on_every_render_by_default(fresh_settings, monkeypatch):
    monkeypatch.delenv("PROCUREMENT_TEMPLATE_AUTO_RELOAD", raising=False)
    engine = template_engine(installed_packages())
    assert engine.engine.auto_reload is False


def test_the_development_setting_turns_template_reloading_on(fresh_settings, monkeypatch):
    monkeypatch.setenv("PROCUREMENT_TEMPLATE_AUTO_RELOAD", "true")
    engine = template_engine(installed_packages())
    assert engine.engine.auto_reload is True
