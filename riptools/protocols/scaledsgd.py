"""ScaledSGD versus SGD protocols: the three experiments of Section 5 (Figures 1–3) and the theory quantities.

G. Zhang, H.-M. Chiu, R. Y. Zhang, "Accelerating SGD for Highly Ill-Conditioned Huge-Scale Online
Matrix Completion" (NeurIPS 2022, arXiv:2208.11246), Section 5:

* **Figure 1 (RMSE).** 30×30, rank 3, κ(M) = 1 and 10⁴, step 0.3 for both methods; every epoch
  visits all d² entries in a fresh random order (the authors' ``Exp1_RMSE.m``, 200 epochs).
* **Figure 2 (EDM).** 30 points uniform in [−1, 1]³, and the same with 5 points far outside; rank 3.
  The paper does not state the step sizes; we use the authors' public ``Exp2_EDM.m`` values
  (ScaledSGD 0.2 on both sets, SGD 0.02 on the well- and 0.002 on the ill-conditioned set, 500
  epochs), all off-diagonal entries every epoch.
* **Figure 3 (BPR).** Item-item collaborative filtering, r = 3, 2 epochs, ScaledSGD step 10³ and SGD
  step 10⁻² (the authors' ``Exp3_CF_Huge.m``; the paper states none). On MovieLens-25M (62,000
  items, 10⁸ train / 10⁷ test triples) when a ``ratings.csv`` is given; otherwise on the generated
  stand-in of :mod:`riptools.protocols.scaledsgd_data` at the same size (``--quick``: 1,000 items
  and the same number of triples per item, ScaledSGD step scaled by 1,000/62,000 so that the initial
  effective step ηP₀ ≈ η/(dσ²) is the full run's). Curves every 1% of an epoch (``--quick``: 4%);
  training loss on a fixed subsample of at most :data:`TRAIN_EVAL_SIZE` training triples, AUC on the
  whole test set.
  NP-Maximum (the paper's baseline, Rendle et al.): the best AUC of one global score per item,
  fitted on the test set itself; we report the better of a logistic fit and the win-rate score,
  both achievable scores, so a lower bound on the exact NP-Maximum (an NP-hard ordering problem).

Along every run: loss, relative error ‖XXᵀ − M‖_F/‖M‖_F (EDM: of the distance matrix), the largest
leverage score max_i g_i(X) (Theorem 2) and cond(XᵀX), and the drift of the cached P.

Each experiment is a :class:`~riptools.protocols.Protocol` (:data:`RMSE`, :data:`COHERENCE`,
:data:`EDM`, :data:`DRIFT`, :data:`BPR`): a frozen parameters dataclass in, a frozen result out
(:class:`PairExperiment`, :class:`DriftMeasurement`, :class:`BprExperiment`); verdicts and prose are
the source's (:mod:`riptools.sources.scaledsgd`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from riptools.dynamics.scaledsgd import (
    DEFAULT_RESYNC_EVERY,
    LOSS_EDM,
    LOSS_RMSE,
    MODE_SCALED,
    MODE_SGD,
    PAIR_LOSSES,
    coherence_bound_scale,
    evaluate_triples,
    initial_preconditioner,
    leverage_scores,
    logistic_scores_epoch,
    pair_steps,
    relative_drift,
    score_auc,
    triple_steps,
)
from riptools.protocols import Protocol
from riptools.protocols.scaledsgd_data import (
    Triples,
    completion_ground_truth,
    draw_triples,
    edm_points,
    generated_similarity,
    load_ratings,
    squared_distances,
)
from riptools.validation import InputError, positive_int

METHODS = ("scaledsgd", "sgd")
TARGET_ERROR = 1e-10
"""The relative error whose first epoch is reported (``epochs_to_1e-10``)."""
RMSE_STEP = 0.3
"""Figure 1's step size for both methods (stated in the paper)."""
EDM_STEPS = {"scaledsgd": (0.2, 0.2), "sgd": (0.02, 0.002)}
"""(well-, ill-conditioned) step sizes of the authors' ``Exp2_EDM.m``."""
BPR_STEPS = {"scaledsgd": 1e3, "sgd": 1e-2}
"""Step sizes of the authors' ``Exp3_CF_Huge.m`` at d = 62,000."""
FULL_ITEMS, FULL_TRAIN, FULL_TEST = 62_000, 100_000_000, 10_000_000
QUICK_ITEMS = 1_000
CHECKPOINTS_PER_EPOCH = 100
"""Records per epoch of the full run (every 1%, as the authors); ``--quick`` records every 4%."""
QUICK_CHECKPOINTS_PER_EPOCH = 25
TRAIN_EVAL_SIZE = 1_000_000
"""Training triples (a fixed random subsample, at most a tenth of the set) on which the loss is recorded."""
NP_EPOCHS, NP_STEP = 20, 0.1
"""Logistic fit of the NP-Maximum scores (the authors use step 0.1)."""
AUC_TARGET = 0.9
"""The AUC whose first crossing is recorded (the paper compares the samples each method needs to reach it)."""


