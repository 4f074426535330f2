"""The words of the reports: every kind the stages produce has words in both languages, looked up by kind."""

from __future__ import annotations

import pytest

from feasibility.reports import words
from feasibility.vocabulary import STOP_REASONS, TRAINED_VERDICTS, UNTRAINED_VERDICTS


@pytest.mark.parametrize("lang", words.LANGUAGES)
def test_every_stop_reason_and_verdict_has_words_in_each_language(lang):
    said = [words.stop_reason(reason, 400, lang) for reason in STOP_REASONS]
    assert all(text and text not in STOP_REASONS for text in said) and len(set(said)) == len(said)
    assert all(words.label(f"v_{verdict}", lang) for verdict in TRAINED_VERDICTS + UNTRAINED_VERDICTS)


def test_an_alternative_is_worded_by_its_kind_and_an_unknown_kind_is_refused():
    rec = {"percentile": 95, "budget_ms": 10.0}
    option = {"kind": "deeper_probes", "upto": 5}
    assert words.alternative(option, rec, "en") == "probe deeper models (probe.depths up to 5 layers)"
    assert words.alternative(option, rec, "ja") == "より深いプローブを試す（probe.depths に 5 層まで含める）。"
    assert set(words.ALTERNATIVES) >= {"narrower", "split_passes", "settle_at_length", "more_time", "more_training"}
    with pytest.raises(ValueError, match="unknown alternative 'teleport'"):
        words.alternative({"kind": "teleport"}, rec, "en")


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
    {"kind": "settle_at_length", "depth": 1, "length": 512, "steps": 6000, "seconds_here": 5400.0, "seconds_gpu": 300.0, "gpu": "A100"},
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
    assert all(f'"kind": "{kind}"' in made for kind in kinds)  # every kind here is one the decision makes
    sentences = [words.risk(item, lang) for item in RISKS] + [words.question(item, lang) for item in QUESTIONS]
    assert all(text and "{" not in text and "}" not in text and "_" not in text.split("(")[0] for text in sentences)
    assert len(set(sentences)) == len(sentences)
    assert ("の 95% 信頼区間 9.5 ms〜10.4 ms" if lang == "ja" else "The 95% interval of the latency of 3 layers, 9.5 ms to 10.4 ms") in sentences[15]
    with pytest.raises(ValueError, match="unknown risk 'meteor'"):
        words.risk({"kind": "meteor"}, lang)
    with pytest.raises(ValueError, match="unknown question 'why'"):
        words.question({"kind": "why"}, lang)
