"""How numbers are written in every report, in both languages: one home for units, separators and precision."""

from __future__ import annotations


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal (99.3%), or "-" where there is none."""
    return "-" if value is None else f"{value:.1%}"


def share(value: float) -> str:
    """A target as people write it: 99%, 99.5%, 95%."""
    return f"{value:.1%}".replace(".0%", "%")


def count(value) -> str:
    """A whole number with thousands separators (4,096), or "-"."""
    return "-" if value is None else f"{value:,}"


def si(value: float) -> str:
    """Three significant figures with an SI prefix: 92.3M, 725k, 1.12G."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.0f}"


def size(value: float) -> str:
    """A number of bytes in binary units: 1.5 MiB."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def milliseconds(value: float) -> str:
    """Three significant figures, without exponent notation for a second or more."""
    text = f"{value:.3g}"
    return f"{value:,.0f} ms" if "e" in text else f"{text} ms"


def money_amount(value: float) -> str:
    """An amount of money with as many digits as it needs: 1,234 / 12.35 / 0.0085."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.2g}"


def table_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
