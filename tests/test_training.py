"""The training loop: per-sample and batched methods agree, partial batches are averaged by their
true size, runs are reproducible, the loss falls, the history is complete, clipping works, and a
diverging run is reported with its epoch and batch."""

import warnings

import numpy as np
import pytest

import bplib as bp


def regression_data(n=12, seed=0):
    """Y = X w + c + a little noise: a problem a one-layer linear network solves."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    return X, X @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.normal(size=(n, 1))


def classification_data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, np.eye(3)[rng.integers(3, size=n)]


CONFIGS = {
    "tanh/identity/mse": dict(architecture=[3, 4, 1], activations=["tanh", "identity"], loss="mse",
                              data=regression_data),
    "relu/softmax/cce": dict(architecture=[2, 5, 3], activations=["relu", "softmax"], loss="cce",
                             data=classification_data),
}


def run(config, **kwargs):
    config = dict(CONFIGS[config])
    X, Y = config.pop("data")()
    options = dict(learning_rate=0.1, n_epochs=3, batch_size=4, rng=0) | kwargs
    return bp.train(X, Y, config.pop("architecture"), options.pop("learning_rate"),
                    options.pop("n_epochs"), options.pop("batch_size"), **config, **options)


def assert_params_close(params1, params2, atol):
    for p, q in zip(params1[0] + params1[1], params2[0] + params2[1]):
        np.testing.assert_allclose(p, q, rtol=0, atol=atol)


# ---------------------------------------------------------------- per_sample vs batched
@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("batch_size", [1, 4, 5, 12, 50], ids=lambda k: f"batch_size={k}")
def test_per_sample_and_batched_training_give_the_same_parameters(config, batch_size):
    # 12 regression and 10 classification samples: most of these sizes leave a partial last batch
    W1, b1, h1 = run(config, batch_size=batch_size, method="per_sample")
    W2, b2, h2 = run(config, batch_size=batch_size, method="batched")
    assert_params_close((W1, b1), (W2, b2), atol=1e-10)
    np.testing.assert_allclose(h1.loss, h2.loss, rtol=1e-10)


def manual_step(X, Y, W, b, activations, loss, learning_rate):
    dW, db = bp.backprop_batch(X, Y, W, b, activations, loss)
    return ([w - learning_rate * g for w, g in zip(W, dW)],
            [v - learning_rate * g for v, g in zip(b, db)])


@pytest.mark.parametrize("method", ["batched", "per_sample"])
def test_a_batch_larger_than_the_data_is_averaged_by_its_true_size(method):
    X, Y = regression_data(n=5)
    W, b, _ = bp.train(X, Y, [3, 2, 1], 0.1, 1, 64, activations=["tanh", "identity"], loss="mse",
                       rng=3, method=method)
    W0, b0 = bp.init_params([3, 2, 1], "he", rng=3)
    expected = manual_step(X, Y, W0, b0, ["tanh", "identity"], "mse", 0.1)
    assert_params_close((W, b), expected, atol=1e-12)


@pytest.mark.parametrize("method", ["batched", "per_sample"])
def test_a_partial_last_batch_is_averaged_by_its_true_size(method):
    # Five copies of one sample in batches of 4: the batches hold 4 and 1 samples, but each one's
    # mean gradient is that sample's gradient, whatever the shuffle. Dividing by batch_size would
    # shrink the second step to a quarter.
    x, y = np.array([0.3, -0.7, 0.2]), np.array([0.9])
    X, Y = np.tile(x, (5, 1)), np.tile(y, (5, 1))
    W, b, _ = bp.train(X, Y, [3, 2, 1], 0.1, 1, 4, activations=["tanh", "identity"], loss="mse",
                       rng=3, method=method)
    params = bp.init_params([3, 2, 1], "he", rng=3)
    for _ in range(2):
        params = manual_step(X[:1], Y[:1], *params, ["tanh", "identity"], "mse", 0.1)
    assert_params_close((W, b), params, atol=1e-12)


# ---------------------------------------------------------------- reproducibility and history
def test_training_is_deterministic_by_seed():
    W1, b1, h1 = run("relu/softmax/cce", rng=4)
    W2, b2, h2 = run("relu/softmax/cce", rng=4)
    W3, b3, _ = run("relu/softmax/cce", rng=5)
    assert_params_close((W1, b1), (W2, b2), atol=0)
    assert h1.loss == h2.loss
    assert not np.allclose(W1[0], W3[0])


def test_a_seed_and_a_generator_seeded_alike_give_the_same_run():
    X, Y = regression_data()
    runs = [bp.train(X, Y, [3, 1], 0.1, 2, 3, activations="identity", loss="mse", rng=seed)[0][0]
            for seed in (9, np.random.default_rng(9))]
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("n_epochs", [0, 1, 4])
def test_history_has_one_entry_per_epoch_plus_the_untrained_network(n_epochs):
    _, _, history = run("tanh/identity/mse", n_epochs=n_epochs)
    assert len(history.loss) == n_epochs + 1
    assert history.epochs == list(range(n_epochs + 1))
    assert history.val_loss == [] and history.metric == [] and history.val_metric == []


def test_history_entry_0_is_the_loss_before_training_and_the_last_the_loss_after():
    X, Y = regression_data()
    W, b, history = bp.train(X, Y, [3, 4, 1], 0.1, 3, 4, activations=["tanh", "identity"],
                             loss="mse", rng=2)
    W0, b0 = bp.init_params([3, 4, 1], "he", rng=2)
    assert history.loss[0] == pytest.approx(
        bp.network_loss(X, Y, W0, b0, ["tanh", "identity"], "mse"), rel=1e-12)
    assert history.loss[-1] == pytest.approx(
        bp.network_loss(X, Y, W, b, ["tanh", "identity"], "mse"), rel=1e-12)


def test_n_epochs_0_returns_the_initial_parameters():
    X, Y = regression_data()
    W, b, _ = bp.train(X, Y, [3, 4, 1], 0.1, 0, 4, activations=["tanh", "identity"], loss="mse",
                       rng=2, init="xavier")
    assert_params_close((W, b), bp.init_params([3, 4, 1], "xavier", rng=2), atol=0)


def test_loss_falls_by_orders_of_magnitude_on_linear_regression():
    X, Y = regression_data(n=40)
    _, _, history = bp.train(X, Y, [3, 1], 0.2, 100, 8, activations="identity", loss="mse", rng=0)
    assert history.loss[-1] < history.loss[0] / 100
    assert history.loss[-1] < 1e-3


def test_loss_falls_on_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    W, b, history = bp.train(X, Y, [2, 8, 1], 1.0, 500, 4, activations=["tanh", "sigmoid"],
                             loss="bce", rng=0, init="xavier")
    assert history.loss[-1] < history.loss[0] / 10
    np.testing.assert_array_equal(bp.predict(X, W, b, ["tanh", "sigmoid"]) > 0.5, Y > 0.5)


def test_validation_loss_and_metric_are_recorded_every_epoch():
    X, Y = regression_data(n=12, seed=0)
    X_val, Y_val = regression_data(n=6, seed=1)

    def bias(Y_true, Y_hat):  # not symmetric, so the order of the arguments shows
        return float(np.mean(Y_hat - Y_true))

    W, b, history = bp.train(X, Y, [3, 1], 0.1, 5, 4, activations="identity", loss="mse", rng=0,
                             validation_data=(X_val, Y_val), metric=bias)
    for series in (history.loss, history.val_loss, history.metric, history.val_metric):
        assert len(series) == 6
    Y_hat_val = bp.predict(X_val, W, b, "identity")
    assert history.val_loss[-1] == pytest.approx(
        0.5 * np.mean(np.sum((Y_hat_val - Y_val) ** 2, axis=1)), rel=1e-12)
    assert history.val_metric[-1] == pytest.approx(bias(Y_val, Y_hat_val), rel=1e-12)
    assert history.metric[-1] == pytest.approx(bias(Y, bp.predict(X, W, b, "identity")), rel=1e-12)
    assert history.val_loss[0] != history.loss[0]


# ---------------------------------------------------------------- clipping
def gradients(rng, scale):
    """A gradient as train's loop holds it: one flat list, W's then b's."""
    shapes = [(3, 2), (1, 3), (3,), (1,)]
    return [scale * rng.normal(size=shape) for shape in shapes]


