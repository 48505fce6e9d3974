"""Chapter 2's widget engine: :func:`layer_stats` computes the notebook's 50-layer loop (same seed,
same random numbers, float64), keeping the weights it drew so that the depth slider or the activation
draws nothing new, and taking the backward pass by hand. :func:`init_explorer` wires it to a Panel."""

import math
from collections import OrderedDict

import ipywidgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullLocator
from torch import nn

from helpers.session import tr, tr_figure
from helpers.widgets import Backdrop, Panel

# Per scheme, a family of standard draws and nn.init's scale of them at width n ("default": nn.Linear's).
SCHEMES = {"normal 0.01": ("normal", lambda n: 0.01), "normal 1": ("normal", lambda n: 1.0),
           "xavier": ("uniform", lambda n: math.sqrt(3 * 2 / (n + n))),
           "xavier, gain 5/3": ("uniform", lambda n: 5 / 3 * math.sqrt(3 * 2 / (n + n))),
           "kaiming": ("normal", lambda n: math.sqrt(2 / n)), "default": ("default", lambda n: 1.0)}
# Per activation, the function (in place) and its derivative, written with the function's output.
ACTIVATIONS = {"relu": (torch.relu_, lambda out: out > 0), "tanh": (torch.tanh_, lambda out: 1 - out * out),
               "sigmoid": (torch.sigmoid_, lambda out: out * (1 - out)), "identity": (lambda h: h, lambda out: 1)}
WIDTHS, MAX_DEPTH = (16, 32, 64, 128, 256), 50
ELEMENT_BUDGET = 2**24  # float64 numbers a call may hold, and the cache keep: 3 families at width 256
_DRAWS: OrderedDict[tuple, tuple] = OrderedDict()  # generator, inputs, grad_out, weights


def _draws(depth: int, width: int, family: str, seed: int, batch: int):
    """Inputs, output gradient and ``depth`` standard draws, in the notebook loop's order."""
    key = (width, family, seed, batch)
    if key not in _DRAWS:
        generator = torch.Generator().manual_seed(seed)  # inputs first, then the output gradient
        _DRAWS[key] = (generator, *[torch.randn(batch, width, dtype=torch.float64, generator=generator)
                                    for _ in range(2)], [])
    _DRAWS.move_to_end(key)  # the most recently used last; its list of weights grows in place
    generator, inputs, grad_out, weights = _DRAWS[key]
    while len(weights) < depth:
        weight = torch.empty(width, width, dtype=torch.float64)
        # What nn.Linear(width, width) draws when it is built; the other families overwrite it.
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
        if family == "normal":
            weight.normal_(0.0, 1.0, generator=generator)
        elif family == "uniform":
            weight.uniform_(-1.0, 1.0, generator=generator)
        weights.append(weight)
    while sum(len(kept[3]) * kept[1].shape[1] ** 2 for kept in _DRAWS.values()) > ELEMENT_BUDGET:
        _DRAWS.popitem(last=False)  # the least recently used first
    return inputs, grad_out, weights[:depth]


def layer_stats(depth: int, width: int, activation: str = "relu", scheme: str = "kaiming", *,
                seed: int = 0, batch: int = 32) -> dict[str, list[float]]:
    """Std of each layer's output and of the gradient reaching it, as the notebook's loop."""
    if (needed := depth * width * (width + 2 * batch)) > ELEMENT_BUDGET:
        raise ValueError(tr("depth x width x (width + 2 x batch) = {needed} numbers is over the budget", needed=needed))
    (family, factor), (act, slope) = SCHEMES[scheme], ACTIVATIONS[activation]
    x, grad_out, weights = _draws(depth, width, family, seed, batch)
    outputs, grads = both = torch.empty(2, depth, batch, width, dtype=torch.float64)
    for k, weight in enumerate(weights):  # scale the batch-sized product, not the square weight
        act(torch.mm(outputs[k - 1] if k else x, weight.T, out=outputs[k]).mul_(factor(width)))
    # What h.retain_grad() keeps: dL/d(output k-1) = scale * (dL/d(output k) * slope) @ weight k.
    grads[-1] = grad_out
    for k in range(depth - 1, 0, -1):
        torch.mm(grads[k] * slope(outputs[k]), weights[k], out=grads[k - 1]).mul_(factor(width))
    rows = both.flatten(2)  # each layer's std, as torch.std, which takes 3x longer in float64
    activation_std, gradient_std = (rows - rows.mean(2, keepdim=True)).square_().sum(2).div_(rows.shape[2] - 1).sqrt_()
    return {"activation_std": activation_std.tolist(), "gradient_std": gradient_std.tolist()}


