"""Unit tests for helpers.initialization (chapter 2)."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

import helpers
from helpers import initialization as init


@pytest.fixture(autouse=True)
def _one_thread_and_no_open_figures():
    helpers.setup()
    yield
    plt.close("all")


# --------------------------------------------------------------------------- initializers

@pytest.mark.parametrize("scheme", init.SCHEMES)
def test_init_weight_has_the_std_of_its_formula(scheme):
    weight = torch.empty(512, 256)
    init.init_weight(weight, scheme, generator=torch.Generator().manual_seed(1))
    want = init.expected_std(scheme, fan_in=256, fan_out=512)
    assert weight.std().item() == pytest.approx(want, rel=0.02)
    assert abs(weight.mean().item()) < 0.02 * want + 1e-4


def test_xavier_and_default_are_uniform_within_their_bound():
    weight = init.init_weight(torch.empty(64, 256), "xavier")
    assert weight.abs().max().item() <= math.sqrt(6 / (256 + 64))
    weight = init.init_weight(torch.empty(64, 256), "default")
    assert weight.abs().max().item() <= 1 / math.sqrt(256)


def test_init_weight_with_a_generator_is_reproducible_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    a = init.init_weight(torch.empty(4, 4), "kaiming", generator=torch.Generator().manual_seed(3))
    b = init.init_weight(torch.empty(4, 4), "kaiming", generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert torch.equal(state, torch.get_rng_state())


def test_init_weight_rejects_bad_input():
    with pytest.raises(ValueError, match="scheme"):
        init.init_weight(torch.empty(2, 2), "he")
    with pytest.raises(TypeError, match="weight"):
        init.init_weight([[1.0]], "xavier")
    with pytest.raises(ValueError, match="weight"):
        init.init_weight(torch.empty(3), "xavier")
    with pytest.raises(TypeError, match="generator"):
        init.init_weight(torch.empty(2, 2), "xavier", generator=0)


def test_expected_std_values_and_errors():
    assert init.expected_std("kaiming", 256, 256) == pytest.approx(math.sqrt(2 / 256))
    assert init.expected_std("xavier", 256, 64) == pytest.approx(math.sqrt(2 / 320))
    assert init.expected_std("default", 300, 1) == pytest.approx(1 / 30)
    with pytest.raises(ValueError, match="fan_in"):
        init.expected_std("kaiming", 0, 3)
    with pytest.raises(ValueError, match="scheme"):
        init.expected_std(None, 3, 3)


# --------------------------------------------------------------------------- the deep MLP

def test_make_mlp_structure():
    net = init.make_mlp(3, 8, "sigmoid", "normal 1", seed=2)
    assert [type(m).__name__ for m in net] == ["Linear", "Sigmoid"] * 3
    assert all(net[i].bias is None and net[i].weight.shape == (8, 8) for i in (0, 2, 4))
    same = init.make_mlp(3, 8, "sigmoid", "normal 1", seed=2)
    other = init.make_mlp(3, 8, "sigmoid", "normal 1", seed=3)
    assert torch.equal(net[4].weight, same[4].weight)
    assert not torch.equal(net[4].weight, other[4].weight)


@pytest.mark.parametrize("scheme", init.SCHEMES)
def test_make_mlp_weights_are_exactly_what_init_weight_draws(scheme):
    init._DRAWS.clear()
    net = init.make_mlp(2, 32, "relu", scheme, seed=9)
    generator = torch.Generator().manual_seed(9)
    for index in (0, 2):
        want = init.init_weight(torch.empty(32, 32), scheme, generator=generator)
        assert torch.equal(net[index].weight.detach(), want)


def test_a_deeper_net_extends_a_shallower_one_and_builds_are_independent():
    init._DRAWS.clear()
    deep = init.make_mlp(6, 8, "relu", "xavier", seed=4)
    init._DRAWS.clear()
    shallow = init.make_mlp(3, 8, "relu", "xavier", seed=4)
    for i in (0, 2, 4):
        assert torch.equal(deep[i].weight, shallow[i].weight)
    with torch.no_grad():
        shallow[0].weight.zero_()   # editing one net must not leak into the next one
    assert torch.equal(init.make_mlp(3, 8, "relu", "xavier", seed=4)[0].weight, deep[0].weight)


def test_drawn_weights_stay_within_their_memory_budget():
    init._DRAWS.clear()
    for width in init.WIDTHS:
        for scheme in ("kaiming", "xavier"):
            init.layer_stats(50, width, "relu", scheme)
    assert len(init._DRAWS) == 2 * len(init.WIDTHS)   # everything the widget offers is kept
    init.make_mlp(70, 512, "relu", "kaiming")           # 18M floats: more than the budget
    kept = sum(len(d) * d[0].numel() for _, d in init._DRAWS.values())
    assert kept <= init._DRAWS_BUDGET
    init._DRAWS.clear()


@pytest.mark.parametrize("activation", init.ACTIVATIONS)
def test_layer_stats_measures_the_net_that_make_mlp_builds(activation):
    stats = init.layer_stats(4, 16, activation, "xavier", seed=7, batch=8)
    net = init.make_mlp(4, 16, activation, "xavier", seed=7).double()
    generator = torch.Generator().manual_seed(8)
    h = torch.randn(8, 16, generator=generator).double().requires_grad_(True)
    upstream = torch.randn(8, 16, generator=generator).double()
    outputs = []
    for index in range(0, 8, 2):
        h = net[index + 1](net[index](h))
        h.retain_grad()
        outputs.append(h)
    (h * upstream).sum().backward()
    assert stats["activation_std"] == pytest.approx([o.std().item() for o in outputs], rel=1e-9)
    assert stats["gradient_std"] == pytest.approx([o.grad.std().item() for o in outputs], rel=1e-9)


@pytest.mark.parametrize("kwargs, name", [
    ({"depth": 0}, "depth"), ({"depth": 2.0}, "depth"), ({"depth": True}, "depth"),
    ({"width": 0}, "width"), ({"width": 5000}, "width"),
    ({"activation": "gelu"}, "activation"), ({"scheme": "xavier_uniform"}, "scheme"),
    ({"seed": -1}, "seed"), ({"batch": 0}, "batch"),
])
def test_layer_stats_rejects_bad_input(kwargs, name):
    args = {"depth": 3, "width": 8, "activation": "relu", "scheme": "kaiming", **kwargs}
    with pytest.raises(ValueError, match=name):
        init.layer_stats(**args)


def test_kaiming_keeps_relu_activations_and_gradients_near_one_at_depth_50():
    stats = init.layer_stats(50, 256, "relu", "kaiming")
    assert stats["layer"] == list(range(1, 51))
    assert 0.2 < stats["activation_std"][-1] < 5
    assert 0.2 < stats["gradient_std"][0] < 5
    assert all(0.2 < s < 5 for s in stats["activation_std"] + stats["gradient_std"])


def test_normal_one_explodes_and_normal_001_vanishes():
    big = init.layer_stats(50, 256, "relu", "normal 1")
    small = init.layer_stats(50, 256, "relu", "normal 0.01")
    assert big["activation_std"][-1] > 1e40 and big["gradient_std"][0] > 1e40
    assert small["activation_std"][-1] < 1e-40 and small["gradient_std"][0] < 1e-40
    # float64 keeps them finite, so the plots can show how far they went
    assert all(math.isfinite(v) for v in big["activation_std"] + big["gradient_std"])


def test_xavier_suits_tanh_but_vanishes_with_relu():
    tanh = init.layer_stats(50, 256, "tanh", "xavier")
    relu = init.layer_stats(50, 256, "relu", "xavier")
    assert tanh["activation_std"][-1] > 0.05 and tanh["gradient_std"][0] > 0.05
    assert relu["activation_std"][-1] < 1e-5


def test_gradient_at_the_output_is_the_upstream_gradient():
    stats = init.layer_stats(5, 64, "tanh", "xavier", batch=32)
    assert stats["gradient_std"][-1] == pytest.approx(1.0, abs=0.05)


def test_layer_stats_is_deterministic_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    a = init.layer_stats(4, 16, "tanh", "xavier", seed=5)
    b = init.layer_stats(4, 16, "tanh", "xavier", seed=5)
    c = init.layer_stats(4, 16, "tanh", "xavier", seed=6)
    assert a == b and a != c
    assert torch.equal(state, torch.get_rng_state())


def test_compare_schemes_and_its_plot():
    results = init.compare_schemes(["normal 0.01", "kaiming"], depth=6, width=32)
    assert list(results) == ["normal 0.01", "kaiming"]
    assert results["kaiming"] == init.layer_stats(6, 32, "relu", "kaiming")
    fig = init.plot_layer_stats(results, title="t")
    ax_act, ax_grad = fig.axes
    assert ax_act.get_yscale() == "log" and ax_grad.get_yscale() == "log"
    plotted = ax_act.lines[1].get_ydata()
    assert np.allclose(plotted, results["kaiming"]["activation_std"])
    assert [t.get_text() for t in ax_grad.get_legend().get_texts()] == ["normal 0.01", "kaiming"]
    with pytest.raises(TypeError, match="schemes"):
        init.compare_schemes("kaiming")
    with pytest.raises(ValueError, match="schemes"):
        init.compare_schemes(["lecun"])
    with pytest.raises(TypeError, match="results"):
        init.plot_layer_stats({"kaiming": [1, 2]})


def test_positive_masks_what_a_log_axis_cannot_show():
    assert np.isnan(init._positive([0.0, float("inf"), float("nan"), 2.0])[:3]).all()


# --------------------------------------------------------------------------- stability demos

def test_sigmoid_gradient_matches_the_formula():
    x = torch.linspace(-8, 8, 33)
    values, grads = init.sigmoid_gradient(x)
    assert torch.allclose(grads, values * (1 - values))
    assert grads.max().item() == pytest.approx(0.25)
    assert grads[0].item() < 1e-3
    with pytest.raises(TypeError, match="x"):
        init.sigmoid_gradient([0.0])
    with pytest.raises(TypeError, match="x"):
        init.sigmoid_gradient(torch.arange(3))


def test_plot_sigmoid_gradient_data_is_what_is_drawn():
    fig, data = init.plot_sigmoid_gradient()
    lines = fig.axes[0].lines
    assert np.allclose(lines[1].get_ydata(), data["gradient"])
    assert data["x"][0] == pytest.approx(-8.0) and len(data["x"]) == 160
    with pytest.raises(ValueError, match="x"):
        init.plot_sigmoid_gradient(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="x"):
        init.plot_sigmoid_gradient([0.0, 1.0])


def test_product_norms_explode():
    norms = init.product_norms(100, 4)
    assert len(norms) == 100
    assert norms[-1] > 1e20 * norms[0]
    assert norms == init.product_norms(100, 4)
    with pytest.raises(ValueError, match="steps"):
        init.product_norms(0)
    with pytest.raises(ValueError, match="size"):
        init.product_norms(3, size=0)


# --------------------------------------------------------------------------- custom init

def _d2l_my_init(weight):
    nn.init.uniform_(weight, -10, 10)
    with torch.no_grad():
        weight *= weight.abs() >= 5
    return weight


def test_init_fractions_of_d2l_custom_init():
    weight = _d2l_my_init(torch.empty(1000, 1000))
    parts = init.init_fractions(weight)
    assert parts["0"] == pytest.approx(0.5, abs=0.005)
    assert parts["U(5, 10)"] == pytest.approx(0.25, abs=0.005)
    assert parts["U(-10, -5)"] == pytest.approx(0.25, abs=0.005)
    assert parts["elsewhere"] == 0
    assert init.init_fractions(torch.tensor([1.0, 11.0]))["elsewhere"] == 1.0
    with pytest.raises(TypeError, match="weight"):
        init.init_fractions(np.zeros(3))
    with pytest.raises(ValueError, match="weight"):
        init.init_fractions(torch.empty(0))


def test_plot_weight_histogram_shows_fractions():
    weight = _d2l_my_init(torch.empty(200, 200))
    fig, hist = init.plot_weight_histogram(weight, bins=40, title="my_init")
    assert hist.counts.sum() == weight.numel()
    heights = fig.axes[0].patches[0].get_data()[0]
    assert heights.sum() == pytest.approx(1.0)
    assert heights.max() == pytest.approx(0.5, abs=0.02)  # the spike at 0
    with pytest.raises(ValueError, match="bins"):
        init.plot_weight_histogram(weight, bins=0)
    with pytest.raises(TypeError, match="weight"):
        init.plot_weight_histogram(weight.tolist())
    with pytest.raises(ValueError, match="weight"):
        init.plot_weight_histogram(torch.empty(0, 3))


# --------------------------------------------------------------------------- widget

def test_demo_panel_defaults_and_text():
    panel = init.demo_panel()
    assert panel.values == {"depth": 50, "width": 256, "activation": "relu", "scheme": "kaiming"}
    stats = init.layer_stats(50, 256, "relu", "kaiming")
    assert f"{stats['activation_std'][-1]:.2e} at layer 50" in panel.text
    assert panel.image.value[:4] == b"\x89PNG"


def test_widget_redraws_when_a_control_changes():
    panel = init.init_explorer(depth=10, width=32)
    line = panel.figure.axes[0].lines[0]
    before = np.array(line.get_ydata(), dtype=float)
    panel.set(scheme="normal 1")
    after = np.array(line.get_ydata(), dtype=float)
    assert after[-1] > 1e5 * before[-1]
    assert np.allclose(after, init.layer_stats(10, 32, "relu", "normal 1")["activation_std"])
    panel.set(depth=4)
    assert len(line.get_xdata()) == 4
    panel.controls["activation"].value = "tanh"   # as a learner would, through the control
    assert panel.text.startswith("normal 1, tanh")
    assert len(panel.figure.axes) == 1            # axes are made once, then updated


def test_widget_axis_spans_at_least_four_decades_and_follows_the_data():
    fig = Figure()
    init.draw_layer_stats(fig, 10, 64, "relu", "kaiming")
    low, high = fig.axes[0].get_ylim()
    assert low <= 1e-2 and high >= 1e2
    init.draw_layer_stats(fig, 10, 64, "relu", "normal 1")
    assert fig.axes[0].get_ylim()[1] > init.layer_stats(10, 64, "relu", "normal 1")["activation_std"][-1]
    with pytest.raises(TypeError, match="fig"):
        init.draw_layer_stats(None, 3, 16, "relu", "kaiming")


def test_init_explorer_rejects_bad_input():
    with pytest.raises(ValueError, match="width"):
        init.init_explorer(width=100)
    with pytest.raises(ValueError, match="depth"):
        init.init_explorer(depth=51)
    with pytest.raises(ValueError, match="activation"):
        init.init_explorer(activation="elu")
    with pytest.raises(ValueError, match="scheme"):
        init.init_explorer(scheme="orthogonal")


# --------------------------------------------------------------------------- exercises

def test_there_are_enough_questions_of_each_kind():
    kinds = [q.kind for q in init.QUESTIONS]
    assert len(kinds) >= 5
    assert {"value", "thought"} <= set(kinds) and {"function", "code"} & set(kinds)


@pytest.mark.parametrize("index", range(len(init.QUESTIONS)))
def test_every_solution_passes_its_own_check(index):
    question = init.QUESTIONS[index]
    if question.kind == "thought":
        assert question.evaluate("anything").status == "thought"
        return
    namespace = {}
    exec("import math, torch\nfrom torch import nn\nimport helpers\n" + question.solution_code,
         namespace)
    verdict = question.evaluate(namespace[question.answer_name])
    assert verdict.correct, verdict.message


def _raises(*args):
    raise RuntimeError("boom")


@pytest.mark.parametrize("index", range(len(init.QUESTIONS)))
@pytest.mark.parametrize("garbage", [None, "text", 0, torch.zeros(3, 2), _raises, nn.Linear(2, 2)])
def test_garbage_answers_are_not_correct_and_do_not_raise(index, garbage):
    question = init.QUESTIONS[index]
    if question.kind == "thought":
        return
    verdict = question.evaluate(garbage)
    assert not verdict.correct
    assert verdict.message.startswith("Not yet")


def test_near_miss_answers_get_a_useful_message():
    by_name = {q.answer_name: q for q in init.QUESTIONS}
    assert not by_name["bound"].evaluate(math.sqrt(3 / 320)).correct   # forgot the factor 2
    assert by_name["bound"].evaluate(0.1369).correct                     # rounded is fine
    assert not by_name["final_std"].evaluate(lambda s, n, d: s * math.sqrt(n) * d).correct
    assert not by_name["steady_scheme"].evaluate("xavier").correct
    assert "one of" in by_name["steady_scheme"].evaluate("he").message


def test_my_init_checker_explains_common_mistakes():
    q = next(q for q in init.QUESTIONS if q.answer_name == "my_init")

    def no_isinstance(m):  # fails on ReLU and Sequential, which have no weight
        nn.init.uniform_(m.weight, -10, 10)

    def only_uniform(m):
        if isinstance(m, nn.Linear):
            nn.init.uniform_(m.weight, -10, 10)

    def keeps_small(m):
        if isinstance(m, nn.Linear):
            nn.init.uniform_(m.weight, -10, 10)
            with torch.no_grad():
                m.weight *= m.weight.abs() < 5

    def replaces_parameter(m):
        if isinstance(m, nn.Linear):
            w = torch.empty_like(m.weight).uniform_(-10, 10)
            m.weight = nn.Parameter(w * (w.abs() >= 5))

    assert "apply also calls it" in q.evaluate(no_isinstance).message
    assert "neither 0 nor" in q.evaluate(only_uniform).message
    assert "neither 0 nor" in q.evaluate(keeps_small).message
    assert q.evaluate(replaces_parameter).correct  # a fresh Parameter is fine too
