"""Every sentence the reports say, in English and Japanese.

The decision (`recommend.Recommendation`) holds kinds and figures; this module turns them into words. Numbers
are formatted the same way in both languages, so the tables of the two reports are identical and only the
prose differs. Japanese is written as a Japanese engineer would write a meeting memo (である調), not
translated word for word.
"""

from __future__ import annotations

LANGUAGES = ("en", "ja")


def milliseconds(value: float) -> str:
    """Three significant figures, without exponent notation for a second or more."""
    text = f"{value:.3g}"
    return f"{value:,.0f} ms" if "e" in text else f"{text} ms"


def _count(value) -> str:
    """A whole number with thousands separators (4,096), or "-"."""
    return "-" if value is None else f"{value:,}"


def _share(value: float) -> str:
    """A target as people write it: 99%, 99.5%, 95%."""
    return f"{value:.1%}".replace(".0%", "%")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


# Short labels: headings, table headers, table cells.
LABELS = {
    "en": {
        "title": "Feasibility: {name}",
        "decision": "Decision.",
        "task": "The task",
        "task_line": "{hops}-hop {kind} over {length} tokens",
        "target_line": "target: {accuracy} held-out accuracy; p{percentile} latency at most {budget:g} ms at batch {batch}",
        "deployment_line": "deployment: width {width}, {heads} heads, vocabulary {vocab}, {dtype} on {device}",
        "depths": "Depth by depth",
        "inside": "Inside the probes",
        "inside_intro": "Depth {depth}, seed {seed}, on held-out examples. A head's chain score is the share of its attention that goes "
        "along the retrieval chain (from a link to the links it depends on, at the position after the matching variable); its "
        "previous-token score the share that goes to the position just before. A head emerges when its stronger score first "
        "reaches {threshold:.0%}; scores are measured every {every} steps on {examples} held-out examples.",
        "head": "head",
        "kind": "kind",
        "emerges": "emerges at step",
        "final_score": "final score",
        "never": "never",
        "k_chain": "chain",
        "k_previous": "previous token",
        "hops_learned": "Hop counts learned (first checkpoint at or above the {target} target): {parts}.",
        "hop_at": "hop {hop} at step {step}",
        "hop_never": "hop {hop} not within the run",
        "in_order": "The hop counts were learned one after another, hop 1 first, as the implicit curriculum predicts.",
        "not_in_order": "The hop counts were not learned one after another in this probe: {parts}.",
        "not_all": "Not every hop count was learned in this run, so the order can only be read in part.",
        "heads_order": "Heads in the order they emerged: {parts}.",
        "no_heads": "No head reached the threshold in this run.",
        "no_inside": "This result holds no head scores or attention maps (it was saved by an older version); re-run `feasibility assess` to get them.",
        "curriculum": "Implicit curriculum: on and off",
        "curriculum_note": "The same probes trained twice: with every link that needs a lookup supervised and tagged with its lookups (on), and with only the question supervised (off). Accuracy is the weakest seed's on the question, on fresh examples.",
        "cur_on": "on",
        "cur_off": "off",
        "depth": "depth",
        "depth_n": "depth {depth}",
        "sep": ", ",
        "vs_bound": "theory",  # the depth against the theoretical bounds: below, within, above
        "hop": "hop {hop}",
        "lower_bound": "95% CI low",  # Wilson's lower bound of the question's accuracy
        "verdict": "verdict",
        "params": "params",
        "fits": "fits",
        "yes": "yes",
        "no": "no",
        "below": "below",
        "within": "within",
        "above": "above",
        "v_below_bound": "below bound",
        "v_learned": "learned",
        "v_learned_at": "learned at {length} tokens",
        "v_learned_only_at": "learned at {length} tokens only",
        "v_not_learned": "not learned",
        "v_diverged": "diverged",
        "v_skipped": "skipped",
        "v_ruled_out": "ruled out by theory",
        "v_too_slow": "too slow to judge",
        "question": "question",
        "question_at": "at {length}",
        "at_chance": "(at chance)",
        "table_note": "A hop is one lookup. \"Hop h\" is accuracy on the links that need h lookups; \"question\" on the {hops}-lookup question "
        "the verdict is read on; both the weakest seed's, on {questions} fresh examples per seed at the {length} tokens the probes "
        "trained at, examples that neither training nor the stop rule saw.{full} The lower bound is the weakest seed's Wilson 95% "
        "lower bound on the question, one question per example: the figure checked against the target. MACs are multiply-accumulates "
        "per request (1 MAC = 2 FLOPs), counted by fvcore, causal attention in full.",
        "table_note_full": " \"At {length}\" is the same probes on fresh examples at the task's {length} tokens, a length they did not train at.",
        "chance": "Chance level: of guessers that ignore the chain ({names}), {best} does best, answering {query} of the questions at "
        "{length} tokens{full}; on the links by hop: {levels}. A depth that scores no better is marked \"at chance\".",
        "chance_full": " and {query} at {length}",
        "h_most_recent_ground_value": "the most recent ground value",
        "h_first_ground_value": "the first ground value",
        "h_random_ground_value": "a random ground value in sight",
        "h_current_symbol": "the current symbol",
        "h_always_null": "always \"none\"",
        "h_most_frequent_symbol": "the most frequent symbol so far",
        "h_random_symbol": "a random symbol",
        "why": "Why",
        "fit_line": "Latency grows by about {slope:.2f} ms per layer (p{percentile}, line fit over the measured depths); the deepest "
        "model within the budget is about **{layers_text}** (an estimate where it lies outside the measured depths).",
        "frontier": "Cost and accuracy",
        "frontier_note": "Each depth as an option: its accuracy (weakest seed, on the question), its p{percentile} latency and "
        "its cost per million requests. An option is dominated when another is at least as accurate and at least as fast.",
        "accuracy": "accuracy",
        "cost_1m": "cost / 1M requests ({currency})",
        "cost_day": "cost / day ({currency})",
        "option": "option",
        "dominated_by": "dominated by depth {depth}",
        "on_frontier": "on the frontier",
        "not_trained": "not trained",
        "alternatives": "What else could work",
        "risks": "Risks",
        "curves": "Learning curves",
        "curves_note": "Accuracy on the {hops}-lookup question on the stop rule's check set (weakest seed) while training; a flat curve that ends below the "
        "target is a budget-limited failure, not proof that the depth cannot learn the task.",
        "no_checkpoints": "no checkpoints",
        "step": "step {step}",
        "questions": "Questions for the meeting",
        "theory": "Theory",
        "lower_line": "lower bound: {lower_text} for {hops_text}, {formula} ({source}); it holds for the retrieval "
        "problem as Musat (2024) states it, and is not a guarantee for other tasks",
        "upper_line": "constructive upper bound: {upper_text}, {formula} ({source}); an explicit construction exists at "
        "this depth, training may or may not find it",
        "method": "Method and caveats",
        "probe_line": "probes: {family}, {seeds_text} per depth, width {width}, {heads} heads, {kind}, batch {batch}, "
        "learning rate {lr:g}, up to {steps} steps or {seconds:g} s per depth; implicit curriculum {curriculum}",
        "attention_only": "attention-only",
        "with_mlps": "with MLPs",
        "on": "on",
        "off": "off",
        "probe_length": "probes trained at {length} tokens{how}",
        "length_auto": " (auto: the longest whose {steps} steps fit {share:.0%} of the {budget:g} s time budget here; one step of depth {depth} took {measured})",
        "length_explicit": " (probe.sequence_length, as written)",
        "judging_line": "stop rule: every {every} steps on {check} held-out questions per seed (the check set); verdict: once training has "
        "stopped, on {verdict} fresh questions per seed at {length} tokens{full}, from a part of example space that neither training "
        "nor the check set draws from; chance: the best of the guessers that ignore the chain, on the same examples",
        "judging_full": " and {questions} at the task's {length} tokens",
        "env_line": "costs measured on {device} ({name}), {threads} threads, {dtype}, torch {torch}, fvcore {fvcore}; latency of {what} with random weights",
        "steadiness_line": "repeatability: every depth was timed in two passes over the depths; the passes' p50 differed by at most "
        "{drift} (depth {depth}; {verdict})",
        "steady": "within 5%: steady",
        "unsteady": "over 5%: not steady",
        "unsteady_warning": "Warning: the machine changed speed while latency was measured (busy or shared): two timings of the same "
        "depth differed by {drift}, so latency figures may be off by as much. Measure again on an idle machine before relying on them.",
        "eager": "eager forward passes",
        "eager_cuda": "eager forward passes, the clock read after CUDA synchronisation",
        "graph": "forward passes captured as a CUDA graph and replayed (cuda-graph mode)",
        "served": "the served model (fused attention, the output head at the answer position only): {how}, timed in {rounds} rounds over the depths in shuffled order",
        "batching": "Batching",
        "batching_note": "Latency and throughput of the served model at depth {depth} against batch size, from 1 to the requested {batch} and beyond while doubling still bought 10% more throughput.",
        "batch": "batch",
        "ci": "p{percentile} 95% interval",
        "counters": "FLOP counts: fvcore on the explicit-attention twin of the served model; cross-checked against torch.utils.flop_counter on the served model and against the formula: {agreement}.",
        "counters_agree": "all three agree within 1%",
        "appendix": "Appendix: raw numbers",
        "seed": "seed",
        "steps": "steps",
        "train_s": "train s",
        "stop": "stop",
        "accuracy_by_hop": "links by hop (fresh)",
        "query": "question (fresh)",
        "query_check": "question (check, at stop)",
        "cached": "(cached)",
        "training_compute": "Training compute per depth, all seeds: {parts} (a training step counted as 3 forward passes).",
        "runs": "runs",
        "spread": "spread",
        "throughput": "throughput req/s",
        "params_bytes": "params bytes",
        "peak_bytes": "peak bytes",
        "noisy": "(noisy)",
        "estimate": "(estimate)",
        "measured": "(measured)",
        "peak_note": "Peak bytes: on a GPU, the most the CUDA allocator held during one request, weights, library workspace "
        "and activations together; on the CPU an estimate (weights and the largest activations).",
        "noisy_warning": "Warning: some latency figures are noisy (interquartile range above 10% of the median); rerun on an idle machine before relying on them.",
        "macs_by_part": "MACs per request by part:",
        "embeddings": "embeddings",
        "attention projections": "attention projections",
        "attention scores": "attention scores",
        "mlp": "MLP",
        "output head": "output head",
        "footer": "Generated by feasibility {version} on {created}; the resolved task file is in report.json.",
        "table_title": "{hops}-hop {kind} (a hop is a lookup), target {target}, budget p{percentile} <= {budget:g} ms",
        "else": "What else could work:",
        "written": "Written: {files}",
        "chained_retrieval": "chained retrieval",
        "khop_induction": "k-hop induction",
    },
    "ja": {
        "title": "実現可能性評価: {name}",
        "decision": "結論。",
        "task": "対象タスク",
        "task_line": "{length} トークン上の {hops} ホップ{kind}",
        "target_line": "目標: 評価用データでの正解率 {accuracy}、バッチ {batch} で p{percentile} レイテンシ {budget:g} ms 以内",
        "deployment_line": "デプロイ構成: 幅 {width}、ヘッド {heads}、語彙 {vocab}、{dtype}、{device} 上",
        "depths": "層数ごとの結果",
        "inside": "プローブの内部",
        "inside_intro": "{depth} 層、シード {seed}、評価用データでの測定。ヘッドのチェーンスコアは、注意のうち検索チェーンに沿った部分"
        "（リンクから、それが依存するリンクへ。対応する変数の直後の位置）の割合、直前トークンスコアは直前の位置に向かう割合である。"
        "強い方のスコアが初めて {threshold:.0%} に達した時点を、そのヘッドの出現とする。スコアは {every} ステップごとに評価用データ {examples} 例で測った。",
        "head": "ヘッド",
        "kind": "種類",
        "emerges": "出現ステップ",
        "final_score": "最終スコア",
        "never": "出現せず",
        "k_chain": "チェーン",
        "k_previous": "直前トークン",
        "hops_learned": "各ホップ数を学習した時点（目標 {target} に初めて達したチェックポイント）: {parts}。",
        "hop_at": "{hop} ホップは {step} ステップ",
        "hop_never": "{hop} ホップは期間内に未達",
        "in_order": "ホップ数は 1 ホップから順に一つずつ学習された。暗黙のカリキュラムから予想されるとおりである。",
        "not_in_order": "このプローブでは、ホップ数が順番どおりには学習されなかった: {parts}。",
        "not_all": "この訓練ではすべてのホップ数が学習されたわけではないため、順序は一部しか確認できない。",
        "heads_order": "ヘッドの出現順: {parts}。",
        "no_heads": "この訓練では、しきい値に達したヘッドはなかった。",
        "no_inside": "この結果にはヘッドのスコアも注意マップも含まれていない（古いバージョンで保存されたもの）。`feasibility assess` を再実行すること。",
        "curriculum": "暗黙のカリキュラム: ありとなし",
        "curriculum_note": "同じプローブを 2 通りに訓練した。参照を要するすべてのリンクを教師信号として参照回数を付けた場合（あり）と、質問だけを教師信号とした場合（なし）。正解率は、新しい評価用データでの質問に対する最も悪いシードの値。",
        "cur_on": "あり",
        "cur_off": "なし",
        "depth": "層数",
        "depth_n": "{depth} 層",
        "sep": "、",
        "vs_bound": "理論下限",
        "hop": "{hop} ホップ",
        "lower_bound": "信頼下限",
        "verdict": "判定",
        "params": "パラメータ",
        "fits": "予算内",
        "yes": "はい",
        "no": "いいえ",
        "below": "下限未満",
        "within": "範囲内",
        "above": "上限超",
        "v_below_bound": "下限未満",
        "v_learned": "学習済み",
        "v_learned_at": "{length} トークンで学習済み",
        "v_learned_only_at": "{length} トークンでのみ学習",
        "v_not_learned": "未学習",
        "v_diverged": "発散",
        "v_skipped": "省略",
        "v_ruled_out": "理論で除外",
        "v_too_slow": "遅すぎて判定不能",
        "question": "質問",
        "question_at": "{length} で",
        "at_chance": "（当て推量並み）",
        "table_note_full": "「{length} で」は、同じプローブを訓練していないタスク本来の {length} トークンの新しいデータで評価した値。",
        "chance_full": "（{length} トークンでは {query}）",
        "h_most_recent_ground_value": "直近の基底値",
        "h_first_ground_value": "最初の基底値",
        "h_random_ground_value": "見えている基底値からの無作為な選択",
        "h_current_symbol": "現在の記号",
        "h_always_null": "常に「なし」",
        "h_most_frequent_symbol": "それまでの最頻記号",
        "h_random_symbol": "無作為な記号",
        "table_note": "1 ホップは 1 回の参照である。「h ホップ」は h 回の参照を要するリンクに対する正解率、「質問」は判定に使う {hops} 回参照の質問に対する正解率で、"
        "いずれも最も悪いシードの値。プローブを訓練した {length} トークンで、訓練にも停止判定にも使っていない新しいデータ（シードごとに {questions} 例）で測った。{full}"
        "信頼下限は、1 例につき 1 問として、最も悪いシードの質問正解率の Wilson 95% 信頼区間の下限で、目標と比較するのはこの値である。"
        "MACs は 1 リクエストあたりの積和演算数（1 MAC = 2 FLOPs）で、fvcore で数え、因果的アテンションは全体を計上している。",
        "chance": "チャンスレベル: チェーンを無視する推測（{names}）のうち最もよいのは{best}で、{length} トークンで質問の {query}{full}に正答する。"
        "リンクではホップ別に {levels}。これを上回らない層数は「当て推量並み」と記す。",
        "why": "根拠",
        "fit_line": "レイテンシは 1 層あたり約 {slope:.2f} ms 増える（p{percentile}、測定した層数への直線当てはめ）。予算内に収まる最も深いモデルは"
        "約 **{layers} 層** である（測定範囲外は推定値）。",
        "frontier": "コストと精度",
        "frontier_note": "各層数を一つの選択肢として、正解率（最も悪いシード、質問に対する値）、p{percentile} レイテンシ、100 万リクエストあたりの"
        "コストを並べた。正解率が同等以上で、かつ速さも同等以上の選択肢がある場合、その選択肢は劣位とする。",
        "accuracy": "正解率",
        "cost_1m": "100 万リクエストあたりのコスト（{currency}）",
        "cost_day": "1 日あたりのコスト（{currency}）",
        "option": "位置づけ",
        "dominated_by": "{depth} 層に劣る",
        "on_frontier": "劣位なし",
        "not_trained": "未訓練",
        "alternatives": "ほかに取りうる手",
        "risks": "リスク",
        "curves": "学習曲線",
        "curves_note": "訓練中の、停止判定用データ（チェック用データ）での {hops} 回参照の質問に対する正解率（最も悪いシード）。目標に届かないまま平坦に終わった曲線は"
        "予算切れによる失敗であり、その層数で学習できないことの証明ではない。",
        "no_checkpoints": "チェックポイントなし",
        "step": "{step} ステップ",
        "questions": "会議で決めるべきこと",
        "theory": "理論",
        "lower_line": "下限: {hops} ホップには {lower} 層以上が必要、{formula}（{source}）。Musat (2024) の定める検索問題についての結果であり、"
        "ほかのタスクを保証するものではない",
        "upper_line": "構成的な上限: {upper} 層、{formula}（{source}）。この層数で解ける明示的な構成が存在するが、訓練でそれが見つかるとは限らない",
        "method": "方法と注意点",
        "probe_line": "プローブ: {family}、層数ごとに {seeds} シード、幅 {width}、ヘッド {heads}、{kind}、バッチ {batch}、学習率 {lr:g}、"
        "層数ごとに最大 {steps} ステップまたは {seconds:g} 秒、暗黙のカリキュラム{curriculum}",
        "attention_only": "アテンションのみ",
        "with_mlps": "MLP あり",
        "on": "あり",
        "off": "なし",
        "probe_length": "プローブの訓練系列長: {length} トークン{how}",
        "length_auto": "（auto: {steps} ステップがこのマシンで時間予算 {budget:g} 秒の {share:.0%} に収まる最長の長さ。{depth} 層の 1 ステップの実測: {measured}）",
        "length_explicit": "（probe.sequence_length の指定どおり）",
        "judging_line": "停止判定: {every} ステップごとに、シードあたり {check} 問の評価用質問（チェック用データ）で判定。判定: 訓練停止後に、訓練にもチェック用データにも"
        "使わない部分から取った新しい質問（シードあたり {verdict} 問、{length} トークン{full}）で判定。チャンスレベル: 同じデータでチェーンを無視する推測のうち最もよいもの",
        "judging_full": "、およびタスク本来の {length} トークンで {questions} 問",
        "env_line": "コストの測定環境: {device}（{name}）、{threads} スレッド、{dtype}、torch {torch}、fvcore {fvcore}。レイテンシは乱数重みでの{what}を計測",
        "steadiness_line": "再現性: 各層数を、層数を一巡する測定 2 回で計測した。2 回の p50 の差は最大 {drift}（{depth} 層、{verdict}）",
        "steady": "5% 以内: 安定",
        "unsteady": "5% 超: 不安定",
        "unsteady_warning": "注意: レイテンシ測定中にマシンの速度が変わった（混雑または共有）。同じ層数の 2 回の計測が {drift} 違ったため、"
        "レイテンシの値はその程度ずれうる。判断に使う前に、負荷のないマシンで測り直すこと。",
        "eager": "eager モードの順伝播",
        "eager_cuda": "eager モードの順伝播（CUDA 同期後に時刻を読む）",
        "graph": "CUDA グラフとして記録した順伝播の再生（cuda-graph モード）",
        "served": "配備形のモデル（融合アテンション、出力ヘッドは回答位置のみ）の{how}（深さの順を入れ替えながら {rounds} ラウンド）",
        "batching": "バッチ処理",
        "batching_note": "深さ {depth} の配備形モデルのレイテンシとスループットをバッチサイズごとに示す（1 から指定の {batch} まで、さらに倍にしてスループットが 10% 以上伸びる間）。",
        "batch": "バッチ",
        "ci": "p{percentile} の 95% 信頼区間",
        "counters": "FLOP 数: 配備形モデルの明示アテンション版を fvcore で数え、配備形モデルでの torch.utils.flop_counter と式の値で照合: {agreement}。",
        "counters_agree": "3 つとも 1% 以内で一致",
        "appendix": "付録: 生の数値",
        "seed": "シード",
        "steps": "ステップ",
        "train_s": "訓練秒数",
        "stop": "停止理由",
        "accuracy_by_hop": "ホップ別リンク正解率（新データ）",
        "query": "質問（新データ）",
        "query_check": "質問（停止時のチェック）",
        "cached": "（キャッシュ）",
        "training_compute": "層数ごとの訓練計算量（全シード合計）: {parts}（1 訓練ステップを順伝播 3 回分として計上）。",
        "runs": "回数",
        "spread": "ばらつき",
        "throughput": "スループット req/s",
        "params_bytes": "パラメータのバイト数",
        "peak_bytes": "ピークのバイト数",
        "noisy": "（不安定）",
        "estimate": "（推定）",
        "measured": "（実測）",
        "peak_note": "ピークのバイト数: GPU では 1 リクエスト中に CUDA アロケータが確保した最大量（重み、ライブラリの作業領域、活性化の合計）。"
        "CPU では推定値（重みと最大の活性化）。",
        "noisy_warning": "注意: 一部のレイテンシはばらつきが大きい（四分位範囲が中央値の 10% を超える）。判断に使う前に、負荷のないマシンで測り直すこと。",
        "macs_by_part": "部位別の 1 リクエストあたり MACs:",
        "embeddings": "埋め込み",
        "attention projections": "アテンション射影",
        "attention scores": "アテンションスコア",
        "mlp": "MLP",
        "output head": "出力層",
        "footer": "feasibility {version} により {created} に生成。解決済みのタスク定義は report.json にある。",
        "table_title": "{hops} ホップ{kind}（1 ホップ = 1 回の参照）、目標 {target}、予算 p{percentile} <= {budget:g} ms",
        "else": "ほかに取りうる手:",
        "written": "出力ファイル: {files}",
        "chained_retrieval": "の連鎖検索",
        "khop_induction": "の k ホップ帰納",
    },
}


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


