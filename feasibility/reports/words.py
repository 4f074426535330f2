"""Every sentence the reports say, in English and Japanese, and how their numbers are written; the short labels of
each language are in en.py and ja.py.

The decision (`result.recommendation.Recommendation`) holds kinds and figures; this module turns them into words. Numbers
are formatted the same way in both languages, so the tables of the two reports are identical and only the
prose differs. Japanese is written as a Japanese engineer would write a meeting memo (である調), not
translated word for word.
"""

from __future__ import annotations

from feasibility.reports import en as english
from feasibility.reports import ja as japanese
from feasibility.result.recommendation import Evidence, Finding, Recommendation, SettlingRun
from feasibility.vocabulary import Stop, Verdict

LANGUAGES = ("en", "ja")
LABELS = {"en": english.LABELS, "ja": japanese.LABELS}  # short labels: headings, table headers, table cells


# Numbers, written the same way in both languages: units, separators and precision, in one place.


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



def label(key: str, lang: str, **figures) -> str:
    return LABELS[lang][key].format(**figures)


def kind_name(kind: str, lang: str) -> str:
    return LABELS[lang].get(kind, kind.replace("_", " "))


def _layers(n: int, lang: str) -> str:
    if lang == "ja":
        return f"{n} 層"
    return f"{n} layer{'s' if n != 1 else ''}"


def _hops(n: int, lang: str) -> str:
    if lang == "ja":
        return f"{n} ホップ"
    return f"{n} hop{'s' if n != 1 else ''}"


def _seeds(n: int, lang: str) -> str:
    if lang == "ja":
        return f"{n} シード"
    return f"{n} seed{'s' if n != 1 else ''}"


def _threads(n: int, lang: str) -> str:
    if lang == "ja":
        return f"{n} スレッド"
    return f"{n} thread{'s' if n != 1 else ''}"


def counted(lang: str, **counts: int) -> dict[str, str]:
    """{name}_text for each count, with its noun in the right number: counted("en", lower=1) -> {"lower_text": "1 layer"}
    (names: lower, upper, layers -> layers; hops; seeds; threads)."""
    nouns = {"lower": _layers, "upper": _layers, "layers": _layers, "hops": _hops, "seeds": _seeds, "threads": _threads}
    return {f"{name}_text": nouns[name](value, lang) for name, value in counts.items()}


def _where(rec: Recommendation, lang: str) -> str:
    """At which length the verdict holds: the task's, both, or only the shorter one the probes trained at."""
    trained, task, accuracy = rec.probe_length, rec.full_length, rec.full_length_accuracy
    if trained is None:
        return ""
    if task is None:
        return f"（{trained} トークン）" if lang == "ja" else f" at {trained} tokens"
    if rec.holds_at_full_length:
        return f"（訓練した {trained} トークンでも、タスク本来の {task} トークンでも）" if lang == "ja" else f" at {trained} tokens and at the task's {task}"
    if lang == "ja":
        return f"（訓練した {trained} トークンで。タスク本来の {task} トークンでは {percent(accuracy)}）"
    return f" at the {trained} tokens they trained on (at the task's {task} tokens: {percent(accuracy)})"


def headline(rec: Recommendation, lang: str) -> str:
    """The decision at the top of every report: one sentence, led by the join where the records are structured."""
    model = _model_headline(rec, lang)
    join = rec.join
    if not join:
        return model
    per_request = f"{join['p50_ms'] * 1000:.1f} µs"
    price = join.get("cost_per_million_requests")
    if lang == "ja":
        cost = f"、100 万件あたり {money_amount(price)} {rec.currency}" if price is not None else ""
        return (
            f"結合で足り、モデルは要らない: 記録は構造化されているので、{rec.hops} 回の索引参照で正確に答えられる"
            f"（ここで 1 件あたり {per_request}{cost}）。モデルにテキストとして読ませる場合: {model}"
        )
    cost = f", {money_amount(price)} {rec.currency} per million requests" if price is not None else ""
    return (
        f"A join does this, no model needed: the records are structured, so {rec.hops} indexed "
        f"{'lookup answers' if rec.hops == 1 else 'lookups answer'} the question exactly ({per_request} a request here{cost}). "
        f"If a model must read them as text: {model[0].lower()}{model[1:]}"
    )


