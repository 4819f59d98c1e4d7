"""
ScaledSGD against SGD on ill-conditioned completion
===================================================

Figure 1 of the ScaledSGD paper (G. Zhang, H.-M. Chiu, R. Y. Zhang, "Accelerating SGD for Highly
Ill-Conditioned Huge-Scale Online Matrix Completion", NeurIPS 2022): symmetric completion of a 30×30
rank-3 matrix from all its entries, one entry per step, for a well-conditioned (κ = 1) and an
ill-conditioned (κ = 10⁴) ground truth. ScaledSGD keeps the inverse Gram matrix current by
Sherman–Morrison updates (O(r²) per step).
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from riptools.protocols.scaledsgd import RMSE, RmseParams
from riptools.sources.scaledsgd import plot_pair_experiments

experiments = [RMSE.run(RmseParams(kappa=kappa, epochs=60)) for kappa in (1.0, 1e4)]
for experiment in experiments:
    finals = {method: trajectory.error[-1] for method, trajectory in experiment.methods.items()}
    print(experiment.name, {method: f"{value:.2e}" for method, value in finals.items()})

path = Path(tempfile.mkdtemp()) / "rmse.png"
plot_pair_experiments(path, experiments)
fig, ax = plt.subplots(figsize=(10, 3.8))
ax.imshow(plt.imread(path))
ax.axis("off")
fig.tight_layout()
