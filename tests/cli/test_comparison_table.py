"""The comparison's console table names each variant by its label (F12)."""

from __future__ import annotations

from sim.cli.output import print_comparison


def test_the_console_table_heads_each_variant_with_its_label(capsys):
    comparison = {
        "scenario": "s",
        "title": "S",
        "runs": 100,
        "seed": 1,
        "variants": {
            "base": {"label": "As things stand", "changes": []},
            "bad_v": {"label": "Talks [fail]", "changes": []},
            "no_label": {},
        },
        "outcomes": {
            "o": {
                "label": "O",
                "by_variant": {
                    "base": {"probability": 0.5},
                    "bad_v": {"probability": 0.25, "difference": -0.25},
                    "no_label": {"probability": 0.5, "difference": 0.0},
                },
            }
        },
    }
    print_comparison(comparison)
    out = capsys.readouterr().out
    assert "As things stand" in out and "Talks [fail]" in out  # markup-like text kept as is
    assert "no_label" in out and "bad v" not in out
    assert "25.0% (-25.0)" in out


def test_the_outcomes_table_says_noise_instead_of_a_range_when_noise_dominates(capsys):
    """F4 on the console: a spread whose noise sd is as large as its parameter sd."""
    from sim.cli.output import print_outcomes

    spread = {"median": 0.3, "p10": 0.27, "p90": 0.33, "parameter_sd": 0.01, "noise_sd": 0.02}
    summary = {
        "scenario": "s", "variant": "base", "runs": 2000, "seed": 1, "engine": "compiled",
        "start": "2025-01-01", "horizon": "2026-01-01",
        "outcomes": {
            "a": {"label": "Noisy", "probability": 0.3, "ci95": [0.28, 0.32], "words": "unlikely",
                  "ever": True, "first_time_median": None,
                  "spread": spread | {"noise_dominated": True}},
            "b": {"label": "Clear", "probability": 0.5, "ci95": [0.48, 0.52], "words": "even",
                  "ever": True, "first_time_median": None,
                  "spread": spread | {"p10": 0.2, "p90": 0.7, "noise_dominated": False}},
        },
    }  # fmt: skip
    print_outcomes(summary)
    out = capsys.readouterr().out
    noisy = next(line for line in out.splitlines() if "Noisy" in line)
    clear = next(line for line in out.splitlines() if "Clear" in line)
    assert "mostly noise" in noisy and "27.0% - 33.0%" not in noisy
    assert "20.0% - 70.0%" in clear
