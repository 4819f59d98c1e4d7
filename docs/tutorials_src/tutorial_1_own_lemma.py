"""
Put your own lemma on trial
===========================

A lemma about factored matrices is an inequality between two computable sides on a set of admissible
instances. riptools puts it on trial the way a careful referee would: it draws adversarial instances
(hypothesis), pushes the worst of them further with an optimiser that stays inside the hypotheses
(L-BFGS), and only calls a violation a counterexample once it re-verifies at 50 and 80 significant
digits; a refuted claim is shrunk to the smallest size and fewest digits that still violate. A claim
that survives is reported as "agrees", with the number of instances tried: evidence, not a proof.

This tutorial writes two claims in a file of their own, outside riptools, and checks them from the
command line, from Python, and from a pytest suite.
"""

# %%
# A claim file
# ------------
# A claim is a function of an instance (a dict of numpy arrays) and a numeric backend ``m``, returning
# the two sides of ``lhs <= rhs``. Write the formula once with ``m``: it runs in float64 during the
# search and in multiprecision for the verification. :mod:`riptools.strategies` draws the instances;
# here pairs (X, Z) of n×r factors.
#
# The first claim is the triangle-inequality bound ‖XXᵀ − ZZᵀ‖_F ≤ (‖X‖₂ + ‖Z‖₂)‖X − Z‖_F, which
# follows from XXᵀ − ZZᵀ = X(X − Z)ᵀ + (X − Z)Zᵀ. The second replaces ‖X‖₂ + ‖Z‖₂ by 2‖Z‖₂, which is
# the same near X = Z, and is the kind of simplification that slips into a draft.
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

folder = Path(tempfile.mkdtemp())
claim_file = folder / "my_lemmas.py"
claim_file.write_text(textwrap.dedent('''
    from riptools.claims import inequality
    from riptools import strategies as rs

    PAIRS = rs.factor_pairs(n=(2, 6), r=(1, 3))

    @inequality(id="mypaper.lemma1", source="My paper (2026), Lemma 1",
                statement="‖XXᵀ − ZZᵀ‖_F ≤ (‖X‖₂ + ‖Z‖₂)·‖X − Z‖_F", instances=PAIRS)
    def lemma1(inst, m):
        x, z = inst["X"], inst["Z"]
        lhs = m.fro(m.matmul(x, m.transpose(x)) - m.matmul(z, m.transpose(z)))
        return lhs, (m.svdvals(x)[0] + m.svdvals(z)[0]) * m.fro(x - z)

    @inequality(id="mypaper.lemma1_draft", source="My paper (2026), Lemma 1 (draft)",
                statement="‖XXᵀ − ZZᵀ‖_F ≤ 2‖Z‖₂·‖X − Z‖_F", instances=PAIRS)
    def lemma1_draft(inst, m):
        x, z = inst["X"], inst["Z"]
        lhs = m.fro(m.matmul(x, m.transpose(x)) - m.matmul(z, m.transpose(z)))
        return lhs, m.const(2) * m.svdvals(z)[0] * m.fro(x - z)
'''))

# %%
# From the command line
# ---------------------
# ``riptools check --file`` runs every claim in the file. The table gives the verdict, the most extreme
# ratio lhs/rhs seen (a value near 1 means the inequality is tight there) and the instances tried.
command = [sys.executable, "-m", "riptools", "check", "--file", str(claim_file), "--budget", "200", "--seed", "0"]
print(subprocess.run(command, capture_output=True, text=True, check=True).stdout)

# %%
# From Python
# -----------
# :func:`riptools.claims.load_claims` reads the same file and :func:`riptools.claims.check_claim`
# returns a :class:`riptools.findings.Finding`: the verdict, the reason, the evidence as data, and the
# command that replays it.
from riptools.claims import check_claim, load_claims

for claim in load_claims(claim_file):
    finding = check_claim(claim, budget=200, seed=0)
    print(f"{finding.id}: {finding.verdict.value} ({finding.reason})")
    print(f"  measured: {finding.measured}")
    counterexample = finding.evidence.get("counterexample")
    if counterexample:
        print(f"  smallest counterexample, size {counterexample['size']}: X = {counterexample['inputs']['X']}, "
              f"Z = {counterexample['inputs']['Z']}")
        print(f"  lhs = {counterexample['lhs']}, rhs = {counterexample['rhs']} at {counterexample['digits']} digits")
    print(f"  replay: {finding.replay}")

# %%
# In a pytest suite
# -----------------
# :func:`riptools.testing.assert_holds` runs the same search inside a test and fails it with the
# minimal counterexample and the replay command. The pytest plugin that comes with riptools adds
# ``--riptools-budget`` and ``--riptools-seed``: a small budget on every commit, a large one overnight,
# and the same result for the same seed.
test_file = folder / "test_my_lemmas.py"
test_file.write_text(textwrap.dedent('''
    from riptools.testing import assert_holds
    from my_lemmas import lemma1, lemma1_draft

    def test_lemma1():
        assert_holds(lemma1)

    def test_lemma1_draft():
        assert_holds(lemma1_draft)
'''))
run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--riptools-budget", "200",
                      "--rootdir", str(folder), str(test_file)], capture_output=True, text=True, cwd=folder)
print(run.stdout[-2500:])
