"""The Chinese edition is the English course in other words: same cells, same code, no drift.

Each notebooks/zh-CN/ notebook has the English notebook's cells under the same ids; code cells
are identical (the generated setup cell aside); each markdown cell records the hash of the
English text it was translated from, and follows the glossary.
"""

import copy
import re
from pathlib import Path

import nbformat
import pytest

import course
import nbtool

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh-CN"
FOLDER = ROOT / "notebooks" / LANGUAGE
GLOSSARY = FOLDER / "GLOSSARY.md"


def load(path):
    return nbformat.read(path, as_version=4)


def test_every_english_chapter_has_a_translation_and_no_other():
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == [c.filename for c in course.CHAPTERS]


@pytest.mark.parametrize("chapter", course.CHAPTERS, ids=lambda c: c.slug)
def test_translation_is_in_step_with_the_english(chapter):
    problems = nbtool.translation_problems(load(ROOT / chapter.path), load(FOLDER / chapter.filename),
                                           LANGUAGE, chapter.filename)
    assert problems == [], "\n".join(problems)


def _first_markdown_prose(nb):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("# "))


def test_drift_is_caught_after_an_english_edit_and_cleared_by_a_new_stamp(tmp_path):
    chapter = course.CHAPTERS[0]
    english, translation = load(ROOT / chapter.path), load(FOLDER / chapter.filename)
    index = _first_markdown_prose(english)
    edited = copy.deepcopy(english)
    edited.cells[index].source += "\n\nOne more sentence."
    problems = nbtool.translation_problems(edited, translation, LANGUAGE, chapter.filename)
    assert len(problems) == 1
    assert f"cell {index} ({english.cells[index].id}" in problems[0] and "changed after" in problems[0]
    translation.cells[index].metadata["parameter_lab"]["translated_from"] = nbtool.source_hash(
        edited.cells[index].source)
    assert nbtool.translation_problems(edited, translation, LANGUAGE, chapter.filename) == []


def test_changed_code_and_a_missing_translation_are_caught():
    chapter = course.CHAPTERS[0]
    english, translation = load(ROOT / chapter.path), load(FOLDER / chapter.filename)
    code = next(i for i, c in enumerate(english.cells) if c.cell_type == "code" and "setup" not in c.metadata.get("tags", []))
    changed = copy.deepcopy(translation)
    changed.cells[code].source += "\nprint(1)"
    assert "code differs" in " ".join(nbtool.translation_problems(english, changed, LANGUAGE, "x"))
    markdown = _first_markdown_prose(english)
    changed = copy.deepcopy(translation)
    changed.cells[markdown].metadata.pop("parameter_lab")
    assert "not translated yet" in " ".join(nbtool.translation_problems(english, changed, LANGUAGE, "x"))
    changed = copy.deepcopy(english)
    changed.cells.append(nbformat.v4.new_markdown_cell("A new section."))
    assert "differ from the English" in " ".join(nbtool.translation_problems(changed, translation, LANGUAGE, "x"))


def glossary():
    rows = [line.strip("|").split("|") for line in GLOSSARY.read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| English")]
    return [tuple(cell.strip() for cell in row) for row in rows]


def test_glossary_has_english_chinese_avoid_and_first_appearance():
    rows = glossary()
    assert len(rows) >= 30
    for english, chinese, avoid, first in rows:
        assert english and re.search(nbtool.CJK, chinese) and first.isdigit(), (english, chinese)


def _pairs():
    for chapter in course.CHAPTERS:
        english, translation = load(ROOT / chapter.path), load(FOLDER / chapter.filename)
        for en, zh in zip(english.cells, translation.cells):
            if en.cell_type == "markdown" and "navigation" not in en.metadata.get("tags", []):
                yield chapter, en, zh


@pytest.mark.parametrize("row", glossary(), ids=lambda row: row[0])
def test_each_glossary_term_is_translated_the_same_way_everywhere(row):
    english, chinese, avoid, first = row
    pattern = re.compile(rf"\b{re.escape(english)}(s|es)?\b", re.I)
    missing, avoided, chapters = [], [], []
    for chapter, en, zh in _pairs():
        if chinese in zh.source:
            chapters.append(chapter.number)
        if pattern.search(nbtool.prose(en.source)) and chinese not in nbtool.prose(zh.source):
            missing.append(f"{chapter.filename} cell {en.id}")
        if avoid and avoid in zh.source:
            avoided.append(f"{chapter.filename} cell {en.id}")
    for spec in (ROOT / "helpers" / "exercises").glob("*.py"):
        if avoid and avoid in spec.read_text():
            avoided.append(spec.name)
    assert missing == [], f"'{english}' is not translated as {chinese} in: {', '.join(missing)}"
    assert avoided == [], f"{avoid} is used instead of {chinese} in: {', '.join(avoided)}"
    assert chapters and str(min(chapters)) == first, f"{chinese} first appears in chapter {min(chapters, default=None)}"


def _texts(cell):
    texts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            texts.append(output.text)
        else:
            texts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return texts


@pytest.mark.parametrize("chapter", course.CHAPTERS, ids=lambda c: c.slug)
def test_outputs_are_the_english_ones_except_where_they_are_language(chapter):
    """The same code prints the same numbers: an output may differ only by being in Chinese."""
    english, translation = load(ROOT / chapter.path), load(FOLDER / chapter.filename)
    differ = [f"cell {index} ({en.id})" for index, (en, zh) in enumerate(zip(english.cells, translation.cells))
              if en.cell_type == "code" and "setup" not in en.metadata.get("tags", [])
              and _texts(en) != _texts(zh) and not nbtool.CJK.search("".join(_texts(zh)))]
    assert differ == [], f"outputs differ from the English, and not by language: {', '.join(differ)}"


@pytest.mark.parametrize("chapter", course.CHAPTERS, ids=lambda c: c.slug)
def test_each_chinese_chapter_pitches_itself_in_chinese(chapter):
    # The one line of the Chinese README's table: `translate` copies the English one in, to be translated.
    pitch = load(FOLDER / chapter.filename).metadata["parameter_lab"]["teaches"]
    assert nbtool.CJK.search(pitch), f"{chapter.filename}: the pitch in its metadata is still English: {pitch!r}"


@pytest.mark.parametrize("chapter", course.CHAPTERS, ids=lambda c: c.slug)
def test_each_chinese_chapter_cites_zh_d2l_and_both_editions_link_each_other(chapter):
    english, translation = load(ROOT / chapter.path), load(FOLDER / chapter.filename)
    prose = "\n".join(cell.source for cell in translation.cells if cell.cell_type == "markdown")
    assert "https://zh.d2l.ai/" in prose
    assert f"[English](../{chapter.filename})" in translation.cells[0].source
    assert f"[中文](zh-CN/{chapter.filename})" in english.cells[0].source
