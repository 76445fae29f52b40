"""The question log refuses what is not its own, on a real `emad-bot run`: a newer log
stops start-up naming it; a corrupt log or another database's `-wal` is moved aside
(renamed, never deleted), and the questions already logged stay."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.service.question_log import QuestionLog
from tests.conftest import ROOT
from tests.test_run import CLEAN_ENV

QUESTION = "Qui a financé Stability AI ?"


def run_once(database: Path) -> subprocess.CompletedProcess[str]:
    """`emad-bot run` with no platform, one piped question."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, input=QUESTION + "\n", capture_output=True, text=True,
        env=CLEAN_ENV | {"BOT_DATABASE_PATH": str(database)}, timeout=120,
    )  # fmt: skip


def questions_in(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        asked = db.execute("SELECT question FROM questions WHERE question != '' ORDER BY id")
        return [row[0] for row in asked]


def test_a_log_newer_than_the_code_stops_start_up_naming_it(tmp_path: Path) -> None:
    database = tmp_path / "q.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY, question TEXT)")
        db.execute("PRAGMA application_id = 1701667172")  # an emad-bot log…
        db.execute("PRAGMA user_version = 77")  # …from a newer emad-bot
    done = run_once(database)
    assert done.returncode != 0
    assert str(database) in done.stderr and "version 77" in done.stderr and "Traceback" not in done.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 77  # untouched


def test_a_corrupt_log_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    database = tmp_path / "q.sqlite3"
    database.write_bytes(b"ceci n'est pas une base SQLite" * 200)
    done = run_once(database)
    assert done.returncode == 0, done.stderr
    (moved,) = tmp_path.glob("q.sqlite3.illisible-*")
    assert moved.read_bytes().startswith(b"ceci n'est pas") and moved.name in done.stderr
    assert questions_in(database)[-1] == QUESTION


def test_another_databases_wal_beside_the_log_is_moved_aside_and_nothing_is_lost(tmp_path: Path) -> None:
    database = tmp_path / "q.sqlite3"
    assert run_once(database).returncode == 0  # a log with one question, cleanly closed
    other = tmp_path / "other" / "autre.sqlite3"
    other.parent.mkdir()
    keeper = sqlite3.connect(other)
    keeper.execute("PRAGMA journal_mode=WAL")
    keeper.execute("PRAGMA wal_autocheckpoint=0")
    keeper.execute("CREATE TABLE t (x TEXT)")
    keeper.execute("INSERT INTO t VALUES ('une autre base')")
    keeper.commit()
    stray = other.with_name(other.name + "-wal")
    assert stray.stat().st_size
    (tmp_path / "q.sqlite3-wal").write_bytes(stray.read_bytes())  # left there by mistake
    keeper.close()
    done = run_once(database)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.glob("q.sqlite3-wal.etranger-*")) and "étranger" in done.stderr
    assert questions_in(database) == [QUESTION, QUESTION]  # the first one is still there
    QuestionLog(database).check()  # and the log is its own again: nothing more moved
    assert len(list(tmp_path.glob("q.sqlite3*.etranger-*"))) == 1
