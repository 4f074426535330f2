"""The pipeline: spec -> bounds -> plan -> probe training -> cost measurement -> recommendation.

`assess` returns one `Assessment`, which every renderer reads (training's results typed, the rest plain data)
and which round-trips through JSON, so a saved result can be re-rendered without training anything. Finished
probes are cached on disk, keyed by everything that decides their outcome, so an interrupted or re-budgeted
run retrains nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from feasibility import __version__
from feasibility.bounds import depth_bounds
from feasibility.cache import check_writable, code_version, default_folder, read_entry, write_atomic
from feasibility.cache import key as cache_key
from feasibility.errors import MeasurementError, UsageError
from feasibility.jobs import plan_job
from feasibility.plan import ProbePlan, make_plan
from feasibility.recommend import recommend
from feasibility.results import DepthVerdict, ProbeRun, judge
from feasibility.spec import TaskSpec

MAX_RESULT_BYTES = 200_000_000  # a report.json of six depths with curves is a few MB
SCHEMA_VERSION = 2  # 2: the verdict judges the question (D lookups) on fresh examples; 1 judged links one lookup short


@dataclass
class Assessment:
    """Everything one run of `assess` found. Training's results are typed (`ProbeRun`, `DepthVerdict`); the rest
    is plain data. `to_dict` and `from_dict` are the JSON edge."""

    spec: dict
    bounds: dict
    plan: dict
    probes: list[ProbeRun]  # one per trained depth
    verdicts: list[DepthVerdict]  # one per planned depth
    costs: list[dict]  # one DepthCost per planned depth
    latency_fit: dict | None
    environment: dict
    recommendation: dict
    timings_s: dict
    created: str = ""
    tool_version: str = __version__
    schema_version: int = SCHEMA_VERSION
    curriculum_comparison: Comparison | None = None  # the same depths trained with the curriculum switched
    join: dict | None = None  # where the records are structured: what answering with a join costs here (measure.join_cost)
    batching: dict | None = None  # latency and throughput against batch size at one depth (measure_batching)
    views: dict = field(default_factory=dict)  # derived once by `settle`, read by every renderer (see there)

    def to_dict(self) -> dict:
        comparison = self.curriculum_comparison
        typed = {
            "probes": [run.to_dict() for run in self.probes],
            "verdicts": [asdict(v) for v in self.verdicts],
            "curriculum_comparison": comparison.to_dict() if comparison else None,
        }
        return {f.name: typed[f.name] if f.name in typed else copy.deepcopy(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "Assessment":
        fields = {k: v for k, v in data.items() if k != "views"}  # views are derived again: see `settle`
        comparison = fields.get("curriculum_comparison")
        fields.update(
            probes=[ProbeRun.from_dict(run) for run in fields["probes"]],
            verdicts=[DepthVerdict(**v) for v in fields["verdicts"]],
            curriculum_comparison=Comparison.from_dict(comparison) if comparison is not None else None,
        )
        return cls(**fields)

    def shown_run(self) -> ProbeRun | None:
        """The probe whose inside the report shows, as chosen by `settle`."""
        return next((run for run in self.probes if run.depth == self.views["explained_depth"]), None)

    def inside(self, run: ProbeRun) -> dict:
        """What the report says of a probe's inside ({"emergence": rows, "hops_learned": {hop: step}}): derived
        once by `settle` for the shown probe, on request for another (`explain --depth`)."""
        if run.depth == self.views["explained_depth"]:
            return self.views["inside"]
        return inside_view(run, self.spec["task"]["hops"], self.spec["requirements"]["accuracy"])


@dataclass
class Comparison:
    """The same depths trained with the implicit curriculum switched (`assess --compare-curriculum`)."""

    curriculum: bool
    probes: list[ProbeRun]
    verdicts: list[DepthVerdict]

    def to_dict(self) -> dict:
        return {"curriculum": self.curriculum, "probes": [run.to_dict() for run in self.probes], "verdicts": [asdict(v) for v in self.verdicts]}

    @classmethod
    def from_dict(cls, data: dict) -> "Comparison":
        return cls(data["curriculum"], [ProbeRun.from_dict(run) for run in data["probes"]], [DepthVerdict(**v) for v in data["verdicts"]])


def inside_view(run: ProbeRun, hops: int, target: float) -> dict:
    """Head emergence (heads.emergence) and the step each hop count was learned (heads.hop_learned_steps)."""
    from feasibility.heads import emergence, hop_learned_steps

    return {"emergence": emergence(run.curve), "hops_learned": hop_learned_steps(run.curve, hops, target)}


def settle(assessment: Assessment) -> Assessment:
    """Decide once, render many: derive the recommendation and the views every renderer reads (the depth rows,
    the depth whose probe is shown inside, its heads' emergence and the steps its hop counts were learned)
    from the measurements, and store them in the assessment. Called when `assess` ends and when a saved result is loaded (so a re-render speaks with the
    current wording); after changing measurements in place, call it again. The latency steadiness travels in
    the recommendation, which needs it for its risks."""
    from feasibility.heads import explained_run

    a = assessment
    a.recommendation = recommend(a.spec, a.bounds, a.plan, a.verdicts, a.probes, a.costs, a.latency_fit, a.environment, a.join).to_dict()
    shown = explained_run(a.probes, a.recommendation)
    inside = inside_view(shown, a.spec["task"]["hops"], a.spec["requirements"]["accuracy"]) if shown else None
    a.views = {"depth_rows": depth_rows(a), "explained_depth": shown.depth if shown else None, "inside": inside}
    return a


@dataclass
class Events:
    """Callbacks through which the CLI shows progress; the library itself never prints."""

    stage: Callable[[str], None] = lambda message: None
    probe_started: Callable[[int, float, int], None] = lambda depth, budget_s, max_steps: None
    progress: Callable[[object], None] = lambda progress: None
    probe_finished: Callable[[DepthVerdict, bool], None] = lambda verdict, cached: None


def depth_rows(assessment: Assessment) -> list[dict]:
    """One row per planned depth: bound, accuracy on the links by hop and on the question, verdict, cost; the key
    table of every report. Accuracies are the weakest seed's on the fresh verdict set."""
    bounds = assessment.bounds
    spec = assessment.spec
    percentile = spec["requirements"]["latency_percentile"]
    budget = spec["requirements"]["latency_ms"]
    runs = {run.depth: run for run in assessment.probes}
    costs = {cost["depth"]: cost for cost in assessment.costs}
    rows = []
    for verdict in assessment.verdicts:
        depth = verdict.depth
        run, cost = runs.get(depth), costs.get(depth)
        accuracy_by_hop = dict(sorted(run.weakest_by_hop().items())) if run else {}
        latency = cost["latency"][f"p{percentile}_ms"] if cost else None
        rows.append(
            {
                "depth": depth,
                "vs_bound": "below" if depth < bounds["lower"] else ("within" if depth <= bounds["upper"] else "above"),
                "accuracy_by_hop": accuracy_by_hop,
                "question": verdict.accuracy,
                "question_full_length": verdict.full_length_accuracy,
                "full_length_lower_bound": verdict.full_length_lower_bound,
                "holds_at_full_length": verdict.holds_at_full_length,
                "length": verdict.length,
                "full_length": verdict.full_length,
                "lower_bound": verdict.lower_bound,
                "at_chance": verdict.at_chance,
                "verdict": verdict.verdict,
                "macs": cost["flops"]["macs_per_request"] if cost else None,
                "flops": cost["flops"]["flops_per_request"] if cost else None,
                "parameters": cost["flops"]["parameters"] if cost else None,
                "latency_ms": latency,
                "within_budget": latency is not None and latency <= budget,
                "train_s": run.wall_s if run else None,
                "steps": run.steps if run else None,
            }
        )
    return rows


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
    found = data.get("schema_version") if isinstance(data, dict) else None
    if found == 1 and not isinstance(found, bool):
        raise UsageError(
            f"{path}: saved by feasibility 0.1, whose verdict judged links one lookup short of the question; "
            "re-run `feasibility assess` to judge the question itself"
        )
    if found != SCHEMA_VERSION or isinstance(found, bool):
        raise UsageError(f"{path}: schema_version must be {SCHEMA_VERSION}, got {found!r}; re-run `feasibility assess` with this version")
    _check_saved_figures(path, data)
    try:
        return settle(Assessment.from_dict(data))
    except (TypeError, KeyError, ValueError, AttributeError, IndexError, RecursionError) as error:
        raise UsageError(f"{path}: not a feasibility result ({error})") from None


def _check_saved_figures(path: Path, data: dict) -> None:
    """Refuse a saved result whose task is not a valid task (hops 0, a NaN target, a word for a number) or whose
    decisive figures are not numbers (a NaN latency would read "p95 nan ms exceeds the budget"), naming the key."""
    import math
    import re

    from feasibility.errors import SpecError
    from feasibility.spec import validate

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
    for index, verdict in enumerate(data.get("verdicts") or []):
        for key in ("accuracy", "lower_bound", "full_length_accuracy", "full_length_lower_bound", "chance"):
            if isinstance(verdict, dict) and not finite(verdict.get(key)):
                raise UsageError(f"{path}: verdicts[{index}].{key}: must be a fraction between 0 and 1, got {verdict.get(key)!r}; {rerun}")


def choose_probe_length(plan: ProbePlan, events: Events, cache: Path | None, device: str = "cpu") -> ProbePlan:
    """With `probe.sequence_length: auto`, the longest candidate length whose steps fit the time budget here
    (`plan.choose_length`, step times measured at the deepest planned depth). The choice is cached per machine,
    so a rerun probes the same length and finds its finished probes."""
    import platform

    from feasibility.plan import choose_length
    from feasibility.train import seconds_per_step

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


@dataclass
class DepthSearch:
    """One task's depth search: its planned depths trained shallow to deep; once one has learned, deeper ones only
    add cost, so they are costed but not trained. A search hands out one job at a time (`next_job`) and takes
    its outcome back (`record`, `fail`): `assess` runs one search, `sweep` many at once on an executor."""

    plan: ProbePlan  # its lower_bound is the theory's floor the verdicts are judged against
    device: str = "cpu"
    runs: list[ProbeRun] = field(default_factory=list)
    verdicts: list[DepthVerdict] = field(default_factory=list)  # one per planned depth, once decided
    error: str | None = None  # why the search stopped unfinished: a job that failed on every attempt
    learned: int | None = None  # the shallowest depth whose probes learned

    @property
    def done(self) -> bool:
        return self.error is not None or len(self.verdicts) == len(self.plan.depths)

    def next_job(self):
        """The job of the next depth to train, or None when the search is over. A depth the plan does not train
        (below the theory's floor, `ProbePlan.trains`) gets its verdict "ruled_out" here, with no run."""
        while not self.done and not self.plan.trains(depth := self.plan.depths[len(self.verdicts)]):
            self.verdicts.append(DepthVerdict(depth=depth, verdict="ruled_out", accuracy=None, lower_bound=None, seeds_learned=0, seeds=0))
        return None if self.done else plan_job(self.plan, self.plan.depths[len(self.verdicts)], self.device)

    def record(self, run: ProbeRun, cached: bool) -> DepthVerdict:
        """Judge the run of the depth `next_job` gave; return its verdict (and skip the deeper depths once one has learned)."""
        verdict = judge(run, self.plan.lower_bound, self.plan.target_accuracy)
        self.runs.append(dataclasses.replace(run, cached=cached))
        self.verdicts.append(verdict)
        if verdict.verdict == "learned" and self.learned is None:
            self.learned = verdict.depth
            for depth in self.plan.depths[len(self.verdicts):]:
                self.verdicts.append(DepthVerdict(depth=depth, verdict="skipped", accuracy=None, lower_bound=None, seeds_learned=0, seeds=0))
        return verdict

    def fail(self, error: str) -> None:
        self.error = f"depth {self.plan.depths[len(self.verdicts)]}: {error}"


def run_searches(searches: list[DepthSearch], executor, cache: Path | None, events: Events, on_job=None) -> None:
    """Run every search to its end on `executor`: each search's next job is handed out as soon as its previous one
    is judged, so an executor with room runs the searches side by side. Finished probes are kept in the cache as
    they finish (a run the clock cut short is not: a rerun on an idle machine may finish it), and a job in
    training checkpoints next to them, so a search that is interrupted retrains nothing it finished and resumes
    what it had not. `on_job(kind, search_index, what)` hears of each job: "cached" and "finished" with its
    verdict, "failed" with the search's error."""
    on_job = on_job or (lambda kind, index, what: None)
    paths: dict[int, Path | None] = {}  # each search's job in flight: where its run is kept

    def launch(index: int) -> None:
        search = searches[index]
        while True:
            known = len(search.verdicts)
            job = search.next_job()
            for verdict in search.verdicts[known:]:  # depths the plan does not train (ruled out by theory)
                events.stage(f"depth {verdict.depth}: ruled out by theory (at least {search.plan.lower_bound} layers for {search.plan.hops} lookups): costed, not trained")
            if job is None:
                break
            job = executor.prepare(job)
            path = cache / f"probe-{job.key()}.json" if cache else None
            found = read_entry(path, lambda data: isinstance(data, dict) and data.get("depth") == job.depth and isinstance(data.get("seeds"), list), events.stage) if path else None
            if found is None:
                checkpoint = path.with_suffix(".ckpt") if path else None
                if checkpoint and checkpoint.exists():
                    events.stage(f"depth {job.depth}: resuming from its checkpoint")
                paths[index] = path
                executor.submit(index, job, checkpoint, on_start=lambda depth=job.depth: events.probe_started(depth, search.plan.time_budget_s, search.plan.max_steps), on_progress=events.progress)
                return
            verdict = search.record(ProbeRun.from_dict(found), True)
            events.probe_finished(verdict, True)
            on_job("cached", index, verdict)

    for index in range(len(searches)):
        launch(index)
    while executor.in_flight():
        outcome = executor.next()
        index, search = outcome.tag, searches[outcome.tag]
        path = paths.pop(index)
        if outcome.run is None:
            search.fail(outcome.error)
            on_job("failed", index, search.error)
            continue
        run = outcome.run
        if path:
            if run.stop_reason != "time budget":
                write_atomic(path, run.to_dict())
            path.with_suffix(".ckpt").unlink(missing_ok=True)  # the run has ended: its checkpoint is no longer needed
        verdict = search.record(run, False)
        events.probe_finished(verdict, False)
        on_job("finished", index, verdict)
        launch(index)


def _training_compute(run: ProbeRun, plan: ProbePlan) -> dict:
    """MACs and FLOPs spent training and evaluating one depth's probes, from fvcore's count of one probe forward
    pass at each length evaluated."""
    import torch

    from feasibility.measure import fvcore_macs, training_macs
    from feasibility.probe import ProbeModel

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
    from feasibility.executors import LocalExecutor

    search = DepthSearch(plan, device)
    run_searches([search], executor or LocalExecutor(), cache, events)
    if search.error:
        raise MeasurementError(f"training failed: {search.error}")
    runs = [dataclasses.replace(run, training_compute=_training_compute(run, plan)) for run in search.runs]
    return runs, search.verdicts


def measure_costs(spec: TaskSpec, depths: tuple[int, ...], device: str, events: Events) -> tuple[list[dict], dict | None, dict]:
    """FLOPs, parameters, memory, latency and money for each depth at the deployment size on `device`."""
    import torch

    from feasibility.measure import (
        DeploymentModel,
        DepthCost,
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
        costs.append(
            DepthCost(
                depth=depth,
                flops={
                    "macs_per_request": flops.macs, "flops_per_request": flops.flops, "by_part_macs": flops.by_part, "analytic_macs": flops.analytic_macs,
                    "served_counter_macs": flops.served_counter_macs, "counter_disagreements": flops.disagreements, "parameters": flops.parameters,
                    "causal_attention": flops.causal_attention, "counter": flops.counter, "output_head": "at the answer position only",
                },
                latency=latency,
                memory=memory,
                money=money(latency["p50_ms"], requirements.batch_size, deployment.cost_per_device_hour, deployment.requests_per_day),
            ).to_dict()
        )
    fit = None
    if len(depths) >= 2:
        percentile_key = f"p{requirements.latency_percentile}_ms"
        intercept, slope = fit_latency(list(depths), [c["latency"][percentile_key] for c in costs])
        fit = {
            "intercept_ms": intercept,
            "slope_ms_per_layer": slope,
            "percentile": requirements.latency_percentile,
            "kind": "least-squares line, an estimate outside the measured depths",
        }
    return costs, fit, asdict(environment(device, deployment.dtype))


def measure_batching(spec: TaskSpec, verdicts: list[DepthVerdict], device: str, events: Events) -> dict:
    """Latency and throughput against batch size (measure.batch_curve) at the shallowest depth that learned (else
    the deepest planned one), up to the requested batch and beyond while batching still buys throughput."""
    from feasibility.measure import DeploymentModel, batch_curve

    learned = [v.depth for v in verdicts if v.verdict == "learned"]
    depth = min(learned) if learned else max(v.depth for v in verdicts)
    d = spec.deployment
    model = DeploymentModel(depth, d.width, d.heads, d.vocab_size, spec.task.sequence_length)
    events.stage(f"timing depth {depth} at batch sizes 1 to {spec.requirements.batch_size} and beyond, while batching still buys throughput")
    points = batch_curve(model, spec.requirements.batch_size, d.dtype, device, d.mode)
    return {"depth": depth, "requested_batch": spec.requirements.batch_size, "points": points, "how": "p50 and p95 of the served model per batch; throughput = batch / p50"}


def too_large_here(spec: TaskSpec, device: str) -> str | None:
    """Why the deepest planned deployment model cannot be built and timed on `device` here, or None (no torch
    import for the CPU, so `validate` can ask too)."""
    from feasibility.measure import deployment_too_large

    return deployment_too_large(spec, max(make_plan(spec, depth_bounds(spec.task.hops)).depths), device)


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
    from feasibility.executors import LocalExecutor
    from feasibility.measure import resolve_device

    events = events or Events()
    device = resolve_device(spec.deployment.device)  # a missing GPU is reported before minutes of training
    executor = executor or LocalExecutor()
    trains_on = executor.train_device(train_device)
    if spec.deployment.mode == "cuda-graph" and device != "cuda":
        raise MeasurementError('deployment.mode is "cuda-graph" but torch sees no GPU here; use mode "eager" or run on a GPU')
    timings: dict[str, float] = {}
    started = time.perf_counter()
    bounds = depth_bounds(spec.task.hops)
    cache = (cache_dir or default_folder()) if use_cache else None
    if cache:
        check_writable(cache)  # before minutes of training, not after
    planned = make_plan(spec, bounds)
    reason = too_large_here(spec, device)  # before minutes of training, not after
    if reason:
        raise UsageError(reason)
    plan = choose_probe_length(planned, events, cache, trains_on)
    if plan.shortened:
        events.stage(f"training at {plan.probe_sequence_length} tokens, the longest that fits the time budget here; judging at {plan.task_sequence_length} too")
    runs, verdicts = probe_depths(plan, events, cache, trains_on, executor)
    comparison = None
    if compare_curriculum:
        switched = dataclasses.replace(plan, curriculum=not plan.curriculum, depths=tuple(run.depth for run in runs))
        events.stage(f"training the same depths {'without' if plan.curriculum else 'with'} the implicit curriculum, for comparison")
        other_runs, other_verdicts = probe_depths(switched, events, cache, trains_on, executor)
        comparison = Comparison(switched.curriculum, other_runs, other_verdicts)
    timings["probes"] = time.perf_counter() - started
    measured = time.perf_counter()
    costs, fit, env = measure_costs(spec, plan.depths, device, events)
    batching = measure_batching(spec, verdicts, device, events)
    join = None
    if spec.task.records == "structured":
        from feasibility.measure import join_cost

        events.stage(f"timing a join of {spec.task.hops} lookups over one record, the answer without a model")
        join = join_cost(spec.task.sequence_length, spec.task.hops, spec.deployment.cost_per_device_hour)
    timings["costs"] = time.perf_counter() - measured
    assessment = Assessment(
        spec=spec.to_dict(),
        bounds=bounds.to_dict(),
        plan=plan.to_dict(),
        probes=runs,
        verdicts=verdicts,
        costs=costs,
        latency_fit=fit,
        environment={**env, "train_device": trains_on},
        recommendation={},
        timings_s=timings,
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        curriculum_comparison=comparison,
        join=join,
        batching=batching,
    )
    settle(assessment)
    timings["total"] = time.perf_counter() - started
    return assessment
