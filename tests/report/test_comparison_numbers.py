"""The comparison prints no "-0.0" and bolds only differences that matter."""

import pytest

from sim.report.comparison import MATTERS_POINTS, matters, points


@pytest.mark.parametrize(
    ("share", "text"),
    [(-0.0004, "0.0"), (-0.0, "0.0"), (0.0004, "0.0"), (-0.0006, "\u22120.1"), (0.1, "+10.0")],
)
def test_points_never_print_a_signed_zero(share, text):
    assert points(share) == text


@pytest.mark.parametrize(
    ("difference", "ci", "bold"),
    [
        (-0.10, (-0.115, -0.085), True),  # 10 points, clear of zero
        (-0.002, (-0.003, -0.001), False),  # clear of zero but 0.2 points: does not matter
        (-0.02, (-0.04, -0.0004), False),  # the printed interval reaches 0.0
        (0.02, (-0.001, 0.04), False),  # includes zero
        (0.015, (0.011, 0.019), True),
        (0.02, None, False),
    ],
)
def test_bold_only_for_differences_that_matter(difference, ci, bold):
    assert MATTERS_POINTS == 1.0
    assert matters(difference, ci) is bold
