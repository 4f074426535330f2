"""What a depth costs at the deployment size: FLOPs and parameters (fvcore), memory, latency, money.

Conventions (DESIGN.md section 5): fvcore counts multiply-accumulates (MACs); 1 MAC = 2 FLOPs. Causal
attention is counted in full (the masked half of the score matrix is computed, then masked). Elementwise
ops (softmax, layer norm, GELU, additions) are not counted; any other op fvcore cannot count is an error,
because it may carry real cost. Costs are those of the model as served (`served.ServedModel`: fused
attention, the output head at the answer position only): fvcore counts its explicit-attention twin, and
torch's own counter and the formula check that count. Latency is measured on the served model with random
weights (latency does not depend on them), after warm-up, with every depth timed in rounds over the depths
in a shuffled order (`measure_interleaved`), so that a machine that changes speed moves every depth alike;
each percentile has a bootstrap 95% interval over the rounds, and the samples are kept. The timer is
injectable so tests can assert exact statistics.
"""

from __future__ import annotations

import gc
import math
import platform
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

from feasibility.errors import MeasurementError, UsageError
from feasibility.costs.analytic import DeploymentModel, analytic_macs, parameter_count
from feasibility.result.context import Environment
from feasibility.result.costs import BatchPoint, JoinCost
from feasibility.result.recommendation import Steadiness
from feasibility.vocabulary import MODES

# Ops that cost O(elements), not O(elements x width): left out of the MAC count by design.
ELEMENTWISE_OPS = (
    "aten::softmax",
    "aten::layer_norm",
    "aten::gelu",
    "aten::add",
    "aten::add_",
    "aten::mul",
    "aten::div",
    "aten::log",
    "aten::masked_fill",
    "aten::index",
    "aten::embedding",  # a table lookup, like aten::index
)
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
BOOTSTRAP_RESAMPLES = 1000  # resamples of the timing rounds behind each latency interval


def _not_counted(inputs, outputs) -> int:
    return 0


@dataclass
class FlopCount:
    macs: int
    by_part: dict[str, int]
    parameters: int
    analytic_macs: int
    batch: int
    causal_attention: str = "counted in full"
    uncounted_elementwise_ops: list[str] = field(default_factory=list)
    counter: str = "fvcore on the explicit-attention twin of the served model"
    served_counter_macs: int | None = None  # torch.utils.flop_counter on the served form (fused attention), FLOPs / 2

    @property
    def disagreements(self) -> list[str]:
        """Where the three counts differ by more than COUNTERS_AGREE, in words (empty when they agree)."""
        found = []
        fused = " (exactly the attention scores: torch's counter has no formula for the fused attention kernel that ran here)"
        for name, other, short_by_scores in (
            ("the formula", self.analytic_macs, ""),
            ("torch.utils.flop_counter on the served model", self.served_counter_macs, fused),
        ):
            if other is None:
                found.append(f"{name}: no count")
            elif abs(other - self.macs) > COUNTERS_AGREE * max(1, self.macs):
                why = short_by_scores if self.macs - other == self.by_part.get("attention scores") else ""
                found.append(f"{name}: {other:,} MACs against fvcore's {self.macs:,}{why}")
        return found

    @property
    def flops(self) -> int:
        return 2 * self.macs


def fvcore_macs(module, inputs: tuple) -> tuple[int, dict[str, int]]:
    """MACs of one call of `module` on `inputs`, total and by module path, counted by fvcore.

    Elementwise ops count zero by design; any other op fvcore cannot count (a fused attention kernel, say)
    raises MeasurementError instead of being silently left out.
    """
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(module, inputs)
    for op in ELEMENTWISE_OPS:  # a zero handle (not None: fvcore keeps its own layer_norm handle over None)
        analysis.set_op_handle(op, _not_counted)
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    total = analysis.total()
    unsupported = dict(analysis.unsupported_ops())
    if unsupported:
        listed = ", ".join(f"{op} x{count}" for op, count in sorted(unsupported.items()))
        raise MeasurementError(f"fvcore could not count {listed}; these may carry real cost, so no FLOP figure is given")
    return int(total), {name: int(value) for name, value in analysis.by_module().items()}


COUNTERS_AGREE = 0.01  # fvcore on the twin, torch's counter on the served form and the formula agree within 1%


