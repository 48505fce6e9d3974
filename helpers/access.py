"""Chapter 1, parameter access: the parameter explorer widget and the exercises.

>>> from torch import nn
>>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
>>> parameter_summary(net, "2.bias")["shape"]
(1,)
"""

from __future__ import annotations

import math

import ipywidgets
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from helpers.checks import module as check_module
from helpers.exercises import (CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion,
                               describe)
from helpers.plots import histogram
from helpers.widgets import Panel


def parameter_summary(model: nn.Module, name: str) -> dict:
    """Shape, element count and rounded statistics of the parameter ``name`` of ``model``.

    >>> layer = nn.Linear(2, 3)
    >>> with torch.no_grad():
    ...     _ = layer.weight.fill_(0.5)
    >>> parameter_summary(layer, "weight")
    {'name': 'weight', 'shape': (3, 2), 'numel': 6, 'mean': 0.5, 'std': 0.0, 'min': 0.5, 'max': 0.5, 'requires_grad': True, 'has_grad': False}
    """
    check_module(model)
    params = dict(model.named_parameters())
    if not isinstance(name, str):
        raise TypeError(f"name must be a parameter name (str), got {type(name).__name__}")
    if name not in params:
        raise ValueError(f"name must be one of the model's parameter names {list(params)}, got {name!r}")
    values = params[name].detach().to(torch.float64)
    std = values.std().item() if values.numel() > 1 else 0.0
    return {
        "name": name,
        "shape": tuple(values.shape),
        "numel": values.numel(),
        "mean": round(values.mean().item(), 4),
        "std": round(std, 4),
        "min": round(values.min().item(), 4),
        "max": round(values.max().item(), 4),
        "requires_grad": params[name].requires_grad,
        "has_grad": params[name].grad is not None,
    }


def format_summary(summary: dict) -> str:
    """One line of text for a :func:`parameter_summary` result.

    >>> format_summary({'name': 'w', 'shape': (2,), 'numel': 2, 'mean': 0.0, 'std': 1.0,
    ...                 'min': -1.0, 'max': 1.0, 'requires_grad': True, 'has_grad': False})
    'w: shape (2,), 2 values, mean 0.0, std 1.0, min -1.0, max 1.0, requires_grad True, grad None'
    """
    if not isinstance(summary, dict) or "name" not in summary:
        raise TypeError("summary must be a dict returned by parameter_summary")
    grad = "set" if summary["has_grad"] else "None"
    return (f"{summary['name']}: shape {summary['shape']}, {summary['numel']} values, "
            f"mean {summary['mean']}, std {summary['std']}, min {summary['min']}, "
            f"max {summary['max']}, requires_grad {summary['requires_grad']}, grad {grad}")


