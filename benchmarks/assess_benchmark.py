"""End-to-end benchmark: `feasibility assess` on the bundled example, a baseline commit against the working tree.

Each code version runs its own `examples/task.yaml` (its own step budget and clock cap) with `--no-cache` and a
fresh output folder, the versions alternating (baseline, new, baseline, new, ...), so that a machine that changes
speed during the run slows both alike. The baseline runs from a temporary git worktree of the commit, with the
same Python and packages; it is removed afterwards. For each run it prints the wall time of the whole command
and what it decided (from its report.json): the decision with its depth, and each depth's verdict. Then the median of each
version and the ratio baseline / new.

Run it alone: two torch jobs at once slow each other about tenfold. `--busy` makes the machine busy on purpose, the
way a laptop that does something else is: one CPU-bound process (a Python busy loop) pinned to core 0 for the whole
benchmark, ended by its process id at the end.

Example:
  python benchmarks/assess_benchmark.py                       # e6560b3 against the working tree, 3 runs each
  python benchmarks/assess_benchmark.py --baseline HEAD~3 --runs 5
  python benchmarks/assess_benchmark.py --busy --runs 1 --new-only --keep /tmp/busy   # does a busy machine still decide?
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(code: Path, out: Path) -> dict:
    """`feasibility assess examples/task.yaml` of the code at `code`, timed; what its report.json decided."""
    environment = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, "-m", "feasibility", "assess", str(code / "examples" / "task.yaml"), "--no-cache", "--out", str(out)]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=code, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    row = {"seconds": seconds, "exit": finished.returncode, "decision": "-", "depths": "-"}
    report = out / "report.json"
    if report.is_file():
        saved = json.loads(report.read_text())
        recommendation = saved.get("recommendation") or {}
        row["decision"] = recommendation.get("decision", "-")
        row["depth"] = recommendation.get("depth")
        verdicts = []
        for verdict in saved.get("verdicts", []):
            holds = verdict.get("holds_at_full_length")
            suffix = "" if holds is None else (f", holds at {verdict.get('full_length')}" if holds else f", not at {verdict.get('full_length')}")
            verdicts.append(f"{verdict.get('depth')}: {verdict.get('verdict', '?')}{suffix}")
        row["depths"] = "; ".join(verdicts)
    elif finished.returncode:
        row["depths"] = (finished.stderr.strip().splitlines() or ["no output"])[-1][:200]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="e6560b3", help="The commit to compare against [default: e6560b3].")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each version [default: 3].")
    parser.add_argument("--json", type=Path, help="Also write the rows here.")
    parser.add_argument("--busy", action="store_true", help="With one CPU-bound process pinned to core 0 throughout.")
    parser.add_argument("--new-only", action="store_true", help="Run the working tree only (no baseline, no ratio).")
    parser.add_argument("--keep", type=Path, help="Copy the last run of the working tree's output folder here.")
    args = parser.parse_args()
    versions = ("new",) if args.new_only else ("baseline", "new")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip())
    busy = "; one busy loop pinned to core 0" if args.busy else ""
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; baseline {args.baseline}, new = working tree at {head}{' (with changes)' if dirty else ''}; {args.runs} runs each, alternating{busy}")
    hog = None
    rows = []
    with tempfile.TemporaryDirectory(prefix="assess-benchmark-") as scratch:
        baseline = Path(scratch) / "baseline"
        if not args.new_only:
            subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, capture_output=True, check=True)
        try:
            if args.busy:
                hog = subprocess.Popen([sys.executable, "-c", "import os\nos.sched_setaffinity(0, {0})\nwhile True: pass"])
            print("| run | version | seconds | exit | decision | depths |")
            print("|---:|---|---:|---:|---|---|")
            for run in range(1, args.runs + 1):
                for version, code in (("baseline", baseline), ("new", ROOT)):
                    if version not in versions:
                        continue
                    row = {"run": run, "version": version, **run_once(code, Path(scratch) / f"{version}-{run}")}
                    if version == "new" and args.keep:
                        shutil.rmtree(args.keep, ignore_errors=True)
                        shutil.copytree(Path(scratch) / f"{version}-{run}", args.keep)
                    rows.append(row)
                    print(f"| {run} | {version} | {row['seconds']:.1f} | {row['exit']} | {row['decision']} {row.get('depth') or ''} | {row['depths']} |", flush=True)
        finally:
            if hog is not None:
                hog.kill()  # the process this benchmark started, by its id
                hog.wait()
            if not args.new_only:
                subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, capture_output=True)
    medians = {v: statistics.median(r["seconds"] for r in rows if r["version"] == v) for v in versions}
    print("\nmedian: " + ", ".join(f"{v} {medians[v]:.1f} s" for v in versions) + (f"; baseline / new = {medians['baseline'] / medians['new']:.2f}x" if len(versions) == 2 else ""))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "medians_s": medians}, indent=1))


if __name__ == "__main__":
    main()
