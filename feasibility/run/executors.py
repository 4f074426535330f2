"""Where probe jobs run: in this process (`local`, the default) or as tasks on a Ray cluster (`ray`).

An executor takes `ProbeJob`s and hands back what became of each, in the order they finish: a `ProbeRun`, or
the reason the job failed once its retries were spent. A job carries everything that decides its figures
(the task, the probe, the settings, the seeds, the device; see jobs.py), and it trains with the same number
of threads wherever it runs, so on the CPU its figures do not depend on the executor. A job that raises, or
whose worker dies, is tried again from its last checkpoint (`retries` more times); then it is reported as
failed and the others go on.

Ray is an optional extra (`pip install -e '.[ray]'`), imported only when the `ray` executor is asked for.
Each job is then one Ray task that asks for the CPUs it trains with (or one GPU), and runs wherever the
cluster has room. Checkpoints are files: on a cluster of several machines, point `--cache-dir` at a folder
every machine sees, or an interrupted job restarts from step 0 on another node.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from feasibility.errors import UsageError
from feasibility.plan.jobs import ProbeJob

EXECUTORS = ("local", "ray")
RETRIES = 2  # a failed job is tried this many more times (from its checkpoint) before it is reported as failed
RAY_INSTALL = "pip install -e '.[ray]'  (or: pip install 'ray>=2.40,<3')"


@dataclass
class Outcome:
    """What became of one job: its run, or why it failed."""

    tag: object  # the submitter's name for the job
    run: object | None  # train.ProbeRun
    error: str | None = None


@dataclass
class _Queued:
    tag: object
    job: ProbeJob
    checkpoint: Path | None
    on_start: Callable[[], None] | None
    on_progress: Callable[[object], None] | None


def _threads(job: ProbeJob, default: int) -> ProbeJob:
    """The job with its thread count written in, so it trains alike wherever it runs."""
    return job if job.settings.threads else replace(job, settings=replace(job.settings, threads=default))


def _failure(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[-1] if text else ''}".rstrip(": ")


BUSY_SAMPLE_S = 0.3  # how long `free_cores` watches the machine's CPU time: 30 clock ticks per core at Linux's 100 Hz


@functools.lru_cache(maxsize=1)
def free_cores(threads: int, stat: str = "/proc/stat") -> int:
    """Of `threads` (torch's default: one per core), as many as other processes leave free, at least one; measured
    once per process from /proc/stat over BUSY_SAMPLE_S (elsewhere: all of them). A training step's threads wait for
    each other at every operation, so one that shares its core with a busy process holds up the rest: on 2 cores
    with one CPU-bound process, training on the one free core was faster than on both (docs/probe-recipe.md)."""
    def busy_and_total() -> tuple[int, int]:
        with open(stat, encoding="ascii") as handle:
            ticks = [int(field) for field in handle.readline().split()[1:]]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and waiting for I/O
        return sum(ticks) - idle, sum(ticks)

    try:
        busy, total = busy_and_total()
        time.sleep(BUSY_SAMPLE_S)
        busy_after, total_after = busy_and_total()
    except (OSError, ValueError, IndexError):  # no /proc/stat (macOS, Windows) or an unexpected one
        return threads
    cores = os.cpu_count() or threads
    others = cores * (busy_after - busy) / max(1, total_after - total)  # cores kept busy meanwhile: not by us, who slept
    return max(1, min(threads, cores - math.floor(others + 0.5)))


class LocalExecutor:
    """Jobs one after another in this process, with the threads other processes leave free (`free_cores`)."""

    name = "local"

    def __init__(self, retries: int = RETRIES, checkpoint_every: int | None = None, threads: int | None = None):
        import torch

        self.retries = retries
        self.checkpoint_every = checkpoint_every
        self.threads = threads or free_cores(torch.get_num_threads())
        self.queue: deque[_Queued] = deque()

    @property
    def capacity(self) -> int:
        return 1

    def prepare(self, job: ProbeJob) -> ProbeJob:
        """The job as it will run here (its thread count written in): what its cache key is taken of."""
        return _threads(job, self.threads)

    def submit(self, tag, job: ProbeJob, checkpoint: Path | None = None, on_start=None, on_progress=None) -> None:
        self.queue.append(_Queued(tag, self.prepare(job), checkpoint, on_start, on_progress))

    def in_flight(self) -> int:
        return len(self.queue)

    def next(self) -> Outcome:
        """Run the oldest queued job to its end (its retries included) and return what became of it."""
        from feasibility.probes.train import CHECKPOINT_EVERY, run_job

        item = self.queue.popleft()
        error = None
        for _attempt in range(self.retries + 1):
            if item.on_start:
                item.on_start()
            try:
                run = run_job(item.job, on_progress=item.on_progress, checkpoint=item.checkpoint, checkpoint_every=self.checkpoint_every or CHECKPOINT_EVERY)
                return Outcome(item.tag, run)
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except Exception as failure:  # noqa: BLE001 - contained: reported in the job's cell, the rest goes on
                error = _failure(failure)
        return Outcome(item.tag, None, f"{error} (after {self.retries + 1} attempts)")

    def train_device(self, setting: str) -> str:
        """Where jobs train for the train_device `setting` ("auto": a GPU where torch sees one here)."""
        from feasibility.costs.measure import resolve_device

        return resolve_device(setting, "{setting:train_device}")

    def close(self) -> None:
        self.queue.clear()


def probe_job(job_data: dict, checkpoint: str | None, checkpoint_every: int):
    """A job on a Ray worker: rebuilt from its data, trained (from its checkpoint, if one is there), returned."""
    from feasibility.probes.train import run_job

    return run_job(ProbeJob.from_dict(job_data), checkpoint=Path(checkpoint) if checkpoint else None, checkpoint_every=checkpoint_every)


class RayExecutor:
    """Each job a Ray task that asks for the CPUs it trains with (`cpus_per_job`) or one GPU.

    `address` is a running cluster's ("auto" finds the one `ray start --head` started on this machine, or give
    "HOST:6379"); without one, a Ray instance is started in this process over this machine's cores."""

    name = "ray"

    def __init__(self, address: str | None = None, retries: int = RETRIES, checkpoint_every: int | None = None, cpus_per_job: int | None = None):
        ray = import_ray()
        self.ray = ray
        self.started_here = False
        if not ray.is_initialized():
            if address:
                _reachable(address)  # Ray itself would retry an unreachable address for minutes
            try:
                if address:
                    ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
                else:
                    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
                    self.started_here = True
            except (ConnectionError, RuntimeError, ValueError) as error:
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise UsageError(f"{{setting:address}}: cannot reach {where} ({_failure(error)}); start one with `ray start --head` and pass {{setting:address}} auto, or leave {{setting:address}} out") from None
        self.retries = retries
        self.checkpoint_every = checkpoint_every
        # a job runs on one machine: it can ask for at most the CPUs of the largest node (by default, all of them)
        largest = max((int(node["Resources"].get("CPU", 0)) for node in ray.nodes() if node.get("Alive")), default=1)
        if cpus_per_job and cpus_per_job > largest:
            raise UsageError(f"{{setting:cpus_per_job}} {cpus_per_job}: the largest machine of the Ray cluster has {largest} CPUs, so no job could start; ask for at most {largest}")
        self.cpus_per_job = max(1, cpus_per_job or largest)
        self.remote = ray.remote(probe_job)
        self.pending: dict[object, object] = {}  # object ref -> the job's tag
        self.on_gpus = False  # whether jobs train on GPUs (set by `train_device`)

    def train_device(self, setting: str) -> str:
        """Where jobs train for the train_device `setting`: "auto" is a GPU where the cluster has one."""
        gpus = self.ray.cluster_resources().get("GPU", 0) >= 1
        if setting == "cuda" and not gpus:
            raise UsageError("{setting:train_device} cuda: the Ray cluster has no GPU; use {setting:train_device} auto or cpu, or add a GPU node")
        self.on_gpus = setting == "cuda" or (setting == "auto" and gpus)
        return "cuda" if self.on_gpus else "cpu"

    @property
    def capacity(self) -> int:
        """Jobs the cluster can run at once: one per GPU for GPU jobs, else its CPUs over the CPUs a job asks for."""
        resources = self.ray.cluster_resources()
        return max(1, int(resources.get("GPU", 0)) if self.on_gpus else int(resources.get("CPU", 1)) // self.cpus_per_job)

    def prepare(self, job: ProbeJob) -> ProbeJob:
        """The job as it will run here (its thread count written in): what its cache key is taken of."""
        return _threads(job, self.cpus_per_job)

    def submit(self, tag, job: ProbeJob, checkpoint: Path | None = None, on_start=None, on_progress=None) -> None:
        from feasibility.probes.train import CHECKPOINT_EVERY

        job = self.prepare(job)
        gpu = job.device == "cuda"
        options = {"num_cpus": 1 if gpu else job.settings.threads, "num_gpus": 1 if gpu else 0, "max_retries": self.retries, "retry_exceptions": True}
        ref = self.remote.options(**options).remote(job.to_dict(), str(checkpoint) if checkpoint else None, self.checkpoint_every or CHECKPOINT_EVERY)
        self.pending[ref] = tag

    def in_flight(self) -> int:
        return len(self.pending)

    def next(self) -> Outcome:
        """Wait for the first job to finish (on any worker) and return what became of it."""
        (ready,), _ = self.ray.wait(list(self.pending), num_returns=1)
        tag = self.pending.pop(ready)
        try:
            return Outcome(tag, self.ray.get(ready))
        except self.ray.exceptions.RayTaskError as error:  # the job raised, on every attempt
            cause = error.cause if getattr(error, "cause", None) is not None else error
            return Outcome(tag, None, f"{_failure(cause)} (after {self.retries + 1} attempts)")
        except self.ray.exceptions.RayError as error:  # its worker or node died, on every attempt
            return Outcome(tag, None, f"{_failure(error)} (after {self.retries + 1} attempts)")

    def close(self) -> None:
        for ref in self.pending:
            self.ray.cancel(ref, force=True)
        self.pending.clear()
        if self.started_here:
            self.ray.shutdown()


REACH_TIMEOUT_S = 5.0


def _reachable(address: str) -> None:
    """Refuse, at once, a HOST:PORT cluster address where nothing answers ("auto" and ray:// addresses are Ray's to check)."""
    import socket

    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"{{setting:address}}: expected HOST:PORT (the head's `ray start --head --port PORT`) or auto, got {address!r}")
    try:
        with socket.create_connection((host, int(port)), timeout=REACH_TIMEOUT_S):
            pass
    except OSError as error:
        raise UsageError(
            f"{{setting:address}} {address}: nothing answers there ({error.strerror or error}); start the head with `ray start --head --port {port}` "
            "on that machine, check the host and port, or leave {setting:address} out to start Ray here"
        ) from None


def import_ray():
    try:
        import ray
    except ImportError:
        raise UsageError(f"{{setting:executor}} ray needs Ray, which is not installed; install it with: {RAY_INSTALL}") from None
    return ray


def make_executor(name: str, address: str | None = None, cpus_per_job: int | None = None, retries: int = RETRIES):
    """The executor called `name` ("local" or "ray"); a clear UsageError for anything else."""
    if name == "local":
        if address:
            raise UsageError("{setting:address}: only the ray executor reaches a cluster; add {setting:executor} ray, or leave {setting:address} out")
        return LocalExecutor(retries, threads=cpus_per_job)
    if name == "ray":
        return RayExecutor(address, retries, cpus_per_job=cpus_per_job)
    raise UsageError(f"{{setting:executor}}: must be one of {', '.join(EXECUTORS)}, got {name!r}")
