"""Tests for helpers.weight_decay: the NumPy engine against autograd, and the widget."""

import io

import numpy as np
import pytest
import torch
from d2l import torch as d2l
from PIL import Image

from helpers import weight_decay as wd


@pytest.fixture(scope="module")
def data():
    """d2l's regression: 400 training rows (the first 20 are the notebook's) and 100 test rows."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        w = torch.ones((200, 1)) * 0.01
        return (*d2l.synthetic_data(w, 0.05, 400), *d2l.synthetic_data(w, 0.05, 100))


def autograd_sweep(X, y, X_test, y_test, lambdas, w0, orders, lr=0.003, batch_size=5):
    """The notebook's train_sweep: one column of weights per λ, d2l's squared loss and sgd."""
    W = w0.repeat(1, len(lambdas)).requires_grad_()
    b = torch.zeros(1, len(lambdas), requires_grad=True)
    history = []
    for order in orders:
        for batch in order.split(batch_size):
            loss = (X[batch] @ W + b - y[batch]) ** 2 / 2 + lambdas * (W ** 2).sum(0) / 2
            loss.sum().backward()
            d2l.sgd([W, b], lr, len(batch))
        with torch.no_grad():
            history.append(torch.stack([((A @ W + b - t) ** 2 / 2).mean(0) for A, t in ((X, y), (X_test, y_test))]))
    return W.detach(), b.detach().flatten(), torch.stack(history)


@pytest.mark.parametrize("n_train, batch_size", [(20, 5), (23, 5), (12, 4)])
def test_engine_is_the_autograd_loop(data, n_train, batch_size):
    X, y, X_test, y_test = data
    generator = torch.Generator().manual_seed(1)
    w0 = torch.randn(200, 1, generator=generator)
    orders = [torch.randperm(n_train, generator=generator) for _ in range(15)]
    lambdas = torch.tensor([0.0, 0.5, 3.0, 100.0])
    weights, bias, losses = wd.fit_linear(X[:n_train], y[:n_train], X_test, y_test, lambdas, w0, orders,
                                          batch_size=batch_size)
    W, b, history = autograd_sweep(X[:n_train], y[:n_train], X_test, y_test, lambdas, w0, orders,
                                   batch_size=batch_size)
    assert torch.allclose(weights, W, atol=1e-5)
    assert torch.allclose(bias, b, atol=1e-5)
    assert torch.allclose(losses, history, rtol=1e-3, atol=1e-6)


def test_columns_are_independent_runs(data):
    X, y, X_test, y_test = (t[:20] if i < 2 else t for i, t in enumerate(data))
    generator = torch.Generator().manual_seed(2)
    w0 = torch.randn(200, 1, generator=generator)
    orders = [torch.randperm(20, generator=generator) for _ in range(10)]
    both_weights, _, both_losses = wd.fit_linear(X, y, X_test, y_test, [0.0, 3.0], w0, orders)
    alone_weights, _, alone_losses = wd.fit_linear(X, y, X_test, y_test, [3.0], w0, orders)
    # equal up to float rounding: a matrix product with one column may sum in another order
    assert torch.allclose(both_weights[:, 1], alone_weights[:, 0], atol=1e-6)
    assert torch.allclose(both_losses[:, :, 1], alone_losses[:, :, 0], rtol=1e-4)


def numpy_loop(X, y, X_test, y_test, lambdas, w0, orders, lr=0.003, batch_size=5):
    """The engine as NumPy operators, one minibatch at a time (what fit_linear did before it called BLAS)."""
    Xa, Xt = (np.hstack([A.numpy(), np.ones((len(A), 1), np.float32)]) for A in (X, X_test))
    y, y_test = y.numpy(), y_test.numpy()
    theta, decay = np.zeros((Xa.shape[1], len(lambdas)), np.float32), np.ones((Xa.shape[1], len(lambdas)), np.float32)
    theta[:-1], decay[:-1] = w0.numpy(), 1 - lr * np.asarray(lambdas, np.float32)
    history = []
    for order in orders:
        X_epoch, y_epoch = Xa[order.numpy()], y[order.numpy()]
        for start in range(0, len(Xa), batch_size):
            X_B, y_B = X_epoch[start:start + batch_size], y_epoch[start:start + batch_size]
            residual = X_B @ theta - y_B
            theta *= decay
            theta -= (X_B * np.float32(lr / len(X_B))).T @ residual
        history.append([((A @ theta - t) ** 2 / 2).mean(0) for A, t in ((Xa, y), (Xt, y_test))])
    return torch.from_numpy(theta[:-1]), torch.from_numpy(theta[-1]), torch.tensor(np.array(history))


@pytest.mark.parametrize("n_train, lambdas", [(20, [3.0, 0.0]), (23, [316.0, 0.0]), (20, torch.logspace(-2, 2.5, 19))])
def test_engine_gives_the_bits_of_numpy_operators(data, n_train, lambdas):
    # The notebook's printed digits rest on this: the BLAS calls are made as NumPy's @ makes them.
    X, y, X_test, y_test = data
    generator = torch.Generator().manual_seed(3)
    w0 = torch.randn(200, 1, generator=generator)
    orders = [torch.randperm(n_train, generator=generator) for _ in range(12)]
    fit = wd.fit_linear(X[:n_train], y[:n_train], X_test, y_test, lambdas, w0, orders)
    expected = numpy_loop(X[:n_train], y[:n_train], X_test, y_test, lambdas, w0, orders)
    assert all(torch.equal(a, b) for a, b in zip(fit, expected))


@pytest.mark.parametrize("n_train, splits", [(200, [3, 1, 8]), (23, [5, 7]), (20, [0, 12])])
def test_a_run_that_goes_on_is_the_fit_in_one_go(data, n_train, splits):
    X, y, X_test, y_test = data
    generator = torch.Generator().manual_seed(4)
    w0 = torch.randn(200, 1, generator=generator)
    orders = [torch.randperm(n_train, generator=generator) for _ in range(12)]
    run, done = wd.Run(X[:n_train], y[:n_train], X_test, y_test, [10.0, 0.0], w0), 0
    for count in splits:
        run.extend(orders[done:done + count])
        done += count
    assert run.epochs == 12
    for epochs in (12, 5, 0):
        alone = wd.fit_linear(X[:n_train], y[:n_train], X_test, y_test, [10.0, 0.0], w0, orders[:epochs])
        assert all(torch.equal(a, b) for a, b in zip(run.fit(epochs), alone)), epochs
    weights, _, losses = run.fit(0)
    assert torch.equal(weights[:, 1], w0[:, 0]) and losses.shape == (0, 2, 2)


def test_a_fit_leaves_its_inputs_alone_and_repeats_exactly(data):
    # The engine updates its own arrays in place; NumPy views of the caller's tensors must stay untouched.
    inputs = [t[:20].clone() for t in data[:2]] + [t.clone() for t in data[2:]] + [torch.randn(200, 1)]
    before = [t.clone() for t in inputs]
    orders = [torch.randperm(20) for _ in range(5)]
    first, second = (wd.fit_linear(*inputs[:4], [0.0, 3.0], inputs[4], orders) for _ in range(2))
    assert all(torch.equal(a, b) for a, b in zip(inputs, before))
    assert all(torch.equal(a, b) for a, b in zip(first, second))


def test_decay_shrinks_weights_by_a_factor_and_never_touches_the_bias():
    # Zero inputs: the data gradient of w vanishes, so only the decay moves w; b fits y = 1.
    X, y = torch.zeros(10, 3), torch.ones(10, 1)
    weights, bias, _ = wd.fit_linear(X, y, X, y, [0.0, 2.0, 10.0], torch.ones(3, 1), [torch.arange(10)] * 4, lr=0.01)
    steps = 4 * 2
    assert torch.allclose(weights, torch.tensor([1.0, 0.98, 0.9]).pow(steps).expand(3, 3))
    assert torch.allclose(bias, bias[0].expand(3)) and 0 < bias[0] < 1


def test_a_fit_over_the_budget_is_refused_before_it_starts():
    X = torch.zeros(1000, 1000)
    with pytest.raises(ValueError, match="multiply-adds"):  # large matrices
        wd.fit_linear(X, torch.zeros(1000, 1), X, torch.zeros(1000, 1), [0.0] * 10, torch.zeros(1000, 1),
                      [torch.arange(1000)] * 100)
    X = torch.zeros(100_000, 1)
    with pytest.raises(ValueError, match="steps"):  # few flops, but millions of Python-level steps
        wd.fit_linear(X, torch.zeros(100_000, 1), X[:10], torch.zeros(10, 1), [0.0], torch.zeros(1, 1),
                      [torch.arange(100_000)] * 100)


def test_the_widgets_largest_setting_is_within_the_budget(data):
    X, y, X_test, y_test = data
    orders = [torch.randperm(200) for _ in range(200)]
    _, _, losses = wd.fit_linear(X[:200], y[:200], X_test, y_test, [316.0, 0.0], torch.randn(200, 1), orders)
    assert torch.isfinite(losses).all()


@pytest.fixture(scope="module")
def panel(data):
    return wd.DecayPanel(data)


def test_panel_text_is_the_engine_on_the_first_n_train_examples(panel, data):
    panel.set(lambd=10.0, epochs=30, n_train=50, start="N(0, 0.01²)")
    X, y, X_test, y_test = data
    generator = torch.Generator().manual_seed(wd.SEED)
    w0 = torch.randn(200, 1, generator=generator) * 0.01
    orders = [torch.randperm(50, generator=generator) for _ in range(30)]
    weights, _, losses = wd.fit_linear(X[:50], y[:50], X_test, y_test, [10.0, 0.0], w0, orders)
    assert f"train {losses[-1, 0, 0]:.4f}, test {losses[-1, 1, 0]:.4f}" in panel.text
    assert f"‖w‖ = {weights[:, 0].norm():.3f}" in panel.text


def test_panel_keeps_a_few_runs_and_they_give_what_a_fresh_fit_gives(panel, data):
    X, y, X_test, y_test = data
    hits = panel.render.kept.cache_info().hits
    for epochs in (30, 120, 70, 120):  # shorter, then longer than the kept run
        panel.set(lambd=0.1, epochs=epochs, n_train=40, start="N(0, 1)")
        generator = torch.Generator().manual_seed(wd.SEED)
        w0 = torch.randn(200, 1, generator=generator)
        orders = [torch.randperm(40, generator=generator) for _ in range(epochs)]
        _, _, losses = wd.fit_linear(X[:40], y[:40], X_test, y_test, [0.1, 0.0], w0, orders)
        assert f"train {losses[-1, 0, 0]:.4f}, test {losses[-1, 1, 0]:.4f}" in panel.text
        assert torch.equal(torch.from_numpy(panel.render.artists[1].get_ydata()), losses[:, 1, 0])
    assert panel.render.kept.cache_info().hits >= hits + 3  # the run of the first setting went on three times
    for n_train in range(50, 200, 20):
        panel.set(n_train=n_train)
    assert panel.render.kept.cache_info().currsize == wd.RUNS


def test_panel_is_deterministic_and_each_control_changes_the_picture(panel, monkeypatch):
    static_draws = []
    draw_static = panel.render.backdrop.draw_static
    monkeypatch.setattr(panel.render.backdrop, "draw_static",
                        lambda fig, key: static_draws.append(key) or draw_static(fig, key))
    panel.set(lambd=3.0, epochs=100, n_train=20, start="N(0, 1)")
    first_text, first_image = panel.text, panel.image.value
    changed = {"lambd": 0.1, "epochs": 50, "n_train": 100, "start": "N(0, 0.01²)"}
    for name, value in changed.items():
        panel.set(**{name: value})
        assert panel.text != first_text and panel.image.value != first_image, name
        panel.set(lambd=3.0, epochs=100, n_train=20, start="N(0, 1)")
        assert panel.text == first_text, f"after {name}: {panel.text} != {first_text}"
        assert panel.image.value == first_image, f"same text, another image after {name}"
    assert Image.open(io.BytesIO(panel.image.value)).size == (774, 288)
    assert static_draws == []  # axes, ticks and legend were drawn when the panel was made, never again


@pytest.mark.parametrize("name, value", [("lambd", float("nan")), ("lambd", float("inf")), ("lambd", 0.0),
                                         ("lambd", "3"), ("epochs", 25.5), ("epochs", 10**6), ("n_train", 0),
                                         ("n_train", True), ("start", "N(0, 2)"), ("start", ["N(0, 1)"])])
def test_panel_set_refuses_bad_values_in_one_sentence(panel, name, value):
    before = panel.values
    with pytest.raises(ValueError, match=f"^{name} must be .+, got ") as error:
        panel.set(**{name: value})
    assert ". " not in str(error.value) and panel.values == before


def test_panel_needs_two_hundred_training_examples(data):
    with pytest.raises(ValueError, match="at least 200"):
        wd.DecayPanel((data[0][:100], data[1][:100], data[2], data[3]))


def test_histogram_counts_every_weight_even_outside_its_bins(panel):
    panel.set(lambd=316.0, epochs=200, n_train=200, start="N(0, 0.01²)")  # the smallest weights
    assert panel.render.artists[3].get_data().values.sum() == 200
    panel.set(lambd=0.01, epochs=10, n_train=10, start="N(0, 1)")  # the largest
    assert panel.render.artists[3].get_data().values.sum() == 200
    assert np.isfinite(panel.render.artists[0].get_ydata()).all()


def test_exercises_accept_float64_and_refuse_an_in_place_l1_step():
    from helpers import exercises

    ex = exercises.load("05_weight_decay")
    assert ex.q2.evaluate(torch.tensor([-2.45, -5.1], dtype=torch.float64)).status == exercises.CORRECT

    def l1_step_in_place(w, grad, lr, lambd):
        w -= lr * (grad + lambd * torch.sign(w))
        return w

    verdict = ex.q3.evaluate(l1_step_in_place)
    assert verdict.status == exercises.INCORRECT and "not to change it" in verdict.message
