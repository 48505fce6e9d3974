"""Chapter 4, optimizers: readable views of an optimizer, learning-rate schedules,
optimizer trajectories on 2-D loss surfaces (the chapter's widget) and the exercises.

The trajectories are computed with NumPy, following the update rules of ``torch.optim``
step by step (a unit test compares them with ``torch.optim`` itself), because calling
``torch.optim`` a thousand times on a 2-vector is too slow for a slider.

>>> paths = trajectories("quadratic", ["SGD", "Adam"], lr=0.1, steps=50)
>>> paths["SGD"].points.shape
(51, 2)
>>> bool(paths["Adam"].losses[-1] < paths["Adam"].losses[0])
True
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
import torch
from torch import nn

from helpers.checks import finite_number, integer_in_range
from helpers.exercises import (CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion,
                               describe)
from helpers.widgets import Backdrop, Panel

# ----------------------------------------------------------------------------- optimizer views


def group_summary(optimizer: torch.optim.Optimizer, keys: Sequence[str] | None = None) -> list[dict]:
    """The optimizer's ``param_groups``, printable: ``params`` becomes the list of parameter
    shapes, and only ``keys`` are kept (all keys when ``keys`` is None).

    Printing ``param_groups`` itself prints every parameter tensor in full.

    >>> w = torch.zeros(2, 3, requires_grad=True)
    >>> group_summary(torch.optim.SGD([w], lr=0.1), keys=["lr", "momentum"])
    [{'params': [(2, 3)], 'lr': 0.1, 'momentum': 0}]
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if keys is not None:
        if isinstance(keys, str) or not all(isinstance(key, str) for key in keys):
            raise TypeError(f"keys must be a list of str such as ['lr'], got {keys!r}")
        known = set(optimizer.param_groups[0])
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise ValueError(f"keys must be keys of a param group ({sorted(known)}), got {unknown}")
    summary = []
    for group in optimizer.param_groups:
        chosen = [key for key in group if key != "params"] if keys is None else list(keys)
        entry = {"params": [tuple(p.shape) for p in group["params"]]}
        entry.update({key: group[key] for key in chosen if key != "params"})
        summary.append(entry)
    return summary


# ----------------------------------------------------------------------------- schedulers

SCHEDULERS = ("StepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR")


def make_scheduler(name: str, optimizer: torch.optim.Optimizer, steps: int):
    """The scheduler ``name`` for a run of ``steps`` steps, with the settings the chapter uses:
    StepLR halves the lr every quarter of the run, ExponentialLR multiplies it by 0.97 per
    step, CosineAnnealingLR goes to 0 over the run, OneCycleLR starts at the base lr / 25,
    rises to the base lr at 30% of the run and then anneals to almost 0.

    >>> w = torch.zeros(1, requires_grad=True)
    >>> type(make_scheduler("StepLR", torch.optim.SGD([w], lr=0.1), steps=100)).__name__
    'StepLR'
    """
    if name not in SCHEDULERS:
        raise ValueError(f"name must be one of {list(SCHEDULERS)}, got {name!r}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    integer_in_range("steps", steps, 4, 100_000)
    schedulers = torch.optim.lr_scheduler
    if name == "StepLR":
        return schedulers.StepLR(optimizer, step_size=steps // 4, gamma=0.5)
    if name == "ExponentialLR":
        return schedulers.ExponentialLR(optimizer, gamma=0.97)
    if name == "CosineAnnealingLR":
        return schedulers.CosineAnnealingLR(optimizer, T_max=steps)
    return schedulers.OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]["lr"], total_steps=steps)


def lr_schedule(name: str, steps: int = 100, lr: float = 0.1) -> list[float]:
    """The learning rate each of ``steps`` optimizer steps uses under scheduler ``name``
    (see :func:`make_scheduler`), starting from base learning rate ``lr``.

    The loop is the right one: ``optimizer.step()``, then ``scheduler.step()``.

    >>> [round(v, 4) for v in lr_schedule("StepLR", steps=8, lr=1.0)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]
    """
    integer_in_range("steps", steps, 4, 100_000)
    finite_number("lr", lr, strict=True)
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=lr, momentum=0.9)
    scheduler = make_scheduler(name, optimizer, steps)
    used = []
    for _ in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return used


