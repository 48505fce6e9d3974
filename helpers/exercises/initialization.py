"""Exercises of chapter 2, Parameter initialization."""

import math

import torch
from torch import nn

from helpers.exercises import Code, Function, Thought, Value, tr


def verify_my_init(my_init):
    """None when ``net.apply(my_init)`` gives every Linear the prompt's distribution."""
    net = nn.Sequential(nn.Linear(300, 400), nn.ReLU(), nn.Linear(400, 200))
    weights = {index: net[index].weight for index in (0, 2)}
    try:
        net.apply(my_init)
    except Exception as error:  # the learner's function may fail on any module
        return tr("net.apply(my_init) raised {error_type}: {error} (apply also calls it "
                  "on the ReLU and on the Sequential itself)", error_type=type(error).__name__, error=error)
    for index, weight in weights.items():
        layer = net[index]
        if layer.weight is not weight:
            return tr("net[{index}].weight is a new tensor: change the existing parameter in place, "
                      "or an optimizer built before would go on training the old one", index=index)
        if not torch.all(layer.bias == 0):
            return tr("the biases of net[{index}] are not all 0", index=index)
        w = layer.weight.detach().flatten().double()
        zero = (w == 0).double().mean().item()
        if abs(zero - 0.75) > 0.01:
            return tr("in net[{index}], {zero:.1%} of the weights are exactly 0; expected 75%",
                      index=index, zero=zero)
        for side, values, low, high in (("positive", w[w > 0], 5, 10),
                                        ("negative", w[w < 0], -10, -5)):
            if abs(values.numel() / w.numel() - 0.125) > 0.01:
                return tr("in net[{index}], {fraction:.1%} of the weights are {side}; expected 12.5%",
                          index=index, fraction=values.numel() / w.numel(), side=tr(side))
            # Kolmogorov-Smirnov distance between the sorted values and the law U(low, high).
            cdf = ((values.sort().values - low) / (high - low)).clamp(0, 1)
            steps = torch.arange(values.numel() + 1, dtype=torch.float64) / values.numel()
            gap = max((steps[1:] - cdf).max().item(), (cdf - steps[:-1]).max().item())
            if gap > 0.03:
                return tr("the {side} weights of net[{index}] do not follow U({low}, {high}): their "
                          "distribution function is {gap:.2f} away from it at worst",
                          side=tr(side), index=index, low=low, high=high, gap=gap)
    return None


