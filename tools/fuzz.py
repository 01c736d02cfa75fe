"""A seeded mutational fuzzer of scenario files: ``python tools/fuzz.py --mutants 10000 --seed 1``.

Mutates the bundled scenarios (``scenarios/``), our exact cases (``tests/cases/``), the
malformed corpus (``tests/malformed/``) and, when ``$SIM_SHARED`` is set, the team's shared
cases (``$SIM_SHARED/cases``): lines deleted, duplicated or swapped; numbers replaced by
extremes (0, -1, 1e308, 1e-308, nan, inf, 1e400); units made huge or unknown; random unicode
and bytes; deep nesting; anchors and aliases. Each mutant runs in this process through the
``sim`` entry point: ``sim validate`` and, when it validates, ``sim run --runs 50 --no-charts
--jobs 1`` into a temporary folder; each command has a 10 s alarm.

Findings (counted, and the mutant saved under ``--keep`` when given):

* ``internal``: "internal error" or a traceback in the output;
* ``hang``: a command still running after the timeout;
* ``unlocated``: an error line without ``FILE:LINE:COL`` (bar the unreadable-file kinds);
* ``stray``: a line on stderr that is not ``FILE[:LINE:COL]: error|warning: ...`` nor
  ``FILE: progress: ...`` (piped progress, :mod:`sim.cli.progress`) (a numpy or
  matplotlib warning, a multi-line message);
* ``nonfinite``: NaN or infinity in ``summary.json``.

The exit status is 1 when anything was found. POSIX only (the alarm is SIGALRM).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = ("internal", "hang", "unlocated", "stray", "nonfinite")
#: Error messages about a file as a whole, which have no line to point at.
UNLOCATED_KINDS = (
    "file is empty",
    "file is binary",
    "scenario files are capped at",
    "cannot read file",
    "not a regular file",
    "is a folder",
    "no variant",
)
_LINE = re.compile(r"^.+?(:\d+:\d+)?: (error|warning|progress): \S")
_LOCATED = re.compile(r"^.+?:\d+:\d+: error: ")
EXTREMES = [
    "0",
    "-1",
    "1e308",
    "1e-308",
    "1e-300",
    "nan",
    ".nan",
    ".inf",
    "-.inf",
    "1e400",
    "99999999999999999999",
    "0.0000001",
    "1e6",
    "1e-9",
    "-0",
    "1_000",
]
UNITS = [
    "1e308 years",
    "1e306 months",
    "0 days",
    "-3 weeks",
    "5 fortnights",
    "1e-320 days",
    "10001 years",
    "0.5 days",
    "1e9 days",
    "3 hours",
    "inf years",
]
UNICODE = [
    "\u202e",
    "\u0000",
    "\x1b[31m",
    "\n",
    "\t",
    "\r",
    "\u2028",
    "\ufeff",
    "\U0001f600",
    "\u00e9",
    "\u6f22",
    "\ud7ff",
    "\x85",
    "\\",
    '"',
    "'",
    "#",
    ":",
    "- ",
    "{",
    "]",
    "&a",
    "*a",
    "!!python/object:os.system",
    "%",
    "@",
    "`",
    "|",
    ">",
]


#: Whole quantities that sit at or just beyond the format's bounds (docs/FORMAT.md, section 5).
QUANTITIES = {
    "after": [
        "1e-300 days",
        "10000 years",
        "{gamma: {shape: 0.1, mean: 1e-6 days}}",
        "{weibull: {shape: 0.1, scale: 10000 years}}",
        "1e-6 to 10000 years",
        "{uniform: [0 days, 1e-6 days]}",
        "{lognormal: {median: 1 day, p90: 1e5 days}}",
        "{gamma: {shape: 1e6, mean: 1 day}}",
        "{pert: [0 days, 0 days, 1 day]}",
        "{exponential: {mean: 1e-9 days}}",
        "{triangular: [0 days, 1 year, 1 year]}",
    ],
    "rate": [
        "1e6 per day",
        "0 per day",
        "-0 per year",
        "1e-6 to 1e6 per day",
        "{exponential: {mean: 1e6}} per day",
        "1 per 10000 years",
        "1e-300 per day",
    ],
    "chance": [
        "99.9999% within 1 day",
        "1e-6 to 99.99% within 1 day",
        "0% within 1 day",
        "{p: {beta: [0.1, 0.1]}, within: 1 day}",
        "{p: {beta: [1e6, 0.1]}, within: 1 day}",
        "1e-300% within 10000 years",
        "{p: {uniform: [0%, 99.999999%]}, within: 1 day}",
    ],
    "multiply": ["1e6", "0", "-0", "1e-300", "1e-6 to 1e6", "{gamma: {shape: 0.1, mean: 1e6}}"],
}
_QUANTITY = re.compile(r"\b(after|rate|chance|multiply): ([^,}\n]+|\{[^}]*\})")


def _quantity(text: str, rng: random.Random) -> str:
    found = list(_QUANTITY.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    value = rng.choice(QUANTITIES[m.group(1)])
    return text[: m.start()] + f"{m.group(1)}: {value}" + text[m.end() :]


class _Timeout(BaseException):
    """Raised by the alarm: a BaseException, so that no ``except Exception`` swallows it."""


@dataclass
class Report:
    """Counts of one fuzzing session, and the findings' mutants."""

    counts: Counter = field(default_factory=Counter)
    found: list[tuple[str, str, str]] = field(default_factory=list)  # (finding, origin, text)

    @property
    def findings(self) -> int:
        """Number of mutants with at least one finding."""
        return len(self.found)


