"""Exercises of chapter 6, Autograd."""

import torch
from torch import nn

from helpers.checking import describe
from helpers.exercises import Code, Function, Thought, Value, tr


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
        return tr("expected a function freeze_middle(net) written with def, got {got}", got=describe(freeze_middle))
    # Other sizes than the previous question's net, so that only the position matters.
    net = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    returned = freeze_middle(net)
    if returned is not None and returned is not net:
        return tr("freeze_middle should change net in place and return net or nothing, but it returned {got}",
                  got=describe(returned))
    flags = {name: p.requires_grad for name, p in net.named_parameters()}
    if set(flags) != set(before):
        return tr("freeze_middle should not add, remove or rename parameters, only freeze some")
    unfrozen = [name for name in ("2.weight", "2.bias") if flags[name]]
    if unfrozen:
        if len(unfrozen) == 1:
            return tr("{name} still requires a gradient", name=unfrozen[0])
        return tr("{first} and {second} still require a gradient", first=unfrozen[0], second=unfrozen[1])
    frozen_too = [name for name, flag in flags.items() if not flag and not name.startswith("2.")]
    if frozen_too:
        return tr("only net[2] should be frozen, but {names} are frozen too", names=", ".join(frozen_too))
    changed = [name for name, p in net.named_parameters() if not torch.equal(p, before[name])]
    if changed:
        return tr("freezing must keep the values, but {names} changed", names=", ".join(changed))
    net(torch.randn(4, 3)).pow(2).sum().backward()
    untrained = [name for name, p in net.named_parameters() if not name.startswith("2.") and p.grad is None]
    if untrained:
        return tr("after a backward pass {names} have no gradient, so they would not train",
                  names=", ".join(untrained))
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
        zh_CN=dict(
            prompt="""
            设 `x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)`，`y = (x * torch.exp(x)).sum()`。调用
            `y.backward()` 之后，`x.grad` 是多少？把它赋给 `grad`，写成与 `x` 形状相同的浮点张量。
            """,
            hint="""
            运行这三行代码；或者用乘积法则对 $x e^x$ 求导：每个因子对应一项。""",
        ),
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
        zh_CN=dict(
            prompt="""
            设 `x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)`，`y = x * x`，`u = y.detach()`，`z = u * x + y`。调用
            `z.sum().backward()` 之后，`x.grad` 是多少？把它赋给 `grad_z`，写成浮点张量。
            """,
            hint="""
            `u` 的值与 `y` 相同，但没有历史记录：对 autograd 来说，它是一个常数。`z` 的哪些项仍然依赖于
            `x`？又是怎样依赖的？""",
        ),
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
        zh_CN=dict(
            prompt="""
            编写函数 `second_derivative(f, x)`：对于逐元素函数 `f` 和任意形状的 float64 张量 `x`，用 autograd
            返回 $f''$ 在 `x` 每个元素处的值。检查要求的是 autograd 的精确值，而不是有限差分的近似值。
            """,
            hint="""
            从一个需要梯度的叶子节点 `x.detach().requires_grad_()` 开始。一阶导数本身必须被记录下来，才能再次求导；向量要先归约，`torch.autograd.grad`
            才会接受它。""",
        ),
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
        zh_CN=dict(
            prompt="""
            `net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))`。执行
            `net[2].requires_grad_(False)` 和 `net(torch.ones(3, 4)).sum().backward()` 之后，哪些参数的
            `.grad` 不是 `None`？把它们的名字（按 `named_parameters()` 的写法）组成一个集合，赋给 `with_grad`。
            """,
            hint="""
            被冻结的层自己不会得到 `.grad`。它前面各层的梯度必须穿过它吗？又能不能穿过它？""",
        ),
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
        zh_CN=dict(
            prompt="""
            编写函数 `freeze_middle(net)`。`net` 与上一题的网络类似，由五个模块组成（各层大小任意）。函数要冻结它中间的
            `Linear` 层 `net[2]`：这一层保持原来的值，也得不到梯度，而 `net[0]` 和 `net[4]` 仍然可以训练。请原地修改
            `net`；是否返回它都可以。
            """,
            hint="""
            冻结是每个参数上的一个标志；一个模块可以一次为它自己的所有参数设置这个标志。""",
        ),
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
        zh_CN=dict(
            prompt="""
            对一个 `requires_grad=True` 的向量 `x`，令 `y = x * x`。为什么 `y.backward()` 会报错“grad can be
            implicitly created only for scalar outputs”？`gradient=` 参数（或 `y.sum()`）提供了什么？
            """,
            hint="""
            向量关于向量的导数是什么？`x.grad` 又是什么形状？""",
            solution="""
            向量 y 关于向量 x 的导数是一整个雅可比矩阵 J，而 x.grad 只有 x 的形状。反向传播从不构造
            J：它计算的是向量-雅可比矩阵积 v^T J，从一个与 y 形状相同的 v 出发。对于标量输出，v = 1 是显然的选择，所以 PyTorch
            自动填入；对于向量，没有显然的选择，所以要由你传入：y.backward(gradient=v)。v 全为 1 时，得到的是 y.sum()
            的梯度；当 y 存放每个样本的损失时，通常就这样选。其他的 v 给各个输出赋予不同的权重（v = e_i
            得到的只是 y_i 的梯度）。
            """,
        ),
    ),
]
