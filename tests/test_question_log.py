"""The question log: migrations, conversations, stats grouping, retention, the inbox,
and concurrent writers on a locked database."""

import sqlite3
import threading
import time
from pathlib import Path

from bot.models import Query, Reply, ReplyKind
from bot.service.question_log import SCHEMA_VERSION, QuestionLog

OLD_SCHEMA = """
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE questions (id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, platform TEXT NOT NULL,
    user_hash TEXT, question TEXT NOT NULL, kind TEXT NOT NULL, citations TEXT NOT NULL,
    latency_ms REAL NOT NULL);
CREATE TABLE feedback (question_id INTEGER NOT NULL, user_hash TEXT NOT NULL, vote INTEGER NOT NULL,
    voted_at REAL NOT NULL, PRIMARY KEY (question_id, user_hash));
INSERT INTO questions VALUES (1, 1.0, 'slack', NULL, 'Qui a financé ?', 'answer', '[]', 1.0);
"""


def reply(question: str, kind: ReplyKind = ReplyKind.ANSWER) -> Reply:
    return Reply(kind, "", question=question)


def test_a_log_from_before_versions_is_migrated_and_keeps_its_questions(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    sqlite3.connect(path).executescript(OLD_SCHEMA)
    log = QuestionLog(path)
    asked = Query("Et quand ?", "slack", "U1", team="T1", channel="C1", thread="1700.1")
    assert log.record(asked, reply("Et quand ?"), 1.0) == 2
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = db.execute("SELECT question, team, channel, thread FROM questions ORDER BY id").fetchall()
    assert rows == [("Qui a financé ?", None, None, None), ("Et quand ?", "T1", "C1", "1700.1")]
    assert log.earlier_questions(Query("x", "slack", channel="C1", thread="1700.1")) == ["Et quand ?"]


def test_stats_count_a_question_once_whatever_its_case(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")
    for text in ("Qui a fondé ÉLAN ?", "qui a fondé élan ?", "QUI A FONDÉ ÉLAN ?", "Autre  question"):
        log.record(Query(text, "slack", "U1"), reply(text, ReplyKind.NOT_FOUND), 1.0)
    stats = log.stats()
    assert stats.most_asked[0] == ("qui a fondé élan ?", 3)
    assert stats.unanswered == [("qui a fondé élan ?", 3), ("autre question", 1)]


def test_questions_past_the_retention_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    log = QuestionLog(path, retention_days=30)
    old = log.record(Query("ancienne", "slack", "U1"), reply("ancienne"), 1.0)
    assert old is not None and log.feedback(old, "slack", "U1", 1)
    sqlite3.connect(path).execute(
        "UPDATE questions SET asked_at = ?", (time.time() - 31 * 86_400,)
    ).connection.commit()
    log.record(Query("récente", "slack", "U1"), reply("récente"), 1.0)
    log.prune()
    db = sqlite3.connect(path)
    assert [r[0] for r in db.execute("SELECT question FROM questions")] == ["récente"]
    assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0


def test_the_inbox_keeps_what_was_received_until_it_is_settled(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")
    first = log.receive("slack", "C1:1700.1", {"text": "qui ?"})
    assert first and log.receive("slack", "C1:1700.1", {"text": "qui ?"}) is None  # the same question
    second = log.receive("discord", "42", {"text": "quand ?"})
    assert second and [t for t, _, _ in log.pending("slack")] == [first]
    log.settle(first)
    log.settle(second, "expired")
    assert log.pending("slack") == [] and log.pending("discord") == []


def test_threads_writing_to_a_locked_log_neither_crash_nor_block(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    log = QuestionLog(path)
    log.record(Query("avant", "slack"), reply("avant"), 1.0)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    results: list[int | None] = []

    def ask(n: int) -> None:
        results.append(log.record(Query(f"q{n}", "slack"), reply(f"q{n}"), 1.0))
        results.append(log.receive("slack", f"k{n}", {}))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    locker.execute("ROLLBACK")
    assert len(results) == 16 and not any(t.is_alive() for t in threads)
    assert all(r in (None, 0) for r in results)  # unrecorded, but every call returned
    assert log.record(Query("après", "slack"), reply("après"), 1.0) is not None  # and it recovers


def test_a_flood_of_questions_from_twenty_threads_leaves_none_unrecorded(tmp_path: Path) -> None:
    """20 threads, each receiving, logging and settling 200 questions at once on one log:
    every question noted as pending, logged and settled; the failure counters (shown in
    /metrics) stay at zero."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.models import Query, Reply, ReplyKind

    log = QuestionLog(tmp_path / "q.sqlite3")

    def asker(thread: int) -> None:
        for n in range(200):
            ticket = log.receive("slack", f"{thread}:{n}", {"text": "qui a financé ?"})
            assert ticket
            log.record(Query("qui a financé ?", "slack", f"U{thread}"), Reply(ReplyKind.CLOSEST, "…"), 1.0)
            log.settle(ticket)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(asker, range(20)))
    assert (log.unrecorded, log.unlogged) == (0, 0)
    with sqlite3.connect(tmp_path / "q.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM inbox WHERE state = 'answered'").fetchone()[0] == 4000
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] == 4000
