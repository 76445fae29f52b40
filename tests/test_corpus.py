"""Loading and cleaning articles: what is indexed, and clear errors for bad files."""

from pathlib import Path

from bot.corpus.articles import load_corpus
from bot.corpus.cleaning import clean_body, tweet_as_text
from tests.conftest import ROOT, ArticleWriter, ask, engine_for

TWEET = (
    '[TWITTER]<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Not going to beat '
    'centralized AI.<br><br>All in on <a href="https://twitter.com/hashtag/X">#DecentralizedAI</a>'
    '</p>— Emad acc/acc (@EMostaque) <a href="https://twitter.com/x">March 23, 2024</a>'
    '</blockquote> <script async src="https://platform.twitter.com/widgets.js"></script> [/TWITTER]'
)


def test_the_seed_articles_load_with_their_metadata() -> None:
    corpus = load_corpus(ROOT / "corpus")
    assert corpus.problems == ()
    gate, developpez = corpus.articles
    assert gate.publisher == "Gate" and gate.title.startswith("La montée et la chute d'Emad")
    assert developpez.publisher == "Developpez.com" and developpez.title_is_descriptive
    assert gate.url is None and gate.published is None  # unknown, never invented


def test_a_body_published_twice_yields_each_paragraph_once() -> None:
    gate = load_corpus(ROOT / "corpus").articles[0]
    assert gate.body.count("Coatue et Lightspeed") == 1
    assert gate.title not in gate.body


def test_publisher_boilerplate_is_not_indexed() -> None:
    body = "\n".join(article.body for article in load_corpus(ROOT / "corpus").articles)
    assert "Voir l'original" not in body
    assert "ne garantit ni l'exactitude" not in body
    assert "réservée aux abonnés" not in body


def test_tweets_become_quoted_text_with_author_and_date() -> None:
    text = tweet_as_text(TWEET.removeprefix("[TWITTER]").removesuffix("[/TWITTER]"))
    assert text == (
        "« Not going to beat centralized AI. / All in on #DecentralizedAI » "
        "— Emad acc/acc (@EMostaque), March 23, 2024"
    )
    cleaned = clean_body(f"Avant.\n{TWEET}\nAprès.", "Titre")
    assert "<" not in cleaned and "script" not in cleaned and "[TWITTER]" not in cleaned
    assert cleaned.splitlines() == ["Avant.", text, "Après."]


def test_the_seed_tweets_are_cleaned_too() -> None:
    developpez = load_corpus(ROOT / "corpus").articles[1]
    assert "<blockquote" not in developpez.body and "widgets.js" not in developpez.body
    assert "— Emad acc/acc (@EMostaque), March 23, 2024" in developpez.body


def test_malformed_files_are_reported_by_name_and_the_rest_loads(
    corpus_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("good.md", "Bon article", "Stability AI a levé des fonds auprès de Coatue.")
    (corpus_dir / "no_header.md").write_text("Juste du texte.", encoding="utf-8")
    (corpus_dir / "latin1.md").write_bytes("---\ntitle: é\n---\nCafé".encode("latin-1"))
    (corpus_dir / "empty.md").write_text("  \n", encoding="utf-8")
    (corpus_dir / "no_title.md").write_text("---\npublisher: X\nlanguage: fr\n---\nTexte.")
    write_article("bad_date.md", "Date", "Texte.", date="23 mars")
    (corpus_dir / "unclosed.md").write_text("---\ntitle: X\nTexte.", encoding="utf-8")

    corpus = load_corpus(corpus_dir)

    assert [a.slug for a in corpus.articles] == ["good"]
    reasons = {problem.path.name: problem.reason for problem in corpus.problems}
    assert "en-tête manquant" in reasons["no_header.md"]
    assert "UTF-8" in reasons["latin1.md"]
    assert "vide" in reasons["empty.md"]
    assert "title" in reasons["no_title.md"]
    assert "AAAA-MM-JJ" in reasons["bad_date.md"]
    assert "non fermé" in reasons["unclosed.md"]
    assert str(corpus.problems[0]).startswith(corpus.problems[0].path.name + " : ")


def test_a_new_article_is_searchable_once_dropped_in(corpus_dir: Path, write_article: ArticleWriter) -> None:
    write_article("a.md", "Premier", "Stability AI a publié Stable Diffusion en 2022.")
    write_article(
        "b.md",
        "Second",
        "Le conseil a nommé un nouveau trésorier. Il s'appelle Gaspard Lenoir.",
        url="https://exemple.fr/tresorier",
        date="2024-04-02",
    )
    reply = ask(engine_for(corpus_dir), "Qui est le nouveau trésorier ?")
    assert reply.citations[0].article.slug == "b"
    assert reply.citations[0].url == "https://exemple.fr/tresorier"
    assert reply.citations[0].published is not None
