"""The terminal summary and the `explain` view, as rich renderables built from one `Assessment`: the CLI prints
them (results on stdout, notes on stderr); nothing here writes to a terminal.
"""

from __future__ import annotations

from functools import partial

from feasibility.reports.words import alternative, counted, duration, full_length_of, headline, inside_findings, kind_name, label, milliseconds, older_result, percent, reasons, si, timing_warnings, verdict_cell
from feasibility.errors import UsageError
from feasibility.result.assessment import Assessment
from feasibility.result.inside import KINDS
from feasibility.result.preview import Preview
from feasibility.vocabulary import Decision


def boxes(terminal: bool, fancy=None):
    """The box style of a table or panel: box-drawing characters on a terminal, plain ASCII where the output is
    piped into a file, a log or another program."""
    from rich import box

    return (fancy or box.HEAVY_HEAD) if terminal else box.ASCII

def summary(assessment: Assessment, terminal: bool, lang: str = "en", width: int | None = None) -> list:
    """The summary for stdout: the decision panel, the depth table, the reasons and the alternatives, as rich
    renderables (`terminal`: draw boxes with box-drawing characters). On a console of `width` columns too narrow
    for every column, the depth table keeps what decides (depth, verdict, fits, accuracy, latency) and says what
    it left out."""
    from rich import box
    from rich.panel import Panel
    from rich.text import Text

    spec, rec = assessment.spec, assessment.recommendation
    style = {Decision.RECOMMENDED: "green", Decision.NOT_SHOWN_AT_LENGTH: "yellow", Decision.NONE_WITHIN_BUDGET: "yellow", Decision.TOO_CLOSE_TO_CALL: "yellow", Decision.NOT_LEARNED: "red"}.get(rec.decision, "white")
    shown = [Panel(Text(headline(rec, lang)), title=Text(f"feasibility: {spec.name}"), border_style=style, box=boxes(terminal, box.ROUNDED))]  # Text: a name like "x[/]" is not markup
    table = _depth_table(assessment, terminal, lang)
    needed = _width_of(table)
    if width is not None and width < needed:
        shown += [_depth_table(assessment, terminal, lang, compact=True), Text(label("narrow_table", lang, width=needed))]
    else:
        shown.append(table)
    shown += [Text(f"  - {reason}") for reason in reasons(rec, spec.deployment, lang)]
    if rec.alternatives:
        shown += [Text(label("else", lang))] + [Text(f"  - {alternative(option, rec, lang)}") for option in rec.alternatives]
    return shown


def _width_of(renderable) -> int:
    """The columns `renderable` takes when nothing wraps (wide characters count two)."""
    from rich.console import Console

    return Console(width=10_000).measure(renderable).maximum


def _depth_table(assessment: Assessment, terminal: bool, lang: str, compact: bool = False):
    """The depth table, the decision's columns first: depth, verdict, fits, accuracy on the question (at the task's
    length too), latency; then, unless `compact`, theory, accuracy per hop, FLOPs and parameters."""
    from rich import box
    from rich.table import Table

    spec = assessment.spec
    hops, percentile = spec.task.hops, spec.requirements.latency_percentile
    t = partial(label, lang=lang)
    title = t("table_title", hops=hops, kind=kind_name(spec.task.kind, lang), target=percent(spec.requirements.accuracy), percentile=percentile, budget=spec.requirements.latency_ms)
    table = Table(title=title, box=boxes(terminal, box.SIMPLE_HEAD), padding=(0, 1, 0, 1), pad_edge=False, collapse_padding=True)
    full_length = full_length_of(assessment)
    questions = [t("question")] + ([t("question_at", length=full_length)] if full_length else [])
    details = [] if compact else [t("vs_bound"), *[t("hop", hop=h) for h in range(1, hops + 1)], "FLOPs", t("params")]
    for name in [t("depth"), t("verdict"), t("fits"), *questions, f"p{percentile} ms", *details]:
        wraps = name == t("verdict")
        table.add_column(name, justify="left" if name in (t("vs_bound"), t("verdict"), t("fits")) else "right", no_wrap=not wraps, min_width=12 if wraps else None)
    for row in assessment.views.depth_rows:
        cells = [
            str(row["depth"]),
            verdict_cell(row, lang),
            f"[green]{t('yes')}[/]" if row["within_budget"] else f"[red]{t('no')}[/]",
            percent(row["question"]),
            *([percent(row["question_full_length"])] if full_length else []),
            f"{row['latency_ms']:.2f}" if row["latency_ms"] is not None else "-",
        ]
        if not compact:
            cells += [
                t(row["vs_bound"]),
                *[percent(row["accuracy_by_hop"].get(h)) for h in range(1, hops + 1)],
                si(row["flops"]) if row["flops"] is not None else "-",
                si(row["parameters"]) if row["parameters"] is not None else "-",
            ]
        table.add_row(*cells)
    return table


def notes(assessment: Assessment, files: list[str] | None = None, lang: str = "en") -> list:
    """The timing warnings and the files written: what belongs on stderr beside a result."""
    from rich.text import Text

    shown = [Text(warning, style="yellow") for warning in older_result(assessment, lang) + timing_warnings(assessment, lang)]
    return shown + ([Text(label("written", lang, files=", ".join(files)))] if files else [])

