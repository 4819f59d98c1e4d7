"""Tests of the svec conventions, operator construction, generators and operator files."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riptools.sensing import (
    SensingOperator,
    entry_sampling_operator,
    gaussian_operator,
    half_example,
    load_operator,
    save_operator,
    smat,
    svec,
    svec_basis,
    svec_dimension,
)
from riptools.validation import InputError

ROUNDOFF = 1e-10  # identities that hold exactly up to floating-point rounding


def random_symmetric(rng, n):
    a = rng.standard_normal((n, n))
    return a + a.T


@settings(max_examples=30)  # each example is a few small matrix products
@given(n=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_svec_is_an_isometry_and_smat_inverts_it(n, seed):
    rng = np.random.default_rng(seed)
    a, b = random_symmetric(rng, n), random_symmetric(rng, n)
    assert svec(a).shape == (svec_dimension(n),)
    assert svec(a) @ svec(b) == pytest.approx(np.sum(a * b), rel=ROUNDOFF, abs=ROUNDOFF)
    np.testing.assert_allclose(smat(svec(a)), a, atol=ROUNDOFF)


def test_svec_layout_is_row_major_upper_triangle_with_sqrt2():
    m = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    np.testing.assert_allclose(svec(m), [1, 2 * np.sqrt(2), 3 * np.sqrt(2), 4, 5 * np.sqrt(2), 6])


def test_svec_basis_is_orthonormal():
    basis = svec_basis(4)
    gram = np.einsum("aij,bij->ab", basis, basis)
    np.testing.assert_allclose(gram, np.eye(10), atol=ROUNDOFF)


@settings(max_examples=20)
@given(n=st.integers(1, 5), m=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_three_constructions_agree(n, m, seed):
    rng = np.random.default_rng(seed)
    raw = rng.standard_normal((m, n, n))  # non-symmetric: only the symmetric part may act
    operator = SensingOperator.from_matrices(raw)
    x = random_symmetric(rng, n)
    expected = np.einsum("kij,ij->k", raw, x)
    np.testing.assert_allclose(operator.apply(x), expected, atol=1e-9)
    again = SensingOperator.from_svec_matrix(operator.svec_matrix)
    np.testing.assert_allclose(again.matrices, operator.matrices, atol=ROUNDOFF)
    factored = SensingOperator.from_kernel(operator.kernel)
    np.testing.assert_allclose(factored.kernel, operator.kernel, atol=1e-9 * max(1, np.abs(operator.kernel).max()))
    assert np.linalg.norm(factored.apply(x)) == pytest.approx(np.linalg.norm(operator.apply(x)), rel=1e-8)


def test_adjoint_is_the_adjoint():
    rng = np.random.default_rng(3)
    operator = gaussian_operator(4, 7, seed=2)
    x, y = random_symmetric(rng, 4), rng.standard_normal(7)
    assert operator.apply(x) @ y == pytest.approx(np.sum(x * operator.adjoint(y)), rel=ROUNDOFF)


def test_gaussian_operator_is_isotropic_on_average():
    n, m = 3, 40
    kernels = np.mean([gaussian_operator(n, m, seed=s).kernel for s in range(400)], axis=0)
    # E[H] = I; each entry of the mean of 400 kernels has standard deviation ≈ sqrt(2/(m·400)) ≈ 0.011
    np.testing.assert_allclose(kernels, np.eye(svec_dimension(n)), atol=0.06)


def test_entry_sampling_reads_entries():
    operator = entry_sampling_operator(3, [(0, 0), (0, 2), (2, 1)])
    m = np.array([[1.0, 7.0, 2.0], [7.0, 3.0, 4.0], [2.0, 4.0, 5.0]])
    np.testing.assert_allclose(operator.apply(m), [1.0, 2.0, 4.0])


def test_half_example_kernel_spectra():
    slides = np.linalg.eigvalsh(half_example("slides").operator.kernel)
    rip = np.linalg.eigvalsh(half_example("rip").operator.kernel)
    np.testing.assert_allclose(slides, [1.0, 3.0, 3.0], atol=ROUNDOFF)
    np.testing.assert_allclose(rip, [0.5, 1.5, 1.5], atol=ROUNDOFF)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_operator_file_round_trip(tmp_path, suffix):
    example = half_example()
    path = save_operator(tmp_path / f"op{suffix}", example.operator, x_bad=example.x_bad, z=example.z)
    loaded = load_operator(path)
    np.testing.assert_allclose(loaded.operator.matrices, example.operator.matrices)
    np.testing.assert_allclose(loaded.x_bad, example.x_bad)
    np.testing.assert_allclose(loaded.z, example.z)


@pytest.mark.parametrize(
    "matrices, message",
    [
        ([], "empty"),
        (np.zeros((2, 2, 3)), "square"),
        ([np.eye(2), np.eye(3)], "one shape"),
        (np.full((1, 2, 2), np.nan), "NaN"),
        (np.zeros((2, 2)), "shape \\(m, n, n\\)"),
        ("abc", "numeric"),
    ],
)
def test_bad_matrices_are_rejected_with_a_clear_message(matrices, message):
    with pytest.raises(InputError, match=message):
        SensingOperator.from_matrices(matrices)


def test_non_psd_kernel_is_rejected():
    with pytest.raises(InputError, match="PSD"):
        SensingOperator.from_kernel(-np.eye(3))


def test_unreadable_files_are_rejected(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="cannot read"):
        load_operator(bad)
    missing_a = tmp_path / "noa.json"
    missing_a.write_text(json.dumps({"Z": [1, 0]}))
    with pytest.raises(InputError, match="no array 'A'"):
        load_operator(missing_a)
    with pytest.raises(InputError, match="does not exist"):
        load_operator(tmp_path / "missing.npz")
    wrong_rows = tmp_path / "rows.json"
    wrong_rows.write_text(json.dumps({"A": np.eye(2)[None].tolist(), "Z": [1, 0, 0]}))
    with pytest.raises(InputError, match="Z: expected 2 rows"):
        load_operator(wrong_rows)