def counted(lang: str, **counts: int) -> dict[str, str]:
    """{name}_text for each count, with its noun in the right number: counted("en", lower=1) -> {"lower_text": "1 layer"}
    (names: lower, upper, layers -> layers; hops; seeds)."""
    nouns = {"lower": _layers, "upper": _layers, "layers": _layers, "hops": _hops, "seeds": _seeds}
    return {f"{name}_text": nouns[name](value, lang) for name, value in counts.items()}


def _where(rec: dict, lang: str) -> str:
    """At which length the verdict holds: the task's, both, or only the shorter one the probes trained at."""
    trained, task, accuracy = rec.get("probe_length"), rec.get("full_length"), rec.get("full_length_accuracy")
    if trained is None:
        return ""
    if task is None:
        return f"（{trained} トークン）" if lang == "ja" else f" at {trained} tokens"
    if rec.get("holds_at_full_length"):
        return f"（訓練した {trained} トークンでも、タスク本来の {task} トークンでも）" if lang == "ja" else f" at {trained} tokens and at the task's {task}"
    if lang == "ja":
        return f"（訓練した {trained} トークンで。タスク本来の {task} トークンでは {_pct(accuracy)}）"
    return f" at the {trained} tokens they trained on (at the task's {task} tokens: {_pct(accuracy)})"


