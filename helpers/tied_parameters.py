"""Chapter 3's widget engine: d2l's MLP with ``net[2]`` and ``net[4]`` tied or not, and its gradients."""

import copy

import torch
from torch import nn

from helpers.session import tr, tr_figure


LAYERS = (0, 2, 4, 6)  # positions of the nn.Linear layers; 2 and 4 are the pair that can be tied


def mlp(tied=True, seed=0):
    """d2l's MLP made from ``seed``, leaving the global random state alone; untied, net[4] copies net[2]."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        first, shared, last = nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 1)
    second = shared if tied else copy.deepcopy(shared)
    return nn.Sequential(first, nn.ReLU(), shared, nn.ReLU(), second, nn.ReLU(), last)


def gradients(net, X, layer):
    """Backpropagate ``net(X).sum()``: the positions using ``net[layer]``, the weight gradient of each
    position on an untied copy (2 and 4 for a hidden layer), and ``net[layer].weight.grad``."""
    net.zero_grad()
    untied = nn.Sequential(*[copy.deepcopy(module) for module in net])
    torch.autograd.backward([net(X).sum(), untied(X).sum()])
    uses = tuple(position for position in LAYERS if net[position] is net[layer])
    shown = (2, 4) if layer in (2, 4) else (layer,)
    return uses, {position: untied[position].weight.grad for position in shown}, net[layer].weight.grad


def draw(fig, tied, layer):
    """The widget's render: a heatmap of each use's gradient (faded when not added) and of the .grad."""
    net = mlp(tied)
    uses, parts, grad = gradients(net, torch.randn(16, 4, generator=torch.Generator().manual_seed(0)), layer)
    if not fig.axes:  # made once, then updated in place: an update stays fast
        for k in range(3):
            ax = fig.add_axes((0.03 + 0.34 * k, 0.04, 0.27, 0.72))
            ax.imshow(torch.zeros(8, 8).numpy(), cmap="RdBu_r", aspect="auto")
            ax.set(xticks=[], yticks=[])  # a frame, and no tick labels to lay out
        for x, sign in ((0.32, "+"), (0.66, "=")):
            fig.text(x, 0.4, sign, fontsize=16, ha="center", va="center")
    limit = max(values.abs().max().item() for values in [*parts.values(), grad, torch.tensor(1e-8)])
    fig.axes[1].set_visible(len(parts) > 1)
    axes = fig.axes if len(parts) == 2 else [fig.axes[0], fig.axes[2]]
    for ax, (position, values) in zip(axes, [*parts.items(), ("total", grad)]):
        added = position == "total" or position in uses
        rows, cols = values.shape
        ax.images[0].set(data=values.numpy(), clim=(-limit, limit), alpha=1.0 if added else 0.25,
                         extent=(-0.5, cols - 0.5, rows - 0.5, -0.5))
        title = (f"net[{layer}].weight.grad" if position == "total" else
                 tr_figure("use at net[{position}]" if added else "net[{position}]: its own layer, not added",
                           position=position))
        ax.set_title(title, fontsize=9, color="black" if added else "0.5", y=1.03)  # fixed y: no layout search
    fig.texts[0].set_visible(len(uses) > 1)
    return tr("{state}: net[2] is net[4] -> {same}; {count} parameters; net[{layer}].weight.grad = {terms}; "
              "weight {rows} x {cols}; colours from blue -{limit:.4f} to red +{limit:.4f}",
              state=tr("tied" if tied else "untied"), same=net[2] is net[4], layer=layer, rows=rows, cols=cols,
              count=sum(p.numel() for p in net.parameters()), limit=limit,
              terms=" + ".join(tr("use at net[{position}]", position=p) for p in uses))
