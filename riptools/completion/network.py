"""The slides' neural-network baseline: an MLP that maps a masked matrix to the full matrix.

Reference: M. Alkady, "Low-Rank Matrix Completion via Deep Neural Networks" (slides, 2025), "Model"
slide: a feed-forward network with two hidden ReLU layers of O(n²) neurons, Adam with learning rate
10⁻³, mini-batches of 64, a 90/10 train/test split (10 000 epochs in the slides; riptools caps the
epochs and reports the cap).

Input encoding (the slides do not print theirs): the n² entries with masked ones set to 0,
followed by the n² mask indicators (1 observed, 0 masked), so a masked entry is distinguishable
from an observed zero. Output: all n² entries, as the slides' printed predictions are full
matrices; errors are measured on the masked entries.

scikit-learn is an optional dependency (extra ``nn``); it is imported only when a network is trained.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from riptools.completion.instances import MaskedBatch, masked_batch
from riptools.validation import InputError, positive_int

LEARNING_RATE = 1e-3
BATCH_SIZE = 64
TRAIN_FRACTION = 0.9
# Hidden width O(n²) as in the slides: HIDDEN_PER_ENTRY · n², at least MIN_HIDDEN.
HIDDEN_PER_ENTRY = 8
MIN_HIDDEN = 32


def _mlp_regressor():
    """Returns scikit-learn's MLPRegressor class, or raises InputError naming the extra to install."""
    try:
        from sklearn.neural_network import MLPRegressor
    except ImportError:
        raise InputError("the network baseline needs scikit-learn: install riptools with the 'nn' extra (pip install 'riptools[nn]')") from None
    return MLPRegressor


def encode(values, masks) -> np.ndarray:
    """Returns the network input (B, 2n²): entries with masked ones zeroed, then the mask (1 observed)."""
    values, masks = np.asarray(values, dtype=np.float64), np.asarray(masks, dtype=bool)
    batch = values.shape[0]
    return np.concatenate([np.where(masks, values, 0.0).reshape(batch, -1), masks.reshape(batch, -1).astype(np.float64)], axis=1)


def masked_relative_errors(predicted, truth, masks) -> np.ndarray:
    """Returns ‖(X̂ − M)_masked‖ / ‖M_masked‖ per instance (predicting zero gives exactly 1)."""
    hidden = ~np.asarray(masks, dtype=bool)
    batch = hidden.shape[0]
    error = np.linalg.norm(((predicted - truth) * hidden).reshape(batch, -1), axis=1)
    scale = np.linalg.norm((truth * hidden).reshape(batch, -1), axis=1)
    return error / np.maximum(scale, np.finfo(float).tiny)


@dataclass(frozen=True)
class TrainedNetwork:
    """An MLP trained on one (n, r, number masked) data set, with its held-out data.

    Attributes:
        model: the fitted scikit-learn MLPRegressor.
        n: matrix size.
        rank: r of the training matrices.
        n_masked: masked entries per matrix.
        n_matrices: matrices generated (train + test).
        n_train: matrices trained on (90%).
        hidden: the two hidden layer widths.
        epochs: epochs run (≤ max_epochs; scikit-learn stops when the loss stalls).
        max_epochs: the cap.
        seconds: training time.
        test: the held-out instances (10%).
        seed: seed of the data and of the weights.
    """

    model: object
    n: int
    rank: int
    n_masked: int
    n_matrices: int
    n_train: int
    hidden: tuple[int, int]
    epochs: int
    max_epochs: int
    seconds: float
    test: MaskedBatch
    seed: int

    def predict(self, values, masks) -> np.ndarray:
        """Returns the network's full-matrix predictions (B, n, n) for masked inputs."""
        values, masks = np.asarray(values, dtype=np.float64), np.asarray(masks, dtype=bool)
        if values.shape[1:] != (self.n, self.n) or values.shape != masks.shape:
            raise InputError(f"values, masks: expected shape (B, {self.n}, {self.n}), got {values.shape} and {masks.shape}")
        return self.model.predict(encode(values, masks)).reshape(-1, self.n, self.n)


def train_network(n: int, rank: int, n_masked: int, *, n_matrices: int, max_epochs: int = 200, seed: int = 0, hidden: int | None = None) -> TrainedNetwork:
    """Returns an MLP trained as in the slides on ``n_matrices`` random masked rank-r matrices.

    Reference: M. Alkady (slides, 2025), "Model" slide (two hidden ReLU layers, Adam 1e-3, batch 64, 90/10 split).

    Args:
        n: matrix size.
        rank: r.
        n_masked: masked entries per matrix (random positions per matrix).
        n_matrices: matrices generated; 90% train, 10% held out.
        max_epochs: cap on epochs (the slides ran 10 000).
        seed: seed of the data and of the initial weights.
        hidden: hidden width (default HIDDEN_PER_ENTRY·n², at least MIN_HIDDEN).

    Raises:
        InputError: bad sizes, fewer than 10 matrices, or scikit-learn missing.
    """
    regressor = _mlp_regressor()
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn
    n_matrices = positive_int(n_matrices, "n_matrices", minimum=10)
    max_epochs = positive_int(max_epochs, "max_epochs")
    width = positive_int(hidden, "hidden") if hidden is not None else max(MIN_HIDDEN, HIDDEN_PER_ENTRY * n * n)
    data = masked_batch(n, rank, n_masked, n_matrices, seed=seed)
    matrices, masks = data.matrices, data.masks
    n_train = int(round(TRAIN_FRACTION * n_matrices))
    model = regressor(
        hidden_layer_sizes=(width, width),
        activation="relu",
        solver="adam",
        learning_rate_init=LEARNING_RATE,
        batch_size=BATCH_SIZE,
        max_iter=max_epochs,
        random_state=seed,
    )
    start = time.perf_counter()
    # One BLAS thread: on small matrices threads cost more than they give, and results stay reproducible.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # Hitting the epoch cap is expected and reported through `epochs`; not a warning for users.
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(encode(matrices[:n_train], masks[:n_train]), matrices[:n_train].reshape(n_train, -1))
    return TrainedNetwork(
        model=model,
        n=n,
        rank=rank,
        n_masked=n_masked,
        n_matrices=n_matrices,
        n_train=n_train,
        hidden=(width, width),
        epochs=int(model.n_iter_),
        max_epochs=max_epochs,
        seconds=time.perf_counter() - start,
        test=data.subset(slice(n_train, None)),
        seed=seed,
    )
