"""The Slack app manifests: minimal by default, the full variant for ask channels,
follow-ups and group DMs; every event subscribed has its scope, the code handles every
event a manifest subscribes to, and `emad-bot slack manifest` prints them from the
installed package."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import yaml

from adapters.slack.manifest import manifest
from bot.answer.engine import AnswerEngine
from tests.conftest import ROOT
from tests.test_slack import Harness, scenario

# Slack's own table (api.slack.com/events): the scope each message event needs.
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.mpim": "mpim:history",
}
HISTORY = {"channels:history", "groups:history", "mpim:history"}
VARIANTS = [(full, url) for full in (False, True) for url in (None, "https://bot.example.org")]


@pytest.mark.parametrize(("full", "url"), VARIANTS)
def test_every_subscribed_event_has_its_scope(full: bool, url: str | None) -> None:
    found = manifest(full, url)
    scopes = set(found["oauth_config"]["scopes"]["bot"])
    events = found["settings"]["event_subscriptions"]["bot_events"]
    assert {EVENT_SCOPES[event] for event in events} <= scopes
    assert {"commands", "chat:write"} <= scopes
    (command,) = found["features"]["slash_commands"]
    assert command["command"] == "/emad" and command["should_escape"] is True  # @jean: markup, not words
    assert found["settings"]["interactivity"]["is_enabled"]  # the buttons
    assert (scopes >= HISTORY) is full and bool(HISTORY & scopes) is full  # minimal: no history at all
    assert {"app_mention", "message.im"} <= set(events)
    assert found["settings"]["socket_mode_enabled"] is (url is None)
    if url:
        assert json.dumps(found).count(f"{url}/slack/events") == 3 and "YOUR-HOST" not in json.dumps(found)


def test_the_code_handles_every_event_the_full_manifest_subscribes_to(engine: AnswerEngine) -> None:
    events = manifest(full=True)["settings"]["event_subscriptions"]["bot_events"]
    kinds = {"message.im": "im", "message.channels": "channel", "message.groups": "group",
             "message.mpim": "mpim"}  # fmt: skip

    async def body(h: Harness) -> None:
        for number, event in enumerate(events):
            payload = {"type": event.split(".")[0], "user": "U1", "text": "bonjour", "channel": "C1",
                       "ts": f"{time.time():.6f}", "channel_type": kinds.get(event, "channel")}  # fmt: skip
            assert await h.event(payload, f"Ev{number}") == 200, event  # a listener took it
        assert await h.event({"type": "reaction_added", "user": "U1"}, "EvX") == 404  # none would

    scenario(engine, body)


def emad_bot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)})  # fmt: skip


def test_emad_bot_slack_manifest_prints_the_minimal_or_the_full_one() -> None:
    minimal = emad_bot("slack", "manifest")
    assert minimal.returncode == 0, minimal.stderr
    assert yaml.safe_load(minimal.stdout) == manifest()
    full = emad_bot("slack", "manifest", "--full", "--http", "https://bot.example.org/")
    assert yaml.safe_load(full.stdout) == manifest(True, "https://bot.example.org")
    refused = emad_bot("slack", "manifest", "--http", "http://bot.example.org")
    assert refused.returncode == 2 and "https://" in refused.stderr and not refused.stdout


def test_emad_bot_env_example_prints_the_env_example() -> None:
    printed = emad_bot("env-example")
    assert printed.returncode == 0 and printed.stdout == (ROOT / ".env.example").read_text(encoding="utf-8")