def count_flops(model: DeploymentModel, batch: int = 1) -> FlopCount:
    """Count one served forward pass: fvcore on the explicit-attention twin (`served.AnswerTwin`, the design
    card's counter), cross-checked against `torch.utils.flop_counter` on the served form (fused attention) and
    against the formula; refuse uncounted costly ops."""
    import torch

    from feasibility.probes.model import ProbeModel
    from feasibility.costs.served import AnswerTwin, ServedModel, served_flops

    probe = ProbeModel(model.probe_config()).eval()
    tokens = torch.zeros(1, batch, model.sequence_length, dtype=torch.long)
    with torch.no_grad():
        probe(tokens)  # builds the position tables for this length first, so the count holds the model alone
    total, by_module = fvcore_macs(AnswerTwin(probe), (tokens,))
    parts = {"embeddings": 0, "attention projections": 0, "attention scores": 0, "mlp": 0, "output head": by_module.get("model.head", 0)}
    for index in range(model.depth):
        attention = by_module.get(f"model.blocks.{index}.attn", 0)
        projections = by_module.get(f"model.blocks.{index}.attn.qkv", 0) + by_module.get(f"model.blocks.{index}.attn.proj", 0)
        parts["attention projections"] += projections
        parts["attention scores"] += attention - projections
        parts["mlp"] += by_module.get(f"model.blocks.{index}.mlp", 0)
    served = served_flops(ServedModel(probe).eval(), tokens[0])
    return FlopCount(
        macs=total,
        by_part=parts,
        parameters=sum(p.numel() for p in probe.parameters()),
        analytic_macs=sum(analytic_macs(model, batch).values()),
        batch=batch,
        uncounted_elementwise_ops=list(ELEMENTWISE_OPS),
        served_counter_macs=served // 2,
    )


def training_macs(forward_macs_per_example: int, steps: int, batch: int, seeds: int, evaluated: list[tuple[int, int]]) -> dict:
    """MACs spent on one depth's probes: a training step costs ~3 forward passes (forward, and a backward pass of
    about twice the forward); evaluation one forward pass per example, given as (MACs per example, examples)
    per seed for each length evaluated."""
    trained = 3 * forward_macs_per_example * steps * batch * seeds
    spent_evaluating = sum(macs * examples for macs, examples in evaluated) * seeds
    total = trained + spent_evaluating
    return {"macs": total, "flops": 2 * total, "convention": "training step = 3 x forward; evaluation = 1 x forward"}


