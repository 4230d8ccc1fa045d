"""The reverse-mode autodiff engine: every operation's backward against central differences, the
whole network against backpropagation (hypothesis), shared nodes, the topological order, bad
input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bplib as bp
from bplib.autodiff import Tensor, activate, mean_loss

from support import ELEMENTWISE, central_jacobian, nets


def engine_matches_central_differences(build, *arrays, rtol=1e-6, atol=1e-9):
    """build(*tensors) -> a scalar Tensor. The engine's gradient with respect to each input array
    equals the central difference of the scalar with respect to that array."""
    leaves = [Tensor(a) for a in arrays]
    build(*leaves).backward()
    for i, (leaf, array) in enumerate(zip(leaves, arrays)):
        def f(a_i, i=i):
            args = ([Tensor(a) for a in arrays[:i]] + [Tensor(a_i)]
                    + [Tensor(a) for a in arrays[i + 1:]])
            return float(build(*args).value)

        # a scalar f: one column per entry
        numeric = central_jacobian(f, array).reshape(array.shape)
        np.testing.assert_allclose(leaf.grad, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"argument {i}")


# ------------------------------------------------------- each operation against central differences
@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((4,), (4, 3)), ((2, 4), (4, 3)),
                                    ((1, 3), (3, 1))])
def test_matmul_backward_equals_central_differences(rng, shapes):
    A, B = (rng.normal(size=s) for s in shapes)
    engine_matches_central_differences(
        lambda a, b: mean_loss(a @ b, np.ones((a @ b).shape), "mse"), A, B)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((5, 3), (3,)), ((3,), (5, 3)), ((5, 3), (1, 3)),
                                    ((5, 1), (5, 3))])
def test_add_backward_sums_over_broadcast_axes(rng, shapes):
    u, v = (rng.normal(size=s) for s in shapes)
    target = rng.normal(size=np.broadcast_shapes(*shapes))
    engine_matches_central_differences(lambda p, q: mean_loss(p + q, target, "mse"), u, v)


def test_transpose_backward_equals_central_differences(rng):
    M, target = rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
    engine_matches_central_differences(lambda m: mean_loss(m.T, target, "mse"), M)


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
@pytest.mark.parametrize("shape", [(5,), (3, 5)])
def test_activate_backward_equals_central_differences(rng, name, shape):
    z = rng.normal(size=shape)
    if name in ("relu", "leaky_relu"):
        z = np.where(np.abs(z) < 0.1, 0.5, z)   # no central difference across the kink at 0
    target = rng.normal(size=shape)
    engine_matches_central_differences(lambda t: mean_loss(activate(t, name), target, "mse"), z)


@pytest.mark.parametrize("loss", ["mse", "bce", "cce"])
@pytest.mark.parametrize("n_samples", [None, 4])
def test_mean_loss_backward_equals_central_differences(rng, loss, n_samples):
    shape = (3,) if n_samples is None else (n_samples, 3)
    y_hat = rng.uniform(0.1, 0.9, size=shape)
    if loss == "cce":
        y_hat /= y_hat.sum(axis=-1, keepdims=True)
        y = np.eye(3)[rng.integers(3, size=shape[:-1])]
    else:
        y = rng.uniform(0, 1, size=shape)
    engine_matches_central_differences(lambda t: mean_loss(t, y, loss), y_hat)


def test_mean_loss_of_a_batch_is_the_mean_of_the_per_sample_losses(rng):
    Y_hat, Y = rng.uniform(0.1, 0.9, size=(4, 3)), rng.uniform(0, 1, size=(4, 3))
    per_sample = [float(mean_loss(Tensor(p), t, "bce").value) for p, t in zip(Y_hat, Y)]
    assert float(mean_loss(Tensor(Y_hat), Y, "bce").value) == pytest.approx(np.mean(per_sample),
                                                                            rel=1e-14)


# -------------------------------------------------------- the whole network against backpropagation
@given(nets())
def test_engine_equals_backpropagation_on_random_networks(net):
    x, y = net.X[0], net.Y[0]
    dW, db = bp.backpropagation(x, y, net.W, net.b, net.activations, net.loss)
    dW_ad, db_ad = bp.autodiff.gradients(x, y, net.W, net.b, net.activations, net.loss)
    for g, g_ad in zip(dW + db, dW_ad + db_ad):
        assert g_ad.shape == g.shape
        np.testing.assert_allclose(g_ad, g, rtol=1e-9, atol=1e-12)


@given(nets(max_layers=3, max_samples=6))
def test_engine_equals_backprop_batch_on_random_batches(net):
    dW, db = bp.backprop_batch(net.X, net.Y, net.W, net.b, net.activations, net.loss)
    dW_ad, db_ad = bp.autodiff.gradients(net.X, net.Y, net.W, net.b, net.activations, net.loss)
    for g, g_ad in zip(dW + db, dW_ad + db_ad):
        np.testing.assert_allclose(g_ad, g, rtol=1e-9, atol=1e-12)


@given(nets(max_samples=3))
def test_engine_loss_is_the_network_loss(net):
    out, *_ = bp.autodiff.network_graph(net.X, net.Y, net.W, net.b, net.activations, net.loss)
    assert float(out.value) == pytest.approx(
        bp.network_loss(net.X, net.Y, net.W, net.b, net.activations, net.loss),
        rel=1e-12, abs=1e-15)


def test_gradcheck_accepts_the_engine_as_its_backprop(small_net):
    n = small_net
    report = bp.gradcheck(n.X, n.Y, n.W, n.b, n.activations, n.loss, backprop=bp.autodiff.gradients)
    assert report.max_error < 1e-7, str(report)


def test_the_input_gradient_equals_central_differences(small_net):
    n = small_net
    x, y = n.X[0], n.Y[0]
    out, x_t, _, _ = bp.autodiff.network_graph(x, y, n.W, n.b, n.activations, n.loss)
    out.backward()
    numeric = central_jacobian(lambda v: bp.network_loss(v, y, n.W, n.b, n.activations, n.loss), x)
    np.testing.assert_allclose(x_t.grad, numeric, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------- shared nodes, the order, repeated backward
def test_a_node_used_twice_accumulates_both_gradients():
    a = Tensor(3.0)
    c = a + a
    c.backward()
    assert a.grad == 2.0     # overwriting would give 1


def test_a_shared_weight_gets_the_sum_of_its_uses(rng):
    W, x1, x2, y = (rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=3),
                    rng.normal(size=2))
    engine_matches_central_differences(lambda w: mean_loss(w @ x1 + w @ x2, y, "mse"), W)
    # and the sum is that of the two uses taken one at a time: ∂/∂W ½‖W(x1 + x2) − y‖²
    w = Tensor(W)
    mean_loss(w @ x1 + w @ x2, y, "mse").backward()
    np.testing.assert_allclose(w.grad, np.outer(W @ (x1 + x2) - y, x1 + x2), rtol=1e-13)


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_doubling_k_times_gives_two_to_the_k_with_each_node_once_in_the_order(k):
    a = node = Tensor(1.0)
    for _ in range(k):
        node = node + node
    order = node.backward()
    assert a.grad == 2.0 ** k
    assert len(order) == len(set(order)) == k + 1


@given(nets(), st.booleans())
def test_topological_order_puts_every_parent_before_its_children(net, batched):
    x, y = (net.X, net.Y) if batched else (net.X[0], net.Y[0])
    out, *_ = bp.autodiff.network_graph(x, y, net.W, net.b, net.activations, net.loss)
    order = out.topological_order()
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order) and order[-1] is out
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_a_deep_graph_does_not_exhaust_the_recursion_limit():
    a = node = Tensor(1.0)
    for _ in range(5000):
        node = node + a
    node.backward()
    assert a.grad == 5001.0


def test_backward_twice_gives_the_same_gradients(small_net):
    n = small_net
    out, _, W_t, _ = bp.autodiff.network_graph(n.X, n.Y, n.W, n.b, n.activations, n.loss)
    out.backward()
    first = [t.grad.copy() for t in W_t]
    out.backward()
    for g, g2 in zip(first, [t.grad for t in W_t]):
        np.testing.assert_array_equal(g, g2)


def test_numpy_arrays_combine_with_tensors_from_either_side(rng):
    M, v = rng.normal(size=(2, 3)), Tensor(rng.normal(size=3))
    for result in (M @ v, v.T @ M.T, np.ones(3) + v, v + np.ones(3)):
        assert isinstance(result, Tensor)


def test_network_graph_names_nodes_by_the_texts_layer_numbers(small_net):
    n = small_net
    out, *_ = bp.autodiff.network_graph(n.X[0], n.Y[0], n.W, n.b, n.activations, n.loss)
    names = [node.name for node in out.topological_order()]
    for expected in ["x", "W1", "b1", "W1·a0", "z1", "a1", "W2", "b2", "z2", "a2", "loss"]:
        assert expected in names
    assert names.index("a1") < names.index("z2") < names.index("loss")


# ---------------------------------------------------------------- bad input
def test_backward_of_a_non_scalar_is_refused():
    with pytest.raises(ValueError, match=r"^backward: needs a scalar"):
        Tensor(np.ones(3)).backward()


@pytest.mark.parametrize("A, B", [((2, 3), (2,)), ((2, 3, 4), (4,)), ((3,), (2, 3))])
def test_matmul_of_mismatched_shapes_is_refused(A, B):
    with pytest.raises(ValueError, match=r"^@: cannot multiply shapes"):
        Tensor(np.ones(A)) @ Tensor(np.ones(B))


def test_add_of_unbroadcastable_shapes_is_refused():
    with pytest.raises(ValueError, match=r"^\+: cannot add shapes \(2,\) and \(3,\)"):
        Tensor(np.ones(2)) + Tensor(np.ones(3))


def test_a_tensor_of_strings_is_refused():
    with pytest.raises(TypeError, match=r"^value: expected real numbers"):
        Tensor(["a", "b"])


def test_mean_loss_refuses_targets_of_another_shape():
    with pytest.raises(ValueError, match=r"^y: expected shape \(3,\)"):
        mean_loss(Tensor(np.ones(3) / 3), np.ones(2), "mse")


def test_activate_refuses_an_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activate(Tensor(np.ones(2)), "swish")


def test_gradients_check_their_input_like_backpropagation(small_net):
    n = small_net
    with pytest.raises(ValueError, match=r"^x: expected shape"):
        bp.autodiff.gradients(np.ones(5), n.Y[0], n.W, n.b, n.activations, n.loss)
