"""Slack's translate layer as pure functions: limits and escaping for any reply."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.translate import (
    FALLBACK_TEXT_LIMIT,
    MAX_BLOCKS,
    SECTION_TEXT_LIMIT,
    question_from_text,
    reply_message,
)
from bot.answer import messages
from bot.models import Reply, ReplyKind
from tests.conftest import make_citation

OUR_LINK = re.compile(r"<[^<>|]+\|[^<>|]*>")


@settings(max_examples=200, deadline=None)
@given(
    snippet=st.text(max_size=4000),
    title=st.text(min_size=1, max_size=500),
    url=st.none() | st.text(max_size=300),
    count=st.integers(0, 30),
)
def test_any_reply_fits_block_kit_and_leaks_no_markup(
    snippet: str, title: str, url: str | None, count: int
) -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        "Voici :",
        citations=tuple(make_citation(snippet, title, url, "Éditeur & Cie") for _ in range(count)),
        notice=snippet,
        examples=(snippet,),
    )
    message = reply_message(reply)
    assert len(message.blocks) <= MAX_BLOCKS
    assert len(message.text) <= FALLBACK_TEXT_LIMIT and "<" not in message.text
    for block in message.blocks:
        parts = [block["text"]] if block["type"] == "section" else block["elements"]
        for part in parts:
            assert len(part["text"]) <= SECTION_TEXT_LIMIT
            # the only markup left is our own link to the article: <url|title>
            unquoted = re.sub(r"^>", "", part["text"], flags=re.MULTILINE)  # a quote block
            assert not re.search(r"[<>]", OUR_LINK.sub("", unquoted))


def test_slack_markup_is_not_part_of_the_question() -> None:
    assert question_from_text("<@UBOT> qui a  financé ?") == "qui a financé ?"
    assert question_from_text("<@UBOT|emad> aide <!channel> <!here>") == "aide"
    assert question_from_text("<!subteam^S1|@equipe> R&amp;D &lt;IA&gt;") == "R&D <IA>"
    assert question_from_text("dans <#C123|general> ?") == "dans general ?"


def test_a_hedged_answer_is_posted_like_an_answer_with_its_warning_first() -> None:
    citation = make_citation("Emad Mostaque, le fondateur bangladais", "Titre", None)
    reply = Reply(ReplyKind.CLOSEST, messages.CLOSEST, citations=(citation,), question_id=7)
    message = reply_message(reply)
    assert not message.for_asker_only
    assert message.blocks[0]["text"]["text"] == messages.CLOSEST
    assert message.blocks[-1]["type"] == "actions"  # 👍 / 👎 as for any answer
    small_talk = reply_message(Reply(ReplyKind.SMALL_TALK, messages.SMALL_TALK, examples=("Qui ?",)))
    assert small_talk.for_asker_only
