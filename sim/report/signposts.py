"""The files of ``sim signposts``: ``signposts.json`` and ``signposts.yaml``.

``signposts.yaml`` holds an ``indicators:`` mapping ready to paste into a scenario file
(format section 11). It is written by ruamel.yaml's safe dumper, which quotes whatever needs
quoting and emits only plain mappings, lists, strings, booleans and dates: no tag, no
anchor, nothing a loader could run.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from sim.contracts import dump
from sim.contracts.history import SignpostsFile

__all__ = ["signposts_yaml", "write_signposts"]


def signposts_yaml(data: dict[str, Any]) -> str:
    """The text of ``signposts.yaml``: a comment naming the scenario, then ``indicators:``
    with each suggested indicator's ``label``, ``when``, ``ever`` and ``dates``.

    Parameters
    ----------
    data : dict
        ``signposts.json`` content (``suggested_indicators``, dates as ISO strings).

    Returns
    -------
    str
    """
    indicators = {
        ident: {
            "label": spec["label"],
            "when": spec["when"],
            "ever": spec["ever"],
            "dates": [dt.date.fromisoformat(d) for d in spec["dates"]],
        }
        for ident, spec in data["suggested_indicators"].items()
    }
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None  # lists of scalars inline: dates: [2026-03-31]
    yaml.sort_base_mapping_type_on_output = False  # keep label, when, ever, dates
    yaml.width = 4096
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump({"indicators": indicators}, stream)
    header = (
        f"# Candidate signposts of scenario {data['scenario']} [{data['variant']}], found by "
        "`sim signposts`\n# (see signposts.json for their numbers). Paste these under the "
        "scenario's `indicators:` key.\n"
    )
    return header + stream.getvalue()


def write_signposts(data: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``signposts.json`` (validated by :class:`sim.contracts.history.SignpostsFile`)
    and ``signposts.yaml`` (:func:`signposts_yaml`).

    Parameters
    ----------
    data : dict
        ``to_dict()`` of a :class:`sim.experiments.signposts.Signposts`.
    folder : pathlib.Path
        An existing folder.

    Returns
    -------
    list of Path

    Raises
    ------
    pydantic.ValidationError
        ``data`` does not fit the model (a defect, not an input error).
    """
    folder = Path(folder)
    json_path, yaml_path = folder / "signposts.json", folder / "signposts.yaml"
    json_path.write_text(dump(SignpostsFile, data), encoding="utf-8")
    yaml_path.write_text(signposts_yaml(data), encoding="utf-8")
    return [json_path, yaml_path]
