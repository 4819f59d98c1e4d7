"""The full-observation objective of the ScaledSGD paper and the quantities its lemmas use.

Reference: seed ``001_…`` (Zhang, Chiu, Zhang, *Accelerating SGD for highly ill-conditioned
huge-scale online matrix completion*), Sections 2–4. Conventions, exactly as in the paper:

* f(X) = ‖XXᵀ − ZZᵀ‖²_F (**no factor ½**, full observation), ∇f(X) = 4(XXᵀ − ZZᵀ)X;
* local norm ‖V‖_X = ‖V(XᵀX)^{1/2}‖_F and dual norm ‖V‖*_X = ‖V(XᵀX)^{−1/2}‖_F — computed here
  squared, as tr(V·XᵀX·Vᵀ) and tr(V·(XᵀX)⁻¹·Vᵀ), so no matrix square root is needed;
* coherence g_k(X) = e_kᵀX(XᵀX)⁻¹Xᵀe_k and its gradient ∇g_k(X) = 2(I − P)e_k e_kᵀX(XᵀX)⁻¹,
  with P = X(XᵀX)⁻¹Xᵀ (differentiate e_kᵀXG⁻¹Xᵀe_k with G = XᵀX);
* ρ(X, Z) = ‖XXᵀ − ZZᵀ‖_F / λ_min(ZᵀZ), the smallest ρ for which the hypothesis of Lemma 3 holds;
* the stochastic gradient of Section 2: SG(X) = 2d²(x_iᵀx_j − z_iᵀz_j)(e_i x_jᵀ + e_j x_iᵀ), with the
  ordered pair (i, j) uniform on [d]×[d] (d² equally likely pairs, i = j included, (i, j) and (j, i)
  counted separately).

Every function takes numpy arrays of float64 or of mpmath numbers (object dtype) and, where it needs
an inverse, eigenvalues or a square root, a backend from :mod:`riptools.claims.engine`, so the
search (float64) and the re-verification (50–80 digits) evaluate the same formulas.
"""

from __future__ import annotations

import numpy as np


def residual(x, z):
    """Returns E = XXᵀ − ZZᵀ."""
    return x @ x.T - z @ z.T


def frobenius_sq(matrix):
    """Returns ‖M‖²_F."""
    return np.sum(matrix * matrix)


def objective(x, z):
    """Returns f(X) = ‖XXᵀ − ZZᵀ‖²_F (seed 001, eq. (3); no factor ½)."""
    return frobenius_sq(residual(x, z))


def gradient(x, z):
    """Returns ∇f(X) = 4(XXᵀ − ZZᵀ)X."""
    return 4 * residual(x, z) @ x


def local_norm_sq(v, x):
    """Returns ‖V‖²_X = ‖V(XᵀX)^{1/2}‖²_F = tr(V XᵀX Vᵀ)."""
    return np.sum((v @ (x.T @ x)) * v)


def dual_norm_sq(v, gram_inverse):
    """Returns (‖V‖*_X)² = tr(V (XᵀX)⁻¹ Vᵀ), given (XᵀX)⁻¹."""
    return np.sum((v @ gram_inverse) * v)


def gram_inverse(x, backend):
    """Returns (XᵀX)⁻¹."""
    return backend.inv(x.T @ x)


def coherence(x, k: int, backend):
    """Returns g_k(X) = e_kᵀX(XᵀX)⁻¹Xᵀe_k (seed 001, Theorem 2 and Lemma 4)."""
    row = x[k]
    return row @ gram_inverse(x, backend) @ row


def coherences(x, backend):
    """Returns (g_1(X), …, g_n(X)), the diagonal of X(XᵀX)⁻¹Xᵀ."""
    return np.sum((x @ gram_inverse(x, backend)) * x, axis=1)


def coherence_gradient(x, k: int, backend):
    """Returns ∇g_k(X) = 2(I − P)e_k e_kᵀX(XᵀX)⁻¹ with P = X(XᵀX)⁻¹Xᵀ."""
    inverse = gram_inverse(x, backend)
    weights = inverse @ x[k]
    unit = np.zeros(x.shape[0])
    unit[k] = 1
    return 2 * np.outer(unit - x @ weights, weights)


def rho(x, z, backend):
    """Returns ‖XXᵀ − ZZᵀ‖_F / λ_min(ZᵀZ), the smallest admissible ρ of Lemma 3's hypothesis."""
    return backend.sqrt(objective(x, z)) / backend.eigvalsh(z.T @ z)[0]


def tangent_projection(matrix, x, backend):
    """Returns the orthogonal projection of a symmetric M onto T = {XYᵀ + YXᵀ}: PM + MP − PMP."""
    projector = x @ gram_inverse(x, backend) @ x.T
    return projector @ matrix + matrix @ projector - projector @ matrix @ projector


def tangent_component_sq(matrix, x, backend):
    """Returns ‖P_T(M)‖²_F = 2‖MP‖²_F − ‖PMP‖²_F for symmetric M, in O(n²r) operations.

    (‖P_T M‖² = ‖PMP‖² + 2‖P⊥MP‖² and ‖MP‖² = ‖PMP‖² + ‖P⊥MP‖²; with W = MX and S = XᵀW,
    ‖MP‖² = tr(WG⁻¹Wᵀ) and ‖PMP‖² = tr(G⁻¹SG⁻¹S).) So cos²θ = ‖P_T(E)‖²/‖E‖² for the angle θ
    between E and T, as in Section 4 of seed 001.
    """
    inverse = gram_inverse(x, backend)
    w = matrix @ x
    s = inverse @ (x.T @ w)
    return 2 * dual_norm_sq(w, inverse) - np.sum(s * s.T)


def stochastic_gradient(x, z, i: int, j: int):
    """Returns SG(X) for the sampled pair (i, j): 2d²(x_iᵀx_j − z_iᵀz_j)(e_i x_jᵀ + e_j x_iᵀ) (Section 2)."""
    d = x.shape[0]
    direction = np.zeros(x.shape, dtype=x.dtype)
    direction[i] += x[j]
    direction[j] += x[i]
    return 2 * d * d * (x[i] @ x[j] - z[i] @ z[j]) * direction


def _sample_pairs(d: int):
    return ((i, j) for i in range(d) for j in range(d))


def expected_stochastic_gradient(x, z):
    """Returns E[SG(X)] by enumerating all d² ordered pairs (i, j)."""
    d = x.shape[0]
    return sum(stochastic_gradient(x, z, i, j) for i, j in _sample_pairs(d)) / (d * d)


def expected_sg_dual_norm_sq(x, z, backend):
    """Returns E[(‖SG(X)‖*_X)²] by enumerating all d² ordered pairs (i, j)."""
    d = x.shape[0]
    inverse = gram_inverse(x, backend)
    return sum(dual_norm_sq(stochastic_gradient(x, z, i, j), inverse) for i, j in _sample_pairs(d)) / (d * d)
