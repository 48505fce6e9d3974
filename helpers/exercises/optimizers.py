"""Exercises of chapter 4, Optimizers."""

import math

import torch

from helpers.exercises import Code, Function, Thought, Value, call, tr


def _shapes(group) -> list:
    return sorted(tuple(p.shape) for p in group["params"])


def _verify_two_groups(optimizer):
    if not isinstance(optimizer, torch.optim.SGD):
        return tr("expected a torch.optim.SGD, got an object of type {type}", type=type(optimizer).__name__)
    groups = optimizer.param_groups
    if len(groups) != 2:
        return tr("expected 2 parameter groups, got {count}", count=len(groups))
    # The prompt names no order of the groups: find each layer's group by its shapes.
    layers = [([(8,), (8, 4)], 0.01, "the first layer's"), ([(2,), (2, 8)], 0.1, "the last layer's")]
    for shapes, lr, whose in layers:
        group = next((group for group in groups if _shapes(group) == shapes), None)
        if group is None:
            return tr("no group holds exactly {whose} weight and bias (shapes {shapes}); "
                      "the groups hold shapes {groups}",
                      whose=tr(whose), shapes=shapes, groups=[_shapes(group) for group in groups])
        if not math.isclose(group["lr"], lr):
            return tr("the group of {whose} parameters has lr {lr}", whose=tr(whose), lr=group["lr"])
        if not math.isclose(group["momentum"], 0.9):
            return tr("the group of {whose} parameters has momentum {momentum}", whose=tr(whose),
                      momentum=group["momentum"])
    return None


def _verify_no_decay_on_biases(optimizer):
    # Adam with decoupled_weight_decay=True is AdamW under another name (AdamW subclasses it).
    if not isinstance(optimizer, torch.optim.Adam):
        return tr("expected a torch.optim.AdamW, got an object of type {type}", type=type(optimizer).__name__)
    if not all(group["decoupled_weight_decay"] for group in optimizer.param_groups):
        return tr("this Adam adds weight_decay to the gradient, as an L2 penalty; "
                  "AdamW decays the weights directly")
    shapes = []
    for index, group in enumerate(optimizer.param_groups):
        for p in group["params"]:
            shapes.append(tuple(p.shape))
            kind, wanted = ("weight matrix", 0.05) if p.ndim > 1 else ("bias", 0.0)
            if not math.isclose(group["weight_decay"], wanted):
                return tr("a {kind} of shape {shape} sits in group {index}, whose weight_decay is {weight_decay}",
                          kind=tr(kind), shape=list(p.shape), index=index, weight_decay=group["weight_decay"])
        if not math.isclose(group["lr"], 0.001):
            return tr("group {index} has lr {lr}, not AdamW's default", index=index, lr=group["lr"])
    expected = sorted([(8, 4), (8,), (8, 8), (8,), (2, 8), (2,)])
    if sorted(shapes) != expected:
        return tr("the optimizer holds parameters of shapes {shapes}, not the 6 of the MLP", shapes=sorted(shapes))
    return None


def _cosine_cases():
    return [(0, 0.1, 10), (5, 0.1, 10), (3, 1.0, 12), (10, 0.5, 10), (7, 0.02, 50),
            call(4, 0.1, 8, eta_min=0.01), call(8, 0.1, 8, eta_min=0.01), call(1, 2.0, 3, eta_min=0.5)]