# ----------------------------------------------------------------------------- loss surfaces


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: its function, gradient, start point, plot window and minimum.

    ``value`` works on NumPy arrays and on torch tensors alike.

    >>> SURFACES["rosenbrock"].value(1.0, 1.0)
    0.0
    >>> SURFACES["quadratic"].gradient(1.0, 1.0)
    (0.2, 4.0)
    """

    name: str
    value: Callable
    gradient: Callable
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minimum: tuple[float, float]
    levels: tuple[float, ...]


def _quadratic(x, y):
    return 0.1 * x * x + 2.0 * y * y


def _quadratic_gradient(x, y):
    return 0.2 * x, 4.0 * y


def _rosenbrock(x, y):
    return (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x)


def _rosenbrock_gradient(x, y):
    inner = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * inner, 200.0 * inner


SURFACES = {
    # Curvatures 0.2 and 4: condition number 20, a long narrow valley along x.
    "quadratic": Surface("quadratic", _quadratic, _quadratic_gradient, start=(-4.5, 1.5),
                         xlim=(-5.0, 5.0), ylim=(-2.5, 2.5), minimum=(0.0, 0.0),
                         levels=tuple(np.geomspace(0.01, 30, 14).round(4))),
    "rosenbrock": Surface("rosenbrock", _rosenbrock, _rosenbrock_gradient, start=(-1.2, 1.0),
                          xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minimum=(1.0, 1.0),
                          levels=tuple(np.geomspace(0.05, 2000, 14).round(4))),
}


def get_surface(surface: str | Surface) -> Surface:
    """Look a surface up by name (a :class:`Surface` is returned as is).

    >>> get_surface("quadratic").start
    (-4.5, 1.5)
    """
    if isinstance(surface, Surface):
        return surface
    if not isinstance(surface, str):
        raise TypeError(f"surface must be a name (str) from {list(SURFACES)}, got {type(surface).__name__}")
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {list(SURFACES)}, got {surface!r}")
    return SURFACES[surface]


def contour_grid(surface: str, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``n`` x ``n`` grid ``X, Y, Z`` of the surface over its plot window; computed once
    per surface and cached (the arrays are read-only).

    >>> X, Y, Z = contour_grid("rosenbrock")
    >>> Z.shape, float(Z.min()) >= 0
    ((120, 120), True)
    """
    if not isinstance(surface, str):
        raise TypeError(f"surface must be a name (str) from {list(SURFACES)}, got {type(surface).__name__}")
    get_surface(surface)
    integer_in_range("n", n, 10, 2000)
    return _grid(surface, n)


