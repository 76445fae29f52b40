"""`emad-bot bench`: the bot's retriever against its peers, as the corpus grows.

For each corpus family and size (see `bench_corpora`) the real code indexes synthetic
article files; every peer (see `bench_peers`) indexes the same analysed token lists.
Questions are timed interleaved: for each question, the bot analyses and searches it,
then the peers answer its terms in an order that rotates from one question to the
next, so a slow moment of the machine falls on all of them. Then each system answers
all the questions in one go (throughput, one thread). Memory is what each system's
retrieval index keeps (tracemalloc, plus the bot's memory-mapped arrays), and, apart,
what the bot's loaded passages, typo and date indexes keep. The whole answer path and
`emad-bot ask`'s wall time are measured too. Results go to a markdown table and a PNG
plot. Nothing here is a test: it prints numbers.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.bootstrap import prepared_core
from bot.commands.bench_corpora import FAMILIES, bench_questions, vocabulary_for, write_synthetic_corpus
from bot.commands.bench_peers import (
    RANK_BM25_UP_TO,
    Peer,
    bot_on_the_same_terms,
    build_bm25s,
    build_rank_bm25,
    build_scipy_csr,
    warm_up_bm25s,
)
from bot.commands.terminal import render_reply, reply_to_dict
from bot.corpus.articles import load_corpus
from bot.models import Query
from bot.search.analysis import FrenchAnalyzer
from bot.search.bm25 import Bm25Retriever
from bot.search.index import AnalysedCorpus, index_analysed
from bot.search.index_store import corpus_key, load_index, save_index
from bot.settings import BotSettings

BOT = "emad-bot"
BOT_ANALYSED = "emad-bot (analyse + recherche)"
BOT_SAME_TERMS = "emad-bot (mêmes termes)"
WHOLE = "emad-bot (réponse complète)"


@dataclass
class SizeResult:
    family: str
    passages: int
    vocabulary: int
    build_s: float
    load_s: float
    startup_s: float
    latency_ms: dict[str, tuple[float, float]] = field(default_factory=dict)  # name → (p50, p99)
    throughput: dict[str, float] = field(default_factory=dict)  # name → questions per second
    memory_mb: dict[str, float] = field(default_factory=dict)  # name → retrieval index, MB
    passages_mb: float = 0.0  # the bot's loaded passages, typo and date indexes
    by_kind_ms: dict[str, float] = field(default_factory=dict)  # question kind → bot p50


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


def _startup_seconds(corpus_dir: Path, runs: int = 5) -> float:
    env = os.environ | {"BOT_CORPUS_DIR": str(corpus_dir), "BOT_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot", "ask", "stability"]
    return statistics.median(
        _timed(lambda: subprocess.run(command, env=env, capture_output=True, check=True), runs)
    )


def _rotated(items: list[tuple[str, Peer]], by: int) -> list[tuple[str, Peer]]:
    shift = by % len(items) if items else 0
    return items[shift:] + items[:shift]


def _peers(docs: list[list[str]], retriever: Bm25Retriever, result: SizeResult) -> dict[str, Peer]:
    (numba_peer, numpy_peer), result.memory_mb["bm25s"] = _retained_mb(lambda: build_bm25s(docs))
    peers = {BOT_SAME_TERMS: bot_on_the_same_terms(retriever)}
    peers |= {"bm25s (numba)": numba_peer, "bm25s (numpy)": numpy_peer}
    peers["SciPy CSR"], result.memory_mb["SciPy CSR"] = _retained_mb(lambda: build_scipy_csr(retriever))
    if result.passages <= RANK_BM25_UP_TO:
        peers["rank-bm25 get_scores"], result.memory_mb["rank-bm25"] = _retained_mb(
            lambda: build_rank_bm25(docs)
        )
    return peers


def bench_size(family: str, size: int, questions: int, work: Path, with_peers: bool = True) -> SizeResult:
    rng = random.Random(size)
    corpus_dir = work / f"{family}_{size}"
    write_synthetic_corpus(corpus_dir, size, *vocabulary_for(family, size), rng)
    articles = load_corpus(corpus_dir).articles
    start = time.perf_counter()
    analysed = AnalysedCorpus.of(articles, FrenchAnalyzer())
    index = index_analysed(articles, analysed)
    build_s = time.perf_counter() - start
    key = corpus_key(corpus_dir)
    save_index(index, (), corpus_dir / ".index", key)
    sample = [p.text for p in rng.sample(index.passages, min(questions, len(index.passages)))]
    del index
    start = time.perf_counter()
    load_index(corpus_dir / ".index", key)
    load_s = time.perf_counter() - start
    loaded, whole_mb = _retained_mb(lambda: load_index(corpus_dir / ".index", key))
    retriever: Any = loaded[0].retriever
    compiling = retriever.prepare()  # as served with the `fast` extra: the compiled search
    if compiling is not None:
        compiling.join()
    arrays = (retriever._offsets, retriever._passages, retriever._weights)
    # Its term table, plus its arrays (memory-mapped here, so not seen by tracemalloc).
    _, table_mb = _retained_mb(lambda: Bm25Retriever(retriever._terms, *arrays, retriever.passage_count))
    result = SizeResult(
        family, size, len(retriever.vocabulary()), build_s, load_s, _startup_seconds(corpus_dir)
    )
    result.memory_mb[BOT] = table_mb + sum(a.nbytes for a in arrays) / 2**20
    result.passages_mb = whole_mb - table_mb
    peers = _peers(analysed.passage_terms, retriever, result) if with_peers else {}
    del analysed
    gc.collect()
    engine = prepared_core(BotSettings.ignoring_env_file(corpus_dir=corpus_dir)).engine  # as served
    _interleaved(engine, retriever, bench_questions(sample, rng), peers, result)
    return result


def _interleaved(engine: Any, retriever: Any, questions: Sequence[Any], peers: dict[str, Peer],
                 result: SizeResult) -> None:  # fmt: skip
    """Each question: the bot analyses and searches it, then the peers in rotating order."""
    timings: dict[str, list[float]] = {name: [] for name in (BOT_ANALYSED, BOT, *peers)}
    systems = list(peers.items())
    analysed, flat = [], []
    for number, question in enumerate(questions):
        start = time.perf_counter()
        concepts = engine._questions.analyse(question.text).concepts
        searched = time.perf_counter()
        retriever.search(concepts, 10)
        done = time.perf_counter()
        timings[BOT_ANALYSED].append(done - start)
        timings[BOT].append(done - searched)
        analysed.append(concepts)
        flat.append([t for c in concepts for t in c.asked])
        for name, peer in _rotated(systems, number):
            start = time.perf_counter()
            peer.query(flat[-1])
            timings[name].append(time.perf_counter() - start)
    result.latency_ms = {name: _percentiles(t) for name, t in timings.items()}
    for kind in dict.fromkeys(q.kind for q in questions):
        mine = [t for t, q in zip(timings[BOT_ANALYSED], questions, strict=True) if q.kind == kind]
        result.by_kind_ms[kind] = _percentiles(mine)[0]
    start = time.perf_counter()
    for concepts in analysed:
        retriever.search(concepts, 10)
    result.throughput[BOT] = len(analysed) / (time.perf_counter() - start)
    for name, peer in systems:
        start = time.perf_counter()
        peer.batch(flat)
        result.throughput[name] = len(flat) / (time.perf_counter() - start)
    texts = iter([q.text for q in questions])

    def whole_path() -> None:
        reply = engine.answer(Query(next(texts)))
        render_reply(reply)
        reply_to_dict(reply)

    result.latency_ms[WHOLE] = _percentiles(_timed(whole_path, len(questions)))


def _table(title: str, columns: Sequence[str], rows: list[list[str]]) -> list[str]:
    lines = [title, "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def _cell(values: dict[str, Any], name: str, form: str) -> str:
    if name not in values:
        return "—"
    value = values[name]
    return " / ".join(format(v, form) for v in value) if isinstance(value, tuple) else format(value, form)


def _tables(results: list[SizeResult], shipped_ms: tuple[float, float], ask_s: float, numpy_s: float) -> str:
    def names(of: Callable[[SizeResult], dict[str, Any]]) -> list[str]:
        return list(dict.fromkeys(n for r in results for n in of(r) if n != WHOLE))

    def rows(of: Callable[[SizeResult], dict[str, Any]], columns: list[str], form: str) -> list[list[str]]:
        return [[r.family, f"{r.passages:,}", *(_cell(of(r), n, form) for n in columns)] for r in results]

    latency, speed, memory, kinds = (names(lambda r: r.latency_ms), names(lambda r: r.throughput),
                                     names(lambda r: r.memory_mb), names(lambda r: r.by_kind_ms))  # fmt: skip
    first = ["corpus", "passages"]
    latency_rows = rows(lambda r: r.latency_ms, latency, ".2f")
    for row, r in zip(latency_rows, results, strict=True):
        row.insert(2, f"{r.vocabulary:,}")
    memory_rows = rows(lambda r: r.memory_mb, memory, ".0f")
    for row, r in zip(memory_rows, results, strict=True):
        row.append(f"{r.passages_mb:.0f}")
    bot_rows = [
        [r.family, f"{r.passages:,}", f"{r.build_s:.2f}", f"{r.load_s:.3f}", f"{r.startup_s:.2f}",
         _cell(r.latency_ms, WHOLE, ".2f"), *(_cell(r.by_kind_ms, k, ".2f") for k in kinds)]
        for r in results
    ]  # fmt: skip
    lines = [
        *_table("Latency per question, p50 / p99 (ms), top 10:", [*first, "terms", *latency], latency_rows),
        *_table("Throughput, one thread, all questions in one go (questions/s):", first + speed,
                rows(lambda r: r.throughput, speed, ",.0f")),
        *_table("Retrieval index memory (MB; term strings, shared with the token lists, counted for none):",
                [*first, *memory, "emad-bot passages, typo and date indexes"], memory_rows),
        *_table("The bot: build, load, start-up, whole answer path, analysis + search p50 by question kind:",
                [*first, "build (s)", "load (s)", "`emad-bot ask` (s)", f"{WHOLE} p50 / p99 (ms)",
                 *(f"{k} p50 (ms)" for k in kinds)], bot_rows),
        f"Shipped corpus, whole answer path: p50 {shipped_ms[0]:.2f} ms, p99 {shipped_ms[1]:.2f} ms.",
        f"`emad-bot ask` on the shipped corpus: {ask_s:.2f} s wall; "
        f"`python -c 'import numpy'`: {numpy_s:.2f} s.",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _plot(results: list[SizeResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5))
    axes = figure.subplots()
    for family, style in zip(FAMILIES, ("-", "--"), strict=False):
        mine = [r for r in results if r.family == family]
        for number, name in enumerate(dict.fromkeys(n for r in mine for n in r.latency_ms)):
            points = [(r.passages, r.latency_ms[name][0]) for r in mine if name in r.latency_ms]
            axes.plot(
                *zip(*points, strict=True), style, marker="o", color=f"C{number}", label=f"{name} ({family})"
            )
    axes.set(xscale="log", yscale="log", xlabel="passages", ylabel="latence p50 (ms)",
             title="Latence par question selon la taille du corpus")  # fmt: skip
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=6)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def run_benchmark(sizes: Sequence[int], questions: int, out: Path, baselines: bool = True,
                  families: Sequence[str] = FAMILIES) -> str:  # fmt: skip
    logging.getLogger().setLevel(logging.WARNING)  # numbers, not build logs
    if baselines:
        warm_up_bm25s()
    shipped = prepared_core(BotSettings.ignoring_env_file()).engine  # as served
    shipped_questions = ["Qui a financé Stability AI ?", "Quand Emad a-t-il démissionné ?",
                         "Qu'est-ce que SchellingAI ?", "Combien dépensait la startup ?"]  # fmt: skip
    asked = itertools.cycle(shipped_questions)  # each as often: a random draw moved the p50 between them
    shipped_ms = _percentiles(_timed(lambda: shipped.answer(Query(next(asked))), 400))
    ask = [sys.executable, "-m", "bot", "ask", "Qui a financé ?"]
    ask_s = statistics.median(_timed(lambda: subprocess.run(ask, capture_output=True, check=True), 7))
    numpy_s = statistics.median(
        _timed(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True), 7)
    )
    results = []
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            for family in families:
                print(f"… {family}, {size:,} passages", file=sys.stderr, flush=True)
                results.append(bench_size(family, size, questions, Path(work), baselines))
    table = _tables(results, shipped_ms, ask_s, numpy_s)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    _plot(results, out.with_suffix(".png"))
    return table
