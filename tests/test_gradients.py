"""Unit tests for helpers.gradients (chapter 6, autograd)."""

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import gradients
from helpers.exercises import CodeQuestion, FunctionQuestion, ThoughtQuestion, ValueQuestion


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# ----------------------------------------------------------------------------- derivatives

ANALYTIC = {
    "sin": math.cos,
    "x^3": lambda x: 3 * x * x,
    "tanh": lambda x: 1 - math.tanh(x) ** 2,
    "softplus": lambda x: 1 / (1 + math.exp(-x)),
}


@pytest.mark.parametrize("name", sorted(ANALYTIC))
@pytest.mark.parametrize("x", [-2.5, -0.3, 0.0, 1.0, 2.9])
def test_autograd_derivative_matches_calculus(name, x):
    assert gradients.autograd_derivative(name, x) == pytest.approx(ANALYTIC[name](x), abs=1e-12)


@pytest.mark.parametrize("x", [-2.0, 0.0, 0.5, 2.0])
def test_mlp_derivative_matches_finite_difference(x):
    auto = gradients.autograd_derivative("mlp", x)
    assert gradients.finite_difference("mlp", x, h=1e-5) == pytest.approx(auto, abs=1e-8)


def test_every_offered_function_is_callable_on_float64():
    xs = torch.linspace(-3, 3, 7, dtype=torch.float64)
    for name in gradients.FUNCTIONS:
        ys = gradients.get_function(name)(xs)
        assert ys.shape == xs.shape and ys.dtype == torch.float64


def test_mlp_is_fixed_and_leaves_the_global_random_stream_alone():
    gradients._mlp.cache_clear()
    torch.manual_seed(0)
    expected_next = torch.rand(1)
    torch.manual_seed(0)
    first = gradients.tangent_at("mlp", 0.5).value
    assert torch.equal(torch.rand(1), expected_next)
    gradients._mlp.cache_clear()
    assert gradients.tangent_at("mlp", 0.5).value == first
    assert round(first, 4) == -0.0911  # the value the notebook prints


def test_central_difference_error_shrinks_like_h_squared():
    # For x^3 the central difference is exactly 3x^2 + h^2.
    for h in (0.1, 0.01, 0.001):
        error = gradients.finite_difference("x^3", 1.0, h) - 3.0
        assert error == pytest.approx(h * h, rel=1e-3)


def test_finite_difference_accepts_a_plain_function():
    assert gradients.finite_difference(lambda t: 5 * t, 2.0, h=0.5) == pytest.approx(5.0)


def test_tangent_at_fields_lines_and_text():
    t = gradients.tangent_at("sin", 1.0, h=0.5)
    assert t.value == pytest.approx(math.sin(1.0))
    assert t.derivative == pytest.approx(math.cos(1.0))
    assert t.estimate == pytest.approx(math.cos(1.0) * math.sin(0.5) / 0.5)
    assert t.error == pytest.approx(abs(t.estimate - t.derivative))
    xs = np.array([0.0, 1.0, 2.0])
    assert t.line(xs) == pytest.approx(t.value + t.derivative * (xs - 1.0))
    assert t.secant(np.array([0.5, 1.5])) == pytest.approx([math.sin(0.5), math.sin(1.5)])
    assert str(t).startswith("sin at x = 1.00: f(x) = 0.8415, autograd f'(x) = 0.540302")


def test_notebook_comparison_agrees_to_about_1e_6():
    for name in gradients.FUNCTIONS:
        assert gradients.tangent_at(name, 0.5, h=1e-3).error < 2e-6


def test_function_curve():
    xs, ys = gradients.function_curve("tanh", -2.0, 2.0, num=5)
    assert xs.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert ys == pytest.approx(np.tanh(xs))
    assert gradients.function_curve("sin")[0].shape == (201,)


def test_derivative_curves_of_sin_are_exactly_cos_and_minus_sin():
    xs = torch.linspace(-2 * math.pi, 2 * math.pi, 200, dtype=torch.float64)
    f0, f1, f2 = gradients.derivative_curves(torch.sin, xs, order=2)
    assert torch.equal(f0, torch.sin(xs))
    assert (f1 - torch.cos(xs)).abs().max().item() == 0.0
    assert (f2 + torch.sin(xs)).abs().max().item() == 0.0
    assert not f1.requires_grad and not f2.requires_grad