def _model_headline(rec: Recommendation, lang: str) -> str:
    """The one-sentence decision on the model."""
    label_p = f"p{rec.percentile}"
    hops, target, budget = rec.hops, rec.target, rec.budget_ms
    where = _where(rec, lang)
    if rec.decision == "recommended":
        depth, latency = rec.depth, rec.latency_ms
        if lang == "ja":
            single = "1 ホップなので多段の検索は不要で、" if rec.single_hop else ""
            return (
                f"{single}{depth} 層を推奨する。プローブは {hops} 回の参照を要する質問に {share(target)} 以上で正答し{where}、"
                f"{label_p} レイテンシ {milliseconds(latency)} は予算 {budget:g} ms に収まる。"
            )
        single = "One hop needs no multi-step retrieval: use" if rec.single_hop else "Use"
        return (
            f"{single} {_layers(depth, lang)}: the probes answered the {hops}-lookup question at {share(target)} or better{where}, "
            f"and {label_p} latency {milliseconds(latency)} fits the {budget:g} ms budget."
        )
    if rec.decision == "not_shown_at_length":
        return _not_shown_headline(rec, lang)
    if rec.decision == "too_close_to_call":
        depth, latency = rec.depth, rec.latency_ms
        low, high = rec.latency_ci95_ms
        if lang == "ja":
            return (
                f"このマシンでは判定できない（僅差）: {depth} 層で {hops} 回参照の質問に答えられる{where}が、その {label_p} レイテンシ "
                f"{milliseconds(latency)}（95% 信頼区間 {milliseconds(low)}〜{milliseconds(high)}）の幅の中に予算 {budget:g} ms がある。"
                "配備するハードウェアで測れば決まる（そのマシンで `feasibility assess` を実行する）。"
            )
        return (
            f"Too close to call on this machine: {_layers(depth, lang)} {'answers' if depth == 1 else 'answer'} the {hops}-lookup question{where}, "
            f"but the {budget:g} ms budget lies inside the 95% confidence interval of {'its' if depth == 1 else 'their'} {label_p} latency "
            f"({milliseconds(latency)}, {milliseconds(low)} to {milliseconds(high)}). Measuring on the target hardware settles it "
            "(run `feasibility assess` there)."
        )
    if rec.decision == "none_within_budget":
        depth, latency = rec.learned_depth, rec.latency_ms
        if lang == "ja":
            single = "1 ホップなので多段の検索は不要で、インデックスでの参照でも足りる。" if rec.single_hop else ""
            return (
                f"予算内では実現できない。{single}{depth} 層で {hops} 回参照の質問に答えられる{where}が、その {label_p} レイテンシ "
                f"{milliseconds(latency)} は予算 {budget:g} ms を超える。"
            )
        single = " one hop needs no multi-step retrieval, and an index lookup would do;" if rec.single_hop else ""
        verb, their = ("answers", "its") if depth == 1 else ("answer", "their")
        return (
            f"Not within budget:{single} {_layers(depth, lang)} {verb} the {hops}-lookup question{where}, but {their} {label_p} latency "
            f"{milliseconds(latency)} exceeds the {budget:g} ms budget."
        )
    both = rec.binding_constraint == "both"
    slow = rec.too_slow_depths or []
    if lang == "ja":
        tail = f"また、どの層数も予算 {budget:g} ms に収まらない。" if both else ""
        cut = f"{_listed(slow, lang)} 層は時間の上限で訓練が打ち切られ、このマシンでは遅すぎて判定できなかった。" if slow else ""
        return f"訓練予算の範囲では、どの層数のプローブも {hops} 回参照の質問で {share(target)} に達しなかった。{cut}{tail}"
    cut = f"; the time cap cut training short at depth {_listed(slow, lang)}, so this machine was too slow to judge {'it' if len(slow) == 1 else 'them'}" if slow else ""
    tail = f", and no probed depth fits the {budget:g} ms budget either." if both else "."
    return f"No probed depth answered the {hops}-lookup question at {share(target)} within the training budget{cut}{tail}"


