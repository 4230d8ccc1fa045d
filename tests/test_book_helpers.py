"""The helpers chapters use to show bplib: source listings and figures."""

import inspect

import matplotlib
import numpy as np
import pytest

import bplib as bp

matplotlib.use("Agg")


def test_show_source_shows_the_library_code_itself():
    shown = bp.book.show_source(bp.forward_propagation)
    assert shown.data == inspect.getsource(bp.forward_propagation)
    assert shown.data.startswith("def forward_propagation(")
    # The plain-text form, which nbval compares, is the code itself.
    assert repr(shown) == shown.data


def test_show_source_shows_a_method_flush_left():
    shown = bp.book.show_source(bp.activations.Sigmoid.value)
    assert shown.data.startswith("def value(")
    # The method sits four spaces in, inside its class; shown, it loses exactly those four.
    source = inspect.getsource(bp.activations.Sigmoid.value).splitlines()
    assert shown.data.splitlines() == [line[4:] for line in source]


def test_draw_network_draws_a_line_per_weight_and_a_circle_per_neuron():
    import matplotlib.pyplot as plt

    W, _ = bp.init_params([2, 3, 1], rng=0)
    ax = bp.book.draw_network(W, weight_labels=True)
    assert len(ax.lines) == 2 * 3 + 3 * 1
    neurons = sum(len(c.get_offsets()) for c in ax.collections)
    assert neurons == 2 + 3 + 1
    labels = [t.get_text() for t in ax.texts]
    for w in np.concatenate([W_l.ravel() for W_l in W]):
        assert f"{w:g}" in labels
    # Positive weights are solid blue, negative ones dashed vermillion (Okabe-Ito): the sign
    # shows in greyscale too.
    W_flat = np.concatenate([W_l.ravel() for W_l in W])
    for line, w in zip(ax.lines, W_flat):
        positive = w >= 0
        assert line.get_color() == bp.book.OKABE_ITO["blue" if positive else "vermillion"]
        assert line.get_linestyle() == ("-" if positive else "--")
    plt.close("all")


def test_draw_network_labels_do_not_overlap_and_are_at_least_11_points():
    import matplotlib.pyplot as plt

    # Chapter 1's 2-3-1 network, the densest diagram the book draws with labels.
    W = [np.array([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]), np.array([[0.7, -0.8, 0.9]])]
    ax = bp.book.draw_network(W, weight_labels=True)
    assert_texts_readable(ax)
    # Each weight's label sits on its own line and on no other, clear of every neuron: where
    # lines cross, a label would not say which weight it is.
    renderer = ax.figure.canvas.get_renderer()
    labels = texts(ax)
    assert len(labels) == len(ax.lines) + 3        # one per weight, then the 3 layer names
    for line, label in zip(ax.lines, labels):
        box = label.get_window_extent(renderer)
        crossing = [other.get_label() for other in ax.lines
                    if _crosses(_path_in_display(other), box)]
        assert crossing == [line.get_label()], (label.get_text(), crossing)
        assert not _touches_a_neuron(ax, box), label.get_text()
    plt.close("all")


def _path_in_display(artist):
    """A line's or an arrow's path (as drawn: an arrow shrunk at both ends) in pixels."""
    return artist.get_transform().transform_path(artist.get_path())


def _crosses(path, box):
    """Whether a path's strokes pass through a box. (Path.intersects_bbox alone misreads an
    arrow's path, a curve followed by the closed arrowhead: it is tested piece by piece.)"""
    from matplotlib.path import Path

    return any(Path(piece).intersects_bbox(box, filled=False)
               for piece in path.to_polygons(closed_only=False))


def _touches_a_neuron(ax, box):
    """Whether a display-space box reaches into one of the circles the Axes draws as neurons."""
    for collection in ax.collections:
        radius = np.sqrt(collection.get_sizes()[0]) / 2 * ax.figure.dpi / 72   # pixels
        for cx, cy in ax.transData.transform(collection.get_offsets()):
            nearest_x, nearest_y = np.clip(cx, box.x0, box.x1), np.clip(cy, box.y0, box.y1)
            if np.hypot(cx - nearest_x, cy - nearest_y) < radius:
                return True
    return False


# The worked example of chapter 2: a 2-3-2 network, tanh then sigmoid, MSE.
X2 = np.array([1.0, 0.5])
Y2 = np.array([1.0, 0.0])
W2 = [np.array([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]),
      np.array([[0.7, -0.8, 0.9], [-0.2, 0.3, 0.4]])]
B2 = [np.array([0.1, 0.0, -0.1]), np.array([0.2, -0.1])]
ACTS2 = ["tanh", "sigmoid"]


def texts(ax):
    """Every string on the Axes (ax.texts holds the annotations too)."""
    return [t for t in ax.texts if t.get_text()]


def assert_texts_readable(ax):
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    shown = texts(ax)
    assert all(t.get_fontsize() >= 11 for t in shown)
    boxes = [t.get_window_extent(renderer) for t in shown]
    for i, box in enumerate(boxes):
        for j in range(i):
            assert not box.overlaps(boxes[j]), (shown[i].get_text(), shown[j].get_text())
        # Inside the figure, not cut off at its edge.
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)