QUESTIONS = [
    Value(
        prompt="""`nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain("tanh"))` fills
the weight of `layer = nn.Linear(300, 100)` from $U(-a, a)$. What is the bound $a$? Assign it
to `bound`.""",
        name="bound",
        expected=5 / 3 * math.sqrt(6 / (300 + 100)),
        rtol=1e-3,
        hint="""The gain multiplies Xavier's standard deviation. The chapter relates the bound of a
uniform law to its standard deviation.""",
        solution="""gain = nn.init.calculate_gain("tanh")
bound = gain * math.sqrt(6 / (300 + 100))""",
        wrong=[
            "bound = math.sqrt(6 / (300 + 100))",
            "bound = 5 / 3 * math.sqrt(2 / (300 + 100))",
            "bound = 5 / 3 * math.sqrt(6 / 300)",
            "bound = (5 / 3) ** 2 * math.sqrt(6 / (300 + 100))",
            "bound = 1 / math.sqrt(300)",
        ],
        zh_CN=dict(
            prompt="""
            `nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain("tanh"))` 从 $U(-a, a)$ 中抽取值，填充 `layer = nn.Linear(300, 100)` 的权重。边界 $a$ 是多少？把它赋给 `bound`。
            """,
            hint="""
            增益乘的是 Xavier 的标准差。本章给出了均匀分布的边界与其标准差之间的关系。
            """,
        ),
    ),
    Function(
        prompt="""A chain of `depth` layers `nn.Linear(fan_in, fan_in, bias=False)` without
activations draws its weights independently from $\\mathcal{N}(0, \\mathrm{scale}^2)$ and is fed
zero-mean inputs of variance 1. Write `final_std(scale, fan_in, depth)` that returns the standard
deviation of its output that the chapter's variance rule predicts.""",
        name="final_std",
        cases=lambda: [(0.01, 256, 50), (1.0, 4, 100), (0.0625, 256, 10), (0.1, 100, 3),
                       (0.2, 50, 7)],
        atol=0.0,
        hint="""Apply $\\mathrm{Var}[o] = n_\\mathrm{in} \\sigma^2 E[x^2]$ once per layer: each
layer's output is zero-mean again, so the rule holds at the next layer too.""",
        solution="""def final_std(scale, fan_in, depth):
    return (scale * math.sqrt(fan_in)) ** depth""",
        wrong=[
            "def final_std(scale, fan_in, depth):\n    return (scale ** 2 * fan_in) ** depth",
            "def final_std(scale, fan_in, depth):\n    return (scale * fan_in) ** depth",
            "def final_std(scale, fan_in, depth):\n    return scale * math.sqrt(fan_in) * depth",
            "def final_std(scale, fan_in, depth):\n"
            "    return (scale * math.sqrt(fan_in)) ** (depth - 1)",
            "def final_std(scale, fan_in, depth):\n    return scale ** depth * math.sqrt(fan_in)",
            # precedence: ** binds tighter than *, so only the square root is raised to the depth
            "def final_std(scale, fan_in, depth):\n    return scale * math.sqrt(fan_in) ** depth",
        ],
        zh_CN=dict(
            prompt="""
            由 `depth` 个 `nn.Linear(fan_in, fan_in, bias=False)` 层串成的网络，层间没有激活函数，权重独立地从 $\\mathcal{N}(0, \\mathrm{scale}^2)$ 中抽取，输入的均值为零、方差为 1。编写 `final_std(scale, fan_in, depth)`，返回本章的方差规则所预测的输出标准差。
            """,
            hint="""
            逐层应用 $\\mathrm{Var}[o] = n_\\mathrm{in} \\sigma^2 E[x^2]$：每层的输出均值又为零，所以这条规则在下一层同样成立。
            """,
        ),
    ),
    Code(
        prompt="""Write `my_init(m)`, for `net.apply(my_init)`, that sets the bias of every
`nn.Linear` to 0 and draws each entry $w$ of its weight from

$$w \\sim \\begin{cases} U(5, 10) & \\text{with probability } \\frac{1}{8} \\\\
0 & \\text{with probability } \\frac{3}{4} \\\\
U(-10, -5) & \\text{with probability } \\frac{1}{8} \\end{cases}$$

changing the existing parameters in place.""",
        name="my_init",
        verify=verify_my_init,
        hint="""Start from the chapter's `my_init`. Which interval must the first uniform draw
cover, so that the part you keep holds a quarter of the values? (A random mask that zeroes some
of the kept values works too.)""",
        solution="""def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -20, 20)
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            m.weight *= (m.weight.abs() >= 5) & (m.weight.abs() <= 10)""",
        wrong=[
            # the chapter's distribution: half of the weights are zero
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -10, 10)
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            m.weight *= m.weight.abs() >= 5""",
            # every negative weight exactly -5
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, 5, 10)
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            u = torch.rand_like(m.weight)
            m.weight[u < 0.125] = -5
            m.weight[u >= 0.25] = 0""",
            # point masses at -7.5, 0 and 7.5 with the right fractions
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            u = torch.rand_like(m.weight)
            m.weight.copy_(torch.where(u < 0.125, -7.5, torch.where(u < 0.25, 7.5, 0.0)))""",
            # the right fractions on the wrong intervals, U(15, 20) and U(-20, -15)
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -20, 20)
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            m.weight *= m.weight.abs() >= 15""",
            # the right fractions from one cut of U(-10, 10): the kept parts are U(7.5, 10)
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -10, 10)
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            m.weight *= m.weight.abs() >= 7.5""",
            # the upper cut forgotten: only a quarter of the weights are zero
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -20, 20)
        nn.init.zeros_(m.bias)
        with torch.no_grad():
            m.weight *= m.weight.abs() >= 5""",
            # the biases keep their default values
            """def my_init(m):
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -20, 20)
        with torch.no_grad():
            m.weight *= (m.weight.abs() >= 5) & (m.weight.abs() <= 10)""",
            # a new Parameter instead of the existing one
            """def my_init(m):
    if isinstance(m, nn.Linear):
        w = torch.empty_like(m.weight).uniform_(-20, 20)
        m.weight = nn.Parameter(w * ((w.abs() >= 5) & (w.abs() <= 10)))
        nn.init.zeros_(m.bias)""",
            # no type test: apply also calls it on the ReLU
            """def my_init(m):
    nn.init.uniform_(m.weight, -20, 20)
    nn.init.zeros_(m.bias)
    with torch.no_grad():
        m.weight *= (m.weight.abs() >= 5) & (m.weight.abs() <= 10)""",
        ],
        zh_CN=dict(
            prompt="""
            编写 `my_init(m)`，用于 `net.apply(my_init)`：它把每个 `nn.Linear` 的偏置设为 0，并按下面的分布抽取其权重的每个元素 $w$：

            $$w \\sim \\begin{cases} U(5, 10) & \\text{概率为 } \\frac{1}{8} \\\\
            0 & \\text{概率为 } \\frac{3}{4} \\\\
            U(-10, -5) & \\text{概率为 } \\frac{1}{8} \\end{cases}$$

            要原地修改已有的参数。
            """,
            hint="""
            从本章的 `my_init` 出发。第一次均匀抽取必须覆盖哪个区间，才能让保留下来的部分占四分之一的值？（用一个随机掩码再把部分保留的值置零，也可以。）
            """,
        ),
    ),
    Value(
        prompt="""A deep network of `nn.Linear(128, 128, bias=False)` layers, each followed by
`nn.LeakyReLU(0.2)`, draws its weights from $\\mathcal{N}(0, \\sigma^2)$. By the argument behind
Kaiming's initialization, which $\\sigma$ keeps the scale of the signal the same from layer to
layer? Assign it to `sigma`.""",
        name="sigma",
        expected=math.sqrt(2 / ((1 + 0.2 ** 2) * 128)),
        rtol=1e-3,
        hint="""On a symmetric input $z$, ReLU keeps half of $E[z^2]$, hence Kaiming's factor 2.
What fraction of $E[z^2]$ does a leaky ReLU of slope 0.2 keep?""",
        solution="""negative_slope = 0.2
sigma = math.sqrt(2 / ((1 + negative_slope ** 2) * 128))""",
        wrong=[
            "sigma = math.sqrt(2 / 128)",
            "sigma = math.sqrt(2 / ((1 + 0.2) * 128))",
            "sigma = 2 / ((1 + 0.2 ** 2) * 128)",
            "sigma = math.sqrt(1 / 128)",
            "sigma = math.sqrt(2 / (1 + 0.2 ** 2)) / 128",
        ],
        zh_CN=dict(
            prompt="""
            一个深层网络由 `nn.Linear(128, 128, bias=False)` 层组成，每层后面接 `nn.LeakyReLU(0.2)`，权重从 $\\mathcal{N}(0, \\sigma^2)$ 中抽取。按照 Kaiming 初始化背后的论证，哪个 $\\sigma$ 能让信号的尺度逐层保持不变？把它赋给 `sigma`。
            """,
            hint="""
            对于对称的输入 $z$，ReLU 保留 $E[z^2]$ 的一半，这就是 Kaiming 初始化中因子 2 的由来。斜率为 0.2 的 leaky ReLU 保留 $E[z^2]$ 的多大比例？
            """,
        ),
    ),
    Value(
        prompt="""`net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(64), nn.ReLU(),
nn.LazyLinear(3))` is run once on `torch.rand(5, 12)`. How many parameter entries, weights and
biases, does it have afterwards? Assign the number to `n_lazy`.""",
        name="n_lazy",
        expected=12 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3,
        hint="""The first forward pass fixes each layer's `in_features` from what reaches it. Does
the batch size play a part?""",
        solution="""net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(64), nn.ReLU(),
                    nn.LazyLinear(3))
net(torch.rand(5, 12))
n_lazy = sum(p.numel() for p in net.parameters())""",
        wrong=[
            "n_lazy = 12 * 64 + 64 * 64 + 64 * 3",
            "n_lazy = 5 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3",
            "n_lazy = 64 * 64 + 64 + 64 * 3 + 3",
            "n_lazy = 0",
            "n_lazy = '5187'",
        ],
        zh_CN=dict(
            prompt="""
            `net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(3))` 在 `torch.rand(5, 12)` 上运行一次。之后它共有多少个参数元素（权重和偏置）？把这个数赋给 `n_lazy`。
            """,
            hint="""
            第一次前向传播根据到达每一层的数据确定该层的 `in_features`。批量大小起作用吗？
            """,
        ),
    ),
    Thought(
        prompt="""A hidden layer starts with all its weights equal. When does gradient descent keep
its units identical, and when does it not? What does d2l call this symmetry? And why may linear
or softmax regression start with all weights equal?""",
        name="thoughts",
        hint="""Write the gradient of one hidden unit's incoming weights: which factors do all units
share, and which one belongs to the unit alone?""",
        solution="""With equal incoming weights, every hidden unit computes the same value. The
gradient of unit j's incoming weights is its outgoing weight v_j times factors that all units
share (the activation's derivative at the common value, the error, the input). If the outgoing
weights are equal too, every unit gets the same gradient and the same update, so the units stay
identical for ever and the layer acts like a single unit however wide it is. If the outgoing
weights differ (say the output layer is random), the gradients differ by the factor v_j, the
rows part after the first step, and the symmetry is broken. d2l calls it permutation symmetry:
swapping two hidden units with their weights leaves the function unchanged, and a symmetric
start keeps the units interchangeable. Random initialization of every layer breaks it. Linear
and softmax regression have no hidden layer: each output's weights receive the gradient of that
output's own error, which differs from output to output, so they may start equal (even all
zero).""",
        zh_CN=dict(
            prompt="""
            一个隐藏层的所有权重初始值都相等。梯度下降在什么情况下会让它的各个单元保持相同，什么情况下不会？d2l 把这种对称性叫作什么？为什么线性回归或 softmax 回归可以让所有权重从相同的值开始？
            """,
            hint="""
            写出一个隐藏单元的输入权重的梯度：哪些因子是所有单元共有的，哪一个只属于这个单元？
            """,
            solution="""
            输入权重相等时，每个隐藏单元计算出的值都相同。单元 j 的输入权重的梯度，等于它的输出权重 v_j 乘上所有单元共有的因子（激活函数在这个共同值处的导数、误差、输入）。如果输出权重也相等，每个单元就得到相同的梯度，做出相同的更新，于是这些单元永远保持相同：无论这一层有多宽，它都只相当于一个单元。如果输出权重各不相同（比如输出层是随机的），各个梯度就相差因子 v_j，第一步之后权重矩阵的各行就不再相同，对称性被打破。d2l 称之为排列对称性：把两个隐藏单元连同它们的权重一起交换，函数不变；对称的初始状态会让这些单元始终可以互换。对每一层都随机初始化，就能打破这种对称性。线性回归和 softmax 回归没有隐藏层：每个输出的权重得到的是该输出自身误差的梯度，而各个输出的误差互不相同，所以它们可以从相同的值开始（甚至全为零）。
            """,
        ),
    ),
]
