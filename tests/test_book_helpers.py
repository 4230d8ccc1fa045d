"""The helpers chapters use to show bplib: source listings and figures."""

import inspect

import matplotlib
import numpy as np

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
    # Negative weights are red, positive blue.
    colours = {line.get_color() for line in ax.lines}
    assert colours <= {"tab:blue", "tab:red"}
    plt.close("all")
