"""Run and report times of generated models of 50, 300 and 1,000 tracks.

Each model has N tracks of three states (``calm -> tense -> crisis``, ``tense -> calm``),
three events per track (chance within a year, uncertain for every fifth track, a named
parameter shared by groups of ten tracks, a guard on the neighbouring track for every third
track) and one outcome per track (``crisis`` at the horizon, "at any time" for every other
track): N tracks, 3 N events, N outcomes. For each N it prints the seconds and peak resident
set of ``sim run --no-charts`` and of ``sim run`` (charts and report), each in a fresh
process, and the number and total size of the chart files.

Usage (from the project root)::

    .venv/bin/python benchmarks/scale.py                  # 50, 300 and 1000 tracks, 2,000 runs
    .venv/bin/python benchmarks/scale.py 50 300 --runs 10000 --keep /tmp/scale
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def model(n: int) -> str:
    """The YAML text of a generated model of ``n`` tracks (see the module docstring)."""
    lines = [
        f"scenario: scale_{n}",
        f"title: Generated model of {n} tracks",
        "start: 2025-01-01",
        "horizon: 2027-01-01",
        "parameters:",
    ]
    for g in range((n + 9) // 10):
        lines.append(f"  rate_{g}: {{value: {{uniform: [5%, 40%]}}, label: Escalation rate {g}}}")
    lines.append("tracks:")
    for k in range(n):
        lines.append(f"  t{k}: {{states: [calm, tense, crisis], initial: calm, label: Region {k}}}")
    lines.append("events:")
    for k in range(n):
        up = f"$rate_{k // 10}" if k % 5 else "10% to 30%"
        guard = f", when: t{k - 1} != calm" if k % 3 == 2 else ""
        lines += [
            f"  - {{id: e{k}_up, track: t{k}, from: calm, to: tense, chance: {up} within 365 days}}",
            f"  - {{id: e{k}_down, track: t{k}, from: tense, to: calm, "
            f"chance: 50% within 365 days}}",
            f"  - {{id: e{k}_crisis, track: t{k}, from: tense, to: crisis, "
            f"chance: 20% within 365 days{guard}}}",
        ]
    lines.append("outcomes:")
    for k in range(n):
        ever = ", ever: true" if k % 2 else ""
        lines.append(f"  o{k}: {{when: t{k} == crisis, label: Crisis in region {k}{ever}}}")
    return "\n".join(lines) + "\n"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, the largest of the process and the workers it waited
    for) of ``command`` run in a fresh child."""
    wrapper = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracks", nargs="*", type=int, default=[50, 300, 1000])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="keep models and reports here")
    args = parser.parse_args()
    sim = str(Path(sys.executable).parent / "sim")
    root = args.keep or Path(tempfile.mkdtemp(prefix="scale_"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"sim run --runs {args.runs:,} --jobs {args.jobs}: seconds, peak RSS (MB)")
    print(f"{'tracks':>7} {'no charts s':>12} {'MB':>6} {'charts s':>9} {'MB':>6} "
          f"{'ratio':>6} {'charts':>7} {'PNG MB':>7}")  # fmt: skip
    for n in args.tracks:
        path = root / f"scale_{n}.yaml"
        path.write_text(model(n), encoding="utf-8")
        common = [sim, "run", str(path), "--runs", str(args.runs), "--jobs", str(args.jobs)]
        bare, bare_mb = timed([*common, "--no-charts", "--out", str(root / f"bare_{n}")])
        full, full_mb = timed([*common, "--out", str(root / f"full_{n}")])
        pngs = list((root / f"full_{n}").glob("*.png"))
        size = sum(p.stat().st_size for p in pngs) / 1e6
        print(f"{n:>7} {bare:>12.1f} {bare_mb:>6.0f} {full:>9.1f} {full_mb:>6.0f} "
              f"{full / bare:>6.1f} {len(pngs):>7} {size:>7.1f}", flush=True)  # fmt: skip
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
