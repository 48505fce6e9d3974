"""Unit tests for helpers.autograd, the engine of chapter 6's tangent widget."""

import importlib.util
import math
import re

import numpy as np
import pytest
import torch

from helpers import autograd

CALCULUS = {
    "sin": math.cos,
    "x^3": lambda x: 3 * x * x,
    "tanh": lambda x: 1 - math.tanh(x) ** 2,
    "softplus": lambda x: 1 / (1 + math.exp(-x)),
}


@pytest.fixture(scope="module")
def panel():
    return autograd.TangentExplorer()


def lines(panel):
    return dict(zip(("tangent", "secant", "point", "ends"), panel.lines))


@pytest.mark.parametrize("name", sorted(CALCULUS))
@pytest.mark.parametrize("x", [-2.5, -0.3, 0.0, 1.0, 2.9])
def test_autograd_slope_is_the_calculus_derivative(name, x):
    value, slope, _, _ = autograd.slopes(name, x, 1e-3)
    assert slope == pytest.approx(CALCULUS[name](x), abs=1e-12)
    assert value == pytest.approx(autograd.FUNCTIONS[name](torch.tensor(x, dtype=torch.float64)).item())


def test_central_difference_of_the_cube_is_off_by_exactly_h_squared():
    for h in (0.5, 0.1, 0.01):
        _, _, left, right = autograd.slopes("x^3", 1.0, h)
        assert (right - left) / (2 * h) - 3.0 == pytest.approx(h * h, rel=1e-6)


@pytest.mark.parametrize("x", [-2.0, 0.0, 0.5, 2.0])
def test_the_mlp_slope_matches_a_small_central_difference(x):
    _, slope, left, right = autograd.slopes("mlp", x, 1e-5)
    assert (right - left) / 2e-5 == pytest.approx(slope, abs=1e-8)


def test_importing_the_module_leaves_the_random_stream_alone_and_fixes_the_mlp():
    # The notebook imports helpers.autograd after setup() has seeded it, so the import must not
    # shift the numbers printed below it; and the MLP must not depend on that seed.
    spec = importlib.util.spec_from_file_location("fresh_autograd", autograd.__file__)
    fresh = importlib.util.module_from_spec(spec)
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    spec.loader.exec_module(fresh)
    assert torch.equal(torch.rand(1), expected)
    points = torch.linspace(-3, 3, 7, dtype=torch.float64)
    assert torch.equal(fresh.FUNCTIONS["mlp"](points), autograd.FUNCTIONS["mlp"](points))
    assert not any(p.requires_grad for p in fresh._MLP.parameters())


def test_a_change_of_x_or_h_moves_only_the_lines_and_keeps_the_picture(panel):
    panel.set(function="sin", x=1.0, h=0.5)
    picture = panel.backdrop.pixels
    tangent = lines(panel)["tangent"].get_ydata().copy()
    panel.set(x=-1.0)
    assert panel.backdrop.pixels is picture
    assert not np.allclose(lines(panel)["tangent"].get_ydata(), tangent)
    assert list(lines(panel)["point"].get_xdata()) == [-1.0]
    panel.set(h=0.01)
    assert lines(panel)["ends"].get_xdata() == pytest.approx([-1.01, -0.99])
    _, _, left, right = autograd.slopes("sin", -1.0, 0.01)
    assert list(lines(panel)["ends"].get_ydata()) == [left, right]
    assert panel.backdrop.pixels is picture


def test_a_change_of_function_swaps_the_picture_and_the_y_range(panel):
    panel.set(function="sin", x=1.0, h=0.1)
    picture, ylim = panel.backdrop.pixels, panel.ax.get_ylim()
    panel.set(function="x^3")
    assert panel.backdrop.pixels is not picture
    assert panel.ax.get_ylim()[1] > 27 > ylim[1]
    assert panel.text == ("x^3 at x = 1.00: f(x) = 1.0000, autograd f'(x) = 3.000000, "
                          "central difference (h = 1e-01) = 3.010000")
    assert len(panel.figure.axes) == 1 and len(panel.ax.lines) == 4


def test_the_picture_has_the_size_of_the_saved_figure(panel):
    width, height = panel.figure.get_size_inches() * panel.dpi
    assert panel.backdrop.pixels.shape == (round(height), round(width), 4)
    assert panel.image.value[:4] == b"\x89PNG"


def test_the_secant_goes_through_both_ends(panel):
    panel.set(function="tanh", x=0.5, h=0.25)
    xs, ys = lines(panel)["secant"].get_data()
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    _, _, left, right = autograd.slopes("tanh", 0.5, 0.25)
    assert ys[0] + slope * (0.25 - xs[0]) == pytest.approx(left)
    assert ys[0] + slope * (0.75 - xs[0]) == pytest.approx(right)


@pytest.mark.parametrize("values, sentence", [
    ({"function": "cos"}, "function must be one of ['sin', 'x^3', 'tanh', 'softplus', 'mlp'], got 'cos'"),
    ({"function": ["sin"]}, "function must be one of"),
    ({"x": float("nan")}, "x must be a number from -3 to 3, got nan"),
    ({"x": float("inf")}, "x must be a number from -3 to 3, got inf"),
    ({"x": 4.0}, "x must be a number from -3 to 3, got 4.0"),
    ({"x": "1"}, "x must be a number from -3 to 3, got '1'"),
    ({"h": 0.0}, "h must be a number from 1e-06 to 1, got 0.0"),
    ({"h": True}, "h must be a number from 1e-06 to 1, got True"),
])
def test_bad_values_get_one_sentence_and_change_nothing(panel, values, sentence):
    panel.set(function="sin", x=1.0, h=0.01)
    before_values, before_text = panel.values, panel.text
    with pytest.raises(ValueError, match="^" + re.escape(sentence)):
        panel.set(**values)
    assert panel.values == before_values and panel.text == before_text
    with pytest.raises(ValueError, match="^" + re.escape(sentence)):  # the same sentence when it is made
        autograd.TangentExplorer(**{"function": "sin", "x": 1.0, "h": 0.01, **values})


def test_every_value_the_controls_offer_draws_finite_numbers(panel):
    for function in autograd.FUNCTIONS:
        for x in (-3.0, 3.0):
            for h in (1e-6, 1.0):
                panel.set(function=function, x=x, h=h)
                assert "nan" not in panel.text and "inf" not in panel.text


# ----------------------------------------------------------------------------- the exercises' spec


def test_the_value_questions_take_a_float64_gradient_too():
    from helpers import exercises

    ex = exercises.load("06_autograd")
    x = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    assert ex.q1.evaluate((1 + x) * torch.exp(x)).status == exercises.CORRECT
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert ex.q2.evaluate(x * x + 2 * x).status == exercises.CORRECT


def test_an_answer_that_switches_the_default_dtype_breaks_no_later_check():
    from helpers import exercises

    ex = exercises.load("06_autograd")
    header = "def second_derivative(f, x):\n"
    solution = ex.q3.solution_code.replace(header, header + "    torch.set_default_dtype(torch.float64)\n")
    assert "set_default_dtype" in solution
    assert ex.q3.evaluate(exercises.run_source(solution)["second_derivative"]).status == exercises.CORRECT
    assert torch.get_default_dtype() == torch.float32
    reference = exercises.run_source(ex.q3.solution_code)["second_derivative"]
    assert ex.q3.evaluate(reference).status == exercises.CORRECT
    with_grad = exercises.run_source(ex.q4.solution_code)["with_grad"]
    assert ex.q4.evaluate(with_grad).status == exercises.CORRECT
