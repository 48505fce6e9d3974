"""Chapter 2, parameter initialization: initializers, layer-by-layer statistics, the widget.

The central function is :func:`layer_stats`: it builds a deep MLP with one of the
initialization schemes in :data:`SCHEMES`, runs one minibatch forward and one backward
pass, and returns the standard deviation of every layer's activations and of the
gradient that reaches them. The chapter's figures and its widget only draw what it returns.

>>> stats = layer_stats(depth=3, width=16, activation="relu", scheme="kaiming")
>>> stats["layer"]
[1, 2, 3]
>>> len(stats["activation_std"]), len(stats["gradient_std"])
(3, 3)
"""

from __future__ import annotations

import math
import numbers
from collections import OrderedDict
from typing import Mapping, Sequence

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator
from torch import nn

from helpers.checks import integer_in_range
from helpers.exercises import (CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion,
                               describe)
from helpers.plots import Histogram, histogram
from helpers.widgets import Panel

#: Initialization schemes for the weights of a ``Linear`` layer, by name.
SCHEMES = ("normal 0.01", "normal 1", "xavier", "kaiming", "default")
#: Activation functions of the MLP built by :func:`make_mlp`.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")
#: Widths and largest depth offered by the widget: its costliest update, 50 layers of width
#: 256, stays under 100 ms.
WIDTHS = (16, 32, 64, 128, 256)
MAX_WIDGET_DEPTH = 50

_ACTIVATION_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
                       "identity": nn.Identity}


def _check_choice(name: str, value, choices: Sequence[str]) -> None:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def _check_weight(weight) -> None:
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.dim() != 2 or weight.numel() == 0:
        raise ValueError(f"weight must be a non-empty 2-D tensor (out_features, in_features), "
                         f"got shape {list(weight.shape)}")
    if not weight.is_floating_point():
        raise TypeError(f"weight must be a floating-point tensor, got dtype {weight.dtype}")


def init_weight(weight: torch.Tensor, scheme: str, *,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """Fill the 2-D ``weight`` of a ``Linear`` layer in place with ``scheme``; return it.

    ``"normal 0.01"`` and ``"normal 1"`` draw from N(0, std²); ``"xavier"`` is
    ``nn.init.xavier_uniform_``; ``"kaiming"`` is ``nn.init.kaiming_normal_`` for ReLU;
    ``"default"`` is what ``nn.Linear`` itself does (``kaiming_uniform_`` with ``a=sqrt(5)``).

    >>> w = init_weight(torch.empty(3, 4), "normal 1", generator=torch.Generator().manual_seed(0))
    >>> w.shape
    torch.Size([3, 4])
    >>> float(init_weight(torch.empty(2, 2), "xavier").abs().max()) <= math.sqrt(6 / 4)
    True
    """
    _check_weight(weight)
    _check_choice("scheme", scheme, SCHEMES)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    if scheme == "normal 0.01":
        return nn.init.normal_(weight, 0.0, 0.01, generator=generator)
    if scheme == "normal 1":
        return nn.init.normal_(weight, 0.0, 1.0, generator=generator)
    if scheme == "xavier":
        return nn.init.xavier_uniform_(weight, generator=generator)
    if scheme == "kaiming":
        return nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
    return nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)