def test_derivative_curves_past_a_polynomial_degree_are_zero():
    xs = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    curves = gradients.derivative_curves("x^3", xs, order=5)
    assert len(curves) == 6
    assert torch.equal(curves[3], torch.full_like(xs, 6.0))
    assert torch.equal(curves[4], torch.zeros_like(xs))
    assert torch.equal(curves[5], torch.zeros_like(xs))
    assert len(gradients.derivative_curves("sin", xs, order=0)) == 1


@pytest.mark.parametrize("call, kind, word", [
    (lambda: gradients.get_function(3), TypeError, "name"),
    (lambda: gradients.get_function("cos"), ValueError, "name"),
    (lambda: gradients.autograd_derivative("sin", "1"), TypeError, "x"),
    (lambda: gradients.autograd_derivative("sin", float("nan")), ValueError, "x"),
    (lambda: gradients.autograd_derivative(42, 1.0), TypeError, "fn"),
    (lambda: gradients.finite_difference("sin", 1.0, h=0), ValueError, "h"),
    (lambda: gradients.finite_difference("sin", 1.0, h=True), TypeError, "h"),
    (lambda: gradients.tangent_at("sin", 1.0, h=-1e-3), ValueError, "h"),
    (lambda: gradients.function_curve("sin", 1.0, -1.0), ValueError, "lo"),
    (lambda: gradients.function_curve("sin", num=1), ValueError, "num"),
    (lambda: gradients.derivative_curves(torch.sin, [1.0, 2.0]), TypeError, "xs"),
    (lambda: gradients.derivative_curves(torch.sin, torch.arange(3)), TypeError, "xs"),
    (lambda: gradients.derivative_curves(torch.sin, torch.ones(2), order=9), ValueError, "order"),
    (lambda: gradients.draw_tangent(None, "sin", 1.0, 0.1), TypeError, "fig"),
    (lambda: gradients.draw_tangent(Figure(), "sin", 1.0, 0.0), ValueError, "h"),
])
def test_bad_inputs_raise_and_name_the_argument(call, kind, word):
    with pytest.raises(kind, match=word):
        call()


# ----------------------------------------------------------------------------- the graph

def test_graph_of_the_d2l_mlp():
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    lines = gradients.graph_lines(mlp(torch.rand(2, 4)), names=mlp)
    assert lines == [
        "AddmmBackward0",
        "├── AccumulateGrad 2.bias [1]",
        "├── ReluBackward0",
        "│   └── AddmmBackward0",
        "│       ├── AccumulateGrad 0.bias [8]",
        "│       ├── None (needs no gradient)",
        "│       └── TBackward0",
        "│           └── AccumulateGrad 0.weight [8, 4]",
        "└── TBackward0",
        "    └── AccumulateGrad 2.weight [1, 8]",
    ]


def test_graph_shows_a_detached_value_as_a_constant():
    x = torch.arange(4.0, requires_grad=True)
    u = (x * x).detach()
    assert gradients.graph_lines((u * x).sum(), names={"x": x}) == [
        "SumBackward0",
        "└── MulBackward0",
        "    ├── None (needs no gradient)",
        "    └── AccumulateGrad x [4]",
    ]


def test_graph_expands_a_shared_node_once_and_prints_no_address():
    x = torch.ones(3, requires_grad=True)
    h = x.exp()
    lines = gradients.graph_lines(h * h)
    assert lines == [
        "MulBackward0",
        "├── ExpBackward0",
        "│   └── AccumulateGrad leaf [3]",
        "└── ExpBackward0 (shared, expanded above)",
    ]
    assert not any("0x" in line for line in lines)


def test_graph_depth_limit_and_control_flow_length():
    a = torch.tensor(0.001, requires_grad=True)
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    full = gradients.graph_lines(b)
    assert len(full) == 41  # the notebook's count for a = 0.001
    short = gradients.graph_lines(b, max_depth=3)
    assert any(line.endswith("└── ...") for line in short)
    assert len(short) < len(full)


def test_print_graph_prints_the_lines(capsys):
    w = torch.ones(2, requires_grad=True)
    gradients.print_graph(torch.tanh(w).sum(), names={"w": w})
    assert capsys.readouterr().out.splitlines() == gradients.graph_lines(torch.tanh(w).sum(), {"w": w})


