"""What a sweep writes: sweep.json (every cell's decision and evidence), sweep.csv (one row per cell), the
depth map (depth-map.png) and a Markdown report for the meeting in English and Japanese (sweep.md,
sweep.ja.md). Everything is read from the result `sweep.run_sweep` returned; nothing is decided here."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from feasibility.reports.markdown import table_row
from feasibility.reports.words import label, percent
from feasibility.result.sweep import SweepCell, SweepResult
from feasibility.spec.grid import axis_name

SWEEP_OUTPUTS = ("sweep.json", "sweep.csv", "sweep.md", "sweep.ja.md", "depth-map.png")

SWEEP_COLUMNS = ("sw_col_depth", "sw_col_floor", "sw_col_ceiling", "sw_col_question", "sw_col_at_length", "sw_col_macs", "sw_col_parameters", "sw_col_training")  # the cell table's columns after the axes, by their labels' keys


def cell_outcome(cell: SweepCell, lang: str) -> str:
    """A cell's decision in words: its depth, or why there is none."""
    mark = "*" if cell.holds_at_full_length is False else ""
    return label(f"sw_{cell.status}", lang, depth=cell.depth, deepest=cell.deepest_tried, error=cell.error, mark=mark)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def csv_frame(result: SweepResult):
    """One row per cell: the axes' values, the decision and its evidence."""
    import pandas as pd

    rows = []
    for cell in result.cells:
        rows.append(
            {
                **{axis_name(k): v for k, v in cell.values.items()},
                "status": cell.status,
                "depth": cell.depth,
                "theory_floor": cell.bounds.lower,
                "theory_ceiling": cell.bounds.upper,
                "deepest_tried": cell.deepest_tried,
                "question_accuracy": cell.accuracy,
                "question_wilson_95_low": cell.lower_bound,
                "probe_length": cell.plan["probe_sequence_length"],
                "question_at_task_length": cell.full_length_accuracy,
                "holds_at_task_length": cell.holds_at_full_length,
                "macs_per_request": cell.cost.macs_per_request if cell.cost else None,
                "parameters": cell.cost.parameters if cell.cost else None,
                "train_s": cell.train_s,
                "error": cell.error,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("depth", "deepest_tried", "macs_per_request", "parameters"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _cell_row(cell: SweepCell, keys: list[str], lang: str) -> str:
    cost = cell.cost
    question = f"{percent(cell.accuracy)} ({percent(cell.lower_bound)})" if cell.accuracy is not None else "–"
    return table_row(
        [str(cell.values[k]) for k in keys]
        + [
            cell_outcome(cell, lang),
            str(cell.bounds.lower),
            str(cell.bounds.upper),
            question,
            percent(cell.full_length_accuracy) if cell.full_length_accuracy is not None else "–",
            f"{cost.macs_per_request:,}" if cost else "–",
            f"{cost.parameters:,}" if cost else "–",
            _duration(cell.train_s),
        ]
    )


def render_markdown(result: SweepResult, lang: str, figure: str | None) -> str:
    grid, cells, jobs = result.grid, result.cells, result.jobs
    axes = ", ".join(f"{axis_name(k)} {', '.join(str(v) for v in values)}" for k, values in grid["axes"].items())
    lines = [
        f"# {label('sw_title', lang, name=grid['name'])}",
        "",
        label("sw_intro", lang, cells=len(cells), base=f"`{Path(grid['base']).name}`", axes=axes),
        "",
        label("sw_ran", lang, executor=result.executor, device=result.train_device, trained=jobs.trained, cached=jobs.cached, failed=jobs.failed, wall=_duration(result.wall_s)),
        "",
    ]
    if figure:
        lines += [f"## {label('sw_figure', lang)}", "", f"![{label('sw_figure', lang)}]({figure})", ""]
    keys = list(grid["axes"])
    columns = [label(key, lang) for key in SWEEP_COLUMNS]
    lines += [f"## {label('sw_cells', lang)}", "", table_row([axis_name(k) for k in keys] + columns), table_row(["---"] * (len(keys) + len(columns)))]
    lines += [_cell_row(cell, keys, lang) for cell in cells]
    lines += ["", f"## {label('sw_notes', lang)}", "", f"- {label('sw_note_question', lang)}", f"- {label('sw_note_cost', lang)}"]
    if any(cell.status == "failed" for cell in cells):
        lines.append(f"- {label('sw_note_failed', lang)}")
    return "\n".join(lines) + "\n"


def depth_map(result: SweepResult, path: Path) -> None:
    """The depth map: rows by the first axis (hops where swept), columns by the second, one panel per value of
    any further axes; each cell shows its depth (colour and number) or why it has none, with the theoretical
    floor and ceiling of its hop count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    keys = list(result.grid["axes"])
    rows_key = "task.hops" if "task.hops" in keys else keys[0]
    rest = [k for k in keys if k != rows_key]
    cols_key = "task.sequence_length" if "task.sequence_length" in rest else (rest[0] if rest else None)
    panel_keys = [k for k in rest if k != cols_key]
    axes_values = result.grid["axes"]
    row_values = axes_values[rows_key]
    col_values = axes_values[cols_key] if cols_key else [None]
    panels = [dict(zip(panel_keys, combo)) for combo in itertools.product(*(axes_values[k] for k in panel_keys))]  # [{}] with no further axes
    depths = [c.depth for c in result.cells if c.depth is not None] + [c.bounds.upper for c in result.cells]
    top = max(depths + [1])
    figure, axes = plt.subplots(1, len(panels), figsize=(1.6 + 1.9 * len(col_values) * len(panels), 1.2 + 1.0 * len(row_values)), squeeze=False)
    colours = plt.get_cmap("viridis", top)
    for axis, panel in zip(axes[0], panels):
        grid = np.full((len(row_values), len(col_values)), np.nan)
        for cell in result.cells:
            values = cell.values
            if any(values[k] != v for k, v in panel.items()):
                continue
            r = row_values.index(values[rows_key])
            c = col_values.index(values[cols_key]) if cols_key else 0
            if cell.depth is not None:
                grid[r, c] = cell.depth
                text, colour = cell_outcome(cell, "en"), "white" if cell.depth < 0.6 * top + 0.4 else "black"
            else:
                axis.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="#dddddd", hatch="//", edgecolor="#999999"))
                short = {"not_learned": f"not learned\n≤ {cell.deepest_tried}", "too_slow": "too slow", "failed": "failed"}
                text, colour = short[cell.status], "black"
            axis.text(c, r - 0.08, text, ha="center", va="center", fontsize=13 if cell.depth is not None else 8, color=colour, weight="bold")
            axis.text(c, r + 0.3, f"floor {cell.bounds.lower} · ceiling {cell.bounds.upper}", ha="center", va="center", fontsize=6.5, color=colour)
        image = axis.imshow(grid, cmap=colours, vmin=0.5, vmax=top + 0.5, aspect="auto")
        axis.set_yticks(range(len(row_values)), [str(v) for v in row_values])
        axis.set_ylabel(axis_name(rows_key))
        axis.set_xticks(range(len(col_values)), [str(v) for v in col_values] if cols_key else [""])
        axis.set_xlabel(axis_name(cols_key) if cols_key else "")
        title = ", ".join(f"{axis_name(k)} {v}" for k, v in panel.items())
        axis.set_title(title or "shallowest depth that learned the question (*: at the probes' length only)", fontsize=9)
    colourbar = figure.colorbar(image, ax=axes[0].tolist(), ticks=range(1, top + 1), fraction=0.05)
    colourbar.set_label("depth (layers)")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)


def summary_lines(result: SweepResult, lang: str = "en") -> list[str]:
    """Each cell's decision, a line each, for the terminal."""
    return [f"{', '.join(f'{axis_name(k)} {v}' for k, v in cell.values.items())}: {cell_outcome(cell, lang)}" for cell in result.cells]


def write_sweep(result: SweepResult, folder: Path) -> list[str]:
    """Write every output of the sweep into `folder`, each file atomically and replacing (never writing through) a
    link of its name; return the file names."""
    from feasibility.files import staged, write_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_file(folder / "sweep.json", json.dumps(result.to_dict(), indent=1))
    with staged(folder / "sweep.csv") as temporary:
        csv_frame(result).to_csv(temporary, index=False)
    with staged(folder / "depth-map.png", ".png") as temporary:
        depth_map(result, temporary)
    for lang, name in (("en", "sweep.md"), ("ja", "sweep.ja.md")):
        write_file(folder / name, render_markdown(result, lang, "depth-map.png"))
    return list(SWEEP_OUTPUTS)
