"""What training costs, estimated before it runs: the run that would settle a depth at the task's length, here
and on a GPU, from the step times the plan measured (plan/probe_plan.py, `choose_length`) and one GPU figure.
"""

from __future__ import annotations

from feasibility.plan.probe_plan import STEP_OVERHEAD, step_cost
from feasibility.result.recommendation import SettlingRun
from feasibility.result.spec import SavedPlan

# The one GPU figure measured so far (benchmarks/gpu_check.sh, NVIDIA H200, torch 2.11, 2026-11-28): 120.6 probe-steps/s
# at depth 4, 256 tokens, width 64, 3 seeds of batch 64. A run at another depth and length is estimated from it.
GPU_REFERENCE = {"device": "NVIDIA H200", "steps_per_s": 120.6, "depth": 4, "length": 256, "measured": "2026-11-28"}


def settling_run(plan: SavedPlan, depth: int) -> SettlingRun | None:
    """The run that would show whether `depth` holds at the task's length: its probes trained at that length for the
    plan's step budget, with its time estimated here (from the step times `choose_length` measured, scaled by
    `step_cost`) and on a GPU (from GPU_REFERENCE, scaled by depth, and by `step_cost` above its length). None
    when nothing was timed."""
    length, steps = plan.task_sequence_length, plan.max_steps
    measured = plan.measured_steps
    if not measured:
        return None
    timed = max(measured, key=lambda m: m["length"])  # the longest length timed here, at the deepest planned depth
    timed_depth = plan.length_choice.get("depth") or depth
    per_step = timed["seconds_per_step"] * depth / timed_depth * step_cost(length) / step_cost(timed["length"])
    gpu = GPU_REFERENCE
    # a GPU step at this size is mostly kernel launches (per layer), so it gets no cheaper below the measured length
    gpu_per_step = depth / gpu["depth"] * max(1.0, step_cost(length) / step_cost(gpu["length"])) / gpu["steps_per_s"]
    return SettlingRun(
        depth=depth, length=length, steps=steps, seconds_here=steps * per_step * STEP_OVERHEAD, timed_length=timed["length"],
        seconds_gpu=steps * gpu_per_step * STEP_OVERHEAD, gpu=gpu["device"], gpu_measured=gpu["measured"],
    )
