"""
Why subgradient runs diverge
============================

The subgradient method of the JAX notebook on :math:`f = |x_1y_1 - 1| + |x_2y_1 - 1| + |x_2y_2 - 1|` with steps
α/(k+1)^β, from the notebook's 100 starts, for 10⁶ of the notebook's 10⁷ steps. The panels show how
riptools classifies each run from log-spaced checkpoints and the mechanism behind the unbounded ones:
runs trapped where x₁y₂ < 0, where f ≥ 1 and the infimum lies at infinity.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from riptools.protocols.divergence import NOTEBOOK_STUDY, NotebookStudyParams
from riptools.sources.subgradient_notebook import plot_mechanism

result = NOTEBOOK_STUDY.run(NotebookStudyParams(alpha=0.1, beta=0.501, iters=10**7, max_iters=10**6))
print(f"{result.params.steps:.0e} steps from the notebook's starts: {result.study.counts}")
print(f"unbounded runs: {list(result.study.unbounded_indices)}")

path = Path(tempfile.mkdtemp()) / "mechanism.png"
plot_mechanism(result.study, result.runs, path)
fig, ax = plt.subplots(figsize=(12, 4))
ax.imshow(plt.imread(path))
ax.axis("off")
fig.tight_layout()
