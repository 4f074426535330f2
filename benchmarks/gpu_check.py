"""The GPU check of probe training (run by benchmarks/gpu_check.sh): throughput on the GPU against 2 CPU threads
in the same run, then the verdicts of a 4-hop task at 256 tokens (benchmarks/gpu_4hop.yaml), depths 3 to 6.

Everything it finds goes into one JSON file, rewritten after each stage so a run cut short keeps what it had:

    python benchmarks/gpu_check.py OUT.json [--deadline-s 420] [--cpu-steps 3] [--gpu-steps 40]

Throughput is optimiser steps of all seeds of a depth batched (data, forward, backward, update: `Trainer.step`),
timed after warm-up steps, as probe-steps per second (seeds x steps / s). The verdicts train every depth at once,
one process each on the one GPU, with the tool's own plan (`plan.job`); each depth's step budget is sized from
the throughput just measured (shared by the processes) so that the clock cap does not cut a run short, and it
never exceeds the task file's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import queue
import time
import traceback
from dataclasses import asdict, replace
from pathlib import Path

import torch

from feasibility.bounds import depth_bounds
from feasibility.plan import make_plan
from feasibility.spec import load_spec
from feasibility.jobs import ProbeJob
from feasibility.train import Trainer, judge, run_job

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
        rates.append(steps_per_second(plan.job(depth, gpu), args.gpu_steps))
        print(json.dumps(rates[-1]), flush=True)
    torch.set_num_threads(args.cpu_threads)
    for depth in (min(depths), max(depths)):
        rates.append({**steps_per_second(plan.job(depth, "cpu"), args.cpu_steps, warmup=1), "threads": args.cpu_threads})
        print(json.dumps(rates[-1]), flush=True)
    found["throughput"] = rates
    found["speedup"] = {
        str(depth): next(r["probe_steps_per_s"] for r in rates if r["depth"] == depth and r["device"] == gpu) / next(r["probe_steps_per_s"] for r in rates if r["depth"] == depth and r["device"] == "cpu")
        for depth in (min(depths), max(depths))
    }
    save()

    # 2. Verdicts: every depth's job in a process of its own, all at once on the one GPU (small probes leave it
    # idle between kernel launches, which the other processes fill). Each job is sent as data (ProbeJob.to_dict);
    # each worker times its steps while all of them run, and sizes its step budget to fit the clock from that.
    budget = min(plan.time_budget_s, args.deadline_s - (time.perf_counter() - began) - 60)  # judging and start-up
    found["budget_s"] = budget
    save()
    context = multiprocessing.get_context("spawn")
    together, results = context.Barrier(len(depths)), context.Queue()
    threads = max(1, (os.cpu_count() or 2) // len(depths))
    workers = [context.Process(target=judge_job, args=(plan.job(depth, gpu).to_dict(), budget, args.max_steps, threads, together, results)) for depth in depths]
    for worker in workers:
        worker.start()
    rows = []
    while len(rows) < len(workers):
        try:
            rows.append(results.get(timeout=5))
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers):
                break  # a worker died without a word: its depth is missing below
    for worker in workers:
        worker.join(timeout=10)
    found["verdicts"] = sorted(rows, key=lambda row: row["depth"])
    found["workers_exit_codes"] = [worker.exitcode for worker in workers]
    save()
    learned = [v for v in found["verdicts"] if v.get("verdict") == "learned"]
    found["all_depths_judged"] = sorted(v["depth"] for v in found["verdicts"] if "error" not in v) == sorted(depths)
    found["bars"] = {
        f"gpu_over_cpu_at_{plan.probe_sequence_length}_tokens": min(found["speedup"].values()),
        "gpu_20x": min(found["speedup"].values()) >= 20,
        "learned_within_5_min": any(v["train_s"] <= 300 for v in learned),
        "first_learned_depth": learned[0]["depth"] if learned else None,
    }
    save()
    print(json.dumps(found["bars"]), flush=True)


def judge_job(data: dict, budget: float, cap: int | None, threads: int, together, results) -> None:
    """In a worker process: time 20 steps of the job (sent as data) while every worker does the same, size its
    step budget to fit `budget` seconds at that pace, run it and put its verdict and figures on `results`."""
    job = ProbeJob.from_dict(data)
    try:
        results.put(_judge(job, budget, cap, threads, together))
    except Exception:  # noqa: BLE001 - reported in the JSON, so the other depths still count
        together.abort()
        results.put({"depth": job.depth, "verdict": "failed", "error": traceback.format_exc()[-2000:]})


def _judge(job: ProbeJob, budget: float, cap: int | None, threads: int, together) -> dict:
    torch.set_num_threads(threads)
    trial = Trainer(job)
    trial.step()
    together.wait(timeout=300)
    sync = torch.cuda.synchronize if job.device == "cuda" else (lambda: None)
    sync()
    started = time.perf_counter()
    for _ in range(20):
        trial.step()
    sync()
    rate = 20 / (time.perf_counter() - started)
    del trial
    steps = min(job.settings.max_steps, cap or job.settings.max_steps, int(0.75 * budget * rate))  # checks take the rest
    job = replace(job, settings=replace(job.settings, max_steps=steps, time_budget_s=budget))
    print(f"depth {job.depth}: {rate:.1f} steps/s with every depth training; up to {steps} steps in {budget:.0f} s", flush=True)
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
        "max_steps": steps,
        "shared_steps_per_s": rate,
        "stop_reason": run.stop_reason,
        "train_s": run.wall_s,
        "wall_s": time.perf_counter() - started,
        "steps_to_target": [s.steps_to_target for s in run.seeds],
        "seed_accuracy": [s.verdict_set.query_accuracy for s in run.seeds],
        "device": run.device,
    }
    print(json.dumps({k: row[k] for k in ("depth", "verdict", "accuracy", "lower_bound", "steps", "stop_reason", "train_s")}), flush=True)
    return row


if __name__ == "__main__":
    main()
