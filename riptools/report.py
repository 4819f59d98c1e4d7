"""REPORT.md and REPORT.html from the sections of the sources: summary, findings by source, sections.

The report has three parts, all built from :class:`riptools.findings.Finding` records:

1. **Summary**, one screen: per source document its verdict counts and, for each refuted or
   differing claim, one line with the size of its counterexample (or of the evidence).
2. **Findings**, grouped by source (the heading is the full citation): claim, place in the source,
   what the source says, what riptools measured, the verdict and its reason. riptools' own
   diagnostic variants of a claim follow the source's claims in a second table.
3. The **sections**: each source's prose (computed from its data), figures and the commands that
   regenerate them.

REPORT.html is written from the same records, not from the markdown: verdicts are coloured badges,
long statements, the evidence and the replay command are folded in ``<details>``, and figures are
inlined so the page stands alone.

Example:
    >>> from riptools.findings import Finding, Reference, Section, Verdict
    >>> ref = Reference(key="demo", authors=("A. Author",), title="A title", venue="arXiv", year=2024)
    >>> row = Finding(id="demo.x", source=ref.at("Lemma 1"), statement="x ≥ 0", source_says="x ≥ 0",
    ...               measured="x = −1", verdict=Verdict.REFUTED, counterexample_size="n = 1")
    >>> text = render_report([Section(title="Demo", markdown="Body.", findings=(row,), source="demo")])
    >>> "- **refuted**: x ≥ 0 (Lemma 1); counterexample n = 1" in text
    True
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

from riptools import findings as records
from riptools.results import dumps, write_text_atomic

SUMMARY_STATEMENT_CHARS = 90
"""A claim's statement is cut to this many characters in the one-line summary (one screen for all sources)."""
FOLD_CHARS = 120
"""Table cells of REPORT.html longer than this are folded in <details> (their first words stay visible)."""
VERDICT_COLOURS = {"agrees": "#1a7f37", "differs": "#b35900", "refuted": "#c62828", "inconclusive": "#6e7781"}
"""Badge colours of REPORT.html, one per verdict."""


# --- Markdown ------------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _short(text: str, limit: int) -> str:
    """Returns ``text`` on one line, cut at a word boundary to at most ``limit`` characters (… marks a cut)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def by_source(sections) -> list[tuple[records.Reference, list[records.Finding]]]:
    """Returns [(reference, findings)] grouped by source document, in the order the sections come."""
    groups: dict[str, tuple[records.Reference, list]] = {}
    for section in sorted(sections, key=lambda s: s.order):
        for finding in section.findings:
            reference = finding.source.reference
            groups.setdefault(reference.key, (reference, []))[1].append(finding)
    return list(groups.values())


def _title_after(reference: records.Reference) -> str:
    """Returns ", title" to follow the short citation in the summary; nothing when the short citation is the title."""
    return f", {reference.title}" if reference.authors else ""


def _split(findings) -> tuple[list, list]:
    """Returns (the source's claims, riptools' diagnostic variants) of ``findings``, in their order."""
    return [f for f in findings if not f.diagnostic], [f for f in findings if f.diagnostic]


def report_order(sections) -> list[records.Finding]:
    """Returns every finding of ``sections`` in the order of the report's tables: by source, the
    source's claims before riptools' diagnostic variants."""
    ordered = []
    for _, findings in by_source(sections):
        claims, diagnostics = _split(findings)
        ordered += claims + diagnostics
    return ordered


def _verdict_text(finding: records.Finding) -> str:
    return finding.verdict.value + (f" ({finding.reason})" if finding.reason else "")


def _summary_text(finding: records.Finding) -> str:
    """Returns the summary's words for one refuted or differing finding: claim, place, counterexample size."""
    size = finding.counterexample_size
    if size:
        size = f"; counterexample {size}" if finding.verdict is records.Verdict.REFUTED else f"; {size}"
    return f"{_short(finding.statement, SUMMARY_STATEMENT_CHARS)} ({finding.source.place}){size}"


