"""Spec validation: every kind of bad input gives one clear message naming the file and key, exit code 2."""

from __future__ import annotations

from pathlib import Path

import yaml

import pytest
from typer.testing import CliRunner

from feasibility.cli import app
from feasibility.errors import SpecError
from feasibility.spec.task import load_spec, minimum_sequence_length, validate

from conftest import TINY_SPEC

runner = CliRunner()


def replaced(old: str, new: str) -> str:
    assert old in TINY_SPEC
    return TINY_SPEC.replace(old, new)


# (file text, fragment the message must contain). Twenty malformed files, as a new user would write them.
MALFORMED = {
    "empty": ("", "is empty"),
    "only a comment": ("# nothing yet\n", "holds no settings"),
    "invalid yaml": ("name: x\ntask: [unclosed\n", "is not valid YAML"),
    "tab indentation": ("name: x\ntask:\n\thops: 2\n", "is not valid YAML"),
    "a list, not a mapping": ("- name: x\n", "must be a mapping"),
    "missing name": (replaced("name: tiny\n", ""), "name: is required"),
    "missing hops": (replaced("  hops: 2\n", ""), "task.hops: is required"),
    "hops as text": (replaced("hops: 2", "hops: two"), "task.hops: must be a whole number, got 'two'"),
    "hops zero": (replaced("hops: 2", "hops: 0"), "task.hops: must be between 1 and 64, got 0"),
    "hops fractional": (replaced("hops: 2", "hops: 2.5"), "task.hops: must be a whole number"),
    "latency as a word": (replaced("latency_ms: 1000", "latency_ms: fast"), "requirements.latency_ms: must be a number > 0, got 'fast'"),
    "negative latency": (replaced("latency_ms: 1000", "latency_ms: -5"), "requirements.latency_ms: must be a number > 0"),
    "accuracy as percent": (replaced("accuracy: 0.9", "accuracy: 99"), "requirements.accuracy: must be a number > 0 and <= 1, got 99"),
    "misspelt key": (replaced("latency_ms: 1000", "latency_msec: 1000"), 'requirements.latency_msec: unknown key (did you mean "latency_ms"?)'),
    "unknown section": (TINY_SPEC + "deploy:\n  width: 3\n", 'deploy: unknown key (did you mean "deployment"?)'),
    "unknown kind": (replaced("kind: chained_retrieval", "kind: chained_retreival"), 'did you mean "chained_retrieval"?'),
    "sequence too short": (replaced("sequence_length: 32", "sequence_length: 6"), "task.sequence_length: 6 tokens cannot hold the probes' chain of 2 lookups"),
    "heads do not divide width": (replaced("heads: 2", "heads: 3"), "deployment.heads: must divide deployment.width (32) evenly, got 3"),
    "float16 on cpu": (replaced("dtype: float32", "dtype: float16"), "deployment.dtype: float16 is a GPU dtype"),
    "cuda graph on cpu": (replaced("device: cpu", "device: cpu\n  mode: cuda-graph"), "deployment.mode: CUDA graphs need a GPU"),
    "unknown mode": (replaced("device: cpu", "device: cpu\n  mode: compiled"), "deployment.mode: must be one of"),
    "section is a scalar": (replaced("probe:\n  depths: [1, 2]\n  seeds: 2\n  time_budget_s: 60\n  max_steps: 150\n", "probe: fast\n"), "probe: must be a mapping"),
    "depths not a list": (replaced("depths: [1, 2]", "depths: 1-3"), 'probe.depths: must be "auto" or a list of depths'),
    "boolean where a number goes": (replaced("seeds: 2", "seeds: yes"), "probe.seeds: must be a whole number, got True"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_gives_one_clear_error(case, write_spec):
    text, fragment = MALFORMED[case]
    path = write_spec(text)
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    message = str(raised.value)
    assert fragment in message
    assert str(path) in message
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_missing_file_directory_and_binary(tmp_path):
    cases = {
        tmp_path / "nope.yaml": "no such file",
        tmp_path: "is a directory",
    }
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00name")
    cases[binary] = "is not UTF-8"
    for path, fragment in cases.items():
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2, path
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr


def test_every_problem_is_reported_at_once_with_lines(write_spec):
    text = replaced("hops: 2", "hops: two").replace("latency_ms: 1000", "latency_ms: fast").replace("heads: 2", "hedas: 2")
    with pytest.raises(SpecError) as raised:
        load_spec(write_spec(text))
    problems = raised.value.problems
    assert {p.key for p in problems} >= {"task.hops", "requirements.latency_ms", "deployment.hedas"}
    hops_problem = next(p for p in problems if p.key == "task.hops")
    assert hops_problem.line == 6  # the line of `hops:` in TINY_SPEC
    assert str(hops_problem).startswith(f"{hops_problem.source}:6: task.hops:")


def test_defaults_fill_in_and_overrides_win(write_spec):
    minimal = "name: m\ntask:\n  sequence_length: 64\n  hops: 3\nrequirements:\n  accuracy: 0.95\n  latency_ms: 20\n"
    spec = load_spec(write_spec(minimal), {"probe.seeds": 1, "requirements.latency_ms": 7.5})
    assert spec.task.kind == "chained_retrieval"
    assert spec.requirements.latency_percentile == 95
    assert spec.deployment.width == 512
    assert spec.probe.depths is None and spec.probe.seeds == 1
    assert spec.requirements.latency_ms == 7.5
    assert spec.to_dict()["probe"]["depths"] == "auto"


def test_bad_override_names_the_option(tiny_spec):
    with pytest.raises(SpecError) as raised:
        load_spec(tiny_spec, {"probe.seeds": 0})
    assert "(command-line option): probe.seeds: must be between 1 and 10, got 0" in str(raised.value)


def test_minimum_length_is_exactly_what_fits():
    """The asked chain of D statements, one distractor of D + 1, and the question, two tokens each."""
    from feasibility.plan.tasks import ChainedRetrieval

    for hops in range(1, 10):
        assert minimum_sequence_length(hops) == 4 * hops + 4
        ChainedRetrieval(hops=hops, length=minimum_sequence_length(hops), symbols=10 * hops)
        with pytest.raises(ValueError):
            ChainedRetrieval(hops=hops, length=minimum_sequence_length(hops) - 1, symbols=10 * hops)


def test_probe_length_beyond_what_a_probe_reads_is_refused(write_spec):
    text = TINY_SPEC.replace("sequence_length: 32", "sequence_length: 4096").replace("probe:\n", "probe:\n  sequence_length: 4096\n")
    with pytest.raises(SpecError) as raised:
        load_spec(write_spec(text))
    assert "probe.sequence_length: must be at most 2048" in str(raised.value)


HOSTILE = {
    "NUL byte": ("name: x\x00\n", "not valid YAML"),
    "BEL byte": ("name: x\x07\n", "not valid YAML"),
    "ESC byte": ("name: x\x1b\n", "not valid YAML"),
    "integer of 5,000 digits": (TINY_SPEC.replace("seeds: 2", "seeds: " + "9" * 5000), "cannot be read"),
    "recursive alias": ("a: &a {b: *a}\n", "uses an anchor (&a)"),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")), "uses an anchor (&a)"),
    "nested 5,000 deep": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
    "nested 40 deep": ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 41)) + "  " * 41 + "v: 1\n", "nested"),
    "section written twice": (TINY_SPEC + "probe:\n  seeds: 3\n", "probe: is written twice (lines 20 and 25); keep one"),
    "key written twice": (TINY_SPEC.replace("  hops: 2\n", "  hops: 2\n  hops: 3\n"), "task.hops: is written twice (lines 6 and 7); keep one"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_task_files_get_one_clear_line_and_no_traceback(case, write_spec):
    """Each was a traceback, a hang, gigabytes of memory or a silent last-wins before (the hostile-input issue)."""
    import time

    text, expected = HOSTILE[case]
    path = write_spec(text)
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert time.perf_counter() - started < 10
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_pipes_devices_huge_files_and_long_paths_are_refused(tmp_path):
    import os

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    huge.write_text("# " + "x" * 1_100_000 + "\n")
    cases = {fifo: "not a regular file", "/dev/zero": "not a regular file", huge: "larger than 1,000,000 bytes", tmp_path / ("x" * 300 + ".yaml"): "cannot be read"}
    for path, expected in cases.items():
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exit_code == 2 and expected in result.stderr, (path, result.stderr)
        assert "Traceback" not in result.output + result.stderr


def test_options_apply_to_a_section_written_empty(write_spec):
    """`probe:` with nothing under it once swallowed --depths and --seeds, and a heavy default run started."""
    path = write_spec(TINY_SPEC.replace("probe:\n  depths: [1, 2]\n  seeds: 2\n  time_budget_s: 60\n  max_steps: 150\n", "probe:\n"))
    spec = load_spec(path, {"probe.depths": [2], "probe.seeds": 1})
    assert spec.probe.depths == (2,) and spec.probe.seeds == 1


def _conforms(value, schema) -> bool:
    """A small JSON Schema checker for the keywords `json_schema` uses (no validator library is a dependency)."""
    import re

    if "anyOf" in schema and not any(_conforms(value, option) for option in schema["anyOf"]):
        return False
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and (isinstance(value, bool) or value not in schema["enum"]):
        return False
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        }
        if not any(checks[kind](value) for kind in kinds):
            return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"] or "maximum" in schema and value > schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return False
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or not all(_conforms(item, schema.get("items", {})) for item in value):
            return False
    if isinstance(value, dict):
        if any(key not in value for key in schema.get("required", [])):
            return False
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False and any(key not in properties for key in value):
            return False
        if not all(_conforms(item, properties[key]) for key, item in value.items() if key in properties):
            return False
    return True


