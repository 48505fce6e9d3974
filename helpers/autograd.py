"""Chapter 6, autograd: the tangent widget's engine (the chapter's PyTorch is in the notebook).

>>> panel = TangentExplorer("x^3", 1.0, 0.1)
>>> panel.text
"x^3 at x = 1.00: f(x) = 1.0000, autograd f'(x) = 3.000000, central difference (h = 1e-01) = 3.010000"
"""

import numbers

import ipywidgets
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from helpers.session import tr, tr_figure
from helpers.widgets import Backdrop, Panel, rendered_pixels

X_RANGE, H_RANGE, _DPI, _SIZE, _AXES = (-3.0, 3.0), (1e-6, 1.0), 90, (6.0, 3.6), (0.13, 0.14, 0.84, 0.8)

# fork_rng: importing this module must not change the random numbers a notebook prints.
with torch.random.fork_rng(devices=[]):
    torch.manual_seed(3)
    _MLP = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)).double().requires_grad_(False)

#: The widget's elementwise functions of a float64 tensor, by the name its dropdown shows.
FUNCTIONS = {"sin": torch.sin, "x^3": lambda x: x ** 3, "tanh": torch.tanh, "softplus": F.softplus,
             "mlp": lambda x: _MLP(x.reshape(-1, 1)).reshape(x.shape)}
_FORMULAS = {"sin": r"$\sin x$", "x^3": r"$x^3$", "tanh": r"$\tanh x$",
             "softplus": r"$\log(1 + e^x)$", "mlp": "MLP 1-16-1 with tanh, seed 3"}


def _check(function, x, h) -> None:
    if not isinstance(function, str) or function not in FUNCTIONS:
        raise ValueError(tr("function must be one of {functions}, got {function!r}", functions=list(FUNCTIONS),
                            function=function))
    for name, value, (low, high) in (("x", x, X_RANGE), ("h", h, H_RANGE)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
            raise ValueError(tr("{name} must be a number from {low:g} to {high:g}, got {value!r}", name=name,
                                low=low, high=high, value=value))


def slopes(function: str, x: float, h: float) -> tuple[float, float, float, float]:
    """f(x) and autograd's f'(x), then f(x - h) and f(x + h) for the central difference, in float64."""
    f = FUNCTIONS[function]
    point = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    value = f(point)
    (slope,) = torch.autograd.grad(value, point)
    with torch.no_grad():
        left, right = f(torch.tensor([x - h, x + h], dtype=torch.float64)).tolist()
    return value.item(), slope.item(), left, right


def _picture(function: str) -> tuple[np.ndarray, tuple[float, float]]:
    """The pixels of the axes, curve and legend of ``function``, and the y-range they show."""
    xs = torch.linspace(*X_RANGE, 241, dtype=torch.float64)
    with torch.no_grad():
        ys = FUNCTIONS[function](xs)
    pad = 0.1 * (ys.max() - ys.min()).item()
    ylim = (ys.min().item() - pad, ys.max().item() + pad)
    fig = Figure(figsize=_SIZE, dpi=_DPI)
    ax = fig.add_axes(_AXES)
    ax.plot(xs, ys, color="C0", lw=2, label=f"f(x) = {tr_figure(_FORMULAS[function])}")
    ax.plot([], [], color="C3", lw=1.5, label=tr_figure("tangent, slope by autograd"))
    ax.plot([], [], color="C2", lw=1.2, ls="--", label=tr_figure(r"secant through $x \pm h$"))
    ax.set(xlim=X_RANGE, ylim=ylim, xlabel="x", ylabel="f(x)")
    ax.legend(loc="upper left", fontsize=8)
    return rendered_pixels(fig), ylim


class TangentExplorer(Panel):
    """The widget: a function, a point ``x``, a step ``h``. Text is most of a redraw's time, so
    each function's axes, curve and legend are drawn once, up front, and an update draws two
    lines and three dots over them."""

    def __init__(self, function: str = "sin", x: float = 1.0, h: float = 1e-2) -> None:
        _check(function, x, h)
        self.pictures = {name: _picture(name) for name in FUNCTIONS}
        self.ax = None
        slider = dict(continuous_update=False, layout=ipywidgets.Layout(width="280px"))
        controls = {"function": ipywidgets.Dropdown(options=list(FUNCTIONS), value=function, description="f"),
                    "x": ipywidgets.FloatSlider(value=x, min=-3, max=3, step=0.05, description="x", **slider),
                    "h": ipywidgets.FloatLogSlider(value=h, base=10, min=-6, max=0, step=0.25,
                                                   description="h", readout_format=".0e", **slider)}
        super().__init__("Tangent and central difference", controls, self._draw,
                         figsize=_SIZE, dpi=_DPI, layout=None)

    def _draw(self, fig: Figure, function: str, x: float, h: float) -> str:
        if self.ax is None:
            self.backdrop = fig.add_artist(Backdrop())
            self.ax = fig.add_axes(_AXES)
            self.ax.set_axis_off()
            self.lines = [self.ax.plot([], [], **style)[0] for style in (
                dict(color="C3", lw=1.5), dict(color="C2", lw=1.2, ls="--"),
                dict(color="C3", marker="o", ms=6, ls=""), dict(color="C2", marker="o", ms=4, ls=""))]
        self.backdrop.pixels, ylim = self.pictures[function]
        self.ax.set(xlim=X_RANGE, ylim=ylim)
        (value, slope, left, right), (tangent, secant, point, ends) = slopes(function, x, h), self.lines
        estimate = (right - left) / (2 * h)
        tangent.set_data(X_RANGE, [value + slope * (end - x) for end in X_RANGE])
        secant.set_data(X_RANGE, [left + estimate * (end - x + h) for end in X_RANGE])
        point.set_data([x], [value])
        ends.set_data([x - h, x + h], [left, right])
        return tr("{function} at x = {x:.2f}: f(x) = {value:.4f}, autograd f'(x) = {slope:.6f}, "
                  "central difference (h = {h:.0e}) = {estimate:.6f}", function=function, x=x, value=value,
                  slope=slope, h=h, estimate=estimate)
