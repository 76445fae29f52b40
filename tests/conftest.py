"""Shared fixtures: the engine over the shipped corpus, and tiny hand-written corpora."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.bootstrap import build_core
from bot.models import Article, Citation, Query, Reply, ReplyKind, Span
from bot.settings import BotSettings
from tests.news_site import site  # noqa: F401 - the news site fixture, for every test module

ROOT = Path(__file__).resolve().parent.parent

ArticleWriter = Callable[..., Path]


def article_text(title: str, body: str, publisher: str = "Le Test", **extra: str) -> str:
    header = [f'title: "{title}"', f"publisher: {publisher}", "language: fr"]
    header += [f"{key}: {value}" for key, value in extra.items()]
    return "---\n" + "\n".join(header) + "\n---\n" + body


LOOPBACK = {"127.0.0.1", "::1", "localhost", None}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach anything but loopback: any other name lookup fails loudly."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK and not str(name).startswith("127."):
            raise OSError(f"test hors loopback refusé : {name}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def never_sure_engine() -> AnswerEngine:
    """The shipped corpus and model, with a confidence threshold no answer reaches: every
    answer is hedged (« C'est celui-ci » buttons under it)."""
    import dataclasses

    from bot.selector.model import Selector

    selector = dataclasses.replace(Selector.load(), confident_at=1.0)
    return build_core(BotSettings.ignoring_env_file(corpus_dir=ROOT / "corpus"), selector).engine


@pytest.fixture(scope="session")
def engine() -> AnswerEngine:
    """The engine over the articles shipped in corpus/."""
    return build_core(BotSettings.ignoring_env_file(corpus_dir=ROOT / "corpus")).engine


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    return directory


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the shipped articles, to add to."""
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder, ignore=shutil.ignore_patterns(".index"))
    return folder


@pytest.fixture
def write_article(corpus_dir: Path) -> ArticleWriter:
    def write(name: str, title: str, body: str, **extra: str) -> Path:
        path = corpus_dir / name
        path.write_text(article_text(title, body, **extra), encoding="utf-8")
        return path

    return write


def engine_for(corpus_dir: Path) -> AnswerEngine:
    return build_core(BotSettings.ignoring_env_file(corpus_dir=corpus_dir)).engine


def ask(engine: AnswerEngine, text: str) -> Reply:
    return engine.answer(Query(text))


class BrokenEngine:
    """A core that fails on "panne" and answers otherwise: the adapters must survive it."""

    def __init__(self, engine: AnswerEngine) -> None:
        self._engine = engine

    def answer(self, query: Query) -> Reply:
        if "panne" in query.text:
            raise RuntimeError("index indisponible")
        return self._engine.answer(query)


def make_citation(snippet: str, title: str, url: str | None, publisher: str = "Éditeur") -> Citation:
    """A citation of a one-passage article, its first three characters highlighted."""
    article = Article("a", title, publisher, "fr", snippet, url, dt.date(2024, 3, 23))
    spans = (Span(0, min(3, len(snippet))),) if snippet else ()
    return Citation(snippet, spans, "a-1", 1, 1, 1.0, article)


class KindEngine:
    """A core that replies with the kind its question names ("closest", "not_found"…):
    to check where each kind of reply lands on a platform."""

    def answer(self, query: Query) -> Reply:
        kind = ReplyKind(query.text.split()[-1])
        cited = (make_citation("Coatue et Lightspeed ont financé Stability AI.", "Titre", None),)
        return Reply(
            kind, f"réponse {kind.value}", citations=cited if kind.cites else (), question=query.text
        )
