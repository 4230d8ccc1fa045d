"""bp.diagnose: a learner's planted bug is named, with the layer where it enters, on several
architectures, one sample at a time and in batches; correct implementations, however written,
are ok; what no signature explains is "unknown", and nothing a learner's function does crashes
the check."""

import importlib
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bplib as bp
from bplib.diagnose import KINDS, _Bug, _candidates, _probes, _truth, _variant

from support import ROOT

CANONICAL = {("identity", "mse"), ("sigmoid", "bce"), ("softmax", "cce")}


# ---------------------------------------------------------------- a learner's backprop, with a bug
def output_delta(a_L, z_L, y, activation, loss, bug):
    """BP1 as a learner writes it: ŷ − y for the canonical pairs, else ∇ₐL ⊙ σ'(zᴸ); `bug`
    says which mistake to make here (None: none)."""
    sigma, the_loss = bp.get_activation(activation), bp.get_loss(loss)
    if (activation, loss) in CANONICAL:
        delta = a_L - y
        if bug == "output_delta_twice":
            delta = sigma.backward(z_L, a_L, delta)
    else:
        if bug == "missing_activation_derivative":
            slope = 1.0
        elif bug == "activation_derivative_of_output":
            slope = sigma.derivative(a_L)
        else:
            slope = sigma.derivative(z_L)
        delta = the_loss.gradient(a_L, y) * slope
    if bug == "output_delta_sign":
        delta = -delta
    if bug == "constant_factor":
        delta = 2 * delta        # d/dŷ of ‖ŷ − y‖² instead of ½‖ŷ − y‖²
    return delta


def through(sigma, z, a, back, kind):
    """BP2's last step, back ⊙ σ'(z), or one of the two σ' bugs in it."""
    if kind == "missing_activation_derivative":
        return back
    if kind == "activation_derivative_of_output":
        return back * sigma.derivative(a)
    return back * sigma.derivative(z)


def planted(kind=None, at=()):
    """Chapter 2's per-sample algorithm, as the bug zoo writes it, with the bug `kind` planted at
    the text's layers `at` (1..L), or "all" for every layer where it can be made."""

    def backprop(x, y, W, b, activations, loss):
        sigma = [bp.get_activation(s) for s in activations]
        a, z = bp.forward_propagation(x, W, b, sigma)
        L = len(W)

        def bug(l):  # the bug at text layer l, or None
            return kind if at == "all" or l in at else None

        delta = [None] * L
        delta[L - 1] = output_delta(a[L], z[L - 1], y, activations[-1], loss, bug(L))
        for l in range(L - 2, -1, -1):
            W_next = W[l + 1] if bug(l + 1) == "missing_transpose" else W[l + 1].T
            delta[l] = through(sigma[l], z[l], a[l + 1], W_next @ delta[l + 1], bug(l + 1))
        dW, db = [], []
        for l in range(L):
            dW.append({"outer_product_order": np.outer(a[l], delta[l]),
                       "previous_activation": np.outer(delta[l], a[l + 1])}
                      .get(bug(l + 1), np.outer(delta[l], a[l])))
            # the bias as a weight whose input is 1, summed the wrong way: Σⱼ δᵢ aⱼ
            db.append(dW[l].sum(axis=1) if bug(l + 1) == "bias_gradient" else delta[l])
        return dW, db

    return backprop