def headline(rec: dict, lang: str) -> str:
    """The decision at the top of every report: one sentence, led by the join where the records are structured."""
    model = _model_headline(rec, lang)
    join = rec.get("join")
    if not join:
        return model
    per_request = f"{join['p50_ms'] * 1000:.1f} µs"
    price = join.get("cost_per_million_requests")
    if lang == "ja":
        cost = f"、100 万件あたり {money_amount(price)} {rec.get('currency', 'USD')}" if price is not None else ""
        return (
            f"結合で足り、モデルは要らない: 記録は構造化されているので、{rec['hops']} 回の索引参照で正確に答えられる"
            f"（ここで 1 件あたり {per_request}{cost}）。モデルにテキストとして読ませる場合: {model}"
        )
    cost = f", {money_amount(price)} {rec.get('currency', 'USD')} per million requests" if price is not None else ""
    return (
        f"A join does this, no model needed: the records are structured, so {rec['hops']} indexed "
        f"{'lookup answers' if rec['hops'] == 1 else 'lookups answer'} the question exactly ({per_request} a request here{cost}). "
        f"If a model must read them as text: {model[0].lower()}{model[1:]}"
    )


def _model_headline(rec: dict, lang: str) -> str:
    """The one-sentence decision on the model."""
    label_p = f"p{rec['percentile']}"
    hops, target, budget = rec["hops"], rec["target"], rec["budget_ms"]
    where = _where(rec, lang)
    if rec["decision"] == "recommended":
        depth, latency = rec["depth"], rec["latency_ms"]
        if lang == "ja":
            single = "1 ホップなので多段の検索は不要で、" if rec["single_hop"] else ""
            return (
                f"{single}{depth} 層を推奨する。プローブは {hops} 回の参照を要する質問に {_share(target)} 以上で正答し{where}、"
                f"{label_p} レイテンシ {milliseconds(latency)} は予算 {budget:g} ms に収まる。"
            )
        single = "One hop needs no multi-step retrieval: use" if rec["single_hop"] else "Use"
        return (
            f"{single} {_layers(depth, lang)}: the probes answered the {hops}-lookup question at {_share(target)} or better{where}, "
            f"and {label_p} latency {milliseconds(latency)} fits the {budget:g} ms budget."
        )
    if rec["decision"] == "not_shown_at_length":
        return _not_shown_headline(rec, lang)
    if rec["decision"] == "too_close_to_call":
        depth, latency = rec["depth"], rec["latency_ms"]
        low, high = rec["latency_ci95_ms"]
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
    if rec["decision"] == "none_within_budget":
        depth, latency = rec["learned_depth"], rec["latency_ms"]
        if lang == "ja":
            single = "1 ホップなので多段の検索は不要で、インデックスでの参照でも足りる。" if rec["single_hop"] else ""
            return (
                f"予算内では実現できない。{single}{depth} 層で {hops} 回参照の質問に答えられる{where}が、その {label_p} レイテンシ "
                f"{milliseconds(latency)} は予算 {budget:g} ms を超える。"
            )
        single = " one hop needs no multi-step retrieval, and an index lookup would do;" if rec["single_hop"] else ""
        verb, their = ("answers", "its") if depth == 1 else ("answer", "their")
        return (
            f"Not within budget:{single} {_layers(depth, lang)} {verb} the {hops}-lookup question{where}, but {their} {label_p} latency "
            f"{milliseconds(latency)} exceeds the {budget:g} ms budget."
        )
    both = rec["binding_constraint"] == "both"
    slow = rec.get("too_slow_depths") or []
    if lang == "ja":
        tail = f"また、どの層数も予算 {budget:g} ms に収まらない。" if both else ""
        cut = f"{_listed(slow, lang)} 層は時間の上限で訓練が打ち切られ、このマシンでは遅すぎて判定できなかった。" if slow else ""
        return f"訓練予算の範囲では、どの層数のプローブも {hops} 回参照の質問で {_share(target)} に達しなかった。{cut}{tail}"
    cut = f"; the time cap cut training short at depth {_listed(slow, lang)}, so this machine was too slow to judge {'it' if len(slow) == 1 else 'them'}" if slow else ""
    tail = f", and no probed depth fits the {budget:g} ms budget either." if both else "."
    return f"No probed depth answered the {hops}-lookup question at {_share(target)} within the training budget{cut}{tail}"


