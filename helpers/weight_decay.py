"""Chapter 5's widget engine: d2l's weight-decay regression trained for several λ at once, so that the
widget answers a slider at once (the notebook trains with autograd and checks that both agree)."""

import functools

import ipywidgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter, LogLocator, MaxNLocator, NullFormatter
from scipy.linalg.blas import sgemm  # BLAS for a minibatch step, without NumPy's per-call overhead

from helpers.session import tr, tr_figure
from helpers.widgets import Backdrop, Panel

BUDGET, MAX_STEPS = 10**8, 10**5  # work per fit; the widget's largest setting: 6e7 multiply-adds, 8000 steps
SEED = 2026  # the widget's generator; seeded like the data (0), it would draw w0 equal to the first example


def fit_linear(X, y, X_test, y_test, lambdas, w0, orders, lr=0.003, batch_size=5):
    """Minibatch SGD on ``squared_loss + λ/2 ||w||²`` for every λ from the start ``w0`` (bias 0), taking
    the rows in ``orders[epoch]`` in minibatches: ``w <- (1 - lr λ) w - lr X_B^T (X_B w + b - y_B) / |B|``,
    in NumPy float32 instead of autograd (on matrices this small, per-call overhead is the cost).
    Returns, in the order of the notebook's ``train_sweep``, the weights ``[d, L]``, the bias ``[L]`` and
    ``history[epoch, set, λ]``: the mean ``squared_loss`` on the training (set 0) and test (set 1) data."""
    run = Run(X, y, X_test, y_test, lambdas, w0, lr, batch_size)
    run.extend(orders)
    return run.fit(len(orders))


