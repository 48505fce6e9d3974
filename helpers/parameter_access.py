"""Chapter 1, parameter access: histograms of a model's parameters and the parameter explorer widget.
Each figure comes with the numbers it drew, so that tests check numbers, not pixels."""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import MaxNLocator
from torch import nn
from torch.nn.parameter import UninitializedParameter

from helpers.session import tr, tr_figure
from helpers.widgets import Panel


class Histogram(NamedTuple):
    """Counts and bin edges of the finite values, as drawn; NaN and infinities counted apart; ``note``
    is '' when every value is drawn, else what is missing, e.g. '2 NaN, 1 inf not drawn'."""

    counts: np.ndarray
    edges: np.ndarray
    nan: int
    inf: int
    note: str


def histogram(values: torch.Tensor, bins: int = 30) -> Histogram:
    """Histogram of a tensor's finite values (any shape), detached from autograd."""
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 1000:
        raise ValueError(tr("bins must be an int between 1 and 1000, got {bins!r}", bins=bins))
    flat = values.detach().to(torch.float64).flatten().cpu().numpy()
    counts, edges = np.histogram(flat[np.isfinite(flat)], bins=bins)
    nan, inf = int(np.isnan(flat).sum()), int(np.isinf(flat).sum())
    note = "" if counts.sum() else tr("no entries")
    if missing := [tr("{n} {label}", n=n, label=label) for n, label in ((nan, "NaN"), (inf, "inf")) if n]:
        note = tr("{parts} not drawn", parts=tr(", ").join(missing))
    return Histogram(counts, edges, nan, inf, note)


def why_no_values(param: torch.Tensor) -> str | None:
    """Why ``param`` holds no values yet (a lazy layer, the meta device), or None when it does."""
    if isinstance(param, UninitializedParameter):
        return tr("is not initialized yet (a lazy layer): run one forward pass, e.g. model(X), first")
    if param.is_meta:
        return tr("lives on the meta device: it has a shape but no values (model.to_empty(device='cpu') allocates them)")
    return None


def param_histograms(model: nn.Module, bins: int = 30) -> tuple[plt.Figure, dict[str, Histogram]]:
    """One histogram per parameter of ``model``, titled with its shape, four to a row."""
    params = dict(model.named_parameters())
    if not params:
        raise ValueError(tr("model must have parameters to explore, got a {kind} with none", kind=type(model).__name__))
    for name, param in params.items():
        if reason := why_no_values(param):
            raise ValueError(tr("cannot draw {name}: it {reason}", name=name, reason=reason))
    data = {name: histogram(param, bins) for name, param in params.items()}
    rows, columns = math.ceil(len(params) / 4), min(4, len(params))
    fig = plt.figure(layout="constrained", figsize=(2.6 * columns, 2.1 * rows))
    for place, (name, hist) in enumerate(data.items(), start=1):
        ax = fig.add_subplot(rows, columns, place)
        ax.stairs(hist.counts, hist.edges, fill=True, alpha=0.8)
        ax.set_title(f"{name} {list(params[name].shape)}", fontsize=9)
        ax.set_xlabel(hist.note, fontsize=8, color="firebrick")
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, data


def parameter_summary(model: nn.Module, name: str) -> dict:
    """Shape, entry count, NaN/inf counts and rounded statistics of the finite entries of ``name``
    (``None`` for what a lazy or meta parameter does not have)."""
    params = dict(model.named_parameters())
    if name not in params:
        raise ValueError(tr("name must be one of the model's parameter names {names}, got {name!r}",
                            names=list(params), name=name))
    param, note = params[name], why_no_values(params[name])
    summary = dict.fromkeys(("name", "shape", "numel", "mean", "std", "min", "max", "nan", "inf"), None) | {
        "name": name, "requires_grad": param.requires_grad, "has_grad": param.grad is not None, "note": note}
    if note is None or param.is_meta:
        summary.update(shape=tuple(param.shape), numel=param.numel())
    if note is None:
        values = param.detach().to(torch.float64).flatten()
        finite = values[values.isfinite()]
        summary.update(nan=int(values.isnan().sum()), inf=int(values.isinf().sum()))
        if finite.numel():
            std = finite.std().item() if finite.numel() > 1 else 0.0
            stats = (finite.mean().item(), std, finite.min().item(), finite.max().item())
            summary.update({key: round(value, 4) for key, value in zip(("mean", "std", "min", "max"), stats)})
    return summary


def format_summary(summary: dict) -> str:
    """One line for a :func:`parameter_summary` result: what is known, then the note if any."""
    known = [f"{key} {value}" for key, value in summary.items() if value is not None and key not in ("name", "note")]
    return f"{summary['name']}: {', '.join(known)}" + (tr("; it {note}", note=summary["note"]) if summary["note"] else "")


def draw_parameter(fig, model: nn.Module, name: str, bins: int = 20) -> str:
    """Draw the histogram of parameter ``name`` on ``fig`` and return its summary line."""
    summary = parameter_summary(model, name)
    if not fig.axes:  # made once and updated: new tick objects are most of a redraw's time
        ax = fig.add_axes((0.12, 0.17, 0.85, 0.72), ylabel=tr_figure("count"))  # fixed margins: no layout pass
        ax.stairs([0.0], [0.0, 1.0], fill=True, alpha=0.8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax, bars = fig.axes[0], fig.axes[0].patches[0]
    ax.set_title(f"{name}  {'?' if summary['shape'] is None else list(summary['shape'])}")
    bars.set_visible(summary["note"] is None)
    if summary["note"]:
        reason = re.split("[:：]", summary["note"])[0]
        ax.set(xlim=(0, 1), ylim=(0, 1))  # no ranges left from the parameter shown before
        ax.set_xlabel(tr_figure("no values: {name} {reason}", name=name, reason=reason), color="firebrick")
    else:
        hist = histogram(dict(model.named_parameters())[name], bins=bins)
        bars.set_data(hist.counts, hist.edges)
        ax.set_xlabel(tr_figure("value   {note}", note=hist.note), color="firebrick" if hist.note else "black")
        ax.relim()  # the limits a fresh axes would take from the bars, even after a set() above
        ax.autoscale()
    return format_summary(summary)


def parameter_explorer(model: nn.Module, bins: int = 20) -> Panel:
    """A dropdown of ``model``'s parameter names; shows the chosen one's histogram and statistics."""
    names = [name for name, _ in model.named_parameters()]
    if not names:
        raise ValueError(tr("model must have parameters to explore, got a {kind} with none", kind=type(model).__name__))
    histogram(torch.zeros(0), bins)  # a bad bins is refused now, not at the first parameter with values
    dropdown = ipywidgets.Dropdown(options=names, value=names[0], description="parameter")
    return Panel("Parameter explorer", {"name": dropdown}, lambda fig, name: draw_parameter(fig, model, name, bins),
                 figsize=(5.5, 3.0))
