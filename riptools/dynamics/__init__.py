"""Dynamics kernels: many independent runs of a local-search method, in parallel and reproducibly.

* :mod:`riptools.dynamics.sgd` — SGD (one measurement per step) and full-batch gradient descent on
  f(U) = ‖A(UUᵀ − ZZᵀ)‖², with a counter-based random stream per trial (the SGD experiment of the sharp-RIP talk slides).
* :mod:`riptools.dynamics.scaledsgd` — online SGD and ScaledSGD for symmetric completion (Zhang, Chiu, Zhang, NeurIPS 2022).
* :mod:`riptools.dynamics.subgradient` — the subgradient method on entrywise-ℓ1 completion (the JAX notebook "Matrix Completion", 2025).
"""
