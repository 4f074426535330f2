"""The words of the reports: every kind the stages produce has words in both languages, looked up by kind."""

from __future__ import annotations

import pytest

from feasibility.reports import words
from feasibility.result.recommendation import Finding, Recommendation
from feasibility.vocabulary import STOP_REASONS, TRAINED_VERDICTS, UNTRAINED_VERDICTS


REC = Recommendation(decision="recommended", depth=3, hops=2, target=0.99, budget_ms=10.0, percentile=95)


def finding(item: dict) -> Finding:
    """A risk, question or alternative as the decision stage makes it, from its JSON form."""
    return Finding(item["kind"], {key: value for key, value in item.items() if key != "kind"})


@pytest.mark.parametrize("lang", words.LANGUAGES)
def test_every_stop_reason_and_verdict_has_words_in_each_language(lang):
    said = [words.stop_reason(reason, 400, lang) for reason in STOP_REASONS]
    assert all(text and text not in STOP_REASONS for text in said) and len(set(said)) == len(said)
    assert all(words.label(f"v_{verdict}", lang) for verdict in TRAINED_VERDICTS + UNTRAINED_VERDICTS)


def test_an_alternative_is_worded_by_its_kind_and_an_unknown_kind_is_refused():
    rec = REC
    option = Finding("deeper_probes", {"upto": 5})
    assert words.alternative(option, rec, "en") == "probe deeper models (probe.depths up to 5 layers)"
    assert words.alternative(option, rec, "ja") == "より深いプローブを試す（probe.depths に 5 層まで含める）。"
    assert set(words.ALTERNATIVES) >= {"narrower", "split_passes", "settle_at_length", "more_time", "more_training"}
    with pytest.raises(ValueError, match="unknown alternative 'teleport'"):
        words.alternative(Finding("teleport"), rec, "en")


RISKS = [
    {"kind": "shortened", "probe_length": 32, "task_length": 128},
    {"kind": "shortened", "probe_length": 32, "task_length": 128, "accuracy": 0.9961, "lower_bound": 0.994, "holds": True},
    {"kind": "shortened", "probe_length": 32, "task_length": 128, "accuracy": 0.61, "lower_bound": None, "holds": False},
    {"kind": "full_length", "probe_length": 64},
    {"kind": "longer_than_probed", "task_length": 4096, "judged_length": 2048},
    {"kind": "contradicts_bound", "depths": [1, 2]},
    {"kind": "too_slow", "depths": [3], "time_budget_s": 240.0},
    {"kind": "small_probes", "probe_width": 64},
    {"kind": "tight_margin", "margin_ms": 0.4123, "budget_ms": 10.0},
    {"kind": "noisy_latency", "depths": [1, 3]},
    {"kind": "unsteady_machine", "depth": 2, "passes_p50_ms": [6.2, 7.9], "drift": 0.274},
]
QUESTIONS = [
    {"kind": "target", "target": 0.99},
    {"kind": "hardware", "device": "cpu", "threads": 1},
    {"kind": "index_instead"},
    {"kind": "margin", "margin_ms": 3.21, "budget_ms": 10.0},
    {"kind": "measure_on_target", "depth": 3, "interval_ms": [9.5, 10.4], "budget_ms": 10.0},
    {"kind": "which_alternative", "needed": 1, "latency_ms": 14.5, "budget_ms": 12.0},
    {"kind": "fund_longer_run"},
    {"kind": "settle_at_length", "depth": 1, "length": 512, "steps": 6000, "seconds_here": 5400.0, "timed_length": 32, "seconds_gpu": 300.0, "gpu": "A100", "gpu_measured": "2026-11-28"},
    {"kind": "full_length_run", "probe_length": 32, "task_length": 512},
    {"kind": "real_data"},
]


@pytest.mark.parametrize("lang", words.LANGUAGES)
def test_every_risk_and_question_kind_is_a_sentence_of_its_language_looked_up_by_kind(lang):
    """Each kind the decision stage produces has its sentence in en.py and ja.py (risk_<kind>, q_<kind>), every figure
    filled in; a kind with no sentence is refused, not printed as its name."""
    from pathlib import Path

    made = (Path(words.__file__).parent.parent / "decide" / "recommend.py").read_text(encoding="utf-8")
    kinds = {item["kind"] for item in RISKS + QUESTIONS}
    assert all(f'Finding("{kind}"' in made for kind in kinds)  # every kind here is one the decision makes
    sentences = [words.risk(finding(item), lang) for item in RISKS] + [words.question(finding(item), lang) for item in QUESTIONS]
    assert all(text and "{" not in text and "}" not in text and "_" not in text.split("(")[0] for text in sentences)
    assert len(set(sentences)) == len(sentences)
    assert ("の 95% 信頼区間 9.5 ms〜10.4 ms" if lang == "ja" else "The 95% interval of the latency of 3 layers, 9.5 ms to 10.4 ms") in sentences[15]
    with pytest.raises(ValueError, match="unknown risk 'meteor'"):
        words.risk(Finding("meteor"), lang)
    with pytest.raises(ValueError, match="unknown question 'why'"):
        words.question(Finding("why"), lang)


OPTIONS = [
    {"kind": "deepest_within_budget", "layers": 0, "needed": 3},
    {"kind": "deepest_within_budget", "layers": 11, "needed": 3, "measured_upto": 3, "measured_points": 3},
    {"kind": "deepest_within_budget", "layers": 2, "needed": 3},
    {"kind": "narrower", "depth": 3, "width": 96, "from_width": 128, "latency_ms": 8.123},
    {"kind": "wider_fewer_layers", "depth": 2, "width": 256, "latency_ms": 12.5},
    {"kind": "split_passes", "passes": 2, "depth": 3, "hops_per_pass": 2, "latency_ms": 9.0, "fits": True},
    {"kind": "fewer_hops", "hops": 3, "latency_ms": 1.4},
    {"kind": "fewer_hops", "hops": 2},
    {"kind": "more_time", "time_budget_s": 240.0, "steps": 845, "max_steps": 1500},
    {"kind": "more_training", "steps": 2000, "train_s": 146.3, "time_budget_s": 240.0, "max_steps": 2000},
    {"kind": "settle_at_length", "depth": 3, "length": 512, "steps": 6000, "seconds_here": 5400.0, "seconds_gpu": 300.0, "gpu": "A100", "timed_length": 32, "gpu_measured": "H200 at 256 tokens"},
    {"kind": "deeper_probes", "upto": 5},
]


@pytest.mark.parametrize("lang", words.LANGUAGES)
def test_every_alternative_kind_is_a_sentence_of_its_language_with_its_figures(lang):
    rec = REC
    assert {option["kind"] for option in OPTIONS} == set(words.ALTERNATIVES)
    sentences = [words.alternative(finding(option), rec, lang) for option in OPTIONS]
    assert all("{" not in text and "}" not in text for text in sentences) and len(set(sentences)) == len(sentences)
    over = "予算超過" if lang == "ja" else "over budget"
    assert over in sentences[4] and ("12.5 ms" in sentences[4])  # 12.5 ms against a 10 ms budget
    far = "頼る前にその深さで測ること" if lang == "ja" else "carried far beyond them"
    assert far in sentences[1] and far not in sentences[2]
