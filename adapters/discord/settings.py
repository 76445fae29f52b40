"""`DISCORD_*` settings, read once at start-up. The token is a secret, never logged."""

from __future__ import annotations

import base64
import binascii

from pydantic import SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.service.community import ChannelRules, channel_ids

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
    answers_for_asker_only: bool = False  # /emad answers seen by the asker alone (with a share button)
    allow_channels: str = ""  # channel ids, comma-separated: if set, public posts go only there
    deny_channels: str = ""  # channel ids, comma-separated: never a public post there
    maintainers_channel: str = ""  # a channel id: refused questions and 👎 are announced there

    @property
    def ask_channel_ids(self) -> frozenset[int]:
        return frozenset(int(c) for c in channel_ids(self.ask_channels))

    @property
    def channel_rules(self) -> ChannelRules:
        return ChannelRules(channel_ids(self.allow_channels), channel_ids(self.deny_channels))

    @property
    def maintainers_channel_id(self) -> int | None:
        return int(self.maintainers_channel) if self.maintainers_channel.strip() else None

    @field_validator("ask_channels", "allow_channels", "deny_channels", "maintainers_channel")
    @classmethod
    def _channels_are_ids(cls, value: str, info: ValidationInfo) -> str:
        name = f"DISCORD_{str(info.field_name).upper()}"
        if any(not c.isdigit() for c in channel_ids(value)):
            raise ValueError(
                f"{name} doit être une liste d'identifiants de salons séparés par des virgules "
                "(clic droit sur le salon → Copier l'identifiant, mode développeur)"
            )
        if info.field_name == "maintainers_channel" and len(channel_ids(value)) > 1:
            raise ValueError(f"{name} : un seul salon")
        return value.strip() if info.field_name == "maintainers_channel" else value

    @model_validator(mode="after")
    def _ask_channels_are_public(self) -> DiscordSettings:
        for channel in sorted(channel_ids(self.ask_channels)):
            if not self.channel_rules.may_post_in(channel):
                raise ValueError(
                    f"DISCORD_ASK_CHANNELS : le salon {channel} est exclu par DISCORD_ALLOW_CHANNELS "
                    "ou DISCORD_DENY_CHANNELS, où le bot ne répond pas publiquement"
                )
        return self

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
