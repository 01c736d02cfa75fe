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