def test_graph_bad_inputs():
    with pytest.raises(TypeError, match="output"):
        gradients.graph_lines([1, 2])
    with pytest.raises(ValueError, match="grad_fn"):
        gradients.graph_lines(torch.ones(2))
    with torch.no_grad():
        cut = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(ValueError, match="output"):
        gradients.graph_lines(cut)
    y = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(ValueError, match="max_depth"):
        gradients.graph_lines(y, max_depth=0)
    with pytest.raises(TypeError, match="names"):
        gradients.graph_lines(y, names=["x"])
    with pytest.raises(TypeError, match="names"):
        gradients.graph_lines(y, names={"x": 3})


# ----------------------------------------------------------------------------- memory

def _big_mlp():
    return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 10))


def test_saved_memory_of_the_notebook_mlp():
    big = _big_mlp()
    saved = gradients.saved_memory(big, torch.randn(256, 784))
    assert saved.activation_bytes == 2 * 256 * 1024 * 4       # the two ReLU outputs
    assert saved.input_bytes == 256 * 784 * 4
    assert saved.parameter_bytes == (1024 * 1024 + 1024 * 10) * 4  # weights of layers 2 and 3
    assert (saved.tensors, saved.storages) == (7, 5)
    assert str(saved) == ("7 saved tensors in 5 storages: 7.14 MB (parameters 4.24 MB, "
                          "inputs 0.80 MB, activations 2.10 MB)")


def test_saved_memory_is_zero_without_recording_and_grows_with_the_batch():
    big = _big_mlp()
    batch = torch.randn(256, 784)
    with torch.no_grad():
        assert gradients.saved_memory(big, batch).total_bytes == 0
    with torch.inference_mode():
        assert gradients.saved_memory(big, batch).total_bytes == 0
    sizes = [gradients.saved_memory(big, torch.randn(n, 784)).activation_bytes for n in (64, 256, 1024)]
    assert sizes == [2 * n * 1024 * 4 for n in (64, 256, 1024)]


def test_saved_memory_of_a_plain_function():
    x = torch.ones(1000, requires_grad=True)
    saved = gradients.saved_memory(lambda t: t.exp().sum(), x)
    assert saved.parameter_bytes == 0
    assert saved.activation_bytes == 4000  # exp keeps its result


def test_saved_memory_bad_inputs():
    with pytest.raises(TypeError, match="fn"):
        gradients.saved_memory(3, torch.ones(1))
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        gradients.saved_memory(torch.add, torch.ones(1), [1.0])


def test_gradient_status_follows_freezing():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = torch.randn(5, 3)
    model[2].requires_grad_(False)
    model(x).pow(2).mean().backward()
    status = gradients.gradient_status(model)
    assert status["2.weight"] is None and status["2.bias"] is None
    assert status["0.weight"] > 0 and status["0.bias"] > 0
    assert status["0.weight"] == round(model[0].weight.grad.norm().item(), 4)

    model.requires_grad_(True)
    model.zero_grad()
    with torch.no_grad():
        hidden = model[1](model[0](x))
    model[2](hidden).pow(2).mean().backward()
    status = gradients.gradient_status(model)
    assert status["0.weight"] is None and status["2.weight"] > 0
    with pytest.raises(TypeError, match="model"):
        gradients.gradient_status(torch.ones(2))


# ----------------------------------------------------------------------------- widget

def _lines(panel):
    return {line.get_gid(): line for line in panel.figure.axes[0].lines}


def test_demo_panel_text_and_controls():
    panel = gradients.demo_panel()
    assert panel.text == str(gradients.tangent_at("sin", 1.0, 1e-2))
    assert set(panel.controls) == {"function", "x", "h"}
    assert list(panel.controls["function"].options) == list(gradients.FUNCTIONS)


