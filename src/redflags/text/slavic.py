"""Russian and other East Slavic names as German writes them, read the English way.

German transcribes Cyrillic by its own spelling rules: в is w, ж and ш are sch, ч is tsch,
х is ch, й and the iotated vowels are j ("Sergej Lawrow", "Jewgeni Prigoschin", "Michail
Gorbatschow", "Roman Abramowitsch"). The lists write the English transcription (LAVROV,
PRIGOZHIN, ABRAMOVICH), and w/v, sch/sh and j/y are different sounds to an English phonetic
key: "Sergej Lawrow" found nothing. A name with the marks of that spelling is also read the
English way, as another name of the same entity (the Korean reading of a Han name works
the same way, ``hanja``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from redflags.text.normalize import fold

# Marks of a German transcription of a Slavic name: endings -ow, -ew, -owa, -ewa, -owski
# (Polish writes w too), -itsch, -ej, -ij, -jew(a); tsch anywhere; a word starting with an
# iotated je-/ju-/ja- (Jewgeni, Jurij, Jakow) or with wl-/wj- (Wladimir, Wjatscheslaw).
_MARK = re.compile(
    r"(?:^|\s)(?:\w*(?:[aeiou]w|[aeiou]wa|[aeiou]wski|itsch|itscha|[aeiou]j|tsch\w*)|"
    r"je[wlsgk]\w*|ju[rl]\w*|"
    r"jak\w*|wl\w*|wj\w*)(?=\s|$)"
)
# ordered: the longest German spellings first
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!s)ch"), "kh"),  # х: Michail, Chodorkowski (not the ch of sch, tsch)
    (re.compile(r"schtsch"), "shch"),
    (re.compile(r"tsch"), "ch"),
    (re.compile(r"sch"), "sh"),
    (re.compile(r"w"), "v"),
    (re.compile(r"j(?=[aeiou])"), "y"),  # Jewgeni, Wjatscheslaw, Dmitrijewitsch
    (re.compile(r"(?<=[aeiou])j(?=\s|$)"), "y"),  # Sergej, Jurij
)


@lru_cache(maxsize=16384)
def english_reading(name: str) -> str | None:
    """The English transcription of a name German-transcribed from a Slavic language, or
    None when the name bears no mark of that spelling (or reads the same)."""
    text = fold(name)
    if not text.isascii() or _MARK.search(text) is None:
        return None
    out = text
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    return out if out != text else None


__all__ = ["english_reading"]
