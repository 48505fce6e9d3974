"""Chapter 5, weight decay: d2l's overfitting regression, a fast trainer for sweeps, the widget
and the exercises.

The data is d2l's high-dimensional linear regression: 200 inputs, only 20 training examples,
``y = 0.01 * sum(x) + 0.05 + noise``. :func:`fit_linear` trains that model with minibatch SGD
for many penalty strengths at once (one column of weights per lambda), so a sweep of 19 lambdas
costs about as much as one run.

>>> X, y, X_test, y_test = make_data()
>>> fit = fit_linear(X, y, [0.0, 3.0], X_test=X_test, y_test=y_test)
>>> [round(norm, 1) for norm in fit.weight_norms().tolist()]
[13.2, 0.4]
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter
from torch import nn

from helpers.checks import finite_number, integer_in_range
from helpers.exercises import (CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion,
                               describe)
from helpers.widgets import Backdrop, Panel

NUM_INPUTS = 200
N_TRAIN = 20
N_TEST = 100
TRUE_B = 0.05
PENALTIES = ("l2", "l1", "l1_prox")
# The learning rate of d2l's weight-decay section, the default of fit_linear and train_concise.
_LR = 0.003
# The trainer's generator is seeded apart from the data's: a generator seeded like the data
# would draw the initial weights equal to the first training example.
_INIT_SEED_OFFSET = 1_000_003


# ----------------------------------------------------------------------------- checks


def _check_matrix(name: str, value, features: int | None = None) -> None:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {describe(value)}")
    if value.dim() != 2 or value.shape[0] == 0 or not value.is_floating_point():
        raise ValueError(f"{name} must be a non-empty 2-D float tensor (examples x features), "
                         f"got {describe(value)}")
    if features is not None and value.shape[1] != features:
        raise ValueError(f"{name} must have {features} features (columns), got {value.shape[1]}")


def _check_targets(name: str, value, rows: int) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {describe(value)}")
    if value.numel() != rows or value.dim() > 2 or (value.dim() == 2 and value.shape[1] != 1):
        raise ValueError(f"{name} must hold one target per example, shape [{rows}] or [{rows}, 1], "
                         f"got {describe(value)}")
    return value.reshape(rows, 1).to(torch.float32)


def _check_data(data) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``data`` as :func:`make_data` returns it: ``(X, y, X_test, y_test)``, checked."""
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise TypeError(f"data must be a tuple (X, y, X_test, y_test), got {describe(data)}")
    X, y, X_test, y_test = data
    _check_matrix("X", X)
    _check_matrix("X_test", X_test, features=X.shape[1])
    _check_targets("y", y, X.shape[0])
    _check_targets("y_test", y_test, X_test.shape[0])
    return X, y, X_test, y_test


def _check_batches(name: str, batches, num_inputs: int) -> None:
    """``batches`` must be a reusable iterable of ``(X, y)`` minibatches with ``num_inputs``
    features. A DataLoader is checked through its dataset and a list through its first
    entry, so no batch is drawn: drawing one would use the global random generator."""
    if isinstance(batches, (torch.Tensor, str, bytes)) or not hasattr(batches, "__iter__"):
        raise TypeError(f"{name} must be an iterable of (X, y) minibatches such as "
                        f"d2l.load_array((X, y), 5), got {describe(batches)}")
    source = batches.dataset if isinstance(batches, torch.utils.data.DataLoader) else batches
    if not (hasattr(source, "__len__") and hasattr(source, "__getitem__")):
        return  # a generator or an iterable dataset: nothing to look at without drawing
    if len(source) == 0:
        raise ValueError(f"{name} must hold at least one (X, y) minibatch, got none")
    first = source[0]
    if not isinstance(first, (tuple, list)) or len(first) != 2 \
            or not all(isinstance(part, torch.Tensor) for part in first):
        raise TypeError(f"{name} must yield (X, y) pairs of tensors, got {describe(first)}")
    if first[0].dim() == 0 or first[0].shape[-1] != num_inputs:
        raise ValueError(f"{name} must yield inputs X with {num_inputs} features (num_inputs), "
                         f"got {describe(first[0])}")


def _as_lambdas(lambdas) -> torch.Tensor:
    if isinstance(lambdas, (str, bytes)) or not isinstance(lambdas, (Sequence, torch.Tensor, np.ndarray)):
        raise TypeError(f"lambdas must be a list or 1-D tensor of numbers, got {describe(lambdas)}")
    try:
        values = torch.as_tensor(np.asarray(lambdas, dtype=np.float64), dtype=torch.float32).flatten()
    except (TypeError, ValueError):
        raise TypeError(f"lambdas must be a list or 1-D tensor of numbers, got {describe(lambdas)}") from None
    if values.numel() == 0 or not torch.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"lambdas must be a non-empty list of finite numbers >= 0, got {lambdas!r}")
    return values


# ----------------------------------------------------------------------------- data and penalties

def true_weights(num_inputs: int = NUM_INPUTS) -> torch.Tensor:
    """d2l's true weight vector: ``0.01`` for every input, shape ``[num_inputs, 1]``.

    >>> true_weights(3).shape, round(true_weights(3).sum().item(), 4)
    (torch.Size([3, 1]), 0.03)
    """
    integer_in_range("num_inputs", num_inputs, 1, 10_000)
    return torch.ones((num_inputs, 1)) * 0.01


