"""Name text normalisation: folding, transliteration, tokens and phonetic keys.

Pure functions over strings, shared by the candidate index and the scorer.
"""

from redflags.text.normalize import fold
from redflags.text.phonetic import phonetic, simple_spelling
from redflags.text.tokens import (
    GENERIC,
    LEGAL_FORM,
    NAME,
    NUMBER,
    legal_family,
    name_tokens,
    person_tokens,
    place_words,
    token_kind,
)
from redflags.text.translit import is_latin, latinize

# Bumped when a table or rule changes token output, so caches built on tokens rebuild.
__version__ = "22"

__all__ = [
    "GENERIC",
    "LEGAL_FORM",
    "NAME",
    "NUMBER",
    "fold",
    "is_latin",
    "latinize",
    "legal_family",
    "name_tokens",
    "person_tokens",
    "phonetic",
    "place_words",
    "simple_spelling",
    "token_kind",
]
