"""
Success rate versus γ for your own operator file
================================================

The talk slides on sharp RIP thresholds (Zhang, Josz, Sojoudi, Lavaei, 2018) measure how often SGD
escapes a spurious point: start from :math:`X_0 = (1-\\gamma)X_{bad} + \\gamma G` with :math:`G` Gaussian,
run SGD on :math:`f(U) = \\|\\mathcal{A}(UU^T - ZZ^T)\\|^2`, and count the runs that reach the ground
truth. riptools runs the trials in a compiled kernel (one random stream per trial, so results do not
depend on the number of threads) and reports each success rate with its 95 % Wilson interval.
This tutorial does it for an operator file of your own.
"""

# %%
# An operator file
# ----------------
# An operator file is ``.npz`` or ``.json`` with an array ``A`` of shape (m, n, n) (the measurement
# matrices), and, for this experiment, ``X_bad`` (n×r, the point to escape) and ``Z`` (n×r★, the
# ground truth). Here the file comes from the counterexample SDP: an operator, close to isometric, for
# which X_bad is a strict spurious local minimum. A JSON file written by hand works the same way.
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from riptools.counterexample import counterexample_sdp
from riptools.sensing import save_operator

folder = Path(tempfile.mkdtemp())
x_bad, z = np.array([0.0, 1 / np.sqrt(2), 0.0]), np.array([1.0, 0.0, 0.0])
result = counterexample_sdp(x_bad, z, margin=0.05)
path = save_operator(folder / "my_operator.json", result.operator(), x_bad=x_bad, z=z)
stored = json.loads(path.read_text())
print(f"{path.name}: A has shape {np.shape(stored['A'])}, X_bad = {stored['X_bad']}, Z = {stored['Z']}")

# %%
# From the command line
# ---------------------
# ``riptools basin`` takes the file, the values of γ (``start:stop:count``), the trials per γ, the
# steps and the step size, and prints one JSON object per γ.
command = [sys.executable, "-m", "riptools", "basin", "--example", str(path), "--gammas", "0:1:6",
           "--trials", "400", "--steps", "3000", "--step-size", "0.01", "--seed", "0", "--json"]
points = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
for point in points:
    print(f"γ = {point['gamma']:.1f}: success {100 * point['success_rate']:5.1f} % "
          f"[{100 * point['ci_low']:.1f}, {100 * point['ci_high']:.1f}], median error {point['error_quantiles']['median']:.2e}")

# %%
# From Python, with the figure
# ----------------------------
# The same protocol in Python returns a :class:`riptools.protocols.basin.BasinSweep` (data first) and
# draws the slides' two panels from it: the final error's quantiles and the success rate against γ.
import matplotlib.pyplot as plt

from riptools.protocols.basin import basin_sweep, load_problem, plot_basin

problem = load_problem(str(path))
sweep = basin_sweep(problem, gammas=np.linspace(0, 1, 11), trials=400, steps=3000, step_size=0.01, seed=0)
figure_path = folder / "basin.png"
plot_basin(sweep, figure_path)
fig, ax = plt.subplots(figsize=(10, 3.8))
ax.imshow(plt.imread(figure_path))
ax.axis("off")
fig.tight_layout()

# %%
# The same seed gives the same trials from the command line and from Python:
same = all(p.successes == q["successes"] for p, q in zip(sweep.points[::2], points))
print("command line and Python agree on every shared γ:", same)
