"""Tests for helpers.optimizers: the NumPy trajectories against torch.optim, and the widget."""

import io

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image

from helpers import optimizers as opt
from helpers.exercises import load, run_source

TORCH_OPTIMIZERS = {
    "SGD": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "SGD+momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
    "AdamW": lambda params, lr: torch.optim.AdamW(params, lr=lr),
    "RMSprop": lambda params, lr: torch.optim.RMSprop(params, lr=lr),
}


def torch_trajectory(surface, name, lr, steps):
    spec = opt.SURFACES[surface]
    point = torch.tensor(spec["start"], dtype=torch.float64, requires_grad=True)
    optimizer = TORCH_OPTIMIZERS[name]([point], lr)
    points = [point.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        spec["value"](point[0], point[1]).backward()
        optimizer.step()
        points.append(point.detach().clone())
    return torch.stack(points).numpy()


def test_every_optimizer_of_the_widget_is_compared_with_torch():
    assert set(TORCH_OPTIMIZERS) == set(opt.OPTIMIZERS)


@pytest.mark.parametrize("surface, lr", [("quadratic", 0.1), ("rosenbrock", 0.001), ("rosenbrock", 0.05)])
@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_numpy_trajectory_follows_torch_optim(surface, lr, name):
    points, diverged_at = opt.trajectory(surface, name, lr=lr, steps=60)
    exact = torch_trajectory(surface, name, lr, steps=60)
    assert np.allclose(points, exact[:len(points)], rtol=1e-9, atol=1e-12)
    assert len(points) == (61 if diverged_at is None else diverged_at)


@pytest.mark.parametrize("surface", list(opt.SURFACES))
def test_surface_gradient_matches_autograd_and_the_minimum_is_zero(surface):
    spec = opt.SURFACES[surface]
    for x, y in torch.randn(5, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64):
        x.requires_grad_(True)
        y.requires_grad_(True)
        spec["value"](x, y).backward()
        assert spec["gradient"](x.item(), y.item()) == pytest.approx((x.grad.item(), y.grad.item()))
    assert spec["value"](*spec["minimum"]) == 0.0
    assert spec["value"](*spec["start"]) > 1


def test_adam_first_step_has_size_lr_in_each_coordinate():
    points, _ = opt.trajectory("rosenbrock", "Adam", lr=0.05, steps=1)
    gradient = opt.SURFACES["rosenbrock"]["gradient"](*opt.SURFACES["rosenbrock"]["start"])
    assert np.allclose(points[1] - points[0], -0.05 * np.sign(gradient))


def test_divergence_stops_the_run_with_finite_points():
    points, diverged_at = opt.trajectory("rosenbrock", "SGD", lr=0.01, steps=200)
    assert diverged_at == 4 and len(points) == 4 and np.isfinite(points).all()
    assert opt.trajectory("quadratic", "SGD", lr=0.6, steps=200)[1] is not None
    for lr in (float("nan"), float("inf")):
        points, diverged_at = opt.trajectory("quadratic", "Adam", lr=lr, steps=100)
        assert diverged_at == 1 and points.tolist() == [list(opt.SURFACES["quadratic"]["start"])]


def test_sgd_at_the_edge_of_stability_bounces_forever():
    # lr * curvature = 0.5 * 4 = 2: the y-coordinate flips sign without shrinking.
    points, diverged_at = opt.trajectory("quadratic", "SGD", lr=0.5, steps=100)
    assert diverged_at is None
    assert np.allclose(np.abs(points[:, 1]), 1.5)


def test_panel_starts_with_every_optimizer_and_a_png():
    panel = opt.TrajectoryPanel()
    assert panel.values == {"surface": "quadratic", "optimizers": opt.OPTIMIZERS, "lr": 0.1, "steps": 100}
    assert panel.text.startswith("quadratic, lr 0.1, 100 steps: SGD 0.0356 | SGD+momentum ")
    assert panel.image.value[:4] == b"\x89PNG"


def test_panel_updates_lines_in_place_and_reports_each_optimizer():
    panel = opt.TrajectoryPanel()
    line = panel.render.lines["Adam"]
    panel.set(lr=0.01, steps=200)
    assert panel.render.lines["Adam"] is line
    assert np.allclose(line.get_xydata(), opt.trajectory("quadratic", "Adam", 0.01, 200)[0])
    panel.set(surface="rosenbrock", optimizers=("SGD", "Adam"))
    assert not panel.render.lines["RMSprop"].get_visible() and line.get_visible()
    assert panel.text == "rosenbrock, lr 0.01, 200 steps: SGD diverged at step 4 | Adam 4.03"
    panel.set(optimizers=())
    assert panel.text.endswith("no optimizer chosen")


def test_background_changes_with_the_surface_and_is_cached():
    panel = opt.TrajectoryPanel()
    quadratic = panel.render.backdrop.pixels
    panel.set(surface="rosenbrock")
    assert not np.array_equal(panel.render.backdrop.pixels, quadratic)
    assert panel.render.ax.get_xlim() == opt.SURFACES["rosenbrock"]["xlim"]
    panel.set(surface="quadratic")
    assert panel.render.backdrop.pixels is quadratic
    # The size the figure is saved at, so that the paths line up with the axes.
    assert quadratic.shape == (round(4.2 * 90), round(6.4 * 90), 4)


@pytest.mark.parametrize("bbox", [None, "tight"])
def test_background_fills_the_saved_figure_even_with_a_tight_bounding_box(bbox):
    # helpers.setup() saves figures with bbox "tight"; a widget's PNG ignores it (no padding, one
    # draw), so the background lines up with the axes pixel for pixel either way.
    with matplotlib.rc_context({"savefig.bbox": bbox}):
        panel = opt.TrajectoryPanel()
        panel.set(optimizers=())
    png = np.asarray(Image.open(io.BytesIO(panel.image.value)).convert("RGBA"))
    background = panel.render.backdrop.pixels
    assert np.array_equal(png, background)


@pytest.mark.parametrize("values, sentence", [
    (dict(surface="bowl"), "surface must be one of ['quadratic', 'rosenbrock'], got 'bowl'"),
    (dict(optimizers=("SGD", "Lion")), "optimizers must be a list of values from"),
    (dict(optimizers="SGD"), "optimizers must be a list of values from"),
    (dict(lr=float("nan")), "lr must be a number from 0.0001 to 1, got nan"),
    (dict(lr=5.0), "lr must be a number from 0.0001 to 1, got 5.0"),
    (dict(lr="0.1"), "lr must be a number"),
    (dict(lr=True), "lr must be a number"),
    (dict(steps=10_000), "steps must be a whole number from 10 to 500, got 10000"),
    (dict(steps=20.5), "steps must be a whole number"),
    (dict(steps=float("inf")), "steps must be a whole number"),
])
def test_set_refuses_a_value_the_controls_cannot_take_and_keeps_the_panel(values, sentence):
    panel = opt.TrajectoryPanel()
    before = (panel.values, panel.text)
    with pytest.raises(ValueError) as error:
        panel.set(**values)
    assert str(error.value).startswith(sentence)
    assert (panel.values, panel.text) == before


def test_set_takes_a_list_of_optimizers_as_the_control_does():
    panel = opt.TrajectoryPanel()
    panel.set(optimizers=["Adam", "SGD"])
    assert panel.values["optimizers"] == ("Adam", "SGD")
    assert panel.render.lines["Adam"].get_visible() and not panel.render.lines["RMSprop"].get_visible()


def test_set_accepts_the_ends_of_each_range():
    panel = opt.TrajectoryPanel()
    panel.set(lr=1.0, steps=500, surface="rosenbrock")
    assert panel.text.startswith("rosenbrock, lr 1, 500 steps: SGD diverged at step 2")
    panel.set(lr=1e-4, steps=10, optimizers=("RMSprop",))
    assert panel.text.startswith("rosenbrock, lr 0.0001, 10 steps: RMSprop ")


# ----------------------------------------------------------------------------- the exercises against torch

def test_the_value_answers_are_what_torch_computes():
    ex = load("04_optimizers")
    w = torch.tensor([1.0], requires_grad=True)
    sgd = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        sgd.zero_grad()
        (w ** 2).sum().backward()
        sgd.step()
    assert ex.q1.expected == pytest.approx(w.item())
    sgd = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.8)
    scheduler = torch.optim.lr_scheduler.StepLR(sgd, step_size=3, gamma=0.5)
    for _ in range(7):
        sgd.step()
        scheduler.step()
    assert ex.q4.expected == pytest.approx(scheduler.get_last_lr()[0])


