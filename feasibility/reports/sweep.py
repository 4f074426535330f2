"""What a sweep writes: sweep.json (every cell's decision and evidence), sweep.csv (one row per cell), the
depth map (depth-map.png) and a Markdown report for the meeting in English and Japanese (sweep.md,
sweep.ja.md). Everything is read from the result `sweep.run_sweep` returned; nothing is decided here."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from feasibility.reports.markdown import table_row
from feasibility.reports.words import percent
from feasibility.spec.grid import axis_name

SWEEP_OUTPUTS = ("sweep.json", "sweep.csv", "sweep.md", "sweep.ja.md", "depth-map.png")

WORDS = {
    "en": {
        "title": "Depth map: {name}",
        "intro": "{cells} cells of the base task {base}, over {axes}. Each cell's depth is the shallowest whose probes learned "
        "the question in every seed, searched as `feasibility assess` searches it (deeper depths are trained only while the "
        "shallower ones have not learned); floor and ceiling are the theoretical bounds for its hop count.",
        "ran": "Ran on the {executor} executor (training on {device}): {trained} probe jobs trained, {cached} found in the cache, "
        "{failed} failed; {wall} in all.",
        "figure": "The depth map",
        "cells": "Cell by cell",
        "columns": ["depth", "floor", "ceiling", "question", "at the task's length", "MACs / request", "parameters", "training"],
        "learned": "{depth}{mark}",
        "not_learned": "not learned up to depth {deepest}",
        "too_slow": "too slow to judge at depth {deepest}",
        "failed": "failed: {error}",
        "notes": "Notes",
        "note_question": "Question: the weakest seed's accuracy on fresh examples at the chosen depth (Wilson 95% lower bound "
        "in brackets), at the probe's length; at the task's length: the same probes judged on the cell's own length, where they "
        "trained shorter. A depth marked * learned at the probe's length but not yet at the task's (the map marks it too): read it "
        "as a floor, and settle it by training at the task's length (on a GPU).",
        "note_cost": "MACs and parameters are the analytic figures of the chosen depth at the deployment size; run "
        "`feasibility assess` on a cell for timed latency and memory.",
        "note_failed": "A failed cell is one whose probe job failed on every attempt; the reason is given. Re-running the sweep "
        "retries it and reuses every finished job from the cache.",
    },
    "ja": {
        "title": "深さマップ: {name}",
        "intro": "基準タスク {base} の {cells} セル（軸: {axes}）。各セルの深さは、すべてのシードで問いを学習した最も浅いプローブの深さで、"
        "`feasibility assess` と同じ順で探索しています（浅い深さが学習できなかった場合にだけ、より深い深さを訓練します）。"
        "下限と上限は、そのホップ数に対する理論上の境界です。",
        "ran": "{executor} 実行器で実行（訓練は {device}）: 訓練したプローブジョブ {trained} 件、キャッシュから {cached} 件、失敗 {failed} 件。全体で {wall}。",
        "figure": "深さマップ",
        "cells": "セルごとの結果",
        "columns": ["深さ", "下限", "上限", "問いの正解率", "タスクの長さで", "MAC / リクエスト", "パラメータ数", "訓練時間"],
        "learned": "{depth}{mark}",
        "not_learned": "深さ {deepest} まで学習せず",
        "too_slow": "深さ {deepest} で判定に時間不足",
        "failed": "失敗: {error}",
        "notes": "注記",
        "note_question": "問いの正解率: 選ばれた深さで、新しい例に対する最も弱いシードの正解率（括弧内は Wilson 95% 下限）。プローブの長さで測定。"
        "タスクの長さで: プローブがより短い入力で訓練された場合に、同じプローブをセル自身の長さで評価した値。* の付いた深さは、プローブの長さでは学習したが"
        "タスクの長さではまだ目標に届かないもの（マップにも印を付ける）。下限として読み、タスクの長さでの訓練（GPU 上）で確かめること。",
        "note_cost": "MAC とパラメータ数は、選ばれた深さのデプロイ規模での解析値です。遅延とメモリの実測は、そのセルで `feasibility assess` を実行してください。",
        "note_failed": "失敗したセルは、プローブジョブがすべての試行で失敗したものです（理由を併記）。スイープを再実行すると再試行され、完了済みのジョブはキャッシュから再利用されます。",
    },
}
def cell_outcome(cell: dict, lang: str) -> str:
    """A cell's decision in words: its depth, or why there is none."""
    mark = "*" if cell.get("holds_at_full_length") is False else ""
    return WORDS[lang][cell["status"]].format(depth=cell["depth"], deepest=cell["deepest_tried"], error=cell["error"], mark=mark)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def csv_frame(result: dict):
    """One row per cell: the axes' values, the decision and its evidence."""
    import pandas as pd

    rows = []
    for cell in result["cells"]:
        cost = cell["cost"] or {}
        rows.append(
            {
                **{axis_name(k): v for k, v in cell["values"].items()},
                "status": cell["status"],
                "depth": cell["depth"],
                "theory_floor": cell["bounds"]["lower"],
                "theory_ceiling": cell["bounds"]["upper"],
                "deepest_tried": cell["deepest_tried"],
                "question_accuracy": cell["accuracy"],
                "question_wilson_95_low": cell["lower_bound"],
                "probe_length": cell["plan"]["probe_sequence_length"],
                "question_at_task_length": cell.get("full_length_accuracy"),
                "holds_at_task_length": cell.get("holds_at_full_length"),
                "macs_per_request": cost.get("macs_per_request"),
                "parameters": cost.get("parameters"),
                "train_s": sum(p["wall_s"] or 0 for p in cell["probes"]),
                "error": cell["error"],
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("depth", "deepest_tried", "macs_per_request", "parameters"):
        frame[column] = frame[column].astype("Int64")
    return frame


def render_markdown(result: dict, lang: str, figure: str | None) -> str:
    words = WORDS[lang]
    grid, cells = result["grid"], result["cells"]
    axes = ", ".join(f"{axis_name(k)} {', '.join(str(v) for v in values)}" for k, values in grid["axes"].items())
    jobs = result["jobs"]
    lines = [
        f"# {words['title'].format(name=grid['name'])}",
        "",
        words["intro"].format(cells=len(cells), base=f"`{Path(grid['base']).name}`", axes=axes),
        "",
        words["ran"].format(executor=result["executor"], device=result["train_device"], trained=jobs["trained"], cached=jobs["cached"], failed=jobs["failed"], wall=_duration(result["wall_s"])),
        "",
    ]
    if figure:
        lines += [f"## {words['figure']}", "", f"![{words['figure']}]({figure})", ""]
    keys = list(grid["axes"])
    lines += [f"## {words['cells']}", "", table_row([axis_name(k) for k in keys] + words["columns"]), table_row(["---"] * (len(keys) + len(words["columns"])))]
    for cell in cells:
        cost = cell["cost"] or {}
        question = f"{percent(cell['accuracy'])} ({percent(cell['lower_bound'])})" if cell["accuracy"] is not None else "–"
        lines.append(
            table_row(
                [str(cell["values"][k]) for k in keys]
                + [
                    cell_outcome(cell, lang),
                    str(cell["bounds"]["lower"]),
                    str(cell["bounds"]["upper"]),
                    question,
                    percent(cell["full_length_accuracy"]) if cell.get("full_length_accuracy") is not None else "–",
                    f"{cost['macs_per_request']:,}" if cost else "–",
                    f"{cost['parameters']:,}" if cost else "–",
                    _duration(sum(p["wall_s"] or 0 for p in cell["probes"])),
                ]
            )
        )
    lines += ["", f"## {words['notes']}", "", f"- {words['note_question']}", f"- {words['note_cost']}"]
    if any(cell["status"] == "failed" for cell in cells):
        lines.append(f"- {words['note_failed']}")
    return "\n".join(lines) + "\n"


def depth_map(result: dict, path: Path) -> None:
    """The depth map: rows by the first axis (hops where swept), columns by the second, one panel per value of
    any further axes; each cell shows its depth (colour and number) or why it has none, with the theoretical
    floor and ceiling of its hop count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    keys = list(result["grid"]["axes"])
    rows_key = "task.hops" if "task.hops" in keys else keys[0]
    rest = [k for k in keys if k != rows_key]
    cols_key = "task.sequence_length" if "task.sequence_length" in rest else (rest[0] if rest else None)
    panel_keys = [k for k in rest if k != cols_key]
    axes_values = result["grid"]["axes"]
    row_values = axes_values[rows_key]
    col_values = axes_values[cols_key] if cols_key else [None]
    panels = [dict(zip(panel_keys, combo)) for combo in itertools.product(*(axes_values[k] for k in panel_keys))]  # [{}] with no further axes
    depths = [c["depth"] for c in result["cells"] if c["depth"] is not None] + [c["bounds"]["upper"] for c in result["cells"]]
    top = max(depths + [1])
    figure, axes = plt.subplots(1, len(panels), figsize=(1.6 + 1.9 * len(col_values) * len(panels), 1.2 + 1.0 * len(row_values)), squeeze=False)
    colours = plt.get_cmap("viridis", top)
    for axis, panel in zip(axes[0], panels):
        grid = np.full((len(row_values), len(col_values)), np.nan)
        for cell in result["cells"]:
            values = cell["values"]
            if any(values[k] != v for k, v in panel.items()):
                continue
            r = row_values.index(values[rows_key])
            c = col_values.index(values[cols_key]) if cols_key else 0
            if cell["depth"] is not None:
                grid[r, c] = cell["depth"]
                text, colour = cell_outcome(cell, "en"), "white" if cell["depth"] < 0.6 * top + 0.4 else "black"
            else:
                axis.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="#dddddd", hatch="//", edgecolor="#999999"))
                short = {"not_learned": f"not learned\n≤ {cell['deepest_tried']}", "too_slow": "too slow", "failed": "failed"}
                text, colour = short[cell["status"]], "black"
            axis.text(c, r - 0.08, text, ha="center", va="center", fontsize=13 if cell["depth"] is not None else 8, color=colour, weight="bold")
            axis.text(c, r + 0.3, f"floor {cell['bounds']['lower']} · ceiling {cell['bounds']['upper']}", ha="center", va="center", fontsize=6.5, color=colour)
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


def summary_lines(result: dict, lang: str = "en") -> list[str]:
    """Each cell's decision, a line each, for the terminal."""
    return [f"{', '.join(f'{axis_name(k)} {v}' for k, v in cell['values'].items())}: {cell_outcome(cell, lang)}" for cell in result["cells"]]


def write_sweep(result: dict, folder: Path) -> list[str]:
    """Write every output of the sweep into `folder`, each file atomically and replacing (never writing through) a
    link of its name; return the file names."""
    from feasibility.files import staged, write_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_file(folder / "sweep.json", json.dumps(result, indent=1))
    with staged(folder / "sweep.csv") as temporary:
        csv_frame(result).to_csv(temporary, index=False)
    with staged(folder / "depth-map.png", ".png") as temporary:
        depth_map(result, temporary)
    for lang, name in (("en", "sweep.md"), ("ja", "sweep.ja.md")):
        write_file(folder / name, render_markdown(result, lang, "depth-map.png"))
    return list(SWEEP_OUTPUTS)