def planted_batch(kind=None, at=()):
    """`planted` for a batch, vectorised as chapter 3 does it: the mean gradient."""

    def backprop(X, Y, W, b, activations, loss):
        sigma = [bp.get_activation(s) for s in activations]
        A, Z = bp.forward_batch(X, W, b, sigma)
        L, n = len(W), len(X)

        def bug(l):
            return kind if at == "all" or l in at else None

        Delta = [None] * L
        output_bug = None if bug(L) == "constant_factor" else bug(L)
        Delta[L - 1] = output_delta(A[L], Z[L - 1], Y, activations[-1], loss, output_bug)
        if bug(L) != "constant_factor":       # the batch bug: the sum, not the mean
            Delta[L - 1] = Delta[L - 1] / n
        for l in range(L - 2, -1, -1):
            W_next = W[l + 1].T if bug(l + 1) == "missing_transpose" else W[l + 1]
            Delta[l] = through(sigma[l], Z[l], A[l + 1], Delta[l + 1] @ W_next, bug(l + 1))
        dW, db = [], []
        for l in range(L):
            dW.append({"outer_product_order": A[l].T @ Delta[l],
                       "previous_activation": Delta[l].T @ A[l + 1]}
                      .get(bug(l + 1), Delta[l].T @ A[l]))
            # the mean taken twice: Delta already carries the 1/n
            db.append(Delta[l].mean(axis=0) if bug(l + 1) == "bias_gradient"
                      else Delta[l].sum(axis=0))
        return dW, db

    return backprop


# ---------------------------------------------------------------- where each bug is planted
#: kinds that live in BP1 alone: at the output layer, whatever `at` says
OUTPUT_KINDS = ["output_delta_sign", "output_delta_twice", "constant_factor"]
LAYER_KINDS = ["missing_transpose", "outer_product_order", "previous_activation", "bias_gradient",
               "activation_derivative_of_output", "missing_activation_derivative"]
#: three probe architectures (None: diagnose's own) and their depth
ARCHITECTURES = [(None, 3), ([2, 4, 4, 3, 3], 4), ([4, 3, 2], 2)]


def plantings(L):
    """(kind, at, expected layer) for a network of L layers: every layer kind at its top layer,
    at layer 1 and at every layer; every output kind at the output."""
    cases = [(kind, (L,), L) for kind in OUTPUT_KINDS]
    for kind in LAYER_KINDS:
        top = L - 1 if kind == "missing_transpose" else L
        for at in sorted({(top,), (1,)}) + ["all"]:
            cases.append((kind, at, top if at == "all" else at[0]))
    return cases


def case_id(architecture, kind, at) -> str:
    network = "default" if architecture is None else "-".join(map(str, architecture))
    return f"{network}-{kind}-{at if at == 'all' else at[0]}"


CASES = [pytest.param(architecture, kind, at, layer, id=case_id(architecture, kind, at))
         for architecture, L in ARCHITECTURES for kind, at, layer in plantings(L)]


@pytest.mark.parametrize("architecture, kind, at, layer", CASES)
def test_a_planted_bug_is_named_with_the_layer_where_it_enters(architecture, kind, at, layer):
    d = bp.diagnose(planted(kind, at), architecture=architecture)
    assert (d.ok, d.kind, d.layer) == (False, kind, layer), str(d)


@pytest.mark.parametrize("architecture, kind, at, layer", CASES)
def test_a_planted_bug_in_a_batched_backprop_is_named_too(architecture, kind, at, layer):
    d = bp.diagnose(planted_batch(kind, at), batched=True, architecture=architecture)
    assert (d.ok, d.kind, d.layer) == (False, kind, layer), str(d)


def test_the_planted_bugs_cover_every_named_kind():
    named = set(OUTPUT_KINDS + LAYER_KINDS) | {"shape", "non_finite", "unknown"}
    assert named == set(KINDS)


def test_the_layers_refer_to_the_reported_architecture():
    d = bp.diagnose(planted("missing_transpose", (3,)), architecture=[2, 4, 4, 3, 3])
    assert len(d.architecture) == 5 and d.layer == 3
    assert "δ³" in d.message and "(W⁴)ᵀ" in d.message and "BP2" in d.message


