"""The files of one assessment: report.json (the JSON edge: strict, no NaN), the Markdown report, depths.csv and the
figures, written into one folder that never mixes two runs' outputs.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from feasibility.errors import UsageError
from feasibility.files import check_writable, folder_lock

from feasibility.reports.figures import write_plots
from feasibility.reports.html import html_name, render_html
from feasibility.reports.markdown import render_markdown
from feasibility.reports.words import headline, label
from feasibility.result.assessment import Assessment


def depth_table(assessment: Assessment):
    """The depth table as a pandas DataFrame for depths.csv: one row per depth, columns named with their unit
    and percentile, fractions to 4 decimals, milliseconds to 3, counts as integers (empty where not measured)."""
    import pandas as pd

    spec = assessment.spec
    hops, percentile = spec.task.hops, spec.requirements.latency_percentile
    length = assessment.plan.task_sequence_length  # where the probes are judged at the task's length (at most 2,048)
    records = []
    for row in assessment.views.depth_rows:
        record = {
            "depth": row["depth"],
            "theory_bounds": row["vs_bound"],  # below, within or above the theoretical depth bounds
            **{f"accuracy_hop_{hop}": row["accuracy_by_hop"].get(hop) for hop in range(1, hops + 1)},
            "question_accuracy": row["question"],
            f"question_accuracy_at_{length}_tokens": row["question_full_length"],
            "question_wilson_95_low": row["lower_bound"],
            f"question_wilson_95_low_at_{length}_tokens": row["full_length_lower_bound"],
            f"holds_at_{length}_tokens": row["holds_at_full_length"],
            "at_chance": row["at_chance"],
            "verdict": row["verdict"],
            "macs_per_request": row["macs"],
            "flops_per_request": row["flops"],
            "parameters": row["parameters"],
            f"latency_p{percentile}_ms": row["latency_ms"],
            "within_budget": row["within_budget"],
            "train_s": row["train_s"],
            "steps": row["steps"],
        }
        records.append(record)
    table = pd.DataFrame.from_records(records)
    decimals = {name: 4 for name in table.columns if "accuracy" in name or name.startswith("question_wilson_95_low")}
    table = table.round({**decimals, f"latency_p{percentile}_ms": 3, "train_s": 1})
    for name in ("macs_per_request", "flops_per_request", "parameters", "steps"):
        table[name] = table[name].astype("Int64")
    return table


def markdown_name(lang: str) -> str:
    return "report.md" if lang == "en" else f"report.{lang}.md"


OUTPUT_NAMES = ("report.json", "report.md", "report.ja.md", "report.html", "report.ja.html", "depths.csv", "accuracy.png", "latency.png", "frontier.png", "batching.png", "attention.png", "emergence.png", "curves-depth-*.png")


def earlier_outputs(folder: Path) -> list[Path]:
    """The files of a report that `folder` already holds (another run's, or this result's own), by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = set()
    for pattern in OUTPUT_NAMES:
        # a literal name is looked up itself: Path.glob skips a dangling link named exactly so, which would then be
        # written through to wherever it points
        paths = folder.glob(pattern) if "*" in pattern else [folder / pattern]
        found |= {path for path in paths if path.is_file() or path.is_symlink()}
    return sorted(found)


def holds_this_run(folder: Path, assessment: Assessment) -> bool:
    """Whether `folder` holds a report of the same run as `assessment` (same task name and creation time)."""
    try:
        saved = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
        return saved.get("created") == assessment.created and saved.get("spec", {}).get("name") == assessment.spec.name
    except (OSError, ValueError, AttributeError, RecursionError):
        return False


def write_outputs(assessment: Assessment, folder, lang: str = "en", keep: Path | None = None, replace: bool = False) -> list[str]:
    """Every file output of one assessment: report.json, the Markdown report in `lang`, depths.csv and the plots.

    `keep` is the result this was loaded from: a re-render into its own folder never overwrites it. With `replace`,
    another run's report files in `folder` are removed, so the two never mix (the CLI asks for --force first); without
    it a folder holding another run's report is refused. Every file is first written into a fresh hidden folder
    inside `folder`, then, with `folder` locked against another run, the old files go and the new ones are renamed
    into place: a full disk or a crash leaves the old report whole, a link among the names is replaced (never written
    through), and two runs writing at once are refused, not mixed."""
    import shutil
    import tempfile

    folder = Path(folder)
    check_writable(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kept = Path(keep).resolve() if keep is not None else None
    staging = Path(tempfile.mkdtemp(prefix=".report-", dir=folder))
    try:
        names = _render_into(assessment, staging, lang, write_json=not (kept is not None and (folder / "report.json").resolve() == kept))
        with folder_lock(folder):
            earlier = earlier_outputs(folder)
            if not replace and any(not path.is_symlink() for path in earlier) and not holds_this_run(folder, assessment):
                raise UsageError(f"{{setting:out}} {folder}: another run's report was written there meanwhile; pass --force to replace it, or give another folder")
            for path in earlier:
                if path.is_symlink() or (replace and path.resolve() != kept):
                    path.unlink()
            for name in names:
                os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    plots = names[names.index("depths.csv") + 1 :]
    return [str(folder / name) for name in (markdown_name(lang), html_name(lang), "report.json", "depths.csv", *plots)]


def _render_into(assessment: Assessment, folder: Path, lang: str, write_json: bool) -> list[str]:
    """Write every output into the (fresh, empty) `folder`; the names written, Markdown, JSON and CSV first."""
    if write_json:
        (folder / "report.json").write_text(json_text(assessment), encoding="utf-8")
    depth_table(assessment).to_csv(folder / "depths.csv", index=False)
    plots = write_plots(assessment, folder)
    markdown = render_markdown(assessment, plots, lang)
    (folder / markdown_name(lang)).write_text(markdown, encoding="utf-8")
    figures = {name: (folder / name).read_bytes() for name in plots}
    title = label("title", lang, name=assessment.spec.name)
    (folder / html_name(lang)).write_text(render_html(markdown, figures, lang, title), encoding="utf-8")
    return [markdown_name(lang), html_name(lang), *(["report.json"] if write_json else []), "depths.csv", *plots]


def to_json(assessment: Assessment) -> dict:
    """The whole assessment: schema version, resolved spec, every raw measurement, and the decision (with its
    English headline for machines that want one sentence)."""
    data = json.loads(json.dumps(assessment.to_dict(), default=str))
    decision = assessment.recommendation
    data["recommendation"] = {"headline": headline(decision, "en"), **data["recommendation"]}
    return _strict(data)


def json_text(assessment: Assessment) -> str:
    """report.json's text: strict JSON (no NaN), indented, UTF-8 as written."""
    return json.dumps(to_json(assessment), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _strict(value):
    """The value with every NaN or infinity replaced by null (a missing figure), so that strict JSON readers
    (JavaScript's JSON.parse, jq, Go) accept report.json."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict(item) for item in value]
    return value