class LayerStatsPlot:
    """Draws :func:`layer_stats`. Axes, ticks and legend (text: a redraw's slow part) are drawn once
    per y-range into a Backdrop's pixels; an update redraws only the two lines over them."""

    SIZE, RECT = (5.6, 2.9), (0.13, 0.15, 0.85, 0.74)
    SPANS = (2, 5, 10, 20, 50, 100, 200)  # decades above and below 1 (a log axis to 1e±300 overflows)
    lines = None  # the live lines, made at the first update

    def frame(self, fig: Figure, span: int) -> None:
        ax = self.axes(fig, span)
        ax.axhline(1.0, color="gray", linewidth=0.8, linestyle="--")
        ax.yaxis.set(major_locator=LogLocator(numticks=7), minor_locator=NullLocator(),
                     major_formatter=LogFormatterSciNotation())
        ax.legend(ax.plot([], [], ".-", [], [], ".-"), [tr_figure("activations"), tr_figure("gradients")], fontsize=8,
                  ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)

    def axes(self, fig: Figure, span: int):
        return fig.add_axes(self.RECT, xlim=(0.5, MAX_DEPTH + 0.5), yscale="log", ylim=(10.0 ** -span, 10.0 ** span),
                            xlabel=tr_figure("layer"), ylabel=tr_figure("standard deviation"))

    def __call__(self, fig: Figure, depth: int, width: int, activation: str, scheme: str) -> str:
        values = np.array(list(layer_stats(depth, width, activation, scheme).values()))  # act., grad.
        shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)  # what a log axis can show
        decades = np.nanmax(np.abs(np.log10(shown)), initial=0.0) + 0.3  # room for the dots
        span = next((span for span in self.SPANS if span >= decades), self.SPANS[-1])
        if self.lines is None:
            self.backdrop = fig.add_artist(Backdrop(self.frame, keys=self.SPANS))
            self.ax = self.axes(fig, span)
            self.ax.set_axis_off()
            self.lines = self.ax.plot([], [], ".-", [], [], ".-")  # the frame's colours, C0 and C1
        self.backdrop.show(span)
        self.ax.set_ylim(10.0 ** -span, 10.0 ** span)
        for line, row in zip(self.lines, shown):
            line.set_data(range(1, depth + 1), row)
        (act, grad), top = values, tr("at layer {depth}", depth=depth)
        return tr("{scheme}, {activation}: activation std {act_first:.2e} at layer 1, {act_last:.2e} {top}; "
                  "gradient std {grad_last:.2e} {top}, {grad_first:.2e} at layer 1", scheme=scheme,
                  activation=activation, act_first=act[0], act_last=act[-1], grad_last=grad[-1], grad_first=grad[0],
                  top=top)


def init_explorer(depth: int = MAX_DEPTH, width: int = 256, activation: str = "relu",
                  scheme: str = "kaiming") -> Panel:
    """Depth, width, activation and scheme controls over a plot of :func:`layer_stats`."""
    style = {"description_width": "initial"}
    controls = {"depth": ipywidgets.IntSlider(min=1, max=MAX_DEPTH, description="depth", continuous_update=False,
                                              style=style)}
    for name, options, px in (("width", WIDTHS, 130), ("activation", list(ACTIVATIONS), 190),
                              ("scheme", list(SCHEMES), 220)):
        controls[name] = ipywidgets.Dropdown(options=options, description=name, style=style,
                                             layout=ipywidgets.Layout(width=f"{px}px"))
    values = dict(depth=depth, width=width, activation=activation, scheme=scheme)
    return Panel("Activation and gradient scale, layer by layer", controls, LayerStatsPlot(), values=values,
                 figsize=LayerStatsPlot.SIZE)
