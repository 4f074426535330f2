"""The pipeline: spec -> bounds -> plan -> probe training (the depth search) -> cost measurement -> decision.

`assess` returns one `Assessment` (result/assessment.py), which every renderer reads and which round-trips
through JSON, so a saved result (`load_assessment`) can be re-rendered without training anything. Finished
probes are cached on disk, keyed by everything that decides their outcome, so an interrupted or re-budgeted
run retrains nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import time
from pathlib import Path

from feasibility.decide.recommend import recommend
from feasibility.errors import MeasurementError, UsageError, control_characters_in
from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import plan_job
from feasibility.plan.probe_plan import ProbePlan, make_plan
from feasibility.result.assessment import SCHEMA_VERSION, Assessment, Comparison, Views, depth_rows, inside_view
from feasibility.result.context import LatencyFit
from feasibility.result.costs import BatchingCurve, DepthCost, FlopFigures, LatencyFigures, MemoryFigures, MoneyFigures
from feasibility.result.probes import DepthVerdict, ProbeRun
from feasibility.result.spec import SavedPlan, SavedSpec
from feasibility.run.cache import check_writable, code_version, default_folder, read_entry, write_atomic
from feasibility.run.cache import key as cache_key
from feasibility.run.search import DepthSearch, Events, run_searches
from feasibility.spec.task import TaskSpec

MAX_RESULT_BYTES = 32_000_000  # a report.json of six depths with curves is a few MB; far below a laptop's memory when parsed
MAX_RESULT_NESTING = 12  # report.json nests 6 levels deep (probes[i].curve[j].head_scores.chain[seed][layer])
MAX_SAVED_SEEDS = 10  # as probe.seeds allows


def settle(assessment: Assessment) -> Assessment:
    """Decide once, render many: derive the recommendation and the views every renderer reads (the depth rows,
    the depth whose probe is shown inside, its heads' emergence and the steps its hop counts were learned)
    from the measurements, and store them in the assessment. Called when `assess` ends and when a saved result is loaded (so a re-render speaks with the
    current wording); after changing measurements in place, call it again. The latency steadiness travels in
    the recommendation, which needs it for its risks."""
    from feasibility.result.inside import explained_run

    a = assessment
    a.recommendation = recommend(a.spec, a.bounds, a.plan, a.verdicts, a.probes, a.costs, a.latency_fit, a.environment, a.join)
    shown = explained_run(a.probes, a.recommendation)
    inside = inside_view(shown, a.spec.task.hops, a.spec.requirements.accuracy) if shown else None
    a.views = Views(depth_rows=depth_rows(a), shown=shown, inside=inside)
    return a


def load_assessment(path: Path) -> Assessment:
    """Read a saved report.json back into an Assessment; a clear UsageError when it is not one."""

    give = "give the report.json written by `feasibility assess`"
    try:
        if Path(path).exists() and not Path(path).is_file():
            raise UsageError(f"{path}: not a regular file (a folder, a pipe or a device?); {give}")
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_RESULT_BYTES + 1)
        if len(raw) > MAX_RESULT_BYTES:
            raise UsageError(f"{path}: larger than {MAX_RESULT_BYTES:,} bytes, which no result is; {give}")
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; {give}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a readable JSON result ({error}); {give}") from None
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply to be a result; {give}") from None
    if nesting_of(data, MAX_RESULT_NESTING) > MAX_RESULT_NESTING:  # before anything walks it
        raise UsageError(f"{path}: nested deeper than {MAX_RESULT_NESTING} levels, which no result is; {give}")
    escaped = control_characters_in(data)
    if escaped is not None:  # it would reach the terminal (a window title, a cleared screen) and every report
        raise UsageError(f"{path}: {escaped}: holds a control character, which no result written by feasibility holds; {give}")
    found = data.get("schema_version") if isinstance(data, dict) else None
    if found == 1 and not isinstance(found, bool):
        raise UsageError(
            f"{path}: saved by feasibility 0.1, whose verdict judged links one lookup short of the question; "
            "re-run `feasibility assess` to judge the question itself"
        )
    if found != SCHEMA_VERSION or isinstance(found, bool):
        raise UsageError(f"{path}: schema_version must be {SCHEMA_VERSION}, got {found!r}; re-run `feasibility assess` with this version")
    try:
        _check_saved_figures(path, data)
        return settle(Assessment.from_dict(data))
    except KeyError as error:  # a key every result holds: damaged, or written by a development build of another shape
        raise UsageError(f"{path}: incomplete or from another version of feasibility (missing {error}); re-run `feasibility assess`") from None
    except (TypeError, ValueError, AttributeError, IndexError, RecursionError) as error:
        raise UsageError(f"{path}: not a feasibility result ({error})") from None


def _check_saved_figures(path: Path, data: dict) -> None:
    """Refuse a saved result whose task is not a valid task (hops 0, a NaN target, a word for a number) or whose
    decisive figures are not numbers (a NaN latency would read "p95 nan ms exceeds the budget"), naming the key."""
    import math
    import re

    from feasibility.errors import SpecError
    from feasibility.spec.task import validate

    rerun = "re-run `feasibility assess` (or restore the file it wrote)"
    spec = data.get("spec")
    if not isinstance(spec, dict):
        raise UsageError(f"{path}: spec: missing or not a mapping; {rerun}")
    try:
        validate({key: value for key, value in spec.items() if key != "source"}, str(path))
    except SpecError as error:
        first = error.problems[0]
        raise UsageError(f"{path}: spec.{first.key}: {first.message}; {rerun}") from None

    def finite(value) -> bool:
        return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))

    for index, cost in enumerate(data.get("costs") or []):
        latency = cost.get("latency") if isinstance(cost, dict) else None
        for key, value in latency.items() if isinstance(latency, dict) else ():
            if re.fullmatch(r"p\d+_ms", key) and not finite(value):  # the percentiles the decision reads
                raise UsageError(f"{path}: costs[{index}].latency.{key}: must be a number of milliseconds, got {value!r}; {rerun}")
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            if isinstance(latency, dict) and latency.get(key) is None:
                raise UsageError(f"{path}: costs[{index}].latency.{key}: missing (every result holds the p50, p95 and p99 latency); {rerun}")
    for index, verdict in enumerate(data.get("verdicts") or []):
        for key in ("accuracy", "lower_bound", "full_length_accuracy", "full_length_lower_bound", "chance"):
            if isinstance(verdict, dict) and not finite(verdict.get(key)):
                raise UsageError(f"{path}: verdicts[{index}].{key}: must be a fraction between 0 and 1, got {verdict.get(key)!r}; {rerun}")
    _check_saved_depths(path, data, rerun)
    for index, run in enumerate(data.get("probes") or []):
        _check_saved_run(path, f"probes[{index}]", run, rerun)


def keep_result(assessment: Assessment) -> Path | None:
    """Save `assessment` where `feasibility report` can render it later, for when its report could not be written:
    `<cache folder>/results/report-<when it was made>.json`, else the same name in the temporary folder; the path,
    or None where neither could be written."""
    import tempfile

    from feasibility.files import write_file
    from feasibility.reports.outputs import json_text

    stamp = "".join(ch for ch in str(assessment.created) if ch.isdigit())[:14] or str(os.getpid())
    for place in (default_folder() / "results", Path(tempfile.gettempdir())):
        kept = place / f"report-{stamp}.json"
        try:
            place.mkdir(parents=True, exist_ok=True)
            write_file(kept, json_text(assessment))
        except OSError:
            continue
        return kept
    return None


def nesting_of(value, limit: int) -> int:
    """How many levels of lists and mappings `value` holds, counted level by level (no recursion), given up past `limit`."""
    deepest, level = 0, [value] if isinstance(value, (dict, list)) else []
    while level and deepest <= limit:
        deepest += 1
        level = [item for current in level for item in (current.values() if isinstance(current, dict) else current) if isinstance(item, (dict, list))]
    return deepest


def _check_saved_run(path: Path, where: str, run, rerun: str) -> None:
    """Refuse a probe whose parts the renderers index or draw are not of the shape `assess` writes: seeds, the
    curve's per-seed figures and the attention example (a square pattern per head over its tokens, chain positions
    inside them). A crafted 'x' there once raised an IndexError; 300 x 300 heads or a million positions stalled."""

    def refuse(key: str, what: str) -> None:
        raise UsageError(f"{path}: {where}.{key}: {what}; {rerun}")

    def number(value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

    if not isinstance(run, dict):
        refuse("", "must be a mapping")
    seeds = run.get("seeds")
    if not isinstance(seeds, list) or not 1 <= len(seeds) <= MAX_SAVED_SEEDS:
        refuse("seeds", f"must be a list of 1 to {MAX_SAVED_SEEDS} seeds")
    for index, point in enumerate(run.get("curve") or []):
        accuracy = point.get("query_accuracy") if isinstance(point, dict) else None
        if not isinstance(accuracy, list) or len(accuracy) != len(seeds) or not all(number(a) for a in accuracy):
            refuse(f"curve[{index}].query_accuracy", f"must be one fraction per seed ({len(seeds)})")
    example = run.get("attention_example")
    if example is None:
        return
    tokens = example.get("tokens") if isinstance(example, dict) else None
    if not isinstance(tokens, list) or not 1 <= len(tokens) <= 4096:
        refuse("attention_example.tokens", "must be the example's tokens, at most 4,096")
    size, depth = len(tokens), (run.get("config") or {}).get("depth")
    chain = example.get("chain_positions")
    if not isinstance(chain, list) or len(chain) > size or not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p < size for p in chain):
        refuse("attention_example.chain_positions", f"must be positions among its {size} tokens")
    patterns = example.get("patterns")
    if not isinstance(patterns, list) or len(patterns) != depth:
        refuse("attention_example.patterns", f"must hold one layer per layer of the probe ({depth})")
    for layer in patterns:
        if not isinstance(layer, list) or not 1 <= len(layer) <= 64 or not all(isinstance(head, list) and len(head) == size and all(isinstance(row, list) and len(row) == size and all(number(v) for v in row) for row in head) for head in layer):
            refuse("attention_example.patterns", f"must be 1 to 64 heads per layer, each {size} x {size} numbers")


def _check_saved_depths(path: Path, data: dict, rerun: str) -> None:
    """Refuse a depth that is not a whole number of layers a run could have trained: a depth becomes part of a file
    name (curves-depth-N.png) and a loop bound, so "1/../../x" or 10**6 must never get that far."""
    from feasibility.spec.task import MAX_DEPTH

    def layers(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DEPTH

    places = [(f"probes[{i}].config.depth", (run.get("config") or {}).get("depth") if isinstance(run, dict) else None) for i, run in enumerate(data.get("probes") or [])]
    places += [(f"{part}[{i}].depth", item.get("depth") if isinstance(item, dict) else None) for part in ("verdicts", "costs") for i, item in enumerate(data.get(part) or [])]
    for key, value in places:
        if not layers(value):
            raise UsageError(f"{path}: {key}: must be a whole number of layers from 1 to {MAX_DEPTH}, got {value!r}; {rerun}")


def choose_probe_length(plan: ProbePlan, events: Events, cache: Path | None, device: str = "cpu") -> ProbePlan:
    """With `probe.sequence_length: auto`, the longest candidate length whose steps fit the time budget here
    (`probe_plan.choose_length`, step times measured at the deepest planned depth). The choice is cached per machine,
    so a rerun probes the same length and finds its finished probes."""
    import platform

    from feasibility.plan.probe_plan import choose_length
    from feasibility.probes.train import seconds_per_step

    if not plan.length_candidates:
        return plan
    machine = [platform.node(), platform.machine(), os.cpu_count(), device]
    key = cache_key({"plan": {k: v for k, v in plan.to_dict().items() if k not in ("probe_sequence_length", "length_choice")}, "machine": machine, "code": code_version()})
    path = cache / f"length-{key}.json" if cache else None
    choice = read_entry(path, lambda data: isinstance(data, dict) and data.get("chosen") in plan.length_candidates, events.stage) if path else None
    if choice is not None:
        return plan.with_length(choice["chosen"], choice)
    events.stage(f"timing training steps at {', '.join(str(n) for n in plan.length_candidates)} tokens to choose the probe length")
    deepest = max(plan.depths)
    chosen = choose_length(plan, lambda length: seconds_per_step(plan_job(plan, deepest, device, length)))
    if path:
        write_atomic(path, {**chosen.length_choice, "chosen": chosen.probe_sequence_length})
    return chosen


def _training_compute(run: ProbeRun, plan: ProbePlan) -> dict:
    """MACs and FLOPs spent training and evaluating one depth's probes, from fvcore's count of one probe forward
    pass at each length evaluated."""
    import torch

    from feasibility.costs.measure import fvcore_macs, training_macs
    from feasibility.probes.model import ProbeModel

    config = run.config
    model = ProbeModel(config).eval()

    def forward(length: int) -> int:
        tokens = torch.zeros(1, 1, length, dtype=torch.long)
        with torch.no_grad():
            model(tokens)  # builds the position tables for this length first, so the count holds the model alone
        return fvcore_macs(model, (tokens,))[0]

    seed = run.seeds[0]
    evaluated = [(forward(config.sequence_length), len(run.curve) * seed.check.questions + seed.verdict_set.questions)]
    if seed.full_length:
        evaluated.append((forward(seed.full_length.length), seed.full_length.questions))
    return training_macs(forward(config.sequence_length), run.steps, plan.batch_size, len(plan.seeds), evaluated)


def probe_depths(plan: ProbePlan, events: Events, cache: Path | None, device: str = "cpu", executor=None) -> tuple[list[ProbeRun], list[DepthVerdict]]:
    """Train the planned depths shallow to deep (one `DepthSearch`) on `executor` (default: this process); a
    job that failed on every attempt ends the run with its reason."""
    from feasibility.run.executors import LocalExecutor

    search = DepthSearch(plan, device)
    run_searches([search], executor or LocalExecutor(), cache, events)
    if search.error:
        raise MeasurementError(f"training failed: {search.error}")
    runs = [dataclasses.replace(run, training_compute=_training_compute(run, plan)) for run in search.runs]
    return runs, search.verdicts


def measure_costs(spec: TaskSpec, depths: tuple[int, ...], device: str, events: Events) -> tuple[list[DepthCost], dict | None, dict]:
    """FLOPs, parameters, memory, latency and money for each depth at the deployment size on `device`."""
    import torch

    from feasibility.costs.analytic import DeploymentModel
    from feasibility.costs.measure import (
        count_flops,
        environment,
        fit_latency,
        measure_interleaved,
        memory_estimate,
        money,
        peak_cuda_bytes,
        prime_gpu,
        TIMING_ROUNDS,
    )

    deployment, requirements = spec.deployment, spec.requirements
    if deployment.threads:
        torch.set_num_threads(deployment.threads)
    models = {depth: DeploymentModel(depth, deployment.width, deployment.heads, deployment.vocab_size, spec.task.sequence_length) for depth in depths}
    prime_gpu(models[depths[0]], requirements.batch_size, deployment.dtype, device, deployment.mode)
    where = f"width {deployment.width}, length {spec.task.sequence_length}, batch {requirements.batch_size}"
    events.stage(f"timing the served model at depths {', '.join(map(str, depths))} ({where}) in {TIMING_ROUNDS} rounds over the depths")
    latencies = measure_interleaved(models, requirements.batch_size, deployment.dtype, device, deployment.mode)  # see there
    costs = []
    for depth, model in models.items():
        events.stage(f"counting FLOPs and memory of depth {depth}")
        flops = count_flops(model, batch=1)
        latency = latencies[depth].summary()
        memory = memory_estimate(model, flops.parameters, requirements.batch_size, deployment.dtype)
        if device == "cuda":
            memory.update(peak_request_bytes=peak_cuda_bytes(model, requirements.batch_size, deployment.dtype), peak_request_is_estimate=False)
        counted = FlopFigures(
            macs_per_request=flops.macs, flops_per_request=flops.flops, by_part_macs=flops.by_part, analytic_macs=flops.analytic_macs,
            served_counter_macs=flops.served_counter_macs, counter_disagreements=flops.disagreements, parameters=flops.parameters,
            causal_attention=flops.causal_attention, counter=flops.counter, output_head="at the answer position only",
        )
        paid = money(latency["p50_ms"], requirements.batch_size, deployment.cost_per_device_hour, deployment.requests_per_day)
        costs.append(DepthCost(depth=depth, flops=counted, latency=LatencyFigures.from_dict(latency), memory=MemoryFigures.from_dict(memory), money=MoneyFigures.from_dict(paid)))
    fit = None
    if len(depths) >= 2:
        intercept, slope = fit_latency(list(depths), [c.latency.at(requirements.latency_percentile) for c in costs])
        fit = LatencyFit(intercept_ms=intercept, slope_ms_per_layer=slope, percentile=requirements.latency_percentile)
    return costs, fit, environment(device, deployment.dtype)


def measure_batching(spec: TaskSpec, verdicts: list[DepthVerdict], device: str, events: Events) -> dict:
    """Latency and throughput against batch size (measure.batch_curve) at the shallowest depth that learned (else
    the deepest planned one), up to the requested batch and beyond while batching still buys throughput."""
    from feasibility.costs.analytic import DeploymentModel
    from feasibility.costs.measure import batch_curve

    learned = [v.depth for v in verdicts if v.verdict == "learned"]
    depth = min(learned) if learned else max(v.depth for v in verdicts)
    d = spec.deployment
    model = DeploymentModel(depth, d.width, d.heads, d.vocab_size, spec.task.sequence_length)
    batch = spec.requirements.batch_size
    sizes = "from 1 upwards" if batch == 1 else f"1 to {batch} and beyond"
    events.stage(f"timing depth {depth} at batch sizes {sizes}, while batching still buys throughput")
    points = batch_curve(model, spec.requirements.batch_size, d.dtype, device, d.mode)
    return BatchingCurve(depth=depth, requested_batch=spec.requirements.batch_size, points=points, how="p50 and p95 of the served model per batch; throughput = batch / p50")


def too_large_here(spec: TaskSpec, device: str, plan: ProbePlan | None = None) -> str | None:
    """Why the deepest planned deployment model cannot be built and timed on `device` here, or None (no torch
    import for the CPU, so `validate` can ask too). `plan`: the spec's plan where it is made already."""
    from feasibility.costs.measure import deployment_too_large

    plan = plan or make_plan(spec, depth_bounds(spec.task.hops))
    return deployment_too_large(spec, max(plan.depths), device)