@dataclass(frozen=True)
class Trajectory:
    """One run's curves, recorded after every epoch (BPR: every 1% of an epoch).

    Attributes:
        method: ``scaledsgd`` or ``sgd``. lr: step size. p_init: how P₀ was set.
        epochs: epochs completed at each record (fractions for BPR).
        loss: mean per-sample loss on the training samples (None once the run diverged).
        error: relative error ‖XXᵀ − M‖_F/‖M‖_F where M is known (else empty).
        max_leverage: max_i g_i(X). cond_gram: cond(XᵀX).
        p_drift: ScaledSGD's largest relative drift of the cached P seen at a resync since the last record.
        auc: test AUC (BPR only).
        seconds: wall time of the steps (records excluded).
    """

    method: str
    lr: float
    p_init: str = "exact"
    epochs: tuple = ()
    loss: tuple = ()
    error: tuple = ()
    max_leverage: tuple = ()
    cond_gram: tuple = ()
    p_drift: tuple = ()
    auc: tuple = ()
    seconds: float = 0.0

    def epochs_to(self, target: float = TARGET_ERROR):
        """Returns the first recorded epoch whose relative error is ≤ target, or None."""
        hits = [e for e, err in zip(self.epochs, self.error) if err is not None and err <= target]
        return hits[0] if hits else None

    def decades_per_epoch(self):
        """Returns the linear rate: decades of relative error lost per epoch between 1e-4 and 1e-10, or None."""
        start, stop = self.epochs_to(1e-4), self.epochs_to()
        if start is None or stop is None or stop == start:
            return None
        return 6.0 / (stop - start)

    @property
    def final_error(self):
        """The last recorded relative error (None when the run diverged or M is unknown)."""
        return self.error[-1] if self.error else None

    @property
    def largest_leverage(self) -> float:
        """max_t max_i g_i(X_t) over the finite records."""
        return max(v for v in self.max_leverage if v is not None)

    def to_fraction(self, threshold: float):
        """Returns the first fraction of an epoch where the AUC reaches ``threshold`` (see :func:`fraction_to_reach`)."""
        return fraction_to_reach(self.epochs, self.auc, threshold)

    def summary(self) -> dict:
        """Returns the JSON form printed by ``riptools scaledsgd --json`` (curves and summary numbers)."""
        out = {k: getattr(self, k) for k in ("lr", "p_init", "epochs", "loss", "max_leverage", "cond_gram", "p_drift", "seconds")}
        if self.error:
            out["error"] = self.error
            out["epochs_to_1e-10"] = self.epochs_to()
            out["decades_per_epoch"] = self.decades_per_epoch()
        if self.auc:
            out["auc"] = self.auc
        return out


class _Curves:
    """The lists a run appends its records to; frozen into a :class:`Trajectory` at the end."""

    NAMES = ("epochs", "loss", "error", "max_leverage", "cond_gram", "p_drift", "auc")

    def __init__(self):
        for name in self.NAMES:
            setattr(self, name, [])
        self.seconds = 0.0

    def theory(self, X: np.ndarray) -> None:
        """Appends max_i g_i(X) and cond(XᵀX) (None for a diverging run whose Gram overflows)."""
        with np.errstate(over="ignore", invalid="ignore"):
            gram = X.T @ X
        if not np.all(np.isfinite(gram)):
            self.max_leverage.append(None)
            self.cond_gram.append(None)
            return
        self.max_leverage.append(float(leverage_scores(X).max()))
        self.cond_gram.append(float(np.linalg.cond(gram)))

    def freeze(self, **fields) -> Trajectory:
        return Trajectory(**fields, **{name: tuple(getattr(self, name)) for name in self.NAMES}, seconds=self.seconds)


