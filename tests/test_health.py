"""`/healthz` and `/metrics` of the real `emad-bot run` process, against the fake Slack
and Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from pathlib import Path

import aiohttp

from tests.conftest import ROOT
from tests.fake_discord import FakeDiscord
from tests.fake_slack import FakeSlack
from tests.test_run import CLEAN_ENV
from tests.test_slack import texts

HEALTH = re.compile(r"Santé et métriques sur (http://127\.0\.0\.1:\d+)")


def both_platforms(slack: FakeSlack, discord: FakeDiscord, tmp_path: Path) -> dict[str, str]:
    """`emad-bot run` against both fakes, with /healthz and /metrics on a free port."""
    return CLEAN_ENV | {
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": f"{slack.url}/api/",
        "DISCORD_TOKEN": "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token", "DISCORD_API_URL": f"{discord.url}/api/v10",
        "DISCORD_GATEWAY_URL": discord.url.replace("http", "ws") + "/gateway",
        "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3"), "BOT_INDEX_DIR": str(tmp_path / "index"),
        "BOT_HEALTH_PORT": "0",
    }  # fmt: skip


async def start(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str, list[str]]:
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []
    assert bot.stderr is not None
    while True:
        raw = await asyncio.wait_for(bot.stderr.readline(), 60)
        assert raw, "".join(lines)
        lines.append(raw.decode())
        if found := HEALTH.search(lines[-1]):
            break

    async def drain() -> None:
        assert bot.stderr is not None
        async for raw in bot.stderr:
            lines.append(raw.decode())

    asyncio.get_running_loop().create_task(drain())
    return bot, found.group(1), lines


async def healthz(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, object]]:
    async with session.get(f"{url}/healthz") as response:
        return response.status, json.loads(await response.text())


def test_healthz_turns_200_when_both_platforms_connect_and_metrics_count_questions(tmp_path: Path) -> None:
    async def main() -> None:
        slack, discord = await FakeSlack().start(), await FakeDiscord().start()
        env = both_platforms(slack, discord, tmp_path) | {"BOT_LOG_FORMAT": "json"}
        bot, url, lines = await start(env)
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(300):
                    status, report = await healthz(session, url)
                    if status == 200:
                        break
                    await asyncio.sleep(0.1)
                assert status == 200 and report["platforms"] == {"Slack": True, "Discord": True}, report
                assert report["index"] == {"loaded": True, "passages": 28}
                command = {"command": "/emad", "text": "qui a financé Stability AI ?", "user_id": "U1",
                           "channel_id": "C1", "team_id": "T1", "trigger_id": "t1",
                           "response_url": f"{slack.url}/respond/1"}  # fmt: skip
                await slack.envelopes.put({"envelope_id": "e1", "type": "slash_commands", "payload": command})
                (response,) = await slack.wait_for("response_url", timeout=30)
                assert "Coatue" in texts(response.body["blocks"])
                async with session.get(f"{url}/metrics") as metrics:
                    shown = await metrics.text()
                answered = r'emad_bot_questions_total\{kind="(answer|closest)",platform="slack"\} 1.0'
                assert re.search(answered, shown)
                assert 'emad_bot_platform_connected{platform="discord"} 1.0' in shown  # lower case everywhere
                assert "process_resident_memory_bytes" in shown
                assert "emad_bot_index_passages 28.0" in shown and "emad_bot_answer_seconds_bucket" in shown
            asked = [json.loads(line) for line in lines if '"question ' in line]
            assert asked and asked[0]["platform"] == "slack" and asked[0]["channel"] == "C1"
            assert isinstance(asked[0]["question_id"], int)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 30) == 0
            await slack.stop()
            await discord.stop()

    asyncio.run(main())


def test_healthz_says_which_platform_is_not_connected(tmp_path: Path) -> None:
    async def main() -> None:
        slack, discord = await FakeSlack().start(), await FakeDiscord().start()
        env = both_platforms(slack, discord, tmp_path) | {"DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway"}
        bot, url, lines = await start(env)
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(300):
                    assert bot.returncode is None, "".join(lines)
                    status, report = await healthz(session, url)
                    if report["platforms"] == {"Slack": True, "Discord": False}:
                        break
                    await asyncio.sleep(0.1)
                assert status == 503 and report["status"] == "degraded"
                assert report["platforms"] == {"Slack": True, "Discord": False}
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
            await slack.stop()
            await discord.stop()

    asyncio.run(main())


def test_a_gateway_that_stops_acknowledging_heartbeats_is_not_ok(tmp_path: Path) -> None:
    async def main() -> None:
        slack, discord = await FakeSlack().start(), await FakeDiscord(heartbeat_ms=300).start()
        env = both_platforms(slack, discord, tmp_path) | {"BOT_LIVENESS_SECONDS": "2"}
        bot, url, lines = await start(env)

        async def until(platforms: dict[str, bool]) -> dict[str, object]:
            async with aiohttp.ClientSession() as session:
                while True:
                    assert bot.returncode is None, "".join(lines)
                    status, report = await healthz(session, url)
                    if report["platforms"] == platforms:
                        return report | {"http": status}
                    beats = len(discord.of("GATEWAY op 1")) + 1
                    await discord.wait_for("GATEWAY op 1", count=beats, timeout=30)  # the next heartbeat

        try:
            assert (await asyncio.wait_for(until({"Slack": True, "Discord": True}), 60))["http"] == 200
            discord.acknowledge_heartbeats = False  # the gateway goes silent, the socket stays open
            # within 30 s (discord.py alone would notice after 60 s)
            silent = await asyncio.wait_for(until({"Slack": True, "Discord": False}), 30)
            assert silent["http"] == 503 and silent["status"] == "degraded"
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
            await slack.stop()
            await discord.stop()

    asyncio.run(main())