def test_render_changes_the_figure_when_a_control_changes():
    panel = gradients.tangent_explorer("sin", 1.0, 0.5)
    tangent_before = _lines(panel)["tangent"].get_ydata().copy()
    curve_before = _lines(panel)["curve"].get_ydata().copy()
    panel.set(x=-1.0)
    assert not np.allclose(_lines(panel)["tangent"].get_ydata(), tangent_before)
    assert np.allclose(_lines(panel)["curve"].get_ydata(), curve_before)
    assert list(_lines(panel)["point"].get_xdata()) == [-1.0]
    panel.set(function="x^3")
    assert not np.allclose(_lines(panel)["curve"].get_ydata(), curve_before)
    assert panel.figure.axes[0].get_ylim()[1] > 27
    secant_before = _lines(panel)["secant"].get_ydata().copy()
    panel.set(h=0.01)
    assert not np.allclose(_lines(panel)["secant"].get_ydata(), secant_before)
    assert _lines(panel)["ends"].get_xdata() == pytest.approx([-1.01, -0.99])
    assert panel.text == str(gradients.tangent_at("x^3", -1.0, 0.01))
    assert len(panel.figure.axes) == 1


def test_notebook_panel_lines():
    panel = gradients.demo_panel()
    panel.set(function="softplus", x=-1.0, h=0.5)
    assert "difference 3.7e-03" in panel.text
    panel.set(h=1e-3)
    assert panel.text.endswith("difference 1.5e-08")


def test_draw_tangent_reuses_its_axes():
    fig = Figure()
    gradients.draw_tangent(fig, "tanh", 0.0, 0.1)
    gradients.draw_tangent(fig, "mlp", 1.0, 0.1)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 5


@pytest.mark.parametrize("kwargs, word", [
    ({"function": "cos"}, "name"),
    ({"x": 4.0}, "x"),
    ({"h": 2.0}, "h"),
    ({"h": 1e-9}, "h"),
])
def test_tangent_explorer_bad_inputs(kwargs, word):
    with pytest.raises(ValueError, match=word):
        gradients.tangent_explorer(**kwargs)


# ----------------------------------------------------------------------------- exercises

def test_question_set_has_the_required_kinds():
    questions = gradients.QUESTIONS
    assert len(questions) >= 5
    kinds = [type(q) for q in questions]
    assert ValueQuestion in kinds and ThoughtQuestion in kinds
    assert FunctionQuestion in kinds or CodeQuestion in kinds


@pytest.mark.parametrize("index", range(len(gradients.QUESTIONS)))
def test_every_solution_passes_its_own_check(index):
    q = gradients.QUESTIONS[index]
    if isinstance(q, ThoughtQuestion):
        assert q.evaluate("anything").status == "thought"
        return
    namespace = {}
    exec("import math, torch\nfrom torch import nn\nimport helpers\n" + q.solution_code, namespace)
    assert q.evaluate(namespace[q.answer_name]).correct


def _raises(*args):
    raise RuntimeError("boom")


GARBAGE = [None, "text", 0, torch.zeros(7, 7), _raises, lambda *args: torch.zeros(2)]


@pytest.mark.parametrize("index", range(len(gradients.QUESTIONS)))
@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_is_not_correct_and_does_not_raise(index, garbage):
    verdict = gradients.QUESTIONS[index].evaluate(garbage)
    assert not verdict.correct


def test_common_mistakes_get_a_specific_message():
    q1, q2, q3, q4, q5 = gradients.QUESTIONS[:5]
    x = torch.tensor([0.0, 1.0, 2.0])
    assert not q1.evaluate(x.exp()).correct  # forgot the product rule
    assert not q2.evaluate(torch.tensor([3.0, 12.0, 27.0])).correct  # 3x^2: detach ignored
    assert not q3.evaluate(lambda f, x: torch.autograd.functional.jacobian(f, x)).correct
    assert not q4.evaluate({"4.weight", "4.bias"}).correct  # thought the gradient stops

    def cut_with_no_grad(net):
        with torch.no_grad():
            net[2].requires_grad = True
        net[0].requires_grad_(False)
        net[2].requires_grad_(False)

    assert "only net[2]" in q5.evaluate(cut_with_no_grad).message

    def does_nothing(net):
        return net

    assert "still has requires_grad=True" in q5.evaluate(does_nothing).message

    def edits_values(net):
        with torch.no_grad():
            net[2].weight.zero_()
        net[2].requires_grad_(False)

    assert "values" in q5.evaluate(edits_values).message
    assert "return" in q5.evaluate(lambda net: 5).message
