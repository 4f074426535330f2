"""The words results are made of, one home for each: the verdicts a depth gets, the decisions a report leads with,
the reasons training stops, the timing modes and the default currency. The stages that produce them and the
renderers that word them (reports/words.py) all read them from here; the values are the strings report.json holds.
"""

from __future__ import annotations


class Verdict:
    """What one depth's probes showed (result.probes.judge), or why the depth was not trained."""

    LEARNED = "learned"
    NOT_LEARNED = "not_learned"
    BELOW_BOUND = "below_bound"  # learned, below the theory's floor: the task is easier than it claims
    TOO_SLOW = "too_slow"  # the clock cap cut training short of the step budget
    DIVERGED = "diverged"
    SKIPPED = "skipped"  # not trained: a shallower depth learned
    RULED_OUT = "ruled_out"  # not trained: below the theory's floor


TRAINED_VERDICTS = (Verdict.BELOW_BOUND, Verdict.LEARNED, Verdict.NOT_LEARNED, Verdict.TOO_SLOW, Verdict.DIVERGED)
UNTRAINED_VERDICTS = (Verdict.SKIPPED, Verdict.RULED_OUT)


class Decision:
    """The one-sentence answer at the top of every report (decide.recommend)."""

    RECOMMENDED = "recommended"
    NOT_SHOWN_AT_LENGTH = "not_shown_at_length"
    NONE_WITHIN_BUDGET = "none_within_budget"
    TOO_CLOSE_TO_CALL = "too_close_to_call"
    NOT_LEARNED = "not_learned"


DECISIONS = (Decision.RECOMMENDED, Decision.NOT_SHOWN_AT_LENGTH, Decision.NONE_WITHIN_BUDGET, Decision.TOO_CLOSE_TO_CALL, Decision.NOT_LEARNED)


class Stop:
    """Why a probe's training ended (probes.train.Trainer.train)."""

    TARGET_MET = "target met"
    TIME_BUDGET = "time budget"
    STEP_CAP = "step cap"
    PLATEAU = "plateau"
    AT_CHANCE = "at chance"
    DIVERGED = "diverged"


STOP_REASONS = (Stop.TARGET_MET, Stop.TIME_BUDGET, Stop.STEP_CAP, Stop.PLATEAU, Stop.AT_CHANCE, Stop.DIVERGED)
MODES = ("eager", "cuda-graph")  # how the served model is timed: op by op, or one forward pass replayed as a CUDA graph
DEVICES = ("auto", "cpu", "cuda")
DEFAULT_CURRENCY = "USD"  # of deployment.cost_per_device_hour, where a task file names none
