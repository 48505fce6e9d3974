"""Chapter 3, tied parameters: d2l's MLP with a shared layer, its gradients, the widget and the exercises.

In d2l's tied MLP the hidden ``nn.Linear(8, 8)`` sits at positions 2 and 4 of the
``nn.Sequential``. Tied, it is one layer used twice; untied, two layers that start
from the same values. The gradient of the tied layer is the sum of the gradients
the two untied layers receive.

>>> report = gradient_report(tied=True, layer=2)
>>> report.same_object, report.n_params, report.uses
(True, 121, (2, 4))
>>> bool(torch.allclose(report.grad, report.parts[2] + report.parts[4]))
True
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import ipywidgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from helpers.checks import module as check_module
from helpers.exercises import CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion, describe
from helpers.widgets import Panel

#: Positions of the ``nn.Linear`` layers in :func:`tied_mlp`; 2 and 4 are the shared pair.
LAYERS = (0, 2, 4, 6)


def _check_bool(value, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")


def _check_seed(seed) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int between 0 and 2**32 - 1, got {seed!r}")


def tied_mlp(tied: bool = True, seed: int = 0) -> nn.Sequential:
    """d2l's MLP ``Linear(4, 8), ReLU, shared, ReLU, shared, ReLU, Linear(8, 1)``.

    With ``tied=False`` positions 2 and 4 hold two separate ``Linear(8, 8)`` layers that
    start from the same values, so the two nets compute the same function. The global
    random state is left untouched.

    >>> net, untied = tied_mlp(), tied_mlp(tied=False)
    >>> net[2] is net[4], untied[2] is untied[4]
    (True, False)
    >>> torch.equal(tied_mlp(tied=False)[4].weight, tied_mlp()[4].weight)
    True
    """
    _check_bool(tied, "tied")
    _check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        first, shared, last = nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 1)
    second = shared if tied else copy.deepcopy(shared)
    return nn.Sequential(first, nn.ReLU(), shared, nn.ReLU(), second, nn.ReLU(), last)


def example_input(seed: int = 0) -> torch.Tensor:
    """The minibatch (16 standard-normal examples, 4 features) that the widget feeds to :func:`tied_mlp`.

    >>> example_input().shape
    torch.Size([16, 4])
    """
    _check_seed(seed)
    return torch.randn(16, 4, generator=torch.Generator().manual_seed(seed))


def count_parameters(model: nn.Module, *, remove_duplicate: bool = True) -> int:
    """Number of parameter entries of ``model``; a shared parameter counts once unless
    ``remove_duplicate=False``, which counts it at every place it is registered.

    >>> count_parameters(tied_mlp()), count_parameters(tied_mlp(), remove_duplicate=False)
    (121, 193)
    """
    check_module(model)
    _check_bool(remove_duplicate, "remove_duplicate")
    return sum(p.numel() for _, p in model.named_parameters(remove_duplicate=remove_duplicate))


@dataclass(frozen=True)
class GradientReport:
    """What the widget shows for one choice of its controls.

    ``parts[position]`` is the weight gradient that the computation at ``position``
    produces (measured on an untied copy with the same values): for the hidden layers
    both positions 2 and 4, otherwise only the chosen one. ``uses`` are the positions that
    use the chosen layer's weight, so ``grad``, the ``.grad`` it holds after ``backward()``,
    is the sum of ``parts`` over ``uses``.
    """

    tied: bool
    layer: int
    same_object: bool
    n_params: int
    uses: tuple[int, ...]
    parts: dict[int, torch.Tensor]
    grad: torch.Tensor


def gradient_report(tied: bool = True, layer: int = 2, seed: int = 0) -> GradientReport:
    """Backpropagate ``net(X).sum()`` through :func:`tied_mlp` and split ``net[layer]``'s
    weight gradient into one part per use, measured on an untied copy with the same values.

    >>> report = gradient_report(tied=False, layer=4)
    >>> report.same_object, report.n_params, report.uses, sorted(report.parts)
    (False, 193, (4,), [2, 4])
    >>> torch.equal(report.grad, report.parts[4])
    True
    >>> gradient_report(tied=True, layer=0).uses
    (0,)
    """
    _check_bool(tied, "tied")
    if isinstance(layer, bool) or layer not in LAYERS:
        raise ValueError(f"layer must be one of the Linear positions {list(LAYERS)}, got {layer!r}")
    _check_seed(seed)
    X = example_input(seed)
    net, untied = tied_mlp(tied, seed), tied_mlp(False, seed)
    net(X).sum().backward()
    untied(X).sum().backward()
    shown = (2, 4) if layer in (2, 4) else (layer,)
    return GradientReport(
        tied=tied,
        layer=layer,
        same_object=net[2] is net[4],
        n_params=count_parameters(net),
        uses=tuple(position for position in LAYERS if net[position] is net[layer]),
        parts={position: untied[position].weight.grad.clone() for position in shown},
        grad=net[layer].weight.grad.clone(),
    )


def format_report(report: GradientReport) -> str:
    """One line of text for a :class:`GradientReport`, as the widget prints it.

    >>> format_report(gradient_report(tied=True, layer=4))[:58]
    'tied: net[2] is net[4] -> True; 121 parameters; net[4].wei'
    """
    if not isinstance(report, GradientReport):
        raise TypeError(f"report must be a GradientReport from gradient_report(), got {describe(report)}")
    state = "tied" if report.tied else "untied"
    uses = " + ".join(f"use at net[{p}]" for p in report.uses)
    largest = report.grad.abs().max().item()
    return (f"{state}: net[2] is net[4] -> {report.same_object}; {report.n_params} parameters; "
            f"net[{report.layer}].weight.grad = {uses}; max |grad| {largest:.4f}")


def _heatmap_axes(fig):
    """Three heatmaps and a colour bar, made once per figure and then updated in place.
    The heatmaps have no ticks: laying out tick labels is most of the drawing time."""
    if len(fig.axes) == 4:
        return fig.axes[:3], fig.axes[3]
    fig.clear()
    fig.set_layout_engine("none")
    axes = [fig.add_axes((0.03 + 0.29 * k, 0.13, 0.23, 0.7)) for k in range(3)]
    colorbar_axes = fig.add_axes((0.91, 0.13, 0.015, 0.7))
    for ax in axes:
        image = ax.imshow(np.zeros((8, 8)), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_axis_off()
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, linewidth=0.8,
                               edgecolor="0.3", clip_on=False))
    fig.colorbar(image, cax=colorbar_axes).ax.tick_params(labelsize=7)
    for x, sign in ((0.29, "+"), (0.58, "=")):
        fig.text(x, 0.48, sign, fontsize=16, ha="center", va="center")
    fig.text(0.45, 0.03, "", fontsize=8, ha="center", va="bottom", color="0.3", gid="shape")
    fig.text(0.435, 0.48, "", fontsize=9, ha="center", va="center", color="0.4", gid="note")
    return axes, colorbar_axes


def draw_gradients(fig, tied: bool, layer: int) -> str:
    """Draw ``net[layer]``'s weight gradient on ``fig`` as heatmaps: the part from each
    position (faded when it is not added), then the ``.grad`` the layer holds.
    Returns the :func:`format_report` line.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> draw_gradients(fig, True, 2).startswith("tied"), [ax.get_title() for ax in fig.axes[:3]]
    (True, ['use at net[2]', 'use at net[4]', '= net[2].weight.grad'])
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {describe(fig)}")
    report = gradient_report(tied, layer)
    axes, colorbar_axes = _heatmap_axes(fig)
    positions = list(report.parts)
    second = positions[1] if len(positions) > 1 else None
    tiles = [(positions[0], report.parts[positions[0]]),
             (second, None if second is None else report.parts[second]),
             ("total", report.grad)]
    limit = max(max(t.abs().max().item() for _, t in tiles if t is not None), 1e-8)
    for ax, (position, values) in zip(axes, tiles):
        ax.set_visible(values is not None)
        if values is None:
            continue
        rows, cols = values.shape
        image = ax.images[0]
        image.set_data(values.numpy())
        image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        image.set_clim(-limit, limit)
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        added = position == "total" or position in report.uses
        image.set_alpha(1.0 if added else 0.25)
        if position == "total":
            title = f"= net[{layer}].weight.grad"
        elif added:
            title = f"use at net[{position}]"
        else:
            title = f"net[{position}]: own layer, not added"
        # A fixed y skips matplotlib's automatic title placement, a costly search.
        ax.set_title(title, fontsize=9, color="black" if added else "0.5", y=1.02)
    colorbar_axes.set_yticks([-limit, 0, limit], [f"{-limit:.3f}", "0", f"{limit:.3f}"])
    plus = next(text for text in fig.texts if text.get_text() == "+")
    plus.set_visible(len(report.uses) > 1)
    shape = next(text for text in fig.texts if text.get_gid() == "shape")
    shape.set_text(f"net[{layer}].weight: {rows} x {cols} (rows: output units, columns: input units)")
    note = next(text for text in fig.texts if text.get_gid() == "note")
    note.set_text("" if second is not None else f"net[{layer}] is used once:\nits .grad is\nthat use's gradient")
    return format_report(report)


