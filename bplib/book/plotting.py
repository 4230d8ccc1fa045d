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
    "legend.fontsize": 10,
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


def draw_network(W: list[np.ndarray], ax=None, weight_labels: bool = False,
                 layer_names: bool = True):
    """Draw a network: a column of neurons per layer, a line per weight.

    A line's width grows with the weight's size; blue is positive, red
    negative.
    weight_labels writes each w on its line (legible for small networks
    only). Returns the matplotlib Axes (chapter 1).
    """
    import matplotlib.pyplot as plt  # here: the rest of bplib needs numpy only

    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 * (len(W) + 1), 3))
    sizes = [W[0].shape[1]] + [W_l.shape[0] for W_l in W]
    # Neuron j of a layer of n sits at height (n - 1)/2 - j: centred on 0.
    position = [[(l, (n - 1) / 2 - j) for j in range(n)]
                for l, n in enumerate(sizes)]
    largest = max(np.max(np.abs(W_l)) for W_l in W) or 1.0
    for l, W_l in enumerate(W):
        # W[l][j, k] joins neuron k of layer l to neuron j of layer l + 1.
        for j, k in np.ndindex(W_l.shape):
            (x0, y0), (x1, y1) = position[l][k], position[l + 1][j]
            w = W_l[j, k]
            ax.plot([x0, x1], [y0, y1],
                    color="tab:blue" if w >= 0 else "tab:red",
                    linewidth=0.5 + 3 * abs(w) / largest, zorder=1)
            if weight_labels:
                # Stagger labels by source neuron, so that lines leaving
                # different neurons do not put labels in the same spot.
                t = 0.25 + 0.5 * (k + 0.5) / W_l.shape[1]
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), f"{w:g}",
                        fontsize=8, ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.1", fc="white",
                                  ec="none"))
    for l, column in enumerate(position):
        xs, ys = zip(*column)
        ax.scatter(xs, ys, s=500, facecolor="white", edgecolor="black",
                   zorder=2)
        if layer_names:
            name = ("input" if l == 0 else
                    "output" if l == len(W) else f"hidden {l}")
            ax.text(l, max(ys) + 0.7, f"{name}\n$n_{l} = {sizes[l]}$",
                    ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.5, len(W) + 0.5)
    ax.set_ylim(-max(sizes) / 2 - 0.2, max(sizes) / 2 + 1.1)
    ax.set_axis_off()
    return ax
