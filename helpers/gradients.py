"""Chapter 6, autograd: derivatives checked three ways, the recorded graph, its memory, and a widget.

>>> t = tangent_at("sin", 0.0, h=1e-3)
>>> round(t.derivative, 4), round(t.estimate, 4)
(1.0, 1.0)
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> print_graph((x * x).sum(), names={"x": x})
SumBackward0
└── MulBackward0
    ├── AccumulateGrad x [2]
    └── AccumulateGrad x [2]
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from typing import Callable, Mapping

import ipywidgets
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from helpers.exercises import (CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion,
                               describe)
from helpers.widgets import Panel

#: The functions the tangent widget offers, by the name its dropdown shows.
FUNCTIONS = ("sin", "x^3", "tanh", "softplus", "mlp")

_FORMULAS = {
    "sin": "sin(x)",
    "x^3": "x³",
    "tanh": "tanh(x)",
    "softplus": "softplus(x) = log(1 + eˣ)",
    "mlp": "MLP 1-16-1 with tanh, seed 3",
}

#: The seed of the small MLP in :data:`FUNCTIONS`, so its curve is the same everywhere.
MLP_SEED = 3


# ----------------------------------------------------------------------------- derivatives

def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _check_step(h) -> float:
    h = _check_real(h, "h")
    if not 0 < h <= 10:
        raise ValueError(f"h must be a step size in (0, 10], got {h!r}")
    return h


@functools.lru_cache(maxsize=1)
def _mlp() -> nn.Module:
    # fork_rng keeps the caller's random stream untouched, so opening the widget
    # does not change the numbers a notebook prints after it.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(MLP_SEED)
        net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)).double()
    net.requires_grad_(False)
    return net


def _apply_mlp(x: torch.Tensor) -> torch.Tensor:
    return _mlp()(x.reshape(-1, 1)).reshape(x.shape)


def _cube(x: torch.Tensor) -> torch.Tensor:
    return x * x * x


_CALLABLES = {"sin": torch.sin, "x^3": _cube, "tanh": torch.tanh, "softplus": F.softplus,
              "mlp": _apply_mlp}


def get_function(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The elementwise function called ``name`` (one of :data:`FUNCTIONS`), for float64 tensors.

    >>> get_function("x^3")(torch.tensor([2.0], dtype=torch.float64))
    tensor([8.], dtype=torch.float64)
    """
    return _lookup(name, "name")


def _lookup(name, argument: str) -> Callable[[torch.Tensor], torch.Tensor]:
    # ``argument`` is the caller's parameter, so that the message names what the caller passed.
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be a function name (str), one of {list(FUNCTIONS)}, "
                        f"got {type(name).__name__}")
    if name not in _CALLABLES:
        raise ValueError(f"{argument} must be one of the function names {list(FUNCTIONS)}, got {name!r}")
    return _CALLABLES[name]


def _resolve(fn) -> Callable[[torch.Tensor], torch.Tensor]:
    if isinstance(fn, str):
        return _lookup(fn, "fn")
    if not callable(fn):
        raise TypeError(f"fn must be a function of a tensor or one of {list(FUNCTIONS)}, "
                        f"got {type(fn).__name__}")
    return fn


def _check_output(fn_output, inputs: torch.Tensor) -> torch.Tensor:
    """``fn``'s result for ``inputs`` must be a tensor of the same shape (``fn`` is elementwise)."""
    if not isinstance(fn_output, torch.Tensor):
        raise TypeError(f"fn must return a torch.Tensor, got {describe(fn_output)}")
    if fn_output.shape != inputs.shape:
        raise ValueError(f"fn must be elementwise: for an input of shape {list(inputs.shape)} it must "
                         f"return the same shape, got {list(fn_output.shape)}")
    return fn_output


def autograd_derivative(fn, x: float) -> float:
    """f'(x) computed by autograd in float64; ``fn`` is a function of a tensor or a name.

    >>> autograd_derivative("x^3", 2.0)
    12.0
    """
    fn = _resolve(fn)
    point = torch.tensor(_check_real(x, "x"), dtype=torch.float64, requires_grad=True)
    value = _check_output(fn(point), point)
    if value.grad_fn is None:
        raise ValueError("fn must compute its result from its input with torch operations, but the "
                         "result has no grad_fn (fn detached it, made a new tensor, or ran under "
                         "torch.no_grad()): autograd cannot follow it back to x")
    (slope,) = torch.autograd.grad(value, point)
    return slope.item()