def global_norm(grads):
    return np.sqrt(sum(np.sum(g ** 2) for g in grads))


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e100])
def test_clipping_a_large_gradient_sets_its_norm_to_the_threshold(scale, rng):
    grads = gradients(rng, scale)
    threshold = 0.5 * global_norm(grads) / scale  # below the norm for every scale
    clipped = bp.clip_by_norm(grads, threshold)
    assert global_norm(clipped) == pytest.approx(threshold, rel=1e-12)


def test_clipping_a_huge_gradient_whose_squared_norm_overflows_still_keeps_its_norm():
    grads = [np.full((2, 2), 1e200), np.zeros(2)]  # ‖g‖ = 2e200 is finite, ‖g‖² is not
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clipped = bp.clip_by_norm(grads, 1.0)
    np.testing.assert_allclose(clipped[0], 0.5, rtol=1e-12)


def test_clipping_preserves_the_direction(rng):
    grads = gradients(rng, 10.0)
    clipped = bp.clip_by_norm(grads, 1.0)
    ratio = global_norm(clipped) / global_norm(grads)
    assert ratio < 1
    for g, c in zip(grads, clipped):
        np.testing.assert_allclose(c, ratio * g, rtol=1e-12)


def test_clipping_leaves_a_gradient_below_the_threshold_unchanged(rng):
    grads = gradients(rng, 1.0)
    clipped = bp.clip_by_norm(grads, global_norm(grads) * 1.01)
    for g, c in zip(grads, clipped):
        np.testing.assert_array_equal(c, g)


