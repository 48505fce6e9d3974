"""Self-check exercises, in the manner of Kaggle's learntools.

Each chapter has one spec file, ``helpers/exercises/<chapter>.py`` (the notebook's name
without its number), holding a list ``QUESTIONS`` of :class:`Value`, :class:`Function`,
:class:`Code` and :class:`Thought` questions. A notebook loads them by its own name::

    ex = helpers.exercises.load("01_parameter_access")
    ex.q1                 # shows the question
    ex.q1.check(answer)   # prints a verdict; never raises, never hangs
    ex.q1.hint()
    ex.q1.solution()

A question's ``solution`` is source code that assigns the answer's name; for a
:class:`Function` question the function it defines is the reference. Its ``wrong``
entries are plausible mistakes, each source code too: the tests assert that every one
is judged wrong and the solution right. ``...`` is the placeholder of an unanswered cell.

Checking runs the learner's code from a fixed state and restores the notebook's
(see :mod:`helpers.checking`), within :data:`TIME_LIMIT` seconds. When the environment
variable ``PARAMETER_LAB_RESULTS`` names a file, each ``check()`` appends one JSON line
with the chapter, the question and the status (the class progress report reads them).

>>> q = Value("How many weights has `nn.Linear(4, 8)`?", name="n_weights", expected=32,
...           hint="in times out", solution="n_weights = 4 * 8", wrong=[])
>>> q.check(32.5)
Not yet: your answer: 32.5 is not the expected count (a whole number). Try again, or call q.hint() for a hint.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import textwrap
from dataclasses import dataclass

from helpers.checking import (TimeLimit, changes, compare, describe, error_text, isolated, snapshot,
                              time_limit)

CORRECT, INCORRECT, NOT_ATTEMPTED, THOUGHT = "correct", "incorrect", "not attempted", "thought"
TIME_LIMIT = 5.0  # seconds per check: far above any model solution, short enough to notice
PRELUDE = ("import math\nimport random\nimport numpy as np\nimport torch\nfrom torch import nn\n"
           "import torch.nn.functional as F\nimport helpers\n")
WITH_TEACHER = "The worked solutions of this copy are with your teacher."


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: a status and the message shown to the learner."""

    status: str
    message: str


def run_source(source: str) -> dict:
    """Execute ``source`` after :data:`PRELUDE` in a fresh namespace, from a fixed state."""
    namespace: dict = {}
    with isolated():
        exec(compile(PRELUDE + source, "<solution>", "exec"), namespace)
    return namespace


class call:  # noqa: N801 (reads as a function call in a spec: call(model, trainable_only=True))
    """The arguments of one case of a :class:`Function` question, keywords included."""

    def __init__(self, *args, **kwargs) -> None:
        self.args, self.kwargs = args, kwargs


class Question:
    """A prompt, a hint, a model solution and :meth:`check`."""

    kind = "question"

    def __init__(self, prompt: str, *, name: str, hint: str, solution: str, wrong=()) -> None:
        self.prompt = textwrap.dedent(prompt).strip()
        self.name = name
        self._hint = textwrap.dedent(hint).strip()
        self.solution_code = textwrap.dedent(solution).strip()
        self.wrong = [textwrap.dedent(source).strip() for source in wrong]
        self.label, self.chapter, self.solutions_shown = "q", "", True

    def evaluate(self, answer=Ellipsis) -> Verdict:
        """Judge ``answer``; never raises (but lets KeyboardInterrupt through)."""
        if answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED, f"Not attempted yet: replace the ... with your answer for "
                                          f"`{self.name}`, then run the cell again.")
        try:
            with isolated(), time_limit(TIME_LIMIT):
                problem = self._judge(answer)
        except KeyboardInterrupt:
            raise
        except TimeLimit:
            problem = (f"your answer was still running after {TIME_LIMIT:g} seconds, so it was stopped "
                       "(an endless loop?)")
        except SystemExit:
            problem = "your answer called exit(), which would stop the notebook"
        except BaseException as error:  # a learner's object can fail in any way: report it
            problem = f"running your answer raised {error_text(error)}"
        if problem is None:
            return Verdict(CORRECT, "Correct.")
        return Verdict(INCORRECT, f"Not yet: {problem}. Try again, or call {self.label}.hint() for a hint.")

    def _judge(self, answer) -> str | None:
        raise NotImplementedError

    def check(self, answer=Ellipsis) -> None:
        """Print whether ``answer`` is right and, if not, what is wrong with it."""
        verdict = self.evaluate(answer)
        _record(self, verdict)
        print(verdict.message)

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self._hint}")

    def solution(self) -> None:
        """Print the model solution."""
        print(f"Solution:\n{self.solution_code}" if self.solutions_shown else WITH_TEACHER)

    def _heading(self) -> str:
        return f"Question {self.label.rsplit('q', 1)[-1]} ({self.kind})"

    def _repr_markdown_(self) -> str:
        return f"**{self._heading()}.** {self.prompt}"

    def __repr__(self) -> str:
        return f"{self._heading()}. {self.prompt}"


