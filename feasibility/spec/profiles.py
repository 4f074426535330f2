"""The bundled task profiles (`profiles/*.yaml`) and the starter task file written by `feasibility init`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from feasibility.errors import UsageError
from feasibility.spec.task import TaskSpec, load_spec

STARTER = Path(__file__).parent / "starter.yaml"


def profiles_dir() -> Path:
    """`$FEASIBILITY_PROFILES`; else the profiles the package carries (`feasibility.profiles`, package data read with
    importlib.resources: the checkout's `profiles/` folder in an editable install, the installed copy in any other,
    wherever pip put it: a venv, `--user`, `--prefix`)."""
    configured = os.environ.get("FEASIBILITY_PROFILES")
    if configured:
        folder = Path(configured)
    else:
        try:
            folder = Path(str(resources.files("feasibility.profiles")))
        except ModuleNotFoundError:
            folder = Path(__file__).resolve().parents[2] / "profiles"  # run from a checkout without installing it
    if not folder.is_dir():
        raise UsageError(f"{folder}: no profiles folder here; reinstall feasibility (pip install .) or set FEASIBILITY_PROFILES")
    return folder


@dataclass(frozen=True)
class ProfileEntry:
    name: str
    path: Path
    spec: TaskSpec


def list_profiles() -> list[ProfileEntry]:
    """Every bundled profile, validated."""
    return [ProfileEntry(path.stem, path, load_spec(path)) for path in sorted(profiles_dir().glob("*.yaml"))]


def profile_names(prefix: str = "") -> list[str]:
    """The bundled profiles' names that start with `prefix`, for shell completion: nothing (never an error) where
    no profiles folder is found."""
    try:
        return sorted(path.stem for path in profiles_dir().glob("*.yaml") if path.stem.startswith(prefix))
    except UsageError:
        return []


def profile_path(name: str) -> Path:
    """The bundled profile called `name`: a name from the list, never a path (`../examples/task` reads nothing)."""
    folder = profiles_dir()
    known = {p.stem: p for p in folder.glob("*.yaml")}
    if name not in known:
        raise UsageError(f'no profile named "{name}"; known profiles: {", ".join(sorted(known))}')
    return known[name]


def profile_text(name: str) -> str:
    return profile_path(name).read_text(encoding="utf-8")


def starter_text() -> str:
    return STARTER.read_text(encoding="utf-8")
