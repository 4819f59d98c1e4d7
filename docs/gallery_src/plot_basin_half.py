"""
SGD from near the δ = 1/2 point
===============================

The talk slides' δ = 1/2 example (Zhang, Josz, Sojoudi, Lavaei, 2018): SGD started from
(1 − γ)·x_bad + γ·G with G Gaussian, the final error's quantiles and the success rate (95 % Wilson
band) against γ, at a small number of trials.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from riptools.protocols.basin import basin_sweep, load_problem, plot_basin

sweep = basin_sweep(load_problem("half"), gammas=np.linspace(0, 1, 11), trials=500, steps=5000, step_size=0.01, seed=0)
for point in sweep.points[::2]:
    print(f"γ = {point.gamma:.1f}: success {100 * point.success_rate:.1f} % [{100 * point.ci_low:.1f}, {100 * point.ci_high:.1f}]")

path = Path(tempfile.mkdtemp()) / "basin.png"
plot_basin(sweep, path)
fig, ax = plt.subplots(figsize=(10, 3.8))
ax.imshow(plt.imread(path))
ax.axis("off")
fig.tight_layout()
