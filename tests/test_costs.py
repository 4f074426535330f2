"""The typed costs of a depth (result/costs.py) and their JSON edge: every saved result keeps its keys, their
order and what it lacks, so it re-renders byte for byte."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

from feasibility.result.record import ABSENT
from feasibility.result.costs import DepthCost, FlopFigures, LatencyFigures, MemoryFigures, MoneyFigures

DATA = Path(__file__).parent / "data"


def saved_costs() -> list[dict]:
    return [cost for name in ("example.json", "rework.json") for cost in json.loads((DATA / name).read_text(encoding="utf-8"))["costs"]]


def test_every_saved_cost_round_trips_to_the_same_json():
    for cost in saved_costs():
        assert json.dumps(DepthCost.from_dict(cost).to_dict()) == json.dumps(cost)


def test_an_unknown_key_a_null_and_a_missing_key_stay_as_they_were_read():
    cost = copy.deepcopy(saved_costs()[0])
    cost["latency"] = {"from_a_later_version": [1, 2], **cost["latency"]}
    cost["flops"]["served_counter_macs"] = None
    del cost["latency"]["noisy"]
    typed = DepthCost.from_dict(cost)
    assert typed.latency.extra == {"from_a_later_version": [1, 2]} and typed.latency.noisy is ABSENT and typed.latency.known("noisy") is None
    assert typed.flops.served_counter_macs is None and "served_counter_macs" in typed.to_dict()["flops"]
    assert json.dumps(typed.to_dict()) == json.dumps(cost)


def test_a_measured_cost_is_written_in_the_order_assess_writes_it_and_without_what_it_lacks():
    cost = DepthCost(
        depth=2,
        flops=FlopFigures(macs_per_request=10, flops_per_request=20, by_part_macs={"mlp": 10}, parameters=5),
        latency=LatencyFigures.from_dict({"p50_ms": 1.0, "p95_ms": 1.5, "p99_ms": 2.0, "runs": 30}),
        memory=MemoryFigures(parameter_bytes=20, peak_request_bytes=40, peak_request_is_estimate=True),
        money=MoneyFigures(throughput_requests_per_s=1000.0),
    )
    data = cost.to_dict()
    assert list(data) == ["depth", "flops", "latency", "memory", "money"]
    assert list(data["flops"]) == ["macs_per_request", "flops_per_request", "by_part_macs", "parameters"]
    assert data["money"] == {"throughput_requests_per_s": 1000.0}  # no price in the task file: no cost keys, not nulls
    assert cost.latency.at(95) == 1.5 and cost.latency.interval(95) is None
    assert cost.money.known("cost_per_million_requests") is None


def test_absent_stays_absent_through_copies_and_pickles():
    latency = LatencyFigures(p50_ms=1.0)
    for again in (copy.copy(latency), copy.deepcopy(latency), pickle.loads(pickle.dumps(latency))):
        assert again.noisy is ABSENT and again.to_dict() == {"p50_ms": 1.0}
