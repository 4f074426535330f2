"""Length benchmark: do probes trained short answer the D-lookup question at the task's length, and beyond?

For each task, recipe and depth it trains the plan's probes (feasibility/plan/recipe.py: width, heads, learning rate,
batch, step budget, all seeds in one batched step) at the plan's probe length and prints one row: the weakest
seed's accuracy on fresh questions (the verdict split of example space, never trained on) at each of
--lengths, with the Wilson 95% lower bound at the task's length, and the steps to learned.

Two recipes, in the same run:
- "old": the recipe of e6560b3: position buckets spaced up to the probe's length, no skipped positions, no
  length scaling, and a stop rule that reads the probe's length only (and no *at chance* rule);
- "new": the recipe `assess` uses: buckets spaced up to the longest length quoted, training on skipped
  positions (train.skipped_positions), the learned log-length scaling of q.k (probe.Attention), and a stop
  rule that also reads the task's length and stops a probe at chance for half its budget.

Both recipes have the task file's own step budget and draw from one symbol pool sized for the longest length
quoted (plan.SYMBOL_POOL_FACTOR x the symbols one example of that length draws), so every length can be
filled. With the default --lengths that is 256 tokens, so the example's row draws from a pool of 215 symbols
where `assess` draws from 110 (sized for its 128 tokens): a larger pool learns more slowly. --pool-length 128
sizes it for the example instead, and quotes no length beyond that.

With --by-distance, a second table: at the task's length, the question's accuracy (all seeds pooled) by how far
back from the question the asked chain's first statement lies, the farthest the probe must look.

"steps (probe)" is the first running check at which every seed passed at the probe's length; "steps (task)"
the step at which every seed passed at the task's length too (the new recipe's stop rule; "-" where the run
ended without it).

Example:
  python benchmarks/length_benchmark.py                      # the example and rework-fixture-lookup, 3 seeds
  python benchmarks/length_benchmark.py --tasks examples/task.yaml --depths 3 --recipes new
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from dataclasses import replace
from pathlib import Path

import torch

from feasibility.spec import layout
from feasibility.plan.bounds import depth_bounds
from feasibility.plan.jobs import plan_job
from feasibility.plan.probe_plan import make_plan
from feasibility.plan.recipe import SYMBOL_POOL_FACTOR
from feasibility.decide.verdict import judge
from feasibility.spec.task import load_spec
from feasibility.plan.tasks import draw
from feasibility.probes.train import Trainer, _evaluate_each, _questions_only

ROOT = Path(__file__).resolve().parent.parent
TASKS = [ROOT / "examples" / "task.yaml", ROOT / "profiles" / "rework-fixture-lookup.yaml"]
QUESTIONS = 1024  # fresh questions per seed and length
DISTANCES = (0, 32, 64, 128, 256)  # bucket edges, in tokens back from the question


def farthest_needed(tokens: list[int], statements: int, offset: int) -> int:
    """Tokens from the question back to the first statement of the asked chain (followed from `? X` to its ground)."""
    defined = {tokens[offset + 2 * s]: offset + 2 * s for s in range(statements)}
    position, symbol = len(tokens) - 1, tokens[-1]
    while symbol in defined:
        position = defined[symbol]
        symbol = tokens[position + 1]
    return len(tokens) - 1 - position


@torch.no_grad()
def hits_by_distance(model, sets, shape) -> dict[str, tuple[int, int]]:
    """Right answers and questions by distance bucket, all seeds pooled: {"0-31": (right, asked), ...}."""
    model.eval()
    counts: dict[str, list[int]] = {}
    for member, batch in enumerate(sets):
        for start in range(0, len(batch), 64):
            part = batch.rows(start, start + 64)
            tokens = part.tokens.unsqueeze(0).expand(model.config.ensemble, -1, -1)
            answer = model(tokens)[member, :, -1].argmax(-1)
            for row, right in zip(part.tokens.tolist(), (answer == part.targets[:, -1]).tolist()):
                back = farthest_needed(row, shape.statements, shape.offset)
                edge = max(e for e in DISTANCES if e <= back)
                name = f"{edge}-{DISTANCES[DISTANCES.index(edge) + 1] - 1}"
                counts.setdefault(name, [0, 0])
                counts[name][0] += int(right)
                counts[name][1] += 1
    model.train()
    return {name: tuple(value) for name, value in sorted(counts.items(), key=lambda item: int(item[0].split("-")[0]))}


def job_for(spec, recipe: str, depth: int, seeds: int, longest: int):
    """The plan's job of `depth`, with the pool (and, for the new recipe, the reach) sized for `longest` tokens."""
    plan = make_plan(spec, depth_bounds(spec.task.hops))
    longest = max(longest, plan.task_sequence_length)
    pool = math.ceil(SYMBOL_POOL_FACTOR * layout.symbols_used(spec.task.hops, longest))
    plan = replace(plan, seeds=tuple(range(seeds)), symbols=max(plan.symbols, pool), skip_positions=recipe == "new", length_scaling=recipe == "new")
    job = plan_job(plan, depth)
    if recipe == "new":
        return plan, replace(job, config=replace(job.config, reach=longest))
    return plan, replace(job, settings=replace(job.settings, full_length_check_every=0, chance_share=0.0))