class Value(Question):
    """The answer is a value, compared by :func:`helpers.checking.compare` with ``expected``.

    ``choices`` names the options of a string answer and lists them when it is none of them.
    """

    kind = "value"

    def __init__(self, prompt, *, name, expected, hint, solution, wrong=(), rtol=1e-4, atol=1e-6,
                 same_dtype=False, choices=None) -> None:
        super().__init__(prompt, name=name, hint=hint, solution=solution, wrong=wrong)
        self.expected, self.choices = expected, choices
        self.tolerance = {"rtol": rtol, "atol": atol, "same_dtype": same_dtype}

    def _judge(self, answer):
        if self.choices is not None and answer not in self.choices:
            options = ", ".join(repr(choice) for choice in self.choices)
            return f"expected one of {options}, got {describe(answer)}"
        return compare(answer, self.expected, **self.tolerance)


class Function(Question):
    """The answer is a function, called on fresh ``cases()`` and compared with the solution's.

    ``cases`` returns a list of argument tuples or :class:`call` objects. It is called
    anew, from the same seed, for the reference and for the learner, so both get equal
    fresh inputs. With ``pure=True`` the learner's call must leave its inputs unchanged.
    """

    kind = "function"

    def __init__(self, prompt, *, name, cases, hint, solution, wrong=(), pure=False, rtol=1e-4,
                 atol=1e-6, same_dtype=False) -> None:
        super().__init__(prompt, name=name, hint=hint, solution=solution, wrong=wrong)
        self.cases, self.pure = cases, pure
        self.tolerance = {"rtol": rtol, "atol": atol, "same_dtype": same_dtype}
        self._reference = None

    @property
    def reference(self):
        if self._reference is None:
            self._reference = run_source(self.solution_code)[self.name]
        return self._reference

    def _fresh_cases(self, index: int) -> call:
        with isolated(seed=index):
            case = self.cases()[index]
        return case if isinstance(case, call) else call(*case)

    def _judge(self, answer):
        if not callable(answer) or isinstance(answer, type) or _is_module(answer):
            return f"expected a function (written with def), got {describe(answer)}"
        reference = self.reference
        with isolated():
            count = len(self.cases())
        for index in range(count):
            case = self._fresh_cases(index)
            with isolated(seed=index):
                want = reference(*case.args, **case.kwargs)
            case = self._fresh_cases(index)
            shown = ", ".join([describe(arg) for arg in case.args] +
                              [f"{key}={describe(value)}" for key, value in case.kwargs.items()])
            before = snapshot([case.args, case.kwargs]) if self.pure else None
            try:
                with isolated(seed=index):
                    got = answer(*case.args, **case.kwargs)
            except (KeyboardInterrupt, TimeLimit, SystemExit):
                raise
            except BaseException as error:
                return f"your function raised {error_text(error)} when called with ({shown})"
            if self.pure:
                mutated = changes(before, [case.args, case.kwargs])
                if mutated:
                    return f"called with ({shown}), {mutated}; the question asks you not to change it"
            problem = compare(got, want, **self.tolerance)
            if problem is not None:
                return f"for the input ({shown}): {problem}"
        return None


