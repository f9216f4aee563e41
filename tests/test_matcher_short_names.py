"""Short ordinary names screened against long listed names: a lone word that only nearly
matches is weak evidence, a lone word that matches exactly is not."""

from __future__ import annotations

from redflags.matching import DEFAULT_THRESHOLD, Matcher


def _org(name: str, schema: str = "Company") -> dict[str, object]:
    return {"id": name, "schema": schema, "properties": {"name": [name]}}


def test_lone_near_miss_word_is_marked_and_costs() -> None:
    matcher = Matcher()
    near = matcher.compare(_org("BAYER"), _org("BAJER S.R.L."))
    exact = matcher.compare(_org("BAJER"), _org("BAJER S.R.L."))
    assert near.explanations["name_single_fuzzy"].value > 0
    assert "name_single_fuzzy" not in exact.explanations
    assert near.explanations["name_single_fuzzy"].contribution < 0
    assert near.score < exact.score


def test_exact_lone_word_of_a_listed_name_still_matches() -> None:
    result = Matcher().compare(_org("Hikvision"),
                               _org("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."))
    assert result.score >= DEFAULT_THRESHOLD
    assert "name_single_fuzzy" not in result.explanations


def test_cross_script_lone_word_is_not_a_near_miss() -> None:
    """A transliteration is never letter-exact: no near-miss penalty across scripts."""
    result = Matcher().compare(_org("Рособоронэкспорт"), _org("ROSOBORONEXPORT"))
    assert "name_single_fuzzy" not in result.explanations
    assert result.score >= DEFAULT_THRESHOLD


def test_several_words_are_not_a_lone_word() -> None:
    result = Matcher().compare(_org("Golden Eagle Trading"), _org("Golden Eagles Trading"))
    assert "name_single_fuzzy" not in result.explanations
