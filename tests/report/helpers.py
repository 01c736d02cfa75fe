"""A sample results folder (summary.json and the CSV files) for the report tests."""

import json
from pathlib import Path

import pandas as pd

ARABIC_TITLE = "الانسحاب الأمريكي: ماذا بعد؟"
ARABIC_STATE = "فراغ أمني"
SOURCE_URL = "https://example.org/analysis?a=1&b=2"
DATES = ["2025-08-01", "2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01", "2026-01-01"]
STEMS = ["outcomes", "first_passage", "occupancy", "diagram"]


def sample_summary() -> dict:
    """A results summary with Arabic labels, sources, outcomes, tracks and trajectories."""
    return {
        "scenario": "us_withdrawal_demo",
        "variant": "base",
        "variant_label": "Base case",
        "title": ARABIC_TITLE,
        "description": "What follows\u0007 the drawdown. <script>alert(1)</script>",
        "sources": [
            {"title": "A news analysis", "url": SOURCE_URL, "date": "2025-07-15", "note": "n"},
            {"title": "Untrusted", "url": "javascript:alert(1)", "date": None, "note": None},
            {"title": "No link", "url": None, "date": None, "note": None},
        ],
        "runs": 1000,
        "seed": 7,
        "engine": "simpy",
        "start": "2025-08-01",
        "horizon": "2026-01-01",
        "horizon_days": 153.0,
        "settings": {
            "jobs": 2,
            "version": "0.1.0",
            "elapsed_seconds": 1.25,
            "file": "scenarios/demo.yaml",
            "sha256": "ab12" * 16,
            "created": "2026-11-30T12:00:00+00:00",
            "report_every": "1 month",
            "report_dates": ["2025-10-01"],
        },
        "outcomes": {
            "security_vacuum": {
                "label": "Security vacuum",
                "when": "security == vacuum",
                "ever": False,
                "probability": 0.31,
                "ci95": [0.282, 0.339],
                "words": "unlikely",
                "first_time_median": None,
                "by_date": {"2025-10-01": 0.12},
                "by_date_ci95": {"2025-10-01": [0.1, 0.14]},
            },
            "us_reengaged": {
                "label": "US re-engaged <b>",
                "when": "us_posture == limited_return",
                "ever": True,
                "probability": 0.55,
                "ci95": [0.519, 0.581],
                "first_time_median": "2025-12-20",
                "by_date": {"2025-10-01": 0.2},
            },
        },
        "tracks": {
            "us_posture": {
                "label": "US posture",
                "states": {"present": "Present", "limited_return": "Limited return"},
            },
            "security": {
                "label": "Security",
                "states": {"fragile": "Fragile", "null": "null", "vacuum": ARABIC_STATE},
            },
        },
        "states_at_horizon": {
            "us_posture": {"present": 0.45, "limited_return": 0.55},
            "security": {"fragile": 0.69, "null": 0.0, "vacuum": 0.31},
        },
        "events": {
            "returns": {
                "fired_probability": 0.6,
                "mean_fires": 0.7,
                "label": "US returns",
                "track": "us_posture",
                "from": ["present"],
                "to": {"limited_return": 1.0},
                "timing": "25% / 12 mo",
            },
            "collapse": {
                "fired_probability": 0.31,
                "mean_fires": 0.31,
                "label": "Collapse",
                "track": "security",
                "from": ["fragile", "null"],
                "to": {"vacuum": 0.8, "null": 0.2},
                "timing": "3-12 mo",
            },
            "recover": {
                "fired_probability": 0.05,
                "mean_fires": 0.05,
                "label": "Recovery",
                "track": "security",
                "from": ["vacuum"],
                "to": {"fragile": 1.0},
                "timing": "on 2025-12-01",
            },
        },
        "trajectories": [
            {"events": ["returns"], "count": 400, "share": 0.4},
            {"events": ["returns", "collapse"], "count": 150, "share": 0.15},
            {"events": [], "count": 100, "share": 0.1},
        ],
    }


def write_results_folder(folder: Path, summary: dict) -> Path:
    """Write ``summary`` as summary.json beside sample occupancy and first-passage CSV files
    (shares on DATES) into ``folder``; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    rows = []
    for k, date in enumerate(DATES):
        f = k / (len(DATES) - 1)
        rows += [
            (date, "us_posture", "present", 1 - 0.45 * f),
            (date, "us_posture", "limited_return", 0.45 * f),
            (date, "security", "fragile", 1 - 0.31 * f),
            (date, "security", "null", 0.0),
            (date, "security", "vacuum", 0.31 * f),
        ]
    pd.DataFrame(rows, columns=["date", "track", "state", "share"]).to_csv(
        folder / "occupancy.csv", index=False
    )
    rows = []
    for k, date in enumerate(DATES):
        f = k / (len(DATES) - 1)
        rows += [(date, "security_vacuum", 0.4 * f), (date, "us_reengaged", 0.6 * f)]
    pd.DataFrame(rows, columns=["date", "outcome", "share"]).to_csv(
        folder / "first_passage.csv", index=False
    )
    return folder
