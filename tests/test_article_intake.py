"""`/emad ajouter` in the core: which messages are the command, the address guard that
keeps chat from reading private addresses (also after a redirect), and a proposal's life
(only its maintainer confirms it, once; a duplicate meanwhile is refused)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bot.bootstrap import build_core
from bot.corpus.fetch import FetchError, fetch, is_public
from bot.models import Query
from bot.service import article_intake
from bot.service.article_intake import ArticleIntake, IntakeError, requested_url
from bot.settings import BotSettings
from tests.news_site import news_site


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("ajouter https://www.lemonde.fr/article.html", "https://www.lemonde.fr/article.html"),
        ("Ajouter <https://a.fr/x|a.fr/x>", "https://a.fr/x"),  # as Slack sends a link
        ("ajouter lemonde.fr/article", "https://lemonde.fr/article"),
        ("ajouter", ""),  # the command without its link: the usage is shown
        ("ajouter des investisseurs ?", None),  # a question that starts with the verb
        ("qui a financé Stability AI ?", None),
    ],
)
def test_only_ajouter_followed_by_a_link_or_nothing_is_the_command(text: str, url: str | None) -> None:
    assert requested_url(text) == url


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.5", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",
     "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"],
)  # fmt: skip
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


def test_public_addresses_are_public() -> None:
    assert all(is_public(ipaddress.ip_address(a)) for a in ("8.8.8.8", "151.101.1.1", "2a00:1450:4007::1"))


def test_the_guard_refuses_a_loopback_page_by_address_and_by_name(site: str) -> None:
    for url in (f"{site}/article.html", f"{site.replace('127.0.0.1', 'localhost')}/article.html"):
        with pytest.raises(FetchError, match="adresse non publique refusée"):
            fetch(url, allowed_address=is_public)
    assert "Gaspard Lenoir" in fetch(f"{site}/article.html")  # without the guard: read


def test_a_redirect_to_an_address_the_guard_refuses_is_not_followed(site: str) -> None:
    """The first host is allowed (127.0.0.1 here), the redirect's target (127.0.0.2) is not:
    the guard checks every connection, not only the first URL."""
    only_first = lambda ip: str(ip) == "127.0.0.1"  # noqa: E731
    with news_site("127.0.0.2") as other:
        assert "Gaspard Lenoir" in fetch(f"{other}/article.html")  # the target serves the page
        target = other.removeprefix("http://")
        with pytest.raises(FetchError, match=r"127\.0\.0\.2"):
            fetch(f"{site}/vers/{target}/article.html", allowed_address=only_first)
        assert "Gaspard Lenoir" in fetch(f"{site}/article.html", allowed_address=only_first)


def test_a_proposal_is_confirmed_once_by_its_maintainer_and_then_answered_from(
    site: str, corpus: Path
) -> None:
    intake = ArticleIntake(corpus, 2_000_000, allow_private_addresses=True)
    proposal = intake.propose(f"{site}/article.html", "slack:U1")
    assert "Gaspard Lenoir nommé directeur financier" in proposal.preview
    assert "Le Quotidien Tech" in proposal.preview and "2024-04-02" in proposal.preview
    assert not list(corpus.glob("002_*.md"))  # nothing written before the confirmation
    with pytest.raises(IntakeError, match="Seul le mainteneur qui a proposé"):
        intake.confirm(proposal.token, "slack:U2")
    done = intake.confirm(proposal.token, "slack:U1")
    (written,) = corpus.glob("002_*.md")
    assert written.name in done and "quelques secondes" in done
    with pytest.raises(IntakeError, match="expiré ou a déjà été traitée"):
        intake.confirm(proposal.token, "slack:U1")
    engine = build_core(BotSettings.ignoring_env_file(corpus_dir=corpus)).engine
    reply = engine.answer(Query("Qui est le nouveau directeur financier de Stability AI ?"))
    assert reply.citations and reply.citations[0].article.title == "Gaspard Lenoir nommé directeur financier"


def test_without_the_allow_setting_chat_never_reads_a_loopback_page(site: str, corpus: Path) -> None:
    intake = ArticleIntake(corpus, 2_000_000)
    with pytest.raises(IntakeError, match="adresse non publique refusée"):
        intake.propose(f"{site}/article.html", "slack:U1")
    assert not list(corpus.glob("002_*.md"))


def test_a_duplicate_added_meanwhile_is_refused(site: str, corpus: Path) -> None:
    intake = ArticleIntake(corpus, 2_000_000, allow_private_addresses=True, watching=False)
    first = intake.propose(f"{site}/article.html", "discord:1")
    second = intake.propose(f"{site}/copie.html", "discord:2")
    assert "SIGHUP" in intake.confirm(first.token, "discord:1")
    with pytest.raises(IntakeError, match="déjà dans le corpus"):
        intake.confirm(second.token, "discord:2")
    with pytest.raises(IntakeError, match="déjà dans le corpus"):
        intake.propose(f"{site}/article.html", "discord:1")
    assert len(list(corpus.glob("002_*.md"))) == 1 and not list(corpus.glob("003_*.md"))


def test_a_cancelled_or_expired_proposal_writes_nothing(site: str, corpus: Path) -> None:
    intake = ArticleIntake(corpus, 2_000_000, allow_private_addresses=True)
    proposal = intake.propose(f"{site}/article.html", "slack:U1")
    assert intake.cancel(proposal.token, "slack:U1") == article_intake.CANCELLED
    with pytest.raises(IntakeError):
        intake.confirm(proposal.token, "slack:U1")
    assert not list(corpus.glob("002_*.md"))


def test_an_expired_proposal_cannot_be_confirmed(site: str, corpus: Path) -> None:
    intake = ArticleIntake(corpus, 2_000_000, allow_private_addresses=True, proposal_seconds=0)
    proposal = intake.propose(f"{site}/article.html", "slack:U1")
    with pytest.raises(IntakeError) as refused:
        intake.confirm(proposal.token, "slack:U1")
    assert str(refused.value) == article_intake.EXPIRED and not list(corpus.glob("002_*.md"))


def test_chat_adding_is_off_unless_bot_chat_add_is_set(corpus: Path, tmp_path: Path) -> None:
    from bot.bootstrap import build_service
    from bot.service.settings import ServiceSettings

    core = build_core(BotSettings.ignoring_env_file(corpus_dir=corpus))
    database = tmp_path / "q.sqlite3"
    off = build_service(ServiceSettings.ignoring_env_file(database_path=database), core.engine, core.settings)
    on = build_service(ServiceSettings.ignoring_env_file(database_path=database, chat_add=True), core.engine,
                       core.settings)  # fmt: skip
    assert off.intake is None and isinstance(on.intake, ArticleIntake)
