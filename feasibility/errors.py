"""Typed errors of the library; the CLI turns each into a clear message on stderr and an exit code."""

from __future__ import annotations

import re
from dataclasses import dataclass

SETTING = re.compile(r"\{setting:([a-z_]+)\}")  # a setting named in a message: {setting:cpus_per_job}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what a terminal obeys rather than shows (tab and newline kept)


def printable(text: str) -> str:
    """`text` with every control character written out (ESC as \\x1b), so that untrusted text shown on a terminal
    can neither set its title, clear it nor hide what follows."""
    return CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def control_characters_in(value, where: str = "", limit: int = 100_000) -> str | None:
    """The dotted place of the first string (key or value) in `value` that holds a control character, else None;
    looks at `limit` items at most (callers bound their inputs' size first)."""
    stack = [(where, value)]
    while stack and limit > 0:
        limit -= 1
        place, current = stack.pop()
        if isinstance(current, str):
            if CONTROL.search(current):
                return place or "(top level)"
        elif isinstance(current, dict):
            for key, item in current.items():
                if isinstance(key, str) and CONTROL.search(key):
                    return printable(f"{place}.{key}" if place else key)
                stack.append((f"{place}.{key}" if place else str(key), item))
        elif isinstance(current, list):
            stack.extend((f"{place}[{index}]", item) for index, item in enumerate(current))
    return None


class FeasibilityError(Exception):
    """Base of every error the library raises on purpose; its message is meant for the user.

    A message names the settings it is about as {setting:name}: `str()` says the library's parameter (cpus_per_job),
    and the CLI its own flag (--cpus-per-job) through `worded`, so the library knows no flag names."""

    exit_code = 1

    def __init__(self, message: str = ""):
        self.template = message
        super().__init__(SETTING.sub(lambda found: found.group(1), message))

    def worded(self, name) -> str:
        """The message with each setting named by `name(setting)`."""
        return SETTING.sub(lambda found: name(found.group(1)), self.template)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a task file: where it is, what was expected, what was found."""

    source: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class SpecError(FeasibilityError):
    """The task file is missing, unreadable or invalid; carries every problem found at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(FeasibilityError):
    """A command was asked for something that cannot be done (unknown profile, unreadable result file)."""

    exit_code = 2


class MeasurementError(FeasibilityError):
    """A cost measurement could not be made or would not be honest (e.g. an uncounted costly op)."""
