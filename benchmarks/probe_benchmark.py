"""Probe benchmark: does the recipe learn the D-lookup question, at which depth, in how many steps and seconds.

For each hop count D and depth it trains the recipe's probes (feasibility/plan/recipe.py: width, heads, learning rate,
batch, the previous-token start, all seeds in one batched step; --optimiser, --lr, --muon-lr, --position-lr, --warmup and
--previous-token-start try another) on
chained retrieval (or k-hop induction with --khop) and prints one row: the question's accuracy on fresh examples
(weakest seed, one question per example) with its Wilson 95% lower bound, the best chain-ignoring heuristic on the
same examples (the chance ceiling), the verdict, the step of each seed's first passing running check at the
probe's length, steps and seconds. With --full-length N the same probes are also judged at N tokens. With
--curriculum both, each cell is trained with and without the implicit curriculum. Then, unless --no-throughput, probe-steps per second of
real training runs (running checks and head scores included) at depths 1-4 at 32 tokens (the example's probe
length) and 128 tokens: this checkout against a baseline commit, alternating, each run in a fresh process. With
--peak-share, the share of this CPU's matrix-multiply peak a training step of the bundled example's probes reaches
(depths 2 and 3): the step's FLOPs (fvcore's count of one forward pass of all seeds, the output head at the
supervised positions only as training runs it, times 3 for the backward pass) over its median wall time, against a
1024 x 1024 fp32 matmul timed in the same run with the same threads.

Examples:
  python benchmarks/probe_benchmark.py --hops 1 2 3 --depths 1 2 3 4
  python benchmarks/probe_benchmark.py --hops 2 --depths 2 3 --length 32 --full-length 128
  python benchmarks/probe_benchmark.py --khop --hops 2 --depths 2 3 --length 64
  python benchmarks/probe_benchmark.py --throughput-only
  python benchmarks/probe_benchmark.py --peak-share --no-throughput --hops
  python benchmarks/probe_benchmark.py --hops 2 --depths 3 --length 32 --full-length 128 --max-steps 1000 --no-throughput \
      --optimiser muon --position-lr 0.03 --warmup 100         # a candidate recipe against the one in recipe.py
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from feasibility.spec import layout
from feasibility.plan.bounds import depth_bounds
from feasibility.plan.recipe import BATCH_SIZE, KHOP_ALPHABET, LEARNING_RATE, MUON_LR, OPTIMISER, PREVIOUS_TOKEN_START, PROBE_HEADS, PROBE_MLP_RATIO, PROBE_WIDTH, SYMBOL_POOL_FACTOR, TIED_FROM_HOPS, WARMUP_STEPS
from feasibility.probes.model import ProbeConfig
from feasibility.plan.tasks import ChainedRetrieval, KHopInduction
from feasibility.decide.verdict import judge
from feasibility.probes.train import TrainSettings, train_probes


def shape_for(khop: bool, hops: int, length: int, pool_length: int, curriculum: bool):
    if khop:
        return KHopInduction(hops=hops, length=length, alphabet=KHOP_ALPHABET, curriculum=curriculum)
    pool = math.ceil(SYMBOL_POOL_FACTOR * layout.symbols_used(hops, pool_length))
    return ChainedRetrieval(hops=hops, length=length, symbols=pool, curriculum=curriculum)


HEADER = ["family", "curriculum", "D", "depth", "tokens", "question (weakest)", "lower bound", "at full length", "chance (heuristic)", "seeds", "verdict", "first pass per seed", "steps", "seconds", "stop"]


def run_cell(args, hops: int, depth: int, curriculum: bool) -> list[str]:
    full_length = args.full_length
    length = args.length or max(32, layout.minimum_length(hops))
    shape = shape_for(args.khop, hops, length, max(length, full_length or 0), curriculum)
    full = shape_for(args.khop, hops, full_length, full_length, curriculum) if full_length else None
    config = ProbeConfig(shape.vocab_size, shape.sequence_length, depth, PROBE_WIDTH, PROBE_HEADS, PROBE_MLP_RATIO, tied_head=hops >= TIED_FROM_HOPS, previous_token_start=args.previous_token_start)
    settings = TrainSettings(
        target_accuracy=args.target, max_steps=args.max_steps, time_budget_s=args.budget, batch_size=BATCH_SIZE,
        learning_rate=args.lr, warmup_steps=args.warmup, full_length=full_length,
        optimiser=args.optimiser, muon_lr=args.muon_lr, position_lr=args.position_lr,
    )
    started = time.perf_counter()
    run = train_probes(shape, config, list(range(args.seeds)), settings, full_shape=full)
    seconds = time.perf_counter() - started  # training and judging, all seeds together
    verdict = judge(run, depth_bounds(hops).lower, args.target)
    full_text = "-" if verdict.full_length_accuracy is None else f"{verdict.full_length_accuracy:.1%}"
    return [
        "khop" if args.khop else "chained", "on" if curriculum else "off", str(hops), str(depth), str(length),
        f"{verdict.accuracy:.1%}", f"{verdict.lower_bound:.1%}", full_text, f"{verdict.chance:.1%} ({verdict.chance_heuristic})",
        f"{verdict.seeds_learned}/{verdict.seeds}", verdict.verdict + (" (at chance)" if verdict.at_chance else ""),
        " / ".join("-" if seed.steps_to_target is None else f"{seed.steps_to_target:,}" for seed in run.seeds),
        f"{run.steps:,}", f"{seconds:.0f}", run.stop_reason,
    ]


def throughput(baseline: str, lengths: list[int], depths: list[int], steps: dict[int, int]) -> None:
    """Probe-steps per second of this checkout against `baseline` (a git commit), one measurement each per length
    and depth, alternating, each in a fresh subprocess (benchmarks/throughput_worker.py)."""
    here = Path(__file__).resolve().parent
    worker = here / "throughput_worker.py"
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(here.parent), "archive", baseline, "feasibility"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        trees = {"baseline": folder, "new": str(here.parent)}
        print(f"| tokens | depth | {baseline} (probe-steps/s) | this checkout | ratio |")
        print("|---:|---:|---:|---:|---:|")
        for length in lengths:
            for depth in depths:
                rates = {}
                for name, tree in trees.items():
                    command = [sys.executable, str(worker), "--length", str(length), "--depth", str(depth), "--steps", str(steps[length])]
                    env = {**os.environ, "PYTHONPATH": tree}
                    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=tree).stdout
                    rates[name] = json.loads(output.strip().splitlines()[-1])["probe_steps_per_s"]
                print(f"| {length} | {depth} | {rates['baseline']:.1f} | {rates['new']:.1f} | {rates['new'] / rates['baseline']:.2f}x |", flush=True)


def matmul_peak(size: int = 1024, repeats: int = 20) -> float:
    """FLOP/s of a size x size fp32 matmul on this machine (median of `repeats`, after two untimed)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    times = []
    for index in range(repeats + 2):
        started = time.perf_counter()
        torch.matmul(a, b)
        if index >= 2:
            times.append(time.perf_counter() - started)
    return 2 * size**3 / sorted(times)[len(times) // 2]


def peak_share(depths: tuple[int, ...] = (2, 3), steps: int = 40) -> None:
    """Per depth of the bundled example's probes: FLOPs of a training step, its median time, and the share of the
    matmul peak measured here in the same run."""
    from feasibility.plan.jobs import plan_job
    from feasibility.costs.measure import fvcore_macs
    from feasibility.plan.probe_plan import make_plan
    from feasibility.probes.model import ProbeModel
    from feasibility.spec.task import load_spec
    from feasibility.plan.tasks import IGNORE
    from feasibility.probes.train import Trainer

    spec = load_spec(Path(__file__).resolve().parent.parent / "examples" / "task.yaml")
    plan = make_plan(spec, depth_bounds(spec.task.hops))
    peak = matmul_peak()
    print(f"\nmatmul peak (1024^3 fp32, {torch.get_num_threads()} threads): {peak / 1e9:.1f} GFLOP/s")
    print("| depth | tokens | batch x seeds | GFLOP per step | ms per step (median) | GFLOP/s | share of peak |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for depth in depths:
        trainer = Trainer(plan_job(plan, depth))
        batch = trainer.next_batch()
        model = ProbeModel(trainer.config).eval()
        total, by_module = fvcore_macs(model, (batch.tokens,))
        head = by_module.get("head", 0)
        supervised = float((batch.targets != IGNORE).float().mean())  # training runs the head on these positions only
        step_flops = 3 * 2 * (total - head + head * supervised)
        times = []
        for index in range(steps + 3):
            started = time.perf_counter()
            trainer.step()
            if index >= 3:
                times.append(time.perf_counter() - started)
        median = sorted(times)[len(times) // 2]
        rate = step_flops / median
        print(f"| {depth} | {trainer.config.sequence_length} | {plan.batch_size} x {len(plan.seeds)} | {step_flops / 1e9:.2f} | {median * 1e3:.1f} | {rate / 1e9:.1f} | {rate / peak:.0%} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hops", type=int, nargs="*", default=[1, 2, 3], help="hop counts to train (none: no training cells)")
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--length", type=int, default=None, help="probe length in tokens [default: 32, or the shortest that holds the chains]")
    parser.add_argument("--full-length", type=int, default=None, help="also judge the same probes at this many tokens (and size the symbol pool for it)")
    parser.add_argument("--max-steps", type=int, default=3000, help="the step budget: it sets the schedule and the verdict")
    parser.add_argument("--budget", type=float, default=900.0, help="clock cap per depth in seconds, a safety net (all seeds together)")
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--curriculum", choices=["on", "off", "both"], default="on", help="implicit curriculum on, off, or each cell both ways")
    parser.add_argument("--khop", action="store_true", help="k-hop induction instead of chained retrieval")
    parser.add_argument("--optimiser", choices=["adamw", "muon"], default=OPTIMISER, help="AdamW for every weight, or Muon for the blocks' matrices and AdamW for the rest [default: the recipe's]")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE, help="AdamW's learning rate [default: the recipe's]")
    parser.add_argument("--muon-lr", type=float, default=MUON_LR, help="Muon's learning rate, with --optimiser muon")
    parser.add_argument("--position-lr", type=float, default=None, help="AdamW's rate for the position biases [default: --lr]")
    parser.add_argument("--warmup", type=int, default=WARMUP_STEPS, help="warm-up steps [default: the recipe's]")
    parser.add_argument("--previous-token-start", type=float, default=PREVIOUS_TOKEN_START, help="each layer's first head's distance-1 bias starts this much above the ALiBi-like start [default: the recipe's, 2, which it uses where the task is at most 4x the probe's length, as the benchmark's 32 -> 128 cells are]")
    parser.add_argument("--throughput-only", action="store_true", help="only the throughput: this checkout against --baseline")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--baseline", default="9e46f5a", help="the commit to measure against [default: 9e46f5a, the code before GPU training and jobs]")
    parser.add_argument("--throughput-lengths", type=int, nargs="+", default=[32, 128], help="[default: 32, the example's probe length, and 128]")
    parser.add_argument("--peak-share", action="store_true", help="also the share of the matmul peak a training step of the example's probes reaches")
    args = parser.parse_args()
    print(f"# machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    if not args.throughput_only and args.hops:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for curriculum in {"on": [True], "off": [False], "both": [True, False]}[args.curriculum]:
            for hops in args.hops:
                for depth in args.depths:
                    print("| " + " | ".join(run_cell(args, hops, depth, curriculum)) + " |", flush=True)
    if args.peak_share:
        peak_share()
    if not args.no_throughput:
        throughput(args.baseline, args.throughput_lengths, [1, 2, 3, 4], {length: 300 if length <= 64 else 100 for length in args.throughput_lengths})


if __name__ == "__main__":
    main()