def _not_shown_headline(rec: Recommendation, lang: str) -> str:
    """"At least N layers": learned at the probes' length, not yet shown at the task's, and the run that settles it."""
    depth, hops, target = rec.learned_depth, rec.hops, rec.target
    trained, task, accuracy, low = rec.probe_length, rec.full_length, rec.full_length_accuracy, rec.full_length_lower_bound
    run = rec.settling_run
    bound = f"（信頼下限 {percent(low)}）" if lang == "ja" and low is not None else (f" (lower bound {percent(low)})" if low is not None else "")
    if lang == "ja":
        settle = f"{task} トークンで訓練すれば決まる（{_settling_cost(run, lang)}）。" if run else f"{task} トークンで訓練すれば決まる。"
        return (
            f"少なくとも {depth} 層が要る。ただし {task} トークンではまだ示せていない: プローブは訓練した {trained} トークンでは "
            f"{hops} 回参照の質問に {share(target)} 以上で正答したが、タスク本来の {task} トークンでは最も悪いシードが {percent(accuracy)}{bound}で、"
            f"目標 {share(target)} を示せていない。まだ結論ではない。{settle}"
        )
    settle = f"Training at {task} tokens settles it ({_settling_cost(run, lang)})." if run else f"Training at {task} tokens settles it."
    return (
        f"At least {_layers(depth, lang)}, not yet shown at {task} tokens: the probes answered the {hops}-lookup question at {share(target)} "
        f"or better at the {trained} tokens they trained on, but at the task's {task} tokens the weakest seed answers {percent(accuracy)}{bound}, "
        f"which does not show the {share(target)} target. This is not yet a decision. {settle}"
    )


def _settling_cost(run: SettlingRun, lang: str) -> str:
    """The settling run's size and estimated time here and on a GPU."""
    if lang == "ja":
        return (f"{run.depth} 層、{run.steps:,} ステップ。このマシンで約 {duration(run.seconds_here, lang)}、"
                f"{run.gpu} GPU で約 {duration(run.seconds_gpu, lang)}と推定")
    return (f"{_layers(run.depth, lang)}, {run.steps:,} steps: about {duration(run.seconds_here, lang)} on this machine and "
            f"about {duration(run.seconds_gpu, lang)} on an {run.gpu} GPU, both estimated")


def duration(seconds: float, lang: str) -> str:
    """Seconds as people say them: 40 s, 12 min, 3.5 h."""
    if seconds < 90:
        return f"{seconds:.0f} 秒" if lang == "ja" else f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} 分" if lang == "ja" else f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} 時間" if lang == "ja" else f"{seconds / 3600:.1f} h"


def stop_reason(reason: str | None, plateau_since_step: int | None, lang: str) -> str:
    """Why a probe run stopped (a ProbeRun's stop_reason), with the step its plateau began."""
    if lang == "ja":
        return {
            Stop.PLATEAU: f"{plateau_since_step} ステップ以降、評価損失が横ばい",
            Stop.TIME_BUDGET: "時間予算を使い切った",
            Stop.STEP_CAP: "ステップ上限に達した",
            Stop.TARGET_MET: "目標に到達",
            Stop.DIVERGED: "発散",
            Stop.AT_CHANCE: "ステップ予算の半分まで全シードが当て推量並みで、評価損失も横ばい",
        }.get(reason, str(reason))
    return {
        Stop.PLATEAU: f"held-out loss flat since step {plateau_since_step}",
        Stop.TIME_BUDGET: "the time budget ran out",
        Stop.STEP_CAP: "the step cap was reached",
        Stop.TARGET_MET: "the target was met",
        Stop.DIVERGED: "training diverged",
        Stop.AT_CHANCE: "every seed at chance for half the step budget, its held-out loss flat",
    }.get(reason, str(reason))


