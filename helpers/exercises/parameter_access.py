"""Exercises of chapter 1, Parameter access."""

import copy

import torch
from torch import nn

from helpers.exercises import Code, Function, Thought, Value, call, compare, tr


def _frozen_net():
    """An MLP whose first layer is frozen, as after freezing a pretrained part."""
    net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    net[0].requires_grad_(False)
    return net


def _tied_net():
    """d2l's MLP with one layer used twice: its parameters count once."""
    shared = nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))


def _count_cases():
    return [
        (nn.Linear(4, 8),),
        (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)),),
        (_frozen_net(),),
        call(_frozen_net(), trainable_only=True),
        (_frozen_net(), True),
        (nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU()),),  # buffers: running mean, var, count
        call(nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6)), trainable_only=True),
        (_tied_net(),),
        (nn.Linear(5, 2, bias=False),),
    ]


def _bias_nets():
    def block():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())

    nested = nn.Sequential()
    for i in range(2):
        nested.add_module(f"block {i}", block())
    with_norm = nn.Sequential(nn.Linear(3, 5, bias=False), nn.BatchNorm1d(5), nn.Linear(5, 2))
    with torch.no_grad():
        with_norm[1].bias.uniform_(1, 2)  # BatchNorm starts its bias at zero: a sum without it would match
    return {
        "d2l's MLP": nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)),
        "a net of nested blocks": nn.Sequential(nested, nn.Linear(4, 1)),
        "a net with a bias-free layer and a BatchNorm": with_norm,
    }


def _verify_bias_total(bias_total):
    if not callable(bias_total) or isinstance(bias_total, (type, nn.Module)):
        return tr("expected a function bias_total(net) written with def")
    for label, net in _bias_nets().items():
        # The expectation comes from a copy, before the learner's function touches the net.
        kept = copy.deepcopy(net)
        with torch.no_grad():
            want = sum(p.sum() for name, p in kept.named_parameters() if name.endswith("bias")).item()
        got = bias_total(net)
        changed = [name for (name, p), q in zip(net.named_parameters(), kept.parameters()) if not torch.equal(p, q)]
        if changed:
            return tr("for {label}, bias_total(net) changed {name}: it should only read the parameters",
                      label=tr(label), name=changed[0])
        problem = compare(got, want, what=tr("for {label}, bias_total(net)", label=tr(label)))
        if problem:
            return problem
    return None


