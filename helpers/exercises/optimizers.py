"""Exercises of chapter 4, Optimizers."""

import math

import torch

from helpers.exercises import Code, Function, Thought, Value, call


def _shapes(group) -> list:
    return sorted(tuple(p.shape) for p in group["params"])


def _verify_two_groups(optimizer):
    if not isinstance(optimizer, torch.optim.SGD):
        return f"expected a torch.optim.SGD, got an object of type {type(optimizer).__name__}"
    groups = optimizer.param_groups
    if len(groups) != 2:
        return f"expected 2 parameter groups, got {len(groups)}"
    # The prompt names no order of the groups: find each layer's group by its shapes.
    layers = [([(8,), (8, 4)], 0.01, "the first layer's"), ([(2,), (2, 8)], 0.1, "the last layer's")]
    for shapes, lr, whose in layers:
        group = next((group for group in groups if _shapes(group) == shapes), None)
        if group is None:
            return (f"no group holds exactly {whose} weight and bias (shapes {shapes}); "
                    f"the groups hold shapes {[_shapes(group) for group in groups]}")
        if not math.isclose(group["lr"], lr):
            return f"the group of {whose} parameters has lr {group['lr']}"
        if not math.isclose(group["momentum"], 0.9):
            return f"the group of {whose} parameters has momentum {group['momentum']}"
    return None


def _verify_no_decay_on_biases(optimizer):
    # Adam with decoupled_weight_decay=True is AdamW under another name (AdamW subclasses it).
    if not isinstance(optimizer, torch.optim.Adam):
        return f"expected a torch.optim.AdamW, got an object of type {type(optimizer).__name__}"
    if not all(group["decoupled_weight_decay"] for group in optimizer.param_groups):
        return ("this Adam adds weight_decay to the gradient, as an L2 penalty; "
                "AdamW decays the weights directly")
    shapes = []
    for index, group in enumerate(optimizer.param_groups):
        for p in group["params"]:
            shapes.append(tuple(p.shape))
            kind, wanted = ("weight matrix", 0.05) if p.ndim > 1 else ("bias", 0.0)
            if not math.isclose(group["weight_decay"], wanted):
                return (f"a {kind} of shape {list(p.shape)} sits in group {index}, whose weight_decay is "
                        f"{group['weight_decay']}")
        if not math.isclose(group["lr"], 0.001):
            return f"group {index} has lr {group['lr']}, not AdamW's default"
    expected = sorted([(8, 4), (8,), (8, 8), (8,), (2, 8), (2,)])
    if sorted(shapes) != expected:
        return f"the optimizer holds parameters of shapes {sorted(shapes)}, not the 6 of the MLP"
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
        With `lr=1`, Adam moved every entry of the weight by almost exactly 1 on its first step, whatever
        the size of the gradient. Why? What does that mean for choosing Adam's learning rate, compared
        with SGD's, for example when the loss is multiplied by 100?
        """,
        name="thoughts",
        hint="""
        Write Adam's first update with its bias corrections: what are $\\hat m_1$ and $\\hat v_1$
        after one step, and what is left of the gradient $g$ in $\\hat m_1 / (\\sqrt{\\hat v_1} + \\epsilon)$?
        Then multiply every gradient by 100: what changes in that step, and in SGD's $\\eta g$?""",
        solution="""After one step the bias-corrected moments are m_hat = g and v_hat = g**2, so the update
is lr * g / (|g| + eps) = lr * sign(g), up to eps: the gradient's size cancels, and
every entry moves by lr (a gradient much smaller than eps moves less). Later steps
divide a running mean of g by a running root mean square of g, which stays of order
one, so Adam's lr is roughly the size of a step in parameter units, the same whatever
the scale of the loss: multiplied by 100, the loss multiplies m_hat and sqrt(v_hat)
by 100, and Adam takes the same steps (up to eps). SGD's step is lr * g, so its good lr depends on
the scale of the gradients (the curvature of the loss): with the loss multiplied by 100,
SGD takes 100 times larger steps, and its lr must be divided by 100 to match.""",
    ),
]
