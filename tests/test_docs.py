"""The front door and the docs: the README holds the two commands and fits on a screen, every page it links to is
there, docs/commands.md names every command and docs/task-file.md every task-file key; every bundled file validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feasibility.spec.task import SCHEMA, TOP_LEVEL, load_spec

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
TASK_FILE = (ROOT / "docs" / "task-file.md").read_text(encoding="utf-8")


def test_the_readme_is_a_front_door_with_both_commands_on_one_screen():
    lines = README.splitlines()
    assert len(lines) <= 80
    quick = "\n".join(lines)
    assert "pip install torch==2.13.0 && pip install -e . && feasibility assess examples/task.yaml" in quick
    assert "pip install -e '.[test,ray]' && pytest" in quick
    for link in re.findall(r"\]\((docs/[^)#]+)\)", README):
        assert (ROOT / link).is_file(), link
    for page in (ROOT / "docs").glob("*.md"):  # the pages link to each other and to their figures by relative names
        for link in re.findall(r"\]\(([^)#:]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / link).exists(), f"{page.name}: {link}"


@pytest.mark.parametrize("command", ["assess", "plan", "report", "compare", "explain", "sweep", "validate", "bounds", "init", "profiles list", "profiles show", "schema", "cache list"])
def test_every_command_is_documented(command):
    assert f"feasibility {command}" in COMMANDS


def test_every_task_key_is_documented():
    for section, fields in SCHEMA.items():
        for key in fields:
            assert f"`{section}.{key}`" in TASK_FILE, f"{section}.{key} is not documented in docs/task-file.md"
    for key in TOP_LEVEL:
        assert f"`{key}`" in TASK_FILE


@pytest.mark.parametrize("path", sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "examples" / "task.yaml"], ids=lambda p: p.name)
def test_bundled_files_validate(path):
    load_spec(path)


def test_there_are_at_least_five_profiles():
    assert len(list((ROOT / "profiles").glob("*.yaml"))) >= 5