def corpus(shared: str | None = None) -> list[tuple[str, str]]:
    """The seed files as (name, text): bundled scenarios, our cases, malformed, shared cases.

    Parameters
    ----------
    shared : str or None
        The team's shared folder (``$SIM_SHARED``); its ``cases/*.yaml`` are used when present.

    Returns
    -------
    list of (str, str)
        Sorted by name, so that a seed always picks the same files.
    """
    folders = {
        "scenarios": ROOT / "scenarios",
        "cases": ROOT / "tests" / "cases",
        "malformed": ROOT / "tests" / "malformed",
    }
    if shared:
        folders["shared"] = Path(shared) / "cases"
    out = []
    for label, folder in folders.items():
        for f in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            out.append((f"{label}/{f.name}", f.read_bytes().decode("utf-8", "replace")))
    return sorted(out)


def _lines(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    op = rng.choice(("delete", "duplicate", "swap", "indent"))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(j, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i] = rng.choice(("  ", "    ", "\t", "")) + lines[i].lstrip()
    return "\n".join(lines)


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w])")
_DURATION = re.compile(r"\d+(?:\.\d+)?\s*(?:days?|weeks?|months?|years?)")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def _sub_one(pattern: re.Pattern, text: str, rng: random.Random, new: Callable[[], str]) -> str:
    found = list(pattern.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    return text[: m.start()] + new() + text[m.end() :]


def _nest(text: str, rng: random.Random) -> str:
    depth = rng.choice((2, 10, 63, 65, 200))
    open_, close = rng.choice((("[", "]"), ("{a: ", "}")))
    return _sub_one(_NUMBER, text, rng, lambda: open_ * depth + "1" + close * depth)


def _anchor(text: str, rng: random.Random) -> str:
    found = [m for m in re.finditer(r": (\S[^\n]*)", text)]
    if len(found) < 2:
        return text
    a, b = sorted(rng.sample(found, 2), key=lambda m: m.start())
    name = rng.choice(("a", "x", "b"))
    how = rng.choice(("alias", "reuse", "dangling"))
    second = f": *{name}" if how == "alias" else f": &{name} " + b.group(1)
    if how == "dangling":
        second = ": *zz"
    first = f": &{name} " + a.group(1)
    return text[: a.start()] + first + text[a.end() : b.start()] + second + text[b.end() :]


def _unicode(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text) + 1)
    piece = rng.choice(UNICODE + [chr(rng.randrange(0x20, 0x3000))])
    return text[:i] + piece + text[i:]


