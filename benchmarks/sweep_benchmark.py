"""The bundled example's sweep (examples/sweep.yaml) on the local executor and on a Ray instance started in
this process, one after the other, each from an empty cache: jobs per minute of each, Ray's overhead per job,
and whether both give the same depth map and the very same accuracies. Prints one JSON object.

    python benchmarks/sweep_benchmark.py [--grid examples/sweep.yaml] [--out sweep-benchmark]

Run it alone on the machine (no other torch job): both executors train each job with the same threads
(`--cpus-per-job`, default: this machine's cores), so on Ray one job runs at a time here too and the
difference in pace is Ray's own cost (starting workers, shipping jobs and results)."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from feasibility.run.executors import make_executor
from feasibility.run.sweep import run_sweep
from feasibility.spec.grid import load_grid
from feasibility.reports.sweep import write_sweep


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", type=Path, default=Path(__file__).parent.parent / "examples" / "sweep.yaml")
    parser.add_argument("--out", type=Path, default=Path("sweep-benchmark"))
    parser.add_argument("--cpus-per-job", type=int, default=os.cpu_count())
    args = parser.parse_args()
    grid, specs = load_grid(args.grid)
    figures = {}
    results = {}
    for name in ("local", "ray"):
        with tempfile.TemporaryDirectory() as cache:
            started = time.perf_counter()
            executor = make_executor(name, cpus_per_job=args.cpus_per_job)  # Ray's start-up is counted
            try:
                result = run_sweep(grid, specs, executor, Path(cache), "cpu")
            finally:
                executor.close()
            wall = time.perf_counter() - started
        write_sweep(result, args.out / name)
        jobs = result.jobs.trained
        figures[name] = {
            "wall_s": round(wall, 1),
            "jobs": jobs,
            "jobs_per_minute": round(jobs / wall * 60, 2),
            "training_s": round(result.jobs.job_seconds, 1),  # the jobs' own training loops, summed
            "depth_map": {", ".join(f"{k}={v}" for k, v in c.values.items()): c.depth if c.depth is not None else c.status for c in result.cells},
        }
        results[name] = result
    local, ray = figures["local"], figures["ray"]
    same = [[(v["depth"], v["verdict"], v["accuracy"]) for v in c["verdicts"]] for c in results["local"]["cells"]] == [
        [(v["depth"], v["verdict"], v["accuracy"]) for v in c["verdicts"]] for c in results["ray"]["cells"]
    ]
    print(
        json.dumps(
            {
                "grid": str(args.grid),
                "cpus_per_job": args.cpus_per_job,
                "local": local,
                "ray": ray,
                "ray_overhead_s_per_job": round((ray["wall_s"] - local["wall_s"]) / max(1, ray["jobs"]), 2),
                "same_depth_map": local["depth_map"] == ray["depth_map"],
                "same_accuracies": same,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