def drawn_numbers(ax, prefix=""):
    """The numbers written on the Axes, in drawing order, from the texts starting with prefix."""
    out = []
    for t in texts(ax):
        text = t.get_text()
        if text.startswith(prefix) and not text.startswith("$"):
            try:
                out.append(float(text[len(prefix):]))
            except ValueError:
                pass
    return out


def test_draw_backward_flow_draws_bplibs_own_forward_values_deltas_and_gradients():
    import matplotlib.pyplot as plt

    ax = bp.book.draw_backward_flow(X2, Y2, W2, B2, ACTS2, "mse")
    assert isinstance(ax, plt.Axes)
    a, _ = bp.forward_propagation(X2, W2, B2, ACTS2)
    dW, db = bp.backpropagation(X2, Y2, W2, B2, ACTS2, "mse")
    half_unit = 0.5e-4 + 1e-12      # numbers are written to 4 decimals
    # The forward values: x, then a of every layer, each in its neuron.
    plain = drawn_numbers(ax)
    forward = np.concatenate(a)
    weight_grads = np.concatenate([g.ravel() for g in dW])
    assert len(plain) == forward.size + weight_grads.size
    # Told apart by colour: forward values black, entries of ∂L/∂W blue, row by row.
    drawn_forward = [float(t.get_text()) for t in ax.texts
                     if t.get_color() == "black" and _is_number(t.get_text())]
    np.testing.assert_allclose(drawn_forward, forward, rtol=0, atol=half_unit)
    drawn_grads = [float(t.get_text()) for t in ax.texts
                   if t.get_color() == bp.book.OKABE_ITO["blue"] and _is_number(t.get_text())]
    np.testing.assert_allclose(drawn_grads, weight_grads, rtol=0, atol=half_unit)
    # δ of every neuron of layers 1..L: bp.backpropagation's ∂L/∂b (BP3: the two are equal).
    deltas = drawn_numbers(ax, "δ = ")
    np.testing.assert_allclose(deltas, np.concatenate(db), rtol=0, atol=half_unit)
    # ... and they are the δ of BP1 and BP2, computed here independently.
    z1 = W2[0] @ X2 + B2[0]
    a1 = np.tanh(z1)
    a2 = 1 / (1 + np.exp(-(W2[1] @ a1 + B2[1])))
    delta2 = (a2 - Y2) * a2 * (1 - a2)
    delta1 = (W2[1].T @ delta2) * (1 - a1 ** 2)
    np.testing.assert_allclose(deltas, np.concatenate([delta1, delta2]), rtol=0, atol=half_unit)
    # One arrow per weight of layers 2..L, pointing from the right neuron to the left one; none
    # into the input layer, which has no δ (the gradient of W¹ is drawn all the same).
    arrows = [c for c in ax.texts if getattr(c, "arrow_patch", None) is not None]
    assert len(arrows) == sum(W_l.size for W_l in W2[1:])
    assert all(arr.xy[0] < arr.xyann[0] for arr in arrows)
    x_input = ax.transData.transform(ax.collections[0].get_offsets())[:, 0].max()
    assert_texts_readable(ax)
    # No arrow reaches the input layer, and none crosses a number or a label.
    for arrow in arrows:
        path = _path_in_display(arrow.arrow_patch)
        assert path.get_extents().x0 > x_input
        for t in texts(ax):
            if t is not arrow:
                assert not _crosses(path, t.get_window_extent()), t.get_text()
    plt.close("all")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_draw_backward_flow_works_on_any_architecture_and_draws_into_a_given_axes():
    import matplotlib.pyplot as plt

    W, b = bp.init_params([3, 4, 2, 1], rng=0)
    x, y = np.array([0.5, -1.0, 0.3]), np.array([1.0])
    fig, ax = plt.subplots()
    assert bp.book.draw_backward_flow(x, y, W, b, ["relu", "tanh", "sigmoid"], "bce",
                                      ax=ax) is ax
    _, db = bp.backpropagation(x, y, W, b, ["relu", "tanh", "sigmoid"], "bce")
    assert len(drawn_numbers(ax, "δ = ")) == sum(d.size for d in db)
    plt.close("all")


@pytest.mark.parametrize("change, error, words", [
    (dict(x=np.array([1.0, 0.5, 0.2])), ValueError, "x"),
    (dict(y=np.array([1.0])), ValueError, "y"),
    (dict(activations=["tanh"]), ValueError, "activations"),
    (dict(activations=["tanh", "no_such"]), ValueError, "no_such"),
    (dict(loss="no_such"), ValueError, "no_such"),
    (dict(W=[W2[0], W2[1].T]), ValueError, "W"),
    (dict(x="one"), TypeError, "x"),
])
def test_draw_backward_flow_rejects_bad_input_with_bplibs_own_errors(change, error, words):
    import matplotlib.pyplot as plt

    args = dict(x=X2, y=Y2, W=W2, b=B2, activations=ACTS2, loss="mse") | change
    with pytest.raises(error, match=words):
        bp.book.draw_backward_flow(**args)
    # The same error as bplib's backpropagation raises on the same input.
    with pytest.raises(error, match=words):
        bp.forward_propagation(args["x"], args["W"], args["b"], args["activations"])
        bp.backpropagation(*args.values())
    plt.close("all")
