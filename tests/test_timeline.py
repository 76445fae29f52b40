"""The saga in order: dates read from the articles, `chronologie` on every platform."""

import datetime as dt
import struct
from pathlib import Path

import pytest

from adapters.discord.translate import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, reply_embed
from adapters.slack.translate import MAX_BLOCKS, SECTION_TEXT_LIMIT, reply_message
from bot.answer.engine import AnswerEngine
from bot.corpus.dates import When, dates_in
from bot.models import Reply, ReplyKind, TimelineEntry
from tests.conftest import ArticleWriter, ask, engine_for, make_citation

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("En mars 2024, il a démissionné.", [When(2024, 3)]),
        ("le 23 mars 2024, il est parti", [When(2024, 3, 23)]),
        ("le 1er août 2022", [When(2022, 8, 1)]),
        ("En août 2022, au début de l'engouement", [When(2022, 8)]),
        ("une estimation datant d'octobre 2023", [When(2023, 10)]),
        ("la génération d’images en 2022 ?", [When(2022)]),
        ("— Emad acc/acc (@EMostaque), March 23, 2024", [When(2024, 3, 23)]),
        ("Il a levé 100 millions de dollars.", []),
    ],
)
def test_each_written_form_of_a_date_is_read(sentence: str, expected: list[When]) -> None:
    assert dates_in(sentence) == expected


def test_a_relative_date_is_read_only_against_a_known_publication_date() -> None:
    for relative in (
        "En août, six cadres sont partis.",
        "le mois dernier",
        "l'année dernière",
        "cette année",
    ):
        assert dates_in(relative) == [], relative  # never guessed
    published = dt.date(2024, 3, 25)
    assert dates_in("En août, six cadres sont partis.", published) == [When(2023, 8)]
    assert dates_in("les commentaires du mois dernier", published) == [When(2024, 2)]
    assert dates_in("dans un billet de l'année dernière", published) == [When(2023)]
    assert dates_in("un flux positif cette année", published) == [When(2024)]


def test_the_shipped_articles_tell_the_saga_in_order_without_a_guessed_date(engine: AnswerEngine) -> None:
    reply = ask(engine, "chronologie")
    assert reply.kind is ReplyKind.TIMELINE and not reply.kind.cites
    story = [(e.when, e.sentence) for e in reply.timeline]
    assert [when for when, _ in story] == [
        "2022", "août 2022", "2023", "octobre 2023", "mars 2024", "23 mars 2024", "23 mars 2024",
    ]  # fmt: skip
    said = " ".join(sentence for _, sentence in story)
    assert "génération d’images" in said and "100 millions" in said and "retournés contre lui" in said
    assert "Bloomberg datant d'octobre 2023" in said and "il a démissionné" in said
    assert "six cadres" not in said and "juillet" not in said  # "En août", "de juillet": no year, no date
    assert all(len(sentence) <= 230 for _, sentence in story)


def test_the_timeline_filters_by_year_and_by_words(engine: AnswerEngine) -> None:
    in_2024 = [e.when for e in ask(engine, "chronologie 2024").timeline]
    assert in_2024 == ["mars 2024", "23 mars 2024", "23 mars 2024"]
    resigned = [e.when for e in ask(engine, "chronologie démission").timeline]
    assert "mars 2024" in resigned and "2022" not in resigned and "août 2022" not in resigned
    nothing = ask(engine, "chronologie tarte")
    assert nothing.timeline == () and "Aucun événement daté" in nothing.text


def test_the_same_event_told_by_two_articles_is_shown_once_with_both_sources(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("a.md", "A", "En mars 2024, Emad Mostaque a démissionné de Stability AI.", publisher="Gate")
    write_article(
        "b.md", "B", "Emad Mostaque a démissionné de Stability AI en mars 2024.", publisher="Le Monde"
    )
    write_article("c.md", "C", "En mars 2024, une autre startup a levé des fonds.", publisher="Gate")
    (first, second) = ask(engine_for(corpus_dir), "chronologie").timeline
    assert {a.publisher for a in first.articles} == {"Gate", "Le Monde"} and len(first.passage_ids) == 2
    assert [a.publisher for a in second.articles] == ["Gate"]


def test_a_long_timeline_stays_within_block_kit_and_embed_limits_with_a_continuation() -> None:
    source = make_citation("x", "Titre", None).article
    sentence = "Une phrase datée assez longue. " * 6
    entries = tuple(
        TimelineEntry(f"{n} mars 2024", sentence, (source,), (f"a-{n}",), (2024, 3, 0)) for n in range(2000)
    )
    reply = Reply(ReplyKind.TIMELINE, "La saga :", timeline=entries)
    message = reply_message(reply)
    assert len(message.blocks) <= MAX_BLOCKS and message.for_asker_only
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_LIMIT for b in message.blocks if b["type"] == "section")
    assert "autre(s)" in str(message.blocks[-1])
    embed = reply_embed(reply).embed
    assert len(embed["description"]) <= DESCRIPTION_LIMIT and "autre(s)" in embed["description"]
    assert len(embed["title"]) + len(embed["description"]) <= EMBED_TOTAL_LIMIT


