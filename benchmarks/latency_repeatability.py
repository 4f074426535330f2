"""Do latency ratios between depths repeat on this machine? In one invocation: 10 pairs of interleaved
measurements (`measure.measure_interleaved`, as `assess` times) of the served model at depths 1-3 at the
bundled example's size (width 128, 4 heads, vocabulary 2,048, 128 tokens, batch 1, float32, CPU). For each
measurement, the ratio of depth 3's p50 to depth 1's; a pair agrees when its two ratios are within 5% of
each other. Bar: at least 8 of the 10 pairs agree. Prints one JSON object (absolute p50s included, to show
how much they move while the ratios hold).

    python benchmarks/latency_repeatability.py [--pairs 10] [--tolerance 0.05]

Run it alone on the machine (no other torch job)."""

from __future__ import annotations

import argparse
import json
import time

import torch

from feasibility.costs.analytic import DeploymentModel
from feasibility.costs.measure import measure_interleaved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--tolerance", type=float, default=0.05)
    args = parser.parse_args()
    models = {depth: DeploymentModel(depth, 128, 4, 2048, 128) for depth in (1, 2, 3)}
    started = time.perf_counter()
    pairs = []
    for pair in range(args.pairs):
        runs = []
        for run in range(2):
            latency = measure_interleaved(models, 1, "float32", "cpu", seed=2 * pair + run)
            p50 = {depth: latency[depth].p50_ms for depth in models}
            runs.append({"p50_ms": {d: round(v, 4) for d, v in p50.items()}, "ratio_3_to_1": round(p50[3] / p50[1], 4)})
        first, second = runs[0]["ratio_3_to_1"], runs[1]["ratio_3_to_1"]
        pairs.append({"runs": runs, "ratio_difference": round(abs(first / second - 1), 4), "agree": abs(first / second - 1) <= args.tolerance})
    agreeing = sum(p["agree"] for p in pairs)
    print(
        json.dumps(
            {
                "size": "width 128, 4 heads, vocab 2048, 128 tokens, batch 1, float32, cpu",
                "threads": torch.get_num_threads(),
                "pairs_agreeing": agreeing,
                "pairs": len(pairs),
                "tolerance": args.tolerance,
                "bar_met": agreeing >= 0.8 * len(pairs),
                "wall_s": round(time.perf_counter() - started, 1),
                "detail": pairs,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
