"""Every chapter's exercises: solutions pass their own check, garbage never does, nothing raises."""

import importlib

import pytest
import torch

from helpers import exercises
from helpers.course import CHAPTERS
from helpers.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, THOUGHT

PRELUDE = "import math\nimport torch\nfrom torch import nn\nimport helpers\n"


def chapters_with_questions():
    found = []
    for chapter in CHAPTERS:
        try:
            importlib.import_module(chapter.module)
        except ModuleNotFoundError:
            continue
        found.append(chapter.slug)
    return found


SLUGS = chapters_with_questions()
QUESTIONS = [pytest.param(slug, number, id=f"{slug}-q{number}")
             for slug in SLUGS for number in range(1, len(exercises.load(slug)) + 1)]
GARBAGE = [None, "nonsense", 0, -1.5, 12345, torch.zeros(3, 3, 3), [None], {"x": 1},
           lambda *args, **kwargs: None, lambda *args, **kwargs: 1 / 0]


def test_every_chapter_has_its_exercises():
    assert SLUGS == [chapter.slug for chapter in CHAPTERS]


@pytest.mark.parametrize("slug", SLUGS)
def test_chapter_has_enough_questions_of_several_kinds(slug):
    ex = exercises.load(slug)
    kinds = {q.kind for q in ex}
    assert len(ex) >= 4
    assert "thought" in kinds
    assert kinds & {"value"}
    assert kinds & {"function", "code"}


@pytest.mark.parametrize("slug, number", QUESTIONS)
def test_solution_passes_its_own_check(slug, number):
    question = getattr(exercises.load(slug), f"q{number}")
    if question.kind == "thought":
        assert question.evaluate("my notes").status == THOUGHT
        return
    namespace = {}
    torch.manual_seed(0)
    exec(PRELUDE + question.solution_code, namespace)
    verdict = question.evaluate(namespace[question.answer_name])
    assert verdict.status == CORRECT, verdict.message


@pytest.mark.parametrize("slug, number", QUESTIONS)
def test_garbage_is_judged_incorrect_with_a_message(slug, number):
    question = getattr(exercises.load(slug), f"q{number}")
    assert question.evaluate(...).status in {NOT_ATTEMPTED, THOUGHT}
    if question.kind == "thought":
        return
    for answer in GARBAGE:
        verdict = question.evaluate(answer)
        assert verdict.status == INCORRECT, f"{answer!r} was accepted"
        assert verdict.message.startswith("Not yet: ")
