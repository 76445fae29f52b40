"""The terminal's rendering of a `Reply`: readable text, or one JSON object."""

from __future__ import annotations

from typing import Any

from bot.models import Article, Citation, Reply

BOLD_YELLOW, RESET = "\033[1;33m", "\033[0m"


def highlight(citation: Citation, *, color: bool) -> str:
    """The snippet with its highlights in ANSI bold, or between ** ** without colour."""
    before, after = (BOLD_YELLOW, RESET) if color else ("**", "**")
    return citation.drawn(str, before, after)


def source_line(article: Article) -> str:
    """« Titre » — Éditeur, date, URL: what is known of an article, nothing invented."""
    return f"« {article.title} » — {', '.join([*article.credits(), article.link() or 'lien inconnu'])}"


def render_reply(reply: Reply, *, color: bool = False) -> str:
    lines = [reply.notice] if reply.notice else []
    lines.append(reply.text)
    for number, citation in enumerate(reply.citations, start=1):
        lines += [
            "",
            f"[{number}] {highlight(citation, color=color)}",
            f"    {source_line(citation.article)}",
            f"    passage {citation.passage_number}/{citation.passage_count}"
            f" ({citation.passage_id}), score {citation.score:.2f}",
        ]
    lines += [f"  • {source_line(article)}" for article in reply.articles]
    lines += [
        f"  • {entry.when} — « {entry.sentence} » — {' ; '.join(a.publisher for a in entry.articles)}"
        for entry in reply.timeline
    ]
    lines += [f"  • {example}" for example in reply.examples]
    return "\n".join(lines)


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """The reply as plain JSON-ready data (the `ask --json` format)."""
    return {
        "kind": reply.kind.value,
        "text": reply.text,
        "notice": reply.notice,
        "citations": [
            {
                "snippet": c.snippet,
                "title": c.title,
                "publisher": c.publisher,
                "url": c.url,
                "date": c.published.isoformat() if c.published else None,
                "passage_id": c.passage_id,
                "passage": c.passage_number,
                "score": c.score,
                "highlights": [[span.start, span.end] for span in c.highlights],
            }
            for c in reply.citations
        ],
        "articles": [
            {"title": a.title, "publisher": a.publisher, "url": a.url, "slug": a.slug} for a in reply.articles
        ],
        "examples": list(reply.examples),
        "timeline": [
            {
                "when": e.when,
                "sentence": e.sentence,
                "publishers": [a.publisher for a in e.articles],
                "passage_ids": list(e.passage_ids),
            }
            for e in reply.timeline
        ],
    }
