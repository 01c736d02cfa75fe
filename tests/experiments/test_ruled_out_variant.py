"""A variant the evidence rules out (issue 14): reported one message a line, grown once only
under --min-effective-runs, and the base not re-run to pair with its extra runs."""

from __future__ import annotations

import re

import pytest

from sim import load_scenario
from sim.cli.run import ruled_out_note
from sim.errors import printable
from sim.experiments import ruled_out, run_variant, run_variants
from sim.experiments.variants import RuledOut

# "t == b on 2025-07-01" (certain): the base reaches b at rate 1 a month, so all but
# exp(-181 / 30.44) = 0.26% of its runs agree; the variant "never" cannot leave a, so none do.
SCENARIO = """\
scenario: ruled
start: 2025-01-01
horizon: 2025-12-31
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: go, track: t, from: a, to: b, rate: 1 per month}
outcomes:
  b_end: {when: t == b}
evidence:
  - {date: 2025-07-01, when: t == b, observed: true}
variants:
  never: {set: {events.go.rate: 0 per month}}
"""
RUNS = 500
#: What tools/fuzz.py accepts on stderr: FILE[:LINE[:COL]]: error|warning|progress: ...
LINE = re.compile(r"^.+?(:\d+:\d+)?: (error|warning|progress): \S")


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    path = tmp_path_factory.mktemp("ruled") / "ruled.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return {v: load_scenario(path, v) for v in ("base", "never")}


def test_the_ruled_out_message_is_one_line_per_message(scenarios):
    with pytest.raises(RuledOut) as caught:
        run_variant(scenarios["never"], runs=RUNS, seed=3, jobs=1, engine="compiled")
    file = scenarios["never"].file
    lines = str(caught.value).splitlines()
    assert len(lines) == 2 and all(LINE.match(line) for line in lines), lines
    assert lines[0].startswith(f"{file}: error: in variant 'never': no run agrees with the ")
    assert lines[1] == (
        f"{file}:11: error: in variant 'never': 2025-07-01 't == b' observed true: 0.00% of "
        "runs agree with it alone"
    )


def test_a_ruled_out_variant_grows_once_and_the_base_is_not_rerun(scenarios, capsys):
    batches = []
    done = run_variants(
        scenarios,
        runs=RUNS,
        seed=3,
        jobs=1,
        engine="compiled",
        min_effective_runs=400,  # the base has about 499 effective runs: no more needed
        spread=False,
        progress=lambda label, d, total: batches.append((label, total)) if d == 0 else None,
    )
    labels = [(re.sub(r"^ruled ", "", label), total) for label, total in batches]
    # the variant: its runs, ten times as many (none agree: growing stops there, not at
    # 100 x), then its first runs again to pair with the base's; the base: one batch only
    assert labels == [
        ("[base]", RUNS),
        ("[never]", RUNS),
        ("[never] to n_eff 400", 10 * RUNS),
        ("[never] as many runs as the others", RUNS),
    ]
    assert done.results["base"].runs == done.results["never"].runs == RUNS
    assert ruled_out(done.results["never"]) and not ruled_out(done.results["base"])
    b_end = done.comparison["outcomes"]["b_end"]["by_variant"]
    assert b_end["base"]["probability"] == 1.0 and b_end["never"]["probability"] is None
    ruled_out_note(done.results["never"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and LINE.match(err) and printable(err.strip()) == err.strip()
    assert "the evidence rules out variant 'never': none of its 500 runs agrees" in err
