# TEMPORARY: the old question classes, kept only while the chapters move to spec files.
"""Self-check exercises, in the manner of Kaggle's learntools.

Each chapter module keeps a list ``QUESTIONS``; a notebook loads them by name::

    ex = helpers.exercises.load("01_parameter_access")
    ex.q1.check(answer)   # prints a verdict, never raises
    ex.q1.hint()
    ex.q1.solution()

Four kinds of question:

- :class:`ValueQuestion`: a value, compared with tolerance for floats and tensors,
  with shape and dtype checked first;
- :class:`FunctionQuestion`: a function the learner writes, run on fresh cases and
  compared with a reference;
- :class:`CodeQuestion`: an object the learner builds (a module, an optimizer, an
  init function), judged by a verifier that returns what is wrong;
- :class:`ThoughtQuestion`: free text; only a model answer is offered.

``...`` (Ellipsis) is the placeholder in an unanswered cell: checking it says
"not attempted yet" instead of judging it.

>>> q = ValueQuestion("How many weights has nn.Linear(4, 8)?", answer_name="n_weights",
...                   expected=32, hint="in_features * out_features", solution="n_weights = 4 * 8")
>>> q.check(32)
Correct.
>>> q.check(...)
Not attempted yet: replace the ... with your answer for `n_weights`, then run the cell again.
"""

from __future__ import annotations

import importlib
import math
import numbers
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch

from helpers.course import chapter_by_slug

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
THOUGHT = "thought"


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: a status and the message shown to the learner."""

    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        return self.message


class _Mismatch(Exception):
    """Raised inside comparisons; its message is shown to the learner as is."""


def describe(value: Any) -> str:
    """A short, address-free description of ``value`` for messages.

    >>> describe(torch.zeros(2, 3))
    'a tensor of shape [2, 3] and dtype torch.float32'
    >>> describe([1, 2])
    'a list of length 2'
    >>> describe(None)
    'None'
    """
    if value is None:
        return "None"
    if value is Ellipsis:
        return "the placeholder ..."
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {list(value.shape)} and dtype {value.dtype}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {list(value.shape)}"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, numbers.Number):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, torch.nn.Module):
        return f"a module of type {type(value).__name__}"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"an object of type {type(value).__name__}"


def _as_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or isinstance(value, np.bool_):
        raise _Mismatch(f"{what}: expected a number, got {describe(value)}")
    if isinstance(value, numbers.Number):
        return value
    if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
        return value.item()
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype == torch.bool:
        return value.item()
    raise _Mismatch(f"{what}: expected a number, got {describe(value)}")


def compare(answer: Any, expected: Any, *, rtol: float = 1e-4, atol: float = 1e-6,
            what: str = "your answer") -> str | None:
    """Compare ``answer`` with ``expected``; return what is wrong, or ``None`` when they match.

    Tensors are compared by type, shape, dtype, then values within tolerance; floats
    within tolerance; ints, bools and strings exactly (strings ignore case and
    surrounding spaces); lists, tuples and dicts element by element.

    >>> compare(torch.ones(8), torch.ones(1, 8))
    'your answer: expected shape [1, 8], got [8]'
    >>> compare(0.33333, 1 / 3) is None
    True
    """
    _check_tolerances(rtol, atol)
    try:
        _compare(answer, expected, rtol=rtol, atol=atol, what=what)
    except _Mismatch as mismatch:
        return str(mismatch)
    return None


def _check_tolerances(rtol, atol) -> None:
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not tolerance >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {tolerance!r}")


def _compare(answer, expected, *, rtol, atol, what):
    if isinstance(expected, torch.Tensor):
        _compare_tensor(answer, expected, rtol=rtol, atol=atol, what=what)
    elif isinstance(expected, (bool, np.bool_)):
        if isinstance(answer, torch.Tensor) and answer.numel() == 1 and answer.dtype == torch.bool:
            answer = answer.item()
        if not isinstance(answer, (bool, np.bool_)):
            raise _Mismatch(f"{what}: expected True or False, got {describe(answer)}")
        if bool(answer) != bool(expected):
            raise _Mismatch(f"{what}: {bool(answer)} is not right")
    elif isinstance(expected, numbers.Integral):
        number = _as_number(answer, what)
        if isinstance(number, float) and not number.is_integer():
            raise _Mismatch(f"{what}: expected a whole number, got {number!r}")
        if int(number) != int(expected):
            raise _Mismatch(f"{what}: {int(number)} is not the expected count")
    elif isinstance(expected, numbers.Real):
        number = _as_number(answer, what)
        if math.isnan(number) or not math.isclose(number, expected, rel_tol=rtol, abs_tol=atol):
            raise _Mismatch(f"{what}: {number:.6g} is not close enough to the expected value")
    elif isinstance(expected, str):
        if not isinstance(answer, str):
            raise _Mismatch(f"{what}: expected a string, got {describe(answer)}")
        if answer.strip().lower() != expected.strip().lower():
            raise _Mismatch(f"{what}: {answer!r} is not the expected text")
    elif isinstance(expected, dict):
        if not isinstance(answer, dict):
            raise _Mismatch(f"{what}: expected a dict, got {describe(answer)}")
        missing = [key for key in expected if key not in answer]
        extra = [key for key in answer if key not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys {missing}")
            if extra:
                parts.append(f"unexpected keys {extra}")
            raise _Mismatch(f"{what}: " + "; ".join(parts))
        for key in expected:
            _compare(answer[key], expected[key], rtol=rtol, atol=atol, what=f"{what}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        if not isinstance(answer, (list, tuple)):
            raise _Mismatch(f"{what}: expected a {type(expected).__name__} of length "
                            f"{len(expected)}, got {describe(answer)}")
        if len(answer) != len(expected):
            raise _Mismatch(f"{what}: expected length {len(expected)}, got {len(answer)}")
        for index, (got, want) in enumerate(zip(answer, expected)):
            _compare(got, want, rtol=rtol, atol=atol, what=f"{what}[{index}]")
    elif isinstance(expected, (set, frozenset)):
        if not isinstance(answer, (set, frozenset, list, tuple)):
            raise _Mismatch(f"{what}: expected a set, got {describe(answer)}")
        got = set(answer)
        if got != set(expected):
            raise _Mismatch(f"{what}: the set {sorted(map(str, got))} is not the expected one")
    elif expected is None:
        if answer is not None:
            raise _Mismatch(f"{what}: expected None, got {describe(answer)}")
    else:
        raise TypeError(f"expected has a type compare() cannot check: {type(expected).__name__}")


def _compare_tensor(answer, expected, *, rtol, atol, what):
    if isinstance(answer, np.ndarray):
        raise _Mismatch(f"{what}: expected a torch tensor, got a NumPy array "
                        "(torch.from_numpy converts it)")
    if not isinstance(answer, torch.Tensor):
        raise _Mismatch(f"{what}: expected a tensor of shape {list(expected.shape)}, "
                        f"got {describe(answer)}")
    if answer.shape != expected.shape:
        raise _Mismatch(f"{what}: expected shape {list(expected.shape)}, got {list(answer.shape)}")
    if answer.dtype != expected.dtype:
        raise _Mismatch(f"{what}: expected dtype {expected.dtype}, got {answer.dtype}")
    got = answer.detach().cpu()
    want = expected.detach().cpu()
    if want.dtype == torch.bool or not want.is_floating_point():
        if not torch.equal(got, want):
            wrong = int((got != want).sum())
            raise _Mismatch(f"{what}: {wrong} of {want.numel()} entries are not right")
        return
    if not torch.allclose(got, want, rtol=rtol, atol=atol, equal_nan=False):
        diff = (got - want).abs()
        diff = torch.where(torch.isnan(diff), torch.full_like(diff, float("inf")), diff)
        index = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape))
        wrong = int((~torch.isclose(got, want, rtol=rtol, atol=atol)).sum())
        place = f" (the first is at index {list(index)})" if index else ""
        raise _Mismatch(f"{what}: {wrong} of {want.numel()} values are off{place}")


class Question:
    """Base class: a prompt, a hint, a model solution, and :meth:`check`."""

    kind = "question"

    def __init__(self, prompt: str, *, answer_name: str, hint: str, solution: str) -> None:
        for name, value in (("prompt", prompt), ("answer_name", answer_name),
                            ("hint", hint), ("solution", solution)):
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"{name} must be a non-empty str, got {describe(value)}")
        if not answer_name.isidentifier():
            raise ValueError(f"answer_name must be a Python name, got {answer_name!r}")
        self.prompt = textwrap.dedent(prompt).strip()
        self.answer_name = answer_name
        self._hint = textwrap.dedent(hint).strip()
        self._solution = textwrap.dedent(solution).strip()
        self.label = "Question"

    @property
    def solution_code(self) -> str:
        """The model solution as source text (for a thought question, the model answer)."""
        return self._solution

    def evaluate(self, answer: Any = Ellipsis) -> Verdict:
        """Judge ``answer`` and return a :class:`Verdict`; never raises."""
        if answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED,
                           f"Not attempted yet: replace the ... with your answer for "
                           f"`{self.answer_name}`, then run the cell again.")
        try:
            problem = self._judge(answer)
        except Exception as error:  # a learner's object may fail in any way; report it, never raise
            problem = f"checking your answer raised {type(error).__name__}: {error}"
        if problem is None:
            return Verdict(CORRECT, "Correct.")
        return Verdict(INCORRECT, f"Not yet: {problem}. Try again, or call "
                                  f"{self._call('hint')} for a hint.")

    def _judge(self, answer: Any) -> str | None:
        raise NotImplementedError

    def check(self, answer: Any = Ellipsis) -> None:
        """Print whether ``answer`` is right, and if not, what is wrong with it."""
        print(self.evaluate(answer).message)

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self._hint}")

    def solution(self) -> None:
        """Print the model solution."""
        print(f"Solution:\n{self._solution}")

    def _call(self, method: str) -> str:
        return f"{self.label}.{method}()"

    def __repr__(self) -> str:
        first_line = self.prompt.splitlines()[0]
        return f"<{self.kind} question {self.label}: {first_line}>"


class ValueQuestion(Question):
    """The answer is a value: a number, a tensor, a string, a bool, or a list/tuple/dict of them.

    ``choices`` restricts a string answer to a few options and names them when the
    answer is not one of them.

    >>> q = ValueQuestion("Shape of the first layer's weight?", answer_name="shape",
    ...                   expected=torch.zeros(1, 8), hint="h", solution="s")
    >>> q.check(torch.zeros(8))
    Not yet: your answer: expected shape [1, 8], got [8]. Try again, or call Question.hint() for a hint.
    """

    kind = "value"

    def __init__(self, prompt: str, *, answer_name: str, expected: Any, hint: str, solution: str,
                 rtol: float = 1e-4, atol: float = 1e-6, choices: Sequence[str] | None = None) -> None:
        super().__init__(prompt, answer_name=answer_name, hint=hint, solution=solution)
        if expected is Ellipsis:
            raise ValueError("expected must be a real value, not the placeholder ...")
        if compare(expected, expected) is not None:
            raise ValueError(f"expected does not match itself (NaN?): {describe(expected)}")
        _check_tolerances(rtol, atol)
        if choices is not None:
            if not all(isinstance(choice, str) for choice in choices) or not choices:
                raise TypeError("choices must be a non-empty list of str")
            if not isinstance(expected, str) or expected.lower() not in [c.lower() for c in choices]:
                raise ValueError(f"expected must be one of choices {list(choices)}, got {expected!r}")
        self.expected = expected
        self.rtol = rtol
        self.atol = atol
        self.choices = None if choices is None else tuple(choices)

    def _judge(self, answer):
        if self.choices is not None:
            options = ", ".join(repr(c) for c in self.choices)
            if not isinstance(answer, str):
                return f"expected one of {options}, got {describe(answer)}"
            if answer.strip().lower() not in [c.lower() for c in self.choices]:
                return f"expected one of {options}, got {answer!r}"
        return compare(answer, self.expected, rtol=self.rtol, atol=self.atol)


class FunctionQuestion(Question):
    """The answer is a function; it is called on fresh cases and compared with ``reference``.

    ``cases`` is a callable returning a list of argument tuples; it is called anew
    for every check, so a function that mutates its input cannot spoil later cases.

    >>> q = FunctionQuestion("Count the elements of a tensor.", answer_name="count",
    ...                      reference=lambda t: t.numel(),
    ...                      cases=lambda: [(torch.zeros(2, 3),), (torch.zeros(5),)],
    ...                      hint="h", solution="count = lambda t: t.numel()")
    >>> q.check(lambda t: len(t))
    Not yet: for the input (a tensor of shape [2, 3] and dtype torch.float32): your answer: 2 is not the expected count. Try again, or call Question.hint() for a hint.
    """

    kind = "function"

    def __init__(self, prompt: str, *, answer_name: str, reference: Callable[..., Any],
                 cases: Callable[[], Iterable[tuple]], hint: str, solution: str,
                 rtol: float = 1e-4, atol: float = 1e-6) -> None:
        super().__init__(prompt, answer_name=answer_name, hint=hint, solution=solution)
        if not callable(reference):
            raise TypeError(f"reference must be callable, got {describe(reference)}")
        if not callable(cases):
            raise TypeError(f"cases must be a callable returning argument tuples, got {describe(cases)}")
        _check_tolerances(rtol, atol)
        self.reference = reference
        self.cases = cases
        self.rtol = rtol
        self.atol = atol

    def _judge(self, answer):
        if not callable(answer) or isinstance(answer, type):
            return f"expected a function, got {describe(answer)}"
        for args in self.cases():
            shown = ", ".join(describe(arg) for arg in args)
            want = self.reference(*_fresh(args))
            try:
                got = answer(*_fresh(args))
            except Exception as error:
                return f"your function raised {type(error).__name__}: {error} when called with ({shown})"
            problem = compare(got, want, rtol=self.rtol, atol=self.atol, what="your answer")
            if problem is not None:
                return f"for the input ({shown}): {problem}"
        return None


def _fresh(args: tuple) -> tuple:
    return tuple(arg.clone() if isinstance(arg, torch.Tensor) else arg for arg in args)


class CodeQuestion(Question):
    """The answer is an object (a module, an optimizer, an init function...) judged by ``verify``.

    ``verify(answer)`` returns ``None`` when the answer is right, or a sentence saying
    what is wrong. Any exception it meets is reported as a problem with the answer.

    >>> def verify(module):
    ...     if not isinstance(module, torch.nn.Linear):
    ...         return f"expected an nn.Linear, got {describe(module)}"
    >>> q = CodeQuestion("Build a Linear layer.", answer_name="layer", verify=verify,
    ...                  hint="h", solution="layer = nn.Linear(2, 2)")
    >>> q.check(torch.nn.ReLU())
    Not yet: expected an nn.Linear, got a module of type ReLU. Try again, or call Question.hint() for a hint.
    """

    kind = "code"

    def __init__(self, prompt: str, *, answer_name: str, verify: Callable[[Any], str | None],
                 hint: str, solution: str) -> None:
        super().__init__(prompt, answer_name=answer_name, hint=hint, solution=solution)
        if not callable(verify):
            raise TypeError(f"verify must be callable, got {describe(verify)}")
        self.verify = verify

    def _judge(self, answer):
        return self.verify(answer)


class ThoughtQuestion(Question):
    """A question to think or write about; ``check`` only points to the model answer.

    >>> q = ThoughtQuestion("Why?", answer_name="thoughts", hint="h", solution="Because.")
    >>> q.check("my notes")
    Thought question: nothing to check automatically. Compare your answer with Question.solution().
    """

    kind = "thought"

    def evaluate(self, answer: Any = Ellipsis) -> Verdict:
        return Verdict(THOUGHT, "Thought question: nothing to check automatically. "
                                f"Compare your answer with {self._call('solution')}.")

    def solution(self) -> None:
        print(f"Model answer:\n{self._solution}")


class ExerciseSet:
    """The questions of one chapter, reachable as ``q1``, ``q2``, ...

    >>> ex = ExerciseSet("demo", [ThoughtQuestion("Why?", answer_name="a", hint="h", solution="s")])
    >>> ex.q1.label
    'ex.q1'
    >>> ex
    Exercises for demo: q1 (thought)
    """

    def __init__(self, name: str, questions: Sequence[Question]) -> None:
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {describe(name)}")
        if not questions or not all(isinstance(q, Question) for q in questions):
            raise TypeError("questions must be a non-empty list of Question objects")
        self.name = name
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            question.label = f"ex.q{number}"
            setattr(self, f"q{number}", question)

    def __iter__(self):
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        listing = ", ".join(f"q{n} ({q.kind})" for n, q in enumerate(self.questions, start=1))
        return f"Exercises for {self.name}: {listing}"


def load(chapter: str) -> ExerciseSet:
    """Load the exercises of a chapter by its notebook name.

    >>> load("01_parameter_access").q1.label
    'ex.q1'
    """
    entry = chapter_by_slug(chapter)
    module = importlib.import_module(entry.module)
    return ExerciseSet(chapter, module.QUESTIONS)


__all__ = ["CodeQuestion", "ExerciseSet", "FunctionQuestion", "Question", "ThoughtQuestion",
           "ValueQuestion", "Verdict", "compare", "describe", "load"]