def finite_difference(fn, x: float, h: float = 1e-5) -> float:
    """Central difference (f(x + h) - f(x - h)) / 2h in float64; no autograd involved.

    >>> round(finite_difference("x^3", 2.0, h=0.1), 6)
    12.01
    """
    fn = _resolve(fn)
    x, h = _check_real(x, "x"), _check_step(h)
    points = torch.tensor([x + h, x - h], dtype=torch.float64)
    with torch.no_grad():
        right, left = _check_output(fn(points), points).tolist()
    return (right - left) / (2 * h)


@dataclass(frozen=True)
class Tangent:
    """A function's value and slope at ``x``, by autograd and by a central difference of step ``h``.

    Made by :func:`tangent_at`; ``left`` and ``right`` are f(x - h) and f(x + h).

    >>> t = tangent_at("x^3", 1.0, h=0.5)
    >>> t.derivative, t.estimate, t.error
    (3.0, 3.25, 0.25)
    >>> t.line([0.0, 2.0]).tolist(), t.secant([0.5, 1.5]).tolist()
    ([-2.0, 4.0], [0.125, 3.375])
    """

    function: str
    x: float
    h: float
    value: float
    derivative: float
    estimate: float
    left: float
    right: float

    @property
    def error(self) -> float:
        """How far the finite-difference estimate is from the autograd derivative."""
        return abs(self.estimate - self.derivative)

    def line(self, xs: np.ndarray) -> np.ndarray:
        """The tangent line's heights at ``xs``."""
        return self.value + self.derivative * (np.asarray(xs, dtype=float) - self.x)

    def secant(self, xs: np.ndarray) -> np.ndarray:
        """The line through (x - h, f(x - h)) and (x + h, f(x + h)) at ``xs``."""
        return self.left + self.estimate * (np.asarray(xs, dtype=float) - (self.x - self.h))

    def __str__(self) -> str:
        return (f"{self.function} at x = {self.x:.2f}: f(x) = {self.value:.4f}, "
                f"autograd f'(x) = {self.derivative:.6f}, finite difference (h = {self.h:.0e}) = "
                f"{self.estimate:.6f}, difference {self.error:.1e}")


def tangent_at(function: str, x: float, h: float = 1e-2) -> Tangent:
    """Everything the tangent widget shows for ``function`` (a name in :data:`FUNCTIONS`) at ``x``.

    >>> print(tangent_at("x^3", 1.0, h=0.1))
    x^3 at x = 1.00: f(x) = 1.0000, autograd f'(x) = 3.000000, finite difference (h = 1e-01) = 3.010000, difference 1.0e-02
    """
    fn = _lookup(function, "function")
    x, h = _check_real(x, "x"), _check_step(h)
    point = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = fn(point)
    (slope,) = torch.autograd.grad(value, point)
    with torch.no_grad():
        right, left = fn(torch.tensor([x + h, x - h], dtype=torch.float64)).tolist()
    return Tangent(function, x, h, value.item(), slope.item(), (right - left) / (2 * h), left, right)


