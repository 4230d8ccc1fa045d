"""Bad input fails at the API boundary with the right exception type and a message that starts with
the name of the offending argument: one table, one test."""

import re

import numpy as np
import pytest

import bplib as bp

# A valid 3-4-2 network with data; every case below breaks exactly one thing.
rng = np.random.default_rng(0)
W = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]
b = [np.zeros(4), np.zeros(2)]
ACTS, LOSS = ["tanh", "sigmoid"], "bce"
x, y = rng.normal(size=3), np.array([0.0, 1.0])
X, Y = rng.normal(size=(5, 3)), rng.uniform(0, 1, size=(5, 2))
ARCH = [3, 4, 2]


def with_item(items, i, value):
    """A copy of the list `items` with entry i replaced."""
    return [value if j == i else item for j, item in enumerate(items)]


def with_entry(array, index, value):
    """A copy of `array` with one entry replaced."""
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def fwd(x=x, W=W, b=b, acts=ACTS):
    return bp.forward_propagation(x, W, b, acts)


def backprop(x=x, y=y, W=W, b=b, acts=ACTS, loss=LOSS):
    return bp.backpropagation(x, y, W, b, acts, loss)


def fwd_batch(X=X, W=W, b=b, acts=ACTS):
    return bp.forward_batch(X, W, b, acts)


def backprop_batch(X=X, Y=Y, W=W, b=b, acts=ACTS, loss=LOSS):
    return bp.backprop_batch(X, Y, W, b, acts, loss)


def train(X=X, Y=Y, architecture=ARCH, learning_rate=0.1, n_epochs=1, batch_size=2, **options):
    options = dict(activations=ACTS, loss=LOSS, rng=0) | options
    return bp.train(X, Y, architecture, learning_rate, n_epochs, batch_size, **options)


def gradcheck(x=x, y=y, W=W, b=b, acts=ACTS, loss=LOSS, **options):
    return bp.gradcheck(x, y, W, b, acts, loss, **options)


def transposed_backprop(*args):
    dW, db = bp.backpropagation(*args)
    return [g.T for g in dW], db


def case(id, call, error, argname, detail=""):
    """`call()` raises `error` with a message that starts with `argname:` and then mentions
    `detail`, usually the offending value or shape."""
    return pytest.param(call, error, rf"^{re.escape(argname)}:.*{detail}", id=id)


