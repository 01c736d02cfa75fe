"""The one "did you mean" helper of sim.errors, against similarity ratios worked out by hand.

difflib's ratio is 2 * M / T, with M the matched characters and T the two lengths summed.
"""

from __future__ import annotations

import pytest

from sim.errors import closest, did_you_mean


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        # 'modifers' and 'modifiers': M = 8, T = 17, ratio 0.94.
        ("modifers", ["when", "modifiers", "multiply"], "; did you mean 'modifiers'?"),
        # 'securiti' to 'security' 14/16 = 0.875 beats 'secure' 10/14 = 0.71.
        ("securiti", ["secure", "security"], "; did you mean 'security'?"),
        # Nothing in common: no hint at all.
        ("zzz", ["when", "modifiers"], ""),
        # No choices: no hint.
        ("anything", [], ""),
        # Non-strings compare as their text: '12' and '13' match in one of four characters
        # (ratio 0.5), '12' and '120' in two of five (0.8).
        (12, [13, 120], "; did you mean '120'?"),
    ],
)
def test_did_you_mean(word, choices, expected):
    assert did_you_mean(word, choices) == expected


def test_cutoff_is_the_least_ratio_suggested():
    # 'abcd' and 'abxy' share 'ab': ratio 2 * 2 / 8 = 0.5, below the default 0.6.
    assert did_you_mean("abcd", ["abxy"]) == ""
    assert did_you_mean("abcd", ["abxy"], cutoff=0.5) == "; did you mean 'abxy'?"
    assert did_you_mean("abcd", ["abxy"], cutoff=0.51) == ""


def test_closest_gives_the_name_or_none():
    assert closest("intial", ["initial", "label", "states"]) == "initial"
    assert closest("intial", ["label", "states"]) is None


def test_cutoff_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="cutoff"):
        did_you_mean("a", ["a"], cutoff=1.5)


def test_accepts_any_iterable_of_choices():
    # Dict keys and generators are read once, in order.
    assert did_you_mean("exti", {"exit": 1, "entry": 2}) == "; did you mean 'exit'?"
    assert did_you_mean("exti", (e for e in ["exit"])) == "; did you mean 'exit'?"
