"""The benchmark runs end to end on a small size and writes its tables and plot.
It asserts what a maintainer reads, never a time."""

import random
import re
from pathlib import Path

from bot.commands.bench_corpora import bench_questions, zipf_vocabulary
from bot.commands.benchmark import run_benchmark

PEERS = ("emad-bot", "emad-bot (mêmes termes)", "bm25s (numba)", "bm25s (numpy)", "SciPy CSR", "rank-bm25")


def test_the_benchmark_writes_every_system_for_both_corpus_families(tmp_path: Path) -> None:
    table = run_benchmark([300], questions=20, out=tmp_path / "bench")
    assert (tmp_path / "bench.md").read_text(encoding="utf-8") == table
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")
    sections = table.split("\n\n")
    latency = next(s for s in sections if s.startswith("| corpus | passages | terms"))
    header, _, *rows = latency.splitlines()
    for name in PEERS:
        assert name in header
    assert [row.split(" | ")[0] for row in rows] == ["| articles", "| zipf"]
    assert all("—" not in row and row.count(" / ") == len(PEERS) + 1 for row in rows)
    for title in ("Throughput", "Retrieval index memory", "typo p50", "unknown word p50"):
        assert title in table
    assert "Shipped corpus, whole answer path" in table


def test_the_zipf_vocabulary_grows_with_the_corpus() -> None:
    small, _ = zipf_vocabulary(1_000, random.Random(1))
    large, weights = zipf_vocabulary(100_000, random.Random(1))
    assert len(large) > 5 * len(small) and len(set(large)) == len(large)
    assert weights == sorted(weights, reverse=True)


def test_bench_questions_hold_unknown_words_and_typos() -> None:
    texts = ["Le conseil a nommé deux dirigeants intérimaires pour la startup londonienne."] * 200
    questions = bench_questions(texts, random.Random(3))
    kinds = {q.kind for q in questions}
    assert kinds == {"plain", "unknown word", "typo"}
    words = set(re.findall(r"\w+", texts[0]))
    for question in questions:
        asked = set(re.findall(r"\w+", question.text)) - {"Pourquoi"}
        assert (asked <= words) == (question.kind == "plain")