def _heuristic(name: str | None, lang: str) -> str:
    return label(f"h_{name}", lang) if name else "-"


def _judged(item: Evidence, lang: str) -> str:
    """The question's figures behind a verdict: weakest seed, the length, the full length, and chance."""
    ja = lang == "ja"
    parts = []
    if item.accuracy is not None:
        if ja:
            parts.append(f"最も悪いシードの質問正解率 {percent(item.accuracy)}（{item.length} トークン、新しいデータでシードあたり {count(item.questions)} 問、信頼下限 {percent(item.lower_bound)}）")
        else:
            parts.append(f"weakest seed {percent(item.accuracy)} on the question ({count(item.questions)} fresh questions per seed at {item.length} tokens, lower bound {percent(item.lower_bound)})")
    if item.full_length is not None:
        if ja:
            parts.append(f"タスク本来の {item.full_length} トークンでは {percent(item.full_length_accuracy)}（その長さでは訓練していない）")
        else:
            parts.append(f"at the task's {item.full_length} tokens {percent(item.full_length_accuracy)} (not trained at that length)")
    if item.at_chance:
        if ja:
            parts.append(f"チェーンを無視した推測（{_heuristic(item.chance_heuristic, lang)}、{percent(item.chance)}）を上回らない: 何もしていないのと同じ")
        else:
            parts.append(f"no better than guessing {_heuristic(item.chance_heuristic, lang)} ({percent(item.chance)}): it does nothing")
    return ("。".join(parts) + "。") if ja and parts else ("; ".join(parts))


