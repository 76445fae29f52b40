"""`emad-bot bench`: index build, memory, load and question latency as the corpus grows.

Synthetic French-like corpora are drawn from the shipped corpus's vocabulary with
its word frequencies, written as article files, and indexed by the real code.
For each size the bot's retriever, plain rank-bm25 `get_scores` and bm25s (the
`bench` extra) answer the same analysed questions; the whole answer path
(analysis, retrieval, snippets, rendering) and `emad-bot ask`'s wall time are
measured too. Results go to a markdown table and a PNG plot. Nothing here is a
test: it prints numbers.
"""

from __future__ import annotations

import gc
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.bootstrap import build_core
from bot.commands.terminal import render_reply, reply_to_dict
from bot.corpus.articles import load_corpus
from bot.models import Query
from bot.search.analysis import FrenchAnalyzer
from bot.search.bm25 import lucene_idf_bm25
from bot.search.index import build_index
from bot.search.index_store import corpus_key, load_index, save_index
from bot.search.lexicon import load_word_lists
from bot.settings import BotSettings

PARAGRAPHS_PER_ARTICLE = 20
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass
class SizeResult:
    passages: int
    build_s: float
    memory_mb: float
    load_s: float
    startup_s: float
    latency_ms: dict[str, tuple[float, float]]  # name → (p50, p99)
    baseline_memory_mb: dict[str, float]


