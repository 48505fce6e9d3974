"""Chapter 4's widget: optimizer trajectories on 2-D loss surfaces, with the update rules of
``torch.optim`` written out in plain Python floats, because a slider needs hundreds of steps in
a few milliseconds (the notebook checks that both agree)."""

import math

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from helpers.session import tr, tr_figure
from helpers.widgets import Backdrop, Panel

SURFACES = {  # value() takes floats, NumPy arrays or tensors; gradient() takes floats.
    # Curvatures 0.2 and 4: a valley 20 times steeper across than along.
    "quadratic": dict(value=lambda x, y: 0.1 * x * x + 2.0 * y * y, gradient=lambda x, y: (0.2 * x, 4.0 * y),
                      start=(-4.5, 1.5), minimum=(0.0, 0.0), xlim=(-5.0, 5.0), ylim=(-2.5, 2.5),
                      levels=np.geomspace(0.01, 30, 14), title=r"quadratic  $0.1x^2 + 2y^2$"),
    "rosenbrock": dict(value=lambda x, y: (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2,
                       gradient=lambda x, y: (2.0 * (x - 1.0) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)),
                       start=(-1.2, 1.0), minimum=(1.0, 1.0), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0),
                       levels=np.geomspace(0.05, 2000, 14), title=r"Rosenbrock  $(1 - x)^2 + 100\,(y - x^2)^2$"),
}
OPTIMIZERS = ("SGD", "SGD+momentum", "Adam", "AdamW", "RMSprop")
# torch.optim's defaults, except the momentum of "SGD+momentum" and AdamW's weight decay.
MOMENTUM, BETAS, EPS, ADAMW_WEIGHT_DECAY, RMSPROP_ALPHA = 0.9, (0.9, 0.999), 1e-8, 0.01, 0.99
STYLES = {"SGD": dict(color="tab:red"), "SGD+momentum": dict(color="tab:orange"), "Adam": dict(color="tab:blue"),
          "AdamW": dict(color="tab:cyan", linestyle="--"), "RMSprop": dict(color="tab:purple")}
# Where the axes sit, the same in the cached background and the live figure so that they line up.
AXES_RECT = (0.09, 0.12, 0.66, 0.8)


def trajectory(surface: str, optimizer: str, lr: float, steps: int) -> tuple[np.ndarray, int | None]:
    """The points ``optimizer`` visits from the surface's start (row 0), and the step at which a
    coordinate left [-1e6, 1e6] (the run stops there; ``None`` if it never did)."""
    gradient = SURFACES[surface]["gradient"]
    p, m, v = list(SURFACES[surface]["start"]), [0.0, 0.0], [0.0, 0.0]
    points = [tuple(p)]
    for t in range(1, steps + 1):
        g = gradient(p[0], p[1])
        for i in (0, 1):
            if optimizer == "SGD":
                p[i] -= lr * g[i]
            elif optimizer == "SGD+momentum":
                m[i] = g[i] if t == 1 else MOMENTUM * m[i] + g[i]
                p[i] -= lr * m[i]
            elif optimizer == "RMSprop":
                v[i] = RMSPROP_ALPHA * v[i] + (1 - RMSPROP_ALPHA) * g[i] * g[i]
                p[i] -= lr * g[i] / (math.sqrt(v[i]) + EPS)
            else:
                if optimizer == "AdamW":
                    p[i] *= 1 - lr * ADAMW_WEIGHT_DECAY
                m[i] = BETAS[0] * m[i] + (1 - BETAS[0]) * g[i]
                v[i] = BETAS[1] * v[i] + (1 - BETAS[1]) * g[i] * g[i]
                denominator = math.sqrt(v[i]) / math.sqrt(1 - BETAS[1] ** t) + EPS
                p[i] -= lr / (1 - BETAS[0] ** t) * m[i] / denominator
        if not (abs(p[0]) <= 1e6 and abs(p[1]) <= 1e6):  # written so that NaN counts as diverged
            return np.array(points), t
        points.append(tuple(p))
    return np.array(points), None


def _path(ax, name: str, **label):
    return ax.plot([], [], marker=".", markersize=2.5, linewidth=1.4, **STYLES[name], **label)[0]


def _background(fig: Figure, surface: str) -> None:
    """The contours, start, minimum, ticks and legend of ``surface``: the part that does not move."""
    spec = SURFACES[surface]
    ax = fig.add_axes(AXES_RECT)
    X, Y = np.meshgrid(np.linspace(*spec["xlim"], 120), np.linspace(*spec["ylim"], 120))
    ax.contour(X, Y, spec["value"](X, Y), levels=spec["levels"], colors="0.65", linewidths=0.7)
    ax.plot(*spec["start"], "ko", markersize=5, label=tr_figure("start"))
    ax.plot(*spec["minimum"], "k*", markersize=11, label=tr_figure("minimum"))
    for name in OPTIMIZERS:
        _path(ax, name, label=name)
    # Outside the axes, where no path can cover it.
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    ax.set(xlim=spec["xlim"], ylim=spec["ylim"], xlabel="$x$", ylabel="$y$", title=tr_figure(spec["title"]))
    ax.grid(False)


class TrajectoryPlot:
    """``render(fig, surface, optimizers, lr, steps)`` for a Panel: contours, ticks and legend are
    drawn once per surface into a :class:`~helpers.widgets.Backdrop`; an update moves the paths."""

    lines = None  # the live paths, made at the first update

    def __call__(self, fig: Figure, surface: str, optimizers: tuple, lr: float, steps: int) -> str:
        if self.lines is None:
            self.backdrop = fig.add_artist(Backdrop(_background))
            self.ax = fig.add_axes(AXES_RECT)
            self.ax.set_axis_off()
            self.lines = {name: _path(self.ax, name) for name in OPTIMIZERS}
        spec = SURFACES[surface]
        self.backdrop.show(surface)
        self.ax.set(xlim=spec["xlim"], ylim=spec["ylim"])
        results = []
        for name, line in self.lines.items():
            line.set_visible(name in optimizers)
            if name in optimizers:
                points, diverged_at = trajectory(surface, name, lr, steps)
                line.set_data(points[:, 0], points[:, 1])
                results.append(tr("{name} diverged at step {step}", name=name, step=diverged_at) if diverged_at
                               else f"{name} {spec['value'](*points[-1]):.3g}")
        return (tr("{surface}, lr {lr:.3g}, {steps} steps: ", surface=surface, lr=lr, steps=steps)
                + (" | ".join(results) or tr("no optimizer chosen")))


class TrajectoryPanel(Panel):
    """The chapter's widget: a surface, the optimizers to compare, the learning rate and the steps."""

    def __init__(self) -> None:
        narrow = ipywidgets.Layout(width="250px")
        controls = {
            "surface": ipywidgets.Dropdown(options=list(SURFACES), description="surface", layout=narrow),
            "optimizers": ipywidgets.SelectMultiple(options=OPTIMIZERS, value=OPTIMIZERS, rows=len(OPTIMIZERS),
                                                    description="optimizers", layout=ipywidgets.Layout(width="230px")),
            "lr": ipywidgets.FloatLogSlider(value=0.1, base=10, min=-4, max=0, step=0.1, description="lr",
                                            readout_format=".2g", layout=narrow),
            "steps": ipywidgets.IntSlider(value=100, min=10, max=500, step=10, description="steps", layout=narrow),
        }
        super().__init__("Optimizer trajectories on a 2-D loss surface", controls, TrajectoryPlot(), figsize=(6.4, 4.2))
