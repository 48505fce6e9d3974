"""Exercises of chapter 3, Tied parameters."""

import copy

import torch
from torch import nn

from helpers.exercises import Code, Function, Thought, Value


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
        return "expected a function tie_layers(net, i, j) written with def"
    for net, i, j, n_params, X in _tie_cases():
        kept = [p.detach().clone() for p in net[i].parameters()]
        old_weight_j = net[j].weight
        layout_before, values_before = _layout(net), [p.detach().clone() for p in net.parameters()]
        call = f"tie_layers(net, {i}, {j})"
        returned = tie_layers(net, i, j)
        if isinstance(returned, nn.Sequential):
            net = returned
        elif _layout(net) == layout_before and all(map(torch.equal, net.parameters(), values_before)):
            return (f"after {call}, net is unchanged and no net was returned: tie the layers of the net "
                    "it is given, or return the new net")
        if not isinstance(getattr(net[j], "weight", None), torch.Tensor):
            return f"after {call}, net[{j}] is no longer a layer with a weight"
        if net[j].weight is not net[i].weight:
            if net[j].weight.shape == net[i].weight.shape and torch.equal(net[j].weight, net[i].weight):
                return (f"after {call}, net[{j}].weight has the values of net[{i}].weight but is a different "
                        "Parameter, so the two would still get separate gradients: equal values are not a tie")
            return f"after {call}, net[{j}].weight is not net[{i}].weight"
        if net[j].bias is not net[i].bias:
            return f"after {call}, the weights are shared but net[{j}].bias is not net[{i}].bias"
        if net[i].weight is old_weight_j:
            return (f"after {call}, both layers hold net[{j}]'s old weight: net[{j}] should take net[{i}]'s "
                    "parameters, not the other way round")
        if not all(torch.equal(p, k) for p, k in zip(net[i].parameters(), kept)):
            return f"after {call}, the values of net[{i}] changed: net[{i}] should keep its parameters"
        total = sum(p.numel() for p in net.parameters())
        if total != n_params:
            return f"after {call}, the net has {total} parameter entries, expected {n_params}"
        untied = nn.Sequential(*[copy.deepcopy(m) for m in net])
        net(X).sum().backward()
        untied(X).sum().backward()
        if not torch.allclose(net[i].weight.grad, untied[i].weight.grad + untied[j].weight.grad, atol=1e-6):
            return f"after {call}, net[{i}].weight.grad is not the sum of the gradients of its two uses"
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
        hint="""
        Compare the tied and untied nets of this chapter: parameter count, Adam's state, the
        floating-point operations of a forward pass, and which rows of a tied embedding get a gradient.""",
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
