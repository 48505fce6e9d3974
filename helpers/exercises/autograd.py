"""Exercises of chapter 6, Autograd."""

import torch
from torch import nn

from helpers.checking import describe
from helpers.exercises import Code, Function, Thought, Value


def _cube(x):
    return x ** 3


def _damped_wave(x):
    return torch.sin(2 * x) * torch.exp(-x)


def _second_derivative_cases():
    # Every input has its own dtype, so no case depends on the global default dtype.
    return [
        (torch.sin, torch.tensor(0.5, dtype=torch.float64)),
        (_cube, torch.tensor(2.0, dtype=torch.float64)),
        (torch.tanh, torch.tensor([-1.0, 0.0, 1.5], dtype=torch.float64)),
        (_damped_wave, torch.linspace(-1, 1, 5, dtype=torch.float64)),
        (torch.sigmoid, torch.randn(2, 3, dtype=torch.float64)),
    ]


def _verify_freeze_middle(freeze_middle):
    if not callable(freeze_middle) or isinstance(freeze_middle, (type, nn.Module)):
        return f"expected a function freeze_middle(net) written with def, got {describe(freeze_middle)}"
    # Other sizes than the previous question's net, so that only the position matters.
    net = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    returned = freeze_middle(net)
    if returned is not None and returned is not net:
        return (f"freeze_middle should change net in place and return net or nothing, "
                f"but it returned {describe(returned)}")
    flags = {name: p.requires_grad for name, p in net.named_parameters()}
    if set(flags) != set(before):
        return "freeze_middle should not add, remove or rename parameters, only freeze some"
    unfrozen = [name for name in ("2.weight", "2.bias") if flags[name]]
    if unfrozen:
        return f"{' and '.join(unfrozen)} still {'requires' if len(unfrozen) == 1 else 'require'} a gradient"
    frozen_too = [name for name, flag in flags.items() if not flag and not name.startswith("2.")]
    if frozen_too:
        return f"only net[2] should be frozen, but {', '.join(frozen_too)} are frozen too"
    changed = [name for name, p in net.named_parameters() if not torch.equal(p, before[name])]
    if changed:
        return f"freezing must keep the values, but {', '.join(changed)} changed"
    net(torch.randn(4, 3)).pow(2).sum().backward()
    untrained = [name for name, p in net.named_parameters() if not name.startswith("2.") and p.grad is None]
    if untrained:
        return f"after a backward pass {', '.join(untrained)} have no gradient, so they would not train"
    return None