def evidence(item: Evidence, target: float, lang: str) -> str:
    """One depth's verdict in plain words, with the figures it rests on."""
    depth, verdict = item.depth, item.verdict
    seeds = f"{item.seeds_learned}/{item.seeds}"
    ja = lang == "ja"
    if verdict == Verdict.SKIPPED:
        first = item.first_learned
        if ja:
            return f"{depth} 層: 省略。{first} 層ですでに学習できており、深くしてもコストが増えるだけなので訓練していない。"
        return f"depth {depth}: skipped: not trained, because depth {first} already learned and a deeper model only adds cost"
    if verdict == Verdict.RULED_OUT:
        if ja:
            return (f"{depth} 層: 理論で除外。{item.hops} 回の参照には理論上 {item.floor} 層以上が必要（t ≥ log₃(2D)）なので、"
                    "コストだけを測り、訓練はしていない。訓練するには probe.depths に層数を列挙すること。")
        return (f"depth {depth}: ruled out by theory: {item.hops} lookups need at least {item.floor} layers (t >= log_3(2D)), "
                "so it was costed but not trained; list it in probe.depths to train it anyway")
    if verdict == Verdict.DIVERGED:
        if ja:
            return f"{depth} 層: 発散。{count(item.steps)} ステップ後、すべてのシードで訓練が発散した。学習率を下げること。"
        return f"depth {depth}: diverged: training diverged in every seed after {count(item.steps)} steps; lower the learning rate"
    figures = _judged(item, lang)
    if verdict == Verdict.LEARNED:
        note = ""
        if item.contradicts_bound:
            note = ("理論下限未満の層数で目標に達しており、理論の前提と矛盾する。プローブに近道がないか確認すること。" if ja
                    else "; below the theoretical floor, which contradicts the bound's assumption: check the probe for a shortcut")
        if ja:
            return f"{depth} 層: 学習できた。全シードが新しいデータで目標 {percent(target)} に到達した。{figures}{note}"
        return f"depth {depth}: learned: every seed met the {percent(target)} target on fresh examples; {figures}{note}"
    if verdict == Verdict.BELOW_BOUND:
        if item.contradicts_bound:
            if ja:
                return (f"{depth} 層: 理論下限未満だが、{seeds} のシードが目標に達した。理論の前提と矛盾するため、プローブに近道がないか確認すること。{figures}")
            return (f"depth {depth}: below bound, yet {seeds} seeds met the target, which contradicts the bound's assumption: check the "
                    f"probe for a shortcut; {figures}")
        if ja:
            return f"{depth} 層: 理論下限未満。理論上この層数では解けず、プローブの結果も一致した（目標に達したシード {seeds}）。{figures}"
        return f"depth {depth}: below bound: theory rules this depth out, and the probe agrees ({seeds} seeds met the target); {figures}"
    if verdict == Verdict.TOO_SLOW:
        if ja:
            return (f"{depth} 層: 遅すぎて判定不能。時間の上限（{(item.time_budget_s or 0):g} 秒）で {count(item.steps)} ステップ時点で訓練が打ち切られ、"
                    f"このマシンでは判定できなかった。{figures}probe.time_budget_s を増やすか、より速いマシンで実行すること。")
        return (f"depth {depth}: too slow to judge: the time cap stopped training after {count(item.steps)} steps, before the step budget, "
                f"so this machine was too slow to judge the depth; {figures}; raise probe.time_budget_s or run on a faster machine")
    if ja:
        return (
            f"{depth} 層: 予算内で未学習。{count(item.steps)} ステップで目標に達したシードは {seeds}（{stop_reason(item.stop_reason, item.plateau_since_step, lang)}）。{figures}"
            "この層数では不可能、ということを示すものではない。"
        )
    return (
        f"depth {depth}: not learned within budget: {seeds} seeds met the target after {count(item.steps)} steps "
        f"({stop_reason(item.stop_reason, item.plateau_since_step, lang)}); {figures}; this does not show the depth cannot do it"
    )


def cost_line(rec: Recommendation, deployment: dict, lang: str) -> str | None:
    """What the recommended (or needed) depth costs to serve, in the task file's currency; None without a price."""
    depth = rec.reference_depth
    point = rec.point(depth)
    if point is None or point.cost_per_million_requests is None:
        return None
    currency, price = rec.currency, deployment["cost_per_device_hour"]
    per_million, per_day = money_amount(point.cost_per_million_requests), point.cost_per_day
    if lang == "ja":
        daily = f"、1 日 {deployment['requests_per_day']:,} リクエストで 1 日 {money_amount(per_day)} {currency}" if per_day is not None else ""
        return f"コスト: {depth} 層で 100 万リクエストあたり {per_million} {currency}（p50 のスループット、デバイス 1 時間あたり {price:g} {currency}）{daily}。"
    daily = f"; {deployment['requests_per_day']:,} requests a day cost {money_amount(per_day)} {currency} a day" if per_day is not None else ""
    return f"cost: {_layers(depth, lang)} serve a million requests for {per_million} {currency} at p50 throughput ({price:g} {currency} per device-hour){daily}"


