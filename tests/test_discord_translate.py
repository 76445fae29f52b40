"""Discord's translate layer as pure functions: limits and escaping for any reply."""

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.translate import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MAX_FIELDS,
    TITLE_LIMIT,
    question_from_message,
    reply_embed,
)
from bot.answer import messages
from bot.models import Reply, ReplyKind
from tests.conftest import make_citation


@settings(max_examples=200, deadline=None)
@given(
    snippet=st.text(max_size=3000),
    title=st.text(min_size=1, max_size=400),
    url=st.none() | st.text(max_size=200),
    count=st.integers(0, 40),
)
def test_any_reply_fits_discords_embed_limits(snippet: str, title: str, url: str | None, count: int) -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        "Voici :",
        citations=tuple(make_citation(snippet, title, url) for _ in range(count)),
        notice=snippet,
        examples=(snippet,) * 3,
    )
    embed = reply_embed(reply).embed
    assert len(embed["title"]) <= TITLE_LIMIT and len(embed["description"]) <= DESCRIPTION_LIMIT
    assert len(embed["fields"]) <= MAX_FIELDS
    for field in embed["fields"]:
        assert len(field["name"]) <= FIELD_NAME_LIMIT and len(field["value"]) <= FIELD_VALUE_LIMIT
    total = len(embed["title"]) + len(embed["description"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= EMBED_TOTAL_LIMIT


def test_mentions_and_markdown_in_a_snippet_are_inert() -> None:
    snippet = "Le @everyone du <@&1400000000000000004> et **gras** _penché_ ||caché|| `code`"
    reply = Reply(ReplyKind.ANSWER, "Voici :", citations=(make_citation(snippet, "T [x](y)", None),))
    value = reply_embed(reply).embed["fields"][0]["value"]
    assert "@everyone" not in value and "@\u200beveryone" in value
    assert "<@&1400000000000000004>" not in value
    assert "\\*\\*gras\\*\\*" in value and "\\|\\|caché\\|\\|" in value and "\\`code\\`" in value
    assert "T \\[x\\](y) (lien inconnu)" in value  # no link: the title's brackets are escaped


def test_only_answers_are_public() -> None:
    assert not reply_embed(Reply(ReplyKind.ANSWER, "Voici :")).for_asker_only
    for kind in (ReplyKind.HELP, ReplyKind.SOURCES, ReplyKind.NOT_FOUND, ReplyKind.ERROR):
        assert reply_embed(Reply(kind, "…")).for_asker_only


def test_discord_markup_is_not_part_of_the_question() -> None:
    assert question_from_message("<@1100000000000000001> qui ?") == "qui ?"
    assert question_from_message("<@!11000000000000001>  aide @here") == "aide"
    text = "@everyone <@&14000000000000004> <#15000000000000005> <:emad:16000000000000006> qui ?"
    assert question_from_message(text) == "qui ?"


def test_a_hedged_answer_is_public_with_its_warning_and_buttons() -> None:
    citation = make_citation("Emad Mostaque, le fondateur bangladais", "Titre", None)
    message = reply_embed(Reply(ReplyKind.CLOSEST, messages.CLOSEST, citations=(citation,), question_id=7))
    assert not message.for_asker_only and message.feedback_for == 7
    assert message.embed["description"].startswith(messages.CLOSEST[:40])
    assert message.embed["title"] != reply_embed(Reply(ReplyKind.ANSWER, "x")).embed["title"]
    assert reply_embed(Reply(ReplyKind.SMALL_TALK, messages.SMALL_TALK)).for_asker_only