def function_curve(function: str, lo: float = -3.0, hi: float = 3.0,
                   num: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """Points ``(xs, ys)`` of ``function`` on ``num`` evenly spaced xs from ``lo`` to ``hi``.

    >>> xs, ys = function_curve("x^3", -1.0, 1.0, num=3)
    >>> xs.tolist(), ys.tolist()
    ([-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0])
    """
    fn = _lookup(function, "function")
    lo, hi = _check_real(lo, "lo"), _check_real(hi, "hi")
    if not lo < hi:
        raise ValueError(f"lo must be smaller than hi, got lo={lo!r} and hi={hi!r}")
    if isinstance(num, bool) or not isinstance(num, int) or not 2 <= num <= 100_000:
        raise ValueError(f"num must be an int between 2 and 100000, got {num!r}")
    xs = torch.linspace(lo, hi, num, dtype=torch.float64)
    with torch.no_grad():
        ys = fn(xs)
    return xs.numpy(), ys.numpy()


def derivative_curves(fn, xs: torch.Tensor, order: int = 2) -> list[torch.Tensor]:
    """``[f(xs), f'(xs), ..., f^(order)(xs)]`` for an elementwise ``fn``, by repeated
    ``torch.autograd.grad`` with ``create_graph=True``. Results are detached.

    >>> f, d1, d2 = derivative_curves(torch.sin, torch.zeros(1))
    >>> f.item(), d1.item(), d2.item()
    (0.0, 1.0, -0.0)
    """
    fn = _resolve(fn)
    if not isinstance(xs, torch.Tensor) or not xs.is_floating_point():
        raise TypeError(f"xs must be a floating-point torch.Tensor, got {describe(xs)}")
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 5:
        raise ValueError(f"order must be an int between 0 and 5, got {order!r}")
    point = xs.detach().clone().requires_grad_(True)
    current = _check_output(fn(point), point)
    curves = [current]
    for _ in range(order):
        derivative = None
        if current.requires_grad:
            # Summing is fine because fn is elementwise: d(sum f)/dx_i = f'(x_i).
            (derivative,) = torch.autograd.grad(current.sum(), point, create_graph=True,
                                                allow_unused=True)
        # None means the previous derivative no longer depends on x: a constant.
        current = torch.zeros_like(point) if derivative is None else derivative
        curves.append(current)
    return [curve.detach() for curve in curves]


# ----------------------------------------------------------------------------- the graph

def _parameter_names(names) -> dict[int, str]:
    if names is None:
        return {}
    if isinstance(names, nn.Module):
        names = dict(names.named_parameters())
    if not isinstance(names, Mapping):
        raise TypeError(f"names must be a module or a dict of name -> tensor, got {type(names).__name__}")
    table = {}
    for name, tensor in names.items():
        if not isinstance(name, str) or not isinstance(tensor, torch.Tensor):
            raise TypeError("names must map str names to tensors, got an entry "
                            f"{describe(name)} -> {describe(tensor)}")
        table[id(tensor)] = name
    return table


def graph_lines(output: torch.Tensor, names=None, max_depth: int = 40) -> list[str]:
    """The backward graph behind ``output`` as the lines of an indented tree.

    Each node is a backward function (``AddmmBackward0``, ``ReluBackward0``...); its children
    are its ``next_functions``. A leaf that needs a gradient is an ``AccumulateGrad`` node,
    shown with the leaf's name (looked up in ``names``: a module or a dict of name -> tensor)
    and shape. ``None`` marks an input that needs no gradient. A node reached a second way
    is not expanded again.

    >>> graph_lines(torch.tensor(2.0, requires_grad=True) * 3)
    ['MulBackward0', '├── AccumulateGrad leaf []', '└── None (needs no gradient)']
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"output must be a torch.Tensor, got {describe(output)}")
    if output.grad_fn is None:
        raise ValueError("output must be the result of a recorded computation, but it has no "
                         "grad_fn (a leaf, a detached tensor, or computed under no_grad)")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or not 1 <= max_depth <= 1000:
        raise ValueError(f"max_depth must be an int between 1 and 1000, got {max_depth!r}")
    table = _parameter_names(names)
    lines: list[str] = []
    # Holding every visited node keeps its Python object alive, so id() stays unique.
    visited: list = []
    expanded: set[int] = set()

    def label(node) -> str:
        if node is None:
            return "None (needs no gradient)"
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            return f"{type(node).__name__} {table.get(id(variable), 'leaf')} {list(variable.shape)}"
        return type(node).__name__

    def walk(node, prefix: str, depth: int) -> None:
        children = [child for child, _ in (node.next_functions if node is not None else ())]
        if not children:
            return
        if depth >= max_depth:
            lines.append(f"{prefix}└── ...")
            return
        for index, child in enumerate(children):
            last = index == len(children) - 1
            branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
            repeated = child is not None and id(child) in expanded and child.next_functions
            lines.append(prefix + branch + label(child) + (" (shared, expanded above)" if repeated else ""))
            if child is not None and not repeated:
                visited.append(child)
                expanded.add(id(child))
                walk(child, prefix + extend, depth + 1)

    root = output.grad_fn
    visited.append(root)
    expanded.add(id(root))
    lines.append(label(root))
    walk(root, "", 1)
    return lines


def print_graph(output: torch.Tensor, names=None, max_depth: int = 40) -> None:
    """Print :func:`graph_lines` of ``output``, one node per line.

    >>> w = torch.ones(2, requires_grad=True)
    >>> print_graph(torch.tanh(w).sum(), names={"w": w})
    SumBackward0
    └── TanhBackward0
        └── AccumulateGrad w [2]
    """
    print("\n".join(graph_lines(output, names, max_depth)))


# ----------------------------------------------------------------------------- memory

_MB = 1_000_000


@dataclass(frozen=True)
class SavedMemory:
    """What autograd saved for the backward pass during one call, counted by storage.

    ``tensors`` counts every tensor handed to autograd to keep; ``storages`` the distinct
    memory blocks behind them (a weight and its transpose share one). Bytes are split into
    parameters (and buffers) of the model, the call's inputs, and the rest: activations,
    the extra memory that exists only because a backward pass may follow.

    >>> saved = SavedMemory(tensors=3, storages=2, total_bytes=3_000_000, parameter_bytes=0,
    ...                     input_bytes=1_000_000)
    >>> saved.activation_bytes
    2000000
    """

    tensors: int
    storages: int
    total_bytes: int
    parameter_bytes: int
    input_bytes: int

    @property
    def activation_bytes(self) -> int:
        return self.total_bytes - self.parameter_bytes - self.input_bytes

    def __str__(self) -> str:
        return (f"{self.tensors} saved tensors in {self.storages} storages: "
                f"{self.total_bytes / _MB:.2f} MB (parameters {self.parameter_bytes / _MB:.2f} MB, "
                f"inputs {self.input_bytes / _MB:.2f} MB, activations {self.activation_bytes / _MB:.2f} MB)")


def saved_memory(fn: Callable, *inputs: torch.Tensor) -> SavedMemory:
    """Run ``fn(*inputs)`` once and measure the tensors autograd saves for backward.

    The count uses ``torch.autograd.graph.saved_tensors_hooks`` and the sizes of the
    saved tensors' storages (numel times element size, each storage once), so it is the
    same on every machine, unlike the process's resident memory. Under ``torch.no_grad()``
    nothing is saved. When ``fn`` is a module, its parameters and buffers are told apart.

    >>> layer = nn.Linear(1000, 1000)
    >>> print(saved_memory(nn.Sequential(layer, nn.ReLU()), torch.ones(250, 1000)))
    2 saved tensors in 2 storages: 2.00 MB (parameters 0.00 MB, inputs 1.00 MB, activations 1.00 MB)
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable (a module or a function), got {describe(fn)}")
    for index, tensor in enumerate(inputs):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"inputs[{index}] must be a torch.Tensor, got {describe(tensor)}")
    sizes: dict[int, int] = {}
    kept: list[torch.Tensor] = []
    count = 0

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        nonlocal count
        count += 1
        storage = tensor.untyped_storage()
        sizes.setdefault(storage.data_ptr(), storage.nbytes())
        kept.append(tensor)  # alive until the count is done, so no address is reused
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        output = fn(*inputs)

    def owned(tensors) -> int:
        pointers = {t.untyped_storage().data_ptr() for t in tensors}
        return sum(size for pointer, size in sizes.items() if pointer in pointers)

    model_tensors = [*fn.parameters(), *fn.buffers()] if isinstance(fn, nn.Module) else []
    result = SavedMemory(count, len(sizes), sum(sizes.values()), owned(model_tensors), owned(inputs))
    del output, kept
    return result


