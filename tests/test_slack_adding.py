"""`/emad ajouter <lien>` on Slack, through the real Bolt app with signed requests: a
listed maintainer gets the preview privately and confirms it with a button; anyone else,
or a bot with the feature off, gets a private refusal and nothing is fetched or written."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

from bot.answer.engine import AnswerEngine
from bot.service import article_intake
from bot.service.article_intake import ArticleIntake
from bot.service.bot_service import BotService
from tests.test_slack import Harness, scenario


def with_intake(engine: AnswerEngine, corpus: Path, **options: Any) -> BotService:
    return BotService(engine, intake=ArticleIntake(corpus, 2_000_000, **options))


async def click(h: Harness, element: dict[str, Any], user: str = "U1") -> None:
    payload = {
        "type": "block_actions", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
        "token": "x", "trigger_id": "1.2", "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1", "is_ephemeral": True},
        "response_url": f"{h.slack.url}/respond/2",
        "actions": [element | {"block_id": "b", "action_ts": "1.3"}],
    }  # fmt: skip
    assert await h.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                        "application/x-www-form-urlencoded") == 200  # fmt: skip


def test_a_maintainer_previews_privately_then_confirms_and_the_article_is_written(
    engine: AnswerEngine, corpus: Path, site: str
) -> None:
    service = with_intake(engine, corpus, allow_private_addresses=True)

    async def body(h: Harness) -> None:
        await h.command(f"ajouter <{site}/article.html>")
        (preview,) = await h.slack.wait_for("response_url")
        assert preview.body["response_type"] == "ephemeral"
        shown = json.dumps(preview.body["blocks"], ensure_ascii=False)
        assert "Gaspard Lenoir nommé directeur financier" in shown and "Le Quotidien Tech" in shown
        assert not list(corpus.glob("002_*.md"))
        (actions,) = [b for b in preview.body["blocks"] if b["type"] == "actions"]
        assert [e["text"]["text"] for e in actions["elements"]] == ["Ajouter", "Annuler"]
        await click(h, actions["elements"][0])
        done = (await h.slack.wait_for("response_url", count=2))[1]
        assert done.body["replace_original"] is True and done.body["response_type"] == "ephemeral"
        (written,) = corpus.glob("002_*.md")
        assert written.name in done.body["text"]

    scenario(service, body, maintainers="U1")


def test_someone_not_listed_is_refused_privately_and_nothing_is_written(
    engine: AnswerEngine, corpus: Path, site: str
) -> None:
    service = with_intake(engine, corpus, allow_private_addresses=True)

    async def body(h: Harness) -> None:
        await h.command(f"ajouter {site}/article.html")
        (refused,) = await h.slack.wait_for("response_url")
        assert refused.body["response_type"] == "ephemeral"
        assert refused.body["text"] == article_intake.NOT_A_MAINTAINER

    scenario(service, body, maintainers="U2")
    assert not list(corpus.glob("002_*.md"))


def test_with_the_feature_off_the_command_says_so_and_questions_are_answered(
    engine: AnswerEngine, site: str
) -> None:
    async def body(h: Harness) -> None:
        await h.command(f"ajouter {site}/article.html")
        await h.command("qui a financé Stability AI ?")
        off, answered = await h.slack.wait_for("response_url", count=2)
        assert off.body["text"] == article_intake.NOT_ENABLED and off.body["response_type"] == "ephemeral"
        assert "Coatue" in json.dumps(answered.body["blocks"], ensure_ascii=False)

    scenario(engine, body, maintainers="U1")


def test_from_chat_a_loopback_address_is_refused_unless_the_setting_allows_it(
    engine: AnswerEngine, corpus: Path, site: str
) -> None:
    async def body(h: Harness) -> None:
        await h.command(f"ajouter {site}/article.html")
        (refused,) = await h.slack.wait_for("response_url")
        assert "adresse non publique refusée" in refused.body["text"]

    scenario(with_intake(engine, corpus), body, maintainers="U1")
    assert not list(corpus.glob("002_*.md"))


def test_trickling_pages_hold_no_answer_and_past_two_at_once_are_refused(
    engine: AnswerEngine, corpus: Path, site: str
) -> None:
    """8 proposals of pages sending a byte every 0.2 s, then 20 questions: every question
    is answered while the two pages being read still trickle; the other six are refused
    at once, politely."""
    service = with_intake(engine, corpus, allow_private_addresses=True, fetch_seconds=15, at_once=2)

    async def body(h: Harness) -> None:
        for _ in range(8):
            await h.command(f"ajouter <{site}/goutte.html>")
        busy = await h.slack.wait_for("response_url", count=6, timeout=30)
        assert all("réessayez dans un moment" in r.body["text"] for r in busy)
        for n in range(20):
            await h.command(f"qui a financé Stability AI ? ({n})")
        answered = await h.slack.wait_for("response_url", count=26, timeout=60)
        replies = [r.body for r in answered[6:]]
        assert sum("Coatue" in json.dumps(r, ensure_ascii=False) for r in replies) == 20
        assert not any("Article non ajouté" in str(r.get("text")) for r in replies)  # still reading

    scenario(service, body, maintainers="U1")