# ---------------------------------------------------------------- correct, however written
def loop_backprop(x, y, W, b, activations, loss):
    """Chapter 2's algorithm with every product an explicit loop over entries."""
    sigma = [bp.get_activation(s) for s in activations]
    L = len(W)
    a, z = [np.asarray(x, dtype=float)], []
    for l in range(L):
        z_l = np.array([sum(W[l][i, j] * a[l][j] for j in range(W[l].shape[1])) + b[l][i]
                        for i in range(W[l].shape[0])])
        z.append(z_l)
        a.append(sigma[l](z_l))
    delta = [None] * L
    grad = bp.get_loss(loss).gradient(a[L], y)
    delta[L - 1] = sigma[-1].backward(z[-1], a[L], grad)   # ∇ₐL through σ, softmax too
    for l in range(L - 2, -1, -1):
        back = np.array([sum(W[l + 1][k, j] * delta[l + 1][k] for k in range(W[l + 1].shape[0]))
                         for j in range(W[l + 1].shape[1])])
        delta[l] = back * sigma[l].derivative(z[l])
    dW = [np.array([[delta[l][i] * a[l][j] for j in range(len(a[l]))]
                    for i in range(len(delta[l]))]) for l in range(L)]
    return dW, [delta[l].copy() for l in range(L)]


