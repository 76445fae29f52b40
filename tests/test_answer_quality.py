"""What a person typing in chat gets: three outcomes, small talk, polite words, chat
French, English questions, and snippets that keep the answer."""

from pathlib import Path

import pytest

from bot.answer import messages
from bot.answer.engine import AnswerEngine
from bot.models import ReplyKind
from bot.search.analysis import FrenchAnalyzer
from bot.search.lexicon import with_accents
from bot.search.question import QuestionAnalyser
from bot.search.typed_french import TypedFrench
from bot.search.word_vectors import WordVectors, murmurhash64a
from bot.selector.answer_types import expected_answer
from tests.conftest import ArticleWriter, ask, engine_for


def _engine_over(corpus_dir: Path, write_article: ArticleWriter, *bodies: str) -> AnswerEngine:
    """An engine over one small article per body ("a.md", "b.md", …)."""
    for number, body in enumerate(bodies):
        name = chr(ord("a") + number)
        write_article(f"{name}.md", name.upper(), body)
    return engine_for(corpus_dir)


def _snippets(engine: AnswerEngine, question: str) -> list[str]:
    return [c.snippet for c in ask(engine, question).citations]


@pytest.mark.parametrize(
    "polite",
    [
        "Bonjour, qui a financé Stability AI ?",
        "qui a financé Stability AI svp ?",
        "Qui a financé Stability AI ? merci",
        "Salut ! Qui a financé Stability AI, stp ?",
        "Qui a financé Stability AI SVP ? MERCI",
    ],
)
def test_polite_words_never_change_the_answer(engine: AnswerEngine, polite: str) -> None:
    _same_answer(engine, polite, "Qui a financé Stability AI ?")
    assert any("Coatue" in c.snippet for c in ask(engine, polite).citations)


@pytest.mark.parametrize("emphatic", ["QUI a financé Stability AI ?", "Qui a financé Stability AI ET SD ?"])
def test_words_in_capitals_for_emphasis_never_change_the_answer(engine: AnswerEngine, emphatic: str) -> None:
    _same_answer(engine, emphatic, emphatic.replace("QUI", "Qui").replace(" ET ", " et "))


def _same_answer(engine: AnswerEngine, asked: str, plain_question: str) -> None:
    plain = ask(engine, plain_question)
    reply = ask(engine, asked)
    assert reply.kind is plain.kind and reply.kind.cites
    assert [c.passage_id for c in reply.citations] == [c.passage_id for c in plain.citations]


@pytest.mark.parametrize(
    "text", ["merci !", "salut", "Bonjour", "t'es un bot ?", "ça va ?", "tu es une IA ?"]
)
def test_small_talk_gets_a_friendly_reply_with_the_help_and_no_citation(
    engine: AnswerEngine, text: str
) -> None:
    reply = ask(engine, text)
    assert reply.kind is ReplyKind.SMALL_TALK
    assert reply.citations == () and reply.examples
    assert "rien trouvé" not in reply.text and "bot" in reply.text


def test_the_board_written_as_its_acronym_is_the_board(engine: AnswerEngine) -> None:
    spelt_out = ask(engine, "Qui préside le conseil d'administration de Stability ?")
    acronym = ask(engine, "Qui préside le CA de Stability ?")
    assert acronym.kind.cites
    first = acronym.citations[0]
    assert first.passage_id == spelt_out.citations[0].passage_id
    assert "O'Shaughnessy" in first.snippet
    assert "conseil" in [first.snippet[span.start : span.end] for span in first.highlights]


def test_a_question_to_the_bot_about_the_saga_is_not_small_talk(engine: AnswerEngine) -> None:
    reply = ask(engine, "tu sais qui préside le conseil de Stability ?")
    assert reply.kind.cites
    assert "O'Shaughnessy" in reply.citations[0].snippet


@pytest.mark.parametrize(
    "question",
    [
        "Qui remplace Mostaque à la tête de Stability ?",
        "Emad détenait-il la majorité des votes ?",
        "Quelle est la nationalité d'Emad Mostaque ?",
        "Combien d'argent Emad a-t-il touché en partant ?",
    ],
)
def test_a_common_word_the_articles_lack_does_not_sink_the_question(
    engine: AnswerEngine, question: str
) -> None:
    reply = ask(engine, question)
    assert reply.kind in {ReplyKind.ANSWER, ReplyKind.CLOSEST}
    assert reply.citations


def test_the_nationality_question_cites_the_sentence_saying_it(engine: AnswerEngine) -> None:
    assert any("bangladais" in s for s in _snippets(engine, "Quelle est la nationalité d'Emad Mostaque ?"))


def test_an_unsure_answer_says_so_and_still_cites(engine: AnswerEngine) -> None:
    reply = ask(engine, "Quel âge a Emad Mostaque ?")  # the articles never give it
    assert reply.kind is ReplyKind.CLOSEST
    assert reply.text == messages.CLOSEST and reply.citations


