"""Figures the chapters share: one style, and the network diagram."""

from __future__ import annotations

import numpy as np

# Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct for every common
# colour-vision deficiency, ordered so the first series differ most (faint yellow comes last).
OKABE_ITO = {
    "blue": "#0072B2", "vermillion": "#D55E00", "green": "#009E73", "orange": "#E69F00",
    "purple": "#CC79A7", "sky": "#56B4E9", "black": "#000000", "yellow": "#F0E442",
}
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3)),
              (0, (8, 2))]

# One look for every figure in the book. Sizes suit the book's text column
# (about 700 px wide).
BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "figure.constrained_layout.use": True,
}


def use_book_style() -> None:
    """Apply the book's figure style to matplotlib (every chapter's first
    cell calls this, so that figures look alike across the book)."""
    import matplotlib.pyplot as plt
    from cycler import cycler

    # Each series gets a colour and a line style of its own: distinct in greyscale too.
    series = cycler(color=list(OKABE_ITO.values()), linestyle=LINESTYLES)
    plt.style.use(["default", BOOK_STYLE, {"axes.prop_cycle": series}])


def _layout(sizes: list[int], dx: float = 1.0, dy: float = 1.0) -> list[list[tuple[float, float]]]:
    """Where each neuron sits: layer l in column l * dx, neuron j of a layer of n at height
    ((n - 1)/2 - j) * dy, so that every column is centred on 0. draw_network and
    draw_backward_flow share it."""
    return [[(l * dx, ((n - 1) / 2 - j) * dy) for j in range(n)] for l, n in enumerate(sizes)]


def _edge_label_point(p0, p1, j: int, k: int, shape: tuple[int, int]) -> tuple[float, float]:
    """Where the label of weight w_jk goes: on its line from p0 (neuron k on the left) to p1
    (neuron j on the right), a fixed fraction of the way from one end.

    Lines cross in the middle of a layer gap, so the label goes near an end: the end whose
    neurons have fewer lines (near the left neurons if each sends fewer lines than each right
    neuron receives, else near the right ones), where the lines are still apart. Two lines
    sharing that end part enough there; three or more are staggered along their length, so
    that their labels do not meet."""
    n_out, n_in = shape
    near_left = n_out <= n_in
    i, m = (j, n_out) if near_left else (k, n_in)      # the line's place in its bundle of m
    t = 0.32 + (0.14 * (i % 2) if m > 2 else 0.0)
    if not near_left:
        t = 1 - t
    return p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1])


def _layer_name(l: int, L: int) -> str:
    return "input" if l == 0 else "output" if l == L else f"hidden {l}" if L > 2 else "hidden"