@functools.lru_cache(maxsize=None)
def _grid(surface: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    spec = SURFACES[surface]
    X, Y = np.meshgrid(np.linspace(*spec.xlim, n), np.linspace(*spec.ylim, n))
    Z = spec.value(X, Y)
    for array in (X, Y, Z):
        array.flags.writeable = False
    return X, Y, Z


# ----------------------------------------------------------------------------- trajectories

OPTIMIZERS = ("SGD", "SGD+momentum", "Adam", "AdamW", "RMSprop")
# Hyperparameters besides lr; torch's defaults, except the momentum of "SGD+momentum".
MOMENTUM = 0.9
BETAS = (0.9, 0.999)
EPS = 1e-8
ADAMW_WEIGHT_DECAY = 0.01
RMSPROP_ALPHA = 0.99
# A coordinate beyond this counts as diverged; the run stops there.
DIVERGENCE_BOUND = 1e6


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer behind each name of :data:`OPTIMIZERS`.

    >>> w = torch.zeros(2, requires_grad=True)
    >>> make_optimizer("SGD+momentum", [w], lr=0.1).defaults["momentum"]
    0.9
    """
    _check_optimizer_name(name, "name")
    finite_number("lr", lr, strict=True)
    params = _check_params(params)
    optim = torch.optim
    if name == "SGD":
        return optim.SGD(params, lr=lr)
    if name == "SGD+momentum":
        return optim.SGD(params, lr=lr, momentum=MOMENTUM)
    if name == "Adam":
        return optim.Adam(params, lr=lr, betas=BETAS, eps=EPS)
    if name == "AdamW":
        return optim.AdamW(params, lr=lr, betas=BETAS, eps=EPS, weight_decay=ADAMW_WEIGHT_DECAY)
    return optim.RMSprop(params, lr=lr, alpha=RMSPROP_ALPHA, eps=EPS)


@dataclass(frozen=True)
class Trajectory:
    """The points an optimizer visits (``points[0]`` is the start), the loss at each point,
    and the step at which it diverged (``None`` if it did not).

    >>> t = trajectory("quadratic", "SGD", lr=0.1, steps=3)
    >>> t.points.shape, t.diverged_at
    ((4, 2), None)
    """

    optimizer: str
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def trajectory(surface: str | Surface, optimizer: str, lr: float, steps: int) -> Trajectory:
    """Run ``optimizer`` (a name from :data:`OPTIMIZERS`) for ``steps`` steps on ``surface``
    from its start point, with NumPy versions of the ``torch.optim`` update rules.

    A run whose coordinates leave ``[-1e6, 1e6]`` stops there and records the step.

    >>> t = trajectory("rosenbrock", "SGD", lr=0.01, steps=50)
    >>> t.diverged_at, len(t.points)
    (4, 4)
    """
    spec = get_surface(surface)
    _check_optimizer_name(optimizer)
    finite_number("lr", lr, strict=True)
    integer_in_range("steps", steps, 0, 100_000)
    # Plain Python floats, one coordinate at a time: for two numbers this is several times
    # faster than NumPy arrays, whose every operation has a fixed overhead.
    p = list(spec.start)
    m = [0.0, 0.0]   # momentum buffer, or Adam's first moment
    v = [0.0, 0.0]   # Adam's second moment, or RMSprop's square average
    beta1, beta2 = BETAS
    points = [tuple(p)]
    diverged_at = None
    for t in range(1, steps + 1):
        g = spec.gradient(p[0], p[1])
        for i in (0, 1):
            if optimizer == "SGD":
                p[i] -= lr * g[i]
            elif optimizer == "SGD+momentum":
                m[i] = g[i] if t == 1 else MOMENTUM * m[i] + g[i]
                p[i] -= lr * m[i]
            elif optimizer in ("Adam", "AdamW"):
                if optimizer == "AdamW":
                    p[i] *= 1 - lr * ADAMW_WEIGHT_DECAY
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                denom = math.sqrt(v[i]) / math.sqrt(1 - beta2 ** t) + EPS
                p[i] -= lr / (1 - beta1 ** t) * m[i] / denom
            else:
                v[i] = RMSPROP_ALPHA * v[i] + (1 - RMSPROP_ALPHA) * g[i] * g[i]
                p[i] -= lr * g[i] / (math.sqrt(v[i]) + EPS)
        # Written so that NaN also counts as diverged.
        if not abs(p[0]) <= DIVERGENCE_BOUND or not abs(p[1]) <= DIVERGENCE_BOUND:
            diverged_at = t
            break
        points.append(tuple(p))
    points = np.array(points)
    losses = spec.value(points[:, 0], points[:, 1])
    return Trajectory(optimizer, points, losses, diverged_at)


def trajectories(surface: str | Surface, optimizers: Sequence[str], lr: float,
                 steps: int) -> dict[str, Trajectory]:
    """:func:`trajectory` for each name in ``optimizers``, in that order.

    >>> list(trajectories("quadratic", ["Adam", "SGD"], lr=0.1, steps=5))
    ['Adam', 'SGD']
    """
    if isinstance(optimizers, str) or not isinstance(optimizers, Sequence):
        raise TypeError(f"optimizers must be a list of names from {list(OPTIMIZERS)}, got {optimizers!r}")
    unknown = [name for name in optimizers if name not in OPTIMIZERS]
    if unknown:
        raise ValueError(f"optimizers must be names from {list(OPTIMIZERS)}, got {unknown!r}")
    # Checked here too, so that an empty list of optimizers does not let bad values through.
    get_surface(surface)
    finite_number("lr", lr, strict=True)
    integer_in_range("steps", steps, 0, 100_000)
    return {name: trajectory(surface, name, lr, steps) for name in optimizers}


def torch_trajectory(surface: str | Surface, optimizer: str, lr: float, steps: int) -> np.ndarray:
    """The same run as :func:`trajectory`, with ``torch.optim`` and autograd in float64:
    the reference the NumPy version is tested against (too slow for a slider).

    >>> fast = trajectory("rosenbrock", "Adam", lr=0.01, steps=20).points
    >>> bool(np.allclose(torch_trajectory("rosenbrock", "Adam", lr=0.01, steps=20), fast))
    True
    """
    spec = get_surface(surface)
    _check_optimizer_name(optimizer)
    finite_number("lr", lr, strict=True)
    integer_in_range("steps", steps, 0, 100_000)
    point = torch.tensor(spec.start, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(optimizer, [point], lr)
    points = [point.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        spec.value(point[0], point[1]).backward()
        opt.step()
        points.append(point.detach().clone())
    return torch.stack(points).numpy()


# ----------------------------------------------------------------------------- the widget

_STYLE = {
    "SGD": dict(color="tab:red"),
    "SGD+momentum": dict(color="tab:orange"),
    "Adam": dict(color="tab:blue"),
    "AdamW": dict(color="tab:cyan", linestyle="--"),
    "RMSprop": dict(color="tab:purple"),
}


def describe_run(paths: dict[str, Trajectory]) -> str:
    """One line: each optimizer's final loss, or the step at which it diverged.

    >>> describe_run(trajectories("quadratic", ["SGD"], lr=0.1, steps=10))
    'SGD 1.35'
    """
    if not isinstance(paths, dict) or not all(isinstance(p, Trajectory) for p in paths.values()):
        raise TypeError("paths must be a dict of name -> Trajectory, as trajectories() returns")
    parts = []
    for name, path in paths.items():
        if path.diverged_at is None:
            parts.append(f"{name} {path.final_loss:.3g}")
        else:
            parts.append(f"{name} diverged at step {path.diverged_at}")
    return " | ".join(parts)


# Where the axes sit in the figure (left, bottom, width, height), the same in the cached
# picture and in the live figure so that the two line up.
_AXES_RECT = (0.09, 0.12, 0.66, 0.8)
_TITLES = {"quadratic": "quadratic  0.1 x² + 2 y²",
           "rosenbrock": "Rosenbrock  (1 - x)² + 100 (y - x²)²"}


class TrajectoryPlot:
    """Draws trajectories on a figure. Text is slow to render (about 2 ms per label here),
    so the contour plot, ticks, labels and legend (all five optimizers) are drawn once per
    surface into a picture (cached); an update draws that picture and the paths on top.

    Call it as ``render(fig, surface, optimizers, lr, steps)``; ``dpi`` must be the dpi the
    figure is saved with.

    >>> from matplotlib.figure import Figure
    >>> plot, fig = TrajectoryPlot(dpi=90), Figure(figsize=(6.4, 4.2))
    >>> plot(fig, "quadratic", ("SGD",), 0.1, 10)
    'quadratic, lr 0.1, 10 steps: SGD 1.35'
    >>> plot.lines["SGD"].get_xdata().shape
    (11,)
    """

    def __init__(self, dpi: int = 90) -> None:
        integer_in_range("dpi", dpi, 10, 600)
        self.dpi = dpi
        self.ax = None
        self.background = None
        self.lines: dict = {}
        self._pictures: dict = {}

    def picture(self, size: tuple[float, float], surface: str) -> np.ndarray:
        """The static part of the figure (RGBA pixels) for ``size`` in inches, cached."""
        key = (tuple(size), surface)
        if key not in self._pictures:
            spec = get_surface(surface)
            fig = Figure(figsize=size, dpi=self.dpi)
            ax = fig.add_axes(_AXES_RECT)
            X, Y, Z = contour_grid(surface)
            ax.contour(X, Y, Z, levels=spec.levels, colors="0.65", linewidths=0.7)
            ax.plot(*spec.start, "ko", markersize=5, label="start")
            ax.plot(*spec.minimum, "k*", markersize=11, label="minimum")
            for name in OPTIMIZERS:
                ax.plot([], [], marker=".", markersize=2.5, linewidth=1.4, label=name, **_STYLE[name])
            # Outside the axes, where no path can cover it.
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
            ax.set(xlim=spec.xlim, ylim=spec.ylim, xlabel="x", ylabel="y")
            ax.set_title(_TITLES[surface], fontsize=10)
            ax.grid(False)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            self._pictures[key] = np.asarray(canvas.buffer_rgba()).copy()
        return self._pictures[key]

    def _setup(self, fig) -> None:
        # The cached picture fixes the layout, so the figure's own layout engine must not move the axes.
        fig.set_layout_engine("none")
        fig.clear()
        self.ax = fig.add_axes(_AXES_RECT)
        self.ax.set_axis_off()
        self.background = Backdrop()
        fig.add_artist(self.background)
        self.lines = {name: self.ax.plot([], [], marker=".", markersize=2.5, linewidth=1.4,
                                         **_STYLE[name])[0] for name in OPTIMIZERS}

    def __call__(self, fig, surface: str, optimizers: Sequence[str], lr: float, steps: int) -> str:
        if not isinstance(fig, Figure):
            raise TypeError(f"fig must be a matplotlib Figure, got {describe(fig)}")
        if isinstance(optimizers, str) or not all(name in OPTIMIZERS for name in optimizers):
            raise ValueError(f"optimizers must be a list of names from {list(OPTIMIZERS)}, got {optimizers!r}")
        chosen = tuple(name for name in OPTIMIZERS if name in optimizers)
        paths = trajectories(surface, chosen, lr, steps)
        if self.ax is None or self.ax.figure is not fig:
            self._setup(fig)
        spec = get_surface(surface)
        self.background.pixels = self.picture(tuple(fig.get_size_inches()), surface)
        self.ax.set_xlim(spec.xlim)
        self.ax.set_ylim(spec.ylim)
        for name, line in self.lines.items():
            line.set_visible(name in paths)
            if name in paths:
                line.set_data(paths[name].points[:, 0], paths[name].points[:, 1])
        summary = describe_run(paths) if paths else "no optimizer chosen"
        return f"{surface}, lr {lr:.3g}, {steps} steps: {summary}"


def trajectory_panel(surface: str = "quadratic", optimizers: Sequence[str] = OPTIMIZERS,
                     lr: float = 0.1, steps: int = 100) -> Panel:
    """The widget: a surface, the optimizers to compare, the learning rate and the steps.

    >>> panel = trajectory_panel(optimizers=("SGD", "Adam"), steps=20)
    >>> panel.text
    'quadratic, lr 0.1, 20 steps: SGD 0.903 | Adam 0.697'
    """
    get_surface(surface)
    if isinstance(optimizers, str) or not all(name in OPTIMIZERS for name in optimizers):
        raise ValueError(f"optimizers must be a list of names from {list(OPTIMIZERS)}, got {optimizers!r}")
    if isinstance(lr, bool) or not (isinstance(lr, numbers.Real) and 1e-4 <= lr <= 1):
        raise ValueError(f"lr must be a number between 0.0001 and 1, got {lr!r}")
    integer_in_range("steps", steps, 10, 500)
    narrow = ipywidgets.Layout(width="250px")
    controls = {
        "surface": ipywidgets.Dropdown(options=list(SURFACES), value=surface, description="surface",
                                       layout=narrow),
        "optimizers": ipywidgets.SelectMultiple(options=list(OPTIMIZERS), value=tuple(optimizers),
                                                rows=len(OPTIMIZERS), description="optimizers",
                                                layout=ipywidgets.Layout(width="230px")),
        "lr": ipywidgets.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.1,
                                        description="lr", readout_format=".2g", layout=narrow),
        "steps": ipywidgets.IntSlider(value=steps, min=10, max=500, step=10, description="steps",
                                      layout=narrow),
    }
    panel = Panel("Optimizer trajectories on a 2-D loss surface", controls, TrajectoryPlot(dpi=90),
                  figsize=(6.4, 4.2), dpi=90)
    # Four controls do not fit in one row on a narrow screen: let the row wrap.
    panel.widget.children[1].layout.flex_flow = "row wrap"
    # Show the figure at its own size: stretched to the output's width, its text blurs.
    panel.image.layout.align_self = "flex-start"
    return panel


def demo_panel() -> Panel:
    """The chapter's main widget as the notebook first shows it.

    >>> demo_panel().controls["optimizers"].value
    ('SGD', 'SGD+momentum', 'Adam', 'AdamW', 'RMSprop')
    """
    return trajectory_panel()


# ----------------------------------------------------------------------------- validation


def _check_optimizer_name(name, argument: str = "optimizer") -> None:
    if name not in OPTIMIZERS:
        raise ValueError(f"{argument} must be one of the optimizer names {list(OPTIMIZERS)}, got {name!r}")


def _check_params(params) -> list:
    """``params`` as the list ``torch.optim`` makes of it, with the errors torch would raise
    deep inside the optimizer turned into ones that name the argument."""
    if isinstance(params, (torch.Tensor, str, bytes)) or not isinstance(params, Iterable):
        raise TypeError("params must be an iterable of tensors or of param-group dicts, such as "
                        f"model.parameters() or [w], got {describe(params)}")
    params = list(params)
    if not params:
        raise ValueError("params must hold at least one tensor, got an empty list")
    for entry in params:
        if isinstance(entry, dict):
            continue  # a param group: torch.optim checks its contents
        if not isinstance(entry, torch.Tensor):
            raise TypeError(f"params must hold tensors or param-group dicts, got {describe(entry)}")
        if not entry.is_leaf:
            raise ValueError("params must hold leaf tensors (made directly, not computed from "
                             "others), got a tensor with a grad_fn")
    return params


# ----------------------------------------------------------------------------- exercises


def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))


def _group_shapes(group) -> list[tuple]:
    return sorted(tuple(p.shape) for p in group["params"])


def _verify_two_groups(optimizer) -> str | None:
    if not isinstance(optimizer, torch.optim.SGD):
        return f"expected a torch.optim.SGD, got {describe(optimizer)}"
    groups = optimizer.param_groups
    if len(groups) != 2:
        return f"expected 2 param groups, got {len(groups)}"
    wanted = [([(8,), (8, 4)], 0.01, "the first"), ([(2,), (2, 8)], 0.1, "the second")]
    for index, (group, (shapes, lr, which)) in enumerate(zip(groups, wanted)):
        if _group_shapes(group) != shapes:
            return (f"group {index} should hold {which} layer's weight and bias "
                    f"(shapes {shapes}), got shapes {_group_shapes(group)}")
        if not math.isclose(group["lr"], lr):
            return f"group {index} should have lr {lr}, got {group['lr']}"
        if not math.isclose(group["momentum"], 0.9):
            return f"group {index} should have momentum 0.9, got {group['momentum']}"
    return None


def _verify_no_decay_on_biases(optimizer) -> str | None:
    if not isinstance(optimizer, torch.optim.AdamW):
        return f"expected a torch.optim.AdamW, got {describe(optimizer)}"
    seen = 0
    for index, group in enumerate(optimizer.param_groups):
        for p in group["params"]:
            seen += 1
            wanted = 0.05 if p.ndim > 1 else 0.0
            if not math.isclose(group["weight_decay"], wanted):
                kind = "weight matrix" if p.ndim > 1 else "bias"
                return (f"a {kind} of shape {list(p.shape)} sits in group {index} with "
                        f"weight_decay {group['weight_decay']}, expected {wanted}")
        if not math.isclose(group["lr"], 0.001):
            return f"group {index} should have AdamW's default lr 0.001, got {group['lr']}"
    if seen != 6:
        return f"expected all 6 parameters of the MLP (3 weights, 3 biases), found {seen}"
    return None


def _cosine_lr_reference(step, base_lr, T_max):
    return base_lr * (1 + math.cos(math.pi * step / T_max)) / 2


def _cosine_cases():
    return [(0, 0.1, 10), (5, 0.1, 10), (3, 1.0, 12), (10, 0.5, 10), (7, 0.02, 50)]


QUESTIONS = [
    ValueQuestion(
        """
        `w = torch.tensor([1.0], requires_grad=True)` is trained with
        `torch.optim.SGD([w], lr=0.1, momentum=0.9)` on the loss `(w ** 2).sum()`.
        What is `w` after two steps (zero the gradient, backward, step, twice)?
        Assign the number to `w_after`.
        """,
        answer_name="w_after",
        expected=0.46,
        hint="The gradient of w**2 is 2w. The first step's buffer is the gradient itself; the "
             "second is 0.9 * buffer + gradient; each step subtracts lr * buffer.",
        solution="""
        w = torch.tensor([1.0], requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(2):
            optimizer.zero_grad()
            (w ** 2).sum().backward()
            optimizer.step()
        w_after = w.item()  # 1 - 0.1*2 = 0.8, then 0.8 - 0.1*(0.9*2 + 1.6) = 0.46
        """,
    ),
    CodeQuestion(
        """
        Build `net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))` and an SGD
        optimizer `optimizer` with momentum 0.9 and two parameter groups: the first layer
        with lr 0.01, the last layer with lr 0.1.
        """,
        answer_name="optimizer",
        verify=_verify_two_groups,
        hint="Pass a list of two dicts: `{'params': net[0].parameters(), 'lr': 0.01}` and one "
             "for `net[2]`; `momentum=0.9` as a keyword applies to both groups.",
        solution="""
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        optimizer = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.01},
                                     {"params": net[2].parameters(), "lr": 0.1}], momentum=0.9)
        """,
    ),
    CodeQuestion(
        """
        Build `mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
        nn.Linear(8, 2))` and an AdamW optimizer `adamw` over all its parameters with the
        default lr, weight decay 0.05 on the weight matrices and no weight decay on the biases.
        """,
        answer_name="adamw",
        verify=_verify_no_decay_on_biases,
        hint="Split `mlp.parameters()` by `p.ndim > 1` into two lists and give each its own "
             "group with its own `weight_decay`.",
        solution="""
        mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        decay = [p for p in mlp.parameters() if p.ndim > 1]
        no_decay = [p for p in mlp.parameters() if p.ndim <= 1]
        adamw = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                                   {"params": no_decay, "weight_decay": 0.0}])
        """,
    ),
    ValueQuestion(
        """
        An optimizer starts with lr 0.8 and is scheduled by
        `torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)`. After seven
        rounds of `optimizer.step(); scheduler.step()`, what is the learning rate
        (`scheduler.get_last_lr()[0]`)? Assign it to `lr_after`.
        """,
        answer_name="lr_after",
        expected=0.2,
        hint="StepLR multiplies by gamma once every step_size scheduler steps: "
             "lr = 0.8 * 0.5 ** (7 // 3).",
        solution="""
        w = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.8)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        for _ in range(7):
            optimizer.step()
            scheduler.step()
        lr_after = scheduler.get_last_lr()[0]  # 0.8 * 0.5 ** 2
        """,
    ),
    FunctionQuestion(
        """
        Write `cosine_lr(step, base_lr, T_max)` returning the learning rate that
        `CosineAnnealingLR(optimizer, T_max)` (with `eta_min=0`) gives after `step` scheduler
        steps, for `0 <= step <= T_max`, as a float.
        """,
        answer_name="cosine_lr",
        reference=_cosine_lr_reference,
        cases=_cosine_cases,
        hint="Half a cosine period from base_lr down to 0: base_lr * (1 + cos(pi * step / T_max)) / 2.",
        solution="""
        import math

        def cosine_lr(step, base_lr, T_max):
            return base_lr * (1 + math.cos(math.pi * step / T_max)) / 2
        """,
    ),
    ThoughtQuestion(
        """
        With `lr=1`, Adam moved every entry of the weight by almost exactly 1 on its first
        step, whatever the size of the gradient. Why? What does that mean for choosing Adam's
        learning rate, compared with SGD's?
        """,
        answer_name="thoughts",
        hint="Write the first step with the bias corrections: m_hat and v_hat after one step.",
        solution="""
        After one step the bias-corrected moments are m_hat = g and v_hat = g**2, so the update
        is lr * g / (|g| + eps) = lr * sign(g), up to eps: the gradient's size cancels, and
        every entry moves by lr (a gradient much smaller than eps moves less). Later steps
        divide a running mean of g by a running root mean square of g, which stays of order
        one, so Adam's lr is roughly the size of a step in parameter units, the same whatever
        the scale of the loss. SGD's step is lr * g, so its good lr depends on the scale of
        the gradients (the curvature of the loss), and must be re-tuned when that changes.
        """,
    ),
]