@pytest.mark.parametrize("base_lr, T_max, eta_min", [(0.1, 10, 0.0), (1.0, 12, 0.0), (0.1, 8, 0.01), (2.0, 3, 0.5)])
def test_the_cosine_reference_is_what_cosine_annealing_sets(base_lr, T_max, eta_min):
    cosine_lr = run_source(load("04_optimizers").q5.solution_code)["cosine_lr"]
    sgd = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(sgd, T_max=T_max, eta_min=eta_min)
    for step in range(T_max + 1):
        assert cosine_lr(step, base_lr, T_max, eta_min) == pytest.approx(scheduler.get_last_lr()[0], abs=1e-12)
        sgd.step()
        scheduler.step()


def test_the_two_groups_may_come_in_either_order():
    ex = load("04_optimizers")
    reordered = run_source("""net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD([{"params": net[2].parameters(), "lr": 0.1},
                             {"params": net[0].parameters(), "lr": 0.01}], momentum=0.9)""")["optimizer"]
    assert ex.q2.evaluate(reordered).status == "correct"


@pytest.mark.parametrize("decoupled, status", [(True, "correct"), (False, "incorrect")])
def test_adam_with_decoupled_weight_decay_counts_as_adamw(decoupled, status):
    ex = load("04_optimizers")
    adam = run_source(f"""mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
adamw = torch.optim.Adam([{{"params": [p for p in mlp.parameters() if p.ndim > 1], "weight_decay": 0.05}},
                          {{"params": [p for p in mlp.parameters() if p.ndim == 1], "weight_decay": 0.0}}],
                         decoupled_weight_decay={decoupled})""")["adamw"]
    assert ex.q3.evaluate(adam).status == status
