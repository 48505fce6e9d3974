"""Unit tests for helpers.initialization, chapter 2's widget engine."""

import math

import traitlets
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter, LogLocator
from torch import nn

import helpers
from helpers import initialization as engine

# The notebook's schemes, as nn.init calls on the weight of a freshly built nn.Linear.
NN_INIT = {
    "normal 0.01": lambda w: nn.init.normal_(w, std=0.01),
    "normal 1": lambda w: nn.init.normal_(w, std=1.0),
    "xavier": nn.init.xavier_uniform_,
    "xavier, gain 5/3": lambda w: nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh")),
    "kaiming": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "default": lambda w: None,
}


@pytest.fixture(autouse=True)
def _fresh_state():
    helpers.setup()
    engine._DRAWS.clear()
    yield
    engine._DRAWS.clear()


def plain_loop(init, activation, depth, width, batch=32, seed=0):
    """The notebook's 50-layer measurement, written as a learner would."""
    torch.manual_seed(seed)
    x = torch.randn(batch, width, dtype=torch.float64)
    grad_out = torch.randn(batch, width, dtype=torch.float64)
    h, outputs = x, []
    for _ in range(depth):
        linear = nn.Linear(width, width, bias=False, dtype=torch.float64)
        init(linear.weight)
        h = activation()(linear(h))
        h.retain_grad()
        outputs.append(h)
    h.backward(grad_out)
    return [o.std().item() for o in outputs], [o.grad.std().item() for o in outputs]


def assert_close_lists(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert math.isclose(a, b, rel_tol=1e-9), (a, b)


@pytest.mark.parametrize("scheme", list(engine.SCHEMES))
@pytest.mark.parametrize("activation", list(engine.ACTIVATIONS))
def test_engine_gives_the_numbers_of_the_plain_loop(scheme, activation):
    stats = engine.layer_stats(6, 16, activation, scheme, seed=3, batch=8)
    act, grad = plain_loop(NN_INIT[scheme], engine.ACTIVATIONS[activation], 6, 16, batch=8, seed=3)
    assert_close_lists(stats["activation_std"], act)
    assert_close_lists(stats["gradient_std"], grad)


def test_cached_draws_give_the_same_numbers_and_a_deeper_net_extends_a_shallower_one():
    deep = engine.layer_stats(8, 32, "tanh", "xavier")
    shallow = engine.layer_stats(3, 32, "tanh", "xavier")          # from the cache
    engine._DRAWS.clear()
    fresh = engine.layer_stats(3, 32, "tanh", "xavier")            # drawn anew
    assert shallow == fresh
    assert deep["activation_std"][:3] == shallow["activation_std"]


def test_engine_leaves_the_global_random_state_alone():
    state = torch.get_rng_state()
    engine.layer_stats(4, 16, "relu", "kaiming", seed=5)
    assert torch.equal(state, torch.get_rng_state())


def test_the_scales_reproduce_nn_init_formulas():
    n = 256
    assert engine.SCHEMES["kaiming"][1](n) == pytest.approx(math.sqrt(2 / n))
    assert engine.SCHEMES["xavier"][1](n) == pytest.approx(math.sqrt(6 / (2 * n)))   # a bound
    assert engine.SCHEMES["xavier, gain 5/3"][1](n) == pytest.approx(5 / 3 * math.sqrt(6 / (2 * n)))


def test_kept_draws_stay_within_the_element_budget():
    for width in engine.WIDTHS:
        for scheme in ("kaiming", "xavier", "default"):
            engine.layer_stats(50, width, "relu", scheme)
    kept = sum(len(w) * w[0].numel() for *_, w in engine._DRAWS.values())
    assert 0 < kept <= engine.ELEMENT_BUDGET
    assert len(engine._DRAWS) < 3 * len(engine.WIDTHS)            # some were dropped...
    assert list(engine._DRAWS)[-1] == (256, "default", 0, 32)     # ...not the latest


def test_a_request_beyond_the_budget_is_refused_before_anything_is_drawn():
    with pytest.raises(ValueError, match="budget"):
        engine.layer_stats(200, 2048, "relu", "kaiming", batch=4096)
    assert not engine._DRAWS


def test_overflowing_values_come_back_as_numbers_not_errors():
    stats = engine.layer_stats(1000, 16, "relu", "normal 1")  # 2.8x per layer overflows float64
    assert not math.isfinite(stats["activation_std"][-1])
    fig = Figure()
    engine.draw_layer_stats(fig, 50, 16, "relu", "normal 1")
    assert all(math.isfinite(v) for v in fig.axes[0].get_ylim())


def test_the_widget_redraws_in_place_with_log_ticks():
    panel = engine.init_explorer(depth=10, width=32)
    ax = panel.figure.axes[0]
    lines = list(ax.lines)
    assert isinstance(ax.yaxis.get_major_locator(), LogLocator)
    assert isinstance(ax.yaxis.get_major_formatter(), LogFormatter)
    panel.set(activation="sigmoid", scheme="normal 0.01", depth=20)
    assert panel.text.startswith("normal 0.01, sigmoid:")
    assert list(ax.lines) == lines and len(ax.lines[0].get_xdata()) == 20
    want = engine.layer_stats(20, 32, "sigmoid", "normal 0.01")
    assert f"{want['gradient_std'][0]:.2e} at layer 1" in panel.text


def test_the_widget_offers_only_what_fits_the_budget():
    panel = engine.init_explorer()
    depth, width = panel.controls["depth"], panel.controls["width"]
    assert depth.max * max(width.options) * (max(width.options) + 64) <= engine.ELEMENT_BUDGET
    with pytest.raises(traitlets.TraitError):
        panel.set(width=300)
