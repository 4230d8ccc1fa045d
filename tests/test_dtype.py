"""float32 stays float32: parameters, activations, losses, the batched passes and training keep the
dtype they are given, end to end, and agree with float64 to float32's precision; the default stays
float64."""

import numpy as np
import pytest

import bplib as bp

from support import ELEMENTWISE, random_targets

F32 = np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_init_params_makes_parameters_of_the_dtype(dtype):
    W, b = bp.init_params([5, 4, 3], rng=0, dtype=dtype)
    assert all(p.dtype == np.dtype(dtype) for p in W + b)


def test_float32_parameters_are_the_float64_ones_rounded():
    W64, _ = bp.init_params([5, 4, 3], "xavier", rng=7)
    W32, _ = bp.init_params([5, 4, 3], "xavier", rng=7, dtype=F32)
    for w64, w32 in zip(W64, W32):
        np.testing.assert_array_equal(w32, w64.astype(F32))


def test_the_default_dtype_is_float64():
    W, b = bp.init_params([3, 2], rng=0)
    assert all(p.dtype == np.float64 for p in W + b)


@pytest.mark.parametrize("bad", [int, np.int32, "foo", bool, np.complex128])
def test_a_dtype_that_is_no_float_type_is_refused_naming_dtype(bad):
    with pytest.raises(TypeError, match="^dtype: "):
        bp.init_params([3, 2], rng=0, dtype=bad)
    with pytest.raises(TypeError, match="^dtype: "):
        bp.train(np.zeros((4, 3)), np.zeros((4, 2)), [3, 2], 0.1, 1, 2, activations="identity",
                 loss="mse", dtype=bad)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_activations_keep_float32(name):
    act = bp.get_activation(name)
    z = np.linspace(-2, 2, 12, dtype=F32).reshape(3, 4)
    a = act(z)
    assert a.dtype == F32
    assert act.derivative(z).dtype == F32
    assert act.backward(z, a, np.ones_like(z)).dtype == F32


def test_softmax_keeps_float32():
    z = np.linspace(-2, 2, 12, dtype=F32).reshape(3, 4)
    a = bp.activations.softmax(z)
    assert a.dtype == F32
    assert bp.activations.softmax.backward(z, a, np.ones_like(z)).dtype == F32
    assert bp.activations.softmax.jacobian(z[0]).dtype == F32


def test_integer_input_still_gives_float64_derivatives():
    z = np.array([-1, 0, 2])
    for name in ELEMENTWISE:
        assert bp.get_activation(name).derivative(z).dtype == np.float64, name


@pytest.mark.parametrize("name, output",
                         [("mse", "identity"), ("bce", "sigmoid"), ("cce", "softmax")])
def test_losses_keep_float32(name, output, rng):
    loss = bp.get_loss(name)
    Y = random_targets(rng, name, 6, 3).astype(F32)
    Y_hat = bp.get_activation(output)(rng.normal(size=(6, 3)).astype(F32))
    assert loss.value(Y_hat, Y).dtype == F32
    assert loss.gradient(Y_hat, Y).dtype == F32


@pytest.mark.parametrize("acts, loss", [(["relu", "tanh", "softmax"], "cce"),
                                        (["leaky_relu", "elu", "sigmoid"], "bce"),
                                        (["sigmoid", "relu", "identity"], "mse"),
                                        (["tanh", "sigmoid", "tanh"], "mse")])
