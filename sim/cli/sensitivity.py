"""``sim sensitivity FILE --method tornado|sobol``: which assumptions drive each outcome."""

from __future__ import annotations

from pathlib import Path

import click

from sim.model.streams import MAX_SEED
from sim.runner import DEFAULT_SEED, ENGINES


@click.command("sensitivity")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--method",
    "-m",
    type=click.Choice(["tornado", "sobol"]),
    default="tornado",
    show_default=True,
    help="One value at a time (tornado) or global (Sobol indices).",
)
@click.option("--variant", "-v", default="base", show_default=True)
@click.option(
    "--runs",
    "-n",
    type=click.IntRange(min=10),
    default=None,
    help="Runs per setting (tornado: each value at its 10th and 90th percentile; "
    "sobol: each sample row) [default: 4000 tornado, 400 sobol].",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    default=64,
    show_default=True,
    help="Sobol: Saltelli base sample size (a power of 2); rows = samples x (values + 2).",
)
@click.option(
    "--seed",
    "-s",
    type=click.IntRange(min=0, max=MAX_SEED),
    default=DEFAULT_SEED,
    show_default=True,
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder [default: reports/<scenario>/<variant>/<method>].",
)
@click.option("--no-charts", is_flag=True, help="Write sensitivity.json only.")
def command(
    file: str,
    method: str,
    variant: str,
    runs: int | None,
    samples: int,
    seed: int,
    jobs: int | None,
    engine: str,
    out: str | None,
    no_charts: bool,
) -> None:
    """Rank the uncertain values of FILE by their effect on each outcome.

    Tornado: each uncertain value (named parameter or unnamed range) in turn at its 10th and
    90th percentile, the others left random, all with common random numbers; the score is the
    swing |p(high) - p(low)|. Sobol: Saltelli sampling over the quantile space, a batch of
    runs per sample; the score is the total-order index. Waiting times under `after` are
    chance, not ignorance, and are never varied.
    """
    import json

    from sim.analysis import sensitivity as sa
    from sim.cli.output import progress_bar
    from sim.errors import SimError
    from sim.report.files import publish
    from sim.runner import run_design, run_scenario
    from sim.scenario.load import load_scenario

    if samples & (samples - 1):
        raise click.UsageError(
            f"--samples {samples} is not a power of 2 (Saltelli's "
            "sequence needs one): use 8, 16, 32, 64, ..."
        )
    scenario = load_scenario(file, variant)
    slots = scenario.slots
    if not slots:
        raise SimError(
            f"{file}: error: the scenario has no uncertain values (ranges or "
            "named parameters) to vary"
        )
    n_slots = len(slots)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant / method
    label = f"{scenario.id} [{scenario.variant}] {method}"
    if method == "tornado":
        runs = runs or 4000
        design = sa.tornado_design(n_slots)
        with progress_bar(label, (len(design) + 1) * runs) as advance:
            base = run_scenario(
                scenario,
                runs=runs,
                seed=seed,
                jobs=jobs,
                engine=engine,
                progress=lambda d, t: advance(d, (len(design) + 1) * runs),
            )
            res = run_design(
                scenario,
                design,
                runs,
                common=True,
                seed=seed,
                jobs=jobs,
                engine=engine,
                progress=lambda d, t: advance(runs + d, (len(design) + 1) * runs),
            )
        per_row = sa.row_means(res.flags, res.rows)
        table = sa.tornado(base.probabilities(), per_row[0::2], per_row[1::2])
        outcomes = {
            o.id: [
                {"parameter": slots[r["slot"]].name, **{k: v for k, v in r.items() if k != "slot"}}
                for r in rows
            ]
            for o, rows in zip(scenario.outcomes, table, strict=True)
        }
        settings = {
            "runs_per_setting": runs,
            "settings": len(design) + 1,
            "low_quantile": sa.TORNADO_LOW,
            "high_quantile": sa.TORNADO_HIGH,
            "others": "left random (their own per-run draws), common random numbers",
        }
        engine_name = res.settings.engine
    else:
        runs = runs or 400
        design = sa.sobol_design(n_slots, samples, seed)
        with progress_bar(label, len(design) * runs) as advance:
            res = run_design(
                scenario,
                design,
                runs,
                common=True,
                seed=seed,
                jobs=jobs,
                engine=engine,
                progress=advance,
            )
        y = sa.row_means(res.flags, res.rows)
        indices = sa.sobol_indices(y, n_slots, seed)
        outcomes = {}
        for o, idx in zip(scenario.outcomes, indices, strict=True):
            rows = [
                {
                    "parameter": slot.name,
                    "score": float(idx["ST"][j]),
                    "ST": float(idx["ST"][j]),
                    "ST_conf": float(idx["ST_conf"][j]),
                    "S1": float(idx["S1"][j]),
                    "S1_conf": float(idx["S1_conf"][j]),
                }
                for j, slot in enumerate(slots)
            ]
            rows.sort(key=lambda r: -r["score"])
            outcomes[o.id] = rows
        settings = {
            "runs_per_sample": runs,
            "samples": samples,
            "rows": len(design),
            "sampler": "SALib sobol (Saltelli) over quantile levels, first and total "
            "order; common random numbers across rows",
        }
        engine_name = res.settings.engine
    data = {
        "method": method,
        "scenario": scenario.id,
        "variant": scenario.variant,
        "title": scenario.title,
        "seed": seed,
        "engine": engine_name,
        "settings": settings,
        "parameters": {
            s.name: {
                "label": s.label,
                "value": s.distribution.text,
                "kind": s.distribution.kind,
                "p10": float(s.distribution.ppf(0.1)),
                "p90": float(s.distribution.ppf(0.9)),
            }
            for s in slots
        },
        "outcome_labels": {o.id: o.label for o in scenario.outcomes},
        "outcomes": outcomes,
    }

    def fill(tmp: Path) -> None:
        (tmp / "sensitivity.json").write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if not no_charts:
            from sim.report.sensitivity import render_sensitivity

            render_sensitivity(tmp)

    publish(folder, fill)
    _print(data)
    click.echo(f"Report: {folder / ('sensitivity.json' if no_charts else 'report.html')}")


def _print(data: dict) -> None:
    from rich.table import Table

    from sim.cli.output import console

    table = Table(
        title=f"{data['title'] or data['scenario']}: {data['method']}, top drivers",
        caption="score: swing |p(90th) - p(10th)| (tornado) or total Sobol index",
    )
    table.add_column("outcome", ratio=1)
    table.add_column("1st", ratio=1)
    table.add_column("2nd", ratio=1)
    table.add_column("3rd", ratio=1)
    for oid, rows in data["outcomes"].items():
        cells = [f"{r['parameter']} ({r['score']:.3f})" for r in rows[:3]]
        table.add_row(data["outcome_labels"][oid], *cells, *[""] * (3 - len(cells)))
    console().print(table)
