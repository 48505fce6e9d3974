"""Tests for chapter 3: the widget engine helpers.tied_parameters and what its exercises tell a learner."""

import ipywidgets
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from helpers import exercises, tied_parameters
from helpers.exercises import run_source
from helpers.widgets import Panel


def _grad_by_functional_autograd(net, X):
    """The tied weight's gradient with the weight written out twice, without modules or copies."""
    W, b = net[2].weight.detach().clone().requires_grad_(), net[2].bias.detach()
    W2, W4 = W.clone().detach().requires_grad_(), W.clone().detach().requires_grad_()
    first, last = net[0], net[6]

    def output(A, B):
        hidden = F.relu(F.linear(F.relu(F.linear(F.relu(first(X)), A, b)), B, b))
        return last(hidden).sum()

    (tied,) = torch.autograd.grad(output(W, W), W)
    part2, part4 = torch.autograd.grad(output(W2, W4), (W2, W4))
    return tied, part2, part4


def test_mlp_ties_one_layer_and_the_untied_copy_computes_the_same_function():
    net, untied = tied_parameters.mlp(), tied_parameters.mlp(tied=False)
    assert net[2] is net[4] and untied[2] is not untied[4]
    assert untied[2].weight.data_ptr() != untied[4].weight.data_ptr()
    for position in tied_parameters.LAYERS:
        assert torch.equal(net[position].weight, untied[position].weight)
    X = torch.randn(5, 4)
    assert torch.equal(net(X), untied(X))
    assert sum(p.numel() for p in net.parameters()) == 121
    assert sum(p.numel() for p in untied.parameters()) == 193


def test_mlp_depends_on_its_seed_and_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    assert not torch.equal(tied_parameters.mlp(seed=0)[2].weight, tied_parameters.mlp(seed=1)[2].weight)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("layer", [2, 4])
def test_tied_gradient_is_the_sum_of_the_uses_as_functional_autograd_says(layer):
    net, X = tied_parameters.mlp(), torch.randn(7, 4)
    uses, parts, grad = tied_parameters.gradients(net, X, layer)
    tied, part2, part4 = _grad_by_functional_autograd(net, X)
    assert uses == (2, 4)
    assert torch.allclose(grad, tied, atol=1e-6)
    assert torch.allclose(parts[2], part2, atol=1e-6) and torch.allclose(parts[4], part4, atol=1e-6)
    assert not torch.allclose(grad, parts[2], atol=1e-4) and not torch.allclose(grad, parts[4], atol=1e-4)


@pytest.mark.parametrize("layer", [2, 4])
def test_an_untied_layer_keeps_only_its_own_gradient(layer):
    uses, parts, grad = tied_parameters.gradients(tied_parameters.mlp(tied=False), torch.randn(7, 4), layer)
    assert uses == (layer,) and sorted(parts) == [2, 4]
    assert torch.equal(grad, parts[layer])


@pytest.mark.parametrize("layer", [0, 6])
def test_a_layer_used_once_has_one_part_and_the_same_gradient_tied_or_not(layer):
    X = torch.randn(7, 4)
    tied = tied_parameters.gradients(tied_parameters.mlp(), X, layer)
    untied = tied_parameters.gradients(tied_parameters.mlp(tied=False), X, layer)
    assert tied[0] == untied[0] == (layer,) and list(tied[1]) == [layer]
    assert torch.allclose(tied[2], untied[2])


def test_gradients_start_from_zero_on_a_net_that_already_has_gradients():
    net, X = tied_parameters.mlp(), torch.randn(7, 4)
    first = tied_parameters.gradients(net, X, 2)[2].clone()
    assert torch.equal(tied_parameters.gradients(net, X, 2)[2], first)


def _images(fig):
    return [np.asarray(ax.images[0].get_array()) for ax in fig.axes]