def _not_shown_headline(rec: dict, lang: str) -> str:
    """"At least N layers": learned at the probes' length, not yet shown at the task's, and the run that settles it."""
    depth, hops, target = rec["learned_depth"], rec["hops"], rec["target"]
    trained, task, accuracy, low = rec["probe_length"], rec["full_length"], rec["full_length_accuracy"], rec.get("full_length_lower_bound")
    run = rec.get("settling_run")
    bound = f"（信頼下限 {_pct(low)}）" if lang == "ja" and low is not None else (f" (lower bound {_pct(low)})" if low is not None else "")
    if lang == "ja":
        settle = f"{task} トークンで訓練すれば決まる（{_settling_cost(run, lang)}）。" if run else f"{task} トークンで訓練すれば決まる。"
        return (
            f"少なくとも {depth} 層が要る。ただし {task} トークンではまだ示せていない: プローブは訓練した {trained} トークンでは "
            f"{hops} 回参照の質問に {_share(target)} 以上で正答したが、タスク本来の {task} トークンでは最も悪いシードが {_pct(accuracy)}{bound}で、"
            f"目標 {_share(target)} を示せていない。まだ結論ではない。{settle}"
        )
    settle = f"Training at {task} tokens settles it ({_settling_cost(run, lang)})." if run else f"Training at {task} tokens settles it."
    return (
        f"At least {_layers(depth, lang)}, not yet shown at {task} tokens: the probes answered the {hops}-lookup question at {_share(target)} "
        f"or better at the {trained} tokens they trained on, but at the task's {task} tokens the weakest seed answers {_pct(accuracy)}{bound}, "
        f"which does not show the {_share(target)} target. This is not yet a decision. {settle}"
    )


