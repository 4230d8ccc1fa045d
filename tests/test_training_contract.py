"""The training loop's contract, pinned through the public API only (issue 13).

γ and β take gradient steps; batch norm's running statistics follow the momentum formula exactly;
the callback sees the gradient the step applies, after clipping, on every path; batch norm keeps its
ε at inference; every epoch steps through a fresh permutation of the samples, the one the seed
determines.

They catch plausible bugs that the rest of the suite lets through. None reads a private name, so
they hold for any implementation of the same public behaviour: expected values are written out here
with init_params, init_deep, deep_forward, deep_backprop, backprop_batch and the formulas of the
chapters.
"""

import numpy as np
import pytest

import bplib as bp

SEED = 3                  # train's rng: the initial weights, then one permutation per epoch
N = 12                    # samples
MOMENTUM, EPS = bp.batchnorm.MOMENTUM, bp.batchnorm.EPS

# The networks, as train's keyword arguments. Every path of the loop: plain, deep residual-only,
# deep with BN.
PLAIN = dict(architecture=[3, 4, 2], activations=["tanh", "identity"])
RESIDUAL = dict(architecture=[3, 4, 4, 2], activations=["tanh", "tanh", "identity"],
                residual=[False, True, False])
BATCH_NORM = dict(architecture=[3, 4, 4, 2], activations=["tanh", "tanh", "identity"],
                  batch_norm=[True, True, False])
# BN, but not on the first layer: its z = X_batch W0ᵀ + b0 stays visible to layer_io, so the
# batch's rows can be recovered (with BN there, layer_io shows BN(z), normalised by the batch and by
# γ, β the callback lacks).
BATCH_NORM_FROM_LAYER_2 = dict(BATCH_NORM, batch_norm=[False, True, False])

# (network, extra train options) for each path of the training loop
PATHS = {
    "plain-batched": (PLAIN, dict(method="batched")),
    "plain-per_sample": (PLAIN, dict(method="per_sample")),
    "deep-residual": (RESIDUAL, {}),
    "deep-batch_norm": (BATCH_NORM, {}),
}
SHUFFLE_PATHS = {**{k: v for k, v in PATHS.items() if k != "deep-batch_norm"},
                 "deep-batch_norm-from-layer-2": (BATCH_NORM_FROM_LAYER_2, {})}


