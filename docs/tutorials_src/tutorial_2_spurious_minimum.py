"""
Find and certify a spurious local minimum with the SDP
======================================================

Given a candidate point :math:`X` and a ground truth :math:`Z`, the counterexample SDP of Zhang, Josz,
Sojoudi and Lavaei ("How much restricted isometry is needed in nonconvex matrix recovery?", NeurIPS
2018) finds the smallest RIP constant δ*(X, Z) of a sensing operator that makes :math:`X` a spurious
critical point of :math:`f(U) = \\|\\mathcal{A}(UU^T - ZZ^T)\\|^2` with a positive semidefinite
Hessian. riptools solves it on span[X, Z] (Zhang, Sojoudi, Lavaei, JMLR 2019, Lemma 9), recovers the
operator, and certifies it twice without trusting the solver: numerically from the matrices
:math:`A_i`, and exactly, in rational arithmetic.
"""

# %%
# The slides' δ = 1/2 point
# -------------------------
# The slides on sharp RIP bounds give the rank-1 example :math:`x = (0, 1/\sqrt 2)`, :math:`z = (1, 0)`.
import numpy as np

from riptools.certify import certify_exact, certify_result
from riptools.counterexample import counterexample_sdp

x, z = np.array([0.0, 1 / np.sqrt(2)]), np.array([1.0, 0.0])
result = counterexample_sdp(x, z)
print(f"δ* = {result.delta:.9f}, solver {result.solve.solver}: status {result.solve.status}, "
      f"duality gap {result.solve.duality_gap:.1e}, accurate {result.solve.accurate}")

# %%
# The solver's word is not the certificate. :func:`riptools.certify.certify_result` rebuilds the
# operator's matrices and recomputes the gradient, the Hessian (modulo the :math:`U\to UR` symmetry)
# and the operator's RIP constant from them:
numeric = certify_result(result)
print(numeric.classification, "| certified:", numeric.certified)
print(f"‖∇f(x)‖ = {numeric.gradient_norm:.1e}, Hessian min eigenvalue {numeric.hessian_min_eig:.2e}, "
      f"verified δ = {numeric.rip_delta_verified:.9f}")

# %%
# With μ = 0 the Hessian is only asked to be positive *semi*definite, and at this point it is singular:
# riptools calls x second-order critical and *degenerate*, never a local minimum. A strict local minimum
# needs a margin μ > 0, which in turn needs a third dimension (the reduction is exact only when
# μ ≤ 4σ_min(X)², or when span[X, Z] is the whole space).
x3, z3 = np.array([0.0, 1 / np.sqrt(2), 0.0]), np.array([1.0, 0.0, 0.0])
strict = counterexample_sdp(x3, z3, margin=0.05)
numeric = certify_result(strict)
print(f"μ = 0.05: δ* = {strict.delta:.7f}; {numeric.classification}; certified {numeric.certified}")

# %%
# The exact certificate
# ---------------------
# :func:`riptools.certify.certify_exact` re-solves slightly inside the feasible set, rounds the
# operator's Gram matrix to rationals, restores ∇f(X) = 0 exactly, and checks every semidefinite
# constraint by an exact LDLᵀ factorisation (sympy). The δ it proves is a rational number just above δ*.
exact = certify_exact(strict)
print(f"exact δ' = {exact.delta} (δ* + {exact.delta_excess:.1e}); verified: {exact.verified}")
for check, passed in exact.checks.items():
    print(f"  {check:28s} {passed}")

# %%
# Save the operator and check it again from the file
# --------------------------------------------------
# The recovered operator is a list of symmetric matrices :math:`A_i`. Save it with the point and the
# ground truth; anyone can re-certify the file (``riptools counterexample certify FILE --exact``).
import tempfile
from pathlib import Path

from riptools.certify import certify_operator
from riptools.sensing import load_operator, save_operator

path = Path(tempfile.mkdtemp()) / "strict_n3.npz"
save_operator(path, strict.operator(), x_bad=x3, z=z3)
loaded = load_operator(path)
again = certify_operator(loaded.operator, loaded.x_bad, loaded.z, margin=0.05, claimed_delta=strict.delta)
print(f"{len(loaded.operator.matrices)} matrices of size {loaded.operator.n}×{loaded.operator.n}: {again.classification}")

# %%
# How δ* varies with the point
# ----------------------------
# Each SDP is small (its size does not depend on n), so a landscape is cheap. Here x moves on the unit
# circle at angle φ from z; the minimum over φ is the sharp threshold 1/2 for rank 1.
import matplotlib.pyplot as plt

angles = np.linspace(0.1, np.pi / 2, 16)
deltas = [counterexample_sdp(0.7 * np.array([np.cos(a), np.sin(a)]), z).delta for a in angles]
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(np.degrees(angles), deltas, "o-")
ax.axhline(0.5, color="grey", linestyle="--", label="δ = 1/2")
ax.set_xlabel("angle φ between x and z (degrees), ‖x‖ = 0.7")
ax.set_ylabel("δ*(x, z)")
ax.legend()
fig.tight_layout()
print(f"smallest δ* on this line: {min(deltas):.6f}")
