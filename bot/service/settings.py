"""The serving settings (`BOT_*` too): cooldown, question log, corpus watcher.

Kept apart from `BotSettings` so that `emad-bot ask` reads (and imports) only what
answering needs; read once when a command that serves platforms starts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_path() -> Path:
    """systemd's $STATE_DIRECTORY when the service unit sets it, else the user's state
    folder (~/.local/state/emad-bot on Linux): never inside the installed package."""
    state = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
    folder = Path(state) if state else platformdirs.user_state_path("emad-bot")
    return folder / "questions.sqlite3"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    cooldown_questions: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=60.0, gt=0)
    database_path: Path = Field(default_factory=default_database_path)
    user_hash_salt: SecretStr | None = None  # default: a random salt kept in the database
    watch_corpus: bool = True
    log_retention_days: float = Field(default=90, gt=0)  # older questions are deleted from the log
    shutdown_seconds: float = Field(default=20.0, ge=0)  # on SIGTERM, to finish what was acknowledged
    health_host: str = "127.0.0.1"
    health_port: int | None = Field(default=None, ge=0, le=65535)  # /healthz and /metrics; off unless set
    liveness_seconds: float = Field(default=30.0, gt=0)  # a platform socket silent this long: not connected
    chat_add: bool = (
        False  # `/emad ajouter <lien>` for maintainers (SLACK_MAINTAINERS, Discord: Manage Server)
    )
    add_at_once: int = Field(default=2, ge=1)  # pages read at once for /emad ajouter; more are refused
    add_allow_private_addresses: bool = False  # let chat fetch private/loopback addresses (tests only)

    @classmethod
    def ignoring_env_file(cls, **values: Any) -> ServiceSettings:
        """Settings from the environment and `values` only, not `.env` (tests)."""
        return cls(_env_file=None, **values)  # type: ignore[call-arg]