def margin(rec: Recommendation, lang: str) -> str | None:
    """The latency margin of the recommended (or needed) depth, in words, with its 95% interval where the timing
    rounds give one; None when there is none to state."""
    if rec.latency_margin_ms is None:
        return None
    depth = rec.reference_depth
    p, budget, left = f"p{rec.percentile}", rec.budget_ms, rec.latency_margin_ms
    interval = rec.latency_ci95_ms
    if lang == "ja":
        among = f"（95% 信頼区間 {milliseconds(interval[0])}〜{milliseconds(interval[1])}）" if interval else " "
        if left >= 0:
            return f"{depth} 層の {p} レイテンシ {milliseconds(rec.latency_ms)}{among}は、予算 {budget:g} ms に対して {milliseconds(left)}（{left / budget:.0%}）の余裕がある。"
        return f"{depth} 層の {p} レイテンシ {milliseconds(rec.latency_ms)}{among}は、予算 {budget:g} ms を {milliseconds(-left)} 超える。"
    among = f" (95% interval {milliseconds(interval[0])} to {milliseconds(interval[1])})" if interval else ""
    takes = "takes" if depth == 1 else "take"
    if left >= 0:
        return f"latency margin: {_layers(depth, lang)} {takes} {milliseconds(rec.latency_ms)} at {p}{among}, leaving {milliseconds(left)} ({left / budget:.0%}) of the {budget:g} ms budget"
    return f"latency: {_layers(depth, lang)} {takes} {milliseconds(rec.latency_ms)} at {p}{among}, {milliseconds(-left)} over the {budget:g} ms budget"


def join_note(join: dict, lang: str) -> str:
    """How the join was timed, for the reasons."""
    p50, p95 = f"{join['p50_ms'] * 1000:.1f} µs", f"{join['p95_ms'] * 1000:.1f} µs"
    if lang == "ja":
        return (
            f"記録は構造化されている: 1 件の記録（{join['statements']:,} 文）を索引にして {join['lookups']} 回参照すると、ここで p50 {p50}、"
            f"p95 {p95}（Python の dict、1 スレッド、{join['runs']:,} 件）。フィールドを索引済みのデータベースならさらに速い。"
        )
    return (
        f"the records are structured: indexing one record ({join['statements']:,} statements) and following {join['lookups']} "
        f"{'lookup' if join['lookups'] == 1 else 'lookups'} took {p50} at p50 and {p95} at p95 here (a Python dict, one thread, "
        f"{join['runs']:,} requests); a database with the fields already indexed does less"
    )


def single_hop_note(lang: str) -> str:
    if lang == "ja":
        return "このタスクは 1 ホップであり、多段の検索は要らない。1 回の参照で足りる。"
    return "the task has one hop: it needs no multi-step retrieval, a single lookup does"


def alternative(option: Finding, rec: Recommendation, lang: str) -> str:
    """One alternative, with its figures, in the words of its kind (`alt_<kind>` in en.py and ja.py)."""
    if option.kind not in ALTERNATIVES:
        raise ValueError(f"unknown alternative {option.kind!r}")
    key, shown = ALTERNATIVES[option.kind](option.figures, rec, lang)
    return label(key, lang, **{**option.figures, "p": f"p{rec.percentile}", **shown})


