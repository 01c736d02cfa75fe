"""A signal whose handler raises as compiled code returns reaches Python as "SystemError: ...
returned a result with an exception set", its cause the interrupt: the command says
"terminated" / "interrupted", not "internal error" (trial 15: once in 29 SIGTERMs during
the spread design's draws)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sim.cli.main import cli
from sim.signals import Terminated


@pytest.mark.parametrize(
    ("interrupt", "code", "line"),
    [(Terminated(), 143, "terminated; nothing was written"),
     (KeyboardInterrupt(), 130, "interrupted; nothing was written")],
)  # fmt: skip
def test_an_interrupt_wrapped_in_a_system_error_is_an_interrupt(interrupt, code, line):
    @cli.command("wrapped-interrupt-probe", hidden=True)
    def probe() -> None:
        try:
            raise interrupt
        except KeyboardInterrupt as exc:
            raise SystemError("CPUDispatcher returned a result with an exception set") from exc

    try:
        done = CliRunner().invoke(cli, ["wrapped-interrupt-probe"])
    finally:
        cli.commands.pop("wrapped-interrupt-probe")
    assert done.exit_code == code
    assert done.stderr.strip() == line


def test_another_system_error_is_still_an_internal_error():
    @cli.command("system-error-probe", hidden=True)
    def probe() -> None:
        raise SystemError("something else")

    try:
        done = CliRunner().invoke(cli, ["system-error-probe"])
    finally:
        cli.commands.pop("system-error-probe")
    assert done.exit_code == 1 and "internal error: SystemError" in done.stderr