def summary_entries(findings) -> list[tuple[str, int, str]]:
    """Returns [(verdict, count, text)]: the refuted and differing findings, variants whose summary
    words coincide (the same statement, place and counterexample size) counted on one line."""
    entries: dict[tuple[str, str], int] = {}
    for finding in findings:
        if finding.verdict in NOTABLE:
            key = (finding.verdict.value, _summary_text(finding))
            entries[key] = entries.get(key, 0) + 1
    return [(verdict, count, text) for (verdict, text), count in entries.items()]


def _times(count: int) -> str:
    return f" (×{count})" if count > 1 else ""


def _counts_text(findings) -> str:
    counts = records.verdict_counts(findings)
    return ", ".join(f"{count} {verdict}" for verdict, count in counts.items() if count)


NOTABLE = (records.Verdict.REFUTED, records.Verdict.DIFFERS)
"""The verdicts the summary lists claim by claim."""

TABLE_HEADER = ("| claim | source | source says | riptools measured | verdict |", "|---|---|---|---|---|")
"""The header of every findings table of REPORT.md."""


def _table(findings) -> list[str]:
    lines = list(TABLE_HEADER)
    for finding in findings:
        lines.append(f"| {_cell(finding.statement)} | {_cell(finding.source.citation)} | {_cell(finding.source_says)} | "
                     f"{_cell(finding.measured)} | {_cell(_verdict_text(finding))} |")
    return lines


def render_report(sections, *, title: str = "riptools report", preamble: str = "") -> str:
    """Returns the markdown of REPORT.md: summary per source, findings grouped by source, then the sections.

    Args:
        sections: :class:`riptools.findings.Section` records.
        title: the first heading.
        preamble: a paragraph under the title.
    """
    sections = sorted(sections, key=lambda s: s.order)
    groups = by_source(sections)
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble, ""]
    lines += ["## Summary", ""]
    for reference, findings in groups:
        lines += [f"**{reference.short}**{_title_after(reference)}: {_counts_text(findings)}.", ""]
        notable = [f"- **{verdict}**{_times(count)}: {text}" for verdict, count, text in summary_entries(findings)]
        lines += notable + ([""] if notable else [])
    lines += ["## Findings", ""]
    for reference, findings in groups:
        lines += [f"### {reference.full}", ""]
        claims, diagnostics = _split(findings)
        lines += _table(claims) + [""] if claims else []
        if diagnostics:
            lines += ["riptools' diagnostic variants (not readings of the source's statement):", ""]
            lines += _table(diagnostics) + [""]
    for section in sections:
        lines += [f"## {section.title}", "", section.markdown.strip(), ""]
        for figure in section.figures:
            lines += [f"![{Path(figure).stem}]({figure})", ""]
        if section.commands:
            lines += ["Regenerate with:", "", "```", *section.commands, "```", ""]
    return "\n".join(lines)


