"""The gradient checker: its verdict bands, relative error, central differences, and its report on
correct and deliberately broken backpropagation."""

import re

import numpy as np
import pytest

import bplib as bp
from bplib.gradient_check import GradcheckReport, GradcheckRow, verdict

from support import random_params


@pytest.mark.parametrize("error, expected", [(0.0, "good"), (1e-8, "good"),
                                             (1e-5, "acceptable near kinks"), (1e-3, "suspect"),
                                             (1e-1, "wrong"), (1.0, "wrong"), (np.inf, "wrong")])
def test_verdict_bands(error, expected):
    assert verdict(error) == expected


def test_verdicts_get_worse_as_the_error_grows():
    order = ["good", "acceptable near kinks", "suspect", "wrong"]
    ranks = [order.index(verdict(e)) for e in np.logspace(-12, 1, 50)]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2, 3}


def test_relative_error_of_equal_arrays_is_zero(rng):
    g = rng.normal(size=(3, 4))
    assert bp.relative_error(g, g.copy()) == 0.0


def test_relative_error_of_two_zero_arrays_is_zero():
    assert bp.relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_entry_error_is_cs231n_relative_error_at_the_worst_entry():
    g, n = np.array([1.0, -2.0, 0.5]), np.array([1.0, -2.2, 0.45])
    assert bp.entry_error(g, n) == pytest.approx(max(0.2 / 2.2, 0.05 / 0.5))
    assert bp.entry_error(g, g.copy()) == 0.0


def test_entry_error_measures_near_zero_entries_against_the_floor():
    # central differences leave ~1e-10 of noise: on a 1e-9 entry that is no bug
    g = np.array([1.0, 1e-9])
    assert bp.entry_error(g, g + np.array([0.0, 1e-10])) == pytest.approx(1e-10 / 1e-6)


def test_a_bug_in_the_small_entries_hides_in_the_norm_but_not_per_entry():
    # one large entry right, every small one off by half: the norm barely moves
    g = np.array([100.0, 0.001, -0.002, 0.003])
    wrong = g * np.array([1.0, 1.5, 1.5, 1.5])
    assert verdict(bp.relative_error(g, wrong)) in ("acceptable near kinks", "good")
    assert bp.entry_error(g, wrong) == pytest.approx(1 / 3)
    row = GradcheckRow(1, "W", (4,), bp.relative_error(g, wrong), bp.entry_error(g, wrong))
    assert row.verdict == "wrong" and not GradcheckReport([row]).ok


