import numpy as np
import pytest
import torch
from torch import nn

from helpers import plots


def test_histogram_matches_numpy():
    values = torch.randn(100, generator=torch.Generator().manual_seed(1))
    hist = plots.histogram(values, bins=7)
    counts, edges = np.histogram(values.numpy().astype(np.float64), bins=7)
    assert hist.counts.tolist() == counts.tolist()
    assert np.allclose(hist.edges, edges)
    assert (hist.nan, hist.inf, hist.note) == (0, 0, "")


def test_histogram_detaches_parameters():
    assert plots.histogram(nn.Parameter(torch.ones(3)), bins=1).counts.tolist() == [3]


def test_histogram_counts_nan_and_inf_apart():
    values = torch.tensor([0.0, 1.0, float("nan"), float("inf"), -float("inf"), 1.0])
    hist = plots.histogram(values, bins=2)
    assert hist.counts.tolist() == [1, 2]
    assert (hist.edges[0], hist.edges[-1]) == (0.0, 1.0)
    assert (hist.nan, hist.inf, hist.note) == (1, 2, "1 NaN, 2 inf not drawn")


def test_histogram_of_only_nan_or_nothing_draws_no_bars():
    assert plots.histogram(torch.full((4,), float("nan")), bins=3).counts.sum() == 0
    assert plots.histogram(torch.zeros(3, 0), bins=3).note == "no entries"


def test_param_histograms_draws_one_panel_per_parameter():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    fig, data = plots.param_histograms(net, bins=5)
    assert list(data) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [int(h.counts.sum()) for h in data.values()] == [32, 8, 8, 1]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["0.weight [8, 4]", "0.bias [8]", "2.weight [1, 8]", "2.bias [1]"]


def test_param_histograms_labels_nan_and_inf_instead_of_failing():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.fill_(float("nan"))
        net[1].weight[0, 0] = float("inf")
    fig, data = plots.param_histograms(net, bins=4)
    assert [ax.get_xlabel() for ax in fig.axes[:3]] == ["4 NaN not drawn", "", "1 inf not drawn"]
    assert int(data["1.weight"].counts.sum()) == 1


def test_param_histograms_can_pick_names():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    assert list(plots.param_histograms(net, names=["1.bias"])[1]) == ["1.bias"]
    assert list(plots.param_histograms(net, names="1.bias")[1]) == ["1.bias"]
    with pytest.raises(ValueError, match=r"names must be parameter names of the model .*, got \['2.weight'\]"):
        plots.param_histograms(net, names=["2.weight"])


@pytest.mark.parametrize("call, match", [
    (lambda: plots.histogram(torch.zeros(3), bins=0), "bins must be an int between 1 and 1000"),
    (lambda: plots.histogram(torch.zeros(3), bins=2.5), "bins must be an int"),
    (lambda: plots.histogram(torch.zeros(3), bins=10**9), "bins must be an int between 1 and 1000"),
    (lambda: plots.param_histograms(nn.ReLU()), "names must be parameter names of the model"),
    (lambda: plots.param_histograms(nn.Linear(1, 1), columns=0), "columns must be an int between 1 and 8"),
])
def test_bad_input_is_one_sentence(call, match):
    with pytest.raises(ValueError, match=match):
        call()
