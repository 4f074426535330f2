"""The package's shape, read from its source: the stages as folders and the rules each keeps, and no function too
long to read in one screen. These read imports and definitions only; nothing is run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "feasibility"
STAGES = ("spec", "plan", "probes", "costs", "decide", "run", "reports")  # in pipeline order; run/ drives them all
SHARED = ("result", "errors", "vocabulary", "confidence", "files")  # shared by the stages: the result types, the errors, the words results are made of, the Wilson bound, safe writes
TRAINS_OR_MEASURES = ("probes", "costs", "decide", "run")  # what a renderer must not import: it reads a result
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def part_of(name: str) -> str | None:
    """The stage (or shared part) a dotted module name of this package belongs to; None for the package itself."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "feasibility" else None


def imported(path: Path) -> set[str]:
    """Every module of this package that `path` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("feasibility")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here.split(".")[: -node.level] + ([base] if base else []))
            if base.startswith("feasibility"):
                names |= {f"{base}.{alias.name}" if base.count(".") == 0 and alias.name != "__version__" else base for alias in node.names}
    return names


def stage_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_the_stages_are_folders():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(STAGES) | {"result"}
    loose = {p.stem for p in PACKAGE.glob("*.py")}
    assert loose == {"__init__", "__main__", "cli", "errors", "vocabulary", "confidence", "files"}  # everything else lives in its stage


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_keeps_its_stage_rules(path):
    """A renderer imports the result types and the words, nothing that trains, measures or decides; the result
    imports no stage but the job's plain data it records; outside the pipeline (run/) and the CLI, a module imports
    at most one stage besides its own. The front doors (the CLI, and the Python API in the package's __init__) drive
    the pipeline and may reach any stage."""
    own = stage_of(path)
    stages = {part_of(name) for name in imported(path)} - {None, own, *SHARED}
    if own == "reports":
        assert not stages & set(TRAINS_OR_MEASURES), f"{path.name} renders; it must not import {sorted(stages & set(TRAINS_OR_MEASURES))}"
    if own == "result":
        assert stages <= {"plan"}, f"{path.name} is below every stage; it imports {sorted(stages)}"
        assert all(name == "feasibility.plan.jobs" for name in imported(path) if part_of(name) == "plan")
    if own not in ("run", "cli", "__main__", "__init__"):
        assert len(stages) <= 1, f"{path.relative_to(PACKAGE)} imports the stages {sorted(stages)}; outside run/ a module reaches one other stage at most"


def test_only_the_cli_speaks_to_the_terminal():
    """No module but the CLI imports typer or calls print; library errors are raised, and the CLI words them."""
    for path in modules():
        if path.name in ("cli.py", "__main__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert "typer" not in {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}, path
        assert not [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("typer")], path
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]
        assert not calls, f"{path.relative_to(PACKAGE)} prints (line {calls[0].lineno if calls else 0})"


def test_no_function_is_longer_than_a_screen():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, "functions over 60 lines: " + ", ".join(long)