def gradient_status(model: nn.Module) -> dict[str, float | None]:
    """Each parameter's name mapped to ``None`` (no gradient) or its gradient's norm, rounded.

    >>> layer = nn.Linear(2, 1)
    >>> _ = layer.bias.requires_grad_(False)
    >>> layer(torch.ones(1, 2)).sum().backward()
    >>> gradient_status(layer)
    {'weight': 1.4142, 'bias': None}
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    return {name: None if p.grad is None else round(p.grad.norm().item(), 4)
            for name, p in model.named_parameters()}


# ----------------------------------------------------------------------------- widget

def _tangent_axes(fig):
    # Fixed margins instead of the panel's constrained layout: the layout solver would
    # measure every tick label on each redraw, a third of the update time.
    fig.set_layout_engine("none")
    ax = fig.add_axes((0.1, 0.14, 0.87, 0.76))
    ax.plot([], [], color="C0", lw=2, gid="curve", label="f(x)")
    ax.plot([], [], color="C3", lw=1.5, gid="tangent", label="tangent, slope by autograd")
    ax.plot([], [], color="C2", lw=1.2, ls="--", gid="secant", label="secant through x ± h")
    ax.plot([], [], "o", color="C3", ms=6, gid="point")
    ax.plot([], [], "o", color="C2", ms=4, gid="ends")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    # Tick labels are most of the drawing time; six per axis are plenty here.
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    return ax


def draw_tangent(fig, function: str, x: float, h: float) -> str:
    """Draw ``function``, its tangent at ``x`` and the secant of step ``h`` on ``fig``;
    return the :class:`Tangent` as a line of text. Axes and lines are made on the first call
    and updated afterwards.

    >>> from matplotlib.figure import Figure
    >>> draw_tangent(Figure(), "tanh", 0.0, 0.5).split(",")[1]
    " autograd f'(x) = 1.000000"
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {describe(fig)}")
    tangent = tangent_at(function, x, h)
    xs, ys = function_curve(function)
    ax = fig.axes[0] if fig.axes else _tangent_axes(fig)
    lines = {line.get_gid(): line for line in ax.lines}
    lines["curve"].set_data(xs, ys)
    lines["curve"].set_label(f"f(x) = {_FORMULAS[function]}")
    lines["tangent"].set_data(xs, tangent.line(xs))
    lines["secant"].set_data(xs, tangent.secant(xs))
    lines["point"].set_data([tangent.x], [tangent.value])
    lines["ends"].set_data([tangent.x - tangent.h, tangent.x + tangent.h], [tangent.left, tangent.right])
    low, high = float(ys.min()), float(ys.max())
    pad = 0.1 * (high - low) or 0.5
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(low - pad, high + pad)
    ax.set_title(f"slope at x = {tangent.x:.2f}: autograd {tangent.derivative:.4f}, "
                 f"finite difference {tangent.estimate:.4f}", fontsize=10)
    # A fixed corner: every offered function is low at the left edge, and "best" costs a search.
    ax.legend(loc="upper left", fontsize=8)
    return str(tangent)


