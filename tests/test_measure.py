"""Cost measurement: fvcore's count equals the analytic formula; latency statistics from a fake clock."""

from __future__ import annotations

import pytest

from feasibility.result.costs import DepthCost, LatencyFigures
from feasibility.costs.measure import (
    DeploymentModel,
    Latency,
    analytic_macs,
    count_flops,
    fit_latency,
    memory_estimate,
    money,
    parameter_count,
    steadiness_of,
    time_forward,
)

CONFIGS = [
    DeploymentModel(depth=1, width=32, heads=2, vocab_size=64, sequence_length=16),
    DeploymentModel(depth=2, width=64, heads=4, vocab_size=50, sequence_length=34, mlp_ratio=0),
    DeploymentModel(depth=3, width=48, heads=3, vocab_size=100, sequence_length=40),
    DeploymentModel(depth=4, width=64, heads=8, vocab_size=128, sequence_length=24),
    DeploymentModel(depth=2, width=128, heads=4, vocab_size=1000, sequence_length=64),
    DeploymentModel(depth=6, width=16, heads=1, vocab_size=10, sequence_length=100),
]


@pytest.mark.parametrize("model", CONFIGS, ids=lambda m: f"L{m.depth}-C{m.width}-H{m.heads}-T{m.sequence_length}")
@pytest.mark.parametrize("batch", [1, 3])
def test_fvcore_count_equals_formula_and_torchs_counter_on_the_served_model(model, batch):
    counted = count_flops(model, batch)
    assert counted.macs == sum(analytic_macs(model, batch).values()) == counted.analytic_macs
    assert counted.by_part == analytic_macs(model, batch)
    assert counted.flops == 2 * counted.macs
    assert counted.parameters == parameter_count(model)
    # torch's counter on the served model counts the same projections, MLPs and head; on the CPU it has no formula
    # for the fused attention kernel (aten::_scaled_dot_product_flash_attention_for_cpu), which the report says
    assert counted.served_counter_macs == counted.macs - counted.by_part["attention scores"]
    assert counted.disagreements == [
        f"torch.utils.flop_counter on the served model: {counted.served_counter_macs:,} MACs against fvcore's {counted.macs:,} "
        "(exactly the attention scores: torch's counter has no formula for the fused attention kernel that ran here)"
    ]


def test_a_disagreement_between_counters_is_reported_not_hidden():
    from feasibility.costs.measure import FlopCount

    count = FlopCount(macs=1000, by_part={}, parameters=1, analytic_macs=1000, batch=1, served_counter_macs=800)
    assert count.disagreements == ["torch.utils.flop_counter on the served model: 800 MACs against fvcore's 1,000"]
    assert FlopCount(macs=1000, by_part={}, parameters=1, analytic_macs=1005, batch=1, served_counter_macs=None).disagreements == [
        "torch.utils.flop_counter on the served model: no count"
    ]


@pytest.mark.parametrize("model", CONFIGS[:4] + [DeploymentModel(depth=2, width=32, heads=4, vocab_size=40, sequence_length=24, mlp_ratio=0)], ids=lambda m: f"L{m.depth}-C{m.width}-mlp{m.mlp_ratio}")
def test_the_served_model_computes_what_its_counting_twin_computes(model):
    """Fused attention with a precomputed mask and the head at the answer position give the twin's logits there."""
    import torch

    from feasibility.probes.model import ProbeModel
    from feasibility.costs.served import AnswerTwin, ServedModel

    torch.manual_seed(0)
    twin = ProbeModel(model.probe_config()).eval()
    with torch.no_grad():  # weights away from their initial values, so that every part matters
        for parameter in twin.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    served = ServedModel(twin).eval()
    tokens = torch.randint(model.vocab_size, (5, model.sequence_length))
    with torch.no_grad():
        expected = AnswerTwin(twin)(tokens.unsqueeze(0))
        full = twin(tokens.unsqueeze(0))[0, :, -1]  # the probe's own logits at the last position
        got = served(tokens)
    assert got.shape == (5, model.vocab_size)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(expected, full, rtol=1e-5, atol=1e-6)


def test_attention_is_counted_in_full():
    short = DeploymentModel(depth=1, width=32, heads=2, vocab_size=8, sequence_length=10)
    long = DeploymentModel(depth=1, width=32, heads=2, vocab_size=8, sequence_length=20)
    assert count_flops(long).by_part["attention scores"] == 4 * count_flops(short).by_part["attention scores"]


