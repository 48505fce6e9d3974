"""Message catalogs: every template the helpers translate is in each catalog, with the same
placeholders, and no catalog keeps a template that no longer exists."""

import ast
import string
from pathlib import Path

import nbformat
import pytest

from helpers import session

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "helpers").rglob("*.py"))  # the catalogs are .toml files
# A notebook's own Panel (chapter 3 builds one in a cell): its title and descriptions are translated too.
NOTEBOOK_CELLS = [(path, cell) for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
                  for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def trees():
    """(where, syntax tree) of every helper module and every English code cell that parses."""
    for path in SOURCES:
        yield path.relative_to(ROOT), ast.parse(path.read_text())
    for path, cell in NOTEBOOK_CELLS:
        try:
            yield f"{path.relative_to(ROOT)} cell {cell.id}", ast.parse(cell.source)
        except SyntaxError:
            continue
TRANSLATIONS = [language for language in session.LANGUAGES if language != "en"]


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def templates():
    """Every literal template passed to tr() or tr_figure(), and what Panel translates itself: its
    title and each control's description; with where it is."""
    found = {}
    for where, tree in trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            texts = [*_strings(node.args[0])] if name in ("tr", "tr_figure", "Panel") and node.args else []
            texts += [text for keyword in node.keywords if keyword.arg == "description"
                      for text in _strings(keyword.value) if text]
            for text in texts:
                found.setdefault(text, f"{where}:{node.lineno}")
    return found


def literals():
    return {node.value for _, tree in trees() for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def fields(template):
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_templates_are_found():
    assert len(templates()) > 50


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_template_is_translated_with_the_same_placeholders(language):
    catalog = session.catalog(language)
    missing = [f"{where}: {text!r}" for text, where in templates().items() if text not in catalog]
    assert missing == [], "\n".join(missing)
    wrong = [key for key, value in catalog.items() if fields(key) != fields(value)]
    assert wrong == [], f"placeholders differ: {wrong}"
    untranslated = [key for key, value in catalog.items() if value == key and not key.isidentifier()]
    assert untranslated == [], f"left in English: {untranslated}"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_no_catalog_entry_is_stale(language):
    stale = sorted(set(session.catalog(language)) - literals())
    assert stale == [], f"in the {language} catalog but nowhere in helpers/ or the notebooks' code: {stale}"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_no_translation_mixes_chinese_with_mathtext(language):
    """matplotlib draws the words of a label with $...$ in its math font, which has no Chinese glyphs."""
    mixed = [value for value in session.catalog(language).values()
             if "$" in value and any("\u4e00" <= character <= "\u9fff" for character in value)]
    assert mixed == []
