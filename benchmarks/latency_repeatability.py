"""Latency repeatability: measure the same deployment configuration twice in one run; print both and the ratio.

On an idle machine the two p50 figures should agree within 5%. `assess` makes the same check on every run
(each depth timed in two passes) and says when its figures disagree; `--pairs N` repeats the pair to show how
often a machine holds its speed over a few seconds.

  python benchmarks/latency_repeatability.py --depth 3 --width 256 --heads 8 --length 256 --vocab 4096
  python benchmarks/latency_repeatability.py --pairs 20          # many pairs, then how many agreed
  python benchmarks/latency_repeatability.py --device cuda --mode cuda-graph
"""

from __future__ import annotations

import argparse

import torch

from feasibility.measure import MODES, DeploymentModel, environment, measure_latency, prime_gpu, resolve_device


def within(ratio: float) -> bool:
    return abs(ratio - 1) <= 0.05


def measure_pair(model: DeploymentModel, args: argparse.Namespace, device: str) -> list[dict]:
    """`args.times` measurements in a row, each printed."""
    results = []
    for attempt in range(1, max(2, args.times) + 1):
        latency = measure_latency(model, args.batch, args.dtype, device, mode=args.mode, min_duration_s=args.min_duration, warmup_s=args.warmup).summary()
        results.append(latency)
        print(f"  run {attempt}: p50 {latency['p50_ms']:.3f} ms  p95 {latency['p95_ms']:.3f} ms  p99 {latency['p99_ms']:.3f} ms  runs {latency['runs']}  warm-up runs {latency['warmup_runs']}  spread {latency['spread_iqr_over_median']:.1%}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--vocab", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--mode", choices=MODES, default="eager", help="eager, or CUDA-graph replay (GPU only)")
    parser.add_argument("--min-duration", type=float, default=2.0, help="seconds of timed runs per measurement")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of warm-up runs before timing (the tool's default)")
    parser.add_argument("--times", type=int, default=2, help="measurements in a row per pair (ratio is run 2 / run 1; max/min over all)")
    parser.add_argument("--pairs", type=int, default=1, help="how many times to repeat the pair; a summary of the ratios follows")
    parser.add_argument("--no-prime", action="store_true", help="skip the untimed first measurement that `assess` makes on a GPU")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    model = DeploymentModel(args.depth, args.width, args.heads, args.vocab, args.length)
    env = environment(device, args.dtype)
    print(f"# {env.device} ({env.device_name}), {env.threads} threads, {env.dtype}, torch {env.torch_version}, batch {args.batch}, {args.mode}")
    print(f"# model: depth {args.depth}, width {args.width}, heads {args.heads}, length {args.length}, vocab {args.vocab}")
    if not args.no_prime:
        prime_gpu(model, args.batch, args.dtype, device, args.mode)  # as `assess` does; a no-op on the CPU
    ratios = []
    for pair in range(1, args.pairs + 1):
        print(f"pair {pair}:")
        results = measure_pair(model, args, device)
        ratios.append(results[1]["p50_ms"] / results[0]["p50_ms"])
        print(f"  p50 ratio run2/run1: {ratios[-1]:.3f} ({'within' if within(ratios[-1]) else 'outside'} 5%)")
        if len(results) > 2:
            p50s = [r["p50_ms"] for r in results]
            print(f"  p50 max/min over {len(p50s)} runs: {max(p50s) / min(p50s):.3f}")
    if args.pairs > 1:
        ordered = sorted(ratios)
        print(f"{len(ratios)} pairs: p50 within 5% in {sum(map(within, ratios))}; ratio min {ordered[0]:.3f}, median {ordered[len(ordered) // 2]:.3f}, max {ordered[-1]:.3f}")
        print("ratios: " + ", ".join(f"{r:.3f}" for r in ratios))

if __name__ == "__main__":
    torch.manual_seed(0)
    main()
