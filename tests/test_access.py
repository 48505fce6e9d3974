import pytest
import torch
from torch import nn

from helpers import access


@pytest.fixture
def net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def test_summary_statistics_match_torch(net):
    summary = access.parameter_summary(net, "0.weight")
    weight = net[0].weight.detach().double()
    assert summary["shape"] == (8, 4) and summary["numel"] == 32
    assert summary["mean"] == round(weight.mean().item(), 4)
    assert summary["std"] == round(weight.std().item(), 4)
    assert (summary["min"], summary["max"]) == (round(weight.min().item(), 4), round(weight.max().item(), 4))
    assert summary["has_grad"] is False


def test_summary_sees_gradients_and_frozen_parameters(net):
    net(torch.ones(1, 4)).sum().backward()
    net[2].requires_grad_(False)
    summary = access.parameter_summary(net, "2.bias")
    assert summary["requires_grad"] is False
    assert access.parameter_summary(net, "0.bias")["has_grad"] is True


def test_single_value_has_zero_std(net):
    assert access.parameter_summary(net, "2.bias")["std"] == 0.0


def test_explorer_lists_parameters_and_redraws_on_choice(net):
    panel = access.parameter_explorer(net)
    assert panel.controls["name"].options == ("0.weight", "0.bias", "2.weight", "2.bias")
    first_image = panel.image.value
    panel.controls["name"].value = "2.weight"
    assert panel.text.startswith("2.weight: shape (1, 8), 8 values")
    assert panel.image.value != first_image
    ax = panel.figure.axes[0]
    assert ax.get_title() == "2.weight  [1, 8]"
    heights = ax.patches[0].get_path().vertices[:, 1]
    assert heights.max() == access.histogram(net[2].weight, bins=20).counts.max()


def test_demo_panel_is_the_notebooks_net():
    panel = access.demo_panel()
    assert len(panel.controls["name"].options) == 4


@pytest.mark.parametrize("call, error, name", [
    (lambda net: access.parameter_summary("net", "0.weight"), TypeError, "model"),
    (lambda net: access.parameter_summary(net, 0), TypeError, "name"),
    (lambda net: access.parameter_summary(net, "1.weight"), ValueError, "name"),
    (lambda net: access.parameter_explorer(nn.ReLU()), ValueError, "model"),
    (lambda net: access.parameter_explorer(net, bins=0), ValueError, "bins"),
    (lambda net: access.format_summary("text"), TypeError, "summary"),
])
def test_bad_input_names_the_argument(net, call, error, name):
    with pytest.raises(error, match=name):
        call(net)
