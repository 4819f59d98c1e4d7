"""The full-observation objective of the ScaledSGD paper and the quantities its lemmas use.

Reference: G. Zhang, H.-M. Chiu, R. Y. Zhang, *Accelerating SGD for highly ill-conditioned
huge-scale online matrix completion*, NeurIPS 2022 (arXiv:2208.11246), Sections 2–4. Conventions, exactly as in the paper:

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
    """Returns E = XXᵀ − ZZᵀ.

    Example:
        >>> import numpy as np
        >>> residual(np.array([[2.0], [0.0]]), np.array([[1.0], [0.0]]))
        array([[3., 0.],
               [0., 0.]])
    """
    return x @ x.T - z @ z.T


def frobenius_sq(matrix):
    """Returns ‖M‖²_F.

    Example:
        >>> import numpy as np
        >>> float(frobenius_sq(np.array([[3.0, 4.0]])))
        25.0
    """
    return np.sum(matrix * matrix)


def objective(x, z):
    """Returns f(X) = ‖XXᵀ − ZZᵀ‖²_F (eq. (3) of the ScaledSGD paper; no factor ½).

    Example:
        >>> import numpy as np
        >>> z = np.array([[1.0], [0.0]])
        >>> float(objective(2 * z, z))  # ‖4zzᵀ − zzᵀ‖² = 9, no factor ½
        9.0
    """
    return frobenius_sq(residual(x, z))


def gradient(x, z):
    """Returns ∇f(X) = 4(XXᵀ − ZZᵀ)X.

    Example:
        >>> import numpy as np
        >>> z = np.array([[1.0], [0.0]])
        >>> gradient(2 * z, z).ravel().tolist()  # 4(XXᵀ − ZZᵀ)X = 4·3zzᵀ·2z
        [24.0, 0.0]
    """
    return 4 * residual(x, z) @ x


def local_norm_sq(v, x):
    """Returns ‖V‖²_X = ‖V(XᵀX)^{1/2}‖²_F = tr(V XᵀX Vᵀ).

    Example:
        >>> import numpy as np
        >>> float(local_norm_sq(np.array([[1.0], [1.0]]), np.array([[2.0], [0.0]])))  # ‖V‖²·XᵀX = 2·4
        8.0
    """
    return np.sum((v @ (x.T @ x)) * v)


def dual_norm_sq(v, gram_inverse):
    """Returns (‖V‖*_X)² = tr(V (XᵀX)⁻¹ Vᵀ), given (XᵀX)⁻¹.

    Example:
        >>> import numpy as np
        >>> float(dual_norm_sq(np.array([[1.0], [1.0]]), np.array([[0.25]])))
        0.5
    """
    return np.sum((v @ gram_inverse) * v)


def gram_inverse(x, backend):
    """Returns (XᵀX)⁻¹.

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> gram_inverse(np.array([[2.0], [0.0]]), FLOAT64)
        array([[0.25]])
    """
    return backend.inv(x.T @ x)


def coherence(x, k: int, backend):
    """Returns g_k(X) = e_kᵀX(XᵀX)⁻¹Xᵀe_k (the ScaledSGD paper, Theorem 2 and Lemma 4).

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> float(coherence(np.array([[1.0], [1.0]]), 0, FLOAT64))  # leverage score of row 0
        0.5
    """
    row = x[k]
    return row @ gram_inverse(x, backend) @ row


def coherences(x, backend):
    """Returns (g_1(X), …, g_n(X)), the diagonal of X(XᵀX)⁻¹Xᵀ.

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> coherences(np.eye(3)[:, :2], FLOAT64).tolist()
        [1.0, 1.0, 0.0]
    """
    return np.sum((x @ gram_inverse(x, backend)) * x, axis=1)


def coherence_gradient(x, k: int, backend):
    """Returns ∇g_k(X) = 2(I − P)e_k e_kᵀX(XᵀX)⁻¹ with P = X(XᵀX)⁻¹Xᵀ.

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> coherence_gradient(np.eye(2)[:, :1], 0, FLOAT64).ravel().tolist()  # e_1 spans: g_0 = 1 is maximal
        [0.0, 0.0]
    """
    inverse = gram_inverse(x, backend)
    weights = inverse @ x[k]
    unit = np.zeros(x.shape[0])
    unit[k] = 1
    return 2 * np.outer(unit - x @ weights, weights)


def rho(x, z, backend):
    """Returns ‖XXᵀ − ZZᵀ‖_F / λ_min(ZᵀZ), the smallest admissible ρ of Lemma 3's hypothesis.

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> z = np.array([[1.0], [0.0]])
        >>> round(float(rho(1.1 * z, z, FLOAT64)), 12)  # ‖1.21zzᵀ − zzᵀ‖/λ_min(zᵀz)
        0.21
    """
    return backend.sqrt(objective(x, z)) / backend.eigvalsh(z.T @ z)[0]


def tangent_projection(matrix, x, backend):
    """Returns the orthogonal projection of a symmetric M onto T = {XYᵀ + YXᵀ}: PM + MP − PMP.

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> tangent_projection(np.eye(2), np.array([[1.0], [0.0]]), FLOAT64).tolist()  # the e_2e_2ᵀ part is normal to T
        [[1.0, 0.0], [0.0, 0.0]]
    """
    projector = x @ gram_inverse(x, backend) @ x.T
    return projector @ matrix + matrix @ projector - projector @ matrix @ projector


def tangent_component_sq(matrix, x, backend):
    """Returns ‖P_T(M)‖²_F = 2‖MP‖²_F − ‖PMP‖²_F for symmetric M, in O(n²r) operations.

    (‖P_T M‖² = ‖PMP‖² + 2‖P⊥MP‖² and ‖MP‖² = ‖PMP‖² + ‖P⊥MP‖²; with W = MX and S = XᵀW,
    ‖MP‖² = tr(WG⁻¹Wᵀ) and ‖PMP‖² = tr(G⁻¹SG⁻¹S).) So cos²θ = ‖P_T(E)‖²/‖E‖² for the angle θ
    between E and T, as in Section 4 of the ScaledSGD paper.

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> float(tangent_component_sq(np.eye(2), np.array([[1.0], [0.0]]), FLOAT64))
        1.0
    """
    inverse = gram_inverse(x, backend)
    w = matrix @ x
    s = inverse @ (x.T @ w)
    return 2 * dual_norm_sq(w, inverse) - np.sum(s * s.T)


def stochastic_gradient(x, z, i: int, j: int):
    """Returns SG(X) for the sampled pair (i, j): 2d²(x_iᵀx_j − z_iᵀz_j)(e_i x_jᵀ + e_j x_iᵀ) (Section 2).

    Example:
        >>> import numpy as np
        >>> x, z = np.array([[1.0], [0.0]]), np.zeros((2, 1))
        >>> stochastic_gradient(x, z, 0, 0).ravel().tolist()  # 2·d²·(x_0ᵀx_0)·2e_0x_0ᵀ with d = 2
        [16.0, 0.0]
    """
    d = x.shape[0]
    direction = np.zeros(x.shape, dtype=x.dtype)
    direction[i] += x[j]
    direction[j] += x[i]
    return 2 * d * d * (x[i] @ x[j] - z[i] @ z[j]) * direction


def _sample_pairs(d: int):
    return ((i, j) for i in range(d) for j in range(d))


def expected_stochastic_gradient(x, z):
    """Returns E[SG(X)] by enumerating all d² ordered pairs (i, j).

    Example:
        >>> import numpy as np
        >>> x, z = np.array([[1.0], [2.0]]), np.array([[0.5], [1.0]])
        >>> bool(np.allclose(expected_stochastic_gradient(x, z), gradient(x, z)))
        True
    """
    d = x.shape[0]
    return sum(stochastic_gradient(x, z, i, j) for i, j in _sample_pairs(d)) / (d * d)


def expected_sg_dual_norm_sq(x, z, backend):
    """Returns E[(‖SG(X)‖*_X)²] by enumerating all d² ordered pairs (i, j).

    Example:
        >>> import numpy as np
        >>> from riptools.claims.engine import FLOAT64
        >>> float(expected_sg_dual_norm_sq(np.array([[1.0], [0.0]]), np.zeros((2, 1)), FLOAT64))
        64.0
    """
    d = x.shape[0]
    inverse = gram_inverse(x, backend)
    return sum(dual_norm_sq(stochastic_gradient(x, z, i, j), inverse) for i, j in _sample_pairs(d)) / (d * d)
