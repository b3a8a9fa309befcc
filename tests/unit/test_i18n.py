"""One convention for the words users read (core/i18n.py): every Chinese string
in the code and the templates is marked for gettext, ``pybabel extract`` finds
them, the committed catalogue template is current, and a second language
changes what a page says. The checks prove they can fail on planted strings."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import jinja2
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from procurement.core import i18n
from procurement.core.fsm import N_, Labels
from procurement.tenders.states import TENDER_TABLE

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
MARKERS = {"_", "N_", "gettext", "ngettext"}
# Demo data and benchmarks seed the database with Chinese names and texts: data, not UI.
DATA_MODULES = {
    "procurement/demo.py",
    "procurement/demo_tenders.py",
    "procurement/demo_awards.py",
    "contracts/demo.py",
    "procurement/evaluation/demo.py",
    "procurement/bench.py",
    "procurement/bench_notices.py",
    "contracts/documents/samples.py",
    "procurement/benchmark/bare.py",
    "procurement/benchmark/run.py",
}
DATA_PRAGMA = "# i18n: data"


def python_modules() -> list[Path]:
    files = sorted((ROOT / "procurement").rglob("*.py")) + sorted((ROOT / "contracts").rglob("*.py"))
    return [p for p in files if "piccolo_migrations" not in p.parts and str(p.relative_to(ROOT)) not in DATA_MODULES]


def unmarked_python(path: Path) -> list[str]:
    """Chinese string literals that are neither a docstring, nor the first argument
    of a gettext marker, nor on a line marked ``# i18n: data``."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                allowed.add(id(first.value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS and node.args:
            allowed.add(id(node.args[0]))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if any(CJK.search(t) for t in texts) and DATA_PRAGMA not in lines[node.lineno - 1]:
                found.append(f"{path.name}:{node.lineno}: f-string {ast.unparse(node)[:60]}")
            for value in node.values:
                allowed.add(id(value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
            if id(node) in allowed or DATA_PRAGMA in lines[node.lineno - 1]:
                continue
            found.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    return found


JINJA_COMMENT = re.compile(r"{#.*?#}", re.S)
GETTEXT_CALL = re.compile(r"""\b_\(\s*(["'])(?:\\.|(?!\1).)*\1""", re.S)


def unmarked_template(text: str) -> list[str]:
    """Chinese left in a template once its comments and its _("…") messages are taken out."""
    stripped = GETTEXT_CALL.sub("_(", JINJA_COMMENT.sub("", text))
    return [line.strip()[:80] for line in stripped.splitlines() if CJK.search(line)]


def test_every_chinese_string_in_the_code_is_marked_for_translation():
    found = [f for path in python_modules() for f in unmarked_python(path)]
    assert found == [], "mark these with _() or N_() (core/i18n.py):\n" + "\n".join(found)


def test_every_chinese_text_in_the_templates_is_marked_for_translation():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += [f"{path.relative_to(ROOT)}: {line}" for line in unmarked_template(path.read_text(encoding="utf-8"))]
    assert found == [], "wrap these in {{ _('…') }}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "planted",
    [
        'def f():\n    raise ValueError("找不到该项目。")\n',
        'LABEL = "草稿"\n',
        'def f(n):\n    return f"第{n}包"\n',
        'def f(x):\n    return x == "通过"\n',
    ],
)
def test_the_code_check_finds_a_planted_unmarked_string(tmp_path, planted):
    module = tmp_path / "planted.py"
    module.write_text(planted, encoding="utf-8")
    assert len(unmarked_python(module)) == 1


def test_the_code_check_accepts_markers_docstrings_and_data(tmp_path):
    module = tmp_path / "fine.py"
    module.write_text(
        '"""模块说明。"""\n'
        'DIGITS = "零壹贰"  # i18n: data\n'
        'LABEL = N_("草稿")\n'
        "def f(n):\n"
        '    """函数说明。"""\n'
        '    return _("第{n}包").format(n=n)\n',
        encoding="utf-8",
    )
    assert unmarked_python(module) == []


@pytest.mark.parametrize(
    ("planted", "count"),
    [
        ("<p>您好</p>", 1),
        ("{{ ui.field('x', '项目名称') }}", 1),
        ('<p>{{ _("您好") }}</p>{# 注释 #}', 0),
        ("<p title=\"{{ _('提示') }}\">{{ _('共 %(n)s 条', n=n) }}</p>", 0),
    ],
)
def test_the_template_check_finds_planted_text(planted, count):
    assert len(unmarked_template(planted)) == count


# --------------------------------------------------------------------------- extraction


def extracted_messages() -> set[str]:
    method_map = [
        ("procurement/**.py", "python"),
        ("contracts/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/email/**.txt", "jinja2"),  # the emails' subjects and plain-text bodies (babel.cfg)
    ]
    options = {
        "templates/**.html": {"extensions": "jinja2.ext.i18n"},
        "templates/email/**.txt": {"extensions": "jinja2.ext.i18n"},
    }
    messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def test_pybabel_finds_the_messages_of_the_code_and_of_the_templates_and_the_committed_template_is_current():
    found = extracted_messages()
    assert "只有采购人（{buyer_name}）的经办人可以{doing}。" in found  # a service message
    assert "投标截止" in found  # a template text
    assert "已发布（接受投标）" in found  # a label of the tender table
    with (ROOT / "procurement" / "locale" / "messages.pot").open("rb") as pot:
        committed = {m.id for m in read_po(pot) if m.id}
    assert committed == found, (
        "procurement/locale/messages.pot is out of date: run scripts/i18n "
        f"(missing {sorted(found - committed)[:5]}, stale {sorted(committed - found)[:5]})"
    )


# --------------------------------------------------------------------------- a second language


def english(pairs: dict[str, str]) -> Translations:
    catalog = Catalog(locale="en")
    for source, translated in pairs.items():
        catalog.add(source, translated)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def test_a_second_language_changes_messages_labels_and_templates():
    catalogue = english({"已发布（接受投标）": "Published (accepting bids)", "草稿": "Draft", "第{n}包": "Lot {n}"})
    labels = Labels({"draft": N_("草稿")})
    environment = jinja2.Environment(autoescape=True)
    i18n.jinja_install(environment)
    page = environment.from_string('<p>{{ _("草稿") }} · {{ _("第%(n)s包", n=2) }} · {{ _("100%%") }}</p>')
    with i18n.using(catalogue):
        assert TENDER_TABLE.staff_label("published") == "Published (accepting bids)"
        assert labels["draft"] == "Draft"
        assert i18n._("第{n}包").format(n=3) == "Lot 3"
        assert page.render() == "<p>Draft · 第2包 · 100%</p>"
    assert TENDER_TABLE.staff_label("published") == "已发布（接受投标）"  # the source language again
    assert labels["draft"] == "草稿"


def test_users_never_read_a_rule_number():
    """Rule numbers stay in code, tests and logs; users read the legal source in Chinese."""
    in_messages = sorted(m for m in extracted_messages() if re.search(r"\brules? \d", m))
    assert in_messages == [], in_messages
    in_templates = [
        f"{path.relative_to(ROOT)}: {line.strip()[:80]}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for line in JINJA_COMMENT.sub("", path.read_text(encoding="utf-8")).splitlines()
        if re.search(r"\brules? \d", line)
    ]
    assert in_templates == [], in_templates
