"""The exercise engine: how answers are compared, isolated, timed and reported."""

import json
import random
import sys
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from helpers import checking, exercises
from helpers.checking import compare, describe
from helpers.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, THOUGHT, Code, Function, Thought, Value, call


def value_q(expected, **kwargs):
    return Value("prompt", name="answer", expected=expected, hint="a hint", solution="answer = 1", **kwargs)


def count_q():
    return Function("Count the parameters.", name="count", hint="h",
                    solution="def count(model):\n    return sum(p.numel() for p in model.parameters())",
                    cases=lambda: [(nn.Linear(3, 2),), (nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)),)])


def double_q():
    return Function("Double w without changing it.", name="double", hint="h", pure=True,
                    solution="def double(w):\n    return w * 2", cases=lambda: [(torch.ones(3),)])


class TestCounts:
    @pytest.mark.parametrize("answer", [49, 49.0, np.int64(49), np.float32(49.0), torch.tensor(49),
                                        np.array(49), Fraction(98, 2), Decimal("49")])
    def test_the_count_in_any_numeric_type_is_right(self, answer):
        assert compare(answer, 49) is None

    @pytest.mark.parametrize("answer", [np.float32(49.5), Decimal("49.5"), Fraction(99, 2), 49.5, 48,
                                        float("nan"), float("inf"), True, "49", 10**400, 1 + 2j])
    def test_anything_but_the_count_is_wrong(self, answer):
        assert compare(answer, 49) is not None

    def test_huge_numbers_are_not_printed_digit_by_digit(self):
        assert len(compare(10**400, 49)) < 80
        assert len(compare(10**400, 0.5)) < 80
        assert describe(10**400) == "an int with 401 digits"

    def test_a_fraction_is_not_a_count_and_the_message_says_so(self):
        assert compare(49.5, 49) == "your answer: 49.5 is not the expected count (a whole number)"
        assert compare(48, 49) == "your answer: 48 is not the expected count"


class TestValues:
    def test_floats_within_tolerance(self):
        assert compare(0.33333, 1 / 3) is None
        assert compare(0.3, 1 / 3) is not None

    def test_numpy_and_zero_d_numbers_are_numbers(self):
        assert compare(np.float32(2.5), 2.5) is None
        assert compare(torch.tensor(2.5, dtype=torch.float64), 2.5) is None
        assert compare(np.array(2.5), 2.5) is None

    def test_strings_are_exact_and_say_so_when_only_case_differs(self):
        message = compare("0.BLOCK 1.0.BIAS", "0.block 1.0.bias")
        assert "case-sensitive" in message
        assert compare(" 0.block 1.0.bias ", "0.block 1.0.bias") is None

    def test_sets_accept_any_collection_of_the_elements(self):
        assert compare({"a": 1, "b": 2}.keys(), {"a", "b"}) is None
        assert compare(["b", "a"], {"a", "b"}) is None
        assert compare("ab", {"a", "b"}) is not None
        assert compare({"a"}, {"a", "b"}) is not None

    def test_float_tensor_of_any_float_dtype_unless_asked(self):
        assert compare(torch.ones(3, dtype=torch.float64), torch.ones(3)) is None
        assert "dtype" in compare(torch.ones(3, dtype=torch.float64), torch.ones(3), same_dtype=True)
        assert "float tensor" in compare(torch.ones(3, dtype=torch.int64), torch.ones(3))

    def test_tensor_messages(self):
        assert compare(torch.ones(8), torch.ones(1, 8)) == "your answer: expected shape [1, 8], got [8]"
        assert compare(torch.tensor([1.0, 5.0]), torch.tensor([1.0, 2.0])) == "your answer: 1 of 2 values are off"
        assert "torch.from_numpy" in compare(np.ones(3), torch.ones(3))
        assert "meta device" in compare(torch.empty(3, device="meta"), torch.ones(3))
        assert compare(torch.ones(3).to_sparse(), torch.ones(3)) is None

    def test_self_containing_list_is_judged_not_crashed(self):
        loop = []
        loop.append(loop)
        assert compare(loop, [1]) is not None

    def test_describe_never_raises_and_names_classes(self):
        class Weird:
            def __repr__(self):
                raise RuntimeError

            def __len__(self):
                raise RuntimeError
        assert describe(int) == "the class int"
        assert describe(torch.zeros(2, 3)) == "a tensor of shape [2, 3] and dtype torch.float32"
        assert isinstance(describe(Weird()), str)

    @settings(max_examples=60, deadline=None)
    @given(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(), st.booleans(), st.none(),
                     st.lists(st.integers(), max_size=5), st.complex_numbers()))
    def test_compare_never_raises(self, answer):
        for expected in (3, 0.5, "key", {"a", "b"}, [1, 2], torch.ones(2), True):
            assert compare(answer, expected) is None or isinstance(compare(answer, expected), str)


