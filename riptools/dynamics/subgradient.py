"""The subgradient method on entrywise-ℓ1 matrix completion, many starts at once, with JAX's arithmetic.

The method and instance (the JAX notebook "Matrix Completion", 2025; see :mod:`riptools.sources.subgradient_notebook`):

* **Objective.** ``f(X, Y) = Σ_{(i,j)∈Ω} |(XYᵀ)_ij − M_ij|`` for X ∈ R^{m×r}, Y ∈ R^{n×r}. The point is
  stored as ``z = (X.ravel(), Y.ravel())`` (row-major), so the notebook's instance — ``f = |x₁y₁ − 1| +
  |x₂y₁ − 1| + |x₂y₂ − 1|`` with ``x = (x₁, x₂, y₁, y₂)`` — is m = n = 2, r = 1,
  Ω = ((0,0), (1,0), (1,1)), M = 1 on Ω (:data:`NOTEBOOK_INSTANCE`), and z is the notebook's x.
* **Method.** ``z_{k+1} = z_k − α/(k+1)^β · g_k``, k = 0, 1, …, K−1, with g_k the subgradient that
  ``jax.value_and_grad`` returns: ``g = Σ_e s_e ∇((XYᵀ)_e)`` with ``s_e = +1 if r_e ≥ 0 else −1``.
  **The kink choice:** JAX differentiates ``|t|`` as ``select(t ≥ 0, +1, −1)`` (jax 0.10.2,
  ``jax.grad(jnp.abs)(0.0) == 1.0``), so at a kink r_e = 0 the subgradient uses s_e = **+1**, not
  sign(0) = 0; a NaN residual gives −1.

The arithmetic is XLA's for the notebook's jitted code on an FMA-capable x86-64 CPU, read from the
optimised HLO and checked bit for bit against jax 0.10.2 (``tests/test_divergence.py``):

* the step size: XLA rewrites ``α / (k+1)^β`` into ``α · pow(k+1, −β)`` (one libm ``pow``, then one
  multiply) — this differs from ``α / pow(k+1, β)`` in the last bit for about half of the k;
* the residual ``r_e = fma(X_i·, Y_j·, −M_e)``: the LLVM backend of XLA fuses ``x·y − 1`` into one
  fused multiply-add (for rank r > 1 the sum runs ``acc ← fma(X_it, Y_jt, acc)`` over t = 0…r−1 from
  ``acc = −M_e``, our extension);
* the objective ``((|r_0| + |r_1|) + |r_2|) + …`` in the order of Ω;
* the update ``z ← fma(−step, g, z)``, again fused; g is a sum of ``s_e · coordinate`` terms (exact
  products) accumulated in the order of Ω (for the notebook's instance every sum has at most two terms,
  so the order cannot matter).

Unfused ``x·y − 1`` and ``z − step·g`` already differ from JAX in the last bit after one step for
about 15 % of random points, so :func:`fma` calls LLVM's ``llvm.fma.f64`` explicitly: exact whatever
the CPU and never left to the compiler's contraction choices. (On a CPU without FMA, XLA would not
fuse, and the notebook's numbers could differ there.)

The kernel never stores K-length histories. It records, at log-spaced checkpoints
(:func:`checkpoint_steps`), f(z_k), ‖z_k‖, the imbalance ‖X_k‖²_F − ‖Y_k‖²_F and the products
(X_kY_kᵀ)_e on Ω, plus the running extremes of f and ‖z‖ over the steps since the previous
checkpoint. Memory is O(starts × checkpoints × |Ω|).

Speed (the notebook's 100 starts, on one core; ``benchmarks/bench_divergence.py`` measures it beside the
notebook's JAX code): the starts are stored lane-innermost in chunks of whole SIMD vectors, about one chunk
per thread, and every step is one SIMD loop over a chunk's lanes, so that the processor overlaps the
independent dependency chains of its vectors (one start-step is about 35 vector operations on 8 lanes;
a loop over a single vector waits on the chain's latency, 2.4× slower). Iterations other than
checkpoints run straight-line code generated for the instance (:func:`_plain_step_body`, Ω and M as
literals, the sign of a subgradient term a select instead of a multiply), written once per instance to
a module file so that numba's on-disk cache serves later processes; checkpoint iterations go through
the generic :func:`_evaluate` / :func:`_step`. The step sizes need one libm ``pow`` per step (about
0.2 ns per start-step at 100 starts): the chunks compute the next segment's between them. Each start's
arithmetic does not depend on its chunk or the thread count. The threads are Python threads running
the ``nogil`` kernel, one call per chunk and segment of about 1 % of the run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numba
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic
from tqdm import tqdm

from riptools.results import write_text_atomic
from riptools.validation import InputError, as_finite_array, positive_int

VECTOR_LANES = 8
"""Starts per SIMD vector (one AVX-512 register of float64, one 64-byte cache line): chunks hold whole vectors."""
CHUNK_VECTORS = 16
"""At most this many vectors (128 starts; 7 kB of points and extremes, L1-resident) per chunk, the unit of
work of one thread. Each step is one SIMD loop over a chunk's lanes, whose vectors the processor overlaps
(measured on one core: 8 lanes per loop 2.1 ns per start-step, 56 lanes 0.9 ns)."""
PROGRESS_SEGMENTS = 100
"""A run is split into about this many kernel calls, between which the progress bar moves."""
SEGMENT_STEPS = (4096, 2**20)
"""Bounds on the steps per kernel call (a segment); the chunks compute the next segment's step sizes
(≤ 8 MB) between them."""
CHECKPOINTS_PER_DECADE = 50
"""Default density of the log-spaced checkpoints."""


@dataclass(frozen=True)
class CompletionInstance:
    """An entrywise-ℓ1 completion problem f(X, Y) = Σ_{(i,j)∈Ω} |(XYᵀ)_ij − M_ij|.

    Attributes:
        m: rows of X. n: rows of Y. rank: columns of X and Y.
        rows, cols: the observed entries Ω, in the order the objective sums them.
        values: M on Ω.
        name: a label for reports.
    """

    m: int
    n: int
    rank: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    values: tuple[float, ...]
    name: str = "custom"

    def __post_init__(self):
        for label in ("m", "n", "rank"):
            positive_int(getattr(self, label), label)
        if not (len(self.rows) == len(self.cols) == len(self.values)) or not self.rows:
            raise InputError("rows, cols, values: expected three non-empty sequences of the same length")
        if not all(0 <= i < self.m for i in self.rows) or not all(0 <= j < self.n for j in self.cols):
            raise InputError(f"rows, cols: expected entries in [0, {self.m}) × [0, {self.n}), got {list(zip(self.rows, self.cols))}")
        if len(set(zip(self.rows, self.cols))) != len(self.rows):
            raise InputError("rows, cols: an entry of Ω is listed twice")
        as_finite_array(self.values, "values", ndim=1)

    @property
    def dimension(self) -> int:
        """Number of variables (m + n)·r."""
        return (self.m + self.n) * self.rank

    @property
    def num_entries(self) -> int:
        """|Ω|."""
        return len(self.rows)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns (rows, cols, values) as int64, int64, float64 arrays for the kernel."""
        return (np.asarray(self.rows, np.int64), np.asarray(self.cols, np.int64), np.asarray(self.values, np.float64))

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (X, Y) of shape (..., m, r), (..., n, r) from points z of shape (..., (m+n)r)."""
        z = np.asarray(z, dtype=np.float64)
        cut = self.m * self.rank
        lead = z.shape[:-1]
        return z[..., :cut].reshape(*lead, self.m, self.rank), z[..., cut:].reshape(*lead, self.n, self.rank)


NOTEBOOK_INSTANCE = CompletionInstance(
    m=2, n=2, rank=1, rows=(0, 1, 1), cols=(0, 0, 1), values=(1.0, 1.0, 1.0),
    name="|x1y1-1| + |x2y1-1| + |x2y2-1| (the JAX notebook)",
)
"""The notebook's f(x₁, x₂, y₁, y₂) = |x₁y₁ − 1| + |x₂y₁ − 1| + |x₂y₂ − 1|; minimisers (t, t, 1/t, 1/t)."""


