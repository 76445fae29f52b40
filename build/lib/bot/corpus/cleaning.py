"""Turn an article's body as published into the text we index.

Cleaning is code, so every article dropped into `corpus/` gets the same
treatment: embedded tweets become quoted text with author and date, other HTML
becomes plain text, publisher boilerplate is dropped, a line repeating the
title is dropped, and a paragraph published twice is kept once.

HTML is read by a real parser (selectolax's lexbor, the HTML5 parsing algorithm):
tags over several lines, comments, `<style>` and `<script>`, `>` inside an
attribute are handled, block ends (`<br>`, `</p><p>`, `</div>`…) become line
breaks so words are never glued, and entities are decoded, on lines with or
without tags.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from html.parser import HTMLParser

from bot.data import read_data

_TWITTER_EMBED = re.compile(r"\[TWITTER\](.*?)\[/TWITTER\]", re.DOTALL | re.IGNORECASE)
_TWEET_BLOCKQUOTE = re.compile(
    r"<blockquote[^>]*twitter-tweet[^>]*>.*?</blockquote>", re.DOTALL | re.IGNORECASE
)
_SCRIPT = re.compile(r"<script\b.*?(?:</script>|$)", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")


class _TweetParser(HTMLParser):
    """Collects a tweet blockquote's text lines and its signature ("— author date")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.signature: list[str] = []
        self.last_link = ""
        self._in_text = False
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._in_text = True
        elif tag == "br" and self._in_text:
            self.lines.append("")
        elif tag == "a" and not self._in_text:
            self._in_link, self.last_link = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_text = False
        elif tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self.lines[-1] += data
        else:
            self.signature.append(data)
            if self._in_link:
                self.last_link += data


def tweet_as_text(embed: str) -> str:
    """Render an embedded tweet as `« text » — author, date`, with no HTML left."""
    parser = _TweetParser()
    parser.feed(_SCRIPT.sub("", embed))
    parser.close()
    lines = [_SPACES.sub(" ", line).strip() for line in parser.lines]
    text = " / ".join(line for line in lines if line)
    signature = _SPACES.sub(" ", "".join(parser.signature)).strip()
    date = parser.last_link.strip()
    author = signature.removesuffix(date).strip().lstrip("—–-").strip()
    credit = ", ".join(part for part in (author, date) if part)
    quoted = f"« {text} »" if text else ""
    return f"{quoted} — {credit}".strip(" —") if credit else quoted


_BLOCKS = (
    "p, div, li, ul, ol, dd, dt, h1, h2, h3, h4, h5, h6, blockquote, tr, table, section, article,"
    " header, footer, aside, figure, figcaption, pre, hr"
)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, a line per block; unchanged but for entities
    when it holds no tag."""
    if not _TAG.search(fragment) and "<!--" not in fragment:
        return html.unescape(fragment)
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(f"<body>{fragment}</body>")
    for hidden in tree.css("script, style, noscript, template, iframe, svg, head"):
        hidden.decompose()
    for line_break in tree.css("br"):
        line_break.replace_with("\n")
    for block in tree.css(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    body = tree.body
    return body.text(separator="", strip=False) if body is not None else ""


@cache
def boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    text = read_data("boilerplate_fr.txt")
    return tuple(
        re.compile(line.strip(), re.IGNORECASE)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


def _comparable(paragraph: str) -> str:
    return " ".join(paragraph.casefold().split())


def clean_body(raw: str, title: str) -> str:
    """The indexable text of an article: one paragraph per line, NFC-normalised."""
    text = unicodedata.normalize("NFC", raw)
    text = _TWITTER_EMBED.sub(lambda m: "\n" + tweet_as_text(m.group(1)) + "\n", text)
    text = _TWEET_BLOCKQUOTE.sub(lambda m: "\n" + tweet_as_text(m.group(0)) + "\n", text)
    text = html_to_text(text)
    seen = {_comparable(title)}
    paragraphs: list[str] = []
    for line in text.splitlines():
        paragraph = _SPACES.sub(" ", line).strip()
        key = _comparable(paragraph)
        if not paragraph or key in seen:
            continue
        if any(pattern.search(paragraph) for pattern in boilerplate_patterns()):
            continue
        seen.add(key)
        paragraphs.append(paragraph)
    return "\n".join(paragraphs)
