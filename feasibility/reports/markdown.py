"""The meeting report in Markdown: the blocks words.py words from one `Assessment` (decision first, then the depth
table, the reasons, the frontier, the options, and the method and raw numbers last), laid out as GitHub-flavoured
Markdown. Nothing here words or computes a figure.
"""

from __future__ import annotations

from feasibility.reports.words import Figures, Heading, Items, Lead, Lines, Note, Table, report
from feasibility.result.assessment import Assessment


def render_markdown(assessment: Assessment, plots: list[str] | None = None, lang: str = "en") -> str:
    """The meeting report: decision first, then the key table, the frontier, the reasons and alternatives,
    questions for the meeting, method and caveats, then the raw numbers. `plots` are PNG file names beside
    the report, linked relatively. `lang` is "en" or "ja"; numbers and tables are the same in both."""
    return "\n".join(line for block in report(assessment, lang) for line in lay_out(block, plots or []))


def lay_out(block, plots: list[str]) -> list[str]:
    """One block's lines, each block followed by a blank line; a figure block without figures has none."""
    if isinstance(block, Heading):
        lines = [f"{'#' * block.level} {block.text}"]
    elif isinstance(block, Lead):
        lines = [f"**{block.label}** {block.text}"]
    elif isinstance(block, Note):
        lines = [f"_{block.text}_"]
    elif isinstance(block, Lines):
        lines = list(block.lines)
    elif isinstance(block, Items):
        lines = [f"{i}. {item}" if block.numbered else f"- {item}" for i, item in enumerate(block.items, 1)]
    elif isinstance(block, Table):
        lines = [table_row(block.header), "|" + "|".join("---" if a == "l" else "---:" for a in block.align) + "|", *[table_row(row) for row in block.rows]]
    elif isinstance(block, Figures):
        lines = [f"![{name.removesuffix('.png')}]({name})" for name in block.of(plots)]
        if not lines:
            return []
    else:
        raise TypeError(f"no Markdown for {type(block).__name__}")
    return lines + [""]


def table_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