def demo_panel() -> Panel:
    """The chapter's widget: tie or untie net[2] and net[4], pick a Linear layer, and see the
    parameter count, whether the two are one object, and the chosen layer's weight gradient.

    >>> panel = demo_panel()
    >>> panel.set(tied=False, layer=2); panel.text[:38]
    'untied: net[2] is net[4] -> False; 193'
    """
    tied = ipywidgets.Checkbox(value=True, description="tie net[2] and net[4]", indent=False)
    layer = ipywidgets.Dropdown(options=[(f"net[{p}]", p) for p in LAYERS], value=2,
                                description="layer")
    return Panel("Tied or untied: the weight gradient of one layer",
                 {"tied": tied, "layer": layer}, draw_gradients, figsize=(8.0, 2.6))


# ----------------------------------------------------------------------------- exercises

def _saved_by_tying_reference(model):
    return (sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
            - sum(p.numel() for p in model.parameters()))


class _TiedLM(nn.Module):
    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim)
        self.out = nn.Linear(dim, vocab_size, bias=False)
        self.out.weight = self.emb.weight


def _saved_cases():
    shared = nn.Linear(8, 8)
    thrice = nn.Linear(3, 3)
    return [
        (tied_mlp(),),
        (tied_mlp(tied=False),),
        (nn.Sequential(nn.Linear(4, 8), shared, nn.Linear(8, 8), shared),),
        (nn.Sequential(thrice, nn.Tanh(), thrice, nn.Tanh(), thrice),),
        (_TiedLM(50, 6),),
    ]