def make_data(n_train: int = N_TRAIN, n_test: int = N_TEST, num_inputs: int = NUM_INPUTS,
              seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(X_train, y_train, X_test, y_test)`` drawn with ``d2l.synthetic_data``, as the notebook does.

    With ``seed=0`` the first 20 training examples and the test set are exactly what d2l's code
    draws right after ``torch.manual_seed(0)``; a larger ``n_train`` appends examples drawn after
    the test set, so training sets are nested and the test set never changes. The global random
    state is left untouched.

    >>> X, y, X_test, y_test = make_data(n_train=30)
    >>> X.shape, y.shape, X_test.shape
    (torch.Size([30, 200]), torch.Size([30, 1]), torch.Size([100, 200]))
    >>> torch.equal(make_data()[0], X[:20])
    True
    """
    integer_in_range("n_train", n_train, 1, 100_000)
    integer_in_range("n_test", n_test, 1, 100_000)
    integer_in_range("num_inputs", num_inputs, 1, 10_000)
    integer_in_range("seed", seed, 0, 2**32 - 1)
    from d2l import torch as d2l  # after the checks: importing d2l takes seconds

    w = true_weights(num_inputs)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        X, y = d2l.synthetic_data(w, TRUE_B, N_TRAIN)
        X_test, y_test = d2l.synthetic_data(w, TRUE_B, n_test)
        if n_train > N_TRAIN:
            X_more, y_more = d2l.synthetic_data(w, TRUE_B, n_train - N_TRAIN)
            X, y = torch.cat([X, X_more]), torch.cat([y, y_more])
    return X[:n_train], y[:n_train], X_test, y_test


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """d2l's L2 penalty, half the squared norm: ``sum(w ** 2) / 2``.

    >>> l2_penalty(torch.tensor([3.0, -4.0]))
    tensor(12.5000)
    """
    if not isinstance(w, torch.Tensor):
        raise TypeError(f"w must be a torch.Tensor, got {describe(w)}")
    return torch.sum(w.pow(2)) / 2


def l1_penalty(w: torch.Tensor) -> torch.Tensor:
    """The L1 penalty ``sum(|w|)``.

    >>> l1_penalty(torch.tensor([3.0, -4.0]))
    tensor(7.)
    """
    if not isinstance(w, torch.Tensor):
        raise TypeError(f"w must be a torch.Tensor, got {describe(w)}")
    return torch.sum(w.abs())


def l1_step(w: torch.Tensor, grad: torch.Tensor, lr: float, lambd: float) -> torch.Tensor:
    """One SGD step on ``loss + lambd * sum(|w|)``: ``w - lr * (grad + lambd * sign(w))``.

    ``grad`` is the gradient of the data loss alone; ``sign(0) = 0`` is the subgradient used at 0.

    >>> l1_step(torch.tensor([0.5, -0.2, 0.0]), torch.zeros(3), lr=0.1, lambd=1.0)
    tensor([ 0.4000, -0.1000,  0.0000])
    """
    if not isinstance(w, torch.Tensor) or not isinstance(grad, torch.Tensor):
        raise TypeError(f"w and grad must be tensors, got {describe(w)} and {describe(grad)}")
    if w.shape != grad.shape:
        raise ValueError(f"grad must have the shape of w {list(w.shape)}, got {list(grad.shape)}")
    lr = finite_number("lr", lr, strict=True)
    lambd = finite_number("lambd", lambd)
    return w - lr * (grad + lambd * torch.sign(w))


def count_near_zero(w: torch.Tensor, tol: float = 1e-2) -> int:
    """How many entries of ``w`` have ``|w| < tol`` (``tol=0`` is not allowed; use ``(w == 0).sum()``).

    >>> count_near_zero(torch.tensor([0.0, 0.005, -0.02, 1.0]))
    2
    """
    if not isinstance(w, torch.Tensor):
        raise TypeError(f"w must be a torch.Tensor, got {describe(w)}")
    tol = finite_number("tol", tol, strict=True)
    return int((w.detach().abs() < tol).sum())


# ----------------------------------------------------------------------------- fast trainer

@dataclass(frozen=True)
class LinearFit:
    """Result of :func:`fit_linear`: one column per lambda.

    ``train_loss`` and ``test_loss`` have one row per epoch (measured after it) and hold the mean
    of d2l's ``squared_loss``, ``(y_hat - y) ** 2 / 2``. ``test_loss`` is ``None`` without test data.
    """

    lambdas: torch.Tensor
    weights: torch.Tensor
    bias: torch.Tensor
    train_loss: torch.Tensor
    test_loss: torch.Tensor | None

    def weight_norms(self) -> torch.Tensor:
        """L2 norm of each lambda's weight vector.

        >>> X, y, _, _ = make_data()
        >>> fit_linear(X, y, [0.0, 100.0], epochs=5).weight_norms().shape
        torch.Size([2])
        """
        return self.weights.norm(dim=0)

    def final(self) -> dict[str, list[float]]:
        """Final train (and test) loss per lambda, as plain lists.

        >>> X, y, _, _ = make_data()
        >>> sorted(fit_linear(X, y, [1.0], epochs=2).final())
        ['train']
        """
        out = {"train": self.train_loss[-1].tolist()}
        if self.test_loss is not None:
            out["test"] = self.test_loss[-1].tolist()
        return out


def fit_linear(X: torch.Tensor, y: torch.Tensor, lambdas, *, penalty: str = "l2", epochs: int = 100,
               lr: float = _LR, batch_size: int = 5, seed: int = 0, init_std: float = 1.0,
               X_test: torch.Tensor | None = None, y_test: torch.Tensor | None = None) -> LinearFit:
    """Train d2l's linear regression ``y = Xw + b`` by minibatch SGD, once per lambda, in parallel.

    Each step is the from-scratch update of d2l (``squared_loss``, mean over the minibatch) plus
    the penalty on ``w`` only, never on ``b``:

    - ``"l2"``: ``lambd * sum(w**2) / 2``, gradient ``lambd * w`` (weight decay);
    - ``"l1"``: ``lambd * sum(|w|)``, the subgradient step ``- lr * lambd * sign(w)``;
    - ``"l1_prox"``: the same penalty by soft-thresholding after the data step, which sets
      weights exactly to zero.

    All lambdas start from the same weights ``N(0, init_std**2)`` and see the same shuffled
    minibatches (from a private generator seeded with ``seed``), so they differ only by the
    penalty. The closed-form gradient of the squared loss replaces autograd and the loop runs in
    NumPy, so 100 epochs on 20 examples take a few milliseconds.

    >>> X, y, X_test, y_test = make_data()
    >>> fit = fit_linear(X, y, [0.0, 3.0, 30.0], X_test=X_test, y_test=y_test)
    >>> fit.weights.shape, fit.train_loss.shape
    (torch.Size([200, 3]), torch.Size([100, 3]))
    >>> [f"{loss:.3g}" for loss in fit.final()["test"]]
    ['97.7', '0.0784', '0.00923']
    """
    _check_matrix("X", X)
    n, d = X.shape
    y = _check_targets("y", y, n)
    lams = _as_lambdas(lambdas)
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
    integer_in_range("epochs", epochs, 1, 100_000)
    lr = finite_number("lr", lr, strict=True)
    integer_in_range("batch_size", batch_size, 1, 100_000)
    integer_in_range("seed", seed, 0, 2**32 - 1 - _INIT_SEED_OFFSET)
    init_std = finite_number("init_std", init_std)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together, got only one of them")
    if penalty == "l2" and lr * float(lams.max()) >= 1:
        raise ValueError(f"lambdas must satisfy lr * lambda < 1 for the L2 step (else the decay "
                         f"factor 1 - lr * lambda flips the weights' sign), got max {float(lams.max())!r}")

    generator = torch.Generator().manual_seed(_INIT_SEED_OFFSET + seed)
    L = lams.numel()
    X = X.detach().to(torch.float32)
    # The bias is a last weight on a constant input 1; `mask` keeps it free of any penalty.
    Xa = torch.cat([X, torch.ones(n, 1)], dim=1)
    w0 = torch.normal(0.0, 1.0, (d, 1), generator=generator) * init_std
    theta = torch.cat([w0.expand(d, L), torch.zeros(1, L)])
    mask = torch.cat([torch.ones(d, 1), torch.zeros(1, 1)])
    shrink = mask * (lr * lams)          # lr * lambda on weights, 0 on the bias
    decay = 1 - shrink                   # L2: w <- (1 - lr * lambda) w - lr * grad

    # Train and test losses come from one matmul per epoch: stack both sets and average each part.
    evaluate, targets, sizes = Xa, y, [n]
    if X_test is not None:
        _check_matrix("X_test", X_test, features=d)
        y_test = _check_targets("y_test", y_test, X_test.shape[0])
        Xt = torch.cat([X_test.detach().to(torch.float32), torch.ones(X_test.shape[0], 1)], dim=1)
        evaluate, targets, sizes = torch.cat([Xa, Xt]), torch.cat([y, y_test]), [n, X_test.shape[0]]
    averager = torch.zeros(len(sizes), sum(sizes))
    offset = 0
    for row, size in enumerate(sizes):
        averager[row, offset:offset + size] = 0.5 / size
        offset += size

    # The loop runs in NumPy: on matrices this small its per-call overhead is about half of
    # PyTorch's, and the widget retrains on every slider move. Same float32 arithmetic.
    theta, decay, shrink = theta.numpy(), decay.numpy(), shrink.numpy()
    Xa, y, evaluate, targets, averager = (t.numpy() for t in (Xa, y, evaluate, targets, averager))
    # Row i of an epoch's data, pre-scaled by lr / (size of its minibatch), gives the update.
    row_step = np.concatenate([np.full(len(chunk), lr / len(chunk), dtype=np.float32)
                               for chunk in np.array_split(np.arange(n), range(batch_size, n, batch_size))])
    starts = list(range(0, n, batch_size))
    losses = np.empty((epochs, len(sizes), L), dtype=np.float32)
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator).numpy()
        Xs, ys = Xa[order], y[order]
        scaled_T = (Xs * row_step[:, None]).T
        for start in starts:
            stop = start + batch_size
            residual = Xs[start:stop] @ theta                        # y_hat
            residual -= ys[start:stop]                               # y_hat - y
            if penalty == "l2":
                theta *= decay
                theta -= scaled_T[:, start:stop] @ residual
            elif penalty == "l1":
                sign = np.sign(theta)
                theta -= scaled_T[:, start:stop] @ residual
                theta -= sign * shrink
            else:
                theta -= scaled_T[:, start:stop] @ residual
                theta = np.sign(theta) * np.maximum(np.abs(theta) - shrink, 0)
        errors = evaluate @ theta
        errors -= targets
        losses[epoch] = averager @ np.square(errors, out=errors)
    history = torch.from_numpy(losses)                         # epochs x sets x lambdas
    theta = torch.from_numpy(theta)
    return LinearFit(lambdas=lams, weights=theta[:-1].clone(), bias=theta[-1].clone(),
                     train_loss=history[:, 0], test_loss=history[:, 1] if len(sizes) > 1 else None)


def k_fold_splits(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``k`` pairs ``(train_indices, validation_indices)``: fold ``i`` is the i-th contiguous block.

    As in d2l's ``get_k_fold_data``, every example is validated on exactly once; blocks differ in
    size by at most one when ``k`` does not divide ``n``.

    >>> [val.tolist() for _, val in k_fold_splits(6, 3)]
    [[0, 1], [2, 3], [4, 5]]
    >>> k_fold_splits(6, 3)[1][0].tolist()
    [0, 1, 4, 5]
    """
    integer_in_range("n", n, 2, 10_000_000)
    integer_in_range("k", k, 2, n)
    blocks = torch.arange(n).tensor_split(k)
    return [(torch.cat(blocks[:i] + blocks[i + 1:]), block) for i, block in enumerate(blocks)]


def cross_validate(X: torch.Tensor, y: torch.Tensor, lambdas, k: int = 5, **fit_kwargs) -> torch.Tensor:
    """Validation loss of every lambda on every fold, shape ``[k, len(lambdas)]``.

    Fold ``i`` trains :func:`fit_linear` on the other folds and measures the final loss on fold
    ``i``; ``fit_kwargs`` go to :func:`fit_linear` (not ``X_test``/``y_test``).

    >>> X, y, _, _ = make_data()
    >>> cross_validate(X, y, [1.0, 10.0], k=4, epochs=3).shape
    torch.Size([4, 2])
    """
    _check_matrix("X", X)
    y = _check_targets("y", y, X.shape[0])
    if {"X_test", "y_test"} & set(fit_kwargs):
        raise ValueError("fit_kwargs must not contain X_test or y_test: the folds provide them")
    rows = []
    for train, val in k_fold_splits(X.shape[0], k):
        fit = fit_linear(X[train], y[train], lambdas, X_test=X[val], y_test=y[val], **fit_kwargs)
        rows.append(fit.test_loss[-1])
    return torch.stack(rows)


# ----------------------------------------------------------------------------- concise d2l training

def train_concise(wd: float, train_iter, test_iter, *, num_inputs: int = NUM_INPUTS,
                  num_epochs: int = 100, lr: float = _LR,
                  every: int = 5) -> tuple[nn.Module, dict[str, list]]:
    """d2l's concise weight decay: ``nn.Linear(200, 1)``, normal init, SGD whose weight group has
    ``weight_decay=wd`` and whose bias group has none; ``MSELoss`` (no factor 1/2).

    Returns the net and ``{"epoch": [...], "train": [...], "test": [...]}``: the losses from
    ``d2l.evaluate_loss`` every ``every`` epochs, the numbers d2l's Animator plots. Draws from
    the global random generator exactly like the notebook's loop, so the same seed gives the
    same numbers.

    >>> from d2l import torch as d2l
    >>> X, y, X_test, y_test = make_data()
    >>> train_iter = d2l.load_array((X, y), 5)
    >>> net, history = train_concise(3, train_iter, d2l.load_array((X_test, y_test), 5), num_epochs=10)
    >>> history["epoch"]
    [5, 10]
    """
    wd = finite_number("wd", wd)
    integer_in_range("num_epochs", num_epochs, 1, 100_000)
    lr = finite_number("lr", lr, strict=True)
    integer_in_range("every", every, 1, num_epochs)
    integer_in_range("num_inputs", num_inputs, 1, 10_000)
    _check_batches("train_iter", train_iter, num_inputs)
    _check_batches("test_iter", test_iter, num_inputs)
    from d2l import torch as d2l  # after the checks: importing d2l takes seconds

    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        nn.init.normal_(param)
    loss = nn.MSELoss(reduction="none")
    trainer = torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd},
                               {"params": net[0].bias}], lr=lr)
    history = {"epoch": [], "train": [], "test": []}
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            loss(net(X), y).mean().backward()
            trainer.step()
        if (epoch + 1) % every == 0:
            with torch.no_grad():
                history["epoch"].append(epoch + 1)
                history["train"].append(d2l.evaluate_loss(net, train_iter, loss))
                history["test"].append(d2l.evaluate_loss(net, test_iter, loss))
    return net, history


