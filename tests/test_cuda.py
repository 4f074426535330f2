"""The CUDA path on a real GPU: skipped where torch sees none (CI has none; run them on a GPU machine)."""

from __future__ import annotations

import pytest
import torch

from feasibility.costs.analytic import DeploymentModel, parameter_count
from feasibility.costs.measure import measure_latency, peak_cuda_bytes, time_forward

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

MODEL = DeploymentModel(depth=2, width=128, heads=4, vocab_size=512, sequence_length=64)


@pytest.mark.parametrize("mode", ["eager", "cuda-graph"])
def test_latency_on_cuda_names_device_and_mode(mode):
    latency = measure_latency(MODEL, 4, "float32", "cuda", mode=mode, min_runs=20, min_duration_s=0.2)
    summary = latency.summary()
    assert summary["mode"] == mode
    assert summary["runs"] >= 20
    assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]


def test_cuda_graph_replay_computes_what_eager_computes():
    """The captured graph must run the same forward pass, or its timing would describe another program."""
    from feasibility.probes.model import ProbeModel

    module = ProbeModel(MODEL.probe_config()).cuda().eval()
    tokens = torch.randint(MODEL.vocab_size, (1, 2, MODEL.sequence_length), device="cuda")
    with torch.inference_mode():
        expected = module(tokens).clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            module(tokens)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            out = module(tokens)
        tokens.copy_(tokens)
        graph.replay()
        torch.cuda.synchronize()
    torch.testing.assert_close(out, expected)


def test_synchronised_clock_holds_the_gpu_work():
    """Timing with synchronisation must cover the kernels' run time, as CUDA events measure it."""
    a = torch.randn(4096, 4096, device="cuda")

    def run():
        a @ a

    timed = time_forward(run, 1, min_runs=10, min_duration_s=0.2, synchronise=torch.cuda.synchronize)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(10):
        run()
    end.record()
    torch.cuda.synchronize()
    event_ms = start.elapsed_time(end) / 10
    assert timed.p50_ms >= 0.9 * event_ms
    unsynchronised = time_forward(run, 1, min_runs=10, min_duration_s=0.0, max_runs=10)
    assert unsynchronised.p50_ms < timed.p50_ms  # without synchronising only the launch is timed


def test_peak_memory_is_measured_and_holds_the_weights():
    peak = peak_cuda_bytes(MODEL, 4, "float32")
    assert peak >= 4 * parameter_count(MODEL)


def test_assess_on_cuda_records_device_mode_and_measured_memory(write_spec, tmp_path):
    from typer.testing import CliRunner

    from feasibility.run.pipeline import load_assessment
    from feasibility.cli import app
    from conftest import TINY_SPEC

    spec = write_spec(TINY_SPEC.replace("device: cpu", "device: cuda\n  mode: cuda-graph"))
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["assess", str(spec), "--out", str(out), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    saved = load_assessment(out / "report.json")
    assert saved.environment.device == "cuda"
    for cost in saved.costs:
        assert cost["latency"]["mode"] == "cuda-graph" and len(cost["latency"]["passes_p50_ms"]) == 2
        assert cost["memory"]["peak_request_is_estimate"] is False
    assert "cuda-graph" in (out / "report.md").read_text()