QUESTIONS = [
    Value(
        prompt="""
        `w = torch.tensor([1.0], requires_grad=True)` is trained with
        `torch.optim.SGD([w], lr=0.1, momentum=0.9)` on the loss $w^2$: twice, the gradient is
        zeroed, `(w ** 2).sum().backward()` runs and the optimizer steps. Work out by hand what `w`
        is afterwards, then assign the number to `w_after`.
        """,
        name="w_after",
        zh_CN=dict(
            prompt="""
            用 `torch.optim.SGD([w], lr=0.1, momentum=0.9)` 在损失 $w^2$ 上训练
            `w = torch.tensor([1.0], requires_grad=True)`：共两轮，每轮先把梯度清零，再运行 `(w ** 2).sum().backward()`，然后让优化器走一步。手算之后的 `w` 是多少，再把这个数赋给 `w_after`。
            """,
            hint="""
            一步一步来：写下当前 `w` 处的梯度、优化器在 `momentum_buffer` 中保存了什么，以及 `w` 移动了多远。本章讲动量缓冲区的那个单元格展示了第一步存储了什么，第二步又如何使用它。""",
        ),
        expected=0.46,
        hint="""
        Go one step at a time, writing down the gradient at the current `w`, what the optimizer
        keeps in its `momentum_buffer` and how far `w` moves. This chapter's cell on momentum buffers
        shows what the first step stores and how the second one uses it.""",
        solution="""w = torch.tensor([1.0], requires_grad=True)
optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
for _ in range(2):
    optimizer.zero_grad()
    (w ** 2).sum().backward()
    optimizer.step()
w_after = w.item()  # 1 - 0.1 * 2 = 0.8, then 0.8 - 0.1 * (0.9 * 2 + 1.6) = 0.46""",
        wrong=[
            "w_after = 0.8",  # one step only
            "w_after = 0.64",  # momentum forgotten: two plain SGD steps
            "w_after = 0.604",  # the buffer as a running average, 0.9 * 2 + 0.1 * 1.6
            "w_after = 0.72",  # the gradient of w**2 taken as w
            "w_after = 0.26",  # the first gradient never zeroed: 2 + 1.6 at the second step
            "w_after = '0.46'",
        ],
    ),
    Code(
        prompt="""
        Build `net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))` and an SGD optimizer
        `optimizer` with momentum 0.9 and two parameter groups: the first layer trains with learning
        rate 0.01, the last layer with 0.1.
        """,
        name="optimizer",
        zh_CN=dict(
            prompt="""
            构建 `net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))` 和一个 SGD 优化器
            `optimizer`：动量为 0.9，有两个参数组，第一层用学习率 0.01 训练，最后一层用 0.1。
            """,
            hint="""
            构造函数可以接受一个字典列表，每个组一个字典，各自带有自己的 `'params'`；直接传给构造函数的超参数，适用于所有没有自行设置这个超参数的组。""",
        ),
        verify=_verify_two_groups,
        hint="""
        The constructor takes a list of dictionaries, one per group, each with its own `'params'`;
        a hyperparameter given to the constructor itself applies to every group that does not set it.""",
        solution="""net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.01},
                             {"params": net[2].parameters(), "lr": 0.1}], momentum=0.9)""",
        wrong=[
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)""",  # one group
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.1},
                             {"params": net[2].parameters(), "lr": 0.01}], momentum=0.9)""",  # swapped
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.01},
                             {"params": net[2].parameters(), "lr": 0.1}])""",  # no momentum
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.01, "momentum": 0.9},
                             {"params": net[2].parameters(), "lr": 0.1}])""",  # momentum in one group
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD([{"params": [net[0].weight], "lr": 0.01},
                             {"params": [net[2].weight], "lr": 0.1}], momentum=0.9)""",  # biases left out
            """net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.Adam([{"params": net[0].parameters(), "lr": 0.01},
                              {"params": net[2].parameters(), "lr": 0.1}])""",  # Adam
        ],
    ),
    Code(
        prompt="""
        Build `mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))`
        and an AdamW optimizer `adamw` over all its parameters, with AdamW's default learning rate,
        weight decay 0.05 on the weight matrices and no weight decay at all on the biases.
        """,
        name="adamw",
        zh_CN=dict(
            prompt="""
            构建 `mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))`
            以及一个覆盖它全部参数的 AdamW 优化器 `adamw`：使用 AdamW 的默认学习率，对权重矩阵做 0.05 的权重衰减，对偏置完全不做权重衰减。
            """,
            hint="""
            按一个能区分权重矩阵和偏置向量的属性，把参数分成两个列表，并让每个列表各成一组。再查一查：没有设置 `weight_decay` 的组会从 AdamW 得到什么值。""",
        ),
        verify=_verify_no_decay_on_biases,
        hint="""
        Sort the parameters into two lists by a property that tells a weight matrix from a bias
        vector, and give each list its own group. Check what a group that sets no `weight_decay` gets
        from AdamW.""",
        solution="""mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
decay = [p for p in mlp.parameters() if p.ndim > 1]
no_decay = [p for p in mlp.parameters() if p.ndim <= 1]
adamw = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                           {"params": no_decay, "weight_decay": 0.0}])""",
        wrong=[
            """mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
adamw = torch.optim.AdamW(mlp.parameters(), weight_decay=0.05)""",  # biases decayed too
            """mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
