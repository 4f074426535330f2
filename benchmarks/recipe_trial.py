"""A candidate recipe on the project's own path: a task file's plan, one depth, with some of the recipe's settings
changed, trained by `plan_job` -> `Trainer` -> `judge` exactly as `assess` trains it (clock cap off, so the step
budget alone ends the run). It prints one JSON line: the step at which each seed's question first reached 99% on
the running check, when it first rose above chance, the steps run and why they stopped, the question on fresh
examples at the probe's length and at the task's (every seed, and the weakest seed's Wilson lower bound there),
the verdict, each running check at the task's length (step, weakest seed) and the curve (step, check loss averaged
over the seeds, best seed's question).

Step counts do not depend on the machine's speed, so trials may run pinned to one core while other work uses the
other (`taskset -c 1 env OMP_NUM_THREADS=1 python benchmarks/recipe_trial.py ... --threads 1`); their seconds
then mean nothing and are printed only as a guide. docs/probe-recipe.md, "Recipe trials on the project's path",
has the runs.

  python benchmarks/recipe_trial.py examples/task.yaml 3 --optimiser muon --position-lr 0.05 --warmup 100 \\
      --max-steps 1000 --previous-token-start 2
  python benchmarks/recipe_trial.py profiles/serial-to-work-order.yaml 2 --previous-token-start 2
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from feasibility.decide.verdict import judge
from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import plan_job
from feasibility.plan.probe_plan import make_plan
from feasibility.probes.train import Trainer
from feasibility.spec.task import load_spec

CHANGEABLE = {  # option -> TrainSettings field
    "optimiser": "optimiser", "lr": "learning_rate", "muon_lr": "muon_lr", "position_lr": "position_lr",
    "warmup": "warmup_steps", "max_steps": "max_steps", "chance_share": "chance_share", "decay_steps": "decay_steps",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", type=Path, help="a task file (examples/task.yaml, profiles/*.yaml)")
    parser.add_argument("depth", type=int)
    parser.add_argument("--length", type=int, default=32, help="the probe length where the plan chooses one (`auto`) [default: 32, what the profiles train at on 2 cores]")
    parser.add_argument("--threads", type=int, default=None, help="torch threads [default: torch's]")
    parser.add_argument("--optimiser", choices=["adamw", "muon"])
    parser.add_argument("--lr", type=float, help="AdamW's rate")
    parser.add_argument("--muon-lr", type=float)
    parser.add_argument("--position-lr", type=float, help="AdamW's rate for the position biases and length scales")
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--max-steps", type=int, help="the step budget (it sets the schedule)")
    parser.add_argument("--chance-share", type=float)
    parser.add_argument("--decay-steps", type=int, help="once every seed passes at the probe's length, decay the rate to the floor over this many steps")
    parser.add_argument("--previous-token-start", type=float, help="each layer's first head's distance-1 bias starts this much above the ALiBi-like start [default: the recipe's]")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    spec = load_spec(args.task)
    plan = make_plan(spec, depth_bounds(spec.task.hops))
    if plan.length_candidates:
        plan = plan.with_length(args.length, {})
    job = plan_job(plan, args.depth, "cpu")
    changes = {field: getattr(args, option) for option, field in CHANGEABLE.items() if getattr(args, option) is not None}
    config = job.config if args.previous_token_start is None else replace(job.config, previous_token_start=args.previous_token_start)
    job = replace(job, config=config, settings=replace(job.settings, time_budget_s=float("inf"), **changes))
    trainer = Trainer(job)
    started = time.perf_counter()
    run = trainer.result(trainer.train())
    verdict = judge(run, plan.lower_bound, plan.target_accuracy)
    full = [seed.full_length for seed in run.seeds if seed.full_length]
    print(json.dumps({
        "task": args.task.name, "depth": args.depth, "changes": {**changes, "previous_token_start": job.config.previous_token_start},
        "first_at_99": [next((point.step for point in run.curve if point.query_accuracy[e] >= 0.99), None) for e in range(len(run.seeds))],
        "above_chance_step": trainer.loop.above_chance_step, "decay_from": trainer.loop.decay_from, "steps": run.steps, "stop": str(run.stop_reason),
        "question": [round(seed.verdict_set.query_accuracy, 4) for seed in run.seeds],
        "question_at_task_length": [round(e.query_accuracy, 4) for e in full],
        "weakest_lower_bound_at_task_length": round(min(e.lower_bound for e in full), 4) if full else None,
        "verdict": str(verdict.verdict), "holds_at_task_length": verdict.holds_at_full_length,
        "seconds": round(time.perf_counter() - started),
        "checks_at_task_length": [[point.step, round(min(point.full_length_accuracy), 4)] for point in run.curve if point.full_length_accuracy],
        "curve": [[point.step, round(sum(point.held_out_loss) / len(point.held_out_loss), 4), round(max(point.query_accuracy), 4)] for point in run.curve],
    }))


if __name__ == "__main__":
    main()
