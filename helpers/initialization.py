"""Chapter 2's widget engine: the notebook's 50-layer measurement, fast enough for a slider.

:func:`layer_stats` computes what the notebook's plain loop computes (same seed, same random
numbers, float64), but keeps the random weights it drew, so that moving the depth slider or
switching the activation costs no new draws. :func:`init_explorer` wires it to a Panel.
"""

import math
from collections import OrderedDict

import ipywidgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter, LogLocator, NullLocator
from torch import nn

from helpers.widgets import Panel

# Each scheme as a family of standard draws and the factor that scales them for a square
# layer of width n, computed as nn.init computes it. "default" is nn.Linear's own init.
SCHEMES = {
    "normal 0.01": ("normal", lambda n: 0.01),
    "normal 1": ("normal", lambda n: 1.0),
    "xavier": ("uniform", lambda n: math.sqrt(3.0) * math.sqrt(2.0 / (n + n))),
    "xavier, gain 5/3": ("uniform", lambda n: math.sqrt(3.0) * 5.0 / 3 * math.sqrt(2.0 / (n + n))),
    "kaiming": ("normal", lambda n: math.sqrt(2.0) / math.sqrt(n)),
    "default": ("default", lambda n: 1.0),
}
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}
WIDTHS = (16, 32, 64, 128, 256)
STYLE = {"description_width": "initial"}
ELEMENT_BUDGET = 2**23  # float64 numbers one call may hold and the cache may keep: 64 MB each
_DRAWS: OrderedDict[tuple, tuple] = OrderedDict()  # generator, inputs, grad_out, weights


def _draws(depth: int, width: int, family: str, seed: int, batch: int):
    """Inputs, output gradient and ``depth`` standard draws, in the notebook loop's order."""
    key = (width, family, seed, batch)
    if key not in _DRAWS:
        generator = torch.Generator().manual_seed(seed)
        inputs = torch.randn(batch, width, dtype=torch.float64, generator=generator)
        grad_out = torch.randn(batch, width, dtype=torch.float64, generator=generator)
        _DRAWS[key] = (generator, inputs, grad_out, [])
    generator, inputs, grad_out, weights = _DRAWS.pop(key)
    while len(weights) < depth:
        weight = torch.empty(width, width, dtype=torch.float64)
        # What nn.Linear(width, width) draws when it is built; the other families overwrite it.
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
        if family == "normal":
            weight.normal_(0.0, 1.0, generator=generator)
        elif family == "uniform":
            weight.uniform_(-1.0, 1.0, generator=generator)
        weights.append(weight)
    _DRAWS[key] = (generator, inputs, grad_out, weights)
    while sum(len(kept[3]) * kept[1].shape[1] ** 2 for kept in _DRAWS.values()) > ELEMENT_BUDGET:
        _DRAWS.popitem(last=False)  # the least recently used first
    return inputs, grad_out, weights[:depth]


def layer_stats(depth: int, width: int, activation: str = "relu", scheme: str = "kaiming", *,
                seed: int = 0, batch: int = 32) -> dict[str, list[float]]:
    """Std of each layer's output and of the gradient reaching it, as the notebook's loop."""
    needed = depth * width * (width + 2 * batch)
    if needed > ELEMENT_BUDGET:
        raise ValueError(f"depth x width x (width + 2 x batch) = {needed} numbers is more than "
                         f"this engine's budget of {ELEMENT_BUDGET}")
    family, factor = SCHEMES[scheme]
    x, grad_out, weights = _draws(depth, width, family, seed, batch)
    act, scale = ACTIVATIONS[activation](), factor(width)
    # Gradients flow to the activations only: the cached weights never require grad.
    h, outputs = x.clone().requires_grad_(True), []
    for weight in weights:
        h = act(h @ (weight * scale).T)
        h.retain_grad()
        outputs.append(h)
    h.backward(grad_out)
    return {"activation_std": [out.std().item() for out in outputs],
            "gradient_std": [out.grad.std().item() for out in outputs]}


def draw_layer_stats(fig: Figure, depth: int, width: int, activation: str, scheme: str) -> str:
    """Draw :func:`layer_stats` on ``fig``, reusing its lines; return a one-line summary."""
    stats = layer_stats(depth, width, activation, scheme)
    if not fig.axes:
        # Fixed axes instead of a layout engine, which would lay the figure out on every redraw.
        ax = fig.add_axes((0.12, 0.15, 0.86, 0.75))
        for label in ("activations", "gradients"):
            ax.plot([], [], marker=".", label=label)
        ax.axhline(1.0, color="gray", linewidth=0.8, linestyle="--")
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=7))
        ax.yaxis.set_major_formatter(LogFormatter())  # "1e-20": faster to draw than mathtext
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("layer")
        ax.set_ylabel("standard deviation")
        ax.legend(fontsize=8, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax = fig.axes[0]
    values = np.array([stats["activation_std"], stats["gradient_std"]])
    shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)  # what a log axis can show
    for line, row in zip(ax.lines, shown):
        line.set_data(range(1, depth + 1), row)
    low, high = np.nanmin(shown, initial=1.0) / 3, np.nanmax(shown, initial=1.0) * 3
    ax.set_ylim(min(low, 1e-2), max(high, 1e2))  # at least 1e-2 to 1e2: a steady scale looks flat
    ax.set_xlim(0.5, depth + 0.5)
    act, grad = stats["activation_std"], stats["gradient_std"]
    return (f"{scheme}, {activation}: activation std {act[0]:.2e} at layer 1, {act[-1]:.2e} "
            f"at layer {depth}; gradient std {grad[-1]:.2e} at layer {depth}, {grad[0]:.2e} "
            "at layer 1")


def init_explorer(depth: int = 50, width: int = 256, activation: str = "relu",
                  scheme: str = "kaiming") -> Panel:
    """Depth, width, activation and scheme controls over a plot of :func:`layer_stats`.

    >>> panel = init_explorer(depth=5, width=16)
    >>> panel.set(scheme="normal 1"); panel.text.split(",")[0]
    'normal 1'
    """
    def dropdown(options, value, description, width):
        return ipywidgets.Dropdown(options=options, value=value, description=description,
                                   style=STYLE, layout=ipywidgets.Layout(width=width))

    controls = {"depth": ipywidgets.IntSlider(value=depth, min=1, max=50, description="depth",
                                              continuous_update=False, style=STYLE),
                "width": dropdown(WIDTHS, width, "width", "130px"),
                "activation": dropdown(list(ACTIVATIONS), activation, "activation", "190px"),
                "scheme": dropdown(list(SCHEMES), scheme, "init", "210px")}
    return Panel("Activation and gradient scale, layer by layer", controls, draw_layer_stats,
                 figsize=(6.4, 3.3), layout=None)