def _retained_mb(build: Callable[[], Any]) -> tuple[Any, float]:
    """What `build()` returns, and the memory it still holds (tracemalloc), in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        built = build()
        gc.collect()
        return built, tracemalloc.get_traced_memory()[0] / 2**20
    finally:
        tracemalloc.stop()


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in timings)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]


def _timed(function: Callable[[], Any], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return timings


def write_synthetic_corpus(directory: Path, passages: int, words: Sequence[str], weights: Sequence[float],
                           rng: random.Random) -> None:  # fmt: skip
    """`passages` paragraphs of three sentences, as article files of 20 paragraphs."""
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(0, passages, PARAGRAPHS_PER_ARTICLE):
        paragraphs = []
        for _ in range(min(PARAGRAPHS_PER_ARTICLE, passages - number)):
            sentences = []
            for _ in range(3):
                sentence = " ".join(rng.choices(words, weights, k=rng.randint(8, 18)))
                sentences.append(sentence[0].upper() + sentence[1:] + ".")
            paragraphs.append(" ".join(sentences))
        header = f'---\ntitle: "Article synthétique {number}"\npublisher: Banc\nlanguage: fr\n---\n'
        (directory / f"synth_{number:07d}.md").write_text(header + "\n".join(paragraphs), encoding="utf-8")


def _vocabulary() -> tuple[list[str], list[float]]:
    corpus = load_corpus(BotSettings.ignoring_env_file().corpus_dir)
    counts = Counter(w.lower() for a in corpus.articles for w in _WORD.findall(a.body))
    words = [w for w, _ in counts.most_common()]
    return words, [float(counts[w]) for w in words]


def _startup_seconds(corpus_dir: Path, runs: int = 5) -> float:
    env = os.environ | {"BOT_CORPUS_DIR": str(corpus_dir), "BOT_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot", "ask", "stability"]
    return statistics.median(
        _timed(lambda: subprocess.run(command, env=env, capture_output=True, check=True), runs)
    )


def bench_size(size: int, questions: int, words: list[str], weights: list[float], work: Path,
               with_baselines: bool = True) -> SizeResult:  # fmt: skip
    rng = random.Random(size)
    corpus_dir = work / f"corpus_{size}"
    write_synthetic_corpus(corpus_dir, size, words, weights, rng)
    analyzer = FrenchAnalyzer()
    articles = load_corpus(corpus_dir).articles
    start = time.perf_counter()
    index = build_index(articles, analyzer)
    build_s = time.perf_counter() - start
    key = corpus_key(corpus_dir)
    save_index(index, (), corpus_dir / ".index", key)
    del index
    start = time.perf_counter()
    load_index(corpus_dir / ".index", key)
    load_s = time.perf_counter() - start
    loaded, objects_mb = _retained_mb(lambda: load_index(corpus_dir / ".index", key))
    index, _ = loaded
    retriever: Any = index.retriever
    arrays = (retriever._offsets, retriever._passages, retriever._weights)  # memory-mapped
    memory_mb = objects_mb + sum(a.nbytes for a in arrays) / 2**20

    engine = build_core(BotSettings.ignoring_env_file(corpus_dir=corpus_dir)).engine
    passage_texts = [p.text for p in rng.sample(index.passages, min(questions, len(index.passages)))]
    texts = ["Pourquoi " + " ".join(rng.sample(t.split(), 3)).strip(".") + " ?" for t in passage_texts]
    analysed = [engine._questions.analyse(t) for t in texts]
    latency: dict[str, tuple[float, float]] = {}
    it = iter(analysed)
    latency["emad-bot (recherche)"] = _percentiles(
        _timed(lambda: retriever.search(next(it).concepts, 20), len(analysed))
    )
    it_text = iter(texts)

    def whole_path() -> None:
        reply = engine.answer(Query(next(it_text)))
        render_reply(reply)
        reply_to_dict(reply)

    latency["emad-bot (réponse complète)"] = _percentiles(_timed(whole_path, len(texts)))
    query_terms = [[t for c in q.concepts for t in c.asked] for q in analysed]
    baseline_memory: dict[str, float] = {}
    if with_baselines:
        latency |= _baselines(index, analyzer, query_terms, baseline_memory)
    return SizeResult(
        size, build_s, memory_mb, load_s, _startup_seconds(corpus_dir), latency, baseline_memory
    )


def _baselines(index: Any, analyzer: FrenchAnalyzer, queries: list[list[str]],
               memory: dict[str, float]) -> dict[str, tuple[float, float]]:  # fmt: skip
    import bm25s

    docs = [analyzer.terms(p.text) for p in index.passages]
    results: dict[str, tuple[float, float]] = {}
    model, memory["rank-bm25"] = _retained_mb(lambda: lucene_idf_bm25(docs))
    few = queries[: max(5, min(len(queries), 2_000_000 // max(len(docs), 1)))]
    it = iter(few)

    def rank_bm25_top10() -> None:
        scores = model.get_scores(next(it))
        np.argpartition(-scores, 9)[:10]

    results["rank-bm25 get_scores"] = _percentiles(_timed(rank_bm25_top10, len(few)))
    gc.collect()

    def bm25s_index() -> Any:
        built = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
        built.index(docs, show_progress=False)
        return built

    retriever, memory["bm25s"] = _retained_mb(bm25s_index)
    it = iter(queries)
    results["bm25s retrieve"] = _percentiles(
        _timed(lambda: retriever.retrieve([next(it) or ["x"]], k=10, show_progress=False), len(queries))
    )
    return results


def _table(results: list[SizeResult], shipped_ms: tuple[float, float], ask_s: float, numpy_s: float) -> str:
    names = list(dict.fromkeys(name for r in results for name in r.latency_ms))
    lines = [
        "| passages | build (s) | index memory (MB) | load from disk (s) | `emad-bot ask` start-up (s) | "
        + " | ".join(f"{n} p50 / p99 (ms)" for n in names)
        + " |",
        "|" + "---|" * (5 + len(names)),
    ]
    for r in results:
        cells = [
            f"{r.passages:,}",
            f"{r.build_s:.2f}",
            f"{r.memory_mb:.0f}",
            f"{r.load_s:.3f}",
            f"{r.startup_s:.2f}",
        ]
        cells += [
            f"{r.latency_ms[n][0]:.2f} / {r.latency_ms[n][1]:.2f}" if n in r.latency_ms else "—"
            for n in names
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Shipped corpus, whole answer path: p50 {shipped_ms[0]:.2f} ms, p99 {shipped_ms[1]:.2f} ms.",
        f"`emad-bot ask` on the shipped corpus: {ask_s:.2f} s wall; "
        f"`python -c 'import numpy'`: {numpy_s:.2f} s.",
    ]
    for r in results:
        if r.baseline_memory_mb:
            growth = ", ".join(f"{k} {v:.0f} MB" for k, v in r.baseline_memory_mb.items())
            lines.append(f"At {r.passages:,} passages, index memory of the baselines: {growth}.")
    return "\n".join(lines) + "\n"


def _plot(results: list[SizeResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for name in dict.fromkeys(n for r in results for n in r.latency_ms):
        points = [(r.passages, r.latency_ms[name][0]) for r in results if name in r.latency_ms]
        axes.plot(*zip(*points, strict=True), marker="o", label=name)
    axes.set(xscale="log", yscale="log", xlabel="passages", ylabel="latence p50 (ms)",
             title="Latence par question selon la taille du corpus")  # fmt: skip
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def run_benchmark(sizes: Sequence[int], questions: int, out: Path, baselines: bool = True) -> str:
    logging.getLogger().setLevel(logging.WARNING)  # numbers, not build logs
    words, weights = _vocabulary()
    shipped = build_core(BotSettings.ignoring_env_file()).engine
    load_word_lists()  # as a serving bot does at start
    shipped_questions = ["Qui a financé Stability AI ?", "Quand Emad a-t-il démissionné ?",
                         "Qu'est-ce que SchellingAI ?", "Combien dépensait la startup ?"]  # fmt: skip
    shipped_ms = _percentiles(_timed(lambda: shipped.answer(Query(random.choice(shipped_questions))), 200))
    ask_s = statistics.median(
        _timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "bot", "ask", "Qui a financé ?"], capture_output=True, check=True
            ),
            7,
        )
    )
    numpy_s = statistics.median(
        _timed(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True), 7)
    )
    results = []
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            print(f"… {size:,} passages", file=sys.stderr, flush=True)
            results.append(bench_size(size, questions, words, weights, Path(work), baselines))
    table = _table(results, shipped_ms, ask_s, numpy_s)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    _plot(results, out.with_suffix(".png"))
    return table