def assess(
    spec: TaskSpec,
    events: Events | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    compare_curriculum: bool = False,
    train_device: str = "auto",
    executor=None,
) -> Assessment:
    """Run every stage for `spec` and return the result object the reports render. Probes train on
    `train_device` ("auto": a GPU where torch sees one, or where the executor's cluster has one) through
    `executor` (default: this process); costs are measured here, on `spec.deployment.device`."""
    from feasibility.run.executors import LocalExecutor

    events = events or Events()
    executor = executor or LocalExecutor()
    cache = (cache_dir or default_folder()) if use_cache else None
    started = time.perf_counter()
    bounds = depth_bounds(spec.task.hops)
    planned = make_plan(spec, bounds)
    device, trains_on = check_before_training(spec, planned, executor, train_device, cache)
    plan = choose_probe_length(planned, events, cache, trains_on)
    if plan.shortened:
        events.stage(f"training at {plan.probe_sequence_length} tokens, the longest that fits the time budget here; judging at {plan.task_sequence_length} too")
    runs, verdicts = probe_depths(plan, events, cache, trains_on, executor)
    comparison = _curriculum_comparison(plan, runs, events, cache, trains_on, executor) if compare_curriculum else None
    timings = {"probes": time.perf_counter() - started}
    measured = time.perf_counter()
    costs, fit, env = measure_costs(spec, plan.depths, device, events)
    batching = measure_batching(spec, verdicts, device, events)
    join = _join_cost(spec, events) if spec.task.records == "structured" else None
    timings["costs"] = time.perf_counter() - measured
    assessment = Assessment(
        spec=SavedSpec.from_dict(spec.to_dict()),
        bounds=bounds,
        plan=SavedPlan.from_dict(plan.to_dict()),
        probes=runs,
        verdicts=verdicts,
        costs=costs,
        latency_fit=fit,
        environment=dataclasses.replace(env, train_device=trains_on),
        recommendation=None,
        timings_s=timings,
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        curriculum_comparison=comparison,
        join=join,
        batching=batching,
    )
    settle(assessment)
    timings["total"] = time.perf_counter() - started
    return assessment


