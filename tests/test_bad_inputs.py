"""Every bad input to every command is refused before any work: exit code 2, one line naming the argument.

One table, :data:`CASES`, holds the bad inputs, grouped by the classes of failure they guard against
(malformed numbers and seeds, sizes that cannot fit the machine, output paths, extreme numbers,
processes, options that would be silently ignored). Each case runs the command line in this process
(:func:`riptools.cli.main`) with every function that does real work replaced by one that fails the
test, so "refused before any work" is checked, not assumed; it asserts exit code 2, exactly one line
on stderr naming the argument, no traceback, and no file left behind. A last test walks the parser
and fails when an option of any command (including ones added later) has no bad-input case.
"""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path

import numpy as np
import pytest

from riptools.cli import build_parser, main
from riptools.commands._arguments import subparsers_of

DATA = Path(__file__).resolve().parents[1] / "riptools" / "data"
HALF_X, HALF_Z = "0,0.7071067811865476", "1,0"
MAX_MESSAGE_CHARACTERS = 400
"""A one-line message stays readable: quoted values are shortened (a 100,000-entry --x is not echoed)."""

BASE = {
    "rip": ["rip", "--example", "half", "--rank", "1"],
    "rip-file": ["rip", "--rank", "1"],
    "basin": ["basin", "--trials", "10", "--steps", "10", "--gammas", "0.5"],
    "diverge": ["diverge", "--alpha", "0.1", "--beta", "0.5", "--iters", "100"],
    "check": ["check"],
    "counterexample": ["counterexample", "--x", HALF_X, "--z", HALF_Z],
    "search": ["counterexample", "search", "--n", "2", "--rank", "1", "--true-rank", "1", "--starts", "1"],
    "certify": ["counterexample", "certify", str(DATA / "strict_n3.npz")],
    "atlas": ["counterexample", "atlas", "--max-rank", "2", "--max-true-rank", "1", "--starts", "1"],
    "certify-file": ["counterexample", "certify"],
    "rmse": ["scaledsgd", "rmse"],
    "edm": ["scaledsgd", "edm"],
    "bpr": ["scaledsgd", "bpr", "--quick"],
    "nn-compare": ["nn", "compare", "--quick"],
    "nn-claims": ["nn", "claims"],
    "reproduce": ["reproduce", "--out", "{tmp}/out", "--only", "subgradient_notebook", "--workers", "1"],
}
"""A valid command line per command; each case appends its bad arguments (argparse keeps the last)."""

WORK = [
    ("riptools.protocols.basin", "basin_sweep"),
    ("riptools.protocols.divergence", "run_study"),
    ("riptools.rip", "rip_constant"),
    ("riptools.counterexample", "counterexample_sdp"),
    ("riptools.search", "search_min_delta"),
    ("riptools.certify", "certify_example_file"),
    ("riptools.claims.engine", "check_claim"),
    ("riptools.protocols.scaledsgd", "completion_experiment"),
    ("riptools.protocols.scaledsgd", "edm_experiment"),
    ("riptools.protocols.scaledsgd", "bpr_experiment"),
    ("riptools.protocols.completion", "compare"),
    ("riptools.protocols.completion", "claim_measurements"),
    ("riptools.reproduce", "_run_stage"),
    ("riptools.protocols.atlas", "run_atlas"),
]
"""The functions that start a command's real work; a case that reaches one fails."""


