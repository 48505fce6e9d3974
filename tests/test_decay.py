import math

import numpy as np
import pytest
import torch
from d2l import torch as d2l
from torch import nn

from helpers import decay
from helpers.exercises import CORRECT, INCORRECT


@pytest.fixture(scope="module")
def data():
    return decay.make_data()


@pytest.fixture(scope="module")
def sweep(data):
    X, y, X_test, y_test = data
    return decay.fit_linear(X, y, decay.SWEEP, X_test=X_test, y_test=y_test)


def reference_fit(X, y, lambd, penalty, epochs, lr=0.003, batch_size=5, seed=0):
    """d2l's from-scratch loop with autograd, fed the same initial weights and batch order."""
    generator = torch.Generator().manual_seed(decay._INIT_SEED_OFFSET + seed)
    w = torch.normal(0.0, 1.0, (X.shape[1], 1), generator=generator).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    for _ in range(epochs):
        order = torch.randperm(X.shape[0], generator=generator)
        for Xb, yb in zip(X[order].split(batch_size), y[order].split(batch_size)):
            loss = d2l.squared_loss(d2l.linreg(Xb, w, b), yb)
            if penalty == "l2":
                loss = loss + lambd * decay.l2_penalty(w)
            else:
                loss = loss + lambd * decay.l1_penalty(w)
            loss.sum().backward()
            d2l.sgd([w, b], lr, len(yb))
    return w.detach().flatten(), b.detach()


# ----------------------------------------------------------------------------- data, penalties

def test_make_data_is_d2l_draw_after_seed_zero_and_keeps_global_state(data):
    state = torch.get_rng_state()
    torch.manual_seed(0)
    w = torch.ones((200, 1)) * 0.01
    expected = (*d2l.synthetic_data(w, 0.05, 20), *d2l.synthetic_data(w, 0.05, 100))
    torch.set_rng_state(state)
    for got, want in zip(data, expected):
        assert torch.equal(got, want)
    before = torch.get_rng_state()
    decay.make_data(50)
    assert torch.equal(torch.get_rng_state(), before)


def test_make_data_nests_training_sets_and_keeps_the_test_set(data):
    X, y, X_test, y_test = decay.make_data(200)
    assert X.shape == (200, 200) and y.shape == (200, 1)
    assert torch.equal(X[:20], data[0]) and torch.equal(y[:20], data[1])
    assert torch.equal(X_test, data[2])
    assert torch.equal(decay.make_data(10)[0], data[0][:10])


def test_penalties_and_l1_step():
    w = torch.tensor([3.0, -4.0, 1.0, 0.0])
    assert decay.l2_penalty(w).item() == 13.0
    assert decay.l1_penalty(w).item() == 8.0
    grad = torch.tensor([0.5, 0.5, -1.0, 2.0])
    step = decay.l1_step(w, grad, lr=0.1, lambd=2.0)
    assert torch.allclose(step, w - 0.1 * (grad + 2.0 * torch.sign(w)))
    assert w.tolist() == [3.0, -4.0, 1.0, 0.0]  # not changed in place
    assert decay.count_near_zero(torch.tensor([0.0, 0.009, -0.011, 2.0])) == 2


# ----------------------------------------------------------------------------- trainer

@pytest.mark.parametrize("penalty, lambd", [("l2", 0.0), ("l2", 3.0), ("l1", 1.0)])
def test_fit_linear_is_d2l_sgd_with_the_penalty(data, penalty, lambd):
    X, y, _, _ = data
    fit = decay.fit_linear(X, y, [lambd], penalty=penalty, epochs=10)
    w, b = reference_fit(X, y, lambd, penalty, epochs=10)
    assert torch.allclose(fit.weights[:, 0], w, atol=1e-4)
    assert torch.allclose(fit.bias, b, atol=1e-4)


def test_soft_threshold_sets_exact_zeros_and_matches_sign_rule_elsewhere(data):
    X, y, _, _ = data
    fits = {p: decay.fit_linear(X, y, [1.0], penalty=p) for p in ("l2", "l1", "l1_prox")}
    l2, l1, prox = (fits[p].weights[:, 0] for p in ("l2", "l1", "l1_prox"))
    assert int((l2 == 0).sum()) == 0 and int((l1 == 0).sum()) == 0
    assert int((prox == 0).sum()) > 100
    assert decay.count_near_zero(l1) > 10 * decay.count_near_zero(l2)
    assert (l1.abs() < 0.01).sum() == (prox.abs() < 0.01).sum()


