"""REPORT.md: the verdict table up front, then one section per capability."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from riptools.results import write_text_atomic


@dataclass(frozen=True)
class VerdictRow:
    """One row of the verdict table: a claim of a seed and what riptools measured.

    Attributes:
        claim: short statement of the claim.
        source: seed file and lemma/figure/slide.
        source_says: what the source states (the number or inequality).
        measured: what riptools computed.
        verdict: ``agrees``, ``refuted``, ``differs`` or ``inconclusive``.
        reason: why, when the verdict is not ``agrees``, or the condition it holds under.
    """

    claim: str
    source: str
    source_says: str
    measured: str
    verdict: str
    reason: str = ""


@dataclass(frozen=True)
class Section:
    """One capability's part of REPORT.md.

    Attributes:
        title: section heading.
        markdown: body text (tables, findings); figures are linked relative to the report.
        verdicts: rows for the verdict table at the top of the report.
        figures: figure paths relative to the report's folder.
        commands: the exact commands that regenerate this section.
        order: position of the section in the report (ascending).
    """

    title: str
    markdown: str
    verdicts: list[VerdictRow] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    order: int = 100


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_report(sections: list[Section], *, title: str = "riptools report", preamble: str = "") -> str:
    """Returns the markdown of REPORT.md for ``sections``."""
    sections = sorted(sections, key=lambda s: s.order)
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble, ""]
    rows = [row for section in sections for row in section.verdicts]
    lines += ["## Verdicts", "", "| claim | source | source says | riptools measured | verdict |", "|---|---|---|---|---|"]
    for row in rows:
        verdict = row.verdict + (f" ({row.reason})" if row.reason else "")
        lines.append(f"| {_cell(row.claim)} | {_cell(row.source)} | {_cell(row.source_says)} | {_cell(row.measured)} | {_cell(verdict)} |")
    lines.append("")
    for section in sections:
        lines += [f"## {section.title}", "", section.markdown.strip(), ""]
        for figure in section.figures:
            lines += [f"![{Path(figure).stem}]({figure})", ""]
        if section.commands:
            lines += ["Regenerate with:", "", "```", *section.commands, "```", ""]
    return "\n".join(lines)


def write_report(out_dir, sections: list[Section], **kwargs) -> Path:
    """Writes ``out_dir/REPORT.md`` atomically and returns its path."""
    return write_text_atomic(Path(out_dir) / "REPORT.md", render_report(sections, **kwargs))