def _settling_cost(run: dict, lang: str) -> str:
    """The settling run's size and estimated time here and on a GPU."""
    if lang == "ja":
        return (f"{run['depth']} 層、{run['steps']:,} ステップ。このマシンで約 {_duration(run['seconds_here'], lang)}、"
                f"{run['gpu']} GPU で約 {_duration(run['seconds_gpu'], lang)}と推定")
    return (f"{_layers(run['depth'], lang)}, {run['steps']:,} steps: about {_duration(run['seconds_here'], lang)} on this machine and "
            f"about {_duration(run['seconds_gpu'], lang)} on an {run['gpu']} GPU, both estimated")


def _duration(seconds: float, lang: str) -> str:
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
            "plateau": f"{plateau_since_step} ステップ以降、評価損失が横ばい",
            "time budget": "時間予算を使い切った",
            "step cap": "ステップ上限に達した",
            "target met": "目標に到達",
            "diverged": "発散",
            "at chance": "ステップ予算の半分まで全シードが当て推量並みで、評価損失も横ばい",
        }.get(reason, str(reason))
    return {
        "plateau": f"held-out loss flat since step {plateau_since_step}",
        "time budget": "the time budget ran out",
        "step cap": "the step cap was reached",
        "target met": "the target was met",
        "diverged": "training diverged",
        "at chance": "every seed at chance for half the step budget, its held-out loss flat",
    }.get(reason, str(reason))


def _heuristic(name: str | None, lang: str) -> str:
    return label(f"h_{name}", lang) if name else "-"


def _judged(item: dict, lang: str) -> str:
    """The question's figures behind a verdict: weakest seed, the length, the full length, and chance."""
    ja = lang == "ja"
    parts = []
    if item.get("accuracy") is not None:
        if ja:
            parts.append(f"最も悪いシードの質問正解率 {_pct(item['accuracy'])}（{item.get('length')} トークン、新しいデータでシードあたり {_count(item.get('questions'))} 問、信頼下限 {_pct(item.get('lower_bound'))}）")
        else:
            parts.append(f"weakest seed {_pct(item['accuracy'])} on the question ({_count(item.get('questions'))} fresh questions per seed at {item.get('length')} tokens, lower bound {_pct(item.get('lower_bound'))})")
    if item.get("full_length") is not None:
        if ja:
            parts.append(f"タスク本来の {item['full_length']} トークンでは {_pct(item.get('full_length_accuracy'))}（その長さでは訓練していない）")
        else:
            parts.append(f"at the task's {item['full_length']} tokens {_pct(item.get('full_length_accuracy'))} (not trained at that length)")
    if item.get("at_chance"):
        if ja:
            parts.append(f"チェーンを無視した推測（{_heuristic(item.get('chance_heuristic'), lang)}、{_pct(item.get('chance'))}）を上回らない: 何もしていないのと同じ")
        else:
            parts.append(f"no better than guessing {_heuristic(item.get('chance_heuristic'), lang)} ({_pct(item.get('chance'))}): it does nothing")
    return ("。".join(parts) + "。") if ja and parts else ("; ".join(parts))