def test_draw_shows_the_parts_and_their_sum_and_updates_in_place():
    fig = Figure()
    text = tied_parameters.draw(fig, True, 2)
    assert text.startswith("tied: net[2] is net[4] -> True; 121 parameters;")
    assert "net[2].weight.grad = use at net[2] + use at net[4]" in text
    _, parts, grad = tied_parameters.gradients(
        tied_parameters.mlp(), torch.randn(16, 4, generator=torch.Generator().manual_seed(0)), 2)
    first, second, total = _images(fig)
    assert np.allclose(first, parts[2].numpy()) and np.allclose(second, parts[4].numpy())
    assert np.allclose(total, grad.numpy())
    axes = list(fig.axes)

    text = tied_parameters.draw(fig, False, 2)
    assert fig.axes == axes  # the same axes, updated
    assert text.startswith("untied: net[2] is net[4] -> False; 193 parameters;")
    assert np.allclose(_images(fig)[2], _images(fig)[0])
    assert fig.axes[1].images[0].get_alpha() < 1 and "not added" in fig.axes[1].get_title()
    assert not fig.texts[0].get_visible()  # no "+" when nothing is added


def test_draw_a_layer_used_once_hides_the_second_tile_and_resizes():
    fig = Figure()
    tied_parameters.draw(fig, True, 4)
    text = tied_parameters.draw(fig, True, 0)
    assert "net[0].weight.grad = use at net[0];" in text and "weight 8 x 4" in text
    assert not fig.axes[1].get_visible()
    assert _images(fig)[2].shape == (8, 4)
    tied_parameters.draw(fig, True, 6)
    assert _images(fig)[2].shape == (1, 8) and fig.axes[0].get_xlim() == (-0.5, 7.5)
    tied_parameters.draw(fig, True, 2)
    assert fig.axes[1].get_visible()


def _explorer():
    controls = {"tied": ipywidgets.Checkbox(value=True),
                "layer": ipywidgets.Dropdown(options=tied_parameters.LAYERS, value=2)}
    return Panel("t", controls, tied_parameters.draw, figsize=(8.0, 2.6))


def test_the_explorer_follows_its_controls():
    panel = _explorer()
    tied_text, tied_png = panel.text, panel.image.value
    panel.set(tied=False)
    assert panel.text.startswith("untied") and panel.image.value != tied_png
    panel.controls["tied"].value = True  # as a click would
    assert panel.text == tied_text


@pytest.mark.parametrize("values", [{"layer": 3}, {"layer": "2"}, {"layer": True}, {"layer": float("nan")},
                                    {"tied": "yes"}, {"tied": None}, {"tied": 1, "layer": 2}])
def test_the_explorer_says_which_values_its_controls_take(values):
    panel = _explorer()
    before = panel.text
    with pytest.raises(ValueError, match=r"^(tied must be (True or False|one of \[True, False\])|layer must be one of \[0, 2, 4, 6\]), got "):
        panel.set(**values)
    assert panel.text == before and panel.values == {"tied": True, "layer": 2}


def _verdict(number, source):
    question = getattr(exercises.load("03_tied_parameters"), f"q{number}")
    return question.evaluate(run_source(source)[question.name])


@pytest.mark.parametrize("source, says", [
    ("import copy\ndef tie_layers(net, i, j):\n    net[j] = copy.deepcopy(net[i])", "equal values are not a tie"),
    ("def tie_layers(net, i, j):\n    net[j].weight.data = net[i].weight.data\n"
     "    net[j].bias.data = net[i].bias.data", "different Parameter"),
    ("def tie_layers(net, i, j):\n    net[i] = net[j]", "not the other way round"),
    ("def tie_layers(net, i, j):\n    net[j].weight = net[i].weight", "bias"),
    ("def tie_layers(net, i, j):\n    layers = list(net)\n    layers[j] = layers[i]\n"
     "    net = nn.Sequential(*layers)", "net is unchanged and no net was returned"),
])
def test_tie_layers_says_what_is_wrong(source, says):
    verdict = _verdict(4, source)
    assert verdict.status == exercises.INCORRECT and says in verdict.message


def test_tie_layers_accepts_a_tie_by_parameters_and_a_returned_net_every_time():
    by_parameters = ("def tie_layers(net, i, j):\n    net[j].weight = net[i].weight\n"
                     "    net[j].bias = net[i].bias")
    returned = ("def tie_layers(net, i, j):\n"
                "    return nn.Sequential(*[net[i] if k == j else m for k, m in enumerate(net)])")
    for source in (by_parameters, returned, by_parameters):
        assert _verdict(4, source).status == exercises.CORRECT