def test_gradcheck_catches_a_backprop_wrong_only_in_its_small_entries(net4):
    x, y, W, b = net4

    def backprop_small_entries_wrong(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        big = max(np.max(np.abs(g)) for g in dW)
        return [np.where(np.abs(g) < 1e-3 * big, 2 * g, g) for g in dW], db

    dW, _ = bp.backpropagation(x, y, W, b, ACTIVATIONS, "bce")
    big = max(np.max(np.abs(g)) for g in dW)
    assert any(np.any((np.abs(g) < 1e-3 * big) & (np.abs(g) > 1e-5)) for g in dW), \
        "the probe needs small (but not tiny) entries to make its point"
    report = bp.gradcheck(x, y, W, b, ACTIVATIONS, "bce", backprop=backprop_small_entries_wrong)
    assert not report.ok and report.worst.verdict == "wrong"


def test_relative_error_is_the_norm_of_the_difference_over_the_larger_norm():
    assert bp.relative_error(np.array([3.0, 4.0]), np.array([0.0, 0.0])) == 1.0
    assert bp.relative_error(np.array([1.0, 0.0]), np.array([1.1, 0.0])) == pytest.approx(0.1 / 1.1)
    assert bp.relative_error(np.array([1.1, 0.0]), np.array([1.0, 0.0])) == pytest.approx(0.1 / 1.1)


def test_numerical_gradient_of_a_quadratic_is_exact_and_restores_the_arrays(rng):
    # f = Σ c·A² + Σ B³ has gradient 2cA and 3B²; central differences are exact for quadratics and
    # off by h² = 1e-10 for the cube.
    A, B, c = rng.normal(size=(2, 3)), rng.normal(size=4), 1.7
    A0, B0 = A.copy(), B.copy()
    gA, gB = bp.numerical_gradient(lambda: c * np.sum(A ** 2) + np.sum(B ** 3), [A, B])
    np.testing.assert_allclose(gA, 2 * c * A, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(gB, 3 * B ** 2, rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(B, B0)


def test_numerical_gradient_of_an_integer_array_is_right_or_refused():
    # a perturbation θ ± h written into an int array is truncated to θ: never a silently wrong
    # number
    A = np.array([1, 2, 3])
    try:
        (grad,) = bp.numerical_gradient(lambda: float(np.sum(A ** 2)), [A])
    except (TypeError, ValueError) as error:
        assert "arrays" in str(error)
    else:
        np.testing.assert_allclose(grad, 2 * A, rtol=1e-6)


# ---------------------------------------------------------------- gradcheck on a 4-layer network
ACTIVATIONS = ["tanh", "sigmoid", "elu", "sigmoid"]


@pytest.fixture
def net4(rng):
    W, b = random_params(rng, [3, 5, 4, 4, 2])
    return rng.uniform(-1, 1, size=3), rng.uniform(0, 1, size=2), W, b  # x, y, W, b


def test_gradcheck_of_correct_backpropagation_is_good_in_every_row(net4):
    report = bp.gradcheck(*net4, ACTIVATIONS, "bce")
    assert len(report.rows) == 2 * 4
    assert [(row.layer, row.param) for row in report.rows] == [
        (l, p) for l in (1, 2, 3, 4) for p in ("W", "b")]
    assert all(row.verdict == "good" for row in report.rows), str(report)
    assert report.ok


def test_gradcheck_of_a_batch_uses_the_mean_loss(net4, rng):
    _, _, W, b = net4
    X, Y = rng.uniform(-1, 1, size=(6, 3)), rng.uniform(0, 1, size=(6, 2))
    assert bp.gradcheck(X, Y, W, b, ACTIVATIONS, "bce").max_error < 1e-7

    # the classic bug: forgetting to divide by the batch size
    def summed_not_mean(X, Y, *args):
        dW, db = bp.backprop_batch(X, Y, *args)
        return [6 * g for g in dW], [6 * g for g in db]

    assert not bp.gradcheck(X, Y, W, b, ACTIVATIONS, "bce", backprop=summed_not_mean).ok


def corrupting(layer, corruption):
    """backpropagation with layer `layer`'s dW (text numbering) corrupted: the bug the report must
    find."""

    def backprop(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        dW[layer - 1] = corruption(dW[layer - 1], x, W, b, activations, layer)
        return dW, db

    return backprop


def drop_sigma_prime(dW, x, W, b, activations, layer):
    """Recompute this layer's dW as if σ'(z) were 1: δ without its derivative factor."""
    a, z = bp.forward_propagation(x, W, b, activations)
    sigma_prime = bp.get_activation(activations[layer - 1]).derivative(z[layer - 1])
    return dW / sigma_prime[:, None]


def transpose_the_input(dW, x, W, b, activations, layer):
    """δ ⊗ aᵀ with a reversed: the right shape, the wrong numbers."""
    return dW[:, ::-1]


def double(dW, *_):
    return 2 * dW


@pytest.mark.parametrize("layer", [1, 2, 3])
@pytest.mark.parametrize("corruption", [drop_sigma_prime, transpose_the_input, double])
def test_gradcheck_points_at_the_one_broken_layer(net4, layer, corruption):
    report = bp.gradcheck(*net4, ACTIVATIONS, "bce", backprop=corrupting(layer, corruption))
    assert not report.ok
    assert (report.worst.layer, report.worst.param) == (layer, "W")
    assert report.worst.verdict in ("suspect", "wrong")
    others = [row for row in report.rows if (row.layer, row.param) != (layer, "W")]
    assert all(row.verdict == "good" for row in others), str(report)


def test_gradcheck_rejects_a_backprop_that_returns_the_wrong_shape(net4):
    def transposed(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        dW[1] = dW[1].T
        return dW, db

    with pytest.raises(ValueError, match=r"^backprop: returned dW\[1\] of shape \(5, 4\), "
                                         r"expected \(4, 5\)"):
        bp.gradcheck(*net4, ACTIVATIONS, "bce", backprop=transposed)


def test_report_prints_a_header_and_one_line_per_row(net4):
    report = bp.gradcheck(*net4, ACTIVATIONS, "bce", backprop=corrupting(2, double))
    header, *lines = str(report).splitlines()
    assert "relative error" in header and "worst entry" in header
    assert len(lines) == len(report.rows)
    for line, row in zip(lines, report.rows):
        layer, param, shape, error, entry, verdict_text = re.fullmatch(
            r"\s*(\d+)\s+(\w+)\s+(\(.*?\))\s+(≤ 1e-07|\S+)\s+(≤ 1e-04|\S+)\s+(.+)",
            line).groups()
        if entry != "≤ 1e-04":
            assert float(entry) == pytest.approx(row.worst_entry, rel=0.06)
        assert (int(layer), param, shape, verdict_text) == (row.layer, row.param, str(row.shape),
                                                            row.verdict)
        if row.verdict == "good":
            assert error == "≤ 1e-07"  # the band: its digits would be rounding noise
        else:
            # printed to two significant digits
            assert float(error) == pytest.approx(row.error, rel=0.06)
    assert {row.verdict for row in report.rows} > {"good"}, \
        "the report should show both kinds of row"


def test_report_prints_the_same_whatever_the_rounding_inside_the_good_band():
    # Another CPU moves a correct gradient's error by a few ulps, or by a factor of 2: same table.
    def rows(errors):
        return [GradcheckRow(1, "W", (2, 3), e, 10 * e) for e in errors]

    assert str(GradcheckReport(rows([4.2e-10, 0.0, 1e-7]))) == str(
        GradcheckReport(rows([5.1e-10, 3e-16, 9e-8])))
    assert str(GradcheckReport(rows([1e-7]))) != str(GradcheckReport(rows([1.1e-7])))


def test_gradcheck_does_not_change_the_callers_parameters(net4):
    x, y, W, b = net4
    W0, b0 = [w.copy() for w in W], [v.copy() for v in b]
    bp.gradcheck(x, y, W, b, ACTIVATIONS, "bce")
    for p, q in zip(W + b, W0 + b0):
        np.testing.assert_array_equal(p, q)


def test_gradcheck_never_writes_to_the_callers_arrays(net4):
    x, y, W, b = net4
    for array in W + b:
        array.flags.writeable = False  # any write, even one undone later, would raise
    assert bp.gradcheck(x, y, W, b, ACTIVATIONS, "bce").ok


@pytest.mark.parametrize("errors, ok", [([1e-9, 1e-5, 1e-4], True), ([1e-9, 2e-4], False),
                                        ([1e-3], False)])
def test_report_is_ok_while_every_error_is_at_most_acceptable(errors, ok):
    report = GradcheckReport([GradcheckRow(l + 1, "W", (1, 1), e, e)
                              for l, e in enumerate(errors)])
    assert report.ok is ok
    assert report.max_error == max(errors)
    assert report.worst.error == max(errors)


# ------------------------------------------------------ forward differences and the step-size sweep
def test_the_default_scheme_is_central_bit_for_bit(rng):
    A = rng.normal(size=(3, 2))
    f = lambda: float(np.sum(np.sin(A)))  # noqa: E731
    (default,) = bp.numerical_gradient(f, [A], 1e-4)
    (central,) = bp.numerical_gradient(f, [A], 1e-4, scheme="central")
    np.testing.assert_array_equal(default, central)


def test_forward_difference_of_a_quadratic_is_off_by_exactly_c_h(rng):
    # (c(θ + h)² − cθ²) / h = 2cθ + ch: the one-sided error is first order in h, and here it is
    # exactly ch.
    A, c, h = rng.normal(size=5), 1.3, 1e-3
    A0 = A.copy()
    (grad,) = bp.numerical_gradient(lambda: c * float(np.sum(A ** 2)), [A], h, scheme="forward")
    np.testing.assert_allclose(grad - 2 * c * A, c * h, rtol=1e-6)
    np.testing.assert_array_equal(A, A0)


def test_central_difference_of_a_cubic_is_off_by_exactly_c_h_squared(rng):
    # (c(θ + h)³ − c(θ − h)³) / 2h = 3cθ² + ch²: second order in h.
    A, c, h = rng.normal(size=5), 0.7, 1e-2
    (grad,) = bp.numerical_gradient(lambda: c * float(np.sum(A ** 3)), [A], h)
    np.testing.assert_allclose(grad - 3 * c * A ** 2, c * h ** 2, rtol=1e-6)


def test_numerical_gradient_rejects_an_unknown_scheme():
    with pytest.raises(ValueError,
                       match=r"^scheme: expected one of 'central', 'forward', got 'backward'"):
        bp.numerical_gradient(lambda: 0.0, [np.zeros(2)], scheme="backward")


def sines(rng):
    """f = Σ sin(θ) over two arrays, with its exact gradient cos θ."""
    arrays = [rng.uniform(-1, 1, size=(2, 3)), rng.uniform(-1, 1, size=4)]
    return ((lambda: float(sum(np.sum(np.sin(A)) for A in arrays))), arrays,
            [np.cos(A) for A in arrays])


def test_step_size_errors_is_the_relative_error_of_numerical_gradient_at_each_step(rng):
    f, arrays, exact = sines(rng)
    steps = [1e-2, 1e-4]
    errors = bp.step_size_errors(f, arrays, exact, steps, scheme="forward")
    for h, error in zip(steps, errors):
        numeric = bp.numerical_gradient(f, arrays, h, scheme="forward")
        expected = bp.relative_error(np.concatenate([g.ravel() for g in exact]),
                                     np.concatenate([g.ravel() for g in numeric]))
        assert error == expected


@pytest.mark.parametrize("scheme, order, best", [("central", 2, 1 / 3), ("forward", 1, 1 / 2)])
def test_step_size_sweep_shows_truncation_order_and_the_best_step(rng, scheme, order, best):
    f, arrays, exact = sines(rng)
    steps = 10.0 ** np.arange(-13, -0.9, 0.25)
    errors = bp.step_size_errors(f, arrays, exact, steps, scheme=scheme)
    eps = np.finfo(float).eps
    # truncation side: error ∝ h^order
    large = steps >= 1e-3
    slope = np.polyfit(np.log10(steps[large]), np.log10(errors[large]), 1)[0]
    assert abs(slope - order) < 0.2, slope
    # round-off side: error ∝ 1/h
    small = steps <= 1e-11
    slope = np.polyfit(np.log10(steps[small]), np.log10(errors[small]), 1)[0]
    assert -1.5 < slope < -0.5, slope
    # the best step is within a factor 10 of ε^(1/3) (central) or ε^(1/2) (forward)
    h_best = steps[np.argmin(errors)]
    assert abs(np.log10(h_best / eps ** best)) <= 1, h_best


def test_step_size_errors_rejects_mismatched_exact_and_bad_steps(rng):
    f, arrays, exact = sines(rng)
    with pytest.raises(ValueError, match=r"^exact: expected 2 arrays"):
        bp.step_size_errors(f, arrays, exact[:1], [1e-5])
    with pytest.raises(ValueError, match=r"^exact\[1\]: expected shape \(4,\)"):
        bp.step_size_errors(f, arrays, [exact[0], exact[1][:3]], [1e-5])
    for steps in ([], [1e-5, 0.0], [-1e-3]):
        with pytest.raises(ValueError, match=r"^steps: "):
            bp.step_size_errors(f, arrays, exact, steps)
    with pytest.raises(ValueError, match=r"^scheme: "):
        bp.step_size_errors(f, arrays, exact, [1e-5], scheme="backward")


def test_a_nan_gradient_is_wrong_never_ok():
    # max() skips NaN when it is not first, and NaN <= bound is False for every band: both once hid
    # a NaN.
    report = GradcheckReport([GradcheckRow(1, "W", (2, 2), 1e-10, 1e-9),
                              GradcheckRow(1, "b", (2,), np.nan, np.nan)])
    assert verdict(np.nan) == "wrong" and report.rows[1].verdict == "wrong"
    assert np.isnan(report.max_error) and not report.ok
    assert report.worst is report.rows[1]
    assert "nan          nan  wrong" in str(report)


def test_gradcheck_of_a_backprop_returning_nan_says_wrong(net4):
    def nan_in_layer_2(x, y, W, b, activations, loss):
        dW, db = bp.backpropagation(x, y, W, b, activations, loss)
        dW[1] = np.full_like(dW[1], np.nan)
        return dW, db

    report = bp.gradcheck(*net4, ACTIVATIONS, "bce", backprop=nan_in_layer_2)
    assert not report.ok and report.worst.layer == 2 and report.worst.verdict == "wrong"