def evidence(item: dict, target: float, lang: str) -> str:
    """One depth's verdict in plain words, with the figures it rests on."""
    depth, verdict = item["depth"], item["verdict"]
    seeds = f"{item['seeds_learned']}/{item['seeds']}"
    ja = lang == "ja"
    if verdict == "skipped":
        first = item.get("first_learned")
        if ja:
            return f"{depth} 層: 省略。{first} 層ですでに学習できており、深くしてもコストが増えるだけなので訓練していない。"
        return f"depth {depth}: skipped: not trained, because depth {first} already learned and a deeper model only adds cost"
    if verdict == "ruled_out":
        if ja:
            return (f"{depth} 層: 理論で除外。{item.get('hops')} 回の参照には理論上 {item.get('floor')} 層以上が必要（t ≥ log₃(2D)）なので、"
                    "コストだけを測り、訓練はしていない。訓練するには probe.depths に層数を列挙すること。")
        return (f"depth {depth}: ruled out by theory: {item.get('hops')} lookups need at least {item.get('floor')} layers (t >= log_3(2D)), "
                "so it was costed but not trained; list it in probe.depths to train it anyway")
    if verdict == "diverged":
        if ja:
            return f"{depth} 層: 発散。{_count(item['steps'])} ステップ後、すべてのシードで訓練が発散した。学習率を下げること。"
        return f"depth {depth}: diverged: training diverged in every seed after {_count(item['steps'])} steps; lower the learning rate"
    figures = _judged(item, lang)
    if verdict == "learned":
        note = ""
        if item.get("contradicts_bound"):
            note = ("理論下限未満の層数で目標に達しており、理論の前提と矛盾する。プローブに近道がないか確認すること。" if ja
                    else "; below the theoretical floor, which contradicts the bound's assumption: check the probe for a shortcut")
        if ja:
            return f"{depth} 層: 学習できた。全シードが新しいデータで目標 {_pct(target)} に到達した。{figures}{note}"
        return f"depth {depth}: learned: every seed met the {_pct(target)} target on fresh examples; {figures}{note}"
    if verdict == "below_bound":
        if item.get("contradicts_bound"):
            if ja:
                return (f"{depth} 層: 理論下限未満だが、{seeds} のシードが目標に達した。理論の前提と矛盾するため、プローブに近道がないか確認すること。{figures}")
            return (f"depth {depth}: below bound, yet {seeds} seeds met the target, which contradicts the bound's assumption: check the "
                    f"probe for a shortcut; {figures}")
        if ja:
            return f"{depth} 層: 理論下限未満。理論上この層数では解けず、プローブの結果も一致した（目標に達したシード {seeds}）。{figures}"
        return f"depth {depth}: below bound: theory rules this depth out, and the probe agrees ({seeds} seeds met the target); {figures}"
    if verdict == "too_slow":
        if ja:
            return (f"{depth} 層: 遅すぎて判定不能。時間の上限（{item.get('time_budget_s', 0):g} 秒）で {_count(item['steps'])} ステップ時点で訓練が打ち切られ、"
                    f"このマシンでは判定できなかった。{figures}probe.time_budget_s を増やすか、より速いマシンで実行すること。")
        return (f"depth {depth}: too slow to judge: the time cap stopped training after {_count(item['steps'])} steps, before the step budget, "
                f"so this machine was too slow to judge the depth; {figures}; raise probe.time_budget_s or run on a faster machine")
    if ja:
        return (
            f"{depth} 層: 予算内で未学習。{_count(item['steps'])} ステップで目標に達したシードは {seeds}（{stop_reason(item.get('stop_reason'), item.get('plateau_since_step'), lang)}）。{figures}"
            "この層数では不可能、ということを示すものではない。"
        )
    return (
        f"depth {depth}: not learned within budget: {seeds} seeds met the target after {_count(item['steps'])} steps "
        f"({stop_reason(item.get('stop_reason'), item.get('plateau_since_step'), lang)}); {figures}; this does not show the depth cannot do it"
    )


def money_amount(value: float) -> str:
    """An amount of money with as many digits as it needs: 1,234 / 12.35 / 0.0085."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.2g}"


def cost_line(rec: dict, deployment: dict, lang: str) -> str | None:
    """What the recommended (or needed) depth costs to serve, in the task file's currency; None without a price."""
    depth = rec["depth"] or rec["learned_depth"]
    point = next((p for p in rec["frontier"] if p["depth"] == depth), None)
    if point is None or point.get("cost_per_million_requests") is None:
        return None
    currency, price = deployment.get("currency", "USD"), deployment["cost_per_device_hour"]
    per_million, per_day = money_amount(point["cost_per_million_requests"]), point.get("cost_per_day")
    if lang == "ja":
        daily = f"、1 日 {deployment['requests_per_day']:,} リクエストで 1 日 {money_amount(per_day)} {currency}" if per_day is not None else ""
        return f"コスト: {depth} 層で 100 万リクエストあたり {per_million} {currency}（p50 のスループット、1 デバイス時間 {price:g} {currency}）{daily}。"
    daily = f"; {deployment['requests_per_day']:,} requests a day cost {money_amount(per_day)} {currency} a day" if per_day is not None else ""
    return f"cost: {_layers(depth, lang)} serve a million requests for {per_million} {currency} at p50 throughput ({price:g} {currency} per device-hour){daily}"


def margin(rec: dict, lang: str) -> str | None:
    """The latency margin of the recommended (or needed) depth, in words, with its 95% interval where the timing
    rounds give one; None when there is none to state."""
    if rec["latency_margin_ms"] is None:
        return None
    depth = rec["depth"] or rec["learned_depth"]
    p, budget, left = f"p{rec['percentile']}", rec["budget_ms"], rec["latency_margin_ms"]
    interval = rec.get("latency_ci95_ms")
    if lang == "ja":
        among = f"（95% 信頼区間 {milliseconds(interval[0])}〜{milliseconds(interval[1])}）" if interval else " "
        if left >= 0:
            return f"{depth} 層の {p} レイテンシ {milliseconds(rec['latency_ms'])}{among}は、予算 {budget:g} ms に対して {milliseconds(left)}（{left / budget:.0%}）の余裕がある。"
        return f"{depth} 層の {p} レイテンシ {milliseconds(rec['latency_ms'])}{among}は、予算 {budget:g} ms を {milliseconds(-left)} 超える。"
    among = f" (95% interval {milliseconds(interval[0])} to {milliseconds(interval[1])})" if interval else ""
    takes = "takes" if depth == 1 else "take"
    if left >= 0:
        return f"latency margin: {_layers(depth, lang)} {takes} {milliseconds(rec['latency_ms'])} at {p}{among}, leaving {milliseconds(left)} ({left / budget:.0%}) of the {budget:g} ms budget"
    return f"latency: {_layers(depth, lang)} {takes} {milliseconds(rec['latency_ms'])} at {p}{among}, {milliseconds(-left)} over the {budget:g} ms budget"


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