def test_columns_are_independent_runs(data):
    X, y, X_test, y_test = data
    both = decay.fit_linear(X, y, [0.0, 3.0], X_test=X_test, y_test=y_test, epochs=20)
    alone = decay.fit_linear(X, y, [3.0], X_test=X_test, y_test=y_test, epochs=20)
    assert torch.allclose(both.weights[:, 1], alone.weights[:, 0])
    assert torch.allclose(both.test_loss[:, 1], alone.test_loss[:, 0])


def test_losses_are_mean_squared_loss_of_the_final_weights(data):
    X, y, X_test, y_test = data
    fit = decay.fit_linear(X, y, [3.0], X_test=X_test, y_test=y_test, epochs=5)
    w, b = fit.weights, fit.bias
    assert math.isclose(fit.final()["train"][0], d2l.squared_loss(X @ w + b, y).mean().item(), rel_tol=1e-4)
    assert math.isclose(fit.final()["test"][0], d2l.squared_loss(X_test @ w + b, y_test).mean().item(), rel_tol=1e-4)
    assert decay.fit_linear(X, y, [1.0], epochs=2).test_loss is None


def test_decay_shrinks_weights_and_closes_the_gap(data):
    X, y, X_test, y_test = data
    fit = decay.fit_linear(X, y, [0.0, 3.0], X_test=X_test, y_test=y_test)
    norms = fit.weight_norms()
    final = fit.final()
    assert norms[0] > 10 and norms[1] < 0.5
    assert final["test"][0] > 50 and final["test"][1] < 0.1
    assert final["train"][1] > final["train"][0]
    assert final["test"][1] - final["train"][1] < 0.001 * (final["test"][0] - final["train"][0])


def test_bias_is_not_penalized(data):
    X, y, _, _ = data
    fit = decay.fit_linear(X, y, [300.0], epochs=100)
    assert fit.weight_norms()[0] < 0.01
    assert abs(fit.bias.item() - y.mean().item()) < 0.02


def test_sweep_has_an_interior_minimum_and_rising_train_loss(sweep):
    final = sweep.final()
    best = int(np.argmin(final["test"]))
    assert 0 < best < len(final["test"]) - 1
    assert math.isclose(decay.SWEEP[best].item(), 17.78, rel_tol=1e-3)
    assert final["train"][-1] > 100 * final["train"][0]
    assert final["test"][0] > 1000 * final["test"][best]


def test_k_fold_splits_cover_every_example_once():
    splits = decay.k_fold_splits(22, 5)
    validated = torch.cat([val for _, val in splits])
    assert sorted(validated.tolist()) == list(range(22))
    for train, val in splits:
        assert set(train.tolist()).isdisjoint(val.tolist())
        assert len(train) + len(val) == 22
    assert [len(val) for _, val in splits] == [5, 5, 4, 4, 4]


def test_cross_validate_averages_fold_trainings(data):
    X, y, _, _ = data
    cv = decay.cross_validate(X, y, [1.0, 10.0], k=4, epochs=10)
    train, val = decay.k_fold_splits(20, 4)[2]
    fold = decay.fit_linear(X[train], y[train], [1.0, 10.0], X_test=X[val], y_test=y[val], epochs=10)
    assert torch.allclose(cv[2], fold.test_loss[-1])


def test_validation_choices_are_close_to_the_test_optimum(data, sweep):
    X, y, _, _ = data
    cv = decay.cross_validate(X, y, decay.SWEEP, k=5).mean(0)
    chosen = int(cv.argmin())
    assert math.isclose(decay.SWEEP[chosen].item(), 10.0, rel_tol=1e-3)
    test = sweep.final()["test"]
    assert test[chosen] < 1.05 * min(test)
    holdout = decay.fit_linear(X[:15], y[:15], decay.SWEEP, X_test=X[15:], y_test=y[15:]).test_loss[-1]
    assert int(holdout.argmin()) == int(np.argmin(test))


def test_train_concise_reproduces_under_a_seed_and_decays_only_the_weight():
    X, y, X_test, y_test = decay.make_data()
    train_iter, test_iter = d2l.load_array((X, y), 5), d2l.load_array((X_test, y_test), 5, is_train=False)
    runs = []
    for wd in (3, 3, 0):
        torch.manual_seed(3)
        runs.append(decay.train_concise(wd, train_iter, test_iter, num_epochs=20))
    assert runs[0][1] == runs[1][1]
    assert runs[0][1]["epoch"] == [5, 10, 15, 20]
    assert runs[0][0][0].weight.norm() < runs[2][0][0].weight.norm()


