"""The task file: YAML into a frozen, fully validated `TaskSpec`.

Every problem is reported at once, each naming the file, the dotted key, the line where YAML gives it,
what was expected and what was found. Precedence is defaults < file < command-line overrides, applied in
one place (`load_spec`). This module imports no torch, so `feasibility validate` answers at once.
"""

from __future__ import annotations

import dataclasses

import difflib
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from feasibility.errors import Problem, SpecError, control_characters_in
from feasibility.vocabulary import DEFAULT_CURRENCY, DEVICES, MODES
from feasibility.spec.layout import MAX_PROBE_LENGTH
from feasibility.spec.layout import minimum_length as minimum_sequence_length

TASK_KINDS = ("chained_retrieval", "khop_induction")
RECORDS = ("free_text", "structured")
DTYPES = ("float32", "bfloat16", "float16")
PERCENTILES = (50, 90, 95, 99)
MAX_HOPS = 64  # beyond this no probe trains on one machine; the bounds command still answers for any hops
MAX_DEPTH = 24


@dataclass(frozen=True)
class Task:
    kind: str
    sequence_length: int
    hops: int
    records: str = "free_text"  # "structured": fields a database join can follow, so no model is needed


@dataclass(frozen=True)
class Requirements:
    accuracy: float
    latency_ms: float
    latency_percentile: int = 95
    batch_size: int = 1


@dataclass(frozen=True)
class Deployment:
    width: int = 512
    heads: int = 8
    vocab_size: int = 4096
    dtype: str = "float32"
    device: str = "auto"
    mode: str = "eager"  # how latency is timed: op by op, or a captured CUDA graph replayed
    cost_per_device_hour: float | None = None
    requests_per_day: int | None = None
    currency: str = DEFAULT_CURRENCY  # of cost_per_device_hour, and so of every cost in the reports
    threads: int | None = None  # None means "auto": torch's default (one per physical core)


@dataclass(frozen=True)
class ProbeSettings:
    depths: tuple[int, ...] | None = None  # None means "auto": derived from the bounds by `plan`
    seeds: int = 3
    time_budget_s: float = 120.0  # per depth, all seeds of that depth trained together
    max_steps: int = 3000
    curriculum: bool = True
    sequence_length: int | None = None  # None means "auto": the longest that trains within budget


@dataclass(frozen=True)
class TaskSpec:
    name: str
    task: Task
    requirements: Requirements
    deployment: Deployment = field(default_factory=Deployment)
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    description: str = ""
    source: str = "<memory>"

    def to_dict(self) -> dict[str, Any]:
        """The resolved spec as plain data, as written into every report."""
        data = asdict(self)
        data["probe"]["depths"] = list(self.probe.depths) if self.probe.depths else "auto"
        data["probe"]["sequence_length"] = self.probe.sequence_length or "auto"
        data["deployment"]["threads"] = self.deployment.threads or "auto"
        return data


# ---------------------------------------------------------------------------------------------------------
# Field checkers: each returns (value, None) or (None, "expected ..., got ...").

Checker = Callable[[Any], "tuple[Any, str | None]"]


def _show(value: Any) -> str:
    if value is None:
        return "no value (an empty key, which YAML reads as null)"
    return repr(value) if isinstance(value, str) else str(value)


def _integer(low: int, high: int | None = None) -> Checker:
    def check(value: Any):
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"must be a whole number, got {_show(value)}"
        if value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f">= {low}"
            return None, f"must be {span}, got {value}"
        return value, None

    check.schema = {"type": "integer", "minimum": low, **({"maximum": high} if high is not None else {})}
    return check


def _number(low: float, high: float | None = None, low_open: bool = True) -> Checker:
    lower = f"> {low:g}" if low_open else f">= {low:g}"
    wanted = f"a number {lower}" + (f" and <= {high:g}" if high is not None else "")

    def check(value: Any):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None, f"must be {wanted}, got {_show(value)}"
        too_low = value <= low if low_open else value < low
        if too_low or (high is not None and value > high):
            return None, f"must be {wanted}, got {value}"
        return float(value), None

    check.schema = {"type": "number", ("exclusiveMinimum" if low_open else "minimum"): low, **({"maximum": high} if high is not None else {})}
    return check