def draw_network(W: list[np.ndarray], ax=None, weight_labels: bool = False,
                 layer_names: bool = True, fontsize: float = 15):
    """Draw a network: a column of neurons per layer, a line per weight.

    A line's width grows with the weight's size; positive weights are solid
    Okabe-Ito blue, negative ones dashed vermillion.
    weight_labels writes each w on its line, in a white box, near the end
    where its line is still apart from the others (never where lines cross;
    legible for small networks only). Returns the matplotlib Axes (chapter 1).
    """
    import matplotlib.pyplot as plt  # here: the rest of bplib needs numpy only

    sizes = [W[0].shape[1]] + [W_l.shape[0] for W_l in W]
    # Data units are inches (equal aspect), so sizes below are what the page shows. Labelled
    # lines need room: longer and further apart, so that a label sits where its line is alone.
    dx, dy = (2.25, 1.1) if weight_labels else (1.6, 0.8)
    top = (max(sizes) - 1) / 2 * dy
    xlim = (-0.65, len(W) * dx + 0.65)
    ylim = (-top - 0.35, top + (1.05 if layer_names else 0.35))
    if ax is None:
        # Small, with large fonts: the page shows it at its own size on a wide screen and
        # scales it down on a phone, where 15 pt on a 5.8 in figure still reads.
        fig = plt.figure(figsize=(xlim[1] - xlim[0], ylim[1] - ylim[0]))
        fig.set_layout_engine("none")
        ax = fig.add_axes((0, 0, 1, 1))
    position = _layout(sizes, dx=dx, dy=dy)
    largest = max(np.max(np.abs(W_l)) for W_l in W) or 1.0
    for l, W_l in enumerate(W):
        # W[l][j, k] joins neuron k of layer l to neuron j of layer l + 1.
        for j, k in np.ndindex(W_l.shape):
            p0, p1 = position[l][k], position[l + 1][j]
            w = W_l[j, k]
            ax.plot([p0[0], p1[0]], [p0[1], p1[1]],
                    color=OKABE_ITO["blue"] if w >= 0 else OKABE_ITO["vermillion"],
                    linestyle="-" if w >= 0 else "--",
                    linewidth=0.8 + 3 * abs(w) / largest, zorder=1)
            if weight_labels:
                ax.text(*_edge_label_point(p0, p1, j, k, W_l.shape), f"{w:g}",
                        fontsize=fontsize, ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none"))
    for l, column in enumerate(position):
        xs, ys = zip(*column)
        ax.scatter(xs, ys, s=800, facecolor="white", edgecolor="black", linewidth=1.2,
                   zorder=2)
        if layer_names:
            ax.text(l * dx, max(ys) + 0.3, f"{_layer_name(l, len(W))}\n$n_{l} = {sizes[l]}$",
                    ha="center", va="bottom", fontsize=fontsize)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def draw_backward_flow(x, y, W: list[np.ndarray], b: list[np.ndarray], activations, loss,
                       ax=None, fontsize: float = 13):
    """Backpropagation drawn on the network it runs on (chapter 2).

    Each neuron shows its forward value a (inside; the inputs show x), and
    each neuron of layers 1..L its error δ = ∂L/∂z beneath it (vermillion),
    off the side its arrows touch; the arrows point right to left, the way δ
    flows, and stop at layer 1: the inputs have no δ. Under each layer of
    weights stands its gradient ∂L/∂Wˡ = δˡ(aˡ⁻¹)ᵀ (blue), entry (j, k) in
    row j and column k, as the weight w_jk joins neuron k on the left to
    neuron j on the right. Every number comes from bplib's own
    forward_propagation and backpropagation on the arguments, which check
    them (a wrong shape or name raises their ValueError or TypeError).
    Numbers are written to 4 decimals, as chapter 2 prints them. Returns the
    matplotlib Axes.
    """
    import matplotlib.pyplot as plt  # here: the rest of bplib needs numpy only

    from ..network import backpropagation, forward_propagation

    a, _ = forward_propagation(x, W, b, activations)
    dW, db = backpropagation(x, y, W, b, activations, loss)   # db[l] is δ of layer l + 1 (BP3)
    sizes = [len(a_l) for a_l in a]
    L = len(dW)
    y_ = np.ravel(y)
    # Data units: columns dx apart, neurons dy apart, matrix entries cw apart and rh apart
    # (sized for the default font; a circle fits a number such as -0.0997).
    dx, dy, cw, rh = 2.3, 1.4, 0.85, 0.45
    radius = 2.6 * fontsize                   # points
    n_rows = max(W_l.shape[0] for W_l in dW)
    top = (max(sizes) - 1) / 2 * dy
    bottom = -top - 0.75 * dy                 # below the lowest δ
    height = top + 1.0 - (bottom - 0.55 - n_rows * rh - 0.2)
    if ax is None:
        # 7 in for one hidden layer (chapter 2); deeper networks widen it, keeping the scale.
        _, ax = plt.subplots(figsize=(7.0 * (L + 1.12) / 3.12, 0.95 * height),
                             layout="constrained")
    position = _layout(sizes, dx=dx, dy=dy)
    grey, blue, red = "#AAAAAA", OKABE_ITO["blue"], OKABE_ITO["vermillion"]

    def number(v):
        return f"{v + 0.0:.4f}"          # + 0.0: no "-0.0000"

    for l in range(1, L):
        # No arrows into the input layer: an input has no δ (its values x enter ∂L/∂W¹ below).
        for j, k in np.ndindex(dW[l].shape):
            # The line for w_jk, with its arrowhead at the left end: δ flows right to left.
            ax.annotate("", xy=position[l][k], xytext=position[l + 1][j], zorder=1,
                        arrowprops=dict(arrowstyle="-|>", color=grey, lw=1.2,
                                        shrinkA=radius + 1, shrinkB=radius + 1,
                                        mutation_scale=13))
    deltas = []
    for l, column in enumerate(position):
        xs, ys = zip(*column)
        ax.scatter(xs, ys, s=(2 * radius) ** 2, facecolor="white", edgecolor="black",
                   linewidth=1.2, zorder=2)
        for j, (px, py) in enumerate(column):
            ax.text(px, py, number(a[l][j]), fontsize=fontsize, ha="center", va="center",
                    zorder=4)
            if l > 0:
                # Under the neuron, moved off the side its arrows touch (arrows come into
                # layer 1 from the right, leave layer L to the left); see _keep_clear below.
                side = -1 if l < L else 1
                deltas.append(ax.annotate(
                    f"δ = {number(db[l - 1][j])}", (px, py),
                    xytext=(-side * 0.45 * radius, -radius - 2), textcoords="offset points",
                    color=red, fontsize=fontsize, ha="right" if side < 0 else "left",
                    va="top", zorder=4, bbox=dict(boxstyle="round,pad=0.1", fc="white",
                                                  ec="none")))
            if l == L:
                ax.annotate(f"y = {y_[j]:g}", (px, py), xytext=(radius + 4, 0),
                            textcoords="offset points", fontsize=fontsize, ha="left",
                            va="center")
        symbol = "x" if l == 0 else f"a^{l}"
        ax.text(l * dx, top + 0.62 * dy, f"{_layer_name(l, L)}: ${symbol}$",
                ha="center", va="bottom", fontsize=fontsize)
    # The ∂L/∂Wˡ in a row under the network, in layer order: row j is neuron j on the right,
    # column k neuron k on the left, so entry (j, k) = δ_j a_k.
    widths = [W_l.shape[1] * cw for W_l in dW]
    gap = 0.6 * cw
    left = L * dx / 2 - (sum(widths) + gap * (L - 1)) / 2
    for l in range(L):
        n_out, n_in = dW[l].shape
        cx, y0 = left + sum(widths[:l]) + gap * l + widths[l] / 2, bottom - 0.55
        ax.text(cx, y0, f"$\\partial L/\\partial W^{l + 1} = \\delta^{l + 1} (a^{l})^T$",
                color=blue, fontsize=fontsize, ha="center", va="bottom")
        for j, k in np.ndindex(n_out, n_in):
            ax.text(cx + (k - (n_in - 1) / 2) * cw, y0 - (j + 0.6) * rh, number(dW[l][j, k]),
                    color=blue, fontsize=fontsize, ha="center", va="center")
        # Brackets around the matrix.
        half, low, high = n_in * cw / 2 + 0.02, y0 - (n_out + 0.15) * rh, y0 - 0.08
        for side in (-1, 1):
            xe = cx + side * half
            ax.plot([xe + side * -0.08, xe, xe, xe + side * -0.08], [high, high, low, low],
                    color=blue, lw=1.2, linestyle="-")
    ax.set_xlim(-0.5 * dx, L * dx + 0.62 * dx)
    ax.set_ylim(bottom - 0.55 - n_rows * rh - 0.25, top + 1.0 * dy)
    ax.set_axis_off()
    _keep_clear(ax, deltas, [0.45 * radius, 0.0, -0.45 * radius], -radius - 2)
    return ax


def _keep_clear(ax, labels, shifts, dy_points):
    """Move each label, if an arrow crosses it, to the first of the other places under its
    neuron (horizontal shifts in points, left-aligned to right-aligned) that no arrow crosses.
    (Layers between two others have arrows on both sides: there the place depends on angles.)"""
    from matplotlib.path import Path

    fig = ax.figure
    arrows = [t.arrow_patch for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    if not arrows:
        return
    fig.canvas.draw()                     # lays the figure out: paths and boxes are final
    renderer = fig.canvas.get_renderer()
    # An arrow's path is a curve followed by its head: tested piece by piece.
    pieces = [Path(piece) for arrow in arrows
              for piece in arrow.get_transform().transform_path(arrow.get_path())
              .to_polygons(closed_only=False)]

    def crossed(label):
        box = label.get_window_extent(renderer)
        return any(piece.intersects_bbox(box, filled=False) for piece in pieces)

    for label in labels:
        if not crossed(label):
            continue
        first = label.get_position(), label.get_horizontalalignment()
        for shift in shifts:
            label.set_position((shift, dy_points))
            label.set_horizontalalignment("left" if shift > 0 else "right" if shift < 0
                                          else "center")
            if not crossed(label):
                break
        else:                             # nowhere clear: the first place, as drawn
            label.set_position(first[0])
            label.set_horizontalalignment(first[1])
