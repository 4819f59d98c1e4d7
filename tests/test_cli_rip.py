"""Tests of ``riptools rip`` and of the command line's handling of bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest

from riptools.cli import main
from riptools.sensing import gaussian_operator, save_operator


def run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_half_example_json(capsys):
    result = run_json(capsys, ["rip", "--example", "half", "--rank", "2", "--json"])
    for key in ("delta", "delta_scaled", "lower", "upper", "exact", "method", "witness"):
        assert key in result
    assert result["exact"] is True
    assert result["delta"] == pytest.approx(0.5, abs=1e-12)
    slides = run_json(capsys, ["rip", "--example", "half", "--normalisation", "slides", "--rank", "2", "--json"])
    assert slides["delta"] == pytest.approx(2.0, abs=1e-12)
    assert slides["delta_scaled"] == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_operator_file_bounds(tmp_path, capsys, suffix):
    path = save_operator(tmp_path / f"g{suffix}", gaussian_operator(3, 12, seed=0))
    result = run_json(capsys, ["rip", str(path), "--rank", "1", "--starts", "3", "--json"])
    assert result["exact"] is False
    assert result["lower"] <= result["upper"]
    assert np.array(result["witness"]).shape == (3, 3)


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["rip", "--example", "half", "--rank", "0"], "rank: expected an integer ≥ 1"),
        (["rip", "MISSING.npz", "--rank", "1"], "does not exist"),
        (["rip", "--rank", "1"], "exactly one of OPERATOR_FILE or --example"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and "\n" not in err


def test_bad_file_contents_exit_2(tmp_path, capsys):
    path = tmp_path / "nan.json"
    path.write_text(json.dumps({"A": [[[1.0, "NaN"], [0.0, 1.0]]]}))
    assert main(["rip", str(path), "--rank", "1"]) == 2
    err = capsys.readouterr().err
    assert "nan.json: A: contains NaN" in err


def test_a_closed_pipe_ends_quietly():
    # `riptools ... --json | head -c 100`: the reader closes the pipe long before 401 γ rows (100 kB) are written.
    command = [sys.executable, "-m", "riptools.cli", "basin", "--gammas", "0:1:401", "--trials", "1", "--steps", "1", "--json"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.read(100).startswith(b"[{")
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
