"""`SLACK_*` settings, read once at start-up. Tokens are secrets and never logged."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"


def _prefixed(value: SecretStr | None, prefix: str, name: str) -> SecretStr | None:
    if value is not None and not value.get_secret_value().startswith(prefix):
        raise ValueError(f"{name} doit commencer par « {prefix} »")
    return value


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLACK_", env_file=".env", extra="ignore")

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_url: str = SLACK_API_URL
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)
    answers_for_asker_only: bool = False
    ask_channels: str = ""  # channel ids, comma-separated: every top-level message is a question
    maintainers: str = ""  # user ids, comma-separated: who may `/emad ajouter` (with BOT_CHAT_ADD)

    @property
    def ask_channel_ids(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.ask_channels.split(",") if c.strip())

    @property
    def maintainer_ids(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.maintainers.split(",") if u.strip())

    @field_validator("bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xoxb-", "SLACK_BOT_TOKEN")

    @field_validator("app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xapp-", "SLACK_APP_TOKEN")

    @field_validator("api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SLACK_API_URL doit être une URL http(s)")
        return value if value.endswith("/") else value + "/"

    @property
    def mode(self) -> str | None:
        """`"socket"`, `"http"`, or None when the settings enable neither."""
        if self.bot_token and self.app_token:
            return "socket"
        if self.bot_token and self.signing_secret:
            return "http"
        return None