def _tie_cases():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        long = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(),
                             nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 2))
        short = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
        X_long, X_short = torch.randn(6, 3), torch.randn(6, 4)
    return [(long, 2, 4, X_long, 62), (short, 0, 2, X_short, 25)]


def _verify_tie_layers(fn) -> str | None:
    if not callable(fn) or isinstance(fn, type):
        return f"expected a function tie_layers(net, i, j), got {describe(fn)}"
    for net, i, j, X, n_params in _tie_cases():
        kept = [p.detach().clone() for p in net[i].parameters()]
        untouched = net[j].weight
        call = f"tie_layers(net, {i}, {j})"
        try:
            returned = fn(net, i, j)
        except Exception as error:
            return f"{call} raised {type(error).__name__}: {error}"
        if isinstance(returned, nn.Sequential):
            net = returned
        if not isinstance(getattr(net[j], "weight", None), torch.Tensor):
            return f"after {call}, net[{j}] is no longer a layer with a weight"
        if net[j].weight is not net[i].weight:
            if torch.equal(net[j].weight, net[i].weight):
                return (f"after {call}, net[{j}].weight has the same values as net[{i}].weight but "
                        "is a different object: copying values is not tying")
            return f"after {call}, net[{j}].weight is not net[{i}].weight"
        if net[j].bias is not net[i].bias:
            return f"after {call}, the weights are shared but net[{j}].bias is not net[{i}].bias"
        if net[i].weight is untouched:
            return (f"after {call}, both layers hold net[{j}]'s old weight: net[{j}] should take "
                    f"net[{i}]'s parameters, not the other way round")
        if not all(torch.equal(p, k) for p, k in zip(net[i].parameters(), kept)):
            return f"after {call}, net[{i}]'s values changed: net[{i}] should keep its parameters"
        total = sum(p.numel() for p in net.parameters())
        if total != n_params:
            return f"after {call}, the net has {total} parameter entries, expected {n_params}"
        untied = nn.Sequential(*[copy.deepcopy(m) for m in net])
        net(X).sum().backward()
        untied(X).sum().backward()
        if not torch.allclose(net[i].weight.grad, untied[i].weight.grad + untied[j].weight.grad,
                              atol=1e-6):
            return (f"after {call}, net[{i}].weight.grad is not the sum of the gradients of its "
                    "two uses")
    return None


