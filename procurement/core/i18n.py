"""The one convention for the words users read: gettext, through Babel.

Every user-facing string is written in Chinese, the source language, and
marked where it is written: ``_("…")`` where it is used (inside functions,
translated at once), ``N_("…")`` where it is defined ahead of use (module
constants, table labels), which the code that shows it translates
(``Labels`` mappings and the transition tables do it themselves). Templates
use the same ``_`` through Jinja's i18n extension. ``pybabel extract`` (see
``scripts/i18n``) finds every marked string and writes
``procurement/locale/messages.pot``; a second language is a ``messages.po``
under ``procurement/locale/<lang>/LC_MESSAGES`` compiled to ``.mo``, chosen
with the setting ``PROCUREMENT_LANGUAGE``.

Placeholders: Python uses ``str.format`` (``_("第{n}包").format(n=2)``),
templates use Jinja's ``%(n)s`` (``{{ _("第%(n)s包", n=2) }}``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "zh_CN"  # the msgids themselves

_active: ContextVar[NullTranslations | None] = ContextVar("translations", default=None)
_default_language = SOURCE_LANGUAGE

K = TypeVar("K")


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (the source language needs none)."""
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], DOMAIN)


def set_default_language(language: str) -> None:
    """The language of the whole process (the setting ``PROCUREMENT_LANGUAGE``)."""
    global _default_language
    _default_language = language


def active() -> NullTranslations:
    return _active.get() or translations(_default_language)


@contextlib.contextmanager
def using(catalogue: NullTranslations) -> Iterator[None]:
    """Translate with ``catalogue`` inside the block (a request in another language, a test)."""
    token = _active.set(catalogue)
    try:
        yield
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    return active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return active().ngettext(singular, plural, n)


def _(message: str) -> str:
    """Translate now (where the string is used)."""
    return active().gettext(message)


def N_(message: str) -> str:
    """Mark for translation, translate later (where the string is defined ahead of use)."""
    return message


class Labels(Mapping[K, str]):
    """A table of labels written with ``N_``; every lookup translates, so templates
    and services that read ``LABELS[key]`` show the active language."""

    def __init__(self, items: Mapping[K, str]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: K) -> str:
        return gettext(self._items[key])

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Labels({self._items!r})"

    def source(self) -> dict[K, str]:
        """The untranslated labels (the msgids)."""
        return dict(self._items)


def jinja_install(environment: Any) -> None:
    """Give Jinja's i18n extension the same gettext (new style: ``_("…%(n)s", n=1)``)."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
