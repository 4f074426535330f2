"""Commands through typer's CliRunner: exit codes, messages, files; one end-to-end assess on a tiny spec."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from feasibility.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("assess", "validate", "bounds", "init", "profiles"):
        assert command in result.output
    bare = runner.invoke(app, [])
    assert bare.exit_code == 0 and "assess" in bare.output and "Usage" in bare.output  # asked for nothing: the help, exit 0
    for group, command in (("profiles", "show"), ("cache", "clear")):  # so does a command group asked for nothing
        bare = runner.invoke(app, [group])
        assert bare.exit_code == 0 and command in bare.output and "Usage" in bare.output


@pytest.mark.parametrize(
    "command, words",
    [
        (["validate"], ["The task file (YAML), or - to read it from standard input."]),
        (["assess"], ["The task file (YAML)."]),
        (["report"], ["A report.json written by"]),
        (["explain"], ["A report.json written by"]),
        (["compare"], ["A report.json written by", "Another report.json"]),
        (["sweep"], ["The grid file (YAML)"]),
        (["profiles", "show"], ["Profile name"]),
    ],
)
def test_every_argument_shows_its_help(command, words):
    """Under click 8.5 with typer 0.19, every argument's help was hidden (`validate -h` showed `SPEC [required]`)."""
    shown = " ".join(runner.invoke(app, [*command, "-h"]).stdout.replace("│", " ").split())  # help wrapped inside its box, joined
    for word in words:
        assert word in shown, (command, word)
    assert "result_path" not in shown and "spec_path" not in shown and "first" not in shown


def test_shell_completion_offers_the_bundled_profiles(monkeypatch):
    from feasibility.cli import _profile_names

    names = _profile_names("")
    assert "serial-to-work-order" in names and _profile_names("serial") == ["serial-to-work-order"]
    monkeypatch.setenv("FEASIBILITY_PROFILES", "/nonexistent-profiles-folder")
    assert _profile_names("") == []  # completion never fails