def tangent_explorer(function: str = "sin", x: float = 1.0, h: float = 1e-2) -> Panel:
    """Pick a function, a point ``x`` and a finite-difference step ``h``; see the tangent
    (slope from autograd) and the secant (slope from the difference quotient).

    >>> panel = tangent_explorer("x^3", 1.0, 0.1)
    >>> panel.set(x=2.0); panel.text.split(",")[1]
    " autograd f'(x) = 12.000000"
    """
    _lookup(function, "function")
    x, h = _check_real(x, "x"), _check_step(h)
    if not -3 <= x <= 3:
        raise ValueError(f"x must be between -3 and 3, got {x!r}")
    if not 1e-6 <= h <= 1:
        raise ValueError(f"h must be between 1e-6 and 1, got {h!r}")
    controls = {
        "function": ipywidgets.Dropdown(options=list(FUNCTIONS), value=function, description="f"),
        "x": ipywidgets.FloatSlider(value=x, min=-3, max=3, step=0.05, description="x",
                                    continuous_update=False),
        "h": ipywidgets.FloatLogSlider(value=h, base=10, min=-6, max=0, step=0.25, description="h",
                                       readout_format=".0e", continuous_update=False),
    }
    return Panel("Tangent and finite difference", controls, draw_tangent, figsize=(6.0, 3.6))


def demo_panel() -> Panel:
    """The chapter's main widget, as the notebook shows it (sin at x = 1, h = 0.01).

    >>> demo_panel().text.split(":")[0]
    'sin at x = 1.00'
    """
    return tangent_explorer()


# ----------------------------------------------------------------------------- exercises

def _second_derivative_reference(f, x):
    return derivative_curves(f, x, order=2)[2]


def _second_derivative_cases():
    def cube(x):
        return x ** 3

    def wave(x):
        return torch.sin(2 * x) * torch.exp(-x)

    return [
        (torch.sin, torch.tensor(0.5, dtype=torch.float64)),
        (cube, torch.tensor(2.0, dtype=torch.float64)),
        (torch.tanh, torch.tensor([-1.0, 0.0, 1.5], dtype=torch.float64)),
        (wave, torch.linspace(-1, 1, 5, dtype=torch.float64)),
    ]


def _layers_of_frozen_mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))


def _verify_freeze_middle(fn) -> str | None:
    if not callable(fn) or isinstance(fn, type):
        return f"expected a function freeze_middle(net), got {describe(fn)}"
    net = _layers_of_frozen_mlp()
    before = [p.detach().clone() for p in net.parameters()]
    returned = fn(net)
    if returned is not None and returned is not net:
        return f"freeze_middle should change net in place and return it (or None), got {describe(returned)}"
    flags = {name: p.requires_grad for name, p in net.named_parameters()}
    if any(flags[name] for name in ("2.weight", "2.bias")):
        return "the middle layer net[2] still has requires_grad=True"
    wrongly_frozen = [name for name, flag in flags.items() if not flag and not name.startswith("2.")]
    if wrongly_frozen:
        return f"only net[2] should be frozen, but {wrongly_frozen} were frozen too"
    if any(not torch.equal(a, b) for a, b in zip(before, net.parameters())):
        return "freezing must not change any parameter's values"
    net(torch.ones(3, 4)).sum().backward()
    status = gradient_status(net)
    if status["0.weight"] is None:
        return ("net[0] got no gradient: freeze with requires_grad_(False), "
                "not by running part of the forward pass under no_grad")
    return None


