"""Tests of the report writer and the RIP section of ``riptools reproduce``."""

import json

from riptools.cli import main
from riptools.report import Section, VerdictRow, render_report


def test_report_puts_verdicts_first_and_sections_in_order():
    sections = [
        Section(title="Second", markdown="body 2", order=20, figures=["b.png"], commands=["riptools b"]),
        Section(title="First", markdown="body 1", order=10,
                verdicts=[VerdictRow("c", "seed 002", "says x", "measured y", "refuted", "because")]),
    ]
    text = render_report(sections)
    assert text.index("## Verdicts") < text.index("## First") < text.index("## Second")
    assert "| c | seed 002 | says x | measured y | refuted (because) |" in text
    assert "![b](b.png)" in text and "riptools b" in text


def test_reproduce_rip_section_writes_data_report_and_figure(tmp_path, capsys):
    assert main(["reproduce", "--quick", "--out", str(tmp_path), "--only", "rip_constants"]) == 0
    report = (tmp_path / "REPORT.md").read_text()
    assert "## RIP constants" in report and "The δ = 1/2 example satisfies ½-RIP" in report
    assert (tmp_path / "rip_gaussian_sweep.png").stat().st_size > 1000
    data = json.loads((tmp_path / "results" / "rip_constants.json").read_text())
    assert abs(data["examples"]["half[rip] rank 2"]["delta"] - 0.5) < 1e-12


def test_reproduce_unknown_stage_exits_2(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path), "--only", "nonsense"]) == 2
    assert "unknown experiment" in capsys.readouterr().err
