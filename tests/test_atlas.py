"""Tests of the sharp-threshold atlas (riptools.protocols.atlas, riptools.sources.sharp_thresholds, the CLI)."""

import dataclasses
import json
import math

import numpy as np
import pytest

from riptools.cli import main
from riptools.counterexample import counterexample_sdp
from riptools.protocols.atlas import (
    ATLAS,
    AtlasCell,
    AtlasCellParams,
    AtlasParams,
    _seed_cells,
    cell_levels,
    cell_params,
    run_atlas,
    run_cell,
)
from riptools.search import embed_point
from riptools.sources import sharp_thresholds
from riptools.sources.sharp_thresholds import (
    ROW_VERDICTS,
    atlas_row,
    cell_finding,
    known_construction,
    row_verdict,
    sharp_value,
    theory_sufficient,
)

VALUE_TOL = 1e-7
"""δ* of an explicit point against a closed form: Clarabel's default precision (~1e-9) with margin."""
SHARP_SEARCH_TOL = 2e-5
"""The issue's tolerance for the (2, 1) cell (the search reaches ~1e-9 in practice)."""
ROW_KEYS = ("rank", "true_rank", "n", "delta", "theory_sufficient", "known_construction", "exact_certificate", "x", "z",
            "starts", "seconds")


def overparameterised_point(rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns Z = e₁, X = [e₂ … e_{r+1}]/√(1+√r): the (r, 1) point the atlas's search converges to (up to symmetry)."""
    z = np.zeros((rank + 1, 1))
    z[0, 0] = 1.0
    x = np.zeros((rank + 1, rank))
    x[1:, :] = np.eye(rank) / math.sqrt(1 + math.sqrt(rank))
    return x, z


def test_theory_values_are_the_issues_numbers():
    assert abs(theory_sufficient(2, 1) - 0.585786) < 1e-6
    assert abs(theory_sufficient(3, 1) - 0.633975) < 1e-6
    assert abs(theory_sufficient(4, 1) - 0.666667) < 1e-6
    assert abs(theory_sufficient(3, 2) - 0.550510) < 1e-6
    assert theory_sufficient(3, 3) == 0.5 == known_construction(3, 3)
    assert sharp_value(3, 2) is None and sharp_value(4, 1) == known_construction(4, 1)
    # the sufficient bound never exceeds the construction (they meet where the threshold is sharp)
    for r in range(1, 6):
        for s in range(1, r + 1):
            assert theory_sufficient(r, s) <= known_construction(r, s) + 1e-15


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_closed_form_point_attains_the_sharp_value(rank):
    x, z = overparameterised_point(rank)
    assert abs(counterexample_sdp(x, z).delta - 1 / (1 + 1 / math.sqrt(rank))) <= VALUE_TOL


@pytest.mark.parametrize("rank, true_rank", [(2, 2), (3, 2), (4, 3)])
def test_construction_beside_matched_directions_keeps_the_base_value(rank, true_rank):
    # the issue's construction, checked: an (r − r★ + 1, 1) point beside r★ − 1 matched directions
    base = rank - true_rank + 1
    x0, z0 = overparameterised_point(base)
    x, z, kind = embed_point(x0, z0, rank, true_rank, rng=np.random.default_rng(0))
    assert x.shape == (rank + true_rank, rank) and z.shape == (rank + true_rank, true_rank)
    assert f"{true_rank - 1} matched" in kind
    assert abs(counterexample_sdp(x, z).delta - known_construction(rank, true_rank)) <= VALUE_TOL


def balanced_point(rank: int, true_rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns X ⟂ Z with orthonormal columns scaled so that ‖xᵢ‖²/‖zⱼ‖² = 1/(1+√(r/r★)): the atlas's (3, 2) point's shape."""
    n = rank + true_rank
    z = np.zeros((n, true_rank))
    z[:true_rank, :] = np.eye(true_rank)
    x = np.zeros((n, rank))
    x[true_rank:, :] = np.eye(rank) / math.sqrt(1 + math.sqrt(rank / true_rank))
    return x, z


@pytest.mark.parametrize("rank, true_rank", [(3, 2), (4, 3)])
def test_balanced_point_attains_the_sufficient_bound(rank, true_rank):
    # found by the atlas at (3, 2): spurious second-order critical points at δ = 1/(1+√(r★/r)), below the
    # construction 1/(1+1/√(r−r★+1)); the theorem's bound is not violated (δ* is not below it)
    x, z = balanced_point(rank, true_rank)
    delta = counterexample_sdp(x, z).delta
    assert abs(delta - theory_sufficient(rank, true_rank)) <= VALUE_TOL
    assert delta < known_construction(rank, true_rank) - 0.01


@pytest.mark.slow
def test_strict_spurious_minimum_below_the_construction_at_three_two():
    # with a strict margin the point becomes a strict spurious local minimum, still far below the construction
    from riptools.certify import certify_exact, certify_result

    x, z = balanced_point(3, 2)
    result = counterexample_sdp(x, z, margin=1e-4 * np.linalg.norm(x) ** 2)
    assert certify_result(result).kind.value == "strict local minimum"
    exact = certify_exact(result)
    assert exact.verified and exact.delta_float < known_construction(3, 2) - 0.03
    assert exact.delta_float >= theory_sufficient(3, 2)


def test_levels_and_seed_cells():
    assert cell_levels(4, 2) == [[(1, 1)], [(2, 1)], [(3, 1), (2, 2)], [(4, 1), (3, 2)], [(4, 2)]]
    assert _seed_cells(3, 2) == [(2, 2), (2, 1)]
    assert _seed_cells(2, 2) == [(1, 1)]
    assert _seed_cells(1, 1) == []


def fake_cell(rank, true_rank, delta, *, exact=None, verified=True):
    exact = delta + 2e-7 if exact is None else exact
    return AtlasCell(rank=rank, true_rank=true_rank, n=rank + true_rank, delta=delta, x=((0.0,),), z=((1.0,),),
                     certified=verified, classification="", exact_delta=f"{exact}", exact_delta_float=exact,
                     exact_verified=verified, construction_delta=None, starts=3, solves=100, per_start=(), seconds=1.0)


@pytest.mark.parametrize("cell, expected", [
    (fake_cell(2, 1, 0.58579), ROW_VERDICTS[0]),                  # within 1e-4 of a proved sharp value
    (fake_cell(2, 1, 0.5862), ROW_VERDICTS[1]),                   # above it: consistent, not a reproduction
    (fake_cell(3, 2, 0.5858), ROW_VERDICTS[1]),                   # open cell at the construction
    (fake_cell(3, 2, 0.57), ROW_VERDICTS[2]),                     # open cell, certified below the construction
    (fake_cell(3, 2, 0.54), ROW_VERDICTS[3]),                     # below the proved sufficient bound
    (fake_cell(2, 1, 0.58579, verified=False), ROW_VERDICTS[4]),  # no exact certificate, no verdict on δ
])
def test_row_verdicts(cell, expected):
    assert row_verdict(cell)[0] == expected


def test_a_new_counterexample_needs_the_exact_value_below_the_construction():
    # the search's float δ is below the construction, but the certified δ' is not: no new counterexample
    cell = fake_cell(3, 2, 0.5857860, exact=0.5857866)
    assert row_verdict(cell)[0] == ROW_VERDICTS[1]


def test_findings_verdicts_follow_the_rows():
    params = AtlasParams()
    assert cell_finding(fake_cell(2, 1, 0.58579), params).verdict == "agrees"
    assert cell_finding(fake_cell(2, 1, 0.5862), params).verdict == "inconclusive"
    assert cell_finding(fake_cell(3, 2, 0.54), params).verdict == "refuted"
    finding = cell_finding(fake_cell(3, 2, 0.5858), params)
    assert finding.verdict == "agrees" and "proves no threshold" in finding.reason
    assert finding.replay == ATLAS.replay(params)
    assert finding.source.reference.arxiv == "2104.10790"


def test_cell_params_carry_the_smaller_cells_points():
    cells = {(2, 1): fake_cell(2, 1, 0.59), (2, 2): fake_cell(2, 2, 0.5)}
    params = cell_params(AtlasParams(max_rank=3), 3, 2, cells)
    assert len(params.seeds) == 2 and params.construction == (cells[(2, 1)].x, cells[(2, 1)].z)
    assert cell_params(AtlasParams(), 2, 1, cells).construction == ()


def test_rank_one_cell_is_certified_and_sharp():
    cell = run_cell(AtlasCellParams(rank=1, true_rank=1, starts=1, max_evaluations=60))
    row = atlas_row(cell)
    assert row["verdict"] == ROW_VERDICTS[0] and row["exact_certificate"]["verified"]
    assert cell.starts == 1 and cell.solves > 0


def test_cli_atlas_json_rows(capsys, tmp_path):
    figure = tmp_path / "atlas.png"
    assert main(["counterexample", "atlas", "--max-rank", "1", "--max-true-rank", "1", "--starts", "1",
                 "--max-evaluations", "60", "--json", "--plot", str(figure)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and all(key in rows[0] for key in ROW_KEYS)
    assert set(rows[0]["exact_certificate"]) == {"delta", "verified"}
    assert np.array(rows[0]["x"]).shape == (2, 1) and rows[0]["verdict"] == ROW_VERDICTS[0]
    assert figure.stat().st_size > 0
    again = counterexample_sdp(rows[0]["x"], rows[0]["z"]).delta
    assert abs(again - rows[0]["delta"]) <= VALUE_TOL


@pytest.mark.parametrize("argv, name", [
    (["--max-rank", "2", "--max-true-rank", "3"], "--max-true-rank"),
    (["--max-rank", "0", "--max-true-rank", "1"], "--max-rank"),
    (["--max-rank", "2", "--max-true-rank", "1", "--starts", "0"], "--starts"),
    (["--max-rank", "2", "--max-true-rank", "1", "--plot", "/no/such/folder/a.png"], "--plot"),
])
def test_cli_atlas_bad_input(capsys, argv, name):
    assert main(["counterexample", "atlas", *argv]) == 2
    error = capsys.readouterr().err.strip()
    assert name in error and "\n" not in error


def test_protocol_sizes():
    assert ATLAS.sized(quick=True) == AtlasParams(max_rank=2, max_true_rank=2, starts=1)
    full = ATLAS.sized(quick=False)
    assert (full.max_rank, full.max_true_rank) == (4, 2)
    assert "--max-rank 4 --max-true-rank 2" in ATLAS.replay(full)
    assert sharp_thresholds.REFERENCE.key == "sharp_thresholds"


@pytest.mark.slow
def test_atlas_quick_reproduces_the_sharp_cells():
    # R = 2, S = 2: (1, 1), (2, 1), (2, 2), all proved sharp; about a minute
    result = run_atlas(AtlasParams(max_rank=2, max_true_rank=2, starts=1))
    rows = {(c.rank, c.true_rank): atlas_row(c) for c in result.cells}
    assert abs(rows[(2, 1)]["delta"] - 0.585786) <= SHARP_SEARCH_TOL
    assert all(row["verdict"] == ROW_VERDICTS[0] for row in rows.values())
    assert all(row["exact_certificate"]["verified"] for row in rows.values())
    assert rows[(2, 2)]["construction_measured"] == pytest.approx(0.5, abs=VALUE_TOL)
    # structured starts were used beside the random one
    assert rows[(2, 2)]["starts"] > 1


def test_atlas_cell_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        fake_cell(1, 1, 0.5).delta = 0.4
