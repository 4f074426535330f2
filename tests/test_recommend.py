"""The decision from hand-altered copies of one real result: each branch, each alternative, the frontier."""

from __future__ import annotations

import copy

from feasibility.assess import load_assessment
from feasibility.recommend import frontier, learned_hops, recommend
from feasibility.wording import LANGUAGES, alternative, headline, question, risk
from test_report import REWORK as DATA


def decide(mutate=lambda a: None) -> dict:
    a = copy.deepcopy(load_assessment(DATA))
    mutate(a)
    return recommend(a.spec, a.bounds, a.plan, a.verdicts, a.probes, a.costs, a.latency_fit, a.environment).to_dict()


def test_recommends_the_shallowest_learned_depth_within_budget():
    rec = decide()
    assert (rec["decision"], rec["depth"], rec["binding_constraint"]) == ("recommended", 2, None)
    assert abs(rec["latency_margin_ms"] - (30 - rec["latency_ms"])) < 1e-9
    assert rec["alternatives"] == []  # 19% margin: not tight


def test_over_budget_names_latency_and_gives_numbers():
    rec = decide(lambda a: a.spec["requirements"].update(latency_ms=20.0))
    assert (rec["decision"], rec["depth"], rec["learned_depth"], rec["binding_constraint"]) == ("none_within_budget", None, 2, "latency")
    kinds = {option["kind"]: option for option in rec["alternatives"]}
    assert kinds["deepest_within_budget"]["layers"] == 1  # capped below depth 2, measured over budget
    assert kinds["narrower"]["latency_ms"] <= 20.0 and kinds["narrower"]["width"] % 4 == 0
    assert kinds["fewer_hops"]["latency_ms"] == rec["frontier"][0]["latency_ms"]


def test_nothing_learned_binds_accuracy_and_suggests_more_training():
    def fail(a):
        for verdict in a.verdicts:
            if verdict["verdict"] == "learned":
                verdict["verdict"] = "not_learned"

    rec = decide(fail)
    assert (rec["decision"], rec["binding_constraint"]) == ("not_learned", "accuracy")
    assert [o["kind"] for o in rec["alternatives"]][:2] == ["more_training", "deeper_probes"]
    assert {"kind": "fund_longer_run"} in rec["questions"]


def test_nothing_learned_and_nothing_fits_binds_both():
    def fail(a):
        a.spec["requirements"]["latency_ms"] = 1.0
        for verdict in a.verdicts:
            verdict["verdict"] = "not_learned" if verdict["verdict"] == "learned" else verdict["verdict"]

    assert decide(fail)["binding_constraint"] == "both"


def test_split_passes_uses_what_a_shallower_probe_learned():
    def one_hop_learned(a):
        a.spec["requirements"]["latency_ms"] = 20.0
        for seed in a.probes[0]["seeds"]:
            seed["accuracy_by_hop"]["1"] = 0.995

    rec = decide(one_hop_learned)
    split = next(o for o in rec["alternatives"] if o["kind"] == "split_passes")
    assert (split["depth"], split["hops_per_pass"], split["passes"]) == (1, 1, 2)
    assert split["latency_ms"] == 2 * rec["frontier"][0]["latency_ms"] and split["fits"] is False


def test_wider_model_at_the_theoretical_minimum():
    def needs_three(a):
        a.spec["requirements"]["latency_ms"] = 20.0
        a.verdicts[1]["verdict"] = "not_learned"
        a.verdicts[2]["verdict"] = "learned"

    rec = decide(needs_three)
    wider = next(o for o in rec["alternatives"] if o["kind"] == "wider_fewer_layers")
    assert (wider["depth"], wider["width"], wider["needed"]) == (2, 512, 3)


def test_single_hop_is_said_plainly():
    def single(a):
        a.spec["task"]["hops"] = 1

    rec = decide(single)
    assert rec["single_hop"] and {"kind": "index_instead"} in rec["questions"]
    assert headline(rec, "en").startswith("One hop needs no multi-step retrieval")


def test_frontier_marks_dominated_options():
    points = [
        {"depth": 1, "accuracy": 0.2, "latency_ms": 10.0},
        {"depth": 2, "accuracy": 0.99, "latency_ms": 20.0},
        {"depth": 3, "accuracy": 0.99, "latency_ms": 30.0},
        {"depth": 4, "accuracy": None, "latency_ms": 40.0},
        {"depth": 5, "accuracy": 0.5, "latency_ms": 25.0},
    ]
    marked = {p["depth"]: p["dominated_by"] for p in frontier(points)}
    assert marked == {1: None, 2: None, 3: 2, 4: None, 5: 2}


def test_learned_hops_counts_from_one_without_gaps():
    assert learned_hops({1: 0.995, 2: 0.999, 3: 0.2}, 0.99) == 2
    assert learned_hops({"1": 0.5, "2": 0.999}, 0.99) == 0
    assert learned_hops({1: 0.99, 2: 0.99, 3: 0.99}, 0.99) == 3


def timed_twice(second_pass_at_depth_2: float):
    def mutate(a) -> None:
        for cost in a.costs:
            cost["latency"]["passes_p50_ms"] = [6.2, second_pass_at_depth_2] if cost["depth"] == 2 else [cost["latency"]["p50_ms"]] * 2

    return mutate


unsteady = timed_twice(7.9)


def test_a_machine_that_changed_speed_is_a_risk():
    assert "unsteady_machine" not in [item["kind"] for item in decide()["risks"]]  # saved before the check existed
    assert "unsteady_machine" not in [item["kind"] for item in decide(timed_twice(6.5))["risks"]]  # 4.8% apart
    rec = decide(unsteady)
    item = next(item for item in rec["risks"] if item["kind"] == "unsteady_machine")
    assert (item["depth"], item["passes_p50_ms"]) == (2, [6.2, 7.9])
    assert "depth 2 timed twice gave a p50 of 6.2 ms then 7.9 ms, 27% apart" in risk(item, "en")
    assert "27%" in risk(item, "ja") and "6.2 ms、7.9 ms で、27% 違った" in risk(item, "ja")


def test_every_kind_is_worded_in_both_languages():
    def mutations():
        yield lambda a: None
        yield lambda a: a.spec["requirements"].update(latency_ms=20.0)
        yield lambda a: [v.update(verdict="not_learned") for v in a.verdicts if v["verdict"] == "learned"]
        yield unsteady

    for mutate in mutations():
        rec = decide(mutate)
        for lang in LANGUAGES:
            assert headline(rec, lang)
            for option in rec["alternatives"]:
                assert alternative(option, rec, lang)
            for item in rec["risks"]:
                assert risk(item, lang)
            for item in rec["questions"]:
                assert question(item, lang)