@intrinsic
def _fma_intrinsic(typingctx, a, b, c):
    signature = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, sig, args):
        args = [context.cast(builder, value, ty, types.float64) for value, ty in zip(args, sig.args)]
        double = ir.DoubleType()
        function = builder.module.declare_intrinsic("llvm.fma", [double], ir.FunctionType(double, [double] * 3))
        return builder.call(function, args)

    return signature, codegen


@njit(cache=True)
def fma(a, b, c):
    """Returns a·b + c rounded once (IEEE fused multiply-add), as XLA's CPU backend computes x·y − 1."""
    return _fma_intrinsic(a, b, c)


def step_size(alpha: float, beta: float, k: int) -> float:
    """Returns α·pow(k+1, −β), the notebook's ``alpha / jnp.power(k + 1, beta)`` as XLA evaluates it.

    ``math.pow`` is libm's pow, as XLA's ``power`` on CPU and numba's ``**`` (``np.power`` may take a
    SIMD path that differs in the last bit).
    """
    return alpha * math.pow(float(k + 1), -beta)


def checkpoint_steps(iters: int, *, per_decade: int = CHECKPOINTS_PER_DECADE) -> np.ndarray:
    """Returns the checkpoint iteration counts: 0, round(10^(j/per_decade)) ≤ K, K−1 and K.

    K−1 is included because the notebook's ``objs[-1]`` is f(z_{K−1}) (it records f before each step).
    """
    iters = positive_int(iters, "iters")
    per_decade = positive_int(per_decade, "per_decade")
    exponents = np.arange(0, per_decade * math.log10(iters) + 1) / per_decade
    grid = np.round(10.0**exponents).astype(np.int64)
    return np.unique(np.concatenate([[0, iters - 1, iters], grid[grid <= iters]])).astype(np.int64)