QUESTIONS = [
    ValueQuestion(
        """
        How many parameter entries does this net have, as `sum(p.numel() for p in
        net.parameters())` counts them? Work it out by hand, then assign it to `n_params`.

        ```python
        shared = nn.Linear(16, 16)
        net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), shared, nn.ReLU(), shared,
                            nn.ReLU(), shared, nn.Linear(16, 2))
        ```
        """,
        answer_name="n_params",
        expected=482,
        hint="A Linear(in, out) has in * out + out entries. `parameters()` lists the shared layer "
             "once, however many times the net uses it.",
        solution="""
        shared = nn.Linear(16, 16)
        net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), shared, nn.ReLU(), shared,
                            nn.ReLU(), shared, nn.Linear(16, 2))
        n_params = sum(p.numel() for p in net.parameters())  # 176 + 272 (once) + 34
        """,
    ),
    ValueQuestion(
        """
        A `nn.Linear(1, 1, bias=False)` with weight 3 is applied twice to the input 2:

        ```python
        shared = nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            shared.weight.fill_(3.0)
        net = nn.Sequential(shared, shared)
        net(torch.tensor([[2.0]])).sum().backward()
        ```
        What is `shared.weight.grad`? Assign the number to `grad`.
        """,
        answer_name="grad",
        expected=12.0,
        hint="The output is w * (w * x). Each use contributes (what the other use multiplies) "
             "times its own input; add the two.",
        solution="""
        shared = nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            shared.weight.fill_(3.0)
        net = nn.Sequential(shared, shared)
        net(torch.tensor([[2.0]])).sum().backward()
        grad = shared.weight.grad.item()  # inner use: w * x = 6, outer use: w * x = 6
        """,
    ),
    FunctionQuestion(
        """
        Write `saved_by_tying(model)`: how many parameter entries sharing saves in `model`, that
        is, how many more entries the model would have if every place that registers a shared
        parameter held its own copy. For d2l's tied MLP it is 72; for a model without
        sharing, 0.
        """,
        answer_name="saved_by_tying",
        reference=_saved_by_tying_reference,
        cases=_saved_cases,
        hint="`named_parameters(remove_duplicate=False)` lists a shared parameter at every name it "
             "has; `parameters()` lists it once. Subtract the two counts.",
        solution="""
        def saved_by_tying(model):
            every_place = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
            once = sum(p.numel() for p in model.parameters())
            return every_place - once
        """,
    ),
    CodeQuestion(
        """
        Write `tie_layers(net, i, j)` that ties layer `j` of a `nn.Sequential` to layer `i`:
        afterwards `net[j]` computes with `net[i]`'s weight and bias (one object each), `net[i]`
        keeps its values, and the gradients of the two uses add up. It may change `net` in place
        and return nothing, or return the net.
        """,
        answer_name="tie_layers",
        verify=_verify_tie_layers,
        hint="Assigning a module to an index of a `nn.Sequential` replaces that layer; assigning a "
             "Parameter to a layer's attribute replaces that parameter.",
        solution="""
        def tie_layers(net, i, j):
            net[j] = net[i]  # or: net[j].weight = net[i].weight; net[j].bias = net[i].bias
            return net
        """,
    ),
    ThoughtQuestion(
        """
        Why does a tied parameter receive the *sum* of the gradients of its uses? With plain
        SGD, what does that mean for a layer used `k` times compared with a layer used once,
        and why must the optimizer hold the shared parameter only once?
        """,
        answer_name="thoughts",
        hint="Think of the loss as a function of k copies of the weight that happen to be equal, "
             "and apply the chain rule (the multivariable one).",
        solution="""
        Write the loss as L(w_1, ..., w_k) with every w_i set to the same w. By the multivariable
        chain rule dL/dw = sum_i dL/dw_i: each use contributes the gradient it would receive as a
        separate layer, and autograd accumulates them into the one .grad because all k uses
        point at the same tensor. With plain SGD the step is -lr * (sum of the k gradients):
        when the uses pull the same way, the shared weight moves about k times as far as a
        layer used once, as if its learning rate were k times larger. That is the right
        gradient for the tied model, but a reason to watch the learning rate when one matrix
        is reused many times. The optimizer must hold the
        parameter once: net.parameters() already removes duplicates, and a parameter listed
        twice would be stepped twice (PyTorch warns about duplicate parameters), doubling the
        update.
        """,
    ),
]