class TestVerdicts:
    def test_placeholder_is_not_attempted(self):
        assert value_q(3).evaluate(...).status == NOT_ATTEMPTED

    def test_reference_of_a_function_question_is_its_solution(self):
        question = count_q()
        assert question.reference(nn.Linear(3, 2)) == 8
        assert question.evaluate(lambda m: sum(p.numel() for p in m.parameters())).status == CORRECT

    def test_buffers_are_not_parameters(self):
        verdict = count_q().evaluate(lambda m: sum(t.numel() for t in m.state_dict().values()))
        assert verdict.status == INCORRECT and "Sequential" in verdict.message

    @pytest.mark.parametrize("answer", [nn.Linear(2, 2), int, 3, None])
    def test_a_function_question_wants_a_function(self, answer):
        assert "expected a function" in count_q().evaluate(answer).message

    def test_keyword_cases(self):
        question = Function("p", name="power", hint="h", solution="def power(x, k=2):\n    return x ** k",
                            cases=lambda: [call(3, k=3)])
        assert question.evaluate(lambda x, k=2: x ** k).status == CORRECT
        assert question.evaluate(lambda x, k=2: x ** 2).status == INCORRECT

    def test_pure_questions_reject_in_place_updates(self):
        assert "modified in place" in double_q().evaluate(lambda w: w.mul_(2)).message
        assert double_q().evaluate(lambda w: w * 2).status == CORRECT

    def test_snapshot_sees_modules_grads_and_flags(self):
        model = nn.Linear(2, 1)
        before = checking.snapshot(model)
        model.weight.requires_grad_(False)
        assert "requires_grad" in checking.changes(before, model)
        model = nn.Linear(2, 1)
        before = checking.snapshot(model)
        model(torch.ones(1, 2)).sum().backward()
        assert "gradient" in checking.changes(before, model)

    def test_code_question_reports_the_verifier_sentence(self):
        question = Code("p", name="layer", hint="h", solution="layer = nn.Linear(2, 2)",
                        verify=lambda m: None if isinstance(m, nn.Linear) else f"expected a Linear, got {describe(m)}")
        assert question.evaluate(nn.Linear(2, 2)).status == CORRECT
        assert question.evaluate(nn.ReLU()).message.startswith("Not yet: expected a Linear, got a module of type ReLU")

    def test_thought_points_to_the_model_answer(self, capsys):
        question = Thought("Why?", name="thoughts", hint="h", solution="Because.")
        assert question.evaluate("notes").status == THOUGHT
        question.solution()
        assert "Because." in capsys.readouterr().out