def _deepest_within_budget(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    layers, needed = option["layers"], option.get("needed")
    if layers < 1:
        return "alt_deepest_none", {}
    gap = label("alt_deepest_gap", lang, needed=needed) if needed is not None and layers < needed else ""
    upto, points = option.get("measured_upto"), option.get("measured_points")
    far = upto is not None and layers > 2 * upto  # a line through two or three points, carried past twice their range
    how = label("alt_deepest_far", lang, upto=upto, points=points) if far else label("alt_deepest_fit", lang, p=f"p{rec.percentile}")
    return "alt_deepest_within_budget", {"layers_text": _layers(layers, lang), "how": how, "gap": gap}


def _narrower(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    return "alt_narrower", {"depth_text": _layers(option["depth"], lang), "latency": milliseconds(option["latency_ms"])}


def _fit(fits: bool, lang: str) -> str:
    return label("alt_within" if fits else "alt_over", lang)


def _wider_fewer_layers(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    fits = option["latency_ms"] <= rec.budget_ms
    return "alt_wider_fewer_layers", {"depth_text": _layers(option["depth"], lang), "latency": milliseconds(option["latency_ms"]), "fit": _fit(fits, lang)}


def _split_passes(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    per_pass = milliseconds(option["latency_ms"] / option["passes"])
    return "alt_split_passes", {"hops_text": _hops(option["hops_per_pass"], lang), "per_pass": per_pass, "latency": milliseconds(option["latency_ms"]), "fit": _fit(option["fits"], lang)}


def _fewer_hops(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    latency = option.get("latency_ms")
    cost = label("alt_fewer_hops_cost", lang, latency=milliseconds(latency), p=f"p{rec.percentile}") if latency is not None else ""
    return "alt_fewer_hops", {"cost": cost}


def _settle_at_length(option: dict, rec: Recommendation, lang: str) -> tuple[str, dict]:
    return "alt_settle_at_length", {"settling": _settling_cost(SettlingRun(**option), lang)}


def _as_written(kind: str):
    """An alternative whose sentence reads its option's own figures."""
    return lambda option, rec, lang: (f"alt_{kind}", {})


ALTERNATIVES = {  # an alternative's kind -> its sentence's key and the figures it shows, written out
    "deepest_within_budget": _deepest_within_budget, "narrower": _narrower, "wider_fewer_layers": _wider_fewer_layers,
    "split_passes": _split_passes, "fewer_hops": _fewer_hops, "more_time": _as_written("more_time"),
    "more_training": _as_written("more_training"), "settle_at_length": _settle_at_length, "deeper_probes": _as_written("deeper_probes"),
}


def _listed(depths: list[int], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(str(d) for d in depths)


def _sentence(prefix: str, kind: str, shown: dict, lang: str) -> str:
    key = f"{prefix}_{kind}"
    if key not in LABELS[lang]:
        raise ValueError(f"unknown {'risk' if prefix == 'risk' else 'question'} {kind!r}")
    return label(key, lang, **shown)


def risk(item: Finding, lang: str) -> str:
    """One risk, in the words of its kind (`risk_<kind>` in en.py and ja.py), with its figures written out."""
    kind, figures = item.kind, item.figures
    shown = dict(figures)
    if kind == "shortened":
        kind = "shortened" if figures.get("accuracy") is not None else "shortened_unjudged"
        shown.update(accuracy=percent(figures.get("accuracy")), lower_bound=percent(figures.get("lower_bound")))
        shown["holds"] = label("risk_holds" if figures.get("holds") else "risk_holds_short", lang, probe_length=figures["probe_length"])
    if "depths" in figures:
        shown["depths"] = _listed(figures["depths"], lang)
    if "margin_ms" in figures:
        shown["margin"] = milliseconds(figures["margin_ms"])
    if "passes_p50_ms" in figures:
        shown["passes"] = label("then", lang).join(milliseconds(p50) for p50 in figures["passes_p50_ms"])
    return _sentence("risk", kind, shown, lang)


def question(item: Finding, lang: str) -> str:
    """One question for the meeting, in the words of its kind (`q_<kind>` in en.py and ja.py)."""
    kind, figures = item.kind, item.figures
    shown = dict(figures)
    if "threads" in figures:
        shown["threads"] = _threads(figures["threads"], lang)
    if "margin_ms" in figures:
        shown["margin"] = milliseconds(figures["margin_ms"])
    if "interval_ms" in figures:
        shown["low"], shown["high"] = (milliseconds(value) for value in figures["interval_ms"])
    if "latency_ms" in figures:
        shown["latency"] = milliseconds(figures["latency_ms"])
    if "depth" in figures:
        shown["layers"] = _layers(figures["depth"], lang)
    if "needed" in figures:
        shown["needed_layers"], shown["take"] = _layers(figures["needed"], lang), label("q_take_one" if figures["needed"] == 1 else "q_take_many", lang)
    shown["cost"] = label("q_cost", lang, cost=_settling_cost(SettlingRun(**figures), lang)) if kind == "settle_at_length" and "steps" in figures else ""
    return _sentence("q", kind, shown, lang)