def test_clipping_names_a_bad_threshold(rng):
    with pytest.raises(ValueError, match="^max_norm: expected a finite number > 0"):
        bp.clip_by_norm(gradients(rng, 1.0), 0.0)


def test_clip_norm_in_train_changes_nothing_when_the_gradient_is_below_it():
    plain = run("tanh/identity/mse")
    assert_params_close(plain[:2], run("tanh/identity/mse", clip_norm=1e9)[:2], atol=0)


def test_clip_norm_in_train_clips_each_batch_gradient_above_it():
    X, Y = regression_data(n=6)
    W0, b0 = bp.init_params([3, 1], "he", rng=1)
    dW, db = bp.backprop_batch(X, Y, W0, b0, "identity", "mse")
    clip_norm = 0.25 * global_norm(dW + db)
    W, b, _ = bp.train(X, Y, [3, 1], 0.1, 1, 6, activations="identity", loss="mse", rng=1,
                       clip_norm=clip_norm)
    scale = clip_norm / global_norm(dW + db)
    np.testing.assert_allclose(W[0], W0[0] - 0.1 * scale * dW[0], rtol=1e-12)
    np.testing.assert_allclose(b[0], b0[0] - 0.1 * scale * db[0], rtol=1e-12)
    unclipped, _, _ = bp.train(X, Y, [3, 1], 0.1, 1, 6, activations="identity", loss="mse", rng=1)
    assert not np.allclose(W[0], unclipped[0])


# ---------------------------------------------------------------- divergence
@pytest.mark.parametrize("learning_rate, batch_size", [(1e10, 5), (1e10, 20), (1e3, 20), (1e6, 5)],
                         ids=lambda v: f"lr={v:g}" if v > 100 else f"batch_size={v}")
def test_a_diverging_run_raises_training_diverged_naming_epoch_and_batch(learning_rate, batch_size):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    with warnings.catch_warnings():
        # the overflow on the way must not escape as a RuntimeWarning
        warnings.simplefilter("error")
        with pytest.raises(bp.TrainingDiverged) as caught:
            bp.train(X, Y, [3, 4, 1], learning_rate, 200, batch_size,
                     activations=["relu", "identity"], loss="mse", rng=0)
    error = caught.value
    assert 1 <= error.epoch <= 200 and 1 <= error.batch <= -(-20 // batch_size)
    assert f"epoch {error.epoch}" in str(error) and f"batch {error.batch}" in str(error)


def test_training_diverged_is_a_floating_point_error():
    assert issubclass(bp.TrainingDiverged, FloatingPointError)


def test_a_diverging_run_keeps_the_history_of_its_finite_epochs():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    with pytest.raises(bp.TrainingDiverged) as caught:
        bp.train(X, Y, [3, 4, 1], 1e3, 200, 20, activations=["relu", "identity"], loss="mse", rng=0)
    history = caught.value.history
    assert len(history.loss) == caught.value.epoch  # epochs 0 .. epoch-1, all finite
    assert np.all(np.isfinite(history.loss))


def test_an_unknown_method_or_init_is_refused_before_any_work():
    X, Y = np.zeros((4, 2)), np.zeros((4, 1))
    with pytest.raises(ValueError, match="^init: .*'lecun'"):
        bp.train(X, Y, [2, 1], 0.1, 1, 2, activations="identity", loss="mse", init="lecun")
    with pytest.raises(ValueError, match="^method: .*'loop'"):
        bp.train(X, Y, [2, 1], 0.1, 1, 2, activations="identity", loss="mse", method="loop")
