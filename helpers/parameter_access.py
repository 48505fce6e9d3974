"""Chapter 1, parameter access: the engine behind the parameter explorer widget."""

from __future__ import annotations

import re

import ipywidgets
import torch
from matplotlib.ticker import MaxNLocator
from torch import nn

from helpers.session import tr, tr_figure
from helpers.plots import histogram, why_no_values
from helpers.widgets import Panel


def parameter_summary(model: nn.Module, name: str) -> dict:
    """Shape, entry count, NaN/inf counts and rounded statistics of the finite entries of ``name``.

    >>> layer = nn.Linear(2, 3)
    >>> with torch.no_grad():
    ...     _ = layer.weight.fill_(0.5)
    >>> parameter_summary(layer, "weight")
    {'name': 'weight', 'shape': (3, 2), 'numel': 6, 'mean': 0.5, 'std': 0.0, 'min': 0.5, 'max': 0.5, 'nan': 0, 'inf': 0, 'requires_grad': True, 'has_grad': False, 'note': None}
    """
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
    # Fixed margins: a layout engine would measure every label again on each update.
    ax = fig.axes[0] if fig.axes else fig.add_axes((0.12, 0.17, 0.85, 0.72))
    ax.clear()
    ax.set(title=f"{name}  {'?' if summary['shape'] is None else list(summary['shape'])}", ylabel=tr_figure("count"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if summary["note"]:
        reason = re.split("[:：]", summary["note"])[0]
        ax.set_xlabel(tr_figure("no values: {name} {reason}", name=name, reason=reason), color="firebrick")
    else:
        hist = histogram(dict(model.named_parameters())[name], bins=bins)
        ax.stairs(hist.counts, hist.edges, fill=True, alpha=0.8)
        ax.set_xlabel(tr_figure("value   {note}", note=hist.note), color="firebrick" if hist.note else "black")
    return format_summary(summary)


def parameter_explorer(model: nn.Module, bins: int = 20) -> Panel:
    """A dropdown of ``model``'s parameter names; shows the chosen one's histogram and statistics.

    >>> panel = parameter_explorer(nn.Linear(3, 2))
    >>> panel.set(name="bias"); panel.text.split(":")[0]
    'bias'
    """
    names = [name for name, _ in model.named_parameters()]
    if not names:
        raise ValueError(tr("model must have parameters to explore, got a {kind} with none", kind=type(model).__name__))
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 200:
        raise ValueError(tr("bins must be an int between 1 and 200, got {bins!r}", bins=bins))
    dropdown = ipywidgets.Dropdown(options=names, value=names[0], description="parameter")
    return Panel("Parameter explorer", {"name": dropdown}, lambda fig, name: draw_parameter(fig, model, name, bins),
                 figsize=(5.5, 3.0), layout=None)
