"""REPORT.md: the verdict table up front, then one section per capability."""

from __future__ import annotations

import base64
import html
import re
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


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)


def _image(source: str, alt: str, folder: Path) -> str:
    path = folder / source
    if path.is_file() and path.suffix == ".png":  # inline, so the HTML file stands alone
        source = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
    return f'<p><img alt="{html.escape(alt)}" src="{source}" style="max-width:100%"></p>'


def markdown_to_html(markdown: str, folder) -> str:
    """Returns an HTML page for the markdown subset riptools writes, PNG figures inlined from ``folder``.

    Handles headings, pipe tables, fenced code, images, bullet lists, inline code and bold.
    """
    folder, body, lines, index = Path(folder), [], markdown.splitlines(), 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            body.append("<pre><code>" + html.escape("\n".join(lines[index + 1:end])) + "</code></pre>")
            index = end + 1
            continue
        if line.startswith("|"):
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", lines[index].strip())[1:-1]]
                if not all(set(cell) <= set("-: ") for cell in cells):
                    rows.append(cells)
                index += 1
            head, *rest = rows
            body.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>"
                        + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in rest)
                        + "</table>")
            continue
        heading = re.match(r"(#{1,4}) (.*)", line)
        image = re.fullmatch(r"!\[([^\]]*)\]\(([^)]+)\)", line.strip())
        if heading:
            level = len(heading.group(1))
            body.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif image:
            body.append(_image(image.group(2), image.group(1), folder))
        elif line.startswith("- "):
            items = []
            while index < len(lines) and lines[index].startswith("- "):
                items.append(f"<li>{_inline(lines[index][2:])}</li>")
                index += 1
            body.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        index += 1
    style = ("body{font-family:sans-serif;max-width:70em;margin:auto;padding:1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 6px;vertical-align:top}"
             "pre{background:#f4f4f4;padding:.5em}")
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{style}</style><title>riptools report</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n"


def write_report(out_dir, sections: list[Section], **kwargs) -> Path:
    """Writes ``out_dir/REPORT.md`` and ``out_dir/REPORT.html`` atomically and returns the markdown's path."""
    markdown = render_report(sections, **kwargs)
    write_text_atomic(Path(out_dir) / "REPORT.html", markdown_to_html(markdown, out_dir))
    return write_text_atomic(Path(out_dir) / "REPORT.md", markdown)
