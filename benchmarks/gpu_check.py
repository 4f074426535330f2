"""The GPU check of probe training (run by benchmarks/gpu_check.sh): throughput on the GPU against 2 CPU threads
in the same run, then the verdicts of a 4-hop task at 256 tokens (benchmarks/gpu_4hop.yaml), depths 3 to 6.

Everything it finds goes into one JSON file, rewritten after each stage so a run cut short keeps what it had:

    python benchmarks/gpu_check.py OUT.json [--deadline-s 420] [--cpu-steps 3] [--gpu-steps 40]

Throughput is optimiser steps of all seeds of a depth batched (data, forward, backward, update: `Trainer.step`),
timed after warm-up steps, as probe-steps per second (seeds x steps / s). The verdicts train depth after depth,
shallow to deep as `assess` does (deeper depths are skipped once one has learned), with the tool's own plan
(`jobs.plan_job`); each depth's step budget is sized from the throughput just measured so that the clock cap does not
cut the run short, and it never exceeds the task file's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path

import torch

from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import ProbeJob, plan_job
from feasibility.plan.probe_plan import make_plan
from feasibility.spec.task import load_spec
from feasibility.decide.verdict import judge
from feasibility.probes.train import Trainer, run_job

TASK = Path(__file__).with_name("gpu_4hop.yaml")


def steps_per_second(job, steps: int, warmup: int = 2) -> dict:
    trainer = Trainer(job)
    sync = torch.cuda.synchronize if job.device == "cuda" else (lambda: None)
    for _ in range(warmup):
        trainer.step()
    sync()
    started = time.perf_counter()
    for _ in range(steps):
        trainer.step()
    sync()
    seconds = time.perf_counter() - started
    return {"depth": job.depth, "device": job.device, "steps": steps, "seconds": seconds, "probe_steps_per_s": len(job.seeds) * steps / seconds, "micro_batch": trainer.micro}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--deadline-s", type=float, default=420.0, help="stop starting work after this many seconds")
    parser.add_argument("--cpu-steps", type=int, default=3)
    parser.add_argument("--gpu-steps", type=int, default=40)
    parser.add_argument("--cpu-threads", type=int, default=2)
    parser.add_argument("--depths", type=int, nargs="+", default=None, help="depths to judge [default: the task file's]")
    parser.add_argument("--max-steps", type=int, default=None, help="cap the step budget (a quick rehearsal on the CPU)")
    parser.add_argument("--task", type=Path, default=TASK, help="another task file (a quick rehearsal on the CPU)")
    args = parser.parse_args()
    began = time.perf_counter()
    gpu = "cuda" if torch.cuda.is_available() else "cpu"
    found: dict = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "torch": torch.__version__, "gpu": torch.cuda.get_device_name() if gpu == "cuda" else None},
        "task": args.task.name,
    }

    def save() -> None:
        found["elapsed_s"] = time.perf_counter() - began
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(found, indent=2))

    spec = load_spec(args.task)
    plan = make_plan(spec, depth_bounds(spec.task.hops))
    depths = args.depths or list(plan.depths)
    found["plan"] = {"depths": depths, "seeds": list(plan.seeds), "length": plan.probe_sequence_length, "hops": plan.hops, "tied_head": plan.tied_head, "symbols": plan.symbols}

    # 1. Throughput at 256 tokens: the GPU, then the CPU held to a few threads, in this one run.
    rates = []
    for depth in (min(depths), max(depths)):
        rates.append(steps_per_second(plan_job(plan, depth, gpu), args.gpu_steps))
        print(json.dumps(rates[-1]), flush=True)
    torch.set_num_threads(args.cpu_threads)
    for depth in (min(depths), max(depths)):
        rates.append({**steps_per_second(plan_job(plan, depth, "cpu"), args.cpu_steps, warmup=1), "threads": args.cpu_threads})
        print(json.dumps(rates[-1]), flush=True)
    found["throughput"] = rates
    found["speedup"] = {
        str(depth): next(r["probe_steps_per_s"] for r in rates if r["depth"] == depth and r["device"] == gpu) / next(r["probe_steps_per_s"] for r in rates if r["depth"] == depth and r["device"] == "cpu")
        for depth in (min(depths), max(depths))
    }
    save()

    # 2. Verdicts, shallow to deep as `assess` trains them: each depth gets the time left (at most the task file's
    # budget) and a step budget sized from the pace just measured, so that the clock cap does not cut it short;
    # once a depth has learned, deeper ones are not trained.
    pace = {r["depth"]: r["seconds"] / r["steps"] for r in rates if r["device"] == gpu}
    low, high = min(pace), max(pace)

    def seconds_per_step(depth: int) -> float:  # a step's time grows linearly with depth
        return pace[low] if high == low else pace[low] + (pace[high] - pace[low]) * (depth - low) / (high - low)

    found["verdicts"] = []
    for depth in depths:
        left = args.deadline_s - (time.perf_counter() - began) - 20  # judging
        if found["verdicts"] and found["verdicts"][-1].get("verdict") == "learned":
            found["verdicts"].append({"depth": depth, "verdict": "skipped", "reason": "a shallower depth learned"})
            continue
        if left < 30:
            found["verdicts"].append({"depth": depth, "verdict": "not run", "reason": f"{max(left, 0):.0f} s left before the deadline"})
            continue
        budget = min(plan.time_budget_s, left)
        steps = min(plan.max_steps, args.max_steps or plan.max_steps, int(0.8 * budget / seconds_per_step(depth)))  # checks take the rest
        job = plan_job(plan, depth, gpu)
        job = replace(job, settings=replace(job.settings, max_steps=steps, time_budget_s=budget))
        print(f"depth {depth}: up to {steps} steps in {budget:.0f} s", flush=True)
        found["verdicts"].append(judge_job(job))
        save()
    learned = [v for v in found["verdicts"] if v.get("verdict") == "learned"]
    found["bars"] = {
        f"gpu_over_cpu_at_{plan.probe_sequence_length}_tokens": min(found["speedup"].values()),
        "gpu_20x": min(found["speedup"].values()) >= 20,
        "learned_within_5_min": any(v["train_s"] <= 300 for v in learned),
        "first_learned_depth": learned[0]["depth"] if learned else None,
    }
    save()
    print(json.dumps(found["bars"]), flush=True)


def judge_job(job: ProbeJob) -> dict:
    """Run one job and return its verdict with the run's figures."""
    last = [time.perf_counter()]

    def progress(p):
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  depth {p.depth} step {p.step}/{p.max_steps}, weakest seed {p.decisive_accuracy:.1%}, {p.elapsed_s:.0f} s", flush=True)

    started = time.perf_counter()
    run = run_job(job, on_progress=progress)
    verdict = judge(run, depth_bounds(job.shape().hops).lower, job.settings.target_accuracy)
    row = {
        **asdict(verdict),
        "steps": run.steps,
        "max_steps": job.settings.max_steps,
        "stop_reason": run.stop_reason,
        "train_s": run.wall_s,
        "wall_s": time.perf_counter() - started,
        "steps_to_target": [s.steps_to_target for s in run.seeds],
        "seed_accuracy": [s.verdict_set.query_accuracy for s in run.seeds],
        "curve": [{"step": c.step, "s": round(c.elapsed_s, 1), "check_loss": c.held_out_loss, "question": c.query_accuracy, "by_hop": c.accuracy_by_hop} for c in run.curve],
        "device": run.device,
    }
    print(json.dumps({k: row[k] for k in ("depth", "verdict", "accuracy", "lower_bound", "steps", "stop_reason", "train_s")}), flush=True)
    return row


if __name__ == "__main__":
    main()
