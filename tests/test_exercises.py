import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from helpers import exercises
from helpers.exercises import (CORRECT, INCORRECT, NOT_ATTEMPTED, THOUGHT, CodeQuestion,
                               ExerciseSet, FunctionQuestion, ThoughtQuestion, ValueQuestion,
                               compare, describe)


def value_q(expected, **kwargs):
    return ValueQuestion("prompt", answer_name="answer", expected=expected, hint="a hint",
                         solution="answer = 1", **kwargs)


def square_q():
    return FunctionQuestion("Square a tensor.", answer_name="square", reference=lambda t: t * t,
                            cases=lambda: [(torch.arange(3.0),), (torch.ones(2, 2),)],
                            hint="h", solution="square = lambda t: t * t")


class TestCompare:
    def test_tensor_shape_message_names_both_shapes(self):
        assert compare(torch.ones(8), torch.ones(1, 8)) == "your answer: expected shape [1, 8], got [8]"

    def test_tensor_dtype_is_checked_before_values(self):
        assert "expected dtype torch.int64, got torch.float32" in compare(torch.ones(2), torch.ones(2, dtype=torch.int64))

    def test_tensor_within_tolerance_matches(self):
        assert compare(torch.tensor([1.0, 2.0]) + 1e-7, torch.tensor([1.0, 2.0])) is None

    def test_tensor_values_off_reports_count_and_first_index(self):
        message = compare(torch.tensor([[1.0, 5.0], [3.0, 4.0]]), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        assert message == "your answer: 1 of 4 values are off (the first is at index [0, 1])"

    def test_numpy_array_for_tensor_points_to_from_numpy(self):
        assert "torch.from_numpy" in compare(np.ones(3), torch.ones(3))

    def test_parameter_counts_as_tensor(self):
        assert compare(nn.Parameter(torch.ones(2)), torch.ones(2)) is None

    def test_nan_never_matches(self):
        assert compare(float("nan"), 1.0) is not None
        assert compare(torch.tensor([float("nan")]), torch.tensor([1.0])) is not None

    def test_float_tolerance(self):
        assert compare(1 / 3 + 1e-7, 1 / 3) is None
        assert "not close enough" in compare(0.34, 1 / 3)

    def test_int_accepts_integral_float_and_tensor_but_not_bool(self):
        assert compare(49.0, 49) is None
        assert compare(torch.tensor(49), 49) is None
        assert compare(49.5, 49) == "your answer: expected a whole number, got 49.5"
        assert "expected a number" in compare(True, 1)

    def test_bool_requires_bool(self):
        assert compare(True, True) is None
        assert compare(torch.tensor(True), True) is None
        assert "expected True or False" in compare(1, True)

    def test_string_ignores_case_and_spaces(self):
        assert compare("  Kaiming ", "kaiming") is None
        assert "expected a string" in compare(3, "kaiming")

    def test_nested_containers_name_the_position(self):
        assert compare([1, (2, 3.5)], [1, (2, 3.0)]).startswith("your answer[1][1]:")
        assert compare({"a": 1}, {"a": 1, "b": 2}) == "your answer: missing keys ['b']"
        assert "expected length 2, got 3" in compare([1, 2, 3], [1, 2])

    def test_unsupported_expected_type_is_a_programming_error(self):
        with pytest.raises(TypeError, match="expected has a type"):
            compare(1, object())


class TestValueQuestion:
    def test_correct_incorrect_and_not_attempted(self):
        q = value_q(49)
        assert q.evaluate(49).status == CORRECT
        assert q.evaluate(48).status == INCORRECT
        assert q.evaluate(...).status == NOT_ATTEMPTED
        assert q.evaluate().status == NOT_ATTEMPTED

    def test_incorrect_message_points_to_the_hint(self, capsys):
        q = value_q(torch.zeros(1, 8))
        q.label = "ex.q2"
        q.check(torch.zeros(8))
        out = capsys.readouterr().out
        assert "expected shape [1, 8], got [8]" in out
        assert "ex.q2.hint()" in out

    def test_choices_name_the_options(self):
        q = value_q("xavier", choices=["normal", "xavier", "kaiming"])
        assert q.evaluate("XAVIER").correct
        assert "'normal', 'xavier', 'kaiming'" in q.evaluate("glorot").message

    def test_hint_and_solution_print(self, capsys):
        q = value_q(1)
        q.hint()
        q.solution()
        assert capsys.readouterr().out == "Hint: a hint\nSolution:\nanswer = 1\n"

    @pytest.mark.parametrize("kwargs, error", [
        ({"expected": ...}, ValueError),
        ({"expected": float("nan")}, ValueError),
        ({"expected": 1, "rtol": -1}, ValueError),
        ({"expected": "a", "choices": ["b"]}, ValueError),
        ({"expected": "a", "choices": [1]}, TypeError),
    ])
    def test_bad_definitions_are_refused(self, kwargs, error):
        with pytest.raises(error):
            ValueQuestion("p", answer_name="a", hint="h", solution="s", **kwargs)

    @pytest.mark.parametrize("field, value", [("prompt", ""), ("hint", None), ("solution", 3)])
    def test_text_fields_must_be_text(self, field, value):
        args = {"prompt": "p", "hint": "h", "solution": "s"}
        args[field] = value
        with pytest.raises(TypeError, match=field):
            ValueQuestion(answer_name="a", expected=1, **args)

    def test_answer_name_must_be_an_identifier(self):
        with pytest.raises(ValueError, match="answer_name"):
            ValueQuestion("p", answer_name="not a name", expected=1, hint="h", solution="s")


class TestFunctionQuestion:
    def test_right_function_passes_every_case(self):
        assert square_q().evaluate(lambda t: t ** 2).correct

    def test_wrong_function_reports_the_input(self):
        message = square_q().evaluate(lambda t: t + t).message
        assert "for the input (a tensor of shape [3] and dtype torch.float32)" in message

    def test_exception_in_learner_code_is_reported_not_raised(self):
        message = square_q().evaluate(lambda t: 1 / 0).message
        assert "your function raised ZeroDivisionError: division by zero" in message

    def test_not_callable(self):
        assert "expected a function, got the number 3" in square_q().evaluate(3).message

    def test_a_class_is_not_accepted_as_a_function(self):
        assert square_q().evaluate(nn.Linear).status == INCORRECT

    def test_cases_are_fresh_so_mutation_cannot_leak(self):
        def mutating(t):
            t.mul_(0)
            return t * t
        assert square_q().evaluate(mutating).status == INCORRECT
        assert square_q().evaluate(lambda t: t * t).correct

    def test_bad_definition(self):
        with pytest.raises(TypeError, match="reference"):
            FunctionQuestion("p", answer_name="f", reference=3, cases=lambda: [], hint="h", solution="s")
        with pytest.raises(TypeError, match="cases"):
            FunctionQuestion("p", answer_name="f", reference=abs, cases=[(1,)], hint="h", solution="s")


class TestCodeQuestion:
    def test_verifier_message_is_shown(self):
        q = CodeQuestion("p", answer_name="m", hint="h", solution="s",
                         verify=lambda m: None if isinstance(m, nn.Linear) else "expected a Linear")
        assert q.evaluate(nn.Linear(1, 1)).correct
        assert "expected a Linear" in q.evaluate(nn.ReLU()).message

    def test_exception_while_verifying_becomes_a_message(self):
        q = CodeQuestion("p", answer_name="m", hint="h", solution="s", verify=lambda m: m.weight.shape)
        verdict = q.evaluate(42)
        assert verdict.status == INCORRECT
        assert "checking your answer raised AttributeError" in verdict.message


class TestThoughtQuestion:
    def test_check_points_to_the_model_answer(self, capsys):
        q = ThoughtQuestion("Why?", answer_name="notes", hint="h", solution="Because.")
        assert q.evaluate("anything").status == THOUGHT
        q.solution()
        assert capsys.readouterr().out == "Model answer:\nBecause.\n"


class TestExerciseSet:
    def test_questions_are_numbered_and_labelled(self):
        ex = ExerciseSet("demo", [value_q(1), square_q()])
        assert ex.q2.label == "ex.q2"
        assert len(ex) == 2
        assert repr(ex) == "Exercises for demo: q1 (value), q2 (function)"

    def test_empty_or_wrong_questions(self):
        with pytest.raises(TypeError):
            ExerciseSet("demo", [])
        with pytest.raises(TypeError):
            ExerciseSet("demo", ["q"])

    def test_load_unknown_chapter_names_the_known_ones(self):
        with pytest.raises(ValueError, match="01_parameter_access"):
            exercises.load("07_nope")
        with pytest.raises(TypeError, match="slug"):
            exercises.load(7)


def test_describe_never_shows_addresses():
    assert "0x" not in describe(object())
    assert describe(lambda: 0) == "the function <lambda>"
    assert describe(nn.ReLU()) == "a module of type ReLU"


# Property-based: a check must print a verdict for anything a learner might pass, never raise.
anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.builds(lambda shape: torch.zeros(shape), st.lists(st.integers(0, 3), max_size=3)),
    st.builds(lambda n: np.ones(n), st.integers(0, 4)),
    st.just(lambda *args: None), st.just(lambda *args: 1 / 0), st.just(lambda *args: "garbage"),
    st.just(nn.Linear(2, 2)), st.just(object()),
)

QUESTIONS = [value_q(49), value_q(0.25), value_q(torch.zeros(1, 8)), value_q([1, 2.5]),
             value_q({"a": torch.ones(2)}), value_q("kaiming", choices=["xavier", "kaiming"]),
             value_q(True), square_q(),
             CodeQuestion("p", answer_name="m", hint="h", solution="s",
                          verify=lambda m: None if m(torch.ones(2)).sum() == 4 else "wrong sum")]


@settings(max_examples=150, deadline=None)
@given(answer=anything, index=st.integers(0, len(QUESTIONS) - 1))
def test_check_never_raises_and_always_gives_a_verdict(answer, index):
    verdict = QUESTIONS[index].evaluate(answer)
    assert verdict.status in {CORRECT, INCORRECT}
    assert verdict.message and "Traceback" not in verdict.message
    assert "0x" not in verdict.message


@settings(max_examples=60, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_float_question_accepts_exactly_the_close_values(value):
    q = value_q(0.25)
    assert q.evaluate(value).correct == math.isclose(value, 0.25, rel_tol=1e-4, abs_tol=1e-6)
