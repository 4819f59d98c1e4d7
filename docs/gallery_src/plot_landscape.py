"""
The rank-1 landscape of δ*
==========================

δ*(x, z) for z = (1, 0) and x = ρ(cos φ, sin φ): the smallest RIP constant of an operator that makes
x a spurious second-order critical point (the counterexample SDP of Zhang, Josz, Sojoudi, Lavaei,
NeurIPS 2018), beside the lower bound δ_lb of Zhang, Sojoudi, Lavaei (JMLR 2019, Theorem 12), on the
report's quick grid. One SDP per grid point; each row is a stored task of ``riptools reproduce``.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from riptools.protocols import counterexample_search as cs
from riptools.sources.zsl_jmlr2019 import plot_landscape

tasks = cs.landscape_tasks(quick=True)
landscape = cs.gather_landscape(tasks, [cs.landscape_row(task) for task in tasks])
i, j = np.unravel_index(np.nanargmin(landscape.delta), landscape.delta.shape)
print(f"{landscape.delta.size} solves; smallest δ* on the grid {landscape.delta[i, j]:.6f} "
      f"at ρ = {landscape.rho[i]:.4f}, φ = {np.degrees(landscape.phi[j]):.1f}°")
print(f"largest gap δ* − δ_lb on the grid: {np.nanmax(landscape.delta - landscape.delta_lower_bound):.4f}")

path = Path(tempfile.mkdtemp()) / "landscape.png"
plot_landscape(landscape, path)
fig, ax = plt.subplots(figsize=(6.6, 4.8))
ax.imshow(plt.imread(path))
ax.axis("off")
fig.tight_layout()