def data():
    """N distinct samples of a smooth two-output regression problem."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 3))
    return X, np.column_stack([np.sin(X[:, 0]) + X[:, 1], X[:, 1] * X[:, 2]])


def train(network, learning_rate=0.1, n_epochs=1, batch_size=N, **options):
    X, Y = data()
    network = dict(network)
    return bp.train(X, Y, network.pop("architecture"), learning_rate, n_epochs, batch_size,
                    loss="mse", rng=SEED, **network, **options)


def initial_net(network):
    """The network train starts from: W, b drawn by init_params from default_rng(SEED), as init_deep
    draws them from the same seed; γ = 1, β = 0, running mean 0 and variance 1 on the BN layers."""
    network = dict(network)
    return bp.init_deep(network.pop("architecture"), network.pop("activations"), rng=SEED,
                        **network)


def global_norm(arrays):
    return np.sqrt(sum(np.sum(g ** 2) for g in arrays))


def bn_layers(net):
    return [l for l in range(net.n_layers) if net.batch_norm[l]]


# ------------------------------------------------------- the starting point the tests below rely on
def test_a_run_of_no_epochs_returns_the_initial_network_built_here():
    # Anchors the expected values below: if this fails, so will they, for this reason.
    net0, net = initial_net(BATCH_NORM), train(BATCH_NORM, n_epochs=0)[2].net
    for name in ("W", "b", "gamma", "beta", "running_mean", "running_var"):
        for l in bn_layers(net0) if name not in ("W", "b") else range(net0.n_layers):
            np.testing.assert_array_equal(getattr(net, name)[l], getattr(net0, name)[l],
                                          err_msg=f"{name}[{l}]")


# ---------------------------------------------------------------- γ and β
def test_gamma_and_beta_take_a_gradient_step():
    # One epoch of one batch of all the samples: a single step, whatever the shuffle.
    X, Y = data()
    net0 = initial_net(BATCH_NORM)
    grads = bp.deep_backprop(X, Y, net0, "mse")
    net = train(BATCH_NORM, learning_rate=0.1)[2].net
    for l in bn_layers(net0):
        # a visible step
        assert np.abs(grads.dgamma[l]).min() > 1e-4 and np.abs(grads.dbeta[l]).min() > 1e-4
        # the batch's rows come in shuffled order, so the sums round differently: rounding-level
        # tolerance
        np.testing.assert_allclose(net.gamma[l], 1 - 0.1 * grads.dgamma[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(net.beta[l], 0 - 0.1 * grads.dbeta[l], rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- running statistics
def batch_statistics(net, X):
    """Per BN layer: the batch mean and the biased variance of its z, in the training-mode forward
    pass."""
    A, _ = bp.deep_forward(X, net, training=True)
    z = {l: A[l] @ net.W[l].T + net.b[l] for l in bn_layers(net)}
    return {l: (z[l].mean(axis=0), z[l].var(axis=0)) for l in z}


def test_running_statistics_after_one_step_follow_the_momentum_formula():
    X, _ = data()
    net0 = initial_net(BATCH_NORM)
    net = train(BATCH_NORM)[2].net                     # one step on the batch of all N samples
    for l, (mean, var) in batch_statistics(net0, X).items():
        # the stored variance is the unbiased one, m/(m − 1) · v, with m = N here
        np.testing.assert_allclose(net.running_mean[l], MOMENTUM * 0 + (1 - MOMENTUM) * mean,
                                   rtol=1e-12, atol=1e-15, err_msg=f"layer {l + 1}")
        np.testing.assert_allclose(net.running_var[l],
                                   MOMENTUM * 1 + (1 - MOMENTUM) * N / (N - 1) * var,
                                   rtol=1e-12, err_msg=f"layer {l + 1}")


def written_out_training(network, learning_rate, n_steps):
    """What train does with one batch of all N samples per epoch, step by step: W, b, γ, β descend
    the gradient of deep_backprop, and each BN layer's running statistics move towards that step's
    batch."""
    X, Y = data()
    net = initial_net(network)
    for _ in range(n_steps):
        # of the network before the step, as the step sees it
        statistics = batch_statistics(net, X)
        grads = bp.deep_backprop(X, Y, net, "mse")
        for l in range(net.n_layers):
            net.W[l] = net.W[l] - learning_rate * grads.dW[l]
            net.b[l] = net.b[l] - learning_rate * grads.db[l]
        for l, (mean, var) in statistics.items():
            net.gamma[l] = net.gamma[l] - learning_rate * grads.dgamma[l]
            net.beta[l] = net.beta[l] - learning_rate * grads.dbeta[l]
            net.running_mean[l] = MOMENTUM * net.running_mean[l] + (1 - MOMENTUM) * mean
            net.running_var[l] = MOMENTUM * net.running_var[l] + (1 - MOMENTUM) * N / (N - 1) * var
    return net


def test_running_statistics_after_several_steps_follow_the_momentum_formula():
    expected = written_out_training(BATCH_NORM, 0.1, n_steps=4)
    net = train(BATCH_NORM, learning_rate=0.1, n_epochs=4)[2].net
    for l in bn_layers(net):
        for name in ("running_mean", "running_var", "gamma", "beta"):
            np.testing.assert_allclose(getattr(net, name)[l], getattr(expected, name)[l],
                                       rtol=1e-11, atol=1e-14, err_msg=f"{name}[{l}]")


# ---------------------------------------------------------------- the callback and clipping
def record_steps(network, **options):
    """Copies of W, b, dW, db at every callback (the arrays are live: the step changes them after),
    and the trained W, b."""
    steps = []

    def callback(step):
        steps.append({key: [a.copy() for a in getattr(step, key)] for key in ("W", "b", "dW", "db")}
                     | {"learning_rate": step.learning_rate})

    W, b, _ = train(network, callback=callback, **options)
    return steps, W, b


@pytest.mark.parametrize("path", list(PATHS))
def test_the_step_applies_the_gradient_the_callback_sees_when_clipping(path):
    network, options = PATHS[path]
    steps, W, b = record_steps(network, clip_norm=0.05, n_epochs=2, batch_size=5, **options)
    # 12 samples in batches of 5, 5, 2; two epochs
    assert len(steps) == 6
    after = steps[1:] + [{"W": W, "b": b}]
    for k, (step, next_step) in enumerate(zip(steps, after)):
        eta = step["learning_rate"]
        for key, grad in (("W", "dW"), ("b", "db")):
            for l, (before, g, now) in enumerate(zip(step[key], step[grad], next_step[key])):
                np.testing.assert_allclose(now, before - eta * g, rtol=1e-13, atol=1e-15,
                                           err_msg=f"step {k + 1}, {key}[{l}]")


@pytest.mark.parametrize("path", list(PATHS))
def test_the_callback_sees_the_gradient_after_clipping(path):
    network, options = PATHS[path]
    clip_norm = 0.05
    steps, _, _ = record_steps(network, clip_norm=clip_norm, n_epochs=2, batch_size=5, **options)
    for k, step in enumerate(steps):
        assert global_norm(step["dW"] + step["db"]) <= clip_norm * (1 + 1e-12), f"step {k + 1}"

    # The first step of a run on one batch of all the samples, against the unclipped gradient of
    # the initial network: clipping must have happened (its norm is far above clip_norm) and the
    # callback must see it scaled to clip_norm. On a BN network the norm is of W's, b's, γ's and β's
    # gradients together, though the callback is shown W's and b's only.
    X, Y = data()
    net0 = initial_net(network)
    if path.startswith("plain"):
        dW, db = bp.backprop_batch(X, Y, net0.W, net0.b, network["activations"], "mse")
        extra = []
    else:
        grads = bp.deep_backprop(X, Y, net0, "mse")
        dW, db = grads.dW, grads.db
        extra = ([grads.dgamma[l] for l in bn_layers(net0)]
                 + [grads.dbeta[l] for l in bn_layers(net0)])
    norm = global_norm(dW + db + extra)
    assert norm > 10 * clip_norm
    first, = record_steps(network, clip_norm=clip_norm, **options)[0]
    for seen, unclipped in zip(first["dW"] + first["db"], dW + db):
        np.testing.assert_allclose(seen, clip_norm / norm * unclipped, rtol=1e-12, atol=1e-16)


# ---------------------------------------------------------------- ε at inference
def test_batchnorm_inference_adds_eps_to_the_running_variance():
    # A unit whose running variance is 0 (it was constant in training) must not divide by 0; the
    # others must divide by √(v + ε) too, not √v.
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(5, 3))
    gamma, beta = np.array([1.5, -0.5, 2.0]), np.array([0.1, 0.2, -0.3])
    mean, var = np.array([0.2, -0.1, 0.0]), np.array([0.0, 1e-3, 1.0])
    out = bp.batchnorm_inference(Z, gamma, beta, mean, var)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, gamma * (Z - mean) / np.sqrt(var + EPS) + beta, rtol=1e-13)


def test_a_trained_network_predicts_with_eps_added_to_the_running_variance():
    X, _ = data()
    net = train(BATCH_NORM, n_epochs=2, batch_size=4)[2].net
    net.running_var[0][0] = 0.0                        # as if unit 1 of layer 1 had been constant
    _, S = bp.deep_forward(X, net, training=False)
    z = X @ net.W[0].T + net.b[0]
    expected = (net.gamma[0] * (z - net.running_mean[0]) / np.sqrt(net.running_var[0] + EPS)
                + net.beta[0])
    np.testing.assert_allclose(S[0], expected, rtol=1e-12, atol=1e-12)
    assert np.all(np.isfinite(bp.deep_predict(X, net)))


# ---------------------------------------------------------------- shuffling
N_EPOCHS, BATCH_SIZE = 3, 5                            # batches of 5, 5, 2


def batches_seen(network, **options):
    """The sample indices of each epoch's batches, in the order the loop steps through them.

    In the callback, layer_io's first entry is the first layer's z = X_batch W0ᵀ + b0 (no BN there);
    each of its rows matches exactly one row of X W0ᵀ + b0, computed with the same (live) W0, b0.
    """
    X, _ = data()
    epochs = {}

    def callback(step):
        z_all = X @ step.W[0].T + step.b[0]
        z_batch = step.layer_io()[0][0]
        distance = np.abs(z_batch[:, None, :] - z_all[None, :, :]).max(axis=2)
        rows = distance.argmin(axis=1)
        np.testing.assert_allclose(z_batch, z_all[rows], rtol=1e-12, atol=1e-12)
        assert np.all(np.sort(distance, axis=1)[:, 1] > 1e-3)   # and no other row comes close
        epochs.setdefault(step.epoch, []).append(rows)

    train(network, n_epochs=N_EPOCHS, batch_size=BATCH_SIZE, callback=callback, **options)
    assert sorted(epochs) == list(range(1, N_EPOCHS + 1))
    return [np.concatenate(epochs[epoch]) for epoch in sorted(epochs)], [
        [len(rows) for rows in epochs[epoch]] for epoch in sorted(epochs)]


@pytest.mark.parametrize("path", list(SHUFFLE_PATHS))
def test_every_epoch_visits_every_sample_once(path):
    network, options = SHUFFLE_PATHS[path]
    orders, batch_lengths = batches_seen(network, **options)
    for epoch, (order, lengths) in enumerate(zip(orders, batch_lengths), start=1):
        assert lengths == [5, 5, 2], f"epoch {epoch}"
        assert sorted(order) == list(range(N)), f"epoch {epoch}"


@pytest.mark.parametrize("path", list(SHUFFLE_PATHS))
def test_every_epoch_steps_through_a_new_order(path):
    # Neither one permutation drawn for the whole run, nor none at all.
    network, options = SHUFFLE_PATHS[path]
    orders, _ = batches_seen(network, **options)
    for i in range(N_EPOCHS):
        for j in range(i):
            assert not np.array_equal(orders[i], orders[j]), f"epochs {j + 1} and {i + 1}"


@pytest.mark.parametrize("path", list(SHUFFLE_PATHS))
def test_the_batch_order_is_the_seeds_permutation_drawn_afresh_each_epoch(path):
    # Same seed, same run: train draws the weights with init_params from default_rng(rng), then
    # one rng.permutation(n) at the start of every epoch.
    network, options = SHUFFLE_PATHS[path]
    rng = np.random.default_rng(SEED)
    bp.init_params(network["architecture"], "he", rng)
    expected = [rng.permutation(N) for _ in range(N_EPOCHS)]
    orders, _ = batches_seen(network, **options)
    for epoch, (order, permutation) in enumerate(zip(orders, expected), start=1):
        np.testing.assert_array_equal(order, permutation, err_msg=f"epoch {epoch}")
