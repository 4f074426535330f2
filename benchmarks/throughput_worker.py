"""One throughput measurement, run in a subprocess by `probe_benchmark.py --throughput-only`, against whichever
`feasibility` is first on PYTHONPATH (this checkout's, or a baseline commit's extracted by the benchmark).

It trains the recipe's probes (2 lookups, 3 seeds, the running checks every 50 steps and head scores included,
as `assess` trains them) for a fixed number of steps that cannot meet the target, and prints one JSON line:
steps, the training loop's wall time (the verdict's evaluation after it is not counted) and probe-steps per
second (seeds x steps / s). It uses only the API that both versions have (`train_probes`).
"""

from __future__ import annotations

import argparse
import json
import math

import torch

from feasibility.spec import layout
from feasibility.probes.model import ProbeConfig
from feasibility.plan.tasks import ChainedRetrieval
from feasibility.probes.train import TrainSettings, train_probes


def recipe(length: int, depth: int, steps: int):
    """The probes this benchmark trains: the task (2 lookups), the probe and the training settings."""
    shape = ChainedRetrieval(hops=2, length=length, symbols=math.ceil(1.25 * layout.symbols_used(2, 128)))
    config = ProbeConfig(shape.vocab_size, shape.sequence_length, depth, 64, 4, 0)
    settings = TrainSettings(
        target_accuracy=0.99, max_steps=steps, time_budget_s=1e9, batch_size=64, learning_rate=2e-3, warmup_steps=300,
        eval_every=50, check_questions=1024, verdict_questions=64,
    )
    return shape, config, settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, required=True)
    parser.add_argument("--depth", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    shape, config, settings = recipe(args.length, args.depth, args.steps)
    run = train_probes(shape, config, list(range(args.seeds)), settings)
    print(json.dumps({"length": args.length, "depth": args.depth, "steps": run.steps, "wall_s": run.wall_s, "probe_steps_per_s": args.seeds * run.steps / run.wall_s}))


if __name__ == "__main__":
    main()
