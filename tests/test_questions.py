"""Every chapter's questions, proven the way learntools proves its checks: the model solution
passes, at least four plausible wrong answers fail, odd answers get a verdict, and no public
helper passes as an answer."""

import importlib
import inspect
import pkgutil
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import torch
from torch import nn

import helpers
from helpers import exercises, session
from helpers.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, THOUGHT, run_source

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))
QUESTIONS = [pytest.param(chapter, number, id=f"{chapter}-q{number}")
             for chapter in CHAPTERS for number in range(1, len(exercises.load(chapter)) + 1)]
CHECKED = [param for param in QUESTIONS
           if getattr(exercises.load(param.values[0]), f"q{param.values[1]}").kind != "thought"]
MIN_WRONG = 4
NOT_YET = {"en": "Not yet: ", "zh-CN": "还不对："}


class Recording(dict):
    """A catalog that notes each template it lacks."""

    def __init__(self, entries):
        super().__init__(entries)
        self.missing = set()

    def get(self, key, default=None):
        if key not in self:
            self.missing.add(key)
        return super().get(key, default)


@pytest.fixture(params=session.LANGUAGES)
def language(request, monkeypatch):
    """Each test runs in each language; in a translation, every message must be in its catalog."""
    recording = Recording(session.catalog(request.param) if request.param != "en" else {})
    monkeypatch.setattr(session, "catalog", lambda language: recording)
    helpers.setup(language=request.param)
    yield request.param
    helpers.setup()
    assert recording.missing == set(), f"not in the {request.param} catalog: {sorted(recording.missing)}"


def question(chapter, number):
    return getattr(exercises.load(chapter), f"q{number}")


def odd_answers():
    """What a careless learner hands in: wrong types, odd numbers, odd tensors, odd functions."""
    loop = []
    loop.append(loop)

    class Unprintable(Exception):
        def __str__(self):
            raise ValueError("no text")

    def raises_unprintable(*args, **kwargs):
        raise Unprintable

    def exits(*args, **kwargs):
        sys.exit(1)

    return [None, "nonsense", 0, -1.5, 10**400, 1 + 2j, Fraction(1, 3), float("nan"), float("inf"),
            torch.zeros(3, 3, 3), torch.empty(2, device="meta"), torch.eye(3).to_sparse(), [None], loop,
            {"x": 1}, nn.Linear(2, 2), int, print, lambda *args, **kwargs: None,
            lambda *args, **kwargs: 1 / 0, raises_unprintable, exits]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_questions_of_several_kinds(chapter):
    ex = exercises.load(chapter)
    kinds = {q.kind for q in ex}
    assert len(ex) >= 4
    assert "thought" in kinds and "value" in kinds and kinds & {"function", "code"}


@pytest.mark.parametrize("chapter, number", QUESTIONS)
def test_the_model_solution_passes(chapter, number, language):
    q = question(chapter, number)
    if q.kind == "thought":
        assert q.evaluate("my notes").status == THOUGHT
        return
    verdict = q.evaluate(run_source(q.solution_code)[q.name])
    assert verdict.status == CORRECT, verdict.message


# A wrong answer of chapter 6 calls backward(create_graph=True) on parameters, as a learner might.
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
@pytest.mark.parametrize("chapter, number", CHECKED)
def test_plausible_wrong_answers_fail(chapter, number, language):
    q = question(chapter, number)
    assert len(q.wrong) >= MIN_WRONG, f"{chapter} q{number} needs {MIN_WRONG} plausible wrong answers"
    assert len(set(q.wrong)) == len(q.wrong)
    for source in q.wrong:
        verdict = q.evaluate(run_source(source)[q.name])
        assert verdict.status == INCORRECT, f"accepted a wrong answer:\n{source}"
        assert verdict.message.startswith(NOT_YET[language])


@pytest.mark.parametrize("chapter, number", CHECKED)
def test_odd_answers_get_a_verdict_without_internal_text(chapter, number, language):
    q = question(chapter, number)
    assert q.evaluate(...).status == NOT_ATTEMPTED
    for answer in odd_answers():
        verdict = q.evaluate(answer)
        assert verdict.status == INCORRECT, f"accepted {answer!r:.40}"
        assert "Traceback" not in verdict.message and len(verdict.message) < 400


@pytest.mark.parametrize("chapter, number", CHECKED)
def test_checking_leaves_the_notebook_state_alone(chapter, number):
    q = question(chapter, number)
    torch.manual_seed(7)
    rng = torch.get_rng_state()
    for source in [q.solution_code, *q.wrong]:
        q.evaluate(run_source(source)[q.name])
    assert torch.equal(rng, torch.get_rng_state())
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()


@pytest.mark.parametrize("chapter, number", QUESTIONS)
def test_the_hint_is_not_the_solution(chapter, number):
    q = question(chapter, number)
    hint = q.text("hint")
    assert hint and q.prompt
    code_lines = [line.strip() for line in q.solution_code.splitlines() if len(line.strip()) > 20]
    if q.kind != "thought":
        assert not any(line in hint for line in code_lines), "the hint gives the solution away"


def public_helpers():
    found = {}
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name.startswith("helpers.exercises"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (not name.startswith("_") and inspect.isfunction(value)
                    and value.__module__ == module.__name__):
                found[f"{info.name}.{name}"] = value
    return found


def test_no_public_helper_passes_an_exercise(monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 2.0)
    candidates = public_helpers()
    assert candidates, "the helper package has public functions to try"
    passing = []
    for param in CHECKED:
        q = question(*param.values)
        if q.kind not in ("function", "code"):
            continue
        passing += [f"{name} passes {param.id}" for name, helper in candidates.items()
                    if q.evaluate(helper).status == CORRECT]
    assert passing == []


@pytest.mark.parametrize("chapter, number", QUESTIONS)
def test_every_question_is_written_in_every_language(chapter, number, language):
    q = question(chapter, number)
    keys = ("prompt", "hint", "solution") if q.kind == "thought" else ("prompt", "hint")
    written = q.texts.get(language, {}) if language != "en" else q.texts["en"]
    assert all(written.get(key) for key in keys), f"{language}: {chapter} q{number} lacks {keys}"
    assert set(written) <= {"prompt", "hint", "solution"}
