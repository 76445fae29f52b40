"""The one place that wires the core together: settings → corpus → index → engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.analysis import FrenchAnalyzer
from bot.corpus import CorpusProblem, load_corpus
from bot.engine import AnswerEngine
from bot.index import PassageIndex, build_index
from bot.index_store import corpus_key, load_index, save_index
from bot.question import QuestionAnalyser, load_synonym_groups
from bot.settings import BotSettings, settings_error

if TYPE_CHECKING:
    from bot.service import BotService
    from bot.service_settings import ServiceSettings

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The bot cannot start; the message says what to fix, in French."""


@dataclass(frozen=True)
class Core:
    engine: AnswerEngine
    problems: tuple[CorpusProblem, ...]
    settings: BotSettings


def build_core(settings: BotSettings) -> Core:
    """Load the corpus, build the index once, and return the answer engine."""
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
    questions = QuestionAnalyser(analyzer, groups, index.retriever.vocabulary())
    engine = AnswerEngine(index, analyzer, questions, max_citations=settings.max_citations)
    return Core(engine, problems, settings)


def serving_settings() -> ServiceSettings:
    """The serving settings (cooldown, question log, watcher), read once at start-up."""
    from bot.service_settings import ServiceSettings

    try:
        return ServiceSettings()
    except ValidationError as error:
        raise StartupError(settings_error(error)) from None


def build_service(settings: ServiceSettings, engine: AnswerEngine) -> BotService:
    """The door the platforms ask through: cooldown and question log around the engine."""
    from bot.cooldown import Cooldown  # platforms only: `ask` does not need SQLite
    from bot.question_log import QuestionLog
    from bot.service import BotService

    salt = settings.user_hash_salt.get_secret_value() if settings.user_hash_salt else None
    return BotService(
        engine,
        Cooldown(settings.cooldown_questions, settings.cooldown_seconds),
        QuestionLog(settings.database_path, salt),
    )


def load_or_build_index(
    settings: BotSettings, analyzer: FrenchAnalyzer
) -> tuple[PassageIndex, tuple[CorpusProblem, ...]]:
    """The saved index if the corpus has not changed, else a new one (then saved)."""
    key = corpus_key(settings.corpus_dir)
    saved = load_index(settings.index_cache_dir, key)
    if saved is not None:
        return saved
    corpus = load_corpus(settings.corpus_dir)
    if not corpus.articles:
        for problem in corpus.problems:
            log.warning("Article ignoré : %s", problem)
        raise StartupError(
            f"aucun article lisible dans {settings.corpus_dir} : ajoutez des fichiers .md "
            "(voir le README, « Ajouter un article »)"
        )
    index = build_index(corpus.articles, analyzer)
    save_index(index, corpus.problems, settings.index_cache_dir, key)
    return index, corpus.problems
