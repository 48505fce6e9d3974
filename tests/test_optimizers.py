"""Tests for helpers.optimizers: optimizer views, schedules, trajectories, the widget, exercises."""

import io
import math
import warnings

import ipywidgets
import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image
from torch import nn

import helpers
from helpers import optimizers as opt
from helpers.exercises import ThoughtQuestion


# ----------------------------------------------------------------------------- group_summary

def test_group_summary_replaces_params_by_shapes_and_keeps_chosen_keys():
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    optimizer = torch.optim.Adam([{"params": net[0].parameters(), "lr": 0.1},
                                  {"params": net[2].parameters()}], lr=0.01)
    summary = opt.group_summary(optimizer, keys=["lr"])
    assert summary == [{"params": [(3, 4), (3,)], "lr": 0.1}, {"params": [(1, 3), (1,)], "lr": 0.01}]


def test_group_summary_without_keys_keeps_every_hyperparameter():
    w = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    (summary,) = opt.group_summary(optimizer)
    assert set(summary) == set(optimizer.param_groups[0])
    assert summary["momentum"] == 0.9 and summary["params"] == [(2,)]


@pytest.mark.parametrize("args, error, word", [
    ((nn.Linear(2, 2),), TypeError, "optimizer"),
    ((torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), "lr"), TypeError, "keys"),
    ((torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), ["betas"]), ValueError, "keys"),
])
def test_group_summary_rejects_bad_input(args, error, word):
    with pytest.raises(error, match=word):
        opt.group_summary(*args)


# ----------------------------------------------------------------------------- schedules

def test_schedules_give_the_numbers_the_notebook_prints():
    schedules = {name: opt.lr_schedule(name, steps=100, lr=0.1) for name in opt.SCHEDULERS}
    assert all(len(lrs) == 100 for lrs in schedules.values())
    assert [round(schedules["StepLR"][s], 4) for s in (0, 25, 50, 75, 99)] == [0.1, 0.05, 0.025, 0.0125, 0.0125]
    assert schedules["ExponentialLR"][99] == pytest.approx(0.1 * 0.97 ** 99)
    cosine = schedules["CosineAnnealingLR"]
    for step in (0, 30, 50, 99):
        assert cosine[step] == pytest.approx(0.05 * (1 + math.cos(math.pi * step / 100)), rel=1e-6)
    one_cycle = schedules["OneCycleLR"]
    assert one_cycle[0] == pytest.approx(0.1 / 25)
    assert max(one_cycle) == pytest.approx(0.1, rel=1e-3)
    assert 25 <= int(np.argmax(one_cycle)) <= 30
    assert one_cycle[-1] < 1e-3


def test_lr_schedule_steps_in_the_right_order_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in opt.SCHEDULERS:
            opt.lr_schedule(name, steps=20)


