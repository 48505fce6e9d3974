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


def test_histogram_detaches_parameters():
    assert plots.histogram(nn.Parameter(torch.ones(3)), bins=1).counts.tolist() == [3]


def test_param_histograms_draws_one_panel_per_parameter():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    fig, data = plots.param_histograms(net, bins=5)
    assert list(data) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [int(h.counts.sum()) for h in data.values()] == [32, 8, 8, 1]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["0.weight [8, 4]", "0.bias [8]", "2.weight [1, 8]", "2.bias [1]"]


def test_param_histograms_can_pick_names():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    fig, data = plots.param_histograms(net, names=["1.bias"])
    assert list(data) == ["1.bias"]
    with pytest.raises(ValueError, match="names must be parameter names"):
        plots.param_histograms(net, names=["2.weight"])


def test_loss_curves_returns_what_it_drew():
    fig, data = plots.loss_curves({"train": [1.0, 0.5, 0.25], "test": [2.0, 1.0, 0.9]}, title="t")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train", "test"]
    assert ax.get_lines()[0].get_ydata().tolist() == [1.0, 0.5, 0.25]
    assert ax.get_yscale() == "log"
    assert data["test"].tolist() == [2.0, 1.0, 0.9]


@pytest.mark.parametrize("call, error, name", [
    (lambda: plots.histogram([1, 2]), TypeError, "values"),
    (lambda: plots.histogram(torch.zeros(0)), ValueError, "values"),
    (lambda: plots.histogram(torch.zeros(3), bins=0), ValueError, "bins"),
    (lambda: plots.histogram(torch.zeros(3), bins=2.5), TypeError, "bins"),
    (lambda: plots.param_histograms("net"), TypeError, "model"),
    (lambda: plots.param_histograms(nn.ReLU()), ValueError, "model"),
    (lambda: plots.param_histograms(nn.Linear(1, 1), columns=0), ValueError, "columns"),
    (lambda: plots.param_histograms(nn.Linear(1, 1), names="weight"), TypeError, "names"),
    (lambda: plots.loss_curves([1, 2]), TypeError, "curves"),
    (lambda: plots.loss_curves({"a": [[1, 2]]}), ValueError, "curves"),
    (lambda: plots.loss_curves({"a": ["x"]}), TypeError, "curves"),
    (lambda: plots.loss_curves({"a": [1, 0]}), ValueError, "positive"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()
