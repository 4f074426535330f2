"""The command line: parse, call one library function, render. The only module that prints or imports typer.

Library errors (subclasses of FeasibilityError) become one clear message on stderr and their exit code,
never a traceback. Results go to stdout, progress to stderr.
"""

from __future__ import annotations

import os
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from rich.console import Console

from feasibility.errors import FeasibilityError, SpecError, UsageError, printable
from feasibility.run.executors import EXECUTORS
from feasibility.vocabulary import DEVICES, MODES
from feasibility.reports.words import LANGUAGES

app = typer.Typer(
    add_completion=True,
    pretty_exceptions_show_locals=False,  # an unexpected error's traceback must not print file contents and paths
    invoke_without_command=True,  # bare `feasibility` shows the help and exits 0 (no_args_is_help exits 2)
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Can a transformer do your multi-step retrieval task, how deep must it be, and what does that depth cost?",
)
profiles_app = typer.Typer(invoke_without_command=True, pretty_exceptions_show_locals=False, context_settings={"help_option_names": ["-h", "--help"]}, help="The bundled task profiles for manufacturing use cases.")


def _help_when_bare(ctx: typer.Context) -> None:
    """A command group asked for nothing (`feasibility profiles`, `feasibility cache`): its help, and exit 0."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


profiles_app.callback()(_help_when_bare)


def _version(value: bool) -> None:
    if value:
        from feasibility import __version__

        stdout.print(f"feasibility {__version__}", highlight=False, markup=False)
        raise typer.Exit()


@app.callback()
def _main(ctx: typer.Context, version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")) -> None:
    """Can a transformer do your multi-step retrieval task, how deep must it be, and what does that depth cost?"""
    _help_when_bare(ctx)  # asked for nothing: the help is the answer


app.add_typer(profiles_app, name="profiles")
cache_app = typer.Typer(invoke_without_command=True, pretty_exceptions_show_locals=False, context_settings={"help_option_names": ["-h", "--help"]}, help="The probe cache: see what it holds, reclaim its space.")
cache_app.callback()(_help_when_bare)
app.add_typer(cache_app, name="cache")

# Piped into a file or a log, rich would wrap at 80 columns, too narrow for the depth table of a 4-hop task
# (and for Japanese headings); a terminal or $COLUMNS sets the width as usual.
stdout = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120)
# Piped into a log, stderr keeps each message on one line: rich would break it at 80 columns (mid-phrase in Japanese).
stderr = Console(stderr=True, soft_wrap=not sys.stderr.isatty())


MAX_PROBLEMS_SHOWN = 50


def _fail(error: FeasibilityError) -> None:
    """Every library error is worded here, once: each problem on its own line, settings named as this CLI's flags."""
    problems = error.problems if isinstance(error, SpecError) else [error.worded(_flag)]
    if len(problems) > MAX_PROBLEMS_SHOWN:  # a file of 100,000 unknown keys is one mistake, not 100,000 lines
        problems = [*problems[:MAX_PROBLEMS_SHOWN], f"... and {len(problems) - MAX_PROBLEMS_SHOWN:,} more problems like these"]
    for problem in problems:  # quoted keys and names come from untrusted files: their control characters are escaped
        stderr.print(f"error: {printable(str(problem))}", style="red", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def _flag(setting: str) -> str:
    """The command-line flag of a library setting: cpus_per_job -> --cpus-per-job."""
    return "--" + setting.replace("_", "-")


EXECUTOR_HELP = "Where probe jobs run: local (this process) or ray (tasks on a Ray cluster; needs the ray extra)."
ADDRESS_HELP = 'With --executor ray: the cluster to use ("auto" for the one `ray start --head` started here, or HOST:6379) [default: start Ray in this process].'

# The options `assess` and `plan` share, declared once (typer reads them from the annotation).
TaskFile = Annotated[Path, typer.Argument(metavar="SPEC", help="The task file (YAML).")]
DepthsOption = Annotated[Optional[str], typer.Option("--depths", help='Depths to probe, e.g. "1,2,3" (overrides probe.depths).')]
SeedsOption = Annotated[Optional[int], typer.Option("--seeds", help="Seeds per depth (overrides probe.seeds).")]
TimeBudgetOption = Annotated[Optional[float], typer.Option("--time-budget", help="Training seconds per depth (overrides probe.time_budget_s).")]
MAX_CPUS_PER_JOB = 1024  # more than any machine Ray schedules on; a larger number is a typo, refused at once
CPUS_HELP = "Threads each probe job trains with (and, on Ray, the CPUs it asks for) [default: the cores other processes leave free here, or the cluster's]."
NO_DECISION_EXIT = 3  # `assess --strict`: the run finished, but without a depth that holds at the task's length


@contextmanager
def _closing(executor):
    """Run a job-handing command: its executor is closed however it ends (Ray's tasks cancelled, a Ray started
    here shut down); a library error is one line, Ctrl-C says what was kept (typer would otherwise turn it
    into a silent exit 130 before `main` sees it)."""
    try:
        yield
    except FeasibilityError as error:
        _fail(error)
    except KeyboardInterrupt:
        stderr.print(INTERRUPTED, highlight=False)
        raise typer.Exit(130) from None
    finally:
        executor.close()


def _executor(name: str, address: Optional[str], cpus_per_job: Optional[int]):
    from feasibility.run.executors import make_executor

    try:
        return make_executor(name, address, cpus_per_job)
    except FeasibilityError as error:
        _fail(error)


def _probe_overrides(depths: Optional[str], seeds: Optional[int], time_budget: Optional[float]) -> dict:
    """The task-file keys that --depths, --seeds and --time-budget override (None: as written)."""
    return {"probe.depths": _depths_option(depths), "probe.seeds": seeds, "probe.time_budget_s": time_budget}


def _depths_option(value: Optional[str]) -> Optional[list[int]]:
    if value is None or value == "auto":
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f'expected "auto" or depths separated by commas such as "1,2,3", got "{value}"') from None


