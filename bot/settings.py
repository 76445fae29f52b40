"""The core's settings, read once at start-up from the environment or from `.env` in
the current directory (one rule, wherever the bot is installed; the environment wins).
No default depends on where the package is installed: the corpus is `corpus/` in the
current directory unless BOT_CORPUS_DIR says otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class StartupError(RuntimeError):
    """The bot cannot start; the message says what to fix, in French."""


class BotSettings(BaseSettings):
    """`BOT_*` settings: where the articles are and how many citations a reply shows."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Path("corpus")  # relative to the current directory, wherever the bot is installed
    index_dir: Path | None = None  # default: `.index/` inside the corpus folder
    synonyms_file: Path | None = None
    selector_model: Path | None = None  # default: the model shipped in bot/data/ (emad-bot train)
    max_citations: int = Field(default=3, ge=1, le=5)
    max_article_bytes: int = Field(default=2_000_000, ge=1_000)  # a bigger article is left out, named
    fetch_seconds: float = Field(default=20.0, gt=0)  # a page's whole fetch, for add and /emad ajouter
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line

    @classmethod
    def ignoring_env_file(cls, **values: Any) -> BotSettings:
        """Settings from the environment and `values` only, not `.env` (tests, benchmarks)."""
        return cls(_env_file=None, **values)  # type: ignore[call-arg]

    @property
    def index_cache_dir(self) -> Path:
        return self.index_dir or self.corpus_dir / ".index"


def settings_error(error: ValidationError) -> str:
    """A settings error in French, naming each faulty setting, with no secret value."""
    lines = ["Réglages invalides :"]
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "?"
        message = problem["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's own
        lines.append(f"  - {name} : {message}")
    return "\n".join(lines)
