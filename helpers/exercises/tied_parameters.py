"""Exercises of chapter 3, Tied parameters."""

import copy

import torch
from torch import nn

from helpers.exercises import Code, Function, Thought, Value, tr


class TinyLM(nn.Module):
    """An embedding and an output layer that share one (vocabulary, dimension) matrix."""

    def __init__(self, vocab_size, dim):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim)
        self.out = nn.Linear(dim, vocab_size, bias=False)
        self.out.weight = self.emb.weight


def _d2l_mlp(tied=True):
    shared = nn.Linear(8, 8)
    second = shared if tied else nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), second, nn.ReLU(), nn.Linear(8, 1))


def _saved_cases():
    shared, thrice, frozen = nn.Linear(8, 8), nn.Linear(3, 3), nn.Linear(5, 5)
    frozen.requires_grad_(False)
    normed = nn.Linear(6, 6)
    block = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    return [
        (_d2l_mlp(),),
        (_d2l_mlp(tied=False),),
        (nn.Sequential(nn.Linear(4, 8), shared, nn.Linear(8, 8), shared),),
        (nn.Sequential(thrice, nn.Tanh(), thrice, nn.Tanh(), thrice),),
        (TinyLM(50, 6),),
        (nn.Sequential(nn.Linear(3, 5), frozen, nn.ReLU(), frozen, nn.Linear(5, 1)),),
        (nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), normed, nn.ReLU(), normed),),
        (nn.Sequential(block, nn.Sequential(block, nn.Linear(2, 1))),),
    ]


def _tie_cases():
    """(net, i, j, parameter entries once tied, input): other sizes, and j before i."""
    return [
        (nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(),
                       nn.Linear(5, 2)), 2, 4, 62, torch.randn(6, 3)),
        (nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1)), 0, 2, 25,
         torch.randn(6, 4)),
        (nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 6), nn.Linear(6, 1)),
         4, 2, 67, torch.randn(5, 2)),
    ]


def _layout(net):
    """Which layers and which Parameter objects ``net`` holds, in order."""
    return [id(layer) for layer in net] + [id(p) for p in net.parameters()]


def _verify_tie_layers(tie_layers):
    if not callable(tie_layers) or isinstance(tie_layers, (type, nn.Module)):
        return tr("expected a function tie_layers(net, i, j) written with def")
    for net, i, j, n_params, X in _tie_cases():
        kept = [p.detach().clone() for p in net[i].parameters()]
        old_weight_j = net[j].weight
        layout_before, values_before = _layout(net), [p.detach().clone() for p in net.parameters()]
        call = f"tie_layers(net, {i}, {j})"
        returned = tie_layers(net, i, j)
        if isinstance(returned, nn.Sequential):
            net = returned
        elif _layout(net) == layout_before and all(map(torch.equal, net.parameters(), values_before)):
            return tr("after {call}, net is unchanged and no net was returned: tie the layers of the net "
                      "it is given, or return the new net", call=call)
        if not isinstance(getattr(net[j], "weight", None), torch.Tensor):
            return tr("after {call}, net[{j}] is no longer a layer with a weight", call=call, j=j)
        if net[j].weight is not net[i].weight:
            if net[j].weight.shape == net[i].weight.shape and torch.equal(net[j].weight, net[i].weight):
                return tr("after {call}, net[{j}].weight has the values of net[{i}].weight but is a different "
                          "Parameter, so the two would still get separate gradients: equal values are not a tie",
                          call=call, i=i, j=j)
            return tr("after {call}, net[{j}].weight is not net[{i}].weight", call=call, i=i, j=j)
        if net[j].bias is not net[i].bias:
            return tr("after {call}, the weights are shared but net[{j}].bias is not net[{i}].bias", call=call, i=i,
                      j=j)
        if net[i].weight is old_weight_j:
            return tr("after {call}, both layers hold net[{j}]'s old weight: net[{j}] should take net[{i}]'s "
                      "parameters, not the other way round", call=call, i=i, j=j)
        if not all(torch.equal(p, k) for p, k in zip(net[i].parameters(), kept)):
            return tr("after {call}, the values of net[{i}] changed: net[{i}] should keep its parameters", call=call,
                      i=i)
        total = sum(p.numel() for p in net.parameters())
        if total != n_params:
            return tr("after {call}, the net has {total} parameter entries, expected {n_params}", call=call,
                      total=total, n_params=n_params)
        untied = nn.Sequential(*[copy.deepcopy(m) for m in net])
        net(X).sum().backward()
        untied(X).sum().backward()
        if not torch.allclose(net[i].weight.grad, untied[i].weight.grad + untied[j].weight.grad, atol=1e-6):
            return tr("after {call}, net[{i}].weight.grad is not the sum of the gradients of its two uses", call=call,
                      i=i)
    return None


