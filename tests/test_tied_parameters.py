"""Tests for helpers.tying: the tied MLP, the gradient report behind the widget, and the exercises."""

import copy

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import exercises, tying

# ----------------------------------------------------------------------------- the tied MLP


def test_tied_mlp_shares_one_layer_and_untied_copy_has_the_same_values():
    net, untied = tying.tied_mlp(), tying.tied_mlp(tied=False)
    assert net[2] is net[4] and net[2].weight is net[4].weight
    assert untied[2] is not untied[4]
    assert untied[2].weight.data_ptr() != untied[4].weight.data_ptr()
    for position in tying.LAYERS:
        assert torch.equal(net[position].weight, untied[position].weight)
    X = tying.example_input()
    assert torch.equal(net(X), untied(X))


def test_tied_mlp_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    tying.tied_mlp(seed=7)
    assert torch.equal(torch.rand(3), expected)


def test_tied_mlp_depends_on_the_seed():
    assert not torch.equal(tying.tied_mlp(seed=0)[2].weight, tying.tied_mlp(seed=1)[2].weight)
    assert torch.equal(tying.example_input(3), tying.example_input(3))
    assert tying.example_input().shape == (16, 4)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"tied": "yes"}, TypeError, "tied"),
    ({"tied": 1}, TypeError, "tied"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.5}, ValueError, "seed"),
    ({"seed": True}, ValueError, "seed"),
])
def test_tied_mlp_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        tying.tied_mlp(**kwargs)


def test_example_input_rejects_a_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        tying.example_input("0")


# ----------------------------------------------------------------------------- counting


def test_count_parameters_counts_a_shared_layer_once_unless_asked():
    # The notebook prints these numbers: 121 tied, 193 untied and tied counted at every place.
    assert tying.count_parameters(tying.tied_mlp()) == 121
    assert tying.count_parameters(tying.tied_mlp(), remove_duplicate=False) == 193
    assert tying.count_parameters(tying.tied_mlp(tied=False)) == 193
    assert tying.count_parameters(tying.tied_mlp(tied=False), remove_duplicate=False) == 193


def test_count_parameters_rejects_bad_arguments():
    with pytest.raises(TypeError, match="model"):
        tying.count_parameters("net")
    with pytest.raises(TypeError, match="remove_duplicate"):
        tying.count_parameters(nn.Linear(2, 2), remove_duplicate="no")


# ----------------------------------------------------------------------------- gradient report


@pytest.mark.parametrize("layer", [2, 4])
def test_tied_gradient_is_the_sum_of_the_uses(layer):
    report = tying.gradient_report(tied=True, layer=layer)
    assert report.same_object and report.n_params == 121 and report.uses == (2, 4)
    assert torch.allclose(report.grad, report.parts[2] + report.parts[4], atol=1e-7)
    # Neither use alone explains the tied gradient.
    assert not torch.allclose(report.grad, report.parts[2], atol=1e-4)
    assert not torch.allclose(report.grad, report.parts[4], atol=1e-4)


@pytest.mark.parametrize("layer", [2, 4])
def test_untied_layer_keeps_only_its_own_gradient(layer):
    report = tying.gradient_report(tied=False, layer=layer)
    assert not report.same_object and report.n_params == 193 and report.uses == (layer,)
    assert sorted(report.parts) == [2, 4]
    assert torch.equal(report.grad, report.parts[layer])


def test_the_parts_are_the_untied_gradients():
    tied = tying.gradient_report(tied=True, layer=2)
    for layer in (2, 4):
        untied = tying.gradient_report(tied=False, layer=layer)
        assert torch.equal(tied.parts[layer], untied.grad)


def test_against_autograd_directly():
    net = tying.tied_mlp()
    copies = nn.Sequential(*[copy.deepcopy(m) for m in net])
    X = tying.example_input()
    net(X).sum().backward()
    copies(X).sum().backward()
    report = tying.gradient_report(tied=True, layer=2)
    assert torch.equal(report.grad, net[2].weight.grad)
    assert torch.allclose(net[2].weight.grad, copies[2].weight.grad + copies[4].weight.grad, atol=1e-7)


@pytest.mark.parametrize("layer", [0, 6])
def test_unshared_layers_have_one_use_and_the_same_gradient_tied_or_not(layer):
    tied, untied = (tying.gradient_report(tied=t, layer=layer) for t in (True, False))
    assert tied.uses == untied.uses == (layer,)
    assert list(tied.parts) == [layer]
    assert torch.allclose(tied.grad, untied.grad)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"layer": 1}, ValueError, "layer"),
    ({"layer": "2"}, ValueError, "layer"),
    ({"layer": True}, ValueError, "layer"),
    ({"tied": None}, TypeError, "tied"),
    ({"seed": -5}, ValueError, "seed"),
])
def test_gradient_report_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        tying.gradient_report(**kwargs)


def test_format_report_gives_the_numbers_the_notebook_prints():
    report = tying.gradient_report(tied=True, layer=4)
    text = tying.format_report(report)
    assert text.startswith("tied: net[2] is net[4] -> True; 121 parameters;")
    assert "net[4].weight.grad = use at net[2] + use at net[4]" in text
    assert text.endswith(f"max |grad| {report.grad.abs().max().item():.4f}")
    with pytest.raises(TypeError, match="report"):
        tying.format_report({"tied": True})


# ----------------------------------------------------------------------------- drawing and the widget


def _image_data(fig):
    return [np.asarray(ax.images[0].get_array()).copy() for ax in fig.axes[:3]]