class Run:
    """:func:`fit_linear` that can go on: ``extend(orders)`` trains more epochs, ``fit(epochs)`` is the
    result after the first ``epochs`` of them, exactly what ``fit_linear`` on those orders returns."""

    def __init__(self, X, y, X_test, y_test, lambdas, w0, lr=0.003, batch_size=5) -> None:
        (n, d), L = X.shape, len(lambdas)
        self.lr, self.batch_size = lr, batch_size
        self.per_epoch = -(-n // batch_size), (3 * n + len(X_test)) * (d + 1) * L  # steps, multiply-adds
        # The bias is a last weight on a constant input 1, and it does not decay.
        self.Xa, self.Xt = (np.hstack([np.asarray(A, np.float32), np.ones((len(A), 1), np.float32)])
                            for A in (X, X_test))
        self.y, self.y_test = (np.asarray(t, np.float32).reshape(-1, 1).copy() for t in (y, y_test))
        self.theta = np.zeros((d + 1, L), np.float32)
        self.theta[:-1] = np.asarray(w0, np.float32).reshape(d, 1)
        self.decay = np.ones((d + 1, L), np.float32)
        self.decay[:-1] -= lr * np.asarray(lambdas, np.float32)
        self.thetas, self.history = [self.theta[None].copy()], [np.empty((0, 2, L), np.float32)]

    @property
    def epochs(self) -> int:
        return sum(map(len, self.history))

    def extend(self, orders) -> None:
        steps, work = (count * (self.epochs + len(orders)) for count in self.per_epoch)
        if steps > MAX_STEPS or work > BUDGET:
            raise ValueError(tr("this fit would take over {max_steps:.0e} steps or {budget:.0e} multiply-adds: use less "
                                "data", max_steps=MAX_STEPS, budget=BUDGET))
        Xa, y, theta, decay, lr, size = self.Xa, self.y, self.theta, self.decay, self.lr, self.batch_size
        n, full = len(Xa), len(Xa) - len(Xa) % size
        Y, theta_T = np.repeat(y, theta.shape[1], axis=1), theta.T  # theta_T: a view, updated in place
        thetas = np.empty((len(orders), *theta.shape), np.float32)
        for epoch, order in enumerate(orders):
            order = np.asarray(order)
            X_epoch, y_epoch = Xa[order], Y[order]
            # residual = X_B @ theta - y_B, then theta <- decay * theta - scaled_B^T @ residual. Direct BLAS
            # calls cost less per step than NumPy's operators and, made as NumPy makes them (on transposes:
            # its arrays are row-major), give NumPy's bits for two λ or more (one column takes another path).
            batches = (A[:full].reshape(-1, size, A.shape[1]).transpose(0, 2, 1)  # batch k: rows as columns
                       for A in (X_epoch, y_epoch, X_epoch * np.float32(lr / size)))
            for X_B, y_B, scaled_B in zip(*batches):
                residual_T = sgemm(1.0, theta_T, X_B, -1.0, y_B)
                np.multiply(theta, decay, out=theta)
                sgemm(-1.0, residual_T, scaled_B, 1.0, theta_T, 0, 1, 1)  # trans_b, overwrite_c
            if full < n:  # a last, smaller batch, with NumPy's operators (a one-row product takes another path)
                residual = X_epoch[full:] @ theta - y_epoch[full:, :1]
                theta *= decay
                theta -= (X_epoch[full:] * np.float32(lr / (n - full))).T @ residual
            thetas[epoch] = theta
        # The loss after each epoch, for all epochs at once: each one's products are the same as alone.
        self.history.append(np.stack([((A @ thetas - t) ** 2 / 2).mean(1) for A, t in
                                      ((Xa, y), (self.Xt, self.y_test))], axis=1))
        self.thetas.append(thetas)

    def fit(self, epochs: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        theta = np.concatenate(self.thetas)[epochs]
        return (torch.from_numpy(theta[:-1].copy()), torch.from_numpy(theta[-1].copy()),
                torch.from_numpy(np.concatenate(self.history)[:epochs]))


CURVES_RECT, HIST_RECT = (0.075, 0.15, 0.46, 0.7), (0.635, 0.15, 0.345, 0.7)  # in the background and live
EDGES = np.logspace(-6, 1, 43)  # |w| bins, 6 per decade; smaller weights go to the first bin
STARTS = {"N(0, 1)": 1.0, "N(0, 0.01²)": 0.01}
RUNS = 4  # runs a DecayPlot keeps: an epochs change, or a return to a recent setting, trains nothing new


def _axes(fig: Figure):
    curves, hist = fig.add_axes(CURVES_RECT), fig.add_axes(HIST_RECT)
    curves.set(yscale="log", xlim=(0, 200), ylim=(1e-8, 1e3), xlabel=tr_figure("epoch"), ylabel=tr_figure("loss"))
    hist.set(xscale="log", xlim=(EDGES[0], EDGES[-1]), ylim=(0, 64), xlabel=tr_figure("|weight| (dotted: true 0.01)"),
             ylabel=tr_figure("count"), title=tr_figure("size of the learned weights"))
    return curves, hist


def _background(fig: Figure, key=None) -> None:
    """Axes, ticks and legend: what stays while the curves and the histogram change."""
    curves, hist = _axes(fig)
    for style, color, label in (("-", "C0", "train"), ("--", "C1", "test"), (":", "gray", "test, λ = 0")):
        curves.plot([], [], style, color=color, label=tr_figure(label))
    for axis, ticks in ((curves.yaxis, 7), (hist.xaxis, 5)):
        axis.set(major_locator=LogLocator(numticks=ticks), minor_formatter=NullFormatter(),
                 major_formatter=LogFormatter(labelOnlyBase=True))
    curves.legend(fontsize=8, ncols=3, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False)
    hist.axvline(0.01, color="black", linewidth=0.8, linestyle=":")
    hist.yaxis.set_major_locator(MaxNLocator(5, integer=True))


class DecayPlot:
    """``render(fig, lambd, epochs, n_train, start)``: loss per epoch for λ and λ = 0 (left), the histogram
    of ``|w|`` (right), over a Backdrop of the axes, ticks and legend."""

    def __init__(self, data, seed: int) -> None:
        self.data, self.seed, self.artists = data, seed, None
        self.kept = functools.lru_cache(maxsize=RUNS)(self.start_run)  # a kept Run goes on where it stopped

    def start_run(self, lambd: float, n_train: int, start: str) -> tuple[Run, torch.Generator]:
        """A Run of these settings and its generator: the seed's generator draws the start ``w0``, then one
        order per epoch, so that a run with more epochs begins as one with fewer."""
        X, y, X_test, y_test = self.data
        generator = torch.Generator().manual_seed(self.seed)
        w0 = torch.randn(X.shape[1], 1, generator=generator) * STARTS[start]
        return Run(X[:n_train], y[:n_train], X_test, y_test, [lambd, 0.0], w0), generator

    def __call__(self, fig: Figure, lambd: float, epochs: int, n_train: int, start: str) -> str:
        if self.artists is None:
            self.backdrop = fig.add_artist(Backdrop(_background))
            curves, hist = _axes(fig)
            for ax in (curves, hist): ax.set_axis_off()
            hist.set_title("")  # drawn in the background; placing a title measures the axes' tick labels
            self.artists = [curves.plot([], [], style, color=color)[0] for style, color in
                            (("-", "C0"), ("--", "C1"), (":", "gray"))]
            self.artists.append(hist.stairs(np.zeros(len(EDGES) - 1), EDGES, fill=True, alpha=0.8))
        self.backdrop.show()
        run, generator = self.kept(lambd, n_train, start)
        if run.epochs < epochs:
            run.extend([torch.randperm(n_train, generator=generator) for _ in range(epochs - run.epochs)])
        weights, _, history = run.fit(epochs)
        curves = (history[:, 0, 0], history[:, 1, 0], history[:, 1, 1])
        for line, curve in zip(self.artists, curves):
            line.set_data(np.arange(1, epochs + 1), curve.numpy())
        w = weights[:, 0]
        counts = np.histogram(w.abs().double().clamp(EDGES[0], EDGES[-1]).numpy(), bins=EDGES)[0]
        self.artists[3].set_data(counts, EDGES)
        train, test, reference = (curve[-1] for curve in curves)
        return tr("λ = {lambd:.3g}, {epochs} epochs, n_train = {n_train}, start {start}: train {train:.4f}, "
                  "test {test:.4f} (λ = 0: {reference:.4g}), ‖w‖ = {norm:.3f}, {small}/{total} weights < 0.01",
                  lambd=lambd, epochs=epochs, n_train=n_train, start=start, train=train, test=test,
                  reference=reference, norm=w.norm(), small=(w.abs() < 0.01).sum(), total=len(w))


class DecayPanel(Panel):
    """λ (log slider), epochs, n_train and the initial weights for d2l's regression. ``data`` is
    ``(X, y, X_test, y_test)`` with at least 200 training rows; the first ``n_train`` are used."""

    def __init__(self, data, seed: int = SEED) -> None:
        if len(data[0]) < 200:
            raise ValueError(tr("data must hold at least 200 training examples, got {n}", n=len(data[0])))
        slider = dict(continuous_update=False)
        controls = {"lambd": ipywidgets.FloatLogSlider(value=3.0, base=10, min=-2, max=2.5, step=0.125,
                                                       description="λ", readout_format=".3g", **slider),
                    "epochs": ipywidgets.IntSlider(value=100, min=10, max=200, step=10, description="epochs", **slider),
                    "n_train": ipywidgets.IntSlider(value=20, min=10, max=200, step=10, description="n_train", **slider),
                    "start": ipywidgets.Dropdown(options=list(STARTS), description="start w")}
        super().__init__("Weight decay on d2l's regression", controls, DecayPlot(data, seed), figsize=(8.6, 3.2))
