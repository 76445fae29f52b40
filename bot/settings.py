"""The core's settings, read once at start-up from the environment or `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BotSettings(BaseSettings):
    """`BOT_*` settings: where the articles are and how many citations a reply shows."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus")
    index_dir: Path | None = None  # default: `.index/` inside the corpus folder
    synonyms_file: Path | None = None
    max_citations: int = Field(default=3, ge=1, le=5)
    log_level: str = "INFO"
    cooldown_questions: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=60.0, gt=0)
    database_path: Path = Field(default=PROJECT_ROOT / "data" / "questions.sqlite3")
    user_hash_salt: SecretStr | None = None  # default: a random salt kept in the database
    watch_corpus: bool = True

    @classmethod
    def ignoring_env_file(cls, **values: Any) -> BotSettings:
        """Settings from the environment and `values` only, not `.env` (tests, benchmarks)."""
        return cls(_env_file=None, **values)  # type: ignore[call-arg]

    @property
    def index_cache_dir(self) -> Path:
        return self.index_dir or self.corpus_dir / ".index"
