"""Tests of ScaledSGD's kernels and protocols: the kernels, Figure 1's runs, the data pipeline, the CLI.

The verdicts on the paper's statements are tested in ``tests/test_source_scaledsgd.py``.
"""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from riptools.cli import main
from riptools.dynamics.scaledsgd import (
    LOSS_EDM,
    LOSS_ONEBIT,
    LOSS_RMSE,
    MODE_FIXED_P,
    MODE_SCALED,
    MODE_SGD,
    evaluate_triples,
    initial_preconditioner,
    leverage_scores,
    pair_steps,
    relative_drift,
    triple_steps,
)
from riptools.protocols.scaledsgd import (
    BPR,
    COHERENCE,
    RMSE,
    RmseParams,
    all_pairs,
    bpr_experiment,
    completion_experiment,
    fraction_to_reach,
    measure_drift,
    run_pairs,
)
from riptools.protocols.scaledsgd_data import Triples, completion_ground_truth, draw_triples, load_ratings
from riptools.validation import InputError

RATINGS = Path(__file__).parent / "data" / "ratings_small.csv"
ROUNDING_TOL = 1e-12
"""Tight: identities that hold exactly up to floating-point rounding of O(d) operations."""
DRIFT_TOL = 1e-10
"""The issue's bound on the Sherman–Morrison P versus (XᵀX)⁻¹ (relative, Frobenius)."""
TARGET = 1e-10


def _problem(d=8, r=2, seed=0):
    rng = np.random.default_rng(seed)
    Z = completion_ground_truth(d, r, 100.0, rng)
    return Z @ Z.T, rng.standard_normal((d, r))


@pytest.mark.parametrize("loss", [LOSS_RMSE, LOSS_ONEBIT, LOSS_EDM])
def test_scaledsgd_with_identity_preconditioner_is_exactly_sgd(loss):
    M, X0 = _problem()
    rows, cols = all_pairs(8, diagonal=True)
    order = np.random.default_rng(1).integers(0, rows.size, size=500)
    runs = {}
    for mode in (MODE_SGD, MODE_FIXED_P):
        X, P = X0.copy(), np.eye(2)
        pair_steps(X, P, rows, cols, M[rows, cols], order, 0.05, loss, mode, 0, np.zeros(1, np.int64))
        runs[mode] = X
    assert np.array_equal(runs[MODE_SGD], runs[MODE_FIXED_P])
    assert not np.array_equal(runs[MODE_SGD], X0)


def test_bpr_with_identity_preconditioner_is_exactly_sgd():
    rng = np.random.default_rng(2)
    I, J, K = np.array([rng.choice(20, 3, replace=False) for _ in range(300)], dtype=np.int32).T.copy()
    Y = rng.integers(0, 2, 300).astype(np.uint8)
    X0 = rng.standard_normal((20, 3))
    runs = {}
    for mode in (MODE_SGD, MODE_FIXED_P):
        X = X0.copy()
        triple_steps(X, np.eye(3), I, J, K, Y, 0, 300, np.empty(0, np.int64), 0.1, mode, 0,
                     np.zeros(1, np.int64))
        runs[mode] = X
    assert np.array_equal(runs[MODE_SGD], runs[MODE_FIXED_P])


@pytest.mark.parametrize("loss", [LOSS_RMSE, LOSS_EDM])
def test_sherman_morrison_keeps_exact_inverse_over_a_few_steps(loss):
    M, X = _problem(seed=3)
    P = np.linalg.inv(X.T @ X)
    rows, cols = all_pairs(8, diagonal=True)
    order = np.random.default_rng(4).integers(0, rows.size, size=50)
    pair_steps(X, P, rows, cols, M[rows, cols], order, 0.1, loss, MODE_SCALED, 0, np.zeros(1, np.int64))
    assert relative_drift(X, P) <= ROUNDING_TOL


