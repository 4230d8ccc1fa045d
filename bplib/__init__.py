"""bplib: the numpy library of "Backpropagation, derived and tested".

Every chapter of the book derives a piece of this library and checks it;
the book shows this code, never a copy. Layers are numbered 1..L in the
text and 0..L-1 here: W[0] is the text's W¹.

    import bplib as bp
    W, b = bp.init_params([2, 3, 1], scheme="he", rng=0)
    acts = ["tanh", "sigmoid"]
    a, z = bp.forward_propagation(x, W, b, acts)            # chapter 1
    dW, db = bp.backpropagation(x, y, W, b, acts, "bce")    # chapter 2
    W, b, history = bp.train(X, Y, [2, 3, 1], 0.5, 100, 16,  # chapter 3
                             activations=acts, loss="bce", rng=0)
    W, b, history = bp.train(X, Y, [2, 8, 8, 1], 0.5, 100, 16,  # chapter 8
                             activations=["relu", "relu", "sigmoid"],
                             loss="bce", batch_norm=True, residual=True)
    dW, db = bp.autodiff.gradients(x, y, W, b, acts, "bce")  # chapter 9
"""

from . import activations, autodiff, explore, losses
from .activations import ACTIVATIONS, Activation, get_activation
from .autodiff import Tensor
from .batchnorm import (batchnorm_backward, batchnorm_forward,
                        batchnorm_inference)
from .deep import (DeepNet, deep_backprop, deep_forward, deep_loss,
                   deep_predict, init_deep, layer_flags, train_deep)
from .diagnostics import (Diagnostics, TrainingStep, activation_stats,
                          first_last_ratio, gradient_norms, update_ratios)
from .experiments import (EXPLORER_FIXES, deep_experiment, explorer_config,
                          format_table, plot_experiment, sweep)
from .explore import learning_curve, learning_curve_grid
from .gradient_check import (GradcheckReport, gradcheck, numerical_gradient,
                             relative_error, step_size_errors)
from .losses import LOSSES, Loss, get_loss
from .network import (
    backprop_batch,
    backpropagation,
    forward_batch,
    forward_propagation,
    init_params,
    network_loss,
    output_delta,
    predict,
)
from .plotting import draw_network, use_book_style
from .source import show_source
from .training import History, TrainingDiverged, clip_by_norm, train

__version__ = "0.1.0"

__all__ = [
    "activations", "autodiff", "explore", "losses",
    "Activation", "ACTIVATIONS", "get_activation",
    "Loss", "LOSSES", "get_loss",
    "init_params", "forward_propagation", "backpropagation", "output_delta",
    "forward_batch", "backprop_batch", "predict", "network_loss",
    "train", "History", "TrainingDiverged", "clip_by_norm",
    "learning_curve", "learning_curve_grid",
    "gradcheck", "GradcheckReport", "numerical_gradient", "relative_error",
    "step_size_errors",
    "show_source", "draw_network", "use_book_style",
    "Tensor",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_inference",
    "DeepNet", "init_deep", "layer_flags", "deep_forward", "deep_backprop",
    "deep_predict", "deep_loss", "train_deep",
    "Diagnostics", "TrainingStep", "gradient_norms", "first_last_ratio",
    "update_ratios", "activation_stats",
    "deep_experiment", "sweep", "format_table", "explorer_config",
    "EXPLORER_FIXES",
    "plot_experiment",
]
