"""Self-check exercises, in the manner of Kaggle's learntools: ``helpers/exercises/<chapter>.py`` (the
notebook's name without its number) lists a chapter's ``QUESTIONS``; ``ex = load("01_parameter_access")``
gives ``ex.q1`` (the prompt), ``ex.q1.check(answer)`` (a verdict; never raises, never hangs), ``hint()``
and ``solution()``. When ``PARAMETER_LAB_RESULTS`` names a file, each ``check()`` appends a JSON line
(chapter, question, status) for the class report. CONTRIBUTING.md says how to write a spec file."""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import json
import os
import textwrap
from collections import namedtuple

import torch
from IPython.display import display

from helpers.session import language, tr
from helpers.checking import TimeLimit, changes, compare, describe, error_text, isolated, snapshot, time_limit

CORRECT, INCORRECT, NOT_ATTEMPTED, THOUGHT = "correct", "incorrect", "not attempted", "thought"
TIME_LIMIT = 5.0  # seconds per check: far above any model solution, short enough to notice a loop
PRELUDE = ("import math\nimport random\nimport numpy as np\nimport torch\nfrom torch import nn\n"
           "import torch.nn.functional as F\nimport helpers\n")
Verdict = namedtuple("Verdict", "status message")


class Text(str):
    """Text that a notebook renders as Markdown (math included) and nbval compares as plain text."""

    _repr_markdown_ = __repr__ = str.__str__


def run_source(source: str) -> dict:
    """Execute ``source`` after :data:`PRELUDE` in a fresh namespace, from a fixed state."""
    namespace: dict = {}
    with isolated():
        exec(compile(PRELUDE + source, "<solution>", "exec"), namespace)
    return namespace


class call:  # noqa: N801 (reads as a call in a spec: call(model, trainable_only=True))
    """The arguments of one case of a :class:`Function` question, keywords included."""

    def __init__(self, *args, **kwargs) -> None:
        self.args, self.kwargs = args, kwargs