@pytest.mark.parametrize(
    "question",
    [
        "Que pense Google de Stability AI ?",
        "Midjourney est-il meilleur que Stable Diffusion ?",
        "Quelle est la population de l'Australie ?",
        "la recette de la tarte tatin",
        "azer qsdf wxcv",
        "Que pense Elon Musk de Stability AI ?",
    ],
)
def test_what_the_articles_never_mention_is_refused(engine: AnswerEngine, question: str) -> None:
    reply = ask(engine, question)
    assert reply.kind is ReplyKind.NOT_FOUND and reply.citations == ()


def test_two_specific_words_met_only_in_related_words_anchor_a_hedged_answer(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    engine = _engine_over(
        corpus_dir,
        write_article,
        "Nous dépassons déjà les prévisions, comme prévu par la direction.",
        "Un autre texte, sur la météo du jour et le vent du nord.",
        "Le conseil se réunit chaque mois dans la grande salle.",
    )
    two = ask(engine, "Niveau chiffres, ils font mieux que ce qui était attendu ?")
    assert two.kind is ReplyKind.CLOSEST
    assert "dépassons déjà les prévisions" in two.citations[0].snippet
    one = ask(engine, "Et les chiffres ?")  # a single loose relative: not about it
    assert one.kind is ReplyKind.NOT_FOUND and one.citations == ()


def test_a_close_spelling_alone_does_not_make_an_answer(engine: AnswerEngine) -> None:
    # "merci" is close to "percées", "salut" to "solution": they are French words, not typos.
    for text in ("merci", "salut", "parfait merci"):
        assert not ask(engine, text).citations


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mostak parti quand", "mars 2024"),
        ("qui remplace le ceo", "Christian Laforte"),
        ("c koi schellingai", "SchellingAI"),
        ("cest qui bjorn omer", "Ommer"),
        ("combien stability a leve en 2022", "100 millions"),
        ("le pdg par interim cest qui", "Shan Shan Wong"),
    ],
)
def test_chat_french_reaches_the_answer(engine: AnswerEngine, typed: str, expected: str) -> None:
    assert any(expected in s for s in _snippets(engine, typed))


def test_chat_words_accents_and_elisions_are_written_out() -> None:
    typed = TypedFrench(known=lambda word: word == "emad")
    assert typed.write_out("pk il est parti") == "pourquoi il est parti"
    assert typed.write_out("quelle annee") == "quelle année"
    assert typed.write_out("larticle est payant") == "l'article est payant"
    assert typed.write_out("ancien taf demad") == "ancien travail d'emad"
    assert typed.write_out("c'est Mostaque") == "c'est Mostaque"  # apostrophes and names kept
    assert with_accents("societe") == "société" and with_accents("bien") == "bien"


def test_a_chat_word_in_capitals_standing_for_a_stop_word_is_an_acronym() -> None:
    typed = TypedFrench(mere_stop_words=frozenset({"ca", "la"}))
    assert typed.write_out("le CA, ca va") == "le CA, ça va"
    assert typed.write_out("LE CA VA") == "LE ça VA"  # every word in capitals: no acronym
    assert typed.write_out("PK il est parti") == "pourquoi il est parti"  # not a stop word


def test_a_chat_verb_is_written_out_whatever_its_form() -> None:
    typed = TypedFrench(chat_words={"bosser": "travailler", "barrer": "partir"})
    assert typed.write_out("il bossait") == "il travailler"  # by its lemma
    assert typed.write_out("il s'est barré quand") == "il s'est partir quand"  # a participle in -é
    assert typed.write_out("elles se sont barrées") == "elles se sont partir"
    assert typed.write_out("une barre") == "une barre"  # the noun is no form of the verb


def test_a_conjugated_word_without_a_vector_gets_its_lemmas_related_words() -> None:
    analyzer = FrenchAnalyzer()
    surfaces = {analyzer.stem(w): [w] for w in ("brûler", "argent")}
    questions = QuestionAnalyser(analyzer, [], surfaces.keys(), surfaces)
    assert WordVectors().vector("cramait") is None  # only "cramer" has one
    (concept,) = questions.analyse("ça cramait").concepts
    assert (analyzer.stem("brûler"),) in [a.terms for a in concept.alternatives[1:]]


def test_english_questions_get_the_line_in_english_then_french_citations(engine: AnswerEngine) -> None:
    reply = ask(engine, "What did Emad say about his shares and the board?")
    assert reply.text.startswith(messages.ENGLISH)
    assert reply.kind.cites
    assert any("majority of vote" in c.snippet for c in reply.citations)
    assert not ask(engine, "Qui a financé Stability AI ?").text.startswith(messages.ENGLISH)