def test_chronologie_is_the_same_command_in_the_terminal_on_slack_and_on_discord(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.fake_discord import FakeDiscord, slash_command_payload
    from tests.test_discord import embed_text
    from tests.test_discord import scenario as discord_scenario
    from tests.test_slack import Harness, texts
    from tests.test_slack import scenario as slack_scenario

    env = {"PATH": "/usr/bin:/bin", "BOT_LOG_LEVEL": "WARNING"}
    shown = subprocess.run([sys.executable, "-m", "bot", "chronologie", "2024"], capture_output=True,
                           text=True, cwd=ROOT, env=env, timeout=60)  # fmt: skip
    assert shown.returncode == 0 and "mars 2024" in shown.stdout and "2022" not in shown.stdout

    async def on_slack(h: Harness) -> None:
        await h.command("chronologie 2024")
        (response,) = await h.slack.wait_for("response_url")
        assert response.body["response_type"] == "ephemeral"
        assert "*mars 2024*" in texts(response.body["blocks"]) and "2022" not in texts(
            response.body["blocks"]
        )

    slack_scenario(engine, on_slack)

    async def on_discord(fake: FakeDiscord, client: object) -> None:
        client._connection.parse_interaction_create(slash_command_payload("chronologie"))  # type: ignore[attr-defined]
        (callback,) = await fake.wait_for("/callback")
        embed = callback.body["data"]["embeds"][0]
        assert callback.body["data"]["flags"] & 64 and embed["title"] == "Chronologie"
        assert "**août 2022**" in embed_text(embed) and "**octobre 2023**" in embed_text(embed)
        picture = callback.body["_files"]["chronologie.png"]  # attached, and shown in the embed
        assert picture.startswith(PNG_SIGNATURE) and embed["image"]["url"] == "attachment://chronologie.png"

    discord_scenario(engine, on_discord, monkeypatch)


def test_the_terminal_draws_the_timeline_as_a_picture(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    drawn = tmp_path / "saga.png"
    env = {"PATH": "/usr/bin:/bin", "BOT_LOG_LEVEL": "WARNING", "MPLCONFIGDIR": str(tmp_path)}
    shown = subprocess.run([sys.executable, "-m", "bot", "chronologie", "--image", str(drawn)],
                           capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)  # fmt: skip
    assert shown.returncode == 0 and f"Image : {drawn}" in shown.stdout
    picture = drawn.read_bytes()
    assert picture.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", picture[16:24])  # the IHDR chunk
    assert width >= 800 and height >= 300  # readable at Discord's embed width
    from PIL import Image

    with Image.open(drawn) as image:
        colours = image.convert("L").getcolors(maxcolors=1 << 16) or []
    dark = sum(count for count, level in colours if level < 128)
    assert dark > width * height // 1000  # axis, dots and labels drawn: not a blank canvas


def test_a_picture_of_each_timeline_has_ink_for_every_event() -> None:
    from bot.answer.timeline_picture import timeline_png

    source = make_citation("x", "Un article", None).article
    dates = {"août 2022": (2022, 8, 0), "octobre 2023": (2023, 10, 0), "23 mars 2024": (2024, 3, 23)}
    events = [TimelineEntry(when, f"Événement numéro {n}", (source,), (f"a-{n}",), on)
              for n, (when, on) in enumerate(dates.items())]  # fmt: skip
    assert len(timeline_png(events)) > len(timeline_png(events[:1]))  # more drawn, more bytes
    assert timeline_png([]).startswith(PNG_SIGNATURE)  # an empty timeline is still a picture


def test_date_questions_prefer_the_sentence_dated_in_their_period(engine: AnswerEngine) -> None:
    assert "100 millions" in ask(engine, "Que s'est-il passé en août 2022 ?").citations[0].snippet
    in_2024 = ask(engine, "qu'a fait Emad en 2024 ?").citations[0].snippet
    assert "2024" in in_2024


def test_an_event_that_names_no_one_says_who_from_the_next_sentence(engine: AnswerEngine) -> None:
    (turned,) = [e.sentence for e in ask(engine, "chronologie 2023").timeline if e.when == "2023"]
    assert "retournés contre lui" in turned and "Coatue et Lightspeed" in turned
    resigned = next(e.sentence for e in ask(engine, "chronologie 2024").timeline if e.when == "mars 2024")
    assert resigned == "En mars 2024, il a démissionné."  # the passage says no more: nothing added