@dataclass(frozen=True)
class SubgradientRuns:
    """Checkpointed subgradient trajectories of many starts (row s of every array is start s).

    Attributes:
        instance: the completion problem.
        alpha, beta, iters: the step sizes α/(k+1)^β for k = 0…iters−1.
        starts: (S, d) initial points.
        checkpoints: (C,) iteration counts k at which z_k is summarised.
        objective, norm, imbalance: (S, C) f(z_k), ‖z_k‖₂, ‖X_k‖²_F − ‖Y_k‖²_F at the checkpoints.
        products: (S, C, |Ω|) (X_kY_kᵀ)_e on Ω at the checkpoints.
        max_norm, min_objective, max_objective: (S, C) extremes over the steps k with
            checkpoints[c−1] < k ≤ checkpoints[c] (over k = 0 for c = 0).
        final: (S, d) the last iterate z_K.
    """

    instance: CompletionInstance
    alpha: float
    beta: float
    iters: int
    starts: np.ndarray
    checkpoints: np.ndarray
    objective: np.ndarray
    norm: np.ndarray
    imbalance: np.ndarray
    products: np.ndarray
    max_norm: np.ndarray
    min_objective: np.ndarray
    max_objective: np.ndarray
    final: np.ndarray

    @property
    def num_starts(self) -> int:
        """Number of starts S."""
        return self.starts.shape[0]


@njit(cache=True)
def _fill_step_sizes(out, alpha, beta, k_first, begin, end):
    """Writes α·pow(k+1, −β) into ``out[k − k_first]`` for begin ≤ k < end (libm ``pow``, as XLA)."""
    for k in range(begin, end):
        out[k - k_first] = alpha * (float(k + 1) ** (-beta))


@njit(cache=True, inline="always")
def _evaluate(z, width, rows, cols, values, m, rank, residual, sign, objective, squared_norm):
    """Fills residual, sign (|Ω|, width), objective and ‖z‖² (width,) at the chunk's points z (d, ≥ width).

    Lanes are the innermost loops so that the compiler vectorises across starts.
    """
    for e in range(rows.shape[0]):
        x_base = rows[e] * rank
        y_base = (m + cols[e]) * rank
        for b in range(width):
            residual[e, b] = -values[e]
        for t in range(rank):
            for b in range(width):
                residual[e, b] = fma(z[x_base + t, b], z[y_base + t, b], residual[e, b])
        for b in range(width):
            sign[e, b] = 1.0 if residual[e, b] >= 0.0 else -1.0
            objective[b] = abs(residual[e, b]) if e == 0 else objective[b] + abs(residual[e, b])
    for b in range(width):
        squared_norm[b] = 0.0
    for v in range(z.shape[0]):
        for b in range(width):
            squared_norm[b] = fma(z[v, b], z[v, b], squared_norm[b])