QUESTIONS = [
    ValueQuestion(
        """
        For `x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)` and
        `y = (x * torch.exp(x)).sum()`, what is `x.grad` after `y.backward()`?
        Assign the gradient tensor to `grad`.
        """,
        answer_name="grad",
        expected=torch.tensor([1.0, 2 * math.e, 3 * math.e ** 2]),
        hint="Run the three lines, or use the product rule: d/dx (x eˣ) = (1 + x) eˣ.",
        solution="""
        x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
        y = (x * torch.exp(x)).sum()
        y.backward()
        grad = x.grad  # (1 + x) * exp(x)
        """,
    ),
    ValueQuestion(
        """
        With `x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)`, `y = x * x`,
        `u = y.detach()` and `z = u * x + y`, what is `x.grad` after `z.sum().backward()`?
        Assign it to `grad_z`.
        """,
        answer_name="grad_z",
        expected=torch.tensor([3.0, 8.0, 15.0]),
        hint="u is a constant for autograd, so d(u * x)/dx = u, while y = x * x still "
             "contributes 2x.",
        solution="""
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        u = y.detach()
        z = u * x + y
        z.sum().backward()
        grad_z = x.grad  # u + 2x = x**2 + 2x
        """,
    ),
    FunctionQuestion(
        """
        Write `second_derivative(f, x)` that returns f''(x) for an elementwise function `f`
        and a float64 tensor `x` (any shape), using autograd with `create_graph=True`.
        """,
        answer_name="second_derivative",
        reference=_second_derivative_reference,
        cases=_second_derivative_cases,
        hint="Make a leaf with `x = x.detach().requires_grad_()`, take "
             "`torch.autograd.grad(f(x).sum(), x, create_graph=True)`, then differentiate "
             "the sum of that first derivative once more.",
        solution="""
        def second_derivative(f, x):
            x = x.detach().requires_grad_()
            (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
            (second,) = torch.autograd.grad(first.sum(), x)
            return second
        """,
    ),
    ValueQuestion(
        """
        `net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))`.
        After `net[2].requires_grad_(False)` and `net(torch.ones(3, 4)).sum().backward()`,
        which parameters have a `.grad` that is not `None`? Assign a set of their names
        (as `named_parameters()` gives them) to `with_grad`.
        """,
        answer_name="with_grad",
        expected={"0.weight", "0.bias", "4.weight", "4.bias"},
        hint="A frozen layer gets no gradient of its own, but the gradient still flows "
             "through it to the layers before it.",
        solution="""
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
        net[2].requires_grad_(False)
        net(torch.ones(3, 4)).sum().backward()
        with_grad = {name for name, p in net.named_parameters() if p.grad is not None}
        """,
    ),
    CodeQuestion(
        """
        Write `freeze_middle(net)` that freezes only the middle `Linear` layer `net[2]` of a
        net like the one in the previous question, the right way, so that it keeps its
        values and gets no gradient, while `net[0]` and `net[4]` still train.
        """,
        answer_name="freeze_middle",
        verify=_verify_freeze_middle,
        hint="`requires_grad_(False)` on a module sets the flag on all of its parameters.",
        solution="""
        def freeze_middle(net):
            net[2].requires_grad_(False)
            return net
        """,
    ),
    ThoughtQuestion(
        """
        `y = x * x` for a vector `x` with `requires_grad=True`. Why does `y.backward()` fail
        with "grad can be implicitly created only for scalar outputs", and what does the
        `gradient=` argument (or `y.sum()`) supply?
        """,
        answer_name="thoughts",
        hint="What is the derivative of a vector with respect to a vector, and what does "
             "backward compute from it?",
        solution="""
        The derivative of a vector y with respect to a vector x is a whole Jacobian matrix,
        and x.grad has only the shape of x. Backward never builds the Jacobian: it computes a
        vector-Jacobian product v^T J, starting from a v that has the shape of y. For a scalar
        output v = 1 is the obvious choice, so PyTorch fills it in; for a vector there is no
        obvious choice, so you must pass it: y.backward(gradient=v). With v all ones you get
        the gradient of y.sum(), the usual choice when y holds per-example losses; other v
        weight the outputs differently (v = e_i gives the gradient of y_i alone).
        """,
    ),
]