def alternative(option: dict, rec: dict, lang: str) -> str:
    """One alternative, with its figures."""
    kind, p = option["kind"], f"p{rec['percentile']}"
    ja = lang == "ja"
    if kind == "deepest_within_budget":
        layers, needed = option["layers"], option.get("needed")
        if layers < 1:
            return ("この幅と系列長では 1 層でも予算を超える見込み（直線当てはめによる推定）。" if ja
                    else "even one layer is estimated to exceed the budget at this width and length (line fit)")
        gap = ""
        if needed is not None and layers < needed:
            gap = f"。ただし学習に必要な {needed} 層には足りない" if ja else f", short of the {needed} the task needs"
        if ja:
            return f"予算内で最も深いモデルは約 {layers} 層（{p} レイテンシの層数への直線当てはめによる推定）{gap}。"
        return f"the deepest model within budget is about {_layers(layers, lang)} (estimate from a line fit of {p} latency against depth){gap}"
    if kind == "narrower":
        if ja:
            return (
                f"{option['depth']} 層のまま幅を {option['from_width']} から {option['width']} に狭める: レイテンシは MACs に比例するとして約 "
                f"{milliseconds(option['latency_ms'])}（推定。その幅で再評価すること。狭いモデルは精度が落ちうる）。"
            )
        return (
            f"a narrower model at {_layers(option['depth'], lang)}: width {option['width']} instead of {option['from_width']} is "
            f"estimated at {milliseconds(option['latency_ms'])}, scaling latency by MACs (estimate; re-run with that width, a narrower model may lose accuracy)"
        )
    if kind == "wider_fewer_layers":
        if ja:
            return (
                f"層を減らして幅を広げる: 理論上の最小である {option['depth']} 層、幅 {option['width']} で約 {milliseconds(option['latency_ms'])}"
                f"（MACs 比による推定、{'予算内' if option['latency_ms'] <= rec['budget_ms'] else '予算超過'}）。"
                f"ただし {option['depth']} 層のプローブは予算内で学習できなかったため、より長い訓練での確認が必要。"
            )
        return (
            f"a wider model at fewer layers: {_layers(option['depth'], lang)} (the theoretical minimum) at width {option['width']} is estimated at "
            f"{milliseconds(option['latency_ms'])} (scaled by MACs), {'within' if option['latency_ms'] <= rec['budget_ms'] else 'over'} budget; "
            "the probes at that depth did not learn within budget, so it needs a longer training run to confirm"
        )
    if kind == "split_passes":
        verdict = ("予算内" if option["fits"] else "予算超過") if ja else ("within" if option["fits"] else "over")
        if ja:
            return (
                f"検索を複数回に分ける: {option['hops_per_pass']} ホップを解ける {option['depth']} 層モデルを {option['passes']} 回続けて呼ぶ"
                f"（前の出力を次のクエリにする）。合計 {p} は約 {option['passes']} × {milliseconds(option['latency_ms'] / option['passes'])} = "
                f"{milliseconds(option['latency_ms'])}（{verdict}）。"
            )
        return (
            f"split the lookup into {option['passes']} passes of the {option['depth']}-layer model, which resolves {_hops(option['hops_per_pass'], lang)} "
            f"(each pass's answer becomes the next pass's query): about {option['passes']} x {milliseconds(option['latency_ms'] / option['passes'])} = "
            f"{milliseconds(option['latency_ms'])} at {p}, {verdict} budget"
        )
    if kind == "fewer_hops":
        cost = ""
        if option.get("latency_ms") is not None:
            cost = (f"。1 層モデルなら {p} は {milliseconds(option['latency_ms'])}" if ja else f"; a one-layer model then takes {milliseconds(option['latency_ms'])} at {p}")
        if ja:
            return f"モデルが辿るホップを減らす: 上流でインデックスや事前結合を用意すれば {option['hops']} ホップが 1 ホップになる{cost}。"
        return f"reduce the hops the model must make: an index or a pre-join upstream turns {option['hops']} hops into 1{cost}"
    if kind == "more_time":
        if ja:
            return (f"時間の上限を上げる: 訓練は時間予算 {option['time_budget_s']:g} 秒で {option['steps']} ステップ時点で止まり、ステップ予算 "
                    f"{option['max_steps']} に届かなかった。probe.time_budget_s を増やすか、より速いマシン（GPU）で実行する。")
        return (f"give training the time it needs: the {option['time_budget_s']:g} s time cap stopped it at {option['steps']} of "
                f"{option['max_steps']} steps; raise probe.time_budget_s or run on a faster machine (a GPU)")
    if kind == "more_training":
        if ja:
            return (
                f"プローブの訓練を延ばす: 今回は最長 {option['train_s']:.0f} 秒・{option['steps']} ステップで止まった。probe.time_budget_s（現在 "
                f"{option['time_budget_s']:g}）や probe.max_steps（現在 {option['max_steps']}）を増やす。予算切れの失敗は、その層数で解けないことを示さない。"
            )
        return (
            f"train the probes longer: they stopped after at most {option['train_s']:.0f} s and {option['steps']} steps; raise probe.time_budget_s "
            f"(now {option['time_budget_s']:g}) or probe.max_steps (now {option['max_steps']}). A budget-limited failure does not show that the depth cannot do the task"
        )
    if kind == "settle_at_length":
        if ja:
            return (f"タスク本来の {option['length']} トークンでプローブを訓練して確かめる: {_settling_cost(option, lang)}"
                    f"（このマシンの推定は {option['timed_length']} トークンで計った 1 ステップの時間から、GPU の推定は {option['gpu_measured']} の計測 1 回から）。")
        return (f"train the probes at the task's {option['length']} tokens to settle it: {_settling_cost(option, lang)} (this machine's from "
                f"the step time measured at {option['timed_length']} tokens, the GPU's from one measurement of {option['gpu_measured']})")
    if kind == "deeper_probes":
        if ja:
            return f"より深いプローブを試す（probe.depths に {option['upto']} 層まで含める）。"
        return f"probe deeper models (probe.depths up to {option['upto']} layers)"
    raise ValueError(f"unknown alternative {kind!r}")


