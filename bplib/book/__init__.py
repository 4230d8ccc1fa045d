"""The book's own helpers: what the chapters use to show, plot and explore
bplib, kept apart from the algorithms they teach.

    bp.book.show_source(bp.backpropagation)   # the library's own code
    bp.book.use_book_style()                  # one look for every figure
    bp.book.glue("ch3_acc", acc, ".1%")       # a number the prose quotes

No algorithm module of bplib imports it; bplib/__init__.py only exposes
it as bp.book.
"""

from . import experiments, explore, plotting, prose, source
from .experiments import (
                          EXPLORER_FIXES,
                          ExperimentResult,
                          deep_experiment,
                          explorer_config,
                          format_table,
                          plot_experiment,
                          sweep,
)
from .explore import explorer, learning_curve, learning_curve_grid, plot_history
from .plotting import OKABE_ITO, draw_backward_flow, draw_network, use_book_style
from .prose import glue
from .source import show_source

__all__ = [
    "experiments", "explore", "plotting", "prose", "source",
    "glue", "OKABE_ITO",
    "show_source", "use_book_style", "draw_network", "draw_backward_flow",
    "learning_curve", "learning_curve_grid", "plot_history", "explorer",
    "deep_experiment", "sweep", "format_table", "explorer_config",
    "plot_experiment", "ExperimentResult", "EXPLORER_FIXES",
]
