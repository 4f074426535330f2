"""Where one training step's time goes, on this machine: the parts of `Trainer.step` and of one attention layer's
forward pass, each timed with `time.perf_counter` around it, for the recipe's probes as
`probe_benchmark.py --throughput-only` trains them (2 lookups, 3 seeds, batch 64, width 64, 4 heads).

It replays the step's own calls in the same order (the same data, model and optimiser; only the clock reads are
added), so the parts add up to about one step. Run nothing else meanwhile: two torch jobs at once slow each other.

  python benchmarks/step_profile.py                 # depth 4 at 32 tokens, the example's probe length
  python benchmarks/step_profile.py --depth 3 --length 128
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import time

import torch
from throughput_worker import recipe  # the very probes the throughput benchmark trains

from feasibility.probes import model as probe
from feasibility.plan.jobs import ProbeJob, task_dict
from feasibility.plan.tasks import IGNORE
from feasibility.probes.train import Trainer, _clip_per_member, _loss_sums, learning_rate_factor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--length", type=int, default=32)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    shape, config, settings = recipe(args.length, args.depth, steps=10**6)
    trainer = Trainer(ProbeJob(task=task_dict(shape), config=config, settings=settings, seeds=(0, 1, 2)))
    spent: dict[str, float] = collections.defaultdict(float)

    def timed(name: str, started: float) -> float:
        now = time.perf_counter()
        spent[name] += now - started
        return now

    def attention_forward(self, x, batch, skipped=None):  # probe.Attention.forward (training branch, plain positions), with clock reads
        assert skipped is None, "these probes train on plain positions"
        clock = time.perf_counter()
        ensemble, rows, width = x.shape
        length, head_size = rows // batch, width // self.heads
        q, k, v = self.qkv(x).split(width, dim=-1)
        clock = timed("layer: q/k/v product", clock)
        q = q.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3) / math.sqrt(head_size)
        k = k.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        v = v.view(ensemble, batch, length, self.heads, head_size).transpose(2, 3)
        table = probe._bucket_table(int(length), self.reach, str(x.device))
        bias = torch.matmul(self.distance_bias, table).view(ensemble, 1, self.heads, length, length) + self.blocked
        clock = timed("layer: head views, position bias", clock)
        scores = torch.matmul(q, k.transpose(-2, -1)) + bias
        clock = timed("layer: q.k^T (with the copies into head order) + bias", clock)
        pattern = self.pattern(torch.softmax(scores, dim=-1))
        clock = timed("layer: softmax", clock)
        y = torch.matmul(pattern, v).transpose(2, 3).reshape(ensemble, rows, width)
        clock = timed("layer: pattern.v, back to token order", clock)
        out = self.proj(y)
        timed("layer: output projection", clock)
        return out

    def step() -> None:  # Trainer.step for one part (the whole batch at 32 tokens), with clock reads between its parts
        loop = trainer.loop
        clock = time.perf_counter()
        batch = trainer.next_batch()
        clock = timed("step: drawing examples", clock)
        supervised = (batch.targets != IGNORE).flatten(1).sum(-1).clamp(min=1)
        trainer.optimiser.zero_grad()
        logits, targets = trainer._supervised_logits(batch.tokens, batch.targets)
        losses = _loss_sums(logits, targets) / supervised
        clock = timed("step: forward", clock)
        torch.where(loop.alive, losses, torch.zeros_like(losses)).sum().backward()
        clock = timed("step: backward", clock)
        _clip_per_member(trainer.model, loop.alive, settings.grad_clip)
        clock = timed("step: clipping", clock)
        trainer.optimiser.set_lr(learning_rate_factor(loop.step, settings, loop.decay_from))
        trainer.optimiser.step()
        timed("step: optimiser", clock)
        loop.step += 1

    if trainer.micro < settings.batch_size:
        raise SystemExit(f"at {args.length} tokens the batch trains in parts of {trainer.micro}; this profile replays one part only: use a shorter length")
    original = probe.Attention.forward
    probe.Attention.forward = attention_forward
    try:
        for _ in range(5):
            step()
        spent.clear()
        started = time.perf_counter()
        for _ in range(args.steps):
            step()
        per_step_ms = (time.perf_counter() - started) / args.steps * 1e3
        clock = time.perf_counter()
        trainer.check()
        check_ms = (time.perf_counter() - clock) * 1e3
    finally:
        probe.Attention.forward = original
    parts = {name: round(seconds / args.steps * 1e3 / (args.depth if name.startswith("layer") else 1), 3) for name, seconds in spent.items()}
    print(json.dumps({
        "depth": args.depth, "tokens": args.length, "threads": args.threads, "steps": args.steps,
        "step_ms": round(per_step_ms, 2),
        "parts_ms": parts,  # "step: ..." per step; "layer: ..." per layer, forward only (inside "step: forward")
        "running_check_ms": round(check_ms, 1), "running_check_share_over_eval_every": round(check_ms / (settings.eval_every * per_step_ms), 4),
    }, indent=1))


if __name__ == "__main__":
    main()
