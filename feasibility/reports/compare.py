"""Two saved assessments side by side: what differs in the task, in the measurements and in the decision.

Typical pairs: two latency budgets, two deployment widths, this year's task against next year's. Pure data in
`compare`; the renderers below turn it into a Markdown section and a rich table in English or Japanese.
"""

from __future__ import annotations

from feasibility.result.assessment import Assessment
from feasibility.reports.markdown import table_row
from feasibility.reports.words import headline, label, milliseconds, percent
from feasibility.reports.terminal import boxes


def _flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def compare(a: Assessment, b: Assessment) -> dict:
    """Spec differences, both decisions, the depth table side by side, and what changed in the decision."""
    spec_a, spec_b = _flatten(a.spec), _flatten(b.spec)
    spec_changes = [
        {"key": key, "a": spec_a.get(key), "b": spec_b.get(key)}
        for key in sorted(set(spec_a) | set(spec_b))
        if spec_a.get(key) != spec_b.get(key)
    ]
    for field in ("device", "device_name", "threads", "torch_version"):
        if a.environment.get(field) != b.environment.get(field):
            spec_changes.append({"key": f"environment.{field}", "a": a.environment.get(field), "b": b.environment.get(field)})
    rec_a, rec_b = a.recommendation, b.recommendation
    verdicts = ({v.depth: v.verdict for v in a.verdicts}, {v.depth: v.verdict for v in b.verdicts})
    points = ({p["depth"]: p for p in rec_a["frontier"]}, {p["depth"]: p for p in rec_b["frontier"]})
    rows = [
        {
            "depth": depth,
            "verdict": [v.get(depth) for v in verdicts],
            "accuracy": [p.get(depth, {}).get("accuracy") for p in points],
            "latency_ms": [p.get(depth, {}).get("latency_ms") for p in points],
        }
        for depth in sorted(set(verdicts[0]) | set(verdicts[1]))
    ]
    changes = []
    if rec_a["decision"] != rec_b["decision"] or rec_a["depth"] != rec_b["depth"]:
        changes.append({"kind": "decision", "a": rec_a, "b": rec_b})
    else:
        changes.append({"kind": "same_decision", "a": rec_a, "b": rec_b})
    if rec_a["learned_depth"] != rec_b["learned_depth"]:
        changes.append({"kind": "needed_depth", "a": rec_a["learned_depth"], "b": rec_b["learned_depth"]})
    if rec_a["binding_constraint"] != rec_b["binding_constraint"]:
        changes.append({"kind": "binding", "a": rec_a["binding_constraint"], "b": rec_b["binding_constraint"]})
    if rec_a["latency_margin_ms"] is not None and rec_b["latency_margin_ms"] is not None:
        changes.append({"kind": "margin", "a": rec_a["latency_margin_ms"], "b": rec_b["latency_margin_ms"]})
    return {"names": [a.spec["name"], b.spec["name"]], "spec_changes": spec_changes, "decisions": [rec_a, rec_b], "rows": rows, "changes": changes}


def _value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _change(change: dict, lang: str) -> str:
    kind, ja = change["kind"], lang == "ja"
    if kind == "decision":
        return (f"結論が変わった: A「{headline(change['a'], lang)}」→ B「{headline(change['b'], lang)}」" if ja
                else f"the decision changed: A says \"{headline(change['a'], lang)}\" and B says \"{headline(change['b'], lang)}\"")
    if kind == "same_decision":
        return f"結論は同じ: {headline(change['b'], lang)}" if ja else f"the decision is the same: {headline(change['b'], lang)}"
    if kind == "needed_depth":
        return (f"学習に必要な層数: A {_value(change['a'])} → B {_value(change['b'])}" if ja
                else f"the depth needed to learn the task: {_value(change['a'])} in A, {_value(change['b'])} in B")
    if kind == "binding":
        names = {"accuracy": ("accuracy", "精度"), "latency": ("latency", "レイテンシ"), "both": ("both", "両方"), None: ("none", "なし")}
        pick = 1 if ja else 0
        return (f"制約となる条件: A {names[change['a']][pick]} → B {names[change['b']][pick]}" if ja
                else f"the binding constraint: {names[change['a']][pick]} in A, {names[change['b']][pick]} in B")
    if kind == "margin":
        return (f"レイテンシ予算に対する余裕: A {milliseconds(change['a'])} → B {milliseconds(change['b'])}" if ja
                else f"the latency margin: {milliseconds(change['a'])} in A, {milliseconds(change['b'])} in B")
    raise ValueError(kind)


