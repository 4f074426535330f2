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