def test_wrong_order_skips_the_first_lr_and_warns():
    w = torch.zeros(1, requires_grad=True)
    w.grad = torch.ones(1)
    optimizer = torch.optim.SGD([w], lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()
        optimizer.step()
    assert optimizer.param_groups[0]["lr"] == 0.5
    assert any("before `optimizer.step()`" in str(w.message) for w in caught)


@pytest.mark.parametrize("kwargs, word", [
    (dict(name="LinearLR"), "name"),
    (dict(name="StepLR", steps=2), "steps"),
    (dict(name="StepLR", steps=10.0), "steps"),
    (dict(name="StepLR", lr=0), "lr"),
    (dict(name="StepLR", lr=float("nan")), "lr"),
])
def test_lr_schedule_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        opt.lr_schedule(**kwargs)


def test_make_scheduler_rejects_a_non_optimizer():
    with pytest.raises(TypeError, match="optimizer"):
        opt.make_scheduler("StepLR", nn.Linear(1, 1), steps=10)


# ----------------------------------------------------------------------------- surfaces

@pytest.mark.parametrize("name", list(opt.SURFACES))
def test_surface_gradient_matches_autograd_and_minimum_is_zero(name):
    spec = opt.SURFACES[name]
    generator = torch.Generator().manual_seed(1)
    for x, y in torch.randn(5, 2, generator=generator, dtype=torch.float64):
        x.requires_grad_(True)
        y.requires_grad_(True)
        spec.value(x, y).backward()
        gx, gy = spec.gradient(x.item(), y.item())
        assert gx == pytest.approx(x.grad.item()) and gy == pytest.approx(y.grad.item())
    assert spec.value(*spec.minimum) == 0.0
    assert spec.value(*spec.start) > 1


def test_contour_grid_is_computed_once_and_read_only():
    first = opt.contour_grid("quadratic")
    assert opt.contour_grid("quadratic") is first
    X, Y, Z = first
    assert Z.shape == (120, 120) and not Z.flags.writeable
    assert Z.min() >= 0 and np.allclose(Z, 0.1 * X ** 2 + 2 * Y ** 2)


@pytest.mark.parametrize("surface, error", [("paraboloid", ValueError), (None, TypeError),
                                            (3, TypeError), (["quadratic"], TypeError)])
def test_unknown_surface_is_rejected(surface, error):
    with pytest.raises(error, match="surface"):
        opt.get_surface(surface)
    with pytest.raises(error, match="surface"):
        opt.contour_grid(surface)


@pytest.mark.parametrize("n", [5, 10.0, True, 5000])
def test_contour_grid_rejects_a_bad_size(n):
    with pytest.raises(ValueError, match="n must"):
        opt.contour_grid("quadratic", n=n)


# ----------------------------------------------------------------------------- trajectories

@pytest.mark.parametrize("surface, lr", [("quadratic", 0.1), ("rosenbrock", 0.001), ("rosenbrock", 0.05)])
@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_numpy_trajectory_follows_torch_optim(surface, lr, name):
    fast = opt.trajectory(surface, name, lr=lr, steps=60)
    exact = opt.torch_trajectory(surface, name, lr=lr, steps=60)
    n = len(fast.points)
    assert np.allclose(fast.points, exact[:n], rtol=1e-9, atol=1e-12)
    if fast.diverged_at is None:
        assert n == 61


def test_adam_first_step_has_size_lr_in_each_coordinate():
    t = opt.trajectory("rosenbrock", "Adam", lr=0.05, steps=1)
    gx, gy = opt.SURFACES["rosenbrock"].gradient(*opt.SURFACES["rosenbrock"].start)
    step = t.points[1] - t.points[0]
    assert np.allclose(step, -0.05 * np.sign([gx, gy]))


def test_divergence_is_detected_and_points_stay_finite():
    t = opt.trajectory("rosenbrock", "SGD", lr=0.01, steps=200)
    assert t.diverged_at == 4 and len(t.points) == 4
    assert np.isfinite(t.points).all() and np.isfinite(t.losses).all()
    assert opt.trajectory("quadratic", "SGD", lr=0.6, steps=200).diverged_at is not None


def test_sgd_at_the_edge_of_stability_bounces_forever():
    # lr * curvature = 0.5 * 4 = 2: the y-coordinate flips sign without shrinking.
    t = opt.trajectory("quadratic", "SGD", lr=0.5, steps=100)
    assert t.diverged_at is None
    assert np.allclose(np.abs(t.points[:, 1]), 1.5)
    assert f"{t.final_loss:.3g}" == "4.5"


def test_trajectories_keep_the_requested_order():
    paths = opt.trajectories("quadratic", ["RMSprop", "SGD"], lr=0.1, steps=10)
    assert list(paths) == ["RMSprop", "SGD"]
    assert all(isinstance(p, opt.Trajectory) for p in paths.values())


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(optimizer="Adagrad"), ValueError, "optimizer"),
    (dict(lr=0.0), ValueError, "lr"),
    (dict(lr=-1), ValueError, "lr"),
    (dict(lr=True), ValueError, "lr"),
    (dict(lr=float("inf")), ValueError, "lr"),
    (dict(steps=-1), ValueError, "steps"),
    (dict(steps=True), ValueError, "steps"),
    (dict(steps=1.5), ValueError, "steps"),
    (dict(surface="bowl"), ValueError, "surface"),
])
def test_trajectory_rejects_bad_input(kwargs, error, word):
    args = dict(surface="quadratic", optimizer="SGD", lr=0.1, steps=10) | kwargs
    with pytest.raises(error, match=word):
        opt.trajectory(**args)


def test_trajectories_rejects_a_single_string():
    with pytest.raises(TypeError, match="optimizers"):
        opt.trajectories("quadratic", "SGD", lr=0.1, steps=10)