def test_decay_step_shows_coupled_versus_decoupled_decay():
    sgd = decay.decay_step("SGD", [1.0, 100.0])
    adam = decay.decay_step("Adam", [1.0, 100.0])
    adamw = decay.decay_step("AdamW", [1.0, 100.0])
    assert torch.allclose(sgd, torch.tensor([0.99, 99.0]))
    assert torch.allclose(adamw, sgd)
    assert torch.allclose(adam, torch.tensor([0.9, 99.9]))
    assert torch.allclose(decay.decay_step("AdamW", [2.0], steps=10), 2.0 * torch.tensor([0.99]) ** 10)


def test_dropout_lowers_the_mlp_test_loss_and_keeps_global_state():
    before = torch.get_rng_state()
    plain, dropped = decay.train_mlp(0.0), decay.train_mlp(0.5)
    assert torch.equal(torch.get_rng_state(), before)
    assert plain["train"] < 0.001 and plain["test"] > 10 * dropped["test"]
    assert decay.train_mlp(0.5) == dropped


# ----------------------------------------------------------------------------- figures and widget

def test_plot_functions_return_what_they_draw():
    fig, data = decay.plot_concise({"a": {"epoch": [5, 10], "train": [1.0, 0.5], "test": [2.0, 3.0]}})
    assert fig.axes[0].lines[1].get_ydata().tolist() == [2.0, 3.0]
    fig, data = decay.plot_sweep([0.1, 1.0, 10.0], {"test": [3.0, 1.0, 2.0], "val": [1.0, 2.0, 3.0]},
                                 mark_min=["test", "val"])
    assert float(data["argmin test"]) == 1.0 and float(data["argmin val"]) == pytest.approx(0.1)
    assert fig.axes[0].get_xscale() == "log"
    fig, counts = decay.plot_weight_histograms({"a": torch.zeros(5), "b": torch.ones(3)}, bins=4)
    assert counts["a"].sum() == 5 and counts["b"].sum() == 3


def test_widget_run_compares_lambda_with_no_decay():
    fit = decay.widget_run(17.78, epochs=100, n_train=20)
    assert fit.lambdas.tolist() == pytest.approx([17.78, 0.0])
    assert fit.final()["test"][0] < 0.01 < 50 < fit.final()["test"][1]


def test_panel_redraws_when_a_control_changes():
    panel = decay.demo_panel()
    assert panel.values == {"lambd": 3.0, "epochs": 100, "n_train": 20}
    curves, hist = panel.figure.axes
    test_line = curves.lines[1].get_ydata().copy()
    heights = hist.patches[0].get_data().values.copy()
    image = panel.image.value
    panel.controls["lambd"].value = 0.01
    assert panel.text.startswith("λ = 0.01, 100 epochs, n_train = 20")
    assert not np.allclose(curves.lines[1].get_ydata(), test_line)
    assert not np.array_equal(hist.patches[0].get_data().values, heights)
    assert panel.image.value != image
    panel.set(epochs=30, n_train=100)
    assert len(curves.lines[0].get_xdata()) == 30
    assert "n_train = 100" in panel.text


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, error, name", [
    (lambda X, y: decay.make_data(n_train=0), ValueError, "n_train"),
    (lambda X, y: decay.l2_penalty([1.0]), TypeError, "w"),
    (lambda X, y: decay.l1_step(torch.ones(2), torch.ones(3), 0.1, 1.0), ValueError, "grad"),
    (lambda X, y: decay.l1_step(torch.ones(2), torch.ones(2), -0.1, 1.0), ValueError, "lr"),
    (lambda X, y: decay.count_near_zero(torch.ones(2), tol=0), ValueError, "tol"),
    (lambda X, y: decay.fit_linear(X.numpy(), y, [1.0]), TypeError, "X"),
    (lambda X, y: decay.fit_linear(X, y[:5], [1.0]), ValueError, "y"),
    (lambda X, y: decay.fit_linear(X, y, [-1.0]), ValueError, "lambdas"),
    (lambda X, y: decay.fit_linear(X, y, "big"), TypeError, "lambdas"),
    (lambda X, y: decay.fit_linear(X, y, [1.0], penalty="l3"), ValueError, "penalty"),
    (lambda X, y: decay.fit_linear(X, y, [1.0], epochs=0), ValueError, "epochs"),
    (lambda X, y: decay.fit_linear(X, y, [400.0]), ValueError, "lambdas"),
    (lambda X, y: decay.fit_linear(X, y, [1.0], X_test=X), ValueError, "X_test"),
    (lambda X, y: decay.fit_linear(X, y, [1.0], X_test=X[:, :5], y_test=y), ValueError, "X_test"),
    (lambda X, y: decay.k_fold_splits(20, 1), ValueError, "k"),
    (lambda X, y: decay.cross_validate(X, y, [1.0], X_test=X), ValueError, "fit_kwargs"),
    (lambda X, y: decay.train_concise(-1, None, None), ValueError, "wd"),
    (lambda X, y: decay.decay_step("RMSprop", [1.0]), ValueError, "optimizer"),
    (lambda X, y: decay.decay_step("SGD", "abc"), TypeError, "values"),
    (lambda X, y: decay.train_mlp(1.0), ValueError, "dropout"),
    (lambda X, y: decay.plot_sweep([0.0, 1.0], {"a": [1.0, 2.0]}), ValueError, "lambdas"),
    (lambda X, y: decay.plot_sweep([1.0, 2.0], {"a": [1.0]}), ValueError, "curves"),
    (lambda X, y: decay.plot_sweep([1.0, 2.0], {"a": [1.0, 2.0]}, mark_min=["b"]), ValueError, "mark_min"),
    (lambda X, y: decay.plot_concise({"a": {"train": [1.0]}}), ValueError, "histories"),
    (lambda X, y: decay.plot_weight_histograms({"a": [1.0]}), TypeError, "weights"),
    (lambda X, y: decay.widget_run(1.0, n_train=500), ValueError, "n_train"),
    (lambda X, y: decay.weight_magnitudes([0.1]), TypeError, "w"),
    (lambda X, y: decay.decay_panel((X, y)), TypeError, "data"),
    (lambda X, y: decay.decay_panel((X, y, X, y)), ValueError, "data"),
])
def test_bad_input_names_the_argument(data, call, error, name):
    with pytest.raises(error, match=name):
        call(data[0], data[1])


