"""`DISCORD_*` settings, read once at start-up. The token is a secret, never logged."""

from __future__ import annotations

import base64
import binascii

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DISCORD_API_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DISCORD_", env_file=".env", extra="ignore")

    token: SecretStr | None = None
    application_id: int | None = None
    api_url: str = DISCORD_API_URL  # for Discord-compatible endpoints
    gateway_url: str = DISCORD_GATEWAY_URL
    # The privileged message-content intent: ask channels and follow-ups in the bot's
    # threads without a mention. Off by default; Discord asks for verification past 100 servers.
    message_content: bool = False
    ask_channels: str = ""  # channel ids (text or forum), comma-separated; needs message_content

    @property
    def ask_channel_ids(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.ask_channels.replace(" ", "").split(",") if c)

    @field_validator("ask_channels")
    @classmethod
    def _ask_channels_are_ids(cls, value: str) -> str:
        if any(not c.isdigit() for c in value.replace(" ", "").split(",") if c):
            raise ValueError(
                "DISCORD_ASK_CHANNELS doit être une liste d'identifiants de salons séparés par des virgules"
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("DISCORD_API_URL doit être une URL http(s)")
        return value.rstrip("/")

    @field_validator("gateway_url")
    @classmethod
    def _gateway_url_shape(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("DISCORD_GATEWAY_URL doit être une URL ws(s)")
        return value

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("DISCORD_TOKEN est vide : donnez sa valeur, ou retirez la ligne")
        if value is not None and value.get_secret_value().count(".") != 2:
            raise ValueError(
                "DISCORD_TOKEN doit être le jeton du bot (trois parties séparées par des points), "
                "copié depuis l'onglet Bot du portail développeur"
            )
        return value

    def resolved_application_id(self) -> int | None:
        """The application id: the setting, or else the bot id the token starts with."""
        if self.application_id is not None:
            return self.application_id
        if self.token is None:
            return None
        first = self.token.get_secret_value().split(".", 1)[0]
        try:
            return int(base64.b64decode(first + "=" * (-len(first) % 4)).decode())
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