def test_make_optimizer_builds_the_named_torch_optimizer():
    w = torch.zeros(2, requires_grad=True)
    assert type(opt.make_optimizer("AdamW", [w], 0.1)) is torch.optim.AdamW
    assert opt.make_optimizer("AdamW", [w], 0.1).defaults["weight_decay"] == opt.ADAMW_WEIGHT_DECAY
    assert opt.make_optimizer("SGD", [w], 0.1).defaults["momentum"] == 0
    with pytest.raises(ValueError, match="optimizer"):
        opt.make_optimizer("LBFGS", [w], 0.1)


def test_describe_run_reports_losses_and_divergence():
    paths = opt.trajectories("rosenbrock", ["SGD", "Adam"], lr=0.01, steps=200)
    assert opt.describe_run(paths) == "SGD diverged at step 4 | Adam 4.03"
    for bad in (None, ["SGD"], {"SGD": 1.0}):
        with pytest.raises(TypeError, match="paths"):
            opt.describe_run(bad)


# ----------------------------------------------------------------------------- the widget

def test_demo_panel_controls():
    panel = opt.demo_panel()
    assert set(panel.controls) == {"surface", "optimizers", "lr", "steps"}
    assert all(isinstance(c, ipywidgets.ValueWidget) for c in panel.controls.values())
    assert isinstance(panel.controls["optimizers"], ipywidgets.SelectMultiple)
    assert isinstance(panel.controls["lr"], ipywidgets.FloatLogSlider)
    assert panel.text.startswith("quadratic, lr 0.1, 100 steps: SGD ")
    assert panel.image.value[:4] == b"\x89PNG"


def test_panel_updates_lines_in_place_when_controls_change():
    panel = opt.demo_panel()
    render = panel.render
    line = render.lines["Adam"]
    before = np.array(line.get_xydata())
    panel.set(lr=0.01)
    assert render.lines["Adam"] is line
    assert not np.array_equal(before, line.get_xydata())
    assert np.allclose(line.get_xydata(), opt.trajectory("quadratic", "Adam", 0.01, 100).points)
    panel.set(steps=200)
    assert len(line.get_xdata()) == 201
    panel.set(optimizers=("SGD",))
    assert not line.get_visible() and render.lines["SGD"].get_visible()
    assert panel.text == "quadratic, lr 0.01, 200 steps: " + opt.describe_run(
        opt.trajectories("quadratic", ["SGD"], 0.01, 200))


def test_panel_changes_the_picture_with_the_surface_and_caches_it():
    panel = opt.demo_panel()
    render = panel.render
    quadratic = render.background.pixels
    panel.set(surface="rosenbrock", lr=0.05)
    assert render.background.pixels.shape == quadratic.shape
    assert not np.array_equal(render.background.pixels, quadratic)
    assert render.ax.get_xlim() == opt.SURFACES["rosenbrock"].xlim
    panel.set(surface="quadratic")
    assert render.background.pixels is quadratic
    # The picture is the size the figure is saved at, so the paths line up with the axes.
    assert quadratic.shape[:2] == (round(4.2 * 90), round(6.4 * 90))


@pytest.mark.parametrize("bbox", [None, "tight"])
def test_picture_fills_the_saved_figure_even_with_a_tight_bounding_box(bbox):
    # helpers.setup() saves figures with bbox "tight", which pads the figure: the picture
    # must move with the figure's corner, or the paths would not line up with the axes.
    with matplotlib.rc_context({"savefig.bbox": bbox}):
        panel = opt.demo_panel()
        panel.set(optimizers=())
    png = np.asarray(Image.open(io.BytesIO(panel.image.value)).convert("RGBA"))
    picture = panel.render.background.pixels
    pad = 9 if bbox == "tight" else 0  # 0.1 inch at 90 dpi
    assert png.shape == (picture.shape[0] + 2 * pad, picture.shape[1] + 2 * pad, 4)
    assert np.array_equal(png[pad:pad + picture.shape[0], pad:pad + picture.shape[1]], picture)


def test_panel_with_no_optimizer_chosen():
    panel = opt.demo_panel()
    panel.set(optimizers=())
    assert panel.text.endswith("no optimizer chosen")