def check_before_training(spec: TaskSpec, plan: ProbePlan, executor, train_device: str, cache: Path | None) -> tuple[str, str]:
    """What could fail after minutes of training fails now: a missing GPU, a timing mode the device cannot run, a
    cache folder that cannot be written, a deployment too large to build here. Returns the device costs are
    measured on and the one probes train on."""
    from feasibility.costs.measure import check_mode, resolve_device

    device = resolve_device(spec.deployment.device)
    trains_on = executor.train_device(train_device)
    check_mode(spec.deployment.mode, device)
    if cache:
        check_writable(cache)
    reason = too_large_here(spec, device, plan)
    if reason:
        raise UsageError(reason)
    return device, trains_on


def _curriculum_comparison(plan: ProbePlan, runs: list[ProbeRun], events: Events, cache: Path | None, device: str, executor) -> Comparison:
    """The depths just trained, trained again with the implicit curriculum switched (`assess --compare-curriculum`)."""
    switched = dataclasses.replace(plan, curriculum=not plan.curriculum, depths=tuple(run.depth for run in runs))
    events.stage(f"training the same depths {'without' if plan.curriculum else 'with'} the implicit curriculum, for comparison")
    other_runs, other_verdicts = probe_depths(switched, events, cache, device, executor)
    return Comparison(switched.curriculum, other_runs, other_verdicts)


def _join_cost(spec: TaskSpec, events: Events):
    """Where the records are structured: what answering with a join of the hops' lookups costs here."""
    from feasibility.costs.measure import join_cost

    events.stage(f"timing a join of {spec.task.hops} lookups over one record, the answer without a model")
    return join_cost(spec.task.sequence_length, spec.task.hops, spec.deployment.cost_per_device_hour)