QUESTIONS = [
    Value(
        prompt="""
        How many parameters (weight and bias entries) does
        `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))` have?
        Assign the number to `n_params`.
        """,
        name="n_params",
        expected=49,
        hint="""
        Count each layer's weight matrix and bias vector separately: how many entries does a
        matrix of shape `[out_features, in_features]` hold? An activation has no parameters.""",
        solution="""net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
n_params = sum(p.numel() for p in net.parameters())  # 4*8 + 8 + 8*1 + 1""",
        wrong=[
            "n_params = 4 * 8 + 8 * 1",  # the biases forgotten
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
n_params = len(list(net.parameters()))""",  # tensors, not entries
            "n_params = (4 + 1) * 8 + (8 + 1) * 1 + 0.5",
            "from fractions import Fraction\nn_params = Fraction(99, 2)",
            "n_params = np.float32(49.5)",
            "n_params = '49'",
        ],
        zh_CN=dict(
            prompt="""
            `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))` 有多少个参数（权重和偏置的元素个数）？把这个数赋给 `n_params`。
            """,
            hint="""
            分别统计每一层的权重矩阵和偏置向量：形状为 `[out_features, in_features]` 的矩阵有多少个元素？激活函数没有参数。""",
        ),
    ),
    Value(
        prompt="""
        In `rgnet = nn.Sequential(block2(), nn.Linear(4, 1))`, with `block1` and `block2` as this
        chapter defines them, what is the key of `rgnet[0][1][0].bias` in `rgnet.state_dict()`?
        Assign the string to `bias_key`.
        """,
        name="bias_key",
        expected="0.block 1.0.bias",
        hint="""
        A key joins the names on the path from `rgnet` down to the parameter with dots. Print
        `rgnet` to see the name `add_module` gave each block; names keep their spaces and their case.""",
        solution="""def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())

def block2():
    net = nn.Sequential()
    for i in range(4):
        net.add_module(f"block {i}", block1())
    return net

rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
# state_dict keys are the names named_parameters() gives
bias_key = next(name for name, p in rgnet.named_parameters() if p is rgnet[0][1][0].bias)""",
        wrong=[
            "bias_key = '0.BLOCK 1.0.BIAS'",  # keys are case-sensitive
            "bias_key = '0.1.0.bias'",  # the index instead of the block's name
            "bias_key = 'block 1.0.bias'",  # the outer index forgotten
            "bias_key = '0.block1.0.bias'",  # the space dropped
            "bias_key = '0.block 0.0.bias'",  # the first block instead of the second
        ],
        zh_CN=dict(
            prompt="""
            在 `rgnet = nn.Sequential(block2(), nn.Linear(4, 1))` 中（`block1` 和 `block2` 按本章的定义），`rgnet[0][1][0].bias` 在 `rgnet.state_dict()` 中的键是什么？把这个字符串赋给 `bias_key`。
            """,
            hint="""
            键由从 `rgnet` 到该参数的路径上的各个名字用点号连接而成。打印 `rgnet`，看看 `add_module`
            给每个块起的名字；名字中的空格和大小写都会原样保留。""",
        ),
    ),
    Value(
        prompt="""
        Make a 1-D `torch.int64` tensor `sizes` holding the number of elements of each
        parameter of `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))`, in the
        order `named_parameters()` gives them.
        """,
        name="sizes",
        expected=torch.tensor([32, 8, 8, 1]),
        same_dtype=True,
        hint="""
        Each parameter can tell you how many entries it holds, whatever its shape. Which dtype
        does `torch.tensor` give a list of Python ints, and which a list of floats?""",
        solution="""net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
sizes = torch.tensor([p.numel() for _, p in net.named_parameters()])""",
        wrong=[
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
sizes = torch.tensor([p.shape[0] for _, p in net.named_parameters()])""",  # the first dimension only
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
sizes = torch.tensor([float(p.numel()) for _, p in net.named_parameters()])""",  # float32
            "sizes = torch.tensor([32, 8])",  # the first layer only
            "sizes = torch.tensor([1, 8, 8, 32])",  # sorted, not in named_parameters() order
            "sizes = torch.tensor([49])",  # the total
        ],
        zh_CN=dict(
            prompt="""
            构造一个一维的 `torch.int64` 张量 `sizes`，按 `named_parameters()` 给出的顺序，存放
            `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))` 每个参数的元素个数。
            """,
            hint="""
            无论形状如何，每个参数都能告诉你它有多少个元素。对于 Python 整数组成的列表，`torch.tensor`
            给出什么 dtype？对于浮点数组成的列表呢？""",
        ),
    ),
    Function(
        prompt="""
        Write `count_parameters(model, trainable_only=False)` that returns how many parameter
        entries `model` has; with `trainable_only=True`, count only those with `requires_grad`.
        It must work for any model (frozen parts, buffers such as BatchNorm's running mean, a layer
        used twice) and must not change the model.
        """,
        name="count_parameters",
        cases=_count_cases,
        pure=True,
        hint="""
        Of the walks over a model this chapter showed, which lists each parameter exactly once
        and leaves buffers out? Count entries, not tensors, and let each parameter's `requires_grad`
        decide what `trainable_only` skips.""",
        solution="""def count_parameters(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters()
               if p.requires_grad or not trainable_only)""",
        wrong=[
            """def count_parameters(model, trainable_only=False):
    model.requires_grad_()
    return sum(p.numel() for p in model.parameters()
               if p.requires_grad or not trainable_only)""",  # unfreezes the model first
            """def count_parameters(model, trainable_only=False):
    return sum(v.numel() for v in model.state_dict().values())""",  # buffers counted, frozen too
            """def count_parameters(model, trainable_only=False):
    params = [v for v in model.state_dict(keep_vars=True).values() if isinstance(v, nn.Parameter)]
    return sum(p.numel() for p in params if p.requires_grad or not trainable_only)""",  # a shared layer twice
            """def count_parameters(model, trainable_only=False):
    return len(list(model.parameters()))""",  # tensors, not entries
            """def count_parameters(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters())""",  # trainable_only ignored
            """def count_parameters(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)""",  # always trainable only
        ],
        zh_CN=dict(
            prompt="""
            编写函数 `count_parameters(model, trainable_only=False)`，返回 `model` 的参数元素个数；当 `trainable_only=True` 时，只统计 `requires_grad` 为真的参数。它必须适用于任何模型（包括被冻结的部分、BatchNorm 的运行均值这类缓冲区、用了两次的层），并且不能修改模型。
            """,
            hint="""
            本章介绍的几种遍历模型的方式中，哪一种恰好把每个参数列出一次，并且不包含缓冲区？要统计元素个数，而不是张量个数；由每个参数的 `requires_grad` 决定 `trainable_only` 跳过哪些参数。""",
        ),
    ),
    Code(
        prompt="""
        Write `bias_total(net)` returning the sum of every bias entry of `net`, as a plain
        number or a 0-d tensor, without changing `net`. Use `named_parameters()` to find the biases.
        """,
        name="bias_total",
        verify=_verify_bias_total,
        hint="""
        `named_parameters()` gives every parameter with its dotted name. What do the names of
        biases have in common, at any depth of nesting? Read the values; do not edit them.""",
        solution="""def bias_total(net):
    with torch.no_grad():
        return sum(p.sum() for name, p in net.named_parameters() if name.endswith("bias"))""",
        wrong=[
            """def bias_total(net):
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("bias"):
                p.zero_()
    return 0""",  # zeroes the biases, then their sum is 0
            """def bias_total(net):
    return sum(p.sum() for name, p in net.named_parameters() if name == "bias")""",  # names carry prefixes
            """def bias_total(net):
    return sum(p.sum() for p in net.parameters())""",  # weights included
            """def bias_total(net):
    return net[-1].bias.sum()""",  # the last layer only
            """def bias_total(net):
    return sum(m.bias.sum() for m in net.modules()
               if isinstance(m, nn.Linear) and m.bias is not None)""",  # BatchNorm's bias left out
            """def bias_total(net):
    return sum(p.numel() for name, p in net.named_parameters() if name.endswith("bias"))""",  # counted
            """def bias_total(net):
    return torch.cat([p.detach() for name, p in net.named_parameters() if name.endswith("bias")])""",
        ],
        zh_CN=dict(
            prompt="""
            编写函数 `bias_total(net)`，返回 `net` 中所有偏置元素之和（普通数字或零维张量均可），并且不能修改 `net`。用 `named_parameters()` 找出所有偏置。
            """,
            hint="""
            `named_parameters()` 会给出每个参数及其带点号的名字。无论嵌套多深，偏置的名字有什么共同点？只读取数值，不要修改它们。""",
        ),
    ),
    Thought(
        prompt="""
        A classmate sends you `model.pt` made with `torch.save(model, "model.pt")` (the whole
        model, not its state dict). Why does `torch.load("model.pt")` refuse it in
        PyTorch 2.6 and later, and what should the two of you do instead?
        """,
        name="thoughts",
        hint="What does unpickling an arbitrary object allow the file to do?",
        solution="""Saving a whole model pickles the object with a reference to its Python class, and
unpickling can call any function the file names, so loading a stranger's pickle can run their code on your machine.
Since 2.6, torch.load defaults to weights_only=True, which only rebuilds tensors and
plain containers and so rejects the pickled model. Share
torch.save(model.state_dict(), path) instead, rebuild the architecture in code, and
load with model.load_state_dict(torch.load(path, weights_only=True)). Pass
weights_only=False only for a file you made yourself or fully trust.""",
        zh_CN=dict(
            prompt="""
            一位同学发给你一个用 `torch.save(model, "model.pt")` 保存的 `model.pt`（保存的是整个模型，而不是它的状态字典）。为什么在 PyTorch 2.6 及以后的版本中，`torch.load("model.pt")` 会拒绝加载它？你们俩应该怎么做？
            """,
            hint="反序列化（unpickle）任意对象时，文件能做些什么？",
            solution="""保存整个模型时，pickle 会保存这个对象及其 Python 类的引用，而反序列化时可以调用文件中指定的任何函数，
所以加载陌生人的 pickle 文件，可能会在你的机器上运行对方的代码。从 2.6 起，torch.load 默认
weights_only=True，只重建张量和普通容器，因此会拒绝这个被 pickle 的模型。应该改为分享
torch.save(model.state_dict(), path) 保存的文件，在代码中重建模型架构，再用
model.load_state_dict(torch.load(path, weights_only=True)) 加载。只有对你自己生成或完全信任的文件，
才传入 weights_only=False。""",
        ),
    ),
]