def test_an_english_possessive_is_not_a_name_the_articles_lack(engine: AnswerEngine) -> None:
    # "AI's" read as one unknown name used to refuse the question outright.
    reply = ask(engine, "What did Emad say about Stability AI's board?")
    assert reply.kind.cites and reply.text.startswith(messages.ENGLISH)
    assert any("board control" in c.snippet for c in reply.citations)


def test_a_when_question_written_with_which_year_asks_for_a_date(engine: AnswerEngine) -> None:
    first = _snippets(engine, "En quel mois et quelle année Emad a-t-il démissionné ?")[0]
    assert "mars 2024" in first or "March 23, 2024" in first


def test_a_long_sentence_is_cut_around_the_answer_not_before_it(engine: AnswerEngine) -> None:
    first = _snippets(engine, "Quelle fonction occupait Christian Laforte avant de devenir co-PDG ?")[0]
    assert "directeur de la technologie Christian Laforte" in first


def test_who_asks_for_a_name_not_an_acronym(corpus_dir: Path, write_article: ArticleWriter) -> None:
    engine = _engine_over(
        corpus_dir,
        write_article,
        "Trucmuche cherche toujours un nouveau PDG pour diriger la société.",
        "Gaspardine Lenoir dirige désormais Trucmuche.",
        "Un autre texte, sur la météo du jour.",
    )
    assert "Gaspardine" in ask(engine, "Qui dirige Trucmuche ?").citations[0].snippet


def test_related_words_come_from_the_french_vectors() -> None:
    vectors = WordVectors()
    patron, pdg, tarte = (vectors.vector(w) for w in ("patron", "PDG", "tarte"))
    assert patron is not None and pdg is not None and tarte is not None
    assert float(patron @ pdg) > 0.5 > float(patron @ tarte)
    assert vectors.vector("qsdfqsdfqsdf") is None


def test_the_vector_keys_are_spacys_string_hashes() -> None:
    # spaCy's hash_string("apple") is 8566208034543834098 (MurmurHash64A, seed 1).
    assert murmurhash64a(b"apple") == 8566208034543834098


def test_a_word_cut_short_stands_for_the_few_corpus_words_it_begins() -> None:
    analyzer = FrenchAnalyzer()
    vocabulary = ["stability", "stabl", "investisseur", "investir", "investig", "invest", "investiture"]
    questions = QuestionAnalyser(analyzer, [], vocabulary)
    (stab,) = questions.analyse("qui preside stab").concepts[1:]
    assert {a.terms[0] for a in stab.alternatives[1:]} >= {"stability", "stabl"}
    (cut,) = questions.analyse("inves").concepts  # begins five terms: no guess
    assert [a.terms for a in cut.alternatives if a.terms[0].startswith("invest")] == []


def _highlighted(engine: AnswerEngine, question: str) -> list[str]:
    return [
        c.snippet[span.start : span.end].casefold()
        for c in ask(engine, question).citations
        for span in c.highlights
    ]


def test_a_set_phrase_is_not_taken_for_its_words(corpus_dir: Path, write_article: ArticleWriter) -> None:
    # "quelque part" shares Snowball's stem with "partir": it must not answer a question
    # about leaving, nor "sans doute" one about a doubt.
    engine = _engine_over(
        corpus_dir,
        write_article,
        "Le trésor de Zorglub est caché quelque part, sans doute dans le jardin.",
        "Zorglub est parti en mai 2020 pour Paris.",
        "Un autre texte, sur la météo du jour.",
    )
    reply = ask(engine, "Pourquoi Zorglub est-il parti ?")
    assert "parti en mai" in reply.citations[0].snippet
    assert "part" not in _highlighted(engine, "Pourquoi Zorglub est-il parti ?")
    assert "doute" not in _highlighted(engine, "Zorglub a-t-il un doute ?")


def test_an_adverb_insisting_on_the_question_matches_nothing(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    engine = _engine_over(
        corpus_dir,
        write_article,
        "Le vrai problème de Trucmuche, c'est son conseil.",
        "Zorglub a fondé la société Trucmuche en 2019.",
        "Un autre texte, sur la météo du jour.",
    )
    assert "Zorglub" in ask(engine, "Qui a vraiment fondé Trucmuche ?").citations[0].snippet
    assert "vrai" not in _highlighted(engine, "Qui a vraiment fondé Trucmuche ?")


def test_what_is_not_who() -> None:
    # "Qu'est-ce qui explique…" asks what: a passage need not hold a name to answer it.
    stop_words = FrenchAnalyzer().stop_words
    assert expected_answer("Qu'est-ce qui explique son départ ?", stop_words) is None
    who = expected_answer("Qui explique son départ ?", stop_words)
    assert who is not None and who("Gaspardine Lenoir l'explique.") and not who("Le PDG l'explique.")