def draw_parameter(fig, model: nn.Module, name: str, bins: int = 20) -> str:
    """Draw the histogram of parameter ``name`` on ``fig`` and return its summary line.

    >>> from matplotlib.figure import Figure
    >>> draw_parameter(Figure(), nn.Linear(2, 1), "bias").startswith("bias: shape (1,), 1 values")
    True
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    summary = parameter_summary(model, name)
    hist = histogram(dict(model.named_parameters())[name], bins=bins)
    # Fixed margins: a layout engine would measure every label again on each update.
    ax = fig.axes[0] if fig.axes else fig.add_axes((0.12, 0.17, 0.85, 0.72))
    ax.clear()
    ax.stairs(hist.counts, hist.edges, fill=True, alpha=0.8)
    ax.set_title(f"{name}  {list(summary['shape'])}")
    ax.set_xlabel("value")
    ax.set_ylabel("count")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return format_summary(summary)


def parameter_explorer(model: nn.Module, bins: int = 20) -> Panel:
    """A dropdown of ``model``'s parameter names; shows the chosen one's histogram and statistics.

    >>> panel = parameter_explorer(nn.Linear(3, 2))
    >>> panel.set(name="bias"); panel.text.split(":")[0]
    'bias'
    """
    check_module(model)
    names = [name for name, _ in model.named_parameters()]
    if not names:
        raise ValueError("model must have at least one parameter, got a module with none")
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 200:
        raise ValueError(f"bins must be an int between 1 and 200, got {bins!r}")
    dropdown = ipywidgets.Dropdown(options=names, value=names[0], description="parameter")
    return Panel("Parameter explorer", {"name": dropdown},
                 lambda fig, name: draw_parameter(fig, model, name, bins), figsize=(5.5, 3.0),
                 layout=None)


def demo_panel() -> Panel:
    """The chapter's main widget on d2l's MLP, as the notebook shows it (used by benchmarks).

    >>> demo_panel().controls["name"].options[:2]
    ('0.weight', '0.bias')
    """
    torch.manual_seed(0)
    return parameter_explorer(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)))


# ----------------------------------------------------------------------------- exercises

def _count_parameters_reference(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _count_cases():
    frozen = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    frozen[0].requires_grad_(False)
    return [
        (nn.Linear(4, 8),),
        (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)),),
        (frozen,),
        (frozen, True),
        (nn.Conv2d(3, 4, 3),),
    ]


def _verify_bias_sum(fn) -> str | None:
    if not callable(fn):
        return f"expected a function, got {describe(fn)}"
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.ReLU(), nn.Linear(3, 1))
    got = fn(net)
    want = sum(p.detach().sum() for name, p in net.named_parameters() if name.endswith("bias"))
    if not isinstance(got, torch.Tensor) and not isinstance(got, (int, float)):
        return f"expected a number or a 0-d tensor, got {describe(got)}"
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            return f"expected a single number, got {describe(got)}"
        got = got.item()
    if not math.isclose(float(got), want.item(), rel_tol=1e-5, abs_tol=1e-6):
        return "the sum does not match the sum of every bias entry of the net"
    return None


QUESTIONS = [
    ValueQuestion(
        """
        How many parameters (weight and bias entries) does
        `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))` have?
        Assign the number to `n_params`.
        """,
        answer_name="n_params",
        expected=49,
        hint="A Linear(in, out) layer has in * out weights and out biases; ReLU has none.",
        solution="""
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        n_params = sum(p.numel() for p in net.parameters())  # 4*8 + 8 + 8*1 + 1
        """,
    ),
    ValueQuestion(
        """
        In `rgnet = nn.Sequential(block2(), nn.Linear(4, 1))`, what is the key of
        `rgnet[0][1][0].bias` in `rgnet.state_dict()`? Assign the string to `bias_key`.
        """,
        answer_name="bias_key",
        expected="0.block 1.0.bias",
        hint="Keys join the names on the path with dots; `add_module` gave the blocks "
             "names with a space, like 'block 0'.",
        solution="""
        def block1():
            return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())

        def block2():
            net = nn.Sequential()
            for i in range(4):
                net.add_module(f"block {i}", block1())
            return net

        rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
        # state_dict keys are the names named_parameters() gives
        bias_key = next(name for name, p in rgnet.named_parameters() if p is rgnet[0][1][0].bias)
        """,
    ),
    ValueQuestion(
        """
        Make a 1-D `torch.int64` tensor `sizes` holding the number of elements of each
        parameter of `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))`, in the
        order `named_parameters()` gives them.
        """,
        answer_name="sizes",
        expected=torch.tensor([32, 8, 8, 1]),
        hint="`torch.tensor([p.numel() for _, p in net.named_parameters()])` gives int64 by default.",
        solution="""
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        sizes = torch.tensor([p.numel() for _, p in net.named_parameters()])
        """,
    ),
    FunctionQuestion(
        """
        Write `count_parameters(model, trainable_only=False)` that returns how many
        parameter entries `model` has; with `trainable_only=True`, count only those with
        `requires_grad`.
        """,
        answer_name="count_parameters",
        reference=_count_parameters_reference,
        cases=_count_cases,
        hint="Loop over `model.parameters()`, add `p.numel()`, and skip `p` when "
             "`trainable_only and not p.requires_grad`.",
        solution="""
        def count_parameters(model, trainable_only=False):
            return sum(p.numel() for p in model.parameters()
                       if p.requires_grad or not trainable_only)
        """,
    ),
    CodeQuestion(
        """
        Write `bias_total(net)` returning the sum of every bias entry of `net`, as a plain
        number or a 0-d tensor. Use `named_parameters()` to find the biases.
        """,
        answer_name="bias_total",
        verify=_verify_bias_sum,
        hint="`name.endswith('bias')` picks the biases; `torch.no_grad()` keeps autograd "
             "out of a sum you only want to read.",
        solution="""
        def bias_total(net):
            with torch.no_grad():
                return sum(p.sum() for name, p in net.named_parameters() if name.endswith("bias"))
        """,
    ),
    ThoughtQuestion(
        """
        A classmate sends you `model.pt` made with `torch.save(model, "model.pt")` (the whole
        model, not its state dict). Why does `torch.load("model.pt")` refuse it in
        PyTorch 2.6 and later, and what should the two of you do instead?
        """,
        answer_name="thoughts",
        hint="What does unpickling an arbitrary object allow the file to do?",
        solution="""
        Saving a whole model pickles its Python class, and unpickling can call any function
        the file names, so loading a stranger's pickle can run their code on your machine.
        Since 2.6, torch.load defaults to weights_only=True, which only rebuilds tensors and
        plain containers and so rejects the pickled model. Share
        torch.save(model.state_dict(), path) instead, rebuild the architecture in code, and
        load with model.load_state_dict(torch.load(path, weights_only=True)). Pass
        weights_only=False only for a file you made yourself or fully trust.
        """,
    ),
]