ACTIVATION = {"tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
              "sigmoid": (lambda z: 1 / (1 + math.exp(-z)),
                          lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
              "elu": (lambda z: z if z > 0 else math.exp(z) - 1,
                      lambda z: 1.0 if z > 0 else math.exp(z)),
              "identity": (lambda z: z, lambda z: 1.0)}


def list_backprop(x, y, W, b, activations, loss):
    """The same with Python lists and floats only: no numpy, nested lists returned."""
    W = [W_l.tolist() for W_l in W]
    b = [b_l.tolist() for b_l in b]
    a, z = [list(map(float, x))], []
    for W_l, b_l, act in zip(W, b, activations):
        z.append([sum(w * v for w, v in zip(row, a[-1])) + bias for row, bias in zip(W_l, b_l)])
        if act == "softmax":
            exps = [math.exp(v - max(z[-1])) for v in z[-1]]
            a.append([e / sum(exps) for e in exps])
        else:
            a.append([ACTIVATION[act][0](v) for v in z[-1]])
    y_hat, y = a[-1], list(y)
    if (activations[-1], loss) in CANONICAL:
        delta = [p - t for p, t in zip(y_hat, y)]
    else:
        delta = [(p - t) * ACTIVATION[activations[-1]][1](v)        # mse: ∇ₐL = ŷ − y
                 for p, t, v in zip(y_hat, y, z[-1])]
    deltas = [delta]
    for l in range(len(W) - 1, 0, -1):
        back = [sum(W[l][k][j] * deltas[0][k] for k in range(len(W[l])))
                for j in range(len(W[l][0]))]
        deltas.insert(0, [g * ACTIVATION[activations[l - 1]][1](v)
                          for g, v in zip(back, z[l - 1])])
    dW = [[[d * v for v in a[l]] for d in deltas[l]] for l in range(len(W))]
    return dW, deltas


def per_sample_batch(backprop):
    """A batched backprop from a per-sample one: the mean of the samples' gradients."""
    def batched(X, Y, W, b, activations, loss):
        grads = [backprop(x, y, W, b, activations, loss) for x, y in zip(X, Y)]
        dW = [np.mean([np.asarray(g[0][l]) for g in grads], axis=0) for l in range(len(W))]
        db = [np.mean([np.asarray(g[1][l]) for g in grads], axis=0) for l in range(len(W))]
        return dW, db
    return batched


CORRECT = [loop_backprop, list_backprop, bp.backpropagation, planted()]
CORRECT_BATCH = [per_sample_batch(loop_backprop), per_sample_batch(list_backprop),
                 bp.backprop_batch, planted_batch()]


@pytest.mark.parametrize("architecture", [a for a, _ in ARCHITECTURES])
@pytest.mark.parametrize("backprop", CORRECT, ids=["loops", "lists", "bplib", "zoo"])
def test_a_correct_backprop_is_ok_however_it_is_written(backprop, architecture):
    d = bp.diagnose(backprop, architecture=architecture)
    assert (d.ok, d.kind, d.layer) == (True, None, None), str(d)
    assert "correct" in d.message


@pytest.mark.parametrize("architecture", [a for a, _ in ARCHITECTURES])
@pytest.mark.parametrize("backprop", CORRECT_BATCH, ids=["loops", "lists", "bplib", "zoo"])
def test_a_correct_batched_backprop_is_ok_however_it_is_written(backprop, architecture):
    d = bp.diagnose(backprop, batched=True, architecture=architecture)
    assert (d.ok, d.kind, d.layer) == (True, None, None), str(d)


def test_a_per_sample_backprop_checked_as_batched_is_not_ok():
    d = bp.diagnose(bp.backpropagation, batched=True)
    assert not d.ok and d.kind == "shape" and "x: expected a vector" in d.message


def test_a_backprop_that_changes_its_arguments_in_place_is_still_judged_on_its_gradients():
    def scribbler(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        for array in [x, y, *W, *b]:
            array[...] = 0.0
        return dW, db

    assert bp.diagnose(scribbler).ok


# ---------------------------------------------------------------- what no signature explains
def test_a_function_that_raises_is_a_shape_diagnosis_quoting_the_error():
    def raises(x, y, W, b, activations, loss):
        raise ValueError("operands could not be broadcast together with shapes (4,) (5,)")

    d = bp.diagnose(raises)
    assert (d.ok, d.kind, d.layer) == (False, "shape", None)
    assert "ValueError: operands could not be broadcast together with shapes (4,) (5,)" \
        in d.message
    assert "raised ValueError" in str(d)


def test_a_function_that_raises_something_else_is_unknown_quoting_the_error():
    def typo(x, y, W, b, activations, loss):
        return deltas  # noqa: F821 - the learner's typo

    d = bp.diagnose(typo, batched=True)
    assert (d.kind, d.layer) == ("unknown", None)
    assert "NameError: name 'deltas' is not defined" in d.message


def test_numpy_refusing_a_missing_transpose_on_every_probe_is_a_shape_error():
    # the appendix's backprop_no_transpose on rectangular matrices: numpy raises
    def always_rectangular(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        return dW, db, np.ones((2, 3)) @ np.ones((2, 3))

    d = bp.diagnose(always_rectangular)
    assert d.kind == "shape" and "matmul" in d.message


@pytest.mark.parametrize("mangle, detail", [
    (lambda dW, db: (dW, [g[:, None] for g in db]), r"db\[2\], ∂L/∂b³, has shape \(2, 1\); "
                                                   r"expected \(2,\)"),
    (lambda dW, db: (dW[:-1], db), r"returned dW as a list of 2, expected a list of 3 arrays"),
    (lambda dW, db: (dW, db, None), r"returned a tuple of 3, expected a pair \(dW, db\)"),
    (lambda dW, db: None, r"returned NoneType, expected a pair"),
    (lambda dW, db: (dW, ["one", "two", "three"]), r"db\[0\], which is not an array"),
    (lambda dW, db: (dW[::-1], db), r"dW\[2\], ∂L/∂W³, has shape \(5, 3\)"),
])
def test_wrong_shapes_and_malformed_returns_are_shape_diagnoses(mangle, detail):
    def mangled(*args):
        return mangle(*bp.backpropagation(*args))

    d = bp.diagnose(mangled)
    assert (d.ok, d.kind) == (False, "shape")
    assert re.search(detail, d.message), d.message


def test_a_wrong_shape_names_its_layer():
    def column_bias(*args):
        dW, db = bp.backpropagation(*args)
        db[1] = db[1][:, None]
        return dW, db

    assert bp.diagnose(column_bias).layer == 2


def noisy(scale):
    def backprop(*args):
        dW, db = bp.backpropagation(*args)
        rng = np.random.default_rng(abs(hash(str(args[0]))) % 2**32)
        return [g + scale * rng.normal(size=g.shape) for g in dW], db
    return backprop


def test_noise_on_the_gradients_is_unknown():
    d = bp.diagnose(noisy(1e-2))
    assert (d.kind, d.layer) == ("unknown", 3), str(d)
    assert "BP4" in d.message      # ∂L/∂b right, ∂L/∂W wrong: the hint points at BP4


def test_rounding_noise_is_not_a_bug():
    assert bp.diagnose(noisy(1e-14)).ok


def test_a_random_gradient_is_unknown():
    def random_gradient(x, y, W, b, activations, loss):
        rng = np.random.default_rng(0)
        return [rng.normal(size=W_l.shape) for W_l in W], [rng.normal(size=b_l.shape) for b_l in b]

    d = bp.diagnose(random_gradient, batched=True)
    assert (d.kind, d.layer) == ("unknown", 3), str(d)
    assert "δ³" in d.message and "BP1" in d.message


def test_two_bugs_at_once_are_unknown():
    def two_bugs(*args):
        dW, db = planted("missing_activation_derivative", (1,))(*args)
        return [2 * g for g in dW], db

    assert bp.diagnose(two_bugs).kind == "unknown"


def test_nan_gradients_get_their_own_diagnosis():
    def nan_in_layer_2(*args):
        dW, db = bp.backpropagation(*args)
        dW[1] = dW[1] * np.nan
        return dW, db

    d = bp.diagnose(nan_in_layer_2)
    assert (d.kind, d.layer) == ("non_finite", 2)
    assert "NaN" in d.message


def test_zero_gradients_are_not_a_constant_factor():
    def zeros(x, y, W, b, activations, loss):
        return [np.zeros_like(W_l) for W_l in W], [np.zeros_like(b_l) for b_l in b]

    assert bp.diagnose(zeros).kind == "unknown"


# ---------------------------------------------------------------- what the diagnosis says
def test_a_common_factor_is_reported_with_its_value():
    def tripled(*args):
        dW, db = bp.backpropagation(*args)
        return [3 * g for g in dW], [3 * g for g in db]

    d = bp.diagnose(tripled)
    assert (d.kind, d.layer) == ("constant_factor", 3)
    assert "3 × the true one" in d.message


def test_a_gradient_a_tenth_of_a_percent_off_is_not_ok():
    def slightly_off(*args):
        dW, db = bp.backpropagation(*args)
        return [1.001 * g for g in dW], [1.001 * g for g in db]

    d = bp.diagnose(slightly_off)
    assert (d.ok, d.kind) == (False, "constant_factor") and "1.001 × the true one" in d.message


def test_a_stray_2_in_one_branch_names_the_pairs_where_it_shows():
    def mse_without_the_half(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        c = 1 if (activations[-1], loss) in CANONICAL else 2
        return [c * g for g in dW], [c * g for g in db]

    d = bp.diagnose(mse_without_the_half)
    assert (d.kind, d.layer) == ("constant_factor", 3)
    assert ("Every gradient is 2 × the true one on the probes with sigmoid + mse and tanh + mse "
            "(right on the others): one stray factor") in d.message


def test_a_batched_backprop_that_squeezes_a_batch_of_one_is_a_shape_error():
    def squeezing(X, Y, W, b, activations, loss):
        return bp.backprop_batch(X.squeeze(), Y.squeeze(), W, b, activations, loss)

    d = bp.diagnose(squeezing, batched=True)
    assert (d.kind, d.layer) == ("shape", None)
    assert "a batch of 1" in d.message and "X: expected a matrix" in d.message


def test_a_sum_over_the_batch_is_named_as_such():
    d = bp.diagnose(planted_batch("constant_factor", (3,)), batched=True)
    assert "a sum over the batch where the mean belongs" in d.message


def test_a_sign_bug_in_one_branch_names_the_pairs_where_it_shows():
    def sign_in_canonical_branch(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        flip = -1 if (activations[-1], loss) in CANONICAL else 1
        return [flip * g for g in dW], [flip * g for g in db]

    d = bp.diagnose(sign_in_canonical_branch)
    assert d.kind == "output_delta_sign"
    assert ("on the probes with identity + mse, sigmoid + bce and softmax + cce (right on the "
            "others)") in d.message


@pytest.mark.parametrize("kind, equation", [
    ("missing_transpose", "BP2"), ("outer_product_order", "BP4"), ("previous_activation", "BP4"),
    ("bias_gradient", "BP3"), ("activation_derivative_of_output", "BP2"),
    ("missing_activation_derivative", "BP2"), ("output_delta_sign", "BP1"),
    ("output_delta_twice", "BP1"), ("constant_factor", "BP1")])
def test_the_message_names_the_equation_to_look_at(kind, equation):
    at = (3,) if kind in OUTPUT_KINDS else (1,)
    d = bp.diagnose(planted(kind, at))
    n_probes = len(_probes([3, 5, 4, 2], False, np.random.default_rng(0)))
    assert equation in d.message and f"of {n_probes} probes" in d.message


def test_the_table_has_one_row_per_layer_and_flags_only_the_wrong_ones():
    d = bp.diagnose(planted("previous_activation", (2,)))
    lines = str(d).splitlines()
    message = lines[:lines.index("")]
    assert " ".join(message) == d.message and max(map(len, message)) <= 78  # wrapped to fit
    assert max(map(len, lines)) <= 78, "a line too long for a notebook's output box"
    header = next(i for i, line in enumerate(lines) if line.startswith("layer"))
    rows = [line.split() for line in lines[header + 1:header + 4]]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert rows[1][1] == "shape" or float(rows[1][1]) > 0.01  # ∂L/∂W² wrong
    # right gradients show the rounding band, not digits that vary from one CPU to another
    assert rows[0][1:3] == ["<", "1e-12"] and rows[2][1:3] == ["<", "1e-12"]
    assert all(row[-3:] == ["<", "1e-12", "1"] for row in rows)  # every ∂L/∂b right
    assert "central differences" in str(d)


def test_an_ok_diagnosis_still_shows_its_table():
    d = bp.diagnose(bp.backpropagation)
    assert str(d).startswith(d.message[:40]) and "probe: 3-5-4-2 network" in str(d)
    assert d.architecture == [3, 5, 4, 2]


def test_a_diagnosis_is_frozen():
    d = bp.diagnose(bp.backpropagation)
    with pytest.raises(AttributeError):
        d.ok = False


def test_the_same_rng_gives_the_same_diagnosis():
    bug = planted("missing_activation_derivative", "all")
    assert bp.diagnose(bug, rng=5) == bp.diagnose(bug, rng=5)
    assert bp.diagnose(bug, rng=np.random.default_rng(5)) == bp.diagnose(bug, rng=5)
    assert bp.diagnose(bug, rng=5).table != bp.diagnose(bug, rng=6).table


# ---------------------------------------------------------------- the signatures themselves
@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("sizes", [[3, 5, 4, 2], [2, 4, 4, 3, 3], [4, 3, 2]])
def test_every_signature_differs_from_every_other_and_from_the_truth(sizes, batched):
    """The probes tell every candidate bug apart: no two give the same outcome on all of them."""
    probes = _probes(sizes, batched, np.random.default_rng(0))
    candidates = _candidates(len(sizes) - 1)

    def outcome(probe, bug):
        grads = _truth(probe) if bug is None else _variant(probe, bug)
        return None if grads is None else np.concatenate([g.ravel() for g in grads])

    table = {bug: [outcome(p, bug) for p in probes] for bug in [None, *candidates]}

    def same(u, v):
        if u is None or v is None:
            return u is None and v is None
        return u.shape == v.shape and np.allclose(u, v, rtol=1e-4, atol=1e-8)

    for i, bug in enumerate(table):
        for other in list(table)[i + 1:]:
            if (bug is not None and other is not None and bug.kind == other.kind
                    and bug.layers == other.layers):
                continue  # two ways of writing one bug (softmax's Jacobian or its diagonal)
            assert not all(same(u, v) for u, v in zip(table[bug], table[other])), (bug, other)


def test_the_unplanted_reference_is_bplibs_backprop():
    for batched in (False, True):
        for probe in _probes([3, 5, 4, 2], batched, np.random.default_rng(1)):
            for g, t in zip(_variant(probe, _Bug("none", frozenset())), _truth(probe)):
                np.testing.assert_allclose(g, t, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- over the probes' seeds
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batched=st.booleans(),
       case=st.sampled_from(plantings(3)))
def test_any_seed_keeps_the_correct_ok_and_names_the_planted_bug(seed, batched, case):
    kind, at, layer = case
    correct, buggy = ((bp.backprop_batch, planted_batch(kind, at)) if batched
                      else (bp.backpropagation, planted(kind, at)))
    assert bp.diagnose(correct, batched=batched, rng=seed).ok
    d = bp.diagnose(buggy, batched=batched, rng=seed)
    assert (d.kind, d.layer) == (kind, layer), str(d)


# ---------------------------------------------------------------- bad arguments and the docs
@pytest.mark.parametrize("call, error, message", [
    (lambda: bp.diagnose("backprop"), TypeError, r"^backprop: .*function.*str"),
    (lambda: bp.diagnose(None), TypeError, r"^backprop: .*NoneType"),
    (lambda: bp.diagnose(bp.backpropagation, batched=1), TypeError, r"^batched: .*int 1"),
    (lambda: bp.diagnose(bp.backpropagation, batched="yes"), TypeError, r"^batched: .*'yes'"),
    (lambda: bp.diagnose(bp.backpropagation, rng="0"), TypeError, r"^rng: .*str '0'"),
    (lambda: bp.diagnose(bp.backpropagation, rng=1.5), TypeError, r"^rng: .*float 1\.5"),
    (lambda: bp.diagnose(bp.backpropagation, rng=-1), ValueError, r"^rng: .*-1"),
    (lambda: bp.diagnose(bp.backpropagation, architecture=[3]), ValueError,
     r"^architecture: .*\[3\]"),
    (lambda: bp.diagnose(bp.backpropagation, architecture=[3, 50, 2]), ValueError,
     r"^architecture: .*at most 10 units.*\[3, 50, 2\]"),
    (lambda: bp.diagnose(bp.backpropagation, architecture=[2] * 9), ValueError,
     r"^architecture: .*at most 5 layers"),
    (lambda: bp.diagnose(bp.backpropagation, architecture=[3, 4.0, 2]), TypeError,
     r"^architecture\[1\]: "),
])
def test_bad_arguments_raise_errors_naming_them(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_valid_arguments_of_the_table_are_accepted():
    for options in [dict(batched=np.bool_(False)), dict(rng=None), dict(rng=np.int64(3)),
                    dict(architecture=np.array([3, 2]))]:
        assert bp.diagnose(bp.backpropagation, **options).ok


def test_the_docs_list_every_kind():
    module = importlib.import_module("bplib.diagnose")  # bplib.diagnose is the function
    for kind, text in KINDS.items():
        assert f"``{kind}``: {text}" in module.__doc__
    api = Path(ROOT, "book", "api.md").read_text()
    assert ".. automodule:: bplib.diagnose" in api


def test_the_kind_is_always_a_documented_one():
    for backprop in [planted("bias_gradient", (2,)), noisy(1.0), bp.backpropagation]:
        d = bp.diagnose(backprop)
        assert d.kind is None or d.kind in KINDS


# messages that a plain textwrap.fill would break inside a formula ("∂L/∂b¹⏎= δ¹")
@pytest.mark.parametrize("kind", ["bias_gradient", "missing_activation_derivative"])
def test_the_message_is_wrapped_but_never_inside_a_formula(kind):
    message = str(bp.diagnose(planted(kind, (3,))))
    lines = message.split("\n\n")[0].splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= 78
    for line in lines:   # "ŷ −⏎y" or "ŷ⏎− y" would split the formula the learner must read
        assert not re.match(r"[−=×⊙+] ", line) and not re.search(r" [−=×⊙+]$", line), line