def _listed(depths: list[int], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(str(d) for d in depths)


def risk(item: dict, lang: str) -> str:
    kind, ja = item["kind"], lang == "ja"
    if kind == "shortened":
        at = item.get("accuracy")
        if at is None:
            if ja:
                return f"プローブは {item['probe_length']} トークンで訓練しており、タスクの {item['task_length']} トークンより短い。長い入力での検索は学習がより難しい。"
            return f"probes were trained at {item['probe_length']} tokens, shorter than the task's {item['task_length']}; retrieval over longer inputs is harder to learn"
        if ja:
            holds = "判定はタスク本来の長さでも成り立つ。" if item.get("holds") else f"判定は {item['probe_length']} トークンでのみ成り立つ。"
            return (f"プローブはこのマシンの時間予算に収まる {item['probe_length']} トークンで訓練した（タスクは {item['task_length']} トークン）。同じプローブは "
                    f"{item['task_length']} トークンの新しいデータで {_pct(at)}（信頼下限 {_pct(item.get('lower_bound'))}）: {holds}")
        holds = ("the verdict holds at the task's length too" if item.get("holds")
                 else f"the verdict holds at {item['probe_length']} tokens only; training at the full length (a GPU) would settle it")
        return (f"probes were trained at {item['probe_length']} tokens, the longest that fits the time budget here (the task reads "
                f"{item['task_length']}); the same probes answered {_pct(at)} of fresh questions at {item['task_length']} tokens "
                f"(lower bound {_pct(item.get('lower_bound'))}): {holds}")
    if kind == "full_length":
        if ja:
            return f"プローブはタスクと同じ {item['probe_length']} トークンで訓練した。"
        return f"probes were trained at the task's length of {item['probe_length']} tokens"
    if kind == "longer_than_probed":
        if ja:
            return f"タスクは {item['task_length']} トークンだが、プローブの判定は最長 {item['judged_length']} トークンまでである。"
        return f"the task reads {item['task_length']} tokens; probes are judged at {item['judged_length']} at most"
    if kind == "contradicts_bound":
        depths = _listed(item["depths"], lang)
        if ja:
            return f"{depths} 層は理論下限未満なのに目標に達したシードがある。理論の前提と矛盾するため、タスクに近道がないか確認すること。"
        return f"depth {depths} met the target in some seed below the theoretical floor, which contradicts the bound's assumption; check the task for a shortcut"
    if kind == "too_slow":
        depths = _listed(item["depths"], lang)
        if ja:
            return f"{depths} 層は時間の上限（{item['time_budget_s']:g} 秒）でステップ予算より先に訓練が止まった。このマシンでは遅すぎて判定できていない。"
        return f"at depth {depths} the {item['time_budget_s']:g} s time cap stopped training before the step budget: this machine was too slow to judge"
    if kind == "small_probes":
        if ja:
            return (f"精度は幅 {item['probe_width']} の小さなプローブによるもの。実際に配備するモデルはより広く、実データで訓練されるため、"
                    "プローブより多くの訓練を要する可能性がある。")
        return (f"accuracy comes from small probes (width {item['probe_width']}); the deployed model is wider, trained on real data, "
                "and may need more training than the probes did")
    if kind == "tight_margin":
        if ja:
            return f"レイテンシの余裕は {milliseconds(item['margin_ms'])} しかない（予算 {item['budget_ms']:g} ms の 10% 未満）。別のマシンや負荷の下では超えうる。"
        return f"the latency margin is only {milliseconds(item['margin_ms'])}, under 10% of the {item['budget_ms']:g} ms budget; another machine or load may cross it"
    if kind == "noisy_latency":
        depths = _listed(item["depths"], lang)
        if ja:
            return f"{depths} 層のレイテンシはばらつきが大きい。負荷のないマシンで測り直すこと。"
        return f"latency at depth {depths} is noisy; measure again on an idle machine"
    if kind == "unsteady_machine":
        passes = ("、" if ja else " then ").join(milliseconds(p50) for p50 in item["passes_p50_ms"])
        if ja:
            return (f"レイテンシ測定中にマシンの速度が変わった。{item['depth']} 層を 2 回測ると p50 が {passes} で、{item['drift']:.0%} 違った。"
                    "マシンが混んでいるか共有されているため、レイテンシの値はその程度ずれうる。負荷のないマシンで測り直すこと。")
        return (f"the machine changed speed while latency was measured: depth {item['depth']} timed twice gave a p50 of {passes}, "
                f"{item['drift']:.0%} apart; it was busy or shared, so latency figures may be off by as much; measure again on an idle machine")
    raise ValueError(f"unknown risk {kind!r}")


def question(item: dict, lang: str) -> str:
    kind, ja = item["kind"], lang == "ja"
    if kind == "target":
        if ja:
            return f"正解率の目標 {item['target']:.1%} は妥当か。誤答 1 件のコスト（再検査、誤った封じ込め、作業の手戻り）から見て決めたい。"
        return f"Is the {item['target']:.1%} accuracy target right? Set it from what one wrong answer costs (re-inspection, a wrong containment, rework)."
    if kind == "hardware":
        if ja:
            return f"コストは {item['device']}（{item['threads']} スレッド）で測った。実際に配備するハードウェアと同じか。違うなら配備先で測り直すか。"
        return f"Costs were measured on {item['device']} ({item['threads']} threads). Is that the hardware you will deploy on, or should it be measured there?"
    if kind == "index_instead":
        if ja:
            return "1 ホップの参照であれば、モデルを使わずにインデックスやデータベースの照会で済ませられないか。"
        return "For a one-hop lookup, would an index or a database query do without a model at all?"
    if kind == "margin":
        if ja:
            return f"レイテンシの余裕は {milliseconds(item['margin_ms'])}（予算 {item['budget_ms']:g} ms）。予算にはトークン化、通信、待ち行列の時間も含まれているか。"
        return f"The latency margin is {milliseconds(item['margin_ms'])} of a {item['budget_ms']:g} ms budget. Does the budget include tokenisation, network and queueing?"
    if kind == "measure_on_target":
        low, high = item["interval_ms"]
        if ja:
            return (f"{item['depth']} 層のレイテンシの 95% 信頼区間 {milliseconds(low)}〜{milliseconds(high)} は予算 {item['budget_ms']:g} ms をまたぐ。"
                    "配備するハードウェアで測り直すか、予算に余裕を持たせるか。")
        return (f"The 95% interval of the latency of {_layers(item['depth'], lang)}, {milliseconds(low)} to {milliseconds(high)}, straddles the "
                f"{item['budget_ms']:g} ms budget. Measure on the deployment hardware, or leave the budget some room?")
    if kind == "which_alternative":
        if ja:
            return (f"必要な {item['needed']} 層は {milliseconds(item['latency_ms'])} かかり、予算 {item['budget_ms']:g} ms を超える。"
                    "予算を広げるか、「ほかに取りうる手」のどれに投資するか。")
        verb = "takes" if item["needed"] == 1 else "take"
        return (f"The {_layers(item['needed'], lang)} the task needs {verb} {milliseconds(item['latency_ms'])} against a {item['budget_ms']:g} ms budget. "
                "Raise the budget, or fund which of the alternatives above?")
    if kind == "fund_longer_run":
        if ja:
            return "より長い訓練やより深いプローブでの再評価に計算資源を割くか、それともホップを減らす上流の変更を先に検討するか。"
        return "Fund a longer probe run or deeper probes, or first look at an upstream change that removes hops?"
    if kind == "settle_at_length":
        if ja:
            return (f"{item['length']} トークンで {item['depth']} 層が目標に届くかはまだわからない。タスク本来の長さで訓練する実行"
                    + (f"（{_settling_cost(item, lang)}）" if "steps" in item else "") + "に資源を割くか。")
        cost = f" ({_settling_cost(item, lang)})" if "steps" in item else ""
        return (f"Whether {_layers(item['depth'], lang)} meet the target at {item['length']} tokens is not yet known. "
                f"Fund the run that trains at the task's length{cost}?")
    if kind == "full_length_run":
        if ja:
            return f"プローブは {item['probe_length']} トークンで訓練した。タスク本来の {item['task_length']} トークンで訓練して確かめる（GPU での）実行に資源を割くか。"
        return f"The probes trained at {item['probe_length']} tokens. Fund a run that trains at the task's full {item['task_length']} tokens (on a GPU) to confirm it?"
    if kind == "real_data":
        if ja:
            return "実データの記録から評価用データを作り、プローブの精度を確かめる担当と時期を決める。"
        return "Who builds a held-out set from real records to confirm the probes' accuracy on real data, and by when?"
    raise ValueError(f"unknown question {kind!r}")
