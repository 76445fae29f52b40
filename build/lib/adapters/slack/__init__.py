"""Slack: `/emad`, mentions and DMs answered with cited Block Kit replies (slack-bolt)."""
