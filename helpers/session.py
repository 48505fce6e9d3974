"""Make a notebook's printed output the same on every run and every machine."""

from __future__ import annotations

import numbers
import random
import warnings

import numpy as np
import torch

# Warnings whose text carries a file path or depends on the machine; each is named,
# so any other warning still reaches the learner.
_MACHINE_DEPENDENT_WARNINGS = (
    # d2l.evaluate_loss calls float() on a tensor that requires grad (torch >= 2.14).
    "Converting a tensor with requires_grad=True to a scalar",
    # torch 2.14's forward-mode AD (torch.func.jvp) loads its rules with torch.jit.script, once.
    "`torch.jit.script` is deprecated",
)


def setup(seed: int = 0) -> None:
    """Seed every generator, use one CPU thread, fix print options and use PNG figures.

    >>> setup(seed=0)
    >>> torch.get_num_threads()
    1
    >>> round(torch.rand(1).item(), 4)
    0.4963
    """
    wanted = "helpers.setup(seed) takes a whole number from 0 to 2**32 - 1, such as helpers.setup(0)"
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{wanted}; got {seed!r} ({type(seed).__name__})")
    if not 0 <= seed < 2**32:
        raise ValueError(f"{wanted}; got {seed}")
    seed = int(seed)

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # Float sums are reduced in a different order with more threads, which changes
    # the last printed digits from one machine to the next.
    torch.set_num_threads(1)
    torch.set_printoptions(precision=4, sci_mode=False, linewidth=88)

    for message in _MACHINE_DEPENDENT_WARNINGS:
        warnings.filterwarnings("ignore", message=message)

    _use_png_figures()


def _use_png_figures() -> None:
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.rcParams.update({"figure.figsize": (5.5, 3.5), "figure.dpi": 100,
                         "savefig.bbox": "tight", "axes.grid": True, "grid.alpha": 0.3})
    if get_ipython() is not None:
        # PNG, not SVG: nbval compares SVG text byte for byte and SVG ids change per run.
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
