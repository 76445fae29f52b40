"""The core's editable word lists and patterns (stop words, synonyms, boilerplate)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def read_data(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")
