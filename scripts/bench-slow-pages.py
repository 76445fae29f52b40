"""Do answers wait on pages being read? The real Bolt app (HTTP, signed requests) on
127.0.0.1 with the tests' fake Slack and news site: 20 questions asked one after the
other, time to each answer (its response_url) in ms, with 8 `/emad ajouter` proposals of
pages trickling a byte every 0.2 s (2 read at once, 6 refused) and without, the two
runs interleaved.

    .venv-dev/bin/python scripts/bench-slow-pages.py [--runs 3] [--questions 20]

Prints p50 / p99 / max per run. Loopback only."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.bootstrap import build_core
from bot.service.article_intake import ArticleIntake
from bot.service.bot_service import BotService
from bot.settings import BotSettings
from tests.news_site import news_site
from tests.test_slack import running

ROOT = Path(__file__).resolve().parent.parent


async def one_run(service: BotService, site: str, pages: int, questions: int) -> list[float]:
    latencies: list[float] = []
    async with running(service, maintainers="U1") as h:
        for _ in range(pages):
            await h.command(f"ajouter <{site}/goutte.html>")
        if pages:
            await h.slack.wait_for("response_url", count=pages - 2, timeout=30)  # the refused ones
        for n in range(questions):
            seen = len(h.slack.of("response_url"))
            started = time.perf_counter()
            await h.command(f"qui a financé Stability AI ? ({n})")
            await h.slack.wait_for("response_url", count=seen + 1, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def summary(found: list[float]) -> str:
    found = sorted(found)
    p99 = found[min(len(found) - 1, int(0.99 * len(found)))]
    return f"p50 {statistics.median(found):.1f} ms, p99 {p99:.1f} ms, max {found[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, news_site() as site:
        corpus = Path(scratch) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns(".index"))
        engine = build_core(BotSettings.ignoring_env_file(corpus_dir=corpus)).engine
        for run in range(1, args.runs + 1):
            for pages in (0, 8):  # interleaved: the same process, the same warm engine
                intake = ArticleIntake(corpus, 2_000_000, allow_private_addresses=True, fetch_seconds=15,
                                       at_once=2)  # fmt: skip
                service = BotService(engine, intake=intake)
                found = asyncio.run(one_run(service, site, pages, args.questions))
                label = f"{pages} trickling pages" if pages else "no page being read"
                print(f"run {run}, {label}: {args.questions} questions, {summary(found)}")


if __name__ == "__main__":
    main()
