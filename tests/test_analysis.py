"""French analysis: the same terms for a passage and a question that say the same thing."""

from bot.search.analysis import FrenchAnalyzer, fold

analyzer = FrenchAnalyzer()


def terms(text: str, question: bool = False) -> list[str]:
    return [token.term for token in analyzer.tokens(text, question=question)]


def test_accents_case_and_ligatures_are_folded() -> None:
    assert fold("ŒUVRE Æther Élévation") == "oeuvre aether elevation"
    assert terms("La MANŒUVRE") == terms("la manoeuvre")


def test_elisions_are_stripped_with_both_apostrophes() -> None:
    assert terms("l'entreprise") == terms("l’entreprise") == terms("entreprise")
    assert terms("jusqu’à la démission, lorsqu'il partit, qu’il") == terms("démission partit")


def test_hyphenated_forms_are_split_and_their_pronouns_dropped() -> None:
    assert terms("A-t-il démissionné ?") == terms("démissionné")
    assert "pdg" in terms("les co-PDG")


def test_offsets_point_at_the_word_in_the_original_text() -> None:
    text = "Selon l’enquête de Forbes"
    spans = [text[t.start : t.end] for t in analyzer.tokens(text)]
    assert spans == ["enquête", "Forbes"]


def test_stemming_joins_inflections_and_questions_drop_interrogatives() -> None:
    assert terms("financé") == terms("financement") == terms("financer")
    assert terms("Quand et pourquoi a-t-il démissionné ?", question=True) == terms("démissionné")
    assert terms("quand pourquoi combien où comment") == [
        "quand", "pourquoi", "combien", "comment"
    ]  # fmt: skip


def test_stop_words_alone_leave_nothing() -> None:
    assert terms("le la les de des et qui que", question=True) == []


def test_names_with_inner_capitals_are_not_stemmed() -> None:
    assert terms("OpenAI") == ["openai"]
    assert terms("OpenAI") != terms("open")


def test_an_acronym_is_no_stop_word_unless_the_whole_text_is_in_capitals() -> None:
    analyzer = FrenchAnalyzer()
    assert analyzer.terms("le président du CA") == [*analyzer.terms("le président du"), "ca"]
    assert "ca" not in analyzer.terms("ça va, le président")  # "ça", however it is typed
    assert "ca" not in analyzer.terms("ca va, le président")
    assert analyzer.terms("QUI A FINANCE LE CA") == analyzer.terms("qui a finance le ca")
    asked = analyzer.tokens("QUI préside le CA, SVP ?", question=True)  # interrogatives, polite words
    assert [t.term for t in asked] == [analyzer.stem("préside"), "ca"]