# ----------------------------------------------------------------------------- other regularizers

def decay_step(optimizer: str, values, *, lr: float = 0.1, weight_decay: float = 0.1,
               steps: int = 1) -> torch.Tensor:
    """Parameters after ``steps`` steps of ``optimizer`` when the loss gradient is zero, so only
    the decay acts. ``optimizer`` is ``"SGD"``, ``"Adam"`` (decay added to the gradient, then
    rescaled) or ``"AdamW"`` (decay applied to the weights directly, decoupled).

    >>> decay_step("SGD", [1.0, 100.0])
    tensor([ 0.9900, 99.0000])
    >>> decay_step("Adam", [1.0, 100.0])
    tensor([ 0.9000, 99.9000])
    >>> decay_step("AdamW", [1.0, 100.0])
    tensor([ 0.9900, 99.0000])
    """
    classes = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}
    if optimizer not in classes:
        raise ValueError(f"optimizer must be one of {sorted(classes)}, got {optimizer!r}")
    lr = finite_number("lr", lr, strict=True)
    weight_decay = finite_number("weight_decay", weight_decay)
    integer_in_range("steps", steps, 1, 100_000)
    try:
        start = torch.as_tensor(values, dtype=torch.float32).flatten()
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"values must be numbers or a tensor, got {describe(values)}") from None
    if start.numel() == 0 or not torch.isfinite(start).all():
        raise ValueError(f"values must be one or more finite numbers, got {describe(values)}")
    param = nn.Parameter(start.clone())
    opt = classes[optimizer]([param], lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        param.grad = torch.zeros_like(param)
        opt.step()
    return param.detach().clone()


def train_mlp(dropout: float, data=None, *, hidden: int = 256, steps: int = 200, lr: float = 0.01,
              seed: int = 0) -> dict[str, float]:
    """Train ``200 -> hidden -> 1`` (ReLU, then ``nn.Dropout(dropout)``) on d2l's regression with
    full-batch Adam; return the final train and test loss (mean ``squared_loss``, in eval mode).

    ``data`` is ``(X, y, X_test, y_test)``, :func:`make_data` by default. Runs under its own seed
    and leaves the global random state as it was.

    >>> losses = train_mlp(0.5, steps=5)
    >>> sorted(losses)
    ['test', 'train']
    """
    dropout = finite_number("dropout", dropout)
    if dropout >= 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    integer_in_range("hidden", hidden, 1, 100_000)
    integer_in_range("steps", steps, 1, 100_000)
    lr = finite_number("lr", lr, strict=True)
    integer_in_range("seed", seed, 0, 2**32 - 1)
    X, y, X_test, y_test = make_data() if data is None else _check_data(data)
    y = _check_targets("y", y, X.shape[0])
    y_test = _check_targets("y_test", y_test, X_test.shape[0])
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = nn.Sequential(nn.Linear(X.shape[1], hidden), nn.ReLU(), nn.Dropout(dropout),
                            nn.Linear(hidden, 1))
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            ((net(X) - y) ** 2 / 2).mean().backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        return {"train": ((net(X) - y) ** 2 / 2).mean().item(),
                "test": ((net(X_test) - y_test) ** 2 / 2).mean().item()}


# ----------------------------------------------------------------------------- figures

def _power_of_ten(value: float, _position) -> str:
    if value <= 0:
        return ""
    exponent = math.log10(value)
    return f"1e{round(exponent)}" if abs(exponent - round(exponent)) < 1e-6 else ""


def _log_axis(ax, which: str = "y") -> None:
    # Plain "1e-2" labels: mathtext labels take a large part of a redraw to typeset.
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    axis.set_major_formatter(FuncFormatter(_power_of_ten))
    axis.set_minor_formatter(NullFormatter())


def plot_concise(histories: dict[str, dict[str, list]]) -> tuple[Figure, dict[str, dict[str, np.ndarray]]]:
    """Train and test loss curves of :func:`train_concise` runs, one panel per run, shared log y.

    ``histories`` maps a panel title (e.g. ``"wd = 0"``) to a history dict.

    >>> fig, data = plot_concise({"wd = 0": {"epoch": [5, 10], "train": [1.0, 0.5], "test": [2.0, 3.0]}})
    >>> data["wd = 0"]["test"].tolist()
    [2.0, 3.0]
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a non-empty dict of title -> history from train_concise")
    data = {}
    for title, history in histories.items():
        if not isinstance(history, dict) or not {"epoch", "train", "test"} <= set(history):
            raise ValueError(f"histories[{title!r}] must be a dict with 'epoch', 'train' and 'test' lists")
        try:
            series = {key: np.asarray(history[key], dtype=float) for key in ("epoch", "train", "test")}
        except (TypeError, ValueError):
            raise TypeError(f"histories[{title!r}] must hold lists of numbers") from None
        lengths = {array.shape for array in series.values()}
        if len(lengths) != 1 or series["epoch"].ndim != 1 or series["epoch"].size == 0:
            raise ValueError(f"histories[{title!r}] must hold 'epoch', 'train' and 'test' lists of one "
                             f"equal length, got shapes {[list(a.shape) for a in series.values()]}")
        if (series["train"] < 0).any() or (series["test"] < 0).any():
            raise ValueError(f"histories[{title!r}] must hold losses >= 0, got a negative one")
        data[title] = series
    fig, axes = plt.subplots(1, len(data), figsize=(4.2 * len(data), 3.2), sharey=True,
                             squeeze=False, layout="constrained")
    for ax, (title, series) in zip(axes[0], data.items()):
        ax.plot(series["epoch"], series["train"], label="train")
        ax.plot(series["epoch"], series["test"], "--", label="test")
        _log_axis(ax)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.legend()
    axes[0, 0].set_ylabel("loss (MSE)")
    return fig, data


def plot_sweep(lambdas, curves: dict[str, Sequence[float]], *, title: str | None = None,
               mark_min: Sequence[str] = ()) -> tuple[Figure, dict[str, np.ndarray]]:
    """Final losses against lambda on log-log axes; ``mark_min`` names the curves whose minimum
    gets a marker (and a legend entry with the lambda it picks).

    >>> fig, data = plot_sweep([0.1, 1.0, 10.0], {"test": [3.0, 1.0, 2.0]}, mark_min=["test"])
    >>> float(data["argmin test"])
    1.0
    """
    lams = _as_lambdas(lambdas).numpy().astype(float)
    if (lams <= 0).any():
        raise ValueError("lambdas must be > 0 to be drawn on a log axis")
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict of name -> losses, one per lambda")
    arrays = {}
    for name, values in curves.items():
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"curves[{name!r}] must be a list of numbers, got {describe(values)}") from None
        if array.shape != lams.shape:
            raise ValueError(f"curves[{name!r}] must hold one loss per lambda ({lams.size}), got shape {list(array.shape)}")
        if (array < 0).any():
            raise ValueError(f"curves[{name!r}] must hold losses >= 0, got a negative one")
        arrays[name] = array
    if isinstance(mark_min, str) or not all(isinstance(name, str) for name in mark_min):
        raise TypeError(f"mark_min must be a list of curve names, got {mark_min!r}")
    unknown = set(mark_min) - set(curves)
    if unknown:
        raise ValueError(f"mark_min must name curves ({list(curves)}), got {sorted(unknown)}")
    data: dict[str, np.ndarray] = {"lambda": lams}
    fig, ax = plt.subplots(figsize=(6.2, 3.6), layout="constrained")
    for name, array in arrays.items():
        data[name] = array
        line, = ax.plot(lams, array, marker=".", label=name)
        if name in mark_min:
            best = lams[int(np.argmin(array))]
            data[f"argmin {name}"] = np.float64(best)
            ax.plot([best], [array.min()], marker="*", markersize=13, color=line.get_color(),
                    linestyle="none", label=f"min of {name}: λ = {best:.3g}")
    _log_axis(ax, "x")
    _log_axis(ax, "y")
    ax.set_xlabel("λ (weight decay)")
    ax.set_ylabel("final loss")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig, data


def plot_weight_histograms(weights: dict[str, torch.Tensor], bins: int = 40) -> tuple[Figure, dict[str, np.ndarray]]:
    """Side-by-side histograms of weight vectors on a shared x range, with the true weight 0.01
    marked.

    >>> fig, data = plot_weight_histograms({"a": torch.tensor([0.0, 1.0])}, bins=2)
    >>> data["a"].tolist()
    [1, 1]
    """
    if not isinstance(weights, dict) or not weights:
        raise TypeError("weights must be a non-empty dict of title -> weight tensor")
    integer_in_range("bins", bins, 1, 1000)
    flat = {}
    for title, w in weights.items():
        if not isinstance(w, torch.Tensor) or w.numel() == 0:
            raise TypeError(f"weights[{title!r}] must be a non-empty tensor, got {describe(w)}")
        if not torch.isfinite(w).all():
            raise ValueError(f"weights[{title!r}] must hold finite numbers, got NaN or infinity")
        flat[title] = w.detach().double().flatten().numpy()
    low = min(v.min() for v in flat.values())
    high = max(v.max() for v in flat.values())
    edges = np.linspace(low, high, bins + 1) if high > low else np.linspace(low - 0.5, high + 0.5, bins + 1)
    fig, axes = plt.subplots(1, len(flat), figsize=(3.4 * len(flat), 2.9), sharex=True,
                             squeeze=False, layout="constrained")
    data = {}
    for ax, (title, values) in zip(axes[0], flat.items()):
        counts, _ = np.histogram(values, bins=edges)
        data[title] = counts
        ax.stairs(counts, edges, fill=True, alpha=0.8)
        ax.axvline(0.01, color="black", linewidth=0.8, linestyle=":")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("weight value")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0, 0].set_ylabel("count")
    return fig, data


# ----------------------------------------------------------------------------- widget

def widget_run(lambd: float, epochs: int = 100, n_train: int = N_TRAIN, data=None) -> LinearFit:
    """The widget's computation: :func:`fit_linear` for ``[lambd, 0]`` on the first ``n_train``
    examples of ``data`` (``make_data(200)`` by default), measured on its test set.

    Column 0 is the chosen lambda, column 1 the unregularized reference.

    >>> fit = widget_run(3.0, epochs=20)
    >>> fit.lambdas.tolist(), fit.test_loss.shape
    ([3.0, 0.0], torch.Size([20, 2]))
    """
    lambd = finite_number("lambd", lambd)
    if lambd * _LR >= 1:
        raise ValueError(f"lambd must be below {1 / _LR:.4g} (lr * lambd < 1 at the trainer's lr "
                         f"{_LR}), got {lambd!r}")
    integer_in_range("epochs", epochs, 1, 10_000)
    X, y, X_test, y_test = make_data(200) if data is None else _check_data(data)
    integer_in_range("n_train", n_train, 1, X.shape[0])
    return fit_linear(X[:n_train], y[:n_train], [lambd, 0.0], epochs=epochs,
                      X_test=X_test, y_test=y_test)


# Where the two axes sit (left, bottom, width, height), the same in the cached background and
# in the live figure so that the two line up. Both axes have fixed ranges, so the background
# (ticks, labels, legend: the slow part of a redraw) is drawn once.
_CURVES_RECT = (0.075, 0.15, 0.46, 0.7)
_HIST_RECT = (0.635, 0.15, 0.345, 0.7)
_EPOCH_RANGE = (0, 200)
_LOSS_RANGE = (1e-8, 1e3)
_MAGNITUDE_EDGES = np.logspace(-6, 1, 43)   # 6 bins per decade; smaller |w| go to the first bin
_COUNT_RANGE = (0, 64)


def weight_magnitudes(w: torch.Tensor) -> np.ndarray:
    """Histogram counts of ``|w|`` on the widget's log-spaced bins from 1e-6 to 10 (values below
    1e-6 are counted in the first bin).

    >>> weight_magnitudes(torch.tensor([0.0, 0.01, -0.01, 5.0])).sum()
    np.int64(4)
    """
    if not isinstance(w, torch.Tensor):
        raise TypeError(f"w must be a torch.Tensor, got {describe(w)}")
    if not torch.isfinite(w).all():
        raise ValueError("w must hold finite numbers, got NaN or infinity")
    magnitudes = np.clip(w.detach().abs().double().flatten().numpy(), _MAGNITUDE_EDGES[0], _MAGNITUDE_EDGES[-1])
    return np.histogram(magnitudes, bins=_MAGNITUDE_EDGES)[0]


class _DecayFigure:
    """Draws :func:`widget_run` on a panel's figure: loss curves (left) and the histogram of
    ``|w|`` on a log axis (right).

    Text is the slow part of a redraw, so the axes, ticks, labels and legend are drawn once into
    a cached picture; an update pastes it and draws three curves and the histogram on top.
    """

    def __init__(self, data, dpi: int = 90) -> None:
        self.data = data
        self.dpi = dpi
        self.axes = None
        self.background = None
        self._pictures: dict = {}

    @staticmethod
    def _place_axes(fig: Figure):
        curves, hist = fig.add_axes(_CURVES_RECT), fig.add_axes(_HIST_RECT)
        curves.set_yscale("log")
        curves.set(xlim=_EPOCH_RANGE, ylim=_LOSS_RANGE)
        hist.set_xscale("log")
        hist.set(xlim=(_MAGNITUDE_EDGES[0], _MAGNITUDE_EDGES[-1]), ylim=_COUNT_RANGE)
        return curves, hist

    def picture(self, size: tuple[float, float]) -> np.ndarray:
        """The static part of the figure (RGBA pixels) for ``size`` in inches, cached."""
        key = tuple(size)
        if key not in self._pictures:
            fig = Figure(figsize=size, dpi=self.dpi)
            curves, hist = self._place_axes(fig)
            for style, label in (("-", "train"), ("--", "test"), (":", "test, λ = 0")):
                curves.plot([], [], style, color="gray" if label.endswith("0") else None, label=label)
            for ax, axis in ((curves, curves.yaxis), (hist, hist.xaxis)):
                axis.set_major_formatter(FuncFormatter(_power_of_ten))
                axis.set_minor_formatter(NullFormatter())
            curves.set_xlabel("epoch")
            curves.set_ylabel("loss")
            curves.legend(fontsize=8, ncols=3, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False)
            hist.axvline(0.01, color="black", linewidth=0.8, linestyle=":")
            hist.yaxis.set_major_locator(MaxNLocator(5, integer=True))
            hist.set_xlabel("|weight| (dotted: true 0.01)")
            hist.set_ylabel("count")
            hist.set_title("size of the learned weights", fontsize=10)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            self._pictures[key] = np.asarray(canvas.buffer_rgba()).copy()
        return self._pictures[key]

    def _setup(self, fig: Figure) -> None:
        # The cached picture fixes the layout, so the figure's own layout engine must not move the axes.
        fig.set_layout_engine("none")
        fig.clear()
        self.background = Backdrop()
        fig.add_artist(self.background)
        curves, hist = self._place_axes(fig)
        for ax in (curves, hist):
            ax.set_axis_off()
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        train, = curves.plot([], [], "-", color=colors[0])
        test, = curves.plot([], [], "--", color=colors[1])
        reference, = curves.plot([], [], ":", color="gray")
        stairs = hist.stairs(np.zeros(len(_MAGNITUDE_EDGES) - 1), _MAGNITUDE_EDGES, fill=True,
                             alpha=0.8, color=colors[0])
        self.axes = (curves, hist, train, test, reference, stairs)

    def __call__(self, fig: Figure, lambd: float, epochs: int, n_train: int) -> str:
        if self.axes is None or self.axes[0].figure is not fig:
            self._setup(fig)
        curves, hist, train, test, reference, stairs = self.axes
        fit = widget_run(lambd, epochs, n_train, self.data)
        self.background.pixels = self.picture(tuple(fig.get_size_inches()))
        x = np.arange(1, epochs + 1)
        train.set_data(x, fit.train_loss[:, 0].numpy())
        test.set_data(x, fit.test_loss[:, 0].numpy())
        reference.set_data(x, fit.test_loss[:, 1].numpy())
        counts = weight_magnitudes(fit.weights[:, 0])
        stairs.set_data(np.minimum(counts, _COUNT_RANGE[1]), _MAGNITUDE_EDGES)
        final = fit.final()
        return (f"λ = {lambd:.3g}, {epochs} epochs, n_train = {n_train}: train {final['train'][0]:.4f}, "
                f"test {final['test'][0]:.4f} (λ = 0: {final['test'][1]:.4g}), "
                f"‖w‖ = {float(fit.weight_norms()[0]):.3f}, "
                f"{count_near_zero(fit.weights[:, 0])}/{fit.weights.shape[0]} weights < 0.01")


def decay_panel(data=None) -> Panel:
    """Lambda (log slider), epochs and n_train; train/test curves and the weight histogram.

    ``data`` is ``(X, y, X_test, y_test)`` with at least 200 training rows, ``make_data(200)``
    by default (its first 20 rows are the notebook's training set).

    >>> panel = decay_panel()
    >>> panel.set(lambd=10.0, epochs=20); panel.text.startswith("λ = 10, 20 epochs")
    True
    """
    if data is None:
        data = make_data(200)
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise TypeError(f"data must be a tuple (X, y, X_test, y_test), got {describe(data)}")
    _check_matrix("X", data[0])
    if data[0].shape[0] < 200:
        raise ValueError(f"data must hold at least 200 training examples, got {data[0].shape[0]}")
    _check_data(data)
    controls = {
        "lambd": ipywidgets.FloatLogSlider(value=3.0, base=10, min=-2, max=2.5, step=0.125,
                                           description="λ", readout_format=".3g",
                                           continuous_update=False),
        "epochs": ipywidgets.IntSlider(value=100, min=10, max=200, step=10, description="epochs",
                                       continuous_update=False),
        "n_train": ipywidgets.IntSlider(value=N_TRAIN, min=10, max=200, step=10,
                                        description="n_train", continuous_update=False),
    }
    return Panel("Weight decay on d2l's regression", controls, _DecayFigure(data, dpi=90),
                 figsize=(8.6, 3.2), dpi=90)


def demo_panel() -> Panel:
    """The chapter's main widget, as the notebook shows it (used by benchmarks).

    >>> demo_panel().values
    {'lambd': 3.0, 'epochs': 100, 'n_train': 20}
    """
    return decay_panel()


# ----------------------------------------------------------------------------- exercises

SWEEP = torch.logspace(-2, 2.5, 19)


def _l1_step_reference(w, grad, lr, lambd):
    return w - lr * (grad + lambd * torch.sign(w))


def _l1_cases():
    generator = torch.Generator().manual_seed(5)
    w = torch.randn(6, generator=generator)
    w[2] = 0.0
    return [
        (torch.tensor([0.5, -0.2, 0.0]), torch.zeros(3), 0.1, 1.0),
        (w, torch.randn(6, generator=generator), 0.01, 3.0),
        (torch.randn(3, 2, generator=generator), torch.randn(3, 2, generator=generator), 0.5, 0.0),
    ]


def holdout_losses(lambdas=SWEEP, n_val: int = 10, **fit_kwargs) -> torch.Tensor:
    """Validation loss per lambda when the last ``n_val`` of the notebook's 20 training examples
    are held out and :func:`fit_linear` trains on the rest.

    >>> holdout_losses([1.0, 10.0], epochs=3).shape
    torch.Size([2])
    """
    integer_in_range("n_val", n_val, 1, N_TRAIN - 1)
    _as_lambdas(lambdas)
    if {"X_test", "y_test"} & set(fit_kwargs):
        raise ValueError("fit_kwargs must not contain X_test or y_test: the held-out examples are "
                         "the test data")
    X, y, _, _ = make_data()
    fit = fit_linear(X[:-n_val], y[:-n_val], lambdas, X_test=X[-n_val:], y_test=y[-n_val:], **fit_kwargs)
    return fit.test_loss[-1]


def _verify_validation_lambda(answer) -> str | None:
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return f"expected one number (a lambda from the grid), got {describe(answer)}"
    if not math.isfinite(answer) or answer <= 0:
        return f"expected a positive lambda, got {answer!r}"
    losses = holdout_losses()
    close = torch.isclose(SWEEP, torch.tensor(float(answer)), rtol=1e-3)
    if not close.any():
        return "your lambda is not one of the grid values torch.logspace(-2, 2.5, 19)"
    loss = losses[close.nonzero()[0, 0]]
    if loss > losses.min() * 1.05:
        return (f"its validation loss {loss.item():.4f} is not the smallest; the best on this "
                f"split is {losses.min().item():.4f}")
    return None


QUESTIONS = [
    ValueQuestion(
        """
        What is d2l's `l2_penalty(w) = torch.sum(w.pow(2)) / 2` for
        `w = torch.tensor([3.0, -4.0, 1.0, 0.0])`? Assign the number to `penalty`.
        """,
        answer_name="penalty",
        expected=13.0,
        hint="Square each entry, add them up (9 + 16 + 1 + 0), then halve.",
        solution="""
        w = torch.tensor([3.0, -4.0, 1.0, 0.0])
        penalty = (torch.sum(w.pow(2)) / 2).item()
        """,
    ),
    ValueQuestion(
        """
        One example `x = [1.0, 2.0]`, target `y = 1.0`, weights `w = [0.5, -1.0]`, bias `b = 0`.
        The penalized loss is `0.5 * (x @ w + b - y) ** 2 + lambd / 2 * (w ** 2).sum()` with
        `lambd = 0.1`. Assign its gradient with respect to `w` (a float tensor of shape [2]) to
        `grad_w`.
        """,
        answer_name="grad_w",
        expected=torch.tensor([-2.45, -5.1]),
        hint="The residual is x @ w - y = -2.5; the gradient is residual * x + lambd * w. "
             "Autograd gives the same: make w with requires_grad=True and call backward().",
        solution="""
        x = torch.tensor([1.0, 2.0])
        w = torch.tensor([0.5, -1.0], requires_grad=True)
        loss = 0.5 * (x @ w + 0.0 - 1.0) ** 2 + 0.1 / 2 * (w ** 2).sum()
        loss.backward()
        grad_w = w.grad
        """,
    ),
    FunctionQuestion(
        """
        Write `l1_step(w, grad, lr, lambd)` returning the weights after one SGD step on
        `loss + lambd * sum(|w|)`, where `grad` is the gradient of `loss` alone. Return a new
        tensor; do not change `w` in place.
        """,
        answer_name="l1_step",
        reference=_l1_step_reference,
        cases=_l1_cases,
        hint="The (sub)gradient of lambd * |w| is lambd * sign(w); torch.sign(0) is 0.",
        solution="""
        def l1_step(w, grad, lr, lambd):
            return w - lr * (grad + lambd * torch.sign(w))
        """,
    ),
    CodeQuestion(
        """
        Hold out the last 10 of the 20 training examples as a validation set, train
        `helpers.decay.fit_linear` on the first 10 for every lambda in
        `torch.logspace(-2, 2.5, 19)` (defaults otherwise), and assign the lambda with the smallest
        final validation loss to `best_lambda` (a number). Get the data with
        `helpers.decay.make_data()`.
        """,
        answer_name="best_lambda",
        verify=_verify_validation_lambda,
        hint="fit_linear(X[:10], y[:10], lambdas, X_test=X[10:], y_test=y[10:]).test_loss[-1] holds "
             "the validation loss per lambda; argmin picks the index.",
        solution="""
        X, y, _, _ = helpers.decay.make_data()
        lambdas = torch.logspace(-2, 2.5, 19)
        fit = helpers.decay.fit_linear(X[:10], y[:10], lambdas, X_test=X[10:], y_test=y[10:])
        best_lambda = lambdas[fit.test_loss[-1].argmin()].item()
        """,
    ),
    ValueQuestion(
        """
        A single weight `w = 2.0` has zero loss gradient. Take one step with `lr=0.1` and
        `weight_decay=0.1`, once with `torch.optim.Adam` and once with `torch.optim.AdamW`.
        Assign the tuple `(w_after_adam, w_after_adamw)` to `after` (plain floats).
        """,
        answer_name="after",
        expected=(1.9, 1.98),
        rtol=1e-3,
        hint="Adam adds weight_decay * w to the gradient and then divides by its own running "
             "scale, so the first step has size about lr. AdamW multiplies w by (1 - lr * weight_decay).",
        solution="""
        results = []
        for cls in (torch.optim.Adam, torch.optim.AdamW):
            w = nn.Parameter(torch.tensor([2.0]))
            opt = cls([w], lr=0.1, weight_decay=0.1)
            w.grad = torch.zeros(1)
            opt.step()
            results.append(w.item())
        after = tuple(results)
        """,
    ),
    ThoughtQuestion(
        """
        In this chapter the lambda with the lowest *test* loss differs from the one chosen on
        validation data. A classmate proposes to simply report the test-best lambda and its test
        loss. What is wrong with that, and what should be reported instead?
        """,
        answer_name="thoughts",
        hint="What does a test loss estimate, and does it still estimate it after you used the "
             "test set to choose something?",
        solution="""
        The test loss is meant to estimate how the final model does on new data. Choosing lambda
        by test loss makes the test set part of training (through the choice), so the reported
        loss is optimistically biased: it is the minimum of many noisy numbers. Choose lambda
        with a validation split or k-fold cross-validation on the training data, retrain with
        that lambda, and report the test loss once. The test-best lambda is fine to look at in a
        teaching experiment like ours, to see how close validation gets; here the test-loss curve
        is flat near its minimum, so the validation choice costs little.
        """,
    ),
]
