"""The service every platform asks through: cooldown, question log, feedback, faults."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.models import Query, ReplyKind
from bot.service.bot_service import BotService
from bot.service.cooldown import Cooldown
from bot.service.question_log import QuestionLog
from tests.conftest import ROOT


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_users_flood_gets_a_french_notice_and_spares_the_others(engine: AnswerEngine) -> None:
    clock = Clock()
    service = BotService(engine, Cooldown(3, 60, clock))
    kinds = [service.answer(Query("Qui a financé ?", "slack", "U1")).kind for _ in range(4)]
    assert kinds[:3] == [ReplyKind.ANSWER] * 3
    notice = service.answer(Query("Qui a financé ?", "slack", "U1"))
    assert notice.kind is ReplyKind.COOLDOWN and "Réessayez dans 60" in notice.text
    assert service.answer(Query("Qui a financé ?", "slack", "U2")).kind is ReplyKind.ANSWER
    assert service.answer(Query("Qui a financé ?", "discord", "U1")).kind is ReplyKind.ANSWER
    clock.now += 61
    assert service.answer(Query("Qui a financé ?", "slack", "U1")).kind is ReplyKind.ANSWER


def test_questions_replies_and_feedback_are_logged_with_hashed_users(
    engine: AnswerEngine, tmp_path: Path
) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")
    service = BotService(engine, question_log=log)
    answered = service.answer(Query("Qui a financé Stability AI ?", "slack", "U-secret"))
    refused = service.answer(Query("la recette de la tarte tatin", "discord", "42"))
    assert answered.question_id is not None and refused.question_id is not None
    assert service.record_feedback(answered.question_id, "slack", "U-secret", -1)
    assert not service.record_feedback(9999, "slack", "U-secret", 1)  # no such question
    rows = (
        sqlite3.connect(tmp_path / "q.sqlite3")
        .execute("SELECT platform, user_hash, question, kind, citations FROM questions ORDER BY id")
        .fetchall()
    )
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("slack", "Qui a financé Stability AI ?", answered.kind.value),
        ("discord", "la recette de la tarte tatin", "not_found"),
    ]
    assert "U-secret" not in str(rows) and rows[0][1] and "-" in rows[0][4]
    stats = log.stats()
    assert stats.unanswered == [("la recette de la tarte tatin", 1)]
    assert stats.worst_rated == [("Qui a financé Stability AI ?", 0, 1)]


def test_a_corrupt_database_never_stops_the_answers(
    engine: AnswerEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "q.sqlite3"
    path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    service = BotService(engine, question_log=QuestionLog(path))
    reply = service.answer(Query("Qui a financé Stability AI ?", "slack", "U1"))
    assert reply.kind.cites and reply.citations and reply.question_id is None
    assert "Journal des questions indisponible" in caplog.text


def test_a_locked_database_never_stops_the_answers(engine: AnswerEngine, tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    QuestionLog(path).stats()  # create it
    locker = sqlite3.connect(path)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        reply = BotService(engine, question_log=QuestionLog(path)).answer(
            Query("Qui a financé ?", "slack", "U")
        )
        assert reply.kind is ReplyKind.ANSWER
    finally:
        locker.rollback()


def test_a_killed_process_loses_no_recorded_question(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    script = (
        "import sys; from pathlib import Path; from bot.service.question_log import QuestionLog;"
        "from bot.models import Query, Reply, ReplyKind; log = QuestionLog(Path(sys.argv[1]))\n"
        "for n in range(50):\n"
        "    log.record(Query('', 'slack', 'U1'), Reply(ReplyKind.NOT_FOUND, '', question=f'q{n}'), 1.0)\n"
        "    print(n, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    for expected in range(50):
        assert process.stdout.readline().strip() == str(expected)
    process.kill()  # SIGKILL: no clean-up, no final commit
    process.wait()
    count = sqlite3.connect(path).execute("SELECT count(*) FROM questions").fetchone()[0]
    assert count == 50


def test_an_exception_in_the_engine_becomes_the_error_reply(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def answer(self, query: Query) -> None:
            raise RuntimeError("disque plein")

    reply = BotService(Broken()).answer(Query("x", "discord", "1"))  # type: ignore[arg-type]
    assert reply.kind is ReplyKind.ERROR and "erreur" in reply.text
    assert any(r.exc_info for r in caplog.records)


def test_each_question_logs_one_line_with_platform_kind_and_latency(
    engine: AnswerEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="bot.questions")
    BotService(engine).answer(Query("Qui a financé ?", "slack", "U1"))
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.questions"]
    assert "platform=slack" in line and "kind=answer" in line and "latency_ms=" in line
