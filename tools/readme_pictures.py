"""Regenerate the README's pictures from the demo's reports: ``python tools/readme_pictures.py``.

Run ``make demo`` first: the pictures are copied from ``reports/iraq_us_withdrawal_2025/``
(the charts as the demo drew them) and the first screen of the base report is photographed
in headless Chromium (Debian's ``chromium``; without it that picture is left as it is and
the script says so). The mapping from report file to README picture is :data:`PICTURES`.

The exit status is 1 when a report file is missing (the demo has not run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports" / "iraq_us_withdrawal_2025"
#: README picture -> the demo's file it is a copy of.
PICTURES = {
    "docs/outcomes.png": "base/outcomes.png",
    "docs/comparison_differences.png": "comparison/differences.png",
    "docs/images/evidence_outcomes.png": "example_evidence/outcomes.png",
    "docs/images/evidence_history.png": "example_evidence/history/history.png",
    "docs/images/evidence_signposts.png": "example_evidence/signposts.png",
}
#: The first screen of the base report, as an analyst's browser window shows it.
SUMMARY = "docs/images/report_summary.png"
WINDOW = "1400,1000"


def browser() -> str | None:
    """The headless browser's command, or None where none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def screenshot(page: Path, picture: Path) -> bool:
    """Photograph the first screen of ``page`` into ``picture``; False without a browser."""
    command = browser()
    if command is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                command,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW}",
                f"--screenshot={picture}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    _shrink(picture)
    return True


def _shrink(picture: Path) -> None:
    """Keep a picture small (the README's are under 200 KB each): 256 colours (an adaptive
    palette: charts and text need no more), optimised."""
    from PIL import Image

    with Image.open(picture) as image:
        small = image.convert("RGB").quantize(colors=256)
    small.save(picture, optimize=True)


def main() -> int:
    """Copy the charts and photograph the summary; 1 when the demo's reports are missing."""
    missing = [source for source in PICTURES.values() if not (REPORTS / source).is_file()]
    if missing:
        print(f"run `make demo` first: missing {', '.join(missing)} in {REPORTS}", file=sys.stderr)
        return 1
    for picture, source in PICTURES.items():
        shutil.copyfile(REPORTS / source, ROOT / picture)
        _shrink(ROOT / picture)
        print(f"{picture} <- {source}")
    if screenshot(REPORTS / "base" / "report.html", ROOT / SUMMARY):
        print(f"{SUMMARY} <- the first screen of base/report.html")
    else:
        print(f"no chromium found: {SUMMARY} left as it is", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