@njit(cache=True, inline="always")
def _step(z, width, step, rows, cols, m, rank, sign, grad):
    """Replaces the chunk's points z by fma(−step, g, z), g the subgradient with signs ``sign``.

    g is accumulated from +0.0 as XLA does, so an exactly zero g is +0 and z − step·(+0) keeps a −0.
    """
    grad[:, :] = 0.0
    for e in range(rows.shape[0]):
        x_base = rows[e] * rank
        y_base = (m + cols[e]) * rank
        for t in range(rank):
            for b in range(width):
                grad[x_base + t, b] += sign[e, b] * z[y_base + t, b]
                grad[y_base + t, b] += sign[e, b] * z[x_base + t, b]
    for v in range(z.shape[0]):
        for b in range(width):
            z[v, b] = fma(-step, grad[v, b], z[v, b])


@njit(cache=True)
def _checkpoint_iteration(z, width, lanes, first_start, rows, cols, values, m, rank, k, iters, step, c,
                          top_norm, low_f, top_f, objective, norm, imbalance, products,
                          max_norm, min_objective, max_objective):
    """Iteration k of one chunk when k is checkpoint c: evaluate, record its ``lanes`` starts, reset the extremes, step."""
    num_entries, dim = rows.shape[0], z.shape[0]
    residual = np.empty((num_entries, width))
    sign = np.empty((num_entries, width))
    f = np.empty(width)
    squared_norm = np.empty(width)
    _evaluate(z, width, rows, cols, values, m, rank, residual, sign, f, squared_norm)
    for b in range(lanes):
        s = first_start + b
        objective[s, c] = f[b]
        norm[s, c] = math.sqrt(squared_norm[b])
        x_part = 0.0
        for v in range(m * rank):
            x_part = fma(z[v, b], z[v, b], x_part)
        imbalance[s, c] = x_part - (squared_norm[b] - x_part)
        for e in range(num_entries):
            product = 0.0
            for t in range(rank):
                product = fma(z[rows[e] * rank + t, b], z[(m + cols[e]) * rank + t, b], product)
            products[s, c, e] = product
        max_norm[s, c] = math.sqrt(max(top_norm[b], squared_norm[b]))
        min_objective[s, c] = min(low_f[b], f[b])
        max_objective[s, c] = max(top_f[b], f[b])
    top_norm[:] = -np.inf
    low_f[:] = np.inf
    top_f[:] = -np.inf
    if k < iters:
        _step(z, width, step, rows, cols, m, rank, sign, np.empty((dim, width)))


_KERNEL_TEMPLATE = '''"""Generated by riptools.dynamics.subgradient for {name!r}; do not edit (regenerated on demand).

Digest of riptools/dynamics/subgradient.py and numba's version: {module_digest} (a change there makes a new
file, so numba's on-disk cache never serves a kernel compiled against older versions of what it calls).
"""
from numba import njit

from riptools.dynamics.subgradient import _checkpoint_iteration, _fill_step_sizes, fma


@njit(cache=True)
def _plain_steps(z, width, steps, k_first, k_begin, k_end, top_norm, low_f, top_f):
    # Iterations k_begin <= k < k_end of one chunk, none a checkpoint. The lane loop is innermost: one
    # SIMD loop over the chunk's lanes per step, whose vectors the processor overlaps (they are independent).
    for k in range(k_begin, k_end):
        step = -steps[k - k_first]
        for b in range(width):
{body}


@njit(cache=True, nogil=True)
def advance(z, width, lanes, first_start, top_norm, low_f, top_f, rows, cols, values, m, rank,
            steps, k_begin, k_end, iters, checkpoints, next_checkpoint,
            objective, norm, imbalance, products, max_norm, min_objective, max_objective,
            alpha, beta, next_steps, next_first, share_begin, share_end):
    # Iterations k_begin <= k < k_end of one chunk (steps[k - k_begin] is the step of iteration k), then this
    # chunk's share [share_begin, share_end) of the next segment's step sizes (into next_steps[k - next_first]).
    num_checkpoints = checkpoints.shape[0]
    c = next_checkpoint
    k = k_begin
    while k < k_end:
        if c < num_checkpoints and k == checkpoints[c]:
            step = steps[k - k_begin] if k < iters else 0.0
            _checkpoint_iteration(z, width, lanes, first_start, rows, cols, values, m, rank, k, iters, step, c,
                                  top_norm, low_f, top_f, objective, norm, imbalance, products,
                                  max_norm, min_objective, max_objective)
            c += 1
            k += 1
        else:
            stop = k_end
            if c < num_checkpoints and checkpoints[c] < stop:
                stop = checkpoints[c]
            _plain_steps(z, width, steps, k_begin, k, stop, top_norm, low_f, top_f)
            k = stop
    _fill_step_sizes(next_steps, alpha, beta, next_first, share_begin, share_end)
'''


