"""Every setting a maintainer can set is in `.env.example` and in the README's table:
a setting added in code but not documented would exist for nobody."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings

from adapters.discord.settings import DiscordSettings
from adapters.slack.settings import SlackSettings
from bot.service.settings import ServiceSettings
from bot.settings import BotSettings
from tests.conftest import ROOT

SETTINGS: list[type[BaseSettings]] = [BotSettings, ServiceSettings, SlackSettings, DiscordSettings]
NAMES = [
    f"{cls.model_config.get('env_prefix', '')}{name}".upper() for cls in SETTINGS for name in cls.model_fields
]


@pytest.mark.parametrize("name", NAMES)
def test_each_setting_is_in_env_example_and_the_readme(name: str) -> None:
    assert f"# {name}=" in (ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"`{name}`" in (ROOT / "README.md").read_text(encoding="utf-8")
