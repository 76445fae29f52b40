"""The answer core, edge to edge: what a user asking a question gets back."""

import json
from pathlib import Path

import pytest

from bot.answer.engine import MAX_QUESTION_CHARS, AnswerEngine
from bot.answer.snippets import ELLIPSIS, MAX_SNIPPET_CHARS
from bot.bootstrap import prepared_core
from bot.commands.terminal import reply_to_dict
from bot.models import ReplyKind
from bot.search.analysis import fold
from bot.settings import BotSettings
from tests.conftest import ROOT, ArticleWriter, ask, engine_for


def test_who_funded_cites_the_passage_naming_coatue_and_lightspeed(engine: AnswerEngine) -> None:
    reply = ask(engine, "Qui a financé Stability AI ?")
    assert reply.kind.cites
    first = reply.citations[0]
    assert "Coatue" in first.snippet and "Lightspeed" in first.snippet
    assert first.passage_id.startswith(first.article.slug + "-")
    assert first.publisher in {"Gate", "Developpez.com"} and first.title
    assert 1 <= first.passage_number <= first.passage_count
    assert 1 <= len(reply.citations) <= 3
    assert [c.score for c in reply.citations] == sorted((c.score for c in reply.citations), reverse=True)


def test_snippets_are_verbatim_and_highlights_cover_the_matched_words(engine: AnswerEngine) -> None:
    reply = ask(engine, "Qui a financé Stability AI ?")
    bodies = [c.article.body for c in reply.citations]
    for citation, body in zip(reply.citations, bodies, strict=True):
        assert citation.snippet.strip(ELLIPSIS) in body
        assert len(citation.snippet) <= MAX_SNIPPET_CHARS
        words = {fold(citation.snippet[s.start : s.end]) for s in citation.highlights}
        assert words, "each citation shows why it matched"
    first_words = {fold(reply.citations[0].snippet[s.start : s.end]) for s in reply.citations[0].highlights}
    assert first_words & {"finance", "investisseurs", "soutenue"}  # the question's words or synonyms


@pytest.mark.parametrize(
    "question",
    ["Qui est le PDG de Google ?", "la recette de la tarte tatin", "Qui a fondé OpenAI ?", "le la les"],
)
def test_off_topic_questions_get_no_citation_but_example_questions(
    engine: AnswerEngine, question: str
) -> None:
    reply = ask(engine, question)
    assert reply.kind is ReplyKind.NOT_FOUND
    assert reply.citations == ()
    assert reply.examples and "rien trouvé" in reply.text


def test_synonyms_widen_a_question(engine: AnswerEngine) -> None:
    reply = ask(engine, "Qui est le directeur de la technologie ?")
    assert "Christian Laforte" in reply.citations[0].snippet
    reply = ask(engine, "Qui est le CTO ?")  # "CTO" appears in no article
    assert any("Christian Laforte" in c.snippet for c in reply.citations)


def test_typos_and_missing_accents_reach_the_right_passage(engine: AnswerEngine) -> None:
    assert "Ommer" in ask(engine, "Qui est Björn Omer ?").citations[0].snippet
    assert "Mostaque" in ask(engine, "Emad Mostak").citations[0].snippet
    plain = ask(engine, "qui a finance stability ai")
    assert "Coatue" in plain.citations[0].snippet


def test_a_when_question_prefers_a_passage_with_a_date(engine: AnswerEngine) -> None:
    reply = ask(engine, "Quand Emad Mostaque a-t-il démissionné ?")
    assert "mars 2024" in reply.citations[0].snippet


def test_commands_are_recognised_by_the_core(engine: AnswerEngine) -> None:
    help_reply = ask(engine, "  AIDE ")
    assert help_reply.kind is ReplyKind.HELP and help_reply.examples
    assert ask(engine, "").kind is ReplyKind.HELP
    sources = ask(engine, "sources")
    assert sources.kind is ReplyKind.SOURCES
    assert {a.publisher for a in sources.articles} == {"Gate", "Developpez.com"}


def test_a_very_long_question_is_cut_with_a_notice(engine: AnswerEngine) -> None:
    reply = ask(engine, "Qui a financé Stability AI ? " + "blabla " * 400)
    assert reply.notice is not None and str(MAX_QUESTION_CHARS) in reply.notice
    assert len(reply.question) == MAX_QUESTION_CHARS


def test_a_long_sentence_is_cut_at_word_boundaries_around_the_match(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    filler = " ".join(["la startup poursuivait alors son développement"] * 12)
    write_article("long.md", "Long", f"Au début, {filler}, puis elle a recruté Zébulon Martin, {filler}.")
    write_article("other.md", "Autre", "Rien à voir avec la question posée ici.")
    citation = ask(engine_for(corpus_dir), "Zébulon").citations[0]
    assert citation.snippet.startswith(ELLIPSIS) and citation.snippet.endswith(ELLIPSIS)
    assert len(citation.snippet) <= MAX_SNIPPET_CHARS
    inner = citation.snippet.strip(ELLIPSIS)
    assert f" {inner} " in f" {citation.article.body} "  # whole words only
    (span,) = citation.highlights
    assert citation.snippet[span.start : span.end] == "Zébulon"


def test_short_sentences_answering_together_are_cited_together(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    # The question's words are in the first and third short sentences: a window of two
    # sentences would drop one of them.
    write_article(
        "trio.md",
        "Trio",
        "Le fonds Orvalis a misé sur la startup. Puis il s'est tu. Pas de communiqué sur le montant.",
    )
    write_article("other.md", "Autre", "Rien à voir avec la question posée ici.")
    snippet = ask(engine_for(corpus_dir), "Orvalis a donné un communiqué ?").citations[0].snippet
    assert "Orvalis" in snippet and "communiqué" in snippet
    assert len(snippet) <= MAX_SNIPPET_CHARS


def test_near_duplicate_snippets_are_cited_once(corpus_dir: Path, write_article: ArticleWriter) -> None:
    sentence = "Le trésorier Gaspard Lenoir a démissionné du conseil en avril."
    write_article("a.md", "A", sentence)
    write_article("b.md", "B", "Selon nos informations, " + sentence[0].lower() + sentence[1:])
    write_article("c.md", "C", "Un autre texte sur la météo du jour.")
    reply = ask(engine_for(corpus_dir), "Gaspard Lenoir a démissionné")
    assert len(reply.citations) == 1


def test_a_serving_bot_answers_exactly_as_ask_does(engine: AnswerEngine) -> None:
    """A serving bot prepares the compiled search; `ask` searches in NumPy: same replies."""
    pytest.importorskip("numba")
    serving = prepared_core(BotSettings.ignoring_env_file()).engine
    compiling = serving.index.retriever.prepare()  # a second compile: from numba's disk cache
    assert compiling is not None
    compiling.join()
    assert serving.index.retriever._kernel is not None  # type: ignore[attr-defined]
    lines = (ROOT / "tests" / "eval_questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["q"] for line in lines if line.strip()]
    questions += ["pk emad est parti", "Stable Diffusion", "mostak", "Qui a financé Stability AI ?"]
    for question in questions:
        assert reply_to_dict(ask(serving, question)) == reply_to_dict(ask(engine, question)), question
