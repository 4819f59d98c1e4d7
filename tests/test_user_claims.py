"""A researcher's own claims, outside the package: through ``riptools check --file`` and through pytest.

The claim file below is written only against the documented API (``riptools.claims.inequality``,
``riptools.strategies``, the backend ``m``) and lives in a temporary directory, not in the
repository: a true inequality, two tight ones (‖X‖₂ = ‖X‖_F whenever rank X = 1; and an equality
whose float64 evaluation loses most digits to cancellation, so float64 "violates" it on a third of
the instances while the high-precision check shows equality), and a false one.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from riptools.claims import check_claim, load_claims
from riptools.claims.engine import MP_VIOLATION_TOL
from riptools.cli import main
from riptools.findings import FINDING_KEYS

pytest_plugins = ["pytester"]

USER_CLAIMS = textwrap.dedent('''\
    """My paper's lemmas, put on trial by riptools (written only against the public API)."""
    from riptools import strategies as rs
    from riptools.claims import inequality


    def residual(x, z, m):
        """‖XXᵀ − ZZᵀ‖_F, with the backend m (float64 in the search, mpmath to verify)."""
        return m.fro(m.matmul(x, m.transpose(x)) - m.matmul(z, m.transpose(z)))


    @inequality(id="mypaper.lemma1", source="My paper (2026), Lemma 1",
                statement="‖XXᵀ − ZZᵀ‖_F ≤ (‖X‖₂ + ‖Z‖₂)·‖X − Z‖_F",
                instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
    def lemma1(inst, m):
        x, z = inst["X"], inst["Z"]
        return residual(x, z, m), (m.svdvals(x)[0] + m.svdvals(z)[0]) * m.fro(x - z)


    @inequality(id="mypaper.spectral_vs_frobenius", source="My paper (2026), eq. (4)",
                statement="‖X‖₂ ≤ ‖X‖_F (equality when rank X = 1)",
                instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
    def tight(inst, m):
        return m.svdvals(inst["X"])[0], m.fro(inst["X"])


    @inequality(id="mypaper.expansion", source="My paper (2026), eq. (7)",
                statement="‖X + V‖²_F − ‖X‖²_F − 2⟨X, V⟩ ≤ ‖V‖²_F for V = 10⁻⁶·Z (an equality)",
                instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
    def expansion(inst, m):
        x, z = inst["X"], inst["Z"]
        v = z * m.const("1e-6")
        return m.fro(x + v) ** 2 - m.fro(x) ** 2 - 2 * m.dot(x, v), m.fro(v) ** 2


    @inequality(id="mypaper.lemma2", source="My paper (2026), Lemma 2",
                statement="‖XXᵀ − ZZᵀ‖_F ≤ ‖Z‖₂·‖X − Z‖_F",
                instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
    def lemma2(inst, m):
        x, z = inst["X"], inst["Z"]
        return residual(x, z, m), m.svdvals(z)[0] * m.fro(x - z)
''')

USER_TESTS = textwrap.dedent('''\
    from riptools.testing import assert_holds

    from my_lemmas import expansion, lemma1, lemma2, tight


    def test_lemma1_holds():
        assert_holds(lemma1)


    def test_tight_inequality_holds():
        assert_holds(tight)


    def test_cancelling_equality_holds():
        assert_holds(expansion)


    def test_lemma2_holds():
        assert_holds(lemma2)
''')

BUDGET = 60
"""Instances per claim in these tests: the false claim is refuted within ~50, each search takes ~1 s."""
ROUNDING = 1e-9
"""The tight claim's observed extreme must reach 1 within this (its ratio is exactly 1 at rank 1)."""


@pytest.fixture
def claim_file(tmp_path):
    path = tmp_path / "my_lemmas.py"
    path.write_text(USER_CLAIMS)
    return path


def test_check_file_gives_holds_tight_and_refuted_findings(claim_file, capsys):
    assert main(["check", "--file", str(claim_file), "--budget", str(BUDGET), "--seed", "0", "--json"]) == 0
    records = {record["id"]: record for record in json.loads(capsys.readouterr().out)}
    assert all(tuple(record) == FINDING_KEYS for record in records.values())
    true, tight, false = records["mypaper.lemma1"], records["mypaper.spectral_vs_frobenius"], records["mypaper.lemma2"]
    assert true["verdict"] == "agrees" and true["reason"].endswith("not a proof")
    assert true["source"]["citation"] == "My paper (2026), Lemma 1" and true["source"]["year"] == 2026
    # Tight: the ratio reaches 1 without a false refutation.
    assert tight["verdict"] == "agrees"
    assert tight["evidence"]["observed_extreme"] >= 1 - ROUNDING
    assert tight["evidence"]["counterexample"] is None
    # Tight with cancellation: float64 "violates" it by far more than rounding; high precision does not.
    cancelling = records["mypaper.expansion"]
    assert cancelling["verdict"] == "agrees" and "rounding artefacts" in cancelling["reason"]
    assert cancelling["evidence"]["observed_extreme"] == pytest.approx(1, abs=ROUNDING)
    assert cancelling["evidence"]["worst_margin"] > -MP_VIOLATION_TOL  # re-evaluated at 80 digits: no violation left
    # False: refuted, with a counterexample verified in high precision, shrunk to the smallest size.
    assert false["verdict"] == "refuted"
    counterexample = false["evidence"]["counterexample"]
    assert counterexample["digits"] == [50, 80] and float(counterexample["margin"]) < 0
    assert float(counterexample["lhs"]) > float(counterexample["rhs"])
    assert counterexample["size"] == {"n": 2, "r": 1}
    assert false["replay"] == f"riptools check --file {claim_file} mypaper.lemma2 --budget {BUDGET} --seed 0"


def test_the_counterexample_violates_the_claim_when_recomputed_independently(claim_file):
    # Recompute both sides from the stored inputs with numpy alone (not the backend, not the engine).
    import numpy as np

    (finding,) = [check_claim(claim, budget=BUDGET, seed=0) for claim in load_claims(claim_file) if claim.id == "mypaper.lemma2"]
    inputs = finding.evidence["counterexample"]["inputs"]
    x, z = np.array(inputs["X"]), np.array(inputs["Z"])
    lhs = np.linalg.norm(x @ x.T - z @ z.T)
    rhs = np.linalg.norm(z, 2) * np.linalg.norm(x - z)
    assert lhs > rhs


def test_the_same_seed_gives_the_same_finding(claim_file):
    claim = load_claims(claim_file)[0]
    first, second = (check_claim(claim, budget=BUDGET, seed=3) for _ in range(2))
    strip = lambda finding: {k: v for k, v in finding.to_record()["evidence"].items() if k != "seconds"}  # noqa: E731
    assert strip(first) == strip(second) and first.verdict == second.verdict


def test_check_file_runs_as_a_console_script_outside_the_repository(claim_file):
    done = subprocess.run([sys.executable, "-m", "riptools", "check", "--file", str(claim_file), "mypaper.lemma2", "--budget", "20"],
                          cwd=claim_file.parent, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "mypaper.lemma2" in done.stdout and "refuted" in done.stdout
    # Below the table: the counterexample (with the sides' exponents) and the replay command.
    assert "counterexample n=2, r=1: lhs " in done.stdout
    assert f"replay: riptools check --file {claim_file} mypaper.lemma2 --budget 20 --seed 0" in done.stdout


@pytest.mark.parametrize("content, expected", [
    (None, "no such file"),
    ("def broken(:\n", "syntax error at line 1"),
    ("x = 1\n", "defines no claims"),
    ("import no_such_module_for_riptools\n", "line 1: ModuleNotFoundError"),
])
def test_bad_claim_files_exit_2_with_one_line(tmp_path, capsys, content, expected):
    path = tmp_path / "claims.py"
    if content is not None:
        path.write_text(content)
    assert main(["check", "--file", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "--file" in error and expected in error


def test_several_files_run_together_and_may_list_their_claims(claim_file, tmp_path, capsys):
    other = tmp_path / "more_claims.py"
    other.write_text(textwrap.dedent('''\
        from riptools import strategies as rs
        from riptools.claims import inequality

        def _trace(inst, m):
            return m.trace(m.transpose(inst["X"]) @ inst["X"]), m.fro(inst["X"]) ** 2

        CLAIMS = [inequality(id="more.trace", source="More (2026)", statement="tr(XᵀX) = ‖X‖²_F", relation="==",
                             instances=rs.factor_pairs(n=(2, 3), r=1))(_trace)]
    '''))
    assert main(["check", "--file", str(claim_file), "--file", str(other), "--file", str(claim_file), "--list", "--json"]) == 0
    ids = [row["id"] for row in json.loads(capsys.readouterr().out)]
    assert ids == ["mypaper.lemma1", "mypaper.spectral_vs_frobenius", "mypaper.expansion", "mypaper.lemma2", "more.trace"]
    assert main(["check", "--file", str(other), "more.trace", "--budget", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["verdict"] == "agrees"


def test_one_id_in_two_files_exits_2(claim_file, tmp_path, capsys):
    copy = tmp_path / "copy.py"
    copy.write_text(USER_CLAIMS)
    assert main(["check", "--file", str(claim_file), "--file", str(copy), "--list"]) == 2
    assert "'mypaper.lemma1' is defined in" in capsys.readouterr().err


def test_unknown_claim_id_in_a_file_exits_2(claim_file, capsys):
    assert main(["check", "--file", str(claim_file), "mypaper.no_such_lemma"]) == 2
    assert "mypaper.no_such_lemma" in capsys.readouterr().err


def test_pytest_passes_true_claims_and_fails_the_false_one_with_the_counterexample(pytester):
    pytester.makepyfile(my_lemmas=USER_CLAIMS, test_my_lemmas=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--riptools-budget={BUDGET}", "--riptools-seed=0")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*riptools: claim budget 60, seed 0*",
        "*mypaper.lemma2 is refuted*",
        "*minimal counterexample (n=2, r=1; float64 inputs, exact):*",
        "*lhs = *",
        "*rhs = *",
        "*verified at 50 and 80 digits*",
        "*replay: riptools check --file * mypaper.lemma2 --budget 60 --seed 0*",
        "*or: pytest test_my_lemmas.py::test_lemma2_holds --riptools-budget 60 --riptools-seed 0*",
        "*FAILED test_my_lemmas.py::test_lemma2_holds*",
    ])


DEEP_BUDGET = 1000
"""Instances per claim in the slow search (a few seconds per claim)."""


@pytest.mark.slow
def test_a_deep_search_keeps_the_verdicts(claim_file):
    # The tight claims' float64 ratios exceed 1 by rounding on many instances; none may count.
    verdicts = {claim.id: check_claim(claim, budget=DEEP_BUDGET, seed=1) for claim in load_claims(claim_file)}
    assert {key: finding.verdict.value for key, finding in verdicts.items()} == {
        "mypaper.lemma1": "agrees", "mypaper.spectral_vs_frobenius": "agrees", "mypaper.expansion": "agrees",
        "mypaper.lemma2": "refuted"}
    for tight in ("mypaper.spectral_vs_frobenius", "mypaper.expansion"):
        assert verdicts[tight].evidence["observed_extreme"] == pytest.approx(1, abs=ROUNDING)


def test_pytest_rejects_a_bad_budget(pytester):
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--riptools-budget=1")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--riptools-budget: expected an integer ≥ 4, got 1*"])


def test_the_plugin_does_not_import_the_claim_engine():
    # The plugin is loaded by every pytest run in an environment with riptools; the engine (scipy,
    # mpmath, hypothesis) only when a claim is checked.
    code = "import sys, riptools.pytest_plugin; print('riptools.claims.engine' in sys.modules, 'scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "False"], done.stderr
