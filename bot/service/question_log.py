"""Every question, its reply and its feedback, in SQLite, for `emad-bot stats`.

WAL mode and one commit per write, so a killed process loses nothing already
answered. Users are stored only as a salted hash. Each thread has its own
connection, never closed by another thread. A database that cannot be opened,
created or written (corrupt, locked, a folder that cannot exist) never stops the
bot from answering: the failure is logged once, the question goes unrecorded,
and the next write tries again.

The schema is versioned with `PRAGMA user_version`; opening an older database
migrates it in place. Questions older than `retention_days` (if set) are
deleted when the log opens, and then at most once an hour.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.models import Query, Reply
from bot.service.log_file import APPLICATION_ID, check_log_file

log = logging.getLogger(__name__)
T = TypeVar("T")
PRUNE_EVERY_SECONDS = 3600
# How long a write waits for another thread's or process's transaction (SQLite's busy
# timeout): under a flood of questions, one second left some unrecorded ("locked"). A
# received question waits less: its platform is waiting for the acknowledgement (Slack:
# 3 s). While the log is failing (held by another process), writes give up at once.
BUSY_SECONDS = 10.0
RECEIVE_BUSY_SECONDS = 2.0
FAILING_BUSY_SECONDS = 0.1

# Each entry brings the schema from version n to n + 1; never edit a shipped one.
MIGRATIONS = (
    """
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
    """,
    """
    ALTER TABLE questions ADD COLUMN team TEXT;
    ALTER TABLE questions ADD COLUMN channel TEXT;
    ALTER TABLE questions ADD COLUMN thread TEXT;
    CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
    CREATE INDEX IF NOT EXISTS questions_conversation ON questions (platform, channel, thread);
    CREATE TABLE IF NOT EXISTS inbox (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        key TEXT NOT NULL,
        received_at REAL NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'answered', 'expired')),
        settled_at REAL,
        UNIQUE (platform, key)
    );
    CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (platform, state);
    """,
    """
    ALTER TABLE feedback ADD COLUMN reason TEXT;
    """,
    """
    ALTER TABLE questions ADD COLUMN windows TEXT;
    CREATE TABLE IF NOT EXISTS labels (
        question_id INTEGER NOT NULL REFERENCES questions(id),
        user_hash TEXT NOT NULL,
        position INTEGER NOT NULL,
        label INTEGER NOT NULL CHECK (label IN (0, 1)),
        labelled_at REAL NOT NULL,
        PRIMARY KEY (question_id, user_hash, position)
    );
    """,
    """
    CREATE TABLE IF NOT EXISTS announcements (key TEXT PRIMARY KEY, announced_at REAL NOT NULL);
    """,
)
# What a user's feedback says of the first citation of a confident answer.
WRONG_SOURCE_REASONS = frozenset({"mauvaise_source", "hors_sujet"})
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Stats:
    most_asked: list[tuple[str, int]]
    unanswered: list[tuple[str, int]]
    worst_rated: list[tuple[str, int, int]]  # question, 👍, 👎
    reasons: list[tuple[str, int]] = field(default_factory=list)  # why 👎, most given first


class QuestionLog:
    def __init__(self, path: Path, salt: str | None = None, retention_days: float | None = None) -> None:
        self._path = path
        self._salt = salt
        self._retention_days = retention_days
        self._local = threading.local()
        self._setup_lock = threading.Lock()
        self._write_turn = threading.Lock()
        self._pruned_at = 0.0
        self._failing = False  # a failure is logged once, until a write succeeds again
        self.unrecorded = 0  # questions answered but not noted as pending (the log failed)
        self.unlogged = 0  # replies given but not logged

    @property
    def path(self) -> Path:
        return self._path

    # Connections -----------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self._path, timeout=BUSY_SECONDS)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                with self._setup_lock:
                    self._migrate(connection)
                    self._read_salt(connection)
            except BaseException:
                connection.close()
                raise
            self._local.connection = connection
        return connection

    def check(self) -> None:
        """At start-up: refuse a log newer than this code (`StartupError`, naming it), and
        move aside a corrupt log or a stray `-wal` (`bot.service.log_file`)."""
        check_log_file(self._path, SCHEMA_VERSION)

    @staticmethod
    def _migrate(connection: sqlite3.Connection) -> None:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        for number in range(version, SCHEMA_VERSION):
            connection.executescript(
                f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;"
            )
            log.info("Journal des questions : schéma passé en version %d", number + 1)
        if int(connection.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # an emad-bot log

    def _read_salt(self, connection: sqlite3.Connection) -> None:
        if self._salt is not None:
            return
        with connection:
            connection.execute("INSERT OR IGNORE INTO settings VALUES ('salt', ?)", (secrets.token_hex(16),))
        row = connection.execute("SELECT value FROM settings WHERE name='salt'").fetchone()
        self._salt = str(row[0])

    @contextmanager
    def _writing(self, busy_seconds: float = BUSY_SECONDS) -> Iterator[sqlite3.Connection]:
        """One write transaction. This process's writers take turns (a lock: SQLite's own
        busy waiting starved some of 20 threads for seconds); another process holding
        the log is waited for up to `busy_seconds` (SQLite's busy timeout)."""
        waiting = FAILING_BUSY_SECONDS if self._failing else busy_seconds
        if not self._write_turn.acquire(timeout=waiting):
            raise sqlite3.OperationalError("journal occupé par d'autres écritures")
        try:
            connection = self._connection()
            connection.execute(f"PRAGMA busy_timeout = {int(waiting * 1000)}")
            with connection:  # one transaction, committed on success
                yield connection
        finally:
            self._write_turn.release()

    def _safely(self, what: str, write: Callable[[], T], failed: T, *, writes: bool = True) -> T:
        """Run a read or write; on any database or file failure, log it (once per outage:
        until a write succeeds again; a read may succeed while writes are locked out) and
        return `failed`, dropping this thread's connection so the next call reconnects."""
        try:
            result = write()
        except (sqlite3.Error, OSError) as error:
            connection = getattr(self._local, "connection", None)
            self._local.connection = None
            if connection is not None:
                connection.close()  # this thread's own: no other thread uses it
            if not self._failing:
                self._failing = True
                log.error("Journal des questions indisponible (%s) : %s ; %s",
                          self._path, error, what)  # fmt: skip
            return failed
        if self._failing and writes:
            self._failing = False
            log.info("Journal des questions de nouveau disponible (%s)", self._path)
        return result

    # Questions and feedback -------------------------------------------------------

    def user_hash(self, platform: str, user: str) -> str:
        return hashlib.sha256(f"{self._salt}:{platform}:{user}".encode()).hexdigest()[:32]

    def record(self, query: Query, reply: Reply, latency_ms: float) -> int | None:
        """Store a question and its reply; its id, or None if the database failed."""
        citations = json.dumps([c.passage_id for c in reply.citations])
        windows = json.dumps([[c.passage_id, *c.window] for c in reply.citations])

        def write() -> int | None:
            with self._writing() as db:
                who = self.user_hash(query.platform, query.user) if query.user else None
                cursor = db.execute(
                    "INSERT INTO questions (asked_at, platform, user_hash, question, kind, citations,"
                    " latency_ms, team, channel, thread, windows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), query.platform, who, reply.question, reply.kind.value, citations,
                     latency_ms, query.team, query.channel, query.thread, windows),
                )  # fmt: skip
                self._prune(db)
                return cursor.lastrowid

        logged = self._safely("la réponse est donnée quand même", write, None)
        if logged is None:
            self.unlogged += 1
        return logged

    def feedback(self, question_id: int, platform: str, user: str, vote: int) -> bool:
        """Record 👍 (1) or 👎 (-1); a user's later vote replaces the earlier one."""

        def write() -> bool:
            with self._writing() as db:
                exists = db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone()
                if not exists:
                    return False
                who = self.user_hash(platform, user)
                db.execute(
                    "INSERT OR REPLACE INTO feedback (question_id, user_hash, vote, voted_at)"
                    " VALUES (?, ?, ?, ?)",
                    (question_id, who, 1 if vote > 0 else -1, time.time()),
                )
                if vote > 0:  # 👍 on a confident answer: its first window answers
                    self._label_first(db, question_id, who, 1, only_kind="answer")
                return True

        return self._safely("avis non enregistré", write, False)

    @staticmethod
    def _label_first(db: sqlite3.Connection, question_id: int, who: str, label: int, only_kind: str) -> None:
        db.execute(
            "INSERT OR REPLACE INTO labels (question_id, user_hash, position, label, labelled_at)"
            " SELECT id, ?, 0, ?, ? FROM questions WHERE id = ? AND kind = ?",
            (who, label, time.time(), question_id, only_kind),
        )

    def label_window(self, question_id: int, platform: str, user: str, position: int) -> bool:
        """« C'est celui-ci »: the citation at `position` (from 0) answers the question."""

        def write() -> bool:
            with self._writing() as db:
                row = db.execute("SELECT windows FROM questions WHERE id = ?", (question_id,)).fetchone()
                if not row or not row[0] or not 0 <= position < len(json.loads(row[0])):
                    return False
                db.execute(
                    "INSERT OR REPLACE INTO labels (question_id, user_hash, position, label, labelled_at)"
                    " VALUES (?, ?, ?, 1, ?)",
                    (question_id, self.user_hash(platform, user), position, time.time()),
                )
                return True

        return self._safely("choix non enregistré", write, False)

    def window_labels(self) -> list[tuple[str, list[tuple[str, int, int]], dict[int, float]]]:
        """Each labelled question: its text, its cited windows (passage, start, end), and
        per position the share of users who said it answers. For `emad-bot learn`.
        Raises `sqlite3.Error` or `OSError` if the log cannot be read."""
        rows = (
            self._connection()
            .execute(
                "SELECT q.question, q.windows, l.position, AVG(l.label) FROM labels l"
                " JOIN questions q ON q.id = l.question_id WHERE q.windows IS NOT NULL"
                " GROUP BY l.question_id, l.position ORDER BY l.question_id"
            )
            .fetchall()
        )
        found: dict[str, tuple[str, list[tuple[str, int, int]], dict[int, float]]] = {}
        for question, windows, position, label in rows:
            entry = found.setdefault(
                f"{question}\0{windows}", (question, [tuple(w) for w in json.loads(windows)], {})
            )
            entry[2][int(position)] = float(label)
        return list(found.values())

    def feedback_reason(self, question_id: int, platform: str, user: str, reason: str) -> bool:
        """Why a user gave 👎 (hors sujet, incomplet…), on their vote for the question."""

        def write() -> bool:
            with self._writing() as db:
                who = self.user_hash(platform, user)
                cursor = db.execute(
                    "UPDATE feedback SET reason = ? WHERE question_id = ? AND user_hash = ? AND vote < 0",
                    (reason, question_id, who),
                )
                if cursor.rowcount and reason in WRONG_SOURCE_REASONS:  # its first window does not answer
                    self._label_first(db, question_id, who, 0, only_kind="answer")
                return cursor.rowcount > 0

        return self._safely("raison non enregistrée", write, False)

    def _prune(self, db: sqlite3.Connection) -> None:
        if self._retention_days is None or time.time() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.time()
        before = self._pruned_at - self._retention_days * 86_400
        for table in ("feedback", "labels"):
            old = "SELECT id FROM questions WHERE asked_at < ?"
            db.execute(f"DELETE FROM {table} WHERE question_id IN ({old})", (before,))
        deleted = db.execute("DELETE FROM questions WHERE asked_at < ?", (before,)).rowcount
        db.execute("DELETE FROM inbox WHERE state != 'pending' AND received_at < ?", (before,))
        if deleted:
            log.info("Journal des questions : %d question(s) de plus de %g jour(s) supprimée(s)",
                     deleted, self._retention_days)  # fmt: skip

    def prune(self) -> None:
        """Delete what is older than the retention now (also done on writes, hourly)."""
        self._pruned_at = 0.0
        self._safely("rétention non appliquée", lambda: self._prune_now(), None)

    def _prune_now(self) -> None:
        with self._writing() as db:
            self._prune(db)

    def stats(self, limit: int = 10, since: float | None = None, platform: str | None = None) -> Stats:
        """Most asked, unanswered and worst rated questions, asked at or after `since` (a
        timestamp) on `platform`, if given; a question counts as the same whatever its
        case ("Qui…", "QUI…", "qui…"; Unicode case folding).
        Raises `sqlite3.Error` or `OSError` if the log cannot be read."""
        db = self._connection()
        where, chosen = "", list[object]()  # the filters, and their values in order
        if since is not None:
            where, chosen = where + " AND q.asked_at >= ?", [*chosen, since]
        if platform:
            where, chosen = where + " AND q.platform = ?", [*chosen, platform]
        asked = db.execute(
            f"SELECT q.question, q.kind FROM questions q WHERE q.question != ''{where}", chosen
        ).fetchall()
        most = _most_common((q for q, _ in asked), limit)
        unanswered = _most_common((q for q, kind in asked if kind == "not_found"), limit)
        worst = db.execute(
            "SELECT q.question, sum(f.vote > 0), sum(f.vote < 0) FROM feedback f"
            f" JOIN questions q ON q.id = f.question_id WHERE 1{where} GROUP BY q.id"
            " HAVING sum(f.vote < 0) > 0 ORDER BY sum(f.vote) ASC, 3 DESC LIMIT ?",
            (*chosen, limit),
        ).fetchall()
        reasons = db.execute(
            "SELECT f.reason, count(*) FROM feedback f JOIN questions q ON q.id = f.question_id"
            f" WHERE f.vote < 0 AND f.reason IS NOT NULL{where} GROUP BY f.reason ORDER BY 2 DESC, 1",
            chosen,
        ).fetchall()
        return Stats(most, unanswered, [(q, u, d) for q, u, d in worst], [(r, n) for r, n in reasons])

    def per_day(self, since: float | None = None, platform: str | None = None) -> list[tuple[str, str, int]]:
        """(day, reply kind, questions) for each day with questions, oldest first (local
        days), with the same filters as `stats`. Raises `sqlite3.Error` or `OSError`."""
        where, chosen = "", list[object]()
        if since is not None:
            where, chosen = where + " AND asked_at >= ?", [*chosen, since]
        if platform:
            where, chosen = where + " AND platform = ?", [*chosen, platform]
        rows = self._connection().execute(
            "SELECT date(asked_at, 'unixepoch', 'localtime') AS day, kind, count(*) FROM questions"
            f" WHERE question != ''{where} GROUP BY day, kind ORDER BY day, kind",
            chosen,
        )
        return [(str(day), str(kind), int(n)) for day, kind, n in rows.fetchall()]

    def thread_askers(self, query: Query) -> list[str]:
        """The hashed users who asked in the query's thread, first asker first."""
        return [str(asker) for asker, _ in self._thread(query)]

    def earlier_questions(self, query: Query, limit: int = 3) -> list[str]:
        """The last questions asked in the same thread, oldest first (for follow-ups)."""
        return [str(question) for _, question in self._thread(query) if question][-limit:]

    def _thread(self, query: Query) -> list[tuple[object, object]]:
        """(user hash, question) of each question asked in the query's thread, in order."""
        if not query.thread or not query.channel:
            return []

        def read() -> list[tuple[object, object]]:
            rows = self._connection().execute(
                "SELECT user_hash, question FROM questions WHERE platform = ? AND channel = ? AND thread = ?"
                " ORDER BY id",
                (query.platform, query.channel, query.thread),
            )
            return [(asker, question) for asker, question in rows.fetchall()]

        return self._safely("conversation inconnue", read, [], writes=False)

    def question(self, question_id: int) -> tuple[str, str, str | None, str | None, str | None] | None:
        """A logged question's text, reply kind, team, channel and thread, or None (unknown,
        or the log failed)."""

        def read() -> tuple[str, str, str | None, str | None, str | None] | None:
            row = (
                self._connection()
                .execute(
                    "SELECT question, kind, team, channel, thread FROM questions WHERE id = ?", (question_id,)
                )
                .fetchone()
            )
            return (str(row[0]), str(row[1]), row[2], row[3], row[4]) if row else None

        return self._safely("question introuvable", read, None, writes=False)

    def announce_once(self, key: str, now: float, every: float) -> bool | None:
        """Whether `key` may be announced now (it was not within `every` seconds), noting
        it if so; None if the log cannot say (failing)."""

        def write() -> bool:
            with self._writing() as db:
                db.execute("DELETE FROM announcements WHERE announced_at <= ?", (now - every,))
                cursor = db.execute(
                    "INSERT OR IGNORE INTO announcements (key, announced_at) VALUES (?, ?)", (key, now)
                )
                return cursor.rowcount > 0

        return self._safely("annonce non notée", write, None)

    # The inbox: what was acknowledged but not yet answered --------------------------

    def receive(self, platform: str, key: str, payload: dict[str, object]) -> int | None:
        """Note an acknowledged question as pending; its ticket, or None if the same
        question (platform and key) was already received. If the log is unavailable,
        a ticket of 0: answer it, it just cannot survive a crash."""

        def write() -> int | None:
            with self._writing(RECEIVE_BUSY_SECONDS) as db:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO inbox (platform, key, received_at, payload) VALUES (?, ?, ?, ?)",
                    (platform, key, time.time(), json.dumps(payload, ensure_ascii=False)),
                )
                return cursor.lastrowid if cursor.rowcount else None

        unrecorded: int | None = 0
        ticket = self._safely("question non mise en attente", write, unrecorded)
        if ticket == unrecorded:
            self.unrecorded += 1
        return ticket

    def settle(self, ticket: int, state: str = "answered") -> None:
        """Mark a received question answered (its reply delivered) or expired."""
        if not ticket:
            return

        def write() -> None:
            with self._writing() as db:
                db.execute("UPDATE inbox SET state = ?, settled_at = ? WHERE id = ?",
                           (state, time.time(), ticket))  # fmt: skip

        self._safely("état de la question non enregistré", write, None)

    def received(self, platform: str, key: str) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            row = (
                self._connection()
                .execute("SELECT payload FROM inbox WHERE platform = ? AND key = ?", (platform, key))
                .fetchone()
            )
            return json.loads(row[0]) if row else None

        return self._safely("question reçue illisible", read, None, writes=False)

    def pending(self, platform: str) -> list[tuple[int, float, dict[str, object]]]:
        """The questions of `platform` received but never answered: (ticket, when, payload)."""

        def read() -> list[tuple[int, float, dict[str, object]]]:
            rows = (
                self._connection()
                .execute(
                    "SELECT id, received_at, payload FROM inbox WHERE platform = ? AND state = 'pending'"
                    " ORDER BY id",
                    (platform,),
                )
                .fetchall()
            )
            return [(int(i), float(at), json.loads(payload)) for i, at, payload in rows]

        return self._safely("questions en attente illisibles", read, [], writes=False)

    def close(self) -> None:
        """Close the calling thread's connection (others close with their thread)."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()


def _most_common(questions: Iterable[str], limit: int) -> list[tuple[str, int]]:
    counts = Counter(" ".join(str(q).split()).casefold() for q in questions)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