def _cases():
    cases = []

    def add(group, base, extra, name, *, work_allowed=False):
        text = f"{group}:{base} {' '.join('(dropped)' if part is None else part for part in extra)}"
        cases.append(pytest.param(base, extra, name, work_allowed, id=text if len(text) < 100 else f"{text[:80]}…({len(text)})"))

    # Seeds: integers in [0, 2^63).
    for base in ("rip", "basin", "check", "counterexample", "search", "certify", "atlas", "rmse", "nn-compare", "nn-claims", "reproduce"):
        for value in ("-1", "-5", "1.5", "abc", str(2**63)):
            add("seed", base, ["--seed", value], "--seed")
    for value in ("-1", "x"):
        add("seed", "diverge", ["--inits", "gaussian", "--seed", value], "--seed")
    add("seed", "diverge", ["--seed", "3"], "--seed")  # the notebook's starts take no seed

    # Integers: below the minimum, negative, fractional, not a number, empty.
    integers = {
        "rip": {"--rank": 1, "--starts": 1, "--sdp-max-n": 0},
        "basin": {"--trials": 1, "--steps": 1},
        "diverge": {"--count": 1},
        "check": {"--budget": 4},
        "search": {"--n": 1, "--rank": 1, "--true-rank": 1, "--starts": 1, "--max-evaluations": 10, "--workers": 1},
        "atlas": {"--max-rank": 1, "--max-true-rank": 1, "--starts": 1, "--max-evaluations": 10, "--workers": 1},
        "rmse": {"--d": 2, "--rank": 1, "--epochs": 1, "--resync-every": 0},
        "edm": {"--outliers": 0},
        "bpr": {"--items": 3, "--train": 1, "--test": 1},
        "reproduce": {"--workers": 1},
        "nn-claims": {"--samples": 1000},
    }
    for base, options in integers.items():
        for option, minimum in options.items():
            for value in (str(minimum - 1), "-5", "2.5", "abc", ""):
                add("integer", base, [option, value], option)
    add("integer", "edm", ["--outliers", "31"], "--outliers")

    # Real numbers: NaN, infinities, out of range, not a number.
    reals = {
        ("basin", "--step-size"): ("0", "-0.1", "nan", "inf", "x"),
        ("basin", "--success-tol"): ("0", "-1", "nan", "inf"),
        ("diverge", "--alpha"): ("0", "-1", "nan", "inf", "-inf"),
        ("diverge", "--beta"): ("-0.5", "nan", "inf"),
        ("counterexample", "--margin"): ("-0.1", "nan", "inf"),
        ("search", "--margin"): ("-1", "nan"),
        ("rmse", "--kappa"): ("0.5", "nan", "inf", "-3"),
        ("rmse", "--lr"): ("0", "-1", "nan", "inf"),
    }
    for (base, option), values in reals.items():
        for value in values:
            add("real", base, [option, value], option)
    for value in ("0", "-1", "1.5", "abc", "1e300", "nan", "inf", ""):
        add("real", "diverge", ["--iters", value], "--iters")
    for value in ("2", "-0.1", "a", "0:1:0", "0:1", "nan", "0:2:3", "0:1:x"):
        add("real", "basin", ["--gammas", value], "--gammas")

    # Choices.
    for base, option in (("rip", "--normalisation"), ("basin", "--normalisation"), ("basin", "--method"),
                         ("diverge", "--inits"), ("counterexample", "--solver"), ("counterexample", "--formulation"),
                         ("rmse", "--p-init"), ("rip", "--example"), ("search", "--method")):
        add("choice", base, [option, "bogus"], option)
    cases.append(pytest.param(None, ["scaledsgd", "bogus"], "experiment", False, id="choice:scaledsgd bogus"))
    cases.append(pytest.param(None, ["nn", "bogus"], "ACTION", False, id="choice:nn bogus"))
    cases.append(pytest.param(None, ["bogus"], "COMMAND", False, id="choice:riptools bogus"))
    cases.append(pytest.param(None, ["rip", "--example", "half"], "--rank", False, id="required:rip --rank"))
    cases.append(pytest.param(None, [], "COMMAND", False, id="required:riptools"))
    cases.append(pytest.param(None, ["sources", "--no-such-option"], "--no-such-option", False, id="unknown:sources"))
    for base in (base for base in BASE if not base.endswith("-file")):  # the -file lines lack their file
        add("unknown", base, ["--no-such-option"], "--no-such-option")
    cases.append(pytest.param(None, ["diverge", "--alpha", "0.1", "--beta", "0.5"], "--iters", False, id="required:diverge --iters"))
    add("required", "reproduce", ["--quick", "--full"], "--full")

    # Sizes that cannot fit the machine, or would run for hours without --allow-large.
    sizes = [
        ("basin", ["--trials", "1000000000"], "--trials"),
        ("basin", ["--gammas", "0:1:1000000000"], "--gammas"),
        ("basin", ["--steps", "1000000000000"], "--steps"),
        ("basin", ["--steps", "1000000000000", "--trials", "1000000000", "--allow-large"], "--trials"),
        ("diverge", ["--inits", "gaussian", "--count", "1000000000000"], "--count"),
        ("diverge", ["--iters", "1e15"], "--iters"),
        ("rmse", ["--d", "1000000"], "--d"),
        ("rmse", ["--epochs", "1000000000"], "--epochs"),
        ("rmse", ["--d", "10000"], "--d"),
        ("edm", ["--epochs", "100000000000"], "--epochs"),
        ("bpr", ["--items", "1000000000000"], "--items"),
        ("bpr", ["--train", "1000000000000"], "--train"),
        ("bpr", ["--test", "1000000000000"], "--test"),
        ("bpr", ["--epochs", "1000000"], "--epochs"),
        ("rip", ["--starts", "100000000"], "--starts"),
        ("rip-file", ["{tmp}/big1.npz"], "OPERATOR_FILE"),
        ("rip-file", ["{tmp}/big2.npz"], "OPERATOR_FILE"),
        ("rip-file", ["{tmp}/n12.npz", "--sdp-max-n", "20"], "--sdp-max-n"),
        ("check", ["--budget", "1000000000"], "--budget"),
        ("nn-claims", ["--samples", "1000000000000"], "--samples"),
        ("nn-claims", ["--samples", "20000000000"], "--samples"),
        ("search", ["--starts", "100000000"], "--starts"),
        ("search", ["--max-evaluations", "100000000"], "--max-evaluations"),
        ("search", ["--n", "1000", "--save", "{tmp}/op.npz"], "--n"),
        ("search", ["--n", "1000000000000"], "--n"),
        ("bpr", ["--rank", "1000000000000"], "--rank"),
        ("bpr", ["--quick", "--rank", "2000"], "--rank"),  # more than the 1,000 items
        ("nn-compare", ["--seed", "4294967295"], "--seed"),  # scikit-learn seeds end below 2^32
        ("nn-claims", ["--seed", "4294967295"], "--seed"),
        ("atlas", ["--max-rank", "100", "--max-true-rank", "100"], "--max-rank"),
        ("atlas", ["--starts", "100000"], "--starts"),
        ("counterexample", ["--x", ",".join(["1"] * 100), "--z", ",".join(["1"] * 99 + ["2"]), "--exact"], "--exact"),
        ("counterexample", ["--x", ",".join(["1"] * 300), "--z", ",".join(["1"] * 299 + ["2"]), "--formulation", "full"], "--formulation"),
        ("counterexample", ["--x", ",".join(["1"] * 1000), "--z", ",".join(["1"] * 999 + ["2"]), "--save", "{tmp}/op.npz"], "--save"),
    ]
    for base, extra, name in sizes:
        add("size", base, extra, name)

    # Output paths: /proc, through a file, onto a folder (or a file for a folder), a bad suffix, empty.
    files = [("basin", "--plot", ".png"), ("rmse", "--plot", ".png"), ("atlas", "--plot", ".png"), ("counterexample", "--save", ".npz"),
             ("search", "--save", ".npz")]
    for base, option, suffix in files:
        for value in (f"/proc/riptools{suffix}", f"{{tmp}}/afile/x{suffix}", "{tmp}", f"{{tmp}}/x.txt", "",
                      f"{{tmp}}/missing/x{suffix}"):
            add("output", base, [option, value], option)
    for value in ("/proc/riptools", "{tmp}/afile/p", "{tmp}/afolder", "{tmp}/missing/p"):
        add("output", "diverge", ["--plot-prefix", value], "--plot-prefix")
    for base, option in (("check", "--save-counterexamples"), ("reproduce", "--out")):
        for value in ("/proc/riptools", "{tmp}/afile/sub", "{tmp}/afile", "", "{tmp}/missing/sub"):
            add("output", base, [option, value], option)

    # Extreme numbers in operator files and factors.
    for stem in ("zero", "tiny", "huge", "complex"):
        add("extreme", "rip-file", [f"{{tmp}}/{stem}.npz"], "A")
        add("extreme", "certify-file", [f"{{tmp}}/{stem}.npz"], "A")
    add("extreme", "certify-file", ["{tmp}/zeroZ.npz"], "Z")
    add("extreme", "certify-file", ["{tmp}/bigX.npz"], "X_bad")
    add("extreme", "basin", ["--example", "{tmp}/zeroZ.npz"], "Z")
    add("extreme", "basin", ["--example", "{tmp}/huge.npz"], "A")
    add("extreme", "basin", ["--example", "{tmp}/complex.npz"], "A")
    for value in ("1e200,0", "1e-300,0", "nan,0", "inf,0", "a,b", "", "1e400,0"):
        add("extreme", "counterexample", ["--x", value], "--x")
    for value in ("1e200,0", "nan,1"):
        add("extreme", "counterexample", ["--z", value], "--z")
    add("extreme", "counterexample", ["--x", "1,0,a" + ",1" * 100_000], "--x")
    add("extreme", "counterexample", ["--x-file", "{tmp}/complex.npy", "--x", None], "--x-file")
    add("extreme", "counterexample", ["--x-file", "{tmp}/missing.npy", "--x", None], "--x-file")
    add("extreme", "counterexample", ["--z-file", "{tmp}/complex.npy", "--z", None], "--z-file")
    add("extreme", "counterexample", ["--z-file", "{tmp}/afile", "--z", None], "--z-file")
    add("extreme", "counterexample", ["--x-file", "{tmp}/afile"], "--x")
    add("extreme", "counterexample", ["--rank-shape", "a"], "--rank-shape")
    add("extreme", "counterexample", ["--rank-shape", "2,2"], "--rank-shape")
    add("extreme", "counterexample", ["--x", "-1,0", "--z", "1,0"], "x", work_allowed=True)

    # Processes and the cluster.
    add("process", "reproduce", ["--scheduler", "bogus"], "--scheduler")
    add("process", "reproduce", ["--scheduler", "tcp://127.0.0.1:1"], "--scheduler")
    add("process", "reproduce", ["--scheduler", "tcp://host:99999999"], "--scheduler")
    add("process", "reproduce", ["--only", "bogus"], "--only")
    add("process", "atlas", ["--scheduler", "bogus"], "--scheduler")
    add("process", "atlas", ["--scheduler", "tcp://127.0.0.1:1"], "--scheduler")
    add("ignored", "atlas", ["--max-true-rank", "3"], "--max-true-rank")

    # Options that would be silently ignored, and the smaller items.
    ignored = [
        ("rmse", ["--quick"], "--quick"), ("rmse", ["--items", "10"], "--items"), ("rmse", ["--outliers", "3"], "--outliers"),
        ("rmse", ["--train", "10"], "--train"), ("rmse", ["--ratings", "r.csv"], "--ratings"),
        ("edm", ["--kappa", "10"], "--kappa"), ("edm", ["--d", "10"], "--d"), ("edm", ["--rank", "2"], "--rank"),
        ("edm", ["--p-init", "exact"], "--p-init"), ("edm", ["--resync-every", "5"], "--resync-every"),
        ("bpr", ["--kappa", "10"], "--kappa"), ("bpr", ["--d", "10"], "--d"), ("bpr", ["--outliers", "1"], "--outliers"),
        ("bpr", ["--ratings", "{tmp}/missing.csv"], "--ratings"), ("bpr", ["--ratings", "{tmp}/afile", "--items", "10"], "--items"),
        ("rmse", ["--rank", "40"], "--rank"),
        ("check", ["scaledsgd.sg.unbiased", "scaledsgd.sg.unbiased"], "CLAIM_ID"), ("check", ["no.such.claim"], "CLAIM_ID"),
        ("check", ["--file", "{tmp}/missing.py"], "--file"), ("check", ["--file", "{tmp}/afile"], "--file"),
        ("check", ["--file", "{tmp}/afolder-objective.png"], "--file"),
        ("diverge", ["--count", "101"], "--count"),
        ("rip-file", [], "OPERATOR_FILE"), ("rip", [str(DATA / "strict_n3.npz")], "OPERATOR_FILE"),
        ("rip-file", ["{tmp}/missing.npz"], "operator file"), ("rip-file", ["{tmp}/afile"], "operator file"),
        ("certify-file", ["{tmp}/missing.npz"], "operator file"),
        ("counterexample", ["--x-file", "{tmp}/x.npy"], "--x"),
    ]
    for base, extra, name in ignored:
        add("ignored", base, extra, name)
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Returns a folder holding the files the cases refer to (made once: some are large)."""
    tmp_path = tmp_path_factory.mktemp("bad-inputs")
    rng = np.random.default_rng(0)
    half = np.array([[[1.0, 0.0], [0.0, 0.5]], [[0.0, 0.8660254], [0.8660254, 0.0]], [[0.0, 0.0], [0.0, 0.8660254]]])
    x_bad, z = np.array([[0.0], [0.7071067811865476]]), np.array([[1.0], [0.0]])
    for stem, scale in (("zero", 0.0), ("tiny", 1e-300), ("huge", 1e300), ("complex", 1 + 1j)):
        np.savez(tmp_path / f"{stem}.npz", A=half * scale, X_bad=x_bad, Z=z)
    np.savez(tmp_path / "zeroZ.npz", A=half, X_bad=x_bad, Z=0 * z)
    np.savez(tmp_path / "bigX.npz", A=half, X_bad=x_bad * 1e200, Z=z)
    np.savez(tmp_path / "big1.npz", A=rng.standard_normal((1, 1000, 1000)))
    np.savez(tmp_path / "big2.npz", A=rng.standard_normal((2, 200, 200)))
    np.savez(tmp_path / "n12.npz", A=rng.standard_normal((3, 12, 12)))
    np.save(tmp_path / "complex.npy", np.array([1 + 1j, 0]))
    np.save(tmp_path / "x.npy", np.array([0.0, 0.7071067811865476]))
    (tmp_path / "afile").write_text("a file, not a folder\n")
    (tmp_path / "afolder-objective.png").mkdir()
    return tmp_path


@pytest.fixture
def workdir(files, monkeypatch):
    """Returns the folder of :func:`files`, made the current folder, with real work forbidden."""
    monkeypatch.chdir(files)
    for module, name in WORK:
        def refuse(*args, _name=name, **kwargs):
            raise AssertionError(f"{_name} started before the bad input was refused")
        monkeypatch.setattr(importlib.import_module(module), name, refuse)
    return files


def _tree(folder: Path) -> set:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def _argv(base, extra, tmp: Path) -> list[str]:
    argv = list(BASE[base]) if base else []
    extra = list(extra)
    while None in extra:  # ["--x-file", F, "--x", None]: drop --x from the base line
        position = extra.index(None)
        option = extra[position - 1]
        index = argv.index(option)
        del argv[index:index + 2]
        del extra[position - 1:position + 1]
    return [part.replace("{tmp}", str(tmp)) for part in argv + extra]


@pytest.mark.parametrize(("base", "extra", "name", "work_allowed"), CASES)
def test_bad_input_is_refused_before_work(base, extra, name, work_allowed, workdir, capsys, monkeypatch):
    if work_allowed:
        monkeypatch.undo()
        monkeypatch.chdir(workdir)
    before = _tree(workdir)
    code = main(_argv(base, extra, workdir))
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert name in lines[0], lines[0]
    assert lines[0].startswith("riptools"), lines[0]
    assert len(lines[0]) <= MAX_MESSAGE_CHARACTERS, lines[0][:200]
    assert _tree(workdir) == before


def test_the_table_covers_every_option_of_every_command():
    """Fails when a command or option (including one added later) has no bad-input case or stated exemption."""
    exempt = {"--help", "--version", "--json", "--list", "--allow-large", "--exact", "--quick", "--full", "--example", "--gradient",
              "claims", "file", "operator_file", "experiment"}
    covered = {part for param in CASES for part in _argv(param.values[0], param.values[1], Path("."))}
    covered |= {param.values[2] for param in CASES}
    missing = []
    for parser in subparsers_of(build_parser()):
        for action in parser._actions:
            names = action.option_strings or [action.dest]
            if action.dest in ("help", "command", "form", "action") or set(names) & exempt:
                continue
            if not set(names) & covered:
                missing.append(f"{parser.prog}: {'/'.join(names)}")
    assert not missing, f"add bad-input cases for {missing}"


def test_cases_count():
    """The table is as large as the issue's survey of bad inputs (about 230), and every case is distinct."""
    ids = [param.id for param in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 230


def test_help_of_every_command_exits_0_and_shows_defaults(capsys):
    for parser in subparsers_of(build_parser()):
        assert parser.description, f"{parser.prog} has no description"
        formatter = parser._get_formatter()
        for action in parser._actions:
            if action.option_strings and action.default not in (None, False, argparse.SUPPRESS) and action.help:
                shown = formatter._get_help_string(action) % {"default": action.default}
                assert "default" in shown, (parser.prog, action.dest)
        assert main([*parser.prog.split()[1:], "--help"]) == 0
    assert main(["--version"]) == 0
    assert "riptools" in capsys.readouterr().out
    assert main(["nn", "--help"]) == 0
    assert main(["reproduce", "--help"]) == 0
    text = capsys.readouterr().out
    assert "subgradient_notebook" in text and "scaledsgd" in text  # --only lists its names


def test_negative_numbers_need_no_equals_sign(workdir, monkeypatch):
    from riptools.commands.counterexample import read_pair

    args = build_parser().parse_args(["counterexample", "--x", "-1,0", "--z", "-0.5,2"])
    x, z = read_pair(args)
    assert x.ravel().tolist() == [-1.0, 0.0] and z.ravel().tolist() == [-0.5, 2.0]
    assert build_parser().parse_args(["diverge", "--alpha", "0.1", "--beta", "0.5", "--iters", "10"]).alpha == 0.1


def test_output_checks_create_nothing_and_accept_a_missing_output_folder_only(tmp_path):
    from riptools.validation import InputError, check_output_dir, check_output_file

    check_output_file(tmp_path / "fig.png", "--plot", suffixes=(".png",))
    check_output_dir(tmp_path / "out", "--out")
    with pytest.raises(InputError, match="does not exist"):
        check_output_file(tmp_path / "a" / "fig.png", "--plot", suffixes=(".png",))
    with pytest.raises(InputError, match="does not exist"):
        check_output_dir(tmp_path / "c" / "d", "--out")
    assert list(tmp_path.iterdir()) == []


def test_umask_is_respected(tmp_path):
    from riptools.results import write_text_atomic

    previous = os.umask(0o027)
    try:
        path = write_text_atomic(tmp_path / "REPORT.md", "x")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o640


def test_allow_large_raises_the_soft_limits_only():
    from riptools.validation import MEMORY_SOFT_LIMIT, SECONDS_SOFT_LIMIT, InputError, check_size, physical_memory

    for size in ({"memory": 2 * MEMORY_SOFT_LIMIT}, {"seconds": 2 * SECONDS_SOFT_LIMIT}):
        if size.get("memory", 0) > physical_memory():
            continue
        with pytest.raises(InputError, match="--allow-large"):
            check_size("--trials", **size)
        check_size("--trials", **size, allow_large=True)
    with pytest.raises(InputError, match="more than this machine"):
        check_size("--trials", memory=2 * physical_memory(), allow_large=True)
