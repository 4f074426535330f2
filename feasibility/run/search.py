"""The depth search: a task's planned depths trained shallow to deep, one job at a time, on any executor, with
finished probes kept in the cache and jobs in training checkpointed beside them. `assess` runs one search,
`sweep` many side by side; `Events` is how either tells the CLI what happens.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from feasibility.plan.jobs import plan_job
from feasibility.plan.probe_plan import ProbePlan
from feasibility.decide.verdict import judge
from feasibility.result.probes import DepthVerdict, ProbeRun
from feasibility.vocabulary import Stop, Verdict
from feasibility.run.cache import clear_leftovers, entry_path, read_entry, set_aside, write_atomic


@dataclass
class Events:
    """Callbacks through which the CLI shows progress; the library itself never prints."""

    stage: Callable[[str], None] = lambda message: None
    probe_started: Callable[[int, float, int], None] = lambda depth, budget_s, max_steps: None
    progress: Callable[[object], None] = lambda progress: None
    probe_finished: Callable[[DepthVerdict, bool], None] = lambda verdict, cached: None


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
            self.verdicts.append(DepthVerdict(depth=depth, verdict=Verdict.RULED_OUT, accuracy=None, lower_bound=None, seeds_learned=0, seeds=0))
        return None if self.done else plan_job(self.plan, self.plan.depths[len(self.verdicts)], self.device)

    def record(self, run: ProbeRun, cached: bool) -> DepthVerdict:
        """Judge the run of the depth `next_job` gave; return its verdict (and skip the deeper depths once one has learned)."""
        verdict = judge(run, self.plan.lower_bound, self.plan.target_accuracy)
        self.runs.append(dataclasses.replace(run, cached=cached))
        self.verdicts.append(verdict)
        if verdict.verdict == Verdict.LEARNED and self.learned is None:
            self.learned = verdict.depth
            for depth in self.plan.depths[len(self.verdicts):]:
                self.verdicts.append(DepthVerdict(depth=depth, verdict=Verdict.SKIPPED, accuracy=None, lower_bound=None, seeds_learned=0, seeds=0))
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
    left = clear_leftovers(cache) if cache else 0
    if left:
        events.stage(f"removed {left} unfinished write{'s' if left > 1 else ''} that a stopped run left in the cache")
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
            path = entry_path(cache, job) if cache else None
            found = read_entry(path, lambda data: isinstance(data, dict), events.stage, _finished_run(job.depth)) if path else None
            if found is None:
                checkpoint = path.with_suffix(".ckpt") if path else None
                if checkpoint and os.path.lexists(checkpoint):
                    events.stage(f"depth {job.depth}: {_checkpoint_news(checkpoint, job)}")
                paths[index] = path
                executor.submit(index, job, checkpoint, on_start=lambda depth=job.depth: events.probe_started(depth, search.plan.time_budget_s, search.plan.max_steps), on_progress=events.progress)
                return
            verdict = search.record(found, True)
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
            if run.stop_reason != Stop.TIME_BUDGET:
                write_atomic(path, run.to_dict())
            path.with_suffix(".ckpt").unlink(missing_ok=True)  # the run has ended: its checkpoint is no longer needed
        verdict = search.record(run, False)
        events.probe_finished(verdict, False)
        on_job("finished", index, verdict)
        launch(index)


def _finished_run(depth: int):
    """Read a cache entry into the finished run it must be: every field typed, its depth the job's, and every accuracy
    a fraction (a crafted or damaged entry raises, and is then moved aside and trained again)."""

    def parse(data: dict) -> ProbeRun:
        run = ProbeRun.from_dict(data)
        sets = [evaluation for seed in run.seeds for evaluation in (seed.verdict_set, seed.check, seed.full_length) if evaluation is not None]
        figures = [value for evaluation in sets for value in (evaluation.query_accuracy, evaluation.lower_bound, *evaluation.accuracy_by_hop.values())]
        if run.depth != depth or not run.seeds or not all(isinstance(value, (int, float)) and 0.0 <= value <= 1.0 for value in figures):
            raise ValueError("not a finished probe of this job")
        return run

    return parse


def _checkpoint_news(checkpoint: Path, job) -> str:
    """What becomes of a job's checkpoint: resumed from, or (damaged, or another job's) moved aside and trained anew."""
    from feasibility.probes.train import inspect_checkpoint

    step, problem = inspect_checkpoint(checkpoint, job)
    if problem is None:
        return f"resuming from its checkpoint at step {step}"
    return f"its checkpoint {checkpoint.name} {problem}; {set_aside(checkpoint)}, training from step 0"