def _word(text: str, rng: random.Random) -> str:
    words = _WORD.findall(text)
    return _sub_one(_WORD, text, rng, lambda: rng.choice(words)) if words else text


def _bytes(text: str, rng: random.Random) -> str:
    raw = bytearray(text.encode("utf-8", "surrogatepass"))
    if not raw:
        return text
    i = rng.randrange(len(raw))
    op = rng.choice(("flip", "insert", "truncate"))
    if op == "flip":
        raw[i] ^= 1 << rng.randrange(8)
    elif op == "insert":
        raw.insert(i, rng.randrange(256))
    else:
        del raw[i:]
    return raw.decode("utf-8", "surrogateescape")


MUTATORS: list[Callable[[str, random.Random], str]] = [
    _lines,
    _quantity,
    _quantity,
    lambda t, r: _sub_one(_NUMBER, t, r, lambda: r.choice(EXTREMES)),
    lambda t, r: _sub_one(_NUMBER, t, r, lambda: r.choice(EXTREMES)),
    lambda t, r: _sub_one(_DURATION, t, r, lambda: r.choice(UNITS)),
    _unicode,
    _nest,
    _anchor,
    _word,
    _bytes,
]


def mutants(n: int, seed: int, shared: str | None = None) -> Iterator[tuple[str, bytes]]:
    """``n`` mutants as (origin, bytes), the same for the same seed and corpus.

    Each applies one to three mutations to a seed file picked at random.
    """
    rng = random.Random(seed)
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, text in corpus(shared):
        groups.setdefault(name.split("/")[0], []).append((name, text))
    # valid files most of the time, so that many mutants still validate and run
    weights = {"scenarios": 4, "cases": 4, "malformed": 1}
    folders = sorted(groups)
    for _ in range(n):
        folder = rng.choices(folders, [weights.get(f, 2) for f in folders])[0]
        name, text = rng.choice(groups[folder])
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            text = rng.choice(MUTATORS)(text, rng)
        yield name, text.encode("utf-8", "surrogateescape")