class TestNeverRaisesNeverHangs:
    def test_exit_becomes_a_verdict(self):
        assert "exit()" in count_q().evaluate(lambda m: sys.exit(1)).message
        assert "exit()" in count_q().evaluate(lambda m: exit()).message

    def test_an_exception_whose_str_raises_becomes_a_verdict(self):
        class Broken(Exception):
            def __str__(self):
                raise ValueError("no text")

        def answer(model):
            raise Broken
        assert "Broken" in count_q().evaluate(answer).message

    def test_a_base_exception_becomes_a_verdict(self):
        class Odd(BaseException):
            pass

        def answer(model):
            raise Odd
        assert count_q().evaluate(answer).status == INCORRECT

    def test_an_endless_loop_is_stopped(self, monkeypatch):
        monkeypatch.setattr(exercises, "TIME_LIMIT", 0.3)

        def answer(model):
            while True:
                try:
                    pass
                except BaseException:  # even a learner who swallows everything is stopped
                    pass
        assert "still running" in count_q().evaluate(answer).message

    def test_keyboard_interrupt_still_stops_the_cell(self):
        def answer(model):
            raise KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            count_q().evaluate(answer)


class TestIsolation:
    def test_a_check_leaves_rng_dtype_grad_mode_and_threads_alone(self):
        torch.manual_seed(123)
        random.seed(5)
        before = (torch.get_rng_state(), random.getstate(), torch.get_num_threads())

        def answer(model):
            torch.set_default_dtype(torch.float64)
            torch.set_grad_enabled(False)
            torch.manual_seed(9)
            random.seed(9)
            torch.rand(100)
            return sum(p.numel() for p in model.parameters())
        assert count_q().evaluate(answer).status == CORRECT
        assert torch.equal(before[0], torch.get_rng_state()) and before[1] == random.getstate()
        assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()
        assert torch.get_num_threads() == before[2]

    def test_a_check_does_not_depend_on_the_notebook_state(self):
        question = count_q()
        torch.set_default_dtype(torch.float64)
        try:
            with torch.no_grad():
                assert question.evaluate(lambda m: sum(p.numel() for p in m.parameters())).status == CORRECT
        finally:
            torch.set_default_dtype(torch.float32)


class TestLoading:
    def test_a_chapter_without_a_spec_file_names_the_missing_module(self):
        with pytest.raises(ModuleNotFoundError, match="helpers.exercises.no_such_chapter"):
            exercises.load("99_no_such_chapter")

    def test_student_copies_keep_hints_and_hide_solutions(self, capsys):
        exercise_set = exercises.ExerciseSet("01_demo", [value_q(3)], solutions=False)
        exercise_set.q1.solution()
        exercise_set.q1.hint()
        out = capsys.readouterr().out
        assert "The worked solutions of this copy are with your teacher." in out and "answer = 1" not in out and "a hint" in out

    def test_checks_append_progress_lines_when_asked(self, tmp_path, monkeypatch, capsys):
        results = tmp_path / "results.jsonl"
        monkeypatch.setenv("PARAMETER_LAB_RESULTS", str(results))
        exercise_set = exercises.ExerciseSet("01_demo", [value_q(3), value_q(4)])
        exercise_set.q1.check(3)
        exercise_set.q2.check(5)
        exercise_set.q2.check()
        lines = [json.loads(line) for line in results.read_text().splitlines()]
        assert lines == [{"chapter": "01_demo", "question": "q1", "status": CORRECT},
                         {"chapter": "01_demo", "question": "q2", "status": INCORRECT},
                         {"chapter": "01_demo", "question": "q2", "status": NOT_ATTEMPTED}]

    def test_a_question_shows_its_prompt_and_hint_as_markdown(self, capsys):
        exercise_set = exercises.ExerciseSet("01_demo", [value_q(3)])
        assert exercise_set.q1._repr_markdown_() == "**Question 1 (value).** prompt"
        assert repr(exercise_set.q1) == "Question 1 (value). prompt"
        hint = exercises.Text("Hint: $x^2$")
        assert hint._repr_markdown_() == repr(hint) == "Hint: $x^2$"
        exercise_set.q1.hint()
        assert capsys.readouterr().out == "Hint: a hint\n"
