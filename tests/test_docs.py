"""The README documents every command and every task-file key; every bundled file validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from feasibility.spec.task import SCHEMA, TOP_LEVEL, load_spec

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["assess", "report", "validate", "bounds", "init", "profiles list", "profiles show"])
def test_every_command_is_in_the_readme(command):
    assert f"feasibility {command}" in README


def test_every_task_key_is_documented():
    for section, fields in SCHEMA.items():
        for key in fields:
            assert f"`{section}.{key}`" in README, f"{section}.{key} is not documented in README.md"
    for key in TOP_LEVEL:
        assert f"`{key}`" in README


@pytest.mark.parametrize("path", sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "examples" / "task.yaml"], ids=lambda p: p.name)
def test_bundled_files_validate(path):
    load_spec(path)


def test_there_are_at_least_five_profiles():
    assert len(list((ROOT / "profiles").glob("*.yaml"))) >= 5
