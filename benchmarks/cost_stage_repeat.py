"""Does the cost half of the decision hold from run to run? Takes a saved report.json (the bundled example's,
say), keeps its probes and verdicts, and runs the cost stage (`assess.measure_costs`, as `assess` runs it)
`--runs` times for each of three latency budgets: the file's own, 5% above and 5% below the p95 (the file's
percentile) of the depth the first run's decision names. Prints each run's decision, its depth, latency and
95% interval, as one JSON object. Bar: for each budget, no two runs contradict each other (one saying the
depth fits the budget, another that it does not); a run may instead say "too close to call".

    python benchmarks/cost_stage_repeat.py example-report/report.json [--runs 5]

Run it alone on the machine (no other torch job)."""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

from feasibility.run.pipeline import load_assessment, measure_costs, settle
from feasibility.run.search import Events
from feasibility.spec.task import validate


def decide(assessment, budget: float, device: str) -> dict:
    spec_dict = copy.deepcopy(assessment.spec)
    spec_dict["requirements"]["latency_ms"] = budget
    spec = validate({k: v for k, v in spec_dict.items() if k != "source"}, "report.json")
    costs, fit, _ = measure_costs(spec, tuple(c.depth for c in assessment.costs), device, Events())
    again = copy.copy(assessment)
    again.spec, again.costs, again.latency_fit = spec.to_dict(), costs, fit
    rec = settle(again).recommendation
    return {"budget_ms": round(budget, 4), "decision": rec.decision, "depth": rec.reference_depth, "latency_ms": rec.latency_ms, "ci95_ms": rec.latency_ci95_ms}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("result", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    assessment = load_assessment(args.result)
    device = assessment.environment.device
    started = time.perf_counter()
    own = assessment.spec["requirements"]["latency_ms"]
    first = decide(assessment, own, device)
    measured = first["latency_ms"]
    budgets = {"file": own, "p95 + 5%": measured * 1.05, "p95 - 5%": measured * 0.95}
    report = {}
    for name, budget in budgets.items():
        runs = [first] if name == "file" else []
        while len(runs) < args.runs:
            runs.append(decide(assessment, budget, device))
        decisions = {r["decision"] for r in runs}
        # fails only where one run says the depth fits and another that it does not; "too close to call" beside
        # either is the report declining to decide on noise, which is what it should do
        report[name] = {"runs": runs, "decisions": sorted(decisions), "holds": not {"recommended", "none_within_budget"} <= decisions}
    print(json.dumps({"result": str(args.result), "measured_p_ms": measured, "budgets": report, "wall_s": round(time.perf_counter() - started, 1)}, indent=1))


if __name__ == "__main__":
    main()
