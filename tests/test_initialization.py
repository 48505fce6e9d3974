"""Unit tests for helpers.initialization, chapter 2's widget engine."""

import math

import numpy as np
import traitlets
import pytest
import torch
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text
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
NN_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


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
    act, grad = plain_loop(NN_INIT[scheme], NN_ACTIVATIONS[activation], 6, 16, batch=8, seed=3)
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
    for seed in (0, 1):
        for width in engine.WIDTHS:
            for scheme in ("kaiming", "xavier", "default"):
                engine.layer_stats(50, width, "relu", scheme, seed=seed)
    kept = sum(len(w) * w[0].numel() for *_, w in engine._DRAWS.values())
    assert 0 < kept <= engine.ELEMENT_BUDGET
    assert len(engine._DRAWS) < 2 * 3 * len(engine.WIDTHS)        # some were dropped...
    assert list(engine._DRAWS)[-1] == (256, "default", 1, 32)     # ...not the latest


def test_switching_schemes_at_the_widest_setting_draws_nothing_new():
    for scheme in ("kaiming", "xavier", "default"):               # the three families
        engine.layer_stats(50, 256, "relu", scheme)
    kept = {key: draws[3][-1] for key, draws in engine._DRAWS.items()}
    for scheme in engine.SCHEMES:
        engine.layer_stats(50, 256, "tanh", scheme)
    assert {key: draws[3][-1] for key, draws in engine._DRAWS.items()} == kept


def test_a_request_beyond_the_budget_is_refused_before_anything_is_drawn():
    with pytest.raises(ValueError, match="budget"):
        engine.layer_stats(200, 2048, "relu", "kaiming", batch=4096)
    assert not engine._DRAWS


def test_overflowing_values_come_back_as_numbers_not_errors():
    stats = engine.layer_stats(1000, 16, "relu", "normal 1")  # 2.8x per layer overflows float64
    assert not math.isfinite(stats["activation_std"][-1])
    fig = Figure()
    engine.LayerStatsPlot()(fig, 50, 16, "relu", "normal 1")
    assert all(math.isfinite(v) for v in fig.axes[0].get_ylim())


def test_the_widget_moves_its_lines_and_its_range_holds_every_value():
    panel = engine.init_explorer(depth=10, width=32)
    ax = panel.figure.axes[0]
    lines = list(ax.lines)
    panel.set(activation="sigmoid", scheme="normal 0.01", depth=20)
    assert panel.text.startswith("normal 0.01, sigmoid:")
    want = engine.layer_stats(20, 32, "sigmoid", "normal 0.01")
    assert f"{want['gradient_std'][0]:.2e} at layer 1" in panel.text
    assert list(ax.lines) == lines
    assert list(lines[1].get_ydata()) == want["gradient_std"]
    low, high = ax.get_ylim()
    assert low * 2 < min(want["gradient_std"]) and max(want["activation_std"]) < high / 2
    assert round(math.log10(high)) in engine.LayerStatsPlot.SPANS


def test_an_update_redraws_no_text_once_its_frame_is_drawn(monkeypatch):
    panel = engine.init_explorer(depth=30, width=64)
    drawn_frames = panel.render.backdrop.drawn  # every y-range's frame, drawn at the first update
    assert sorted(drawn_frames) == sorted(engine.LayerStatsPlot.SPANS)
    frames = dict(drawn_frames)
    drawn = []
    for cls in (Axis, Text):
        def counted(self, *args, _draw=cls.draw, **kwargs):
            if not isinstance(self, Text) or self.get_text():   # empty titles draw nothing
                drawn.append(self)
            return _draw(self, *args, **kwargs)
        monkeypatch.setattr(cls, "draw", counted)
    panel.set(scheme="kaiming")
    panel.set(scheme="xavier")
    assert drawn == [] and drawn_frames == frames
    (width, height), dpi = engine.LayerStatsPlot.SIZE, panel.dpi
    assert all(pixels.shape == (round(height * dpi), round(width * dpi), 4) for pixels, _ in frames.values())
    assert len(panel.image.value) > 0


def test_a_frame_is_drawn_and_its_log_axes_span_as_many_decades_each_way():
    # every span's frame is drawn at once; a span of 300 decades overflowed the log ticks
    for pixels, _ in engine.init_explorer(depth=3, width=16).render.backdrop.drawn.values():
        assert pixels.shape[2] == 4 and np.ptp(pixels[..., :3]) > 0   # something is drawn on it
    for span in (2, 50):
        ax = engine.LayerStatsPlot().axes(Figure(), span)
        assert ax.get_yscale() == "log"
        assert ax.get_ylim() == pytest.approx((10.0 ** -span, 10.0 ** span))
        assert ax.get_xlim() == (0.5, engine.MAX_DEPTH + 0.5)


def test_the_widget_offers_only_what_fits_the_budget():
    panel = engine.init_explorer()
    depth, width = panel.controls["depth"], panel.controls["width"]
    assert depth.max * max(width.options) * (max(width.options) + 64) <= engine.ELEMENT_BUDGET
    with pytest.raises(ValueError, match=r"width must be one of \[16, 32, 64, 128, 256\], got 300"):
        panel.set(width=300)