def expected_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation that ``scheme`` gives the weights of a ``Linear(fan_in, fan_out)``.

    >>> round(expected_std("kaiming", 256, 256), 4)   # sqrt(2 / fan_in)
    0.0884
    >>> round(expected_std("xavier", 256, 64), 4)     # sqrt(2 / (fan_in + fan_out))
    0.0791
    """
    _check_choice("scheme", scheme, SCHEMES)
    integer_in_range("fan_in", fan_in, 1, 10**7)
    integer_in_range("fan_out", fan_out, 1, 10**7)
    return {
        "normal 0.01": 0.01,
        "normal 1": 1.0,
        "xavier": math.sqrt(2 / (fan_in + fan_out)),
        "kaiming": math.sqrt(2 / fan_in),
        "default": 1 / math.sqrt(3 * fan_in),
    }[scheme]


def _check_mlp(depth, width, activation, scheme, seed) -> None:
    integer_in_range("depth", depth, 1, 200)
    integer_in_range("width", width, 1, 2048)
    _check_choice("activation", activation, ACTIVATIONS)
    _check_choice("scheme", scheme, SCHEMES)
    integer_in_range("seed", seed, 0, 2**32 - 1)


def _family_and_scale(scheme: str, width: int) -> tuple[str, float]:
    """``scheme`` for a square ``Linear(width, width)`` as a scale times a standard draw.

    nn.init computes ``normal_(0, std)`` and ``uniform_(-bound, bound)``; drawing N(0, 1)
    or U(-1, 1) and multiplying by the same std or bound gives the very same numbers.
    """
    if scheme in ("normal 0.01", "normal 1", "kaiming"):
        return "normal", expected_std(scheme, width, width)
    return "uniform", math.sqrt(3.0) * expected_std(scheme, width, width)


# Standard draws already made, by (width, family, seed): the generator that drew them and
# the layers so far. Layer k comes from the same generator calls whatever the depth, so a
# deeper net extends a shallower one, and the widget's depth slider, activation and scheme
# cost no new random numbers (only a width not seen yet does). Every width and family the
# widget offers fits in the budget (about 35 MB at depth 50).
_DRAWS: OrderedDict[tuple, tuple[torch.Generator, list[torch.Tensor]]] = OrderedDict()
_DRAWS_BUDGET = 16 * 2**20  # float32 elements kept in all, 64 MB


def _weights(depth: int, width: int, scheme: str, seed: int) -> list[torch.Tensor]:
    """The float32 weights of the ``depth`` layers of :func:`make_mlp`, as new tensors."""
    family, scale = _family_and_scale(scheme, width)
    key = (width, family, seed)
    generator, draws = _DRAWS.pop(key, None) or (torch.Generator().manual_seed(seed), [])
    while len(draws) < depth:
        draw = torch.empty(width, width)
        if family == "normal":
            draw.normal_(0.0, 1.0, generator=generator)
        else:
            draw.uniform_(-1.0, 1.0, generator=generator)
        draws.append(draw)
    _DRAWS[key] = (generator, draws)
    while sum(len(d) * d[0].numel() for _, d in _DRAWS.values()) > _DRAWS_BUDGET:
        _DRAWS.popitem(last=False)  # the least recently used first, this one last
    return [draw * scale for draw in draws[:depth]]


def make_mlp(depth: int, width: int, activation: str = "relu", scheme: str = "kaiming", *,
             seed: int = 0) -> nn.Sequential:
    """``depth`` blocks of ``Linear(width, width, bias=False)`` and ``activation``, weights by ``scheme``.

    Layer after layer, the weights are what :func:`init_weight` would draw from a private
    generator seeded with ``seed``: building a net never changes the global random state,
    and the first layers of a deep net equal those of a shallower one. There are no
    biases: only the scale of the weights decides how signals grow or shrink.

    >>> net = make_mlp(2, 4, "tanh", "xavier")
    >>> [type(m).__name__ for m in net]
    ['Linear', 'Tanh', 'Linear', 'Tanh']
    >>> net[0].bias is None
    True
    """
    _check_mlp(depth, width, activation, scheme, seed)
    layers = []
    for weight in _weights(depth, width, scheme, seed):
        # Built on the meta device: no default initialization that would be thrown away.
        linear = nn.Linear(width, width, bias=False, device="meta")
        linear.weight = nn.Parameter(weight)
        layers += [linear, _ACTIVATION_MODULES[activation]()]
    return nn.Sequential(*layers)


def layer_stats(depth: int, width: int, activation: str = "relu", scheme: str = "kaiming", *,
                seed: int = 0, batch: int = 32) -> dict[str, list]:
    """Standard deviation of each layer's activations and of the gradient reaching them.

    Runs the network of ``make_mlp(depth, width, activation, scheme, seed=seed)`` on a batch
    of ``batch`` inputs drawn from N(0, 1), and backpropagates a loss whose gradient at the
    output is also N(0, 1) (``L = sum(output * G)``). Returns, for layers 1..depth,

    - ``activation_std``: std of the layer's output ``h_l`` (after the activation);
    - ``gradient_std``: std of ``dL/dh_l``, the gradient flowing back into that output.

    The pass runs in float64, so values like 1e50 (exploding) or 1e-50 (vanishing)
    are measured instead of overflowing float32. The global random state is untouched.
    A small batch keeps a widget update fast; at width 256, 32 inputs still give 8192
    values per layer, enough for a std within about 1%.

    >>> stats = layer_stats(depth=4, width=32, activation="relu", scheme="normal 1")
    >>> stats["activation_std"][-1] > 10 * stats["activation_std"][0]   # explodes
    True
    """
    _check_mlp(depth, width, activation, scheme, seed)
    integer_in_range("batch", batch, 1, 4096)
    act = _ACTIVATION_MODULES[activation]()
    generator = torch.Generator().manual_seed(seed + 1)
    inputs = torch.randn(batch, width, generator=generator).double().requires_grad_(True)
    upstream = torch.randn(batch, width, generator=generator).double()
    outputs = []
    h = inputs
    for weight in _weights(depth, width, scheme, seed):
        # The same computation as make_mlp's Linear and activation modules, in float64.
        h = act(h @ weight.double().T)
        h.retain_grad()
        outputs.append(h)
    # The weights do not require grad, so this backward computes only dL/dh_l.
    (h * upstream).sum().backward()
    with torch.no_grad():
        activation_std = [out.std().item() for out in outputs]
        gradient_std = [out.grad.std().item() for out in outputs]
    return {"layer": list(range(1, depth + 1)), "activation_std": activation_std,
            "gradient_std": gradient_std}


def compare_schemes(schemes: Sequence[str] = SCHEMES, *, depth: int = 50, width: int = 256,
                    activation: str = "relu", seed: int = 0) -> dict[str, dict[str, list]]:
    """:func:`layer_stats` for several schemes on the same architecture, by scheme name.

    >>> results = compare_schemes(["xavier", "kaiming"], depth=2, width=8)
    >>> list(results)
    ['xavier', 'kaiming']
    """
    if isinstance(schemes, str) or not isinstance(schemes, Sequence) or not schemes:
        raise TypeError(f"schemes must be a non-empty list of names from {list(SCHEMES)}, "
                        f"got {describe(schemes)}")
    for scheme in schemes:
        _check_choice("schemes", scheme, SCHEMES)
    return {scheme: layer_stats(depth, width, activation, scheme, seed=seed) for scheme in schemes}


def _positive(values: Sequence[float]) -> np.ndarray:
    """Values as an array, with what a log axis cannot show (0, inf, nan) replaced by nan."""
    array = np.asarray(values, dtype=float)
    return np.where(np.isfinite(array) & (array > 0), array, np.nan)


def _decade_ticks(low: float, high: float, most: int = 7) -> list[float]:
    """Powers of ten from ``low`` to ``high``, every 1, 2, 5, 10, 20, 25 or 50 decades.

    >>> _decade_ticks(1e-48, 1e52)
    [1e-40, 1e-20, 1.0, 1e+20, 1e+40]
    """
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if (last - first) / s <= most - 1), 100)
    return [10.0 ** e for e in range(math.ceil(first / step) * step, last + 1, step)]


def plot_layer_stats(results: Mapping[str, Mapping[str, Sequence]], *, title: str | None = None
                     ) -> Figure:
    """Two log-scale panels, activation std and gradient std per layer, one line per scheme.

    ``results`` is what :func:`compare_schemes` returns.

    >>> fig = plot_layer_stats(compare_schemes(["kaiming"], depth=3, width=8))
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['activation std', 'gradient std']
    >>> plt.close(fig)
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError("results must be a non-empty dict of scheme -> layer_stats(...) result")
    for name, stats in results.items():
        if not isinstance(stats, Mapping) or not {"layer", "activation_std", "gradient_std"} <= set(stats):
            raise TypeError(f"results[{name!r}] must be a layer_stats(...) result, got {describe(stats)}")
        try:
            lengths = {key: np.asarray(stats[key], dtype=float).shape
                       for key in ("layer", "activation_std", "gradient_std")}
        except (TypeError, ValueError):
            raise TypeError(f"results[{name!r}] must hold lists of numbers, as layer_stats(...) "
                            "returns") from None
        if len(set(lengths.values())) != 1 or len(lengths["layer"]) != 1 or lengths["layer"][0] == 0:
            shapes = {key: list(shape) for key, shape in lengths.items()}
            raise ValueError(f"results[{name!r}] must hold one value per layer in 'layer', "
                             f"'activation_std' and 'gradient_std', got shapes {shapes}")
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained", sharey=True)
    shown = [1.0]
    for key, ax, label in (("activation_std", axes[0], "activation std"),
                           ("gradient_std", axes[1], "gradient std")):
        for name, stats in results.items():
            values = _positive(stats[key])
            ax.plot(stats["layer"], values, label=name)
            shown += [v for v in values if not np.isnan(v)]
        ax.axhline(1.0, color="gray", linewidth=0.8, linestyle="--")
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_ylabel(label)
        ax.yaxis.set_tick_params(labelleft=True)
    axes[0].set_yticks(_decade_ticks(min(shown), max(shown)))
    axes[0].yaxis.set_minor_locator(NullLocator())
    axes[0].set_title("forward: activations")
    axes[1].set_title("backward: gradients w.r.t. activations")
    axes[1].legend(fontsize=8, loc="best")
    if title:
        fig.suptitle(title)
    return fig


