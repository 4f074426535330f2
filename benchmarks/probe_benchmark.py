"""Probe benchmark: does the recipe learn, how fast, with and without the curriculum, batched or not.

Prints three tables:
  1. chained retrieval, hops x depths, several seeds: held-out accuracy per hop count (weakest seed),
     the Wilson lower bound checked against the target, wall time and steps per probe group;
  2. the same runs without the implicit curriculum (only the final query supervised), with --curriculum both;
  3. throughput: training steps per second with all seeds batched in one step against one seed at a time.

Examples:
  python benchmarks/probe_benchmark.py --hops 2 --depths 1 2 3 --budget 60
  python benchmarks/probe_benchmark.py --hops 4 --depths 2 3 --budget 300 --curriculum both
  python benchmarks/probe_benchmark.py --throughput-only
"""

from __future__ import annotations

import argparse
import platform
import time

import torch

from feasibility.bounds import depth_bounds
from feasibility.plan import BATCH_SIZE, LEARNING_RATE, MAX_CHAINS, PROBE_MLP_RATIO, PROBE_WIDTH, SYMBOL_POOL_FACTOR, probe_heads
from feasibility.probe import ProbeConfig
from feasibility.tasks import ChainedRetrieval, KHopInduction
from feasibility.train import TrainSettings, judge, train_probes


def chained(hops: int, curriculum: bool) -> ChainedRetrieval:
    return ChainedRetrieval(hops=hops, chains=MAX_CHAINS, symbols=SYMBOL_POOL_FACTOR * MAX_CHAINS * (hops + 1), curriculum=curriculum)


def run_grid(hops_list, depths, seeds, budget, max_steps, target, curriculum, family="chained"):
    rows = []
    for hops in hops_list:
        shape = chained(hops, curriculum) if family == "chained" else KHopInduction(hops=hops, length=32, alphabet=8, curriculum=curriculum)
        for depth in depths:
            config = ProbeConfig(shape.vocab_size, shape.sequence_length, depth, PROBE_WIDTH, probe_heads(hops), PROBE_MLP_RATIO)
            settings = TrainSettings(target_accuracy=target, max_steps=max_steps, time_budget_s=budget, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE)
            run = train_probes(shape, config, list(range(seeds)), settings)
            verdict = judge(run, depth_bounds(hops).lower, target)
            weakest = {h: min(s.accuracy_by_hop.get(h, float("nan")) for s in run.seeds) for h in range(1, hops + 1)}
            rows.append(
                {
                    "family": family,
                    "curriculum": curriculum,
                    "hops": hops,
                    "depth": depth,
                    "tokens": shape.sequence_length,
                    "heads": probe_heads(hops),
                    "accuracy_by_hop": " ".join(f"{h}:{weakest[h]:.1%}" for h in weakest),
                    "query": f"{min(s.query_accuracy for s in run.seeds):.1%}" if family == "chained" else "-",
                    "lower_bound": f"{min(s.decisive_lower_bound for s in run.seeds):.1%}",
                    "seeds_learned": f"{verdict.seeds_learned}/{len(run.seeds)}",
                    "verdict": verdict.verdict,
                    "steps": run.steps,
                    "wall_s": f"{run.wall_s:.1f}",
                    "stop": run.stop_reason,
                }
            )
            print_row(rows[-1])
    return rows


HEADER = ["family", "curriculum", "hops", "depth", "tokens", "heads", "accuracy_by_hop", "query", "lower_bound", "seeds_learned", "verdict", "steps", "wall_s", "stop"]


def print_row(row):
    print(" | ".join(str(row[k]) for k in HEADER), flush=True)


def throughput(depth: int, seeds: int, steps: int) -> None:
    shape = chained(2, True)
    config = ProbeConfig(shape.vocab_size, shape.sequence_length, depth, PROBE_WIDTH, probe_heads(2), PROBE_MLP_RATIO)
    settings = TrainSettings(target_accuracy=1.01, max_steps=steps, time_budget_s=1e9, eval_every=10**9)
    started = time.perf_counter()
    train_probes(shape, config, list(range(seeds)), settings)
    batched = seeds * steps / (time.perf_counter() - started)
    started = time.perf_counter()
    for seed in range(seeds):
        train_probes(shape, config, [seed], settings)
    one_at_a_time = seeds * steps / (time.perf_counter() - started)
    print(f"depth {depth}, {seeds} seeds, {steps} steps each: batched {batched:.1f} probe-steps/s, one at a time {one_at_a_time:.1f} probe-steps/s, ratio {batched / one_at_a_time:.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hops", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds per depth (all seeds together)")
    parser.add_argument("--max-steps", type=int, default=20000)
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--curriculum", choices=["on", "off", "both"], default="on", help="implicit curriculum on, off, or each cell both ways")
    parser.add_argument("--khop", action="store_true", help="k-hop induction instead of chained retrieval")
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args()
    print(f"# machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    if not args.throughput_only:
        print(" | ".join(HEADER))
        family = "khop" if args.khop else "chained"
        for curriculum in {"on": [True], "off": [False], "both": [True, False]}[args.curriculum]:
            run_grid(args.hops, args.depths, args.seeds, args.budget, args.max_steps, args.target, curriculum, family)
    if not args.no_throughput:
        for depth in (2, 3):
            throughput(depth, args.seeds, 200)


if __name__ == "__main__":
    main()
