"""Hostile and unlucky cases: links, files in the way, two runs at once, unwritable folders, crafted inputs. Each
test names what once went wrong; files, links and folders are made in pytest's temporary folder only."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feasibility.cli import app
from feasibility.errors import UsageError

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "example.json"
REWORK = Path(__file__).parent / "data" / "rework.json"


def _outside(tmp_path: Path) -> Path:
    """A folder standing for everywhere outside the folder the user named."""
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    return folder


# -- item 2: every writer replaces a link, never writes through it, and overwrites only with --force ----------------


@pytest.mark.parametrize(
    "command",
    [
        ["compare", str(DATA), str(REWORK), "--out", "OUT"],
        ["schema", "--out", "OUT"],
        ["init", "--output", "OUT"],
    ],
    ids=["compare", "schema", "init"],
)
def test_file_writers_overwrite_only_with_force_and_never_through_a_link(tmp_path, command):
    """`compare --out` and `schema --out` once overwrote an existing file without --force; `compare --out LINK` and
    `init --output LINK --force` wrote through the link to its target."""
    target = tmp_path / "out.md"
    target.write_text("the user's own file")
    refused = runner.invoke(app, [str(target) if part == "OUT" else part for part in command])
    assert refused.exit_code == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text() == "the user's own file"

    precious = _outside(tmp_path) / "precious.txt"
    precious.write_text("keep me")
    dangling = _outside(tmp_path) / "created-through-the-link"
    for link, points_to in ((tmp_path / "link.md", precious), (tmp_path / "dangling.md", dangling)):
        link.symlink_to(points_to)
        assert runner.invoke(app, [str(link) if part == "OUT" else part for part in command]).exit_code == 2  # a link is taken
        forced = runner.invoke(app, [str(link) if part == "OUT" else part for part in command] + ["--force"])
        assert forced.exit_code == 0, forced.stderr
        assert not link.is_symlink() and link.stat().st_size > 0  # the link was replaced by the output itself
    assert precious.read_text() == "keep me" and not dangling.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left behind


def test_the_sweep_writer_replaces_links_and_an_earlier_sweep_needs_force(tmp_path):
    """`sweep` once created a dangling sweep.json link's target, and with --force wrote through a sweep.md link."""
    from feasibility.reports.sweep import SWEEP_OUTPUTS, write_sweep
    from test_sweep import GRID

    result = _sweep_result()
    folder = tmp_path / "out"
    folder.mkdir()
    precious = _outside(tmp_path) / "precious.md"
    precious.write_text("keep me")
    (folder / "sweep.md").symlink_to(precious)
    (folder / "sweep.json").symlink_to(_outside(tmp_path) / "dangling.json")
    grid = tmp_path / "grid.yaml"
    from conftest import TINY_SPEC

    (tmp_path / "tiny.yaml").write_text(TINY_SPEC)
    grid.write_text(GRID)
    refused = runner.invoke(app, ["sweep", str(grid), "--out", str(folder)])
    assert refused.exit_code == 2 and "holds an earlier sweep" in refused.stderr  # the dangling link counts as taken

    write_sweep(result, folder)
    assert precious.read_text() == "keep me" and not (_outside(tmp_path) / "dangling.json").exists()
    assert all((folder / name).is_file() and not (folder / name).is_symlink() for name in SWEEP_OUTPUTS)
    assert json.loads((folder / "sweep.json").read_text()) == json.loads(json.dumps(result.to_dict()))


def _sweep_result():
    """A small finished sweep (the tiny grid of test_sweep.py, swept once and saved), without training."""
    from feasibility.result.sweep import SweepResult

    return SweepResult.from_dict(json.loads((Path(__file__).parent / "data" / "sweep.json").read_text(encoding="utf-8")))


# -- item 6: two runs into one folder are never mixed ---------------------------------------------------------------


