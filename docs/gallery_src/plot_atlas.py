"""
The sharp-threshold atlas
=========================

For each pair (r, r★) of search rank and true rank, the smallest δ*(X, Z) a gradient-based search
finds over X ∈ R^{n×r}, Z ∈ R^{n×r★}, each best point certified exactly (rational LDLᵀ), against the
sufficient bound 1/(1 + √(r★/r)) of R. Y. Zhang ("Sharp global guarantees for nonconvex low-rank
matrix recovery in the overparameterized regime", arXiv:2104.10790, 2021). The report's quick atlas
(R = 2) with one random start per cell; ``riptools counterexample atlas --max-rank 3 --max-true-rank 2``
gives the larger one.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from riptools.protocols.atlas import ATLAS
from riptools.sources.sharp_thresholds import plot_atlas

result = ATLAS.run(ATLAS.sized(quick=True))
for cell in result.cells:
    print(f"(r, r★) = ({cell.rank}, {cell.true_rank}): δ found {cell.delta:.9f}, exact δ' = {cell.exact_delta} "
          f"(verified {cell.exact_verified}), {cell.starts} starts, {cell.solves} SDP solves")

path = Path(tempfile.mkdtemp()) / "atlas.png"
plot_atlas(result.cells, path)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.imshow(plt.imread(path))
ax.axis("off")
fig.tight_layout()
