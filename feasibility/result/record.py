"""A result's record as its JSON holds it: `Record`, a dataclass whose fields a saved result may lack (`ABSENT`, not
null), which keeps the keys this version does not know and writes the keys back in the order it read them, so a
result saved by any earlier version re-renders byte for byte. The cost figures, the machine and the latency fit are
Records (result/costs.py, result/context.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


class _Absent:
    """The value of a field its result does not hold (older versions wrote fewer keys)."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __copy__(self):  # one of a kind: copies and pickles stay `ABSENT`, so `is ABSENT` holds for them too
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass
class Record:
    extra: dict = field(default_factory=dict, repr=False, compare=False)  # keys this version does not know, as read
    order: tuple = field(default=(), repr=False, compare=False)  # the keys in the order they were read

    @classmethod
    def from_dict(cls, data: dict):
        names = [f.name for f in dataclasses.fields(cls) if f.name not in ("extra", "order")]
        for f in dataclasses.fields(cls):  # a field without a default is one every result holds: its absence is damage
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and f.name not in data:
                raise KeyError(f.name)
        known = {name: data[name] for name in names if name in data}
        return cls(**known, extra={k: v for k, v in data.items() if k not in names}, order=tuple(data))

    def known(self, name: str):
        """The value of `name`, None where this result does not hold it."""
        value = getattr(self, name)
        return None if value is ABSENT else value

    def to_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("extra", "order")}
        values = {**{k: v for k, v in values.items() if v is not ABSENT}, **self.extra}
        keys = [k for k in self.order if k in values] + [k for k in values if k not in self.order]
        return {key: values[key] for key in keys}