def test_the_json_schema_accepts_every_shipped_task_file_and_refuses_what_validate_refuses():
    import json

    import yaml

    from feasibility.spec.task import json_schema

    schema = json.loads(json.dumps(json_schema()))  # as an editor reads it
    assert schema["$schema"].endswith("2020-12/schema")
    root = Path(__file__).parent.parent
    files = [root / "examples" / "task.yaml", *sorted((root / "profiles").glob("*.yaml")), root / "benchmarks" / "gpu_4hop.yaml"]
    for path in files:
        assert _conforms(yaml.safe_load(path.read_text()), schema), path
    base = yaml.safe_load((root / "examples" / "task.yaml").read_text())
    for section, key, bad in [
        ("task", "hops", 0), ("task", "kind", "khop"), ("requirements", "accuracy", 1.5), ("requirements", "latency_ms", 0),
        ("requirements", "latency_percentile", 97), ("deployment", "currency", "usd"), ("deployment", "threads", 0),
        ("probe", "depths", [0]), ("probe", "sequence_length", "long"), ("probe", "curriculum", "yes"), ("probe", "colour", 1),
    ]:
        data = {**base, section: {**base[section], key: bad}}
        assert not _conforms(data, schema), (section, key, bad)
        with pytest.raises(SpecError):
            validate(data, "t.yaml")
    nulls = {**base, "deployment": {**base["deployment"], "width": None}, "probe": None}
    assert _conforms(nulls, schema)
    validate(nulls, "t.yaml")  # null means the default, in both


