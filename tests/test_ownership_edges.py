"""Share parsing and the edge model: exact, ranges, unknowns, never a guess."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflags.ownership.edges import (
    EXCLUSIVE_EPS,
    Edge,
    bods_share,
    format_share,
    parse_share,
)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("60", 0.6, 0.6),
        ("60%", 0.6, 0.6),
        (" 12,5 % ", 0.125, 0.125),
        ("25-50%", 0.25, 0.5),
        ("25 – 50", 0.25, 0.5),
        ("50 to 25", 0.25, 0.5),
        (">=50%", 0.5, 1.0),
        ("at least 25", 0.25, 1.0),
        ("up to 10%", 0.0, 0.1),
        ("75%+", 0.75, 1.0),
        ("wholly owned", 1.0, 1.0),
        (150, 1.0, 1.0),
    ],
)
def test_parse_share_reads_what_people_write(text: str, low: float, high: float) -> None:
    got = parse_share(text)
    assert got[0] == pytest.approx(low)
    assert got[1] == pytest.approx(high)


@pytest.mark.parametrize("text", [None, "", "unknown", "N/A", " ? "])
def test_unknown_share_is_none_not_zero(text: str | None) -> None:
    assert parse_share(text) == (None, None)


def test_unreadable_share_raises_instead_of_guessing() -> None:
    with pytest.raises(ValueError):
        parse_share("about half")


def test_strict_bounds_stay_strict() -> None:
    low, high = parse_share("more than 50%")
    assert low is not None and low > 0.5
    assert high == 1.0
    low, high = parse_share("less than 25")
    assert high is not None and high < 0.25


def test_bods_share_forms() -> None:
    assert bods_share({"exact": 75})[:2] == (0.75, 0.75)
    low, high, text = bods_share({"minimum": 25, "exclusiveMaximum": 50})
    assert low == 0.25 and high == pytest.approx(0.5 - EXCLUSIVE_EPS)
    assert high is not None and high < 0.5
    assert text is not None and "exclusiveMaximum" in text
    assert bods_share(None) == (None, None, None)
    low, high, _ = bods_share({"exclusiveMinimum": 50})
    assert low is not None and low > 0.5 and high == 1.0


@given(st.integers(min_value=0, max_value=10000))
def test_exact_percentages_round_trip(basis_points: int) -> None:
    text = f"{basis_points / 100:g}%"
    low, high = parse_share(text)
    assert low == high == pytest.approx(basis_points / 10000)


@given(st.floats(0, 100), st.floats(0, 100))
def test_ranges_are_ordered_fractions(a: float, b: float) -> None:
    low, high = parse_share(f"{a:.2f}-{b:.2f}%")
    assert low is not None and high is not None
    assert 0.0 <= low <= high <= 1.0


@given(st.text(max_size=20))
def test_any_text_is_read_or_refused(text: str) -> None:
    try:
        low, high = parse_share(text)
    except ValueError:
        return
    if low is None:
        assert high is None
    else:
        assert high is not None and 0.0 <= low <= high <= 1.0


def test_format_share() -> None:
    assert format_share(0.6, 0.6) == "60%"
    assert format_share(0.25, 0.5) == "25%–50%"
    assert format_share(None, None) == "unknown"


def test_edge_activity_by_date() -> None:
    ended = Edge("a", "b", "ownership", 0.5, 0.5, end_date="2021-04-03", date="2019-09-11")
    assert not ended.active(None)
    assert ended.active("2020-01-01")
    assert not ended.active("2021-04-03")
    assert not ended.active("2019-01-01")
    assert Edge("a", "b", "ownership").active(None)