CASES = [
    # ---- shapes that do not chain
    case("forward: x of wrong length", lambda: fwd(x=np.ones(4)),
         ValueError, "x", r"\(3,\).*\(4,\)"),
    case("forward: x is 2-D", lambda: fwd(x=np.ones((1, 3))), ValueError, "x", r"\(1, 3\)"),
    case("forward: x is a scalar", lambda: fwd(x=3.0), ValueError, "x", r"\(\)"),
    case("forward: W[1] columns != W[0] rows", lambda: fwd(W=with_item(W, 1, np.ones((2, 5)))),
         ValueError, "W[1]", r"\b4\b.*\(2, 5\)"),
    case("forward: b[1] of wrong length", lambda: fwd(b=with_item(b, 1, np.zeros(3))),
         ValueError, "b[1]", r"\(2,\).*\(3,\)"),
    case("forward: b shorter than W", lambda: fwd(b=b[:1]), ValueError, "b", r"\b2\b.*\b1\b"),
    case("forward: W a bare ndarray", lambda: fwd(W=W[0]), TypeError, "W", "ndarray"),
    case("forward: b a bare ndarray", lambda: fwd(b=np.zeros(4)), TypeError, "b", "ndarray"),
    case("forward: W empty", lambda: fwd(W=[], b=[]), ValueError, "W"),
    case("forward: W[0] 1-D", lambda: fwd(W=with_item(W, 0, np.ones(3))),
         ValueError, "W[0]", r"\(3,\)"),
    case("forward: W[0] ragged", lambda: fwd(W=with_item(W, 0, [[1.0, 2.0], [3.0]])),
         ValueError, "W[0]"),
    case("forward: too few activations", lambda: fwd(acts=["tanh"]),
         ValueError, "activations", r"\b2\b.*\b1\b"),
    case("forward: too many activations", lambda: fwd(acts=ACTS * 2),
         ValueError, "activations", r"\b2\b.*\b4\b"),
    case("forward: unknown activation", lambda: fwd(acts=["tanh", "swish"]),
         ValueError, "activations[1]", "'swish'"),
    case("forward: activation a function", lambda: fwd(acts=[np.tanh, "sigmoid"]),
         TypeError, "activations[0]", "ufunc"),
    case("forward: activations None", lambda: fwd(acts=None), TypeError, "activations", "NoneType"),
    # ---- non-finite and non-numeric arrays
    case("forward: nan in x", lambda: fwd(x=with_entry(x, 1, np.nan)),
         ValueError, "x", r"index \(1,\)"),
    case("forward: inf in W[0]", lambda: fwd(W=with_item(W, 0, with_entry(W[0], (2, 1), np.inf))),
         ValueError, "W[0]", r"index \(2, 1\)"),
    case("forward: -inf in b[1]", lambda: fwd(b=with_item(b, 1, with_entry(b[1], 0, -np.inf))),
         ValueError, "b[1]"),
    case("forward: x of strings", lambda: fwd(x=np.array(["1", "2", "3"])), TypeError, "x", "<U1"),
    case("forward: x of objects", lambda: fwd(x=np.array([1.0, 2.0, 3.0], dtype=object)),
         TypeError, "x", "object"),
    case("forward: x complex", lambda: fwd(x=np.array([1, 2, 3j])), TypeError, "x", "complex"),
    case("forward: x bool", lambda: fwd(x=np.array([True, False, True])), TypeError, "x", "bool"),
    case("forward: W[1] complex", lambda: fwd(W=with_item(W, 1, W[1].astype(complex))),
         TypeError, "W[1]", "complex"),
    # ---- backpropagation: targets and losses
    case("backprop: y of wrong length", lambda: backprop(y=np.array([1.0])),
         ValueError, "y", r"\(2,\)"),
    case("backprop: y 2-D", lambda: backprop(y=np.ones((1, 2))), ValueError, "y", r"\(1, 2\)"),
    case("backprop: x of wrong length", lambda: backprop(x=np.ones(2)),
         ValueError, "x", r"\(3,\).*\(2,\)"),
    case("backprop: nan in y", lambda: backprop(y=np.array([np.nan, 1.0])),
         ValueError, "y", r"index \(0,\)"),
    case("backprop: unknown loss", lambda: backprop(loss="hinge"), ValueError, "loss", "'hinge'"),
    case("backprop: loss None", lambda: backprop(loss=None), TypeError, "loss", "NoneType"),
    case("backprop: bce target above 1", lambda: backprop(y=np.array([0.0, 1.5])),
         ValueError, "y", r"\[0, 1\].*1\.5"),
    case("backprop: bce target below 0", lambda: backprop(y=np.array([-0.5, 1.0])),
         ValueError, "y", r"-0\.5"),
    case("backprop: cce target not summing to 1",
         lambda: backprop(acts=["tanh", "softmax"], loss="cce", y=np.array([0.5, 0.4])),
         ValueError, "y", r"0\.9"),
    case("backprop: bce after relu", lambda: backprop(acts=["tanh", "relu"]),
         ValueError, "loss", "'relu'"),
    case("backprop: cce after identity",
         lambda: backprop(acts=["tanh", "identity"], loss="cce", y=np.array([0.0, 1.0])),
         ValueError, "loss", "'identity'"),
    case("backprop: bce after tanh", lambda: backprop(acts=["tanh", "tanh"]),
         ValueError, "loss", "'tanh'"),
    case("backprop: W[1] rows != b[1]", lambda: backprop(W=with_item(W, 1, np.ones((3, 4)))),
         ValueError, "b[1]", r"\(3,\).*\(2,\)"),
    # ---- batches
    case("forward_batch: X 1-D", lambda: fwd_batch(X=x), ValueError, "X", r"\(3,\)"),
    case("forward_batch: X of wrong width", lambda: fwd_batch(X=np.ones((5, 4))),
         ValueError, "X", r"\(5, 4\)"),
    case("forward_batch: nan in X", lambda: fwd_batch(X=with_entry(X, (3, 0), np.nan)),
         ValueError, "X", r"\(3, 0\)"),
    case("backprop_batch: Y rows != X rows", lambda: backprop_batch(Y=Y[:4]),
         ValueError, "Y", r"\(5, 2\).*\(4, 2\)"),
    case("backprop_batch: Y of wrong width", lambda: backprop_batch(Y=np.full((5, 3), 0.5)),
         ValueError, "Y", r"\(5, 2\).*\(5, 3\)"),
    case("backprop_batch: Y 1-D", lambda: backprop_batch(Y=Y[:, 0]), ValueError, "Y", r"\(5,\)"),
    case("backprop_batch: X of wrong width", lambda: backprop_batch(X=np.ones((5, 2))),
         ValueError, "X", r"\(5, 2\)"),
    case("backprop_batch: bce targets above 1", lambda: backprop_batch(Y=Y + 1),
         ValueError, "Y", r"\[0, 1\]"),
    case("network_loss: x wrong length", lambda: bp.network_loss(np.ones(4), y, W, b, ACTS, LOSS),
         ValueError, "X", r"\(4,\)"),
    case("predict: X of wrong width", lambda: bp.predict(np.ones((5, 4)), W, b, ACTS),
         ValueError, "X", r"\(5, 4\)"),
    # ---- train: hyperparameters
    case("train: learning_rate 0", lambda: train(learning_rate=0),
         ValueError, "learning_rate", r"\b0\b"),
    case("train: learning_rate negative", lambda: train(learning_rate=-0.1),
         ValueError, "learning_rate", r"-0\.1"),
    case("train: learning_rate nan", lambda: train(learning_rate=float("nan")),
         ValueError, "learning_rate", "nan"),
    case("train: learning_rate inf", lambda: train(learning_rate=float("inf")),
         ValueError, "learning_rate", "inf"),
    case("train: learning_rate a string", lambda: train(learning_rate="0.1"),
         TypeError, "learning_rate", "'0.1'"),
    case("train: batch_size 0", lambda: train(batch_size=0), ValueError, "batch_size", r"\b0\b"),
    case("train: batch_size 2.5", lambda: train(batch_size=2.5), TypeError, "batch_size", r"2\.5"),
    case("train: batch_size True", lambda: train(batch_size=True), TypeError, "batch_size", "True"),
    case("train: n_epochs -1", lambda: train(n_epochs=-1), ValueError, "n_epochs", "-1"),
    case("train: n_epochs a float", lambda: train(n_epochs=1.0), TypeError, "n_epochs", r"1\.0"),
    case("train: unknown method", lambda: train(method="vectorised"),
         ValueError, "method", "'vectorised'"),
    case("train: clip_norm 0", lambda: train(clip_norm=0), ValueError, "clip_norm", r"\b0\b"),
    case("train: clip_norm negative", lambda: train(clip_norm=-1.0),
         ValueError, "clip_norm", r"-1\.0"),
    case("train: metric not callable", lambda: train(metric="accuracy"),
         TypeError, "metric", "str"),
    case("train: unknown init", lambda: train(init="lecun"), ValueError, "init", "'lecun'"),
    case("train: too few activations", lambda: train(activations=["tanh"]),
         ValueError, "activations", r"\b2\b.*\b1\b"),
    case("train: unknown activation", lambda: train(activations=["tanh", "gelu"]),
         ValueError, "activations[1]", "'gelu'"),
    case("train: unknown loss", lambda: train(loss="kl"), ValueError, "loss", "'kl'"),
    case("train: bce after relu", lambda: train(activations=["tanh", "relu"]),
         ValueError, "loss", "'relu'"),
    # ---- train: architecture and data
    case("train: architecture[0] != X columns", lambda: train(architecture=[4, 4, 2]),
         ValueError, "X", r"architecture\[0\]"),
    case("train: architecture[-1] != Y columns", lambda: train(architecture=[3, 4, 3]),
         ValueError, "Y", r"architecture\[-1\]"),
    case("train: architecture too short", lambda: train(architecture=[3]),
         ValueError, "architecture", r"\[3\]"),
    case("train: architecture contains 0", lambda: train(architecture=[3, 0, 2]),
         ValueError, "architecture[1]", r"\b0\b"),
    case("train: architecture float size", lambda: train(architecture=[3, 4.0, 2]),
         TypeError, "architecture[1]", r"4\.0"),
    case("train: architecture a string", lambda: train(architecture="3-4-2"),
         TypeError, "architecture", "str"),
    case("train: Y rows != X rows", lambda: train(Y=Y[:4]), ValueError, "Y", r"\(5, 2\).*\(4, 2\)"),
    case("train: empty X", lambda: train(X=np.empty((0, 3)), Y=np.empty((0, 2))),
         ValueError, "X", r"\(0, 3\)"),
    case("train: X an empty list", lambda: train(X=[]), ValueError, "X", r"\(0,\)"),
    case("train: X 1-D", lambda: train(X=X[0]), ValueError, "X", r"\(3,\)"),
    case("train: inf in X", lambda: train(X=with_entry(X, (0, 0), np.inf)),
         ValueError, "X", r"\(0, 0\)"),
    case("train: Y of strings", lambda: train(Y=Y.astype(str)), TypeError, "Y", "<U"),
    case("train: bce targets above 1", lambda: train(Y=2 * Y), ValueError, "Y", r"\[0, 1\]"),
    case("train: validation_data not a pair", lambda: train(validation_data=X),
         TypeError, "validation_data", "ndarray"),
    case("train: validation_data triple", lambda: train(validation_data=(X, Y, Y)),
         TypeError, "validation_data", "tuple"),
    case("train: validation X of wrong width", lambda: train(validation_data=(X[:, :2], Y)),
         ValueError, "validation_data[0]", r"\(5, 2\)"),
    case("train: validation Y rows != X rows", lambda: train(validation_data=(X, Y[:3])),
         ValueError, "validation_data[1]", r"\(5, 2\).*\(3, 2\)"),
    # ---- init_params
    case("init_params: unknown scheme", lambda: bp.init_params(ARCH, scheme="lecun"),
         ValueError, "scheme", "'lecun'"),
    case("init_params: architecture too short", lambda: bp.init_params([3]),
         ValueError, "architecture", r"\[3\]"),
    case("init_params: negative size", lambda: bp.init_params([3, -4, 2]),
         ValueError, "architecture[1]", "-4"),
    case("init_params: float size", lambda: bp.init_params([3, 4, 2.5]),
         TypeError, "architecture[2]", r"2\.5"),
    case("init_params: architecture an int", lambda: bp.init_params(3),
         TypeError, "architecture", "int"),
    # ---- gradcheck
    case("gradcheck: x of wrong length", lambda: gradcheck(x=np.ones(4)),
         ValueError, "x", r"\(4,\)"),
    case("gradcheck: bad target", lambda: gradcheck(y=np.array([2.0, 0.0])),
         ValueError, "y", r"\b2\b"),
    case("gradcheck: W don't chain", lambda: gradcheck(W=with_item(W, 1, np.ones((2, 3)))),
         ValueError, "W[1]", r"\(2, 3\)"),
    case("gradcheck: h 0", lambda: gradcheck(h=0.0), ValueError, "h", r"\b0\.0\b"),
    case("gradcheck: h negative", lambda: gradcheck(h=-1e-5), ValueError, "h", r"-1e-05"),
    case("gradcheck: backprop returns a wrong shape",
         lambda: gradcheck(backprop=transposed_backprop),
         ValueError, "backprop", r"dW\[0\].*\(3, 4\)"),
    case("gradcheck: batch y rows != x rows", lambda: gradcheck(x=X, y=Y[:4]),
         ValueError, "y", r"\(5, 2\).*\(4, 2\)"),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_bad_input_raises_an_error_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_valid_inputs_of_the_table_are_accepted():
    """Each case above breaks one thing: without it, every call succeeds."""
    fwd(), backprop(), fwd_batch(), backprop_batch(), train(), gradcheck(), gradcheck(x=X, y=Y)
    bp.init_params(ARCH), bp.network_loss(X, Y, W, b, ACTS, LOSS), bp.predict(X, W, b, ACTS)
    train(validation_data=(X, Y), metric=lambda Y, Y_hat: 0.0, clip_norm=1.0, method="per_sample",
          init="xavier")