# --- HTML ----------------------------------------------------------------------------------------------

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
    """Returns the HTML body of the markdown subset riptools writes, PNG figures inlined from ``folder``.

    Handles headings, pipe tables, fenced code, images, bullet lists, inline code and bold.

    Example:
        >>> markdown_to_html("## A\\n\\n- `x` is **bold**", ".")
        '<h2>A</h2>\\n<ul><li><code>x</code> is <b>bold</b></li></ul>'
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
        elif line.startswith(("- ", "* ")):
            items = []
            while index < len(lines) and lines[index].startswith(("- ", "* ")):
                items.append(f"<li>{_inline(lines[index][2:])}</li>")
                index += 1
            body.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        index += 1
    return "\n".join(body)


def _badge(verdict: str, count: int | None = None) -> str:
    label = verdict if count is None else f"{count} {verdict}"
    return f'<span class="badge" style="background:{VERDICT_COLOURS[verdict]}">{html.escape(label)}</span>'


def _folded(text: str) -> str:
    """Returns ``text`` as HTML, folded in <details> (first words as the summary) when it is long."""
    text = str(text)
    if len(text) <= FOLD_CHARS:
        return _inline(text)
    return f"<details><summary>{_inline(_short(text, FOLD_CHARS // 2))}</summary>{_inline(text)}</details>"


def _finding_row(finding: records.Finding) -> str:
    verdict = _badge(finding.verdict.value)
    if finding.reason:
        verdict += f"<details><summary>why</summary>{_inline(finding.reason)}</details>"
    extra = ""
    if finding.evidence or finding.replay:
        replay = f"<p>replay: <code>{html.escape(finding.replay)}</code></p>" if finding.replay else ""
        data = (f"<pre>{html.escape(json.dumps(json.loads(dumps(finding.evidence)), indent=1, ensure_ascii=False))}</pre>"
                if finding.evidence else "")
        extra = f"<details><summary>evidence</summary>{replay}{data}</details>"
    cells = [_folded(finding.statement), _inline(finding.source.place), _folded(finding.source_says),
             _folded(finding.measured) + extra, verdict]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _html_table(findings) -> str:
    head = "".join(f"<th>{name}</th>" for name in ("claim", "where", "source says", "riptools measured", "verdict"))
    return f"<table><tr>{head}</tr>" + "".join(_finding_row(f) for f in findings) + "</table>"


def render_html(sections, folder, *, title: str = "riptools report", preamble: str = "") -> str:
    """Returns REPORT.html: the report of :func:`render_report` with badges, folds and inlined figures.

    Args:
        sections: :class:`riptools.findings.Section` records.
        folder: the report's folder (figures are read from it and inlined).
        title: the page's first heading.
        preamble: a paragraph under the title.
    """
    sections = sorted(sections, key=lambda s: s.order)
    groups = by_source(sections)
    body = [f"<h1>{html.escape(title)}</h1>"]
    if preamble:
        body.append(f"<p>{_inline(preamble)}</p>")
    body.append("<h2>Summary</h2>")
    for reference, findings in groups:
        counts = records.verdict_counts(findings)
        badges = " ".join(_badge(verdict, count) for verdict, count in counts.items() if count)
        notable = "".join(f"<li>{_badge(verdict)}{_times(count)} {_inline(text)}</li>"
                          for verdict, count, text in summary_entries(findings))
        name = f"<b>{html.escape(reference.short)}</b>{html.escape(_title_after(reference))}"
        body.append(f'<div class="source">{name} {badges}'
                    + (f"<ul>{notable}</ul>" if notable else "") + "</div>")
    body.append("<h2>Findings</h2>")
    for reference, findings in groups:
        body.append(f"<h3>{_inline(reference.full)}</h3>")
        claims, diagnostics = _split(findings)
        if claims:
            body.append(_html_table(claims))
        if diagnostics:
            body.append("<details><summary>riptools' diagnostic variants (not readings of the source's statement): "
                        f"{_counts_text(diagnostics)}</summary>{_html_table(diagnostics)}</details>")
    for section in sections:
        body.append(f"<h2>{_inline(section.title)}</h2>")
        body.append(markdown_to_html(section.markdown.strip(), folder))
        body += [_image(figure, Path(figure).stem, Path(folder)) for figure in section.figures]
        if section.commands:
            body.append("<p>Regenerate with:</p><pre><code>" + html.escape("\n".join(section.commands)) + "</code></pre>")
    style = ("body{font-family:sans-serif;max-width:75em;margin:auto;padding:1em}"
             "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}"
             "th{background:#f0f0f0}td:nth-child(1){width:30%}td:nth-child(5){width:9em}"
             ".badge{color:#fff;border-radius:.7em;padding:1px .6em;font-size:85%;white-space:nowrap}"
             ".source{margin:.4em 0}details summary{cursor:pointer;color:#333}pre{background:#f4f4f4;padding:.5em;"
             "overflow-x:auto}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{style}</style><title>{html.escape(title)}</title>"
            "</head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def write_report(out_dir, sections, **kwargs) -> Path:
    """Writes ``out_dir/REPORT.md`` and ``out_dir/REPORT.html`` atomically and returns the markdown's path."""
    write_text_atomic(Path(out_dir) / "REPORT.html", render_html(sections, out_dir, **kwargs))
    return write_text_atomic(Path(out_dir) / "REPORT.md", render_report(sections, **kwargs))
