"""Two saved assessments side by side, worded: the comparison (`result.comparison.compare`) as a Markdown page and
as rich renderables for the terminal, in English or Japanese (the words are `cmp_*` in reports/en.py and ja.py).
"""

from __future__ import annotations

from feasibility.result.comparison import Change, DepthPair, ResultComparison
from feasibility.reports.markdown import table_row
from feasibility.reports.words import headline, label, milliseconds, percent
from feasibility.reports.terminal import boxes


def _value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# How each kind of change shows its two values; the sentence around them is the words' `cmp_<kind>`.
SHOWN = {
    "decision": headline,
    "same_decision": headline,
    "needed_depth": lambda value, lang: _value(value),
    "binding": lambda value, lang: label(f"binding_{value or 'none'}", lang),
    "margin": lambda value, lang: milliseconds(value),
}


def _change(change: Change, lang: str) -> str:
    shown = SHOWN[change.kind]
    return label(f"cmp_{change.kind}", lang, a=shown(change.a, lang), b=shown(change.b, lang))


def _verdicts(row: DepthPair, lang: str) -> list[str]:
    return [label(f"v_{v}", lang) if v else "-" for v in row.verdict]


def _latencies(row: DepthPair) -> list[str]:
    return [f"{x:.2f}" if x is not None else "-" for x in row.latency_ms]


def render_compare_markdown(comparison: ResultComparison, lang: str = "en") -> str:
    def t(key: str, **figures) -> str:
        return label(f"cmp_{key}", lang, **figures)

    a, b = comparison.names
    lines = [f"# {t('title', a=a, b=b)}", "", f"## {t('changed')}", ""]
    lines += [f"- {_change(change, lang)}" for change in comparison.changes]
    lines += ["", f"## {t('inputs')}", ""]
    if comparison.spec_changes:
        lines += [table_row([t("key"), "A", "B"]), "|---|---|---|"]
        lines += [table_row([f"`{c.key}`", _value(c.a), _value(c.b)]) for c in comparison.spec_changes]
    else:
        lines.append(t("none"))
    p = comparison.percentile
    lines += ["", f"## {t('by_depth')}", "", table_row([label("depth", lang), f"{t('verdict')} A", f"{t('verdict')} B", f"{t('accuracy')} A", f"{t('accuracy')} B", f"p{p} ms A", f"p{p} ms B"]), "|---:|---|---|---:|---:|---:|---:|"]
    for row in comparison.rows:
        lines.append(table_row([row.depth, *_verdicts(row, lang), *[percent(x) for x in row.accuracy], *_latencies(row)]))
    return "\n".join(lines) + "\n"


def compare_view(comparison: ResultComparison, terminal: bool, lang: str = "en") -> list:
    """The comparison for the terminal, as rich renderables: what changed, the inputs that differ, and each depth."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    def t(key: str, **figures) -> str:
        return label(f"cmp_{key}", lang, **figures)

    a, b = comparison.names
    shown = [Text(t("title", a=a, b=b), style="bold")] + [Text(f"  - {_change(change, lang)}") for change in comparison.changes]
    if comparison.spec_changes:
        table = Table(title=t("inputs"), box=boxes(terminal))
        for name in (t("key"), "A", "B"):
            table.add_column(name)
        for c in comparison.spec_changes:
            table.add_row(escape(c.key), escape(_value(c.a)), escape(_value(c.b)))
        shown.append(table)
    p = comparison.percentile
    table = Table(title=t("by_depth"), box=boxes(terminal))
    for name in (label("depth", lang), f"{t('verdict')} A", f"{t('verdict')} B", f"p{p} ms A", f"p{p} ms B"):
        table.add_column(name, justify="right" if "ms" in name or name == label("depth", lang) else "left")
    for row in comparison.rows:
        table.add_row(str(row.depth), *_verdicts(row, lang), *_latencies(row))
    return shown + [table]