def test_a_wrong_initial_preconditioner_persists_without_resync():
    # Sherman–Morrison only adds the changes of XᵀX, so P_t⁻¹ − X_tᵀX_t = P₀⁻¹ − X₀ᵀX₀ for all t:
    # why footnote 1's P₀ = σ²I never becomes (XᵀX)⁻¹ unless P is resynchronised.
    M, X = _problem(seed=9)
    P = initial_preconditioner(X, p_init="footnote")
    offset = np.linalg.inv(P) - X.T @ X
    rows, cols = all_pairs(8, diagonal=True)
    order = np.random.default_rng(10).integers(0, rows.size, size=30)
    pair_steps(X, P, rows, cols, M[rows, cols], order, 0.01, LOSS_RMSE, MODE_SCALED, 0, np.zeros(1, np.int64))
    assert np.linalg.norm(np.linalg.inv(P) - X.T @ X - offset) <= 1e-9 * np.linalg.norm(offset)


def test_onebit_loss_decreases_for_both_methods():
    M, X0 = _problem(seed=11)
    rows, cols = all_pairs(8, diagonal=True)
    for method in ("scaledsgd", "sgd"):
        traj = run_pairs(X0, rows, cols, M[rows, cols], loss="onebit", method=method, lr=0.1, epochs=20, seed=0)
        assert traj.loss[-1] < traj.loss[0]


def test_sherman_morrison_matches_inverse_after_1e5_steps_with_resync():
    # κ = 10⁴ ground truth, so XᵀX ends with condition number 10⁴ (the hard case for rounding).
    synced = measure_drift(steps=100_000, resync_every=10_000)
    assert synced.final_cond_gram > 1e3
    assert synced.max_drift_at_resync <= DRIFT_TOL
    assert synced.final_drift <= DRIFT_TOL


def _reconstructed_stochastic_gradients(X, M, P, mode, lr=0.01):
    """SG(X)·P for every (i, j) ∈ [d]², recovered from one kernel step: ΔX = −(η/2d²)·SG(X)P for
    i ≠ j; on the diagonal equation (1) moves the row by half of that (see the kernel docstring)."""
    d = X.shape[0]
    rows, cols = all_pairs(d, diagonal=True)
    total = np.zeros_like(X)
    for s in range(rows.size):
        Xs = X.copy()
        pair_steps(Xs, P.copy(), rows, cols, M[rows, cols], np.array([s]), lr, LOSS_RMSE, mode, 0, np.zeros(1, np.int64))
        weight = 2.0 if rows[s] == cols[s] else 1.0
        total += weight * (X - Xs) * 2 * d * d / lr
    return total / d**2


def test_expected_stochastic_gradient_is_the_gradient():
    M, X = _problem(d=6, r=2, seed=5)
    gradient = 4 * (X @ X.T - M) @ X  # ∇f for f(X) = ‖XXᵀ − M‖²_F
    sgd_mean = _reconstructed_stochastic_gradients(X, M, np.eye(2), MODE_SGD)
    assert np.linalg.norm(sgd_mean - gradient) <= ROUNDING_TOL * 1e2 * np.linalg.norm(gradient)
    P = np.linalg.inv(X.T @ X)
    scaled_mean = _reconstructed_stochastic_gradients(X, M, P, MODE_FIXED_P)
    assert np.linalg.norm(scaled_mean - gradient @ P) <= ROUNDING_TOL * 1e2 * np.linalg.norm(gradient @ P)


@pytest.fixture(scope="module")
def figure1():
    return {kappa: completion_experiment(kappa, epochs=120) for kappa in (1.0, 1e4)}


def test_well_conditioned_both_methods_reach_1e_minus_10(figure1):
    for traj in figure1[1.0].methods.values():
        assert traj.epochs_to(TARGET) is not None


def test_ill_conditioning_slows_sgd_but_not_scaledsgd(figure1):
    from riptools.sources.scaledsgd import SIMILAR_RATE, SLOWDOWN

    well = figure1[1.0].methods["scaledsgd"].epochs_to(TARGET)
    ill = figure1[1e4].methods["scaledsgd"].epochs_to(TARGET)
    assert ill is not None and ill <= SIMILAR_RATE * well
    sgd = figure1[1e4].methods["sgd"].epochs_to(TARGET)
    assert sgd is None or sgd >= SLOWDOWN * ill


