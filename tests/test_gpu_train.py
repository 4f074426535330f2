"""Probe training on a GPU: skipped where torch sees none (CI has none; benchmarks/gpu_check.sh runs these)."""

from __future__ import annotations

import pytest
import torch

from feasibility.spec import layout
from feasibility.plan.jobs import ProbeConfig, ProbeJob, TrainSettings, task_dict
from feasibility.plan.tasks import ChainedRetrieval, draw
from feasibility.decide.verdict import judge
from feasibility.probes.train import Trainer, run_job

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

SHAPE = ChainedRetrieval(hops=1, length=18, symbols=layout.symbols_used(1, 18))
SETTINGS = TrainSettings(target_accuracy=0.95, max_steps=600, time_budget_s=300, eval_every=50, check_questions=256, verdict_questions=512, warmup_steps=50)
JOB = ProbeJob(task_dict(SHAPE), ProbeConfig(SHAPE.vocab_size, 18, 2, 32, 2), SETTINGS, (0, 1), device="cuda")


def test_training_data_is_made_on_the_gpu():
    trainer = Trainer(JOB)
    assert draw(SHAPE, 8, trainer.streams[0]).tokens.is_cuda
    assert next(trainer.model.parameters()).is_cuda and trainer.check_set.tokens.is_cuda


def test_a_probe_learns_one_lookup_on_the_gpu():
    run = run_job(JOB)
    assert run.device == "cuda"
    assert judge(run, lower_bound_depth=1, target=0.95).verdict == "learned"


def test_a_gpu_run_resumes_from_its_checkpoint(tmp_path):
    checkpoint = tmp_path / "probe.ckpt"

    class Stop(Exception):
        pass

    def stop_at_200(progress):
        if progress.step == 200:
            raise Stop

    long = ProbeJob(JOB.task, JOB.config, TrainSettings(**{**SETTINGS.__dict__, "target_accuracy": 0.9999, "max_steps": 300}), JOB.seeds, device="cuda")
    with pytest.raises(Stop):
        run_job(long, on_progress=stop_at_200, checkpoint=checkpoint, checkpoint_every=150)
    seen = []
    resumed = run_job(long, on_progress=lambda p: seen.append(p.step), checkpoint=checkpoint, checkpoint_every=150)
    assert seen[0] == 200 and resumed.steps == 300