# ----------------------------------------------------------------------------- exercises

PRELUDE = "import math\nimport torch\nfrom torch import nn\nimport helpers\n"


@pytest.mark.parametrize("index", range(len(decay.QUESTIONS)))
def test_solutions_pass_and_garbage_fails(index):
    question = decay.QUESTIONS[index]
    if question.kind == "thought":
        assert "validation" in question.solution_code
        return
    namespace = {}
    exec(PRELUDE + question.solution_code, namespace)
    assert question.evaluate(namespace[question.answer_name]).correct
    for garbage in (None, "text", 0, torch.zeros(3, 3, 3), lambda *args: 1 / 0):
        verdict = question.evaluate(garbage)
        assert verdict.status == INCORRECT, garbage


def test_validation_question_accepts_only_the_best_grid_value():
    question = decay.QUESTIONS[3]
    losses = decay.holdout_losses()
    best = decay.SWEEP[losses.argmin()].item()
    assert question.evaluate(best).status == CORRECT
    assert question.evaluate(torch.tensor(best)).status == CORRECT
    neighbour = decay.SWEEP[losses.argmin() + 1].item()
    assert "not the smallest" in question.evaluate(neighbour).message
    assert "grid" in question.evaluate(best * 1.1).message
    assert question.evaluate(-1.0).status == INCORRECT


def test_adam_question_matches_the_helper():
    adam = decay.decay_step("Adam", [2.0]).item()
    adamw = decay.decay_step("AdamW", [2.0]).item()
    assert decay.QUESTIONS[4].evaluate((adam, adamw)).correct
    assert not decay.QUESTIONS[4].evaluate((adamw, adam)).correct


def test_panel_background_is_drawn_once():
    panel = decay.demo_panel()
    drawer = panel.render
    first = drawer.background.pixels
    panel.set(lambd=30.0, epochs=50, n_train=60)
    assert drawer.background.pixels is first
    width, height = panel.figure.get_size_inches() * panel.dpi
    assert first.shape == (round(height), round(width), 4)


def test_weight_magnitudes_counts_every_weight_on_log_bins():
    counts = decay.weight_magnitudes(torch.tensor([0.0, 1e-9, 0.011, -0.012, 3.0, 50.0]))
    assert counts.sum() == 6
    assert counts[0] == 2 and counts[-1] == 1  # 50 is clipped into the last bin, [6.8, 10]
    fit = decay.widget_run(17.78)
    assert decay.weight_magnitudes(fit.weights[:, 0]).sum() == 200
