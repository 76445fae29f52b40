"""Dates written in the articles: "en mars 2024", "le 23 mars 2024", "En août 2022",
"octobre 2023", "en 2022", and, in quoted English tweets, "March 23, 2024".

A small grammar of our own rather than dateparser's search: the articles write dates
in a handful of forms, the grammar reads them in microseconds per sentence (dateparser
takes milliseconds), and it never guesses. A date given only relative to the article
("le mois dernier", "l'année dernière", "cette année", "en août") is resolved only
when the article's publication date is in its header, and is otherwise left out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

MONTHS_FR = (
    "janvier", "fevrier", "mars", "avril", "mai", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
)  # fmt: skip
MONTHS_EN = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre")  # fmt: skip

_FR = "|".join(MONTHS_FR)
_EN = "|".join(MONTHS_EN)
_YEAR = r"((?:19|20)\d\d)"
_DAY_MONTH_YEAR = re.compile(rf"\b(1er|[0-3]?\d)\s+({_FR})\s+{_YEAR}\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_EN})\s+([0-3]?\d),\s+{_YEAR}\b")
_MONTH_YEAR = re.compile(rf"\b({_FR}|{_EN})\s+(?:de\s+l'annee\s+)?{_YEAR}\b")
_IN_YEAR = re.compile(rf"\b(?:en|depuis|des|debut|fin|courant|annee)\s+{_YEAR}\b")
_MONTH_ALONE = re.compile(rf"\b(?:en|d'|de|debut|fin|mi-)\s*({_FR})\b(?!\s+(?:19|20)\d\d)")
_LAST_YEAR = re.compile(r"\bl'annee (?:derniere|passee)\b")
_LAST_MONTH = re.compile(r"\b(?:le|du|au) mois dernier\b")
_THIS_YEAR = re.compile(r"\bcette annee\b")


@dataclass(frozen=True, order=True)
class When:
    """A date and its precision: a day, a month (day None) or a year (month None)."""

    year: int
    month: int | None = None
    day: int | None = None

    def label(self) -> str:
        """In French: "23 mars 2024", "mars 2024", "2024"."""
        if self.month is None:
            return str(self.year)
        month = MONTH_NAMES[self.month - 1]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{'1er' if self.day == 1 else self.day} {month} {self.year}"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.casefold().replace("’", "'"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _month(name: str) -> int:
    return (MONTHS_FR.index(name) if name in MONTHS_FR else MONTHS_EN.index(name)) + 1


_ANY_YEAR = re.compile(r"(?:19|20)\d\d")


def dates_in(sentence: str, published: dt.date | None = None) -> list[When]:
    """The dates `sentence` gives, the most precise reading of each stretch only."""
    if published is None and not _ANY_YEAR.search(sentence):
        return []  # every form but the relative ones gives a year (folding keeps digits)
    text = _plain(sentence)
    found: list[When] = []
    taken: list[tuple[int, int]] = []

    def add(when: When, span: tuple[int, int]) -> None:
        if any(span[0] < end and start < span[1] for start, end in taken):
            return  # already read, more precisely
        taken.append(span)
        if when not in found:
            found.append(when)

    for match in _DAY_MONTH_YEAR.finditer(text):
        day = 1 if match[1] == "1er" else int(match[1])
        if 1 <= day <= 31:
            add(When(int(match[3]), _month(match[2]), day), match.span())
    for match in _MONTH_DAY_YEAR.finditer(text):
        if 1 <= int(match[2]) <= 31:
            add(When(int(match[3]), _month(match[1]), int(match[2])), match.span())
    for match in _MONTH_YEAR.finditer(text):
        add(When(int(match[2]), _month(match[1])), match.span())
    for match in _IN_YEAR.finditer(text):
        add(When(int(match[1])), match.span(1))
    if published is not None:
        for match in _MONTH_ALONE.finditer(text):
            month = _month(match[1])
            year = published.year if month <= published.month else published.year - 1
            add(When(year, month), match.span())
        for match in _LAST_YEAR.finditer(text):
            add(When(published.year - 1), match.span())
        for match in _THIS_YEAR.finditer(text):
            add(When(published.year), match.span())
        for match in _LAST_MONTH.finditer(text):
            first = published.replace(day=1) - dt.timedelta(days=1)
            add(When(first.year, first.month), match.span())
    return sorted(found, key=When.sort_key)