def _choice(options: tuple) -> Checker:
    def check(value: Any):
        if value in options and not isinstance(value, bool):
            return value, None
        hint = difflib.get_close_matches(str(value), [str(o) for o in options], n=1)
        did_you_mean = f' (did you mean "{hint[0]}"?)' if hint else ""
        listed = ", ".join(str(o) for o in options)
        return None, f"must be one of {listed}, got {_show(value)}{did_you_mean}"

    check.schema = {"enum": list(options)}
    return check


def _text(value: Any):
    if not isinstance(value, str) or not value.strip():
        return None, f"must be a non-empty text, got {_show(value)}"
    return value.strip(), None


def _currency(value: Any):
    if isinstance(value, str) and len(value.strip()) == 3 and value.strip().isalpha() and value.strip().isupper():
        return value.strip(), None
    return None, f"must be a three-letter currency code such as USD, EUR or JPY, got {_show(value)}"


def _boolean(value: Any):
    if not isinstance(value, bool):
        return None, f"must be true or false, got {_show(value)}"
    return value, None


def _depths(value: Any):
    if value == "auto":
        return None, None
    items = value if isinstance(value, list) else None
    if not items or any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_DEPTH for d in items):
        return None, f'must be "auto" or a list of depths between 1 and {MAX_DEPTH}, got {_show(value)}'
    return tuple(sorted(set(items))), None


def _auto_or(check: Checker) -> Checker:
    def wrapped(value: Any):
        if value == "auto":
            return None, None
        result, error = check(value)
        return result, (f'{error} (or "auto")' if error else None)

    wrapped.schema = {"anyOf": [{"const": "auto"}, check.schema]}
    return wrapped


_text.schema = {"type": "string", "pattern": "\\S"}
_currency.schema = {"type": "string", "pattern": "^\\s*[A-Z]{3}\\s*$"}
_boolean.schema = {"type": "boolean"}
_depths.schema = {"anyOf": [{"const": "auto"}, {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH}}]}


_MISSING = object()

# section -> key -> (checker, default); _MISSING marks a required key.

def _default(section, key: str):
    """A key's default, from the section's dataclass: one home for it."""
    return next(f.default for f in dataclasses.fields(section) if f.name == key)

