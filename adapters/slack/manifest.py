"""The Slack app manifests shipped with the package: the minimal one per mode (mentions,
DMs, `/emad`, buttons) and the full variant, which adds what ask channels, follow-ups
without a mention and group DMs need. `emad-bot slack manifest [--full] [--http URL]`
prints them; imports no Slack SDK."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import yaml

PLACEHOLDER = "https://YOUR-HOST"
# What the full manifest adds: each history scope with the message event it enables.
FULL_SCOPES = {
    "channels:history": "message.channels",  # ask channels and follow-ups, public channels
    "groups:history": "message.groups",  # the same in private channels the bot is invited to
    "mpim:history": "message.mpim",  # group DMs, answered like a channel thread
}


def manifest(full: bool = False, http_url: str | None = None) -> dict[str, Any]:
    """The manifest for Socket Mode, or for HTTP at `http_url` (the public HTTPS URL
    reaching the bot; the placeholder if None and HTTP is wanted)."""
    mode = "socket" if http_url is None else "http"
    text = files("adapters.slack").joinpath(f"manifest.{mode}.yml").read_text(encoding="utf-8")
    if http_url:
        text = text.replace(PLACEHOLDER, http_url.rstrip("/"))
    found: dict[str, Any] = yaml.safe_load(text)
    if full:
        scopes = found["oauth_config"]["scopes"]["bot"]
        events = found["settings"]["event_subscriptions"]["bot_events"]
        scopes += [scope for scope in FULL_SCOPES if scope not in scopes]
        events += [event for event in FULL_SCOPES.values() if event not in events]
    return found


def manifest_text(full: bool = False, http_url: str | None = None) -> str:
    """The manifest as YAML to paste in https://api.slack.com/apps (From an app manifest)."""
    mode = "HTTP" if http_url else "Socket Mode"
    variant = "complet" if full else "minimal"
    header = f"# Manifeste Slack d'emad-bot ({mode}, {variant}) : à coller dans https://api.slack.com/apps\n"
    body = yaml.safe_dump(manifest(full, http_url), allow_unicode=True, sort_keys=False, width=100)
    return header + body