def _plain_step_body(instance: CompletionInstance, indent: str) -> str:
    """Returns the straight-line code of one lane's iteration (evaluate, extremes, step) for ``instance``.

    The arithmetic of :func:`_evaluate` then :func:`_step`, with Ω, M and the ranks as literals so that
    the compiler keeps the point in registers and vectorises across lanes. A term s_e·z_u of the
    subgradient is written ``(z_u if r_e >= 0.0 else -z_u)``: the same number without a multiply (only a
    NaN's sign bit could differ). Each coordinate's sum gets ``+ 0.0``, which turns an exact −0 into +0 as
    :func:`_step`'s accumulation from +0.0 does (and XLA's), so that z − step·g keeps a −0 coordinate.
    """
    r, m = instance.rank, instance.m
    dim = instance.dimension
    x = lambda i, t: i * r + t  # noqa: E731 - index of X[i, t] in z
    y = lambda j, t: (m + j) * r + t  # noqa: E731 - index of Y[j, t] in z
    lines = [f"z{v} = z[{v}, b]" for v in range(dim)]
    terms = {v: [] for v in range(dim)}
    for e, (i, j, target) in enumerate(zip(instance.rows, instance.cols, instance.values)):
        acc = repr(-float(target))
        for t in range(r):
            acc = f"fma(z{x(i, t)}, z{y(j, t)}, {acc})"
        lines.append(f"r{e} = {acc}")
        for t in range(r):
            terms[x(i, t)].append(f"(z{y(j, t)} if r{e} >= 0.0 else -z{y(j, t)})")
            terms[y(j, t)].append(f"(z{x(i, t)} if r{e} >= 0.0 else -z{x(i, t)})")
    objective = "abs(r0)"
    for e in range(1, instance.num_entries):
        objective = f"({objective} + abs(r{e}))"
    squared_norm = "0.0"
    for v in range(dim):
        squared_norm = f"fma(z{v}, z{v}, {squared_norm})"
    lines += [f"f = {objective}", f"n2 = {squared_norm}",
              "top_f[b] = max(top_f[b], f)", "low_f[b] = min(low_f[b], f)", "top_norm[b] = max(top_norm[b], n2)"]
    for v in range(dim):
        if not terms[v]:  # g = +0 and z − step·(+0) = z
            continue
        gradient = terms[v][0]
        for term in terms[v][1:]:
            gradient = f"({gradient} + {term})"
        lines.append(f"z[{v}, b] = fma(step, {gradient} + 0.0, z{v})")
    return "\n".join(indent + line for line in lines)


_KERNELS: dict = {}


def _kernel_for(instance: CompletionInstance):
    """Returns the generated ``advance`` kernel of ``instance``, writing and importing its module once.

    The module is a file in numba's cache folder (or the temp folder), named by a hash of its source,
    which includes a hash of this module's file and numba's version: numba's on-disk cache serves later
    processes, and a change of the template or of the functions the kernel calls makes a new file.
    """
    module_digest = hashlib.sha256(Path(__file__).read_bytes() + numba.__version__.encode()).hexdigest()[:20]
    source = _KERNEL_TEMPLATE.format(name=instance.name, module_digest=module_digest,
                                     body=_plain_step_body(instance, " " * 12))
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    if digest not in _KERNELS:
        folder = Path(numba.config.CACHE_DIR or tempfile.gettempdir()) / f"riptools_kernels_{os.getuid()}"
        path = folder / f"subgradient_{digest}.py"
        if not path.exists() or path.read_text() != source:
            write_text_atomic(path, source)
        name = f"riptools_subgradient_{digest}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cache re-imports the module by name when it loads a kernel
        spec.loader.exec_module(module)
        _KERNELS[digest] = module.advance
    return _KERNELS[digest]