HEADINGS = {
    "en": {"title": "Comparison: A = {a}, B = {b}", "changed": "What changed", "inputs": "Inputs that differ", "none": "none", "key": "key",
           "by_depth": "Depth by depth", "verdict": "verdict", "accuracy": "accuracy"},
    "ja": {"title": "比較: A = {a}、B = {b}", "changed": "変わったこと", "inputs": "異なる入力", "none": "なし", "key": "キー",
           "by_depth": "層数ごとの比較", "verdict": "判定", "accuracy": "正解率"},
}


def render_compare_markdown(comparison: dict, lang: str = "en") -> str:
    h = HEADINGS[lang]
    a, b = comparison["names"]
    lines = [f"# {h['title'].format(a=a, b=b)}", "", f"## {h['changed']}", ""]
    lines += [f"- {_change(change, lang)}" for change in comparison["changes"]]
    lines += ["", f"## {h['inputs']}", ""]
    if comparison["spec_changes"]:
        lines += [table_row([h["key"], "A", "B"]), "|---|---|---|"]
        lines += [table_row([f"`{c['key']}`", _value(c["a"]), _value(c["b"])]) for c in comparison["spec_changes"]]
    else:
        lines.append(h["none"])
    percentile = comparison["decisions"][1]["percentile"]
    lines += ["", f"## {h['by_depth']}", "", table_row([label("depth", lang), f"{h['verdict']} A", f"{h['verdict']} B", f"{h['accuracy']} A", f"{h['accuracy']} B", f"p{percentile} ms A", f"p{percentile} ms B"]), "|---:|---|---|---:|---:|---:|---:|"]
    for row in comparison["rows"]:
        verdicts = [label(f"v_{v}", lang) if v else "-" for v in row["verdict"]]
        latency = [f"{x:.2f}" if x is not None else "-" for x in row["latency_ms"]]
        lines.append(table_row([row["depth"], *verdicts, *[percent(x) for x in row["accuracy"]], *latency]))
    return "\n".join(lines) + "\n"


def compare_view(comparison: dict, terminal: bool, lang: str = "en") -> list:
    """The comparison for the terminal, as rich renderables: what changed, the inputs that differ, and each depth."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    h = HEADINGS[lang]
    a, b = comparison["names"]
    shown = [Text(h["title"].format(a=a, b=b), style="bold")] + [Text(f"  - {_change(change, lang)}") for change in comparison["changes"]]
    if comparison["spec_changes"]:
        table = Table(title=h["inputs"], box=boxes(terminal))
        for name in (h["key"], "A", "B"):
            table.add_column(name)
        for c in comparison["spec_changes"]:
            table.add_row(escape(c["key"]), escape(_value(c["a"])), escape(_value(c["b"])))
        shown.append(table)
    percentile = comparison["decisions"][1]["percentile"]
    table = Table(title=h["by_depth"], box=boxes(terminal))
    for name in (label("depth", lang), f"{h['verdict']} A", f"{h['verdict']} B", f"p{percentile} ms A", f"p{percentile} ms B"):
        table.add_column(name, justify="right" if "ms" in name or name == label("depth", lang) else "left")
    for row in comparison["rows"]:
        table.add_row(str(row["depth"]), *[label(f"v_{v}", lang) if v else "-" for v in row["verdict"]], *[f"{x:.2f}" if x is not None else "-" for x in row["latency_ms"]])
    return shown + [table]
