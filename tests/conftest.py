"""Shared fixtures: a tiny valid task file, and a helper to write task files."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_SPEC = """\
name: tiny
description: a two-hop task small enough to assess in seconds
task:
  kind: chained_retrieval
  sequence_length: 32
  hops: 2
requirements:
  accuracy: 0.9
  latency_ms: 1000
  latency_percentile: 95
  batch_size: 1
deployment:
  width: 32
  heads: 2
  vocab_size: 64
  dtype: float32
  device: cpu
  cost_per_device_hour: 1.0
  requests_per_day: 1000
probe:
  depths: [1, 2]
  seeds: 2
  time_budget_s: 60
  max_steps: 150
"""


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write `text` to a task file in a fresh folder and return its path."""

    def write(text: str, name: str = "task.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_spec(write_spec) -> Path:
    return write_spec(TINY_SPEC)