class Question:
    """A prompt, a hint, a model solution and :meth:`check`; ``options`` tune the comparison.
    Each kind sets ``kind`` and judges an answer in ``_judge``: ``None`` when it is right."""

    solution_heading = "Solution:"

    def __init__(self, prompt: str, *, name: str, hint: str, solution: str, wrong=(), zh_CN=None, **options) -> None:
        # zh_CN=dict(prompt=..., hint=..., solution=...): the Chinese text (a Thought's model answer)
        self.texts = {"en": {"prompt": prompt, "hint": hint, "solution": solution}, "zh-CN": zh_CN or {}}
        self.texts = {language: {key: textwrap.dedent(text).strip() for key, text in texts.items()}
                      for language, texts in self.texts.items()}
        self.name, self.solution_code = name, self.texts["en"]["solution"]
        self.wrong, self.options = [textwrap.dedent(source).strip() for source in wrong], options
        self.label, self.chapter, self.solutions_shown = "ex.q", "", True

    def text(self, key: str) -> str:
        """The prompt, hint or solution in the session's language (English where none is written)."""
        return self.texts.get(language(), {}).get(key) or self.texts["en"][key]

    @property
    def prompt(self) -> str:
        return self.text("prompt")

    def evaluate(self, answer=Ellipsis) -> Verdict:
        """The status and message for ``answer``; never raises (KeyboardInterrupt aside)."""
        if answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED, tr("Not attempted yet: replace the ... with your answer for `{name}`, "
                                             "then run the cell again.", name=self.name))
        try:
            with isolated(), time_limit(TIME_LIMIT):
                problem = self._judge(answer)
        except KeyboardInterrupt:
            raise
        except TimeLimit:
            problem = tr("your answer was still running after {seconds:g} seconds, so it was stopped",
                         seconds=TIME_LIMIT)
        except SystemExit:
            problem = tr("your answer called exit(), which would stop the notebook")
        except BaseException as error:  # a learner's object can fail in any way: report it
            problem = tr("running your answer raised {error}", error=error_text(error))
        if problem is None:
            return Verdict(CORRECT, tr("Correct."))
        return Verdict(INCORRECT, tr("Not yet: {problem}. Try again, or call {label}.hint() for a hint.",
                                     problem=problem, label=self.label))

    def check(self, answer=Ellipsis) -> None:
        status, message = self.evaluate(answer)
        if os.environ.get("PARAMETER_LAB_RESULTS"):
            line = {"chapter": self.chapter, "question": self.label.split(".")[-1], "status": status}
            # An unwritable file leaves the question "not attempted" in the report, and the learner undisturbed.
            with contextlib.suppress(OSError), open(os.environ["PARAMETER_LAB_RESULTS"], "a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
        print(message)

    def hint(self) -> None:
        display(Text(tr("Hint: {hint}", hint=self.text("hint"))))

    def solution(self) -> None:
        print(tr(self.solution_heading) + "\n" + self.text("solution") if self.solutions_shown else
              tr("The worked solutions of this copy are with your teacher."))

    def heading(self) -> str:
        return tr("Question {number} ({kind}).", number=self.label.split("q")[-1], kind=tr(self.kind))

    def __repr__(self) -> str:  # Chinese puts no space after its full stop: the catalog says so
        return tr("{heading} {prompt}", heading=self.heading(), prompt=self.prompt)

    def _repr_markdown_(self) -> str:
        return f"**{self.heading()}** {self.prompt}"  # the space lets Markdown close ** after "。" too


class Value(Question):
    """A value, compared with ``expected`` (options ``rtol``, ``atol``, ``same_dtype``)."""

    kind = "value"

    def __init__(self, prompt, *, expected, **fields) -> None:
        super().__init__(prompt, **fields)
        self.expected = expected

    def _judge(self, answer):
        return compare(answer, self.expected, **self.options)


class Function(Question):
    """The answer is a function, called on fresh ``cases()`` (argument tuples or :class:`call` objects,
    built anew from the same seed for the reference and for the learner) and compared with the solution's.
    With ``pure=True`` the learner's call must leave its inputs unchanged."""

    kind = "function"

    def __init__(self, prompt, *, cases, pure=False, **fields) -> None:
        super().__init__(prompt, **fields)
        self.cases, self.pure = cases, pure

    @functools.cached_property
    def reference(self):
        return run_source(self.solution_code)[self.name]

    def _case(self, index: int) -> call:
        with isolated(seed=index):
            case = self.cases()[index]
        return case if isinstance(case, call) else call(*case)

    def _judge(self, answer):
        if not callable(answer) or isinstance(answer, (type, torch.nn.Module)):
            return tr("expected a function (written with def), got {got}", got=describe(answer))
        reference = self.reference
        with isolated():
            count = len(self.cases())
        for index in range(count):
            case = self._case(index)
            with isolated(seed=index):
                want = reference(*case.args, **case.kwargs)
            case = self._case(index)
            shown = ", ".join([describe(arg) for arg in case.args] +
                              [f"{key}={describe(value)}" for key, value in case.kwargs.items()])
            before = snapshot([case.args, case.kwargs]) if self.pure else None
            try:
                with isolated(seed=index):
                    got = answer(*case.args, **case.kwargs)
            except (KeyboardInterrupt, TimeLimit, SystemExit):
                raise
            except BaseException as error:
                return tr("your function raised {error} when called with ({shown})", error=error_text(error),
                          shown=shown)
            if self.pure and (mutated := changes(before, [case.args, case.kwargs])):
                return tr("called with ({shown}), {mutated}; the question asks you not to change it", shown=shown,
                          mutated=mutated)
            if (problem := compare(got, want, **self.options)) is not None:
                return tr("for the input ({shown}): {problem}", shown=shown, problem=problem)
        return None


class Code(Question):
    """An object (a module, an optimizer...) judged by ``verify(answer)``: ``None`` or what is wrong."""

    kind = "code"

    def __init__(self, prompt, *, verify, **fields) -> None:
        super().__init__(prompt, **fields)
        self.verify = verify

    def _judge(self, answer):
        return self.verify(answer)


class Thought(Question):
    """A question to think or write about: ``check()`` points to the model answer."""

    kind, solution_heading = "thought", "Model answer:"

    def evaluate(self, answer=Ellipsis) -> Verdict:
        return Verdict(THOUGHT, tr("Thought question: nothing to check automatically. Compare your answer "
                                   "with {label}.solution().", label=self.label))


class ExerciseSet(list):
    """The questions of one chapter, in order and as ``q1``, ``q2``, ..."""

    def __init__(self, chapter: str, questions, *, solutions: bool = True) -> None:
        super().__init__(questions)
        self.chapter = chapter
        for number, question in enumerate(self, start=1):
            question.label, question.chapter, question.solutions_shown = f"ex.q{number}", chapter, solutions
            setattr(self, f"q{number}", question)

    def __repr__(self) -> str:
        listing = ", ".join(f"q{n} ({tr(q.kind)})" for n, q in enumerate(self, start=1))
        return tr("Exercises for {chapter}: {listing}", chapter=self.chapter, listing=listing)


def load(chapter: str, *, solutions: bool = True) -> ExerciseSet:
    """The exercises of the notebook named ``chapter`` (its file name without ``.ipynb``) from the spec file
    ``helpers/exercises/<name without the number>.py``; ``solutions=False`` (graded student copies) keeps
    hints and withholds solutions."""
    module = importlib.import_module("helpers.exercises." + chapter.split("_", 1)[1])
    # copies, so that two loads never share a question's label
    return ExerciseSet(chapter, [copy.copy(question) for question in module.QUESTIONS], solutions=solutions)
