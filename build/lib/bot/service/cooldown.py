"""A per-user limit on questions: `max_questions` per sliding `window` seconds.

Each user has their own count, so one user's flood never slows the others. Old
entries are pruned as the table grows, so memory stays bounded.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

PRUNE_ABOVE = 10_000  # users tracked before forgetting the quiet ones


class Cooldown:
    def __init__(
        self, max_questions: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max, self._window, self._clock = max_questions, window, clock
        self._asked: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, user: str) -> float | None:
        """None if `user` may ask now (and counts it), else the seconds to wait."""
        now = self._clock()
        with self._lock:
            asked = self._asked.setdefault(user, deque())
            while asked and asked[0] <= now - self._window:
                asked.popleft()
            if len(asked) >= self._max:
                return asked[0] + self._window - now
            asked.append(now)
            if len(self._asked) > PRUNE_ABOVE:
                self._prune(now)
            return None

    def _prune(self, now: float) -> None:
        for user in [u for u, asked in self._asked.items() if not asked or asked[-1] <= now - self._window]:
            del self._asked[user]