@pytest.mark.parametrize(
    "command",
    [["--help"], ["validate", "SPEC"], ["bounds", "--hops", "3"], ["explain", "RESULT"], ["compare", "RESULT", "RESULT"], ["report", "RESULT", "--out", "OUT"]],
)
def test_fast_commands_do_not_import_torch(command, tiny_spec, tmp_path):
    from test_report import DATA

    places = {"SPEC": str(tiny_spec), "RESULT": str(DATA), "OUT": str(tmp_path / "out")}
    args = [places.get(part, part) for part in command]
    code = (
        "import sys; from typer.testing import CliRunner; from feasibility.cli import app; "
        f"r = CliRunner().invoke(app, {args!r}); assert r.exit_code == 0, r.output; "
        "assert 'torch' not in sys.modules, 'torch imported'; assert 'fvcore' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_validate_prints_resolved_spec(tiny_spec):
    result = runner.invoke(app, ["validate", str(tiny_spec)])
    assert result.exit_code == 0
    assert "valid" in result.output and "latency_percentile: 95" in result.output


def test_bounds():
    result = runner.invoke(app, ["bounds", "--hops", "5"])
    assert result.exit_code == 0
    assert "at least 3 layers" in result.output and "4 layers suffice" in result.output
    one = runner.invoke(app, ["bounds", "--hops", "1"])
    assert one.stdout.startswith("1 hop, a hop being one lookup: at least 1 layer, and 2 layers suffice")
    assert "Musat" in result.output and "Sanford" in result.output
    assert runner.invoke(app, ["bounds", "--hops", "0"]).exit_code == 2


def test_init_writes_a_valid_file_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "task.yaml"
    assert runner.invoke(app, ["init", "--output", str(target)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0
    again = runner.invoke(app, ["init", "--output", str(target)])
    assert again.exit_code == 2 and "already exists" in again.stderr
    from_profile = tmp_path / "p.yaml"
    assert runner.invoke(app, ["init", "--profile", "rework-fixture-lookup", "--output", str(from_profile)]).exit_code == 0
    assert "rework-fixture-lookup" in from_profile.read_text()


def test_profiles_list_and_show():
    listed = runner.invoke(app, ["profiles", "list"])
    assert listed.exit_code == 0 and "defect-trace-lot-genealogy" in listed.output
    shown = runner.invoke(app, ["profiles", "show", "alarm-cascade-root-cause"])
    assert shown.exit_code == 0 and "hops: 4" in shown.output
    missing = runner.invoke(app, ["profiles", "show", "nope"])
    assert missing.exit_code == 2 and 'no profile named "nope"' in missing.stderr


def test_assess_bad_flag_is_a_usage_error(tiny_spec):
    result = runner.invoke(app, ["assess", str(tiny_spec), "--depths", "one,two"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_assess_end_to_end_on_a_tiny_spec(tiny_spec, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = runner.invoke(app, ["assess", str(tiny_spec), "--out", str(out), "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["schema_version"] == 2
    assert [v["depth"] for v in report["verdicts"]] == [1, 2]
    # stderr is not a terminal here: plain progress lines instead of bars, so a log shows the run is alive
    assert "depth 1: training, up to 150 steps (time cap 60 s)" in result.stderr and "depth 1: below bound" in result.stderr
    assert report["verdicts"][0]["verdict"] == "below_bound"  # 2 hops cannot be done by 1 layer
    assert all(p["steps"] > 0 and not p["cached"] for p in report["probes"])
    cost = report["costs"][0]
    assert cost["flops"]["macs_per_request"] == cost["flops"]["analytic_macs"] > 0
    assert cost["latency"]["p50_ms"] > 0 and cost["latency"]["runs"] >= 10
    assert all(len(c["latency"]["passes_p50_ms"]) == 2 for c in report["costs"])  # every depth timed in two passes
    markdown = (out / "report.md").read_text()
    assert markdown.startswith("# Feasibility: tiny") and report["recommendation"]["headline"] in markdown
    assert "- repeatability: every depth was timed in two passes over the depths" in markdown
    assert "feasibility: tiny" in result.output
    for name in ("accuracy.png", "latency.png"):
        assert (out / name).stat().st_size > 1000 and f"]({name})" in markdown
    csv_lines = (out / "depths.csv").read_text().splitlines()
    assert csv_lines[0].startswith("depth,") and len(csv_lines) == 3

    # `report` re-renders every output from the saved result alone, identically.
    rendered = tmp_path / "rendered"
    again = runner.invoke(app, ["report", str(out / "report.json"), "--out", str(rendered)])
    assert again.exit_code == 0, again.stderr
    assert (rendered / "report.md").read_text() == markdown
    assert json.loads((rendered / "report.json").read_text()) == report

    # A changed latency budget retrains nothing: every probe comes from the cache. The earlier report in --out is
    # replaced only with --force, and that is checked before any work.
    args = ["assess", str(tiny_spec), "--out", str(out), "--cache-dir", str(cache), "--latency-ms", "0.001"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "holds the report of an earlier run" in refused.stderr and "--force" in refused.stderr
    assert "training" not in refused.stderr and json.loads((out / "report.json").read_text()) == report
    again = runner.invoke(app, [*args, "--force"])
    assert again.exit_code == 0
    rerun = json.loads((out / "report.json").read_text())
    assert all(p["cached"] for p in rerun["probes"])
    assert rerun["recommendation"]["decision"] != "recommended"
    # For scripts, --strict fails a run without a depth that holds at the task's length, after writing its report.
    (out / "report.json").unlink()
    strict = runner.invoke(app, [*args, "--force", "--strict"])
    assert strict.exit_code == 3 and "--strict: the decision is 'not_learned'" in strict.stderr
    assert json.loads((out / "report.json").read_text())["recommendation"]["decision"] == "not_learned"

    # Damaged cache entries are said, moved aside and measured again; the run still finishes.
    entries = sorted(cache.glob("probe-*.json"))
    entries[0].write_bytes(b"\xff\xfe garbage")
    entries[1].write_text("[]")
    damaged = runner.invoke(app, ["assess", str(tiny_spec), "--out", str(tmp_path / "again"), "--cache-dir", str(cache)])
    assert damaged.exit_code == 0, damaged.output + damaged.stderr
    assert damaged.stderr.count("is damaged; moved aside") == 2 and len(list(cache.glob("*.damaged"))) == 2
    assert not any(p["cached"] for p in json.loads((tmp_path / "again" / "report.json").read_text())["probes"])


def test_a_cache_folder_that_cannot_be_used_is_refused_before_any_training(tiny_spec, tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("")
    result = runner.invoke(app, ["assess", str(tiny_spec), "--out", str(tmp_path / "out"), "--cache-dir", str(not_a_folder)])
    assert result.exit_code == 2 and "exists and is not a folder" in result.stderr and "--no-cache" in result.stderr
    assert "training" not in result.stderr and not (tmp_path / "out").exists()


def test_a_probe_the_clock_cut_short_is_not_cached(tiny_spec, tmp_path, monkeypatch):
    """A run stopped by the time cap (a busy machine) is not kept: the rerun trains it again."""
    import feasibility.probes.train as train_module

    real = train_module.run_job
    monkeypatch.setattr(train_module, "run_job", lambda *args, **kwargs: real(*args, **{**kwargs, "clock": iter(range(0, 10**6, 30)).__next__}))
    cache = tmp_path / "cache"
    args = ["assess", str(tiny_spec), "--out", str(tmp_path / "out"), "--cache-dir", str(cache), "--depths", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + result.stderr
    assert json.loads((tmp_path / "out" / "report.json").read_text())["verdicts"][0]["verdict"] == "too_slow"
    assert not list(cache.glob("probe-*"))


def test_report_json_is_strict_json(tiny_spec, tmp_path):
    """No NaN or Infinity: readers such as JSON.parse reject them; a missing figure is null."""
    from feasibility.run.pipeline import load_assessment
    from feasibility.reports.outputs import write_outputs

    result = load_assessment(__import__("pathlib").Path(__file__).parent / "data" / "example.json")
    write_outputs(result, tmp_path, "en")

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    data = json.loads((tmp_path / "report.json").read_text(), parse_constant=refuse)
    assert data["probes"][0]["curve"][0]["train_loss"] == [None, None, None]  # no training loss before the first step


def test_report_rejects_what_is_not_a_result(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["report", str(bad)])
    assert result.exit_code == 2 and "not a readable JSON result" in result.stderr
    old = tmp_path / "old.json"
    old.write_text('{"schema_version": 0}')
    result = runner.invoke(app, ["report", str(old)])
    assert result.exit_code == 2 and "schema_version must be 2" in result.stderr
    old.write_text('{"schema_version": 1}')
    result = runner.invoke(app, ["report", str(old)])
    assert result.exit_code == 2 and "judged links one lookup short of the question; re-run `feasibility assess`" in result.stderr
    assert runner.invoke(app, ["report", str(tmp_path / "missing.json")]).exit_code == 2


def test_an_interrupted_assess_says_what_was_kept_and_resumes_from_the_checkpoint(tiny_spec, tmp_path, monkeypatch):
    """Ctrl-C in the middle of a probe: exit 130 with a message, the probe's checkpoint stays in the cache; the
    rerun resumes from it (its first running check is after the checkpoint) and the finished run replaces it."""
    import feasibility.probes.train as train_module

    real = train_module.run_job
    checks: list[list[int]] = []  # the steps of the running checks, one list per run

    def interrupting(*args, on_progress=None, checkpoint=None, **kwargs):
        checks.append([])

        def progress(p):
            if p.step == 100 and len(checks) == 1:
                raise KeyboardInterrupt
            checks[-1].append(p.step)

        return real(*args, on_progress=progress, checkpoint=checkpoint, **{**kwargs, "checkpoint_every": 50})

    monkeypatch.setattr(train_module, "run_job", interrupting)
    monkeypatch.setattr("feasibility.plan.jobs.AT_CHANCE_SHARE", 0.0)  # depth 1 sits at chance: it must still reach step 100
    cache = tmp_path / "cache"
    args = ["assess", str(tiny_spec), "--out", str(tmp_path / "out"), "--cache-dir", str(cache), "--depths", "1", "--time-budget", "600"]
    interrupted = runner.invoke(app, args)
    assert interrupted.exit_code == 130
    assert "interrupted" in interrupted.stderr and "checkpoint" in interrupted.stderr and "Traceback" not in interrupted.output
    assert len(list(cache.glob("probe-*.ckpt"))) == 1 and not list(cache.glob("probe-*.json"))

    resumed = runner.invoke(app, args)
    assert resumed.exit_code == 0, resumed.output + resumed.stderr
    assert checks[0] == [0, 50] and checks[1][0] == 100  # the rerun went on from the checkpoint of step 50
    assert not list(cache.glob("probe-*.ckpt")) and len(list(cache.glob("probe-*.json"))) == 1


def test_assess_runs_the_khop_family(write_spec, tmp_path):
    from conftest import TINY_SPEC

    spec = write_spec(TINY_SPEC.replace("kind: chained_retrieval", "kind: khop_induction").replace("hops: 2", "hops: 1").replace("depths: [1, 2]", "depths: [2]"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(spec), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["plan"]["family"] == "khop_induction"
    assert report["probes"][0]["task"]["family"] == "khop_induction"
    assert report["probes"][0]["seeds"][0]["verdict_set"]["accuracy_by_hop"]
    assert report["probes"][0]["chance"]["best"] in ("current_symbol", "always_null", "most_frequent_symbol", "random_symbol")


def test_cuda_without_a_gpu_fails_before_training(write_spec, tmp_path, monkeypatch):
    import torch

    from conftest import TINY_SPEC

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    spec = write_spec(TINY_SPEC.replace("device: cpu", "device: cuda"))
    result = runner.invoke(app, ["assess", str(spec), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 2  # a usage error: what was asked cannot be done on this machine
    assert 'deployment.device is "cuda" but torch sees no GPU' in result.stderr
    assert not (tmp_path / "cache").exists()  # nothing was trained


def test_compare_two_results_says_what_changed(tmp_path):
    import json

    from test_report import REWORK as DATA

    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["spec"]["requirements"]["latency_ms"] = 12.0
    tighter = tmp_path / "tighter.json"
    tighter.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "compare.md"
    result = CliRunner().invoke(app, ["compare", str(DATA), str(tighter), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "the decision changed" in result.stdout and "requirements.latency_ms" in result.stdout
    markdown = out.read_text(encoding="utf-8")
    assert "| `requirements.latency_ms` | 30 | 12 |" in markdown and "Not within budget" in markdown
    japanese = CliRunner().invoke(app, ["compare", str(DATA), str(tighter), "--lang", "ja"])
    assert japanese.exit_code == 0 and "結論が変わった" in japanese.stdout


def test_unknown_language_is_a_clear_error(tmp_path):
    from test_report import DATA

    result = CliRunner().invoke(app, ["report", str(DATA), "--out", str(tmp_path), "--lang", "fr"])
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'ja'" in result.stderr
    for option, value, listed in (("--device", "tpu", "'auto', 'cpu', 'cuda'"), ("--mode", "graph", "'eager', 'cuda-graph'")):
        result = CliRunner().invoke(app, ["assess", "task.yaml", option, value])
        assert result.exit_code == 2 and listed in result.stderr  # refused at once, with the choices
    help_text = CliRunner().invoke(app, ["assess", "--help"]).stdout
    assert "[en|ja]" in help_text and "[auto|cpu|cuda]" in help_text and "--install-completion" in CliRunner().invoke(app, ["--help"]).stdout


def test_explain_shows_attention_and_emergence(tmp_path):
    from test_report import DATA

    result = CliRunner().invoke(app, ["explain", str(DATA)])
    assert result.exit_code == 0, result.output
    assert "Inside the probes: depth 3, seed 0" in result.stdout
    assert "L3H" in result.stdout and "hop 2 at step" in result.stdout and "^" in result.stdout
    japanese = CliRunner().invoke(app, ["explain", str(DATA), "--depth", "2", "--lang", "ja"])
    assert japanese.exit_code == 0 and "プローブの内部: 2 層" in japanese.stdout
    missing = CliRunner().invoke(app, ["explain", str(DATA), "--depth", "7"])
    assert missing.exit_code == 2 and "--depth 7: no probe of that depth was trained in this result; trained depths: 2, 3" in missing.stderr
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for run in data["probes"]:
        run["attention_example"] = None
    without = tmp_path / "without.json"
    without.write_text(json.dumps(data), encoding="utf-8")
    old = CliRunner().invoke(app, ["explain", str(without)])
    assert old.exit_code == 0 and "re-run `feasibility assess`" in old.stdout


def test_assess_compares_the_curriculum(tiny_spec, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["assess", str(tiny_spec), "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--compare-curriculum"])
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    other = saved["curriculum_comparison"]
    assert other["curriculum"] is False and [run["depth"] for run in other["probes"]] == [run["depth"] for run in saved["probes"]]
    assert all(run["task"]["curriculum"] is False for run in other["probes"])
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## Implicit curriculum: on and off" in markdown and "## Inside the probes" in markdown
    for name in ("attention.png", "emergence.png", "curves-depth-1.png"):
        assert (out / name).stat().st_size > 5_000


def test_a_progress_line_says_the_step_the_question_and_the_time_left():
    from feasibility.cli import _progress_line
    from feasibility.probes.train import Progress

    line = _progress_line(Progress(depth=3, step=500, max_steps=2000, elapsed_s=50.0, time_budget_s=180.0, decisive_accuracy=0.8234))
    assert line == "depth 3: step 500/2,000, question 82.3% (check), 50 s, at most about 130 s left"  # the clock cap binds first
    early = Progress(depth=3, step=500, max_steps=2000, elapsed_s=10.0, time_budget_s=180.0)
    assert early.remaining_s == 30.0 and Progress(3, 0, 2000, 0.0, 180.0).remaining_s is None


def test_hostile_results_are_refused_in_one_line(tmp_path):
    """Saved results nested 100k deep, a pipe, a folder: one line, exit 2, no traceback (report, explain, compare)."""
    import os

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"schema_version": 2, "spec": {}, "probes": []}))
    for path, expected in ((deep, "nested too deeply"), (fifo, "not a regular file"), (tmp_path, "not a regular file"), (wrong, "spec.name: is required")):
        for command in (["report", str(path)], ["explain", str(path)], ["compare", str(path), str(path)]):
            result = runner.invoke(app, command)
            assert result.exit_code == 2 and expected in result.stderr, (command, result.stderr)
            assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["costs"][2]["latency"].update(p95_ms=float("nan")), "costs[2].latency.p95_ms: must be a number of milliseconds, got nan"),
        (lambda d: d["costs"][0]["latency"].update(p50_ms="fast"), "costs[0].latency.p50_ms: must be a number of milliseconds"),
        (lambda d: d["costs"][1]["latency"].pop("p99_ms"), "costs[1].latency.p99_ms: missing"),
        (lambda d: d["verdicts"][1].update(lower_bound=float("inf")), "verdicts[1].lower_bound: must be a fraction"),
        (lambda d: d["spec"]["task"].update(hops=0), "spec.task.hops: must be between 1 and 64, got 0"),
        (lambda d: d["spec"]["task"].update(hops="two"), "spec.task.hops: must be a whole number, got 'two'"),
        (lambda d: d["spec"]["requirements"].update(accuracy=float("nan")), "spec.requirements.accuracy: must be a number > 0 and <= 1, got nan"),
        (lambda d: d.update(schema_version=True), "schema_version must be 2, got True"),
        (lambda d: d.update(spec=[]), "spec: missing or not a mapping"),
    ],
)
def test_saved_results_with_impossible_figures_are_refused_naming_the_key(tmp_path, change, expected):
    """A NaN latency once read "p95 nan ms exceeds the budget", a NaN target "at nan% or better" and hops 0
    "learned all 0 hops": such a result is refused with the key and the reason (report, explain, compare)."""
    from test_report import DATA

    data = json.loads(DATA.read_text(encoding="utf-8"))
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    for command in (["report", str(bad), "--out", str(tmp_path / "out")], ["explain", str(bad)], ["compare", str(bad), str(DATA)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and expected in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.output + result.stderr and not (tmp_path / "out").exists()


def test_names_that_look_like_markup_are_printed_as_written(tmp_path):
    """A task named "line [/] 3 [bold]" once crashed report, compare and assess with rich's MarkupError."""
    from test_report import REWORK as DATA

    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["spec"]["name"] = "line [/] 3 [bold]"
    data["spec"]["description"] = "[red]x[/red] [/]"
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(data), encoding="utf-8")
    for command in (["report", str(odd), "--out", str(tmp_path / "out")], ["compare", str(DATA), str(odd)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output, result.stderr)
        assert "line [/] 3 [bold]" in result.stdout


def test_output_paths_are_checked_and_inputs_never_overwritten(tmp_path):
    from test_report import REWORK as DATA

    saved = tmp_path / "saved" / "report.json"
    saved.parent.mkdir()
    saved.write_bytes(DATA.read_bytes())
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    refused = {
        ("compare", str(DATA), str(saved), "--out", str(saved)): "is one of the results being compared",
        ("compare", str(DATA), str(saved), "--out", str(a_file / "x.md")): "is a file, not a folder",
        ("report", str(saved), "--out", str(a_file)): "exists and is not a folder",
        ("init", "--output", str(tmp_path)): "is a folder",
        ("init", "--output", str(a_file / "task.yaml")): "is a file, not a folder",
        ("init", "--profile", "../examples/task", "--output", str(tmp_path / "t.yaml")): 'no profile named "../examples/task"',
        ("profiles", "show", "/etc/passwd"): 'no profile named "/etc/passwd"',
    }
    for command, expected in refused.items():
        result = runner.invoke(app, list(command))
        assert result.exit_code == 2 and expected in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.output + result.stderr
    assert saved.read_bytes() == DATA.read_bytes()

    # Allowed: compare into a folder that does not exist yet; report into its own folder.
    result = runner.invoke(app, ["compare", str(DATA), str(saved), "--out", str(tmp_path / "new" / "compare.md")])
    assert result.exit_code == 0 and (tmp_path / "new" / "compare.md").is_file()
    result = runner.invoke(app, ["report", str(saved)])
    assert result.exit_code == 0 and (saved.parent / "report.md").is_file()
    assert saved.read_bytes() == DATA.read_bytes()  # the input itself is not rewritten


def test_version_short_help_and_a_validate_output_that_is_itself_a_task_file(tiny_spec, tmp_path):
    from feasibility import __version__

    assert runner.invoke(app, ["--version"]).stdout.strip() == f"feasibility {__version__}"
    assert runner.invoke(app, ["-V"]).stdout.strip() == f"feasibility {__version__}"
    assert "Usage" in runner.invoke(app, ["-h"]).stdout and "--depths" in runner.invoke(app, ["assess", "-h"]).stdout
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(runner.invoke(app, ["validate", str(tiny_spec)]).stdout)
    again = runner.invoke(app, ["validate", str(resolved)])
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[1:] == runner.invoke(app, ["validate", str(tiny_spec)]).stdout.splitlines()[1:]


def test_cache_list_and_clear(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "probe-abc.json").write_text("{}" * 100)
    (cache / "probe-abc.ckpt").write_bytes(b"x" * 50)
    (cache / "length-abc.json").write_text("{}")
    (cache / "notes.txt").write_text("mine")
    listed = runner.invoke(app, ["cache", "list", "--cache-dir", str(cache)])
    assert listed.exit_code == 0
    assert not set("│┃━─") & set(listed.stdout)  # piped: ASCII boxes only
    rows = {cells[0]: cells[1:] for cells in ([c.strip() for c in line.strip("| ").split("|")] for line in listed.stdout.splitlines()) if len(cells) == 3}
    assert rows["finished probes"] == ["1", "200 B"] and rows["checkpoints"] == ["1", "50 B"] and rows["all"] == ["3", "252 B"]
    cleared = runner.invoke(app, ["cache", "clear", "--cache-dir", str(cache)])
    assert cleared.exit_code == 0 and "removed 3 files" in cleared.stdout
    assert [p.name for p in cache.iterdir()] == ["notes.txt"]


def test_json_to_stdout_and_notes_to_stderr(tmp_path):
    """For scripts: with --json stdout is the result alone (strict JSON); the files written go to stderr."""
    from test_report import REWORK as DATA

    result = runner.invoke(app, ["report", str(DATA), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.stderr

    def refuse(constant):
        raise ValueError(constant)

    data = json.loads(result.stdout, parse_constant=refuse)
    assert data["recommendation"]["decision"] == "not_shown_at_length" and data["schema_version"] == 2
    assert "Written:" in result.stderr and "Written:" not in result.stdout
    plain = runner.invoke(app, ["report", str(DATA), "--out", str(tmp_path)])
    assert "Written:" in plain.stderr and "Written:" not in plain.stdout and not set("│┃━─╭") & set(plain.stdout)


def test_an_install_under_another_prefix_finds_the_profiles_it_carries(tmp_path):
    """The profiles travel inside the package (`feasibility.profiles`, read with importlib.resources), so an install
    with `pip install --prefix` (or `--user`), away from any checkout and from sys.prefix, lists and shows them."""
    import os
    import shutil
    import sys as system
    import sysconfig
    from pathlib import Path

    import feasibility

    feasibility_file = feasibility.__file__
    checkout = Path(__file__).parent.parent
    source = tmp_path / "source"
    source.mkdir()
    for part in ("pyproject.toml", "README.md", "feasibility", "profiles"):
        (shutil.copytree if (checkout / part).is_dir() else shutil.copy)(checkout / part, source / part, **({"ignore": shutil.ignore_patterns("__pycache__")} if (checkout / part).is_dir() else {}))
    prefix = tmp_path / "prefix"
    # --ignore-installed: pip would otherwise uninstall the feasibility this test runs from before installing the copy
    subprocess.run([system.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--ignore-installed", "--prefix", str(prefix), str(source)], check=True, capture_output=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))
    run = subprocess.run([system.executable, "-m", "feasibility", "profiles", "show", "rework-fixture-lookup"], cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(site), "FEASIBILITY_PROFILES": ""})
    assert run.returncode == 0, run.stderr
    assert "name: rework-fixture-lookup" in run.stdout
    where = subprocess.run([system.executable, "-c", "import feasibility.spec.profiles as p; print(p.profiles_dir())"], cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(site), "FEASIBILITY_PROFILES": ""})
    assert Path(where.stdout.strip()) == site / "feasibility" / "profiles"
    mine = subprocess.run([system.executable, "-c", "import feasibility; print(feasibility.__file__)"], cwd=tmp_path, capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert mine.stdout.strip() == feasibility_file  # the install under test was left as it was


def test_the_package_list_in_pyproject_names_every_package_folder():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    checkout = Path(__file__).parent.parent
    listed = set(tomllib.loads((checkout / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {".".join(path.parent.relative_to(checkout).parts) for path in (checkout / "feasibility").rglob("__init__.py")}
    assert listed == folders | {"feasibility.profiles"}


def test_train_device_cuda_without_a_gpu_fails_before_training_and_auto_trains_on_the_cpu(tiny_spec, tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    args = ["assess", str(tiny_spec), "--cache-dir", str(tmp_path / "cache"), "--depths", "1"]
    refused = runner.invoke(app, [*args, "--out", str(tmp_path / "refused"), "--train-device", "cuda"])
    assert refused.exit_code == 2 and '--train-device is "cuda" but torch sees no GPU' in refused.stderr
    assert not (tmp_path / "cache").exists()
    ran = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output + ran.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["environment"]["train_device"] == "cpu" and report["probes"][0]["device"] == "cpu"


def test_a_deployment_no_machine_here_can_hold_is_refused_before_training(write_spec, tmp_path):
    """Width 65,536 with a vocabulary of a million at a million tokens: `assess` refuses it at once naming the keys
    and the memory it would take; `validate` says so as a warning."""
    huge = write_spec(
        "name: huge\ntask: {sequence_length: 1000000, hops: 2}\nrequirements: {accuracy: 0.99, latency_ms: 10}\n"
        "deployment: {width: 65536, heads: 256, vocab_size: 1000000}\n"
    )
    result = runner.invoke(app, ["assess", str(huge), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 2 and "deployment.width 65536" in result.stderr and "GiB" in result.stderr
    assert not list((tmp_path / "cache").glob("*")) and not (tmp_path / "out").exists()
    checked = runner.invoke(app, ["validate", str(huge)])
    assert checked.exit_code == 0 and "warning:" in checked.stderr and "assess` will refuse it here" in checked.stderr


def test_another_runs_report_is_replaced_only_with_force_and_links_are_never_followed(tmp_path):
    """Re-rendering into a folder that holds another run's report once mixed the two (its report.ja.md and
    attention.png beside the new report.md), and a link among the names was written through."""
    from test_report import DATA, REWORK

    folder = tmp_path / "out"
    assert runner.invoke(app, ["report", str(REWORK), "--out", str(folder), "--lang", "ja"]).exit_code == 0
    assert (folder / "report.ja.md").is_file() and (folder / "attention.png").is_file()
    again = runner.invoke(app, ["report", str(REWORK), "--out", str(folder)])  # the same run: its own folder now
    assert again.exit_code == 0 and (folder / "report.md").is_file() and (folder / "report.ja.md").is_file()

    refused = runner.invoke(app, ["report", str(DATA), "--out", str(folder)])
    assert refused.exit_code == 2 and "holds the report of an earlier run" in refused.stderr and "--force" in refused.stderr
    assert json.loads((folder / "report.json").read_text())["spec"]["name"] == "rework-fixture-lookup"

    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    (folder / "depths.csv").unlink()
    (folder / "depths.csv").symlink_to(outside)
    forced = runner.invoke(app, ["report", str(DATA), "--out", str(folder), "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert outside.read_text() == "keep me" and not (folder / "depths.csv").is_symlink()
    assert not (folder / "report.ja.md").exists()  # the other run's Japanese report is gone, not mixed in
    assert json.loads((folder / "report.json").read_text())["spec"]["name"] == "example-two-hop-trace"
    assert sorted(p.name for p in folder.glob("curves-depth-*.png")) == ["curves-depth-2.png", "curves-depth-3.png"]  # the other run's depth 1 is gone


def test_a_result_beside_another_runs_report_needs_force_and_json_alone_writes_no_files(tmp_path, monkeypatch):
    """A copy of run B saved as other.json beside run A's report once replaced A's report.json without a word;
    `report X.json --json` once wrote report.md, depths.csv and the plots into the current folder."""
    import shutil

    from test_report import DATA, REWORK

    folder = tmp_path / "a"
    assert runner.invoke(app, ["report", str(REWORK), "--out", str(folder)]).exit_code == 0
    before = (folder / "report.json").read_bytes()
    shutil.copy(DATA, folder / "other.json")
    refused = runner.invoke(app, ["report", str(folder / "other.json")])
    assert refused.exit_code == 2 and "holds the report of an earlier run" in refused.stderr
    assert (folder / "report.json").read_bytes() == before
    again = runner.invoke(app, ["report", str(folder / "report.json")])  # the folder's own result re-renders in place
    assert again.exit_code == 0 and (folder / "report.json").read_bytes() == before

    quiet = tmp_path / "quiet"
    quiet.mkdir()
    monkeypatch.chdir(quiet)
    printed = runner.invoke(app, ["report", str(DATA), "--json"])
    assert printed.exit_code == 0 and json.loads(printed.stdout)["spec"]["name"] == "example-two-hop-trace"
    assert list(quiet.iterdir()) == [] and list(DATA.parent.glob("*.md")) == []


def test_dangling_links_among_the_names_and_depths_that_are_paths_never_write_outside_out(tmp_path):
    """A dangling report.md link in --out once created its target outside the folder; a depth of
    "1/../../escaped" in a saved result once put a figure outside --out."""
    from test_report import DATA

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("report.md", "report.json", "depths.csv"):
        (folder / name).symlink_to(elsewhere / f"through-{name}")
    result = runner.invoke(app, ["report", str(DATA), "--out", str(folder), "--force"])
    assert result.exit_code == 0, result.stderr
    assert list(elsewhere.iterdir()) == [] and not any(p.is_symlink() for p in folder.iterdir())

    data = json.loads(DATA.read_text(encoding="utf-8"))
    for depth, shown in (("1/../../escaped", "'1/../../escaped'"), (10**6, "1000000"), (True, "True")):
        data["probes"][0]["config"]["depth"] = depth
        crafted = tmp_path / "crafted.json"
        crafted.write_text(json.dumps(data), encoding="utf-8")
        refused = runner.invoke(app, ["report", str(crafted), "--out", str(tmp_path / "crafted-out")])
        assert refused.exit_code == 2 and f"probes[0].config.depth: must be a whole number of layers from 1 to 24, got {shown}" in refused.stderr
        assert not (tmp_path / "crafted-out").exists() and "Traceback" not in refused.output


def test_validate_reads_a_task_from_standard_input_and_assess_says_it_needs_a_file(tiny_spec, tmp_path):
    """`validate -` was refused as "no such file"."""
    piped = runner.invoke(app, ["validate", "-"], input=tiny_spec.read_text())
    assert piped.exit_code == 0, piped.stderr
    assert piped.stdout.splitlines()[0].startswith("# <stdin>: valid") and piped.stdout.splitlines()[1:] == runner.invoke(app, ["validate", str(tiny_spec)]).stdout.splitlines()[1:]
    broken = runner.invoke(app, ["validate", "-"], input="task:\n  hops: x\n")
    assert broken.exit_code == 2 and "<stdin>:2: task.hops: must be a whole number" in broken.stderr
    refused = runner.invoke(app, ["assess", "-", "--out", str(tmp_path / "out")], input=tiny_spec.read_text())
    assert refused.exit_code == 2 and "feasibility validate -" in refused.stderr and not (tmp_path / "out").exists()


def test_plan_says_what_assess_would_train_from_timed_steps_and_trains_nothing(tiny_spec, tmp_path):
    """`feasibility plan` (and `assess --dry-run`): the depths, the probe length, where and on how many threads,
    what the cache holds or can resume, and the longest the training could take; no probe trained, no report."""
    from feasibility.plan.jobs import plan_job
    from feasibility.plan.probe_plan import make_plan
    from feasibility.plan.bounds import depth_bounds
    from feasibility.probes.train import Trainer
    from feasibility.run.cache import job_key
    from feasibility.run.executors import LocalExecutor
    from feasibility.spec.task import load_spec

    cache = tmp_path / "cache"
    result = runner.invoke(app, ["plan", str(tiny_spec), "--cache-dir", str(cache), "--json"])
    assert result.exit_code == 0, result.output
    planned = json.loads(result.stdout)
    assert [(d["depth"], d["action"]) for d in planned["depths"]] == [(1, "train"), (2, "train")]
    assert planned["probe_length"] == 32 and planned["seconds_per_step"] > 0 and planned["estimate_s"] > 0
    assert not list(cache.glob("probe-*"))  # nothing trained
    # depth 1 finished in the cache, depth 2 checkpointed at step 3: the plan says so
    spec = load_spec(tiny_spec)
    plan = make_plan(spec, depth_bounds(spec.task.hops))
    executor = LocalExecutor()
    one, two = (executor.prepare(plan_job(plan, depth)) for depth in (1, 2))
    (cache / f"probe-{job_key(one)}.json").write_text("{}", encoding="utf-8")
    trainer = Trainer(two)
    for _ in range(3):
        trainer.step()
    trainer.save(cache / f"probe-{job_key(two)}.ckpt")
    shown = runner.invoke(app, ["assess", str(tiny_spec), "--cache-dir", str(cache), "--dry-run", "--out", str(tmp_path / "report")])
    assert shown.exit_code == 0, shown.output
    assert "in the cache: nothing to train" in shown.stdout and "resumes from its checkpoint at step 3" in shown.stdout
    assert "Training could take up to" in shown.stdout and not (tmp_path / "report").exists()
    japanese = runner.invoke(app, ["plan", str(tiny_spec), "--cache-dir", str(cache), "--lang", "ja"])
    assert japanese.exit_code == 0 and "の計画" in japanese.stdout and "キャッシュにある" in japanese.stdout


def test_stderr_piped_into_a_log_keeps_each_message_on_one_line(tmp_path):
    """Not a terminal, stderr does not break messages at 80 columns (a log grep finds a whole warning; Japanese
    is not split mid-phrase)."""
    from test_report import REWORK  # measured by an older version: the report says so on stderr, in one long sentence

    for lang, start in (("en", "Measured by feasibility"), ("ja", "feasibility 0.2.0 で測定し")):
        run = subprocess.run([sys.executable, "-m", "feasibility", "report", str(REWORK), "--out", str(tmp_path / lang), "--lang", lang], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        lines = run.stderr.splitlines()
        warning = next(line for line in lines if line.startswith(start))
        assert len(warning) > 80 and warning.rstrip().endswith((".", "。"))  # the whole sentence, on its line
        assert next(line for line in lines if line.startswith(("Written:", "出力ファイル:"))).rstrip().endswith("emergence.png")
