"""The benchmark runs end to end on a small size and writes its table and plot.
It asserts what a maintainer reads, never a time."""

from pathlib import Path

from bot.commands.benchmark import run_benchmark


def test_the_benchmark_writes_a_table_and_a_plot(tmp_path: Path) -> None:
    table = run_benchmark([300], questions=5, out=tmp_path / "bench")
    assert (tmp_path / "bench.md").read_text(encoding="utf-8") == table
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")
    header, _, row = table.splitlines()[:3]
    for name in ("emad-bot (recherche)", "emad-bot (réponse complète)", "rank-bm25", "bm25s"):
        assert name in header
    assert row.startswith("| 300 |") and "—" not in row
    assert "Shipped corpus, whole answer path" in table
