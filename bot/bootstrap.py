"""The one place that wires the parts together: settings → corpus → index → engine,
and, for the platforms, the service and the long-running process around it.

Its imports run only downward (service, answer, search, corpus); the service and
commands layers receive what it builds instead of importing it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.answer.core import Core
from bot.answer.engine import AnswerEngine
from bot.corpus.articles import CorpusProblem, load_corpus
from bot.models import Query, Reply
from bot.search.analysis import FrenchAnalyzer
from bot.search.index import PassageIndex, build_index
from bot.search.index_store import (
    FileStats,
    corpus_key,
    key_of_unchanged,
    load_index,
    remember_stats,
    save_index,
)
from bot.search.question import QuestionAnalyser, load_synonym_groups
from bot.selector.model import Selector
from bot.settings import BotSettings, StartupError, settings_error

if TYPE_CHECKING:
    from bot.service.bot_service import BotService
    from bot.service.settings import ServiceSettings

log = logging.getLogger(__name__)


def build_core(settings: BotSettings, selector: Selector | None = None) -> Core:
    """Load the corpus, build the index once, and return the answer engine, with the
    selector given or else the model file's (`BOT_SELECTOR_MODEL`, or the shipped one)."""
    selector = selector or Selector.load(settings.selector_model)
    if not settings.corpus_dir.is_dir():
        raise StartupError(f"dossier du corpus introuvable : {settings.corpus_dir} (réglage BOT_CORPUS_DIR)")
    analyzer = FrenchAnalyzer()
    index, problems = load_or_build_index(settings, analyzer)
    for problem in problems:
        log.warning("Article ignoré : %s", problem)
    try:
        groups = load_synonym_groups(analyzer, settings.synonyms_file)
    except OSError as error:
        raise StartupError(
            f"liste de synonymes illisible : {settings.synonyms_file} ({error.strerror})"
        ) from None
    retriever = index.retriever
    starting_with = getattr(retriever, "terms_starting_with", None)
    questions = QuestionAnalyser(
        analyzer, groups, retriever.vocabulary(), index.surfaces, spellings=index.spellings,
        terms_starting_with=starting_with,
    )  # fmt: skip
    engine = AnswerEngine(index, analyzer, questions, selector, max_citations=settings.max_citations)
    return Core(engine, problems, settings)


def prepared_core(settings: BotSettings) -> Core:
    """`build_core`, with everything a first question could need already read: what a
    serving bot swaps in on a reload."""
    core = build_core(settings)
    core.engine.prepare()
    return core


def serving_settings() -> ServiceSettings:
    """The serving settings (cooldown, question log, watcher), read once at start-up."""
    from bot.service.settings import ServiceSettings

    try:
        return ServiceSettings()
    except ValidationError as error:
        raise StartupError(settings_error(error)) from None


def build_service(settings: ServiceSettings, engine: AnswerEngine, corpus: BotSettings) -> BotService:
    """The door the platforms ask through: cooldown and question log around the engine,
    and the chat's article intake when `BOT_CHAT_ADD` is on."""
    from bot.service.article_intake import ArticleIntake
    from bot.service.bot_service import BotService
    from bot.service.cooldown import Cooldown  # platforms only: `ask` does not need SQLite
    from bot.service.question_log import QuestionLog

    salt = settings.user_hash_salt.get_secret_value() if settings.user_hash_salt else None
    question_log = QuestionLog(settings.database_path, salt, settings.log_retention_days)
    question_log.check()
    return BotService(
        engine,
        Cooldown(settings.cooldown_questions, settings.cooldown_seconds),
        question_log,
        shutdown_seconds=settings.shutdown_seconds,
        liveness_seconds=settings.liveness_seconds,
        intake=ArticleIntake(
            corpus.corpus_dir, corpus.max_article_bytes,
            allow_private_addresses=settings.add_allow_private_addresses, watching=settings.watch_corpus,
            fetch_seconds=corpus.fetch_seconds, at_once=settings.add_at_once,
        ) if settings.chat_add else None,
    )  # fmt: skip


def serve(
    core: Core, chat: Callable[[Callable[[Query], Reply]], int] | None = None, only: str | None = None
) -> int:
    """`emad-bot run`: serve every configured platform (or only the one named) around
    `core`, reloading it when the corpus changes; with none configured, `chat(answer)`
    with the service's `answer` (cooldown and question log, as on every platform)."""
    from bot.service.reload import CorpusReloader
    from bot.service.runner import run

    serving = serving_settings()
    started = time.perf_counter()
    log.info("Préparation des réponses (listes de mots, vecteurs de mots)…")
    core.engine.prepare(compile_search=False)  # started once platforms are known to serve
    log.info("Réponses prêtes en %.1f s", time.perf_counter() - started)
    service = build_service(serving, core.engine, core.settings)
    service.health.index_loaded(len(core.engine.index.passages))
    reloader = CorpusReloader(core, service, prepared_core, serving.watch_corpus)
    health = (serving.health_host, serving.health_port) if serving.health_port is not None else None
    chat_here = None if chat is None else lambda: chat(service.answer)
    return run(
        service, reloader, chat=chat_here, only=only, health=health,
        before_serving=core.engine.index.retriever.prepare,
    )  # fmt: skip


def load_or_build_index(
    settings: BotSettings, analyzer: FrenchAnalyzer
) -> tuple[PassageIndex, tuple[CorpusProblem, ...]]:
    """The saved index if the corpus has not changed, else a new one (then saved)."""
    cache_dir, corpus_dir, max_bytes = (
        settings.index_cache_dir,
        settings.corpus_dir,
        settings.max_article_bytes,
    )
    stats = FileStats.of(corpus_dir, max_bytes)
    known = key_of_unchanged(cache_dir, stats)  # no article read when none changed
    key = known or corpus_key(corpus_dir, max_bytes)
    saved = load_index(cache_dir, key)
    if saved is not None:
        if known is None:
            remember_stats(cache_dir, key, corpus_dir, stats, max_bytes)
        return saved
    corpus = load_corpus(settings.corpus_dir, settings.max_article_bytes)
    if not corpus.articles:
        for problem in corpus.problems:
            log.warning("Article ignoré : %s", problem)
        raise StartupError(
            f"aucun article lisible dans {settings.corpus_dir} : ajoutez des fichiers .md "
            "(voir le README, « Ajouter un article »)"
        )
    index = build_index(corpus.articles, analyzer)
    save_index(index, corpus.problems, cache_dir, key)
    remember_stats(cache_dir, key, corpus_dir, stats, max_bytes)
    return index, corpus.problems
