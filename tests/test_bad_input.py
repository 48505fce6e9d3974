"""Every public helper meets bad input with a TypeError or ValueError that names the argument.

BAD_CALLS lists, per public function or class, calls with a wrong type, a wrong shape and an
out-of-range value where the argument has a shape or a range. A public helper missing from
BAD_CALLS and from NO_ARGUMENTS fails test_every_public_helper_is_covered.
"""

import importlib
import inspect

import ipywidgets
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import access, course, exercises, plots, session, widgets

FOUNDATION = ["course", "exercises", "plots", "session", "widgets"]
CHAPTER_MODULES = [chapter.module.split(".")[1] for chapter in course.CHAPTERS]

# Public names that take no caller input, or describe any value by design.
NO_ARGUMENTS = {
    "helpers.exercises.describe": "describes any value, bad or not: that is its job",
    "helpers.exercises.Verdict": "built only by the checker itself",
    "helpers.plots.Histogram": "built only by histogram()",
    "helpers.course.Chapter": "the course's own records, fixed in CHAPTERS",
    "helpers.widgets.Backdrop": "takes no arguments; its pixels come from the widget's own drawing",
}


def public_callables(module_name):
    module = importlib.import_module(f"helpers.{module_name}")
    for name, obj in vars(module).items():
        if name.startswith("_") or not callable(obj) or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj) and issubclass(obj, Exception):
            continue
        if name == "demo_panel" or name == "QUESTIONS":
            continue
        yield f"{module.__name__}.{name}"


def linear():
    return nn.Linear(2, 2)


def slider():
    return {"x": ipywidgets.IntSlider()}


