"""Figures used across chapters. Each function returns the figure and the data it drew,
so a test can check the numbers without looking at pixels.

>>> from torch import nn
>>> fig, data = param_histograms(nn.Linear(4, 3), bins=5)
>>> sorted(data)
['bias', 'weight']
>>> int(data["weight"].counts.sum())
12
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


@dataclass(frozen=True)
class Histogram:
    """Counts and bin edges of one histogram, as drawn."""

    counts: np.ndarray
    edges: np.ndarray


def histogram(values: torch.Tensor, bins: int = 30) -> Histogram:
    """Histogram of a tensor's values (any shape), detached from autograd.

    >>> histogram(torch.tensor([0.0, 1.0, 1.0]), bins=2).counts.tolist()
    [1, 2]
    """
    if not isinstance(values, torch.Tensor):
        raise TypeError(f"values must be a torch.Tensor, got {type(values).__name__}")
    if values.numel() == 0:
        raise ValueError("values must hold at least one element, got an empty tensor")
    _check_bins(bins)
    flat = values.detach().to(torch.float64).flatten().cpu().numpy()
    counts, edges = np.histogram(flat, bins=bins)
    return Histogram(counts, edges)


def _check_bins(bins) -> None:
    if isinstance(bins, bool) or not isinstance(bins, int):
        raise TypeError(f"bins must be an int, got {type(bins).__name__}")
    if not 1 <= bins <= 1000:
        raise ValueError(f"bins must be between 1 and 1000, got {bins}")


def param_histograms(model: torch.nn.Module, bins: int = 30, *, names: Sequence[str] | None = None,
                     columns: int = 4) -> tuple[Figure, dict[str, Histogram]]:
    """One histogram per parameter of ``model`` (or of the parameters in ``names``).

    >>> from torch import nn
    >>> fig, data = param_histograms(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1)), names=["1.weight"])
    >>> list(data)
    ['1.weight']
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_bins(bins)
    if isinstance(columns, bool) or not isinstance(columns, int) or not 1 <= columns <= 8:
        raise ValueError(f"columns must be an int between 1 and 8, got {columns!r}")
    params = dict(model.named_parameters())
    if not params:
        raise ValueError("model must have at least one parameter, got a module with none")
    if names is None:
        chosen = list(params)
    else:
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError("names must be a list of parameter names (str)")
        unknown = [n for n in names if n not in params]
        if unknown:
            raise ValueError(f"names must be parameter names of the model ({list(params)}), got {unknown}")
        chosen = list(names)
    data = {name: histogram(params[name], bins) for name in chosen}
    columns = min(columns, len(chosen))
    rows = math.ceil(len(chosen) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 2.1 * rows),
                             squeeze=False, layout="constrained")
    for ax, (name, hist) in zip(axes.flat, data.items()):
        ax.stairs(hist.counts, hist.edges, fill=True, alpha=0.8)
        ax.set_title(f"{name} {list(params[name].shape)}", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in list(axes.flat)[len(chosen):]:
        ax.set_visible(False)
    return fig, data


def loss_curves(curves: Mapping[str, Sequence[float]], *, xlabel: str = "epoch", ylabel: str = "loss",
                logy: bool = True, title: str | None = None) -> tuple[Figure, dict[str, np.ndarray]]:
    """Plot named loss curves against their step number (1, 2, ...).

    >>> fig, data = loss_curves({"train": [1.0, 0.5], "test": [1.2, 0.9]})
    >>> data["train"].tolist()
    [1.0, 0.5]
    """
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves must be a non-empty dict of name -> list of numbers")
    data = {}
    for name, values in curves.items():
        if not isinstance(name, str):
            raise TypeError(f"curves keys must be str names, got {type(name).__name__}")
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"curves[{name!r}] must be a list of numbers") from None
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"curves[{name!r}] must be a non-empty 1-D list of numbers, got shape {list(array.shape)}")
        if logy and (array <= 0).any():
            raise ValueError(f"curves[{name!r}] must be positive when logy=True")
        data[name] = array
    fig, ax = plt.subplots(layout="constrained")
    for name, array in data.items():
        ax.plot(np.arange(1, array.size + 1), array, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return fig, data
