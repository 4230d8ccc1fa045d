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

The modules, each one idea, in the order the book derives them:
activations, losses, network (forward pass, backpropagation), training
(the one training loop), gradient_check, batchnorm and deep (chapter 8's
deep networks), diagnostics, autodiff; _checks holds every input check.
bplib.book holds the chapters' own helpers (showing code, figures,
explorers), apart from the algorithms.
"""

from . import activations, autodiff, book, losses
from .activations import ACTIVATIONS, Activation, get_activation
from .autodiff import Tensor
from .batchnorm import batchnorm_backward, batchnorm_forward, batchnorm_inference
from .deep import (
                        DeepNet,
                        deep_backprop,
                        deep_forward,
                        deep_loss,
                        deep_predict,
                        init_deep,
                        layer_flags,
)
from .diagnose import Diagnosis, diagnose
from .diagnostics import (
                        Diagnostics,
                        activation_stats,
                        first_last_ratio,
                        gradient_norms,
                        update_ratios,
)
from .gradient_check import (
                        GradcheckReport,
                        entry_error,
                        gradcheck,
                        numerical_gradient,
                        relative_error,
                        step_size_errors,
)
from .losses import LOSSES, Loss, get_loss
from .network import (
                        PlainNet,
                        backprop_batch,
                        backpropagation,
                        forward_batch,
                        forward_propagation,
                        init_params,
                        network_loss,
                        predict,
)
from .training import History, TrainingDiverged, TrainingStep, clip_by_norm, train

__version__ = "0.1.0"

__all__ = [
    "activations", "autodiff", "book", "losses",
    "Activation", "ACTIVATIONS", "get_activation",
    "Loss", "LOSSES", "get_loss",
    "init_params", "forward_propagation", "backpropagation",
    "forward_batch", "backprop_batch", "predict", "network_loss",
    "PlainNet",
    "train", "History", "TrainingStep", "TrainingDiverged", "clip_by_norm",
    "gradcheck", "GradcheckReport", "numerical_gradient", "relative_error",
    "entry_error", "step_size_errors",
    "Tensor",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_inference",
    "DeepNet", "init_deep", "layer_flags", "deep_forward", "deep_backprop",
    "deep_predict", "deep_loss",
    "Diagnostics", "gradient_norms", "first_last_ratio",
    "update_ratios", "activation_stats",
    "diagnose", "Diagnosis",
]