SCHEMA: dict[str, dict[str, tuple[Checker, Any]]] = {
    "task": {
        "kind": (_choice(TASK_KINDS), "chained_retrieval"),
        "sequence_length": (_integer(1, 1_000_000), _MISSING),
        "hops": (_integer(1, MAX_HOPS), _MISSING),
        "records": (_choice(RECORDS), "free_text"),
    },
    "requirements": {
        "accuracy": (_number(0.0, 1.0), _MISSING),
        "latency_ms": (_number(0.0), _MISSING),
        "latency_percentile": (_choice(PERCENTILES), 95),
        "batch_size": (_integer(1, 65_536), 1),
    },
    "deployment": {
        "width": (_integer(8, 65_536), _default(Deployment, "width")),
        "heads": (_integer(1, 256), _default(Deployment, "heads")),
        "vocab_size": (_integer(2, 1_000_000), _default(Deployment, "vocab_size")),
        "dtype": (_choice(DTYPES), _default(Deployment, "dtype")),
        "device": (_choice(DEVICES), _default(Deployment, "device")),
        "mode": (_choice(MODES), _default(Deployment, "mode")),
        "cost_per_device_hour": (_number(0.0, low_open=False), None),
        "requests_per_day": (_integer(0), None),
        "currency": (_currency, _default(Deployment, "currency")),
        "threads": (_auto_or(_integer(1, 1024)), "auto"),
    },
    "probe": {
        "depths": (_depths, "auto"),
        "seeds": (_integer(1, 10), _default(ProbeSettings, "seeds")),
        "time_budget_s": (_number(0.0, 86_400.0), _default(ProbeSettings, "time_budget_s")),
        "max_steps": (_integer(1, 10_000_000), _default(ProbeSettings, "max_steps")),
        "curriculum": (_boolean, _default(ProbeSettings, "curriculum")),
        "sequence_length": (_auto_or(_integer(4, 1_000_000)), "auto"),
    },
}
TOP_LEVEL: dict[str, tuple[Checker, Any]] = {"name": (_text, _MISSING), "description": (_text, "")}
# What each key means, in one line, for editors that show a key's description on hover (json_schema); the full
# description of each is docs/task-file.md's table.
DESCRIPTIONS = {
    "name": "A short name for the task, used in report titles.",
    "description": "One line on what is being looked up.",
    "task.kind": "chained_retrieval (assignments with distractor chains) or khop_induction (follow the previous occurrence k times).",
    "task.sequence_length": "Tokens the model reads per request; the probes are judged at this length (at most 2,048).",
    "task.hops": "Retrieval hops D: lookups from the question to the answer.",
    "task.records": "free_text: text a model must read; structured: fields a join answers exactly.",
    "requirements.accuracy": "Accuracy the model must reach on the question, in (0, 1]; checked against the weakest seed's 95% lower bound.",
    "requirements.latency_ms": "Latency budget per request, in milliseconds.",
    "requirements.latency_percentile": "The percentile the budget applies to: 50, 90, 95 or 99.",
    "requirements.batch_size": "Requests served together; latency is measured at this batch.",
    "deployment.width": "d_model of the model you would deploy.",
    "deployment.heads": "Attention heads; must divide the width.",
    "deployment.vocab_size": "Distinct tokens (entity ids, codes) in your inputs.",
    "deployment.dtype": "float32, bfloat16, or float16 (GPU only).",
    "deployment.device": "Where latency is measured: auto (a GPU if torch sees one), cpu or cuda.",
    "deployment.mode": "How latency is timed: eager, or cuda-graph (GPU only).",
    "deployment.cost_per_device_hour": "Price of one device-hour, for the cost per million requests.",
    "deployment.requests_per_day": "Request volume, for the cost per day (needs the price).",
    "deployment.currency": "The currency of the price and of every cost in the reports: a three-letter code such as USD.",
    "deployment.threads": "CPU threads for the latency measurement, or auto (torch's default).",
    "probe.depths": "Depths to probe, or auto: one below the lower bound up to the constructive upper bound.",
    "probe.seeds": "Probes per depth (1 to 10), trained together.",
    "probe.time_budget_s": "A safety cap on training seconds per depth; where it binds, the depth reads too slow to judge.",
    "probe.max_steps": "Training steps per depth: they set the schedule and the stop rules, so the verdict does not depend on the machine.",
    "probe.curriculum": "true: supervise every link that needs a lookup (implicit curriculum); false: only the question.",
    "probe.sequence_length": "Tokens per probe example in training, or auto: the longest that fits the time budget here.",
}
# A value each required key could take, for the message that asks for one (a key written with no value).
EXAMPLES = {"name": "line-3-trace", "task.sequence_length": 128, "task.hops": 2, "requirements.accuracy": 0.99, "requirements.latency_ms": 10}
SECTION_CLASSES = {"task": Task, "requirements": Requirements, "deployment": Deployment, "probe": ProbeSettings}


