"""`SLACK_*` settings, read once at start-up. Tokens are secrets and never logged."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.service.community import ChannelRules, channel_ids

SLACK_API_URL = "https://slack.com/api/"


_SIGNING_SECRET = re.compile(r"[0-9a-f]{32}")  # Basic Information > App Credentials
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")  # public (C…) or private (G… or C…) channels


def _present(value: SecretStr | None, name: str) -> str | None:
    """The secret's text; a setting given but blank is an error, never "not configured"."""
    if value is None:
        return None
    text = value.get_secret_value()
    if not text.strip():
        raise ValueError(f"{name} est vide : donnez sa valeur, ou retirez la ligne")
    return text


def _prefixed(value: SecretStr | None, prefix: str, name: str) -> SecretStr | None:
    text = _present(value, name)
    if text is not None and (not text.startswith(prefix) or len(text) <= len(prefix)):
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
    allow_channels: str = ""  # channel ids, comma-separated: if set, public posts go only there
    deny_channels: str = ""  # channel ids, comma-separated: never a public post there
    maintainers_channel: str = ""  # a channel id: refused questions and 👎 are announced there

    @property
    def channel_rules(self) -> ChannelRules:
        return ChannelRules(channel_ids(self.allow_channels), channel_ids(self.deny_channels))

    @field_validator("ask_channels", "allow_channels", "deny_channels", "maintainers_channel")
    @classmethod
    def _channel_ids(cls, value: str, info: ValidationInfo) -> str:
        name = f"SLACK_{str(info.field_name).upper()}"
        for channel in channel_ids(value):
            if not _CHANNEL_ID.fullmatch(channel):
                raise ValueError(
                    f"{name} : « {channel} » n'est pas un identifiant de salon Slack (C…, G…), "
                    "à copier depuis les détails du salon ; séparez-les par des virgules"
                )
        if info.field_name == "maintainers_channel" and len(channel_ids(value)) > 1:
            raise ValueError(f"{name} : un seul salon")
        return value

    @model_validator(mode="after")
    def _ask_channels_are_public(self) -> SlackSettings:
        for channel in sorted(self.ask_channel_ids):
            if not self.channel_rules.may_post_in(channel):
                raise ValueError(
                    f"SLACK_ASK_CHANNELS : le salon {channel} est exclu par SLACK_ALLOW_CHANNELS "
                    "ou SLACK_DENY_CHANNELS, où le bot ne répond pas publiquement"
                )
        return self

    @property
    def ask_channel_ids(self) -> frozenset[str]:
        return channel_ids(self.ask_channels)

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

    @field_validator("signing_secret")
    @classmethod
    def _signing_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        text = _present(value, "SLACK_SIGNING_SECRET")
        if text is not None and not _SIGNING_SECRET.fullmatch(text):
            raise ValueError(
                "SLACK_SIGNING_SECRET doit être le « Signing Secret » de l'application "
                "(32 caractères hexadécimaux, page Basic Information), pas un jeton"
            )
        return value

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
