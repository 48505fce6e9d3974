import warnings

import pytest
import torch
from torch import nn

import numpy as np

from helpers import parameter_access as access


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
    assert (summary["nan"], summary["inf"], summary["has_grad"], summary["note"]) == (0, 0, False, None)


def test_summary_sees_gradients_and_frozen_parameters(net):
    net(torch.ones(1, 4)).sum().backward()
    net[2].requires_grad_(False)
    assert access.parameter_summary(net, "2.bias")["requires_grad"] is False
    assert access.parameter_summary(net, "0.bias")["has_grad"] is True


def test_single_value_has_zero_std(net):
    assert access.parameter_summary(net, "2.bias")["std"] == 0.0


def test_unknown_name_is_one_sentence(net):
    with pytest.raises(ValueError, match=r"parameter names \['0.weight', '0.bias', '2.weight', '2.bias'\], got '1.weight'"):
        access.parameter_summary(net, "1.weight")


def diverged(net):
    with torch.no_grad():
        net[0].weight[0, 0] = float("nan")
        net[0].weight[1, 1] = float("inf")
        net[0].weight[2, 2] = -float("inf")
        net[2].bias.fill_(float("nan"))
    return net


def test_nan_and_inf_are_counted_and_left_out_of_the_statistics(net):
    weight = net[0].weight.detach().double().flatten()[[i for i in range(32) if i not in (0, 5, 10)]]
    summary = access.parameter_summary(diverged(net), "0.weight")
    assert (summary["nan"], summary["inf"]) == (1, 2)
    assert summary["mean"] == round(weight.mean().item(), 4)
    assert summary["max"] == round(weight.max().item(), 4)
    only_nan = access.parameter_summary(net, "2.bias")
    assert (only_nan["nan"], only_nan["mean"], only_nan["std"]) == (1, None, None)


def test_explorer_shows_a_diverged_model_with_its_nan_and_inf_labelled(net):
    panel = access.parameter_explorer(diverged(net))
    assert "1 NaN, 2 inf not drawn" in panel.figure.axes[0].get_xlabel()
    assert "nan 1, inf 2" in panel.text
    heights = panel.figure.axes[0].patches[0].get_path().vertices[:, 1]
    assert heights.max() == access.histogram(net[0].weight, bins=20).counts.max()
    panel.set(name="2.bias")
    assert "1 NaN not drawn" in panel.figure.axes[0].get_xlabel()


def test_explorer_lists_parameters_and_redraws_on_choice(net):
    panel = access.parameter_explorer(net)
    assert panel.controls["name"].options == ("0.weight", "0.bias", "2.weight", "2.bias")
    first_image = panel.image.value
    panel.controls["name"].value = "2.weight"
    assert panel.text.startswith("2.weight: shape (1, 8), numel 8, mean ")
    assert panel.image.value != first_image
    ax = panel.figure.axes[0]
    assert ax.get_title() == "2.weight  [1, 8]"
    heights = ax.patches[0].get_path().vertices[:, 1]
    assert heights.max() == access.histogram(net[2].weight, bins=20).counts.max()


def test_set_with_an_unknown_name_is_one_sentence(net):
    panel = access.parameter_explorer(net)
    with pytest.raises(ValueError, match=r"name must be one of \[.*\], got '2.weights'"):
        panel.set(name="2.weights")
    panel.set(name="2.weight")
    assert panel.text.startswith("2.weight:")


def test_lazy_layer_is_explained_not_a_traceback():
    model = nn.Sequential(nn.LazyLinear(3), nn.ReLU(), nn.Linear(3, 1))
    panel = access.parameter_explorer(model)
    assert panel.text == ("0.weight: requires_grad True, has_grad False; it is not initialized yet "
                          "(a lazy layer): run one forward pass, e.g. model(X), first")
    assert panel.figure.axes[0].get_title() == "0.weight  ?"
    panel.set(name="2.weight")
    assert panel.text.startswith("2.weight: shape (1, 3)")
    with pytest.raises(ValueError, match="cannot draw 0.weight: it is not initialized yet"):
        access.param_histograms(model)


