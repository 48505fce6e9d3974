"""Every public helper meets bad input with a TypeError or ValueError that names the argument.

BAD_CALLS lists, per public function or class, calls with a wrong type, a wrong shape and an
out-of-range value where the argument has a shape or a range. A public helper missing from
BAD_CALLS and from NO_ARGUMENTS fails test_every_public_helper_is_covered.
"""

import importlib
import inspect

import ipywidgets
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import (access, checks, course, decay, exercises, gradients, initialization,
                     optimizers, plots, session, tying, widgets)

FOUNDATION = ["checks", "course", "exercises", "plots", "session", "widgets"]
CHAPTER_MODULES = [chapter.module.split(".")[1] for chapter in course.CHAPTERS]

# Public names that take no caller input, or describe any value by design.
NO_ARGUMENTS = {
    "helpers.exercises.describe": "describes any value, bad or not: that is its job",
    "helpers.exercises.Verdict": "built only by the checker itself",
    "helpers.plots.Histogram": "built only by histogram()",
    "helpers.course.Chapter": "the course's own records, fixed in CHAPTERS",
    "helpers.widgets.Backdrop": "takes no arguments; its pixels come from the widget's own drawing",
    "helpers.tying.GradientReport": "built only by gradient_report()",
    "helpers.optimizers.Surface": "the module's own records, fixed in SURFACES",
    "helpers.optimizers.Trajectory": "built only by trajectory()",
    "helpers.decay.LinearFit": "built only by fit_linear()",
    "helpers.gradients.Tangent": "built only by tangent_at()",
    "helpers.gradients.SavedMemory": "built only by saved_memory()",
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


def leaf():
    return torch.zeros(2, requires_grad=True)


def sgd():
    return torch.optim.SGD([leaf()], lr=0.1)


def regression(rows=30, features=5):
    """Small stand-in for decay.make_data(): (X, y, X_test, y_test), without d2l."""
    return torch.randn(rows, features), torch.randn(rows, 1), torch.randn(10, features), torch.randn(10, 1)


def batches(features=5):
    X, y, _, _ = regression(features=features)
    return [(X[:5], y[:5]), (X[5:10], y[5:10])]


def stats(**changes):
    return {"kaiming": {"layer": [1, 2], "activation_std": [1.0, 0.9], "gradient_std": [1.1, 1.0], **changes}}


def history(**changes):
    return {"epoch": [5, 10], "train": [1.0, 0.5], "test": [2.0, 1.5], **changes}


BAD_CALLS = {
    "helpers.checks.integer_in_range": [
        (lambda: checks.integer_in_range("depth", "3", 1, 5), ValueError, "depth"),
        (lambda: checks.integer_in_range("depth", 2.0, 1, 5), ValueError, "depth"),
        (lambda: checks.integer_in_range("depth", 9, 1, 5), ValueError, "depth"),
    ],
    "helpers.checks.finite_number": [
        (lambda: checks.finite_number("lr", "0.1"), ValueError, "lr"),
        (lambda: checks.finite_number("lr", float("inf")), ValueError, "lr"),
        (lambda: checks.finite_number("lr", -1.0), ValueError, "lr"),
        (lambda: checks.finite_number("lr", 0, strict=True), ValueError, "lr"),
    ],
    "helpers.checks.module": [(lambda: checks.module(torch.zeros(2), "net"), TypeError, "net")],
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
    # ------------------------------------------------------------------ chapter 2, initialization
    "helpers.initialization.init_weight": [
        (lambda: initialization.init_weight([[0.0, 0.0]], "xavier"), TypeError, "weight must"),
        (lambda: initialization.init_weight(torch.empty(4), "xavier"), ValueError, "weight must"),
        (lambda: initialization.init_weight(torch.empty(0, 4), "xavier"), ValueError, "weight must"),
        (lambda: initialization.init_weight(torch.empty(3, 4, dtype=torch.long), "xavier"), TypeError,
         "weight must"),
        (lambda: initialization.init_weight(torch.empty(3, 4), 0.01), ValueError, "scheme"),
        (lambda: initialization.init_weight(torch.empty(3, 4), "uniform"), ValueError, "scheme"),
        (lambda: initialization.init_weight(torch.empty(3, 4), "xavier", generator=0), TypeError, "generator"),
    ],
    "helpers.initialization.expected_std": [
        (lambda: initialization.expected_std("he", 256, 256), ValueError, "scheme"),
        (lambda: initialization.expected_std("kaiming", 256.0, 256), ValueError, "fan_in"),
        (lambda: initialization.expected_std("kaiming", 0, 256), ValueError, "fan_in"),
        (lambda: initialization.expected_std("xavier", 256, -1), ValueError, "fan_out"),
    ],
    "helpers.initialization.make_mlp": [
        (lambda: initialization.make_mlp("3", 16), ValueError, "depth"),
        (lambda: initialization.make_mlp(0, 16), ValueError, "depth"),
        (lambda: initialization.make_mlp(3, 4096), ValueError, "width"),
        (lambda: initialization.make_mlp(3, 16, activation=nn.ReLU), ValueError, "activation"),
        (lambda: initialization.make_mlp(3, 16, activation="gelu"), ValueError, "activation"),
        (lambda: initialization.make_mlp(3, 16, scheme="orthogonal"), ValueError, "scheme"),
        (lambda: initialization.make_mlp(3, 16, seed=-1), ValueError, "seed"),
    ],
    "helpers.initialization.layer_stats": [
        (lambda: initialization.layer_stats(2.0, 16), ValueError, "depth"),
        (lambda: initialization.layer_stats(201, 16), ValueError, "depth"),
        (lambda: initialization.layer_stats(3, 0), ValueError, "width"),
        (lambda: initialization.layer_stats(3, 16, "softmax"), ValueError, "activation"),
        (lambda: initialization.layer_stats(3, 16, scheme="zeros"), ValueError, "scheme"),
        (lambda: initialization.layer_stats(3, 16, batch=0), ValueError, "batch"),
        (lambda: initialization.layer_stats(3, 16, seed=2**32), ValueError, "seed"),
    ],
    "helpers.initialization.compare_schemes": [
        (lambda: initialization.compare_schemes("kaiming"), TypeError, "schemes"),
        (lambda: initialization.compare_schemes([]), TypeError, "schemes"),
        (lambda: initialization.compare_schemes(["kaiming", "he"]), ValueError, "schemes"),
        (lambda: initialization.compare_schemes(["kaiming"], depth=0), ValueError, "depth"),
        (lambda: initialization.compare_schemes(["kaiming"], activation="gelu"), ValueError, "activation"),
    ],
    "helpers.initialization.plot_layer_stats": [
        (lambda: initialization.plot_layer_stats([1.0, 2.0]), TypeError, "results"),
        (lambda: initialization.plot_layer_stats({"kaiming": [1.0]}), TypeError, "results"),
        (lambda: initialization.plot_layer_stats(stats(activation_std=["big", "small"])), TypeError, "results"),
        (lambda: initialization.plot_layer_stats(stats(activation_std=[1.0])), ValueError, "results"),
        (lambda: initialization.plot_layer_stats(stats(layer=[], activation_std=[], gradient_std=[])),
         ValueError, "results"),
    ],
    "helpers.initialization.sigmoid_gradient": [
        (lambda: initialization.sigmoid_gradient([0.0]), TypeError, "x must"),
        (lambda: initialization.sigmoid_gradient(torch.arange(3)), TypeError, "x must"),
    ],
    "helpers.initialization.plot_sigmoid_gradient": [
        (lambda: initialization.plot_sigmoid_gradient([0.0, 1.0]), ValueError, "x must"),
        (lambda: initialization.plot_sigmoid_gradient(torch.zeros(4, 2)), ValueError, "x must"),
        (lambda: initialization.plot_sigmoid_gradient(torch.zeros(1)), ValueError, "x must"),
        (lambda: initialization.plot_sigmoid_gradient(torch.arange(5)), TypeError, "x must"),
    ],
    "helpers.initialization.product_norms": [
        (lambda: initialization.product_norms("10"), ValueError, "steps"),
        (lambda: initialization.product_norms(0), ValueError, "steps"),
        (lambda: initialization.product_norms(10, size=1000), ValueError, "size"),
        (lambda: initialization.product_norms(10, seed=-1), ValueError, "seed"),
    ],
    "helpers.initialization.init_fractions": [
        (lambda: initialization.init_fractions([5.0, 0.0]), TypeError, "weight must"),
        (lambda: initialization.init_fractions(torch.zeros(0, 3)), ValueError, "weight must"),
    ],
    "helpers.initialization.plot_weight_histogram": [
        (lambda: initialization.plot_weight_histogram(np.zeros(3)), TypeError, "weight must"),
        (lambda: initialization.plot_weight_histogram(torch.zeros(0)), ValueError, "weight must"),
        (lambda: initialization.plot_weight_histogram(torch.tensor([1.0, float("nan")])), ValueError,
         "weight must"),
        (lambda: initialization.plot_weight_histogram(torch.zeros(3), bins=2.5), TypeError, "bins"),
        (lambda: initialization.plot_weight_histogram(torch.zeros(3), bins=0), ValueError, "bins"),
    ],
    "helpers.initialization.draw_layer_stats": [
        (lambda: initialization.draw_layer_stats(None, 3, 16, "relu", "kaiming"), TypeError, "fig"),
        (lambda: initialization.draw_layer_stats(Figure(), 0, 16, "relu", "kaiming"), ValueError, "depth"),
        (lambda: initialization.draw_layer_stats(Figure(), 3, 16.0, "relu", "kaiming"), ValueError, "width"),
        (lambda: initialization.draw_layer_stats(Figure(), 3, 16, "relu", "he"), ValueError, "scheme"),
    ],
    "helpers.initialization.init_explorer": [
        (lambda: initialization.init_explorer(depth="50"), ValueError, "depth"),
        (lambda: initialization.init_explorer(depth=51), ValueError, "depth"),
        (lambda: initialization.init_explorer(width=100), ValueError, "width"),
        (lambda: initialization.init_explorer(activation="elu"), ValueError, "activation"),
        (lambda: initialization.init_explorer(scheme=None), ValueError, "scheme"),
    ],
    # ------------------------------------------------------------------ chapter 3, tying
    "helpers.tying.tied_mlp": [
        (lambda: tying.tied_mlp(tied="yes"), TypeError, "tied"),
        (lambda: tying.tied_mlp(seed=1.5), ValueError, "seed"),
        (lambda: tying.tied_mlp(seed=-1), ValueError, "seed"),
        (lambda: tying.tied_mlp(seed=2**32), ValueError, "seed"),
    ],
    "helpers.tying.example_input": [
        (lambda: tying.example_input("0"), ValueError, "seed"),
        (lambda: tying.example_input(-3), ValueError, "seed"),
    ],
    "helpers.tying.count_parameters": [
        (lambda: tying.count_parameters(torch.zeros(3)), TypeError, "model"),
        (lambda: tying.count_parameters(linear(), remove_duplicate="no"), TypeError, "remove_duplicate"),
    ],
    "helpers.tying.gradient_report": [
        (lambda: tying.gradient_report(tied=1), TypeError, "tied"),
        (lambda: tying.gradient_report(layer="2"), ValueError, "layer"),
        (lambda: tying.gradient_report(layer=3), ValueError, "layer"),
        (lambda: tying.gradient_report(layer=8), ValueError, "layer"),
        (lambda: tying.gradient_report(seed=-1), ValueError, "seed"),
    ],
    "helpers.tying.format_report": [
        (lambda: tying.format_report({"tied": True, "layer": 2}), TypeError, "report"),
    ],
    "helpers.tying.draw_gradients": [
        (lambda: tying.draw_gradients(None, True, 2), TypeError, "fig"),
        (lambda: tying.draw_gradients(Figure(), "yes", 2), TypeError, "tied"),
        (lambda: tying.draw_gradients(Figure(), True, 5), ValueError, "layer"),
    ],
    # ------------------------------------------------------------------ chapter 4, optimizers
    "helpers.optimizers.group_summary": [
        (lambda: optimizers.group_summary([leaf()]), TypeError, "optimizer must"),
        (lambda: optimizers.group_summary(sgd(), keys="lr"), TypeError, "keys"),
        (lambda: optimizers.group_summary(sgd(), keys=["learning_rate"]), ValueError, "keys"),
    ],
    "helpers.optimizers.make_scheduler": [
        (lambda: optimizers.make_scheduler("CyclicLR", sgd(), 100), ValueError, "name"),
        (lambda: optimizers.make_scheduler("StepLR", linear(), 100), TypeError, "optimizer must"),
        (lambda: optimizers.make_scheduler("StepLR", sgd(), 100.0), ValueError, "steps"),
        (lambda: optimizers.make_scheduler("StepLR", sgd(), 2), ValueError, "steps"),
    ],
    "helpers.optimizers.lr_schedule": [
        (lambda: optimizers.lr_schedule(None), ValueError, "name"),
        (lambda: optimizers.lr_schedule("StepLR", steps="100"), ValueError, "steps"),
        (lambda: optimizers.lr_schedule("StepLR", steps=10**6), ValueError, "steps"),
        (lambda: optimizers.lr_schedule("StepLR", lr="0.1"), ValueError, "lr"),
        (lambda: optimizers.lr_schedule("StepLR", lr=-0.1), ValueError, "lr"),
    ],
    "helpers.optimizers.get_surface": [
        (lambda: optimizers.get_surface(3), TypeError, "surface"),
        (lambda: optimizers.get_surface("bowl"), ValueError, "surface"),
    ],
    "helpers.optimizers.contour_grid": [
        (lambda: optimizers.contour_grid(optimizers.SURFACES["quadratic"]), TypeError, "surface"),
        (lambda: optimizers.contour_grid("bowl"), ValueError, "surface"),
        (lambda: optimizers.contour_grid("quadratic", n=120.0), ValueError, "n must"),
        (lambda: optimizers.contour_grid("quadratic", n=5), ValueError, "n must"),
    ],
    "helpers.optimizers.make_optimizer": [
        (lambda: optimizers.make_optimizer("LBFGS", [leaf()], 0.1), ValueError, "name must"),
        (lambda: optimizers.make_optimizer("SGD", None, 0.1), TypeError, "params"),
        (lambda: optimizers.make_optimizer("SGD", leaf(), 0.1), TypeError, "params"),
        (lambda: optimizers.make_optimizer("SGD", [1.0, 2.0], 0.1), TypeError, "params"),
        (lambda: optimizers.make_optimizer("SGD", [], 0.1), ValueError, "params"),
        (lambda: optimizers.make_optimizer("SGD", [leaf() * 2], 0.1), ValueError, "params"),
        (lambda: optimizers.make_optimizer("SGD", [leaf()], "0.1"), ValueError, "lr"),
        (lambda: optimizers.make_optimizer("SGD", [leaf()], 0.0), ValueError, "lr"),
    ],
    "helpers.optimizers.trajectory": [
        (lambda: optimizers.trajectory(None, "SGD", 0.1, 10), TypeError, "surface"),
        (lambda: optimizers.trajectory("bowl", "SGD", 0.1, 10), ValueError, "surface"),
        (lambda: optimizers.trajectory("quadratic", "Adagrad", 0.1, 10), ValueError, "optimizer must"),
        (lambda: optimizers.trajectory("quadratic", "SGD", [0.1], 10), ValueError, "lr"),
        (lambda: optimizers.trajectory("quadratic", "SGD", float("inf"), 10), ValueError, "lr"),
        (lambda: optimizers.trajectory("quadratic", "SGD", 0.1, 2.5), ValueError, "steps"),
        (lambda: optimizers.trajectory("quadratic", "SGD", 0.1, -1), ValueError, "steps"),
    ],
    "helpers.optimizers.trajectories": [
        (lambda: optimizers.trajectories("quadratic", "SGD", 0.1, 10), TypeError, "optimizers"),
        (lambda: optimizers.trajectories("quadratic", ["SGD", "Adagrad"], 0.1, 10), ValueError, "optimizers"),
        (lambda: optimizers.trajectories("bowl", [], 0.1, 10), ValueError, "surface"),
        (lambda: optimizers.trajectories("quadratic", [], "fast", 10), ValueError, "lr"),
        (lambda: optimizers.trajectories("quadratic", ["SGD"], 0.1, 10**6), ValueError, "steps"),
    ],
    "helpers.optimizers.torch_trajectory": [
        (lambda: optimizers.torch_trajectory(1, "SGD", 0.1, 10), TypeError, "surface"),
        (lambda: optimizers.torch_trajectory("quadratic", "LBFGS", 0.1, 10), ValueError, "optimizer must"),
        (lambda: optimizers.torch_trajectory("quadratic", "SGD", -0.1, 10), ValueError, "lr"),
        (lambda: optimizers.torch_trajectory("quadratic", "SGD", 0.1, 10**6), ValueError, "steps"),
    ],
    "helpers.optimizers.describe_run": [
        (lambda: optimizers.describe_run([]), TypeError, "paths"),
        (lambda: optimizers.describe_run({"SGD": [0.0, 1.0]}), TypeError, "paths"),
    ],
    "helpers.optimizers.TrajectoryPlot": [
        (lambda: optimizers.TrajectoryPlot(dpi="90"), ValueError, "dpi"),
        (lambda: optimizers.TrajectoryPlot(dpi=5000), ValueError, "dpi"),
        (lambda: optimizers.TrajectoryPlot()(None, "quadratic", ("SGD",), 0.1, 10), TypeError, "fig"),
        (lambda: optimizers.TrajectoryPlot()(Figure(), "quadratic", "SGD", 0.1, 10), ValueError, "optimizers"),
        (lambda: optimizers.TrajectoryPlot()(Figure(), "bowl", ("SGD",), 0.1, 10), ValueError, "surface"),
        (lambda: optimizers.TrajectoryPlot()(Figure(), "quadratic", (), 0.0, 10), ValueError, "lr"),
    ],
    "helpers.optimizers.trajectory_panel": [
        (lambda: optimizers.trajectory_panel(surface=2), TypeError, "surface"),
        (lambda: optimizers.trajectory_panel(optimizers="Adam"), ValueError, "optimizers"),
        (lambda: optimizers.trajectory_panel(lr="0.1"), ValueError, "lr"),
        (lambda: optimizers.trajectory_panel(lr=5.0), ValueError, "lr"),
        (lambda: optimizers.trajectory_panel(steps=1000), ValueError, "steps"),
    ],
    # ------------------------------------------------------------------ chapter 5, weight decay
    "helpers.decay.true_weights": [
        (lambda: decay.true_weights(2.0), ValueError, "num_inputs"),
        (lambda: decay.true_weights(0), ValueError, "num_inputs"),
    ],
    "helpers.decay.make_data": [
        (lambda: decay.make_data(n_train="20"), ValueError, "n_train"),
        (lambda: decay.make_data(n_train=0), ValueError, "n_train"),
        (lambda: decay.make_data(n_test=-5), ValueError, "n_test"),
        (lambda: decay.make_data(num_inputs=0), ValueError, "num_inputs"),
        (lambda: decay.make_data(seed=-1), ValueError, "seed"),
    ],
    "helpers.decay.l2_penalty": [(lambda: decay.l2_penalty([3.0, -4.0]), TypeError, "w must")],
    "helpers.decay.l1_penalty": [(lambda: decay.l1_penalty(np.array([3.0, -4.0])), TypeError, "w must")],
    "helpers.decay.l1_step": [
        (lambda: decay.l1_step([0.5], torch.zeros(1), 0.1, 1.0), TypeError, "w and grad"),
        (lambda: decay.l1_step(torch.zeros(3), torch.zeros(2), 0.1, 1.0), ValueError, "grad"),
        (lambda: decay.l1_step(torch.zeros(3), torch.zeros(3), "0.1", 1.0), ValueError, "lr"),
        (lambda: decay.l1_step(torch.zeros(3), torch.zeros(3), 0.0, 1.0), ValueError, "lr"),
        (lambda: decay.l1_step(torch.zeros(3), torch.zeros(3), 0.1, -1.0), ValueError, "lambd must"),
    ],
    "helpers.decay.count_near_zero": [
        (lambda: decay.count_near_zero([0.0, 1.0]), TypeError, "w must"),
        (lambda: decay.count_near_zero(torch.zeros(3), tol="small"), ValueError, "tol"),
        (lambda: decay.count_near_zero(torch.zeros(3), tol=0), ValueError, "tol"),
    ],
    "helpers.decay.fit_linear": [
        (lambda: decay.fit_linear(regression()[0].tolist(), regression()[1], [1.0]), TypeError, "X must"),
        (lambda: decay.fit_linear(torch.zeros(30), torch.zeros(30), [1.0]), ValueError, "X must"),
        (lambda: decay.fit_linear(*regression()[:2], "1.0"), TypeError, "lambdas"),
        (lambda: decay.fit_linear(*regression()[:2], [-1.0]), ValueError, "lambdas"),
        (lambda: decay.fit_linear(*regression()[:2], [1000.0]), ValueError, "lambdas"),
        (lambda: decay.fit_linear(regression()[0], torch.zeros(7), [1.0]), ValueError, "y must"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], penalty="l3"), ValueError, "penalty"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], epochs=0), ValueError, "epochs"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], lr=-0.1), ValueError, "lr"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], batch_size=2.5), ValueError, "batch_size"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], init_std=-1.0), ValueError, "init_std"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], X_test=torch.zeros(4, 5)), ValueError, "X_test"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], X_test=torch.zeros(4, 6), y_test=torch.zeros(4)),
         ValueError, "X_test"),
        (lambda: decay.fit_linear(*regression()[:2], [1.0], X_test=torch.zeros(4, 5), y_test=[0.0] * 4),
         TypeError, "y_test"),
    ],
    "helpers.decay.k_fold_splits": [
        (lambda: decay.k_fold_splits(20.0, 5), ValueError, "n must"),
        (lambda: decay.k_fold_splits(1, 2), ValueError, "n must"),
        (lambda: decay.k_fold_splits(20, "5"), ValueError, "k must"),
        (lambda: decay.k_fold_splits(20, 21), ValueError, "k must"),
    ],
    "helpers.decay.cross_validate": [
        (lambda: decay.cross_validate(None, torch.zeros(30), [1.0]), TypeError, "X must"),
        (lambda: decay.cross_validate(regression()[0], torch.zeros(29), [1.0]), ValueError, "y must"),
        (lambda: decay.cross_validate(*regression()[:2], [1.0], k=1), ValueError, "k must"),
        (lambda: decay.cross_validate(*regression()[:2], [1.0], k=31), ValueError, "k must"),
        (lambda: decay.cross_validate(*regression()[:2], [-1.0]), ValueError, "lambdas"),
        (lambda: decay.cross_validate(*regression()[:2], [1.0], X_test=torch.zeros(2, 5)), ValueError,
         "fit_kwargs"),
    ],
    "helpers.decay.train_concise": [
        (lambda: decay.train_concise("3", batches(), batches()), ValueError, "wd"),
        (lambda: decay.train_concise(-1, batches(), batches()), ValueError, "wd"),
        (lambda: decay.train_concise(3, None, batches(), num_inputs=5), TypeError, "train_iter"),
        (lambda: decay.train_concise(3, batches(), torch.zeros(4, 5), num_inputs=5), TypeError, "test_iter"),
        (lambda: decay.train_concise(3, [], batches(), num_inputs=5), ValueError, "train_iter"),
        (lambda: decay.train_concise(3, batches(features=7), batches(), num_inputs=5), ValueError, "train_iter"),
        (lambda: decay.train_concise(3, batches(), batches(features=7), num_inputs=5), ValueError, "test_iter"),
        (lambda: decay.train_concise(3, batches(), batches(), num_inputs=5, num_epochs=0), ValueError,
         "num_epochs"),
        (lambda: decay.train_concise(3, batches(), batches(), num_inputs=5, lr=0), ValueError, "lr"),
        (lambda: decay.train_concise(3, batches(), batches(), num_inputs=5, num_epochs=10, every=20),
         ValueError, "every"),
    ],
    "helpers.decay.decay_step": [
        (lambda: decay.decay_step("RMSprop", [1.0]), ValueError, "optimizer must"),
        (lambda: decay.decay_step("SGD", "abc"), TypeError, "values"),
        (lambda: decay.decay_step("SGD", [[1.0, 2.0], [3.0]]), TypeError, "values"),
        (lambda: decay.decay_step("SGD", []), ValueError, "values"),
        (lambda: decay.decay_step("SGD", [1.0, float("nan")]), ValueError, "values"),
        (lambda: decay.decay_step("SGD", [1.0], lr=0.0), ValueError, "lr"),
        (lambda: decay.decay_step("SGD", [1.0], weight_decay="0.1"), ValueError, "weight_decay"),
        (lambda: decay.decay_step("SGD", [1.0], weight_decay=-0.1), ValueError, "weight_decay"),
        (lambda: decay.decay_step("SGD", [1.0], steps=0), ValueError, "steps"),
    ],
    "helpers.decay.train_mlp": [
        (lambda: decay.train_mlp("0.5"), ValueError, "dropout"),
        (lambda: decay.train_mlp(1.0), ValueError, "dropout"),
        (lambda: decay.train_mlp(0.5, hidden=0), ValueError, "hidden"),
        (lambda: decay.train_mlp(0.5, steps=1.5), ValueError, "steps"),
        (lambda: decay.train_mlp(0.5, lr=-1.0), ValueError, "lr"),
        (lambda: decay.train_mlp(0.5, data=regression()[:2]), TypeError, "data"),
        (lambda: decay.train_mlp(0.5, data=[t.tolist() for t in regression()]), TypeError, "X must"),
        (lambda: decay.train_mlp(0.5, data=regression()[:3] + (torch.zeros(3),)), ValueError, "y_test"),
    ],
    "helpers.decay.plot_concise": [
        (lambda: decay.plot_concise([history()]), TypeError, "histories"),
        (lambda: decay.plot_concise({"wd = 0": history(train=["a", "b"])}), TypeError, "histories"),
        (lambda: decay.plot_concise({"wd = 0": {"train": [1.0]}}), ValueError, "histories"),
        (lambda: decay.plot_concise({"wd = 0": history(train=[1.0])}), ValueError, "histories"),
        (lambda: decay.plot_concise({"wd = 0": history(test=[2.0, -1.0])}), ValueError, "histories"),
    ],
    "helpers.decay.plot_sweep": [
        (lambda: decay.plot_sweep("0.1", {"test": [1.0]}), TypeError, "lambdas"),
        (lambda: decay.plot_sweep([0.0, 1.0], {"test": [1.0, 2.0]}), ValueError, "lambdas"),
        (lambda: decay.plot_sweep([0.1, 1.0], [1.0, 2.0]), TypeError, "curves"),
        (lambda: decay.plot_sweep([0.1, 1.0], {"test": ["low", "high"]}), TypeError, "curves"),
        (lambda: decay.plot_sweep([0.1, 1.0], {"test": [1.0]}), ValueError, "curves"),
        (lambda: decay.plot_sweep([0.1, 1.0], {"test": [1.0, -2.0]}), ValueError, "curves"),
        (lambda: decay.plot_sweep([0.1, 1.0], {"test": [1.0, 2.0]}, mark_min="test"), TypeError, "mark_min"),
        (lambda: decay.plot_sweep([0.1, 1.0], {"test": [1.0, 2.0]}, mark_min=["train"]), ValueError,
         "mark_min"),
    ],
    "helpers.decay.plot_weight_histograms": [
        (lambda: decay.plot_weight_histograms(torch.zeros(3)), TypeError, "weights"),
        (lambda: decay.plot_weight_histograms({"a": [1.0]}), TypeError, "weights"),
        (lambda: decay.plot_weight_histograms({"a": torch.zeros(0)}), TypeError, "weights"),
        (lambda: decay.plot_weight_histograms({"a": torch.tensor([1.0, float("nan")])}), ValueError, "weights"),
        (lambda: decay.plot_weight_histograms({"a": torch.zeros(3)}, bins=0), ValueError, "bins"),
    ],
    "helpers.decay.widget_run": [
        (lambda: decay.widget_run("3"), ValueError, "lambd must"),
        (lambda: decay.widget_run(-1.0), ValueError, "lambd must"),
        (lambda: decay.widget_run(1000.0), ValueError, "lambd must"),
        (lambda: decay.widget_run(1.0, epochs=0), ValueError, "epochs"),
        (lambda: decay.widget_run(1.0, data=regression()[:2]), TypeError, "data"),
        (lambda: decay.widget_run(1.0, data=regression()[:3] + (torch.zeros(3),)), ValueError, "y_test"),
        (lambda: decay.widget_run(1.0, n_train=31, data=regression()), ValueError, "n_train"),
        (lambda: decay.widget_run(1.0, n_train=20.0, data=regression()), ValueError, "n_train"),
    ],
    "helpers.decay.weight_magnitudes": [
        (lambda: decay.weight_magnitudes([0.1]), TypeError, "w must"),
        (lambda: decay.weight_magnitudes(torch.tensor([0.1, float("nan")])), ValueError, "w must"),
    ],
    "helpers.decay.decay_panel": [
        (lambda: decay.decay_panel(regression()[:2]), TypeError, "data"),
        (lambda: decay.decay_panel(regression(rows=30)), ValueError, "data"),
        (lambda: decay.decay_panel(regression(rows=200)[:3] + (torch.zeros(3, 1),)), ValueError, "y_test"),
    ],
    "helpers.decay.holdout_losses": [
        (lambda: decay.holdout_losses("sweep"), TypeError, "lambdas"),
        (lambda: decay.holdout_losses([-1.0]), ValueError, "lambdas"),
        (lambda: decay.holdout_losses(n_val=20), ValueError, "n_val"),
        (lambda: decay.holdout_losses(n_val=2.0), ValueError, "n_val"),
        (lambda: decay.holdout_losses(X_test=torch.zeros(2, 200)), ValueError, "fit_kwargs"),
    ],
    # ------------------------------------------------------------------ chapter 6, autograd
    "helpers.gradients.get_function": [
        (lambda: gradients.get_function(torch.sin), TypeError, "name"),
        (lambda: gradients.get_function("cos"), ValueError, "name"),
    ],
    "helpers.gradients.autograd_derivative": [
        (lambda: gradients.autograd_derivative(42, 1.0), TypeError, "fn"),
        (lambda: gradients.autograd_derivative("cos", 1.0), ValueError, "fn must"),
        (lambda: gradients.autograd_derivative(lambda t: 3.0, 1.0), TypeError, "fn"),
        (lambda: gradients.autograd_derivative(lambda t: torch.stack([t, t]), 1.0), ValueError, "fn"),
        (lambda: gradients.autograd_derivative(lambda t: torch.tensor(t.item() ** 2), 1.0), ValueError,
         "fn"),
        (lambda: gradients.autograd_derivative("sin", "1.0"), TypeError, "x must"),
        (lambda: gradients.autograd_derivative("sin", float("nan")), ValueError, "x must"),
    ],
    "helpers.gradients.finite_difference": [
        (lambda: gradients.finite_difference(None, 1.0), TypeError, "fn"),
        (lambda: gradients.finite_difference(lambda t: 1.0, 1.0), TypeError, "fn"),
        (lambda: gradients.finite_difference(lambda t: t.sum(), 1.0), ValueError, "fn"),
        (lambda: gradients.finite_difference("sin", torch.tensor([1.0])), TypeError, "x must"),
        (lambda: gradients.finite_difference("sin", float("inf")), ValueError, "x must"),
        (lambda: gradients.finite_difference("sin", 1.0, h=True), TypeError, "h must"),
        (lambda: gradients.finite_difference("sin", 1.0, h=0), ValueError, "h must"),
        (lambda: gradients.finite_difference("sin", 1.0, h=100.0), ValueError, "h must"),
    ],
    "helpers.gradients.tangent_at": [
        (lambda: gradients.tangent_at(torch.sin, 1.0), TypeError, "function must"),
        (lambda: gradients.tangent_at("cos", 1.0), ValueError, "function must"),
        (lambda: gradients.tangent_at("sin", None), TypeError, "x must"),
        (lambda: gradients.tangent_at("sin", float("nan")), ValueError, "x must"),
        (lambda: gradients.tangent_at("sin", 1.0, h=-1e-3), ValueError, "h must"),
    ],
    "helpers.gradients.function_curve": [
        (lambda: gradients.function_curve("cos"), ValueError, "function must"),
        (lambda: gradients.function_curve("sin", lo="-3"), TypeError, "lo"),
        (lambda: gradients.function_curve("sin", 1.0, -1.0), ValueError, "lo"),
        (lambda: gradients.function_curve("sin", hi=float("inf")), ValueError, "hi"),
        (lambda: gradients.function_curve("sin", num=10.0), ValueError, "num"),
        (lambda: gradients.function_curve("sin", num=1), ValueError, "num"),
    ],
    "helpers.gradients.derivative_curves": [
        (lambda: gradients.derivative_curves(None, torch.zeros(3)), TypeError, "fn"),
        (lambda: gradients.derivative_curves(lambda t: 1.0, torch.zeros(3)), TypeError, "fn"),
        (lambda: gradients.derivative_curves(lambda t: t.sum(), torch.zeros(3)), ValueError, "fn"),
        (lambda: gradients.derivative_curves(torch.sin, [1.0, 2.0]), TypeError, "xs"),
        (lambda: gradients.derivative_curves(torch.sin, torch.arange(3)), TypeError, "xs"),
        (lambda: gradients.derivative_curves(torch.sin, torch.ones(2), order="2"), ValueError, "order"),
        (lambda: gradients.derivative_curves(torch.sin, torch.ones(2), order=9), ValueError, "order"),
    ],
    "helpers.gradients.graph_lines": [
        (lambda: gradients.graph_lines([1.0]), TypeError, "output"),
        (lambda: gradients.graph_lines(leaf()), ValueError, "output"),
        (lambda: gradients.graph_lines(leaf() * 2, names=["w"]), TypeError, "names"),
        (lambda: gradients.graph_lines(leaf() * 2, names={"w": 1.0}), TypeError, "names"),
        (lambda: gradients.graph_lines(leaf() * 2, max_depth=2.0), ValueError, "max_depth"),
        (lambda: gradients.graph_lines(leaf() * 2, max_depth=0), ValueError, "max_depth"),
    ],
    "helpers.gradients.print_graph": [
        (lambda: gradients.print_graph(None), TypeError, "output"),
        (lambda: gradients.print_graph(leaf().detach() * 2), ValueError, "output"),
        (lambda: gradients.print_graph(leaf() * 2, names=linear), TypeError, "names"),
        (lambda: gradients.print_graph(leaf() * 2, max_depth=10_000), ValueError, "max_depth"),
    ],
    "helpers.gradients.saved_memory": [
        (lambda: gradients.saved_memory("relu", torch.ones(2)), TypeError, "fn"),
        (lambda: gradients.saved_memory(torch.relu, [1.0, -1.0]), TypeError, "inputs[0]"),
        (lambda: gradients.saved_memory(torch.add, torch.ones(2), 1.0), TypeError, "inputs[1]"),
    ],
    "helpers.gradients.gradient_status": [
        (lambda: gradients.gradient_status(leaf()), TypeError, "model"),
    ],
    "helpers.gradients.draw_tangent": [
        (lambda: gradients.draw_tangent(None, "sin", 1.0, 0.1), TypeError, "fig"),
        (lambda: gradients.draw_tangent(Figure(), "cos", 1.0, 0.1), ValueError, "function must"),
        (lambda: gradients.draw_tangent(Figure(), "sin", "1", 0.1), TypeError, "x must"),
        (lambda: gradients.draw_tangent(Figure(), "sin", 1.0, 0.0), ValueError, "h must"),
    ],
    "helpers.gradients.tangent_explorer": [
        (lambda: gradients.tangent_explorer(function=1), TypeError, "function must"),
        (lambda: gradients.tangent_explorer("cos"), ValueError, "function must"),
        (lambda: gradients.tangent_explorer(x="1"), TypeError, "x must"),
        (lambda: gradients.tangent_explorer(x=5.0), ValueError, "x must"),
        (lambda: gradients.tangent_explorer(h=2.0), ValueError, "h must"),
        (lambda: gradients.tangent_explorer(h=1e-9), ValueError, "h must"),
    ],
}

CASES = [pytest.param(call, error, name, id=f"{target}-{index}")
         for target, calls in BAD_CALLS.items() for index, (call, error, name) in enumerate(calls)]


@pytest.mark.parametrize("module_name", FOUNDATION + CHAPTER_MODULES)
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
