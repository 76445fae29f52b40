"""`emad-bot run` as a process: both platforms served at once against local fakes
(loopback only), a clean exit 0 on SIGTERM; with no tokens, the terminal harness."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.fake_discord import BOT_USER, FakeDiscord, message_payload
from tests.fake_slack import FakeSlack
from tests.test_slack import texts

CLEAN_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}


def test_run_serves_slack_and_discord_together_then_stops_cleanly(tmp_path: Path) -> None:
    async def main() -> None:
        slack, discord = await FakeSlack().start(), await FakeDiscord().start()
        env = CLEAN_ENV | {
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_API_URL": f"{slack.url}/api/",
            "DISCORD_TOKEN": "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token",
            "DISCORD_API_URL": f"{discord.url}/api/v10",
            "DISCORD_GATEWAY_URL": discord.url.replace("http", "ws") + "/gateway",
            "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3"), "BOT_INDEX_DIR": str(tmp_path / "index"),
        }  # fmt: skip
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await discord.wait_for("GATEWAY op 2", timeout=60)  # IDENTIFY
            (identify,) = discord.of("GATEWAY op 2")
            assert identify.body["intents"] == (1 << 0) | (1 << 9) | (1 << 12)  # guilds, messages, DMs only
            await slack.wait_for("apps.connections.open", timeout=60)

            command = {
                "command": "/emad", "text": "qui a financé Stability AI ?", "user_id": "U1",
                "channel_id": "C1", "team_id": "T1", "response_url": f"{slack.url}/respond/1",
            }  # fmt: skip
            await slack.envelopes.put({"envelope_id": "e1", "type": "slash_commands", "payload": command})
            (response,) = await slack.wait_for("response_url", timeout=30)
            assert "Coatue" in texts(response.body["blocks"])

            asked = message_payload(f"<@{BOT_USER['id']}> qui a financé Stability AI ?", mentions=[BOT_USER])
            await discord.dispatches.put(("MESSAGE_CREATE", asked))
            (sent,) = await discord.wait_for("POST /channels/3001/messages", timeout=30)
            assert "Coatue" in str(sent.body["embeds"])

            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 15)
            _, err = await bot.communicate()
            assert code == 0, err.decode()
            log = err.decode()
            assert "platform=slack" in log and "platform=discord" in log
            assert "xoxb-test" not in log and "xapp-test" not in log and "fake.token" not in log
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
            await slack.stop()
            await discord.stop()

    asyncio.run(main())


def test_run_without_tokens_says_what_to_set_and_opens_the_harness(tmp_path: Path) -> None:
    async def main() -> None:
        env = CLEAN_ENV | {"BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3")}
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(bot.communicate("Qui a financé Stability AI ?\n".encode()), 60)
        assert bot.returncode == 0, err.decode()
        text = out.decode()
        assert "Aucune plateforme configurée" in text
        assert "SLACK_BOT_TOKEN" in text and "DISCORD_TOKEN" in text
        assert "Coatue" in text

    asyncio.run(main())


def test_discord_sync_publishes_the_command_to_one_guild(tmp_path: Path) -> None:
    async def main() -> None:
        discord = await FakeDiscord().start()
        env = CLEAN_ENV | {
            "DISCORD_TOKEN": "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token",
            "DISCORD_API_URL": f"{discord.url}/api/v10",
            "BOT_INDEX_DIR": str(tmp_path / "index"),
        }
        try:
            sync = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "discord", "sync", "--guild", "1600000000000000006",
                cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(sync.communicate(), 60)
            assert sync.returncode == 0, err.decode()
            assert "synchronisée sur le serveur 1600000000000000006 (1 commande(s))" in out.decode()
            (put,) = discord.of("PUT /applications/1100000000000000001/guilds/1600000000000000006/commands")
            (command,) = put.body["items"]
            assert command["name"] == "emad" and command["options"][0]["name"] == "question"
            assert command["options"][0]["min_length"] == 1 and command["options"][0]["max_length"] == 1000
            assert command["description"].startswith("Poser une question")  # French first
            assert command["description_localizations"]["en-US"].startswith("Ask about")
            assert not discord.of("GATEWAY")  # syncing does not connect to the gateway
            clear = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "discord", "sync", "--guild", "1600000000000000006", "--clear",
                cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(clear.communicate(), 60)
            assert clear.returncode == 0, err.decode()
            assert "retirée sur le serveur 1600000000000000006 (0 commande(s) restante(s))" in out.decode()
            cleared = discord.of("PUT /applications/1100000000000000001/guilds/1600000000000000006/commands")[
                -1
            ]
            assert cleared.body["items"] == []
        finally:
            await discord.stop()

    asyncio.run(main())
