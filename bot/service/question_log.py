"""Every question, its reply and its feedback, in SQLite, for `emad-bot stats`.

WAL mode and one commit per write, so a killed process loses nothing already
answered. Users are stored only as a salted hash. A corrupt, locked or missing
database never stops the bot from answering: the problem is logged, and the
question goes unrecorded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.models import Reply

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at REAL NOT NULL,
    platform TEXT NOT NULL,
    user_hash TEXT,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    citations TEXT NOT NULL,
    latency_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at REAL NOT NULL,
    PRIMARY KEY (question_id, user_hash)
);
"""


@dataclass(frozen=True)
class Stats:
    most_asked: list[tuple[str, int]]
    unanswered: list[tuple[str, int]]
    worst_rated: list[tuple[str, int, int]]  # question, 👍, 👎


class QuestionLog:
    def __init__(self, path: Path, salt: str | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._salt = salt

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self._path, check_same_thread=False, timeout=2)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            if self._salt is None:
                connection.execute(
                    "INSERT OR IGNORE INTO settings VALUES ('salt', ?)", (secrets.token_hex(16),)
                )
                connection.commit()
                row = connection.execute("SELECT value FROM settings WHERE name='salt'").fetchone()
                self._salt = str(row[0])
            self._connection = connection
        return self._connection

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._connect()
            with connection:  # one transaction, committed on success
                yield connection

    def user_hash(self, platform: str, user: str) -> str:
        return hashlib.sha256(f"{self._salt}:{platform}:{user}".encode()).hexdigest()[:32]

    def record(self, platform: str, user: str | None, reply: Reply, latency_ms: float) -> int | None:
        """Store a question and its reply; its id, or None if the database failed."""
        citations = json.dumps([c.passage_id for c in reply.citations])
        try:
            with self._writing() as db:
                who = self.user_hash(platform, user) if user else None
                cursor = db.execute(
                    "INSERT INTO questions (asked_at, platform, user_hash, question, kind, citations,"
                    " latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), platform, who, reply.question, reply.kind.value, citations, latency_ms),
                )
                return cursor.lastrowid
        except sqlite3.Error as error:
            self._forget_broken(error)
            return None

    def feedback(self, question_id: int, platform: str, user: str, vote: int) -> bool:
        """Record 👍 (1) or 👎 (-1); a user's later vote replaces the earlier one."""
        try:
            with self._writing() as db:
                exists = db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone()
                if not exists:
                    return False
                db.execute(
                    "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?)",
                    (question_id, self.user_hash(platform, user), 1 if vote > 0 else -1, time.time()),
                )
                return True
        except sqlite3.Error as error:
            self._forget_broken(error)
            return False

    def stats(self, limit: int = 10) -> Stats:
        with self._lock:
            db = self._connect()
            most = db.execute(
                "SELECT lower(question), count(*) n FROM questions WHERE question != ''"
                " GROUP BY lower(question) ORDER BY n DESC, 1 LIMIT ?",
                (limit,),
            ).fetchall()
            unanswered = db.execute(
                "SELECT lower(question), count(*) n FROM questions WHERE kind = 'not_found'"
                " AND question != '' GROUP BY lower(question) ORDER BY n DESC, 1 LIMIT ?",
                (limit,),
            ).fetchall()
            worst = db.execute(
                "SELECT q.question, sum(f.vote > 0), sum(f.vote < 0) FROM feedback f"
                " JOIN questions q ON q.id = f.question_id GROUP BY q.id"
                " HAVING sum(f.vote < 0) > 0 ORDER BY sum(f.vote) ASC, 3 DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return Stats(
            [(q, n) for q, n in most], [(q, n) for q, n in unanswered], [(q, u, d) for q, u, d in worst]
        )

    def _forget_broken(self, error: sqlite3.Error) -> None:
        log.error("Journal des questions indisponible (%s) : %s ; la réponse est donnée quand même",
                  self._path, error)  # fmt: skip
        if self._connection is not None:
            self._connection.close()
            self._connection = None  # reconnect at the next write

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
