"""feasibility: can a transformer do your multi-step retrieval task, how deep must it be, and what does it cost?

The Python API, for notebooks and scripts (the command line is `feasibility`; both run the same pipeline):

    import feasibility

    result = feasibility.assess("examples/task.yaml")        # a task file, or a dict of its keys
    result.recommendation.decision, result.recommendation.depth
    feasibility.depth_table(result)                           # one row per depth, as pandas.DataFrame
    feasibility.write_report(result, "example-report")       # report.md, report.json, depths.csv, figures
    again = feasibility.load("example-report/report.json")    # a saved result, decided again

A bad task raises `feasibility.errors.SpecError` (every problem, each naming its key); other refusals raise
`feasibility.errors.UsageError`. Nothing here prints. Importing the package imports no torch: each function
imports what it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

__version__ = "0.5.0"
__all__ = ["__version__", "assess", "depth_table", "load", "write_report"]

if TYPE_CHECKING:
    import pandas

    from feasibility.result.assessment import Assessment


def assess(
    task: str | Path | dict,
    *,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    train_device: str = "auto",
    on_stage: Callable[[str], None] | None = None,
) -> "Assessment":
    """Assess a task: the depth bounds, the probes trained and judged, the costs measured, the decision settled.

    `task` is a task file's path or a dict of the same keys (`feasibility init` writes a commented one). Finished
    probes are cached as with `feasibility assess` (`use_cache=False` retrains them, `cache_dir` moves the cache);
    `train_device` is "auto", "cpu" or "cuda"; `on_stage(message)` hears what the run is doing."""
    from feasibility.run.pipeline import assess as run_assessment
    from feasibility.run.search import Events
    from feasibility.spec.task import load_spec, validate

    spec = validate(task, "<dict>") if isinstance(task, dict) else load_spec(task)
    events = Events(stage=on_stage) if on_stage else None
    return run_assessment(spec, events=events, cache_dir=Path(cache_dir) if cache_dir else None, use_cache=use_cache, train_device=train_device)


def load(path: str | Path) -> "Assessment":
    """A report.json written by `assess` (or the command line), read back and decided again with this version."""
    from feasibility.run.pipeline import load_assessment

    return load_assessment(Path(path))


def depth_table(result: "Assessment") -> "pandas.DataFrame":
    """The depth table of `result`, one row per depth (the columns of depths.csv: accuracy by hop and on the
    question, its lower bound, the verdict, MACs, parameters, latency, whether it fits, training time and steps)."""
    from feasibility.reports.outputs import depth_table as table

    return table(result)


def write_report(result: "Assessment", folder: str | Path, lang: str = "en", replace: bool = False) -> list[str]:
    """Write every output of `result` into `folder` (report.json, the Markdown report in `lang`, depths.csv, the
    figures), as `feasibility report` does; a folder holding another run's report is refused unless `replace`.
    Returns the paths written."""
    from feasibility.reports.outputs import write_outputs

    return write_outputs(result, Path(folder), lang, replace=replace)