BAD_CALLS = {
    "helpers.course.chapter_by_slug": [
        (lambda: course.chapter_by_slug(1), TypeError, "slug"),
        (lambda: course.chapter_by_slug("99_missing"), ValueError, "slug"),
    ],
    "helpers.course.binder_url": [(lambda: course.binder_url("01_parameter_access"), TypeError, "chapter")],
    "helpers.course.colab_url": [(lambda: course.colab_url(None), TypeError, "chapter")],
    "helpers.course.nbgitpuller_url": [
        (lambda: course.nbgitpuller_url(1), TypeError, "chapter"),
        (lambda: course.nbgitpuller_url(course.CHAPTERS[0], hub="https://x/y"), ValueError, "hub"),
    ],
    "helpers.course.badges_markdown": [(lambda: course.badges_markdown({}), TypeError, "chapter")],
    "helpers.exercises.compare": [
        (lambda: exercises.compare(1, object()), TypeError, "expected"),
        (lambda: exercises.compare(1, 1, rtol=-1.0), ValueError, "rtol"),
        (lambda: exercises.compare(1, 1, atol="0"), ValueError, "atol"),
    ],
    "helpers.exercises.Question": [
        (lambda: exercises.Question("", answer_name="a", hint="h", solution="s"), TypeError, "prompt"),
        (lambda: exercises.Question("p", answer_name="1a", hint="h", solution="s"), ValueError, "answer_name"),
    ],
    "helpers.exercises.ValueQuestion": [
        (lambda: exercises.ValueQuestion("p", answer_name="a", expected=1, hint=3, solution="s"), TypeError, "hint"),
        (lambda: exercises.ValueQuestion("p", answer_name="a", expected=1, hint="h", solution="s",
                                         atol=-1), ValueError, "atol"),
        (lambda: exercises.ValueQuestion("p", answer_name="a", expected="z", hint="h", solution="s",
                                         choices=["x", "y"]), ValueError, "expected"),
    ],
    "helpers.exercises.FunctionQuestion": [
        (lambda: exercises.FunctionQuestion("p", answer_name="f", reference=None, cases=list,
                                            hint="h", solution="s"), TypeError, "reference"),
        (lambda: exercises.FunctionQuestion("p", answer_name="f", reference=abs, cases=list,
                                            hint="h", solution="s", rtol=-0.1), ValueError, "rtol"),
    ],
    "helpers.exercises.CodeQuestion": [
        (lambda: exercises.CodeQuestion("p", answer_name="m", verify="no", hint="h", solution="s"),
         TypeError, "verify"),
    ],
    "helpers.exercises.ThoughtQuestion": [
        (lambda: exercises.ThoughtQuestion("p", answer_name="t", hint="h", solution=None), TypeError, "solution"),
    ],
    "helpers.exercises.ExerciseSet": [
        (lambda: exercises.ExerciseSet(1, []), TypeError, "name"),
        (lambda: exercises.ExerciseSet("x", []), TypeError, "questions"),
    ],
    "helpers.exercises.load": [
        (lambda: exercises.load(None), TypeError, "slug"),
        (lambda: exercises.load("01"), ValueError, "slug"),
    ],
    "helpers.plots.histogram": [
        (lambda: plots.histogram([1.0, 2.0]), TypeError, "values"),
        (lambda: plots.histogram(torch.zeros(0, 3)), ValueError, "values"),
        (lambda: plots.histogram(torch.zeros(3), bins=-2), ValueError, "bins"),
    ],
    "helpers.plots.param_histograms": [
        (lambda: plots.param_histograms(torch.zeros(3)), TypeError, "model"),
        (lambda: plots.param_histograms(nn.Flatten()), ValueError, "model"),
        (lambda: plots.param_histograms(linear(), columns=9), ValueError, "columns"),
        (lambda: plots.param_histograms(linear(), names=["w"]), ValueError, "names"),
    ],
    "helpers.plots.loss_curves": [
        (lambda: plots.loss_curves([[1.0]]), TypeError, "curves"),
        (lambda: plots.loss_curves({"train": [[1.0, 2.0]]}), ValueError, "curves"),
        (lambda: plots.loss_curves({"train": [-1.0]}), ValueError, "curves"),
    ],
    "helpers.session.setup": [
        (lambda: session.setup("0"), TypeError, "seed"),
        (lambda: session.setup(-5), ValueError, "seed"),
    ],
    "helpers.widgets.figure_png": [
        (lambda: widgets.figure_png(None), TypeError, "fig"),
        (lambda: widgets.figure_png(Figure(), dpi=10_000), ValueError, "dpi"),
    ],
    "helpers.widgets.Panel": [
        (lambda: widgets.Panel(None, slider(), lambda fig, x: ""), TypeError, "title"),
        (lambda: widgets.Panel("t", [ipywidgets.IntSlider()], lambda fig, x: ""), TypeError, "controls"),
        (lambda: widgets.Panel("t", slider(), lambda fig, x: "", figsize=(3,)), ValueError, "figsize"),
        (lambda: widgets.Panel("t", slider(), lambda fig, x: "", figsize=(3, 99)), ValueError, "figsize"),
        (lambda: widgets.Panel("t", slider(), lambda fig, x: "", layout="auto"), ValueError, "layout"),
    ],
    "helpers.access.parameter_summary": [
        (lambda: access.parameter_summary(torch.zeros(2), "weight"), TypeError, "model"),
        (lambda: access.parameter_summary(linear(), ["weight"]), TypeError, "name"),
        (lambda: access.parameter_summary(linear(), "0.weight"), ValueError, "name"),
    ],
    "helpers.access.format_summary": [(lambda: access.format_summary({}), TypeError, "summary")],
    "helpers.access.draw_parameter": [
        (lambda: access.draw_parameter(None, linear(), "weight"), TypeError, "fig"),
        (lambda: access.draw_parameter(Figure(), linear(), "kernel"), ValueError, "name"),
    ],
    "helpers.access.parameter_explorer": [
        (lambda: access.parameter_explorer([linear()]), TypeError, "model"),
        (lambda: access.parameter_explorer(nn.ReLU()), ValueError, "model"),
        (lambda: access.parameter_explorer(linear(), bins=1000), ValueError, "bins"),
    ],
}

CASES = [pytest.param(call, error, name, id=f"{target}-{index}")
         for target, calls in BAD_CALLS.items() for index, (call, error, name) in enumerate(calls)]


@pytest.mark.parametrize("module_name", FOUNDATION + ["access"])
def test_every_public_helper_is_covered(module_name):
    missing = [name for name in public_callables(module_name)
               if name not in BAD_CALLS and name not in NO_ARGUMENTS]
    assert missing == []


@pytest.mark.parametrize("call, error, name", CASES)
def test_bad_input_raises_a_clear_error(call, error, name):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert name in message, f"the message does not name {name!r}: {message}"
    assert "expected" in message or "must" in message
