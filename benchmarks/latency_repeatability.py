"""Latency repeatability: measure the same deployment configuration twice in one run; print both and the ratio.

On an idle machine the two p50 figures should agree within 5%.

  python benchmarks/latency_repeatability.py --depth 3 --width 256 --heads 8 --length 256 --vocab 4096
"""

from __future__ import annotations

import argparse

import torch

from feasibility.measure import DeploymentModel, environment, measure_latency, resolve_device


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
    parser.add_argument("--min-duration", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    model = DeploymentModel(args.depth, args.width, args.heads, args.vocab, args.length)
    env = environment(device, args.dtype)
    print(f"# {env.device} ({env.device_name}), {env.threads} threads, {env.dtype}, torch {env.torch_version}, batch {args.batch}, eager")
    print(f"# model: depth {args.depth}, width {args.width}, heads {args.heads}, length {args.length}, vocab {args.vocab}")
    results = []
    for attempt in (1, 2):
        latency = measure_latency(model, args.batch, args.dtype, device, min_duration_s=args.min_duration).summary()
        results.append(latency)
        print(f"run {attempt}: p50 {latency['p50_ms']:.3f} ms  p95 {latency['p95_ms']:.3f} ms  p99 {latency['p99_ms']:.3f} ms  runs {latency['runs']}  spread {latency['spread_iqr_over_median']:.1%}")
    ratio = results[1]["p50_ms"] / results[0]["p50_ms"]
    print(f"p50 ratio run2/run1: {ratio:.3f} ({'within' if abs(ratio - 1) <= 0.05 else 'outside'} 5%)")


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