decay = [p for p in mlp.parameters() if p.ndim > 1]
no_decay = [p for p in mlp.parameters() if p.ndim <= 1]
adamw = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay}])""",
            # the bias group silently gets AdamW's default weight_decay, 0.01
            """mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
decay = [p for p in mlp.parameters() if p.ndim > 1]
no_decay = [p for p in mlp.parameters() if p.ndim <= 1]
adamw = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.05},
                           {"params": decay, "weight_decay": 0.0}])""",  # the groups swapped
            """mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
decay = [p for p in mlp.parameters() if p.ndim > 1]
no_decay = [p for p in mlp.parameters() if p.ndim <= 1]
adamw = torch.optim.Adam([{"params": decay, "weight_decay": 0.05},
                          {"params": no_decay, "weight_decay": 0.0}])""",  # Adam's L2 penalty, not AdamW
            """mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
adamw = torch.optim.AdamW([{"params": [mlp[0].weight, mlp[2].weight], "weight_decay": 0.05},
                           {"params": [mlp[0].bias, mlp[2].bias], "weight_decay": 0.0}])""",  # last layer left out
            """mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
decay = [p for p in mlp.parameters() if p.ndim > 1]
no_decay = [p for p in mlp.parameters() if p.ndim <= 1]
adamw = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                           {"params": no_decay, "weight_decay": 0.0}], lr=0.01)""",  # not the default lr
        ],
    ),
    Value(
        prompt="""
        An optimizer starts with learning rate 0.8 and is scheduled by
        `torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)`. After seven rounds of
        `optimizer.step(); scheduler.step()`, what is the learning rate (`scheduler.get_last_lr()[0]`)?
        Work it out by hand, then assign it to `lr_after`.
        """,
        name="lr_after",
        zh_CN=dict(
            prompt="""
            一个优化器的初始学习率为 0.8，由 `torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)` 调度。执行七轮 `optimizer.step(); scheduler.step()` 之后，学习率（`scheduler.get_last_lr()[0]`）是多少？先手算，再把结果赋给 `lr_after`。
            """,
            hint="""
            `scheduler.step()` 每调用 `step_size` 次，`StepLR` 就把学习率乘一次 `gamma`。七次调用构成几个完整的周期？本章的 `StepLR` 单元格打印了 `step_size=25` 时的规律。""",
        ),
        expected=0.2,
        hint="""
        `StepLR` multiplies the learning rate by `gamma` once every `step_size` calls of
        `scheduler.step()`. How many complete periods do seven calls make? This chapter's `StepLR` cell
        prints the pattern for `step_size=25`.""",
        solution="""w = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([w], lr=0.8)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
for _ in range(7):
    optimizer.step()
    scheduler.step()
