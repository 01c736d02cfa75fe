"""Entry point of the ``sim`` command: the click group and the user-facing error handling.

Exit status: 0 success, 1 a problem with the input (scenario file, results folder) or the run,
2 a mistaken command line (click's usage errors), 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM). Either signal removes the temporary folders and stops the workers first.
"""

from __future__ import annotations

import sys

import click

from sim import __version__


def _invoke_unwrapped(invoke, ctx: click.Context):
    """``invoke(ctx)``; a Ctrl-C or SIGTERM whose handler ran as compiled code returned (numba
    then raises "SystemError: ... returned a result with an exception set" from it) is raised
    as itself, so it ends the command like any other interrupt."""
    try:
        return invoke(ctx)
    except SystemError as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            raise exc.__cause__ from None
        raise


class _Group(click.Group):
    """Prints :class:`sim.errors.SimError` cleanly; a traceback only with ``--debug``."""

    def invoke(self, ctx: click.Context):
        from sim.signals import forget_written

        forget_written()
        try:
            return _invoke_unwrapped(super().invoke, ctx)
        except KeyboardInterrupt as exc:
            from sim.signals import Terminated, written

            terminated = isinstance(exc, Terminated)
            word = "terminated" if terminated else "interrupted"
            # the signal came while moving the files in, or after (closing a cluster)
            folders = written()
            if folders:
                where = folders[0]
                if len(folders) > 1:
                    import os

                    where = f"{os.path.commonpath(folders) or '.'} ({len(folders)} folders)"
                said = f"the results were written to {where}"
            else:
                said = "nothing was written"
            click.echo(f"{word}; {said}", err=True)
            ctx.exit(143 if terminated else 130)
        except BrokenPipeError:  # output piped into a command that stopped reading (`| head`)
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)
        except Exception as exc:
            from sim.errors import SimError

            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, SimError):
                click.echo(str(exc), err=True)
                ctx.exit(1)
            if isinstance(
                exc,
                click.exceptions.ClickException | click.exceptions.Exit | click.exceptions.Abort,
            ):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                "traceback, and please report it)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sim")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Scenario forecasting simulator: Monte Carlo runs of "what next" scenario files."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register() -> None:
    from sim.cli import (
        compare,
        history,
        new,
        report,
        run,
        schema,
        sensitivity,
        signposts,
        validate,
    )

    for module in (validate, schema, run, compare, sensitivity, history, signposts, report, new):
        cli.add_command(module.command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line (``sim``)."""
    import os
    import signal

    from sim.signals import interrupt, terminate

    # Ctrl-C (SIGINT) stops a command even when it was started with SIGINT ignored, as shells
    # do for background jobs; SIGTERM unwinds the same way. Workers are stopped, temporary
    # folders removed, nothing is written.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, terminate)
    # The command only ever writes chart files: a display backend (or a bogus MPLBACKEND)
    # must not fail after the run.
    os.environ["MPLBACKEND"] = "Agg"
    for stream in (sys.stdout, sys.stderr):  # ASCII-only terminals get escapes, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    _register()
    cli.main(args=argv, prog_name="sim")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
