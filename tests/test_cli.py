"""The terminal harness as a user runs it: `python -m bot …` in a subprocess."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, ArticleWriter


def run(*args: str, stdin: str = "", env_corpus: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "BOT_LOG_LEVEL": "WARNING"}
    if env_corpus is not None:
        env["BOT_CORPUS_DIR"] = str(env_corpus)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip


def test_ask_prints_the_cited_answer_with_visible_highlights() -> None:
    result = run("ask", "Qui a financé Stability AI ?")
    assert result.returncode == 0, result.stderr
    assert "Coatue" in result.stdout and "Lightspeed" in result.stdout
    assert "**investisseurs**" in result.stdout  # highlights, without colour in a pipe
    assert "Developpez.com" in result.stdout or "Gate" in result.stdout


def test_ask_json_prints_one_object_with_every_citation_field() -> None:
    result = run("ask", "--json", "Qui a financé Stability AI ?")
    reply = json.loads(result.stdout)
    assert reply["kind"] in {"answer", "closest"}
    citation = reply["citations"][0]
    assert set(citation) >= {
        "snippet", "title", "publisher", "url", "date", "passage_id", "score", "highlights"
    }  # fmt: skip
    start, end = citation["highlights"][0]
    assert citation["snippet"][start:end]


def test_ask_json_reads_one_question_per_line_from_stdin() -> None:
    result = run("ask", "--json", stdin="Qui a financé Stability AI ?\nla recette de la tarte tatin\n")
    kinds = [json.loads(line)["kind"] for line in result.stdout.splitlines()]
    assert kinds[0] in {"answer", "closest"} and kinds[1] == "not_found"


def test_sources_lists_the_articles() -> None:
    result = run("sources")
    assert "Gate" in result.stdout and "Developpez.com" in result.stdout


def test_eval_prints_the_figures_per_kind(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "Qui a financé Stability AI ?", "expect": ["coatue"], "kind": "fact"}\n'
        '{"q": "Qui remplace le CEO ?", "expect": ["no such text"], "kind": "casual"}\n'
        '{"q": "la recette de la tarte tatin", "expect": [], "kind": "offtopic"}\n',
        encoding="utf-8",
    )
    lines = {
        line.split()[0]: line for line in run("eval", str(questions)).stdout.splitlines() if line.strip()
    }
    assert "1 avec réponse : hit@1 1.000" in lines["fact"]
    assert "1 avec réponse : hit@1 0.000" in lines["casual"]
    assert "1 hors sujet : refusées 1, prudentes 0, répondues 0" in lines["offtopic"]
    assert "2 avec réponse : hit@1 0.500" in lines["tout"]


def test_a_bad_eval_file_names_the_line(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"q": "ok", "expect": []}\n{"question": "x"}\n', encoding="utf-8")
    result = run("eval", str(questions))
    assert result.returncode == 2 and "ligne 2" in result.stderr


def test_chat_answers_until_end_of_input() -> None:
    result = run("chat", stdin="Qui a financé Stability AI ?\nsources\n")
    assert result.returncode == 0
    assert "Coatue" in result.stdout and "Les articles que je connais (2)" in result.stdout


def test_ask_loads_no_platform_sdk_and_no_compiler() -> None:
    # numba (the serving bot's compiled search) would add about 0.3 s to a one-off answer.
    code = (
        "import sys; from bot.commands.cli import main; main(['ask', 'Qui a financé ?']);"
        "assert not {'discord', 'slack_bolt', 'slack_sdk', 'numba'} & set(sys.modules), sys.modules.keys()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_a_broken_article_is_reported_and_the_others_still_answer(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("ok.md", "Bon", "Coatue et Lightspeed ont financé Stability AI.")
    (corpus_dir / "casse.md").write_bytes(b"\xff\xfe pas de l'UTF-8")
    result = run("ask", "Qui a financé Stability AI ?", env_corpus=corpus_dir)
    assert result.returncode == 0 and "Coatue" in result.stdout
    assert "casse.md" in result.stderr and "UTF-8" in result.stderr


def test_an_empty_corpus_stops_with_a_clear_message(corpus_dir: Path) -> None:
    result = run("ask", "Qui ?", env_corpus=corpus_dir)
    assert result.returncode == 1
    assert "aucun article lisible" in result.stderr and "Traceback" not in result.stderr


def test_an_invalid_setting_is_named_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "x"],
        capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BOT_MAX_CITATIONS": "beaucoup"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "max_citations" in result.stderr and "Traceback" not in result.stderr


def test_stats_show_what_to_add_and_what_was_disliked(tmp_path: Path) -> None:
    from bot.models import Query, Reply, ReplyKind
    from bot.service.question_log import QuestionLog

    log = QuestionLog(tmp_path / "q.sqlite3")
    for _ in range(2):
        log.record(
            Query("", "slack", "U1"), Reply(ReplyKind.NOT_FOUND, "", question="Qui a fondé Midjourney ?"), 1.0
        )
    disliked = log.record(
        Query("", "discord", "7"), Reply(ReplyKind.ANSWER, "", question="Qui a financé ?"), 1.0
    )
    assert disliked is not None and log.feedback(disliked, "discord", "7", -1)
    env = {"PATH": "/usr/bin:/bin", "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "stats"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr
    unanswered = result.stdout.split("Sans réponse")[1].split("Réponses les moins")[0]
    assert "2 × qui a fondé midjourney ?" in unanswered
    assert "👎 1 — Qui a financé ?" in result.stdout


def test_discord_invite_asks_for_the_bot_and_command_scopes_and_little_else() -> None:
    env = {"PATH": "/usr/bin:/bin", "DISCORD_TOKEN": "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "discord", "invite"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert "client_id=1100000000000000001" in url and "scope=bot+applications.commands" in url
    permissions = int(url.split("permissions=")[1].split("&")[0])
    # view channels, send messages (and in threads), embed links, read message history,
    # add reactions (the quiet notices), create public threads (ask channels)
    assert permissions == (1 << 10) | (1 << 11) | (1 << 38) | (1 << 14) | (1 << 16) | (1 << 6) | (1 << 35)


def test_a_single_platform_command_without_its_settings_says_what_to_set() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "slack"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr and "DISCORD_TOKEN" not in result.stderr


def _bot(*args: str, **env: str) -> subprocess.Popen[bytes]:
    environment = {"PATH": "/usr/bin:/bin", "BOT_LOG_LEVEL": "WARNING", "LANG": "C.UTF-8"} | env
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=environment,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_ask_json_answers_a_line_that_is_not_utf8_with_an_error_and_goes_on() -> None:
    bot = _bot("ask", "--json")
    out, err = bot.communicate(
        b"Qui a financ\xc3\xa9 Stability AI ?\n\xff\xfe nope\nQuand a-t-il d\xc3\xa9missionn\xc3\xa9 ?\n", 60
    )
    assert bot.returncode == 0, err.decode()
    replies = [json.loads(line) for line in out.decode().splitlines()]
    assert [r["kind"] != "error" for r in replies] == [True, False, True]
    assert all(r["citations"] for r in (replies[0], replies[2]))
    assert "Ligne 2 illisible" in replies[1]["text"] and replies[1]["citations"] == []


def test_ask_json_answers_each_line_as_it_arrives() -> None:
    bot = _bot("ask", "--json")
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write("Qui a financé Stability AI ?\n".encode())
        bot.stdin.flush()
        first = json.loads(bot.stdout.readline())  # before stdin is closed
        assert first["kind"] in {"answer", "closest"} and first["citations"]
    finally:
        bot.stdin.close()
        bot.wait(60)
    assert bot.returncode == 0


def test_the_terminal_fallback_of_run_logs_questions_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    database = tmp_path / "q.sqlite3"
    bot = _bot("run", BOT_DATABASE_PATH=str(database))
    assert bot.stdin is not None and bot.stdout is not None
    bot.stdin.write("Qui a financé Stability AI ?\n".encode())
    bot.stdin.flush()
    seen = b""
    while b"Coatue" not in seen:  # the answer is printed: the question went through the service
        line = bot.stdout.readline()
        assert line, bot.stderr.read().decode() if bot.stderr else ""
        seen += line
    bot.send_signal(signal.SIGTERM)
    assert bot.wait(30) == 0
    rows = sqlite3.connect(database).execute("SELECT platform, question FROM questions").fetchall()
    assert ("terminal", "Qui a financé Stability AI ?") in rows


def test_version_and_commands_that_need_no_corpus_work_without_one(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "BOT_CORPUS_DIR": str(tmp_path / "nulle-part"),
           "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3"),
           "DISCORD_TOKEN": "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token"}  # fmt: skip
    for args in (["--version"], ["stats"], ["discord", "invite"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=env
        )
        assert result.returncode == 0, (args, result.stderr)
    version = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert version.stdout.startswith("emad-bot ") and version.stdout.strip() != "emad-bot inconnue"
    asked = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "qui ?"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert asked.returncode == 1 and "dossier du corpus introuvable" in asked.stderr  # this one needs it


def test_colour_on_a_terminal_unless_no_color_is_set() -> None:
    import pty

    def on_a_terminal(**env: str) -> bytes:
        main, child = pty.openpty()
        environment = {"PATH": "/usr/bin:/bin", "BOT_LOG_LEVEL": "WARNING"} | env
        command = [sys.executable, "-m", "bot", "ask", "Qui a financé Stability AI ?"]
        bot = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=child, stderr=subprocess.DEVNULL)
        os.close(child)
        out = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        bot.wait(60)
        os.close(main)
        return out

    assert b"\x1b[1;33m" in on_a_terminal()
    plain = on_a_terminal(NO_COLOR="1")
    assert b"\x1b[" not in plain and b"**investisseurs**" in plain


def test_the_question_log_defaults_to_systemds_state_directory(tmp_path: Path) -> None:
    from bot.service.settings import ServiceSettings

    environment = dict(os.environ, STATE_DIRECTORY=str(tmp_path / "state"))
    environment.pop("BOT_DATABASE_PATH", None)
    original = os.environ.copy()
    try:
        os.environ.clear()
        os.environ.update(environment)
        assert ServiceSettings.ignoring_env_file().database_path == tmp_path / "state" / "questions.sqlite3"
    finally:
        os.environ.clear()
        os.environ.update(original)


def test_stats_take_a_window_a_platform_and_json_and_cut_questions_to_one_line(tmp_path: Path) -> None:
    import json as json_module
    import sqlite3 as sqlite

    from bot.models import Query, Reply, ReplyKind
    from bot.service.question_log import QuestionLog

    database = tmp_path / "q.sqlite3"
    log = QuestionLog(database)
    long_one = "Qui a financé\nStability AI " + "et encore " * 40 + "?"
    asked = ((long_one, "slack"), ("Qui est Björn Ommer ?", "discord"), ("Vieille question", "slack"))
    for text, platform in asked:
        log.record(Query("", platform, "U1"), Reply(ReplyKind.NOT_FOUND, "", question=text), 1.0)
    with sqlite.connect(database) as db:  # the third one was asked 60 days ago
        db.execute("UPDATE questions SET asked_at = asked_at - 5184000 WHERE question = 'Vieille question'")
    env = {"PATH": "/usr/bin:/bin", "BOT_DATABASE_PATH": str(database)}

    def stats(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "stats", *args], capture_output=True, text=True,
                              cwd=ROOT, env=env)  # fmt: skip

    shown = json_module.loads(stats("--since", "7d", "--platform", "slack", "--json").stdout)
    assert [item["count"] for item in shown["unanswered"]] == [1]
    assert shown["unanswered"][0]["question"].startswith("qui a financé")
    text = stats().stdout
    line = next(row for row in text.splitlines() if "qui a financé" in row)
    assert len(line) <= 110 and line.endswith("…") and "vieille question" in text
    assert "vieille question" not in stats("--since", "30d").stdout
    assert stats("--since", "hier").returncode == 2  # said how to write it


def test_stats_without_a_log_say_so_and_create_nothing(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "BOT_DATABASE_PATH": str(tmp_path / "nulle-part" / "q.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "bot", "stats"], capture_output=True, text=True, cwd=ROOT,
                            env=env)  # fmt: skip
    assert result.returncode == 0 and "Pas encore de journal" in result.stderr
    assert not (tmp_path / "nulle-part").exists()


def test_stats_draw_questions_per_day_and_the_unanswered_ones(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    from bot.models import Query, Reply, ReplyKind
    from bot.service.question_log import QuestionLog

    database, picture = tmp_path / "q.sqlite3", tmp_path / "stats.png"
    log = QuestionLog(database)
    asked = (("Qui a fondé Midjourney ?", ReplyKind.NOT_FOUND), ("Qui a financé ?", ReplyKind.CLOSEST))
    for text, kind in asked:
        log.record(Query("", "slack", "U1"), Reply(kind, "", question=text), 1.0)
    env = {"PATH": "/usr/bin:/bin", "BOT_DATABASE_PATH": str(database)}
    result = subprocess.run([sys.executable, "-m", "bot", "stats", "--json", "--image", str(picture)],
                            capture_output=True, text=True, cwd=ROOT, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unanswered"][0]["question"] == "qui a fondé midjourney ?"
    pixels = imread(picture)
    assert pixels.shape[0] >= 600 and pixels.shape[1] >= 1000  # 12 × 8 inches at 100 dpi
    assert pixels[..., :3].std() > 0.05  # bars and labels, not a blank page