SHADES = " .:-=+*#%@"  # attention weight 0 .. 1 in ten steps


def explain_view(assessment: Assessment, terminal: bool, depth: int | None = None, lang: str = "en") -> list:
    """Attention of one probe on a held-out example as text (rows: the chain's positions; columns: every
    position, shaded by weight), then the emergence table and the order in which hop counts were learned."""
    from rich.text import Text

    runs = {run.depth: run for run in assessment.probes}
    if depth is not None and depth not in runs:
        trained = ", ".join(str(d) for d in sorted(runs)) or "none"
        raise UsageError(f"{{setting:depth}} {depth}: no probe of that depth was trained in this result; trained depths: {trained}")
    run = runs[depth] if depth is not None else assessment.views.shown
    t = partial(label, lang=lang)
    if run is None or not run.attention_example:
        return [Text(t("no_inside"))]
    example = run.attention_example
    shown = [Text(f"{t('inside')}: {t('depth_n', depth=run.depth)}, {t('seed')} {example['seed']}", style="bold")]
    shown += [Text(line) for line in _attention_lines(run, lang)]
    inside = assessment.inside(run)
    if inside.emergence:
        shown.append(_emergence_table(inside.emergence, terminal, lang))
    return shown + [Text(line) for line in inside_findings(inside, assessment.spec.task.hops, assessment.recommendation.target, lang)]


def _attention_lines(run, lang: str) -> list[str]:
    """Each head's attention from the chain's positions, shaded, with its chain and previous-token scores."""
    example = run.attention_example
    marked = example["chain_positions"]
    ruler = "".join("^" if i in marked else " " for i in range(len(example["tokens"])))
    scores = run.curve[-1].head_scores if run.curve else None
    lines = []
    for layer, heads in enumerate(example["patterns"]):
        for head, pattern in enumerate(heads):
            note = ""
            if scores:
                note = "  " + ", ".join(f"{label('k_' + kind, lang)} {scores[kind][0][layer][head]:.2f}" for kind in KINDS)
            lines.append(f"L{layer + 1}H{head + 1}{note}")
            for position in marked:
                strip = "".join(SHADES[min(len(SHADES) - 1, int(weight * len(SHADES)))] for weight in pattern[position])
                lines.append(f"  {position:>4} |{strip}|")
            lines.append(f"        {ruler}")
    return lines


def _emergence_table(rows: list[dict], terminal: bool, lang: str):
    from rich.table import Table

    t = partial(label, lang=lang)
    table = Table(title=t("inside"), box=boxes(terminal))
    for name in (t("head"), t("kind"), t("emerges"), t("final_score")):
        table.add_column(name, justify="right" if name in (t("emerges"), t("final_score")) else "left")
    for r in rows:
        table.add_row(f"L{r['layer']}H{r['head']}", t(f"k_{r['kind']}"), t("never") if r["step"] is None else str(r["step"]), f"{r['final']:.2f}")
    return table

def plan_view(preview: Preview, terminal: bool, lang: str = "en") -> list:
    """What `assess` would do (`feasibility plan`, `assess --dry-run`), as rich renderables: the theory, the probes
    and where they would train, each depth's fate and the longest the training could take."""
    from rich.table import Table
    from rich.text import Text

    t = partial(label, lang=lang)
    p = preview
    times = label("sep", lang).join(t("pv_time_at", ms=milliseconds(m["seconds_per_step"] * 1000), length=m["length"]) for m in p.length_times)
    lines = [
        Text(t("pv_title", name=p.name), style="bold"),
        t("pv_theory", **counted(lang, lower=p.lower_bound, upper=p.upper_bound, hops=p.hops)),
        t("pv_probes", **counted(lang, seeds=p.seeds), length=p.probe_length, how=t("pv_auto", times=times) if p.length_rule == "auto" and times else "",
          judged=t("pv_judged", length=p.task_length) if p.task_length != p.probe_length else ""),
        t("pv_where", device=p.train_device, **counted(lang, threads=p.threads or 1), steps=p.max_steps, cap=duration(p.time_budget_s, lang)),
        t("pv_cache", cache=p.cache) if p.cache else t("pv_no_cache"),
    ]
    table = Table(box=boxes(terminal))
    for name, justify in (("pv_depth", "right"), ("pv_action", "left"), ("pv_time", "right")):
        table.add_column(t(name), justify=justify)
    for d in p.depths:
        action = t("pv_resume", step=d.resume_step) if d.action == "resume" else t(f"pv_{d.action}")
        table.add_row(str(d.depth), action, duration(d.estimate_s, lang) if d.estimate_s is not None else "-")
    total = t("pv_total", total=duration(p.estimate_s, lang), pace=milliseconds(p.seconds_per_step * 1000), depth=p.timed_depth) if p.estimate_s else t("pv_nothing")
    return [Text(line) if isinstance(line, str) else line for line in lines] + [table, Text(total)]