def _cpu_name() -> str:
    """The processor's model name where the system says it (Linux), else the architecture."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(device: str, dtype: str) -> Environment:
    import torch

    try:
        from importlib.metadata import version

        fvcore_version = version("fvcore")
    except Exception:  # an fvcore without metadata still counts; say so rather than fail
        fvcore_version = "unknown"
    name = torch.cuda.get_device_name() if device == "cuda" else _cpu_name()
    return Environment(device=device, device_name=name, threads=torch.get_num_threads(), dtype=dtype, torch_version=torch.__version__,
                       fvcore_version=fvcore_version, python=platform.python_version(), platform=platform.platform())


@dataclass
class Latency:
    """Raw samples (seconds per forward pass) and what is derived from them."""

    samples_s: list[float]
    batch: int
    mode: str = "eager"
    warmup_runs: int = 0
    passes_p50_ms: list[float] = field(default_factory=list)  # the p50 of the first and of the second half of the timing rounds
    rounds: list[list[float]] = field(default_factory=list)  # interleaved timing: the samples of each round

    def percentile_ms(self, percentile: float) -> float:
        """Nearest-rank percentile of the samples (a sample itself: numpy's inverted-CDF method), in milliseconds."""
        import numpy as np

        return float(np.percentile(np.asarray(self.samples_s), percentile, method="inverted_cdf")) * 1000

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p95_ms(self) -> float:
        return self.percentile_ms(95)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    @property
    def spread(self) -> float:
        """Interquartile range relative to the median: above 0.1 the figure is noisy."""
        if len(self.samples_s) < 4:
            return 0.0
        quartiles = statistics.quantiles(self.samples_s, n=4)
        return (quartiles[2] - quartiles[0]) / statistics.median(self.samples_s)

    def ci95_ms(self, percentile: float, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> tuple[float, float] | None:
        """95% confidence interval of a percentile, by bootstrap over the timing rounds (a round is the unit: a
        change in the machine's speed moves a whole round); None with fewer than 4 rounds."""
        if len(self.rounds) < 4:
            return None
        import numpy as np

        rounds = [np.asarray(one) for one in self.rounds]
        picks = np.random.default_rng(seed).integers(len(rounds), size=(resamples, len(rounds)))  # rounds drawn with replacement
        # each resample's nearest-rank percentile, as percentile_ms reads it
        estimates = np.sort([np.percentile(np.concatenate([rounds[j] for j in drawn]), percentile, method="inverted_cdf") * 1000 for drawn in picks])
        return float(estimates[int(0.025 * resamples)]), float(estimates[min(resamples - 1, int(0.975 * resamples))])

    def summary(self) -> dict:
        intervals = {f"p{p}": self.ci95_ms(p) for p in (50, 95, 99)} if self.rounds else {}
        return {
            **({"ci95_ms": {k: list(v) for k, v in intervals.items() if v is not None}} if intervals else {}),
            **({"rounds": len(self.rounds), "samples_ms": [[round(sample * 1000, 5) for sample in one] for one in self.rounds]} if self.rounds else {}),
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "runs": len(self.samples_s),
            "spread_iqr_over_median": self.spread,
            "batch": self.batch,
            "mode": self.mode,
            "warmup_runs": self.warmup_runs,
            "noisy": self.spread > 0.1,
            **({"passes_p50_ms": self.passes_p50_ms} if self.passes_p50_ms else {}),
        }


def time_forward(
    run: Callable[[], None],
    batch: int,
    min_runs: int = 10,
    min_duration_s: float = 1.0,
    max_runs: int = 200_000,  # a cap for sub-microsecond runs only: the minimum duration should bind
    warmup_runs: int = 3,
    warmup_s: float = 0.5,
    clock: Callable[[], float] = time.perf_counter,
    synchronise: Callable[[], None] = lambda: None,
) -> Latency:
    """Time `run` after warm-up (`warmup_runs` runs and `warmup_s` seconds, caches and clocks settled) until
    both `min_runs` and `min_duration_s` are reached."""
    warmed = _warm(run, clock, synchronise, warmup_runs, warmup_s)
    return Latency(_time_block(run, min_runs, min_duration_s, max_runs, clock, synchronise), batch, warmup_runs=warmed)


TIMING_ROUNDS = 10  # `assess` times the depths in this many rounds, each round over every depth in a shuffled order
ROUND_S = 0.2  # seconds of runs per depth and round (at least ROUND_RUNS runs)
ROUND_RUNS = 3
STEADY_DRIFT = 0.05  # the first and second half of the rounds may disagree this much before the machine is called unsteady


def measure_interleaved(
    models: dict[int, "DeploymentModel"],
    batch: int,
    dtype: str,
    device: str,
    mode: str = "eager",
    rounds: int = TIMING_ROUNDS,
    round_s: float = ROUND_S,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
    on_round: Callable[[int], None] = lambda number: None,
) -> dict[int, Latency]:
    """Latency of every depth's served model, timed interleaved: `rounds` rounds, each over all depths in a
    shuffled order, `round_s` seconds of runs per depth and round. A change in the machine's speed then hits
    every depth alike, so ratios between depths hold where absolute times move; the rounds are the unit of the
    bootstrap confidence intervals (`Latency.ci95_ms`), and their samples are kept.

    Each run is one served forward pass, timed on its own (a served request); `torch.utils.benchmark` times
    blocks of runs and reports their means, which hide the tail that p95 and p99 are about."""
    import random

    served = {depth: served_run(model, batch, dtype, device, mode) for depth, model in models.items()}
    synchronise = _synchroniser(device)
    warmed = {depth: _warm(run, clock, synchronise) for depth, run in served.items()}
    samples: dict[int, list[list[float]]] = {depth: [] for depth in served}
    order = list(served)
    generator = random.Random(seed)
    for number in range(rounds):
        on_round(number + 1)
        generator.shuffle(order)
        for depth in order:
            samples[depth].append(_time_block(served[depth], ROUND_RUNS, round_s, 200_000, clock, synchronise))
    result = {}
    for depth, per_round in samples.items():
        half = max(1, len(per_round) // 2)
        p50s = [Latency([s for one in part for s in one], batch).p50_ms for part in (per_round[:half], per_round[half:]) if part]
        result[depth] = Latency([s for one in per_round for s in one], batch, mode=mode, warmup_runs=warmed[depth], passes_p50_ms=p50s, rounds=per_round)
    if device == "cuda":
        del served
        gc.collect()
        _empty_cuda_cache()
    return result


def _synchroniser(device: str) -> Callable[[], None]:
    if device == "cuda":
        import torch

        return torch.cuda.synchronize
    return lambda: None


def _empty_cuda_cache() -> None:
    import torch

    torch.cuda.empty_cache()


def _warm(run: Callable[[], None], clock: Callable[[], float], synchronise: Callable[[], None], runs: int = 3, seconds: float = 0.3) -> int:
    warmed, started = 0, clock()
    while warmed < runs or clock() - started < seconds:
        run()
        warmed += 1
    synchronise()
    return warmed


def _time_block(run, min_runs: int, min_duration_s: float, max_runs: int, clock, synchronise) -> list[float]:
    """Seconds of each of at least `min_runs` runs, for at least `min_duration_s`, each timed on its own."""
    samples: list[float] = []
    started = clock()
    while len(samples) < max_runs and (len(samples) < min_runs or clock() - started < min_duration_s):
        begin = clock()
        run()
        synchronise()
        samples.append(clock() - begin)
    return samples


def steadiness_of(costs: list) -> Steadiness | None:
    """Whether the machine held its speed while latency was measured: the depth whose timing passes disagreed most,
    their p50s, and how far apart (slower over faster, less one). None for a result saved before passes were kept.

    A shared or busy machine changes speed under a measurement (on a 2-core VM a model's p50 moved from 6.2 to
    7.9 ms between two 2-second windows a few seconds apart); timing every depth twice, in two passes over the
    depths, shows it in the figures themselves."""
    passes = {cost.depth: cost.latency.passes_p50_ms for cost in costs if len(cost.latency.known("passes_p50_ms") or []) > 1}
    if not passes:
        return None
    depth = max(passes, key=lambda d: max(passes[d]) / min(passes[d]))
    drift = max(passes[depth]) / min(passes[depth]) - 1
    return Steadiness(depth=depth, passes_p50_ms=passes[depth], drift=drift, steady=drift <= STEADY_DRIFT)


def resolve_device(device: str, setting: str = "deployment.device") -> str:
    """"auto" is a GPU where torch sees one, else the CPU; "cuda" without a GPU is refused, naming `setting`."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError(f'{setting} is "cuda" but torch sees no GPU here; use "auto" or "cpu"')  # asked of this machine: exit 2
    return device


def check_mode(mode: str, device: str) -> None:
    """Refuse a timing mode this device cannot run, before anything is trained or timed."""
    if mode not in MODES:
        raise MeasurementError(f'deployment.mode must be one of {", ".join(MODES)}, got "{mode}"')
    if mode == "cuda-graph" and device != "cuda":
        raise UsageError('deployment.mode "cuda-graph" needs a GPU, and torch sees none here; use mode "eager" or run on a GPU')


def served_run(model: DeploymentModel, batch: int, dtype: str, device: str, mode: str = "eager") -> Callable[[], None]:
    """One served forward pass of `model` (random weights; `served.ServedModel`: fused attention, the output
    head at the answer position) at `batch`, as a function of no arguments.

    `mode` "eager" runs the module op by op; "cuda-graph" captures one forward pass as a CUDA graph and
    replays it (launch overhead gone, as a served model with graphs would run)."""
    import torch

    from feasibility.probes.model import ProbeModel
    from feasibility.costs.served import ServedModel

    check_mode(mode, device)
    module = ServedModel(ProbeModel(model.probe_config())).to(device=device, dtype=getattr(torch, dtype)).eval()
    tokens = torch.randint(model.vocab_size, (batch, model.sequence_length), device=device)
    if mode == "cuda-graph":
        graph = torch.cuda.CUDAGraph()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.inference_mode():
            with torch.cuda.stream(side):  # warm the allocator and kernels off the capture stream
                for _ in range(3):
                    module(tokens)
            torch.cuda.current_stream().wait_stream(side)
            with torch.cuda.graph(graph):
                module(tokens)

        def replay() -> None:
            graph.replay()

        replay.holds = (module, tokens)  # the graph reads their memory
        return replay

    def run() -> None:
        with torch.inference_mode():
            module(tokens)

    return run


def measure_latency(model: DeploymentModel, batch: int, dtype: str, device: str, mode: str = "eager", **timing) -> Latency:
    """p50/p95/p99 of one served forward pass of `model` at `batch`, timed on its own (see `served_run`); on
    CUDA the clock is read after `torch.cuda.synchronize()`, so every sample holds the whole kernel sequence."""
    run = served_run(model, batch, dtype, device, mode)
    latency = time_forward(run, batch, synchronise=_synchroniser(device), **timing)
    latency.mode = mode
    if device == "cuda":  # free this model (and its graph) before the next one is measured in the same process
        del run
        gc.collect()
        _empty_cuda_cache()
    return latency


BATCH_GROWTH = 1.1  # batching goes on doubling while it buys at least 10% more throughput
MAX_BATCH = 1024


BATCH_MEMORY_SHARE = 0.5  # a batch's estimated peak may take at most this share of the device's memory


def batch_curve(model: DeploymentModel, requested: int, dtype: str, device: str, mode: str = "eager", fits=None, **timing) -> list[BatchPoint]:
    """Latency and throughput of the served model against batch size: 1, 2, 4, ... up to the requested batch and
    beyond, while doubling still buys BATCH_GROWTH more throughput and `fits(batch)` holds (by default: the
    batch's estimated peak takes at most BATCH_MEMORY_SHARE of the device's memory)."""
    if fits is None:
        have, parameters = memory_here(device), parameter_count(model)

        def fits(batch: int) -> bool:
            return have is None or memory_estimate(model, parameters, batch, dtype)["peak_request_bytes"] <= BATCH_MEMORY_SHARE * have

    timing = {"min_runs": 5, "min_duration_s": 0.3, "warmup_s": 0.1, **timing}
    points: list[BatchPoint] = []
    batch = 1
    while batch <= MAX_BATCH and fits(batch):
        latency = measure_latency(model, batch, dtype, device, mode=mode, **timing)
        throughput = batch / (latency.p50_ms / 1000)
        points.append(BatchPoint(batch=batch, p50_ms=latency.p50_ms, p95_ms=latency.p95_ms, throughput_requests_per_s=throughput, runs=len(latency.samples_s)))
        grew = len(points) < 2 or throughput >= BATCH_GROWTH * points[-2].throughput_requests_per_s
        if batch >= requested and not grew:
            break
        batch = batch * 2 if batch * 2 <= requested or batch >= requested else requested
    return points


def prime_gpu(model: DeploymentModel, batch: int, dtype: str, device: str, mode: str = "eager") -> None:
    """One short measurement whose figures are thrown away, before the first real one on a GPU.

    On an H100 (CUDA graphs, torch 2.11) the first measurement in a process came out 8 to 10% faster than
    every later one, while the later ones agreed within 0.3% (docs/cost-measurement.md); priming puts every
    depth on the same footing. A no-op on the CPU."""
    if device == "cuda":
        measure_latency(model, batch, dtype, device, mode=mode, min_runs=10, min_duration_s=0.2, warmup_s=0.2)


def peak_cuda_bytes(model: DeploymentModel, batch: int, dtype: str) -> int:
    """Peak GPU memory of one request of the served model at `batch`, measured by the CUDA caching allocator."""
    import torch

    from feasibility.probes.model import ProbeModel
    from feasibility.costs.served import ServedModel

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    module = ServedModel(ProbeModel(model.probe_config())).to(device="cuda", dtype=getattr(torch, dtype)).eval()
    tokens = torch.randint(model.vocab_size, (batch, model.sequence_length), device="cuda")
    with torch.inference_mode():
        module(tokens)
    torch.cuda.synchronize()
    return int(torch.cuda.max_memory_allocated())


def fit_latency(depths: list[int], p_ms: list[float]) -> tuple[float, float]:
    """Least-squares line latency = intercept + slope * depth; needs two distinct depths."""
    n = len(depths)
    mean_d, mean_l = sum(depths) / n, sum(p_ms) / n
    var = sum((d - mean_d) ** 2 for d in depths)
    if var == 0:
        return mean_l, 0.0
    slope = sum((d - mean_d) * (l - mean_l) for d, l in zip(depths, p_ms)) / var
    return mean_l - slope * mean_d, slope


def deepest_within_budget(intercept_ms: float, slope_ms_per_layer: float, budget_ms: float) -> int | None:
    """Deepest depth whose fitted latency fits `budget_ms` (0 if none does); None when latency does not grow."""
    if slope_ms_per_layer <= 0:
        return None
    return max(0, math.floor((budget_ms - intercept_ms) / slope_ms_per_layer))


def memory_estimate(model: DeploymentModel, parameters: int, batch: int, dtype: str) -> dict:
    """Parameter bytes, and an estimate of one request's peak activation bytes (labelled as an estimate)."""
    size = DTYPE_BYTES[dtype]
    width, length = model.width, model.sequence_length
    # Largest live tensors of one layer in inference: the (B, nh, T, T) scores and the (B, T, r*C) MLP hidden.
    activations = batch * (model.heads * length * length + length * max(1, model.mlp_ratio) * width + 4 * length * width)
    logits = batch * model.vocab_size  # the head at the answer position only
    return {
        "parameter_bytes": parameters * size,
        "peak_request_bytes": parameters * size + (activations + logits) * size,
        "peak_request_is_estimate": True,
    }


def memory_here(device: str) -> int | None:
    """Bytes of memory on `device` here: the GPU's, or the machine's physical memory; None where unknown."""
    import os

    if device == "cuda":
        import torch

        return torch.cuda.get_device_properties(0).total_memory
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def deployment_too_large(spec, depth: int, device: str) -> str | None:
    """Why the deployment model of `depth` cannot be built and timed on `device` here (its weights, created in
    float32, and one request's activations would take more than 80% of the memory), or None when it can."""
    deployment = spec.deployment
    model = DeploymentModel(depth, deployment.width, deployment.heads, deployment.vocab_size, spec.task.sequence_length)
    parameters = parameter_count(model)
    need = parameters * 4 + memory_estimate(model, parameters, spec.requirements.batch_size, deployment.dtype)["peak_request_bytes"]
    have = memory_here(device)
    if have is None or need <= 0.8 * have:
        return None
    gib = 2**30
    return (
        f"{spec.source}: the deployment model at depth {depth} (deployment.width {deployment.width}, deployment.vocab_size "
        f"{deployment.vocab_size}, task.sequence_length {spec.task.sequence_length}, batch {spec.requirements.batch_size}) needs about "
        f"{need / gib:,.1f} GiB to build and time once, and this machine's {device} has {have / gib:,.1f} GiB: lower those numbers, "
        "or measure on a machine with the memory"
    )


def join_cost(sequence_length: int, hops: int, cost_per_device_hour: float | None, runs: int = 2000) -> dict:
    """What answering one request without a model costs, timed here: read the record's `lhs rhs` statements into
    an index (a dict), then follow `hops` lookups from the question; p50 and p95 over `runs` requests in one
    Python thread, and the price per million requests at `cost_per_device_hour`. A database with the fields
    already indexed does less (it skips the reading); this is the cost of the join from the raw record."""
    import random

    statements = max(hops, (sequence_length - 2) // 2)
    generator = random.Random(0)
    names = [f"s{i}" for i in range(statements)]
    generator.shuffle(names)
    record = [(names[i], names[i - 1] if i else "ground") for i in range(statements)]  # one chain: s_i = s_{i-1}
    asked = names[hops - 1]  # `hops` lookups from the ground value
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        index = dict(record)
        value = asked
        for _ in range(hops):
            value = index[value]
        times.append(time.perf_counter() - started)
    if value != "ground":
        raise MeasurementError("the join followed the wrong chain; this is a bug in join_cost")
    times.sort()
    p50, p95 = times[len(times) // 2] * 1000, times[int(len(times) * 0.95)] * 1000
    per_million = money(p50, 1, cost_per_device_hour, None).get("cost_per_million_requests")
    return JoinCost(lookups=hops, statements=statements, runs=runs, p50_ms=p50, p95_ms=p95, cost_per_million_requests=per_million,
                    how="a Python dict built from the record, then one lookup per hop, one thread")


def money(latency_p50_ms: float, batch: int, cost_per_device_hour: float | None, requests_per_day: int | None) -> dict:
    """Throughput at the spec's batch, and cost where the spec gives a device-hour price."""
    throughput = batch / (latency_p50_ms / 1000) if latency_p50_ms > 0 else float("inf")
    result: dict = {"throughput_requests_per_s": throughput}
    if cost_per_device_hour is not None:
        result["cost_per_million_requests"] = cost_per_device_hour / 3600 / throughput * 1e6
        if requests_per_day is not None:
            result["device_hours_per_day"] = requests_per_day / throughput / 3600
            result["cost_per_day"] = result["device_hours_per_day"] * cost_per_device_hour
    return result