class FakeClock:
    """Each run() advances time by the next scripted duration; reading the clock is free."""

    def __init__(self, durations):
        self.now = 0.0
        self.durations = list(durations)

    def __call__(self):
        return self.now

    def run(self):
        self.now += self.durations.pop(0)


def test_latency_statistics_are_exact_with_a_fake_timer():
    warmup = [9.0, 9.0]
    samples = [0.010, 0.012, 0.011, 0.013, 0.010, 0.030, 0.011, 0.012, 0.010, 0.011]
    clock = FakeClock(warmup + samples)
    latency = time_forward(clock.run, batch=2, min_runs=10, min_duration_s=0.0, warmup_runs=2, warmup_s=0.0, clock=clock)
    assert latency.samples_s == pytest.approx(samples)
    assert latency.p50_ms == pytest.approx(11.0)
    assert latency.p95_ms == pytest.approx(30.0)
    assert latency.p99_ms == pytest.approx(30.0)
    assert latency.summary()["runs"] == 10


def test_timer_runs_until_minimum_duration():
    clock = FakeClock([0.1] * 100)
    latency = time_forward(clock.run, batch=1, min_runs=3, min_duration_s=2.0, warmup_runs=0, warmup_s=0.0, clock=clock)
    assert len(latency.samples_s) == 20


def test_steadiness_is_the_widest_disagreement_between_passes():
    def costs(*passes):
        return [DepthCost(depth=depth, latency=LatencyFigures(passes_p50_ms=p50s)) for depth, p50s in enumerate(passes, 1)]

    steady = steadiness_of(costs([1.00, 1.02], [2.00, 2.08]))
    assert steady.drift == pytest.approx(0.04) and steady.depth == 2 and steady.steady
    shifted = steadiness_of(costs([6.2, 6.3], [6.2, 7.9]))  # a 2-core VM that changed speed between the passes
    assert shifted.drift == pytest.approx(7.9 / 6.2 - 1) and not shifted.steady
    assert (shifted.depth, shifted.passes_p50_ms) == (2, [6.2, 7.9])
    assert steadiness_of([DepthCost(depth=1, latency=LatencyFigures(p50_ms=5.0))]) is None  # saved before passes were kept


def test_line_fit_and_money():
    intercept, slope = fit_latency([1, 2, 3], [3.0, 5.0, 7.0])
    assert (intercept, slope) == pytest.approx((1.0, 2.0))
    cost = money(latency_p50_ms=100.0, batch=2, cost_per_device_hour=3.6, requests_per_day=72_000)
    assert cost["throughput_requests_per_s"] == pytest.approx(20.0)
    assert cost["cost_per_million_requests"] == pytest.approx(50.0)
    assert cost["cost_per_day"] == pytest.approx(3.6)


def test_memory_counts_parameter_bytes_by_dtype():
    model = CONFIGS[0]
    assert memory_estimate(model, 1000, 1, "float32")["parameter_bytes"] == 4000
    assert memory_estimate(model, 1000, 1, "bfloat16")["parameter_bytes"] == 2000


def test_an_uncounted_costly_op_is_refused():
    """A fused attention kernel that fvcore cannot count must stop the FLOP figure, not shrink it."""
    import torch
    import torch.nn.functional as F

    from feasibility.errors import MeasurementError
    from feasibility.costs.measure import fvcore_macs

    class Fused(torch.nn.Module):
        def forward(self, q):
            return F.scaled_dot_product_attention(q, q, q, is_causal=True)

    with pytest.raises(MeasurementError, match="scaled_dot_product_attention"):
        fvcore_macs(Fused(), (torch.randn(1, 2, 8, 4),))


def test_synchronise_runs_inside_the_clock():
    """On CUDA the clock must be read after synchronising, or it times only the kernel launches."""
    events = []
    clock_reads = iter(range(1000))

    def clock():
        events.append("clock")
        return float(next(clock_reads))

    latency = time_forward(lambda: events.append("run"), batch=1, min_runs=2, min_duration_s=0.0, warmup_runs=1, warmup_s=0.0, clock=clock, synchronise=lambda: events.append("sync"))
    assert len(latency.samples_s) == 2
    timed = events[events.index("sync") + 1 :]  # after the warm-up's synchronisation
    # clock (start), then per sample: clock, run, sync, clock
    assert timed[:5] == ["clock", "clock", "run", "sync", "clock"]


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    import torch

    from feasibility.errors import UsageError
    from feasibility.costs.measure import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    with pytest.raises(UsageError, match='"cuda" but torch sees no GPU'):
        resolve_device("cuda")


