"""Figures several chapters share. Each returns the data it drew, so tests check numbers, not pixels.

>>> from torch import nn
>>> fig, data = param_histograms(nn.Linear(4, 3), bins=5)
>>> sorted(data), int(data["weight"].counts.sum())
(['bias', 'weight'], 12)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch.nn.parameter import UninitializedParameter

from helpers.session import tr


@dataclass(frozen=True)
class Histogram:
    """Counts and bin edges of the finite values, as drawn; NaN and infinities counted apart."""

    counts: np.ndarray
    edges: np.ndarray
    nan: int = 0
    inf: int = 0

    @property
    def note(self) -> str:
        """'' when every value is drawn, else what is missing, e.g. '2 NaN, 1 inf not drawn'."""
        parts = [tr("{n} {label}", n=n, label=label) for n, label in ((self.nan, "NaN"), (self.inf, "inf")) if n]
        if parts:
            return tr("{parts} not drawn", parts=tr(", ").join(parts))
        return "" if self.counts.sum() else tr("no entries")


def histogram(values: torch.Tensor, bins: int = 30) -> Histogram:
    """Histogram of a tensor's finite values (any shape), detached from autograd."""
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 1000:
        raise ValueError(tr("bins must be an int between 1 and 1000, got {bins!r}", bins=bins))
    flat = values.detach().to(torch.float64).flatten().cpu().numpy()
    counts, edges = np.histogram(flat[np.isfinite(flat)], bins=bins)
    return Histogram(counts, edges, nan=int(np.isnan(flat).sum()), inf=int(np.isinf(flat).sum()))


def why_no_values(param: torch.Tensor) -> str | None:
    """Why ``param`` holds no values yet (a lazy layer, the meta device), or None when it does."""
    if isinstance(param, UninitializedParameter):
        return tr("is not initialized yet (a lazy layer): run one forward pass, e.g. model(X), first")
    if param.is_meta:
        return tr("lives on the meta device: it has a shape but no values (model.to_empty(device='cpu') allocates them)")
    return None


def param_histograms(model: torch.nn.Module, bins: int = 30, *, names: Sequence[str] | None = None,
                     columns: int = 4) -> tuple[Figure, dict[str, Histogram]]:
    """One histogram per parameter of ``model`` (or of those in ``names``), titled with its shape."""
    params = dict(model.named_parameters())
    chosen = list(params) if names is None else [names] if isinstance(names, str) else list(names)
    unknown = [name for name in chosen if name not in params]
    if not chosen or unknown:
        raise ValueError(tr("names must be parameter names of the model ({names}), got {unknown}", names=list(params),
                            unknown=unknown or tr("none")))
    for name in chosen:
        if why_no_values(params[name]):
            raise ValueError(tr("cannot draw {name}: it {reason}", name=name, reason=why_no_values(params[name])))
    if isinstance(columns, bool) or not isinstance(columns, int) or not 1 <= columns <= 8:
        raise ValueError(tr("columns must be an int between 1 and 8, got {columns!r}", columns=columns))
    data = {name: histogram(params[name], bins) for name in chosen}
    columns = min(columns, len(chosen))
    fig, axes = plt.subplots(math.ceil(len(chosen) / columns), columns, squeeze=False, layout="constrained",
                             figsize=(2.6 * columns, 2.1 * math.ceil(len(chosen) / columns)))
    for ax, (name, hist) in zip(axes.flat, data.items()):
        ax.stairs(hist.counts, hist.edges, fill=True, alpha=0.8)
        ax.set_title(f"{name} {list(params[name].shape)}", fontsize=9)
        ax.set_xlabel(hist.note, fontsize=8, color="firebrick")
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in list(axes.flat)[len(chosen):]:
        ax.set_visible(False)
    return fig, data
