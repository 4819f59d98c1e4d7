"""Tests of the report writer (summary, findings by source, HTML) and of ``riptools reproduce`` / ``riptools sources``."""

import json
import re

import pytest

from riptools.cli import main
import riptools.reproduce
from riptools.findings import FINDING_KEYS, Finding, Reference, Section, Verdict
from riptools.report import render_html, render_report, report_order
from riptools import report

PAPER = Reference(key="paper", authors=("A. Author", "B. Author"), title="A paper", venue="JMLR", year=2019, arxiv="1901.00001")
SLIDES = Reference(key="slides", authors=("C. Speaker",), title="[untitled slides]", venue="talk slides", year=2018)
LONG = "an inequality whose statement is long enough to be folded in the HTML page " * 3


def _finding(id, reference, verdict, *, statement="x ≥ 0", size="", diagnostic=False, reason=""):
    return Finding(id=id, source=reference.at("Lemma 1"), statement=statement, source_says="x ≥ 0",
                   measured="x = −1", verdict=verdict, reason=reason, counterexample_size=size,
                   diagnostic=diagnostic, evidence={"x": -1.0}, replay="riptools check demo")


SECTIONS = [
    Section(title="Second", markdown="body 2", order=20, figures=("b.png",), commands=("riptools b",),
            findings=(_finding("slides.a", SLIDES, Verdict.DIFFERS, size="10,000 runs"),)),
    Section(title="First", markdown="body 1", order=10,
            findings=(_finding("paper.a", PAPER, Verdict.REFUTED, size="n = 2, r = 1", reason="because"),
                      _finding("paper.b", PAPER, Verdict.AGREES, statement=LONG),
                      _finding("paper.c", PAPER, Verdict.AGREES, diagnostic=True))),
]


def test_report_opens_with_the_summary_then_findings_by_source_then_sections():
    text = render_report(SECTIONS)
    order = [text.index(heading) for heading in ("## Summary", "## Findings", f"### {PAPER.full}", f"### {SLIDES.full}",
                                                 "## First", "## Second")]
    assert order == sorted(order)
    summary = text[text.index("## Summary"):text.index("## Findings")]
    assert f"**{PAPER.short}**, A paper: 2 agrees, 1 refuted." in summary
    assert "- **refuted**: x ≥ 0 (Lemma 1); counterexample n = 2, r = 1" in summary
    assert "- **differs**: x ≥ 0 (Lemma 1); 10,000 runs" in summary
    assert "agrees**" not in summary  # agreeing claims are counted, not listed
    paper = text[text.index(f"### {PAPER.full}"):text.index(f"### {SLIDES.full}")]
    assert f"| x ≥ 0 | {PAPER.short}, Lemma 1 | x ≥ 0 | x = −1 | refuted (because) |" in paper
    assert paper.index("refuted (because)") < paper.index("diagnostic variants") < paper.index("| x ≥ 0 | A. Author, B. Author (JMLR 2019), Lemma 1 | x ≥ 0 | x = −1 | agrees |")
    assert "![b](b.png)" in text and "riptools b" in text
    assert [f.id for f in report_order(SECTIONS)] == ["paper.a", "paper.b", "paper.c", "slides.a"]


def test_summary_counts_variants_with_the_same_words_on_one_line():
    twins = [_finding(f"paper.v{k}", PAPER, Verdict.REFUTED, size="n = 2, r = 1") for k in range(3)]
    text = render_report([Section(title="S", markdown="", findings=(*twins, _finding("paper.w", PAPER, Verdict.REFUTED)))])
    assert "- **refuted** (×3): x ≥ 0 (Lemma 1); counterexample n = 2, r = 1" in text
    assert "- **refuted**: x ≥ 0 (Lemma 1)\n" in text  # no size: other words, its own line


def test_summary_fits_one_line_per_notable_claim():
    long_refuted = _finding("paper.long", PAPER, Verdict.REFUTED, statement=LONG, size="n = 3")
    text = render_report([Section(title="S", markdown="", findings=(long_refuted,))])
    (line,) = [line for line in text.splitlines() if line.startswith("- **refuted**")]
    assert len(line) < report.SUMMARY_STATEMENT_CHARS + 60 and "…" in line and line.endswith("counterexample n = 3")