lr_after = scheduler.get_last_lr()[0]  # 0.8 * 0.5 ** (7 // 3)""",
        wrong=[
            "lr_after = 0.1",  # 7 / 3 rounded up: three halvings
            "lr_after = 0.4",  # one halving
            "lr_after = 0.8 * 0.5 ** 7",  # halved at every step
            "lr_after = 0.8 * 0.5 ** (7 / 3)",  # a smooth exponential decay
        ],
    ),
    Function(
        prompt="""
        Write `cosine_lr(step, base_lr, T_max, eta_min=0.0)` returning, as a float, the learning rate
        that `CosineAnnealingLR(optimizer, T_max, eta_min)` sets after `step` calls of
        `scheduler.step()` (for $0 \\le$ `step` $\\le$ `T_max`), when the optimizer started at `base_lr`.
        The curve is half a cosine period from `base_lr` at step 0 down to `eta_min` at step `T_max`.
        """,
        name="cosine_lr",
        zh_CN=dict(
            prompt="""
            编写 `cosine_lr(step, base_lr, T_max, eta_min=0.0)`：优化器的初始学习率为 `base_lr`，`scheduler.step()` 调用了
            `step` 次之后（$0 \\le$ `step` $\\le$ `T_max`），以 float 返回 `CosineAnnealingLR(optimizer, T_max, eta_min)` 设置的学习率。这条曲线是半个余弦周期：从第 0 步的 `base_lr` 下降到第 `T_max` 步的 `eta_min`。
            """,
            hint="""
            本章讲 `torch.optim.lr_scheduler` 中调度器的那个单元格写出了 `eta_min=0` 时 `CosineAnnealingLR` 的曲线公式。有了 `eta_min`，同样的半个余弦改为在 `eta_min` 而不是 0 处结束：公式中的哪一部分决定了曲线下降多少？""",
        ),
        cases=_cosine_cases,
        hint="""
        This chapter's cell on the schedulers of `torch.optim.lr_scheduler` writes the curve of
        `CosineAnnealingLR` for `eta_min=0`. With `eta_min`, the same half cosine ends at `eta_min`
        instead of 0: which part of that formula sets how far the curve falls?""",
        solution="""import math

def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * step / T_max)) / 2""",
        wrong=[
            """def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return base_lr * (1 + math.cos(math.pi * step / T_max)) / 2""",  # eta_min ignored
            """def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return eta_min + base_lr * (1 + math.cos(math.pi * step / T_max)) / 2""",  # eta_min added on top
            """def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * math.cos(math.pi * step / T_max)""",  # a cosine down to -base_lr
            """def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(step / T_max)) / 2""",  # pi forgotten
            """def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 - step / T_max)""",  # a straight line
            """def cosine_lr(step, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(2 * math.pi * step / T_max)) / 2""",  # a full period
        ],
    ),
    Thought(
        prompt="""
        With `lr=1`, Adam moved the entries of the weight by almost exactly 1 on its first step, for
        gradients from 100 down to 1e-4; only the entry whose gradient equals eps moved less. Why? What
        does that mean for choosing Adam's learning rate, compared with SGD's, for example when the
        loss is multiplied by 100?
        """,
        name="thoughts",
        zh_CN=dict(
            prompt="""
            在 `lr=1` 时，Adam 的第一步把权重的元素移动了几乎恰好 1，梯度从 100 到 1e-4 都是如此；只有梯度等于 eps 的那个元素移动得更少。为什么？与 SGD 相比，这对选择 Adam 的学习率意味着什么，例如当损失乘以 100 时？
            """,
            hint="""
            写出带偏差修正的 Adam 第一次更新：一步之后 $\\hat m_1$ 和 $\\hat v_1$ 是什么？在 $\\hat m_1 / (\\sqrt{\\hat v_1} + \\epsilon)$ 中，梯度 $g$ 还剩下什么？然后把每个梯度都乘以 100：这一步有什么变化，SGD 的 $\\eta g$ 又有什么变化？""",
            solution="""一步之后，经过偏差修正的矩为 m_hat = g 和 v_hat = g**2，所以更新量是
lr * g / (|g| + eps) = lr * sign(g)（不计 eps）：梯度的大小被约掉了，每个元素都移动 lr
（梯度接近或小于 eps 的元素移动得更少：|g| = eps 时 |g| / (|g| + eps) 是 1/2）。
之后的各步用 g 的移动平均除以 g 的移动均方根，这个比值保持在 1 的量级，
所以 Adam 的 lr 大致就是以参数为单位的步长，与损失的尺度无关：
损失乘以 100，m_hat 和 sqrt(v_hat) 都乘以 100，Adam 走的步不变（不计 eps）。
SGD 的步长是 lr * g，所以它合适的 lr 取决于梯度的尺度（损失的曲率）：损失乘以 100，
SGD 的步长就大 100 倍，它的 lr 必须除以 100 才能与原来一致。""",
        ),
        hint="""
        Write Adam's first update with its bias corrections: what are $\\hat m_1$ and $\\hat v_1$
        after one step, and what is left of the gradient $g$ in $\\hat m_1 / (\\sqrt{\\hat v_1} + \\epsilon)$?
        Then multiply every gradient by 100: what changes in that step, and in SGD's $\\eta g$?""",
        solution="""After one step the bias-corrected moments are m_hat = g and v_hat = g**2, so the update
is lr * g / (|g| + eps) = lr * sign(g), up to eps: the gradient's size cancels, and
every entry moves by lr (an entry whose gradient is close to eps or smaller moves
less: at |g| = eps, |g| / (|g| + eps) is 1/2). Later steps divide a running mean of g
by a running root mean square of g, which stays of order one, so Adam's lr is roughly
the size of a step in parameter units, the same whatever the scale of the loss:
multiplied by 100, the loss multiplies m_hat and sqrt(v_hat) by 100, and Adam takes
the same steps (up to eps). SGD's step is lr * g, so its good lr depends on the scale
of the gradients (the curvature of the loss): with the loss multiplied by 100, SGD
takes 100 times larger steps, and its lr must be divided by 100 to match.""",
    ),
]