def sigmoid_gradient(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The sigmoid of ``x`` and its derivative, computed by autograd.

    >>> values, grads = sigmoid_gradient(torch.tensor([0.0]))
    >>> values.item(), grads.item()
    (0.5, 0.25)
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a floating-point torch.Tensor, got {describe(x)}")
    x = x.detach().clone().requires_grad_(True)
    y = torch.sigmoid(x)
    y.backward(torch.ones_like(y))
    return y.detach(), x.grad


def plot_sigmoid_gradient(x: torch.Tensor | None = None) -> tuple[Figure, dict[str, np.ndarray]]:
    """Plot the sigmoid and its gradient over ``x`` (default -8 to 8); return the figure and data.

    >>> fig, data = plot_sigmoid_gradient()
    >>> round(float(data["gradient"].max()), 4)
    0.25
    >>> plt.close(fig)
    """
    if x is None:
        x = torch.arange(-8.0, 8.0, 0.1)
    if not isinstance(x, torch.Tensor) or x.dim() != 1 or x.numel() < 2:
        raise ValueError(f"x must be a 1-D tensor of at least 2 points to plot, got {describe(x)}")
    values, grads = sigmoid_gradient(x)
    data = {"x": x.detach().numpy(), "sigmoid": values.numpy(), "gradient": grads.numpy()}
    fig, ax = plt.subplots(figsize=(5.0, 2.8), layout="constrained")
    ax.plot(data["x"], data["sigmoid"], label="sigmoid(x)")
    ax.plot(data["x"], data["gradient"], linestyle="--", label="gradient")
    ax.set_xlabel("x")
    ax.legend()
    return fig, data


def product_norms(steps: int = 100, size: int = 4, *, seed: int = 0) -> list[float]:
    """Frobenius norm of the product of 1, 2, ..., ``steps`` random N(0, 1) matrices.

    Computed in float64 from a private generator (the global random state is untouched).

    >>> norms = product_norms(steps=3, size=4)
    >>> len(norms), norms[2] > 0
    (3, True)
    """
    integer_in_range("steps", steps, 1, 1000)
    integer_in_range("size", size, 1, 256)
    integer_in_range("seed", seed, 0, 2**32 - 1)
    generator = torch.Generator().manual_seed(seed)
    product = torch.randn(size, size, generator=generator, dtype=torch.float64)
    norms = [torch.linalg.matrix_norm(product).item()]
    for _ in range(steps - 1):
        product = product @ torch.randn(size, size, generator=generator, dtype=torch.float64)
        norms.append(torch.linalg.matrix_norm(product).item())
    return norms


def init_fractions(weight: torch.Tensor) -> dict[str, float]:
    """Fractions of the entries of ``weight`` in [-10, -5], equal to 0, in [5, 10], and elsewhere.

    These are the three parts of d2l's custom ``my_init`` distribution.

    >>> init_fractions(torch.tensor([-7.0, 0.0, 0.0, 6.0]))
    {'U(-10, -5)': 0.25, '0': 0.5, 'U(5, 10)': 0.25, 'elsewhere': 0.0}
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.numel() == 0:
        raise ValueError("weight must hold at least one element, got an empty tensor")
    w = weight.detach().flatten().to(torch.float64)
    n = w.numel()
    negative = int(((w >= -10) & (w <= -5)).sum())
    zero = int((w == 0).sum())
    positive = int(((w >= 5) & (w <= 10)).sum())
    return {"U(-10, -5)": negative / n, "0": zero / n, "U(5, 10)": positive / n,
            "elsewhere": (n - negative - zero - positive) / n}


def plot_weight_histogram(weight: torch.Tensor, bins: int = 40, *, title: str | None = None
                          ) -> tuple[Figure, Histogram]:
    """Histogram of the entries of ``weight`` as fractions of all entries; return figure and data.

    >>> fig, hist = plot_weight_histogram(torch.tensor([0.0, 0.0, 6.0, -7.0]), bins=4)
    >>> hist.counts.tolist()
    [1, 0, 2, 1]
    >>> plt.close(fig)
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.numel() == 0:
        raise ValueError("weight must hold at least one element, got an empty tensor")
    if not torch.isfinite(weight).all():
        raise ValueError("weight must hold finite numbers, got NaN or infinity")
    hist = histogram(weight, bins=bins)
    fig, ax = plt.subplots(figsize=(5.5, 3.0), layout="constrained")
    ax.stairs(hist.counts / hist.counts.sum(), hist.edges, fill=True, alpha=0.8)
    ax.set_xlabel("weight value")
    ax.set_ylabel("fraction of weights")
    if title:
        ax.set_title(title)
    return fig, hist


# ----------------------------------------------------------------------------- widget

def _power_of_ten(value: float, _position) -> str:
    return f"1e{round(math.log10(value))}" if value > 0 else ""


def draw_layer_stats(fig: Figure, depth: int, width: int, activation: str, scheme: str) -> str:
    """Draw :func:`layer_stats` on ``fig`` (reusing its lines) and return a one-line summary.

    >>> fig = Figure()
    >>> draw_layer_stats(fig, 3, 16, "relu", "kaiming").startswith("kaiming")
    True
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    stats = layer_stats(depth, width, activation, scheme)
    if not fig.axes:
        # Fixed axes position instead of the figure's constrained layout, which would lay
        # the figure out again on every redraw and double its cost.
        fig.set_layout_engine("none")
        ax = fig.add_axes((0.12, 0.15, 0.86, 0.75))
        ax.plot([], [], marker=".", label="activations")
        ax.plot([], [], marker=".", label="gradients")
        ax.axhline(1.0, color="gray", linewidth=0.8, linestyle="--")
        ax.set_yscale("log")
        # Few ticks with plain "1e-20" labels: ticks and their text are most of the cost of
        # a redraw, and mathtext labels (the default) cost the most.
        ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("layer")
        ax.set_ylabel("standard deviation")
        ax.legend(fontsize=8, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  frameon=False)
    ax = fig.axes[0]
    activation_line, gradient_line = ax.lines[:2]
    activation_std = _positive(stats["activation_std"])
    gradient_std = _positive(stats["gradient_std"])
    activation_line.set_data(stats["layer"], activation_std)
    gradient_line.set_data(stats["layer"], gradient_std)
    shown = np.concatenate([activation_std, gradient_std])
    # At least 1e-2 to 1e2, so that a steady scale looks flat and the axis keeps its labels.
    low = min(np.nanmin(shown, initial=1.0) / 3, 1e-2)
    high = max(np.nanmax(shown, initial=1.0) * 3, 1e2)
    ax.set_yticks(_decade_ticks(low, high))
    ax.set_ylim(low, high)
    ax.set_xlim(0.5, depth + 0.5)
    return (f"{scheme}, {activation}: activation std {activation_std[0]:.2e} at layer 1, "
            f"{activation_std[-1]:.2e} at layer {depth}; gradient std {gradient_std[-1]:.2e} "
            f"at layer {depth}, {gradient_std[0]:.2e} at layer 1")


def init_explorer(depth: int = 50, width: int = 256, activation: str = "relu",
                  scheme: str = "kaiming") -> Panel:
    """Controls for depth, width, activation and scheme; plots :func:`layer_stats` for them.

    >>> panel = init_explorer(depth=5, width=16)
    >>> panel.set(scheme="normal 1"); panel.text.split(",")[0]
    'normal 1'
    """
    integer_in_range("depth", depth, 1, MAX_WIDGET_DEPTH)
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {list(WIDTHS)}, got {width!r}")
    _check_choice("activation", activation, ACTIVATIONS)
    _check_choice("scheme", scheme, SCHEMES)
    style = {"description_width": "initial"}
    controls = {
        "depth": ipywidgets.IntSlider(value=depth, min=1, max=MAX_WIDGET_DEPTH,
                                      description="depth", continuous_update=False,
                                      style=style, layout=ipywidgets.Layout(width="260px")),
        "width": ipywidgets.Dropdown(options=list(WIDTHS), value=width, description="width",
                                     style=style, layout=ipywidgets.Layout(width="130px")),
        "activation": ipywidgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                          description="activation", style=style,
                                          layout=ipywidgets.Layout(width="170px")),
        "scheme": ipywidgets.Dropdown(options=list(SCHEMES), value=scheme, description="init",
                                      style=style, layout=ipywidgets.Layout(width="170px")),
    }
    panel = Panel("Activation and gradient scale, layer by layer", controls, draw_layer_stats,
                  figsize=(6.4, 3.3))
    # Show the PNG at its own size: stretched to the width of the cell, its text would blur.
    panel.image.layout.align_self = "flex-start"
    return panel


def demo_panel() -> Panel:
    """The chapter's main widget: 50 ReLU layers of width 256 with Kaiming init (used by benchmarks).

    >>> demo_panel().values
    {'depth': 50, 'width': 256, 'activation': 'relu', 'scheme': 'kaiming'}
    """
    return init_explorer()


# ----------------------------------------------------------------------------- exercises

def _final_std_reference(scale, fan_in, depth):
    return (scale * math.sqrt(fan_in)) ** depth


def _final_std_cases():
    return [(0.01, 256, 50), (1.0, 4, 100), (0.0625, 256, 10), (0.1, 100, 3), (0.2, 50, 7)]


def _verify_my_init(fn) -> str | None:
    if not callable(fn) or isinstance(fn, type) or isinstance(fn, nn.Module):
        return f"expected a function that net.apply can call on each module, got {describe(fn)}"
    net = nn.Sequential(nn.Linear(300, 400), nn.ReLU(), nn.Linear(400, 200))
    try:
        net.apply(fn)
    except Exception as error:  # the learner's function may fail on any module
        return (f"net.apply(your function) raised {type(error).__name__}: {error} "
                "(remember that apply also calls it on ReLU and on the Sequential itself)")
    for index in (0, 2):
        weight = net[index].weight
        if not isinstance(weight, nn.Parameter):
            return (f"net[{index}].weight is no longer an nn.Parameter: change the values in "
                    "place (nn.init.uniform_, then multiply under torch.no_grad())")
        parts = init_fractions(weight)
        if parts["elsewhere"] > 0:
            return (f"{parts['elsewhere']:.1%} of the weights of net[{index}] are neither 0 nor "
                    "in [5, 10] or [-10, -5]")
        for part, want in (("0", 0.5), ("U(5, 10)", 0.25), ("U(-10, -5)", 0.25)):
            if abs(parts[part] - want) > 0.03:
                return (f"in net[{index}], {parts[part]:.1%} of the weights fall in {part}; "
                        f"expected about {want:.0%}")
        values = weight.detach()
        positive_mean = values[values > 0].mean().item()
        if abs(positive_mean - 7.5) > 0.25:
            return (f"the positive weights of net[{index}] have mean {positive_mean:.2f}; values "
                    "uniform on [5, 10] have mean 7.5")
    return None


QUESTIONS = [
    ValueQuestion(
        """
        `nn.init.xavier_uniform_` draws the weights of `nn.Linear(256, 64)` from U(-a, a).
        What is the bound `a`? Assign it to `bound`.
        """,
        answer_name="bound",
        expected=math.sqrt(6 / (256 + 64)),
        rtol=1e-3,
        hint="U(-a, a) has variance a²/3; Xavier wants the variance 2 / (fan_in + fan_out). "
             "For nn.Linear(256, 64), fan_in is 256 and fan_out is 64.",
        solution="""
        fan_in, fan_out = 256, 64
        bound = math.sqrt(6 / (fan_in + fan_out))  # a²/3 = 2 / (fan_in + fan_out)
        """,
    ),
    FunctionQuestion(
        """
        A chain of `depth` linear layers without activation or bias, each with `fan_in`
        inputs and weights drawn from N(0, scale²), is fed inputs of variance 1. Write
        `final_std(scale, fan_in, depth)` returning the expected standard deviation of its
        output.
        """,
        answer_name="final_std",
        reference=_final_std_reference,
        cases=_final_std_cases,
        atol=0.0,
        hint="One layer multiplies the variance by fan_in * scale². Repeat that depth times, "
             "then take the square root.",
        solution="""
        def final_std(scale, fan_in, depth):
            return (scale * math.sqrt(fan_in)) ** depth
        """,
    ),
    CodeQuestion(
        """
        Write `my_init(m)`, to be used as `net.apply(my_init)`, that gives the weight of every
        `nn.Linear` d2l's distribution: U(5, 10) with probability 1/4, 0 with probability 1/2,
        U(-10, -5) with probability 1/4. Change values in place, without `.data`.
        """,
        answer_name="my_init",
        verify=_verify_my_init,
        hint="nn.init.uniform_(m.weight, -10, 10) first; then, inside torch.no_grad(), multiply "
             "the weight by the mask m.weight.abs() >= 5. Check isinstance(m, nn.Linear) first.",
        solution="""
        def my_init(m):
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -10, 10)
                with torch.no_grad():
                    m.weight *= m.weight.abs() >= 5
        """,
    ),
    ValueQuestion(
        """
        In a 50-layer ReLU MLP of width 256, which scheme of `helpers.initialization.SCHEMES`
        keeps the standard deviation of the last layer's activations between 0.1 and 10?
        Assign its name to `steady_scheme`.
        """,
        answer_name="steady_scheme",
        expected="kaiming",
        choices=SCHEMES,
        hint="helpers.initialization.layer_stats(50, 256, 'relu', scheme)['activation_std'][-1] "
             "measures it; ReLU zeroes half of its inputs, so the weights must make up a factor 2.",
        solution="""
        stats = {name: helpers.initialization.layer_stats(50, 256, "relu", name)
                 for name in helpers.initialization.SCHEMES}
        steady_scheme = next(name for name, s in stats.items()
                             if 0.1 < s["activation_std"][-1] < 10)
        """,
    ),
    ValueQuestion(
        """
        `net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))` is run once on
        `torch.rand(2, 20)`. How many parameter entries does it have afterwards? Assign the
        number to `n_lazy`.
        """,
        answer_name="n_lazy",
        expected=20 * 256 + 256 + 256 * 10 + 10,
        hint="The first forward pass fixes in_features: 20 for the first layer, 256 for the "
             "second. Count weights and biases.",
        solution="""
        net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
        net(torch.rand(2, 20))
        n_lazy = sum(p.numel() for p in net.parameters())
        """,
    ),
    ThoughtQuestion(
        """
        Why does a network whose hidden layer starts with all weights equal (say, all 1) never
        learn more than one hidden feature with plain gradient descent? What breaks the tie?
        """,
        answer_name="thoughts",
        hint="Compare two hidden units: their inputs, their outputs and their gradients.",
        solution="""
        With equal weights, every hidden unit computes the same function of the input, so they
        all output the same value. Backpropagation then gives every unit the same gradient
        (same outgoing weight, same activation derivative, same input), and a gradient step
        changes them all by the same amount: they stay identical forever, and the layer acts
        like a single unit however wide it is. Random initialization breaks the symmetry:
        units start different, get different gradients and learn different features. (Dropout
        during training would also break it, but a random start is the standard fix.)
        """,
    ),
]