def test_meta_device_shows_the_shape_and_says_there_are_no_values():
    panel = access.parameter_explorer(nn.Linear(2, 3, device="meta"))
    assert panel.text.startswith("weight: shape (3, 2), numel 6, requires_grad True")
    assert "it lives on the meta device" in panel.text
    with pytest.raises(ValueError, match="cannot draw weight: it lives on the meta device"):
        access.param_histograms(nn.Linear(2, 3, device="meta"))


def test_zero_size_layer_draws_an_empty_histogram():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Initializing zero-element tensors is a no-op"
        layer = nn.Linear(0, 3)
    panel = access.parameter_explorer(layer)
    assert panel.text == "weight: shape (3, 0), numel 0, nan 0, inf 0, requires_grad True, has_grad False"
    assert "no entries" in panel.figure.axes[0].get_xlabel()
    fig, data = access.param_histograms(layer)
    assert (data["weight"].note, int(data["bias"].counts.sum())) == ("no entries", 3)


@pytest.mark.parametrize("call, match", [
    (lambda net: access.parameter_explorer(nn.ReLU()), "model must have parameters to explore, got a ReLU"),
    (lambda net: access.param_histograms(nn.ReLU()), "model must have parameters to explore, got a ReLU"),
    (lambda net: access.parameter_explorer(net, bins=0), "bins must be an int between 1 and 1000, got 0"),
    (lambda net: access.parameter_explorer(net, bins=10**9), "bins must be an int between 1 and 1000"),
    (lambda net: access.histogram(torch.zeros(3), bins=2.5), "bins must be an int"),
])
def test_bad_explorer_arguments_are_one_sentence(net, call, match):
    with pytest.raises(ValueError, match=match):
        call(net)


def test_histogram_matches_numpy():
    values = torch.randn(100, generator=torch.Generator().manual_seed(1))
    hist = access.histogram(values, bins=7)
    counts, edges = np.histogram(values.numpy().astype(np.float64), bins=7)
    assert hist.counts.tolist() == counts.tolist()
    assert np.allclose(hist.edges, edges)
    assert (hist.nan, hist.inf, hist.note) == (0, 0, "")


def test_histogram_detaches_parameters():
    assert access.histogram(nn.Parameter(torch.ones(3)), bins=1).counts.tolist() == [3]


def test_histogram_counts_nan_and_inf_apart():
    values = torch.tensor([0.0, 1.0, float("nan"), float("inf"), -float("inf"), 1.0])
    hist = access.histogram(values, bins=2)
    assert hist.counts.tolist() == [1, 2]
    assert (hist.edges[0], hist.edges[-1]) == (0.0, 1.0)
    assert (hist.nan, hist.inf, hist.note) == (1, 2, "1 NaN, 2 inf not drawn")


def test_histogram_of_only_nan_or_nothing_draws_no_bars():
    assert access.histogram(torch.full((4,), float("nan")), bins=3).counts.sum() == 0
    assert access.histogram(torch.zeros(3, 0), bins=3).note == "no entries"


def test_param_histograms_draws_one_panel_per_parameter():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    fig, data = access.param_histograms(net, bins=5)
    assert list(data) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [int(h.counts.sum()) for h in data.values()] == [32, 8, 8, 1]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["0.weight [8, 4]", "0.bias [8]", "2.weight [1, 8]", "2.bias [1]"]


def test_param_histograms_labels_nan_and_inf_instead_of_failing():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.fill_(float("nan"))
        net[1].weight[0, 0] = float("inf")
    fig, data = access.param_histograms(net, bins=4)
    assert [ax.get_xlabel() for ax in fig.axes[:3]] == ["4 NaN not drawn", "", "1 inf not drawn"]
    assert int(data["1.weight"].counts.sum()) == 1


def test_param_histograms_puts_four_to_a_row():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 1))
    fig, data = access.param_histograms(net, bins=3)
    assert len(data) == len(fig.axes) == 6
    assert [ax.get_subplotspec().get_geometry() for ax in fig.axes] == [(2, 4, k, k) for k in range(6)]
