"""The optional parts of emad-bot (pyproject.toml's extras), and the French message a
command gives when the one it needs is not installed: which extra, and how to add it."""

from __future__ import annotations

import importlib.util

from bot.settings import StartupError


class MissingExtra(StartupError):
    """A command needs an extra that is not installed; the message says which."""


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def require(module: str, extra: str, what: str) -> None:
    """Raise `MissingExtra` (exit 1 with its message, no traceback) unless `module` is here."""
    if not installed(module):
        raise MissingExtra(
            f"{what} demande l'extra « {extra} », absent de cette installation : "
            f"pip install 'emad-bot[{extra}]' (voir le README, « Installer »)"
        )