QUESTIONS = [
    Value(
        """
        For `x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)` and
        `y = (x * torch.exp(x)).sum()`, what is `x.grad` after `y.backward()`?
        Assign it to `grad`, as a float tensor of the shape of `x`.
        """,
        name="grad",
        expected=torch.tensor([1.0, 2 * torch.e, 3 * torch.e ** 2]),
        hint="""
        Run the three lines, or differentiate $x e^x$ with the product rule: one term for each
        factor.""",
        solution="""
        x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
        y = (x * torch.exp(x)).sum()
        y.backward()
        grad = x.grad
        """,
        wrong=[
            "grad = torch.exp(torch.tensor([0.0, 1.0, 2.0]))",
            "x = torch.tensor([0.0, 1.0, 2.0])\ngrad = x * torch.exp(x)",
            "grad = torch.tensor(1.0 + 2 * math.e + 3 * math.e ** 2)",
            """
            x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
            for _ in range(2):
                (x * torch.exp(x)).sum().backward()
            grad = x.grad
            """,
        ],
    ),
    Value(
        """
        With `x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)`, `y = x * x`,
        `u = y.detach()` and `z = u * x + y`, what is `x.grad` after `z.sum().backward()`?
        Assign it to `grad_z`, as a float tensor.
        """,
        name="grad_z",
        expected=torch.tensor([3.0, 8.0, 15.0]),
        hint="""
        `u` has the values of `y` but no history: for autograd it is a constant. Which terms
        of `z` still depend on `x`, and how?""",
        solution="""
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        u = y.detach()
        z = u * x + y
        z.sum().backward()
        grad_z = x.grad
        """,
        wrong=[
            "grad_z = torch.tensor([5.0, 16.0, 33.0])",  # as if u kept its history: 3x^2 + 2x
            "grad_z = torch.tensor([3.0, 12.0, 27.0])",
            "grad_z = torch.tensor([1.0, 4.0, 9.0])",
            "grad_z = torch.tensor([2.0, 4.0, 6.0])",
            "x = torch.tensor([1.0, 2.0, 3.0])\ngrad_z = x * x * x + x * x",
        ],
    ),
    Function(
        """
        Write `second_derivative(f, x)` that returns $f''$ at every entry of `x`, for an
        elementwise function `f` and a float64 tensor `x` of any shape, using autograd. The check
        expects autograd's exact values, not a finite difference's approximation.
        """,
        name="second_derivative",
        cases=_second_derivative_cases,
        # Every autograd route gives the reference's float64 values to the last bit; a central
        # difference of autograd's first derivative is off by more than 1e-11 at its best step.
        rtol=1e-12,
        atol=1e-14,
        hint="""
        Start from a leaf that requires a gradient, `x.detach().requires_grad_()`. The first
        derivative must itself be recorded to be differentiated again, and a vector needs a
        reduction before `torch.autograd.grad` accepts it.""",
        solution="""
        def second_derivative(f, x):
            x = x.detach().requires_grad_()
            (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
            (second,) = torch.autograd.grad(first.sum(), x)
            return second
        """,
        wrong=[
            """
            def second_derivative(f, x):
                x = x.detach().requires_grad_()
                (first,) = torch.autograd.grad(f(x).sum(), x)
                return first
            """,
            """
            def second_derivative(f, x):
                x = x.detach().requires_grad_()
                (first,) = torch.autograd.grad(f(x).sum(), x)
                (second,) = torch.autograd.grad(first.sum(), x)
                return second
            """,
            """
            def second_derivative(f, x):
                x = x.detach().requires_grad_()
                (first,) = torch.autograd.grad(f(x).sum(), x, retain_graph=True)
                (second,) = torch.autograd.grad(first.sum(), x)
                return second
            """,
            """
            def second_derivative(f, x):
                x = x.detach().requires_grad_()
                (first,) = torch.autograd.grad(f(x), x, create_graph=True)
                (second,) = torch.autograd.grad(first, x)
                return second
            """,
            """
            def second_derivative(f, x):
                x = x.detach().requires_grad_()
                f(x).sum().backward(create_graph=True)
                x.grad.sum().backward()
                return x.grad
            """,
            """
            def second_derivative(f, x):
                x = x.detach().requires_grad_()
                (first,) = torch.autograd.grad(f(x).mean(), x, create_graph=True)
                (second,) = torch.autograd.grad(first.mean(), x)
                return second
            """,
            """
            def second_derivative(f, x):
                h = 1e-4
                return (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2
            """,
            """
            def second_derivative(f, x):
                def first(point):
                    point = point.detach().requires_grad_()
                    return torch.autograd.grad(f(point).sum(), point)[0]
                h = 1e-5
                return (first(x + h) - first(x - h)) / (2 * h)
            """,
        ],
    ),
    Value(
        """
        `net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))`.
        After `net[2].requires_grad_(False)` and `net(torch.ones(3, 4)).sum().backward()`,
        which parameters have a `.grad` that is not `None`? Assign the set of their names, as
        `named_parameters()` spells them, to `with_grad`.
        """,
        name="with_grad",
        expected={"0.weight", "0.bias", "4.weight", "4.bias"},
        hint="""
        A frozen layer gets no `.grad` of its own. Must the gradient of the layers before it
        pass through it, and can it?""",
        solution="""
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
        net[2].requires_grad_(False)
        net(torch.ones(3, 4)).sum().backward()
        with_grad = {name for name, p in net.named_parameters() if p.grad is not None}
        """,
        wrong=[
            "with_grad = {'4.weight', '4.bias'}",
            "with_grad = {'0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'}",
            "with_grad = {'0.weight', '4.weight'}",
            "with_grad = {'2.weight', '2.bias'}",
            "with_grad = {'net[0].weight', 'net[0].bias', 'net[4].weight', 'net[4].bias'}",
        ],
    ),
    Code(
        """
        Write `freeze_middle(net)` that freezes the middle `Linear` layer `net[2]` of a
        five-module net like the one in the previous question (of any sizes): it keeps its
        values and gets no gradient, while `net[0]` and `net[4]` still train. Change `net` in
        place; returning it is optional.
        """,
        name="freeze_middle",
        verify=_verify_freeze_middle,
        hint="""
        Freezing is a flag on each parameter; a module can set it on all of its own
        parameters at once.""",
        solution="""
        def freeze_middle(net):
            net[2].requires_grad_(False)
            return net
        """,
        wrong=[
            "def freeze_middle(net):\n    net[2].eval()\n    return net",
            "def freeze_middle(net):\n    net[2].requires_grad = False",
            "def freeze_middle(net):\n    net[2].weight.requires_grad = False",
            "def freeze_middle(net):\n    net.requires_grad_(False)",
            "def freeze_middle(net):\n    net[1].requires_grad_(False)",
            "def freeze_middle(net):\n    for p in net[2].parameters():\n        p.grad = None",
            """
            def freeze_middle(net):
                with torch.no_grad():
                    net[2].weight.zero_()
                    net[2].bias.zero_()
                net[2].requires_grad_(False)
            """,
        ],
    ),
    Thought(
        """
        `y = x * x` for a vector `x` with `requires_grad=True`. Why does `y.backward()` fail
        with "grad can be implicitly created only for scalar outputs", and what does the
        `gradient=` argument (or `y.sum()`) supply?
        """,
        name="thoughts",
        hint="""
        What is the derivative of a vector with respect to a vector, and what shape has
        `x.grad`?""",
        solution="""
        The derivative of a vector y with respect to a vector x is a whole Jacobian matrix J,
        while x.grad has only the shape of x. Backward never builds J: it computes a
        vector-Jacobian product v^T J, starting from a v that has the shape of y. For a scalar
        output v = 1 is the obvious choice, so PyTorch fills it in; for a vector there is no
        obvious choice, so you pass it: y.backward(gradient=v). With v all ones you get the
        gradient of y.sum(), the usual choice when y holds per-example losses; other v weight
        the outputs differently (v = e_i gives the gradient of y_i alone).
        """,
    ),
]
