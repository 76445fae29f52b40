"""New articles without a restart: a good file is picked up, a broken one is refused."""

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.bootstrap import build_core
from bot.models import Query
from bot.service.bot_service import BotService
from bot.service.reload import CorpusReloader
from bot.settings import BotSettings
from tests.conftest import ArticleWriter


def started(corpus_dir: Path, watch: bool = True) -> tuple[CorpusReloader, BotService]:
    core = build_core(BotSettings.ignoring_env_file(corpus_dir=corpus_dir))
    service = BotService(core.engine)
    return CorpusReloader(core, service, build_core, watch), service


def cites(service: BotService, question: str) -> list[str]:
    return [c.article.slug for c in service.answer(Query(question)).citations]


async def eventually(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def test_a_new_article_is_served_after_a_reload(corpus_dir: Path, write_article: ArticleWriter) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Un texte sans rapport avec la question.")
    reloader, service = started(corpus_dir)
    assert cites(service, "Qui est Gaspard Lenoir ?") == []
    write_article("c.md", "C", "Gaspard Lenoir est le nouveau trésorier de la startup.")
    assert asyncio.run(reloader.reload())
    assert cites(service, "Qui est Gaspard Lenoir ?") == ["c"]


def test_a_broken_new_file_is_named_and_every_readable_article_is_served(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Un texte sans rapport avec la question.")
    reloader, service = started(corpus_dir)
    write_article("c.md", "C", "Gaspard Lenoir est le nouveau trésorier de la startup.")
    (corpus_dir / "casse.md").write_bytes(b"\xff\xfe pas de l'UTF-8")
    assert asyncio.run(reloader.reload())
    assert cites(service, "Qui a financé Stability ?") == ["a"]
    assert cites(service, "Qui est Gaspard Lenoir ?") == ["c"]  # the new one, beside the broken one
    assert "casse.md" in caplog.text and "UTF-8" in caplog.text


def test_a_corpus_with_nothing_readable_leaves_the_current_index_serving(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    reloader, service = started(corpus_dir)
    before = service.engine
    (corpus_dir / "a.md").write_bytes(b"\xff\xfe")
    assert not asyncio.run(reloader.reload())
    assert service.engine is before and cites(service, "Qui a financé Stability ?") == ["a"]


def test_the_watcher_survives_a_folder_named_like_an_article(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    reloader, service = started(corpus_dir)

    async def main() -> None:
        stop, hangup = asyncio.Event(), asyncio.Event()
        watching = asyncio.create_task(reloader.watch(stop, hangup))
        await asyncio.sleep(0.5)
        (corpus_dir / "dossier.md").mkdir()
        (corpus_dir / "moitie.md").write_text("---\ntitle: M", encoding="utf-8")  # still being written
        await asyncio.sleep(1.5)
        write_article("moitie.md", "M", "Gaspard Lenoir est le nouveau trésorier de la startup.")
        await eventually(lambda: cites(service, "Qui est Gaspard Lenoir ?") == ["moitie"])
        stop.set()
        await asyncio.wait_for(watching, 10)

    asyncio.run(main())
    assert cites(service, "Qui est Gaspard Lenoir ?") == ["moitie"]
    assert "dossier.md : est un dossier" in caplog.text


def test_a_change_under_corpus_reloads_in_the_background(
    corpus_dir: Path, write_article: ArticleWriter, caplog: pytest.LogCaptureFixture
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Un texte sans rapport avec la question.")
    reloader, service = started(corpus_dir)
    caplog.set_level(logging.INFO, logger="bot.service.reload")

    async def main() -> None:
        stop, hangup = asyncio.Event(), asyncio.Event()
        watching = asyncio.create_task(reloader.watch(stop, hangup))
        await asyncio.sleep(0.5)  # the watcher is up
        write_article("c.md", "C", "Gaspard Lenoir est le nouveau trésorier de la startup.")
        await eventually(lambda: cites(service, "Qui est Gaspard Lenoir ?") == ["c"])
        stop.set()
        await asyncio.wait_for(watching, 10)

    asyncio.run(main())
    assert cites(service, "Qui est Gaspard Lenoir ?") == ["c"]
    assert "Index rechargé" in caplog.text


def test_sighup_style_reload_and_the_watcher_can_be_turned_off(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("a.md", "A", "Coatue et Lightspeed ont financé Stability AI.")
    write_article("b.md", "B", "Un texte sans rapport avec la question.")
    reloader, service = started(corpus_dir, watch=False)

    async def main() -> None:
        stop, hangup = asyncio.Event(), asyncio.Event()
        watching = asyncio.create_task(reloader.watch(stop, hangup))
        write_article("c.md", "C", "Gaspard Lenoir est le nouveau trésorier de la startup.")
        await asyncio.sleep(0.3)
        assert cites(service, "Qui est Gaspard Lenoir ?") == []  # not watched
        hangup.set()
        await eventually(lambda: cites(service, "Qui est Gaspard Lenoir ?") == ["c"])
        stop.set()
        await asyncio.wait_for(watching, 10)

    asyncio.run(main())
    assert cites(service, "Qui est Gaspard Lenoir ?") == ["c"]
