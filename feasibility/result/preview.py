"""What `assess` would do for a task, found without training (run/preview.py builds it; `feasibility plan` and
`assess --dry-run` show it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class DepthPlan:
    depth: int
    action: str  # "train", "resume" (from a checkpoint), "cached" (a finished probe is there) or "ruled_out" (costed only)
    resume_step: int | None = None
    estimate_s: float | None = None  # at most: the steps left at the timed pace, capped by the clock (a stop rule may end it sooner)


@dataclass
class Preview:
    name: str
    hops: int
    lower_bound: int
    upper_bound: int
    task_length: int
    probe_length: int
    length_rule: str  # "auto" (chosen from timed steps) or "explicit"
    length_times: list[dict]  # with "auto": the seconds per step measured at each candidate length
    train_device: str
    threads: int | None
    seeds: int
    max_steps: int
    time_budget_s: float
    seconds_per_step: float  # timed now, at the probe length and `timed_depth`, all seeds batched
    timed_depth: int  # the deepest depth that trains (the deepest planned where none does)
    cache: str | None
    depths: list[DepthPlan] = field(default_factory=list)

    @property
    def estimate_s(self) -> float:
        """The most the training could take: every depth still to train run to its step budget (each capped by
        the clock), at the timed pace. The search stops at the first depth that learns, and a probe at chance stops
        at half its budget, so a run usually takes less."""
        return sum(d.estimate_s for d in self.depths if d.estimate_s is not None)

    def to_dict(self) -> dict:
        return {**asdict(self), "estimate_s": self.estimate_s}
