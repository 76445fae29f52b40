"""A corpus cannot stop the bot: bad files are named and left out, the others served.

The start-up faults run `emad-bot ask` as a process: a FIFO would hang it and
/dev/zero would eat its memory if they were ever opened."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.corpus.articles import load_corpus
from bot.corpus.cleaning import clean_body
from tests.conftest import ROOT, ArticleWriter, article_text

ALIAS_BOMB = "\n".join(
    ['title: "Bombe"', "publisher: X", "language: fr", "a: &a [x, x, x, x, x, x, x, x, x]"]
    + [
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]"
        for n in range(9)
    ]
)


def test_every_corpus_fault_is_named_at_start_and_the_good_article_served(
    corpus_dir: Path, write_article: ArticleWriter, tmp_path: Path
) -> None:
    write_article("a.md", "Le bon", "Gaspard Lenoir est le nouveau trésorier de la startup.")
    (corpus_dir / "dossier.md").mkdir()
    (corpus_dir / "casse.md").symlink_to(tmp_path / "nulle-part.md")
    os.mkfifo(corpus_dir / "tube.md")
    (corpus_dir / "zero.md").symlink_to("/dev/zero")
    (corpus_dir / "bombe.md").write_text(f"---\n{ALIAS_BOMB}\n---\nTexte.\n", encoding="utf-8")
    (corpus_dir / "enorme.md").write_text(article_text("Énorme", "mot " * 5_000_000), encoding="utf-8")
    (corpus_dir / "ftp.md").write_text(
        article_text("F", "Texte.", url="ftp://exemple.fr/a"), encoding="utf-8"
    )
    (corpus_dir / "titre.md").write_text(
        "---\ntitle: Stability AI : la chute\npublisher: X\nlanguage: fr\n---\nTexte.\n", encoding="utf-8"
    )
    env = {"PATH": "/usr/bin:/bin", "BOT_CORPUS_DIR": str(corpus_dir), "BOT_INDEX_DIR": str(tmp_path / "i")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Qui est Gaspard Lenoir ?"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,  # a hang guard, not a speed test
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Lenoir** est le nouveau trésorier" in result.stdout
    log = result.stderr
    assert "dossier.md : est un dossier" in log
    assert "casse.md : lien symbolique cassé" in log
    assert "tube.md : n'est pas un fichier ordinaire" in log
    assert "zero.md : n'est pas un fichier ordinaire" in log
    assert "bombe.md : en-tête YAML invalide, ligne 6 : les alias YAML" in log
    assert "enorme.md : trop gros" in log
    assert "ftp.md : champ « url » (ligne 5) : doit être un lien http:// ou https://" in log
    assert "titre.md : en-tête YAML invalide, ligne 2" in log and "guillemets" in log


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("title_is_descriptive: 'false'", False),
        ("title_is_descriptive: false", False),
        ("title_is_descriptive: true", True),
    ],
)
def test_header_booleans_mean_what_they_say(corpus_dir: Path, header: str, expected: bool) -> None:
    (corpus_dir / "a.md").write_text(f"---\ntitle: T\npublisher: X\nlanguage: fr\n{header}\n---\nTexte.\n")
    (article,) = load_corpus(corpus_dir).articles
    assert article.title_is_descriptive is expected


def test_a_publisher_called_no_is_a_publisher(corpus_dir: Path) -> None:
    (corpus_dir / "a.md").write_text("---\ntitle: T\npublisher: No\nlanguage: fr\n---\nTexte.\n")
    (article,) = load_corpus(corpus_dir).articles
    assert article.publisher == "No"


def test_a_symbolic_link_to_a_regular_file_outside_the_corpus_is_read(
    corpus_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "ailleurs.md"
    outside.write_text(article_text("Ailleurs", "Un article rangé ailleurs."), encoding="utf-8")
    (corpus_dir / "lien.md").symlink_to(outside)
    (article,) = load_corpus(corpus_dir).articles
    assert article.slug == "lien" and "rangé ailleurs" in article.body


def test_html_is_read_by_a_parser_not_by_line_patterns() -> None:
    raw = (
        "Premier<br>second</p><p>troisième\n"
        '<div class="pub"\n data-x="a>b">visible</div>\n'
        "<!-- un commentaire\nsur deux lignes -->\n"
        "<style>.x { color: red }</style>\n"
        "Sans balise : R&amp;D et l&#39;IA &eacute;t&eacute;\n"
    )
    lines = clean_body(raw, "Titre").splitlines()
    assert lines[:3] == ["Premier", "second", "troisième"]  # never glued across <br> or </p><p>
    assert "visible" in lines
    text = "\n".join(lines)
    assert "commentaire" not in text and "color" not in text and "data-x" not in text and ">" not in text
    assert "Sans balise : R&D et l'IA été" in lines