def test_trajectories_are_frozen_records(figure1):
    """Results cross module boundaries as frozen dataclasses: curves are tuples, summaries are derived."""
    import dataclasses

    trajectory = figure1[1.0].methods["sgd"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        trajectory.lr = 1.0
    assert isinstance(trajectory.error, tuple) and trajectory.final_error == trajectory.error[-1]
    assert trajectory.summary()["epochs_to_1e-10"] == trajectory.epochs_to()


def test_protocol_replay_commands_and_sizes():
    footnote = RmseParams(kappa=1e4, p_init="footnote", resync_every=0, methods="scaledsgd", seed=2)
    assert RMSE.replay(footnote) == "riptools scaledsgd rmse --kappa 10000 --p-init footnote --resync-every 0 --seed 2 --json"
    assert (COHERENCE.sized(quick=True, kappa=1e4).d, COHERENCE.sized(quick=False, kappa=1e4).d) == (100, 500)
    assert BPR.replay(BPR.sized(quick=True, seed=1)) == "riptools scaledsgd bpr --quick --seed 1 --json"
    assert BPR.replay(BPR.sized(quick=False)) == "riptools scaledsgd bpr --seed 0 --json"


def test_initial_preconditioners():
    X = np.random.default_rng(6).standard_normal((50, 3))
    assert np.allclose(initial_preconditioner(X) @ (X.T @ X), np.eye(3))
    assert np.array_equal(initial_preconditioner(X, p_init="footnote", sigma=2.0), 4.0 * np.eye(3))
    assert np.array_equal(initial_preconditioner(X, p_init="expected"), np.eye(3) / 50)
    with pytest.raises(InputError, match="p_init"):
        initial_preconditioner(X, p_init="bogus")


def test_leverage_scores_are_the_diagonal_of_the_projector():
    X = np.random.default_rng(7).standard_normal((9, 3)) * [1.0, 1e-3, 1e3]
    projector = X @ np.linalg.inv(X.T @ X) @ X.T
    assert np.allclose(leverage_scores(X), np.diag(projector), atol=ROUNDING_TOL * 1e2)
    assert leverage_scores(X).sum() == pytest.approx(3.0, rel=ROUNDING_TOL)


def _dense_cosine(path):
    with open(path) as stream:
        rows = list(csv.DictReader(stream))
    users = sorted({int(r["userId"]) for r in rows})
    movies = sorted({int(r["movieId"]) for r in rows})
    A = np.zeros((len(users), len(movies)))
    for r in rows:
        A[users.index(int(r["userId"])), movies.index(int(r["movieId"]))] = float(r["rating"])
    A /= np.linalg.norm(A, axis=0)
    return movies, A.T @ A


def test_movielens_loader_reads_the_generated_file():
    similarity = load_ratings(RATINGS)
    movies, dense = _dense_cosine(RATINGS)
    assert similarity.movie_ids.tolist() == movies
    rows, cols = all_pairs(len(movies), diagonal=True)
    assert np.allclose(similarity.similarities(rows, cols), dense[rows, cols], atol=ROUNDING_TOL)
    triples = draw_triples(similarity, 2000, seed=0)
    assert len({len(triples.I), len(triples.Y)}) == 1 and len(triples) == 2000
    assert np.all((triples.I != triples.J) & (triples.I != triples.K) & (triples.J != triples.K))
    labels = dense[triples.I, triples.J] > dense[triples.I, triples.K]
    assert np.array_equal(labels, triples.Y.astype(bool))
    assert np.all(dense[triples.I, triples.J] != dense[triples.I, triples.K])


def test_movielens_loader_rejects_malformed_files(tmp_path):
    bad = tmp_path / "ratings.csv"
    bad.write_text("userId,movieId,rating,timestamp\n1,2,x,3\n")
    with pytest.raises(InputError, match="ratings"):
        load_ratings(bad)
    with pytest.raises(InputError, match="no such file"):
        load_ratings(tmp_path / "missing.csv")


def test_evaluate_triples_matches_numpy():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((30, 3))
    I, J, K = np.array([rng.choice(30, 3, replace=False) for _ in range(1000)], dtype=np.int32).T.copy()
    Y = rng.integers(0, 2, 1000).astype(np.uint8)
    loss, auc = evaluate_triples(X, I, J, K, Y)
    z = np.einsum("ij,ij->i", X[I], X[J] - X[K])
    assert loss == pytest.approx(np.mean(np.logaddexp(0, z) - Y * z), rel=ROUNDING_TOL)
    assert auc == pytest.approx(np.mean((z > 0) == (Y == 1)))


def test_fraction_to_reach_interpolates_and_reports_never():
    assert fraction_to_reach([0.0, 0.5, 1.0], [0.5, 0.7, 0.9], 0.8) == pytest.approx(0.75)
    assert fraction_to_reach([0.0, 0.5], [0.5, 0.6], 0.9) is None


def test_bpr_pipeline_on_the_movielens_file_learns_the_ranking():
    result = bpr_experiment(ratings=RATINGS, epochs=2, train_size=20_000, test_size=4_000, checkpoints=4,
                            lrs={"scaledsgd": 1.0, "sgd": 0.05}).summary()
    assert 0.5 < result["np_max_auc"] < 1
    for method in ("scaledsgd", "sgd"):
        curves = result["methods"][method]
        assert len(curves["auc"]) == 2 * 4 + 1
        assert curves["final_auc"] > max(curves["auc"][0], 0.6)


def test_cli_rmse_json(capsys):
    assert main(["scaledsgd", "rmse", "--kappa", "1e4", "--epochs", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for method in ("scaledsgd", "sgd"):
        curves = result["methods"][method]
        assert {"epochs", "loss", "error", "max_leverage", "epochs_to_1e-10"} <= set(curves)
        assert len(curves["error"]) == 4


def test_cli_bpr_json_on_a_small_generated_matrix(capsys):
    args = ["scaledsgd", "bpr", "--quick", "--items", "50", "--train", "5000", "--test", "1000", "--epochs", "1", "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert "np_max_auc" in result
    for method in ("scaledsgd", "sgd"):
        assert {"final_auc", "fraction_to_np_max", "fraction_to_auc_0.9", "auc", "loss"} <= set(result["methods"][method])


@pytest.mark.parametrize("argv", [["rmse", "--kappa", "0.5"], ["edm", "--kappa", "10"], ["rmse", "--lr", "-1"],
                                  ["bpr", "--ratings", "/no/such/ratings.csv"], ["rmse", "--epochs", "0"]])
def test_cli_bad_input_exits_2(argv, capsys):
    assert main(["scaledsgd", *argv]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_triples_head_is_a_prefix():
    t = Triples(np.arange(5), np.arange(5), np.arange(5), np.zeros(5, np.uint8))
    assert len(t.head(3)) == 3


@pytest.mark.slow
def test_quick_bpr_scaledsgd_reaches_np_maximum_with_fewer_samples():
    # Figure 3's claim on the --quick generated stand-in (≈ 15 s): a wrong preconditioner loses the lead.
    result = bpr_experiment(quick=True)
    scaled, sgd = result.to_np_max("scaledsgd"), result.to_np_max("sgd")
    assert scaled is not None and sgd is not None and 2 * scaled <= sgd
    assert min(result.methods["scaledsgd"].auc[-1], result.methods["sgd"].auc[-1]) > result.np_max_auc
    assert result.summary()["methods"]["sgd"]["fraction_to_np_max"] == sgd


@pytest.mark.slow
def test_coherence_of_scaledsgd_iterates_stays_within_16_times_the_ground_truth():
    # Theorem 2's incoherence at d = 500 (16μr/d < 1, so the bound is not vacuous; ≈ 60 s).
    exp = completion_experiment(1e4, d=500, epochs=60)
    assert 16 * exp.coherence < 1
    assert max(exp.methods["scaledsgd"].max_leverage) <= 16 * exp.coherence