def test_batched_passes_keep_float32_and_agree_with_float64(acts, loss, rng):
    sizes = [6, 5, 4, 3]
    W, b = bp.init_params(sizes, "xavier", rng=1)
    b = [rng.normal(0, 0.3, size=v.shape) for v in b]
    X = rng.normal(size=(9, 6))
    Y = random_targets(rng, loss, 9, 3)
    W32, b32 = [w.astype(F32) for w in W], [v.astype(F32) for v in b]
    X32, Y32 = X.astype(F32), Y.astype(F32)

    A, Z = bp.forward_batch(X32, W32, b32, acts)
    assert all(M.dtype == F32 for M in A + Z)
    dW32, db32 = bp.backprop_batch(X32, Y32, W32, b32, acts, loss)
    assert all(g.dtype == F32 for g in dW32 + db32)

    dW, db = bp.backprop_batch(X, Y, W, b, acts, loss)
    for g32, g in zip(dW32 + db32, dW + db):
        np.testing.assert_allclose(g32, g, rtol=1e-4, atol=1e-5)


def classification(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, np.eye(3)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]


@pytest.mark.parametrize("method", ["batched", "per_sample"])
def test_training_in_float32_stays_float32_and_follows_float64(method):
    X, Y = classification()
    options = dict(activations=["tanh", "softmax"], loss="cce", rng=3, method=method)
    W32, b32, h32 = bp.train(X, Y, [4, 6, 3], 0.3, 5, 16, dtype=F32, validation_data=(X[:8], Y[:8]),
                             **options)
    assert all(p.dtype == F32 for p in W32 + b32)
    W64, b64, h64 = bp.train(X, Y, [4, 6, 3], 0.3, 5, 16, **options)
    assert all(p.dtype == np.float64 for p in W64 + b64)
    # the same run, rounded differently: close, but not equal
    for p32, p64 in zip(W32 + b32, W64 + b64):
        np.testing.assert_allclose(p32, p64, rtol=1e-3, atol=1e-4)
    assert not all(np.array_equal(p32, p64) for p32, p64 in zip(W32, W64))
    np.testing.assert_allclose(h32.loss, h64.loss, rtol=1e-4)
    assert h32.loss[-1] < h32.loss[0]


def test_float32_data_trained_in_the_default_dtype_is_trained_in_float64():
    X, Y = classification()
    options = dict(activations=["relu", "softmax"], loss="cce", rng=2)
    W, b, _ = bp.train(X.astype(F32), Y, [4, 5, 3], 0.1, 2, 8, **options)
    W_ref, b_ref, _ = bp.train(X.astype(F32).astype(np.float64), Y, [4, 5, 3], 0.1, 2, 8, **options)
    for p, q in zip(W + b, W_ref + b_ref):
        assert p.dtype == np.float64
        np.testing.assert_array_equal(p, q)


def test_record_false_trains_the_same_network_without_the_history():
    X, Y = classification()
    options = dict(activations=["relu", "softmax"], loss="cce", rng=5,
                   validation_data=(X[:10], Y[:10]), metric=lambda Y_true, Y_hat: 0.0)
    W1, b1, h1 = bp.train(X, Y, [4, 5, 3], 0.1, 3, 8, **options)
    W2, b2, h2 = bp.train(X, Y, [4, 5, 3], 0.1, 3, 8, record=False, **options)
    for p, q in zip(W1 + b1, W2 + b2):
        np.testing.assert_array_equal(p, q)
    assert len(h1.loss) == len(h1.val_loss) == len(h1.metric) == 4
    assert h2.loss == h2.val_loss == h2.metric == h2.val_metric == []


def test_record_false_still_reports_divergence():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    with pytest.raises(bp.TrainingDiverged):
        bp.train(X, Y, [3, 4, 1], 1e10, 50, 5, activations=["relu", "identity"], loss="mse", rng=0,
                 record=False)


def test_the_step_does_not_touch_the_callers_data():
    X, Y = classification()
    X32, Y32 = X.astype(F32), Y.astype(F32)
    copies = X32.copy(), Y32.copy()
    bp.train(X32, Y32, [4, 5, 3], 0.1, 2, 8, activations=["relu", "softmax"], loss="cce", rng=0,
             dtype=F32)
    np.testing.assert_array_equal(X32, copies[0])
    np.testing.assert_array_equal(Y32, copies[1])