def test_trajectory_plot_draws_on_a_plain_figure():
    plot = opt.TrajectoryPlot(dpi=50)
    text = plot(Figure(figsize=(4, 3)), "rosenbrock", ("Adam", "SGD"), 0.001, 20)
    assert text.startswith("rosenbrock, lr 0.001, 20 steps: SGD")
    with pytest.raises(ValueError, match="optimizers"):
        plot(Figure(figsize=(4, 3)), "rosenbrock", ("Adam", "Adagrad"), 0.001, 20)
    with pytest.raises(ValueError, match="dpi"):
        opt.TrajectoryPlot(dpi=0)


@pytest.mark.parametrize("kwargs, word", [
    (dict(surface="bowl"), "surface"),
    (dict(optimizers=("SGD", "Lion")), "optimizers"),
    (dict(optimizers="SGD"), "optimizers"),
    (dict(lr=2.0), "lr"),
    (dict(lr=True), "lr"),
    (dict(steps=5), "steps"),
])
def test_trajectory_panel_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        opt.trajectory_panel(**kwargs)


# ----------------------------------------------------------------------------- exercises

def _solve(question):
    namespace = {}
    exec("import math, torch\nfrom torch import nn\nimport helpers", namespace)
    exec(question.solution_code, namespace)
    return namespace[question.answer_name]


def test_questions_cover_the_kinds():
    kinds = [q.kind for q in opt.QUESTIONS]
    assert len(kinds) >= 5
    assert {"value", "thought"} <= set(kinds) and {"code", "function"} & set(kinds)
    assert len(helpers.exercises.load("04_optimizers")) == len(kinds)


@pytest.mark.parametrize("index", range(len(opt.QUESTIONS)))
def test_every_solution_passes_its_own_check(index):
    question = opt.QUESTIONS[index]
    if isinstance(question, ThoughtQuestion):
        assert "sign" in question.solution_code
        return
    assert question.evaluate(_solve(question)).correct


def _raises(*args):
    raise RuntimeError("boom")


@pytest.mark.parametrize("index", range(len(opt.QUESTIONS)))
@pytest.mark.parametrize("garbage", [None, "text", 0, torch.zeros(3, 3), _raises,
                                     nn.Linear(2, 2), torch.optim.SGD])
def test_garbage_is_not_correct_and_does_not_raise(index, garbage):
    question = opt.QUESTIONS[index]
    if isinstance(question, ThoughtQuestion):
        return
    verdict = question.evaluate(garbage)
    assert not verdict.correct
    assert "Not yet" in verdict.message


def test_value_answers_match_torch():
    w = torch.tensor([1.0], requires_grad=True)
    sgd = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        sgd.zero_grad()
        (w ** 2).sum().backward()
        sgd.step()
    assert opt.QUESTIONS[0].evaluate(w.item()).correct
    assert opt.QUESTIONS[3].evaluate(0.8 * 0.5 ** 2).correct
    assert not opt.QUESTIONS[3].evaluate(0.1).correct


def test_cosine_reference_matches_torch_scheduler():
    for base_lr, T_max in [(0.1, 10), (1.0, 12)]:
        w = torch.zeros(1, requires_grad=True)
        sgd = torch.optim.SGD([w], lr=base_lr)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(sgd, T_max=T_max)
        for step in range(T_max + 1):
            assert opt._cosine_lr_reference(step, base_lr, T_max) == pytest.approx(
                scheduler.get_last_lr()[0], abs=1e-9)
            sgd.step()
            scheduler.step()


def test_group_verifier_names_the_mistake():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    swapped = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.1},
                               {"params": net[2].parameters(), "lr": 0.01}], momentum=0.9)
    assert "lr 0.01" in opt._verify_two_groups(swapped)
    one_group = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    assert "2 param groups" in opt._verify_two_groups(one_group)
    no_momentum = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.01},
                                   {"params": net[2].parameters(), "lr": 0.1}])
    assert "momentum" in opt._verify_two_groups(no_momentum)


def test_decay_verifier_names_the_mistake():
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    everything = torch.optim.AdamW(mlp.parameters(), weight_decay=0.05)
    assert "bias" in opt._verify_no_decay_on_biases(everything)
    partial = torch.optim.AdamW([{"params": [mlp[0].weight], "weight_decay": 0.05},
                                 {"params": [mlp[0].bias], "weight_decay": 0.0}])
    assert "all 6 parameters" in opt._verify_no_decay_on_biases(partial)
    adam = torch.optim.Adam(mlp.parameters())
    assert "AdamW" in opt._verify_no_decay_on_biases(adam)