def _is_module(value) -> bool:
    import torch

    return isinstance(value, torch.nn.Module)


class Code(Question):
    """The answer is an object (a module, an optimizer, an init function...) judged by ``verify``,
    which returns ``None`` when it is right or a sentence saying what is wrong."""

    kind = "code"

    def __init__(self, prompt, *, name, verify, hint, solution, wrong=()) -> None:
        super().__init__(prompt, name=name, hint=hint, solution=solution, wrong=wrong)
        self.verify = verify

    def _judge(self, answer):
        return self.verify(answer)


class Thought(Question):
    """A question to think or write about: ``check()`` points to the model answer."""

    kind = "thought"

    def evaluate(self, answer=Ellipsis) -> Verdict:
        return Verdict(THOUGHT, "Thought question: nothing to check automatically. "
                                f"Compare your answer with {self.label}.solution().")

    def solution(self) -> None:
        print(f"Model answer:\n{self.solution_code}" if self.solutions_shown else WITH_TEACHER)


def _record(question: Question, verdict: Verdict) -> None:
    path = os.environ.get("PARAMETER_LAB_RESULTS")
    if not path:
        return
    line = json.dumps({"chapter": question.chapter, "question": question.label.split(".")[-1],
                       "status": verdict.status})
    try:
        with open(path, "a", encoding="utf-8") as results:
            results.write(line + "\n")
    except OSError:
        pass  # the report then shows the question as not attempted; the learner is not disturbed


class ExerciseSet:
    """The questions of one chapter, reachable as ``q1``, ``q2``, ..."""

    def __init__(self, chapter: str, questions, *, solutions: bool = True) -> None:
        self.chapter, self.questions = chapter, list(questions)
        for number, question in enumerate(self.questions, start=1):
            question.label, question.chapter = f"ex.q{number}", chapter
            question.solutions_shown = solutions
            setattr(self, f"q{number}", question)

    def __iter__(self):
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        listing = ", ".join(f"q{n} ({q.kind})" for n, q in enumerate(self.questions, start=1))
        return f"Exercises for {self.chapter}: {listing}"


def spec_module(chapter: str) -> str:
    """The spec module of a notebook name: ``01_parameter_access`` -> ``helpers.exercises.parameter_access``."""
    return "helpers.exercises." + re.sub(r"^\d+_", "", chapter)


def load(chapter: str, *, solutions: bool = True) -> ExerciseSet:
    """The exercises of the notebook named ``chapter`` (its file name without ``.ipynb``).

    ``solutions=False`` is for graded student copies: ``solution()`` then says the
    solutions are with the teacher, while hints still work.
    """
    if not isinstance(chapter, str) or not re.fullmatch(r"\d+_[a-z0-9_]+", chapter):
        raise ValueError(f"load() takes the notebook's name, such as '01_parameter_access', "
                         f"not {describe(chapter)}")
    try:
        module = importlib.import_module(spec_module(chapter))
    except ModuleNotFoundError as error:
        if error.name != spec_module(chapter):
            raise
        raise ValueError(f"There are no exercises for {chapter!r}: check the notebook's name.") from None
    # fresh copies, so two notebooks (or a test) never share a question's label
    questions = [_copy(question) for question in module.QUESTIONS]
    return ExerciseSet(chapter, questions, solutions=solutions)


def _copy(question: Question) -> Question:
    clone = object.__new__(type(question))
    clone.__dict__.update(question.__dict__)
    return clone


__all__ = ["CORRECT", "INCORRECT", "NOT_ATTEMPTED", "THOUGHT", "Code", "ExerciseSet", "Function", "Thought",
           "Value", "Verdict", "call", "compare", "describe", "load", "run_source"]