def run_cell(spec, recipe: str, depth: int, seeds: int, lengths: list[int], pool_length: int) -> dict:
    lengths = [n for n in lengths if n <= max(pool_length, spec.task.sequence_length)]
    plan, job = job_for(spec, recipe, depth, seeds, pool_length)
    started = time.perf_counter()
    trainer = Trainer(job)
    reason = trainer.train()
    run = trainer.result(reason)
    seconds = time.perf_counter() - started
    verdict = judge(run, depth_bounds(spec.task.hops).lower, plan.target_accuracy)
    by_length = {}
    for length in lengths:
        shape = plan.shape(length)
        sets = [_questions_only(draw(shape, 0, torch.Generator().manual_seed(60_017 + seed), "verdict", queries=QUESTIONS)) for seed in job.seeds]
        evaluations = _evaluate_each(trainer.model, sets, shape.hops)
        weakest = min(evaluations, key=lambda e: e.lower_bound)
        by_length[length] = {"accuracy": weakest.query_accuracy, "lower_bound": weakest.lower_bound, "questions": weakest.questions}
    task_shape = plan.shape(plan.task_sequence_length)
    task_sets = [_questions_only(draw(task_shape, 0, torch.Generator().manual_seed(60_017 + seed), "verdict", queries=QUESTIONS)) for seed in job.seeds]
    by_distance = hits_by_distance(trainer.model, task_sets, task_shape) if task_shape.family == "chained_retrieval" else {}
    reached = [s.steps_to_target for s in run.seeds]
    return {
        "task": spec.name, "task_length": plan.task_sequence_length, "recipe": recipe, "depth": depth, "probe_length": plan.probe_sequence_length,
        "pool": plan.symbols, "reach": job.config.position_reach, "by_length": by_length, "by_distance": by_distance, "verdict": verdict.verdict,
        "steps_probe": max(reached) if all(r is not None for r in reached) else None,
        "steps_task": run.steps if reason == "target met" and job.settings.full_length_check_every else None,
        "steps": run.steps, "max_steps": plan.max_steps, "stop": reason, "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", type=Path, default=TASKS)
    parser.add_argument("--depths", nargs="+", type=int, default=[2, 3])
    parser.add_argument("--recipes", nargs="+", choices=["old", "new"], default=["old", "new"])
    parser.add_argument("--lengths", nargs="+", type=int, default=[32, 64, 128, 256])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--pool-length", type=int, help="Size the symbol pool (and the new recipe's reach) for this length [default: the longest of --lengths].")
    parser.add_argument("--by-distance", action="store_true", help="Also print accuracy by distance to the needed statements.")
    parser.add_argument("--json", type=Path, help="Also write the rows here.")
    args = parser.parse_args()
    print(f"# {platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}, {args.seeds} seeds; weakest seed on {QUESTIONS:,} fresh questions per seed and length")
    lengths = sorted(args.lengths)
    header = ["task", "recipe", "depth"] + [f"{n} tokens" for n in lengths] + ["lower bound at task", "verdict", "steps (probe)", "steps (task)", "steps run", "stop", "seconds"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    rows = []
    for path in args.tasks:
        spec = load_spec(path, {})
        for depth in args.depths:
            for recipe in args.recipes:
                row = run_cell(spec, recipe, depth, args.seeds, lengths, args.pool_length or max(lengths))
                rows.append(row)
                at_task = row["by_length"].get(row["task_length"])
                cells = [f"{row['task']} ({row['task_length']})", recipe, str(depth)]
                cells += [f"{row['by_length'][n]['accuracy']:.1%}" if n in row["by_length"] else "-" for n in lengths]
                cells += [f"{at_task['lower_bound']:.1%}" if at_task else "-", row["verdict"]]
                cells += [f"{row[k]:,}" if row[k] is not None else "-" for k in ("steps_probe", "steps_task", "steps")]
                cells += [row["stop"], f"{row['seconds']:.0f}"]
                print("| " + " | ".join(cells) + " |", flush=True)
    if args.by_distance:
        names = sorted({name for row in rows for name in row["by_distance"]}, key=lambda name: int(name.split("-")[0]))
        print("\nAt the task's length, all seeds pooled: the question's accuracy by tokens back to the asked chain's first statement (questions)\n")
        print("| task | recipe | depth | " + " | ".join(f"{name} back" for name in names) + " |")
        print("|" + "---|" * (3 + len(names)))
        for row in rows:
            cells = [f"{row['task']} ({row['task_length']})", row["recipe"], str(row["depth"])]
            for name in names:
                right, asked = row["by_distance"].get(name, (0, 0))
                cells.append(f"{right / asked:.1%} ({asked:,})" if asked else "-")
            print("| " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