def test_schema_command_prints_or_writes_the_schema(tmp_path):
    import json

    runner = CliRunner()
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0 and json.loads(printed.stdout)["title"] == "feasibility task file"
    written = runner.invoke(app, ["schema", "--out", str(tmp_path / "task.schema.json")])
    assert written.exit_code == 0 and json.loads((tmp_path / "task.schema.json").read_text()) == json.loads(printed.stdout)


def test_records_are_free_text_unless_the_file_says_structured(write_spec):
    assert load_spec(write_spec(TINY_SPEC)).task.records == "free_text"
    assert load_spec(write_spec(TINY_SPEC.replace("  hops: 2\n", "  hops: 2\n  records: structured\n"))).task.records == "structured"
    with pytest.raises(SpecError, match="task.records: must be one of free_text, structured"):
        load_spec(write_spec(TINY_SPEC.replace("  hops: 2\n", "  hops: 2\n  records: table\n")))


def test_every_key_of_the_schema_has_a_description_an_editor_shows():
    from feasibility.spec.task import SCHEMA, TOP_LEVEL, json_schema

    schema = json_schema()
    for key in TOP_LEVEL:
        assert schema["properties"][key]["description"]
    for section, fields in SCHEMA.items():
        for key in fields:
            assert schema["properties"][section]["properties"][key]["description"].endswith("."), f"{section}.{key}"


def test_a_required_key_written_without_a_value_says_so_and_shows_one():
    base = yaml.safe_load((Path(__file__).parent.parent / "examples" / "task.yaml").read_text())
    empty = {**base, "name": None, "requirements": {**base["requirements"], "latency_ms": None}}
    with pytest.raises(SpecError) as refused:
        validate(empty, "t.yaml")
    text = str(refused.value)
    assert "requirements.latency_ms: has no value; it is required: give it one, as in `latency_ms: 10`" in text
    assert "name: must be a non-empty text, got no value (an empty key, which YAML reads as null)" in text
    assert "None" not in text


def test_the_grid_schema_accepts_the_bundled_sweep_and_refuses_unknown_keys():
    jsonschema = pytest.importorskip("jsonschema")  # the ray extra brings it
    from feasibility.spec.grid import grid_json_schema

    schema = grid_json_schema()
    grid = yaml.safe_load((Path(__file__).parent.parent / "examples" / "sweep.yaml").read_text())
    jsonschema.validate(grid, schema)
    for bad in ({**grid, "axis": {}}, {**grid, "axes": {"colour": [1]}}, {**grid, "axes": {}}, {k: v for k, v in grid.items() if k != "base"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