def test_draw_gradients_shows_the_report_and_changes_with_the_controls():
    fig = Figure()
    tying.draw_gradients(fig, True, 2)
    report = tying.gradient_report(tied=True, layer=2)
    first, second, total = _image_data(fig)
    assert np.allclose(first, report.parts[2].numpy())
    assert np.allclose(second, report.parts[4].numpy())
    assert np.allclose(total, report.grad.numpy())
    axes = fig.axes

    tying.draw_gradients(fig, False, 2)
    assert fig.axes == axes  # updated in place, not rebuilt
    untied_total = _image_data(fig)[2]
    assert not np.allclose(untied_total, total)
    assert np.allclose(untied_total, report.parts[2].numpy())
    assert fig.axes[1].images[0].get_alpha() < 1  # the other layer's gradient is faded
    assert "not added" in fig.axes[1].get_title()


def test_draw_gradients_for_a_layer_used_once():
    fig = Figure()
    text = tying.draw_gradients(fig, True, 0)
    assert text.startswith("tied") and "net[0].weight.grad = use at net[0];" in text
    assert not fig.axes[1].get_visible()
    assert _image_data(fig)[2].shape == (8, 4)
    assert any(text.get_text().startswith("net[0].weight: 8 x 4") for text in fig.texts)
    tying.draw_gradients(fig, True, 6)
    assert _image_data(fig)[2].shape == (1, 8)
    assert fig.axes[0].get_xlim() == (-0.5, 7.5)


def test_draw_gradients_rejects_bad_arguments():
    with pytest.raises(TypeError, match="fig"):
        tying.draw_gradients(None, True, 2)
    with pytest.raises(ValueError, match="layer"):
        tying.draw_gradients(Figure(), True, 3)


def test_demo_panel_controls_change_text_and_image():
    panel = tying.demo_panel()
    assert sorted(panel.controls) == ["layer", "tied"]
    assert panel.controls["layer"].value == 2 and panel.controls["tied"].value is True
    tied_text, tied_png = panel.text, panel.image.value
    panel.set(tied=False)
    assert panel.text.startswith("untied: net[2] is net[4] -> False; 193 parameters")
    assert panel.image.value != tied_png
    panel.controls["tied"].value = True  # as a click would
    assert panel.text == tied_text
    panel.set(layer=6)
    assert "net[6].weight.grad = use at net[6];" in panel.text


# ----------------------------------------------------------------------------- exercises


def _solution_namespace(question):
    ns = {}
    exec("import math, torch\nfrom torch import nn\nimport helpers", ns)
    exec(question.solution_code, ns)
    return ns


def test_questions_cover_the_required_kinds():
    kinds = [q.kind for q in tying.QUESTIONS]
    assert len(kinds) >= 4
    assert "value" in kinds and "thought" in kinds
    assert {"function", "code"} <= set(kinds)
    assert exercises.load("03_tied_parameters").q1.label == "ex.q1"


@pytest.mark.parametrize("question", [q for q in tying.QUESTIONS if q.kind != "thought"],
                         ids=lambda q: q.answer_name)
def test_every_solution_passes_its_own_check(question):
    ns = _solution_namespace(question)
    assert question.evaluate(ns[question.answer_name]).correct


def _raises(*args):
    raise RuntimeError("boom")


GARBAGE = [None, "text", 0, torch.zeros(3, 3), _raises, nn.Linear(2, 2), [1, 2], float("nan")]


@pytest.mark.parametrize("question", [q for q in tying.QUESTIONS if q.kind != "thought"],
                         ids=lambda q: q.answer_name)
@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: exercises.describe(g)[:20])
def test_garbage_answers_are_judged_not_correct_without_raising(question, garbage):
    verdict = question.evaluate(garbage)
    assert not verdict.correct
    assert verdict.message.startswith("Not yet")


def _question(name):
    return next(q for q in tying.QUESTIONS if q.answer_name == name)


def test_count_question_rejects_the_untied_count():
    question = _question("n_params")
    assert question.evaluate(482).correct
    assert not question.evaluate(1026).correct  # the shared layer counted three times


def test_gradient_question_rejects_a_single_use():
    question = _question("grad")
    assert question.evaluate(12.0).correct
    assert question.evaluate(torch.tensor([[12.0]])).correct
    assert not question.evaluate(6.0).correct


def test_saved_by_tying_rejects_plain_counts():
    question = _question("saved_by_tying")
    verdict = question.evaluate(lambda model: sum(p.numel() for p in model.parameters()))
    assert not verdict.correct


def test_tie_layers_explains_a_copy_instead_of_a_tie():
    def copies(net, i, j):
        net[j] = copy.deepcopy(net[i])

    verdict = _question("tie_layers").evaluate(copies)
    assert not verdict.correct and "copying values is not tying" in verdict.message


def test_tie_layers_explains_the_wrong_direction():
    def backwards(net, i, j):
        net[i] = net[j]

    verdict = _question("tie_layers").evaluate(backwards)
    assert not verdict.correct and "not the other way round" in verdict.message


def test_tie_layers_catches_a_forgotten_bias_and_accepts_parameter_assignment():
    def weight_only(net, i, j):
        net[j].weight = net[i].weight

    def both(net, i, j):
        net[j].weight = net[i].weight
        net[j].bias = net[i].bias

    question = _question("tie_layers")
    verdict = question.evaluate(weight_only)
    assert not verdict.correct and "bias" in verdict.message
    assert question.evaluate(both).correct


def test_tie_layers_reports_a_function_that_raises():
    verdict = _question("tie_layers").evaluate(_raises)
    assert not verdict.correct and "RuntimeError" in verdict.message


def test_thought_question_offers_the_model_answer(capsys):
    question = tying.QUESTIONS[-1]
    assert question.kind == "thought"
    assert "sum" in question.solution_code and "twice" in question.solution_code
    question.check("my notes")
    assert "Thought question" in capsys.readouterr().out
