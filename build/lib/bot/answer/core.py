"""The answer core as one value: what `bootstrap.build_core` builds and rebuilds."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.engine import AnswerEngine
from bot.corpus.articles import CorpusProblem
from bot.settings import BotSettings


@dataclass(frozen=True)
class Core:
    """The engine, the articles that could not be read, and the settings it was built from."""

    engine: AnswerEngine
    problems: tuple[CorpusProblem, ...]
    settings: BotSettings
