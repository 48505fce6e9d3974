"""Notebook hygiene: what nbval cannot see. Each test runs over every notebook, in each language
(notebooks/ and notebooks/zh-CN/)."""

import json
import re
from pathlib import Path

import nbformat
import pytest

import nbtool
import course
import helpers
from helpers import exercises

ROOT = Path(__file__).resolve().parent.parent
PATHS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*/*.ipynb"))
ENGLISH = [path for path in PATHS if course.language_of(path) == "en"]
CORRECT = {"en": "Correct.\n", "zh-CN": "正确。\n"}
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception"}
MAX_OUTPUT_BYTES = 200_000


def load(path):
    return nbformat.read(path, as_version=4)


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def output_text(output):
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join(output.traceback)
    return "\n".join(str(value) for key, value in output.get("data", {}).items() if key.startswith("text/"))


@pytest.fixture(params=PATHS, ids=[str(path.relative_to(ROOT / "notebooks").with_suffix("")) for path in PATHS])
def notebook(request):
    path = request.param
    return path, load(path)


def words(path):
    return course.HEADINGS[course.language_of(path)]


@pytest.fixture
def in_language(notebook):
    """The notebook's language for the helpers, as its setup cell sets it."""
    helpers.setup(language=course.language_of(notebook[0]))
    yield
    helpers.setup()


def test_every_chapter_has_a_notebook_and_nothing_else_is_there():
    assert [path.stem for path in ENGLISH] == [chapter.slug for chapter in course.CHAPTERS]
    assert {course.language_of(path) for path in PATHS} == set(course.LANGUAGES)


def test_valid_nbformat_and_python3_kernel(notebook):
    path, nb = notebook
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.language_info.name == "python"


def test_setup_cell_is_first_and_identical_everywhere(notebook):
    path, nb = notebook
    first = code_cells(nb)[0]
    assert "setup" in tags(first)
    assert first.source == nbtool.setup_source(course.language_of(path))
    assert first.source.rstrip().endswith(nbtool.SETUP_WORDS[course.language_of(path)]["call"])
    assert first.outputs == []  # setup prints nothing, on purpose


def test_every_code_cell_has_committed_outputs(notebook):
    _, nb = notebook
    silent = [cell.source.splitlines()[0] for cell in code_cells(nb)[1:]
              if not cell.outputs and not tags(cell) & IGNORE_TAGS
              and not cell.source.startswith("ex = helpers.exercises.load(")]
    assert silent == [], "cells without outputs compare nothing under nbval"


def test_no_errors_and_no_stderr(notebook):
    _, nb = notebook
    for cell in code_cells(nb):
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert not (output.output_type == "stream" and output.name == "stderr"), \
                f"stderr (a warning?) in: {cell.source.splitlines()[0]}"


def test_execution_counts_run_one_to_n(notebook):
    _, nb = notebook
    counts = [cell.execution_count for cell in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), "re-run it top to bottom in a fresh kernel"


def test_no_machine_dependent_text_in_outputs(notebook):
    _, nb = notebook
    for cell in code_cells(nb):
        for output in cell.outputs:
            text = output_text(output)
            assert not re.search(r"0x[0-9a-fA-F]{6,}", text), f"memory address in: {cell.source[:60]}"
            assert "/tmp/" not in text and "/work/" not in text and "site-packages" not in text, \
                f"file path in: {cell.source[:60]}"


def test_outputs_are_small_and_figures_are_png(notebook):
    _, nb = notebook
    for cell in code_cells(nb):
        for output in cell.outputs:
            assert len(json.dumps(output)) < MAX_OUTPUT_BYTES, f"large output in: {cell.source[:60]}"
            assert "image/svg+xml" not in output.get("data", {}), "SVG is compared byte for byte: use PNG"


def test_chapter_structure(notebook):
    path, nb = notebook
    chapter, fixed = course.chapter_of(path), words(path)
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    title = next(text for text in markdown if text.startswith("# "))
    assert title.splitlines()[0] == f"# {chapter.number}. {chapter.title}"
    assert fixed["goals"] in title
    headings = [line for text in markdown for line in text.splitlines() if line.startswith("## ")]
    for required in ("summary", "exercises", "solutions"):
        assert fixed[required] in headings
    assert headings.index(fixed["summary"]) < headings.index(fixed["exercises"]) < headings.index(fixed["solutions"])
    assert any(h.startswith(fixed["explore"]) for h in headings), "each chapter has a widget section"


def test_each_code_cell_is_introduced_by_prose(notebook):
    path, nb = notebook
    exercises_at = next(i for i, cell in enumerate(nb.cells) if cell.source.startswith(words(path)["exercises"]))
    solutions_at = next(i for i, cell in enumerate(nb.cells) if cell.source.startswith(words(path)["solutions"]))
    for index, (previous, cell) in enumerate(zip(nb.cells, nb.cells[1:]), start=1):
        if exercises_at < index < solutions_at:
            continue  # each question's prompt is the output of its own `ex.qN` cell
        if cell.cell_type == "code" and "setup" not in tags(cell):
            assert previous.cell_type == "markdown" and previous.source.strip(), cell.source[:60]


def test_navigation_bars_match_the_course(notebook):
    path, nb = notebook
    chapter = course.chapter_of(path)
    assert nb.cells[0].source == nbtool.nav_markdown(chapter, top=True)
    assert nb.cells[-1].source == nbtool.nav_markdown(chapter, top=False)
    links = re.findall(r"\]\((?!https?:)([^)#]+\.ipynb)\)", nb.cells[0].source + nb.cells[-1].source)
    for link in links:
        assert (path.parent / link).exists(), link


def test_exercises_are_shown_checked_and_solved_in_the_notebook(notebook, in_language):
    path, nb = notebook
    ex = exercises.load(path.stem)
    cells = code_cells(nb)
    sources = [cell.source for cell in cells]
    assert any(source.startswith(f'ex = helpers.exercises.load("{path.stem}")') for source in sources)
    solutions = [cell for cell in cells if "solution" in tags(cell)]
    assert len(solutions) == len(ex), "one Solutions cell per question"
    for number, (question, solved) in enumerate(zip(ex, solutions), start=1):
        shown = [cell for cell in cells if cell.source == f"ex.q{number}"]
        assert len(shown) == 1, f"q{number}: one cell `ex.q{number}` shows the prompt"
        plain = [o.get("data", {}).get("text/plain") for o in shown[0].outputs]
        assert plain == [repr(question)], f"q{number}: re-run the notebook after editing the spec"
        if question.kind == "thought":
            assert solved.source == f"ex.q{number}.solution()"
        else:
            assert any(f"ex.q{number}.check({question.name})" in source for source in sources
                       if "solution" not in source)
            assert solved.source == f"{question.solution_code}\nex.q{number}.check({question.name})", \
                f"q{number}: the Solutions cell runs the spec's solution, then its check"
            assert [output_text(o) for o in solved.outputs][-1].endswith(CORRECT[course.language_of(path)])


def test_each_prompt_lives_only_in_its_spec_file(notebook, in_language):
    path, nb = notebook
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    for question in exercises.load(path.stem):
        first_line = question.prompt.splitlines()[0]
        assert first_line not in markdown, f"prompt copied into the notebook: {first_line[:60]}"


def test_slides_metadata(notebook):
    path, nb = notebook
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    assert None not in kinds
    title = next(i for i, cell in enumerate(nb.cells) if cell.source.startswith("# "))
    assert kinds[title] == "slide"
    solutions = next(i for i, cell in enumerate(nb.cells) if cell.source.startswith(words(path)["solutions"]))
    assert set(kinds[solutions:]) == {"skip"}, "solutions stay out of the slideshow"
    exercises_at = next(i for i, cell in enumerate(nb.cells) if cell.source.startswith(words(path)["exercises"]))
    assert kinds[exercises_at] == "slide"


def test_widget_state_saved_for_static_pages(notebook):
    _, nb = notebook
    views = {output["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for cell in code_cells(nb) for output in cell.outputs
             if "application/vnd.jupyter.widget-view+json" in output.get("data", {})}
    assert views, "each chapter shows its widget"
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert views <= set(state), "a widget view without saved state shows 'model not found'"


def test_few_cells_are_exempt_from_comparison():
    cells = [cell for path in PATHS for cell in code_cells(load(path))]
    exempt = [cell for cell in cells if tags(cell) & IGNORE_TAGS]
    assert len(exempt) < 0.10 * len(cells)


def test_chapter_one_compares_at_least_twenty_cells():
    nb = load(ROOT / "notebooks" / "01_parameter_access.ipynb")
    compared = [cell for cell in code_cells(nb) if cell.outputs and not tags(cell) & IGNORE_TAGS]
    assert len(compared) >= 20


@pytest.mark.parametrize("language", course.LANGUAGES)
def test_readme_lists_every_notebook_with_its_badges(language):
    readme = (ROOT / nbtool.READMES[language]).read_text()
    assert nbtool.chapter_table(language) in readme
    for chapter in course.chapters(language):
        assert f"({chapter.path})" in readme
        assert course.colab_url(chapter) in readme and course.binder_url(chapter) in readme


def test_readmes_link_to_each_other():
    english, chinese = ((ROOT / name).read_text() for name in nbtool.READMES.values())
    assert "(README.zh-CN.md)" in english.split("\n## ")[0], "the English README links to the Chinese at its top"
    assert "(README.md)" in chinese.split("\n## ")[0]
