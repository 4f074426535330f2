"""The probe cache on disk: where it lives, what keys its entries, how entries are read and written safely,
and what it holds. Finished probes, probe lengths and checkpoints of probes in training live here.

Entries are keyed by everything that decides their content, code and torch version included. Writes go through
a temporary file per writer and a rename, so an interrupted or concurrent write never leaves half an entry; a
damaged entry is moved aside and measured again, never trusted or fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from feasibility import __version__
from feasibility.errors import UsageError
from feasibility.files import read_regular

KINDS = {  # what the cache folder holds, by file name: only these are listed and cleared
    "finished probes": "probe-*.json",
    "checkpoints": "probe-*.ckpt",
    "probe lengths": "length-*.json",
    "damaged entries": "*.damaged",
    "unfinished writes": "*.tmp",
}
OUTCOME_MODULES = ("spec/layout.py", "plan/tasks.py", "plan/jobs.py", "plan/recipe.py", "probes/model.py", "probes/train.py", "probes/heads.py")  # the code that decides a probe's figures


def default_folder() -> Path:
    """`$FEASIBILITY_CACHE`, else `$XDG_CACHE_HOME/feasibility`, else `~/.cache/feasibility`."""
    configured = os.environ.get("FEASIBILITY_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "feasibility"


def code_version() -> str:
    """Version, torch version and a hash of the modules that decide a probe's outcome: a change to any of them
    invalidates the cache."""
    import torch

    here = Path(__file__).parents[1]  # the package
    digest = hashlib.sha256(__version__.encode())
    digest.update(torch.__version__.encode())  # another torch may train to other figures
    for name in OUTCOME_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def key(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def entry_path(cache: Path, job) -> Path:
    """Where a job's finished probe is kept in `cache` (its checkpoint in training: the same name, `.ckpt`)."""
    return cache / f"probe-{job_key(job)}.json"


def job_key(job) -> str:
    """A hash of everything that decides a probe job's outcome, the code that trains it included, but not the thread
    count it trains with (`ProbeJob.identity`)."""
    return key({**job.identity(), "code": code_version()})


def check_writable(cache: Path) -> None:
    """Refuse, before any training, a cache folder that is a file or cannot be written."""
    if cache.exists() and not cache.is_dir():
        raise UsageError(f"probe cache {cache}: exists and is not a folder; give another {{setting:cache_dir}} (or $FEASIBILITY_CACHE), or {{setting:no_cache}}")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        probe = cache / f".writable-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"probe cache {cache}: cannot write there ({error.strerror or error}); give another {{setting:cache_dir}} (or $FEASIBILITY_CACHE), or {{setting:no_cache}}") from None


def write_atomic(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # one per writer: two runs sharing a cache never collide
    temporary.write_text(json.dumps(data))
    temporary.replace(path)  # atomic: an interrupted write never leaves half an entry


MAX_ENTRY_BYTES = 32 * 1024 * 1024  # a probe entry is tens of kilobytes; anything near this was not written by us


def read_entry(path: Path, valid: Callable[[object], bool], say: Callable[[str], None], parse: Callable[[object], object] | None = None) -> object | None:
    """An entry's content (through `parse`, when given), or None when there is none. Only a regular file of bounded
    size is opened, never through a link (a link to /dev/zero would fill memory, a FIFO hang); a damaged entry
    (unreadable, a link or a device, too large, not JSON, not the expected shape, or one that `parse` refuses:
    a NaN accuracy, say) is said once through `say`, moved aside (`*.damaged`) and so measured again."""
    if not os.path.lexists(path):
        return None
    try:
        data = json.loads(read_regular(path, MAX_ENTRY_BYTES).decode("utf-8"))  # NaN stays readable: a diverged seed's loss is one
        if valid(data):
            return parse(data) if parse else data
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        pass
    say(f"cache entry {path.name} is damaged; {set_aside(path)}, measuring again")
    return None


def set_aside(path: Path) -> str:
    """Move a damaged file to `<name>.damaged` (where `cache show` counts it and `cache clear` removes it); say where."""
    aside = path.with_name(path.name + ".damaged")
    try:
        path.replace(aside)  # a link is moved as a link, never followed
    except OSError as error:
        return f"could not be moved aside ({error.strerror or error})"
    return f"moved aside to {aside.name}"


LEFTOVER_AGE_S = 600  # a writer's temporary file lives for the second of one write; ten minutes is plenty


def clear_leftovers(cache: Path, now: float | None = None) -> int:
    """Remove the temporary files (`<name>.<pid>.tmp`) that a killed run left in `cache`: those whose process is no
    longer running on this machine and that are older than LEFTOVER_AGE_S (a run on another machine sharing the
    folder may have that pid and be writing). Return how many were removed."""
    import time

    now = time.time() if now is None else now
    removed = 0
    for path in cache.glob("*.*.tmp"):
        pid = path.name.rsplit(".", 2)[-2]
        try:
            status = path.lstat()
            if not pid.isdigit() or now - status.st_mtime < LEFTOVER_AGE_S or _running(int(pid)):
                continue
            path.unlink()
            removed += 1
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or a number no process has: leave the file alone
    return True


def _files(cache: Path) -> dict[str, list[Path]]:
    if cache.exists() and not cache.is_dir():
        raise UsageError(f"probe cache {cache}: exists and is not a folder; give another {{setting:cache_dir}}")
    if not cache.is_dir():
        return {kind: [] for kind in KINDS}
    return {kind: sorted(cache.glob(pattern)) for kind, pattern in KINDS.items()}


def summary(cache: Path) -> dict[str, tuple[int, int]]:
    """{kind: (files, bytes)} of what the cache holds (see KINDS)."""
    result = {}
    for kind, paths in _files(cache).items():
        sizes = []
        for path in paths:
            try:
                sizes.append(path.stat().st_size)
            except OSError:
                continue  # removed by another run meanwhile
        result[kind] = (len(sizes), sum(sizes))
    return result


def clear(cache: Path) -> tuple[int, int]:
    """Delete every file of the cache's kinds (nothing else in the folder); return (files, bytes) removed."""
    files = size = 0
    for paths in _files(cache).values():
        for path in paths:
            try:
                bytes_ = path.stat().st_size
                path.unlink()
            except OSError:
                continue  # another run removed or replaced it meanwhile
            files, size = files + 1, size + bytes_
    return files, size
