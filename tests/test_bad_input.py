"""Strange input on every entry point: never a crash, always a French reply, every
rendered reply within its platform's limits and escaped for it."""

import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.translate import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    MAX_FIELDS,
    question_from_message,
    reply_embed,
)
from adapters.slack.translate import MAX_BLOCKS, SECTION_TEXT_LIMIT, question_from_text, reply_message
from bot.answer.engine import AnswerEngine
from bot.models import Query, ReplyKind
from tests.conftest import ROOT

SAGA_WORDS = ["Emad", "Mostaque", "Stability", "financé", "démission", "Coatue", "SchellingAI", "PDG"]
NASTY = [
    "", " ", "\u200b\u200d\ufeff", "\u202e", "@everyone", "@here", "<!channel>", "<@U123>", "<@&1>",
    "**gras**", "<b>html</b>", "<script>alert(1)</script>", "`code`", "||spoiler||", "\x00\x07\x1b[31m",
    "\ud800", "\udfff", "😀🚀🇫🇷", "مرحبا بالعالم", "שלום", "Ω≈ç√∫", "a" * 10_000, "\n\n\t",
]  # fmt: skip
questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(SAGA_WORDS + NASTY), max_size=8).map(" ".join),
    st.sampled_from(NASTY),
)
OUR_SLACK_LINK = re.compile(r"<https?://[^<>|]+\|[^<>|]*>")


def check_slack(reply) -> None:  # type: ignore[no-untyped-def]
    message = reply_message(reply)
    assert 1 <= len(message.blocks) <= MAX_BLOCKS and message.text
    for block in message.blocks:
        parts = [block["text"]] if block["type"] == "section" else block.get("elements", [])
        for part in parts:
            if "text" in part and isinstance(part["text"], str):
                text = part["text"]
                assert len(text) <= SECTION_TEXT_LIMIT
                unquoted = re.sub(r"^>", "", text, flags=re.MULTILINE)
                assert not re.search(r"[<>]", OUR_SLACK_LINK.sub("", unquoted))
    assert "<" not in message.text and ">" not in message.text


def check_discord(reply) -> None:  # type: ignore[no-untyped-def]
    embed = reply_embed(reply).embed
    assert embed["description"] and len(embed["description"]) <= DESCRIPTION_LIMIT
    assert len(embed["fields"]) <= MAX_FIELDS
    assert all(len(f["value"]) <= FIELD_VALUE_LIMIT for f in embed["fields"])
    total = len(embed["title"]) + len(embed["description"])
    assert total + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"]) <= EMBED_TOTAL_LIMIT
    text = embed["description"] + "".join(f["value"] for f in embed["fields"])
    assert "@everyone" not in text and "@here" not in text
    assert not re.search(r"<@[!&]?\d+>", text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=questions)
def test_any_text_gets_a_french_reply_rendered_safely_everywhere(engine: AnswerEngine, question: str) -> None:
    for text in (question, question_from_text(question), question_from_message(question)):
        reply = engine.answer(Query(text, "slack", "U1"))
        assert reply.kind in {
            ReplyKind.ANSWER, ReplyKind.CLOSEST, ReplyKind.NOT_FOUND, ReplyKind.SMALL_TALK,
            ReplyKind.HELP, ReplyKind.SOURCES, ReplyKind.TIMELINE,  # "CHRONOLOGIE" is a command
        }  # fmt: skip
        assert reply.text and (not reply.kind.cites or reply.citations)
        check_slack(reply)
        check_discord(reply)


def test_a_10000_character_question_is_cut_with_a_notice(engine: AnswerEngine) -> None:
    reply = engine.answer(Query("Qui a financé Stability AI ? " + "x" * 10_000))
    assert reply.notice and "premiers caractères" in reply.notice
    assert any("Coatue" in c.snippet for c in reply.citations)  # the question it begins with is answered


@pytest.mark.parametrize("question", ["\u200b\u200b", "😀😀😀", "\x00\x01", "\ud800"])
def test_the_terminal_answers_strange_input_in_french(question: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=question.encode("utf-8", "surrogatepass") + b"\n",
        capture_output=True, cwd=ROOT, timeout=60,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b'"kind": "' in result.stdout and b"Traceback" not in result.stderr
