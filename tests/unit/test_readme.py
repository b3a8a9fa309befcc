"""The README's settings table matches the code."""

from __future__ import annotations

import re
from pathlib import Path

from procurement.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def env_names() -> set[str]:
    names = set()
    for name in Settings.model_fields:
        names.add("DATABASE_URL" if name == "database_url" else f"PROCUREMENT_{name.upper()}")
    return names


def readme_settings() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## 设置 / Settings", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z0-9_]+)` \| ([^|]+) \|", section, re.M)}


def test_every_setting_is_in_the_readme_and_nothing_else_is():
    assert set(readme_settings()) == env_names()


def test_the_readme_shows_each_simple_default():
    table = readme_settings()
    for name, field in Settings.model_fields.items():
        if isinstance(field.default, (int, str)) and field.default != "" and not isinstance(field.default, bool):
            env = f"PROCUREMENT_{name.upper()}"
            assert f"`{field.default}`" in table[env], (env, table[env])
        if isinstance(field.default, bool):
            assert f"`{str(field.default).lower()}`" in table[f"PROCUREMENT_{name.upper()}"]


def test_the_readme_starts_with_the_two_commands():
    head = README.read_text(encoding="utf-8")[:600]
    assert "scripts/run" in head and "scripts/test" in head