def test_two_reports_written_into_one_folder_at_once_are_never_mixed(tmp_path, monkeypatch):
    """Two `report` runs into one empty --out once both exited 0 and left report.json from one and report.md from
    the other. Now the files are staged and moved in under a lock on the folder: the second is refused, whole."""
    import feasibility.reports.outputs as outputs
    from feasibility.run.pipeline import load_assessment

    first, second = load_assessment(DATA), load_assessment(REWORK)
    folder = tmp_path / "out"
    inside_first, let_go = threading.Event(), threading.Event()
    real = outputs.folder_lock

    from contextlib import contextmanager

    @contextmanager
    def slow_lock(path, *args):
        with real(path, *args):
            inside_first.set()
            let_go.wait()
            yield

    monkeypatch.setattr(outputs, "folder_lock", slow_lock)
    writing = threading.Thread(target=outputs.write_outputs, args=(first, folder))
    writing.start()
    inside_first.wait()
    monkeypatch.setattr(outputs, "folder_lock", real)
    with pytest.raises(UsageError, match="another feasibility run is writing its report there now"):
        outputs.write_outputs(second, folder)
    let_go.set()
    writing.join()
    with pytest.raises(UsageError, match="another run's report was written there meanwhile; pass --force"):
        outputs.write_outputs(second, folder)  # afterwards: the first run's report is there, and needs --force
    names = {json.loads((folder / "report.json").read_text())["spec"]["name"]}
    assert names == {first.spec.name} and first.spec.name in (folder / "report.md").read_text()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging folder left


# -- item 7: nothing computed is lost when --out cannot be written ---------------------------------------------------


