"""Exercises of chapter 5, Weight decay."""

import torch

from helpers.exercises import Function, Thought, Value


def _l1_cases():
    w = torch.randn(6)
    w[2] = 0.0  # the subgradient at 0
    return [
        (torch.tensor([0.5, -0.2, 0.0]), torch.zeros(3), 0.1, 1.0),
        (w, torch.randn(6), 0.01, 3.0),
        (torch.randn(3, 2, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64), 0.5, 0.2),
        # the data step alone would carry the first two weights across 0
        (torch.tensor([0.05, -0.05, 1.0]), torch.tensor([1.0, -1.0, 0.0]), 0.1, 2.0),
    ]


def _fold_cases():
    return [
        (torch.randn(20, 3), torch.randn(20, 1), 5, 0),
        (torch.randn(20, 3), torch.randn(20, 1), 5, 4),
        (torch.randn(23, 2), torch.randn(23, 1), 5, 2),  # blocks of 5, 5, 5, 4, 4
        (torch.randn(7, 4), torch.randn(7), 3, 1),
        (torch.randn(10, 2), torch.randn(10, 1), 10, 9),  # leave-one-out
    ]


QUESTIONS = [
    Value(
        prompt="""
        What is d2l's `l2_penalty(w) = torch.sum(w.pow(2)) / 2` for
        `w = torch.tensor([3.0, -4.0, 1.0, 0.0])`? Work it out by hand, then assign the number to
        `penalty`.
        """,
        name="penalty",
        expected=13.0,
        hint="""
        Square each entry first (a sign does not survive squaring), add the squares, and keep
        d2l's factor $\\frac12$.
        """,
        zh_CN=dict(
            prompt="""
            d2l 的 `l2_penalty(w) = torch.sum(w.pow(2)) / 2` 在 `w = torch.tensor([3.0, -4.0, 1.0, 0.0])`
            时等于多少？先手算，再把这个数赋给 `penalty`。
            """,
            hint="""
            先把每个元素平方（平方之后符号就没有了），再把平方加起来，别忘了 d2l 的系数 $\\frac12$。
            """,
        ),
        solution="""w = torch.tensor([3.0, -4.0, 1.0, 0.0])
penalty = (torch.sum(w.pow(2)) / 2).item()  # (9 + 16 + 1 + 0) / 2""",
        wrong=[
            "penalty = 26.0",  # the factor 1/2 forgotten
            "penalty = 4.0",  # absolute values instead of squares: (3 + 4 + 1 + 0) / 2
            "penalty = 0.0",  # summed first, then squared: (3 - 4 + 1 + 0) ** 2 / 2
            "penalty = (torch.tensor([3.0, -4.0, 1.0, 0.0]).norm() / 2).item()",  # the norm, not its square
        ],
    ),
    Value(
        prompt="""
        One example $\\mathbf x = (1, 2)$ with target $y = 1$, weights $\\mathbf w = (0.5, -1)$ and
        bias $b = 0$. The penalized loss is
        $\\frac12(\\mathbf x^\\top\\mathbf w + b - y)^2 + \\frac{\\lambda}{2}\\|\\mathbf w\\|^2$ with
        $\\lambda = 0.1$. Assign its gradient with respect to $\\mathbf w$, a float tensor of shape
        `[2]`, to `grad_w`.
        """,
        name="grad_w",
        expected=torch.tensor([-2.45, -5.1]),
        hint="""
        Let autograd do it: make `w` a tensor with `requires_grad=True`, build the loss from it and
        call `backward()`. By hand, differentiate the two terms separately and add the results.
        """,
        zh_CN=dict(
            prompt="""
            一个样本 $\\mathbf x = (1, 2)$，目标 $y = 1$，权重 $\\mathbf w = (0.5, -1)$，偏置 $b = 0$。带惩罚项的损失为
            $\\frac12(\\mathbf x^\\top\\mathbf w + b - y)^2 + \\frac{\\lambda}{2}\\|\\mathbf w\\|^2$，其中
            $\\lambda = 0.1$。把它关于 $\\mathbf w$ 的梯度（形状为 `[2]` 的浮点张量）赋给 `grad_w`。
            """,
            hint="""
            让 autograd 来算：把 `w` 设为 `requires_grad=True` 的张量，用它构造损失，再调用
            `backward()`。手算的话，分别对两项求导，再把结果相加。
            """,
        ),
        solution="""x = torch.tensor([1.0, 2.0])
w = torch.tensor([0.5, -1.0], requires_grad=True)
loss = 0.5 * (x @ w + 0.0 - 1.0) ** 2 + 0.1 / 2 * (w ** 2).sum()
loss.backward()
grad_w = w.grad""",
        wrong=[
            "grad_w = torch.tensor([-2.5, -5.0])",  # the penalty's gradient forgotten
            "grad_w = torch.tensor([-2.4, -5.2])",  # the penalty's gradient taken as 2 * lambda * w
            "grad_w = torch.tensor([2.55, 4.9])",  # the residual as y - y_hat
            "grad_w = torch.tensor([-2.45, -2.6])",  # the factor x of the chain rule forgotten
            "grad_w = torch.tensor([[-2.45, -5.1]])",  # shape [1, 2]
            "grad_w = torch.tensor([-2.475, -5.05])",  # the penalty's gradient taken as lambda * w / 2
        ],
    ),
    Function(
        prompt="""
        Write `l1_step(w, grad, lr, lambd)` returning the weights after one SGD step on
        $L(\\mathbf w) + \\lambda \\sum_i |w_i|$, where `grad` is the gradient of $L$ alone at `w`
        (where $w_i = 0$, use the subgradient 0). Return a new tensor: do not change `w` in place.
        """,
        name="l1_step",
        cases=_l1_cases,
        pure=True,
        hint="""
        What is the derivative of $\\lambda |w_i|$ for $w_i > 0$, and for $w_i < 0$? One torch
        function gives both, and 0 at 0. Build the result as `w - ...`: `w -= ...` would change the
        caller's tensor.
        """,
        zh_CN=dict(
            prompt="""
            编写 `l1_step(w, grad, lr, lambd)`，返回对 $L(\\mathbf w) + \\lambda \\sum_i |w_i|$ 做一步 SGD
            之后的权重。其中 `grad` 只是 $L$ 本身在 `w` 处的梯度（在 $w_i = 0$ 处使用次梯度 0）。返回一个新张量，不要原地修改
            `w`。
            """,
            hint="""
            $\\lambda |w_i|$ 在 $w_i > 0$ 时的导数是什么？在 $w_i < 0$ 时呢？有一个 torch
            函数能同时给出这两者，并且在 0 处给出 0。把结果写成 `w - ...`：`w -= ...` 会修改调用者传入的张量。
            """,
        ),
        solution="""def l1_step(w, grad, lr, lambd):
    return w - lr * (grad + lambd * torch.sign(w))""",
        wrong=[
            "def l1_step(w, grad, lr, lambd):\n    w -= lr * (grad + lambd * torch.sign(w))\n    return w",
            "def l1_step(w, grad, lr, lambd):\n    return w - lr * (grad + lambd * w)",  # the L2 step
            "def l1_step(w, grad, lr, lambd):\n    return w - lr * (grad + lambd * w.abs())",
            "def l1_step(w, grad, lr, lambd):\n    return w - lr * grad - lambd * torch.sign(w)",
            "def l1_step(w, grad, lr, lambd):\n    return w - lr * (grad + lambd * w / w.abs())",  # NaN at 0
            # the chapter's soft-thresholding: a proximal step, not the (sub)gradient step asked for
            "def l1_step(w, grad, lr, lambd):\n    z = w - lr * grad\n"
            "    return torch.sign(z) * (z.abs() - lr * lambd).clamp_min(0)",
        ],
    ),
    Function(
        prompt="""
        Write `k_fold_data(X, y, k, i)` for k-fold cross-validation: cut the rows of `X` and `y` into
        `k` consecutive blocks as `torch.tensor_split` does (when `k` does not divide the number of
        rows, the first blocks get one row more), and return `(X_train, y_train, X_valid, y_valid)`:
        block `i` is the validation set, the other blocks in their original order form the
        training set. (d2l's `get_k_fold_data` in its Kaggle house-prices section drops the
        leftover rows instead; keep them.)
        """,
        name="k_fold_data",
        cases=_fold_cases,
        pure=True,
        hint="""
        Split the row indices `torch.arange(len(X))` into blocks once, pick block `i` for
        validation and `torch.cat` the others; index `X` and `y` with the two index tensors.
        """,
        zh_CN=dict(
            prompt="""
            为 k 折交叉验证编写 `k_fold_data(X, y, k, i)`：像 `torch.tensor_split` 那样把 `X` 和 `y` 的行切成
            `k` 个连续的块（当 `k` 不能整除行数时，前面的块各多一行），并返回
            `(X_train, y_train, X_valid, y_valid)`：第 `i` 块是验证集，其余各块按原来的顺序组成训练集。（d2l 在 Kaggle
            房价预测一节中的 `get_k_fold_data` 会丢掉多余的行；这里要保留它们。）
            """,
            hint="""
            把行索引 `torch.arange(len(X))` 一次切分成块，取第 `i` 块用于验证，用 `torch.cat` 拼接其余的块；再用这两个索引张量去索引
            `X` 和 `y`。
            """,
        ),
        solution="""def k_fold_data(X, y, k, i):
    blocks = torch.arange(len(X)).tensor_split(k)
    train = torch.cat(blocks[:i] + blocks[i + 1:])
    return X[train], y[train], X[blocks[i]], y[blocks[i]]""",
        wrong=[
            # d2l's block size n // k, which drops the leftover rows
            """def k_fold_data(X, y, k, i):
    size = len(X) // k
    train = torch.cat([torch.arange(j * size, (j + 1) * size) for j in range(k) if j != i])
    valid = torch.arange(i * size, (i + 1) * size)
    return X[train], y[train], X[valid], y[valid]""",
            # torch.chunk: blocks of ceil(n / k) rows, so the last one is shorter (or missing)
            """def k_fold_data(X, y, k, i):
    blocks = torch.arange(len(X)).chunk(k)
    train = torch.cat(blocks[:i] + blocks[i + 1:])
    return X[train], y[train], X[blocks[i]], y[blocks[i]]""",
            # the validation block left in the training set
            """def k_fold_data(X, y, k, i):
    blocks = torch.arange(len(X)).tensor_split(k)
    return X, y, X[blocks[i]], y[blocks[i]]""",
            # the blocks after i put before the blocks before it
            """def k_fold_data(X, y, k, i):
    blocks = torch.arange(len(X)).tensor_split(k)
    train = torch.cat(blocks[i + 1:] + blocks[:i])
    return X[train], y[train], X[blocks[i]], y[blocks[i]]""",
        ],
    ),
    Value(
        prompt="""
        A single weight `w = 2.0` has zero loss gradient. Take one step with `lr=0.1` and
        `weight_decay=0.1`, once with `torch.optim.Adam` and once with `torch.optim.AdamW`, each from
        `w = 2.0`. Assign the tuple `(w_after_adam, w_after_adamw)` of plain floats to `after`.
        """,
        name="after",
        expected=(1.9, 1.98),
        rtol=1e-3,
        hint="""
        Try it: an `nn.Parameter` holding 2.0, `.grad` set to a zero tensor, one `step()`. To predict
        the numbers, ask where each optimizer applies `weight_decay`: inside the gradient that Adam then
        divides by its running scale, or directly on the weight.
        """,
        zh_CN=dict(
            prompt="""
            单个权重 `w = 2.0`，损失梯度为零。用 `lr=0.1` 和 `weight_decay=0.1` 走一步，分别用
            `torch.optim.Adam` 和 `torch.optim.AdamW`，都从 `w = 2.0` 出发。把由普通浮点数组成的元组
            `(w_after_adam, w_after_adamw)` 赋给 `after`。
            """,
            hint="""
            动手试一试：一个存放 2.0 的 `nn.Parameter`，把 `.grad` 设为零张量，调用一次 `step()`。要预测这两个数，就想一想每个优化器在哪里施加
            `weight_decay`：是加在梯度里、再由 Adam 除以它的滑动尺度，还是直接作用在权重上。
            """,
        ),
        solution="""results = []
for make in (torch.optim.Adam, torch.optim.AdamW):
    w = nn.Parameter(torch.tensor([2.0]))
    optimizer = make([w], lr=0.1, weight_decay=0.1)
    w.grad = torch.zeros(1)
    optimizer.step()
    results.append(w.item())
after = tuple(results)""",
        wrong=[
            "after = (1.98, 1.9)",  # the two swapped
            "after = (1.98, 1.98)",  # Adam's coupled L2 taken for a plain SGD step
            "after = (1.9, 1.9)",  # AdamW taken for Adam
            "after = (1.9, 1.99)",  # AdamW's decay taken as w - lr * weight_decay
            "after = (1.9, 1.881)",  # AdamW stepped from Adam's result instead of from 2.0
        ],
    ),
    Thought(
        prompt="""
        In this chapter the λ with the lowest *test* loss differs from the one chosen on validation
        data. A classmate proposes to simply report the test-best λ and its test loss. What is wrong
        with that, and what should be reported instead?
        """,
        name="thoughts",
        hint="""
        What does a test loss estimate, and does it still estimate it after you used the test set
        to choose something?
        """,
        zh_CN=dict(
            prompt="""
            在本章中，*测试*损失最低的 λ 与在验证数据上选出的 λ 不同。一位同学提议直接报告测试损失最低的 λ
            及其测试损失。这样做有什么问题？应该报告什么？
            """,
            hint="""
            测试损失估计的是什么？当你已经用测试集选择过某样东西之后，它还在估计这个量吗？
            """,
            solution="""
            测试损失本来是用来估计最终模型在新数据上的表现的。按测试损失选择
            λ，就让测试集（通过这次选择）成了训练的一部分，于是报告出来的损失偏乐观：它是许多个带噪声的数中的最小值。应该在训练数据上用留出的验证集或 k
            折交叉验证来选择 λ，用这个 λ 重新训练，然后只报告一次测试损失。在我们这样的教学实验中，看一看测试损失最低的 λ
            并无不妥，可以看出验证选得有多接近；这里测试损失在最小值附近很平坦，所以按验证选择的代价很小。
            """,
        ),
        solution="""The test loss is meant to estimate how the final model does on new data. Choosing λ by
test loss makes the test set part of training (through the choice), so the reported loss is
optimistically biased: it is the minimum of many noisy numbers. Choose λ with a validation split or
k-fold cross-validation on the training data, retrain with that λ, and report the test loss once.
Looking at the test-best λ is fine in a teaching experiment like ours, to see how close validation
gets; here the test loss is flat near its minimum, so the validation choice costs little.""",
    ),
]