def _method_mode(method: str) -> int:
    if method not in METHODS:
        raise InputError(f"method: expected one of {METHODS}, got {method!r}")
    return MODE_SCALED if method == "scaledsgd" else MODE_SGD


def _pair_loss(X, rows, cols, values, loss: int) -> float:
    inner = np.einsum("ij,ij->i", X[rows], X[cols])
    if loss == LOSS_RMSE:
        return float(np.mean(0.5 * (inner - values) ** 2))
    if loss == LOSS_EDM:
        sq = np.einsum("ij,ij->i", X, X)
        return float(np.mean(0.25 * (sq[rows] + sq[cols] - 2 * inner - values) ** 2))
    target = 1.0 / (1.0 + np.exp(-values))
    return float(np.mean(np.logaddexp(0.0, inner) - target * inner))


def run_pairs(X0, rows, cols, values, *, loss: str, method: str, lr: float, epochs: int, seed: int,
              error=None, p_init: str = "exact", resync_every: int = DEFAULT_RESYNC_EVERY) -> Trajectory:
    """Returns the trajectory of SGD or ScaledSGD on pair samples, one epoch = all samples once.

    Args:
        X0: (d, r) start (rows N(0, 1) in every experiment here).
        rows, cols, values: the observed samples (i, j, value).
        loss: one of :data:`PAIR_LOSSES`. method: ``scaledsgd`` or ``sgd``.
        lr: step size η. epochs: number of passes. seed: the visiting orders (shared by both methods).
        error: optional callable X → relative error, recorded per epoch.
        p_init, resync_every: see :mod:`riptools.dynamics.scaledsgd`.

    Stops early (keeping the records) if the iterate stops being finite.
    """
    if loss not in PAIR_LOSSES:
        raise InputError(f"loss: expected one of {PAIR_LOSSES}, got {loss!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise InputError(f"lr: expected a positive step size, got {lr!r}")
    epochs = positive_int(epochs, "epochs")
    code = PAIR_LOSSES.index(loss)
    mode = _method_mode(method)
    X = np.array(X0, dtype=float)
    P = initial_preconditioner(X, p_init=p_init) if mode == MODE_SCALED else np.eye(X.shape[1])
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    values = np.asarray(values, float)
    rng = np.random.default_rng([seed, 0x5347])
    counter = np.zeros(1, dtype=np.int64)
    curves = _Curves()

    def record(epoch, drift):
        curves.epochs.append(epoch)
        curves.p_drift.append(drift)
        if not np.all(np.isfinite(X)):  # diverged: the curves end with None
            for curve in (curves.loss, curves.max_leverage, curves.cond_gram) + ((curves.error,) if error else ()):
                curve.append(None)
            return False
        curves.loss.append(_pair_loss(X, rows, cols, values, code))
        if error is not None:
            curves.error.append(float(error(X)))
        curves.theory(X)
        return True

    record(0, 0.0)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(rows.size)
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            drift = pair_steps(X, P, rows, cols, values, order, float(lr), code, mode, int(resync_every), counter)
        curves.seconds += time.perf_counter() - start
        if not record(epoch, drift):
            break
    return curves.freeze(method=method, lr=float(lr), p_init=p_init if mode == MODE_SCALED else "none")


def all_pairs(d: int, *, diagonal: bool):
    """Returns (rows, cols) of every ordered pair of [d]², with or without the diagonal."""
    rows, cols = np.divmod(np.arange(d * d), d)
    keep = np.ones(d * d, bool) if diagonal else rows != cols
    return rows[keep], cols[keep]


# ----------------------------------------------------------------------------- Figures 1 and 2


@dataclass(frozen=True)
class PairExperiment:
    """Both methods on one ground truth.

    Attributes:
        name: which matrix. kappa: cond of the ground truth factor Gram ZᵀZ.
        coherence: μr/d = max_i ‖e_iᵀZ(ZᵀZ)^{-1/2}‖² of the ground truth.
        methods: {method: Trajectory}.
    """

    name: str
    kappa: float
    coherence: float
    methods: dict

    def summary(self) -> dict:
        """Returns the JSON form: ``{"methods": {...}, ...}``."""
        return {"name": self.name, "kappa": self.kappa, "ground_truth_coherence": self.coherence,
                "methods": {m: t.summary() for m, t in self.methods.items()}}


def completion_experiment(kappa: float, *, d: int = 30, r: int = 3, epochs: int = 200, lr: float = RMSE_STEP,
                          seed: int = 0, p_init: str = "exact", resync_every: int = DEFAULT_RESYNC_EVERY,
                          methods=METHODS) -> PairExperiment:
    """Returns Figure 1's runs: RMSE completion of a d×d rank-r matrix of condition number κ.

    All d² entries are observed; both methods start from the same X₀ ~ N(0, 1) and visit the entries
    in the same orders.
    """
    rng = np.random.default_rng([seed, 1])
    Z = completion_ground_truth(d, r, kappa, rng)
    M = Z @ Z.T
    X0 = rng.standard_normal((d, r))
    rows, cols = all_pairs(d, diagonal=True)
    norm = np.linalg.norm(M)

    def error(X):
        return np.linalg.norm(X @ X.T - M) / norm

    runs = {m: run_pairs(X0, rows, cols, M[rows, cols], loss="rmse", method=m, lr=lr, epochs=epochs,
                         seed=seed, error=error, p_init=p_init, resync_every=resync_every) for m in methods}
    return PairExperiment(f"rmse d={d} r={r} kappa={kappa:g}", float(np.linalg.cond(Z.T @ Z)), coherence_bound_scale(Z), runs)


def edm_experiment(outliers: int, *, d: int = 30, epochs: int = 500, lrs=None, seed: int = 0) -> PairExperiment:
    """Returns Figure 2's runs: EDM completion of d points in [−1, 1]³ (``outliers`` moved far away).

    Args:
        lrs: {method: step}; default the authors' (:data:`EDM_STEPS`).
    """
    rng = np.random.default_rng([seed, 2])
    points = edm_points(d, outliers=outliers, rng=rng)
    D = squared_distances(points)
    X0 = rng.standard_normal((d, 3))
    rows, cols = all_pairs(d, diagonal=False)
    norm = np.linalg.norm(D)
    column = 1 if outliers else 0
    lrs = lrs or {m: EDM_STEPS[m][column] for m in METHODS}

    def error(X):
        return np.linalg.norm(squared_distances(X) - D) / norm

    runs = {m: run_pairs(X0, rows, cols, D[rows, cols], loss="edm", method=m, lr=lrs[m], epochs=epochs,
                         seed=seed, error=error) for m in METHODS}
    name = f"edm d={d} with {outliers} outliers" if outliers else f"edm d={d} uniform in cube"
    return PairExperiment(name, float(np.linalg.cond(points.T @ points)), coherence_bound_scale(points), runs)


@dataclass(frozen=True)
class DriftMeasurement:
    """Drift of the Sherman–Morrison P on a κ = 10⁴ RMSE run (steps, schedule, drifts)."""

    steps: int
    resync_every: int
    max_drift_at_resync: float
    final_drift: float
    final_cond_gram: float


def measure_drift(*, steps: int = 100_000, resync_every: int = 0, kappa: float = 1e4, seed: int = 0) -> DriftMeasurement:
    """Returns the drift of the cached P after ``steps`` ScaledSGD RMSE steps (d = 30, r = 3)."""
    rng = np.random.default_rng([seed, 3])
    Z = completion_ground_truth(30, 3, kappa, rng)
    M = Z @ Z.T
    X = rng.standard_normal((30, 3))
    P = initial_preconditioner(X)
    rows, cols = all_pairs(30, diagonal=True)
    order = rng.integers(0, rows.size, size=steps)
    counter = np.zeros(1, dtype=np.int64)
    worst = pair_steps(X, P, rows, cols, M[rows, cols], order, RMSE_STEP, LOSS_RMSE, MODE_SCALED, resync_every, counter)
    return DriftMeasurement(steps, resync_every, float(worst), relative_drift(X, P), float(np.linalg.cond(X.T @ X)))


# ----------------------------------------------------------------------------- Figure 3


@dataclass(frozen=True)
class BprExperiment:
    """Figure 3: BPR item-item collaborative filtering.

    Attributes:
        data: description of the item-item matrix. items/train/test: sizes. rank: r.
        np_max_auc: NP-Maximum (better of a logistic and a win-rate global score, fitted on test).
        methods: {method: Trajectory}; fractions of an epoch in ``epochs``.
        spectrum: leading eigenvalues of the generated M (empty for real ratings).
        seconds: wall time by phase.
    """

    data: str
    items: int
    train: int
    test: int
    rank: int
    np_max_auc: float
    methods: dict
    spectrum: tuple = ()
    seconds: dict = field(default_factory=dict)

    @property
    def generated(self) -> bool:
        """True on the generated stand-in, False on MovieLens ratings."""
        return self.data.startswith("generated")

    def to_np_max(self, method: str):
        """Returns the fraction of an epoch at which ``method`` first reaches the NP-Maximum AUC, or None."""
        return self.methods[method].to_fraction(self.np_max_auc)

    def to_auc_target(self, method: str):
        """Returns the fraction of an epoch at which ``method`` first reaches AUC :data:`AUC_TARGET`, or None."""
        return self.methods[method].to_fraction(AUC_TARGET)

    def summary(self) -> dict:
        """Returns the JSON form with ``final_auc``, ``fraction_to_np_max``, ``fraction_to_auc_0.9``."""
        methods = {}
        for name, traj in self.methods.items():
            out = traj.summary()
            out["final_auc"] = traj.auc[-1]
            out["fraction_to_np_max"] = self.to_np_max(name)
            out["fraction_to_auc_0.9"] = self.to_auc_target(name)
            methods[name] = out
        return {"data": self.data, "items": self.items, "train": self.train, "test": self.test, "rank": self.rank,
                "np_max_auc": self.np_max_auc, "spectrum": self.spectrum, "seconds": self.seconds, "methods": methods}


def fraction_to_reach(fractions, values, threshold: float):
    """Returns the first fraction of an epoch where the curve reaches ``threshold`` (linear
    interpolation between records, as the authors' plot does), or None."""
    for t in range(len(values)):
        if values[t] >= threshold:
            if t == 0:
                return float(fractions[0])
            v0, v1 = values[t - 1], values[t]
            return float(fractions[t - 1] + (threshold - v0) / (v1 - v0) * (fractions[t] - fractions[t - 1]))
    return None


def np_maximum_auc(test: Triples, items: int, *, epochs: int = NP_EPOCHS, lr: float = NP_STEP, seed: int = 0) -> float:
    """Returns the NP-Maximum AUC: the better of two global item scores fitted on the test triples.

    The two scores: a logistic regression of y on s_j − s_k by SGD (``epochs`` passes, step ``lr``,
    best epoch), and the win rate of each item (wins minus losses over appearances). Both are
    non-personalised scores, so their AUC is a lower bound on the exact NP-Maximum.
    """
    wins = np.bincount(np.where(test.Y == 1, test.J, test.K), minlength=items).astype(float)
    losses = np.bincount(np.where(test.Y == 1, test.K, test.J), minlength=items).astype(float)
    best = score_auc(np.where(wins + losses > 0, (wins - losses) / np.maximum(wins + losses, 1), 0.0), test.J, test.K, test.Y)
    scores = np.zeros(items)
    order = np.random.default_rng([seed, 4]).permutation(len(test))
    for _ in range(epochs):
        logistic_scores_epoch(scores, test.J, test.K, test.Y, order, lr)
        best = max(best, score_auc(scores, test.J, test.K, test.Y))
    return float(best)


def run_bpr(train: Triples, test: Triples, items: int, *, rank: int, method: str, lr: float, epochs: int, seed: int,
            checkpoints: int = CHECKPOINTS_PER_EPOCH, train_eval: int = TRAIN_EVAL_SIZE,
            resync_every: int = DEFAULT_RESYNC_EVERY, progress=None) -> Trajectory:
    """Returns the BPR trajectory of one method, recorded every 1/``checkpoints`` of an epoch.

    Each epoch visits the training triples in ``checkpoints`` consecutive blocks, blocks in random
    order and each block in random order (a shuffle that never holds a permutation of all triples).
    """
    mode = _method_mode(method)
    X = np.random.default_rng([seed, 5]).standard_normal((items, rank))
    P = initial_preconditioner(X) if mode == MODE_SCALED else np.eye(rank)
    rng = np.random.default_rng([seed, 6])
    counter = np.zeros(1, dtype=np.int64)
    sub = train.head(min(train_eval, max(1, len(train) // 10)))
    bounds = np.linspace(0, len(train), checkpoints + 1).astype(np.int64)
    curves = _Curves()

    def record(fraction, drift):
        loss, _ = evaluate_triples(X, sub.I, sub.J, sub.K, sub.Y)
        _, auc = evaluate_triples(X, test.I, test.J, test.K, test.Y)
        curves.epochs.append(fraction)
        curves.loss.append(float(loss))
        curves.auc.append(float(auc))
        curves.theory(X)
        curves.p_drift.append(float(drift))

    record(0.0, 0.0)
    for epoch in range(epochs):
        for done, block in enumerate(rng.permutation(checkpoints), start=1):
            perm = bounds[block] + rng.permutation(bounds[block + 1] - bounds[block])
            start = time.perf_counter()
            drift = triple_steps(X, P, train.I, train.J, train.K, train.Y, 0, perm.size, perm, float(lr), mode,
                                 int(resync_every), counter)
            curves.seconds += time.perf_counter() - start
            if not np.all(np.isfinite(X)):
                raise InputError(f"lr: {method} with step {lr:g} diverged (non-finite iterate)")
            record(epoch + done / checkpoints, drift)
            if progress is not None:
                progress()
    return curves.freeze(method=method, lr=float(lr))


def bpr_experiment(*, quick: bool = True, ratings=None, epochs: int = 2, lrs=None, rank: int = 3, seed: int = 0,
                   items=None, train_size=None, test_size=None, checkpoints=None,
                   progress_bar: bool = False) -> BprExperiment:
    """Returns Figure 3's runs on MovieLens ``ratings`` (a ratings.csv path) or on the generated stand-in.

    Sizes default to the paper's (62,000 items, 10⁸/10⁷ triples), or with ``quick`` to 1,000 items and
    the same number of triples per item. ``lrs`` defaults to :data:`BPR_STEPS` with the ScaledSGD step
    scaled by items/62,000 (same initial ηP₀).
    """
    from tqdm import tqdm

    timings = {}
    start = time.perf_counter()
    if ratings is not None:
        similarity = load_ratings(ratings)
        data = f"MovieLens ratings {ratings}"
        spectrum = []
    else:
        n = items or (QUICK_ITEMS if quick else FULL_ITEMS)
        similarity = generated_similarity(n, seed=seed)
        data = f"generated stand-in (rank-{similarity.W.shape[1]} cosine matrix, power-law spectrum)"
        spectrum = similarity.spectrum().tolist()
    d = similarity.num_items
    scale = d / FULL_ITEMS
    train_size = train_size or max(1000, int(round(FULL_TRAIN * scale)) if quick else FULL_TRAIN)
    test_size = test_size or max(100, train_size // 10)
    train = draw_triples(similarity, train_size, seed=seed, stream=0)
    test = draw_triples(similarity, test_size, seed=seed, stream=1)
    timings["data"] = time.perf_counter() - start
    lrs = lrs or {"scaledsgd": BPR_STEPS["scaledsgd"] * scale, "sgd": BPR_STEPS["sgd"]}
    start = time.perf_counter()
    np_max = np_maximum_auc(test, d, seed=seed)
    timings["np_max"] = time.perf_counter() - start
    checkpoints = checkpoints or (QUICK_CHECKPOINTS_PER_EPOCH if quick else CHECKPOINTS_PER_EPOCH)
    runs = {}
    for method in METHODS:
        start = time.perf_counter()
        with tqdm(total=epochs * checkpoints, desc=f"bpr {method}", disable=not progress_bar, leave=False) as bar:
            runs[method] = run_bpr(train, test, d, rank=rank, method=method, lr=lrs[method], epochs=epochs, seed=seed,
                                   checkpoints=checkpoints, progress=bar.update)
        timings[method] = time.perf_counter() - start
    return BprExperiment(data, d, len(train), len(test), rank, np_max, runs, tuple(spectrum), timings)




# ----------------------------------------------------------------------------- protocols


@dataclass(frozen=True)
class RmseParams:
    """Figure 1's experiment (see :func:`completion_experiment`); ``methods`` as a comma-separated list."""

    kappa: float
    d: int = 30
    r: int = 3
    epochs: int = 200
    lr: float = RMSE_STEP
    seed: int = 0
    p_init: str = "exact"
    resync_every: int = DEFAULT_RESYNC_EVERY
    methods: str = ",".join(METHODS)


def rmse_experiment(params: RmseParams) -> PairExperiment:
    """Returns :func:`completion_experiment` for ``params``."""
    return completion_experiment(params.kappa, d=params.d, r=params.r, epochs=params.epochs, lr=params.lr,
                                 seed=params.seed, p_init=params.p_init, resync_every=params.resync_every,
                                 methods=tuple(params.methods.split(",")))


def _rmse_command(p: RmseParams) -> str:
    parts = [f"riptools scaledsgd rmse --kappa {p.kappa:g}"]
    parts += [f"--d {p.d}"] if p.d != 30 else []
    parts += [f"--p-init {p.p_init}"] if p.p_init != "exact" else []
    parts += [f"--resync-every {p.resync_every}"] if p.resync_every != DEFAULT_RESYNC_EVERY else []
    parts += [f"--epochs {p.epochs}"] if p.epochs != 200 else []
    return " ".join(parts + [f"--seed {p.seed} --json"])


RMSE = Protocol(name="scaledsgd-rmse", run=rmse_experiment, params=RmseParams, command=_rmse_command)
"""Figure 1 (the paper's size at both quick and full: 30×30, 200 epochs)."""

COHERENCE = Protocol(name="scaledsgd-coherence", run=rmse_experiment, params=RmseParams,
                     # d = 500 makes 16μr/d < 1, so Theorem 2's bound is not vacuous; quick: d = 100.
                     sizes={"quick": {"d": 100}, "full": {"d": 500}}, command=_rmse_command)
"""Theorem 2's coherence along a κ = 10⁴ RMSE run at a larger d."""


@dataclass(frozen=True)
class EdmParams:
    """Figure 2's experiment (see :func:`edm_experiment`), at the authors' step sizes."""

    outliers: int
    d: int = 30
    epochs: int = 500
    seed: int = 0


def edm_run(params: EdmParams) -> PairExperiment:
    """Returns :func:`edm_experiment` for ``params``."""
    return edm_experiment(params.outliers, d=params.d, epochs=params.epochs, seed=params.seed)


EDM = Protocol(name="scaledsgd-edm", run=edm_run, params=EdmParams,
               command=lambda p: f"riptools scaledsgd edm --outliers {p.outliers} --seed {p.seed} --json")
"""Figure 2 (the paper's size at both quick and full: 30 points, 500 epochs)."""


@dataclass(frozen=True)
class DriftParams:
    """The drift measurement (see :func:`measure_drift`)."""

    steps: int = 100_000
    resync_every: int = 0
    kappa: float = 1e4
    seed: int = 0


def drift_run(params: DriftParams) -> DriftMeasurement:
    """Returns :func:`measure_drift` for ``params``."""
    return measure_drift(steps=params.steps, resync_every=params.resync_every, kappa=params.kappa, seed=params.seed)


DRIFT = Protocol(name="scaledsgd-drift", run=drift_run, params=DriftParams)
"""Drift of the Sherman–Morrison P after 10⁵ κ = 10⁴ steps (replayed by the ``python -c`` line)."""


@dataclass(frozen=True)
class BprParams:
    """Figure 3's experiment on the generated stand-in (see :func:`bpr_experiment`).

    Attributes:
        quick: 1,000 items and records every 4 % of an epoch instead of 62,000 items and every 1 %.
        seed: data, starts and visiting orders.
    """

    quick: bool = False
    seed: int = 0


def bpr_run(params: BprParams) -> BprExperiment:
    """Returns :func:`bpr_experiment` for ``params``."""
    return bpr_experiment(quick=params.quick, seed=params.seed)


BPR = Protocol(name="scaledsgd-bpr", run=bpr_run, params=BprParams,
               sizes={"quick": {"quick": True}, "full": {"quick": False}},
               command=lambda p: f"riptools scaledsgd bpr{' --quick' if p.quick else ''} --seed {p.seed} --json")
"""Figure 3; quick at 1,000 items (same triples per item), full at MovieLens-25M's 62,000."""