def test_report_force_on_a_failing_disk_keeps_the_old_report_whole(tmp_path, monkeypatch):
    """`report --force` on a full disk once deleted the old report before it knew the new one fitted."""
    import feasibility.reports.outputs as outputs

    folder = tmp_path / "out"
    assert runner.invoke(app, ["report", str(REWORK), "--out", str(folder)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "render_markdown", full_disk)
    failed = runner.invoke(app, ["report", str(DATA), "--out", str(folder), "--force"])
    assert failed.exit_code == 2 and "No space left on device" in failed.stderr and "Traceback" not in failed.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # the old report, whole; no staging left


@pytest.fixture
def small_disk(tmp_path):
    """A real 8 MB filesystem (tmpfs) inside pytest's temporary folder, unmounted afterwards; skipped where the tests
    do not run as root or cannot mount (a container without the right)."""
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()})")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _fill(disk: Path) -> None:
    """Take every free byte of `disk`."""
    with (disk / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_on_a_real_full_disk_report_force_keeps_the_old_report_and_assess_keeps_its_result(small_disk, tmp_path, monkeypatch):
    """On a full filesystem (not a simulated error): `report --force` keeps the old report whole and leaves no
    staging behind; `assess` says where its result is kept, and nothing truncated is left in --out."""
    import feasibility.run.pipeline as pipeline
    from feasibility.run.pipeline import load_assessment

    folder = small_disk / "out"
    assert runner.invoke(app, ["report", str(REWORK), "--out", str(folder)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _fill(small_disk)
    failed = runner.invoke(app, ["report", str(DATA), "--out", str(folder), "--force"])
    assert failed.exit_code == 2 and "No space left on device" in failed.stderr and "Traceback" not in failed.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # the old report, whole; no staging left

    saved = load_assessment(REWORK)
    monkeypatch.setattr(pipeline, "assess", lambda *a, **k: saved)  # the training is not what is tested here
    monkeypatch.setenv("FEASIBILITY_CACHE", str(tmp_path / "cache"))
    from conftest import TINY_SPEC

    spec = tmp_path / "task.yaml"
    spec.write_text(TINY_SPEC, encoding="utf-8")
    failed = runner.invoke(app, ["assess", str(spec), "--out", str(small_disk / "new")])
    assert failed.exit_code == 2 and "No space left on device" in failed.stderr and "Traceback" not in failed.output
    kept = next((tmp_path / "cache" / "results").glob("report-*.json"))
    assert str(kept) in " ".join(failed.stderr.split()) and json.loads(kept.read_text())["spec"] == json.loads(REWORK.read_text())["spec"]
    assert not (small_disk / "new").exists() or not list((small_disk / "new").iterdir())  # nothing truncated left


def test_assess_refuses_an_out_it_cannot_use_before_any_work(tmp_path, tiny_spec, monkeypatch):
    """A folder named report.md inside --out, or a read-only --out, once gave an OSError traceback after all the
    training and timing."""
    import feasibility.run.pipeline as pipeline

    monkeypatch.setattr(pipeline, "assess", lambda *a, **k: pytest.fail("assess ran before --out was checked"))
    folder = tmp_path / "out"
    (folder / "report.md").mkdir(parents=True)
    refused = runner.invoke(app, ["assess", str(tiny_spec), "--out", str(folder)])
    assert refused.exit_code == 2 and "report.md there is a folder" in refused.stderr

    if os.geteuid() != 0:  # root writes through any permission bits
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            refused = runner.invoke(app, ["assess", str(tiny_spec), "--out", str(locked / "report")])
            assert refused.exit_code == 2 and "cannot write there" in refused.stderr and "Traceback" not in refused.output
        finally:
            locked.chmod(0o700)


def test_assess_keeps_its_result_when_the_report_cannot_be_written(tmp_path, tiny_spec, monkeypatch):
    """When writing fails after the work (a full disk), the result is kept where the message says, and `report`
    renders it from there."""
    import feasibility.reports.outputs as outputs
    import feasibility.run.pipeline as pipeline
    from feasibility.run.pipeline import load_assessment

    saved = load_assessment(REWORK)
    monkeypatch.setattr(pipeline, "assess", lambda *a, **k: saved)
    monkeypatch.setenv("FEASIBILITY_CACHE", str(tmp_path / "cache"))
    real = outputs.depth_table

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "depth_table", full_disk)
    failed = runner.invoke(app, ["assess", str(tiny_spec), "--out", str(tmp_path / "out")])
    assert failed.exit_code == 2 and "No space left on device" in failed.stderr and "Traceback" not in failed.output
    kept = next((tmp_path / "cache" / "results").glob("report-*.json"))
    assert str(kept) in " ".join(failed.stderr.split()) and not list((tmp_path / "out").iterdir())
    monkeypatch.setattr(outputs, "depth_table", real)
    rendered = runner.invoke(app, ["report", str(kept), "--out", str(tmp_path / "later")])
    assert rendered.exit_code == 0 and json.loads((tmp_path / "later" / "report.json").read_text()) == json.loads(kept.read_text())


# -- item 4: terminal escapes from untrusted files are written out, never obeyed --------------------------------------

ESCAPES = "\x1b]0;PWNED\x1b\\\x1b[2J"  # sets the window title, clears the screen


def test_an_unknown_key_with_escapes_is_quoted_escaped_and_a_name_with_them_refused(write_spec):
    """An unknown key `"\\e]0;PWNED..."` once reached the terminal raw in validate's error (NUL too)."""
    from conftest import TINY_SPEC

    unknown = runner.invoke(app, ["validate", str(write_spec(TINY_SPEC + '"\\e]0;PWNED\\e\\\\\\e[2J\\0": 1\n'))])
    named = runner.invoke(app, ["validate", str(write_spec(TINY_SPEC.replace("name: tiny", 'name: "tiny\\e]0;PWNED\\e\\\\"')))])
    for result in (unknown, named):
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert not [ch for ch in result.output if ch in "\x1b\x00"]
    assert "\\x1b]0;PWNED" in unknown.output and "name: holds a control character" in named.output


def test_a_result_whose_strings_hold_escapes_is_refused_by_every_reader(tmp_path):
    """A result's spec.name with ESC and OSC sequences once reached the terminal in `report`, `explain` and `compare`
    and went into report.md."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["spec"]["name"] = "crafted" + ESCAPES + "\x00"
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data), encoding="utf-8")
    for command in (["report", str(crafted), "--out", str(tmp_path / "out")], ["explain", str(crafted)], ["compare", str(crafted), str(DATA)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "spec.name: holds a control character" in result.stderr, command
        assert "\x1b" not in result.output and "\x00" not in result.output
    assert not (tmp_path / "out").exists()


def test_an_unexpected_error_prints_no_local_variables(tmp_path):
    """The CLI framework's rich tracebacks once printed every frame's local variables: file contents and paths."""
    import subprocess
    import sys

    code = (
        "import sys, feasibility.spec.task as task\n"
        "def boom(path, overrides=None):\n"
        "    secret_contents = 'SECRET-' + 'CONTENTS'\n"
        "    raise RuntimeError('unexpected')\n"
        "task.load_spec = boom\n"
        "from feasibility.cli import app\n"
        "sys.argv = ['feasibility', 'validate', 'x.yaml']\n"
        "app()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode != 0 and "RuntimeError" in done.stderr
    assert "SECRET-CONTENTS" not in done.stderr + done.stdout


# -- item 10: grid files are read with the task file's reader and rules ----------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))


@pytest.mark.parametrize(
    "text, words",
    [
        (BOMB, "uses an anchor (&a)"),  # a 408-byte alias bomb once ran 114 s to 3 GB, then a MemoryError
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # once a RecursionError
        ("base: tiny.yaml\naxes:\n  hops: [1]\naxes:\n  hops: [2]\n", "axes: is written twice"),  # once last-wins
        ("base: tiny.yaml\naxes:\n  hops: [1]\nset:\n  description.x: 1\n  name.y: 2\n", "set.description.x: must be a dotted key of task, requirements"),  # once ignored
        ("base: tiny.yaml\naxes:\n" + "".join(f"  probe.a{i}: {list(range(100))}\n" for i in range(6)), "makes 1,000,000,000,000 cells, more than 1,000"),  # once built every cell first
        ("x: 1\n" + "#" * 1_100_000 + "\n", "is larger than 1,000,000 bytes"),  # a 50 MB grid was accepted
    ],
    ids=["alias-bomb", "deep-brackets", "twice", "not-a-section", "too-many-cells", "oversized"],
)
def test_a_hostile_grid_is_refused_in_one_line(tmp_path, text, words):
    from conftest import TINY_SPEC
    from feasibility.errors import SpecError
    from feasibility.spec.grid import load_grid

    (tmp_path / "tiny.yaml").write_text(TINY_SPEC)
    grid = tmp_path / "grid.yaml"
    grid.write_text(text)
    with pytest.raises(SpecError) as refused:
        load_grid(grid)
    assert words in str(refused.value)


def test_a_grid_that_is_a_pipe_or_a_device_is_refused_without_reading_it(tmp_path):
    """A FIFO once hung the sweep, and a link to /dev/zero filled memory."""
    from feasibility.errors import SpecError
    from feasibility.spec.grid import load_grid

    fifo = tmp_path / "grid.fifo"
    os.mkfifo(fifo)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    for path in (fifo, tmp_path / "zero.yaml"):
        with pytest.raises(SpecError, match="is not a regular file"):
            load_grid(path)


# -- item 13: the smaller ones --------------------------------------------------------------------------------------


def test_a_merge_key_is_refused_and_a_flood_of_unknown_keys_is_capped(write_spec):
    """`<<: {hops: 5}` was accepted silently; 100,000 unknown keys once printed 100,000 lines."""
    from conftest import TINY_SPEC

    merged = runner.invoke(app, ["validate", str(write_spec(TINY_SPEC.replace("  hops: 2\n", "  <<: {hops: 5}\n")))])
    assert merged.exit_code == 2 and ":6: uses a merge key (<<)" in merged.stderr
    flood = runner.invoke(app, ["validate", str(write_spec(TINY_SPEC + "".join(f"unknown{i}: 1\n" for i in range(5_000))))])
    assert flood.exit_code == 2 and len(flood.stderr.splitlines()) == 51 and "and 4,950 more problems like these" in flood.stderr


def test_a_link_loop_a_huge_cpu_count_and_a_missing_gpu_are_usage_errors(tmp_path, tiny_spec, monkeypatch):
    """A symlink loop was reported as "no such file"; `--cpus-per-job 99999999999999999999` failed after three
    attempts with exit 1; `--device cuda` without a GPU exited 1, not 2."""
    import torch

    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    looped = runner.invoke(app, ["validate", str(loop)])
    assert looped.exit_code == 2 and "is a link that leads to no file (a loop" in looped.stderr and "no such file" not in looped.stderr
    for command in ("assess", "sweep"):
        huge = runner.invoke(app, [command, str(tiny_spec), "--cpus-per-job", "99999999999999999999", "--out", str(tmp_path / command)])
        assert huge.exit_code == 2 and "--cpus-per-job" in huge.stderr and not (tmp_path / command).exists(), command
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    no_gpu = runner.invoke(app, ["assess", str(tiny_spec), "--device", "cuda", "--out", str(tmp_path / "gpu"), "--cache-dir", str(tmp_path / "cache")])
    assert no_gpu.exit_code == 2 and 'is "cuda" but torch sees no GPU' in no_gpu.stderr and not (tmp_path / "cache").exists()


def test_sigterm_ends_a_run_with_the_same_explanation_as_ctrl_c(tmp_path):
    """SIGTERM once ended a run silently (exit 143 with nothing said), where SIGINT explains what is kept."""
    import subprocess
    import sys

    code = (
        "import os, signal, sys, time, feasibility.spec.task as task\n"
        "def stopped(path, overrides=None):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
        "task.load_spec = stopped\n"
        "from feasibility.cli import main\n"
        "sys.argv = ['feasibility', 'validate', 'x.yaml']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 143 and "interrupted; finished probes are kept in the cache" in done.stderr


# -- item 8: cache entries are read as strictly as saved results -----------------------------------------------------


def test_wrong_shaped_crafted_and_special_cache_entries_are_moved_aside_and_retrained(tmp_path):
    """`{"depth": 1, "seeds": []}` once passed the shape check and raised a KeyError on every rerun; a link to
    /dev/zero gave a MemoryError, a FIFO hung, and NaN accuracies were taken as figures."""
    from feasibility.run.cache import read_entry
    from feasibility.run.search import _finished_run

    run = json.loads(DATA.read_text(encoding="utf-8"))["probes"][0]
    depth = run["config"]["depth"]
    nan_run = json.loads(json.dumps(run))
    nan_run["seeds"][0]["verdict_set"]["query_accuracy"] = "NaN-placeholder"
    entries = {
        "wrong-shape": json.dumps({"depth": depth, "seeds": [{}]}),
        "nan": json.dumps(nan_run).replace('"NaN-placeholder"', "NaN"),
        "above-one": json.dumps(nan_run).replace('"NaN-placeholder"', "1.5"),
    }
    for name, text in entries.items():
        (tmp_path / f"probe-{name}.json").write_text(text)
    (tmp_path / "probe-zero.json").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "probe-fifo.json")
    valid = lambda data: isinstance(data, dict) and data.get("depth") == depth and isinstance(data.get("seeds"), list)  # noqa: E731
    for name in [*entries, "zero", "fifo"]:
        said: list[str] = []
        path = tmp_path / f"probe-{name}.json"
        assert read_entry(path, valid, said.append, _finished_run(depth)) is None, name
        assert said == [f"cache entry {path.name} is damaged; moved aside to {path.name}.damaged, measuring again"], name
        assert not os.path.lexists(path) and os.path.lexists(tmp_path / f"{path.name}.damaged")
    good = tmp_path / "probe-good.json"
    good.write_text(json.dumps(run))
    assert read_entry(good, valid, pytest.fail, _finished_run(depth)).depth == depth  # a whole entry reads as a run


# -- item 9: a damaged checkpoint is said and moved aside; what a killed run left is cleaned up ---------------------


def _checkpointed_job(tmp_path: Path, width: int = 16):
    """A tiny job interrupted after its checkpoint of step 50, and that checkpoint."""
    from feasibility.plan.jobs import ProbeConfig, ProbeJob, TrainSettings, task_dict
    from feasibility.plan.tasks import KHopInduction
    from feasibility.probes.train import run_job

    shape = KHopInduction(hops=1, length=12, alphabet=4)
    settings = TrainSettings(max_steps=200, target_accuracy=0.95, time_budget_s=3600, eval_every=50, check_questions=64, verdict_questions=64, full_length_questions=64, warmup_steps=20)
    job = ProbeJob(task_dict(shape), ProbeConfig(shape.vocab_size, shape.sequence_length, 1, width, 2, 0), settings, (0,), None, "cpu")
    checkpoint = tmp_path / f"probe-w{width}.ckpt"

    class Stop(Exception):
        pass

    def stop_after_the_checkpoint(progress):
        if progress.step >= 100:
            raise Stop

    with pytest.raises(Stop):
        run_job(job, on_progress=stop_after_the_checkpoint, checkpoint=checkpoint, checkpoint_every=50)
    return job, checkpoint


def test_a_damaged_checkpoint_is_said_moved_aside_and_trained_anew(tmp_path):
    """Truncated, empty, random and wrong-shaped checkpoints were retrained from step 0 while stderr said "resuming
    from its checkpoint", and the file was neither reported nor moved aside."""
    import torch

    from feasibility.run.search import _checkpoint_news

    job, checkpoint = _checkpointed_job(tmp_path)
    whole = checkpoint.read_bytes()
    news = _checkpoint_news(checkpoint, job)
    assert news.startswith("resuming from its checkpoint at step ") and int(news.rsplit(" ", 1)[1]) >= 50
    assert checkpoint.read_bytes() == whole  # a usable checkpoint stays where the job finds it

    other, other_checkpoint = _checkpointed_job(tmp_path, width=32)
    misfit = torch.load(other_checkpoint, weights_only=True)
    misfit["identity"] = job.identity()  # claims to be this job's, holds a model of another width
    (tmp_path / "misfit").mkdir()
    torch.save(misfit, tmp_path / "misfit" / "state")
    damaged = {
        "truncated": (whole[: len(whole) // 2], "is not a readable checkpoint"),
        "empty": (b"", "is not a readable checkpoint"),
        "random": (os.urandom(4096), "is not a readable checkpoint"),
        "another-job": (other_checkpoint.read_bytes(), "belongs to another job"),
        "wrong-shape": ((tmp_path / "misfit" / "state").read_bytes(), "does not fit this job's model"),
    }
    for name, (content, words) in damaged.items():
        checkpoint.write_bytes(content)
        news = _checkpoint_news(checkpoint, job)
        assert news.startswith(f"its checkpoint {checkpoint.name} {words}") and news.endswith(f"; moved aside to {checkpoint.name}.damaged, training from step 0"), name
        assert not checkpoint.exists() and (tmp_path / f"{checkpoint.name}.damaged").read_bytes() == content, name
    (tmp_path / "elsewhere.bin").write_bytes(whole)
    checkpoint.symlink_to(tmp_path / "elsewhere.bin")  # a link is never opened, even to a whole checkpoint
    assert "is not a regular file; moved aside" in _checkpoint_news(checkpoint, job)
    assert (tmp_path / "elsewhere.bin").read_bytes() == whole


def test_unfinished_writes_of_a_dead_process_are_removed_and_a_live_ones_kept(tmp_path):
    """`.ckpt.PID.tmp` files of a killed run stayed until `cache clear`."""
    import subprocess
    import sys
    import time

    from feasibility.run.cache import LEFTOVER_AGE_S, clear_leftovers

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = int(finished.stdout)
    old = time.time() - LEFTOVER_AGE_S - 60
    files = {
        "dead-old": tmp_path / f"probe-a.ckpt.{dead}.tmp",
        "dead-fresh": tmp_path / f"probe-b.ckpt.{dead}.tmp",  # another machine sharing the folder may be writing it
        "live-old": tmp_path / f"probe-c.json.{os.getpid()}.tmp",
        "not-ours": tmp_path / "notes.tmp",
    }
    for name, path in files.items():
        path.write_text(name)
        if name != "dead-fresh":
            os.utime(path, (old, old))
    assert clear_leftovers(tmp_path) == 1
    assert [name for name, path in files.items() if not path.exists()] == ["dead-old"]


# -- item 11: crafted results are refused in one line, never a traceback or a stall ---------------------------------


@pytest.mark.parametrize(
    "place, value, words",
    [
        (("probes", 0, "attention_example", "patterns"), "x", "attention_example.patterns: must hold one layer per layer"),
        (("probes", 0, "attention_example", "patterns"), [[]], "must be 1 to 64 heads per layer"),
        (("probes", 0, "attention_example", "chain_positions", 0), 10**19, "attention_example.chain_positions: must be positions among its"),
        (("probes", 0, "curve", 0, "query_accuracy"), "x", "curve[0].query_accuracy: must be one fraction per seed"),
        (("probes", 0, "curve", 0, "query_accuracy"), [], "curve[0].query_accuracy: must be one fraction per seed"),
        (("probes", 0, "seeds"), "SEEDS_X1000", "seeds: must be a list of 1 to 10 seeds"),
        (("environment",), "DEEP", "nested deeper than 12 levels"),
    ],
    ids=["patterns-x", "patterns-empty", "chain-huge", "curve-x", "curve-empty", "seeds-x1000", "deep-environment"],
)
def test_a_crafted_result_is_refused_naming_the_key(tmp_path, place, value, words):
    data = json.loads(REWORK.read_text(encoding="utf-8"))
    target = data
    for step in place[:-1]:
        target = target[step]
    if value == "SEEDS_X1000":
        value = target[place[-1]] * 1000
    elif value == "DEEP":
        value = json.loads("[" * 900 + "]" * 900)
    target[place[-1]] = value
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data), encoding="utf-8")
    for command in (["report", str(crafted), "--out", str(tmp_path / "out")], ["explain", str(crafted)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and words in result.stderr and "Traceback" not in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_fuzzed_results_give_a_clear_error_or_a_report_never_a_traceback_or_a_write_outside_out(tmp_path):
    """Many generated wrong types, sizes and shapes at places drawn from a real result: each either loads and renders
    (Markdown, terminal, explain; a few also write every file through `report`) or is refused with a UsageError."""
    import io
    import random

    from rich.console import Console

    from feasibility.errors import FeasibilityError
    from feasibility.reports.markdown import render_markdown
    from feasibility.reports.terminal import explain_view, summary
    from feasibility.run.pipeline import load_assessment

    original = json.loads(REWORK.read_text(encoding="utf-8"))
    places: list[tuple] = []

    def collect(value, where: tuple) -> None:
        places.append(where)
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in list(children)[:4]:  # the first few of each list: shapes repeat
            collect(item, (*where, key))

    collect(original, ())
    draw = random.Random(26)
    wrong = ["x", "", [], [[]], {}, None, -1, 0, 10**19, 1e308, True, [1] * 5000, {"a": [None]}, "1/../../escaped", 0.5]
    rendered = 0
    for case in range(120):
        data = json.loads(json.dumps(original))
        where = draw.choice(places[1:])
        target = data
        for step in where[:-1]:
            target = target[step]
        target[where[-1]] = draw.choice(wrong)
        path = tmp_path / f"case-{case}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            result = load_assessment(path)
            render_markdown(result, [], "en")
            shown = Console(file=io.StringIO(), width=100)
            for renderable in summary(result, False, "en") + explain_view(result, False, None, "en"):
                shown.print(renderable)
        except FeasibilityError:
            continue
        except Exception as error:  # noqa: BLE001 - the point: nothing else may escape to the user
            pytest.fail(f"{where} = {target[where[-1]]!r}: {type(error).__name__}: {error}")
        if rendered < 3:  # a few of the accepted ones through every writer, figures included
            rendered += 1
            out = tmp_path / f"out-{case}"
            done = runner.invoke(app, ["report", str(path), "--out", str(out)])
            assert done.exit_code in (0, 2) and "Traceback" not in done.output, (where, done.output)
    written = {p.name for p in tmp_path.iterdir()}
    assert written <= {f"case-{n}.json" for n in range(120)} | {f"out-{n}" for n in range(120)}  # nothing beside --out


@pytest.mark.parametrize("section, key", [("spec.deployment", "width"), ("spec.requirements", "batch_size"), ("spec.task", "kind"), ("plan", "max_steps")])
def test_a_result_missing_a_key_every_result_holds_is_refused_by_name(tmp_path, section, key):
    """The saved spec and plan are typed: a key every result has held since schema 2 missing is a clear error naming
    it, never a report that prints a placeholder where the figure was."""
    data = json.loads(DATA.read_text())
    holder = data
    for part in section.split("."):
        holder = holder[part]
    del holder[key]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    from feasibility.run.pipeline import load_assessment

    with pytest.raises(UsageError, match=f"missing '{key}'"):
        load_assessment(path)