@contextlib.contextmanager
def _alarm(seconds: float):
    def ring(signum, frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def sim(args: list[str], timeout: float = 10.0) -> tuple[int | None, str, str]:
    """Run ``sim ARGS`` in this process: (exit status or None after a timeout, stdout, stderr)."""
    from sim.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code: int | None = 0
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("always")  # each mutant's warnings are seen, not just the first
        try:
            with _alarm(timeout):
                main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except _Timeout:
            code = None
        except Exception as exc:  # noqa: BLE001 - an escaped exception is itself a finding
            err.write(f"Traceback (escaped): {type(exc).__name__}: {exc}\n")
            code = 1
    return code, out.getvalue(), err.getvalue()


def _nonfinite(path: Path) -> bool:
    bad = []
    json.loads(path.read_text(), parse_constant=bad.append)
    return bool(bad)


def check(raw: bytes, work: Path, timeout: float = 10.0) -> tuple[list[str], str]:
    """The findings for one mutant (a subset of :data:`FINDINGS`) and what happened to it.

    Returns
    -------
    (list of str, str)
        The findings, and ``"rejected"``, ``"ran"`` or ``"failed-run"`` (validated, but
        ``sim run`` exited 1 with a clean message).
    """
    f = work / "mutant.yaml"
    f.write_bytes(raw)
    found: list[str] = []
    code, out, err = sim(["validate", str(f)], timeout)
    fate = "rejected" if code else "valid"
    found += judge(code, out, err, located=True)
    if code == 0 and not found:
        dest = work / "out"
        code, out, err = sim(
            ["run", str(f), "--runs", "50", "--no-charts", "--jobs", "1", "--out", str(dest)],
            timeout,
        )
        found += judge(code, out, err, located=False)
        fate = "ran" if code == 0 else "failed-run"
        summary = dest / "summary.json"
        if code == 0 and summary.exists() and _nonfinite(summary):
            found.append("nonfinite")
    return sorted(set(found)), fate


def judge(code: int | None, out: str, err: str, *, located: bool) -> list[str]:
    """The findings in one command's exit status (None: timed out) and output.

    Parameters
    ----------
    code : int or None
        Exit status, None after a timeout.
    out, err : str
        What the command wrote to stdout and stderr.
    located : bool
        Whether every error line must carry ``FILE:LINE:COL`` (``sim validate``; a run's
        errors, such as a runaway scenario, concern no single line).

    Returns
    -------
    list of str
        Names from :data:`FINDINGS`, possibly repeated, in the order found.
    """
    found = []
    if code is None:
        found.append("hang")
    if "internal error" in out + err or "Traceback" in out + err:
        found.append("internal")
    for line in err.splitlines():
        if not _LINE.match(line):
            found.append("stray")
        elif (
            located
            and ": error: " in line
            and not _LOCATED.match(line)
            and not any(k in line for k in UNLOCATED_KINDS)
        ):
            found.append("unlocated")
    return found


def fuzz(
    n: int,
    seed: int,
    *,
    shared: str | None = None,
    keep: Path | None = None,
    timeout: float = 10.0,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Run ``n`` mutants; count what happened to them and every finding.

    Parameters
    ----------
    n : int
        Number of mutants.
    seed : int
        Seed of the mutations (0 is a seed).
    shared : str or None
        The shared folder, whose ``cases/`` join the corpus.
    keep : Path or None
        Where to save each mutant with a finding (``NNNNN-FINDING.yaml``).
    timeout : float
        Seconds each command may take.
    log : callable or None
        Called with a progress line every 500 mutants and with each finding.

    Returns
    -------
    Report
    """
    report = Report()
    with tempfile.TemporaryDirectory(prefix="sim-fuzz-") as tmp:
        # warm up (imports, compiled kernels) outside the alarms: that is no mutant's time
        warm = Path(tmp) / "warm"
        warm.mkdir()
        bundled = [text for name, text in corpus() if name.startswith("scenarios/")]
        check(bundled[0].encode("utf-8"), warm, timeout=600.0)
        for k, (origin, raw) in enumerate(mutants(n, seed, shared)):
            work = Path(tmp) / f"{k:05d}"
            work.mkdir()
            found, fate = check(raw, work, timeout)
            report.counts["mutants"] += 1
            report.counts[fate] += 1
            for name in found:
                report.counts[name] += 1
            if found:
                text = raw.decode("utf-8", "replace")
                report.found.append((",".join(found), origin, text))
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"{k:05d}-{'-'.join(found)}.yaml").write_bytes(raw)
                if log:
                    log(f"mutant {k} of {origin}: {', '.join(found)}")
            if log and (k + 1) % 500 == 0:
                log(f"{k + 1} mutants: {dict(report.counts)}")
            for p in sorted(work.rglob("*"), reverse=True):
                p.rmdir() if p.is_dir() else p.unlink()
            work.rmdir()
    return report


def main(argv: list[str] | None = None) -> int:
    """The command line; prints the counts and returns 1 when anything was found."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mutants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--keep", type=Path, default=None, help="save mutants with findings here")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    report = fuzz(
        args.mutants,
        args.seed,
        shared=os.environ.get("SIM_SHARED"),
        keep=args.keep,
        timeout=args.timeout,
        log=lambda s: print(s, file=sys.stderr, flush=True),
    )
    counts = {k: report.counts[k] for k in ("mutants", "rejected", "ran", "failed-run")}
    counts.update({k: report.counts[k] for k in FINDINGS})
    print(json.dumps(counts))
    print(f"{report.findings} mutants with findings in {time.perf_counter() - t0:.0f} s")
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
