"""The one record of a judgement: :class:`Finding`, its :class:`Verdict`, and where a claim comes from.

Everything riptools judges, an inequality put on trial, a number a paper states, a figure it draws,
is a :class:`Finding`: the source (a structured :class:`Reference` and the exact place in it), the
statement, what the source says, what riptools measured, the verdict, the reason for it, the
evidence as data, and the command that replays it. Reports, ``--json`` outputs and tests all read
Findings; nothing else carries a verdict.

Verdicts (one vocabulary):

- ``agrees``: what riptools measured agrees with the source. For an inequality that survived the
  search the reason says so ("held on N instances, not a proof").
- ``differs``: a number, rate or figure the source states is not what riptools measures, though no
  logical statement is contradicted (e.g. a success rate outside the confidence interval).
- ``refuted``: a statement is false, shown by a replayable counterexample.
- ``inconclusive``: the evidence does not decide (e.g. a violation that does not survive high
  precision, or too few trials).

This module sits at the bottom of the layers: it imports nothing from riptools.

Example:
    >>> ref = Reference(key="scaledsgd", authors=("G. Zhang", "H.-M. Chiu", "R. Y. Zhang"),
    ...                 title="Accelerating SGD for highly ill-conditioned huge-scale online matrix completion",
    ...                 venue="NeurIPS", year=2022, arxiv="2208.11246")
    >>> finding = Finding(id="scaledsgd.demo", source=ref.at("Lemma 3"), statement="f(X) ≥ 0",
    ...                   source_says="f ≥ 0", measured="min f = 0.0 over 400 instances",
    ...                   verdict=Verdict.AGREES, reason="held on 400 instances, not a proof")
    >>> finding.source.citation
    'G. Zhang, H.-M. Chiu, R. Y. Zhang (NeurIPS 2022), Lemma 3'
    >>> sorted(finding.to_record())[:4]
    ['counterexample_size', 'diagnostic', 'evidence', 'id']
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field


class Verdict(str, enum.Enum):
    """What riptools concludes about one claim of a source (see the module docstring)."""

    AGREES = "agrees"
    DIFFERS = "differs"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Reference:
    """A source document, cited bibliographically.

    Attributes:
        key: short identifier, the name of the source module (e.g. ``"scaledsgd"``).
        authors: author names as printed (initials and surname); empty when the document names none
            (it is then cited by its title).
        title: the document's title (for slides or notebooks without one: a description in brackets).
        venue: where it appeared ("NeurIPS", "JMLR", "arXiv", "talk slides", "notebook").
        year: year of publication or presentation.
        arxiv: arXiv identifier, where one exists.
        url: a stable address, where one exists.
        provenance: where riptools' copy of the document came from (a file name); never shown as the
            citation.
    """

    key: str
    authors: tuple[str, ...]
    title: str
    venue: str
    year: int
    arxiv: str | None = None
    url: str | None = None
    provenance: str | None = None

    @property
    def short(self) -> str:
        """Returns the short citation, e.g. ``"G. Zhang, H.-M. Chiu, R. Y. Zhang (NeurIPS 2022)"``."""
        if not self.authors:  # a document that names no author is cited by its title
            return f"“{self.title}” ({self.venue} {self.year})"
        names = ", ".join(self.authors) if len(self.authors) <= 4 else f"{self.authors[0]} et al."
        return f"{names} ({self.venue} {self.year})"

    @property
    def full(self) -> str:
        """Returns the full citation: authors, title, venue and year, arXiv id or address."""
        tail = f", arXiv:{self.arxiv}" if self.arxiv else (f", {self.url}" if self.url else "")
        title = self.title if self.title.endswith(("?", "!", ".")) else f"{self.title}."
        names = f"{', '.join(self.authors)}. " if self.authors else ""
        return f"{names}{title} {self.venue}, {self.year}{tail}."

    def at(self, place: str) -> "SourcePlace":
        """Returns the exact place ``place`` (a lemma, slide or cell) in this document."""
        return SourcePlace(reference=self, place=place)


@dataclass(frozen=True)
class SourcePlace:
    """A place in a source document: the reference and the lemma, figure, slide or cell.

    Attributes:
        reference: the document.
        place: the exact place in it, e.g. ``"Lemma 3, part 2"`` or ``"slides 17-19"``.
    """

    reference: Reference
    place: str

    @property
    def citation(self) -> str:
        """Returns ``"<short citation>, <place>"``."""
        return f"{self.reference.short}, {self.place}" if self.place else self.reference.short

    def to_record(self) -> dict:
        """Returns the JSON object of this place (the citation and the reference's fields)."""
        record = {"citation": self.citation, "place": self.place}
        record.update({f.name: getattr(self.reference, f.name) for f in dataclasses.fields(self.reference)})
        record["authors"] = list(self.reference.authors)
        return record


@dataclass(frozen=True)
class Finding:
    """One judgement of riptools: a source's claim, what was measured, and the verdict.

    Attributes:
        id: stable identifier, ``<source key>.<name>`` (e.g. ``"scaledsgd.lemma3.descent[C=0.1]"``).
        source: the document and the place in it.
        statement: the claim, in words and symbols (as the source makes it, or as riptools reads it).
        source_says: what the source states: the inequality, the number, the rate.
        measured: what riptools computed, as a short phrase built from the evidence.
        verdict: the :class:`Verdict`.
        reason: why this verdict (for ``agrees`` on a search: how much evidence, and that it is no proof).
        evidence: the data behind the verdict (numbers, counterexample inputs, intervals); JSON-ready.
        replay: the command that replays the finding (``riptools ...`` or ``pytest ...``).
        diagnostic: True for riptools' own diagnostic or corrected variants of a claim (not a reading
            of the source's statement); reports list them apart from the source's claims.
        counterexample_size: for a ``refuted`` or ``differs`` verdict, the size of the counterexample
            or of the evidence, in words (``"n = 2, r = 1"``, ``"10,000 runs"``); the report's summary
            shows it beside the claim.
    """

    id: str
    source: SourcePlace
    statement: str
    source_says: str
    measured: str
    verdict: Verdict
    reason: str = ""
    evidence: dict = field(default_factory=dict)
    replay: str = ""
    diagnostic: bool = False
    counterexample_size: str = ""

    def __post_init__(self):
        object.__setattr__(self, "verdict", Verdict(self.verdict))

    def to_record(self) -> dict:
        """Returns the JSON object of this finding; every ``--json`` output of findings uses it."""
        return {
            "id": self.id,
            "source": self.source.to_record(),
            "statement": self.statement,
            "source_says": self.source_says,
            "measured": self.measured,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "evidence": self.evidence,
            "replay": self.replay,
            "diagnostic": self.diagnostic,
            "counterexample_size": self.counterexample_size,
        }


FINDING_KEYS = ("id", "source", "statement", "source_says", "measured", "verdict", "reason", "evidence", "replay",
                "diagnostic", "counterexample_size")
"""The keys of :meth:`Finding.to_record`, in order."""


def verdict_counts(findings) -> dict[str, int]:
    """Returns {verdict: count} over ``findings``, every verdict present (zero counts included).

    Example:
        >>> verdict_counts([])["refuted"]
        0
    """
    counts = {verdict.value: 0 for verdict in Verdict}
    for finding in findings:
        counts[finding.verdict.value] += 1
    return counts


@dataclass(frozen=True)
class Section:
    """The part of a report one source writes: its findings, prose computed from data, figures, commands.

    Attributes:
        title: section heading.
        markdown: body text; every sentence that states a result is computed from the evidence.
        findings: the source's findings, in the order the section discusses them.
        figures: figure paths relative to the report's folder.
        commands: the exact commands that regenerate this section.
        order: position of the section in the report (ascending).
        source: the key of the source that wrote it.
    """

    title: str
    markdown: str
    findings: tuple = ()
    figures: tuple = ()
    commands: tuple = ()
    order: int = 100
    source: str = ""
