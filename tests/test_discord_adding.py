"""`/emad question:ajouter <lien>` on Discord, raw gateway payloads through discord.py
against a fake Discord on 127.0.0.1: a member with Manage Server gets the preview
privately and confirms it with a button; anyone else is refused privately and nothing is
fetched or written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.discord.client import EmadClient
from bot.answer.engine import AnswerEngine
from bot.service import article_intake
from bot.service.article_intake import ArticleIntake
from bot.service.bot_service import BotService
from tests.fake_discord import (
    BOT_USER,
    FakeDiscord,
    button_click_payload,
    message_payload,
    slash_command_payload,
)
from tests.test_discord import discord_at_loopback, embed_text, scenario  # noqa: F401 - a fixture

MANAGE_SERVER = str(1 << 5)
EPHEMERAL = 64


def as_member(payload: dict[str, Any], permissions: str) -> dict[str, Any]:
    payload["member"] = payload["member"] | {"permissions": permissions}
    return payload


def test_a_server_manager_previews_privately_then_confirms_and_the_article_is_written(
    engine: AnswerEngine, corpus: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BotService(engine, intake=ArticleIntake(corpus, 2_000_000, allow_private_addresses=True))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        command = as_member(slash_command_payload(f"ajouter {site}/article.html"), MANAGE_SERVER)
        client._connection.parse_interaction_create(command)
        (deferred,) = await fake.wait_for("/callback")
        assert deferred.body["type"] == 5 and deferred.body["data"]["flags"] & EPHEMERAL
        (preview,) = await fake.wait_for(f"POST /webhooks/{command['application_id']}/{command['token']}")
        assert preview.body["flags"] & EPHEMERAL
        shown = embed_text(preview.body["embeds"][0])
        assert "Gaspard Lenoir nommé directeur financier" in shown and "Le Quotidien Tech" in shown
        buttons = preview.body["components"][0]["components"]
        assert [b["label"] for b in buttons] == ["Ajouter", "Annuler"]
        assert not list(corpus.glob("002_*.md"))
        message = message_payload("", author=BOT_USER) | {
            "embeds": preview.body["embeds"], "components": preview.body["components"], "flags": EPHEMERAL,
        }  # fmt: skip
        outsider = button_click_payload(buttons[0]["custom_id"], message)  # no Manage Server
        client._connection.parse_interaction_create(outsider)
        refused = (await fake.wait_for("/callback", count=2))[1]
        assert refused.body["data"]["content"] == article_intake.NOT_A_MAINTAINER
        assert not list(corpus.glob("002_*.md"))
        click = as_member(button_click_payload(buttons[0]["custom_id"], message), MANAGE_SERVER)
        client._connection.parse_interaction_create(click)
        done = (await fake.wait_for("/callback", count=3))[2]
        assert done.body["type"] == 7  # the private preview becomes the outcome
        (written,) = corpus.glob("002_*.md")
        assert written.name.replace("_", "\\_") in done.body["data"]["content"]
        assert done.body["data"]["components"] == [] and done.body["data"]["embeds"] == []

    scenario(service, body, monkeypatch)


def test_a_member_without_manage_server_is_refused_privately(
    engine: AnswerEngine, corpus: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BotService(engine, intake=ArticleIntake(corpus, 2_000_000, allow_private_addresses=True))

    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        client._connection.parse_interaction_create(slash_command_payload(f"ajouter {site}/article.html"))
        client._connection.parse_interaction_create(
            slash_command_payload(f"ajouter {site}/article.html", guild=False)  # a DM: no server to manage
        )
        callbacks = await fake.wait_for("/callback", count=2)
        for refused in callbacks:
            assert refused.body["type"] == 4 and refused.body["data"]["flags"] & EPHEMERAL
            assert refused.body["data"]["content"] == article_intake.NOT_A_MAINTAINER

    scenario(service, body, monkeypatch)
    assert not list(corpus.glob("002_*.md"))


def test_with_the_feature_off_a_server_manager_is_told_so(
    engine: AnswerEngine, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(fake: FakeDiscord, client: EmadClient) -> None:
        command = as_member(slash_command_payload(f"ajouter {site}/article.html"), MANAGE_SERVER)
        client._connection.parse_interaction_create(command)
        (off,) = await fake.wait_for("/callback")
        assert off.body["data"]["content"] == article_intake.NOT_ENABLED and off.body["data"]["flags"] & 64

    scenario(engine, body, monkeypatch)
