"""« Partager dans le salon »: a private answer offered for sharing, kept in memory
under a random token until it is shared once, or until the platform no longer lets
its button be answered (the caller's `window`). After a restart the token is
unknown, and the clicker is asked to ask again: nothing is posted that the bot
cannot vouch for.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer import messages
from bot.models import Reply

KEPT = 2_000  # offers remembered at once; the oldest go first


@dataclass(frozen=True)
class Offer:
    """A private answer that may be posted in `channel` (in `thread`, if it was asked in one)."""

    reply: Reply
    channel: str
    thread: str | None
    offered_at: float


class SharedAnswers:
    def __init__(self, clock: Callable[[], float] = time.monotonic, kept: int = KEPT) -> None:
        self._clock, self._kept = clock, kept
        self._offers: OrderedDict[str, Offer | None] = OrderedDict()  # None: shared already
        self._lock = threading.Lock()

    def offer(self, reply: Reply, channel: str, thread: str | None = None) -> str:
        """Keep `reply` for sharing in `channel`; the token its button carries."""
        token = secrets.token_urlsafe(9)
        with self._lock:
            self._offers[token] = Offer(reply, channel, thread, self._clock())
            while len(self._offers) > self._kept:
                self._offers.popitem(last=False)
        return token

    def take(self, token: str, window: float) -> Offer | str:
        """The offer to post now (taken: a second click is refused), or the French reason
        it cannot be shared."""
        with self._lock:
            if token not in self._offers:
                return messages.SHARE_EXPIRED
            offer = self._offers[token]
            if offer is None:
                return messages.SHARE_ALREADY
            if self._clock() - offer.offered_at > window:
                del self._offers[token]
                return messages.SHARE_EXPIRED
            self._offers[token] = None
            return offer

    def give_back(self, token: str, offer: Offer) -> None:
        """The post failed: the answer may be shared again."""
        with self._lock:
            self._offers[token] = offer