@app.command()
def assess(
    task_file: TaskFile,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for report.md and report.json [default: SPEC's name + '-report']."),
    depths: DepthsOption = None,
    seeds: SeedsOption = None,
    time_budget: TimeBudgetOption = None,
    latency_ms: Optional[float] = typer.Option(None, "--latency-ms", help="Latency budget (overrides requirements.latency_ms)."),
    device: Optional[str] = typer.Option(None, "--device", click_type=click.Choice(DEVICES), help='Where latency and memory are measured: auto, cpu or cuda (overrides deployment.device).'),
    train_device: str = typer.Option("auto", "--train-device", click_type=click.Choice(DEVICES), help="Where the probes train: auto (a GPU where torch sees one, else the CPU), cpu or cuda."),
    mode: Optional[str] = typer.Option(None, "--mode", click_type=click.Choice(MODES), help='How latency is timed: eager or cuda-graph (overrides deployment.mode).'),
    no_cache: bool = typer.Option(False, "--no-cache", help="Retrain every probe instead of reusing finished ones."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Where finished probes are kept [default: ~/.cache/feasibility]."),
    lang: str = typer.Option("en", "--lang", click_type=click.Choice(LANGUAGES), help='Language of the terminal and Markdown reports: "en" or "ja" (report.ja.md).'),
    compare_curriculum: bool = typer.Option(False, "--compare-curriculum", help="Also train the same depths with the implicit curriculum switched off, and report both side by side (about doubles training time)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result (report.json) to stdout for scripts, instead of the summary."),
    force: bool = typer.Option(False, "--force", help="Replace the report an earlier run left in --out."),
    executor_name: str = typer.Option("local", "--executor", click_type=click.Choice(EXECUTORS), help=EXECUTOR_HELP),
    address: Optional[str] = typer.Option(None, "--address", help=ADDRESS_HELP),
    cpus_per_job: Optional[int] = typer.Option(None, "--cpus-per-job", min=1, max=MAX_CPUS_PER_JOB, help=CPUS_HELP),
    strict: bool = typer.Option(False, "--strict", help=f"For scripts: exit with code {NO_DECISION_EXIT} unless the decision is \"use N layers\", which holds at the task's own length (the report is written either way)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Train nothing: say what assess would do and how long it could take (as `feasibility plan`)."),
) -> None:
    """Train probes, measure costs and recommend a depth; write report.md and report.json."""
    from feasibility.spec.task import load_spec


    overrides = {**_probe_overrides(depths, seeds, time_budget), "requirements.latency_ms": latency_ms, "deployment.device": device, "deployment.mode": mode}
    if str(task_file) == "-":
        _fail(UsageError("assess reads its task from a file (its name names the report folder); save it, or check it with `feasibility validate -`"))
    try:
        spec = load_spec(task_file, overrides)
    except FeasibilityError as error:
        _fail(error)
    if dry_run:
        _show_plan(spec, cache_dir, no_cache, train_device, lang, as_json, _executor(executor_name, address, cpus_per_job))
        return
    out = out or Path(f"{task_file.stem}-report")
    if out.exists() and not out.is_dir():
        _fail(UsageError(f"--out {out}: exists and is not a folder; give a folder path"))
    _check_earlier_report(out, force)  # before minutes of training, not after

    from feasibility.run.pipeline import assess as run_assessment
    from feasibility.reports.outputs import write_outputs

    executor = _executor(executor_name, address, cpus_per_job)
    with _closing(executor), _progress() as events:  # the bars stop before an interruption is explained, so it is said last
        result = run_assessment(spec, events=events, cache_dir=cache_dir, use_cache=not no_cache, compare_curriculum=compare_curriculum, train_device=train_device, executor=executor)
    try:
        files = write_outputs(result, out, lang, replace=force)
    except (OSError, FeasibilityError) as error:
        _keep_result(result, out, error)
    _show(result, files, lang, as_json)
    if strict and result.recommendation.decision != "recommended":
        stderr.print(f"--strict: the decision is {result.recommendation.decision!r}, not a depth that holds at the task's length; exit {NO_DECISION_EXIT}", highlight=False, markup=False)
        raise typer.Exit(NO_DECISION_EXIT)


@app.command()
def plan(
    task_file: TaskFile,
    depths: DepthsOption = None,
    seeds: SeedsOption = None,
    time_budget: TimeBudgetOption = None,
    train_device: str = typer.Option("auto", "--train-device", click_type=click.Choice(DEVICES), help="Where the probes would train: auto, cpu or cuda."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Plan as `assess --no-cache` would: every probe trains."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="The probe cache to look in [default: ~/.cache/feasibility]."),
    lang: str = typer.Option("en", "--lang", click_type=click.Choice(LANGUAGES), help='Language: "en" or "ja".'),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON to stdout for scripts."),
) -> None:
    """Know before you wait: the depths assess would probe, the probe length auto chooses, where and on how many
    threads the probes train, what the cache already holds, and the longest the training could take (from a few
    timed steps). Trains nothing."""
    from feasibility.spec.task import load_spec

    try:
        spec = load_spec(task_file, _probe_overrides(depths, seeds, time_budget))
    except FeasibilityError as error:
        _fail(error)
    _show_plan(spec, cache_dir, no_cache, train_device, lang, as_json)


def _show_plan(spec, cache_dir: Optional[Path], no_cache: bool, train_device: str, lang: str, as_json: bool, executor=None) -> None:
    import json

    from feasibility.reports.terminal import plan_view
    from feasibility.run.preview import preview
    from feasibility.run.search import Events

    executor = executor or _executor("local", None, None)
    events = Events(stage=lambda message: stderr.print(message, highlight=False, markup=False))
    with _closing(executor):
        planned = preview(spec, cache_dir=cache_dir, use_cache=not no_cache, train_device=train_device, executor=executor, events=events)
    if as_json:
        sys.stdout.write(json.dumps(planned.to_dict(), indent=2) + "\n")
    else:
        _print(stdout, plan_view(planned, stdout.is_terminal, lang))


@app.command()
def report(
    result_file: Path = typer.Argument(..., metavar="RESULT", help="A report.json written by `feasibility assess`."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the re-rendered files [default: RESULT's folder]."),
    lang: str = typer.Option("en", "--lang", click_type=click.Choice(LANGUAGES), help='Language of the terminal and Markdown reports: "en" or "ja" (report.ja.md).'),
    as_json: bool = typer.Option(False, "--json", help="Print the result (report.json) to stdout for scripts, instead of the summary."),
    force: bool = typer.Option(False, "--force", help="Replace another run's report in --out."),
) -> None:
    """Re-render every output from a saved result, without training or measuring anything."""
    from feasibility.run.pipeline import load_assessment
    from feasibility.reports.outputs import holds_this_run, write_outputs

    folder = out or result_file.parent
    if folder.exists() and not folder.is_dir():
        _fail(UsageError(f"--out {folder}: exists and is not a folder; give a folder path"))
    with _reading(result_file):
        result = load_assessment(result_file)
        if as_json and out is None:  # a script asked for the result on stdout: no files strewn beside it
            _show(result, [], lang, as_json)
            return
        # A folder whose report.json is this very file, or holds an earlier rendering of this very run, is its own
        # to re-render into; another run's report is replaced only with --force, even in the result's own folder.
        own = _same_file(folder / "report.json", result_file) or holds_this_run(folder, result)
        if not own:
            _check_earlier_report(folder, force)
        try:
            files = write_outputs(result, folder, lang, keep=result_file, replace=force and not own)
        except OSError as error:
            _fail(UsageError(f"--out {folder}: cannot write there ({error.strerror or error}); give another folder"))
    _show(result, files, lang, as_json)


def _show(result, files: list[str], lang: str, as_json: bool) -> None:
    """The summary (or, with --json, the result as JSON) on stdout; warnings and the files written on stderr."""
    from feasibility.reports.outputs import json_text
    from feasibility.reports.terminal import notes, summary

    if as_json:
        sys.stdout.write(json_text(result))
    else:
        _print(stdout, summary(result, stdout.is_terminal, lang, stdout.width))
    _print(stderr, notes(result, files, lang))


def _print(console: Console, renderables: list) -> None:
    for renderable in renderables:
        console.print(renderable)


@app.command()
def schema(
    out: Optional[Path] = typer.Option(None, "--out", help="Write the schema to this file instead of stdout (e.g. task.schema.json)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out file."),
    grid: bool = typer.Option(False, "--grid", help="The schema of a sweep's grid file instead of a task file's."),
) -> None:
    """Print the task file's JSON Schema (or with --grid the grid file's), for editors that complete and check YAML
    against one; each key's description shows on hover."""
    from feasibility.spec.grid import grid_json_schema
    from feasibility.spec.task import json_schema

    text = json.dumps(grid_json_schema() if grid else json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    _check_output_file(out, "--out", force)
    _write_text(out, text, "--out")
    stderr.print(f"Written: {out}", highlight=False, markup=False)


@app.command()
def compare(
    a: Path = typer.Argument(..., metavar="A", help="A report.json written by `feasibility assess`."),
    b: Path = typer.Argument(..., metavar="B", help="Another report.json, e.g. another budget, width or year."),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write the comparison as Markdown to this file."),
    lang: str = typer.Option("en", "--lang", click_type=click.Choice(LANGUAGES), help='Language: "en" or "ja".'),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out file."),
) -> None:
    """Two assessments side by side, with what changed in the decision."""
    from feasibility.run.pipeline import load_assessment
    from feasibility.result.comparison import compare as compare_results
    from feasibility.reports.compare import compare_view, render_compare_markdown

    if out:  # before any reading: a refused --out is said first
        if any(_same_file(out, given) for given in (a, b)):
            _fail(UsageError(f"--out {out}: is one of the results being compared; give another file name such as compare.md"))
        _check_output_file(out, "--out", force)
    with _reading(a, b):
        comparison = compare_results(load_assessment(a), load_assessment(b))
    _print(stdout, compare_view(comparison, stdout.is_terminal, lang))
    if out:
        _write_text(out, render_compare_markdown(comparison, lang), "--out")
        stdout.print(f"Written: {out}", highlight=False, markup=False)


@app.command()
def explain(
    result_file: Path = typer.Argument(..., metavar="RESULT", help="A report.json written by `feasibility assess`."),
    depth: Optional[int] = typer.Option(None, "--depth", help="Which trained probe to show [default: the recommended depth, else the shallowest that learned, else the deepest]."),
    lang: str = typer.Option("en", "--lang", click_type=click.Choice(LANGUAGES), help='Language: "en" or "ja".'),
) -> None:
    """Inside one probe: its attention on a held-out example, and when its heads emerged."""
    from feasibility.run.pipeline import load_assessment
    from feasibility.reports.terminal import explain_view

    with _reading(result_file):
        result = load_assessment(result_file)
    try:
        shown = explain_view(result, stdout.is_terminal, depth, lang)
    except FeasibilityError as error:
        _fail(error)
    _print(stdout, shown)


@app.command()
def sweep(
    grid_file: Path = typer.Argument(..., metavar="GRID", help="The grid file (YAML): a base task file and the axes to sweep (see docs/sweeps.md)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for sweep.json, sweep.csv, sweep.md, sweep.ja.md and depth-map.png [default: GRID's name + '-sweep']."),
    executor_name: str = typer.Option("local", "--executor", click_type=click.Choice(EXECUTORS), help=EXECUTOR_HELP),
    address: Optional[str] = typer.Option(None, "--address", help=ADDRESS_HELP),
    cpus_per_job: Optional[int] = typer.Option(None, "--cpus-per-job", min=1, max=MAX_CPUS_PER_JOB, help=CPUS_HELP),
    train_device: str = typer.Option("auto", "--train-device", click_type=click.Choice(DEVICES), help="Where the probes train: auto (a GPU where there is one), cpu or cuda."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Retrain every probe instead of reusing finished ones."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Where finished probes and checkpoints are kept [default: ~/.cache/feasibility]; on a cluster of several machines, a folder every machine sees."),
    force: bool = typer.Option(False, "--force", help="Replace the sweep an earlier run left in --out."),
) -> None:
    """Search the depth of every cell of a grid of tasks; write the depth map and its report."""
    from feasibility.run.cache import default_folder
    from feasibility.run.sweep import run_sweep
    from feasibility.spec.grid import load_grid
    from feasibility.reports.sweep import SWEEP_OUTPUTS, summary_lines, write_sweep

    try:
        grid, specs = load_grid(grid_file)
    except FeasibilityError as error:
        _fail(error)
    out = out or Path(f"{grid_file.stem}-sweep")
    if out.exists() and not out.is_dir():
        _fail(UsageError(f"--out {out}: exists and is not a folder; give a folder path"))
    if not force and any(os.path.lexists(out / name) for name in SWEEP_OUTPUTS):
        _fail(UsageError(f"--out {out}: holds an earlier sweep; pass --force to replace it, or choose another --out"))
    executor = _executor(executor_name, address, cpus_per_job)
    stderr.print(f"{len(specs)} cells on the {executor.name} executor ({executor.capacity} job{'s' if executor.capacity != 1 else ''} at once)", highlight=False)
    with _closing(executor), _progress() as events:  # the bars stop before an interruption is explained, so it is said last
        result = run_sweep(grid, specs, executor, None if no_cache else (cache_dir or default_folder()), train_device, events, _show_counts)
    try:
        files = write_sweep(result, out)
    except OSError as error:
        _fail(UsageError(f"--out {out}: cannot write there ({error.strerror or error}); give another folder (the finished jobs are in the cache: a rerun trains nothing)"))
    for line in summary_lines(result):
        stdout.print(line, highlight=False, markup=False)
    stdout.print(f"wrote {', '.join(str(out / name) for name in files)}", highlight=False, markup=False)


def _show_counts(counts) -> None:
    """One line of the sweep's jobs: done, running, queued, failed, and the time left for the jobs known now."""
    if not counts.last:
        return  # a job handed out: the next line says what became of it
    line = f"{counts.last}. Jobs: {counts.done} trained, {counts.cached} from cache, {counts.running} running, {counts.queued} queued, {counts.failed} failed"
    if counts.eta_s is not None and counts.in_flight:
        line += f"; about {counts.eta_s / 60:.1f} min left for these"
    stderr.print(line, highlight=False, markup=False, soft_wrap=True)


@contextmanager
def _reading(*paths: Path):
    """Turn a saved result that cannot be read or rendered into one clear message, never a traceback."""
    try:
        yield
    except FeasibilityError as error:
        _fail(error)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as error:
        names = " or ".join(str(path) for path in paths)
        _fail(UsageError(f"{names}: incomplete or from another version of feasibility (missing {error}); re-run `feasibility assess`"))


PLAIN_PROGRESS_EVERY_S = 15.0  # at most one progress line per probe this often when stderr is not a terminal


def _progress_line(event) -> str:
    """One probe's progress as words: step, the question on the running check, time spent and left."""
    parts = [f"depth {event.depth}: step {event.step:,}/{event.max_steps:,}"]
    if event.decisive_accuracy is not None:
        parts.append(f"question {event.decisive_accuracy:.1%} (check)")
    parts.append(f"{event.elapsed_s:.0f} s")
    if event.remaining_s is not None:
        parts.append(f"at most about {event.remaining_s:.0f} s left")
    return ", ".join(parts)


class _progress:
    """Progress on stderr: a bar per probe with its step, the question's accuracy on the running check and the
    time left, on a terminal; plain lines (at most one per probe every `PLAIN_PROGRESS_EVERY_S`) elsewhere, so a
    log or CI shows that the run is alive and when it will end."""

    def __enter__(self):
        import time

        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        from feasibility.run.search import Events

        terminal = stderr.is_terminal
        self.bars = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"), TimeRemainingColumn(), console=stderr, transient=False, disable=not terminal)
        self.current = None
        self.last_line = 0.0
        self.bars.start()

        def plain(message: str) -> None:
            stderr.print(message, style="dim" if terminal else None, highlight=False, markup=False)

        def started(depth: int, budget_s: float, max_steps: int) -> None:
            self.current = self.bars.add_task(f"depth {depth}", total=1.0, status="")
            if not terminal:
                plain(f"depth {depth}: training, up to {max_steps:,} steps (time cap {budget_s:g} s)")
                self.last_line = time.monotonic()

        def progress(event) -> None:
            if self.current is None:
                return
            done = max(event.step / max(1, event.max_steps), event.elapsed_s / max(1e-9, event.time_budget_s))
            status = f"step {event.step:,}/{event.max_steps:,}"
            if event.decisive_accuracy is not None:
                status += f"  question {event.decisive_accuracy:.1%} (check)"
            self.bars.update(self.current, completed=min(1.0, done), status=status)
            if not terminal and time.monotonic() - self.last_line >= PLAIN_PROGRESS_EVERY_S:
                plain(_progress_line(event))
                self.last_line = time.monotonic()

        def finished(verdict, cached: bool) -> None:  # a results.DepthVerdict
            if self.current is not None:
                self.bars.update(self.current, completed=1.0)
                self.current = None
            source = " (from cache)" if cached else ""
            plain(f"depth {verdict.depth}: {verdict.verdict.replace('_', ' ')}{source}")

        return Events(stage=plain, probe_started=started, progress=progress, probe_finished=finished)

    def __exit__(self, *exc) -> None:
        self.bars.stop()


@app.command()
def validate(task_file: Path = typer.Argument(..., metavar="SPEC", help="The task file (YAML), or - to read it from standard input.")) -> None:
    """Check a task file and print the resolved spec (defaults filled in)."""
    from feasibility.spec.task import load_spec

    try:
        spec = load_spec(task_file)
    except FeasibilityError as error:
        _fail(error)
    import yaml

    from feasibility.run.pipeline import too_large_here

    # Against this machine's memory, without torch (validate stays instant); a GPU is checked by `assess`.
    reason = None if spec.deployment.device == "cuda" else too_large_here(spec, "cpu")
    if reason:
        stderr.print(f"warning: {reason}; `assess` will refuse it here", highlight=False, markup=False)
    resolved = {k: v for k, v in spec.to_dict().items() if k != "source"}  # the output is itself a valid task file
    stdout.print(f"# {printable(spec.source)}: valid; resolved, with every default filled in:", style="green", highlight=False, markup=False, soft_wrap=True)
    stdout.print(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True).rstrip(), highlight=False, markup=False, soft_wrap=True)


@app.command()
def bounds(hops: int = typer.Option(..., "--hops", min=1, help="Number of retrieval hops D: lookups from the question to the answer.")) -> None:
    """The theoretical depth floor and ceiling for D hops, without training anything."""
    from feasibility.plan.bounds import depth_bounds

    result = depth_bounds(hops)
    from feasibility.reports.words import counted

    words = counted("en", hops=hops, lower=result.lower, upper=result.upper)
    stdout.print(f"{words['hops_text']}, a hop being one lookup: at least {words['lower_text']}, and {words['upper_text']} suffice by construction", highlight=False)
    stdout.print(f"  lower: {result.lower_formula} = {result.lower}  [{result.lower_source}]", highlight=False, markup=False)
    stdout.print(f"         {result.lower_caveat}", highlight=False, markup=False)
    stdout.print(f"  upper: {result.upper_formula} = {result.upper}  [{result.upper_source}]", highlight=False, markup=False)


def _profile_names(incomplete: str) -> list[str]:
    """Shell completion of a profile's name."""
    from feasibility.spec.profiles import profile_names

    return profile_names(incomplete)


@app.command()
def init(
    profile: Optional[str] = typer.Option(None, "--profile", autocompletion=_profile_names, help="Start from a bundled profile (see `feasibility profiles list`)."),
    output: Path = typer.Option(Path("task.yaml"), "--output", "-o", help="Where to write the task file."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter task file."""
    from feasibility.spec.profiles import profile_text, starter_text

    try:
        text = profile_text(profile) if profile else starter_text()
    except FeasibilityError as error:
        _fail(error)
    _check_output_file(output, "--output", force)
    _write_text(output, text, "--output")
    stdout.print(f"wrote {output}; check it with `feasibility validate {output}`", highlight=False, markup=False)


@profiles_app.command("list")
def profiles_list() -> None:
    """List the bundled profiles."""
    from rich.table import Table

    from feasibility.spec.profiles import list_profiles

    try:
        entries = list_profiles()
    except FeasibilityError as error:
        _fail(error)
    from rich.markup import escape

    from feasibility.reports.terminal import boxes

    table = Table(box=boxes(stdout.is_terminal))
    table.add_column("profile", no_wrap=True)
    for column in ("hops", "tokens", "latency budget", "what it is"):
        table.add_column(column)
    for entry in entries:
        table.add_row(escape(entry.name), str(entry.spec.task.hops), str(entry.spec.task.sequence_length), f"{entry.spec.requirements.latency_ms:g} ms", escape(entry.spec.description))
    stdout.print(table)


@profiles_app.command("show")
def profiles_show(name: str = typer.Argument(..., autocompletion=_profile_names, help="Profile name, as in `feasibility profiles list`.")) -> None:
    """Print one bundled profile."""
    from feasibility.spec.profiles import profile_text

    try:
        stdout.print(profile_text(name), highlight=False, markup=False)
    except FeasibilityError as error:
        _fail(error)


CACHE_DIR_HELP = "The cache folder [default: $FEASIBILITY_CACHE or ~/.cache/feasibility]."


@cache_app.command("list")
def cache_list(cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_DIR_HELP)) -> None:
    """What the probe cache holds: files and space by kind."""
    from rich.markup import escape
    from rich.table import Table

    from feasibility.reports.words import size as size_text  # the report's binary units: one formatter for every size
    from feasibility.run import cache
    from feasibility.reports.terminal import boxes

    folder = cache_dir or cache.default_folder()
    try:
        held = cache.summary(folder)
    except FeasibilityError as error:
        _fail(error)
    table = Table(title=escape(str(folder)), box=boxes(stdout.is_terminal))
    for name, justify in (("kind", "left"), ("files", "right"), ("size", "right")):
        table.add_column(name, justify=justify)
    for kind, (files, size) in held.items():
        table.add_row(kind, str(files), size_text(size))
    table.add_row("all", str(sum(f for f, _ in held.values())), size_text(sum(s for _, s in held.values())), style="bold")
    stdout.print(table)


@cache_app.command("clear")
def cache_clear(cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_DIR_HELP)) -> None:
    """Delete every cached probe, checkpoint and probe length (other files in the folder are left alone); the
    next `assess` trains again."""
    from feasibility.reports.words import size as size_text  # the report's binary units: one formatter for every size
    from feasibility.run import cache

    folder = cache_dir or cache.default_folder()
    try:
        files, size = cache.clear(folder)
    except FeasibilityError as error:
        _fail(error)
    stdout.print(f"removed {files} file{'s' if files != 1 else ''}, {size_text(size)}, from {folder}", highlight=False, markup=False)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _write_text(path: Path, text: str, option: str) -> None:
    """Write an output file (its folder made if missing) atomically, replacing a link of that name rather than writing
    through it; a failure is one line naming the option."""
    from feasibility.files import write_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text)
    except OSError as error:
        _fail(UsageError(f"{option} {path}: cannot write there ({error.strerror or error}); choose another path"))


def _check_earlier_report(folder: Path, force: bool) -> None:
    """Before any work: refuse a folder that holds another run's report (unless --force: write_outputs then removes
    it), a folder where one of the report's file names is taken by a folder, and a folder that cannot be written."""
    from feasibility.files import check_writable
    from feasibility.reports.outputs import OUTPUT_NAMES, earlier_outputs

    in_the_way = [name for name in OUTPUT_NAMES if "*" not in name and (folder / name).is_dir() and not (folder / name).is_symlink()]
    if in_the_way:
        _fail(UsageError(f"--out {folder}: {in_the_way[0]} there is a folder, where the report writes a file; move it, or give another --out"))
    found = earlier_outputs(folder)
    if found and not force:
        names = ", ".join(path.name for path in found[:4]) + (", ..." if len(found) > 4 else "")
        _fail(UsageError(f"--out {folder}: holds the report of an earlier run ({names}); pass --force to replace it, or give another --out"))
    try:
        check_writable(folder)
    except FeasibilityError as error:
        _fail(error)


def _keep_result(result, out: Path, error: Exception) -> None:
    """The report could not be written into --out after all the work: fail naming where the result is kept, so that
    `feasibility report` can render it later."""
    from feasibility.run.pipeline import keep_result

    reason = error.worded(_flag) if isinstance(error, FeasibilityError) else f"--out {out}: cannot write there ({getattr(error, 'strerror', None) or error})"
    kept = keep_result(result)
    if kept is not None:
        _fail(UsageError(f"{reason}; the result is kept in {kept}: render it with `feasibility report {kept} --out FOLDER`"))
    _fail(UsageError(f"{reason}; nothing else could be written either (the finished probes are in the cache: a rerun with another --out trains nothing)"))


def _check_output_file(path: Path, option: str, force: bool) -> None:
    """Refuse, before any work, an output file path that is a folder, lies under a file, or exists (without --force)."""
    if path.is_dir():
        _fail(UsageError(f"{option} {path}: is a folder; give a file name"))
    blocking = next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)
    if blocking is not None:
        _fail(UsageError(f"{option} {path}: {blocking} is a file, not a folder; choose another path"))
    if os.path.lexists(path) and not force:  # a dangling link counts: it is replaced, never written through
        _fail(UsageError(f"{path}: already exists; choose another {option} or pass --force"))


INTERRUPTED = "interrupted; finished probes are kept in the cache and a probe in training resumes from its last checkpoint: rerun the same command to go on"


def _terminate(signum, frame) -> None:
    """SIGTERM (a scheduler's or a `kill`'s stop) ends a run as Ctrl-C does: explained, not silent; the stack still
    unwinds, so executors close and checkpoints stay whole."""
    stderr.print(INTERRUPTED, highlight=False)
    sys.exit(143)


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except KeyboardInterrupt:
        stderr.print(INTERRUPTED, highlight=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
