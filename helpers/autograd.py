"""Chapter 6, autograd: the tangent widget's engine (the chapter's PyTorch is in the notebook)."""

import ipywidgets
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from helpers.session import tr, tr_figure
from helpers.widgets import Backdrop, Panel

X_RANGE, _AXES = (-3.0, 3.0), (0.13, 0.14, 0.84, 0.8)

# fork_rng: importing this module must not change the random numbers a notebook prints.
with torch.random.fork_rng(devices=[]):
    torch.manual_seed(3)
    _MLP = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)).double().requires_grad_(False)

#: The widget's elementwise functions of a float64 tensor, by the name its dropdown shows.
FUNCTIONS = {"sin": torch.sin, "x^3": lambda x: x ** 3, "tanh": torch.tanh, "softplus": F.softplus,
             "mlp": lambda x: _MLP(x.reshape(-1, 1)).reshape(x.shape)}
_FORMULAS = {"sin": r"$\sin x$", "x^3": r"$x^3$", "tanh": r"$\tanh x$",
             "softplus": r"$\log(1 + e^x)$", "mlp": "MLP 1-16-1 with tanh, seed 3"}


def slopes(function: str, x: float, h: float) -> tuple[float, float, float, float]:
    """f(x) and autograd's f'(x), then f(x - h) and f(x + h) for the central difference, in float64."""
    f = FUNCTIONS[function]
    point = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    value = f(point)
    (slope,) = torch.autograd.grad(value, point)
    with torch.no_grad():
        left, right = f(torch.tensor([x - h, x + h], dtype=torch.float64)).tolist()
    return value.item(), slope.item(), left, right


def _picture(fig: Figure, function: str) -> tuple[float, float]:
    """Draw the axes, curve and legend of ``function`` on ``fig``; return the y-range they show."""
    xs = torch.linspace(*X_RANGE, 241, dtype=torch.float64)
    with torch.no_grad():
        ys = FUNCTIONS[function](xs)
    pad = 0.1 * (ys.max() - ys.min()).item()
    ylim = (ys.min().item() - pad, ys.max().item() + pad)
    ax = fig.add_axes(_AXES)
    ax.plot(xs, ys, color="C0", lw=2, label=f"f(x) = {tr_figure(_FORMULAS[function])}")
    ax.plot([], [], color="C3", lw=1.5, label=tr_figure("tangent, slope by autograd"))
    ax.plot([], [], color="C2", lw=1.2, ls="--", label=tr_figure(r"secant through $x \pm h$"))
    ax.set(xlim=X_RANGE, ylim=ylim, xlabel="x", ylabel="f(x)")
    ax.legend(loc="upper left", fontsize=8)
    return ylim


class TangentExplorer(Panel):
    """The widget: a function, a point ``x``, a step ``h``. Text is most of a redraw's time, so
    each function's axes, curve and legend are drawn once, up front, and an update draws two
    lines and three dots over them."""

    def __init__(self, function: str = "sin", x: float = 1.0, h: float = 1e-2) -> None:
        self.ax = None
        slider = dict(continuous_update=False, layout=ipywidgets.Layout(width="280px"))
        controls = {"function": ipywidgets.Dropdown(options=list(FUNCTIONS), description="f"),
                    "x": ipywidgets.FloatSlider(min=-3, max=3, step=0.05, description="x", **slider),
                    "h": ipywidgets.FloatLogSlider(base=10, min=-6, max=0, step=0.25, description="h",
                                                   readout_format=".0e", **slider)}
        super().__init__("Tangent and central difference", controls, self._draw,
                         values=dict(function=function, x=x, h=h), figsize=(6.0, 3.6))

    def _draw(self, fig: Figure, function: str, x: float, h: float) -> str:
        if self.ax is None:
            self.backdrop = fig.add_artist(Backdrop(_picture, keys=FUNCTIONS))
            self.ax = fig.add_axes(_AXES)
            self.ax.set_axis_off()
            self.lines = [self.ax.plot([], [], **style)[0] for style in (
                dict(color="C3", lw=1.5), dict(color="C2", lw=1.2, ls="--"),
                dict(color="C3", marker="o", ms=6, ls=""), dict(color="C2", marker="o", ms=4, ls=""))]
        ylim = self.backdrop.show(function)
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