def json_schema() -> dict:
    """The task file as a JSON Schema (draft 2020-12), made from SCHEMA, for editors to complete and check task
    files with. It says what each key takes and its default; `validate` remains the judge (it also checks
    combinations, such as a probe length within the task's)."""
    def key_schema(check: Checker, default: Any, dotted: str, nullable: bool = True) -> dict:
        entry = dict(check.schema)
        if default is not _MISSING and nullable:
            entry = {"anyOf": [entry, {"type": "null"}], "default": default}  # null: the default
        return {"description": DESCRIPTIONS[dotted], **entry}

    sections = {
        section: {
            "type": ["object", "null"],
            "properties": {key: key_schema(check, default, f"{section}.{key}") for key, (check, default) in fields.items()},
            "required": [key for key, (_, default) in fields.items() if default is _MISSING],
            "additionalProperties": False,
        }
        for section, fields in SCHEMA.items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "feasibility task file",
        "description": "A retrieval task, its requirements, its deployment and how to probe it (see docs/task-file.md).",
        "type": "object",
        "properties": {**{key: key_schema(check, default, key, nullable=False) for key, (check, default) in TOP_LEVEL.items()}, **sections},
        "required": [key for key, (_, default) in TOP_LEVEL.items() if default is _MISSING] + [s for s, f in SCHEMA.items() if any(d is _MISSING for _, d in f.values())],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------------------------------------------------
# Reading YAML with line numbers.


MAX_TASK_FILE_BYTES = 1_000_000  # a task file is a few hundred bytes; anything near this is not one
MAX_NESTING = 32  # mapping and list levels; a task file has three


def source_name(path: Path) -> str:
    """How messages name a task file: its path, or "<stdin>" for `-`."""
    return "<stdin>" if str(path) == "-" else str(path)


def _read_text(path: Path, source: str) -> str:
    """The file's text, refusing what is not a small regular UTF-8 file (a FIFO or /dev/zero would hang or fill
    memory) with a message that names the fix."""
    if str(path) == "-":  # `validate -`: the task file on standard input
        import sys

        return _decoded(sys.stdin.buffer.read(MAX_TASK_FILE_BYTES + 1), source)
    try:
        if not path.exists() and path.is_symlink():  # exists() follows the link: a loop or a missing target
            raise SpecError([Problem(source, "", "is a link that leads to no file (a loop, or its target is gone); give the task file itself")])
        if not path.exists():
            raise SpecError([Problem(source, "", "no such file; check the path, or write a starter with `feasibility init`")])
        if path.is_dir():
            raise SpecError([Problem(source, "", "is a directory, not a task file; give the path of a .yaml file")])
        if not path.is_file():
            raise SpecError([Problem(source, "", "is not a regular file (a pipe or a device?); give the path of a .yaml file")])
        with path.open("rb") as handle:
            raw = handle.read(MAX_TASK_FILE_BYTES + 1)
    except OSError as error:
        raise SpecError([Problem(source, "", f"cannot be read ({error.strerror or error}); check the path and its permissions")]) from None
    return _decoded(raw, source)


def _decoded(raw: bytes, source: str) -> str:
    """A task file's bytes (read up to one past the limit) as text: refused when too large or not UTF-8."""
    if len(raw) > MAX_TASK_FILE_BYTES:
        raise SpecError([Problem(source, "", f"is larger than {MAX_TASK_FILE_BYTES:,} bytes, which no task file is; give the task file itself")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError([Problem(source, "", "is not UTF-8 text; save the task file as UTF-8 YAML")]) from None


def _refuse_shortcuts(text: str, source: str) -> None:
    """Refuse anchors and aliases (a nine-line alias bomb would expand exponentially) and merge keys (`<<: {hops: 5}`
    would set keys that no line of the file shows), read from the tokens before anything is built."""
    import yaml

    previous = None
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(previous, yaml.KeyToken) and isinstance(token, yaml.ScalarToken) and token.plain and token.value == "<<":
            raise SpecError([Problem(source, "", "uses a merge key (<<); write each setting out in full", token.start_mark.line + 1)])
        previous = token
        if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
            kind = "an alias (*" if isinstance(token, yaml.AliasToken) else "an anchor (&"
            raise SpecError([Problem(source, "", f"uses {kind}{token.value}); write each value out in full", token.start_mark.line + 1)])


def read_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """Parse `path`; return the data and a map from dotted key to the 1-based line where it is written.

    Hostile files get a one-line problem, never a traceback, a hang or gigabytes of memory: anchors and aliases
    are refused (a nine-line alias bomb would expand exponentially; a task file has no use for them), as are
    nesting beyond MAX_NESTING, numbers too long to convert and a key written twice in one mapping."""
    import yaml

    source = source_name(path)
    text = _read_text(path, source)
    if not text.strip():
        raise SpecError([Problem(source, "", "is empty; write a task file with `feasibility init`")])
    loader = None
    try:
        _refuse_shortcuts(text, source)
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        _check_nesting(node, source)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SpecError([Problem(source, "", f"is not valid YAML: {reason}; fix the syntax there", line)]) from None
    except RecursionError:
        raise SpecError([Problem(source, "", f"is nested too deeply (a task file has 3 levels, at most {MAX_NESTING} are read)")]) from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise SpecError([Problem(source, "", f"holds a value that cannot be read ({str(error).splitlines()[0]}); write a plain number")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        raise SpecError([Problem(source, "", "holds no settings (only comments); write a task file with `feasibility init`")])
    escaped = control_characters_in(data)
    if escaped is not None:  # a "\e]0;...": it would reach the terminal in every message and report naming it
        raise SpecError([Problem(source, escaped, "holds a control character (a terminal escape such as \\e?); remove it")])
    lines: dict[str, int] = {}
    twice: list[Problem] = []

    def walk(current, prefix: str) -> None:
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                dotted = f"{prefix}{key_node.value}"
                line = key_node.start_mark.line + 1
                if dotted in lines:
                    twice.append(Problem(source, dotted, f"is written twice (lines {lines[dotted]} and {line}); keep one", line))
                lines[dotted] = line
                walk(value_node, dotted + ".")

    walk(node, "")
    if twice:
        raise SpecError(twice)
    return data, lines


def _check_nesting(node, source: str) -> None:
    """Refuse documents nested deeper than MAX_NESTING, before anything recurses through them."""
    import yaml

    level, frontier = 0, [node] if node is not None else []
    while frontier:
        level += 1
        if level > MAX_NESTING:
            raise SpecError([Problem(source, "", f"is nested {level - 1}+ levels deep; a task file has 3, at most {MAX_NESTING} are read", frontier[0].start_mark.line + 1)])
        children = []
        for current in frontier:
            if isinstance(current, yaml.MappingNode):
                for key_node, value_node in current.value:
                    children += [key_node, value_node]
            elif isinstance(current, yaml.SequenceNode):
                children += current.value
        frontier = children


def _unknown(key: str, known: list[str]) -> str:
    hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f'unknown key (did you mean "{hint[0]}"?)' if hint else f"unknown key; known keys are {', '.join(known)}"


def _apply_overrides(data: dict, overrides: dict[str, Any]) -> None:
    for dotted, value in overrides.items():
        section, _, key = dotted.partition(".")
        if data.get(section) is None:  # missing, or written empty (`probe:`): the option still applies
            data[section] = {}
        target = data[section]
        if isinstance(target, dict):
            target[key] = value


def validate(
    data: Any, source: str, lines: dict[str, int] | None = None, from_flags: frozenset[str] = frozenset()
) -> TaskSpec:
    """Check raw task data against the schema; raise one SpecError listing every problem."""
    lines = lines or {}
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        if key in from_flags:
            problems.append(Problem(f"{source} (command-line option)", key, message))
        else:
            problems.append(Problem(source, key, message, lines.get(key)))

    if not isinstance(data, dict):
        raise SpecError([Problem(source, "", f"must be a mapping of keys (name, task, requirements, ...), got {type(data).__name__}")])

    known_top = list(TOP_LEVEL) + list(SCHEMA)
    for key in data:
        if str(key) not in known_top:
            problem(str(key), _unknown(str(key), known_top))
    values = _top_level(data, problem)
    sections = {section: _section(section, fields, data.get(section, {}), problem) for section, fields in SCHEMA.items()}

    _check_combinations(sections, problem)
    if problems:
        raise SpecError(problems)
    return TaskSpec(
        name=values["name"],
        description=values["description"] or "",
        task=Task(**sections["task"]),
        requirements=Requirements(**sections["requirements"]),
        deployment=Deployment(**sections["deployment"]),
        probe=ProbeSettings(**sections["probe"]),
        source=source,
    )


def _top_level(data: dict, problem) -> dict[str, Any]:
    """The top-level keys (name, description), checked; `problem(key, message)` hears what is wrong."""
    values: dict[str, Any] = {}
    for key, (check, default) in TOP_LEVEL.items():
        if key not in data:
            if default is _MISSING:
                problem(key, f"is required; add e.g. `{key}: my-task`")
            values[key] = default
            continue
        values[key], error = check(data[key])
        if error:
            problem(key, error)
    return values


def _section(section: str, fields: dict, raw, problem) -> dict[str, Any]:
    """One section of the task file (task, requirements, ...) checked key by key, defaults filled in."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problem(section, f"must be a mapping with keys {', '.join(fields)}, got {_show(raw)}")
        raw = {}
    for key in raw:
        if str(key) not in fields:
            problem(f"{section}.{key}", _unknown(str(key), list(fields)))
    resolved: dict[str, Any] = {}
    for key, (check, default) in fields.items():
        dotted = f"{section}.{key}"
        if key not in raw or raw[key] is None:
            if default is _MISSING and key in raw:  # `key:` with nothing after it: YAML reads null
                problem(dotted, f"has no value; it is required: give it one, as in `{key}: {EXAMPLES[dotted]}` (see docs/task-file.md)")
                continue
            if default is _MISSING:
                problem(dotted, f"is required; add `{key}:` under `{section}:` (see docs/task-file.md)")
                continue
            resolved[key] = check(default)[0] if default is not None else None
            continue
        value, error = check(raw[key])
        if error:
            problem(dotted, error)
        else:
            resolved[key] = value
    return resolved


def _check_combinations(sections: dict[str, dict[str, Any]], problem: Callable[[str, str], None]) -> None:
    """Combinations of individually valid values that cannot work together."""
    task, deployment, probe = sections["task"], sections["deployment"], sections["probe"]
    hops, length = task.get("hops"), task.get("sequence_length")
    if hops and length and length < minimum_sequence_length(hops):
        problem(
            "task.sequence_length",
            f"{length} tokens cannot hold the probes' chain of {hops} lookups, one distractor chain of {hops + 1} and the "
            f"question (needs at least {minimum_sequence_length(hops)}: two tokens per statement); raise it or lower task.hops",
        )
    probe_length = probe.get("sequence_length")
    if hops and probe_length and probe_length < minimum_sequence_length(hops):
        problem("probe.sequence_length", f"must be at least {minimum_sequence_length(hops)} for {hops} hops, got {probe_length}")
    if probe_length and length and probe_length > length:
        problem("probe.sequence_length", f"must not exceed task.sequence_length ({length}), got {probe_length}")
    elif probe_length and probe_length > MAX_PROBE_LENGTH:
        problem("probe.sequence_length", f"must be at most {MAX_PROBE_LENGTH} (the longest input a probe reads), got {probe_length}; or use auto")
    width, heads = deployment.get("width"), deployment.get("heads")
    if width and heads and width % heads:
        problem("deployment.heads", f"must divide deployment.width ({width}) evenly, got {heads}")
    if deployment.get("dtype") == "float16" and deployment.get("device") == "cpu":
        problem("deployment.dtype", 'float16 is a GPU dtype; use "bfloat16" or "float32" with device "cpu"')
    if deployment.get("mode") == "cuda-graph" and deployment.get("device") == "cpu":
        problem("deployment.mode", 'CUDA graphs need a GPU; use mode "eager" with device "cpu", or device "cuda"')


def load_spec(path: str | Path, overrides: dict[str, Any] | None = None) -> TaskSpec:
    """Read, merge command-line overrides into, and validate a task file."""
    path = Path(path)
    data, lines = read_yaml(path)
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    if given and isinstance(data, dict):
        _apply_overrides(data, given)
    return validate(data, source_name(path), lines, frozenset(given))