def _split(total: int, parts: int) -> list[int]:
    """Returns ``parts`` integers, as equal as possible (the larger first), that sum to ``total``."""
    base, extra = divmod(total, parts)
    return [base + 1] * extra + [base] * (parts - extra)


def run_subgradient(starts, *, alpha: float, beta: float, iters: int,
                    instance: CompletionInstance = NOTEBOOK_INSTANCE,
                    per_decade: int = CHECKPOINTS_PER_DECADE, progress: bool = False,
                    threads: int | None = None) -> SubgradientRuns:
    """Returns checkpointed runs of z_{k+1} = z_k − α/(k+1)^β g_k from every start (the JAX notebook's method).

    Args:
        starts: (S, d) initial points, d = (m+n)·rank (a 1-d array is one start).
        alpha: step scale α > 0.
        beta: step decay exponent β ≥ 0 (0: constant; 0.501: nonsummable; 1.001: summable).
        iters: number of steps K.
        instance: the completion problem (default: the notebook's 2×2 rank-one instance).
        per_decade: checkpoint density.
        progress: show a tqdm bar on stderr.
        threads: threads to run on (default ``numba.get_num_threads()``); the numbers do not depend on it.

    Raises:
        InputError: non-finite or mis-shaped starts, α ≤ 0, β < 0, iters < 1, threads < 1.

    Example:
        >>> runs = run_subgradient(np.ones((1, 4)), alpha=0.1, beta=0.0, iters=1)
        >>> runs.final.tolist()  # at the kink JAX's d|t|/dt is +1: g = (1, 2, 2, 1)
        [[0.9, 0.8, 0.8, 0.9]]
    """
    starts = np.atleast_2d(as_finite_array(starts, "starts"))
    if starts.ndim != 2 or starts.shape[1] != instance.dimension:
        raise InputError(f"starts: expected shape (S, {instance.dimension}), got {starts.shape}")
    alpha, beta = _check_step_parameters(alpha, beta)
    iters = positive_int(iters, "iters")
    threads = numba.get_num_threads() if threads is None else positive_int(threads, "threads")
    checkpoints = checkpoint_steps(iters, per_decade=per_decade)
    num_starts, num_checkpoints = starts.shape[0], checkpoints.shape[0]
    rows, cols, values = instance.arrays()
    shape = (num_starts, num_checkpoints)
    arrays = {name: np.full(shape, np.nan) for name in
              ("objective", "norm", "imbalance", "max_norm", "min_objective", "max_objective")}
    products = np.full((*shape, instance.num_entries), np.nan)
    # Chunks of whole SIMD vectors, about one per thread (more when there are many starts).
    vectors = -(-num_starts // VECTOR_LANES)
    num_chunks = min(vectors, max(threads, -(-vectors // CHUNK_VECTORS)))
    widths = [VECTOR_LANES * count for count in _split(vectors, num_chunks)]
    firsts = [sum(widths[:chunk]) for chunk in range(num_chunks)]
    lanes = [min(width, num_starts - first) for first, width in zip(firsts, widths)]
    # Rows padded by a cache line, so that two chunks' threads never write into one line (false sharing).
    state = np.zeros((num_chunks, instance.dimension, widths[0] + VECTOR_LANES))
    for chunk in range(num_chunks):
        state[chunk, :, :lanes[chunk]] = starts[firsts[chunk]:firsts[chunk] + lanes[chunk]].T
    extremes = [np.full((num_chunks, widths[0] + VECTOR_LANES), fill) for fill in (-np.inf, np.inf, -np.inf)]
    segment = min(max(SEGMENT_STEPS[0], (iters + 1) // PROGRESS_SEGMENTS), SEGMENT_STEPS[1])
    advance = _kernel_for(instance)
    steps = np.empty(min(segment, iters))
    _fill_step_sizes(steps, alpha, beta, 0, 0, steps.shape[0])
    workers = min(threads, num_chunks)
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    try:
        with tqdm(total=iters, disable=not progress, unit="step", unit_scale=True, file=sys.stderr) as bar:
            for k_begin in range(0, iters + 1, segment):
                k_end = min(k_begin + segment, iters + 1)
                # The chunks compute the next segment's step sizes between them, after their steps.
                next_first, next_end = min(k_end, iters), min(k_end + segment, iters)
                next_steps = np.empty(next_end - next_first)
                shares = np.cumsum([next_first] + _split(next_end - next_first, num_chunks)).tolist()
                next_checkpoint = int(np.searchsorted(checkpoints, k_begin))
                tasks = [(state[chunk], widths[chunk], lanes[chunk], firsts[chunk], extremes[0][chunk],
                          extremes[1][chunk], extremes[2][chunk], rows, cols, values, instance.m, instance.rank,
                          steps, k_begin, k_end, iters, checkpoints, next_checkpoint,
                          arrays["objective"], arrays["norm"], arrays["imbalance"], products,
                          arrays["max_norm"], arrays["min_objective"], arrays["max_objective"],
                          alpha, beta, next_steps, next_first, shares[chunk], shares[chunk + 1])
                         for chunk in range(num_chunks)]
                if pool is None:
                    for task in tasks:
                        advance(*task)
                else:
                    for future in [pool.submit(advance, *task) for task in tasks]:
                        future.result()
                steps = next_steps
                bar.update(min(k_end, iters) - min(k_begin, iters))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    final = np.concatenate([state[chunk, :, :lanes[chunk]] for chunk in range(num_chunks)], axis=1).T.copy()
    return SubgradientRuns(instance=instance, alpha=alpha, beta=beta, iters=iters, starts=starts,
                           checkpoints=checkpoints, products=products, final=final, **arrays)


def _check_step_parameters(alpha, beta) -> tuple[float, float]:
    try:
        alpha, beta = float(alpha), float(beta)
    except (TypeError, ValueError):
        raise InputError(f"alpha, beta: expected numbers, got {alpha!r}, {beta!r}") from None
    if not (math.isfinite(alpha) and alpha > 0):
        raise InputError(f"alpha: expected a finite number > 0, got {alpha}")
    if not (math.isfinite(beta) and beta >= 0):
        raise InputError(f"beta: expected a finite number ≥ 0, got {beta}")
    return alpha, beta


def _fma_exact(a: float, b: float, c: float) -> float:
    """Returns a·b + c rounded once, computed in exact rational arithmetic (the reference for fma).

    An exact zero takes IEEE 754's sign: −0 when a·b and c are both −0, else +0 (round to nearest).
    """
    if not all(math.isfinite(v) for v in (a, b, c)):
        return a * b + c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        return a * b + c  # both terms are then zeros, or cancel exactly: the float sum has the sign rule
    return float(exact)


def reference_trajectory(start, *, alpha: float, beta: float, iters: int,
                         instance: CompletionInstance = NOTEBOOK_INSTANCE) -> tuple[np.ndarray, np.ndarray]:
    """Returns (z_0…z_K as (K+1, d), f(z_0)…f(z_K)): a plain Python loop of the same arithmetic.

    Written from the module docstring's rules with exact rational fused multiply-adds, independently of
    the kernel, for testing it step by step on short runs.
    """
    z = [float(v) for v in np.asarray(start, dtype=np.float64)]
    alpha, beta = _check_step_parameters(alpha, beta)
    points, values = [list(z)], []
    for k in range(iters + 1):
        residuals = []
        for i, j, target in zip(instance.rows, instance.cols, instance.values):
            acc = -float(target)
            for t in range(instance.rank):
                acc = _fma_exact(z[i * instance.rank + t], z[(instance.m + j) * instance.rank + t], acc)
            residuals.append(acc)
        f = abs(residuals[0])
        for r in residuals[1:]:
            f = f + abs(r)
        values.append(f)
        if k == iters:
            break
        grad = [0.0] * len(z)
        for (i, j), r in zip(zip(instance.rows, instance.cols), residuals):
            s = 1.0 if r >= 0.0 else -1.0
            for t in range(instance.rank):
                xi, yj = i * instance.rank + t, (instance.m + j) * instance.rank + t
                grad[xi] += s * z[yj]
                grad[yj] += s * z[xi]
        step = step_size(alpha, beta, k)
        z = [_fma_exact(-step, g, v) for g, v in zip(grad, z)]
        points.append(list(z))
    return np.array(points), np.array(values)