def test_html_has_badges_folds_and_groups(tmp_path):
    page = render_html(SECTIONS, tmp_path)
    assert page.count(f'background:{report.VERDICT_COLOURS["refuted"]}') >= 2  # the summary and the table
    assert re.search(r"<details><summary>an inequality whose statement.*…</summary>", page)
    assert page.index(f"<h3>{PAPER.full}</h3>") < page.index(f"<h3>{SLIDES.full}</h3>")
    assert "replay: <code>riptools check demo</code>" in page and "&quot;x&quot;: -1.0" in page
    assert "<details><summary>riptools' diagnostic variants" in page


@pytest.mark.slow
def test_reproduce_slides_section_writes_data_report_and_figure(tmp_path, capsys):
    assert main(["reproduce", "--quick", "--out", str(tmp_path), "--only", "sharp_rip_slides", "--workers", "1"]) == 0
    text = (tmp_path / "REPORT.md").read_text()
    assert "The δ = 1/2 example satisfies ½-RIP" in text and "seed 00" not in text
    assert (tmp_path / "rip_gaussian_sweep.png").stat().st_size > 1000
    data = json.loads((tmp_path / "results" / "rip_constants.json").read_text())
    assert abs(data["examples"]["half[rip] rank 2"]["delta"] - 0.5) < 1e-12


def test_reproduce_writes_the_findings_as_data(tmp_path, capsys, monkeypatch):
    sections = []
    section_of = riptools.reproduce.section_of
    monkeypatch.setattr(riptools.reproduce, "section_of", lambda *a: sections.append(section_of(*a)) or sections[-1])
    assert main(["reproduce", "--quick", "--out", str(tmp_path), "--only", "zjsl_neurips2018", "--workers", "1"]) == 0
    records = json.loads((tmp_path / "results" / "findings.json").read_text())
    assert [(r["id"], r["verdict"]) for r in records] == [(f.id, f.verdict.value) for f in report_order(sections)]
    assert records and all(tuple(record) == FINDING_KEYS for record in records)
    assert records[0]["source"]["year"] == 2018 and records[0]["id"] == "zjsl_neurips2018.theorem1"


def test_reproduce_unknown_source_exits_2(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path), "--only", "nonsense"]) == 2
    assert "unknown source" in capsys.readouterr().err


def test_sources_lists_every_source_with_a_dated_citation(capsys):
    assert main(["sources", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    keys = [record["key"] for record in records]
    assert len(keys) >= 5 and "sharp_rip_slides" in keys and keys == sorted(keys)
    for record in records:
        assert record["year"] >= 1900 and str(record["year"]) in record["citation"]
        assert record["checks"] + record["claims"] > 0, record["key"]
        assert "seed" not in record["citation"].lower() and "issue" not in record["citation"].lower()
    assert main(["sources"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["key", "claims", "checks", "citation"] and len(table) == len(records) + 1


def test_summary_names_an_authorless_document_once():
    notebook = Reference(key="notebook", authors=(), title="A notebook", venue="Jupyter notebook", year=2025)
    text = render_report([Section(title="S", markdown="", findings=(_finding("notebook.a", notebook, Verdict.AGREES),))])
    assert "**“A notebook” (Jupyter notebook 2025)**: 1 agrees." in text
    assert text.count("A notebook") == 3  # the summary line, the findings heading and the table's source cell


def test_html_summary_names_an_authorless_document_once(tmp_path):
    notebook = Reference(key="notebook", authors=(), title="A notebook", venue="Jupyter notebook", year=2025)
    page = render_html([Section(title="S", markdown="", findings=(_finding("notebook.a", notebook, Verdict.AGREES),))], tmp_path)
    summary = page[page.index("<h2>Summary</h2>"):page.index("<h2>Findings</h2>")]
    assert summary.count("A notebook") == 1