QUESTIONS = [
    Value(
        prompt="""
        How many parameter entries does this net have, as `sum(p.numel() for p in net.parameters())`
        counts them? Work it out by hand first, then assign the number to `n_params`.

        ```python
        shared = nn.Linear(16, 16)
        net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), shared, nn.ReLU(), shared,
                            nn.ReLU(), shared, nn.Linear(16, 2))
        ```
        """,
        name="n_params",
        zh_CN=dict(
            prompt="""
            按 `sum(p.numel() for p in net.parameters())` 的计数方式，这个网络有多少个参数元素？先手算，再把结果赋给 `n_params`。

            ```python
            shared = nn.Linear(16, 16)
            net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), shared, nn.ReLU(), shared,
                                nn.ReLU(), shared, nn.Linear(16, 2))
            ```
            """,
            hint="""
            `net.parameters()` 会遍历网络的各层：它遇到了多少个*不同的* `nn.Linear` 对象？别忘了偏置。""",
        ),
        expected=482,
        hint="""
        `net.parameters()` walks the layers of the net: how many *different* `nn.Linear` objects
        does it meet? Do not forget the biases.""",
        solution="""shared = nn.Linear(16, 16)
net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), shared, nn.ReLU(), shared,
                    nn.ReLU(), shared, nn.Linear(16, 2))
n_params = sum(p.numel() for p in net.parameters())  # 176 + 272 (once) + 34""",
        wrong=[
            "n_params = 10 * 16 + 16 * 16 + 16 * 2",  # the biases forgotten
            "n_params = (10 * 16 + 16) + 3 * (16 * 16 + 16) + (16 * 2 + 2)",  # the shared layer at every use
            "n_params = (10 * 16 + 16) + (16 * 2 + 2)",  # the shared layer taken for free
            """shared = nn.Linear(16, 16)
net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), shared, nn.ReLU(), shared,
                    nn.ReLU(), shared, nn.Linear(16, 2))
n_params = len(list(net.parameters()))""",  # tensors, not entries
            "n_params = '482'",
        ],
    ),
    Value(
        prompt="""
        A bias-free `nn.Linear(1, 1)` with weight $w = 3$ is applied twice to the input $x = 2$,
        so the output is $y = w \\cdot (w \\cdot x)$:

        ```python
        shared = nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            shared.weight.fill_(3.0)
        net = nn.Sequential(shared, shared)
        net(torch.tensor([[2.0]])).sum().backward()
        ```
        What number does `shared.weight.grad` hold? Work it out by hand, then assign it to `grad`.
        """,
        name="grad",
        zh_CN=dict(
            prompt="""
            一个无偏置的 `nn.Linear(1, 1)`，权重为 $w = 3$，对输入 $x = 2$ 连续作用两次，所以输出为 $y = w \\cdot (w \\cdot x)$：

            ```python
            shared = nn.Linear(1, 1, bias=False)
            with torch.no_grad():
                shared.weight.fill_(3.0)
            net = nn.Sequential(shared, shared)
            net(torch.tensor([[2.0]])).sum().backward()
            ```
            `shared.weight.grad` 中的数是多少？先手算，再把它赋给 `grad`。
            """,
            hint="""
            把两次使用看作两个独立的权重 $w_1$ 和 $w_2$，于是 $y = w_2 w_1 x$。在 $w_1 = w_2 = 3$ 处分别求偏导数；再回想：同一个参数绑定在多处使用时，autograd 怎样处理各次使用的梯度。""",
        ),
        expected=12.0,
        hint="""
        Pretend the two uses are separate weights $w_1$ and $w_2$, so that $y = w_2 w_1 x$. Take
        each partial derivative at $w_1 = w_2 = 3$; then recall what autograd does with the gradients of
        the uses of one tied parameter.""",
        solution="""shared = nn.Linear(1, 1, bias=False)
with torch.no_grad():
    shared.weight.fill_(3.0)
net = nn.Sequential(shared, shared)
net(torch.tensor([[2.0]])).sum().backward()
grad = shared.weight.grad.item()  # inner use: w * x = 6, outer use: w * x = 6""",
        wrong=[
            "grad = 6.0",  # one use only
            "grad = 18.0",  # the output, not its gradient
            "grad = 9.0",  # dy/dx = w * w, the gradient with respect to the input
            "grad = 2.0",  # the input, as for a layer used once with nothing after it
        ],
    ),
    Function(
        prompt="""
        Write `saved_by_tying(model)`: how many parameter entries sharing saves in `model`, that is, how
        many more entries the model would have if every place that registers a shared parameter held its
        own copy. For d2l's tied MLP it is $8 \\cdot 8 + 8 = 72$; for a model without sharing, 0. It
        must work for any model (shared layers, shared single parameters, frozen parts, buffers) and
        must not change it.
        """,
        name="saved_by_tying",
        zh_CN=dict(
            prompt="""
            编写 `saved_by_tying(model)`，返回共享在 `model` 中节省的参数元素个数：假如每个注册了共享参数的位置都各持一份副本，模型会多出多少个元素。对 d2l 中绑定的多层感知机，结果是 $8 \\cdot 8 + 8 = 72$；对没有共享的模型，结果是 0。它必须适用于任何模型（共享的层、单独共享的参数、冻结的部分、缓冲区），并且不能修改模型。
            """,
            hint="""
            本章用两种方式列出过绑定的多层感知机的参数：一种让共享参数只出现一次，另一种让它在每个位置都出现。要数元素，而不是数张量。""",
        ),
        cases=_saved_cases,
        pure=True,
        hint="""
        This chapter listed the tied MLP's parameters in two ways, once with a shared parameter
        appearing once and once with it appearing at every place. Count entries, not tensors.""",
        solution="""def saved_by_tying(model):
    every_place = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
    once = sum(p.numel() for p in model.parameters())
    return every_place - once""",
        wrong=[
            """def saved_by_tying(model):
    return sum(p.numel() for p in model.parameters())""",  # the plain count
            """def saved_by_tying(model):
    every_place = len(list(model.named_parameters(remove_duplicate=False)))
    return every_place - len(list(model.parameters()))""",  # tensors, not entries
            """def saved_by_tying(model):
    every_place = sum(t.numel() for t in model.state_dict().values())
    return every_place - sum(p.numel() for p in model.parameters())""",  # buffers counted as saved
            """def saved_by_tying(model):
    every_place = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
    return every_place - sum(p.numel() for p in model.parameters() if p.requires_grad)""",  # frozen counted
            """def saved_by_tying(model):
    seen, saved = set(), 0
    for layer in model:
        if id(layer) in seen:
            saved += sum(p.numel() for p in layer.parameters())
        seen.add(id(layer))
    return saved""",  # only a nn.Sequential whose own layers repeat
            """def saved_by_tying(model):
    uses = {}
    for _, p in model.named_parameters(remove_duplicate=False):
        uses[p] = uses.get(p, 0) + 1
    return sum(p.numel() for p, count in uses.items() if count > 1)""",  # a layer used 3 times saves 2 copies
            """def saved_by_tying(model):
    every_place = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False) if p.requires_grad)
    return every_place - sum(p.numel() for p in model.parameters() if p.requires_grad)""",  # frozen ties save too
        ],
    ),
    Code(
        prompt="""
        Write `tie_layers(net, i, j)` that ties layer `j` of a `nn.Sequential` to layer `i`: afterwards
        `net[j]` computes with `net[i]`'s weight and bias (one object each), `net[i]` keeps its values,
        and the gradients of the two uses add up. It may change `net` in place and return nothing, or
        return the net.
        """,
        name="tie_layers",
        zh_CN=dict(
            prompt="""
            编写 `tie_layers(net, i, j)`，把 `nn.Sequential` 中的层 `j` 绑定到层 `i`：之后 `net[j]` 用 `net[i]` 的权重和偏置计算（权重、偏置各只有一个对象），`net[i]` 保持原来的值，并且两次使用的梯度会相加。它可以原地修改 `net` 而不返回任何东西，也可以返回这个网络。
            """,
            hint="""
            两个层持有同一组 `Parameter` 对象时，它们才是绑定的；数值相等还不够。回想 d2l 的网络是怎样在位置 2 和 4 拥有同一个层的。""",
        ),
        verify=_verify_tie_layers,
        hint="""
        Two layers are tied when they hold the same `Parameter` objects; equal values are not
        enough. Recall how d2l's net came to have one layer at positions 2 and 4.""",
        solution="""def tie_layers(net, i, j):
    net[j] = net[i]  # or: net[j].weight = net[i].weight; net[j].bias = net[i].bias
    return net""",
        wrong=[
            """import copy

def tie_layers(net, i, j):
    net[j] = copy.deepcopy(net[i])""",  # a copy: equal values, separate parameters
            """def tie_layers(net, i, j):
    net[i] = net[j]""",  # the wrong direction
            """def tie_layers(net, i, j):
    net[j].weight = net[i].weight""",  # the bias forgotten
            """def tie_layers(net, i, j):
    net[j].load_state_dict(net[i].state_dict())""",  # values copied
            """def tie_layers(net, i, j):
    net[j].weight.data = net[i].weight.data
    net[j].bias.data = net[i].bias.data""",  # one memory, but two Parameters with two gradients
            """def tie_layers(net, i, j):
    layers = list(net)
    layers[j] = layers[i]
    net = nn.Sequential(*layers)""",  # a new net, neither returned nor the one passed in
        ],
    ),
    Thought(
        prompt="""
        Why does a tied parameter receive the *sum* of the gradients of its uses? With plain SGD, what
        does that mean for a layer used $k$ times compared with a layer used once, and why must the
        optimizer hold the shared parameter only once?
        """,
        name="thoughts",
        zh_CN=dict(
            prompt="""
            为什么绑定后的参数得到的是各次使用的梯度之*和*？使用普通的 SGD 时，对于一个使用 $k$ 次的层（与只使用一次的层相比），这意味着什么？为什么优化器只能持有共享参数一次？
            """,
            hint="""
            把损失写成 $k$ 份碰巧相等的权重副本的函数 $L(w_1, \\dots, w_k)$，再对 $w \\mapsto L(w, \\dots, w)$ 应用多元链式法则。""",
            solution="""
            把损失写成 L(w_1, ..., w_k)，其中每个 w_i 都取同一个 w。根据多元链式法则，
            dL/dw = sum_i dL/dw_i：每次使用贡献的梯度，就是它作为一个单独的层时会得到的梯度；
            由于 k 次使用都指向同一个张量，autograd 把它们累加到同一个 .grad 中。使用普通的 SGD 时，
            更新量是 -lr * (k 个梯度之和)：当各次使用的方向一致时，共享权重移动的距离大约是只使用一次的层的
            k 倍，就好像它的学习率大了 k 倍。对绑定的模型来说，这正是正确的梯度；但一个矩阵被重复使用很多次时，
            就要留意学习率。优化器只能持有这个参数一次：net.parameters() 已经去掉了重复项；
            一个参数如果被列出两次，就会被更新两次（PyTorch 会对重复的参数发出警告），更新量也就翻了倍。""",
        ),
        hint="""
        Write the loss as a function $L(w_1, \\dots, w_k)$ of $k$ copies of the weight that happen
        to be equal, and apply the multivariable chain rule to $w \\mapsto L(w, \\dots, w)$.""",
        solution="""Write the loss as L(w_1, ..., w_k) with every w_i set to the same w. By the multivariable
chain rule dL/dw = sum_i dL/dw_i: each use contributes the gradient it would receive as a
separate layer, and autograd accumulates them into the one .grad because all k uses point
at the same tensor. With plain SGD the step is -lr * (sum of the k gradients): when the uses
pull the same way, the shared weight moves about k times as far as a layer used once, as if
its learning rate were k times larger. That is the right gradient for the tied model, but a
reason to watch the learning rate when one matrix is reused many times. The optimizer must
hold the parameter once: net.parameters() already removes duplicates, and a parameter listed
twice is stepped twice (PyTorch warns about duplicate parameters), doubling the update.""",
    ),
    Thought(
        prompt="""
        d2l ends its section with the exercise: *why is sharing parameters a good idea?* One of the
        posts this chapter follows says that sharing reduces a model's size and makes training more
        efficient. Using what this chapter measured, say what sharing saves, what it does not save,
        and why one might tie layers even when memory is plentiful.
        """,
        name="sharing",
        zh_CN=dict(
            prompt="""
            d2l 在这一节的末尾留了一道练习：*为什么共享参数是个好主意？* 本章依据的一篇博文说，共享能减小模型的规模，让训练更高效。请根据本章测得的结果，说明共享能节省什么、不能节省什么，以及为什么即使内存充足，人们也可能绑定层。
            """,
            hint="""
            比较本章中绑定和未绑定的网络：参数个数、Adam 的状态、一次前向和反向传播的浮点运算次数，以及绑定的嵌入矩阵有哪些行得到了梯度。""",
            solution="""
            共享能节省参数：d2l 的多层感知机绑定后有 121 个元素，未绑定时有 193 个；GPT-2 small
            通过绑定嵌入层和输出层，节省了一个 50,257 x 768 的矩阵。凡是按参数存储的东西都随之缩小：
            检查点、梯度，以及优化器的状态（Adam 为每个元素保存两个数，绑定时 242 个，未绑定时 386 个）。
            共享不能节省计算：绑定和未绑定的网络在一次前向传播和反向传播中做的浮点运算完全相同
            （本章中都是 30,208 次），因为共享的矩阵在每次使用时仍然要做乘法。所以，“训练更高效”
            对内存和需要学习的值的个数成立，对每一步的时间不成立。共享更好的理由，在于它表达了问题本身的性质：
            同一个运算应当用在多个地方（卷积核用在每个位置，循环单元用在每个时间步，同一个词元矩阵既用来读也用来写）。
            这样，共享的参数能从每一次使用中学习：在绑定的语言模型中，仅一个句子就让嵌入矩阵的每一行都得到了梯度，
            而未绑定时只有 100 行中的 4 行。自由的值更少，每个值得到的信号更多，这可能减轻过拟合：
            绑定是内置于架构中的先验。""",
        ),
        hint="""
        Compare the tied and untied nets of this chapter: parameter count, Adam's state, the
        floating-point operations of a forward and backward pass, and which rows of a tied embedding get a gradient.""",
        solution="""Sharing saves parameters: d2l's MLP has 121 entries tied against 193 untied, GPT-2 small
saves a 50,257 x 768 matrix by tying its embedding and output layer. Everything stored per
parameter shrinks with them: the checkpoint, the gradients, and the optimizer's state (Adam
keeps two numbers per entry, 242 tied against 386 untied). Sharing does not save
computation: the tied and untied nets do the same floating-point operations in a forward and
backward pass (30,208 each in this chapter), since the shared matrix is still multiplied at
every use. So "more efficient training" holds for memory and for the number of values to
learn, not for the time of a step. The better reason to share is what it says about the
problem: the same operation should be applied in several places (a convolution kernel at
every position, a recurrent cell at every time step, one token matrix to read and to write).
The shared parameter then learns from every use: in the tied language model every row of the
embedding got a gradient from a single sentence, against 4 of 100 untied. Fewer free values,
each with more signal, can mean less overfitting: the tie is a prior built into the
architecture.""",
    ),
]