def test_training_compute_convention():
    from feasibility.costs.measure import training_macs

    spent = training_macs(forward_macs_per_example=100, steps=10, batch=4, seeds=2, evaluated=[(100, 15), (400, 7)])
    assert spent["macs"] == 3 * 100 * 10 * 4 * 2 + (100 * 15 + 400 * 7) * 2
    assert spent["flops"] == 2 * spent["macs"]


def test_cuda_graph_mode_needs_a_gpu():
    from feasibility.errors import MeasurementError, UsageError
    from feasibility.costs.measure import measure_latency

    model = DeploymentModel(depth=1, width=16, heads=2, vocab_size=8, sequence_length=8)
    with pytest.raises(UsageError, match='"cuda-graph" needs a GPU'):
        measure_latency(model, 1, "float32", "cpu", mode="cuda-graph")
    with pytest.raises(MeasurementError, match="deployment.mode must be one of"):
        measure_latency(model, 1, "float32", "cpu", mode="compiled")


def test_eager_latency_names_its_mode():
    from feasibility.costs.measure import measure_latency

    model = DeploymentModel(depth=1, width=16, heads=2, vocab_size=8, sequence_length=8)
    summary = measure_latency(model, 2, "float32", "cpu", min_runs=3, min_duration_s=0.0, warmup_s=0.0).summary()
    assert summary["mode"] == "eager" and summary["runs"] >= 3 and summary["batch"] == 2


def test_interleaved_timing_shuffles_the_depths_each_round_and_keeps_every_sample(monkeypatch):
    import feasibility.costs.measure as measure

    order: list[int] = []

    def fake_run(model, batch, dtype, device, mode="eager"):
        return lambda: order.append(model.depth)

    monkeypatch.setattr(measure, "served_run", fake_run)
    monkeypatch.setattr(measure, "_warm", lambda run, clock, synchronise: 0)
    models = {d: DeploymentModel(depth=d, width=16, heads=2, vocab_size=8, sequence_length=8) for d in (1, 2, 3)}
    clock = iter(range(10**6))
    result = measure.measure_interleaved(models, 1, "float32", "cpu", rounds=6, round_s=0.0, clock=lambda: next(clock) / 1000)
    rounds = [order[i : i + 9] for i in range(0, len(order), 9)]
    assert len(rounds) == 6 and all(sorted(set(r)) == [1, 2, 3] for r in rounds)  # every depth in every round ...
    assert len({tuple(dict.fromkeys(r)) for r in rounds}) > 1  # ... in an order that changes
    for depth, latency in result.items():
        assert len(latency.rounds) == 6 and all(len(one) == 3 for one in latency.rounds)
        summary = latency.summary()
        assert summary["rounds"] == 6 and len(summary["samples_ms"]) == 6 and len(summary["passes_p50_ms"]) == 2
        low, high = summary["ci95_ms"]["p95"]
        assert low <= summary["p95_ms"] <= high


def test_the_bootstrap_interval_widens_with_the_spread_of_the_rounds():
    steady = Latency([], 1, rounds=[[0.010, 0.010, 0.011]] * 8)
    moving = Latency([], 1, rounds=[[0.010, 0.010, 0.011], [0.014, 0.015, 0.016]] * 4)
    for latency in (steady, moving):
        latency.samples_s = [s for one in latency.rounds for s in one]
    low, high = steady.ci95_ms(50)
    assert low == high == pytest.approx(10.0)
    low, high = moving.ci95_ms(50)
    assert low <= 11.0 and high >= 14.0
    assert Latency([0.01] * 3, 1, rounds=[[0.01]] * 3).ci95_ms(50) is None  # too few rounds to say


def test_batching_doubles_past_the_requested_batch_while_throughput_grows(monkeypatch):
    import feasibility.costs.measure as measure

    per_request = {1: 1.0, 2: 0.6, 4: 0.4, 8: 0.38, 16: 0.37}  # ms per request at each batch: growth stops after 4

    def fake_latency(model, batch, dtype, device, mode="eager", **timing):
        return Latency([per_request[batch] * batch / 1000] * 5, batch)

    monkeypatch.setattr(measure, "measure_latency", fake_latency)
    model = DeploymentModel(depth=1, width=16, heads=2, vocab_size=8, sequence_length=8)
    points = measure.batch_curve(model, 2, "float32", "cpu")
    assert [p.batch for p in points] == [1, 2, 4, 8]  # 8 bought under 10% more than 4: stop there
    assert points[0].throughput_requests_per_s == pytest.approx(1000.0)
    assert [p.batch for p in measure.batch_curve(model, 2, "float32", "cpu", fits=lambda batch: batch <= 2)] == [1, 2]
